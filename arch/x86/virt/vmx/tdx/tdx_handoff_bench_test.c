// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit benchmark: what handing memory to the TDX module costs, counted
 * rather than timed.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

#include <kunit/static_stub.h>
#include <kunit/test.h>
#include <linux/cacheflush.h>
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include <asm/tdx_handoff.h>
#include <asm/tdx_iommu_mt.h>
#include <asm/tdx_page_list.h>

/* The TDX module Extensions memory pool: about 50 MB. */
#define BENCH_POOL_PAGES	12800
#define BENCH_IQ_ORDER		1
#define BENCH_MT_PAGES		64

struct bench_counts {
	unsigned int roots;
	unsigned int blocks;
	unsigned long flushed_lines;
};

static struct bench_counts *counts(void)
{
	return kunit_get_current_test()->priv;
}

static u64 *count_alloc_root(void)
{
	counts()->roots++;
	return (u64 *)get_zeroed_page(GFP_KERNEL);
}

static void count_flush(const void *addr, unsigned int size)
{
	unsigned int line = boot_cpu_data.x86_clflush_size;
	unsigned long start = ALIGN_DOWN((unsigned long)addr, line);

	counts()->flushed_lines += (ALIGN((unsigned long)addr + size, line) - start) / line;
	clflush_cache_range((void *)addr, size);
}

static struct page *count_alloc_block(unsigned int order)
{
	counts()->blocks++;
	return alloc_pages(GFP_KERNEL | __GFP_ZERO, order);
}

KUNIT_DEFINE_ACTION_WRAPPER(free_list_action, tdx_page_list_free,
			    struct tdx_page_list *);
KUNIT_DEFINE_ACTION_WRAPPER(handoff_fini_action, tdx_handoff_fini,
			    struct tdx_handoff *);
KUNIT_DEFINE_ACTION_WRAPPER(free_mt_action, tdx_iommu_mt_free,
			    struct tdx_iommu_mt *);

static void bench_extensions_pool_handoff(struct kunit *test)
{
	struct bench_counts *c = test->priv;
	struct tdx_page_list *list;
	unsigned int chunks = 0;
	struct tdx_handoff *ho;

	kunit_activate_static_stub(test, tdx_handoff_alloc_root, count_alloc_root);
	kunit_activate_static_stub(test, tdx_handoff_flush, count_flush);

	list = tdx_page_list_alloc_contig(BENCH_POOL_PAGES);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(list));
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, free_list_action, list));

	ho = kunit_kzalloc(test, sizeof(*ho), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ho);
	KUNIT_ASSERT_EQ(test, tdx_handoff_init(ho, list), 0);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, handoff_fini_action, ho));

	while (tdx_handoff_next_chunk(ho))
		chunks++;

	kunit_info(test,
		   "%u pages: %u root page(s), %u hand-off chunks, %u allocator calls, %lu cache lines flushed\n",
		   BENCH_POOL_PAGES, c->roots, chunks, list->nr_allocs, c->flushed_lines);

	KUNIT_EXPECT_EQ(test, c->roots, 1);
	KUNIT_EXPECT_EQ(test, chunks, DIV_ROUND_UP(BENCH_POOL_PAGES, TDX_ROOT_PAGE_MAX_ENTRIES));
	/* Every page once, and every root entry once per chunk. */
	KUNIT_EXPECT_GE(test, c->flushed_lines,
			(unsigned long)BENCH_POOL_PAGES *
			(PAGE_SIZE + sizeof(u64)) / boot_cpu_data.x86_clflush_size);
}

static void bench_iommu_mt(struct kunit *test)
{
	struct bench_counts *c = test->priv;
	struct tdx_iommu_mt *mt;

	kunit_activate_static_stub(test, tdx_iommu_mt_alloc_block, count_alloc_block);

	mt = tdx_iommu_mt_alloc(BENCH_IQ_ORDER, BENCH_MT_PAGES);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(mt));
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, free_mt_action, mt));

	/*
	 * The root page comes from the same block allocator, at order 0.
	 * The MT pages are one tdx_page_list_alloc_bulk() request; how many
	 * alloc_pages_bulk() calls serve it depends on the kernel: on a
	 * uniprocessor build the per-CPU lists cannot be trylocked and every
	 * call falls back to a single page.
	 */
	kunit_info(test,
		   "IOMMU_MT 2 x order %u + %u pages: %u allocations (2 queue blocks, 1 page list, 1 root page), %u alloc_pages_bulk() calls\n",
		   BENCH_IQ_ORDER, BENCH_MT_PAGES, c->blocks + 1, mt->pages->nr_allocs);

	KUNIT_EXPECT_EQ(test, c->blocks, 3);
	KUNIT_EXPECT_LE(test, mt->pages->nr_allocs, BENCH_MT_PAGES);
}

static int tdx_handoff_bench_init(struct kunit *test)
{
	test->priv = kunit_kzalloc(test, sizeof(struct bench_counts), GFP_KERNEL);
	return test->priv ? 0 : -ENOMEM;
}

static struct kunit_case tdx_handoff_bench_test_cases[] = {
	KUNIT_CASE_SLOW(bench_extensions_pool_handoff),
	KUNIT_CASE(bench_iommu_mt),
	{}
};

static struct kunit_suite tdx_handoff_bench_test_suite = {
	.name = "tdx_handoff_bench",
	.init = tdx_handoff_bench_init,
	.test_cases = tdx_handoff_bench_test_cases,
};

kunit_test_suite(tdx_handoff_bench_test_suite);

MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");
MODULE_DESCRIPTION("KUnit benchmark for handing memory to the TDX module");
MODULE_LICENSE("GPL");
