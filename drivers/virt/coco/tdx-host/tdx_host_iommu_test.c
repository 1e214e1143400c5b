// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the trusted IOMMU setup of tdx-host: every VT-d unit
 * handed to the fake TDX module and taken back in reverse, with every
 * failure unwound and every page either freed or owned by the module.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

#include <linux/bitops.h>
#include <linux/dmar.h>
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <kunit/static_stub.h>
#include <kunit/test.h>

#include <asm/shared/tdx_errno.h>
#include <asm/tdx.h>
#include "tests/tdx_fake_module.h"
#include <asm/tdx_iommu_mt.h>
#include <asm/tdx_page_list.h>
#include <asm/tdx_release.h>

#include "tests/tdx_host_test_units.h"
#include "tdx_host_iommu.h"
#include "tdx_page_list_kunit.h"
#include "tdx_iommu_mt_kunit.h"

/* SEAMCALL leaves, as in the TDX Connect ABI. */
#define TEST_TDH_IOMMU_SETUP	128
#define TEST_TDH_IOMMU_CLEAR	129
#define TEST_TDH_PHYMEM_PAGE_WBINVD	41

#define TEST_NR_UNITS		4
#define TEST_IQ_ORDER		1
#define TEST_MT_PAGES		3
/* Pages the fake owns per IOMMU_MT: two blocks and the MT pages. */
#define TEST_OWNED_PER_UNIT	((2 << TEST_IQ_ORDER) + TEST_MT_PAGES)
/* The VT-d driver's first dynamic domain ID */
#define IDA_START_DID_TEST	2
/* A failure that does not mean "not TDX capable". */
#define TEST_FAILURE		TDX_OPERAND_BUSY

static const u64 test_vtbars[TEST_NR_UNITS] = {
	0xfed90000, 0xfed91000, 0xfed92000, 0xfed93000,
};

/* Queue blocks made safe, two per IOMMU_MT freed. */
#define TEST_MAX_RESETS		(2 * TEST_NR_UNITS)

struct iommu_test {
	struct tdx_fake_module *fake;
	/* The units, their reservations and the IOMMU_MT blocks allocated */
	struct tdx_host_test_units *units;

	unsigned int nr_list_allocs;
	unsigned long nr_list_pages;

	/* Units set up in the fake (bit per unit) when each block was reset. */
	unsigned int nr_resets;
	unsigned long blocks_reset;
	unsigned long set_up_at_reset[TEST_MAX_RESETS];
	struct page *reset_block[TEST_MAX_RESETS];
};

static struct iommu_test *state(void)
{
	return kunit_get_current_test()->priv;
}

static struct tdx_page_list *rec_alloc_meta(unsigned int nr_pages)
{
	struct tdx_page_list *list;

	list = kvzalloc(struct_size(list, pages, nr_pages), GFP_KERNEL);
	if (list)
		list->nr_pages = nr_pages;
	state()->nr_list_allocs++;
	return list;
}

static unsigned long rec_alloc_bulk_pages(unsigned long nr_pages, struct page **pages)
{
	unsigned long filled = alloc_pages_bulk(GFP_KERNEL | __GFP_ZERO, nr_pages, pages);

	state()->nr_list_pages = filled;
	return filled;
}

/*
 * Called for each page right before it is freed; the first page of a
 * queue block stands for the block.  A page freed earlier in the test may
 * come back as another page: only a block not reset yet counts.
 */
static void rec_reset_page(struct page *page)
{
	struct iommu_test *t = state();
	unsigned int i;

	for (i = 0; i < t->units->nr_blocks; i++) {
		if (t->units->block[i] == page && t->units->block_order[i] == TEST_IQ_ORDER &&
		    !(t->blocks_reset & BIT(i)))
			break;
	}
	if (i == t->units->nr_blocks)
		return;

	t->blocks_reset |= BIT(i);
	if (t->nr_resets < TEST_MAX_RESETS) {
		t->set_up_at_reset[t->nr_resets] = tdx_host_test_set_up_units(t->fake);
		t->reset_block[t->nr_resets] = page;
	}
	t->nr_resets++;
}

/*
 * Give back queue blocks the code under test leaked on purpose: blocks of
 * the queue order that were never reset and that the fake does not own
 * (the fake frees those itself).  Runs before the fake goes away.
 */
