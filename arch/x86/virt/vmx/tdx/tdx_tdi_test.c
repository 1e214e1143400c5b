// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the TDI lifecycle SEAMCALL wrappers and for the fake TDI
 * model that later suites drive them against: the registers each wrapper
 * passes in and reads out, against a recording stand-in; every refusal
 * the fake makes, with raw registers; each wrapper refused by the fake,
 * with the registers the fake received and the status and out-parameters
 * the wrapper passes back; and a whole lifecycle in the order the module
 * enforces.
 *
 * The fake models the module's tables as hierarchies (DEVIFMT, MMIOMT,
 * DMAR with its invalidation queue); one test per rule breaks it and
 * expects the exact status and operand ID and no change, then does it
 * right.  The resumable leaves (DMAR.ADD and REMOVE of a CTE, IQ.INV.PROCESS)
 * are interrupted once and resumed through their wrappers.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

#include <linux/bitfield.h>
#include <linux/delay.h>
#include <linux/mm.h>
#include <linux/string.h>
#include <linux/unaligned.h>

#include <kunit/static_stub.h>
#include <kunit/test.h>

#include <asm/shared/tdx_errno.h>
#include <asm/tdx.h>
#include "tests/tdx_fake_module.h"
#include "tests/tdx_fake_spdm.h"
#include "tests/tdx_fake_tdi.h"
#include <asm/tdx_handoff.h>
#include <asm/tdx_tdi.h>

#include "tdx.h"

/* 0000:03:02.1 and another function on another bus */
#define TEST_FUNC	0x0311ULL
#define TEST_FUNC2	0x0500ULL
#define TEST_IOMMU	0x101ULL
#define TEST_STREAM	0x3ULL
/* The RIDs TEST_STREAM is associated with: bus 3 */
#define TEST_RID_BASE	0x0300
#define TEST_RID_LIMIT	0x03ff
#define TEST_VM		0x12345000ULL
#define TEST_VM2	0x23456000ULL
#define TEST_MMIO	0xfe001000ULL
#define TEST_GPA	(FIELD_PREP_CONST(TDX_GPA_INFO_GPA, PHYS_PFN(0x80000000ULL)) | \
			 FIELD_PREP_CONST(TDX_GPA_INFO_LEVEL, TDX_MMIOMT_LEVEL_4K))

#define DEVIFMT_IDX_L(func, l)	(FIELD_PREP_CONST(TDX_DEVIFMT_IDX_FUNC_ID, func) | \
				 FIELD_PREP_CONST(TDX_DEVIFMT_IDX_LEVEL, l))
/* The entry of level 1, which points to the TDI's level-0 page */
#define DEVIFMT_IDX(func)	DEVIFMT_IDX_L(func, 1)
#define DEVIF_ID(func)		(FIELD_PREP_CONST(TDX_DEVIF_ID_FUNC_ID, func) | \
				 FIELD_PREP_CONST(TDX_DEVIF_ID_IOMMU_ID, TEST_IOMMU) | \
				 FIELD_PREP_CONST(TDX_DEVIF_ID_STREAM_ID, TEST_STREAM))
