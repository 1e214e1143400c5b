// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the TDX Connect SEAMCALL wrappers: the registers each
 * one passes in and reads out, and every resumable loop interrupted at
 * every point, against the fake TDX module.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

#include <linux/bitfield.h>
#include <linux/err.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include <kunit/static_stub.h>
#include <kunit/test.h>

#include <asm/shared/tdx_errno.h>
#include <asm/tdx.h>
#include "tests/tdx_fake_module.h"
#include <asm/tdx_handoff.h>
#include <asm/tdx_iommu_mt.h>
#include <asm/tdx_page_list.h>
#include <asm/tdx_release.h>

#include "tdx.h"

#define TEST_VTBAR	0xfed90000ULL

/* Registers seen by a recording stand-in for the module. */
struct tdx_connect_rec {
	unsigned int nr;
	u64 fn[8];
	struct tdx_module_args in[8];
	u64 status[8];
	struct tdx_module_args out[8];
};

static u64 tdx_connect_rec_enter(u64 fn, struct tdx_module_args *args)
{
	struct tdx_connect_rec *rec = kunit_get_current_test()->priv;
	unsigned int i = min(rec->nr++, 7U);

	rec->fn[i] = fn;
	rec->in[i] = *args;
	*args = rec->out[i];
	return rec->status[i];
}

static struct tdx_connect_rec *recording(struct kunit *test)
{
	struct tdx_connect_rec *rec = kunit_kzalloc(test, sizeof(*rec), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, rec);
	test->priv = rec;
	kunit_activate_static_stub(test, tdx_seamcall_enter, tdx_connect_rec_enter);
	return rec;
}

static void sys_config_is_version_0_without_features(struct kunit *test)
{
	struct tdx_connect_rec *rec = recording(test);

	KUNIT_EXPECT_EQ(test, tdh_sys_config(0x1000, 3, 7, 0), TDX_SUCCESS);
	KUNIT_ASSERT_EQ(test, rec->nr, 1);
	KUNIT_EXPECT_EQ(test, rec->fn[0], TDH_SYS_CONFIG);
	KUNIT_EXPECT_EQ(test, rec->in[0].rcx, 0x1000);
	KUNIT_EXPECT_EQ(test, rec->in[0].rdx, 3);
	KUNIT_EXPECT_EQ(test, rec->in[0].r8, 7);
	KUNIT_EXPECT_EQ(test, rec->in[0].r9, 0);
}

static void sys_config_is_version_1_with_features_in_r9(struct kunit *test)
{
	struct tdx_connect_rec *rec = recording(test);

	rec->status[0] = TDX_OPERAND_INVALID | TDX_OPERAND_ID_R9;
	KUNIT_EXPECT_EQ(test, tdh_sys_config(0x2000, 1, 5, TDX_FEATURES0_TDX_CONNECT),
			TDX_OPERAND_INVALID | TDX_OPERAND_ID_R9);
	KUNIT_ASSERT_EQ(test, rec->nr, 1);
	KUNIT_EXPECT_EQ(test, rec->fn[0], TDH_SYS_CONFIG | (1ULL << 16));
	KUNIT_EXPECT_EQ(test, rec->in[0].rcx, 0x2000);
	KUNIT_EXPECT_EQ(test, rec->in[0].rdx, 1);
	KUNIT_EXPECT_EQ(test, rec->in[0].r8, 5);
	KUNIT_EXPECT_EQ(test, rec->in[0].r9, TDX_FEATURES0_TDX_CONNECT);
}

KUNIT_DEFINE_ACTION_WRAPPER(page_list_free_action, tdx_page_list_free,
			    struct tdx_page_list *);
KUNIT_DEFINE_ACTION_WRAPPER(kvfree_action, kvfree, const void *);
KUNIT_DEFINE_ACTION_WRAPPER(handoff_fini_action, tdx_handoff_fini, struct tdx_handoff *);
KUNIT_DEFINE_ACTION_WRAPPER(iommu_mt_free_action, tdx_iommu_mt_free,
			    struct tdx_iommu_mt *);

/*
 * A list of @nr pages with its first chunk prepared.  With @fake_owns,
 * the pages go to the fake module, which frees them when the test ends:
 * only the bookkeeping is freed here, as for any list the module owns.
 */
