// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the bring-up of the TDX module Extensions, against the
 * fake TDX module: the happy path, a failure at every SEAMCALL, and the
 * SEAMCALLs per leaf that a 50 MB pool costs.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

#include <linux/err.h>
#include <linux/math.h>
#include <linux/mm.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include <kunit/static_stub.h>
#include <kunit/test.h>

#include <asm/shared/tdx_errno.h>
#include <asm/tdx.h>
#include <asm/tdx_fake_module.h>
#include <asm/tdx_handoff.h>
#include <asm/tdx_page_list.h>
#include <asm/tdx_release.h>

#include "tdx.h"

/* A pool of three chunks, the last one partial. */
#define TEST_POOL_PAGES		1100
#define TEST_POOL_CHUNKS	3

/* The Extensions pool of current modules, about 50 MB. */
#define BENCH_POOL_PAGES	12800

static u64 tdmr_array[64] __aligned(512);

/* The real WARNs of the last bring_up(), suppressed and counted */
static int nr_leak_warnings;

static struct tdx_page_list *bring_up(struct kunit *test)
{
	struct tdx_page_list *pool = ERR_PTR(-EINVAL);

	nr_leak_warnings = -1;
	kunit_warning_suppress(test) {
		pool = tdx_ext_bring_up();
		nr_leak_warnings = KUNIT_SUPPRESSED_WARNING_COUNT();
	}
	return pool;
}

static struct tdx_fake_module *fake_module(struct kunit *test, u32 pool_pages)
{
	struct tdx_fake_module *fake = tdx_fake_module_install(test);

	fake->pool_required_pages = pool_pages;
	return fake;
}

static int sys_config(void)
{
	return tdx_ext_sys_config(__pa(tdmr_array), 1, 0);
}

/*
 * The pages of a pool the module owns go back only with the fake when the
 * test ends; the bookkeeping is freed here.
 */
static void drop_pool(struct tdx_page_list *pool)
{
	if (!IS_ERR_OR_NULL(pool))
		kvfree(pool);
}

static void sys_config_enables_tdx_connect(struct kunit *test)
{
	struct tdx_fake_module *fake = fake_module(test, TEST_POOL_PAGES);

	KUNIT_EXPECT_EQ(test, sys_config(), 0);
	KUNIT_EXPECT_EQ(test, fake->config_features, TDX_FEATURES0_TDX_CONNECT);
}

/* A module that does not offer TDX Connect refuses the feature. */
static void sys_config_refused_fails(struct kunit *test)
{
	struct tdx_fake_module *fake = fake_module(test, TEST_POOL_PAGES);

	fake->features0 = TDX_FEATURES0_NO_RBP_MOD;
	KUNIT_EXPECT_EQ(test, sys_config(), -EIO);
	KUNIT_EXPECT_FALSE(test, fake->configured);
}

static void bring_up_hands_over_the_pool_in_512_page_chunks(struct kunit *test)
{
	struct tdx_fake_module *fake = fake_module(test, TEST_POOL_PAGES);
	struct tdx_page_list *pool;
	unsigned int i;

	KUNIT_ASSERT_EQ(test, sys_config(), 0);
	pool = bring_up(test);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(pool));
	KUNIT_EXPECT_EQ(test, pool->nr_pages, TEST_POOL_PAGES);
	KUNIT_EXPECT_TRUE(test, fake->ext_initialized);
	KUNIT_EXPECT_EQ(test, fake->pool_pages, TEST_POOL_PAGES);
	for (i = 0; i < pool->nr_pages; i++)
		KUNIT_EXPECT_TRUE(test, tdx_fake_owns(fake, page_to_phys(pool->pages[i])));
	KUNIT_EXPECT_EQ(test, tdx_fake_calls(fake, TDH_SYS_RD), 2);
	KUNIT_EXPECT_EQ(test, tdx_fake_calls(fake, TDH_EXT_MEM_ADD), TEST_POOL_CHUNKS);
	KUNIT_EXPECT_EQ(test, tdx_fake_calls(fake, TDH_EXT_INIT), 1);
	KUNIT_EXPECT_EQ(test, nr_leak_warnings, 0);
	drop_pool(pool);
}

/* Metadata that only exists after TDH.SYS.CONFIG with TDX Connect. */
static void bring_up_before_sys_config_fails(struct kunit *test)
{
	struct tdx_fake_module *fake = fake_module(test, TEST_POOL_PAGES);

	KUNIT_EXPECT_EQ(test, PTR_ERR(tdx_ext_bring_up()), -EIO);
	KUNIT_EXPECT_EQ(test, tdx_fake_calls(fake, TDH_EXT_MEM_ADD), 0);
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(fake), 0);
}

