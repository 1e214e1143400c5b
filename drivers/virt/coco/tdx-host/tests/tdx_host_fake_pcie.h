/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A fake PCIe topology for the tdx-host KUnit suites: a Root Port with
 * IDE on a root bus of its own, and below it a TDISP capable endpoint
 * with a DOE mailbox that carries CMA/SPDM and secured SPDM, and IDE.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */
#ifndef _TDX_HOST_FAKE_PCIE_H
#define _TDX_HOST_FAKE_PCIE_H

#include <linux/pci.h>
#include <linux/types.h>

#include "tdx_host_fake_doe.h"

struct kunit;
struct fake_pcie_state;

/* Selective IDE streams of a port unless the test asks for another number */
#define FAKE_PCIE_IDE_STREAMS		4
#define FAKE_PCIE_IDE_MAX_STREAMS	8

/**
 * struct fake_pcie_params - What the fake topology has
 * @nr_fns: functions of the endpoint: 1, or 2 with function 0 a
 *	    multi-function device and function 1 a plain endpoint
 * @no_doe: function 0 has no DOE mailbox
 * @no_ssession: the mailbox does not list secured SPDM
 *		 (PCI_DOE_FEATURE_SSESSION)
 * @no_ep_ide: function 0 has no IDE capability
 * @no_rp_ide: the Root Port has no IDE capability; drivers/pci/ide.c then
 *	       ignores that of the endpoint too
 * @ep_streams: selective IDE streams of function 0, 0 for
 *		FAKE_PCIE_IDE_STREAMS; at most FAKE_PCIE_IDE_MAX_STREAMS
 * @rp_streams: the same for the Root Port
 * @domain: PCI domain (segment) of the root bus, 0 unless a test needs
 *	    one that tdx-host cannot address
 * @doe_respond: answers a CMA or secured SPDM request of @req_len bytes
 *		 to function 0 @pdev with up to @rsp_size bytes in @rsp:
 *		 payloads without the DOE header.  Returns the length of
 *		 the response, or a negative value for a device that
 *		 answers with DOE Status Error.  Called in process context
 *		 with no lock held, so it may sleep.  NULL: every request
 *		 is answered with DOE Status Error.
 * @ide_keyed: whether the keys of stream @stream_id are programmed in
 *	       @pdev, the Root Port or function 0: only then does an
 *	       enabled selective stream of @pdev read as SECURE.  Called
 *	       with the PCI core's pci_lock held, so it must not sleep.
 *	       NULL: never.
 * @priv: passed to @doe_respond and @ide_keyed
 */
struct fake_pcie_params {
	unsigned int nr_fns;
	bool no_doe;
	bool no_ssession;
	bool no_ep_ide;
	bool no_rp_ide;
	u8 ep_streams;
	u8 rp_streams;
	u16 domain;
	int (*doe_respond)(void *priv, struct pci_dev *pdev, u8 type,
			   const void *req, size_t req_len, void *rsp,
			   size_t rsp_size);
	bool (*ide_keyed)(void *priv, struct pci_dev *pdev, u8 stream_id);
	void *priv;
};

/**
 * struct fake_pcie - The fake topology, as a test sees it
 * @bus: the root bus, until fake_pcie_remove()
 * @rp: the Root Port on @bus
 * @pdev: function 0 of the endpoint below @rp, the DSM
 * @fn1: function 1 if there is one, else NULL
 * @state: the fake's registers and mailbox, private to the fake
 *
 * Each pci_dev is referenced until the test ends, also after removal.
 */
struct fake_pcie {
	struct pci_bus *bus;
	struct pci_dev *rp;
	struct pci_dev *pdev;
	struct pci_dev *fn1;
	struct fake_pcie_state *state;
};

struct fake_pcie *fake_pcie_add(struct kunit *test,
				const struct fake_pcie_params *params);
void fake_pcie_remove(struct fake_pcie *fp);
void fake_pcie_doe_fault(struct fake_pcie *fp, enum fake_pcie_doe_fault fault,
			 unsigned int nth, unsigned int count);
unsigned int fake_pcie_doe_count(struct fake_pcie *fp, u8 type);
unsigned int fake_pcie_doe_log(struct fake_pcie *fp,
			       struct fake_pcie_doe_entry *log,
			       unsigned int size);

#endif /* _TDX_HOST_FAKE_PCIE_H */
