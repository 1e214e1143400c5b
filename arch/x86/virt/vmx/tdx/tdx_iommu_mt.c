// SPDX-License-Identifier: GPL-2.0
/*
 * IOMMU_MT: the memory the TDX module needs to run one VT-d unit.
 *
 * Unlike the page lists of HPA_LIST_INFO and HPA_ARRAY_T, an IOMMU_MT
 * starts with two physically contiguous blocks, the invalidation queues,
 * whose root entries carry a page count.  It is built here from its three
 * parts: the two queue blocks, a generic page list for the rest, and the
 * root page that describes them to the module.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */
#define pr_fmt(fmt)	"tdx: " fmt

#include <linux/bitfield.h>
#include <linux/cacheflush.h>
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include <kunit/static_stub.h>
#include <kunit/visibility.h>

#include <asm/tdx.h>
#include <asm/tdx_handoff.h>
#include <asm/tdx_iommu_mt.h>
#include <asm/tdx_page_list.h>

#include "tdx_iommu_mt_kunit.h"

/* The largest block, MAX_PAGE_ORDER, must fit in NUM_PAGES. */
static_assert(TDX_IOMMU_MT_NUM_PAGES >= MAX_ORDER_NR_PAGES);

/**
 * tdx_iommu_mt_alloc_block() - Allocate a queue block or the root page
 * @order: allocation order
 *
 * Context: Process context, may sleep.
 * Return: the first page of a zeroed non-compound block, or NULL.  The
 * caller splits it.
 */
VISIBLE_IF_KUNIT struct page *tdx_iommu_mt_alloc_block(unsigned int order)
{
	KUNIT_STATIC_STUB_REDIRECT(tdx_iommu_mt_alloc_block, order);

	return alloc_pages(GFP_KERNEL | __GFP_ZERO, order);
}
EXPORT_SYMBOL_IF_KUNIT(tdx_iommu_mt_alloc_block);

/*
 * A queue block is split into order-0 pages as soon as it is allocated:
 * the module gives its pages back one by one, each is written back on its
 * own, and one that fails is leaked without the rest.
 */
static struct page *tdx_iommu_mt_alloc_queue(unsigned int order)
{
	struct page *block = tdx_iommu_mt_alloc_block(order);

	if (block)
		split_page(block, order);
	return block;
}

/* Free a split queue block that the module never owned. */
static void tdx_iommu_mt_free_block(struct page *block, unsigned int order)
{
	unsigned int i;

	for (i = 0; i < (1U << order); i++) {
		tdx_page_list_reset_page(block + i);
		__free_page(block + i);
	}
}

/* A queue block as an IOMMU_MT entry: its HPA with NUM_PAGES in bits 11:0. */
static u64 tdx_iommu_mt_block_entry(struct page *block, unsigned int order)
{
	return page_to_phys(block) |
	       FIELD_PREP(TDX_IOMMU_MT_NUM_PAGES, 1UL << order);
}

static void tdx_iommu_mt_encode(struct tdx_iommu_mt *mt)
{
	unsigned int i;

	mt->root[TDX_IOMMU_MT_IQ] = tdx_iommu_mt_block_entry(mt->iq, mt->iq_order);
	mt->root[TDX_IOMMU_MT_CTXIQ] = tdx_iommu_mt_block_entry(mt->ctxiq, mt->iq_order);
	mt->nr_entries = TDX_IOMMU_MT_FIRST_PAGE;

	tdx_handoff_flush(page_address(mt->iq), PAGE_SIZE << mt->iq_order);
	tdx_handoff_flush(page_address(mt->ctxiq), PAGE_SIZE << mt->iq_order);

	for (i = 0; mt->pages && i < mt->pages->nr_pages; i++) {
		struct page *page = mt->pages->pages[i];

		mt->root[mt->nr_entries++] = page_to_phys(page);
		tdx_handoff_flush(page_address(page), PAGE_SIZE);
	}

	/* The module reads the root during TDH.IOMMU.SETUP. */
	tdx_handoff_flush(mt->root, mt->nr_entries * sizeof(*mt->root));
}

