// SPDX-License-Identifier: GPL-2.0
/*
 * Lists of order-0 pages that the kernel gives to the TDX module.
 *
 * The TDX module takes memory from the kernel in three formats
 * (HPA_LIST_INFO, HPA_ARRAY_T and IOMMU_MT), but the pages behind them are
 * always the same thing: order-0 pages that become TDX private memory
 * while the module owns them.  A page list is only that set of pages; the
 * formats are built on top of it elsewhere.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */
#define pr_fmt(fmt)	"tdx: " fmt

#include <linux/gfp.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/slab.h>

#include <kunit/static_stub.h>
#include <kunit/visibility.h>

#include <asm/tdx.h>
#include <asm/tdx_page_list.h>

#include "tdx_page_list_kunit.h"

/*
 * The module initializes the pages it is given, but zeroed pages keep old
 * kernel data out of TDX private memory and out of any crash dump of it.
 */
#define TDX_PAGE_LIST_GFP	(GFP_KERNEL | __GFP_ZERO)

/**
 * tdx_page_list_alloc_meta() - Allocate the bookkeeping of a page list
 * @nr_pages: number of pages the list will hold
 *
 * Context: Process context, may sleep.
 * Return: an empty list with room for @nr_pages pages, or NULL.
 */
VISIBLE_IF_KUNIT struct tdx_page_list *tdx_page_list_alloc_meta(unsigned int nr_pages)
{
	struct tdx_page_list *list;

	KUNIT_STATIC_STUB_REDIRECT(tdx_page_list_alloc_meta, nr_pages);

	list = kvzalloc(struct_size(list, pages, nr_pages), GFP_KERNEL);
	if (list)
		list->nr_pages = nr_pages;

	return list;
}
EXPORT_SYMBOL_IF_KUNIT(tdx_page_list_alloc_meta);

/**
 * tdx_page_list_alloc_bulk_pages() - Fill the empty slots of a page array
 * @nr_pages: size of @pages
 * @pages: array whose NULL slots are filled with order-0 pages
 *
 * Context: Process context, may sleep.
 * Return: the number of populated slots of @pages, as alloc_pages_bulk().
 */
VISIBLE_IF_KUNIT unsigned long tdx_page_list_alloc_bulk_pages(unsigned long nr_pages,
							      struct page **pages)
{
	KUNIT_STATIC_STUB_REDIRECT(tdx_page_list_alloc_bulk_pages, nr_pages, pages);

	return alloc_pages_bulk(TDX_PAGE_LIST_GFP, nr_pages, pages);
}
EXPORT_SYMBOL_IF_KUNIT(tdx_page_list_alloc_bulk_pages);

/**
 * tdx_page_list_alloc_block() - Allocate one physically contiguous block
 * @order: allocation order of the block
 *
 * Blocks above order 0 are tried without reclaim retries or warnings: the
 * caller falls back to smaller blocks rather than stalling on compaction.
 *
 * Context: Process context, may sleep.
 * Return: the first page of a non-compound block of 2^@order pages, or NULL.
 */
VISIBLE_IF_KUNIT struct page *tdx_page_list_alloc_block(unsigned int order)
{
	gfp_t gfp = TDX_PAGE_LIST_GFP;

	KUNIT_STATIC_STUB_REDIRECT(tdx_page_list_alloc_block, order);

	if (order)
		gfp |= __GFP_NOWARN | __GFP_NORETRY;

	return alloc_pages(gfp, order);
}

/**
 * tdx_page_list_reset_page() - Make a page safe to return to the allocator
 * @page: a page that the TDX module may have used as private memory
 *
 * On platforms with the partial-write erratum a TDX private cache line
 * that the kernel later writes can raise a machine check, so the page is
 * converted back with tdx_quirk_reset_paddr() first.  Elsewhere this does
 * nothing.
 *
 * Context: Any context.
 */
void tdx_page_list_reset_page(struct page *page)
{
	KUNIT_STATIC_STUB_REDIRECT(tdx_page_list_reset_page, page);

	tdx_quirk_reset_paddr(page_to_phys(page), PAGE_SIZE);
}
EXPORT_SYMBOL_IF_KUNIT(tdx_page_list_reset_page);

static int tdx_page_list_check_size(unsigned int nr_pages)
{
	if (!nr_pages)
		return -EINVAL;
	if (nr_pages > TDX_PAGE_LIST_MAX_PAGES)
		return -E2BIG;
	return 0;
}

/* Free pages that were allocated but never given to the TDX module. */
static void tdx_page_list_unwind(struct page **pages, unsigned int nr_pages)
{
	unsigned int i;

	for (i = 0; i < nr_pages; i++) {
		if (pages[i])
			__free_page(pages[i]);
	}
}

