/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The metadata tables of the fake TDI lifecycle leaves for KUnit: DEVIFMT,
 * MMIOMT and the MMIO mappings of TDIs (tdx_fake_tdi_mt.c).  Only for
 * tests.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */
#ifndef _TDX_FAKE_TDI_MT_H
#define _TDX_FAKE_TDI_MT_H

#include <linux/types.h>

#include "tdx_fake_tdi_state.h"

struct tdx_module_args;

u64 tdx_fake_tdi_devifmt_entry(struct tdx_fake_tdi *ft, u64 func_id, unsigned int level);
u64 tdx_fake_tdi_devifmt_walk(struct tdx_fake_tdi *ft, u64 func_id, unsigned int level,
			      u64 operand);
u64 tdx_fake_tdi_mt_leaf(struct tdx_fake_tdi *ft, u16 leaf, struct tdx_module_args *args);
unsigned int tdx_fake_tdi_nr_mmio(struct tdx_fake_tdi *ft, u32 func_id);

#endif /* _TDX_FAKE_TDI_MT_H */
