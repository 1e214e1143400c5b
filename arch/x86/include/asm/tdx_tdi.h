/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SEAMCALL wrappers for the TDI lifecycle of TDX Connect: TDI metadata
 * (DEVIFMT), the device interface itself (DEVIF), its MMIO (MMIOMT, MMIO)
 * and its trusted DMA remapping entries (DMAR).
 *
 * Unconfirmed: every definition above the fence below (operand layouts,
 * status codes, TDISP message codes) is the 2023 public "tdxio" ABI of the
 * TDX module source.  No current TDX module specification confirms it.
 * It is kept in this one table so that it can be corrected in one edit;
 * the leaf numbers are in the unconfirmed table of
 * arch/x86/virt/vmx/tdx/tdx.h.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */
#ifndef _ASM_X86_TDX_TDI_H
#define _ASM_X86_TDX_TDI_H

#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/types.h>

/* Status codes of the tdxio leaves */
#define TDX_DMAR_INVALID_MAPPING_STATE		0xC0000F0700000000ULL
#define TDX_DEVIF_TDISP_INVALID_REQ_STS		0xC0000F0E00000000ULL
#define TDX_DEVIF_TDISP_INVALID_MESSAGE		0xC0000F0F00000000ULL
#define TDX_DEVIF_INVALID_STATE			0xC0000F1100000000ULL
#define TDX_DEVIF_HAS_MAPPED_MMIO		0xC0000F1300000000ULL
#define TDX_DEVIF_TDISP_OUT_REQ			0xC0000F1400000000ULL
#define TDX_MMIO_INVALID_PAGE_METADATA		0xC0000F2500000000ULL
#define TDX_MMIO_DEVIF_OWNER_MISMATCH		0xC0000F2700000000ULL
#define TDX_DEVIF_HAS_MAPPED_DMA		0xC0000F3F00000000ULL
#define TDX_DEVIFMT_NOT_PRESENT			0xC0000F4000000000ULL
#define TDX_DEVIF_INVALID_METADATA		0xC0000F4100000000ULL
#define TDX_DEVIFMT_ALREADY_PRESENT		0xC0000F4200000000ULL
#define TDX_MMIOMT_NOT_PRESENT			0xC0000F4700000000ULL
#define TDX_DEVIF_TDISP_ERROR_STATE		0xC0000F4A00000000ULL

/* Operand ID of the MMIO metadata table, in bits 31:0 of a status */
#define TDX_OPERAND_ID_MMIOMT			0x101

/*
 * FUNCTION_ID: the PCIe function of a TDI.  As a register operand
 * (DEVIF.REMOVE/REQUEST/RESPONSE RCX) bits 63:32 are reserved too.
 */
#define TDX_FUNC_ID_RID				GENMASK_ULL(15, 0)
#define TDX_FUNC_ID_SEGMENT			GENMASK_ULL(23, 16)
#define TDX_FUNC_ID_SEGMENT_VALID		BIT_ULL(24)
#define TDX_FUNC_ID_RSVD			GENMASK_ULL(63, 25)

/* DEVIF_ID: TDH.DEVIF.CREATE RCX */
#define TDX_DEVIF_ID_IOMMU_ID			GENMASK_ULL(15, 0)
#define TDX_DEVIF_ID_STREAM_ID			GENMASK_ULL(23, 16)
#define TDX_DEVIF_ID_TYPE			GENMASK_ULL(31, 24)
#define TDX_DEVIF_ID_FUNC_ID			GENMASK_ULL(63, 32)
#define TDX_DEVIF_TYPE_PFVF			0

/*
 * DEVIFMT_IDX: TDH.DEVIFMT.ADD/REMOVE/RD RCX.  The DEVIFMT is a radix tree
 * indexed by FUNCTION_ID; a level-0 entry points to a TDI's control
 * structure (written by TDH.DEVIF.CREATE), a level-1 entry to the page of
 * level-0 entries, the TDI metadata page that the host adds.
 */
#define TDX_DEVIFMT_IDX_LEVEL			GENMASK_ULL(2, 0)
#define TDX_DEVIFMT_IDX_RSVD			GENMASK_ULL(31, 3)
#define TDX_DEVIFMT_IDX_FUNC_ID			GENMASK_ULL(63, 32)
#define TDX_DEVIFMT_LEVEL_DEVIF			0
#define TDX_DEVIFMT_LEVEL_LEAF_PAGE		1
/* TDH.DEVIFMT.RD RCX output and the tree's entries */
#define TDX_DEVIFMT_ENTRY_PRESENT		BIT_ULL(0)
#define TDX_DEVIFMT_ENTRY_PA			GENMASK_ULL(51, 12)

