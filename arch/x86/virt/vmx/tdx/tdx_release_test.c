// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for taking pages back from the TDX module, against the fake
 * TDX module.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

#include <kunit/static_stub.h>
#include <kunit/test.h>
#include <linux/bitfield.h>
#include <linux/err.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include <asm/shared/tdx_errno.h>
#include <asm/tdx.h>
#include "tests/tdx_fake_module.h"
#include <asm/tdx_handoff.h>
#include <asm/tdx_iommu_mt.h>
#include <asm/tdx_page_list.h>
#include <asm/tdx_release.h>

#include "tdx.h"

#define TEST_NR_PAGES		4
#define TEST_MT_PAGES		3
#define TEST_IQ_ORDER		1
#define TEST_OP			"TDH.TEST.DELETE"
/* Any error status will do; this one is TDX_OPERAND_INVALID. */
#define TEST_FAILED		0xC000010000000000ULL

/*
 * The pages go to the fake TDX module as a leaf would hand them over, and
 * come back as the module gives them back.  The fake is the oracle: it
 * fails the test if a page it owns, or one released but not written back,
 * reaches the page allocator, and it frees what the code under test
 * leaked when the test ends.
 */
struct release_test {
	struct tdx_fake_module *fake;
	unsigned int resets;
	unsigned int early_resets;
};

static struct release_test *rt(void)
{
	return kunit_get_current_test()->priv;
}

/* A page is made safe only once the module let it go and it was written back. */
static void count_reset(struct page *page)
{
	struct tdx_fake_module *fake = rt()->fake;

	rt()->resets++;
	if (tdx_fake_owns(fake, page_to_phys(page)) ||
	    tdx_fake_released(fake, page_to_phys(page)))
		rt()->early_resets++;
}

static int tdx_release_test_init(struct kunit *test)
{
	struct release_test *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	if (!t)
		return -ENOMEM;
	test->priv = t;
	t->fake = tdx_fake_module_install(test);
	kunit_activate_static_stub(test, tdx_page_list_reset_page, count_reset);
	return 0;
}

KUNIT_DEFINE_ACTION_WRAPPER(handoff_fini_action, tdx_handoff_fini,
			    struct tdx_handoff *);
KUNIT_DEFINE_ACTION_WRAPPER(free_page_action, __free_page, struct page *);

static u64 foreign_hpa(struct kunit *test)
{
	struct page *page = alloc_page(GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, free_page_action, page));
	return page_to_phys(page);
}

/* The module takes @nr pages from @page on, flushed as the wrappers do. */
static void module_takes(struct kunit *test, struct page *page, unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++) {
		tdx_handoff_flush(page_address(page + i), PAGE_SIZE);
		KUNIT_ASSERT_EQ(test, tdx_fake_take(rt()->fake, page_to_phys(page + i), 0),
				TDX_SUCCESS);
	}
}

static void module_gives_back(struct page *page, unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		tdx_fake_give_back(rt()->fake, page_to_phys(page + i));
}

/* A page list that the module took and gave back. */
static struct tdx_page_list *released_list(struct kunit *test, unsigned int nr_pages)
{
	struct tdx_page_list *list = tdx_page_list_alloc_bulk(nr_pages);
	unsigned int i;

	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(list));
	for (i = 0; i < nr_pages; i++) {
		module_takes(test, list->pages[i], 1);
		module_gives_back(list->pages[i], 1);
	}
	return list;
}

/*
 * Every page was written back with the global KeyID, then made safe, then
 * freed: the fake let go of all of them, and saw no free of one it held.
 */
static void expect_freed(struct kunit *test, int ret, int warns, unsigned int nr_pages)
{
	struct tdx_fake_module *fake = rt()->fake;

	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, warns, 0);
	KUNIT_EXPECT_EQ(test, tdx_fake_calls(fake, TDH_PHYMEM_PAGE_WBINVD), nr_pages);
	KUNIT_EXPECT_EQ(test, fake->nr_needless_wbinvd, 0);
	KUNIT_EXPECT_EQ(test, rt()->resets, nr_pages);
	KUNIT_EXPECT_EQ(test, rt()->early_resets, 0);
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(fake), 0);
}

/*
 * Nothing was freed, with one real WARN: the fake still holds every page,
 * and would have failed the test had one been freed.  It frees them when
 * the test ends.
 */
static void expect_leaked(struct kunit *test, int ret, int warns, unsigned int nr_pages)
{
	struct tdx_fake_module *fake = rt()->fake;

	KUNIT_EXPECT_EQ(test, ret, -EIO);
	KUNIT_EXPECT_EQ(test, warns, 1);
	KUNIT_EXPECT_EQ(test, tdx_fake_calls(fake, TDH_PHYMEM_PAGE_WBINVD), 0);
	KUNIT_EXPECT_EQ(test, rt()->resets, 0);
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(fake), nr_pages);
}

