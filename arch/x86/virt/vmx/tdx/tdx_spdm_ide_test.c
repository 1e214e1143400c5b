// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the SPDM session and IDE stream SEAMCALL wrappers: the
 * registers each one passes in and reads out, the Extensions lock that
 * every SEAMCALL needs held, and the pages that a DELETE gives back.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

#include <linux/atomic.h>
#include <linux/bitfield.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/io.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include <kunit/static_stub.h>
#include <kunit/test.h>

#include <asm/shared/tdx_errno.h>
#include <asm/tdx.h>
#include "tests/tdx_fake_module.h"
#include <asm/tdx_handoff.h>
#include <asm/tdx_page_list.h>
#include <asm/tdx_release.h>
#include <asm/tdx_spdm_ide.h>

#include "tdx.h"
#include "tdx_spdm_ide_kunit.h"

#define TEST_FUNC_ID	0x0100ULL
#define TEST_SPDM_ID	0x5a5a0001ULL
#define TEST_STREAM_ID	0x00000003ULL

/* Registers seen by a recording stand-in for the module. */
struct spdm_ide_rec {
	unsigned int nr;
	u64 fn;
	struct tdx_module_args in;
	bool locked;
	u64 status;
	struct tdx_module_args out;
	/* for a DELETE: the pages to report released in the root page */
	const struct tdx_handoff *ho;
	/* real WARNs of the release, suppressed and counted */
	int nr_warns;
};

static u64 rec_enter(u64 fn, struct tdx_module_args *args)
{
	struct spdm_ide_rec *rec = kunit_get_current_test()->priv;
	unsigned int i;

	rec->nr++;
	rec->fn = fn;
	rec->in = *args;
	rec->locked = tdx_spdm_ide_locked();
	if (rec->ho) {
		for (i = 0; i < rec->ho->list->nr_pages; i++)
			rec->ho->root[i] = page_to_phys(rec->ho->list->pages[i]);
	}
	*args = rec->out;
	return rec->status;
}

static struct spdm_ide_rec *recording(struct kunit *test)
{
	struct spdm_ide_rec *rec = kunit_kzalloc(test, sizeof(*rec), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, rec);
	test->priv = rec;
	kunit_activate_static_stub(test, tdx_seamcall_enter, rec_enter);
	return rec;
}

/*
 * A wrapper called as its callers must: with the Extensions lock held.
 * Not a guard: the KUnit macros expand @call in typeof() too.
 */
#define locked(call) ({						\
	u64 __status;						\
								\
	tdx_spdm_ide_lock();					\
	__status = (call);					\
	tdx_spdm_ide_unlock();					\
	__status;						\
})

/* One call, to version 0 of @leaf, made with the lock held. */
static void expect_one_call(struct kunit *test, struct spdm_ide_rec *rec, u64 leaf)
{
	KUNIT_EXPECT_EQ(test, rec->nr, 1);
	KUNIT_EXPECT_EQ(test, rec->fn, leaf);
	KUNIT_EXPECT_TRUE(test, rec->locked);
	KUNIT_EXPECT_FALSE(test, tdx_spdm_ide_locked());
}

KUNIT_DEFINE_ACTION_WRAPPER(page_list_free_action, tdx_page_list_free,
			    struct tdx_page_list *);
KUNIT_DEFINE_ACTION_WRAPPER(handoff_fini_action, tdx_handoff_fini, struct tdx_handoff *);
KUNIT_DEFINE_ACTION_WRAPPER(free_page_action, __free_page, struct page *);

/* A hand-off of @nr pages with its only chunk prepared. */
static struct tdx_handoff *handoff_list(struct kunit *test, unsigned int nr,
					struct tdx_page_list **listp)
{
	struct tdx_page_list *list = tdx_page_list_alloc_bulk(nr);
	struct tdx_handoff *ho;

	KUNIT_ASSERT_FALSE(test, IS_ERR(list));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, page_list_free_action, list), 0);
	ho = kunit_kzalloc(test, sizeof(*ho), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ho);
	KUNIT_ASSERT_EQ(test, tdx_handoff_init(ho, list), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, handoff_fini_action, ho), 0);
	KUNIT_ASSERT_EQ(test, tdx_handoff_next_chunk(ho), nr);
	if (listp)
		*listp = list;
	return ho;
}

