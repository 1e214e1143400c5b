/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The trusted DMA remapping of the fake TDI lifecycle leaves for KUnit:
 * DMAR entries and the invalidation queues of the fake IOMMUs
 * (tdx_fake_tdi_dmar.c).  Only for tests.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */
#ifndef _TDX_FAKE_TDI_DMAR_H
#define _TDX_FAKE_TDI_DMAR_H

#include <linux/types.h>

#include "tdx_fake_tdi_state.h"

struct tdx_module_args;
struct work_struct;

u64 tdx_fake_tdi_dmar_leaf(struct tdx_fake_tdi *ft, u16 leaf, struct tdx_module_args *args);
void tdx_fake_tdi_iq_work(struct work_struct *work);
unsigned int tdx_fake_tdi_nr_dma(struct tdx_fake_tdi *ft, u32 func_id);
u64 tdx_fake_tdi_accept_dma(struct tdx_fake_tdi *ft, u64 pasidte_idx);

#endif /* _TDX_FAKE_TDI_DMAR_H */
