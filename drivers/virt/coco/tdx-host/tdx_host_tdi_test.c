// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the TDI bind/unbind engine of tdx-host, against the fake
 * TDX module with its fake TDI leaves, fake host participants that really
 * map and unmap DMA and MMIO in the fake, a fake PCI function and a fake
 * device behind DOE.  Every SEAMCALL and every participant call goes into
 * one ordered log, so tests assert exact sequences.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

#include <linux/bitfield.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/io.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/pci.h>
#include <linux/pci-doe.h>
#include <linux/pci-tsm.h>
#include <linux/sched.h>
#include <linux/sockptr.h>
#include <linux/string.h>
#include <linux/unaligned.h>

#include <kunit/static_stub.h>
#include <kunit/test.h>

#include <asm/shared/tdx_errno.h>
#include <asm/tdx.h>
#include "tests/tdx_fake_module.h"
#include "tests/tdx_fake_spdm.h"
#include "tests/tdx_fake_tdi.h"
#include <asm/tdx_release.h>
#include <asm/tdx_tdi.h>

#include "../../../../arch/x86/virt/vmx/tdx/tdx.h"
#include "tests/tdx_host_test_bind.h"
#include "tdx_host_link.h"
#include "tdx_host_relay.h"
#include "tdx_host_tables.h"
#include "tdx_host_tdi.h"

/* Participant and DOE events in the fake's log */
enum {
	EVT_DMA_SETUP = TDX_HOST_TEST_EVENT(TDX_HOST_TEST_DMA_SETUP),
	EVT_DMA_CLEANUP = TDX_HOST_TEST_EVENT(TDX_HOST_TEST_DMA_CLEANUP),
	EVT_MMIO_UNMAP = TDX_HOST_TEST_EVENT(TDX_HOST_TEST_MMIO_UNMAP),
	EVT_MMIO_SHARE = TDX_HOST_TEST_EVENT(TDX_HOST_TEST_MMIO_SHARE),
	EVT_DOE = TDX_HOST_TEST_EVENT(TDX_HOST_TEST_NR_OPS),
};

/* The second VT-d unit of the fake, which TDH.IOMMU.SETUP named 0x101 */
#define TEST_IOMMU	0x101
#define TEST_STREAM	3
#define TEST_VM		0x12345000ULL
#define TEST_TDI_ID	0x10
#define TEST_BUS	3
#define TEST_DEVFN	PCI_DEVFN(2, 1)
#define TEST_GPA	0x80000000ULL
/* TDH.PHYMEM.PAGE.WBINVD, as in 7.3 */
#define TEST_TDH_PHYMEM_PAGE_WBINVD	41
/* BAR 0: 4 pages, BAR 2: 2 pages, one 512 KiB region; BAR 1 is I/O */
#define BAR0_SIZE	(4 * PAGE_SIZE)
#define BAR2_OFFSET	0x10000
#define BAR2_SIZE	(2 * PAGE_SIZE)
#define NR_MMIO		6
/* Levels of each tree a first TDI adds, and the pages they take */
#define NR_DEVIFMT	4
#define NR_MMIOMT	5
#define NR_DMAR		4
#define NR_DMAR_PAGES	3
#define NR_DEVIF_PAGES	3
#define NR_BIND_PAGES	(NR_DEVIFMT + NR_DEVIF_PAGES + NR_DMAR_PAGES + NR_MMIOMT)
/* Removing one DMAR entry: BLOCK, IQ.INV.REQUEST, IQ.INV.PROCESS, REMOVE */
#define DMAR_UNMAP_CALLS	4

/* A fake PCI function with its link and its host participants */
struct fake_dev {
	struct pci_dev *pdev;
	struct pci_bus *bus;
	struct pci_sysdata sysdata;
	struct tdx_host_link link;
	/* The participants, logged in ft's log */
	struct tdx_host_test_host host;
	struct tdx_fake_tdi *ft;
	struct tdx_fake_spdm_stream *stream;
	bool guest_dma;
	unsigned int nr_mapped;
};

struct tdi_env {
	struct tdx_fake_module *fake;
	struct tdx_fake_spdm *fs;
	struct tdx_fake_tdi *ft;
	struct tdx_host_tables tables;
	unsigned int nr_devs;
	int doe_ret;
	u32 tdisp_error;
	u8 tdisp_code;
};

static u64 func_id(const struct fake_dev *fd)
{
	return pci_dev_id(fd->pdev);
}

static u64 dmar_idx(const struct fake_dev *fd, unsigned int level)
{
	return FIELD_PREP(TDX_DMAR_IDX_IOMMU_ID, TEST_IOMMU) |
	       FIELD_PREP(TDX_DMAR_IDX_RID, func_id(fd)) |
	       FIELD_PREP(TDX_DMAR_IDX_LEVEL, level);
}

static u64 mmio_pa(const struct fake_dev *fd, unsigned int i)
{
	if (i < BAR0_SIZE / PAGE_SIZE)
		return fd->pdev->resource[0].start + i * PAGE_SIZE;
	return fd->pdev->resource[2].start + (i - BAR0_SIZE / PAGE_SIZE) * PAGE_SIZE;
}

static u64 gpa_info(unsigned int i)
{
	return FIELD_PREP(TDX_GPA_INFO_GPA, PHYS_PFN(TEST_GPA) + i) |
	       FIELD_PREP(TDX_GPA_INFO_LEVEL, TDX_MMIOMT_LEVEL_4K);
}

/* ->mmio_unmap(), once logged, unmaps what the TD mapped */
static void fake_mmio_unmap(struct tdx_host_test_host *th, enum tdx_host_test_op op,
			    struct pci_tdi *tdi)
{
	struct fake_dev *fd = container_of(th, struct fake_dev, host);

	if (op != TDX_HOST_TEST_MMIO_UNMAP)
		return;
	for (; fd->nr_mapped; fd->nr_mapped--) {
		tdh_mmio_block(gpa_info(fd->nr_mapped - 1), TEST_VM);
		tdh_mmio_unmap(gpa_info(fd->nr_mapped - 1), TEST_VM);
	}
}

/* What KVM and the TD do once the TDI is bound: map MMIO, accept the DMA */
static void guest_runs(struct kunit *test, struct fake_dev *fd)
{
	unsigned int i;

	for (i = 0; i < NR_MMIO; i++, fd->nr_mapped++)
		KUNIT_ASSERT_EQ(test, tdh_mmio_map(gpa_info(i), TEST_VM, mmio_pa(fd, i)),
				TDX_SUCCESS);
	KUNIT_ASSERT_EQ(test, tdx_fake_tdi_accept_dma(fd->ft, dmar_idx(fd, TDX_DMAR_LEVEL_PASIDTE)),
			TDX_SUCCESS);
	fd->guest_dma = true;
}

static int fake_doe(struct pci_dev *dsm, u8 type, const void *req, size_t req_len,
		    void *rsp, size_t rsp_size)
{
	struct tdi_env *env = kunit_get_current_test()->priv;
	size_t len;

	tdx_fake_tdi_log(env->ft, EVT_DOE);
	if (env->doe_ret)
		return env->doe_ret;
	if (type != PCI_DOE_FEATURE_SSESSION)
		return -EIO;
	len = tdx_fake_tdisp_device(req, req_len, rsp, rsp_size, env->tdisp_error);
	/* A device that answers with a code TDISP does not have */
	if (len && env->tdisp_code)
		*(u8 *)(rsp + TDX_FAKE_TDISP_MSG_CODE) = env->tdisp_code;
	return len;
}

/* Refusals are expected here; the fake makes them, the test checks them. */
static void quiet_report(u64 fn, u64 status, const struct tdx_module_args *in,
			 const struct tdx_module_args *out)
{
}

static void tables_fini(void *tables)
{
	tdx_host_tables_fini(tables);
}

/* A VM that is not a TD, or a TD whose TDR page is not set up */
static struct kvm *not_a_td(void)
{
	static int kvm;

	return (struct kvm *)&kvm;
}

static struct tdi_env *tdi_env(struct kunit *test)
{
	struct tdi_env *env = kunit_kzalloc(test, sizeof(*env), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, env);
	test->priv = env;
	env->fake = tdx_fake_module_install(test);
	env->fs = tdx_fake_spdm_install(test, env->fake);
	env->ft = tdx_fake_tdi_install(test, env->fake);
	/* Two VT-d units that TDH.IOMMU.SETUP took: IDs 0x100 and 0x101 */
	KUNIT_ASSERT_EQ(test, tdx_fake_add_iommu(env->fake, 0xfed90000, true), 0);
	KUNIT_ASSERT_EQ(test, tdx_fake_add_iommu(env->fake, 0xfed91000, true), 0);
	env->fake->iommus[0].set_up = true;
	env->fake->iommus[1].set_up = true;
	tdx_host_tables_init(&env->tables);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, tables_fini, &env->tables), 0);
	kunit_activate_static_stub(test, tdx_host_relay_doe, fake_doe);
	kunit_activate_static_stub(test, tdx_seamcall_report, quiet_report);
	KUNIT_ASSERT_EQ(test, tdx_host_test_td_install(test, TEST_VM), 0);
	return env;
}

