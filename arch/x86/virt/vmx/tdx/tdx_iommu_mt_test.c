// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the IOMMU_MT layout.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

#include <kunit/static_stub.h>
#include <kunit/test.h>
#include <linux/err.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include <asm/tdx_iommu_mt.h>
#include <asm/tdx_page_list.h>

#include "tdx_page_list_kunit.h"
#include "tdx_iommu_mt_kunit.h"

/* The entry layout, written out from the ABI table. */
#define ABI_NUM_PAGES_MASK	0x0000000000000fffULL	/* bits 11:0 */
#define ABI_HPA_MASK		0x000ffffffffff000ULL	/* bits 51:12 */
#define ABI_ROOT_ENTRIES	512

KUNIT_DEFINE_ACTION_WRAPPER(free_mt_action, tdx_iommu_mt_free,
			    struct tdx_iommu_mt *);

struct layout_case {
	unsigned int iq_order;
	unsigned int nr_mt_pages;
	int err;
};

static const struct layout_case layout_cases[] = {
	{ 0, 0 }, { 0, 1 }, { 0, 64 }, { 0, 510 },
	{ 1, 0 }, { 1, 64 }, { 1, 509 }, { 1, 510 },
	{ 2, 0 }, { 2, 64 }, { 2, 510 },
	{ 3, 0 }, { 3, 1 }, { 3, 64 }, { 3, 510 },
	/* 2 queue entries + 511 or 512 pages: more than one root page. */
	{ 0, 511, -E2BIG }, { 1, 512, -E2BIG }, { 3, 512, -E2BIG },
	{ 1, UINT_MAX, -E2BIG },
	{ MAX_PAGE_ORDER + 1, 64, -EINVAL }, { UINT_MAX, 0, -EINVAL },
};

static void layout_desc(const struct layout_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "order %u, %u MT pages%s",
		 c->iq_order, c->nr_mt_pages, c->err ? ", refused" : "");
}

KUNIT_ARRAY_PARAM(layout, layout_cases, layout_desc);

static void expect_block_entry(struct kunit *test, u64 entry, struct page *block,
			       unsigned int order)
{
	KUNIT_EXPECT_EQ(test, entry & ABI_HPA_MASK, page_to_phys(block));
	KUNIT_EXPECT_EQ(test, entry & ABI_NUM_PAGES_MASK, 1ULL << order);
	KUNIT_EXPECT_EQ(test, entry & ~(ABI_HPA_MASK | ABI_NUM_PAGES_MASK), 0);
}

static void root_describes_queues_then_pages(struct kunit *test)
{
	const struct layout_case *c = test->param_value;
	struct tdx_iommu_mt *mt;
	unsigned int i;
	u64 *root;

	mt = tdx_iommu_mt_alloc(c->iq_order, c->nr_mt_pages);
	if (c->err) {
		KUNIT_EXPECT_EQ(test, PTR_ERR(mt), c->err);
		return;
	}
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(mt));
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, free_mt_action, mt));

	/* The operand is the root page HPA, low and high bits clear. */
	KUNIT_EXPECT_EQ(test, tdx_iommu_mt_hpa(mt) & ~ABI_HPA_MASK, 0);
	root = phys_to_virt(tdx_iommu_mt_hpa(mt));
	KUNIT_EXPECT_PTR_EQ(test, root, mt->root);

	expect_block_entry(test, root[0], mt->iq, c->iq_order);
	expect_block_entry(test, root[1], mt->ctxiq, c->iq_order);
	KUNIT_EXPECT_NE(test, page_to_pfn(mt->iq), page_to_pfn(mt->ctxiq));

	KUNIT_ASSERT_EQ(test, mt->nr_entries, 2 + c->nr_mt_pages);
	KUNIT_ASSERT_LE(test, mt->nr_entries, ABI_ROOT_ENTRIES);
	if (!c->nr_mt_pages)
		KUNIT_EXPECT_NULL(test, mt->pages);
	for (i = 0; i < c->nr_mt_pages; i++) {
		KUNIT_EXPECT_EQ(test, root[2 + i] & ABI_NUM_PAGES_MASK, 0);
		KUNIT_EXPECT_EQ(test, root[2 + i], page_to_phys(mt->pages->pages[i]));
	}
	/* Nothing after the last entry. */
	for (i = mt->nr_entries; i < ABI_ROOT_ENTRIES; i++)
		KUNIT_EXPECT_EQ(test, root[i], 0);
}

