// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for tdx-host behind the real PCI/TSM core: function 0 of
 * the fake PCIe endpoint of tdx_host_fake_pcie.c, with a DOE mailbox,
 * below a Root Port on a root bus of its own, connected and
 * disconnected through its tsm/ sysfs files, bound and unbound through
 * pci_tsm_bind() and pci_tsm_unbind(), and all of it raced against the
 * removal of the TSM and of the device; with a function 1 too, whose
 * tsm/ files connect shows and disconnect hides, read meanwhile.
 *
 * The TDX module is the fake one with its fake SPDM, IDE and TDI leaves;
 * the device answers as the fake SPDM device end, through a real DOE
 * mailbox, and programs its IDE registers through the real IDE core.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

#include <linux/atomic.h>
#include <linux/bitfield.h>
#include <linux/completion.h>
#include <linux/debug_locks.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kthread.h>
#include <linux/mount.h>
#include <linux/panic.h>
#include <linux/pci.h>
#include <linux/pci-doe.h>
#include <linux/pci-ide.h>
#include <linux/pci-tsm.h>
#include <linux/sched/signal.h>
#include <linux/sockptr.h>
#include <linux/tsm.h>
#include <linux/unaligned.h>

#include <kunit/device.h>
#include <kunit/static_stub.h>
#include <kunit/test.h>

#include <asm/shared/tdx_errno.h>
#include <asm/tdx.h>
#include "tests/tdx_fake_module.h"
#include "tests/tdx_fake_spdm.h"
#include "tests/tdx_fake_tdi.h"
#include <asm/tdx_handoff.h>
#include <asm/tdx_iommu_mt.h>
#include <asm/tdx_page_list.h>
#include <asm/tdx_tdi.h>

#include "../../../../arch/x86/virt/vmx/tdx/tdx.h"
#include "tests/tdx_host_fake_pcie.h"
#include "tests/tdx_host_test_bind.h"
#include "tests/tdx_host_test_tsm.h"
#include "tests/tdx_host_test_units.h"
#include "tdx_host_iommu.h"
#include "tdx_host_link.h"
#include "tdx_host_relay.h"
#include "tdx_host_tdi.h"
#include "tdx_host_tsm.h"
#include "tdx_page_list_kunit.h"
#include "tdx_handoff_kunit.h"

#define TEST_VTBAR	0xfed90000ULL
#define TEST_STREAM	5
#define TEST_VM		0x23456000ULL
#define TEST_TDI_ID	0x20

/* ---- The environment: fake module, tdx-host registered, the device ---- */

struct link_env {
	struct kunit *test;
	struct tdx_fake_module *fake;
	struct tdx_fake_tdi *ft;
	struct tdx_fake_spdm *fs;
	struct tdx_sys_info sysinfo;
	struct device *dev;
	bool dev_removed;
	struct tdx_host_test_tsm *tsm;
	struct vfsmount *sysfs;
	struct fake_pcie *fp;
	/* The device has no memory BAR: nothing is mapped or shared. */
	struct tdx_host_test_host host;
	bool removing;

	unsigned long owned_idle;
	atomic_t restarts;
	bool warned_before;
};

/* The calls of participant @op, from any thread */
static int host_calls(struct link_env *e, enum tdx_host_test_op op)
{
	return atomic_read(&e->host.calls[op]);
}

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
	struct link_env *e = priv;

	if (is_tdisp(type, req, req_len))
		return tdx_fake_tdisp_device(req, req_len, rsp, rsp_size, 0) ?: -EIO;
	return tdx_fake_spdm_device(e->fs, pci_dev_id(pdev), type, req, req_len, rsp,
				    rsp_size);
}

static bool device_keyed(void *priv, struct pci_dev *pdev, u8 stream_id)
{
	struct link_env *e = priv;

	return tdx_fake_spdm_device_keyed(e->fs, pci_dev_id(pdev), stream_id);
}

static const u64 test_vtbars[] = { TEST_VTBAR };

/* The fake device is behind the one VT-d unit, unless a test says not. */
static u64 test_reg_base = TEST_VTBAR;

static int rec_reg_base(struct pci_dev *pdev, u64 *reg_base)
{
	*reg_base = READ_ONCE(test_reg_base);
	return 0;
}

static void unmount_sysfs(void *mnt)
{
	kern_unmount(mnt);
}

static int tdx_host_link_test_init(struct kunit *test)
{
	struct file_system_type *sysfs_type;
	struct tdx_host_test_units *units;
	struct link_env *e;

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
	WRITE_ONCE(test_reg_base, TEST_VTBAR);

	e->tsm = tdx_host_test_tsm_install(test, e->fake);
	if (IS_ERR(e->tsm))
		return PTR_ERR(e->tsm);
	kunit_activate_static_stub(test, tdx_host_iommu_reg_base, rec_reg_base);
	if (tdx_host_test_td_install(test, TEST_VM))
		return -ENOMEM;
	/* Nothing here may warn; a suppressed WARN does not taint. */
	e->warned_before = test_taint(TAINT_WARN);

	/* Unregistered, and so tdx-host removed, before the fake goes. */
	e->dev = kunit_device_register(test, "tdx_host_link_test");
	if (IS_ERR(e->dev))
		return PTR_ERR(e->dev);
	return 0;
}

/* Probe tdx-host, then hot-add the device described by @p */
static void start_with(struct kunit *test, struct fake_pcie_params p)
{
	struct link_env *e = test->priv;

	KUNIT_ASSERT_EQ(test, tdx_host_connect_probe(e->dev, &e->sysinfo), 0);
	KUNIT_ASSERT_NOT_NULL(test, e->tsm->tsm_dev);
	/* What the module owns with no device connected: the IOMMU_MT */
	e->owned_idle = tdx_fake_nr_owned(e->fake);
	p.doe_respond = device_respond;
	p.ide_keyed = device_keyed;
	p.priv = e;
	e->fp = fake_pcie_add(test, &p);
}