static struct tdx_page_list *chunk(struct kunit *test, unsigned int nr,
				   bool fake_owns, struct tdx_handoff **hop)
{
	struct tdx_page_list *list = tdx_page_list_alloc_bulk(nr);
	struct tdx_handoff *ho;

	KUNIT_ASSERT_FALSE(test, IS_ERR(list));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, fake_owns ? kvfree_action :
							page_list_free_action, list), 0);
	ho = kunit_kzalloc(test, sizeof(*ho), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ho);
	KUNIT_ASSERT_EQ(test, tdx_handoff_init(ho, list), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, handoff_fini_action, ho), 0);
	KUNIT_ASSERT_EQ(test, tdx_handoff_next_chunk(ho), min(nr, 512U));
	*hop = ho;
	return list;
}

static void ext_mem_add_passes_the_chunk_as_hpa_list_info(struct kunit *test)
{
	struct tdx_connect_rec *rec = recording(test);
	struct tdx_handoff *ho;
	u64 info;

	chunk(test, 3, false, &ho);
	KUNIT_ASSERT_EQ(test, tdx_handoff_hpa_list_info(ho, &info), 0);
	KUNIT_EXPECT_EQ(test, tdh_ext_mem_add(ho), TDX_SUCCESS);
	KUNIT_ASSERT_EQ(test, rec->nr, 1);
	KUNIT_EXPECT_EQ(test, rec->fn[0], TDH_EXT_MEM_ADD);
	KUNIT_EXPECT_EQ(test, rec->in[0].rcx, info);
	/* FIRST_ENTRY 0, LAST_ENTRY 2, the root page, nothing else. */
	KUNIT_EXPECT_EQ(test, rec->in[0].rcx & GENMASK_ULL(11, 0), 0);
	KUNIT_EXPECT_EQ(test, rec->in[0].rcx >> 55, 2);
	KUNIT_EXPECT_EQ(test, rec->in[0].rcx & GENMASK_ULL(54, 12), __pa(ho->root));
	KUNIT_EXPECT_EQ(test, rec->in[0].rdx, 0);
}

/* The operand handed back is the next input, as is, until success. */
static void ext_mem_add_passes_the_returned_operand_back(struct kunit *test)
{
	struct tdx_connect_rec *rec = recording(test);
	struct tdx_handoff *ho;
	u64 info;

	chunk(test, 4, false, &ho);
	KUNIT_ASSERT_EQ(test, tdx_handoff_hpa_list_info(ho, &info), 0);
	rec->status[0] = TDX_INTERRUPTED_RESUMABLE;
	rec->out[0].rcx = info | FIELD_PREP(GENMASK_ULL(11, 3), 1);
	rec->status[1] = TDX_INTERRUPTED_RESUMABLE;
	rec->out[1].rcx = info | FIELD_PREP(GENMASK_ULL(11, 3), 1);
	rec->status[2] = TDX_INTERRUPTED_RESUMABLE;
	rec->out[2].rcx = info | FIELD_PREP(GENMASK_ULL(11, 3), 3);
	KUNIT_EXPECT_EQ(test, tdh_ext_mem_add(ho), TDX_SUCCESS);
	KUNIT_ASSERT_EQ(test, rec->nr, 4);
	KUNIT_EXPECT_EQ(test, rec->in[0].rcx, info);
	KUNIT_EXPECT_EQ(test, rec->in[1].rcx, rec->out[0].rcx);
	KUNIT_EXPECT_EQ(test, rec->in[2].rcx, rec->out[1].rcx);
	KUNIT_EXPECT_EQ(test, rec->in[3].rcx, rec->out[2].rcx);
}

/* An operand that moves backwards ends the loop as a failure. */
static void ext_mem_add_stops_on_a_bad_resume_operand(struct kunit *test)
{
	struct tdx_connect_rec *rec = recording(test);
	struct tdx_handoff *ho;
	u64 info;

	chunk(test, 4, false, &ho);
	KUNIT_ASSERT_EQ(test, tdx_handoff_hpa_list_info(ho, &info), 0);
	rec->status[0] = TDX_INTERRUPTED_RESUMABLE;
	rec->out[0].rcx = info | FIELD_PREP(GENMASK_ULL(11, 3), 2);
	rec->status[1] = TDX_INTERRUPTED_RESUMABLE;
	rec->out[1].rcx = info | FIELD_PREP(GENMASK_ULL(11, 3), 1);
	KUNIT_EXPECT_EQ(test, tdh_ext_mem_add(ho), TDX_SW_ERROR);
	KUNIT_EXPECT_EQ(test, rec->nr, 2);
}

