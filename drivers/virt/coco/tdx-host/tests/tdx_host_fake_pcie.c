// SPDX-License-Identifier: GPL-2.0-only
/*
 * A fake PCIe topology for the tdx-host KUnit suites, that the real PCI,
 * DOE and IDE core code runs on: a Root Port with selective IDE streams
 * on a root bus of its own (a bus number that no real device can have,
 * see fake_pcie_pick_bus()), and below it a TDISP capable endpoint whose
 * function 0 has a DOE mailbox that carries CMA/SPDM and secured SPDM,
 * and selective IDE streams; optionally a function 1 too.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

#include <linux/bitfield.h>
#include <linux/bitmap.h>
#include <linux/err.h>
#include <linux/idr.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/pci-doe.h>
#include <linux/pci-ide.h>
#include <linux/pci-tsm.h>

#include <kunit/resource.h>
#include <kunit/test.h>

#include "tdx_host_fake_doe.h"
#include "tdx_host_fake_pcie.h"

/* Bus numbers are 8 bits */
#define FAKE_NR_BUSES	(U8_MAX + 1)

#define FAKE_PCIE_CAP	0x40
#define FAKE_EXT_CAP	PCI_CFG_SPACE_SIZE
/* Where each further extended capability goes, at most two of them */
#define FAKE_EXT_STEP	0x100

/*
 * The Root Port's windows: bus addresses of a window of the fake host
 * bridge that is in no resource tree but its own.
 */
#define FAKE_WINDOW	0xe0000000ULL
#define FAKE_MEM	FAKE_WINDOW
#define FAKE_PREF	(FAKE_WINDOW + SZ_1M)
#define FAKE_WINDOW_SZ	SZ_2M

/* Address association blocks of each selective stream: mem and pref */
#define FAKE_IDE_ASSOC	2
#define FAKE_IDE_BLOCK	PCI_IDE_SEL_BLOCK_SIZE(FAKE_IDE_ASSOC)

enum fake_fn {
	FAKE_RP,
	FAKE_FN0,
	FAKE_FN1,
	FAKE_NR_FNS,
};

/**
 * struct fake_pcie_state - The registers behind a fake_pcie
 * @fp: what the test sees
 * @params: what the topology has
 * @sysdata: x86 host bridge data, domain 0 unless the test asks
 * @busn: the bus numbers of the root bus and the Root Port's secondary bus
 * @window: the memory window of the host bridge
 * @busnr: the root bus number, see fake_pcie_pick_bus()
 * @ide_cap: offset of the IDE capability of each function, or 0
 * @nr_streams: selective streams of each function with an IDE capability
 * @doe_cap: offset of the DOE capability of function 0, or 0
 * @cfg: config space of each function; writes outside the DOE mailbox
 *	 and the selective IDE stream blocks are dropped
 * @doe: the DOE mailbox of function 0, behind @doe_cap
 */
struct fake_pcie_state {
	struct fake_pcie fp;
	struct fake_pcie_params params;
	struct pci_sysdata sysdata;
	struct resource busn;
	struct resource window;
	u8 busnr;
	u16 ide_cap[FAKE_NR_FNS];
	u8 nr_streams[FAKE_NR_FNS];
	u16 doe_cap;
	u32 cfg[FAKE_NR_FNS][PCI_CFG_SPACE_EXP_SIZE / 4];
	struct fake_doe *doe;
};

static struct fake_pcie_state *to_state(struct pci_bus *bus)
{
	return container_of(bus->sysdata, struct fake_pcie_state, sysdata);
}

/* Which function @devfn on @bus is, or -1: the secondary bus is busnr + 1 */
static int fake_fn(struct fake_pcie_state *st, struct pci_bus *bus,
		   unsigned int devfn)
{
	if (bus->number == st->busnr)
		return devfn == PCI_DEVFN(0, 0) ? FAKE_RP : -1;
	if (bus->number != st->busnr + 1)
		return -1;
	if (devfn == PCI_DEVFN(0, 0))
		return FAKE_FN0;
	if (devfn == PCI_DEVFN(0, 1) && st->params.nr_fns > 1)
		return FAKE_FN1;
	return -1;
}

