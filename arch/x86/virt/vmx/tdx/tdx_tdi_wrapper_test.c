// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the TDI lifecycle SEAMCALL wrappers against the fake TDI
 * model: each wrapper refused by the fake, with the registers the fake
 * received and the status and out-parameters the wrapper passes back.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

#include <linux/bitfield.h>
#include <linux/mm.h>
#include <linux/string.h>

#include <kunit/test-bug.h>
#include <kunit/test.h>

#include <asm/shared/tdx_errno.h>
#include <asm/tdx.h>
#include "tests/tdx_fake_module.h"
#include "tests/tdx_fake_tdi.h"
#include "tests/tdx_tdi_test_env.h"
#include <asm/tdx_tdi.h>

#include "tdx.h"

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
	u64 a0 = tdi_resolve(env, c->arg[0]), a1 = tdi_resolve(env, c->arg[1]);
	struct page *p2 = wrapper_page(env, c->pg[2]);
	u64 a2 = tdi_resolve(env, c->arg[2]);
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
		dmar.qw[0] = tdi_resolve(env, dmar.qw[0]);
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

	tdi_setup(test, env, c->stages);
	if (c->tdisp_state)
		tdx_fake_tdi_set_state(env->ft, TEST_FUNC, c->tdisp_state);
	tdi_apply_tweak(test, env, c->tweak);
	/* A response page that answers no request: the request echoed back */
	rsp = page_address(env->pg[PG_RSP]);
	memcpy(rsp, page_address(env->pg[PG_REQ]), TDX_FAKE_TDISP_OBJ_SIZE);
	if (c->busy)
		env->ft->busy_nth = env->ft->nr_calls + 1;
	tap_install(env);

	tdi_snapshot(env, &before);
	call_wrapper(env, c, &w);
	tdi_snapshot(env, &after);

	KUNIT_ASSERT_EQ(test, env->tap.nr, 1);
	KUNIT_EXPECT_EQ(test, env->tap.leaf, c->leaf);
	KUNIT_EXPECT_EQ(test, env->tap.version, 0);
	tdi_expect_regs(test, &env->tap.in, &w.regs);
	KUNIT_EXPECT_EQ(test, env->tap.status, c->status);
	KUNIT_EXPECT_EQ(test, w.status, env->tap.status);
	for (i = 0; i < w.nr_out; i++)
		KUNIT_EXPECT_EQ_MSG(test, w.out[i], OUT_MARK(w.out_reg[i]),
				    "out-parameter %u", i);
	KUNIT_EXPECT_EQ(test, before.digest, after.digest);
	KUNIT_EXPECT_EQ(test, before.nr_owned, after.nr_owned);
}

static struct kunit_case tdx_tdi_wrapper_test_cases[] = {
	KUNIT_CASE_PARAM(wrapper_passes_the_fake_refusal_through, wrapper_refusal_gen_params),
	{}
};

static struct kunit_suite tdx_tdi_wrapper_test_suite = {
	.name = "tdx_tdi_wrapper",
	.test_cases = tdx_tdi_wrapper_test_cases,
};

kunit_test_suite(tdx_tdi_wrapper_test_suite);
