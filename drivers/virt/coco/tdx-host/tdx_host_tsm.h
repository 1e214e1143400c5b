/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tdx-host as the PCI link TSM of TDX Connect.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */
#ifndef _TDX_HOST_TSM_H
#define _TDX_HOST_TSM_H

struct device;
struct pci_dev;
struct pci_tsm_ops;
struct tdx_host_iommus;
struct tdx_sys_info;
struct tsm_dev;

#if IS_ENABLED(CONFIG_INTEL_TDX_CONNECT)
int tdx_host_tsm_init(struct device *dev, const struct tdx_sys_info *sysinfo,
		      const struct tdx_host_iommus *iommus);
#else
static inline int tdx_host_tsm_init(struct device *dev,
				    const struct tdx_sys_info *sysinfo,
				    const struct tdx_host_iommus *iommus)
{
	return 0;
}
#endif

#if IS_ENABLED(CONFIG_KUNIT)
/* In tdx-host.c: TDX Connect part of the tdx-host probe. */
int tdx_host_connect_probe(struct device *dev, const struct tdx_sys_info *sysinfo);
struct tsm_dev *tdx_host_tsm_register(struct device *dev, struct pci_tsm_ops *ops);
void tdx_host_tsm_unregister(struct tsm_dev *tsm_dev);
#endif

#endif /* _TDX_HOST_TSM_H */