/*
 * What connect leaves in the module for a link: a bound SPDM session and
 * a keyed selective IDE stream carrying @bus.
 */
static struct tdx_fake_spdm_stream *fake_connected(struct kunit *test, struct tdi_env *env,
						   u8 stream_id, u8 bus)
{
	unsigned int i = env->nr_devs++;
	struct tdx_fake_spdm_session *session = &env->fs->sessions[i];
	struct tdx_fake_spdm_stream *stream = &env->fs->streams[i];

	KUNIT_ASSERT_LT(test, i, TDX_FAKE_SPDM_MAX_STREAMS);
	*session = (struct tdx_fake_spdm_session) {
		.used = true,
		.func_id = PCI_DEVID(bus, 0),
		.established = true,
		.connected = true,
		.nr_streams = 1,
	};
	*stream = (struct tdx_fake_spdm_stream) {
		.used = true,
		.session = session,
		.stream_id = stream_id,
		.rid_base = PCI_DEVID(bus, 0),
		.rid_limit = PCI_DEVID(bus, 0xff),
		.keyed = true,
		.rp_enabled = true,
	};
	return stream;
}

/* A function at @bus:02.1 with two memory BARs at @mmio, covered by its link */
static struct fake_dev *fake_dev(struct kunit *test, struct tdi_env *env, u8 bus, u64 mmio)
{
	struct fake_dev *fd = kunit_kzalloc(test, sizeof(*fd), GFP_KERNEL);
	struct pci_dev *pdev;
	u8 stream_id = TEST_STREAM + env->nr_devs;

	KUNIT_ASSERT_NOT_NULL(test, fd);
	pdev = kunit_kzalloc(test, sizeof(*pdev), GFP_KERNEL);
	fd->pdev = pdev;
	fd->bus = kunit_kzalloc(test, sizeof(*fd->bus), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, fd->pdev);
	KUNIT_ASSERT_NOT_NULL(test, fd->bus);

	fd->bus->number = bus;
	fd->bus->sysdata = &fd->sysdata;
	pdev->bus = fd->bus;
	pdev->devfn = TEST_DEVFN;
	pdev->resource[0] = DEFINE_RES_MEM(mmio, BAR0_SIZE);
	pdev->resource[1] = DEFINE_RES_IO(0x1000, 0x100);
	pdev->resource[2] = DEFINE_RES_MEM(mmio + BAR2_OFFSET, BAR2_SIZE);

	fd->stream = fake_connected(test, env, stream_id, bus);
	fd->link = (struct tdx_host_link) {
		.iommu_id = TEST_IOMMU,
		.stream_id = stream_id,
		.dsm = pdev,
		.rid_base = PCI_DEVID(bus, 0),
		.rid_limit = PCI_DEVID(bus, 0xff),
		.relay = {
			.dsm = pdev,
			.buf = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL),
		},
		.tables = &env->tables,
	};
	KUNIT_ASSERT_NOT_NULL(test, fd->link.relay.buf);
	fd->host = (struct tdx_host_test_host) {
		.host.ops = &tdx_host_test_host_ops,
		.log = env->ft,
		.then = fake_mmio_unmap,
	};
	fd->ft = env->ft;
	return fd;
}

/* ---- Expected logs ---- */

struct seq {
	u16 e[TDX_FAKE_TDI_LOG_MAX];
	unsigned int n;
};

static void push(struct seq *s, u16 e, unsigned int times)
{
	while (times--)
		s->e[s->n++] = e;
}

static void expect_log(struct kunit *test, struct tdx_fake_tdi *ft, unsigned int from,
		       const struct seq *s)
{
	unsigned int i;

	KUNIT_ASSERT_EQ(test, ft->nr_log - from, s->n);
	for (i = 0; i < s->n; i++)
		KUNIT_EXPECT_EQ_MSG(test, ft->log[from + i], s->e[i], "log entry %u", i);
}

static void push_tdisp(struct seq *s)
{
	push(s, TDH_DEVIF_REQUEST, 1);
	push(s, EVT_DOE, 1);
	push(s, TDH_DEVIF_RESPONSE, 1);
}

static void push_dmar_unmap(struct seq *s, unsigned int nr)
{
	while (nr--) {
		push(s, TDH_DMAR_BLOCK, 1);
		push(s, TDH_IQ_INV_REQUEST, 1);
		push(s, TDH_IQ_INV_PROCESS, 1);
		push(s, TDH_DMAR_REMOVE, 1);
	}
}

/* A first bind: every level of every tree is added. */
static void push_bind(struct seq *s)
{
	push(s, EVT_DMA_SETUP, 1);
	push(s, TDH_DEVIFMT_ADD, NR_DEVIFMT);
	push(s, TDH_DEVIF_CREATE, 1);
	push(s, TDH_DMAR_ADD, NR_DMAR);
	push(s, TDH_MMIOMT_ADD, NR_MMIOMT);
	push(s, TDH_MMIOMT_SET, NR_MMIO);
	push_tdisp(s);
}

/* The last unbind: every level goes, lowest first. */
static void push_unbind(struct seq *s)
{
	unsigned int i;

	push_tdisp(s);
	push(s, EVT_MMIO_UNMAP, 1);
	for (i = 0; i < NR_MMIO; i++) {
		push(s, TDH_MMIO_BLOCK, 1);
		push(s, TDH_MMIO_UNMAP, 1);
	}
	push(s, TDH_MMIOMT_SET, NR_MMIO);
	push(s, TDH_MMIOMT_REMOVE, NR_MMIOMT);
	push_dmar_unmap(s, NR_DMAR);
	push(s, TDH_DEVIF_REMOVE, 1);
	push(s, TDH_DEVIFMT_REMOVE, NR_DEVIFMT);
	push(s, EVT_DMA_CLEANUP, 1);
	push(s, EVT_MMIO_SHARE, 1);
}

static void expect_tables_empty(struct kunit *test, struct tdi_env *env)
{
	KUNIT_EXPECT_EQ(test, tdx_host_tree_nr_pages(&env->tables, &env->tables.devifmt), 0);
	KUNIT_EXPECT_EQ(test, tdx_host_tree_nr_pages(&env->tables, &env->tables.mmiomt), 0);
	KUNIT_EXPECT_EQ(test, tdx_host_tree_nr_pages(&env->tables, &env->tables.dmar_rte), 0);
}

static void expect_nothing_owned(struct kunit *test, struct tdi_env *env, struct fake_dev *fd)
{
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(env->fake), 0);
	KUNIT_EXPECT_NULL(test, tdx_fake_tdi_find(env->ft, func_id(fd)));
	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_nr_dma(env->ft, func_id(fd)), 0);
	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_nr_mmio(env->ft, func_id(fd)), 0);
	expect_tables_empty(test, env);
}

static struct pci_tdi *bind(struct fake_dev *fd, u32 tdi_id)
{
	return tdx_host_tdi_bind(&fd->link, fd->pdev, tdx_host_test_kvm(), tdi_id, &fd->host.host);
}

/* ---- Tests ---- */

static void bind_and_unbind_run_every_step_in_module_order(struct kunit *test)
{
	struct tdi_env *env = tdi_env(test);
	struct fake_dev *fd = fake_dev(test, env, TEST_BUS, 0xfe000000);
	struct tdx_fake_devif *d;
	struct seq *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	unsigned int bind_calls, from;
	struct pci_tdi *tdi;
	u64 want;

	KUNIT_ASSERT_NOT_NULL(test, s);
	tdi = bind(fd, TEST_TDI_ID);
	KUNIT_ASSERT_FALSE(test, IS_ERR(tdi));
	KUNIT_EXPECT_PTR_EQ(test, tdi->pdev, fd->pdev);
	KUNIT_EXPECT_EQ(test, tdi->tdi_id, TEST_TDI_ID);
	KUNIT_EXPECT_PTR_EQ(test, tdi->host, &fd->host.host);

	push_bind(s);
	expect_log(test, env->ft, 0, s);
	d = tdx_fake_tdi_find(env->ft, func_id(fd));
	KUNIT_ASSERT_NOT_NULL(test, d);
	KUNIT_EXPECT_TRUE(test, d->created);
	KUNIT_EXPECT_EQ(test, d->vm_handle, TEST_VM);
	want = FIELD_PREP(TDX_DEVIF_ID_FUNC_ID, func_id(fd)) |
	       FIELD_PREP(TDX_DEVIF_ID_IOMMU_ID, TEST_IOMMU) |
	       FIELD_PREP(TDX_DEVIF_ID_STREAM_ID, TEST_STREAM);
	KUNIT_EXPECT_EQ(test, d->devif_id, want);
	KUNIT_EXPECT_EQ(test, d->tdisp_state, TDX_TDISP_CONFIG_LOCKED);
	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_nr_mmio(env->ft, func_id(fd)), NR_MMIO);
	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_nr_dma(env->ft, func_id(fd)), NR_DMAR);
	/* 4 DEVIFMT levels, 3 TDI pages, 3 DMAR tables, 5 MMIOMT levels */
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(env->fake), NR_BIND_PAGES);
	KUNIT_EXPECT_EQ(test, tdx_host_tree_nr_pages(&env->tables, &env->tables.devifmt),
			NR_DEVIFMT);
	KUNIT_EXPECT_EQ(test, tdx_host_tree_nr_pages(&env->tables, &env->tables.mmiomt),
			NR_MMIOMT);
	KUNIT_EXPECT_EQ(test, tdx_host_tree_nr_pages(&env->tables, &env->tables.dmar_rte), 1);
	/* Each page flushed whole before it was handed over */
	KUNIT_EXPECT_EQ(test, env->fake->nr_flushed_lines, NR_BIND_PAGES * (PAGE_SIZE / 64));
	bind_calls = env->fake->nr_calls;

	guest_runs(test, fd);
	tdx_fake_tdi_set_state(env->ft, func_id(fd), TDX_TDISP_RUN);
	s->n = 0;
	push_unbind(s);
	from = env->ft->nr_log;
	tdx_host_tdi_unbind(tdi);
	expect_log(test, env->ft, from, s);

	expect_nothing_owned(test, env, fd);
	/* A write-back of each page given back */
	KUNIT_EXPECT_EQ(test, tdx_fake_calls(env->fake, TEST_TDH_PHYMEM_PAGE_WBINVD),
			NR_BIND_PAGES);
	/* Not unbind's own: the guest's MAPs, the participant's BLOCKs and UNMAPs */
	kunit_info(test, "bind: %u SEAMCALLs, %u pages; unbind: %u SEAMCALLs (%u of them TDH.PHYMEM.PAGE.WBINVD); %u MMIO pages, 1 region\n",
		   bind_calls, NR_BIND_PAGES, env->fake->nr_calls - bind_calls - 3 * NR_MMIO,
		   NR_BIND_PAGES, NR_MMIO);
}

