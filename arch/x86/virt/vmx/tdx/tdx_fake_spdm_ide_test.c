// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the IDE stream wrappers against the fake TDX module's
 * IDE streams, on a session connected through the fake device: each
 * rule of the order of stream setup and teardown broken once and
 * refused.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

#include <kunit/test.h>

#include "tdx_fake_spdm_test.h"

static void ide_km_fails_on_the_devices_spdm_error(struct kunit *test)
{
	struct env *e = env_setup(test);
	struct tdx_ide_stream_cfg cfg = stream_cfg();
	struct stream s = {};

	create_and_connect(e);
	KUNIT_ASSERT_EQ(test, stream_create(e, &s, stream_info(), &cfg), TDX_SUCCESS);
	e->fs->error_nth = e->fs->nr_dev_msgs + 2;
	KUNIT_EXPECT_EQ(test, do_km(e, &s, TDX_IDE_KM_SETUP),
			TDX_OPERAND_INVALID | TDX_OPERAND_ID_R9);
	expect_refusal(test, e->fs, "device answered ERROR");
	KUNIT_EXPECT_FALSE(test, tdx_fake_spdm_stream(e->fs, s.id)->keyed);
	KUNIT_EXPECT_FALSE(test, tdx_fake_spdm_device_keyed(e->fs, FUNC_ID, s.id));
	stream_teardown(e, &s);
	disconnect_and_delete(e);
}

static void spdm_delete_is_refused_while_streams_exist_or_connected(struct kunit *test)
{
	struct env *e = env_setup(test);
	struct tdx_ide_stream_cfg cfg = stream_cfg();
	struct stream s = {};
	u64 released;

	create_and_connect(e);
	KUNIT_ASSERT_EQ(test, stream_create(e, &s, stream_info(), &cfg), TDX_SUCCESS);
	scoped_guard(tdx_spdm_ide)
		KUNIT_EXPECT_EQ(test, tdh_spdm_delete(e->spdm_id, e->spdm_ho, &released),
				TDX_OPERAND_INVALID | TDX_OPERAND_ID_RCX);
	expect_refusal(test, e->fs, "has 1 streams");
	KUNIT_EXPECT_EQ(test, do_disconnect(e), TDX_OPERAND_INVALID | TDX_OPERAND_ID_RCX);
	stream_teardown(e, &s);
	scoped_guard(tdx_spdm_ide)
		KUNIT_EXPECT_EQ(test, tdh_spdm_delete(e->spdm_id, e->spdm_ho, &released),
				TDX_OPERAND_INVALID | TDX_OPERAND_ID_RCX);
	expect_refusal(test, e->fs, "connected");
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(e->fake), 2);
	disconnect_and_delete(e);
}

static void stream_block_is_refused_before_km_stop(struct kunit *test)
{
	struct env *e = env_setup(test);
	struct tdx_ide_stream_cfg cfg = stream_cfg();
	struct stream s = {};

	create_and_connect(e);
	KUNIT_ASSERT_EQ(test, stream_create(e, &s, stream_info(), &cfg), TDX_SUCCESS);
	KUNIT_ASSERT_EQ(test, do_km(e, &s, TDX_IDE_KM_SETUP), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, stream_block(e, &s), TDX_OPERAND_INVALID | TDX_OPERAND_ID_RDX);
	expect_refusal(test, e->fs, "KM stop first");
	KUNIT_EXPECT_FALSE(test, tdx_fake_spdm_stream(e->fs, s.id)->blocked);
	KUNIT_EXPECT_EQ(test, do_km(e, &s, TDX_IDE_KM_STOP), TDX_SUCCESS);
	stream_teardown(e, &s);
	disconnect_and_delete(e);
}

static void stream_delete_is_refused_before_block(struct kunit *test)
{
	struct env *e = env_setup(test);
	struct tdx_ide_stream_cfg cfg = stream_cfg();
	struct stream s = {};

	create_and_connect(e);
	KUNIT_ASSERT_EQ(test, stream_create(e, &s, stream_info(), &cfg), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, stream_delete(e, &s), TDX_OPERAND_INVALID | TDX_OPERAND_ID_RDX);
	expect_refusal(test, e->fs, "not blocked");
	KUNIT_EXPECT_TRUE(test, tdx_fake_owns(e->fake, page_to_phys(s.list->pages[0])));
	stream_teardown(e, &s);
	disconnect_and_delete(e);
}