/* ... a device with @nr_fns functions and all connect needs */
static void start(struct kunit *test, unsigned int nr_fns)
{
	start_with(test, (struct fake_pcie_params){ .nr_fns = nr_fns });
}

static void remove_tdx_host(struct kunit *test)
{
	struct link_env *e = test->priv;

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
static bool restarted(struct link_env *e, ssize_t ret)
{
	if (ret != -ERESTARTNOINTR)
		return false;
	flush_signals(current);
	atomic_inc(&e->restarts);
	return true;
}

/* Write @buf to tsm/@attr of @pdev, as "echo -n" would */
static int tsm_write(struct link_env *e, struct pci_dev *pdev, const char *attr,
		     const char *buf)
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

/* Read @attr of @pdev, a path below its sysfs directory, as "cat" would */
static ssize_t dev_read(struct link_env *e, struct pci_dev *pdev, const char *attr,
			char *buf, size_t size)
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

static ssize_t tsm_read(struct link_env *e, struct pci_dev *pdev, const char *attr,
			char *buf, size_t size)
{
	char path[32];

	snprintf(path, sizeof(path), "tsm/%s", attr);
	return dev_read(e, pdev, path, buf, size);
}

static const char *tsm_name(struct link_env *e)
{
	return e->tsm->tsm_name;
}

/* Config offset of selective stream block @i, as drivers/pci/ide.c lays it out */
static int ep_sel_pos(struct pci_dev *pdev, unsigned int i)
{
	return pdev->ide_cap + PCI_IDE_LINK_STREAM_0 +
	       pdev->nr_link_ide * PCI_IDE_LINK_BLOCK_SIZE +
	       i * PCI_IDE_SEL_BLOCK_SIZE(pdev->nr_ide_mem);
}

/* Selective IDE streams enabled at the device, with the Stream ID of each */
static unsigned int ep_streams_enabled(struct pci_dev *pdev, u8 *stream_id)
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

/*
 * Nothing of a connect left: no DSM context, no session or stream in the
 * module, no page of it with the module, no stream index or host bridge
 * stream taken, the device's IDE registers idle.
 */
static void expect_disconnected(struct kunit *test, struct link_env *e)
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

static void expect_all_released(struct kunit *test, struct link_env *e)
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

/* Extension SEAMCALLs and device messages of one connect, in order */
static unsigned int connect_log(u32 *log, bool key_refresh)
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

/* ... and of one disconnect */
static unsigned int disconnect_log(u32 *log)
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

#define MAX_LOG		64

static void expect_log(struct kunit *test, struct link_env *e, unsigned int from,
		       const u32 *want, unsigned int nr)
{
	unsigned int i;

	KUNIT_ASSERT_EQ(test, e->fs->nr_events - from, nr);
	for (i = 0; i < nr; i++)
		KUNIT_EXPECT_EQ_MSG(test, e->fs->events[from + i], want[i], "event %u", i);
}

static unsigned int nr_doe(const u32 *log, unsigned int nr)
{
	unsigned int i, n = 0;

	for (i = 0; i < nr; i++)
		n += log[i] >= TDX_FAKE_SPDM_EV_DOE_BASE;
	return n;
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
	struct link_env *e = test->priv;
	unsigned int from, nr, calls, wbinvd;
	struct tdx_fake_spdm_stream *st;
	struct pci_dev *pdev;
	u8 stream_id = 0;
	u32 *want;

	want = kunit_kcalloc(test, MAX_LOG, sizeof(*want), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, want);
	start(test, 1);
	pdev = e->fp->pdev;

	from = e->fs->nr_events;
	calls = e->fake->nr_calls;
	KUNIT_ASSERT_EQ(test, tsm_write(e, pdev, "connect", tsm_name(e)), 0);
	nr = connect_log(want, false);
	expect_log(test, e, from, want, nr);
	KUNIT_EXPECT_EQ(test, fake_pcie_doe_count(e->fp, PCI_DOE_FEATURE_CMA), 6);
	KUNIT_EXPECT_EQ(test, fake_pcie_doe_count(e->fp, PCI_DOE_FEATURE_SSESSION), 5);
	KUNIT_EXPECT_EQ(test, e->fake->nr_calls - calls, nr - nr_doe(want, nr));
	kunit_info(test, "connect: %u SEAMCALLs, %u DOE exchanges, minimum %u SEAMCALLs\n",
		   e->fake->nr_calls - calls, nr_doe(want, nr), nr_doe(want, nr) + 4);

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
	KUNIT_EXPECT_EQ(test, ep_streams_enabled(pdev, &stream_id), 1);
	KUNIT_EXPECT_EQ(test, stream_id, st->stream_id);
	/* The core registered the stream the module chose */
	KUNIT_EXPECT_TRUE(test, ida_exists(&pci_find_host_bridge(pdev->bus)->ide_stream_ids_ida,
					   st->stream_id));

	from = e->fs->nr_events;
	calls = e->fake->nr_calls;
	wbinvd = tdx_fake_calls(e->fake, TDH_PHYMEM_PAGE_WBINVD);
	KUNIT_ASSERT_EQ(test, tsm_write(e, pdev, "disconnect", tsm_name(e)), 0);
	nr = disconnect_log(want);
	expect_log(test, e, from, want, nr);
	wbinvd = tdx_fake_calls(e->fake, TDH_PHYMEM_PAGE_WBINVD) - wbinvd;
	/* Every page the module gave back written back before its free */
	KUNIT_EXPECT_EQ(test, wbinvd, e->sysinfo.connect.spdm_mt_page_count +
			e->sysinfo.connect.ide_mt_page_count);
	KUNIT_EXPECT_EQ(test, e->fake->nr_calls - calls, nr - nr_doe(want, nr) + wbinvd);
	kunit_info(test, "disconnect: %u SEAMCALLs (%u WBINVD), %u DOE exchanges, minimum %u + %u\n",
		   e->fake->nr_calls - calls, wbinvd, nr_doe(want, nr),
		   nr_doe(want, nr) + 5, wbinvd);
	expect_disconnected(test, e);

	remove_tdx_host(test);
	expect_all_released(test, e);
}

static void connect_runs_the_key_update_the_module_asks_for(struct kunit *test)
{
	struct link_env *e = test->priv;
	unsigned int from, nr;
	u32 *want;

	want = kunit_kcalloc(test, MAX_LOG, sizeof(*want), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, want);
	start(test, 1);
	e->fs->key_refresh = true;

	from = e->fs->nr_events;
	KUNIT_ASSERT_EQ(test, tsm_write(e, e->fp->pdev, "connect", tsm_name(e)), 0);
	nr = connect_log(want, true);
	expect_log(test, e, from, want, nr);
	KUNIT_EXPECT_EQ(test, tdx_fake_spdm_session(e->fs, pci_dev_id(e->fp->pdev))->nr_key_updates,
			1);

	KUNIT_ASSERT_EQ(test, tsm_write(e, e->fp->pdev, "disconnect", tsm_name(e)), 0);
	expect_disconnected(test, e);
	remove_tdx_host(test);
	expect_all_released(test, e);
}

/* Connect again after a failed one: nothing of it was left behind. */
static void expect_connect_works(struct kunit *test, struct link_env *e)
{
	KUNIT_EXPECT_EQ(test, tsm_write(e, e->fp->pdev, "connect", tsm_name(e)), 0);
	KUNIT_EXPECT_EQ(test, tsm_write(e, e->fp->pdev, "disconnect", tsm_name(e)), 0);
	expect_disconnected(test, e);
}

/*
 * Each Extension SEAMCALL of connect refused in turn, with a status that
 * tells the module took nothing: connect fails with -EIO, and what it did
 * before is undone in exact reverse (the fake refuses anything else).
 */
static void connect_undoes_everything_when_a_seamcall_fails(struct kunit *test)
{
	struct link_env *e = test->priv;
	unsigned int n, nr;
	u32 *want;

	want = kunit_kcalloc(test, MAX_LOG, sizeof(*want), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, want);
	start(test, 1);
	nr = connect_log(want, false);
	nr -= nr_doe(want, nr);

	for (n = 1; n <= nr; n++) {
		e->fs->fail_nth = e->fs->nr_calls + n;
		e->fs->fail_status = TDX_OPERAND_INVALID;
		KUNIT_EXPECT_EQ_MSG(test, tsm_write(e, e->fp->pdev, "connect", tsm_name(e)),
				    -EIO, "SEAMCALL %u", n);
		e->fs->fail_nth = 0;
		expect_disconnected(test, e);
	}
	expect_connect_works(test, e);
	remove_tdx_host(test);
	expect_all_released(test, e);
}

/* ... and each DOE exchange failed in turn: the DOE error, and the same */
static void connect_undoes_everything_when_a_doe_exchange_fails(struct kunit *test)
{
	struct link_env *e = test->priv;
	unsigned int n, nr;
	u32 *want;

	want = kunit_kcalloc(test, MAX_LOG, sizeof(*want), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, want);
	start(test, 1);
	nr = connect_log(want, false);
	nr = nr_doe(want, nr);

	for (n = 1; n <= nr; n++) {
		fake_pcie_doe_fault(e->fp, FAKE_DOE_ERROR, n, 1);
		KUNIT_EXPECT_EQ_MSG(test, tsm_write(e, e->fp->pdev, "connect", tsm_name(e)),
				    -EIO, "exchange %u", n);
		fake_pcie_doe_fault(e->fp, FAKE_DOE_OK, 0, 0);
		expect_disconnected(test, e);
	}
	expect_connect_works(test, e);
	remove_tdx_host(test);
	expect_all_released(test, e);
}

struct doe_failure {
	enum fake_pcie_doe_fault fault;
	unsigned int nth;
	int err;
	const char *desc;
};

static const struct doe_failure doe_failures[] = {
	{ FAKE_DOE_NEVER_READY, 3, -EIO, "timeout" },
	{ FAKE_DOE_SHORT, 2, -EIO, "short response" },
	{ FAKE_DOE_OVERSIZE, 1, -EMSGSIZE, "response larger than the page" },
	{ FAKE_DOE_BAD_TYPE, 7, -EIO, "response of another type" },
	{ FAKE_DOE_ERROR, 11, -EIO, "device error on the last exchange" },
};

KUNIT_ARRAY_PARAM_DESC(doe_failure, doe_failures, desc);

static void doe_failure_gives_its_errno_and_undoes_connect(struct kunit *test)
{
	const struct doe_failure *f = test->param_value;
	struct link_env *e = test->priv;

	start(test, 1);
	fake_pcie_doe_fault(e->fp, f->fault, f->nth, 1);
	KUNIT_EXPECT_EQ(test, tsm_write(e, e->fp->pdev, "connect", tsm_name(e)), f->err);
	fake_pcie_doe_fault(e->fp, FAKE_DOE_OK, 0, 0);
	expect_disconnected(test, e);
	expect_connect_works(test, e);
	remove_tdx_host(test);
	expect_all_released(test, e);
}

/* The device answers the n-th message with an SPDM ERROR: the module fails */
static void device_error_response_fails_connect(struct kunit *test)
{
	struct link_env *e = test->priv;
	unsigned int n, first;

	start(test, 1);
	first = e->fs->nr_dev_msgs;
	for (n = 1; n <= 11; n++) {
		e->fs->error_nth = e->fs->nr_dev_msgs + n;
		KUNIT_EXPECT_EQ_MSG(test, tsm_write(e, e->fp->pdev, "connect", tsm_name(e)),
				    -EIO, "message %u", n);
		e->fs->error_nth = 0;
		expect_disconnected(test, e);
	}
	KUNIT_EXPECT_GT(test, e->fs->nr_dev_msgs, first);
	expect_connect_works(test, e);
	remove_tdx_host(test);
	expect_all_released(test, e);
}

/* ---- Allocations of connect failed one by one ---- */

/* 1-based number of the allocation to fail, 0 for none; allocations seen */
static atomic_t alloc_to_fail;
static atomic_t nr_allocs;

static bool alloc_fails(void)
{
	return atomic_inc_return(&nr_allocs) == atomic_read(&alloc_to_fail);
}

static struct page *fail_link_page(void)
{
	if (alloc_fails())
		return NULL;
	return alloc_page(GFP_KERNEL | __GFP_ZERO);
}

static u64 *fail_alloc_root(void)
{
	if (alloc_fails())
		return NULL;
	return (u64 *)get_zeroed_page(GFP_KERNEL);
}

static struct tdx_page_list *fail_alloc_meta(unsigned int nr_pages)
{
	struct tdx_page_list *list;

	if (alloc_fails())
		return NULL;
	list = kvzalloc(struct_size(list, pages, nr_pages), GFP_KERNEL);
	if (list)
		list->nr_pages = nr_pages;
	return list;
}

/* As alloc_pages_bulk(): fill the empty slots, count the filled ones */
static unsigned long fail_bulk_pages(unsigned long nr_pages, struct page **pages)
{
	unsigned long i, nr = 0;

	if (alloc_fails())
		return 0;
	for (i = 0; i < nr_pages; i++) {
		if (!pages[i])
			pages[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		nr += !!pages[i];
	}
	return nr;
}

/*
 * Every allocation connect makes of its own (pages, page lists, root
 * pages) failed in turn: -ENOMEM before any SEAMCALL, nothing leaked.
 * The allocations inside the PCI core are not counted.
 */
static void connect_allocates_everything_before_its_first_seamcall(struct kunit *test)
{
	struct link_env *e = test->priv;
	unsigned int n, calls;
	int ret = -ENOMEM;

	start(test, 1);
	kunit_activate_static_stub(test, tdx_host_link_page, fail_link_page);
	kunit_activate_static_stub(test, tdx_handoff_alloc_root, fail_alloc_root);
	kunit_activate_static_stub(test, tdx_page_list_alloc_meta, fail_alloc_meta);
	kunit_activate_static_stub(test, tdx_page_list_alloc_bulk_pages, fail_bulk_pages);

	for (n = 1; ret == -ENOMEM; n++) {
		calls = e->fs->nr_calls;
		atomic_set(&nr_allocs, 0);
		atomic_set(&alloc_to_fail, n);
		ret = tsm_write(e, e->fp->pdev, "connect", tsm_name(e));
		if (ret == -ENOMEM) {
			KUNIT_EXPECT_EQ(test, e->fs->nr_calls, calls);
			expect_disconnected(test, e);
		}
		KUNIT_ASSERT_LT(test, n, 64);
	}
	atomic_set(&alloc_to_fail, 0);
	KUNIT_EXPECT_EQ(test, ret, 0);
	/* Each of them failed once, and the connect that failed none succeeded */
	KUNIT_EXPECT_EQ(test, atomic_read(&nr_allocs), n - 2);
	kunit_info(test, "%u allocations, all before the first SEAMCALL\n", n - 2);
	KUNIT_EXPECT_EQ(test, tsm_write(e, e->fp->pdev, "disconnect", tsm_name(e)), 0);
	expect_disconnected(test, e);
	remove_tdx_host(test);
	expect_all_released(test, e);
}

/* ---- What connect refuses ---- */

enum bad_connect {
	NO_DOE,
	NO_SSESSION,
	NO_EP_IDE,
	NO_RP_IDE,
	NO_IOMMU,
	NO_STREAMS,
	NO_SEGMENT,
};

struct bad_connect_case {
	enum bad_connect what;
	int err;
	bool spdm;	/* refused after the SPDM session, which is undone */
	const char *desc;
};

static const struct bad_connect_case bad_connects[] = {
	{ NO_DOE, -ENXIO, false, "no DOE mailbox: not a DSM to the core" },
	{ NO_SSESSION, -EOPNOTSUPP, false, "no secured SPDM on the mailbox" },
	{ NO_EP_IDE, -EOPNOTSUPP, false, "no IDE at the device" },
	{ NO_RP_IDE, -EOPNOTSUPP, false, "no IDE at the root port" },
	{ NO_IOMMU, -ENODEV, false, "VT-d unit not set up" },
	{ NO_STREAMS, -ENOSPC, true, "no IDE stream left at the host bridge" },
	{ NO_SEGMENT, -ERANGE, false, "segment beyond FUNCTION_ID" },
};

KUNIT_ARRAY_PARAM_DESC(bad_connect, bad_connects, desc);

static void bad_connect_is_refused_with_nothing_left(struct kunit *test)
{
	const struct bad_connect_case *c = test->param_value;
	struct link_env *e = test->priv;
	struct fake_pcie_params p = { .nr_fns = 1 };
	unsigned int calls;

	switch (c->what) {
	case NO_DOE:
		p.no_doe = true;
		break;
	case NO_SSESSION:
		p.no_ssession = true;
		break;
	case NO_EP_IDE:
		p.no_ep_ide = true;
		break;
	case NO_RP_IDE:
		p.no_rp_ide = true;
		break;
	case NO_SEGMENT:
		p.domain = 0x100;
		break;
	default:
		break;
	}
	start_with(test, p);
	if (c->what == NO_IOMMU)
		WRITE_ONCE(test_reg_base, TEST_VTBAR + 0x1000);
	if (c->what == NO_STREAMS)
		pci_ide_set_nr_streams(pci_find_host_bridge(e->fp->pdev->bus), 0);

	calls = e->fs->nr_calls;
	KUNIT_EXPECT_EQ(test, tsm_write(e, e->fp->pdev, "connect", tsm_name(e)), c->err);
	KUNIT_EXPECT_NULL(test, e->fp->pdev->tsm);
	if (c->spdm)
		KUNIT_EXPECT_EQ(test, tdx_fake_calls(e->fake, TDH_SPDM_DELETE), 1);
	else
		KUNIT_EXPECT_EQ(test, e->fs->nr_calls, calls);
	KUNIT_EXPECT_EQ(test, tdx_fake_spdm_nr_sessions(e->fs), 0);
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(e->fake), e->owned_idle);
	KUNIT_EXPECT_EQ(test, pci_tsm_bind(e->fp->pdev, tdx_host_test_kvm(), TEST_TDI_ID,
					   &e->host.host), -EINVAL);

	if (c->what == NO_STREAMS)
		pci_ide_set_nr_streams(pci_find_host_bridge(e->fp->pdev->bus), 256);
	remove_tdx_host(test);
	expect_all_released(test, e);
}

/* The core's refusals: a connected device, and another TSM's disconnect */
static void connect_twice_and_disconnect_of_another_tsm_are_refused(struct kunit *test)
{
	struct link_env *e = test->priv;
	unsigned int calls;

	start(test, 1);
	KUNIT_ASSERT_EQ(test, tsm_write(e, e->fp->pdev, "connect", tsm_name(e)), 0);
	calls = e->fs->nr_calls;
	KUNIT_EXPECT_EQ(test, tsm_write(e, e->fp->pdev, "connect", tsm_name(e)), -EBUSY);
	KUNIT_EXPECT_EQ(test, tsm_write(e, e->fp->pdev, "disconnect", "tsm999"), -EINVAL);
	KUNIT_EXPECT_EQ(test, e->fs->nr_calls, calls);
	KUNIT_EXPECT_EQ(test, tdx_fake_spdm_nr_sessions(e->fs), 1);
	KUNIT_EXPECT_EQ(test, tsm_write(e, e->fp->pdev, "disconnect", tsm_name(e)), 0);
	expect_disconnected(test, e);
	remove_tdx_host(test);
	expect_all_released(test, e);
}

/*
 * A DELETE the module refuses at disconnect: its pages are leaked with
 * one warning and the teardown goes on.  A refused TDH.IDE.STREAM.DELETE
 * leaves the stream, so the module refuses TDH.SPDM.DELETE too: one
 * warning each.
 */
struct refused_delete {
	u16 leaf;
	int nr_warnings;
	const char *desc;
};

static const struct refused_delete refused_deletes[] = {
	{ TDH_SPDM_DELETE, 1, "TDH.SPDM.DELETE" },
	{ TDH_IDE_STREAM_DELETE, 2, "TDH.IDE.STREAM.DELETE, then TDH.SPDM.DELETE" },
};

KUNIT_ARRAY_PARAM_DESC(refused_delete, refused_deletes, desc);

static void refused_delete_leaks_with_a_warning(struct kunit *test)
{
	const struct refused_delete *r = test->param_value;
	struct link_env *e = test->priv;
	u32 *want;
	unsigned int nr, i, n = 0;

	want = kunit_kcalloc(test, MAX_LOG, sizeof(*want), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, want);
	start(test, 1);
	KUNIT_ASSERT_EQ(test, tsm_write(e, e->fp->pdev, "connect", tsm_name(e)), 0);

	/* The n-th SEAMCALL of disconnect is the DELETE */
	nr = disconnect_log(want);
	for (i = 0; i < nr; i++) {
		if (want[i] >= TDX_FAKE_SPDM_EV_DOE_BASE)
			continue;
		n++;
		if (want[i] == r->leaf)
			break;
	}
	e->fs->fail_nth = e->fs->nr_calls + n;
	e->fs->fail_status = TDX_OPERAND_BUSY;
	kunit_warning_suppress(test) {
		KUNIT_EXPECT_EQ(test, tsm_write(e, e->fp->pdev, "disconnect", tsm_name(e)), 0);
		KUNIT_EXPECT_SUPPRESSED_WARNING_COUNT(test, r->nr_warnings);
	}
	KUNIT_EXPECT_NULL(test, e->fp->pdev->tsm);
	/* The module still has what it did not give back, and nothing was freed */
	KUNIT_EXPECT_EQ(test, tdx_fake_spdm_nr_sessions(e->fs), 1);
	KUNIT_EXPECT_GT(test, tdx_fake_nr_owned(e->fake), e->owned_idle);
	remove_tdx_host(test);
}

/*
 * The whole path of one TDI: connect through sysfs, bind, a guest
 * request and unbind through the core, bind again, and a disconnect
 * that finds the TDI bound and has the core unbind it first.
 */
static void bind_and_disconnect_through_the_core(struct kunit *test)
{
	struct link_env *e = test->priv;
	struct pci_dev *pdev;
	u64 code = ~0ULL, word;
	u8 rsp[8] = {}, td_code = 0;
	char buf[32];

	start(test, 1);
	pdev = e->fp->pdev;

	KUNIT_ASSERT_EQ(test, tsm_write(e, pdev, "connect", tsm_name(e)), 0);
	KUNIT_ASSERT_NOT_NULL(test, pdev->tsm);

	KUNIT_ASSERT_EQ(test, pci_tsm_bind(pdev, tdx_host_test_kvm(), TEST_TDI_ID,
					   &e->host.host), 0);
	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_find(e->ft, pci_dev_id(pdev))->tdisp_state,
			TDX_TDISP_CONFIG_LOCKED);
	KUNIT_EXPECT_GT(test, tsm_read(e, pdev, "bound", buf, sizeof(buf)), 0);
	KUNIT_EXPECT_STREQ(test, strim(buf), tsm_name(e));

	/* A guest request of the TD, through the same relay as connect's */
	KUNIT_ASSERT_EQ(test, tdx_fake_tdi_td_request(e->ft, pci_dev_id(pdev),
						      TDX_TDISP_INTERFACE_STATE_REQ), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, pci_tsm_guest_req(pdev, PCI_TSM_REQ_INFO, KERNEL_SOCKPTR(NULL), 0,
						KERNEL_SOCKPTR(rsp), sizeof(rsp), &code), 0);
	KUNIT_EXPECT_EQ(test, code, TDX_SUCCESS);
	word = FIELD_GET(TDX_DEVIF_RSP_OUT_CODE, get_unaligned_le64(rsp));
	KUNIT_EXPECT_EQ(test, word, TDX_TDISP_INTERFACE_STATE_RSP);
	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_td_response(e->ft, pci_dev_id(pdev), &td_code),
			TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, td_code, TDX_TDISP_INTERFACE_STATE_RSP);

	pci_tsm_unbind(pdev);
	KUNIT_EXPECT_NULL(test, tdx_fake_tdi_find(e->ft, pci_dev_id(pdev)));
	KUNIT_EXPECT_EQ(test, host_calls(e, TDX_HOST_TEST_MMIO_SHARE), 1);

	KUNIT_ASSERT_EQ(test, pci_tsm_bind(pdev, tdx_host_test_kvm(), TEST_TDI_ID,
					   &e->host.host), 0);
	KUNIT_ASSERT_EQ(test, tsm_write(e, pdev, "disconnect", tsm_name(e)), 0);
	KUNIT_EXPECT_NULL(test, pdev->tsm);
	expect_disconnected(test, e);
	KUNIT_EXPECT_EQ(test, host_calls(e, TDX_HOST_TEST_MMIO_SHARE), 2);
	KUNIT_EXPECT_EQ(test, host_calls(e, TDX_HOST_TEST_DMA_CLEANUP), 2);

	remove_tdx_host(test);
	expect_all_released(test, e);
	KUNIT_EXPECT_EQ(test, tdx_fake_calls(e->fake, TDH_DEVIF_CREATE), 2);
	KUNIT_EXPECT_EQ(test, tdx_fake_calls(e->fake, TDH_DEVIF_REMOVE), 2);
}

