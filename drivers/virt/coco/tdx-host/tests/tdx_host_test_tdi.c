// SPDX-License-Identifier: GPL-2.0-only
/*
 * The fixture of the tdx-host TDI suites, against the fake TDX module with
 * its fake TDI leaves, fake host participants that really map and unmap
 * DMA and MMIO in the fake, a fake PCI function and a fake device behind
 * DOE.  Every SEAMCALL and every participant call goes into one ordered
 * log, so tests assert exact sequences.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

#include <linux/bitfield.h>
#include <linux/err.h>
#include <linux/mm.h>
#include <linux/pci.h>
#include <linux/pci-doe.h>
#include <linux/pci-tsm.h>

#include <kunit/static_stub.h>
#include <kunit/test.h>

#include <asm/shared/tdx_errno.h>
#include <asm/tdx.h>
#include <asm/tdx_tdi.h>

#include "../../../../arch/x86/virt/vmx/tdx/tdx.h"
#include "tests/tdx_host_test_tdi.h"
#include "tdx_host_relay.h"
#include "tdx_host_tdi.h"

/**
 * tdi_test_func_id() - The FUNCTION_ID of a fake function
 * @fd: the function
 *
 * Context: Any context.
 * Return: its Requester ID.
 */
u64 tdi_test_func_id(const struct fake_dev *fd)
{
	return pci_dev_id(fd->pdev);
}

static u64 dmar_idx(const struct fake_dev *fd, unsigned int level)
{
	return FIELD_PREP(TDX_DMAR_IDX_IOMMU_ID, TEST_IOMMU) |
	       FIELD_PREP(TDX_DMAR_IDX_RID, tdi_test_func_id(fd)) |
	       FIELD_PREP(TDX_DMAR_IDX_LEVEL, level);
}

static u64 mmio_pa(const struct fake_dev *fd, unsigned int i)
{
	if (i < BAR0_SIZE / PAGE_SIZE)
		return fd->pdev->resource[0].start + i * PAGE_SIZE;
	return fd->pdev->resource[2].start + (i - BAR0_SIZE / PAGE_SIZE) * PAGE_SIZE;
}

static u64 gpa_info(unsigned int i)
{
	return FIELD_PREP(TDX_GPA_INFO_GPA, PHYS_PFN(TEST_GPA) + i) |
	       FIELD_PREP(TDX_GPA_INFO_LEVEL, TDX_MMIOMT_LEVEL_4K);
}

/* ->mmio_unmap(), once logged, unmaps what the TD mapped */
static void fake_mmio_unmap(struct tdx_host_test_host *th, enum tdx_host_test_op op,
			    struct pci_tdi *tdi)
{
	struct fake_dev *fd = container_of(th, struct fake_dev, host);

	if (op != TDX_HOST_TEST_MMIO_UNMAP)
		return;
	for (; fd->nr_mapped; fd->nr_mapped--) {
		tdh_mmio_block(gpa_info(fd->nr_mapped - 1), TEST_VM);
		tdh_mmio_unmap(gpa_info(fd->nr_mapped - 1), TEST_VM);
	}
}

/**
 * tdi_test_guest_runs() - What KVM and the TD do once the TDI is bound
 * @test: the test
 * @fd: the bound function
 *
 * The TD maps every MMIO page of @fd and accepts its DMA.
 *
 * Context: Process context, in the test.
 */
void tdi_test_guest_runs(struct kunit *test, struct fake_dev *fd)
{
	unsigned int i;

	for (i = 0; i < NR_MMIO; i++, fd->nr_mapped++)
		KUNIT_ASSERT_EQ(test, tdh_mmio_map(gpa_info(i), TEST_VM, mmio_pa(fd, i)),
				TDX_SUCCESS);
	KUNIT_ASSERT_EQ(test, tdx_fake_tdi_accept_dma(fd->ft, dmar_idx(fd, TDX_DMAR_LEVEL_PASIDTE)),
			TDX_SUCCESS);
	fd->guest_dma = true;
}

