// SPDX-License-Identifier: GPL-2.0-only
/*
 * A fake of the TDI lifecycle leaves for KUnit, plugged into the fake TDX
 * module through its other_leaf hook.
 *
 * The fake decodes the operands of the tdxio leaves as asm/tdx_tdi.h lays
 * them out (unconfirmed, see there) and refuses what the module refuses,
 * with its status codes and operand IDs: reserved bits, misaligned,
 * unknown or already owned pages, and the orderings the module enforces.
 * A TDI needs its metadata page before TDH.DEVIF.CREATE; MMIO can be given
 * to it (TDH.MMIOMT.SET) only while it exists; TDH.DEVIF.REMOVE is refused
 * while the TDI is not CONFIG_UNLOCKED, while a DMA remapping entry added
 * for its RID since it exists is mapped (TDX_DEVIF_HAS_MAPPED_DMA: the
 * module keeps that flag in the TDI's control structure, so trusted DMA
 * set up before the TDI, as bind does, does not count) and while any of
 * its MMIO is mapped (TDX_DEVIF_HAS_MAPPED_MMIO); the metadata page cannot be
 * removed while the TDI exists; MMIO cannot be taken back while mapped.
 *
 * It models only what those orderings need: one level-1 DEVIFMT page per
 * TDI and one level-1 MMIOMT page per 2 MiB region (the upper levels are
 * taken as present), 4 KiB MMIO pages, DMA remapping entries without the
 * pages they point to, and TDISP LOCK, STOP and GET_STATE requests of the
 * host in a plain-text wire format (asm/tdx_fake_tdi.h).  Where the
 * module's status for a refusal is not public, the nearest documented one
 * is used.
 *
 * Every call is recorded in order in a log of leaf numbers, which tests
 * extend with their own events, so that suites can assert exact
 * sequences.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

#include <linux/bitfield.h>
#include <linux/cleanup.h>
#include <linux/mm.h>
#include <linux/pci.h>
#include <linux/pci-doe.h>
#include <linux/string.h>
#include <linux/unaligned.h>

#include <kunit/test.h>
#include <kunit/visibility.h>

#include <asm/shared/tdx_errno.h>
#include <asm/tdx.h>
#include <asm/tdx_fake_module.h>
#include <asm/tdx_fake_tdi.h>
#include <asm/tdx_tdi.h>

#include "tdx.h"

/* Bits a page address operand must have 0 */
#define FAKE_PA_RSVD		(GENMASK_ULL(11, 0) | GENMASK_ULL(63, 52))
/* Bits a FUNCTION_ID must have 0; segments are not supported */
#define FAKE_FUNC_ID_BAD	(TDX_FUNC_ID_RSVD | TDX_FUNC_ID_SEGMENT_VALID)

static u64 op(u64 status, u64 operand)
{
	return status | operand;
}

static bool fake_pa_bad(u64 pa)
{
	return !pa || (pa & FAKE_PA_RSVD) || !pfn_valid(PHYS_PFN(pa));
}

/* A TDI with metadata */
static struct tdx_fake_devif *fake_devif(struct tdx_fake_tdi *ft, u64 func_id)
{
	unsigned int i;

	for (i = 0; i < TDX_FAKE_TDI_MAX_DEVIFS; i++) {
		if (ft->devifs[i].mt_page && ft->devifs[i].func_id == func_id)
			return &ft->devifs[i];
	}
	return NULL;
}

/* A TDI that TDH.DEVIF.CREATE created */
static struct tdx_fake_devif *fake_created(struct tdx_fake_tdi *ft, u64 func_id)
{
	struct tdx_fake_devif *d = fake_devif(ft, func_id);

	return d && d->created ? d : NULL;
}

/* DMA remapping entries of a RID; with @tdi_only, those that are a TDI's */
static unsigned int fake_nr_dma(struct tdx_fake_tdi *ft, u64 func_id, bool tdi_only)
{
	unsigned int i, nr = 0;

	for (i = 0; i < TDX_FAKE_TDI_MAX_DMAR; i++) {
		if (ft->dmar[i].idx && (ft->dmar[i].tdi || !tdi_only) &&
		    FIELD_GET(TDX_DMAR_IDX_RID, ft->dmar[i].idx) ==
		    FIELD_GET(TDX_FUNC_ID_RID, func_id))
			nr++;
	}
	return nr;
}

/* Whether a TDI exists for the RID of a DMAR_IDX */
static bool fake_dmar_of_tdi(struct tdx_fake_tdi *ft, u64 idx)
{
	unsigned int i;

	for (i = 0; i < TDX_FAKE_TDI_MAX_DEVIFS; i++) {
		if (ft->devifs[i].created &&
		    FIELD_GET(TDX_FUNC_ID_RID, (u64)ft->devifs[i].func_id) ==
		    FIELD_GET(TDX_DMAR_IDX_RID, idx))
			return true;
	}
	return false;
}

static u64 fake_devifmt_add(struct tdx_fake_tdi *ft, struct tdx_module_args *args)
{
	u64 func_id = FIELD_GET(TDX_DEVIFMT_IDX_FUNC_ID, args->rcx);
	struct tdx_fake_devif *d = NULL;
	unsigned int i;
	u64 ret;

	if ((args->rcx & TDX_DEVIFMT_IDX_RSVD) || (func_id & FAKE_FUNC_ID_BAD) ||
	    FIELD_GET(TDX_DEVIFMT_IDX_LEVEL, args->rcx) != TDX_DEVIFMT_LEVEL_LEAF_PAGE)
		return op(TDX_OPERAND_INVALID, TDX_OPERAND_ID_RCX);
	if (fake_devif(ft, func_id))
		return op(TDX_DEVIFMT_ALREADY_PRESENT, TDX_OPERAND_ID_RCX);

	for (i = 0; i < TDX_FAKE_TDI_MAX_DEVIFS && !d; i++) {
		if (!ft->devifs[i].mt_page)
			d = &ft->devifs[i];
	}
	if (!d)
		return TDX_SYS_BUSY;

	ret = tdx_fake_take(ft->fake, args->rdx, 0);
	if (ret)
		return op(ret, TDX_OPERAND_ID_RDX);

	*d = (struct tdx_fake_devif) {
		.func_id = func_id,
		.mt_page = args->rdx,
	};
	return TDX_SUCCESS;
}

