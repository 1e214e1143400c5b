// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the SPDM and IDE wrappers against the fake TDX module's
 * SPDM sessions and IDE streams, with the test relaying every request to
 * the fake device as tdx-host does over DOE: a whole connect and
 * disconnect, then each rule of the fake broken once and refused, and
 * the one-caller rule of the Extensions.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

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
static void test_list_free(struct tdx_page_list *list)
{
	unsigned int i;

	for (i = 0; i < list->nr_pages; i++) {
		tdx_page_list_reset_page(list->pages[i]);
		__free_page(list->pages[i]);
	}
	kvfree(list);
}

KUNIT_DEFINE_ACTION_WRAPPER(page_list_free_action, test_list_free, struct tdx_page_list *);

static struct tdx_page_list *test_list_alloc(struct kunit *test, unsigned int nr)
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
static struct tdx_handoff *handoff(struct kunit *test, unsigned int nr,
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
static void handed_over(struct kunit *test, struct tdx_page_list *list)
{
	kunit_remove_action(test, page_list_free_action, list);
}

static struct page *test_page(struct kunit *test)
{
	struct page *page = alloc_page(GFP_KERNEL | __GFP_ZERO);

	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, free_page_action, page), 0);
	return page;
}

/* A fake module with its Extensions up, and the pages of one session. */
static struct env *env_setup(struct kunit *test)
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
static int relay(struct env *e, u64 req_len)
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

static u64 do_connect(struct env *e)
{
	guard(tdx_spdm_ide)();
	return RUN_LOOP(e, tdh_spdm_connect(e->spdm_id, e->config, e->rsp, e->req,
					    e->dev_info, &len));
}

static u64 do_mng(struct env *e, u64 op)
{
	guard(tdx_spdm_ide)();
	return RUN_LOOP(e, tdh_spdm_mng(e->spdm_id, op, e->rsp, e->req, &len));
}

static u64 do_disconnect(struct env *e)
{
	guard(tdx_spdm_ide)();
	return RUN_LOOP(e, tdh_spdm_disconnect(e->spdm_id, e->rsp, e->req, &len));
}

static u64 do_km(struct env *e, struct stream *s, u64 op)
{
	guard(tdx_spdm_ide)();
	return RUN_LOOP(e, tdh_ide_stream_km(e->spdm_id, s->id, op, e->rsp, e->req, &len));
}

static u64 do_create(struct env *e)
{
	u64 status;

	scoped_guard(tdx_spdm_ide)
		status = tdh_spdm_create(FUNC_ID, e->spdm_ho, &e->spdm_id);
	if (status == TDX_SUCCESS)
		handed_over(e->test, e->spdm_list);
	return status;
}

/* TDH.SPDM.DELETE and the release of its pages: all of them freed. */
static void do_delete(struct env *e)
{
	u64 status, released = 0;

	scoped_guard(tdx_spdm_ide)
		status = tdh_spdm_delete(e->spdm_id, e->spdm_ho, &released);
	KUNIT_EXPECT_EQ(e->test, status, TDX_SUCCESS);
	KUNIT_EXPECT_EQ(e->test, tdx_page_list_release_hpa_array(e->spdm_list, e->spdm_ho,
								 "TDH.SPDM.DELETE", status,
								 released), 0);
}

static void create_and_connect(struct env *e)
{
	KUNIT_ASSERT_EQ(e->test, do_create(e), TDX_SUCCESS);
	KUNIT_ASSERT_EQ(e->test, do_connect(e), TDX_SUCCESS);
}

static void disconnect_and_delete(struct env *e)
{
	KUNIT_EXPECT_EQ(e->test, do_disconnect(e), TDX_SUCCESS);
	do_delete(e);
	KUNIT_EXPECT_EQ(e->test, tdx_fake_nr_owned(e->fake), 0);
}

/* IDE stream registers as the PCI core would set them for the device. */
static struct tdx_ide_stream_cfg stream_cfg(void)
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
static u64 stream_info(void)
{
	return FIELD_PREP(TDX_IDE_STREAM_INFO_RP_DEVFN, RP_DEVFN) |
	       TDX_IDE_STREAM_INFO_SELECTIVE;
}

