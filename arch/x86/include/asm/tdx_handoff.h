/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Handing a page list to the TDX module through one root page, as an
 * HPA_LIST_INFO or an HPA_ARRAY_T operand.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */
#ifndef _ASM_X86_TDX_HANDOFF_H
#define _ASM_X86_TDX_HANDOFF_H

#include <linux/bitfield.h>
#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/types.h>

#include <asm/page_types.h>

/*
 * A root page is one 4 KiB page of u64 entries, each the HPA of a page;
 * the TDX module reads it during the SEAMCALL and never keeps it.
 */
#define TDX_ROOT_PAGE_MAX_ENTRIES	(PAGE_SIZE / sizeof(u64))

/* HPA_LIST_INFO: a resumable list of pages (TDH.EXT.MEM.ADD) */
#define TDX_HPA_LIST_INFO_FIRST_ENTRY	GENMASK_ULL(11, 3)
#define TDX_HPA_LIST_INFO_PFN		GENMASK_ULL(51, 12)
#define TDX_HPA_LIST_INFO_LAST_ENTRY	GENMASK_ULL(63, 55)

/*
 * HPA_ARRAY_T: a list of pages (SPDM and IDE metadata, DELETE outputs).
 * With one entry, SIZE is 0 and the PFN field is that page itself.
 */
#define TDX_HPA_ARRAY_PFN		GENMASK_ULL(51, 12)
#define TDX_HPA_ARRAY_SIZE		GENMASK_ULL(63, 55)

/* An entry index must fit both formats' count fields, and nothing more. */
static_assert((TDX_HPA_LIST_INFO_LAST_ENTRY >> __bf_shf(TDX_HPA_LIST_INFO_LAST_ENTRY)) + 1 ==
	      TDX_ROOT_PAGE_MAX_ENTRIES);
static_assert((TDX_HPA_LIST_INFO_FIRST_ENTRY >> __bf_shf(TDX_HPA_LIST_INFO_FIRST_ENTRY)) + 1 ==
	      TDX_ROOT_PAGE_MAX_ENTRIES);
static_assert((TDX_HPA_ARRAY_SIZE >> __bf_shf(TDX_HPA_ARRAY_SIZE)) + 1 ==
	      TDX_ROOT_PAGE_MAX_ENTRIES);

/*
 * Software structures below.
 */

struct tdx_page_list;

/**
 * struct tdx_handoff - a page list on its way to the TDX module
 * @list: the pages handed over, not owned by the hand-off
 * @root: the root page, TDX_ROOT_PAGE_MAX_ENTRIES entries
 * @first: index in @list of the first page of the current chunk
 * @nr_entries: entries of the current chunk in @root, 0 before the first
 * @nr_chunks: chunks prepared so far
 *
 * A list longer than one root page goes over in chunks that reuse @root;
 * tdx_handoff_next_chunk() moves to the next one.
 */
struct tdx_handoff {
	const struct tdx_page_list *list;
	u64 *root;
	unsigned int first;
	unsigned int nr_entries;
	unsigned int nr_chunks;
};

int tdx_handoff_init(struct tdx_handoff *ho, const struct tdx_page_list *list);
void tdx_handoff_fini(struct tdx_handoff *ho);
unsigned int tdx_handoff_next_chunk(struct tdx_handoff *ho);
int tdx_handoff_hpa_list_info(const struct tdx_handoff *ho, u64 *hpa_list_info);
int tdx_handoff_hpa_array(const struct tdx_handoff *ho, u64 *hpa_array);
int tdx_hpa_list_info_resume(u64 in, u64 out);
void tdx_handoff_flush(const void *addr, unsigned int size);
void tdx_handoff_clear_root(const struct tdx_handoff *ho);

#endif /* _ASM_X86_TDX_HANDOFF_H */
