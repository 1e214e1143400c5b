/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The TDX module's metadata trees that tdx-host fills with pages: the TDI
 * metadata (DEVIFMT), the MMIO metadata (MMIOMT) and the root table
 * entries of the trusted DMA remapping tables.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */
#ifndef _TDX_HOST_TABLES_H
#define _TDX_HOST_TABLES_H

#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/xarray.h>

struct page;

/**
 * struct tdx_host_tree - how tdx-host adds pages to one of the module's trees
 * @add_op: name of the SEAMCALL that adds a page, for warnings
 * @remove_op: name of the SEAMCALL that takes one back
 * @top: level of the highest entry the host points to a page
 * @shift: for each level 1 to @top, how far right an address is shifted to
 *	   name the page an entry of that level points to
 * @add: point the entry of @level for @addr to @page; a TDX module status
 * @remove: take back the page the entry of @level for @addr points to
 *
 * Entries of level N point to pages of level N-1; a page is shared by
 * every address whose key at its level is the same.
 */
struct tdx_host_tree {
	const char *add_op;
	const char *remove_op;
	unsigned int top;
	unsigned int shift[8];
	u64 (*add)(void *ctx, u64 addr, unsigned int level, struct page *page);
	u64 (*remove)(void *ctx, u64 addr, unsigned int level, u64 *released_pa);
};

/**
 * struct tdx_host_tables - the pages tdx-host added to the module's trees
 * @lock: serializes changes to all trees; the module's trees are global
 * @devifmt: DEVIFMT pages by level and FUNCTION_ID prefix
 * @mmiomt: MMIOMT pages by level and MMIO address prefix
 * @dmar_rte: context table pages by IOMMU and root table entry
 *
 * Each page counts its users: the TDIs (or MMIO regions) below it.  It is
 * added when its first user appears and removed when its last goes.
 */
struct tdx_host_tables {
	struct mutex lock;	/* serializes changes to the trees */
	struct xarray devifmt;
	struct xarray mmiomt;
	struct xarray dmar_rte;
};

void tdx_host_tables_init(struct tdx_host_tables *t);
int tdx_host_tables_fini(struct tdx_host_tables *t);
int tdx_host_tree_get(struct tdx_host_tables *t, const struct tdx_host_tree *tree,
		      struct xarray *xa, void *ctx, u64 addr);
void tdx_host_tree_put(struct tdx_host_tables *t, const struct tdx_host_tree *tree,
		       struct xarray *xa, void *ctx, u64 addr);
unsigned long tdx_host_tree_nr_pages(struct tdx_host_tables *t, struct xarray *xa);

int tdx_host_devifmt_get(struct tdx_host_tables *t, u32 func_id);
void tdx_host_devifmt_put(struct tdx_host_tables *t, u32 func_id);
int tdx_host_mmiomt_get(struct tdx_host_tables *t, u64 pa);
void tdx_host_mmiomt_put(struct tdx_host_tables *t, u64 pa);

#endif /* _TDX_HOST_TABLES_H */
