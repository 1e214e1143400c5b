// SPDX-License-Identifier: GPL-2.0
/*
 * Binding and unbinding TDIs in the order the TDX module enforces.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

#include <linux/bitfield.h>
#include <linux/cleanup.h>
#include <linux/err.h>
#include <linux/lockdep.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/pci-tsm.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/sockptr.h>
#include <linux/string.h>
#include <linux/xarray.h>

#include <kunit/static_stub.h>
#include <kunit/visibility.h>

#include <asm/shared/tdx_errno.h>
#include <asm/tdx.h>
#include <asm/tdx_page_list.h>
#include <asm/tdx_release.h>
#include <asm/tdx_tdi.h>

#include "tdx_host_dmar.h"
#include "tdx_host_link.h"
#include "tdx_host_relay.h"
#include "tdx_host_tables.h"
#include "tdx_host_tdi.h"

/**
 * DOC: TDI bind and unbind
 *
 * A TDI (a TDISP device interface, here one PCIe function) is bound to a
 * TD in steps that belong partly to the TDX module and partly to other
 * host subsystems, the host participants the bind caller passes as a
 * struct pci_tdi_host: trusted DMA (IOMMU side), private MMIO mappings
 * (KVM) and shared MMIO (VFIO).  The TDX module enforces one order across
 * all of them, and this file is its one owner:
 *
 * Bind:
 *
 *  1. &pci_tdi_host_ops.dma_setup: the host side of the TDI's DMA.
 *  2. TDI metadata: the DEVIFMT levels above the TDI (tdx_host_tables.c),
 *     added by the first TDI that needs each and shared with the others.
 *  3. TDI ownership: TDH.DEVIF.CREATE assigns the TDI to the TD named by
 *     &pci_tdi_host.vm_handle, with its control structure and message
 *     buffer pages.
 *  4. Trusted DMA: the TDI's entries in the module's DMA remapping tables
 *     (tdx_host_dmar.c), which the TD then accepts.
 *  5. MMIO ownership: the MMIOMT levels of every 512 KiB region with MMIO
 *     of the function, shared like the DEVIFMT levels, and TDH.MMIOMT.SET
 *     of each of its 4 KiB pages to the TDI.
 *  6. TDISP LOCK: TDH.DEVIF.REQUEST of LOCK_INTERFACE, the secured message
 *     exchanged with the device over DOE, TDH.DEVIF.RESPONSE.
 *
 * A failure at any step undoes the steps before it in exact reverse.
 *
 * Unbind, which cannot fail, is the exact reverse, with the KVM side first:
 *
 *  1. TDISP STOP: STOP_INTERFACE, exchanged as LOCK was.
 *  2. &pci_tdi_host_ops.mmio_unmap: private MMIO out of the TD's S-EPT.
 *  3. MMIO ownership back: TDH.MMIOMT.SET of every page to free, then the
 *     MMIOMT levels no other region needs.
 *  4. Trusted DMA: every entry blocked, invalidated and removed.
 *  5. TDH.DEVIF.REMOVE takes the TDI back, then the DEVIFMT levels no
 *     other TDI needs.
 *  6. &pci_tdi_host_ops.dma_cleanup, then &pci_tdi_host_ops.mmio_share.
 *
 * The module refuses step 5 while the TDI is neither stopped nor its IDE
 * stream blocked, while its MMIO is mapped and while DMA it accepted is
 * mapped; it refuses to block the TDI's PASID table entry once the TDI is
 * gone, which is why trusted DMA comes after TDI ownership.  Pages the
 * module gives back are freed only after release validation
 * (asm/tdx_release.h); pages it does not give back are leaked with one
 * warning naming the refused leaf, and the unbind goes on: the TDI is
 * freed and the device ends unbound whatever the module says.
 *
 * Unconfirmed: the leaves are the 2023 tdxio ABI (asm/tdx_tdi.h).
 */

/* Pages the TDX module owns from TDH.DEVIF.CREATE on */
enum {
	TDI_PG_DEVIFCS,
	TDI_PG_TD_BUF,
	TDI_PG_VMM_BUF,
	TDI_NR_PAGES,
};