static void stream_create_fails_when_streams_run_out(struct kunit *test)
{
	struct env *e = env_setup(test);
	struct tdx_ide_stream_cfg cfg = stream_cfg();
	struct stream s = {}, t = {};

	e->fs->max_streams = 1;
	create_and_connect(e);
	KUNIT_ASSERT_EQ(test, stream_create(e, &s, stream_info(), &cfg), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, stream_create(e, &t, stream_info(), &cfg),
			TDX_OPERAND_INVALID | TDX_OPERAND_ID_RCX);
	expect_refusal(test, e->fs, "no IDE stream left");
	KUNIT_EXPECT_FALSE(test, tdx_fake_owns(e->fake, page_to_phys(t.list->pages[0])));
	KUNIT_EXPECT_EQ(test, tdx_fake_spdm_nr_streams(e->fs), 1);
	stream_teardown(e, &s);
	disconnect_and_delete(e);
}

static void stream_create_refuses(struct kunit *test, u64 info, struct tdx_ide_stream_cfg *cfg,
				  u64 status, const char *why)
{
	struct env *e = env_setup(test);
	struct stream s = {};

	create_and_connect(e);
	KUNIT_EXPECT_EQ(test, stream_create(e, &s, info, cfg), status);
	expect_refusal(test, e->fs, why);
	KUNIT_EXPECT_EQ(test, tdx_fake_spdm_nr_streams(e->fs), 0);
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(e->fake), 2);
	disconnect_and_delete(e);
}

static void stream_create_refuses_a_link_stream(struct kunit *test)
{
	struct tdx_ide_stream_cfg cfg = stream_cfg();

	stream_create_refuses(test, stream_info() & ~TDX_IDE_STREAM_INFO_SELECTIVE, &cfg,
			      TDX_OPERAND_INVALID | TDX_OPERAND_ID_RCX, "link streams");
}

static void stream_create_refuses_nonzero_stream_control(struct kunit *test)
{
	struct tdx_ide_stream_cfg cfg = stream_cfg();

	cfg.ctrl = PCI_IDE_SEL_CTL_EN;
	stream_create_refuses(test, stream_info(), &cfg,
			      TDX_OPERAND_INVALID | TDX_OPERAND_ID_R9, "stream control");
}

static void stream_create_refuses_an_invalid_rid_association(struct kunit *test)
{
	struct tdx_ide_stream_cfg cfg = stream_cfg();

	cfg.rid_assoc[1] &= ~(u64)PCI_IDE_SEL_RID_2_VALID;
	stream_create_refuses(test, stream_info(), &cfg, TDX_OPERAND_INVALID | 0x0b,
			      "RID association 2");
}

static void stream_create_refuses_an_unconnected_session(struct kunit *test)
{
	struct env *e = env_setup(test);
	struct tdx_ide_stream_cfg cfg = stream_cfg();
	struct stream s = {};

	KUNIT_ASSERT_EQ(test, do_create(e), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, stream_create(e, &s, stream_info(), &cfg),
			TDX_OPERAND_INVALID | TDX_OPERAND_ID_RDX);
	expect_refusal(test, e->fs, "not connected");
	do_delete(e);
}

static struct kunit_case tdx_fake_spdm_ide_cases[] = {
	KUNIT_CASE(ide_km_fails_on_the_devices_spdm_error),
	KUNIT_CASE(spdm_delete_is_refused_while_streams_exist_or_connected),
	KUNIT_CASE(stream_block_is_refused_before_km_stop),
	KUNIT_CASE(stream_delete_is_refused_before_block),
	KUNIT_CASE(stream_create_fails_when_streams_run_out),
	KUNIT_CASE(stream_create_refuses_a_link_stream),
	KUNIT_CASE(stream_create_refuses_nonzero_stream_control),
	KUNIT_CASE(stream_create_refuses_an_invalid_rid_association),
	KUNIT_CASE(stream_create_refuses_an_unconnected_session),
	{}
};

static struct kunit_suite tdx_fake_spdm_ide_suite = {
	.name = "tdx_fake_spdm_ide",
	.test_cases = tdx_fake_spdm_ide_cases,
};

kunit_test_suite(tdx_fake_spdm_ide_suite);
