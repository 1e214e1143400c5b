/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Taking pages back from the TDX module.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */
#ifndef _ASM_X86_TDX_RELEASE_H
#define _ASM_X86_TDX_RELEASE_H

#include <linux/types.h>

struct tdx_handoff;
struct tdx_iommu_mt;
struct tdx_page_list;

int tdx_page_list_release(struct tdx_page_list *list, const char *op, u64 status,
			  const u64 *released, unsigned int nr_released);
int tdx_page_list_release_hpa_array(struct tdx_page_list *list,
				    const struct tdx_handoff *ho, const char *op,
				    u64 status, u64 released);
int tdx_iommu_mt_release(struct tdx_iommu_mt *mt, const char *op, u64 status);

#endif /* _ASM_X86_TDX_RELEASE_H */
