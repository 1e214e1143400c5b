// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the fake TDI model that the tdx_tdi and later suites
 * drive the TDI lifecycle wrappers against: every refusal the fake makes,
 * called with raw registers, with the module's status and operand ID and
 * no change to the fake's state.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

#include <linux/bitfield.h>
#include <linux/mm.h>
#include <linux/string.h>

#include <kunit/test.h>

#include <asm/shared/tdx_errno.h>
#include <asm/tdx.h>
#include "tests/tdx_fake_module.h"
#include "tests/tdx_fake_tdi.h"
#include "tests/tdx_tdi_test_env.h"
#include <asm/tdx_tdi.h>

#include "tdx.h"

struct refusal {
	const char *name;
	unsigned int stages;
	u8 tdisp_state;		/* forced after setup unless 0 */
	u16 leaf;
	u8 version;
	struct tdx_module_args in;
	u64 status;
	enum tweak tweak;
};

/*
 * What the fake itself refuses, with raw registers through
 * tdx_seamcall_ver() rather than through the wrappers: these check the
 * fake that this and later suites rely on.  wrapper_refusals[] checks the
 * wrappers against it.
 */

static const struct refusal refusals[] = {
	/* DEVIFMT (tdh_devifmt_add.c, tdh_devifmt_remove.c, tdh_devifmt_rd.c) */
	{ "DEVIFMT.ADD reserved index bits", 0, 0, TDH_DEVIFMT_ADD, 0,
	  { .rcx = DEVIFMT_IDX_L(TEST_FUNC, 4) | BIT_ULL(3), .rdx = PG(PG_MT3) }, INVALID(RCX) },
	{ "DEVIFMT.ADD level 0", 0, 0, TDH_DEVIFMT_ADD, 0,
	  { .rcx = DEVIFMT_IDX_L(TEST_FUNC, 0), .rdx = PG(PG_MT3) }, INVALID(RCX) },
	{ "DEVIFMT.ADD level 5", 0, 0, TDH_DEVIFMT_ADD, 0,
	  { .rcx = DEVIFMT_IDX_L(TEST_FUNC, 5), .rdx = PG(PG_MT3) }, INVALID(RCX) },
	{ "DEVIFMT.ADD segment", 0, 0, TDH_DEVIFMT_ADD, 0,
	  { .rcx = DEVIFMT_IDX_L(TEST_FUNC | TDX_FUNC_ID_SEGMENT_VALID, 4),
	    .rdx = PG(PG_MT3) }, INVALID(RCX) },
	{ "DEVIFMT.ADD misaligned page", 0, 0, TDH_DEVIFMT_ADD, 0,
	  { .rcx = DEVIFMT_IDX_L(TEST_FUNC, 4), .rdx = PG(PG_MT3) + 8 }, INVALID(RDX) },
	{ "DEVIFMT.ADD page beyond memory", 0, 0, TDH_DEVIFMT_ADD, 0,
	  { .rcx = DEVIFMT_IDX_L(TEST_FUNC, 4), .rdx = TDX_DEVIFMT_ENTRY_PA },
	  OPND(TDX_OPERAND_ADDR_RANGE_ERROR, RDX) },
	{ "DEVIFMT.ADD page the module owns", S_MT, 0, TDH_DEVIFMT_ADD, 0,
	  { .rcx = DEVIFMT_IDX(TEST_FUNC2), .rdx = PG(PG_MT) },
	  OPND(TDX_PAGE_METADATA_INCORRECT, RDX) },
	{ "DEVIFMT.ADD level 1 without levels 4 to 2", 0, 0, TDH_DEVIFMT_ADD, 0,
	  { .rcx = DEVIFMT_IDX(TEST_FUNC), .rdx = PG(PG_MT) },
	  OPND(TDX_DEVIFMT_NOT_PRESENT, RCX) },
	{ "DEVIFMT.ADD twice", S_MT, 0, TDH_DEVIFMT_ADD, 0,
	  { .rcx = DEVIFMT_IDX(TEST_FUNC), .rdx = PG(PG_SPARE) },
	  OPND(TDX_DEVIFMT_ALREADY_PRESENT, RCX) },
	{ "DEVIFMT.ADD root twice", S_MT, 0, TDH_DEVIFMT_ADD, 0,
	  { .rcx = DEVIFMT_IDX_L(TEST_FUNC2, 4), .rdx = PG(PG_SPARE) },
	  OPND(TDX_DEVIFMT_ALREADY_PRESENT, RCX) },
	{ "DEVIFMT.REMOVE while the TDI exists", S_MT | S_CREATED, 0, TDH_DEVIFMT_REMOVE, 0,
	  { .rcx = DEVIFMT_IDX(TEST_FUNC) }, OPND(TDX_DEVIF_INVALID_METADATA, RCX) },
	{ "DEVIFMT.REMOVE of a page with a page below", S_MT, 0, TDH_DEVIFMT_REMOVE, 0,
	  { .rcx = DEVIFMT_IDX_L(TEST_FUNC, 2) }, OPND(TDX_DEVIF_INVALID_METADATA, RCX) },
	{ "DEVIFMT.REMOVE without metadata", 0, 0, TDH_DEVIFMT_REMOVE, 0,
	  { .rcx = DEVIFMT_IDX(TEST_FUNC) }, OPND(TDX_DEVIFMT_NOT_PRESENT, RCX) },
	{ "DEVIFMT.REMOVE of a clear entry", S_MT, 0, TDH_DEVIFMT_REMOVE, 0,
	  { .rcx = DEVIFMT_IDX(TEST_FUNC2) }, OPND(TDX_DEVIFMT_NOT_PRESENT, RCX) },
	{ "DEVIFMT.RD level 0 without metadata", 0, 0, TDH_DEVIFMT_RD, 0,
	  { .rcx = DEVIFMT_IDX_L(TEST_FUNC, 0) }, OPND(TDX_DEVIFMT_NOT_PRESENT, RCX) },
	{ "DEVIFMT.RD level 6", 0, 0, TDH_DEVIFMT_RD, 0,
	  { .rcx = DEVIFMT_IDX_L(TEST_FUNC, 6) }, INVALID(RCX) },
	/* DEVIF.CREATE (tdh_devif_create.c), in its order of checks */
	{ "DEVIF.CREATE misaligned control page", S_MT, 0, TDH_DEVIF_CREATE, 0,
	  { .rcx = DEVIF_ID(TEST_FUNC) | FIELD_PREP_CONST(TDX_DEVIF_ID_TYPE, 1), .rdx = 8,
	    .r8 = PG(PG_CS) + 64, .r9 = PG(PG_TD), .r10 = PG(PG_VMM) }, INVALID(R8) },
	{ "DEVIF.CREATE misaligned TDR", S_MT, 0, TDH_DEVIF_CREATE, 0,
	  { .rcx = DEVIF_ID(TEST_FUNC), .rdx = TEST_VM + 8, .r8 = PG(PG_CS),
	    .r9 = PG(PG_TD), .r10 = PG(PG_VMM) }, INVALID(RDX) },
	{ "DEVIF.CREATE owned TD buffer", S_MT, 0, TDH_DEVIF_CREATE, 0,
	  { .rcx = DEVIF_ID(TEST_FUNC), .rdx = TEST_VM, .r8 = PG(PG_CS),
	    .r9 = PG(PG_MT), .r10 = PG(PG_VMM) }, OPND(TDX_PAGE_METADATA_INCORRECT, R9) },
	{ "DEVIF.CREATE one page twice", S_MT, 0, TDH_DEVIF_CREATE, 0,
	  { .rcx = DEVIF_ID(TEST_FUNC), .rdx = TEST_VM, .r8 = PG(PG_CS),
	    .r9 = PG(PG_TD), .r10 = PG(PG_TD) }, OPND(TDX_PAGE_METADATA_INCORRECT, R10) },
	{ "DEVIF.CREATE unknown type", S_MT, 0, TDH_DEVIF_CREATE, 0,
	  { .rcx = DEVIF_ID(TEST_FUNC) | FIELD_PREP_CONST(TDX_DEVIF_ID_TYPE, 1), .rdx = TEST_VM,
	    .r8 = PG(PG_CS), .r9 = PG(PG_TD), .r10 = PG(PG_VMM) }, INVALID(RCX) },
	{ "DEVIF.CREATE without metadata", 0, 0, TDH_DEVIF_CREATE, 0,
	  { CREATE_ARGS(TEST_FUNC) }, OPND(TDX_DEVIFMT_NOT_PRESENT, RCX) },
	{ "DEVIF.CREATE twice", S_MT | S_CREATED, 0, TDH_DEVIF_CREATE, 0,
	  { .rcx = DEVIF_ID(TEST_FUNC), .rdx = TEST_VM, .r8 = PG(PG_SPARE),
	    .r9 = PG(PG_REQ), .r10 = PG(PG_RSP) }, OPND(TDX_DEVIFMT_ALREADY_PRESENT, RCX) },
	{ "DEVIF.CREATE IOMMU not set up", S_MT, 0, TDH_DEVIF_CREATE, 0,
	  { .rcx = (DEVIF_ID(TEST_FUNC) & ~TDX_DEVIF_ID_IOMMU_ID) |
		   FIELD_PREP_CONST(TDX_DEVIF_ID_IOMMU_ID, TEST_IOMMU - 1), .rdx = TEST_VM,
	    .r8 = PG(PG_CS), .r9 = PG(PG_TD), .r10 = PG(PG_VMM) }, INVALID(RCX) },
	{ "DEVIF.CREATE stream not keyed", S_MT, 0, TDH_DEVIF_CREATE, 0,
	  { CREATE_ARGS(TEST_FUNC) }, OPND(TDX_IDE_STREAM_INVALID_STATE, RCX),
	  T_STREAM_UNKEYED },
	{ "DEVIF.CREATE stream blocked", S_MT, 0, TDH_DEVIF_CREATE, 0,
	  { CREATE_ARGS(TEST_FUNC) }, OPND(TDX_IDE_STREAM_INVALID_STATE, RCX),
	  T_STREAM_BLOCKED },
	{ "DEVIF.CREATE no such stream", S_MT, 0, TDH_DEVIF_CREATE, 0,
	  { CREATE_ARGS(TEST_FUNC) }, OPND(TDX_IDE_STREAM_INVALID_STATE, RCX), T_NO_STREAM },
	{ "DEVIF.CREATE RID outside the stream", S_MT, 0, TDH_DEVIF_CREATE, 0,
	  { CREATE_ARGS(TEST_FUNC) }, INVALID(RCX), T_STREAM_NARROW },
	{ "DEVIF.CREATE session not connected", S_MT, 0, TDH_DEVIF_CREATE, 0,
	  { CREATE_ARGS(TEST_FUNC) }, OPND(TDX_SPDM_INVALID_STATE, RCX), T_SESSION_DOWN },
	/* DEVIF.REMOVE (tdh_devif_remove.c) */
	{ "DEVIF.REMOVE while LOCKED, stream up", S_MT | S_CREATED | S_LOCKED, 0,
	  TDH_DEVIF_REMOVE, 0, { .rcx = TEST_FUNC }, OPND(TDX_DEVIF_INVALID_STATE, RCX) },
	{ "DEVIF.REMOVE while RUN", S_MT | S_CREATED | S_LOCKED, TDX_TDISP_RUN,
	  TDH_DEVIF_REMOVE, 0, { .rcx = TEST_FUNC }, OPND(TDX_DEVIF_INVALID_STATE, RCX) },
	{ "DEVIF.REMOVE in ERROR", S_MT | S_CREATED, TDX_TDISP_ERROR_STATE,
	  TDH_DEVIF_REMOVE, 0, { .rcx = TEST_FUNC }, OPND(TDX_DEVIF_INVALID_STATE, RCX) },
	{ "DEVIF.REMOVE with accepted DMA", S_MT | S_CREATED | S_DMA | S_ACCEPT, 0,
	  TDH_DEVIF_REMOVE, 0, { .rcx = TEST_FUNC }, OPND(TDX_DEVIF_HAS_MAPPED_DMA, RCX) },
	{ "DEVIF.REMOVE with accepted DMA blocked", S_ALL | S_ACCEPT | S_BLOCKED | S_INV,
	  0, TDH_DEVIF_REMOVE, 0, { .rcx = TEST_FUNC }, OPND(TDX_DEVIF_HAS_MAPPED_DMA, RCX) },
	{ "DEVIF.REMOVE with MMIO mapped", S_MT | S_CREATED | S_MMIO | S_MAPPED, 0,
	  TDH_DEVIF_REMOVE, 0, { .rcx = TEST_FUNC }, OPND(TDX_DEVIF_HAS_MAPPED_MMIO, RCX) },
	{ "DEVIF.REMOVE of no TDI", S_MT, 0, TDH_DEVIF_REMOVE, 0,
	  { .rcx = TEST_FUNC }, OPND(TDX_DEVIFMT_NOT_PRESENT, RCX) },
	{ "DEVIF.REMOVE reserved bits", S_MT | S_CREATED, 0, TDH_DEVIF_REMOVE, 0,
	  { .rcx = TEST_FUNC | BIT_ULL(32) }, INVALID(RCX) },
	/* DEVIF.REQUEST */
	{ "DEVIF.REQUEST reserved bits", S_MT | S_CREATED, 0, TDH_DEVIF_REQUEST, 0,
	  { .rcx = TEST_FUNC, .rdx = REQ(TDX_TDISP_LOCK_INTERFACE_REQ) | BIT_ULL(9),
	    .r8 = PG(PG_REQ) }, INVALID(RDX) },
	{ "DEVIF.REQUEST NO_FW_UPDATE on STOP", S_MT | S_CREATED, 0, TDH_DEVIF_REQUEST, 0,
	  { .rcx = TEST_FUNC, .rdx = REQ(TDX_TDISP_STOP_INTERFACE_REQ) |
	    TDX_DEVIF_REQ_NO_FW_UPDATE, .r8 = PG(PG_REQ) }, INVALID(RDX) },
	{ "DEVIF.REQUEST R9 set", S_MT | S_CREATED, 0, TDH_DEVIF_REQUEST, 0,
	  { .rcx = TEST_FUNC, .rdx = REQ(TDX_TDISP_LOCK_INTERFACE_REQ), .r8 = PG(PG_REQ),
	    .r9 = 1 }, INVALID(R9) },
	{ "DEVIF.REQUEST TD flag with a code", S_MT | S_CREATED, 0, TDH_DEVIF_REQUEST, 0,
	  { .rcx = TEST_FUNC, .rdx = REQ(TDX_TDISP_LOCK_INTERFACE_REQ) | TDX_DEVIF_REQ_TD,
	    .r8 = PG(PG_REQ) }, INVALID(RDX) },
	{ "DEVIF.REQUEST TD flag, no TD request", S_MT | S_CREATED, 0, TDH_DEVIF_REQUEST, 0,
	  { .rcx = TEST_FUNC, .rdx = TDX_DEVIF_REQ_TD, .r8 = PG(PG_REQ) },
	  OPND(TDX_DEVIF_TDISP_INVALID_REQ_STS, RCX) },
	{ "DEVIF.REQUEST START by the host", S_MT | S_CREATED | S_LOCKED, 0,
	  TDH_DEVIF_REQUEST, 0, { .rcx = TEST_FUNC,
	  .rdx = REQ(TDX_TDISP_START_INTERFACE_REQ), .r8 = PG(PG_REQ) }, INVALID(RDX) },
	{ "DEVIF.REQUEST while one is outstanding", S_MT | S_CREATED | S_PENDING, 0,
	  TDH_DEVIF_REQUEST, 0, { .rcx = TEST_FUNC,
	  .rdx = REQ(TDX_TDISP_STOP_INTERFACE_REQ), .r8 = PG(PG_REQ) },
	  OPND(TDX_DEVIF_TDISP_OUT_REQ, RCX) },
	{ "DEVIF.REQUEST LOCK while LOCKED", S_MT | S_CREATED | S_LOCKED, 0,
	  TDH_DEVIF_REQUEST, 0, { .rcx = TEST_FUNC,
	  .rdx = REQ(TDX_TDISP_LOCK_INTERFACE_REQ), .r8 = PG(PG_REQ) },
	  OPND(TDX_DEVIF_TDISP_INVALID_STATE, RCX) },
	{ "DEVIF.REQUEST LOCK in ERROR", S_MT | S_CREATED, TDX_TDISP_ERROR_STATE,
	  TDH_DEVIF_REQUEST, 0, { .rcx = TEST_FUNC,
	  .rdx = REQ(TDX_TDISP_LOCK_INTERFACE_REQ), .r8 = PG(PG_REQ) },
	  OPND(TDX_DEVIF_TDISP_ERROR_STATE, RCX) },
	{ "DEVIF.REQUEST misaligned output", S_MT | S_CREATED, 0, TDH_DEVIF_REQUEST, 0,
	  { .rcx = TEST_FUNC, .rdx = REQ(TDX_TDISP_LOCK_INTERFACE_REQ),
	    .r8 = PG(PG_REQ) + 1 }, INVALID(R8) },
	{ "DEVIF.REQUEST of no TDI", S_MT, 0, TDH_DEVIF_REQUEST, 0,
	  { .rcx = TEST_FUNC, .rdx = REQ(TDX_TDISP_LOCK_INTERFACE_REQ), .r8 = PG(PG_REQ) },
	  OPND(TDX_DEVIFMT_NOT_PRESENT, RCX) },
	/* DEVIF.RESPONSE */
	{ "DEVIF.RESPONSE without a request", S_MT | S_CREATED, 0, TDH_DEVIF_RESPONSE, 0,
	  { .rcx = TEST_FUNC, .rdx = PG(PG_RSP) }, OPND(TDX_DEVIF_TDISP_OUT_REQ, RCX) },
	{ "DEVIF.RESPONSE reserved bits", S_MT | S_CREATED | S_PENDING, 0,
	  TDH_DEVIF_RESPONSE, 0, { .rcx = TEST_FUNC, .rdx = PG(PG_RSP) + 1 }, INVALID(RDX) },
	{ "DEVIF.RESPONSE R9 set", S_MT | S_CREATED | S_PENDING, 0, TDH_DEVIF_RESPONSE, 0,
	  { .rcx = TEST_FUNC, .rdx = PG(PG_RSP), .r9 = 1 }, INVALID(R9) },
	{ "DEVIF.RESPONSE TD flag, no TD request", S_MT | S_CREATED | S_PENDING, 0,
	  TDH_DEVIF_RESPONSE, 0, { .rcx = TEST_FUNC, .rdx = PG(PG_RSP) | BIT_ULL(63) },
	  OPND(TDX_DEVIF_TDISP_INVALID_REQ_STS, RDX) },
	{ "DEVIF.RESPONSE not a response", S_MT | S_CREATED | S_PENDING, 0,
	  TDH_DEVIF_RESPONSE, 0, { .rcx = TEST_FUNC, .rdx = PG(PG_RSP) },
	  OPND(TDX_DEVIF_TDISP_INVALID_MESSAGE, RDX) },
	{ "DEVIF.RESPONSE misaligned output", S_MT | S_CREATED | S_PENDING, 0,
	  TDH_DEVIF_RESPONSE, 0, { .rcx = TEST_FUNC, .rdx = PG(PG_RSP), .r8 = PG(PG_OUT) + 4 },
	  INVALID(R8) },
	/* DMAR (tdh_dmar_add.c, tdh_dmar_block.c, tdh_dmar_remove.c, dmar.c) */
	{ "DMAR.ADD reserved index bits", 0, 0, TDH_DMAR_ADD, 0,
	  { .rcx = RTE_IDX | BIT_ULL(3), .rdx = TABLE(PG_CT) }, INVALID(RCX) },
	{ "DMAR.ADD IOMMU not set up", 0, 0, TDH_DMAR_ADD, 0,
	  { .rcx = FIELD_PREP_CONST(TDX_DMAR_IDX_RID, TEST_FUNC) |
		   FIELD_PREP_CONST(TDX_DMAR_IDX_LEVEL, TDX_DMAR_LEVEL_RTE),
	    .rdx = TABLE(PG_CT) }, INVALID(RCX) },
	{ "DMAR.ADD unknown level", 0, 0, TDH_DMAR_ADD, 0,
	  { .rcx = DMAR_IDX(TEST_FUNC, 4), .rdx = TABLE(PG_CT) }, INVALID(RCX) },
	{ "DMAR.ADD a context entry past 32 bytes", S_MT, 0, TDH_DMAR_ADD, 0,
	  { .rcx = CTE_IDX, .rdx = TABLE(PG_PD), .r11 = 1 }, INVALID(R11) },
	{ "DMAR.ADD a root entry past 8 bytes", 0, 0, TDH_DMAR_ADD, 0,
	  { .rcx = RTE_IDX, .rdx = TABLE(PG_CT), .r8 = 1 }, INVALID(R8) },
	{ "DMAR.ADD a root entry not present", 0, 0, TDH_DMAR_ADD, 0,
	  { .rcx = RTE_IDX, .rdx = PG(PG_CT) }, INVALID(RDX) },
	{ "DMAR.ADD a context entry with RID_PASID", 0, 0, TDH_DMAR_ADD, 0,
	  { .rcx = CTE_IDX, .rdx = TABLE(PG_PD), .r8 = 1 }, INVALID(R8) },
	{ "DMAR.ADD a context entry with PASIDE", 0, 0, TDH_DMAR_ADD, 0,
	  { .rcx = CTE_IDX, .rdx = TABLE(PG_PD) | TDX_DMAR_CTE_PASIDE }, INVALID(RDX) },
	{ "DMAR.ADD a PASIDTE present", 0, 0, TDH_DMAR_ADD, 0,
	  { .rcx = PTE_IDX, .rdx = PASIDTE0 | TDX_DMAR_PASIDTE_PRESENT, .r8 = PASIDTE1 },
	  INVALID(RDX) },
	{ "DMAR.ADD a PASIDTE not write-back", 0, 0, TDH_DMAR_ADD, 0,
	  { .rcx = PTE_IDX, .rdx = PASIDTE0, .r8 = PASIDTE1 ^ BIT_ULL(27) }, INVALID(R8) },
	{ "DMAR.ADD a PASIDTE with a domain", 0, 0, TDH_DMAR_ADD, 0,
	  { .rcx = PTE_IDX, .rdx = PASIDTE0, .r8 = PASIDTE1 | 1 }, INVALID(R8) },
	{ "DMAR.ADD a CTE without its RTE", 0, 0, TDH_DMAR_ADD, 0,
	  { .rcx = CTE_IDX, .rdx = TABLE(PG_PD) }, OPND(TDX_DMAR_ENTRY_NOT_PRESENT, RCX) },
	{ "DMAR.ADD a PASIDTE of another PASID", S_DMA, 0, TDH_DMAR_ADD, 0,
	  { .rcx = DMAR_IDX_P(TEST_FUNC, TDX_DMAR_LEVEL_PASIDTE, 1), .rdx = PASIDTE0,
	    .r8 = PASIDTE1 }, INVALID(RCX) },
	{ "DMAR.ADD twice", S_DMA, 0, TDH_DMAR_ADD, 0,
	  { .rcx = CTE_IDX, .rdx = TABLE(PG_SPARE) },
	  OPND(TDX_DMAR_INVALID_MAPPING_STATE, RCX) },
	{ "DMAR.ADD a table page the module owns", S_MT, 0, TDH_DMAR_ADD, 0,
	  { .rcx = RTE_IDX, .rdx = TABLE(PG_MT) }, OPND(TDX_PAGE_METADATA_INCORRECT, RDX) },
	{ "DMAR.BLOCK of no entry", 0, 0, TDH_DMAR_BLOCK, 0,
	  { .rcx = RTE_IDX }, OPND(TDX_DMAR_INVALID_MAPPING_STATE, RCX) },
	{ "DMAR.BLOCK an RTE with a CTE below", S_DMA, 0, TDH_DMAR_BLOCK, 0,
	  { .rcx = RTE_IDX }, OPND(TDX_DMAR_INVALID_MAPPING_STATE, RCX) },
	{ "DMAR.BLOCK a PASIDTE of no TDI", S_DMA, 0, TDH_DMAR_BLOCK, 0,
	  { .rcx = PTE_IDX }, OPND(TDX_DEVIFMT_NOT_PRESENT, RCX) },
	{ "DMAR.BLOCK twice", S_ALL | S_BLOCKED, 0, TDH_DMAR_BLOCK, 0,
	  { .rcx = PTE_IDX }, OPND(TDX_DMAR_INVALID_MAPPING_STATE, RCX) },
	{ "DMAR.REMOVE not blocked", S_DMA, 0, TDH_DMAR_REMOVE, 0,
	  { .rcx = PTE_IDX }, OPND(TDX_DMAR_INVALID_MAPPING_STATE, RCX) },
	{ "DMAR.REMOVE before its invalidation", S_ALL | S_BLOCKED, 0, TDH_DMAR_REMOVE, 0,
	  { .rcx = PTE_IDX }, OPND(TDX_DMAR_INVALID_INV_STATE, RCX) },
	{ "DMAR.READ below a CTE not present", 0, 0, TDH_DMAR_READ, 0,
	  { .rcx = PDE_IDX }, OPND(TDX_DMAR_ENTRY_NOT_PRESENT, RCX) },
	/* IQ.INV.REQUEST, IQ.INV.PROCESS (tdh_iq_inv_request.c, tdh_iq_inv_process.c) */
	{ "IQ.INV.REQUEST IOMMU not set up", S_ALL | S_BLOCKED, 0, TDH_IQ_INV_REQUEST, 0,
	  { IQ_ARGS_X(TEST_IOMMU - 1, TDX_IQ_INV_PASIDTE, TEST_FUNC, IQ_WAIT0, PG(PG_STATUS), 0) },
	  INVALID(RCX) },
	{ "IQ.INV.REQUEST IOTLB type", S_ALL | S_BLOCKED, 0, TDH_IQ_INV_REQUEST, 0,
	  { IQ_ARGS(TDX_IQ_INV_IOTLB, TEST_FUNC) }, INVALID(RDX) },
	{ "IQ.INV.REQUEST pool size", S_ALL | S_BLOCKED, 0, TDH_IQ_INV_REQUEST, 0,
	  { IQ_ARGS(TDX_IQ_INV_PASIDTE | FIELD_PREP_CONST(TDX_IQ_INV_POOL_SIZE, 1),
		    TEST_FUNC) }, INVALID(RDX) },
	{ "IQ.INV.REQUEST subject reserved bits", S_ALL | S_BLOCKED, 0, TDH_IQ_INV_REQUEST, 0,
	  { IQ_ARGS(TDX_IQ_INV_PASIDTE, TEST_FUNC | BIT_ULL(16)) },
	  INVALID(R8) },
	{ "IQ.INV.REQUEST an entry not blocked", S_ALL, 0, TDH_IQ_INV_REQUEST, 0,
	  { IQ_ARGS(TDX_IQ_INV_PASIDTE, TEST_FUNC) }, OPND(TDX_DMAR_INVALID_MAPPING_STATE, R8) },
	{ "IQ.INV.REQUEST an entry below none", S_ALL | S_BLOCKED, 0, TDH_IQ_INV_REQUEST, 0,
	  { IQ_ARGS(TDX_IQ_INV_PASIDTE, TEST_FUNC2) }, OPND(TDX_DMAR_ENTRY_NOT_PRESENT, R8) },
	{ "IQ.INV.REQUEST an entry done already", S_ALL | S_BLOCKED | S_INV, 0,
	  TDH_IQ_INV_REQUEST, 0, { IQ_ARGS(TDX_IQ_INV_PASIDTE, TEST_FUNC) },
	  OPND(TDX_DMAR_INVALID_INV_STATE, R8) },
	{ "IQ.INV.REQUEST wait without FN", S_ALL | S_BLOCKED, 0, TDH_IQ_INV_REQUEST, 0,
	  { IQ_ARGS_X(TEST_IOMMU, TDX_IQ_INV_PASIDTE, TEST_FUNC, IQ_WAIT0 & ~TDX_IQ_WAIT_FN,
		      PG(PG_STATUS), 0) },
	  INVALID(R9) },
	{ "IQ.INV.REQUEST wait of another type", S_ALL | S_BLOCKED, 0, TDH_IQ_INV_REQUEST, 0,
	  { IQ_ARGS_X(TEST_IOMMU, TDX_IQ_INV_PASIDTE, TEST_FUNC, IQ_WAIT0 + 1, PG(PG_STATUS), 0) },
	  INVALID(R9) },
	{ "IQ.INV.REQUEST misaligned status", S_ALL | S_BLOCKED, 0, TDH_IQ_INV_REQUEST, 0,
	  { IQ_ARGS_X(TEST_IOMMU, TDX_IQ_INV_PASIDTE, TEST_FUNC, IQ_WAIT0, PG(PG_STATUS) + 2, 0) },
	  INVALID(R10) },
	{ "IQ.INV.REQUEST private status", S_ALL | S_BLOCKED, 0, TDH_IQ_INV_REQUEST, 0,
	  { IQ_ARGS_X(TEST_IOMMU, TDX_IQ_INV_PASIDTE, TEST_FUNC, IQ_WAIT0,
		      PG(PG_STATUS) | BIT_ULL(63), 0) },
	  INVALID(R10) },
	{ "IQ.INV.REQUEST R11 set", S_ALL | S_BLOCKED, 0, TDH_IQ_INV_REQUEST, 0,
	  { IQ_ARGS_X(TEST_IOMMU, TDX_IQ_INV_PASIDTE, TEST_FUNC, IQ_WAIT0, PG(PG_STATUS), 1) },
	  INVALID(R11) },
	{ "IQ.INV.PROCESS IOMMU not set up", 0, 0, TDH_IQ_INV_PROCESS, 0,
	  { .rcx = TEST_IOMMU + 1 }, INVALID(RCX) },
	/* MMIOMT (tdh_mmio_mt_add.c, _set.c, _remove.c, _rd.c, mmiomt.c) */
	{ "MMIOMT.ADD level 0", 0, 0, TDH_MMIOMT_ADD, 0,
	  { .rcx = MMIOMT_IDX(TEST_MMIO, TDX_MMIOMT_LEVEL_4K), .rdx = PG(PG_MM4) },
	  INVALID(RCX) },
	{ "MMIOMT.ADD level 6", 0, 0, TDH_MMIOMT_ADD, 0,
	  { .rcx = MMIOMT_IDX(TEST_MMIO, 6), .rdx = PG(PG_MM4) }, INVALID(RCX) },
	{ "MMIOMT.ADD reserved bits", 0, 0, TDH_MMIOMT_ADD, 0,
	  { .rcx = MMIOMT_IDX(TEST_MMIO, TDX_MMIOMT_LEVEL_ROOT) | BIT_ULL(63),
	    .rdx = PG(PG_MM4) }, INVALID(RCX) },
	{ "MMIOMT.ADD level 1 without levels 5 to 2", 0, 0, TDH_MMIOMT_ADD, 0,
	  { .rcx = MMIOMT_IDX(TEST_MMIO, TDX_MMIOMT_LEVEL_2M), .rdx = PG(PG_MMIOMT) },
	  OPND(TDX_MMIOMT_NOT_PRESENT, RCX) },
	{ "MMIOMT.ADD twice", S_MT | S_CREATED | S_MMIO, 0, TDH_MMIOMT_ADD, 0,
	  { .rcx = MMIOMT_IDX(TEST_MMIO, TDX_MMIOMT_LEVEL_2M), .rdx = PG(PG_SPARE) },
	  OPND(TDX_MMIO_INVALID_PAGE_METADATA, RCX) },
	{ "MMIOMT.ADD page the module owns", S_MT, 0, TDH_MMIOMT_ADD, 0,
	  { .rcx = MMIOMT_IDX(TEST_MMIO, TDX_MMIOMT_LEVEL_ROOT), .rdx = PG(PG_MT) },
	  OPND(TDX_PAGE_METADATA_INCORRECT, RDX) },
	{ "MMIOMT.ADD below a 2M DATA entry", S_MT | S_CREATED | S_MMIO, 0, TDH_MMIOMT_ADD, 0,
	  { .rcx = MMIOMT_IDX(TEST_MMIO2M, TDX_MMIOMT_LEVEL_2M), .rdx = PG(PG_SPARE) },
	  OPND(TDX_MMIO_INVALID_PAGE_METADATA, RCX), T_DATA_2M },
	{ "MMIOMT.SET without its page", S_MT | S_CREATED, 0, TDH_MMIOMT_SET, 0,
	  { .rcx = MMIOMT_IDX(TEST_MMIO, TDX_MMIOMT_LEVEL_4K), .rdx = MMIO_DATA(TEST_FUNC) },
	  OPND(TDX_MMIOMT_NOT_PRESENT, RCX) },
	{ "MMIOMT.SET past the first 512K of a 2M region", S_MT | S_CREATED | S_MMIO, 0,
	  TDH_MMIOMT_SET, 0,
	  { .rcx = MMIOMT_IDX(TEST_MMIO + SZ_512K, TDX_MMIOMT_LEVEL_4K),
	    .rdx = MMIO_DATA(TEST_FUNC) }, OPND(TDX_MMIOMT_NOT_PRESENT, RCX) },
	{ "MMIOMT.SET level 3", S_MT | S_CREATED | S_MMIO, 0, TDH_MMIOMT_SET, 0,
	  { .rcx = MMIOMT_IDX(TEST_MMIO, 3), .rdx = MMIO_DATA(TEST_FUNC) }, INVALID(RCX) },
	{ "MMIOMT.SET 2M DATA over a page", S_MT | S_CREATED | S_MMIO, 0, TDH_MMIOMT_SET, 0,
	  { .rcx = MMIOMT_IDX(TEST_MMIO, TDX_MMIOMT_LEVEL_2M), .rdx = MMIO_DATA(TEST_FUNC) },
	  OPND(TDX_MMIO_INVALID_PAGE_METADATA, MMIOMT) },
	{ "MMIOMT.SET to no TDI", S_MT | S_CREATED | S_MMIO, 0, TDH_MMIOMT_SET, 0,
	  { .rcx = MMIOMT_IDX(TEST_MMIO + PAGE_SIZE, TDX_MMIOMT_LEVEL_4K),
	    .rdx = MMIO_DATA(TEST_FUNC2) }, OPND(TDX_DEVIFMT_NOT_PRESENT, RDX) },
	{ "MMIOMT.SET data without a function", S_MT | S_CREATED | S_MMIO, 0,
	  TDH_MMIOMT_SET, 0, { .rcx = MMIOMT_IDX(TEST_MMIO, TDX_MMIOMT_LEVEL_4K),
	  .rdx = FIELD_PREP_CONST(TDX_MMIOMT_SET_TYPE, TDX_MMIOMT_TYPE_DATA) }, INVALID(RDX) },
	{ "MMIOMT.SET release with a function", S_MT | S_CREATED | S_MMIO, 0,
	  TDH_MMIOMT_SET, 0, { .rcx = MMIOMT_IDX(TEST_MMIO, TDX_MMIOMT_LEVEL_4K),
	  .rdx = MMIO_QNODE | FIELD_PREP_CONST(TDX_MMIOMT_SET_FUNC_ID, TEST_FUNC) }, INVALID(RDX) },
	{ "MMIOMT.SET reserved bits", S_MT | S_CREATED | S_MMIO, 0, TDH_MMIOMT_SET, 0,
	  { .rcx = MMIOMT_IDX(TEST_MMIO, TDX_MMIOMT_LEVEL_4K),
	    .rdx = MMIO_DATA(TEST_FUNC) | BIT_ULL(2) }, INVALID(RDX) },
	{ "MMIOMT.SET data twice", S_MT | S_CREATED | S_MMIO, 0, TDH_MMIOMT_SET, 0,
	  { .rcx = MMIOMT_IDX(TEST_MMIO, TDX_MMIOMT_LEVEL_4K), .rdx = MMIO_DATA(TEST_FUNC) },
	  OPND(TDX_MMIO_INVALID_PAGE_METADATA, MMIOMT) },
	{ "MMIOMT.SET release while mapped", S_MT | S_CREATED | S_MMIO | S_MAPPED, 0,
	  TDH_MMIOMT_SET, 0, { .rcx = MMIOMT_IDX(TEST_MMIO, TDX_MMIOMT_LEVEL_4K),
	  .rdx = MMIO_QNODE }, OPND(TDX_MMIO_INVALID_PAGE_METADATA, MMIOMT) },
	{ "MMIOMT.SET release of MMIO not given", S_MT | S_CREATED | S_MMIO, 0,
	  TDH_MMIOMT_SET, 0, { .rcx = MMIOMT_IDX(TEST_MMIO + PAGE_SIZE, TDX_MMIOMT_LEVEL_4K),
	  .rdx = MMIO_QNODE }, OPND(TDX_MMIO_INVALID_PAGE_METADATA, MMIOMT) },
	{ "MMIOMT.REMOVE while MMIO is given", S_MT | S_CREATED | S_MMIO, 0,
	  TDH_MMIOMT_REMOVE, 0, { .rcx = MMIOMT_IDX(TEST_MMIO, TDX_MMIOMT_LEVEL_2M) },
	  OPND(TDX_MMIO_INVALID_PAGE_METADATA, RCX) },
	{ "MMIOMT.REMOVE of a page with a page below", S_MT | S_CREATED | S_MMIO, 0,
	  TDH_MMIOMT_REMOVE, 0, { .rcx = MMIOMT_IDX(TEST_MMIO, TDX_MMIOMT_LEVEL_1G) },
	  OPND(TDX_MMIO_INVALID_PAGE_METADATA, RCX) },
	{ "MMIOMT.REMOVE of no page", 0, 0, TDH_MMIOMT_REMOVE, 0,
	  { .rcx = MMIOMT_IDX(TEST_MMIO, TDX_MMIOMT_LEVEL_ROOT) },
	  OPND(TDX_MMIO_INVALID_PAGE_METADATA, RCX) },
	{ "MMIOMT.RD below no page", 0, 0, TDH_MMIOMT_RD, 0,
	  { .rcx = MMIOMT_IDX(TEST_MMIO, TDX_MMIOMT_LEVEL_4K) },
	  OPND(TDX_MMIOMT_NOT_PRESENT, RCX) },
	/* MMIO (tdh_mmio_map.c, tdh_mmio_block.c, tdh_mmio_unmap.c) */
	{ "MMIO.MAP of MMIO not given", S_MT | S_CREATED | S_MMIO, 0, TDH_MMIO_MAP, 0,
	  { .rcx = TEST_GPA, .rdx = TEST_VM, .r8 = TEST_MMIO + PAGE_SIZE },
	  OPND(TDX_MMIO_INVALID_PAGE_METADATA, RCX) },
	{ "MMIO.MAP into another TD", S_MT | S_CREATED | S_MMIO, 0, TDH_MMIO_MAP, 0,
	  { .rcx = TEST_GPA, .rdx = TEST_VM2, .r8 = TEST_MMIO },
	  OPND(TDX_MMIO_DEVIF_OWNER_MISMATCH, RDX) },
	{ "MMIO.MAP with the stream blocked", S_MT | S_CREATED | S_MMIO, 0, TDH_MMIO_MAP, 0,
	  { .rcx = TEST_GPA, .rdx = TEST_VM, .r8 = TEST_MMIO },
	  OPND(TDX_IDE_STREAM_BLOCKED, R8), T_STREAM_BLOCKED },
	{ "MMIO.MAP 2M", S_MT | S_CREATED | S_MMIO, 0, TDH_MMIO_MAP, 0,
	  { .rcx = TEST_GPA | FIELD_PREP_CONST(TDX_GPA_INFO_LEVEL, TDX_MMIOMT_LEVEL_2M),
	    .rdx = TEST_VM, .r8 = TEST_MMIO }, INVALID(RCX) },
	{ "MMIO.MAP misaligned MMIO", S_MT | S_CREATED | S_MMIO, 0, TDH_MMIO_MAP, 0,
	  { .rcx = TEST_GPA, .rdx = TEST_VM, .r8 = TEST_MMIO + 8 }, INVALID(R8) },
	{ "MMIO.MAP twice", S_MT | S_CREATED | S_MMIO | S_MAPPED, 0, TDH_MMIO_MAP, 0,
	  { .rcx = TEST_GPA, .rdx = TEST_VM, .r8 = TEST_MMIO },
	  OPND(TDX_EPT_ENTRY_STATE_INCORRECT, RCX) },
	{ "MMIO.UNMAP not blocked", S_MT | S_CREATED | S_MMIO | S_MAPPED, 0, TDH_MMIO_UNMAP, 0,
	  { .rcx = TEST_GPA, .rdx = TEST_VM }, OPND(TDX_GPA_RANGE_NOT_BLOCKED, RCX) },
	{ "MMIO.UNMAP not mapped", S_MT | S_CREATED | S_MMIO, 0, TDH_MMIO_UNMAP, 0,
	  { .rcx = TEST_GPA, .rdx = TEST_VM }, OPND(TDX_EPT_WALK_FAILED, RCX) },
	{ "MMIO.BLOCK twice", S_ALL | S_BLOCKED, 0, TDH_MMIO_BLOCK, 0,
	  { .rcx = TEST_GPA, .rdx = TEST_VM }, OPND(TDX_EPT_ENTRY_STATE_INCORRECT, RCX) },
	/* Leaves and versions the fake does not know */
	{ "version 1", S_MT, 0, TDH_DEVIFMT_RD, 1,
	  { .rcx = DEVIFMT_IDX(TEST_FUNC) }, INVALID(RAX) },
	{ "unknown leaf", 0, 0, TDH_DEVIF_RESPONSE + 1, 0, {}, INVALID(RAX) },
};

