// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the TDI bind/unbind engine of tdx-host: the order of
 * every step across the fake TDX module and the host participants, the
 * unwinding of every bind failure, the leaks of every refused release of
 * unbind, bad input, and binds racing each other (tests/tdx_host_test_tdi.h).
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
#include <asm/tdx_release.h>
#include <asm/tdx_tdi.h>

#include "../../../../arch/x86/virt/vmx/tdx/tdx.h"
#include "tests/tdx_host_test_tdi.h"
#include "tdx_host_link.h"
#include "tdx_host_relay.h"
#include "tdx_host_tables.h"
#include "tdx_host_tdi.h"

static void bind_and_unbind_run_every_step_in_module_order(struct kunit *test)
{
	struct tdi_env *env = tdi_test_env(test);
	struct fake_dev *fd = tdi_test_fake_dev(test, env, TEST_BUS, 0xfe000000);
	struct tdx_fake_devif *d;
	struct seq *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	unsigned int bind_calls, from;
	struct pci_tdi *tdi;
	u64 want;

	KUNIT_ASSERT_NOT_NULL(test, s);
	tdi = tdi_test_bind(fd, TEST_TDI_ID);
	KUNIT_ASSERT_FALSE(test, IS_ERR(tdi));
	KUNIT_EXPECT_PTR_EQ(test, tdi->pdev, fd->pdev);
	KUNIT_EXPECT_EQ(test, tdi->tdi_id, TEST_TDI_ID);
	KUNIT_EXPECT_PTR_EQ(test, tdi->host, &fd->host.host);

	tdi_test_push_bind(s);
	tdi_test_expect_log(test, env->ft, 0, s);
	d = tdx_fake_tdi_find(env->ft, tdi_test_func_id(fd));
	KUNIT_ASSERT_NOT_NULL(test, d);
	KUNIT_EXPECT_TRUE(test, d->created);
	KUNIT_EXPECT_EQ(test, d->vm_handle, TEST_VM);
	want = FIELD_PREP(TDX_DEVIF_ID_FUNC_ID, tdi_test_func_id(fd)) |
	       FIELD_PREP(TDX_DEVIF_ID_IOMMU_ID, TEST_IOMMU) |
	       FIELD_PREP(TDX_DEVIF_ID_STREAM_ID, TEST_STREAM);
	KUNIT_EXPECT_EQ(test, d->devif_id, want);
	KUNIT_EXPECT_EQ(test, d->tdisp_state, TDX_TDISP_CONFIG_LOCKED);
	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_nr_mmio(env->ft, tdi_test_func_id(fd)), NR_MMIO);
	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_nr_dma(env->ft, tdi_test_func_id(fd)), NR_DMAR);
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

	tdi_test_guest_runs(test, fd);
	tdx_fake_tdi_set_state(env->ft, tdi_test_func_id(fd), TDX_TDISP_RUN);
	s->n = 0;
	tdi_test_push_unbind(s);
	from = env->ft->nr_log;
	tdx_host_tdi_unbind(tdi);
	tdi_test_expect_log(test, env->ft, from, s);

	tdi_test_expect_nothing_owned(test, env, fd);
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

	tdi_test_push(s, EVT_DMA_SETUP, 1);
	if (at == FAIL_DMA_SETUP)
		return;
	if (at == FAIL_DEVIFMT_ROOT || at == FAIL_DEVIFMT_LEAF) {
		n = at == FAIL_DEVIFMT_ROOT ? 1 : NR_DEVIFMT;
		tdi_test_push(s, TDH_DEVIFMT_ADD, n);
		tdi_test_push(s, TDH_DEVIFMT_REMOVE, added_before(n));
		goto dma;
	}
	tdi_test_push(s, TDH_DEVIFMT_ADD, NR_DEVIFMT);
	tdi_test_push(s, TDH_DEVIF_CREATE, 1);
	if (at == FAIL_DEVIF_CREATE)
		goto metadata;
	if (at == FAIL_DMAR_RTE || at == FAIL_DMAR_CTE || at == FAIL_DMAR_PASIDTE) {
		n = at == FAIL_DMAR_RTE ? 1 : at == FAIL_DMAR_CTE ? 2 : NR_DMAR;
		tdi_test_push(s, TDH_DMAR_ADD, n);
		tdi_test_push_dmar_unmap(s, added_before(n));
		goto devif;
	}
	tdi_test_push(s, TDH_DMAR_ADD, NR_DMAR);
	if (at == FAIL_MMIOMT_ROOT || at == FAIL_MMIOMT_LEAF) {
		n = at == FAIL_MMIOMT_ROOT ? 1 : NR_MMIOMT;
		tdi_test_push(s, TDH_MMIOMT_ADD, n);
		tdi_test_push(s, TDH_MMIOMT_REMOVE, added_before(n));
		goto dmar;
	}
	tdi_test_push(s, TDH_MMIOMT_ADD, NR_MMIOMT);
	if (at == FAIL_MMIOMT_SET_FIRST || at == FAIL_MMIOMT_SET_LAST) {
		n = at == FAIL_MMIOMT_SET_FIRST ? 1 : NR_MMIO;
		tdi_test_push(s, TDH_MMIOMT_SET, n);
		tdi_test_push(s, TDH_MMIOMT_SET, added_before(n));
		goto mmiomt;
	}
	tdi_test_push(s, TDH_MMIOMT_SET, NR_MMIO);
	tdi_test_push(s, TDH_DEVIF_REQUEST, 1);
	if (at == FAIL_LOCK_DOE) {
		/* Two attempts; the request stays outstanding. */
		tdi_test_push(s, EVT_DOE, 2);
	} else if (at != FAIL_LOCK_REQUEST) {
		tdi_test_push(s, EVT_DOE, 1);
		tdi_test_push(s, TDH_DEVIF_RESPONSE, 1);
	}
	tdi_test_push(s, TDH_MMIOMT_SET, NR_MMIO);