enum mismatch {
	EXACT_MATCH,
	FAILED_RELEASE,
	COUNT_SHORT,
	COUNT_LONG,
	WRONG_HPA,
	DUPLICATE_ENTRY,
	NEVER_HANDED_OVER,
	STRAY_LOW_BITS,
	NO_OUTPUT,
};

static const char * const mismatch_names[] = {
	[EXACT_MATCH] = "exact match",
	[FAILED_RELEASE] = "failed release",
	[COUNT_SHORT] = "one entry missing",
	[COUNT_LONG] = "one entry too many",
	[WRONG_HPA] = "wrong HPA",
	[DUPLICATE_ENTRY] = "duplicate entry",
	[NEVER_HANDED_OVER] = "entry never handed over",
	[STRAY_LOW_BITS] = "entry with low bits set",
	[NO_OUTPUT] = "no output list",
};

static const enum mismatch mismatches[] = {
	EXACT_MATCH, FAILED_RELEASE, COUNT_SHORT, COUNT_LONG, WRONG_HPA,
	DUPLICATE_ENTRY, NEVER_HANDED_OVER, STRAY_LOW_BITS, NO_OUTPUT,
};

static void mismatch_desc(const enum mismatch *m, char *desc)
{
	strscpy(desc, mismatch_names[*m], KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(mismatch, mismatches, mismatch_desc);

static void page_list_frees_only_on_exact_match(struct kunit *test)
{
	enum mismatch m = *(const enum mismatch *)test->param_value;
	unsigned int nr = TEST_NR_PAGES, i;
	struct tdx_page_list *list;
	u64 status = TDX_SUCCESS;
	u64 released[TEST_NR_PAGES + 1];
	const u64 *out = released;
	int ret, warns;

	list = released_list(test, TEST_NR_PAGES);
	for (i = 0; i < TEST_NR_PAGES; i++)
		released[i] = page_to_phys(list->pages[i]);
	released[TEST_NR_PAGES] = foreign_hpa(test);

	switch (m) {
	case EXACT_MATCH:
		break;
	case FAILED_RELEASE:
		status = TEST_FAILED;
		break;
	case COUNT_SHORT:
		nr--;
		break;
	case COUNT_LONG:
		nr++;
		break;
	case WRONG_HPA:
		released[2] += PAGE_SIZE;
		break;
	case DUPLICATE_ENTRY:
		released[3] = released[1];
		break;
	case NEVER_HANDED_OVER:
		released[0] = released[TEST_NR_PAGES];
		break;
	case STRAY_LOW_BITS:
		released[1] |= 0x8;
		break;
	case NO_OUTPUT:
		out = NULL;
		break;
	}

	kunit_warning_suppress(test) {
		ret = tdx_page_list_release(list, TEST_OP, status, out, nr);
		warns = KUNIT_SUPPRESSED_WARNING_COUNT();
	}
	if (m == EXACT_MATCH)
		expect_freed(test, ret, warns, TEST_NR_PAGES);
	else
		expect_leaked(test, ret, warns, TEST_NR_PAGES);
}

/*
 * A module that releases fewer pages than it reports: the pages it kept
 * must not be freed, nor the ones it released, since the kernel cannot
 * tell them apart.
 */
static void page_list_leaks_when_the_module_kept_a_page(struct kunit *test)
{
	struct tdx_page_list *list = tdx_page_list_alloc_bulk(TEST_NR_PAGES);
	u64 released[TEST_NR_PAGES];
	unsigned int i;
	int ret, warns;

	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(list));
	for (i = 0; i < TEST_NR_PAGES; i++) {
		module_takes(test, list->pages[i], 1);
		released[i] = page_to_phys(list->pages[i]);
	}
	/* It gives back all but the last page and reports the first three. */
	module_gives_back(list->pages[0], 1);
	module_gives_back(list->pages[1], 1);
	module_gives_back(list->pages[2], 1);

	kunit_warning_suppress(test) {
		ret = tdx_page_list_release(list, TEST_OP, TDX_SUCCESS, released,
					    TEST_NR_PAGES - 1);
		warns = KUNIT_SUPPRESSED_WARNING_COUNT();
	}
	expect_leaked(test, ret, warns, TEST_NR_PAGES);
	KUNIT_EXPECT_TRUE(test, tdx_fake_owns(rt()->fake, released[3]));
}

/* A page whose write-back fails is leaked; the others are freed. */
static void page_list_leaks_a_page_whose_write_back_fails(struct kunit *test)
{
	struct tdx_fake_module *fake = rt()->fake;
	struct tdx_page_list *list = released_list(test, TEST_NR_PAGES);
	u64 released[TEST_NR_PAGES], kept;
	unsigned int i;
	int ret, warns;

	for (i = 0; i < TEST_NR_PAGES; i++)
		released[i] = page_to_phys(list->pages[i]);
	kept = released[2];

	/* The third write-back fails. */
	fake->fail_nth = fake->nr_calls + 3;
	fake->fail_status = TEST_FAILED;
	kunit_warning_suppress(test) {
		ret = tdx_page_list_release(list, TEST_OP, TDX_SUCCESS, released,
					    TEST_NR_PAGES);
		warns = KUNIT_SUPPRESSED_WARNING_COUNT();
	}
	KUNIT_EXPECT_EQ(test, ret, -EIO);
	KUNIT_EXPECT_EQ(test, warns, 1);
	KUNIT_EXPECT_EQ(test, tdx_fake_calls(fake, TDH_PHYMEM_PAGE_WBINVD), TEST_NR_PAGES);
	KUNIT_EXPECT_EQ(test, rt()->resets, TEST_NR_PAGES - 1);
	KUNIT_EXPECT_EQ(test, rt()->early_resets, 0);
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(fake), 1);
	KUNIT_EXPECT_TRUE(test, tdx_fake_released(fake, kept));
}

