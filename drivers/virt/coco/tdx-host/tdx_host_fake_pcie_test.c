// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the fake PCIe topology of the tdx-host suites
 * (tests/tdx_host_fake_pcie.c and its DOE mailbox), under the real PCI,
 * DOE and IDE core code: the PCI core finds a Root Port with selective
 * IDE and a TSM function 0 with a mailbox, drivers/pci/ide.c programs
 * streams that read SECURE only once the test says they are keyed,
 * pci_doe() carries CMA and secured SPDM to the test's responder, and
 * each fault of the mailbox reaches pci_doe() as its error.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

#include <linux/bitfield.h>
#include <linux/err.h>
#include <linux/idr.h>
#include <linux/ktime.h>
#include <linux/pci.h>
#include <linux/pci-doe.h>
#include <linux/pci-ide.h>
#include <linux/pci-tsm.h>
#include <linux/sizes.h>
#include <linux/string.h>

#include <kunit/resource.h>
#include <kunit/test.h>

#include "tests/tdx_host_fake_pcie.h"

#define TEST_STREAM_ID	3
#define TEST_REQ_LEN	8

/**
 * struct fake_pcie_test - What the device side of a fake_pcie test sees
 * @keyed: whether the keys of stream TEST_STREAM_ID are programmed
 * @keyed_asks: calls of the ide_keyed callback for that stream
 * @rsp_len: the response length the responder gives, 0 to echo the
 *	     request, negative to answer with an error
 * @calls: calls of the responder
 * @last_type: the data object type of its last call
 */
struct fake_pcie_test {
	bool keyed;
	unsigned int keyed_asks;
	int rsp_len;
	unsigned int calls;
	u8 last_type;
};

static bool test_ide_keyed(void *priv, struct pci_dev *pdev, u8 stream_id)
{
	struct fake_pcie_test *ft = priv;

	if (stream_id != TEST_STREAM_ID)
		return false;
	ft->keyed_asks++;
	return ft->keyed;
}

/* The request back, its first byte replaced with the type; or a fill */
static int test_doe_respond(void *priv, struct pci_dev *pdev, u8 type, const void *req,
			    size_t req_len, void *rsp, size_t rsp_size)
{
	struct fake_pcie_test *ft = priv;

	ft->calls++;
	ft->last_type = type;
	if (ft->rsp_len < 0)
		return ft->rsp_len;
	if (ft->rsp_len) {
		memset(rsp, type, min_t(size_t, ft->rsp_len, rsp_size));
		return ft->rsp_len;
	}
	memcpy(rsp, req, req_len);
	*(u8 *)rsp = type;
	return req_len;
}

static struct fake_pcie *test_fake_pcie(struct kunit *test, struct fake_pcie_params *params)
{
	struct fake_pcie_test *ft = kunit_kzalloc(test, sizeof(*ft), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ft);
	test->priv = ft;
	if (!params->nr_fns)
		params->nr_fns = 1;
	params->ide_keyed = test_ide_keyed;
	params->doe_respond = test_doe_respond;
	params->priv = ft;
	return fake_pcie_add(test, params);
}

static struct pci_doe_mb *cma_mailbox(struct fake_pcie *fp)
{
	return pci_find_doe_mailbox(fp->pdev, PCI_VENDOR_ID_PCI_SIG, PCI_DOE_FEATURE_CMA);
}

/*
 * The PCI core takes the topology for a Root Port with selective IDE
 * streams and windows, and below it a TSM function 0 with IDE and a
 * mailbox that lists CMA and secured SPDM, found by three discoveries.
 */