#define DMAR_IDX(func, level)	DMAR_IDX_P(func, level, 0)
#define DMAR_IDX_P(func, level, pasid) \
				(FIELD_PREP_CONST(TDX_DMAR_IDX_IOMMU_ID, TEST_IOMMU) | \
				 FIELD_PREP_CONST(TDX_DMAR_IDX_PASID, pasid) | \
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

/* Every register by name, so that a failure says which one. */
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

/* Exactly one call, to version 0 of @leaf, with exactly the registers @in. */
static void expect_call(struct kunit *test, const struct tdi_rec *rec, u16 leaf,
			const struct tdx_module_args *in)
{
	KUNIT_EXPECT_EQ(test, rec->nr, 1);
	KUNIT_EXPECT_EQ(test, rec->fn, leaf);
	expect_regs(test, &rec->in, in);
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
	u64 state = 0, pa = 0;
	unsigned int i;

	KUNIT_EXPECT_EQ(test, tdh_dmar_add(idx, &e), TDX_SUCCESS);
	expect_call(test, rec, TDH_DMAR_ADD, &(struct tdx_module_args) {
		.rcx = idx, .rdx = 1, .r8 = 2, .r9 = 3, .r10 = 4, .r11 = 5, .r12 = 6,
		.r13 = 7, .r14 = 8 });

	*rec = (struct tdi_rec) {};
	KUNIT_EXPECT_EQ(test, tdh_dmar_block(idx), TDX_SUCCESS);
	expect_call(test, rec, TDH_DMAR_BLOCK, &(struct tdx_module_args) { .rcx = idx });

	/* A PASIDTE: the state in RDX, the entry in R8 to R15 */
	idx = (idx & ~TDX_DMAR_IDX_LEVEL) | FIELD_PREP(TDX_DMAR_IDX_LEVEL, TDX_DMAR_LEVEL_PASIDTE);
	*rec = (struct tdi_rec) {
		.out = { .rcx = 99, .rdx = 10, .r8 = 11, .r9 = 12, .r10 = 13, .r11 = 14,
			 .r12 = 15, .r13 = 16, .r14 = 17, .r15 = 18 },
	};
	KUNIT_EXPECT_EQ(test, tdh_dmar_read(idx, &state, &got), TDX_SUCCESS);
	expect_call(test, rec, TDH_DMAR_READ, &(struct tdx_module_args) { .rcx = idx });
	KUNIT_EXPECT_EQ(test, state, 10);
	for (i = 0; i < TDX_DMAR_ENTRY_QWORDS; i++)
		KUNIT_EXPECT_EQ(test, got.qw[i], 11 + i);

	/* A CTE: four qwords, R8 to R11; the registers past it are not read */
	idx = (idx & ~TDX_DMAR_IDX_LEVEL) | FIELD_PREP(TDX_DMAR_IDX_LEVEL, TDX_DMAR_LEVEL_CTE);
	KUNIT_EXPECT_EQ(test, tdh_dmar_read(idx, &state, &got), TDX_SUCCESS);
	for (i = 0; i < TDX_DMAR_ENTRY_QWORDS; i++)
		KUNIT_EXPECT_EQ(test, got.qw[i], i < TDX_DMAR_CTE_QWORDS ? 11 + i : 0);

	/* REMOVE of a CTE reports its PASID directory page in RCX */
	*rec = (struct tdi_rec) { .out = { .rcx = 0x5000 } };
	KUNIT_EXPECT_EQ(test, tdh_dmar_remove(idx, &pa), TDX_SUCCESS);
	expect_call(test, rec, TDH_DMAR_REMOVE, &(struct tdx_module_args) { .rcx = idx });
	KUNIT_EXPECT_EQ(test, pa, 0x5000);
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

/* ---- The fake TDI model, called with raw registers ---- */

/* Pages of a test, named in register operands by PG(n) until resolved */
enum {
	/* DEVIFMT pages of levels 3 to 0 (PG_MT: the TDI's level-0 page) */
	PG_MT3, PG_MT2, PG_MT1, PG_MT,
	PG_CS, PG_TD, PG_VMM,
	/* MMIOMT pages of levels 4 to 0 (PG_MMIOMT: TEST_MMIO's level 0) */
	PG_MM4, PG_MM3, PG_MM2, PG_MM1, PG_MMIOMT,
	/* The context table, PASID directory and PASID table of TEST_FUNC */
	PG_CT, PG_PD, PG_PT,
	PG_REQ, PG_RSP, PG_OUT, PG_SPARE, PG_SPARE2,
	/* Shared: where the IOMMU writes invalidation status */
	PG_STATUS,
	NR_PG
};

#define PG_MARK		GENMASK_ULL(62, 57)
#define PG_IDX		GENMASK_ULL(56, 52)
#define PG(n)		(PG_MARK | FIELD_PREP_CONST(PG_IDX, n))

/**
 * struct fake_tap - What the fake TDI leaves received and returned
 * @fake_leaf: the fake's own other_leaf hook, which the tap calls
 * @nr: calls that went through the tap
 * @leaf: leaf of the last call
 * @version: its version
 * @in: the registers it came with
 * @out: the registers it went back with
 * @status: the status the fake returned
 */
struct fake_tap {
	u64 (*fake_leaf)(struct tdx_fake_module *fake, u16 leaf, u8 version,
			 struct tdx_module_args *args);
	unsigned int nr;
	u16 leaf;
	u8 version;
	struct tdx_module_args in;
	struct tdx_module_args out;
	u64 status;
};

struct tdi_env {
	struct tdx_fake_module *fake;
	struct tdx_fake_spdm *fs;
	struct tdx_fake_tdi *ft;
	struct page *pg[NR_PG];
	unsigned int nr_reports;
	struct fake_tap tap;
};

struct owned_page {
	struct tdx_fake_module *fake;
	struct page *page;
};

/* A page the fake still owns at the end is the fake's to free. */
static void owned_page_free(void *data)
{
	struct owned_page *op = data;

	u64 hpa = page_to_phys(op->page);

	if (!tdx_fake_owns(op->fake, hpa) && !tdx_fake_released(op->fake, hpa))
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
	/*
	 * As after connect: the second VT-d unit (TEST_IOMMU) set up, and
	 * TEST_STREAM keyed for the functions of bus 3 over a session that is
	 * connected; the fake SPDM module's slots are filled directly.
	 */
	KUNIT_ASSERT_EQ(test, tdx_fake_add_iommu(env->fake, 0xfed90000, true), 0);
	KUNIT_ASSERT_EQ(test, tdx_fake_add_iommu(env->fake, 0xfed91000, true), 0);
	env->fake->iommus[TEST_IOMMU - 0x100].set_up = true;
	env->fs = tdx_fake_spdm_install(test, env->fake);
	env->fs->sessions[0] = (struct tdx_fake_spdm_session) {
		.used = true, .func_id = TEST_FUNC & ~7ULL, .spdm_id = 1,
		.established = true, .connected = true,
	};
	env->fs->streams[0] = (struct tdx_fake_spdm_stream) {
		.used = true, .session = &env->fs->sessions[0], .stream_id = TEST_STREAM,
		.rid_base = TEST_RID_BASE, .rid_limit = TEST_RID_LIMIT, .keyed = true,
		.rp_enabled = true,
	};
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

/*
 * Raw calls hand pages over without a wrapper, so the flush that the
 * wrappers do (and the fake checks) is done here.
 */
static u64 resolve_flushed(const struct tdi_env *env, u64 v)
{
	if ((v & PG_MARK) == PG_MARK)
		tdx_handoff_flush(page_address(env->pg[FIELD_GET(PG_IDX, v)]), PAGE_SIZE);
	return resolve(env, v);
}

static u64 raw_call(const struct tdi_env *env, u16 leaf, u8 version,
		    const struct tdx_module_args *in, struct tdx_module_args *out)
{
	struct tdx_module_args args = {
		.rcx = resolve_flushed(env, in->rcx),
		.rdx = resolve_flushed(env, in->rdx),
		.r8 = resolve_flushed(env, in->r8),
		.r9 = resolve_flushed(env, in->r9),
		.r10 = resolve_flushed(env, in->r10),
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

/* Setup stages, applied in this order */
#define S_MT		BIT(0)	/* DEVIFMT levels 4 to 1 of TEST_FUNC */
#define S_CREATED	BIT(1)	/* TEST_FUNC assigned to TEST_VM */
#define S_MMIO		BIT(2)	/* MMIOMT levels 5 to 1 of TEST_MMIO, given to it */
#define S_DMA		BIT(3)	/* RTE, CTE, PDE and a PENDING PASIDTE for its RID */
#define S_ACCEPT	BIT(4)	/* the TD accepted the PASIDTE */
#define S_MAPPED	BIT(5)	/* TEST_MMIO mapped at TEST_GPA */
#define S_LOCKED	BIT(6)	/* TDISP LOCK done */
#define S_PENDING	BIT(7)	/* a TDISP STATE request outstanding */
#define S_BLOCKED	BIT(8)	/* the PASIDTE and the MMIO mapping blocked */
#define S_INV		BIT(9)	/* the PASIDTE's invalidation done */

#define RTE_IDX		DMAR_IDX(TEST_FUNC, TDX_DMAR_LEVEL_RTE)
#define CTE_IDX		DMAR_IDX(TEST_FUNC, TDX_DMAR_LEVEL_CTE)
#define PDE_IDX		DMAR_IDX(TEST_FUNC, TDX_DMAR_LEVEL_PDE)
#define PTE_IDX		DMAR_IDX(TEST_FUNC, TDX_DMAR_LEVEL_PASIDTE)
/* Another 2 MiB region in the 256 MiB of TEST_MMIO's level-1 page */
#define TEST_MMIO2M	0xfe200000ULL

/* Operands kept out of the KUnit macros, which sparse cannot expand them in */
static const u64 mt_idx = DEVIFMT_IDX(TEST_FUNC);
static const u64 rte_idx = RTE_IDX;
static const u64 cte_idx = CTE_IDX;
static const u64 pde_idx = PDE_IDX;
static const u64 pte_idx = PTE_IDX;
static const u64 mmio_4k = MMIOMT_IDX(TEST_MMIO, TDX_MMIOMT_LEVEL_4K);
static const u64 mmio_data = MMIO_DATA(TEST_FUNC);

/* A PASIDTE as the host adds it, qwords 0 and 1 */
#define PASIDTE0	(TDX_DMAR_PASIDTE_SLEE | \
			 FIELD_PREP_CONST(TDX_DMAR_PASIDTE_PGTT, TDX_DMAR_PASIDTE_PGTT_SL))
#define PASIDTE1	(TDX_DMAR_PASIDTE1_PWSNP | TDX_DMAR_PASIDTE1_PGSNP | \
			 TDX_DMAR_PASIDTE1_EMTE | \
			 FIELD_PREP_CONST(TDX_DMAR_PASIDTE1_EMT, TDX_DMAR_PASIDTE1_EMT_WB))
/* An RTE, CTE (one PASID directory page) or PDE pointing to a PG() page */
#define TABLE(pg)	(PG(pg) | TDX_DMAR_ENTRY_PRESENT)
/* The status data of the test's invalidation wait descriptors */
#define TEST_IQ_DATA	0x600dULL

/* DEVIFMT_IDX_L() and MMIOMT_IDX() of a level known at run time */
static u64 devifmt_at(u64 func, unsigned int level)
{
	return FIELD_PREP(TDX_DEVIFMT_IDX_FUNC_ID, func) | FIELD_PREP(TDX_DEVIFMT_IDX_LEVEL, level);
}

static u64 mmiomt_at(u64 pa, unsigned int level)
{
	return (pa & TDX_MMIOMT_IDX_PA) | FIELD_PREP(TDX_MMIOMT_IDX_LEVEL, level);
}

static void tdisp_exchange(struct kunit *test, struct tdi_env *env, u64 func, u8 code)
{
	u64 out = 0, rsp_code;
	size_t len;

	KUNIT_ASSERT_EQ(test, tdh_devif_request(func, REQ(code), env->pg[PG_REQ], &out),
			TDX_SUCCESS);
	len = tdx_fake_tdisp_relay(env->pg[PG_REQ], FIELD_GET(TDX_DEVIF_REQ_OUT_LEN, out),
				   env->pg[PG_RSP], 0);
	KUNIT_ASSERT_EQ(test, len, TDX_FAKE_TDISP_OBJ_SIZE);
	KUNIT_ASSERT_EQ(test, tdh_devif_response(func, env->pg[PG_RSP], false, NULL, &out),
			TDX_SUCCESS);
	rsp_code = FIELD_GET(TDX_DEVIF_RSP_OUT_CODE, out);
	KUNIT_ASSERT_EQ(test, rsp_code, code & ~TDX_TDISP_REQ);
}

/* A DMAR entry with its PG() page resolved */
static struct tdx_dmar_entry *dmar_entry(const struct tdi_env *env, u64 qw0, u64 qw1)
{
	static struct tdx_dmar_entry e;

	e = (struct tdx_dmar_entry) { .qw = { resolve(env, qw0), qw1 } };
	return &e;
}

static void add_dma(struct kunit *test, struct tdi_env *env)
{
	KUNIT_ASSERT_EQ(test, tdh_dmar_add(rte_idx, dmar_entry(env, TABLE(PG_CT), 0)),
			TDX_SUCCESS);
	KUNIT_ASSERT_EQ(test, tdh_dmar_add(cte_idx, dmar_entry(env, TABLE(PG_PD), 0)),
			TDX_SUCCESS);
	KUNIT_ASSERT_EQ(test, tdh_dmar_add(pde_idx, dmar_entry(env, TABLE(PG_PT), 0)),
			TDX_SUCCESS);
	KUNIT_ASSERT_EQ(test, tdh_dmar_add(pte_idx, dmar_entry(env, PASIDTE0, PASIDTE1)),
			TDX_SUCCESS);
}

/* The DMAR state of an entry: TDX_DMAR_STATE_MAP and TDX_DMAR_STATE_INV */
static u64 dmar_state(struct kunit *test, u64 idx, u64 field)
{
	struct tdx_dmar_entry e;
	u64 state = 0;

	KUNIT_EXPECT_EQ(test, tdh_dmar_read(idx, &state, &e), TDX_SUCCESS);
	return field == TDX_DMAR_STATE_MAP ? FIELD_GET(TDX_DMAR_STATE_MAP, state) :
	       FIELD_GET(TDX_DMAR_STATE_INV, state);
}

/* Queue the invalidation of a blocked entry, as the host does */
static u64 inv_request(struct tdi_env *env, u64 idx)
{
	unsigned int level = FIELD_GET(TDX_DMAR_IDX_LEVEL, idx);
	u64 wait[4] = {
		FIELD_PREP(TDX_IQ_WAIT_TYPE, TDX_IQ_WAIT_TYPE_WAIT) | TDX_IQ_WAIT_SW |
		TDX_IQ_WAIT_FN | FIELD_PREP(TDX_IQ_WAIT_DATA, TEST_IQ_DATA),
		page_to_phys(env->pg[PG_STATUS]),
	};
	u64 subject = FIELD_PREP(TDX_IQ_SUBJECT_RID, FIELD_GET(TDX_DMAR_IDX_RID, idx)) |
		      FIELD_PREP(TDX_IQ_SUBJECT_PASID, FIELD_GET(TDX_DMAR_IDX_PASID, idx));

	WRITE_ONCE(*(u32 *)page_address(env->pg[PG_STATUS]), 0);
	return tdh_iq_inv_request(TEST_IOMMU, TDX_IQ_INV_RTE + TDX_DMAR_LEVEL_RTE - level,
				  subject, wait);
}

/* The IOMMU's status write: the hardware is done */
static bool iq_status_written(struct tdi_env *env)
{
	unsigned int i;

	for (i = 0; i < 2000; i++) {
		if (READ_ONCE(*(u32 *)page_address(env->pg[PG_STATUS])) == TEST_IQ_DATA)
			return true;
		usleep_range(500, 1000);
	}
	return false;
}

/* Request, wait for the IOMMU, process: the entry's invalidation DONE */
static void invalidate(struct kunit *test, struct tdi_env *env, u64 idx)
{
	KUNIT_ASSERT_EQ(test, inv_request(env, idx), TDX_SUCCESS);
	KUNIT_ASSERT_TRUE(test, iq_status_written(env));
	KUNIT_ASSERT_EQ(test, tdh_iq_inv_process(TEST_IOMMU), TDX_SUCCESS);
}

/* Block, invalidate and remove one DMAR entry; what it released */
static u64 remove_dmar(struct kunit *test, struct tdi_env *env, u64 idx)
{
	u64 pa = 0;

	KUNIT_EXPECT_EQ(test, tdh_dmar_block(idx), TDX_SUCCESS);
	invalidate(test, env, idx);
	KUNIT_EXPECT_EQ(test, tdh_dmar_remove(idx, &pa), TDX_SUCCESS);
	return pa;
}

static void setup(struct kunit *test, struct tdi_env *env, unsigned int stages)
{
	unsigned int l;
	u64 out;

	if (stages & S_MT) {
		for (l = TDX_DEVIFMT_LEVEL_ROOT; l >= 1; l--)
			KUNIT_ASSERT_EQ(test, tdh_devifmt_add(devifmt_at(TEST_FUNC, l),
							      env->pg[PG_MT3 + 4 - l]),
					TDX_SUCCESS);
	}
	if (stages & S_CREATED)
		KUNIT_ASSERT_EQ(test, tdh_devif_create(DEVIF_ID(TEST_FUNC), TEST_VM,
						       env->pg[PG_CS], env->pg[PG_TD],
						       env->pg[PG_VMM]),
				TDX_SUCCESS);
	if (stages & S_MMIO) {
		for (l = TDX_MMIOMT_LEVEL_ROOT; l >= 1; l--)
			KUNIT_ASSERT_EQ(test, tdh_mmiomt_add(mmiomt_at(TEST_MMIO, l),
							     env->pg[PG_MM4 + 5 - l]),
					TDX_SUCCESS);
		KUNIT_ASSERT_EQ(test, tdh_mmiomt_set(mmio_4k, mmio_data), TDX_SUCCESS);
	}
	if (stages & S_DMA)
		add_dma(test, env);
	if (stages & S_ACCEPT)
		KUNIT_ASSERT_EQ(test, tdx_fake_tdi_accept_dma(env->ft, pte_idx), TDX_SUCCESS);
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
		KUNIT_ASSERT_EQ(test, tdh_dmar_block(pte_idx), TDX_SUCCESS);
		KUNIT_ASSERT_EQ(test, tdh_mmio_block(TEST_GPA, TEST_VM), TDX_SUCCESS);
	}
	if (stages & S_INV)
		invalidate(test, env, pte_idx);
}

/* Changes to the fake's state after setup, for what bind cannot reach */
enum tweak {
	T_NONE,
	T_STREAM_UNKEYED,
	T_STREAM_BLOCKED,
	T_SESSION_DOWN,
	T_NO_STREAM,
	T_STREAM_NARROW,
	T_DATA_2M,
};

static void apply_tweak(struct kunit *test, struct tdi_env *env, enum tweak t)
{
	switch (t) {
	case T_NONE:
		break;
	case T_STREAM_UNKEYED:
		env->fs->streams[0].keyed = false;
		break;
	case T_STREAM_BLOCKED:
		env->fs->streams[0].blocked = true;
		break;
	case T_SESSION_DOWN:
		env->fs->sessions[0].connected = false;
		break;
	case T_NO_STREAM:
		env->fs->streams[0].used = false;
		break;
	case T_STREAM_NARROW:
		env->fs->streams[0].rid_limit = TEST_FUNC - 1;
		break;
	case T_DATA_2M:
		KUNIT_ASSERT_EQ(test, tdh_mmiomt_set(MMIOMT_IDX(TEST_MMIO2M, TDX_MMIOMT_LEVEL_2M),
						     mmio_data), TDX_SUCCESS);
		break;
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
	enum tweak tweak;
};

#define OPND(status, id)	((status) | TDX_OPERAND_ID_##id)
#define INVALID(id)		OPND(TDX_OPERAND_INVALID, id)
#define CREATE_ARGS(func)	.rcx = DEVIF_ID(func), .rdx = TEST_VM, .r8 = PG(PG_CS), \
				.r9 = PG(PG_TD), .r10 = PG(PG_VMM)
#define IQ_WAIT0		(FIELD_PREP_CONST(TDX_IQ_WAIT_TYPE, TDX_IQ_WAIT_TYPE_WAIT) | \
				 TDX_IQ_WAIT_SW | TDX_IQ_WAIT_FN)
#define IQ_ARGS_X(iommu, type, subject, wait, status, r11_) \
				.rcx = (iommu), .rdx = (type), .r8 = (subject), .r9 = (wait), \
				.r10 = (status), .r11 = (r11_)
#define IQ_ARGS(type, rid)	IQ_ARGS_X(TEST_IOMMU, type, rid, IQ_WAIT0, PG(PG_STATUS), 0)
#define S_ALL			(S_MT | S_CREATED | S_MMIO | S_DMA | S_MAPPED)

/*
 * What the fake itself refuses, with raw registers through
 * tdx_seamcall_ver() rather than through the wrappers: these check the
 * fake that this and later suites rely on.  wrapper_refusals[] checks the
 * wrappers against it.
 */

static const struct refusal refusals[] = {
	/* DEVIFMT (tdh_devifmt_add.c, tdh_devifmt_remove.c, tdh_devifmt_rd.c) */
	{ "DEVIFMT.ADD reserved index bits", 0, 0, TDH_DEVIFMT_ADD, 0,
	  { .rcx = DEVIFMT_IDX_L(TEST_FUNC, 4) | BIT_ULL(3), .rdx = PG(PG_MT3) }, INVALID(RCX) },
	{ "DEVIFMT.ADD level 0", 0, 0, TDH_DEVIFMT_ADD, 0,
	  { .rcx = DEVIFMT_IDX_L(TEST_FUNC, 0), .rdx = PG(PG_MT3) }, INVALID(RCX) },
	{ "DEVIFMT.ADD level 5", 0, 0, TDH_DEVIFMT_ADD, 0,
	  { .rcx = DEVIFMT_IDX_L(TEST_FUNC, 5), .rdx = PG(PG_MT3) }, INVALID(RCX) },
	{ "DEVIFMT.ADD segment", 0, 0, TDH_DEVIFMT_ADD, 0,
	  { .rcx = DEVIFMT_IDX_L(TEST_FUNC | TDX_FUNC_ID_SEGMENT_VALID, 4),
	    .rdx = PG(PG_MT3) }, INVALID(RCX) },
	{ "DEVIFMT.ADD misaligned page", 0, 0, TDH_DEVIFMT_ADD, 0,
	  { .rcx = DEVIFMT_IDX_L(TEST_FUNC, 4), .rdx = PG(PG_MT3) + 8 }, INVALID(RDX) },
	{ "DEVIFMT.ADD page beyond memory", 0, 0, TDH_DEVIFMT_ADD, 0,
	  { .rcx = DEVIFMT_IDX_L(TEST_FUNC, 4), .rdx = TDX_DEVIFMT_ENTRY_PA },
	  OPND(TDX_OPERAND_ADDR_RANGE_ERROR, RDX) },
	{ "DEVIFMT.ADD page the module owns", S_MT, 0, TDH_DEVIFMT_ADD, 0,
	  { .rcx = DEVIFMT_IDX(TEST_FUNC2), .rdx = PG(PG_MT) },
	  OPND(TDX_PAGE_METADATA_INCORRECT, RDX) },
	{ "DEVIFMT.ADD level 1 without levels 4 to 2", 0, 0, TDH_DEVIFMT_ADD, 0,
	  { .rcx = DEVIFMT_IDX(TEST_FUNC), .rdx = PG(PG_MT) },
	  OPND(TDX_DEVIFMT_NOT_PRESENT, RCX) },
	{ "DEVIFMT.ADD twice", S_MT, 0, TDH_DEVIFMT_ADD, 0,
	  { .rcx = DEVIFMT_IDX(TEST_FUNC), .rdx = PG(PG_SPARE) },
	  OPND(TDX_DEVIFMT_ALREADY_PRESENT, RCX) },
	{ "DEVIFMT.ADD root twice", S_MT, 0, TDH_DEVIFMT_ADD, 0,
	  { .rcx = DEVIFMT_IDX_L(TEST_FUNC2, 4), .rdx = PG(PG_SPARE) },
	  OPND(TDX_DEVIFMT_ALREADY_PRESENT, RCX) },
	{ "DEVIFMT.REMOVE while the TDI exists", S_MT | S_CREATED, 0, TDH_DEVIFMT_REMOVE, 0,
	  { .rcx = DEVIFMT_IDX(TEST_FUNC) }, OPND(TDX_DEVIF_INVALID_METADATA, RCX) },
	{ "DEVIFMT.REMOVE of a page with a page below", S_MT, 0, TDH_DEVIFMT_REMOVE, 0,
	  { .rcx = DEVIFMT_IDX_L(TEST_FUNC, 2) }, OPND(TDX_DEVIF_INVALID_METADATA, RCX) },
	{ "DEVIFMT.REMOVE without metadata", 0, 0, TDH_DEVIFMT_REMOVE, 0,
	  { .rcx = DEVIFMT_IDX(TEST_FUNC) }, OPND(TDX_DEVIFMT_NOT_PRESENT, RCX) },
	{ "DEVIFMT.REMOVE of a clear entry", S_MT, 0, TDH_DEVIFMT_REMOVE, 0,
	  { .rcx = DEVIFMT_IDX(TEST_FUNC2) }, OPND(TDX_DEVIFMT_NOT_PRESENT, RCX) },
	{ "DEVIFMT.RD level 0 without metadata", 0, 0, TDH_DEVIFMT_RD, 0,
	  { .rcx = DEVIFMT_IDX_L(TEST_FUNC, 0) }, OPND(TDX_DEVIFMT_NOT_PRESENT, RCX) },
	{ "DEVIFMT.RD level 6", 0, 0, TDH_DEVIFMT_RD, 0,
	  { .rcx = DEVIFMT_IDX_L(TEST_FUNC, 6) }, INVALID(RCX) },
	/* DEVIF.CREATE (tdh_devif_create.c), in its order of checks */
	{ "DEVIF.CREATE misaligned control page", S_MT, 0, TDH_DEVIF_CREATE, 0,
	  { .rcx = DEVIF_ID(TEST_FUNC) | FIELD_PREP_CONST(TDX_DEVIF_ID_TYPE, 1), .rdx = 8,
	    .r8 = PG(PG_CS) + 64, .r9 = PG(PG_TD), .r10 = PG(PG_VMM) }, INVALID(R8) },
	{ "DEVIF.CREATE misaligned TDR", S_MT, 0, TDH_DEVIF_CREATE, 0,
	  { .rcx = DEVIF_ID(TEST_FUNC), .rdx = TEST_VM + 8, .r8 = PG(PG_CS),
	    .r9 = PG(PG_TD), .r10 = PG(PG_VMM) }, INVALID(RDX) },
	{ "DEVIF.CREATE owned TD buffer", S_MT, 0, TDH_DEVIF_CREATE, 0,
	  { .rcx = DEVIF_ID(TEST_FUNC), .rdx = TEST_VM, .r8 = PG(PG_CS),
	    .r9 = PG(PG_MT), .r10 = PG(PG_VMM) }, OPND(TDX_PAGE_METADATA_INCORRECT, R9) },
	{ "DEVIF.CREATE one page twice", S_MT, 0, TDH_DEVIF_CREATE, 0,
	  { .rcx = DEVIF_ID(TEST_FUNC), .rdx = TEST_VM, .r8 = PG(PG_CS),
	    .r9 = PG(PG_TD), .r10 = PG(PG_TD) }, OPND(TDX_PAGE_METADATA_INCORRECT, R10) },
	{ "DEVIF.CREATE unknown type", S_MT, 0, TDH_DEVIF_CREATE, 0,
	  { .rcx = DEVIF_ID(TEST_FUNC) | FIELD_PREP_CONST(TDX_DEVIF_ID_TYPE, 1), .rdx = TEST_VM,
	    .r8 = PG(PG_CS), .r9 = PG(PG_TD), .r10 = PG(PG_VMM) }, INVALID(RCX) },
	{ "DEVIF.CREATE without metadata", 0, 0, TDH_DEVIF_CREATE, 0,
	  { CREATE_ARGS(TEST_FUNC) }, OPND(TDX_DEVIFMT_NOT_PRESENT, RCX) },
	{ "DEVIF.CREATE twice", S_MT | S_CREATED, 0, TDH_DEVIF_CREATE, 0,
	  { .rcx = DEVIF_ID(TEST_FUNC), .rdx = TEST_VM, .r8 = PG(PG_SPARE),
	    .r9 = PG(PG_REQ), .r10 = PG(PG_RSP) }, OPND(TDX_DEVIFMT_ALREADY_PRESENT, RCX) },
	{ "DEVIF.CREATE IOMMU not set up", S_MT, 0, TDH_DEVIF_CREATE, 0,
	  { .rcx = (DEVIF_ID(TEST_FUNC) & ~TDX_DEVIF_ID_IOMMU_ID) |
		   FIELD_PREP_CONST(TDX_DEVIF_ID_IOMMU_ID, TEST_IOMMU - 1), .rdx = TEST_VM,
	    .r8 = PG(PG_CS), .r9 = PG(PG_TD), .r10 = PG(PG_VMM) }, INVALID(RCX) },
	{ "DEVIF.CREATE stream not keyed", S_MT, 0, TDH_DEVIF_CREATE, 0,
	  { CREATE_ARGS(TEST_FUNC) }, OPND(TDX_IDE_STREAM_INVALID_STATE, RCX),
	  T_STREAM_UNKEYED },
	{ "DEVIF.CREATE stream blocked", S_MT, 0, TDH_DEVIF_CREATE, 0,
	  { CREATE_ARGS(TEST_FUNC) }, OPND(TDX_IDE_STREAM_INVALID_STATE, RCX),
	  T_STREAM_BLOCKED },
	{ "DEVIF.CREATE no such stream", S_MT, 0, TDH_DEVIF_CREATE, 0,
	  { CREATE_ARGS(TEST_FUNC) }, OPND(TDX_IDE_STREAM_INVALID_STATE, RCX), T_NO_STREAM },
	{ "DEVIF.CREATE RID outside the stream", S_MT, 0, TDH_DEVIF_CREATE, 0,
	  { CREATE_ARGS(TEST_FUNC) }, INVALID(RCX), T_STREAM_NARROW },
	{ "DEVIF.CREATE session not connected", S_MT, 0, TDH_DEVIF_CREATE, 0,
	  { CREATE_ARGS(TEST_FUNC) }, OPND(TDX_SPDM_INVALID_STATE, RCX), T_SESSION_DOWN },
	/* DEVIF.REMOVE (tdh_devif_remove.c) */
	{ "DEVIF.REMOVE while LOCKED, stream up", S_MT | S_CREATED | S_LOCKED, 0,
	  TDH_DEVIF_REMOVE, 0, { .rcx = TEST_FUNC }, OPND(TDX_DEVIF_INVALID_STATE, RCX) },
	{ "DEVIF.REMOVE while RUN", S_MT | S_CREATED | S_LOCKED, TDX_TDISP_RUN,
	  TDH_DEVIF_REMOVE, 0, { .rcx = TEST_FUNC }, OPND(TDX_DEVIF_INVALID_STATE, RCX) },
	{ "DEVIF.REMOVE in ERROR", S_MT | S_CREATED, TDX_TDISP_ERROR_STATE,
	  TDH_DEVIF_REMOVE, 0, { .rcx = TEST_FUNC }, OPND(TDX_DEVIF_INVALID_STATE, RCX) },
	{ "DEVIF.REMOVE with accepted DMA", S_MT | S_CREATED | S_DMA | S_ACCEPT, 0,
	  TDH_DEVIF_REMOVE, 0, { .rcx = TEST_FUNC }, OPND(TDX_DEVIF_HAS_MAPPED_DMA, RCX) },
	{ "DEVIF.REMOVE with accepted DMA blocked", S_ALL | S_ACCEPT | S_BLOCKED | S_INV,
	  0, TDH_DEVIF_REMOVE, 0, { .rcx = TEST_FUNC }, OPND(TDX_DEVIF_HAS_MAPPED_DMA, RCX) },
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
	  OPND(TDX_DEVIF_TDISP_INVALID_STATE, RCX) },
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
	/* DMAR (tdh_dmar_add.c, tdh_dmar_block.c, tdh_dmar_remove.c, dmar.c) */
	{ "DMAR.ADD reserved index bits", 0, 0, TDH_DMAR_ADD, 0,
	  { .rcx = RTE_IDX | BIT_ULL(3), .rdx = TABLE(PG_CT) }, INVALID(RCX) },
	{ "DMAR.ADD IOMMU not set up", 0, 0, TDH_DMAR_ADD, 0,
	  { .rcx = FIELD_PREP_CONST(TDX_DMAR_IDX_RID, TEST_FUNC) |
		   FIELD_PREP_CONST(TDX_DMAR_IDX_LEVEL, TDX_DMAR_LEVEL_RTE),
	    .rdx = TABLE(PG_CT) }, INVALID(RCX) },
	{ "DMAR.ADD unknown level", 0, 0, TDH_DMAR_ADD, 0,
	  { .rcx = DMAR_IDX(TEST_FUNC, 4), .rdx = TABLE(PG_CT) }, INVALID(RCX) },
	{ "DMAR.ADD a context entry past 32 bytes", S_MT, 0, TDH_DMAR_ADD, 0,
	  { .rcx = CTE_IDX, .rdx = TABLE(PG_PD), .r11 = 1 }, INVALID(R11) },
	{ "DMAR.ADD a root entry past 8 bytes", 0, 0, TDH_DMAR_ADD, 0,
	  { .rcx = RTE_IDX, .rdx = TABLE(PG_CT), .r8 = 1 }, INVALID(R8) },
	{ "DMAR.ADD a root entry not present", 0, 0, TDH_DMAR_ADD, 0,
	  { .rcx = RTE_IDX, .rdx = PG(PG_CT) }, INVALID(RDX) },
	{ "DMAR.ADD a context entry with RID_PASID", 0, 0, TDH_DMAR_ADD, 0,
	  { .rcx = CTE_IDX, .rdx = TABLE(PG_PD), .r8 = 1 }, INVALID(R8) },
	{ "DMAR.ADD a context entry with PASIDE", 0, 0, TDH_DMAR_ADD, 0,
	  { .rcx = CTE_IDX, .rdx = TABLE(PG_PD) | TDX_DMAR_CTE_PASIDE }, INVALID(RDX) },
	{ "DMAR.ADD a PASIDTE present", 0, 0, TDH_DMAR_ADD, 0,
	  { .rcx = PTE_IDX, .rdx = PASIDTE0 | TDX_DMAR_PASIDTE_PRESENT, .r8 = PASIDTE1 },
	  INVALID(RDX) },
	{ "DMAR.ADD a PASIDTE not write-back", 0, 0, TDH_DMAR_ADD, 0,
	  { .rcx = PTE_IDX, .rdx = PASIDTE0, .r8 = PASIDTE1 ^ BIT_ULL(27) }, INVALID(R8) },
	{ "DMAR.ADD a PASIDTE with a domain", 0, 0, TDH_DMAR_ADD, 0,
	  { .rcx = PTE_IDX, .rdx = PASIDTE0, .r8 = PASIDTE1 | 1 }, INVALID(R8) },
	{ "DMAR.ADD a CTE without its RTE", 0, 0, TDH_DMAR_ADD, 0,
	  { .rcx = CTE_IDX, .rdx = TABLE(PG_PD) }, OPND(TDX_DMAR_ENTRY_NOT_PRESENT, RCX) },
	{ "DMAR.ADD a PASIDTE of another PASID", S_DMA, 0, TDH_DMAR_ADD, 0,
	  { .rcx = DMAR_IDX_P(TEST_FUNC, TDX_DMAR_LEVEL_PASIDTE, 1), .rdx = PASIDTE0,
	    .r8 = PASIDTE1 }, INVALID(RCX) },
	{ "DMAR.ADD twice", S_DMA, 0, TDH_DMAR_ADD, 0,
	  { .rcx = CTE_IDX, .rdx = TABLE(PG_SPARE) },
	  OPND(TDX_DMAR_INVALID_MAPPING_STATE, RCX) },
	{ "DMAR.ADD a table page the module owns", S_MT, 0, TDH_DMAR_ADD, 0,
	  { .rcx = RTE_IDX, .rdx = TABLE(PG_MT) }, OPND(TDX_PAGE_METADATA_INCORRECT, RDX) },
	{ "DMAR.BLOCK of no entry", 0, 0, TDH_DMAR_BLOCK, 0,
	  { .rcx = RTE_IDX }, OPND(TDX_DMAR_INVALID_MAPPING_STATE, RCX) },
	{ "DMAR.BLOCK an RTE with a CTE below", S_DMA, 0, TDH_DMAR_BLOCK, 0,
	  { .rcx = RTE_IDX }, OPND(TDX_DMAR_INVALID_MAPPING_STATE, RCX) },
	{ "DMAR.BLOCK a PASIDTE of no TDI", S_DMA, 0, TDH_DMAR_BLOCK, 0,
	  { .rcx = PTE_IDX }, OPND(TDX_DEVIFMT_NOT_PRESENT, RCX) },
	{ "DMAR.BLOCK twice", S_ALL | S_BLOCKED, 0, TDH_DMAR_BLOCK, 0,
	  { .rcx = PTE_IDX }, OPND(TDX_DMAR_INVALID_MAPPING_STATE, RCX) },
	{ "DMAR.REMOVE not blocked", S_DMA, 0, TDH_DMAR_REMOVE, 0,
	  { .rcx = PTE_IDX }, OPND(TDX_DMAR_INVALID_MAPPING_STATE, RCX) },
	{ "DMAR.REMOVE before its invalidation", S_ALL | S_BLOCKED, 0, TDH_DMAR_REMOVE, 0,
	  { .rcx = PTE_IDX }, OPND(TDX_DMAR_INVALID_INV_STATE, RCX) },
	{ "DMAR.READ below a CTE not present", 0, 0, TDH_DMAR_READ, 0,
	  { .rcx = PDE_IDX }, OPND(TDX_DMAR_ENTRY_NOT_PRESENT, RCX) },
	/* IQ.INV.REQUEST, IQ.INV.PROCESS (tdh_iq_inv_request.c, tdh_iq_inv_process.c) */
	{ "IQ.INV.REQUEST IOMMU not set up", S_ALL | S_BLOCKED, 0, TDH_IQ_INV_REQUEST, 0,
	  { IQ_ARGS_X(TEST_IOMMU - 1, TDX_IQ_INV_PASIDTE, TEST_FUNC, IQ_WAIT0, PG(PG_STATUS), 0) },
	  INVALID(RCX) },
	{ "IQ.INV.REQUEST IOTLB type", S_ALL | S_BLOCKED, 0, TDH_IQ_INV_REQUEST, 0,
	  { IQ_ARGS(TDX_IQ_INV_IOTLB, TEST_FUNC) }, INVALID(RDX) },
	{ "IQ.INV.REQUEST pool size", S_ALL | S_BLOCKED, 0, TDH_IQ_INV_REQUEST, 0,
	  { IQ_ARGS(TDX_IQ_INV_PASIDTE | FIELD_PREP_CONST(TDX_IQ_INV_POOL_SIZE, 1),
		    TEST_FUNC) }, INVALID(RDX) },
	{ "IQ.INV.REQUEST subject reserved bits", S_ALL | S_BLOCKED, 0, TDH_IQ_INV_REQUEST, 0,
	  { IQ_ARGS(TDX_IQ_INV_PASIDTE, TEST_FUNC | BIT_ULL(16)) },
	  INVALID(R8) },
	{ "IQ.INV.REQUEST an entry not blocked", S_ALL, 0, TDH_IQ_INV_REQUEST, 0,
	  { IQ_ARGS(TDX_IQ_INV_PASIDTE, TEST_FUNC) }, OPND(TDX_DMAR_INVALID_MAPPING_STATE, R8) },
	{ "IQ.INV.REQUEST an entry below none", S_ALL | S_BLOCKED, 0, TDH_IQ_INV_REQUEST, 0,
	  { IQ_ARGS(TDX_IQ_INV_PASIDTE, TEST_FUNC2) }, OPND(TDX_DMAR_ENTRY_NOT_PRESENT, R8) },
	{ "IQ.INV.REQUEST an entry done already", S_ALL | S_BLOCKED | S_INV, 0,
	  TDH_IQ_INV_REQUEST, 0, { IQ_ARGS(TDX_IQ_INV_PASIDTE, TEST_FUNC) },
	  OPND(TDX_DMAR_INVALID_INV_STATE, R8) },
	{ "IQ.INV.REQUEST wait without FN", S_ALL | S_BLOCKED, 0, TDH_IQ_INV_REQUEST, 0,
	  { IQ_ARGS_X(TEST_IOMMU, TDX_IQ_INV_PASIDTE, TEST_FUNC, IQ_WAIT0 & ~TDX_IQ_WAIT_FN,
		      PG(PG_STATUS), 0) },
	  INVALID(R9) },
	{ "IQ.INV.REQUEST wait of another type", S_ALL | S_BLOCKED, 0, TDH_IQ_INV_REQUEST, 0,
	  { IQ_ARGS_X(TEST_IOMMU, TDX_IQ_INV_PASIDTE, TEST_FUNC, IQ_WAIT0 + 1, PG(PG_STATUS), 0) },
	  INVALID(R9) },
	{ "IQ.INV.REQUEST misaligned status", S_ALL | S_BLOCKED, 0, TDH_IQ_INV_REQUEST, 0,
	  { IQ_ARGS_X(TEST_IOMMU, TDX_IQ_INV_PASIDTE, TEST_FUNC, IQ_WAIT0, PG(PG_STATUS) + 2, 0) },
	  INVALID(R10) },
	{ "IQ.INV.REQUEST private status", S_ALL | S_BLOCKED, 0, TDH_IQ_INV_REQUEST, 0,
	  { IQ_ARGS_X(TEST_IOMMU, TDX_IQ_INV_PASIDTE, TEST_FUNC, IQ_WAIT0,
		      PG(PG_STATUS) | BIT_ULL(63), 0) },
	  INVALID(R10) },
	{ "IQ.INV.REQUEST R11 set", S_ALL | S_BLOCKED, 0, TDH_IQ_INV_REQUEST, 0,
	  { IQ_ARGS_X(TEST_IOMMU, TDX_IQ_INV_PASIDTE, TEST_FUNC, IQ_WAIT0, PG(PG_STATUS), 1) },
	  INVALID(R11) },
	{ "IQ.INV.PROCESS IOMMU not set up", 0, 0, TDH_IQ_INV_PROCESS, 0,
	  { .rcx = TEST_IOMMU + 1 }, INVALID(RCX) },
	/* MMIOMT (tdh_mmio_mt_add.c, _set.c, _remove.c, _rd.c, mmiomt.c) */
	{ "MMIOMT.ADD level 0", 0, 0, TDH_MMIOMT_ADD, 0,
	  { .rcx = MMIOMT_IDX(TEST_MMIO, TDX_MMIOMT_LEVEL_4K), .rdx = PG(PG_MM4) },
	  INVALID(RCX) },
	{ "MMIOMT.ADD level 6", 0, 0, TDH_MMIOMT_ADD, 0,
	  { .rcx = MMIOMT_IDX(TEST_MMIO, 6), .rdx = PG(PG_MM4) }, INVALID(RCX) },
	{ "MMIOMT.ADD reserved bits", 0, 0, TDH_MMIOMT_ADD, 0,
	  { .rcx = MMIOMT_IDX(TEST_MMIO, TDX_MMIOMT_LEVEL_ROOT) | BIT_ULL(63),
	    .rdx = PG(PG_MM4) }, INVALID(RCX) },
	{ "MMIOMT.ADD level 1 without levels 5 to 2", 0, 0, TDH_MMIOMT_ADD, 0,
	  { .rcx = MMIOMT_IDX(TEST_MMIO, TDX_MMIOMT_LEVEL_2M), .rdx = PG(PG_MMIOMT) },
	  OPND(TDX_MMIOMT_NOT_PRESENT, RCX) },
	{ "MMIOMT.ADD twice", S_MT | S_CREATED | S_MMIO, 0, TDH_MMIOMT_ADD, 0,
	  { .rcx = MMIOMT_IDX(TEST_MMIO, TDX_MMIOMT_LEVEL_2M), .rdx = PG(PG_SPARE) },
	  OPND(TDX_MMIO_INVALID_PAGE_METADATA, RCX) },
	{ "MMIOMT.ADD page the module owns", S_MT, 0, TDH_MMIOMT_ADD, 0,
	  { .rcx = MMIOMT_IDX(TEST_MMIO, TDX_MMIOMT_LEVEL_ROOT), .rdx = PG(PG_MT) },
	  OPND(TDX_PAGE_METADATA_INCORRECT, RDX) },
	{ "MMIOMT.ADD below a 2M DATA entry", S_MT | S_CREATED | S_MMIO, 0, TDH_MMIOMT_ADD, 0,
	  { .rcx = MMIOMT_IDX(TEST_MMIO2M, TDX_MMIOMT_LEVEL_2M), .rdx = PG(PG_SPARE) },
	  OPND(TDX_MMIO_INVALID_PAGE_METADATA, RCX), T_DATA_2M },
	{ "MMIOMT.SET without its page", S_MT | S_CREATED, 0, TDH_MMIOMT_SET, 0,
	  { .rcx = MMIOMT_IDX(TEST_MMIO, TDX_MMIOMT_LEVEL_4K), .rdx = MMIO_DATA(TEST_FUNC) },
	  OPND(TDX_MMIOMT_NOT_PRESENT, RCX) },
	{ "MMIOMT.SET past the first 512K of a 2M region", S_MT | S_CREATED | S_MMIO, 0,
	  TDH_MMIOMT_SET, 0,
	  { .rcx = MMIOMT_IDX(TEST_MMIO + SZ_512K, TDX_MMIOMT_LEVEL_4K),
	    .rdx = MMIO_DATA(TEST_FUNC) }, OPND(TDX_MMIOMT_NOT_PRESENT, RCX) },
	{ "MMIOMT.SET level 3", S_MT | S_CREATED | S_MMIO, 0, TDH_MMIOMT_SET, 0,
	  { .rcx = MMIOMT_IDX(TEST_MMIO, 3), .rdx = MMIO_DATA(TEST_FUNC) }, INVALID(RCX) },
	{ "MMIOMT.SET 2M DATA over a page", S_MT | S_CREATED | S_MMIO, 0, TDH_MMIOMT_SET, 0,
	  { .rcx = MMIOMT_IDX(TEST_MMIO, TDX_MMIOMT_LEVEL_2M), .rdx = MMIO_DATA(TEST_FUNC) },
	  OPND(TDX_MMIO_INVALID_PAGE_METADATA, MMIOMT) },
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
	{ "MMIOMT.SET data twice", S_MT | S_CREATED | S_MMIO, 0, TDH_MMIOMT_SET, 0,
	  { .rcx = MMIOMT_IDX(TEST_MMIO, TDX_MMIOMT_LEVEL_4K), .rdx = MMIO_DATA(TEST_FUNC) },
	  OPND(TDX_MMIO_INVALID_PAGE_METADATA, MMIOMT) },
	{ "MMIOMT.SET release while mapped", S_MT | S_CREATED | S_MMIO | S_MAPPED, 0,
	  TDH_MMIOMT_SET, 0, { .rcx = MMIOMT_IDX(TEST_MMIO, TDX_MMIOMT_LEVEL_4K),
	  .rdx = MMIO_QNODE }, OPND(TDX_MMIO_INVALID_PAGE_METADATA, MMIOMT) },
	{ "MMIOMT.SET release of MMIO not given", S_MT | S_CREATED | S_MMIO, 0,
	  TDH_MMIOMT_SET, 0, { .rcx = MMIOMT_IDX(TEST_MMIO + PAGE_SIZE, TDX_MMIOMT_LEVEL_4K),
	  .rdx = MMIO_QNODE }, OPND(TDX_MMIO_INVALID_PAGE_METADATA, MMIOMT) },
	{ "MMIOMT.REMOVE while MMIO is given", S_MT | S_CREATED | S_MMIO, 0,
	  TDH_MMIOMT_REMOVE, 0, { .rcx = MMIOMT_IDX(TEST_MMIO, TDX_MMIOMT_LEVEL_2M) },
	  OPND(TDX_MMIO_INVALID_PAGE_METADATA, RCX) },
	{ "MMIOMT.REMOVE of a page with a page below", S_MT | S_CREATED | S_MMIO, 0,
	  TDH_MMIOMT_REMOVE, 0, { .rcx = MMIOMT_IDX(TEST_MMIO, TDX_MMIOMT_LEVEL_1G) },
	  OPND(TDX_MMIO_INVALID_PAGE_METADATA, RCX) },
	{ "MMIOMT.REMOVE of no page", 0, 0, TDH_MMIOMT_REMOVE, 0,
	  { .rcx = MMIOMT_IDX(TEST_MMIO, TDX_MMIOMT_LEVEL_ROOT) },
	  OPND(TDX_MMIO_INVALID_PAGE_METADATA, RCX) },
	{ "MMIOMT.RD below no page", 0, 0, TDH_MMIOMT_RD, 0,
	  { .rcx = MMIOMT_IDX(TEST_MMIO, TDX_MMIOMT_LEVEL_4K) },
	  OPND(TDX_MMIOMT_NOT_PRESENT, RCX) },
	/* MMIO (tdh_mmio_map.c, tdh_mmio_block.c, tdh_mmio_unmap.c) */
	{ "MMIO.MAP of MMIO not given", S_MT | S_CREATED | S_MMIO, 0, TDH_MMIO_MAP, 0,
	  { .rcx = TEST_GPA, .rdx = TEST_VM, .r8 = TEST_MMIO + PAGE_SIZE },
	  OPND(TDX_MMIO_INVALID_PAGE_METADATA, RCX) },
	{ "MMIO.MAP into another TD", S_MT | S_CREATED | S_MMIO, 0, TDH_MMIO_MAP, 0,
	  { .rcx = TEST_GPA, .rdx = TEST_VM2, .r8 = TEST_MMIO },
	  OPND(TDX_MMIO_DEVIF_OWNER_MISMATCH, RDX) },
	{ "MMIO.MAP with the stream blocked", S_MT | S_CREATED | S_MMIO, 0, TDH_MMIO_MAP, 0,
	  { .rcx = TEST_GPA, .rdx = TEST_VM, .r8 = TEST_MMIO },
	  OPND(TDX_IDE_STREAM_BLOCKED, R8), T_STREAM_BLOCKED },
	{ "MMIO.MAP 2M", S_MT | S_CREATED | S_MMIO, 0, TDH_MMIO_MAP, 0,
	  { .rcx = TEST_GPA | FIELD_PREP_CONST(TDX_GPA_INFO_LEVEL, TDX_MMIOMT_LEVEL_2M),
	    .rdx = TEST_VM, .r8 = TEST_MMIO }, INVALID(RCX) },
	{ "MMIO.MAP misaligned MMIO", S_MT | S_CREATED | S_MMIO, 0, TDH_MMIO_MAP, 0,
	  { .rcx = TEST_GPA, .rdx = TEST_VM, .r8 = TEST_MMIO + 8 }, INVALID(R8) },
	{ "MMIO.MAP twice", S_MT | S_CREATED | S_MMIO | S_MAPPED, 0, TDH_MMIO_MAP, 0,
	  { .rcx = TEST_GPA, .rdx = TEST_VM, .r8 = TEST_MMIO },
	  OPND(TDX_EPT_ENTRY_STATE_INCORRECT, RCX) },
	{ "MMIO.UNMAP not blocked", S_MT | S_CREATED | S_MMIO | S_MAPPED, 0, TDH_MMIO_UNMAP, 0,
	  { .rcx = TEST_GPA, .rdx = TEST_VM }, OPND(TDX_GPA_RANGE_NOT_BLOCKED, RCX) },
	{ "MMIO.UNMAP not mapped", S_MT | S_CREATED | S_MMIO, 0, TDH_MMIO_UNMAP, 0,
	  { .rcx = TEST_GPA, .rdx = TEST_VM }, OPND(TDX_EPT_WALK_FAILED, RCX) },
	{ "MMIO.BLOCK twice", S_ALL | S_BLOCKED, 0, TDH_MMIO_BLOCK, 0,
	  { .rcx = TEST_GPA, .rdx = TEST_VM }, OPND(TDX_EPT_ENTRY_STATE_INCORRECT, RCX) },
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
	u64 digest;
	unsigned long nr_owned;
};

static void snapshot(struct tdi_env *env, struct tdi_snapshot *s)
{
	s->digest = tdx_fake_tdi_digest(env->ft);
	s->nr_owned = tdx_fake_nr_owned(env->fake);
}

static void fake_refuses_raw_registers_with_the_module_status(struct kunit *test)
{
	const struct refusal *r = test->param_value;
	struct tdi_env *env = tdi_env(test);
	struct tdi_snapshot before, after;
	u8 *rsp;

	setup(test, env, r->stages);
	if (r->tdisp_state)
		tdx_fake_tdi_set_state(env->ft, TEST_FUNC, r->tdisp_state);
	apply_tweak(test, env, r->tweak);
	/* A response page that answers no request: the request echoed back */
	rsp = page_address(env->pg[PG_RSP]);
	memcpy(rsp, page_address(env->pg[PG_REQ]), TDX_FAKE_TDISP_OBJ_SIZE);

	snapshot(env, &before);
	KUNIT_EXPECT_EQ(test, raw_call(env, r->leaf, r->version, &r->in, NULL), r->status);
	snapshot(env, &after);
	KUNIT_EXPECT_EQ(test, before.digest, after.digest);
	KUNIT_EXPECT_EQ(test, before.nr_owned, after.nr_owned);
	KUNIT_EXPECT_EQ(test, env->ft->log[env->ft->nr_log - 1], r->leaf);
}

/* ---- The wrappers refused by the fake ---- */

/* Register number in struct tdx_module_args, which holds registers only */
#define REG(r)		(offsetof(struct tdx_module_args, r) / sizeof(u64))
#define NR_REGS		(sizeof(struct tdx_module_args) / sizeof(u64))
static_assert(sizeof(struct tdx_module_args) % sizeof(u64) == 0);

/*
 * On a refusal the module's output registers carry no result; the tap
 * fills each with a marker of its own, so that every out-parameter shows
 * which register the wrapper copied it from.
 */
#define OUT_MARK(reg)	(0x6f75740000000000ULL | (reg))
/* An out-parameter the wrapper did not write */
#define UNTOUCHED	0x756e746f75636865ULL
/* No page for an optional page operand */
#define NO_PG		0xff

static u64 tap_leaf(struct tdx_fake_module *fake, u16 leaf, u8 version,
		    struct tdx_module_args *args)
{
	struct tdi_env *env = kunit_get_current_test()->priv;
	struct fake_tap *tap = &env->tap;
	u64 *regs = (u64 *)args;
	unsigned int i;

	tap->nr++;
	tap->leaf = leaf;
	tap->version = version;
	tap->in = *args;
	tap->status = tap->fake_leaf(fake, leaf, version, args);
	if (tap->status != TDX_SUCCESS) {
		for (i = 0; i < NR_REGS; i++)
			regs[i] = OUT_MARK(i);
	}
	tap->out = *args;
	return tap->status;
}

/* Between the fake module and its TDI leaves, which keep their priv */
static void tap_install(struct tdi_env *env)
{
	env->tap = (struct fake_tap) { .fake_leaf = env->fake->other_leaf };
	env->fake->other_leaf = tap_leaf;
}

/**
 * struct wrapper_refusal - A wrapper called with operands the fake refuses
 * @name: description
 * @stages: setup before the call, S_*
 * @tdisp_state: forced after setup unless 0
 * @busy: the fake fails the call with TDX_OPERAND_BUSY instead
 * @leaf: the leaf, which names the wrapper: tdh_<leaf>()
 * @arg: its integer operands, in the order of its parameters, PG() resolved
 * @pg: its page operands, in the order of its parameters, PG_* or NO_PG
 * @td: the @td operand of tdh_devif_response()
 * @entry: the @entry operand of tdh_dmar_add(), PG() resolved in qword 0
 * @status: what the fake returns and the wrapper must return unchanged
 * @tweak: a change to the fake's state after setup
 */
struct wrapper_refusal {
	const char *name;
	unsigned int stages;
	u8 tdisp_state;
	bool busy;
	u16 leaf;
	u64 arg[3];
	u8 pg[3];
	bool td;
	struct tdx_dmar_entry entry;
	u64 status;
	enum tweak tweak;
};

#define BUSY		OPND(TDX_OPERAND_BUSY, RCX)

static const struct wrapper_refusal wrapper_refusals[] = {
	/* DEVIFMT */
	{ "tdh_devifmt_add() of a page the module owns", S_MT, .leaf = TDH_DEVIFMT_ADD,
	  .arg = { DEVIFMT_IDX(TEST_FUNC2) }, .pg = { PG_MT },
	  .status = OPND(TDX_PAGE_METADATA_INCORRECT, RDX) },
	{ "tdh_devifmt_add() below a missing level", 0, .leaf = TDH_DEVIFMT_ADD,
	  .arg = { DEVIFMT_IDX_L(TEST_FUNC, 3) }, .pg = { PG_MT2 },
	  .status = OPND(TDX_DEVIFMT_NOT_PRESENT, RCX) },
	{ "tdh_devifmt_add() twice", S_MT, .leaf = TDH_DEVIFMT_ADD,
	  .arg = { DEVIFMT_IDX(TEST_FUNC) }, .pg = { PG_SPARE },
	  .status = OPND(TDX_DEVIFMT_ALREADY_PRESENT, RCX) },
	{ "tdh_devifmt_remove() while the TDI exists", S_MT | S_CREATED,
	  .leaf = TDH_DEVIFMT_REMOVE, .arg = { DEVIFMT_IDX(TEST_FUNC) },
	  .status = OPND(TDX_DEVIF_INVALID_METADATA, RCX) },
	{ "tdh_devifmt_remove() busy", S_MT, .busy = true, .leaf = TDH_DEVIFMT_REMOVE,
	  .arg = { DEVIFMT_IDX(TEST_FUNC) }, .status = BUSY },
	{ "tdh_devifmt_rd() level 0 without metadata", 0, .leaf = TDH_DEVIFMT_RD,
	  .arg = { DEVIFMT_IDX_L(TEST_FUNC, 0) },
	  .status = OPND(TDX_DEVIFMT_NOT_PRESENT, RCX) },
	/* DEVIF.CREATE, DEVIF.REMOVE */
	{ "tdh_devif_create() without metadata", 0, .leaf = TDH_DEVIF_CREATE,
	  .arg = { DEVIF_ID(TEST_FUNC), TEST_VM }, .pg = { PG_CS, PG_TD, PG_VMM },
	  .status = OPND(TDX_DEVIFMT_NOT_PRESENT, RCX) },
	{ "tdh_devif_create() misaligned TDR", S_MT, .leaf = TDH_DEVIF_CREATE,
	  .arg = { DEVIF_ID(TEST_FUNC), TEST_VM + 8 }, .pg = { PG_CS, PG_TD, PG_VMM },
	  .status = INVALID(RDX) },
	{ "tdh_devif_create() owned control page", S_MT, .leaf = TDH_DEVIF_CREATE,
	  .arg = { DEVIF_ID(TEST_FUNC), TEST_VM }, .pg = { PG_MT, PG_TD, PG_VMM },
	  .status = OPND(TDX_PAGE_METADATA_INCORRECT, R8) },
	{ "tdh_devif_create() owned TD buffer", S_MT, .leaf = TDH_DEVIF_CREATE,
	  .arg = { DEVIF_ID(TEST_FUNC), TEST_VM }, .pg = { PG_CS, PG_MT, PG_VMM },
	  .status = OPND(TDX_PAGE_METADATA_INCORRECT, R9) },
	{ "tdh_devif_create() owned host buffer", S_MT, .leaf = TDH_DEVIF_CREATE,
	  .arg = { DEVIF_ID(TEST_FUNC), TEST_VM }, .pg = { PG_CS, PG_TD, PG_MT },
	  .status = OPND(TDX_PAGE_METADATA_INCORRECT, R10) },
	{ "tdh_devif_create() stream not keyed", S_MT, .leaf = TDH_DEVIF_CREATE,
	  .arg = { DEVIF_ID(TEST_FUNC), TEST_VM }, .pg = { PG_CS, PG_TD, PG_VMM },
	  .status = OPND(TDX_IDE_STREAM_INVALID_STATE, RCX), .tweak = T_STREAM_UNKEYED },
	{ "tdh_devif_remove() while LOCKED", S_MT | S_CREATED | S_LOCKED,
	  .leaf = TDH_DEVIF_REMOVE, .arg = { TEST_FUNC },
	  .status = OPND(TDX_DEVIF_INVALID_STATE, RCX) },
	{ "tdh_devif_remove() with MMIO mapped", S_MT | S_CREATED | S_MMIO | S_MAPPED,
	  .leaf = TDH_DEVIF_REMOVE, .arg = { TEST_FUNC },
	  .status = OPND(TDX_DEVIF_HAS_MAPPED_MMIO, RCX) },
	{ "tdh_devif_remove() busy", S_MT | S_CREATED, .busy = true,
	  .leaf = TDH_DEVIF_REMOVE, .arg = { TEST_FUNC }, .status = BUSY },
	/* DEVIF.REQUEST, DEVIF.RESPONSE */
	{ "tdh_devif_request() while one is outstanding", S_MT | S_CREATED | S_PENDING,
	  .leaf = TDH_DEVIF_REQUEST, .arg = { TEST_FUNC, REQ(TDX_TDISP_STOP_INTERFACE_REQ) },
	  .pg = { PG_REQ }, .status = OPND(TDX_DEVIF_TDISP_OUT_REQ, RCX) },
	{ "tdh_devif_request() NO_FW_UPDATE on STOP", S_MT | S_CREATED,
	  .leaf = TDH_DEVIF_REQUEST,
	  .arg = { TEST_FUNC, REQ(TDX_TDISP_STOP_INTERFACE_REQ) | TDX_DEVIF_REQ_NO_FW_UPDATE },
	  .pg = { PG_REQ }, .status = INVALID(RDX) },
	{ "tdh_devif_request() of no TDI", S_MT, .leaf = TDH_DEVIF_REQUEST,
	  .arg = { TEST_FUNC, REQ(TDX_TDISP_LOCK_INTERFACE_REQ) }, .pg = { PG_REQ },
	  .status = OPND(TDX_DEVIFMT_NOT_PRESENT, RCX) },
	{ "tdh_devif_response() without a request", S_MT | S_CREATED,
	  .leaf = TDH_DEVIF_RESPONSE, .arg = { TEST_FUNC }, .pg = { PG_RSP, NO_PG },
	  .status = OPND(TDX_DEVIF_TDISP_OUT_REQ, RCX) },
	{ "tdh_devif_response() for the TD, no TD request", S_MT | S_CREATED | S_PENDING,
	  .leaf = TDH_DEVIF_RESPONSE, .arg = { TEST_FUNC }, .pg = { PG_RSP, NO_PG },
	  .td = true, .status = OPND(TDX_DEVIF_TDISP_INVALID_REQ_STS, RDX) },
	{ "tdh_devif_response() not a response, output page", S_MT | S_CREATED | S_PENDING,
	  .leaf = TDH_DEVIF_RESPONSE, .arg = { TEST_FUNC }, .pg = { PG_RSP, PG_OUT },
	  .status = OPND(TDX_DEVIF_TDISP_INVALID_MESSAGE, RDX) },
	/* DMAR */
	{ "tdh_dmar_add() a context entry past 32 bytes", 0, .leaf = TDH_DMAR_ADD,
	  .arg = { CTE_IDX }, .entry = { .qw = { 0x11, 0x12, 0x13, 0x14, 0x15 } },
	  .status = INVALID(R11) },
	{ "tdh_dmar_add() a context entry, last qword", 0, .leaf = TDH_DMAR_ADD,
	  .arg = { CTE_IDX }, .entry = { .qw = { 0x11, 0x12, 0x13, 0x14, [7] = 0x18 } },
	  .status = INVALID(R14) },
	{ "tdh_dmar_add() a root entry past 8 bytes", 0, .leaf = TDH_DMAR_ADD,
	  .arg = { RTE_IDX }, .entry = { .qw = { 0x11, 0x12 } }, .status = INVALID(R8) },
	{ "tdh_dmar_add() a context entry without its root entry", 0, .leaf = TDH_DMAR_ADD,
	  .arg = { CTE_IDX }, .entry = { .qw = { TABLE(PG_PD) } },
	  .status = OPND(TDX_DMAR_ENTRY_NOT_PRESENT, RCX) },
	{ "tdh_dmar_add() twice", S_DMA, .leaf = TDH_DMAR_ADD,
	  .arg = { CTE_IDX }, .entry = { .qw = { TABLE(PG_SPARE) } },
	  .status = OPND(TDX_DMAR_INVALID_MAPPING_STATE, RCX) },
	{ "tdh_dmar_block() of no entry", 0, .leaf = TDH_DMAR_BLOCK,
	  .arg = { CTE_IDX }, .status = OPND(TDX_DMAR_ENTRY_NOT_PRESENT, RCX) },
	{ "tdh_dmar_read() IOMMU not set up", 0, .leaf = TDH_DMAR_READ,
	  .arg = { FIELD_PREP_CONST(TDX_DMAR_IDX_RID, TEST_FUNC) }, .status = INVALID(RCX) },
	{ "tdh_dmar_remove() not blocked", S_DMA, .leaf = TDH_DMAR_REMOVE,
	  .arg = { CTE_IDX }, .status = OPND(TDX_DMAR_INVALID_MAPPING_STATE, RCX) },
	{ "tdh_dmar_remove() before its invalidation", S_ALL | S_BLOCKED,
	  .leaf = TDH_DMAR_REMOVE, .arg = { PTE_IDX },
	  .status = OPND(TDX_DMAR_INVALID_INV_STATE, RCX) },
	{ "tdh_iq_inv_request() not blocked", S_ALL, .leaf = TDH_IQ_INV_REQUEST,
	  .arg = { TEST_IOMMU, TDX_IQ_INV_PASIDTE, TEST_FUNC },
	  .status = OPND(TDX_DMAR_INVALID_MAPPING_STATE, R8) },
	{ "tdh_iq_inv_process() IOMMU not set up", 0, .leaf = TDH_IQ_INV_PROCESS,
	  .arg = { TEST_IOMMU - 1 }, .status = INVALID(RCX) },
	/* MMIOMT */
	{ "tdh_mmiomt_add() level 0", 0, .leaf = TDH_MMIOMT_ADD,
	  .arg = { MMIOMT_IDX(TEST_MMIO, TDX_MMIOMT_LEVEL_4K) }, .pg = { PG_MMIOMT },
	  .status = INVALID(RCX) },
	{ "tdh_mmiomt_add() page the module owns", S_MT, .leaf = TDH_MMIOMT_ADD,
	  .arg = { MMIOMT_IDX(TEST_MMIO, TDX_MMIOMT_LEVEL_ROOT) }, .pg = { PG_MT },
	  .status = OPND(TDX_PAGE_METADATA_INCORRECT, RDX) },
	{ "tdh_mmiomt_set() to no TDI", S_MT | S_CREATED | S_MMIO, .leaf = TDH_MMIOMT_SET,
	  .arg = { MMIOMT_IDX(TEST_MMIO + PAGE_SIZE, TDX_MMIOMT_LEVEL_4K),
		   MMIO_DATA(TEST_FUNC2) }, .status = OPND(TDX_DEVIFMT_NOT_PRESENT, RDX) },
	{ "tdh_mmiomt_set() release while mapped", S_MT | S_CREATED | S_MMIO | S_MAPPED,
	  .leaf = TDH_MMIOMT_SET,
	  .arg = { MMIOMT_IDX(TEST_MMIO, TDX_MMIOMT_LEVEL_4K), MMIO_QNODE },
	  .status = OPND(TDX_MMIO_INVALID_PAGE_METADATA, MMIOMT) },
	{ "tdh_mmiomt_rd() without its page", 0, .leaf = TDH_MMIOMT_RD,
	  .arg = { MMIOMT_IDX(TEST_MMIO, TDX_MMIOMT_LEVEL_4K) },
	  .status = OPND(TDX_MMIOMT_NOT_PRESENT, RCX) },
	{ "tdh_mmiomt_remove() while MMIO is given", S_MT | S_CREATED | S_MMIO,
	  .leaf = TDH_MMIOMT_REMOVE, .arg = { MMIOMT_IDX(TEST_MMIO, TDX_MMIOMT_LEVEL_2M) },
	  .status = OPND(TDX_MMIO_INVALID_PAGE_METADATA, RCX) },
	{ "tdh_mmiomt_remove() busy", 0, .busy = true, .leaf = TDH_MMIOMT_REMOVE,
	  .arg = { MMIOMT_IDX(TEST_MMIO, TDX_MMIOMT_LEVEL_2M) }, .status = BUSY },
	/* MMIO */
	{ "tdh_mmio_map() into another TD", S_MT | S_CREATED | S_MMIO, .leaf = TDH_MMIO_MAP,
	  .arg = { TEST_GPA, TEST_VM2, TEST_MMIO },
	  .status = OPND(TDX_MMIO_DEVIF_OWNER_MISMATCH, RDX) },
	{ "tdh_mmio_map() misaligned MMIO", S_MT | S_CREATED | S_MMIO, .leaf = TDH_MMIO_MAP,
	  .arg = { TEST_GPA, TEST_VM, TEST_MMIO + 8 }, .status = INVALID(R8) },
	{ "tdh_mmio_block() misaligned TDR", S_MT | S_CREATED | S_MMIO | S_MAPPED,
	  .leaf = TDH_MMIO_BLOCK, .arg = { TEST_GPA, TEST_VM + 8 }, .status = INVALID(RDX) },
	{ "tdh_mmio_block() twice", S_ALL | S_BLOCKED,
	  .leaf = TDH_MMIO_BLOCK, .arg = { TEST_GPA, TEST_VM },
	  .status = OPND(TDX_EPT_ENTRY_STATE_INCORRECT, RCX) },
	{ "tdh_mmio_unmap() not blocked", S_MT | S_CREATED | S_MMIO | S_MAPPED,
	  .leaf = TDH_MMIO_UNMAP, .arg = { TEST_GPA, TEST_VM },
	  .status = OPND(TDX_GPA_RANGE_NOT_BLOCKED, RCX) },
	{ "tdh_mmio_unmap() of another TD", S_MT | S_CREATED | S_MMIO | S_MAPPED,
	  .leaf = TDH_MMIO_UNMAP, .arg = { TEST_GPA, TEST_VM2 },
	  .status = OPND(TDX_EPT_WALK_FAILED, RCX) },
};

static void wrapper_refusal_desc(const struct wrapper_refusal *r, char *desc)
{
	strscpy(desc, r->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(wrapper_refusal, wrapper_refusals, wrapper_refusal_desc);

/**
 * struct wrapper_call - One wrapper call and what the ABI says of it
 * @status: what the wrapper returned
 * @regs: the registers the wrapper must pass, as asm/tdx_tdi.h lays them out
 * @out: its out-parameters as it left them, UNTOUCHED before the call
 * @out_reg: the register each of @out must be copied from
 * @nr_out: entries of @out and @out_reg
 */
struct wrapper_call {
	u64 status;
	struct tdx_module_args regs;
	u64 out[TDX_DMAR_ENTRY_QWORDS + 1];
	unsigned int out_reg[TDX_DMAR_ENTRY_QWORDS];
	unsigned int nr_out;
};

static struct page *wrapper_page(const struct tdi_env *env, u8 pg)
{
	return pg == NO_PG ? NULL : env->pg[pg];
}

static u64 wrapper_pa(struct page *page)
{
	return page ? page_to_phys(page) : 0;
}

static void wrapper_out(struct wrapper_call *w, unsigned int reg)
{
	w->out_reg[w->nr_out++] = reg;
}

/* Calls tdh_<leaf>() with the operands of @c; says what the ABI expects. */
static void call_wrapper(const struct tdi_env *env, const struct wrapper_refusal *c,
			 struct wrapper_call *w)
{
	struct page *p0 = wrapper_page(env, c->pg[0]), *p1 = wrapper_page(env, c->pg[1]);
	u64 a0 = resolve(env, c->arg[0]), a1 = resolve(env, c->arg[1]);
	struct page *p2 = wrapper_page(env, c->pg[2]);
	u64 a2 = resolve(env, c->arg[2]);
	struct tdx_mmiomt_entry mt;
	struct tdx_dmar_entry dmar;
	u64 iq_wait[4] = {};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(w->out); i++)
		w->out[i] = UNTOUCHED;

	switch (c->leaf) {
	case TDH_DEVIFMT_ADD:
		w->status = tdh_devifmt_add(a0, p0);
		w->regs = (struct tdx_module_args) { .rcx = a0, .rdx = wrapper_pa(p0) };
		break;
	case TDH_DEVIFMT_REMOVE:
		w->status = tdh_devifmt_remove(a0, &w->out[0]);
		w->regs = (struct tdx_module_args) { .rcx = a0 };
		wrapper_out(w, REG(rcx));
		break;
	case TDH_DEVIFMT_RD:
		w->status = tdh_devifmt_rd(a0, &w->out[0]);
		w->regs = (struct tdx_module_args) { .rcx = a0 };
		wrapper_out(w, REG(rcx));
		break;
	case TDH_DEVIF_CREATE:
		w->status = tdh_devif_create(a0, a1, p0, p1, p2);
		w->regs = (struct tdx_module_args) {
			.rcx = a0, .rdx = a1, .r8 = wrapper_pa(p0), .r9 = wrapper_pa(p1),
			.r10 = wrapper_pa(p2),
		};
		break;
	case TDH_DEVIF_REMOVE:
		w->status = tdh_devif_remove(a0, &w->out[0], &w->out[1], &w->out[2]);
		w->regs = (struct tdx_module_args) { .rcx = a0 };
		wrapper_out(w, REG(rcx));
		wrapper_out(w, REG(rdx));
		wrapper_out(w, REG(r8));
		break;
	case TDH_DEVIF_REQUEST:
		w->status = tdh_devif_request(a0, a1, p0, &w->out[0]);
		w->regs = (struct tdx_module_args) { .rcx = a0, .rdx = a1, .r8 = wrapper_pa(p0) };
		wrapper_out(w, REG(rcx));
		break;
	case TDH_DEVIF_RESPONSE:
		w->status = tdh_devif_response(a0, p0, c->td, p1, &w->out[0]);
		w->regs = (struct tdx_module_args) {
			.rcx = a0,
			.rdx = wrapper_pa(p0) | (c->td ? TDX_DEVIF_RSP_IN_TD : 0),
			.r8 = wrapper_pa(p1),
		};
		wrapper_out(w, REG(rcx));
		break;
	case TDH_DMAR_ADD:
		dmar = c->entry;
		dmar.qw[0] = resolve(env, dmar.qw[0]);
		w->status = tdh_dmar_add(a0, &dmar);
		w->regs = (struct tdx_module_args) {
			.rcx = a0, .rdx = dmar.qw[0], .r8 = c->entry.qw[1],
			.r9 = c->entry.qw[2], .r10 = c->entry.qw[3], .r11 = c->entry.qw[4],
			.r12 = c->entry.qw[5], .r13 = c->entry.qw[6], .r14 = c->entry.qw[7],
		};
		break;
	case TDH_DMAR_BLOCK:
		w->status = tdh_dmar_block(a0);
		w->regs = (struct tdx_module_args) { .rcx = a0 };
		break;
	case TDH_DMAR_READ:
		memcpy(&dmar, w->out, sizeof(dmar));
		w->status = tdh_dmar_read(a0, &w->out[TDX_DMAR_ENTRY_QWORDS], &dmar);
		memcpy(w->out, &dmar, sizeof(dmar));
		w->regs = (struct tdx_module_args) { .rcx = a0 };
		wrapper_out(w, REG(r8));
		wrapper_out(w, REG(r9));
		wrapper_out(w, REG(r10));
		wrapper_out(w, REG(r11));
		wrapper_out(w, REG(r12));
		wrapper_out(w, REG(r13));
		wrapper_out(w, REG(r14));
		wrapper_out(w, REG(r15));
		wrapper_out(w, REG(rdx));
		break;
	case TDH_DMAR_REMOVE:
		w->status = tdh_dmar_remove(a0, &w->out[0]);
		w->regs = (struct tdx_module_args) { .rcx = a0 };
		if (FIELD_GET(TDX_DMAR_IDX_LEVEL, a0) != TDX_DMAR_LEVEL_PASIDTE)
			wrapper_out(w, REG(rcx));
		break;
	case TDH_IQ_INV_REQUEST:
		iq_wait[0] = IQ_WAIT0;
		iq_wait[1] = page_to_phys(env->pg[PG_STATUS]);
		w->status = tdh_iq_inv_request(a0, a1, a2, iq_wait);
		w->regs = (struct tdx_module_args) {
			.rcx = a0, .rdx = a1, .r8 = a2, .r9 = iq_wait[0], .r10 = iq_wait[1],
		};
		break;
	case TDH_IQ_INV_PROCESS:
		w->status = tdh_iq_inv_process(a0);
		w->regs = (struct tdx_module_args) { .rcx = a0 };
		break;
	case TDH_MMIOMT_ADD:
		w->status = tdh_mmiomt_add(a0, p0);
		w->regs = (struct tdx_module_args) { .rcx = a0, .rdx = wrapper_pa(p0) };
		break;
	case TDH_MMIOMT_SET:
		w->status = tdh_mmiomt_set(a0, a1);
		w->regs = (struct tdx_module_args) { .rcx = a0, .rdx = a1 };
		break;
	case TDH_MMIOMT_RD:
		memcpy(&mt, w->out, sizeof(mt));
		w->status = tdh_mmiomt_rd(a0, &mt);
		memcpy(w->out, &mt, sizeof(mt));
		w->regs = (struct tdx_module_args) { .rcx = a0 };
		wrapper_out(w, REG(rcx));
		wrapper_out(w, REG(rdx));
		wrapper_out(w, REG(r8));
		wrapper_out(w, REG(r9));
		break;
	case TDH_MMIOMT_REMOVE:
		w->status = tdh_mmiomt_remove(a0, &w->out[0]);
		w->regs = (struct tdx_module_args) { .rcx = a0 };
		wrapper_out(w, REG(rcx));
		break;
	case TDH_MMIO_MAP:
		w->status = tdh_mmio_map(a0, a1, a2);
		w->regs = (struct tdx_module_args) { .rcx = a0, .rdx = a1, .r8 = a2 };
		break;
	case TDH_MMIO_BLOCK:
		w->status = tdh_mmio_block(a0, a1);
		w->regs = (struct tdx_module_args) { .rcx = a0, .rdx = a1 };
		break;
	case TDH_MMIO_UNMAP:
		w->status = tdh_mmio_unmap(a0, a1);
		w->regs = (struct tdx_module_args) { .rcx = a0, .rdx = a1 };
		break;
	}
}

/*
 * Each wrapper makes one call, to version 0 of its leaf, with the registers
 * the ABI puts its operands in, and returns the fake's refusal unchanged;
 * each out-parameter is copied from its register whatever the status, and
 * the fake's state is as before.  An operand in the wrong register shows
 * twice: in the registers, and in a status naming another operand.
 */
static void wrapper_passes_the_fake_refusal_through(struct kunit *test)
{
	const struct wrapper_refusal *c = test->param_value;
	struct tdi_env *env = tdi_env(test);
	struct tdi_snapshot before, after;
	struct wrapper_call w = {};
	unsigned int i;
	u8 *rsp;

	setup(test, env, c->stages);
	if (c->tdisp_state)
		tdx_fake_tdi_set_state(env->ft, TEST_FUNC, c->tdisp_state);
	apply_tweak(test, env, c->tweak);
	/* A response page that answers no request: the request echoed back */
	rsp = page_address(env->pg[PG_RSP]);
	memcpy(rsp, page_address(env->pg[PG_REQ]), TDX_FAKE_TDISP_OBJ_SIZE);
	if (c->busy)
		env->ft->busy_nth = env->ft->nr_calls + 1;
	tap_install(env);

	snapshot(env, &before);
	call_wrapper(env, c, &w);
	snapshot(env, &after);

	KUNIT_ASSERT_EQ(test, env->tap.nr, 1);
	KUNIT_EXPECT_EQ(test, env->tap.leaf, c->leaf);
	KUNIT_EXPECT_EQ(test, env->tap.version, 0);
	expect_regs(test, &env->tap.in, &w.regs);
	KUNIT_EXPECT_EQ(test, env->tap.status, c->status);
	KUNIT_EXPECT_EQ(test, w.status, env->tap.status);
	for (i = 0; i < w.nr_out; i++)
		KUNIT_EXPECT_EQ_MSG(test, w.out[i], OUT_MARK(w.out_reg[i]),
				    "out-parameter %u", i);
	KUNIT_EXPECT_EQ(test, before.digest, after.digest);
	KUNIT_EXPECT_EQ(test, before.nr_owned, after.nr_owned);
}

/* ---- Whole lifecycles ---- */

static const u16 lifecycle_leaves[] = {
	/* bind: trusted DMA first, then the TDI's metadata, the TDI, its MMIO */
	TDH_DMAR_ADD, TDH_DMAR_ADD, TDH_DMAR_ADD, TDH_DMAR_ADD,
	TDH_DEVIFMT_ADD, TDH_DEVIFMT_ADD, TDH_DEVIFMT_ADD, TDH_DEVIFMT_ADD, TDH_DEVIF_CREATE,
	TDH_MMIOMT_ADD, TDH_MMIOMT_ADD, TDH_MMIOMT_ADD, TDH_MMIOMT_ADD, TDH_MMIOMT_ADD,
	TDH_MMIOMT_SET, TDH_DEVIF_REQUEST, TDH_DEVIF_RESPONSE,
	/* the guest accepts its DMA, maps its MMIO, asks for the state */
	TDH_MMIO_MAP, TDH_DEVIF_REQUEST, TDH_DEVIF_RESPONSE,
	/* unbind: stop, unmap, clean DMA, remove, give metadata and MMIO back */
	TDH_DEVIF_REQUEST, TDH_DEVIF_RESPONSE, TDH_MMIO_BLOCK, TDH_MMIO_UNMAP,
	TDH_DMAR_BLOCK, TDH_IQ_INV_REQUEST, TDH_IQ_INV_PROCESS, TDH_DMAR_REMOVE,
	TDH_DEVIF_REMOVE,
	TDH_DEVIFMT_REMOVE, TDH_DEVIFMT_REMOVE, TDH_DEVIFMT_REMOVE, TDH_DEVIFMT_REMOVE,
	TDH_MMIOMT_SET,
	TDH_MMIOMT_REMOVE, TDH_MMIOMT_REMOVE, TDH_MMIOMT_REMOVE, TDH_MMIOMT_REMOVE,
	TDH_MMIOMT_REMOVE,
	/* the RID's PDE, CTE and RTE last */
	TDH_DMAR_BLOCK, TDH_IQ_INV_REQUEST, TDH_IQ_INV_PROCESS, TDH_DMAR_REMOVE,
	TDH_DMAR_BLOCK, TDH_IQ_INV_REQUEST, TDH_IQ_INV_PROCESS, TDH_DMAR_REMOVE,
	TDH_DMAR_BLOCK, TDH_IQ_INV_REQUEST, TDH_IQ_INV_PROCESS, TDH_DMAR_REMOVE,
};

static void lifecycle_in_module_order_gives_every_page_back(struct kunit *test)
{
	struct tdi_env *env = tdi_env(test);
	struct tdx_fake_tdi *ft = env->ft;
	u64 td_pa, vmm_pa, vm, pa, out, want;
	unsigned int i, l, nr_released = 0;
	struct tdx_fake_devif *d;
	u8 *msg;

	/* The bind caller sets up trusted DMA first. */
	setup(test, env, S_DMA);
	setup(test, env, S_MT | S_CREATED | S_MMIO);
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(env->fake), 15);
	tdisp_exchange(test, env, TEST_FUNC, TDX_TDISP_LOCK_INTERFACE_REQ);
	d = tdx_fake_tdi_find(ft, TEST_FUNC);
	KUNIT_ASSERT_NOT_NULL(test, d);
	KUNIT_EXPECT_EQ(test, d->tdisp_state, TDX_TDISP_CONFIG_LOCKED);
	KUNIT_EXPECT_EQ(test, d->mt_page, page_to_phys(env->pg[PG_MT]));

	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_accept_dma(ft, pte_idx), TDX_SUCCESS);
	KUNIT_EXPECT_TRUE(test, d->dma_mapped);
	KUNIT_EXPECT_EQ(test, tdh_mmio_map(TEST_GPA, TEST_VM, TEST_MMIO), TDX_SUCCESS);
	tdx_fake_tdi_set_state(ft, TEST_FUNC, TDX_TDISP_RUN);

	/* GET_STATE with an output page: the state and the response itself */
	KUNIT_EXPECT_EQ(test, tdh_devif_request(TEST_FUNC, REQ(TDX_TDISP_INTERFACE_STATE_REQ),
						env->pg[PG_REQ], &out), TDX_SUCCESS);
	want = FIELD_PREP(TDX_DEVIF_REQ_OUT_CODE, TDX_TDISP_INTERFACE_STATE_REQ) |
	       FIELD_PREP(TDX_DEVIF_REQ_OUT_LEN, TDX_FAKE_TDISP_OBJ_SIZE);
	KUNIT_EXPECT_EQ(test, out, want);
	tdx_fake_tdisp_relay(env->pg[PG_REQ], TDX_FAKE_TDISP_OBJ_SIZE, env->pg[PG_RSP], 0);
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
	KUNIT_EXPECT_EQ(test, remove_dmar(test, env, pte_idx), 0);
	KUNIT_EXPECT_FALSE(test, d->dma_mapped);

	KUNIT_EXPECT_EQ(test, tdh_devif_remove(TEST_FUNC, &td_pa, &vmm_pa, &vm), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, td_pa, page_to_phys(env->pg[PG_TD]));
	KUNIT_EXPECT_EQ(test, vmm_pa, page_to_phys(env->pg[PG_VMM]));
	KUNIT_EXPECT_EQ(test, vm, TEST_VM);
	KUNIT_EXPECT_FALSE(test, tdx_fake_owns(env->fake, page_to_phys(env->pg[PG_CS])));

	for (l = 1; l <= TDX_DEVIFMT_LEVEL_ROOT; l++) {
		KUNIT_EXPECT_EQ(test, tdh_devifmt_remove(devifmt_at(TEST_FUNC, l), &pa),
				TDX_SUCCESS);
		KUNIT_EXPECT_EQ(test, pa, page_to_phys(env->pg[PG_MT3 + 4 - l]));
	}
	KUNIT_EXPECT_EQ(test, tdh_mmiomt_set(mmio_4k, MMIO_QNODE), TDX_SUCCESS);
	for (l = 1; l <= TDX_MMIOMT_LEVEL_ROOT; l++) {
		KUNIT_EXPECT_EQ(test, tdh_mmiomt_remove(mmiomt_at(TEST_MMIO, l), &pa),
				TDX_SUCCESS);
		KUNIT_EXPECT_EQ(test, pa, page_to_pfn(env->pg[PG_MM4 + 5 - l]));
	}
	KUNIT_EXPECT_EQ(test, remove_dmar(test, env, pde_idx), page_to_phys(env->pg[PG_PT]));
	KUNIT_EXPECT_EQ(test, remove_dmar(test, env, cte_idx), page_to_phys(env->pg[PG_PD]));
	KUNIT_EXPECT_EQ(test, remove_dmar(test, env, rte_idx), page_to_phys(env->pg[PG_CT]));

	/* The pages came back released: each waits for its write-back. */
	for (i = 0; i < NR_PG; i++) {
		if (!tdx_fake_released(env->fake, page_to_phys(env->pg[i])))
			continue;
		nr_released++;
		KUNIT_EXPECT_EQ(test, tdh_phymem_page_wbinvd_global(env->pg[i]), TDX_SUCCESS);
	}
	KUNIT_EXPECT_EQ(test, nr_released, 15);
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(env->fake), 0);
	for (l = 0; l < TDX_FAKE_TDI_NR_LEVELS; l++) {
		KUNIT_EXPECT_EQ(test, tdx_fake_tdi_nr_pages(ft, TDX_FAKE_TDI_DEVIFMT, l), 0);
		KUNIT_EXPECT_EQ(test, tdx_fake_tdi_nr_pages(ft, TDX_FAKE_TDI_MMIOMT, l), 0);
		KUNIT_EXPECT_EQ(test, tdx_fake_tdi_nr_pages(ft, TDX_FAKE_TDI_DMAR, l), 0);
	}
	KUNIT_EXPECT_NULL(test, tdx_fake_tdi_find(ft, TEST_FUNC));
	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_nr_dma(ft, TEST_FUNC), 0);
	KUNIT_ASSERT_EQ(test, ft->nr_log, ARRAY_SIZE(lifecycle_leaves));
	KUNIT_EXPECT_MEMEQ(test, ft->log, lifecycle_leaves, sizeof(lifecycle_leaves));
	KUNIT_EXPECT_EQ(test, env->nr_reports, 0);
}

