// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the fake TDX module's SEAMCALLs: every refusal it
 * claims to make, its ownership map, interruption, failure injection,
 * counting and the one-caller rule of the Extensions.  Operands are
 * built by hand, independently of the wrappers.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

#include <kunit/test.h>

#include "tdx_fake_module_test.h"

static void unknown_leaves_and_versions_are_refused(struct kunit *test)
{
	struct tdx_fake_module *fake = tdx_fake_module_install(test);
	struct tdx_module_args args = {};

	KUNIT_EXPECT_EQ(test, call(TDH_VP_ENTER, 0, &args), RAX_INVALID);
	KUNIT_EXPECT_EQ(test, call(0xffff, 0, &args), RAX_INVALID);
	KUNIT_EXPECT_EQ(test, call(TDH_EXT_INIT, 1, &args), RAX_INVALID);
	KUNIT_EXPECT_EQ(test, sys_config(2, 0), RAX_INVALID);
	KUNIT_EXPECT_FALSE(test, fake->configured);
}

static void sys_rd_serves_connect_fields_only_after_config(struct kunit *test)
{
	struct tdx_fake_module *fake = tdx_fake_module_install(test);
	struct tdx_module_args args = { .rdx = TDX_MD_MEMORY_POOL_REQUIRED_PAGES };

	fake->pool_required_pages = 12800;
	KUNIT_EXPECT_EQ(test, call(TDH_SYS_RD, 0, &args), TDX_METADATA_FIELD_NOT_READABLE);
	KUNIT_ASSERT_EQ(test, sys_config(1, TDX_FEATURES0_TDX_CONNECT), TDX_SUCCESS);
	args = (struct tdx_module_args) { .rdx = TDX_MD_MEMORY_POOL_REQUIRED_PAGES };
	KUNIT_EXPECT_EQ(test, call(TDH_SYS_RD, 0, &args), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, args.r8, 12800);
	args = (struct tdx_module_args) { .rdx = 0x3100000200000042ULL };
	KUNIT_EXPECT_EQ(test, call(TDH_SYS_RD, 0, &args), TDX_METADATA_FIELD_ID_INCORRECT);
}

static void sys_rd_serves_spdm_and_ide_page_counts(struct kunit *test)
{
	struct tdx_fake_module *fake = configured(test);
	struct tdx_module_args args = { .rdx = TDX_MD_SPDM_MT_PAGE_COUNT };

	fake->spdm_mt_page_count = 3;
	fake->ide_mt_page_count = 4;
	fake->spdm_max_dev_info_pages = 5;
	KUNIT_EXPECT_EQ(test, call(TDH_SYS_RD, 0, &args), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, args.r8, 3);
	args = (struct tdx_module_args) { .rdx = TDX_MD_IDE_MT_PAGE_COUNT };
	KUNIT_EXPECT_EQ(test, call(TDH_SYS_RD, 0, &args), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, args.r8, 4);
	args = (struct tdx_module_args) { .rdx = TDX_MD_SPDM_MAX_DEV_INFO_PAGES };
	KUNIT_EXPECT_EQ(test, call(TDH_SYS_RD, 0, &args), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, args.r8, 5);
}

static void sys_config_checks_operands_and_features(struct kunit *test)
{
	struct tdx_fake_module *fake = tdx_fake_module_install(test);
	struct tdx_module_args args = { .rcx = 0x1100, .rdx = 1 };

	KUNIT_EXPECT_EQ(test, call(TDH_SYS_CONFIG, 0, &args), RCX_INVALID);
	args = (struct tdx_module_args) { .rcx = 0x1000, .rdx = 0 };
	KUNIT_EXPECT_EQ(test, call(TDH_SYS_CONFIG, 0, &args), RDX_INVALID);
	/* Bits that are not add-on features, and EXT without TDX Connect. */
	KUNIT_EXPECT_EQ(test, sys_config(1, TDX_FEATURES0_NO_RBP_MOD), R9_INVALID);
	KUNIT_EXPECT_EQ(test, sys_config(1, BIT_ULL(7)), R9_INVALID);
	KUNIT_EXPECT_EQ(test, sys_config(1, TDX_FEATURES0_EXT), R9_INVALID);
	KUNIT_EXPECT_FALSE(test, fake->configured);

	/* A feature the module does not offer. */
	fake->features0 = TDX_FEATURES0_NO_RBP_MOD;
	KUNIT_EXPECT_EQ(test, sys_config(1, TDX_FEATURES0_TDX_CONNECT), R9_INVALID);
	/* Version 0 has no R9. */
	KUNIT_EXPECT_EQ(test, sys_config(0, ~0ULL), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, fake->config_features, 0);
}

