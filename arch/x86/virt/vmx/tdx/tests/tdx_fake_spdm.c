// SPDX-License-Identifier: GPL-2.0-only
/*
 * SPDM sessions and IDE streams for the fake TDX module:
 * tdx_fake_spdm_install() takes over the fake's Extension leaves.  The
 * message formats and the knobs are in tdx_fake_spdm_device.h, the device
 * end that answers the leaves' requests in tdx_fake_spdm_device.c.
 *
 * The leaves decode every operand, take and give back metadata pages
 * through the fake's PAMT-like map, and refuse what the order of connect
 * and disconnect forbids: a stream on a session that is not connected, a
 * BLOCK before the keys are stopped, a DELETE before BLOCK, a session
 * DELETE while it has streams or is connected.  Where the ABI names no
 * status for a refusal the fake returns TDX_OPERAND_INVALID with the
 * operand ID of the register at fault, and says why in @refusal.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

#include <linux/bitfield.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/pci-doe.h>
#include <linux/pci_ids.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/unaligned.h>
#include <uapi/linux/pci_regs.h>

#include <kunit/test.h>
#include <kunit/visibility.h>

#include <asm/shared/tdx_errno.h>
#include <asm/tdx.h>
#include "tdx_fake_module.h"
#include "tdx_fake_spdm.h"
#include <asm/tdx_handoff.h>
#include <asm/tdx_spdm_ide.h>

#include "../tdx.h"

/* Operand IDs of the registers beyond R9 */
#define FAKE_OPERAND_R10	0x0a
#define FAKE_OPERAND_R11	0x0b

#define FAKE_SPDM_ID_BASE	0x5d00

/* TDH.SPDM.CREATE RCX: FUNCTION_ID */
#define FAKE_FUNC_ID_RID	GENMASK_ULL(15, 0)
#define FAKE_FUNC_ID_SEG	GENMASK_ULL(23, 16)
#define FAKE_FUNC_ID_SEG_VALID	BIT_ULL(24)

/* HPA_ARRAY_T: reserved bits */
#define FAKE_HPA_ARRAY_RSVD	(GENMASK_ULL(11, 0) | GENMASK_ULL(54, 52))
#define FAKE_HPA_RSVD		(GENMASK_ULL(11, 0) | GENMASK_ULL(63, 52))
static __printf(2, 3) u64 fake_refuse(struct tdx_fake_spdm *fs, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vsnprintf(fs->refusal, sizeof(fs->refusal), fmt, args);
	va_end(args);
	fs->nr_refusals++;
	return 0;
}

