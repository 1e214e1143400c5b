/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The SPDM session of a link, and the operations that talk to the
 * device over it, for connect and the IDE stream of tdx_host_ide.c.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */
#ifndef _TDX_HOST_SPDM_H
#define _TDX_HOST_SPDM_H

#include <linux/bits.h>
#include <linux/types.h>

struct pci_dev;
struct tdx_host_link;
struct tdx_host_link_cfg;
struct tdx_page_list;

/* TDH.SPDM.CREATE's FUNCTION_ID */
#define TDX_SPDM_FUNC_ID_RID		GENMASK_ULL(15, 0)
#define TDX_SPDM_FUNC_ID_SEGMENT	GENMASK_ULL(23, 16)
#define TDX_SPDM_FUNC_ID_SEG_VALID	BIT_ULL(24)

/* The operations that carry the module's messages to the device */
enum tdx_host_link_op {
	TDX_HOST_SPDM_CONNECT,
	TDX_HOST_SPDM_KEY_UPDATE,
	TDX_HOST_SPDM_DISCONNECT,
	TDX_HOST_IDE_KM_SETUP,
	TDX_HOST_IDE_KM_STOP,
};

int tdx_host_link_run(struct tdx_host_link *link, enum tdx_host_link_op op,
		      unsigned int *nr_msgs, u64 *out);
void tdx_host_link_create_failed(struct tdx_page_list **list, const char *op,
				 u64 status);
int tdx_host_link_alloc(struct tdx_host_link *link, struct pci_dev *pdev,
			const struct tdx_host_link_cfg *cfg);
void tdx_host_link_free(struct tdx_host_link *link);

u64 tdx_host_spdm_func_id(struct pci_dev *pdev);
int tdx_host_spdm_setup(struct tdx_host_link *link);
void tdx_host_spdm_teardown(struct tdx_host_link *link);

#endif /* _TDX_HOST_SPDM_H */
