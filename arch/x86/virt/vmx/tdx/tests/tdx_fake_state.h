/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The state of the fake TDX module for KUnit: what it reports, what it
 * injects, the pages it owns and what it counted.  One structure for the
 * page model (tdx_fake_pages.h) and the SEAMCALLs (tdx_fake_module.h).
 * Only for tests.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */
#ifndef _TDX_FAKE_STATE_H
#define _TDX_FAKE_STATE_H

#include <linux/atomic.h>
#include <linux/types.h>
#include <linux/xarray.h>

struct completion;
struct kunit;
struct tdx_module_args;
struct tracepoint;

/* Calls are counted per leaf for leaves below this number. */
#define TDX_FAKE_NR_LEAVES	256
#define TDX_FAKE_MAX_IOMMUS	4
#define TDX_FAKE_MAX_BAD_FREES	64

/*
 * The global private KeyID as the fake reports it: not 0, so that a
 * write-back with the host's KeyID is told apart.
 */
#define TDX_FAKE_GLOBAL_KEYID	5

/**
 * struct tdx_fake_iommu - a VT-d unit as the fake module sees it
 * @vtbar: register base the host names it by in TDH.IOMMU.SETUP
 * @tdx_capable: false makes TDH.IOMMU.SETUP fail with TDX_OPERAND_INVALID
 *	on RCX, the operand that names the unit
 * @invalid_operand: an operand ID other than RCX (TDX_OPERAND_ID_RCX) makes
 *	TDH.IOMMU.SETUP of a TDX capable unit fail with TDX_OPERAND_INVALID on
 *	that operand, before the module takes anything; 0 (RAX) for none
 * @set_up: TDH.IOMMU.SETUP completed and no TDH.IOMMU.CLEAR since
 * @mt_hpa: the IOMMU_MT operand of the TDH.IOMMU.SETUP that set it up
 */
struct tdx_fake_iommu {
	u64 vtbar;
	bool tdx_capable;
	u8 invalid_operand;
	bool set_up;
	u64 mt_hpa;
};

/**
 * struct tdx_fake_resume - a restart-style SEAMCALL that was interrupted
 * @leaf: the leaf, 0 when nothing is pending
 * @rcx: its RCX, which the restart must repeat
 * @rdx: its RDX, which the restart must repeat
 * @done: units of work completed so far
 */
struct tdx_fake_resume {
	u16 leaf;
	u64 rcx;
	u64 rdx;
	unsigned int done;
};

/**
 * struct tdx_fake_ext_op - an Extension operation waiting for its response
 * @leaf: the leaf that returned TDX_SPDM_REQUEST, 0 when none is open
 * @spdm_id: its RCX, the session
 * @stream_id: its RDX for TDH.IDE.STREAM.KM, the stream
 */
struct tdx_fake_ext_op {
	u16 leaf;
	u64 spdm_id;
	u64 stream_id;
};