static struct tdx_handoff *handoff(struct kunit *test, unsigned int nr)
{
	return handoff_list(test, nr, NULL);
}

static u64 hpa_array(struct kunit *test, const struct tdx_handoff *ho)
{
	u64 arr;

	KUNIT_ASSERT_EQ(test, tdx_handoff_hpa_array(ho, &arr), 0);
	return arr;
}

static struct page *test_page(struct kunit *test)
{
	struct page *page = alloc_page(GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, free_page_action, page), 0);
	return page;
}

static void spdm_create_passes_func_id_and_spdm_mt(struct kunit *test)
{
	struct spdm_ide_rec *rec = recording(test);
	struct tdx_handoff *ho = handoff(test, 3);
	u64 spdm_id = 0;

	rec->out.rcx = TEST_SPDM_ID;
	KUNIT_EXPECT_EQ(test, locked(tdh_spdm_create(TEST_FUNC_ID, ho, &spdm_id)), TDX_SUCCESS);
	expect_one_call(test, rec, TDH_SPDM_CREATE);
	KUNIT_EXPECT_EQ(test, rec->in.rcx, TEST_FUNC_ID);
	KUNIT_EXPECT_EQ(test, rec->in.rdx, hpa_array(test, ho));
	KUNIT_EXPECT_EQ(test, rec->in.rdx & TDX_HPA_ARRAY_PFN, virt_to_phys(ho->root));
	KUNIT_EXPECT_EQ(test, rec->in.r8, 0);
	KUNIT_EXPECT_EQ(test, spdm_id, TEST_SPDM_ID);
}

static void spdm_create_passes_one_page_as_singleton(struct kunit *test)
{
	struct spdm_ide_rec *rec = recording(test);
	struct tdx_handoff *ho = handoff(test, 1);
	u64 spdm_id = 0;

	rec->status = TDX_OPERAND_BUSY | TDX_OPERAND_ID_RDX;
	KUNIT_EXPECT_EQ(test, locked(tdh_spdm_create(TEST_FUNC_ID, ho, &spdm_id)),
			TDX_OPERAND_BUSY | TDX_OPERAND_ID_RDX);
	expect_one_call(test, rec, TDH_SPDM_CREATE);
	KUNIT_EXPECT_EQ(test, rec->in.rdx, page_to_phys(ho->list->pages[0]));
}

static void spdm_connect_passes_pages_and_returns_length(struct kunit *test)
{
	struct spdm_ide_rec *rec = recording(test);
	struct page *config = test_page(test);
	struct page *resp = test_page(test);
	struct page *req = test_page(test);
	struct tdx_handoff *ho = handoff(test, 2);
	u64 len = 0;

	rec->status = TDX_SPDM_REQUEST;
	rec->out.rcx = 0x44;
	KUNIT_EXPECT_EQ(test,
			locked(tdh_spdm_connect(TEST_SPDM_ID, config, resp, req, ho, &len)),
			TDX_SPDM_REQUEST);
	expect_one_call(test, rec, TDH_SPDM_CONNECT);
	KUNIT_EXPECT_EQ(test, rec->in.rcx, TEST_SPDM_ID);
	KUNIT_EXPECT_EQ(test, rec->in.rdx, page_to_phys(config));
	KUNIT_EXPECT_EQ(test, rec->in.r8, page_to_phys(resp));
	KUNIT_EXPECT_EQ(test, rec->in.r9, page_to_phys(req));
	KUNIT_EXPECT_EQ(test, rec->in.r10, hpa_array(test, ho));
	KUNIT_EXPECT_EQ(test, rec->in.r11, 0);
	KUNIT_EXPECT_EQ(test, len, 0x44);
}

