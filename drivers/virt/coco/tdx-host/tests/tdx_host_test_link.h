/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The environment of the tdx-host suites that run tdx-host behind the
 * real PCI/TSM core: the fake TDX module with its SPDM, IDE and TDI
 * leaves, one VT-d unit, tdx-host probed as the link TSM, the fake PCIe
 * device answering as the fake SPDM device end, and its tsm/ files on a
 * kernel mount of sysfs.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

#ifndef _TDX_HOST_TEST_LINK_H
#define _TDX_HOST_TEST_LINK_H

#include <linux/atomic.h>
#include <linux/types.h>

#include <asm/tdx.h>

#include "tdx_host_fake_pcie.h"
#include "tdx_host_test_bind.h"
#include "tdx_host_test_tsm.h"

struct device;
struct kunit;
struct pci_dev;
struct tdx_fake_module;
struct tdx_fake_spdm;
struct tdx_fake_tdi;
struct vfsmount;

#define TDX_HOST_TEST_LINK_VTBAR	0xfed90000ULL
#define TDX_HOST_TEST_LINK_VM		0x23456000ULL
#define TDX_HOST_TEST_LINK_TDI_ID	0x20
/* Room for the events of one connect or disconnect, see ..._connect_log() */
#define TDX_HOST_TEST_LINK_MAX_LOG	64

/**
 * struct tdx_host_test_link - The environment of one test, test->priv
 * @test: the test
 * @fake: the fake TDX module
 * @ft: its fake TDI leaves
 * @fs: its fake SPDM and IDE leaves, and the device end of SPDM
 * @sysinfo: the module's metadata that tdx-host is probed with
 * @dev: the tdx-host device
 * @dev_removed: @dev is unregistered, tdx-host removed
 * @tsm: the registration of the link TSM
 * @sysfs: the kernel mount of sysfs the tsm/ files are opened on
 * @fp: the fake PCIe device, once started
 * @host: the host participants of a bind; the device has no memory BAR,
 *	  so nothing is mapped or shared
 * @removing: the removal of tdx-host or of the device has started
 * @owned_idle: pages the module owns with no device connected (IOMMU_MT)
 * @restarts: sysfs calls restarted, see tdx_host_test_link_write()
 * @warned_before: the kernel was tainted by a WARN before the test
 */
struct tdx_host_test_link {
	struct kunit *test;
	struct tdx_fake_module *fake;
	struct tdx_fake_tdi *ft;
	struct tdx_fake_spdm *fs;
	struct tdx_sys_info sysinfo;
	struct device *dev;
	bool dev_removed;
	struct tdx_host_test_tsm *tsm;
	struct vfsmount *sysfs;
	struct fake_pcie *fp;
	struct tdx_host_test_host host;
	bool removing;

	unsigned long owned_idle;
	atomic_t restarts;
	bool warned_before;
};

/* The calls of participant @op, from any thread */
static inline int tdx_host_test_link_calls(struct tdx_host_test_link *e,
					   enum tdx_host_test_op op)
{
	return atomic_read(&e->host.calls[op]);
}

/* The name of the link TSM, for the tsm/connect and tsm/disconnect files */
static inline const char *tdx_host_test_link_tsm(struct tdx_host_test_link *e)
{
	return e->tsm->tsm_name;
}

int tdx_host_test_link_write(struct tdx_host_test_link *e, struct pci_dev *pdev,
			     const char *attr, const char *buf);

/* Connect function 0 to the link TSM through its tsm/connect file */
static inline int tdx_host_test_link_connect(struct tdx_host_test_link *e)
{
	return tdx_host_test_link_write(e, e->fp->pdev, "connect", tdx_host_test_link_tsm(e));
}

/* ... and disconnect it through tsm/disconnect */
static inline int tdx_host_test_link_disconnect(struct tdx_host_test_link *e)
{
	return tdx_host_test_link_write(e, e->fp->pdev, "disconnect",
					tdx_host_test_link_tsm(e));
}

int tdx_host_test_link_init(struct kunit *test);
void tdx_host_test_link_start_with(struct kunit *test, struct fake_pcie_params p);
void tdx_host_test_link_start(struct kunit *test, unsigned int nr_fns);
void tdx_host_test_link_remove_host(struct kunit *test);
void tdx_host_test_link_set_reg_base(u64 reg_base);
ssize_t tdx_host_test_link_read(struct tdx_host_test_link *e, struct pci_dev *pdev,
				const char *attr, char *buf, size_t size);
ssize_t tdx_host_test_link_tsm_read(struct tdx_host_test_link *e, struct pci_dev *pdev,
				    const char *attr, char *buf, size_t size);
unsigned int tdx_host_test_link_streams_enabled(struct pci_dev *pdev, u8 *stream_id);
void tdx_host_test_link_expect_disconnected(struct kunit *test,
					    struct tdx_host_test_link *e);
void tdx_host_test_link_expect_released(struct kunit *test, struct tdx_host_test_link *e);
unsigned int tdx_host_test_link_connect_log(u32 *log, bool key_refresh);
unsigned int tdx_host_test_link_disconnect_log(u32 *log);
void tdx_host_test_link_expect_log(struct kunit *test, struct tdx_host_test_link *e,
				   unsigned int from, const u32 *want, unsigned int nr);
unsigned int tdx_host_test_link_nr_doe(const u32 *log, unsigned int nr);

#endif /* _TDX_HOST_TEST_LINK_H */
