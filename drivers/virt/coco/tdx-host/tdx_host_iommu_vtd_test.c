// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the trusted IOMMU setup of tdx-host on the real VT-d
 * unit of the KUnit machine (QEMU's intel-iommu): the unit of the real
 * DMAR table, set up against the fake TDX module, with the real VT-d
 * driver's domain-ID allocator watched for the half the module owns.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

#include <linux/dmar.h>
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/slab.h>

#include <kunit/test.h>

#include <asm/shared/tdx_errno.h>
#include "tests/tdx_fake_module.h"

#include "tdx_host_iommu.h"

/* TDH.IOMMU.SETUP, as in the TDX Connect ABI */
#define TEST_TDH_IOMMU_SETUP	128

#define TEST_IQ_ORDER		1
#define TEST_MT_PAGES		3
/* The VT-d driver's first dynamic domain ID */
#define IDA_START_DID_TEST	2
/* A failure that does not mean "not TDX capable". */
#define TEST_FAILURE		TDX_OPERAND_BUSY

/*
 * The real VT-d unit of the KUnit machine (QEMU's intel-iommu), from the
 * real DMAR table, set up against the fake TDX module with the real VT-d
 * driver's domain-ID allocator.
 */
struct vtd_test {
	struct tdx_fake_module *fake;
	u64 reg_base;
	unsigned long nr_dids;
};

static void unreserve_action(void *t)
{
	/*
	 * A unit a test left restricted must not stay so for later suites.
	 * Through tdx-host, the VT-d driver's one user of the call.
	 */
	tdx_host_iommu_unreserve_dids(((struct vtd_test *)t)->reg_base);
}

static int tdx_host_iommu_vtd_test_init(struct kunit *test)
{
	struct vtd_test *t;
	u64 *reg_bases;
	int nr;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	test->priv = t;

	nr = tdx_host_iommu_reg_bases(&reg_bases);
	if (nr < 1) {
		kunit_err(test, "no VT-d unit in the DMAR table: %d\n", nr);
		return nr < 0 ? nr : -ENODEV;
	}
	t->reg_base = reg_bases[0];
	kfree(reg_bases);
	t->nr_dids = intel_iommu_nr_dids_kunit(t->reg_base);
	if (t->nr_dids < 2 * IDA_START_DID_TEST)
		return -ENODEV;

	t->fake = tdx_fake_module_install(test);
	t->fake->ext_initialized = true;
	t->fake->iommu_mt_page_count = TEST_MT_PAGES;
	if (tdx_fake_add_iommu(t->fake, t->reg_base, true))
		return -ENOSPC;
	return kunit_add_action_or_reset(test, unreserve_action, t);
}

static struct tdx_host_iommus *vtd_setup(struct kunit *test)
{
	struct vtd_test *t = test->priv;

	return tdx_host_iommus_setup(&t->reg_base, 1, TEST_IQ_ORDER, TEST_MT_PAGES);
}

/* The lowest domain ID from @min up that the real allocator gives, freed. */
static int vtd_alloc_from(struct kunit *test, unsigned long min)
{
	struct vtd_test *t = test->priv;
	int did = intel_iommu_alloc_did_kunit(t->reg_base, min);

	if (did >= 0)
		intel_iommu_free_did_kunit(t->reg_base, did);
	return did;
}

/*
 * While the unit is set up, the host allocates from the lower half only;
 * after the CLEAR it may use the upper half again.
 */
static void set_up_unit_keeps_host_to_lower_half(struct kunit *test)
{
	struct vtd_test *t = test->priv;
	int half = t->nr_dids / 2, last = t->nr_dids - 1;
	struct tdx_host_iommus *iommus;

	KUNIT_EXPECT_EQ(test, vtd_alloc_from(test, half), half);

	iommus = vtd_setup(test);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(iommus));
	KUNIT_EXPECT_EQ(test, iommus->nr_set_up, 1);
	KUNIT_EXPECT_TRUE(test, t->fake->iommus[0].set_up);
	KUNIT_EXPECT_EQ(test, vtd_alloc_from(test, half - 1), half - 1);
	KUNIT_EXPECT_EQ(test, vtd_alloc_from(test, half), -ENOSPC);
	KUNIT_EXPECT_EQ(test, vtd_alloc_from(test, last), -ENOSPC);

	tdx_host_iommus_clear(iommus);
	KUNIT_EXPECT_FALSE(test, t->fake->iommus[0].set_up);
	KUNIT_EXPECT_EQ(test, vtd_alloc_from(test, half), half);
	KUNIT_EXPECT_EQ(test, vtd_alloc_from(test, last), last);
}

