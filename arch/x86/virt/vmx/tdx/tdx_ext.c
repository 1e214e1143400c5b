// SPDX-License-Identifier: GPL-2.0
/*
 * Bringing up the TDX module Extensions, which TDX Connect runs on.
 *
 * When the kernel enables TDX Connect with TDH.SYS.CONFIG, the module
 * reports how much memory its Extensions need.  Once the TDMRs are
 * initialized, that memory pool goes to the module with TDH.EXT.MEM.ADD,
 * 512 pages per call, and TDH.EXT.INIT starts the Extensions.  The pool
 * then belongs to the module for good.  Any failure fails TDX module
 * initialization; the pages the module may own by then are leaked.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */
#define pr_fmt(fmt)	"tdx: " fmt

#include <linux/bug.h>
#include <linux/cache.h>
#include <linux/err.h>
#include <linux/init.h>
#include <linux/math.h>
#include <linux/printk.h>
#include <linux/sizes.h>

#include <kunit/visibility.h>

#include <asm/shared/tdx_errno.h>
#include <asm/tdx.h>
#include <asm/tdx_handoff.h>
#include <asm/tdx_page_list.h>

#include "tdx.h"

/* The memory of the Extensions; the TDX module owns it and never returns it. */
static struct tdx_page_list *tdx_ext_pool __ro_after_init;

/**
 * tdx_ext_sys_config() - TDH.SYS.CONFIG enabling TDX Connect
 * @tdmr_pa_array: physical address of the array of TDMR_INFO addresses
 * @nr_tdmrs: number of entries in that array
 * @global_keyid: the TDX global private KeyID
 *
 * Context: Process context.
 * Return: 0, or -EIO if the module refused the configuration.
 */
int tdx_ext_sys_config(u64 tdmr_pa_array, u64 nr_tdmrs, u64 global_keyid)
{
	u64 status;

	status = tdh_sys_config(tdmr_pa_array, nr_tdmrs, global_keyid,
				TDX_FEATURES0_TDX_CONNECT);
	if (status != TDX_SUCCESS) {
		pr_err("TDH.SYS.CONFIG with TDX Connect failed: 0x%016llx\n", status);
		return -EIO;
	}
	return 0;
}

/**
 * tdx_ext_required() - Whether the module needs TDH.EXT.INIT
 * @required: set to the answer
 *
 * The 8-bit global metadata field ext_required exists once TDH.SYS.CONFIG
 * has enabled TDX Connect.  0 means that the module needs neither a
 * memory pool nor TDH.EXT.INIT.  Any other value means that the pool, if
 * memory_pool_required_pages asks for one, must be added and then
 * TDH.EXT.INIT made.  The field ID
 * and this reading of it come from the public postings and are not
 * confirmed against the specification; they are read here and nowhere
 * else.
 *
 * Context: Process context.  After TDH.SYS.CONFIG with TDX Connect.
 * Return: 0, or the error of read_sys_metadata_field().
 */
static int tdx_ext_required(bool *required)
{
	u64 val;
	int ret;

	ret = read_sys_metadata_field(TDX_MD_EXT_REQUIRED, &val);
	if (ret)
		return ret;

	*required = val;
	return 0;
}

/*
 * Leak the first @nr_handed pages of @pool, which the module may own, and
 * free the rest, which it never saw.  The module never gives the pool
 * back: there is no leaf that releases it, so the pages the module may
 * own stay TDX private memory for good.
 */
static void tdx_ext_leak_pool(struct tdx_page_list *pool, unsigned int nr_handed)
{
	unsigned int i;

	WARN(1, "TDX module Extensions failed, leaking %u of %u pages\n",
	     nr_handed, pool->nr_pages);
	for (i = 0; i < nr_handed; i++)
		pool->pages[i] = NULL;
	tdx_page_list_free(pool);
}

/*
 * Allocate the pool and hand every chunk of it to the module.  After a
 * failed TDH.EXT.MEM.ADD in chunk k, the module owns chunks 0 to k-1 and
 * may own any page of chunk k: those pages are leaked, and the chunks
 * after k, which never went to the module, are freed.
 */