static u64 stream_create(struct env *e, struct stream *s, u64 info,
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

static u64 stream_block(struct env *e, struct stream *s)
{
	guard(tdx_spdm_ide)();
	return tdh_ide_stream_block(e->spdm_id, s->id);
}

static u64 stream_delete(struct env *e, struct stream *s)
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

static void stream_teardown(struct env *e, struct stream *s)
{
	KUNIT_EXPECT_EQ(e->test, stream_block(e, s), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(e->test, stream_delete(e, s), TDX_SUCCESS);
}

static unsigned int count_events(struct tdx_fake_spdm *fs, u32 event)
{
	unsigned int i, n = 0;

	for (i = 0; i < fs->nr_events; i++)
		n += fs->events[i] == event;
	return n;
}

static void expect_refusal(struct kunit *test, struct tdx_fake_spdm *fs, const char *why)
{
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(fs->refusal, why),
				  "refused for \"%s\", not \"%s\"", fs->refusal, why);
}

static void connect_with_key_update_to_delete_gives_every_page_back(struct kunit *test)
{
	struct env *e = env_setup(test);
	struct tdx_fake_spdm_session *sess;
	struct tdx_fake_spdm_stream *fst;
	struct tdx_ide_stream_cfg cfg = stream_cfg();
	struct stream s = {};
	u64 *info;

	KUNIT_ASSERT_EQ(test, do_create(e), TDX_SUCCESS);
	sess = tdx_fake_spdm_session(e->fs, FUNC_ID);
	KUNIT_ASSERT_NOT_NULL(test, sess);
	KUNIT_EXPECT_EQ(test, sess->spdm_id, e->spdm_id);
	KUNIT_EXPECT_EQ(test, sess->nr_pages, 2);
	KUNIT_EXPECT_EQ(test, sess->pages[1], page_to_phys(e->spdm_list->pages[1]));
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(e->fake), 2);

	/* The session asks for new keys before it reports success, until it has them. */
	e->fs->key_refresh = true;
	KUNIT_EXPECT_EQ(test, do_connect(e), TDX_SPDM_SESSION_KEY_REQUIRE_REFRESH);
	KUNIT_EXPECT_EQ(test, do_connect(e), TDX_SPDM_SESSION_KEY_REQUIRE_REFRESH);
	KUNIT_EXPECT_FALSE(test, sess->connected);
	KUNIT_EXPECT_EQ(test, do_mng(e, TDX_SPDM_MNG_KEY_UPDATE), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, sess->nr_key_updates, 1);
	KUNIT_EXPECT_EQ(test, do_connect(e), TDX_SUCCESS);
	KUNIT_EXPECT_TRUE(test, sess->connected);
	info = page_address(e->dev_info->list->pages[0]);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(info), FUNC_ID);
	KUNIT_EXPECT_EQ(test, sess->dev_info_len, 256);
	KUNIT_EXPECT_EQ(test, do_mng(e, TDX_SPDM_MNG_HEARTBEAT), TDX_SUCCESS);

	KUNIT_ASSERT_EQ(test, stream_create(e, &s, stream_info(), &cfg), TDX_SUCCESS);
	KUNIT_EXPECT_LE(test, s.id, 254);
	fst = tdx_fake_spdm_stream(e->fs, s.id);
	KUNIT_ASSERT_NOT_NULL(test, fst);
	KUNIT_EXPECT_EQ(test, fst->rp_ide_id, s.rp_ide_id);
	KUNIT_EXPECT_EQ(test, fst->rp_devfn, RP_DEVFN);
	KUNIT_EXPECT_EQ(test, fst->rid_base, FUNC_ID);
	KUNIT_EXPECT_EQ(test, fst->rid_limit, FUNC_ID + 7);
	KUNIT_EXPECT_EQ(test, fst->addr_assoc[2], 0x3);
	KUNIT_EXPECT_EQ(test, fst->pages[0], page_to_phys(s.list->pages[0]));
	KUNIT_EXPECT_EQ(test, tdx_fake_spdm_nr_streams(e->fs), 1);
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(e->fake), 3);
	KUNIT_EXPECT_FALSE(test, tdx_fake_spdm_device_keyed(e->fs, FUNC_ID, s.id));

	KUNIT_EXPECT_EQ(test, do_km(e, &s, TDX_IDE_KM_SETUP), TDX_SUCCESS);
	KUNIT_EXPECT_TRUE(test, fst->keyed);
	KUNIT_EXPECT_TRUE(test, fst->rp_enabled);
	KUNIT_EXPECT_TRUE(test, tdx_fake_spdm_device_keyed(e->fs, FUNC_ID, s.id));
	KUNIT_EXPECT_EQ(test, do_km(e, &s, TDX_IDE_KM_STOP), TDX_SUCCESS);
	KUNIT_EXPECT_FALSE(test, fst->keyed);
	KUNIT_EXPECT_FALSE(test, fst->rp_enabled);
	KUNIT_EXPECT_FALSE(test, tdx_fake_spdm_device_keyed(e->fs, FUNC_ID, s.id));

	stream_teardown(e, &s);
	KUNIT_EXPECT_EQ(test, tdx_fake_spdm_nr_streams(e->fs), 0);
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(e->fake), 2);
	disconnect_and_delete(e);
	KUNIT_EXPECT_EQ(test, tdx_fake_spdm_nr_sessions(e->fs), 0);

	/* The log: the leaves and the messages, in order. */
	KUNIT_EXPECT_EQ(test, e->fs->events[0], TDH_SPDM_CREATE);
	KUNIT_EXPECT_EQ(test, e->fs->events[1], TDH_SPDM_CONNECT);
	KUNIT_EXPECT_EQ(test, e->fs->events[2], TDX_FAKE_SPDM_EV_DOE_BASE + PCI_DOE_FEATURE_CMA);
	KUNIT_EXPECT_EQ(test, e->fs->events[e->fs->nr_events - 1], TDH_SPDM_DELETE);
	/* Connect over CMA; FINISH, KEY_UPDATE, HEARTBEAT, 4 + 2 IDE_KM, END_SESSION */
	KUNIT_EXPECT_EQ(test, count_events(e->fs, TDX_FAKE_SPDM_EV_DOE_BASE + PCI_DOE_FEATURE_CMA),
			6);
	KUNIT_EXPECT_EQ(test, count_events(e->fs,
					   TDX_FAKE_SPDM_EV_DOE_BASE + PCI_DOE_FEATURE_SSESSION),
			10);
	KUNIT_EXPECT_EQ(test, e->fs->nr_dev_msgs, 16);
	KUNIT_EXPECT_EQ(test, e->fs->nr_refusals, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&e->fake->nr_ext_busy), 0);
	KUNIT_EXPECT_EQ(test, e->fake->nr_violations, 0);
}

