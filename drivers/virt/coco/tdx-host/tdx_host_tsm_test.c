// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the TDX Connect probe and remove of tdx-host: the PCI
 * link TSM is registered only once every VT-d unit is set up, and
 * unregistered before any unit is cleared.  The link operations it
 * registers are called as the PCI/TSM core calls them, on the fake
 * two-function device of tdx_host_fake_pcie.c: probe and remove of each
 * function, and connect, which is not supported yet.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

#include <linux/bitops.h>
#include <linux/debug_locks.h>
#include <linux/err.h>
#include <linux/lockdep.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/pci-doe.h>
#include <linux/pci-tsm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/tsm.h>

#include <kunit/device.h>
#include <kunit/resource.h>
#include <kunit/static_stub.h>
#include <kunit/test.h>

#include <asm/tdx.h>
#include "tests/tdx_fake_module.h"
#include <asm/tdx_iommu_mt.h>
#include <asm/tdx_tdi.h>

#include "tests/tdx_host_fake_pcie.h"
#include "tests/tdx_host_test_bind.h"
#include "tests/tdx_host_test_tsm.h"
#include "tests/tdx_host_test_units.h"
#include "tdx_host_iommu.h"
#include "tdx_host_tsm.h"
#include "tdx_iommu_mt_kunit.h"

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
	/* The units, and the blocks allocated for them */
	struct tdx_host_test_units *units;
	/* The (un)registrations, with the fake's set-up units and CLEAR calls */
	struct tdx_host_test_tsm *tsm;
};

static struct tsm_test *state(void)
{
	return kunit_get_current_test()->priv;
}

static int tdx_host_tsm_test_init(struct kunit *test)
{
	struct tsm_test *t;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	test->priv = t;

	t->fake = tdx_fake_module_install(test);
	/* As after TDX module initialization with TDX Connect. */
	t->fake->ext_initialized = true;
	t->sysinfo.features.tdx_features0 = t->fake->features0;
	t->sysinfo.connect.iommu_mt_page_count = t->fake->iommu_mt_page_count;

	/* Unregistered, and so its devm actions run, before the fake goes. */
	t->dev = kunit_device_register(test, "tdx_host_tsm_test");
	if (IS_ERR(t->dev))
		return PTR_ERR(t->dev);

	/* The test's units are not the machine's: nothing to restrict in VT-d. */
	t->units = tdx_host_test_units_install(test, t->fake, test_vtbars, TEST_NR_UNITS);
	if (IS_ERR(t->units))
		return PTR_ERR(t->units);
	tdx_host_test_units_stub_dids(test);
	tdx_host_test_units_stub_blocks(test);
	t->tsm = tdx_host_test_tsm_install(test, t->fake);
	if (IS_ERR(t->tsm))
		return PTR_ERR(t->tsm);
	tdx_host_test_tsm_watch_unregister(test);
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
	KUNIT_EXPECT_EQ(test, t->tsm->nr_registers, 1);
	KUNIT_EXPECT_EQ(test, t->tsm->set_up_at_register, TEST_ALL_UNITS);
	KUNIT_EXPECT_EQ(test, tdx_fake_calls(t->fake, TEST_TDH_IOMMU_SETUP), TEST_NR_UNITS);
	KUNIT_EXPECT_EQ(test, t->tsm->nr_unregisters, 0);
}

static void remove_unregisters_before_any_unit_is_cleared(struct kunit *test)
{
	struct tsm_test *t = state();

	KUNIT_ASSERT_EQ(test, tdx_host_connect_probe(t->dev, &t->sysinfo), 0);
	remove(test);

	KUNIT_EXPECT_EQ(test, t->tsm->nr_unregisters, 1);
	KUNIT_EXPECT_EQ(test, t->tsm->set_up_at_unregister, TEST_ALL_UNITS);
	KUNIT_EXPECT_EQ(test, t->tsm->clears_at_unregister, 0);
	KUNIT_EXPECT_EQ(test, tdx_fake_calls(t->fake, TEST_TDH_IOMMU_CLEAR), TEST_NR_UNITS);
	KUNIT_EXPECT_EQ(test, tdx_host_test_set_up_units(t->fake), 0);
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(t->fake), 0);
}