static u64 fake_devifmt_remove(struct tdx_fake_tdi *ft, struct tdx_module_args *args)
{
	struct tdx_fake_devif *d;

	if ((args->rcx & TDX_DEVIFMT_IDX_RSVD) ||
	    FIELD_GET(TDX_DEVIFMT_IDX_LEVEL, args->rcx) != TDX_DEVIFMT_LEVEL_LEAF_PAGE)
		return op(TDX_OPERAND_INVALID, TDX_OPERAND_ID_RCX);

	d = fake_devif(ft, FIELD_GET(TDX_DEVIFMT_IDX_FUNC_ID, args->rcx));
	if (!d)
		return op(TDX_DEVIFMT_NOT_PRESENT, TDX_OPERAND_ID_RCX);
	/* The page still holds the entry of the TDI. */
	if (d->created)
		return op(TDX_DEVIF_INVALID_METADATA, TDX_OPERAND_ID_RCX);

	tdx_fake_give_back(ft->fake, d->mt_page);
	args->rcx = d->mt_page;
	*d = (struct tdx_fake_devif) {};
	return TDX_SUCCESS;
}

static u64 fake_devifmt_rd(struct tdx_fake_tdi *ft, struct tdx_module_args *args)
{
	u64 level = FIELD_GET(TDX_DEVIFMT_IDX_LEVEL, args->rcx);
	struct tdx_fake_devif *d;

	if ((args->rcx & TDX_DEVIFMT_IDX_RSVD) || level > TDX_DEVIFMT_LEVEL_LEAF_PAGE)
		return op(TDX_OPERAND_INVALID, TDX_OPERAND_ID_RCX);

	d = fake_devif(ft, FIELD_GET(TDX_DEVIFMT_IDX_FUNC_ID, args->rcx));
	if (level == TDX_DEVIFMT_LEVEL_LEAF_PAGE) {
		args->rcx = d ? d->mt_page | TDX_DEVIFMT_ENTRY_PRESENT : 0;
		return TDX_SUCCESS;
	}
	/* A level-0 entry is reached through the metadata page. */
	if (!d)
		return op(TDX_DEVIFMT_NOT_PRESENT, TDX_OPERAND_ID_RCX);
	args->rcx = d->created ? d->devifcs | TDX_DEVIFMT_ENTRY_PRESENT : 0;
	return TDX_SUCCESS;
}

static u64 fake_devif_create(struct tdx_fake_tdi *ft, struct tdx_module_args *args)
{
	u64 func_id = FIELD_GET(TDX_DEVIF_ID_FUNC_ID, args->rcx);
	struct tdx_fake_module *fake = ft->fake;
	struct tdx_fake_devif *d;
	u64 ret;

	if (args->rdx & FAKE_PA_RSVD || !args->rdx)
		return op(TDX_OPERAND_INVALID, TDX_OPERAND_ID_RDX);
	if (FIELD_GET(TDX_DEVIF_ID_TYPE, args->rcx) != TDX_DEVIF_TYPE_PFVF ||
	    (func_id & FAKE_FUNC_ID_BAD))
		return op(TDX_OPERAND_INVALID, TDX_OPERAND_ID_RCX);

	d = fake_devif(ft, func_id);
	if (!d)
		return op(TDX_DEVIFMT_NOT_PRESENT, TDX_OPERAND_ID_RCX);
	if (d->created)
		return op(TDX_DEVIFMT_ALREADY_PRESENT, TDX_OPERAND_ID_RCX);

	/* All three pages or none: the module checks them before it commits. */
	ret = tdx_fake_take(fake, args->r8, 0);
	if (ret)
		return op(ret, TDX_OPERAND_ID_R8);
	ret = tdx_fake_take(fake, args->r9, 0);
	if (ret) {
		tdx_fake_untake(fake, args->r8);
		return op(ret, TDX_OPERAND_ID_R9);
	}
	ret = tdx_fake_take(fake, args->r10, 0);
	if (ret) {
		tdx_fake_untake(fake, args->r9);
		tdx_fake_untake(fake, args->r8);
		return op(ret, TDX_OPERAND_ID_R10);
	}

	d->created = true;
	d->devif_id = args->rcx;
	d->vm_handle = args->rdx;
	d->devifcs = args->r8;
	d->td_buf = args->r9;
	d->vmm_buf = args->r10;
	d->tdisp_state = TDX_TDISP_CONFIG_UNLOCKED;
	d->pending = 0;
	return TDX_SUCCESS;
}

static u64 fake_devif_remove(struct tdx_fake_tdi *ft, struct tdx_module_args *args)
{
	struct tdx_fake_devif *d;

	if (args->rcx & FAKE_FUNC_ID_BAD)
		return op(TDX_OPERAND_INVALID, TDX_OPERAND_ID_RCX);
	d = fake_created(ft, args->rcx);
	if (!d)
		return op(TDX_DEVIFMT_NOT_PRESENT, TDX_OPERAND_ID_RCX);
	if (d->tdisp_state != TDX_TDISP_CONFIG_UNLOCKED)
		return op(TDX_DEVIF_INVALID_STATE, TDX_OPERAND_ID_RCX);
	if (fake_nr_dma(ft, args->rcx, true))
		return op(TDX_DEVIF_HAS_MAPPED_DMA, TDX_OPERAND_ID_RCX);
	if (d->nr_mmio_mapped)
		return op(TDX_DEVIF_HAS_MAPPED_MMIO, TDX_OPERAND_ID_RCX);

	tdx_fake_give_back(ft->fake, d->devifcs);
	tdx_fake_give_back(ft->fake, d->td_buf);
	tdx_fake_give_back(ft->fake, d->vmm_buf);
	args->rcx = d->td_buf;
	args->rdx = d->vmm_buf;
	args->r8 = d->vm_handle;
	*d = (struct tdx_fake_devif) {
		.func_id = d->func_id,
		.mt_page = d->mt_page,
	};
	return TDX_SUCCESS;
}

