// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the TDI lifecycle through its SEAMCALL wrappers, against
 * the fake TDI model: a whole lifecycle in the order the module enforces,
 * and one test per rule of the module's tables (DEVIFMT, MMIOMT, DMAR with
 * its invalidation queue), which breaks it and expects the exact status
 * and operand ID and no change, then does it right.  The resumable leaves
 * (DMAR.ADD and REMOVE of a CTE, IQ.INV.PROCESS) are interrupted once and
 * resumed through their wrappers.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

#include <linux/bitfield.h>
#include <linux/mm.h>
#include <linux/string.h>
#include <linux/unaligned.h>

#include <kunit/test.h>

#include <asm/shared/tdx_errno.h>
#include <asm/tdx.h>
#include "tests/tdx_fake_module.h"
#include "tests/tdx_fake_tdi.h"
#include "tests/tdx_tdi_test_env.h"
#include <asm/tdx_tdi.h>

#include "tdx.h"

/* Operands kept out of the KUnit macros, which sparse cannot expand them in */
static const u64 mt_idx = DEVIFMT_IDX(TEST_FUNC);
static const u64 rte_idx = RTE_IDX;
static const u64 cte_idx = CTE_IDX;
static const u64 pde_idx = PDE_IDX;
static const u64 pte_idx = PTE_IDX;
static const u64 mmio_4k = MMIOMT_IDX(TEST_MMIO, TDX_MMIOMT_LEVEL_4K);
static const u64 mmio_data = MMIO_DATA(TEST_FUNC);

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
	tdi_setup(test, env, S_DMA);
	tdi_setup(test, env, S_MT | S_CREATED | S_MMIO);
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(env->fake), 15);
	tdi_tdisp_exchange(test, env, TEST_FUNC, TDX_TDISP_LOCK_INTERFACE_REQ);
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

	tdi_tdisp_exchange(test, env, TEST_FUNC, TDX_TDISP_STOP_INTERFACE_REQ);
	KUNIT_EXPECT_EQ(test, d->tdisp_state, TDX_TDISP_CONFIG_UNLOCKED);
	KUNIT_EXPECT_EQ(test, tdh_mmio_block(TEST_GPA, TEST_VM), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, tdh_mmio_unmap(TEST_GPA, TEST_VM), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, tdi_remove_dmar(test, env, pte_idx), 0);
	KUNIT_EXPECT_FALSE(test, d->dma_mapped);

	KUNIT_EXPECT_EQ(test, tdh_devif_remove(TEST_FUNC, &td_pa, &vmm_pa, &vm), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, td_pa, page_to_phys(env->pg[PG_TD]));
	KUNIT_EXPECT_EQ(test, vmm_pa, page_to_phys(env->pg[PG_VMM]));
	KUNIT_EXPECT_EQ(test, vm, TEST_VM);
	KUNIT_EXPECT_FALSE(test, tdx_fake_owns(env->fake, page_to_phys(env->pg[PG_CS])));

	for (l = 1; l <= TDX_DEVIFMT_LEVEL_ROOT; l++) {
		KUNIT_EXPECT_EQ(test, tdh_devifmt_remove(tdi_devifmt_at(TEST_FUNC, l), &pa),
				TDX_SUCCESS);
		KUNIT_EXPECT_EQ(test, pa, page_to_phys(env->pg[PG_MT3 + 4 - l]));
	}
	KUNIT_EXPECT_EQ(test, tdh_mmiomt_set(mmio_4k, MMIO_QNODE), TDX_SUCCESS);
	for (l = 1; l <= TDX_MMIOMT_LEVEL_ROOT; l++) {
		KUNIT_EXPECT_EQ(test, tdh_mmiomt_remove(tdi_mmiomt_at(TEST_MMIO, l), &pa),
				TDX_SUCCESS);
		KUNIT_EXPECT_EQ(test, pa, page_to_pfn(env->pg[PG_MM4 + 5 - l]));
	}
	KUNIT_EXPECT_EQ(test, tdi_remove_dmar(test, env, pde_idx), page_to_phys(env->pg[PG_PT]));
	KUNIT_EXPECT_EQ(test, tdi_remove_dmar(test, env, cte_idx), page_to_phys(env->pg[PG_PD]));
	KUNIT_EXPECT_EQ(test, tdi_remove_dmar(test, env, rte_idx), page_to_phys(env->pg[PG_CT]));

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
	tdi_setup(test, env, S_ALL);

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

	tdi_setup(test, env, S_MT | S_CREATED);
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
		KUNIT_EXPECT_EQ(test, tdh_devifmt_add(tdi_devifmt_at(TEST_FUNC, l),
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
		KUNIT_EXPECT_EQ(test, tdh_devifmt_remove(tdi_devifmt_at(TEST_FUNC, l), &pa),
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

	tdi_setup(test, env, S_MT | S_CREATED | S_MMIO);
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
		KUNIT_EXPECT_EQ(test, tdh_mmiomt_remove(tdi_mmiomt_at(TEST_MMIO, l), &pfn),
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

	tdi_setup(test, env, S_MT | S_CREATED);
	EXPECT_REFUSED(test, env, tdh_dmar_add(pde_idx, tdi_dmar_entry(env, TABLE(PG_PT), 0)),
		       not_present);
	tdi_add_dma(test, env);
	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_nr_dma(env->ft, TEST_FUNC), 4);
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(env->fake), 10);
	EXPECT_REFUSED(test, env, tdh_dmar_block(pde_idx), map_state);

	KUNIT_EXPECT_EQ(test, tdh_dmar_block(pte_idx), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, tdi_dmar_state(test, pte_idx, TDX_DMAR_STATE_MAP),
			TDX_DMAR_MAP_BLOCKED);
	EXPECT_REFUSED(test, env, tdh_dmar_remove(pte_idx, &pa), inv_state);

	/* The IOMMU has not done it yet: PROCESS leaves it QUEUED. */
	env->ft->iq_stall = true;
	KUNIT_EXPECT_EQ(test, tdi_inv_request(env, pte_idx), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, tdh_iq_inv_process(TEST_IOMMU), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, tdi_dmar_state(test, pte_idx, TDX_DMAR_STATE_INV),
			TDX_DMAR_INV_QUEUED);
	EXPECT_REFUSED(test, env, tdh_dmar_remove(pte_idx, &pa), inv_state);
	env->ft->iq_stall = false;
	KUNIT_ASSERT_TRUE(test, tdi_iq_status_written(env));
	KUNIT_EXPECT_EQ(test, tdi_dmar_state(test, pte_idx, TDX_DMAR_STATE_INV),
			TDX_DMAR_INV_QUEUED);
	KUNIT_EXPECT_EQ(test, tdh_iq_inv_process(TEST_IOMMU), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, tdi_dmar_state(test, pte_idx, TDX_DMAR_STATE_INV), TDX_DMAR_INV_DONE);
	KUNIT_EXPECT_EQ(test, tdh_dmar_remove(pte_idx, &pa), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, pa, 0);

	KUNIT_EXPECT_EQ(test, tdi_remove_dmar(test, env, pde_idx), page_to_phys(env->pg[PG_PT]));
	KUNIT_EXPECT_EQ(test, tdi_remove_dmar(test, env, cte_idx), page_to_phys(env->pg[PG_PD]));
	KUNIT_EXPECT_EQ(test, tdi_remove_dmar(test, env, rte_idx), page_to_phys(env->pg[PG_CT]));
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

	tdi_setup(test, env, S_MT | S_CREATED | S_DMA);
	KUNIT_ASSERT_EQ(test, tdh_dmar_add(cte2, tdi_dmar_entry(env, TABLE(PG_SPARE), 0)),
			TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, tdh_dmar_block(pte_idx), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, tdh_dmar_block(cte2), TDX_SUCCESS);
	env->ft->iq_size = 1;
	env->ft->iq_stall = true;
	KUNIT_EXPECT_EQ(test, tdi_inv_request(env, pte_idx), TDX_SUCCESS);
	EXPECT_REFUSED(test, env, tdi_inv_request(env, cte2), full);
	/* Done by the IOMMU, but the room is PROCESS's to free */
	env->ft->iq_stall = false;
	KUNIT_ASSERT_TRUE(test, tdi_iq_status_written(env));
	EXPECT_REFUSED(test, env, tdi_inv_request(env, cte2), full);
	KUNIT_EXPECT_EQ(test, tdh_iq_inv_process(TEST_IOMMU), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, tdi_dmar_state(test, pte_idx, TDX_DMAR_STATE_INV), TDX_DMAR_INV_DONE);
	KUNIT_EXPECT_EQ(test, tdi_inv_request(env, cte2), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, tdi_dmar_state(test, cte2, TDX_DMAR_STATE_INV), TDX_DMAR_INV_QUEUED);
}

/* tdh_dmar_add.c, tdh_dmar_remove.c, tdh_iq_inv_process.c: resumed by the wrappers */
static void resumable_leaves_are_resumed_by_their_wrappers(struct kunit *test)
{
	struct tdi_env *env = tdi_env(test);
	struct tdx_module_args in = {}, out;
	u64 pa = 0;

	tdi_setup(test, env, S_MT | S_CREATED);
	KUNIT_ASSERT_EQ(test, tdh_dmar_add(rte_idx, tdi_dmar_entry(env, TABLE(PG_CT), 0)),
			TDX_SUCCESS);

	/* Raw: interrupted, then resumed with other operands, then right */
	env->ft->interrupt_nth = env->ft->nr_resumable + 1;
	in = (struct tdx_module_args) { .rcx = cte_idx, .rdx = TABLE(PG_PD) };
	KUNIT_EXPECT_EQ(test, tdi_raw_call(env, TDH_DMAR_ADD, 0, &in, &out),
			TDX_INTERRUPTED_RESUMABLE);
	KUNIT_EXPECT_EQ(test, tdi_dmar_state(test, cte_idx, TDX_DMAR_STATE_MAP), TDX_DMAR_MAP_FREE);
	KUNIT_EXPECT_TRUE(test, tdx_fake_owns(env->fake, page_to_phys(env->pg[PG_PD])));
	in.rdx = tdi_resolve(env, TABLE(PG_SPARE));
	EXPECT_REFUSED(test, env, tdi_raw_call(env, TDH_DMAR_ADD, 0, &in, &out), INVALID(RDX));
	in.rdx = tdi_resolve(env, TABLE(PG_PD));
	KUNIT_EXPECT_EQ(test, tdi_raw_call(env, TDH_DMAR_ADD, 0, &in, &out), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, tdi_dmar_state(test, cte_idx, TDX_DMAR_STATE_MAP),
			TDX_DMAR_MAP_PRESENT);

	/* Through the wrappers: one call each, whatever the module says */
	KUNIT_EXPECT_EQ(test, tdh_dmar_block(cte_idx), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, tdi_inv_request(env, cte_idx), TDX_SUCCESS);
	KUNIT_ASSERT_TRUE(test, tdi_iq_status_written(env));
	env->ft->interrupt_nth = env->ft->nr_resumable + 1;
	KUNIT_EXPECT_EQ(test, tdh_iq_inv_process(TEST_IOMMU), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, env->ft->nr_resumable, env->ft->interrupt_nth + 1);
	KUNIT_EXPECT_EQ(test, tdi_dmar_state(test, cte_idx, TDX_DMAR_STATE_INV), TDX_DMAR_INV_DONE);
	env->ft->interrupt_nth = env->ft->nr_resumable + 1;
	KUNIT_EXPECT_EQ(test, tdh_dmar_remove(cte_idx, &pa), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, pa, page_to_phys(env->pg[PG_PD]));
	KUNIT_EXPECT_EQ(test, env->ft->nr_resumable, env->ft->interrupt_nth + 1);
	env->ft->interrupt_nth = env->ft->nr_resumable + 1;
	KUNIT_EXPECT_EQ(test, tdh_dmar_add(cte_idx, tdi_dmar_entry(env, TABLE(PG_SPARE), 0)),
			TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, env->ft->nr_resumable, env->ft->interrupt_nth + 1);
	KUNIT_EXPECT_EQ(test, tdi_dmar_state(test, cte_idx, TDX_DMAR_STATE_MAP),
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

	tdi_setup(test, env, S_MT);
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

	tdi_setup(test, env, S_MT | S_CREATED | S_LOCKED);
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
	tdi_setup(test, env, S_DMA);
	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_accept_dma(env->ft, pte_idx),
			OPND(TDX_DEVIFMT_NOT_PRESENT, RCX));
	tdi_setup(test, env, S_MT | S_CREATED);
	/* Added but not accepted: no mapped DMA */
	KUNIT_EXPECT_EQ(test, tdh_devif_remove(TEST_FUNC, &td_pa, &vmm_pa, &vm), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_nr_dma(env->ft, TEST_FUNC), 4);

	KUNIT_EXPECT_EQ(test, tdh_devif_create(DEVIF_ID(TEST_FUNC), TEST_VM, env->pg[PG_SPARE],
					       env->pg[PG_REQ], env->pg[PG_RSP]), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_accept_dma(env->ft, pte_idx), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, tdi_dmar_state(test, pte_idx, TDX_DMAR_STATE_MAP),
			TDX_DMAR_MAP_PRESENT);
	EXPECT_REFUSED(test, env, tdh_devif_remove(TEST_FUNC, &td_pa, &vmm_pa, &vm), dma);
	/* Blocked and invalidated is still mapped, until removed */
	KUNIT_EXPECT_EQ(test, tdh_dmar_block(pte_idx), TDX_SUCCESS);
	tdi_invalidate(test, env, pte_idx);
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

	tdi_setup(test, env, S_MT | S_CREATED);
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

	tdi_setup(test, env, S_MT | S_CREATED);
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

	tdi_setup(test, env, S_MT);
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

static struct kunit_case tdx_tdi_model_test_cases[] = {
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

static struct kunit_suite tdx_tdi_model_test_suite = {
	.name = "tdx_tdi_model",
	.test_cases = tdx_tdi_model_test_cases,
};

kunit_test_suite(tdx_tdi_model_test_suite);