/* TDH.DEVIF.REQUEST RDX: the request to generate */
#define TDX_DEVIF_REQ_CODE			GENMASK_ULL(7, 0)
#define TDX_DEVIF_REQ_NO_FW_UPDATE		BIT_ULL(8)
#define TDX_DEVIF_REQ_RSVD			GENMASK_ULL(62, 9)
#define TDX_DEVIF_REQ_TD			BIT_ULL(63)
/* TDH.DEVIF.REQUEST RCX output */
#define TDX_DEVIF_REQ_OUT_CODE			GENMASK_ULL(7, 0)
#define TDX_DEVIF_REQ_OUT_LEN			GENMASK_ULL(23, 8)

/* TDH.DEVIF.RESPONSE RDX: the page with the device's response */
#define TDX_DEVIF_RSP_IN_PA			GENMASK_ULL(51, 12)
#define TDX_DEVIF_RSP_IN_TD			BIT_ULL(63)
#define TDX_DEVIF_RSP_IN_RSVD			(GENMASK_ULL(11, 0) | GENMASK_ULL(62, 52))
/* TDH.DEVIF.RESPONSE RCX output */
#define TDX_DEVIF_RSP_OUT_CODE			GENMASK_ULL(7, 0)
#define TDX_DEVIF_RSP_OUT_LEN			GENMASK_ULL(23, 8)
#define TDX_DEVIF_RSP_OUT_TDI_STATE		GENMASK_ULL(31, 24)
#define TDX_DEVIF_RSP_OUT_ERROR			GENMASK_ULL(63, 32)

/* TDISP message codes (PCIe TDISP 1.0) */
#define TDX_TDISP_LOCK_INTERFACE_RSP		0x03
#define TDX_TDISP_INTERFACE_REPORT_RSP		0x04
#define TDX_TDISP_INTERFACE_STATE_RSP		0x05
#define TDX_TDISP_START_INTERFACE_RSP		0x06
#define TDX_TDISP_STOP_INTERFACE_RSP		0x07
#define TDX_TDISP_ERROR				0x7f
#define TDX_TDISP_LOCK_INTERFACE_REQ		0x83
#define TDX_TDISP_INTERFACE_REPORT_REQ		0x84
#define TDX_TDISP_INTERFACE_STATE_REQ		0x85
#define TDX_TDISP_START_INTERFACE_REQ		0x86
#define TDX_TDISP_STOP_INTERFACE_REQ		0x87
/* A response code is its request code without this bit. */
#define TDX_TDISP_REQ				BIT(7)

/* TDISP states of a TDI */
#define TDX_TDISP_CONFIG_UNLOCKED		0
#define TDX_TDISP_CONFIG_LOCKED			1
#define TDX_TDISP_RUN				2
#define TDX_TDISP_ERROR_STATE			3

/* DMAR_IDX: TDH.DMAR.ADD/BLOCK/READ/REMOVE RCX */
#define TDX_DMAR_IDX_LEVEL			GENMASK_ULL(2, 0)
#define TDX_DMAR_IDX_RSVD			GENMASK_ULL(11, 3)
#define TDX_DMAR_IDX_PASID			GENMASK_ULL(31, 12)
#define TDX_DMAR_IDX_RID			GENMASK_ULL(47, 32)
#define TDX_DMAR_IDX_IOMMU_ID			GENMASK_ULL(63, 48)
#define TDX_DMAR_LEVEL_PASIDTE			0
#define TDX_DMAR_LEVEL_PDE			1
#define TDX_DMAR_LEVEL_CTE			2
#define TDX_DMAR_LEVEL_RTE			3
/*
 * TDH.DMAR.ADD RDX, R8-R14 (and TDH.DMAR.READ outputs): the entry, 64
 * bytes; the qwords past the entry of the indexed level must be 0.
 */
#define TDX_DMAR_ENTRY_QWORDS			8
#define TDX_DMAR_RTE_QWORDS			1
#define TDX_DMAR_CTE_QWORDS			4
#define TDX_DMAR_PDE_QWORDS			1
#define TDX_DMAR_PASIDTE_QWORDS			8

/*
 * MMIOMT_IDX: TDH.MMIOMT.ADD/SET/RD/REMOVE RCX.  The MMIOMT is a radix
 * tree over host physical MMIO addresses; a level-0 entry describes one
 * 4 KiB MMIO page, a level-1 entry points to the page of level-0 entries
 * of one 2 MiB region.
 */
