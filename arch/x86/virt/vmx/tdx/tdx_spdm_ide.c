// SPDX-License-Identifier: GPL-2.0
/*
 * SEAMCALL wrappers for the SPDM sessions and IDE streams of TDX Connect.
 *
 * The TDX module Extensions run one SPDM or IDE operation at a time
 * ("queue depth is 1"), and an operation that returned TDX_SPDM_REQUEST
 * stays in flight until the caller calls the same leaf again with the
 * device's response and gets any other status; any other Extension
 * SEAMCALL meanwhile fails with TDX_OPERAND_BUSY.  A lock around each
 * SEAMCALL would let two sessions' exchanges interleave, so the caller
 * holds tdx_spdm_ide_lock() around a whole operation, request/response
 * loop included, and every wrapper here checks that it does.
 *
 * Each wrapper returns the raw TDX module status, copies its outputs to
 * out-parameters whatever the status, and leaves TDX_SPDM_REQUEST and
 * TDX_SPDM_SESSION_KEY_REQUIRE_REFRESH to the caller, which owns the DOE
 * mailbox of the device.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

#include <linux/bug.h>
#include <linux/cleanup.h>
#include <linux/export.h>
#include <linux/io.h>
#include <linux/lockdep.h>
#include <linux/mm.h>
#include <linux/mutex.h>

#include <kunit/visibility.h>

#include <asm/shared/tdx_errno.h>
#include <asm/tdx.h>
#include <asm/tdx_handoff.h>
#include <asm/tdx_spdm_ide.h>

#include "tdx.h"
#include "tdx_spdm_ide_kunit.h"

/* The Extensions run one SPDM or IDE operation at a time. */
static DEFINE_MUTEX(tdx_spdm_ide_mutex);

/**
 * tdx_spdm_ide_lock() - Take the Extensions for one SPDM or IDE operation
 *
 * Held from the first SEAMCALL of an operation to the one that returns a
 * status other than TDX_SPDM_REQUEST, across the DOE exchanges with the
 * device in between.  The guard tdx_spdm_ide wraps it.
 *
 * Context: Process context, may sleep.
 */
void tdx_spdm_ide_lock(void)
{
	mutex_lock(&tdx_spdm_ide_mutex);
}
EXPORT_SYMBOL_FOR_MODULES(tdx_spdm_ide_lock, "tdx-host");

/**
 * tdx_spdm_ide_unlock() - Let the Extensions go after an operation
 *
 * Context: Process context, tdx_spdm_ide_lock() held by the caller.
 */
void tdx_spdm_ide_unlock(void)
{
	mutex_unlock(&tdx_spdm_ide_mutex);
}
EXPORT_SYMBOL_FOR_MODULES(tdx_spdm_ide_unlock, "tdx-host");

/*
 * A SEAMCALL without the lock could land in the middle of another
 * caller's operation: refuse it rather than let the module fail that one.
 */
static u64 tdx_spdm_ide_call(u16 leaf, struct tdx_module_args *args)
{
	if (WARN_ON_ONCE(!mutex_is_locked(&tdx_spdm_ide_mutex)))
		return TDX_SW_ERROR;
	lockdep_assert_held(&tdx_spdm_ide_mutex);

	return tdx_seamcall_ver(leaf, 0, args);
}

/**
 * tdx_spdm_ide_locked() - Whether the Extension SEAMCALL lock is held
 *
 * With lockdep, the lock must be held by the current task; without it,
 * by any task.
 *
 * Context: Any context.
 * Return: true while tdx_spdm_ide_lock() is held.
 */
VISIBLE_IF_KUNIT bool tdx_spdm_ide_locked(void)
{
	return mutex_is_locked(&tdx_spdm_ide_mutex) &&
	       lockdep_is_held_type(&tdx_spdm_ide_mutex, -1);
}

/* HPA_ARRAY_T of a whole hand-off; it cannot be resumed, so it must fit. */
static bool tdx_hpa_array(const struct tdx_handoff *ho, u64 *hpa_array)
{
	return !WARN_ON_ONCE(!ho || tdx_handoff_hpa_array(ho, hpa_array));
}

/**
 * tdh_spdm_create() - TDH.SPDM.CREATE: create an SPDM session object
 * @func_id: PCIe function ID of the device
 * @spdm_mt: SPDM metadata pages, first chunk prepared, one root page long
 * @spdm_id: the module's ID for the session, written whatever the status
 *
 * Context: Process context, tdx_spdm_ide_lock() held; may sleep.
 * Return: the TDX module status; TDX_SW_ERROR if @spdm_mt does not fit an
 * HPA_ARRAY_T.  On failure the module may own the pages of @spdm_mt.
 */
u64 tdh_spdm_create(u64 func_id, const struct tdx_handoff *spdm_mt, u64 *spdm_id)
{
	struct tdx_module_args args = {
		.rcx = func_id,
	};
	u64 status;

	if (!tdx_hpa_array(spdm_mt, &args.rdx))
		return TDX_SW_ERROR;

	status = tdx_spdm_ide_call(TDH_SPDM_CREATE, &args);
	*spdm_id = args.rcx;
	return status;
}
EXPORT_SYMBOL_FOR_MODULES(tdh_spdm_create, "tdx-host");

