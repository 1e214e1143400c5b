// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the TDX page list allocators.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

#include <kunit/static_stub.h>
#include <kunit/test.h>
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/sort.h>

#include <asm/tdx_page_list.h>

#include "tdx_page_list_kunit.h"

#define TEST_GFP		(GFP_KERNEL | __GFP_ZERO)
/* Make the fake alloc_pages_bulk() stop short, so that it is called again. */
#define TEST_BULK_CHUNK		100
#define TEST_MAX_HELD		1024

KUNIT_DEFINE_ACTION_WRAPPER(free_list_action, tdx_page_list_free,
			    struct tdx_page_list *);

static int cmp_ulong(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

/* Every page present, order-0, and no page listed twice. */
static void expect_valid_list(struct kunit *test, struct tdx_page_list *list,
			      unsigned int nr_pages, unsigned int *runs)
{
	unsigned long *pfns;
	unsigned int i;

	KUNIT_ASSERT_EQ(test, list->nr_pages, nr_pages);
	KUNIT_EXPECT_GE(test, list->nr_allocs, 1U);

	pfns = kunit_kcalloc(test, nr_pages, sizeof(*pfns), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pfns);

	*runs = 1;
	for (i = 0; i < nr_pages; i++) {
		KUNIT_ASSERT_NOT_NULL(test, list->pages[i]);
		KUNIT_EXPECT_EQ(test, page_ref_count(list->pages[i]), 1);
		pfns[i] = page_to_pfn(list->pages[i]);
		if (i && pfns[i] != pfns[i - 1] + 1)
			(*runs)++;
	}

	sort(pfns, nr_pages, sizeof(*pfns), cmp_ulong, NULL);
	for (i = 1; i < nr_pages; i++)
		KUNIT_ASSERT_NE_MSG(test, pfns[i], pfns[i - 1], "page listed twice");
}

static const unsigned int alloc_sizes[] = { 1, 511, 512, 513, 12800 };

static void alloc_size_desc(const unsigned int *nr, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%u pages", *nr);
}

KUNIT_ARRAY_PARAM(alloc_sizes, alloc_sizes, alloc_size_desc);

static void bulk_alloc_gives_distinct_order0_pages(struct kunit *test)
{
	unsigned int nr_pages = *(const unsigned int *)test->param_value;
	struct tdx_page_list *list;
	unsigned int runs;

	list = tdx_page_list_alloc_bulk(nr_pages);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(list));
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, free_list_action, list));

	expect_valid_list(test, list, nr_pages, &runs);
}

static void contig_alloc_uses_few_blocks(struct kunit *test)
{
	unsigned int nr_pages = *(const unsigned int *)test->param_value;
	struct tdx_page_list *list;
	unsigned int runs;

	list = tdx_page_list_alloc_contig(nr_pages);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(list));
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, free_list_action, list));

	expect_valid_list(test, list, nr_pages, &runs);
	/* Each successful allocator call gives one physically contiguous run. */
	KUNIT_EXPECT_LE(test, runs, list->nr_allocs);
	/*
	 * Blocks of MAX_PAGE_ORDER, then one per set bit of the remainder:
	 * 12,800 pages come in 13 runs, not 12,800.
	 */
	KUNIT_EXPECT_LE(test, runs, nr_pages / MAX_ORDER_NR_PAGES + MAX_PAGE_ORDER);
	kunit_info(test, "%u pages: %u allocator calls, %u contiguous runs\n",
		   nr_pages, list->nr_allocs, runs);
}

/*
 * Fake allocators: count calls, fail from the Nth call on, keep a reference;
 * and the pages a free is watched resetting.
 */
struct fault_state {
	struct reset_state *resets;
	unsigned int calls;
	unsigned int fail_from;
	unsigned int nr_held;
	struct page *held[TEST_MAX_HELD];
};

static struct fault_state *fault_state(void)
{
	return kunit_get_current_test()->priv;
}

static bool fault_now(void)
{
	struct fault_state *s = fault_state();

	return ++s->calls >= s->fail_from;
}

/*
 * The extra reference lets the test see, after the code under test freed a
 * page, that it did: the count drops to one instead of the page vanishing.
 */
static void fault_hold(struct page *page)
{
	struct fault_state *s = fault_state();

	if (WARN_ON(s->nr_held >= TEST_MAX_HELD))
		return;
	get_page(page);
	s->held[s->nr_held++] = page;
}

static struct tdx_page_list *fake_alloc_meta(unsigned int nr_pages)
{
	struct tdx_page_list *list;

