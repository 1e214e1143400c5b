// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for handing page lists to the TDX module.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

#include <kunit/static_stub.h>
#include <kunit/test.h>
#include <linux/bitmap.h>
#include <linux/cacheflush.h>
#include <linux/err.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include <asm/tdx_handoff.h>
#include <asm/tdx_page_list.h>

#include "tdx_handoff_kunit.h"

/*
 * The operand layouts, written out from the ABI table rather than taken
 * from the header under test.
 */
#define ABI_FIRST_ENTRY_MASK	0x0000000000000ff8ULL	/* bits 11:3 */
#define ABI_FIRST_ENTRY_SHIFT	3
#define ABI_PFN_MASK		0x000ffffffffff000ULL	/* bits 51:12 */
#define ABI_COUNT_MASK		0xff80000000000000ULL	/* bits 63:55 */
#define ABI_COUNT_SHIFT		55
#define ABI_ROOT_ENTRIES	512

KUNIT_DEFINE_ACTION_WRAPPER(free_list_action, tdx_page_list_free,
			    struct tdx_page_list *);
KUNIT_DEFINE_ACTION_WRAPPER(handoff_fini_action, tdx_handoff_fini,
			    struct tdx_handoff *);

static struct tdx_page_list *test_list(struct kunit *test, unsigned int nr_pages)
{
	struct tdx_page_list *list;

	list = tdx_page_list_alloc_bulk(nr_pages);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(list));
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, free_list_action, list));
	return list;
}

static struct tdx_handoff *test_handoff(struct kunit *test, struct tdx_page_list *list)
{
	struct tdx_handoff *ho;

	ho = kunit_kzalloc(test, sizeof(*ho), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ho);
	KUNIT_ASSERT_EQ(test, tdx_handoff_init(ho, list), 0);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, handoff_fini_action, ho));
	return ho;
}

static u64 *decode_root(u64 operand)
{
	return phys_to_virt(operand & ABI_PFN_MASK);
}

static void field_masks_match_abi_table(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, TDX_HPA_LIST_INFO_FIRST_ENTRY, ABI_FIRST_ENTRY_MASK);
	KUNIT_EXPECT_EQ(test, TDX_HPA_LIST_INFO_PFN, ABI_PFN_MASK);
	KUNIT_EXPECT_EQ(test, TDX_HPA_LIST_INFO_LAST_ENTRY, ABI_COUNT_MASK);
	KUNIT_EXPECT_EQ(test, TDX_HPA_ARRAY_PFN, ABI_PFN_MASK);
	KUNIT_EXPECT_EQ(test, TDX_HPA_ARRAY_SIZE, ABI_COUNT_MASK);
	KUNIT_EXPECT_EQ(test, TDX_ROOT_PAGE_MAX_ENTRIES, ABI_ROOT_ENTRIES);
}

static const unsigned int one_root_sizes[] = { 1, 2, 511, 512 };

static void size_desc(const unsigned int *nr, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%u pages", *nr);
}

KUNIT_ARRAY_PARAM(one_root, one_root_sizes, size_desc);

static void hpa_list_info_decodes_to_the_list(struct kunit *test)
{
	unsigned int nr = *(const unsigned int *)test->param_value;
	struct tdx_page_list *list = test_list(test, nr);
	struct tdx_handoff *ho = test_handoff(test, list);
	unsigned int i;
	u64 info, *root;

	KUNIT_ASSERT_EQ(test, tdx_handoff_next_chunk(ho), nr);
	KUNIT_ASSERT_EQ(test, tdx_handoff_hpa_list_info(ho, &info), 0);

	/* Host writes FIRST_ENTRY 0; reserved bits 2:0 and 54:52 stay 0. */
	KUNIT_EXPECT_EQ(test, info & ABI_FIRST_ENTRY_MASK, 0);
	KUNIT_EXPECT_EQ(test, info & ~(ABI_FIRST_ENTRY_MASK | ABI_PFN_MASK |
				       ABI_COUNT_MASK), 0);
	KUNIT_EXPECT_EQ(test, info >> ABI_COUNT_SHIFT, nr - 1);

	root = decode_root(info);
	KUNIT_EXPECT_PTR_EQ(test, root, ho->root);
	for (i = 0; i < nr; i++)
		KUNIT_EXPECT_EQ(test, root[i], page_to_phys(list->pages[i]));
}