static void readers_report_the_model_state(struct kunit *test)
{
	struct tdi_env *env = tdi_env(test);
	struct tdx_dmar_entry got;
	struct tdx_mmiomt_entry e;
	u64 entry, state, map;
	unsigned int node;

	KUNIT_EXPECT_EQ(test, tdh_devifmt_rd(DEVIFMT_IDX_L(TEST_FUNC, 4), &entry), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, entry, 0);
	setup(test, env, S_ALL);

	KUNIT_EXPECT_EQ(test, tdh_devifmt_rd(DEVIFMT_IDX_L(TEST_FUNC, 4), &entry), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, entry, page_to_phys(env->pg[PG_MT3]) | TDX_DEVIFMT_ENTRY_PRESENT);
	KUNIT_EXPECT_EQ(test, tdh_devifmt_rd(mt_idx, &entry), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, entry, page_to_phys(env->pg[PG_MT]) | TDX_DEVIFMT_ENTRY_PRESENT);
	KUNIT_EXPECT_EQ(test, tdh_devifmt_rd(DEVIFMT_IDX_L(TEST_FUNC, 0), &entry), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, entry, page_to_phys(env->pg[PG_CS]) | TDX_DEVIFMT_ENTRY_PRESENT);
	/* Another function in the same level-0 page: a clear entry */
	KUNIT_EXPECT_EQ(test, tdh_devifmt_rd(DEVIFMT_IDX_L(TEST_FUNC + 1, 0), &entry),
			TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, entry, 0);

	KUNIT_EXPECT_EQ(test, tdh_dmar_read(cte_idx, &state, &got), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, got.qw[0], page_to_phys(env->pg[PG_PD]) | TDX_DMAR_ENTRY_PRESENT);
	KUNIT_EXPECT_EQ(test, state,
			FIELD_PREP_CONST(TDX_DMAR_STATE_LEVEL, TDX_DMAR_LEVEL_CTE) |
			FIELD_PREP_CONST(TDX_DMAR_STATE_MAP, TDX_DMAR_MAP_PRESENT) |
			FIELD_PREP_CONST(TDX_DMAR_STATE_INV, TDX_DMAR_INV_PENDING));
	KUNIT_EXPECT_EQ(test, tdh_dmar_read(pte_idx, &state, &got), TDX_SUCCESS);
	/* A local: sparse cannot expand FIELD_GET() inside KUNIT_EXPECT_EQ() */
	map = FIELD_GET(TDX_DMAR_STATE_MAP, state);
	KUNIT_EXPECT_EQ(test, map, TDX_DMAR_MAP_PENDING);
	KUNIT_EXPECT_EQ(test, got.qw[0], PASIDTE0);
	KUNIT_EXPECT_EQ(test, got.qw[1], PASIDTE1);

	KUNIT_EXPECT_EQ(test, tdh_mmiomt_rd(mmio_4k, &e), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, e.qw[0],
			FIELD_PREP_CONST(TDX_MMIOMT_ENTRY_TYPE, TDX_MMIOMT_TYPE_DATA) |
			TDX_MMIOMT_ENTRY_MAPPED |
			FIELD_PREP_CONST(TDX_MMIOMT_ENTRY_FUNC_ID, TEST_FUNC));
	KUNIT_EXPECT_EQ(test, tdh_mmiomt_rd(MMIOMT_IDX(TEST_MMIO, TDX_MMIOMT_LEVEL_2M), &e),
			TDX_SUCCESS);
	/* The level-1 entry's node for TEST_MMIO: PA bits 20:19 */
	node = (TEST_MMIO >> 19) & 3;
	KUNIT_EXPECT_EQ(test, e.qw[node],
			page_to_phys(env->pg[PG_MMIOMT]) | TDX_MMIOMT_NODE_PRESENT);
	KUNIT_EXPECT_EQ(test, e.qw[node ^ 1], 0);
	KUNIT_EXPECT_EQ(test, tdh_mmiomt_rd(MMIOMT_IDX(TEST_MMIO, TDX_MMIOMT_LEVEL_ROOT), &e),
			TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, e.qw[0], page_to_phys(env->pg[PG_MM4]) | TDX_MMIOMT_NODE_PRESENT);

	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_nr_dma(env->ft, TEST_FUNC), 4);
	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_nr_mmio(env->ft, TEST_FUNC), 1);
	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_nr_dma(env->ft, TEST_FUNC2), 0);
	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_nr_pages(env->ft, TDX_FAKE_TDI_DEVIFMT, 0), 1);
	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_nr_pages(env->ft, TDX_FAKE_TDI_DEVIFMT, 3), 1);
	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_nr_pages(env->ft, TDX_FAKE_TDI_MMIOMT, 4), 1);
	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_nr_pages(env->ft, TDX_FAKE_TDI_DMAR,
						    TDX_DMAR_LEVEL_CTE), 1);
	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_nr_pages(env->ft, TDX_FAKE_TDI_DMAR,
						    TDX_DMAR_LEVEL_PASIDTE), 0);
}

