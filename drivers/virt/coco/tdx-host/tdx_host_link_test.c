// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for tdx-host behind the real PCI/TSM core: a fake PCIe
 * function 0 with a DOE mailbox on a root bus of its own (a bus number
 * that no real device can have, see fake_pcie_pick_bus()), connected and
 * disconnected through its tsm/ sysfs files, bound and unbound through
 * pci_tsm_bind() and pci_tsm_unbind(), and all of it raced against the
 * removal of the TSM and of the device; with a function 1 too, whose
 * tsm/ files connect shows and disconnect hides, read meanwhile.
 *
 * The TDX module is the fake one with its fake TDI leaves.  Connecting
 * the link (SPDM and IDE) is not supported yet, so the tests stand in for
 * tdx_host_link_connect() and tdx_host_link_disconnect().
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

#include <linux/atomic.h>
#include <linux/bitfield.h>
#include <linux/bitmap.h>
#include <linux/completion.h>
#include <linux/debug_locks.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/kthread.h>
#include <linux/mount.h>
#include <linux/panic.h>
#include <linux/pci.h>
#include <linux/pci-doe.h>
#include <linux/pci-tsm.h>
#include <linux/sched/signal.h>
#include <linux/sockptr.h>
#include <linux/tsm.h>

#include <kunit/device.h>
#include <kunit/static_stub.h>
#include <kunit/test.h>

#include <asm/shared/tdx_errno.h>
#include <asm/tdx.h>
#include <asm/tdx_fake_module.h>
#include <asm/tdx_fake_tdi.h>
#include <asm/tdx_iommu_mt.h>
#include <asm/tdx_tdi.h>

#include "../../../../arch/x86/virt/vmx/tdx/tdx.h"
#include "tdx_host_iommu.h"
#include "tdx_host_tdi.h"
#include "tdx_host_tsm.h"

#define TEST_VTBAR	0xfed90000ULL
#define TEST_IOMMU	0x101
#define TEST_STREAM	5
#define TEST_VM		0x23456000ULL
#define TEST_TDI_ID	0x20
/* Bus numbers are 8 bits */
#define FAKE_NR_BUSES	(U8_MAX + 1)

/* ---- A PCIe function 0 with a DOE mailbox that speaks CMA ---- */

#define FAKE_PCIE_CAP	0x40
#define FAKE_DOE_CAP	0x100
#define FAKE_DOE_DW	8
/* Function 0, the DSM, and function 1, which only it speaks for */
#define FAKE_MAX_FNS	2

/**
 * struct fake_pcie - A TDISP capable endpoint on a root bus of its own
 * @sysdata: x86 host bridge data, domain 0
 * @busn: the bus number of the root bus, see fake_pcie_pick_bus()
 * @bus: the root bus, until removed
 * @pdev: function 0, referenced until the test ends
 * @fn1: function 1 if there is one, referenced until the test ends
 * @nr_fns: 1, or 2 with function 0 a multi-function device
 * @cfg: config space of each function; writes outside the DOE mailbox
 *	 of function 0 are dropped
 * @req: the DOE request being written
 * @nr_req: dwords in @req
 * @rsp: the DOE response being read
 * @nr_rsp: dwords in @rsp
 * @rsp_pos: next dword of @rsp to read
 * @doe_status: the DOE Status register
 *
 * Config accesses are serialized by the PCI core's pci_lock.
 */
struct fake_pcie {
	struct pci_sysdata sysdata;
	struct resource busn;
	struct pci_bus *bus;
	struct pci_dev *pdev;
	struct pci_dev *fn1;
	unsigned int nr_fns;
	u32 cfg[FAKE_MAX_FNS][PCI_CFG_SPACE_EXP_SIZE / 4];
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
		/* Anything else is not for this device. */
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
	unsigned int fn = PCI_FUNC(devfn);
	u32 dw;

	if (PCI_SLOT(devfn) || fn >= fp->nr_fns || where + size > PCI_CFG_SPACE_EXP_SIZE) {
		*val = ~0;
		return PCIBIOS_DEVICE_NOT_FOUND;
	}

