/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The internals of tdx_page_list.c that its KUnit suites redirect or call:
 * VISIBLE_IF_KUNIT, so static in a kernel without KUnit.
 */
#ifndef _TDX_PAGE_LIST_KUNIT_H
#define _TDX_PAGE_LIST_KUNIT_H

#include <asm/tdx_page_list.h>

#if IS_ENABLED(CONFIG_KUNIT)
struct tdx_page_list *tdx_page_list_alloc_meta(unsigned int nr_pages);
unsigned long tdx_page_list_alloc_bulk_pages(unsigned long nr_pages,
					     struct page **pages);
struct page *tdx_page_list_alloc_block(unsigned int order);
#endif

#endif /* _TDX_PAGE_LIST_KUNIT_H */
