// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the metadata trees that the TDIs of tdx-host share:
 * MMIO BARs over several regions, TDIs that share the levels of a tree
 * until the last one goes, a level-0 MMIOMT page per 512 KiB, and the
 * SEAMCALL count of binding many TDIs of one device
 * (tests/tdx_host_test_tdi.h).
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

#include <linux/bitfield.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/io.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/pci.h>
#include <linux/pci-doe.h>
#include <linux/pci-tsm.h>
#include <linux/sched.h>
#include <linux/sockptr.h>
#include <linux/string.h>
#include <linux/unaligned.h>

#include <kunit/static_stub.h>
#include <kunit/test.h>

#include <asm/shared/tdx_errno.h>
#include <asm/tdx.h>
#include <asm/tdx_release.h>
#include <asm/tdx_tdi.h>

#include "../../../../arch/x86/virt/vmx/tdx/tdx.h"
#include "tests/tdx_host_test_tdi.h"
#include "tdx_host_link.h"
#include "tdx_host_relay.h"
#include "tdx_host_tables.h"
#include "tdx_host_tdi.h"

/*
 * BARs in any order, one spanning two 512 KiB regions, two sharing one:
 * a level-0 MMIOMT page per region touched, a SET per 4 KiB page.
 */
static void bars_in_several_regions_in_any_order(struct kunit *test)
{
	struct tdi_env *env = tdi_test_env(test);
	struct fake_dev *fd = tdi_test_fake_dev(test, env, TEST_BUS, 0xfe000000);
	struct pci_dev *pdev = fd->pdev;
	struct pci_tdi *tdi;

	/* BAR 0: the end of region 3; BAR 2: regions 0-1; BAR 4: region 3 too */
	pdev->resource[0] = DEFINE_RES_MEM(0xfe000000 + 3 * SZ_512K + SZ_256K, SZ_256K);
	pdev->resource[2] = DEFINE_RES_MEM(0xfe000000 + SZ_256K, SZ_512K);
	pdev->resource[4] = DEFINE_RES_MEM(0xfe000000 + 3 * SZ_512K, SZ_64K);
	tdi = tdi_test_bind(fd, TEST_TDI_ID);
	KUNIT_ASSERT_FALSE(test, IS_ERR(tdi));
	/* Regions 0, 1, 3: three level-0 pages below one of each level above */
	KUNIT_EXPECT_EQ(test, tdx_host_tree_nr_pages(&env->tables, &env->tables.mmiomt),
			NR_MMIOMT - 1 + 3);
	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_nr_mmio(env->ft, tdi_test_func_id(fd)),
			(SZ_256K + SZ_512K + SZ_64K) / PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, tdx_fake_calls(env->fake, TDH_MMIOMT_SET),
			(SZ_256K + SZ_512K + SZ_64K) / PAGE_SIZE);
	tdx_host_tdi_unbind(tdi);
	tdi_test_expect_nothing_owned(test, env, fd);
}

/* Another function of @fd's device, under the same link, with its own BARs */
static struct fake_dev *fake_sibling(struct kunit *test, struct fake_dev *fd, u8 devfn,
				     u64 mmio, u64 bar0_size)
{
	struct fake_dev *sib = kunit_kzalloc(test, sizeof(*sib), GFP_KERNEL);
	struct pci_dev *pdev = kunit_kzalloc(test, sizeof(*pdev), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, sib);
	KUNIT_ASSERT_NOT_NULL(test, pdev);
	*sib = *fd;
	sib->pdev = pdev;
	sib->nr_mapped = 0;
	sib->guest_dma = false;
	pdev->bus = fd->bus;
	pdev->devfn = devfn;
	pdev->resource[0] = DEFINE_RES_MEM(mmio, bar0_size);
	return sib;
}

/*
 * A second function of the device shares every level the first one added:
 * its bind adds only its own DEVIF, DMAR and MMIO entries; the levels go
 * with the last user, whichever unbinds last.
 */