static void give_back_leaked_blocks(void *data)
{
	struct iommu_test *t = data;
	unsigned int i, j;

	for (i = 0; i < t->units->nr_blocks; i++) {
		u64 hpa = page_to_phys(t->units->block[i]);

		if (t->units->block_order[i] != TEST_IQ_ORDER || t->blocks_reset & BIT(i) ||
		    tdx_fake_owns(t->fake, hpa) || tdx_fake_released(t->fake, hpa))
			continue;
		/* The code under test splits its queue blocks. */
		for (j = 0; j < (1U << TEST_IQ_ORDER); j++)
			__free_page(t->units->block[i] + j);
	}
}

static int tdx_host_iommu_test_init(struct kunit *test)
{
	struct iommu_test *t;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	test->priv = t;

	t->fake = tdx_fake_module_install(test);
	/* As after TDX module initialization with TDX Connect. */
	t->fake->ext_initialized = true;
	t->fake->iommu_mt_page_count = TEST_MT_PAGES;
	t->units = tdx_host_test_units_install(test, t->fake, test_vtbars, TEST_NR_UNITS);
	if (IS_ERR(t->units))
		return PTR_ERR(t->units);

	tdx_host_test_units_stub_blocks(test);
	tdx_host_test_units_stub_dids(test);
	kunit_activate_static_stub(test, tdx_page_list_reset_page, rec_reset_page);
	kunit_activate_static_stub(test, tdx_page_list_alloc_meta, rec_alloc_meta);
	kunit_activate_static_stub(test, tdx_page_list_alloc_bulk_pages, rec_alloc_bulk_pages);

	/* Added after the fake, so it runs before the fake frees what it owns. */
	return kunit_add_action_or_reset(test, give_back_leaked_blocks, t);
}

KUNIT_DEFINE_ACTION_WRAPPER(iommus_clear_action, tdx_host_iommus_clear,
			    struct tdx_host_iommus *);

static struct tdx_host_iommus *setup(struct kunit *test, unsigned int nr)
{
	struct tdx_host_iommus *iommus;

	iommus = tdx_host_iommus_setup(test_vtbars, nr, TEST_IQ_ORDER, TEST_MT_PAGES);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(iommus));
	return iommus;
}

/* The set-up units: one IOMMU_MT each, owned by the module, in order. */
static void expect_set_up(struct kunit *test, const struct tdx_host_iommus *iommus,
			  unsigned long units)
{
	struct tdx_fake_module *fake = state()->fake;
	unsigned int i, n = 0;

	KUNIT_EXPECT_EQ(test, tdx_host_test_set_up_units(fake), units);
	KUNIT_EXPECT_EQ(test, state()->units->reserved, units);
	KUNIT_EXPECT_EQ(test, state()->units->nr_out_of_order, 0);
	KUNIT_ASSERT_EQ(test, iommus->nr_set_up, hweight_long(units));
	for_each_set_bit(i, &units, TEST_NR_UNITS) {
		const struct tdx_host_iommu *unit = &iommus->units[n++];

		KUNIT_EXPECT_EQ(test, unit->reg_base, test_vtbars[i]);
		KUNIT_ASSERT_NOT_NULL(test, unit->mt);
		KUNIT_EXPECT_EQ(test, fake->iommus[i].mt_hpa, tdx_iommu_mt_hpa(unit->mt));
		KUNIT_EXPECT_TRUE(test, tdx_fake_owns(fake, page_to_phys(unit->mt->iq)));
		KUNIT_EXPECT_TRUE(test, tdx_fake_owns(fake, page_to_phys(unit->mt->ctxiq)));
	}
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(fake),
			hweight_long(units) * TEST_OWNED_PER_UNIT);
}

/*
 * The IOMMU_MTs of @units were freed one unit at a time, the last unit
 * first, each right after the CLEAR of its unit: while the units before
 * it, and @stays, were still set up.
 */
static void expect_cleared_in_reverse(struct kunit *test, unsigned long units,
				      unsigned long stays)
{
	struct iommu_test *t = state();
	unsigned int n = 0;

	while (units) {
		units &= ~BIT(__fls(units));
		KUNIT_ASSERT_LE(test, n + 2, t->nr_resets);
		KUNIT_EXPECT_EQ(test, t->set_up_at_reset[n], units | stays);
		KUNIT_EXPECT_EQ(test, t->set_up_at_reset[n + 1], units | stays);
		n += 2;
	}
	KUNIT_EXPECT_EQ(test, t->nr_resets, n);
}

