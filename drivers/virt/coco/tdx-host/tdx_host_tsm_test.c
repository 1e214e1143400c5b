// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the TDX Connect probe and remove of tdx-host: the PCI
 * link TSM is registered only once every VT-d unit is set up, and
 * unregistered before any unit is cleared.  The link operations it
 * registers are called as the PCI/TSM core calls them, on a fake
 * two-function device: probe and remove of each function, and connect,
 * which is not supported yet.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

#include <linux/bitfield.h>
#include <linux/bitops.h>
#include <linux/err.h>
#include <linux/idr.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/pci-doe.h>
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
	struct tsm_dev *tsm_dev;
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
	t->tsm_dev = tsm_register(dev, ops);
	return t->tsm_dev;
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

/* The link operations, and none of a device security TSM */
static void registered_ops_are_link_ops(struct kunit *test)
{
	struct tsm_test *t = state();
	struct pci_tsm_ops *ops;

	KUNIT_ASSERT_EQ(test, tdx_host_connect_probe(t->dev, &t->sysinfo), 0);
	ops = t->ops;
	KUNIT_ASSERT_NOT_NULL(test, ops);
	KUNIT_EXPECT_FALSE(test, IS_ERR_OR_NULL(t->tsm_dev));
	KUNIT_EXPECT_PTR_EQ(test, t->tsm_dev->pci_ops, ops);
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

/*
 * A PCI domain no firmware describes: ACPI segments are 16 bits, and VMD
 * takes domains above every one in use.
 */
#define TEST_DOMAIN	0x7fff0000
#define TEST_BUS	0
#define TEST_FNS	2

#define FAKE_PCIE_CAP	0x40
#define FAKE_DOE_CAP	0x100
#define FAKE_DOE_DW	8

/**
 * struct fake_pcie - Functions 0 and 1 of a TDISP capable endpoint
 * @sysdata: x86 host bridge data: TEST_DOMAIN
 * @busn: the bus number of its root bus
 * @bus: the root bus, until removed
 * @fn: functions 0 and 1, referenced until the test ends
 * @cfg: config space of each function; writes outside the DOE mailbox
 *	 of function 0 are dropped
 * @req: the DOE request being written
 * @nr_req: dwords in @req
 * @rsp: the DOE response being read
 * @nr_rsp: dwords in @rsp
 * @rsp_pos: next dword of @rsp to read
 * @doe_status: the DOE Status register
 *
 * Function 0 is the Device Security Manager, with a DOE mailbox that
 * answers discovery with CMA/SPDM; function 1 has no mailbox.  Config
 * accesses are serialized by the PCI core's pci_lock.
 */
struct fake_pcie {
	struct pci_sysdata sysdata;
	struct resource busn;
	struct pci_bus *bus;
	struct pci_dev *fn[TEST_FNS];
	u32 cfg[TEST_FNS][PCI_CFG_SPACE_EXP_SIZE / 4];
	u32 req[FAKE_DOE_DW];
	unsigned int nr_req;
	u32 rsp[FAKE_DOE_DW];
	unsigned int nr_rsp;
	unsigned int rsp_pos;
	u32 doe_status;
};

static struct fake_pcie *to_fake_pcie(struct pci_bus *bus)
{
	return container_of(bus->sysdata, struct fake_pcie, sysdata);
}

/* DOE discovery: feature 0 is discovery itself, feature 1 is CMA/SPDM. */
static void fake_doe_go(struct fake_pcie *fp)
{
	static const u8 types[] = { PCI_DOE_FEATURE_DISCOVERY, PCI_DOE_FEATURE_CMA };
	u8 index;

	if (fp->nr_req != 3 ||
	    FIELD_GET(PCI_DOE_DATA_OBJECT_HEADER_1_VID, fp->req[0]) != PCI_VENDOR_ID_PCI_SIG ||
	    FIELD_GET(PCI_DOE_DATA_OBJECT_HEADER_1_TYPE, fp->req[0]) !=
	    PCI_DOE_FEATURE_DISCOVERY ||
	    FIELD_GET(PCI_DOE_DATA_OBJECT_HEADER_2_LENGTH, fp->req[1]) != 3) {
		fp->doe_status = PCI_DOE_STATUS_ERROR;
		return;
	}

	index = FIELD_GET(PCI_DOE_DATA_OBJECT_DISC_REQ_3_INDEX, fp->req[2]);
	if (index >= ARRAY_SIZE(types)) {
		fp->doe_status = PCI_DOE_STATUS_ERROR;
		return;
	}
	fp->rsp[0] = fp->req[0];
	fp->rsp[1] = FIELD_PREP(PCI_DOE_DATA_OBJECT_HEADER_2_LENGTH, 3);
	fp->rsp[2] = FIELD_PREP(PCI_DOE_DATA_OBJECT_DISC_RSP_3_VID, PCI_VENDOR_ID_PCI_SIG) |
		     FIELD_PREP(PCI_DOE_DATA_OBJECT_DISC_RSP_3_TYPE, types[index]) |
		     FIELD_PREP(PCI_DOE_DATA_OBJECT_DISC_RSP_3_NEXT_INDEX,
				index + 1 < ARRAY_SIZE(types) ? index + 1 : 0);
	fp->nr_rsp = 3;
	fp->rsp_pos = 0;
	fp->nr_req = 0;
	fp->doe_status = PCI_DOE_STATUS_DATA_OBJECT_READY;
}

static int fake_pcie_read(struct pci_bus *bus, unsigned int devfn, int where,
			  int size, u32 *val)
{
	struct fake_pcie *fp = to_fake_pcie(bus);
	u32 dw;

	if (devfn >= TEST_FNS || where + size > PCI_CFG_SPACE_EXP_SIZE) {
		*val = ~0;
		return PCIBIOS_DEVICE_NOT_FOUND;
	}

	dw = fp->cfg[devfn][where / 4];
	if (!devfn && (where & ~3) == FAKE_DOE_CAP + PCI_DOE_STATUS)
		dw = fp->doe_status;
	else if (!devfn && (where & ~3) == FAKE_DOE_CAP + PCI_DOE_READ)
		dw = fp->rsp_pos < fp->nr_rsp ? fp->rsp[fp->rsp_pos] : 0;
	*val = dw >> (8 * (where & 3));
	if (size < 4)
		*val &= GENMASK(8 * size - 1, 0);
	return PCIBIOS_SUCCESSFUL;
}

static int fake_pcie_write(struct pci_bus *bus, unsigned int devfn, int where,
			   int size, u32 val)
{
	struct fake_pcie *fp = to_fake_pcie(bus);

	if (devfn >= TEST_FNS)
		return PCIBIOS_DEVICE_NOT_FOUND;
	if (devfn || size != 4)
		return PCIBIOS_SUCCESSFUL;

	switch (where) {
	case FAKE_DOE_CAP + PCI_DOE_CTRL:
		if (val & PCI_DOE_CTRL_ABORT) {
			fp->nr_req = 0;
			fp->nr_rsp = 0;
			fp->doe_status = 0;
		} else if (val & PCI_DOE_CTRL_GO) {
			fake_doe_go(fp);
		}
		break;
	case FAKE_DOE_CAP + PCI_DOE_WRITE:
		if (fp->nr_req < FAKE_DOE_DW)
			fp->req[fp->nr_req++] = val;
		break;
	case FAKE_DOE_CAP + PCI_DOE_READ:
		/* Any write acknowledges the dword read. */
		if (fp->rsp_pos < fp->nr_rsp && ++fp->rsp_pos == fp->nr_rsp)
			fp->doe_status &= ~PCI_DOE_STATUS_DATA_OBJECT_READY;
		break;
	}
	return PCIBIOS_SUCCESSFUL;
}

static struct pci_ops fake_pcie_ops = {
	.read = fake_pcie_read,
	.write = fake_pcie_write,
};

static void fake_pcie_init_cfg(struct fake_pcie *fp)
{
	unsigned int fn;

	for (fn = 0; fn < TEST_FNS; fn++) {
		u32 *cfg = fp->cfg[fn];

		/* A vendor-specific class that no driver claims */
		cfg[PCI_VENDOR_ID / 4] = PCI_VENDOR_ID_REDHAT | 0x00fe << 16;
		cfg[PCI_COMMAND / 4] = PCI_STATUS_CAP_LIST << 16;
		cfg[PCI_CLASS_REVISION / 4] = 0xff000000 | 1;
		cfg[PCI_CAPABILITY_LIST / 4] = FAKE_PCIE_CAP;
		cfg[FAKE_PCIE_CAP / 4] = PCI_CAP_ID_EXP |
					 (2 | PCI_EXP_TYPE_ENDPOINT << 4) << 16;
		cfg[(FAKE_PCIE_CAP + PCI_EXP_DEVCAP) / 4] = PCI_EXP_DEVCAP_TEE;
	}
	/* Function 0: multi-function, and the DOE mailbox */
	fp->cfg[0][PCI_HEADER_TYPE / 4] = PCI_HEADER_TYPE_MFD << 8 * (PCI_HEADER_TYPE & 3);
	fp->cfg[0][FAKE_DOE_CAP / 4] = PCI_EXT_CAP_ID_DOE | 2 << 16;
}

static void fake_pcie_release(void *data)
{
	struct fake_pcie *fp = data;
	struct pci_host_bridge *bridge;
	unsigned int fn;

	pci_lock_rescan_remove();
	bridge = pci_find_host_bridge(fp->bus);
	pci_stop_root_bus(fp->bus);
	pci_remove_root_bus(fp->bus);
	pci_unlock_rescan_remove();
	/*
	 * Drop the reference pci_scan_root_bus() leaves to its caller.  The
	 * release of a host bridge does not free the stream ID that
	 * pci_ide_init_host_bridge() reserved (PCI_TSM selects PCI_IDE).
	 */
	ida_destroy(&bridge->ide_stream_ids_ida);
	pci_free_host_bridge(bridge);
	for (fn = 0; fn < TEST_FNS; fn++)
		pci_dev_put(fp->fn[fn]);
}

/* Scan the fake device in, as hotplug would. */
static struct fake_pcie *fake_pcie_add(struct kunit *test)
{
	struct fake_pcie *fp = kunit_kzalloc(test, sizeof(*fp), GFP_KERNEL);
	LIST_HEAD(resources);
	unsigned int fn;

	KUNIT_ASSERT_NOT_NULL(test, fp);
	fake_pcie_init_cfg(fp);
	fp->sysdata.domain = TEST_DOMAIN;
	fp->sysdata.node = NUMA_NO_NODE;
	fp->busn = DEFINE_RES_NAMED(TEST_BUS, 1, "fake TDISP bus", IORESOURCE_BUS);
	pci_add_resource(&resources, &fp->busn);

	pci_lock_rescan_remove();
	fp->bus = pci_scan_root_bus(NULL, TEST_BUS, &fake_pcie_ops, &fp->sysdata,
				    &resources);
	if (fp->bus)
		pci_bus_add_devices(fp->bus);
	pci_unlock_rescan_remove();
	pci_free_resource_list(&resources);
	KUNIT_ASSERT_NOT_NULL(test, fp->bus);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, fake_pcie_release, fp), 0);

	for (fn = 0; fn < TEST_FNS; fn++) {
		fp->fn[fn] = pci_get_slot(fp->bus, PCI_DEVFN(0, fn));
		KUNIT_ASSERT_NOT_NULL(test, fp->fn[fn]);
		KUNIT_ASSERT_NULL(test, fp->fn[fn]->tsm);
	}
	KUNIT_ASSERT_EQ(test, pci_domain_nr(fp->bus), TEST_DOMAIN);
	KUNIT_ASSERT_TRUE(test, is_pci_tsm_pf0(fp->fn[0]));
	KUNIT_ASSERT_FALSE(test, is_pci_tsm_pf0(fp->fn[1]));
	KUNIT_ASSERT_NOT_NULL(test, pci_find_doe_mailbox(fp->fn[0], PCI_VENDOR_ID_PCI_SIG,
							 PCI_DOE_FEATURE_CMA));
	return fp;
}