/* The DOE header of a TDISP message of @len bytes */
static void fake_doe_hdr(void *obj, size_t len)
{
	put_unaligned_le32(FIELD_PREP(PCI_DOE_DATA_OBJECT_HEADER_1_VID, PCI_VENDOR_ID_PCI_SIG) |
			   FIELD_PREP(PCI_DOE_DATA_OBJECT_HEADER_1_TYPE,
				      PCI_DOE_FEATURE_SSESSION), obj);
	put_unaligned_le32(FIELD_PREP(PCI_DOE_DATA_OBJECT_HEADER_2_LENGTH,
				      DIV_ROUND_UP(TDX_FAKE_TDISP_DOE_HDR + len, 4)),
			   obj + 4);
}

static bool fake_doe_hdr_ok(const void *obj, size_t len)
{
	u8 want[TDX_FAKE_TDISP_DOE_HDR];

	fake_doe_hdr(want, len);
	return !memcmp(obj, want, sizeof(want));
}

static u64 fake_devif_request(struct tdx_fake_tdi *ft, struct tdx_module_args *args)
{
	u64 code = FIELD_GET(TDX_DEVIF_REQ_CODE, args->rdx);
	struct tdx_fake_devif *d;
	u8 *msg;

	if ((args->rdx & TDX_DEVIF_REQ_RSVD) ||
	    ((args->rdx & TDX_DEVIF_REQ_TD) && code) ||
	    ((args->rdx & TDX_DEVIF_REQ_NO_FW_UPDATE) && code != TDX_TDISP_LOCK_INTERFACE_REQ))
		return op(TDX_OPERAND_INVALID, TDX_OPERAND_ID_RDX);
	if (args->r9)
		return op(TDX_OPERAND_INVALID, TDX_OPERAND_ID_R9);
	if (args->rcx & FAKE_FUNC_ID_BAD)
		return op(TDX_OPERAND_INVALID, TDX_OPERAND_ID_RCX);

	d = fake_created(ft, args->rcx);
	if (!d)
		return op(TDX_DEVIFMT_NOT_PRESENT, TDX_OPERAND_ID_RCX);
	if (d->tdisp_state == TDX_TDISP_ERROR_STATE &&
	    code != TDX_TDISP_INTERFACE_STATE_REQ && code != TDX_TDISP_STOP_INTERFACE_REQ)
		return op(TDX_DEVIF_TDISP_ERROR_STATE, TDX_OPERAND_ID_RCX);
	if (d->pending)
		return op(TDX_DEVIF_TDISP_OUT_REQ, TDX_OPERAND_ID_RCX);
	/* The fake has no TD requests to forward. */
	if (args->rdx & TDX_DEVIF_REQ_TD)
		return op(TDX_DEVIF_TDISP_INVALID_REQ_STS, TDX_OPERAND_ID_RCX);
	/* The host may lock, stop and ask for the state; the rest is the TD's. */
	if (code != TDX_TDISP_LOCK_INTERFACE_REQ && code != TDX_TDISP_STOP_INTERFACE_REQ &&
	    code != TDX_TDISP_INTERFACE_STATE_REQ)
		return op(TDX_OPERAND_INVALID, TDX_OPERAND_ID_RDX);
	if (code == TDX_TDISP_LOCK_INTERFACE_REQ && d->tdisp_state != TDX_TDISP_CONFIG_UNLOCKED)
		return op(TDX_DEVIF_INVALID_STATE, TDX_OPERAND_ID_RCX);
	if (fake_pa_bad(args->r8))
		return op(TDX_OPERAND_INVALID, TDX_OPERAND_ID_R8);

	msg = __va(args->r8);
	fake_doe_hdr(msg, TDX_FAKE_TDISP_MSG_SIZE);
	msg += TDX_FAKE_TDISP_DOE_HDR;
	memset(msg, 0, TDX_FAKE_TDISP_MSG_SIZE);
	msg[TDX_FAKE_TDISP_MSG_CODE] = code;
	put_unaligned_le16(TDX_FAKE_TDISP_MSG_SIZE, msg + TDX_FAKE_TDISP_MSG_LEN);
	put_unaligned_le32(args->rcx, msg + TDX_FAKE_TDISP_MSG_FUNC_ID);

	d->pending = code;
	args->rcx = FIELD_PREP(TDX_DEVIF_REQ_OUT_CODE, code) |
		    FIELD_PREP(TDX_DEVIF_REQ_OUT_LEN, TDX_FAKE_TDISP_OBJ_SIZE);
	return TDX_SUCCESS;
}