static const unsigned int chunk_sizes[] = { 1, 7, 512 };

static void chunk_size_desc(const unsigned int *n, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%u pages", *n);
}

KUNIT_ARRAY_PARAM(chunk_size, chunk_sizes, chunk_size_desc);

static void configure(struct kunit *test, struct tdx_fake_module *fake, u32 pool)
{
	fake->pool_required_pages = pool;
	KUNIT_ASSERT_EQ(test, tdh_sys_config(0x1000, 1, 0, TDX_FEATURES0_TDX_CONNECT),
			TDX_SUCCESS);
}

/*
 * One interruption after each possible number of pages added, then one
 * interruption after every page: every page ends up added exactly once
 * (the fake refuses a page twice), with one call per interruption more.
 */
static void ext_mem_add_interrupted_at_every_point(struct kunit *test)
{
	unsigned int nr = *(const unsigned int *)test->param_value;
	struct tdx_fake_module *fake = tdx_fake_module_install(test);
	unsigned int point;

	for (point = 0; point <= nr; point++) {
		struct tdx_page_list *list;
		struct tdx_handoff *ho;
		unsigned int i;

		tdx_fake_module_reset(fake);
		configure(test, fake, nr);
		list = chunk(test, nr, true, &ho);

		fake->interrupt_leaf = TDH_EXT_MEM_ADD;
		fake->interrupts = point < nr ? 1 : UINT_MAX;
		fake->interrupt_progress = point < nr ? point : 1;

		KUNIT_EXPECT_EQ(test, tdh_ext_mem_add(ho), TDX_SUCCESS);
		KUNIT_EXPECT_EQ(test, fake->pool_pages, nr);
		KUNIT_EXPECT_EQ(test, tdx_fake_calls(fake, TDH_EXT_MEM_ADD),
				point < nr ? 2 : nr);
		for (i = 0; i < nr; i++)
			KUNIT_EXPECT_TRUE(test, tdx_fake_owns(fake, page_to_phys(list->pages[i])));

		kunit_release_action(test, handoff_fini_action, ho);
		kunit_release_action(test, kvfree_action, list);
	}
}

/*
 * Interruptions in a row without progress, far more than any bound a
 * resume loop could pick: the loops end when the module stops returning
 * TDX_INTERRUPTED_RESUMABLE, and only then.
 */
#define TEST_MANY_INTERRUPTS	10000

static void ext_mem_add_resumes_until_the_module_stops_interrupting(struct kunit *test)
{
	struct tdx_fake_module *fake = tdx_fake_module_install(test);
	struct tdx_page_list *list;
	struct tdx_handoff *ho;
	unsigned int i;

	configure(test, fake, 8);
	list = chunk(test, 8, true, &ho);
	fake->interrupt_leaf = TDH_EXT_MEM_ADD;
	fake->interrupts = TEST_MANY_INTERRUPTS;
	fake->interrupt_progress = 0;
	KUNIT_EXPECT_EQ(test, tdh_ext_mem_add(ho), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, tdx_fake_calls(fake, TDH_EXT_MEM_ADD), TEST_MANY_INTERRUPTS + 1);
	KUNIT_EXPECT_EQ(test, fake->pool_pages, 8);
	for (i = 0; i < list->nr_pages; i++)
		KUNIT_EXPECT_TRUE(test, tdx_fake_owns(fake, page_to_phys(list->pages[i])));
}

/*
 * A module that resumes at an operand tdx_hpa_list_info_resume() refuses
 * (a moving FIRST_ENTRY is in ext_mem_add_stops_on_a_bad_resume_operand()):
 * the loop stops at once with a failure, and the module keeps the pages
 * it added before the interruption.
 */
