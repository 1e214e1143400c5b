// SPDX-License-Identifier: GPL-2.0-only
/*
 * A fake TDX module for KUnit.
 *
 * tdx_fake_module_install() puts the fake behind tdx_seamcall_enter() for
 * the rest of a test.  The fake decodes every operand of the leaves it
 * implements as the ABI defines it and refuses what the TDX module would
 * refuse, with the module's status codes: set reserved bits, misaligned
 * or unknown pages, a page it already owns, too many or too few entries,
 * leaves called out of order.  It can interrupt a call
 * (TDX_INTERRUPTED_RESUMABLE) and fail the Nth call with any status, and
 * counts calls per leaf.  The pages the leaves take and give back go
 * through the page model of tdx_fake_pages.c, which fails the test on a
 * page handed over unflushed or freed while the module holds it.
 *
 * The Extensions run one SPDM or IDE operation at a time, and an
 * operation that returned TDX_SPDM_REQUEST stays in flight until the same
 * leaf is called again for the same session (and stream) and returns
 * any other status.  The fake refuses, with TDX_OPERAND_BUSY and as a
 * violation, an Extension SEAMCALL that enters while another one is
 * executing, and one that is not the continuation of the operation in
 * flight.  The kernel serializes them, so it must never see this.
 *
 * Where the real module's status for a refusal is not public (a call out
 * of order), the fake picks the nearest documented one; only its class
 * matters to the kernel.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

#include <linux/bitfield.h>
#include <linux/completion.h>
#include <linux/log2.h>
#include <linux/mm.h>

#include <kunit/static_stub.h>
#include <kunit/test.h>
#include <kunit/visibility.h>

#include <asm/shared/tdx_errno.h>
#include <asm/tdx.h>
#include "tdx_fake_module.h"
#include <asm/tdx_handoff.h>
#include <asm/tdx_iommu_mt.h>

#include "../tdx.h"

#define TDX_FAKE_LIST_INFO_RSVD	(GENMASK_ULL(2, 0) | GENMASK_ULL(54, 52))

#define TDX_FAKE_IOMMU_ID_BASE	0x100

/*
 * TDH.PHYMEM.PAGE.WBINVD: write back and invalidate the lines of one page
 * for one KeyID.  RCX is the page's physical address with the KeyID in
 * the bits above the physical address bits (mk_keyed_paddr()).  The fake
 * refuses a page the module still owns, and a KeyID other than the global
 * private one, which is the only KeyID its pages were used with.
 */
