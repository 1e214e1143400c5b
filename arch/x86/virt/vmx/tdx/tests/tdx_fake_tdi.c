// SPDX-License-Identifier: GPL-2.0-only
/*
 * A fake of the TDI lifecycle leaves for KUnit, plugged into the fake TDX
 * module through its other_leaf hook.
 *
 * The fake decodes the operands of the tdxio leaves as asm/tdx_tdi.h lays
 * them out (unconfirmed, see there) and refuses what the module refuses,
 * with its status codes and operand IDs.  It models the module's tables
 * as the hierarchies they are in the public tdxio source (intel/tdx-module
 * commit 1666adc; each rule below names the file it comes from):
 *
 * - DEVIFMT (src/common/tdxio/devifmt.c): a root entry, then levels 3 to 0
 *   of 512 entries a page, indexed by FUNCTION_ID; a level-0 entry is the
 *   TDI's control structure.
 * - MMIOMT (src/common/tdxio/mmiomt.c): a root of one node, then levels 4
 *   to 0 of 128 entries a page, indexed by the MMIO PA; an entry is a
 *   QNODE of four nodes or the DATA entry of an MMIO page.
 * - DMAR (src/common/tdxio/dmar.c): per IOMMU, root, context, PASID
 *   directory and PASID table entries, with their mapping and
 *   invalidation states, and the IOMMU's invalidation queue, which a fake
 *   IOMMU "hardware" (a delayed work) completes after a delay.
 *
 * Pages handed over go through tdx_fake_take() (ownership and the flush)
 * and come back through tdx_fake_give_back(), all of a call's or none.
 * The tables are xarrays by entry or page index, so that binding a
 * gigabyte of MMIO (some 2000 pages, 262144 DATA entries) stays cheap.
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
#include <linux/jiffies.h>
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
#include <asm/tdx_tdi.h>

#include "../tdx.h"

/* Bits a page address operand must have 0 */
#define FAKE_PA_RSVD		(GENMASK_ULL(11, 0) | GENMASK_ULL(63, 52))
/* Bits a FUNCTION_ID must have 0; segments are not supported */
#define FAKE_FUNC_ID_BAD	(TDX_FUNC_ID_RSVD | TDX_FUNC_ID_SEGMENT_VALID | \
				 TDX_FUNC_ID_SEGMENT)
/* The IOMMU_ID of the fake module's VT-d unit i, as tdx_fake_module.c says */
#define FAKE_IOMMU_ID_BASE	0x100
/* Entries of a MMIOMT page, and nodes of a QNODE, as index bits */
#define FAKE_MMIOMT_IDX_BITS	7
#define FAKE_MMIOMT_NODE_BITS	2
/* Entries of a DEVIFMT page as index bits */
#define FAKE_DEVIFMT_IDX_BITS	9
/* The RID_PASID of every CTE: qword 1 must be 0 (tdh_dmar_add.c) */
#define FAKE_RID_PASID		0
/* PASID bits of a PDE's index and a PASIDTE's (dmar.h) */
#define FAKE_PASID_PDE_SHIFT	6
#define FAKE_PASID_PTE_MASK	GENMASK(5, 0)
/* The second-level table the TD's accept points a PASIDTE to */
#define FAKE_SLPTPTR		0x7d000000ULL
/* Bits of an MMIOMT DATA entry value besides the FUNCTION_ID */
#define FAKE_MMIO_MAPPED	BIT_ULL(32)
/* The most pages one call takes: the PASID directory of a CTE */
#define FAKE_MAX_TAKE		32

static u64 op(u64 status, u64 operand)
{
	return status | operand;
}

static bool fake_pa_bad(u64 pa)
{
	return !pa || (pa & FAKE_PA_RSVD) || !pfn_valid(PHYS_PFN(pa));
}

/* Page frame numbers as xarray values, the tables' page pointers */
static void *fake_pa_val(u64 pa)
{
	return xa_mk_value(PHYS_PFN(pa));
}

static u64 fake_val_pa(void *v)
{
	return PFN_PHYS((u64)xa_to_value(v));
}

/* Whether @xa has an entry in [@first, @last] */
static bool fake_xa_any(struct xarray *xa, unsigned long first, unsigned long last)
{
	unsigned long i = first;

	return xa_find(xa, &i, last, XA_PRESENT);
}

/* The pages of one call, taken all or none */
struct fake_take {
	u64 pa[FAKE_MAX_TAKE];
	unsigned int nr;
};

static void fake_untake_all(struct tdx_fake_tdi *ft, struct fake_take *t)
{
	while (t->nr)
		tdx_fake_untake(ft->fake, t->pa[--t->nr]);
}

/* Take one more page; on a refusal, give back the ones taken already. */
static u64 fake_take(struct tdx_fake_tdi *ft, struct fake_take *t, u64 pa, u64 operand)
{
	u64 ret = tdx_fake_take(ft->fake, pa, 0);

	if (ret) {
		fake_untake_all(ft, t);
		return op(ret, operand);
	}
	t->pa[t->nr++] = pa;
	return TDX_SUCCESS;
}

/* A TDI that TDH.DEVIF.CREATE created */
static struct tdx_fake_devif *fake_created(struct tdx_fake_tdi *ft, u64 func_id)
{
	if (func_id & FAKE_FUNC_ID_BAD)
		return NULL;
	return xa_load(&ft->devifs, func_id);
}

/* The fake module's VT-d unit of an IOMMU_ID, if TDH.IOMMU.SETUP set it up */
static int fake_iommu(struct tdx_fake_tdi *ft, u64 iommu_id)
{
	u64 i = iommu_id - FAKE_IOMMU_ID_BASE;

	if (iommu_id < FAKE_IOMMU_ID_BASE || i >= ft->fake->nr_iommus ||
	    !ft->fake->iommus[i].set_up)
		return -1;
	return i;
}

/* An IDE stream of the fake SPDM module, if that is installed */
static struct tdx_fake_spdm_stream *fake_stream(struct tdx_fake_tdi *ft, u8 stream_id)
{
	struct tdx_fake_spdm *fs = ft->fake->ext_priv;

	return fs ? tdx_fake_spdm_stream(fs, stream_id) : NULL;
}

/* The stream of a TDI is blocked, or gone (which takes blocking it first) */
static bool fake_stream_blocked(struct tdx_fake_tdi *ft, const struct tdx_fake_devif *d)
{
	struct tdx_fake_spdm_stream *s;

	s = fake_stream(ft, FIELD_GET(TDX_DEVIF_ID_STREAM_ID, d->devif_id));
	return !s || s->blocked;
}

/* ---- DEVIFMT: devifmt.c, devifmt_defs.h, tdh_devifmt_{add,remove,rd}.c ---- */

static unsigned long devifmt_key(u64 func_id, unsigned int level)
{
	return func_id >> TDX_DEVIFMT_LEVEL_SHIFT(level);
}

/* The entry of @level on @func_id's path: a page PA | present, or 0 */
static u64 devifmt_entry(struct tdx_fake_tdi *ft, u64 func_id, unsigned int level)
{
	struct tdx_fake_devif *d;
	void *v;

	if (level == TDX_DEVIFMT_LEVEL_DEVIF) {
		d = fake_created(ft, func_id);
		return d ? d->devifcs | TDX_DEVIFMT_ENTRY_PRESENT : 0;
	}
	v = xa_load(&ft->devifmt[level - 1], devifmt_key(func_id, level));
	return v ? fake_val_pa(v) | TDX_DEVIFMT_ENTRY_PRESENT : 0;
}

