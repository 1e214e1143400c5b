/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the tdx_tdi suites share: the operands they name the test's TDI,
 * IOMMU, stream and pages with, and an environment of the fake TDX module
 * with its SPDM and TDI leaves installed, as after connect, with setup
 * stages that bring the TDI's tables, DMA and MMIO up through the
 * wrappers.  Only for tests.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */
#ifndef _TDX_TDI_TEST_ENV_H
#define _TDX_TDI_TEST_ENV_H

#include <linux/bitfield.h>
#include <linux/bits.h>
#include <linux/types.h>

#include <asm/shared/tdx_errno.h>
#include <asm/tdx.h>
#include "tdx_fake_module.h"
#include "tdx_fake_spdm.h"
#include "tdx_fake_tdi.h"
#include <asm/tdx_tdi.h>

struct kunit;
struct page;

/* 0000:03:02.1 and another function on another bus */
#define TEST_FUNC	0x0311ULL
#define TEST_FUNC2	0x0500ULL
#define TEST_IOMMU	0x101ULL
#define TEST_STREAM	0x3ULL
/* The RIDs TEST_STREAM is associated with: bus 3 */
#define TEST_RID_BASE	0x0300
#define TEST_RID_LIMIT	0x03ff
#define TEST_VM		0x12345000ULL
#define TEST_VM2	0x23456000ULL
#define TEST_MMIO	0xfe001000ULL
#define TEST_GPA	(FIELD_PREP_CONST(TDX_GPA_INFO_GPA, PHYS_PFN(0x80000000ULL)) | \
			 FIELD_PREP_CONST(TDX_GPA_INFO_LEVEL, TDX_MMIOMT_LEVEL_4K))

#define DEVIFMT_IDX_L(func, l)	(FIELD_PREP_CONST(TDX_DEVIFMT_IDX_FUNC_ID, func) | \
				 FIELD_PREP_CONST(TDX_DEVIFMT_IDX_LEVEL, l))
/* The entry of level 1, which points to the TDI's level-0 page */
#define DEVIFMT_IDX(func)	DEVIFMT_IDX_L(func, 1)
#define DEVIF_ID(func)		(FIELD_PREP_CONST(TDX_DEVIF_ID_FUNC_ID, func) | \
				 FIELD_PREP_CONST(TDX_DEVIF_ID_IOMMU_ID, TEST_IOMMU) | \
				 FIELD_PREP_CONST(TDX_DEVIF_ID_STREAM_ID, TEST_STREAM))
#define DMAR_IDX(func, level)	DMAR_IDX_P(func, level, 0)
#define DMAR_IDX_P(func, level, pasid) \
				(FIELD_PREP_CONST(TDX_DMAR_IDX_IOMMU_ID, TEST_IOMMU) | \
				 FIELD_PREP_CONST(TDX_DMAR_IDX_PASID, pasid) | \
				 FIELD_PREP_CONST(TDX_DMAR_IDX_RID, (func) & TDX_FUNC_ID_RID) | \
				 FIELD_PREP_CONST(TDX_DMAR_IDX_LEVEL, level))
#define MMIOMT_IDX(pa, level)	(((pa) & TDX_MMIOMT_IDX_PA) | \
				 FIELD_PREP_CONST(TDX_MMIOMT_IDX_LEVEL, level))
#define MMIO_DATA(func)		(FIELD_PREP_CONST(TDX_MMIOMT_SET_TYPE, TDX_MMIOMT_TYPE_DATA) | \
				 FIELD_PREP_CONST(TDX_MMIOMT_SET_FUNC_ID, func))
#define MMIO_QNODE		FIELD_PREP_CONST(TDX_MMIOMT_SET_TYPE, TDX_MMIOMT_TYPE_QNODE)
#define REQ(code)		FIELD_PREP_CONST(TDX_DEVIF_REQ_CODE, code)

