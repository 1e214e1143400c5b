/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A fake of the TDI lifecycle leaves of the TDX module for KUnit, plugged
 * into the fake TDX module (asm/tdx_fake_module.h).  Only for tests.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */
#ifndef _ASM_X86_TDX_FAKE_TDI_H
#define _ASM_X86_TDX_FAKE_TDI_H

#include <linux/mutex.h>
#include <linux/types.h>

#include <asm/tdx_tdi.h>

struct kunit;
struct page;
struct tdx_fake_module;

#define TDX_FAKE_TDI_MAX_DEVIFS		4
#define TDX_FAKE_TDI_MAX_MT_PAGES	8
#define TDX_FAKE_TDI_MAX_MMIO		32
#define TDX_FAKE_TDI_MAX_DMAR		16
#define TDX_FAKE_TDI_LOG_MAX		128

/*
 * Log entries below this are leaf numbers; tests log their own events
 * (the host participants of a bind) from here on.
 */
#define TDX_FAKE_TDI_EVENT_BASE		0x1000

/*
 * The fake's TDISP wire format, which the real module encrypts and the
 * host never looks into: the message code, a reserved byte, the length of
 * the message, the FUNCTION_ID and, in TDISP_ERROR, the error code.
 */
#define TDX_FAKE_TDISP_MSG_CODE		0
#define TDX_FAKE_TDISP_MSG_LEN		2
#define TDX_FAKE_TDISP_MSG_FUNC_ID	4
#define TDX_FAKE_TDISP_MSG_ERROR	8
#define TDX_FAKE_TDISP_MSG_SIZE		12

/*
 * TDH.DEVIF.REQUEST writes, and TDH.DEVIF.RESPONSE reads, the message as a
 * PCIe DOE data object of the secured SPDM type: the two-dword DOE header,
 * then the message.
 */
#define TDX_FAKE_TDISP_DOE_HDR		8
#define TDX_FAKE_TDISP_OBJ_SIZE		(TDX_FAKE_TDISP_DOE_HDR + TDX_FAKE_TDISP_MSG_SIZE)

/**
 * struct tdx_fake_devif - one TDI as the fake module sees it
 * @func_id: its FUNCTION_ID; the slot is free while @mt_page is 0
 * @mt_page: its metadata page (TDH.DEVIFMT.ADD)
 * @created: TDH.DEVIF.CREATE succeeded and no TDH.DEVIF.REMOVE since
 * @devif_id: the DEVIF_ID it was created with
 * @vm_handle: the TD that owns it
 * @devifcs: its control structure page
 * @td_buf: its TD message buffer page
 * @vmm_buf: its host message buffer page
 * @tdisp_state: TDX_TDISP_CONFIG_UNLOCKED and so on
 * @pending: the code of the outstanding TDISP request, 0 for none
 * @nr_mmio_mapped: its MMIO pages mapped with TDH.MMIO.MAP
 */
struct tdx_fake_devif {
	u32 func_id;
	u64 mt_page;
	bool created;
	u64 devif_id;
	u64 vm_handle;
	u64 devifcs;
	u64 td_buf;
	u64 vmm_buf;
	u8 tdisp_state;
	u8 pending;
	unsigned int nr_mmio_mapped;
};

/**
 * struct tdx_fake_mmio - a 4 KiB MMIO page given to a TDI (TDH.MMIOMT.SET)
 * @pa: its host physical address, 0 for a free slot
 * @func_id: the TDI it was given to
 * @mapped: TDH.MMIO.MAP mapped it
 * @blocked: TDH.MMIO.BLOCK blocked that mapping
 * @gpa_info: the guest page it is mapped at
 * @vm_handle: the TD it is mapped into
 */
struct tdx_fake_mmio {
	u64 pa;
	u32 func_id;
	bool mapped;
	bool blocked;
	u64 gpa_info;
	u64 vm_handle;
};

/**
 * struct tdx_fake_dmar - a trusted DMA remapping entry (TDH.DMAR.ADD)
 * @idx: its DMAR_IDX, 0 for a free slot (no IOMMU has ID 0 in the fake)
 * @blocked: TDH.DMAR.BLOCK blocked it
 * @tdi: added while a TDI of its RID existed: it is that TDI's mapped DMA
 *	 (the module keeps that flag in the TDI's control structure)
 * @entry: its contents
 */
struct tdx_fake_dmar {
	u64 idx;
	bool blocked;
	bool tdi;
	struct tdx_dmar_entry entry;
};

/**
 * struct tdx_fake_tdi - state of the fake TDI lifecycle leaves
 * @fake: the fake module they are plugged into
 * @lock: serializes the leaves, as the module's locks do
 * @devifs: TDIs with metadata
 * @mt_pages: MMIOMT level-1 pages, by 2 MiB region (@mt_region)
 * @mt_region: the region of each of @mt_pages
 * @mmio: MMIO pages given to TDIs
 * @dmar: DMA remapping entries
 * @fail_nth: 1-based number of the call of these leaves to fail, 0 for none
 * @fail_status: status that call returns, without any side effect
 * @nr_calls: calls of these leaves (of any leaf the fake module passes on)
 * @log: leaf numbers of the SEAMCALLs made, and test events, in order
 * @nr_log: entries of @log used; calls past TDX_FAKE_TDI_LOG_MAX are
 *	    counted but not recorded
 */
struct tdx_fake_tdi {
	struct tdx_fake_module *fake;
	struct mutex lock;	/* serializes the leaves */
	struct tdx_fake_devif devifs[TDX_FAKE_TDI_MAX_DEVIFS];
	u64 mt_pages[TDX_FAKE_TDI_MAX_MT_PAGES];
	u64 mt_region[TDX_FAKE_TDI_MAX_MT_PAGES];
	struct tdx_fake_mmio mmio[TDX_FAKE_TDI_MAX_MMIO];
	struct tdx_fake_dmar dmar[TDX_FAKE_TDI_MAX_DMAR];
	unsigned int fail_nth;
	u64 fail_status;
	unsigned int nr_calls;
	u16 log[TDX_FAKE_TDI_LOG_MAX];
	unsigned int nr_log;
};

struct tdx_fake_tdi *tdx_fake_tdi_install(struct kunit *test,
					  struct tdx_fake_module *fake);
void tdx_fake_tdi_log(struct tdx_fake_tdi *ft, u16 event);
struct tdx_fake_devif *tdx_fake_tdi_find(struct tdx_fake_tdi *ft, u32 func_id);
unsigned int tdx_fake_tdi_nr_dma(struct tdx_fake_tdi *ft, u32 func_id);
unsigned int tdx_fake_tdi_nr_mmio(struct tdx_fake_tdi *ft, u32 func_id);
void tdx_fake_tdi_set_state(struct tdx_fake_tdi *ft, u32 func_id, u8 state);
size_t tdx_fake_tdisp_device(const void *req, size_t req_len, void *rsp,
			     size_t rsp_size, u32 error);
size_t tdx_fake_tdisp_relay(struct page *req, u64 req_len, struct page *rsp, u32 error);

#endif /* _ASM_X86_TDX_FAKE_TDI_H */