	dw = fp->cfg[fn][where / 4];
	/* Only function 0 has a DOE mailbox */
	if (!fn && (where & ~3) == FAKE_DOE_CAP + PCI_DOE_STATUS)
		dw = fp->doe_status;
	else if (!fn && (where & ~3) == FAKE_DOE_CAP + PCI_DOE_READ)
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

	if (PCI_SLOT(devfn) || PCI_FUNC(devfn) >= fp->nr_fns)
		return PCIBIOS_DEVICE_NOT_FOUND;
	/* Only function 0 has a DOE mailbox */
	if (PCI_FUNC(devfn) || size != 4)
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

/*
 * Function 0: a TDISP capable endpoint (TEE) with the CMA mailbox, a
 * multi-function device if there is a function 1.  Function 1: an
 * endpoint without either, a TDI that function 0's DSM speaks for.
 */
static void fake_pcie_init_cfg(struct fake_pcie *fp, unsigned int fn)
{
	u32 *cfg = fp->cfg[fn];

	/* A vendor-specific class that no driver claims */
	cfg[PCI_VENDOR_ID / 4] = PCI_VENDOR_ID_REDHAT | (0x00fe - fn) << 16;
	cfg[PCI_COMMAND / 4] = PCI_STATUS_CAP_LIST << 16;
	cfg[PCI_CLASS_REVISION / 4] = 0xff000000 | 1;
	if (!fn && fp->nr_fns > 1)
		cfg[PCI_CACHE_LINE_SIZE / 4] = PCI_HEADER_TYPE_MFD << 16;
	cfg[PCI_CAPABILITY_LIST / 4] = FAKE_PCIE_CAP;

	cfg[FAKE_PCIE_CAP / 4] = PCI_CAP_ID_EXP |
				 (2 | PCI_EXP_TYPE_ENDPOINT << 4) << 16;
	if (fn)
		return;
	cfg[(FAKE_PCIE_CAP + PCI_EXP_DEVCAP) / 4] = PCI_EXP_DEVCAP_TEE;

	cfg[FAKE_DOE_CAP / 4] = PCI_EXT_CAP_ID_DOE | 2 << 16;
}

/* Mark the bus numbers a bridge forwards, [secondary, subordinate] */
static void fake_mark_bridge(struct pci_dev *bridge, unsigned long *taken)
{
	u8 sec = 0, sub = 0;

	if (bridge->subordinate)
		bitmap_set(taken, bridge->subordinate->busn_res.start,
			   resource_size(&bridge->subordinate->busn_res));

	/* What the bridge forwards, whether the kernel scanned below it or not */
	if (bridge->hdr_type == PCI_HEADER_TYPE_BRIDGE) {
		pci_read_config_byte(bridge, PCI_SECONDARY_BUS, &sec);
		pci_read_config_byte(bridge, PCI_SUBORDINATE_BUS, &sub);
	} else if (bridge->hdr_type == PCI_HEADER_TYPE_CARDBUS) {
		pci_read_config_byte(bridge, PCI_CB_CARD_BUS, &sec);
		pci_read_config_byte(bridge, PCI_CB_SUBORDINATE_BUS, &sub);
	}
	if (sec && sub >= sec)
		bitmap_set(taken, sec, sub - sec + 1);
}

/*
 * The bus number of the fake device's root bus.  It is in domain 0:
 * tdx-host binds functions of PCI segment 0 only, by requester ID
 * (tdx_host_link_covers()), so a domain of its own, where nothing could
 * collide, would not bind.  In domain 0, take the highest number
 * that no bus has and that no bridge forwards: no enumeration or hotplug
 * below a real bridge can then create that bus.  Root buses do not count,
 * as a host bridge's window often spans every number ([bus 00-ff]); the
 * fake bus's number resource is then only reported as a conflict.
 *
 * Context: pci_lock_rescan_remove() held, so that no bus appears before
 * pci_scan_root_bus() claims the number; that refuses a known bus anyway.
 * Return: the bus number, or -ENOSPC if every number is taken.
 */
static int fake_pcie_pick_bus(void)
{
	DECLARE_BITMAP(taken, FAKE_NR_BUSES);
	struct pci_dev *pdev = NULL;
	struct pci_bus *bus = NULL;
	int nr;

	bitmap_zero(taken, FAKE_NR_BUSES);
	while ((bus = pci_find_next_bus(bus)))
		if (!pci_domain_nr(bus))
			__set_bit(bus->number, taken);
	for_each_pci_dev(pdev) {
		if (pci_domain_nr(pdev->bus))
			continue;
		__set_bit(pdev->bus->number, taken);
		if (pci_is_bridge(pdev))
			fake_mark_bridge(pdev, taken);
	}

	for (nr = FAKE_NR_BUSES - 1; nr > 0; nr--)
		if (!test_bit(nr, taken))
			return nr;
	return -ENOSPC;
}

static void fake_pcie_remove(struct fake_pcie *fp)
{
	struct pci_host_bridge *bridge;

	if (!fp->bus)
		return;

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
	fp->bus = NULL;
}

static void fake_pcie_release(void *data)
{
	struct fake_pcie *fp = data;

	fake_pcie_remove(fp);
	pci_dev_put(fp->fn1);
	pci_dev_put(fp->pdev);
}

/* Scan the fake device with @nr_fns functions in, as hotplug would. */
static struct fake_pcie *fake_pcie_add(struct kunit *test, unsigned int nr_fns)
{
	struct fake_pcie *fp = kunit_kzalloc(test, sizeof(*fp), GFP_KERNEL);
	LIST_HEAD(resources);
	unsigned int fn;
	int busnr;

