// SPDX-License-Identifier: GPL-2.0-only
/*
 * The environment of the tdx-host suites behind the real PCI/TSM core:
 * tdx-host probed against the fake TDX module with its fake SPDM, IDE
 * and TDI leaves and one VT-d unit, the fake PCIe device of
 * tdx_host_fake_pcie.c answering as the fake SPDM device end through its
 * real DOE mailbox, and the device's tsm/ files on a kernel mount of
 * sysfs, written and read as user space would.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

#include <linux/atomic.h>
#include <linux/bitfield.h>
#include <linux/debug_locks.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/mount.h>
#include <linux/panic.h>
#include <linux/pci.h>
#include <linux/pci-doe.h>
#include <linux/pci-ide.h>
#include <linux/sched/signal.h>
#include <linux/unaligned.h>

#include <kunit/device.h>
#include <kunit/static_stub.h>
#include <kunit/test.h>

#include <asm/tdx.h>
#include "tests/tdx_fake_module.h"
#include "tests/tdx_fake_spdm.h"
#include "tests/tdx_fake_tdi.h"

#include "../../../../../arch/x86/virt/vmx/tdx/tdx.h"
#include "tdx_host_fake_pcie.h"
#include "tdx_host_test_bind.h"
#include "tdx_host_test_link.h"
#include "tdx_host_test_tsm.h"
#include "tdx_host_test_units.h"
#include "../tdx_host_iommu.h"
#include "../tdx_host_tsm.h"

/*
 * The device end of SPDM, IDE_KM and TDISP.  The fake TDI leaves' TDISP
 * messages travel over the secured session too, but not inside the fake
 * SPDM session's framing, which starts with its session ID.
 */
static bool is_tdisp(u8 type, const void *req, size_t req_len)
{
	return type == PCI_DOE_FEATURE_SSESSION && req_len == TDX_FAKE_TDISP_MSG_SIZE &&
	       (get_unaligned_le32(req) & 0xff000000) !=
	       (TDX_FAKE_SPDM_SESSION_ID(0) & 0xff000000);
}

static int device_respond(void *priv, struct pci_dev *pdev, u8 type, const void *req,
			  size_t req_len, void *rsp, size_t rsp_size)
{
	struct tdx_host_test_link *e = priv;

	if (is_tdisp(type, req, req_len))
		return tdx_fake_tdisp_device(req, req_len, rsp, rsp_size, 0) ?: -EIO;
	return tdx_fake_spdm_device(e->fs, pci_dev_id(pdev), type, req, req_len, rsp,
				    rsp_size);
}

static bool device_keyed(void *priv, struct pci_dev *pdev, u8 stream_id)
{
	struct tdx_host_test_link *e = priv;

	return tdx_fake_spdm_device_keyed(e->fs, pci_dev_id(pdev), stream_id);
}

static const u64 test_vtbars[] = { TDX_HOST_TEST_LINK_VTBAR };

/* The fake device is behind the one VT-d unit, unless a test says not. */
static u64 test_reg_base = TDX_HOST_TEST_LINK_VTBAR;

static int rec_reg_base(struct pci_dev *pdev, u64 *reg_base)
{
	*reg_base = READ_ONCE(test_reg_base);
	return 0;
}

/**
 * tdx_host_test_link_set_reg_base() - Put the device behind another unit
 * @reg_base: the register base of the VT-d unit the device is behind
 *
 * tdx_host_test_link_init() puts it behind TDX_HOST_TEST_LINK_VTBAR,
 * the one unit set up.
 *
 * Context: Any context.
 */
void tdx_host_test_link_set_reg_base(u64 reg_base)
{
	WRITE_ONCE(test_reg_base, reg_base);
}

static void unmount_sysfs(void *mnt)
{
	kern_unmount(mnt);
}

/**
 * tdx_host_test_link_init() - Set up the environment, as a suite's init
 * @test: the test; test->priv becomes its struct tdx_host_test_link
 *
 * Installs the fake TDX module with its SPDM, IDE and TDI leaves and one
 * VT-d unit, a TD, the watch of the TSM registration and the kernel
 * mount of sysfs, and registers the tdx-host device, not yet probed;
 * all of it goes when the test ends, tdx-host first.
 *
 * Context: Process context, may sleep.
 * Return: 0, or a negative errno.
 */
