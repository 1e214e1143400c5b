// SPDX-License-Identifier: GPL-2.0-only
/*
 * Helpers shared by the tdx-host KUnit suites: the VT-d units of the fake
 * TDX module, the VT-d driver's domain-ID reservation and the IOMMU_MT
 * block allocation, each stood in for by a recorder of the current test.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

#include <linux/bitops.h>
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/slab.h>

#include <kunit/resource.h>
#include <kunit/static_stub.h>
#include <kunit/test.h>

#include "tdx_iommu_mt_kunit.h"

#include "../tdx_host_iommu.h"
#include "tdx_host_test_units.h"

#define UNITS_RESOURCE	"tdx_host_test_units"

/**
 * tdx_host_test_add() - Keep a test's helper state under a name
 * @test: the test
 * @name: the name, one per kind of state
 * @data: the state, which must outlive @test's resources added after it
 *
 * The stand-ins that static stubs call have no argument for their state:
 * they find it with tdx_host_test_find().
 *
 * Context: Process context, in @test.
 * Return: 0, -ENOMEM, or -EEXIST if @test has state named @name already.
 */
int tdx_host_test_add(struct kunit *test, const char *name, void *data)
{
	struct kunit_resource *res = kunit_kzalloc(test, sizeof(*res), GFP_KERNEL);

	if (!res)
		return -ENOMEM;
	return kunit_add_named_resource(test, NULL, NULL, res, name, data);
}

/**
 * tdx_host_test_find() - Find the helper state of the current test
 * @name: the name given to tdx_host_test_add()
 *
 * Context: In the current test: its own thread, or a thread that has
 * set its current->kunit_test to it.
 * Return: the state, or NULL if there is none.
 */
void *tdx_host_test_find(const char *name)
{
	struct kunit_resource *res;
	void *data;

	res = kunit_find_named_resource(kunit_get_current_test(), name);
	if (!res)
		return NULL;
	data = res->data;
	kunit_put_resource(res);
	return data;
}

static struct tdx_host_test_units *units(void)
{
	return tdx_host_test_find(UNITS_RESOURCE);
}

static int unit_of(const struct tdx_host_test_units *u, u64 reg_base)
{
	unsigned int i;

	for (i = 0; i < u->nr_units; i++) {
		if (u->reg_bases[i] == reg_base)
			return i;
	}
	return -1;
}

/**
 * tdx_host_test_set_up_units() - The units the fake TDX module has set up
 * @fake: the fake TDX module
 *
 * Context: Any context.
 * Return: a bit per unit of @fake, in the order of its units, set for
 * each unit between its TDH.IOMMU.SETUP and its TDH.IOMMU.CLEAR.
 */
unsigned long tdx_host_test_set_up_units(const struct tdx_fake_module *fake)
{
	unsigned long set_up = 0;
	unsigned int i;

	for (i = 0; i < fake->nr_iommus; i++) {
		if (fake->iommus[i].set_up)
			set_up |= BIT(i);
	}
	return set_up;
}

/* The DMAR table: the test's units */
static int rec_reg_bases(u64 **reg_bases)
{
	struct tdx_host_test_units *u = units();

	*reg_bases = kmemdup_array(u->reg_bases, u->nr_units, sizeof(u64), GFP_KERNEL);
	return *reg_bases ? u->nr_units : -ENOMEM;
}

/*
 * The VT-d driver's side: a unit's upper domain IDs are left to the
 * module before its TDH.IOMMU.SETUP and given back after its CLEAR only.
 */
static int rec_reserve_dids(u64 reg_base)
{
	struct tdx_host_test_units *u = units();
	int i = unit_of(u, reg_base);

	if (i < 0)
		return -ENODEV;
	if (u->fake->iommus[i].set_up || u->reserved & BIT(i))
		u->nr_out_of_order++;
	if (u->busy_units & BIT(i))
		return -EBUSY;
	u->reserved |= BIT(i);
	return 0;
}

static void rec_unreserve_dids(u64 reg_base)
{
	struct tdx_host_test_units *u = units();
	int i = unit_of(u, reg_base);

	if (i < 0 || u->fake->iommus[i].set_up || !(u->reserved & BIT(i)))
		u->nr_out_of_order++;
	if (i >= 0)
		u->reserved &= ~BIT(i);
}

