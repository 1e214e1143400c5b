// SPDX-License-Identifier: GPL-2.0
/*
 * The selective IDE stream between a device and its root port, which the
 * TDX module creates and keys over the SPDM session of the link.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */
#define dev_fmt(fmt)	"TDX Connect: " fmt

#include <linux/bitfield.h>
#include <linux/pci.h>
#include <linux/pci-ide.h>

#include <asm/shared/tdx_errno.h>
#include <asm/tdx.h>
#include <asm/tdx_handoff.h>
#include <asm/tdx_page_list.h>
#include <asm/tdx_release.h>
#include <asm/tdx_spdm_ide.h>

#include "tdx_host_ide.h"
#include "tdx_host_link.h"
#include "tdx_host_spdm.h"

/**
 * DOC: IDE stream
 *
 * Steps 3 to 7 of connect, in the order the TDX module enforces:
 *
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
 * The teardown is their exact reverse: endpoint disable, KM stop,
 * endpoint teardown, unregister, TDH.IDE.STREAM.BLOCK,
 * TDH.IDE.STREAM.DELETE, stream free, each run whatever the ones before
 * it returned.
 */

static void tdx_host_ide_delete(struct tdx_host_link *link)
{
	u64 status, released = 0;

	guard(tdx_spdm_ide)();
	status = tdh_ide_stream_block(link->spdm_id, link->stream_id);
	if (status != TDX_SUCCESS)
		pci_err(link->relay.dsm, "TDH.IDE.STREAM.BLOCK failed: 0x%016llx\n",
			status);

	status = tdh_ide_stream_delete(link->spdm_id, link->stream_id, &link->ide_ho,
				       &released);
	if (status != TDX_SUCCESS)
		pci_err(link->relay.dsm, "TDH.IDE.STREAM.DELETE failed: 0x%016llx\n",
			status);
	tdx_page_list_release_hpa_array(link->ide_mt, &link->ide_ho,
					"TDH.IDE.STREAM.DELETE", status, released);
	link->ide_mt = NULL;
}

static int tdx_host_ide_km(struct tdx_host_link *link, enum tdx_host_link_op op)
{
	unsigned int nr_msgs = 0;

	guard(tdx_spdm_ide)();
	return tdx_host_link_run(link, op, &nr_msgs, NULL);
}

/*
 * The root port's registers for TDH.IDE.STREAM.CREATE, from the settings
 * the core chose.  The module takes one address association block: the
 * prefetchable window if the root port has one, else the other.
 */
static void tdx_host_ide_regs(struct pci_dev *rp, struct pci_ide *ide,
			      struct tdx_ide_stream_cfg *cfg)
{
	struct pci_ide_partner *settings = &ide->partner[PCI_IDE_RP];
	struct pci_ide_regs regs;

	if (pci_bus_region_size(&settings->pref_assoc))
		settings->mem_assoc = (struct pci_bus_region) { 0, -1 };
	pci_ide_stream_to_regs(rp, ide, &regs);

	*cfg = (struct tdx_ide_stream_cfg) {
		.rid_assoc = { regs.rid1, regs.rid2 },
	};
	if (regs.nr_addr) {
		cfg->addr_assoc[0] = regs.addr[0].assoc1;
		cfg->addr_assoc[1] = regs.addr[0].assoc2;
		cfg->addr_assoc[2] = regs.addr[0].assoc3;
	}
}

static int tdx_host_ide_create(struct tdx_host_link *link, struct pci_dev *rp,
			       struct pci_ide *ide)
{
	struct tdx_ide_stream_cfg cfg;
	u64 status, stream_id, rp_ide_id;

	tdx_host_ide_regs(rp, ide, &cfg);

