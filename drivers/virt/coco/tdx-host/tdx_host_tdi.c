// SPDX-License-Identifier: GPL-2.0
/*
 * Binding and unbinding TDIs in the order the TDX module enforces.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

#include <linux/bitfield.h>
#include <linux/cleanup.h>
#include <linux/err.h>
#include <linux/mm.h>
#include <linux/pci.h>
#include <linux/pci-tsm.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/sockptr.h>

#include <kunit/static_stub.h>

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
 *  3. TDI ownership: TDH.DEVIF.CREATE assigns the TDI to the TD, named by
 *     its TDR page (tdx_td_tdr_pa()), with its control structure and
 *     message buffer pages.
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
 *  6. &pci_tdi_host_ops.dma_cleanup, then &pci_tdi_host_ops.mmio_share if
 *     the module gave back the TDI and every page of its MMIO.
 *
 * The module refuses step 5 while the TDI is neither stopped nor its IDE
 * stream blocked, while its MMIO is mapped and while DMA it accepted is
 * mapped; it refuses to block the TDI's PASID table entry once the TDI is
 * gone, which is why trusted DMA comes after TDI ownership.  Pages the
 * module gives back are freed only after release validation
 * (asm/tdx_release.h); pages it does not give back are leaked with one
 * warning naming the refused leaf, and the unbind goes on: the TDI is
 * freed and the device ends unbound whatever the module says.  MMIO the
 * module may still assign to the TDI is not shared again.
 *
 * The module keeps one TDISP request of a TDI outstanding until it accepts
 * the device's answer, and cannot withdraw it.  A request whose exchange
 * fails is carried again before the TDI's next request, unbind's STOP
 * included.  Requests of the TD (guest_req) go to the module in TD mode:
 * the answer is decrypted where only the TD reads it.
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

/* Shared pages for TDISP messages: request, response */
enum {
	TDI_MSG_REQ,
	TDI_MSG_RSP,
	TDI_NR_MSG,
};

/* Immediate attempts at one TDISP exchange over DOE */
#define TDX_HOST_TDI_DOE_TRIES		2

/**
 * struct tdx_host_tdi_range - MMIO of a TDI, in ascending order
 * @start: first byte
 * @nr: 4 KiB pages (MMIO ranges) or 512 KiB regions (region ranges)
 */
struct tdx_host_tdi_range {
	u64 start;
	u64 nr;
};

/**
 * struct tdx_host_tdi - a TDI bound to a TD
 * @base: the PCI TSM core's view
 * @relay: carries the TDISP messages to the device of the TDI's DSM
 * @tables: the module's metadata trees, shared with every other TDI
 * @tdr: physical address of the TD's TDR page, the module's name of the TD
 * @func_id: the TDI's FUNCTION_ID
 * @devif_id: the TDI's DEVIF_ID
 * @pages: TDI_PG_*, the module's from TDH.DEVIF.CREATE
 * @dmar: the TDI's trusted DMA remapping entries
 * @mmio: the memory BARs of the TDI, sorted
 * @nr_ranges: entries of @mmio
 * @nr_mmio: 4 KiB pages in @mmio
 * @regions: the 512 KiB regions with MMIO of the TDI, sorted and merged
 * @nr_region_ranges: entries of @regions
 * @nr_regions: 512 KiB regions in @regions
 * @msg: TDI_MSG_*
 * @pending: length of a request in @msg[TDI_MSG_REQ] that the module
 *	     generated and the device did not answer, 0 for none
 * @pending_td: whether that request is the TD's
 */
struct tdx_host_tdi {
	struct pci_tdi base;
	struct tdx_host_relay *relay;
	struct tdx_host_tables *tables;
	u64 tdr;
	u64 func_id;
	u64 devif_id;
	struct tdx_page_list *pages;
	struct tdx_host_dmar dmar;
	struct tdx_host_tdi_range mmio[PCI_STD_NUM_BARS];
	unsigned int nr_ranges;
	u64 nr_mmio;
	struct tdx_host_tdi_range regions[PCI_STD_NUM_BARS];
	unsigned int nr_region_ranges;
	u64 nr_regions;
	struct page *msg[TDI_NR_MSG];
	u64 pending;
	bool pending_td;
};

