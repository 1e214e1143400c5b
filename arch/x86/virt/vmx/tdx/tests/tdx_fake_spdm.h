/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SPDM sessions and IDE streams for the fake TDX module, and the device
 * end of them.  Only for tests.  The messages, the scripts and the state
 * are described in tdx_fake_spdm_device.h.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */
#ifndef _TDX_FAKE_SPDM_H
#define _TDX_FAKE_SPDM_H

#include "tdx_fake_spdm_device.h"

struct kunit;
struct tdx_fake_module;

struct tdx_fake_spdm *tdx_fake_spdm_install(struct kunit *test,
					    struct tdx_fake_module *fake);

#endif /* _TDX_FAKE_SPDM_H */
