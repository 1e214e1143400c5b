// SPDX-License-Identifier: GPL-2.0
/*
 * The SPDM session between the TDX module and a device's Device Security
 * Manager (DSM), and the loop that carries the module's messages to the
 * device for every operation of a link.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */
#define dev_fmt(fmt)	"TDX Connect: " fmt

#include <linux/bitfield.h>
#include <linux/err.h>
#include <linux/mm.h>
#include <linux/pci.h>
#include <linux/sched/signal.h>
#include <linux/string.h>

#include <kunit/static_stub.h>
#include <kunit/visibility.h>

#include <asm/shared/tdx_errno.h>
#include <asm/tdx.h>
#include <asm/tdx_handoff.h>
#include <asm/tdx_page_list.h>
#include <asm/tdx_release.h>
#include <asm/tdx_spdm_ide.h>

#include "tdx_host_link.h"
#include "tdx_host_spdm.h"

/**
 * DOC: SPDM session
 *
 * The first two steps of connect, in the order the TDX module enforces:
 *
 *  1. TDH.SPDM.CREATE: a session object for the device's function 0.
 *  2. TDH.SPDM.CONNECT until it succeeds: the module sets up the SPDM
 *     session, one request to the device per call (tdx_host_relay.c),
 *     with TDH.SPDM.MNG key updates when it asks for one.
 *
 * Disconnect ends with their reverse, TDH.SPDM.DISCONNECT and
 * TDH.SPDM.DELETE, both run whatever the other returned.  The pages the
 * DELETE gives back are freed after release validation
 * (asm/tdx_release.h); a refused DELETE leaks them with one warning.
 *
 * Every operation that talks to the device, the IDE_KM exchanges of the
 * IDE stream included, goes through tdx_host_link_run().  The Extensions
 * run one SPDM or IDE operation at a time, and an operation waiting for
 * the device's response is still running: each operation holds
 * tdx_spdm_ide_lock() from its first SEAMCALL to its last, DOE exchanges
 * included.
 */

/*
 * Bound on the messages of one operation, a key update's included.  The
 * longest is session setup: about ten messages, and the certificate chain
 * (at most 64 KiB in SPDM 1.2) read in portions that fit the 4 KiB message
 * pages, at most 17 more, for each certificate slot the module reads.  A
 * module still asking after this many is not converging.
 */
#define TDX_HOST_LINK_MAX_MSGS		256

static const char * const tdx_host_link_op_names[] = {
	[TDX_HOST_SPDM_CONNECT]		= "TDH.SPDM.CONNECT",
	[TDX_HOST_SPDM_KEY_UPDATE]	= "TDH.SPDM.MNG key update",
	[TDX_HOST_SPDM_DISCONNECT]	= "TDH.SPDM.DISCONNECT",
	[TDX_HOST_IDE_KM_SETUP]		= "TDH.IDE.STREAM.KM setup",
	[TDX_HOST_IDE_KM_STOP]		= "TDH.IDE.STREAM.KM stop",
};

static u64 tdx_host_link_call(struct tdx_host_link *link, enum tdx_host_link_op op,
			      u64 *len)
{
	switch (op) {
	case TDX_HOST_SPDM_CONNECT:
		return tdh_spdm_connect(link->spdm_id, link->config, link->rsp,
					link->req, &link->dev_info_ho, len);
	case TDX_HOST_SPDM_KEY_UPDATE:
		return tdh_spdm_mng(link->spdm_id, TDX_SPDM_MNG_KEY_UPDATE,
				    link->rsp, link->req, len);
	case TDX_HOST_SPDM_DISCONNECT:
		return tdh_spdm_disconnect(link->spdm_id, link->rsp, link->req, len);
	case TDX_HOST_IDE_KM_SETUP:
		return tdh_ide_stream_km(link->spdm_id, link->stream_id,
					 TDX_IDE_KM_SETUP, link->rsp, link->req, len);
	case TDX_HOST_IDE_KM_STOP:
		return tdh_ide_stream_km(link->spdm_id, link->stream_id,
					 TDX_IDE_KM_STOP, link->rsp, link->req, len);
	}
	return TDX_SW_ERROR;
}