static int fake_doe(struct pci_dev *dsm, u8 type, const void *req, size_t req_len,
		    void *rsp, size_t rsp_size)
{
	struct tdi_env *env = kunit_get_current_test()->priv;
	size_t len;

	tdx_fake_tdi_log(env->ft, EVT_DOE);
	if (env->doe_ret)
		return env->doe_ret;
	if (type != PCI_DOE_FEATURE_SSESSION)
		return -EIO;
	len = tdx_fake_tdisp_device(req, req_len, rsp, rsp_size, env->tdisp_error);
	/* A device that answers with a code TDISP does not have */
	if (len && env->tdisp_code)
		*(u8 *)(rsp + TDX_FAKE_TDISP_MSG_CODE) = env->tdisp_code;
	return len;
}

/* Refusals are expected here; the fake makes them, the test checks them. */
static void quiet_report(u64 fn, u64 status, const struct tdx_module_args *in,
			 const struct tdx_module_args *out)
{
}

static void tables_fini(void *tables)
{
	tdx_host_tables_fini(tables);
}

/**
 * tdi_test_not_a_td() - A VM that is not a TD, or a TD whose TDR page is not set up
 *
 * Context: Any context.
 * Return: the same pointer at every call.
 */
struct kvm *tdi_test_not_a_td(void)
{
	static int kvm;

	return (struct kvm *)&kvm;
}

/**
 * tdi_test_env() - Set up the fake TDX module and the tables for a test
 * @test: the test
 *
 * Two VT-d units that TDH.IOMMU.SETUP took, IDs 0x100 and 0x101; the
 * fake device behind DOE; the TD of tdx_host_test_kvm().  Sets
 * @test->priv to the environment; a failure aborts @test.
 *
 * Context: Process context, in the test.
 * Return: the environment, freed with @test.
 */
struct tdi_env *tdi_test_env(struct kunit *test)
{
	struct tdi_env *env = kunit_kzalloc(test, sizeof(*env), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, env);
	test->priv = env;
	env->fake = tdx_fake_module_install(test);
	env->fs = tdx_fake_spdm_install(test, env->fake);
	env->ft = tdx_fake_tdi_install(test, env->fake);
	/* Two VT-d units that TDH.IOMMU.SETUP took: IDs 0x100 and 0x101 */
	KUNIT_ASSERT_EQ(test, tdx_fake_add_iommu(env->fake, 0xfed90000, true), 0);
	KUNIT_ASSERT_EQ(test, tdx_fake_add_iommu(env->fake, 0xfed91000, true), 0);
	env->fake->iommus[0].set_up = true;
	env->fake->iommus[1].set_up = true;
	tdx_host_tables_init(&env->tables);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, tables_fini, &env->tables), 0);
	kunit_activate_static_stub(test, tdx_host_relay_doe, fake_doe);
	kunit_activate_static_stub(test, tdx_seamcall_report, quiet_report);
	KUNIT_ASSERT_EQ(test, tdx_host_test_td_install(test, TEST_VM), 0);
	return env;
}

/*
 * What connect leaves in the module for a link: a bound SPDM session and
 * a keyed selective IDE stream carrying @bus.
 */
static struct tdx_fake_spdm_stream *fake_connected(struct kunit *test, struct tdi_env *env,
						   u8 stream_id, u8 bus)
{
	unsigned int i = env->nr_devs++;
	struct tdx_fake_spdm_session *session = &env->fs->sessions[i];
	struct tdx_fake_spdm_stream *stream = &env->fs->streams[i];

	KUNIT_ASSERT_LT(test, i, TDX_FAKE_SPDM_MAX_STREAMS);
	*session = (struct tdx_fake_spdm_session) {
		.used = true,
		.func_id = PCI_DEVID(bus, 0),
		.established = true,
		.connected = true,
		.nr_streams = 1,
	};
	*stream = (struct tdx_fake_spdm_stream) {
		.used = true,
		.session = session,
		.stream_id = stream_id,
		.rid_base = PCI_DEVID(bus, 0),
		.rid_limit = PCI_DEVID(bus, 0xff),
		.keyed = true,
		.rp_enabled = true,
	};
	return stream;
}

/**
 * tdi_test_fake_dev() - A connected fake function
 * @test: the test
 * @env: from tdi_test_env()
 * @bus: its bus number
 * @mmio: where its memory BARs start
 *
 * A function at @bus:02.1 with two memory BARs at @mmio, covered by
 * the IDE stream of its link, and host participants that log in the
 * fake's log.  A failure aborts @test.
 *
 * Context: Process context, in the test.
 * Return: the function, freed with @test.
 */
