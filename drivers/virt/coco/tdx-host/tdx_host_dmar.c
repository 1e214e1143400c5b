// SPDX-License-Identifier: GPL-2.0
/*
 * Trusted DMA remapping of TDIs in the TDX module's tables.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

#include <linux/bitfield.h>
#include <linux/gfp.h>
#include <linux/delay.h>
#include <linux/mm.h>
#include <linux/printk.h>

#include <asm/shared/tdx_errno.h>
#include <asm/tdx.h>
#include <asm/tdx_page_list.h>
#include <asm/tdx_release.h>
#include <asm/tdx_tdi.h>

#include "tdx_host_dmar.h"
#include "tdx_host_tables.h"

/**
 * DOC: Trusted DMA remapping
 *
 * The TDX module keeps the trusted DMA remapping tables of each IOMMU in
 * pages the host gives it: below the root table that TDH.IOMMU.SETUP set
 * up, a root table entry (shared by 128 Requester IDs) points to a
 * context table page, a TDI's context entry to its PASID directory page,
 * the PASID directory entry to its PASID table page, and the PASID table
 * entry of PASID 0 translates the TDI's DMA once the TD accepts it.
 * tdx-host adds the four levels top down when it binds a TDI, after the
 * TDI exists, so that the PASID table entry can be blocked again if the
 * bind fails: the module blocks it only while the TDI exists.
 *
 * Each entry goes away bottom up in four steps: TDH.DMAR.BLOCK, the
 * invalidation of what the IOMMU cached (TDH.IQ.INV.REQUEST queues it with
 * a wait descriptor whose status write, to a shared page, says when the
 * IOMMU is done), TDH.IQ.INV.PROCESS to let the module see it done, and
 * TDH.DMAR.REMOVE, which gives back the table page the entry pointed to.
 * A step the module refuses, or an IOMMU that does not answer within
 * TDX_HOST_DMAR_INV_TIMEOUT_US, leaves that entry and every one above it
 * in place, their pages leaked with a warning.
 *
 * tdx-host issues these SEAMCALLs itself, not the IOMMU driver: the
 * tables are the module's, not the ones intel-iommu manages, and the
 * order they are set up and torn down in belongs to the bind engine.
 */

static u64 tdx_host_dmar_idx(const struct tdx_host_dmar *dmar, unsigned int level)
{
	/* PASID 0: the RID_PASID of the context entry, the only one allowed */
	return FIELD_PREP(TDX_DMAR_IDX_IOMMU_ID, dmar->iommu_id) |
	       FIELD_PREP(TDX_DMAR_IDX_RID, dmar->rid) |
	       FIELD_PREP(TDX_DMAR_IDX_LEVEL, level);
}

/*
 * Wait for the IOMMU's status write of @data.  The budget is counted in
 * polls, not in time, so that a stalled vCPU or a loaded host does not use
 * up the IOMMU's time: at least TDX_HOST_DMAR_INV_TIMEOUT_US in all.
 */
static bool tdx_host_dmar_wait(const u32 *word, u32 data)
{
	unsigned int i;

	for (i = 0; i < TDX_HOST_DMAR_INV_TIMEOUT_US / TDX_HOST_DMAR_POLL_US; i++) {
		if (READ_ONCE(*word) == data)
			return true;
		usleep_range(TDX_HOST_DMAR_POLL_US, 2 * TDX_HOST_DMAR_POLL_US);
	}
	return READ_ONCE(*word) == data;
}

