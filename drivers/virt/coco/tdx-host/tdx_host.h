/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The tdx-host device: the services it offers and what TDX Connect holds.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */
#ifndef _TDX_HOST_H
#define _TDX_HOST_H

#include <linux/firmware.h>
#include <linux/types.h>

struct device;
struct tdx_host_iommus;
struct tdx_sys_info;

/**
 * struct tdx_host - the tdx-host device
 * @dev: the device
 * @iommus: the VT-d units TDX Connect holds, NULL while it holds none
 * @fwl: the TDX module runtime update, NULL if it is not offered
 */
struct tdx_host {
	struct device *dev;
	const struct tdx_host_iommus *iommus;
	struct fw_upload *fwl;
};

#if IS_ENABLED(CONFIG_KUNIT)
struct tdx_host *tdx_host_setup(struct device *dev, const struct tdx_sys_info *sysinfo);
enum fw_upload_err tdx_fw_prepare(struct fw_upload *fwl, const u8 *data, u32 data_len);
#endif

#endif /* _TDX_HOST_H */
