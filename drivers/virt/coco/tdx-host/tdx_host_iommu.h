/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VT-d units that tdx-host hands to the TDX module for TDX Connect.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */
#ifndef _TDX_HOST_IOMMU_H
#define _TDX_HOST_IOMMU_H

#include <linux/types.h>

struct device;
struct pci_dev;
struct tdx_iommu_mt;
struct tdx_sys_info;

/*
 * Allocation order of each of the two invalidation queue blocks (T_IQ and
 * T_CTXIQ) of an IOMMU_MT.  Unconfirmed: no global metadata field is known
 * to report it; the value is the one of the earlier TDX Connect posting.
 */
#define TDX_HOST_IOMMU_IQ_ORDER		1

/**
 * struct tdx_host_iommu - a VT-d unit set up by TDH.IOMMU.SETUP
 * @reg_base: register base address of the unit (VTBAR)
 * @iommu_id: the TDX module's ID of the unit
 * @mt: the IOMMU_MT the module owns while the unit is set up
 */
struct tdx_host_iommu {
	u64 reg_base;
	u64 iommu_id;
	struct tdx_iommu_mt *mt;
};

/**
 * struct tdx_host_iommus - the VT-d units given to the TDX module
 * @nr_units: VT-d units tried, the size of @units
 * @nr_set_up: units set up, @units[0] to @units[@nr_set_up - 1], in the
 *	order they were set up
 * @nr_not_capable: units the module reported as not TDX capable
 * @units: the units set up
 */
struct tdx_host_iommus {
	unsigned int nr_units;
	unsigned int nr_set_up;
	unsigned int nr_not_capable;
	struct tdx_host_iommu units[] __counted_by(nr_units);
};

#if IS_ENABLED(CONFIG_INTEL_TDX_CONNECT)
int tdx_host_iommus_init(struct device *dev, const struct tdx_sys_info *sysinfo,
			 const struct tdx_host_iommus **units);
int tdx_host_iommu_id(const struct tdx_host_iommus *iommus, struct pci_dev *pdev,
		      u64 *iommu_id);
#else
static inline int tdx_host_iommus_init(struct device *dev,
				       const struct tdx_sys_info *sysinfo,
				       const struct tdx_host_iommus **units)
{
	return 0;
}
#endif

#if IS_ENABLED(CONFIG_KUNIT)
int tdx_host_iommu_reg_bases(u64 **reg_bases);
int tdx_host_iommu_reg_base(struct pci_dev *pdev, u64 *reg_base);
struct tdx_host_iommus *tdx_host_iommus_setup(const u64 *reg_bases, unsigned int nr,
					      unsigned int iq_order,
					      unsigned int nr_mt_pages);
void tdx_host_iommus_clear(struct tdx_host_iommus *iommus);
int tdx_host_iommu_reserve_dids(u64 reg_base);
void tdx_host_iommu_unreserve_dids(u64 reg_base);
#endif

#endif /* _TDX_HOST_IOMMU_H */
