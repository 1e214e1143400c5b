/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers shared by the tdx-host KUnit suites: the VT-d units of the fake
 * TDX module, and stand-ins for the VT-d driver and the IOMMU_MT block
 * allocator that record what tdx-host asks of them.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

#ifndef _TDX_HOST_TEST_UNITS_H
#define _TDX_HOST_TEST_UNITS_H

#include <linux/types.h>

#include "tests/tdx_fake_module.h"

struct kunit;
struct page;

/* Three blocks per IOMMU_MT (two queues and the root page), per unit */
#define TDX_HOST_TEST_MAX_BLOCKS	(3 * TDX_FAKE_MAX_IOMMUS)

/**
 * struct tdx_host_test_units - The VT-d units of a test, and what was asked of them
 * @fake: the fake TDX module that has the units
 * @reg_bases: the register base of each unit, in the order of @fake's units
 * @nr_units: entries of @reg_bases
 * @reserved: units whose upper domain IDs are left to the module (bit per unit)
 * @busy_units: units whose reservation fails with -EBUSY (bit per unit)
 * @nr_out_of_order: reservations of a unit set up or reserved already, and
 *	unreservations of one still set up or not reserved
 * @fail_block: 1-based IOMMU_MT block allocation to fail, 0 for none
 * @nr_blocks: IOMMU_MT blocks allocated
 * @block: the blocks allocated, in order
 * @block_order: the order of each of @block
 */
struct tdx_host_test_units {
	struct tdx_fake_module *fake;
	const u64 *reg_bases;
	unsigned int nr_units;

	unsigned long reserved;
	unsigned long busy_units;
	unsigned int nr_out_of_order;

	unsigned int fail_block;
	unsigned int nr_blocks;
	struct page *block[TDX_HOST_TEST_MAX_BLOCKS];
	unsigned int block_order[TDX_HOST_TEST_MAX_BLOCKS];
};

int tdx_host_test_add(struct kunit *test, const char *name, void *data);
void *tdx_host_test_find(const char *name);

unsigned long tdx_host_test_set_up_units(const struct tdx_fake_module *fake);
struct tdx_host_test_units *tdx_host_test_units_install(struct kunit *test,
							struct tdx_fake_module *fake,
							const u64 *reg_bases,
							unsigned int nr_units);
void tdx_host_test_units_stub_dids(struct kunit *test);
void tdx_host_test_units_stub_blocks(struct kunit *test);

#endif /* _TDX_HOST_TEST_UNITS_H */