	KUNIT_ASSERT_NOT_NULL(test, fp);
	fp->nr_fns = nr_fns;
	for (fn = 0; fn < nr_fns; fn++)
		fake_pcie_init_cfg(fp, fn);
	fp->sysdata.node = NUMA_NO_NODE;

	pci_lock_rescan_remove();
	busnr = fake_pcie_pick_bus();
	if (busnr >= 0) {
		fp->busn = DEFINE_RES_NAMED(busnr, 1, "fake TDISP bus", IORESOURCE_BUS);
		pci_add_resource(&resources, &fp->busn);
		fp->bus = pci_scan_root_bus(NULL, busnr, &fake_pcie_ops, &fp->sysdata,
					    &resources);
	}
	if (fp->bus)
		pci_bus_add_devices(fp->bus);
	pci_unlock_rescan_remove();
	pci_free_resource_list(&resources);
	KUNIT_ASSERT_GE(test, busnr, 0);
	KUNIT_ASSERT_NOT_NULL(test, fp->bus);

	fp->pdev = pci_get_slot(fp->bus, PCI_DEVFN(0, 0));
	if (nr_fns > 1)
		fp->fn1 = pci_get_slot(fp->bus, PCI_DEVFN(0, 1));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, fake_pcie_release, fp), 0);
	KUNIT_ASSERT_NOT_NULL(test, fp->pdev);
	if (nr_fns > 1) {
		KUNIT_ASSERT_NOT_NULL(test, fp->fn1);
		KUNIT_ASSERT_FALSE(test, is_pci_tsm_pf0(fp->fn1));
	}
	KUNIT_ASSERT_TRUE(test, is_pci_tsm_pf0(fp->pdev));
	KUNIT_ASSERT_NOT_NULL(test, pci_find_doe_mailbox(fp->pdev, PCI_VENDOR_ID_PCI_SIG,
							 PCI_DOE_FEATURE_CMA));
	return fp;
}

/* ---- The environment: fake module, tdx-host registered, the device ---- */

struct link_env {
	struct kunit *test;
	struct tdx_fake_module *fake;
	struct tdx_fake_tdi *ft;
	struct tdx_sys_info sysinfo;
	struct device *dev;
	bool dev_removed;
	struct tsm_dev *tsm_dev;
	char tsm_name[16];
	struct vfsmount *sysfs;
	struct fake_pcie *fp;
	struct pci_tdi_host host;
	bool stub_connect;
	bool removing;

	atomic_t connects, disconnects, busy_disconnects, restarts;
	atomic_t dma_setups, dma_cleanups, mmio_unmaps, mmio_shares;
	bool warned_before;
};

