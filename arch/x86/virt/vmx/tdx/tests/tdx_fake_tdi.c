// SPDX-License-Identifier: GPL-2.0-only
/*
 * A fake of the TDI lifecycle leaves for KUnit, plugged into the fake TDX
 * module through its other_leaf hook.
 *
 * The fake decodes the operands of the tdxio leaves as asm/tdx_tdi.h lays
 * them out (unconfirmed, see there) and refuses what the module refuses,
 * with its status codes and operand IDs.  It models the module's tables
 * as the hierarchies they are in the public tdxio source (intel/tdx-module
 * commit 1666adc; each rule names the file it comes from): the metadata
 * tables and MMIO in tdx_fake_tdi_mt.c, the trusted DMA remapping in
 * tdx_fake_tdi_dmar.c, and here the device interface itself
 * (DEVIF.CREATE, REMOVE, REQUEST, RESPONSE) and its TDISP messages, the
 * dispatch of every leaf, and what tests ask of the model.
 *
 * Pages handed over go through tdx_fake_take() (ownership and the flush)
 * and come back through tdx_fake_give_back(), all of a call's or none.
 * DEVIF.CREATE checks the IDE stream and SPDM session of the fake SPDM
 * module (tdx_fake_spdm.h) when one is installed, and refuses every
 * stream when none is.
 *
 * Not modelled: segments (a FUNCTION_ID with a segment is refused),
 * TDISP requests of the TD, the IOTLB and TD invalidation types, DMAR
 * pool pages, TLB tracking, MMIO mappings other than 4 KiB.  Where the
 * module's status for a refusal is not public, the nearest documented
 * one is used.
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

#include <kunit/resource.h>
#include <kunit/test.h>
#include <kunit/visibility.h>

#include <asm/shared/tdx_errno.h>
#include <asm/tdx.h>
#include "tdx_fake_module.h"
#include "tdx_fake_spdm.h"
#include "tdx_fake_tdi.h"
#include "tdx_fake_tdi_internal.h"
#include <asm/tdx_tdi.h>

#include "../tdx.h"

/* ---- DEVIF: tdh_devif_create.c, tdh_devif_remove.c ---- */

static u64 fake_devif_create(struct tdx_fake_tdi *ft, struct tdx_module_args *args)
{
	u64 func_id = FIELD_GET(TDX_DEVIF_ID_FUNC_ID, args->rcx);
	u16 rid = FIELD_GET(TDX_FUNC_ID_RID, func_id);
	struct tdx_fake_spdm_stream *s;
	struct tdx_fake_devif *d;
	struct fake_take t = {};
	u64 ret;

	/* The pages and the TD first, all the pages or none */
	ret = fake_take(ft, &t, args->r8, TDX_OPERAND_ID_R8);
	if (ret)
		return ret;
	if (!args->rdx || (args->rdx & FAKE_PA_RSVD)) {
		ret = op(TDX_OPERAND_INVALID, TDX_OPERAND_ID_RDX);
		goto untake;
	}
	ret = fake_take(ft, &t, args->r9, TDX_OPERAND_ID_R9);
	if (ret)
		return ret;
	ret = fake_take(ft, &t, args->r10, TDX_OPERAND_ID_R10);
	if (ret)
		return ret;

	if (FIELD_GET(TDX_DEVIF_ID_TYPE, args->rcx) != TDX_DEVIF_TYPE_PFVF ||
	    (func_id & FAKE_FUNC_ID_BAD)) {
		ret = op(TDX_OPERAND_INVALID, TDX_OPERAND_ID_RCX);
		goto untake;
	}
	ret = tdx_fake_tdi_devifmt_walk(ft, func_id, TDX_DEVIFMT_LEVEL_DEVIF, TDX_OPERAND_ID_RCX);
	if (ret)
		goto untake;
	if (fake_created(ft, func_id)) {
		ret = op(TDX_DEVIFMT_ALREADY_PRESENT, TDX_OPERAND_ID_RCX);
		goto untake;
	}
	if (fake_iommu(ft, FIELD_GET(TDX_DEVIF_ID_IOMMU_ID, args->rcx)) < 0) {
		ret = op(TDX_OPERAND_INVALID, TDX_OPERAND_ID_RCX);
		goto untake;
	}
	/* The fake SPDM module creates selective streams only. */
	s = fake_stream(ft, FIELD_GET(TDX_DEVIF_ID_STREAM_ID, args->rcx));
	if (!s || !s->keyed || s->blocked) {
		ret = op(TDX_IDE_STREAM_INVALID_STATE, TDX_OPERAND_ID_RCX);
		goto untake;
	}
	if (rid < s->rid_base || rid > s->rid_limit) {
		ret = op(TDX_OPERAND_INVALID, TDX_OPERAND_ID_RCX);
		goto untake;
	}
	if (!s->session || !s->session->connected) {
		ret = op(TDX_SPDM_INVALID_STATE, TDX_OPERAND_ID_RCX);
		goto untake;
	}

	/* Kept until the test ends: a suite may look at a removed TDI. */
	d = kunit_kzalloc(ft->test, sizeof(*d), GFP_KERNEL);
	if (!d) {
		ret = TDX_SYS_BUSY;
		goto untake;
	}
	*d = (struct tdx_fake_devif) {
		.func_id = func_id,
		.mt_page = tdx_fake_tdi_devifmt_entry(ft, func_id, 1) & TDX_DEVIFMT_ENTRY_PA,
		.created = true,
		.devif_id = args->rcx,
		.vm_handle = args->rdx,
		.devifcs = args->r8,
		.td_buf = args->r9,
		.vmm_buf = args->r10,
		.tdisp_state = TDX_TDISP_CONFIG_UNLOCKED,
	};
	if (xa_err(xa_store(&ft->devifs, func_id, d, GFP_KERNEL))) {
		ret = TDX_SYS_BUSY;
		goto untake;
	}
	return TDX_SUCCESS;

untake:
	fake_untake_all(ft, &t);
	return ret;
}

