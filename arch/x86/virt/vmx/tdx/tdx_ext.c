// SPDX-License-Identifier: GPL-2.0
/*
 * Bringing up the TDX module Extensions, which TDX Connect runs on.
 *
 * When the kernel enables TDX Connect with TDH.SYS.CONFIG, the module
 * reports how much memory its Extensions need.  Once the TDMRs are
 * initialized, that memory pool goes to the module with TDH.EXT.MEM.ADD,
 * 512 pages per call, and TDH.EXT.INIT starts the Extensions.  The pool
 * then belongs to the module for good.  Any failure fails TDX module
 * initialization.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */
#define pr_fmt(fmt)	"tdx: " fmt

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
#include <asm/tdx_release.h>

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
EXPORT_SYMBOL_IF_KUNIT(tdx_ext_sys_config);

static int tdx_ext_read_field(u64 field_id, u64 *val)
{
	struct tdx_module_args args = { .rdx = field_id };
	u64 status;

	status = tdx_seamcall_ver(TDH_SYS_RD, 0, &args);
	if (status != TDX_SUCCESS) {
		pr_err("reading metadata field 0x%016llx failed: 0x%016llx\n",
		       field_id, status);
		return -EIO;
	}
	*val = args.r8;
	return 0;
}

/* Hand every chunk to the module; it may own any page handed over after. */
static u64 tdx_ext_add_pool(struct tdx_handoff *ho)
{
	u64 status;

	while (tdx_handoff_next_chunk(ho)) {
		status = tdh_ext_mem_add(ho);
		if (status != TDX_SUCCESS) {
			pr_err("TDH.EXT.MEM.ADD failed: 0x%016llx\n", status);
			return status;
		}
	}
	return TDX_SUCCESS;
}

/**
 * tdx_ext_bring_up() - Give the Extensions their memory and start them
 *
 * Reads the Extensions metadata, which exists only after TDH.SYS.CONFIG
 * enabled TDX Connect, allocates the memory pool in as few contiguous
 * blocks as the page allocator can give, hands it over and runs
 * TDH.EXT.INIT.  The pool is freed if the module never saw it, and leaked
 * otherwise: after a failed or interrupted TDH.EXT.MEM.ADD, or a failed
 * TDH.EXT.INIT, the module may own any page of it.
 *
 * Context: Process context, may sleep.  After TDH.SYS.CONFIG with TDX
 * Connect and the TDMR initialization.
 * Return: the pool, now owned by the TDX module; NULL if the module does
 * not require its Extensions to be started; ERR_PTR(-EIO) if the module
 * failed; ERR_PTR(-ENOMEM) or other allocation errors.
 */
VISIBLE_IF_KUNIT struct tdx_page_list *tdx_ext_bring_up(void)
{
	struct tdx_page_list *pool;
	u64 required, nr_pages;
	struct tdx_handoff ho;
	u64 status;
	int ret;

	ret = tdx_ext_read_field(TDX_MD_EXT_REQUIRED, &required);
	if (ret)
		return ERR_PTR(ret);
	if (!required)
		return NULL;

	ret = tdx_ext_read_field(TDX_MD_MEMORY_POOL_REQUIRED_PAGES, &nr_pages);
	if (ret)
		return ERR_PTR(ret);

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

	status = tdx_ext_add_pool(&ho);
	tdx_handoff_fini(&ho);
	if (status != TDX_SUCCESS)
		goto err_leak_pool;

	status = tdh_ext_init();
	if (status != TDX_SUCCESS) {
		pr_err("TDH.EXT.INIT failed: 0x%016llx\n", status);
		goto err_leak_pool;
	}

	return pool;

err_leak_pool:
	/* Nothing is released: this only drops the kernel's bookkeeping. */
	tdx_page_list_release(pool, "TDX module Extensions", status, NULL, 0);
	return ERR_PTR(-EIO);

err_free_pool:
	/* No root page, so nothing went to the module. */
	tdx_page_list_free(pool);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_IF_KUNIT(tdx_ext_bring_up);

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