static struct tdx_host_tdi *to_tdx_host_tdi(struct pci_tdi *tdi)
{
	return container_of(tdi, struct tdx_host_tdi, base);
}

/*
 * Carry the request the module generated, @len bytes in the request page,
 * to the device and give the module the device's answer.  The module
 * keeps a request outstanding until it accepts an answer and refuses every
 * other TDISP request of the TDI meanwhile; it has no way to withdraw one.
 * So a request that is not answered, because the DOE exchange failed or
 * the module refused the answer, is kept in @tt->pending and carried again
 * before the TDI's next request.
 */
static int tdx_host_tdi_exchange(struct tdx_host_tdi *tt, u64 len, bool td,
				 u64 *rsp_out, u64 *status)
{
	unsigned int tries = TDX_HOST_TDI_DOE_TRIES;
	int ret;

	tt->pending = len;
	tt->pending_td = td;
	do {
		ret = tdx_host_relay(tt->relay, tt->msg[TDI_MSG_REQ], len, tt->msg[TDI_MSG_RSP]);
	} while (ret && --tries);
	if (ret)
		return ret;

	/*
	 * The answer to a TD's request is the TD's: the module decrypts it
	 * into the TD's message buffer, and the host gets only the status.
	 */
	*status = tdh_devif_response(tt->func_id, tt->msg[TDI_MSG_RSP], td, NULL, rsp_out);
	if (*status != TDX_SUCCESS)
		return -EIO;
	tt->pending = 0;
	return 0;
}

/*
 * One TDISP request: the host's, with TDISP request code @code, or, with
 * @td, the one the TD wrote to its message buffer (TDG.DEVIF.REQUEST).
 * The module builds and secures the message, the device answers over
 * DOE, the module checks and applies the answer.
 */
static int tdx_host_tdi_tdisp(struct tdx_host_tdi *tt, u8 code, bool td, u64 *rsp_out,
			      u64 *status)
{
	u64 req_out, discard;
	int ret;

	*status = TDX_SUCCESS;
	if (tt->pending) {
		ret = tdx_host_tdi_exchange(tt, tt->pending, tt->pending_td, &discard, status);
		if (ret)
			return ret;
	}

	*status = tdh_devif_request(tt->func_id, td ? TDX_DEVIF_REQ_TD :
				    FIELD_PREP(TDX_DEVIF_REQ_CODE, code),
				    tt->msg[TDI_MSG_REQ], &req_out);
	if (*status != TDX_SUCCESS)
		return -EIO;

	return tdx_host_tdi_exchange(tt, FIELD_GET(TDX_DEVIF_REQ_OUT_LEN, req_out), td,
				     rsp_out, status);
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

	ret = tdx_host_tdi_tdisp(tt, code, false, &rsp_out, &status);
	if (!ret && !tdx_host_tdi_granted(rsp_out, code))
		ret = -EIO;
	if (ret)
		pci_err(tt->base.pdev, "TDISP request 0x%02x failed: %d, status 0x%016llx, response 0x%016llx%s\n",
			code, ret, status, rsp_out,
			tt->pending ? ", the request stays outstanding" : "");
	return ret;
}

static int tdx_host_tdi_create(struct tdx_host_tdi *tt)
{
	struct page **pg = tt->pages->pages;
	u64 status;

	/* The module owns none of the pages unless it succeeds. */
	status = tdh_devif_create(tt->devif_id, tt->tdr, pg[TDI_PG_DEVIFCS],
				  pg[TDI_PG_TD_BUF], pg[TDI_PG_VMM_BUF]);
	if ((status & TDX_SEAMCALL_STATUS_MASK) == TDX_DEVIFMT_ALREADY_PRESENT)
		return -EBUSY;
	return status == TDX_SUCCESS ? 0 : -EIO;
}