static struct pci_dev *fake_pci_dev(struct fake_pcie_state *st, int fn)
{
	return fn == FAKE_RP ? st->fp.rp : fn == FAKE_FN0 ? st->fp.pdev : st->fp.fn1;
}

/* The device end of the mailbox: function 0's responder, once it is found */
static int fake_pcie_doe_respond(void *data, u8 type, const void *req, size_t req_len,
				 void *rsp, size_t rsp_size)
{
	struct fake_pcie_state *st = data;
	struct pci_dev *pdev = READ_ONCE(st->fp.pdev);

	if (!st->params.doe_respond || !pdev)
		return -EIO;
	return st->params.doe_respond(st->params.priv, pdev, type, req, req_len, rsp,
				      rsp_size);
}

/* ---- IDE ---- */

/*
 * The offset of @where in the selective stream blocks of @fn, or -1.  No
 * link streams: the first block follows the IDE Control register.
 */
static int fake_ide_off(struct fake_pcie_state *st, int fn, int where)
{
	int base = st->ide_cap[fn] + PCI_IDE_LINK_STREAM_0;

	if (!st->ide_cap[fn] || where < base ||
	    where >= base + st->nr_streams[fn] * FAKE_IDE_BLOCK)
		return -1;
	return where - base;
}

/* SECURE once enabled, and only with the keys the test says are there */
static u32 fake_ide_status(struct fake_pcie_state *st, int fn, int off)
{
	int ctl = st->ide_cap[fn] + PCI_IDE_LINK_STREAM_0 +
		  off / FAKE_IDE_BLOCK * FAKE_IDE_BLOCK + PCI_IDE_SEL_CTL;
	u32 val = st->cfg[fn][ctl / 4];
	struct pci_dev *pdev = fake_pci_dev(st, fn);

	if ((val & PCI_IDE_SEL_CTL_EN) && pdev && st->params.ide_keyed &&
	    st->params.ide_keyed(st->params.priv, pdev, FIELD_GET(PCI_IDE_SEL_CTL_ID, val)))
		return FIELD_PREP(PCI_IDE_SEL_STS_STATE, PCI_IDE_SEL_STS_STATE_SECURE);
	return FIELD_PREP(PCI_IDE_SEL_STS_STATE, PCI_IDE_SEL_STS_STATE_INSECURE);
}

/* ---- Config space ---- */

static int fake_pcie_read(struct pci_bus *bus, unsigned int devfn, int where,
			  int size, u32 *val)
{
	struct fake_pcie_state *st = to_state(bus);
	int fn = fake_fn(st, bus, devfn);
	int reg = where & ~3;
	int off;
	u32 dw;

	if (fn < 0 || where + size > PCI_CFG_SPACE_EXP_SIZE) {
		*val = ~0;
		return PCIBIOS_DEVICE_NOT_FOUND;
	}

	dw = st->cfg[fn][reg / 4];
	off = fake_ide_off(st, fn, reg);
	if (fn == FAKE_FN0 && st->doe_cap &&
	    (reg == st->doe_cap + PCI_DOE_STATUS || reg == st->doe_cap + PCI_DOE_READ))
		dw = fake_doe_read(st->doe, reg - st->doe_cap);
	else if (off >= 0 && off % FAKE_IDE_BLOCK == PCI_IDE_SEL_STS)
		dw = fake_ide_status(st, fn, off);
	*val = dw >> (8 * (where & 3));
	if (size < 4)
		*val &= GENMASK(8 * size - 1, 0);
	return PCIBIOS_SUCCESSFUL;
}