struct hpa_array_case {
	const char *name;
	unsigned int nr_pages;
	u64 status;
	u64 xor;		/* corruption of the module's output */
	bool other_root;
	bool match;
};

static const struct hpa_array_case hpa_array_cases[] = {
	{ "one page, exact", 1, TDX_SUCCESS, 0, false, true },
	{ "four pages, exact", 4, TDX_SUCCESS, 0, false, true },
	{ "one page, wrong page", 1, TDX_SUCCESS, BIT_ULL(20), false, false },
	{ "four pages, SIZE too small", 4, TDX_SUCCESS, BIT_ULL(56), false, false },
	{ "four pages, reserved bit", 4, TDX_SUCCESS, BIT_ULL(3), false, false },
	{ "four pages, other root page", 4, TDX_SUCCESS, 0, true, false },
	{ "four pages, failed release", 4, TEST_FAILED, 0, false, false },
};

static void hpa_array_desc(const struct hpa_array_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(hpa_array, hpa_array_cases, hpa_array_desc);

static void hpa_array_output_frees_only_on_exact_match(struct kunit *test)
{
	const struct hpa_array_case *c = test->param_value;
	struct tdx_page_list *list;
	struct tdx_handoff *ho;
	u64 released;
	int ret, warns;

	list = released_list(test, c->nr_pages);
	ho = kunit_kzalloc(test, sizeof(*ho), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ho);
	KUNIT_ASSERT_EQ(test, tdx_handoff_init(ho, list), 0);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, handoff_fini_action, ho));
	KUNIT_ASSERT_EQ(test, tdx_handoff_next_chunk(ho), c->nr_pages);

	/* The module hands the same list back in the root page it was given. */
	KUNIT_ASSERT_EQ(test, tdx_handoff_hpa_array(ho, &released), 0);
	released ^= c->xor;
	if (c->other_root) {
		released &= ~TDX_HPA_ARRAY_PFN;
		released |= FIELD_PREP(TDX_HPA_ARRAY_PFN, foreign_hpa(test) >> PAGE_SHIFT);
	}

	kunit_warning_suppress(test) {
		ret = tdx_page_list_release_hpa_array(list, ho, TEST_OP, c->status, released);
		warns = KUNIT_SUPPRESSED_WARNING_COUNT();
	}
	if (c->match)
		expect_freed(test, ret, warns, c->nr_pages);
	else
		expect_leaked(test, ret, warns, c->nr_pages);
}

/* An IOMMU_MT that TDH.IOMMU.SETUP took: both queue blocks and the MT pages. */
static struct tdx_iommu_mt *taken_iommu_mt(struct kunit *test)
{
	struct tdx_iommu_mt *mt = tdx_iommu_mt_alloc(TEST_IQ_ORDER, TEST_MT_PAGES);
	unsigned int i;

	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(mt));
	module_takes(test, mt->iq, 1U << TEST_IQ_ORDER);
	module_takes(test, mt->ctxiq, 1U << TEST_IQ_ORDER);
	for (i = 0; i < TEST_MT_PAGES; i++)
		module_takes(test, mt->pages->pages[i], 1);
	return mt;
}

static void iommu_mt_gives_back(struct tdx_iommu_mt *mt)
{
	unsigned int i;

	module_gives_back(mt->iq, 1U << TEST_IQ_ORDER);
	module_gives_back(mt->ctxiq, 1U << TEST_IQ_ORDER);
	for (i = 0; i < TEST_MT_PAGES; i++)
		module_gives_back(mt->pages->pages[i], 1);
}

