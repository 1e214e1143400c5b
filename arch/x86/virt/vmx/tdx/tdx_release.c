// SPDX-License-Identifier: GPL-2.0
/*
 * Taking pages back from the TDX module.
 *
 * A page given to the TDX module is TDX private memory until the module
 * says otherwise.  Freeing one that the module still uses corrupts its
 * data or the next user's, so pages go back to the allocator only when
 * the module released them (the SEAMCALL succeeded) and released exactly
 * the pages it was given.  Anything else is a TDX module or kernel bug
 * that cannot be recovered from: the pages are leaked, with one warning
 * that names the operation, and the kernel carries on.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */
#define pr_fmt(fmt)	"tdx: " fmt

#include <linux/bitfield.h>
#include <linux/bug.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include <kunit/visibility.h>

#include <asm/tdx.h>
#include <asm/tdx_handoff.h>
#include <asm/tdx_iommu_mt.h>
#include <asm/tdx_page_list.h>
#include <asm/tdx_release.h>

/**
 * tdx_release_warn() - Report pages leaked by a failed release
 * @op: the SEAMCALL that was to release the pages
 * @status: its status, or TDX_SUCCESS if it released the wrong pages
 * @nr_pages: number of pages leaked
 *
 * Context: Any context.
 */
static void tdx_release_warn(const char *op, u64 status, unsigned int nr_pages)
{
	if (status != TDX_SUCCESS)
		WARN(1, "%s failed: 0x%016llx, leaking %u pages\n", op, status, nr_pages);
	else
		WARN(1, "%s released other pages than it was given, leaking %u pages\n",
		     op, nr_pages);
}

static bool tdx_page_list_matches(const struct tdx_page_list *list,
				  const u64 *released, unsigned int nr_released)
{
	unsigned int i;

	if (!released || nr_released != list->nr_pages)
		return false;

	/*
	 * Entry by entry, in the order handed over: a duplicate, a page that
	 * was never handed over or stray low bits all show up as a mismatch.
	 */
	for (i = 0; i < nr_released; i++) {
		if (released[i] != page_to_phys(list->pages[i]))
			return false;
	}
	return true;
}

/*
 * Forget the pages but free the bookkeeping that tdx_page_list_alloc_*()
 * made: the struct page pointers are of no use to anyone once leaked.
 */
static void tdx_page_list_leak(struct tdx_page_list *list)
{
	kvfree(list);
}

/**
 * tdx_page_list_release() - Free pages that the TDX module gave back
 * @list: the pages handed over; consumed
 * @op: name of the releasing SEAMCALL, for the warning
 * @status: status of that SEAMCALL
 * @released: the page HPAs the module reported as released, in order
 * @nr_released: number of entries in @released
 *
 * Frees @list with tdx_page_list_free(), which makes each page safe
 * first, only if @status is TDX_SUCCESS and @released lists exactly the
 * pages of @list in the same order.  Otherwise the pages are leaked with
 * one WARN naming @op.
 *
 * Context: Process context, may sleep.
 * Return: 0 if the pages were freed, -EIO if they were leaked, -EINVAL
 * if there is nothing to release.
 */
int tdx_page_list_release(struct tdx_page_list *list, const char *op, u64 status,
			  const u64 *released, unsigned int nr_released)
{
	if (!list)
		return -EINVAL;

	if (status != TDX_SUCCESS ||
	    !tdx_page_list_matches(list, released, nr_released)) {
		tdx_release_warn(op, status, list->nr_pages);
		tdx_page_list_leak(list);
		return -EIO;
	}

	tdx_page_list_free(list);
	return 0;
}
EXPORT_SYMBOL_FOR_MODULES(tdx_page_list_release, "tdx-host,tdx_release_test");

