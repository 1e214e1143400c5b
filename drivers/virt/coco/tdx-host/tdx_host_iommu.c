// SPDX-License-Identifier: GPL-2.0
/*
 * Trusted IOMMU setup for TDX Connect.
 *
 * Before the TDX module accepts any TDX Connect request for a device, the
 * VT-d unit in front of that device must be handed to the module with
 * TDH.IOMMU.SETUP, together with an IOMMU_MT: the queue blocks and pages
 * the module runs the unit's trusted side with.  tdx-host does this for
 * every VT-d unit when it probes, before it registers anything else, and
 * takes every unit back with TDH.IOMMU.CLEAR, in reverse, when it goes
 * away.  Units the module reports as not TDX capable are skipped.  While
 * a unit is set up, the module owns the upper half of its domain IDs.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */
#define pr_fmt(fmt)	KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/dmar.h>
#include <linux/err.h>
#include <linux/pci.h>
#include <linux/printk.h>
#include <linux/slab.h>

#include <kunit/static_stub.h>
#include <kunit/visibility.h>

#include <asm/shared/tdx_errno.h>
#include <asm/tdx.h>
#include <asm/tdx_iommu_mt.h>
#include <asm/tdx_release.h>

#include "tdx_host_iommu.h"

/*
 * TDH.IOMMU.SETUP names the unit by its register base in RCX: the module
 * refuses a unit that is not TDX capable with TDX_OPERAND_INVALID on that
 * operand.  The same status on any other operand, or any other status, is
 * a failure.
 */
static bool tdx_host_iommu_not_capable(u64 status)
{
	return status == (TDX_OPERAND_INVALID | TDX_OPERAND_ID_RCX);
}

/**
 * tdx_host_iommu_reserve_dids() - Leave a unit's upper domain IDs to the module
 * @reg_base: register base address of the VT-d unit
 *
 * The TDX module tags the trusted DMA of a unit set up for TDX Connect
 * with domain IDs from the upper half of the unit's domain-ID space; the
 * host VT-d driver keeps to the lower half from here on.  Tests supply
 * their own.
 *
 * Context: Process context, may sleep.
 * Return: 0, -EBUSY if the host uses upper-half domain IDs of the unit,
 * or -ENODEV if the VT-d driver has no unit at @reg_base.
 */
VISIBLE_IF_KUNIT int tdx_host_iommu_reserve_dids(u64 reg_base)
{
	KUNIT_STATIC_STUB_REDIRECT(tdx_host_iommu_reserve_dids, reg_base);

	return intel_iommu_reserve_upper_dids(reg_base);
}

/**
 * tdx_host_iommu_unreserve_dids() - Give a unit's domain IDs back to the host
 * @reg_base: register base address of the VT-d unit
 *
 * Undoes tdx_host_iommu_reserve_dids() once the module no longer has the
 * unit.  Tests supply their own.
 *
 * Context: Process context, may sleep.
 */
VISIBLE_IF_KUNIT void tdx_host_iommu_unreserve_dids(u64 reg_base)
{
	KUNIT_STATIC_STUB_REDIRECT(tdx_host_iommu_unreserve_dids, reg_base);

	intel_iommu_unreserve_upper_dids(reg_base);
}

/*
 * Set up one unit with an IOMMU_MT of its own, its upper domain IDs left
 * to the module first.  A unit that is not TDX capable is counted and
 * left alone; the module owns nothing of an IOMMU_MT it refused that way.
 * After any other failure of the SEAMCALL the module may own the
 * IOMMU_MT, so it is leaked; the domain IDs are given back all the same,
 * as the module gave no ID for the unit that trusted DMA could be set up
 * with.
 */