static u64 fake_devif_response(struct tdx_fake_tdi *ft, struct tdx_module_args *args)
{
	u64 pa = args->rdx & TDX_DEVIF_RSP_IN_PA;
	struct tdx_fake_devif *d;
	const u8 *msg;
	u64 out;
	u16 len;
	u8 code;

	if ((args->rdx & TDX_DEVIF_RSP_IN_RSVD) || fake_pa_bad(pa))
		return op(TDX_OPERAND_INVALID, TDX_OPERAND_ID_RDX);
	if (args->r9)
		return op(TDX_OPERAND_INVALID, TDX_OPERAND_ID_R9);
	if (args->rcx & FAKE_FUNC_ID_BAD)
		return op(TDX_OPERAND_INVALID, TDX_OPERAND_ID_RCX);

	d = fake_created(ft, args->rcx);
	if (!d)
		return op(TDX_DEVIFMT_NOT_PRESENT, TDX_OPERAND_ID_RCX);
	if (!d->pending)
		return op(TDX_DEVIF_TDISP_OUT_REQ, TDX_OPERAND_ID_RCX);
	if (args->rdx & TDX_DEVIF_RSP_IN_TD)
		return op(TDX_DEVIF_TDISP_INVALID_REQ_STS, TDX_OPERAND_ID_RDX);
	if (args->r8 && fake_pa_bad(args->r8))
		return op(TDX_OPERAND_INVALID, TDX_OPERAND_ID_R8);

	msg = __va(pa);
	if (!fake_doe_hdr_ok(msg, TDX_FAKE_TDISP_MSG_SIZE))
		return op(TDX_DEVIF_TDISP_INVALID_MESSAGE, TDX_OPERAND_ID_RDX);
	msg += TDX_FAKE_TDISP_DOE_HDR;
	code = msg[TDX_FAKE_TDISP_MSG_CODE];
	len = get_unaligned_le16(msg + TDX_FAKE_TDISP_MSG_LEN);
	if (len != TDX_FAKE_TDISP_MSG_SIZE ||
	    get_unaligned_le32(msg + TDX_FAKE_TDISP_MSG_FUNC_ID) != args->rcx ||
	    (code != (d->pending & ~TDX_TDISP_REQ) && code != TDX_TDISP_ERROR))
		return op(TDX_DEVIF_TDISP_INVALID_MESSAGE, TDX_OPERAND_ID_RDX);

	out = FIELD_PREP(TDX_DEVIF_RSP_OUT_CODE, code);
	switch (code) {
	case TDX_TDISP_LOCK_INTERFACE_RSP:
		d->tdisp_state = TDX_TDISP_CONFIG_LOCKED;
		break;
	case TDX_TDISP_STOP_INTERFACE_RSP:
		d->tdisp_state = TDX_TDISP_CONFIG_UNLOCKED;
		break;
	case TDX_TDISP_INTERFACE_STATE_RSP:
		out |= FIELD_PREP(TDX_DEVIF_RSP_OUT_TDI_STATE, d->tdisp_state);
		break;
	case TDX_TDISP_ERROR:
		out |= FIELD_PREP(TDX_DEVIF_RSP_OUT_ERROR,
				  get_unaligned_le32(msg + TDX_FAKE_TDISP_MSG_ERROR));
		break;
	}
	if (args->r8) {
		memcpy(__va(args->r8), msg, len);
		out |= FIELD_PREP(TDX_DEVIF_RSP_OUT_LEN, len);
	}

	d->pending = 0;
	args->rcx = out;
	return TDX_SUCCESS;
}

static struct tdx_fake_dmar *fake_dmar(struct tdx_fake_tdi *ft, u64 idx)
{
	unsigned int i;

	for (i = 0; i < TDX_FAKE_TDI_MAX_DMAR; i++) {
		if (ft->dmar[i].idx == idx)
			return &ft->dmar[i];
	}
	return NULL;
}

/* No IOMMU has ID 0 in the fake module. */
static bool fake_dmar_idx_bad(u64 idx)
{
	return (idx & TDX_DMAR_IDX_RSVD) || !FIELD_GET(TDX_DMAR_IDX_IOMMU_ID, idx) ||
	       FIELD_GET(TDX_DMAR_IDX_LEVEL, idx) > TDX_DMAR_LEVEL_RTE;
}

static u64 fake_dmar_add(struct tdx_fake_tdi *ft, struct tdx_module_args *args)
{
	static const unsigned int qwords[] = {
		[TDX_DMAR_LEVEL_PASIDTE] = TDX_DMAR_PASIDTE_QWORDS,
		[TDX_DMAR_LEVEL_PDE] = TDX_DMAR_PDE_QWORDS,
		[TDX_DMAR_LEVEL_CTE] = TDX_DMAR_CTE_QWORDS,
		[TDX_DMAR_LEVEL_RTE] = TDX_DMAR_RTE_QWORDS,
	};
	static const u64 operand[TDX_DMAR_ENTRY_QWORDS] = {
		TDX_OPERAND_ID_RDX, TDX_OPERAND_ID_R8, TDX_OPERAND_ID_R9,
		TDX_OPERAND_ID_R10, TDX_OPERAND_ID_R11, TDX_OPERAND_ID_R12,
		TDX_OPERAND_ID_R13, TDX_OPERAND_ID_R14,
	};
	struct tdx_dmar_entry entry = {
		.qw = { args->rdx, args->r8, args->r9, args->r10, args->r11,
			args->r12, args->r13, args->r14 },
	};
	struct tdx_fake_dmar *e;
	unsigned int q;

	if (fake_dmar_idx_bad(args->rcx))
		return op(TDX_OPERAND_INVALID, TDX_OPERAND_ID_RCX);
	for (q = qwords[FIELD_GET(TDX_DMAR_IDX_LEVEL, args->rcx)]; q < TDX_DMAR_ENTRY_QWORDS; q++) {
		if (entry.qw[q])
			return op(TDX_OPERAND_INVALID, operand[q]);
	}
	if (fake_dmar(ft, args->rcx))
		return op(TDX_DMAR_INVALID_MAPPING_STATE, TDX_OPERAND_ID_RCX);

	e = fake_dmar(ft, 0);
	if (!e)
		return TDX_SYS_BUSY;
	*e = (struct tdx_fake_dmar) {
		.idx = args->rcx,
		.tdi = fake_dmar_of_tdi(ft, args->rcx),
		.entry = entry,
	};
	return TDX_SUCCESS;
}