/*
 * Function 1 of a multi-function device gets a TSM context and its files
 * of the link TSM with the connect of function 0, the DSM, and loses both
 * with the disconnect.
 */
static void function_1_files_follow_connect(struct kunit *test)
{
	struct link_env *e = test->priv;
	struct pci_dev *fn1;
	char buf[32];

	start(test, 2);
	fn1 = e->fp->fn1;
	KUNIT_EXPECT_EQ(test, tsm_read(e, fn1, "dsm", buf, sizeof(buf)), -ENOENT);
	KUNIT_EXPECT_EQ(test, dev_read(e, fn1, "authenticated", buf, sizeof(buf)), -ENOENT);

	KUNIT_ASSERT_EQ(test, tsm_write(e, e->fp->pdev, "connect", tsm_name(e)), 0);
	KUNIT_ASSERT_NOT_NULL(test, fn1->tsm);
	KUNIT_EXPECT_PTR_EQ(test, fn1->tsm->dsm_dev, e->fp->pdev);
	KUNIT_EXPECT_GT(test, tsm_read(e, fn1, "dsm", buf, sizeof(buf)), 0);
	KUNIT_EXPECT_STREQ(test, strim(buf), pci_name(e->fp->pdev));
	KUNIT_EXPECT_EQ(test, tsm_read(e, fn1, "bound", buf, sizeof(buf)), 1);
	KUNIT_EXPECT_GT(test, dev_read(e, fn1, "authenticated", buf, sizeof(buf)), 0);
	KUNIT_EXPECT_STREQ(test, strim(buf), tsm_name(e));

	KUNIT_ASSERT_EQ(test, tsm_write(e, e->fp->pdev, "disconnect", tsm_name(e)), 0);
	KUNIT_EXPECT_NULL(test, fn1->tsm);
	KUNIT_EXPECT_EQ(test, tsm_read(e, fn1, "bound", buf, sizeof(buf)), -ENOENT);
	KUNIT_EXPECT_EQ(test, dev_read(e, fn1, "authenticated", buf, sizeof(buf)), -ENOENT);

	remove_tdx_host(test);
	expect_all_released(test, e);
}

