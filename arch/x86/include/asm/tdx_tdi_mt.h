/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SEAMCALL wrappers for the metadata tables of TDX Connect TDIs: the TDI
 * metadata tree (DEVIFMT), the MMIO metadata tree (MMIOMT) and the
 * private mappings of TDI MMIO into a TD (MMIO.MAP, BLOCK, UNMAP).
 *
 * Unconfirmed: every definition above the fence below, and in
 * asm/tdx_tdi_dmar.h and asm/tdx_tdi.h (operand layouts, table formats,
 * status codes, TDISP message codes), is the 2023 public "tdxio" ABI of
 * the TDX module source, read at intel/tdx-module commit
 * 1666adc494dbea5db99895f37125a338c20bec5a (src/vmm_dispatcher/api_calls/
 * tdxio/, src/common/tdxio/, src/common/data_structures/tdxio/ and
 * include/auto_gen_2_0/tdx_error_codes_defs.h).  No current TDX module
 * specification confirms it.  It is kept in these three tables so that it
 * can be corrected in one place; the leaf numbers are in the unconfirmed
 * table of arch/x86/virt/vmx/tdx/tdx.h.  For the SPDM, IDE and IOMMU
 * leaves that source has older numbers and operands (128/129
 * IOMMU.SETREG/GETREG, 135/136 IDE.STREAM.IDEKMREQ/RSP): those follow the
 * 2026 postings instead (asm/tdx_spdm_ide.h, asm/tdx_iommu_mt.h).
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */
#ifndef _ASM_X86_TDX_TDI_MT_H
#define _ASM_X86_TDX_TDI_MT_H

#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/types.h>

/* Status codes of the tdxio metadata leaves */
#define TDX_IDE_STREAM_BLOCKED			0xC0000F1900000000ULL
#define TDX_MMIO_INVALID_PAGE_METADATA		0xC0000F2500000000ULL
#define TDX_MMIO_DEVIF_OWNER_MISMATCH		0xC0000F2700000000ULL
#define TDX_DEVIFMT_NOT_PRESENT			0xC0000F4000000000ULL
#define TDX_DEVIF_INVALID_METADATA		0xC0000F4100000000ULL
#define TDX_DEVIFMT_ALREADY_PRESENT		0xC0000F4200000000ULL
#define TDX_MMIOMT_NOT_PRESENT			0xC0000F4700000000ULL
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

struct page;

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
u64 tdh_mmiomt_add(u64 mmiomt_idx, struct page *page);
u64 tdh_mmiomt_set(u64 mmiomt_idx, u64 set_info);
u64 tdh_mmiomt_rd(u64 mmiomt_idx, struct tdx_mmiomt_entry *entry);
u64 tdh_mmiomt_remove(u64 mmiomt_idx, u64 *released_pfn);
u64 tdh_mmio_map(u64 gpa_info, u64 vm_handle, u64 mmio_pa);
u64 tdh_mmio_block(u64 gpa_info, u64 vm_handle);
u64 tdh_mmio_unmap(u64 gpa_info, u64 vm_handle);

#endif /* _ASM_X86_TDX_TDI_MT_H */
