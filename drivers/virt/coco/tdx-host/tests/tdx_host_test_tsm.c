// SPDX-License-Identifier: GPL-2.0-only
/*
 * Helpers shared by the tdx-host KUnit suites: the real registration of
 * the TSM device of tdx-host, recorded for the current test, or the
 * error a test asks for.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

#include <linux/device.h>
#include <linux/err.h>
#include <linux/string.h>
#include <linux/tsm.h>

#include <kunit/static_stub.h>
#include <kunit/test.h>

#include "tests/tdx_fake_module.h"

#include "../tdx_host_tsm.h"
#include "tdx_host_test_tsm.h"
#include "tdx_host_test_units.h"

#define TSM_RESOURCE	"tdx_host_test_tsm"

/* TDH.IOMMU.CLEAR, as in the TDX Connect ABI */
#define TEST_TDH_IOMMU_CLEAR	129

static struct tdx_host_test_tsm *tsm(void)
{
	return tdx_host_test_find(TSM_RESOURCE);
}

/* The real registration, watched: the PCI/TSM core checks the ops table. */
static struct tsm_dev *rec_register(struct device *dev, struct pci_tsm_ops *ops)
{
	struct tdx_host_test_tsm *t = tsm();
	struct tsm_dev *tsm_dev;

	t->nr_registers++;
	t->ops = ops;
	t->set_up_at_register = tdx_host_test_set_up_units(t->fake);
	if (t->register_error)
		return ERR_PTR(t->register_error);
	tsm_dev = tsm_register(dev, ops);
	if (!IS_ERR(tsm_dev)) {
		t->tsm_dev = tsm_dev;
		strscpy(t->tsm_name, dev_name(&tsm_dev->dev));
	}
	return tsm_dev;
}

static void rec_unregister(struct tsm_dev *tsm_dev)
{
	struct tdx_host_test_tsm *t = tsm();

	t->nr_unregisters++;
	t->set_up_at_unregister = tdx_host_test_set_up_units(t->fake);
	t->clears_at_unregister = tdx_fake_calls(t->fake, TEST_TDH_IOMMU_CLEAR);
	tsm_unregister(tsm_dev);
}

/**
 * tdx_host_test_tsm_install() - Watch the registration of the TSM device
 * @test: the test
 * @fake: the fake TDX module, installed for @test
 *
 * For the rest of @test, tdx_host_tsm_register() records each call and
 * the units of @fake set up at that time, then fails with
 * &tdx_host_test_tsm.register_error if that is set, and registers the
 * TSM device with the real tsm_register() if not.
 *
 * Context: Process context, in @test.
 * Return: the record, freed with @test, or an ERR_PTR().
 */
struct tdx_host_test_tsm *tdx_host_test_tsm_install(struct kunit *test,
						    struct tdx_fake_module *fake)
{
	struct tdx_host_test_tsm *t;
	int ret;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	if (!t)
		return ERR_PTR(-ENOMEM);
	t->fake = fake;

	ret = tdx_host_test_add(test, TSM_RESOURCE, t);
	if (ret)
		return ERR_PTR(ret);
	kunit_activate_static_stub(test, tdx_host_tsm_register, rec_register);
	return t;
}

/**
 * tdx_host_test_tsm_watch_unregister() - Watch the unregistration too
 * @test: the test, after tdx_host_test_tsm_install()
 *
 * For the rest of @test, tdx_host_tsm_unregister() records each call,
 * the units set up and the TDH.IOMMU.CLEAR calls made by then, and
 * unregisters the TSM device with the real tsm_unregister().
 *
 * Context: Process context, in @test.
 */
void tdx_host_test_tsm_watch_unregister(struct kunit *test)
{
	kunit_activate_static_stub(test, tdx_host_tsm_unregister, rec_unregister);
}
