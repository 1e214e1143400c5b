// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the TDX Connect probe and remove of tdx-host: the PCI
 * link TSM is registered only once every VT-d unit is set up, and
 * unregistered before any unit is cleared.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

#include <linux/bitops.h>
#include <linux/err.h>
#include <linux/pci-tsm.h>
#include <linux/slab.h>
#include <linux/tsm.h>

#include <kunit/device.h>
#include <kunit/static_stub.h>
#include <kunit/test.h>

#include <asm/tdx.h>
#include <asm/tdx_fake_module.h>
#include <asm/tdx_iommu_mt.h>

#include "tdx_host_iommu.h"
#include "tdx_host_tsm.h"

/* SEAMCALL leaves, as in the TDX Connect ABI. */
#define TEST_TDH_IOMMU_SETUP	128
#define TEST_TDH_IOMMU_CLEAR	129

#define TEST_NR_UNITS		3
#define TEST_ALL_UNITS		GENMASK(TEST_NR_UNITS - 1, 0)

static const u64 test_vtbars[TEST_NR_UNITS] = { 0xfed90000, 0xfed91000, 0xfed92000 };

struct tsm_test {
	struct tdx_fake_module *fake;
	struct tdx_sys_info sysinfo;
	struct device *dev;

	unsigned int fail_block;	/* 1-based IOMMU_MT block allocation to fail */
	unsigned int nr_blocks;
	int register_error;
	unsigned int nr_registers;
	unsigned int nr_unregisters;
	struct pci_tsm_ops *ops;
	/* The fake's set-up units and CLEAR calls at (un)registration. */
	unsigned long set_up_at_register;
	unsigned long set_up_at_unregister;
	unsigned int clears_at_unregister;
};

static struct tsm_test *state(void)
{
	return kunit_get_current_test()->priv;
}

static unsigned long fake_set_up_units(struct tdx_fake_module *fake)
{
	unsigned long set_up = 0;
	unsigned int i;

	for (i = 0; i < fake->nr_iommus; i++) {
		if (fake->iommus[i].set_up)
			set_up |= BIT(i);
	}
	return set_up;
}

static int rec_reg_bases(u64 **reg_bases)
{
	*reg_bases = kmemdup(test_vtbars, sizeof(test_vtbars), GFP_KERNEL);
	return *reg_bases ? TEST_NR_UNITS : -ENOMEM;
}

static struct page *rec_alloc_block(unsigned int order)
{
	struct tsm_test *t = state();

	if (++t->nr_blocks == t->fail_block)
		return NULL;
	return alloc_pages(GFP_KERNEL | __GFP_ZERO, order);
}

/* The real registration, watched: the PCI/TSM core checks the ops table. */
static struct tsm_dev *rec_register(struct device *dev, struct pci_tsm_ops *ops)
{
	struct tsm_test *t = state();

	t->nr_registers++;
	t->ops = ops;
	t->set_up_at_register = fake_set_up_units(t->fake);
	if (t->register_error)
		return ERR_PTR(t->register_error);
	return tsm_register(dev, ops);
}

static void rec_unregister(struct tsm_dev *tsm_dev)
{
	struct tsm_test *t = state();

	t->nr_unregisters++;
	t->set_up_at_unregister = fake_set_up_units(t->fake);
	t->clears_at_unregister = tdx_fake_calls(t->fake, TEST_TDH_IOMMU_CLEAR);
	tsm_unregister(tsm_dev);
}

static int tdx_host_tsm_test_init(struct kunit *test)
{
	struct tsm_test *t;
	unsigned int i;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	test->priv = t;

	t->fake = tdx_fake_module_install(test);
	/* As after TDX module initialization with TDX Connect. */
	t->fake->ext_initialized = true;
	for (i = 0; i < TEST_NR_UNITS; i++) {
		if (tdx_fake_add_iommu(t->fake, test_vtbars[i], true))
			return -ENOSPC;
	}
	t->sysinfo.features.tdx_features0 = t->fake->features0;
	t->sysinfo.connect.iommu_mt_page_count = t->fake->iommu_mt_page_count;

	/* Unregistered, and so its devm actions run, before the fake goes. */
	t->dev = kunit_device_register(test, "tdx_host_tsm_test");
	if (IS_ERR(t->dev))
		return PTR_ERR(t->dev);

	kunit_activate_static_stub(test, tdx_host_iommu_reg_bases, rec_reg_bases);
	kunit_activate_static_stub(test, tdx_iommu_mt_alloc_block, rec_alloc_block);
	kunit_activate_static_stub(test, tdx_host_tsm_register, rec_register);
	kunit_activate_static_stub(test, tdx_host_tsm_unregister, rec_unregister);
	return 0;
}

/* Removal: what devm undoes when the device goes away. */
static void remove(struct kunit *test)
{
	kunit_device_unregister(test, state()->dev);
}

static void probe_registers_after_every_unit_is_set_up(struct kunit *test)
{
	struct tsm_test *t = state();

	KUNIT_ASSERT_EQ(test, tdx_host_connect_probe(t->dev, &t->sysinfo), 0);
	KUNIT_EXPECT_EQ(test, t->nr_registers, 1);
	KUNIT_EXPECT_EQ(test, t->set_up_at_register, TEST_ALL_UNITS);
	KUNIT_EXPECT_EQ(test, tdx_fake_calls(t->fake, TEST_TDH_IOMMU_SETUP), TEST_NR_UNITS);
	KUNIT_EXPECT_EQ(test, t->nr_unregisters, 0);
}