/* ---- Races ---- */

enum race_removal {
	REMOVE_TSM,	/* tdx-host goes: the core disconnects every DSM */
	REMOVE_DEVICE,	/* the device is hot-removed while bound */
};

struct racer {
	struct link_env *e;
	struct pci_dev *pdev;
	struct completion done;
	int (*step)(struct racer *r);
	atomic_t ok;		/* successful rounds */
	atomic_t rounds;
	int bad;		/* unexpected error that stopped it */
	const char *bad_op;	/* and what returned it */
};

static bool stop_racing;

static int racer_fail(struct racer *r, const char *op, int ret)
{
	r->bad_op = op;
	return ret;
}

/* bind and unbind; refused only while the device is not connected */
static int bind_round(struct racer *r)
{
	int ret = pci_tsm_bind(r->pdev, tdx_host_test_kvm(), TEST_TDI_ID, &r->e->host.host);

	/* pci_tsm_bind(): no pdev->tsm, connect has not run or disconnect has */
	if (ret == -EINVAL)
		return 0;
	if (ret)
		return racer_fail(r, "bind", ret);
	atomic_inc(&r->ok);
	pci_tsm_unbind(r->pdev);
	/*
	 * A connect holds pci_tsm_rwsem for write through a dozen DOE
	 * exchanges and only try-locks it: leave it gaps between binds,
	 * which still overlap every phase of its SPDM and IDE setup.
	 */
	usleep_range(200, 400);
	return 0;
}