/* What one level-0 MMIOMT page covers: 128 pages of 4 KiB */
#define TDX_HOST_TDI_MMIO_REGION	SZ_512K

/* Shared pages for TDISP messages: request, response, decrypted response */
enum {
	TDI_MSG_REQ,
	TDI_MSG_RSP,
	TDI_MSG_OUT,
	TDI_NR_MSG,
};

/* Bound on the MMIO of one TDI, in 4 KiB pages: 1 GiB */
#define TDX_HOST_TDI_MAX_MMIO_PAGES	(SZ_1G >> PAGE_SHIFT)

/**
 * struct tdx_host_tdi - a TDI bound to a TD
 * @base: the PCI TSM core's view
 * @relay: carries the TDISP messages to the device of the TDI's DSM
 * @tables: the module's metadata trees, shared with every other TDI
 * @func_id: the TDI's FUNCTION_ID
 * @devif_id: the TDI's DEVIF_ID
 * @pages: TDI_PG_*, the module's from TDH.DEVIF.CREATE
 * @dmar: the TDI's trusted DMA remapping entries
 * @regions: start address of each 512 KiB region with MMIO of the TDI
 * @nr_regions: entries of @regions
 * @mmio: the 4 KiB MMIO pages of the TDI
 * @nr_mmio: entries of @mmio
 * @msg: TDI_MSG_*
 */
struct tdx_host_tdi {
	struct pci_tdi base;
	struct tdx_host_relay *relay;
	struct tdx_host_tables *tables;
	u64 func_id;
	u64 devif_id;
	struct tdx_page_list *pages;
	struct tdx_host_dmar dmar;
	u64 *regions;
	unsigned int nr_regions;
	u64 *mmio;
	unsigned int nr_mmio;
	struct page *msg[TDI_NR_MSG];
};

/* Bound TDIs by tdi_id: one TD-visible ID names one TDI at a time. */
static DEFINE_MUTEX(tdx_host_tdi_lock);
static DEFINE_XARRAY(tdx_host_tdis);

static struct tdx_host_tdi *to_tdx_host_tdi(struct pci_tdi *tdi)
{
	return container_of(tdi, struct tdx_host_tdi, base);
}

/*
 * One TDISP request of the host: the module writes the secured request,
 * the device answers over DOE, the module checks and applies the answer.
 * @out, if not NULL, receives the decrypted response.
 */
static int tdx_host_tdi_tdisp(struct tdx_host_tdi *tt, u8 code, struct page *out,
			      u64 *rsp_out, u64 *status)
{
	u64 req_out, len;
	int ret;

	*status = tdh_devif_request(tt->func_id, FIELD_PREP(TDX_DEVIF_REQ_CODE, code),
				    tt->msg[TDI_MSG_REQ], &req_out);
	if (*status != TDX_SUCCESS)
		return -EIO;

	len = FIELD_GET(TDX_DEVIF_REQ_OUT_LEN, req_out);
	if (!len || len > PAGE_SIZE)
		return -EIO;

	ret = tdx_host_relay(tt->relay, tt->msg[TDI_MSG_REQ], len, tt->msg[TDI_MSG_RSP]);
	if (ret)
		return ret;

	*status = tdh_devif_response(tt->func_id, tt->msg[TDI_MSG_RSP], false, out,
				     rsp_out);
	return *status == TDX_SUCCESS ? 0 : -EIO;
}

/* Whether the TDI's response to @code is the one that grants it */
static bool tdx_host_tdi_granted(u64 rsp_out, u8 code)
{
	return FIELD_GET(TDX_DEVIF_RSP_OUT_CODE, rsp_out) == (code & ~TDX_TDISP_REQ);
}

static int tdx_host_tdi_tdisp_state(struct tdx_host_tdi *tt, u8 code)
{
	u64 rsp_out = 0, status;
	int ret;

	ret = tdx_host_tdi_tdisp(tt, code, NULL, &rsp_out, &status);
	if (!ret && !tdx_host_tdi_granted(rsp_out, code))
		ret = -EIO;
	if (ret)
		pci_err(tt->base.pdev, "TDISP request 0x%02x failed: %d, status 0x%016llx, response 0x%016llx\n",
			code, ret, status, rsp_out);
	return ret;
}