static void tdisp_error_is_reported_and_clears_the_request(struct kunit *test)
{
	struct tdi_env *env = tdi_env(test);
	u64 out = 0;

	setup(test, env, S_MT | S_CREATED);
	KUNIT_EXPECT_EQ(test, tdh_devif_request(TEST_FUNC, REQ(TDX_TDISP_LOCK_INTERFACE_REQ),
						env->pg[PG_REQ], &out), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, tdx_fake_tdisp_relay(env->pg[PG_REQ], TDX_FAKE_TDISP_OBJ_SIZE,
						   env->pg[PG_RSP], 0x0102),
			TDX_FAKE_TDISP_OBJ_SIZE);
	KUNIT_EXPECT_EQ(test, tdh_devif_response(TEST_FUNC, env->pg[PG_RSP], false, NULL, &out),
			TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, out, FIELD_PREP_CONST(TDX_DEVIF_RSP_OUT_CODE, TDX_TDISP_ERROR) |
				   FIELD_PREP_CONST(TDX_DEVIF_RSP_OUT_ERROR, 0x0102));
	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_find(env->ft, TEST_FUNC)->tdisp_state,
			TDX_TDISP_CONFIG_UNLOCKED);
	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_find(env->ft, TEST_FUNC)->pending, 0);
}