/* Pages of a test, named in register operands by PG(n) until resolved */
enum {
	/* DEVIFMT pages of levels 3 to 0 (PG_MT: the TDI's level-0 page) */
	PG_MT3, PG_MT2, PG_MT1, PG_MT,
	PG_CS, PG_TD, PG_VMM,
	/* MMIOMT pages of levels 4 to 0 (PG_MMIOMT: TEST_MMIO's level 0) */
	PG_MM4, PG_MM3, PG_MM2, PG_MM1, PG_MMIOMT,
	/* The context table, PASID directory and PASID table of TEST_FUNC */
	PG_CT, PG_PD, PG_PT,
	PG_REQ, PG_RSP, PG_OUT, PG_SPARE, PG_SPARE2,
	/* Shared: where the IOMMU writes invalidation status */
	PG_STATUS,
	NR_PG
};

#define PG_MARK		GENMASK_ULL(62, 57)
#define PG_IDX		GENMASK_ULL(56, 52)
#define PG(n)		(PG_MARK | FIELD_PREP_CONST(PG_IDX, n))

/**
 * struct fake_tap - What the fake TDI leaves received and returned
 * @fake_leaf: the fake's own other_leaf hook, which the tap calls
 * @nr: calls that went through the tap
 * @leaf: leaf of the last call
 * @version: its version
 * @in: the registers it came with
 * @out: the registers it went back with
 * @status: the status the fake returned
 */
struct fake_tap {
	u64 (*fake_leaf)(struct tdx_fake_module *fake, u16 leaf, u8 version,
			 struct tdx_module_args *args);
	unsigned int nr;
	u16 leaf;
	u8 version;
	struct tdx_module_args in;
	struct tdx_module_args out;
	u64 status;
};

struct tdi_env {
	struct tdx_fake_module *fake;
	struct tdx_fake_spdm *fs;
	struct tdx_fake_tdi *ft;
	struct page *pg[NR_PG];
	unsigned int nr_reports;
	struct fake_tap tap;
};

/* Setup stages, applied in this order */
#define S_MT		BIT(0)	/* DEVIFMT levels 4 to 1 of TEST_FUNC */
#define S_CREATED	BIT(1)	/* TEST_FUNC assigned to TEST_VM */
#define S_MMIO		BIT(2)	/* MMIOMT levels 5 to 1 of TEST_MMIO, given to it */
#define S_DMA		BIT(3)	/* RTE, CTE, PDE and a PENDING PASIDTE for its RID */
#define S_ACCEPT	BIT(4)	/* the TD accepted the PASIDTE */
#define S_MAPPED	BIT(5)	/* TEST_MMIO mapped at TEST_GPA */
#define S_LOCKED	BIT(6)	/* TDISP LOCK done */
#define S_PENDING	BIT(7)	/* a TDISP STATE request outstanding */
#define S_BLOCKED	BIT(8)	/* the PASIDTE and the MMIO mapping blocked */
#define S_INV		BIT(9)	/* the PASIDTE's invalidation done */

#define RTE_IDX		DMAR_IDX(TEST_FUNC, TDX_DMAR_LEVEL_RTE)
#define CTE_IDX		DMAR_IDX(TEST_FUNC, TDX_DMAR_LEVEL_CTE)
#define PDE_IDX		DMAR_IDX(TEST_FUNC, TDX_DMAR_LEVEL_PDE)
#define PTE_IDX		DMAR_IDX(TEST_FUNC, TDX_DMAR_LEVEL_PASIDTE)
/* Another 2 MiB region in the 256 MiB of TEST_MMIO's level-1 page */
#define TEST_MMIO2M	0xfe200000ULL

/* A PASIDTE as the host adds it, qwords 0 and 1 */
#define PASIDTE0	(TDX_DMAR_PASIDTE_SLEE | \
			 FIELD_PREP_CONST(TDX_DMAR_PASIDTE_PGTT, TDX_DMAR_PASIDTE_PGTT_SL))