/* tdx-host registered, the device hot-added: the state of a connect */
static struct fake_pcie *start(struct kunit *test)
{
	struct tsm_test *t = state();

	KUNIT_ASSERT_EQ(test, tdx_host_connect_probe(t->dev, &t->sysinfo), 0);
	KUNIT_ASSERT_NOT_NULL(test, t->ops);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(t->tsm_dev));
	return fake_pcie_add(test);
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
	KUNIT_EXPECT_PTR_EQ(test, tsm->tsm_dev, state()->tsm_dev);
	KUNIT_EXPECT_NULL(test, tsm->tdi);
	KUNIT_EXPECT_PTR_EQ(test, dsm->doe_mb,
			    pci_find_doe_mailbox(pf0, PCI_VENDOR_ID_PCI_SIG, PCI_DOE_FEATURE_CMA));
}

/*
 * Connect as pci_tsm_connect() makes it: probe function 0, connect under
 * the DSM lock, remove on failure.  Until SPDM and IDE are supported it
 * fails with -EOPNOTSUPP, the TDX module is neither called nor given
 * anything, and the context goes back through ->remove().  That remove
 * frees it is not seen here: no stub watches the free, and kmemleak
 * misses a remove that keeps it.
 */
static void connect_through_the_ops_is_not_supported(struct kunit *test)
{
	struct fake_pcie *fp = start(test);
	struct tsm_test *t = state();
	struct pci_tsm_ops *ops = t->ops;
	unsigned long owned = tdx_fake_nr_owned(t->fake);
	unsigned int calls = t->fake->nr_calls;
	struct pci_dev *pf0 = fp->fn[0];
	struct pci_tsm_pf0 *dsm;
	int ret;

	pf0->tsm = ops->probe(t->tsm_dev, pf0);
	KUNIT_ASSERT_NOT_NULL(test, pf0->tsm);
	expect_dsm(test, pf0->tsm, pf0);

	dsm = container_of(pf0->tsm, struct pci_tsm_pf0, base_tsm);
	mutex_lock(&dsm->lock);
	ret = ops->connect(pf0);
	mutex_unlock(&dsm->lock);
	KUNIT_EXPECT_EQ(test, ret, -EOPNOTSUPP);
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
	struct pci_dev *pf0 = fp->fn[0], *fn1 = fp->fn[1];
	struct tsm_test *t = state();
	struct pci_tsm_ops *ops = t->ops;
	unsigned int calls = t->fake->nr_calls;

	KUNIT_EXPECT_NULL(test, ops->probe(t->tsm_dev, fn1));

	pf0->tsm = ops->probe(t->tsm_dev, pf0);
	KUNIT_ASSERT_NOT_NULL(test, pf0->tsm);
	expect_dsm(test, pf0->tsm, pf0);

	fn1->tsm = ops->probe(t->tsm_dev, fn1);
	KUNIT_ASSERT_NOT_NULL(test, fn1->tsm);
	KUNIT_EXPECT_PTR_EQ(test, fn1->tsm->pdev, fn1);
	KUNIT_EXPECT_PTR_EQ(test, fn1->tsm->dsm_dev, pf0);
	KUNIT_EXPECT_PTR_EQ(test, fn1->tsm->tsm_dev, t->tsm_dev);
	KUNIT_EXPECT_NULL(test, fn1->tsm->tdi);

	core_remove(ops, fn1);
	core_remove(ops, pf0);
	KUNIT_EXPECT_EQ(test, t->fake->nr_calls, calls);
}

