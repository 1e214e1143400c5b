/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SEAMCALL wrappers for the trusted DMA remapping of TDX Connect TDIs:
 * the DMAR entries of each IOMMU (DMAR.ADD, BLOCK, READ, REMOVE) and the
 * invalidations their removal needs (IQ.INV.REQUEST, PROCESS).
 *
 * Unconfirmed: every definition above the fence below is the 2023 public
 * "tdxio" ABI of the TDX module source, as asm/tdx_tdi_mt.h says.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */
#ifndef _ASM_X86_TDX_TDI_DMAR_H
#define _ASM_X86_TDX_TDI_DMAR_H

#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/math.h>
#include <linux/types.h>

/* Status codes of the tdxio DMA remapping leaves */
#define TDX_IOMMU_IQ_QUEUE_FULL			0xC0000F0100000000ULL
#define TDX_IOMMU_IOTLB_TRACKING_NOT_DONE	0xC0000F0300000000ULL
#define TDX_DMAR_INVALID_MAPPING_STATE		0xC0000F0700000000ULL
#define TDX_DMAR_INVALID_INV_STATE		0xC0000F0800000000ULL
#define TDX_DMAR_INDEX_OUT_OF_BOUNDS		0xC0000F3800000000ULL
#define TDX_DMAR_ENTRY_NOT_PRESENT		0xC0000F3900000000ULL

/*
 * DMAR_IDX: TDH.DMAR.ADD/BLOCK/READ/REMOVE RCX.  The trusted DMA remapping
 * tables of one IOMMU are a hierarchy (dmar_defs.h, dmar.c) below the root
 * table TDH.IOMMU.SETUP gave the module: a root table entry (RTE, 8 bytes,
 * indexed by RID bits 15:7) points to a context table page, a context
 * entry (CTE, 32 bytes, RID bits 6:0) to 1 to 32 PASID directory pages, a
 * PASID directory entry (PDE) to a PASID table page, whose entries
 * (PASIDTE, 64 bytes) translate.  TDH.DMAR.ADD of an entry takes the table
 * pages it points to (the module zeroes them) and needs the entry above
 * present (else TDX_DMAR_ENTRY_NOT_PRESENT); only the PASID of the CTE's
 * RID_PASID, 0, is allowed below a CTE.  A PASIDTE stays PENDING until
 * the TD accepts it.  Removing an entry takes TDH.DMAR.BLOCK (its children
 * must be free), an invalidation (TDH.IQ.INV.REQUEST, then the IOMMU's
 * status write, then TDH.IQ.INV.PROCESS) and TDH.DMAR.REMOVE, which
 * reports the table page the entry pointed to in RCX.  ADD and REMOVE of
 * a CTE can be interrupted (TDX_INTERRUPTED_RESUMABLE) and are resumed
 * with the same operands.
 */
#define TDX_DMAR_IDX_LEVEL			GENMASK_ULL(2, 0)
#define TDX_DMAR_IDX_RSVD			GENMASK_ULL(11, 3)
#define TDX_DMAR_IDX_PASID			GENMASK_ULL(31, 12)
#define TDX_DMAR_IDX_RID			GENMASK_ULL(47, 32)
#define TDX_DMAR_IDX_IOMMU_ID			GENMASK_ULL(63, 48)
#define TDX_DMAR_LEVEL_PASIDTE			0
#define TDX_DMAR_LEVEL_PDE			1
#define TDX_DMAR_LEVEL_CTE			2
#define TDX_DMAR_LEVEL_RTE			3
/* Which entry of its table a RID's RTE and CTE are */
#define TDX_DMAR_RID_RTE			GENMASK(15, 7)
#define TDX_DMAR_RID_CTE			GENMASK(6, 0)
/*
 * TDH.DMAR.ADD RDX, R8-R14 and TDH.DMAR.READ R8-R15: the entry, 64
 * bytes; the qwords past the entry of the indexed level must be 0.
 */
#define TDX_DMAR_ENTRY_QWORDS			8
#define TDX_DMAR_RTE_QWORDS			1
#define TDX_DMAR_CTE_QWORDS			4
#define TDX_DMAR_PDE_QWORDS			1
#define TDX_DMAR_PASIDTE_QWORDS			8
/* RTE, PDE and CTE qword 0: present, and the table page pointed to */
#define TDX_DMAR_ENTRY_PRESENT			BIT_ULL(0)
#define TDX_DMAR_ENTRY_PTR			GENMASK_ULL(63, 12)
#define TDX_DMAR_RTE_RSVD			GENMASK_ULL(11, 1)
#define TDX_DMAR_PDE_RSVD			GENMASK_ULL(11, 2)
/* CTE qword 0; qword 1 (RID_PASID, reserved) and 2, 3 must be 0 */
#define TDX_DMAR_CTE_DTE			BIT_ULL(2)
#define TDX_DMAR_CTE_PASIDE			BIT_ULL(3)
#define TDX_DMAR_CTE_PRE			BIT_ULL(4)
#define TDX_DMAR_CTE_RSVD			GENMASK_ULL(8, 5)
#define TDX_DMAR_CTE_PDTS			GENMASK_ULL(11, 9)
/* 2^(PDTS + 7) PASID directory entries of 8 bytes: 1 to 32 pages */
#define TDX_DMAR_CTE_PD_PAGES(pdts)		DIV_ROUND_UP(BIT((pdts) + 7) * 8, 4096)
/*
 * PASIDTE as the host adds it: qword 0 not present, second-level only
 * (PGTT 010b) with SLEE, no table pointer (the TD's accept sets it);
 * qword 1 snooped write-back (PWSNP, PGSNP, EMTE, EMT 6), no domain ID
 * (the module sets it); qwords 2 to 7 zero.
 */
