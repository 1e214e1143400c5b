/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The internals of tdx_iommu_mt.c that its KUnit suites redirect or call:
 * VISIBLE_IF_KUNIT, so static in a kernel without KUnit.
 */
#ifndef _TDX_IOMMU_MT_KUNIT_H
#define _TDX_IOMMU_MT_KUNIT_H

#include <asm/tdx_iommu_mt.h>

#if IS_ENABLED(CONFIG_KUNIT)
struct page *tdx_iommu_mt_alloc_block(unsigned int order);
#endif

#endif /* _TDX_IOMMU_MT_KUNIT_H */