static void bring_up_not_required_does_nothing(struct kunit *test)
{
	struct tdx_fake_module *fake = fake_module(test, TEST_POOL_PAGES);

	fake->ext_required = 0;
	KUNIT_ASSERT_EQ(test, sys_config(), 0);
	KUNIT_EXPECT_NULL(test, tdx_ext_bring_up());
	KUNIT_EXPECT_EQ(test, tdx_fake_calls(fake, TDH_EXT_MEM_ADD), 0);
	KUNIT_EXPECT_EQ(test, tdx_fake_calls(fake, TDH_EXT_INIT), 0);
}

static const u64 fail_statuses[] = {
	TDX_OPERAND_BUSY | TDX_OPERAND_ID_RCX,
	TDX_SYS_NOT_READY,
};

/*
 * Fail each SEAMCALL of the bring-up in turn, with a known and an unknown
 * status.  Before the first TDH.EXT.MEM.ADD nothing is the module's and
 * nothing is leaked; from it on the module may own the pool, which is
 * leaked with one warning, and the fake owns exactly the chunks added
 * before the failure.
 */
static void bring_up_fails_cleanly_at_every_call(struct kunit *test)
{
	struct tdx_fake_module *fake = fake_module(test, TEST_POOL_PAGES);
	unsigned int nr_calls = 1 + 2 + TEST_POOL_CHUNKS + 1;
	unsigned int s, n;

	for (s = 0; s < ARRAY_SIZE(fail_statuses); s++) {
		for (n = 2; n <= nr_calls; n++) {
			unsigned int chunks_before = n > 3 ? min(n - 4, 3U) : 0;
			struct tdx_page_list *pool;

			tdx_fake_module_reset(fake);
			fake->pool_required_pages = TEST_POOL_PAGES;
			fake->fail_nth = n;
			fake->fail_status = fail_statuses[s];

			KUNIT_ASSERT_EQ(test, sys_config(), 0);
			pool = bring_up(test);
			KUNIT_EXPECT_EQ_MSG(test, PTR_ERR(pool), -EIO, "call %u", n);
			KUNIT_EXPECT_FALSE(test, fake->ext_initialized);
			KUNIT_EXPECT_EQ_MSG(test, nr_leak_warnings, n > 3 ? 1 : 0, "call %u", n);
			KUNIT_EXPECT_EQ_MSG(test, tdx_fake_calls(fake, TDH_EXT_MEM_ADD),
					    n > 3 ? min(n - 3, 3U) : 0, "call %u", n);
			KUNIT_EXPECT_EQ_MSG(test, tdx_fake_nr_owned(fake),
					    n == nr_calls ? TEST_POOL_PAGES : chunks_before * 512,
					    "call %u", n);
			drop_pool(pool);
		}
	}

	/* The first call, TDH.SYS.CONFIG, too. */
	tdx_fake_module_reset(fake);
	fake->fail_nth = 1;
	fake->fail_status = TDX_OPERAND_BUSY;
	KUNIT_EXPECT_EQ(test, sys_config(), -EIO);
}

static unsigned int nr_pages_reset;

static u64 *no_root_page(void)
{
	return NULL;
}

static void count_reset(struct page *page)
{
	nr_pages_reset++;
}

static struct page *no_block(unsigned int order)
{
	return NULL;
}

/*
 * Without a root page nothing reaches the module: the whole pool goes
 * back through the free path, which makes every page safe first.
 */
static void bring_up_frees_the_pool_the_module_never_saw(struct kunit *test)
{
	struct tdx_fake_module *fake = fake_module(test, TEST_POOL_PAGES);

	KUNIT_ASSERT_EQ(test, sys_config(), 0);
	nr_pages_reset = 0;
	kunit_activate_static_stub(test, tdx_handoff_alloc_root, no_root_page);
	kunit_activate_static_stub(test, tdx_page_list_reset_page, count_reset);
	KUNIT_EXPECT_EQ(test, PTR_ERR(bring_up(test)), -ENOMEM);
	KUNIT_EXPECT_EQ(test, nr_pages_reset, TEST_POOL_PAGES);
	KUNIT_EXPECT_EQ(test, nr_leak_warnings, 0);
	KUNIT_EXPECT_EQ(test, tdx_fake_calls(fake, TDH_EXT_MEM_ADD), 0);
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(fake), 0);
}

static void bring_up_without_memory_fails_before_any_hand_over(struct kunit *test)
{
	struct tdx_fake_module *fake = fake_module(test, TEST_POOL_PAGES);

	KUNIT_ASSERT_EQ(test, sys_config(), 0);
	kunit_activate_static_stub(test, tdx_page_list_alloc_block, no_block);
	KUNIT_EXPECT_EQ(test, PTR_ERR(bring_up(test)), -ENOMEM);
	KUNIT_EXPECT_EQ(test, nr_leak_warnings, 0);
	KUNIT_EXPECT_EQ(test, tdx_fake_calls(fake, TDH_EXT_MEM_ADD), 0);
}

