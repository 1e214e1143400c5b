// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the one-caller rule of the Extensions against the fake
 * TDX module's SPDM sessions: another Extension leaf while an operation
 * waits for the device's response, and a second caller inside the
 * module, with and without the Extensions lock.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/kthread.h>
#include <linux/sched.h>

#include <kunit/test.h>

#include "tdx_fake_spdm_test.h"

/* Another Extension leaf while CONNECT waits for the device's response. */
static void another_leaf_while_connect_is_open_is_busy(struct kunit *test)
{
	struct env *e = env_setup(test);
	u64 status, busy, len, other;
	int i;

	KUNIT_ASSERT_EQ(test, do_create(e), TDX_SUCCESS);
	e->fake->expect_violations = true;
	scoped_guard(tdx_spdm_ide) {
		status = tdh_spdm_connect(e->spdm_id, e->config, e->rsp, e->req,
					  e->dev_info, &len);
		KUNIT_EXPECT_EQ(test, status, TDX_SPDM_REQUEST);
		busy = tdh_spdm_mng(e->spdm_id, TDX_SPDM_MNG_HEARTBEAT, e->rsp, e->req, &other);
		KUNIT_EXPECT_EQ(test, busy, TDX_OPERAND_BUSY);
		busy = tdh_spdm_disconnect(e->spdm_id + 1, e->rsp, e->req, &other);
		KUNIT_EXPECT_EQ(test, busy, TDX_OPERAND_BUSY);

		/* The open operation goes on to its end. */
		for (i = 0; i < 32 && status == TDX_SPDM_REQUEST; i++) {
			if (relay(e, len))
				break;
			status = tdh_spdm_connect(e->spdm_id, e->config, e->rsp, e->req,
						  e->dev_info, &len);
		}
		KUNIT_EXPECT_EQ(test, status, TDX_SUCCESS);
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&e->fake->nr_ext_busy), 2);
	KUNIT_EXPECT_EQ(test, e->fake->nr_violations, 2);
	KUNIT_EXPECT_NOT_NULL(test, strstr(e->fake->violation, "waits for its response"));

	/* Then anything may follow. */
	e->fake->expect_violations = false;
	KUNIT_EXPECT_EQ(test, do_mng(e, TDX_SPDM_MNG_HEARTBEAT), TDX_SUCCESS);
	disconnect_and_delete(e);
}

/* A caller in a thread. */
struct caller {
	struct env *e;
	bool take_lock;
	u64 status;
	u64 len;
	struct completion done;
};

/*
 * With @take_lock, a whole heartbeat as tdx-host runs it; without, one
 * SEAMCALL of it as a wrapper that dropped the lock would make it.
 */
static int caller_thread(void *data)
{
	struct caller *c = data;
	struct env *e = c->e;
	struct tdx_module_args args = {
		.rcx = e->spdm_id, .rdx = TDX_SPDM_MNG_HEARTBEAT,
		.r8 = page_to_phys(e->rsp), .r9 = page_to_phys(e->req),
	};

	/* The static stub follows the KUnit test of the current task. */
	current->kunit_test = e->test;
	if (c->take_lock) {
		c->status = do_mng(e, TDX_SPDM_MNG_HEARTBEAT);
	} else {
		c->status = tdx_seamcall_ver(TDH_SPDM_MNG, 0, &args);
		c->len = args.rcx;
	}
	current->kunit_test = NULL;
	complete(&c->done);
	return 0;
}

static void start_caller(struct kunit *test, struct caller *c, struct env *e, bool take_lock)
{
	struct task_struct *t;

	*c = (struct caller) { .e = e, .take_lock = take_lock };
	init_completion(&c->done);
	t = kthread_run(caller_thread, c, "tdx_fake_spdm_test");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
}

/*
 * A first caller held inside its SEAMCALL (the fake's ext_hold), and a
 * second one.  With @take_lock both take the Extensions lock and the
 * second waits for the first; without it, as if a wrapper had dropped
 * the lock, the second overlaps and the fake refuses it.  Returns the
 * number of calls refused busy.
 */
static int two_callers(struct kunit *test, bool take_lock)
{
	struct env *e = env_setup(test);
	struct completion entered, hold;
	struct caller a, b;
	u64 status, len;
	int busy;

	create_and_connect(e);
	init_completion(&entered);
	init_completion(&hold);
	e->fake->expect_violations = !take_lock;
	e->fake->ext_entered = &entered;
	e->fake->ext_hold = &hold;

	start_caller(test, &a, e, take_lock);
	KUNIT_ASSERT_GT(test, wait_for_completion_timeout(&entered, 10 * HZ), 0);
	/* The first caller is inside TDH.SPDM.MNG now, and stays there. */
	if (take_lock) {
		start_caller(test, &b, e, true);
		msleep(50);
		KUNIT_EXPECT_FALSE(test, completion_done(&b.done));
		KUNIT_EXPECT_EQ(test, atomic_read(&e->fake->nr_ext_busy), 0);
		complete_all(&hold);
		wait_for_completion(&a.done);
		wait_for_completion(&b.done);
		KUNIT_EXPECT_EQ(test, a.status, TDX_SUCCESS);
		KUNIT_EXPECT_EQ(test, b.status, TDX_SUCCESS);
	} else {
		struct tdx_module_args args = { .rcx = e->spdm_id, .rdx = 1 };

		KUNIT_EXPECT_EQ(test, tdx_seamcall_ver(TDH_IDE_STREAM_BLOCK, 0, &args),
				TDX_OPERAND_BUSY);
		complete_all(&hold);
		wait_for_completion(&a.done);
		KUNIT_EXPECT_EQ(test, a.status, TDX_SPDM_REQUEST);
		/* Finish the first caller's heartbeat, as its caller would have. */
		KUNIT_EXPECT_EQ(test, relay(e, a.len), 0);
		scoped_guard(tdx_spdm_ide)
			status = tdh_spdm_mng(e->spdm_id, TDX_SPDM_MNG_HEARTBEAT, e->rsp,
					      e->req, &len);
		KUNIT_EXPECT_EQ(test, status, TDX_SUCCESS);
	}
	busy = atomic_read(&e->fake->nr_ext_busy);

	e->fake->ext_entered = NULL;
	e->fake->ext_hold = NULL;
	e->fake->expect_violations = false;
	disconnect_and_delete(e);
	return busy;
}

static void a_second_caller_inside_the_module_is_busy(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, two_callers(test, false), 1);
}

static void the_lock_keeps_a_second_caller_out(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, two_callers(test, true), 0);
}

static struct kunit_case tdx_fake_spdm_one_caller_cases[] = {
	KUNIT_CASE(another_leaf_while_connect_is_open_is_busy),
	KUNIT_CASE(a_second_caller_inside_the_module_is_busy),
	KUNIT_CASE(the_lock_keeps_a_second_caller_out),
	{}
};

static struct kunit_suite tdx_fake_spdm_one_caller_suite = {
	.name = "tdx_fake_spdm_one_caller",
	.test_cases = tdx_fake_spdm_one_caller_cases,
};

kunit_test_suite(tdx_fake_spdm_one_caller_suite);