/* Every entry above @level on the path must be present. */
static u64 devifmt_walk(struct tdx_fake_tdi *ft, u64 func_id, unsigned int level,
			u64 operand)
{
	unsigned int l;

	for (l = TDX_DEVIFMT_LEVEL_ROOT; l > level; l--) {
		if (!devifmt_entry(ft, func_id, l))
			return op(TDX_DEVIFMT_NOT_PRESENT, operand);
	}
	return TDX_SUCCESS;
}

static u64 devifmt_idx(u64 idx, unsigned int min, unsigned int *level, u64 *func_id)
{
	*level = FIELD_GET(TDX_DEVIFMT_IDX_LEVEL, idx);
	*func_id = FIELD_GET(TDX_DEVIFMT_IDX_FUNC_ID, idx);
	if ((idx & TDX_DEVIFMT_IDX_RSVD) || *level < min || *level > TDX_DEVIFMT_LEVEL_ROOT ||
	    (*func_id & FAKE_FUNC_ID_BAD))
		return op(TDX_OPERAND_INVALID, TDX_OPERAND_ID_RCX);
	return TDX_SUCCESS;
}

static u64 fake_devifmt_add(struct tdx_fake_tdi *ft, struct tdx_module_args *args)
{
	struct fake_take t = {};
	unsigned int level;
	u64 func_id, ret;

	ret = devifmt_idx(args->rcx, 1, &level, &func_id);
	if (ret)
		return ret;
	ret = fake_take(ft, &t, args->rdx, TDX_OPERAND_ID_RDX);
	if (ret)
		return ret;
	ret = devifmt_walk(ft, func_id, level, TDX_OPERAND_ID_RCX);
	if (ret)
		goto untake;
	if (devifmt_entry(ft, func_id, level)) {
		ret = op(TDX_DEVIFMT_ALREADY_PRESENT, TDX_OPERAND_ID_RCX);
		goto untake;
	}
	if (xa_err(xa_store(&ft->devifmt[level - 1], devifmt_key(func_id, level),
			    fake_pa_val(args->rdx), GFP_KERNEL))) {
		ret = TDX_SYS_BUSY;
		goto untake;
	}
	ft->nr_pages[TDX_FAKE_TDI_DEVIFMT][level - 1]++;
	return TDX_SUCCESS;

untake:
	fake_untake_all(ft, &t);
	return ret;
}

static u64 fake_devifmt_remove(struct tdx_fake_tdi *ft, struct tdx_module_args *args)
{
	unsigned int level;
	unsigned long key;
	u64 func_id, pa, ret;
	struct xarray *child;

	ret = devifmt_idx(args->rcx, 1, &level, &func_id);
	if (ret)
		return ret;
	ret = devifmt_walk(ft, func_id, level, TDX_OPERAND_ID_RCX);
	if (ret)
		return ret;
	pa = devifmt_entry(ft, func_id, level) & TDX_DEVIFMT_ENTRY_PA;
	if (!pa)
		return op(TDX_DEVIFMT_NOT_PRESENT, TDX_OPERAND_ID_RCX);

	/* The page it points to must have all its 512 entries clear. */
	key = devifmt_key(func_id, level);
	child = level == 1 ? &ft->devifs : &ft->devifmt[level - 2];
	if (fake_xa_any(child, key << FAKE_DEVIFMT_IDX_BITS,
			((key + 1) << FAKE_DEVIFMT_IDX_BITS) - 1))
		return op(TDX_DEVIF_INVALID_METADATA, TDX_OPERAND_ID_RCX);

	xa_erase(&ft->devifmt[level - 1], key);
	ft->nr_pages[TDX_FAKE_TDI_DEVIFMT][level - 1]--;
	tdx_fake_give_back(ft->fake, pa);
	args->rcx = pa;
	return TDX_SUCCESS;
}

static u64 fake_devifmt_rd(struct tdx_fake_tdi *ft, struct tdx_module_args *args)
{
	unsigned int level;
	u64 func_id, ret;

	ret = devifmt_idx(args->rcx, 0, &level, &func_id);
	if (ret)
		return ret;
	ret = devifmt_walk(ft, func_id, level, TDX_OPERAND_ID_RCX);
	if (ret)
		return ret;
	args->rcx = devifmt_entry(ft, func_id, level);
	return TDX_SUCCESS;
}

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
	ret = devifmt_walk(ft, func_id, TDX_DEVIFMT_LEVEL_DEVIF, TDX_OPERAND_ID_RCX);
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
		.mt_page = devifmt_entry(ft, func_id, 1) & TDX_DEVIFMT_ENTRY_PA,
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

/* ---- DMAR: dmar.c, dmar.h, dmar_defs.h, tdh_dmar_{add,block,read,remove}.c ---- */

/* A DMAR entry's place: its IOMMU, level, RID and PASID */
struct fake_dmar_idx {
	int iommu;
	unsigned int level;
	u16 rid;
	u32 pasid;
};

static const unsigned int fake_dmar_qwords[] = {
	[TDX_DMAR_LEVEL_PASIDTE] = TDX_DMAR_PASIDTE_QWORDS,
	[TDX_DMAR_LEVEL_PDE] = TDX_DMAR_PDE_QWORDS,
	[TDX_DMAR_LEVEL_CTE] = TDX_DMAR_CTE_QWORDS,
	[TDX_DMAR_LEVEL_RTE] = TDX_DMAR_RTE_QWORDS,
};

/* Operand IDs of the entry's qwords in TDH.DMAR.ADD */
static const u64 fake_dmar_operand[TDX_DMAR_ENTRY_QWORDS] = {
	TDX_OPERAND_ID_RDX, TDX_OPERAND_ID_R8, TDX_OPERAND_ID_R9, TDX_OPERAND_ID_R10,
	TDX_OPERAND_ID_R11, TDX_OPERAND_ID_R12, TDX_OPERAND_ID_R13, TDX_OPERAND_ID_R14,
};

/* Index bits of the children of an entry of each level (dmar.h) */
static const unsigned int fake_dmar_child_bits[] = {
	[TDX_DMAR_LEVEL_PDE] = FAKE_PASID_PDE_SHIFT,
	[TDX_DMAR_LEVEL_CTE] = 14,
	[TDX_DMAR_LEVEL_RTE] = 7,
};

static unsigned long dmar_key(unsigned int level, u16 rid, u32 pasid)
{
	switch (level) {
	case TDX_DMAR_LEVEL_RTE:
		return FIELD_GET(TDX_DMAR_RID_RTE, rid);
	case TDX_DMAR_LEVEL_CTE:
		return rid;
	case TDX_DMAR_LEVEL_PDE:
		return (unsigned long)rid << 14 | pasid >> FAKE_PASID_PDE_SHIFT;
	default:
		return (unsigned long)rid << 20 | pasid;
	}
}

static struct tdx_fake_dmar *dmar_entry(struct tdx_fake_tdi *ft,
					const struct fake_dmar_idx *x, unsigned int level)
{
	return xa_load(&ft->dmar[x->iommu][level], dmar_key(level, x->rid, x->pasid));
}