static void field_masks_match_abi_table(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, TDX_IOMMU_MT_NUM_PAGES, ABI_NUM_PAGES_MASK);
	KUNIT_EXPECT_EQ(test, TDX_IOMMU_MT_HPA, ABI_HPA_MASK);
	KUNIT_EXPECT_EQ(test, TDX_IOMMU_MT_MAX_PAGES, ABI_ROOT_ENTRIES - 2);
	/* The largest block still fits NUM_PAGES. */
	KUNIT_EXPECT_LE(test, 1ULL << MAX_PAGE_ORDER, ABI_NUM_PAGES_MASK);
}

/* Fail block allocation number N; hold a reference to see what was freed. */
struct mt_fault {
	unsigned int calls;
	unsigned int fail_at;
	unsigned int nr_held;
	struct page *held[4];
	unsigned int order[4];
};

static struct page *fake_alloc_block(unsigned int order)
{
	struct mt_fault *f = kunit_get_current_test()->priv;
	struct page *page;

	if (++f->calls == f->fail_at || f->nr_held >= ARRAY_SIZE(f->held))
		return NULL;
	page = alloc_pages(GFP_KERNEL | __GFP_ZERO, order);
	if (page) {
		get_page(page);
		f->order[f->nr_held] = order;
		f->held[f->nr_held++] = page;
	}
	return page;
}

static struct tdx_page_list *fail_alloc_meta(unsigned int nr_pages)
{
	return NULL;
}

static void release_held(void *ctx)
{
	struct mt_fault *f = ctx;

	while (f->nr_held) {
		f->nr_held--;
		/* Drop the test's reference; the code under test dropped its own. */
		put_page(f->held[f->nr_held]);
	}
}

static void alloc_failure_frees_what_was_allocated(struct kunit *test)
{
	struct mt_fault *f;
	unsigned int fail_at, i;

	f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f);
	test->priv = f;
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, release_held, f));
	kunit_activate_static_stub(test, tdx_iommu_mt_alloc_block, fake_alloc_block);

	/* Block calls: 1 T_IQ, 2 T_CTXIQ, 3 root; 0: the MT pages fail. */
	for (fail_at = 0; fail_at <= 3; fail_at++) {
		struct tdx_iommu_mt *mt;

		f->calls = 0;
		f->fail_at = fail_at;
		if (!fail_at)
			kunit_activate_static_stub(test, tdx_page_list_alloc_meta,
						   fail_alloc_meta);
		mt = tdx_iommu_mt_alloc(1, 64);
		if (!fail_at)
			kunit_deactivate_static_stub(test, tdx_page_list_alloc_meta);

		KUNIT_EXPECT_EQ(test, PTR_ERR(mt), -ENOMEM);
		KUNIT_EXPECT_EQ(test, f->nr_held, fail_at ? fail_at - 1 : 2);
		for (i = 0; i < f->nr_held; i++)
			KUNIT_EXPECT_EQ_MSG(test, page_ref_count(f->held[i]), 1,
					    "block %u kept after failure at %u", i, fail_at);
		release_held(f);
	}
}

static struct kunit_case tdx_iommu_mt_test_cases[] = {
	KUNIT_CASE(field_masks_match_abi_table),
	KUNIT_CASE_PARAM(root_describes_queues_then_pages, layout_gen_params),
	KUNIT_CASE(alloc_failure_frees_what_was_allocated),
	{}
};

static struct kunit_suite tdx_iommu_mt_test_suite = {
	.name = "tdx_iommu_mt",
	.test_cases = tdx_iommu_mt_test_cases,
};

kunit_test_suite(tdx_iommu_mt_test_suite);
