// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit benchmark: what handing memory to the TDX module costs, counted
 * rather than timed.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

#include <kunit/static_stub.h>
#include <kunit/test.h>
#include <linux/bitops.h>
#include <linux/cacheflush.h>
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/slab.h>

#include <asm/tdx_handoff.h>
#include <asm/tdx_iommu_mt.h>
#include <asm/tdx_page_list.h>

#include "tdx_page_list_kunit.h"
#include "tdx_handoff_kunit.h"
#include "tdx_iommu_mt_kunit.h"

/* The TDX module Extensions memory pool: about 50 MB. */
#define BENCH_POOL_PAGES	12800
#define BENCH_IQ_ORDER		1
#define BENCH_MT_PAGES		64

/* Block allocator calls recorded; the pool needs 13 when all succeed. */
#define BENCH_MAX_BLOCK_CALLS	64

struct bench_counts {
	unsigned int roots;
	unsigned int blocks;
	unsigned int block_order[BENCH_MAX_BLOCK_CALLS];
	bool block_failed[BENCH_MAX_BLOCK_CALLS];
	unsigned int nr_failed;
	unsigned int nr_flushes;
	unsigned long flushed_lines;
	unsigned int page_lists;
	unsigned int page_list_pages;
	unsigned int bulk_calls;
	unsigned int bulk_stalls;
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

	counts()->nr_flushes++;
	counts()->flushed_lines += (ALIGN((unsigned long)addr + size, line) - start) / line;
	clflush_cache_range((void *)addr, size);
}

static void record_block(unsigned int order, bool failed)
{
	struct bench_counts *c = counts();

	if (c->blocks < BENCH_MAX_BLOCK_CALLS) {
		c->block_order[c->blocks] = order;
		c->block_failed[c->blocks] = failed;
	}
	c->blocks++;
	c->nr_failed += failed;
}

/* The page list's block allocator, as it allocates: no retries above order 0 */
static struct page *count_page_list_block(unsigned int order)
{
	gfp_t gfp = GFP_KERNEL | __GFP_ZERO;
	struct page *block;

	if (order)
		gfp |= __GFP_NOWARN | __GFP_NORETRY;
	block = alloc_pages(gfp, order);
	record_block(order, !block);
	return block;
}

static struct page *count_alloc_block(unsigned int order)
{
	struct page *block = alloc_pages(GFP_KERNEL | __GFP_ZERO, order);

	record_block(order, !block);
	return block;
}

static struct tdx_page_list *count_alloc_meta(unsigned int nr_pages)
{
	struct tdx_page_list *list;

	counts()->page_lists++;
	counts()->page_list_pages += nr_pages;
	list = kvzalloc(struct_size(list, pages, nr_pages), GFP_KERNEL);
	if (list)
		list->nr_pages = nr_pages;
	return list;
}

static unsigned long count_alloc_bulk_pages(unsigned long nr_pages, struct page **pages)
{
	unsigned long before = 0, i, filled;

	for (i = 0; i < nr_pages; i++)
		before += !!pages[i];
	filled = alloc_pages_bulk(GFP_KERNEL | __GFP_ZERO, nr_pages, pages);
	counts()->bulk_calls++;
	counts()->bulk_stalls += filled <= before;
	return filled;
}

KUNIT_DEFINE_ACTION_WRAPPER(free_list_action, tdx_page_list_free,
			    struct tdx_page_list *);
KUNIT_DEFINE_ACTION_WRAPPER(handoff_fini_action, tdx_handoff_fini,
			    struct tdx_handoff *);
KUNIT_DEFINE_ACTION_WRAPPER(free_mt_action, tdx_iommu_mt_free,
			    struct tdx_iommu_mt *);

/*
 * The block orders tdx_page_list_alloc_contig() must ask for, given which
 * calls the allocator failed: the largest block that fits the rest, at
 * most MAX_PAGE_ORDER and below any order that failed.  Checks the
 * recorded calls against that and returns how many there must be.
 */
static unsigned int expect_contig_blocks(struct kunit *test, const struct bench_counts *c,
					 unsigned int nr_pages)
{
	unsigned int max_order = MAX_PAGE_ORDER, left = nr_pages, nr = 0, order;

	while (left && nr < c->blocks && nr < BENCH_MAX_BLOCK_CALLS) {
		order = min_t(unsigned int, max_order, ilog2(left));
		KUNIT_EXPECT_EQ_MSG(test, c->block_order[nr], order, "block call %u", nr);
		if (c->block_failed[nr])
			max_order = order - 1;
		else
			left -= 1U << order;
		nr++;
	}
	KUNIT_EXPECT_EQ(test, left, 0);
	return nr;
}

