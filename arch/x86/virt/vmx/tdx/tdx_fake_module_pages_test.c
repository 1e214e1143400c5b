// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the fake TDX module's page model: each rule of what the
 * hardware enforces on pages that change hands broken once on purpose,
 * and reported naming the leaf and the page.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

#include <kunit/test.h>

#include "tdx_fake_module_test.h"

/*
 * The rules of the fake's page model: each is broken here on purpose,
 * with @expect_violations set, and must be reported naming the leaf and
 * the page.
 */
static void expect_violation(struct kunit *test, struct tdx_fake_module *fake,
			     const char *what)
{
	KUNIT_EXPECT_EQ(test, fake->nr_violations, 1);
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(fake->violation, what),
				  "violation: %s", fake->violation);
}

static void hand_over_of_a_page_written_after_its_flush_is_reported(struct kunit *test)
{
	struct tdx_fake_module *fake = configured(test);
	u64 *root = test_list(test, fake, 2);
	char page[32];

	fake->expect_violations = true;
	/* The kernel writes the second page after it was flushed. */
	*(u64 *)__va(root[1] + 128) = 1;
	KUNIT_EXPECT_EQ(test, mem_add(list_info(__pa(root), 0, 1), NULL), TDX_SUCCESS);
	snprintf(page, sizeof(page), "page 0x%llx", root[1]);
	expect_violation(test, fake, "TDH.EXT.MEM.ADD");
	expect_violation(test, fake, page);
	expect_violation(test, fake, "after its flush");
}

static void hand_over_of_an_unflushed_page_is_reported(struct kunit *test)
{
	struct tdx_fake_module *fake = configured(test);
	u64 *root = test_list(test, fake, 2);
	struct page *unflushed = alloc_page(GFP_KERNEL | __GFP_ZERO);
	char page[32];

	/* Not from test_alloc(), which flushes; the fake frees it. */
	KUNIT_ASSERT_NOT_NULL(test, unflushed);
	fake->expect_violations = true;
	set_entry(root, 0, page_to_phys(unflushed));
	KUNIT_EXPECT_EQ(test, mem_add(list_info(__pa(root), 0, 1), NULL), TDX_SUCCESS);
	snprintf(page, sizeof(page), "page 0x%llx", page_to_phys(unflushed));
	expect_violation(test, fake, page);
	expect_violation(test, fake, "without a flush");
	/* The fake owns it now, and frees it when the test ends. */
	KUNIT_EXPECT_TRUE(test, tdx_fake_owns(fake, page_to_phys(unflushed)));
}

static void hand_over_of_an_unflushed_root_entry_is_reported(struct kunit *test)
{
	struct tdx_fake_module *fake = ext_running(test);
	u64 *mt = test_iommu_mt(test, fake);

	fake->expect_violations = true;
	/* Past the entries the module reads, but in a cache line it reads. */
	mt[5] = 1;
	KUNIT_EXPECT_EQ(test, iommu_setup(TEST_VTBAR, __pa(mt), NULL), TDX_SUCCESS);
	expect_violation(test, fake, "TDH.IOMMU.SETUP: IOMMU_MT root page");
}

/* A page that only the fake frees, if the test does not. */
static u64 fake_only_page(struct kunit *test)
{
	struct page *page = alloc_page(GFP_KERNEL | __GFP_ZERO);

	KUNIT_ASSERT_NOT_NULL(test, page);
	tdx_handoff_flush(page_address(page), PAGE_SIZE);
	return page_to_phys(page);
}

static void free_of_a_page_the_module_owns_is_reported(struct kunit *test)
{
	struct tdx_fake_module *fake = configured(test);
	u64 *root = test_list(test, fake, 0);
	char page[40];

	set_entry(root, 0, fake_only_page(test));
	KUNIT_ASSERT_EQ(test, mem_add(list_info(__pa(root), 0, 0), NULL), TDX_SUCCESS);
	fake->expect_violations = true;
	__free_page(phys_to_page(root[0]));
	KUNIT_EXPECT_FALSE(test, tdx_fake_owns(fake, root[0]));
	snprintf(page, sizeof(page), "page 0x%llx freed", root[0]);
	expect_violation(test, fake, page);
	expect_violation(test, fake, "the module owns it");
}

