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

#include <kunit/static_stub.h>
#include <kunit/test.h>

#include <asm/shared/tdx_errno.h>
#include <asm/tdx.h>
#include <asm/tdx_fake_module.h>
#include <asm/tdx_fake_tdi.h>
#include <asm/tdx_release.h>
#include <asm/tdx_tdi.h>

#include "../../../../arch/x86/virt/vmx/tdx/tdx.h"
#include "tdx_host_link.h"
#include "tdx_host_relay.h"
#include "tdx_host_tdi.h"

/* Participant events in the fake's log */
enum {
	EVT_DMA_SETUP = TDX_FAKE_TDI_EVENT_BASE,
	EVT_DMA_CLEANUP,
	EVT_MMIO_UNMAP,
	EVT_MMIO_SHARE,
	EVT_DOE,
};

#define TEST_IOMMU	0x101
#define TEST_STREAM	3
#define TEST_VM		0x12345000ULL
#define TEST_TDI_ID	0x10
#define TEST_BUS	3
#define TEST_DEVFN	PCI_DEVFN(2, 1)
#define TEST_GPA	0x80000000ULL
/* TDH.PHYMEM.PAGE.WBINVD, as in 7.3 */
#define TEST_TDH_PHYMEM_PAGE_WBINVD	41
/* BAR 0: 4 pages, BAR 2: 2 pages, one 2 MiB region; BAR 1 is I/O */
#define BAR0_SIZE	(4 * PAGE_SIZE)
#define BAR2_OFFSET	0x10000
#define BAR2_SIZE	(2 * PAGE_SIZE)
#define NR_MMIO		6

/* A fake PCI function with its link and its host participants */
struct fake_dev {
	struct pci_dev *pdev;
	struct pci_bus *bus;
	struct pci_sysdata sysdata;
	struct tdx_host_link link;
	struct pci_tdi_host host;
	struct tdx_fake_tdi *ft;
	int dma_setup_ret;
	bool guest_dma;
	unsigned int nr_mapped;
};

struct tdi_env {
	struct tdx_fake_module *fake;
	struct tdx_fake_tdi *ft;
	int doe_ret;
	u32 tdisp_error;
};

static struct fake_dev *to_fake_dev(const struct pci_tdi_host *host)
{
	return container_of(host, struct fake_dev, host);
}

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

/* Trusted DMA: a context entry for the function's RID */
static int fake_dma_setup(const struct pci_tdi_host *host, struct pci_tdi *tdi)
{
	struct fake_dev *fd = to_fake_dev(host);
	struct tdx_dmar_entry cte = { .qw = { 0x1001 } };

	tdx_fake_tdi_log(fd->ft, EVT_DMA_SETUP);
	if (fd->dma_setup_ret)
		return fd->dma_setup_ret;
	return tdh_dmar_add(dmar_idx(fd, TDX_DMAR_LEVEL_CTE), &cte) ? -EIO : 0;
}

static void fake_dma_cleanup(const struct pci_tdi_host *host, struct pci_tdi *tdi)
{
	struct fake_dev *fd = to_fake_dev(host);

	tdx_fake_tdi_log(fd->ft, EVT_DMA_CLEANUP);
	if (fd->guest_dma) {
		tdh_dmar_block(dmar_idx(fd, TDX_DMAR_LEVEL_PASIDTE));
		tdh_dmar_remove(dmar_idx(fd, TDX_DMAR_LEVEL_PASIDTE));
		fd->guest_dma = false;
	}
	tdh_dmar_block(dmar_idx(fd, TDX_DMAR_LEVEL_CTE));
	tdh_dmar_remove(dmar_idx(fd, TDX_DMAR_LEVEL_CTE));
}

static void fake_mmio_unmap(const struct pci_tdi_host *host, struct pci_tdi *tdi)
{
	struct fake_dev *fd = to_fake_dev(host);

	tdx_fake_tdi_log(fd->ft, EVT_MMIO_UNMAP);
	for (; fd->nr_mapped; fd->nr_mapped--) {
		tdh_mmio_block(gpa_info(fd->nr_mapped - 1), host->vm_handle);
		tdh_mmio_unmap(gpa_info(fd->nr_mapped - 1), host->vm_handle);
	}
}

