// SPDX-License-Identifier: GPL-2.0-only
/*
 * Helpers shared by the tdx-host KUnit suites: host participants of a
 * bind that count and log their calls, and stand-in TDs whose TDR pages
 * KVM's lookup gives.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

#include <linux/atomic.h>
#include <linux/container_of.h>
#include <linux/err.h>
#include <linux/mm.h>
#include <linux/pci-tsm.h>

#include <kunit/static_stub.h>
#include <kunit/test.h>

#include <asm/tdx_tdi.h>

#include "tdx_host_test_bind.h"
#include "tdx_host_test_units.h"

#define TD_RESOURCE	"tdx_host_test_td"

static struct tdx_host_test_host *to_test_host(const struct pci_tdi_host *host)
{
	return container_of(host, struct tdx_host_test_host, host);
}

static void participant(const struct pci_tdi_host *host, enum tdx_host_test_op op,
			struct pci_tdi *tdi)
{
	struct tdx_host_test_host *th = to_test_host(host);

	atomic_inc(&th->calls[op]);
	if (th->log)
		tdx_fake_tdi_log(th->log, TDX_HOST_TEST_EVENT(op));
	if (th->then)
		th->then(th, op, tdi);
}

/**
 * tdx_host_test_dma_setup() - The host side of a TDI's DMA, counted
 * @host: the &tdx_host_test_host.host of the participants
 * @tdi: the TDI being bound
 *
 * Counts and logs the call, runs &tdx_host_test_host.then.  Nothing the
 * TDX module sees: tdx-host adds the trusted DMA entries itself.
 *
 * Context: As &pci_tdi_host_ops.dma_setup.
 * Return: &tdx_host_test_host.dma_setup_ret.
 */
int tdx_host_test_dma_setup(const struct pci_tdi_host *host, struct pci_tdi *tdi)
{
	participant(host, TDX_HOST_TEST_DMA_SETUP, tdi);
	return to_test_host(host)->dma_setup_ret;
}

/**
 * tdx_host_test_dma_cleanup() - Undo tdx_host_test_dma_setup(), counted
 * @host: the &tdx_host_test_host.host of the participants
 * @tdi: the TDI being unbound
 *
 * Context: As &pci_tdi_host_ops.dma_cleanup.
 */
void tdx_host_test_dma_cleanup(const struct pci_tdi_host *host, struct pci_tdi *tdi)
{
	participant(host, TDX_HOST_TEST_DMA_CLEANUP, tdi);
}

/**
 * tdx_host_test_mmio_unmap() - Unmap the TDI's MMIO from the TD, counted
 * @host: the &tdx_host_test_host.host of the participants
 * @tdi: the TDI being unbound
 *
 * What is unmapped is up to &tdx_host_test_host.then.
 *
 * Context: As &pci_tdi_host_ops.mmio_unmap.
 */
void tdx_host_test_mmio_unmap(const struct pci_tdi_host *host, struct pci_tdi *tdi)
{
	participant(host, TDX_HOST_TEST_MMIO_UNMAP, tdi);
}

/**
 * tdx_host_test_mmio_share() - Give the TDI's MMIO back to the host, counted
 * @host: the &tdx_host_test_host.host of the participants
 * @tdi: the TDI being unbound
 *
 * Context: As &pci_tdi_host_ops.mmio_share.
 */
void tdx_host_test_mmio_share(const struct pci_tdi_host *host, struct pci_tdi *tdi)
{
	participant(host, TDX_HOST_TEST_MMIO_SHARE, tdi);
}

/* All four participants, as TDX Connect needs them */
const struct pci_tdi_host_ops tdx_host_test_host_ops = {
	.dma_setup = tdx_host_test_dma_setup,
	.dma_cleanup = tdx_host_test_dma_cleanup,
	.mmio_unmap = tdx_host_test_mmio_unmap,
	.mmio_share = tdx_host_test_mmio_share,
};

/**
 * tdx_host_test_kvm() - The TD of the tests
 *
 * Neither the PCI/TSM core nor tdx-host looks into the VM: a non-NULL
 * pointer that tdx_td_tdr_pa() knows after tdx_host_test_td_install().
 *
 * Context: Any context.
 * Return: the same pointer at every call.
 */
struct kvm *tdx_host_test_kvm(void)
{
	static int kvm;

	return (struct kvm *)&kvm;
}

/**
 * tdx_host_test_second_td() - Another TD, with the next TDR page
 *
 * Context: Any context.
 * Return: the same pointer at every call, not tdx_host_test_kvm().
 */
struct kvm *tdx_host_test_second_td(void)
{
	static int kvm;

	return (struct kvm *)&kvm;
}

/* KVM's lookup of the TDR page: the two TDs, and no other VM */
static int fake_td_tdr_pa(struct kvm *kvm, u64 *tdr_pa)
{
	u64 *td = tdx_host_test_find(TD_RESOURCE);

	if (kvm == tdx_host_test_second_td()) {
		*tdr_pa = *td + PAGE_SIZE;
		return 0;
	}
	if (kvm != tdx_host_test_kvm())
		return -EINVAL;
	*tdr_pa = *td;
	return 0;
}

/**
 * tdx_host_test_td_install() - Have KVM's lookup know the TDs of the tests
 * @test: the test
 * @tdr_pa: the TDR page of tdx_host_test_kvm()
 *
 * For the rest of @test, tdx_td_tdr_pa() gives @tdr_pa for
 * tdx_host_test_kvm(), the page after it for tdx_host_test_second_td(),
 * and -EINVAL for any other VM.
 *
 * Context: Process context, in @test.
 * Return: 0, or -ENOMEM.
 */
int tdx_host_test_td_install(struct kunit *test, u64 tdr_pa)
{
	u64 *td = kunit_kzalloc(test, sizeof(*td), GFP_KERNEL);
	int ret;

	if (!td)
		return -ENOMEM;
	*td = tdr_pa;
	ret = tdx_host_test_add(test, TD_RESOURCE, td);
	if (ret)
		return ret;
	kunit_activate_static_stub(test, tdx_td_tdr_pa, fake_td_tdr_pa);
	return 0;
}