static void mem_add_needs_tdx_connect_configured(struct kunit *test)
{
	struct tdx_fake_module *fake = tdx_fake_module_install(test);
	u64 *root = test_list(test, fake, 1);

	KUNIT_EXPECT_EQ(test, mem_add(list_info(__pa(root), 0, 0), NULL),
			TDX_SYS_STATE_INCORRECT);
	KUNIT_ASSERT_EQ(test, sys_config(0, 0), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, mem_add(list_info(__pa(root), 0, 0), NULL),
			TDX_SYS_STATE_INCORRECT);
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(fake), 0);
}

static void mem_add_refuses_bad_list_info(struct kunit *test)
{
	struct tdx_fake_module *fake = configured(test);
	u64 *root = test_list(test, fake, 4);
	u64 info = list_info(__pa(root), 0, 3);

	KUNIT_EXPECT_EQ(test, mem_add(info | BIT_ULL(0), NULL), RCX_INVALID);
	KUNIT_EXPECT_EQ(test, mem_add(info | BIT_ULL(52), NULL), RCX_INVALID);
	KUNIT_EXPECT_EQ(test, mem_add(list_info(__pa(root), 3, 2), NULL), RCX_INVALID);
	KUNIT_EXPECT_EQ(test, mem_add(list_info(NO_SUCH_PAGE, 0, 3), NULL),
			TDX_OPERAND_ADDR_RANGE_ERROR | TDX_OPERAND_ID_RCX);
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(fake), 0);
	KUNIT_EXPECT_EQ(test, fake->pool_pages, 0);
}

struct bad_entry_case {
	const char *desc;
	u64 (*entry)(u64 good, u64 owned);
	u64 status;
};

static u64 entry_low_bits(u64 good, u64 owned) { return good | 0x8; }
static u64 entry_high_bits(u64 good, u64 owned) { return good | BIT_ULL(60); }
static u64 entry_no_page(u64 good, u64 owned) { return NO_SUCH_PAGE; }
static u64 entry_owned(u64 good, u64 owned) { return owned; }

static const struct bad_entry_case bad_entry_cases[] = {
	{ "misaligned", entry_low_bits, RCX_INVALID },
	{ "reserved bits", entry_high_bits, RCX_INVALID },
	{ "unknown page", entry_no_page, TDX_OPERAND_ADDR_RANGE_ERROR | TDX_OPERAND_ID_RCX },
	{ "already owned", entry_owned, TDX_PAGE_METADATA_INCORRECT | TDX_OPERAND_ID_RCX },
};