static void refusal_desc(const struct refusal *r, char *desc)
{
	strscpy(desc, r->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(refusal, refusals, refusal_desc);

static void fake_refuses_raw_registers_with_the_module_status(struct kunit *test)
{
	const struct refusal *r = test->param_value;
	struct tdi_env *env = tdi_env(test);
	struct tdi_snapshot before, after;
	u8 *rsp;

	tdi_setup(test, env, r->stages);
	if (r->tdisp_state)
		tdx_fake_tdi_set_state(env->ft, TEST_FUNC, r->tdisp_state);
	tdi_apply_tweak(test, env, r->tweak);
	/* A response page that answers no request: the request echoed back */
	rsp = page_address(env->pg[PG_RSP]);
	memcpy(rsp, page_address(env->pg[PG_REQ]), TDX_FAKE_TDISP_OBJ_SIZE);

	tdi_snapshot(env, &before);
	KUNIT_EXPECT_EQ(test, tdi_raw_call(env, r->leaf, r->version, &r->in, NULL), r->status);
	tdi_snapshot(env, &after);
	KUNIT_EXPECT_EQ(test, before.digest, after.digest);
	KUNIT_EXPECT_EQ(test, before.nr_owned, after.nr_owned);
	KUNIT_EXPECT_EQ(test, env->ft->log[env->ft->nr_log - 1], r->leaf);
}

static struct kunit_case tdx_tdi_fake_test_cases[] = {
	KUNIT_CASE_PARAM(fake_refuses_raw_registers_with_the_module_status, refusal_gen_params),
	{}
};

static struct kunit_suite tdx_tdi_fake_test_suite = {
	.name = "tdx_tdi_fake",
	.test_cases = tdx_tdi_fake_test_cases,
};

kunit_test_suite(tdx_tdi_fake_test_suite);
