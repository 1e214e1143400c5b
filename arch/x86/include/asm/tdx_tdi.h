/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SEAMCALL wrappers for the TDI lifecycle of TDX Connect: TDI metadata
 * (DEVIFMT), the device interface itself (DEVIF), its MMIO (MMIOMT, MMIO)
 * and its trusted DMA remapping entries (DMAR).
 *
 * Unconfirmed: every definition above the fence below (operand layouts,
 * table formats, status codes, TDISP message codes) is the 2023 public
 * "tdxio" ABI of the TDX module source, read at intel/tdx-module commit
 * 1666adc494dbea5db99895f37125a338c20bec5a (src/vmm_dispatcher/api_calls/
 * tdxio/, src/common/tdxio/, src/common/data_structures/tdxio/ and
 * include/auto_gen_2_0/tdx_error_codes_defs.h).  No current TDX module
 * specification confirms it.  It is kept in this one table so that it can
 * be corrected in one edit; the leaf numbers are in the unconfirmed table
 * of arch/x86/virt/vmx/tdx/tdx.h.  For the SPDM, IDE and IOMMU leaves that
 * source has older numbers and operands (128/129 IOMMU.SETREG/GETREG,
 * 135/136 IDE.STREAM.IDEKMREQ/RSP): those follow the 2026 postings
 * instead (asm/tdx_spdm_ide.h, asm/tdx_iommu_mt.h).
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */
#ifndef _ASM_X86_TDX_TDI_H
#define _ASM_X86_TDX_TDI_H

#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/math.h>
#include <linux/types.h>

/* Status codes of the tdxio leaves */
#define TDX_IOMMU_IQ_QUEUE_FULL			0xC0000F0100000000ULL
#define TDX_IOMMU_IOTLB_TRACKING_NOT_DONE	0xC0000F0300000000ULL
#define TDX_SPDM_INVALID_STATE			0xC0000F0600000000ULL
#define TDX_DMAR_INVALID_MAPPING_STATE		0xC0000F0700000000ULL
#define TDX_DMAR_INVALID_INV_STATE		0xC0000F0800000000ULL
#define TDX_DEVIF_TDISP_INVALID_REQ_STS		0xC0000F0E00000000ULL
#define TDX_DEVIF_TDISP_INVALID_MESSAGE		0xC0000F0F00000000ULL
#define TDX_DEVIF_TDISP_INVALID_STATE		0xC0000F1000000000ULL
#define TDX_DEVIF_INVALID_STATE			0xC0000F1100000000ULL
#define TDX_DEVIF_HAS_MAPPED_MMIO		0xC0000F1300000000ULL
#define TDX_DEVIF_TDISP_OUT_REQ			0xC0000F1400000000ULL
#define TDX_IDE_STREAM_BLOCKED			0xC0000F1900000000ULL
#define TDX_IDE_STREAM_INVALID_STATE		0xC0000F2400000000ULL
#define TDX_MMIO_INVALID_PAGE_METADATA		0xC0000F2500000000ULL
#define TDX_MMIO_DEVIF_OWNER_MISMATCH		0xC0000F2700000000ULL
#define TDX_DMAR_INDEX_OUT_OF_BOUNDS		0xC0000F3800000000ULL
#define TDX_DMAR_ENTRY_NOT_PRESENT		0xC0000F3900000000ULL
#define TDX_DEVIF_HAS_MAPPED_DMA		0xC0000F3F00000000ULL
#define TDX_DEVIFMT_NOT_PRESENT			0xC0000F4000000000ULL
#define TDX_DEVIF_INVALID_METADATA		0xC0000F4100000000ULL
#define TDX_DEVIFMT_ALREADY_PRESENT		0xC0000F4200000000ULL
#define TDX_MMIOMT_NOT_PRESENT			0xC0000F4700000000ULL
#define TDX_DEVIF_TDISP_ERROR_STATE		0xC0000F4A00000000ULL
/* ... and of the memory leaves, for TDH.MMIO.BLOCK and UNMAP */
#define TDX_GPA_RANGE_NOT_BLOCKED		0xC0000B0600000000ULL
#define TDX_TLB_TRACKING_NOT_DONE		0xC0000B0800000000ULL

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
 * over FUNCTION_ID (devifmt_defs.h, devifmt.c): a root entry in the
 * module's global data, then four levels of 512 8-byte entries a page,
 * indexed by FUNCTION_ID bits 31:27 (level 3), 26:18, 17:9 and 8:0
 * (level 0).  A level-0 entry points to a TDI's control structure
 * (written by TDH.DEVIF.CREATE); an entry of level N (1 to 4, the root
 * being level 4) points to a page of level N-1 entries, which
 * TDH.DEVIFMT.ADD at level N adds and TDH.DEVIFMT.REMOVE at level N takes
 * back once all its entries are clear.  ADD needs every level above
 * present (else TDX_DEVIFMT_NOT_PRESENT) and the entry itself clear (else
 * TDX_DEVIFMT_ALREADY_PRESENT).
 */