static int tdx_host_iommu_setup_one(struct tdx_host_iommus *iommus, u64 reg_base,
				    unsigned int iq_order, unsigned int nr_mt_pages)
{
	struct tdx_host_iommu *unit = &iommus->units[iommus->nr_set_up];
	struct tdx_iommu_mt *mt;
	u64 status, iommu_id;
	int ret;

	ret = tdx_host_iommu_reserve_dids(reg_base);
	if (ret) {
		pr_err("VT-d unit at 0x%llx: cannot leave its upper domain IDs to the TDX module: %d\n",
		       reg_base, ret);
		return ret;
	}

	mt = tdx_iommu_mt_alloc(iq_order, nr_mt_pages);
	if (IS_ERR(mt)) {
		ret = PTR_ERR(mt);
		goto err_unreserve;
	}

	status = tdh_iommu_setup(reg_base, mt, &iommu_id);
	if (tdx_host_iommu_not_capable(status)) {
		tdx_iommu_mt_free(mt);
		tdx_host_iommu_unreserve_dids(reg_base);
		pr_info("VT-d unit at 0x%llx is not TDX capable, skipped\n", reg_base);
		iommus->nr_not_capable++;
		return 0;
	}
	if (status != TDX_SUCCESS) {
		pr_err("TDH.IOMMU.SETUP of the VT-d unit at 0x%llx failed: 0x%016llx\n",
		       reg_base, status);
		tdx_iommu_mt_release(mt, "TDH.IOMMU.SETUP", status);
		ret = -EIO;
		goto err_unreserve;
	}

	unit->reg_base = reg_base;
	unit->iommu_id = iommu_id;
	unit->mt = mt;
	iommus->nr_set_up++;
	return 0;

err_unreserve:
	tdx_host_iommu_unreserve_dids(reg_base);
	return ret;
}

/**
 * tdx_host_iommus_clear() - Take every VT-d unit back from the TDX module
 * @iommus: the units from tdx_host_iommus_setup(); consumed
 *
 * Runs TDH.IOMMU.CLEAR on the units in the reverse order of their setup
 * and frees each IOMMU_MT after tdx_iommu_mt_release() has checked that
 * the module gave all of it back; then the host may use every domain ID
 * of the unit again.  The IOMMU_MT of a unit whose CLEAR fails stays with
 * the module: it is leaked with one WARN, the upper domain IDs of the
 * unit stay the module's, and the other units are still cleared.
 *
 * Context: Process context, may sleep.
 */
VISIBLE_IF_KUNIT void tdx_host_iommus_clear(struct tdx_host_iommus *iommus)
{
	while (iommus->nr_set_up) {
		struct tdx_host_iommu *unit = &iommus->units[iommus->nr_set_up - 1];
		u64 status;

		status = tdh_iommu_clear(unit->iommu_id, unit->mt);
		tdx_iommu_mt_release(unit->mt, "TDH.IOMMU.CLEAR", status);
		/* A unit the module kept may still carry trusted DMA. */
		if (status == TDX_SUCCESS)
			tdx_host_iommu_unreserve_dids(unit->reg_base);
		unit->mt = NULL;
		iommus->nr_set_up--;
	}
	kfree(iommus);
}

/**
 * tdx_host_iommus_setup() - Give VT-d units to the TDX module
 * @reg_bases: register base addresses of the units
 * @nr: number of entries in @reg_bases, 0 or more
 * @iq_order: allocation order of the queue blocks of each IOMMU_MT
 * @nr_mt_pages: 4 KiB pages of each IOMMU_MT, the iommu_mt_page_count
 *		 global metadata field
 *
 * Runs TDH.IOMMU.SETUP on each unit in the order of @reg_bases, each with
 * an IOMMU_MT of its own, after the host VT-d driver has left the upper
 * half of the unit's domain IDs to the module.  Units the module reports
 * as not TDX capable (TDX_OPERAND_INVALID on RCX) are skipped with one
 * message each.  If a unit fails otherwise, the units set up before it
 * are cleared again, in reverse, as tdx_host_iommus_clear() does.  A unit
 * whose upper domain IDs the host already uses fails too: TDX Connect
 * would be offered for devices behind it that it cannot connect.
 *
 * Context: Process context, may sleep.
 * Return: the units set up, to be given to tdx_host_iommus_clear();
 * ERR_PTR(-EIO) if the TDX module failed a unit, ERR_PTR(-EBUSY) if the
 * host uses upper-half domain IDs of a unit, ERR_PTR(-ENOMEM) or another
 * error of tdx_iommu_mt_alloc() or of the VT-d driver otherwise.
 */
VISIBLE_IF_KUNIT struct tdx_host_iommus *
tdx_host_iommus_setup(const u64 *reg_bases, unsigned int nr,
		      unsigned int iq_order, unsigned int nr_mt_pages)
{
	struct tdx_host_iommus *iommus;
	unsigned int i;
	int ret;

	iommus = kzalloc_flex(*iommus, units, nr);
	if (!iommus)
		return ERR_PTR(-ENOMEM);

	for (i = 0; i < nr; i++) {
		ret = tdx_host_iommu_setup_one(iommus, reg_bases[i], iq_order,
					       nr_mt_pages);
		if (ret)
			goto err_clear;
	}
	return iommus;

err_clear:
	tdx_host_iommus_clear(iommus);
	return ERR_PTR(ret);
}

