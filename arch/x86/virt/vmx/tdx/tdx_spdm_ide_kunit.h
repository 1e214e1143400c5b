/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The internals of tdx_spdm_ide.c that its KUnit suites redirect or call:
 * VISIBLE_IF_KUNIT, so static in a kernel without KUnit.
 */
#ifndef _TDX_SPDM_IDE_KUNIT_H
#define _TDX_SPDM_IDE_KUNIT_H

#include <asm/tdx_spdm_ide.h>

#if IS_ENABLED(CONFIG_KUNIT)
bool tdx_spdm_ide_locked(void);
#endif

#endif /* _TDX_SPDM_IDE_KUNIT_H */
