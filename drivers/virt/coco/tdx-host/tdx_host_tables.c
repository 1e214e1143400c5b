// SPDX-License-Identifier: GPL-2.0
/*
 * The pages tdx-host adds to the TDX module's metadata trees.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

#include <linux/bitfield.h>
#include <linux/bug.h>
#include <linux/lockdep.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include <asm/shared/tdx_errno.h>
#include <asm/tdx.h>
#include <asm/tdx_page_list.h>
#include <asm/tdx_release.h>
#include <asm/tdx_tdi.h>

#include "tdx_host_tables.h"

/**
 * DOC: Shared levels of the module's trees
 *
 * The TDI metadata tree (DEVIFMT) and the MMIO metadata tree (MMIOMT) are
 * global in the TDX module, and the host gives it every page of their
 * levels below the root entry: four levels of DEVIFMT above the TDIs, five
 * of MMIOMT above the 4 KiB MMIO pages.  The trusted DMA remapping tables
 * of each IOMMU work the same way for their root table entries.  A page
 * of a level serves every TDI, or MMIO region, whose address falls under
 * it: a level-0 DEVIFMT page 512 functions, a level-0 MMIOMT page 512 KiB
 * of MMIO, a level-1 MMIOMT page 256 MiB.
 *
 * So each page is added once, by the first user that needs it, counts its
 * users (a user of a page is a user of every page above it too) and is
 * removed when the last one goes, lowest level first, as the module
 * requires: it refuses to add a level below a missing one
 * (TDX_DEVIFMT_NOT_PRESENT, TDX_MMIOMT_NOT_PRESENT), to add a level twice
 * and to remove a page that still has entries.  A page the module refuses
 * to give back stays in the tree, leaked with one warning: the levels
 * above it stay too, and a later user reuses it.
 */

/**
 * struct tdx_host_tree_node - a page the host added to one of the trees
 * @pages: the page, NULL once the module refused to give it back
 * @users: TDIs or regions that need it
 */
struct tdx_host_tree_node {
	struct tdx_page_list *pages;
	unsigned int users;
};

/* The index of a page: its level in bits 63:56, its key below */
static unsigned long tdx_host_tree_index(const struct tdx_host_tree *tree,
					 unsigned int level, u64 addr)
{
	return ((unsigned long)level << 56) |
	       ((addr >> tree->shift[level]) & GENMASK_ULL(55, 0));
}

/* Add the page the entry of @level for @addr points to */
static int tdx_host_tree_add(struct tdx_host_tables *t, const struct tdx_host_tree *tree,
			     struct xarray *xa, void *ctx, u64 addr, unsigned int level)
{
	unsigned long idx = tdx_host_tree_index(tree, level, addr);
	struct tdx_host_tree_node *node;
	u64 status;
	int ret;

	lockdep_assert_held(&t->lock);

	node = kzalloc_obj(*node);
	if (!node)
		return -ENOMEM;
	node->pages = tdx_page_list_alloc_bulk(1);
	if (IS_ERR(node->pages)) {
		ret = PTR_ERR(node->pages);
		goto err_node;
	}
	/* Room in the xarray first: nothing may fail once the module has it. */
	ret = xa_reserve(xa, idx, GFP_KERNEL);
	if (ret)
		goto err_pages;

	status = tree->add(ctx, addr, level, node->pages->pages[0]);
	if (status != TDX_SUCCESS) {
		pr_err("%s of level %u for 0x%llx failed: 0x%016llx\n", tree->add_op,
		       level, addr, status);
		ret = -EIO;
		goto err_reserve;
	}
	node->users = 1;
	xa_store(xa, idx, node, GFP_KERNEL);
	return 0;

err_reserve:
	xa_release(xa, idx);
	/* A refused ADD leaves the page with the kernel. */
err_pages:
	tdx_page_list_free(node->pages);
err_node:
	kfree(node);
	return ret;
}

/*
 * Drop one user of the pages of levels @from to the top for @addr, and
 * take back every page that has no user left, lowest first.  A page the
 * module keeps stops the walk: the levels above it keep their user.
 */
static void tdx_host_tree_drop(struct tdx_host_tables *t, const struct tdx_host_tree *tree,
			       struct xarray *xa, void *ctx, u64 addr, unsigned int from)
{
	unsigned int level;

	lockdep_assert_held(&t->lock);

	for (level = from; level <= tree->top; level++) {
		unsigned long idx = tdx_host_tree_index(tree, level, addr);
		struct tdx_host_tree_node *node = xa_load(xa, idx);
		u64 status, pa = 0;

		if (WARN_ON_ONCE(!node || !node->users))
			return;
		if (--node->users || !node->pages)
			continue;

		status = tree->remove(ctx, addr, level, &pa);
		/* Validated, written back and freed, or leaked with a warning */
		tdx_page_list_release(node->pages, tree->remove_op, status, &pa, 1);
		node->pages = NULL;
		if (status != TDX_SUCCESS)
			return;
		xa_erase(xa, idx);
		kfree(node);
	}
}