/* Pages an entry points to: its table, or the CTE's PASID directory */
static unsigned int dmar_nr_pages(const struct tdx_fake_dmar *e)
{
	switch (e->level) {
	case TDX_DMAR_LEVEL_RTE:
	case TDX_DMAR_LEVEL_PDE:
		return 1;
	case TDX_DMAR_LEVEL_CTE:
		return TDX_DMAR_CTE_PD_PAGES(FIELD_GET(TDX_DMAR_CTE_PDTS, e->entry.qw[0]));
	default:
		return 0;
	}
}

/* Any entry below @e that is not FREE */
static bool dmar_has_children(struct tdx_fake_tdi *ft, const struct fake_dmar_idx *x,
			      const struct tdx_fake_dmar *e)
{
	unsigned int bits = fake_dmar_child_bits[e->level];
	unsigned long key = dmar_key(e->level, e->rid, e->pasid);

	if (e->level == TDX_DMAR_LEVEL_PASIDTE)
		return false;
	return fake_xa_any(&ft->dmar[x->iommu][e->level - 1], key << bits,
			   ((key + 1) << bits) - 1);
}

/*
 * Every entry above the indexed one present; below a CTE only its
 * RID_PASID, within the PASID directory it has.
 */
static u64 dmar_walk(struct tdx_fake_tdi *ft, const struct fake_dmar_idx *x, u64 operand)
{
	struct tdx_fake_dmar *e;
	unsigned int l, pdts;

	for (l = TDX_DMAR_LEVEL_RTE; l > x->level; l--) {
		e = dmar_entry(ft, x, l);
		if (!e || e->map != TDX_DMAR_MAP_PRESENT)
			return op(TDX_DMAR_ENTRY_NOT_PRESENT, operand);
		if (l != TDX_DMAR_LEVEL_CTE)
			continue;
		if (x->pasid != FAKE_RID_PASID)
			return op(TDX_OPERAND_INVALID, operand);
		pdts = FIELD_GET(TDX_DMAR_CTE_PDTS, e->entry.qw[0]);
		if ((x->pasid >> FAKE_PASID_PDE_SHIFT) >= BIT(pdts + 7))
			return op(TDX_DMAR_INDEX_OUT_OF_BOUNDS, operand);
	}
	return TDX_SUCCESS;
}

/* DMAR_IDX: reserved bits, the level and an IOMMU that is set up */
static u64 dmar_idx(struct tdx_fake_tdi *ft, u64 idx, struct fake_dmar_idx *x)
{
	*x = (struct fake_dmar_idx) {
		.iommu = fake_iommu(ft, FIELD_GET(TDX_DMAR_IDX_IOMMU_ID, idx)),
		.level = FIELD_GET(TDX_DMAR_IDX_LEVEL, idx),
		.rid = FIELD_GET(TDX_DMAR_IDX_RID, idx),
		.pasid = FIELD_GET(TDX_DMAR_IDX_PASID, idx),
	};
	if ((idx & TDX_DMAR_IDX_RSVD) || x->level > TDX_DMAR_LEVEL_RTE || x->iommu < 0)
		return op(TDX_OPERAND_INVALID, TDX_OPERAND_ID_RCX);
	return TDX_SUCCESS;
}

/* The entry as the host may add it (tdh_dmar_add.c) */
static u64 dmar_check_entry(unsigned int level, const struct tdx_dmar_entry *e)
{
	const u64 *qw = e->qw;
	unsigned int q;

	for (q = fake_dmar_qwords[level]; q < TDX_DMAR_ENTRY_QWORDS; q++) {
		if (qw[q])
			return op(TDX_OPERAND_INVALID, fake_dmar_operand[q]);
	}

	switch (level) {
	case TDX_DMAR_LEVEL_RTE:
		if (!(qw[0] & TDX_DMAR_ENTRY_PRESENT) || (qw[0] & TDX_DMAR_RTE_RSVD))
			return op(TDX_OPERAND_INVALID, TDX_OPERAND_ID_RDX);
		break;
	case TDX_DMAR_LEVEL_CTE:
		if (!(qw[0] & TDX_DMAR_ENTRY_PRESENT) ||
		    (qw[0] & (TDX_DMAR_CTE_DTE | TDX_DMAR_CTE_PRE | TDX_DMAR_CTE_PASIDE |
			      TDX_DMAR_CTE_RSVD)))
			return op(TDX_OPERAND_INVALID, TDX_OPERAND_ID_RDX);
		for (q = 1; q < TDX_DMAR_CTE_QWORDS; q++) {
			if (qw[q])
				return op(TDX_OPERAND_INVALID, fake_dmar_operand[q]);
		}
		break;
	case TDX_DMAR_LEVEL_PDE:
		if (!(qw[0] & TDX_DMAR_ENTRY_PRESENT) || (qw[0] & TDX_DMAR_PDE_RSVD))
			return op(TDX_OPERAND_INVALID, TDX_OPERAND_ID_RDX);
		break;
	case TDX_DMAR_LEVEL_PASIDTE:
		if ((qw[0] & (TDX_DMAR_PASIDTE_PRESENT | GENMASK_ULL(11, 10) |
			      TDX_DMAR_PASIDTE_SLPTPTR)) ||
		    !(qw[0] & TDX_DMAR_PASIDTE_SLEE) ||
		    FIELD_GET(TDX_DMAR_PASIDTE_PGTT, qw[0]) != TDX_DMAR_PASIDTE_PGTT_SL)
			return op(TDX_OPERAND_INVALID, TDX_OPERAND_ID_RDX);
		if ((qw[1] & (TDX_DMAR_PASIDTE1_DID | TDX_DMAR_PASIDTE1_CD | GENMASK_ULL(22, 16) |
			      BIT_ULL(30) | BIT_ULL(31) | GENMASK_ULL(63, 32))) ||
		    !(qw[1] & TDX_DMAR_PASIDTE1_PWSNP) || !(qw[1] & TDX_DMAR_PASIDTE1_PGSNP) ||
		    !(qw[1] & TDX_DMAR_PASIDTE1_EMTE) ||
		    FIELD_GET(TDX_DMAR_PASIDTE1_EMT, qw[1]) != TDX_DMAR_PASIDTE1_EMT_WB)
			return op(TDX_OPERAND_INVALID, TDX_OPERAND_ID_R8);
		for (q = 2; q < TDX_DMAR_PASIDTE_QWORDS; q++) {
			if (qw[q])
				return op(TDX_OPERAND_INVALID, fake_dmar_operand[q]);
		}
		break;
	}
	return TDX_SUCCESS;
}

/* The n-th resumable call is interrupted once (interrupt_nth). */
static bool fake_interrupt(struct tdx_fake_tdi *ft)
{
	return ++ft->nr_resumable == ft->interrupt_nth;
}

