/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Lists of pages that the kernel gives to the TDX module.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */
#ifndef _ASM_X86_TDX_PAGE_LIST_H
#define _ASM_X86_TDX_PAGE_LIST_H

#include <linux/sizes.h>
#include <linux/types.h>

#include <asm/page_types.h>

struct page;

/*
 * Upper bound on one page list.  The largest consumer, the memory pool of
 * the TDX module Extensions, takes about 50 MB; anything close to 1 GiB is
 * a caller bug, not a request to honour.
 */
#define TDX_PAGE_LIST_MAX_PAGES		(SZ_1G >> PAGE_SHIFT)

/**
 * struct tdx_page_list - order-0 pages destined for the TDX module
 * @nr_pages: number of pages in @pages
 * @nr_allocs: page allocator calls that produced @pages
 * @pages: the pages, each a separate order-0 page
 *
 * A page list only owns pages.  How the pages are described to the TDX
 * module (HPA_LIST_INFO, HPA_ARRAY_T, IOMMU_MT) is up to the hand-off
 * code, which never changes the list.
 */
struct tdx_page_list {
	unsigned int nr_pages;
	unsigned int nr_allocs;
	struct page *pages[] __counted_by(nr_pages);
};

struct tdx_page_list *tdx_page_list_alloc_bulk(unsigned int nr_pages);
struct tdx_page_list *tdx_page_list_alloc_contig(unsigned int nr_pages);
void tdx_page_list_free(struct tdx_page_list *list);
void tdx_page_list_reset_page(struct page *page);

#endif /* _ASM_X86_TDX_PAGE_LIST_H */