/* ---- One test per rule of the hierarchy ---- */

/* Call, and expect @status and no change at all if it is a refusal */
#define EXPECT_REFUSED(test, env, call, status) do {				\
	struct tdi_env *__env = (env);						\
	struct kunit *__test = (test);						\
	u64 __d = tdx_fake_tdi_digest(__env->ft);				\
	unsigned long __o = tdx_fake_nr_owned(__env->fake);			\
										\
	KUNIT_EXPECT_EQ(__test, call, status);					\
	KUNIT_EXPECT_EQ(__test, tdx_fake_tdi_digest(__env->ft), __d);		\
	KUNIT_EXPECT_EQ(__test, tdx_fake_nr_owned(__env->fake), __o);		\
} while (0)

/* devifmt.c: levels added from the root down, removed from the bottom up */
static void devifmt_is_walked_from_the_root(struct kunit *test)
{
	static const u64 l1 = DEVIFMT_IDX_L(TEST_FUNC, 1), l2 = DEVIFMT_IDX_L(TEST_FUNC, 2);
	static const u64 not_present = OPND(TDX_DEVIFMT_NOT_PRESENT, RCX);
	static const u64 present = OPND(TDX_DEVIFMT_ALREADY_PRESENT, RCX);
	static const u64 metadata = OPND(TDX_DEVIF_INVALID_METADATA, RCX);
	struct tdi_env *env = tdi_env(test);
	unsigned int l;
	u64 pa;

	EXPECT_REFUSED(test, env, tdh_devifmt_add(l1, env->pg[PG_MT]), not_present);
	for (l = TDX_DEVIFMT_LEVEL_ROOT; l > 1; l--) {
		KUNIT_EXPECT_EQ(test, tdh_devifmt_add(devifmt_at(TEST_FUNC, l),
						      env->pg[PG_MT3 + 4 - l]), TDX_SUCCESS);
		KUNIT_EXPECT_EQ(test, tdx_fake_tdi_nr_pages(env->ft, TDX_FAKE_TDI_DEVIFMT, l - 1),
				1);
	}
	EXPECT_REFUSED(test, env, tdh_devifmt_add(l2, env->pg[PG_SPARE]), present);
	KUNIT_EXPECT_EQ(test, tdh_devifmt_add(l1, env->pg[PG_MT]), TDX_SUCCESS);
	/* Another bus shares levels 4 to 2 but needs its own level-0 page. */
	KUNIT_EXPECT_EQ(test, tdh_devifmt_add(DEVIFMT_IDX(TEST_FUNC2), env->pg[PG_SPARE]),
			TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_nr_pages(env->ft, TDX_FAKE_TDI_DEVIFMT, 0), 2);

	EXPECT_REFUSED(test, env, tdh_devifmt_remove(l2, &pa), metadata);
	KUNIT_EXPECT_EQ(test, tdh_devifmt_remove(DEVIFMT_IDX(TEST_FUNC2), &pa), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, pa, page_to_phys(env->pg[PG_SPARE]));
	EXPECT_REFUSED(test, env, tdh_devifmt_remove(l2, &pa), metadata);
	for (l = 1; l <= TDX_DEVIFMT_LEVEL_ROOT; l++) {
		KUNIT_EXPECT_EQ(test, tdh_devifmt_remove(devifmt_at(TEST_FUNC, l), &pa),
				TDX_SUCCESS);
		KUNIT_EXPECT_EQ(test, pa, page_to_phys(env->pg[PG_MT3 + 4 - l]));
		KUNIT_EXPECT_TRUE(test, tdx_fake_released(env->fake, pa));
	}
	for (l = 0; l < TDX_FAKE_TDI_NR_LEVELS; l++)
		KUNIT_EXPECT_EQ(test, tdx_fake_tdi_nr_pages(env->ft, TDX_FAKE_TDI_DEVIFMT, l), 0);
}

