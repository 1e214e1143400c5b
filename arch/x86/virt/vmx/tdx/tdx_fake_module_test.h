/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the tdx_fake_module suites: test pages the fake may take,
 * and SEAMCALL operands built by hand, independently of the wrappers.
 * Included by each suite's file only.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */
#ifndef _TDX_FAKE_MODULE_TEST_H
#define _TDX_FAKE_MODULE_TEST_H

#include <linux/bitfield.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/string.h>

#include <kunit/resource.h>
#include <kunit/test.h>

#include <asm/shared/tdx_errno.h>
#include <asm/tdx.h>
#include "tests/tdx_fake_module.h"
#include <asm/tdx_handoff.h>

#include "tdx.h"

#define RCX_INVALID	(TDX_OPERAND_INVALID | TDX_OPERAND_ID_RCX)
#define RDX_INVALID	(TDX_OPERAND_INVALID | TDX_OPERAND_ID_RDX)
#define R9_INVALID	(TDX_OPERAND_INVALID | TDX_OPERAND_ID_R9)
#define RAX_INVALID	(TDX_OPERAND_INVALID | TDX_OPERAND_ID_RAX)

/* A physical address no page of the test VM has, below bit 52. */
#define NO_SUCH_PAGE	BIT_ULL(50)

#define TEST_VTBAR	0xfed90000ULL
#define TEST_VTBAR_NOT_TDX	0xfed91000ULL

struct test_page {
	struct tdx_fake_module *fake;
	struct page *page;
	unsigned int order;
};

/* Free a test page unless the fake holds it: the fake frees those. */
static inline void test_page_free(void *data)
{
	struct test_page *tp = data;
	unsigned int i;

	for (i = 0; i < (1U << tp->order); i++) {
		u64 hpa = page_to_phys(tp->page + i);

		if (!tdx_fake_owns(tp->fake, hpa) && !tdx_fake_released(tp->fake, hpa))
			__free_page(tp->page + i);
	}
}

static inline u64 test_alloc(struct kunit *test, struct tdx_fake_module *fake,
			     unsigned int order)
{
	struct test_page *tp;

	tp = kunit_kzalloc(test, sizeof(*tp), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, tp);
	tp->fake = fake;
	tp->order = order;
	tp->page = alloc_pages(GFP_KERNEL | __GFP_ZERO, order);
	KUNIT_ASSERT_NOT_NULL(test, tp->page);
	/* Split, as the code under test hands over its blocks. */
	split_page(tp->page, order);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, test_page_free, tp), 0);
	tdx_handoff_flush(page_address(tp->page), PAGE_SIZE << order);
	return page_to_phys(tp->page);
}

/* Write an entry of a root page, and flush it, as the hand-off code does. */
static inline void set_entry(u64 *root, unsigned int i, u64 val)
{
	root[i] = val;
	tdx_handoff_flush(&root[i], sizeof(root[i]));
}

/* The physical address of a page with a KeyID, as mk_keyed_paddr() makes it. */
static inline u64 keyed(u64 hpa, u64 keyid)
{
	return hpa | keyid << boot_cpu_data.x86_phys_bits;
}

static inline u64 wb_page(u64 keyed_hpa)
{
	struct tdx_module_args args = { .rcx = keyed_hpa };

	return tdx_seamcall_ver(TDH_PHYMEM_PAGE_WBINVD, 0, &args);
}

static inline u64 call(u16 leaf, u8 version, struct tdx_module_args *args)
{
	return tdx_seamcall_ver(leaf, version, args);
}

static inline u64 sys_config(u8 version, u64 features)
{
	static u64 tdmr_array[64] __aligned(512);
	struct tdx_module_args args = {
		.rcx = __pa(tdmr_array),
		.rdx = 1,
		.r9 = features,
	};

	return call(TDH_SYS_CONFIG, version, &args);
}

static inline u64 list_info(u64 root, unsigned int first, unsigned int last)
{
	return FIELD_PREP(GENMASK_ULL(11, 3), first) | root |
	       FIELD_PREP(GENMASK_ULL(63, 55), last);
}

static inline u64 mem_add(u64 info, u64 *out)
{
	struct tdx_module_args args = { .rcx = info };
	u64 ret = call(TDH_EXT_MEM_ADD, 0, &args);

	if (out)
		*out = args.rcx;
	return ret;
}

/* A root page of @nr fresh pages, handed over as one HPA_LIST_INFO. */
static inline u64 *test_list(struct kunit *test, struct tdx_fake_module *fake,
			     unsigned int nr)
{
	u64 *root = __va(test_alloc(test, fake, 0));
	unsigned int i;

	for (i = 0; i < nr; i++)
		set_entry(root, i, test_alloc(test, fake, 0));
	return root;
}

static inline struct tdx_fake_module *configured(struct kunit *test)
{
	struct tdx_fake_module *fake = tdx_fake_module_install(test);

	KUNIT_ASSERT_EQ(test, sys_config(1, TDX_FEATURES0_TDX_CONNECT), TDX_SUCCESS);
	return fake;
}

/* A fake with Extensions running, ready for TDH.IOMMU.SETUP. */
static inline struct tdx_fake_module *ext_running(struct kunit *test)
{
	struct tdx_fake_module *fake = configured(test);
	u64 *root = test_list(test, fake, 1);
	struct tdx_module_args args = {};

	fake->pool_required_pages = 1;
	KUNIT_ASSERT_EQ(test, mem_add(list_info(__pa(root), 0, 0), NULL), TDX_SUCCESS);
	KUNIT_ASSERT_EQ(test, call(TDH_EXT_INIT, 0, &args), TDX_SUCCESS);
	KUNIT_ASSERT_EQ(test, tdx_fake_add_iommu(fake, TEST_VTBAR, true), 0);
	KUNIT_ASSERT_EQ(test, tdx_fake_add_iommu(fake, TEST_VTBAR_NOT_TDX, false), 0);
	fake->iommu_mt_page_count = 3;
	return fake;
}

/* An IOMMU_MT root page built by hand: two order-1 queues, three pages. */
static inline u64 *test_iommu_mt(struct kunit *test, struct tdx_fake_module *fake)
{
	u64 *root = __va(test_alloc(test, fake, 0));

	set_entry(root, 0, test_alloc(test, fake, 1) | 2);
	set_entry(root, 1, test_alloc(test, fake, 1) | 2);
	set_entry(root, 2, test_alloc(test, fake, 0));
	set_entry(root, 3, test_alloc(test, fake, 0));
	set_entry(root, 4, test_alloc(test, fake, 0));
	return root;
}

static inline u64 iommu_setup(u64 vtbar, u64 mt, u64 *id)
{
	struct tdx_module_args args = { .rcx = vtbar, .rdx = mt };
	u64 ret = call(TDH_IOMMU_SETUP, 0, &args);

	if (id)
		*id = args.rcx;
	return ret;
}

#endif /* _TDX_FAKE_MODULE_TEST_H */