static u64 fake_devif_remove(struct tdx_fake_tdi *ft, struct tdx_module_args *args)
{
	struct tdx_fake_devif *d;

	if (args->rcx & FAKE_FUNC_ID_BAD)
		return op(TDX_OPERAND_INVALID, TDX_OPERAND_ID_RCX);
	d = fake_created(ft, args->rcx);
	if (!d)
		return op(TDX_DEVIFMT_NOT_PRESENT, TDX_OPERAND_ID_RCX);
	/* Unlocked, or cut off from the device by its blocked stream */
	if (d->tdisp_state != TDX_TDISP_CONFIG_UNLOCKED && !fake_stream_blocked(ft, d))
		return op(TDX_DEVIF_INVALID_STATE, TDX_OPERAND_ID_RCX);
	if (d->dma_mapped)
		return op(TDX_DEVIF_HAS_MAPPED_DMA, TDX_OPERAND_ID_RCX);
	if (d->nr_mmio_mapped)
		return op(TDX_DEVIF_HAS_MAPPED_MMIO, TDX_OPERAND_ID_RCX);

	xa_erase(&ft->devifs, d->func_id);
	d->created = false;
	tdx_fake_give_back(ft->fake, d->devifcs);
	tdx_fake_give_back(ft->fake, d->td_buf);
	tdx_fake_give_back(ft->fake, d->vmm_buf);
	args->rcx = d->td_buf;
	args->rdx = d->vmm_buf;
	args->r8 = ft->remove_vm_handle ?: d->vm_handle;
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
	if (args->rdx & TDX_DEVIF_REQ_TD) {
		/* The TD's request, from its buffer: TDG.DEVIF.REQUEST wrote it. */
		if (d->td_req != TDX_FAKE_TD_REQ_REQUESTED)
			return op(TDX_DEVIF_TDISP_INVALID_REQ_STS, TDX_OPERAND_ID_RCX);
		code = d->td_code;
	} else if (code != TDX_TDISP_LOCK_INTERFACE_REQ && code != TDX_TDISP_STOP_INTERFACE_REQ &&
		   code != TDX_TDISP_INTERFACE_STATE_REQ) {
		/* The host may lock, stop and ask for the state; the rest is the TD's. */
		return op(TDX_OPERAND_INVALID, TDX_OPERAND_ID_RDX);
	}
	if (code == TDX_TDISP_LOCK_INTERFACE_REQ && d->tdisp_state != TDX_TDISP_CONFIG_UNLOCKED)
		return op(TDX_DEVIF_TDISP_INVALID_STATE, TDX_OPERAND_ID_RCX);
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
	if (args->rdx & TDX_DEVIF_REQ_TD)
		d->td_req = TDX_FAKE_TD_REQ_GENERATED;
	args->rcx = FIELD_PREP(TDX_DEVIF_REQ_OUT_CODE, code) |
		    FIELD_PREP(TDX_DEVIF_REQ_OUT_LEN, !ft->req_len ? TDX_FAKE_TDISP_OBJ_SIZE :
			       ft->req_len == U64_MAX ? 0 : ft->req_len);
	return TDX_SUCCESS;
}