int tdx_host_test_link_init(struct kunit *test)
{
	struct file_system_type *sysfs_type;
	struct tdx_host_test_units *units;
	struct tdx_host_test_link *e;

	e = kunit_kzalloc(test, sizeof(*e), GFP_KERNEL);
	if (!e)
		return -ENOMEM;
	test->priv = e;
	e->test = test;
	e->host.host.ops = &tdx_host_test_host_ops;

	/* The tsm/ files as user space sees them; sysfs is built in. */
	sysfs_type = get_fs_type("sysfs");
	if (!sysfs_type)
		return -ENODEV;
	e->sysfs = kern_mount(sysfs_type);
	if (IS_ERR(e->sysfs))
		return PTR_ERR(e->sysfs);
	if (kunit_add_action_or_reset(test, unmount_sysfs, e->sysfs))
		return -ENOMEM;

	e->fake = tdx_fake_module_install(test);
	e->fake->ext_initialized = true;
	units = tdx_host_test_units_install(test, e->fake, test_vtbars, 1);
	if (IS_ERR(units))
		return PTR_ERR(units);
	e->ft = tdx_fake_tdi_install(test, e->fake);
	e->fs = tdx_fake_spdm_install(test, e->fake);
	e->sysinfo.features.tdx_features0 = e->fake->features0;
	e->sysinfo.connect = (struct tdx_sys_info_connect) {
		.iommu_mt_page_count = e->fake->iommu_mt_page_count,
		.spdm_mt_page_count = e->fake->spdm_mt_page_count,
		.ide_mt_page_count = e->fake->ide_mt_page_count,
		.spdm_max_dev_info_pages = e->fake->spdm_max_dev_info_pages,
	};
	WRITE_ONCE(test_reg_base, TDX_HOST_TEST_LINK_VTBAR);

	e->tsm = tdx_host_test_tsm_install(test, e->fake);
	if (IS_ERR(e->tsm))
		return PTR_ERR(e->tsm);
	kunit_activate_static_stub(test, tdx_host_iommu_reg_base, rec_reg_base);
	if (tdx_host_test_td_install(test, TDX_HOST_TEST_LINK_VM))
		return -ENOMEM;
	/* Nothing here may warn; a suppressed WARN does not taint. */
	e->warned_before = test_taint(TAINT_WARN);

	/* Unregistered, and so tdx-host removed, before the fake goes. */
	e->dev = kunit_device_register(test, "tdx_host_link_test");
	if (IS_ERR(e->dev))
		return PTR_ERR(e->dev);
	return 0;
}

/**
 * tdx_host_test_link_start_with() - Probe tdx-host, then add a device
 * @test: the test
 * @p: the fake PCIe device to hot-add; its device end is the fake SPDM one
 *
 * The test fails here unless tdx-host registers the link TSM.
 *
 * Context: Process context, may sleep.
 */
void tdx_host_test_link_start_with(struct kunit *test, struct fake_pcie_params p)
{
	struct tdx_host_test_link *e = test->priv;

	KUNIT_ASSERT_EQ(test, tdx_host_connect_probe(e->dev, &e->sysinfo), 0);
	KUNIT_ASSERT_NOT_NULL(test, e->tsm->tsm_dev);
	/* What the module owns with no device connected: the IOMMU_MT */
	e->owned_idle = tdx_fake_nr_owned(e->fake);
	p.doe_respond = device_respond;
	p.ide_keyed = device_keyed;
	p.priv = e;
	e->fp = fake_pcie_add(test, &p);
}

/**
 * tdx_host_test_link_start() - ... with a device that has all connect needs
 * @test: the test
 * @nr_fns: functions of the device, 1 or 2
 *
 * Context: Process context, may sleep.
 */
void tdx_host_test_link_start(struct kunit *test, unsigned int nr_fns)
{
	tdx_host_test_link_start_with(test, (struct fake_pcie_params){ .nr_fns = nr_fns });
}

/**
 * tdx_host_test_link_remove_host() - Remove tdx-host, unless it is gone
 * @test: the test
 *
 * Context: Process context, may sleep.
 */