/**
 * tdx_host_iommu_reg_bases() - Register bases of the VT-d units to set up
 * @reg_bases: set to an array to be freed with kfree(), or to NULL
 *
 * The active DRHD units of the DMAR table; tests supply their own.
 *
 * Context: Process context, may sleep.
 * Return: the number of entries in @reg_bases, or a negative errno.
 */
VISIBLE_IF_KUNIT int tdx_host_iommu_reg_bases(u64 **reg_bases)
{
	KUNIT_STATIC_STUB_REDIRECT(tdx_host_iommu_reg_bases, reg_bases);

	return dmar_get_drhd_reg_bases(reg_bases);
}

/**
 * tdx_host_iommu_reg_base() - Register base of the VT-d unit of a device
 * @pdev: the PCI device
 * @reg_base: set to the register base address of its VT-d unit
 *
 * The DRHD unit of the DMAR table that covers @pdev; tests supply their
 * own.
 *
 * Context: Process context, may sleep.
 * Return: 0, or -ENODEV if no VT-d unit covers @pdev.
 */
VISIBLE_IF_KUNIT int tdx_host_iommu_reg_base(struct pci_dev *pdev, u64 *reg_base)
{
	KUNIT_STATIC_STUB_REDIRECT(tdx_host_iommu_reg_base, pdev, reg_base);

	return dmar_get_drhd_reg_base(pdev, reg_base);
}

/**
 * tdx_host_iommu_id() - The TDX module's ID of the VT-d unit of a device
 * @iommus: the units tdx-host set up
 * @pdev: the PCI device
 * @iommu_id: set to the ID TDH.IOMMU.SETUP gave its unit
 *
 * Context: Process context, may sleep.
 * Return: 0, or -ENODEV if @pdev is not behind a unit that was set up.
 */
int tdx_host_iommu_id(const struct tdx_host_iommus *iommus, struct pci_dev *pdev,
		      u64 *iommu_id)
{
	unsigned int i;
	u64 reg_base;

	if (!iommus || tdx_host_iommu_reg_base(pdev, &reg_base))
		return -ENODEV;

	for (i = 0; i < iommus->nr_set_up; i++) {
		if (iommus->units[i].reg_base == reg_base) {
			*iommu_id = iommus->units[i].iommu_id;
			return 0;
		}
	}
	return -ENODEV;
}

static void tdx_host_iommus_clear_action(void *iommus)
{
	tdx_host_iommus_clear(iommus);
}

/**
 * tdx_host_iommus_init() - Set up the trusted IOMMU on every VT-d unit
 * @dev: the tdx-host device
 * @sysinfo: global metadata of the TDX module, with TDX Connect
 * @units: set to the units set up, which live until the devm action
 *	   clears them
 *
 * Precondition of everything else TDX Connect does, so called first from
 * probe.  The units are cleared by a devm action, so anything registered
 * with devm after this call is unregistered before the units are cleared.
 *
 * Context: Process context, may sleep.
 * Return: the number of units set up, or a negative errno; nothing is
 * left set up on failure.
 */
int tdx_host_iommus_init(struct device *dev, const struct tdx_sys_info *sysinfo,
			 const struct tdx_host_iommus **units)
{
	struct tdx_host_iommus *iommus;
	u64 *reg_bases;
	int nr, ret;

	nr = tdx_host_iommu_reg_bases(&reg_bases);
	if (nr < 0)
		return nr;

	iommus = tdx_host_iommus_setup(reg_bases, nr, TDX_HOST_IOMMU_IQ_ORDER,
				       sysinfo->connect.iommu_mt_page_count);
	kfree(reg_bases);
	if (IS_ERR(iommus)) {
		dev_err(dev, "cannot set up the VT-d units for TDX Connect: %ld\n",
			PTR_ERR(iommus));
		return PTR_ERR(iommus);
	}

	dev_info(dev, "TDX Connect: %u of %d VT-d units set up\n",
		 iommus->nr_set_up, nr);
	nr = iommus->nr_set_up;

	ret = devm_add_action_or_reset(dev, tdx_host_iommus_clear_action, iommus);
	if (ret)
		return ret;
	*units = iommus;
	return nr;
}