/* Invalidate what the IOMMU cached of an entry that is blocked. */
static u64 tdx_host_dmar_invalidate(struct tdx_host_dmar *dmar, unsigned int type,
				    const char **op)
{
	u32 *word = page_address(dmar->status);
	u64 wait[4], status;
	u32 data;

	/* Never 0, which the page holds before the IOMMU writes it */
	data = ++dmar->cookie ?: ++dmar->cookie;
	WRITE_ONCE(*word, 0);
	wait[0] = FIELD_PREP(TDX_IQ_WAIT_TYPE, TDX_IQ_WAIT_TYPE_WAIT) | TDX_IQ_WAIT_SW |
		  TDX_IQ_WAIT_FN | FIELD_PREP(TDX_IQ_WAIT_DATA, data);
	wait[1] = page_to_phys(dmar->status);
	wait[2] = 0;
	wait[3] = 0;

	*op = "TDH.IQ.INV.REQUEST";
	status = tdh_iq_inv_request(dmar->iommu_id, FIELD_PREP(TDX_IQ_INV_TYPE, type),
				    FIELD_PREP(TDX_IQ_SUBJECT_RID, dmar->rid), wait);
	if (status != TDX_SUCCESS)
		return status;

	*op = "the IOMMU's invalidation wait";
	if (!tdx_host_dmar_wait(word, data)) {
		/* It may still write the page: it can never be freed. */
		dmar->status = NULL;
		return TDX_SW_ERROR;
	}

	*op = "TDH.IQ.INV.PROCESS";
	return tdh_iq_inv_process(dmar->iommu_id);
}

/* Block, invalidate and remove one entry; @released_pa: its table page */
static u64 tdx_host_dmar_unmap(struct tdx_host_dmar *dmar, unsigned int level,
			       unsigned int type, u64 *released_pa)
{
	u64 idx = tdx_host_dmar_idx(dmar, level);
	const char *op = "TDH.DMAR.BLOCK";
	u64 status;

	*released_pa = 0;
	if (!dmar->status) {
		op = "the IOMMU's invalidation wait";
		status = TDX_SW_ERROR;
		goto err;
	}
	status = tdh_dmar_block(idx);
	if (status != TDX_SUCCESS)
		goto err;
	status = tdx_host_dmar_invalidate(dmar, type, &op);
	if (status != TDX_SUCCESS)
		goto err;
	op = "TDH.DMAR.REMOVE";
	status = tdh_dmar_remove(idx, released_pa);
	if (status != TDX_SUCCESS)
		goto err;
	return TDX_SUCCESS;

err:
	pr_err("IOMMU %u RID %04x: %s of the level-%u DMA remapping entry failed: 0x%016llx\n",
	       dmar->iommu_id, dmar->rid, op, level, status);
	return status;
}

/* Root table entries: one context table page for 128 RIDs of one IOMMU */
static u64 tdx_host_dmar_rte_addr(const struct tdx_host_dmar *dmar)
{
	return ((u64)dmar->iommu_id << 16) | dmar->rid;
}

static u64 tdx_host_dmar_rte_add(void *ctx, u64 addr, unsigned int level, struct page *page)
{
	struct tdx_dmar_entry rte = {
		.qw = { TDX_DMAR_ENTRY_PRESENT | page_to_phys(page) },
	};

	return tdh_dmar_add(tdx_host_dmar_idx(ctx, TDX_DMAR_LEVEL_RTE), &rte);
}

static u64 tdx_host_dmar_rte_remove(void *ctx, u64 addr, unsigned int level,
				    u64 *released_pa)
{
	return tdx_host_dmar_unmap(ctx, TDX_DMAR_LEVEL_RTE, TDX_IQ_INV_RTE, released_pa);
}

static const struct tdx_host_tree tdx_host_dmar_rte_tree = {
	.add_op = "TDH.DMAR.ADD",
	.remove_op = "TDH.DMAR.REMOVE",
	.top = 1,
	.shift = { [1] = 7 },
	.add = tdx_host_dmar_rte_add,
	.remove = tdx_host_dmar_rte_remove,
};

/**
 * tdx_host_dmar_init() - Prepare the trusted DMA remapping of a TDI
 * @dmar: the TDI's remapping state
 * @tables: the tables of tdx-host, for the shared root table entries
 * @iommu_id: the TDX module's ID of the TDI's IOMMU
 * @rid: the TDI's Requester ID
 *
 * Allocates every page tdx_host_dmar_setup() needs but the shared ones.
 *
 * Context: Process context, may sleep.
 * Return: 0 or -ENOMEM.
 */
