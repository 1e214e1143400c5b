// SPDX-License-Identifier: GPL-2.0-only
/*
 * A fake TDX module for KUnit.
 *
 * tdx_fake_module_install() puts the fake behind tdx_seamcall_enter() for
 * the rest of a test.  The fake decodes every operand of the leaves it
 * implements as the ABI defines it and refuses what the TDX module would
 * refuse, with the module's status codes: set reserved bits, misaligned
 * or unknown pages, a page it already owns, too many or too few entries,
 * leaves called out of order.  It owns pages the way the PAMT records
 * them, can interrupt a call (TDX_INTERRUPTED_RESUMABLE) and fail the Nth
 * call with any status, and counts calls per leaf.
 *
 * Pages the fake still owns when the test ends were leaked by the code
 * under test, as it must leak pages the module owns; the fake frees them
 * then, so that a page freed by both shows up as a double free.
 *
 * Where the real module's status for a refusal is not public (a call out
 * of order), the fake picks the nearest documented one; only its class
 * matters to the kernel.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

#include <linux/bitfield.h>
#include <linux/mm.h>
#include <linux/xarray.h>

#include <kunit/resource.h>
#include <kunit/static_stub.h>
#include <kunit/test.h>
#include <kunit/test-bug.h>
#include <kunit/visibility.h>

#include <asm/shared/tdx_errno.h>
#include <asm/tdx.h>
#include <asm/tdx_fake_module.h>
#include <asm/tdx_handoff.h>
#include <asm/tdx_iommu_mt.h>

#include "tdx.h"

/* Owners recorded in the PAMT-like map, with the block order in bits 7:0. */
#define TDX_FAKE_OWNER_POOL	1
#define TDX_FAKE_OWNER_OTHER	2	/* taken by an other_leaf handler */
#define TDX_FAKE_OWNER_IOMMU	3	/* + index of the VT-d unit */
#define TDX_FAKE_ORDER		GENMASK(7, 0)

/* Bits every page HPA entry must have 0: 11:0 and above bit 51. */
#define TDX_FAKE_HPA_RSVD	(GENMASK_ULL(11, 0) | GENMASK_ULL(63, 52))
#define TDX_FAKE_LIST_INFO_RSVD	(GENMASK_ULL(2, 0) | GENMASK_ULL(54, 52))

#define TDX_FAKE_IOMMU_ID_BASE	0x100

static struct tdx_fake_module *tdx_fake_current;

static u64 tdx_fake_operand(u64 status, u64 operand)
{
	return status | operand;
}

static bool tdx_fake_page_exists(u64 hpa)
{
	return !(hpa & GENMASK_ULL(63, 52)) && pfn_valid(PHYS_PFN(hpa));
}

static u64 tdx_fake_own(struct tdx_fake_module *fake, u64 hpa,
			unsigned int owner, unsigned int order)
{
	void *entry = xa_mk_value((owner << 8) | order);

	if (xa_err(xa_store(&fake->pamt, PHYS_PFN(hpa), entry, GFP_KERNEL)))
		return TDX_SYS_BUSY;
	return TDX_SUCCESS;
}

static void tdx_fake_disown(struct tdx_fake_module *fake, u64 hpa)
{
	xa_erase(&fake->pamt, PHYS_PFN(hpa));
}

/* Whether this call of @leaf is to be interrupted. */
static bool tdx_fake_interrupt(struct tdx_fake_module *fake, u16 leaf)
{
	if (fake->interrupt_leaf != leaf || !fake->interrupts)
		return false;
	if (fake->interrupts != UINT_MAX)
		fake->interrupts--;
	return true;
}

/*
 * Restart-style leaves: the module keeps its progress and the host calls
 * again with the same inputs.  Returns TDX_SUCCESS once @total units are
 * done, TDX_INTERRUPTED_RESUMABLE before that.
 */
static u64 tdx_fake_work(struct tdx_fake_module *fake, u16 leaf,
			 const struct tdx_module_args *args, unsigned int total)
{
	struct tdx_fake_resume *r = &fake->resume;

	if (r->leaf != leaf)
		*r = (struct tdx_fake_resume) {
			.leaf = leaf, .rcx = args->rcx, .rdx = args->rdx,
		};

	if (tdx_fake_interrupt(fake, leaf)) {
		r->done = min(r->done + fake->interrupt_progress, total);
		if (r->done < total) {
			fake->nr_interrupted++;
			return TDX_INTERRUPTED_RESUMABLE;
		}
	}

	*r = (struct tdx_fake_resume) {};
	return TDX_SUCCESS;
}

