// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for tdx-host behind the real PCI/TSM core: function 0 of
 * the fake PCIe endpoint of tdx_host_fake_pcie.c, with a DOE mailbox,
 * below a Root Port on a root bus of its own, connected and
 * disconnected through its tsm/ sysfs files.  Every Extension SEAMCALL
 * and every message to the device comes in the order of the TDX
 * module's script, key update included, and nothing is left after the
 * disconnect.  The environment is that of tests/tdx_host_test_link.c.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

#include <linux/bitfield.h>
#include <linux/idr.h>
#include <linux/pci.h>
#include <linux/pci-doe.h>
#include <linux/pci-ide.h>

#include <kunit/test.h>

#include <asm/tdx.h>
#include "tests/tdx_fake_module.h"
#include "tests/tdx_fake_spdm.h"

#include "../../../../arch/x86/virt/vmx/tdx/tdx.h"
#include "tests/tdx_host_fake_pcie.h"
#include "tests/tdx_host_test_link.h"

/* IDE Address Association Register 1 for @rp's prefetchable window */
static u64 pref_assoc1(struct pci_dev *rp)
{
	struct resource *pref = pci_resource_n(rp, PCI_BRIDGE_PREF_MEM_WINDOW);
	struct pci_bus_region r;

	pcibios_resource_to_bus(rp->bus, &r, pref);
	return PCI_IDE_SEL_ADDR_1_VALID |
	       FIELD_PREP(PCI_IDE_SEL_ADDR_1_BASE_LOW, (u32)r.start >> 20) |
	       FIELD_PREP(PCI_IDE_SEL_ADDR_1_LIMIT_LOW, (u32)r.end >> 20);
}

/*
 * Connect and disconnect through sysfs, with the real PCI/TSM and IDE
 * core: every Extension SEAMCALL and every message to the device in the
 * order of the module's script, the stream keyed at both ends and enabled
 * at the device, and afterwards nothing left.  Reports the SEAMCALLs and
 * DOE exchanges against the minimum: one SEAMCALL per message, plus the
 * calls that carry none.
 */