/*
 * Take the TDI back from the module and free its pages, or leak all of
 * them with one warning if the module keeps the TDI or names another TD
 * as its owner: then nothing it reports can be trusted.
 * Return: whether the TDI is gone from a module that can be trusted.
 */
static bool tdx_host_tdi_reclaim(struct tdx_host_tdi *tt)
{
	struct page **pg = tt->pages->pages;
	u64 released[TDI_NR_PAGES] = {
		[TDI_PG_DEVIFCS] = page_to_phys(pg[TDI_PG_DEVIFCS]),
	};
	u64 status, vm_handle = 0;
	int ret;

	/*
	 * The control structure page is not reported: it is released when
	 * the call succeeds.  The message buffers and the TD are.
	 */
	status = tdh_devif_remove(tt->func_id, &released[TDI_PG_TD_BUF],
				  &released[TDI_PG_VMM_BUF], &vm_handle);
	/* Released from another TD: nothing here can be trusted. */
	if (status == TDX_SUCCESS && vm_handle != tt->tdr) {
		pci_err(tt->base.pdev, "TDH.DEVIF.REMOVE names TD 0x%llx, not 0x%llx\n",
			vm_handle, tt->tdr);
		released[TDI_PG_TD_BUF] = 0;
	}

	ret = tdx_page_list_release(tt->pages, "TDH.DEVIF.REMOVE", status, released,
				    TDI_NR_PAGES);
	tt->pages = NULL;
	return !ret;
}

static int tdx_host_tdi_cmp_range(const void *a, const void *b)
{
	u64 x = ((const struct tdx_host_tdi_range *)a)->start;
	u64 y = ((const struct tdx_host_tdi_range *)b)->start;

	return x < y ? -1 : x > y;
}

/*
 * The memory BARs of the function, sorted, and the 512 KiB regions they
 * touch, sorted and merged where BARs share or abut a region.  Ranges,
 * not page arrays: a BAR may be many GiB.
 */
static int tdx_host_tdi_mmio_init(struct tdx_host_tdi *tt, struct pci_dev *pdev)
{
	struct tdx_host_tdi_range *r = tt->regions;
	unsigned int bar, i;

	for (bar = 0; bar < PCI_STD_NUM_BARS; bar++) {
		struct resource *res = pci_resource_n(pdev, bar);
		resource_size_t len = resource_size(res);

		if (resource_type(res) != IORESOURCE_MEM || !res->start || !len)
			continue;
		/* The module takes MMIO in 4 KiB pages. */
		if (!PAGE_ALIGNED(res->start) || !PAGE_ALIGNED(len))
			return -EINVAL;
		tt->mmio[tt->nr_ranges++] = (struct tdx_host_tdi_range) {
			.start = res->start,
			.nr = len >> PAGE_SHIFT,
		};
		tt->nr_mmio += len >> PAGE_SHIFT;
	}
	sort(tt->mmio, tt->nr_ranges, sizeof(*tt->mmio), tdx_host_tdi_cmp_range, NULL);

	for (i = 0; i < tt->nr_ranges; i++) {
		u64 first = round_down(tt->mmio[i].start, TDX_HOST_TDI_MMIO_REGION);
		u64 end = round_up(tt->mmio[i].start + (tt->mmio[i].nr << PAGE_SHIFT),
				   TDX_HOST_TDI_MMIO_REGION);
		u64 prev_end = tt->nr_region_ranges ?
			       r[-1].start + r[-1].nr * TDX_HOST_TDI_MMIO_REGION : 0;

		/* Resources of one device do not overlap: only the ends meet. */
		if (tt->nr_region_ranges && first <= prev_end) {
			end = max(end, prev_end);
			r[-1].nr += (end - prev_end) / TDX_HOST_TDI_MMIO_REGION;
			tt->nr_regions += (end - prev_end) / TDX_HOST_TDI_MMIO_REGION;
			continue;
		}
		*r++ = (struct tdx_host_tdi_range) {
			.start = first,
			.nr = (end - first) / TDX_HOST_TDI_MMIO_REGION,
		};
		tt->nr_region_ranges++;
		tt->nr_regions += (end - first) / TDX_HOST_TDI_MMIO_REGION;
	}
	return 0;
}

