/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The page model of the fake TDX module for KUnit: the pages the module
 * owns, the kernel's cache lines of the pages it reads, and their
 * write-back with the global KeyID.  Only for tests.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */
#ifndef _TDX_FAKE_PAGES_H
#define _TDX_FAKE_PAGES_H

#include <linux/types.h>

#include "tdx_fake_state.h"

/* Owners recorded in the PAMT-like map */
#define TDX_FAKE_OWNER_POOL	1
#define TDX_FAKE_OWNER_OTHER	2	/* taken by an other_leaf handler */
#define TDX_FAKE_OWNER_IOMMU	3	/* + index of the VT-d unit */

/* Bits every page HPA entry must have 0: 11:0 and above bit 51. */
#define TDX_FAKE_HPA_RSVD	(GENMASK_ULL(11, 0) | GENMASK_ULL(63, 52))

/* The fake the current test installed, NULL when none is. */
extern struct tdx_fake_module *tdx_fake_current;

/* A status with the ID of the operand it is about. */
static inline u64 tdx_fake_operand(u64 status, u64 operand)
{
	return status | operand;
}

/* For tdx_fake_module.c */
struct tdx_fake_module *tdx_fake_pages_install(struct kunit *test);
void tdx_fake_pages_reset(struct tdx_fake_module *fake);
bool tdx_fake_page_exists(u64 hpa);
bool tdx_fake_page_owned(struct tdx_fake_module *fake, u64 hpa);
u64 tdx_fake_own(struct tdx_fake_module *fake, u64 hpa, unsigned int owner,
		 unsigned int order);
void tdx_fake_disown(struct tdx_fake_module *fake, u64 hpa, unsigned int order);
bool tdx_fake_page_released(struct tdx_fake_module *fake, u64 hpa);

/* For the tests and the fakes of more leaves */
__printf(2, 3) void tdx_fake_report_violation(struct tdx_fake_module *fake,
					      const char *fmt, ...);
bool tdx_fake_owns(struct tdx_fake_module *fake, u64 hpa);
bool tdx_fake_released(struct tdx_fake_module *fake, u64 hpa);
bool tdx_fake_check_flushed(struct tdx_fake_module *fake, const char *what,
			    u64 hpa, u64 size);
bool tdx_fake_check_cleared(struct tdx_fake_module *fake, u64 hpa);
void tdx_fake_check_frees(struct tdx_fake_module *fake);
unsigned long tdx_fake_nr_owned(struct tdx_fake_module *fake);

#endif /* _TDX_FAKE_PAGES_H */