	scoped_guard(tdx_spdm_ide)
		status = tdh_ide_stream_create(FIELD_PREP(TDX_IDE_STREAM_INFO_RP_DEVFN, rp->devfn) |
					       TDX_IDE_STREAM_INFO_SELECTIVE,
					       link->spdm_id, &link->ide_ho, &cfg,
					       &stream_id, &rp_ide_id);
	if (status != TDX_SUCCESS) {
		pci_err(link->relay.dsm, "TDH.IDE.STREAM.CREATE failed: 0x%016llx\n",
			status);
		tdx_host_link_create_failed(&link->ide_mt, "TDH.IDE.STREAM.CREATE", status);
		return -EIO;
	}

	link->stream_id = stream_id;
	/* The Stream ID field of the IDE registers is 8 bits. */
	if (stream_id > PCI_IDE_SEL_CTL_ID_MAX) {
		pci_err(link->relay.dsm, "TDH.IDE.STREAM.CREATE: stream ID %llu\n",
			stream_id);
		tdx_host_ide_delete(link);
		return -EPROTO;
	}
	ide->stream_id = stream_id;
	return 0;
}

/**
 * tdx_host_ide_setup() - Set up and key the IDE stream of a link
 * @link: with its SPDM session
 * @pdev: function 0 of the device, an endpoint with selective IDE behind
 *	  a root port with selective IDE
 *
 * Steps 3 to 7 of the DOC section above; a failure undoes the steps
 * before it in exact reverse.  On success @link->ide is the stream.
 *
 * Context: Process context, may sleep.  Takes tdx_spdm_ide_lock() for
 * each SEAMCALL step.
 * Return: 0; -ENOSPC if no IDE stream is left, -EIO if the module
 * refused a step, -EPROTO for a stream ID beyond the IDE registers, or
 * an error of pci_ide_stream_register(), pci_ide_stream_enable() or
 * tdx_host_link_run().
 */
int tdx_host_ide_setup(struct tdx_host_link *link, struct pci_dev *pdev)
{
	struct pci_dev *rp = pcie_find_root_port(pdev);
	struct pci_ide *ide;
	int ret;

	ide = pci_ide_stream_alloc(pdev);
	if (!ide) {
		pci_err(pdev, "no IDE stream left at the device, its root port or host bridge\n");
		return -ENOSPC;
	}

	ret = tdx_host_ide_create(link, rp, ide);
	if (ret)
		goto err_free;

	ret = pci_ide_stream_register(ide);
	if (ret)
		goto err_delete;
	pci_ide_stream_setup(pdev, ide);

	ret = tdx_host_ide_km(link, TDX_HOST_IDE_KM_SETUP);
	if (ret)
		goto err_teardown;

	ret = pci_ide_stream_enable(pdev, ide);
	if (ret) {
		pci_err(pdev, "IDE stream %llu not secure at the device: %d\n",
			link->stream_id, ret);
		goto err_disable;
	}

	link->ide = ide;
	return 0;

err_disable:
	pci_ide_stream_disable(pdev, ide);
	tdx_host_ide_km(link, TDX_HOST_IDE_KM_STOP);
err_teardown:
	pci_ide_stream_teardown(pdev, ide);
	pci_ide_stream_unregister(ide);
err_delete:
	tdx_host_ide_delete(link);
err_free:
	pci_ide_stream_free(ide);
	return ret;
}

/**
 * tdx_host_ide_teardown() - Tear down the IDE stream of a link
 * @link: after a successful tdx_host_ide_setup()
 *
 * The exact reverse of tdx_host_ide_setup(); every step runs.
 *
 * Context: Process context, may sleep.  Takes tdx_spdm_ide_lock() for
 * each SEAMCALL step.
 */
void tdx_host_ide_teardown(struct tdx_host_link *link)
{
	struct pci_dev *pdev = link->relay.dsm;
	struct pci_ide *ide = link->ide;

	pci_ide_stream_disable(pdev, ide);
	tdx_host_ide_km(link, TDX_HOST_IDE_KM_STOP);
	pci_ide_stream_teardown(pdev, ide);
	pci_ide_stream_unregister(ide);
	tdx_host_ide_delete(link);
	pci_ide_stream_free(ide);
	link->ide = NULL;
}