#define REFUSE(fs, status, operand, fmt, ...)	\
	(fake_refuse(fs, fmt, ##__VA_ARGS__) | (status) | (operand))
static bool fake_page_ok(struct tdx_fake_spdm *fs, u64 pa)
{
	return !(pa & FAKE_HPA_RSVD) && pfn_valid(PHYS_PFN(pa)) &&
	       !tdx_fake_owns(fs->fake, pa);
}

static struct tdx_fake_spdm_session *fake_session(struct tdx_fake_spdm *fs, u64 spdm_id)
{
	u64 i = spdm_id - FAKE_SPDM_ID_BASE;

	if (spdm_id < FAKE_SPDM_ID_BASE || i >= TDX_FAKE_SPDM_MAX_SESSIONS ||
	    !fs->sessions[i].used)
		return NULL;
	return &fs->sessions[i];
}

/*
 * Decode an HPA_ARRAY_T of @min to @max pages into @pages.  Returns the
 * number of pages, or 0 if the operand is malformed.
 */
static unsigned int fake_hpa_array(struct tdx_fake_spdm *fs, const char *what, u64 arr,
				   unsigned int min, unsigned int max, u64 *pages)
{
	unsigned int nr = FIELD_GET(TDX_HPA_ARRAY_SIZE, arr) + 1, i;
	u64 pa = FIELD_GET(TDX_HPA_ARRAY_PFN, arr) << PAGE_SHIFT;
	const u64 *root;

	if (arr & FAKE_HPA_ARRAY_RSVD || nr < min || nr > max || !pfn_valid(PHYS_PFN(pa)))
		return 0;
	if (nr == 1) {
		pages[0] = pa;
		return 1;
	}
	if (!tdx_fake_check_flushed(fs->fake, what, pa, nr * sizeof(u64)))
		return 0;
	root = __va(pa);
	for (i = 0; i < nr; i++) {
		if (root[i] & FAKE_HPA_RSVD || !pfn_valid(PHYS_PFN(root[i])))
			return 0;
		pages[i] = root[i];
	}
	return nr;
}

/* Take @nr pages, all or none. */
static u64 fake_take_all(struct tdx_fake_spdm *fs, const u64 *pages, unsigned int nr)
{
	unsigned int i;
	u64 ret;

	for (i = 0; i < nr; i++) {
		ret = tdx_fake_take(fs->fake, pages[i], 0);
		if (ret) {
			while (i--)
				tdx_fake_untake(fs->fake, pages[i]);
			return ret;
		}
	}
	return TDX_SUCCESS;
}

/*
 * The released list of a DELETE: written to the root page @root_pa, which
 * the kernel must have cleared, and returned as an HPA_ARRAY_T.
 */
static u64 fake_release(struct tdx_fake_spdm *fs, u64 root_pa, const u64 *pages,
			unsigned int nr)
{
	u64 *root = __va(root_pa);
	unsigned int i;

	tdx_fake_check_cleared(fs->fake, root_pa);
	for (i = 0; i < nr; i++) {
		if (nr > 1)
			root[i] = pages[i];
		tdx_fake_give_back(fs->fake, pages[i]);
	}
	if (nr == 1)
		return FIELD_PREP(TDX_HPA_ARRAY_PFN, PHYS_PFN(pages[0]));
	return FIELD_PREP(TDX_HPA_ARRAY_PFN, PHYS_PFN(root_pa)) |
	       FIELD_PREP(TDX_HPA_ARRAY_SIZE, nr - 1);
}

static u64 fake_spdm_create(struct tdx_fake_spdm *fs, struct tdx_module_args *args)
{
	u64 func_id = args->rcx, pages[TDX_FAKE_SPDM_MAX_MT_PAGES];
	struct tdx_fake_spdm_session *s = NULL;
	unsigned int nr, i;
	u64 ret;

	if (func_id & ~(FAKE_FUNC_ID_RID | FAKE_FUNC_ID_SEG | FAKE_FUNC_ID_SEG_VALID) ||
	    (FIELD_GET(FAKE_FUNC_ID_SEG, func_id) && !(func_id & FAKE_FUNC_ID_SEG_VALID)))
		return REFUSE(fs, TDX_OPERAND_INVALID, TDX_OPERAND_ID_RCX,
			      "FUNCTION_ID 0x%llx has reserved bits", func_id);
	if (tdx_fake_spdm_session(fs, func_id))
		return REFUSE(fs, TDX_OPERAND_INVALID, TDX_OPERAND_ID_RCX,
			      "FUNCTION_ID 0x%llx has a session", func_id);
	for (i = 0; i < TDX_FAKE_SPDM_MAX_SESSIONS && !s; i++) {
		if (!fs->sessions[i].used)
			s = &fs->sessions[i];
	}
	if (!s)
		return REFUSE(fs, TDX_OPERAND_INVALID, TDX_OPERAND_ID_RCX, "no session left");

	nr = fs->fake->spdm_mt_page_count;
	if (nr > TDX_FAKE_SPDM_MAX_MT_PAGES ||
	    fake_hpa_array(fs, "SPDM metadata root page", args->rdx, nr, nr, pages) != nr)
		return REFUSE(fs, TDX_OPERAND_INVALID, TDX_OPERAND_ID_RDX,
			      "spdm_mt is not an HPA_ARRAY_T of %u pages", nr);
	ret = fake_take_all(fs, pages, nr);
	if (ret)
		return REFUSE(fs, ret, TDX_OPERAND_ID_RDX, "spdm_mt page refused");

	*s = (struct tdx_fake_spdm_session) {
		.used = true,
		.func_id = func_id,
		.spdm_id = FAKE_SPDM_ID_BASE + (s - fs->sessions),
		.nr_pages = nr,
	};
	memcpy(s->pages, pages, nr * sizeof(u64));
	args->rcx = s->spdm_id;
	return TDX_SUCCESS;
}

/*
 * A failure status is final: the exchange it was a step of ends, as the
 * fake module's one-caller rule has it, and a connect starts over.
 */
static void fake_fail_ends_exchange(struct tdx_fake_spdm *fs, u16 leaf, u64 spdm_id)
{
	struct tdx_fake_spdm_session *s = fake_session(fs, spdm_id);

	if (s && s->xchg.leaf == leaf)
		s->xchg = (struct tdx_fake_spdm_xchg) {};
}

static u64 fake_spdm_delete(struct tdx_fake_spdm *fs, struct tdx_module_args *args)
{
	struct tdx_fake_spdm_session *s = fake_session(fs, args->rcx);

	if (!s)
		return REFUSE(fs, TDX_OPERAND_INVALID, TDX_OPERAND_ID_RCX, "no such session");
	if (s->nr_streams)
		return REFUSE(fs, TDX_OPERAND_INVALID, TDX_OPERAND_ID_RCX,
			      "session has %u streams", s->nr_streams);
	/* A session whose connect failed goes with its half-made state. */
	if (s->connected || s->xchg.leaf)
		return REFUSE(fs, TDX_OPERAND_INVALID, TDX_OPERAND_ID_RCX,
			      "session is connected or in an exchange");
	if (args->rdx & ~PAGE_MASK || !fake_page_ok(fs, args->rdx))
		return REFUSE(fs, TDX_OPERAND_INVALID, TDX_OPERAND_ID_RDX,
			      "bad release root page");

	args->rcx = fake_release(fs, args->rdx, s->pages, s->nr_pages);
	memset(s, 0, sizeof(*s));
	return TDX_SUCCESS;
}

/*
 * Check the message pages of an exchange: request page @req_pa, response
 * page @rsp_pa.  Returns 0 or the refusal.
 */
static u64 fake_msg_pages(struct tdx_fake_spdm *fs, u64 rsp_pa, u64 rsp_op,
			  u64 req_pa, u64 req_op)
{
	if (rsp_pa & ~PAGE_MASK || !fake_page_ok(fs, rsp_pa))
		return REFUSE(fs, TDX_OPERAND_INVALID, rsp_op, "bad response page");
	if (req_pa & ~PAGE_MASK || !fake_page_ok(fs, req_pa) || req_pa == rsp_pa)
		return REFUSE(fs, TDX_OPERAND_INVALID, req_op, "bad request page");
	return 0;
}

/* Write request @idx of the exchange to the request page. */
static u64 fake_send(struct tdx_fake_spdm_session *s, u64 req_pa, u64 *rcx)
{
	const struct tdx_fake_spdm_step *st =
		&tdx_fake_spdm_script_of(s->xchg.leaf, s->xchg.op).steps[s->xchg.idx];
	u8 *page = __va(req_pa);
	unsigned int len;
	__le32 hdr[2];

	len = tdx_fake_spdm_payload(page + TDX_FAKE_SPDM_DOE_HDR, s->func_id, st,
				    s->xchg.stream ? s->xchg.stream->stream_id : 0, false);
	hdr[0] = cpu_to_le32(FIELD_PREP(PCI_DOE_DATA_OBJECT_HEADER_1_VID, PCI_VENDOR_ID_PCI_SIG) |
			     FIELD_PREP(PCI_DOE_DATA_OBJECT_HEADER_1_TYPE, st->type));
	hdr[1] = cpu_to_le32((TDX_FAKE_SPDM_DOE_HDR + len) / 4);
	memcpy(page, hdr, sizeof(hdr));
	*rcx = TDX_FAKE_SPDM_DOE_HDR + len;
	return TDX_SPDM_REQUEST;
}

/*
 * Check the response to request @idx in the response page against what
 * the fake device answers to it.  Returns 0, or the refusal.
 */
static u64 fake_check_response(struct tdx_fake_spdm *fs, struct tdx_fake_spdm_session *s,
			       u64 rsp_pa, u64 rsp_op)
{
	const struct tdx_fake_spdm_step *st =
		&tdx_fake_spdm_script_of(s->xchg.leaf, s->xchg.op).steps[s->xchg.idx];
	const u8 *page = __va(rsp_pa);
	unsigned int len, dws, off;
	u32 hdr[2];
	u8 *want;
	u64 ret = 0;

	want = kzalloc(PAGE_SIZE, GFP_KERNEL);
	if (!want)
		return TDX_SYS_BUSY;
	len = tdx_fake_spdm_payload(want, s->func_id, st,
				    s->xchg.stream ? s->xchg.stream->stream_id : 0, true);

	hdr[0] = get_unaligned_le32(page);
	hdr[1] = get_unaligned_le32(page + 4);
	dws = FIELD_GET(PCI_DOE_DATA_OBJECT_HEADER_2_LENGTH, hdr[1]);
	off = TDX_FAKE_SPDM_DOE_HDR;
	if (st->type == PCI_DOE_FEATURE_SSESSION)
		off += TDX_FAKE_SPDM_SS_HDR;
	if (FIELD_GET(PCI_DOE_DATA_OBJECT_HEADER_1_VID, hdr[0]) != PCI_VENDOR_ID_PCI_SIG ||
	    FIELD_GET(PCI_DOE_DATA_OBJECT_HEADER_1_TYPE, hdr[0]) != st->type)
		ret = REFUSE(fs, TDX_OPERAND_INVALID, rsp_op,
			     "response is not a DOE object of type %u", st->type);
	else if (dws * 4 >= off + 4 && dws * 4 <= PAGE_SIZE &&
		 page[off + 1] == TDX_FAKE_SPDM_ERROR)
		ret = REFUSE(fs, TDX_OPERAND_INVALID, rsp_op,
			     "device answered ERROR 0x%02x", page[off + 2]);
	else if (dws * 4 != TDX_FAKE_SPDM_DOE_HDR + len)
		ret = REFUSE(fs, TDX_OPERAND_INVALID, rsp_op,
			     "response length %u dwords, not %u", dws,
			     (TDX_FAKE_SPDM_DOE_HDR + len) / 4);
	else if (memcmp(page + TDX_FAKE_SPDM_DOE_HDR, want, len))
		ret = REFUSE(fs, TDX_OPERAND_INVALID, rsp_op,
			     "response payload is not the device's answer to 0x%02x", st->code);
	kfree(want);
	return ret;
}

/*
 * One call of an exchange: the first sends request 0, each later one
 * checks the response to the last request and sends the next.  Returns
 * TDX_SPDM_REQUEST, TDX_SUCCESS when the script is done, or the refusal,
 * which ends the exchange.
 */
static u64 fake_exchange(struct tdx_fake_spdm *fs, struct tdx_fake_spdm_session *s,
			 u16 leaf, u8 op, struct tdx_fake_spdm_stream *stream,
			 u64 rsp_pa, u64 rsp_op, u64 req_pa, u64 *rcx)
{
	struct tdx_fake_spdm_xchg *x = &s->xchg;
	u64 ret;

	if (x->leaf != leaf) {
		*x = (struct tdx_fake_spdm_xchg) { .leaf = leaf, .op = op, .stream = stream };
		return fake_send(s, req_pa, rcx);
	}
	if (x->op != op || x->stream != stream) {
		*x = (struct tdx_fake_spdm_xchg) {};
		return REFUSE(fs, TDX_OPERAND_INVALID, TDX_OPERAND_ID_RDX,
			      "operation changed in the middle of an exchange");
	}
	ret = fake_check_response(fs, s, rsp_pa, rsp_op);
	if (ret) {
		*x = (struct tdx_fake_spdm_xchg) {};
		return ret;
	}
	if (++x->idx < tdx_fake_spdm_script_of(leaf, op).nr)
		return fake_send(s, req_pa, rcx);
	*x = (struct tdx_fake_spdm_xchg) {};
	return TDX_SUCCESS;
}

/* The fake device information, @fs->dev_info_len bytes over the pages. */
static void fake_write_dev_info(struct tdx_fake_spdm *fs, struct tdx_fake_spdm_session *s,
				const u64 *pages)
{
	unsigned int done, n;
	u8 *buf;

	for (done = 0; done < fs->dev_info_len; done += n) {
		n = min_t(unsigned int, fs->dev_info_len - done, PAGE_SIZE);
		buf = __va(pages[done / PAGE_SIZE]);
		tdx_fake_spdm_pattern(buf, n, s->func_id, 0xd1);
		if (!done)
			put_unaligned_le32(s->func_id, buf);
	}
	s->dev_info_len = fs->dev_info_len;
}

static bool fake_config_bad(u64 pa)
{
	const struct tdx_spdm_config *cfg = __va(pa);

	return (cfg->vmm_spdm_cap & ~(TDX_SPDM_CFG_CAP_HBEAT | TDX_SPDM_CFG_CAP_KEY_UPD)) ||
	       !cfg->cert_slot_mask ||
	       memchr_inv((void *)cfg + sizeof(*cfg), 0, PAGE_SIZE - sizeof(*cfg));
}

/* The session's key update needs the host to have asked for KEY_UPD. */
static bool fake_config_key_upd(u64 pa)
{
	const struct tdx_spdm_config *cfg = __va(pa);

	return cfg->vmm_spdm_cap & TDX_SPDM_CFG_CAP_KEY_UPD;
}

static u64 fake_spdm_connect(struct tdx_fake_spdm *fs, struct tdx_module_args *args)
{
	struct tdx_fake_spdm_session *s = fake_session(fs, args->rcx);
	unsigned int max = fs->fake->spdm_max_dev_info_pages, nr, i;
	u64 dev_info[TDX_FAKE_SPDM_MAX_MT_PAGES];
	u64 ret;

	if (!s)
		return REFUSE(fs, TDX_OPERAND_INVALID, TDX_OPERAND_ID_RCX, "no such session");
	if (s->connected)
		return REFUSE(fs, TDX_OPERAND_INVALID, TDX_OPERAND_ID_RCX, "already connected");
	/* The configuration page as Intel's posting fills it; the rest is reserved. */
	if (args->rdx & ~PAGE_MASK || !fake_page_ok(fs, args->rdx) || fake_config_bad(args->rdx))
		return REFUSE(fs, TDX_OPERAND_INVALID, TDX_OPERAND_ID_RDX,
			      "configuration page has reserved bits set or no certificate slot");
	ret = fake_msg_pages(fs, args->r8, TDX_OPERAND_ID_R8, args->r9, TDX_OPERAND_ID_R9);
	if (ret)
		return ret;
	nr = fake_hpa_array(fs, "device information root page", args->r10, 1,
			    min_t(unsigned int, max, TDX_FAKE_SPDM_MAX_MT_PAGES), dev_info);
	for (i = 0; i < nr; i++) {
		if (!fake_page_ok(fs, dev_info[i]))
			nr = 0;
	}
	if (!nr || nr * PAGE_SIZE < fs->dev_info_len)
		return REFUSE(fs, TDX_OPERAND_INVALID, FAKE_OPERAND_R10,
			      "dev_info is not an HPA_ARRAY_T of 1 to %u kernel pages", max);

	if (!s->established || s->xchg.leaf) {
		ret = fake_exchange(fs, s, TDH_SPDM_CONNECT, 0, NULL, args->r8,
				    TDX_OPERAND_ID_R8, args->r9, &args->rcx);
		if (ret != TDX_SUCCESS)
			return ret;
		s->established = true;
		s->key_refresh_due = fs->key_refresh && fake_config_key_upd(args->rdx);
	}
	if (s->key_refresh_due)
		return TDX_SPDM_SESSION_KEY_REQUIRE_REFRESH;

	fake_write_dev_info(fs, s, dev_info);
	s->connected = true;
	args->rcx = s->dev_info_len;
	return TDX_SUCCESS;
}

static u64 fake_spdm_disconnect(struct tdx_fake_spdm *fs, struct tdx_module_args *args)
{
	struct tdx_fake_spdm_session *s = fake_session(fs, args->rcx);
	u64 ret;

	if (!s)
		return REFUSE(fs, TDX_OPERAND_INVALID, TDX_OPERAND_ID_RCX, "no such session");
	if (!s->established)
		return REFUSE(fs, TDX_OPERAND_INVALID, TDX_OPERAND_ID_RCX, "no secured session");
	if (s->nr_streams)
		return REFUSE(fs, TDX_OPERAND_INVALID, TDX_OPERAND_ID_RCX,
			      "session has %u streams", s->nr_streams);
	ret = fake_msg_pages(fs, args->rdx, TDX_OPERAND_ID_RDX, args->r8, TDX_OPERAND_ID_R8);
	if (ret)
		return ret;

	ret = fake_exchange(fs, s, TDH_SPDM_DISCONNECT, 0, NULL, args->rdx,
			    TDX_OPERAND_ID_RDX, args->r8, &args->rcx);
	if (ret != TDX_SUCCESS)
		return ret;
	s->connected = false;
	s->established = false;
	args->rcx = 0;
	return TDX_SUCCESS;
}

static u64 fake_spdm_mng(struct tdx_fake_spdm *fs, struct tdx_module_args *args)
{
	struct tdx_fake_spdm_session *s = fake_session(fs, args->rcx);
	u64 ret;

	if (!s)
		return REFUSE(fs, TDX_OPERAND_INVALID, TDX_OPERAND_ID_RCX, "no such session");
	if (!s->established || (s->xchg.leaf && s->xchg.leaf != TDH_SPDM_MNG))
		return REFUSE(fs, TDX_OPERAND_INVALID, TDX_OPERAND_ID_RCX,
			      "no secured session");
	if (args->rdx != TDX_SPDM_MNG_HEARTBEAT && args->rdx != TDX_SPDM_MNG_KEY_UPDATE)
		return REFUSE(fs, TDX_OPERAND_INVALID, TDX_OPERAND_ID_RDX,
			      "operation %llu not modelled", args->rdx);
	ret = fake_msg_pages(fs, args->r8, TDX_OPERAND_ID_R8, args->r9, TDX_OPERAND_ID_R9);
	if (ret)
		return ret;

	ret = fake_exchange(fs, s, TDH_SPDM_MNG, args->rdx, NULL, args->r8,
			    TDX_OPERAND_ID_R8, args->r9, &args->rcx);
	if (ret != TDX_SUCCESS)
		return ret;
	if (args->rdx == TDX_SPDM_MNG_KEY_UPDATE) {
		s->key_refresh_due = false;
		s->nr_key_updates++;
	}
	args->rcx = 0;
	return TDX_SUCCESS;
}

static u64 fake_ide_stream_create(struct tdx_fake_spdm *fs, struct tdx_module_args *args)
{
	struct tdx_fake_spdm_session *s = fake_session(fs, args->rdx);
	unsigned int nr = fs->fake->ide_mt_page_count, i, max;
	u64 pages[TDX_FAKE_SPDM_MAX_MT_PAGES];
	struct tdx_fake_spdm_stream *st = NULL;
	u64 ret;

	if (args->rcx & ~(TDX_IDE_STREAM_INFO_RP_DEVFN | TDX_IDE_STREAM_INFO_SELECTIVE))
		return REFUSE(fs, TDX_OPERAND_INVALID, TDX_OPERAND_ID_RCX,
			      "stream_info has reserved bits");
	if (!(args->rcx & TDX_IDE_STREAM_INFO_SELECTIVE))
		return REFUSE(fs, TDX_OPERAND_INVALID, TDX_OPERAND_ID_RCX,
			      "link streams are not supported");
	if (!s || !s->connected)
		return REFUSE(fs, TDX_OPERAND_INVALID, TDX_OPERAND_ID_RDX,
			      "session not connected");
	if (args->r9)
		return REFUSE(fs, TDX_OPERAND_INVALID, TDX_OPERAND_ID_R9,
			      "stream control 0x%llx is not 0", args->r9);
	if (args->r10 & ~(u64)PCI_IDE_SEL_RID_1_LIMIT)
		return REFUSE(fs, TDX_OPERAND_INVALID, FAKE_OPERAND_R10,
			      "RID association 1 has reserved bits");
	if (args->r11 & ~(u64)(PCI_IDE_SEL_RID_2_VALID | PCI_IDE_SEL_RID_2_BASE |
			       PCI_IDE_SEL_RID_2_SEG) ||
	    !(args->r11 & PCI_IDE_SEL_RID_2_VALID))
		return REFUSE(fs, TDX_OPERAND_INVALID, FAKE_OPERAND_R11,
			      "RID association 2 not valid");

	max = min_t(unsigned int, fs->max_streams, TDX_FAKE_SPDM_MAX_STREAMS);
	for (i = 0; i < max && !st; i++) {
		if (!fs->streams[i].used)
			st = &fs->streams[i];
	}
	if (!st)
		return REFUSE(fs, TDX_OPERAND_INVALID, TDX_OPERAND_ID_RCX,
			      "no IDE stream left");

	if (nr > TDX_FAKE_SPDM_MAX_MT_PAGES ||
	    fake_hpa_array(fs, "IDE metadata root page", args->r8, nr, nr, pages) != nr)
		return REFUSE(fs, TDX_OPERAND_INVALID, TDX_OPERAND_ID_R8,
			      "stream_mt is not an HPA_ARRAY_T of %u pages", nr);
	ret = fake_take_all(fs, pages, nr);
	if (ret)
		return REFUSE(fs, ret, TDX_OPERAND_ID_R8, "stream_mt page refused");

	*st = (struct tdx_fake_spdm_stream) {
		.used = true,
		.session = s,
		.stream_id = st - fs->streams + 1,
		.rp_ide_id = st - fs->streams,
		.rp_devfn = FIELD_GET(TDX_IDE_STREAM_INFO_RP_DEVFN, args->rcx),
		.rid_limit = FIELD_GET(PCI_IDE_SEL_RID_1_LIMIT, args->r10),
		.rid_base = FIELD_GET(PCI_IDE_SEL_RID_2_BASE, args->r11),
		.rid_seg = FIELD_GET(PCI_IDE_SEL_RID_2_SEG, args->r11),
		.addr_assoc = { args->r12, args->r13, args->r14 },
		.nr_pages = nr,
	};
	memcpy(st->pages, pages, nr * sizeof(u64));
	s->nr_streams++;
	args->rcx = st->stream_id;
	args->rdx = st->rp_ide_id;
	return TDX_SUCCESS;
}

static u64 fake_ide_stream_km(struct tdx_fake_spdm *fs, struct tdx_module_args *args)
{
	struct tdx_fake_spdm_session *s = fake_session(fs, args->rcx);
	bool setup = args->r8 == TDX_IDE_KM_SETUP;
	struct tdx_fake_spdm_stream *st;
	u64 ret;

	if (!s || !s->connected)
		return REFUSE(fs, TDX_OPERAND_INVALID, TDX_OPERAND_ID_RCX,
			      "session not connected");
	st = tdx_fake_spdm_find_stream(fs, s, args->rdx);
	if (!st)
		return REFUSE(fs, TDX_OPERAND_INVALID, TDX_OPERAND_ID_RDX, "no such stream");
	if (args->r8 > TDX_IDE_KM_STOP)
		return REFUSE(fs, TDX_OPERAND_INVALID, TDX_OPERAND_ID_R8,
			      "operation %llu", args->r8);
	/* Setup on a stream without keys; refresh and stop on a keyed one. */
	if (!s->xchg.leaf && (st->blocked || st->keyed == setup))
		return REFUSE(fs, TDX_OPERAND_INVALID, TDX_OPERAND_ID_R8,
			      "operation %llu on a stream %s", args->r8,
			      st->blocked ? "blocked" : st->keyed ? "keyed" : "not keyed");
	ret = fake_msg_pages(fs, args->r9, TDX_OPERAND_ID_R9, args->r10, FAKE_OPERAND_R10);
	if (ret)
		return ret;

	ret = fake_exchange(fs, s, TDH_IDE_STREAM_KM, args->r8, st, args->r9,
			    TDX_OPERAND_ID_R9, args->r10, &args->rcx);
	if (ret != TDX_SUCCESS)
		return ret;
	st->keyed = args->r8 != TDX_IDE_KM_STOP;
	st->rp_enabled = st->keyed;
	args->rcx = 0;
	return TDX_SUCCESS;
}

static u64 fake_ide_stream_block(struct tdx_fake_spdm *fs, struct tdx_module_args *args)
{
	struct tdx_fake_spdm_session *s = fake_session(fs, args->rcx);
	struct tdx_fake_spdm_stream *st = s ? tdx_fake_spdm_find_stream(fs, s, args->rdx) : NULL;

	if (!s)
		return REFUSE(fs, TDX_OPERAND_INVALID, TDX_OPERAND_ID_RCX, "no such session");
	if (!st)
		return REFUSE(fs, TDX_OPERAND_INVALID, TDX_OPERAND_ID_RDX, "no such stream");
	if (st->keyed || st->blocked)
		return REFUSE(fs, TDX_OPERAND_INVALID, TDX_OPERAND_ID_RDX,
			      "stream %s", st->keyed ? "keyed: KM stop first" : "already blocked");
	st->blocked = true;
	return TDX_SUCCESS;
}

static u64 fake_ide_stream_delete(struct tdx_fake_spdm *fs, struct tdx_module_args *args)
{
	struct tdx_fake_spdm_session *s = fake_session(fs, args->rcx);
	struct tdx_fake_spdm_stream *st = s ? tdx_fake_spdm_find_stream(fs, s, args->rdx) : NULL;

	if (!s)
		return REFUSE(fs, TDX_OPERAND_INVALID, TDX_OPERAND_ID_RCX, "no such session");
	if (!st)
		return REFUSE(fs, TDX_OPERAND_INVALID, TDX_OPERAND_ID_RDX, "no such stream");
	if (!st->blocked)
		return REFUSE(fs, TDX_OPERAND_INVALID, TDX_OPERAND_ID_RDX,
			      "stream not blocked");
	if (args->r8 & ~PAGE_MASK || !fake_page_ok(fs, args->r8))
		return REFUSE(fs, TDX_OPERAND_INVALID, TDX_OPERAND_ID_R8,
			      "bad release root page");

	args->rcx = fake_release(fs, args->r8, st->pages, st->nr_pages);
	s->nr_streams--;
	memset(st, 0, sizeof(*st));
	return TDX_SUCCESS;
}

static u64 fake_spdm_leaf(struct tdx_fake_module *fake, u16 leaf, u8 version,
			  struct tdx_module_args *args)
{
	struct tdx_fake_spdm *fs = fake->ext_priv;

	tdx_fake_spdm_log(fs, leaf);
	if (++fs->nr_calls == fs->fail_nth) {
		fake_fail_ends_exchange(fs, leaf, args->rcx);
		return fs->fail_status;
	}
	if (version)
		return REFUSE(fs, TDX_OPERAND_INVALID, TDX_OPERAND_ID_RAX, "version %u", version);
	if (!fake->ext_initialized)
		return REFUSE(fs, TDX_SYS_NOT_READY, 0, "Extensions not initialized");

	switch (leaf) {
	case TDH_SPDM_CREATE:
		return fake_spdm_create(fs, args);
	case TDH_SPDM_DELETE:
		return fake_spdm_delete(fs, args);
	case TDH_SPDM_CONNECT:
		return fake_spdm_connect(fs, args);
	case TDH_SPDM_DISCONNECT:
		return fake_spdm_disconnect(fs, args);
	case TDH_SPDM_MNG:
		return fake_spdm_mng(fs, args);
	case TDH_IDE_STREAM_CREATE:
		return fake_ide_stream_create(fs, args);
	case TDH_IDE_STREAM_BLOCK:
		return fake_ide_stream_block(fs, args);
	case TDH_IDE_STREAM_DELETE:
		return fake_ide_stream_delete(fs, args);
	case TDH_IDE_STREAM_KM:
		return fake_ide_stream_km(fs, args);
	default:
		return REFUSE(fs, TDX_OPERAND_INVALID, TDX_OPERAND_ID_RAX, "leaf %u", leaf);
	}
}

/**
 * tdx_fake_spdm_install() - Add SPDM sessions and IDE streams to a fake module
 * @test: the test; the state goes away when it ends
 * @fake: the fake module, from tdx_fake_module_install()
 *
 * Takes over @fake's ext_leaf hook and ext_priv.  The leaves refuse with
 * TDX_SYS_NOT_READY until the fake's Extensions are initialized.  Knobs
 * start at: no key refresh, 8 streams, 256 bytes of device information,
 * no device error, no failure.
 *
 * Context: Process context, in a KUnit test.
 * Return: the state; a failure to create it fails the test.
 */
struct tdx_fake_spdm *tdx_fake_spdm_install(struct kunit *test,
					    struct tdx_fake_module *fake)
{
	struct tdx_fake_spdm *fs = kunit_kzalloc(test, sizeof(*fs), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, fs);
	fs->fake = fake;
	fs->max_streams = 8;
	fs->dev_info_len = 256;
	fs->error_code = 0x01;
	fake->ext_leaf = fake_spdm_leaf;
	fake->ext_priv = fs;
	return fs;
}
EXPORT_SYMBOL_IF_KUNIT(tdx_fake_spdm_install);