mmiomt:
	tdi_test_push(s, TDH_MMIOMT_REMOVE, NR_MMIOMT);
dmar:
	tdi_test_push_dmar_unmap(s, NR_DMAR);
devif:
	tdi_test_push(s, TDH_DEVIF_REMOVE, 1);
metadata:
	tdi_test_push(s, TDH_DEVIFMT_REMOVE, NR_DEVIFMT);
dma:
	tdi_test_push(s, EVT_DMA_CLEANUP, 1);
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
	struct tdi_env *env = tdi_test_env(test);
	struct fake_dev *fd = tdi_test_fake_dev(test, env, TEST_BUS, 0xfe000000);
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

	tdi = tdi_test_bind(fd, TEST_TDI_ID);
	KUNIT_ASSERT_TRUE(test, IS_ERR(tdi));
	KUNIT_EXPECT_EQ(test, PTR_ERR(tdi), c->err);

	push_failed_bind(s, c->at);
	tdi_test_expect_log(test, env->ft, 0, s);
	tdi_test_expect_nothing_owned(test, env, fd);

	/* The ID is free again. */
	env->ft->fail_nth = 0;
	env->doe_ret = 0;
	env->tdisp_error = 0;
	env->tdisp_code = 0;
	fd->host.dma_setup_ret = 0;
	tdi = tdi_test_bind(fd, TEST_TDI_ID);
	KUNIT_ASSERT_FALSE(test, IS_ERR(tdi));
	tdx_host_tdi_unbind(tdi);
	tdi_test_expect_nothing_owned(test, env, fd);
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
	struct tdi_env *env = tdi_test_env(test);
	struct fake_dev *fd = tdi_test_fake_dev(test, env, TEST_BUS, 0xfe000000);
	struct fake_dev *other = tdi_test_fake_dev(test, env, TEST_BUS + 1, 0xfe400000);
	struct pci_tdi *tdi;

	tdi = tdi_test_bind(fd, TEST_TDI_ID);
	KUNIT_ASSERT_FALSE(test, IS_ERR(tdi));
	tdi_test_guest_runs(test, fd);

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
		KUNIT_EXPECT_NOT_NULL(test, tdx_fake_tdi_find(env->ft, tdi_test_func_id(fd)));
		break;
	case REFUSE_MMIOMT_SET:
		/* The first SET to free was refused; the rest was not tried. */
		KUNIT_EXPECT_EQ(test, tdx_fake_tdi_nr_mmio(env->ft, tdi_test_func_id(fd)), NR_MMIO);
		KUNIT_EXPECT_NULL(test, tdx_fake_tdi_find(env->ft, tdi_test_func_id(fd)));
		break;
	default:
		KUNIT_EXPECT_NULL(test, tdx_fake_tdi_find(env->ft, tdi_test_func_id(fd)));
		KUNIT_EXPECT_EQ(test, tdx_fake_tdi_nr_mmio(env->ft, tdi_test_func_id(fd)), 0);
		break;
	}

	/*
	 * The function is unbound: its ID binds another function, which
	 * reuses what the module kept of the shared levels.
	 */
	env->ft->fail_nth = 0;
	tdi = tdi_test_bind(other, TEST_TDI_ID);
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
	struct tdi_env *env = tdi_test_env(test);
	struct fake_dev *fd = tdi_test_fake_dev(test, env, TEST_BUS, 0xfe000000);
	struct fake_dev *other = tdi_test_fake_dev(test, env, TEST_BUS + 1, 0xfe400000);
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
		kvm = tdi_test_not_a_td();
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
	struct tdi_env *env = tdi_test_env(test);

	tdx_host_tdi_unbind(NULL);
	KUNIT_EXPECT_EQ(test, env->fake->nr_calls, 0);
	KUNIT_EXPECT_EQ(test, env->ft->nr_log, 0);
}

