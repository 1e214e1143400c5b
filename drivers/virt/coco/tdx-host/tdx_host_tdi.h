/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Binding and unbinding TDIs with the TDX module: the engine behind the
 * bind, unbind and guest_req link operations of tdx-host.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */
#ifndef _TDX_HOST_TDI_H
#define _TDX_HOST_TDI_H

#include <linux/pci-tsm.h>
#include <linux/sockptr.h>
#include <linux/types.h>

struct kvm;
struct pci_dev;

/**
 * struct tdx_host_link - What connect established for a device's DSM
 * @iommu_id: the TDX module's ID of the VT-d unit the device is behind
 * @spdm_id: the SPDM session with the DSM
 * @stream_id: the selective IDE stream to the device
 * @dsm: the device whose DOE mailbox carries the SPDM session
 * @rid_base: first Requester ID the IDE stream carries
 * @rid_limit: last Requester ID the IDE stream carries
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
};

struct pci_tdi *tdx_host_tdi_bind(const struct tdx_host_link *link,
				  struct pci_dev *pdev, struct kvm *kvm,
				  u32 tdi_id, const struct pci_tdi_host *host);
void tdx_host_tdi_unbind(struct pci_tdi *tdi);
ssize_t tdx_host_tdi_guest_req(struct pci_tdi *tdi, enum pci_tsm_req_scope scope,
			       sockptr_t req_in, size_t in_len,
			       sockptr_t req_out, size_t out_len, u64 *tsm_code);

#if IS_ENABLED(CONFIG_KUNIT)
int tdx_host_tdi_doe(struct pci_dev *dsm, const void *req, size_t req_len,
		     void *rsp, size_t rsp_size);
#endif

#endif /* _TDX_HOST_TDI_H */