static void spdm_disconnect_passes_pages_and_returns_length(struct kunit *test)
{
	struct spdm_ide_rec *rec = recording(test);
	struct page *resp = test_page(test);
	struct page *req = test_page(test);
	u64 len = 0;

	rec->out.rcx = 0x18;
	KUNIT_EXPECT_EQ(test, locked(tdh_spdm_disconnect(TEST_SPDM_ID, resp, req, &len)),
			TDX_SUCCESS);
	expect_one_call(test, rec, TDH_SPDM_DISCONNECT);
	KUNIT_EXPECT_EQ(test, rec->in.rcx, TEST_SPDM_ID);
	KUNIT_EXPECT_EQ(test, rec->in.rdx, page_to_phys(resp));
	KUNIT_EXPECT_EQ(test, rec->in.r8, page_to_phys(req));
	KUNIT_EXPECT_EQ(test, rec->in.r9, 0);
	KUNIT_EXPECT_EQ(test, len, 0x18);
}

static void spdm_mng_passes_op_and_pages(struct kunit *test)
{
	struct spdm_ide_rec *rec = recording(test);
	struct page *resp = test_page(test);
	struct page *req = test_page(test);
	u64 len = 0;

	rec->status = TDX_SPDM_SESSION_KEY_REQUIRE_REFRESH;
	rec->out.rcx = 0x20;
	KUNIT_EXPECT_EQ(test, locked(tdh_spdm_mng(TEST_SPDM_ID, TDX_SPDM_MNG_KEY_UPDATE, resp,
						  req, &len)),
			TDX_SPDM_SESSION_KEY_REQUIRE_REFRESH);
	expect_one_call(test, rec, TDH_SPDM_MNG);
	KUNIT_EXPECT_EQ(test, rec->in.rcx, TEST_SPDM_ID);
	KUNIT_EXPECT_EQ(test, rec->in.rdx, TDX_SPDM_MNG_KEY_UPDATE);
	KUNIT_EXPECT_EQ(test, rec->in.r8, page_to_phys(resp));
	KUNIT_EXPECT_EQ(test, rec->in.r9, page_to_phys(req));
	KUNIT_EXPECT_EQ(test, len, 0x20);
}

static void ide_stream_create_passes_every_register(struct kunit *test)
{
	struct spdm_ide_rec *rec = recording(test);
	struct tdx_handoff *ho = handoff(test, 4);
	struct tdx_ide_stream_cfg cfg = {
		.ctrl = 0x1001,
		.rid_assoc = { 0x2002, 0x3003 },
		.addr_assoc = { 0x4004, 0x5005, 0x6006 },
	};
	u64 info = FIELD_PREP(TDX_IDE_STREAM_INFO_RP_DEVFN, 0x08) |
		   TDX_IDE_STREAM_INFO_SELECTIVE;
	u64 stream_id = 0, rp_ide_id = 0;

	rec->out.rcx = TEST_STREAM_ID;
	rec->out.rdx = 7;
	KUNIT_EXPECT_EQ(test, locked(tdh_ide_stream_create(info, TEST_SPDM_ID, ho, &cfg,
							   &stream_id, &rp_ide_id)),
			TDX_SUCCESS);
	expect_one_call(test, rec, TDH_IDE_STREAM_CREATE);
	KUNIT_EXPECT_EQ(test, rec->in.rcx, 0x108);
	KUNIT_EXPECT_EQ(test, rec->in.rdx, TEST_SPDM_ID);
	KUNIT_EXPECT_EQ(test, rec->in.r8, hpa_array(test, ho));
	KUNIT_EXPECT_EQ(test, rec->in.r9, 0x1001);
	KUNIT_EXPECT_EQ(test, rec->in.r10, 0x2002);
	KUNIT_EXPECT_EQ(test, rec->in.r11, 0x3003);
	KUNIT_EXPECT_EQ(test, rec->in.r12, 0x4004);
	KUNIT_EXPECT_EQ(test, rec->in.r13, 0x5005);
	KUNIT_EXPECT_EQ(test, rec->in.r14, 0x6006);
	KUNIT_EXPECT_EQ(test, rec->in.r15, 0);
	KUNIT_EXPECT_EQ(test, stream_id, TEST_STREAM_ID);
	KUNIT_EXPECT_EQ(test, rp_ide_id, 7);
}

static void ide_stream_block_passes_ids(struct kunit *test)
{
	struct spdm_ide_rec *rec = recording(test);

	KUNIT_EXPECT_EQ(test, locked(tdh_ide_stream_block(TEST_SPDM_ID, TEST_STREAM_ID)),
			TDX_SUCCESS);
	expect_one_call(test, rec, TDH_IDE_STREAM_BLOCK);
	KUNIT_EXPECT_EQ(test, rec->in.rcx, TEST_SPDM_ID);
	KUNIT_EXPECT_EQ(test, rec->in.rdx, TEST_STREAM_ID);
	KUNIT_EXPECT_EQ(test, rec->in.r8, 0);
}

