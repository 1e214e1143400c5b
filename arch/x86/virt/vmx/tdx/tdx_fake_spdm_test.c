// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the SPDM wrappers against the fake TDX module's SPDM
 * sessions, with the test relaying every request to the fake device as
 * tdx-host does over DOE: a whole connect and disconnect, then each rule
 * of the fake's sessions and of its device end broken once and refused.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

#include <kunit/test.h>

#include "tdx_fake_spdm_test.h"

static void connect_with_key_update_to_delete_gives_every_page_back(struct kunit *test)
{
	struct env *e = env_setup(test);
	struct tdx_fake_spdm_session *sess;
	struct tdx_fake_spdm_stream *fst;
	struct tdx_ide_stream_cfg cfg = stream_cfg();
	struct stream s = {};
	u64 *info;

	KUNIT_ASSERT_EQ(test, do_create(e), TDX_SUCCESS);
	sess = tdx_fake_spdm_session(e->fs, FUNC_ID);
	KUNIT_ASSERT_NOT_NULL(test, sess);
	KUNIT_EXPECT_EQ(test, sess->spdm_id, e->spdm_id);
	KUNIT_EXPECT_EQ(test, sess->nr_pages, 2);
	KUNIT_EXPECT_EQ(test, sess->pages[1], page_to_phys(e->spdm_list->pages[1]));
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(e->fake), 2);

	/* The session asks for new keys before it reports success, until it has them. */
	e->fs->key_refresh = true;
	KUNIT_EXPECT_EQ(test, do_connect(e), TDX_SPDM_SESSION_KEY_REQUIRE_REFRESH);
	KUNIT_EXPECT_EQ(test, do_connect(e), TDX_SPDM_SESSION_KEY_REQUIRE_REFRESH);
	KUNIT_EXPECT_FALSE(test, sess->connected);
	KUNIT_EXPECT_EQ(test, do_mng(e, TDX_SPDM_MNG_KEY_UPDATE), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, sess->nr_key_updates, 1);
	KUNIT_EXPECT_EQ(test, do_connect(e), TDX_SUCCESS);
	KUNIT_EXPECT_TRUE(test, sess->connected);
	info = page_address(e->dev_info->list->pages[0]);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(info), FUNC_ID);
	KUNIT_EXPECT_EQ(test, sess->dev_info_len, 256);
	KUNIT_EXPECT_EQ(test, do_mng(e, TDX_SPDM_MNG_HEARTBEAT), TDX_SUCCESS);

	KUNIT_ASSERT_EQ(test, stream_create(e, &s, stream_info(), &cfg), TDX_SUCCESS);
	KUNIT_EXPECT_LE(test, s.id, 254);
	fst = tdx_fake_spdm_stream(e->fs, s.id);
	KUNIT_ASSERT_NOT_NULL(test, fst);
	KUNIT_EXPECT_EQ(test, fst->rp_ide_id, s.rp_ide_id);
	KUNIT_EXPECT_EQ(test, fst->rp_devfn, RP_DEVFN);
	KUNIT_EXPECT_EQ(test, fst->rid_base, FUNC_ID);
	KUNIT_EXPECT_EQ(test, fst->rid_limit, FUNC_ID + 7);
	KUNIT_EXPECT_EQ(test, fst->addr_assoc[2], 0x3);
	KUNIT_EXPECT_EQ(test, fst->pages[0], page_to_phys(s.list->pages[0]));
	KUNIT_EXPECT_EQ(test, tdx_fake_spdm_nr_streams(e->fs), 1);
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(e->fake), 3);
	KUNIT_EXPECT_FALSE(test, tdx_fake_spdm_device_keyed(e->fs, FUNC_ID, s.id));

	KUNIT_EXPECT_EQ(test, do_km(e, &s, TDX_IDE_KM_SETUP), TDX_SUCCESS);
	KUNIT_EXPECT_TRUE(test, fst->keyed);
	KUNIT_EXPECT_TRUE(test, fst->rp_enabled);
	KUNIT_EXPECT_TRUE(test, tdx_fake_spdm_device_keyed(e->fs, FUNC_ID, s.id));
	KUNIT_EXPECT_EQ(test, do_km(e, &s, TDX_IDE_KM_STOP), TDX_SUCCESS);
	KUNIT_EXPECT_FALSE(test, fst->keyed);
	KUNIT_EXPECT_FALSE(test, fst->rp_enabled);
	KUNIT_EXPECT_FALSE(test, tdx_fake_spdm_device_keyed(e->fs, FUNC_ID, s.id));

	stream_teardown(e, &s);
	KUNIT_EXPECT_EQ(test, tdx_fake_spdm_nr_streams(e->fs), 0);
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(e->fake), 2);
	disconnect_and_delete(e);
	KUNIT_EXPECT_EQ(test, tdx_fake_spdm_nr_sessions(e->fs), 0);

	/* The log: the leaves and the messages, in order. */
	KUNIT_EXPECT_EQ(test, e->fs->events[0], TDH_SPDM_CREATE);
	KUNIT_EXPECT_EQ(test, e->fs->events[1], TDH_SPDM_CONNECT);
	KUNIT_EXPECT_EQ(test, e->fs->events[2], TDX_FAKE_SPDM_EV_DOE_BASE + PCI_DOE_FEATURE_CMA);
	KUNIT_EXPECT_EQ(test, e->fs->events[e->fs->nr_events - 1], TDH_SPDM_DELETE);
	/* Connect over CMA; FINISH, KEY_UPDATE, HEARTBEAT, 4 + 2 IDE_KM, END_SESSION */
	KUNIT_EXPECT_EQ(test, count_events(e->fs, TDX_FAKE_SPDM_EV_DOE_BASE + PCI_DOE_FEATURE_CMA),
			6);
	KUNIT_EXPECT_EQ(test, count_events(e->fs,
					   TDX_FAKE_SPDM_EV_DOE_BASE + PCI_DOE_FEATURE_SSESSION),
			10);
	KUNIT_EXPECT_EQ(test, e->fs->nr_dev_msgs, 16);
	KUNIT_EXPECT_EQ(test, e->fs->nr_refusals, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&e->fake->nr_ext_busy), 0);
	KUNIT_EXPECT_EQ(test, e->fake->nr_violations, 0);
}

