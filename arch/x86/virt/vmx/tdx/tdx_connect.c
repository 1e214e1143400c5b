// SPDX-License-Identifier: GPL-2.0
/*
 * SEAMCALL wrappers for the TDX module Extensions and the VT-d units of
 * TDX Connect.
 *
 * Each wrapper takes the kernel's page-list types, not raw addresses, and
 * resumes its leaf after TDX_INTERRUPTED_RESUMABLE the way that leaf
 * defines: TDH.EXT.MEM.ADD continues from the operand the module handed
 * back, TDH.EXT.INIT and TDH.IOMMU.SETUP/CLEAR start again with their
 * original inputs while the module keeps its progress internally.  Each
 * loop runs until the module stops returning TDX_INTERRUPTED_RESUMABLE,
 * and a wrapper never returns that status.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */
#define pr_fmt(fmt)	"tdx: " fmt

#include <linux/bug.h>
#include <linux/export.h>
#include <linux/printk.h>

#include <asm/shared/tdx_errno.h>
#include <asm/tdx.h>
#include <asm/tdx_handoff.h>
#include <asm/tdx_iommu_mt.h>

#include "tdx.h"

/*
 * Restart-style leaves: the module records its progress and the host
 * repeats the call with the original inputs until it is done.  The host
 * cannot see that progress, so no bound on the restarts could tell a
 * module that works from one that does not: TDX_INTERRUPTED_RESUMABLE
 * only says that a host interrupt was pending, and a busy CPU can have
 * one pending at every call.  As 7.3's TDH.SYS.TDMR.INIT loop in
 * init_tdmr(), the loop ends when the module says so.  It has no
 * cond_resched(): x86 kernels are always preemptible (PREEMPT_NONE and
 * PREEMPT_VOLUNTARY are not offered on x86) and preemption is enabled
 * between two SEAMCALLs.  Nor does it stop on a fatal signal: an abandoned
 * TDH.IOMMU.SETUP leaves the VT-d unit half set up without an ID to clear
 * it with, an abandoned TDH.IOMMU.CLEAR (at tdx-host remove, which cannot
 * fail) leaves it with the module for good, and TDH.EXT.INIT runs from an
 * initcall, where no signal arrives.
 */
static u64 tdx_seamcall_restart(u16 leaf, const struct tdx_module_args *in,
				struct tdx_module_args *out)
{
	u64 status;

	do {
		*out = *in;
		status = tdx_seamcall_ver(leaf, 0, out);
	} while (status == TDX_INTERRUPTED_RESUMABLE);

	return status;
}

/**
 * tdh_sys_config() - TDH.SYS.CONFIG, with add-on features if any
 * @tdmr_pa_array: physical address of the array of TDMR_INFO addresses
 * @nr_tdmrs: number of entries in that array
 * @global_keyid: the TDX global private KeyID
 * @features: add-on features to enable, as in TDX_FEATURES0; 0 for none
 *
 * Version 1 of the leaf takes @features in R9.  Without features the call
 * is version 0, exactly as a kernel without TDX Connect makes it.
 *
 * Context: Process context.
 * Return: the TDX module status.
 */
u64 tdh_sys_config(u64 tdmr_pa_array, u64 nr_tdmrs, u64 global_keyid, u64 features)
{
	struct tdx_module_args args = {
		.rcx = tdmr_pa_array,
		.rdx = nr_tdmrs,
		.r8 = global_keyid,
		.r9 = features,
	};

	return tdx_seamcall_ver(TDH_SYS_CONFIG, features ? 1 : 0, &args);
}

/**
 * tdh_ext_mem_add() - TDH.EXT.MEM.ADD of the current chunk of a hand-off
 * @ho: hand-off with a chunk prepared by tdx_handoff_next_chunk()
 *
 * Hands the chunk to the module as an HPA_LIST_INFO.  When the module is
 * interrupted it returns the operand with FIRST_ENTRY at the next page to
 * add, which is the input of the next call.  tdx_hpa_list_info_resume()
 * refuses an operand that names another root page or chunk size or moves
 * backwards, so the module can only be asked for pages of this chunk.
 * The loop is not bounded: an interrupted call may add no page at all
 * when an interrupt is already pending, as often in a row as interrupts
 * come, so only the module can tell when it is done (see
 * tdx_seamcall_restart()).
 *
 * Context: Process context.
 * Return: the TDX module status, or TDX_SW_ERROR if the module resumed
 * at an operand that tdx_hpa_list_info_resume() refuses; never
 * TDX_INTERRUPTED_RESUMABLE.  On failure the module may own any page of
 * the chunk and of earlier chunks.
 */