static int fake_pcie_write(struct pci_bus *bus, unsigned int devfn, int where,
			   int size, u32 val)
{
	struct fake_pcie_state *st = to_state(bus);
	int fn = fake_fn(st, bus, devfn);
	int reg = where & ~3;
	u32 mask;
	int off;

	if (fn < 0 || where + size > PCI_CFG_SPACE_EXP_SIZE)
		return PCIBIOS_DEVICE_NOT_FOUND;

	if (fn == FAKE_FN0 && st->doe_cap && reg >= st->doe_cap &&
	    reg < st->doe_cap + PCI_DOE_CAP_SIZEOF) {
		if (size == 4)
			fake_doe_write(st->doe, reg - st->doe_cap, val);
		return PCIBIOS_SUCCESSFUL;
	}

	/* The selective stream blocks but their capability and status */
	off = fake_ide_off(st, fn, reg);
	if (off < 0 || off % FAKE_IDE_BLOCK == PCI_IDE_SEL_CAP ||
	    off % FAKE_IDE_BLOCK == PCI_IDE_SEL_STS)
		return PCIBIOS_SUCCESSFUL;
	mask = (size == 4 ? ~0U : GENMASK(8 * size - 1, 0)) << (8 * (where & 3));
	st->cfg[fn][reg / 4] = (st->cfg[fn][reg / 4] & ~mask) |
			       ((val << (8 * (where & 3))) & mask);
	return PCIBIOS_SUCCESSFUL;
}

static struct pci_ops fake_pcie_ops = {
	.read = fake_pcie_read,
	.write = fake_pcie_write,
};

/* Chain an extended capability at @pos after the one at @*last */
static void fake_ext_cap(u32 *cfg, u16 *last, u16 pos, u16 id, u8 ver)
{
	if (*last)
		cfg[*last / 4] |= (u32)pos << 20;
	cfg[pos / 4] = id | ver << 16;
	*last = pos;
}

/* An IDE capability with selective streams only, none of them active */
static void fake_ide_cap(struct fake_pcie_state *st, int fn, u16 *last, u16 pos,
			 u8 nr)
{
	u32 *cfg = st->cfg[fn];
	unsigned int i;

	if (!nr)
		nr = FAKE_PCIE_IDE_STREAMS;
	nr = min(nr, FAKE_PCIE_IDE_MAX_STREAMS);
	fake_ext_cap(cfg, last, pos, PCI_EXT_CAP_ID_IDE, 1);
	cfg[(pos + PCI_IDE_CAP) / 4] = PCI_IDE_CAP_SELECTIVE | PCI_IDE_CAP_IDE_KM |
				       FIELD_PREP(PCI_IDE_CAP_SEL_NUM, nr - 1);
	for (i = 0; i < nr; i++)
		cfg[(pos + PCI_IDE_LINK_STREAM_0 + i * FAKE_IDE_BLOCK + PCI_IDE_SEL_CAP) / 4] =
			FIELD_PREP(PCI_IDE_SEL_CAP_ASSOC_NUM, FAKE_IDE_ASSOC);
	st->ide_cap[fn] = pos;
	st->nr_streams[fn] = nr;
}

/* A memory base and limit register pair: address bits 31:20 in 15:4 */
static u32 fake_window_regs(u64 base, u64 size)
{
	u64 limit = base + size - 1;

	return ((base >> 16) & 0xfff0) | ((limit >> 16) & 0xfff0) << 16;
}

/*
 * The Root Port: a type 1 header forwarding the secondary bus busnr + 1
 * and a non-prefetchable and a prefetchable window, a PCIe capability of
 * a Root Port and, unless left out, IDE.
 */