/* A failed registration fails the probe; the units are cleared on removal. */
static void failed_registration_leaves_units_to_devm(struct kunit *test)
{
	struct tsm_test *t = state();

	t->tsm->register_error = -ENOMEM;
	KUNIT_EXPECT_EQ(test, tdx_host_connect_probe(t->dev, &t->sysinfo), -ENOMEM);
	KUNIT_EXPECT_EQ(test, t->tsm->set_up_at_register, TEST_ALL_UNITS);
	remove(test);

	KUNIT_EXPECT_EQ(test, t->tsm->nr_unregisters, 0);
	KUNIT_EXPECT_EQ(test, tdx_host_test_set_up_units(t->fake), 0);
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(t->fake), 0);
}

/* A failed unit fails the probe before anything is registered. */
static void failed_unit_registers_nothing(struct kunit *test)
{
	struct tsm_test *t = state();

	/* Three blocks per IOMMU_MT: the first of the last unit's fails. */
	t->units->fail_block = 3 * (TEST_NR_UNITS - 1) + 1;
	KUNIT_EXPECT_EQ(test, tdx_host_connect_probe(t->dev, &t->sysinfo), -ENOMEM);
	KUNIT_EXPECT_EQ(test, t->tsm->nr_registers, 0);
	KUNIT_EXPECT_EQ(test, tdx_fake_calls(t->fake, TEST_TDH_IOMMU_CLEAR), TEST_NR_UNITS - 1);
	KUNIT_EXPECT_EQ(test, tdx_host_test_set_up_units(t->fake), 0);
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(t->fake), 0);
}

static void no_tdx_capable_unit_registers_nothing(struct kunit *test)
{
	struct tsm_test *t = state();
	unsigned int i;

	for (i = 0; i < TEST_NR_UNITS; i++)
		t->fake->iommus[i].tdx_capable = false;
	KUNIT_EXPECT_EQ(test, tdx_host_connect_probe(t->dev, &t->sysinfo), 0);
	KUNIT_EXPECT_EQ(test, t->tsm->nr_registers, 0);
}

static void without_tdx_connect_probe_does_nothing(struct kunit *test)
{
	struct tsm_test *t = state();

	t->sysinfo.features.tdx_features0 &= ~TDX_FEATURES0_TDX_CONNECT;
	KUNIT_EXPECT_EQ(test, tdx_host_connect_probe(t->dev, &t->sysinfo), 0);
	KUNIT_EXPECT_EQ(test, t->tsm->nr_registers, 0);
	KUNIT_EXPECT_EQ(test, t->fake->nr_calls, 0);
}

/* The link operations, and none of a device security TSM */
static void registered_ops_are_link_ops(struct kunit *test)
{
	struct tsm_test *t = state();
	struct pci_tsm_ops *ops;

	KUNIT_ASSERT_EQ(test, tdx_host_connect_probe(t->dev, &t->sysinfo), 0);
	ops = t->tsm->ops;
	KUNIT_ASSERT_NOT_NULL(test, ops);
	KUNIT_EXPECT_FALSE(test, IS_ERR_OR_NULL(t->tsm->tsm_dev));
	KUNIT_EXPECT_PTR_EQ(test, t->tsm->tsm_dev->pci_ops, ops);
	KUNIT_EXPECT_NOT_NULL(test, ops->probe);
	KUNIT_EXPECT_NOT_NULL(test, ops->remove);
	KUNIT_EXPECT_NOT_NULL(test, ops->connect);
	KUNIT_EXPECT_NOT_NULL(test, ops->disconnect);
	KUNIT_EXPECT_NOT_NULL(test, ops->bind);
	KUNIT_EXPECT_NOT_NULL(test, ops->unbind);
	KUNIT_EXPECT_NOT_NULL(test, ops->guest_req);
	KUNIT_EXPECT_NULL(test, ops->lock);
	KUNIT_EXPECT_NULL(test, ops->unlock);
}

/* ---- A TDISP capable device for the link operations ---- */

/* tdx-host registered, the device hot-added: the state of a connect */
static struct fake_pcie *start(struct kunit *test)
{
	struct tsm_test *t = state();
	struct fake_pcie *fp;