static u64 fake_dmar_add(struct tdx_fake_tdi *ft, struct tdx_module_args *args)
{
	struct tdx_dmar_entry entry = {
		.qw = { args->rdx, args->r8, args->r9, args->r10, args->r11,
			args->r12, args->r13, args->r14 },
	};
	u64 table = args->rdx & TDX_DMAR_ENTRY_PTR;
	struct tdx_fake_dmar *e, new = {};
	struct fake_take t = {};
	struct fake_dmar_idx x;
	unsigned int i, nr;
	u64 ret;

	ret = dmar_idx(ft, args->rcx, &x);
	if (ret)
		return ret;
	ret = dmar_check_entry(x.level, &entry);
	if (ret)
		return ret;
	ret = dmar_walk(ft, &x, TDX_OPERAND_ID_RCX);
	if (ret)
		return ret;

	e = dmar_entry(ft, &x, x.level);
	if (e) {
		/* Only an interrupted CTE ADD, resumed with the same operands */
		if (e->map != TDX_DMAR_MAP_FREE)
			return op(TDX_DMAR_INVALID_MAPPING_STATE, TDX_OPERAND_ID_RCX);
		if (memcmp(&e->entry, &entry, sizeof(entry)))
			return op(TDX_OPERAND_INVALID, TDX_OPERAND_ID_RDX);
		goto resume;
	}

	new = (struct tdx_fake_dmar) {
		.level = x.level, .rid = x.rid, .pasid = x.pasid, .entry = entry,
	};
	nr = dmar_nr_pages(&new);
	for (i = 0; i < nr; i++) {
		ret = fake_take(ft, &t, table + i * PAGE_SIZE, TDX_OPERAND_ID_RDX);
		if (ret)
			return ret;
	}
	e = kunit_kzalloc(ft->test, sizeof(*e), GFP_KERNEL);
	if (!e || xa_err(xa_store(&ft->dmar[x.iommu][x.level],
				  dmar_key(x.level, x.rid, x.pasid), e, GFP_KERNEL))) {
		fake_untake_all(ft, &t);
		return TDX_SYS_BUSY;
	}
	*e = new;
	ft->nr_pages[TDX_FAKE_TDI_DMAR][x.level] += nr;

resume:
	/* The module zeroes a CTE's PASID directory pages resumably. */
	if (x.level == TDX_DMAR_LEVEL_CTE && fake_interrupt(ft)) {
		e->pd_cnt = dmar_nr_pages(e) / 2;
		return TDX_INTERRUPTED_RESUMABLE;
	}
	e->pd_cnt = 0;
	e->map = x.level == TDX_DMAR_LEVEL_PASIDTE ? TDX_DMAR_MAP_PENDING : TDX_DMAR_MAP_PRESENT;
	e->inv = TDX_DMAR_INV_PENDING;
	return TDX_SUCCESS;
}

static u64 fake_dmar_block(struct tdx_fake_tdi *ft, struct tdx_module_args *args)
{
	struct tdx_fake_dmar *e;
	struct fake_dmar_idx x;
	u64 ret;

	ret = dmar_idx(ft, args->rcx, &x);
	if (ret)
		return ret;
	ret = dmar_walk(ft, &x, TDX_OPERAND_ID_RCX);
	if (ret)
		return ret;
	e = dmar_entry(ft, &x, x.level);
	if (!e || (e->map != TDX_DMAR_MAP_PRESENT && e->map != TDX_DMAR_MAP_PENDING) ||
	    dmar_has_children(ft, &x, e))
		return op(TDX_DMAR_INVALID_MAPPING_STATE, TDX_OPERAND_ID_RCX);
	if (x.level == TDX_DMAR_LEVEL_PASIDTE && !fake_created(ft, x.rid))
		return op(TDX_DEVIFMT_NOT_PRESENT, TDX_OPERAND_ID_RCX);
	e->map = TDX_DMAR_MAP_BLOCKED;
	e->inv = TDX_DMAR_INV_PENDING;
	return TDX_SUCCESS;
}

static u64 fake_dmar_read(struct tdx_fake_tdi *ft, struct tdx_module_args *args)
{
	struct tdx_dmar_entry entry = {};
	struct tdx_fake_dmar *e;
	struct fake_dmar_idx x;
	u64 ret, state;

	ret = dmar_idx(ft, args->rcx, &x);
	if (ret)
		return ret;
	ret = dmar_walk(ft, &x, TDX_OPERAND_ID_RCX);
	if (ret)
		return ret;
	e = dmar_entry(ft, &x, x.level);
	state = FIELD_PREP(TDX_DMAR_STATE_LEVEL, x.level);
	if (e) {
		entry = e->entry;
		state |= FIELD_PREP(TDX_DMAR_STATE_MAP, e->map) |
			 FIELD_PREP(TDX_DMAR_STATE_INV, e->inv) |
			 FIELD_PREP(TDX_DMAR_STATE_PD_CNT, e->pd_cnt);
	}
	args->rdx = state;
	args->r8 = entry.qw[0];
	args->r9 = entry.qw[1];
	args->r10 = entry.qw[2];
	args->r11 = entry.qw[3];
	args->r12 = entry.qw[4];
	args->r13 = entry.qw[5];
	args->r14 = entry.qw[6];
	args->r15 = entry.qw[7];
	return TDX_SUCCESS;
}

static u64 fake_dmar_remove(struct tdx_fake_tdi *ft, struct tdx_module_args *args)
{
	struct tdx_fake_devif *d = NULL;
	struct tdx_fake_dmar *e;
	struct fake_dmar_idx x;
	unsigned int i, nr;
	u64 ret, table;

	ret = dmar_idx(ft, args->rcx, &x);
	if (ret)
		return ret;
	ret = dmar_walk(ft, &x, TDX_OPERAND_ID_RCX);
	if (ret)
		return ret;
	e = dmar_entry(ft, &x, x.level);
	if (!e || e->map != TDX_DMAR_MAP_BLOCKED)
		return op(TDX_DMAR_INVALID_MAPPING_STATE, TDX_OPERAND_ID_RCX);
	if (e->inv != TDX_DMAR_INV_DONE)
		return op(TDX_DMAR_INVALID_INV_STATE, TDX_OPERAND_ID_RCX);
	if (dmar_has_children(ft, &x, e))
		return op(TDX_DMAR_INVALID_MAPPING_STATE, TDX_OPERAND_ID_RCX);
	if (e->accepted) {
		d = fake_created(ft, x.rid);
		if (!d)
			return op(TDX_DEVIFMT_NOT_PRESENT, TDX_OPERAND_ID_RCX);
	}

	nr = dmar_nr_pages(e);
	/* The module checks a CTE's PASID directory pages resumably. */
	if (x.level == TDX_DMAR_LEVEL_CTE && fake_interrupt(ft)) {
		e->removing = true;
		e->pd_cnt = nr / 2;
		return TDX_INTERRUPTED_RESUMABLE;
	}

	if (d)
		d->dma_mapped = false;
	table = e->entry.qw[0] & TDX_DMAR_ENTRY_PTR;
	for (i = 0; i < nr; i++)
		tdx_fake_give_back(ft->fake, table + i * PAGE_SIZE);
	ft->nr_pages[TDX_FAKE_TDI_DMAR][x.level] -= nr;
	if (nr)
		args->rcx = table;
	xa_erase(&ft->dmar[x.iommu][x.level], dmar_key(x.level, x.rid, x.pasid));
	kunit_kfree(ft->test, e);
	return TDX_SUCCESS;
}

/* ---- Invalidation: tdh_iq_inv_request.c, tdh_iq_inv_process.c ---- */

/*
 * The fake IOMMU hardware: completes every queued request that is due,
 * writes its status, and comes back for the others (and while stalled).
 */