/**
 * tdx_iommu_mt_alloc() - Allocate and encode an IOMMU_MT
 * @iq_order: allocation order of each of the T_IQ and T_CTXIQ blocks
 * @nr_mt_pages: number of further 4 KiB pages, the iommu_mt_page_count
 *		 global metadata field
 *
 * Allocates the two queue blocks, @nr_mt_pages pages with
 * tdx_page_list_alloc_bulk() and the root page, writes the root entries
 * and flushes everything the module will read or own.
 *
 * Context: Process context, may sleep.
 * Return: the IOMMU_MT, ERR_PTR(-EINVAL) if @iq_order is above
 * MAX_PAGE_ORDER, ERR_PTR(-E2BIG) if the entries do not fit in one root
 * page, ERR_PTR(-ENOMEM) on allocation failure.  Nothing stays allocated
 * on failure.
 */
struct tdx_iommu_mt *tdx_iommu_mt_alloc(unsigned int iq_order,
					unsigned int nr_mt_pages)
{
	struct tdx_iommu_mt *mt;
	struct page *root;
	int ret = -ENOMEM;

	if (iq_order > MAX_PAGE_ORDER)
		return ERR_PTR(-EINVAL);
	if (nr_mt_pages > TDX_IOMMU_MT_MAX_PAGES)
		return ERR_PTR(-E2BIG);

	mt = kzalloc_obj(*mt);
	if (!mt)
		return ERR_PTR(-ENOMEM);
	mt->iq_order = iq_order;

	mt->iq = tdx_iommu_mt_alloc_queue(iq_order);
	if (!mt->iq)
		goto err_free_mt;

	mt->ctxiq = tdx_iommu_mt_alloc_queue(iq_order);
	if (!mt->ctxiq)
		goto err_free_iq;

	if (nr_mt_pages) {
		mt->pages = tdx_page_list_alloc_bulk(nr_mt_pages);
		if (IS_ERR(mt->pages)) {
			ret = PTR_ERR(mt->pages);
			goto err_free_ctxiq;
		}
	}

	root = tdx_iommu_mt_alloc_block(0);
	if (!root)
		goto err_free_pages;
	mt->root = page_address(root);

	tdx_iommu_mt_encode(mt);
	return mt;

err_free_pages:
	tdx_page_list_free(mt->pages);
err_free_ctxiq:
	tdx_iommu_mt_free_block(mt->ctxiq, iq_order);
err_free_iq:
	tdx_iommu_mt_free_block(mt->iq, iq_order);
err_free_mt:
	kfree(mt);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_FOR_MODULES(tdx_iommu_mt_alloc, "tdx-host");

/**
 * tdx_iommu_mt_free() - Free an IOMMU_MT and all of its pages
 * @mt: IOMMU_MT from tdx_iommu_mt_alloc(), or NULL
 *
 * The queue blocks and the MT pages are made safe before they are freed.
 * The caller must know that the TDX module never owned them: pages that
 * TDH.IOMMU.CLEAR gave back go through tdx_iommu_mt_release() instead,
 * which writes them back first.
 *
 * Context: Process context, may sleep.
 */
void tdx_iommu_mt_free(struct tdx_iommu_mt *mt)
{
	if (!mt)
		return;

	free_page((unsigned long)mt->root);
	tdx_page_list_free(mt->pages);
	tdx_iommu_mt_free_block(mt->ctxiq, mt->iq_order);
	tdx_iommu_mt_free_block(mt->iq, mt->iq_order);
	kfree(mt);
}
EXPORT_SYMBOL_FOR_MODULES(tdx_iommu_mt_free, "tdx-host");

/**
 * tdx_iommu_mt_hpa() - The IOMMU_MT operand of TDH.IOMMU.SETUP/CLEAR
 * @mt: IOMMU_MT from tdx_iommu_mt_alloc()
 *
 * Context: Any context.
 * Return: the HPA of the root page; bits 11:0 and 63:52 are 0.
 */
u64 tdx_iommu_mt_hpa(const struct tdx_iommu_mt *mt)
{
	return virt_to_phys(mt->root) & TDX_IOMMU_MT_HPA;
}
EXPORT_SYMBOL_IF_KUNIT(tdx_iommu_mt_hpa);