static void remove_unregisters_before_any_unit_is_cleared(struct kunit *test)
{
	struct tsm_test *t = state();

	KUNIT_ASSERT_EQ(test, tdx_host_connect_probe(t->dev, &t->sysinfo), 0);
	remove(test);

	KUNIT_EXPECT_EQ(test, t->nr_unregisters, 1);
	KUNIT_EXPECT_EQ(test, t->set_up_at_unregister, TEST_ALL_UNITS);
	KUNIT_EXPECT_EQ(test, t->clears_at_unregister, 0);
	KUNIT_EXPECT_EQ(test, tdx_fake_calls(t->fake, TEST_TDH_IOMMU_CLEAR), TEST_NR_UNITS);
	KUNIT_EXPECT_EQ(test, fake_set_up_units(t->fake), 0);
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(t->fake), 0);
}

/* A failed registration fails the probe; the units are cleared on removal. */
static void failed_registration_leaves_units_to_devm(struct kunit *test)
{
	struct tsm_test *t = state();

	t->register_error = -ENOMEM;
	KUNIT_EXPECT_EQ(test, tdx_host_connect_probe(t->dev, &t->sysinfo), -ENOMEM);
	KUNIT_EXPECT_EQ(test, t->set_up_at_register, TEST_ALL_UNITS);
	remove(test);

	KUNIT_EXPECT_EQ(test, t->nr_unregisters, 0);
	KUNIT_EXPECT_EQ(test, fake_set_up_units(t->fake), 0);
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(t->fake), 0);
}

/* A failed unit fails the probe before anything is registered. */
static void failed_unit_registers_nothing(struct kunit *test)
{
	struct tsm_test *t = state();

	/* Three blocks per IOMMU_MT: the first of the last unit's fails. */
	t->fail_block = 3 * (TEST_NR_UNITS - 1) + 1;
	KUNIT_EXPECT_EQ(test, tdx_host_connect_probe(t->dev, &t->sysinfo), -ENOMEM);
	KUNIT_EXPECT_EQ(test, t->nr_registers, 0);
	KUNIT_EXPECT_EQ(test, tdx_fake_calls(t->fake, TEST_TDH_IOMMU_CLEAR), TEST_NR_UNITS - 1);
	KUNIT_EXPECT_EQ(test, fake_set_up_units(t->fake), 0);
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(t->fake), 0);
}

static void no_tdx_capable_unit_registers_nothing(struct kunit *test)
{
	struct tsm_test *t = state();
	unsigned int i;

	for (i = 0; i < TEST_NR_UNITS; i++)
		t->fake->iommus[i].tdx_capable = false;
	KUNIT_EXPECT_EQ(test, tdx_host_connect_probe(t->dev, &t->sysinfo), 0);
	KUNIT_EXPECT_EQ(test, t->nr_registers, 0);
}

static void without_tdx_connect_probe_does_nothing(struct kunit *test)
{
	struct tsm_test *t = state();

	t->sysinfo.features.tdx_features0 &= ~TDX_FEATURES0_TDX_CONNECT;
	KUNIT_EXPECT_EQ(test, tdx_host_connect_probe(t->dev, &t->sysinfo), 0);
	KUNIT_EXPECT_EQ(test, t->nr_registers, 0);
	KUNIT_EXPECT_EQ(test, t->fake->nr_calls, 0);
}

static void ops_are_link_ops_and_connect_is_not_supported(struct kunit *test)
{
	struct tsm_test *t = state();
	struct pci_tsm_ops *ops;

	KUNIT_ASSERT_EQ(test, tdx_host_connect_probe(t->dev, &t->sysinfo), 0);
	ops = t->ops;
	KUNIT_ASSERT_NOT_NULL(test, ops);
	KUNIT_EXPECT_NOT_NULL(test, ops->probe);
	KUNIT_EXPECT_NOT_NULL(test, ops->remove);
	KUNIT_EXPECT_NOT_NULL(test, ops->disconnect);
	KUNIT_EXPECT_NOT_NULL(test, ops->bind);
	KUNIT_EXPECT_NOT_NULL(test, ops->unbind);
	KUNIT_EXPECT_NOT_NULL(test, ops->guest_req);
	KUNIT_EXPECT_NULL(test, ops->lock);
	KUNIT_EXPECT_NULL(test, ops->unlock);
	/* connect does not look at the device before it refuses. */
	KUNIT_EXPECT_EQ(test, ops->connect(NULL), -EOPNOTSUPP);
}

static struct kunit_case tdx_host_tsm_test_cases[] = {
	KUNIT_CASE(probe_registers_after_every_unit_is_set_up),
	KUNIT_CASE(remove_unregisters_before_any_unit_is_cleared),
	KUNIT_CASE(failed_registration_leaves_units_to_devm),
	KUNIT_CASE(failed_unit_registers_nothing),
	KUNIT_CASE(no_tdx_capable_unit_registers_nothing),
	KUNIT_CASE(without_tdx_connect_probe_does_nothing),
	KUNIT_CASE(ops_are_link_ops_and_connect_is_not_supported),
	{}
};

static struct kunit_suite tdx_host_tsm_test_suite = {
	.name = "tdx_host_tsm",
	.init = tdx_host_tsm_test_init,
	.test_cases = tdx_host_tsm_test_cases,
};

kunit_test_suite(tdx_host_tsm_test_suite);

MODULE_DESCRIPTION("KUnit tests for tdx-host as the PCI link TSM");
MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");
MODULE_LICENSE("GPL");
