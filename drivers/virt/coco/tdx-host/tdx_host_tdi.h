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
struct tdx_host_link;

struct pci_tdi *tdx_host_tdi_bind(struct tdx_host_link *link,
				  struct pci_dev *pdev, struct kvm *kvm,
				  u32 tdi_id, const struct pci_tdi_host *host);
void tdx_host_tdi_unbind(struct pci_tdi *tdi);
ssize_t tdx_host_tdi_guest_req(struct pci_tdi *tdi, enum pci_tsm_req_scope scope,
			       sockptr_t req_in, size_t in_len,
			       sockptr_t req_out, size_t out_len, u64 *tsm_code);

#endif /* _TDX_HOST_TDI_H */