static void setup_of_no_unit_makes_no_seamcall(struct kunit *test)
{
	struct tdx_fake_module *fake = state()->fake;
	struct tdx_host_iommus *iommus = setup(test, 0);

	KUNIT_EXPECT_EQ(test, iommus->nr_set_up, 0);
	KUNIT_EXPECT_EQ(test, iommus->nr_not_capable, 0);
	tdx_host_iommus_clear(iommus);
	KUNIT_EXPECT_EQ(test, fake->nr_calls, 0);
	KUNIT_EXPECT_EQ(test, state()->units->nr_blocks, 0);
}

static void setup_and_clear_one_unit(struct kunit *test)
{
	struct tdx_fake_module *fake = state()->fake;
	struct tdx_host_iommus *iommus = setup(test, 1);

	expect_set_up(test, iommus, BIT(0));
	KUNIT_EXPECT_EQ(test, tdx_fake_calls(fake, TEST_TDH_IOMMU_SETUP), 1);

	tdx_host_iommus_clear(iommus);
	KUNIT_EXPECT_EQ(test, tdx_fake_calls(fake, TEST_TDH_IOMMU_CLEAR), 1);
	KUNIT_EXPECT_FALSE(test, fake->iommus[0].set_up);
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(fake), 0);
	expect_cleared_in_reverse(test, BIT(0), 0);
	KUNIT_EXPECT_EQ(test, state()->units->reserved, 0);
	KUNIT_EXPECT_EQ(test, state()->units->nr_out_of_order, 0);
}

/*
 * Four units, each in turn not TDX capable: it is skipped and counted,
 * its IOMMU_MT freed at once, and the other three are set up.
 */
static void setup_skips_a_unit_that_is_not_tdx_capable(struct kunit *test)
{
	const unsigned int *skip = test->param_value;
	struct tdx_fake_module *fake = state()->fake;
	unsigned long units = GENMASK(TEST_NR_UNITS - 1, 0) & ~BIT(*skip);
	struct tdx_host_iommus *iommus;

	fake->iommus[*skip].tdx_capable = false;
	iommus = setup(test, TEST_NR_UNITS);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, iommus_clear_action, iommus), 0);

	expect_set_up(test, iommus, units);
	KUNIT_EXPECT_EQ(test, iommus->nr_not_capable, 1);
	KUNIT_EXPECT_EQ(test, tdx_fake_calls(fake, TEST_TDH_IOMMU_SETUP), TEST_NR_UNITS);
	/* Only the refused IOMMU_MT has been freed, while the units before it were set up. */
	KUNIT_EXPECT_EQ(test, state()->nr_resets, 2);
	KUNIT_EXPECT_EQ(test, state()->set_up_at_reset[0], GENMASK(*skip, 0) & ~BIT(*skip));
}

static const unsigned int unit_index[] = { 0, 1, 2, 3 };

static void unit_desc(const unsigned int *unit, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "unit %u", *unit);
}

KUNIT_ARRAY_PARAM(unit, unit_index, unit_desc);

static void nth_clear_desc(const unsigned int *nth, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "CLEAR %u of %u fails", *nth + 1, TEST_NR_UNITS);
}

KUNIT_ARRAY_PARAM(nth_clear, unit_index, nth_clear_desc);

/* Removal: every unit cleared, last set up first; the module owns nothing after. */
static void clear_takes_every_unit_back_in_reverse(struct kunit *test)
{
	struct tdx_fake_module *fake = state()->fake;
	struct tdx_host_iommus *iommus = setup(test, TEST_NR_UNITS);

	expect_set_up(test, iommus, GENMASK(TEST_NR_UNITS - 1, 0));
	tdx_host_iommus_clear(iommus);

	KUNIT_EXPECT_EQ(test, tdx_host_test_set_up_units(fake), 0);
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(fake), 0);
	KUNIT_EXPECT_EQ(test, tdx_fake_calls(fake, TEST_TDH_IOMMU_CLEAR), TEST_NR_UNITS);
	expect_cleared_in_reverse(test, GENMASK(TEST_NR_UNITS - 1, 0), 0);
	KUNIT_EXPECT_EQ(test, state()->units->reserved, 0);
	KUNIT_EXPECT_EQ(test, state()->units->nr_out_of_order, 0);
}

/*
 * What setting up and clearing four units costs: one TDH.IOMMU.SETUP and
 * one TDH.IOMMU.CLEAR per unit, and per unit three page allocations (the
 * two queue blocks and the root page) and one page list of the MT pages.
 */