static void ide_stream_km_passes_op_and_pages(struct kunit *test)
{
	struct spdm_ide_rec *rec = recording(test);
	struct page *resp = test_page(test);
	struct page *req = test_page(test);
	u64 len = 0;

	rec->status = TDX_SPDM_REQUEST;
	rec->out.rcx = 0x30;
	KUNIT_EXPECT_EQ(test, locked(tdh_ide_stream_km(TEST_SPDM_ID, TEST_STREAM_ID,
						       TDX_IDE_KM_REFRESH, resp, req, &len)),
			TDX_SPDM_REQUEST);
	expect_one_call(test, rec, TDH_IDE_STREAM_KM);
	KUNIT_EXPECT_EQ(test, rec->in.rcx, TEST_SPDM_ID);
	KUNIT_EXPECT_EQ(test, rec->in.rdx, TEST_STREAM_ID);
	KUNIT_EXPECT_EQ(test, rec->in.r8, TDX_IDE_KM_REFRESH);
	KUNIT_EXPECT_EQ(test, rec->in.r9, page_to_phys(resp));
	KUNIT_EXPECT_EQ(test, rec->in.r10, page_to_phys(req));
	KUNIT_EXPECT_EQ(test, len, 0x30);
}

/*
 * The DELETE leaves on the fake TDX module, which owns the pages of the
 * hand-off.  On success the module gives back @nr_given pages, writes
 * @nr_written entries to the root page, which must have been cleared
 * and flushed first (the fake fails the test otherwise), and reports
 * @nr_reported entries, with the bits of @corrupt flipped.
 */
struct delete_module {
	const struct tdx_handoff *ho;
	unsigned int nr_given;
	unsigned int nr_written;
	unsigned int nr_reported;
	u64 corrupt;
	u64 status;
	u64 out;
	unsigned int nr;
	u16 leaf;
	struct tdx_module_args in;
	bool locked;
	int nr_warns;
	unsigned long lines_in;
	unsigned long lines_out;
};

static u64 delete_leaf(struct tdx_fake_module *fake, u16 leaf, u8 version,
		       struct tdx_module_args *args)
{
	struct delete_module *d = fake->priv;
	const struct tdx_page_list *list = d->ho->list;
	u64 *root;
	unsigned int i;

	d->nr++;
	d->leaf = leaf;
	d->in = *args;
	d->locked = tdx_spdm_ide_locked();
	if (version || (leaf != TDH_SPDM_DELETE && leaf != TDH_IDE_STREAM_DELETE))
		return TDX_OPERAND_INVALID | TDX_OPERAND_ID_RAX;
	if (d->status) {
		args->rcx = 0;
		return d->status;
	}

	root = __va(leaf == TDH_SPDM_DELETE ? args->rdx : args->r8);
	tdx_fake_check_cleared(fake, __pa(root));
	for (i = 0; list->nr_pages > 1 && i < d->nr_written; i++)
		root[i] = page_to_phys(list->pages[i]);
	for (i = 0; i < d->nr_given; i++)
		tdx_fake_give_back(fake, page_to_phys(list->pages[i]));
	/* The HPA_ARRAY_T of the entries reported, in the root page or singleton. */
	if (list->nr_pages == 1)
		d->out = FIELD_PREP(TDX_HPA_ARRAY_PFN, page_to_pfn(list->pages[0]));
	else
		d->out = FIELD_PREP(TDX_HPA_ARRAY_PFN, PHYS_PFN(__pa(root))) |
			 FIELD_PREP(TDX_HPA_ARRAY_SIZE, d->nr_reported - 1);
	d->out ^= d->corrupt;
	args->rcx = d->out;
	return TDX_SUCCESS;
}

/*
 * A DELETE of @nr pages that the module took, then the release of the
 * list with tdx_page_list_release_hpa_array().  Pages that are leaked stay
 * with the fake, which frees them when the test ends.
 */
