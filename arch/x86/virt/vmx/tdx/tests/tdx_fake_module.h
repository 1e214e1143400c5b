/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A fake TDX module for KUnit: the SEAMCALLs made with tdx_seamcall_ver()
 * go to it instead of SEAM.  Only for tests; shared by the suites of
 * arch/x86/virt/vmx/tdx and drivers/virt/coco/tdx-host.  Its state is in
 * tdx_fake_state.h, its page model in tdx_fake_pages.h.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */
#ifndef _TDX_FAKE_MODULE_H
#define _TDX_FAKE_MODULE_H

#include <linux/types.h>

#include "tdx_fake_pages.h"
#include "tdx_fake_state.h"

struct kunit;

struct tdx_fake_module *tdx_fake_module_install(struct kunit *test);
void tdx_fake_module_reset(struct tdx_fake_module *fake);
int tdx_fake_add_iommu(struct tdx_fake_module *fake, u64 vtbar, bool tdx_capable);
bool tdx_fake_is_ext_leaf(u16 leaf);
u64 tdx_fake_take(struct tdx_fake_module *fake, u64 hpa, unsigned int order);
void tdx_fake_give_back(struct tdx_fake_module *fake, u64 hpa);
void tdx_fake_untake(struct tdx_fake_module *fake, u64 hpa);
unsigned int tdx_fake_calls(const struct tdx_fake_module *fake, u16 leaf);

#endif /* _TDX_FAKE_MODULE_H */