static void four_units_cost_one_seamcall_each_way(struct kunit *test)
{
	struct tdx_fake_module *fake = state()->fake;
	struct tdx_host_iommus *iommus = setup(test, TEST_NR_UNITS);
	struct iommu_test *t = state();
	/* Each page of both queues and the MT pages, and the root entries. */
	unsigned long lines = TEST_OWNED_PER_UNIT * (PAGE_SIZE / 64) +
			      DIV_ROUND_UP((2 + TEST_MT_PAGES) * sizeof(u64), 64);
	unsigned long flushed;
	unsigned int i;

	KUNIT_EXPECT_EQ(test, fake->nr_calls, TEST_NR_UNITS);
	KUNIT_EXPECT_EQ(test, t->units->nr_blocks, 3 * TEST_NR_UNITS);
	for (i = 0; i < t->units->nr_blocks; i++)
		KUNIT_EXPECT_EQ(test, t->units->block_order[i], i % 3 == 2 ? 0 : TEST_IQ_ORDER);
	KUNIT_EXPECT_EQ(test, t->nr_list_allocs, TEST_NR_UNITS);
	KUNIT_EXPECT_EQ(test, t->nr_list_pages, TEST_MT_PAGES);
	flushed = fake->nr_flushed_lines;
	KUNIT_EXPECT_EQ(test, flushed, TEST_NR_UNITS * lines);

	/* One CLEAR per unit, and one write-back per page given back. */
	tdx_host_iommus_clear(iommus);
	KUNIT_EXPECT_EQ(test, tdx_fake_calls(fake, TEST_TDH_IOMMU_CLEAR), TEST_NR_UNITS);
	KUNIT_EXPECT_EQ(test, tdx_fake_calls(fake, TEST_TDH_PHYMEM_PAGE_WBINVD),
			TEST_NR_UNITS * TEST_OWNED_PER_UNIT);
	KUNIT_EXPECT_EQ(test, fake->nr_calls, TEST_NR_UNITS * (2 + TEST_OWNED_PER_UNIT));
	KUNIT_EXPECT_EQ(test, fake->nr_flushed_lines, flushed);
	kunit_info(test, "4 VT-d units, IOMMU_MT of 2 x %u + %u pages: %u SEAMCALLs and %lu cache lines flushed to set up, %u SEAMCALLs to clear (%u TDH.PHYMEM.PAGE.WBINVD); %u page blocks and %u page lists allocated\n",
		   1U << TEST_IQ_ORDER, TEST_MT_PAGES,
		   tdx_fake_calls(fake, TEST_TDH_IOMMU_SETUP), flushed,
		   tdx_fake_calls(fake, TEST_TDH_IOMMU_CLEAR) +
		   tdx_fake_calls(fake, TEST_TDH_PHYMEM_PAGE_WBINVD),
		   tdx_fake_calls(fake, TEST_TDH_PHYMEM_PAGE_WBINVD),
		   t->units->nr_blocks, t->nr_list_allocs);
}

struct midway_failure {
	unsigned int unit;
	bool seamcall;		/* TDH.IOMMU.SETUP fails, else the IOMMU_MT allocation */
};

static const struct midway_failure midway_failures[] = {
	{ 0, true }, { 1, true }, { 2, true }, { 3, true },
	{ 0, false }, { 1, false }, { 2, false }, { 3, false },
};

static void midway_failure_desc(const struct midway_failure *f, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s of unit %u fails",
		 f->seamcall ? "TDH.IOMMU.SETUP" : "IOMMU_MT allocation", f->unit);
}

KUNIT_ARRAY_PARAM(midway_failure, midway_failures, midway_failure_desc);

/*
 * A failure at any unit clears the units set up before it, in reverse,
 * and leaves nothing set up.  An IOMMU_MT that TDH.IOMMU.SETUP failed
 * with may be the module's: it is leaked with one WARN (the test gives it
 * back; it has no MT pages so that its two queue blocks are all of it).
 */