static struct link_env *env_of(const struct pci_tdi_host *host)
{
	return container_of(host, struct link_env, host);
}

static struct link_env *env(void)
{
	return kunit_get_current_test()->priv;
}

static u64 dmar_cte(struct pci_tdi *tdi)
{
	return FIELD_PREP(TDX_DMAR_IDX_IOMMU_ID, TEST_IOMMU) |
	       FIELD_PREP(TDX_DMAR_IDX_RID, pci_dev_id(tdi->pdev)) |
	       FIELD_PREP(TDX_DMAR_IDX_LEVEL, TDX_DMAR_LEVEL_CTE);
}

/* Trusted DMA through the module, so that it sees the order of unbind. */
static int race_dma_setup(const struct pci_tdi_host *host, struct pci_tdi *tdi)
{
	struct tdx_dmar_entry cte = { .qw = { 0x1001 } };

	atomic_inc(&env_of(host)->dma_setups);
	return tdh_dmar_add(dmar_cte(tdi), &cte) ? -EIO : 0;
}

static void race_dma_cleanup(const struct pci_tdi_host *host, struct pci_tdi *tdi)
{
	atomic_inc(&env_of(host)->dma_cleanups);
	tdh_dmar_block(dmar_cte(tdi));
	tdh_dmar_remove(dmar_cte(tdi));
}

/* The device has no memory BAR: nothing is mapped or shared. */
static void race_mmio_unmap(const struct pci_tdi_host *host, struct pci_tdi *tdi)
{
	atomic_inc(&env_of(host)->mmio_unmaps);
}

static void race_mmio_share(const struct pci_tdi_host *host, struct pci_tdi *tdi)
{
	atomic_inc(&env_of(host)->mmio_shares);
}

static const struct pci_tdi_host_ops race_host_ops = {
	.dma_setup = race_dma_setup,
	.dma_cleanup = race_dma_cleanup,
	.mmio_unmap = race_mmio_unmap,
	.mmio_share = race_mmio_share,
};

/* What SPDM and IDE will establish: a stream that carries the bus */
static int fake_link_connect(struct tdx_host_link *link, struct pci_dev *dsm)
{
	*link = (struct tdx_host_link) {
		.iommu_id = TEST_IOMMU,
		.stream_id = TEST_STREAM,
		.dsm = dsm,
		.rid_base = PCI_DEVID(dsm->bus->number, 0),
		.rid_limit = PCI_DEVID(dsm->bus->number, 0xff),
	};
	atomic_inc(&env()->connects);
	return 0;
}

/* The core unbinds every TDI before: the module must know none of them. */
static void fake_link_disconnect(struct tdx_host_link *link)
{
	struct link_env *e = env();

	atomic_inc(&e->disconnects);
	if (tdx_fake_tdi_find(e->ft, pci_dev_id(link->dsm)))
		atomic_inc(&e->busy_disconnects);
	link->dsm = NULL;
}

static int fake_doe(struct pci_dev *dsm, const void *req, size_t req_len, void *rsp,
		    size_t rsp_size)
{
	return tdx_fake_tdisp_device(req, req_len, rsp, rsp_size, 0);
}

static int rec_reg_bases(u64 **reg_bases)
{
	*reg_bases = kmemdup(&(u64){ TEST_VTBAR }, sizeof(u64), GFP_KERNEL);
	return *reg_bases ? 1 : -ENOMEM;
}

static struct tsm_dev *rec_register(struct device *dev, struct pci_tsm_ops *ops)
{
	struct tsm_dev *tsm_dev = tsm_register(dev, ops);

	/* The name outlives the TSM device, for writes after its removal. */
	if (!IS_ERR(tsm_dev)) {
		env()->tsm_dev = tsm_dev;
		strscpy(env()->tsm_name, dev_name(&tsm_dev->dev));
	}
	return tsm_dev;
}

static void unmount_sysfs(void *mnt)
{
	kern_unmount(mnt);
}

