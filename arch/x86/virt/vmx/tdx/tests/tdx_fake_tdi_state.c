// SPDX-License-Identifier: GPL-2.0-only
/*
 * The state of the fake TDI lifecycle leaves for KUnit, as tests look at
 * it: the pages its tables hold, and a digest of the whole model, so that
 * a test can check that a refused call changed nothing.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

#include <linux/cleanup.h>
#include <linux/mutex.h>
#include <linux/xarray.h>

#include <kunit/visibility.h>

#include "tdx_fake_tdi_state.h"

/**
 * tdx_fake_tdi_nr_pages() - Pages the fake holds for one level of a table
 * @ft: the fake's TDI state
 * @table: TDX_FAKE_TDI_DEVIFMT, TDX_FAKE_TDI_MMIOMT or TDX_FAKE_TDI_DMAR
 * @level: DEVIFMT and MMIOMT: the level of the pages; DMAR: the level of
 *	   the entries that point to them (TDX_DMAR_LEVEL_*)
 *
 * Context: Process context, in a KUnit test.
 * Return: the number of pages, 0 for a level or table that has none.
 */
unsigned long tdx_fake_tdi_nr_pages(struct tdx_fake_tdi *ft, enum tdx_fake_tdi_table table,
				    unsigned int level)
{
	if (table >= TDX_FAKE_TDI_NR_TABLES || level >= TDX_FAKE_TDI_NR_LEVELS)
		return 0;
	guard(mutex)(&ft->lock);
	return ft->nr_pages[table][level];
}
EXPORT_SYMBOL_IF_KUNIT(tdx_fake_tdi_nr_pages);

/* FNV-1a over 64-bit words */
static u64 fake_hash(u64 h, u64 v)
{
	return (h ^ v) * 0x100000001b3ULL;
}

static u64 fake_hash_bytes(u64 h, const void *p, size_t len)
{
	const u8 *b = p;

	while (len--)
		h = fake_hash(h, *b++);
	return h;
}

/* Indices and values of @xa; pointers by the @size bytes they point to */
static u64 fake_hash_xa(u64 h, struct xarray *xa, size_t size)
{
	unsigned long key;
	void *v;

	xa_for_each(xa, key, v) {
		h = fake_hash(h, key);
		h = xa_is_value(v) ? fake_hash(h, xa_to_value(v)) : fake_hash_bytes(h, v, size);
	}
	return h;
}

/**
 * tdx_fake_tdi_digest() - A digest of the state of the fake's model
 * @ft: the fake's TDI state
 *
 * Covers every table entry, TDI, mapping, invalidation queue and page
 * count, not the log, the counters and the knobs: a call that changes
 * nothing leaves it as it was.
 *
 * Context: Process context, in a KUnit test, not inside a SEAMCALL.
 * Return: the digest.
 */
u64 tdx_fake_tdi_digest(struct tdx_fake_tdi *ft)
{
	u64 h = 0xcbf29ce484222325ULL;
	unsigned int i, l;

	guard(mutex)(&ft->lock);
	for (l = 0; l < ARRAY_SIZE(ft->devifmt); l++)
		h = fake_hash_xa(h, &ft->devifmt[l], 0);
	h = fake_hash_xa(h, &ft->devifs, sizeof(struct tdx_fake_devif));
	for (l = 0; l < ARRAY_SIZE(ft->mmiomt_pages); l++)
		h = fake_hash_xa(h, &ft->mmiomt_pages[l], 0);
	for (l = 0; l < ARRAY_SIZE(ft->mmiomt_data); l++)
		h = fake_hash_xa(h, &ft->mmiomt_data[l], 0);
	h = fake_hash_xa(h, &ft->mmio_maps, sizeof(struct tdx_fake_mmio));
	for (i = 0; i < TDX_FAKE_MAX_IOMMUS; i++) {
		for (l = 0; l <= TDX_DMAR_LEVEL_RTE; l++)
			h = fake_hash_xa(h, &ft->dmar[i][l], sizeof(struct tdx_fake_dmar));
		h = fake_hash(h, ft->iq[i].tail);
		h = fake_hash(h, ft->iq[i].sw_head);
	}
	return fake_hash_bytes(h, ft->nr_pages, sizeof(ft->nr_pages));
}
EXPORT_SYMBOL_IF_KUNIT(tdx_fake_tdi_digest);