static struct page *rec_alloc_block(unsigned int order)
{
	struct tdx_host_test_units *u = units();
	struct page *block;

	if (u->nr_blocks == u->fail_block - 1)
		return NULL;
	if (u->nr_blocks == TDX_HOST_TEST_MAX_BLOCKS)
		return NULL;

	block = alloc_pages(GFP_KERNEL | __GFP_ZERO, order);
	if (block) {
		u->block[u->nr_blocks] = block;
		u->block_order[u->nr_blocks] = order;
		u->nr_blocks++;
	}
	return block;
}

/**
 * tdx_host_test_units_install() - Give the fake TDX module the test's VT-d units
 * @test: the test
 * @fake: the fake TDX module, installed for @test
 * @reg_bases: the register base of each unit; must outlive @test
 * @nr_units: entries of @reg_bases, at most %TDX_FAKE_MAX_IOMMUS
 *
 * Adds each unit to @fake as a TDX capable unit, in order, and has
 * tdx_host_iommu_reg_bases() return @reg_bases for the rest of @test, as
 * if the DMAR table listed these units and no other.
 *
 * Context: Process context, in @test, before any unit is set up.
 * Return: the units, freed with @test, or an ERR_PTR(): -ENOMEM, or
 * -ENOSPC if @fake has no room for them.
 */
struct tdx_host_test_units *tdx_host_test_units_install(struct kunit *test,
							struct tdx_fake_module *fake,
							const u64 *reg_bases,
							unsigned int nr_units)
{
	struct tdx_host_test_units *u;
	unsigned int i;
	int ret;

	u = kunit_kzalloc(test, sizeof(*u), GFP_KERNEL);
	if (!u)
		return ERR_PTR(-ENOMEM);
	u->fake = fake;
	u->reg_bases = reg_bases;
	u->nr_units = nr_units;
	for (i = 0; i < nr_units; i++) {
		if (tdx_fake_add_iommu(fake, reg_bases[i], true))
			return ERR_PTR(-ENOSPC);
	}

	ret = tdx_host_test_add(test, UNITS_RESOURCE, u);
	if (ret)
		return ERR_PTR(ret);
	kunit_activate_static_stub(test, tdx_host_iommu_reg_bases, rec_reg_bases);
	return u;
}

/**
 * tdx_host_test_units_stub_dids() - Stand in for the VT-d driver's reservations
 * @test: the test, with units from tdx_host_test_units_install()
 *
 * For the rest of @test, tdx_host_iommu_reserve_dids() and
 * tdx_host_iommu_unreserve_dids() record each unit in
 * &tdx_host_test_units.reserved instead of restricting the VT-d driver,
 * count the calls out of order with the unit's set-up in
 * &tdx_host_test_units.nr_out_of_order, fail a reservation of one of
 * &tdx_host_test_units.busy_units with -EBUSY and one of a unit not
 * installed with -ENODEV.
 *
 * Context: Process context, in @test.
 */
void tdx_host_test_units_stub_dids(struct kunit *test)
{
	kunit_activate_static_stub(test, tdx_host_iommu_reserve_dids, rec_reserve_dids);
	kunit_activate_static_stub(test, tdx_host_iommu_unreserve_dids, rec_unreserve_dids);
}

/**
 * tdx_host_test_units_stub_blocks() - Record the IOMMU_MT block allocations
 * @test: the test, with units from tdx_host_test_units_install()
 *
 * For the rest of @test, tdx_iommu_mt_alloc_block() allocates zeroed
 * pages and records each block in &tdx_host_test_units.block.  From the
 * &tdx_host_test_units.fail_block'th allocation on, and once
 * %TDX_HOST_TEST_MAX_BLOCKS blocks are allocated, every allocation fails.
 *
 * Context: Process context, in @test.
 */
void tdx_host_test_units_stub_blocks(struct kunit *test)
{
	kunit_activate_static_stub(test, tdx_iommu_mt_alloc_block, rec_alloc_block);
}
