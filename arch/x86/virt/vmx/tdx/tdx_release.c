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
 * A released page still has cache lines tagged with the global private
 * KeyID the module used it with.  Each one is written back with
 * TDH.PHYMEM.PAGE.WBINVD, then made safe with tdx_page_list_reset_page(),
 * and only then freed.  A page whose write-back fails is leaked.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */
#define pr_fmt(fmt)	"tdx: " fmt

#include <linux/bitfield.h>
#include <linux/bug.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include <asm/tdx.h>
#include <asm/tdx_handoff.h>
#include <asm/tdx_iommu_mt.h>
#include <asm/tdx_page_list.h>
#include <asm/tdx_release.h>

#include "tdx.h"

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

/*
 * Write back one released page and free it, or leak it if the write-back
 * fails.  Returns the status of the write-back.
 */
static u64 tdx_release_page(struct page *page)
{
	u64 status = tdh_phymem_page_wbinvd_global(page);

	if (status != TDX_SUCCESS)
		return status;

	tdx_page_list_reset_page(page);
	__free_page(page);
	return TDX_SUCCESS;
}

/* Counts the pages whose write-back failed, for one warning per release. */
struct tdx_release_leaks {
	unsigned int nr_pages;
	u64 status;
};

static void tdx_release_leak_one(struct tdx_release_leaks *leaks, u64 status)
{
	if (!leaks->nr_pages++)
		leaks->status = status;
}

static int tdx_release_leaks_report(const struct tdx_release_leaks *leaks, const char *op)
{
	if (!leaks->nr_pages)
		return 0;

	WARN(1, "%s: TDH.PHYMEM.PAGE.WBINVD failed: 0x%016llx, leaking %u pages\n",
	     op, leaks->status, leaks->nr_pages);
	return -EIO;
}

/* Write back and free every page of @list, and the list. */
static void tdx_page_list_release_pages(struct tdx_page_list *list,
					struct tdx_release_leaks *leaks)
{
	unsigned int i;
	u64 status;

	for (i = 0; i < list->nr_pages; i++) {
		status = tdx_release_page(list->pages[i]);
		if (status != TDX_SUCCESS)
			tdx_release_leak_one(leaks, status);
	}
	kvfree(list);
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
 * Only if @status is TDX_SUCCESS and @released lists exactly the pages of
 * @list in the same order is each page written back and freed; a page
 * whose write-back fails is leaked, with one WARN for the list.
 * Otherwise every page is leaked with one WARN naming @op.
 *
 * Context: Process context, may sleep.
 * Return: 0 if every page was freed, -EIO if any was leaked, -EINVAL if
 * there is nothing to release.
 */
int tdx_page_list_release(struct tdx_page_list *list, const char *op, u64 status,
			  const u64 *released, unsigned int nr_released)
{
	struct tdx_release_leaks leaks = {};

	if (!list)
		return -EINVAL;

	if (status != TDX_SUCCESS ||
	    !tdx_page_list_matches(list, released, nr_released)) {
		tdx_release_warn(op, status, list->nr_pages);
		tdx_page_list_leak(list);
		return -EIO;
	}

	tdx_page_list_release_pages(list, &leaks);
	return tdx_release_leaks_report(&leaks, op);
}
EXPORT_SYMBOL_FOR_MODULES(tdx_page_list_release, "tdx-host");

/**
 * tdx_page_list_release_hpa_array() - Free pages released as an HPA_ARRAY_T
 * @list: the pages handed over; consumed
 * @ho: the hand-off whose root page the module wrote the released list to
 * @op: name of the releasing SEAMCALL, for the warning
 * @status: status of that SEAMCALL
 * @released: the HPA_ARRAY_T output of that SEAMCALL
 *
 * DELETE SEAMCALLs report the pages they release as an HPA_ARRAY_T in the
 * root page given to them, which their wrapper cleared before the call
 * (tdx_handoff_clear_root()): every entry read here is one the module
 * wrote, and an entry it did not write is 0 and matches no page.  An
 * output that points anywhere but that root page (or, for one page,
 * anywhere but that page) does not match.
 *
 * Context: Process context, may sleep.
 * Return: as tdx_page_list_release().
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
EXPORT_SYMBOL_FOR_MODULES(tdx_page_list_release_hpa_array, "tdx-host");

/* Write back and free the pages of a split queue block. */
static void tdx_iommu_mt_release_block(struct page *block, unsigned int order,
				       struct tdx_release_leaks *leaks)
{
	unsigned int i;
	u64 status;

	for (i = 0; i < (1U << order); i++) {
		status = tdx_release_page(block + i);
		if (status != TDX_SUCCESS)
			tdx_release_leak_one(leaks, status);
	}
}

/**
 * tdx_iommu_mt_release() - Free an IOMMU_MT after TDH.IOMMU.CLEAR
 * @mt: the IOMMU_MT handed to TDH.IOMMU.SETUP; consumed
 * @op: name of the releasing SEAMCALL, for the warning
 * @status: status of TDH.IOMMU.CLEAR, or of a TDH.IOMMU.SETUP that failed
 *
 * TDH.IOMMU.CLEAR takes the IOMMU_MT root page as an input only and says
 * nothing about the pages it gives back.  This is the one place that
 * relies on the ABI as documented: a successful TDH.IOMMU.CLEAR has
 * released every page of the IOMMU_MT that TDH.IOMMU.SETUP took, the two
 * queue blocks and the MT pages.  Each is then written back and freed; a
 * page whose write-back fails is leaked, with one WARN.  After any other
 * status every page but the root page, which the module never keeps, is
 * leaked with one WARN naming @op.
 *
 * Context: Process context, may sleep.
 * Return: 0 if every page was freed, -EIO if any was leaked, -EINVAL if
 * there is nothing to release.
 */
int tdx_iommu_mt_release(struct tdx_iommu_mt *mt, const char *op, u64 status)
{
	struct tdx_release_leaks leaks = {};

	if (!mt)
		return -EINVAL;

	if (status != TDX_SUCCESS) {
		tdx_release_warn(op, status, (2U << mt->iq_order) +
				 mt->nr_entries - TDX_IOMMU_MT_FIRST_PAGE);
		free_page((unsigned long)mt->root);
		if (mt->pages)
			tdx_page_list_leak(mt->pages);
		kfree(mt);
		return -EIO;
	}

	tdx_iommu_mt_release_block(mt->iq, mt->iq_order, &leaks);
	tdx_iommu_mt_release_block(mt->ctxiq, mt->iq_order, &leaks);
	if (mt->pages)
		tdx_page_list_release_pages(mt->pages, &leaks);
	free_page((unsigned long)mt->root);
	kfree(mt);
	return tdx_release_leaks_report(&leaks, op);
}
EXPORT_SYMBOL_FOR_MODULES(tdx_iommu_mt_release, "tdx-host");