/*
 * The PCI/TSM core in front of a recording link driver, for what the core
 * itself must do with the host participants of a bind.
 */
static unsigned int participant_calls;
static unsigned int driver_binds, driver_unbinds;
static const struct pci_tdi_host *driver_host;
static struct pci_tdi driver_tdi;

static int count_dma_setup(const struct pci_tdi_host *host, struct pci_tdi *tdi)
{
	participant_calls++;
	return 0;
}

static void count_step(const struct pci_tdi_host *host, struct pci_tdi *tdi)
{
	participant_calls++;
}

static const struct pci_tdi_host_ops count_ops = {
	.dma_setup = count_dma_setup,
	.dma_cleanup = count_step,
	.mmio_unmap = count_step,
	.mmio_share = count_step,
};

static const struct pci_tdi_host_ops count_ops_no_share = {
	.dma_setup = count_dma_setup,
	.dma_cleanup = count_step,
	.mmio_unmap = count_step,
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
	return &driver_tdi;
}

static void rec_unbind(struct pci_tdi *tdi)
{
	driver_unbinds++;
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
	participant_calls = 0;
	return pdev;
}

/*
 * The core refuses a bind without a kvm or without a complete set of host
 * participants before the TSM driver runs, and refuses every bind of a
 * device with no TSM context; unbind of such a device and out-of-scope
 * guest requests change nothing.  No participant is ever called by the
 * core itself, and no SEAMCALL happens.
 */