static void fake_pcie_is_a_root_port_and_a_dsm(struct kunit *test)
{
	struct fake_pcie *fp = test_fake_pcie(test, &(struct fake_pcie_params){});
	struct fake_pcie_doe_entry log[4];
	unsigned int i;

	KUNIT_EXPECT_EQ(test, pci_pcie_type(fp->rp), PCI_EXP_TYPE_ROOT_PORT);
	KUNIT_EXPECT_PTR_EQ(test, fp->pdev->bus->self, fp->rp);
	KUNIT_EXPECT_NE(test, fp->rp->ide_cap, 0);
	KUNIT_EXPECT_EQ(test, fp->rp->nr_sel_ide, FAKE_PCIE_IDE_STREAMS);
	KUNIT_EXPECT_NE(test, fp->pdev->ide_cap, 0);
	KUNIT_EXPECT_EQ(test, fp->pdev->nr_sel_ide, FAKE_PCIE_IDE_STREAMS);
	KUNIT_EXPECT_EQ(test, fp->pdev->nr_ide_mem, 2);
	KUNIT_EXPECT_TRUE(test, resource_assigned(pci_resource_n(fp->rp, PCI_BRIDGE_MEM_WINDOW)));
	KUNIT_EXPECT_TRUE(test,
			  resource_assigned(pci_resource_n(fp->rp, PCI_BRIDGE_PREF_MEM_WINDOW)));
	KUNIT_EXPECT_NOT_NULL(test, cma_mailbox(fp));
	KUNIT_EXPECT_PTR_EQ(test, pci_find_doe_mailbox(fp->pdev, PCI_VENDOR_ID_PCI_SIG,
						       PCI_DOE_FEATURE_SSESSION), cma_mailbox(fp));
	KUNIT_EXPECT_NULL(test, fp->fn1);

	KUNIT_EXPECT_EQ(test, fake_pcie_doe_count(fp, PCI_DOE_FEATURE_DISCOVERY), 3);
	KUNIT_EXPECT_EQ(test, fake_pcie_doe_count(fp, PCI_DOE_FEATURE_CMA), 0);
	KUNIT_ASSERT_EQ(test, fake_pcie_doe_log(fp, log, ARRAY_SIZE(log)), 3);
	for (i = 0; i < 3; i++) {
		KUNIT_EXPECT_EQ(test, log[i].type, PCI_DOE_FEATURE_DISCOVERY);
		KUNIT_EXPECT_EQ(test, log[i].req_len, 4);
		KUNIT_EXPECT_EQ(test, log[i].rsp_len, 4);
	}
}

static void release_stream(void *ide)
{
	pci_ide_stream_release(ide);
}

static u32 sel_reg(struct pci_dev *pdev, u8 idx, int reg)
{
	u32 val;

	pci_read_config_dword(pdev, pdev->ide_cap + PCI_IDE_LINK_STREAM_0 +
			      idx * PCI_IDE_SEL_BLOCK_SIZE(pdev->nr_ide_mem) + reg, &val);
	return val;
}

/*
 * drivers/pci/ide.c programs the stream into both ports: the Root Port
 * associates the endpoint's requester ID and both windows, the endpoint
 * the Root Port's.  Enable fails with -ENXIO until the test says the keys
 * are programmed, then both ports read SECURE; teardown clears it all.
 */