static void bench_extensions_pool_handoff(struct kunit *test)
{
	unsigned int line = boot_cpu_data.x86_clflush_size;
	unsigned int chunks = 0, want_chunks, entries;
	unsigned long want_lines = 0, done;
	struct bench_counts *c = test->priv;
	struct tdx_page_list *list;
	struct tdx_handoff *ho;
	u64 *root;

	kunit_activate_static_stub(test, tdx_page_list_alloc_block, count_page_list_block);
	kunit_activate_static_stub(test, tdx_handoff_alloc_root, count_alloc_root);
	kunit_activate_static_stub(test, tdx_handoff_flush, count_flush);

	list = tdx_page_list_alloc_contig(BENCH_POOL_PAGES);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(list));
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, free_list_action, list));

	ho = kunit_kzalloc(test, sizeof(*ho), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ho);
	KUNIT_ASSERT_EQ(test, tdx_handoff_init(ho, list), 0);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, handoff_fini_action, ho));
	root = ho->root;

	/* Full root pages, then the rest: every chunk through the same root */
	want_chunks = DIV_ROUND_UP(BENCH_POOL_PAGES, TDX_ROOT_PAGE_MAX_ENTRIES);
	for (done = 0; done < BENCH_POOL_PAGES; done += entries) {
		entries = min_t(unsigned long, BENCH_POOL_PAGES - done,
				TDX_ROOT_PAGE_MAX_ENTRIES);
		KUNIT_EXPECT_EQ(test, tdx_handoff_next_chunk(ho), entries);
		KUNIT_EXPECT_PTR_EQ(test, ho->root, root);
		chunks++;
		/* Each page, page aligned, and the root entries written */
		want_lines += entries * (PAGE_SIZE / line) +
			      DIV_ROUND_UP(entries * sizeof(u64), line);
	}
	KUNIT_EXPECT_EQ(test, tdx_handoff_next_chunk(ho), 0);

	kunit_info(test,
		   "%u pages: %u root page(s), %u hand-off chunks, %u allocator calls (%u failed), %lu cache lines flushed\n",
		   BENCH_POOL_PAGES, c->roots, chunks, list->nr_allocs, c->nr_failed,
		   c->flushed_lines);

	KUNIT_EXPECT_EQ(test, c->roots, 1);
	KUNIT_EXPECT_EQ(test, chunks, want_chunks);
	KUNIT_EXPECT_EQ(test, ho->nr_chunks, want_chunks);
	/* One flush per page and one of the root entries per chunk */
	KUNIT_EXPECT_EQ(test, c->nr_flushes, BENCH_POOL_PAGES + want_chunks);
	KUNIT_EXPECT_EQ(test, c->flushed_lines, want_lines);

	/*
	 * 12 blocks of MAX_PAGE_ORDER and one of order 9 when the allocator
	 * has them; each failed block costs one more call and smaller blocks.
	 */
	KUNIT_EXPECT_EQ(test, list->nr_allocs, c->blocks);
	KUNIT_EXPECT_EQ(test, c->blocks, expect_contig_blocks(test, c, BENCH_POOL_PAGES));
	if (!c->nr_failed)
		KUNIT_EXPECT_EQ(test, c->blocks,
				BENCH_POOL_PAGES / MAX_ORDER_NR_PAGES +
				hweight32(BENCH_POOL_PAGES % MAX_ORDER_NR_PAGES));
}

static void bench_iommu_mt(struct kunit *test)
{
	struct bench_counts *c = test->priv;
	struct tdx_iommu_mt *mt;

	kunit_activate_static_stub(test, tdx_iommu_mt_alloc_block, count_alloc_block);
	kunit_activate_static_stub(test, tdx_page_list_alloc_meta, count_alloc_meta);
	kunit_activate_static_stub(test, tdx_page_list_alloc_bulk_pages, count_alloc_bulk_pages);

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
		   "IOMMU_MT 2 x order %u + %u pages: %u allocations (%u blocks, %u page list), %u alloc_pages_bulk() calls\n",
		   BENCH_IQ_ORDER, BENCH_MT_PAGES, c->blocks + c->page_lists, c->blocks,
		   c->page_lists, mt->pages->nr_allocs);

	/* T_IQ, T_CTXIQ, then the root page */
	KUNIT_ASSERT_EQ(test, c->blocks, 3);
	KUNIT_EXPECT_EQ(test, c->block_order[0], BENCH_IQ_ORDER);
	KUNIT_EXPECT_EQ(test, c->block_order[1], BENCH_IQ_ORDER);
	KUNIT_EXPECT_EQ(test, c->block_order[2], 0);
	KUNIT_EXPECT_EQ(test, c->nr_failed, 0);
	/* One page list of exactly the MT pages, each bulk call making progress */
	KUNIT_EXPECT_EQ(test, c->page_lists, 1);
	KUNIT_EXPECT_EQ(test, c->page_list_pages, BENCH_MT_PAGES);
	KUNIT_EXPECT_EQ(test, mt->pages->nr_pages, BENCH_MT_PAGES);
	KUNIT_EXPECT_EQ(test, mt->pages->nr_allocs, c->bulk_calls);
	KUNIT_EXPECT_EQ(test, c->bulk_stalls, 0);
	KUNIT_EXPECT_GE(test, c->bulk_calls, 1);
	KUNIT_EXPECT_LE(test, c->bulk_calls, BENCH_MT_PAGES);
	/* Two queue entries and one per MT page in the root */
	KUNIT_EXPECT_EQ(test, mt->nr_entries, 2 + BENCH_MT_PAGES);
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