static void fake_iq_work(struct work_struct *work)
{
	struct tdx_fake_tdi *ft = container_of(to_delayed_work(work), struct tdx_fake_tdi,
					       iq_work);
	unsigned long delay = max(usecs_to_jiffies(ft->iq_delay_us), 1UL);
	bool again = false;
	unsigned int i;

	scoped_guard(mutex, &ft->lock) {
		for (i = 0; i < TDX_FAKE_MAX_IOMMUS; i++) {
			struct tdx_fake_iq *q = &ft->iq[i];

			while (q->hw_head != q->tail) {
				struct tdx_fake_iq_req *r;

				r = &q->reqs[q->hw_head % TDX_FAKE_TDI_IQ_MAX];

				if (ft->iq_stall || time_before(jiffies, r->due)) {
					again = true;
					break;
				}
				if (r->sw)
					WRITE_ONCE(*(u32 *)__va(r->status_pa), r->status_data);
				q->hw_head++;
			}
		}
	}
	if (again)
		schedule_delayed_work(&ft->iq_work, delay);
}

static void fake_iq_cancel(void *data)
{
	struct tdx_fake_tdi *ft = data;

	cancel_delayed_work_sync(&ft->iq_work);
}

static u64 fake_iq_inv_request(struct tdx_fake_tdi *ft, struct tdx_module_args *args)
{
	u64 type = FIELD_GET(TDX_IQ_INV_TYPE, args->rdx);
	struct tdx_fake_iq_req *r;
	struct tdx_fake_dmar *e;
	struct fake_dmar_idx x;
	struct tdx_fake_iq *q;
	u64 ret;

	x.iommu = fake_iommu(ft, args->rcx);
	if (x.iommu < 0)
		return op(TDX_OPERAND_INVALID, TDX_OPERAND_ID_RCX);
	/* The IOTLB and TD types are not modelled. */
	if ((args->rdx & TDX_IQ_INV_TYPE_RSVD) || type < TDX_IQ_INV_RTE ||
	    type > TDX_IQ_INV_PASIDTE || FIELD_GET(TDX_IQ_INV_POOL_SIZE, args->rdx))
		return op(TDX_OPERAND_INVALID, TDX_OPERAND_ID_RDX);
	if (args->r8 & TDX_IQ_SUBJECT_RSVD)
		return op(TDX_OPERAND_INVALID, TDX_OPERAND_ID_R8);
	if (FIELD_GET(TDX_IQ_WAIT_TYPE, args->r9) != TDX_IQ_WAIT_TYPE_WAIT ||
	    FIELD_GET(TDX_IQ_WAIT_TYPE2, args->r9) || (args->r9 & TDX_IQ_WAIT_RSVD) ||
	    (args->r9 & TDX_IQ_WAIT_PD) || !(args->r9 & TDX_IQ_WAIT_FN))
		return op(TDX_OPERAND_INVALID, TDX_OPERAND_ID_R9);
	/* A shared (KeyID 0) dword the IOMMU writes its status to */
	if (!IS_ALIGNED(args->r10, 4) || (args->r10 & GENMASK_ULL(63, 52)) ||
	    !pfn_valid(PHYS_PFN(args->r10)))
		return op(TDX_OPERAND_INVALID, TDX_OPERAND_ID_R10);
	if (args->r11)
		return op(TDX_OPERAND_INVALID, TDX_OPERAND_ID_R11);
	if (args->r12)
		return op(TDX_OPERAND_INVALID, TDX_OPERAND_ID_R12);

	/* RTE 1 to PASIDTE 4 invalidate the entry of level 3 to 0. */
	x.level = TDX_DMAR_LEVEL_RTE + TDX_IQ_INV_RTE - type;
	x.rid = FIELD_GET(TDX_IQ_SUBJECT_RID, args->r8);
	x.pasid = FIELD_GET(TDX_IQ_SUBJECT_PASID, args->r8);
	ret = dmar_walk(ft, &x, TDX_OPERAND_ID_R8);
	if (ret)
		return ret;
	e = dmar_entry(ft, &x, x.level);
	if (!e || e->map != TDX_DMAR_MAP_BLOCKED)
		return op(TDX_DMAR_INVALID_MAPPING_STATE, TDX_OPERAND_ID_R8);
	if (e->inv != TDX_DMAR_INV_PENDING)
		return op(TDX_DMAR_INVALID_INV_STATE, TDX_OPERAND_ID_R8);

	q = &ft->iq[x.iommu];
	if (q->tail - q->sw_head >= min(ft->iq_size, TDX_FAKE_TDI_IQ_MAX))
		return op(TDX_IOMMU_IQ_QUEUE_FULL, TDX_OPERAND_ID_RDX);
	/* Before the hardware may write to a page the test frees */
	if (kunit_add_action(ft->test, fake_iq_cancel, ft))
		return TDX_SYS_BUSY;

	r = &q->reqs[q->tail++ % TDX_FAKE_TDI_IQ_MAX];
	*r = (struct tdx_fake_iq_req) {
		.entry = e,
		.status_pa = args->r10,
		.status_data = FIELD_GET(TDX_IQ_WAIT_DATA, args->r9),
		.sw = args->r9 & TDX_IQ_WAIT_SW,
		.due = jiffies + usecs_to_jiffies(ft->iq_delay_us),
	};
	e->inv = TDX_DMAR_INV_QUEUED;
	schedule_delayed_work(&ft->iq_work, usecs_to_jiffies(ft->iq_delay_us));
	return TDX_SUCCESS;
}

static u64 fake_iq_inv_process(struct tdx_fake_tdi *ft, struct tdx_module_args *args)
{
	struct tdx_fake_iq *q;
	int i = fake_iommu(ft, args->rcx);

	if (i < 0)
		return op(TDX_OPERAND_INVALID, TDX_OPERAND_ID_RCX);
	if (fake_interrupt(ft))
		return TDX_INTERRUPTED_RESUMABLE;

	/* Up to the hardware's head; what it has not done stays QUEUED. */
	q = &ft->iq[i];
	while (q->sw_head != q->hw_head)
		q->reqs[q->sw_head++ % TDX_FAKE_TDI_IQ_MAX].entry->inv = TDX_DMAR_INV_DONE;
	return TDX_SUCCESS;
}

/* ---- MMIOMT: mmiomt.c, mmiomt_defs.h, tdh_mmio_mt_{add,set,remove,rd}.c ---- */

/* The page of @level that holds @pa's entry of that level */
static unsigned long mmiomt_page_key(u64 pa, unsigned int level)
{
	return pa >> (TDX_MMIOMT_IDX_SHIFT(level) + FAKE_MMIOMT_IDX_BITS);
}

static unsigned long mmiomt_entry_key(u64 pa, unsigned int level)
{
	return pa >> TDX_MMIOMT_IDX_SHIFT(level);
}

/* A DATA entry of @level for @pa, as its xarray value, or NULL */
static void *mmiomt_data(struct tdx_fake_tdi *ft, u64 pa, unsigned int level)
{
	if (level > TDX_MMIOMT_LEVEL_1G)
		return NULL;
	return xa_load(&ft->mmiomt_data[level], mmiomt_entry_key(pa, level));
}

/* The node of @pa's QNODE entry of @level (1 to 5): its page, or 0 */
static u64 mmiomt_node(struct tdx_fake_tdi *ft, u64 pa, unsigned int level)
{
	void *v = xa_load(&ft->mmiomt_pages[level - 1], mmiomt_page_key(pa, level - 1));

	return v ? fake_val_pa(v) : 0;
}

/*
 * The root's node and every node on the path down to the page that holds
 * the entry of @level; a DATA entry on the path has no node below it.
 */
