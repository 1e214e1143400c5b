/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A fake of the TDI lifecycle leaves of the TDX module for KUnit, plugged
 * into the fake TDX module (tdx_fake_module.h).  Its state is in
 * tdx_fake_tdi_state.h, its metadata tables and MMIO in
 * tdx_fake_tdi_mt.h, its trusted DMA remapping in tdx_fake_tdi_dmar.h;
 * tests include this header alone.  Only for tests.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */
#ifndef _TDX_FAKE_TDI_H
#define _TDX_FAKE_TDI_H

#include <linux/types.h>

#include "tdx_fake_module.h"
#include "tdx_fake_tdi_dmar.h"
#include "tdx_fake_tdi_mt.h"
#include "tdx_fake_tdi_state.h"
#include <asm/tdx_tdi.h>

struct kunit;
struct page;

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

struct tdx_fake_tdi *tdx_fake_tdi_install(struct kunit *test,
					  struct tdx_fake_module *fake);
void tdx_fake_tdi_log(struct tdx_fake_tdi *ft, u16 event);
struct tdx_fake_devif *tdx_fake_tdi_find(struct tdx_fake_tdi *ft, u32 func_id);
void tdx_fake_tdi_set_state(struct tdx_fake_tdi *ft, u32 func_id, u8 state);
u64 tdx_fake_tdi_td_request(struct tdx_fake_tdi *ft, u32 func_id, u8 code);
u64 tdx_fake_tdi_td_response(struct tdx_fake_tdi *ft, u32 func_id, u8 *code);
size_t tdx_fake_tdisp_device(const void *req, size_t req_len, void *rsp,
			     size_t rsp_size, u32 error);
size_t tdx_fake_tdisp_relay(struct page *req, u64 req_len, struct page *rsp, u32 error);

#endif /* _TDX_FAKE_TDI_H */
