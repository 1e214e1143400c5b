// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the versioned SEAMCALL helper and the leaf table.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

#include <kunit/static_stub.h>
#include <kunit/test.h>

#include <asm/shared/tdx_errno.h>
#include <asm/tdx.h>

#include "tdx.h"

struct tdx_seamcall_ctx {
	u64 fn;
	u64 status;
	struct tdx_module_args in;
	struct tdx_module_args out;
	unsigned int nr_calls;
	unsigned int nr_reports;
	u64 report_fn;
	u64 report_status;
	struct tdx_module_args report_in;
	struct tdx_module_args report_out;
};

static u64 tdx_seamcall_test_enter(u64 fn, struct tdx_module_args *args)
{
	struct tdx_seamcall_ctx *ctx = kunit_get_current_test()->priv;

	ctx->fn = fn;
	ctx->nr_calls++;
	ctx->in = *args;
	*args = ctx->out;
	return ctx->status;
}

static void tdx_seamcall_test_report(u64 fn, u64 status,
				     const struct tdx_module_args *in,
				     const struct tdx_module_args *out)
{
	struct tdx_seamcall_ctx *ctx = kunit_get_current_test()->priv;

	ctx->nr_reports++;
	ctx->report_fn = fn;
	ctx->report_status = status;
	ctx->report_in = *in;
	ctx->report_out = *out;
}

static int tdx_seamcall_test_init(struct kunit *test)
{
	struct tdx_seamcall_ctx *ctx;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	test->priv = ctx;

	kunit_activate_static_stub(test, tdx_seamcall_enter, tdx_seamcall_test_enter);
	kunit_activate_static_stub(test, tdx_seamcall_report, tdx_seamcall_test_report);
	return 0;
}

/*
 * Every register, each value different from every other in either set, so
 * that a swap, a dropped register or an input echoed back as an output
 * shows.
 */
static const struct tdx_module_args tdx_seamcall_test_regs = {
	.rcx = 0x1c1c, .rdx = 0x1d1d, .r8 = 0x1808, .r9 = 0x1909,
	.r10 = 0x1010, .r11 = 0x1011, .r12 = 0x1012, .r13 = 0x1013,
	.r14 = 0x1014, .r15 = 0x1015, .rbx = 0x1b1b, .rdi = 0x1d11,
	.rsi = 0x1511,
};

static const struct tdx_module_args tdx_seamcall_test_out = {
	.rcx = 0x2c2c, .rdx = 0x2d2d, .r8 = 0x2808, .r9 = 0x2909,
	.r10 = 0x2010, .r11 = 0x2011, .r12 = 0x2012, .r13 = 0x2013,
	.r14 = 0x2014, .r15 = 0x2015, .rbx = 0x2b2b, .rdi = 0x2d11,
	.rsi = 0x2511,
};

/* Each register by name, so that a failure says which one. */
static void expect_regs(struct kunit *test, const struct tdx_module_args *got,
			const struct tdx_module_args *want)
{
	KUNIT_EXPECT_EQ(test, got->rcx, want->rcx);
	KUNIT_EXPECT_EQ(test, got->rdx, want->rdx);
	KUNIT_EXPECT_EQ(test, got->r8, want->r8);
	KUNIT_EXPECT_EQ(test, got->r9, want->r9);
	KUNIT_EXPECT_EQ(test, got->r10, want->r10);
	KUNIT_EXPECT_EQ(test, got->r11, want->r11);
	KUNIT_EXPECT_EQ(test, got->r12, want->r12);
	KUNIT_EXPECT_EQ(test, got->r13, want->r13);
	KUNIT_EXPECT_EQ(test, got->r14, want->r14);
	KUNIT_EXPECT_EQ(test, got->r15, want->r15);
	KUNIT_EXPECT_EQ(test, got->rbx, want->rbx);
	KUNIT_EXPECT_EQ(test, got->rdi, want->rdi);
	KUNIT_EXPECT_EQ(test, got->rsi, want->rsi);
}

/* Registers only, so that they can be walked as an array of u64. */
static_assert(sizeof(struct tdx_module_args) % sizeof(u64) == 0);

/* The two sets of test registers are what expect_regs() can tell apart. */
static void test_registers_are_distinct(struct kunit *test)
{
	const u64 *in = (const u64 *)&tdx_seamcall_test_regs;
	const u64 *out = (const u64 *)&tdx_seamcall_test_out;
	unsigned int nr = sizeof(struct tdx_module_args) / sizeof(u64);
	unsigned int i, j;

	for (i = 0; i < nr; i++) {
		for (j = 0; j < nr; j++) {
			KUNIT_EXPECT_NE(test, in[i], out[j]);
			if (i != j) {
				KUNIT_EXPECT_NE(test, in[i], in[j]);
				KUNIT_EXPECT_NE(test, out[i], out[j]);
			}
		}
	}
}