static u64 mmiomt_walk(struct tdx_fake_tdi *ft, u64 pa, unsigned int level, u64 operand)
{
	unsigned int l;

	for (l = TDX_MMIOMT_LEVEL_ROOT; l > level; l--) {
		if (!mmiomt_node(ft, pa, l))
			return op(TDX_MMIOMT_NOT_PRESENT, operand);
	}
	return TDX_SUCCESS;
}

static u64 mmiomt_idx(u64 idx, unsigned int min, unsigned int max, unsigned int *level)
{
	*level = FIELD_GET(TDX_MMIOMT_IDX_LEVEL, idx);
	if ((idx & TDX_MMIOMT_IDX_RSVD) || *level < min || *level > max)
		return op(TDX_OPERAND_INVALID, TDX_OPERAND_ID_RCX);
	return TDX_SUCCESS;
}

static u64 fake_mmiomt_add(struct tdx_fake_tdi *ft, struct tdx_module_args *args)
{
	u64 pa = args->rcx & TDX_MMIOMT_IDX_PA;
	struct fake_take t = {};
	unsigned int level;
	u64 ret;

	ret = mmiomt_idx(args->rcx, 1, TDX_MMIOMT_LEVEL_ROOT, &level);
	if (ret)
		return ret;
	ret = fake_take(ft, &t, args->rdx, TDX_OPERAND_ID_RDX);
	if (ret)
		return ret;
	ret = mmiomt_walk(ft, pa, level, TDX_OPERAND_ID_RCX);
	if (ret)
		goto untake;
	if (mmiomt_data(ft, pa, level) || mmiomt_node(ft, pa, level)) {
		ret = op(TDX_MMIO_INVALID_PAGE_METADATA, TDX_OPERAND_ID_RCX);
		goto untake;
	}
	if (xa_err(xa_store(&ft->mmiomt_pages[level - 1], mmiomt_page_key(pa, level - 1),
			    fake_pa_val(args->rdx), GFP_KERNEL))) {
		ret = TDX_SYS_BUSY;
		goto untake;
	}
	ft->nr_pages[TDX_FAKE_TDI_MMIOMT][level - 1]++;
	return TDX_SUCCESS;

untake:
	fake_untake_all(ft, &t);
	return ret;
}

static u64 fake_mmiomt_remove(struct tdx_fake_tdi *ft, struct tdx_module_args *args)
{
	u64 pa = args->rcx & TDX_MMIOMT_IDX_PA;
	unsigned int level, child;
	unsigned long key;
	u64 page, ret;

	ret = mmiomt_idx(args->rcx, 1, TDX_MMIOMT_LEVEL_ROOT, &level);
	if (ret)
		return ret;
	ret = mmiomt_walk(ft, pa, level, TDX_OPERAND_ID_RCX);
	if (ret)
		return ret;
	page = mmiomt_node(ft, pa, level);
	if (mmiomt_data(ft, pa, level) || !page)
		return op(TDX_MMIO_INVALID_PAGE_METADATA, TDX_OPERAND_ID_RCX);

	/* All 128 entries of the page QNODEs with no node present */
	child = level - 1;
	key = mmiomt_page_key(pa, child);
	if (child <= TDX_MMIOMT_LEVEL_1G &&
	    fake_xa_any(&ft->mmiomt_data[child], key << FAKE_MMIOMT_IDX_BITS,
			((key + 1) << FAKE_MMIOMT_IDX_BITS) - 1))
		return op(TDX_MMIO_INVALID_PAGE_METADATA, TDX_OPERAND_ID_RCX);
	if (child && fake_xa_any(&ft->mmiomt_pages[child - 1],
				 key << (FAKE_MMIOMT_IDX_BITS + FAKE_MMIOMT_NODE_BITS),
				 ((key + 1) << (FAKE_MMIOMT_IDX_BITS +
						FAKE_MMIOMT_NODE_BITS)) - 1))
		return op(TDX_MMIO_INVALID_PAGE_METADATA, TDX_OPERAND_ID_RCX);

	xa_erase(&ft->mmiomt_pages[child], key);
	ft->nr_pages[TDX_FAKE_TDI_MMIOMT][child]--;
	tdx_fake_give_back(ft->fake, page);
	args->rcx = PHYS_PFN(page);
	return TDX_SUCCESS;
}

static u64 fake_mmiomt_set(struct tdx_fake_tdi *ft, struct tdx_module_args *args)
{
	u64 type = FIELD_GET(TDX_MMIOMT_SET_TYPE, args->rdx);
	u64 func_id = FIELD_GET(TDX_MMIOMT_SET_FUNC_ID, args->rdx);
	u64 pa = args->rcx & TDX_MMIOMT_IDX_PA;
	unsigned int level;
	void *data;
	u64 ret;

	ret = mmiomt_idx(args->rcx, 0, TDX_MMIOMT_LEVEL_1G, &level);
	if (ret)
		return ret;
	ret = mmiomt_walk(ft, pa, level, TDX_OPERAND_ID_RCX);
	if (ret)
		return ret;
	if ((args->rdx & TDX_MMIOMT_SET_RSVD) || type > TDX_MMIOMT_TYPE_DATA ||
	    (type == TDX_MMIOMT_TYPE_QNODE && func_id) ||
	    (type == TDX_MMIOMT_TYPE_DATA && !func_id))
		return op(TDX_OPERAND_INVALID, TDX_OPERAND_ID_RDX);

	data = mmiomt_data(ft, pa, level);
	if (type == TDX_MMIOMT_TYPE_QNODE) {
		if (!data || (xa_to_value(data) & FAKE_MMIO_MAPPED))
			return op(TDX_MMIO_INVALID_PAGE_METADATA, TDX_OPERAND_ID_MMIOMT);
		xa_erase(&ft->mmiomt_data[level], mmiomt_entry_key(pa, level));
		return TDX_SUCCESS;
	}

	/* QNODE to DATA: no node below it, and the TDI exists */
	if (data || (level && mmiomt_node(ft, pa, level)))
		return op(TDX_MMIO_INVALID_PAGE_METADATA, TDX_OPERAND_ID_MMIOMT);
	if (func_id & FAKE_FUNC_ID_BAD)
		return op(TDX_OPERAND_INVALID, TDX_OPERAND_ID_RDX);
	ret = devifmt_walk(ft, func_id, TDX_DEVIFMT_LEVEL_DEVIF, TDX_OPERAND_ID_RDX);
	if (ret)
		return ret;
	if (!fake_created(ft, func_id))
		return op(TDX_DEVIFMT_NOT_PRESENT, TDX_OPERAND_ID_RDX);
	if (xa_err(xa_store(&ft->mmiomt_data[level], mmiomt_entry_key(pa, level),
			    xa_mk_value(func_id), GFP_KERNEL)))
		return TDX_SYS_BUSY;
	return TDX_SUCCESS;
}