/* mmiomt.c: a level-0 page covers 512 KiB, a node of a level-1 QNODE */
static void mmiomt_level_0_page_covers_512k(struct kunit *test)
{
	static const u64 not_present = OPND(TDX_MMIOMT_NOT_PRESENT, RCX);
	static const u64 metadata = OPND(TDX_MMIO_INVALID_PAGE_METADATA, RCX);
	static const u64 mt_metadata = OPND(TDX_MMIO_INVALID_PAGE_METADATA, MMIOMT);
	static const u64 far_4k = MMIOMT_IDX(TEST_MMIO + SZ_512K, TDX_MMIOMT_LEVEL_4K);
	static const u64 far_2m = MMIOMT_IDX(TEST_MMIO + SZ_512K, TDX_MMIOMT_LEVEL_2M);
	static const u64 mmio_2m = MMIOMT_IDX(TEST_MMIO, TDX_MMIOMT_LEVEL_2M);
	static const u64 data_2m = MMIOMT_IDX(TEST_MMIO2M, TDX_MMIOMT_LEVEL_2M);
	static const u64 data_1g = MMIOMT_IDX(TEST_MMIO2M, TDX_MMIOMT_LEVEL_1G);
	struct tdi_env *env = tdi_env(test);
	struct tdx_mmiomt_entry e;
	unsigned int l;
	u64 pfn;

	setup(test, env, S_MT | S_CREATED | S_MMIO);
	EXPECT_REFUSED(test, env, tdh_mmiomt_set(far_4k, mmio_data), not_present);
	KUNIT_EXPECT_EQ(test, tdh_mmiomt_add(far_2m, env->pg[PG_SPARE]), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, tdh_mmiomt_set(far_4k, mmio_data), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_nr_mmio(env->ft, TEST_FUNC), 2);
	KUNIT_EXPECT_EQ(test, tdh_mmiomt_rd(mmio_2m, &e), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, e.qw[0] | e.qw[1] | e.qw[2] | e.qw[3],
			page_to_phys(env->pg[PG_MMIOMT]) | page_to_phys(env->pg[PG_SPARE]) |
			TDX_MMIOMT_NODE_PRESENT);
	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_nr_pages(env->ft, TDX_FAKE_TDI_MMIOMT, 0), 2);

	/* A 2 MiB DATA entry over the level-0 pages, and a page below one */
	EXPECT_REFUSED(test, env, tdh_mmiomt_set(mmio_2m, mmio_data), mt_metadata);
	KUNIT_EXPECT_EQ(test, tdh_mmiomt_set(data_2m, mmio_data), TDX_SUCCESS);
	EXPECT_REFUSED(test, env, tdh_mmiomt_add(data_2m, env->pg[PG_SPARE2]), metadata);
	EXPECT_REFUSED(test, env, tdh_mmiomt_remove(data_1g, &pfn), metadata);
	KUNIT_EXPECT_EQ(test, tdh_mmiomt_set(data_2m, MMIO_QNODE), TDX_SUCCESS);

	EXPECT_REFUSED(test, env, tdh_mmiomt_remove(far_2m, &pfn), metadata);
	KUNIT_EXPECT_EQ(test, tdh_mmiomt_set(far_4k, MMIO_QNODE), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, tdh_mmiomt_remove(far_2m, &pfn), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, pfn, page_to_pfn(env->pg[PG_SPARE]));
	KUNIT_EXPECT_EQ(test, tdh_mmiomt_set(mmio_4k, MMIO_QNODE), TDX_SUCCESS);
	for (l = 1; l <= TDX_MMIOMT_LEVEL_ROOT; l++) {
		KUNIT_EXPECT_EQ(test, tdh_mmiomt_remove(mmiomt_at(TEST_MMIO, l), &pfn),
				TDX_SUCCESS);
		KUNIT_EXPECT_EQ(test, pfn, page_to_pfn(env->pg[PG_MM4 + 5 - l]));
	}
	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_nr_mmio(env->ft, TEST_FUNC), 0);
}

