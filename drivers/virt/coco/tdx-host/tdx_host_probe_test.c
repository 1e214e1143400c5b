// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for tdx-host probe as a whole: a failure of TDX Connect
 * leaves the TDX module version and runtime update in place, and the
 * runtime update is refused while TDX Connect holds VT-d units.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

#include <linux/bitops.h>
#include <linux/device.h>
#include <linux/err.h>
#include <linux/firmware.h>
#include <linux/slab.h>
#include <linux/tsm.h>

#include <kunit/device.h>
#include <kunit/static_stub.h>
#include <kunit/test.h>

#include <asm/tdx.h>
#include "tests/tdx_fake_module.h"

#include "tests/tdx_host_test_tsm.h"
#include "tests/tdx_host_test_units.h"
#include "tdx_host.h"
#include "tdx_host_iommu.h"
#include "tdx_host_tsm.h"

/* SEAMCALL leaves, as in the TDX Connect ABI. */
#define TEST_TDH_IOMMU_SETUP	128
#define TEST_TDH_IOMMU_CLEAR	129

#define TEST_NR_UNITS		4
#define TEST_ALL_UNITS		GENMASK(TEST_NR_UNITS - 1, 0)

static const u64 test_vtbars[TEST_NR_UNITS] = {
	0xfed90000, 0xfed91000, 0xfed92000, 0xfed93000,
};

struct probe_test {
	struct tdx_fake_module *fake;
	struct device *dev;
	struct tdx_sys_info sysinfo;
	struct tdx_host_test_units *units;
	struct tdx_host_test_tsm *tsm;
};

static struct probe_test *state(void)
{
	return kunit_get_current_test()->priv;
}

static int tdx_host_probe_test_init(struct kunit *test)
{
	struct probe_test *t;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	test->priv = t;

	t->fake = tdx_fake_module_install(test);
	/* As after TDX module initialization with TDX Connect. */
	t->fake->ext_initialized = true;
	/* With TDX Connect and the runtime update. */
	t->sysinfo.features.tdx_features0 = t->fake->features0 | TDX_FEATURES0_TD_PRESERVING;
	t->sysinfo.connect.iommu_mt_page_count = t->fake->iommu_mt_page_count;

	/* Unregistered, and so its devm actions run, before the fake goes. */
	t->dev = kunit_device_register(test, "tdx_host_probe_test");
	if (IS_ERR(t->dev))
		return PTR_ERR(t->dev);

	t->units = tdx_host_test_units_install(test, t->fake, test_vtbars, TEST_NR_UNITS);
	if (IS_ERR(t->units))
		return PTR_ERR(t->units);
	tdx_host_test_units_stub_dids(test);
	t->tsm = tdx_host_test_tsm_install(test, t->fake);
	return PTR_ERR_OR_ZERO(t->tsm);
}

/*
 * Probe succeeds, so the version attribute of the faux device is created,
 * and the runtime update is registered with this state.
 */
static struct tdx_host *probe_keeps_services(struct kunit *test)
{
	struct probe_test *t = state();
	struct tdx_host *host = tdx_host_setup(t->dev, &t->sysinfo);

	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(host));
	KUNIT_EXPECT_NOT_NULL(test, host->fwl);
	if (host->fwl)
		KUNIT_EXPECT_PTR_EQ(test, host->fwl->dd_handle, (void *)host);
	return host;
}

/* What a failed TDX Connect leaves: nothing, at once, not at removal */
static void expect_connect_undone(struct kunit *test, struct tdx_host *host)
{
	struct probe_test *t = state();

	KUNIT_EXPECT_NULL(test, host->iommus);
	KUNIT_EXPECT_EQ(test, tdx_host_test_set_up_units(t->fake), 0);
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(t->fake), 0);
	KUNIT_EXPECT_EQ(test, t->units->reserved, 0);
	KUNIT_EXPECT_NULL(test, dev_get_drvdata(t->dev));
}

/*
 * The TSM cannot register after every unit was set up: TDX Connect is
 * undone and tdx-host goes on with the version and the runtime update.
 */