static void bad_entry_desc(const struct bad_entry_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(bad_entry, bad_entry_cases, bad_entry_desc);

/* Entries before the bad one are added, the rest are not. */
static void mem_add_refuses_bad_entry_after_adding_the_ones_before(struct kunit *test)
{
	const struct bad_entry_case *c = test->param_value;
	struct tdx_fake_module *fake = configured(test);
	u64 *owned = test_list(test, fake, 1);
	u64 *root = test_list(test, fake, 4);
	u64 good = root[2];

	KUNIT_ASSERT_EQ(test, mem_add(list_info(__pa(owned), 0, 0), NULL), TDX_SUCCESS);
	set_entry(root, 2, c->entry(good, owned[0]));
	KUNIT_EXPECT_EQ(test, mem_add(list_info(__pa(root), 0, 3), NULL), c->status);
	KUNIT_EXPECT_TRUE(test, tdx_fake_owns(fake, root[0]));
	KUNIT_EXPECT_TRUE(test, tdx_fake_owns(fake, root[1]));
	KUNIT_EXPECT_FALSE(test, tdx_fake_owns(fake, good));
	KUNIT_EXPECT_FALSE(test, tdx_fake_owns(fake, root[3]));
	KUNIT_EXPECT_EQ(test, fake->pool_pages, 3);
}

static void mem_add_refuses_more_pages_than_the_pool_takes(struct kunit *test)
{
	struct tdx_fake_module *fake = configured(test);
	u64 *root = test_list(test, fake, 3);

	fake->pool_required_pages = 2;
	KUNIT_EXPECT_EQ(test, mem_add(list_info(__pa(root), 0, 2), NULL), RCX_INVALID);
	KUNIT_EXPECT_EQ(test, fake->pool_pages, 2);
	KUNIT_EXPECT_FALSE(test, tdx_fake_owns(fake, root[2]));
}

/* An interrupted call returns FIRST_ENTRY at the next page to add. */
static void mem_add_interrupt_resumes_from_first_entry(struct kunit *test)
{
	struct tdx_fake_module *fake = configured(test);
	u64 *root = test_list(test, fake, 5);
	u64 info = list_info(__pa(root), 0, 4), out;

	fake->interrupt_leaf = TDH_EXT_MEM_ADD;
	fake->interrupts = 2;
	fake->interrupt_progress = 2;

	KUNIT_EXPECT_EQ(test, mem_add(info, &out), TDX_INTERRUPTED_RESUMABLE);
	KUNIT_EXPECT_EQ(test, out, list_info(__pa(root), 2, 4));
	KUNIT_EXPECT_EQ(test, fake->pool_pages, 2);
	KUNIT_EXPECT_EQ(test, mem_add(out, &out), TDX_INTERRUPTED_RESUMABLE);
	KUNIT_EXPECT_EQ(test, out, list_info(__pa(root), 4, 4));
	KUNIT_EXPECT_EQ(test, mem_add(out, &out), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, fake->pool_pages, 5);
	KUNIT_EXPECT_EQ(test, fake->nr_interrupted, 2);
	KUNIT_EXPECT_EQ(test, tdx_fake_calls(fake, TDH_EXT_MEM_ADD), 3);
}

static void ext_init_needs_the_whole_pool_and_runs_once(struct kunit *test)
{
	struct tdx_fake_module *fake = configured(test);
	u64 *root = test_list(test, fake, 2);
	struct tdx_module_args args = {};

	fake->pool_required_pages = 2;
	KUNIT_EXPECT_EQ(test, call(TDH_EXT_INIT, 0, &args), TDX_SYS_NOT_READY);
	KUNIT_ASSERT_EQ(test, mem_add(list_info(__pa(root), 0, 1), NULL), TDX_SUCCESS);

	fake->interrupt_leaf = TDH_EXT_INIT;
	fake->interrupts = UINT_MAX;
	fake->interrupt_progress = 1;
	fake->ext_init_work = 3;
	KUNIT_EXPECT_EQ(test, call(TDH_EXT_INIT, 0, &args), TDX_INTERRUPTED_RESUMABLE);
	KUNIT_EXPECT_EQ(test, call(TDH_EXT_INIT, 0, &args), TDX_INTERRUPTED_RESUMABLE);
	KUNIT_EXPECT_FALSE(test, fake->ext_initialized);
	KUNIT_EXPECT_EQ(test, call(TDH_EXT_INIT, 0, &args), TDX_SUCCESS);
	KUNIT_EXPECT_TRUE(test, fake->ext_initialized);
	KUNIT_EXPECT_EQ(test, call(TDH_EXT_INIT, 0, &args), TDX_SYS_NOT_READY);
	KUNIT_EXPECT_EQ(test, mem_add(list_info(__pa(root), 0, 1), NULL), TDX_SYS_NOT_READY);
}

static void iommu_setup_refuses_unknown_and_incapable_units(struct kunit *test)
{
	struct tdx_fake_module *fake = ext_running(test);
	u64 *mt = test_iommu_mt(test, fake);

	KUNIT_EXPECT_EQ(test, iommu_setup(TEST_VTBAR_NOT_TDX, __pa(mt), NULL), RCX_INVALID);
	KUNIT_EXPECT_EQ(test, iommu_setup(0xfee00000, __pa(mt), NULL), RCX_INVALID);
	KUNIT_EXPECT_EQ(test, iommu_setup(TEST_VTBAR, __pa(mt) | 1, NULL), RDX_INVALID);
	KUNIT_EXPECT_EQ(test, iommu_setup(TEST_VTBAR, NO_SUCH_PAGE, NULL),
			TDX_OPERAND_ADDR_RANGE_ERROR | TDX_OPERAND_ID_RDX);
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(fake), 1);
}

