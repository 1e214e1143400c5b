// SPDX-License-Identifier: GPL-2.0-only
/*
 * The environment of the tdx_tdi suites: the fake TDX module with its
 * SPDM and TDI leaves installed, as after connect, pages that the fake may
 * keep, raw calls of the fake's leaves, and setup stages that bring the
 * test's TDI up through the wrappers in the order the module enforces.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

#include <linux/bitfield.h>
#include <linux/delay.h>
#include <linux/mm.h>

#include <kunit/static_stub.h>
#include <kunit/test.h>

#include <asm/shared/tdx_errno.h>
#include <asm/tdx.h>
#include "tdx_fake_module.h"
#include "tdx_fake_spdm.h"
#include "tdx_fake_tdi.h"
#include "tdx_tdi_test_env.h"
#include <asm/tdx_handoff.h>
#include <asm/tdx_tdi.h>

#include "../tdx.h"

/* Operands kept out of the KUnit macros, which sparse cannot expand them in */
static const u64 rte_idx = RTE_IDX;
static const u64 cte_idx = CTE_IDX;
static const u64 pde_idx = PDE_IDX;
static const u64 pte_idx = PTE_IDX;
static const u64 mmio_4k = MMIOMT_IDX(TEST_MMIO, TDX_MMIOMT_LEVEL_4K);
static const u64 mmio_data = MMIO_DATA(TEST_FUNC);

/**
 * tdi_expect_regs() - Expect every register of a call, by name
 * @test: the test
 * @got: the registers passed
 * @want: the registers expected
 *
 * Every register by name, so that a failure says which one.
 *
 * Context: In a KUnit test.
 */
void tdi_expect_regs(struct kunit *test, const struct tdx_module_args *got,
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

/**
 * tdi_env() - Set up the fake TDX module with its SPDM and TDI leaves
 * @test: the test; everything goes away when it ends
 *
 * As after connect: the second VT-d unit (TEST_IOMMU) set up, and
 * TEST_STREAM keyed for the functions of bus 3 over a session that is
 * connected.  Refusals are counted in &tdi_env.nr_reports, not reported.
 * The pages of &tdi_env.pg are zeroed, and freed at the end unless the
 * fake still owns them.
 *
 * Context: In a KUnit test; a failure to set up fails the test.
 * Return: the environment, also in @test->priv.
 */
struct tdi_env *tdi_env(struct kunit *test)
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

/**
 * tdi_resolve() - Resolve a PG() operand to the page's address
 * @env: the environment
 * @v: an operand, PG(n) with bit 63 and bits 11:0 kept, or any other value
 *
 * Context: Any context.
 * Return: @v with its PG() page resolved, or @v.
 */
u64 tdi_resolve(const struct tdi_env *env, u64 v)
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
	return tdi_resolve(env, v);
}

/**
 * tdi_raw_call() - Call a leaf of the fake with raw registers
 * @env: the environment
 * @leaf: the leaf
 * @version: its version
 * @in: the registers, PG() resolved (and its page flushed) in RCX to R10
 * @out: where to copy the registers it returned, or NULL
 *
 * Context: In a KUnit test.
 * Return: the status.
 */