/*
 * Whether the removal of the TSM or of the device explains a failed
 * connect or disconnect: only once it has started, and only with
 *  -ENOENT: the tsm/ file was gone at lookup (hidden, or its device
 *           deleted);
 *  -ENODEV: the file was removed after its lookup (kernfs_fop_open()) or
 *           after its open (kernfs_fop_write_iter()), which is kernfs for
 *           every sysfs file; or connect_store() refused a device being
 *           removed;
 *  -ENXIO:  connect_store() found no link TSM of that name (unregistered,
 *           or gone from the tsm class); disconnect_store() found the
 *           device disconnected, by the removal.
 */
static bool removal_explains(struct racer *r, int ret)
{
	/* Pairs with the release before the removal */
	if (!smp_load_acquire(&r->e->removing))
		return false;
	return ret == -ENOENT || ret == -ENODEV || ret == -ENXIO;
}

/* connect and disconnect through sysfs; both succeed until the removal */
static int connect_round(struct racer *r)
{
	int ret = tsm_write(r->e, r->pdev, "connect", tsm_name(r->e));

	if (!ret)
		atomic_inc(&r->ok);
	else if (!removal_explains(r, ret))
		return racer_fail(r, "connect", ret);

	ret = tsm_write(r->e, r->pdev, "disconnect", tsm_name(r->e));
	if (ret && !removal_explains(r, ret))
		return racer_fail(r, "disconnect", ret);
	return 0;
}