/*
 * An upper-half domain ID in use refuses the unit with -EBUSY before the
 * module sees it; once it is free the unit is set up.
 */
static void upper_half_id_in_use_refuses_the_unit(struct kunit *test)
{
	struct vtd_test *t = test->priv;
	int half = t->nr_dids / 2, last = t->nr_dids - 1;
	struct tdx_host_iommus *iommus;
	int did;

	/* Not set up: the whole space is the host's. */
	did = intel_iommu_alloc_did_kunit(t->reg_base, last);
	KUNIT_ASSERT_EQ(test, did, last);

	iommus = vtd_setup(test);
	intel_iommu_free_did_kunit(t->reg_base, did);
	KUNIT_EXPECT_PTR_EQ(test, iommus, ERR_PTR(-EBUSY));
	if (!IS_ERR(iommus))
		tdx_host_iommus_clear(iommus);
	KUNIT_EXPECT_EQ(test, tdx_fake_calls(t->fake, TEST_TDH_IOMMU_SETUP), 0);
	KUNIT_EXPECT_EQ(test, vtd_alloc_from(test, half), half);

	iommus = vtd_setup(test);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(iommus));
	KUNIT_EXPECT_EQ(test, iommus->nr_set_up, 1);
	tdx_host_iommus_clear(iommus);
}

/* A unit the module refuses as not TDX capable keeps every domain ID. */
static void unit_not_tdx_capable_is_not_restricted(struct kunit *test)
{
	struct vtd_test *t = test->priv;
	struct tdx_host_iommus *iommus;

	t->fake->iommus[0].tdx_capable = false;
	iommus = vtd_setup(test);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(iommus));
	KUNIT_EXPECT_EQ(test, iommus->nr_set_up, 0);
	KUNIT_EXPECT_EQ(test, iommus->nr_not_capable, 1);
	KUNIT_EXPECT_EQ(test, vtd_alloc_from(test, t->nr_dids / 2), (int)t->nr_dids / 2);
	tdx_host_iommus_clear(iommus);
}

/* A unit whose CLEAR fails stays the module's, and so do its upper IDs. */
static void failed_clear_keeps_the_unit_restricted(struct kunit *test)
{
	struct vtd_test *t = test->priv;
	struct tdx_host_iommus *iommus = vtd_setup(test);

	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(iommus));
	t->fake->fail_nth = t->fake->nr_calls + 1;
	t->fake->fail_status = TEST_FAILURE;
	kunit_warning_suppress(test) {
		tdx_host_iommus_clear(iommus);
		KUNIT_EXPECT_SUPPRESSED_WARNING_COUNT(test, 1);
	}
	KUNIT_EXPECT_TRUE(test, t->fake->iommus[0].set_up);
	KUNIT_EXPECT_EQ(test, vtd_alloc_from(test, t->nr_dids / 2), -ENOSPC);
}

static struct kunit_case tdx_host_iommu_vtd_test_cases[] = {
	KUNIT_CASE(set_up_unit_keeps_host_to_lower_half),
	KUNIT_CASE(upper_half_id_in_use_refuses_the_unit),
	KUNIT_CASE(unit_not_tdx_capable_is_not_restricted),
	KUNIT_CASE(failed_clear_keeps_the_unit_restricted),
	{}
};

static struct kunit_suite tdx_host_iommu_vtd_test_suite = {
	.name = "tdx_host_iommu_vtd",
	.init = tdx_host_iommu_vtd_test_init,
	.test_cases = tdx_host_iommu_vtd_test_cases,
};

kunit_test_suite(tdx_host_iommu_vtd_test_suite);

MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");