struct tdx_version_case {
	u16 leaf;
	u8 version;
	u64 rax;
};

static const struct tdx_version_case tdx_version_cases[] = {
	{ 45, 0, 0x00002d },
	{ 45, 1, 0x01002d },
	{ 61, 0, 0x00003d },
	{ 128, 2, 0x020080 },
	{ 0xffff, 0xff, 0xffffff },
};

static void tdx_version_case_desc(const struct tdx_version_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "leaf %u version %u", c->leaf, c->version);
}

KUNIT_ARRAY_PARAM(tdx_version, tdx_version_cases, tdx_version_case_desc);

/* RAX bits 15:0 are the leaf, bits 23:16 the version, nothing above. */
static void version_is_ored_into_rax_bits_23_16(struct kunit *test)
{
	const struct tdx_version_case *c = test->param_value;
	struct tdx_seamcall_ctx *ctx = test->priv;
	struct tdx_module_args args = {};

	tdx_seamcall_ver(c->leaf, c->version, &args);
	KUNIT_EXPECT_EQ(test, ctx->nr_calls, 1);
	KUNIT_EXPECT_EQ(test, ctx->fn, c->rax);
}

/* Inputs reach the module untouched and all outputs come back. */
static void registers_pass_through_both_ways(struct kunit *test)
{
	struct tdx_module_args args = tdx_seamcall_test_regs;
	struct tdx_seamcall_ctx *ctx = test->priv;

	ctx->out = tdx_seamcall_test_out;
	KUNIT_EXPECT_EQ(test, tdx_seamcall_ver(TDH_EXT_INIT, 0, &args), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, ctx->nr_calls, 1);
	KUNIT_EXPECT_EQ(test, ctx->fn, TDH_EXT_INIT);
	expect_regs(test, &ctx->in, &tdx_seamcall_test_regs);
	expect_regs(test, &args, &tdx_seamcall_test_out);
	KUNIT_EXPECT_EQ(test, ctx->nr_reports, 0);
}

static const u64 tdx_known_statuses[] = {
	TDX_SUCCESS,
	TDX_INTERRUPTED_RESUMABLE,
	TDX_OPERAND_BUSY | TDX_OPERAND_ID_RCX,
	TDX_OPERAND_INVALID | TDX_OPERAND_ID_RDX,
	0xC0000F5700000000ULL,
	0xC0000F4500000000ULL,
	/* TDX Connect refusals: DMAR_INVALID_INV_STATE, DEVIFMT_NOT_PRESENT */
	0xC0000F0800000001ULL,
	0xC0000F4000000001ULL,
};

static void tdx_status_desc(const u64 *status, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "0x%016llx", *status);
}

KUNIT_ARRAY_PARAM(tdx_known_status, tdx_known_statuses, tdx_status_desc);

/* A status some caller acts on is returned, not reported. */
static void known_status_is_returned_silently(struct kunit *test)
{
	struct tdx_seamcall_ctx *ctx = test->priv;
	struct tdx_module_args args = {};

	ctx->status = *(const u64 *)test->param_value;
	KUNIT_EXPECT_EQ(test, tdx_seamcall_ver(TDH_IOMMU_SETUP, 0, &args), ctx->status);
	KUNIT_EXPECT_EQ(test, ctx->nr_reports, 0);
}

static const u64 tdx_unknown_statuses[] = {
	TDX_OPERAND_ADDR_RANGE_ERROR | TDX_OPERAND_ID_RCX,
	TDX_PAGE_METADATA_INCORRECT,
	TDX_SYS_NOT_READY,
	TDX_SEAMCALL_VMFAILINVALID,
	TDX_SEAMCALL_GP,
};

KUNIT_ARRAY_PARAM(tdx_unknown_status, tdx_unknown_statuses, tdx_status_desc);

/* Anything else is returned and reported once with every register. */
static void unknown_status_is_reported_once_with_all_registers(struct kunit *test)
{
	struct tdx_module_args args = tdx_seamcall_test_regs;
	struct tdx_seamcall_ctx *ctx = test->priv;
	u64 status = *(const u64 *)test->param_value;

	ctx->status = status;
	ctx->out = tdx_seamcall_test_out;
	KUNIT_EXPECT_EQ(test, tdx_seamcall_ver(TDH_EXT_MEM_ADD, 1, &args), status);
	expect_regs(test, &ctx->in, &tdx_seamcall_test_regs);
	expect_regs(test, &args, &tdx_seamcall_test_out);
	KUNIT_ASSERT_EQ(test, ctx->nr_reports, 1);
	KUNIT_EXPECT_EQ(test, ctx->report_fn, TDH_EXT_MEM_ADD | (1ULL << 16));
	KUNIT_EXPECT_EQ(test, ctx->report_status, status);
	expect_regs(test, &ctx->report_in, &tdx_seamcall_test_regs);
	expect_regs(test, &ctx->report_out, &tdx_seamcall_test_out);
	KUNIT_EXPECT_STREQ(test, tdx_leaf_name(ctx->report_fn), "TDH.EXT.MEM.ADD");
}