int tdx_host_dmar_init(struct tdx_host_dmar *dmar, struct tdx_host_tables *tables,
		       u16 iommu_id, u16 rid)
{
	*dmar = (struct tdx_host_dmar) {
		.tables = tables,
		.iommu_id = iommu_id,
		.rid = rid,
	};
	dmar->status = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!dmar->status)
		goto err;
	dmar->tables_pg = tdx_page_list_alloc_bulk(TDX_HOST_DMAR_NR_PAGES);
	if (IS_ERR(dmar->tables_pg)) {
		dmar->tables_pg = NULL;
		goto err;
	}
	return 0;

err:
	tdx_host_dmar_free(dmar);
	return -ENOMEM;
}

/**
 * tdx_host_dmar_free() - Free what tdx_host_dmar_init() allocated
 * @dmar: the TDI's remapping state, torn down or never set up
 *
 * Pages the module took are gone from @dmar already: freed after it gave
 * them back, or leaked.
 *
 * Context: Process context, may sleep.
 */
void tdx_host_dmar_free(struct tdx_host_dmar *dmar)
{
	if (dmar->tables_pg)
		tdx_page_list_free(dmar->tables_pg);
	dmar->tables_pg = NULL;
	if (dmar->status)
		__free_page(dmar->status);
	dmar->status = NULL;
}

/**
 * tdx_host_dmar_setup() - Add the trusted DMA remapping entries of a TDI
 * @dmar: the TDI's remapping state, from tdx_host_dmar_init()
 *
 * Adds the root table entry (if no other TDI under it has), the context
 * entry, the PASID directory entry and the PASID table entry, which the TD
 * then accepts.  The TDI must exist in the TDX module.
 *
 * Context: Process context, may sleep.
 * Return: 0, -ENOMEM, or -EIO if the module refused an entry; what was
 * added is torn down again.
 */
int tdx_host_dmar_setup(struct tdx_host_dmar *dmar)
{
	struct tdx_dmar_entry e;
	u64 status;
	int ret;

	ret = tdx_host_tree_get(dmar->tables, &tdx_host_dmar_rte_tree,
				&dmar->tables->dmar_rte, dmar, tdx_host_dmar_rte_addr(dmar));
	if (ret)
		return ret;
	dmar->nr_added = TDX_HOST_DMAR_CTE;

	/* 2^7 PASID directory entries (PDTS 0): one page */
	e = (struct tdx_dmar_entry) {
		.qw = { TDX_DMAR_ENTRY_PRESENT | FIELD_PREP(TDX_DMAR_CTE_PDTS, 0) |
			page_to_phys(dmar->tables_pg->pages[TDX_HOST_DMAR_PG_PD]) },
	};
	status = tdh_dmar_add(tdx_host_dmar_idx(dmar, TDX_DMAR_LEVEL_CTE), &e);
	if (status != TDX_SUCCESS)
		goto err;
	dmar->nr_added++;

	e = (struct tdx_dmar_entry) {
		.qw = { TDX_DMAR_ENTRY_PRESENT |
			page_to_phys(dmar->tables_pg->pages[TDX_HOST_DMAR_PG_PASIDT]) },
	};
	status = tdh_dmar_add(tdx_host_dmar_idx(dmar, TDX_DMAR_LEVEL_PDE), &e);
	if (status != TDX_SUCCESS)
		goto err;
	dmar->nr_added++;

	/*
	 * Second-level translation through the TD's secure EPT, snooped
	 * write-back: the module fills in the table pointer when the TD
	 * accepts the entry, and the domain ID.
	 */
	e = (struct tdx_dmar_entry) {
		.qw = {
			TDX_DMAR_PASIDTE_SLEE |
			FIELD_PREP(TDX_DMAR_PASIDTE_PGTT, TDX_DMAR_PASIDTE_PGTT_SL),
			TDX_DMAR_PASIDTE1_PWSNP | TDX_DMAR_PASIDTE1_PGSNP |
			TDX_DMAR_PASIDTE1_EMTE |
			FIELD_PREP(TDX_DMAR_PASIDTE1_EMT, TDX_DMAR_PASIDTE1_EMT_WB),
		},
	};
	status = tdh_dmar_add(tdx_host_dmar_idx(dmar, TDX_DMAR_LEVEL_PASIDTE), &e);
	if (status != TDX_SUCCESS)
		goto err;
	dmar->nr_added++;
	return 0;

err:
	pr_err("IOMMU %u RID %04x: TDH.DMAR.ADD of level %u failed: 0x%016llx\n",
	       dmar->iommu_id, dmar->rid, TDX_DMAR_LEVEL_RTE - dmar->nr_added, status);
	tdx_host_dmar_teardown(dmar);
	return -EIO;
}

