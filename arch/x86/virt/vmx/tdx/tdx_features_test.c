// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for TDX Connect feature detection.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

#include <kunit/test.h>
#include <asm/tdx.h>

struct tdx_features_case {
	const char *desc;
	u64 tdx_features0;
	bool tdx_connect;
};

static const struct tdx_features_case tdx_features_cases[] = {
	{ "no features", 0, false },
	{ "TDX Connect alone", BIT_ULL(6), true },
	{ "TDX Connect and Extensions", BIT_ULL(6) | BIT_ULL(39), true },
	{ "Extensions without TDX Connect", BIT_ULL(39), false },
	{ "every feature but TDX Connect", ~BIT_ULL(6), false },
	{ "every feature", ~0ULL, true },
};

static void tdx_features_case_desc(const struct tdx_features_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(tdx_features, tdx_features_cases, tdx_features_case_desc);

/* TDX_FEATURES0 bit 6 alone decides; no other bit implies it. */
static void tdx_connect_follows_features0_bit6(struct kunit *test)
{
	const struct tdx_features_case *c = test->param_value;
	struct tdx_sys_info sysinfo = {
		.features.tdx_features0 = c->tdx_features0,
	};

	KUNIT_EXPECT_EQ(test, tdx_supports_tdx_connect(&sysinfo), c->tdx_connect);
}

/* The field layout of the ABI, independent of the helper above. */
static void tdx_connect_feature_bit_is_bit6(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, TDX_FEATURES0_TDX_CONNECT, BIT_ULL(6));
	KUNIT_EXPECT_EQ(test, TDX_FEATURES0_TDX_CONNECT &
			(TDX_FEATURES0_TD_PRESERVING | TDX_FEATURES0_NO_RBP_MOD), 0);
}

static struct kunit_case tdx_features_test_cases[] = {
	KUNIT_CASE_PARAM(tdx_connect_follows_features0_bit6, tdx_features_gen_params),
	KUNIT_CASE(tdx_connect_feature_bit_is_bit6),
	{}
};

static struct kunit_suite tdx_features_test_suite = {
	.name = "tdx_features",
	.test_cases = tdx_features_test_cases,
};

kunit_test_suite(tdx_features_test_suite);