static void create_refuses_a_wrong_page_count(struct kunit *test)
{
	struct env *e = env_setup(test);
	u64 spdm_id;

	e->spdm_ho = handoff(test, e->fake->spdm_mt_page_count + 1, NULL);
	scoped_guard(tdx_spdm_ide)
		KUNIT_EXPECT_EQ(test, tdh_spdm_create(FUNC_ID, e->spdm_ho, &spdm_id),
				TDX_OPERAND_INVALID | TDX_OPERAND_ID_RDX);
	expect_refusal(test, e->fs, "HPA_ARRAY_T of 2 pages");
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(e->fake), 0);
	KUNIT_EXPECT_EQ(test, tdx_fake_spdm_nr_sessions(e->fs), 0);
}

static void create_refuses_reserved_function_id_bits(struct kunit *test)
{
	struct env *e = env_setup(test);
	u64 spdm_id;

	scoped_guard(tdx_spdm_ide)
		KUNIT_EXPECT_EQ(test, tdh_spdm_create(FUNC_ID | BIT(25), e->spdm_ho, &spdm_id),
				TDX_OPERAND_INVALID | TDX_OPERAND_ID_RCX);
	expect_refusal(test, e->fs, "reserved bits");
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(e->fake), 0);
}

/* A page written after its flush is taken, as hardware would, and reported. */
static void create_reports_a_page_written_after_its_flush(struct kunit *test)
{
	struct env *e = env_setup(test);

	e->fake->expect_violations = true;
	memset(page_address(e->spdm_list->pages[1]), 0x5a, 64);
	KUNIT_EXPECT_EQ(test, do_create(e), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, e->fake->nr_violations, 1);
	KUNIT_EXPECT_NOT_NULL(test, strstr(e->fake->violation, "after its flush"));
	do_delete(e);
}

static void connect_fails_on_a_bad_response(struct kunit *test, enum spoil spoil,
					    unsigned int nth, const char *why)
{
	struct env *e = env_setup(test);
	struct tdx_fake_spdm_session *sess;

	KUNIT_ASSERT_EQ(test, do_create(e), TDX_SUCCESS);
	e->spoil = spoil;
	e->spoil_nth = nth;
	KUNIT_EXPECT_EQ(test, do_connect(e), TDX_OPERAND_INVALID | TDX_OPERAND_ID_R8);
	expect_refusal(test, e->fs, why);
	sess = tdx_fake_spdm_session(e->fs, FUNC_ID);
	KUNIT_EXPECT_FALSE(test, sess->established);
	KUNIT_EXPECT_FALSE(test, sess->connected);
	KUNIT_EXPECT_EQ(test, e->nr_relayed, nth);

	/* The operation is over: a new connect starts from GET_VERSION and succeeds. */
	KUNIT_EXPECT_EQ(test, do_connect(e), TDX_SUCCESS);
	disconnect_and_delete(e);
	KUNIT_EXPECT_EQ(test, e->fake->nr_violations, 0);
}

