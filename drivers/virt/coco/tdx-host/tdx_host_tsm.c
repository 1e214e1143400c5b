// SPDX-License-Identifier: GPL-2.0
/*
 * tdx-host as the PCI link TSM of TDX Connect.
 *
 * With TDX Connect the TDX module is the platform TEE Security Manager:
 * it owns the SPDM sessions and IDE streams of devices and the assignment
 * of their interfaces (TDIs) to trust domains.  tdx-host speaks for it to
 * the PCI/TSM core as a link TSM, once every VT-d unit has been handed to
 * the module, and stops doing so before any unit is taken back.
 *
 * This file is the glue: the ops table, the per-device contexts and the
 * registration.  Connect and disconnect (the SPDM session and IDE stream
 * of a device) are in tdx_host_link.c, the TDI engine is in
 * tdx_host_tdi.c.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */
#define pr_fmt(fmt)	KBUILD_MODNAME ": " fmt

#include <linux/cleanup.h>
#include <linux/device.h>
#include <linux/err.h>
#include <linux/pci.h>
#include <linux/pci-tsm.h>
#include <linux/slab.h>
#include <linux/tsm.h>

#include <kunit/static_stub.h>
#include <kunit/visibility.h>

#include <asm/tdx.h>

#include "tdx_host_keyp.h"
#include "tdx_host_link.h"
#include "tdx_host_tables.h"
#include "tdx_host_tdi.h"
#include "tdx_host_tsm.h"

/**
 * struct tdx_host_dsm - tdx-host context of a Device Security Manager
 * @pf0: PCI/TSM context of function 0 of the device, the DSM
 * @link: what connect established with the DSM, for the TDIs it manages
 *
 * The functions the DSM manages get a plain struct pci_tsm and reach
 * @link through their &pci_tsm.dsm_dev.
 */
struct tdx_host_dsm {
	struct pci_tsm_pf0 pf0;
	struct tdx_host_link link;
};

static struct tdx_host_dsm *to_tdx_host_dsm(struct pci_tsm *tsm)
{
	return container_of(tsm->dsm_dev->tsm, struct tdx_host_dsm, pf0.base_tsm);
}

static struct pci_tsm *tdx_host_dsm_probe(struct tsm_dev *tsm_dev, struct pci_dev *pdev)
{
	struct tdx_host_dsm *dsm __free(kfree) = kzalloc_obj(*dsm);

	if (!dsm)
		return NULL;

	if (pci_tsm_pf0_constructor(pdev, &dsm->pf0, tsm_dev)) {
		pci_tsm_pf0_destructor(&dsm->pf0);
		return NULL;
	}

	return &no_free_ptr(dsm)->pf0.base_tsm;
}

static struct pci_tsm *tdx_host_fn_probe(struct tsm_dev *tsm_dev, struct pci_dev *pdev)
{
	struct pci_tsm *tsm __free(kfree) = kzalloc_obj(*tsm);

	if (!tsm)
		return NULL;

	if (pci_tsm_link_constructor(pdev, tsm, tsm_dev))
		return NULL;

	return no_free_ptr(tsm);
}

static struct pci_tsm *tdx_host_tsm_probe(struct tsm_dev *tsm_dev, struct pci_dev *pdev)
{
	if (is_pci_tsm_pf0(pdev))
		return tdx_host_dsm_probe(tsm_dev, pdev);
	return tdx_host_fn_probe(tsm_dev, pdev);
}

static void tdx_host_tsm_remove(struct pci_tsm *tsm)
{
	if (is_pci_tsm_pf0(tsm->pdev)) {
		struct tdx_host_dsm *dsm = container_of(tsm, struct tdx_host_dsm,
							pf0.base_tsm);

		pci_tsm_pf0_destructor(&dsm->pf0);
		kfree(dsm);
		return;
	}
	kfree(tsm);
}

/* The VT-d units and metadata sizes connect needs, devm data of tdx-host */
static const struct tdx_host_link_cfg *tdx_host_link_cfg(struct pci_dev *pdev)
{
	return dev_get_drvdata(pdev->tsm->tsm_dev->dev.parent);
}

static int tdx_host_tsm_connect(struct pci_dev *pdev)
{
	return tdx_host_link_connect(&to_tdx_host_dsm(pdev->tsm)->link, pdev,
				     tdx_host_link_cfg(pdev));
}

static void tdx_host_tsm_disconnect(struct pci_dev *pdev)
{
	tdx_host_link_disconnect(&to_tdx_host_dsm(pdev->tsm)->link);
}

static struct pci_tdi *tdx_host_tsm_bind(struct pci_dev *pdev, struct kvm *kvm,
					 u32 tdi_id, const struct pci_tdi_host *host)
{
	pci_tsm_assert_held(pdev);
	return tdx_host_tdi_bind(&to_tdx_host_dsm(pdev->tsm)->link, pdev, kvm,
				 tdi_id, host);
}

static void tdx_host_tsm_unbind(struct pci_tdi *tdi)
{
	pci_tsm_assert_held(tdi->pdev);
	tdx_host_tdi_unbind(tdi);
}

static ssize_t tdx_host_tsm_guest_req(struct pci_tdi *tdi, enum pci_tsm_req_scope scope,
				      sockptr_t req_in, size_t in_len,
				      sockptr_t req_out, size_t out_len, u64 *tsm_code)
{
	pci_tsm_assert_held(tdi->pdev);
	return tdx_host_tdi_guest_req(tdi, scope, req_in, in_len, req_out,
				      out_len, tsm_code);
}