static void fake_init_rp(struct fake_pcie_state *st)
{
	u32 *cfg = st->cfg[FAKE_RP];
	u16 last = 0;

	cfg[PCI_VENDOR_ID / 4] = PCI_VENDOR_ID_REDHAT | 0x00fd << 16;
	cfg[PCI_COMMAND / 4] = PCI_STATUS_CAP_LIST << 16;
	cfg[PCI_CLASS_REVISION / 4] = PCI_CLASS_BRIDGE_PCI_NORMAL << 8 | 1;
	cfg[PCI_CACHE_LINE_SIZE / 4] = PCI_HEADER_TYPE_BRIDGE << 16;
	cfg[PCI_CAPABILITY_LIST / 4] = FAKE_PCIE_CAP;
	cfg[PCI_PRIMARY_BUS / 4] = st->busnr | (st->busnr + 1) << 8 | (st->busnr + 1) << 16;
	cfg[PCI_MEMORY_BASE / 4] = fake_window_regs(FAKE_MEM, SZ_1M);
	cfg[PCI_PREF_MEMORY_BASE / 4] = fake_window_regs(FAKE_PREF, SZ_1M);
	cfg[FAKE_PCIE_CAP / 4] = PCI_CAP_ID_EXP |
				 (2 | PCI_EXP_TYPE_ROOT_PORT << 4) << 16;
	if (!st->params.no_rp_ide)
		fake_ide_cap(st, FAKE_RP, &last, FAKE_EXT_CAP, st->params.rp_streams);
}

/*
 * Function 0: a TDISP capable endpoint (TEE) with, unless left out, the
 * DOE mailbox and IDE, a multi-function device if there is a function 1.
 * Function 1: an endpoint without either, a TDI that function 0's DSM
 * speaks for.
 */
static void fake_init_ep(struct fake_pcie_state *st, int fn)
{
	u32 *cfg = st->cfg[fn];
	u16 pos = FAKE_EXT_CAP;
	u16 last = 0;

	/* A vendor-specific class that no driver claims */
	cfg[PCI_VENDOR_ID / 4] = PCI_VENDOR_ID_REDHAT | (0x00fe - (fn - FAKE_FN0)) << 16;
	cfg[PCI_COMMAND / 4] = PCI_STATUS_CAP_LIST << 16;
	cfg[PCI_CLASS_REVISION / 4] = 0xff000000 | 1;
	if (fn == FAKE_FN0 && st->params.nr_fns > 1)
		cfg[PCI_CACHE_LINE_SIZE / 4] = PCI_HEADER_TYPE_MFD << 16;
	cfg[PCI_CAPABILITY_LIST / 4] = FAKE_PCIE_CAP;

	cfg[FAKE_PCIE_CAP / 4] = PCI_CAP_ID_EXP |
				 (2 | PCI_EXP_TYPE_ENDPOINT << 4) << 16;
	if (fn != FAKE_FN0)
		return;
	cfg[(FAKE_PCIE_CAP + PCI_EXP_DEVCAP) / 4] = PCI_EXP_DEVCAP_TEE;

	if (!st->params.no_doe) {
		fake_ext_cap(cfg, &last, pos, PCI_EXT_CAP_ID_DOE, 2);
		st->doe_cap = pos;
		pos += FAKE_EXT_STEP;
	}
	if (!st->params.no_ep_ide)
		fake_ide_cap(st, fn, &last, pos, st->params.ep_streams);
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
 * The bus number of the fake device's root bus; the Root Port's secondary
 * bus is the next one.  It is in domain 0: tdx-host binds functions of
 * PCI segment 0 only, by requester ID (tdx_host_link_covers()), so a
 * domain of its own, where nothing could collide, would not bind.  In
 * domain 0, take the highest two numbers in a row that no bus has and
 * that no bridge forwards: no enumeration or hotplug below a real bridge
 * can then create either bus.  Root buses do not count, as a host
 * bridge's window often spans every number ([bus 00-ff]); the fake bus's
 * number resource is then only reported as a conflict.
 *
 * Context: pci_lock_rescan_remove() held, so that no bus appears before
 * pci_scan_root_bus() claims the numbers; that refuses a known bus anyway.
 * Return: the root bus number, or -ENOSPC if no two numbers in a row are
 * free.
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

	for (nr = FAKE_NR_BUSES - 2; nr > 0; nr--)
		if (!test_bit(nr, taken) && !test_bit(nr + 1, taken))
			return nr;
	return -ENOSPC;
}

