// SPDX-License-Identifier: GPL-2.0-only
/*
 * The trusted DMA remapping of the fake TDI lifecycle leaves for KUnit, as
 * the public tdxio source has it (intel/tdx-module commit 1666adc; each
 * rule below names the file it comes from): per IOMMU, root, context,
 * PASID directory and PASID table entries (src/common/tdxio/dmar.c), with
 * their mapping and invalidation states, and the IOMMU's invalidation
 * queue, which a fake IOMMU "hardware" (a delayed work) completes after a
 * delay.
 *
 * Not modelled: the IOTLB and TD invalidation types, DMAR pool pages.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

#include <linux/bitfield.h>
#include <linux/cleanup.h>
#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/string.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include <kunit/resource.h>
#include <kunit/test.h>
#include <kunit/visibility.h>

#include <asm/shared/tdx_errno.h>
#include <asm/tdx.h>
#include "tdx_fake_module.h"
#include "tdx_fake_tdi_dmar.h"
#include "tdx_fake_tdi_internal.h"
#include <asm/tdx_tdi.h>

#include "../tdx.h"

/* The RID_PASID of every CTE: qword 1 must be 0 (tdh_dmar_add.c) */
#define FAKE_RID_PASID		0
/* PASID bits of a PDE's index and a PASIDTE's (dmar.h) */
#define FAKE_PASID_PDE_SHIFT	6
#define FAKE_PASID_PTE_MASK	GENMASK(5, 0)
/* The second-level table the TD's accept points a PASIDTE to */
#define FAKE_SLPTPTR		0x7d000000ULL

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

/**
 * tdx_fake_tdi_iq_work() - The fake IOMMU hardware
 * @work: &tdx_fake_tdi.iq_work
 *
 * Completes every queued request that is due, writes its status, and
 * comes back for the others (and while stalled).
 *
 * Context: Process context (a work item); takes the fake's lock.
 */
void tdx_fake_tdi_iq_work(struct work_struct *work)
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

/**
 * tdx_fake_tdi_dmar_leaf() - Call a DMA remapping or invalidation leaf of the fake
 * @ft: the fake's TDI state
 * @leaf: TDH.DMAR.* or TDH.IQ.INV.*
 * @args: the registers, in and out
 *
 * Context: In a call of the fake's leaves, under @ft->lock.
 * Return: the status the module returns; TDX_OPERAND_INVALID (RAX) for
 * another leaf.
 */
u64 tdx_fake_tdi_dmar_leaf(struct tdx_fake_tdi *ft, u16 leaf, struct tdx_module_args *args)
{
	lockdep_assert_held(&ft->lock);

	switch (leaf) {
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
	default:
		return op(TDX_OPERAND_INVALID, TDX_OPERAND_ID_RAX);
	}
}

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
