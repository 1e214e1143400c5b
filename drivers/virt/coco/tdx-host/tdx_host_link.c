// SPDX-License-Identifier: GPL-2.0
/*
 * Connecting a device to the TDX module: an SPDM session with the
 * device's Device Security Manager (DSM) and a selective IDE stream
 * between the device and its root port, which the TDX module keys.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */
#define dev_fmt(fmt)	"TDX Connect: " fmt

#include <linux/bitfield.h>
#include <linux/pci.h>
#include <linux/pci-doe.h>
#include <linux/pci-ide.h>
#include <linux/pci-tsm.h>

#include <asm/tdx_handoff.h>

#include "tdx_host_ide.h"
#include "tdx_host_iommu.h"
#include "tdx_host_link.h"
#include "tdx_host_spdm.h"

/**
 * DOC: Connect and disconnect
 *
 * Connect, in the order the TDX module enforces:
 *
 *  1. TDH.SPDM.CREATE: a session object for the device's function 0.
 *  2. TDH.SPDM.CONNECT until it succeeds: the module sets up the SPDM
 *     session, one request to the device per call (tdx_host_relay.c),
 *     with TDH.SPDM.MNG key updates when it asks for one.
 *  3. pci_ide_stream_alloc(): a stream index at both ends and a stream
 *     of the host bridge's pool.
 *  4. TDH.IDE.STREAM.CREATE: the module takes the stream and programs
 *     the root port's side with the Requester ID and address association
 *     the core chose; its stream ID becomes the IDE Stream ID.
 *  5. pci_ide_stream_register(), then pci_ide_stream_setup() of the
 *     endpoint's side.
 *  6. TDH.IDE.STREAM.KM setup: the module programs the keys at both ends
 *     over IDE_KM and enables the root port's side.
 *  7. pci_ide_stream_enable() of the endpoint's side.
 *
 * A failure undoes the steps before it in exact reverse, and disconnect
 * is the exact reverse of the whole: endpoint disable, KM stop, endpoint
 * teardown, unregister, TDH.IDE.STREAM.BLOCK, TDH.IDE.STREAM.DELETE,
 * stream free, TDH.SPDM.DISCONNECT, TDH.SPDM.DELETE.  Every step of a
 * teardown runs whatever the ones before it returned.  The pages a DELETE
 * gives back are freed after release validation (asm/tdx_release.h);
 * a refused DELETE leaks them with one warning.
 *
 * The Extensions run one SPDM or IDE operation at a time, and an
 * operation waiting for the device's response is still running: each
 * step above holds tdx_spdm_ide_lock() from its first SEAMCALL to its
 * last, DOE exchanges included.
 */

/* What connect needs of the device and the platform, checked first */
static int tdx_host_link_check(struct pci_dev *pdev, const struct tdx_host_link_cfg *cfg,
			       u64 *iommu_id)
{
	struct pci_tsm_pf0 *pf0 = container_of(pdev->tsm, struct pci_tsm_pf0, base_tsm);
	struct pci_dev *rp;
	int ret;

	if (!pf0->doe_mb ||
	    pci_find_doe_mailbox(pdev, PCI_VENDOR_ID_PCI_SIG,
				 PCI_DOE_FEATURE_SSESSION) != pf0->doe_mb) {
		pci_err(pdev, "no DOE mailbox for both CMA and secured SPDM\n");
		return -EOPNOTSUPP;
	}

	if (pci_pcie_type(pdev) != PCI_EXP_TYPE_ENDPOINT) {
		pci_err(pdev, "not a PCIe endpoint\n");
		return -EOPNOTSUPP;
	}
	/* pci_ide_init() takes an endpoint's IDE only with its root port's. */
	rp = pcie_find_root_port(pdev);
	if (!rp || !rp->ide_cap) {
		pci_err(pdev, "no root port with selective IDE streams\n");
		return -EOPNOTSUPP;
	}
	if (!pdev->ide_cap) {
		pci_err(pdev, "no selective IDE streams\n");
		return -EOPNOTSUPP;
	}

	if (pci_domain_nr(pdev->bus) < 0 ||
	    pci_domain_nr(pdev->bus) > FIELD_MAX(TDX_SPDM_FUNC_ID_SEGMENT)) {
		pci_err(pdev, "PCI segment beyond what the TDX module addresses\n");
		return -ERANGE;
	}

	ret = tdx_host_iommu_id(cfg->iommus, pdev, iommu_id);
	if (ret) {
		pci_err(pdev, "not behind a VT-d unit set up for TDX Connect\n");
		return ret;
	}

	if (!cfg->spdm_mt_pages || cfg->spdm_mt_pages > TDX_ROOT_PAGE_MAX_ENTRIES ||
	    !cfg->ide_mt_pages || cfg->ide_mt_pages > TDX_ROOT_PAGE_MAX_ENTRIES ||
	    !cfg->dev_info_pages || cfg->dev_info_pages > TDX_ROOT_PAGE_MAX_ENTRIES) {
		pci_err(pdev, "TDX module metadata sizes %u/%u/%u not supported\n",
			cfg->spdm_mt_pages, cfg->ide_mt_pages, cfg->dev_info_pages);
		return -EINVAL;
	}
	return 0;
}