static void failed_registration_keeps_version_and_update(struct kunit *test)
{
	struct probe_test *t = state();
	struct tdx_host *host;

	t->tsm->register_error = -ENOMEM;
	host = probe_keeps_services(test);

	KUNIT_EXPECT_EQ(test, tdx_fake_calls(t->fake, TEST_TDH_IOMMU_SETUP), TEST_NR_UNITS);
	KUNIT_EXPECT_EQ(test, tdx_fake_calls(t->fake, TEST_TDH_IOMMU_CLEAR), TEST_NR_UNITS);
	expect_connect_undone(test, host);
}

/*
 * A unit whose upper domain IDs the host uses fails TDX Connect, not the
 * device: the units before it are cleared, the last is never set up.
 */
static void busy_unit_keeps_version_and_update(struct kunit *test)
{
	struct probe_test *t = state();
	struct tdx_host *host;

	t->units->busy_units = BIT(TEST_NR_UNITS - 1);
	host = probe_keeps_services(test);

	KUNIT_EXPECT_EQ(test, tdx_fake_calls(t->fake, TEST_TDH_IOMMU_SETUP), TEST_NR_UNITS - 1);
	KUNIT_EXPECT_EQ(test, tdx_fake_calls(t->fake, TEST_TDH_IOMMU_CLEAR), TEST_NR_UNITS - 1);
	expect_connect_undone(test, host);
}

/*
 * While TDX Connect holds VT-d units, a runtime update of the TDX module
 * is refused before anything is written; after removal nothing is held.
 */
static void update_is_refused_while_connect_holds_units(struct kunit *test)
{
	struct probe_test *t = state();
	struct tdx_host *host = probe_keeps_services(test);
	struct fw_upload fwl = { .dd_handle = host };

	KUNIT_ASSERT_NOT_NULL(test, host->iommus);
	KUNIT_EXPECT_EQ(test, tdx_host_test_set_up_units(t->fake), TEST_ALL_UNITS);
	KUNIT_EXPECT_EQ(test, tdx_fw_prepare(&fwl, NULL, 0), FW_UPLOAD_ERR_BUSY);

	kunit_device_unregister(test, t->dev);
	KUNIT_EXPECT_EQ(test, tdx_host_test_set_up_units(t->fake), 0);
}

/* Without TDX Connect, or with no unit held, the update goes ahead. */
static void update_is_allowed_while_connect_holds_nothing(struct kunit *test)
{
	const bool *no_capable_unit = test->param_value;
	struct probe_test *t = state();
	struct fw_upload fwl = {};
	struct tdx_host *host;
	unsigned int i;

	if (*no_capable_unit) {
		for (i = 0; i < TEST_NR_UNITS; i++)
			t->fake->iommus[i].tdx_capable = false;
	} else {
		t->sysinfo.features.tdx_features0 &= ~TDX_FEATURES0_TDX_CONNECT;
	}
	host = probe_keeps_services(test);
	fwl.dd_handle = host;

	KUNIT_EXPECT_NULL(test, host->iommus);
	KUNIT_EXPECT_EQ(test, tdx_fw_prepare(&fwl, NULL, 0), FW_UPLOAD_ERR_NONE);
}

static const bool no_capable_unit[] = { false, true };

static void no_capable_unit_desc(const bool *none, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, *none ? "no TDX capable unit" :
		 "without TDX Connect");
}

KUNIT_ARRAY_PARAM(no_capable_unit, no_capable_unit, no_capable_unit_desc);

static struct kunit_case tdx_host_probe_test_cases[] = {
	KUNIT_CASE(failed_registration_keeps_version_and_update),
	KUNIT_CASE(busy_unit_keeps_version_and_update),
	KUNIT_CASE(update_is_refused_while_connect_holds_units),
	KUNIT_CASE_PARAM(update_is_allowed_while_connect_holds_nothing,
			 no_capable_unit_gen_params),
	{}
};

static struct kunit_suite tdx_host_probe_test_suite = {
	.name = "tdx_host_probe",
	.init = tdx_host_probe_test_init,
	.test_cases = tdx_host_probe_test_cases,
};

kunit_test_suite(tdx_host_probe_test_suite);

MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");
