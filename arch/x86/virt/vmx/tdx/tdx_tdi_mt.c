// SPDX-License-Identifier: GPL-2.0
/*
 * SEAMCALL wrappers for the metadata tables of TDX Connect TDIs: the TDI
 * metadata tree (DEVIFMT), the MMIO metadata tree (MMIOMT), and the
 * private mappings of TDI MMIO into a TD.
 *
 * Unconfirmed: the leaves and their operands are the 2023 public "tdxio"
 * ABI of the TDX module source (see asm/tdx_tdi_mt.h).
 *
 * Each wrapper makes one SEAMCALL, copies the outputs to out-parameters
 * whatever the status and returns the raw status; contention
 * (TDX_OPERAND_BUSY) is returned to the caller, which knows whether
 * retrying makes sense.
 *
 * Pages handed over (DEVIFMT.ADD, MMIOMT.ADD) become TDX private memory:
 * each wrapper flushes them first, since the module does not snoop the
 * kernel's dirty cache lines.  The REMOVE leaves report the pages they
 * give back, for the caller to check, write back and free
 * (asm/tdx_release.h).
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

#include <linux/export.h>
#include <linux/mm.h>

#include <asm/tdx.h>
#include <asm/tdx_handoff.h>
#include <asm/tdx_tdi_mt.h>

#include "tdx.h"

static u64 tdx_tdi_call(u16 leaf, struct tdx_module_args *args)
{
	return tdx_seamcall_ver(leaf, 0, args);
}

/* Write back a page that is about to become the module's. */
static void tdx_tdi_flush_page(struct page *page)
{
	tdx_handoff_flush(page_address(page), PAGE_SIZE);
}

/**
 * tdh_devifmt_add() - TDH.DEVIFMT.ADD: add a page to the TDI metadata tree
 * @devifmt_idx: the entry to point to @page, TDX_DEVIFMT_IDX_*
 * @page: the new metadata page; the module owns it on success
 *
 * Context: Process context.
 * Return: the TDX module status.
 */
u64 tdh_devifmt_add(u64 devifmt_idx, struct page *page)
{
	struct tdx_module_args args = {
		.rcx = devifmt_idx,
		.rdx = page_to_phys(page),
	};

	tdx_tdi_flush_page(page);
	return tdx_tdi_call(TDH_DEVIFMT_ADD, &args);
}
EXPORT_SYMBOL_FOR_MODULES(tdh_devifmt_add, "tdx-host");

/**
 * tdh_devifmt_remove() - TDH.DEVIFMT.REMOVE: take back an empty metadata page
 * @devifmt_idx: the entry that points to the page, TDX_DEVIFMT_IDX_*
 * @released_pa: physical address of the page the module gave back
 *
 * Context: Process context.
 * Return: the TDX module status; TDX_DEVIF_INVALID_METADATA while a TDI
 * the page describes still exists.
 */
u64 tdh_devifmt_remove(u64 devifmt_idx, u64 *released_pa)
{
	struct tdx_module_args args = {
		.rcx = devifmt_idx,
	};
	u64 status;

	status = tdx_tdi_call(TDH_DEVIFMT_REMOVE, &args);
	*released_pa = args.rcx;
	return status;
}
EXPORT_SYMBOL_FOR_MODULES(tdh_devifmt_remove, "tdx-host");

/**
 * tdh_devifmt_rd() - TDH.DEVIFMT.RD: read one entry of the TDI metadata tree
 * @devifmt_idx: the entry, TDX_DEVIFMT_IDX_*
 * @entry: the entry, TDX_DEVIFMT_ENTRY_*
 *
 * Context: Process context.
 * Return: the TDX module status.
 */
u64 tdh_devifmt_rd(u64 devifmt_idx, u64 *entry)
{
	struct tdx_module_args args = {
		.rcx = devifmt_idx,
	};
	u64 status;

	status = tdx_tdi_call(TDH_DEVIFMT_RD, &args);
	*entry = args.rcx;
	return status;
}
EXPORT_SYMBOL_FOR_MODULES(tdh_devifmt_rd, "tdx-host");

/**
 * tdh_mmiomt_add() - TDH.MMIOMT.ADD: add a page to the MMIO metadata tree
 * @mmiomt_idx: the entry to point to @page, TDX_MMIOMT_IDX_*
 * @page: the new metadata page; the module owns it on success
 *
 * Context: Process context.
 * Return: the TDX module status.
 */
u64 tdh_mmiomt_add(u64 mmiomt_idx, struct page *page)
{
	struct tdx_module_args args = {
		.rcx = mmiomt_idx,
		.rdx = page_to_phys(page),
	};

	tdx_tdi_flush_page(page);
	return tdx_tdi_call(TDH_MMIOMT_ADD, &args);
}
EXPORT_SYMBOL_FOR_MODULES(tdh_mmiomt_add, "tdx-host");