/* Item @i of @ranges, counted in units of @size bytes */
static u64 tdx_host_tdi_nth(const struct tdx_host_tdi_range *ranges, unsigned int nr,
			    u64 i, u64 size)
{
	unsigned int j;

	for (j = 0; j < nr && i >= ranges[j].nr; j++)
		i -= ranges[j].nr;
	return ranges[j].start + i * size;
}

static u64 tdx_host_tdi_page(const struct tdx_host_tdi *tt, u64 i)
{
	return tdx_host_tdi_nth(tt->mmio, tt->nr_ranges, i, PAGE_SIZE);
}

static u64 tdx_host_tdi_region(const struct tdx_host_tdi *tt, u64 i)
{
	return tdx_host_tdi_nth(tt->regions, tt->nr_region_ranges, i,
				TDX_HOST_TDI_MMIO_REGION);
}

static u64 tdx_host_mmiomt_idx(u64 pa, unsigned int level)
{
	return (pa & TDX_MMIOMT_IDX_PA) | FIELD_PREP(TDX_MMIOMT_IDX_LEVEL, level);
}

/*
 * Give MMIO back: the first @nr_set pages to free, then the MMIOMT levels
 * of the first @nr_regions regions.  If the module keeps a page, the
 * levels stay: it still points to them.
 * Return: whether the module has none of the pages any more.
 */
static bool tdx_host_tdi_take_mmio(struct tdx_host_tdi *tt, u64 nr_regions, u64 nr_set)
{
	u64 status;

	while (nr_set) {
		u64 pa = tdx_host_tdi_page(tt, --nr_set);

		status = tdh_mmiomt_set(tdx_host_mmiomt_idx(pa, TDX_MMIOMT_LEVEL_4K),
					FIELD_PREP(TDX_MMIOMT_SET_TYPE, TDX_MMIOMT_TYPE_QNODE));
		/* The levels above stay the module's, and so leaked. */
		if (pci_WARN(tt->base.pdev, status != TDX_SUCCESS,
			     "TDH.MMIOMT.SET of MMIO 0x%llx to free failed: 0x%016llx\n",
			     pa, status))
			return false;
		cond_resched();
	}
	while (nr_regions)
		tdx_host_mmiomt_put(tt->tables, tdx_host_tdi_region(tt, --nr_regions));
	return true;
}