static void fake_mmio_share(const struct pci_tdi_host *host, struct pci_tdi *tdi)
{
	tdx_fake_tdi_log(to_fake_dev(host)->ft, EVT_MMIO_SHARE);
}

static const struct pci_tdi_host_ops fake_host_ops = {
	.dma_setup = fake_dma_setup,
	.dma_cleanup = fake_dma_cleanup,
	.mmio_unmap = fake_mmio_unmap,
	.mmio_share = fake_mmio_share,
};

/* What KVM and the IOMMU do once the TD accepts the TDI */
static void guest_runs(struct kunit *test, struct fake_dev *fd)
{
	struct tdx_dmar_entry pasidte = { .qw = { 0x2001 } };
	unsigned int i;

	for (i = 0; i < NR_MMIO; i++, fd->nr_mapped++)
		KUNIT_ASSERT_EQ(test, tdh_mmio_map(gpa_info(i), TEST_VM, mmio_pa(fd, i)),
				TDX_SUCCESS);
	KUNIT_ASSERT_EQ(test, tdh_dmar_add(dmar_idx(fd, TDX_DMAR_LEVEL_PASIDTE), &pasidte),
			TDX_SUCCESS);
	fd->guest_dma = true;
}

static int fake_doe(struct pci_dev *dsm, u8 type, const void *req, size_t req_len,
		    void *rsp, size_t rsp_size)
{
	struct tdi_env *env = kunit_get_current_test()->priv;

	tdx_fake_tdi_log(env->ft, EVT_DOE);
	if (env->doe_ret)
		return env->doe_ret;
	if (type != PCI_DOE_FEATURE_SSESSION)
		return -EIO;
	return tdx_fake_tdisp_device(req, req_len, rsp, rsp_size, env->tdisp_error);
}

/* Refusals are expected here; the fake makes them, the test checks them. */
static void quiet_report(u64 fn, u64 status, const struct tdx_module_args *in,
			 const struct tdx_module_args *out)
{
}

static struct tdi_env *tdi_env(struct kunit *test)
{
	struct tdi_env *env = kunit_kzalloc(test, sizeof(*env), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, env);
	test->priv = env;
	env->fake = tdx_fake_module_install(test);
	env->ft = tdx_fake_tdi_install(test, env->fake);
	kunit_activate_static_stub(test, tdx_host_relay_doe, fake_doe);
	kunit_activate_static_stub(test, tdx_seamcall_report, quiet_report);
	return env;
}

/* A function at @bus:02.1 with two memory BARs at @mmio, covered by its link */
static struct fake_dev *fake_dev(struct kunit *test, struct tdi_env *env, u8 bus, u64 mmio)
{
	struct fake_dev *fd = kunit_kzalloc(test, sizeof(*fd), GFP_KERNEL);
	struct pci_dev *pdev;

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

	fd->link = (struct tdx_host_link) {
		.iommu_id = TEST_IOMMU,
		.stream_id = TEST_STREAM,
		.dsm = pdev,
		.rid_base = PCI_DEVID(bus, 0),
		.rid_limit = PCI_DEVID(bus, 0xff),
		.relay = {
			.dsm = pdev,
			.buf = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL),
		},
	};
	KUNIT_ASSERT_NOT_NULL(test, fd->link.relay.buf);
	fd->host = (struct pci_tdi_host) {
		.ops = &fake_host_ops,
		.vm_handle = TEST_VM,
	};
	fd->ft = env->ft;
	return fd;
}

static struct kvm *test_kvm(void)
{
	static int kvm;