static void connect_and_disconnect_in_the_modules_order(struct kunit *test)
{
	struct tdx_host_test_link *e = test->priv;
	unsigned int from, nr, calls, wbinvd;
	struct tdx_fake_spdm_stream *st;
	struct pci_dev *pdev;
	u8 stream_id = 0;
	u32 *want;

	want = kunit_kcalloc(test, TDX_HOST_TEST_LINK_MAX_LOG, sizeof(*want), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, want);
	tdx_host_test_link_start(test, 1);
	pdev = e->fp->pdev;

	from = e->fs->nr_events;
	calls = e->fake->nr_calls;
	KUNIT_ASSERT_EQ(test, tdx_host_test_link_connect(e), 0);
	nr = tdx_host_test_link_connect_log(want, false);
	tdx_host_test_link_expect_log(test, e, from, want, nr);
	KUNIT_EXPECT_EQ(test, fake_pcie_doe_count(e->fp, PCI_DOE_FEATURE_CMA), 6);
	KUNIT_EXPECT_EQ(test, fake_pcie_doe_count(e->fp, PCI_DOE_FEATURE_SSESSION), 5);
	KUNIT_EXPECT_EQ(test, e->fake->nr_calls - calls,
			nr - tdx_host_test_link_nr_doe(want, nr));
	kunit_info(test, "connect: %u SEAMCALLs, %u DOE exchanges, minimum %u SEAMCALLs\n",
		   e->fake->nr_calls - calls, tdx_host_test_link_nr_doe(want, nr),
		   tdx_host_test_link_nr_doe(want, nr) + 4);

	KUNIT_ASSERT_NOT_NULL(test, tdx_fake_spdm_session(e->fs, pci_dev_id(pdev)));
	KUNIT_EXPECT_TRUE(test, tdx_fake_spdm_session(e->fs, pci_dev_id(pdev))->connected);
	KUNIT_ASSERT_EQ(test, tdx_fake_spdm_nr_streams(e->fs), 1);
	st = &e->fs->streams[0];
	KUNIT_EXPECT_TRUE(test, st->keyed);
	KUNIT_EXPECT_TRUE(test, st->rp_enabled);
	KUNIT_EXPECT_EQ(test, st->rp_devfn, e->fp->rp->devfn);
	KUNIT_EXPECT_EQ(test, st->rid_base, pci_dev_id(pdev));
	KUNIT_EXPECT_TRUE(test, tdx_fake_spdm_device_keyed(e->fs, pci_dev_id(pdev),
							   st->stream_id));
	/*
	 * The module got one address association block, the root port's
	 * prefetchable window, the one the module can take of two.
	 */
	KUNIT_EXPECT_EQ(test, st->addr_assoc[0], pref_assoc1(e->fp->rp));
	/* The device's side enabled, with the module's stream ID */
	KUNIT_EXPECT_EQ(test, tdx_host_test_link_streams_enabled(pdev, &stream_id), 1);
	KUNIT_EXPECT_EQ(test, stream_id, st->stream_id);
	/* The core registered the stream the module chose */
	KUNIT_EXPECT_TRUE(test, ida_exists(&pci_find_host_bridge(pdev->bus)->ide_stream_ids_ida,
					   st->stream_id));

	from = e->fs->nr_events;
	calls = e->fake->nr_calls;
	wbinvd = tdx_fake_calls(e->fake, TDH_PHYMEM_PAGE_WBINVD);
	KUNIT_ASSERT_EQ(test, tdx_host_test_link_disconnect(e), 0);
	nr = tdx_host_test_link_disconnect_log(want);
	tdx_host_test_link_expect_log(test, e, from, want, nr);
	wbinvd = tdx_fake_calls(e->fake, TDH_PHYMEM_PAGE_WBINVD) - wbinvd;
	/* Every page the module gave back written back before its free */
	KUNIT_EXPECT_EQ(test, wbinvd, e->sysinfo.connect.spdm_mt_page_count +
			e->sysinfo.connect.ide_mt_page_count);
	KUNIT_EXPECT_EQ(test, e->fake->nr_calls - calls,
			nr - tdx_host_test_link_nr_doe(want, nr) + wbinvd);
	kunit_info(test, "disconnect: %u SEAMCALLs (%u WBINVD), %u DOE exchanges, minimum %u + %u\n",
		   e->fake->nr_calls - calls, wbinvd, tdx_host_test_link_nr_doe(want, nr),
		   tdx_host_test_link_nr_doe(want, nr) + 5, wbinvd);
	tdx_host_test_link_expect_disconnected(test, e);

	tdx_host_test_link_remove_host(test);
	tdx_host_test_link_expect_released(test, e);
}

static void connect_runs_the_key_update_the_module_asks_for(struct kunit *test)
{
	struct tdx_host_test_link *e = test->priv;
	unsigned int from, nr;
	u32 *want;

	want = kunit_kcalloc(test, TDX_HOST_TEST_LINK_MAX_LOG, sizeof(*want), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, want);
	tdx_host_test_link_start(test, 1);
	e->fs->key_refresh = true;

	from = e->fs->nr_events;
	KUNIT_ASSERT_EQ(test, tdx_host_test_link_connect(e), 0);
	nr = tdx_host_test_link_connect_log(want, true);
	tdx_host_test_link_expect_log(test, e, from, want, nr);
	KUNIT_EXPECT_EQ(test, tdx_fake_spdm_session(e->fs, pci_dev_id(e->fp->pdev))->nr_key_updates,
			1);

	KUNIT_ASSERT_EQ(test, tdx_host_test_link_disconnect(e), 0);
	tdx_host_test_link_expect_disconnected(test, e);
	tdx_host_test_link_remove_host(test);
	tdx_host_test_link_expect_released(test, e);
}

static struct kunit_case tdx_host_link_test_cases[] = {
	KUNIT_CASE(connect_and_disconnect_in_the_modules_order),
	KUNIT_CASE(connect_runs_the_key_update_the_module_asks_for),
	{}
};

static struct kunit_suite tdx_host_link_test_suite = {
	.name = "tdx_host_link",
	.init = tdx_host_test_link_init,
	.test_cases = tdx_host_link_test_cases,
};

kunit_test_suite(tdx_host_link_test_suite);

MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");
