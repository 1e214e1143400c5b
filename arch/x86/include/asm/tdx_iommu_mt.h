/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IOMMU_MT: the memory the TDX module needs to run one VT-d unit.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */
#ifndef _ASM_X86_TDX_IOMMU_MT_H
#define _ASM_X86_TDX_IOMMU_MT_H

#include <linux/bits.h>
#include <linux/types.h>

#include <asm/tdx_handoff.h>

/*
 * IOMMU_MT root page (TDH.IOMMU.SETUP and TDH.IOMMU.CLEAR, RDX): entry 0
 * is the invalidation queue (T_IQ), entry 1 the context invalidation queue
 * (T_CTXIQ), each a physically contiguous block whose entry carries its
 * size in NUM_PAGES; entries from 2 on are 4 KiB pages with bits 11:0 0.
 */
#define TDX_IOMMU_MT_IQ			0
#define TDX_IOMMU_MT_CTXIQ		1
#define TDX_IOMMU_MT_FIRST_PAGE		2
#define TDX_IOMMU_MT_NUM_PAGES		GENMASK_ULL(11, 0)
#define TDX_IOMMU_MT_HPA		GENMASK_ULL(51, 12)

#define TDX_IOMMU_MT_MAX_PAGES		(TDX_ROOT_PAGE_MAX_ENTRIES - TDX_IOMMU_MT_FIRST_PAGE)

/*
 * Software structures below.
 */

struct page;
struct tdx_page_list;

/**
 * struct tdx_iommu_mt - the IOMMU_MT of one VT-d unit
 * @iq: first page of the T_IQ block, split into order-0 pages
 * @ctxiq: first page of the T_CTXIQ block, split into order-0 pages
 * @iq_order: allocation order of @iq and @ctxiq
 * @pages: the order-0 MT pages, NULL when there are none
 * @root: the root page, encoded and flushed
 * @nr_entries: entries used in @root
 */
struct tdx_iommu_mt {
	struct page *iq;
	struct page *ctxiq;
	unsigned int iq_order;
	struct tdx_page_list *pages;
	u64 *root;
	unsigned int nr_entries;
};

struct tdx_iommu_mt *tdx_iommu_mt_alloc(unsigned int iq_order,
					unsigned int nr_mt_pages);
void tdx_iommu_mt_free(struct tdx_iommu_mt *mt);
u64 tdx_iommu_mt_hpa(const struct tdx_iommu_mt *mt);

#endif /* _ASM_X86_TDX_IOMMU_MT_H */