static void failure_midway_clears_what_was_set_up(struct kunit *test)
{
	const struct midway_failure *f = test->param_value;
	struct tdx_fake_module *fake = state()->fake;
	unsigned long before = GENMASK(f->unit, 0) & ~BIT(f->unit);
	struct iommu_test *t = state();
	struct tdx_host_iommus *iommus;
	unsigned int nr_mt_pages = f->seamcall ? 0 : TEST_MT_PAGES;
	int warns = -1;

	fake->iommu_mt_page_count = nr_mt_pages;
	if (f->seamcall) {
		/* One call per unit: the SETUP of this unit is call unit + 1. */
		fake->fail_nth = f->unit + 1;
		fake->fail_status = TEST_FAILURE;
	} else {
		/* Three blocks per IOMMU_MT: fail the first of this unit's. */
		t->units->fail_block = 3 * f->unit + 1;
	}

	kunit_warning_suppress(test) {
		iommus = tdx_host_iommus_setup(test_vtbars, TEST_NR_UNITS, TEST_IQ_ORDER,
					       nr_mt_pages);
		warns = KUNIT_SUPPRESSED_WARNING_COUNT();
	}
	KUNIT_EXPECT_PTR_EQ(test, iommus, ERR_PTR(f->seamcall ? -EIO : -ENOMEM));
	if (!IS_ERR(iommus))
		tdx_host_iommus_clear(iommus);

	KUNIT_EXPECT_EQ(test, tdx_fake_calls(fake, TEST_TDH_IOMMU_SETUP),
			f->unit + (f->seamcall ? 1 : 0));
	KUNIT_EXPECT_EQ(test, tdx_fake_calls(fake, TEST_TDH_IOMMU_CLEAR), f->unit);
	KUNIT_EXPECT_EQ(test, tdx_host_test_set_up_units(fake), 0);
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(fake), 0);
	expect_cleared_in_reverse(test, before, 0);
	/* The failed unit's domain IDs too: the module gave it no ID. */
	KUNIT_EXPECT_EQ(test, t->units->reserved, 0);
	KUNIT_EXPECT_EQ(test, t->units->nr_out_of_order, 0);

	KUNIT_EXPECT_EQ(test, warns, f->seamcall ? 1 : 0);
}

/*
 * A unit whose upper domain IDs the host already uses fails the setup
 * before its TDH.IOMMU.SETUP, and the units before it are cleared.
 */
static void unit_with_upper_domain_ids_in_use_fails_setup(struct kunit *test)
{
	const unsigned int *busy = test->param_value;
	struct tdx_fake_module *fake = state()->fake;
	unsigned long before = GENMASK(*busy, 0) & ~BIT(*busy);
	struct iommu_test *t = state();
	struct tdx_host_iommus *iommus;

	t->units->busy_units = BIT(*busy);
	iommus = tdx_host_iommus_setup(test_vtbars, TEST_NR_UNITS, TEST_IQ_ORDER,
				       TEST_MT_PAGES);
	KUNIT_EXPECT_PTR_EQ(test, iommus, ERR_PTR(-EBUSY));
	if (!IS_ERR(iommus))
		tdx_host_iommus_clear(iommus);

	KUNIT_EXPECT_EQ(test, tdx_fake_calls(fake, TEST_TDH_IOMMU_SETUP), *busy);
	KUNIT_EXPECT_EQ(test, tdx_fake_calls(fake, TEST_TDH_IOMMU_CLEAR), *busy);
	KUNIT_EXPECT_EQ(test, tdx_host_test_set_up_units(fake), 0);
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(fake), 0);
	expect_cleared_in_reverse(test, before, 0);
	KUNIT_EXPECT_EQ(test, t->units->reserved, 0);
	KUNIT_EXPECT_EQ(test, t->units->nr_out_of_order, 0);
}

static const u8 other_operands[] = { TDX_OPERAND_ID_RDX, TDX_OPERAND_ID_R8 };

static void other_operand_desc(const u8 *op, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "operand ID 0x%02x", *op);
}

KUNIT_ARRAY_PARAM(other_operand, other_operands, other_operand_desc);

/*
 * TDX_OPERAND_INVALID on any operand but RCX, the unit, is a failure of
 * TDH.IOMMU.SETUP, not a unit that is not TDX capable: the setup fails,
 * the unit before is cleared, and the IOMMU_MT is leaked with one WARN.
 */
