// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the bring-up of the TDX module Extensions, against the
 * fake TDX module: the happy path, a failure at every SEAMCALL, and the
 * SEAMCALLs per leaf that a 50 MB pool costs.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

#include <linux/bitfield.h>
#include <linux/err.h>
#include <linux/math.h>
#include <linux/mm.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include <kunit/static_stub.h>
#include <kunit/test.h>

#include <asm/shared/tdx_errno.h>
#include <asm/tdx.h>
#include "tests/tdx_fake_module.h"
#include <asm/tdx_handoff.h>
#include <asm/tdx_page_list.h>
#include <asm/tdx_release.h>

#include "tdx.h"
#include "tdx_page_list_kunit.h"
#include "tdx_handoff_kunit.h"

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

/*
 * read_sys_metadata_field() makes TDH.SYS.RD with seamcall_prerr_ret(),
 * straight into SEAM, and the fake module only sits behind
 * tdx_seamcall_enter(): this stand-in makes the same call through
 * tdx_seamcall_ver(), so that the fake answers, checks and counts it.
 */
static int fake_sys_rd(u64 field_id, u64 *data)
{
	struct tdx_module_args args = { .rdx = field_id };

	if (tdx_seamcall_ver(TDH_SYS_RD, 0, &args) != TDX_SUCCESS)
		return -EIO;
	*data = args.r8;
	return 0;
}

static struct tdx_fake_module *fake_module(struct kunit *test, u32 pool_pages)
{
	struct tdx_fake_module *fake = tdx_fake_module_install(test);

	fake->pool_required_pages = pool_pages;
	kunit_activate_static_stub(test, read_sys_metadata_field, fake_sys_rd);
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
 * nothing is leaked; from it on the module may own what was handed over,
 * which is leaked with one warning (which pages, and that the others are
 * freed, is bring_up_leaks_only_what_was_handed_over()), and the fake
 * owns exactly the chunks added before the failure.
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

/* A pool of 0 pages: nothing to allocate or add, TDH.EXT.INIT still runs. */
static void bring_up_with_an_empty_pool_only_runs_ext_init(struct kunit *test)
{
	struct tdx_fake_module *fake = fake_module(test, 0);

	KUNIT_ASSERT_EQ(test, sys_config(), 0);
	KUNIT_EXPECT_NULL(test, bring_up(test));
	KUNIT_EXPECT_EQ(test, nr_leak_warnings, 0);
	KUNIT_EXPECT_EQ(test, tdx_fake_calls(fake, TDH_EXT_MEM_ADD), 0);
	KUNIT_EXPECT_EQ(test, tdx_fake_calls(fake, TDH_EXT_INIT), 1);
	KUNIT_EXPECT_TRUE(test, fake->ext_initialized);
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(fake), 0);
}

/* Not required: not even a pool the module asks for is allocated. */
static void bring_up_not_required_allocates_nothing(struct kunit *test)
{
	struct tdx_fake_module *fake = fake_module(test, TEST_POOL_PAGES);

	fake->ext_required = 0;
	KUNIT_ASSERT_EQ(test, sys_config(), 0);
	kunit_activate_static_stub(test, tdx_page_list_alloc_block, no_block);
	KUNIT_EXPECT_NULL(test, bring_up(test));
	KUNIT_EXPECT_EQ(test, tdx_fake_calls(fake, TDH_SYS_RD), 1);
	KUNIT_EXPECT_FALSE(test, fake->ext_initialized);
}

/*
 * The pages of the pool, recorded as the page allocator hands them out,
 * and how often each went back to it through tdx_page_list_free().
 */
struct pool_record {
	struct tdx_fake_module *fake;
	unsigned int nr;
	struct page *pages[TEST_POOL_PAGES];
	unsigned int freed[TEST_POOL_PAGES];
	unsigned int unknown_frees;
};

static struct page *record_block(unsigned int order)
{
	struct pool_record *rec = kunit_get_current_test()->priv;
	struct page *block;
	unsigned int i;

	if (rec->nr + (1U << order) > TEST_POOL_PAGES)
		return NULL;
	block = alloc_pages(GFP_KERNEL | (order ? __GFP_NOWARN | __GFP_NORETRY : 0), order);
	if (!block)
		return NULL;
	for (i = 0; i < (1U << order); i++)
		rec->pages[rec->nr++] = block + i;
	return block;
}

/* tdx_page_list_free() makes each page safe right before it frees it. */
static void record_free(struct page *page)
{
	struct pool_record *rec = kunit_get_current_test()->priv;
	unsigned int i;

	for (i = 0; i < rec->nr; i++) {
		if (rec->pages[i] == page) {
			rec->freed[i]++;
			return;
		}
	}
	rec->unknown_frees++;
}

