// SPDX-License-Identifier: GPL-2.0
/*
 * Carrying the TDX module's messages to a device and back over DOE.
 *
 * With TDX Connect the TDX module, not the kernel, speaks SPDM, IDE_KM and
 * TDISP with a device; the host only carries the messages.  A SEAMCALL
 * that needs the device writes its request to a shared page and returns
 * (TDX_SPDM_REQUEST, or TDH.DEVIF.REQUEST's output length); the host
 * sends it over the device's DOE mailbox and calls the module again with
 * the response in another shared page.  Both pages hold a whole PCIe DOE
 * data object: the two-dword header (vendor, data object type, length in
 * dwords) and the payload.  pci_doe() builds the header of what it sends
 * and strips the one of what it receives, so the relay strips the
 * module's header, sends the payload with the type the module chose, and
 * rebuilds the header on the response.  Unconfirmed for TDISP: Intel's
 * posting documents the header for the SPDM and IDE_KM messages only;
 * TDH.DEVIF.REQUEST is taken to write the same format.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

#include <linux/bitfield.h>
#include <linux/err.h>
#include <linux/mm.h>
#include <linux/pci.h>
#include <linux/pci-doe.h>
#include <linux/pci-tsm.h>
#include <linux/string.h>

#include <kunit/static_stub.h>
#include <kunit/visibility.h>

#include "tdx_host_relay.h"

#define TDX_HOST_DOE_HDR_SIZE		(2 * sizeof(u32))
#define TDX_HOST_DOE_MAX_PAYLOAD	(PAGE_SIZE - TDX_HOST_DOE_HDR_SIZE)

/**
 * tdx_host_relay_doe() - One DOE exchange with a device
 * @dsm: function 0 of the device
 * @type: the data object type
 * @req: the request payload
 * @req_len: its length
 * @rsp: buffer for the response payload
 * @rsp_size: size of @rsp
 *
 * The seam for suites whose devices have no DOE mailbox.
 *
 * Context: Process context, may sleep.
 * Return: the length of the response payload, or a negative errno.
 */
VISIBLE_IF_KUNIT int tdx_host_relay_doe(struct pci_dev *dsm, u8 type, const void *req,
					size_t req_len, void *rsp, size_t rsp_size)
{
	KUNIT_STATIC_STUB_REDIRECT(tdx_host_relay_doe, dsm, type, req, req_len, rsp,
				   rsp_size);

	return pci_tsm_doe_transfer(dsm, type, req, req_len, rsp, rsp_size);
}

static void tdx_host_doe_hdr(void *obj, u16 vendor, u8 type, size_t payload_len)
{
	__le32 *hdr = obj;

	hdr[0] = cpu_to_le32(FIELD_PREP(PCI_DOE_DATA_OBJECT_HEADER_1_VID, vendor) |
			     FIELD_PREP(PCI_DOE_DATA_OBJECT_HEADER_1_TYPE, type));
	hdr[1] = cpu_to_le32(FIELD_PREP(PCI_DOE_DATA_OBJECT_HEADER_2_LENGTH,
					2 + DIV_ROUND_UP(payload_len, sizeof(u32))));
}

/**
 * tdx_host_relay() - Carry one message of the TDX module to the device
 * @relay: the relay of the device
 * @req: the page the module wrote its request to
 * @req_len: the request's length in bytes, as the module reported it
 * @rsp: the page to write the device's response to, for the module
 *
 * Only the PCI-SIG data object types of SPDM are carried: CMA, and
 * secured SPDM (which carries IDE_KM and TDISP).
 *
 * Context: Process context, may sleep.  Under the DSM lock of the device.
 * Return: 0 with the response in @rsp; -EPROTO if the module's request is
 * not a well-formed data object of those types or the device's response
 * is empty, -EMSGSIZE if the response does not fit @rsp, or the error of
 * the DOE exchange.
 */
int tdx_host_relay(struct tdx_host_relay *relay, struct page *req, u64 req_len,
		   struct page *rsp)
{
	const __le32 *hdr = page_address(req);
	size_t len, payload_len;
	u32 dw0, dw1;
	u8 type;
	int ret;

	if (req_len < TDX_HOST_DOE_HDR_SIZE || req_len > PAGE_SIZE)
		return -EPROTO;

	dw0 = le32_to_cpu(hdr[0]);
	dw1 = le32_to_cpu(hdr[1]);
	type = FIELD_GET(PCI_DOE_DATA_OBJECT_HEADER_1_TYPE, dw0);
	len = FIELD_GET(PCI_DOE_DATA_OBJECT_HEADER_2_LENGTH, dw1) * sizeof(u32);
	if (FIELD_GET(PCI_DOE_DATA_OBJECT_HEADER_1_VID, dw0) != PCI_VENDOR_ID_PCI_SIG ||
	    (type != PCI_DOE_FEATURE_CMA && type != PCI_DOE_FEATURE_SSESSION) ||
	    len < TDX_HOST_DOE_HDR_SIZE || len > req_len)
		return -EPROTO;

	/* One dword more than fits, so that a larger response shows. */
	ret = tdx_host_relay_doe(relay->dsm, type, hdr + 2, len - TDX_HOST_DOE_HDR_SIZE,
				 relay->buf, TDX_HOST_DOE_MAX_PAYLOAD + sizeof(u32));
	if (ret < 0)
		return ret;
	payload_len = ret;
	if (!payload_len)
		return -EPROTO;
	if (payload_len > TDX_HOST_DOE_MAX_PAYLOAD)
		return -EMSGSIZE;

	tdx_host_doe_hdr(page_address(rsp), PCI_VENDOR_ID_PCI_SIG, type, payload_len);
	memcpy(page_address(rsp) + TDX_HOST_DOE_HDR_SIZE, relay->buf, payload_len);
	/* The module reads whole dwords: no stale bytes in the last one. */
	memset(page_address(rsp) + TDX_HOST_DOE_HDR_SIZE + payload_len, 0,
	       -payload_len & (sizeof(u32) - 1));
	return 0;
}

/**
 * tdx_host_relay_abort() - Answer the module's request with nothing
 * @req: the page the module wrote its request to
 * @rsp: the response page
 *
 * When no response can be had from the device (the DOE exchange failed,
 * or the caller has to stop), the module's operation is still waiting for
 * one: until it ends, the Extensions refuse every other SPDM and IDE
 * SEAMCALL.  An empty data object of the request's type is no answer to
 * any request, so the module ends the operation with a failure status
 * when it is given this response.
 *
 * Context: Any context.
 */
void tdx_host_relay_abort(struct page *req, struct page *rsp)
{
	const __le32 *hdr = page_address(req);
	u32 dw0 = le32_to_cpu(hdr[0]);

	tdx_host_doe_hdr(page_address(rsp),
			 FIELD_GET(PCI_DOE_DATA_OBJECT_HEADER_1_VID, dw0),
			 FIELD_GET(PCI_DOE_DATA_OBJECT_HEADER_1_TYPE, dw0), 0);
}