static void iommu_setup_needs_extensions(struct kunit *test)
{
	struct tdx_fake_module *fake = configured(test);
	u64 *mt = test_iommu_mt(test, fake);

	KUNIT_ASSERT_EQ(test, tdx_fake_add_iommu(fake, TEST_VTBAR, true), 0);
	KUNIT_EXPECT_EQ(test, iommu_setup(TEST_VTBAR, __pa(mt), NULL), TDX_SYS_NOT_READY);
}

struct bad_mt_case {
	const char *desc;
	unsigned int entry;
	u64 (*bad)(u64 entry);
	u64 status;
};

static u64 mt_no_num_pages(u64 e) { return e & ~0xfffULL; }
static u64 mt_num_pages_3(u64 e) { return (e & ~0xfffULL) | 3; }
static u64 mt_misaligned_block(u64 e) { return ((e & ~0xfffULL) + PAGE_SIZE) | 2; }
static u64 mt_low_bits(u64 e) { return e | 1; }
static u64 mt_missing(u64 e) { return 0; }
static u64 mt_no_page(u64 e) { return NO_SUCH_PAGE; }

static const struct bad_mt_case bad_mt_cases[] = {
	{ "T_IQ without NUM_PAGES", 0, mt_no_num_pages, RDX_INVALID },
	{ "T_CTXIQ NUM_PAGES not a power of 2", 1, mt_num_pages_3, RDX_INVALID },
	{ "T_IQ misaligned for NUM_PAGES", 0, mt_misaligned_block, RDX_INVALID },
	{ "MT page with low bits", 2, mt_low_bits, RDX_INVALID },
	{ "MT page count short by one", 4, mt_missing, RDX_INVALID },
	{ "MT page unknown", 3, mt_no_page, TDX_OPERAND_ADDR_RANGE_ERROR | TDX_OPERAND_ID_RDX },
};

static void bad_mt_desc(const struct bad_mt_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(bad_mt, bad_mt_cases, bad_mt_desc);

/* A bad IOMMU_MT entry fails the whole call and takes no page. */
static void iommu_setup_refuses_bad_iommu_mt(struct kunit *test)
{
	const struct bad_mt_case *c = test->param_value;
	struct tdx_fake_module *fake = ext_running(test);
	u64 *mt = test_iommu_mt(test, fake);
	u64 good = mt[c->entry];

	set_entry(mt, c->entry, c->bad(good));
	KUNIT_EXPECT_EQ(test, iommu_setup(TEST_VTBAR, __pa(mt), NULL), c->status);
	set_entry(mt, c->entry, good);
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(fake), 1);
	KUNIT_EXPECT_EQ(test, iommu_setup(TEST_VTBAR, __pa(mt), NULL), TDX_SUCCESS);
}

static void iommu_setup_refuses_pages_it_owns(struct kunit *test)
{
	struct tdx_fake_module *fake = ext_running(test);
	u64 *mt = test_iommu_mt(test, fake);
	u64 *other = test_iommu_mt(test, fake);

	KUNIT_ASSERT_EQ(test, tdx_fake_add_iommu(fake, TEST_VTBAR + 0x2000, true), 0);
	KUNIT_ASSERT_EQ(test, iommu_setup(TEST_VTBAR, __pa(mt), NULL), TDX_SUCCESS);
	set_entry(other, 3, mt[3]);
	KUNIT_EXPECT_EQ(test, iommu_setup(TEST_VTBAR + 0x2000, __pa(other), NULL),
			TDX_PAGE_METADATA_INCORRECT | TDX_OPERAND_ID_RDX);
	/* The unit that is set up already. */
	KUNIT_EXPECT_EQ(test, iommu_setup(TEST_VTBAR, __pa(mt), NULL), RCX_INVALID);
}