static int tdx_host_tdi_create(struct tdx_host_tdi *tt)
{
	struct page **pg = tt->pages->pages;

	/* The module owns none of the pages unless it succeeds. */
	if (tdh_devif_create(tt->devif_id, tt->base.host->vm_handle, pg[TDI_PG_DEVIFCS],
			     pg[TDI_PG_TD_BUF], pg[TDI_PG_VMM_BUF]) != TDX_SUCCESS)
		return -EIO;
	return 0;
}

/*
 * Take the TDI back from the module and free its pages, or leak all of
 * them with one warning if the module keeps the TDI.
 * Return: whether the TDI is gone.
 */
static bool tdx_host_tdi_reclaim(struct tdx_host_tdi *tt)
{
	struct page **pg = tt->pages->pages;
	u64 released[TDI_NR_PAGES] = {
		[TDI_PG_DEVIFCS] = page_to_phys(pg[TDI_PG_DEVIFCS]),
	};
	u64 status, vm_handle = 0;

	/*
	 * The control structure page is not reported: it is released when
	 * the call succeeds.  The message buffers and the TD are.
	 */
	status = tdh_devif_remove(tt->func_id, &released[TDI_PG_TD_BUF],
				  &released[TDI_PG_VMM_BUF], &vm_handle);
	/* Released from another TD: nothing here can be trusted. */
	if (status == TDX_SUCCESS && vm_handle != tt->base.host->vm_handle)
		released[TDI_PG_TD_BUF] = 0;

	tdx_page_list_release(tt->pages, "TDH.DEVIF.REMOVE", status, released, TDI_NR_PAGES);
	tt->pages = NULL;
	return status == TDX_SUCCESS;
}

/* 4 KiB pages of the memory BARs of @pdev, in @mmio if not NULL */
static int tdx_host_tdi_mmio_pages(struct pci_dev *pdev, u64 *mmio)
{
	unsigned int bar, nr = 0;

	for (bar = 0; bar < PCI_STD_NUM_BARS; bar++) {
		struct resource *res = pci_resource_n(pdev, bar);
		resource_size_t len = resource_size(res);
		u64 pa;

		if (resource_type(res) != IORESOURCE_MEM || !res->start || !len)
			continue;
		/* The module takes MMIO in 4 KiB pages. */
		if (!PAGE_ALIGNED(res->start) || !PAGE_ALIGNED(len))
			return -EINVAL;
		if (len >> PAGE_SHIFT > TDX_HOST_TDI_MAX_MMIO_PAGES - nr)
			return -E2BIG;

		for (pa = res->start; pa < res->start + len; pa += PAGE_SIZE, nr++) {
			if (mmio)
				mmio[nr] = pa;
		}
	}
	return nr;
}

static int tdx_host_tdi_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/* Distinct 512 KiB regions of @mmio, in @regions, in ascending order */
static unsigned int tdx_host_tdi_regions(const u64 *mmio, unsigned int nr_mmio,
					 u64 *regions)
{
	unsigned int i, nr = 0, distinct;

	for (i = 0; i < nr_mmio; i++) {
		u64 region = round_down(mmio[i], TDX_HOST_TDI_MMIO_REGION);

		if (!nr || regions[nr - 1] != region)
			regions[nr++] = region;
	}
	/* BARs may share a region and come in any order. */
	sort(regions, nr, sizeof(*regions), tdx_host_tdi_cmp_u64, NULL);
	for (i = 1, distinct = min(nr, 1U); i < nr; i++) {
		if (regions[i] != regions[distinct - 1])
			regions[distinct++] = regions[i];
	}
	return distinct;
}

static u64 tdx_host_mmiomt_idx(u64 pa, unsigned int level)
{
	return (pa & TDX_MMIOMT_IDX_PA) | FIELD_PREP(TDX_MMIOMT_IDX_LEVEL, level);
}

