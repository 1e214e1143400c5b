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
#include <linux/err.h>
#include <linux/mm.h>
#include <linux/pci.h>
#include <linux/pci-doe.h>
#include <linux/pci-ide.h>
#include <linux/pci-tsm.h>
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

#include "tdx_host_iommu.h"
#include "tdx_host_link.h"

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

/* TDH.SPDM.CREATE's FUNCTION_ID */
#define TDX_SPDM_FUNC_ID_RID		GENMASK_ULL(15, 0)
#define TDX_SPDM_FUNC_ID_SEGMENT	GENMASK_ULL(23, 16)
#define TDX_SPDM_FUNC_ID_SEG_VALID	BIT_ULL(24)

/*
 * Bound on the messages of one operation, a key update's included.  The
 * longest is session setup: about ten messages, and the certificate chain
 * (at most 64 KiB in SPDM 1.2) read in portions that fit the 4 KiB message
 * pages, at most 17 more, for each certificate slot the module reads.  A
 * module still asking after this many is not converging.
 */
#define TDX_HOST_LINK_MAX_MSGS		256

enum tdx_host_link_op {
	TDX_HOST_SPDM_CONNECT,
	TDX_HOST_SPDM_KEY_UPDATE,
	TDX_HOST_SPDM_DISCONNECT,
	TDX_HOST_IDE_KM_SETUP,
	TDX_HOST_IDE_KM_STOP,
};

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

/*
 * Run one operation that talks to the device: call its leaf, carry each
 * request to the device and its response back, until the module returns
 * a final status.  A key update the module asks for runs in between.
 * When no response can be had (DOE failure, fatal signal, too many
 * messages), the module gets an empty one, which ends the operation, so
 * that the Extensions are free for the teardown.
 */
static int tdx_host_link_run(struct tdx_host_link *link, enum tdx_host_link_op op,
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

/* After a refused CREATE: keep the pages the module cannot have taken. */
static void tdx_host_link_create_failed(struct tdx_page_list **list, const char *op,
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

static void tdx_host_link_free(struct tdx_host_link *link)
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

/* Everything connect needs, before any SEAMCALL */
static int tdx_host_link_alloc(struct tdx_host_link *link, struct pci_dev *pdev,
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

/* Steps 1 and 2: the SPDM session */
static int tdx_host_spdm_setup(struct tdx_host_link *link)
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

static void tdx_host_spdm_teardown(struct tdx_host_link *link)
{
	unsigned int nr_msgs = 0;

	guard(tdx_spdm_ide)();
	tdx_host_link_run(link, TDX_HOST_SPDM_DISCONNECT, &nr_msgs, NULL);
	tdx_host_spdm_delete(link);
}

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

/* Steps 3 to 7: the IDE stream */
static int tdx_host_ide_setup(struct tdx_host_link *link, struct pci_dev *pdev)
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

static void tdx_host_ide_teardown(struct tdx_host_link *link)
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

static u64 tdx_host_spdm_func_id(struct pci_dev *pdev)
{
	int segment = pci_domain_nr(pdev->bus);
	u64 func_id = FIELD_PREP(TDX_SPDM_FUNC_ID_RID, pci_dev_id(pdev));

	if (segment)
		func_id |= FIELD_PREP(TDX_SPDM_FUNC_ID_SEGMENT, segment) |
			   TDX_SPDM_FUNC_ID_SEG_VALID;
	return func_id;
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
