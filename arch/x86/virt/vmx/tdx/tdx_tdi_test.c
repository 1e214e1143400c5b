// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the TDI lifecycle SEAMCALL wrappers and for the fake TDI
 * model that later suites drive them against: the registers each wrapper
 * passes in and reads out, every refusal the fake makes, and a whole
 * lifecycle in the order the module enforces.
 *
 * None of these leaves is resumable, so there are no resume loops to
 * interrupt.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

#include <linux/bitfield.h>
#include <linux/mm.h>
#include <linux/string.h>
#include <linux/unaligned.h>

#include <kunit/static_stub.h>
#include <kunit/test.h>

#include <asm/shared/tdx_errno.h>
#include <asm/tdx.h>
#include <asm/tdx_fake_module.h>
#include <asm/tdx_fake_tdi.h>
#include <asm/tdx_tdi.h>

#include "tdx.h"

/* 0000:03:02.1 and another function on another bus */
#define TEST_FUNC	0x0311ULL
#define TEST_FUNC2	0x0500ULL
#define TEST_IOMMU	0x101ULL
#define TEST_STREAM	0x3ULL
#define TEST_VM		0x12345000ULL
#define TEST_VM2	0x23456000ULL
#define TEST_MMIO	0xfe001000ULL
#define TEST_GPA	(FIELD_PREP_CONST(TDX_GPA_INFO_GPA, PHYS_PFN(0x80000000ULL)) | \
			 FIELD_PREP_CONST(TDX_GPA_INFO_LEVEL, TDX_MMIOMT_LEVEL_4K))

#define DEVIFMT_IDX(func)	(FIELD_PREP_CONST(TDX_DEVIFMT_IDX_FUNC_ID, func) | \
				 FIELD_PREP_CONST(TDX_DEVIFMT_IDX_LEVEL, \
						  TDX_DEVIFMT_LEVEL_LEAF_PAGE))
#define DEVIF_ID(func)		(FIELD_PREP_CONST(TDX_DEVIF_ID_FUNC_ID, func) | \
				 FIELD_PREP_CONST(TDX_DEVIF_ID_IOMMU_ID, TEST_IOMMU) | \
				 FIELD_PREP_CONST(TDX_DEVIF_ID_STREAM_ID, TEST_STREAM))
#define DMAR_IDX(func, level)	(FIELD_PREP_CONST(TDX_DMAR_IDX_IOMMU_ID, TEST_IOMMU) | \
				 FIELD_PREP_CONST(TDX_DMAR_IDX_RID, (func) & TDX_FUNC_ID_RID) | \
				 FIELD_PREP_CONST(TDX_DMAR_IDX_LEVEL, level))
#define MMIOMT_IDX(pa, level)	(((pa) & TDX_MMIOMT_IDX_PA) | \
				 FIELD_PREP_CONST(TDX_MMIOMT_IDX_LEVEL, level))
#define MMIO_DATA(func)		(FIELD_PREP_CONST(TDX_MMIOMT_SET_TYPE, TDX_MMIOMT_TYPE_DATA) | \
				 FIELD_PREP_CONST(TDX_MMIOMT_SET_FUNC_ID, func))
#define MMIO_QNODE		FIELD_PREP_CONST(TDX_MMIOMT_SET_TYPE, TDX_MMIOMT_TYPE_QNODE)
#define REQ(code)		FIELD_PREP_CONST(TDX_DEVIF_REQ_CODE, code)

/* ---- Registers of each wrapper, against a recording stand-in ---- */

struct tdi_rec {
	unsigned int nr;
	u64 fn;
	struct tdx_module_args in;
	struct tdx_module_args out;
	u64 status;
};

static u64 rec_enter(u64 fn, struct tdx_module_args *args)
{
	struct tdi_rec *rec = kunit_get_current_test()->priv;

	rec->nr++;
	rec->fn = fn;
	rec->in = *args;
	*args = rec->out;
	return rec->status;
}

static struct tdi_rec *recording(struct kunit *test)
{
	struct tdi_rec *rec = kunit_kzalloc(test, sizeof(*rec), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, rec);
	test->priv = rec;
	kunit_activate_static_stub(test, tdx_seamcall_enter, rec_enter);
	return rec;
}

KUNIT_DEFINE_ACTION_WRAPPER(free_page_action, __free_page, struct page *);

static struct page *test_page(struct kunit *test)
{
	struct page *page = alloc_page(GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, free_page_action, page), 0);
	return page;
}

/* Exactly one call, to version 0 of @leaf, with exactly the registers @in. */
static void expect_call(struct kunit *test, const struct tdi_rec *rec, u16 leaf,
			const struct tdx_module_args *in)
{
	KUNIT_EXPECT_EQ(test, rec->nr, 1);
	KUNIT_EXPECT_EQ(test, rec->fn, leaf);
	KUNIT_EXPECT_EQ(test, rec->in.rcx, in->rcx);
	KUNIT_EXPECT_EQ(test, rec->in.rdx, in->rdx);
	KUNIT_EXPECT_EQ(test, rec->in.r8, in->r8);
	KUNIT_EXPECT_EQ(test, rec->in.r9, in->r9);
	KUNIT_EXPECT_EQ(test, rec->in.r10, in->r10);
	KUNIT_EXPECT_EQ(test, rec->in.r11, in->r11);
	KUNIT_EXPECT_EQ(test, rec->in.r12, in->r12);
	KUNIT_EXPECT_EQ(test, rec->in.r13, in->r13);
	KUNIT_EXPECT_EQ(test, rec->in.r14, in->r14);
	KUNIT_EXPECT_EQ(test, rec->in.r15, in->r15);
}

static void regs_devifmt(struct kunit *test, struct tdi_rec *rec)
{
	struct page *page = test_page(test);
	u64 out = 0;

	rec->status = TDX_OPERAND_BUSY;
	KUNIT_EXPECT_EQ(test, tdh_devifmt_add(DEVIFMT_IDX(TEST_FUNC), page), TDX_OPERAND_BUSY);
	expect_call(test, rec, TDH_DEVIFMT_ADD, &(struct tdx_module_args) {
		.rcx = DEVIFMT_IDX(TEST_FUNC), .rdx = page_to_phys(page) });

	*rec = (struct tdi_rec) { .out.rcx = 0xabc000 };
	KUNIT_EXPECT_EQ(test, tdh_devifmt_remove(DEVIFMT_IDX(TEST_FUNC), &out), TDX_SUCCESS);
	expect_call(test, rec, TDH_DEVIFMT_REMOVE, &(struct tdx_module_args) {
		.rcx = DEVIFMT_IDX(TEST_FUNC) });
	KUNIT_EXPECT_EQ(test, out, 0xabc000);

	*rec = (struct tdi_rec) { .out.rcx = 0xdef001 };
	KUNIT_EXPECT_EQ(test, tdh_devifmt_rd(DEVIFMT_IDX(TEST_FUNC2), &out), TDX_SUCCESS);
	expect_call(test, rec, TDH_DEVIFMT_RD, &(struct tdx_module_args) {
		.rcx = DEVIFMT_IDX(TEST_FUNC2) });
	KUNIT_EXPECT_EQ(test, out, 0xdef001);
}

static void regs_devif_create_remove(struct kunit *test, struct tdi_rec *rec)
{
	struct page *cs = test_page(test), *td = test_page(test), *vmm = test_page(test);
	u64 td_pa = 0, vmm_pa = 0, vm = 0;

	KUNIT_EXPECT_EQ(test, tdh_devif_create(DEVIF_ID(TEST_FUNC), TEST_VM, cs, td, vmm),
			TDX_SUCCESS);
	expect_call(test, rec, TDH_DEVIF_CREATE, &(struct tdx_module_args) {
		.rcx = DEVIF_ID(TEST_FUNC), .rdx = TEST_VM, .r8 = page_to_phys(cs),
		.r9 = page_to_phys(td), .r10 = page_to_phys(vmm) });

	*rec = (struct tdi_rec) {
		.status = TDX_DEVIF_HAS_MAPPED_DMA | TDX_OPERAND_ID_RCX,
		.out = { .rcx = 0x1000, .rdx = 0x2000, .r8 = 0x3000 },
	};
	KUNIT_EXPECT_EQ(test, tdh_devif_remove(TEST_FUNC, &td_pa, &vmm_pa, &vm),
			TDX_DEVIF_HAS_MAPPED_DMA | TDX_OPERAND_ID_RCX);
	expect_call(test, rec, TDH_DEVIF_REMOVE, &(struct tdx_module_args) { .rcx = TEST_FUNC });
	KUNIT_EXPECT_EQ(test, td_pa, 0x1000);
	KUNIT_EXPECT_EQ(test, vmm_pa, 0x2000);
	KUNIT_EXPECT_EQ(test, vm, 0x3000);
}