static int delete_and_release(struct kunit *test, bool spdm, unsigned int nr,
			      struct delete_module *d)
{
	struct tdx_fake_module *fake = tdx_fake_module_install(test);
	struct tdx_page_list *list;
	struct tdx_handoff *ho = handoff_list(test, nr, &list);
	const char *op = spdm ? "TDH.SPDM.DELETE" : "TDH.IDE.STREAM.DELETE";
	u64 released = 0;
	unsigned int i;
	int ret;

	d->lines_in = fake->nr_flushed_lines;
	/* As TDH.SPDM.CREATE or TDH.IDE.STREAM.CREATE would have. */
	for (i = 0; i < nr; i++)
		KUNIT_ASSERT_EQ(test, tdx_fake_take(fake, page_to_phys(list->pages[i]), 0),
				TDX_SUCCESS);
	kunit_remove_action(test, page_list_free_action, list);

	d->ho = ho;
	d->lines_out = fake->nr_flushed_lines;
	fake->priv = d;
	fake->other_leaf = delete_leaf;

	if (spdm) {
		KUNIT_EXPECT_EQ(test, locked(tdh_spdm_delete(TEST_SPDM_ID, ho, &released)),
				d->status ?: TDX_SUCCESS);
		KUNIT_EXPECT_EQ(test, d->leaf, TDH_SPDM_DELETE);
		KUNIT_EXPECT_EQ(test, d->in.rcx, TEST_SPDM_ID);
		KUNIT_EXPECT_EQ(test, d->in.rdx, virt_to_phys(ho->root));
		KUNIT_EXPECT_EQ(test, d->in.r8, 0);
	} else {
		KUNIT_EXPECT_EQ(test, locked(tdh_ide_stream_delete(TEST_SPDM_ID, TEST_STREAM_ID,
								   ho, &released)),
				d->status ?: TDX_SUCCESS);
		KUNIT_EXPECT_EQ(test, d->leaf, TDH_IDE_STREAM_DELETE);
		KUNIT_EXPECT_EQ(test, d->in.rcx, TEST_SPDM_ID);
		KUNIT_EXPECT_EQ(test, d->in.rdx, TEST_STREAM_ID);
		KUNIT_EXPECT_EQ(test, d->in.r8, virt_to_phys(ho->root));
	}
	KUNIT_EXPECT_EQ(test, d->nr, 1);
	KUNIT_EXPECT_TRUE(test, d->locked);
	KUNIT_EXPECT_FALSE(test, tdx_spdm_ide_locked());
	KUNIT_EXPECT_EQ(test, released, d->out);

	kunit_warning_suppress(test) {
		ret = tdx_page_list_release_hpa_array(list, ho, op, d->status ?: TDX_SUCCESS,
						      released);
		d->nr_warns = KUNIT_SUPPRESSED_WARNING_COUNT();
	}
	d->lines_out = fake->nr_flushed_lines - d->lines_out;
	/* Freed: each page written back first; leaked: the fake still has all. */
	if (!ret) {
		KUNIT_EXPECT_EQ(test, tdx_fake_calls(fake, TDH_PHYMEM_PAGE_WBINVD), nr);
		KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(fake), 0);
	} else {
		KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(fake), nr);
	}
	return ret;
}

/* The module gives back, writes and reports all @nr pages. */
static struct delete_module *honest_delete(struct kunit *test, unsigned int nr)
{
	struct delete_module *d = kunit_kzalloc(test, sizeof(*d), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, d);
	d->nr_given = nr;
	d->nr_written = nr;
	d->nr_reported = nr;
	return d;
}

static void spdm_delete_release_frees_what_the_module_released(struct kunit *test)
{
	struct delete_module *d = honest_delete(test, 5);

	KUNIT_EXPECT_EQ(test, delete_and_release(test, true, 5, d), 0);
	KUNIT_EXPECT_EQ(test, d->nr_warns, 0);
	/* In: every page and the root entries; out: the cleared root page. */
	KUNIT_EXPECT_EQ(test, d->lines_in, 5 * (PAGE_SIZE / 64) + 1);
	KUNIT_EXPECT_EQ(test, d->lines_out, PAGE_SIZE / 64);
	kunit_info(test, "SPDM metadata of 5 pages: %lu cache lines flushed to hand it over; 1 DELETE, 5 TDH.PHYMEM.PAGE.WBINVD and %lu cache lines flushed to take it back\n",
		   d->lines_in, d->lines_out);
}