	if (fault_now())
		return NULL;
	list = kvzalloc(struct_size(list, pages, nr_pages), GFP_KERNEL);
	if (list)
		list->nr_pages = nr_pages;
	return list;
}

static unsigned long fake_alloc_bulk_pages(unsigned long nr_pages, struct page **pages)
{
	unsigned long i, filled = 0, added = 0;

	if (fault_now()) {
		for (i = 0; i < nr_pages; i++)
			filled += !!pages[i];
		return filled;
	}

	for (i = 0; i < nr_pages; i++) {
		if (!pages[i] && added < TEST_BULK_CHUNK) {
			pages[i] = alloc_page(TEST_GFP);
			if (!pages[i])
				break;
			fault_hold(pages[i]);
			added++;
		}
		filled += !!pages[i];
	}
	return filled;
}

static struct page *fake_alloc_block(unsigned int order)
{
	struct page *page;

	if (fault_now())
		return NULL;
	page = alloc_pages(TEST_GFP, order);
	if (page)
		fault_hold(page);
	return page;
}

static void fault_release_held(void *ctx)
{
	struct fault_state *s = ctx;

	while (s->nr_held)
		put_page(s->held[--s->nr_held]);
}

static void activate_fakes(struct kunit *test, unsigned int fail_from)
{
	struct fault_state *s = test->priv;

	s->calls = 0;
	s->fail_from = fail_from;
	kunit_activate_static_stub(test, tdx_page_list_alloc_meta, fake_alloc_meta);
	kunit_activate_static_stub(test, tdx_page_list_alloc_bulk_pages,
				   fake_alloc_bulk_pages);
	kunit_activate_static_stub(test, tdx_page_list_alloc_block, fake_alloc_block);
}

struct alloc_fn_case {
	const char *name;
	struct tdx_page_list *(*alloc)(unsigned int nr_pages);
	unsigned int nr_pages;
};

static const struct alloc_fn_case alloc_fn_cases[] = {
	{ "bulk, 1 page", tdx_page_list_alloc_bulk, 1 },
	{ "bulk, 513 pages", tdx_page_list_alloc_bulk, 513 },
	{ "contig, 1 page", tdx_page_list_alloc_contig, 1 },
	{ "contig, 1300 pages", tdx_page_list_alloc_contig, 1300 },
};

static void alloc_fn_desc(const struct alloc_fn_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(alloc_fns, alloc_fn_cases, alloc_fn_desc);

/* Sizes for a check that looks up each reset page in the list */
static const unsigned int free_sizes[] = { 1, 513 };

KUNIT_ARRAY_PARAM(free_sizes, free_sizes, alloc_size_desc);

/*
 * Fail every allocation from the Nth one on, for each N until the
 * allocation succeeds: each failure must hand back every page it took.
 */
static void alloc_failure_at_every_point_frees_everything(struct kunit *test)
{
	const struct alloc_fn_case *c = test->param_value;
	struct fault_state *s = test->priv;
	unsigned int fail_from, i;

	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, fault_release_held, s));

	for (fail_from = 1; fail_from < 64; fail_from++) {
		struct tdx_page_list *list;

		activate_fakes(test, fail_from);
		list = c->alloc(c->nr_pages);
		kunit_deactivate_static_stub(test, tdx_page_list_alloc_meta);
		kunit_deactivate_static_stub(test, tdx_page_list_alloc_bulk_pages);
		kunit_deactivate_static_stub(test, tdx_page_list_alloc_block);

		if (!IS_ERR(list)) {
			/* No failure point left: the full list came through. */
			KUNIT_EXPECT_EQ(test, list->nr_pages, c->nr_pages);
			tdx_page_list_free(list);
		} else {
			KUNIT_EXPECT_EQ(test, PTR_ERR(list), -ENOMEM);
		}

		for (i = 0; i < s->nr_held; i++)
			KUNIT_EXPECT_EQ_MSG(test, page_ref_count(s->held[i]), 1,
					    "page %u not freed, failure at call %u",
					    i, fail_from);
		fault_release_held(s);

		if (!IS_ERR(list))
			break;
	}
	KUNIT_EXPECT_LT(test, fail_from, 64U);
	kunit_info(test, "%u allocation points\n", fail_from - 1);
}