/* A restart must repeat the interrupted call's inputs. */
static bool tdx_fake_resuming(struct tdx_fake_module *fake, u16 leaf,
			      const struct tdx_module_args *args, u64 *status)
{
	struct tdx_fake_resume *r = &fake->resume;

	if (r->leaf != leaf)
		return false;
	if (args->rcx != r->rcx)
		*status = tdx_fake_operand(TDX_OPERAND_INVALID, TDX_OPERAND_ID_RCX);
	else if (args->rdx != r->rdx)
		*status = tdx_fake_operand(TDX_OPERAND_INVALID, TDX_OPERAND_ID_RDX);
	else
		*status = TDX_SUCCESS;
	return true;
}

static u64 tdx_fake_sys_rd(struct tdx_fake_module *fake, struct tdx_module_args *args)
{
	bool connect = fake->config_features & TDX_FEATURES0_TDX_CONNECT;
	u64 val;

	switch (args->rdx) {
	case TDX_MD_FEATURES0:
		val = fake->features0;
		break;
	case TDX_MD_MEMORY_POOL_REQUIRED_PAGES:
		val = fake->pool_required_pages;
		break;
	case TDX_MD_EXT_REQUIRED:
		val = fake->ext_required;
		break;
	case TDX_MD_IOMMU_MT_PAGE_COUNT:
		val = fake->iommu_mt_page_count;
		break;
	default:
		return TDX_METADATA_FIELD_ID_INCORRECT;
	}

	/* TDX Connect fields exist once TDH.SYS.CONFIG enabled it. */
	if (args->rdx != TDX_MD_FEATURES0 && !connect)
		return TDX_METADATA_FIELD_NOT_READABLE;

	args->r8 = val;
	return TDX_SUCCESS;
}

static u64 tdx_fake_sys_config(struct tdx_fake_module *fake, u8 version,
			       struct tdx_module_args *args)
{
	u64 addons = TDX_FEATURES0_TDX_CONNECT | TDX_FEATURES0_EXT;
	u64 features = version ? args->r9 : 0;

	if (version > 1)
		return tdx_fake_operand(TDX_OPERAND_INVALID, TDX_OPERAND_ID_RAX);
	if (!args->rcx || !IS_ALIGNED(args->rcx, 512) || args->rcx & GENMASK_ULL(63, 52))
		return tdx_fake_operand(TDX_OPERAND_INVALID, TDX_OPERAND_ID_RCX);
	if (!args->rdx)
		return tdx_fake_operand(TDX_OPERAND_INVALID, TDX_OPERAND_ID_RDX);
	/* Only add-on features the module offers; EXT comes with TDX Connect. */
	if ((features & ~addons) ||
	    (features & ~(fake->features0 | TDX_FEATURES0_EXT)) ||
	    (features & TDX_FEATURES0_EXT && !(features & TDX_FEATURES0_TDX_CONNECT)))
		return tdx_fake_operand(TDX_OPERAND_INVALID, TDX_OPERAND_ID_R9);

	fake->configured = true;
	fake->config_features = features;
	return TDX_SUCCESS;
}

/*
 * TDH.EXT.MEM.ADD adds pages one at a time from FIRST_ENTRY on: pages
 * before a refused entry stay added, and an interrupted call returns the
 * operand with FIRST_ENTRY at the next entry to add.
 */