static void ext_mem_add_fails_on_a_bad_resume_from_the_module(struct kunit *test)
{
	static const u64 flips[] = {
		TDX_HPA_LIST_INFO_PFN & -TDX_HPA_LIST_INFO_PFN,		/* other root */
		TDX_HPA_LIST_INFO_LAST_ENTRY & -TDX_HPA_LIST_INFO_LAST_ENTRY, /* size */
		BIT_ULL(0),						/* reserved */
	};
	struct tdx_fake_module *fake = tdx_fake_module_install(test);
	unsigned int f;

	for (f = 0; f < ARRAY_SIZE(flips); f++) {
		struct tdx_page_list *list;
		struct tdx_handoff *ho;

		tdx_fake_module_reset(fake);
		configure(test, fake, 8);
		list = chunk(test, 8, true, &ho);
		fake->interrupt_leaf = TDH_EXT_MEM_ADD;
		fake->interrupts = 1;
		fake->interrupt_progress = 3;
		fake->mem_add_resume_flip = flips[f];

		KUNIT_EXPECT_EQ_MSG(test, tdh_ext_mem_add(ho), TDX_SW_ERROR, "flip %u", f);
		KUNIT_EXPECT_EQ_MSG(test, tdx_fake_calls(fake, TDH_EXT_MEM_ADD), 1, "flip %u", f);
		KUNIT_EXPECT_EQ_MSG(test, tdx_fake_nr_owned(fake), 3, "flip %u", f);
		KUNIT_EXPECT_TRUE(test, tdx_fake_owns(fake, page_to_phys(list->pages[2])));
		KUNIT_EXPECT_FALSE(test, tdx_fake_owns(fake, page_to_phys(list->pages[3])));

		kunit_release_action(test, handoff_fini_action, ho);
		kunit_release_action(test, kvfree_action, list);
	}
}

/* A fake with the whole pool added, for TDH.EXT.INIT. */
static void pool_added(struct kunit *test, struct tdx_fake_module *fake)
{
	struct tdx_handoff *ho;

	configure(test, fake, 4);
	chunk(test, 4, true, &ho);
	KUNIT_ASSERT_EQ(test, tdh_ext_mem_add(ho), TDX_SUCCESS);
}

/* The fake started over, Extensions running and one TDX capable VT-d unit. */
static void unit_ready(struct kunit *test, struct tdx_fake_module *fake)
{
	tdx_fake_module_reset(fake);
	pool_added(test, fake);
	KUNIT_ASSERT_EQ(test, tdh_ext_init(), TDX_SUCCESS);
	KUNIT_ASSERT_EQ(test, tdx_fake_add_iommu(fake, TEST_VTBAR, true), 0);
}

static void ext_init_takes_no_operand(struct kunit *test)
{
	struct tdx_connect_rec *rec = recording(test);

	rec->status[0] = TDX_INTERRUPTED_RESUMABLE;
	rec->out[0].rcx = 0x1234;
	KUNIT_EXPECT_EQ(test, tdh_ext_init(), TDX_SUCCESS);
	KUNIT_ASSERT_EQ(test, rec->nr, 2);
	KUNIT_EXPECT_EQ(test, rec->fn[0], TDH_EXT_INIT);
	KUNIT_EXPECT_EQ(test, rec->fn[1], TDH_EXT_INIT);
	/* The restart does not carry outputs of the interrupted call. */
	KUNIT_EXPECT_EQ(test, rec->in[1].rcx, 0);
}

/* Interrupted after each unit of work, and after every unit. */
static void ext_init_interrupted_at_every_point(struct kunit *test)
{
	struct tdx_fake_module *fake = tdx_fake_module_install(test);
	unsigned int work = 5, point;

	for (point = 0; point <= work; point++) {
		tdx_fake_module_reset(fake);
		pool_added(test, fake);
		fake->ext_init_work = work;
		fake->interrupt_leaf = TDH_EXT_INIT;
		fake->interrupts = point < work ? 1 : UINT_MAX;
		fake->interrupt_progress = point < work ? point : 1;

		KUNIT_EXPECT_EQ(test, tdh_ext_init(), TDX_SUCCESS);
		KUNIT_EXPECT_TRUE(test, fake->ext_initialized);
		KUNIT_EXPECT_EQ(test, tdx_fake_calls(fake, TDH_EXT_INIT),
				point < work ? 2 : work);
	}
}