static void regs_devif_request_response(struct kunit *test, struct tdi_rec *rec)
{
	struct page *req = test_page(test), *rsp = test_page(test), *out = test_page(test);
	u64 val = 0;

	rec->out.rcx = 0x0c83;
	KUNIT_EXPECT_EQ(test, tdh_devif_request(TEST_FUNC, REQ(TDX_TDISP_LOCK_INTERFACE_REQ) |
						TDX_DEVIF_REQ_NO_FW_UPDATE, req, &val),
			TDX_SUCCESS);
	expect_call(test, rec, TDH_DEVIF_REQUEST, &(struct tdx_module_args) {
		.rcx = TEST_FUNC, .rdx = 0x183, .r8 = page_to_phys(req) });
	KUNIT_EXPECT_EQ(test, val, 0x0c83);

	*rec = (struct tdi_rec) { .out.rcx = 0x02000c05 };
	KUNIT_EXPECT_EQ(test, tdh_devif_response(TEST_FUNC, rsp, false, out, &val), TDX_SUCCESS);
	expect_call(test, rec, TDH_DEVIF_RESPONSE, &(struct tdx_module_args) {
		.rcx = TEST_FUNC, .rdx = page_to_phys(rsp), .r8 = page_to_phys(out) });
	KUNIT_EXPECT_EQ(test, val, 0x02000c05);

	/* The TD flag in bit 63, no output page: R8 is 0. */
	*rec = (struct tdi_rec) {};
	KUNIT_EXPECT_EQ(test, tdh_devif_response(TEST_FUNC, rsp, true, NULL, &val), TDX_SUCCESS);
	expect_call(test, rec, TDH_DEVIF_RESPONSE, &(struct tdx_module_args) {
		.rcx = TEST_FUNC, .rdx = page_to_phys(rsp) | BIT_ULL(63) });
}

static void regs_dmar(struct kunit *test, struct tdi_rec *rec)
{
	struct tdx_dmar_entry e = { .qw = { 1, 2, 3, 4, 5, 6, 7, 8 } }, got = {};
	u64 idx = DMAR_IDX(TEST_FUNC, TDX_DMAR_LEVEL_PASIDTE);
	unsigned int i;

	KUNIT_EXPECT_EQ(test, tdh_dmar_add(idx, &e), TDX_SUCCESS);
	expect_call(test, rec, TDH_DMAR_ADD, &(struct tdx_module_args) {
		.rcx = idx, .rdx = 1, .r8 = 2, .r9 = 3, .r10 = 4, .r11 = 5, .r12 = 6,
		.r13 = 7, .r14 = 8 });

	*rec = (struct tdi_rec) {};
	KUNIT_EXPECT_EQ(test, tdh_dmar_block(idx), TDX_SUCCESS);
	expect_call(test, rec, TDH_DMAR_BLOCK, &(struct tdx_module_args) { .rcx = idx });

	*rec = (struct tdi_rec) {
		.out = { .rcx = 99, .rdx = 11, .r8 = 12, .r9 = 13, .r10 = 14, .r11 = 15,
			 .r12 = 16, .r13 = 17, .r14 = 18 },
	};
	KUNIT_EXPECT_EQ(test, tdh_dmar_read(idx, &got), TDX_SUCCESS);
	expect_call(test, rec, TDH_DMAR_READ, &(struct tdx_module_args) { .rcx = idx });
	for (i = 0; i < TDX_DMAR_ENTRY_QWORDS; i++)
		KUNIT_EXPECT_EQ(test, got.qw[i], 11 + i);

	*rec = (struct tdi_rec) {};
	KUNIT_EXPECT_EQ(test, tdh_dmar_remove(idx), TDX_SUCCESS);
	expect_call(test, rec, TDH_DMAR_REMOVE, &(struct tdx_module_args) { .rcx = idx });
}

static void regs_mmiomt(struct kunit *test, struct tdi_rec *rec)
{
	u64 idx2m = MMIOMT_IDX(TEST_MMIO, TDX_MMIOMT_LEVEL_2M);
	u64 idx4k = MMIOMT_IDX(TEST_MMIO, TDX_MMIOMT_LEVEL_4K);
	struct page *page = test_page(test);
	struct tdx_mmiomt_entry e = {};
	u64 pfn = 0;

	KUNIT_EXPECT_EQ(test, tdh_mmiomt_add(idx2m, page), TDX_SUCCESS);
	expect_call(test, rec, TDH_MMIOMT_ADD, &(struct tdx_module_args) {
		.rcx = idx2m, .rdx = page_to_phys(page) });

	*rec = (struct tdi_rec) {};
	KUNIT_EXPECT_EQ(test, tdh_mmiomt_set(idx4k, MMIO_DATA(TEST_FUNC)), TDX_SUCCESS);
	expect_call(test, rec, TDH_MMIOMT_SET, &(struct tdx_module_args) {
		.rcx = idx4k, .rdx = MMIO_DATA(TEST_FUNC) });
	KUNIT_EXPECT_EQ(test, rec->in.rdx, 0x311001);

	*rec = (struct tdi_rec) { .out = { .rcx = 21, .rdx = 22, .r8 = 23, .r9 = 24, .r10 = 25 } };
	KUNIT_EXPECT_EQ(test, tdh_mmiomt_rd(idx4k, &e), TDX_SUCCESS);
	expect_call(test, rec, TDH_MMIOMT_RD, &(struct tdx_module_args) { .rcx = idx4k });
	KUNIT_EXPECT_EQ(test, e.qw[0], 21);
	KUNIT_EXPECT_EQ(test, e.qw[1], 22);
	KUNIT_EXPECT_EQ(test, e.qw[2], 23);
	KUNIT_EXPECT_EQ(test, e.qw[3], 24);

	*rec = (struct tdi_rec) { .out.rcx = 0x777 };
	KUNIT_EXPECT_EQ(test, tdh_mmiomt_remove(idx2m, &pfn), TDX_SUCCESS);
	expect_call(test, rec, TDH_MMIOMT_REMOVE, &(struct tdx_module_args) { .rcx = idx2m });
	KUNIT_EXPECT_EQ(test, pfn, 0x777);
}

static void regs_mmio(struct kunit *test, struct tdi_rec *rec)
{
	KUNIT_EXPECT_EQ(test, tdh_mmio_map(TEST_GPA, TEST_VM, TEST_MMIO), TDX_SUCCESS);
	expect_call(test, rec, TDH_MMIO_MAP, &(struct tdx_module_args) {
		.rcx = TEST_GPA, .rdx = TEST_VM, .r8 = TEST_MMIO });

	*rec = (struct tdi_rec) {};
	KUNIT_EXPECT_EQ(test, tdh_mmio_block(TEST_GPA, TEST_VM), TDX_SUCCESS);
	expect_call(test, rec, TDH_MMIO_BLOCK, &(struct tdx_module_args) {
		.rcx = TEST_GPA, .rdx = TEST_VM });

	*rec = (struct tdi_rec) {};
	KUNIT_EXPECT_EQ(test, tdh_mmio_unmap(TEST_GPA, TEST_VM), TDX_SUCCESS);
	expect_call(test, rec, TDH_MMIO_UNMAP, &(struct tdx_module_args) {
		.rcx = TEST_GPA, .rdx = TEST_VM });
}

struct regs_case {
	const char *name;
	void (*run)(struct kunit *test, struct tdi_rec *rec);
};

static const struct regs_case regs_cases[] = {
	{ "DEVIFMT.ADD/REMOVE/RD", regs_devifmt },
	{ "DEVIF.CREATE/REMOVE", regs_devif_create_remove },
	{ "DEVIF.REQUEST/RESPONSE", regs_devif_request_response },
	{ "DMAR.ADD/BLOCK/READ/REMOVE", regs_dmar },
	{ "MMIOMT.ADD/SET/RD/REMOVE", regs_mmiomt },
	{ "MMIO.MAP/BLOCK/UNMAP", regs_mmio },
};