static u64 tdx_fake_ext_mem_add(struct tdx_fake_module *fake, struct tdx_module_args *args)
{
	u64 info = args->rcx;
	unsigned int first = FIELD_GET(TDX_HPA_LIST_INFO_FIRST_ENTRY, info);
	unsigned int last = FIELD_GET(TDX_HPA_LIST_INFO_LAST_ENTRY, info);
	u64 root_hpa = FIELD_GET(TDX_HPA_LIST_INFO_PFN, info) << PAGE_SHIFT;
	u64 rcx_invalid = tdx_fake_operand(TDX_OPERAND_INVALID, TDX_OPERAND_ID_RCX);
	unsigned int budget = UINT_MAX;
	const u64 *root;
	unsigned int i;

	if (!(fake->config_features & TDX_FEATURES0_TDX_CONNECT))
		return TDX_SYSCONFIG_NOT_DONE;
	if (fake->ext_initialized)
		return TDX_SYS_NOT_READY;
	if ((info & TDX_FAKE_LIST_INFO_RSVD) || first > last)
		return rcx_invalid;
	if (!tdx_fake_page_exists(root_hpa))
		return tdx_fake_operand(TDX_OPERAND_ADDR_RANGE_ERROR, TDX_OPERAND_ID_RCX);

	if (tdx_fake_interrupt(fake, TDH_EXT_MEM_ADD))
		budget = fake->interrupt_progress;

	root = __va(root_hpa);
	for (i = first; i <= last; i++) {
		u64 hpa = root[i];
		u64 ret;

		if (i - first == budget) {
			args->rcx = (info & ~TDX_HPA_LIST_INFO_FIRST_ENTRY) |
				    FIELD_PREP(TDX_HPA_LIST_INFO_FIRST_ENTRY, i);
			fake->nr_interrupted++;
			return TDX_INTERRUPTED_RESUMABLE;
		}
		if (hpa & TDX_FAKE_HPA_RSVD)
			return rcx_invalid;
		if (!tdx_fake_page_exists(hpa))
			return tdx_fake_operand(TDX_OPERAND_ADDR_RANGE_ERROR,
						TDX_OPERAND_ID_RCX);
		if (xa_load(&fake->pamt, PHYS_PFN(hpa)))
			return tdx_fake_operand(TDX_PAGE_METADATA_INCORRECT,
						TDX_OPERAND_ID_RCX);
		/* More pages than the pool takes. */
		if (fake->pool_pages >= fake->pool_required_pages)
			return rcx_invalid;

		ret = tdx_fake_own(fake, hpa, TDX_FAKE_OWNER_POOL, 0);
		if (ret)
			return ret;
		fake->pool_pages++;
	}
	return TDX_SUCCESS;
}

static u64 tdx_fake_ext_init(struct tdx_fake_module *fake, struct tdx_module_args *args)
{
	u64 ret;

	if (!(fake->config_features & TDX_FEATURES0_TDX_CONNECT))
		return TDX_SYSCONFIG_NOT_DONE;
	/* The pool must be complete, and Extensions start only once. */
	if (fake->ext_initialized || fake->pool_pages != fake->pool_required_pages)
		return TDX_SYS_NOT_READY;

	ret = tdx_fake_work(fake, TDH_EXT_INIT, args, fake->ext_init_work);
	if (ret == TDX_SUCCESS)
		fake->ext_initialized = true;
	return ret;
}

/* Check an IOMMU_MT root page entry by entry, without taking anything. */
static u64 tdx_fake_check_iommu_mt(struct tdx_fake_module *fake, const u64 *root)
{
	u64 rdx_invalid = tdx_fake_operand(TDX_OPERAND_INVALID, TDX_OPERAND_ID_RDX);
	unsigned int nr = TDX_IOMMU_MT_FIRST_PAGE + fake->iommu_mt_page_count;
	unsigned int i;

	if (nr > TDX_ROOT_PAGE_MAX_ENTRIES)
		return rdx_invalid;

	for (i = 0; i < nr; i++) {
		u64 num = 1, hpa = root[i];

		/* The two queue blocks carry their size in NUM_PAGES. */
		if (i < TDX_IOMMU_MT_FIRST_PAGE) {
			num = FIELD_GET(TDX_IOMMU_MT_NUM_PAGES, hpa);
			hpa &= ~TDX_IOMMU_MT_NUM_PAGES;
			if (!num || !is_power_of_2(num) ||
			    !IS_ALIGNED(hpa, num << PAGE_SHIFT))
				return rdx_invalid;
		}
		/* A missing entry is a count that does not match. */
		if (!hpa || (hpa & TDX_FAKE_HPA_RSVD))
			return rdx_invalid;
		if (!tdx_fake_page_exists(hpa) ||
		    !tdx_fake_page_exists(hpa + (num << PAGE_SHIFT) - 1))
			return tdx_fake_operand(TDX_OPERAND_ADDR_RANGE_ERROR,
						TDX_OPERAND_ID_RDX);
		if (xa_load(&fake->pamt, PHYS_PFN(hpa)))
			return tdx_fake_operand(TDX_PAGE_METADATA_INCORRECT,
						TDX_OPERAND_ID_RDX);
	}
	return TDX_SUCCESS;
}