/**
 * tdx_host_link_connect() - Connect a device's DSM to the TDX module
 * @link: the link to fill in; zeroed, or as the last disconnect left it
 * @pdev: function 0 of the device, with its PCI/TSM context
 * @cfg: the VT-d units and the TDX module's metadata sizes
 *
 * Runs the connect steps of the DOC section above.  Everything is
 * allocated before the first SEAMCALL; a failure undoes what was done in
 * exact reverse.  On success @link carries what bind needs: the session,
 * the stream, the VT-d unit and the Requester IDs the stream carries.
 *
 * Context: Process context, may sleep.  pci_tsm_rwsem held for write and
 * the DSM lock held (&pci_tsm_ops.connect).
 * Return: 0; -EOPNOTSUPP if the device or its root port lacks the DOE
 * mailbox or IDE connect needs, -ERANGE for a segment the module cannot
 * address, -ENODEV if the device is not behind a VT-d unit set up for
 * TDX Connect, -EBUSY if @link is connected, -ENOSPC if no IDE stream is
 * left, -ENOMEM, -EIO if the module refused a step, or the error of the
 * DOE exchange with the device.
 */
int tdx_host_link_connect(struct tdx_host_link *link, struct pci_dev *pdev,
			  const struct tdx_host_link_cfg *cfg)
{
	u64 iommu_id;
	int ret;

	if (WARN_ON_ONCE(link->dsm))
		return -EBUSY;

	ret = tdx_host_link_check(pdev, cfg, &iommu_id);
	if (ret)
		return ret;

	ret = tdx_host_link_alloc(link, pdev, cfg);
	if (ret)
		return ret;
	link->func_id = tdx_host_spdm_func_id(pdev);

	ret = tdx_host_spdm_setup(link);
	if (ret)
		goto err_free;

	ret = tdx_host_ide_setup(link, pdev);
	if (ret)
		goto err_spdm;

	link->iommu_id = iommu_id;
	link->tables = cfg->tables;
	link->rid_base = link->ide->partner[PCI_IDE_RP].rid_start;
	link->rid_limit = link->ide->partner[PCI_IDE_RP].rid_end;
	link->dsm = pdev;
	return 0;

err_spdm:
	tdx_host_spdm_teardown(link);
err_free:
	tdx_host_link_free(link);
	return ret;
}

/**
 * tdx_host_link_disconnect() - Disconnect a device's DSM from the module
 * @link: from a successful tdx_host_link_connect()
 *
 * The exact reverse of connect; every step runs.  The PCI/TSM core has
 * unbound every TDI of the DSM before.
 *
 * Context: Process context, may sleep.  As tdx_host_link_connect().
 */
void tdx_host_link_disconnect(struct tdx_host_link *link)
{
	if (WARN_ON_ONCE(!link->dsm))
		return;

	tdx_host_ide_teardown(link);
	tdx_host_spdm_teardown(link);
	tdx_host_link_free(link);
	link->dsm = NULL;
}