static void bad_sizes_allocate_nothing(struct kunit *test)
{
	struct fault_state *s = test->priv;

	activate_fakes(test, 1);

	KUNIT_EXPECT_EQ(test, PTR_ERR(tdx_page_list_alloc_bulk(0)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(tdx_page_list_alloc_contig(0)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(tdx_page_list_alloc_bulk(TDX_PAGE_LIST_MAX_PAGES + 1)),
			-E2BIG);
	KUNIT_EXPECT_EQ(test, PTR_ERR(tdx_page_list_alloc_contig(TDX_PAGE_LIST_MAX_PAGES + 1)),
			-E2BIG);
	KUNIT_EXPECT_EQ(test, s->calls, 0U);
}

/* Pages reset by tdx_page_list_free(), and their references at the time */
struct reset_state {
	unsigned int nr_resets;
	unsigned int nr_pages;
	struct page **pages;
	unsigned int *resets;
	unsigned int *refs_at_reset;
};

static void count_reset(struct page *page)
{
	struct reset_state *r = fault_state()->resets;
	unsigned int i;

	r->nr_resets++;
	for (i = 0; i < r->nr_pages; i++) {
		if (r->pages[i] == page) {
			r->resets[i]++;
			r->refs_at_reset[i] = page_ref_count(page);
		}
	}
}

static void put_pages_action(void *data)
{
	struct reset_state *r = data;
	unsigned int i;

	for (i = 0; i < r->nr_pages; i++)
		put_page(r->pages[i]);
}

static struct reset_state *watch_resets(struct kunit *test, unsigned int nr_pages)
{
	struct reset_state *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, r);
	r->nr_pages = nr_pages;
	r->pages = kunit_kcalloc(test, nr_pages, sizeof(*r->pages), GFP_KERNEL);
	r->resets = kunit_kcalloc(test, nr_pages, sizeof(*r->resets), GFP_KERNEL);
	r->refs_at_reset = kunit_kcalloc(test, nr_pages, sizeof(*r->refs_at_reset),
					 GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r->pages);
	KUNIT_ASSERT_NOT_NULL(test, r->resets);
	KUNIT_ASSERT_NOT_NULL(test, r->refs_at_reset);
	fault_state()->resets = r;
	kunit_activate_static_stub(test, tdx_page_list_reset_page, count_reset);
	return r;
}

/* NULL, as from a caller that never allocated its list: nothing happens. */
static void free_of_null_resets_and_frees_nothing(struct kunit *test)
{
	struct reset_state *r = watch_resets(test, 0);

	tdx_page_list_free(NULL);
	KUNIT_EXPECT_EQ(test, r->nr_resets, 0);
}

/*
 * Every page is made safe exactly once, while the list still holds it,
 * and then freed.  An extra reference per page shows both: two at the
 * reset, one after the free.
 */
static void free_resets_each_page_once_before_freeing_it(struct kunit *test)
{
	unsigned int nr_pages = *(const unsigned int *)test->param_value;
	struct tdx_page_list *list;
	struct reset_state *r;
	unsigned int i;

	list = tdx_page_list_alloc_bulk(nr_pages);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(list));
	r = watch_resets(test, nr_pages);
	for (i = 0; i < nr_pages; i++) {
		r->pages[i] = list->pages[i];
		get_page(r->pages[i]);
	}
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, put_pages_action, r));

	tdx_page_list_free(list);

	KUNIT_EXPECT_EQ(test, r->nr_resets, nr_pages);
	for (i = 0; i < nr_pages; i++) {
		KUNIT_EXPECT_EQ_MSG(test, r->resets[i], 1, "page %u", i);
		KUNIT_EXPECT_EQ_MSG(test, r->refs_at_reset[i], 2, "page %u", i);
		KUNIT_EXPECT_EQ_MSG(test, page_ref_count(r->pages[i]), 1, "page %u", i);
	}
}

static int tdx_page_list_test_init(struct kunit *test)
{
	test->priv = kunit_kzalloc(test, sizeof(struct fault_state), GFP_KERNEL);
	return test->priv ? 0 : -ENOMEM;
}

static struct kunit_case tdx_page_list_test_cases[] = {
	KUNIT_CASE_PARAM(bulk_alloc_gives_distinct_order0_pages, alloc_sizes_gen_params),
	KUNIT_CASE_PARAM(contig_alloc_uses_few_blocks, alloc_sizes_gen_params),
	KUNIT_CASE_PARAM(alloc_failure_at_every_point_frees_everything,
			 alloc_fns_gen_params),
	KUNIT_CASE(bad_sizes_allocate_nothing),
	KUNIT_CASE(free_of_null_resets_and_frees_nothing),
	KUNIT_CASE_PARAM(free_resets_each_page_once_before_freeing_it, free_sizes_gen_params),
	{}
};

static struct kunit_suite tdx_page_list_test_suite = {
	.name = "tdx_page_list",
	.init = tdx_page_list_test_init,
	.test_cases = tdx_page_list_test_cases,
};

kunit_test_suite(tdx_page_list_test_suite);