static void hpa_array_decodes_to_the_list(struct kunit *test)
{
	unsigned int nr = *(const unsigned int *)test->param_value;
	struct tdx_page_list *list = test_list(test, nr);
	struct tdx_handoff *ho = test_handoff(test, list);
	unsigned int i;
	u64 array;

	KUNIT_ASSERT_EQ(test, tdx_handoff_next_chunk(ho), nr);
	KUNIT_ASSERT_EQ(test, tdx_handoff_hpa_array(ho, &array), 0);

	/* Reserved bits 11:0 and 54:52 are 0. */
	KUNIT_EXPECT_EQ(test, array & ~(ABI_PFN_MASK | ABI_COUNT_MASK), 0);
	KUNIT_EXPECT_EQ(test, array >> ABI_COUNT_SHIFT, nr - 1);

	if (nr == 1) {
		/* SIZE 0: the PFN field is the page itself. */
		KUNIT_EXPECT_EQ(test, array & ABI_PFN_MASK, page_to_phys(list->pages[0]));
		return;
	}

	KUNIT_EXPECT_PTR_EQ(test, decode_root(array), ho->root);
	for (i = 0; i < nr; i++)
		KUNIT_EXPECT_EQ(test, decode_root(array)[i], page_to_phys(list->pages[i]));
}

static void hpa_array_refuses_more_than_one_root(struct kunit *test)
{
	struct tdx_page_list *list = test_list(test, ABI_ROOT_ENTRIES + 1);
	struct tdx_handoff *ho = test_handoff(test, list);
	u64 array = 0;

	KUNIT_ASSERT_EQ(test, tdx_handoff_next_chunk(ho), ABI_ROOT_ENTRIES);
	KUNIT_EXPECT_EQ(test, tdx_handoff_hpa_array(ho, &array), -E2BIG);
	KUNIT_ASSERT_EQ(test, tdx_handoff_next_chunk(ho), 1);
	KUNIT_EXPECT_EQ(test, tdx_handoff_hpa_array(ho, &array), -E2BIG);
	KUNIT_EXPECT_EQ(test, array, 0);
}

static const unsigned int chunked_sizes[] = { 1, 512, 513, 1024, 1025, 12800 };

KUNIT_ARRAY_PARAM(chunked, chunked_sizes, size_desc);

/* Every page goes over exactly once, in chunks of at most one root page. */
static void chunks_cover_every_page_once(struct kunit *test)
{
	unsigned int nr = *(const unsigned int *)test->param_value;
	struct tdx_page_list *list = test_list(test, nr);
	struct tdx_handoff *ho = test_handoff(test, list);
	unsigned int chunks = 0, seen = 0, n, i;
	unsigned long *handed;
	u64 *root = ho->root;

	handed = kunit_kcalloc(test, BITS_TO_LONGS(nr), sizeof(long), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, handed);

	while ((n = tdx_handoff_next_chunk(ho))) {
		u64 info;

		chunks++;
		KUNIT_ASSERT_LE(test, n, ABI_ROOT_ENTRIES);
		KUNIT_ASSERT_EQ(test, tdx_handoff_hpa_list_info(ho, &info), 0);
		/* Same root page for every chunk: no allocation per chunk. */
		KUNIT_ASSERT_PTR_EQ(test, decode_root(info), root);
		KUNIT_ASSERT_EQ(test, info >> ABI_COUNT_SHIFT, n - 1);

		for (i = 0; i < n; i++) {
			unsigned int idx = ho->first + i;

			KUNIT_ASSERT_LT(test, idx, nr);
			KUNIT_ASSERT_EQ(test, root[i], page_to_phys(list->pages[idx]));
			KUNIT_ASSERT_FALSE_MSG(test, __test_and_set_bit(idx, handed),
					       "page %u handed over twice", idx);
			seen++;
		}
		KUNIT_ASSERT_LE(test, chunks, DIV_ROUND_UP(nr, ABI_ROOT_ENTRIES));
	}

	KUNIT_EXPECT_EQ(test, seen, nr);
	KUNIT_EXPECT_EQ(test, chunks, DIV_ROUND_UP(nr, ABI_ROOT_ENTRIES));
	KUNIT_EXPECT_EQ(test, ho->nr_chunks, chunks);
	/* Walking past the end stays at the end. */
	KUNIT_EXPECT_EQ(test, tdx_handoff_next_chunk(ho), 0);
}

static unsigned long flushed_bytes;

static void fake_flush(const void *addr, unsigned int size)
{
	flushed_bytes += size;
	clflush_cache_range((void *)addr, size);
}

