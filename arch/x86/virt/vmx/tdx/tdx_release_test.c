// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for taking pages back from the TDX module.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

#include <kunit/static_stub.h>
#include <kunit/test.h>
#include <linux/bitfield.h>
#include <linux/err.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include <asm/tdx.h>
#include <asm/tdx_handoff.h>
#include <asm/tdx_iommu_mt.h>
#include <asm/tdx_page_list.h>
#include <asm/tdx_release.h>

#define TEST_NR_PAGES		4
#define TEST_MT_PAGES		3
#define TEST_IQ_ORDER		1
#define TEST_OP			"TDH.TEST.DELETE"
/* Any error status will do; this one is TDX_OPERAND_INVALID. */
#define TEST_FAILED		0xC000010000000000ULL

struct release_state {
	unsigned int page_resets;
	unsigned int block_resets;
};

static struct release_state *state(void)
{
	return kunit_get_current_test()->priv;
}

static void fake_reset_page(struct page *page)
{
	state()->page_resets++;
}

static void fake_reset_block(struct page *block, unsigned int order)
{
	state()->block_resets++;
}

static int tdx_release_test_init(struct kunit *test)
{
	test->priv = kunit_kzalloc(test, sizeof(struct release_state), GFP_KERNEL);
	if (!test->priv)
		return -ENOMEM;

	kunit_activate_static_stub(test, tdx_page_list_reset_page, fake_reset_page);
	kunit_activate_static_stub(test, tdx_iommu_mt_reset_block, fake_reset_block);
	return 0;
}

/* Pages the code under test leaked on purpose: the test gives them back. */
struct leaked {
	unsigned int nr;
	struct page *page[TEST_MT_PAGES + 2];
	unsigned int order[TEST_MT_PAGES + 2];
};

static void free_leaked(void *ctx)
{
	struct leaked *l = ctx;

	while (l->nr) {
		l->nr--;
		__free_pages(l->page[l->nr], l->order[l->nr]);
	}
}

static void leaked_add(struct leaked *l, struct page *page, unsigned int order)
{
	l->order[l->nr] = order;
	l->page[l->nr++] = page;
}

KUNIT_DEFINE_ACTION_WRAPPER(free_list_action, tdx_page_list_free,
			    struct tdx_page_list *);
KUNIT_DEFINE_ACTION_WRAPPER(free_mt_action, tdx_iommu_mt_free,
			    struct tdx_iommu_mt *);
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

/*
 * Give @list to the code under test: drop the test's cleanup of it, and
 * arrange to free its pages if the code leaks them.
 */
static struct leaked *hand_list_over(struct kunit *test, struct tdx_page_list *list)
{
	struct leaked *l = kunit_kzalloc(test, sizeof(*l), GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, l);
	for (i = 0; i < list->nr_pages; i++)
		leaked_add(l, list->pages[i], 0);
	kunit_remove_action(test, free_list_action, list);
	return l;
}

static void expect_freed(struct kunit *test, int ret, int warns,
			 unsigned int page_resets, unsigned int block_resets)
{
	struct release_state *s = test->priv;

	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, warns, 0);
	/* Every page was made safe before it was freed. */
	KUNIT_EXPECT_EQ(test, s->page_resets, page_resets);
	KUNIT_EXPECT_EQ(test, s->block_resets, block_resets);
}

/*
 * Nothing was freed, with one real WARN: every page of @l still holds the
 * reference it was allocated with, and the test gives them back.  Had the
 * code freed one as well, the test's free would be a second one, which
 * the page allocator's checks (CONFIG_DEBUG_VM) report.
 */
static void expect_leaked(struct kunit *test, int ret, int warns, struct leaked *l)
{
	struct release_state *s = test->priv;
	unsigned int i;

	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, free_leaked, l));
	KUNIT_EXPECT_EQ(test, ret, -EIO);
	KUNIT_EXPECT_EQ(test, warns, 1);
	for (i = 0; i < l->nr; i++)
		KUNIT_EXPECT_EQ_MSG(test, page_ref_count(l->page[i]), 1, "page %u", i);
	KUNIT_EXPECT_EQ(test, s->page_resets, 0);
	KUNIT_EXPECT_EQ(test, s->block_resets, 0);
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
	struct leaked *l;
	int ret, warns;

	list = tdx_page_list_alloc_bulk(TEST_NR_PAGES);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(list));
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, free_list_action, list));

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

	l = hand_list_over(test, list);
	kunit_warning_suppress(test) {
		ret = tdx_page_list_release(list, TEST_OP, status, out, nr);
		warns = KUNIT_SUPPRESSED_WARNING_COUNT();
	}
	if (m == EXACT_MATCH)
		expect_freed(test, ret, warns, TEST_NR_PAGES, 0);
	else
		expect_leaked(test, ret, warns, l);
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
	struct leaked *l;
	u64 released;
	int ret, warns;

	list = tdx_page_list_alloc_bulk(c->nr_pages);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(list));
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, free_list_action, list));

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

	l = hand_list_over(test, list);
	kunit_warning_suppress(test) {
		ret = tdx_page_list_release_hpa_array(list, ho, TEST_OP, c->status, released);
		warns = KUNIT_SUPPRESSED_WARNING_COUNT();
	}
	if (c->match)
		expect_freed(test, ret, warns, c->nr_pages, 0);
	else
		expect_leaked(test, ret, warns, l);
}