void tdx_host_test_link_remove_host(struct kunit *test)
{
	struct tdx_host_test_link *e = test->priv;

	if (!e->dev_removed)
		kunit_device_unregister(test, e->dev);
	e->dev_removed = true;
}

/*
 * The tsm/ methods do not wait for a busy lock: they have the system call
 * restarted (restart_syscall()).  On the way back to user space the signal
 * code would find no signal, clear TIF_SIGPENDING and restart the call;
 * do the same here, in a kernel thread.
 */
static bool restarted(struct tdx_host_test_link *e, ssize_t ret)
{
	if (ret != -ERESTARTNOINTR)
		return false;
	flush_signals(current);
	atomic_inc(&e->restarts);
	return true;
}

/**
 * tdx_host_test_link_write() - Write to a tsm/ file, as "echo -n" would
 * @e: the environment
 * @pdev: the function
 * @attr: the file in its tsm/ directory
 * @buf: what to write
 *
 * A call that had the system call restarted is redone, as the return to
 * user space would, and counted in @e->restarts.
 *
 * Context: Process context, may sleep.
 * Return: 0, or the negative errno of the open or the write.
 */
int tdx_host_test_link_write(struct tdx_host_test_link *e, struct pci_dev *pdev,
			     const char *attr, const char *buf)
{
	char path[64];
	struct file *f;
	loff_t pos = 0;
	ssize_t ret;

	snprintf(path, sizeof(path), "bus/pci/devices/%s/tsm/%s", pci_name(pdev), attr);
	f = file_open_root_mnt(e->sysfs, path, O_WRONLY, 0);
	if (IS_ERR(f))
		return PTR_ERR(f);
	do {
		ret = kernel_write(f, buf, strlen(buf), &pos);
	} while (restarted(e, ret));
	fput(f);
	return ret < 0 ? ret : 0;
}

/**
 * tdx_host_test_link_read() - Read a sysfs file of a function, as "cat" would
 * @e: the environment
 * @pdev: the function
 * @attr: the path of the file below the function's sysfs directory
 * @buf: where the contents go, NUL terminated
 * @size: the size of @buf
 *
 * A restarted call is redone, as by tdx_host_test_link_write().
 *
 * Context: Process context, may sleep.
 * Return: the bytes read, or the negative errno of the open or the read.
 */
ssize_t tdx_host_test_link_read(struct tdx_host_test_link *e, struct pci_dev *pdev,
				const char *attr, char *buf, size_t size)
{
	char path[64];
	struct file *f;
	loff_t pos = 0;
	ssize_t ret;

	snprintf(path, sizeof(path), "bus/pci/devices/%s/%s", pci_name(pdev), attr);
	f = file_open_root_mnt(e->sysfs, path, O_RDONLY, 0);
	if (IS_ERR(f))
		return PTR_ERR(f);
	do {
		ret = kernel_read(f, buf, size - 1, &pos);
	} while (restarted(e, ret));
	fput(f);
	if (ret >= 0)
		buf[ret] = '\0';
	return ret;
}

/**
 * tdx_host_test_link_tsm_read() - ... a file of its tsm/ directory
 * @e: the environment
 * @pdev: the function
 * @attr: the file in its tsm/ directory
 * @buf: where the contents go, NUL terminated
 * @size: the size of @buf
 *
 * Context: Process context, may sleep.
 * Return: the bytes read, or a negative errno.
 */
ssize_t tdx_host_test_link_tsm_read(struct tdx_host_test_link *e, struct pci_dev *pdev,
				    const char *attr, char *buf, size_t size)
{
	char path[32];

	snprintf(path, sizeof(path), "tsm/%s", attr);
	return tdx_host_test_link_read(e, pdev, path, buf, size);
}

/* Config offset of selective stream block @i, as drivers/pci/ide.c lays it out */
static int ep_sel_pos(struct pci_dev *pdev, unsigned int i)
{
	return pdev->ide_cap + PCI_IDE_LINK_STREAM_0 +
	       pdev->nr_link_ide * PCI_IDE_LINK_BLOCK_SIZE +
	       i * PCI_IDE_SEL_BLOCK_SIZE(pdev->nr_ide_mem);
}

