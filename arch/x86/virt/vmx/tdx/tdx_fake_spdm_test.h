/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The environment of the tdx_fake_spdm suites: a fake TDX module with its
 * Extensions up and its SPDM sessions and IDE streams, the pages of one
 * session, and the relay of every request to the fake device as tdx-host
 * does over DOE.  Included by each suite's file only.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */
#ifndef _TDX_FAKE_SPDM_TEST_H
#define _TDX_FAKE_SPDM_TEST_H

#include <linux/bitfield.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/io.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/pci-doe.h>
#include <linux/pci_ids.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/unaligned.h>
#include <uapi/linux/pci_regs.h>

#include <kunit/resource.h>
#include <kunit/test.h>

#include <asm/shared/tdx_errno.h>
#include <asm/tdx.h>
#include "tests/tdx_fake_module.h"
#include "tests/tdx_fake_spdm.h"
#include <asm/tdx_handoff.h>
#include <asm/tdx_page_list.h>
#include <asm/tdx_release.h>
#include <asm/tdx_spdm_ide.h>

#include "tdx.h"
#include "tdx_page_list_kunit.h"

#define FUNC_ID		0x0118U	/* 01:03.0 */
#define RP_DEVFN	0x08
#define DOE_HDR		8

/* How the relay spoils the n-th response, for the tests of the checks. */
enum spoil {
	SPOIL_NONE,
	SPOIL_TYPE,
	SPOIL_LENGTH,
	SPOIL_PAYLOAD,
};

struct env {
	struct kunit *test;
	struct tdx_fake_module *fake;
	struct tdx_fake_spdm *fs;
	struct page *config;
	struct page *req;
	struct page *rsp;
	struct tdx_page_list *spdm_list;
	struct tdx_handoff *spdm_ho;
	struct tdx_handoff *dev_info;
	u64 spdm_id;
	unsigned int nr_relayed;
	unsigned int spoil_nth;
	enum spoil spoil;
};

struct stream {
	struct tdx_page_list *list;
	struct tdx_handoff *ho;
	u64 id;
	u64 rp_ide_id;
};

/*
 * Page lists from the KUnit-visible parts of the allocator: its exports
 * are for tdx-host and the suites named there, not for this one.
 */
static inline void test_list_free(struct tdx_page_list *list)
{
	unsigned int i;

	for (i = 0; i < list->nr_pages; i++) {
		tdx_page_list_reset_page(list->pages[i]);
		__free_page(list->pages[i]);
	}
	kvfree(list);
}

KUNIT_DEFINE_ACTION_WRAPPER(page_list_free_action, test_list_free, struct tdx_page_list *);

static inline struct tdx_page_list *test_list_alloc(struct kunit *test, unsigned int nr)
{
	struct tdx_page_list *list = tdx_page_list_alloc_meta(nr);
	unsigned long filled;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, list);
	filled = tdx_page_list_alloc_bulk_pages(nr, list->pages);
	if (filled != nr) {
		for (i = 0; i < nr; i++) {
			if (list->pages[i])
				__free_page(list->pages[i]);
		}
		kvfree(list);
	}
	KUNIT_ASSERT_EQ(test, filled, nr);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, page_list_free_action, list), 0);
	return list;
}

KUNIT_DEFINE_ACTION_WRAPPER(handoff_fini_action, tdx_handoff_fini, struct tdx_handoff *);
KUNIT_DEFINE_ACTION_WRAPPER(free_page_action, __free_page, struct page *);

/* A hand-off of @nr pages with its only chunk prepared (and flushed). */
static inline struct tdx_handoff *handoff(struct kunit *test, unsigned int nr,
					  struct tdx_page_list **listp)
{
	struct tdx_page_list *list = test_list_alloc(test, nr);
	struct tdx_handoff *ho;

	ho = kunit_kzalloc(test, sizeof(*ho), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ho);
	KUNIT_ASSERT_EQ(test, tdx_handoff_init(ho, list), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, handoff_fini_action, ho), 0);
	KUNIT_ASSERT_EQ(test, tdx_handoff_next_chunk(ho), nr);
	if (listp)
		*listp = list;
	return ho;
}

/* The module owns the list now: it is released with the DELETE output. */
static inline void handed_over(struct kunit *test, struct tdx_page_list *list)
{
	kunit_remove_action(test, page_list_free_action, list);
}

static inline struct page *test_page(struct kunit *test)
{
	struct page *page = alloc_page(GFP_KERNEL | __GFP_ZERO);

	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, free_page_action, page), 0);
	return page;
}