/**
 * tdx_host_link_run() - Run one operation that talks to the device
 * @link: the link, with its SPDM session
 * @op: the operation
 * @nr_msgs: messages carried so far for the caller's operation, updated
 * @out: if set, the length the final call returned, on success
 *
 * Calls the leaf of @op, carries each request to the device and its
 * response back, until the module returns a final status.  A key update
 * the module asks for runs in between.  When no response can be had (DOE
 * failure, fatal signal, more than TDX_HOST_LINK_MAX_MSGS messages), the
 * module gets an empty one, which ends the operation, so that the
 * Extensions are free for the teardown.
 *
 * Context: Process context, may sleep.  tdx_spdm_ide_lock() held.
 * Return: 0; -EPROTO after too many messages, -EINTR on a fatal signal,
 * or the error of the DOE exchange, also when the module asks again after
 * the empty response; -EIO if the module refused the operation or the key
 * update it asked for.
 */
int tdx_host_link_run(struct tdx_host_link *link, enum tdx_host_link_op op,
		      unsigned int *nr_msgs, u64 *out)
{
	const char *name = tdx_host_link_op_names[op];
	struct pci_dev *pdev = link->relay.dsm;
	u64 status, len = 0;
	int ret = 0;

	for (;;) {
		status = tdx_host_link_call(link, op, &len);
		if (status == TDX_SPDM_REQUEST) {
			if (ret) {
				pci_err(pdev, "%s: the module asks again after an empty response\n",
					name);
				return ret;
			}
			if (++*nr_msgs > TDX_HOST_LINK_MAX_MSGS)
				ret = -EPROTO;
			else if (fatal_signal_pending(current))
				ret = -EINTR;
			else
				ret = tdx_host_relay(&link->relay, link->req, len, link->rsp);
			if (ret)
				tdx_host_relay_abort(link->req, link->rsp);
			continue;
		}
		if (status == TDX_SPDM_SESSION_KEY_REQUIRE_REFRESH && !ret &&
		    op != TDX_HOST_SPDM_KEY_UPDATE) {
			ret = tdx_host_link_run(link, TDX_HOST_SPDM_KEY_UPDATE, nr_msgs, NULL);
			if (ret)
				return ret;
			continue;
		}
		break;
	}

	if (ret) {
		pci_err(pdev, "%s: no response from the device: %d\n", name, ret);
		return ret;
	}
	if (status != TDX_SUCCESS) {
		pci_err(pdev, "%s failed: 0x%016llx\n", name, status);
		return -EIO;
	}
	if (out)
		*out = len;
	return 0;
}

/*
 * A refused CREATE: whether the module can have taken the pages.  It
 * checks its operands before it takes anything, and TDX_SW_ERROR means
 * that the wrapper made no SEAMCALL at all.
 */
static bool tdx_host_link_untaken(u64 status)
{
	u64 class = status & TDX_SEAMCALL_STATUS_MASK;

	return status == TDX_SW_ERROR || class == TDX_OPERAND_INVALID ||
	       class == TDX_OPERAND_BUSY;
}

/**
 * tdx_host_link_create_failed() - Keep the pages of a refused CREATE
 * @list: the pages handed to the CREATE; set to NULL if they are released
 * @op: the name of the CREATE leaf, for the warning
 * @status: what the CREATE returned
 *
 * The pages stay the caller's only for a status that says the module
 * took nothing; otherwise they go through tdx_page_list_release(), which
 * leaks what the module may still own with one warning.
 *
 * Context: Process context, may sleep.
 */
void tdx_host_link_create_failed(struct tdx_page_list **list, const char *op,
				 u64 status)
{
	if (tdx_host_link_untaken(status))
		return;
	tdx_page_list_release(*list, op, status, NULL, 0);
	*list = NULL;
}

