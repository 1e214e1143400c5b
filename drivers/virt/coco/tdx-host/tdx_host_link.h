/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The link between the TDX module and a device: its SPDM session and its
 * IDE stream, set up by connect and torn down by disconnect.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */
#ifndef _TDX_HOST_LINK_H
#define _TDX_HOST_LINK_H

#include <linux/types.h>

#include <asm/tdx_handoff.h>

#include "tdx_host_relay.h"

struct page;
struct pci_dev;
struct pci_ide;
struct tdx_host_iommus;
struct tdx_host_tables;
struct tdx_page_list;

/**
 * struct tdx_host_link_cfg - what connect needs to know of the platform
 * @iommus: the VT-d units tdx-host set up
 * @spdm_mt_pages: spdm_mt_page_count of the TDX module
 * @ide_mt_pages: ide_mt_page_count of the TDX module
 * @dev_info_pages: spdm_max_dev_info_pages of the TDX module
 * @tables: the pages tdx-host added to the module's metadata trees, which
 *	    the TDIs of every link share
 */
struct tdx_host_link_cfg {
	const struct tdx_host_iommus *iommus;
	struct tdx_host_tables *tables;
	unsigned int spdm_mt_pages;
	unsigned int ide_mt_pages;
	unsigned int dev_info_pages;
};

/**
 * struct tdx_host_link - What connect established for a device's DSM
 * @iommu_id: the TDX module's ID of the VT-d unit the device is behind
 * @spdm_id: the SPDM session with the DSM
 * @stream_id: the selective IDE stream to the device, also its Stream ID
 * @dsm: function 0 of the device, NULL while not connected
 * @rid_base: first Requester ID the IDE stream carries
 * @rid_limit: last Requester ID the IDE stream carries
 * @relay: carries the module's messages to @dsm and back
 * @tables: the module's metadata trees the link's TDIs go in
 * @func_id: the FUNCTION_ID of @dsm for TDH.SPDM.CREATE
 * @req: the page the module writes requests for the device to
 * @rsp: the page the device's responses go to
 * @config: the SPDM session configuration page
 * @spdm_mt: SPDM metadata pages, the module's while the session exists
 * @spdm_ho: the hand-off of @spdm_mt
 * @ide_mt: IDE stream metadata pages, the module's while the stream exists
 * @ide_ho: the hand-off of @ide_mt
 * @dev_info: device information pages, written by TDH.SPDM.CONNECT
 * @dev_info_ho: the hand-off of @dev_info
 * @dev_info_len: bytes of device information TDH.SPDM.CONNECT wrote
 * @ide: the core's IDE stream settings, registered while connected
 *
 * A TDI can be bound only if the IDE stream carries its Requester ID,
 * which the TDX module checks too.
 */
struct tdx_host_link {
	u64 iommu_id;
	u64 spdm_id;
	u64 stream_id;
	struct pci_dev *dsm;
	u16 rid_base;
	u16 rid_limit;
	struct tdx_host_relay relay;
	struct tdx_host_tables *tables;

	u64 func_id;
	struct page *req;
	struct page *rsp;
	struct page *config;
	struct tdx_page_list *spdm_mt;
	struct tdx_handoff spdm_ho;
	struct tdx_page_list *ide_mt;
	struct tdx_handoff ide_ho;
	struct tdx_page_list *dev_info;
	struct tdx_handoff dev_info_ho;
	u64 dev_info_len;
	struct pci_ide *ide;
};

int tdx_host_link_connect(struct tdx_host_link *link, struct pci_dev *pdev,
			  const struct tdx_host_link_cfg *cfg);
void tdx_host_link_disconnect(struct tdx_host_link *link);

#if IS_ENABLED(CONFIG_KUNIT)
struct page *tdx_host_link_page(void);
#endif

#endif /* _TDX_HOST_LINK_H */