static void fake_pcie_ide_stream_is_secure_only_when_keyed(struct kunit *test)
{
	struct fake_pcie *fp = test_fake_pcie(test, &(struct fake_pcie_params){});
	struct fake_pcie_test *ft = test->priv;
	struct pci_ide_partner *rp_set, *ep_set;
	struct pci_ide *ide;
	u32 rid2;

	ide = pci_ide_stream_alloc(fp->pdev);
	KUNIT_ASSERT_NOT_NULL(test, ide);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, release_stream, ide), 0);
	rp_set = &ide->partner[PCI_IDE_RP];
	ep_set = &ide->partner[PCI_IDE_EP];
	KUNIT_EXPECT_EQ(test, rp_set->rid_start, pci_dev_id(fp->pdev));
	KUNIT_EXPECT_EQ(test, ep_set->rid_start, pci_dev_id(fp->rp));
	KUNIT_EXPECT_EQ(test, pci_bus_region_size(&rp_set->mem_assoc), SZ_1M);
	KUNIT_EXPECT_EQ(test, pci_bus_region_size(&rp_set->pref_assoc), SZ_1M);

	ide->stream_id = TEST_STREAM_ID;
	KUNIT_ASSERT_EQ(test, pci_ide_stream_register(ide), 0);
	pci_ide_stream_setup(fp->pdev, ide);
	pci_ide_stream_setup(fp->rp, ide);
	rid2 = sel_reg(fp->rp, rp_set->stream_index, PCI_IDE_SEL_RID_2);
	KUNIT_EXPECT_TRUE(test, rid2 & PCI_IDE_SEL_RID_2_VALID);
	KUNIT_EXPECT_EQ(test, FIELD_GET(PCI_IDE_SEL_RID_2_BASE, rid2), pci_dev_id(fp->pdev));
	KUNIT_EXPECT_TRUE(test, sel_reg(fp->rp, rp_set->stream_index, PCI_IDE_SEL_ADDR_1(0)) &
			  PCI_IDE_SEL_ADDR_1_VALID);
	KUNIT_EXPECT_TRUE(test, sel_reg(fp->rp, rp_set->stream_index, PCI_IDE_SEL_ADDR_1(1)) &
			  PCI_IDE_SEL_ADDR_1_VALID);
	KUNIT_EXPECT_EQ(test, FIELD_GET(PCI_IDE_SEL_CTL_ID,
					sel_reg(fp->pdev, ep_set->stream_index, PCI_IDE_SEL_CTL)),
			TEST_STREAM_ID);

	KUNIT_EXPECT_EQ(test, pci_ide_stream_enable(fp->rp, ide), -ENXIO);
	KUNIT_EXPECT_EQ(test, pci_ide_stream_enable(fp->pdev, ide), -ENXIO);
	pci_ide_stream_disable(fp->pdev, ide);
	pci_ide_stream_disable(fp->rp, ide);
	KUNIT_EXPECT_EQ(test, ft->keyed_asks, 2);

	ft->keyed = true;
	KUNIT_EXPECT_EQ(test, pci_ide_stream_enable(fp->pdev, ide), 0);
	KUNIT_EXPECT_EQ(test, pci_ide_stream_enable(fp->rp, ide), 0);
	KUNIT_EXPECT_EQ(test, FIELD_GET(PCI_IDE_SEL_STS_STATE,
					sel_reg(fp->rp, rp_set->stream_index, PCI_IDE_SEL_STS)),
			PCI_IDE_SEL_STS_STATE_SECURE);
	pci_ide_stream_disable(fp->rp, ide);
	pci_ide_stream_disable(fp->pdev, ide);
	KUNIT_EXPECT_EQ(test, FIELD_GET(PCI_IDE_SEL_STS_STATE,
					sel_reg(fp->rp, rp_set->stream_index, PCI_IDE_SEL_STS)),
			PCI_IDE_SEL_STS_STATE_INSECURE);

	pci_ide_stream_teardown(fp->rp, ide);
	pci_ide_stream_teardown(fp->pdev, ide);
	KUNIT_EXPECT_EQ(test, sel_reg(fp->rp, rp_set->stream_index, PCI_IDE_SEL_RID_2), 0);
	KUNIT_EXPECT_EQ(test, sel_reg(fp->pdev, ep_set->stream_index, PCI_IDE_SEL_CTL), 0);
	pci_ide_stream_unregister(ide);
	/* pci_ide_stream_free(), the rest of what the action would undo */
	kunit_release_action(test, release_stream, ide);
	KUNIT_EXPECT_TRUE(test, ida_is_empty(&fp->rp->ide_stream_ida));
	KUNIT_EXPECT_TRUE(test, ida_is_empty(&fp->pdev->ide_stream_ida));
}