static int tdx_host_link_list(struct tdx_page_list **list, struct tdx_handoff *ho,
			      unsigned int nr_pages)
{
	int ret;

	*list = tdx_page_list_alloc_bulk(nr_pages);
	if (IS_ERR(*list)) {
		ret = PTR_ERR(*list);
		*list = NULL;
		return ret;
	}
	ret = tdx_handoff_init(ho, *list);
	if (ret)
		return ret;
	/* An HPA_ARRAY_T is one root page: the whole list in one chunk. */
	if (tdx_handoff_next_chunk(ho) != nr_pages)
		return -EINVAL;
	return 0;
}

static void tdx_host_link_unlist(struct tdx_page_list **list, struct tdx_handoff *ho)
{
	tdx_handoff_fini(ho);
	tdx_page_list_free(*list);
	*list = NULL;
}

/**
 * tdx_host_link_free() - Free what tdx_host_link_alloc() allocated
 * @link: the link
 *
 * Frees the pages and page lists that the module does not own: those of
 * a failed tdx_host_link_alloc(), or those left after the DELETEs.
 *
 * Context: Process context, may sleep.
 */
void tdx_host_link_free(struct tdx_host_link *link)
{
	if (link->relay.buf)
		free_page((unsigned long)link->relay.buf);
	link->relay = (struct tdx_host_relay) {};
	if (link->config)
		__free_page(link->config);
	if (link->rsp)
		__free_page(link->rsp);
	if (link->req)
		__free_page(link->req);
	link->config = NULL;
	link->rsp = NULL;
	link->req = NULL;
	tdx_host_link_unlist(&link->dev_info, &link->dev_info_ho);
	tdx_host_link_unlist(&link->ide_mt, &link->ide_ho);
	tdx_host_link_unlist(&link->spdm_mt, &link->spdm_ho);
}

/**
 * tdx_host_link_page() - Allocate a zeroed page for connect
 *
 * The message pages, the configuration page and the relay's buffer; the
 * seam through which tests fail each allocation.
 *
 * Context: Process context, may sleep.
 * Return: the page, or NULL.
 */
VISIBLE_IF_KUNIT struct page *tdx_host_link_page(void)
{
	KUNIT_STATIC_STUB_REDIRECT(tdx_host_link_page);

	return alloc_page(GFP_KERNEL | __GFP_ZERO);
}

/**
 * tdx_host_link_alloc() - Allocate everything connect needs
 * @link: the link, zeroed or as tdx_host_link_free() left it
 * @pdev: function 0 of the device
 * @cfg: the TDX module's metadata sizes
 *
 * The SPDM metadata, IDE stream metadata and device information pages,
 * sized from the module's global metadata, and the request, response,
 * configuration and relay pages, all before the first SEAMCALL.
 *
 * Context: Process context, may sleep.
 * Return: 0; -ENOMEM, or -EINVAL if a metadata size does not fit one
 * HPA_ARRAY_T.  Nothing is left allocated on failure.
 */
int tdx_host_link_alloc(struct tdx_host_link *link, struct pci_dev *pdev,
			const struct tdx_host_link_cfg *cfg)
{
	struct tdx_spdm_config *config;
	struct page *page;
	int ret;

	ret = tdx_host_link_list(&link->spdm_mt, &link->spdm_ho, cfg->spdm_mt_pages);
	if (ret)
		goto err;
	ret = tdx_host_link_list(&link->ide_mt, &link->ide_ho, cfg->ide_mt_pages);
	if (ret)
		goto err;
	ret = tdx_host_link_list(&link->dev_info, &link->dev_info_ho,
				 cfg->dev_info_pages);
	if (ret)
		goto err;

	ret = -ENOMEM;
	link->req = tdx_host_link_page();
	if (!link->req)
		goto err;
	link->rsp = tdx_host_link_page();
	if (!link->rsp)
		goto err;
	link->config = tdx_host_link_page();
	if (!link->config)
		goto err;
	page = tdx_host_link_page();
	if (!page)
		goto err;
	link->relay = (struct tdx_host_relay) {
		.dsm = pdev,
		.buf = page_address(page),
	};

	config = page_address(link->config);
	config->vmm_spdm_cap = TDX_SPDM_CFG_CAP_KEY_UPD;
	config->cert_slot_mask = TDX_SPDM_CFG_ALL_SLOTS;
	return 0;

err:
	tdx_host_link_free(link);
	return ret;
}