static void tdis_share_the_levels_and_the_last_one_removes_them(struct kunit *test)
{
	struct tdi_env *env = tdi_test_env(test);
	struct fake_dev *fd = tdi_test_fake_dev(test, env, TEST_BUS, 0xfe000000);
	/* BAR 0 in the same 512 KiB region as fd's */
	struct fake_dev *sib = fake_sibling(test, fd, PCI_DEVFN(2, 2), 0xfe020000, 2 * PAGE_SIZE);
	struct seq *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	struct pci_tdi *first, *second;
	unsigned int from;

	KUNIT_ASSERT_NOT_NULL(test, s);
	first = tdi_test_bind(fd, TEST_TDI_ID);
	KUNIT_ASSERT_FALSE(test, IS_ERR(first));

	from = env->ft->nr_log;
	second = tdi_test_bind(sib, TEST_TDI_ID + 1);
	KUNIT_ASSERT_FALSE(test, IS_ERR(second));
	tdi_test_push(s, EVT_DMA_SETUP, 1);
	tdi_test_push(s, TDH_DEVIF_CREATE, 1);
	/* the root table entry is shared: CTE, PDE, PASIDTE */
	tdi_test_push(s, TDH_DMAR_ADD, NR_DMAR - 1);
	tdi_test_push(s, TDH_MMIOMT_SET, 2);
	tdi_test_push_tdisp(s);
	tdi_test_expect_log(test, env->ft, from, s);
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(env->fake),
			NR_BIND_PAGES + NR_DEVIF_PAGES + NR_DMAR_PAGES - 1);

	/* The first unbind leaves every shared level in place. */
	from = env->ft->nr_log;
	tdx_host_tdi_unbind(first);
	s->n = 0;
	tdi_test_push_tdisp(s);
	tdi_test_push(s, EVT_MMIO_UNMAP, 1);
	tdi_test_push(s, TDH_MMIOMT_SET, NR_MMIO);
	tdi_test_push_dmar_unmap(s, NR_DMAR - 1);
	tdi_test_push(s, TDH_DEVIF_REMOVE, 1);
	tdi_test_push(s, EVT_DMA_CLEANUP, 1);
	tdi_test_push(s, EVT_MMIO_SHARE, 1);
	tdi_test_expect_log(test, env->ft, from, s);
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(env->fake),
			NR_DEVIFMT + NR_DEVIF_PAGES + NR_DMAR_PAGES + NR_MMIOMT);

	/* The last takes them all back, lowest level first. */
	from = env->ft->nr_log;
	tdx_host_tdi_unbind(second);
	s->n = 0;
	tdi_test_push_tdisp(s);
	tdi_test_push(s, EVT_MMIO_UNMAP, 1);
	tdi_test_push(s, TDH_MMIOMT_SET, 2);
	tdi_test_push(s, TDH_MMIOMT_REMOVE, NR_MMIOMT);
	tdi_test_push_dmar_unmap(s, NR_DMAR);
	tdi_test_push(s, TDH_DEVIF_REMOVE, 1);
	tdi_test_push(s, TDH_DEVIFMT_REMOVE, NR_DEVIFMT);
	tdi_test_push(s, EVT_DMA_CLEANUP, 1);
	tdi_test_push(s, EVT_MMIO_SHARE, 1);
	tdi_test_expect_log(test, env->ft, from, s);
	tdi_test_expect_nothing_owned(test, env, fd);
	tdi_test_expect_nothing_owned(test, env, sib);
}

/*
 * MMIO past the first 512 KiB of a 2 MiB region needs a level-0 MMIOMT
 * page of its own: a BAR of 1 MiB spans two.
 */
static void mmio_gets_a_level0_page_per_512k(struct kunit *test)
{
	struct tdi_env *env = tdi_test_env(test);
	struct fake_dev *fd = tdi_test_fake_dev(test, env, TEST_BUS, 0xfe000000);
	struct fake_dev *big = fake_sibling(test, fd, PCI_DEVFN(3, 0), 0xfe200000, SZ_1M);
	struct pci_tdi *tdi;

	tdi = tdi_test_bind(big, TEST_TDI_ID);
	KUNIT_ASSERT_FALSE(test, IS_ERR(tdi));
	KUNIT_EXPECT_EQ(test, tdx_host_tree_nr_pages(&env->tables, &env->tables.mmiomt),
			NR_MMIOMT + 1);
	KUNIT_EXPECT_EQ(test, tdx_fake_calls(env->fake, TDH_MMIOMT_ADD), NR_MMIOMT + 1);
	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_nr_mmio(env->ft, tdi_test_func_id(big)),
			SZ_1M / PAGE_SIZE);
	tdx_host_tdi_unbind(tdi);
	tdi_test_expect_nothing_owned(test, env, big);
}

/*
 * Binding one function with a 2 GiB BAR, and the functions of one device
 * with 256 MiB of BARs between them
 */
struct bench_case {
	unsigned int n;
	u64 size;
};

static const struct bench_case bench_cases[] = {
	{ 1, SZ_2G },
	{ 8, SZ_256M },
	{ 64, SZ_256M },
};