	KUNIT_ASSERT_EQ(test, tdx_host_connect_probe(t->dev, &t->sysinfo), 0);
	KUNIT_ASSERT_NOT_NULL(test, t->tsm->ops);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(t->tsm->tsm_dev));
	/* Function 0 with the DOE mailbox, function 1 with none */
	fp = fake_pcie_add(test, &(struct fake_pcie_params){ .nr_fns = 2 });
	KUNIT_ASSERT_NULL(test, fp->pdev->tsm);
	KUNIT_ASSERT_NULL(test, fp->fn1->tsm);
	return fp;
}

/* ->remove(), as the core's tsm_remove() calls it */
static void core_remove(struct pci_tsm_ops *ops, struct pci_dev *pdev)
{
	ops->remove(pdev->tsm);
	pdev->tsm = NULL;
}

/* The context of function 0 is a DSM with the device's CMA mailbox. */
static void expect_dsm(struct kunit *test, struct pci_tsm *tsm, struct pci_dev *pf0)
{
	struct pci_tsm_pf0 *dsm = container_of(tsm, struct pci_tsm_pf0, base_tsm);

	KUNIT_EXPECT_PTR_EQ(test, tsm->pdev, pf0);
	KUNIT_EXPECT_PTR_EQ(test, tsm->dsm_dev, pf0);
	KUNIT_EXPECT_PTR_EQ(test, tsm->tsm_dev, state()->tsm->tsm_dev);
	KUNIT_EXPECT_NULL(test, tsm->tdi);
	KUNIT_EXPECT_PTR_EQ(test, dsm->doe_mb,
			    pci_find_doe_mailbox(pf0, PCI_VENDOR_ID_PCI_SIG, PCI_DOE_FEATURE_CMA));
}

/*
 * Connect as pci_tsm_connect() makes it: probe function 0, connect under
 * the DSM lock, remove on failure.  No VT-d unit of the DMAR table covers
 * the fake device (there is no DMAR table here), so connect refuses with
 * -ENODEV before its first SEAMCALL: the TDX module is neither called nor
 * given anything, and the context goes back through ->remove().  That
 * remove frees it is not seen here: no stub watches the free, and
 * kmemleak misses a remove that keeps it.
 */
static void connect_through_the_ops_needs_a_vt_d_unit(struct kunit *test)
{
	struct fake_pcie *fp = start(test);
	struct tsm_test *t = state();
	struct pci_tsm_ops *ops = t->tsm->ops;
	unsigned long owned = tdx_fake_nr_owned(t->fake);
	unsigned int calls = t->fake->nr_calls;
	struct pci_dev *pf0 = fp->pdev;
	struct pci_tsm_pf0 *dsm;
	int ret;

	pf0->tsm = ops->probe(t->tsm->tsm_dev, pf0);
	KUNIT_ASSERT_NOT_NULL(test, pf0->tsm);
	expect_dsm(test, pf0->tsm, pf0);

	dsm = container_of(pf0->tsm, struct pci_tsm_pf0, base_tsm);
	mutex_lock(&dsm->lock);
	ret = ops->connect(pf0);
	mutex_unlock(&dsm->lock);
	KUNIT_EXPECT_EQ(test, ret, -ENODEV);
	core_remove(ops, pf0);

	KUNIT_EXPECT_EQ(test, t->fake->nr_calls, calls);
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(t->fake), owned);
}

/*
 * Probe and remove as the core makes them.  Function 0 gets a DSM context
 * with the device's CMA mailbox.  Another function gets a context that
 * leads to that DSM once function 0 has one, as probe_fn() probes it
 * after a connect and pci_tsm_init() when it is added later, and none
 * before.  Each function is removed before its DSM, as
 * pci_tsm_disconnect() walks them.  The TDX module is not called.
 */
