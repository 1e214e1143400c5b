/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Trusted DMA remapping of a TDI: its entries in the TDX module's DMAR
 * tables of the IOMMU it is behind.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */
#ifndef _TDX_HOST_DMAR_H
#define _TDX_HOST_DMAR_H

#include <linux/types.h>

struct page;
struct tdx_host_tables;
struct tdx_page_list;

/* How long the IOMMU may take to complete one invalidation, at least */
#define TDX_HOST_DMAR_INV_TIMEOUT_US	100000
/* How often its status is looked at meanwhile */
#define TDX_HOST_DMAR_POLL_US		1000

/* The levels of a TDI's trusted DMA remapping, in the order they are added */
enum tdx_host_dmar_level {
	TDX_HOST_DMAR_RTE,
	TDX_HOST_DMAR_CTE,
	TDX_HOST_DMAR_PDE,
	TDX_HOST_DMAR_PASIDTE,
	TDX_HOST_DMAR_NR_LEVELS,
};

/* The table pages of a TDI's own entries */
enum {
	TDX_HOST_DMAR_PG_PD,
	TDX_HOST_DMAR_PG_PASIDT,
	TDX_HOST_DMAR_NR_PAGES,
};

/**
 * struct tdx_host_dmar - the trusted DMA remapping entries of one TDI
 * @tables: where the root table entries, shared by 128 functions, are
 * @iommu_id: the TDX module's ID of the TDI's IOMMU
 * @rid: the TDI's Requester ID
 * @tables_pg: the PASID directory page of the context entry and the PASID
 *	       table page of the PASID directory entry, TDX_HOST_DMAR_PG_*;
 *	       the module owns each while its entry exists (the root table
 *	       entry's context table page is in @tables)
 * @status: a shared page for the IOMMU's invalidation status writes
 * @cookie: the status data of the last invalidation
 * @nr_added: levels added, enum tdx_host_dmar_level order
 */
struct tdx_host_dmar {
	struct tdx_host_tables *tables;
	u16 iommu_id;
	u16 rid;
	struct tdx_page_list *tables_pg;
	struct page *status;
	u32 cookie;
	unsigned int nr_added;
};

int tdx_host_dmar_init(struct tdx_host_dmar *dmar, struct tdx_host_tables *tables,
		       u16 iommu_id, u16 rid);
void tdx_host_dmar_free(struct tdx_host_dmar *dmar);
int tdx_host_dmar_setup(struct tdx_host_dmar *dmar);
void tdx_host_dmar_teardown(struct tdx_host_dmar *dmar);

#endif /* _TDX_HOST_DMAR_H */