/*
 * Read function 1's files of the link TSM.  Connect shows them and
 * disconnect hides them, so they may be gone at any time, not only once
 * the removal started, and a read fails as kernfs says for any sysfs file:
 *  -ENOENT: the file was gone at lookup;
 *  -ENODEV: the file was removed after its lookup (kernfs_fop_open()) or
 *           after its open (kernfs_seq_start()).
 * What a read returns holds while function 1 is connected: the TSM, no
 * TDI bound (only function 0 is), function 0 as the DSM.
 */
static int read_round(struct racer *r)
{
	const struct {
		const char *attr;
		const char *want;
	} reads[] = {
		{ "authenticated", tsm_name(r->e) },
		{ "tsm/bound", "" },
		{ "tsm/dsm", pci_name(r->e->fp->pdev) },
	};
	unsigned int i;
	char buf[32];
	ssize_t ret;

	for (i = 0; i < ARRAY_SIZE(reads); i++) {
		ret = dev_read(r->e, r->pdev, reads[i].attr, buf, sizeof(buf));
		if (ret == -ENOENT || ret == -ENODEV)
			continue;
		if (ret < 0)
			return racer_fail(r, reads[i].attr, ret);
		/* Not an errno of the read: what it returned is wrong */
		if (strcmp(strim(buf), reads[i].want))
			return racer_fail(r, reads[i].attr, -EBADMSG);
		atomic_inc(&r->ok);
	}
	return 0;
}