#define TDX_MMIOMT_IDX_LEVEL			GENMASK_ULL(2, 0)
#define TDX_MMIOMT_IDX_PA			GENMASK_ULL(51, 12)
#define TDX_MMIOMT_IDX_RSVD			(GENMASK_ULL(11, 3) | GENMASK_ULL(63, 52))
#define TDX_MMIOMT_LEVEL_4K			0
#define TDX_MMIOMT_LEVEL_2M			1
#define TDX_MMIOMT_LEVEL_1G			2
#define TDX_MMIOMT_PAGE_SPAN_SHIFT		21	/* a level-1 page covers 2 MiB */
/* TDH.MMIOMT.SET RDX */
#define TDX_MMIOMT_SET_TYPE			GENMASK_ULL(1, 0)
#define TDX_MMIOMT_SET_FUNC_ID			GENMASK_ULL(43, 12)
#define TDX_MMIOMT_SET_RSVD			(GENMASK_ULL(11, 2) | GENMASK_ULL(63, 44))
#define TDX_MMIOMT_TYPE_QNODE			0
#define TDX_MMIOMT_TYPE_DATA			1
/* TDH.MMIOMT.RD RCX output (first qword) of a level-0 entry */
#define TDX_MMIOMT_ENTRY_TYPE			GENMASK_ULL(2, 1)
#define TDX_MMIOMT_ENTRY_MAPPED			BIT_ULL(3)
#define TDX_MMIOMT_ENTRY_FUNC_ID		GENMASK_ULL(43, 12)
/* ... and of a node of a level-1 entry: the page it points to */
#define TDX_MMIOMT_NODE_PRESENT			BIT_ULL(11)
#define TDX_MMIOMT_NODE_PA			GENMASK_ULL(51, 12)
#define TDX_MMIOMT_ENTRY_QWORDS			4
/* Which of the 4 nodes of a level-1 entry covers a 2 MiB region */
#define TDX_MMIOMT_IDX_L1_NODE			GENMASK_ULL(20, 19)

/* TDH.MMIO.MAP/BLOCK/UNMAP RCX: the guest page and its mapping level */
#define TDX_GPA_INFO_LEVEL			GENMASK_ULL(2, 0)
#define TDX_GPA_INFO_GPA			GENMASK_ULL(51, 12)
#define TDX_GPA_INFO_RSVD			(GENMASK_ULL(11, 3) | GENMASK_ULL(63, 52))

/*
 * Software structures below.
 */

struct page;

/**
 * struct tdx_dmar_entry - a trusted DMA remapping entry, as the module takes it
 * @qw: the entry; @qw[0] goes in RDX, @qw[1] to @qw[7] in R8 to R14
 */
struct tdx_dmar_entry {
	u64 qw[TDX_DMAR_ENTRY_QWORDS];
};

static_assert(sizeof(struct tdx_dmar_entry) == 64);

/**
 * struct tdx_mmiomt_entry - an MMIOMT entry as TDH.MMIOMT.RD returns it
 * @qw: the entry, from RCX, RDX, R8 and R9
 */
struct tdx_mmiomt_entry {
	u64 qw[TDX_MMIOMT_ENTRY_QWORDS];
};

static_assert(sizeof(struct tdx_mmiomt_entry) == 32);

u64 tdh_devifmt_add(u64 devifmt_idx, struct page *page);
u64 tdh_devifmt_remove(u64 devifmt_idx, u64 *released_pa);
u64 tdh_devifmt_rd(u64 devifmt_idx, u64 *entry);
u64 tdh_devif_create(u64 devif_id, u64 vm_handle, struct page *devifcs,
		     struct page *td_buf, struct page *vmm_buf);
u64 tdh_devif_remove(u64 func_id, u64 *td_buf_pa, u64 *vmm_buf_pa,
		     u64 *vm_handle);
u64 tdh_devif_request(u64 func_id, u64 req, struct page *request,
		      u64 *req_out);
u64 tdh_devif_response(u64 func_id, struct page *response, bool td,
		       struct page *output, u64 *rsp_out);
u64 tdh_dmar_add(u64 dmar_idx, const struct tdx_dmar_entry *entry);
u64 tdh_dmar_block(u64 dmar_idx);
u64 tdh_dmar_read(u64 dmar_idx, struct tdx_dmar_entry *entry);
u64 tdh_dmar_remove(u64 dmar_idx);
u64 tdh_mmiomt_add(u64 mmiomt_idx, struct page *page);
u64 tdh_mmiomt_set(u64 mmiomt_idx, u64 set_info);
u64 tdh_mmiomt_rd(u64 mmiomt_idx, struct tdx_mmiomt_entry *entry);
u64 tdh_mmiomt_remove(u64 mmiomt_idx, u64 *released_pfn);
u64 tdh_mmio_map(u64 gpa_info, u64 vm_handle, u64 mmio_pa);
u64 tdh_mmio_block(u64 gpa_info, u64 vm_handle);
u64 tdh_mmio_unmap(u64 gpa_info, u64 vm_handle);

#endif /* _ASM_X86_TDX_TDI_H */