static int tdx_host_link_test_init(struct kunit *test)
{
	struct file_system_type *sysfs_type;
	struct link_env *e;

	e = kunit_kzalloc(test, sizeof(*e), GFP_KERNEL);
	if (!e)
		return -ENOMEM;
	test->priv = e;
	e->test = test;
	e->host = (struct pci_tdi_host) { .ops = &race_host_ops, .vm_handle = TEST_VM };

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
	if (tdx_fake_add_iommu(e->fake, TEST_VTBAR, true))
		return -ENOSPC;
	e->ft = tdx_fake_tdi_install(test, e->fake);
	e->sysinfo.features.tdx_features0 = e->fake->features0;
	e->sysinfo.connect.iommu_mt_page_count = e->fake->iommu_mt_page_count;

	kunit_activate_static_stub(test, tdx_host_iommu_reg_bases, rec_reg_bases);
	kunit_activate_static_stub(test, tdx_host_tsm_register, rec_register);
	kunit_activate_static_stub(test, tdx_host_tdi_doe, fake_doe);
	/* Nothing here may warn; a suppressed WARN does not taint. */
	e->warned_before = test_taint(TAINT_WARN);

	/* Unregistered, and so tdx-host removed, before the fake goes. */
	e->dev = kunit_device_register(test, "tdx_host_link_test");
	if (IS_ERR(e->dev))
		return PTR_ERR(e->dev);
	return 0;
}

/* Probe tdx-host, then hot-add the device; removal is the reverse. */
static void start(struct kunit *test, bool stub_connect, unsigned int nr_fns)
{
	struct link_env *e = test->priv;

	if (stub_connect) {
		kunit_activate_static_stub(test, tdx_host_link_connect, fake_link_connect);
		kunit_activate_static_stub(test, tdx_host_link_disconnect,
					   fake_link_disconnect);
	}
	KUNIT_ASSERT_EQ(test, tdx_host_connect_probe(e->dev, &e->sysinfo), 0);
	KUNIT_ASSERT_NOT_NULL(test, e->tsm_dev);
	e->fp = fake_pcie_add(test, nr_fns);
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
	return e->tsm_name;
}

static struct kvm *test_kvm(void)
{
	static int kvm;

	/* Neither the core nor tdx-host looks into the VM. */
	return (struct kvm *)&kvm;
}

static void expect_all_released(struct kunit *test, struct link_env *e)
{
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(e->fake), 0);
	KUNIT_EXPECT_NULL(test, tdx_fake_tdi_find(e->ft, pci_dev_id(e->fp->pdev)));
	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_nr_dma(e->ft, pci_dev_id(e->fp->pdev)), 0);
	KUNIT_EXPECT_FALSE_MSG(test, !e->warned_before && test_taint(TAINT_WARN),
			       "a WARN fired");
	KUNIT_EXPECT_TRUE_MSG(test, debug_locks, "lockdep reported a problem");
}

/*
 * Until SPDM and IDE are supported, connect fails through the core: the
 * DSM context is freed, nothing is bound, and the module is not called.
 */
static void connect_is_refused_through_the_core(struct kunit *test)
{
	struct link_env *e = test->priv;
	unsigned int calls;
	char buf[32];

	start(test, false, 1);
	calls = e->fake->nr_calls;

	KUNIT_EXPECT_EQ(test, tsm_write(e, e->fp->pdev, "connect", tsm_name(e)), -EOPNOTSUPP);
	KUNIT_EXPECT_NULL(test, e->fp->pdev->tsm);
	KUNIT_EXPECT_EQ(test, pci_tsm_bind(e->fp->pdev, test_kvm(), TEST_TDI_ID, &e->host),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, tsm_write(e, e->fp->pdev, "disconnect", tsm_name(e)), -ENXIO);
	KUNIT_EXPECT_EQ(test, tsm_read(e, e->fp->pdev, "connect", buf, sizeof(buf)), 1);
	KUNIT_EXPECT_EQ(test, e->fake->nr_calls, calls);

	remove_tdx_host(test);
	expect_all_released(test, e);
}

/*
 * The whole path of one TDI: connect through sysfs, bind and unbind
 * through the core, bind again, and a disconnect that finds the TDI bound
 * and has the core unbind it first.
 */
