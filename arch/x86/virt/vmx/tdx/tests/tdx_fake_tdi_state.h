/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The state of the fake TDI lifecycle leaves of the TDX module for KUnit:
 * the model of the module's tables, the fake IOMMUs' invalidation queues,
 * the knobs tests turn and the call log.  The leaves that act on it are
 * in tdx_fake_tdi_mt.h, tdx_fake_tdi_dmar.h and tdx_fake_tdi.h, which
 * tests include.  Only for tests.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */
#ifndef _TDX_FAKE_TDI_STATE_H
#define _TDX_FAKE_TDI_STATE_H

#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include "tdx_fake_module.h"
#include <asm/tdx_tdi.h>

struct kunit;

#define TDX_FAKE_TDI_LOG_MAX		128
/* The most requests an IOMMU's trusted invalidation queue holds */
#define TDX_FAKE_TDI_IQ_MAX		16

/*
 * Log entries below this are leaf numbers; tests log their own events
 * (the host participants of a bind) from here on.
 */
#define TDX_FAKE_TDI_EVENT_BASE		0x1000

/* The tables tdx_fake_tdi_nr_pages() counts the pages of */
enum tdx_fake_tdi_table {
	TDX_FAKE_TDI_DEVIFMT,
	TDX_FAKE_TDI_MMIOMT,
	TDX_FAKE_TDI_DMAR,
	TDX_FAKE_TDI_NR_TABLES,
};

/* Levels of pages per table: DEVIFMT 0-3, MMIOMT 0-4, DMAR 1-3 */
#define TDX_FAKE_TDI_NR_LEVELS		5

/*
 * The TD's own TDISP request, as the module tracks it (td_tdisp_req_sts
 * in tdh_devif_request.c and tdh_devif_response.c): none, written by
 * TDG.DEVIF.REQUEST, secured by TDH.DEVIF.REQUEST in TD mode, answered by
 * TDH.DEVIF.RESPONSE in TD mode into the TD's buffer.
 */
enum {
	TDX_FAKE_TD_REQ_NONE,
	TDX_FAKE_TD_REQ_REQUESTED,
	TDX_FAKE_TD_REQ_GENERATED,
	TDX_FAKE_TD_REQ_PROCESSED,
};

/**
 * struct tdx_fake_devif - one TDI as the fake module sees it
 * @func_id: its FUNCTION_ID
 * @mt_page: the level-0 DEVIFMT page that holds its entry
 * @created: TDH.DEVIF.CREATE succeeded and no TDH.DEVIF.REMOVE since;
 *	     always true while tdx_fake_tdi_find() returns the TDI
 * @devif_id: the DEVIF_ID it was created with
 * @vm_handle: the TD that owns it
 * @devifcs: its control structure page, the level-0 DEVIFMT entry
 * @td_buf: its TD message buffer page
 * @vmm_buf: its host message buffer page
 * @tdisp_state: TDX_TDISP_CONFIG_UNLOCKED and so on
 * @pending: the code of the outstanding TDISP request, 0 for none
 * @td_req: where the TD's own request is, TDX_FAKE_TD_REQ_*
 * @td_code: the TD's request code, then the code of its answer
 * @nr_mmio_mapped: its MMIO pages mapped with TDH.MMIO.MAP
 * @dma_mapped: the TD accepted a PASIDTE of its RID that is not removed
 *		(the module keeps this flag in the control structure)
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
	u8 td_req;
	u8 td_code;
	unsigned int nr_mmio_mapped;
	bool dma_mapped;
};

/**
 * struct tdx_fake_mmio - a 4 KiB MMIO page mapped into a TD (TDH.MMIO.MAP)
 * @pa: its host physical address
 * @func_id: the TDI its MMIOMT DATA entry gives it to
 * @blocked: TDH.MMIO.BLOCK blocked the mapping
 * @gpa_info: the guest page it is mapped at
 * @vm_handle: the TD it is mapped into
 */
struct tdx_fake_mmio {
	u64 pa;
	u32 func_id;
	bool blocked;
	u64 gpa_info;
	u64 vm_handle;
};

/**
 * struct tdx_fake_dmar - a trusted DMA remapping entry that is not FREE
 * @level: TDX_DMAR_LEVEL_*
 * @rid: the RID of its index
 * @pasid: the PASID of its index
 * @map: TDX_DMAR_MAP_*; FREE only while an interrupted CTE ADD is pending
 * @inv: TDX_DMAR_INV_*
 * @pd_cnt: PASID directory pages an interrupted CTE ADD or REMOVE has done
 * @removing: a CTE REMOVE was interrupted
 * @accepted: a PASIDTE the TD accepted
 * @entry: its contents, as added (and as the TD's accept completed them)
 */
struct tdx_fake_dmar {
	u8 level;
	u16 rid;
	u32 pasid;
	u8 map;
	u8 inv;
	u8 pd_cnt;
	bool removing;
	bool accepted;
	struct tdx_dmar_entry entry;
};

/**
 * struct tdx_fake_iq_req - a request in an IOMMU's invalidation queue
 * @entry: the entry it invalidates
 * @status_pa: where the wait descriptor writes its status, if @sw
 * @status_data: what it writes
 * @sw: the wait descriptor has SW set
 * @due: jiffies at which the fake hardware completes it
 */
struct tdx_fake_iq_req {
	struct tdx_fake_dmar *entry;
	u64 status_pa;
	u32 status_data;
	bool sw;
	unsigned long due;
};

/**
 * struct tdx_fake_iq - the trusted invalidation queue of one IOMMU
 * @reqs: the ring of requests
 * @tail: requests queued (TDH.IQ.INV.REQUEST), ever
 * @hw_head: requests the fake hardware completed, ever
 * @sw_head: requests TDH.IQ.INV.PROCESS accounted for, ever
 */