static struct tdx_page_list *tdx_ext_add_pool(u64 nr_pages)
{
	struct tdx_page_list *pool;
	unsigned int nr_handed;
	struct tdx_handoff ho;
	u64 status;
	int ret;

	/* The field is 32 bits; the page list takes at most 1 GiB. */
	pool = tdx_page_list_alloc_contig(min_t(u64, nr_pages, UINT_MAX));
	if (IS_ERR(pool)) {
		pr_err("cannot allocate %llu pages for the Extensions: %ld\n",
		       nr_pages, PTR_ERR(pool));
		return pool;
	}

	ret = tdx_handoff_init(&ho, pool);
	if (ret)
		goto err_free_pool;

	while (tdx_handoff_next_chunk(&ho)) {
		status = tdh_ext_mem_add(&ho);
		if (status != TDX_SUCCESS) {
			pr_err("TDH.EXT.MEM.ADD failed: 0x%016llx\n", status);
			nr_handed = ho.first + ho.nr_entries;
			goto err_fini_handoff;
		}
	}
	tdx_handoff_fini(&ho);
	return pool;

err_fini_handoff:
	tdx_handoff_fini(&ho);
	tdx_ext_leak_pool(pool, nr_handed);
	return ERR_PTR(-EIO);

err_free_pool:
	/* No root page, so nothing went to the module. */
	tdx_page_list_free(pool);
	return ERR_PTR(ret);
}

/**
 * tdx_ext_bring_up() - Give the Extensions their memory and start them
 *
 * Reads the Extensions metadata, which exists only after TDH.SYS.CONFIG
 * enabled TDX Connect, allocates the memory pool in as few contiguous
 * blocks as the page allocator can give, hands it over and runs
 * TDH.EXT.INIT.  A pool of 0 pages is neither allocated nor added.
 *
 * A page of the pool goes back to the page allocator only if the module
 * never saw it: after a failed TDH.EXT.MEM.ADD only the pages from the
 * failed chunk on are freed (tdx_ext_add_pool()), after a failed
 * TDH.EXT.INIT the whole pool is leaked.
 *
 * Context: Process context, may sleep.  After TDH.SYS.CONFIG with TDX
 * Connect and the TDMR initialization.
 * Return: the pool, now owned by the TDX module; NULL if there is no pool
 * (the module does not require its Extensions to be started, or asks for
 * no memory); ERR_PTR(-EIO) if the module failed; the error of
 * read_sys_metadata_field() or of the allocation otherwise.
 */
VISIBLE_IF_KUNIT struct tdx_page_list *tdx_ext_bring_up(void)
{
	struct tdx_page_list *pool = NULL;
	bool required;
	u64 nr_pages;
	u64 status;
	int ret;

	ret = tdx_ext_required(&required);
	if (ret)
		return ERR_PTR(ret);
	if (!required)
		return NULL;

	ret = read_sys_metadata_field(TDX_MD_MEMORY_POOL_REQUIRED_PAGES, &nr_pages);
	if (ret)
		return ERR_PTR(ret);

	if (nr_pages) {
		pool = tdx_ext_add_pool(nr_pages);
		if (IS_ERR(pool))
			return pool;
	}

	status = tdh_ext_init();
	if (status != TDX_SUCCESS) {
		pr_err("TDH.EXT.INIT failed: 0x%016llx\n", status);
		if (pool)
			tdx_ext_leak_pool(pool, pool->nr_pages);
		return ERR_PTR(-EIO);
	}

	return pool;
}

/**
 * tdx_ext_enable() - Bring up the TDX module Extensions
 *
 * Called once, from TDX module initialization, when the module reports
 * TDX Connect.
 *
 * Context: Process context, may sleep.  After TDH.SYS.CONFIG with TDX
 * Connect and the TDMR initialization.
 * Return: 0, or a negative errno that fails TDX module initialization.
 */
int __init tdx_ext_enable(void)
{
	struct tdx_page_list *pool;

	pool = tdx_ext_bring_up();
	if (IS_ERR(pool))
		return PTR_ERR(pool);

	if (pool)
		pr_info("%lu MB allocated for the TDX module Extensions\n",
			DIV_ROUND_UP((unsigned long)pool->nr_pages << PAGE_SHIFT, SZ_1M));
	tdx_ext_pool = pool;
	return 0;
}
