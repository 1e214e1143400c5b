// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the failures of a connect of tdx-host behind the real
 * PCI/TSM core, in the environment of tests/tdx_host_test_link.c: each
 * SEAMCALL, DOE exchange, device message and allocation of connect
 * failed in turn, and each precondition refused, must leave nothing of
 * the connect behind; the core refuses a second connect and another
 * TSM's disconnect; a DELETE the TDX module refuses at disconnect leaks
 * its pages with a warning.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

#include <linux/atomic.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/pci.h>
#include <linux/pci-doe.h>
#include <linux/pci-ide.h>
#include <linux/pci-tsm.h>
#include <linux/slab.h>

#include <kunit/static_stub.h>
#include <kunit/test.h>

#include <asm/shared/tdx_errno.h>
#include <asm/tdx.h>
#include "tests/tdx_fake_module.h"
#include "tests/tdx_fake_spdm.h"
#include <asm/tdx_handoff.h>
#include <asm/tdx_page_list.h>

#include "../../../../arch/x86/virt/vmx/tdx/tdx.h"
#include "tests/tdx_host_fake_pcie.h"
#include "tests/tdx_host_test_bind.h"
#include "tests/tdx_host_test_link.h"
#include "tdx_host_link.h"
#include "tdx_page_list_kunit.h"
#include "tdx_handoff_kunit.h"

/* Connect again after a failed one: nothing of it was left behind. */
static void expect_connect_works(struct kunit *test, struct tdx_host_test_link *e)
{
	KUNIT_EXPECT_EQ(test, tdx_host_test_link_connect(e), 0);
	KUNIT_EXPECT_EQ(test, tdx_host_test_link_disconnect(e), 0);
	tdx_host_test_link_expect_disconnected(test, e);
}

/*
 * Each Extension SEAMCALL of connect refused in turn, with a status that
 * tells the module took nothing: connect fails with -EIO, and what it did
 * before is undone in exact reverse (the fake refuses anything else).
 */
static void connect_undoes_everything_when_a_seamcall_fails(struct kunit *test)
{
	struct tdx_host_test_link *e = test->priv;
	unsigned int n, nr;
	u32 *want;

	want = kunit_kcalloc(test, TDX_HOST_TEST_LINK_MAX_LOG, sizeof(*want), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, want);
	tdx_host_test_link_start(test, 1);
	nr = tdx_host_test_link_connect_log(want, false);
	nr -= tdx_host_test_link_nr_doe(want, nr);

	for (n = 1; n <= nr; n++) {
		e->fs->fail_nth = e->fs->nr_calls + n;
		e->fs->fail_status = TDX_OPERAND_INVALID;
		KUNIT_EXPECT_EQ_MSG(test, tdx_host_test_link_connect(e),
				    -EIO, "SEAMCALL %u", n);
		e->fs->fail_nth = 0;
		tdx_host_test_link_expect_disconnected(test, e);
	}
	expect_connect_works(test, e);
	tdx_host_test_link_remove_host(test);
	tdx_host_test_link_expect_released(test, e);
}

/* ... and each DOE exchange failed in turn: the DOE error, and the same */
static void connect_undoes_everything_when_a_doe_exchange_fails(struct kunit *test)
{
	struct tdx_host_test_link *e = test->priv;
	unsigned int n, nr;
	u32 *want;

	want = kunit_kcalloc(test, TDX_HOST_TEST_LINK_MAX_LOG, sizeof(*want), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, want);
	tdx_host_test_link_start(test, 1);
	nr = tdx_host_test_link_connect_log(want, false);
	nr = tdx_host_test_link_nr_doe(want, nr);

	for (n = 1; n <= nr; n++) {
		fake_pcie_doe_fault(e->fp, FAKE_DOE_ERROR, n, 1);
		KUNIT_EXPECT_EQ_MSG(test, tdx_host_test_link_connect(e),
				    -EIO, "exchange %u", n);
		fake_pcie_doe_fault(e->fp, FAKE_DOE_OK, 0, 0);
		tdx_host_test_link_expect_disconnected(test, e);
	}
	expect_connect_works(test, e);
	tdx_host_test_link_remove_host(test);
	tdx_host_test_link_expect_released(test, e);
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
	struct tdx_host_test_link *e = test->priv;

	tdx_host_test_link_start(test, 1);
	fake_pcie_doe_fault(e->fp, f->fault, f->nth, 1);
	KUNIT_EXPECT_EQ(test, tdx_host_test_link_connect(e), f->err);
	fake_pcie_doe_fault(e->fp, FAKE_DOE_OK, 0, 0);
	tdx_host_test_link_expect_disconnected(test, e);
	expect_connect_works(test, e);
	tdx_host_test_link_remove_host(test);
	tdx_host_test_link_expect_released(test, e);
}