	/* The engine never looks into the VM; any non-NULL pointer does. */
	return (struct kvm *)&kvm;
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

static void push_bind(struct seq *s)
{
	push(s, EVT_DMA_SETUP, 1);
	push(s, TDH_DMAR_ADD, 1);
	push(s, TDH_DEVIFMT_ADD, 1);
	push(s, TDH_DEVIF_CREATE, 1);
	push(s, TDH_MMIOMT_ADD, 1);
	push(s, TDH_MMIOMT_SET, NR_MMIO);
	push_tdisp(s);
}

static void push_dma_cleanup(struct seq *s, bool guest_dma)
{
	push(s, EVT_DMA_CLEANUP, 1);
	if (guest_dma) {
		push(s, TDH_DMAR_BLOCK, 1);
		push(s, TDH_DMAR_REMOVE, 1);
	}
	push(s, TDH_DMAR_BLOCK, 1);
	push(s, TDH_DMAR_REMOVE, 1);
}

static void push_unbind(struct seq *s)
{
	unsigned int i;

	push_tdisp(s);
	push(s, EVT_MMIO_UNMAP, 1);
	for (i = 0; i < NR_MMIO; i++) {
		push(s, TDH_MMIO_BLOCK, 1);
		push(s, TDH_MMIO_UNMAP, 1);
	}
	push_dma_cleanup(s, true);
	push(s, TDH_DEVIF_REMOVE, 1);
	push(s, TDH_DEVIFMT_REMOVE, 1);
	push(s, TDH_MMIOMT_SET, NR_MMIO);
	push(s, TDH_MMIOMT_REMOVE, 1);
	push(s, EVT_MMIO_SHARE, 1);
}

static void expect_nothing_owned(struct kunit *test, struct tdi_env *env, struct fake_dev *fd)
{
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(env->fake), 0);
	KUNIT_EXPECT_NULL(test, tdx_fake_tdi_find(env->ft, func_id(fd)));
	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_nr_dma(env->ft, func_id(fd)), 0);
	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_nr_mmio(env->ft, func_id(fd)), 0);
}

static struct pci_tdi *bind(struct fake_dev *fd, u32 tdi_id)
{
	return tdx_host_tdi_bind(&fd->link, fd->pdev, test_kvm(), tdi_id, &fd->host);
}

/* ---- Tests ---- */

static void bind_and_unbind_run_every_step_in_module_order(struct kunit *test)
{
	struct tdi_env *env = tdi_env(test);
	struct fake_dev *fd = fake_dev(test, env, TEST_BUS, 0xfe000000);
	struct tdx_fake_devif *d;
	struct seq *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	struct pci_tdi *tdi;
	u64 want;

	KUNIT_ASSERT_NOT_NULL(test, s);
	tdi = bind(fd, TEST_TDI_ID);
	KUNIT_ASSERT_FALSE(test, IS_ERR(tdi));
	KUNIT_EXPECT_PTR_EQ(test, tdi->pdev, fd->pdev);
	KUNIT_EXPECT_EQ(test, tdi->tdi_id, TEST_TDI_ID);
	KUNIT_EXPECT_PTR_EQ(test, tdi->host, &fd->host);

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
	/* metadata, control structure, 2 message buffers, 1 MMIOMT page */
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(env->fake), 5);

	guest_runs(test, fd);
	tdx_fake_tdi_set_state(env->ft, func_id(fd), TDX_TDISP_RUN);
	s->n = 0;
	push_unbind(s);
	tdx_host_tdi_unbind(tdi);
	/* after the bind and the guest's NR_MMIO maps and DMA entry */
	expect_log(test, env->ft, 8 + NR_MMIO + NR_MMIO + 1, s);

	expect_nothing_owned(test, env, fd);
	/*
	 * bind 6 + NR_MMIO, guest NR_MMIO + 1, unbind 9 + 3 * NR_MMIO and a
	 * write-back of each of the 5 pages given back.
	 */
	KUNIT_EXPECT_EQ(test, tdx_fake_calls(env->fake, TEST_TDH_PHYMEM_PAGE_WBINVD), 5);
	KUNIT_EXPECT_EQ(test, env->fake->nr_calls, 16 + 5 * NR_MMIO + 5);
	/* Each of the 5 pages, flushed whole before it was handed over. */
	KUNIT_EXPECT_EQ(test, env->fake->nr_flushed_lines, 5 * (PAGE_SIZE / 64));
	kunit_info(test, "bind+unbind: %u SEAMCALLs, %u of them by the engine, %u TDH.PHYMEM.PAGE.WBINVD among them, %lu cache lines flushed (%u MMIO pages, 1 region)\n",
		   env->fake->nr_calls - NR_MMIO - 1,
		   env->fake->nr_calls - NR_MMIO - 1 - 1 - 2 * NR_MMIO - 4,
		   tdx_fake_calls(env->fake, TEST_TDH_PHYMEM_PAGE_WBINVD),
		   env->fake->nr_flushed_lines, NR_MMIO);
}