/*
 * Give MMIO back: the first @nr_set pages to free, then the MMIOMT levels
 * of the first @nr_regions regions.  If the module keeps a page, the
 * levels stay: it still points to them.
 */
static void tdx_host_tdi_take_mmio(struct tdx_host_tdi *tt, unsigned int nr_regions,
				   unsigned int nr_set)
{
	u64 status = TDX_SUCCESS;

	while (nr_set) {
		nr_set--;
		status = tdh_mmiomt_set(tdx_host_mmiomt_idx(tt->mmio[nr_set],
							    TDX_MMIOMT_LEVEL_4K),
					FIELD_PREP(TDX_MMIOMT_SET_TYPE, TDX_MMIOMT_TYPE_QNODE));
		/* The levels above stay the module's, and so leaked. */
		if (pci_WARN(tt->base.pdev, status != TDX_SUCCESS,
			     "TDH.MMIOMT.SET of MMIO 0x%llx to free failed: 0x%016llx\n",
			     tt->mmio[nr_set], status))
			return;
	}
	while (nr_regions)
		tdx_host_mmiomt_put(tt->tables, tt->regions[--nr_regions]);
}

static int tdx_host_tdi_give_mmio(struct tdx_host_tdi *tt)
{
	u64 data = FIELD_PREP(TDX_MMIOMT_SET_TYPE, TDX_MMIOMT_TYPE_DATA) |
		   FIELD_PREP(TDX_MMIOMT_SET_FUNC_ID, tt->func_id);
	unsigned int got, set;
	int ret;

	for (got = 0; got < tt->nr_regions; got++) {
		ret = tdx_host_mmiomt_get(tt->tables, tt->regions[got]);
		if (ret)
			goto err;
	}
	for (set = 0; set < tt->nr_mmio; set++) {
		if (tdh_mmiomt_set(tdx_host_mmiomt_idx(tt->mmio[set], TDX_MMIOMT_LEVEL_4K),
				   data) != TDX_SUCCESS) {
			ret = -EIO;
			goto err_set;
		}
	}
	return 0;

err:
	set = 0;
err_set:
	tdx_host_tdi_take_mmio(tt, got, set);
	return ret;
}

static void tdx_host_tdi_free(struct tdx_host_tdi *tt)
{
	unsigned int i;

	for (i = 0; i < TDI_NR_MSG; i++) {
		if (tt->msg[i])
			__free_page(tt->msg[i]);
	}
	if (tt->pages)
		tdx_page_list_free(tt->pages);
	tdx_host_dmar_free(&tt->dmar);
	kvfree(tt->regions);
	kvfree(tt->mmio);
	kfree(tt);
}

/* Everything a bind needs, allocated before the first step */
static struct tdx_host_tdi *tdx_host_tdi_alloc(struct tdx_host_link *link,
					       struct pci_dev *pdev)
{
	struct tdx_host_tdi *tt;
	unsigned int i;
	int ret;

	ret = tdx_host_tdi_mmio_pages(pdev, NULL);
	if (ret < 0)
		return ERR_PTR(ret);

	tt = kzalloc_obj(*tt);
	if (!tt)
		return ERR_PTR(-ENOMEM);
	tt->relay = &link->relay;
	tt->tables = link->tables;
	tt->func_id = FIELD_PREP(TDX_FUNC_ID_RID, pci_dev_id(pdev));
	tt->devif_id = FIELD_PREP(TDX_DEVIF_ID_FUNC_ID, tt->func_id) |
		       FIELD_PREP(TDX_DEVIF_ID_IOMMU_ID, link->iommu_id) |
		       FIELD_PREP(TDX_DEVIF_ID_STREAM_ID, link->stream_id) |
		       FIELD_PREP(TDX_DEVIF_ID_TYPE, TDX_DEVIF_TYPE_PFVF);
	tt->nr_mmio = ret;

	for (i = 0; i < TDI_NR_MSG; i++) {
		tt->msg[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!tt->msg[i])
			goto err;
	}