static u64 fake_mmiomt_rd(struct tdx_fake_tdi *ft, struct tdx_module_args *args)
{
	u64 pa = args->rcx & TDX_MMIOMT_IDX_PA;
	u64 qw[TDX_MMIOMT_ENTRY_QWORDS] = {};
	unsigned int level, j;
	void *data;
	u64 ret;

	ret = mmiomt_idx(args->rcx, 0, TDX_MMIOMT_LEVEL_ROOT, &level);
	if (ret)
		return ret;
	ret = mmiomt_walk(ft, pa, level, TDX_OPERAND_ID_RCX);
	if (ret)
		return ret;

	data = mmiomt_data(ft, pa, level);
	if (data) {
		qw[0] = FIELD_PREP(TDX_MMIOMT_ENTRY_TYPE, TDX_MMIOMT_TYPE_DATA) |
			FIELD_PREP(TDX_MMIOMT_ENTRY_FUNC_ID, (u32)xa_to_value(data));
		if (xa_to_value(data) & FAKE_MMIO_MAPPED)
			qw[0] |= TDX_MMIOMT_ENTRY_MAPPED;
	} else if (level) {
		/* The four nodes of the QNODE; the root has node 0 only */
		for (j = 0; j < TDX_MMIOMT_NODES; j++) {
			unsigned long key = mmiomt_entry_key(pa, level);
			void *v;

			key = key << FAKE_MMIOMT_NODE_BITS | j;
			v = xa_load(&ft->mmiomt_pages[level - 1], key);

			if (v)
				qw[j] = fake_val_pa(v) | TDX_MMIOMT_NODE_PRESENT;
		}
	}
	args->rcx = qw[0];
	args->rdx = qw[1];
	args->r8 = qw[2];
	args->r9 = qw[3];
	return TDX_SUCCESS;
}

/* ---- MMIO: tdh_mmio_{map,block,unmap}.c; 4 KiB mappings only ---- */

static u64 fake_mmio_check(const struct tdx_module_args *args)
{
	if ((args->rcx & TDX_GPA_INFO_RSVD) ||
	    FIELD_GET(TDX_GPA_INFO_LEVEL, args->rcx) != TDX_MMIOMT_LEVEL_4K)
		return op(TDX_OPERAND_INVALID, TDX_OPERAND_ID_RCX);
	if (!args->rdx || (args->rdx & FAKE_PA_RSVD))
		return op(TDX_OPERAND_INVALID, TDX_OPERAND_ID_RDX);
	return TDX_SUCCESS;
}

static unsigned long fake_gpa_key(u64 gpa_info)
{
	return FIELD_GET(TDX_GPA_INFO_GPA, gpa_info);
}

static struct tdx_fake_mmio *fake_mapping(struct tdx_fake_tdi *ft,
					  const struct tdx_module_args *args)
{
	struct tdx_fake_mmio *m = xa_load(&ft->mmio_maps, fake_gpa_key(args->rcx));

	return m && m->vm_handle == args->rdx ? m : NULL;
}