/**
 * tdx_host_tree_get() - Make sure a tree has every level down to @addr's
 * @t: the tables
 * @tree: the tree's layout and leaves
 * @xa: its pages in @t
 * @ctx: passed to @tree's leaves
 * @addr: the address (FUNCTION_ID, MMIO address, ...) that needs them
 *
 * Adds the missing pages from the top level down and counts @addr as a
 * user of each; on failure, the pages added here are taken back.
 *
 * Context: Process context, may sleep.
 * Return: 0, -ENOMEM, or -EIO if the module refused a page.
 */
int tdx_host_tree_get(struct tdx_host_tables *t, const struct tdx_host_tree *tree,
		      struct xarray *xa, void *ctx, u64 addr)
{
	unsigned int level;
	int ret = 0;

	mutex_lock(&t->lock);
	for (level = tree->top; level >= 1; level--) {
		struct tdx_host_tree_node *node;

		node = xa_load(xa, tdx_host_tree_index(tree, level, addr));
		if (node) {
			node->users++;
			continue;
		}
		ret = tdx_host_tree_add(t, tree, xa, ctx, addr, level);
		if (ret)
			break;
	}
	if (ret && level < tree->top)
		tdx_host_tree_drop(t, tree, xa, ctx, addr, level + 1);
	mutex_unlock(&t->lock);
	return ret;
}

/**
 * tdx_host_tree_put() - Drop a user of the levels tdx_host_tree_get() made sure of
 * @t: the tables
 * @tree: the tree's layout and leaves
 * @xa: its pages in @t
 * @ctx: passed to @tree's leaves
 * @addr: the address tdx_host_tree_get() was called for
 *
 * Pages left without a user are taken back, validated, written back and
 * freed, lowest level first; what the module keeps is leaked with one
 * warning and stays in the tree.
 *
 * Context: Process context, may sleep.
 */
void tdx_host_tree_put(struct tdx_host_tables *t, const struct tdx_host_tree *tree,
		       struct xarray *xa, void *ctx, u64 addr)
{
	mutex_lock(&t->lock);
	tdx_host_tree_drop(t, tree, xa, ctx, addr, 1);
	mutex_unlock(&t->lock);
}

/**
 * tdx_host_tree_nr_pages() - Pages of one tree the module holds for the host
 * @t: the tables
 * @xa: the tree's pages in @t
 *
 * Context: Process context, may sleep.
 * Return: the number of pages, those the module refused to give back
 * included.
 */
unsigned long tdx_host_tree_nr_pages(struct tdx_host_tables *t, struct xarray *xa)
{
	struct tdx_host_tree_node *node;
	unsigned long idx, nr = 0;

	mutex_lock(&t->lock);
	xa_for_each(xa, idx, node)
		nr++;
	mutex_unlock(&t->lock);
	return nr;
}

/**
 * tdx_host_tables_init() - Start with empty trees
 * @t: the tables
 *
 * Context: Any context.
 */
void tdx_host_tables_init(struct tdx_host_tables *t)
{
	mutex_init(&t->lock);
	xa_init(&t->devifmt);
	xa_init(&t->mmiomt);
	xa_init(&t->dmar_rte);
}

static unsigned int tdx_host_tables_forget(struct xarray *xa)
{
	struct tdx_host_tree_node *node;
	unsigned int nr = 0;
	unsigned long idx;

	xa_for_each(xa, idx, node) {
		/* Still the module's: leaked, not freed */
		if (node->pages)
			tdx_page_list_release(node->pages, "tdx-host removal",
					      TDX_SW_ERROR, NULL, 0);
		kfree(node);
		nr++;
	}
	xa_destroy(xa);
	return nr;
}

/**
 * tdx_host_tables_fini() - Forget the trees when tdx-host goes
 * @t: the tables
 *
 * Every user should be gone.  Pages still in a tree are the module's:
 * they are leaked with a warning.
 *
 * Context: Process context, may sleep.
 * Return: 0, or -EBUSY if pages were left.
 */
int tdx_host_tables_fini(struct tdx_host_tables *t)
{
	unsigned int nr;

	mutex_lock(&t->lock);
	nr = tdx_host_tables_forget(&t->devifmt) + tdx_host_tables_forget(&t->mmiomt) +
	     tdx_host_tables_forget(&t->dmar_rte);
	mutex_unlock(&t->lock);
	mutex_destroy(&t->lock);
	return nr ? -EBUSY : 0;
}

/* DEVIFMT: the entry of level N for a FUNCTION_ID, N = 1 to 4 (the root) */
static u64 tdx_host_devifmt_idx(u64 func_id, unsigned int level)
{
	return FIELD_PREP(TDX_DEVIFMT_IDX_FUNC_ID, func_id) |
	       FIELD_PREP(TDX_DEVIFMT_IDX_LEVEL, level);
}

static u64 tdx_host_devifmt_add(void *ctx, u64 func_id, unsigned int level,
				struct page *page)
{
	return tdh_devifmt_add(tdx_host_devifmt_idx(func_id, level), page);
}