static int racer_thread(void *data)
{
	struct racer *r = data;

	/* Static stubs follow the test through current->kunit_test. */
	current->kunit_test = r->e->test;
	while (!READ_ONCE(stop_racing) && !r->bad) {
		r->bad = r->step(r);
		atomic_inc(&r->rounds);
		cond_resched();
	}
	current->kunit_test = NULL;
	complete(&r->done);
	return 0;
}

/* Progress is waited for, not timed; the bound only catches a hang. */
#define RACE_ROUNDS	4
#define RACE_WAITS	60000

static bool wait_rounds(struct racer *r, atomic_t *counter, int target)
{
	unsigned int i;

	/* At least a millisecond each: a minute at least */
	for (i = 0; i < RACE_WAITS; i++) {
		if (atomic_read(counter) >= target || r->bad)
			return atomic_read(counter) >= target;
		usleep_range(1000, 2000);
	}
	return false;
}

struct race_param {
	enum race_removal removal;
	unsigned int nr_fns;	/* 2: function 1's files are read too */
	const char *desc;
};

static const struct race_param race_params[] = {
	{ REMOVE_TSM, 1, "tdx-host removed" },
	{ REMOVE_DEVICE, 1, "device removed" },
	{ REMOVE_TSM, 2, "tdx-host removed, function 1 read" },
	{ REMOVE_DEVICE, 2, "device removed, function 1 read" },
};

KUNIT_ARRAY_PARAM_DESC(race, race_params, desc);

/*
 * bind/unbind from one thread and connect/disconnect from another (and,
 * with a function 1, reads of its files from a third), until each has
 * succeeded a few times; then the TSM or the device goes while they go
 * on, until each has run a few more rounds.  Afterwards: every bind that
 * reached the module was unbound exactly once and in order (the module
 * refuses to remove a TDI with trusted DMA), every connect was
 * disconnected once with no TDI left, the module owns nothing, nothing
 * leaked or warned, and lockdep stayed quiet.
 */