#define TEST_MT_ALL_PAGES	((2U << TEST_IQ_ORDER) + TEST_MT_PAGES)

/*
 * TDH.IOMMU.CLEAR reports nothing: on success every page is written back
 * and freed, whatever the root page holds, which the module never writes.
 */
static void iommu_mt_is_freed_after_a_successful_clear(struct kunit *test)
{
	struct tdx_iommu_mt *mt = taken_iommu_mt(test);
	int ret, warns;

	iommu_mt_gives_back(mt);
	memset(mt->root, 0xa5, PAGE_SIZE);
	kunit_warning_suppress(test) {
		ret = tdx_iommu_mt_release(mt, TEST_OP, TDX_SUCCESS);
		warns = KUNIT_SUPPRESSED_WARNING_COUNT();
	}
	expect_freed(test, ret, warns, TEST_MT_ALL_PAGES);
}

/* After a failed TDH.IOMMU.CLEAR the module may own any page: all leak. */
static void iommu_mt_leaks_after_a_failed_clear(struct kunit *test)
{
	struct tdx_iommu_mt *mt = taken_iommu_mt(test);
	int ret, warns;

	kunit_warning_suppress(test) {
		ret = tdx_iommu_mt_release(mt, TEST_OP, TEST_FAILED);
		warns = KUNIT_SUPPRESSED_WARNING_COUNT();
	}
	expect_leaked(test, ret, warns, TEST_MT_ALL_PAGES);
}

/* A queue page whose write-back fails is leaked, without the rest of its block. */
static void iommu_mt_leaks_a_queue_page_whose_write_back_fails(struct kunit *test)
{
	struct tdx_fake_module *fake = rt()->fake;
	struct tdx_iommu_mt *mt = taken_iommu_mt(test);
	u64 kept = page_to_phys(mt->ctxiq + 1);
	int ret, warns;

	iommu_mt_gives_back(mt);
	/* T_IQ's two pages, then T_CTXIQ's second page. */
	fake->fail_nth = fake->nr_calls + 4;
	fake->fail_status = TEST_FAILED;
	kunit_warning_suppress(test) {
		ret = tdx_iommu_mt_release(mt, TEST_OP, TDX_SUCCESS);
		warns = KUNIT_SUPPRESSED_WARNING_COUNT();
	}
	KUNIT_EXPECT_EQ(test, ret, -EIO);
	KUNIT_EXPECT_EQ(test, warns, 1);
	KUNIT_EXPECT_EQ(test, rt()->resets, TEST_MT_ALL_PAGES - 1);
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(fake), 1);
	KUNIT_EXPECT_TRUE(test, tdx_fake_released(fake, kept));
}

static void nothing_to_release_is_refused(struct kunit *test)
{
	struct tdx_handoff ho = {};
	u64 hpa = 0;

	kunit_warning_suppress(test) {
		KUNIT_EXPECT_EQ(test, tdx_page_list_release(NULL, TEST_OP, TDX_SUCCESS,
							    &hpa, 1), -EINVAL);
		KUNIT_EXPECT_EQ(test, tdx_page_list_release_hpa_array(NULL, &ho, TEST_OP,
								      TDX_SUCCESS, 0),
				-EINVAL);
		KUNIT_EXPECT_EQ(test, tdx_iommu_mt_release(NULL, TEST_OP, TDX_SUCCESS),
				-EINVAL);
		KUNIT_EXPECT_SUPPRESSED_WARNING_COUNT(test, 0);
	}
}

static struct kunit_case tdx_release_test_cases[] = {
	KUNIT_CASE_PARAM(page_list_frees_only_on_exact_match, mismatch_gen_params),
	KUNIT_CASE_PARAM(hpa_array_output_frees_only_on_exact_match,
			 hpa_array_gen_params),
	KUNIT_CASE(page_list_leaks_when_the_module_kept_a_page),
	KUNIT_CASE(page_list_leaks_a_page_whose_write_back_fails),
	KUNIT_CASE(iommu_mt_is_freed_after_a_successful_clear),
	KUNIT_CASE(iommu_mt_leaks_after_a_failed_clear),
	KUNIT_CASE(iommu_mt_leaks_a_queue_page_whose_write_back_fails),
	KUNIT_CASE(nothing_to_release_is_refused),
	{}
};

static struct kunit_suite tdx_release_test_suite = {
	.name = "tdx_release",
	.init = tdx_release_test_init,
	.test_cases = tdx_release_test_cases,
};

kunit_test_suite(tdx_release_test_suite);
