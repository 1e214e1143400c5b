/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers shared by the tdx-host KUnit suites: the host participants of
 * a bind and the TDs that tdx-host binds TDIs to.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

#ifndef _TDX_HOST_TEST_BIND_H
#define _TDX_HOST_TEST_BIND_H

#include <linux/atomic.h>
#include <linux/pci-tsm.h>
#include <linux/types.h>

#include "tests/tdx_fake_tdi.h"

struct kunit;
struct kvm;

/* The participant operations of struct pci_tdi_host_ops */
enum tdx_host_test_op {
	TDX_HOST_TEST_DMA_SETUP,
	TDX_HOST_TEST_DMA_CLEANUP,
	TDX_HOST_TEST_MMIO_UNMAP,
	TDX_HOST_TEST_MMIO_SHARE,
	TDX_HOST_TEST_NR_OPS,
};

/* The event of @op in the log of the fake TDI leaves */
#define TDX_HOST_TEST_EVENT(op)	(TDX_FAKE_TDI_EVENT_BASE + (op))

/**
 * struct tdx_host_test_host - Host participants that count their calls
 * @host: what the bind caller passes, with &tdx_host_test_host_ops or a
 *	table of some of tdx_host_test_dma_setup() and the other operations
 * @calls: the calls of each &enum tdx_host_test_op, from any thread
 * @dma_setup_ret: what each ->dma_setup() returns
 * @log: if set, the fake TDI leaves whose log gets TDX_HOST_TEST_EVENT()
 *	of each call, in order with the SEAMCALLs
 * @then: if set, run by each call after it is counted and logged
 */
struct tdx_host_test_host {
	struct pci_tdi_host host;
	atomic_t calls[TDX_HOST_TEST_NR_OPS];
	int dma_setup_ret;
	struct tdx_fake_tdi *log;
	void (*then)(struct tdx_host_test_host *th, enum tdx_host_test_op op,
		     struct pci_tdi *tdi);
};

extern const struct pci_tdi_host_ops tdx_host_test_host_ops;

int tdx_host_test_dma_setup(const struct pci_tdi_host *host, struct pci_tdi *tdi);
void tdx_host_test_dma_cleanup(const struct pci_tdi_host *host, struct pci_tdi *tdi);
void tdx_host_test_mmio_unmap(const struct pci_tdi_host *host, struct pci_tdi *tdi);
void tdx_host_test_mmio_share(const struct pci_tdi_host *host, struct pci_tdi *tdi);

struct kvm *tdx_host_test_kvm(void);
struct kvm *tdx_host_test_second_td(void);
int tdx_host_test_td_install(struct kunit *test, u64 tdr_pa);

#endif /* _TDX_HOST_TEST_BIND_H */