struct fake_dev *tdi_test_fake_dev(struct kunit *test, struct tdi_env *env, u8 bus,
				   u64 mmio)
{
	struct fake_dev *fd = kunit_kzalloc(test, sizeof(*fd), GFP_KERNEL);
	struct pci_dev *pdev;
	u8 stream_id = TEST_STREAM + env->nr_devs;

	KUNIT_ASSERT_NOT_NULL(test, fd);
	pdev = kunit_kzalloc(test, sizeof(*pdev), GFP_KERNEL);
	fd->pdev = pdev;
	fd->bus = kunit_kzalloc(test, sizeof(*fd->bus), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, fd->pdev);
	KUNIT_ASSERT_NOT_NULL(test, fd->bus);

	fd->bus->number = bus;
	fd->bus->sysdata = &fd->sysdata;
	pdev->bus = fd->bus;
	pdev->devfn = TEST_DEVFN;
	pdev->resource[0] = DEFINE_RES_MEM(mmio, BAR0_SIZE);
	pdev->resource[1] = DEFINE_RES_IO(0x1000, 0x100);
	pdev->resource[2] = DEFINE_RES_MEM(mmio + BAR2_OFFSET, BAR2_SIZE);

	fd->stream = fake_connected(test, env, stream_id, bus);
	fd->link = (struct tdx_host_link) {
		.iommu_id = TEST_IOMMU,
		.stream_id = stream_id,
		.dsm = pdev,
		.rid_base = PCI_DEVID(bus, 0),
		.rid_limit = PCI_DEVID(bus, 0xff),
		.relay = {
			.dsm = pdev,
			.buf = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL),
		},
		.tables = &env->tables,
	};
	KUNIT_ASSERT_NOT_NULL(test, fd->link.relay.buf);
	fd->host = (struct tdx_host_test_host) {
		.host.ops = &tdx_host_test_host_ops,
		.log = env->ft,
		.then = fake_mmio_unmap,
	};
	fd->ft = env->ft;
	return fd;
}

/**
 * tdi_test_push() - Expect an event some times
 * @s: the expected log
 * @e: the SEAMCALL leaf or EVT_ event
 * @times: how many times in a row
 *
 * Context: Any context.
 */
void tdi_test_push(struct seq *s, u16 e, unsigned int times)
{
	while (times--)
		s->e[s->n++] = e;
}

/**
 * tdi_test_expect_log() - Check the fake's log against an expected one
 * @test: the test
 * @ft: the fake TDI leaves
 * @from: the first entry of @ft's log to check
 * @s: the expected log
 *
 * The log from @from on must be @s exactly; a length that differs
 * aborts @test.
 *
 * Context: Process context, in the test.
 */
void tdi_test_expect_log(struct kunit *test, struct tdx_fake_tdi *ft, unsigned int from,
			 const struct seq *s)
{
	unsigned int i;

	KUNIT_ASSERT_EQ(test, ft->nr_log - from, s->n);
	for (i = 0; i < s->n; i++)
		KUNIT_EXPECT_EQ_MSG(test, ft->log[from + i], s->e[i], "log entry %u", i);
}

/**
 * tdi_test_push_tdisp() - Expect one TDISP message
 * @s: the expected log
 *
 * TDH.DEVIF.REQUEST, the DOE exchange and TDH.DEVIF.RESPONSE.
 *
 * Context: Any context.
 */
void tdi_test_push_tdisp(struct seq *s)
{
	tdi_test_push(s, TDH_DEVIF_REQUEST, 1);
	tdi_test_push(s, EVT_DOE, 1);
	tdi_test_push(s, TDH_DEVIF_RESPONSE, 1);
}

/**
 * tdi_test_push_dmar_unmap() - Expect the removal of trusted DMA entries
 * @s: the expected log
 * @nr: entries removed
 *
 * Each: TDH.DMAR.BLOCK, TDH.IQ.INV.REQUEST, TDH.IQ.INV.PROCESS and
 * TDH.DMAR.REMOVE.
 *
 * Context: Any context.
 */
void tdi_test_push_dmar_unmap(struct seq *s, unsigned int nr)
{
	while (nr--) {
		tdi_test_push(s, TDH_DMAR_BLOCK, 1);
		tdi_test_push(s, TDH_IQ_INV_REQUEST, 1);
		tdi_test_push(s, TDH_IQ_INV_PROCESS, 1);
		tdi_test_push(s, TDH_DMAR_REMOVE, 1);
	}
}