/* With one selective stream on each port the second stream has none. */
static void fake_pcie_ide_streams_run_out(struct kunit *test)
{
	struct fake_pcie_params params = { .rp_streams = 1, .ep_streams = 1 };
	struct fake_pcie *fp = test_fake_pcie(test, &params);
	struct pci_ide *ide;

	KUNIT_EXPECT_EQ(test, fp->rp->nr_sel_ide, 1);
	KUNIT_EXPECT_EQ(test, fp->pdev->nr_sel_ide, 1);
	ide = pci_ide_stream_alloc(fp->pdev);
	KUNIT_ASSERT_NOT_NULL(test, ide);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, release_stream, ide), 0);
	KUNIT_EXPECT_NULL(test, pci_ide_stream_alloc(fp->pdev));

	kunit_release_action(test, release_stream, ide);
	ide = pci_ide_stream_alloc(fp->pdev);
	KUNIT_EXPECT_NOT_NULL(test, ide);
	if (ide)
		pci_ide_stream_free(ide);
}

struct fake_pcie_pre_param {
	struct fake_pcie_params params;
	bool cma, ssession, ep_ide, rp_ide;
	const char *desc;
};

static const struct fake_pcie_pre_param fake_pcie_pre_params[] = {
	{ { .no_doe = true }, false, false, true, true, "no DOE mailbox" },
	{ { .no_ssession = true }, true, false, true, true, "no secured SPDM" },
	{ { .no_ep_ide = true }, true, true, false, true, "no IDE on the endpoint" },
	/* drivers/pci/ide.c takes the endpoint's IDE only with the Root Port's */
	{ { .no_rp_ide = true }, true, true, false, false, "no IDE on the Root Port" },
};

KUNIT_ARRAY_PARAM_DESC(fake_pcie_pre, fake_pcie_pre_params, desc);

/* Each precondition of connect can be left out, alone. */
static void fake_pcie_leaves_out_each_precondition(struct kunit *test)
{
	const struct fake_pcie_pre_param *p = test->param_value;
	struct fake_pcie_params params = p->params;
	struct fake_pcie *fp = test_fake_pcie(test, &params);

	KUNIT_EXPECT_EQ(test, !!cma_mailbox(fp), p->cma);
	KUNIT_EXPECT_EQ(test, !!pci_find_doe_mailbox(fp->pdev, PCI_VENDOR_ID_PCI_SIG,
						     PCI_DOE_FEATURE_SSESSION), p->ssession);
	KUNIT_EXPECT_EQ(test, !!fp->pdev->ide_cap, p->ep_ide);
	KUNIT_EXPECT_EQ(test, !!fp->rp->ide_cap, p->rp_ide);
	if (!p->ep_ide)
		KUNIT_EXPECT_NULL(test, pci_ide_stream_alloc(fp->pdev));
	KUNIT_EXPECT_TRUE(test, is_pci_tsm_pf0(fp->pdev));
}

static void clear_tsm(void *pdev)
{
	((struct pci_dev *)pdev)->tsm = NULL;
}

/*
 * CMA through pci_tsm_doe_transfer() with a DSM context that has the
 * mailbox, secured SPDM through pci_doe(): the responder sees the payloads
 * and the log has each exchange after the discoveries, in order.  A full
 * 4 KiB response arrives whole.
 */