static u64 fake_devif_response(struct tdx_fake_tdi *ft, struct tdx_module_args *args)
{
	u64 pa = args->rdx & TDX_DEVIF_RSP_IN_PA;
	struct tdx_fake_devif *d;
	bool td, generated;
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
	/* The answer to the TD's request is the TD's, and only the TD's. */
	td = args->rdx & TDX_DEVIF_RSP_IN_TD;
	generated = d->td_req == TDX_FAKE_TD_REQ_GENERATED;
	if (td != generated)
		return op(TDX_DEVIF_TDISP_INVALID_REQ_STS, TDX_OPERAND_ID_RDX);
	if (td && args->r8)
		return op(TDX_OPERAND_INVALID, TDX_OPERAND_ID_R8);
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
	if (td) {
		/* Decrypted into the TD's buffer; TDG.DEVIF.RESPONSE applies it. */
		d->td_req = TDX_FAKE_TD_REQ_PROCESSED;
		d->td_code = code;
		d->pending = 0;
		args->rcx = out;
		return TDX_SUCCESS;
	}

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
	/* Another caller holds the entry (the module's entry locks). */
	if (ft->nr_calls == ft->busy_nth)
		return op(TDX_OPERAND_BUSY, TDX_OPERAND_ID_RCX);

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
	case TDH_DMAR_BLOCK:
	case TDH_DMAR_READ:
	case TDH_DMAR_REMOVE:
	case TDH_IQ_INV_REQUEST:
	case TDH_IQ_INV_PROCESS:
		return tdx_fake_tdi_dmar_leaf(ft, leaf, args);
	case TDH_MMIOMT_ADD:
	case TDH_MMIOMT_SET:
	case TDH_MMIOMT_RD:
	case TDH_MMIOMT_REMOVE:
	case TDH_MMIO_MAP:
	case TDH_MMIO_BLOCK:
	case TDH_MMIO_UNMAP:
	case TDH_DEVIFMT_ADD:
	case TDH_DEVIFMT_REMOVE:
	case TDH_DEVIFMT_RD:
		return tdx_fake_tdi_mt_leaf(ft, leaf, args);
	default:
		return op(TDX_OPERAND_INVALID, TDX_OPERAND_ID_RAX);
	}
}

/* Every xarray of the model; the objects in them are the test's memory. */
static void tdx_fake_tdi_remove(void *data)
{
	struct tdx_fake_tdi *ft = data;
	unsigned int i, l;

	cancel_delayed_work_sync(&ft->iq_work);
	for (l = 0; l < ARRAY_SIZE(ft->devifmt); l++)
		xa_destroy(&ft->devifmt[l]);
	xa_destroy(&ft->devifs);
	for (l = 0; l < ARRAY_SIZE(ft->mmiomt_pages); l++)
		xa_destroy(&ft->mmiomt_pages[l]);
	for (l = 0; l < ARRAY_SIZE(ft->mmiomt_data); l++)
		xa_destroy(&ft->mmiomt_data[l]);
	xa_destroy(&ft->mmio_maps);
	for (i = 0; i < TDX_FAKE_MAX_IOMMUS; i++) {
		for (l = 0; l <= TDX_DMAR_LEVEL_RTE; l++)
			xa_destroy(&ft->dmar[i][l]);
	}
	mutex_destroy(&ft->lock);
}

/**
 * tdx_fake_tdi_install() - Add the TDI lifecycle leaves to a fake TDX module
 * @test: the test; the state goes away when it ends
 * @fake: the fake module, from tdx_fake_module_install()
 *
 * Takes over @fake's other_leaf hook and priv.  Pages the leaves take
 * are owned in @fake's PAMT-like map like its own.  Knobs start at: the
 * IOMMU completes an invalidation 1 ms after it is queued, queues of 8,
 * no interruption, no contention, no failure.
 *
 * Context: Process context, in a KUnit test.
 * Return: the fake's TDI state; a failure to create it fails the test.
 */
struct tdx_fake_tdi *tdx_fake_tdi_install(struct kunit *test,
					  struct tdx_fake_module *fake)
{
	struct tdx_fake_tdi *ft = kunit_kzalloc(test, sizeof(*ft), GFP_KERNEL);
	unsigned int i, l;

	KUNIT_ASSERT_NOT_NULL(test, ft);
	ft->fake = fake;
	ft->test = test;
	mutex_init(&ft->lock);
	for (l = 0; l < ARRAY_SIZE(ft->devifmt); l++)
		xa_init(&ft->devifmt[l]);
	xa_init(&ft->devifs);
	for (l = 0; l < ARRAY_SIZE(ft->mmiomt_pages); l++)
		xa_init(&ft->mmiomt_pages[l]);
	for (l = 0; l < ARRAY_SIZE(ft->mmiomt_data); l++)
		xa_init(&ft->mmiomt_data[l]);
	xa_init(&ft->mmio_maps);
	for (i = 0; i < TDX_FAKE_MAX_IOMMUS; i++) {
		for (l = 0; l <= TDX_DMAR_LEVEL_RTE; l++)
			xa_init(&ft->dmar[i][l]);
	}
	INIT_DELAYED_WORK(&ft->iq_work, tdx_fake_tdi_iq_work);
	ft->iq_delay_us = 1000;
	ft->iq_size = 8;
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, tdx_fake_tdi_remove, ft), 0);
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
 * Return: the TDI while it exists (from TDH.DEVIF.CREATE to
 * TDH.DEVIF.REMOVE), else NULL.
 */
