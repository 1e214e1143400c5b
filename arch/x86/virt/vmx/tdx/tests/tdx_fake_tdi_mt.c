// SPDX-License-Identifier: GPL-2.0-only
/*
 * The metadata tables of the fake TDI lifecycle leaves for KUnit: the
 * TDI metadata tree (DEVIFMT), the MMIO metadata tree (MMIOMT) and the
 * private mappings of TDI MMIO into a TD (MMIO.MAP, BLOCK, UNMAP), as the
 * public tdxio source has them (intel/tdx-module commit 1666adc; each
 * rule below names the file it comes from):
 *
 * - DEVIFMT (src/common/tdxio/devifmt.c): a root entry, then levels 3 to 0
 *   of 512 entries a page, indexed by FUNCTION_ID; a level-0 entry is the
 *   TDI's control structure.
 * - MMIOMT (src/common/tdxio/mmiomt.c): a root of one node, then levels 4
 *   to 0 of 128 entries a page, indexed by the MMIO PA; an entry is a
 *   QNODE of four nodes or the DATA entry of an MMIO page.
 *
 * The tables are xarrays by entry or page index, so that binding a
 * gigabyte of MMIO (some 2000 pages, 262144 DATA entries) stays cheap.
 * Not modelled: MMIO mappings other than 4 KiB, TLB tracking.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

#include <linux/bitfield.h>
#include <linux/cleanup.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/xarray.h>

#include <kunit/test.h>
#include <kunit/visibility.h>

#include <asm/shared/tdx_errno.h>
#include <asm/tdx.h>
#include "tdx_fake_module.h"
#include "tdx_fake_tdi_internal.h"
#include "tdx_fake_tdi_mt.h"
#include <asm/tdx_tdi.h>

#include "../tdx.h"

/* Entries of a MMIOMT page, and nodes of a QNODE, as index bits */
#define FAKE_MMIOMT_IDX_BITS	7
#define FAKE_MMIOMT_NODE_BITS	2
/* Entries of a DEVIFMT page as index bits */
#define FAKE_DEVIFMT_IDX_BITS	9
/* Bits of an MMIOMT DATA entry value besides the FUNCTION_ID */
#define FAKE_MMIO_MAPPED	BIT_ULL(32)

/* ---- DEVIFMT: devifmt.c, devifmt_defs.h, tdh_devifmt_{add,remove,rd}.c ---- */

static unsigned long devifmt_key(u64 func_id, unsigned int level)
{
	return func_id >> TDX_DEVIFMT_LEVEL_SHIFT(level);
}

/* The entry of @level on @func_id's path: a page PA | present, or 0 */
/**
 * tdx_fake_tdi_devifmt_entry() - An entry of the fake's DEVIFMT
 * @ft: the fake's TDI state
 * @func_id: the FUNCTION_ID whose path the entry is on
 * @level: the entry's level, TDX_DEVIFMT_LEVEL_DEVIF to TDX_DEVIFMT_LEVEL_ROOT
 *
 * Context: In a call of the fake's leaves, under @ft->lock.
 * Return: the PA of the page (or of the TDI's control structure, at
 * level 0) the entry points to, with TDX_DEVIFMT_ENTRY_PRESENT, or 0.
 */
u64 tdx_fake_tdi_devifmt_entry(struct tdx_fake_tdi *ft, u64 func_id, unsigned int level)
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

/**
 * tdx_fake_tdi_devifmt_walk() - Check the DEVIFMT path above an entry
 * @ft: the fake's TDI state
 * @func_id: the FUNCTION_ID whose path is walked
 * @level: the entry's level; every entry above it must be present
 * @operand: the operand ID of a refusal
 *
 * Context: In a call of the fake's leaves, under @ft->lock.
 * Return: TDX_SUCCESS, or TDX_DEVIFMT_NOT_PRESENT with @operand.
 */
u64 tdx_fake_tdi_devifmt_walk(struct tdx_fake_tdi *ft, u64 func_id, unsigned int level,
			      u64 operand)
{
	unsigned int l;

	for (l = TDX_DEVIFMT_LEVEL_ROOT; l > level; l--) {
		if (!tdx_fake_tdi_devifmt_entry(ft, func_id, l))
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
	ret = tdx_fake_tdi_devifmt_walk(ft, func_id, level, TDX_OPERAND_ID_RCX);
	if (ret)
		goto untake;
	if (tdx_fake_tdi_devifmt_entry(ft, func_id, level)) {
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
	ret = tdx_fake_tdi_devifmt_walk(ft, func_id, level, TDX_OPERAND_ID_RCX);
	if (ret)
		return ret;
	pa = tdx_fake_tdi_devifmt_entry(ft, func_id, level) & TDX_DEVIFMT_ENTRY_PA;
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
	ret = tdx_fake_tdi_devifmt_walk(ft, func_id, level, TDX_OPERAND_ID_RCX);
	if (ret)
		return ret;
	args->rcx = tdx_fake_tdi_devifmt_entry(ft, func_id, level);
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
	ret = tdx_fake_tdi_devifmt_walk(ft, func_id, TDX_DEVIFMT_LEVEL_DEVIF, TDX_OPERAND_ID_RDX);
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

/**
 * tdx_fake_tdi_mt_leaf() - Call a metadata table or MMIO leaf of the fake
 * @ft: the fake's TDI state
 * @leaf: TDH.DEVIFMT.*, TDH.MMIOMT.* or TDH.MMIO.*
 * @args: the registers, in and out
 *
 * Context: In a call of the fake's leaves, under @ft->lock.
 * Return: the status the module returns; TDX_OPERAND_INVALID (RAX) for
 * another leaf.
 */
u64 tdx_fake_tdi_mt_leaf(struct tdx_fake_tdi *ft, u16 leaf, struct tdx_module_args *args)
{
	lockdep_assert_held(&ft->lock);

	switch (leaf) {
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
