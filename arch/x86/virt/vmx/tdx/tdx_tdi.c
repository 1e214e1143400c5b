// SPDX-License-Identifier: GPL-2.0
/*
 * SEAMCALL wrappers for the TDI lifecycle of TDX Connect.
 *
 * Unconfirmed: the leaves and their operands are the 2023 public "tdxio"
 * ABI of the TDX module source (see asm/tdx_tdi.h).
 *
 * Each wrapper copies the outputs to out-parameters whatever the status
 * and returns the raw status.  Most leaves change a bounded number of
 * entries and make one SEAMCALL.  Three can be interrupted in the public
 * source and return TDX_INTERRUPTED_RESUMABLE: TDH.DMAR.ADD and
 * TDH.DMAR.REMOVE of a context entry, which zero or check up to 32 PASID
 * directory pages and keep their progress in the entry, and
 * TDH.IQ.INV.PROCESS, which walks the invalidation queue.  Their wrappers
 * call again with the same operands until the leaf completes.  Contention
 * (TDX_OPERAND_BUSY) is returned to the caller, which knows whether
 * retrying makes sense.
 *
 * Pages handed over (DEVIFMT.ADD, DEVIF.CREATE, MMIOMT.ADD) become TDX
 * private memory: each wrapper flushes them first, since the module does
 * not snoop the kernel's dirty cache lines.  The REMOVE leaves report the
 * pages they give back, for the caller to check, write back and free
 * (asm/tdx_release.h).
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

#include <linux/bitfield.h>
#include <linux/cleanup.h>
#include <linux/export.h>
#include <linux/kvm_types.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/string.h>

#include <kunit/static_stub.h>

#include <asm/shared/tdx_errno.h>
#include <asm/tdx.h>
#include <asm/tdx_handoff.h>
#include <asm/tdx_tdi.h>

#include "tdx.h"

static u64 tdx_tdi_call(u16 leaf, struct tdx_module_args *args)
{
	return tdx_seamcall_ver(leaf, 0, args);
}

/*
 * A leaf that resumes from state the module keeps: call it again with the
 * same operands until it is no longer interrupted.
 */