/* A fake module with its Extensions up, and the pages of one session. */
static inline struct env *env_setup(struct kunit *test)
{
	struct env *e = kunit_kzalloc(test, sizeof(*e), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, e);
	e->test = test;
	e->fake = tdx_fake_module_install(test);
	/* As after TDH.SYS.CONFIG, TDH.EXT.MEM.ADD and TDH.EXT.INIT */
	e->fake->configured = true;
	e->fake->config_features = TDX_FEATURES0_TDX_CONNECT | TDX_FEATURES0_EXT;
	e->fake->ext_initialized = true;
	e->fs = tdx_fake_spdm_install(test, e->fake);
	e->config = test_page(test);
	*(struct tdx_spdm_config *)page_address(e->config) = (struct tdx_spdm_config) {
		.vmm_spdm_cap = TDX_SPDM_CFG_CAP_KEY_UPD,
		.cert_slot_mask = TDX_SPDM_CFG_ALL_SLOTS,
	};
	e->req = test_page(test);
	e->rsp = test_page(test);
	e->spdm_ho = handoff(test, e->fake->spdm_mt_page_count, &e->spdm_list);
	e->dev_info = handoff(test, e->fake->spdm_max_dev_info_pages, NULL);
	return e;
}

/* The relay of tdx-host: the request to the device over DOE, its answer back. */
static inline int relay(struct env *e, u64 req_len)
{
	u8 *req = page_address(e->req), *rsp = page_address(e->rsp);
	u32 h0 = get_unaligned_le32(req);
	u8 type = FIELD_GET(PCI_DOE_DATA_OBJECT_HEADER_1_TYPE, h0);
	int n;

	KUNIT_EXPECT_EQ(e->test, FIELD_GET(PCI_DOE_DATA_OBJECT_HEADER_1_VID, h0),
			PCI_VENDOR_ID_PCI_SIG);
	KUNIT_EXPECT_EQ(e->test, FIELD_GET(PCI_DOE_DATA_OBJECT_HEADER_2_LENGTH,
					   get_unaligned_le32(req + 4)) * 4, req_len);
	n = tdx_fake_spdm_device(e->fs, FUNC_ID, type, req + DOE_HDR, req_len - DOE_HDR,
				 rsp + DOE_HDR, PAGE_SIZE - DOE_HDR);
	if (n < 0)
		return n;
	put_unaligned_le32(h0, rsp);
	put_unaligned_le32((DOE_HDR + n) / 4, rsp + 4);

	if (++e->nr_relayed == e->spoil_nth) {
		switch (e->spoil) {
		case SPOIL_TYPE:
			rsp[2] ^= PCI_DOE_FEATURE_CMA ^ PCI_DOE_FEATURE_SSESSION;
			break;
		case SPOIL_LENGTH:
			put_unaligned_le32((DOE_HDR + n) / 4 + 1, rsp + 4);
			break;
		case SPOIL_PAYLOAD:
			rsp[DOE_HDR + n - 1] ^= 0x40;
			break;
		default:
			break;
		}
	}
	return 0;
}

/*
 * The request/response loop of one operation, as tdx-host runs it with
 * the Extensions lock held throughout.  @call makes one SEAMCALL.
 */
#define RUN_LOOP(e, call) ({						\
	u64 __status, len = 0;						\
	unsigned int __i;						\
									\
	for (__i = 0; __i < 32; __i++) {				\
		__status = (call);					\
		if (__status != TDX_SPDM_REQUEST ||			\
		    relay(e, len))					\
			break;						\
	}								\
	__status;							\
})

static inline u64 do_connect(struct env *e)
{
	guard(tdx_spdm_ide)();
	return RUN_LOOP(e, tdh_spdm_connect(e->spdm_id, e->config, e->rsp, e->req,
					    e->dev_info, &len));
}

static inline u64 do_mng(struct env *e, u64 op)
{
	guard(tdx_spdm_ide)();
	return RUN_LOOP(e, tdh_spdm_mng(e->spdm_id, op, e->rsp, e->req, &len));
}

static inline u64 do_disconnect(struct env *e)
{
	guard(tdx_spdm_ide)();
	return RUN_LOOP(e, tdh_spdm_disconnect(e->spdm_id, e->rsp, e->req, &len));
}

