/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The internals of tdx_handoff.c that its KUnit suites redirect or call:
 * VISIBLE_IF_KUNIT, so static in a kernel without KUnit.
 */
#ifndef _TDX_HANDOFF_KUNIT_H
#define _TDX_HANDOFF_KUNIT_H

#include <asm/tdx_handoff.h>

#if IS_ENABLED(CONFIG_KUNIT)
u64 *tdx_handoff_alloc_root(void);
#endif

#endif /* _TDX_HANDOFF_KUNIT_H */
