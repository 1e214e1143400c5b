// SPDX-License-Identifier: GPL-2.0
/*
 * SEAMCALL wrappers for the lifecycle of TDX Connect TDIs: the device
 * interface itself and its TDISP messages, and the lookup of the TD a
 * TDI is assigned to.
 *
 * Unconfirmed: the leaves and their operands are the 2023 public "tdxio"
 * ABI of the TDX module source (see asm/tdx_tdi_mt.h).
 *
 * Each wrapper makes one SEAMCALL, copies the outputs to out-parameters
 * whatever the status and returns the raw status; contention
 * (TDX_OPERAND_BUSY) is returned to the caller, which knows whether
 * retrying makes sense.
 *
 * The pages TDH.DEVIF.CREATE hands over become TDX private memory: its
 * wrapper flushes them first, since the module does not snoop the
 * kernel's dirty cache lines.  TDH.DEVIF.REMOVE reports the pages it
 * gives back, for the caller to check, write back and free
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

#include <kunit/static_stub.h>

#include <asm/tdx.h>
#include <asm/tdx_handoff.h>
#include <asm/tdx_tdi.h>

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