static u64 tdx_fake_own_iommu_mt(struct tdx_fake_module *fake, const u64 *root,
				 unsigned int unit)
{
	unsigned int nr = TDX_IOMMU_MT_FIRST_PAGE + fake->iommu_mt_page_count;
	unsigned int i;

	for (i = 0; i < nr; i++) {
		u64 num = 1, hpa = root[i];
		u64 ret;

		if (i < TDX_IOMMU_MT_FIRST_PAGE) {
			num = FIELD_GET(TDX_IOMMU_MT_NUM_PAGES, hpa);
			hpa &= ~TDX_IOMMU_MT_NUM_PAGES;
		}
		ret = tdx_fake_own(fake, hpa, TDX_FAKE_OWNER_IOMMU + unit, ilog2(num));
		if (ret)
			return ret;
	}
	return TDX_SUCCESS;
}

static void tdx_fake_disown_iommu_mt(struct tdx_fake_module *fake, const u64 *root)
{
	unsigned int nr = TDX_IOMMU_MT_FIRST_PAGE + fake->iommu_mt_page_count;
	unsigned int i;

	for (i = 0; i < nr; i++)
		tdx_fake_disown(fake, root[i] & ~TDX_IOMMU_MT_NUM_PAGES);
}

static u64 tdx_fake_iommu_setup(struct tdx_fake_module *fake, struct tdx_module_args *args)
{
	u64 rcx_invalid = tdx_fake_operand(TDX_OPERAND_INVALID, TDX_OPERAND_ID_RCX);
	struct tdx_fake_iommu *iommu = NULL;
	const u64 *root;
	unsigned int i;
	u64 ret;

	if (!fake->ext_initialized)
		return TDX_SYS_NOT_READY;

	for (i = 0; i < fake->nr_iommus; i++) {
		if (fake->iommus[i].vtbar == args->rcx)
			iommu = &fake->iommus[i];
	}
	/* An unknown or not TDX capable VT-d unit, or one already set up. */
	if (!iommu || !iommu->tdx_capable || iommu->set_up)
		return rcx_invalid;
	i = iommu - fake->iommus;

	if (!tdx_fake_resuming(fake, TDH_IOMMU_SETUP, args, &ret)) {
		if (args->rdx & TDX_FAKE_HPA_RSVD)
			return tdx_fake_operand(TDX_OPERAND_INVALID, TDX_OPERAND_ID_RDX);
		if (!tdx_fake_page_exists(args->rdx))
			return tdx_fake_operand(TDX_OPERAND_ADDR_RANGE_ERROR,
						TDX_OPERAND_ID_RDX);
		root = __va(args->rdx);
		ret = tdx_fake_check_iommu_mt(fake, root);
		if (ret)
			return ret;
		/* From here on the module owns the IOMMU_MT, done or not. */
		ret = tdx_fake_own_iommu_mt(fake, root, i);
	}
	if (ret)
		return ret;

	ret = tdx_fake_work(fake, TDH_IOMMU_SETUP, args, fake->iommu_work);
	if (ret == TDX_SUCCESS) {
		iommu->set_up = true;
		iommu->mt_hpa = args->rdx;
		args->rcx = TDX_FAKE_IOMMU_ID_BASE + i;
	}
	return ret;
}

static u64 tdx_fake_iommu_clear(struct tdx_fake_module *fake, struct tdx_module_args *args)
{
	struct tdx_fake_iommu *iommu;
	u64 id = args->rcx - TDX_FAKE_IOMMU_ID_BASE;
	u64 ret;

	if (args->rcx < TDX_FAKE_IOMMU_ID_BASE || id >= fake->nr_iommus ||
	    !fake->iommus[id].set_up)
		return tdx_fake_operand(TDX_OPERAND_INVALID, TDX_OPERAND_ID_RCX);
	iommu = &fake->iommus[id];
	if (args->rdx != iommu->mt_hpa)
		return tdx_fake_operand(TDX_OPERAND_INVALID, TDX_OPERAND_ID_RDX);

	if (tdx_fake_resuming(fake, TDH_IOMMU_CLEAR, args, &ret) && ret)
		return ret;

	ret = tdx_fake_work(fake, TDH_IOMMU_CLEAR, args, fake->iommu_work);
	if (ret == TDX_SUCCESS) {
		tdx_fake_disown_iommu_mt(fake, __va(iommu->mt_hpa));
		iommu->set_up = false;
		iommu->mt_hpa = 0;
	}
	return ret;
}