static u64 fake_dmar_block(struct tdx_fake_tdi *ft, struct tdx_module_args *args)
{
	struct tdx_fake_dmar *e;

	if (fake_dmar_idx_bad(args->rcx))
		return op(TDX_OPERAND_INVALID, TDX_OPERAND_ID_RCX);
	e = fake_dmar(ft, args->rcx);
	if (!e || e->blocked)
		return op(TDX_DMAR_INVALID_MAPPING_STATE, TDX_OPERAND_ID_RCX);
	e->blocked = true;
	return TDX_SUCCESS;
}

static u64 fake_dmar_read(struct tdx_fake_tdi *ft, struct tdx_module_args *args)
{
	struct tdx_dmar_entry entry = {};
	struct tdx_fake_dmar *e;

	if (fake_dmar_idx_bad(args->rcx))
		return op(TDX_OPERAND_INVALID, TDX_OPERAND_ID_RCX);
	e = fake_dmar(ft, args->rcx);
	if (e)
		entry = e->entry;
	args->rdx = entry.qw[0];
	args->r8 = entry.qw[1];
	args->r9 = entry.qw[2];
	args->r10 = entry.qw[3];
	args->r11 = entry.qw[4];
	args->r12 = entry.qw[5];
	args->r13 = entry.qw[6];
	args->r14 = entry.qw[7];
	return TDX_SUCCESS;
}

static u64 fake_dmar_remove(struct tdx_fake_tdi *ft, struct tdx_module_args *args)
{
	struct tdx_fake_dmar *e;

	if (fake_dmar_idx_bad(args->rcx))
		return op(TDX_OPERAND_INVALID, TDX_OPERAND_ID_RCX);
	e = fake_dmar(ft, args->rcx);
	if (!e || !e->blocked)
		return op(TDX_DMAR_INVALID_MAPPING_STATE, TDX_OPERAND_ID_RCX);
	*e = (struct tdx_fake_dmar) {};
	return TDX_SUCCESS;
}

static u64 fake_region(u64 pa)
{
	return pa >> TDX_MMIOMT_PAGE_SPAN_SHIFT;
}

/* Index in mt_pages[] of the level-1 page of @pa's region, or -1 */
static int fake_mt_page(struct tdx_fake_tdi *ft, u64 pa)
{
	unsigned int i;

	for (i = 0; i < TDX_FAKE_TDI_MAX_MT_PAGES; i++) {
		if (ft->mt_pages[i] && ft->mt_region[i] == fake_region(pa))
			return i;
	}
	return -1;
}

static struct tdx_fake_mmio *fake_mmio(struct tdx_fake_tdi *ft, u64 pa)
{
	unsigned int i;

	for (i = 0; i < TDX_FAKE_TDI_MAX_MMIO; i++) {
		if (ft->mmio[i].pa == pa)
			return &ft->mmio[i];
	}
	return NULL;
}

static u64 fake_mmiomt_add(struct tdx_fake_tdi *ft, struct tdx_module_args *args)
{
	u64 pa = args->rcx & TDX_MMIOMT_IDX_PA;
	unsigned int i;
	u64 ret;

	if ((args->rcx & TDX_MMIOMT_IDX_RSVD) ||
	    FIELD_GET(TDX_MMIOMT_IDX_LEVEL, args->rcx) != TDX_MMIOMT_LEVEL_2M)
		return op(TDX_OPERAND_INVALID, TDX_OPERAND_ID_RCX);
	if (fake_mt_page(ft, pa) >= 0)
		return op(TDX_MMIO_INVALID_PAGE_METADATA, TDX_OPERAND_ID_RCX);

	for (i = 0; i < TDX_FAKE_TDI_MAX_MT_PAGES; i++) {
		if (!ft->mt_pages[i])
			break;
	}
	if (i == TDX_FAKE_TDI_MAX_MT_PAGES)
		return TDX_SYS_BUSY;

	ret = tdx_fake_take(ft->fake, args->rdx, 0);
	if (ret)
		return op(ret, TDX_OPERAND_ID_RDX);
	ft->mt_pages[i] = args->rdx;
	ft->mt_region[i] = fake_region(pa);
	return TDX_SUCCESS;
}

static u64 fake_mmiomt_set(struct tdx_fake_tdi *ft, struct tdx_module_args *args)
{
	u64 type = FIELD_GET(TDX_MMIOMT_SET_TYPE, args->rdx);
	u64 func_id = FIELD_GET(TDX_MMIOMT_SET_FUNC_ID, args->rdx);
	u64 pa = args->rcx & TDX_MMIOMT_IDX_PA;
	struct tdx_fake_mmio *m;

	/* Only 4 KiB DATA entries are modelled. */
	if ((args->rcx & TDX_MMIOMT_IDX_RSVD) ||
	    FIELD_GET(TDX_MMIOMT_IDX_LEVEL, args->rcx) != TDX_MMIOMT_LEVEL_4K)
		return op(TDX_OPERAND_INVALID, TDX_OPERAND_ID_RCX);
	if (fake_mt_page(ft, pa) < 0)
		return op(TDX_MMIOMT_NOT_PRESENT, TDX_OPERAND_ID_RCX);
	if ((args->rdx & TDX_MMIOMT_SET_RSVD) || type > TDX_MMIOMT_TYPE_DATA ||
	    (type == TDX_MMIOMT_TYPE_QNODE && func_id) ||
	    (type == TDX_MMIOMT_TYPE_DATA && !func_id))
		return op(TDX_OPERAND_INVALID, TDX_OPERAND_ID_RDX);

	m = fake_mmio(ft, pa);
	if (type == TDX_MMIOMT_TYPE_QNODE) {
		if (!m || m->mapped)
			return op(TDX_MMIO_INVALID_PAGE_METADATA, TDX_OPERAND_ID_MMIOMT);
		*m = (struct tdx_fake_mmio) {};
		return TDX_SUCCESS;
	}

	if (m)
		return op(TDX_MMIO_INVALID_PAGE_METADATA, TDX_OPERAND_ID_MMIOMT);
	if (!fake_created(ft, func_id))
		return op(TDX_DEVIFMT_NOT_PRESENT, TDX_OPERAND_ID_RDX);
	m = fake_mmio(ft, 0);
	if (!m)
		return TDX_SYS_BUSY;
	*m = (struct tdx_fake_mmio) {
		.pa = pa,
		.func_id = func_id,
	};
	return TDX_SUCCESS;
}

