// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the TDISP messages of tdx-host's TDI engine, carried
 * to the fake device behind DOE: the TD's own requests of guest_req, a
 * request whose DOE exchange failed carried again, and request lengths
 * the fake TDX module should never report (tests/tdx_host_test_tdi.h).
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

	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_td_response(fd->ft, tdi_test_func_id(fd), &code),
			TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, code, want);
}

/*
 * The TD's requests go to the module in TD mode: the module secures what
 * the TD wrote, and decrypts the answer into the TD's buffer.  The host
 * gets the response word and the status, never the answer.
 */
static void guest_req_carries_td_requests_in_td_mode(struct kunit *test)
{
	struct tdi_env *env = tdi_test_env(test);
	struct fake_dev *fd = tdi_test_fake_dev(test, env, TEST_BUS, 0xfe000000);
	unsigned int nr_log;
	struct pci_tdi *tdi;
	u64 code = 0, want;
	u8 *out;

	out = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, out);
	tdi = tdi_test_bind(fd, TEST_TDI_ID);
	KUNIT_ASSERT_FALSE(test, IS_ERR(tdi));

	KUNIT_ASSERT_EQ(test, tdx_fake_tdi_td_request(env->ft, tdi_test_func_id(fd),
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
	KUNIT_ASSERT_EQ(test, tdx_fake_tdi_td_request(env->ft, tdi_test_func_id(fd),
						      TDX_TDISP_START_INTERFACE_REQ), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, guest_req(tdi, PCI_TSM_REQ_STATE_CHANGE, out, 8, &code), 0);
	expect_td_answer(test, fd, TDX_TDISP_START_INTERFACE_RSP);
	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_find(env->ft, tdi_test_func_id(fd))->tdisp_state,
			TDX_TDISP_RUN);

	/* No request of the TD: the module refuses, its status comes back. */
	nr_log = env->ft->nr_log;
	KUNIT_EXPECT_EQ(test, guest_req(tdi, PCI_TSM_REQ_INFO, out, 8, &code), -EIO);
	KUNIT_EXPECT_EQ(test, code, TDX_DEVIF_TDISP_INVALID_REQ_STS | TDX_OPERAND_ID_RCX);
	KUNIT_EXPECT_EQ(test, env->ft->nr_log - nr_log, 1);

	tdx_host_tdi_unbind(tdi);
	tdi_test_expect_nothing_owned(test, env, fd);
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
	struct tdi_env *env = tdi_test_env(test);
	struct fake_dev *fd = tdi_test_fake_dev(test, env, TEST_BUS, 0xfe000000);
	unsigned int nr_log, nr_calls;
	struct pci_tdi *tdi;
	u64 code = 0x5a5a;
	u8 in[1] = { TDX_TDISP_INTERFACE_STATE_REQ };
	u8 out[8] = {};

	tdi = tdi_test_bind(fd, TEST_TDI_ID);
	KUNIT_ASSERT_FALSE(test, IS_ERR(tdi));
	/* A request of the TD is waiting: none of these carries it. */
	KUNIT_ASSERT_EQ(test, tdx_fake_tdi_td_request(env->ft, tdi_test_func_id(fd),
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
	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_find(env->ft, tdi_test_func_id(fd))->td_req,
			TDX_FAKE_TD_REQ_REQUESTED);

	/* Carried once asked properly */
	KUNIT_EXPECT_EQ(test, guest_req(tdi, PCI_TSM_REQ_INFO, out, 8, &code), 0);
	expect_td_answer(test, fd, TDX_TDISP_INTERFACE_STATE_RSP);
	tdx_host_tdi_unbind(tdi);
	tdi_test_expect_nothing_owned(test, env, fd);
}

/*
 * The module keeps a request outstanding until it accepts an answer.  One
 * the device did not answer is carried again before the next request of
 * the TDI: here the TD's, before unbind's STOP, which the module would
 * refuse otherwise and keep the TDI.
 */
static void unanswered_request_is_carried_again_before_the_next(struct kunit *test)
{
	struct tdi_env *env = tdi_test_env(test);
	struct fake_dev *fd = tdi_test_fake_dev(test, env, TEST_BUS, 0xfe000000);
	struct seq *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	unsigned int from;
	struct pci_tdi *tdi;
	u64 code = 0;
	u8 out[8];

	KUNIT_ASSERT_NOT_NULL(test, s);
	tdi = tdi_test_bind(fd, TEST_TDI_ID);
	KUNIT_ASSERT_FALSE(test, IS_ERR(tdi));
	tdi_test_guest_runs(test, fd);
	KUNIT_ASSERT_EQ(test, tdx_fake_tdi_td_request(env->ft, tdi_test_func_id(fd),
						      TDX_TDISP_INTERFACE_STATE_REQ), TDX_SUCCESS);

	/* Two attempts over DOE, then the request stays outstanding */
	env->doe_ret = -ETIMEDOUT;
	from = env->ft->nr_log;
	KUNIT_EXPECT_EQ(test, guest_req(tdi, PCI_TSM_REQ_INFO, out, 8, &code), -ETIMEDOUT);
	tdi_test_push(s, TDH_DEVIF_REQUEST, 1);
	tdi_test_push(s, EVT_DOE, 2);
	tdi_test_expect_log(test, env->ft, from, s);
	KUNIT_EXPECT_NE(test, tdx_fake_tdi_find(env->ft, tdi_test_func_id(fd))->pending, 0);

	env->doe_ret = 0;
	from = env->ft->nr_log;
	tdx_host_tdi_unbind(tdi);
	s->n = 0;
	tdi_test_push(s, EVT_DOE, 1);
	tdi_test_push(s, TDH_DEVIF_RESPONSE, 1);
	tdi_test_push_unbind(s);
	tdi_test_expect_log(test, env->ft, from, s);
	tdi_test_expect_nothing_owned(test, env, fd);
}

/*
 * A device that never answers again: the STOP cannot be made, the module
 * keeps the locked TDI, and the TDI's MMIO is not shared again.
 */
static void unanswered_stop_leaves_the_tdi_to_the_module(struct kunit *test)
{
	struct tdi_env *env = tdi_test_env(test);
	struct fake_dev *fd = tdi_test_fake_dev(test, env, TEST_BUS, 0xfe000000);
	struct pci_tdi *tdi;

	tdi = tdi_test_bind(fd, TEST_TDI_ID);
	KUNIT_ASSERT_FALSE(test, IS_ERR(tdi));
	tdi_test_guest_runs(test, fd);

	env->doe_ret = -ETIMEDOUT;
	kunit_warning_suppress(test) {
		tdx_host_tdi_unbind(tdi);
		/* TDH.DEVIF.REMOVE refused: one warning */
		KUNIT_EXPECT_SUPPRESSED_WARNING_COUNT(test, 1);
	}
	KUNIT_EXPECT_EQ(test, tdx_fake_calls(env->fake, TDH_DEVIF_REQUEST), 2);
	KUNIT_EXPECT_NOT_NULL(test, tdx_fake_tdi_find(env->ft, tdi_test_func_id(fd)));
	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_find(env->ft, tdi_test_func_id(fd))->tdisp_state,
			TDX_TDISP_CONFIG_LOCKED);
	KUNIT_EXPECT_EQ(test, env->ft->log[env->ft->nr_log - 1], EVT_DMA_CLEANUP);
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(env->fake), NR_DEVIF_PAGES + NR_DEVIFMT);

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
	struct tdi_env *env = tdi_test_env(test);
	struct fake_dev *fd = tdi_test_fake_dev(test, env, TEST_BUS, 0xfe000000);
	struct pci_tdi *tdi;

	env->ft->req_len = *(const u64 *)test->param_value;
	tdi = tdi_test_bind(fd, TEST_TDI_ID);
	KUNIT_EXPECT_EQ(test, PTR_ERR(tdi), -EPROTO);
	KUNIT_EXPECT_EQ(test, tdx_fake_calls(env->fake, TDH_DEVIF_RESPONSE), 0);
	KUNIT_EXPECT_EQ(test, tdx_fake_calls(env->fake, TDH_DEVIF_REQUEST), 1);
	tdi_test_expect_nothing_owned(test, env, fd);
}

static struct kunit_case tdx_host_tdi_tdisp_test_cases[] = {
	KUNIT_CASE(guest_req_carries_td_requests_in_td_mode),
	KUNIT_CASE_PARAM(guest_req_rejects_bad_requests_without_side_effects,
			 guest_bad_gen_params),
	KUNIT_CASE(unanswered_request_is_carried_again_before_the_next),
	KUNIT_CASE(unanswered_stop_leaves_the_tdi_to_the_module),
	KUNIT_CASE_PARAM(hostile_request_length_is_not_carried, hostile_len_gen_params),
	{}
};

static struct kunit_suite tdx_host_tdi_tdisp_test_suite = {
	.name = "tdx_host_tdi_tdisp",
	.test_cases = tdx_host_tdi_tdisp_test_cases,
};

kunit_test_suite(tdx_host_tdi_tdisp_test_suite);

MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");