static void ext_init_restarts_until_the_module_stops_interrupting(struct kunit *test)
{
	struct tdx_fake_module *fake = tdx_fake_module_install(test);

	pool_added(test, fake);
	fake->interrupt_leaf = TDH_EXT_INIT;
	fake->interrupts = TEST_MANY_INTERRUPTS;
	fake->interrupt_progress = 0;
	KUNIT_EXPECT_EQ(test, tdh_ext_init(), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, tdx_fake_calls(fake, TDH_EXT_INIT), TEST_MANY_INTERRUPTS + 1);
	KUNIT_EXPECT_TRUE(test, fake->ext_initialized);
}

static void ext_init_passes_failures_through(struct kunit *test)
{
	struct tdx_fake_module *fake = tdx_fake_module_install(test);

	configure(test, fake, 4);
	/* The pool is not complete. */
	KUNIT_EXPECT_EQ(test, tdh_ext_init(), TDX_SYS_NOT_READY);
	KUNIT_EXPECT_EQ(test, tdx_fake_calls(fake, TDH_EXT_INIT), 1);
}

static struct tdx_iommu_mt *iommu_mt(struct kunit *test, unsigned int nr_pages)
{
	struct tdx_iommu_mt *mt = tdx_iommu_mt_alloc(1, nr_pages);

	KUNIT_ASSERT_FALSE(test, IS_ERR(mt));
	return mt;
}

static void iommu_setup_and_clear_registers(struct kunit *test)
{
	struct tdx_connect_rec *rec = recording(test);
	struct tdx_iommu_mt *mt = iommu_mt(test, 4);
	u64 id = 0;

	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, iommu_mt_free_action, mt), 0);
	rec->out[0].rcx = 0x42;
	KUNIT_EXPECT_EQ(test, tdh_iommu_setup(TEST_VTBAR, mt, &id), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, id, 0x42);
	KUNIT_EXPECT_EQ(test, tdh_iommu_clear(id, mt), TDX_SUCCESS);
	KUNIT_ASSERT_EQ(test, rec->nr, 2);
	KUNIT_EXPECT_EQ(test, rec->fn[0], TDH_IOMMU_SETUP);
	KUNIT_EXPECT_EQ(test, rec->in[0].rcx, TEST_VTBAR);
	KUNIT_EXPECT_EQ(test, rec->in[0].rdx, __pa(mt->root));
	KUNIT_EXPECT_EQ(test, rec->fn[1], TDH_IOMMU_CLEAR);
	KUNIT_EXPECT_EQ(test, rec->in[1].rcx, 0x42);
	KUNIT_EXPECT_EQ(test, rec->in[1].rdx, __pa(mt->root));
}

/* The ID is only written on success. */
static void iommu_setup_not_tdx_capable(struct kunit *test)
{
	struct tdx_fake_module *fake = tdx_fake_module_install(test);
	struct tdx_iommu_mt *mt;
	u64 id = 0x77;

	pool_added(test, fake);
	KUNIT_ASSERT_EQ(test, tdh_ext_init(), TDX_SUCCESS);
	KUNIT_ASSERT_EQ(test, tdx_fake_add_iommu(fake, TEST_VTBAR, false), 0);
	mt = iommu_mt(test, fake->iommu_mt_page_count);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, iommu_mt_free_action, mt), 0);
	KUNIT_EXPECT_EQ(test, tdh_iommu_setup(TEST_VTBAR, mt, &id),
			TDX_OPERAND_INVALID | TDX_OPERAND_ID_RCX);
	KUNIT_EXPECT_EQ(test, id, 0x77);
	KUNIT_EXPECT_FALSE(test, tdx_fake_owns(fake, page_to_phys(mt->iq)));
}

/*
 * SETUP and then CLEAR interrupted after each unit of work, and after
 * every unit: the module owns the IOMMU_MT between the two and gives all
 * of it back, so tdx_iommu_mt_release() frees it.
 */