u64 tdi_raw_call(const struct tdi_env *env, u16 leaf, u8 version,
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

/**
 * tdi_devifmt_at() - DEVIFMT_IDX_L() of a level known at run time
 * @func: the FUNCTION_ID
 * @level: the level
 *
 * Context: Any context.
 * Return: the DEVIFMT_IDX.
 */
u64 tdi_devifmt_at(u64 func, unsigned int level)
{
	return FIELD_PREP(TDX_DEVIFMT_IDX_FUNC_ID, func) | FIELD_PREP(TDX_DEVIFMT_IDX_LEVEL, level);
}

/**
 * tdi_mmiomt_at() - MMIOMT_IDX() of a level known at run time
 * @pa: the MMIO address
 * @level: the level
 *
 * Context: Any context.
 * Return: the MMIOMT_IDX.
 */
u64 tdi_mmiomt_at(u64 pa, unsigned int level)
{
	return (pa & TDX_MMIOMT_IDX_PA) | FIELD_PREP(TDX_MMIOMT_IDX_LEVEL, level);
}

/**
 * tdi_tdisp_exchange() - A TDISP request of the host, granted by the device
 * @test: the test
 * @env: the environment
 * @func: the TDI's FUNCTION_ID
 * @code: the request code
 *
 * Context: In a KUnit test; a failure fails the test.
 */
void tdi_tdisp_exchange(struct kunit *test, struct tdi_env *env, u64 func, u8 code)
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

/**
 * tdi_dmar_entry() - A DMAR entry with its PG() page resolved
 * @env: the environment
 * @qw0: qword 0, PG() resolved
 * @qw1: qword 1
 *
 * Context: In a KUnit test; not reentrant.
 * Return: the entry, valid until the next call.
 */
struct tdx_dmar_entry *tdi_dmar_entry(const struct tdi_env *env, u64 qw0, u64 qw1)
{
	static struct tdx_dmar_entry e;

	e = (struct tdx_dmar_entry) { .qw = { tdi_resolve(env, qw0), qw1 } };
	return &e;
}

/**
 * tdi_add_dma() - Add the RTE, CTE, PDE and a PENDING PASIDTE of TEST_FUNC
 * @test: the test
 * @env: the environment
 *
 * Context: In a KUnit test; a failure fails the test.
 */
void tdi_add_dma(struct kunit *test, struct tdi_env *env)
{
	KUNIT_ASSERT_EQ(test, tdh_dmar_add(rte_idx, tdi_dmar_entry(env, TABLE(PG_CT), 0)),
			TDX_SUCCESS);
	KUNIT_ASSERT_EQ(test, tdh_dmar_add(cte_idx, tdi_dmar_entry(env, TABLE(PG_PD), 0)),
			TDX_SUCCESS);
	KUNIT_ASSERT_EQ(test, tdh_dmar_add(pde_idx, tdi_dmar_entry(env, TABLE(PG_PT), 0)),
			TDX_SUCCESS);
	KUNIT_ASSERT_EQ(test, tdh_dmar_add(pte_idx, tdi_dmar_entry(env, PASIDTE0, PASIDTE1)),
			TDX_SUCCESS);
}

/**
 * tdi_dmar_state() - One field of the DMAR state of an entry
 * @test: the test
 * @idx: the entry's DMAR_IDX
 * @field: TDX_DMAR_STATE_MAP or TDX_DMAR_STATE_INV
 *
 * Context: In a KUnit test.
 * Return: the field.
 */
u64 tdi_dmar_state(struct kunit *test, u64 idx, u64 field)
{
	struct tdx_dmar_entry e;
	u64 state = 0;

	KUNIT_EXPECT_EQ(test, tdh_dmar_read(idx, &state, &e), TDX_SUCCESS);
	return field == TDX_DMAR_STATE_MAP ? FIELD_GET(TDX_DMAR_STATE_MAP, state) :
	       FIELD_GET(TDX_DMAR_STATE_INV, state);
}

/**
 * tdi_inv_request() - Queue the invalidation of a blocked entry, as the host does
 * @env: the environment
 * @idx: the entry's DMAR_IDX
 *
 * Context: In a KUnit test.
 * Return: the status of TDH.IQ.INV.REQUEST.
 */
u64 tdi_inv_request(struct tdi_env *env, u64 idx)
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

/**
 * tdi_iq_status_written() - Wait for the IOMMU's status write
 * @env: the environment
 *
 * Context: In a KUnit test; sleeps up to about two seconds.
 * Return: true once the hardware is done, false if it never was.
 */
bool tdi_iq_status_written(struct tdi_env *env)
{
	unsigned int i;

	for (i = 0; i < 2000; i++) {
		if (READ_ONCE(*(u32 *)page_address(env->pg[PG_STATUS])) == TEST_IQ_DATA)
			return true;
		usleep_range(500, 1000);
	}
	return false;
}

/**
 * tdi_invalidate() - Request, wait for the IOMMU, process
 * @test: the test
 * @env: the environment
 * @idx: the DMAR_IDX of a blocked entry, whose invalidation is then DONE
 *
 * Context: In a KUnit test; a failure fails the test.
 */
void tdi_invalidate(struct kunit *test, struct tdi_env *env, u64 idx)
{
	KUNIT_ASSERT_EQ(test, tdi_inv_request(env, idx), TDX_SUCCESS);
	KUNIT_ASSERT_TRUE(test, tdi_iq_status_written(env));
	KUNIT_ASSERT_EQ(test, tdh_iq_inv_process(TEST_IOMMU), TDX_SUCCESS);
}

/**
 * tdi_remove_dmar() - Block, invalidate and remove one DMAR entry
 * @test: the test
 * @env: the environment
 * @idx: the entry's DMAR_IDX
 *
 * Context: In a KUnit test.
 * Return: the page TDH.DMAR.REMOVE released.
 */
u64 tdi_remove_dmar(struct kunit *test, struct tdi_env *env, u64 idx)
{
	u64 pa = 0;

	KUNIT_EXPECT_EQ(test, tdh_dmar_block(idx), TDX_SUCCESS);
	tdi_invalidate(test, env, idx);
	KUNIT_EXPECT_EQ(test, tdh_dmar_remove(idx, &pa), TDX_SUCCESS);
	return pa;
}

/**
 * tdi_setup() - Bring the test's TDI up to some stages
 * @test: the test
 * @env: the environment
 * @stages: S_*, applied in their order
 *
 * Context: In a KUnit test; a failure fails the test.
 */
void tdi_setup(struct kunit *test, struct tdi_env *env, unsigned int stages)
{
	unsigned int l;
	u64 out;

	if (stages & S_MT) {
		for (l = TDX_DEVIFMT_LEVEL_ROOT; l >= 1; l--)
			KUNIT_ASSERT_EQ(test, tdh_devifmt_add(tdi_devifmt_at(TEST_FUNC, l),
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
			KUNIT_ASSERT_EQ(test, tdh_mmiomt_add(tdi_mmiomt_at(TEST_MMIO, l),
							     env->pg[PG_MM4 + 5 - l]),
					TDX_SUCCESS);
		KUNIT_ASSERT_EQ(test, tdh_mmiomt_set(mmio_4k, mmio_data), TDX_SUCCESS);
	}
	if (stages & S_DMA)
		tdi_add_dma(test, env);
	if (stages & S_ACCEPT)
		KUNIT_ASSERT_EQ(test, tdx_fake_tdi_accept_dma(env->ft, pte_idx), TDX_SUCCESS);
	if (stages & S_MAPPED)
		KUNIT_ASSERT_EQ(test, tdh_mmio_map(TEST_GPA, TEST_VM, TEST_MMIO), TDX_SUCCESS);
	if (stages & S_LOCKED)
		tdi_tdisp_exchange(test, env, TEST_FUNC, TDX_TDISP_LOCK_INTERFACE_REQ);
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
		tdi_invalidate(test, env, pte_idx);
}

/**
 * tdi_apply_tweak() - Change the fake's state after setup
 * @test: the test
 * @env: the environment
 * @t: the change, for what bind cannot reach
 *
 * Context: In a KUnit test.
 */
void tdi_apply_tweak(struct kunit *test, struct tdi_env *env, enum tweak t)
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

/**
 * tdi_snapshot() - Everything of the fake's state but its log and counters
 * @env: the environment
 * @s: where to put it
 *
 * Context: In a KUnit test, not inside a SEAMCALL.
 */
void tdi_snapshot(struct tdi_env *env, struct tdi_snapshot *s)
{
	s->digest = tdx_fake_tdi_digest(env->ft);
	s->nr_owned = tdx_fake_nr_owned(env->fake);
}