static void free_of_a_released_page_before_its_write_back_is_reported(struct kunit *test)
{
	struct tdx_fake_module *fake = tdx_fake_module_install(test);
	u64 page = fake_only_page(test);

	KUNIT_ASSERT_EQ(test, tdx_fake_take(fake, page, 0), TDX_SUCCESS);
	tdx_fake_give_back(fake, page);
	fake->expect_violations = true;
	__free_page(phys_to_page(page));
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(fake), 0);
	expect_violation(test, fake, "released but not written back");
}

static void write_back_needs_a_released_page_and_the_global_keyid(struct kunit *test)
{
	struct tdx_fake_module *fake = tdx_fake_module_install(test);
	u64 page = test_alloc(test, fake, 0);

	KUNIT_ASSERT_EQ(test, tdx_fake_take(fake, page, 0), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, wb_page(keyed(page, TDX_FAKE_GLOBAL_KEYID)),
			TDX_PAGE_METADATA_INCORRECT | TDX_OPERAND_ID_RCX);
	tdx_fake_give_back(fake, page);
	KUNIT_EXPECT_EQ(test, wb_page(keyed(page, TDX_FAKE_GLOBAL_KEYID) | 0x40), RCX_INVALID);

	fake->expect_violations = true;
	KUNIT_EXPECT_EQ(test, wb_page(keyed(page, 0)), RCX_INVALID);
	expect_violation(test, fake, "with KeyID 0");
	KUNIT_EXPECT_TRUE(test, tdx_fake_released(fake, page));

	KUNIT_EXPECT_EQ(test, wb_page(keyed(page, TDX_FAKE_GLOBAL_KEYID)), TDX_SUCCESS);
	KUNIT_EXPECT_FALSE(test, tdx_fake_released(fake, page));
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(fake), 0);
	/* Once more: harmless, and counted. */
	KUNIT_EXPECT_EQ(test, wb_page(keyed(page, TDX_FAKE_GLOBAL_KEYID)), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, fake->nr_needless_wbinvd, 1);
	KUNIT_EXPECT_EQ(test, tdx_get_global_keyid(), TDX_FAKE_GLOBAL_KEYID);
}

static void released_list_root_must_be_cleared_and_flushed(struct kunit *test)
{
	struct tdx_fake_module *fake = tdx_fake_module_install(test);
	u64 root = test_alloc(test, fake, 0);

	KUNIT_EXPECT_TRUE(test, tdx_fake_check_cleared(fake, root));

	fake->expect_violations = true;
	set_entry(__va(root), 7, root);
	KUNIT_EXPECT_FALSE(test, tdx_fake_check_cleared(fake, root));
	expect_violation(test, fake, "not cleared");

	fake->nr_violations = 0;
	*(u64 *)__va(root + 56) = 0;
	KUNIT_EXPECT_FALSE(test, tdx_fake_check_cleared(fake, root));
	expect_violation(test, fake, "after its flush");
}

static void an_unexpected_violation_fails_the_test(struct kunit *test)
{
	struct tdx_fake_module *fake = tdx_fake_module_install(test);
	u64 page = test_alloc(test, fake, 0);
	struct kunit fake_test;

	/* Reported to a test of its own, which must fail. */
	kunit_init_test(&fake_test, "fake", NULL);
	fake->test = &fake_test;
	*(u64 *)__va(page) = 1;
	KUNIT_EXPECT_FALSE(test, tdx_fake_check_flushed(fake, "page", page, PAGE_SIZE));
	fake->test = test;
	KUNIT_EXPECT_EQ(test, fake_test.status, KUNIT_FAILURE);
	kunit_cleanup(&fake_test);
	KUNIT_EXPECT_EQ(test, fake->nr_violations, 1);
}

static struct kunit_case tdx_fake_module_pages_test_cases[] = {
	KUNIT_CASE(hand_over_of_a_page_written_after_its_flush_is_reported),
	KUNIT_CASE(hand_over_of_an_unflushed_page_is_reported),
	KUNIT_CASE(hand_over_of_an_unflushed_root_entry_is_reported),
	KUNIT_CASE(free_of_a_page_the_module_owns_is_reported),
	KUNIT_CASE(free_of_a_released_page_before_its_write_back_is_reported),
	KUNIT_CASE(write_back_needs_a_released_page_and_the_global_keyid),
	KUNIT_CASE(released_list_root_must_be_cleared_and_flushed),
	KUNIT_CASE(an_unexpected_violation_fails_the_test),
	{}
};

static struct kunit_suite tdx_fake_module_pages_test_suite = {
	.name = "tdx_fake_module_pages",
	.test_cases = tdx_fake_module_pages_test_cases,
};

kunit_test_suite(tdx_fake_module_pages_test_suite);