static void spdm_delete_release_frees_a_singleton(struct kunit *test)
{
	struct delete_module *d = honest_delete(test, 1);

	KUNIT_EXPECT_EQ(test, delete_and_release(test, true, 1, d), 0);
	KUNIT_EXPECT_EQ(test, d->nr_warns, 0);
}

static void spdm_delete_release_leaks_after_failure(struct kunit *test)
{
	struct delete_module *d = honest_delete(test, 5);

	d->status = TDX_OPERAND_BUSY;
	KUNIT_EXPECT_EQ(test, delete_and_release(test, true, 5, d), -EIO);
	KUNIT_EXPECT_EQ(test, d->nr_warns, 1);
}

static void ide_stream_delete_release_frees_what_the_module_released(struct kunit *test)
{
	struct delete_module *d = honest_delete(test, 3);

	KUNIT_EXPECT_EQ(test, delete_and_release(test, false, 3, d), 0);
	KUNIT_EXPECT_EQ(test, d->nr_warns, 0);
}

static void ide_stream_delete_release_leaks_other_pages(struct kunit *test)
{
	struct delete_module *d = honest_delete(test, 3);

	d->corrupt = BIT_ULL(12);
	KUNIT_EXPECT_EQ(test, delete_and_release(test, false, 3, d), -EIO);
	KUNIT_EXPECT_EQ(test, d->nr_warns, 1);
}

/*
 * A module that reports the whole list but wrote and gave back one page
 * less: the entry it did not write reads as 0, because the wrapper
 * cleared the root page, so nothing is freed.  Without the clearing the
 * kernel's own entry would be read back, and the page the module kept
 * freed (which the fake would fail the test for).
 */
static void delete_release_leaks_a_list_the_module_wrote_short(struct kunit *test)
{
	struct delete_module *d = honest_delete(test, 4);

	d->nr_written = 3;
	d->nr_given = 3;
	KUNIT_EXPECT_EQ(test, delete_and_release(test, true, 4, d), -EIO);
	KUNIT_EXPECT_EQ(test, d->nr_warns, 1);
}

/* A count short by one leaks the whole list. */
static void delete_release_leaks_a_short_count(struct kunit *test)
{
	struct delete_module *d = honest_delete(test, 4);

	d->nr_reported = 3;
	KUNIT_EXPECT_EQ(test, delete_and_release(test, false, 4, d), -EIO);
	KUNIT_EXPECT_EQ(test, d->nr_warns, 1);
}

static void delete_release_leaks_a_long_count(struct kunit *test)
{
	struct delete_module *d = honest_delete(test, 4);

	d->nr_reported = 5;
	KUNIT_EXPECT_EQ(test, delete_and_release(test, false, 4, d), -EIO);
	KUNIT_EXPECT_EQ(test, d->nr_warns, 1);
}

/*
 * A wrapper called without the lock refuses without a SEAMCALL: it could
 * land in the middle of another caller's operation.  Each call warns
 * (a suppressed warning does not use up WARN_ON_ONCE()).
 */
static void wrapper_without_lock_refuses_with_one_warning(struct kunit *test)
{
	struct spdm_ide_rec *rec = recording(test);
	struct page *resp = test_page(test);
	struct page *req = test_page(test);
	u64 first, second, len = 0;

	kunit_warning_suppress(test) {
		first = tdh_spdm_mng(TEST_SPDM_ID, TDX_SPDM_MNG_HEARTBEAT, resp, req, &len);
		KUNIT_EXPECT_SUPPRESSED_WARNING_COUNT(test, 1);
	}
	kunit_warning_suppress(test) {
		second = tdh_ide_stream_block(TEST_SPDM_ID, TEST_STREAM_ID);
		KUNIT_EXPECT_SUPPRESSED_WARNING_COUNT(test, 1);
	}
	KUNIT_EXPECT_EQ(test, first, TDX_SW_ERROR);
	KUNIT_EXPECT_EQ(test, second, TDX_SW_ERROR);
	KUNIT_EXPECT_EQ(test, rec->nr, 0);
}