static void regs_case_desc(const struct regs_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(regs, regs_cases, regs_case_desc);

static void wrapper_passes_and_returns_every_register(struct kunit *test)
{
	const struct regs_case *c = test->param_value;

	c->run(test, recording(test));
}

/* ---- The fake TDI model ---- */

/* Pages of a test, named in register operands by PG(n) until resolved */
enum { PG_MT, PG_CS, PG_TD, PG_VMM, PG_MMIOMT, PG_REQ, PG_RSP, PG_OUT, PG_SPARE, NR_PG };

#define PG_MARK		GENMASK_ULL(62, 56)
#define PG_IDX		GENMASK_ULL(55, 52)
#define PG(n)		(PG_MARK | FIELD_PREP_CONST(PG_IDX, n))

struct tdi_env {
	struct tdx_fake_module *fake;
	struct tdx_fake_tdi *ft;
	struct page *pg[NR_PG];
	unsigned int nr_reports;
};

struct owned_page {
	struct tdx_fake_module *fake;
	struct page *page;
};

/* A page the fake still owns at the end is the fake's to free. */
static void owned_page_free(void *data)
{
	struct owned_page *op = data;

	if (!tdx_fake_owns(op->fake, page_to_phys(op->page)))
		__free_page(op->page);
}

static void count_report(u64 fn, u64 status, const struct tdx_module_args *in,
			 const struct tdx_module_args *out)
{
	struct tdi_env *env = kunit_get_current_test()->priv;

	env->nr_reports++;
}

static struct tdi_env *tdi_env(struct kunit *test)
{
	struct tdi_env *env = kunit_kzalloc(test, sizeof(*env), GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, env);
	test->priv = env;
	env->fake = tdx_fake_module_install(test);
	env->ft = tdx_fake_tdi_install(test, env->fake);
	/* Refusals are what these tests are about: count them, quietly. */
	kunit_activate_static_stub(test, tdx_seamcall_report, count_report);

	for (i = 0; i < NR_PG; i++) {
		struct owned_page *op = kunit_kzalloc(test, sizeof(*op), GFP_KERNEL);

		KUNIT_ASSERT_NOT_NULL(test, op);
		op->fake = env->fake;
		op->page = alloc_page(GFP_KERNEL | __GFP_ZERO);
		KUNIT_ASSERT_NOT_NULL(test, op->page);
		KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, owned_page_free, op), 0);
		env->pg[i] = op->page;
	}
	return env;
}

static u64 resolve(const struct tdi_env *env, u64 v)
{
	if ((v & PG_MARK) != PG_MARK)
		return v;
	return (v & (BIT_ULL(63) | GENMASK_ULL(11, 0))) |
	       page_to_phys(env->pg[FIELD_GET(PG_IDX, v)]);
}

static u64 raw_call(const struct tdi_env *env, u16 leaf, u8 version,
		    const struct tdx_module_args *in, struct tdx_module_args *out)
{
	struct tdx_module_args args = {
		.rcx = resolve(env, in->rcx),
		.rdx = resolve(env, in->rdx),
		.r8 = resolve(env, in->r8),
		.r9 = resolve(env, in->r9),
		.r10 = resolve(env, in->r10),
		.r11 = in->r11,
		.r12 = in->r12,
		.r13 = in->r13,
		.r14 = in->r14,
	};
	u64 status = tdx_seamcall_ver(leaf, version, &args);

	if (out)
		*out = args;
	return status;
}

/* Setup stages, applied in this order */
#define S_MT		BIT(0)	/* metadata page of TEST_FUNC */
#define S_CREATED	BIT(1)	/* TEST_FUNC assigned to TEST_VM */
#define S_MMIO		BIT(2)	/* TEST_MMIO given to it */
#define S_DMA		BIT(3)	/* a context entry for its RID */
#define S_MAPPED	BIT(4)	/* TEST_MMIO mapped at TEST_GPA */
#define S_LOCKED	BIT(5)	/* TDISP LOCK done */
#define S_PENDING	BIT(6)	/* a TDISP STATE request outstanding */
#define S_BLOCKED	BIT(7)	/* the DMA entry and the MMIO mapping blocked */

static void tdisp_exchange(struct kunit *test, struct tdi_env *env, u64 func, u8 code)
{
	u64 out = 0, rsp_code;
	size_t len;

	KUNIT_ASSERT_EQ(test, tdh_devif_request(func, REQ(code), env->pg[PG_REQ], &out),
			TDX_SUCCESS);
	len = tdx_fake_tdisp_device(page_address(env->pg[PG_REQ]),
				    FIELD_GET(TDX_DEVIF_REQ_OUT_LEN, out),
				    page_address(env->pg[PG_RSP]), PAGE_SIZE, 0);
	KUNIT_ASSERT_EQ(test, len, TDX_FAKE_TDISP_MSG_SIZE);
	KUNIT_ASSERT_EQ(test, tdh_devif_response(func, env->pg[PG_RSP], false, NULL, &out),
			TDX_SUCCESS);
	rsp_code = FIELD_GET(TDX_DEVIF_RSP_OUT_CODE, out);
	KUNIT_ASSERT_EQ(test, rsp_code, code & ~TDX_TDISP_REQ);
}

/* Operands kept out of the KUnit macros, which sparse cannot expand them in */
static const u64 mt_idx = DEVIFMT_IDX(TEST_FUNC);
static const u64 cte_idx = DMAR_IDX(TEST_FUNC, TDX_DMAR_LEVEL_CTE);
static const u64 mmio_2m = MMIOMT_IDX(TEST_MMIO, TDX_MMIOMT_LEVEL_2M);
static const u64 mmio_4k = MMIOMT_IDX(TEST_MMIO, TDX_MMIOMT_LEVEL_4K);
static const u64 mmio_data = MMIO_DATA(TEST_FUNC);

static void setup(struct kunit *test, struct tdi_env *env, unsigned int stages)
{
	struct tdx_dmar_entry cte = { .qw = { 0x1001 } };
	u64 out;

	if (stages & S_MT)
		KUNIT_ASSERT_EQ(test, tdh_devifmt_add(mt_idx, env->pg[PG_MT]), TDX_SUCCESS);
	if (stages & S_CREATED)
		KUNIT_ASSERT_EQ(test, tdh_devif_create(DEVIF_ID(TEST_FUNC), TEST_VM,
						       env->pg[PG_CS], env->pg[PG_TD],
						       env->pg[PG_VMM]),
				TDX_SUCCESS);
	if (stages & S_MMIO) {
		KUNIT_ASSERT_EQ(test, tdh_mmiomt_add(mmio_2m, env->pg[PG_MMIOMT]), TDX_SUCCESS);
		KUNIT_ASSERT_EQ(test, tdh_mmiomt_set(mmio_4k, mmio_data), TDX_SUCCESS);
	}
	if (stages & S_DMA)
		KUNIT_ASSERT_EQ(test, tdh_dmar_add(cte_idx, &cte), TDX_SUCCESS);
	if (stages & S_MAPPED)
		KUNIT_ASSERT_EQ(test, tdh_mmio_map(TEST_GPA, TEST_VM, TEST_MMIO), TDX_SUCCESS);
	if (stages & S_LOCKED)
		tdisp_exchange(test, env, TEST_FUNC, TDX_TDISP_LOCK_INTERFACE_REQ);
	if (stages & S_PENDING)
		KUNIT_ASSERT_EQ(test, tdh_devif_request(TEST_FUNC,
							REQ(TDX_TDISP_INTERFACE_STATE_REQ),
							env->pg[PG_REQ], &out),
				TDX_SUCCESS);
	if (stages & S_BLOCKED) {
		KUNIT_ASSERT_EQ(test, tdh_dmar_block(cte_idx), TDX_SUCCESS);
		KUNIT_ASSERT_EQ(test, tdh_mmio_block(TEST_GPA, TEST_VM), TDX_SUCCESS);
	}
}

struct refusal {
	const char *name;
	unsigned int stages;
	u8 tdisp_state;		/* forced after setup unless 0 */
	u16 leaf;
	u8 version;
	struct tdx_module_args in;
	u64 status;
};