/**
 * tdh_spdm_delete() - TDH.SPDM.DELETE: delete an SPDM session object
 * @spdm_id: the ID from tdh_spdm_create()
 * @spdm_mt: the hand-off given to tdh_spdm_create(); the module writes the
 *	     released pages to its root page, which is cleared first
 * @released: the released pages as an HPA_ARRAY_T, for
 *	      tdx_page_list_release_hpa_array()
 *
 * Context: Process context, tdx_spdm_ide_lock() held; may sleep.
 * Return: the TDX module status.
 */
u64 tdh_spdm_delete(u64 spdm_id, const struct tdx_handoff *spdm_mt, u64 *released)
{
	struct tdx_module_args args = {
		.rcx = spdm_id,
		.rdx = virt_to_phys(spdm_mt->root),
	};
	u64 status;

	tdx_handoff_clear_root(spdm_mt);

	status = tdx_spdm_ide_call(TDH_SPDM_DELETE, &args);
	*released = args.rcx;
	return status;
}
EXPORT_SYMBOL_FOR_MODULES(tdh_spdm_delete, "tdx-host");

/**
 * tdh_spdm_connect() - TDH.SPDM.CONNECT: one step of session setup
 * @spdm_id: the ID from tdh_spdm_create()
 * @config: session configuration page
 * @response: page with the device's response to the last request
 * @request: page the module writes the next request to
 * @dev_info: device information pages, first chunk prepared
 * @req_len: length of the request in @request
 *
 * TDX_SPDM_REQUEST asks the caller to send @request to the device and to
 * call again with its response in @response.
 *
 * Context: Process context, tdx_spdm_ide_lock() held; may sleep.
 * Return: the TDX module status; TDX_SW_ERROR if @dev_info does not fit
 * an HPA_ARRAY_T.
 */
u64 tdh_spdm_connect(u64 spdm_id, struct page *config, struct page *response,
		     struct page *request, const struct tdx_handoff *dev_info,
		     u64 *req_len)
{
	struct tdx_module_args args = {
		.rcx = spdm_id,
		.rdx = page_to_phys(config),
		.r8 = page_to_phys(response),
		.r9 = page_to_phys(request),
	};
	u64 status;

	if (!tdx_hpa_array(dev_info, &args.r10))
		return TDX_SW_ERROR;

	status = tdx_spdm_ide_call(TDH_SPDM_CONNECT, &args);
	*req_len = args.rcx;
	return status;
}
EXPORT_SYMBOL_FOR_MODULES(tdh_spdm_connect, "tdx-host");

/**
 * tdh_spdm_disconnect() - TDH.SPDM.DISCONNECT: one step of session teardown
 * @spdm_id: the ID from tdh_spdm_create()
 * @response: page with the device's response to the last request
 * @request: page the module writes the next request to
 * @req_len: length of the request in @request
 *
 * Context: Process context, tdx_spdm_ide_lock() held; may sleep.
 * Return: the TDX module status.
 */
u64 tdh_spdm_disconnect(u64 spdm_id, struct page *response,
			struct page *request, u64 *req_len)
{
	struct tdx_module_args args = {
		.rcx = spdm_id,
		.rdx = page_to_phys(response),
		.r8 = page_to_phys(request),
	};
	u64 status;

	status = tdx_spdm_ide_call(TDH_SPDM_DISCONNECT, &args);
	*req_len = args.rcx;
	return status;
}
EXPORT_SYMBOL_FOR_MODULES(tdh_spdm_disconnect, "tdx-host");

/**
 * tdh_spdm_mng() - TDH.SPDM.MNG: heartbeat, key update or dev-info update
 * @spdm_id: the ID from tdh_spdm_create()
 * @op: TDX_SPDM_MNG_*
 * @response: page with the device's response to the last request
 * @request: page the module writes the next request to
 * @req_len: length of the request in @request
 *
 * The ABI posting names only RCX and RDX; the message pages are taken in
 * R8 and R9 and the length returned in RCX as by TDH.SPDM.DISCONNECT.
 *
 * Context: Process context, tdx_spdm_ide_lock() held; may sleep.
 * Return: the TDX module status.
 */
u64 tdh_spdm_mng(u64 spdm_id, u64 op, struct page *response,
		 struct page *request, u64 *req_len)
{
	struct tdx_module_args args = {
		.rcx = spdm_id,
		.rdx = op,
		.r8 = page_to_phys(response),
		.r9 = page_to_phys(request),
	};
	u64 status;

	status = tdx_spdm_ide_call(TDH_SPDM_MNG, &args);
	*req_len = args.rcx;
	return status;
}
EXPORT_SYMBOL_FOR_MODULES(tdh_spdm_mng, "tdx-host");