enum mt_mismatch {
	MT_EXACT,
	MT_FAILED,
	MT_WRONG_BLOCK_SIZE,
	MT_WRONG_BLOCK_HPA,
	MT_WRONG_PAGE,
	MT_DUPLICATE,
	MT_ENTRY_MISSING,
	MT_EXTRA_ENTRY,
};

static const char * const mt_names[] = {
	[MT_EXACT] = "exact match",
	[MT_FAILED] = "failed TDH.IOMMU.CLEAR",
	[MT_WRONG_BLOCK_SIZE] = "wrong T_IQ NUM_PAGES",
	[MT_WRONG_BLOCK_HPA] = "wrong T_CTXIQ HPA",
	[MT_WRONG_PAGE] = "wrong MT page",
	[MT_DUPLICATE] = "duplicate MT page",
	[MT_ENTRY_MISSING] = "MT page missing",
	[MT_EXTRA_ENTRY] = "entry never handed over",
};

static const enum mt_mismatch mt_mismatches[] = {
	MT_EXACT, MT_FAILED, MT_WRONG_BLOCK_SIZE, MT_WRONG_BLOCK_HPA,
	MT_WRONG_PAGE, MT_DUPLICATE, MT_ENTRY_MISSING, MT_EXTRA_ENTRY,
};

static void mt_desc(const enum mt_mismatch *m, char *desc)
{
	strscpy(desc, mt_names[*m], KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(mt_mismatch, mt_mismatches, mt_desc);

static void iommu_mt_frees_only_on_exact_match(struct kunit *test)
{
	enum mt_mismatch m = *(const enum mt_mismatch *)test->param_value;
	u64 status = TDX_SUCCESS;
	struct tdx_iommu_mt *mt;
	struct leaked *l;
	unsigned int i;
	int ret, warns;

	mt = tdx_iommu_mt_alloc(TEST_IQ_ORDER, TEST_MT_PAGES);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(mt));
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, free_mt_action, mt));

	/* What TDH.IOMMU.CLEAR left in the root page. */
	switch (m) {
	case MT_EXACT:
		break;
	case MT_FAILED:
		status = TEST_FAILED;
		break;
	case MT_WRONG_BLOCK_SIZE:
		mt->root[TDX_IOMMU_MT_IQ] += 1;
		break;
	case MT_WRONG_BLOCK_HPA:
		mt->root[TDX_IOMMU_MT_CTXIQ] += PAGE_SIZE;
		break;
	case MT_WRONG_PAGE:
		mt->root[TDX_IOMMU_MT_FIRST_PAGE + 1] += PAGE_SIZE;
		break;
	case MT_DUPLICATE:
		mt->root[TDX_IOMMU_MT_FIRST_PAGE + 1] = mt->root[TDX_IOMMU_MT_FIRST_PAGE];
		break;
	case MT_ENTRY_MISSING:
		mt->root[mt->nr_entries - 1] = 0;
		break;
	case MT_EXTRA_ENTRY:
		mt->root[mt->nr_entries] = foreign_hpa(test);
		break;
	}

	l = kunit_kzalloc(test, sizeof(*l), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, l);
	leaked_add(l, mt->iq, mt->iq_order);
	leaked_add(l, mt->ctxiq, mt->iq_order);
	for (i = 0; i < TEST_MT_PAGES; i++)
		leaked_add(l, mt->pages->pages[i], 0);
	kunit_remove_action(test, free_mt_action, mt);

	kunit_warning_suppress(test) {
		ret = tdx_iommu_mt_release(mt, TEST_OP, status);
		warns = KUNIT_SUPPRESSED_WARNING_COUNT();
	}
	if (m == MT_EXACT)
		expect_freed(test, ret, warns, TEST_MT_PAGES, 2);
	else
		expect_leaked(test, ret, warns, l);
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
	KUNIT_CASE_PARAM(iommu_mt_frees_only_on_exact_match, mt_mismatch_gen_params),
	KUNIT_CASE(nothing_to_release_is_refused),
	{}
};

static struct kunit_suite tdx_release_test_suite = {
	.name = "tdx_release",
	.init = tdx_release_test_init,
	.test_cases = tdx_release_test_cases,
};

kunit_test_suite(tdx_release_test_suite);

MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");
MODULE_DESCRIPTION("KUnit tests for releasing pages from the TDX module");
MODULE_LICENSE("GPL");