static void create_refuses_a_wrong_page_count(struct kunit *test)
{
	struct env *e = env_setup(test);
	u64 spdm_id;

	e->spdm_ho = handoff(test, e->fake->spdm_mt_page_count + 1, NULL);
	scoped_guard(tdx_spdm_ide)
		KUNIT_EXPECT_EQ(test, tdh_spdm_create(FUNC_ID, e->spdm_ho, &spdm_id),
				TDX_OPERAND_INVALID | TDX_OPERAND_ID_RDX);
	expect_refusal(test, e->fs, "HPA_ARRAY_T of 2 pages");
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(e->fake), 0);
	KUNIT_EXPECT_EQ(test, tdx_fake_spdm_nr_sessions(e->fs), 0);
}

static void create_refuses_reserved_function_id_bits(struct kunit *test)
{
	struct env *e = env_setup(test);
	u64 spdm_id;

	scoped_guard(tdx_spdm_ide)
		KUNIT_EXPECT_EQ(test, tdh_spdm_create(FUNC_ID | BIT(25), e->spdm_ho, &spdm_id),
				TDX_OPERAND_INVALID | TDX_OPERAND_ID_RCX);
	expect_refusal(test, e->fs, "reserved bits");
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(e->fake), 0);
}

/* A page written after its flush is taken, as hardware would, and reported. */
static void create_reports_a_page_written_after_its_flush(struct kunit *test)
{
	struct env *e = env_setup(test);

	e->fake->expect_violations = true;
	memset(page_address(e->spdm_list->pages[1]), 0x5a, 64);
	KUNIT_EXPECT_EQ(test, do_create(e), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, e->fake->nr_violations, 1);
	KUNIT_EXPECT_NOT_NULL(test, strstr(e->fake->violation, "after its flush"));
	do_delete(e);
}

static void connect_fails_on_a_bad_response(struct kunit *test, enum spoil spoil,
					    unsigned int nth, const char *why)
{
	struct env *e = env_setup(test);
	struct tdx_fake_spdm_session *sess;

	KUNIT_ASSERT_EQ(test, do_create(e), TDX_SUCCESS);
	e->spoil = spoil;
	e->spoil_nth = nth;
	KUNIT_EXPECT_EQ(test, do_connect(e), TDX_OPERAND_INVALID | TDX_OPERAND_ID_R8);
	expect_refusal(test, e->fs, why);
	sess = tdx_fake_spdm_session(e->fs, FUNC_ID);
	KUNIT_EXPECT_FALSE(test, sess->established);
	KUNIT_EXPECT_FALSE(test, sess->connected);
	KUNIT_EXPECT_EQ(test, e->nr_relayed, nth);

	/* The operation is over: a new connect starts from GET_VERSION and succeeds. */
	KUNIT_EXPECT_EQ(test, do_connect(e), TDX_SUCCESS);
	disconnect_and_delete(e);
	KUNIT_EXPECT_EQ(test, e->fake->nr_violations, 0);
}