static void probe_and_remove_through_the_ops_follow_the_dsm(struct kunit *test)
{
	struct fake_pcie *fp = start(test);
	struct pci_dev *pf0 = fp->pdev, *fn1 = fp->fn1;
	struct tsm_test *t = state();
	struct pci_tsm_ops *ops = t->tsm->ops;
	unsigned int calls = t->fake->nr_calls;

	KUNIT_EXPECT_NULL(test, ops->probe(t->tsm->tsm_dev, fn1));

	pf0->tsm = ops->probe(t->tsm->tsm_dev, pf0);
	KUNIT_ASSERT_NOT_NULL(test, pf0->tsm);
	expect_dsm(test, pf0->tsm, pf0);

	fn1->tsm = ops->probe(t->tsm->tsm_dev, fn1);
	KUNIT_ASSERT_NOT_NULL(test, fn1->tsm);
	KUNIT_EXPECT_PTR_EQ(test, fn1->tsm->pdev, fn1);
	KUNIT_EXPECT_PTR_EQ(test, fn1->tsm->dsm_dev, pf0);
	KUNIT_EXPECT_PTR_EQ(test, fn1->tsm->tsm_dev, t->tsm->tsm_dev);
	KUNIT_EXPECT_NULL(test, fn1->tsm->tdi);

	core_remove(ops, fn1);
	core_remove(ops, pf0);
	KUNIT_EXPECT_EQ(test, t->fake->nr_calls, calls);
}

/*
 * The PCI/TSM core in front of a recording link driver, for what the core
 * itself must do with the host participants of a bind.  The driver calls
 * the participants only if a test says so, as a TSM that needs them does.
 */
enum call_back {
	CALL_NOTHING,
	CALL_BIND,
	CALL_UNBIND,
	CALL_GUEST_REQ,
};

static unsigned int participant_calls, calls_in_map;
static unsigned int driver_binds, driver_unbinds;
static const struct pci_tdi_host *driver_host;
static struct pci_tdi driver_tdi;
static bool driver_calls_participants;
static enum call_back call_back;
static int call_back_ret;

/* Whether lockdep sees the caller inside the core's participant section */
static bool in_participant_map(void)
{
#ifdef CONFIG_LOCKDEP
	return lock_is_held(&pci_tsm_participant_map) == LOCK_STATE_HELD;
#else
	return false;
#endif
}

/* A participant that calls back into the core, which it must not do */
static void participant(struct tdx_host_test_host *th, enum tdx_host_test_op op,
			struct pci_tdi *tdi)
{
	u8 buf[8] = {};

	participant_calls++;
	calls_in_map += in_participant_map();
	switch (call_back) {
	case CALL_NOTHING:
		break;
	case CALL_BIND:
		call_back_ret = pci_tsm_bind(tdi->pdev, tdi->kvm, tdi->tdi_id, &th->host);
		break;
	case CALL_UNBIND:
		pci_tsm_unbind(tdi->pdev);
		break;
	case CALL_GUEST_REQ:
		call_back_ret = pci_tsm_guest_req(tdi->pdev, PCI_TSM_REQ_INFO,
						  KERNEL_SOCKPTR(buf), sizeof(buf),
						  KERNEL_SOCKPTR(buf), sizeof(buf), NULL);
		break;
	}
}

/* Participants that call participant(), but for ->mmio_share() */
static const struct pci_tdi_host_ops count_ops_no_share = {
	.dma_setup = tdx_host_test_dma_setup,
	.dma_cleanup = tdx_host_test_dma_cleanup,
	.mmio_unmap = tdx_host_test_mmio_unmap,
};

static struct pci_tsm *rec_probe(struct tsm_dev *tsm_dev, struct pci_dev *pdev)
{
	return NULL;
}

static struct pci_tdi *rec_bind(struct pci_dev *pdev, struct kvm *kvm,
				u32 tdi_id, const struct pci_tdi_host *host)
{
	driver_binds++;
	driver_host = host;
	pci_tsm_tdi_constructor(pdev, &driver_tdi, kvm, tdi_id, host);
	if (driver_calls_participants)
		host->ops->dma_setup(host, &driver_tdi);
	return &driver_tdi;
}

static void rec_unbind(struct pci_tdi *tdi)
{
	const struct pci_tdi_host *host = tdi->host;

	driver_unbinds++;
	if (driver_calls_participants) {
		host->ops->mmio_unmap(host, tdi);
		host->ops->dma_cleanup(host, tdi);
		host->ops->mmio_share(host, tdi);
	}
}