/**
 * tdx_page_list_release_hpa_array() - Free pages released as an HPA_ARRAY_T
 * @list: the pages handed over; consumed
 * @ho: the hand-off whose root page the module wrote the released list to
 * @op: name of the releasing SEAMCALL, for the warning
 * @status: status of that SEAMCALL
 * @released: the HPA_ARRAY_T output of that SEAMCALL
 *
 * DELETE SEAMCALLs report the pages they release as an HPA_ARRAY_T in the
 * root page given to them.  An output that points anywhere but that root
 * page (or, for one page, anywhere but that page) does not match.
 *
 * Context: Process context, may sleep.
 * Return: 0 if the pages were freed, -EIO if they were leaked, -EINVAL
 * if there is nothing to release.
 */
int tdx_page_list_release_hpa_array(struct tdx_page_list *list,
				    const struct tdx_handoff *ho, const char *op,
				    u64 status, u64 released)
{
	unsigned int nr = FIELD_GET(TDX_HPA_ARRAY_SIZE, released) + 1;
	u64 pa = FIELD_GET(TDX_HPA_ARRAY_PFN, released) << PAGE_SHIFT;
	u64 fields = TDX_HPA_ARRAY_SIZE | TDX_HPA_ARRAY_PFN;
	const u64 *entries = NULL;

	if (!list || !ho)
		return -EINVAL;

	if (status == TDX_SUCCESS && !(released & ~fields)) {
		if (nr == 1)
			entries = &pa;
		else if (pa == virt_to_phys(ho->root))
			entries = ho->root;
	}

	return tdx_page_list_release(list, op, status, entries, nr);
}
EXPORT_SYMBOL_IF_KUNIT(tdx_page_list_release_hpa_array);

static bool tdx_iommu_mt_matches(const struct tdx_iommu_mt *mt)
{
	unsigned int i;

	if (mt->root[TDX_IOMMU_MT_IQ] != tdx_iommu_mt_block_entry(mt->iq, mt->iq_order) ||
	    mt->root[TDX_IOMMU_MT_CTXIQ] != tdx_iommu_mt_block_entry(mt->ctxiq, mt->iq_order))
		return false;

	for (i = TDX_IOMMU_MT_FIRST_PAGE; i < mt->nr_entries; i++) {
		if (mt->root[i] != page_to_phys(mt->pages->pages[i - TDX_IOMMU_MT_FIRST_PAGE]))
			return false;
	}

	/* The count: no entry past the ones handed over. */
	for (; i < TDX_ROOT_PAGE_MAX_ENTRIES; i++) {
		if (mt->root[i])
			return false;
	}
	return true;
}

/**
 * tdx_iommu_mt_release() - Free an IOMMU_MT after TDH.IOMMU.CLEAR
 * @mt: the IOMMU_MT handed to TDH.IOMMU.SETUP; consumed
 * @op: name of the releasing SEAMCALL, for the warning
 * @status: status of TDH.IOMMU.CLEAR
 *
 * The root page as the module left it must describe exactly the queue
 * blocks, with their page counts, and MT pages handed over; then all of
 * them are made safe and freed with tdx_iommu_mt_free().  Otherwise every
 * page but the root page, which the module never keeps, is leaked with
 * one WARN naming @op.
 *
 * Context: Process context, may sleep.
 * Return: 0 if the pages were freed, -EIO if they were leaked, -EINVAL
 * if there is nothing to release.
 */
int tdx_iommu_mt_release(struct tdx_iommu_mt *mt, const char *op, u64 status)
{
	if (!mt)
		return -EINVAL;

	if (status != TDX_SUCCESS || !tdx_iommu_mt_matches(mt)) {
		tdx_release_warn(op, status, (2U << mt->iq_order) +
				 mt->nr_entries - TDX_IOMMU_MT_FIRST_PAGE);
		free_page((unsigned long)mt->root);
		if (mt->pages)
			tdx_page_list_leak(mt->pages);
		kfree(mt);
		return -EIO;
	}

	tdx_iommu_mt_free(mt);
	return 0;
}
EXPORT_SYMBOL_FOR_MODULES(tdx_iommu_mt_release,
			  "tdx-host,tdx_release_test,tdx_connect_test");