static void connect_refuses_a_response_of_the_wrong_doe_type(struct kunit *test)
{
	connect_fails_on_a_bad_response(test, SPOIL_TYPE, 3, "not a DOE object of type 1");
}

static void connect_refuses_a_response_of_the_wrong_length(struct kunit *test)
{
	connect_fails_on_a_bad_response(test, SPOIL_LENGTH, 5, "length");
}

static void connect_refuses_a_response_with_the_wrong_payload(struct kunit *test)
{
	/* the 7th message, FINISH, over the secured session */
	connect_fails_on_a_bad_response(test, SPOIL_PAYLOAD, 7, "payload");
}

/*
 * The configuration page: reserved bits, and no certificate slot, are
 * refused; a session whose host did not ask for KEY_UPD gets no key
 * update asked of it.
 */
static void connect_checks_the_configuration_page(struct kunit *test)
{
	struct env *e = env_setup(test);
	struct tdx_spdm_config *cfg = page_address(e->config);
	u8 *raw = page_address(e->config);

	KUNIT_ASSERT_EQ(test, do_create(e), TDX_SUCCESS);
	cfg->vmm_spdm_cap |= BIT(0);
	KUNIT_EXPECT_EQ(test, do_connect(e), TDX_OPERAND_INVALID | TDX_OPERAND_ID_RDX);
	expect_refusal(test, e->fs, "configuration page");
	cfg->vmm_spdm_cap = TDX_SPDM_CFG_CAP_KEY_UPD;

	raw[sizeof(*cfg)] = 1;
	KUNIT_EXPECT_EQ(test, do_connect(e), TDX_OPERAND_INVALID | TDX_OPERAND_ID_RDX);
	raw[sizeof(*cfg)] = 0;

	cfg->cert_slot_mask = 0;
	KUNIT_EXPECT_EQ(test, do_connect(e), TDX_OPERAND_INVALID | TDX_OPERAND_ID_RDX);
	cfg->cert_slot_mask = TDX_SPDM_CFG_ALL_SLOTS;
	KUNIT_EXPECT_EQ(test, e->fs->nr_dev_msgs, 0);

	/* Without KEY_UPD the module does not ask for a key update. */
	cfg->vmm_spdm_cap = 0;
	e->fs->key_refresh = true;
	KUNIT_EXPECT_EQ(test, do_connect(e), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, tdx_fake_spdm_session(e->fs, FUNC_ID)->nr_key_updates, 0);
	KUNIT_EXPECT_EQ(test, do_disconnect(e), TDX_SUCCESS);
	do_delete(e);
}

static void connect_fails_on_the_devices_spdm_error(struct kunit *test)
{
	struct env *e = env_setup(test);

	KUNIT_ASSERT_EQ(test, do_create(e), TDX_SUCCESS);
	e->fs->error_nth = 4;
	KUNIT_EXPECT_EQ(test, do_connect(e), TDX_OPERAND_INVALID | TDX_OPERAND_ID_R8);
	expect_refusal(test, e->fs, "device answered ERROR");
	KUNIT_EXPECT_EQ(test, e->fs->nr_dev_msgs, 4);
	KUNIT_EXPECT_FALSE(test, tdx_fake_spdm_session(e->fs, FUNC_ID)->connected);
	/* A device's ERROR is no violation; the session may be deleted. */
	KUNIT_EXPECT_EQ(test, e->fake->nr_violations, 0);
	do_delete(e);
}

static void ide_km_fails_on_the_devices_spdm_error(struct kunit *test)
{
	struct env *e = env_setup(test);
	struct tdx_ide_stream_cfg cfg = stream_cfg();
	struct stream s = {};

	create_and_connect(e);
	KUNIT_ASSERT_EQ(test, stream_create(e, &s, stream_info(), &cfg), TDX_SUCCESS);
	e->fs->error_nth = e->fs->nr_dev_msgs + 2;
	KUNIT_EXPECT_EQ(test, do_km(e, &s, TDX_IDE_KM_SETUP),
			TDX_OPERAND_INVALID | TDX_OPERAND_ID_R9);
	expect_refusal(test, e->fs, "device answered ERROR");
	KUNIT_EXPECT_FALSE(test, tdx_fake_spdm_stream(e->fs, s.id)->keyed);
	KUNIT_EXPECT_FALSE(test, tdx_fake_spdm_device_keyed(e->fs, FUNC_ID, s.id));
	stream_teardown(e, &s);
	disconnect_and_delete(e);
}