static u64 fake_mmiomt_rd(struct tdx_fake_tdi *ft, struct tdx_module_args *args)
{
	u64 level = FIELD_GET(TDX_MMIOMT_IDX_LEVEL, args->rcx);
	u64 pa = args->rcx & TDX_MMIOMT_IDX_PA;
	u64 qw[TDX_MMIOMT_ENTRY_QWORDS] = {};
	struct tdx_fake_mmio *m;
	int i;

	if ((args->rcx & TDX_MMIOMT_IDX_RSVD) || level > TDX_MMIOMT_LEVEL_2M)
		return op(TDX_OPERAND_INVALID, TDX_OPERAND_ID_RCX);

	i = fake_mt_page(ft, pa);
	if (level == TDX_MMIOMT_LEVEL_2M) {
		if (i >= 0)
			qw[FIELD_GET(TDX_MMIOMT_IDX_L1_NODE, args->rcx)] =
				TDX_MMIOMT_NODE_PRESENT | ft->mt_pages[i];
	} else {
		if (i < 0)
			return op(TDX_MMIOMT_NOT_PRESENT, TDX_OPERAND_ID_RCX);
		m = fake_mmio(ft, pa);
		if (m)
			qw[0] = FIELD_PREP(TDX_MMIOMT_ENTRY_TYPE, TDX_MMIOMT_TYPE_DATA) |
				(m->mapped ? TDX_MMIOMT_ENTRY_MAPPED : 0) |
				FIELD_PREP(TDX_MMIOMT_ENTRY_FUNC_ID, m->func_id);
	}
	args->rcx = qw[0];
	args->rdx = qw[1];
	args->r8 = qw[2];
	args->r9 = qw[3];
	return TDX_SUCCESS;
}

static u64 fake_mmiomt_remove(struct tdx_fake_tdi *ft, struct tdx_module_args *args)
{
	u64 pa = args->rcx & TDX_MMIOMT_IDX_PA;
	unsigned int j;
	int i;

	if ((args->rcx & TDX_MMIOMT_IDX_RSVD) ||
	    FIELD_GET(TDX_MMIOMT_IDX_LEVEL, args->rcx) != TDX_MMIOMT_LEVEL_2M)
		return op(TDX_OPERAND_INVALID, TDX_OPERAND_ID_RCX);
	i = fake_mt_page(ft, pa);
	if (i < 0)
		return op(TDX_MMIO_INVALID_PAGE_METADATA, TDX_OPERAND_ID_RCX);
	/* The page must not give MMIO to any TDI any more. */
	for (j = 0; j < TDX_FAKE_TDI_MAX_MMIO; j++) {
		if (ft->mmio[j].pa && fake_region(ft->mmio[j].pa) == fake_region(pa))
			return op(TDX_MMIO_INVALID_PAGE_METADATA, TDX_OPERAND_ID_RCX);
	}

	tdx_fake_give_back(ft->fake, ft->mt_pages[i]);
	args->rcx = PHYS_PFN(ft->mt_pages[i]);
	ft->mt_pages[i] = 0;
	ft->mt_region[i] = 0;
	return TDX_SUCCESS;
}

/* Operands common to TDH.MMIO.MAP, BLOCK and UNMAP; 4 KiB mappings only */
static u64 fake_mmio_check(const struct tdx_module_args *args)
{
	if ((args->rcx & TDX_GPA_INFO_RSVD) ||
	    FIELD_GET(TDX_GPA_INFO_LEVEL, args->rcx) != TDX_MMIOMT_LEVEL_4K)
		return op(TDX_OPERAND_INVALID, TDX_OPERAND_ID_RCX);
	if (!args->rdx || (args->rdx & FAKE_PA_RSVD))
		return op(TDX_OPERAND_INVALID, TDX_OPERAND_ID_RDX);
	return TDX_SUCCESS;
}

static struct tdx_fake_mmio *fake_mapping(struct tdx_fake_tdi *ft,
					  const struct tdx_module_args *args)
{
	unsigned int i;

	for (i = 0; i < TDX_FAKE_TDI_MAX_MMIO; i++) {
		struct tdx_fake_mmio *m = &ft->mmio[i];

		if (m->pa && m->mapped && m->gpa_info == args->rcx &&
		    m->vm_handle == args->rdx)
			return m;
	}
	return NULL;
}

static u64 fake_mmio_map(struct tdx_fake_tdi *ft, struct tdx_module_args *args)
{
	struct tdx_fake_devif *d;
	struct tdx_fake_mmio *m;
	u64 ret;

	ret = fake_mmio_check(args);
	if (ret)
		return ret;
	if (!args->r8 || (args->r8 & FAKE_PA_RSVD))
		return op(TDX_OPERAND_INVALID, TDX_OPERAND_ID_R8);
	if (fake_mapping(ft, args))
		return op(TDX_EPT_ENTRY_STATE_INCORRECT, TDX_OPERAND_ID_RCX);

	m = fake_mmio(ft, args->r8);
	if (!m || m->mapped)
		return op(TDX_MMIO_INVALID_PAGE_METADATA, TDX_OPERAND_ID_RCX);
	d = fake_created(ft, m->func_id);
	if (!d)
		return op(TDX_DEVIFMT_NOT_PRESENT, TDX_OPERAND_ID_R8);
	if (d->vm_handle != args->rdx)
		return op(TDX_MMIO_DEVIF_OWNER_MISMATCH, TDX_OPERAND_ID_RDX);

	m->mapped = true;
	m->gpa_info = args->rcx;
	m->vm_handle = args->rdx;
	d->nr_mmio_mapped++;
	return TDX_SUCCESS;
}