/* Points where bind can fail, in bind order */
enum bind_fail {
	FAIL_DMA_SETUP,
	FAIL_DEVIFMT_ADD,
	FAIL_DEVIF_CREATE,
	FAIL_MMIOMT_ADD,
	FAIL_MMIOMT_SET_FIRST,
	FAIL_MMIOMT_SET_LAST,
	FAIL_LOCK_REQUEST,
	FAIL_LOCK_DOE,
	FAIL_LOCK_RESPONSE,
	FAIL_LOCK_REFUSED,
};

struct bind_fail_case {
	const char *name;
	enum bind_fail at;
	int err;
};

static const struct bind_fail_case bind_fails[] = {
	{ "dma_setup", FAIL_DMA_SETUP, -ENODEV },
	{ "TDH.DEVIFMT.ADD", FAIL_DEVIFMT_ADD, -EIO },
	{ "TDH.DEVIF.CREATE", FAIL_DEVIF_CREATE, -EIO },
	{ "TDH.MMIOMT.ADD", FAIL_MMIOMT_ADD, -EIO },
	{ "first TDH.MMIOMT.SET", FAIL_MMIOMT_SET_FIRST, -EIO },
	{ "last TDH.MMIOMT.SET", FAIL_MMIOMT_SET_LAST, -EIO },
	{ "LOCK TDH.DEVIF.REQUEST", FAIL_LOCK_REQUEST, -EIO },
	{ "LOCK DOE exchange", FAIL_LOCK_DOE, -ETIMEDOUT },
	{ "LOCK TDH.DEVIF.RESPONSE", FAIL_LOCK_RESPONSE, -EIO },
	{ "LOCK refused by the device", FAIL_LOCK_REFUSED, -EIO },
};

static void bind_fail_desc(const struct bind_fail_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s fails", c->name);
}

KUNIT_ARRAY_PARAM(bind_fail, bind_fails, bind_fail_desc);

/* The bind log up to the failure and the undo after it, in reverse */
static void push_failed_bind(struct seq *s, enum bind_fail at)
{
	unsigned int set = at == FAIL_MMIOMT_SET_LAST ? NR_MMIO - 1 : 0;

	push(s, EVT_DMA_SETUP, 1);
	if (at == FAIL_DMA_SETUP)
		return;
	push(s, TDH_DMAR_ADD, 1);
	push(s, TDH_DEVIFMT_ADD, 1);
	if (at == FAIL_DEVIFMT_ADD)
		goto dma;
	push(s, TDH_DEVIF_CREATE, 1);
	if (at == FAIL_DEVIF_CREATE)
		goto metadata;
	push(s, TDH_MMIOMT_ADD, 1);
	if (at == FAIL_MMIOMT_ADD)
		goto devif;
	if (at == FAIL_MMIOMT_SET_FIRST || at == FAIL_MMIOMT_SET_LAST) {
		push(s, TDH_MMIOMT_SET, set + 1);
		push(s, TDH_MMIOMT_SET, set);
		push(s, TDH_MMIOMT_REMOVE, 1);
		goto devif;
	}
	push(s, TDH_MMIOMT_SET, NR_MMIO);
	push(s, TDH_DEVIF_REQUEST, 1);
	if (at != FAIL_LOCK_REQUEST) {
		push(s, EVT_DOE, 1);
		if (at != FAIL_LOCK_DOE)
			push(s, TDH_DEVIF_RESPONSE, 1);
	}
	push(s, TDH_MMIOMT_SET, NR_MMIO);
	push(s, TDH_MMIOMT_REMOVE, 1);
devif:
	push(s, TDH_DEVIF_REMOVE, 1);
metadata:
	push(s, TDH_DEVIFMT_REMOVE, 1);
dma:
	push_dma_cleanup(s, false);
}