/* A module that names another TD as the owner of the TDI it gave back */
static void devif_remove_naming_another_td_is_not_trusted(struct kunit *test)
{
	struct tdi_env *env = tdi_test_env(test);
	struct fake_dev *fd = tdi_test_fake_dev(test, env, TEST_BUS, 0xfe000000);
	struct pci_tdi *tdi;

	tdi = tdi_test_bind(fd, TEST_TDI_ID);
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

/* tdi_id is the TD's name: two TDs may use one; one function binds once */
static void tdi_id_is_per_td_and_a_function_binds_once(struct kunit *test)
{
	struct tdi_env *env = tdi_test_env(test);
	struct fake_dev *fd = tdi_test_fake_dev(test, env, TEST_BUS, 0xfe000000);
	struct fake_dev *other = tdi_test_fake_dev(test, env, TEST_BUS + 1, 0xfe400000);
	struct pci_tdi *a, *b, *again;
	unsigned long nr_owned;

	a = tdi_test_bind(fd, TEST_TDI_ID);
	KUNIT_ASSERT_FALSE(test, IS_ERR(a));
	b = tdx_host_tdi_bind(&other->link, other->pdev, tdx_host_test_second_td(), TEST_TDI_ID,
			      &other->host.host);
	KUNIT_ASSERT_FALSE(test, IS_ERR(b));
	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_find(env->ft, tdi_test_func_id(other))->vm_handle,
			TEST_VM + PAGE_SIZE);

	/* The module has a TDI for the function: -EBUSY, the first one intact */
	nr_owned = tdx_fake_nr_owned(env->fake);
	again = tdi_test_bind(fd, TEST_TDI_ID + 1);
	KUNIT_EXPECT_EQ(test, PTR_ERR(again), -EBUSY);
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(env->fake), nr_owned);
	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_find(env->ft, tdi_test_func_id(fd))->tdisp_state,
			TDX_TDISP_CONFIG_LOCKED);
	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_nr_mmio(env->ft, tdi_test_func_id(fd)), NR_MMIO);

	tdx_host_tdi_unbind(a);
	tdx_host_tdi_unbind(b);
	tdi_test_expect_nothing_owned(test, env, fd);
	tdi_test_expect_nothing_owned(test, env, other);
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
	struct tdi_env *env = tdi_test_env(test);
	struct fake_dev *fd = tdi_test_fake_dev(test, env, TEST_BUS, 0xfe000000);
	unsigned int i, calls;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct pci_tdi *tdi;

		fd->pdev->devfn = cases[i].devfn;
		fd->link.rid_base = PCI_DEVID(TEST_BUS, cases[i].base_devfn);
		fd->link.rid_limit = PCI_DEVID(TEST_BUS, cases[i].limit_devfn);
		calls = env->fake->nr_calls;
		tdi = tdi_test_bind(fd, TEST_TDI_ID);
		if (cases[i].err) {
			KUNIT_EXPECT_EQ_MSG(test, PTR_ERR(tdi), cases[i].err, "case %u", i);
			KUNIT_EXPECT_EQ(test, env->fake->nr_calls, calls);
			continue;
		}
		KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(tdi), "case %u: %ld", i, PTR_ERR(tdi));
		KUNIT_EXPECT_NOT_NULL(test, tdx_fake_tdi_find(env->ft, tdi_test_func_id(fd)));
		tdx_host_tdi_unbind(tdi);
		tdi_test_expect_nothing_owned(test, env, fd);
	}
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
		struct pci_tdi *tdi = tdi_test_bind(b->fd, b->tdi_id);

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
	struct tdi_env *env = tdi_test_env(test);
	struct binder b[2] = {
		{ .test = test, .fd = tdi_test_fake_dev(test, env, TEST_BUS, 0xfe000000),
		  .tdi_id = TEST_TDI_ID },
		{ .test = test, .fd = tdi_test_fake_dev(test, env, TEST_BUS + 1, 0xfe400000),
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
		tdi_test_expect_nothing_owned(test, env, b[i].fd);
	}
	/*
	 * Each round takes at least the TDI's own leaves; the shared levels
	 * go and come back depending on how the two interleave.
	 */
	KUNIT_EXPECT_GE(test, env->ft->nr_calls, 2 * BIND_ROUNDS *
			(1 + 3 + 4 + 2 * NR_MMIO + 1 + 3 * DMAR_UNMAP_CALLS + 2 * 2));
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(env->fake), 0);
	tdi_test_expect_tables_empty(test, env);
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
	struct tdi_env *env = tdi_test_env(test);
	struct fake_dev *fd = tdi_test_fake_dev(test, env, TEST_BUS, 0xfe000000);
	struct pci_tdi *tdi;

	tdi = tdi_test_bind(fd, TEST_TDI_ID);
	KUNIT_ASSERT_FALSE(test, IS_ERR(tdi));
	tdi_test_guest_runs(test, fd);

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
	KUNIT_EXPECT_NOT_NULL(test, tdx_fake_tdi_find(env->ft, tdi_test_func_id(fd)));

	/* The IOMMU answers after all. */
	env->ft->iq_stall = false;
	msleep(20);

	kunit_warning_suppress(test) {
		KUNIT_EXPECT_EQ(test, tdx_host_tables_fini(&env->tables), -EBUSY);
	}
	tdx_host_tables_init(&env->tables);
}

static struct kunit_case tdx_host_tdi_test_cases[] = {
	KUNIT_CASE(bind_and_unbind_run_every_step_in_module_order),
	KUNIT_CASE_PARAM(bind_failure_unwinds_in_exact_reverse, bind_fail_gen_params),
	KUNIT_CASE_PARAM(unbind_leaks_what_the_module_keeps_and_warns_once,
			 unbind_fail_gen_params),
	KUNIT_CASE_PARAM(bind_rejects_bad_input_without_side_effects, bad_gen_params),
	KUNIT_CASE(unbind_of_nothing_does_nothing),
	KUNIT_CASE(devif_remove_naming_another_td_is_not_trusted),
	KUNIT_CASE(tdi_id_is_per_td_and_a_function_binds_once),
	KUNIT_CASE(rids_at_both_ends_of_the_stream),
	KUNIT_CASE(concurrent_binds_of_different_tdis),
	KUNIT_CASE(unbind_keeps_what_an_unanswered_invalidation_holds),
	{}
};

static struct kunit_suite tdx_host_tdi_test_suite = {
	.name = "tdx_host_tdi",
	.test_cases = tdx_host_tdi_test_cases,
};

kunit_test_suite(tdx_host_tdi_test_suite);

MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");