static u64 fake_mmio_map(struct tdx_fake_tdi *ft, struct tdx_module_args *args)
{
	struct tdx_fake_devif *d;
	struct tdx_fake_mmio *m;
	void *data;
	u64 ret;

	ret = fake_mmio_check(args);
	if (ret)
		return ret;
	if (!args->r8 || (args->r8 & FAKE_PA_RSVD))
		return op(TDX_OPERAND_INVALID, TDX_OPERAND_ID_R8);
	if (xa_load(&ft->mmio_maps, fake_gpa_key(args->rcx)))
		return op(TDX_EPT_ENTRY_STATE_INCORRECT, TDX_OPERAND_ID_RCX);

	data = mmiomt_walk(ft, args->r8, TDX_MMIOMT_LEVEL_4K, 0) ? NULL :
	       mmiomt_data(ft, args->r8, TDX_MMIOMT_LEVEL_4K);
	if (!data || (xa_to_value(data) & FAKE_MMIO_MAPPED))
		return op(TDX_MMIO_INVALID_PAGE_METADATA, TDX_OPERAND_ID_RCX);
	d = fake_created(ft, (u32)xa_to_value(data));
	if (!d)
		return op(TDX_DEVIFMT_NOT_PRESENT, TDX_OPERAND_ID_R8);
	if (d->vm_handle != args->rdx)
		return op(TDX_MMIO_DEVIF_OWNER_MISMATCH, TDX_OPERAND_ID_RDX);
	if (fake_stream_blocked(ft, d))
		return op(TDX_IDE_STREAM_BLOCKED, TDX_OPERAND_ID_R8);

	m = kunit_kzalloc(ft->test, sizeof(*m), GFP_KERNEL);
	if (!m)
		return TDX_SYS_BUSY;
	*m = (struct tdx_fake_mmio) {
		.pa = args->r8, .func_id = d->func_id, .gpa_info = args->rcx,
		.vm_handle = args->rdx,
	};
	if (xa_err(xa_store(&ft->mmio_maps, fake_gpa_key(args->rcx), m, GFP_KERNEL))) {
		kunit_kfree(ft->test, m);
		return TDX_SYS_BUSY;
	}
	xa_store(&ft->mmiomt_data[TDX_MMIOMT_LEVEL_4K],
		 mmiomt_entry_key(args->r8, TDX_MMIOMT_LEVEL_4K),
		 xa_mk_value(xa_to_value(data) | FAKE_MMIO_MAPPED), GFP_KERNEL);
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
	unsigned long key;
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
		return op(TDX_GPA_RANGE_NOT_BLOCKED, TDX_OPERAND_ID_RCX);

	/* The TDI cannot be removed while its MMIO is mapped. */
	d = fake_created(ft, m->func_id);
	if (d)
		d->nr_mmio_mapped--;
	key = mmiomt_entry_key(m->pa, TDX_MMIOMT_LEVEL_4K);
	xa_store(&ft->mmiomt_data[TDX_MMIOMT_LEVEL_4K], key, xa_mk_value(m->func_id),
		 GFP_KERNEL);
	xa_erase(&ft->mmio_maps, fake_gpa_key(args->rcx));
	args->r8 = m->pa;
	kunit_kfree(ft->test, m);
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
		return fake_dmar_add(ft, args);
	case TDH_DMAR_BLOCK:
		return fake_dmar_block(ft, args);
	case TDH_DMAR_READ:
		return fake_dmar_read(ft, args);
	case TDH_DMAR_REMOVE:
		return fake_dmar_remove(ft, args);
	case TDH_IQ_INV_REQUEST:
		return fake_iq_inv_request(ft, args);
	case TDH_IQ_INV_PROCESS:
		return fake_iq_inv_process(ft, args);
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
	INIT_DELAYED_WORK(&ft->iq_work, fake_iq_work);
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
 * tdx_fake_tdi_nr_dma() - DMA remapping entries of a TDI's RID
 * @ft: the fake's TDI state
 * @func_id: the TDI's FUNCTION_ID
 *
 * Counts, over every IOMMU, the entries that are not FREE: the RTE of
 * the RID's bus and the CTE, PDEs and PASIDTEs of the RID, whatever
 * their state, and whether they were added before the TDI existed.
 *
 * Context: Process context, in a KUnit test.
 * Return: the number of entries.
 */
unsigned int tdx_fake_tdi_nr_dma(struct tdx_fake_tdi *ft, u32 func_id)
{
	u16 rid = FIELD_GET(TDX_FUNC_ID_RID, (u64)func_id);
	struct tdx_fake_dmar *e;
	unsigned int i, l, nr = 0;
	unsigned long key;

	guard(mutex)(&ft->lock);
	for (i = 0; i < TDX_FAKE_MAX_IOMMUS; i++) {
		for (l = 0; l <= TDX_DMAR_LEVEL_RTE; l++) {
			xa_for_each(&ft->dmar[i][l], key, e) {
				if (e->map == TDX_DMAR_MAP_FREE)
					continue;
				if (l == TDX_DMAR_LEVEL_RTE ?
				    FIELD_GET(TDX_DMAR_RID_RTE, e->rid) ==
				    FIELD_GET(TDX_DMAR_RID_RTE, rid) : e->rid == rid)
					nr++;
			}
		}
	}
	return nr;
}
EXPORT_SYMBOL_IF_KUNIT(tdx_fake_tdi_nr_dma);

/**
 * tdx_fake_tdi_nr_mmio() - MMIO given to a TDI
 * @ft: the fake's TDI state
 * @func_id: the TDI's FUNCTION_ID
 *
 * Context: Process context, in a KUnit test.
 * Return: the number of MMIOMT DATA entries (4 KiB, 2 MiB or 1 GiB MMIO
 * pages) that give MMIO to the TDI, mapped or not.
 */
unsigned int tdx_fake_tdi_nr_mmio(struct tdx_fake_tdi *ft, u32 func_id)
{
	unsigned int l, nr = 0;
	unsigned long key;
	void *v;

	guard(mutex)(&ft->lock);
	for (l = 0; l < ARRAY_SIZE(ft->mmiomt_data); l++) {
		xa_for_each(&ft->mmiomt_data[l], key, v) {
			if ((u32)xa_to_value(v) == func_id)
				nr++;
		}
	}
	return nr;
}
EXPORT_SYMBOL_IF_KUNIT(tdx_fake_tdi_nr_mmio);

/**
 * tdx_fake_tdi_nr_pages() - Pages the fake holds for one level of a table
 * @ft: the fake's TDI state
 * @table: TDX_FAKE_TDI_DEVIFMT, TDX_FAKE_TDI_MMIOMT or TDX_FAKE_TDI_DMAR
 * @level: DEVIFMT and MMIOMT: the level of the pages; DMAR: the level of
 *	   the entries that point to them (TDX_DMAR_LEVEL_*)
 *
 * Context: Process context, in a KUnit test.
 * Return: the number of pages, 0 for a level or table that has none.
 */
unsigned long tdx_fake_tdi_nr_pages(struct tdx_fake_tdi *ft, enum tdx_fake_tdi_table table,
				    unsigned int level)
{
	if (table >= TDX_FAKE_TDI_NR_TABLES || level >= TDX_FAKE_TDI_NR_LEVELS)
		return 0;
	guard(mutex)(&ft->lock);
	return ft->nr_pages[table][level];
}
EXPORT_SYMBOL_IF_KUNIT(tdx_fake_tdi_nr_pages);

/**
 * tdx_fake_tdi_accept_dma() - The TD accepts a PASIDTE (TDG.DMAR.ACCEPT)
 * @ft: the fake's TDI state
 * @pasidte_idx: the DMAR_IDX of a PENDING PASIDTE
 *
 * The entry becomes PRESENT and points to the TD's second-level table,
 * and the TDI of its RID has mapped DMA (TDX_DEVIF_HAS_MAPPED_DMA) until
 * the entry is removed.
 *
 * Context: Process context, in a KUnit test, not inside a SEAMCALL.
 * Return: TDX_SUCCESS; TDX_OPERAND_INVALID (RCX) for an index that is not
 * a PASIDTE's, what the walk to it returns, TDX_DMAR_INVALID_MAPPING_STATE
 * (RCX) unless the entry is PENDING, TDX_DEVIFMT_NOT_PRESENT (RCX) unless
 * the TDI of its RID exists.
 */
u64 tdx_fake_tdi_accept_dma(struct tdx_fake_tdi *ft, u64 pasidte_idx)
{
	struct tdx_fake_devif *d;
	struct tdx_fake_dmar *e;
	struct fake_dmar_idx x;
	u64 ret;

	guard(mutex)(&ft->lock);
	ret = dmar_idx(ft, pasidte_idx, &x);
	if (ret)
		return ret;
	if (x.level != TDX_DMAR_LEVEL_PASIDTE)
		return op(TDX_OPERAND_INVALID, TDX_OPERAND_ID_RCX);
	ret = dmar_walk(ft, &x, TDX_OPERAND_ID_RCX);
	if (ret)
		return ret;
	e = dmar_entry(ft, &x, x.level);
	if (!e || e->map != TDX_DMAR_MAP_PENDING)
		return op(TDX_DMAR_INVALID_MAPPING_STATE, TDX_OPERAND_ID_RCX);
	d = fake_created(ft, x.rid);
	if (!d)
		return op(TDX_DEVIFMT_NOT_PRESENT, TDX_OPERAND_ID_RCX);

	e->map = TDX_DMAR_MAP_PRESENT;
	e->accepted = true;
	e->entry.qw[0] |= TDX_DMAR_PASIDTE_PRESENT | FAKE_SLPTPTR;
	d->dma_mapped = true;
	return TDX_SUCCESS;
}
EXPORT_SYMBOL_IF_KUNIT(tdx_fake_tdi_accept_dma);

/* FNV-1a over 64-bit words */
static u64 fake_hash(u64 h, u64 v)
{
	return (h ^ v) * 0x100000001b3ULL;
}

static u64 fake_hash_bytes(u64 h, const void *p, size_t len)
{
	const u8 *b = p;

	while (len--)
		h = fake_hash(h, *b++);
	return h;
}

/* Indices and values of @xa; pointers by the @size bytes they point to */
static u64 fake_hash_xa(u64 h, struct xarray *xa, size_t size)
{
	unsigned long key;
	void *v;

	xa_for_each(xa, key, v) {
		h = fake_hash(h, key);
		h = xa_is_value(v) ? fake_hash(h, xa_to_value(v)) : fake_hash_bytes(h, v, size);
	}
	return h;
}

/**
 * tdx_fake_tdi_digest() - A digest of the state of the fake's model
 * @ft: the fake's TDI state
 *
 * Covers every table entry, TDI, mapping, invalidation queue and page
 * count, not the log, the counters and the knobs: a call that changes
 * nothing leaves it as it was.
 *
 * Context: Process context, in a KUnit test, not inside a SEAMCALL.
 * Return: the digest.
 */
u64 tdx_fake_tdi_digest(struct tdx_fake_tdi *ft)
{
	u64 h = 0xcbf29ce484222325ULL;
	unsigned int i, l;

	guard(mutex)(&ft->lock);
	for (l = 0; l < ARRAY_SIZE(ft->devifmt); l++)
		h = fake_hash_xa(h, &ft->devifmt[l], 0);
	h = fake_hash_xa(h, &ft->devifs, sizeof(struct tdx_fake_devif));
	for (l = 0; l < ARRAY_SIZE(ft->mmiomt_pages); l++)
		h = fake_hash_xa(h, &ft->mmiomt_pages[l], 0);
	for (l = 0; l < ARRAY_SIZE(ft->mmiomt_data); l++)
		h = fake_hash_xa(h, &ft->mmiomt_data[l], 0);
	h = fake_hash_xa(h, &ft->mmio_maps, sizeof(struct tdx_fake_mmio));
	for (i = 0; i < TDX_FAKE_MAX_IOMMUS; i++) {
		for (l = 0; l <= TDX_DMAR_LEVEL_RTE; l++)
			h = fake_hash_xa(h, &ft->dmar[i][l], sizeof(struct tdx_fake_dmar));
		h = fake_hash(h, ft->iq[i].tail);
		h = fake_hash(h, ft->iq[i].sw_head);
	}
	return fake_hash_bytes(h, ft->nr_pages, sizeof(ft->nr_pages));
}
EXPORT_SYMBOL_IF_KUNIT(tdx_fake_tdi_digest);

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