/* Two callers at once, each with the lock: the module never sees them overlap. */
struct serial_state {
	struct kunit *test;
	atomic_t inside;
	atomic_t overlaps;
	atomic_t calls;
	atomic_t unlocked;
	struct page *page;
	struct completion done;
};

#define SERIAL_CALLS	50

static u64 serial_enter(u64 fn, struct tdx_module_args *args)
{
	struct serial_state *st = kunit_get_current_test()->priv;

	if (!tdx_spdm_ide_locked())
		atomic_inc(&st->unlocked);
	if (atomic_inc_return(&st->inside) > 1)
		atomic_inc(&st->overlaps);
	/* Stay in the "module" long enough for the other caller to arrive. */
	usleep_range(50, 100);
	atomic_dec(&st->inside);
	atomic_inc(&st->calls);
	return TDX_SUCCESS;
}

static void serial_calls(struct page *page)
{
	unsigned int i;
	u64 len;

	for (i = 0; i < SERIAL_CALLS; i++) {
		if (i & 1)
			locked(tdh_ide_stream_km(TEST_SPDM_ID, TEST_STREAM_ID,
						 TDX_IDE_KM_SETUP, page, page, &len));
		else
			locked(tdh_spdm_mng(TEST_SPDM_ID, TDX_SPDM_MNG_HEARTBEAT, page,
					    page, &len));
	}
}

static int serial_thread(void *data)
{
	struct serial_state *st = data;

	/* The static stub follows the KUnit test of the current task. */
	current->kunit_test = st->test;
	serial_calls(st->page);
	current->kunit_test = NULL;
	complete(&st->done);
	return 0;
}

static void concurrent_callers_are_serialized(struct kunit *test)
{
	struct serial_state *st = kunit_kzalloc(test, sizeof(*st), GFP_KERNEL);
	struct task_struct *t;

	KUNIT_ASSERT_NOT_NULL(test, st);
	st->test = test;
	st->page = test_page(test);
	init_completion(&st->done);
	test->priv = st;
	kunit_activate_static_stub(test, tdx_seamcall_enter, serial_enter);

	t = kthread_run(serial_thread, st, "tdx_spdm_ide_test");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	serial_calls(st->page);
	wait_for_completion(&st->done);

	KUNIT_EXPECT_EQ(test, atomic_read(&st->calls), 2 * SERIAL_CALLS);
	KUNIT_EXPECT_EQ(test, atomic_read(&st->overlaps), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&st->unlocked), 0);
}

static struct kunit_case tdx_spdm_ide_cases[] = {
	KUNIT_CASE(spdm_create_passes_func_id_and_spdm_mt),
	KUNIT_CASE(spdm_create_passes_one_page_as_singleton),
	KUNIT_CASE(spdm_connect_passes_pages_and_returns_length),
	KUNIT_CASE(spdm_disconnect_passes_pages_and_returns_length),
	KUNIT_CASE(spdm_mng_passes_op_and_pages),
	KUNIT_CASE(ide_stream_create_passes_every_register),
	KUNIT_CASE(ide_stream_block_passes_ids),
	KUNIT_CASE(ide_stream_km_passes_op_and_pages),
	KUNIT_CASE(spdm_delete_release_frees_what_the_module_released),
	KUNIT_CASE(spdm_delete_release_frees_a_singleton),
	KUNIT_CASE(spdm_delete_release_leaks_after_failure),
	KUNIT_CASE(ide_stream_delete_release_frees_what_the_module_released),
	KUNIT_CASE(ide_stream_delete_release_leaks_other_pages),
	KUNIT_CASE(delete_release_leaks_a_list_the_module_wrote_short),
	KUNIT_CASE(delete_release_leaks_a_short_count),
	KUNIT_CASE(delete_release_leaks_a_long_count),
	KUNIT_CASE(wrapper_without_lock_refuses_with_one_warning),
	KUNIT_CASE(concurrent_callers_are_serialized),
	{}
};

static struct kunit_suite tdx_spdm_ide_suite = {
	.name = "tdx_spdm_ide",
	.test_cases = tdx_spdm_ide_cases,
};

kunit_test_suite(tdx_spdm_ide_suite);