/**
 * tdh_mmiomt_set() - TDH.MMIOMT.SET: give MMIO to a TDI or take it back
 * @mmiomt_idx: the MMIO page or region, TDX_MMIOMT_IDX_*
 * @set_info: TDX_MMIOMT_TYPE_DATA with the owning TDI's FUNCTION_ID, or
 *	      TDX_MMIOMT_TYPE_QNODE to release it, TDX_MMIOMT_SET_*
 *
 * Context: Process context.
 * Return: the TDX module status; TDX_MMIO_INVALID_PAGE_METADATA when
 * releasing MMIO that is still mapped.
 */
u64 tdh_mmiomt_set(u64 mmiomt_idx, u64 set_info)
{
	struct tdx_module_args args = {
		.rcx = mmiomt_idx,
		.rdx = set_info,
	};

	return tdx_tdi_call(TDH_MMIOMT_SET, &args);
}
EXPORT_SYMBOL_FOR_MODULES(tdh_mmiomt_set, "tdx-host");

/**
 * tdh_mmiomt_rd() - TDH.MMIOMT.RD: read one entry of the MMIO metadata tree
 * @mmiomt_idx: the entry, TDX_MMIOMT_IDX_*
 * @entry: the entry, TDX_MMIOMT_ENTRY_* or TDX_MMIOMT_NODE_*
 *
 * Context: Process context.
 * Return: the TDX module status.
 */
u64 tdh_mmiomt_rd(u64 mmiomt_idx, struct tdx_mmiomt_entry *entry)
{
	struct tdx_module_args args = {
		.rcx = mmiomt_idx,
	};
	u64 status;

	status = tdx_tdi_call(TDH_MMIOMT_RD, &args);
	*entry = (struct tdx_mmiomt_entry) {
		.qw = { args.rcx, args.rdx, args.r8, args.r9 },
	};
	return status;
}
EXPORT_SYMBOL_FOR_MODULES(tdh_mmiomt_rd, "tdx-host");

/**
 * tdh_mmiomt_remove() - TDH.MMIOMT.REMOVE: take back an empty MMIO metadata page
 * @mmiomt_idx: the entry that points to the page, TDX_MMIOMT_IDX_*
 * @released_pfn: the page the module gave back, as a page frame number:
 *		  unlike TDH.DEVIFMT.REMOVE, this leaf reports a PFN
 *
 * Context: Process context.
 * Return: the TDX module status; TDX_MMIO_INVALID_PAGE_METADATA while
 * the page still gives MMIO to a TDI.
 */
u64 tdh_mmiomt_remove(u64 mmiomt_idx, u64 *released_pfn)
{
	struct tdx_module_args args = {
		.rcx = mmiomt_idx,
	};
	u64 status;

	status = tdx_tdi_call(TDH_MMIOMT_REMOVE, &args);
	*released_pfn = args.rcx;
	return status;
}
EXPORT_SYMBOL_FOR_MODULES(tdh_mmiomt_remove, "tdx-host");

/**
 * tdh_mmio_map() - TDH.MMIO.MAP: map TDI MMIO into a TD's secure EPT
 * @gpa_info: the guest page and mapping level, TDX_GPA_INFO_*
 * @vm_handle: the TDR page of the TD that owns the TDI
 * @mmio_pa: the host physical MMIO page, given to the TDI with
 *	     tdh_mmiomt_set()
 *
 * Context: Process context.
 * Return: the TDX module status.
 */
u64 tdh_mmio_map(u64 gpa_info, u64 vm_handle, u64 mmio_pa)
{
	struct tdx_module_args args = {
		.rcx = gpa_info,
		.rdx = vm_handle,
		.r8 = mmio_pa,
	};

	return tdx_tdi_call(TDH_MMIO_MAP, &args);
}
EXPORT_SYMBOL_FOR_MODULES(tdh_mmio_map, "tdx-host");

/**
 * tdh_mmio_block() - TDH.MMIO.BLOCK: block a mapping of TDI MMIO
 * @gpa_info: the guest page and mapping level, TDX_GPA_INFO_*
 * @vm_handle: the TDR page of the TD
 *
 * Context: Process context.
 * Return: the TDX module status.
 */
u64 tdh_mmio_block(u64 gpa_info, u64 vm_handle)
{
	struct tdx_module_args args = {
		.rcx = gpa_info,
		.rdx = vm_handle,
	};

	return tdx_tdi_call(TDH_MMIO_BLOCK, &args);
}
EXPORT_SYMBOL_FOR_MODULES(tdh_mmio_block, "tdx-host");

/**
 * tdh_mmio_unmap() - TDH.MMIO.UNMAP: remove a blocked mapping of TDI MMIO
 * @gpa_info: the guest page and mapping level, TDX_GPA_INFO_*
 * @vm_handle: the TDR page of the TD
 *
 * Context: Process context.
 * Return: the TDX module status.
 */
u64 tdh_mmio_unmap(u64 gpa_info, u64 vm_handle)
{
	struct tdx_module_args args = {
		.rcx = gpa_info,
		.rdx = vm_handle,
	};

	return tdx_tdi_call(TDH_MMIO_UNMAP, &args);
}
EXPORT_SYMBOL_FOR_MODULES(tdh_mmio_unmap, "tdx-host");