static void connect_refuses_a_response_of_the_wrong_doe_type(struct kunit *test)
{
	connect_fails_on_a_bad_response(test, SPOIL_TYPE, 3, "not a DOE object of type 1");
}

static void connect_refuses_a_response_of_the_wrong_length(struct kunit *test)
{
	connect_fails_on_a_bad_response(test, SPOIL_LENGTH, 5, "length");
}

static void connect_refuses_a_response_with_the_wrong_payload(struct kunit *test)
{
	/* the 7th message, FINISH, over the secured session */
	connect_fails_on_a_bad_response(test, SPOIL_PAYLOAD, 7, "payload");
}

/*
 * The configuration page: reserved bits, and no certificate slot, are
 * refused; a session whose host did not ask for KEY_UPD gets no key
 * update asked of it.
 */
static void connect_checks_the_configuration_page(struct kunit *test)
{
	struct env *e = env_setup(test);
	struct tdx_spdm_config *cfg = page_address(e->config);
	u8 *raw = page_address(e->config);

	KUNIT_ASSERT_EQ(test, do_create(e), TDX_SUCCESS);
	cfg->vmm_spdm_cap |= BIT(0);
	KUNIT_EXPECT_EQ(test, do_connect(e), TDX_OPERAND_INVALID | TDX_OPERAND_ID_RDX);
	expect_refusal(test, e->fs, "configuration page");
	cfg->vmm_spdm_cap = TDX_SPDM_CFG_CAP_KEY_UPD;

	raw[sizeof(*cfg)] = 1;
	KUNIT_EXPECT_EQ(test, do_connect(e), TDX_OPERAND_INVALID | TDX_OPERAND_ID_RDX);
	raw[sizeof(*cfg)] = 0;

	cfg->cert_slot_mask = 0;
	KUNIT_EXPECT_EQ(test, do_connect(e), TDX_OPERAND_INVALID | TDX_OPERAND_ID_RDX);
	cfg->cert_slot_mask = TDX_SPDM_CFG_ALL_SLOTS;
	KUNIT_EXPECT_EQ(test, e->fs->nr_dev_msgs, 0);

	/* Without KEY_UPD the module does not ask for a key update. */
	cfg->vmm_spdm_cap = 0;
	e->fs->key_refresh = true;
	KUNIT_EXPECT_EQ(test, do_connect(e), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, tdx_fake_spdm_session(e->fs, FUNC_ID)->nr_key_updates, 0);
	KUNIT_EXPECT_EQ(test, do_disconnect(e), TDX_SUCCESS);
	do_delete(e);
}

static void connect_fails_on_the_devices_spdm_error(struct kunit *test)
{
	struct env *e = env_setup(test);

	KUNIT_ASSERT_EQ(test, do_create(e), TDX_SUCCESS);
	e->fs->error_nth = 4;
	KUNIT_EXPECT_EQ(test, do_connect(e), TDX_OPERAND_INVALID | TDX_OPERAND_ID_R8);
	expect_refusal(test, e->fs, "device answered ERROR");
	KUNIT_EXPECT_EQ(test, e->fs->nr_dev_msgs, 4);
	KUNIT_EXPECT_FALSE(test, tdx_fake_spdm_session(e->fs, FUNC_ID)->connected);
	/* A device's ERROR is no violation; the session may be deleted. */
	KUNIT_EXPECT_EQ(test, e->fake->nr_violations, 0);
	do_delete(e);
}

/* The wrapper clears the root page; a raw SEAMCALL that does not is caught. */
static void spdm_delete_reports_an_uncleared_release_root(struct kunit *test)
{
	struct tdx_module_args args = {};
	struct env *e = env_setup(test);
	u64 status;
	int ret;

	KUNIT_ASSERT_EQ(test, do_create(e), TDX_SUCCESS);
	e->fake->expect_violations = true;
	args.rcx = e->spdm_id;
	args.rdx = virt_to_phys(e->spdm_ho->root);
	scoped_guard(tdx_spdm_ide)
		status = tdx_seamcall_ver(TDH_SPDM_DELETE, 0, &args);
	KUNIT_EXPECT_EQ(test, status, TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, e->fake->nr_violations, 1);
	KUNIT_EXPECT_NOT_NULL(test, strstr(e->fake->violation, "root page"));
	/* The module wrote its list over the kernel's: the pages come back all the same. */
	ret = tdx_page_list_release_hpa_array(e->spdm_list, e->spdm_ho, "TDH.SPDM.DELETE",
					      status, args.rcx);
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(e->fake), 0);
}