/* 1-based number of the failing SEAMCALL among the fake TDI leaves */
static unsigned int bind_fail_nth(enum bind_fail at)
{
	switch (at) {
	case FAIL_DEVIFMT_ADD:
		return 2;
	case FAIL_DEVIF_CREATE:
		return 3;
	case FAIL_MMIOMT_ADD:
		return 4;
	case FAIL_MMIOMT_SET_FIRST:
		return 5;
	case FAIL_MMIOMT_SET_LAST:
		return 4 + NR_MMIO;
	case FAIL_LOCK_REQUEST:
		return 5 + NR_MMIO;
	case FAIL_LOCK_RESPONSE:
		return 6 + NR_MMIO;
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
		fd->dma_setup_ret = c->err;
	if (c->at == FAIL_LOCK_DOE)
		env->doe_ret = c->err;
	if (c->at == FAIL_LOCK_REFUSED)
		env->tdisp_error = 1;

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
	fd->dma_setup_ret = 0;
	tdi = bind(fd, TEST_TDI_ID);
	KUNIT_ASSERT_FALSE(test, IS_ERR(tdi));
	tdx_host_tdi_unbind(tdi);
	expect_nothing_owned(test, env, fd);
}

/* Releases unbind needs, and what the module keeps when each is refused */
enum unbind_fail {
	REFUSE_STOP,
	REFUSE_DEVIF_REMOVE,
	REFUSE_DEVIFMT_REMOVE,
	REFUSE_MMIOMT_SET,
	REFUSE_MMIOMT_REMOVE,
};

struct unbind_fail_case {
	const char *name;
	enum unbind_fail what;
	unsigned int nth;	/* among the SEAMCALLs of unbind */
	unsigned int nr_owned;
};

/* unbind: STOP (2), MMIO unmap (2 per page), DMA cleanup (4), then releases */
#define UNBIND_RELEASES		(2 + 2 * NR_MMIO + 4)

static const struct unbind_fail_case unbind_fails[] = {
	{ "TDISP STOP", REFUSE_STOP, 1, 4 },
	{ "TDH.DEVIF.REMOVE", REFUSE_DEVIF_REMOVE, UNBIND_RELEASES + 1, 4 },
	{ "TDH.DEVIFMT.REMOVE", REFUSE_DEVIFMT_REMOVE, UNBIND_RELEASES + 2, 4 },
	{ "TDH.MMIOMT.SET", REFUSE_MMIOMT_SET, UNBIND_RELEASES + 3, 1 },
	{ "TDH.MMIOMT.REMOVE", REFUSE_MMIOMT_REMOVE, UNBIND_RELEASES + 3 + NR_MMIO, 1 },
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
	u64 devif_pages[3], mt_page;
	struct tdx_fake_devif *d;
	struct pci_tdi *tdi;
	unsigned int i;

	tdi = bind(fd, TEST_TDI_ID);
	KUNIT_ASSERT_FALSE(test, IS_ERR(tdi));
	guest_runs(test, fd);
	d = tdx_fake_tdi_find(env->ft, func_id(fd));
	KUNIT_ASSERT_NOT_NULL(test, d);
	devif_pages[0] = d->devifcs;
	devif_pages[1] = d->td_buf;
	devif_pages[2] = d->vmm_buf;
	mt_page = d->mt_page;

	env->ft->fail_nth = env->ft->nr_calls + c->nth;
	env->ft->fail_status = TDX_OPERAND_BUSY;
	kunit_warning_suppress(test) {
		tdx_host_tdi_unbind(tdi);
		KUNIT_EXPECT_SUPPRESSED_WARNING_COUNT(test, 1);
	}

	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(env->fake), c->nr_owned);
	KUNIT_EXPECT_EQ(test, env->ft->log[env->ft->nr_log - 1], EVT_MMIO_SHARE);
	/* Participants undid their side whatever the module said. */
	KUNIT_EXPECT_EQ(test, fd->nr_mapped, 0);
	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_nr_dma(env->ft, func_id(fd)), 0);

	switch (c->what) {
	case REFUSE_STOP:
	case REFUSE_DEVIF_REMOVE:
		/* The TDI, its buffers and its metadata stay the module's. */
		for (i = 0; i < ARRAY_SIZE(devif_pages); i++)
			KUNIT_EXPECT_TRUE(test, tdx_fake_owns(env->fake, devif_pages[i]));
		KUNIT_EXPECT_TRUE(test, tdx_fake_owns(env->fake, mt_page));
		KUNIT_EXPECT_EQ(test, tdx_fake_tdi_nr_mmio(env->ft, func_id(fd)), 0);
		break;
	case REFUSE_DEVIFMT_REMOVE:
		KUNIT_EXPECT_TRUE(test, tdx_fake_owns(env->fake, mt_page));
		/*
		 * The TDI's pages came back but go with the metadata page:
		 * released together or not at all.  They are leaked without a
		 * write-back; the fake frees them when the test ends.
		 */
		for (i = 0; i < ARRAY_SIZE(devif_pages); i++)
			KUNIT_EXPECT_TRUE(test, tdx_fake_released(env->fake, devif_pages[i]));
		break;
	case REFUSE_MMIOMT_SET:
		/* The first SET to free was refused; the rest was not tried. */
		KUNIT_EXPECT_EQ(test, tdx_fake_tdi_nr_mmio(env->ft, func_id(fd)), NR_MMIO);
		break;
	case REFUSE_MMIOMT_REMOVE:
		KUNIT_EXPECT_EQ(test, tdx_fake_tdi_nr_mmio(env->ft, func_id(fd)), 0);
		break;
	}

	/* The function is unbound: its ID binds another function. */
	env->ft->fail_nth = 0;
	tdi = bind(other, TEST_TDI_ID);
	KUNIT_ASSERT_FALSE(test, IS_ERR(tdi));
	tdx_host_tdi_unbind(tdi);
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(env->fake), c->nr_owned);
}

