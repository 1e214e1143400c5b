/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SEAMCALL wrappers for the SPDM sessions and IDE streams of TDX Connect.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */
#ifndef _ASM_X86_TDX_SPDM_IDE_H
#define _ASM_X86_TDX_SPDM_IDE_H

#include <linux/bits.h>
#include <linux/cleanup.h>
#include <linux/types.h>

/* TDH.IDE.STREAM.CREATE RCX: stream_info */
#define TDX_IDE_STREAM_INFO_RP_DEVFN	GENMASK_ULL(7, 0)
#define TDX_IDE_STREAM_INFO_SELECTIVE	BIT_ULL(8)

/* TDH.IDE.STREAM.KM R8: key management operation */
#define TDX_IDE_KM_SETUP		0
#define TDX_IDE_KM_REFRESH		1
#define TDX_IDE_KM_STOP			2

/* TDH.SPDM.MNG RDX: session management operation */
#define TDX_SPDM_MNG_HEARTBEAT		0
#define TDX_SPDM_MNG_KEY_UPDATE		1
#define TDX_SPDM_MNG_DEV_INFO		2

/*
 * Unconfirmed: the layout of the SPDM session configuration page of
 * TDH.SPDM.CONNECT, as Intel's posting fills it in.
 */
#define TDX_SPDM_CFG_CAP_HBEAT		BIT(13)
#define TDX_SPDM_CFG_CAP_KEY_UPD	BIT(14)
#define TDX_SPDM_CFG_ALL_SLOTS		0xff

/**
 * struct tdx_spdm_config - start of the SPDM session configuration page
 * @vmm_spdm_cap: SPDM capabilities the host asks for
 * @session_policy: SPDM session policy
 * @cert_slot_mask: certificate slots the module may use
 * @raw_bitstream: ask for the raw bit stream of measurements
 */
struct tdx_spdm_config {
	u32 vmm_spdm_cap;
	u8 session_policy;
	u8 cert_slot_mask;
	u8 raw_bitstream;
} __packed;

/*
 * Software structures below.
 */

struct page;
struct tdx_handoff;

/**
 * struct tdx_ide_stream_cfg - IDE stream registers of TDH.IDE.STREAM.CREATE
 * @ctrl: stream control register (R9)
 * @rid_assoc: RID association registers 1 and 2 (R10, R11)
 * @addr_assoc: address association registers 1 to 3 (R12 to R14)
 */
struct tdx_ide_stream_cfg {
	u64 ctrl;
	u64 rid_assoc[2];
	u64 addr_assoc[3];
};

void tdx_spdm_ide_lock(void);
void tdx_spdm_ide_unlock(void);
DEFINE_LOCK_GUARD_0(tdx_spdm_ide, tdx_spdm_ide_lock(), tdx_spdm_ide_unlock())

u64 tdh_spdm_create(u64 func_id, const struct tdx_handoff *spdm_mt, u64 *spdm_id);
u64 tdh_spdm_delete(u64 spdm_id, const struct tdx_handoff *spdm_mt, u64 *released);
u64 tdh_spdm_connect(u64 spdm_id, struct page *config, struct page *response,
		     struct page *request, const struct tdx_handoff *dev_info,
		     u64 *req_len);
u64 tdh_spdm_disconnect(u64 spdm_id, struct page *response,
			struct page *request, u64 *req_len);
u64 tdh_spdm_mng(u64 spdm_id, u64 op, struct page *response,
		 struct page *request, u64 *req_len);
u64 tdh_ide_stream_create(u64 stream_info, u64 spdm_id,
			  const struct tdx_handoff *stream_mt,
			  const struct tdx_ide_stream_cfg *cfg, u64 *stream_id,
			  u64 *rp_ide_id);
u64 tdh_ide_stream_block(u64 spdm_id, u64 stream_id);
u64 tdh_ide_stream_delete(u64 spdm_id, u64 stream_id,
			  const struct tdx_handoff *stream_mt, u64 *released);
u64 tdh_ide_stream_km(u64 spdm_id, u64 stream_id, u64 op,
		      struct page *response, struct page *request, u64 *req_len);

#endif /* _ASM_X86_TDX_SPDM_IDE_H */
