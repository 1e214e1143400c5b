// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for TDI bind and unbind of tdx-host behind the real
 * PCI/TSM core, in the environment of tests/tdx_host_test_link.c: one
 * TDI through connect, bind, a guest request, unbind, bind again and a
 * disconnect that unbinds it; function 1's tsm/ files, which connect
 * shows and disconnect hides; and bind and unbind through
 * pci_tsm_bind() and pci_tsm_unbind() raced against connect and
 * disconnect through the tsm/ files, reads of function 1's files and
 * the removal of tdx-host or of the device.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

#include <linux/atomic.h>
#include <linux/bitfield.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/pci.h>
#include <linux/pci-tsm.h>
#include <linux/sched.h>
#include <linux/sockptr.h>
#include <linux/string.h>
#include <linux/unaligned.h>

#include <kunit/test.h>

#include <asm/shared/tdx_errno.h>
#include <asm/tdx.h>
#include "tests/tdx_fake_module.h"
#include "tests/tdx_fake_tdi.h"
#include <asm/tdx_tdi.h>

#include "../../../../arch/x86/virt/vmx/tdx/tdx.h"
#include "tests/tdx_host_fake_pcie.h"
#include "tests/tdx_host_test_bind.h"
#include "tests/tdx_host_test_link.h"

/*
 * The whole path of one TDI: connect through sysfs, bind, a guest
 * request and unbind through the core, bind again, and a disconnect
 * that finds the TDI bound and has the core unbind it first.
 */
static void bind_and_disconnect_through_the_core(struct kunit *test)
{
	struct tdx_host_test_link *e = test->priv;
	struct pci_dev *pdev;
	u64 code = ~0ULL, word;
	u8 rsp[8] = {}, td_code = 0;
	char buf[32];

	tdx_host_test_link_start(test, 1);
	pdev = e->fp->pdev;

	KUNIT_ASSERT_EQ(test, tdx_host_test_link_connect(e), 0);
	KUNIT_ASSERT_NOT_NULL(test, pdev->tsm);

	KUNIT_ASSERT_EQ(test, pci_tsm_bind(pdev, tdx_host_test_kvm(), TDX_HOST_TEST_LINK_TDI_ID,
					   &e->host.host), 0);
	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_find(e->ft, pci_dev_id(pdev))->tdisp_state,
			TDX_TDISP_CONFIG_LOCKED);
	KUNIT_EXPECT_GT(test, tdx_host_test_link_tsm_read(e, pdev, "bound", buf, sizeof(buf)), 0);
	KUNIT_EXPECT_STREQ(test, strim(buf), tdx_host_test_link_tsm(e));

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
	KUNIT_EXPECT_EQ(test, tdx_host_test_link_calls(e, TDX_HOST_TEST_MMIO_SHARE), 1);

	KUNIT_ASSERT_EQ(test, pci_tsm_bind(pdev, tdx_host_test_kvm(), TDX_HOST_TEST_LINK_TDI_ID,
					   &e->host.host), 0);
	KUNIT_ASSERT_EQ(test, tdx_host_test_link_disconnect(e), 0);
	KUNIT_EXPECT_NULL(test, pdev->tsm);
	tdx_host_test_link_expect_disconnected(test, e);
	KUNIT_EXPECT_EQ(test, tdx_host_test_link_calls(e, TDX_HOST_TEST_MMIO_SHARE), 2);
	KUNIT_EXPECT_EQ(test, tdx_host_test_link_calls(e, TDX_HOST_TEST_DMA_CLEANUP), 2);

	tdx_host_test_link_remove_host(test);
	tdx_host_test_link_expect_released(test, e);
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
	struct tdx_host_test_link *e = test->priv;
	struct pci_dev *fn1;
	char buf[32];

	tdx_host_test_link_start(test, 2);
	fn1 = e->fp->fn1;
	KUNIT_EXPECT_EQ(test, tdx_host_test_link_tsm_read(e, fn1, "dsm", buf, sizeof(buf)),
			-ENOENT);
	KUNIT_EXPECT_EQ(test, tdx_host_test_link_read(e, fn1, "authenticated", buf, sizeof(buf)),
			-ENOENT);

	KUNIT_ASSERT_EQ(test, tdx_host_test_link_connect(e), 0);
	KUNIT_ASSERT_NOT_NULL(test, fn1->tsm);
	KUNIT_EXPECT_PTR_EQ(test, fn1->tsm->dsm_dev, e->fp->pdev);
	KUNIT_EXPECT_GT(test, tdx_host_test_link_tsm_read(e, fn1, "dsm", buf, sizeof(buf)), 0);
	KUNIT_EXPECT_STREQ(test, strim(buf), pci_name(e->fp->pdev));
	KUNIT_EXPECT_EQ(test, tdx_host_test_link_tsm_read(e, fn1, "bound", buf, sizeof(buf)), 1);
	KUNIT_EXPECT_GT(test, tdx_host_test_link_read(e, fn1, "authenticated", buf, sizeof(buf)),
			0);
	KUNIT_EXPECT_STREQ(test, strim(buf), tdx_host_test_link_tsm(e));

	KUNIT_ASSERT_EQ(test, tdx_host_test_link_disconnect(e), 0);
	KUNIT_EXPECT_NULL(test, fn1->tsm);
	KUNIT_EXPECT_EQ(test, tdx_host_test_link_tsm_read(e, fn1, "bound", buf, sizeof(buf)),
			-ENOENT);
	KUNIT_EXPECT_EQ(test, tdx_host_test_link_read(e, fn1, "authenticated", buf, sizeof(buf)),
			-ENOENT);

	tdx_host_test_link_remove_host(test);
	tdx_host_test_link_expect_released(test, e);
}

