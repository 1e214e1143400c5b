// SPDX-License-Identifier: GPL-2.0
/*
 * SEAMCALL wrappers for the trusted DMA remapping of TDX Connect TDIs:
 * the DMAR entries of each IOMMU and their invalidation.
 *
 * Unconfirmed: the leaves and their operands are the 2023 public "tdxio"
 * ABI of the TDX module source (see asm/tdx_tdi_mt.h).
 *
 * Each wrapper copies the outputs to out-parameters whatever the status
 * and returns the raw status.  Three leaves can be interrupted in the
 * public source and return TDX_INTERRUPTED_RESUMABLE: TDH.DMAR.ADD and
 * TDH.DMAR.REMOVE of a context entry, which zero or check up to 32 PASID
 * directory pages and keep their progress in the entry, and
 * TDH.IQ.INV.PROCESS, which walks the invalidation queue.  Their wrappers
 * call again with the same operands until the leaf completes.  Contention
 * (TDX_OPERAND_BUSY) is returned to the caller, which knows whether
 * retrying makes sense.
 *
 * The table pages an entry points to become TDX private memory when
 * TDH.DMAR.ADD takes them: its wrapper flushes them first, since the
 * module does not snoop the kernel's dirty cache lines.  TDH.DMAR.REMOVE
 * reports the pages it gives back, for the caller to check, write back
 * and free (asm/tdx_release.h).
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

#include <linux/bitfield.h>
#include <linux/export.h>
#include <linux/mm.h>
#include <linux/string.h>

#include <asm/shared/tdx_errno.h>
#include <asm/tdx.h>
#include <asm/tdx_handoff.h>
#include <asm/tdx_tdi_dmar.h>

#include "tdx.h"

static u64 tdx_tdi_call(u16 leaf, struct tdx_module_args *args)
{
	return tdx_seamcall_ver(leaf, 0, args);
}

/*
 * A leaf that resumes from state the module keeps: call it again with the
 * same operands until it is no longer interrupted.
 */
static u64 tdx_tdi_call_resumable(u16 leaf, struct tdx_module_args *args)
{
	struct tdx_module_args in = *args;
	u64 status;

	do {
		*args = in;
		status = tdx_tdi_call(leaf, args);
	} while (status == TDX_INTERRUPTED_RESUMABLE);
	return status;
}

/**
 * tdh_dmar_add() - TDH.DMAR.ADD: add a trusted DMA remapping entry
 * @dmar_idx: the entry's level, PASID, RID and IOMMU, TDX_DMAR_IDX_*
 * @entry: the entry; qwords past the level's entry size must be 0
 *
 * The table pages an RTE, CTE or PDE points to become the module's on
 * success; they must be flushed, as for any page handed over.  A CTE ADD
 * that the module interrupts is resumed here.
 *
 * Context: Process context.
 * Return: the TDX module status; TDX_DMAR_ENTRY_NOT_PRESENT without the
 * entry above, TDX_DMAR_INVALID_MAPPING_STATE if the entry is not free.
 */
u64 tdh_dmar_add(u64 dmar_idx, const struct tdx_dmar_entry *entry)
{
	struct tdx_module_args args = {
		.rcx = dmar_idx,
		.rdx = entry->qw[0],
		.r8 = entry->qw[1],
		.r9 = entry->qw[2],
		.r10 = entry->qw[3],
		.r11 = entry->qw[4],
		.r12 = entry->qw[5],
		.r13 = entry->qw[6],
		.r14 = entry->qw[7],
	};
	u64 table = entry->qw[0] & TDX_DMAR_ENTRY_PTR;

	/* The table pages the entry points to are handed over. */
	switch (pfn_valid(PHYS_PFN(table)) ? FIELD_GET(TDX_DMAR_IDX_LEVEL, dmar_idx) :
	       TDX_DMAR_LEVEL_PASIDTE) {
	case TDX_DMAR_LEVEL_RTE:
	case TDX_DMAR_LEVEL_PDE:
		tdx_handoff_flush(__va(table), PAGE_SIZE);
		break;
	case TDX_DMAR_LEVEL_CTE:
		tdx_handoff_flush(__va(table), PAGE_SIZE *
				  TDX_DMAR_CTE_PD_PAGES(FIELD_GET(TDX_DMAR_CTE_PDTS,
								  entry->qw[0])));
		break;
	}
	return tdx_tdi_call_resumable(TDH_DMAR_ADD, &args);
}
EXPORT_SYMBOL_FOR_MODULES(tdh_dmar_add, "tdx-host");

/**
 * tdh_dmar_block() - TDH.DMAR.BLOCK: block a trusted DMA remapping entry
 * @dmar_idx: the entry, TDX_DMAR_IDX_*
 *
 * Context: Process context.
 * Return: the TDX module status.
 */
u64 tdh_dmar_block(u64 dmar_idx)
{
	struct tdx_module_args args = {
		.rcx = dmar_idx,
	};

	return tdx_tdi_call(TDH_DMAR_BLOCK, &args);
}
EXPORT_SYMBOL_FOR_MODULES(tdh_dmar_block, "tdx-host");