/* The device answers the n-th message with an SPDM ERROR: the module fails */
static void device_error_response_fails_connect(struct kunit *test)
{
	struct tdx_host_test_link *e = test->priv;
	unsigned int n, first;

	tdx_host_test_link_start(test, 1);
	first = e->fs->nr_dev_msgs;
	for (n = 1; n <= 11; n++) {
		e->fs->error_nth = e->fs->nr_dev_msgs + n;
		KUNIT_EXPECT_EQ_MSG(test, tdx_host_test_link_connect(e),
				    -EIO, "message %u", n);
		e->fs->error_nth = 0;
		tdx_host_test_link_expect_disconnected(test, e);
	}
	KUNIT_EXPECT_GT(test, e->fs->nr_dev_msgs, first);
	expect_connect_works(test, e);
	tdx_host_test_link_remove_host(test);
	tdx_host_test_link_expect_released(test, e);
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
	struct tdx_host_test_link *e = test->priv;
	unsigned int n, calls;
	int ret = -ENOMEM;

	tdx_host_test_link_start(test, 1);
	kunit_activate_static_stub(test, tdx_host_link_page, fail_link_page);
	kunit_activate_static_stub(test, tdx_handoff_alloc_root, fail_alloc_root);
	kunit_activate_static_stub(test, tdx_page_list_alloc_meta, fail_alloc_meta);
	kunit_activate_static_stub(test, tdx_page_list_alloc_bulk_pages, fail_bulk_pages);

	for (n = 1; ret == -ENOMEM; n++) {
		calls = e->fs->nr_calls;
		atomic_set(&nr_allocs, 0);
		atomic_set(&alloc_to_fail, n);
		ret = tdx_host_test_link_connect(e);
		if (ret == -ENOMEM) {
			KUNIT_EXPECT_EQ(test, e->fs->nr_calls, calls);
			tdx_host_test_link_expect_disconnected(test, e);
		}
		KUNIT_ASSERT_LT(test, n, 64);
	}
	atomic_set(&alloc_to_fail, 0);
	KUNIT_EXPECT_EQ(test, ret, 0);
	/* Each of them failed once, and the connect that failed none succeeded */
	KUNIT_EXPECT_EQ(test, atomic_read(&nr_allocs), n - 2);
	kunit_info(test, "%u allocations, all before the first SEAMCALL\n", n - 2);
	KUNIT_EXPECT_EQ(test, tdx_host_test_link_disconnect(e), 0);
	tdx_host_test_link_expect_disconnected(test, e);
	tdx_host_test_link_remove_host(test);
	tdx_host_test_link_expect_released(test, e);
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
	struct tdx_host_test_link *e = test->priv;
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
	tdx_host_test_link_start_with(test, p);
	if (c->what == NO_IOMMU)
		tdx_host_test_link_set_reg_base(TDX_HOST_TEST_LINK_VTBAR + 0x1000);
	if (c->what == NO_STREAMS)
		pci_ide_set_nr_streams(pci_find_host_bridge(e->fp->pdev->bus), 0);

	calls = e->fs->nr_calls;
	KUNIT_EXPECT_EQ(test, tdx_host_test_link_connect(e), c->err);
	KUNIT_EXPECT_NULL(test, e->fp->pdev->tsm);
	if (c->spdm)
		KUNIT_EXPECT_EQ(test, tdx_fake_calls(e->fake, TDH_SPDM_DELETE), 1);
	else
		KUNIT_EXPECT_EQ(test, e->fs->nr_calls, calls);
	KUNIT_EXPECT_EQ(test, tdx_fake_spdm_nr_sessions(e->fs), 0);
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(e->fake), e->owned_idle);
	KUNIT_EXPECT_EQ(test, pci_tsm_bind(e->fp->pdev, tdx_host_test_kvm(),
					   TDX_HOST_TEST_LINK_TDI_ID, &e->host.host), -EINVAL);

	if (c->what == NO_STREAMS)
		pci_ide_set_nr_streams(pci_find_host_bridge(e->fp->pdev->bus), 256);
	tdx_host_test_link_remove_host(test);
	tdx_host_test_link_expect_released(test, e);
}

