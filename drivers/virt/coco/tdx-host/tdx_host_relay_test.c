// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the relay of tdx-host: what it sends to the device of
 * the TDX module's DOE data objects, what it gives back, and what it
 * refuses.  The device is a stand-in for tdx_host_relay_doe() that
 * records each exchange.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

#include <linux/bitfield.h>
#include <linux/mm.h>
#include <linux/pci.h>
#include <linux/pci-doe.h>
#include <linux/string.h>

#include <kunit/static_stub.h>
#include <kunit/test.h>

#include "tdx_host_relay.h"

#define MAX_PAYLOAD	(PAGE_SIZE - 8)

struct relay_env {
	struct tdx_host_relay relay;
	struct pci_dev pdev;
	struct page *req;
	struct page *rsp;
	/* what the device saw */
	unsigned int nr_exchanges;
	u8 type;
	size_t req_len;
	size_t rsp_size;
	u8 seen[64];
	/* what it answers */
	int ret;
	size_t rsp_len;
	u8 fill;
};

static int rec_doe(struct pci_dev *dsm, u8 type, const void *req, size_t req_len,
		   void *rsp, size_t rsp_size)
{
	struct relay_env *env = kunit_get_current_test()->priv;

	env->nr_exchanges++;
	KUNIT_EXPECT_PTR_EQ(kunit_get_current_test(), dsm, &env->pdev);
	env->type = type;
	env->req_len = req_len;
	env->rsp_size = rsp_size;
	memcpy(env->seen, req, min(req_len, sizeof(env->seen)));
	if (env->ret)
		return env->ret;
	memset(rsp, env->fill, min(env->rsp_len, rsp_size));
	return env->rsp_len;
}

KUNIT_DEFINE_ACTION_WRAPPER(free_page_action, __free_page, struct page *);

static struct page *test_page(struct kunit *test)
{
	struct page *page = alloc_page(GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, free_page_action, page), 0);
	/* Stale bytes everywhere, as a page reused between messages has */
	memset(page_address(page), 0xa5, PAGE_SIZE);
	return page;
}

static int relay_test_init(struct kunit *test)
{
	struct relay_env *env = kunit_kzalloc(test, sizeof(*env), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, env);
	test->priv = env;
	env->req = test_page(test);
	env->rsp = test_page(test);
	env->relay.dsm = &env->pdev;
	env->relay.buf = page_address(test_page(test));
	kunit_activate_static_stub(test, tdx_host_relay_doe, rec_doe);
	return 0;
}

/* A DOE data object of @len payload bytes in @page; returns its length */
static size_t put_object(struct page *page, u16 vendor, u8 type, size_t len,
			 u32 hdr_dw)
{
	__le32 *obj = page_address(page);
	unsigned int i;

	obj[0] = cpu_to_le32(FIELD_PREP(PCI_DOE_DATA_OBJECT_HEADER_1_VID, vendor) |
			     FIELD_PREP(PCI_DOE_DATA_OBJECT_HEADER_1_TYPE, type));
	obj[1] = cpu_to_le32(FIELD_PREP(PCI_DOE_DATA_OBJECT_HEADER_2_LENGTH, hdr_dw));
	for (i = 0; i < len; i++)
		((u8 *)&obj[2])[i] = i;
	return 8 + len;
}

static void request_payload_goes_to_the_device_with_its_type(struct kunit *test)
{
	struct relay_env *env = test->priv;
	static const u8 types[] = { PCI_DOE_FEATURE_CMA, PCI_DOE_FEATURE_SSESSION };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(types); i++) {
		size_t len = put_object(env->req, PCI_VENDOR_ID_PCI_SIG, types[i], 12, 5);

		env->rsp_len = 4;
		KUNIT_EXPECT_EQ(test, tdx_host_relay(&env->relay, env->req, len, env->rsp), 0);
		KUNIT_EXPECT_EQ(test, env->type, types[i]);
		KUNIT_EXPECT_EQ(test, env->req_len, 12);
		KUNIT_EXPECT_EQ(test, env->seen[0], 0);
		KUNIT_EXPECT_EQ(test, env->seen[11], 11);
	}
	KUNIT_EXPECT_EQ(test, env->nr_exchanges, 2);
}

static void response_gets_its_header_and_no_stale_bytes(struct kunit *test)
{
	struct relay_env *env = test->priv;
	size_t len = put_object(env->req, PCI_VENDOR_ID_PCI_SIG, PCI_DOE_FEATURE_SSESSION, 8, 4);
	const __le32 *obj = page_address(env->rsp);
	const u8 *payload = page_address(env->rsp) + 8;

	env->rsp_len = 5;
	env->fill = 0x3c;
	KUNIT_ASSERT_EQ(test, tdx_host_relay(&env->relay, env->req, len, env->rsp), 0);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(obj[0]),
			FIELD_PREP(PCI_DOE_DATA_OBJECT_HEADER_1_VID, PCI_VENDOR_ID_PCI_SIG) |
			FIELD_PREP(PCI_DOE_DATA_OBJECT_HEADER_1_TYPE, PCI_DOE_FEATURE_SSESSION));
	/* 2 header dwords and 5 bytes of payload in 2 dwords */
	KUNIT_EXPECT_EQ(test, le32_to_cpu(obj[1]), 4);
	KUNIT_EXPECT_EQ(test, payload[0], 0x3c);
	KUNIT_EXPECT_EQ(test, payload[4], 0x3c);
	KUNIT_EXPECT_EQ(test, payload[5], 0);
	KUNIT_EXPECT_EQ(test, payload[6], 0);
	KUNIT_EXPECT_EQ(test, payload[7], 0);
}