/*
 * The test frees what the kernel leaked and the fake does not own: the
 * pages of a chunk the module failed on, which it may own for real.
 */
static void pool_record_cleanup(void *data)
{
	struct pool_record *rec = data;
	unsigned int i;

	for (i = 0; i < rec->nr; i++) {
		if (!rec->freed[i] && !tdx_fake_owns(rec->fake, page_to_phys(rec->pages[i])))
			__free_page(rec->pages[i]);
	}
}

static struct pool_record *record_pool(struct kunit *test, struct tdx_fake_module *fake)
{
	struct pool_record *rec = kunit_kzalloc(test, sizeof(*rec), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, rec);
	rec->fake = fake;
	test->priv = rec;
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, pool_record_cleanup, rec), 0);
	kunit_activate_static_stub(test, tdx_page_list_alloc_block, record_block);
	kunit_activate_static_stub(test, tdx_page_list_reset_page, record_free);
	return rec;
}

struct leak_case {
	const char *desc;
	unsigned int chunk;	/* chunk that fails; TEST_POOL_CHUNKS: TDH.EXT.INIT */
	bool bad_resume;	/* a resume point the kernel refuses, not a status */
};

static const struct leak_case leak_cases[] = {
	{ "TDH.EXT.MEM.ADD fails in chunk 0", 0, false },
	{ "TDH.EXT.MEM.ADD fails in chunk 1", 1, false },
	{ "TDH.EXT.MEM.ADD fails in the last chunk", 2, false },
	{ "TDH.EXT.MEM.ADD resumes wrongly in chunk 0", 0, true },
	{ "TDH.EXT.INIT fails", TEST_POOL_CHUNKS, false },
};

static void leak_case_desc(const struct leak_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(leak, leak_cases, leak_case_desc);

/*
 * After a failure in chunk k, chunks 0 to k-1 are the module's and chunk
 * k may be: those are leaked, never freed.  The chunks after k never went
 * to the module and are freed, each page once.  A failed TDH.EXT.INIT
 * leaks the whole pool.  One warning either way.
 */
static void bring_up_leaks_only_what_was_handed_over(struct kunit *test)
{
	const struct leak_case *c = test->param_value;
	struct tdx_fake_module *fake = fake_module(test, TEST_POOL_PAGES);
	struct pool_record *rec = record_pool(test, fake);
	unsigned int handed = min((c->chunk + 1) * 512, TEST_POOL_PAGES);
	unsigned int leaked_but_freed = 0, not_freed_once = 0, not_owned = 0;
	unsigned int i;

	KUNIT_ASSERT_EQ(test, sys_config(), 0);
	if (c->bad_resume) {
		/* Interrupted once, 100 pages in, with another root page. */
		fake->interrupt_leaf = TDH_EXT_MEM_ADD;
		fake->interrupts = 1;
		fake->interrupt_progress = 100;
		fake->mem_add_resume_flip = TDX_HPA_LIST_INFO_PFN & -TDX_HPA_LIST_INFO_PFN;
	} else {
		/* TDH.SYS.CONFIG, two TDH.SYS.RD, then one call per chunk. */
		fake->fail_nth = 1 + 2 + c->chunk + 1;
		fake->fail_status = TDX_OPERAND_BUSY | TDX_OPERAND_ID_RCX;
	}

	KUNIT_EXPECT_EQ(test, PTR_ERR(bring_up(test)), -EIO);
	KUNIT_EXPECT_EQ(test, nr_leak_warnings, 1);
	KUNIT_EXPECT_FALSE(test, fake->ext_initialized);
	KUNIT_ASSERT_EQ(test, rec->nr, TEST_POOL_PAGES);
	KUNIT_EXPECT_EQ(test, rec->unknown_frees, 0);

	for (i = 0; i < TEST_POOL_PAGES; i++) {
		bool owned = tdx_fake_owns(fake, page_to_phys(rec->pages[i]));

		if (i < handed)
			leaked_but_freed += rec->freed[i];
		else if (rec->freed[i] != 1 || owned)
			not_freed_once += 1;
		/* The chunks before the failing one all went over. */
		if (i < c->chunk * 512 && !owned)
			not_owned += 1;
	}
	KUNIT_EXPECT_EQ(test, leaked_but_freed, 0);
	KUNIT_EXPECT_EQ(test, not_freed_once, 0);
	KUNIT_EXPECT_EQ(test, not_owned, 0);
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
	KUNIT_CASE(bring_up_with_an_empty_pool_only_runs_ext_init),
	KUNIT_CASE(bring_up_not_required_allocates_nothing),
	KUNIT_CASE_PARAM(bring_up_leaks_only_what_was_handed_over, leak_gen_params),
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