/**
 * tdh_ide_stream_create() - TDH.IDE.STREAM.CREATE: create an IDE stream
 * @stream_info: root port devfn and selective flag, TDX_IDE_STREAM_INFO_*
 * @spdm_id: the session the stream's keys are managed over
 * @stream_mt: IDE stream metadata pages, first chunk prepared
 * @cfg: stream control and association registers
 * @stream_id: the module's ID for the stream
 * @rp_ide_id: the IDE stream ID of the root port
 *
 * Context: Process context, tdx_spdm_ide_lock() held; may sleep.
 * Return: the TDX module status; TDX_SW_ERROR if @stream_mt does not fit
 * an HPA_ARRAY_T.  On failure the module may own the pages of @stream_mt.
 */
u64 tdh_ide_stream_create(u64 stream_info, u64 spdm_id,
			  const struct tdx_handoff *stream_mt,
			  const struct tdx_ide_stream_cfg *cfg, u64 *stream_id,
			  u64 *rp_ide_id)
{
	struct tdx_module_args args = {
		.rcx = stream_info,
		.rdx = spdm_id,
		.r9 = cfg->ctrl,
		.r10 = cfg->rid_assoc[0],
		.r11 = cfg->rid_assoc[1],
		.r12 = cfg->addr_assoc[0],
		.r13 = cfg->addr_assoc[1],
		.r14 = cfg->addr_assoc[2],
	};
	u64 status;

	if (!tdx_hpa_array(stream_mt, &args.r8))
		return TDX_SW_ERROR;

	status = tdx_spdm_ide_call(TDH_IDE_STREAM_CREATE, &args);
	*stream_id = args.rcx;
	*rp_ide_id = args.rdx;
	return status;
}
EXPORT_SYMBOL_FOR_MODULES(tdh_ide_stream_create, "tdx-host");

/**
 * tdh_ide_stream_block() - TDH.IDE.STREAM.BLOCK: stop traffic on a stream
 * @spdm_id: the session of the stream
 * @stream_id: the ID from tdh_ide_stream_create()
 *
 * Context: Process context, tdx_spdm_ide_lock() held; may sleep.
 * Return: the TDX module status.
 */
u64 tdh_ide_stream_block(u64 spdm_id, u64 stream_id)
{
	struct tdx_module_args args = {
		.rcx = spdm_id,
		.rdx = stream_id,
	};

	return tdx_spdm_ide_call(TDH_IDE_STREAM_BLOCK, &args);
}
EXPORT_SYMBOL_FOR_MODULES(tdh_ide_stream_block, "tdx-host");

/**
 * tdh_ide_stream_delete() - TDH.IDE.STREAM.DELETE: delete a blocked stream
 * @spdm_id: the session of the stream
 * @stream_id: the ID from tdh_ide_stream_create()
 * @stream_mt: the hand-off given to tdh_ide_stream_create(); the module
 *	       writes the released pages to its root page, which is cleared
 *	       first
 * @released: the released pages as an HPA_ARRAY_T, for
 *	      tdx_page_list_release_hpa_array()
 *
 * Context: Process context, tdx_spdm_ide_lock() held; may sleep.
 * Return: the TDX module status.
 */
u64 tdh_ide_stream_delete(u64 spdm_id, u64 stream_id,
			  const struct tdx_handoff *stream_mt, u64 *released)
{
	struct tdx_module_args args = {
		.rcx = spdm_id,
		.rdx = stream_id,
		.r8 = virt_to_phys(stream_mt->root),
	};
	u64 status;

	tdx_handoff_clear_root(stream_mt);

	status = tdx_spdm_ide_call(TDH_IDE_STREAM_DELETE, &args);
	*released = args.rcx;
	return status;
}
EXPORT_SYMBOL_FOR_MODULES(tdh_ide_stream_delete, "tdx-host");

/**
 * tdh_ide_stream_km() - TDH.IDE.STREAM.KM: one step of IDE key management
 * @spdm_id: the session of the stream
 * @stream_id: the ID from tdh_ide_stream_create()
 * @op: TDX_IDE_KM_*
 * @response: page with the device's response to the last request
 * @request: page the module writes the next request to
 * @req_len: length of the request in @request
 *
 * Context: Process context, tdx_spdm_ide_lock() held; may sleep.
 * Return: the TDX module status.
 */
u64 tdh_ide_stream_km(u64 spdm_id, u64 stream_id, u64 op,
		      struct page *response, struct page *request, u64 *req_len)
{
	struct tdx_module_args args = {
		.rcx = spdm_id,
		.rdx = stream_id,
		.r8 = op,
		.r9 = page_to_phys(response),
		.r10 = page_to_phys(request),
	};
	u64 status;

	status = tdx_spdm_ide_call(TDH_IDE_STREAM_KM, &args);
	*req_len = args.rcx;
	return status;
}
EXPORT_SYMBOL_FOR_MODULES(tdh_ide_stream_km, "tdx-host");