/* Points where bind can fail, in bind order */
enum bind_fail {
	FAIL_DMA_SETUP,
	FAIL_DEVIFMT_ROOT,
	FAIL_DEVIFMT_LEAF,
	FAIL_DEVIF_CREATE,
	FAIL_DMAR_RTE,
	FAIL_DMAR_CTE,
	FAIL_DMAR_PASIDTE,
	FAIL_MMIOMT_ROOT,
	FAIL_MMIOMT_LEAF,
	FAIL_MMIOMT_SET_FIRST,
	FAIL_MMIOMT_SET_LAST,
	FAIL_LOCK_REQUEST,
	FAIL_LOCK_DOE,
	FAIL_LOCK_RESPONSE,
	FAIL_LOCK_REFUSED,
	FAIL_LOCK_UNKNOWN,
};

struct bind_fail_case {
	const char *name;
	enum bind_fail at;
	int err;
};

static const struct bind_fail_case bind_fails[] = {
	{ "dma_setup", FAIL_DMA_SETUP, -ENODEV },
	{ "TDH.DEVIFMT.ADD of the root", FAIL_DEVIFMT_ROOT, -EIO },
	{ "TDH.DEVIFMT.ADD of level 1", FAIL_DEVIFMT_LEAF, -EIO },
	{ "TDH.DEVIF.CREATE", FAIL_DEVIF_CREATE, -EIO },
	{ "TDH.DMAR.ADD of the RTE", FAIL_DMAR_RTE, -EIO },
	{ "TDH.DMAR.ADD of the CTE", FAIL_DMAR_CTE, -EIO },
	{ "TDH.DMAR.ADD of the PASIDTE", FAIL_DMAR_PASIDTE, -EIO },
	{ "TDH.MMIOMT.ADD of the root", FAIL_MMIOMT_ROOT, -EIO },
	{ "TDH.MMIOMT.ADD of level 1", FAIL_MMIOMT_LEAF, -EIO },
	{ "first TDH.MMIOMT.SET", FAIL_MMIOMT_SET_FIRST, -EIO },
	{ "last TDH.MMIOMT.SET", FAIL_MMIOMT_SET_LAST, -EIO },
	{ "LOCK TDH.DEVIF.REQUEST", FAIL_LOCK_REQUEST, -EIO },
	{ "LOCK DOE exchange", FAIL_LOCK_DOE, -ETIMEDOUT },
	{ "LOCK TDH.DEVIF.RESPONSE", FAIL_LOCK_RESPONSE, -EIO },
	{ "LOCK refused by the device", FAIL_LOCK_REFUSED, -EIO },
	{ "LOCK answered with an unknown TDISP code", FAIL_LOCK_UNKNOWN, -EIO },
};

static void bind_fail_desc(const struct bind_fail_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s fails", c->name);
}

KUNIT_ARRAY_PARAM(bind_fail, bind_fails, bind_fail_desc);

/* How many levels of a tree of @nr the failing ADD at @fail_at (1-based) left */
static unsigned int added_before(unsigned int fail_at)
{
	return fail_at - 1;
}

/* The bind log up to the failure and the undo after it, in reverse */
static void push_failed_bind(struct seq *s, enum bind_fail at)
{
	unsigned int n;

	push(s, EVT_DMA_SETUP, 1);
	if (at == FAIL_DMA_SETUP)
		return;
	if (at == FAIL_DEVIFMT_ROOT || at == FAIL_DEVIFMT_LEAF) {
		n = at == FAIL_DEVIFMT_ROOT ? 1 : NR_DEVIFMT;
		push(s, TDH_DEVIFMT_ADD, n);
		push(s, TDH_DEVIFMT_REMOVE, added_before(n));
		goto dma;
	}
	push(s, TDH_DEVIFMT_ADD, NR_DEVIFMT);
	push(s, TDH_DEVIF_CREATE, 1);
	if (at == FAIL_DEVIF_CREATE)
		goto metadata;
	if (at == FAIL_DMAR_RTE || at == FAIL_DMAR_CTE || at == FAIL_DMAR_PASIDTE) {
		n = at == FAIL_DMAR_RTE ? 1 : at == FAIL_DMAR_CTE ? 2 : NR_DMAR;
		push(s, TDH_DMAR_ADD, n);
		push_dmar_unmap(s, added_before(n));
		goto devif;
	}
	push(s, TDH_DMAR_ADD, NR_DMAR);
	if (at == FAIL_MMIOMT_ROOT || at == FAIL_MMIOMT_LEAF) {
		n = at == FAIL_MMIOMT_ROOT ? 1 : NR_MMIOMT;
		push(s, TDH_MMIOMT_ADD, n);
		push(s, TDH_MMIOMT_REMOVE, added_before(n));
		goto dmar;
	}
	push(s, TDH_MMIOMT_ADD, NR_MMIOMT);
	if (at == FAIL_MMIOMT_SET_FIRST || at == FAIL_MMIOMT_SET_LAST) {
		n = at == FAIL_MMIOMT_SET_FIRST ? 1 : NR_MMIO;
		push(s, TDH_MMIOMT_SET, n);
		push(s, TDH_MMIOMT_SET, added_before(n));
		goto mmiomt;
	}
	push(s, TDH_MMIOMT_SET, NR_MMIO);
	push(s, TDH_DEVIF_REQUEST, 1);
	if (at == FAIL_LOCK_DOE) {
		/* Two attempts; the request stays outstanding. */
		push(s, EVT_DOE, 2);
	} else if (at != FAIL_LOCK_REQUEST) {
		push(s, EVT_DOE, 1);
		push(s, TDH_DEVIF_RESPONSE, 1);
	}
	push(s, TDH_MMIOMT_SET, NR_MMIO);
mmiomt:
	push(s, TDH_MMIOMT_REMOVE, NR_MMIOMT);
dmar:
	push_dmar_unmap(s, NR_DMAR);
devif:
	push(s, TDH_DEVIF_REMOVE, 1);
metadata:
	push(s, TDH_DEVIFMT_REMOVE, NR_DEVIFMT);
dma:
	push(s, EVT_DMA_CLEANUP, 1);
}

/* 1-based number of the failing SEAMCALL among the fake TDI leaves */
static unsigned int bind_fail_nth(enum bind_fail at)
{
	const unsigned int create = NR_DEVIFMT + 1, dmar = create, mmiomt = dmar + NR_DMAR,
			   set = mmiomt + NR_MMIOMT, lock = set + NR_MMIO;

	switch (at) {
	case FAIL_DEVIFMT_ROOT:
		return 1;
	case FAIL_DEVIFMT_LEAF:
		return NR_DEVIFMT;
	case FAIL_DEVIF_CREATE:
		return create;
	case FAIL_DMAR_RTE:
		return dmar + 1;
	case FAIL_DMAR_CTE:
		return dmar + 2;
	case FAIL_DMAR_PASIDTE:
		return dmar + NR_DMAR;
	case FAIL_MMIOMT_ROOT:
		return mmiomt + 1;
	case FAIL_MMIOMT_LEAF:
		return mmiomt + NR_MMIOMT;
	case FAIL_MMIOMT_SET_FIRST:
		return set + 1;
	case FAIL_MMIOMT_SET_LAST:
		return set + NR_MMIO;
	case FAIL_LOCK_REQUEST:
		return lock + 1;
	case FAIL_LOCK_RESPONSE:
		return lock + 2;
	default:
		return 0;
	}
}