static u64 tdx_fake_seamcall(u64 fn, struct tdx_module_args *args)
{
	struct tdx_fake_module *fake = tdx_fake_current;
	u16 leaf = FIELD_GET(TDX_SEAMCALL_LEAF, fn);
	u8 version = FIELD_GET(TDX_SEAMCALL_VERSION, fn);

	fake->nr_calls++;
	if (leaf < TDX_FAKE_NR_LEAVES)
		fake->calls[leaf]++;

	if (fake->nr_calls == fake->fail_nth)
		return fake->fail_status;

	if (fn & ~(TDX_SEAMCALL_LEAF | TDX_SEAMCALL_VERSION))
		return tdx_fake_operand(TDX_OPERAND_INVALID, TDX_OPERAND_ID_RAX);

	switch (leaf) {
	case TDH_SYS_CONFIG:
		break;
	case TDH_SYS_RD:
	case TDH_EXT_INIT:
	case TDH_EXT_MEM_ADD:
	case TDH_IOMMU_SETUP:
	case TDH_IOMMU_CLEAR:
		/* These leaves have only version 0. */
		if (version)
			return tdx_fake_operand(TDX_OPERAND_INVALID, TDX_OPERAND_ID_RAX);
		break;
	default:
		if (fake->other_leaf)
			return fake->other_leaf(fake, leaf, version, args);
		return tdx_fake_operand(TDX_OPERAND_INVALID, TDX_OPERAND_ID_RAX);
	}

	switch (leaf) {
	case TDH_SYS_RD:
		return tdx_fake_sys_rd(fake, args);
	case TDH_SYS_CONFIG:
		return tdx_fake_sys_config(fake, version, args);
	case TDH_EXT_INIT:
		return tdx_fake_ext_init(fake, args);
	case TDH_EXT_MEM_ADD:
		return tdx_fake_ext_mem_add(fake, args);
	case TDH_IOMMU_SETUP:
		return tdx_fake_iommu_setup(fake, args);
	case TDH_IOMMU_CLEAR:
		return tdx_fake_iommu_clear(fake, args);
	default:
		return tdx_fake_operand(TDX_OPERAND_INVALID, TDX_OPERAND_ID_RAX);
	}
}

/* Free what the code under test leaked; see the top of the file. */
static void tdx_fake_free_owned(struct tdx_fake_module *fake)
{
	unsigned long pfn;
	void *entry;

	xa_for_each(&fake->pamt, pfn, entry)
		__free_pages(pfn_to_page(pfn), xa_to_value(entry) & TDX_FAKE_ORDER);
	xa_destroy(&fake->pamt);
}

static void tdx_fake_module_init(struct tdx_fake_module *fake)
{
	memset(fake, 0, sizeof(*fake));
	fake->features0 = TDX_FEATURES0_NO_RBP_MOD | TDX_FEATURES0_TDX_CONNECT;
	fake->pool_required_pages = 1024;
	fake->ext_required = 1;
	fake->iommu_mt_page_count = 16;
	fake->ext_init_work = 4;
	fake->iommu_work = 4;
	xa_init(&fake->pamt);
}

static void tdx_fake_module_remove(void *data)
{
	tdx_fake_free_owned(data);
	tdx_fake_current = NULL;
}

/**
 * tdx_fake_module_install() - Put a fake TDX module behind SEAMCALLs
 * @test: the test; the fake goes away when it ends
 *
 * The fake reports TDX Connect in TDX_FEATURES0 and is not configured yet.
 * The test may change the reported values and the injected behaviour in
 * the returned structure at any time.
 *
 * Context: Process context, in a KUnit test.
 * Return: the fake; a failure to create it fails the test.
 */
struct tdx_fake_module *tdx_fake_module_install(struct kunit *test)
{
	struct tdx_fake_module *fake;

	fake = kunit_kzalloc(test, sizeof(*fake), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, fake);
	KUNIT_ASSERT_NULL(test, tdx_fake_current);

	tdx_fake_module_init(fake);

	tdx_fake_current = fake;
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, tdx_fake_module_remove, fake), 0);
	kunit_activate_static_stub(test, tdx_seamcall_enter, tdx_fake_seamcall);
	return fake;
}
EXPORT_SYMBOL_IF_KUNIT(tdx_fake_module_install);

/**
 * tdx_fake_module_reset() - Start the fake TDX module over
 * @fake: the fake module
 *
 * As if the test had just installed it: pages it owns are freed as
 * leaked, the state, the injections and the counters are cleared and the
 * reported values are the defaults again.  For tests that run one
 * scenario many times.
 *
 * Context: Process context, in a KUnit test.
 */
void tdx_fake_module_reset(struct tdx_fake_module *fake)
{
	tdx_fake_free_owned(fake);
	tdx_fake_module_init(fake);
}
EXPORT_SYMBOL_IF_KUNIT(tdx_fake_module_reset);

