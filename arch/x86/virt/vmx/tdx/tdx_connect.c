// SPDX-License-Identifier: GPL-2.0
/*
 * SEAMCALL wrappers for the TDX module Extensions and the VT-d units of
 * TDX Connect.
 *
 * Each wrapper takes the kernel's page-list types, not raw addresses, and
 * resumes its leaf after TDX_INTERRUPTED_RESUMABLE the way that leaf
 * defines: TDH.EXT.MEM.ADD continues from the operand the module handed
 * back, TDH.EXT.INIT and TDH.IOMMU.SETUP/CLEAR start again with their
 * original inputs while the module keeps its progress internally.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */
#define pr_fmt(fmt)	"tdx: " fmt

#include <linux/bug.h>
#include <linux/export.h>
#include <linux/printk.h>

#include <kunit/visibility.h>

#include <asm/shared/tdx_errno.h>
#include <asm/tdx.h>
#include <asm/tdx_handoff.h>
#include <asm/tdx_iommu_mt.h>

#include "tdx.h"

/*
 * Restart-style leaves: the module records its progress and the host
 * repeats the call with the original inputs.  The host cannot see the
 * progress, so the loop is bounded by TDX_RESUME_MAX.
 */
static u64 tdx_seamcall_restart(u16 leaf, const struct tdx_module_args *in,
				struct tdx_module_args *out)
{
	u64 status = TDX_INTERRUPTED_RESUMABLE;
	unsigned int i;

	for (i = 0; i < TDX_RESUME_MAX; i++) {
		*out = *in;
		status = tdx_seamcall_ver(leaf, 0, out);
		if (status != TDX_INTERRUPTED_RESUMABLE)
			break;
	}
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
EXPORT_SYMBOL_IF_KUNIT(tdh_sys_config);

/**
 * tdh_ext_mem_add() - TDH.EXT.MEM.ADD of the current chunk of a hand-off
 * @ho: hand-off with a chunk prepared by tdx_handoff_next_chunk()
 *
 * Hands the chunk to the module as an HPA_LIST_INFO.  When the module is
 * interrupted it returns the operand with FIRST_ENTRY at the next page to
 * add, which is the input of the next call.  FIRST_ENTRY never moves
 * backwards (tdx_hpa_list_info_resume()) and cannot pass LAST_ENTRY, so
 * at most 512 calls make progress, and fewer than TDX_RESUME_MAX calls in
 * a row may make none before the module is given up on.
 *
 * Context: Process context.
 * Return: the TDX module status.  On failure the module may own any page
 * of the chunk and of earlier chunks.
 */
u64 tdh_ext_mem_add(const struct tdx_handoff *ho)
{
	struct tdx_module_args args = {};
	unsigned int idle = 0;
	u64 info, status;

	if (WARN_ON_ONCE(tdx_handoff_hpa_list_info(ho, &info)))
		return TDX_SW_ERROR;

	do {
		args = (struct tdx_module_args) { .rcx = info };
		status = tdx_seamcall_ver(TDH_EXT_MEM_ADD, 0, &args);
		if (status != TDX_INTERRUPTED_RESUMABLE)
			break;

		if (tdx_hpa_list_info_resume(info, args.rcx)) {
			pr_err("TDH.EXT.MEM.ADD resumes at 0x%016llx after 0x%016llx\n",
			       args.rcx, info);
			break;
		}
		idle = args.rcx == info ? idle + 1 : 0;
		info = args.rcx;
	} while (idle < TDX_RESUME_MAX);

	return status;
}
EXPORT_SYMBOL_IF_KUNIT(tdh_ext_mem_add);

/**
 * tdh_ext_init() - TDH.EXT.INIT: start the TDX module Extensions
 *
 * Called once the whole memory pool has been added.
 *
 * Context: Process context.
 * Return: the TDX module status.
 */
u64 tdh_ext_init(void)
{
	struct tdx_module_args in = {}, out;

	return tdx_seamcall_restart(TDH_EXT_INIT, &in, &out);
}
EXPORT_SYMBOL_IF_KUNIT(tdh_ext_init);

/**
 * tdh_iommu_setup() - TDH.IOMMU.SETUP: give a VT-d unit to the TDX module
 * @vtbar: register base address of the VT-d unit
 * @mt: IOMMU_MT for the unit, from tdx_iommu_mt_alloc()
 * @iommu_id: the module's ID for the unit, on success
 *
 * TDX_OPERAND_INVALID means the unit is not TDX capable; the module then
 * owns nothing of @mt.  After any other failure the module may own @mt.
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
EXPORT_SYMBOL_FOR_MODULES(tdh_iommu_setup, "tdx-host,tdx_connect_test");

/**
 * tdh_iommu_clear() - TDH.IOMMU.CLEAR: take a VT-d unit back
 * @iommu_id: the ID that tdh_iommu_setup() returned
 * @mt: the IOMMU_MT given to tdh_iommu_setup()
 *
 * On success the module has released @mt; tdx_iommu_mt_release() checks
 * and frees it.
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
EXPORT_SYMBOL_FOR_MODULES(tdh_iommu_clear, "tdx-host,tdx_connect_test");