static void bind_failure_unwinds_in_exact_reverse(struct kunit *test)
{
	const struct bind_fail_case *c = test->param_value;
	struct tdi_env *env = tdi_env(test);
	struct fake_dev *fd = fake_dev(test, env, TEST_BUS, 0xfe000000);
	struct seq *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	struct pci_tdi *tdi;

	KUNIT_ASSERT_NOT_NULL(test, s);
	env->ft->fail_nth = bind_fail_nth(c->at);
	env->ft->fail_status = TDX_OPERAND_BUSY;
	if (c->at == FAIL_DMA_SETUP)
		fd->host.dma_setup_ret = c->err;
	if (c->at == FAIL_LOCK_DOE)
		env->doe_ret = c->err;
	if (c->at == FAIL_LOCK_REFUSED)
		env->tdisp_error = 1;
	if (c->at == FAIL_LOCK_UNKNOWN)
		env->tdisp_code = 0x42;

	tdi = bind(fd, TEST_TDI_ID);
	KUNIT_ASSERT_TRUE(test, IS_ERR(tdi));
	KUNIT_EXPECT_EQ(test, PTR_ERR(tdi), c->err);

	push_failed_bind(s, c->at);
	expect_log(test, env->ft, 0, s);
	expect_nothing_owned(test, env, fd);

	/* The ID is free again. */
	env->ft->fail_nth = 0;
	env->doe_ret = 0;
	env->tdisp_error = 0;
	env->tdisp_code = 0;
	fd->host.dma_setup_ret = 0;
	tdi = bind(fd, TEST_TDI_ID);
	KUNIT_ASSERT_FALSE(test, IS_ERR(tdi));
	tdx_host_tdi_unbind(tdi);
	expect_nothing_owned(test, env, fd);
}

/* Releases unbind needs, and what the module keeps when each is refused */
enum unbind_fail {
	REFUSE_STOP,
	REFUSE_MMIOMT_SET,
	REFUSE_MMIOMT_REMOVE,
	REFUSE_PASIDTE_BLOCK,
	REFUSE_CTE_REMOVE,
	REFUSE_RTE_REMOVE,
	REFUSE_DEVIF_REMOVE,
	REFUSE_DEVIFMT_REMOVE,
};

struct unbind_fail_case {
	const char *name;
	enum unbind_fail what;
	unsigned int nth;	/* among the SEAMCALLs of unbind */
	unsigned int nr_owned;	/* pages the module keeps, or gave back but are leaked */
	unsigned int nr_warnings;
	bool shared;		/* the MMIO is shared again: the module kept none */
};

/* unbind: STOP (2), MMIO unmap (2 per page), then the releases */
#define UNBIND_SET		(2 + 2 * NR_MMIO)
#define UNBIND_DMAR		(UNBIND_SET + NR_MMIO + NR_MMIOMT)
#define UNBIND_DEVIF		(UNBIND_DMAR + NR_DMAR * DMAR_UNMAP_CALLS)

static const struct unbind_fail_case unbind_fails[] = {
	/* The TDI stays locked: TDH.DEVIF.REMOVE is refused, the metadata stays. */
	{ "TDISP STOP", REFUSE_STOP, 1, NR_DEVIF_PAGES + NR_DEVIFMT, 1, false },
	/* The MMIO stays the TDI's and the MMIOMT levels stay. */
	{ "TDH.MMIOMT.SET", REFUSE_MMIOMT_SET, UNBIND_SET + 1, NR_MMIOMT, 1, false },
	/* Only the level stays: the MMIO itself is free. */
	{ "TDH.MMIOMT.REMOVE", REFUSE_MMIOMT_REMOVE, UNBIND_SET + NR_MMIO + 1, NR_MMIOMT, 1,
	  true },
	/* The accepted DMA stays: its tables and the TDI (HAS_MAPPED_DMA) stay. */
	{ "TDH.DMAR.BLOCK of the PASIDTE", REFUSE_PASIDTE_BLOCK, UNBIND_DMAR + 1,
	  NR_DMAR_PAGES + NR_DEVIF_PAGES + NR_DEVIFMT, 2, false },
	/* The PASID table page came back but is leaked with the directory. */
	{ "TDH.DMAR.REMOVE of the CTE", REFUSE_CTE_REMOVE,
	  UNBIND_DMAR + 3 * DMAR_UNMAP_CALLS, NR_DMAR_PAGES, 1, true },
	{ "TDH.DMAR.REMOVE of the RTE", REFUSE_RTE_REMOVE,
	  UNBIND_DMAR + 4 * DMAR_UNMAP_CALLS, 1, 1, true },
	{ "TDH.DEVIF.REMOVE", REFUSE_DEVIF_REMOVE, UNBIND_DEVIF + 1,
	  NR_DEVIF_PAGES + NR_DEVIFMT, 1, false },
	{ "TDH.DEVIFMT.REMOVE", REFUSE_DEVIFMT_REMOVE, UNBIND_DEVIF + 2, NR_DEVIFMT, 1, true },
};

static void unbind_fail_desc(const struct unbind_fail_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s refused", c->name);
}

KUNIT_ARRAY_PARAM(unbind_fail, unbind_fails, unbind_fail_desc);

static void unbind_leaks_what_the_module_keeps_and_warns_once(struct kunit *test)
{
	const struct unbind_fail_case *c = test->param_value;
	struct tdi_env *env = tdi_env(test);
	struct fake_dev *fd = fake_dev(test, env, TEST_BUS, 0xfe000000);
	struct fake_dev *other = fake_dev(test, env, TEST_BUS + 1, 0xfe400000);
	struct pci_tdi *tdi;

	tdi = bind(fd, TEST_TDI_ID);
	KUNIT_ASSERT_FALSE(test, IS_ERR(tdi));
	guest_runs(test, fd);

	env->ft->fail_nth = env->ft->nr_calls + c->nth;
	env->ft->fail_status = TDX_OPERAND_BUSY;
	kunit_warning_suppress(test) {
		tdx_host_tdi_unbind(tdi);
		KUNIT_EXPECT_SUPPRESSED_WARNING_COUNT(test, c->nr_warnings);
	}

	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(env->fake), c->nr_owned);
	/* MMIO the module may still give the TDI is not shared again. */
	KUNIT_EXPECT_EQ(test, env->ft->log[env->ft->nr_log - 1],
			c->shared ? EVT_MMIO_SHARE : EVT_DMA_CLEANUP);
	/* Participants undid their side whatever the module said. */
	KUNIT_EXPECT_EQ(test, fd->nr_mapped, 0);

	switch (c->what) {
	case REFUSE_STOP:
	case REFUSE_DEVIF_REMOVE:
	case REFUSE_PASIDTE_BLOCK:
		KUNIT_EXPECT_NOT_NULL(test, tdx_fake_tdi_find(env->ft, func_id(fd)));
		break;
	case REFUSE_MMIOMT_SET:
		/* The first SET to free was refused; the rest was not tried. */
		KUNIT_EXPECT_EQ(test, tdx_fake_tdi_nr_mmio(env->ft, func_id(fd)), NR_MMIO);
		KUNIT_EXPECT_NULL(test, tdx_fake_tdi_find(env->ft, func_id(fd)));
		break;
	default:
		KUNIT_EXPECT_NULL(test, tdx_fake_tdi_find(env->ft, func_id(fd)));
		KUNIT_EXPECT_EQ(test, tdx_fake_tdi_nr_mmio(env->ft, func_id(fd)), 0);
		break;
	}

	/*
	 * The function is unbound: its ID binds another function, which
	 * reuses what the module kept of the shared levels.
	 */
	env->ft->fail_nth = 0;
	tdi = bind(other, TEST_TDI_ID);
	KUNIT_ASSERT_FALSE(test, IS_ERR(tdi));
	tdx_host_tdi_unbind(tdi);
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(env->fake), c->nr_owned);

	/* What the module kept is leaked when tdx-host goes, with a warning. */
	kunit_warning_suppress(test) {
		KUNIT_EXPECT_EQ(test, tdx_host_tables_fini(&env->tables), -EBUSY);
	}
	tdx_host_tables_init(&env->tables);
}

/* Bad input: each rejected with its errno before anything happens */
enum bad_input {
	BAD_KVM,
	BAD_HOST,
	BAD_HOST_OPS,
	BAD_HOST_OP,
	BAD_NOT_A_TD,
	BAD_LINK,
	BAD_LINK_DSM,
	BAD_PDEV,
	BAD_NOT_COVERED,
	BAD_SEGMENT,
	BAD_BAR,
};

struct bad_case {
	const char *name;
	enum bad_input what;
	int err;
};

static const struct bad_case bad_cases[] = {
	{ "NULL kvm", BAD_KVM, -EINVAL },
	{ "NULL host", BAD_HOST, -EINVAL },
	{ "NULL host ops", BAD_HOST_OPS, -EINVAL },
	{ "no dma_cleanup", BAD_HOST_OP, -EINVAL },
	{ "kvm not a TD", BAD_NOT_A_TD, -EINVAL },
	{ "NULL link", BAD_LINK, -ENXIO },
	{ "link without DSM", BAD_LINK_DSM, -ENXIO },
	{ "NULL device", BAD_PDEV, -ENXIO },
	{ "device the IDE stream does not carry", BAD_NOT_COVERED, -ENXIO },
	{ "device in PCI segment 1", BAD_SEGMENT, -ENXIO },
	{ "BAR not page aligned", BAD_BAR, -EINVAL },
};