static void response_may_fill_the_page(struct kunit *test)
{
	struct relay_env *env = test->priv;
	size_t len = put_object(env->req, PCI_VENDOR_ID_PCI_SIG, PCI_DOE_FEATURE_CMA, 4, 3);

	env->rsp_len = MAX_PAYLOAD;
	KUNIT_EXPECT_EQ(test, tdx_host_relay(&env->relay, env->req, len, env->rsp), 0);
	/* The device was offered one dword more than fits */
	KUNIT_EXPECT_EQ(test, env->rsp_size, MAX_PAYLOAD + 4);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(((__le32 *)page_address(env->rsp))[1]),
			PAGE_SIZE / 4);
}

static void response_larger_than_the_page_is_refused(struct kunit *test)
{
	struct relay_env *env = test->priv;
	size_t len = put_object(env->req, PCI_VENDOR_ID_PCI_SIG, PCI_DOE_FEATURE_CMA, 4, 3);

	env->rsp_len = MAX_PAYLOAD + 1;
	KUNIT_EXPECT_EQ(test, tdx_host_relay(&env->relay, env->req, len, env->rsp), -EMSGSIZE);
}

static void empty_response_is_refused(struct kunit *test)
{
	struct relay_env *env = test->priv;
	size_t len = put_object(env->req, PCI_VENDOR_ID_PCI_SIG, PCI_DOE_FEATURE_CMA, 4, 3);

	env->rsp_len = 0;
	KUNIT_EXPECT_EQ(test, tdx_host_relay(&env->relay, env->req, len, env->rsp), -EPROTO);
}

static void doe_error_is_returned(struct kunit *test)
{
	struct relay_env *env = test->priv;
	static const int errs[] = { -EIO, -ETIMEDOUT, -ENXIO };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(errs); i++) {
		size_t len = put_object(env->req, PCI_VENDOR_ID_PCI_SIG,
					PCI_DOE_FEATURE_CMA, 4, 3);

		env->ret = errs[i];
		KUNIT_EXPECT_EQ(test, tdx_host_relay(&env->relay, env->req, len, env->rsp),
				errs[i]);
	}
}

struct bad_request {
	const char *name;
	u16 vendor;
	u8 type;
	size_t payload;
	u32 hdr_dw;
	s64 len_delta;
};

static const struct bad_request bad_requests[] = {
	{ "other vendor", PCI_VENDOR_ID_INTEL, PCI_DOE_FEATURE_CMA, 4, 3, 0 },
	{ "discovery type", PCI_VENDOR_ID_PCI_SIG, PCI_DOE_FEATURE_DISCOVERY, 4, 3, 0 },
	{ "header longer than the request", PCI_VENDOR_ID_PCI_SIG, PCI_DOE_FEATURE_CMA, 4, 4, 0 },
	{ "header shorter than a header", PCI_VENDOR_ID_PCI_SIG, PCI_DOE_FEATURE_CMA, 4, 1, 0 },
	{ "request shorter than a header", PCI_VENDOR_ID_PCI_SIG, PCI_DOE_FEATURE_CMA, 0, 2, -1 },
	{ "request longer than the page", PCI_VENDOR_ID_PCI_SIG, PCI_DOE_FEATURE_CMA, 4, 3,
	  PAGE_SIZE },
};

static void bad_request_desc(const struct bad_request *r, char *desc)
{
	strscpy(desc, r->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(bad_request, bad_requests, bad_request_desc);

static void bad_request_is_refused_without_an_exchange(struct kunit *test)
{
	const struct bad_request *r = test->param_value;
	struct relay_env *env = test->priv;
	size_t len = put_object(env->req, r->vendor, r->type, r->payload, r->hdr_dw);

	env->rsp_len = 4;
	KUNIT_EXPECT_EQ(test, tdx_host_relay(&env->relay, env->req, len + r->len_delta,
					     env->rsp), -EPROTO);
	KUNIT_EXPECT_EQ(test, env->nr_exchanges, 0);
}

static void abort_answers_with_an_empty_object_of_the_request_type(struct kunit *test)
{
	struct relay_env *env = test->priv;
	const __le32 *obj = page_address(env->rsp);

	put_object(env->req, PCI_VENDOR_ID_PCI_SIG, PCI_DOE_FEATURE_SSESSION, 4, 3);
	tdx_host_relay_abort(env->req, env->rsp);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(obj[0]),
			FIELD_PREP(PCI_DOE_DATA_OBJECT_HEADER_1_VID, PCI_VENDOR_ID_PCI_SIG) |
			FIELD_PREP(PCI_DOE_DATA_OBJECT_HEADER_1_TYPE, PCI_DOE_FEATURE_SSESSION));
	KUNIT_EXPECT_EQ(test, le32_to_cpu(obj[1]), 2);
	KUNIT_EXPECT_EQ(test, env->nr_exchanges, 0);
}

static struct kunit_case tdx_host_relay_test_cases[] = {
	KUNIT_CASE(request_payload_goes_to_the_device_with_its_type),
	KUNIT_CASE(response_gets_its_header_and_no_stale_bytes),
	KUNIT_CASE(response_may_fill_the_page),
	KUNIT_CASE(response_larger_than_the_page_is_refused),
	KUNIT_CASE(empty_response_is_refused),
	KUNIT_CASE(doe_error_is_returned),
	KUNIT_CASE_PARAM(bad_request_is_refused_without_an_exchange, bad_request_gen_params),
	KUNIT_CASE(abort_answers_with_an_empty_object_of_the_request_type),
	{}
};

static struct kunit_suite tdx_host_relay_test_suite = {
	.name = "tdx_host_relay",
	.init = relay_test_init,
	.test_cases = tdx_host_relay_test_cases,
};

kunit_test_suite(tdx_host_relay_test_suite);

MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");