static void iommu_setup_and_clear_move_ownership(struct kunit *test)
{
	struct tdx_fake_module *fake = ext_running(test);
	u64 *mt = test_iommu_mt(test, fake);
	struct tdx_module_args args;
	unsigned int i;
	u64 id;

	KUNIT_ASSERT_EQ(test, iommu_setup(TEST_VTBAR, __pa(mt), &id), TDX_SUCCESS);
	for (i = 0; i < 5; i++)
		KUNIT_EXPECT_TRUE(test, tdx_fake_owns(fake, mt[i] & PAGE_MASK));
	KUNIT_EXPECT_FALSE(test, tdx_fake_owns(fake, __pa(mt)));

	args = (struct tdx_module_args) { .rcx = id + 1, .rdx = __pa(mt) };
	KUNIT_EXPECT_EQ(test, call(TDH_IOMMU_CLEAR, 0, &args), RCX_INVALID);
	args = (struct tdx_module_args) { .rcx = id, .rdx = __pa(mt) + PAGE_SIZE };
	KUNIT_EXPECT_EQ(test, call(TDH_IOMMU_CLEAR, 0, &args), RDX_INVALID);
	args = (struct tdx_module_args) { .rcx = id, .rdx = __pa(mt) };
	KUNIT_EXPECT_EQ(test, call(TDH_IOMMU_CLEAR, 0, &args), TDX_SUCCESS);

	/* Every page of both blocks and the MT pages wait for a write-back. */
	for (i = 0; i < 5; i++) {
		u64 hpa = mt[i] & PAGE_MASK;

		KUNIT_EXPECT_FALSE(test, tdx_fake_owns(fake, hpa));
		KUNIT_EXPECT_TRUE(test, tdx_fake_released(fake, hpa));
		KUNIT_EXPECT_EQ(test, wb_page(keyed(hpa, TDX_FAKE_GLOBAL_KEYID)), TDX_SUCCESS);
		if (i < 2) {
			hpa += PAGE_SIZE;
			KUNIT_EXPECT_TRUE(test, tdx_fake_released(fake, hpa));
			KUNIT_EXPECT_EQ(test, wb_page(keyed(hpa, TDX_FAKE_GLOBAL_KEYID)),
					TDX_SUCCESS);
		}
	}
	/* The pool page. */
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(fake), 1);
}

/* A restart must repeat the inputs; the pages are owned from the start. */
static void iommu_setup_restart_must_repeat_inputs(struct kunit *test)
{
	struct tdx_fake_module *fake = ext_running(test);
	u64 *mt = test_iommu_mt(test, fake);
	u64 *other = test_iommu_mt(test, fake);

	fake->interrupt_leaf = TDH_IOMMU_SETUP;
	fake->interrupts = 1;
	fake->interrupt_progress = 1;
	KUNIT_EXPECT_EQ(test, iommu_setup(TEST_VTBAR, __pa(mt), NULL),
			TDX_INTERRUPTED_RESUMABLE);
	/* The pool page, two 2-page blocks and three MT pages. */
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(fake), 8);
	KUNIT_EXPECT_EQ(test, iommu_setup(TEST_VTBAR, __pa(other), NULL), RDX_INVALID);
	KUNIT_EXPECT_EQ(test, iommu_setup(TEST_VTBAR, __pa(mt), NULL), TDX_SUCCESS);
}

/* A handler that takes the page in RCX, as a later suite's leaf would. */
static u64 take_rcx(struct tdx_fake_module *fake, u16 leaf, u8 version,
		    struct tdx_module_args *args)
{
	u64 ret;

	if (leaf != TDH_SPDM_CREATE || version)
		return RAX_INVALID;
	ret = tdx_fake_take(fake, args->rcx, 0);
	return ret ? ret | TDX_OPERAND_ID_RCX : TDX_SUCCESS;
}

static void other_leaves_go_to_the_handler(struct kunit *test)
{
	struct tdx_fake_module *fake = tdx_fake_module_install(test);
	u64 page = test_alloc(test, fake, 0);
	u64 other = test_alloc(test, fake, 0);
	struct tdx_module_args args = { .rcx = page };

	KUNIT_EXPECT_EQ(test, call(TDH_SPDM_CREATE, 0, &args), RAX_INVALID);
	fake->other_leaf = take_rcx;
	KUNIT_EXPECT_EQ(test, call(TDH_SPDM_CREATE, 0, &args), TDX_SUCCESS);
	KUNIT_EXPECT_TRUE(test, tdx_fake_owns(fake, page));
	KUNIT_EXPECT_EQ(test, call(TDH_SPDM_CREATE, 0, &args),
			TDX_PAGE_METADATA_INCORRECT | TDX_OPERAND_ID_RCX);
	args.rcx = other | 0x10;
	KUNIT_EXPECT_EQ(test, call(TDH_SPDM_CREATE, 0, &args), RCX_INVALID);
	args.rcx = NO_SUCH_PAGE;
	KUNIT_EXPECT_EQ(test, call(TDH_SPDM_CREATE, 0, &args),
			TDX_OPERAND_ADDR_RANGE_ERROR | TDX_OPERAND_ID_RCX);
	KUNIT_EXPECT_EQ(test, call(TDH_SPDM_DELETE, 0, &args), RAX_INVALID);
	/* Built-in leaves stay with the fake. */
	KUNIT_EXPECT_EQ(test, call(TDH_EXT_INIT, 1, &args), RAX_INVALID);
	KUNIT_EXPECT_EQ(test, tdx_fake_calls(fake, TDH_SPDM_CREATE), 5);
	tdx_fake_give_back(fake, page);
	KUNIT_EXPECT_FALSE(test, tdx_fake_owns(fake, page));
}