static void bad_desc(const struct bad_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(bad, bad_cases, bad_desc);

static void bind_rejects_bad_input_without_side_effects(struct kunit *test)
{
	static const struct pci_tdi_host_ops no_cleanup = {
		.dma_setup = tdx_host_test_dma_setup,
		.mmio_unmap = tdx_host_test_mmio_unmap,
		.mmio_share = tdx_host_test_mmio_share,
	};
	const struct bad_case *c = test->param_value;
	struct tdi_env *env = tdi_env(test);
	struct fake_dev *fd = fake_dev(test, env, TEST_BUS, 0xfe000000);
	struct fake_dev *other = fake_dev(test, env, TEST_BUS + 1, 0xfe400000);
	struct tdx_host_link *link = &fd->link;
	const struct pci_tdi_host *host = &fd->host.host;
	struct pci_tdi_host bad_host = fd->host.host;
	struct tdx_host_link bad_link = fd->link;
	struct kvm *kvm = tdx_host_test_kvm();
	struct pci_dev *pdev = fd->pdev;
	unsigned int nr_log, nr_calls;
	unsigned long nr_owned;
	struct pci_tdi *tdi;

	switch (c->what) {
	case BAD_KVM:
		kvm = NULL;
		break;
	case BAD_HOST:
		host = NULL;
		break;
	case BAD_HOST_OPS:
		bad_host.ops = NULL;
		host = &bad_host;
		break;
	case BAD_HOST_OP:
		bad_host.ops = &no_cleanup;
		host = &bad_host;
		break;
	case BAD_NOT_A_TD:
		kvm = not_a_td();
		break;
	case BAD_LINK:
		link = NULL;
		break;
	case BAD_LINK_DSM:
		bad_link.dsm = NULL;
		link = &bad_link;
		break;
	case BAD_PDEV:
		pdev = NULL;
		break;
	case BAD_NOT_COVERED:
		link = &other->link;
		break;
	case BAD_SEGMENT:
		fd->sysdata.domain = 1;
		break;
	case BAD_BAR:
		fd->pdev->resource[2].start += 8;
		fd->pdev->resource[2].end += 8;
		break;
	}

	nr_log = env->ft->nr_log;
	nr_calls = env->fake->nr_calls;
	nr_owned = tdx_fake_nr_owned(env->fake);
	tdi = tdx_host_tdi_bind(link, pdev, kvm, TEST_TDI_ID, host);
	KUNIT_EXPECT_EQ(test, PTR_ERR(tdi), c->err);
	KUNIT_EXPECT_EQ(test, env->ft->nr_log, nr_log);
	KUNIT_EXPECT_EQ(test, env->fake->nr_calls, nr_calls);
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(env->fake), nr_owned);
}

static void unbind_of_nothing_does_nothing(struct kunit *test)
{
	struct tdi_env *env = tdi_env(test);

	tdx_host_tdi_unbind(NULL);
	KUNIT_EXPECT_EQ(test, env->fake->nr_calls, 0);
	KUNIT_EXPECT_EQ(test, env->ft->nr_log, 0);
}

static ssize_t guest_req(struct pci_tdi *tdi, enum pci_tsm_req_scope scope, u8 *out,
			 size_t out_len, u64 *code)
{
	return tdx_host_tdi_guest_req(tdi, scope, KERNEL_SOCKPTR(NULL), 0,
				      KERNEL_SOCKPTR(out), out_len, code);
}

/* The TD reads its answer: @want, and nothing else is waiting */
static void expect_td_answer(struct kunit *test, struct fake_dev *fd, u8 want)
{
	u8 code = 0;

	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_td_response(fd->ft, func_id(fd), &code), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, code, want);
}

/*
 * The TD's requests go to the module in TD mode: the module secures what
 * the TD wrote, and decrypts the answer into the TD's buffer.  The host
 * gets the response word and the status, never the answer.
 */
static void guest_req_carries_td_requests_in_td_mode(struct kunit *test)
{
	struct tdi_env *env = tdi_env(test);
	struct fake_dev *fd = fake_dev(test, env, TEST_BUS, 0xfe000000);
	unsigned int nr_log;
	struct pci_tdi *tdi;
	u64 code = 0, want;
	u8 *out;

	out = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, out);
	tdi = bind(fd, TEST_TDI_ID);
	KUNIT_ASSERT_FALSE(test, IS_ERR(tdi));

	KUNIT_ASSERT_EQ(test, tdx_fake_tdi_td_request(env->ft, func_id(fd),
						      TDX_TDISP_INTERFACE_REPORT_REQ), TDX_SUCCESS);
	nr_log = env->ft->nr_log;
	KUNIT_EXPECT_EQ(test, guest_req(tdi, PCI_TSM_REQ_INFO, out, 64, &code), 64 - 8);
	KUNIT_EXPECT_EQ(test, env->ft->nr_log - nr_log, 3);
	KUNIT_EXPECT_EQ(test, code, TDX_SUCCESS);
	want = FIELD_PREP(TDX_DEVIF_RSP_OUT_CODE, TDX_TDISP_INTERFACE_REPORT_RSP);
	KUNIT_EXPECT_EQ(test, get_unaligned_le64(out), want);
	KUNIT_EXPECT_NULL(test, memchr_inv(out + 8, 0, PAGE_SIZE - 8));
	expect_td_answer(test, fd, TDX_TDISP_INTERFACE_REPORT_RSP);

	/* START is the TD's to ask for, and puts the TDI in RUN. */
	KUNIT_ASSERT_EQ(test, tdx_fake_tdi_td_request(env->ft, func_id(fd),
						      TDX_TDISP_START_INTERFACE_REQ), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, guest_req(tdi, PCI_TSM_REQ_STATE_CHANGE, out, 8, &code), 0);
	expect_td_answer(test, fd, TDX_TDISP_START_INTERFACE_RSP);
	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_find(env->ft, func_id(fd))->tdisp_state,
			TDX_TDISP_RUN);

	/* No request of the TD: the module refuses, its status comes back. */
	nr_log = env->ft->nr_log;
	KUNIT_EXPECT_EQ(test, guest_req(tdi, PCI_TSM_REQ_INFO, out, 8, &code), -EIO);
	KUNIT_EXPECT_EQ(test, code, TDX_DEVIF_TDISP_INVALID_REQ_STS | TDX_OPERAND_ID_RCX);
	KUNIT_EXPECT_EQ(test, env->ft->nr_log - nr_log, 1);

	tdx_host_tdi_unbind(tdi);
	expect_nothing_owned(test, env, fd);
}

struct guest_bad {
	const char *name;
	bool no_tdi;
	int scope;
	size_t in_len;
	size_t out_len;
	int err;
};

static const struct guest_bad guest_bads[] = {
	{ "NULL TDI", true, PCI_TSM_REQ_INFO, 0, 8, -EINVAL },
	{ "DEBUG_READ", false, PCI_TSM_REQ_DEBUG_READ, 0, 8, -EOPNOTSUPP },
	{ "DEBUG_WRITE", false, PCI_TSM_REQ_DEBUG_WRITE, 0, 8, -EOPNOTSUPP },
	{ "scope past the enum", false, PCI_TSM_REQ_DEBUG_WRITE + 1, 0, 8, -EINVAL },
	{ "a request from the host", false, PCI_TSM_REQ_INFO, 1, 8, -EINVAL },
	{ "no response buffer", false, PCI_TSM_REQ_INFO, 0, 0, -EMSGSIZE },
	{ "response buffer too small", false, PCI_TSM_REQ_INFO, 0, 7, -EMSGSIZE },
};

static void guest_bad_desc(const struct guest_bad *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(guest_bad, guest_bads, guest_bad_desc);

static void guest_req_rejects_bad_requests_without_side_effects(struct kunit *test)
{
	const struct guest_bad *c = test->param_value;
	struct tdi_env *env = tdi_env(test);
	struct fake_dev *fd = fake_dev(test, env, TEST_BUS, 0xfe000000);
	unsigned int nr_log, nr_calls;
	struct pci_tdi *tdi;
	u64 code = 0x5a5a;
	u8 in[1] = { TDX_TDISP_INTERFACE_STATE_REQ };
	u8 out[8] = {};

	tdi = bind(fd, TEST_TDI_ID);
	KUNIT_ASSERT_FALSE(test, IS_ERR(tdi));
	/* A request of the TD is waiting: none of these carries it. */
	KUNIT_ASSERT_EQ(test, tdx_fake_tdi_td_request(env->ft, func_id(fd),
						      TDX_TDISP_INTERFACE_STATE_REQ), TDX_SUCCESS);
	nr_log = env->ft->nr_log;
	nr_calls = env->fake->nr_calls;

	KUNIT_EXPECT_EQ(test, tdx_host_tdi_guest_req(c->no_tdi ? NULL : tdi, c->scope,
						     KERNEL_SOCKPTR(in), c->in_len,
						     KERNEL_SOCKPTR(out), c->out_len, &code),
			c->err);
	KUNIT_EXPECT_EQ(test, env->ft->nr_log, nr_log);
	KUNIT_EXPECT_EQ(test, env->fake->nr_calls, nr_calls);
	KUNIT_EXPECT_EQ(test, code, 0x5a5a);
	KUNIT_EXPECT_NULL(test, memchr_inv(out, 0, sizeof(out)));
	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_find(env->ft, func_id(fd))->td_req,
			TDX_FAKE_TD_REQ_REQUESTED);

	/* Carried once asked properly */
	KUNIT_EXPECT_EQ(test, guest_req(tdi, PCI_TSM_REQ_INFO, out, 8, &code), 0);
	expect_td_answer(test, fd, TDX_TDISP_INTERFACE_STATE_RSP);
	tdx_host_tdi_unbind(tdi);
	expect_nothing_owned(test, env, fd);
}