static void invalid_operand_other_than_the_unit_fails_setup(struct kunit *test)
{
	const u8 *op = test->param_value;
	struct tdx_fake_module *fake = state()->fake;
	struct iommu_test *t = state();
	struct tdx_host_iommus *iommus;
	int warns = -1;

	fake->iommu_mt_page_count = 0;
	fake->iommus[1].invalid_operand = *op;
	kunit_warning_suppress(test) {
		iommus = tdx_host_iommus_setup(test_vtbars, TEST_NR_UNITS, TEST_IQ_ORDER, 0);
		warns = KUNIT_SUPPRESSED_WARNING_COUNT();
	}
	KUNIT_EXPECT_PTR_EQ(test, iommus, ERR_PTR(-EIO));
	if (!IS_ERR(iommus))
		tdx_host_iommus_clear(iommus);

	KUNIT_EXPECT_EQ(test, tdx_fake_calls(fake, TEST_TDH_IOMMU_SETUP), 2);
	KUNIT_EXPECT_EQ(test, tdx_fake_calls(fake, TEST_TDH_IOMMU_CLEAR), 1);
	KUNIT_EXPECT_EQ(test, tdx_host_test_set_up_units(fake), 0);
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(fake), 0);
	KUNIT_EXPECT_EQ(test, t->units->reserved, 0);
	KUNIT_EXPECT_EQ(test, warns, 1);
}

/*
 * Each CLEAR in turn fails: that unit stays with the module, leaked with
 * exactly one WARN, and the units before it are still cleared.
 */
static void clear_failure_leaks_that_unit_only(struct kunit *test)
{
	const unsigned int *nth = test->param_value;
	struct tdx_fake_module *fake = state()->fake;
	unsigned int leaked = TEST_NR_UNITS - 1 - *nth;
	unsigned long all = GENMASK(TEST_NR_UNITS - 1, 0);
	struct tdx_host_iommus *iommus;
	u64 leaked_iq;

	iommus = setup(test, TEST_NR_UNITS);
	leaked_iq = page_to_phys(iommus->units[leaked].mt->iq);
	/*
	 * The CLEARs follow the four SETUPs; the first CLEAR is call 5, and
	 * each successful one is followed by a write-back of every page.
	 */
	fake->fail_nth = TEST_NR_UNITS + *nth * (1 + TEST_OWNED_PER_UNIT) + 1;
	fake->fail_status = TEST_FAILURE;

	kunit_warning_suppress(test) {
		tdx_host_iommus_clear(iommus);
		KUNIT_EXPECT_SUPPRESSED_WARNING_COUNT(test, 1);
	}

	KUNIT_EXPECT_EQ(test, tdx_fake_calls(fake, TEST_TDH_IOMMU_CLEAR), TEST_NR_UNITS);
	KUNIT_EXPECT_EQ(test, tdx_host_test_set_up_units(fake), BIT(leaked));
	/* The module still owns the leaked IOMMU_MT, and nothing else. */
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(fake), TEST_OWNED_PER_UNIT);
	KUNIT_EXPECT_TRUE(test, tdx_fake_owns(fake, leaked_iq));
	/* The others were freed in reverse, the leaked unit set up throughout. */
	expect_cleared_in_reverse(test, all & ~BIT(leaked), BIT(leaked));
	/* The module kept that unit, and its upper domain IDs with it. */
	KUNIT_EXPECT_EQ(test, state()->units->reserved, BIT(leaked));
	KUNIT_EXPECT_EQ(test, state()->units->nr_out_of_order, 0);
}

static struct kunit_case tdx_host_iommu_test_cases[] = {
	KUNIT_CASE(setup_of_no_unit_makes_no_seamcall),
	KUNIT_CASE(setup_and_clear_one_unit),
	KUNIT_CASE_PARAM(setup_skips_a_unit_that_is_not_tdx_capable, unit_gen_params),
	KUNIT_CASE(clear_takes_every_unit_back_in_reverse),
	KUNIT_CASE(four_units_cost_one_seamcall_each_way),
	KUNIT_CASE_PARAM(failure_midway_clears_what_was_set_up, midway_failure_gen_params),
	KUNIT_CASE_PARAM(clear_failure_leaks_that_unit_only, nth_clear_gen_params),
	KUNIT_CASE_PARAM(unit_with_upper_domain_ids_in_use_fails_setup, unit_gen_params),
	KUNIT_CASE_PARAM(invalid_operand_other_than_the_unit_fails_setup,
			 other_operand_gen_params),
	{}
};

static struct kunit_suite tdx_host_iommu_test_suite = {
	.name = "tdx_host_iommu",
	.init = tdx_host_iommu_test_init,
	.test_cases = tdx_host_iommu_test_cases,
};

kunit_test_suite(tdx_host_iommu_test_suite);

MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");
