/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Carrying the TDX module's messages to a device and back over DOE.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */
#ifndef _TDX_HOST_RELAY_H
#define _TDX_HOST_RELAY_H

#include <linux/types.h>

struct page;
struct pci_dev;

/**
 * struct tdx_host_relay - what carries one device's messages
 * @dsm: function 0 of the device, whose DOE mailbox carries them
 * @buf: a page that receives each response first, so that one larger
 *	 than the response page is seen rather than cut short
 *
 * Every use of a relay is under the DSM lock of @dsm
 * (&pci_tsm_pf0.lock), which serializes the connect, bind, unbind and
 * guest request operations of the device: one @buf serves them all.
 */
struct tdx_host_relay {
	struct pci_dev *dsm;
	void *buf;
};

int tdx_host_relay(struct tdx_host_relay *relay, struct page *req, u64 req_len,
		   struct page *rsp);
void tdx_host_relay_abort(struct page *req, struct page *rsp);

#if IS_ENABLED(CONFIG_KUNIT)
int tdx_host_relay_doe(struct pci_dev *dsm, u8 type, const void *req,
		       size_t req_len, void *rsp, size_t rsp_size);
#endif

#endif /* _TDX_HOST_RELAY_H */