/**
 * fake_pcie_remove() - Hot-remove the fake topology
 * @fp: the fake topology
 *
 * Removes the root bus, and with it the Root Port and the endpoint, as
 * surprise removal of the whole hierarchy would; the functions stay
 * referenced until the test ends.  Removing it again does nothing.
 *
 * Context: Process context, may sleep; not with pci_lock_rescan_remove()
 * held.
 */
void fake_pcie_remove(struct fake_pcie *fp)
{
	struct fake_pcie_state *st = fp->state;
	struct pci_host_bridge *bridge;

	if (!fp->bus)
		return;

	pci_lock_rescan_remove();
	bridge = pci_find_host_bridge(fp->bus);
	pci_stop_root_bus(fp->bus);
	/*
	 * pci_destroy_dev() runs pci_ide_destroy() for every function, the
	 * Root Port's ide_stream_ida included.
	 */
	pci_remove_root_bus(fp->bus);
	pci_unlock_rescan_remove();
	/* No DOE task is left to wait for an answer; no answer is left. */
	fake_doe_stop(st->doe);
	/*
	 * Drop the reference pci_scan_root_bus() leaves to its caller.  The
	 * release of a host bridge frees neither of its IDAs: not the stream
	 * ID that pci_ide_init_host_bridge() reserved (PCI_TSM selects
	 * PCI_IDE), nor a stream that a failed test left allocated.
	 */
	ida_destroy(&bridge->ide_stream_ids_ida);
	ida_destroy(&bridge->ide_stream_ida);
	pci_free_host_bridge(bridge);
	fp->bus = NULL;
}

static void fake_pcie_release(void *data)
{
	struct fake_pcie_state *st = data;

	fake_pcie_remove(&st->fp);
	pci_dev_put(st->fp.fn1);
	pci_dev_put(st->fp.pdev);
	pci_dev_put(st->fp.rp);
}

/**
 * fake_pcie_add() - Hot-add a fake Root Port and endpoint for a test
 * @test: the test; the topology is removed and freed when it ends
 * @params: what the topology has; copied
 *
 * Scans a root bus of its own with the Root Port and the endpoint below
 * it in, as hotplug would, claims the Root Port's windows and adds the
 * devices.  The test fails here unless every function is found, function
 * 0 is a TSM function 0 and has the mailbox it was given.
 *
 * Context: Process context, may sleep; not with pci_lock_rescan_remove()
 * held.
 * Return: the topology.
 */
struct fake_pcie *fake_pcie_add(struct kunit *test, const struct fake_pcie_params *params)
{
	struct fake_pcie_state *st = kunit_kzalloc(test, sizeof(*st), GFP_KERNEL);
	struct pci_bus *bus = NULL;
	LIST_HEAD(resources);
	int busnr, fn;

	KUNIT_ASSERT_NOT_NULL(test, st);
	KUNIT_ASSERT_TRUE(test, params->nr_fns == 1 || params->nr_fns == 2);
	st->fp.state = st;
	st->params = *params;
	st->sysdata.node = NUMA_NO_NODE;
	/* The bus numbers picked in domain 0 are free in any other. */
	st->sysdata.domain = params->domain;
	st->doe = fake_doe_create(test, params->no_ssession, fake_pcie_doe_respond, st);
	st->window = DEFINE_RES_MEM_NAMED(FAKE_WINDOW, FAKE_WINDOW_SZ, "fake TDISP window");

	pci_lock_rescan_remove();
	busnr = fake_pcie_pick_bus();
	if (busnr >= 0) {
		st->busnr = busnr;
		fake_init_rp(st);
		for (fn = FAKE_FN0; fn < FAKE_FN0 + params->nr_fns; fn++)
			fake_init_ep(st, fn);
		st->busn = DEFINE_RES_NAMED(busnr, 2, "fake TDISP buses", IORESOURCE_BUS);
		pci_add_resource(&resources, &st->busn);
		pci_add_resource(&resources, &st->window);
		bus = pci_scan_root_bus(NULL, busnr, &fake_pcie_ops, &st->sysdata,
					&resources);
	}
	if (bus) {
		/* The Root Port's windows, for pci_ide_stream_alloc() */
		pci_bus_claim_resources(bus);
		pci_bus_add_devices(bus);
	}
	st->fp.bus = bus;
	pci_unlock_rescan_remove();
	pci_free_resource_list(&resources);
	KUNIT_ASSERT_GE(test, busnr, 0);
	KUNIT_ASSERT_NOT_NULL(test, bus);