#define OPND(status, id)	((status) | TDX_OPERAND_ID_##id)
#define INVALID(id)		OPND(TDX_OPERAND_INVALID, id)

static const struct refusal refusals[] = {
	/* DEVIFMT */
	{ "DEVIFMT.ADD reserved index bits", 0, 0, TDH_DEVIFMT_ADD, 0,
	  { .rcx = DEVIFMT_IDX(TEST_FUNC) | BIT_ULL(3), .rdx = PG(PG_MT) }, INVALID(RCX) },
	{ "DEVIFMT.ADD level 0", 0, 0, TDH_DEVIFMT_ADD, 0,
	  { .rcx = FIELD_PREP_CONST(TDX_DEVIFMT_IDX_FUNC_ID, TEST_FUNC), .rdx = PG(PG_MT) },
	  INVALID(RCX) },
	{ "DEVIFMT.ADD segment", 0, 0, TDH_DEVIFMT_ADD, 0,
	  { .rcx = DEVIFMT_IDX(TEST_FUNC | TDX_FUNC_ID_SEGMENT_VALID), .rdx = PG(PG_MT) },
	  INVALID(RCX) },
	{ "DEVIFMT.ADD misaligned page", 0, 0, TDH_DEVIFMT_ADD, 0,
	  { .rcx = DEVIFMT_IDX(TEST_FUNC), .rdx = PG(PG_MT) + 8 }, INVALID(RDX) },
	{ "DEVIFMT.ADD page beyond memory", 0, 0, TDH_DEVIFMT_ADD, 0,
	  { .rcx = DEVIFMT_IDX(TEST_FUNC), .rdx = TDX_DEVIFMT_ENTRY_PA },
	  OPND(TDX_OPERAND_ADDR_RANGE_ERROR, RDX) },
	{ "DEVIFMT.ADD page the module owns", S_MT, 0, TDH_DEVIFMT_ADD, 0,
	  { .rcx = DEVIFMT_IDX(TEST_FUNC2), .rdx = PG(PG_MT) },
	  OPND(TDX_PAGE_METADATA_INCORRECT, RDX) },
	{ "DEVIFMT.ADD twice", S_MT, 0, TDH_DEVIFMT_ADD, 0,
	  { .rcx = DEVIFMT_IDX(TEST_FUNC), .rdx = PG(PG_SPARE) },
	  OPND(TDX_DEVIFMT_ALREADY_PRESENT, RCX) },
	{ "DEVIFMT.REMOVE while the TDI exists", S_MT | S_CREATED, 0, TDH_DEVIFMT_REMOVE, 0,
	  { .rcx = DEVIFMT_IDX(TEST_FUNC) }, OPND(TDX_DEVIF_INVALID_METADATA, RCX) },
	{ "DEVIFMT.REMOVE without metadata", 0, 0, TDH_DEVIFMT_REMOVE, 0,
	  { .rcx = DEVIFMT_IDX(TEST_FUNC) }, OPND(TDX_DEVIFMT_NOT_PRESENT, RCX) },
	{ "DEVIFMT.RD level 0 without metadata", 0, 0, TDH_DEVIFMT_RD, 0,
	  { .rcx = FIELD_PREP_CONST(TDX_DEVIFMT_IDX_FUNC_ID, TEST_FUNC) },
	  OPND(TDX_DEVIFMT_NOT_PRESENT, RCX) },
	/* DEVIF.CREATE */
	{ "DEVIF.CREATE without metadata", 0, 0, TDH_DEVIF_CREATE, 0,
	  { .rcx = DEVIF_ID(TEST_FUNC), .rdx = TEST_VM, .r8 = PG(PG_CS), .r9 = PG(PG_TD),
	    .r10 = PG(PG_VMM) }, OPND(TDX_DEVIFMT_NOT_PRESENT, RCX) },
	{ "DEVIF.CREATE twice", S_MT | S_CREATED, 0, TDH_DEVIF_CREATE, 0,
	  { .rcx = DEVIF_ID(TEST_FUNC), .rdx = TEST_VM, .r8 = PG(PG_SPARE),
	    .r9 = PG(PG_REQ), .r10 = PG(PG_RSP) }, OPND(TDX_DEVIFMT_ALREADY_PRESENT, RCX) },
	{ "DEVIF.CREATE unknown type", S_MT, 0, TDH_DEVIF_CREATE, 0,
	  { .rcx = DEVIF_ID(TEST_FUNC) | FIELD_PREP_CONST(TDX_DEVIF_ID_TYPE, 1), .rdx = TEST_VM,
	    .r8 = PG(PG_CS), .r9 = PG(PG_TD), .r10 = PG(PG_VMM) }, INVALID(RCX) },
	{ "DEVIF.CREATE misaligned TDR", S_MT, 0, TDH_DEVIF_CREATE, 0,
	  { .rcx = DEVIF_ID(TEST_FUNC), .rdx = TEST_VM + 8, .r8 = PG(PG_CS),
	    .r9 = PG(PG_TD), .r10 = PG(PG_VMM) }, INVALID(RDX) },
	{ "DEVIF.CREATE misaligned control page", S_MT, 0, TDH_DEVIF_CREATE, 0,
	  { .rcx = DEVIF_ID(TEST_FUNC), .rdx = TEST_VM, .r8 = PG(PG_CS) + 64,
	    .r9 = PG(PG_TD), .r10 = PG(PG_VMM) }, INVALID(R8) },
	{ "DEVIF.CREATE owned TD buffer", S_MT, 0, TDH_DEVIF_CREATE, 0,
	  { .rcx = DEVIF_ID(TEST_FUNC), .rdx = TEST_VM, .r8 = PG(PG_CS),
	    .r9 = PG(PG_MT), .r10 = PG(PG_VMM) }, OPND(TDX_PAGE_METADATA_INCORRECT, R9) },
	{ "DEVIF.CREATE one page twice", S_MT, 0, TDH_DEVIF_CREATE, 0,
	  { .rcx = DEVIF_ID(TEST_FUNC), .rdx = TEST_VM, .r8 = PG(PG_CS),
	    .r9 = PG(PG_TD), .r10 = PG(PG_TD) }, OPND(TDX_PAGE_METADATA_INCORRECT, R10) },
	/* DEVIF.REMOVE */
	{ "DEVIF.REMOVE while LOCKED", S_MT | S_CREATED | S_LOCKED, 0, TDH_DEVIF_REMOVE, 0,
	  { .rcx = TEST_FUNC }, OPND(TDX_DEVIF_INVALID_STATE, RCX) },
	{ "DEVIF.REMOVE while RUN", S_MT | S_CREATED | S_LOCKED, TDX_TDISP_RUN,
	  TDH_DEVIF_REMOVE, 0, { .rcx = TEST_FUNC }, OPND(TDX_DEVIF_INVALID_STATE, RCX) },
	{ "DEVIF.REMOVE in ERROR", S_MT | S_CREATED, TDX_TDISP_ERROR_STATE,
	  TDH_DEVIF_REMOVE, 0, { .rcx = TEST_FUNC }, OPND(TDX_DEVIF_INVALID_STATE, RCX) },
	{ "DEVIF.REMOVE with DMA mapped", S_MT | S_CREATED | S_DMA, 0, TDH_DEVIF_REMOVE, 0,
	  { .rcx = TEST_FUNC }, OPND(TDX_DEVIF_HAS_MAPPED_DMA, RCX) },
	{ "DEVIF.REMOVE with DMA blocked", S_MT | S_CREATED | S_MMIO | S_DMA | S_MAPPED |
	  S_BLOCKED, 0, TDH_DEVIF_REMOVE, 0,
	  { .rcx = TEST_FUNC }, OPND(TDX_DEVIF_HAS_MAPPED_DMA, RCX) },
	{ "DEVIF.REMOVE with MMIO mapped", S_MT | S_CREATED | S_MMIO | S_MAPPED, 0,
	  TDH_DEVIF_REMOVE, 0, { .rcx = TEST_FUNC }, OPND(TDX_DEVIF_HAS_MAPPED_MMIO, RCX) },
	{ "DEVIF.REMOVE of no TDI", S_MT, 0, TDH_DEVIF_REMOVE, 0,
	  { .rcx = TEST_FUNC }, OPND(TDX_DEVIFMT_NOT_PRESENT, RCX) },
	{ "DEVIF.REMOVE reserved bits", S_MT | S_CREATED, 0, TDH_DEVIF_REMOVE, 0,
	  { .rcx = TEST_FUNC | BIT_ULL(32) }, INVALID(RCX) },
	/* DEVIF.REQUEST */
	{ "DEVIF.REQUEST reserved bits", S_MT | S_CREATED, 0, TDH_DEVIF_REQUEST, 0,
	  { .rcx = TEST_FUNC, .rdx = REQ(TDX_TDISP_LOCK_INTERFACE_REQ) | BIT_ULL(9),
	    .r8 = PG(PG_REQ) }, INVALID(RDX) },
	{ "DEVIF.REQUEST NO_FW_UPDATE on STOP", S_MT | S_CREATED, 0, TDH_DEVIF_REQUEST, 0,
	  { .rcx = TEST_FUNC, .rdx = REQ(TDX_TDISP_STOP_INTERFACE_REQ) |
	    TDX_DEVIF_REQ_NO_FW_UPDATE, .r8 = PG(PG_REQ) }, INVALID(RDX) },
	{ "DEVIF.REQUEST R9 set", S_MT | S_CREATED, 0, TDH_DEVIF_REQUEST, 0,
	  { .rcx = TEST_FUNC, .rdx = REQ(TDX_TDISP_LOCK_INTERFACE_REQ), .r8 = PG(PG_REQ),
	    .r9 = 1 }, INVALID(R9) },
	{ "DEVIF.REQUEST TD flag with a code", S_MT | S_CREATED, 0, TDH_DEVIF_REQUEST, 0,
	  { .rcx = TEST_FUNC, .rdx = REQ(TDX_TDISP_LOCK_INTERFACE_REQ) | TDX_DEVIF_REQ_TD,
	    .r8 = PG(PG_REQ) }, INVALID(RDX) },
	{ "DEVIF.REQUEST TD flag, no TD request", S_MT | S_CREATED, 0, TDH_DEVIF_REQUEST, 0,
	  { .rcx = TEST_FUNC, .rdx = TDX_DEVIF_REQ_TD, .r8 = PG(PG_REQ) },
	  OPND(TDX_DEVIF_TDISP_INVALID_REQ_STS, RCX) },
	{ "DEVIF.REQUEST START by the host", S_MT | S_CREATED | S_LOCKED, 0,
	  TDH_DEVIF_REQUEST, 0, { .rcx = TEST_FUNC,
	  .rdx = REQ(TDX_TDISP_START_INTERFACE_REQ), .r8 = PG(PG_REQ) }, INVALID(RDX) },
	{ "DEVIF.REQUEST while one is outstanding", S_MT | S_CREATED | S_PENDING, 0,
	  TDH_DEVIF_REQUEST, 0, { .rcx = TEST_FUNC,
	  .rdx = REQ(TDX_TDISP_STOP_INTERFACE_REQ), .r8 = PG(PG_REQ) },
	  OPND(TDX_DEVIF_TDISP_OUT_REQ, RCX) },
	{ "DEVIF.REQUEST LOCK while LOCKED", S_MT | S_CREATED | S_LOCKED, 0,
	  TDH_DEVIF_REQUEST, 0, { .rcx = TEST_FUNC,
	  .rdx = REQ(TDX_TDISP_LOCK_INTERFACE_REQ), .r8 = PG(PG_REQ) },
	  OPND(TDX_DEVIF_INVALID_STATE, RCX) },
	{ "DEVIF.REQUEST LOCK in ERROR", S_MT | S_CREATED, TDX_TDISP_ERROR_STATE,
	  TDH_DEVIF_REQUEST, 0, { .rcx = TEST_FUNC,
	  .rdx = REQ(TDX_TDISP_LOCK_INTERFACE_REQ), .r8 = PG(PG_REQ) },
	  OPND(TDX_DEVIF_TDISP_ERROR_STATE, RCX) },
	{ "DEVIF.REQUEST misaligned output", S_MT | S_CREATED, 0, TDH_DEVIF_REQUEST, 0,
	  { .rcx = TEST_FUNC, .rdx = REQ(TDX_TDISP_LOCK_INTERFACE_REQ),
	    .r8 = PG(PG_REQ) + 1 }, INVALID(R8) },
	{ "DEVIF.REQUEST of no TDI", S_MT, 0, TDH_DEVIF_REQUEST, 0,
	  { .rcx = TEST_FUNC, .rdx = REQ(TDX_TDISP_LOCK_INTERFACE_REQ), .r8 = PG(PG_REQ) },
	  OPND(TDX_DEVIFMT_NOT_PRESENT, RCX) },
	/* DEVIF.RESPONSE */
	{ "DEVIF.RESPONSE without a request", S_MT | S_CREATED, 0, TDH_DEVIF_RESPONSE, 0,
	  { .rcx = TEST_FUNC, .rdx = PG(PG_RSP) }, OPND(TDX_DEVIF_TDISP_OUT_REQ, RCX) },
	{ "DEVIF.RESPONSE reserved bits", S_MT | S_CREATED | S_PENDING, 0,
	  TDH_DEVIF_RESPONSE, 0, { .rcx = TEST_FUNC, .rdx = PG(PG_RSP) + 1 }, INVALID(RDX) },
	{ "DEVIF.RESPONSE R9 set", S_MT | S_CREATED | S_PENDING, 0, TDH_DEVIF_RESPONSE, 0,
	  { .rcx = TEST_FUNC, .rdx = PG(PG_RSP), .r9 = 1 }, INVALID(R9) },
	{ "DEVIF.RESPONSE TD flag, no TD request", S_MT | S_CREATED | S_PENDING, 0,
	  TDH_DEVIF_RESPONSE, 0, { .rcx = TEST_FUNC, .rdx = PG(PG_RSP) | BIT_ULL(63) },
	  OPND(TDX_DEVIF_TDISP_INVALID_REQ_STS, RDX) },
	{ "DEVIF.RESPONSE not a response", S_MT | S_CREATED | S_PENDING, 0,
	  TDH_DEVIF_RESPONSE, 0, { .rcx = TEST_FUNC, .rdx = PG(PG_RSP) },
	  OPND(TDX_DEVIF_TDISP_INVALID_MESSAGE, RDX) },
	{ "DEVIF.RESPONSE misaligned output", S_MT | S_CREATED | S_PENDING, 0,
	  TDH_DEVIF_RESPONSE, 0, { .rcx = TEST_FUNC, .rdx = PG(PG_RSP), .r8 = PG(PG_OUT) + 4 },
	  INVALID(R8) },
	/* DMAR */
	{ "DMAR.ADD reserved index bits", 0, 0, TDH_DMAR_ADD, 0,
	  { .rcx = DMAR_IDX(TEST_FUNC, TDX_DMAR_LEVEL_CTE) | BIT_ULL(3) }, INVALID(RCX) },
	{ "DMAR.ADD unknown IOMMU", 0, 0, TDH_DMAR_ADD, 0,
	  { .rcx = FIELD_PREP_CONST(TDX_DMAR_IDX_RID, TEST_FUNC) }, INVALID(RCX) },
	{ "DMAR.ADD unknown level", 0, 0, TDH_DMAR_ADD, 0,
	  { .rcx = DMAR_IDX(TEST_FUNC, 4) }, INVALID(RCX) },
	{ "DMAR.ADD a context entry past 32 bytes", 0, 0, TDH_DMAR_ADD, 0,
	  { .rcx = DMAR_IDX(TEST_FUNC, TDX_DMAR_LEVEL_CTE), .r11 = 1 }, INVALID(R11) },
	{ "DMAR.ADD a root entry past 8 bytes", 0, 0, TDH_DMAR_ADD, 0,
	  { .rcx = DMAR_IDX(TEST_FUNC, TDX_DMAR_LEVEL_RTE), .r8 = 1 }, INVALID(R8) },
	{ "DMAR.ADD twice", S_DMA, 0, TDH_DMAR_ADD, 0,
	  { .rcx = DMAR_IDX(TEST_FUNC, TDX_DMAR_LEVEL_CTE) },
	  OPND(TDX_DMAR_INVALID_MAPPING_STATE, RCX) },
	{ "DMAR.BLOCK of no entry", 0, 0, TDH_DMAR_BLOCK, 0,
	  { .rcx = DMAR_IDX(TEST_FUNC, TDX_DMAR_LEVEL_CTE) },
	  OPND(TDX_DMAR_INVALID_MAPPING_STATE, RCX) },
	{ "DMAR.BLOCK twice", S_MT | S_CREATED | S_MMIO | S_DMA | S_MAPPED | S_BLOCKED, 0,
	  TDH_DMAR_BLOCK, 0, { .rcx = DMAR_IDX(TEST_FUNC, TDX_DMAR_LEVEL_CTE) },
	  OPND(TDX_DMAR_INVALID_MAPPING_STATE, RCX) },
	{ "DMAR.REMOVE not blocked", S_DMA, 0, TDH_DMAR_REMOVE, 0,
	  { .rcx = DMAR_IDX(TEST_FUNC, TDX_DMAR_LEVEL_CTE) },
	  OPND(TDX_DMAR_INVALID_MAPPING_STATE, RCX) },
	/* MMIOMT */
	{ "MMIOMT.ADD level 0", 0, 0, TDH_MMIOMT_ADD, 0,
	  { .rcx = MMIOMT_IDX(TEST_MMIO, TDX_MMIOMT_LEVEL_4K), .rdx = PG(PG_MMIOMT) },
	  INVALID(RCX) },
	{ "MMIOMT.ADD reserved bits", 0, 0, TDH_MMIOMT_ADD, 0,
	  { .rcx = MMIOMT_IDX(TEST_MMIO, TDX_MMIOMT_LEVEL_2M) | BIT_ULL(63),
	    .rdx = PG(PG_MMIOMT) }, INVALID(RCX) },
	{ "MMIOMT.ADD twice", S_MT | S_CREATED | S_MMIO, 0, TDH_MMIOMT_ADD, 0,
	  { .rcx = MMIOMT_IDX(TEST_MMIO, TDX_MMIOMT_LEVEL_2M), .rdx = PG(PG_SPARE) },
	  OPND(TDX_MMIO_INVALID_PAGE_METADATA, RCX) },
	{ "MMIOMT.ADD page the module owns", S_MT, 0, TDH_MMIOMT_ADD, 0,
	  { .rcx = MMIOMT_IDX(TEST_MMIO, TDX_MMIOMT_LEVEL_2M), .rdx = PG(PG_MT) },
	  OPND(TDX_PAGE_METADATA_INCORRECT, RDX) },
	{ "MMIOMT.SET without its page", S_MT | S_CREATED, 0, TDH_MMIOMT_SET, 0,
	  { .rcx = MMIOMT_IDX(TEST_MMIO, TDX_MMIOMT_LEVEL_4K), .rdx = MMIO_DATA(TEST_FUNC) },
	  OPND(TDX_MMIOMT_NOT_PRESENT, RCX) },
	{ "MMIOMT.SET to no TDI", S_MT | S_CREATED | S_MMIO, 0, TDH_MMIOMT_SET, 0,
	  { .rcx = MMIOMT_IDX(TEST_MMIO + PAGE_SIZE, TDX_MMIOMT_LEVEL_4K),
	    .rdx = MMIO_DATA(TEST_FUNC2) }, OPND(TDX_DEVIFMT_NOT_PRESENT, RDX) },
	{ "MMIOMT.SET data without a function", S_MT | S_CREATED | S_MMIO, 0,
	  TDH_MMIOMT_SET, 0, { .rcx = MMIOMT_IDX(TEST_MMIO, TDX_MMIOMT_LEVEL_4K),
	  .rdx = FIELD_PREP_CONST(TDX_MMIOMT_SET_TYPE, TDX_MMIOMT_TYPE_DATA) }, INVALID(RDX) },
	{ "MMIOMT.SET release with a function", S_MT | S_CREATED | S_MMIO, 0,
	  TDH_MMIOMT_SET, 0, { .rcx = MMIOMT_IDX(TEST_MMIO, TDX_MMIOMT_LEVEL_4K),
	  .rdx = MMIO_QNODE | FIELD_PREP_CONST(TDX_MMIOMT_SET_FUNC_ID, TEST_FUNC) }, INVALID(RDX) },
	{ "MMIOMT.SET reserved bits", S_MT | S_CREATED | S_MMIO, 0, TDH_MMIOMT_SET, 0,
	  { .rcx = MMIOMT_IDX(TEST_MMIO, TDX_MMIOMT_LEVEL_4K),
	    .rdx = MMIO_DATA(TEST_FUNC) | BIT_ULL(2) }, INVALID(RDX) },
	{ "MMIOMT.SET twice", S_MT | S_CREATED | S_MMIO, 0, TDH_MMIOMT_SET, 0,
	  { .rcx = MMIOMT_IDX(TEST_MMIO, TDX_MMIOMT_LEVEL_4K), .rdx = MMIO_DATA(TEST_FUNC) },
	  OPND(TDX_MMIO_INVALID_PAGE_METADATA, MMIOMT) },
	{ "MMIOMT.SET release while mapped", S_MT | S_CREATED | S_MMIO | S_MAPPED, 0,
	  TDH_MMIOMT_SET, 0, { .rcx = MMIOMT_IDX(TEST_MMIO, TDX_MMIOMT_LEVEL_4K),
	  .rdx = MMIO_QNODE }, OPND(TDX_MMIO_INVALID_PAGE_METADATA, MMIOMT) },
	{ "MMIOMT.SET release of free MMIO", S_MT | S_CREATED | S_MMIO, 0, TDH_MMIOMT_SET, 0,
	  { .rcx = MMIOMT_IDX(TEST_MMIO + PAGE_SIZE, TDX_MMIOMT_LEVEL_4K),
	    .rdx = MMIO_QNODE }, OPND(TDX_MMIO_INVALID_PAGE_METADATA, MMIOMT) },
	{ "MMIOMT.REMOVE while MMIO is given", S_MT | S_CREATED | S_MMIO, 0,
	  TDH_MMIOMT_REMOVE, 0, { .rcx = MMIOMT_IDX(TEST_MMIO, TDX_MMIOMT_LEVEL_2M) },
	  OPND(TDX_MMIO_INVALID_PAGE_METADATA, RCX) },
	{ "MMIOMT.REMOVE of no page", 0, 0, TDH_MMIOMT_REMOVE, 0,
	  { .rcx = MMIOMT_IDX(TEST_MMIO, TDX_MMIOMT_LEVEL_2M) },
	  OPND(TDX_MMIO_INVALID_PAGE_METADATA, RCX) },
	/* MMIO */
	{ "MMIO.MAP of MMIO not given", S_MT | S_CREATED | S_MMIO, 0, TDH_MMIO_MAP, 0,
	  { .rcx = TEST_GPA, .rdx = TEST_VM, .r8 = TEST_MMIO + PAGE_SIZE },
	  OPND(TDX_MMIO_INVALID_PAGE_METADATA, RCX) },
	{ "MMIO.MAP into another TD", S_MT | S_CREATED | S_MMIO, 0, TDH_MMIO_MAP, 0,
	  { .rcx = TEST_GPA, .rdx = TEST_VM2, .r8 = TEST_MMIO },
	  OPND(TDX_MMIO_DEVIF_OWNER_MISMATCH, RDX) },
	{ "MMIO.MAP 2M", S_MT | S_CREATED | S_MMIO, 0, TDH_MMIO_MAP, 0,
	  { .rcx = TEST_GPA | FIELD_PREP_CONST(TDX_GPA_INFO_LEVEL, TDX_MMIOMT_LEVEL_2M),
	    .rdx = TEST_VM, .r8 = TEST_MMIO }, INVALID(RCX) },
	{ "MMIO.MAP misaligned MMIO", S_MT | S_CREATED | S_MMIO, 0, TDH_MMIO_MAP, 0,
	  { .rcx = TEST_GPA, .rdx = TEST_VM, .r8 = TEST_MMIO + 8 }, INVALID(R8) },
	{ "MMIO.MAP twice", S_MT | S_CREATED | S_MMIO | S_MAPPED, 0, TDH_MMIO_MAP, 0,
	  { .rcx = TEST_GPA, .rdx = TEST_VM, .r8 = TEST_MMIO },
	  OPND(TDX_EPT_ENTRY_STATE_INCORRECT, RCX) },
	{ "MMIO.UNMAP not blocked", S_MT | S_CREATED | S_MMIO | S_MAPPED, 0, TDH_MMIO_UNMAP, 0,
	  { .rcx = TEST_GPA, .rdx = TEST_VM }, OPND(TDX_EPT_ENTRY_STATE_INCORRECT, RCX) },
	{ "MMIO.UNMAP not mapped", S_MT | S_CREATED | S_MMIO, 0, TDH_MMIO_UNMAP, 0,
	  { .rcx = TEST_GPA, .rdx = TEST_VM }, OPND(TDX_EPT_WALK_FAILED, RCX) },
	{ "MMIO.BLOCK twice", S_MT | S_CREATED | S_MMIO | S_DMA | S_MAPPED | S_BLOCKED, 0,
	  TDH_MMIO_BLOCK, 0, { .rcx = TEST_GPA, .rdx = TEST_VM },
	  OPND(TDX_EPT_ENTRY_STATE_INCORRECT, RCX) },
	/* Leaves and versions the fake does not know */
	{ "version 1", S_MT, 0, TDH_DEVIFMT_RD, 1,
	  { .rcx = DEVIFMT_IDX(TEST_FUNC) }, INVALID(RAX) },
	{ "unknown leaf", 0, 0, TDH_DEVIF_RESPONSE + 1, 0, {}, INVALID(RAX) },
};