static void extension_leaves_wait_for_extensions_init(struct kunit *test)
{
	struct env *e = env_setup(test);
	u64 spdm_id;

	e->fake->ext_initialized = false;
	scoped_guard(tdx_spdm_ide)
		KUNIT_EXPECT_EQ(test, tdh_spdm_create(FUNC_ID, e->spdm_ho, &spdm_id),
				TDX_SYS_NOT_READY);
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(e->fake), 0);
}

static void fail_nth_fails_one_call_without_side_effect(struct kunit *test)
{
	struct env *e = env_setup(test);

	e->fs->fail_nth = 1;
	e->fs->fail_status = TDX_OPERAND_BUSY;
	scoped_guard(tdx_spdm_ide)
		KUNIT_EXPECT_EQ(test, tdh_spdm_create(FUNC_ID, e->spdm_ho, &e->spdm_id),
				TDX_OPERAND_BUSY);
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(e->fake), 0);
	KUNIT_EXPECT_EQ(test, tdx_fake_spdm_nr_sessions(e->fs), 0);
	create_and_connect(e);
	disconnect_and_delete(e);
}

/* The device end checks what it is sent, whoever relays it. */
static void device_reports_a_request_out_of_sequence(struct kunit *test)
{
	struct env *e = env_setup(test);
	u8 req[8] = { TDX_FAKE_SPDM_VERSION, TDX_FAKE_SPDM_GET_CAPABILITIES };
	u8 rsp[64];

	KUNIT_ASSERT_EQ(test, do_create(e), TDX_SUCCESS);
	e->fake->expect_violations = true;
	KUNIT_EXPECT_EQ(test, tdx_fake_spdm_device(e->fs, FUNC_ID, PCI_DOE_FEATURE_CMA, req,
						   sizeof(req), rsp, sizeof(rsp)), 4);
	KUNIT_EXPECT_EQ(test, rsp[1], TDX_FAKE_SPDM_ERROR);
	KUNIT_EXPECT_EQ(test, e->fake->nr_violations, 1);
	/* GET_VERSION over the secured session is the wrong DOE type. */
	req[1] = TDX_FAKE_SPDM_GET_VERSION;
	KUNIT_EXPECT_EQ(test, tdx_fake_spdm_device(e->fs, FUNC_ID, PCI_DOE_FEATURE_SSESSION,
						   req, sizeof(req), rsp, sizeof(rsp)), 12);
	KUNIT_EXPECT_EQ(test, rsp[9], TDX_FAKE_SPDM_ERROR);
	KUNIT_EXPECT_EQ(test, e->fake->nr_violations, 2);
	KUNIT_EXPECT_EQ(test, tdx_fake_spdm_device(e->fs, FUNC_ID + 1, PCI_DOE_FEATURE_CMA,
						   req, sizeof(req), rsp, sizeof(rsp)), -ENODEV);
	KUNIT_EXPECT_EQ(test, e->fake->nr_violations, 3);
	do_delete(e);
}

static struct kunit_case tdx_fake_spdm_cases[] = {
	KUNIT_CASE(connect_with_key_update_to_delete_gives_every_page_back),
	KUNIT_CASE(create_refuses_a_wrong_page_count),
	KUNIT_CASE(create_refuses_reserved_function_id_bits),
	KUNIT_CASE(create_reports_a_page_written_after_its_flush),
	KUNIT_CASE(connect_checks_the_configuration_page),
	KUNIT_CASE(connect_refuses_a_response_of_the_wrong_doe_type),
	KUNIT_CASE(connect_refuses_a_response_of_the_wrong_length),
	KUNIT_CASE(connect_refuses_a_response_with_the_wrong_payload),
	KUNIT_CASE(connect_fails_on_the_devices_spdm_error),
	KUNIT_CASE(spdm_delete_reports_an_uncleared_release_root),
	KUNIT_CASE(extension_leaves_wait_for_extensions_init),
	KUNIT_CASE(fail_nth_fails_one_call_without_side_effect),
	KUNIT_CASE(device_reports_a_request_out_of_sequence),
	{}
};

static struct kunit_suite tdx_fake_spdm_suite = {
	.name = "tdx_fake_spdm",
	.test_cases = tdx_fake_spdm_cases,
};

kunit_test_suite(tdx_fake_spdm_suite);