/**
 * tdx_host_test_link_streams_enabled() - The device's enabled IDE streams
 * @pdev: the device
 * @stream_id: the Stream ID of the last one enabled, unchanged if none
 *
 * Context: Process context.
 * Return: the selective IDE streams enabled at @pdev.
 */
unsigned int tdx_host_test_link_streams_enabled(struct pci_dev *pdev, u8 *stream_id)
{
	unsigned int i, nr = 0;
	u32 ctl;

	for (i = 0; i < pdev->nr_sel_ide; i++) {
		pci_read_config_dword(pdev, ep_sel_pos(pdev, i) + PCI_IDE_SEL_CTL, &ctl);
		if (!(ctl & PCI_IDE_SEL_CTL_EN))
			continue;
		nr++;
		*stream_id = FIELD_GET(PCI_IDE_SEL_CTL_ID, ctl);
	}
	return nr;
}

/* The device's side of every selective IDE stream: off, no settings */
static void expect_ep_ide_idle(struct kunit *test, struct pci_dev *pdev)
{
	unsigned int i;
	u32 ctl, rid2;
	int pos;

	for (i = 0; i < pdev->nr_sel_ide; i++) {
		pos = ep_sel_pos(pdev, i);
		pci_read_config_dword(pdev, pos + PCI_IDE_SEL_CTL, &ctl);
		pci_read_config_dword(pdev, pos + PCI_IDE_SEL_RID_2, &rid2);
		KUNIT_EXPECT_FALSE_MSG(test, ctl & PCI_IDE_SEL_CTL_EN, "stream %u", i);
		KUNIT_EXPECT_FALSE_MSG(test, rid2 & PCI_IDE_SEL_RID_2_VALID, "stream %u", i);
	}
}

/**
 * tdx_host_test_link_expect_disconnected() - Expect nothing of a connect left
 * @test: the test
 * @e: the environment
 *
 * No DSM context, no session or stream in the module, no page of it with
 * the module, no stream index or host bridge stream taken, the device's
 * IDE registers idle.
 *
 * Context: Process context.
 */
void tdx_host_test_link_expect_disconnected(struct kunit *test,
					    struct tdx_host_test_link *e)
{
	struct pci_dev *pdev = e->fp->pdev;

	KUNIT_EXPECT_NULL(test, pdev->tsm);
	KUNIT_EXPECT_EQ(test, tdx_fake_spdm_nr_sessions(e->fs), 0);
	KUNIT_EXPECT_EQ(test, tdx_fake_spdm_nr_streams(e->fs), 0);
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(e->fake), e->owned_idle);
	KUNIT_EXPECT_TRUE(test, ida_is_empty(&pdev->ide_stream_ida));
	KUNIT_EXPECT_TRUE(test, ida_is_empty(&e->fp->rp->ide_stream_ida));
	KUNIT_EXPECT_TRUE(test, ida_is_empty(&pci_find_host_bridge(pdev->bus)->ide_stream_ida));
	expect_ep_ide_idle(test, pdev);
}

/**
 * tdx_host_test_link_expect_released() - Expect the module to own nothing
 * @test: the test
 * @e: the environment, tdx-host removed
 *
 * No page, session, stream or TDI left with the module, no WARN since
 * the test started and lockdep quiet.
 *
 * Context: Process context.
 */
void tdx_host_test_link_expect_released(struct kunit *test, struct tdx_host_test_link *e)
{
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(e->fake), 0);
	KUNIT_EXPECT_EQ(test, tdx_fake_spdm_nr_sessions(e->fs), 0);
	KUNIT_EXPECT_EQ(test, tdx_fake_spdm_nr_streams(e->fs), 0);
	KUNIT_EXPECT_NULL(test, tdx_fake_tdi_find(e->ft, pci_dev_id(e->fp->pdev)));
	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_nr_dma(e->ft, pci_dev_id(e->fp->pdev)), 0);
	KUNIT_EXPECT_FALSE_MSG(test, !e->warned_before && test_taint(TAINT_WARN),
			       "a WARN fired");
	KUNIT_EXPECT_TRUE_MSG(test, debug_locks, "lockdep reported a problem");
}