u64 tdh_ext_mem_add(const struct tdx_handoff *ho)
{
	struct tdx_module_args args;
	u64 info, status;

	if (WARN_ON_ONCE(tdx_handoff_hpa_list_info(ho, &info)))
		return TDX_SW_ERROR;

	for (;;) {
		args = (struct tdx_module_args) { .rcx = info };
		status = tdx_seamcall_ver(TDH_EXT_MEM_ADD, 0, &args);
		if (status != TDX_INTERRUPTED_RESUMABLE)
			return status;

		if (tdx_hpa_list_info_resume(info, args.rcx)) {
			pr_err("TDH.EXT.MEM.ADD resumes at 0x%016llx after 0x%016llx\n",
			       args.rcx, info);
			return TDX_SW_ERROR;
		}
		info = args.rcx;
	}
}

/**
 * tdh_ext_init() - TDH.EXT.INIT: start the TDX module Extensions
 *
 * Called once the whole memory pool, if any, has been added.  Restarted
 * until the module stops returning TDX_INTERRUPTED_RESUMABLE.
 *
 * Context: Process context.
 * Return: the TDX module status.
 */
u64 tdh_ext_init(void)
{
	struct tdx_module_args in = {}, out;

	return tdx_seamcall_restart(TDH_EXT_INIT, &in, &out);
}

/**
 * tdh_iommu_setup() - TDH.IOMMU.SETUP: give a VT-d unit to the TDX module
 * @vtbar: register base address of the VT-d unit
 * @mt: IOMMU_MT for the unit, from tdx_iommu_mt_alloc()
 * @iommu_id: the module's ID for the unit, on success
 *
 * TDX_OPERAND_INVALID means the unit is not TDX capable; the module then
 * owns nothing of @mt.  After any other failure the module may own @mt.
 * Restarted until the module stops returning TDX_INTERRUPTED_RESUMABLE.
 *
 * Context: Process context.
 * Return: the TDX module status.
 */
u64 tdh_iommu_setup(u64 vtbar, const struct tdx_iommu_mt *mt, u64 *iommu_id)
{
	struct tdx_module_args in = {
		.rcx = vtbar,
		.rdx = tdx_iommu_mt_hpa(mt),
	};
	struct tdx_module_args out;
	u64 status;

	status = tdx_seamcall_restart(TDH_IOMMU_SETUP, &in, &out);
	if (status == TDX_SUCCESS)
		*iommu_id = out.rcx;

	return status;
}
EXPORT_SYMBOL_FOR_MODULES(tdh_iommu_setup, "tdx-host");

/**
 * tdh_iommu_clear() - TDH.IOMMU.CLEAR: take a VT-d unit back
 * @iommu_id: the ID that tdh_iommu_setup() returned
 * @mt: the IOMMU_MT given to tdh_iommu_setup()
 *
 * On success the module has released all of @mt; tdx_iommu_mt_release()
 * writes it back and frees it.  Restarted until the module stops returning
 * TDX_INTERRUPTED_RESUMABLE.
 *
 * Context: Process context.
 * Return: the TDX module status.
 */
u64 tdh_iommu_clear(u64 iommu_id, const struct tdx_iommu_mt *mt)
{
	struct tdx_module_args in = {
		.rcx = iommu_id,
		.rdx = tdx_iommu_mt_hpa(mt),
	};
	struct tdx_module_args out;

	return tdx_seamcall_restart(TDH_IOMMU_CLEAR, &in, &out);
}
EXPORT_SYMBOL_FOR_MODULES(tdh_iommu_clear, "tdx-host");