/*
 * The module keeps a request outstanding until it accepts an answer.  One
 * the device did not answer is carried again before the next request of
 * the TDI: here the TD's, before unbind's STOP, which the module would
 * refuse otherwise and keep the TDI.
 */
static void unanswered_request_is_carried_again_before_the_next(struct kunit *test)
{
	struct tdi_env *env = tdi_env(test);
	struct fake_dev *fd = fake_dev(test, env, TEST_BUS, 0xfe000000);
	struct seq *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	unsigned int from;
	struct pci_tdi *tdi;
	u64 code = 0;
	u8 out[8];

	KUNIT_ASSERT_NOT_NULL(test, s);
	tdi = bind(fd, TEST_TDI_ID);
	KUNIT_ASSERT_FALSE(test, IS_ERR(tdi));
	guest_runs(test, fd);
	KUNIT_ASSERT_EQ(test, tdx_fake_tdi_td_request(env->ft, func_id(fd),
						      TDX_TDISP_INTERFACE_STATE_REQ), TDX_SUCCESS);

	/* Two attempts over DOE, then the request stays outstanding */
	env->doe_ret = -ETIMEDOUT;
	from = env->ft->nr_log;
	KUNIT_EXPECT_EQ(test, guest_req(tdi, PCI_TSM_REQ_INFO, out, 8, &code), -ETIMEDOUT);
	push(s, TDH_DEVIF_REQUEST, 1);
	push(s, EVT_DOE, 2);
	expect_log(test, env->ft, from, s);
	KUNIT_EXPECT_NE(test, tdx_fake_tdi_find(env->ft, func_id(fd))->pending, 0);

	env->doe_ret = 0;
	from = env->ft->nr_log;
	tdx_host_tdi_unbind(tdi);
	s->n = 0;
	push(s, EVT_DOE, 1);
	push(s, TDH_DEVIF_RESPONSE, 1);
	push_unbind(s);
	expect_log(test, env->ft, from, s);
	expect_nothing_owned(test, env, fd);
}

/*
 * A device that never answers again: the STOP cannot be made, the module
 * keeps the locked TDI, and the TDI's MMIO is not shared again.
 */
static void unanswered_stop_leaves_the_tdi_to_the_module(struct kunit *test)
{
	struct tdi_env *env = tdi_env(test);
	struct fake_dev *fd = fake_dev(test, env, TEST_BUS, 0xfe000000);
	struct pci_tdi *tdi;

	tdi = bind(fd, TEST_TDI_ID);
	KUNIT_ASSERT_FALSE(test, IS_ERR(tdi));
	guest_runs(test, fd);

	env->doe_ret = -ETIMEDOUT;
	kunit_warning_suppress(test) {
		tdx_host_tdi_unbind(tdi);
		/* TDH.DEVIF.REMOVE refused: one warning */
		KUNIT_EXPECT_SUPPRESSED_WARNING_COUNT(test, 1);
	}
	KUNIT_EXPECT_EQ(test, tdx_fake_calls(env->fake, TDH_DEVIF_REQUEST), 2);
	KUNIT_EXPECT_NOT_NULL(test, tdx_fake_tdi_find(env->ft, func_id(fd)));
	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_find(env->ft, func_id(fd))->tdisp_state,
			TDX_TDISP_CONFIG_LOCKED);
	KUNIT_EXPECT_EQ(test, env->ft->log[env->ft->nr_log - 1], EVT_DMA_CLEANUP);
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(env->fake), NR_DEVIF_PAGES + NR_DEVIFMT);

	kunit_warning_suppress(test) {
		KUNIT_EXPECT_EQ(test, tdx_host_tables_fini(&env->tables), -EBUSY);
	}
	tdx_host_tables_init(&env->tables);
}

/* A module that names another TD as the owner of the TDI it gave back */
static void devif_remove_naming_another_td_is_not_trusted(struct kunit *test)
{
	struct tdi_env *env = tdi_env(test);
	struct fake_dev *fd = fake_dev(test, env, TEST_BUS, 0xfe000000);
	struct pci_tdi *tdi;

	tdi = bind(fd, TEST_TDI_ID);
	KUNIT_ASSERT_FALSE(test, IS_ERR(tdi));
	env->ft->remove_vm_handle = TEST_VM + PAGE_SIZE;
	kunit_warning_suppress(test) {
		tdx_host_tdi_unbind(tdi);
		KUNIT_EXPECT_SUPPRESSED_WARNING_COUNT(test, 1);
	}
	/* The TDI's pages are leaked, its metadata stays, no MMIO is shared. */
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(env->fake), NR_DEVIF_PAGES + NR_DEVIFMT);
	KUNIT_EXPECT_EQ(test, tdx_host_tree_nr_pages(&env->tables, &env->tables.devifmt),
			NR_DEVIFMT);
	KUNIT_EXPECT_EQ(test, env->ft->log[env->ft->nr_log - 1], EVT_DMA_CLEANUP);

	kunit_warning_suppress(test) {
		KUNIT_EXPECT_EQ(test, tdx_host_tables_fini(&env->tables), -EBUSY);
	}
	tdx_host_tables_init(&env->tables);
}

/* Request lengths the module should never report: nothing goes over DOE */
static const u64 hostile_lens[] = { U64_MAX /* 0 */, 7, PAGE_SIZE + 4 };

static void hostile_len_desc(const u64 *len, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "length %llu", *len == U64_MAX ? 0 : *len);
}

KUNIT_ARRAY_PARAM(hostile_len, hostile_lens, hostile_len_desc);

static void hostile_request_length_is_not_carried(struct kunit *test)
{
	struct tdi_env *env = tdi_env(test);
	struct fake_dev *fd = fake_dev(test, env, TEST_BUS, 0xfe000000);
	struct pci_tdi *tdi;

	env->ft->req_len = *(const u64 *)test->param_value;
	tdi = bind(fd, TEST_TDI_ID);
	KUNIT_EXPECT_EQ(test, PTR_ERR(tdi), -EPROTO);
	KUNIT_EXPECT_EQ(test, tdx_fake_calls(env->fake, TDH_DEVIF_RESPONSE), 0);
	KUNIT_EXPECT_EQ(test, tdx_fake_calls(env->fake, TDH_DEVIF_REQUEST), 1);
	expect_nothing_owned(test, env, fd);
}

/* tdi_id is the TD's name: two TDs may use one; one function binds once */
static void tdi_id_is_per_td_and_a_function_binds_once(struct kunit *test)
{
	struct tdi_env *env = tdi_env(test);
	struct fake_dev *fd = fake_dev(test, env, TEST_BUS, 0xfe000000);
	struct fake_dev *other = fake_dev(test, env, TEST_BUS + 1, 0xfe400000);
	struct pci_tdi *a, *b, *again;
	unsigned long nr_owned;

	a = bind(fd, TEST_TDI_ID);
	KUNIT_ASSERT_FALSE(test, IS_ERR(a));
	b = tdx_host_tdi_bind(&other->link, other->pdev, tdx_host_test_second_td(), TEST_TDI_ID,
			      &other->host.host);
	KUNIT_ASSERT_FALSE(test, IS_ERR(b));
	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_find(env->ft, func_id(other))->vm_handle,
			TEST_VM + PAGE_SIZE);

	/* The module has a TDI for the function: -EBUSY, the first one intact */
	nr_owned = tdx_fake_nr_owned(env->fake);
	again = bind(fd, TEST_TDI_ID + 1);
	KUNIT_EXPECT_EQ(test, PTR_ERR(again), -EBUSY);
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(env->fake), nr_owned);
	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_find(env->ft, func_id(fd))->tdisp_state,
			TDX_TDISP_CONFIG_LOCKED);
	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_nr_mmio(env->ft, func_id(fd)), NR_MMIO);

	tdx_host_tdi_unbind(a);
	tdx_host_tdi_unbind(b);
	expect_nothing_owned(test, env, fd);
	expect_nothing_owned(test, env, other);
}