static void bench_desc(const struct bench_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%u TDIs, %llu MiB", c->n, c->size >> 20);
}

KUNIT_ARRAY_PARAM(bench, bench_cases, bench_desc);

#define BENCH_MMIO_BASE		0x4000000000ULL	/* 256 GiB, 2 GiB aligned */

static void bench_bind_tdis_of_one_device(struct kunit *test)
{
	const struct bench_case *c = test->param_value;
	const unsigned int n = c->n;
	const u64 bar = c->size / n;
	struct tdi_env *env = tdi_test_env(test);
	struct fake_dev *fd = tdi_test_fake_dev(test, env, TEST_BUS, 0xfe000000);
	unsigned long mmio_pages = c->size / PAGE_SIZE;
	/* 512 KiB level-0 pages, 256 MiB level-1 pages, one each above */
	unsigned long mmiomt_pages = c->size / SZ_512K + c->size / SZ_256M + 3;
	unsigned long min_calls, min_pages, calls, pages;
	struct fake_dev **fn;
	struct pci_tdi **tdi;
	unsigned int i;

	fn = kunit_kcalloc(test, n, sizeof(*fn), GFP_KERNEL);
	tdi = kunit_kcalloc(test, n, sizeof(*tdi), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, fn);
	KUNIT_ASSERT_NOT_NULL(test, tdi);
	for (i = 0; i < n; i++)
		fn[i] = fake_sibling(test, fd, i, BENCH_MMIO_BASE + i * bar, bar);

	calls = env->fake->nr_calls;
	for (i = 0; i < n; i++) {
		tdi[i] = tdi_test_bind(fn[i], TEST_TDI_ID + i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(tdi[i]));
	}
	calls = env->fake->nr_calls - calls;
	pages = tdx_fake_nr_owned(env->fake);

	/*
	 * The minimum the trees imply: 4 DEVIFMT levels for the 64 RIDs, one
	 * root table entry, the MMIOMT levels over 1 GiB; per TDI its
	 * control structure and 2 message buffers, a PASID directory and a
	 * PASID table page.  SEAMCALLs: an ADD per page, a DEVIF.CREATE,
	 * 3 DMAR.ADD and a LOCK request and response per TDI, a SET per
	 * 4 KiB of MMIO.
	 */
	min_pages = NR_DEVIFMT + 1 + mmiomt_pages + n * (NR_DEVIF_PAGES + 2);
	min_calls = NR_DEVIFMT + 1 + mmiomt_pages + mmio_pages + n * (1 + 3 + 2);
	KUNIT_EXPECT_EQ(test, pages, min_pages);
	KUNIT_EXPECT_EQ(test, calls, min_calls);
	KUNIT_EXPECT_EQ(test, env->fake->nr_flushed_lines, min_pages * (PAGE_SIZE / 64));
	kunit_info(test, "bind %u TDIs, %llu MiB of BARs each: %lu SEAMCALLs (minimum %lu), %lu pages (minimum %lu: %lu MMIOMT, %u DEVIFMT, %u DMAR, %u TDI)\n",
		   n, bar >> 20, calls, min_calls, pages, min_pages, mmiomt_pages, NR_DEVIFMT,
		   1 + 2 * n, NR_DEVIF_PAGES * n);

	calls = env->fake->nr_calls;
	for (i = 0; i < n; i++)
		tdx_host_tdi_unbind(tdi[i]);
	calls = env->fake->nr_calls - calls;
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(env->fake), 0);
	tdi_test_expect_tables_empty(test, env);
	kunit_info(test, "unbind %u TDIs: %lu SEAMCALLs, %lu of them TDH.PHYMEM.PAGE.WBINVD\n",
		   n, calls, min_pages);
}

static struct kunit_case tdx_host_tdi_tables_test_cases[] = {
	KUNIT_CASE(bars_in_several_regions_in_any_order),
	KUNIT_CASE(tdis_share_the_levels_and_the_last_one_removes_them),
	KUNIT_CASE(mmio_gets_a_level0_page_per_512k),
	KUNIT_CASE_PARAM_ATTR(bench_bind_tdis_of_one_device, bench_gen_params,
			      { .speed = KUNIT_SPEED_SLOW }),
	{}
};

static struct kunit_suite tdx_host_tdi_tables_test_suite = {
	.name = "tdx_host_tdi_tables",
	.test_cases = tdx_host_tdi_tables_test_cases,
};

kunit_test_suite(tdx_host_tdi_tables_test_suite);

MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");