/* ---- Races ---- */

enum race_removal {
	REMOVE_TSM,	/* tdx-host goes: the core disconnects every DSM */
	REMOVE_DEVICE,	/* the device is hot-removed while bound */
};

struct racer {
	struct tdx_host_test_link *e;
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
	int ret = pci_tsm_bind(r->pdev, tdx_host_test_kvm(), TDX_HOST_TEST_LINK_TDI_ID,
			       &r->e->host.host);

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
	int ret = tdx_host_test_link_write(r->e, r->pdev, "connect", tdx_host_test_link_tsm(r->e));

	if (!ret)
		atomic_inc(&r->ok);
	else if (!removal_explains(r, ret))
		return racer_fail(r, "connect", ret);

	ret = tdx_host_test_link_write(r->e, r->pdev, "disconnect", tdx_host_test_link_tsm(r->e));
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
		{ "authenticated", tdx_host_test_link_tsm(r->e) },
		{ "tsm/bound", "" },
		{ "tsm/dsm", pci_name(r->e->fp->pdev) },
	};
	unsigned int i;
	char buf[32];
	ssize_t ret;

	for (i = 0; i < ARRAY_SIZE(reads); i++) {
		ret = tdx_host_test_link_read(r->e, r->pdev, reads[i].attr, buf, sizeof(buf));
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
	struct tdx_host_test_link *e = test->priv;
	struct racer binder = { .step = bind_round }, connector = { .step = connect_round };
	struct racer reader = { .step = read_round };
	struct racer *racers[] = { &binder, &connector, &reader };
	unsigned int i, nr_racers = param->nr_fns > 1 ? 3 : 2;
	unsigned long t0 = jiffies;
	struct task_struct *t;
	int rounds;

	tdx_host_test_link_start(test, param->nr_fns);
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
		tdx_host_test_link_remove_host(test);
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
	tdx_host_test_link_remove_host(test);

	tdx_host_test_link_expect_released(test, e);
	/* Every session created was deleted, each connect disconnected once */
	KUNIT_EXPECT_EQ(test, tdx_fake_calls(e->fake, TDH_SPDM_DELETE),
			tdx_fake_calls(e->fake, TDH_SPDM_CREATE));
	KUNIT_EXPECT_EQ(test, tdx_fake_calls(e->fake, TDH_IDE_STREAM_DELETE),
			tdx_fake_calls(e->fake, TDH_IDE_STREAM_CREATE));
	KUNIT_EXPECT_GE(test, tdx_fake_calls(e->fake, TDH_SPDM_CREATE),
			atomic_read(&connector.ok));
	KUNIT_EXPECT_EQ(test, tdx_host_test_link_calls(e, TDX_HOST_TEST_DMA_SETUP),
			tdx_host_test_link_calls(e, TDX_HOST_TEST_DMA_CLEANUP));
	KUNIT_EXPECT_EQ(test, tdx_host_test_link_calls(e, TDX_HOST_TEST_MMIO_UNMAP),
			tdx_host_test_link_calls(e, TDX_HOST_TEST_DMA_SETUP));
	KUNIT_EXPECT_EQ(test, tdx_host_test_link_calls(e, TDX_HOST_TEST_MMIO_SHARE),
			tdx_host_test_link_calls(e, TDX_HOST_TEST_MMIO_UNMAP));
	KUNIT_EXPECT_EQ(test, tdx_fake_calls(e->fake, TDH_DEVIF_CREATE),
			tdx_host_test_link_calls(e, TDX_HOST_TEST_DMA_SETUP));
	KUNIT_EXPECT_EQ(test, tdx_fake_calls(e->fake, TDH_DEVIF_REMOVE),
			tdx_host_test_link_calls(e, TDX_HOST_TEST_DMA_SETUP));
	KUNIT_EXPECT_EQ(test, tdx_fake_calls(e->fake, TDH_IOMMU_CLEAR), 1);
	kunit_info(test, "%d binds, %d connects, %u deletes, %d reads, %d restarts, %u SEAMCALLs in %u ms\n",
		   atomic_read(&binder.ok), atomic_read(&connector.ok),
		   tdx_fake_calls(e->fake, TDH_SPDM_DELETE), atomic_read(&reader.ok),
		   atomic_read(&e->restarts), e->fake->nr_calls,
		   jiffies_to_msecs(jiffies - t0));
}

static struct kunit_case tdx_host_link_bind_test_cases[] = {
	KUNIT_CASE(bind_and_disconnect_through_the_core),
	KUNIT_CASE(function_1_files_follow_connect),
	KUNIT_CASE_PARAM_ATTR(bind_unbind_race_disconnect_and_removal, race_gen_params,
			      { .speed = KUNIT_SPEED_SLOW }),
	{}
};

static struct kunit_suite tdx_host_link_bind_test_suite = {
	.name = "tdx_host_link_bind",
	.init = tdx_host_test_link_init,
	.test_cases = tdx_host_link_bind_test_cases,
};

kunit_test_suite(tdx_host_link_bind_test_suite);

MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");