/* The first and the last RID of the IDE stream, and one past each */
static void rids_at_both_ends_of_the_stream(struct kunit *test)
{
	static const struct {
		u8 devfn;
		u8 base_devfn;
		u8 limit_devfn;
		int err;
	} cases[] = {
		{ 0x00, 0x00, 0xff, 0 },
		{ 0xff, 0x00, 0xff, 0 },
		{ 0x00, 0x01, 0xff, -ENXIO },
		{ 0xff, 0x00, 0xfe, -ENXIO },
	};
	struct tdi_env *env = tdi_env(test);
	struct fake_dev *fd = fake_dev(test, env, TEST_BUS, 0xfe000000);
	unsigned int i, calls;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct pci_tdi *tdi;

		fd->pdev->devfn = cases[i].devfn;
		fd->link.rid_base = PCI_DEVID(TEST_BUS, cases[i].base_devfn);
		fd->link.rid_limit = PCI_DEVID(TEST_BUS, cases[i].limit_devfn);
		calls = env->fake->nr_calls;
		tdi = bind(fd, TEST_TDI_ID);
		if (cases[i].err) {
			KUNIT_EXPECT_EQ_MSG(test, PTR_ERR(tdi), cases[i].err, "case %u", i);
			KUNIT_EXPECT_EQ(test, env->fake->nr_calls, calls);
			continue;
		}
		KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(tdi), "case %u: %ld", i, PTR_ERR(tdi));
		KUNIT_EXPECT_NOT_NULL(test, tdx_fake_tdi_find(env->ft, func_id(fd)));
		tdx_host_tdi_unbind(tdi);
		expect_nothing_owned(test, env, fd);
	}
}

/*
 * BARs in any order, one spanning two 512 KiB regions, two sharing one:
 * a level-0 MMIOMT page per region touched, a SET per 4 KiB page.
 */
static void bars_in_several_regions_in_any_order(struct kunit *test)
{
	struct tdi_env *env = tdi_env(test);
	struct fake_dev *fd = fake_dev(test, env, TEST_BUS, 0xfe000000);
	struct pci_dev *pdev = fd->pdev;
	struct pci_tdi *tdi;

	/* BAR 0: the end of region 3; BAR 2: regions 0-1; BAR 4: region 3 too */
	pdev->resource[0] = DEFINE_RES_MEM(0xfe000000 + 3 * SZ_512K + SZ_256K, SZ_256K);
	pdev->resource[2] = DEFINE_RES_MEM(0xfe000000 + SZ_256K, SZ_512K);
	pdev->resource[4] = DEFINE_RES_MEM(0xfe000000 + 3 * SZ_512K, SZ_64K);
	tdi = bind(fd, TEST_TDI_ID);
	KUNIT_ASSERT_FALSE(test, IS_ERR(tdi));
	/* Regions 0, 1, 3: three level-0 pages below one of each level above */
	KUNIT_EXPECT_EQ(test, tdx_host_tree_nr_pages(&env->tables, &env->tables.mmiomt),
			NR_MMIOMT - 1 + 3);
	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_nr_mmio(env->ft, func_id(fd)),
			(SZ_256K + SZ_512K + SZ_64K) / PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, tdx_fake_calls(env->fake, TDH_MMIOMT_SET),
			(SZ_256K + SZ_512K + SZ_64K) / PAGE_SIZE);
	tdx_host_tdi_unbind(tdi);
	expect_nothing_owned(test, env, fd);
}

/* Two functions bound and unbound over and over from two threads */
struct binder {
	struct kunit *test;
	struct fake_dev *fd;
	u32 tdi_id;
	int err;
	struct completion done;
};

#define BIND_ROUNDS	8

static int binder_thread(void *data)
{
	struct binder *b = data;
	unsigned int i;

	/* Static stubs follow the test through current->kunit_test. */
	current->kunit_test = b->test;
	for (i = 0; i < BIND_ROUNDS && !b->err; i++) {
		struct pci_tdi *tdi = bind(b->fd, b->tdi_id);

		if (IS_ERR(tdi))
			b->err = PTR_ERR(tdi);
		else
			tdx_host_tdi_unbind(tdi);
	}
	current->kunit_test = NULL;
	complete(&b->done);
	return 0;
}

static void concurrent_binds_of_different_tdis(struct kunit *test)
{
	struct tdi_env *env = tdi_env(test);
	struct binder b[2] = {
		{ .test = test, .fd = fake_dev(test, env, TEST_BUS, 0xfe000000),
		  .tdi_id = TEST_TDI_ID },
		{ .test = test, .fd = fake_dev(test, env, TEST_BUS + 1, 0xfe400000),
		  .tdi_id = TEST_TDI_ID + 1 },
	};
	struct task_struct *t;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(b); i++) {
		init_completion(&b[i].done);
		t = kthread_run(binder_thread, &b[i], "tdx_host_tdi_test/%u", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	}
	for (i = 0; i < ARRAY_SIZE(b); i++)
		wait_for_completion(&b[i].done);
	for (i = 0; i < ARRAY_SIZE(b); i++) {
		KUNIT_EXPECT_EQ(test, b[i].err, 0);
		expect_nothing_owned(test, env, b[i].fd);
	}
	/*
	 * Each round takes at least the TDI's own leaves; the shared levels
	 * go and come back depending on how the two interleave.
	 */
	KUNIT_EXPECT_GE(test, env->ft->nr_calls, 2 * BIND_ROUNDS *
			(1 + 3 + 4 + 2 * NR_MMIO + 1 + 3 * DMAR_UNMAP_CALLS + 2 * 2));
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(env->fake), 0);
	expect_tables_empty(test, env);
}

/*
 * An IOMMU that never completes the invalidation: the PASID table entry
 * stays, and with it its tables and the TDI (DMA the TD accepted stays
 * mapped).  The status page is never freed: when the IOMMU writes it
 * late, it writes memory still the kernel's (KASAN would see a write to a
 * freed page).
 */
static void unbind_keeps_what_an_unanswered_invalidation_holds(struct kunit *test)
{
	struct tdi_env *env = tdi_env(test);
	struct fake_dev *fd = fake_dev(test, env, TEST_BUS, 0xfe000000);
	struct pci_tdi *tdi;

	tdi = bind(fd, TEST_TDI_ID);
	KUNIT_ASSERT_FALSE(test, IS_ERR(tdi));
	guest_runs(test, fd);

	env->ft->iq_stall = true;
	kunit_warning_suppress(test) {
		tdx_host_tdi_unbind(tdi);
		/* the DMAR tables, then the TDI that HAS_MAPPED_DMA keeps */
		KUNIT_EXPECT_SUPPRESSED_WARNING_COUNT(test, 2);
	}
	KUNIT_EXPECT_EQ(test, tdx_fake_calls(env->fake, TDH_IQ_INV_REQUEST), 1);
	KUNIT_EXPECT_EQ(test, tdx_fake_calls(env->fake, TDH_IQ_INV_PROCESS), 0);
	KUNIT_EXPECT_EQ(test, tdx_fake_calls(env->fake, TDH_DMAR_REMOVE), 0);
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(env->fake),
			NR_DMAR_PAGES + NR_DEVIF_PAGES + NR_DEVIFMT);
	KUNIT_EXPECT_NOT_NULL(test, tdx_fake_tdi_find(env->ft, func_id(fd)));

	/* The IOMMU answers after all. */
	env->ft->iq_stall = false;
	msleep(20);

	kunit_warning_suppress(test) {
		KUNIT_EXPECT_EQ(test, tdx_host_tables_fini(&env->tables), -EBUSY);
	}
	tdx_host_tables_init(&env->tables);
}

/* Another function of @fd's device, under the same link, with its own BARs */
static struct fake_dev *fake_sibling(struct kunit *test, struct fake_dev *fd, u8 devfn,
				     u64 mmio, u64 bar0_size)
{
	struct fake_dev *sib = kunit_kzalloc(test, sizeof(*sib), GFP_KERNEL);
	struct pci_dev *pdev = kunit_kzalloc(test, sizeof(*pdev), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, sib);
	KUNIT_ASSERT_NOT_NULL(test, pdev);
	*sib = *fd;
	sib->pdev = pdev;
	sib->nr_mapped = 0;
	sib->guest_dma = false;
	pdev->bus = fd->bus;
	pdev->devfn = devfn;
	pdev->resource[0] = DEFINE_RES_MEM(mmio, bar0_size);
	return sib;
}

/*
 * A second function of the device shares every level the first one added:
 * its bind adds only its own DEVIF, DMAR and MMIO entries; the levels go
 * with the last user, whichever unbinds last.
 */