static void chunk_flushes_root_entries_and_pages(struct kunit *test)
{
	struct tdx_page_list *list = test_list(test, 600);
	struct tdx_handoff *ho = test_handoff(test, list);

	flushed_bytes = 0;
	kunit_activate_static_stub(test, tdx_handoff_flush, fake_flush);

	KUNIT_ASSERT_EQ(test, tdx_handoff_next_chunk(ho), 512);
	KUNIT_EXPECT_EQ(test, flushed_bytes, 512 * (PAGE_SIZE + sizeof(u64)));

	flushed_bytes = 0;
	KUNIT_ASSERT_EQ(test, tdx_handoff_next_chunk(ho), 88);
	KUNIT_EXPECT_EQ(test, flushed_bytes, 88 * (PAGE_SIZE + sizeof(u64)));
}

static u64 list_info(u64 pfn, u64 first, u64 last)
{
	return (first << ABI_FIRST_ENTRY_SHIFT) | (pfn << PAGE_SHIFT) |
	       (last << ABI_COUNT_SHIFT);
}

static void resume_accepts_only_forward_progress(struct kunit *test)
{
	u64 in = list_info(0x12345, 0, 511);

	KUNIT_EXPECT_EQ(test, tdx_hpa_list_info_resume(in, in), 0);
	KUNIT_EXPECT_EQ(test, tdx_hpa_list_info_resume(in, list_info(0x12345, 200, 511)), 0);
	KUNIT_EXPECT_EQ(test, tdx_hpa_list_info_resume(in, list_info(0x12345, 511, 511)), 0);
	KUNIT_EXPECT_EQ(test, tdx_hpa_list_info_resume(list_info(0x12345, 200, 511),
						       list_info(0x12345, 100, 511)), -EIO);
	KUNIT_EXPECT_EQ(test, tdx_hpa_list_info_resume(in, list_info(0x12346, 200, 511)), -EIO);
	KUNIT_EXPECT_EQ(test, tdx_hpa_list_info_resume(in, list_info(0x12345, 200, 510)), -EIO);
	KUNIT_EXPECT_EQ(test, tdx_hpa_list_info_resume(list_info(0x12345, 0, 7),
						       list_info(0x12345, 8, 7)), -EIO);
	KUNIT_EXPECT_EQ(test, tdx_hpa_list_info_resume(in, in | BIT_ULL(0)), -EIO);
	KUNIT_EXPECT_EQ(test, tdx_hpa_list_info_resume(in, in | BIT_ULL(52)), -EIO);
}

static u64 *fail_alloc_root(void)
{
	return NULL;
}

static void bad_input_is_refused(struct kunit *test)
{
	struct tdx_page_list *list = test_list(test, 1);
	struct tdx_page_list empty = { .nr_pages = 0 };
	struct tdx_handoff ho = {}, *hop;
	u64 op;

	KUNIT_EXPECT_EQ(test, tdx_handoff_init(&ho, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, tdx_handoff_init(NULL, list), -EINVAL);
	KUNIT_EXPECT_EQ(test, tdx_handoff_init(&ho, &empty), -EINVAL);
	KUNIT_EXPECT_NULL(test, ho.root);

	kunit_activate_static_stub(test, tdx_handoff_alloc_root, fail_alloc_root);
	KUNIT_EXPECT_EQ(test, tdx_handoff_init(&ho, list), -ENOMEM);
	kunit_deactivate_static_stub(test, tdx_handoff_alloc_root);

	/* No chunk prepared yet: nothing to encode. */
	hop = test_handoff(test, list);
	KUNIT_EXPECT_EQ(test, tdx_handoff_hpa_list_info(hop, &op), -EINVAL);
	KUNIT_EXPECT_EQ(test, tdx_handoff_hpa_array(hop, &op), -EINVAL);
}

static struct kunit_case tdx_handoff_test_cases[] = {
	KUNIT_CASE(field_masks_match_abi_table),
	KUNIT_CASE_PARAM(hpa_list_info_decodes_to_the_list, one_root_gen_params),
	KUNIT_CASE_PARAM(hpa_array_decodes_to_the_list, one_root_gen_params),
	KUNIT_CASE(hpa_array_refuses_more_than_one_root),
	KUNIT_CASE_PARAM(chunks_cover_every_page_once, chunked_gen_params),
	KUNIT_CASE(chunk_flushes_root_entries_and_pages),
	KUNIT_CASE(resume_accepts_only_forward_progress),
	KUNIT_CASE(bad_input_is_refused),
	{}
};

static struct kunit_suite tdx_handoff_test_suite = {
	.name = "tdx_handoff",
	.test_cases = tdx_handoff_test_cases,
};

kunit_test_suite(tdx_handoff_test_suite);