	tt->pages = tdx_page_list_alloc_bulk(TDI_NR_PAGES);
	if (IS_ERR(tt->pages)) {
		tt->pages = NULL;
		goto err;
	}
	if (tdx_host_dmar_init(&tt->dmar, tt->tables, link->iommu_id, pci_dev_id(pdev)))
		goto err;

	if (tt->nr_mmio) {
		tt->mmio = kvcalloc(tt->nr_mmio, sizeof(*tt->mmio), GFP_KERNEL);
		tt->regions = kvcalloc(tt->nr_mmio, sizeof(*tt->regions), GFP_KERNEL);
		if (!tt->mmio || !tt->regions)
			goto err;
		tdx_host_tdi_mmio_pages(pdev, tt->mmio);
		tt->nr_regions = tdx_host_tdi_regions(tt->mmio, tt->nr_mmio, tt->regions);
	}
	return tt;

err:
	tdx_host_tdi_free(tt);
	return ERR_PTR(-ENOMEM);
}

static int tdx_host_tdi_table_insert(struct tdx_host_tdi *tt)
{
	/* The check for a bound ID and the insert are one step. */
	lockdep_assert_held(&tdx_host_tdi_lock);

	return xa_insert(&tdx_host_tdis, tt->base.tdi_id, tt, GFP_KERNEL);
}

static void tdx_host_tdi_table_erase(struct tdx_host_tdi *tt)
{
	lockdep_assert_held(&tdx_host_tdi_lock);

	WARN_ON_ONCE(xa_erase(&tdx_host_tdis, tt->base.tdi_id) != tt);
}

/* Claim @tt's tdi_id, which no other bound TDI may use: -EBUSY if one does */
static int tdx_host_tdi_claim(struct tdx_host_tdi *tt)
{
	guard(mutex)(&tdx_host_tdi_lock);
	return tdx_host_tdi_table_insert(tt);
}

static void tdx_host_tdi_unclaim(struct tdx_host_tdi *tt)
{
	guard(mutex)(&tdx_host_tdi_lock);
	tdx_host_tdi_table_erase(tt);
}

static bool tdx_host_tdi_host_valid(const struct pci_tdi_host *host)
{
	const struct pci_tdi_host_ops *ops = host ? host->ops : NULL;

	return ops && ops->dma_setup && ops->dma_cleanup && ops->mmio_unmap &&
	       ops->mmio_share && host->vm_handle;
}

/* Segments are not supported; the IDE stream must carry the RID. */
static bool tdx_host_link_covers(struct tdx_host_link *link,
				 struct pci_dev *pdev)
{
	u16 rid;

	if (!link || !link->dsm || !link->tables || !pdev || pci_domain_nr(pdev->bus))
		return false;
	rid = pci_dev_id(pdev);
	return rid >= link->rid_base && rid <= link->rid_limit;
}

/**
 * tdx_host_tdi_bind() - Bind a PCIe function as a TDI of a TD
 * @link: what connect established for the function's DSM
 * @pdev: the function
 * @kvm: the TD
 * @tdi_id: the TDI's ID as the TD sees it; one bound TDI per ID
 * @host: the host participants; @host->vm_handle is the TD's TDR page
 *
 * Runs the bind steps of the DOC section above: @host->ops->dma_setup,
 * TDI metadata, TDI ownership, trusted DMA, MMIO ownership, TDISP LOCK.
 * A failure undoes the steps before it in exact reverse; pages the module
 * does not give back then are leaked with one warning.
 *
 * Context: Process context, may sleep.  Called by the link TSM ops with
 * pci_tsm_rwsem held for read and the device's DSM lock held, which
 * serializes bind, unbind and guest_req of one function.
 * Return: the bound TDI, or an ERR_PTR(): -EINVAL for a NULL @kvm or an
 * incomplete @host, -ENXIO for a NULL @link or a @pdev that its IDE stream
 * does not carry, -EBUSY if @tdi_id is bound, -EINVAL or -E2BIG for
 * memory BARs the module cannot take, -ENOMEM, the error of
 * @host->ops->dma_setup, or -EIO if the module or the device refused a
 * step.  Nothing changes on bad input.
 */