static void tdis_share_the_levels_and_the_last_one_removes_them(struct kunit *test)
{
	struct tdi_env *env = tdi_env(test);
	struct fake_dev *fd = fake_dev(test, env, TEST_BUS, 0xfe000000);
	/* BAR 0 in the same 512 KiB region as fd's */
	struct fake_dev *sib = fake_sibling(test, fd, PCI_DEVFN(2, 2), 0xfe020000, 2 * PAGE_SIZE);
	struct seq *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	struct pci_tdi *first, *second;
	unsigned int from;

	KUNIT_ASSERT_NOT_NULL(test, s);
	first = bind(fd, TEST_TDI_ID);
	KUNIT_ASSERT_FALSE(test, IS_ERR(first));

	from = env->ft->nr_log;
	second = bind(sib, TEST_TDI_ID + 1);
	KUNIT_ASSERT_FALSE(test, IS_ERR(second));
	push(s, EVT_DMA_SETUP, 1);
	push(s, TDH_DEVIF_CREATE, 1);
	/* the root table entry is shared: CTE, PDE, PASIDTE */
	push(s, TDH_DMAR_ADD, NR_DMAR - 1);
	push(s, TDH_MMIOMT_SET, 2);
	push_tdisp(s);
	expect_log(test, env->ft, from, s);
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(env->fake),
			NR_BIND_PAGES + NR_DEVIF_PAGES + NR_DMAR_PAGES - 1);

	/* The first unbind leaves every shared level in place. */
	from = env->ft->nr_log;
	tdx_host_tdi_unbind(first);
	s->n = 0;
	push_tdisp(s);
	push(s, EVT_MMIO_UNMAP, 1);
	push(s, TDH_MMIOMT_SET, NR_MMIO);
	push_dmar_unmap(s, NR_DMAR - 1);
	push(s, TDH_DEVIF_REMOVE, 1);
	push(s, EVT_DMA_CLEANUP, 1);
	push(s, EVT_MMIO_SHARE, 1);
	expect_log(test, env->ft, from, s);
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(env->fake),
			NR_DEVIFMT + NR_DEVIF_PAGES + NR_DMAR_PAGES + NR_MMIOMT);

	/* The last takes them all back, lowest level first. */
	from = env->ft->nr_log;
	tdx_host_tdi_unbind(second);
	s->n = 0;
	push_tdisp(s);
	push(s, EVT_MMIO_UNMAP, 1);
	push(s, TDH_MMIOMT_SET, 2);
	push(s, TDH_MMIOMT_REMOVE, NR_MMIOMT);
	push_dmar_unmap(s, NR_DMAR);
	push(s, TDH_DEVIF_REMOVE, 1);
	push(s, TDH_DEVIFMT_REMOVE, NR_DEVIFMT);
	push(s, EVT_DMA_CLEANUP, 1);
	push(s, EVT_MMIO_SHARE, 1);
	expect_log(test, env->ft, from, s);
	expect_nothing_owned(test, env, fd);
	expect_nothing_owned(test, env, sib);
}

/*
 * MMIO past the first 512 KiB of a 2 MiB region needs a level-0 MMIOMT
 * page of its own: a BAR of 1 MiB spans two.
 */
static void mmio_gets_a_level0_page_per_512k(struct kunit *test)
{
	struct tdi_env *env = tdi_env(test);
	struct fake_dev *fd = fake_dev(test, env, TEST_BUS, 0xfe000000);
	struct fake_dev *big = fake_sibling(test, fd, PCI_DEVFN(3, 0), 0xfe200000, SZ_1M);
	struct pci_tdi *tdi;

	tdi = bind(big, TEST_TDI_ID);
	KUNIT_ASSERT_FALSE(test, IS_ERR(tdi));
	KUNIT_EXPECT_EQ(test, tdx_host_tree_nr_pages(&env->tables, &env->tables.mmiomt),
			NR_MMIOMT + 1);
	KUNIT_EXPECT_EQ(test, tdx_fake_calls(env->fake, TDH_MMIOMT_ADD), NR_MMIOMT + 1);
	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_nr_mmio(env->ft, func_id(big)), SZ_1M / PAGE_SIZE);
	tdx_host_tdi_unbind(tdi);
	expect_nothing_owned(test, env, big);
}

/*
 * Binding one function with a 2 GiB BAR, and the functions of one device
 * with 256 MiB of BARs between them
 */
struct bench_case {
	unsigned int n;
	u64 size;
};

static const struct bench_case bench_cases[] = {
	{ 1, SZ_2G },
	{ 8, SZ_256M },
	{ 64, SZ_256M },
};

static void bench_desc(const struct bench_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%u TDIs, %llu MiB", c->n, c->size >> 20);
}

KUNIT_ARRAY_PARAM(bench, bench_cases, bench_desc);

#define BENCH_MMIO_BASE		0x4000000000ULL	/* 256 GiB, 2 GiB aligned */

static void bench_bind_tdis_of_one_device(struct kunit *test)
{
	const struct bench_case *c = test->param_value;
	const unsigned int n = c->n;
	const u64 bar = c->size / n;
	struct tdi_env *env = tdi_env(test);
	struct fake_dev *fd = fake_dev(test, env, TEST_BUS, 0xfe000000);
	unsigned long mmio_pages = c->size / PAGE_SIZE;
	/* 512 KiB level-0 pages, 256 MiB level-1 pages, one each above */
	unsigned long mmiomt_pages = c->size / SZ_512K + c->size / SZ_256M + 3;
	unsigned long min_calls, min_pages, calls, pages;
	struct fake_dev **fn;
	struct pci_tdi **tdi;
	unsigned int i;

	fn = kunit_kcalloc(test, n, sizeof(*fn), GFP_KERNEL);
	tdi = kunit_kcalloc(test, n, sizeof(*tdi), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, fn);
	KUNIT_ASSERT_NOT_NULL(test, tdi);
	for (i = 0; i < n; i++)
		fn[i] = fake_sibling(test, fd, i, BENCH_MMIO_BASE + i * bar, bar);

	calls = env->fake->nr_calls;
	for (i = 0; i < n; i++) {
		tdi[i] = bind(fn[i], TEST_TDI_ID + i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(tdi[i]));
	}
	calls = env->fake->nr_calls - calls;
	pages = tdx_fake_nr_owned(env->fake);

	/*
	 * The minimum the trees imply: 4 DEVIFMT levels for the 64 RIDs, one
	 * root table entry, the MMIOMT levels over 1 GiB; per TDI its
	 * control structure and 2 message buffers, a PASID directory and a
	 * PASID table page.  SEAMCALLs: an ADD per page, a DEVIF.CREATE,
	 * 3 DMAR.ADD and a LOCK request and response per TDI, a SET per
	 * 4 KiB of MMIO.
	 */
	min_pages = NR_DEVIFMT + 1 + mmiomt_pages + n * (NR_DEVIF_PAGES + 2);
	min_calls = NR_DEVIFMT + 1 + mmiomt_pages + mmio_pages + n * (1 + 3 + 2);
	KUNIT_EXPECT_EQ(test, pages, min_pages);
	KUNIT_EXPECT_EQ(test, calls, min_calls);
	KUNIT_EXPECT_EQ(test, env->fake->nr_flushed_lines, min_pages * (PAGE_SIZE / 64));
	kunit_info(test, "bind %u TDIs, %llu MiB of BARs each: %lu SEAMCALLs (minimum %lu), %lu pages (minimum %lu: %lu MMIOMT, %u DEVIFMT, %u DMAR, %u TDI)\n",
		   n, bar >> 20, calls, min_calls, pages, min_pages, mmiomt_pages, NR_DEVIFMT,
		   1 + 2 * n, NR_DEVIF_PAGES * n);

	calls = env->fake->nr_calls;
	for (i = 0; i < n; i++)
		tdx_host_tdi_unbind(tdi[i]);
	calls = env->fake->nr_calls - calls;
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(env->fake), 0);
	expect_tables_empty(test, env);
	kunit_info(test, "unbind %u TDIs: %lu SEAMCALLs, %lu of them TDH.PHYMEM.PAGE.WBINVD\n",
		   n, calls, min_pages);
}

static struct kunit_case tdx_host_tdi_test_cases[] = {
	KUNIT_CASE(bind_and_unbind_run_every_step_in_module_order),
	KUNIT_CASE_PARAM(bind_failure_unwinds_in_exact_reverse, bind_fail_gen_params),
	KUNIT_CASE_PARAM(unbind_leaks_what_the_module_keeps_and_warns_once,
			 unbind_fail_gen_params),
	KUNIT_CASE_PARAM(bind_rejects_bad_input_without_side_effects, bad_gen_params),
	KUNIT_CASE(unbind_of_nothing_does_nothing),
	KUNIT_CASE(guest_req_carries_td_requests_in_td_mode),
	KUNIT_CASE_PARAM(guest_req_rejects_bad_requests_without_side_effects,
			 guest_bad_gen_params),
	KUNIT_CASE(unanswered_request_is_carried_again_before_the_next),
	KUNIT_CASE(unanswered_stop_leaves_the_tdi_to_the_module),
	KUNIT_CASE(devif_remove_naming_another_td_is_not_trusted),
	KUNIT_CASE_PARAM(hostile_request_length_is_not_carried, hostile_len_gen_params),
	KUNIT_CASE(tdi_id_is_per_td_and_a_function_binds_once),
	KUNIT_CASE(rids_at_both_ends_of_the_stream),
	KUNIT_CASE(bars_in_several_regions_in_any_order),
	KUNIT_CASE(concurrent_binds_of_different_tdis),
	KUNIT_CASE(unbind_keeps_what_an_unanswered_invalidation_holds),
	KUNIT_CASE(tdis_share_the_levels_and_the_last_one_removes_them),
	KUNIT_CASE(mmio_gets_a_level0_page_per_512k),
	KUNIT_CASE_PARAM_ATTR(bench_bind_tdis_of_one_device, bench_gen_params,
			      { .speed = KUNIT_SPEED_SLOW }),
	{}
};

static struct kunit_suite tdx_host_tdi_test_suite = {
	.name = "tdx_host_tdi",
	.test_cases = tdx_host_tdi_test_cases,
};

kunit_test_suite(tdx_host_tdi_test_suite);

MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");