static struct pci_tsm_ops rec_link_ops = {
	.probe = rec_probe,
	.bind = rec_bind,
	.unbind = rec_unbind,
};

/*
 * A function 0 that the core takes for a connected DSM of a link TSM,
 * built by hand: no real device, DOE mailbox or sysfs.
 */
static struct pci_dev *fake_connected_pf0(struct kunit *test)
{
	struct pci_tsm_pf0 *pf0;
	struct tsm_dev *tsm_dev;
	struct pci_dev *pdev;

	pdev = kunit_kzalloc(test, sizeof(*pdev), GFP_KERNEL);
	pf0 = kunit_kzalloc(test, sizeof(*pf0), GFP_KERNEL);
	tsm_dev = kunit_kzalloc(test, sizeof(*tsm_dev), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pdev);
	KUNIT_ASSERT_NOT_NULL(test, pf0);
	KUNIT_ASSERT_NOT_NULL(test, tsm_dev);

	pdev->pcie_cap = PCI_CFG_SPACE_SIZE / 4;
	pdev->pcie_flags_reg = PCI_EXP_TYPE_ENDPOINT << 4;
	pdev->devcap = PCI_EXP_DEVCAP_TEE;
	tsm_dev->pci_ops = &rec_link_ops;
	mutex_init(&pf0->lock);
	pf0->base_tsm.pdev = pdev;
	pf0->base_tsm.dsm_dev = pdev;
	pf0->base_tsm.tsm_dev = tsm_dev;
	pdev->tsm = &pf0->base_tsm;
	KUNIT_ASSERT_TRUE(test, is_pci_tsm_pf0(pdev));

	driver_binds = 0;
	driver_unbinds = 0;
	driver_host = NULL;
	driver_calls_participants = false;
	call_back = CALL_NOTHING;
	call_back_ret = 0;
	participant_calls = 0;
	calls_in_map = 0;
	return pdev;
}

static struct kvm *test_vm(struct kunit *test)
{
	/* Never dereferenced: the core only compares and stores it. */
	struct kvm *kvm = kunit_kzalloc(test, 64, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, kvm);
	return kvm;
}

/*
 * The core refuses a bind without a kvm before the TSM driver runs, and
 * every bind of a device with no TSM context; unbind of such a device and
 * out-of-scope guest requests change nothing.  No participant is ever
 * called by the core itself, and no SEAMCALL happens.
 */
static void core_refuses_bad_binds_before_the_driver(struct kunit *test)
{
	struct tdx_host_test_host host = {
		.host.ops = &tdx_host_test_host_ops, .then = participant
	};
	struct pci_dev *pdev = fake_connected_pf0(test);
	struct kvm *kvm = test_vm(test);
	struct pci_dev *bare;
	u8 buf[8] = {};
	u64 code = 0;

	bare = kunit_kzalloc(test, sizeof(*bare), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, bare);

	KUNIT_EXPECT_EQ(test, pci_tsm_bind(pdev, NULL, 1, &host.host), -EINVAL);
	KUNIT_EXPECT_EQ(test, driver_binds, 0);
	KUNIT_EXPECT_NULL(test, pdev->tsm->tdi);

	KUNIT_EXPECT_EQ(test, pci_tsm_bind(bare, kvm, 1, &host.host), -EINVAL);
	pci_tsm_unbind(bare);
	KUNIT_EXPECT_EQ(test, pci_tsm_guest_req(bare, PCI_TSM_REQ_INFO,
						KERNEL_SOCKPTR(buf), sizeof(buf),
						KERNEL_SOCKPTR(buf), sizeof(buf),
						&code), -ENXIO);
	KUNIT_EXPECT_EQ(test, pci_tsm_guest_req(pdev, PCI_TSM_REQ_DEBUG_READ,
						KERNEL_SOCKPTR(buf), sizeof(buf),
						KERNEL_SOCKPTR(buf), sizeof(buf),
						&code), -EINVAL);
	KUNIT_EXPECT_NULL(test, bare->tsm);
	KUNIT_EXPECT_EQ(test, driver_unbinds, 0);
	KUNIT_EXPECT_EQ(test, participant_calls, 0);
	KUNIT_EXPECT_EQ(test, state()->fake->nr_calls, 0);
}