static u64 tdx_fake_page_wbinvd(struct tdx_fake_module *fake, struct tdx_module_args *args)
{
	unsigned int bits = boot_cpu_data.x86_phys_bits;
	u64 pa = args->rcx & GENMASK_ULL(bits - 1, 0);
	u64 keyid = args->rcx >> bits;

	if (pa & ~PAGE_MASK || !tdx_fake_page_exists(pa))
		return tdx_fake_operand(TDX_OPERAND_INVALID, TDX_OPERAND_ID_RCX);
	if (tdx_fake_page_owned(fake, pa))
		return tdx_fake_operand(TDX_PAGE_METADATA_INCORRECT, TDX_OPERAND_ID_RCX);
	if (keyid != fake->global_keyid) {
		if (tdx_fake_page_released(fake, pa))
			tdx_fake_report_violation(fake,
						  "%s: page 0x%llx written back with KeyID %llu, used with KeyID %u",
						  tdx_leaf_name(fake->leaf), pa, keyid,
						  fake->global_keyid);
		return tdx_fake_operand(TDX_OPERAND_INVALID, TDX_OPERAND_ID_RCX);
	}

	if (tdx_fake_page_released(fake, pa))
		xa_erase(&fake->pamt, PHYS_PFN(pa));
	else
		fake->nr_needless_wbinvd++;
	return TDX_SUCCESS;
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
	case TDX_MD_SPDM_MT_PAGE_COUNT:
		val = fake->spdm_mt_page_count;
		break;
	case TDX_MD_IDE_MT_PAGE_COUNT:
		val = fake->ide_mt_page_count;
		break;
	case TDX_MD_SPDM_MAX_DEV_INFO_PAGES:
		val = fake->spdm_max_dev_info_pages;
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

	/*
	 * Which status a module gives Extensions leaves before TDH.SYS.CONFIG
	 * enabled TDX Connect is not public: the public one for a leaf called
	 * in the wrong system state stands in.
	 */
	if (!(fake->config_features & TDX_FEATURES0_TDX_CONNECT))
		return TDX_SYS_STATE_INCORRECT;
	if (fake->ext_initialized)
		return TDX_SYS_NOT_READY;
	if ((info & TDX_FAKE_LIST_INFO_RSVD) || first > last)
		return rcx_invalid;
	if (!tdx_fake_page_exists(root_hpa))
		return tdx_fake_operand(TDX_OPERAND_ADDR_RANGE_ERROR, TDX_OPERAND_ID_RCX);

	if (tdx_fake_interrupt(fake, TDH_EXT_MEM_ADD))
		budget = fake->interrupt_progress;

	/* The module reads the root entries from FIRST_ENTRY to LAST_ENTRY. */
	tdx_fake_check_flushed(fake, "root page", root_hpa + first * sizeof(u64),
			       (last - first + 1) * sizeof(u64));
	root = __va(root_hpa);
	for (i = first; i <= last; i++) {
		u64 hpa = root[i];
		u64 ret;

		if (i - first == budget) {
			args->rcx = (info & ~TDX_HPA_LIST_INFO_FIRST_ENTRY) |
				    FIELD_PREP(TDX_HPA_LIST_INFO_FIRST_ENTRY, i);
			args->rcx ^= fake->mem_add_resume_flip;
			fake->nr_interrupted++;
			return TDX_INTERRUPTED_RESUMABLE;
		}
		if (hpa & TDX_FAKE_HPA_RSVD)
			return rcx_invalid;
		if (!tdx_fake_page_exists(hpa))
			return tdx_fake_operand(TDX_OPERAND_ADDR_RANGE_ERROR,
						TDX_OPERAND_ID_RCX);
		if (tdx_fake_page_owned(fake, hpa))
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
		return TDX_SYS_STATE_INCORRECT;
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
		if (tdx_fake_page_owned(fake, hpa))
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

	for (i = 0; i < nr; i++) {
		u64 num = 1;

		if (i < TDX_IOMMU_MT_FIRST_PAGE)
			num = FIELD_GET(TDX_IOMMU_MT_NUM_PAGES, root[i]);
		tdx_fake_disown(fake, root[i] & ~TDX_IOMMU_MT_NUM_PAGES, ilog2(num));
	}
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
	if (iommu->invalid_operand)
		return tdx_fake_operand(TDX_OPERAND_INVALID, iommu->invalid_operand);
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
		tdx_fake_check_flushed(fake, "IOMMU_MT root page", args->rdx,
				       sizeof(u64) * (TDX_IOMMU_MT_FIRST_PAGE +
						      fake->iommu_mt_page_count));
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

/**
 * tdx_fake_is_ext_leaf() - Whether a leaf is one of the Extension leaves
 * @leaf: the leaf
 *
 * The SPDM session and IDE stream leaves, which the Extensions run for
 * one caller at a time.
 *
 * Context: Any context.
 * Return: true for TDH.SPDM.* and TDH.IDE.STREAM.*.
 */
bool tdx_fake_is_ext_leaf(u16 leaf)
{
	switch (leaf) {
	case TDH_SPDM_CREATE:
	case TDH_SPDM_DELETE:
	case TDH_IDE_STREAM_CREATE:
	case TDH_IDE_STREAM_BLOCK:
	case TDH_IDE_STREAM_DELETE:
	case TDH_IDE_STREAM_KM:
	case TDH_SPDM_CONNECT:
	case TDH_SPDM_DISCONNECT:
	case TDH_SPDM_MNG:
		return true;
	default:
		return false;
	}
}
EXPORT_SYMBOL_IF_KUNIT(tdx_fake_is_ext_leaf);

/* Whether @args continue the operation in flight, @op. */
static bool tdx_fake_ext_continues(const struct tdx_fake_ext_op *op, u16 leaf,
				   const struct tdx_module_args *args)
{
	return op->leaf == leaf && op->spdm_id == args->rcx &&
	       (leaf != TDH_IDE_STREAM_KM || op->stream_id == args->rdx);
}

static u64 tdx_fake_ext_busy(struct tdx_fake_module *fake, u16 leaf, u16 open)
{
	atomic_inc(&fake->nr_ext_busy);
	if (open)
		tdx_fake_report_violation(fake, "%s called while %s waits for its response",
					  tdx_leaf_name(leaf), tdx_leaf_name(open));
	else
		tdx_fake_report_violation(fake,
					  "%s entered while another Extension SEAMCALL was executing",
					  tdx_leaf_name(leaf));
	return TDX_OPERAND_BUSY;
}

/* An Extension leaf, under the one-caller rule; see the top of the file. */
static u64 tdx_fake_ext_call(struct tdx_fake_module *fake, u16 leaf, u8 version,
			     struct tdx_module_args *args)
{
	struct tdx_fake_ext_op *op = &fake->ext_open;
	u64 spdm_id = args->rcx, stream_id = args->rdx;
	u64 status;

	if (atomic_inc_return(&fake->ext_inside) > 1) {
		atomic_dec(&fake->ext_inside);
		return tdx_fake_ext_busy(fake, leaf, 0);
	}
	if (op->leaf && !tdx_fake_ext_continues(op, leaf, args)) {
		atomic_dec(&fake->ext_inside);
		return tdx_fake_ext_busy(fake, leaf, op->leaf);
	}

	if (fake->ext_entered)
		complete(fake->ext_entered);
	if (fake->ext_hold)
		wait_for_completion(fake->ext_hold);

	if (fake->ext_leaf)
		status = fake->ext_leaf(fake, leaf, version, args);
	else if (fake->other_leaf)
		status = fake->other_leaf(fake, leaf, version, args);
	else
		status = tdx_fake_operand(TDX_OPERAND_INVALID, TDX_OPERAND_ID_RAX);

	if (status == TDX_SPDM_REQUEST)
		*op = (struct tdx_fake_ext_op) {
			.leaf = leaf, .spdm_id = spdm_id, .stream_id = stream_id,
		};
	else
		*op = (struct tdx_fake_ext_op) {};
	atomic_dec(&fake->ext_inside);
	return status;
}

static u64 tdx_fake_seamcall(u64 fn, struct tdx_module_args *args)
{
	struct tdx_fake_module *fake = tdx_fake_current;
	u16 leaf = FIELD_GET(TDX_SEAMCALL_LEAF, fn);
	u8 version = FIELD_GET(TDX_SEAMCALL_VERSION, fn);

	fake->nr_calls++;
	if (leaf < TDX_FAKE_NR_LEAVES)
		fake->calls[leaf]++;
	fake->leaf = leaf;
	tdx_fake_check_frees(fake);

	if (fake->nr_calls == fake->fail_nth)
		return fake->fail_status;

	if (fn & ~(TDX_SEAMCALL_LEAF | TDX_SEAMCALL_VERSION))
		return tdx_fake_operand(TDX_OPERAND_INVALID, TDX_OPERAND_ID_RAX);

	switch (leaf) {
	case TDH_SYS_CONFIG:
		break;
	case TDH_SYS_RD:
	case TDH_PHYMEM_PAGE_WBINVD:
	case TDH_EXT_INIT:
	case TDH_EXT_MEM_ADD:
	case TDH_IOMMU_SETUP:
	case TDH_IOMMU_CLEAR:
		/* These leaves have only version 0. */
		if (version)
			return tdx_fake_operand(TDX_OPERAND_INVALID, TDX_OPERAND_ID_RAX);
		break;
	default:
		if (tdx_fake_is_ext_leaf(leaf))
			return tdx_fake_ext_call(fake, leaf, version, args);
		if (fake->other_leaf)
			return fake->other_leaf(fake, leaf, version, args);
		return tdx_fake_operand(TDX_OPERAND_INVALID, TDX_OPERAND_ID_RAX);
	}

	switch (leaf) {
	case TDH_SYS_RD:
		return tdx_fake_sys_rd(fake, args);
	case TDH_SYS_CONFIG:
		return tdx_fake_sys_config(fake, version, args);
	case TDH_PHYMEM_PAGE_WBINVD:
		return tdx_fake_page_wbinvd(fake, args);
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

/* What the fake reports and how long its work takes, unless a test says otherwise. */
static void tdx_fake_module_defaults(struct tdx_fake_module *fake)
{
	fake->features0 = TDX_FEATURES0_NO_RBP_MOD | TDX_FEATURES0_TDX_CONNECT;
	fake->pool_required_pages = 1024;
	fake->ext_required = 1;
	fake->iommu_mt_page_count = 16;
	fake->spdm_mt_page_count = 2;
	fake->ide_mt_page_count = 1;
	fake->spdm_max_dev_info_pages = 2;
	fake->ext_init_work = 4;
	fake->iommu_work = 4;
}

/**
 * tdx_fake_module_install() - Put a fake TDX module behind SEAMCALLs
 * @test: the test; the fake goes away when it ends
 *
 * The fake reports TDX Connect in TDX_FEATURES0 and is not configured yet.
 * The test may change the reported values and the injected behaviour in
 * the returned structure at any time.  The fake also takes over
 * tdx_handoff_flush(), to record flushes, and tdx_get_global_keyid(), so
 * that the global KeyID is TDX_FAKE_GLOBAL_KEYID and not 0.
 *
 * Context: Process context, in a KUnit test.
 * Return: the fake; a failure to create it fails the test.
 */
struct tdx_fake_module *tdx_fake_module_install(struct kunit *test)
{
	struct tdx_fake_module *fake = tdx_fake_pages_install(test);

	tdx_fake_module_defaults(fake);
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
	tdx_fake_pages_reset(fake);
	tdx_fake_module_defaults(fake);
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
 * tdx_fake_take() - Let the fake module take a page, for an other_leaf handler
 * @fake: the fake module
 * @hpa: physical address of the page, or of the first page of a block
 * @order: allocation order of the block
 *
 * Checks the page as the fake's own leaves do, that it was flushed, and
 * records it as owned; the fake frees it when the test ends unless
 * tdx_fake_give_back() gave it back first.
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
	if (tdx_fake_page_owned(fake, hpa))
		return TDX_PAGE_METADATA_INCORRECT;
	return tdx_fake_own(fake, hpa, TDX_FAKE_OWNER_OTHER, order);
}
EXPORT_SYMBOL_IF_KUNIT(tdx_fake_take);

/**
 * tdx_fake_give_back() - Release a page taken with tdx_fake_take()
 * @fake: the fake module
 * @hpa: physical address of the page
 *
 * The page is released: it must be written back with
 * TDH.PHYMEM.PAGE.WBINVD before it is freed.
 *
 * Context: Process context, in a KUnit test.
 */
void tdx_fake_give_back(struct tdx_fake_module *fake, u64 hpa)
{
	tdx_fake_disown(fake, hpa, 0);
}
EXPORT_SYMBOL_IF_KUNIT(tdx_fake_give_back);

/**
 * tdx_fake_untake() - Undo tdx_fake_take() for a call that fails
 * @fake: the fake module
 * @hpa: physical address of the page
 *
 * For a handler that refuses a call after taking some of its pages: the
 * module never used them, so they are the kernel's again at once.
 *
 * Context: Process context, in a KUnit test.
 */
void tdx_fake_untake(struct tdx_fake_module *fake, u64 hpa)
{
	xa_erase(&fake->pamt, PHYS_PFN(hpa));
}
EXPORT_SYMBOL_IF_KUNIT(tdx_fake_untake);

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