static void iommu_setup_clear_interrupted_at_every_point(struct kunit *test)
{
	struct tdx_fake_module *fake = tdx_fake_module_install(test);
	unsigned int work = 4, point;
	u16 leaf;

	for (leaf = TDH_IOMMU_SETUP; leaf <= TDH_IOMMU_CLEAR; leaf++) {
		for (point = 0; point <= work; point++) {
			struct tdx_iommu_mt *mt;
			u64 id = 0, status;

			unit_ready(test, fake);
			fake->iommu_work = work;
			fake->interrupt_leaf = leaf;
			fake->interrupts = point < work ? 1 : UINT_MAX;
			fake->interrupt_progress = point < work ? point : 1;
			mt = iommu_mt(test, fake->iommu_mt_page_count);

			status = tdh_iommu_setup(TEST_VTBAR, mt, &id);
			KUNIT_EXPECT_EQ(test, status, TDX_SUCCESS);
			if (status != TDX_SUCCESS) {
				/* The fake may own it: it frees it. */
				kfree(mt);
				continue;
			}
			KUNIT_EXPECT_TRUE(test, tdx_fake_owns(fake, page_to_phys(mt->iq)));
			KUNIT_EXPECT_TRUE(test, tdx_fake_owns(fake, page_to_phys(mt->ctxiq)));

			status = tdh_iommu_clear(id, mt);
			KUNIT_EXPECT_EQ(test, status, TDX_SUCCESS);
			KUNIT_EXPECT_EQ(test, tdx_iommu_mt_release(mt, "TDH.IOMMU.CLEAR", status),
					status == TDX_SUCCESS ? 0 : -EIO);
			KUNIT_EXPECT_EQ(test, tdx_fake_calls(fake, leaf),
					point < work ? 2 : work);
			/* Only the Extensions pool stays with the module. */
			KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(fake), 4);
		}
	}
}

static void iommu_setup_clear_restart_until_the_module_stops_interrupting(struct kunit *test)
{
	struct tdx_fake_module *fake = tdx_fake_module_install(test);
	u16 leaf;

	for (leaf = TDH_IOMMU_SETUP; leaf <= TDH_IOMMU_CLEAR; leaf++) {
		struct tdx_iommu_mt *mt;
		u64 id = 0, status;

		unit_ready(test, fake);
		fake->interrupt_leaf = leaf;
		fake->interrupts = TEST_MANY_INTERRUPTS;
		fake->interrupt_progress = 0;
		mt = iommu_mt(test, fake->iommu_mt_page_count);

		status = tdh_iommu_setup(TEST_VTBAR, mt, &id);
		KUNIT_EXPECT_EQ(test, status, TDX_SUCCESS);
		if (status != TDX_SUCCESS) {
			/* The fake may own it: it frees it. */
			kfree(mt);
			continue;
		}
		status = tdh_iommu_clear(id, mt);
		KUNIT_EXPECT_EQ(test, status, TDX_SUCCESS);
		KUNIT_EXPECT_EQ(test, tdx_iommu_mt_release(mt, "TDH.IOMMU.CLEAR", status),
				status == TDX_SUCCESS ? 0 : -EIO);
		KUNIT_EXPECT_EQ(test, tdx_fake_calls(fake, leaf), TEST_MANY_INTERRUPTS + 1);
	}
}

static struct kunit_case tdx_connect_test_cases[] = {
	KUNIT_CASE(sys_config_is_version_0_without_features),
	KUNIT_CASE(sys_config_is_version_1_with_features_in_r9),
	KUNIT_CASE(ext_mem_add_passes_the_chunk_as_hpa_list_info),
	KUNIT_CASE(ext_mem_add_passes_the_returned_operand_back),
	KUNIT_CASE(ext_mem_add_stops_on_a_bad_resume_operand),
	KUNIT_CASE_PARAM_ATTR(ext_mem_add_interrupted_at_every_point, chunk_size_gen_params,
			      { .speed = KUNIT_SPEED_SLOW }),
	KUNIT_CASE(ext_mem_add_resumes_until_the_module_stops_interrupting),
	KUNIT_CASE(ext_mem_add_fails_on_a_bad_resume_from_the_module),
	KUNIT_CASE(ext_init_takes_no_operand),
	KUNIT_CASE(ext_init_interrupted_at_every_point),
	KUNIT_CASE(ext_init_restarts_until_the_module_stops_interrupting),
	KUNIT_CASE(ext_init_passes_failures_through),
	KUNIT_CASE(iommu_setup_and_clear_registers),
	KUNIT_CASE(iommu_setup_not_tdx_capable),
	KUNIT_CASE(iommu_setup_clear_interrupted_at_every_point),
	KUNIT_CASE(iommu_setup_clear_restart_until_the_module_stops_interrupting),
	{}
};

static struct kunit_suite tdx_connect_test_suite = {
	.name = "tdx_connect",
	.test_cases = tdx_connect_test_cases,
};

kunit_test_suite(tdx_connect_test_suite);