struct tdx_fake_iq {
	struct tdx_fake_iq_req reqs[TDX_FAKE_TDI_IQ_MAX];
	unsigned int tail;
	unsigned int hw_head;
	unsigned int sw_head;
};

/**
 * struct tdx_fake_tdi - state of the fake TDI lifecycle leaves
 * @fake: the fake module they are plugged into
 * @test: the test it belongs to
 * @lock: serializes the leaves and the fake IOMMU hardware, as the
 *	  module's locks do
 * @devifmt: DEVIFMT entries of levels 1 to 4 (index level - 1), by
 *	     FUNCTION_ID >> TDX_DEVIFMT_LEVEL_SHIFT(level): the PA of the page
 *	     of level - 1 they point to
 * @devifs: TDIs (level-0 entries), by FUNCTION_ID: struct tdx_fake_devif
 * @mmiomt_pages: MMIOMT pages of levels 0 to 4, by PA >> (the page's
 *	     TDX_MMIOMT_IDX_SHIFT + 7): their PA; each is a node of a QNODE
 * @mmiomt_data: MMIOMT DATA entries of levels 0 to 2, by
 *	     PA >> TDX_MMIOMT_IDX_SHIFT(level): xa_mk_value(FUNCTION_ID |
 *	     mapped << 32)
 * @mmio_maps: MMIO mappings, by GPA page number: struct tdx_fake_mmio
 * @dmar: per fake IOMMU and DMAR level, entries that are not FREE, by
 *	  RID >> 7 (RTE), RID (CTE), RID << 14 | PDE index (PDE) and
 *	  RID << 20 | PASID (PASIDTE): struct tdx_fake_dmar
 * @iq: the invalidation queue of each fake IOMMU
 * @iq_work: the fake IOMMU hardware that completes queued requests
 * @iq_work_armed: @iq_work is cancelled when the test ends
 * @nr_pages: pages the fake holds, per enum tdx_fake_tdi_table and
 *	      level: DEVIFMT by the page's level (0 to 3), MMIOMT by the
 *	      page's level (0 to 4), DMAR by the level of the entry that
 *	      took them (RTE 3: a context table, CTE 2: PASID directory
 *	      pages, PDE 1: a PASID table)
 * @iq_delay_us: knob: the fake hardware completes a request this long
 *		 after it is queued (1000 at install)
 * @iq_stall: knob: the fake hardware completes nothing
 * @iq_size: knob: requests a queue holds (8 at install, at most
 *	     TDX_FAKE_TDI_IQ_MAX); TDX_IOMMU_IQ_QUEUE_FULL beyond
 * @interrupt_nth: knob: the n-th (1-based) resumable call (TDH.DMAR.ADD or
 *		   REMOVE of a CTE, TDH.IQ.INV.PROCESS) returns
 *		   TDX_INTERRUPTED_RESUMABLE once, with its progress kept
 * @nr_resumable: resumable calls so far
 * @busy_nth: knob: the n-th (1-based) call of these leaves returns
 *	      TDX_OPERAND_BUSY with the RCX operand ID and no side effect,
 *	      as when another caller holds its entry
 * @remove_vm_handle: knob, hostile: if not 0, the TD a successful
 *		      TDH.DEVIF.REMOVE names instead of the TDI's own
 * @req_len: knob, hostile: if not 0, the request length TDH.DEVIF.REQUEST
 *	     reports, U64_MAX for 0
 * @fail_nth: 1-based number of the call of these leaves to fail, 0 for none
 * @fail_status: status that call returns, without any side effect
 * @nr_calls: calls of these leaves (of any leaf the fake module passes on)
 * @log: leaf numbers of the SEAMCALLs made, and test events, in order
 * @nr_log: entries of @log used; calls past TDX_FAKE_TDI_LOG_MAX are
 *	    counted but not recorded
 */
struct tdx_fake_tdi {
	struct tdx_fake_module *fake;
	struct kunit *test;
	struct mutex lock;	/* serializes the leaves and the fake IOMMUs */
	struct xarray devifmt[TDX_DEVIFMT_LEVEL_ROOT];
	struct xarray devifs;
	struct xarray mmiomt_pages[TDX_MMIOMT_LEVEL_ROOT];
	struct xarray mmiomt_data[TDX_MMIOMT_LEVEL_1G + 1];
	struct xarray mmio_maps;
	struct xarray dmar[TDX_FAKE_MAX_IOMMUS][TDX_DMAR_LEVEL_RTE + 1];
	struct tdx_fake_iq iq[TDX_FAKE_MAX_IOMMUS];
	struct delayed_work iq_work;
	bool iq_work_armed;
	unsigned long nr_pages[TDX_FAKE_TDI_NR_TABLES][TDX_FAKE_TDI_NR_LEVELS];

	unsigned int iq_delay_us;
	bool iq_stall;
	unsigned int iq_size;
	unsigned int interrupt_nth;
	unsigned int nr_resumable;
	unsigned int busy_nth;
	u64 remove_vm_handle;
	u64 req_len;
	unsigned int fail_nth;
	u64 fail_status;
	unsigned int nr_calls;
	u16 log[TDX_FAKE_TDI_LOG_MAX];
	unsigned int nr_log;
};

unsigned long tdx_fake_tdi_nr_pages(struct tdx_fake_tdi *ft, enum tdx_fake_tdi_table table,
				    unsigned int level);
u64 tdx_fake_tdi_digest(struct tdx_fake_tdi *ft);

#endif /* _TDX_FAKE_TDI_STATE_H */