/*
 * A TSM that needs no participants, as the devsec sample and the TSMs of
 * SEV-TIO and CCA, binds and unbinds with no host at all; one with an
 * incomplete host gets it as it is.  The core checks none of it.
 */
static void core_passes_the_host_through_for_tsms_that_need_none(struct kunit *test)
{
	struct tdx_host_test_host partial = {
		.host.ops = &count_ops_no_share, .then = participant
	};
	struct pci_dev *pdev = fake_connected_pf0(test);
	struct kvm *kvm = test_vm(test);

	KUNIT_ASSERT_EQ(test, pci_tsm_bind(pdev, kvm, 3, NULL), 0);
	KUNIT_EXPECT_EQ(test, driver_binds, 1);
	KUNIT_EXPECT_NULL(test, driver_host);
	KUNIT_EXPECT_PTR_EQ(test, pdev->tsm->tdi, &driver_tdi);
	KUNIT_EXPECT_NULL(test, driver_tdi.host);
	pci_tsm_unbind(pdev);
	KUNIT_EXPECT_EQ(test, driver_unbinds, 1);
	KUNIT_EXPECT_NULL(test, pdev->tsm->tdi);

	KUNIT_ASSERT_EQ(test, pci_tsm_bind(pdev, kvm, 3, &partial.host), 0);
	KUNIT_EXPECT_PTR_EQ(test, driver_host, &partial.host);
	pci_tsm_unbind(pdev);
	KUNIT_EXPECT_EQ(test, driver_unbinds, 2);
	KUNIT_EXPECT_EQ(test, participant_calls, 0);
}

/*
 * The participants the bind caller supplies reach the TSM driver and stay
 * with the TDI for unbind.  While the TDI is bound, a second bind with the
 * same VM, TDI ID and host succeeds without the driver; one that differs
 * in any of them is refused, so no caller's participants are dropped.
 * Unbind of an unbound device does nothing.
 */
static void core_hands_the_participants_to_the_driver(struct kunit *test)
{
	struct tdx_host_test_host host = {
		.host.ops = &tdx_host_test_host_ops, .then = participant
	};
	struct tdx_host_test_host other_host = {
		.host.ops = &tdx_host_test_host_ops, .then = participant
	};
	struct pci_dev *pdev = fake_connected_pf0(test);
	struct kvm *kvm = test_vm(test), *other = test_vm(test);

	KUNIT_ASSERT_EQ(test, pci_tsm_bind(pdev, kvm, 7, &host.host), 0);
	KUNIT_EXPECT_EQ(test, driver_binds, 1);
	KUNIT_EXPECT_PTR_EQ(test, driver_host, &host.host);
	KUNIT_EXPECT_PTR_EQ(test, pdev->tsm->tdi, &driver_tdi);
	KUNIT_EXPECT_PTR_EQ(test, driver_tdi.host, &host.host);
	KUNIT_EXPECT_EQ(test, driver_tdi.tdi_id, 7);

	KUNIT_EXPECT_EQ(test, pci_tsm_bind(pdev, kvm, 7, &host.host), 0);
	KUNIT_EXPECT_EQ(test, pci_tsm_bind(pdev, other, 7, &host.host), -EBUSY);
	KUNIT_EXPECT_EQ(test, pci_tsm_bind(pdev, kvm, 8, &host.host), -EBUSY);
	KUNIT_EXPECT_EQ(test, pci_tsm_bind(pdev, kvm, 7, &other_host.host), -EBUSY);
	KUNIT_EXPECT_EQ(test, pci_tsm_bind(pdev, kvm, 7, NULL), -EBUSY);
	KUNIT_EXPECT_EQ(test, driver_binds, 1);
	KUNIT_EXPECT_PTR_EQ(test, driver_tdi.host, &host.host);

	pci_tsm_unbind(pdev);
	KUNIT_EXPECT_EQ(test, driver_unbinds, 1);
	KUNIT_EXPECT_NULL(test, pdev->tsm->tdi);
	pci_tsm_unbind(pdev);
	KUNIT_EXPECT_EQ(test, driver_unbinds, 1);
	KUNIT_EXPECT_EQ(test, participant_calls, 0);
}