/* An Extension leaf handler: every third call completes, the others ask for a response. */
static u64 ext_every_third(struct tdx_fake_module *fake, u16 leaf, u8 version,
			   struct tdx_module_args *args)
{
	unsigned int *calls = fake->ext_priv;

	return ++*calls % 3 ? TDX_SPDM_REQUEST : TDX_SUCCESS;
}

static u64 ext_call(u16 leaf, u64 rcx, u64 rdx)
{
	struct tdx_module_args args = { .rcx = rcx, .rdx = rdx };

	return call(leaf, 0, &args);
}

static void extension_leaves_go_to_ext_leaf_before_other_leaf(struct kunit *test)
{
	struct tdx_fake_module *fake = tdx_fake_module_install(test);
	u64 page = test_alloc(test, fake, 0);
	unsigned int calls = 0;

	fake->other_leaf = take_rcx;
	KUNIT_EXPECT_EQ(test, ext_call(TDH_SPDM_CREATE, page, 0), TDX_SUCCESS);
	KUNIT_EXPECT_TRUE(test, tdx_fake_owns(fake, page));
	fake->ext_leaf = ext_every_third;
	fake->ext_priv = &calls;
	KUNIT_EXPECT_EQ(test, ext_call(TDH_SPDM_CREATE, page, 0), TDX_SPDM_REQUEST);
	KUNIT_EXPECT_EQ(test, calls, 1);
	KUNIT_EXPECT_TRUE(test, tdx_fake_is_ext_leaf(TDH_IDE_STREAM_KM));
	KUNIT_EXPECT_TRUE(test, tdx_fake_is_ext_leaf(TDH_SPDM_MNG));
	KUNIT_EXPECT_FALSE(test, tdx_fake_is_ext_leaf(TDH_IOMMU_SETUP));
	KUNIT_EXPECT_FALSE(test, tdx_fake_is_ext_leaf(TDH_SPDM_MNG + 1));
	tdx_fake_give_back(fake, page);
}

/*
 * After TDX_SPDM_REQUEST only the same leaf for the same session (and
 * stream) may come next, until it returns anything else.
 */
static void extension_operation_in_flight_makes_others_busy(struct kunit *test)
{
	struct tdx_fake_module *fake = configured(test);
	struct tdx_module_args args = { .rdx = TDX_MD_FEATURES0 };
	unsigned int calls = 0;

	fake->ext_leaf = ext_every_third;
	fake->ext_priv = &calls;
	fake->expect_violations = true;
	KUNIT_EXPECT_EQ(test, ext_call(TDH_SPDM_CONNECT, 7, 0), TDX_SPDM_REQUEST);
	KUNIT_EXPECT_EQ(test, ext_call(TDH_SPDM_MNG, 7, 0), TDX_OPERAND_BUSY);
	KUNIT_EXPECT_EQ(test, ext_call(TDH_SPDM_CONNECT, 8, 0), TDX_OPERAND_BUSY);
	KUNIT_EXPECT_EQ(test, calls, 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&fake->nr_ext_busy), 2);
	KUNIT_EXPECT_EQ(test, fake->nr_violations, 2);
	KUNIT_EXPECT_NOT_NULL(test, strstr(fake->violation, "TDH.SPDM.CONNECT waits"));
	/* Other leaves are not the Extensions' */
	KUNIT_EXPECT_EQ(test, call(TDH_SYS_RD, 0, &args), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, ext_call(TDH_SPDM_CONNECT, 7, 0), TDX_SPDM_REQUEST);
	KUNIT_EXPECT_EQ(test, ext_call(TDH_SPDM_CONNECT, 7, 0), TDX_SUCCESS);

	/* Over: anything may come.  For IDE key management the stream counts too. */
	KUNIT_EXPECT_EQ(test, ext_call(TDH_IDE_STREAM_KM, 7, 1), TDX_SPDM_REQUEST);
	KUNIT_EXPECT_EQ(test, ext_call(TDH_IDE_STREAM_KM, 7, 2), TDX_OPERAND_BUSY);
	KUNIT_EXPECT_EQ(test, ext_call(TDH_IDE_STREAM_KM, 7, 1), TDX_SPDM_REQUEST);
	KUNIT_EXPECT_EQ(test, ext_call(TDH_IDE_STREAM_KM, 7, 1), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, ext_call(TDH_SPDM_DELETE, 7, 0), TDX_SPDM_REQUEST);
	KUNIT_EXPECT_EQ(test, calls, 7);
	KUNIT_EXPECT_EQ(test, atomic_read(&fake->nr_ext_busy), 3);
	KUNIT_EXPECT_EQ(test, fake->nr_violations, 3);
}