static void refusal_desc(const struct refusal *r, char *desc)
{
	strscpy(desc, r->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(refusal, refusals, refusal_desc);

/* Everything of the fake's state but its log and counters */
struct tdi_snapshot {
	struct tdx_fake_devif devifs[TDX_FAKE_TDI_MAX_DEVIFS];
	u64 mt_pages[TDX_FAKE_TDI_MAX_MT_PAGES];
	struct tdx_fake_mmio mmio[TDX_FAKE_TDI_MAX_MMIO];
	struct tdx_fake_dmar dmar[TDX_FAKE_TDI_MAX_DMAR];
	unsigned long nr_owned;
};

static void snapshot(struct tdi_env *env, struct tdi_snapshot *s)
{
	memcpy(s->devifs, env->ft->devifs, sizeof(s->devifs));
	memcpy(s->mt_pages, env->ft->mt_pages, sizeof(s->mt_pages));
	memcpy(s->mmio, env->ft->mmio, sizeof(s->mmio));
	memcpy(s->dmar, env->ft->dmar, sizeof(s->dmar));
	s->nr_owned = tdx_fake_nr_owned(env->fake);
}

static void fake_refuses_with_the_module_status(struct kunit *test)
{
	const struct refusal *r = test->param_value;
	struct tdi_env *env = tdi_env(test);
	struct tdi_snapshot *before, *after;
	u8 *rsp;

	before = kunit_kzalloc(test, sizeof(*before), GFP_KERNEL);
	after = kunit_kzalloc(test, sizeof(*after), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, before);
	KUNIT_ASSERT_NOT_NULL(test, after);

	setup(test, env, r->stages);
	if (r->tdisp_state)
		tdx_fake_tdi_set_state(env->ft, TEST_FUNC, r->tdisp_state);
	/* A response page that answers no request: the request echoed back */
	rsp = page_address(env->pg[PG_RSP]);
	memcpy(rsp, page_address(env->pg[PG_REQ]), TDX_FAKE_TDISP_MSG_SIZE);

	snapshot(env, before);
	KUNIT_EXPECT_EQ(test, raw_call(env, r->leaf, r->version, &r->in, NULL), r->status);
	snapshot(env, after);
	KUNIT_EXPECT_MEMEQ(test, before, after, sizeof(*before));
	KUNIT_EXPECT_EQ(test, env->ft->log[env->ft->nr_log - 1], r->leaf);
}

/* ---- Whole lifecycles ---- */

static const u16 lifecycle_leaves[] = {
	/* bind */
	TDH_DMAR_ADD, TDH_DEVIFMT_ADD, TDH_DEVIF_CREATE, TDH_MMIOMT_ADD, TDH_MMIOMT_SET,
	TDH_DEVIF_REQUEST, TDH_DEVIF_RESPONSE,
	/* the guest maps its MMIO, asks for the state */
	TDH_MMIO_MAP, TDH_DEVIF_REQUEST, TDH_DEVIF_RESPONSE,
	/* unbind: stop, unmap, clean DMA, remove, give MMIO back */
	TDH_DEVIF_REQUEST, TDH_DEVIF_RESPONSE, TDH_MMIO_BLOCK, TDH_MMIO_UNMAP,
	TDH_DMAR_BLOCK, TDH_DMAR_REMOVE, TDH_DEVIF_REMOVE, TDH_DEVIFMT_REMOVE,
	TDH_MMIOMT_SET, TDH_MMIOMT_REMOVE,
};

static void lifecycle_in_module_order_gives_every_page_back(struct kunit *test)
{
	struct tdi_env *env = tdi_env(test);
	struct tdx_fake_tdi *ft = env->ft;
	u64 td_pa, vmm_pa, vm, pa, out, want;
	struct tdx_fake_devif *d;
	u8 *msg;

	/* The bind caller sets up trusted DMA first. */
	setup(test, env, S_DMA);
	setup(test, env, S_MT | S_CREATED | S_MMIO);
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(env->fake), 5);
	tdisp_exchange(test, env, TEST_FUNC, TDX_TDISP_LOCK_INTERFACE_REQ);
	d = tdx_fake_tdi_find(ft, TEST_FUNC);
	KUNIT_ASSERT_NOT_NULL(test, d);
	KUNIT_EXPECT_EQ(test, d->tdisp_state, TDX_TDISP_CONFIG_LOCKED);

	KUNIT_EXPECT_EQ(test, tdh_mmio_map(TEST_GPA, TEST_VM, TEST_MMIO), TDX_SUCCESS);
	tdx_fake_tdi_set_state(ft, TEST_FUNC, TDX_TDISP_RUN);

	/* GET_STATE with an output page: the state and the response itself */
	KUNIT_EXPECT_EQ(test, tdh_devif_request(TEST_FUNC, REQ(TDX_TDISP_INTERFACE_STATE_REQ),
						env->pg[PG_REQ], &out), TDX_SUCCESS);
	want = FIELD_PREP(TDX_DEVIF_REQ_OUT_CODE, TDX_TDISP_INTERFACE_STATE_REQ) |
	       FIELD_PREP(TDX_DEVIF_REQ_OUT_LEN, TDX_FAKE_TDISP_MSG_SIZE);
	KUNIT_EXPECT_EQ(test, out, want);
	tdx_fake_tdisp_device(page_address(env->pg[PG_REQ]), TDX_FAKE_TDISP_MSG_SIZE,
			      page_address(env->pg[PG_RSP]), PAGE_SIZE, 0);
	KUNIT_EXPECT_EQ(test, tdh_devif_response(TEST_FUNC, env->pg[PG_RSP], false,
						 env->pg[PG_OUT], &out), TDX_SUCCESS);
	want = FIELD_PREP(TDX_DEVIF_RSP_OUT_CODE, TDX_TDISP_INTERFACE_STATE_RSP) |
	       FIELD_PREP(TDX_DEVIF_RSP_OUT_TDI_STATE, TDX_TDISP_RUN) |
	       FIELD_PREP(TDX_DEVIF_RSP_OUT_LEN, TDX_FAKE_TDISP_MSG_SIZE);
	KUNIT_EXPECT_EQ(test, out, want);
	msg = page_address(env->pg[PG_OUT]);
	KUNIT_EXPECT_EQ(test, msg[TDX_FAKE_TDISP_MSG_CODE], TDX_TDISP_INTERFACE_STATE_RSP);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(msg + TDX_FAKE_TDISP_MSG_FUNC_ID), TEST_FUNC);

	tdisp_exchange(test, env, TEST_FUNC, TDX_TDISP_STOP_INTERFACE_REQ);
	KUNIT_EXPECT_EQ(test, d->tdisp_state, TDX_TDISP_CONFIG_UNLOCKED);
	KUNIT_EXPECT_EQ(test, tdh_mmio_block(TEST_GPA, TEST_VM), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, tdh_mmio_unmap(TEST_GPA, TEST_VM), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, tdh_dmar_block(cte_idx), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, tdh_dmar_remove(cte_idx), TDX_SUCCESS);

	KUNIT_EXPECT_EQ(test, tdh_devif_remove(TEST_FUNC, &td_pa, &vmm_pa, &vm), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, td_pa, page_to_phys(env->pg[PG_TD]));
	KUNIT_EXPECT_EQ(test, vmm_pa, page_to_phys(env->pg[PG_VMM]));
	KUNIT_EXPECT_EQ(test, vm, TEST_VM);
	KUNIT_EXPECT_FALSE(test, tdx_fake_owns(env->fake, page_to_phys(env->pg[PG_CS])));

	KUNIT_EXPECT_EQ(test, tdh_devifmt_remove(DEVIFMT_IDX(TEST_FUNC), &pa), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, pa, page_to_phys(env->pg[PG_MT]));
	KUNIT_EXPECT_EQ(test, tdh_mmiomt_set(MMIOMT_IDX(TEST_MMIO, TDX_MMIOMT_LEVEL_4K),
					     MMIO_QNODE), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, tdh_mmiomt_remove(MMIOMT_IDX(TEST_MMIO, TDX_MMIOMT_LEVEL_2M), &pa),
			TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, pa, page_to_pfn(env->pg[PG_MMIOMT]));

	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(env->fake), 0);
	KUNIT_EXPECT_NULL(test, tdx_fake_tdi_find(ft, TEST_FUNC));
	KUNIT_ASSERT_EQ(test, ft->nr_log, ARRAY_SIZE(lifecycle_leaves));
	KUNIT_EXPECT_MEMEQ(test, ft->log, lifecycle_leaves, sizeof(lifecycle_leaves));
	KUNIT_EXPECT_EQ(test, env->nr_reports, 0);
}