/*
 * Every participant call of a bind and an unbind is inside the core's
 * "pci_tsm_participant" lockdep map, so lockdep orders each lock a
 * participant takes after the locks of pci_tsm_bind() and
 * pci_tsm_unbind() callers; the map is not held outside.
 */
static void core_runs_the_participants_in_its_lockdep_map(struct kunit *test)
{
	struct tdx_host_test_host host = {
		.host.ops = &tdx_host_test_host_ops, .then = participant
	};
	struct pci_dev *pdev = fake_connected_pf0(test);
	struct kvm *kvm = test_vm(test);

	if (!IS_ENABLED(CONFIG_LOCKDEP) || !debug_locks)
		kunit_skip(test, "needs lockdep, on");
	driver_calls_participants = true;
	KUNIT_ASSERT_EQ(test, pci_tsm_bind(pdev, kvm, 7, &host.host), 0);
	pci_tsm_unbind(pdev);
	KUNIT_EXPECT_EQ(test, participant_calls, 4);
	KUNIT_EXPECT_EQ(test, calls_in_map, 4);
	KUNIT_EXPECT_FALSE(test, in_participant_map());
}

static const enum call_back call_backs[] = { CALL_BIND, CALL_UNBIND, CALL_GUEST_REQ };

static void call_back_desc(const enum call_back *c, char *desc)
{
	static const char * const names[] = {
		[CALL_BIND] = "pci_tsm_bind()",
		[CALL_UNBIND] = "pci_tsm_unbind()",
		[CALL_GUEST_REQ] = "pci_tsm_guest_req()",
	};

	strscpy(desc, names[*c], KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(call_back, call_backs, call_back_desc);

/*
 * A participant that calls back into the core, which would wait for the
 * locks its own caller holds, is refused with one warning per call and
 * -EDEADLK; the bind and the unbind it runs in complete.
 */
static void core_refuses_participants_that_call_back(struct kunit *test)
{
	struct tdx_host_test_host host = {
		.host.ops = &tdx_host_test_host_ops, .then = participant
	};
	struct pci_dev *pdev = fake_connected_pf0(test);
	struct kvm *kvm = test_vm(test);

	if (!IS_ENABLED(CONFIG_LOCKDEP) || !debug_locks)
		kunit_skip(test, "needs lockdep, on");
	driver_calls_participants = true;
	call_back = *(const enum call_back *)test->param_value;
	kunit_warning_suppress(test) {
		KUNIT_EXPECT_EQ(test, pci_tsm_bind(pdev, kvm, 7, &host.host), 0);
		KUNIT_EXPECT_SUPPRESSED_WARNING_COUNT(test, 1);
		pci_tsm_unbind(pdev);
		KUNIT_EXPECT_SUPPRESSED_WARNING_COUNT(test, 4);
	}
	if (call_back != CALL_UNBIND)
		KUNIT_EXPECT_EQ(test, call_back_ret, -EDEADLK);
	KUNIT_EXPECT_EQ(test, driver_binds, 1);
	KUNIT_EXPECT_EQ(test, driver_unbinds, 1);
	KUNIT_EXPECT_NULL(test, pdev->tsm->tdi);
	KUNIT_EXPECT_EQ(test, participant_calls, 4);
}

/*
 * pci_tsm_assert_held() warns outside the core's locks, once for
 * pci_tsm_rwsem and once for the DSM lock, and not inside them, where the
 * core calls the TSM driver.
 */
static void assert_held_warns_outside_the_core_locks(struct kunit *test)
{
	struct pci_dev *pdev = fake_connected_pf0(test);

	if (!IS_ENABLED(CONFIG_LOCKDEP) || !debug_locks)
		kunit_skip(test, "needs lockdep, on");
	kunit_warning_suppress(test) {
		pci_tsm_assert_held(pdev);
		KUNIT_EXPECT_SUPPRESSED_WARNING_COUNT(test, 2);
	}
}

/* The TDR page of the TD, tdx_host_test_kvm(), in KVM's lookup */
#define TEST_TDR	0x5000

/*
 * tdx-host's bind, through the core, on a function 0 it probed but did
 * not connect: TDX Connect needs a TD and all four participants, and
 * -EINVAL for a NULL host, a NULL op or a VM that is not a TD comes
 * before anything else; with all of them the bind gets as far as the
 * link (-ENXIO).  No participant and no SEAMCALL runs.  Called without
 * the core's locks, its bind op warns.
 */
static void tdx_host_bind_needs_a_td_and_every_participant(struct kunit *test)
{
	struct tdx_host_test_host partial = {
		.host.ops = &count_ops_no_share, .then = participant
	};
	struct tdx_host_test_host host = {
		.host.ops = &tdx_host_test_host_ops, .then = participant
	};
	struct fake_pcie *fp = start(test);
	struct tsm_test *t = state();
	struct pci_tsm_ops *ops = t->tsm->ops;
	struct kvm *the_td = tdx_host_test_kvm();
	struct pci_dev *pf0 = fp->pdev;
	unsigned int calls = t->fake->nr_calls;
	struct kvm *not_a_td = test_vm(test);
	struct pci_tdi *tdi;

	participant_calls = 0;
	KUNIT_ASSERT_EQ(test, tdx_host_test_td_install(test, TEST_TDR), 0);
	pf0->tsm = ops->probe(t->tsm->tsm_dev, pf0);
	KUNIT_ASSERT_NOT_NULL(test, pf0->tsm);

	KUNIT_EXPECT_EQ(test, pci_tsm_bind(pf0, the_td, 1, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, pci_tsm_bind(pf0, the_td, 1, &partial.host), -EINVAL);
	KUNIT_EXPECT_EQ(test, pci_tsm_bind(pf0, not_a_td, 1, &host.host), -EINVAL);
	KUNIT_EXPECT_EQ(test, pci_tsm_bind(pf0, the_td, 1, &host.host), -ENXIO);
	KUNIT_EXPECT_NULL(test, pf0->tsm->tdi);

	if (IS_ENABLED(CONFIG_LOCKDEP) && debug_locks) {
		kunit_warning_suppress(test) {
			tdi = ops->bind(pf0, the_td, 1, NULL);
			KUNIT_EXPECT_EQ(test, PTR_ERR(tdi), -EINVAL);
			KUNIT_EXPECT_SUPPRESSED_WARNING_COUNT(test, 2);
		}
	}
	core_remove(ops, pf0);

	KUNIT_EXPECT_EQ(test, participant_calls, 0);
	KUNIT_EXPECT_EQ(test, t->fake->nr_calls, calls);
}

static struct kunit_case tdx_host_tsm_test_cases[] = {
	KUNIT_CASE(probe_registers_after_every_unit_is_set_up),
	KUNIT_CASE(remove_unregisters_before_any_unit_is_cleared),
	KUNIT_CASE(failed_registration_leaves_units_to_devm),
	KUNIT_CASE(failed_unit_registers_nothing),
	KUNIT_CASE(no_tdx_capable_unit_registers_nothing),
	KUNIT_CASE(without_tdx_connect_probe_does_nothing),
	KUNIT_CASE(registered_ops_are_link_ops),
	KUNIT_CASE(connect_through_the_ops_needs_a_vt_d_unit),
	KUNIT_CASE(probe_and_remove_through_the_ops_follow_the_dsm),
	KUNIT_CASE(core_refuses_bad_binds_before_the_driver),
	KUNIT_CASE(core_passes_the_host_through_for_tsms_that_need_none),
	KUNIT_CASE(core_hands_the_participants_to_the_driver),
	KUNIT_CASE(core_runs_the_participants_in_its_lockdep_map),
	KUNIT_CASE_PARAM(core_refuses_participants_that_call_back, call_back_gen_params),
	KUNIT_CASE(assert_held_warns_outside_the_core_locks),
	KUNIT_CASE(tdx_host_bind_needs_a_td_and_every_participant),
	{}
};

static struct kunit_suite tdx_host_tsm_test_suite = {
	.name = "tdx_host_tsm",
	.init = tdx_host_tsm_test_init,
	.test_cases = tdx_host_tsm_test_cases,
};

kunit_test_suite(tdx_host_tsm_test_suite);

MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");