/**
 * tdi_test_push_bind() - Expect a first bind
 * @s: the expected log
 *
 * Every level of every tree is added.
 *
 * Context: Any context.
 */
void tdi_test_push_bind(struct seq *s)
{
	tdi_test_push(s, EVT_DMA_SETUP, 1);
	tdi_test_push(s, TDH_DEVIFMT_ADD, NR_DEVIFMT);
	tdi_test_push(s, TDH_DEVIF_CREATE, 1);
	tdi_test_push(s, TDH_DMAR_ADD, NR_DMAR);
	tdi_test_push(s, TDH_MMIOMT_ADD, NR_MMIOMT);
	tdi_test_push(s, TDH_MMIOMT_SET, NR_MMIO);
	tdi_test_push_tdisp(s);
}

/**
 * tdi_test_push_unbind() - Expect the last unbind
 * @s: the expected log
 *
 * Every level goes, lowest first.
 *
 * Context: Any context.
 */
void tdi_test_push_unbind(struct seq *s)
{
	unsigned int i;

	tdi_test_push_tdisp(s);
	tdi_test_push(s, EVT_MMIO_UNMAP, 1);
	for (i = 0; i < NR_MMIO; i++) {
		tdi_test_push(s, TDH_MMIO_BLOCK, 1);
		tdi_test_push(s, TDH_MMIO_UNMAP, 1);
	}
	tdi_test_push(s, TDH_MMIOMT_SET, NR_MMIO);
	tdi_test_push(s, TDH_MMIOMT_REMOVE, NR_MMIOMT);
	tdi_test_push_dmar_unmap(s, NR_DMAR);
	tdi_test_push(s, TDH_DEVIF_REMOVE, 1);
	tdi_test_push(s, TDH_DEVIFMT_REMOVE, NR_DEVIFMT);
	tdi_test_push(s, EVT_DMA_CLEANUP, 1);
	tdi_test_push(s, EVT_MMIO_SHARE, 1);
}

/**
 * tdi_test_expect_tables_empty() - Check that tdx-host keeps no table page
 * @test: the test
 * @env: from tdi_test_env()
 *
 * Context: Process context, in the test.
 */
void tdi_test_expect_tables_empty(struct kunit *test, struct tdi_env *env)
{
	KUNIT_EXPECT_EQ(test, tdx_host_tree_nr_pages(&env->tables, &env->tables.devifmt), 0);
	KUNIT_EXPECT_EQ(test, tdx_host_tree_nr_pages(&env->tables, &env->tables.mmiomt), 0);
	KUNIT_EXPECT_EQ(test, tdx_host_tree_nr_pages(&env->tables, &env->tables.dmar_rte), 0);
}

/**
 * tdi_test_expect_nothing_owned() - Check that nothing of a function is left
 * @test: the test
 * @env: from tdi_test_env()
 * @fd: the function
 *
 * The module owns no page, has no TDI, DMA or MMIO of @fd, and the
 * tables are empty.
 *
 * Context: Process context, in the test.
 */
void tdi_test_expect_nothing_owned(struct kunit *test, struct tdi_env *env,
				   struct fake_dev *fd)
{
	KUNIT_EXPECT_EQ(test, tdx_fake_nr_owned(env->fake), 0);
	KUNIT_EXPECT_NULL(test, tdx_fake_tdi_find(env->ft, tdi_test_func_id(fd)));
	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_nr_dma(env->ft, tdi_test_func_id(fd)), 0);
	KUNIT_EXPECT_EQ(test, tdx_fake_tdi_nr_mmio(env->ft, tdi_test_func_id(fd)), 0);
	tdi_test_expect_tables_empty(test, env);
}

/**
 * tdi_test_bind() - Bind a fake function to the TD of the tests
 * @fd: the function
 * @tdi_id: the TDI's ID in the TD
 *
 * Context: Process context, in the test.
 * Return: what tdx_host_tdi_bind() returns.
 */
struct pci_tdi *tdi_test_bind(struct fake_dev *fd, u32 tdi_id)
{
	return tdx_host_tdi_bind(&fd->link, fd->pdev, tdx_host_test_kvm(), tdi_id, &fd->host.host);
}