/**
 * tdx_host_test_link_connect_log() - The events of one connect, in order
 * @log: where they go, TDX_HOST_TEST_LINK_MAX_LOG of them at most
 * @key_refresh: the module asks for a key update
 *
 * The events are the Extension SEAMCALLs and the device messages, as the
 * fake SPDM leaves log them.
 *
 * Context: Any context.
 * Return: the number of events.
 */
unsigned int tdx_host_test_link_connect_log(u32 *log, bool key_refresh)
{
	unsigned int n = 0, i;

	log[n++] = TDH_SPDM_CREATE;
	/* GET_VERSION to KEY_EXCHANGE over CMA */
	for (i = 0; i < 6; i++) {
		log[n++] = TDH_SPDM_CONNECT;
		log[n++] = TDX_FAKE_SPDM_EV_DOE_BASE + PCI_DOE_FEATURE_CMA;
	}
	/* FINISH */
	log[n++] = TDH_SPDM_CONNECT;
	log[n++] = TDX_FAKE_SPDM_EV_DOE_BASE + PCI_DOE_FEATURE_SSESSION;
	if (key_refresh) {
		log[n++] = TDH_SPDM_CONNECT;
		log[n++] = TDH_SPDM_MNG;
		log[n++] = TDX_FAKE_SPDM_EV_DOE_BASE + PCI_DOE_FEATURE_SSESSION;
		log[n++] = TDH_SPDM_MNG;
	}
	log[n++] = TDH_SPDM_CONNECT;
	log[n++] = TDH_IDE_STREAM_CREATE;
	/* KEY_PROG and K_SET_GO, receive and transmit */
	for (i = 0; i < 4; i++) {
		log[n++] = TDH_IDE_STREAM_KM;
		log[n++] = TDX_FAKE_SPDM_EV_DOE_BASE + PCI_DOE_FEATURE_SSESSION;
	}
	log[n++] = TDH_IDE_STREAM_KM;
	return n;
}

/**
 * tdx_host_test_link_disconnect_log() - ... and of one disconnect
 * @log: where they go
 *
 * Context: Any context.
 * Return: the number of events.
 */
unsigned int tdx_host_test_link_disconnect_log(u32 *log)
{
	unsigned int n = 0, i;

	/* K_SET_STOP, receive and transmit */
	for (i = 0; i < 2; i++) {
		log[n++] = TDH_IDE_STREAM_KM;
		log[n++] = TDX_FAKE_SPDM_EV_DOE_BASE + PCI_DOE_FEATURE_SSESSION;
	}
	log[n++] = TDH_IDE_STREAM_KM;
	log[n++] = TDH_IDE_STREAM_BLOCK;
	log[n++] = TDH_IDE_STREAM_DELETE;
	/* END_SESSION */
	log[n++] = TDH_SPDM_DISCONNECT;
	log[n++] = TDX_FAKE_SPDM_EV_DOE_BASE + PCI_DOE_FEATURE_SSESSION;
	log[n++] = TDH_SPDM_DISCONNECT;
	log[n++] = TDH_SPDM_DELETE;
	return n;
}

/**
 * tdx_host_test_link_expect_log() - Expect the events since @from
 * @test: the test
 * @e: the environment
 * @from: the first event to look at
 * @want: the events expected
 * @nr: their number, which must be that of the events since @from
 *
 * Context: Process context.
 */
void tdx_host_test_link_expect_log(struct kunit *test, struct tdx_host_test_link *e,
				   unsigned int from, const u32 *want, unsigned int nr)
{
	unsigned int i;

	KUNIT_ASSERT_EQ(test, e->fs->nr_events - from, nr);
	for (i = 0; i < nr; i++)
		KUNIT_EXPECT_EQ_MSG(test, e->fs->events[from + i], want[i], "event %u", i);
}

/**
 * tdx_host_test_link_nr_doe() - Count the device messages of a log
 * @log: events, as tdx_host_test_link_connect_log() gives them
 * @nr: their number
 *
 * Context: Any context.
 * Return: the device messages among them.
 */
unsigned int tdx_host_test_link_nr_doe(const u32 *log, unsigned int nr)
{
	unsigned int i, n = 0;

	for (i = 0; i < nr; i++)
		n += log[i] >= TDX_FAKE_SPDM_EV_DOE_BASE;
	return n;
}