/*
 * The link operations of the TDX module as platform TSM.  The PCI/TSM
 * core serializes them as documented in struct pci_tsm_ops:
 *
 * @probe: wraps function 0 of a device that can be a DSM
 *	(is_pci_tsm_pf0()) in a struct tdx_host_dsm with
 *	pci_tsm_pf0_constructor(), and any other function in a struct
 *	pci_tsm with pci_tsm_link_constructor().
 *	Context: pci_tsm_rwsem held for write, and for a function other
 *	than function 0 the DSM lock.
 * @remove: frees what @probe allocated.  Context: as @probe.
 * @connect: tdx_host_link_connect() for the DSM's link.
 *	Context: pci_tsm_rwsem held for write and the DSM lock.
 * @disconnect: tdx_host_link_disconnect(), after the core unbound every
 *	TDI of the DSM.  Context: as @connect.
 * @bind: tdx_host_tdi_bind() with the link of the function's DSM and the
 *	host participants the bind caller supplied, all four of which TDX
 *	Connect needs: -EINVAL for a NULL host or op.
 *	Context: pci_tsm_rwsem held for read and the DSM lock.
 * @unbind: tdx_host_tdi_unbind(); cannot fail.  Context: the DSM lock and
 *	pci_tsm_rwsem, held for read from pci_tsm_unbind(), for write when
 *	disconnect, TSM unregistration or device removal unbinds.
 * @guest_req: tdx_host_tdi_guest_req().  Context: as @bind.
 *
 * @bind, @unbind and @guest_req assert their locks with
 * pci_tsm_assert_held(): the host participants run under them.
 */
static struct pci_tsm_ops tdx_host_tsm_ops = {
	.probe		= tdx_host_tsm_probe,
	.remove		= tdx_host_tsm_remove,
	.connect	= tdx_host_tsm_connect,
	.disconnect	= tdx_host_tsm_disconnect,
	.bind		= tdx_host_tsm_bind,
	.unbind		= tdx_host_tsm_unbind,
	.guest_req	= tdx_host_tsm_guest_req,
};

/**
 * tdx_host_tsm_register() - Register a TSM device under tdx-host
 * @dev: the tdx-host device
 * @ops: the operations of the TSM
 *
 * A wrapper of tsm_register(), so that tests can watch registration.
 *
 * Context: Process context, may sleep.
 * Return: the TSM device, or an ERR_PTR() of tsm_register().
 */
VISIBLE_IF_KUNIT struct tsm_dev *tdx_host_tsm_register(struct device *dev,
						       struct pci_tsm_ops *ops)
{
	KUNIT_STATIC_STUB_REDIRECT(tdx_host_tsm_register, dev, ops);

	return tsm_register(dev, ops);
}

/**
 * tdx_host_tsm_unregister() - Unregister the TSM device of tdx-host
 * @tsm_dev: from tdx_host_tsm_register()
 *
 * A wrapper of tsm_unregister(), so that tests can watch unregistration.
 *
 * Context: Process context, may sleep.
 */
VISIBLE_IF_KUNIT void tdx_host_tsm_unregister(struct tsm_dev *tsm_dev)
{
	KUNIT_STATIC_STUB_REDIRECT(tdx_host_tsm_unregister, tsm_dev);

	tsm_unregister(tsm_dev);
}

static void tdx_host_tsm_unregister_action(void *tsm_dev)
{
	tdx_host_tsm_unregister(tsm_dev);
}

static void tdx_host_tables_fini_action(void *tables)
{
	tdx_host_tables_fini(tables);
}

/**
 * tdx_host_tsm_init() - Register tdx-host as the PCI link TSM
 * @dev: the tdx-host device
 * @sysinfo: global metadata of the TDX module, with TDX Connect
 * @iommus: the VT-d units tdx_host_iommus_init() set up
 *
 * Must be called after tdx_host_iommus_init(): unregistration is a devm
 * action, so it runs before the VT-d units are cleared, the exact reverse
 * of the setup.  The IDE stream pools of the host bridges are sized from
 * ACPI KEYP first, before any connect can allocate a stream.
 *
 * Context: Process context, may sleep.
 * Return: 0, or a negative errno.
 */
int tdx_host_tsm_init(struct device *dev, const struct tdx_sys_info *sysinfo,
		      const struct tdx_host_iommus *iommus)
{
	struct tdx_host_tables *tables;
	struct tdx_host_link_cfg *cfg;
	struct tsm_dev *tsm_dev;
	int ret;

	cfg = devm_kzalloc(dev, sizeof(*cfg), GFP_KERNEL);
	tables = devm_kzalloc(dev, sizeof(*tables), GFP_KERNEL);
	if (!cfg || !tables)
		return -ENOMEM;
	/* Forgotten after the TSM is unregistered, when no TDI is left */
	tdx_host_tables_init(tables);
	ret = devm_add_action_or_reset(dev, tdx_host_tables_fini_action, tables);
	if (ret)
		return ret;

	*cfg = (struct tdx_host_link_cfg) {
		.iommus = iommus,
		.tables = tables,
		.spdm_mt_pages = sysinfo->connect.spdm_mt_page_count,
		.ide_mt_pages = sysinfo->connect.ide_mt_page_count,
		.dev_info_pages = sysinfo->connect.spdm_max_dev_info_pages,
	};
	dev_set_drvdata(dev, cfg);

	tdx_host_keyp_init();

	tsm_dev = tdx_host_tsm_register(dev, &tdx_host_tsm_ops);
	if (IS_ERR(tsm_dev)) {
		dev_err(dev, "cannot register as PCI TSM: %ld\n", PTR_ERR(tsm_dev));
		return PTR_ERR(tsm_dev);
	}

	return devm_add_action_or_reset(dev, tdx_host_tsm_unregister_action, tsm_dev);
}
