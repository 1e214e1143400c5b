/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The fixture of the tdx-host TDI suites: the fake TDX module with its
 * fake SPDM, IDE and TDI leaves, a connected fake PCI function with its
 * host participants, a fake device behind DOE, and the expected order of
 * the SEAMCALLs and participant calls in the fake's log.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

#ifndef _TDX_HOST_TEST_TDI_H
#define _TDX_HOST_TEST_TDI_H

#include <linux/pci.h>
#include <linux/types.h>

#include "tests/tdx_fake_module.h"
#include "tests/tdx_fake_spdm.h"
#include "tests/tdx_fake_tdi.h"
#include "tests/tdx_host_test_bind.h"
#include "tdx_host_link.h"
#include "tdx_host_tables.h"

struct kunit;
struct kvm;

/* Participant and DOE events in the fake's log */
enum {
	EVT_DMA_SETUP = TDX_HOST_TEST_EVENT(TDX_HOST_TEST_DMA_SETUP),
	EVT_DMA_CLEANUP = TDX_HOST_TEST_EVENT(TDX_HOST_TEST_DMA_CLEANUP),
	EVT_MMIO_UNMAP = TDX_HOST_TEST_EVENT(TDX_HOST_TEST_MMIO_UNMAP),
	EVT_MMIO_SHARE = TDX_HOST_TEST_EVENT(TDX_HOST_TEST_MMIO_SHARE),
	EVT_DOE = TDX_HOST_TEST_EVENT(TDX_HOST_TEST_NR_OPS),
};

/* The second VT-d unit of the fake, which TDH.IOMMU.SETUP named 0x101 */
#define TEST_IOMMU	0x101
#define TEST_STREAM	3
#define TEST_VM		0x12345000ULL
#define TEST_TDI_ID	0x10
#define TEST_BUS	3
#define TEST_DEVFN	PCI_DEVFN(2, 1)
#define TEST_GPA	0x80000000ULL
/* TDH.PHYMEM.PAGE.WBINVD, as in 7.3 */
#define TEST_TDH_PHYMEM_PAGE_WBINVD	41
/* BAR 0: 4 pages, BAR 2: 2 pages, one 512 KiB region; BAR 1 is I/O */
#define BAR0_SIZE	(4 * PAGE_SIZE)
#define BAR2_OFFSET	0x10000
#define BAR2_SIZE	(2 * PAGE_SIZE)
#define NR_MMIO		6
/* Levels of each tree a first TDI adds, and the pages they take */
#define NR_DEVIFMT	4
#define NR_MMIOMT	5
#define NR_DMAR		4
#define NR_DMAR_PAGES	3
#define NR_DEVIF_PAGES	3
#define NR_BIND_PAGES	(NR_DEVIFMT + NR_DEVIF_PAGES + NR_DMAR_PAGES + NR_MMIOMT)
/* Removing one DMAR entry: BLOCK, IQ.INV.REQUEST, IQ.INV.PROCESS, REMOVE */
#define DMAR_UNMAP_CALLS	4

/* A fake PCI function with its link and its host participants */
struct fake_dev {
	struct pci_dev *pdev;
	struct pci_bus *bus;
	struct pci_sysdata sysdata;
	struct tdx_host_link link;
	/* The participants, logged in ft's log */
	struct tdx_host_test_host host;
	struct tdx_fake_tdi *ft;
	struct tdx_fake_spdm_stream *stream;
	bool guest_dma;
	unsigned int nr_mapped;
};

/* What tdi_test_env() set up for a test, its ->priv */
struct tdi_env {
	struct tdx_fake_module *fake;
	struct tdx_fake_spdm *fs;
	struct tdx_fake_tdi *ft;
	struct tdx_host_tables tables;
	unsigned int nr_devs;
	int doe_ret;
	u32 tdisp_error;
	u8 tdisp_code;
};

/* An expected log */
struct seq {
	u16 e[TDX_FAKE_TDI_LOG_MAX];
	unsigned int n;
};

struct tdi_env *tdi_test_env(struct kunit *test);
struct fake_dev *tdi_test_fake_dev(struct kunit *test, struct tdi_env *env, u8 bus,
				   u64 mmio);
u64 tdi_test_func_id(const struct fake_dev *fd);
struct kvm *tdi_test_not_a_td(void);
struct pci_tdi *tdi_test_bind(struct fake_dev *fd, u32 tdi_id);
void tdi_test_guest_runs(struct kunit *test, struct fake_dev *fd);

void tdi_test_push(struct seq *s, u16 e, unsigned int times);
void tdi_test_push_tdisp(struct seq *s);
void tdi_test_push_dmar_unmap(struct seq *s, unsigned int nr);
void tdi_test_push_bind(struct seq *s);
void tdi_test_push_unbind(struct seq *s);
void tdi_test_expect_log(struct kunit *test, struct tdx_fake_tdi *ft, unsigned int from,
			 const struct seq *s);
void tdi_test_expect_tables_empty(struct kunit *test, struct tdi_env *env);
void tdi_test_expect_nothing_owned(struct kunit *test, struct tdi_env *env,
				   struct fake_dev *fd);

#endif /* _TDX_HOST_TEST_TDI_H */