static void spdm_delete_is_refused_while_streams_exist_or_connected(struct kunit *test)
{
	struct env *e = env_setup(test);
	struct tdx_ide_stream_cfg cfg = stream_cfg();
	struct stream s = {};
	u64 released;

	create_and_connect(e);
	KUNIT_ASSERT_EQ(test, stream_create(e, &s, stream_info(), &cfg), TDX_SUCCESS);
	scoped_guard(tdx_spdm_ide)
		KUNIT_EXPECT_EQ(test, tdh_spdm_delete(e->spdm_id, e->spdm_ho, &released),
				TDX_OPERAND_INVALID | TDX_OPERAND_ID_RCX);
	expect_refusal(test, e->fs, "has 1 streams");
	KUNIT_EXPECT_EQ(test, do_disconnect(e), TDX_OPERAND_INVALID | TDX_OPERAND_ID_RCX);
	stream_teardown(e, &s);
	scoped_guard(tdx_spdm_ide)
		KUNIT_EXPECT_EQ(test, tdh_spdm_delete(e->spdm_id, e->spdm_ho, &released),
				TDX_OPERAND_INVALID | TDX_OPERAND_ID_RCX);
	expect_refusal(test, e->fs, "connected");
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(e->fake), 2);
	disconnect_and_delete(e);
}

static void stream_block_is_refused_before_km_stop(struct kunit *test)
{
	struct env *e = env_setup(test);
	struct tdx_ide_stream_cfg cfg = stream_cfg();
	struct stream s = {};

	create_and_connect(e);
	KUNIT_ASSERT_EQ(test, stream_create(e, &s, stream_info(), &cfg), TDX_SUCCESS);
	KUNIT_ASSERT_EQ(test, do_km(e, &s, TDX_IDE_KM_SETUP), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, stream_block(e, &s), TDX_OPERAND_INVALID | TDX_OPERAND_ID_RDX);
	expect_refusal(test, e->fs, "KM stop first");
	KUNIT_EXPECT_FALSE(test, tdx_fake_spdm_stream(e->fs, s.id)->blocked);
	KUNIT_EXPECT_EQ(test, do_km(e, &s, TDX_IDE_KM_STOP), TDX_SUCCESS);
	stream_teardown(e, &s);
	disconnect_and_delete(e);
}

static void stream_delete_is_refused_before_block(struct kunit *test)
{
	struct env *e = env_setup(test);
	struct tdx_ide_stream_cfg cfg = stream_cfg();
	struct stream s = {};

	create_and_connect(e);
	KUNIT_ASSERT_EQ(test, stream_create(e, &s, stream_info(), &cfg), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, stream_delete(e, &s), TDX_OPERAND_INVALID | TDX_OPERAND_ID_RDX);
	expect_refusal(test, e->fs, "not blocked");
	KUNIT_EXPECT_TRUE(test, tdx_fake_owns(e->fake, page_to_phys(s.list->pages[0])));
	stream_teardown(e, &s);
	disconnect_and_delete(e);
}

/* The wrapper clears the root page; a raw SEAMCALL that does not is caught. */
static void spdm_delete_reports_an_uncleared_release_root(struct kunit *test)
{
	struct tdx_module_args args = {};
	struct env *e = env_setup(test);
	u64 status;
	int ret;

	KUNIT_ASSERT_EQ(test, do_create(e), TDX_SUCCESS);
	e->fake->expect_violations = true;
	args.rcx = e->spdm_id;
	args.rdx = virt_to_phys(e->spdm_ho->root);
	scoped_guard(tdx_spdm_ide)
		status = tdx_seamcall_ver(TDH_SPDM_DELETE, 0, &args);
	KUNIT_EXPECT_EQ(test, status, TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, e->fake->nr_violations, 1);
	KUNIT_EXPECT_NOT_NULL(test, strstr(e->fake->violation, "root page"));
	/* The module wrote its list over the kernel's: the pages come back all the same. */
	ret = tdx_page_list_release_hpa_array(e->spdm_list, e->spdm_ho, "TDH.SPDM.DELETE",
					      status, args.rcx);
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(e->fake), 0);
}

static void stream_create_fails_when_streams_run_out(struct kunit *test)
{
	struct env *e = env_setup(test);
	struct tdx_ide_stream_cfg cfg = stream_cfg();
	struct stream s = {}, t = {};

	e->fs->max_streams = 1;
	create_and_connect(e);
	KUNIT_ASSERT_EQ(test, stream_create(e, &s, stream_info(), &cfg), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, stream_create(e, &t, stream_info(), &cfg),
			TDX_OPERAND_INVALID | TDX_OPERAND_ID_RCX);
	expect_refusal(test, e->fs, "no IDE stream left");
	KUNIT_EXPECT_FALSE(test, tdx_fake_owns(e->fake, page_to_phys(t.list->pages[0])));
	KUNIT_EXPECT_EQ(test, tdx_fake_spdm_nr_streams(e->fs), 1);
	stream_teardown(e, &s);
	disconnect_and_delete(e);
}