static void fake_pcie_doe_carries_spdm(struct kunit *test)
{
	struct fake_pcie *fp = test_fake_pcie(test, &(struct fake_pcie_params){});
	static const u8 req[TEST_REQ_LEN] = { 0x11, 0xe1, 0, 0, 1, 2, 3, 4 };
	struct fake_pcie_test *ft = test->priv;
	struct fake_pcie_doe_entry log[6];
	struct pci_tsm_pf0 *dsm;
	u8 *rsp;

	rsp = kunit_kzalloc(test, FAKE_PCIE_DOE_MAX_PAYLOAD, GFP_KERNEL);
	dsm = kunit_kzalloc(test, sizeof(*dsm), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, rsp);
	KUNIT_ASSERT_NOT_NULL(test, dsm);
	/* A DSM context of function 0, as pci_tsm_pf0_constructor() makes it */
	dsm->doe_mb = cma_mailbox(fp);
	dsm->base_tsm.pdev = fp->pdev;
	dsm->base_tsm.dsm_dev = fp->pdev;
	fp->pdev->tsm = &dsm->base_tsm;
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, clear_tsm, fp->pdev), 0);

	KUNIT_EXPECT_EQ(test, pci_tsm_doe_transfer(fp->pdev, PCI_DOE_FEATURE_CMA, req,
						   sizeof(req), rsp,
						   FAKE_PCIE_DOE_MAX_PAYLOAD), sizeof(req));
	KUNIT_EXPECT_EQ(test, ft->last_type, PCI_DOE_FEATURE_CMA);
	KUNIT_EXPECT_EQ(test, rsp[0], PCI_DOE_FEATURE_CMA);
	KUNIT_EXPECT_MEMEQ(test, rsp + 1, req + 1, sizeof(req) - 1);

	KUNIT_EXPECT_EQ(test, pci_doe(cma_mailbox(fp), PCI_VENDOR_ID_PCI_SIG,
				      PCI_DOE_FEATURE_SSESSION, req, sizeof(req), rsp,
				      FAKE_PCIE_DOE_MAX_PAYLOAD), sizeof(req));
	KUNIT_EXPECT_EQ(test, ft->last_type, PCI_DOE_FEATURE_SSESSION);

	ft->rsp_len = FAKE_PCIE_DOE_MAX_PAYLOAD;
	KUNIT_EXPECT_EQ(test, pci_tsm_doe_transfer(fp->pdev, PCI_DOE_FEATURE_CMA, req,
						   sizeof(req), rsp,
						   FAKE_PCIE_DOE_MAX_PAYLOAD),
			FAKE_PCIE_DOE_MAX_PAYLOAD);
	KUNIT_EXPECT_EQ(test, rsp[FAKE_PCIE_DOE_MAX_PAYLOAD - 1], PCI_DOE_FEATURE_CMA);

	KUNIT_EXPECT_EQ(test, fake_pcie_doe_count(fp, PCI_DOE_FEATURE_CMA), 2);
	KUNIT_EXPECT_EQ(test, fake_pcie_doe_count(fp, PCI_DOE_FEATURE_SSESSION), 1);
	KUNIT_ASSERT_EQ(test, fake_pcie_doe_log(fp, log, ARRAY_SIZE(log)), 6);
	KUNIT_EXPECT_EQ(test, log[3].type, PCI_DOE_FEATURE_CMA);
	KUNIT_EXPECT_EQ(test, log[3].req_len, sizeof(req));
	KUNIT_EXPECT_EQ(test, log[3].rsp_len, sizeof(req));
	KUNIT_EXPECT_EQ(test, log[4].type, PCI_DOE_FEATURE_SSESSION);
	KUNIT_EXPECT_EQ(test, log[5].type, PCI_DOE_FEATURE_CMA);
	KUNIT_EXPECT_EQ(test, log[5].rsp_len, FAKE_PCIE_DOE_MAX_PAYLOAD);
}

struct fake_pcie_fault_param {
	enum fake_pcie_doe_fault fault;
	int rsp_len;		/* what the responder answers, 0: echo */
	int ret;		/* what pci_doe() returns */
	int logged;		/* the response length in the log */
	const char *desc;
};

static const struct fake_pcie_fault_param fake_pcie_fault_params[] = {
	{ FAKE_DOE_NEVER_READY, 0, -EIO, -ETIMEDOUT, "never ready" },
	{ FAKE_DOE_SHORT, 0, -EIO, TEST_REQ_LEN, "shorter than its length" },
	/* Excess data is discarded: a full buffer is all pci_doe() says. */
	{ FAKE_DOE_OVERSIZE, 0, FAKE_PCIE_DOE_MAX_PAYLOAD, FAKE_PCIE_DOE_MAX_PAYLOAD + 4,
	  "over 4 KiB" },
	{ FAKE_DOE_ERROR, 0, -EIO, -EIO, "DOE error" },
	{ FAKE_DOE_OK, -EPROTO, -EIO, -EIO, "responder error" },
	{ FAKE_DOE_BAD_VENDOR, 0, -EIO, TEST_REQ_LEN, "wrong vendor" },
	{ FAKE_DOE_BAD_TYPE, 0, -EIO, TEST_REQ_LEN, "wrong type" },
};