struct pci_tdi *tdx_host_tdi_bind(struct tdx_host_link *link,
				  struct pci_dev *pdev, struct kvm *kvm,
				  u32 tdi_id, const struct pci_tdi_host *host)
{
	struct tdx_host_tdi *tt;
	int ret;

	if (!kvm || !tdx_host_tdi_host_valid(host))
		return ERR_PTR(-EINVAL);
	if (!tdx_host_link_covers(link, pdev))
		return ERR_PTR(-ENXIO);

	tt = tdx_host_tdi_alloc(link, pdev);
	if (IS_ERR(tt))
		return ERR_CAST(tt);
	pci_tsm_tdi_constructor(pdev, &tt->base, kvm, tdi_id, host);

	ret = tdx_host_tdi_claim(tt);
	if (ret)
		goto err_free;

	ret = host->ops->dma_setup(host, &tt->base);
	if (ret)
		goto err_unclaim;

	ret = tdx_host_devifmt_get(tt->tables, tt->func_id);
	if (ret)
		goto err_dma;

	ret = tdx_host_tdi_create(tt);
	if (ret)
		goto err_metadata;

	ret = tdx_host_dmar_setup(&tt->dmar);
	if (ret)
		goto err_devif;

	ret = tdx_host_tdi_give_mmio(tt);
	if (ret)
		goto err_trusted_dma;

	ret = tdx_host_tdi_tdisp_state(tt, TDX_TDISP_LOCK_INTERFACE_REQ);
	if (ret)
		goto err_mmio;

	return &tt->base;

err_mmio:
	tdx_host_tdi_take_mmio(tt, tt->nr_regions, tt->nr_mmio);
err_trusted_dma:
	tdx_host_dmar_teardown(&tt->dmar);
err_devif:
	/* The metadata cannot go while the module keeps the TDI. */
	if (!tdx_host_tdi_reclaim(tt))
		goto err_dma;
err_metadata:
	tdx_host_devifmt_put(tt->tables, tt->func_id);
err_dma:
	host->ops->dma_cleanup(host, &tt->base);
err_unclaim:
	tdx_host_tdi_unclaim(tt);
err_free:
	tdx_host_tdi_free(tt);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_IF_KUNIT(tdx_host_tdi_bind);

/**
 * tdx_host_tdi_unbind() - Unbind a TDI from its TD
 * @tdi: the TDI from tdx_host_tdi_bind(), or NULL for nothing to do
 *
 * Runs the unbind steps of the DOC section above: TDISP STOP,
 * &pci_tdi_host_ops.mmio_unmap, MMIO ownership back, trusted DMA, TDI and
 * metadata reclaim, &pci_tdi_host_ops.dma_cleanup and
 * &pci_tdi_host_ops.mmio_share.
 * Whatever the module refuses to give back is leaked with one warning
 * naming the refused leaf; @tdi is freed and the function is unbound in
 * any case.
 *
 * Context: Process context, may sleep.  Called by the link TSM ops with
 * pci_tsm_rwsem held for read and the device's DSM lock held.
 */
void tdx_host_tdi_unbind(struct pci_tdi *tdi)
{
	const struct pci_tdi_host *host;
	struct tdx_host_tdi *tt;

	if (!tdi)
		return;
	tt = to_tdx_host_tdi(tdi);
	host = tdi->host;

	/* A TDI that does not stop keeps the module from giving it back. */
	tdx_host_tdi_tdisp_state(tt, TDX_TDISP_STOP_INTERFACE_REQ);
	host->ops->mmio_unmap(host, tdi);
	tdx_host_tdi_take_mmio(tt, tt->nr_regions, tt->nr_mmio);
	tdx_host_dmar_teardown(&tt->dmar);
	if (tdx_host_tdi_reclaim(tt))
		tdx_host_devifmt_put(tt->tables, tt->func_id);
	host->ops->dma_cleanup(host, tdi);
	host->ops->mmio_share(host, tdi);

	tdx_host_tdi_unclaim(tt);
	tdx_host_tdi_free(tt);
}
EXPORT_SYMBOL_IF_KUNIT(tdx_host_tdi_unbind);

/* The TDISP requests a guest may have the host make, by scope */
static bool tdx_host_tdi_req_allowed(enum pci_tsm_req_scope scope, u8 code)
{
	switch (scope) {
	case PCI_TSM_REQ_INFO:
		return code == TDX_TDISP_INTERFACE_STATE_REQ;
	case PCI_TSM_REQ_STATE_CHANGE:
		return code == TDX_TDISP_LOCK_INTERFACE_REQ ||
		       code == TDX_TDISP_STOP_INTERFACE_REQ;
	default:
		return false;
	}
}

/**
 * tdx_host_tdi_guest_req() - Forward a TDISP request of the TD to its TDI
 * @tdi: the bound TDI
 * @scope: PCI_TSM_REQ_INFO or PCI_TSM_REQ_STATE_CHANGE
 * @req_in: the request: one byte, the TDISP request code
 *	    (GET_DEVICE_INTERFACE_STATE for PCI_TSM_REQ_INFO, LOCK_INTERFACE
 *	    or STOP_INTERFACE for PCI_TSM_REQ_STATE_CHANGE), then zeroes
 * @in_len: length of @req_in, 1 to PAGE_SIZE
 * @req_out: buffer for the device's response as the module decrypted it
 * @out_len: size of @req_out, 1 to PAGE_SIZE
 * @tsm_code: the module's response word (TDX_DEVIF_RSP_OUT_*) on success,
 *	      its status if it refused the request
 *
 * The module builds and secures the message, so the TD names the request
 * and the host only carries it; a longer response is cut to @out_len, and
 * @tsm_code gives its full length.
 *
 * Context: Process context, may sleep.  Called by the link TSM ops with
 * pci_tsm_rwsem held for read and the device's DSM lock held.
 * Return: the bytes of @req_out not filled, -EINVAL for a NULL @tdi, a
 * @scope beyond enum pci_tsm_req_scope, a length of 0 or more than
 * PAGE_SIZE or a request not allowed in @scope, -EOPNOTSUPP for the debug
 * scopes, -ENOMEM, -EFAULT, the DOE error, or -EIO if the module refused
 * the request.  Nothing changes on bad input.
 */
ssize_t tdx_host_tdi_guest_req(struct pci_tdi *tdi, enum pci_tsm_req_scope scope,
			       sockptr_t req_in, size_t in_len,
			       sockptr_t req_out, size_t out_len, u64 *tsm_code)
{
	u64 rsp_out = 0, status = TDX_SUCCESS;
	struct tdx_host_tdi *tt;
	size_t len;
	int ret;
	u8 *in;

	if (!tdi || scope > PCI_TSM_REQ_DEBUG_WRITE)
		return -EINVAL;
	if (scope == PCI_TSM_REQ_DEBUG_READ || scope == PCI_TSM_REQ_DEBUG_WRITE)
		return -EOPNOTSUPP;
	if (!in_len || in_len > PAGE_SIZE || !out_len || out_len > PAGE_SIZE)
		return -EINVAL;
	tt = to_tdx_host_tdi(tdi);

	in = kzalloc(in_len, GFP_KERNEL);
	if (!in)
		return -ENOMEM;
	if (copy_from_sockptr(in, req_in, in_len)) {
		ret = -EFAULT;
		goto out;
	}
	if (!tdx_host_tdi_req_allowed(scope, in[0]) ||
	    memchr_inv(in + 1, 0, in_len - 1)) {
		ret = -EINVAL;
		goto out;
	}

	ret = tdx_host_tdi_tdisp(tt, in[0], tt->msg[TDI_MSG_OUT], &rsp_out, &status);
	if (tsm_code)
		*tsm_code = status == TDX_SUCCESS ? rsp_out : status;
	if (ret)
		goto out;

	len = min_t(size_t, FIELD_GET(TDX_DEVIF_RSP_OUT_LEN, rsp_out), out_len);
	if (copy_to_sockptr(req_out, page_address(tt->msg[TDI_MSG_OUT]), len)) {
		ret = -EFAULT;
		goto out;
	}
	ret = out_len - len;
out:
	kfree(in);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(tdx_host_tdi_guest_req);