static void core_refuses_bad_binds_before_the_driver(struct kunit *test)
{
	struct pci_tdi_host partial = { .ops = &count_ops_no_share, .vm_handle = 0x1000 };
	struct pci_tdi_host host = { .ops = &count_ops, .vm_handle = 0x1000 };
	struct pci_tdi_host no_ops = { .vm_handle = 0x1000 };
	struct pci_dev *pdev = fake_connected_pf0(test);
	struct pci_dev *bare;
	struct kvm *kvm;
	u8 buf[8] = {};
	u64 code = 0;

	/* Never dereferenced: the core only compares and stores it. */
	kvm = kunit_kzalloc(test, 64, GFP_KERNEL);
	bare = kunit_kzalloc(test, sizeof(*bare), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, kvm);
	KUNIT_ASSERT_NOT_NULL(test, bare);

	KUNIT_EXPECT_EQ(test, pci_tsm_bind(pdev, NULL, 1, &host), -EINVAL);
	KUNIT_EXPECT_EQ(test, pci_tsm_bind(pdev, kvm, 1, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, pci_tsm_bind(pdev, kvm, 1, &no_ops), -EINVAL);
	KUNIT_EXPECT_EQ(test, pci_tsm_bind(pdev, kvm, 1, &partial), -EINVAL);
	KUNIT_EXPECT_EQ(test, driver_binds, 0);
	KUNIT_EXPECT_NULL(test, pdev->tsm->tdi);

	KUNIT_EXPECT_EQ(test, pci_tsm_bind(bare, kvm, 1, &host), -EINVAL);
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
 * The participants the bind caller supplies reach the TSM driver and stay
 * with the TDI for unbind; a second bind for another VM is refused while
 * the TDI is bound, and unbind of an unbound device does nothing.
 */
static void core_hands_the_participants_to_the_driver(struct kunit *test)
{
	struct pci_tdi_host host = { .ops = &count_ops, .vm_handle = 0x1000 };
	struct pci_dev *pdev = fake_connected_pf0(test);
	struct kvm *kvm, *other;

	kvm = kunit_kzalloc(test, 64, GFP_KERNEL);
	other = kunit_kzalloc(test, 64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, kvm);
	KUNIT_ASSERT_NOT_NULL(test, other);

	KUNIT_ASSERT_EQ(test, pci_tsm_bind(pdev, kvm, 7, &host), 0);
	KUNIT_EXPECT_EQ(test, driver_binds, 1);
	KUNIT_EXPECT_PTR_EQ(test, driver_host, &host);
	KUNIT_EXPECT_PTR_EQ(test, pdev->tsm->tdi, &driver_tdi);
	KUNIT_EXPECT_PTR_EQ(test, driver_tdi.host, &host);
	KUNIT_EXPECT_EQ(test, driver_tdi.tdi_id, 7);

	KUNIT_EXPECT_EQ(test, pci_tsm_bind(pdev, other, 8, &host), -EBUSY);
	KUNIT_EXPECT_EQ(test, driver_binds, 1);

	pci_tsm_unbind(pdev);
	KUNIT_EXPECT_EQ(test, driver_unbinds, 1);
	KUNIT_EXPECT_NULL(test, pdev->tsm->tdi);
	pci_tsm_unbind(pdev);
	KUNIT_EXPECT_EQ(test, driver_unbinds, 1);
	KUNIT_EXPECT_EQ(test, participant_calls, 0);
}

static struct kunit_case tdx_host_tsm_test_cases[] = {
	KUNIT_CASE(probe_registers_after_every_unit_is_set_up),
	KUNIT_CASE(remove_unregisters_before_any_unit_is_cleared),
	KUNIT_CASE(failed_registration_leaves_units_to_devm),
	KUNIT_CASE(failed_unit_registers_nothing),
	KUNIT_CASE(no_tdx_capable_unit_registers_nothing),
	KUNIT_CASE(without_tdx_connect_probe_does_nothing),
	KUNIT_CASE(registered_ops_are_link_ops),
	KUNIT_CASE(connect_through_the_ops_is_not_supported),
	KUNIT_CASE(probe_and_remove_through_the_ops_follow_the_dsm),
	KUNIT_CASE(core_refuses_bad_binds_before_the_driver),
	KUNIT_CASE(core_hands_the_participants_to_the_driver),
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