static void readers_report_the_model_state(struct kunit *test)
{
	struct tdi_env *env = tdi_env(test);
	struct tdx_dmar_entry cte = { .qw = { 0x1001 } }, got;
	struct tdx_mmiomt_entry e;
	unsigned int node;
	u64 entry;

	KUNIT_EXPECT_EQ(test, tdh_devifmt_rd(DEVIFMT_IDX(TEST_FUNC), &entry), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, entry, 0);
	setup(test, env, S_MT | S_CREATED | S_MMIO | S_DMA | S_MAPPED);

	KUNIT_EXPECT_EQ(test, tdh_devifmt_rd(DEVIFMT_IDX(TEST_FUNC), &entry), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, entry, page_to_phys(env->pg[PG_MT]) | TDX_DEVIFMT_ENTRY_PRESENT);
	KUNIT_EXPECT_EQ(test, tdh_devifmt_rd(FIELD_PREP_CONST(TDX_DEVIFMT_IDX_FUNC_ID, TEST_FUNC),
					     &entry), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, entry, page_to_phys(env->pg[PG_CS]) | TDX_DEVIFMT_ENTRY_PRESENT);

	KUNIT_EXPECT_EQ(test, tdh_dmar_read(cte_idx, &got), TDX_SUCCESS);
	KUNIT_EXPECT_MEMEQ(test, &got, &cte, sizeof(cte));

	KUNIT_EXPECT_EQ(test, tdh_mmiomt_rd(MMIOMT_IDX(TEST_MMIO, TDX_MMIOMT_LEVEL_4K), &e),
			TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, e.qw[0],
			FIELD_PREP_CONST(TDX_MMIOMT_ENTRY_TYPE, TDX_MMIOMT_TYPE_DATA) |
			TDX_MMIOMT_ENTRY_MAPPED |
			FIELD_PREP_CONST(TDX_MMIOMT_ENTRY_FUNC_ID, TEST_FUNC));
	KUNIT_EXPECT_EQ(test, tdh_mmiomt_rd(MMIOMT_IDX(TEST_MMIO, TDX_MMIOMT_LEVEL_2M), &e),
			TDX_SUCCESS);
	node = FIELD_GET(TDX_MMIOMT_IDX_L1_NODE, TEST_MMIO);
	KUNIT_EXPECT_EQ(test, e.qw[node],
			page_to_phys(env->pg[PG_MMIOMT]) | TDX_MMIOMT_NODE_PRESENT);

	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_nr_dma(env->ft, TEST_FUNC), 1);
	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_nr_mmio(env->ft, TEST_FUNC), 1);
	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_nr_dma(env->ft, TEST_FUNC2), 0);
}

