// SPDX-License-Identifier: GPL-2.0
/*
 * Handing a page list to the TDX module through one root page.
 *
 * HPA_LIST_INFO and HPA_ARRAY_T both describe pages by a root page of up
 * to 512 page HPAs plus a count.  A longer list goes over in chunks: the
 * caller makes one SEAMCALL per chunk, and every chunk reuses the same
 * root page, so handing over any number of pages costs one root page.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */
#define pr_fmt(fmt)	"tdx: " fmt

#include <linux/bitfield.h>
#include <linux/cacheflush.h>
#include <linux/gfp.h>
#include <linux/minmax.h>
#include <linux/mm.h>

#include <kunit/static_stub.h>
#include <kunit/visibility.h>

#include <asm/tdx_handoff.h>
#include <asm/tdx_page_list.h>

#include "tdx_handoff_kunit.h"

/**
 * tdx_handoff_alloc_root() - Allocate a root page
 *
 * Context: Process context, may sleep.
 * Return: a zeroed page of TDX_ROOT_PAGE_MAX_ENTRIES entries, or NULL.
 */
VISIBLE_IF_KUNIT u64 *tdx_handoff_alloc_root(void)
{
	KUNIT_STATIC_STUB_REDIRECT(tdx_handoff_alloc_root);

	return (u64 *)get_zeroed_page(GFP_KERNEL);
}
EXPORT_SYMBOL_IF_KUNIT(tdx_handoff_alloc_root);

/**
 * tdx_handoff_flush() - Write back memory that the TDX module will read
 * @addr: start of the range
 * @size: size of the range in bytes
 *
 * The TDX module accesses memory with its own KeyID and does not snoop
 * the kernel's dirty cache lines for the same physical address: anything
 * the kernel wrote must reach memory before the SEAMCALL, and lines left
 * dirty in a page that becomes TDX private memory must not be written
 * back over the module's data later.  Every flush of memory handed to the
 * module goes through here, which is also where KUnit's fake TDX module
 * sees it.
 *
 * Context: Any context.
 */
void tdx_handoff_flush(const void *addr, unsigned int size)
{
	KUNIT_STATIC_STUB_REDIRECT(tdx_handoff_flush, addr, size);

	clflush_cache_range((void *)addr, size);
}

/**
 * tdx_handoff_init() - Prepare to hand a page list to the TDX module
 * @ho: the hand-off to set up
 * @list: the pages to hand over; must outlive @ho
 *
 * Allocates the one root page that every chunk of @list goes through.
 * No chunk is prepared yet: call tdx_handoff_next_chunk() first.
 *
 * Context: Process context, may sleep.
 * Return: 0, -EINVAL if @ho or @list is NULL or @list is empty, -ENOMEM
 * if the root page cannot be allocated.
 */
int tdx_handoff_init(struct tdx_handoff *ho, const struct tdx_page_list *list)
{
	if (!ho || !list || !list->nr_pages)
		return -EINVAL;

	*ho = (struct tdx_handoff) { .list = list };
	ho->root = tdx_handoff_alloc_root();
	if (!ho->root)
		return -ENOMEM;

	return 0;
}
EXPORT_SYMBOL_FOR_MODULES(tdx_handoff_init, "tdx-host");

/**
 * tdx_handoff_fini() - Free the root page of a hand-off
 * @ho: hand-off from tdx_handoff_init()
 *
 * The TDX module never keeps a root page past the SEAMCALL that read it,
 * so the root page is always the kernel's to free.  The page list is not
 * touched: the caller releases it according to what the module did.
 *
 * Context: Any context.
 */
void tdx_handoff_fini(struct tdx_handoff *ho)
{
	free_page((unsigned long)ho->root);
	ho->root = NULL;
	ho->nr_entries = 0;
}
EXPORT_SYMBOL_FOR_MODULES(tdx_handoff_fini, "tdx-host");

/**
 * tdx_handoff_next_chunk() - Move to the next chunk of the page list
 * @ho: hand-off from tdx_handoff_init()
 *
 * Writes the HPAs of the next at most TDX_ROOT_PAGE_MAX_ENTRIES pages into
 * the root page and flushes what the TDX module will read: the root
 * entries and the pages themselves.  The first call prepares the first
 * chunk.
 *
 * Context: Any context.
 * Return: the number of entries of the new chunk, 0 once every page of
 * the list has been handed over.
 */
unsigned int tdx_handoff_next_chunk(struct tdx_handoff *ho)
{
	unsigned int next = ho->first + ho->nr_entries;
	unsigned int i;

	ho->first = next;
	ho->nr_entries = 0;
	if (next >= ho->list->nr_pages)
		return 0;

	ho->nr_entries = min(ho->list->nr_pages - next, TDX_ROOT_PAGE_MAX_ENTRIES);
	for (i = 0; i < ho->nr_entries; i++) {
		struct page *page = ho->list->pages[next + i];

		ho->root[i] = page_to_phys(page);
		tdx_handoff_flush(page_address(page), PAGE_SIZE);
	}
	tdx_handoff_flush(ho->root, ho->nr_entries * sizeof(*ho->root));
	ho->nr_chunks++;

	return ho->nr_entries;
}
EXPORT_SYMBOL_FOR_MODULES(tdx_handoff_next_chunk, "tdx-host");