#define PASIDTE1	(TDX_DMAR_PASIDTE1_PWSNP | TDX_DMAR_PASIDTE1_PGSNP | \
			 TDX_DMAR_PASIDTE1_EMTE | \
			 FIELD_PREP_CONST(TDX_DMAR_PASIDTE1_EMT, TDX_DMAR_PASIDTE1_EMT_WB))
/* An RTE, CTE (one PASID directory page) or PDE pointing to a PG() page */
#define TABLE(pg)	(PG(pg) | TDX_DMAR_ENTRY_PRESENT)
/* The status data of the test's invalidation wait descriptors */
#define TEST_IQ_DATA	0x600dULL

/* Changes to the fake's state after setup, for what bind cannot reach */
enum tweak {
	T_NONE,
	T_STREAM_UNKEYED,
	T_STREAM_BLOCKED,
	T_SESSION_DOWN,
	T_NO_STREAM,
	T_STREAM_NARROW,
	T_DATA_2M,
};

#define OPND(status, id)	((status) | TDX_OPERAND_ID_##id)
#define INVALID(id)		OPND(TDX_OPERAND_INVALID, id)
#define CREATE_ARGS(func)	.rcx = DEVIF_ID(func), .rdx = TEST_VM, .r8 = PG(PG_CS), \
				.r9 = PG(PG_TD), .r10 = PG(PG_VMM)
#define IQ_WAIT0		(FIELD_PREP_CONST(TDX_IQ_WAIT_TYPE, TDX_IQ_WAIT_TYPE_WAIT) | \
				 TDX_IQ_WAIT_SW | TDX_IQ_WAIT_FN)
#define IQ_ARGS_X(iommu, type, subject, wait, status, r11_) \
				.rcx = (iommu), .rdx = (type), .r8 = (subject), .r9 = (wait), \
				.r10 = (status), .r11 = (r11_)
#define IQ_ARGS(type, rid)	IQ_ARGS_X(TEST_IOMMU, type, rid, IQ_WAIT0, PG(PG_STATUS), 0)
#define S_ALL			(S_MT | S_CREATED | S_MMIO | S_DMA | S_MAPPED)

/* Everything of the fake's state but its log and counters */
struct tdi_snapshot {
	u64 digest;
	unsigned long nr_owned;
};

void tdi_expect_regs(struct kunit *test, const struct tdx_module_args *got,
		     const struct tdx_module_args *want);
struct tdi_env *tdi_env(struct kunit *test);
u64 tdi_resolve(const struct tdi_env *env, u64 v);
u64 tdi_raw_call(const struct tdi_env *env, u16 leaf, u8 version,
		 const struct tdx_module_args *in, struct tdx_module_args *out);
u64 tdi_devifmt_at(u64 func, unsigned int level);
u64 tdi_mmiomt_at(u64 pa, unsigned int level);
void tdi_tdisp_exchange(struct kunit *test, struct tdi_env *env, u64 func, u8 code);
struct tdx_dmar_entry *tdi_dmar_entry(const struct tdi_env *env, u64 qw0, u64 qw1);
u64 tdi_dmar_state(struct kunit *test, u64 idx, u64 field);
u64 tdi_inv_request(struct tdi_env *env, u64 idx);
bool tdi_iq_status_written(struct tdi_env *env);
void tdi_invalidate(struct kunit *test, struct tdi_env *env, u64 idx);
u64 tdi_remove_dmar(struct kunit *test, struct tdi_env *env, u64 idx);
void tdi_add_dma(struct kunit *test, struct tdi_env *env);
void tdi_setup(struct kunit *test, struct tdi_env *env, unsigned int stages);
void tdi_apply_tweak(struct kunit *test, struct tdi_env *env, enum tweak t);
void tdi_snapshot(struct tdi_env *env, struct tdi_snapshot *s);

#endif /* _TDX_TDI_TEST_ENV_H */