/* Bad input: each rejected with its errno before anything happens */
enum bad_input {
	BAD_KVM,
	BAD_HOST,
	BAD_HOST_OPS,
	BAD_HOST_OP,
	BAD_VM_HANDLE,
	BAD_LINK,
	BAD_LINK_DSM,
	BAD_PDEV,
	BAD_NOT_COVERED,
	BAD_SEGMENT,
	BAD_BAR,
	BAD_TDI_ID_BOUND,
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
	{ "no VM handle", BAD_VM_HANDLE, -EINVAL },
	{ "NULL link", BAD_LINK, -ENXIO },
	{ "link without DSM", BAD_LINK_DSM, -ENXIO },
	{ "NULL device", BAD_PDEV, -ENXIO },
	{ "device the IDE stream does not carry", BAD_NOT_COVERED, -ENXIO },
	{ "device in PCI segment 1", BAD_SEGMENT, -ENXIO },
	{ "BAR not page aligned", BAD_BAR, -EINVAL },
	{ "tdi_id bound to another device", BAD_TDI_ID_BOUND, -EBUSY },
};

static void bad_desc(const struct bad_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(bad, bad_cases, bad_desc);

static void bind_rejects_bad_input_without_side_effects(struct kunit *test)
{
	static const struct pci_tdi_host_ops no_cleanup = {
		.dma_setup = fake_dma_setup,
		.mmio_unmap = fake_mmio_unmap,
		.mmio_share = fake_mmio_share,
	};
	const struct bad_case *c = test->param_value;
	struct tdi_env *env = tdi_env(test);
	struct fake_dev *fd = fake_dev(test, env, TEST_BUS, 0xfe000000);
	struct fake_dev *other = fake_dev(test, env, TEST_BUS + 1, 0xfe400000);
	struct tdx_host_link *link = &fd->link;
	const struct pci_tdi_host *host = &fd->host;
	struct pci_tdi_host bad_host = fd->host;
	struct tdx_host_link bad_link = fd->link;
	struct kvm *kvm = test_kvm();
	struct pci_dev *pdev = fd->pdev;
	struct pci_tdi *bound = NULL;
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
	case BAD_VM_HANDLE:
		bad_host.vm_handle = 0;
		host = &bad_host;
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
	case BAD_TDI_ID_BOUND:
		bound = bind(other, TEST_TDI_ID);
		KUNIT_ASSERT_FALSE(test, IS_ERR(bound));
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

	if (bound) {
		tdx_host_tdi_unbind(bound);
		expect_nothing_owned(test, env, other);
	}
}

static void unbind_of_nothing_does_nothing(struct kunit *test)
{
	struct tdi_env *env = tdi_env(test);

	tdx_host_tdi_unbind(NULL);
	KUNIT_EXPECT_EQ(test, env->fake->nr_calls, 0);
	KUNIT_EXPECT_EQ(test, env->ft->nr_log, 0);
}

static ssize_t guest_req(struct pci_tdi *tdi, enum pci_tsm_req_scope scope, const u8 *in,
			 size_t in_len, u8 *out, size_t out_len, u64 *code)
{
	return tdx_host_tdi_guest_req(tdi, scope, KERNEL_SOCKPTR((void *)in), in_len,
				      KERNEL_SOCKPTR(out), out_len, code);
}

static void guest_req_forwards_tdisp_requests(struct kunit *test)
{
	struct tdi_env *env = tdi_env(test);
	struct fake_dev *fd = fake_dev(test, env, TEST_BUS, 0xfe000000);
	u8 state_req[4] = { TDX_TDISP_INTERFACE_STATE_REQ };
	u8 stop_req[1] = { TDX_TDISP_STOP_INTERFACE_REQ };
	unsigned int nr_log;
	struct pci_tdi *tdi;
	u64 code = 0, want;
	u8 *out;

	out = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, out);
	tdi = bind(fd, TEST_TDI_ID);
	KUNIT_ASSERT_FALSE(test, IS_ERR(tdi));

	nr_log = env->ft->nr_log;
	KUNIT_EXPECT_EQ(test, guest_req(tdi, PCI_TSM_REQ_INFO, state_req, sizeof(state_req),
					out, 64, &code), 64 - TDX_FAKE_TDISP_MSG_SIZE);
	KUNIT_EXPECT_EQ(test, env->ft->nr_log - nr_log, 3);
	KUNIT_EXPECT_EQ(test, out[TDX_FAKE_TDISP_MSG_CODE], TDX_TDISP_INTERFACE_STATE_RSP);
	want = FIELD_PREP(TDX_DEVIF_RSP_OUT_CODE, TDX_TDISP_INTERFACE_STATE_RSP) |
	       FIELD_PREP(TDX_DEVIF_RSP_OUT_LEN, TDX_FAKE_TDISP_MSG_SIZE) |
	       FIELD_PREP(TDX_DEVIF_RSP_OUT_TDI_STATE, TDX_TDISP_CONFIG_LOCKED);
	KUNIT_EXPECT_EQ(test, code, want);

	/* A response longer than the buffer is cut to it. */
	memset(out, 0, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, guest_req(tdi, PCI_TSM_REQ_INFO, state_req, 1, out, 4, &code), 0);
	KUNIT_EXPECT_EQ(test, out[TDX_FAKE_TDISP_MSG_CODE], TDX_TDISP_INTERFACE_STATE_RSP);
	KUNIT_EXPECT_EQ(test, out[4], 0);
	want = FIELD_GET(TDX_DEVIF_RSP_OUT_LEN, code);
	KUNIT_EXPECT_EQ(test, want, TDX_FAKE_TDISP_MSG_SIZE);

	KUNIT_EXPECT_EQ(test, guest_req(tdi, PCI_TSM_REQ_STATE_CHANGE, stop_req, 1, out,
					PAGE_SIZE, &code), PAGE_SIZE - TDX_FAKE_TDISP_MSG_SIZE);
	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_find(env->ft, func_id(fd))->tdisp_state,
			TDX_TDISP_CONFIG_UNLOCKED);

	/* A refusal of the module comes back as its status. */
	env->ft->fail_nth = env->ft->nr_calls + 1;
	env->ft->fail_status = TDX_OPERAND_BUSY;
	KUNIT_EXPECT_EQ(test, guest_req(tdi, PCI_TSM_REQ_INFO, state_req, 1, out, 64, &code),
			-EIO);
	KUNIT_EXPECT_EQ(test, code, TDX_OPERAND_BUSY);

	tdx_host_tdi_unbind(tdi);
	expect_nothing_owned(test, env, fd);
}