static u64 fake_mmio_block(struct tdx_fake_tdi *ft, struct tdx_module_args *args)
{
	struct tdx_fake_mmio *m;
	u64 ret;

	ret = fake_mmio_check(args);
	if (ret)
		return ret;
	m = fake_mapping(ft, args);
	if (!m)
		return op(TDX_EPT_WALK_FAILED, TDX_OPERAND_ID_RCX);
	if (m->blocked)
		return op(TDX_EPT_ENTRY_STATE_INCORRECT, TDX_OPERAND_ID_RCX);
	m->blocked = true;
	return TDX_SUCCESS;
}

static u64 fake_mmio_unmap(struct tdx_fake_tdi *ft, struct tdx_module_args *args)
{
	struct tdx_fake_devif *d;
	struct tdx_fake_mmio *m;
	u64 ret;

	ret = fake_mmio_check(args);
	if (ret)
		return ret;
	m = fake_mapping(ft, args);
	if (!m)
		return op(TDX_EPT_WALK_FAILED, TDX_OPERAND_ID_RCX);
	if (!m->blocked)
		return op(TDX_EPT_ENTRY_STATE_INCORRECT, TDX_OPERAND_ID_RCX);

	/* The TDI cannot be removed while its MMIO is mapped. */
	d = fake_created(ft, m->func_id);
	if (d)
		d->nr_mmio_mapped--;
	m->mapped = false;
	m->blocked = false;
	m->gpa_info = 0;
	m->vm_handle = 0;
	return TDX_SUCCESS;
}

static void fake_log(struct tdx_fake_tdi *ft, u16 event)
{
	if (ft->nr_log < TDX_FAKE_TDI_LOG_MAX)
		ft->log[ft->nr_log] = event;
	ft->nr_log++;
}

static u64 tdx_fake_tdi_leaf(struct tdx_fake_module *fake, u16 leaf, u8 version,
			     struct tdx_module_args *args)
{
	struct tdx_fake_tdi *ft = fake->priv;

	guard(mutex)(&ft->lock);

	fake_log(ft, leaf);
	ft->nr_calls++;
	if (ft->nr_calls == ft->fail_nth)
		return ft->fail_status;

	if (version)
		return op(TDX_OPERAND_INVALID, TDX_OPERAND_ID_RAX);

	switch (leaf) {
	case TDH_DEVIF_CREATE:
		return fake_devif_create(ft, args);
	case TDH_DEVIF_REMOVE:
		return fake_devif_remove(ft, args);
	case TDH_DEVIF_REQUEST:
		return fake_devif_request(ft, args);
	case TDH_DEVIF_RESPONSE:
		return fake_devif_response(ft, args);
	case TDH_DMAR_ADD:
		return fake_dmar_add(ft, args);
	case TDH_DMAR_BLOCK:
		return fake_dmar_block(ft, args);
	case TDH_DMAR_READ:
		return fake_dmar_read(ft, args);
	case TDH_DMAR_REMOVE:
		return fake_dmar_remove(ft, args);
	case TDH_MMIOMT_ADD:
		return fake_mmiomt_add(ft, args);
	case TDH_MMIOMT_SET:
		return fake_mmiomt_set(ft, args);
	case TDH_MMIOMT_RD:
		return fake_mmiomt_rd(ft, args);
	case TDH_MMIOMT_REMOVE:
		return fake_mmiomt_remove(ft, args);
	case TDH_MMIO_MAP:
		return fake_mmio_map(ft, args);
	case TDH_MMIO_BLOCK:
		return fake_mmio_block(ft, args);
	case TDH_MMIO_UNMAP:
		return fake_mmio_unmap(ft, args);
	case TDH_DEVIFMT_ADD:
		return fake_devifmt_add(ft, args);
	case TDH_DEVIFMT_REMOVE:
		return fake_devifmt_remove(ft, args);
	case TDH_DEVIFMT_RD:
		return fake_devifmt_rd(ft, args);
	default:
		return op(TDX_OPERAND_INVALID, TDX_OPERAND_ID_RAX);
	}
}

/**
 * tdx_fake_tdi_install() - Add the TDI lifecycle leaves to a fake TDX module
 * @test: the test; the state goes away when it ends
 * @fake: the fake module, from tdx_fake_module_install()
 *
 * Takes over @fake's other_leaf hook and priv.  Pages the leaves take
 * are owned in @fake's PAMT-like map like its own.
 *
 * Context: Process context, in a KUnit test.
 * Return: the fake's TDI state; a failure to create it fails the test.
 */
struct tdx_fake_tdi *tdx_fake_tdi_install(struct kunit *test,
					  struct tdx_fake_module *fake)
{
	struct tdx_fake_tdi *ft = kunit_kzalloc(test, sizeof(*ft), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ft);
	ft->fake = fake;
	mutex_init(&ft->lock);
	fake->other_leaf = tdx_fake_tdi_leaf;
	fake->priv = ft;
	return ft;
}
EXPORT_SYMBOL_IF_KUNIT(tdx_fake_tdi_install);

/**
 * tdx_fake_tdi_log() - Record a test event in the fake's call log
 * @ft: the fake's TDI state
 * @event: TDX_FAKE_TDI_EVENT_BASE or above
 *
 * Context: Process context, in a KUnit test, not inside a SEAMCALL.
 */
void tdx_fake_tdi_log(struct tdx_fake_tdi *ft, u16 event)
{
	guard(mutex)(&ft->lock);
	fake_log(ft, event);
}
EXPORT_SYMBOL_IF_KUNIT(tdx_fake_tdi_log);

