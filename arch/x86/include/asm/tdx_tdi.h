/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SEAMCALL wrappers for the TDI lifecycle of TDX Connect: the device
 * interface itself (DEVIF.CREATE, REMOVE, REQUEST, RESPONSE), its TDISP
 * messages, and the lookup of the TD a TDI is assigned to.  It includes
 * the definitions of the TDI's metadata tables and MMIO
 * (asm/tdx_tdi_mt.h) and of its trusted DMA remapping (asm/tdx_tdi_dmar.h),
 * so that users of the TDI lifecycle include this header alone.
 *
 * Unconfirmed: every definition above the fence below is the 2023 public
 * "tdxio" ABI of the TDX module source, as asm/tdx_tdi_mt.h says.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */
#ifndef _ASM_X86_TDX_TDI_H
#define _ASM_X86_TDX_TDI_H

#include <linux/bits.h>
#include <linux/types.h>

#include <asm/tdx_tdi_dmar.h>
#include <asm/tdx_tdi_mt.h>

/* Status codes of the tdxio DEVIF leaves */
#define TDX_SPDM_INVALID_STATE			0xC0000F0600000000ULL
#define TDX_DEVIF_TDISP_INVALID_REQ_STS		0xC0000F0E00000000ULL
#define TDX_DEVIF_TDISP_INVALID_MESSAGE		0xC0000F0F00000000ULL
#define TDX_DEVIF_TDISP_INVALID_STATE		0xC0000F1000000000ULL
#define TDX_DEVIF_INVALID_STATE			0xC0000F1100000000ULL
#define TDX_DEVIF_HAS_MAPPED_MMIO		0xC0000F1300000000ULL
#define TDX_DEVIF_TDISP_OUT_REQ			0xC0000F1400000000ULL
#define TDX_IDE_STREAM_INVALID_STATE		0xC0000F2400000000ULL
#define TDX_DEVIF_HAS_MAPPED_DMA		0xC0000F3F00000000ULL
#define TDX_DEVIF_TDISP_ERROR_STATE		0xC0000F4A00000000ULL

/* DEVIF_ID: TDH.DEVIF.CREATE RCX */
#define TDX_DEVIF_ID_IOMMU_ID			GENMASK_ULL(15, 0)
#define TDX_DEVIF_ID_STREAM_ID			GENMASK_ULL(23, 16)
#define TDX_DEVIF_ID_TYPE			GENMASK_ULL(31, 24)
#define TDX_DEVIF_ID_FUNC_ID			GENMASK_ULL(63, 32)
#define TDX_DEVIF_TYPE_PFVF			0

/* TDH.DEVIF.REQUEST RDX: the request to generate */
#define TDX_DEVIF_REQ_CODE			GENMASK_ULL(7, 0)
#define TDX_DEVIF_REQ_NO_FW_UPDATE		BIT_ULL(8)
#define TDX_DEVIF_REQ_RSVD			GENMASK_ULL(62, 9)
#define TDX_DEVIF_REQ_TD			BIT_ULL(63)
/* TDH.DEVIF.REQUEST RCX output */
#define TDX_DEVIF_REQ_OUT_CODE			GENMASK_ULL(7, 0)
#define TDX_DEVIF_REQ_OUT_LEN			GENMASK_ULL(23, 8)

/* TDH.DEVIF.RESPONSE RDX: the page with the device's response */
#define TDX_DEVIF_RSP_IN_PA			GENMASK_ULL(51, 12)
#define TDX_DEVIF_RSP_IN_TD			BIT_ULL(63)
#define TDX_DEVIF_RSP_IN_RSVD			(GENMASK_ULL(11, 0) | GENMASK_ULL(62, 52))
/* TDH.DEVIF.RESPONSE RCX output */
#define TDX_DEVIF_RSP_OUT_CODE			GENMASK_ULL(7, 0)
#define TDX_DEVIF_RSP_OUT_LEN			GENMASK_ULL(23, 8)
#define TDX_DEVIF_RSP_OUT_TDI_STATE		GENMASK_ULL(31, 24)
#define TDX_DEVIF_RSP_OUT_ERROR			GENMASK_ULL(63, 32)

/* TDISP message codes (PCIe TDISP 1.0) */
#define TDX_TDISP_LOCK_INTERFACE_RSP		0x03
#define TDX_TDISP_INTERFACE_REPORT_RSP		0x04
#define TDX_TDISP_INTERFACE_STATE_RSP		0x05
#define TDX_TDISP_START_INTERFACE_RSP		0x06
#define TDX_TDISP_STOP_INTERFACE_RSP		0x07
#define TDX_TDISP_ERROR				0x7f
#define TDX_TDISP_LOCK_INTERFACE_REQ		0x83
#define TDX_TDISP_INTERFACE_REPORT_REQ		0x84
#define TDX_TDISP_INTERFACE_STATE_REQ		0x85
#define TDX_TDISP_START_INTERFACE_REQ		0x86
#define TDX_TDISP_STOP_INTERFACE_REQ		0x87
/* A response code is its request code without this bit. */
#define TDX_TDISP_REQ				BIT(7)

/* TDISP states of a TDI */
#define TDX_TDISP_CONFIG_UNLOCKED		0
#define TDX_TDISP_CONFIG_LOCKED			1
#define TDX_TDISP_RUN				2
#define TDX_TDISP_ERROR_STATE			3

/*
 * Software structures below.
 */

struct kvm;
struct page;

u64 tdh_devif_create(u64 devif_id, u64 vm_handle, struct page *devifcs,
		     struct page *td_buf, struct page *vmm_buf);
u64 tdh_devif_remove(u64 func_id, u64 *td_buf_pa, u64 *vmm_buf_pa,
		     u64 *vm_handle);
u64 tdh_devif_request(u64 func_id, u64 req, struct page *request,
		      u64 *req_out);
u64 tdh_devif_response(u64 func_id, struct page *response, bool td,
		       struct page *output, u64 *rsp_out);

/**
 * typedef tdx_td_tdr_fn - KVM's lookup of the TDR page of a TD
 * @kvm: a VM
 * @tdr_pa: the physical address of the VM's TDR page
 *
 * Return: 0, or -EINVAL if @kvm is not a TD with its TDR page set up.
 */
typedef int (*tdx_td_tdr_fn)(struct kvm *kvm, u64 *tdr_pa);

#if IS_ENABLED(CONFIG_INTEL_TDX_CONNECT)
int tdx_td_tdr_pa(struct kvm *kvm, u64 *tdr_pa);
int tdx_td_register_lookup(tdx_td_tdr_fn lookup);
void tdx_td_unregister_lookup(tdx_td_tdr_fn lookup);
#else
static inline int tdx_td_register_lookup(tdx_td_tdr_fn lookup)
{
	return 0;
}

static inline void tdx_td_unregister_lookup(tdx_td_tdr_fn lookup)
{
}
#endif

#endif /* _ASM_X86_TDX_TDI_H */