static void bind_and_disconnect_through_the_core(struct kunit *test)
{
	struct link_env *e = test->priv;
	struct pci_dev *pdev;
	char buf[32];

	start(test, true, 1);
	pdev = e->fp->pdev;

	KUNIT_ASSERT_EQ(test, tsm_write(e, pdev, "connect", tsm_name(e)), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&e->connects), 1);
	KUNIT_ASSERT_NOT_NULL(test, pdev->tsm);

	KUNIT_ASSERT_EQ(test, pci_tsm_bind(pdev, test_kvm(), TEST_TDI_ID, &e->host), 0);
	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_find(e->ft, pci_dev_id(pdev))->tdisp_state,
			TDX_TDISP_CONFIG_LOCKED);
	KUNIT_EXPECT_GT(test, tsm_read(e, pdev, "bound", buf, sizeof(buf)), 0);
	KUNIT_EXPECT_STREQ(test, strim(buf), tsm_name(e));

	pci_tsm_unbind(pdev);
	KUNIT_EXPECT_NULL(test, tdx_fake_tdi_find(e->ft, pci_dev_id(pdev)));
	KUNIT_EXPECT_EQ(test, atomic_read(&e->mmio_shares), 1);

	KUNIT_ASSERT_EQ(test, pci_tsm_bind(pdev, test_kvm(), TEST_TDI_ID, &e->host), 0);
	KUNIT_ASSERT_EQ(test, tsm_write(e, pdev, "disconnect", tsm_name(e)), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&e->disconnects), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&e->busy_disconnects), 0);
	KUNIT_EXPECT_NULL(test, pdev->tsm);
	KUNIT_EXPECT_EQ(test, atomic_read(&e->mmio_shares), 2);
	KUNIT_EXPECT_EQ(test, atomic_read(&e->dma_cleanups), 2);

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

	start(test, true, 2);
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
	int ret = pci_tsm_bind(r->pdev, test_kvm(), TEST_TDI_ID, &r->e->host);

	/* pci_tsm_bind(): no pdev->tsm, connect has not run or disconnect has */
	if (ret == -EINVAL)
		return 0;
	if (ret)
		return racer_fail(r, "bind", ret);
	atomic_inc(&r->ok);
	pci_tsm_unbind(r->pdev);
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

	start(test, true, param->nr_fns);
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
	KUNIT_EXPECT_EQ(test, atomic_read(&e->disconnects), atomic_read(&e->connects));
	KUNIT_EXPECT_EQ(test, atomic_read(&e->busy_disconnects), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&e->dma_setups), atomic_read(&e->dma_cleanups));
	KUNIT_EXPECT_EQ(test, atomic_read(&e->mmio_unmaps), atomic_read(&e->dma_setups));
	KUNIT_EXPECT_EQ(test, atomic_read(&e->mmio_shares), atomic_read(&e->mmio_unmaps));
	KUNIT_EXPECT_EQ(test, tdx_fake_calls(e->fake, TDH_DEVIF_CREATE),
			atomic_read(&e->dma_setups));
	KUNIT_EXPECT_EQ(test, tdx_fake_calls(e->fake, TDH_DEVIF_REMOVE),
			atomic_read(&e->dma_setups));
	KUNIT_EXPECT_EQ(test, tdx_fake_calls(e->fake, TDH_IOMMU_CLEAR), 1);
	kunit_info(test, "%d binds, %d connects, %d disconnects, %d reads, %d restarts, %u SEAMCALLs in %u ms\n",
		   atomic_read(&binder.ok), atomic_read(&e->connects),
		   atomic_read(&e->disconnects), atomic_read(&reader.ok),
		   atomic_read(&e->restarts), e->fake->nr_calls,
		   jiffies_to_msecs(jiffies - t0));
}

static struct kunit_case tdx_host_link_test_cases[] = {
	KUNIT_CASE(connect_is_refused_through_the_core),
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

MODULE_DESCRIPTION("KUnit tests for tdx-host behind the PCI/TSM core");
MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");
MODULE_LICENSE("GPL");