static void nth_call_fails_without_side_effect(struct kunit *test)
{
	struct tdx_fake_module *fake = tdx_fake_module_install(test);

	fake->fail_nth = 2;
	fake->fail_status = TDX_OPERAND_BUSY | TDX_OPERAND_ID_RCX;
	KUNIT_EXPECT_EQ(test, sys_config(1, BIT_ULL(7)), R9_INVALID);
	KUNIT_EXPECT_EQ(test, sys_config(1, TDX_FEATURES0_TDX_CONNECT),
			TDX_OPERAND_BUSY | TDX_OPERAND_ID_RCX);
	KUNIT_EXPECT_FALSE(test, fake->configured);
	KUNIT_EXPECT_EQ(test, sys_config(1, TDX_FEATURES0_TDX_CONNECT), TDX_SUCCESS);
	KUNIT_EXPECT_EQ(test, tdx_fake_calls(fake, TDH_SYS_CONFIG), 3);
	KUNIT_EXPECT_EQ(test, tdx_fake_calls(fake, TDH_EXT_INIT), 0);
	KUNIT_EXPECT_EQ(test, fake->nr_calls, 3);
}

static struct kunit_case tdx_fake_module_test_cases[] = {
	KUNIT_CASE(unknown_leaves_and_versions_are_refused),
	KUNIT_CASE(sys_rd_serves_connect_fields_only_after_config),
	KUNIT_CASE(sys_rd_serves_spdm_and_ide_page_counts),
	KUNIT_CASE(sys_config_checks_operands_and_features),
	KUNIT_CASE(mem_add_needs_tdx_connect_configured),
	KUNIT_CASE(mem_add_refuses_bad_list_info),
	KUNIT_CASE_PARAM(mem_add_refuses_bad_entry_after_adding_the_ones_before,
			 bad_entry_gen_params),
	KUNIT_CASE(mem_add_refuses_more_pages_than_the_pool_takes),
	KUNIT_CASE(mem_add_interrupt_resumes_from_first_entry),
	KUNIT_CASE(ext_init_needs_the_whole_pool_and_runs_once),
	KUNIT_CASE(iommu_setup_refuses_unknown_and_incapable_units),
	KUNIT_CASE(iommu_setup_needs_extensions),
	KUNIT_CASE_PARAM(iommu_setup_refuses_bad_iommu_mt, bad_mt_gen_params),
	KUNIT_CASE(iommu_setup_refuses_pages_it_owns),
	KUNIT_CASE(iommu_setup_and_clear_move_ownership),
	KUNIT_CASE(iommu_setup_restart_must_repeat_inputs),
	KUNIT_CASE(other_leaves_go_to_the_handler),
	KUNIT_CASE(extension_leaves_go_to_ext_leaf_before_other_leaf),
	KUNIT_CASE(extension_operation_in_flight_makes_others_busy),
	KUNIT_CASE(nth_call_fails_without_side_effect),
	{}
};

static struct kunit_suite tdx_fake_module_test_suite = {
	.name = "tdx_fake_module",
	.test_cases = tdx_fake_module_test_cases,
};

kunit_test_suite(tdx_fake_module_test_suite);