/**
 * tdh_dmar_read() - TDH.DMAR.READ: read a trusted DMA remapping entry
 * @dmar_idx: the entry, TDX_DMAR_IDX_*
 * @state: the entry's level, mapping and invalidation state, from RDX,
 *	   TDX_DMAR_STATE_*
 * @entry: the entry, from R8 (RTE, PDE), R8 to R11 (CTE) or R8 to R15
 *	   (PASIDTE); the qwords past the level's entry are 0
 *
 * Context: Process context.
 * Return: the TDX module status.
 */
u64 tdh_dmar_read(u64 dmar_idx, u64 *state, struct tdx_dmar_entry *entry)
{
	static const unsigned int qwords[] = {
		[TDX_DMAR_LEVEL_PASIDTE] = TDX_DMAR_PASIDTE_QWORDS,
		[TDX_DMAR_LEVEL_PDE] = TDX_DMAR_PDE_QWORDS,
		[TDX_DMAR_LEVEL_CTE] = TDX_DMAR_CTE_QWORDS,
		[TDX_DMAR_LEVEL_RTE] = TDX_DMAR_RTE_QWORDS,
	};
	struct tdx_module_args args = {
		.rcx = dmar_idx,
	};
	unsigned int level = FIELD_GET(TDX_DMAR_IDX_LEVEL, dmar_idx);
	unsigned int nr = level < ARRAY_SIZE(qwords) ? qwords[level] : 0;
	u64 status;

	status = tdx_tdi_call(TDH_DMAR_READ, &args);
	*state = args.rdx;
	*entry = (struct tdx_dmar_entry) {
		.qw = { args.r8, args.r9, args.r10, args.r11, args.r12,
			args.r13, args.r14, args.r15 },
	};
	/* The registers past the entry are not the entry's. */
	memset(&entry->qw[nr], 0, (TDX_DMAR_ENTRY_QWORDS - nr) * sizeof(u64));
	return status;
}
EXPORT_SYMBOL_FOR_MODULES(tdh_dmar_read, "tdx-host");

/**
 * tdh_dmar_remove() - TDH.DMAR.REMOVE: remove a blocked DMA remapping entry
 * @dmar_idx: the entry, TDX_DMAR_IDX_*
 * @released_pa: the table page the entry pointed to (of an RTE, a PDE),
 *		 the first of its PASID directory pages (of a CTE), or 0
 *		 (of a PASIDTE), now given back for release validation
 *
 * A CTE REMOVE that the module interrupts is resumed here.
 *
 * Context: Process context.
 * Return: the TDX module status; TDX_DMAR_INVALID_MAPPING_STATE unless
 * tdh_dmar_block() blocked the entry first, TDX_DMAR_INVALID_INV_STATE
 * until tdh_iq_inv_process() saw its invalidation done.
 */
u64 tdh_dmar_remove(u64 dmar_idx, u64 *released_pa)
{
	struct tdx_module_args args = {
		.rcx = dmar_idx,
	};
	u64 status;

	status = tdx_tdi_call_resumable(TDH_DMAR_REMOVE, &args);
	*released_pa = FIELD_GET(TDX_DMAR_IDX_LEVEL, dmar_idx) == TDX_DMAR_LEVEL_PASIDTE ?
		       0 : args.rcx;
	return status;
}
EXPORT_SYMBOL_FOR_MODULES(tdh_dmar_remove, "tdx-host");

/**
 * tdh_iq_inv_request() - TDH.IQ.INV.REQUEST: invalidate a blocked entry
 * @iommu_id: the IOMMU, as TDH.IOMMU.SETUP named it
 * @type: what to invalidate, TDX_IQ_INV_* in TDX_IQ_INV_TYPE
 * @subject: the entry's RID and PASID, TDX_IQ_SUBJECT_*
 * @wait: the VT-d invalidation wait descriptor to queue after the
 *	  module's descriptors, TDX_IQ_WAIT_*; its status write, to a shared
 *	  page, tells when the IOMMU is done
 *
 * Context: Process context.
 * Return: the TDX module status; TDX_IOMMU_IQ_QUEUE_FULL when the trusted
 * queue has no room, TDX_DMAR_INVALID_MAPPING_STATE unless the entry is
 * blocked.
 */
u64 tdh_iq_inv_request(u16 iommu_id, u64 type, u64 subject, const u64 wait[4])
{
	struct tdx_module_args args = {
		.rcx = iommu_id,
		.rdx = type,
		.r8 = subject,
		.r9 = wait[0],
		.r10 = wait[1],
		.r11 = wait[2],
		.r12 = wait[3],
	};

	return tdx_tdi_call(TDH_IQ_INV_REQUEST, &args);
}
EXPORT_SYMBOL_FOR_MODULES(tdh_iq_inv_request, "tdx-host");

/**
 * tdh_iq_inv_process() - TDH.IQ.INV.PROCESS: account for completed invalidations
 * @iommu_id: the IOMMU, as TDH.IOMMU.SETUP named it
 *
 * Marks DONE every entry whose invalidation the IOMMU has completed, up
 * to its queue head; interruptions are resumed here.
 *
 * Context: Process context.
 * Return: the TDX module status.
 */
u64 tdh_iq_inv_process(u16 iommu_id)
{
	struct tdx_module_args args = {
		.rcx = iommu_id,
	};

	return tdx_tdi_call_resumable(TDH_IQ_INV_PROCESS, &args);
}
EXPORT_SYMBOL_FOR_MODULES(tdh_iq_inv_process, "tdx-host");