static void stream_create_refuses(struct kunit *test, u64 info, struct tdx_ide_stream_cfg *cfg,
				  u64 status, const char *why)
{
	struct env *e = env_setup(test);
	struct stream s = {};

	create_and_connect(e);
	KUNIT_EXPECT_EQ(test, stream_create(e, &s, info, cfg), status);
	expect_refusal(test, e->fs, why);
	KUNIT_EXPECT_EQ(test, tdx_fake_spdm_nr_streams(e->fs), 0);
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(e->fake), 2);
	disconnect_and_delete(e);
}

static void stream_create_refuses_a_link_stream(struct kunit *test)
{
	struct tdx_ide_stream_cfg cfg = stream_cfg();

	stream_create_refuses(test, stream_info() & ~TDX_IDE_STREAM_INFO_SELECTIVE, &cfg,
			      TDX_OPERAND_INVALID | TDX_OPERAND_ID_RCX, "link streams");
}

static void stream_create_refuses_nonzero_stream_control(struct kunit *test)
{
	struct tdx_ide_stream_cfg cfg = stream_cfg();

	cfg.ctrl = PCI_IDE_SEL_CTL_EN;
	stream_create_refuses(test, stream_info(), &cfg,
			      TDX_OPERAND_INVALID | TDX_OPERAND_ID_R9, "stream control");
}

static void stream_create_refuses_an_invalid_rid_association(struct kunit *test)
{
	struct tdx_ide_stream_cfg cfg = stream_cfg();

	cfg.rid_assoc[1] &= ~(u64)PCI_IDE_SEL_RID_2_VALID;
	stream_create_refuses(test, stream_info(), &cfg, TDX_OPERAND_INVALID | 0x0b,
			      "RID association 2");
}

static void stream_create_refuses_an_unconnected_session(struct kunit *test)
{
	struct env *e = env_setup(test);
	struct tdx_ide_stream_cfg cfg = stream_cfg();
	struct stream s = {};

	KUNIT_ASSERT_EQ(test, do_create(e), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, stream_create(e, &s, stream_info(), &cfg),
			TDX_OPERAND_INVALID | TDX_OPERAND_ID_RDX);
	expect_refusal(test, e->fs, "not connected");
	do_delete(e);
}

static void extension_leaves_wait_for_extensions_init(struct kunit *test)
{
	struct env *e = env_setup(test);
	u64 spdm_id;

	e->fake->ext_initialized = false;
	scoped_guard(tdx_spdm_ide)
		KUNIT_EXPECT_EQ(test, tdh_spdm_create(FUNC_ID, e->spdm_ho, &spdm_id),
				TDX_SYS_NOT_READY);
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(e->fake), 0);
}

static void fail_nth_fails_one_call_without_side_effect(struct kunit *test)
{
	struct env *e = env_setup(test);

	e->fs->fail_nth = 1;
	e->fs->fail_status = TDX_OPERAND_BUSY;
	scoped_guard(tdx_spdm_ide)
		KUNIT_EXPECT_EQ(test, tdh_spdm_create(FUNC_ID, e->spdm_ho, &e->spdm_id),
				TDX_OPERAND_BUSY);
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(e->fake), 0);
	KUNIT_EXPECT_EQ(test, tdx_fake_spdm_nr_sessions(e->fs), 0);
	create_and_connect(e);
	disconnect_and_delete(e);
}

/* The device end checks what it is sent, whoever relays it. */
static void device_reports_a_request_out_of_sequence(struct kunit *test)
{
	struct env *e = env_setup(test);
	u8 req[8] = { TDX_FAKE_SPDM_VERSION, TDX_FAKE_SPDM_GET_CAPABILITIES };
	u8 rsp[64];

	KUNIT_ASSERT_EQ(test, do_create(e), TDX_SUCCESS);
	e->fake->expect_violations = true;
	KUNIT_EXPECT_EQ(test, tdx_fake_spdm_device(e->fs, FUNC_ID, PCI_DOE_FEATURE_CMA, req,
						   sizeof(req), rsp, sizeof(rsp)), 4);
	KUNIT_EXPECT_EQ(test, rsp[1], TDX_FAKE_SPDM_ERROR);
	KUNIT_EXPECT_EQ(test, e->fake->nr_violations, 1);
	/* GET_VERSION over the secured session is the wrong DOE type. */
	req[1] = TDX_FAKE_SPDM_GET_VERSION;
	KUNIT_EXPECT_EQ(test, tdx_fake_spdm_device(e->fs, FUNC_ID, PCI_DOE_FEATURE_SSESSION,
						   req, sizeof(req), rsp, sizeof(rsp)), 12);
	KUNIT_EXPECT_EQ(test, rsp[9], TDX_FAKE_SPDM_ERROR);
	KUNIT_EXPECT_EQ(test, e->fake->nr_violations, 2);
	KUNIT_EXPECT_EQ(test, tdx_fake_spdm_device(e->fs, FUNC_ID + 1, PCI_DOE_FEATURE_CMA,
						   req, sizeof(req), rsp, sizeof(rsp)), -ENODEV);
	KUNIT_EXPECT_EQ(test, e->fake->nr_violations, 3);
	do_delete(e);
}