static void tdx_host_spdm_delete(struct tdx_host_link *link)
{
	u64 status, released = 0;

	status = tdh_spdm_delete(link->spdm_id, &link->spdm_ho, &released);
	if (status != TDX_SUCCESS)
		pci_err(link->relay.dsm, "TDH.SPDM.DELETE failed: 0x%016llx\n", status);
	tdx_page_list_release_hpa_array(link->spdm_mt, &link->spdm_ho,
					"TDH.SPDM.DELETE", status, released);
	link->spdm_mt = NULL;
}

/**
 * tdx_host_spdm_setup() - Set up the SPDM session of a link
 * @link: from tdx_host_link_alloc(), with its FUNCTION_ID
 *
 * Steps 1 and 2 of the DOC section above; a failed TDH.SPDM.CONNECT is
 * undone with TDH.SPDM.DELETE.
 *
 * Context: Process context, may sleep.  Takes tdx_spdm_ide_lock().
 * Return: 0; -EIO if the module refused a step, or an error of
 * tdx_host_link_run().
 */
int tdx_host_spdm_setup(struct tdx_host_link *link)
{
	unsigned int nr_msgs = 0;
	u64 status;
	int ret;

	guard(tdx_spdm_ide)();
	status = tdh_spdm_create(link->func_id, &link->spdm_ho, &link->spdm_id);
	if (status != TDX_SUCCESS) {
		pci_err(link->relay.dsm, "TDH.SPDM.CREATE failed: 0x%016llx\n", status);
		tdx_host_link_create_failed(&link->spdm_mt, "TDH.SPDM.CREATE", status);
		return -EIO;
	}

	ret = tdx_host_link_run(link, TDX_HOST_SPDM_CONNECT, &nr_msgs,
				&link->dev_info_len);
	if (ret)
		tdx_host_spdm_delete(link);
	return ret;
}

/**
 * tdx_host_spdm_teardown() - End the SPDM session of a link
 * @link: after a successful tdx_host_spdm_setup()
 *
 * TDH.SPDM.DISCONNECT, then TDH.SPDM.DELETE whatever it returned.
 *
 * Context: Process context, may sleep.  Takes tdx_spdm_ide_lock().
 */
void tdx_host_spdm_teardown(struct tdx_host_link *link)
{
	unsigned int nr_msgs = 0;

	guard(tdx_spdm_ide)();
	tdx_host_link_run(link, TDX_HOST_SPDM_DISCONNECT, &nr_msgs, NULL);
	tdx_host_spdm_delete(link);
}

/**
 * tdx_host_spdm_func_id() - The FUNCTION_ID of a device for TDH.SPDM.CREATE
 * @pdev: function 0 of the device, in a segment the module addresses
 *
 * Context: Any context.
 * Return: the Requester ID of @pdev, with its segment if not 0.
 */
u64 tdx_host_spdm_func_id(struct pci_dev *pdev)
{
	int segment = pci_domain_nr(pdev->bus);
	u64 func_id = FIELD_PREP(TDX_SPDM_FUNC_ID_RID, pci_dev_id(pdev));

	if (segment)
		func_id |= FIELD_PREP(TDX_SPDM_FUNC_ID_SEGMENT, segment) |
			   TDX_SPDM_FUNC_ID_SEG_VALID;
	return func_id;
}