/* The core's refusals: a connected device, and another TSM's disconnect */
static void connect_twice_and_disconnect_of_another_tsm_are_refused(struct kunit *test)
{
	struct tdx_host_test_link *e = test->priv;
	unsigned int calls;

	tdx_host_test_link_start(test, 1);
	KUNIT_ASSERT_EQ(test, tdx_host_test_link_connect(e), 0);
	calls = e->fs->nr_calls;
	KUNIT_EXPECT_EQ(test, tdx_host_test_link_connect(e), -EBUSY);
	KUNIT_EXPECT_EQ(test, tdx_host_test_link_write(e, e->fp->pdev, "disconnect", "tsm999"),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, e->fs->nr_calls, calls);
	KUNIT_EXPECT_EQ(test, tdx_fake_spdm_nr_sessions(e->fs), 1);
	KUNIT_EXPECT_EQ(test, tdx_host_test_link_disconnect(e), 0);
	tdx_host_test_link_expect_disconnected(test, e);
	tdx_host_test_link_remove_host(test);
	tdx_host_test_link_expect_released(test, e);
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
	struct tdx_host_test_link *e = test->priv;
	u32 *want;
	unsigned int nr, i, n = 0;

	want = kunit_kcalloc(test, TDX_HOST_TEST_LINK_MAX_LOG, sizeof(*want), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, want);
	tdx_host_test_link_start(test, 1);
	KUNIT_ASSERT_EQ(test, tdx_host_test_link_connect(e), 0);

	/* The n-th SEAMCALL of disconnect is the DELETE */
	nr = tdx_host_test_link_disconnect_log(want);
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
		KUNIT_EXPECT_EQ(test, tdx_host_test_link_disconnect(e), 0);
		KUNIT_EXPECT_SUPPRESSED_WARNING_COUNT(test, r->nr_warnings);
	}
	KUNIT_EXPECT_NULL(test, e->fp->pdev->tsm);
	/* The module still has what it did not give back, and nothing was freed */
	KUNIT_EXPECT_EQ(test, tdx_fake_spdm_nr_sessions(e->fs), 1);
	KUNIT_EXPECT_GT(test, tdx_fake_nr_owned(e->fake), e->owned_idle);
	tdx_host_test_link_remove_host(test);
}

static struct kunit_case tdx_host_link_fail_test_cases[] = {
	KUNIT_CASE(connect_undoes_everything_when_a_seamcall_fails),
	KUNIT_CASE(connect_undoes_everything_when_a_doe_exchange_fails),
	KUNIT_CASE_PARAM_ATTR(doe_failure_gives_its_errno_and_undoes_connect,
			      doe_failure_gen_params, { .speed = KUNIT_SPEED_SLOW }),
	KUNIT_CASE(device_error_response_fails_connect),
	KUNIT_CASE(connect_allocates_everything_before_its_first_seamcall),
	KUNIT_CASE_PARAM(bad_connect_is_refused_with_nothing_left, bad_connect_gen_params),
	KUNIT_CASE(connect_twice_and_disconnect_of_another_tsm_are_refused),
	KUNIT_CASE_PARAM(refused_delete_leaks_with_a_warning, refused_delete_gen_params),
	{}
};

static struct kunit_suite tdx_host_link_fail_test_suite = {
	.name = "tdx_host_link_fail",
	.init = tdx_host_test_link_init,
	.test_cases = tdx_host_link_fail_test_cases,
};

kunit_test_suite(tdx_host_link_fail_test_suite);

MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");
MODULE_IMPORT_NS("PCI_IDE");