	st->fp.rp = pci_get_slot(bus, PCI_DEVFN(0, 0));
	if (st->fp.rp && st->fp.rp->subordinate) {
		st->fp.pdev = pci_get_slot(st->fp.rp->subordinate, PCI_DEVFN(0, 0));
		if (params->nr_fns > 1)
			st->fp.fn1 = pci_get_slot(st->fp.rp->subordinate, PCI_DEVFN(0, 1));
	}
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, fake_pcie_release, st), 0);
	KUNIT_ASSERT_NOT_NULL(test, st->fp.rp);
	KUNIT_ASSERT_EQ(test, pci_pcie_type(st->fp.rp), PCI_EXP_TYPE_ROOT_PORT);
	KUNIT_ASSERT_NOT_NULL(test, st->fp.pdev);
	KUNIT_ASSERT_PTR_EQ(test, pcie_find_root_port(st->fp.pdev), st->fp.rp);
	if (params->nr_fns > 1) {
		KUNIT_ASSERT_NOT_NULL(test, st->fp.fn1);
		KUNIT_ASSERT_FALSE(test, is_pci_tsm_pf0(st->fp.fn1));
	}
	KUNIT_ASSERT_TRUE(test, is_pci_tsm_pf0(st->fp.pdev));
	KUNIT_ASSERT_EQ(test, !pci_find_doe_mailbox(st->fp.pdev, PCI_VENDOR_ID_PCI_SIG,
						    PCI_DOE_FEATURE_CMA), params->no_doe);
	return &st->fp;
}

/**
 * fake_pcie_doe_fault() - Have the mailbox misbehave on some exchanges
 * @fp: the fake topology
 * @fault: how
 * @nth: the first CMA or secured SPDM exchange it applies to, counted
 *	 from this call: 1 for the next one
 * @count: how many exchanges in a row, from the @nth on; 0 for one
 *
 * Replaces any fault armed before.  FAKE_DOE_OK disarms.  Discovery is
 * never faulted: it runs when the device is scanned.
 *
 * Context: Any context.
 */
void fake_pcie_doe_fault(struct fake_pcie *fp, enum fake_pcie_doe_fault fault,
			 unsigned int nth, unsigned int count)
{
	fake_doe_set_fault(fp->state->doe, fault, nth, count);
}

/**
 * fake_pcie_doe_count() - Count the exchanges of one data object type
 * @fp: the fake topology
 * @type: PCI_DOE_FEATURE_DISCOVERY, _CMA or _SSESSION
 *
 * Context: Any context.
 * Return: the requests of @type the mailbox took a Go for, answered or
 * not, since the device was added.
 */
unsigned int fake_pcie_doe_count(struct fake_pcie *fp, u8 type)
{
	return fake_doe_count(fp->state->doe, type);
}

/**
 * fake_pcie_doe_log() - Copy the log of exchanges, in order
 * @fp: the fake topology
 * @log: where to copy
 * @size: entries @log has room for
 *
 * The log has every exchange since the device was added, discovery
 * included, up to FAKE_PCIE_DOE_LOG of them.  An exchange that is not
 * answered yet shows a response length of 0.
 *
 * Context: Any context.
 * Return: the number of exchanges, also those that did not fit in @log
 * or in the log.
 */
unsigned int fake_pcie_doe_log(struct fake_pcie *fp, struct fake_pcie_doe_entry *log,
			       unsigned int size)
{
	return fake_doe_copy_log(fp->state->doe, log, size);
}