static void tdisp_error_is_reported_and_clears_the_request(struct kunit *test)
{
	struct tdi_env *env = tdi_env(test);
	u64 out = 0;

	setup(test, env, S_MT | S_CREATED);
	KUNIT_EXPECT_EQ(test, tdh_devif_request(TEST_FUNC, REQ(TDX_TDISP_LOCK_INTERFACE_REQ),
						env->pg[PG_REQ], &out), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, tdx_fake_tdisp_device(page_address(env->pg[PG_REQ]),
						    TDX_FAKE_TDISP_MSG_SIZE,
						    page_address(env->pg[PG_RSP]), PAGE_SIZE,
						    0x0102),
			TDX_FAKE_TDISP_MSG_SIZE);
	KUNIT_EXPECT_EQ(test, tdh_devif_response(TEST_FUNC, env->pg[PG_RSP], false, NULL, &out),
			TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, out, FIELD_PREP_CONST(TDX_DEVIF_RSP_OUT_CODE, TDX_TDISP_ERROR) |
				   FIELD_PREP_CONST(TDX_DEVIF_RSP_OUT_ERROR, 0x0102));
	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_find(env->ft, TEST_FUNC)->tdisp_state,
			TDX_TDISP_CONFIG_UNLOCKED);
	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_find(env->ft, TEST_FUNC)->pending, 0);
}