struct guest_bad {
	const char *name;
	bool no_tdi;
	int scope;
	u8 code;
	u8 trailer;
	size_t in_len;
	size_t out_len;
	int err;
};

static const struct guest_bad guest_bads[] = {
	{ "NULL TDI", true, PCI_TSM_REQ_INFO, TDX_TDISP_INTERFACE_STATE_REQ, 0, 1, 64, -EINVAL },
	{ "DEBUG_READ", false, PCI_TSM_REQ_DEBUG_READ, TDX_TDISP_INTERFACE_STATE_REQ, 0, 1, 64,
	  -EOPNOTSUPP },
	{ "DEBUG_WRITE", false, PCI_TSM_REQ_DEBUG_WRITE, TDX_TDISP_INTERFACE_STATE_REQ, 0, 1,
	  64, -EOPNOTSUPP },
	{ "scope past the enum", false, PCI_TSM_REQ_DEBUG_WRITE + 1,
	  TDX_TDISP_INTERFACE_STATE_REQ, 0, 1, 64, -EINVAL },
	{ "empty request", false, PCI_TSM_REQ_INFO, TDX_TDISP_INTERFACE_STATE_REQ, 0, 0, 64,
	  -EINVAL },
	{ "request past the buffer", false, PCI_TSM_REQ_INFO, TDX_TDISP_INTERFACE_STATE_REQ, 0,
	  PAGE_SIZE + 1, 64, -EINVAL },
	{ "no response buffer", false, PCI_TSM_REQ_INFO, TDX_TDISP_INTERFACE_STATE_REQ, 0, 1, 0,
	  -EINVAL },
	{ "response past the buffer", false, PCI_TSM_REQ_INFO, TDX_TDISP_INTERFACE_STATE_REQ, 0,
	  1, PAGE_SIZE + 1, -EINVAL },
	{ "LOCK as INFO", false, PCI_TSM_REQ_INFO, TDX_TDISP_LOCK_INTERFACE_REQ, 0, 1, 64,
	  -EINVAL },
	{ "GET_STATE as STATE_CHANGE", false, PCI_TSM_REQ_STATE_CHANGE,
	  TDX_TDISP_INTERFACE_STATE_REQ, 0, 1, 64, -EINVAL },
	{ "START by the host", false, PCI_TSM_REQ_STATE_CHANGE, TDX_TDISP_START_INTERFACE_REQ,
	  0, 1, 64, -EINVAL },
	{ "non-zero trailer", false, PCI_TSM_REQ_INFO, TDX_TDISP_INTERFACE_STATE_REQ, 1, 8, 64,
	  -EINVAL },
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
	u8 *in, *out;

	in = kunit_kzalloc(test, PAGE_SIZE + 1, GFP_KERNEL);
	out = kunit_kzalloc(test, PAGE_SIZE + 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, in);
	KUNIT_ASSERT_NOT_NULL(test, out);
	in[0] = c->code;
	in[c->in_len > 1 ? c->in_len - 1 : 1] = c->trailer;

	tdi = bind(fd, TEST_TDI_ID);
	KUNIT_ASSERT_FALSE(test, IS_ERR(tdi));
	nr_log = env->ft->nr_log;
	nr_calls = env->fake->nr_calls;

	KUNIT_EXPECT_EQ(test, guest_req(c->no_tdi ? NULL : tdi, c->scope, in, c->in_len, out,
					c->out_len, &code), c->err);
	KUNIT_EXPECT_EQ(test, env->ft->nr_log, nr_log);
	KUNIT_EXPECT_EQ(test, env->fake->nr_calls, nr_calls);
	KUNIT_EXPECT_EQ(test, code, 0x5a5a);
	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_find(env->ft, func_id(fd))->tdisp_state,
			TDX_TDISP_CONFIG_LOCKED);

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
	KUNIT_EXPECT_EQ(test, env->ft->nr_calls, 2 * BIND_ROUNDS * (13 + 2 * NR_MMIO));
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(env->fake), 0);
}

static struct kunit_case tdx_host_tdi_test_cases[] = {
	KUNIT_CASE(bind_and_unbind_run_every_step_in_module_order),
	KUNIT_CASE_PARAM(bind_failure_unwinds_in_exact_reverse, bind_fail_gen_params),
	KUNIT_CASE_PARAM(unbind_leaks_what_the_module_keeps_and_warns_once,
			 unbind_fail_gen_params),
	KUNIT_CASE_PARAM(bind_rejects_bad_input_without_side_effects, bad_gen_params),
	KUNIT_CASE(unbind_of_nothing_does_nothing),
	KUNIT_CASE(guest_req_forwards_tdisp_requests),
	KUNIT_CASE_PARAM(guest_req_rejects_bad_requests_without_side_effects,
			 guest_bad_gen_params),
	KUNIT_CASE(concurrent_binds_of_different_tdis),
	{}
};

static struct kunit_suite tdx_host_tdi_test_suite = {
	.name = "tdx_host_tdi",
	.test_cases = tdx_host_tdi_test_cases,
};

kunit_test_suite(tdx_host_tdi_test_suite);

MODULE_DESCRIPTION("KUnit tests for the TDI bind/unbind engine of tdx-host");
MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");
MODULE_LICENSE("GPL");