/* dmar.c: RTE, CTE, PDE, PASIDTE down; block, invalidate, remove up */
static void dmar_entries_are_removed_after_their_invalidation(struct kunit *test)
{
	static const u64 not_present = OPND(TDX_DMAR_ENTRY_NOT_PRESENT, RCX);
	static const u64 map_state = OPND(TDX_DMAR_INVALID_MAPPING_STATE, RCX);
	static const u64 inv_state = OPND(TDX_DMAR_INVALID_INV_STATE, RCX);
	struct tdi_env *env = tdi_env(test);
	u64 pa = 0;

	setup(test, env, S_MT | S_CREATED);
	EXPECT_REFUSED(test, env, tdh_dmar_add(pde_idx, dmar_entry(env, TABLE(PG_PT), 0)),
		       not_present);
	add_dma(test, env);
	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_nr_dma(env->ft, TEST_FUNC), 4);
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(env->fake), 10);
	EXPECT_REFUSED(test, env, tdh_dmar_block(pde_idx), map_state);

	KUNIT_EXPECT_EQ(test, tdh_dmar_block(pte_idx), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, dmar_state(test, pte_idx, TDX_DMAR_STATE_MAP),
			TDX_DMAR_MAP_BLOCKED);
	EXPECT_REFUSED(test, env, tdh_dmar_remove(pte_idx, &pa), inv_state);

	/* The IOMMU has not done it yet: PROCESS leaves it QUEUED. */
	env->ft->iq_stall = true;
	KUNIT_EXPECT_EQ(test, inv_request(env, pte_idx), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, tdh_iq_inv_process(TEST_IOMMU), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, dmar_state(test, pte_idx, TDX_DMAR_STATE_INV),
			TDX_DMAR_INV_QUEUED);
	EXPECT_REFUSED(test, env, tdh_dmar_remove(pte_idx, &pa), inv_state);
	env->ft->iq_stall = false;
	KUNIT_ASSERT_TRUE(test, iq_status_written(env));
	KUNIT_EXPECT_EQ(test, dmar_state(test, pte_idx, TDX_DMAR_STATE_INV),
			TDX_DMAR_INV_QUEUED);
	KUNIT_EXPECT_EQ(test, tdh_iq_inv_process(TEST_IOMMU), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, dmar_state(test, pte_idx, TDX_DMAR_STATE_INV), TDX_DMAR_INV_DONE);
	KUNIT_EXPECT_EQ(test, tdh_dmar_remove(pte_idx, &pa), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, pa, 0);

	KUNIT_EXPECT_EQ(test, remove_dmar(test, env, pde_idx), page_to_phys(env->pg[PG_PT]));
	KUNIT_EXPECT_EQ(test, remove_dmar(test, env, cte_idx), page_to_phys(env->pg[PG_PD]));
	KUNIT_EXPECT_EQ(test, remove_dmar(test, env, rte_idx), page_to_phys(env->pg[PG_CT]));
	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_nr_dma(env->ft, TEST_FUNC), 0);
	KUNIT_EXPECT_TRUE(test, tdx_fake_released(env->fake, page_to_phys(env->pg[PG_CT])));
	KUNIT_EXPECT_FALSE(test, tdx_fake_owns(env->fake, page_to_phys(env->pg[PG_PT])));
}

/* tdh_iq_inv_request.c: a full queue takes nothing until PROCESS makes room */
static void iq_full_refuses_until_processed(struct kunit *test)
{
	static const u64 full = OPND(TDX_IOMMU_IQ_QUEUE_FULL, RDX);
	static const u64 cte2 = DMAR_IDX(TEST_FUNC + 1, TDX_DMAR_LEVEL_CTE);
	struct tdi_env *env = tdi_env(test);

	setup(test, env, S_MT | S_CREATED | S_DMA);
	KUNIT_ASSERT_EQ(test, tdh_dmar_add(cte2, dmar_entry(env, TABLE(PG_SPARE), 0)),
			TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, tdh_dmar_block(pte_idx), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, tdh_dmar_block(cte2), TDX_SUCCESS);
	env->ft->iq_size = 1;
	env->ft->iq_stall = true;
	KUNIT_EXPECT_EQ(test, inv_request(env, pte_idx), TDX_SUCCESS);
	EXPECT_REFUSED(test, env, inv_request(env, cte2), full);
	/* Done by the IOMMU, but the room is PROCESS's to free */
	env->ft->iq_stall = false;
	KUNIT_ASSERT_TRUE(test, iq_status_written(env));
	EXPECT_REFUSED(test, env, inv_request(env, cte2), full);
	KUNIT_EXPECT_EQ(test, tdh_iq_inv_process(TEST_IOMMU), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, dmar_state(test, pte_idx, TDX_DMAR_STATE_INV), TDX_DMAR_INV_DONE);
	KUNIT_EXPECT_EQ(test, inv_request(env, cte2), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, dmar_state(test, cte2, TDX_DMAR_STATE_INV), TDX_DMAR_INV_QUEUED);
}