/* Another Extension leaf while CONNECT waits for the device's response. */
static void another_leaf_while_connect_is_open_is_busy(struct kunit *test)
{
	struct env *e = env_setup(test);
	u64 status, busy, len, other;
	int i;

	KUNIT_ASSERT_EQ(test, do_create(e), TDX_SUCCESS);
	e->fake->expect_violations = true;
	scoped_guard(tdx_spdm_ide) {
		status = tdh_spdm_connect(e->spdm_id, e->config, e->rsp, e->req,
					  e->dev_info, &len);
		KUNIT_EXPECT_EQ(test, status, TDX_SPDM_REQUEST);
		busy = tdh_spdm_mng(e->spdm_id, TDX_SPDM_MNG_HEARTBEAT, e->rsp, e->req, &other);
		KUNIT_EXPECT_EQ(test, busy, TDX_OPERAND_BUSY);
		busy = tdh_spdm_disconnect(e->spdm_id + 1, e->rsp, e->req, &other);
		KUNIT_EXPECT_EQ(test, busy, TDX_OPERAND_BUSY);

		/* The open operation goes on to its end. */
		for (i = 0; i < 32 && status == TDX_SPDM_REQUEST; i++) {
			if (relay(e, len))
				break;
			status = tdh_spdm_connect(e->spdm_id, e->config, e->rsp, e->req,
						  e->dev_info, &len);
		}
		KUNIT_EXPECT_EQ(test, status, TDX_SUCCESS);
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&e->fake->nr_ext_busy), 2);
	KUNIT_EXPECT_EQ(test, e->fake->nr_violations, 2);
	KUNIT_EXPECT_NOT_NULL(test, strstr(e->fake->violation, "waits for its response"));

	/* Then anything may follow. */
	e->fake->expect_violations = false;
	KUNIT_EXPECT_EQ(test, do_mng(e, TDX_SPDM_MNG_HEARTBEAT), TDX_SUCCESS);
	disconnect_and_delete(e);
}

/* A caller in a thread. */
struct caller {
	struct env *e;
	bool take_lock;
	u64 status;
	u64 len;
	struct completion done;
};

/*
 * With @take_lock, a whole heartbeat as tdx-host runs it; without, one
 * SEAMCALL of it as a wrapper that dropped the lock would make it.
 */
static int caller_thread(void *data)
{
	struct caller *c = data;
	struct env *e = c->e;
	struct tdx_module_args args = {
		.rcx = e->spdm_id, .rdx = TDX_SPDM_MNG_HEARTBEAT,
		.r8 = page_to_phys(e->rsp), .r9 = page_to_phys(e->req),
	};

	/* The static stub follows the KUnit test of the current task. */
	current->kunit_test = e->test;
	if (c->take_lock) {
		c->status = do_mng(e, TDX_SPDM_MNG_HEARTBEAT);
	} else {
		c->status = tdx_seamcall_ver(TDH_SPDM_MNG, 0, &args);
		c->len = args.rcx;
	}
	current->kunit_test = NULL;
	complete(&c->done);
	return 0;
}

static void start_caller(struct kunit *test, struct caller *c, struct env *e, bool take_lock)
{
	struct task_struct *t;

	*c = (struct caller) { .e = e, .take_lock = take_lock };
	init_completion(&c->done);
	t = kthread_run(caller_thread, c, "tdx_fake_spdm_test");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
}

/*
 * A first caller held inside its SEAMCALL (the fake's ext_hold), and a
 * second one.  With @take_lock both take the Extensions lock and the
 * second waits for the first; without it, as if a wrapper had dropped
 * the lock, the second overlaps and the fake refuses it.  Returns the
 * number of calls refused busy.
 */