KUNIT_ARRAY_PARAM_DESC(fake_pcie_fault, fake_pcie_fault_params, desc);

/*
 * Each failure of the mailbox, armed for the second and third exchange,
 * gives pci_doe() its error on those two only; the abort after each
 * leaves the mailbox working for the fourth.  The DOE timeout is
 * drivers/pci/doe.c's PCI_DOE_TIMEOUT, a second.
 */
static void fake_pcie_doe_faults_reach_pci_doe(struct kunit *test)
{
	const struct fake_pcie_fault_param *p = test->param_value;
	struct fake_pcie *fp = test_fake_pcie(test, &(struct fake_pcie_params){});
	static const u8 req[TEST_REQ_LEN] = { 0x11, 0xe1 };
	struct fake_pcie_test *ft = test->priv;
	struct fake_pcie_doe_entry log[7];
	struct pci_doe_mb *mb = cma_mailbox(fp);
	unsigned int i;
	ktime_t t0;
	u8 *rsp;
	int ret;

	rsp = kunit_kzalloc(test, FAKE_PCIE_DOE_MAX_PAYLOAD, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, rsp);
	KUNIT_ASSERT_NOT_NULL(test, mb);
	fake_pcie_doe_fault(fp, p->fault, 2, 2);

	for (i = 1; i <= 4; i++) {
		bool faulted = i == 2 || i == 3;

		ft->rsp_len = faulted ? p->rsp_len : 0;
		t0 = ktime_get();
		ret = pci_doe(mb, PCI_VENDOR_ID_PCI_SIG, PCI_DOE_FEATURE_CMA, req, sizeof(req),
			      rsp, FAKE_PCIE_DOE_MAX_PAYLOAD);
		KUNIT_EXPECT_EQ_MSG(test, ret, faulted ? p->ret : TEST_REQ_LEN, "exchange %u", i);
		if (faulted && p->fault == FAKE_DOE_NEVER_READY) {
			KUNIT_EXPECT_GE(test, ktime_ms_delta(ktime_get(), t0), 1000);
			kunit_info(test, "DOE timeout after %lld ms\n",
				   ktime_ms_delta(ktime_get(), t0));
		}
	}

	KUNIT_EXPECT_EQ(test, fake_pcie_doe_count(fp, PCI_DOE_FEATURE_CMA), 4);
	KUNIT_ASSERT_EQ(test, fake_pcie_doe_log(fp, log, ARRAY_SIZE(log)), 7);
	for (i = 3; i < 7; i++) {
		bool faulted = i == 4 || i == 5;

		KUNIT_EXPECT_EQ(test, log[i].type, PCI_DOE_FEATURE_CMA);
		KUNIT_EXPECT_EQ(test, log[i].req_len, sizeof(req));
		KUNIT_EXPECT_EQ_MSG(test, log[i].rsp_len, faulted ? p->logged : TEST_REQ_LEN,
				    "exchange %u", i - 2);
	}
}

static struct kunit_case tdx_host_fake_pcie_test_cases[] = {
	KUNIT_CASE(fake_pcie_is_a_root_port_and_a_dsm),
	KUNIT_CASE(fake_pcie_ide_stream_is_secure_only_when_keyed),
	KUNIT_CASE(fake_pcie_ide_streams_run_out),
	KUNIT_CASE_PARAM(fake_pcie_leaves_out_each_precondition, fake_pcie_pre_gen_params),
	KUNIT_CASE(fake_pcie_doe_carries_spdm),
	/* A second for each of two exchanges that are never ready */
	KUNIT_CASE_PARAM_ATTR(fake_pcie_doe_faults_reach_pci_doe, fake_pcie_fault_gen_params,
			      { .speed = KUNIT_SPEED_SLOW }),
	{}
};

static struct kunit_suite tdx_host_fake_pcie_test_suite = {
	.name = "tdx_host_fake_pcie",
	.test_cases = tdx_host_fake_pcie_test_cases,
};

kunit_test_suite(tdx_host_fake_pcie_test_suite);

MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");