static u64 tdx_tdi_call_resumable(u16 leaf, struct tdx_module_args *args)
{
	struct tdx_module_args in = *args;
	u64 status;

	do {
		*args = in;
		status = tdx_tdi_call(leaf, args);
	} while (status == TDX_INTERRUPTED_RESUMABLE);
	return status;
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
 * tdh_devif_create() - TDH.DEVIF.CREATE: assign a TDI to a trust domain
 * @devif_id: IOMMU, IDE stream and function of the TDI, TDX_DEVIF_ID_*
 * @vm_handle: physical address of the TD's TDR page
 * @devifcs: page for the TDI's control structure
 * @td_buf: page for the TDISP messages of the TD
 * @vmm_buf: page for the TDISP messages of the host
 *
 * The TDI starts CONFIG_UNLOCKED.  Its metadata page must be present.
 *
 * Context: Process context.
 * Return: the TDX module status.  The module owns the three pages on
 * success and none of them on failure.
 */
u64 tdh_devif_create(u64 devif_id, u64 vm_handle, struct page *devifcs,
		     struct page *td_buf, struct page *vmm_buf)
{
	struct tdx_module_args args = {
		.rcx = devif_id,
		.rdx = vm_handle,
		.r8 = page_to_phys(devifcs),
		.r9 = page_to_phys(td_buf),
		.r10 = page_to_phys(vmm_buf),
	};

	tdx_tdi_flush_page(devifcs);
	tdx_tdi_flush_page(td_buf);
	tdx_tdi_flush_page(vmm_buf);
	return tdx_tdi_call(TDH_DEVIF_CREATE, &args);
}
EXPORT_SYMBOL_FOR_MODULES(tdh_devif_create, "tdx-host");

/**
 * tdh_devif_remove() - TDH.DEVIF.REMOVE: take a TDI back from its trust domain
 * @func_id: the TDI's FUNCTION_ID, TDX_FUNC_ID_*
 * @td_buf_pa: the TD message buffer page given back
 * @vmm_buf_pa: the host message buffer page given back
 * @vm_handle: the TDR page of the TD that owned the TDI
 *
 * The control structure page goes back too; the module does not report
 * it, the caller knows it.
 *
 * Context: Process context.
 * Return: the TDX module status; TDX_DEVIF_INVALID_STATE while the TDI is
 * not CONFIG_UNLOCKED, TDX_DEVIF_HAS_MAPPED_DMA while a DMA remapping
 * entry is mapped for it and TDX_DEVIF_HAS_MAPPED_MMIO while any of its
 * MMIO is mapped.
 */
u64 tdh_devif_remove(u64 func_id, u64 *td_buf_pa, u64 *vmm_buf_pa,
		     u64 *vm_handle)
{
	struct tdx_module_args args = {
		.rcx = func_id,
	};
	u64 status;

	status = tdx_tdi_call(TDH_DEVIF_REMOVE, &args);
	*td_buf_pa = args.rcx;
	*vmm_buf_pa = args.rdx;
	*vm_handle = args.r8;
	return status;
}
EXPORT_SYMBOL_FOR_MODULES(tdh_devif_remove, "tdx-host");

/**
 * tdh_devif_request() - TDH.DEVIF.REQUEST: generate a TDISP request
 * @func_id: the TDI's FUNCTION_ID, TDX_FUNC_ID_*
 * @req: the request to generate, TDX_DEVIF_REQ_*
 * @request: page the module writes the secured request message to, for
 *	     the caller to send to the device over DOE
 * @req_out: the message code and length of the request, TDX_DEVIF_REQ_OUT_*
 *
 * One request may be outstanding per TDI; tdh_devif_response() completes it.
 *
 * Context: Process context.
 * Return: the TDX module status.
 */
u64 tdh_devif_request(u64 func_id, u64 req, struct page *request, u64 *req_out)
{
	struct tdx_module_args args = {
		.rcx = func_id,
		.rdx = req,
		.r8 = page_to_phys(request),
	};
	u64 status;

	status = tdx_tdi_call(TDH_DEVIF_REQUEST, &args);
	*req_out = args.rcx;
	return status;
}
EXPORT_SYMBOL_FOR_MODULES(tdh_devif_request, "tdx-host");

/**
 * tdh_devif_response() - TDH.DEVIF.RESPONSE: process the device's TDISP response
 * @func_id: the TDI's FUNCTION_ID, TDX_FUNC_ID_*
 * @response: page with the secured response message received over DOE
 * @td: the response answers a request of the TD, not of the host
 * @output: page the module copies the decrypted response to, or NULL
 * @rsp_out: the response code, length and details, TDX_DEVIF_RSP_OUT_*
 *
 * Context: Process context.
 * Return: the TDX module status.
 */
u64 tdh_devif_response(u64 func_id, struct page *response, bool td,
		       struct page *output, u64 *rsp_out)
{
	struct tdx_module_args args = {
		.rcx = func_id,
		.rdx = FIELD_PREP(TDX_DEVIF_RSP_IN_PA, PHYS_PFN(page_to_phys(response))) |
		       FIELD_PREP(TDX_DEVIF_RSP_IN_TD, td),
		.r8 = output ? page_to_phys(output) : 0,
	};
	u64 status;

	status = tdx_tdi_call(TDH_DEVIF_RESPONSE, &args);
	*rsp_out = args.rcx;
	return status;
}
EXPORT_SYMBOL_FOR_MODULES(tdh_devif_response, "tdx-host");

/**
 * tdh_dmar_add() - TDH.DMAR.ADD: add a trusted DMA remapping entry
 * @dmar_idx: the entry's level, PASID, RID and IOMMU, TDX_DMAR_IDX_*
 * @entry: the entry; qwords past the level's entry size must be 0
 *
 * The table pages an RTE, CTE or PDE points to become the module's on
 * success; they must be flushed, as for any page handed over.  A CTE ADD
 * that the module interrupts is resumed here.
 *
 * Context: Process context.
 * Return: the TDX module status; TDX_DMAR_ENTRY_NOT_PRESENT without the
 * entry above, TDX_DMAR_INVALID_MAPPING_STATE if the entry is not free.
 */
u64 tdh_dmar_add(u64 dmar_idx, const struct tdx_dmar_entry *entry)
{
	struct tdx_module_args args = {
		.rcx = dmar_idx,
		.rdx = entry->qw[0],
		.r8 = entry->qw[1],
		.r9 = entry->qw[2],
		.r10 = entry->qw[3],
		.r11 = entry->qw[4],
		.r12 = entry->qw[5],
		.r13 = entry->qw[6],
		.r14 = entry->qw[7],
	};
	u64 table = entry->qw[0] & TDX_DMAR_ENTRY_PTR;

	/* The table pages the entry points to are handed over. */
	switch (pfn_valid(PHYS_PFN(table)) ? FIELD_GET(TDX_DMAR_IDX_LEVEL, dmar_idx) :
	       TDX_DMAR_LEVEL_PASIDTE) {
	case TDX_DMAR_LEVEL_RTE:
	case TDX_DMAR_LEVEL_PDE:
		tdx_handoff_flush(__va(table), PAGE_SIZE);
		break;
	case TDX_DMAR_LEVEL_CTE:
		tdx_handoff_flush(__va(table), PAGE_SIZE *
				  TDX_DMAR_CTE_PD_PAGES(FIELD_GET(TDX_DMAR_CTE_PDTS,
								  entry->qw[0])));
		break;
	}
	return tdx_tdi_call_resumable(TDH_DMAR_ADD, &args);
}
EXPORT_SYMBOL_FOR_MODULES(tdh_dmar_add, "tdx-host");

/**
 * tdh_dmar_block() - TDH.DMAR.BLOCK: block a trusted DMA remapping entry
 * @dmar_idx: the entry, TDX_DMAR_IDX_*
 *
 * Context: Process context.
 * Return: the TDX module status.
 */
u64 tdh_dmar_block(u64 dmar_idx)
{
	struct tdx_module_args args = {
		.rcx = dmar_idx,
	};

	return tdx_tdi_call(TDH_DMAR_BLOCK, &args);
}
EXPORT_SYMBOL_FOR_MODULES(tdh_dmar_block, "tdx-host");

/**
 * tdh_dmar_read() - TDH.DMAR.READ: read a trusted DMA remapping entry
 * @dmar_idx: the entry, TDX_DMAR_IDX_*
 * @state: the entry's level, mapping and invalidation state, from RDX,
 *	   TDX_DMAR_STATE_*
 * @entry: the entry, from R8 (RTE, PDE), R8 to R11 (CTE) or R8 to R15
 *	   (PASIDTE); the qwords past the level's entry are 0
 *
 * Context: Process context.
 * Return: the TDX module status.
 */
u64 tdh_dmar_read(u64 dmar_idx, u64 *state, struct tdx_dmar_entry *entry)
{
	static const unsigned int qwords[] = {
		[TDX_DMAR_LEVEL_PASIDTE] = TDX_DMAR_PASIDTE_QWORDS,
		[TDX_DMAR_LEVEL_PDE] = TDX_DMAR_PDE_QWORDS,
		[TDX_DMAR_LEVEL_CTE] = TDX_DMAR_CTE_QWORDS,
		[TDX_DMAR_LEVEL_RTE] = TDX_DMAR_RTE_QWORDS,
	};
	struct tdx_module_args args = {
		.rcx = dmar_idx,
	};
	unsigned int level = FIELD_GET(TDX_DMAR_IDX_LEVEL, dmar_idx);
	unsigned int nr = level < ARRAY_SIZE(qwords) ? qwords[level] : 0;
	u64 status;

	status = tdx_tdi_call(TDH_DMAR_READ, &args);
	*state = args.rdx;
	*entry = (struct tdx_dmar_entry) {
		.qw = { args.r8, args.r9, args.r10, args.r11, args.r12,
			args.r13, args.r14, args.r15 },
	};
	/* The registers past the entry are not the entry's. */
	memset(&entry->qw[nr], 0, (TDX_DMAR_ENTRY_QWORDS - nr) * sizeof(u64));
	return status;
}
EXPORT_SYMBOL_FOR_MODULES(tdh_dmar_read, "tdx-host");

/**
 * tdh_dmar_remove() - TDH.DMAR.REMOVE: remove a blocked DMA remapping entry
 * @dmar_idx: the entry, TDX_DMAR_IDX_*
 * @released_pa: the table page the entry pointed to (of an RTE, a PDE),
 *		 the first of its PASID directory pages (of a CTE), or 0
 *		 (of a PASIDTE), now given back for release validation
 *
 * A CTE REMOVE that the module interrupts is resumed here.
 *
 * Context: Process context.
 * Return: the TDX module status; TDX_DMAR_INVALID_MAPPING_STATE unless
 * tdh_dmar_block() blocked the entry first, TDX_DMAR_INVALID_INV_STATE
 * until tdh_iq_inv_process() saw its invalidation done.
 */
u64 tdh_dmar_remove(u64 dmar_idx, u64 *released_pa)
{
	struct tdx_module_args args = {
		.rcx = dmar_idx,
	};
	u64 status;

	status = tdx_tdi_call_resumable(TDH_DMAR_REMOVE, &args);
	*released_pa = FIELD_GET(TDX_DMAR_IDX_LEVEL, dmar_idx) == TDX_DMAR_LEVEL_PASIDTE ?
		       0 : args.rcx;
	return status;
}
EXPORT_SYMBOL_FOR_MODULES(tdh_dmar_remove, "tdx-host");

/**
 * tdh_iq_inv_request() - TDH.IQ.INV.REQUEST: invalidate a blocked entry
 * @iommu_id: the IOMMU, as TDH.IOMMU.SETUP named it
 * @type: what to invalidate, TDX_IQ_INV_* in TDX_IQ_INV_TYPE
 * @subject: the entry's RID and PASID, TDX_IQ_SUBJECT_*
 * @wait: the VT-d invalidation wait descriptor to queue after the
 *	  module's descriptors, TDX_IQ_WAIT_*; its status write, to a shared
 *	  page, tells when the IOMMU is done
 *
 * Context: Process context.
 * Return: the TDX module status; TDX_IOMMU_IQ_QUEUE_FULL when the trusted
 * queue has no room, TDX_DMAR_INVALID_MAPPING_STATE unless the entry is
 * blocked.
 */
u64 tdh_iq_inv_request(u16 iommu_id, u64 type, u64 subject, const u64 wait[4])
{
	struct tdx_module_args args = {
		.rcx = iommu_id,
		.rdx = type,
		.r8 = subject,
		.r9 = wait[0],
		.r10 = wait[1],
		.r11 = wait[2],
		.r12 = wait[3],
	};

	return tdx_tdi_call(TDH_IQ_INV_REQUEST, &args);
}
EXPORT_SYMBOL_FOR_MODULES(tdh_iq_inv_request, "tdx-host");

/**
 * tdh_iq_inv_process() - TDH.IQ.INV.PROCESS: account for completed invalidations
 * @iommu_id: the IOMMU, as TDH.IOMMU.SETUP named it
 *
 * Marks DONE every entry whose invalidation the IOMMU has completed, up
 * to its queue head; interruptions are resumed here.
 *
 * Context: Process context.
 * Return: the TDX module status.
 */
u64 tdh_iq_inv_process(u16 iommu_id)
{
	struct tdx_module_args args = {
		.rcx = iommu_id,
	};

	return tdx_tdi_call_resumable(TDH_IQ_INV_PROCESS, &args);
}
EXPORT_SYMBOL_FOR_MODULES(tdh_iq_inv_process, "tdx-host");

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

/*
 * TDH.DEVIF.CREATE names the TD by the physical address of its TDR page,
 * which KVM allocates and owns (struct tdx_td).  The TSM side (tdx-host)
 * gets only the struct kvm of a bind, and must keep loading without
 * kvm-intel for its other services, so it cannot use a symbol of
 * kvm-intel.  kvm-intel registers its lookup here instead, in the
 * built-in TDX core, while it can create TDs.
 */
static DEFINE_MUTEX(tdx_td_lookup_lock);
static tdx_td_tdr_fn tdx_td_lookup;

/**
 * tdx_td_register_lookup() - Register KVM's lookup of the TDR page of a TD
 * @lookup: the lookup, which must not sleep
 *
 * Context: Process context, may sleep.
 * Return: 0, or -EBUSY if a lookup is registered.
 */
int tdx_td_register_lookup(tdx_td_tdr_fn lookup)
{
	guard(mutex)(&tdx_td_lookup_lock);
	if (tdx_td_lookup)
		return -EBUSY;
	tdx_td_lookup = lookup;
	return 0;
}
EXPORT_SYMBOL_FOR_KVM(tdx_td_register_lookup);

/**
 * tdx_td_unregister_lookup() - Unregister KVM's lookup of the TDR page
 * @lookup: what tdx_td_register_lookup() registered
 *
 * On return no call of @lookup runs or starts.
 *
 * Context: Process context, may sleep.
 */
void tdx_td_unregister_lookup(tdx_td_tdr_fn lookup)
{
	guard(mutex)(&tdx_td_lookup_lock);
	if (tdx_td_lookup == lookup)
		tdx_td_lookup = NULL;
}
EXPORT_SYMBOL_FOR_KVM(tdx_td_unregister_lookup);

/**
 * tdx_td_tdr_pa() - Find the TDR page of a TD, for TDH.DEVIF.CREATE
 * @kvm: a VM the caller holds a reference to
 * @tdr_pa: the physical address of the TD's TDR page
 *
 * The TDR page stays the TD's until the VM is destroyed, so @tdr_pa is
 * valid as long as the caller's reference to @kvm.
 *
 * Context: Process context, may sleep.  Takes a mutex of the TDX core
 * that nests inside any lock of the caller.
 * Return: 0, or -EINVAL if @kvm is not a TD whose TDR page is set up,
 * which includes every VM while kvm-intel has no lookup registered.
 */
int tdx_td_tdr_pa(struct kvm *kvm, u64 *tdr_pa)
{
	KUNIT_STATIC_STUB_REDIRECT(tdx_td_tdr_pa, kvm, tdr_pa);

	guard(mutex)(&tdx_td_lookup_lock);
	if (!tdx_td_lookup)
		return -EINVAL;
	return tdx_td_lookup(kvm, tdr_pa);
}
EXPORT_SYMBOL_FOR_MODULES(tdx_td_tdr_pa, "tdx-host");