static void bind_unbind_race_disconnect_and_removal(struct kunit *test)
{
	const struct race_param *param = test->param_value;
	struct link_env *e = test->priv;
	struct racer binder = { .step = bind_round }, connector = { .step = connect_round };
	struct racer reader = { .step = read_round };
	struct racer *racers[] = { &binder, &connector, &reader };
	unsigned int i, nr_racers = param->nr_fns > 1 ? 3 : 2;
	unsigned long t0 = jiffies;
	struct task_struct *t;
	int rounds;

	start(test, param->nr_fns);
	WRITE_ONCE(stop_racing, false);
	for (i = 0; i < nr_racers; i++) {
		racers[i]->e = e;
		racers[i]->pdev = racers[i] == &reader ? e->fp->fn1 : e->fp->pdev;
		init_completion(&racers[i]->done);
		t = kthread_run(racer_thread, racers[i], "tdx_host_link_test/%u", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	}

	for (i = 0; i < nr_racers; i++)
		KUNIT_EXPECT_TRUE(test, wait_rounds(racers[i], &racers[i]->ok, RACE_ROUNDS));

	/* From here on the racers accept what the removal explains */
	smp_store_release(&e->removing, true);
	if (param->removal == REMOVE_TSM)
		remove_tdx_host(test);
	else
		fake_pcie_remove(e->fp);

	for (i = 0; i < nr_racers; i++) {
		rounds = atomic_read(&racers[i]->rounds);
		KUNIT_EXPECT_TRUE(test, wait_rounds(racers[i], &racers[i]->rounds,
						    rounds + RACE_ROUNDS));
	}
	WRITE_ONCE(stop_racing, true);
	for (i = 0; i < nr_racers; i++)
		wait_for_completion(&racers[i]->done);

	for (i = 0; i < nr_racers; i++)
		KUNIT_EXPECT_EQ_MSG(test, racers[i]->bad, 0, "%s failed",
				    racers[i]->bad_op);
	KUNIT_EXPECT_NULL(test, e->fp->pdev->tsm);
	if (e->fp->fn1)
		KUNIT_EXPECT_NULL(test, e->fp->fn1->tsm);

	/* Whichever of the two is still there goes now. */
	fake_pcie_remove(e->fp);
	remove_tdx_host(test);

	expect_all_released(test, e);
	/* Every session created was deleted, each connect disconnected once */
	KUNIT_EXPECT_EQ(test, tdx_fake_calls(e->fake, TDH_SPDM_DELETE),
			tdx_fake_calls(e->fake, TDH_SPDM_CREATE));
	KUNIT_EXPECT_EQ(test, tdx_fake_calls(e->fake, TDH_IDE_STREAM_DELETE),
			tdx_fake_calls(e->fake, TDH_IDE_STREAM_CREATE));
	KUNIT_EXPECT_GE(test, tdx_fake_calls(e->fake, TDH_SPDM_CREATE),
			atomic_read(&connector.ok));
	KUNIT_EXPECT_EQ(test, host_calls(e, TDX_HOST_TEST_DMA_SETUP),
			host_calls(e, TDX_HOST_TEST_DMA_CLEANUP));
	KUNIT_EXPECT_EQ(test, host_calls(e, TDX_HOST_TEST_MMIO_UNMAP),
			host_calls(e, TDX_HOST_TEST_DMA_SETUP));
	KUNIT_EXPECT_EQ(test, host_calls(e, TDX_HOST_TEST_MMIO_SHARE),
			host_calls(e, TDX_HOST_TEST_MMIO_UNMAP));
	KUNIT_EXPECT_EQ(test, tdx_fake_calls(e->fake, TDH_DEVIF_CREATE),
			host_calls(e, TDX_HOST_TEST_DMA_SETUP));
	KUNIT_EXPECT_EQ(test, tdx_fake_calls(e->fake, TDH_DEVIF_REMOVE),
			host_calls(e, TDX_HOST_TEST_DMA_SETUP));
	KUNIT_EXPECT_EQ(test, tdx_fake_calls(e->fake, TDH_IOMMU_CLEAR), 1);
	kunit_info(test, "%d binds, %d connects, %u deletes, %d reads, %d restarts, %u SEAMCALLs in %u ms\n",
		   atomic_read(&binder.ok), atomic_read(&connector.ok),
		   tdx_fake_calls(e->fake, TDH_SPDM_DELETE), atomic_read(&reader.ok),
		   atomic_read(&e->restarts), e->fake->nr_calls,
		   jiffies_to_msecs(jiffies - t0));
}

static struct kunit_case tdx_host_link_test_cases[] = {
	KUNIT_CASE(connect_and_disconnect_in_the_modules_order),
	KUNIT_CASE(connect_runs_the_key_update_the_module_asks_for),
	KUNIT_CASE(connect_undoes_everything_when_a_seamcall_fails),
	KUNIT_CASE(connect_undoes_everything_when_a_doe_exchange_fails),
	KUNIT_CASE_PARAM_ATTR(doe_failure_gives_its_errno_and_undoes_connect,
			      doe_failure_gen_params, { .speed = KUNIT_SPEED_SLOW }),
	KUNIT_CASE(device_error_response_fails_connect),
	KUNIT_CASE(connect_allocates_everything_before_its_first_seamcall),
	KUNIT_CASE_PARAM(bad_connect_is_refused_with_nothing_left, bad_connect_gen_params),
	KUNIT_CASE(connect_twice_and_disconnect_of_another_tsm_are_refused),
	KUNIT_CASE_PARAM(refused_delete_leaks_with_a_warning, refused_delete_gen_params),
	KUNIT_CASE(bind_and_disconnect_through_the_core),
	KUNIT_CASE(function_1_files_follow_connect),
	KUNIT_CASE_PARAM_ATTR(bind_unbind_race_disconnect_and_removal, race_gen_params,
			      { .speed = KUNIT_SPEED_SLOW }),
	{}
};

static struct kunit_suite tdx_host_link_test_suite = {
	.name = "tdx_host_link",
	.init = tdx_host_link_test_init,
	.test_cases = tdx_host_link_test_cases,
};

kunit_test_suite(tdx_host_link_test_suite);

MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");
MODULE_IMPORT_NS("PCI_IDE");