/**
 * tdx_host_dmar_teardown() - Remove the trusted DMA remapping entries of a TDI
 * @dmar: the TDI's remapping state
 *
 * Removes, bottom up, what tdx_host_dmar_setup() added, while the TDI
 * still exists.  The table pages come back through release validation,
 * together: if the module keeps an entry, that entry and every one above
 * it stay, and the pages are leaked with one warning.
 *
 * Context: Process context, may sleep.
 */
void tdx_host_dmar_teardown(struct tdx_host_dmar *dmar)
{
	static const unsigned int types[TDX_HOST_DMAR_NR_LEVELS] = {
		[TDX_HOST_DMAR_CTE] = TDX_IQ_INV_CTE,
		[TDX_HOST_DMAR_PDE] = TDX_IQ_INV_PDE,
		[TDX_HOST_DMAR_PASIDTE] = TDX_IQ_INV_PASIDTE,
	};
	/* The page of each level's entry; 0 for the PASID table entry */
	static const int page_of[TDX_HOST_DMAR_NR_LEVELS] = {
		[TDX_HOST_DMAR_CTE] = TDX_HOST_DMAR_PG_PD,
		[TDX_HOST_DMAR_PDE] = TDX_HOST_DMAR_PG_PASIDT,
		[TDX_HOST_DMAR_PASIDTE] = -1,
	};
	u64 released[TDX_HOST_DMAR_NR_PAGES];
	u64 status = TDX_SUCCESS;
	bool handed_over;
	struct page **pg;

	if (!dmar->nr_added)
		return;
	handed_over = dmar->nr_added > TDX_HOST_DMAR_CTE;
	pg = dmar->tables_pg->pages;

	/* Pages never handed over are the kernel's already. */
	released[TDX_HOST_DMAR_PG_PD] = page_to_phys(pg[TDX_HOST_DMAR_PG_PD]);
	released[TDX_HOST_DMAR_PG_PASIDT] = page_to_phys(pg[TDX_HOST_DMAR_PG_PASIDT]);

	while (status == TDX_SUCCESS && dmar->nr_added > TDX_HOST_DMAR_CTE) {
		unsigned int level = dmar->nr_added - 1;
		u64 pa = 0;

		status = tdx_host_dmar_unmap(dmar, TDX_DMAR_LEVEL_RTE - level, types[level], &pa);
		if (status != TDX_SUCCESS)
			break;
		if (page_of[level] >= 0)
			released[page_of[level]] = pa;
		dmar->nr_added--;
	}

	if (handed_over) {
		tdx_page_list_release(dmar->tables_pg, "TDH.DMAR.REMOVE", status, released,
				      TDX_HOST_DMAR_NR_PAGES);
		dmar->tables_pg = NULL;
	}
	/* The root table entry goes only without a context entry below. */
	if (dmar->nr_added == TDX_HOST_DMAR_CTE)
		tdx_host_tree_put(dmar->tables, &tdx_host_dmar_rte_tree,
				  &dmar->tables->dmar_rte, dmar, tdx_host_dmar_rte_addr(dmar));
	dmar->nr_added = 0;
}