struct tdx_fake_devif *tdx_fake_tdi_find(struct tdx_fake_tdi *ft, u32 func_id)
{
	guard(mutex)(&ft->lock);
	return fake_created(ft, func_id);
}
EXPORT_SYMBOL_IF_KUNIT(tdx_fake_tdi_find);

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
	struct tdx_fake_devif *d;

	guard(mutex)(&ft->lock);
	d = fake_created(ft, func_id);
	if (d)
		d->tdisp_state = state;
}
EXPORT_SYMBOL_IF_KUNIT(tdx_fake_tdi_set_state);

/**
 * tdx_fake_tdi_td_request() - The TD writes a TDISP request (TDG.DEVIF.REQUEST)
 * @ft: the fake
 * @func_id: the TDI
 * @code: the TDISP request code
 *
 * The request goes to the TD's message buffer of the TDI; the host can
 * then have the module secure it, with TDH.DEVIF.REQUEST in TD mode.  The
 * TD may make the requests of a TD: the report, the state, START and STOP.
 *
 * Context: Process context.
 * Return: TDX_SUCCESS, TDX_DEVIFMT_NOT_PRESENT for no such TDI,
 * TDX_DEVIF_TDISP_INVALID_REQ_STS while the TD has a request in flight,
 * TDX_OPERAND_INVALID for another code.
 */
u64 tdx_fake_tdi_td_request(struct tdx_fake_tdi *ft, u32 func_id, u8 code)
{
	struct tdx_fake_devif *d;

	guard(mutex)(&ft->lock);
	d = fake_created(ft, func_id);
	if (!d)
		return TDX_DEVIFMT_NOT_PRESENT;
	if (d->td_req != TDX_FAKE_TD_REQ_NONE)
		return TDX_DEVIF_TDISP_INVALID_REQ_STS;
	if (code != TDX_TDISP_INTERFACE_REPORT_REQ && code != TDX_TDISP_INTERFACE_STATE_REQ &&
	    code != TDX_TDISP_START_INTERFACE_REQ && code != TDX_TDISP_STOP_INTERFACE_REQ)
		return TDX_OPERAND_INVALID;
	d->td_req = TDX_FAKE_TD_REQ_REQUESTED;
	d->td_code = code;
	return TDX_SUCCESS;
}
EXPORT_SYMBOL_IF_KUNIT(tdx_fake_tdi_td_request);

/**
 * tdx_fake_tdi_td_response() - The TD reads its answer (TDG.DEVIF.RESPONSE)
 * @ft: the fake
 * @func_id: the TDI
 * @code: set to the TDISP response code the device answered with
 *
 * Applies the answer as the module does for the TD: START_INTERFACE puts
 * the TDI in RUN, STOP_INTERFACE back in CONFIG_UNLOCKED.
 *
 * Context: Process context.
 * Return: TDX_SUCCESS, TDX_DEVIFMT_NOT_PRESENT for no such TDI, or
 * TDX_DEVIF_TDISP_INVALID_REQ_STS if no answer is in the TD's buffer.
 */
u64 tdx_fake_tdi_td_response(struct tdx_fake_tdi *ft, u32 func_id, u8 *code)
{
	struct tdx_fake_devif *d;

	guard(mutex)(&ft->lock);
	d = fake_created(ft, func_id);
	if (!d)
		return TDX_DEVIFMT_NOT_PRESENT;
	if (d->td_req != TDX_FAKE_TD_REQ_PROCESSED)
		return TDX_DEVIF_TDISP_INVALID_REQ_STS;
	*code = d->td_code;
	if (*code == TDX_TDISP_START_INTERFACE_RSP)
		d->tdisp_state = TDX_TDISP_RUN;
	else if (*code == TDX_TDISP_STOP_INTERFACE_RSP)
		d->tdisp_state = TDX_TDISP_CONFIG_UNLOCKED;
	d->td_req = TDX_FAKE_TD_REQ_NONE;
	return TDX_SUCCESS;
}
EXPORT_SYMBOL_IF_KUNIT(tdx_fake_tdi_td_response);

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