/* tdh_dmar_add.c, tdh_dmar_remove.c, tdh_iq_inv_process.c: resumed by the wrappers */
static void resumable_leaves_are_resumed_by_their_wrappers(struct kunit *test)
{
	struct tdi_env *env = tdi_env(test);
	struct tdx_module_args in = {}, out;
	u64 pa = 0;

	setup(test, env, S_MT | S_CREATED);
	KUNIT_ASSERT_EQ(test, tdh_dmar_add(rte_idx, dmar_entry(env, TABLE(PG_CT), 0)),
			TDX_SUCCESS);

	/* Raw: interrupted, then resumed with other operands, then right */
	env->ft->interrupt_nth = env->ft->nr_resumable + 1;
	in = (struct tdx_module_args) { .rcx = cte_idx, .rdx = TABLE(PG_PD) };
	KUNIT_EXPECT_EQ(test, raw_call(env, TDH_DMAR_ADD, 0, &in, &out),
			TDX_INTERRUPTED_RESUMABLE);
	KUNIT_EXPECT_EQ(test, dmar_state(test, cte_idx, TDX_DMAR_STATE_MAP), TDX_DMAR_MAP_FREE);
	KUNIT_EXPECT_TRUE(test, tdx_fake_owns(env->fake, page_to_phys(env->pg[PG_PD])));
	in.rdx = resolve(env, TABLE(PG_SPARE));
	EXPECT_REFUSED(test, env, raw_call(env, TDH_DMAR_ADD, 0, &in, &out), INVALID(RDX));
	in.rdx = resolve(env, TABLE(PG_PD));
	KUNIT_EXPECT_EQ(test, raw_call(env, TDH_DMAR_ADD, 0, &in, &out), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, dmar_state(test, cte_idx, TDX_DMAR_STATE_MAP),
			TDX_DMAR_MAP_PRESENT);

	/* Through the wrappers: one call each, whatever the module says */
	KUNIT_EXPECT_EQ(test, tdh_dmar_block(cte_idx), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, inv_request(env, cte_idx), TDX_SUCCESS);
	KUNIT_ASSERT_TRUE(test, iq_status_written(env));
	env->ft->interrupt_nth = env->ft->nr_resumable + 1;
	KUNIT_EXPECT_EQ(test, tdh_iq_inv_process(TEST_IOMMU), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, env->ft->nr_resumable, env->ft->interrupt_nth + 1);
	KUNIT_EXPECT_EQ(test, dmar_state(test, cte_idx, TDX_DMAR_STATE_INV), TDX_DMAR_INV_DONE);
	env->ft->interrupt_nth = env->ft->nr_resumable + 1;
	KUNIT_EXPECT_EQ(test, tdh_dmar_remove(cte_idx, &pa), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, pa, page_to_phys(env->pg[PG_PD]));
	KUNIT_EXPECT_EQ(test, env->ft->nr_resumable, env->ft->interrupt_nth + 1);
	env->ft->interrupt_nth = env->ft->nr_resumable + 1;
	KUNIT_EXPECT_EQ(test, tdh_dmar_add(cte_idx, dmar_entry(env, TABLE(PG_SPARE), 0)),
			TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, env->ft->nr_resumable, env->ft->interrupt_nth + 1);
	KUNIT_EXPECT_EQ(test, dmar_state(test, cte_idx, TDX_DMAR_STATE_MAP),
			TDX_DMAR_MAP_PRESENT);
	KUNIT_EXPECT_EQ(test, env->fake->calls[TDH_DMAR_ADD], 6);
}

/* tdh_devif_create.c: the IDE stream and SPDM session of the TDI */
static void devif_create_checks_stream_and_session(struct kunit *test)
{
	static const u64 id = DEVIF_ID(TEST_FUNC);
	static const u64 stream = OPND(TDX_IDE_STREAM_INVALID_STATE, RCX);
	struct tdi_env *env = tdi_env(test);
	struct tdx_fake_spdm_stream *s;
	struct page **pg = env->pg;

	setup(test, env, S_MT);
	s = &env->fs->streams[0];
	s->keyed = false;
	EXPECT_REFUSED(test, env, tdh_devif_create(id, TEST_VM, pg[PG_CS], pg[PG_TD],
						   pg[PG_VMM]), stream);
	s->keyed = true;
	s->blocked = true;
	EXPECT_REFUSED(test, env, tdh_devif_create(id, TEST_VM, pg[PG_CS], pg[PG_TD],
						   pg[PG_VMM]), stream);
	s->blocked = false;
	s->rid_base = TEST_FUNC + 1;
	EXPECT_REFUSED(test, env, tdh_devif_create(id, TEST_VM, pg[PG_CS], pg[PG_TD],
						   pg[PG_VMM]), INVALID(RCX));
	s->rid_base = TEST_FUNC;
	env->fs->sessions[0].connected = false;
	EXPECT_REFUSED(test, env, tdh_devif_create(id, TEST_VM, pg[PG_CS], pg[PG_TD],
						   pg[PG_VMM]), OPND(TDX_SPDM_INVALID_STATE, RCX));
	env->fs->sessions[0].connected = true;
	KUNIT_EXPECT_NULL(test, tdx_fake_tdi_find(env->ft, TEST_FUNC));
	KUNIT_EXPECT_EQ(test, tdh_devif_create(id, TEST_VM, pg[PG_CS], pg[PG_TD], pg[PG_VMM]),
			TDX_SUCCESS);
	KUNIT_EXPECT_NOT_NULL(test, tdx_fake_tdi_find(env->ft, TEST_FUNC));
}

/* tdh_devif_remove.c: locked, the TDI goes only once its stream is blocked */
static void devif_remove_while_locked_needs_the_stream_blocked(struct kunit *test)
{
	static const u64 state = OPND(TDX_DEVIF_INVALID_STATE, RCX);
	struct tdi_env *env = tdi_env(test);
	u64 td_pa, vmm_pa, vm;

	setup(test, env, S_MT | S_CREATED | S_LOCKED);
	EXPECT_REFUSED(test, env, tdh_devif_remove(TEST_FUNC, &td_pa, &vmm_pa, &vm), state);
	env->fs->streams[0].blocked = true;
	KUNIT_EXPECT_EQ(test, tdh_devif_remove(TEST_FUNC, &td_pa, &vmm_pa, &vm), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, td_pa, page_to_phys(env->pg[PG_TD]));
	KUNIT_EXPECT_NULL(test, tdx_fake_tdi_find(env->ft, TEST_FUNC));
}

/* tdh_devif_remove.c: mapped DMA is what the TD accepted, whenever added */
static void accepted_dma_holds_the_tdi_even_if_added_before_it(struct kunit *test)
{
	static const u64 dma = OPND(TDX_DEVIF_HAS_MAPPED_DMA, RCX);
	struct tdi_env *env = tdi_env(test);
	u64 td_pa, vmm_pa, vm;

	/* As bind does: trusted DMA first, then the TDI */
	setup(test, env, S_DMA);
	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_accept_dma(env->ft, pte_idx),
			OPND(TDX_DEVIFMT_NOT_PRESENT, RCX));
	setup(test, env, S_MT | S_CREATED);
	/* Added but not accepted: no mapped DMA */
	KUNIT_EXPECT_EQ(test, tdh_devif_remove(TEST_FUNC, &td_pa, &vmm_pa, &vm), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_nr_dma(env->ft, TEST_FUNC), 4);

	KUNIT_EXPECT_EQ(test, tdh_devif_create(DEVIF_ID(TEST_FUNC), TEST_VM, env->pg[PG_SPARE],
					       env->pg[PG_REQ], env->pg[PG_RSP]), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_accept_dma(env->ft, pte_idx), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, dmar_state(test, pte_idx, TDX_DMAR_STATE_MAP),
			TDX_DMAR_MAP_PRESENT);
	EXPECT_REFUSED(test, env, tdh_devif_remove(TEST_FUNC, &td_pa, &vmm_pa, &vm), dma);
	/* Blocked and invalidated is still mapped, until removed */
	KUNIT_EXPECT_EQ(test, tdh_dmar_block(pte_idx), TDX_SUCCESS);
	invalidate(test, env, pte_idx);
	EXPECT_REFUSED(test, env, tdh_devif_remove(TEST_FUNC, &td_pa, &vmm_pa, &vm), dma);
	KUNIT_EXPECT_EQ(test, tdh_dmar_remove(pte_idx, &td_pa), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, tdh_devif_remove(TEST_FUNC, &td_pa, &vmm_pa, &vm), TDX_SUCCESS);
}

/*
 * tdh_devif_request.c, tdh_devif_response.c: the TD's request is secured
 * from the TD's buffer and its answer decrypted into it, never to the host.
 */
static void td_request_is_answered_into_the_td_buffer(struct kunit *test)
{
	static const u64 req_sts = OPND(TDX_DEVIF_TDISP_INVALID_REQ_STS, RDX);
	struct tdi_env *env = tdi_env(test);
	u64 out = 0, code_out;
	u8 code = 0;

	setup(test, env, S_MT | S_CREATED);
	/* Nothing the TD asked for: nothing to secure, nothing to read */
	EXPECT_REFUSED(test, env, tdh_devif_request(TEST_FUNC, TDX_DEVIF_REQ_TD,
						    env->pg[PG_REQ], &out),
		       OPND(TDX_DEVIF_TDISP_INVALID_REQ_STS, RCX));
	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_td_response(env->ft, TEST_FUNC, &code),
			TDX_DEVIF_TDISP_INVALID_REQ_STS);
	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_td_request(env->ft, TEST_FUNC,
						      TDX_TDISP_LOCK_INTERFACE_REQ),
			TDX_OPERAND_INVALID);

	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_td_request(env->ft, TEST_FUNC,
						      TDX_TDISP_INTERFACE_REPORT_REQ), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_td_request(env->ft, TEST_FUNC,
						      TDX_TDISP_INTERFACE_STATE_REQ),
			TDX_DEVIF_TDISP_INVALID_REQ_STS);
	KUNIT_EXPECT_EQ(test, tdh_devif_request(TEST_FUNC, TDX_DEVIF_REQ_TD, env->pg[PG_REQ],
						&out), TDX_SUCCESS);
	code_out = FIELD_GET(TDX_DEVIF_REQ_OUT_CODE, out);
	KUNIT_EXPECT_EQ(test, code_out, TDX_TDISP_INTERFACE_REPORT_REQ);
	KUNIT_EXPECT_EQ(test, tdx_fake_tdisp_relay(env->pg[PG_REQ], TDX_FAKE_TDISP_OBJ_SIZE,
						   env->pg[PG_RSP], 0),
			TDX_FAKE_TDISP_OBJ_SIZE);

	/* The answer is the TD's: not in host mode, not to a host page */
	EXPECT_REFUSED(test, env, tdh_devif_response(TEST_FUNC, env->pg[PG_RSP], false,
						     env->pg[PG_OUT], &out), req_sts);
	EXPECT_REFUSED(test, env, tdh_devif_response(TEST_FUNC, env->pg[PG_RSP], true,
						     env->pg[PG_OUT], &out), INVALID(R8));
	KUNIT_EXPECT_EQ(test, tdh_devif_response(TEST_FUNC, env->pg[PG_RSP], true, NULL, &out),
			TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, out, FIELD_PREP_CONST(TDX_DEVIF_RSP_OUT_CODE,
						    TDX_TDISP_INTERFACE_REPORT_RSP));
	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_find(env->ft, TEST_FUNC)->pending, 0);

	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_td_response(env->ft, TEST_FUNC, &code), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, code, TDX_TDISP_INTERFACE_REPORT_RSP);
	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_td_response(env->ft, TEST_FUNC, &code),
			TDX_DEVIF_TDISP_INVALID_REQ_STS);

	/* A host request is not the TD's and is answered in host mode only */
	KUNIT_EXPECT_EQ(test, tdh_devif_request(TEST_FUNC, REQ(TDX_TDISP_INTERFACE_STATE_REQ),
						env->pg[PG_REQ], &out), TDX_SUCCESS);
	tdx_fake_tdisp_relay(env->pg[PG_REQ], TDX_FAKE_TDISP_OBJ_SIZE, env->pg[PG_RSP], 0);
	EXPECT_REFUSED(test, env, tdh_devif_response(TEST_FUNC, env->pg[PG_RSP], true, NULL,
						     &out), req_sts);
}

/* The hostile knobs: a REMOVE naming another TD, request lengths */
static void hostile_knobs_rewrite_what_the_module_reports(struct kunit *test)
{
	struct tdi_env *env = tdi_env(test);
	u64 out = 0, len, td_pa, vmm_pa, vm;

	setup(test, env, S_MT | S_CREATED);
	env->ft->req_len = U64_MAX;
	KUNIT_EXPECT_EQ(test, tdh_devif_request(TEST_FUNC, REQ(TDX_TDISP_INTERFACE_STATE_REQ),
						env->pg[PG_REQ], &out), TDX_SUCCESS);
	len = FIELD_GET(TDX_DEVIF_REQ_OUT_LEN, out);
	KUNIT_EXPECT_EQ(test, len, 0);
	KUNIT_EXPECT_EQ(test, tdx_fake_tdisp_relay(env->pg[PG_REQ], TDX_FAKE_TDISP_OBJ_SIZE,
						   env->pg[PG_RSP], 0),
			TDX_FAKE_TDISP_OBJ_SIZE);
	KUNIT_EXPECT_EQ(test, tdh_devif_response(TEST_FUNC, env->pg[PG_RSP], false, NULL, &out),
			TDX_SUCCESS);
	env->ft->req_len = PAGE_SIZE + 4;
	KUNIT_EXPECT_EQ(test, tdh_devif_request(TEST_FUNC, REQ(TDX_TDISP_INTERFACE_STATE_REQ),
						env->pg[PG_REQ], &out), TDX_SUCCESS);
	len = FIELD_GET(TDX_DEVIF_REQ_OUT_LEN, out);
	KUNIT_EXPECT_EQ(test, len, PAGE_SIZE + 4);

	env->ft->remove_vm_handle = TEST_VM + PAGE_SIZE;
	KUNIT_EXPECT_EQ(test, tdh_devif_remove(TEST_FUNC, &td_pa, &vmm_pa, &vm), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, vm, TEST_VM + PAGE_SIZE);
}

static void fail_nth_fails_a_call_without_side_effects(struct kunit *test)
{
	struct tdi_env *env = tdi_env(test);

	setup(test, env, S_MT);
	env->ft->fail_nth = env->ft->nr_calls + 1;
	env->ft->fail_status = TDX_OPERAND_BUSY;
	KUNIT_EXPECT_EQ(test, tdh_devif_create(DEVIF_ID(TEST_FUNC), TEST_VM, env->pg[PG_CS],
					       env->pg[PG_TD], env->pg[PG_VMM]),
			TDX_OPERAND_BUSY);
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(env->fake), 4);
	KUNIT_EXPECT_NULL(test, tdx_fake_tdi_find(env->ft, TEST_FUNC));
	KUNIT_EXPECT_EQ(test, env->ft->nr_log, 5);
	KUNIT_EXPECT_EQ(test, env->ft->log[4], TDH_DEVIF_CREATE);
}

static struct kunit_case tdx_tdi_test_cases[] = {
	KUNIT_CASE_PARAM(wrapper_passes_and_returns_every_register, regs_gen_params),
	KUNIT_CASE_PARAM(fake_refuses_raw_registers_with_the_module_status, refusal_gen_params),
	KUNIT_CASE_PARAM(wrapper_passes_the_fake_refusal_through, wrapper_refusal_gen_params),
	KUNIT_CASE(lifecycle_in_module_order_gives_every_page_back),
	KUNIT_CASE(readers_report_the_model_state),
	KUNIT_CASE(tdisp_error_is_reported_and_clears_the_request),
	KUNIT_CASE(devifmt_is_walked_from_the_root),
	KUNIT_CASE(mmiomt_level_0_page_covers_512k),
	KUNIT_CASE(dmar_entries_are_removed_after_their_invalidation),
	KUNIT_CASE(iq_full_refuses_until_processed),
	KUNIT_CASE(resumable_leaves_are_resumed_by_their_wrappers),
	KUNIT_CASE(devif_create_checks_stream_and_session),
	KUNIT_CASE(devif_remove_while_locked_needs_the_stream_blocked),
	KUNIT_CASE(accepted_dma_holds_the_tdi_even_if_added_before_it),
	KUNIT_CASE(td_request_is_answered_into_the_td_buffer),
	KUNIT_CASE(hostile_knobs_rewrite_what_the_module_reports),
	KUNIT_CASE(fail_nth_fails_a_call_without_side_effects),
	{}
};

static struct kunit_suite tdx_tdi_test_suite = {
	.name = "tdx_tdi",
	.test_cases = tdx_tdi_test_cases,
};

kunit_test_suite(tdx_tdi_test_suite);