/* A TDH.EXT.MEM.ADD that never progresses gives up and leaks the pool. */
static void bring_up_with_a_stuck_mem_add_fails(struct kunit *test)
{
	struct tdx_fake_module *fake = fake_module(test, TEST_POOL_PAGES);

	KUNIT_ASSERT_EQ(test, sys_config(), 0);
	fake->interrupt_leaf = TDH_EXT_MEM_ADD;
	fake->interrupts = UINT_MAX;
	fake->interrupt_progress = 0;
	KUNIT_EXPECT_EQ(test, PTR_ERR(bring_up(test)), -EIO);
	KUNIT_EXPECT_EQ(test, nr_leak_warnings, 1);
	KUNIT_EXPECT_FALSE(test, fake->ext_initialized);
}

struct bench_case {
	const char *desc;
	u16 leaf;
	unsigned int progress;
};

static const struct bench_case bench_cases[] = {
	{ "no interruptions", 0, 0 },
	{ "TDH.EXT.MEM.ADD interrupted every 100 pages", TDH_EXT_MEM_ADD, 100 },
	{ "TDH.EXT.INIT interrupted 3 times", TDH_EXT_INIT, 1 },
};

static void bench_case_desc(const struct bench_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(bench, bench_cases, bench_case_desc);

/*
 * SEAMCALLs per leaf for a 50 MB pool: one TDH.EXT.MEM.ADD per 512-page
 * chunk and one more call per interruption, nothing else.
 */
static void bench_50mb_pool_seamcalls_per_leaf(struct kunit *test)
{
	const struct bench_case *c = test->param_value;
	struct tdx_fake_module *fake = fake_module(test, BENCH_POOL_PAGES);
	unsigned int chunks = DIV_ROUND_UP(BENCH_POOL_PAGES, 512);
	struct tdx_page_list *pool;

	KUNIT_ASSERT_EQ(test, sys_config(), 0);
	fake->interrupt_leaf = c->leaf;
	fake->interrupts = UINT_MAX;
	fake->interrupt_progress = c->progress;

	pool = tdx_ext_bring_up();
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(pool));

	kunit_info(test, "%u MB pool: TDH.SYS.CONFIG %u, TDH.SYS.RD %u, TDH.EXT.MEM.ADD %u, TDH.EXT.INIT %u, interruptions %u, %u allocations\n",
		   (BENCH_POOL_PAGES << PAGE_SHIFT) / SZ_1M,
		   tdx_fake_calls(fake, TDH_SYS_CONFIG), tdx_fake_calls(fake, TDH_SYS_RD),
		   tdx_fake_calls(fake, TDH_EXT_MEM_ADD), tdx_fake_calls(fake, TDH_EXT_INIT),
		   fake->nr_interrupted, pool->nr_allocs);

	KUNIT_EXPECT_EQ(test, tdx_fake_calls(fake, TDH_SYS_RD), 2);
	KUNIT_EXPECT_EQ(test, tdx_fake_calls(fake, TDH_EXT_MEM_ADD) +
			tdx_fake_calls(fake, TDH_EXT_INIT),
			chunks + 1 + fake->nr_interrupted);
	KUNIT_EXPECT_EQ(test, fake->pool_pages, BENCH_POOL_PAGES);
	drop_pool(pool);
}

static struct kunit_case tdx_ext_test_cases[] = {
	KUNIT_CASE(sys_config_enables_tdx_connect),
	KUNIT_CASE(sys_config_refused_fails),
	KUNIT_CASE(bring_up_hands_over_the_pool_in_512_page_chunks),
	KUNIT_CASE(bring_up_before_sys_config_fails),
	KUNIT_CASE(bring_up_not_required_does_nothing),
	KUNIT_CASE(bring_up_fails_cleanly_at_every_call),
	KUNIT_CASE(bring_up_with_a_stuck_mem_add_fails),
	KUNIT_CASE(bring_up_frees_the_pool_the_module_never_saw),
	KUNIT_CASE(bring_up_without_memory_fails_before_any_hand_over),
	KUNIT_CASE_PARAM_ATTR(bench_50mb_pool_seamcalls_per_leaf, bench_gen_params,
			      { .speed = KUNIT_SPEED_SLOW }),
	{}
};

static struct kunit_suite tdx_ext_test_suite = {
	.name = "tdx_ext",
	.test_cases = tdx_ext_test_cases,
};

kunit_test_suite(tdx_ext_test_suite);

MODULE_DESCRIPTION("KUnit tests for the TDX module Extensions bring-up");
MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");
MODULE_LICENSE("GPL");