/**
 * tdx_page_list_alloc_bulk() - Allocate a page list with alloc_pages_bulk()
 * @nr_pages: number of order-0 pages
 *
 * For small lists, such as the metadata pages of one SPDM session or IDE
 * stream, where physical contiguity buys nothing.  tdx_page_list_free()
 * is the matching free.
 *
 * Context: Process context, may sleep.
 * Return: the list, ERR_PTR(-EINVAL) if @nr_pages is 0, ERR_PTR(-E2BIG)
 * if it is above TDX_PAGE_LIST_MAX_PAGES, ERR_PTR(-ENOMEM) on allocation
 * failure.  Nothing stays allocated on failure.
 */
struct tdx_page_list *tdx_page_list_alloc_bulk(unsigned int nr_pages)
{
	struct tdx_page_list *list;
	unsigned long filled = 0;
	int ret;

	ret = tdx_page_list_check_size(nr_pages);
	if (ret)
		return ERR_PTR(ret);

	list = tdx_page_list_alloc_meta(nr_pages);
	if (!list)
		return ERR_PTR(-ENOMEM);

	/*
	 * alloc_pages_bulk() may stop short of the request; it only fills
	 * empty slots, so call it again until it makes no progress.
	 */
	while (filled < nr_pages) {
		unsigned long now;

		now = tdx_page_list_alloc_bulk_pages(nr_pages, list->pages);
		list->nr_allocs++;
		if (now <= filled)
			goto err_free_pages;
		filled = now;
	}

	return list;

err_free_pages:
	tdx_page_list_unwind(list->pages, nr_pages);
	kvfree(list);
	return ERR_PTR(-ENOMEM);
}
EXPORT_SYMBOL_FOR_MODULES(tdx_page_list_alloc_bulk, "tdx-host");

/**
 * tdx_page_list_alloc_contig() - Allocate a page list in contiguous blocks
 * @nr_pages: number of order-0 pages
 *
 * For large pools, such as the memory of the TDX module Extensions, that
 * would otherwise take thousands of single pages from all over memory.
 * The pages come in as few naturally aligned blocks as the allocator can
 * give, up to MAX_PAGE_ORDER, falling back to smaller blocks when a large
 * one is not available.  Each block is split into order-0 pages, so that
 * the list holds the same kind of pages as tdx_page_list_alloc_bulk() and
 * tdx_page_list_free() is the matching free of both.
 *
 * Context: Process context, may sleep.
 * Return: the list, ERR_PTR(-EINVAL) if @nr_pages is 0, ERR_PTR(-E2BIG)
 * if it is above TDX_PAGE_LIST_MAX_PAGES, ERR_PTR(-ENOMEM) on allocation
 * failure.  Nothing stays allocated on failure.
 */
struct tdx_page_list *tdx_page_list_alloc_contig(unsigned int nr_pages)
{
	unsigned int max_order = MAX_PAGE_ORDER;
	struct tdx_page_list *list;
	unsigned int filled = 0;
	int ret;

	ret = tdx_page_list_check_size(nr_pages);
	if (ret)
		return ERR_PTR(ret);

	list = tdx_page_list_alloc_meta(nr_pages);
	if (!list)
		return ERR_PTR(-ENOMEM);

	while (filled < nr_pages) {
		unsigned int order = min_t(unsigned int, max_order,
					   ilog2(nr_pages - filled));
		struct page *block;
		unsigned int i;

		block = tdx_page_list_alloc_block(order);
		list->nr_allocs++;
		if (!block) {
			if (!order)
				goto err_free_pages;
			/* Larger blocks are not coming back soon either. */
			max_order = order - 1;
			continue;
		}

		split_page(block, order);
		for (i = 0; i < (1U << order); i++)
			list->pages[filled++] = block + i;
	}

	return list;

err_free_pages:
	tdx_page_list_unwind(list->pages, filled);
	kvfree(list);
	return ERR_PTR(-ENOMEM);
}

/**
 * tdx_page_list_free() - Free a page list and its pages
 * @list: list from tdx_page_list_alloc_bulk() or tdx_page_list_alloc_contig(),
 *	  or NULL
 *
 * Each page is made safe with tdx_page_list_reset_page() before it goes
 * back to the page allocator, so this is also the last step of freeing
 * pages that the TDX module has released and that have been written back.
 * The caller must know that the module no longer owns any page of @list;
 * pages that the module failed to release must never get here.  A NULL
 * slot is a page that the caller leaked and is skipped.
 *
 * Context: Process context, may sleep.
 */
void tdx_page_list_free(struct tdx_page_list *list)
{
	unsigned int i;

	if (!list)
		return;

	for (i = 0; i < list->nr_pages; i++) {
		if (!list->pages[i])
			continue;
		tdx_page_list_reset_page(list->pages[i]);
		__free_page(list->pages[i]);
	}
	kvfree(list);
}
EXPORT_SYMBOL_FOR_MODULES(tdx_page_list_free, "tdx-host");
