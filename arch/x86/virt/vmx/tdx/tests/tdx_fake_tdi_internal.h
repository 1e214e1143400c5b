/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the parts of the fake TDI lifecycle leaves share: the checks of
 * operands they all make, the pages one call takes all or none, and the
 * lookups of the TDIs, IOMMUs and IDE streams of the model.  Only for the
 * fake's own files (tdx_fake_tdi*.c).
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */
#ifndef _TDX_FAKE_TDI_INTERNAL_H
#define _TDX_FAKE_TDI_INTERNAL_H

#include <linux/bitfield.h>
#include <linux/mm.h>
#include <linux/types.h>
#include <linux/xarray.h>

#include <asm/shared/tdx_errno.h>
#include "tdx_fake_module.h"
#include "tdx_fake_spdm.h"
#include "tdx_fake_tdi_state.h"
#include <asm/tdx_tdi.h>

/* Bits a page address operand must have 0 */
#define FAKE_PA_RSVD		(GENMASK_ULL(11, 0) | GENMASK_ULL(63, 52))
/* Bits a FUNCTION_ID must have 0; segments are not supported */
#define FAKE_FUNC_ID_BAD	(TDX_FUNC_ID_RSVD | TDX_FUNC_ID_SEGMENT_VALID | \
				 TDX_FUNC_ID_SEGMENT)
/* The IOMMU_ID of the fake module's VT-d unit i, as tdx_fake_module.c says */
#define FAKE_IOMMU_ID_BASE	0x100
/* The most pages one call takes: the PASID directory of a CTE */
#define FAKE_MAX_TAKE		32

static inline u64 op(u64 status, u64 operand)
{
	return status | operand;
}

static inline bool fake_pa_bad(u64 pa)
{
	return !pa || (pa & FAKE_PA_RSVD) || !pfn_valid(PHYS_PFN(pa));
}

/* Page frame numbers as xarray values, the tables' page pointers */
static inline void *fake_pa_val(u64 pa)
{
	return xa_mk_value(PHYS_PFN(pa));
}

static inline u64 fake_val_pa(void *v)
{
	return PFN_PHYS((u64)xa_to_value(v));
}

/* Whether @xa has an entry in [@first, @last] */
static inline bool fake_xa_any(struct xarray *xa, unsigned long first, unsigned long last)
{
	unsigned long i = first;

	return xa_find(xa, &i, last, XA_PRESENT);
}

/* The pages of one call, taken all or none */
struct fake_take {
	u64 pa[FAKE_MAX_TAKE];
	unsigned int nr;
};

static inline void fake_untake_all(struct tdx_fake_tdi *ft, struct fake_take *t)
{
	while (t->nr)
		tdx_fake_untake(ft->fake, t->pa[--t->nr]);
}

/* Take one more page; on a refusal, give back the ones taken already. */
static inline u64 fake_take(struct tdx_fake_tdi *ft, struct fake_take *t, u64 pa, u64 operand)
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
static inline struct tdx_fake_devif *fake_created(struct tdx_fake_tdi *ft, u64 func_id)
{
	if (func_id & FAKE_FUNC_ID_BAD)
		return NULL;
	return xa_load(&ft->devifs, func_id);
}

/* The fake module's VT-d unit of an IOMMU_ID, if TDH.IOMMU.SETUP set it up */
static inline int fake_iommu(struct tdx_fake_tdi *ft, u64 iommu_id)
{
	u64 i = iommu_id - FAKE_IOMMU_ID_BASE;

	if (iommu_id < FAKE_IOMMU_ID_BASE || i >= ft->fake->nr_iommus ||
	    !ft->fake->iommus[i].set_up)
		return -1;
	return i;
}

/* An IDE stream of the fake SPDM module, if that is installed */
static inline struct tdx_fake_spdm_stream *fake_stream(struct tdx_fake_tdi *ft, u8 stream_id)
{
	struct tdx_fake_spdm *fs = ft->fake->ext_priv;

	return fs ? tdx_fake_spdm_stream(fs, stream_id) : NULL;
}

/* The stream of a TDI is blocked, or gone (which takes blocking it first) */
static inline bool fake_stream_blocked(struct tdx_fake_tdi *ft, const struct tdx_fake_devif *d)
{
	struct tdx_fake_spdm_stream *s;

	s = fake_stream(ft, FIELD_GET(TDX_DEVIF_ID_STREAM_ID, d->devif_id));
	return !s || s->blocked;
}

#endif /* _TDX_FAKE_TDI_INTERNAL_H */