/* The leaf numbers of the TDX Connect ABI, written out independently. */
static void leaf_numbers_match_the_abi(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, TDH_SYS_CONFIG, 45);
	KUNIT_EXPECT_EQ(test, TDH_EXT_INIT, 60);
	KUNIT_EXPECT_EQ(test, TDH_EXT_MEM_ADD, 61);
	KUNIT_EXPECT_EQ(test, TDH_IOMMU_SETUP, 128);
	KUNIT_EXPECT_EQ(test, TDH_IOMMU_CLEAR, 129);
	KUNIT_EXPECT_EQ(test, TDH_SPDM_CREATE, 130);
	KUNIT_EXPECT_EQ(test, TDH_SPDM_DELETE, 131);
	KUNIT_EXPECT_EQ(test, TDH_IDE_STREAM_CREATE, 132);
	KUNIT_EXPECT_EQ(test, TDH_IDE_STREAM_BLOCK, 133);
	KUNIT_EXPECT_EQ(test, TDH_IDE_STREAM_DELETE, 134);
	KUNIT_EXPECT_EQ(test, TDH_IDE_STREAM_KM, 135);
	KUNIT_EXPECT_EQ(test, TDH_SPDM_CONNECT, 142);
	KUNIT_EXPECT_EQ(test, TDH_SPDM_DISCONNECT, 143);
	KUNIT_EXPECT_EQ(test, TDH_SPDM_MNG, 144);
	KUNIT_EXPECT_EQ(test, TDH_DEVIF_CREATE, 137);
	KUNIT_EXPECT_EQ(test, TDH_DEVIF_RESPONSE, 140);
	KUNIT_EXPECT_EQ(test, TDH_DMAR_ADD, 150);
	KUNIT_EXPECT_EQ(test, TDH_MMIO_UNMAP, 160);
	KUNIT_EXPECT_EQ(test, TDH_DEVIFMT_RD, 166);
}

/* Names follow the specification; the version does not change them. */
static void leaf_names_ignore_the_version(struct kunit *test)
{
	KUNIT_EXPECT_STREQ(test, tdx_leaf_name(TDH_SYS_CONFIG), "TDH.SYS.CONFIG");
	KUNIT_EXPECT_STREQ(test, tdx_leaf_name(TDH_SYS_CONFIG | (1ULL << 16)),
			   "TDH.SYS.CONFIG");
	KUNIT_EXPECT_STREQ(test, tdx_leaf_name(TDH_IOMMU_CLEAR), "TDH.IOMMU.CLEAR");
	KUNIT_EXPECT_STREQ(test, tdx_leaf_name(TDH_PHYMEM_PAGE_WBINVD), "TDH.PHYMEM.PAGE.WBINVD");
	KUNIT_EXPECT_STREQ(test, tdx_leaf_name(TDH_DEVIFMT_RD), "TDH.DEVIFMT.RD");
	KUNIT_EXPECT_STREQ(test, tdx_leaf_name(TDH_VP_ENTER), "unknown leaf");
	KUNIT_EXPECT_STREQ(test, tdx_leaf_name(0xffff), "unknown leaf");
}

static struct kunit_case tdx_seamcall_test_cases[] = {
	KUNIT_CASE(test_registers_are_distinct),
	KUNIT_CASE_PARAM(version_is_ored_into_rax_bits_23_16, tdx_version_gen_params),
	KUNIT_CASE(registers_pass_through_both_ways),
	KUNIT_CASE_PARAM(known_status_is_returned_silently, tdx_known_status_gen_params),
	KUNIT_CASE_PARAM(unknown_status_is_reported_once_with_all_registers,
			 tdx_unknown_status_gen_params),
	KUNIT_CASE(leaf_numbers_match_the_abi),
	KUNIT_CASE(leaf_names_ignore_the_version),
	{}
};

static struct kunit_suite tdx_seamcall_test_suite = {
	.name = "tdx_seamcall",
	.init = tdx_seamcall_test_init,
	.test_cases = tdx_seamcall_test_cases,
};

kunit_test_suite(tdx_seamcall_test_suite);