static u64 tdx_host_devifmt_remove(void *ctx, u64 func_id, unsigned int level,
				   u64 *released_pa)
{
	return tdh_devifmt_remove(tdx_host_devifmt_idx(func_id, level), released_pa);
}

/* A page of level N-1 entries serves the FUNCTION_IDs equal above bit 9N. */
static const struct tdx_host_tree tdx_host_devifmt_tree = {
	.add_op = "TDH.DEVIFMT.ADD",
	.remove_op = "TDH.DEVIFMT.REMOVE",
	.top = TDX_DEVIFMT_LEVEL_ROOT,
	.shift = {
		[1] = TDX_DEVIFMT_LEVEL_SHIFT(1),
		[2] = TDX_DEVIFMT_LEVEL_SHIFT(2),
		[3] = TDX_DEVIFMT_LEVEL_SHIFT(3),
		[4] = 32,
	},
	.add = tdx_host_devifmt_add,
	.remove = tdx_host_devifmt_remove,
};

/* MMIOMT: the entry of level N for an MMIO address, N = 1 to 5 (the root) */
static u64 tdx_host_mmiomt_idx(u64 pa, unsigned int level)
{
	return (pa & TDX_MMIOMT_IDX_PA) | FIELD_PREP(TDX_MMIOMT_IDX_LEVEL, level);
}

static u64 tdx_host_mmiomt_add(void *ctx, u64 pa, unsigned int level, struct page *page)
{
	return tdh_mmiomt_add(tdx_host_mmiomt_idx(pa, level), page);
}

static u64 tdx_host_mmiomt_remove(void *ctx, u64 pa, unsigned int level, u64 *released_pa)
{
	u64 pfn = 0, status;

	status = tdh_mmiomt_remove(tdx_host_mmiomt_idx(pa, level), &pfn);
	/* This leaf reports a page frame number, not an address. */
	*released_pa = PFN_PHYS(pfn);
	return status;
}

/*
 * A page of level N-1 is pointed to by one of the four nodes of a level-N
 * entry: it covers the 128 entries of level N-1 below that node.
 */
static const struct tdx_host_tree tdx_host_mmiomt_tree = {
	.add_op = "TDH.MMIOMT.ADD",
	.remove_op = "TDH.MMIOMT.REMOVE",
	.top = TDX_MMIOMT_LEVEL_ROOT,
	.shift = {
		[1] = TDX_MMIOMT_IDX_SHIFT(0) + 7,
		[2] = TDX_MMIOMT_IDX_SHIFT(1) + 7,
		[3] = TDX_MMIOMT_IDX_SHIFT(2) + 7,
		[4] = TDX_MMIOMT_IDX_SHIFT(3) + 7,
		[5] = 52,
	},
	.add = tdx_host_mmiomt_add,
	.remove = tdx_host_mmiomt_remove,
};

/**
 * tdx_host_devifmt_get() - Make sure the DEVIFMT has the levels of a TDI
 * @t: the tables
 * @func_id: the TDI's FUNCTION_ID
 *
 * Context: Process context, may sleep.
 * Return: 0, -ENOMEM, or -EIO if the module refused a page.
 */
int tdx_host_devifmt_get(struct tdx_host_tables *t, u32 func_id)
{
	return tdx_host_tree_get(t, &tdx_host_devifmt_tree, &t->devifmt, NULL, func_id);
}

/**
 * tdx_host_devifmt_put() - Drop the DEVIFMT levels of a TDI
 * @t: the tables
 * @func_id: the TDI's FUNCTION_ID; the TDI must be gone
 *
 * Context: Process context, may sleep.
 */
void tdx_host_devifmt_put(struct tdx_host_tables *t, u32 func_id)
{
	tdx_host_tree_put(t, &tdx_host_devifmt_tree, &t->devifmt, NULL, func_id);
}

/**
 * tdx_host_mmiomt_get() - Make sure the MMIOMT has the levels of an MMIO region
 * @t: the tables
 * @pa: an address in the 512 KiB region, which one level-0 page covers
 *
 * Context: Process context, may sleep.
 * Return: 0, -ENOMEM, or -EIO if the module refused a page.
 */
int tdx_host_mmiomt_get(struct tdx_host_tables *t, u64 pa)
{
	return tdx_host_tree_get(t, &tdx_host_mmiomt_tree, &t->mmiomt, NULL, pa);
}

/**
 * tdx_host_mmiomt_put() - Drop the MMIOMT levels of an MMIO region
 * @t: the tables
 * @pa: the address tdx_host_mmiomt_get() was called for; no MMIO page of
 *	the region may still be given to a TDI
 *
 * Context: Process context, may sleep.
 */
void tdx_host_mmiomt_put(struct tdx_host_tables *t, u64 pa)
{
	tdx_host_tree_put(t, &tdx_host_mmiomt_tree, &t->mmiomt, NULL, pa);
}