/**
 * tdx_fake_add_iommu() - Give the fake a VT-d unit
 * @fake: the fake module
 * @vtbar: register base of the unit
 * @tdx_capable: whether TDH.IOMMU.SETUP may take it
 *
 * Context: Process context, in a KUnit test.
 * Return: 0, or -ENOSPC past TDX_FAKE_MAX_IOMMUS units.
 */
int tdx_fake_add_iommu(struct tdx_fake_module *fake, u64 vtbar, bool tdx_capable)
{
	if (fake->nr_iommus == TDX_FAKE_MAX_IOMMUS)
		return -ENOSPC;

	fake->iommus[fake->nr_iommus++] = (struct tdx_fake_iommu) {
		.vtbar = vtbar,
		.tdx_capable = tdx_capable,
	};
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(tdx_fake_add_iommu);

/**
 * tdx_fake_owns() - Whether the fake module owns a page
 * @fake: the fake module
 * @hpa: physical address of the page, or of the first page of a block
 *
 * Context: Process context, in a KUnit test.
 * Return: true if the page was handed over and not given back.
 */
bool tdx_fake_owns(struct tdx_fake_module *fake, u64 hpa)
{
	return xa_load(&fake->pamt, PHYS_PFN(hpa));
}
EXPORT_SYMBOL_IF_KUNIT(tdx_fake_owns);

/**
 * tdx_fake_take() - Let the fake module take a page, for an other_leaf handler
 * @fake: the fake module
 * @hpa: physical address of the page, or of the first page of a block
 * @order: allocation order of the block
 *
 * Checks the page as the fake's own leaves do and records it as owned;
 * the fake frees it when the test ends unless tdx_fake_give_back() gave
 * it back first.
 *
 * Context: Process context, in a KUnit test.
 * Return: TDX_SUCCESS, or the status the module would refuse the page
 * with, without the operand ID.
 */
u64 tdx_fake_take(struct tdx_fake_module *fake, u64 hpa, unsigned int order)
{
	if (hpa & TDX_FAKE_HPA_RSVD || !IS_ALIGNED(hpa, PAGE_SIZE << order))
		return TDX_OPERAND_INVALID;
	if (!tdx_fake_page_exists(hpa) ||
	    !tdx_fake_page_exists(hpa + (PAGE_SIZE << order) - 1))
		return TDX_OPERAND_ADDR_RANGE_ERROR;
	if (xa_load(&fake->pamt, PHYS_PFN(hpa)))
		return TDX_PAGE_METADATA_INCORRECT;
	return tdx_fake_own(fake, hpa, TDX_FAKE_OWNER_OTHER, order);
}
EXPORT_SYMBOL_IF_KUNIT(tdx_fake_take);

/**
 * tdx_fake_give_back() - Release a page taken with tdx_fake_take()
 * @fake: the fake module
 * @hpa: physical address of the page, or of the first page of a block
 *
 * Context: Process context, in a KUnit test.
 */
void tdx_fake_give_back(struct tdx_fake_module *fake, u64 hpa)
{
	tdx_fake_disown(fake, hpa);
}
EXPORT_SYMBOL_IF_KUNIT(tdx_fake_give_back);

/**
 * tdx_fake_nr_owned() - Number of pages and blocks the fake module owns
 * @fake: the fake module
 *
 * Context: Process context, in a KUnit test.
 * Return: the number of entries of the PAMT-like map.
 */
unsigned long tdx_fake_nr_owned(struct tdx_fake_module *fake)
{
	unsigned long pfn, nr = 0;
	void *entry;

	xa_for_each(&fake->pamt, pfn, entry)
		nr++;
	return nr;
}
EXPORT_SYMBOL_IF_KUNIT(tdx_fake_nr_owned);

/**
 * tdx_fake_calls() - Number of calls of one leaf
 * @fake: the fake module
 * @leaf: the leaf, any version
 *
 * Context: Any context.
 * Return: the calls made, refused and failed ones included.
 */
unsigned int tdx_fake_calls(const struct tdx_fake_module *fake, u16 leaf)
{
	return leaf < TDX_FAKE_NR_LEAVES ? fake->calls[leaf] : 0;
}
EXPORT_SYMBOL_IF_KUNIT(tdx_fake_calls);

MODULE_DESCRIPTION("Fake TDX module for KUnit tests");
MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");
MODULE_LICENSE("GPL");