static int tdx_host_tdi_give_mmio(struct tdx_host_tdi *tt)
{
	u64 data = FIELD_PREP(TDX_MMIOMT_SET_TYPE, TDX_MMIOMT_TYPE_DATA) |
		   FIELD_PREP(TDX_MMIOMT_SET_FUNC_ID, tt->func_id);
	u64 got, set;
	int ret;

	for (got = 0; got < tt->nr_regions; got++) {
		ret = tdx_host_mmiomt_get(tt->tables, tdx_host_tdi_region(tt, got));
		if (ret)
			goto err;
	}
	for (set = 0; set < tt->nr_mmio; set++) {
		u64 idx = tdx_host_mmiomt_idx(tdx_host_tdi_page(tt, set), TDX_MMIOMT_LEVEL_4K);

		if (tdh_mmiomt_set(idx, data) != TDX_SUCCESS) {
			ret = -EIO;
			goto err_set;
		}
		cond_resched();
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
	kfree(tt);
}

/* Everything a bind needs, allocated before the first step */
static struct tdx_host_tdi *tdx_host_tdi_alloc(struct tdx_host_link *link,
					       struct pci_dev *pdev)
{
	struct tdx_host_tdi *tt;
	unsigned int i;
	int ret;

	tt = kzalloc_obj(*tt);
	if (!tt)
		return ERR_PTR(-ENOMEM);
	ret = tdx_host_tdi_mmio_init(tt, pdev);
	if (ret) {
		kfree(tt);
		return ERR_PTR(ret);
	}
	tt->relay = &link->relay;
	tt->tables = link->tables;
	tt->func_id = FIELD_PREP(TDX_FUNC_ID_RID, pci_dev_id(pdev));
	tt->devif_id = FIELD_PREP(TDX_DEVIF_ID_FUNC_ID, tt->func_id) |
		       FIELD_PREP(TDX_DEVIF_ID_IOMMU_ID, link->iommu_id) |
		       FIELD_PREP(TDX_DEVIF_ID_STREAM_ID, link->stream_id) |
		       FIELD_PREP(TDX_DEVIF_ID_TYPE, TDX_DEVIF_TYPE_PFVF);

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
	return tt;

err:
	tdx_host_tdi_free(tt);
	return ERR_PTR(-ENOMEM);
}

/* TDX Connect needs every host participant, and a TD with its TDR page */
static bool tdx_host_tdi_host_valid(const struct pci_tdi_host *host, struct kvm *kvm,
				    u64 *tdr)
{
	const struct pci_tdi_host_ops *ops = host ? host->ops : NULL;

	return ops && ops->dma_setup && ops->dma_cleanup && ops->mmio_unmap &&
	       ops->mmio_share && kvm && !tdx_td_tdr_pa(kvm, tdr);
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
 * @kvm: the TD, whose TDR page tdx_td_tdr_pa() finds
 * @tdi_id: the TDI's ID as the TD sees it, a virtual BDF of that TD
 * @host: the host participants, all four ops of which are needed
 *
 * Runs the bind steps of the DOC section above: @host->ops->dma_setup,
 * TDI metadata, TDI ownership, trusted DMA, MMIO ownership, TDISP LOCK.
 * A failure undoes the steps before it in exact reverse; pages the module
 * does not give back then are leaked with one warning.
 *
 * @tdi_id is the TD's name for the TDI: two TDs may use the same one, and
 * the PCI/TSM core binds a function once, so it is not checked here.  The
 * MMIO of the function has no bound of its own: bind and unbind take one
 * SEAMCALL per 4 KiB page each, about 262144 per GiB of memory BARs.
 *
 * Context: Process context, may sleep.  Called by the link TSM ops with
 * pci_tsm_rwsem held for read and the device's DSM lock held, which
 * serializes bind, unbind and guest_req of one function.
 * Return: the bound TDI, or an ERR_PTR(): -EINVAL for a NULL @kvm, a @kvm
 * that is not a TD with its TDR page set up, or a NULL @host or op;
 * -ENXIO for a NULL @link or a @pdev that its IDE stream does not carry;
 * -EINVAL for memory BARs that are not 4 KiB aligned; -ENOMEM; the error
 * of @host->ops->dma_setup; -EBUSY if the module already has a TDI for
 * @pdev; the relay's error (tdx_host_relay()) of the LOCK exchange; or
 * -EIO if the module or the device refused a step.  Nothing changes on
 * bad input.
 */
struct pci_tdi *tdx_host_tdi_bind(struct tdx_host_link *link,
				  struct pci_dev *pdev, struct kvm *kvm,
				  u32 tdi_id, const struct pci_tdi_host *host)
{
	struct tdx_host_tdi *tt;
	u64 tdr;
	int ret;

	if (!tdx_host_tdi_host_valid(host, kvm, &tdr))
		return ERR_PTR(-EINVAL);
	if (!tdx_host_link_covers(link, pdev))
		return ERR_PTR(-ENXIO);

	tt = tdx_host_tdi_alloc(link, pdev);
	if (IS_ERR(tt))
		return ERR_CAST(tt);
	pci_tsm_tdi_constructor(pdev, &tt->base, kvm, tdi_id, host);
	tt->tdr = tdr;

	ret = host->ops->dma_setup(host, &tt->base);
	if (ret)
		goto err_free;

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
err_free:
	tdx_host_tdi_free(tt);
	return ERR_PTR(ret);
}

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
 * any case.  The MMIO goes back to shared use only if the module gave
 * back every page of it and the TDI: what it keeps is still the TD's.
 * Nothing is allocated.
 *
 * Context: Process context, may sleep.  Called by the link TSM ops with
 * pci_tsm_rwsem held and the device's DSM lock held.
 */
void tdx_host_tdi_unbind(struct pci_tdi *tdi)
{
	const struct pci_tdi_host *host;
	struct tdx_host_tdi *tt;
	bool released;

	if (!tdi)
		return;
	tt = to_tdx_host_tdi(tdi);
	host = tdi->host;

	/* A TDI that does not stop keeps the module from giving it back. */
	tdx_host_tdi_tdisp_state(tt, TDX_TDISP_STOP_INTERFACE_REQ);
	host->ops->mmio_unmap(host, tdi);
	released = tdx_host_tdi_take_mmio(tt, tt->nr_regions, tt->nr_mmio);
	tdx_host_dmar_teardown(&tt->dmar);
	if (tdx_host_tdi_reclaim(tt))
		tdx_host_devifmt_put(tt->tables, tt->func_id);
	else
		released = false;
	host->ops->dma_cleanup(host, tdi);
	if (released)
		host->ops->mmio_share(host, tdi);
	else
		pci_err(tdi->pdev, "MMIO stays with the TDX module, not shared again\n");

	tdx_host_tdi_free(tt);
}

/**
 * tdx_host_tdi_guest_req() - Carry a TDISP request of the TD to its TDI
 * @tdi: the bound TDI
 * @scope: PCI_TSM_REQ_INFO or PCI_TSM_REQ_STATE_CHANGE
 * @req_in: nothing: the request is in the TD's own memory
 * @in_len: 0
 * @req_out: receives the module's response word (TDX_DEVIF_RSP_OUT_*), a
 *	     little-endian u64
 * @out_len: size of @req_out, at least 8
 * @tsm_code: the module's status of the leaf that ended the request
 *
 * The TD writes its request with TDG.DEVIF.REQUEST, in a message buffer
 * of its own that the host cannot read, and asks the host to carry it.
 * The host has the module secure it (TDH.DEVIF.REQUEST in TD mode),
 * carries it over DOE and gives the module the device's answer in TD mode
 * too: the module decrypts it into the TD's buffer, where the TD reads it
 * with TDG.DEVIF.RESPONSE, and the host learns only the status and the
 * response code.  The host cannot tell one TD request from another, so
 * @scope is the caller's assertion, as the PCI/TSM core describes it; the
 * module lets a TD request only what TDISP allows it.  A request the
 * device does not answer stays outstanding, and is carried again first by
 * the next request of the TDI.
 *
 * Context: Process context, may sleep.  Called by the link TSM ops with
 * pci_tsm_rwsem held for read and the device's DSM lock held.
 * Return: the bytes of @req_out not filled, -EINVAL for a NULL @tdi, a
 * @scope beyond enum pci_tsm_req_scope or a non-empty @req_in,
 * -EOPNOTSUPP for the debug scopes, -EMSGSIZE if @req_out cannot hold the
 * response word, -EFAULT, the DOE error, or -EIO if the module refused
 * the request or the device's answer.  Nothing changes on bad input.
 */
ssize_t tdx_host_tdi_guest_req(struct pci_tdi *tdi, enum pci_tsm_req_scope scope,
			       sockptr_t req_in, size_t in_len,
			       sockptr_t req_out, size_t out_len, u64 *tsm_code)
{
	u64 rsp_out = 0, status = TDX_SUCCESS;
	__le64 word;
	int ret;

	if (!tdi || scope > PCI_TSM_REQ_DEBUG_WRITE || in_len)
		return -EINVAL;
	if (scope == PCI_TSM_REQ_DEBUG_READ || scope == PCI_TSM_REQ_DEBUG_WRITE)
		return -EOPNOTSUPP;
	if (out_len < sizeof(word))
		return -EMSGSIZE;

	ret = tdx_host_tdi_tdisp(to_tdx_host_tdi(tdi), 0, true, &rsp_out, &status);
	if (tsm_code)
		*tsm_code = status;
	if (ret)
		return ret;

	word = cpu_to_le64(rsp_out);
	if (copy_to_sockptr(req_out, &word, sizeof(word)))
		return -EFAULT;
	return out_len - sizeof(word);
}