/**
 * tdx_fake_tdi_find() - The fake's state of one TDI
 * @ft: the fake's TDI state
 * @func_id: the TDI's FUNCTION_ID
 *
 * Context: Process context, in a KUnit test.
 * Return: the TDI, or NULL if it has no metadata.
 */
struct tdx_fake_devif *tdx_fake_tdi_find(struct tdx_fake_tdi *ft, u32 func_id)
{
	return fake_devif(ft, func_id);
}
EXPORT_SYMBOL_IF_KUNIT(tdx_fake_tdi_find);

/**
 * tdx_fake_tdi_nr_dma() - DMA remapping entries of a TDI's RID
 * @ft: the fake's TDI state
 * @func_id: the TDI's FUNCTION_ID
 *
 * Context: Process context, in a KUnit test.
 * Return: the number of entries, blocked ones and ones added before the
 * TDI existed included.
 */
unsigned int tdx_fake_tdi_nr_dma(struct tdx_fake_tdi *ft, u32 func_id)
{
	return fake_nr_dma(ft, func_id, false);
}
EXPORT_SYMBOL_IF_KUNIT(tdx_fake_tdi_nr_dma);

/**
 * tdx_fake_tdi_nr_mmio() - MMIO pages given to a TDI
 * @ft: the fake's TDI state
 * @func_id: the TDI's FUNCTION_ID
 *
 * Context: Process context, in a KUnit test.
 * Return: the number of 4 KiB MMIO pages, mapped or not.
 */
unsigned int tdx_fake_tdi_nr_mmio(struct tdx_fake_tdi *ft, u32 func_id)
{
	unsigned int i, nr = 0;

	for (i = 0; i < TDX_FAKE_TDI_MAX_MMIO; i++) {
		if (ft->mmio[i].pa && ft->mmio[i].func_id == func_id)
			nr++;
	}
	return nr;
}
EXPORT_SYMBOL_IF_KUNIT(tdx_fake_tdi_nr_mmio);

/**
 * tdx_fake_tdi_set_state() - Move a TDI to a TDISP state behind the host's back
 * @ft: the fake's TDI state
 * @func_id: the TDI's FUNCTION_ID; it must exist
 * @state: TDX_TDISP_RUN as after the TD's START_INTERFACE, or
 *	   TDX_TDISP_ERROR_STATE as after a device error
 *
 * Context: Process context, in a KUnit test.
 */
void tdx_fake_tdi_set_state(struct tdx_fake_tdi *ft, u32 func_id, u8 state)
{
	struct tdx_fake_devif *d = fake_created(ft, func_id);

	if (d)
		d->tdisp_state = state;
}
EXPORT_SYMBOL_IF_KUNIT(tdx_fake_tdi_set_state);

/**
 * tdx_fake_tdisp_device() - Answer a TDISP request as a device would
 * @req: the request, as TDH.DEVIF.REQUEST wrote it
 * @req_len: its length
 * @rsp: buffer for the response
 * @rsp_size: size of @rsp
 * @error: 0 to grant the request, else the TDISP error code to answer with
 *
 * Context: Any context.
 * Return: the length of the response, 0 if @req is not a request of the
 * fake's wire format or @rsp is too small.
 */
size_t tdx_fake_tdisp_device(const void *req, size_t req_len, void *rsp,
			     size_t rsp_size, u32 error)
{
	u8 *out = rsp;

	if (req_len != TDX_FAKE_TDISP_MSG_SIZE || rsp_size < TDX_FAKE_TDISP_MSG_SIZE)
		return 0;

	memcpy(out, req, TDX_FAKE_TDISP_MSG_SIZE);
	if (error) {
		out[TDX_FAKE_TDISP_MSG_CODE] = TDX_TDISP_ERROR;
		put_unaligned_le32(error, out + TDX_FAKE_TDISP_MSG_ERROR);
	} else {
		out[TDX_FAKE_TDISP_MSG_CODE] &= ~TDX_TDISP_REQ;
	}
	return TDX_FAKE_TDISP_MSG_SIZE;
}
EXPORT_SYMBOL_IF_KUNIT(tdx_fake_tdisp_device);

/**
 * tdx_fake_tdisp_relay() - Carry a TDISP request to the fake device and back
 * @req: the page TDH.DEVIF.REQUEST wrote the request to
 * @req_len: the length it reported
 * @rsp: the page to write the response to, for TDH.DEVIF.RESPONSE
 * @error: as for tdx_fake_tdisp_device()
 *
 * What the host's relay does, for suites that call the leaves themselves:
 * the DOE header off, the message to the device, a DOE header on.
 *
 * Context: Any context.
 * Return: the length of the response in @rsp, header included, or 0 if
 * @req is not a request of the fake's format.
 */
size_t tdx_fake_tdisp_relay(struct page *req, u64 req_len, struct page *rsp, u32 error)
{
	u8 *in = page_address(req), *out = page_address(rsp);
	size_t len;

	if (req_len != TDX_FAKE_TDISP_OBJ_SIZE || !fake_doe_hdr_ok(in, TDX_FAKE_TDISP_MSG_SIZE))
		return 0;
	len = tdx_fake_tdisp_device(in + TDX_FAKE_TDISP_DOE_HDR, TDX_FAKE_TDISP_MSG_SIZE,
				    out + TDX_FAKE_TDISP_DOE_HDR,
				    PAGE_SIZE - TDX_FAKE_TDISP_DOE_HDR, error);
	if (!len)
		return 0;
	fake_doe_hdr(out, len);
	return TDX_FAKE_TDISP_DOE_HDR + len;
}
EXPORT_SYMBOL_IF_KUNIT(tdx_fake_tdisp_relay);

MODULE_DESCRIPTION("Fake TDI lifecycle leaves of the TDX module for KUnit tests");
MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");
MODULE_LICENSE("GPL");