#define TDX_DMAR_PASIDTE_PRESENT		BIT_ULL(0)
#define TDX_DMAR_PASIDTE_SLEE			BIT_ULL(5)
#define TDX_DMAR_PASIDTE_PGTT			GENMASK_ULL(8, 6)
#define TDX_DMAR_PASIDTE_PGTT_SL		2
#define TDX_DMAR_PASIDTE_SLPTPTR		GENMASK_ULL(63, 12)
#define TDX_DMAR_PASIDTE1_DID			GENMASK_ULL(15, 0)
#define TDX_DMAR_PASIDTE1_PWSNP			BIT_ULL(23)
#define TDX_DMAR_PASIDTE1_PGSNP			BIT_ULL(24)
#define TDX_DMAR_PASIDTE1_CD			BIT_ULL(25)
#define TDX_DMAR_PASIDTE1_EMTE			BIT_ULL(26)
#define TDX_DMAR_PASIDTE1_EMT			GENMASK_ULL(29, 27)
#define TDX_DMAR_PASIDTE1_EMT_WB		6
/* TDH.DMAR.READ RDX: the entry's state */
#define TDX_DMAR_STATE_LEVEL			GENMASK_ULL(2, 0)
#define TDX_DMAR_STATE_MAP			GENMASK_ULL(10, 3)
#define TDX_DMAR_STATE_INV			GENMASK_ULL(13, 11)
#define TDX_DMAR_STATE_PD_CNT			GENMASK_ULL(18, 14)
#define TDX_DMAR_MAP_FREE			0
#define TDX_DMAR_MAP_PENDING			1
#define TDX_DMAR_MAP_BLOCKED			2
#define TDX_DMAR_MAP_PRESENT			3
#define TDX_DMAR_INV_PENDING			0
#define TDX_DMAR_INV_QUEUED			1
#define TDX_DMAR_INV_DONE			3

/*
 * TDH.IQ.INV.REQUEST (inv_queue_defs.h, tdh_iq_inv_request.c): RCX the
 * IOMMU_ID, RDX the request type, R8 the entry (RID and PASID), R9-R12 the
 * VT-d invalidation wait descriptor the module queues after its own
 * descriptors: its status write tells the host the IOMMU is done, after
 * which TDH.IQ.INV.PROCESS (RCX the IOMMU_ID) marks the entry's
 * invalidation DONE.
 */
#define TDX_IQ_INV_TYPE				GENMASK_ULL(31, 0)
#define TDX_IQ_INV_POOL_SIZE			GENMASK_ULL(47, 32)
#define TDX_IQ_INV_TYPE_RSVD			GENMASK_ULL(63, 48)
#define TDX_IQ_INV_IOTLB			0
#define TDX_IQ_INV_RTE				1
#define TDX_IQ_INV_CTE				2
#define TDX_IQ_INV_PDE				3
#define TDX_IQ_INV_PASIDTE			4
#define TDX_IQ_INV_TD				5
#define TDX_IQ_SUBJECT_RID			GENMASK_ULL(15, 0)
#define TDX_IQ_SUBJECT_PASID			GENMASK_ULL(51, 32)
#define TDX_IQ_SUBJECT_RSVD			(GENMASK_ULL(31, 16) | GENMASK_ULL(63, 52))
/* Wait descriptor qword 0 (R9); qword 1 (R10) the status address */
#define TDX_IQ_WAIT_TYPE			GENMASK_ULL(3, 0)
#define TDX_IQ_WAIT_TYPE_WAIT			5
#define TDX_IQ_WAIT_IF				BIT_ULL(4)
#define TDX_IQ_WAIT_SW				BIT_ULL(5)
#define TDX_IQ_WAIT_FN				BIT_ULL(6)
#define TDX_IQ_WAIT_PD				BIT_ULL(7)
#define TDX_IQ_WAIT_RSVD			(BIT_ULL(8) | GENMASK_ULL(31, 12))
#define TDX_IQ_WAIT_TYPE2			GENMASK_ULL(11, 9)
#define TDX_IQ_WAIT_DATA			GENMASK_ULL(63, 32)

/*
 * Software structures below.
 */

/**
 * struct tdx_dmar_entry - a trusted DMA remapping entry
 * @qw: the entry; TDH.DMAR.ADD takes @qw[0] in RDX and @qw[1] to @qw[7]
 *	in R8 to R14, TDH.DMAR.READ returns it in R8 to R15
 */
struct tdx_dmar_entry {
	u64 qw[TDX_DMAR_ENTRY_QWORDS];
};

static_assert(sizeof(struct tdx_dmar_entry) == 64);

u64 tdh_dmar_add(u64 dmar_idx, const struct tdx_dmar_entry *entry);
u64 tdh_dmar_block(u64 dmar_idx);
u64 tdh_dmar_read(u64 dmar_idx, u64 *state, struct tdx_dmar_entry *entry);
u64 tdh_dmar_remove(u64 dmar_idx, u64 *released_pa);
u64 tdh_iq_inv_request(u16 iommu_id, u64 type, u64 subject, const u64 wait[4]);
u64 tdh_iq_inv_process(u16 iommu_id);

#endif /* _ASM_X86_TDX_TDI_DMAR_H */