static inline u64 do_km(struct env *e, struct stream *s, u64 op)
{
	guard(tdx_spdm_ide)();
	return RUN_LOOP(e, tdh_ide_stream_km(e->spdm_id, s->id, op, e->rsp, e->req, &len));
}

static inline u64 do_create(struct env *e)
{
	u64 status;

	scoped_guard(tdx_spdm_ide)
		status = tdh_spdm_create(FUNC_ID, e->spdm_ho, &e->spdm_id);
	if (status == TDX_SUCCESS)
		handed_over(e->test, e->spdm_list);
	return status;
}

/* TDH.SPDM.DELETE and the release of its pages: all of them freed. */
static inline void do_delete(struct env *e)
{
	u64 status, released = 0;

	scoped_guard(tdx_spdm_ide)
		status = tdh_spdm_delete(e->spdm_id, e->spdm_ho, &released);
	KUNIT_EXPECT_EQ(e->test, status, TDX_SUCCESS);
	KUNIT_EXPECT_EQ(e->test, tdx_page_list_release_hpa_array(e->spdm_list, e->spdm_ho,
								 "TDH.SPDM.DELETE", status,
								 released), 0);
}

static inline void create_and_connect(struct env *e)
{
	KUNIT_ASSERT_EQ(e->test, do_create(e), TDX_SUCCESS);
	KUNIT_ASSERT_EQ(e->test, do_connect(e), TDX_SUCCESS);
}

static inline void disconnect_and_delete(struct env *e)
{
	KUNIT_EXPECT_EQ(e->test, do_disconnect(e), TDX_SUCCESS);
	do_delete(e);
	KUNIT_EXPECT_EQ(e->test, tdx_fake_nr_owned(e->fake), 0);
}

/* IDE stream registers as the PCI core would set them for the device. */
static inline struct tdx_ide_stream_cfg stream_cfg(void)
{
	return (struct tdx_ide_stream_cfg) {
		.rid_assoc = {
			FIELD_PREP(PCI_IDE_SEL_RID_1_LIMIT, FUNC_ID + 7),
			PCI_IDE_SEL_RID_2_VALID | FIELD_PREP(PCI_IDE_SEL_RID_2_BASE, FUNC_ID),
		},
		.addr_assoc = { 0x1, 0x2, 0x3 },
	};
}

/* a function, not a macro: sparse cannot expand FIELD_PREP() in KUNIT_*() */
static inline u64 stream_info(void)
{
	return FIELD_PREP(TDX_IDE_STREAM_INFO_RP_DEVFN, RP_DEVFN) |
	       TDX_IDE_STREAM_INFO_SELECTIVE;
}

static inline u64 stream_create(struct env *e, struct stream *s, u64 info,
				const struct tdx_ide_stream_cfg *cfg)
{
	u64 status;

	s->ho = handoff(e->test, e->fake->ide_mt_page_count, &s->list);
	scoped_guard(tdx_spdm_ide)
		status = tdh_ide_stream_create(info, e->spdm_id, s->ho, cfg, &s->id,
					       &s->rp_ide_id);
	if (status == TDX_SUCCESS)
		handed_over(e->test, s->list);
	return status;
}

static inline u64 stream_block(struct env *e, struct stream *s)
{
	guard(tdx_spdm_ide)();
	return tdh_ide_stream_block(e->spdm_id, s->id);
}

static inline u64 stream_delete(struct env *e, struct stream *s)
{
	u64 status, released = 0;

	scoped_guard(tdx_spdm_ide)
		status = tdh_ide_stream_delete(e->spdm_id, s->id, s->ho, &released);
	if (status == TDX_SUCCESS)
		KUNIT_EXPECT_EQ(e->test,
				tdx_page_list_release_hpa_array(s->list, s->ho,
								"TDH.IDE.STREAM.DELETE",
								status, released), 0);
	return status;
}

static inline void stream_teardown(struct env *e, struct stream *s)
{
	KUNIT_EXPECT_EQ(e->test, stream_block(e, s), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(e->test, stream_delete(e, s), TDX_SUCCESS);
}

static inline unsigned int count_events(struct tdx_fake_spdm *fs, u32 event)
{
	unsigned int i, n = 0;

	for (i = 0; i < fs->nr_events; i++)
		n += fs->events[i] == event;
	return n;
}

static inline void expect_refusal(struct kunit *test, struct tdx_fake_spdm *fs, const char *why)
{
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(fs->refusal, why),
				  "refused for \"%s\", not \"%s\"", fs->refusal, why);
}

#endif /* _TDX_FAKE_SPDM_TEST_H */