/**
 * struct tdx_fake_module - state of the fake TDX module
 * @features0: TDX_FEATURES0 as reported
 * @pool_required_pages: memory_pool_required_pages as reported
 * @ext_required: ext_required as reported
 * @iommu_mt_page_count: iommu_mt_page_count as reported; TDH.IOMMU.SETUP
 *	reads this many 4 KiB page entries after the two queue entries
 * @spdm_mt_page_count: spdm_mt_page_count as reported, the pages of one
 *	TDH.SPDM.CREATE
 * @ide_mt_page_count: ide_mt_page_count as reported, the pages of one
 *	TDH.IDE.STREAM.CREATE
 * @spdm_max_dev_info_pages: spdm_max_dev_info_pages as reported, the most
 *	pages TDH.SPDM.CONNECT writes device information to
 * @ext_init_work: units of work of TDH.EXT.INIT
 * @iommu_work: units of work of TDH.IOMMU.SETUP and TDH.IOMMU.CLEAR
 * @interrupt_leaf: leaf whose calls are interrupted
 * @interrupts: number of further calls of @interrupt_leaf to interrupt
 * @interrupt_progress: entries (TDH.EXT.MEM.ADD) or units of work that an
 *	interrupted call completes before it returns
 *	TDX_INTERRUPTED_RESUMABLE
 * @mem_add_resume_flip: bits that an interrupted TDH.EXT.MEM.ADD flips in
 *	the operand it returns, for a module that resumes at a wrong point
 * @fail_nth: 1-based number of the call to fail, 0 for none
 * @fail_status: status that call returns, without any side effect
 * @other_leaf: handler of the leaves the fake does not implement itself,
 *	for suites that fake more of the module (SPDM, IDE); NULL refuses
 *	them with TDX_OPERAND_INVALID
 * @priv: for @other_leaf
 * @ext_leaf: handler of the Extension leaves (TDH.SPDM.*, TDH.IDE.STREAM.*),
 *	after the one-caller rule below; NULL gives them to @other_leaf
 * @ext_priv: for @ext_leaf
 * @ext_entered: if set, completed by every Extension SEAMCALL that the
 *	one-caller rule lets in, before it waits for @ext_hold
 * @ext_hold: if set, every Extension SEAMCALL that the one-caller rule lets
 *	in waits for it before it runs: a test widens the window in which
 *	a second caller would overlap
 * @global_keyid: the global private KeyID, TDX_FAKE_GLOBAL_KEYID
 * @expect_violations: the test breaks a rule on purpose: a violation is
 *	counted in @nr_violations and does not fail the test
 * @nr_violations: rules broken so far; see the top of tdx_fake_pages.c
 *	and of tdx_fake_module.c
 * @nr_ext_busy: Extension SEAMCALLs refused with TDX_OPERAND_BUSY by the
 *	one-caller rule, each also a violation
 * @violation: the first of them
 * @test: the test the fake belongs to
 * @page_free: the mm_page_free tracepoint the fake's free probe is on
 * @leaf: the leaf of the last SEAMCALL, for reports
 * @configured: TDH.SYS.CONFIG succeeded
 * @config_features: the add-on features it enabled
 * @pool_pages: pages added with TDH.EXT.MEM.ADD
 * @ext_initialized: TDH.EXT.INIT completed
 * @pamt: PAMT-like map: PFN of every page the fake owns or released
 *	without a write-back since, with its owner and state
 * @lines: the kernel's flushed cache lines, per PFN
 * @nr_bad_frees: pages freed while in @pamt, counted by the free probe
 * @nr_bad_frees_seen: the ones reported so far
 * @bad_frees: PFN << 8 | state of the first TDX_FAKE_MAX_BAD_FREES of them
 * @iommus: VT-d units
 * @nr_iommus: entries used in @iommus
 * @resume: the restart-style call to resume, if any
 * @ext_inside: Extension SEAMCALLs executing now
 * @ext_open: the Extension operation waiting for the device's response
 * @nr_calls: all SEAMCALLs
 * @nr_interrupted: SEAMCALLs that returned TDX_INTERRUPTED_RESUMABLE
 * @nr_flushes: calls of tdx_handoff_flush()
 * @nr_flushed_lines: cache lines they flushed
 * @nr_needless_wbinvd: write-backs of pages that were not released
 * @calls: SEAMCALLs per leaf
 */
struct tdx_fake_module {
	u64 features0;
	u32 pool_required_pages;
	u8 ext_required;
	u32 iommu_mt_page_count;
	u32 spdm_mt_page_count;
	u32 ide_mt_page_count;
	u32 spdm_max_dev_info_pages;
	unsigned int ext_init_work;
	unsigned int iommu_work;

	u16 interrupt_leaf;
	unsigned int interrupts;
	unsigned int interrupt_progress;
	u64 mem_add_resume_flip;
	unsigned int fail_nth;
	u64 fail_status;
	u64 (*other_leaf)(struct tdx_fake_module *fake, u16 leaf, u8 version,
			  struct tdx_module_args *args);
	void *priv;
	u64 (*ext_leaf)(struct tdx_fake_module *fake, u16 leaf, u8 version,
			struct tdx_module_args *args);
	void *ext_priv;
	struct completion *ext_entered;
	struct completion *ext_hold;
	u16 global_keyid;
	bool expect_violations;
	unsigned int nr_violations;
	char violation[192];
	atomic_t nr_ext_busy;

	struct kunit *test;
	struct tracepoint *page_free;
	u16 leaf;
	bool configured;
	u64 config_features;
	u32 pool_pages;
	bool ext_initialized;
	struct xarray pamt;
	struct xarray lines;
	atomic_t nr_bad_frees;
	unsigned int nr_bad_frees_seen;
	u64 bad_frees[TDX_FAKE_MAX_BAD_FREES];
	struct tdx_fake_iommu iommus[TDX_FAKE_MAX_IOMMUS];
	unsigned int nr_iommus;
	struct tdx_fake_resume resume;
	atomic_t ext_inside;
	struct tdx_fake_ext_op ext_open;

	unsigned int nr_calls;
	unsigned int nr_interrupted;
	unsigned long nr_flushes;
	unsigned long nr_flushed_lines;
	unsigned int nr_needless_wbinvd;
	unsigned int calls[TDX_FAKE_NR_LEAVES];
};

#endif /* _TDX_FAKE_STATE_H */
