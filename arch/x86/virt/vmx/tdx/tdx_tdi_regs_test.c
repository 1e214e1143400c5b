// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the TDI lifecycle SEAMCALL wrappers: the registers each
 * wrapper passes in and reads out, against a recording stand-in of the
 * SEAMCALL, for the metadata tables and MMIO (asm/tdx_tdi_mt.h), the
 * trusted DMA remapping (asm/tdx_tdi_dmar.h) and the device interface
 * (asm/tdx_tdi.h).
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

#include <linux/bitfield.h>
#include <linux/mm.h>
#include <linux/string.h>

#include <kunit/static_stub.h>
#include <kunit/test.h>

#include <asm/shared/tdx_errno.h>
#include <asm/tdx.h>
#include "tests/tdx_tdi_test_env.h"
#include <asm/tdx_tdi.h>

#include "tdx.h"

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
	tdi_expect_regs(test, &rec->in, in);
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

static struct kunit_case tdx_tdi_regs_test_cases[] = {
	KUNIT_CASE_PARAM(wrapper_passes_and_returns_every_register, regs_gen_params),
	{}
};

static struct kunit_suite tdx_tdi_regs_test_suite = {
	.name = "tdx_tdi_regs",
	.test_cases = tdx_tdi_regs_test_cases,
};

kunit_test_suite(tdx_tdi_regs_test_suite);