static void dma_set_up_before_the_tdi_does_not_hold_its_removal(struct kunit *test)
{
	struct tdx_dmar_entry cte = { .qw = { 0x1001 } };
	struct tdi_env *env = tdi_env(test);
	u64 td_pa, vmm_pa, vm;

	/* As bind does: trusted DMA first, then the TDI */
	KUNIT_ASSERT_EQ(test, tdh_dmar_add(cte_idx, &cte), TDX_SUCCESS);
	setup(test, env, S_MT | S_CREATED);
	KUNIT_EXPECT_EQ(test, tdh_devif_remove(TEST_FUNC, &td_pa, &vmm_pa, &vm), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_nr_dma(env->ft, TEST_FUNC), 1);
}

static void fail_nth_fails_a_call_without_side_effects(struct kunit *test)
{
	struct tdi_env *env = tdi_env(test);

	env->ft->fail_nth = 2;
	env->ft->fail_status = TDX_OPERAND_BUSY;
	setup(test, env, S_MT);
	KUNIT_EXPECT_EQ(test, tdh_devif_create(DEVIF_ID(TEST_FUNC), TEST_VM, env->pg[PG_CS],
					       env->pg[PG_TD], env->pg[PG_VMM]),
			TDX_OPERAND_BUSY);
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(env->fake), 1);
	KUNIT_EXPECT_FALSE(test, tdx_fake_tdi_find(env->ft, TEST_FUNC)->created);
	KUNIT_EXPECT_EQ(test, env->ft->nr_log, 2);
	KUNIT_EXPECT_EQ(test, env->ft->log[1], TDH_DEVIF_CREATE);
}

static struct kunit_case tdx_tdi_test_cases[] = {
	KUNIT_CASE_PARAM(wrapper_passes_and_returns_every_register, regs_gen_params),
	KUNIT_CASE_PARAM(fake_refuses_with_the_module_status, refusal_gen_params),
	KUNIT_CASE(lifecycle_in_module_order_gives_every_page_back),
	KUNIT_CASE(readers_report_the_model_state),
	KUNIT_CASE(tdisp_error_is_reported_and_clears_the_request),
	KUNIT_CASE(dma_set_up_before_the_tdi_does_not_hold_its_removal),
	KUNIT_CASE(fail_nth_fails_a_call_without_side_effects),
	{}
};

static struct kunit_suite tdx_tdi_test_suite = {
	.name = "tdx_tdi",
	.test_cases = tdx_tdi_test_cases,
};

kunit_test_suite(tdx_tdi_test_suite);

MODULE_DESCRIPTION("KUnit tests for the TDX Connect TDI lifecycle SEAMCALL wrappers");
MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");
MODULE_LICENSE("GPL");