/**
 * tdx_handoff_clear_root() - Prepare the root page for a released list
 * @ho: hand-off whose root page a DELETE SEAMCALL will write to
 *
 * SPDM and IDE stream DELETE write the pages they release to the root
 * page they are given.  The root page is cleared first, so
 * that release validation reads only what the module wrote and never the
 * kernel's own entries, and flushed, so that no dirty line of the kernel's
 * is written back over the module's list.
 *
 * Context: Any context.
 */
void tdx_handoff_clear_root(const struct tdx_handoff *ho)
{
	clear_page(ho->root);
	tdx_handoff_flush(ho->root, PAGE_SIZE);
}

/**
 * tdx_handoff_hpa_list_info() - Encode the current chunk as HPA_LIST_INFO
 * @ho: hand-off with a chunk prepared by tdx_handoff_next_chunk()
 * @hpa_list_info: the operand, with FIRST_ENTRY 0
 *
 * Context: Any context.
 * Return: 0, or -EINVAL if no chunk is prepared.
 */
int tdx_handoff_hpa_list_info(const struct tdx_handoff *ho, u64 *hpa_list_info)
{
	if (!ho->nr_entries)
		return -EINVAL;

	*hpa_list_info = FIELD_PREP(TDX_HPA_LIST_INFO_FIRST_ENTRY, 0) |
			 FIELD_PREP(TDX_HPA_LIST_INFO_PFN, PHYS_PFN(__pa(ho->root))) |
			 FIELD_PREP(TDX_HPA_LIST_INFO_LAST_ENTRY, ho->nr_entries - 1);
	return 0;
}

/**
 * tdx_handoff_hpa_array() - Encode the whole page list as HPA_ARRAY_T
 * @ho: hand-off with its first chunk prepared by tdx_handoff_next_chunk()
 * @hpa_array: the operand
 *
 * HPA_ARRAY_T has no way to resume, so the whole list must fit in one
 * root page.  A one-page list is encoded as the page itself, because that
 * is what the format means by SIZE 0 ("singleton"); the root page then
 * goes unused.
 *
 * Context: Any context.
 * Return: 0, -EINVAL if no chunk is prepared, -E2BIG if the list does not
 * fit in one root page.
 */
int tdx_handoff_hpa_array(const struct tdx_handoff *ho, u64 *hpa_array)
{
	unsigned long pfn;

	if (!ho->nr_entries)
		return -EINVAL;
	if (ho->first || ho->nr_entries != ho->list->nr_pages)
		return -E2BIG;

	if (ho->nr_entries == 1)
		pfn = page_to_pfn(ho->list->pages[0]);
	else
		pfn = PHYS_PFN(__pa(ho->root));

	*hpa_array = FIELD_PREP(TDX_HPA_ARRAY_PFN, pfn) |
		     FIELD_PREP(TDX_HPA_ARRAY_SIZE, ho->nr_entries - 1);
	return 0;
}

/**
 * tdx_hpa_list_info_resume() - Check an HPA_LIST_INFO the module gave back
 * @in: the operand passed to the interrupted SEAMCALL
 * @out: the operand the TDX module returned
 *
 * When a SEAMCALL taking an HPA_LIST_INFO is interrupted, the module
 * advances FIRST_ENTRY past the entries it consumed and returns the
 * operand, which is the input of the retry.  The retry loop belongs with
 * the SEAMCALL wrapper; this only refuses an operand that points at a
 * different root page, changes the chunk size or moves backwards, which
 * would make the module read entries it was never given.
 *
 * Context: Any context.
 * Return: 0 if @out is a valid resume point of @in, -EIO otherwise.
 */
int tdx_hpa_list_info_resume(u64 in, u64 out)
{
	u64 fixed = TDX_HPA_LIST_INFO_PFN | TDX_HPA_LIST_INFO_LAST_ENTRY;
	u64 fields = fixed | TDX_HPA_LIST_INFO_FIRST_ENTRY;

	if ((out & ~fields) || (out & fixed) != (in & fixed))
		return -EIO;
	if (FIELD_GET(TDX_HPA_LIST_INFO_FIRST_ENTRY, out) <
	    FIELD_GET(TDX_HPA_LIST_INFO_FIRST_ENTRY, in))
		return -EIO;
	if (FIELD_GET(TDX_HPA_LIST_INFO_FIRST_ENTRY, out) >
	    FIELD_GET(TDX_HPA_LIST_INFO_LAST_ENTRY, out))
		return -EIO;
	return 0;
}