#define TDX_DEVIFMT_IDX_LEVEL			GENMASK_ULL(2, 0)
#define TDX_DEVIFMT_IDX_RSVD			GENMASK_ULL(31, 3)
#define TDX_DEVIFMT_IDX_FUNC_ID			GENMASK_ULL(63, 32)
#define TDX_DEVIFMT_LEVEL_DEVIF			0
#define TDX_DEVIFMT_LEVEL_ROOT			4
#define TDX_DEVIFMT_ENTRIES			512
/* FUNCTION_ID bits that index level N: N * 9 up, 9 bits (5 at level 3) */
#define TDX_DEVIFMT_LEVEL_SHIFT(level)		((level) * 9)
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
 * MMIOMT_IDX: TDH.MMIOMT.ADD/SET/RD/REMOVE RCX.  The MMIOMT is a radix
 * tree over host physical MMIO addresses (mmiomt_defs.h, mmiomt.c): a root
 * entry in the module's global data, then five levels of pages of 128
 * 32-byte entries.  An entry is either a DATA entry, the metadata of one
 * MMIO page (4 KiB at level 0, 2 MiB at level 1, 1 GiB at level 2), or a
 * QNODE of four nodes, each pointing to a page of the level below.  The
 * entry of level N is chosen by PA bits TDX_MMIOMT_IDX_SHIFT(N) up (7
 * bits), its node by the two bits below those; so a level-0 page covers
 * 512 KiB, a level-1 page 256 MiB, a level-2 page 128 GiB.  TDH.MMIOMT.ADD
 * at level N (1 to 5, the root being level 5) points a node of a level N
 * QNODE to a new page of level N-1; TDH.MMIOMT.REMOVE at level N takes it
 * back once the page holds no DATA entry and no present node, and reports
 * it as a page frame number.  TDH.MMIOMT.SET works at levels 0 to 2.
 */
#define TDX_MMIOMT_IDX_LEVEL			GENMASK_ULL(2, 0)
#define TDX_MMIOMT_IDX_PA			GENMASK_ULL(51, 12)
#define TDX_MMIOMT_IDX_RSVD			(GENMASK_ULL(11, 3) | GENMASK_ULL(63, 52))
#define TDX_MMIOMT_LEVEL_4K			0
#define TDX_MMIOMT_LEVEL_2M			1
#define TDX_MMIOMT_LEVEL_1G			2
#define TDX_MMIOMT_LEVEL_ROOT			5
#define TDX_MMIOMT_ENTRIES			128
#define TDX_MMIOMT_NODES			4
/* Lowest PA bit of the entry index of level 0..4: 12, 21, 30, 39, 48 */
#define TDX_MMIOMT_IDX_SHIFT(level)		(12 + (level) * 9)
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
/* ... and of each node of a QNODE entry: the page it points to */
#define TDX_MMIOMT_NODE_PRESENT			BIT_ULL(11)
#define TDX_MMIOMT_NODE_PA			GENMASK_ULL(51, 12)
#define TDX_MMIOMT_ENTRY_QWORDS			4

/* TDH.MMIO.MAP/BLOCK/UNMAP RCX: the guest page and its mapping level */
#define TDX_GPA_INFO_LEVEL			GENMASK_ULL(2, 0)
#define TDX_GPA_INFO_GPA			GENMASK_ULL(51, 12)
#define TDX_GPA_INFO_RSVD			(GENMASK_ULL(11, 3) | GENMASK_ULL(63, 52))

/*
 * Software structures below.
 */

struct kvm;
struct page;

/**
 * struct tdx_dmar_entry - a trusted DMA remapping entry
 * @qw: the entry; TDH.DMAR.ADD takes @qw[0] in RDX and @qw[1] to @qw[7]
 *	in R8 to R14, TDH.DMAR.READ returns it in R8 to R15
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
u64 tdh_dmar_read(u64 dmar_idx, u64 *state, struct tdx_dmar_entry *entry);
u64 tdh_dmar_remove(u64 dmar_idx, u64 *released_pa);
u64 tdh_iq_inv_request(u16 iommu_id, u64 type, u64 subject, const u64 wait[4]);
u64 tdh_iq_inv_process(u16 iommu_id);
u64 tdh_mmiomt_add(u64 mmiomt_idx, struct page *page);
u64 tdh_mmiomt_set(u64 mmiomt_idx, u64 set_info);
u64 tdh_mmiomt_rd(u64 mmiomt_idx, struct tdx_mmiomt_entry *entry);
u64 tdh_mmiomt_remove(u64 mmiomt_idx, u64 *released_pfn);
u64 tdh_mmio_map(u64 gpa_info, u64 vm_handle, u64 mmio_pa);
u64 tdh_mmio_block(u64 gpa_info, u64 vm_handle);
u64 tdh_mmio_unmap(u64 gpa_info, u64 vm_handle);

/**
 * typedef tdx_td_tdr_fn - KVM's lookup of the TDR page of a TD
 * @kvm: a VM
 * @tdr_pa: the physical address of the VM's TDR page
 *
 * Return: 0, or -EINVAL if @kvm is not a TD with its TDR page set up.
 */
typedef int (*tdx_td_tdr_fn)(struct kvm *kvm, u64 *tdr_pa);

#if IS_ENABLED(CONFIG_INTEL_TDX_CONNECT)
int tdx_td_tdr_pa(struct kvm *kvm, u64 *tdr_pa);
int tdx_td_register_lookup(tdx_td_tdr_fn lookup);
void tdx_td_unregister_lookup(tdx_td_tdr_fn lookup);
#else
static inline int tdx_td_register_lookup(tdx_td_tdr_fn lookup)
{
	return 0;
}

static inline void tdx_td_unregister_lookup(tdx_td_tdr_fn lookup)
{
}
#endif

#endif /* _ASM_X86_TDX_TDI_H */