static int two_callers(struct kunit *test, bool take_lock)
{
	struct env *e = env_setup(test);
	struct completion entered, hold;
	struct caller a, b;
	u64 status, len;
	int busy;

	create_and_connect(e);
	init_completion(&entered);
	init_completion(&hold);
	e->fake->expect_violations = !take_lock;
	e->fake->ext_entered = &entered;
	e->fake->ext_hold = &hold;

	start_caller(test, &a, e, take_lock);
	KUNIT_ASSERT_GT(test, wait_for_completion_timeout(&entered, 10 * HZ), 0);
	/* The first caller is inside TDH.SPDM.MNG now, and stays there. */
	if (take_lock) {
		start_caller(test, &b, e, true);
		msleep(50);
		KUNIT_EXPECT_FALSE(test, completion_done(&b.done));
		KUNIT_EXPECT_EQ(test, atomic_read(&e->fake->nr_ext_busy), 0);
		complete_all(&hold);
		wait_for_completion(&a.done);
		wait_for_completion(&b.done);
		KUNIT_EXPECT_EQ(test, a.status, TDX_SUCCESS);
		KUNIT_EXPECT_EQ(test, b.status, TDX_SUCCESS);
	} else {
		struct tdx_module_args args = { .rcx = e->spdm_id, .rdx = 1 };

		KUNIT_EXPECT_EQ(test, tdx_seamcall_ver(TDH_IDE_STREAM_BLOCK, 0, &args),
				TDX_OPERAND_BUSY);
		complete_all(&hold);
		wait_for_completion(&a.done);
		KUNIT_EXPECT_EQ(test, a.status, TDX_SPDM_REQUEST);
		/* Finish the first caller's heartbeat, as its caller would have. */
		KUNIT_EXPECT_EQ(test, relay(e, a.len), 0);
		scoped_guard(tdx_spdm_ide)
			status = tdh_spdm_mng(e->spdm_id, TDX_SPDM_MNG_HEARTBEAT, e->rsp,
					      e->req, &len);
		KUNIT_EXPECT_EQ(test, status, TDX_SUCCESS);
	}
	busy = atomic_read(&e->fake->nr_ext_busy);

	e->fake->ext_entered = NULL;
	e->fake->ext_hold = NULL;
	e->fake->expect_violations = false;
	disconnect_and_delete(e);
	return busy;
}

static void a_second_caller_inside_the_module_is_busy(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, two_callers(test, false), 1);
}

static void the_lock_keeps_a_second_caller_out(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, two_callers(test, true), 0);
}

static struct kunit_case tdx_fake_spdm_cases[] = {
	KUNIT_CASE(connect_with_key_update_to_delete_gives_every_page_back),
	KUNIT_CASE(create_refuses_a_wrong_page_count),
	KUNIT_CASE(create_refuses_reserved_function_id_bits),
	KUNIT_CASE(create_reports_a_page_written_after_its_flush),
	KUNIT_CASE(connect_checks_the_configuration_page),
	KUNIT_CASE(connect_refuses_a_response_of_the_wrong_doe_type),
	KUNIT_CASE(connect_refuses_a_response_of_the_wrong_length),
	KUNIT_CASE(connect_refuses_a_response_with_the_wrong_payload),
	KUNIT_CASE(connect_fails_on_the_devices_spdm_error),
	KUNIT_CASE(ide_km_fails_on_the_devices_spdm_error),
	KUNIT_CASE(spdm_delete_is_refused_while_streams_exist_or_connected),
	KUNIT_CASE(stream_block_is_refused_before_km_stop),
	KUNIT_CASE(stream_delete_is_refused_before_block),
	KUNIT_CASE(spdm_delete_reports_an_uncleared_release_root),
	KUNIT_CASE(stream_create_fails_when_streams_run_out),
	KUNIT_CASE(stream_create_refuses_a_link_stream),
	KUNIT_CASE(stream_create_refuses_nonzero_stream_control),
	KUNIT_CASE(stream_create_refuses_an_invalid_rid_association),
	KUNIT_CASE(stream_create_refuses_an_unconnected_session),
	KUNIT_CASE(extension_leaves_wait_for_extensions_init),
	KUNIT_CASE(fail_nth_fails_one_call_without_side_effect),
	KUNIT_CASE(device_reports_a_request_out_of_sequence),
	KUNIT_CASE(another_leaf_while_connect_is_open_is_busy),
	KUNIT_CASE(a_second_caller_inside_the_module_is_busy),
	KUNIT_CASE(the_lock_keeps_a_second_caller_out),
	{}
};

static struct kunit_suite tdx_fake_spdm_suite = {
	.name = "tdx_fake_spdm",
	.test_cases = tdx_fake_spdm_cases,
};

kunit_test_suite(tdx_fake_spdm_suite);
