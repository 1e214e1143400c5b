// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for reading the IDE stream counts of the host bridges from
 * ACPI KEYP: tables built here, Key Configuration Units whose Stream
 * Capability register a stand-in reads.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */

#include <linux/acpi.h>
#include <linux/string.h>

#include <kunit/static_stub.h>
#include <kunit/test.h>

#include "tdx_host_keyp.h"

#define KCU_BASE(n)	(0xfe000000ULL + (n) * 0x1000)
#define MAX_KCUS	4

struct keyp_env {
	u8 table[512];
	size_t len;
	u32 caps[MAX_KCUS];
	int read_ret;
	unsigned int nr_reads;
};

static int rec_read_cap(u64 base, u32 *cap)
{
	struct keyp_env *env = kunit_get_current_test()->priv;
	unsigned int n = (base - KCU_BASE(0)) / 0x1000;

	env->nr_reads++;
	if (env->read_ret)
		return env->read_ret;
	KUNIT_ASSERT_LT(kunit_get_current_test(), n, MAX_KCUS);
	*cap = env->caps[n];
	return 0;
}

static int keyp_test_init(struct kunit *test)
{
	struct keyp_env *env = kunit_kzalloc(test, sizeof(*env), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, env);
	test->priv = env;
	env->len = sizeof(struct acpi_table_keyp);
	memcpy(env->table, ACPI_SIG_KEYP, 4);
	kunit_activate_static_stub(test, tdx_host_keyp_read_cap, rec_read_cap);
	return 0;
}

static struct acpi_table_header *table(struct keyp_env *env)
{
	struct acpi_table_header *hdr = (void *)env->table;

	hdr->length = env->len;
	return hdr;
}

/* A Key Configuration Unit for @nr root ports at @buses of segment @seg */
static struct acpi_keyp_config_unit *add_kcu(struct kunit *test, struct keyp_env *env,
					     unsigned int n, u8 proto, u16 seg,
					     const u8 *buses, unsigned int nr)
{
	struct acpi_keyp_config_unit *kcu = (void *)env->table + env->len;
	size_t len = struct_size(kcu, rp_info, nr);
	unsigned int i;

	KUNIT_ASSERT_LE(test, env->len + len, sizeof(env->table));
	memset(kcu, 0, len);
	kcu->header.type = ACPI_KEYP_TYPE_CONFIG_UNIT;
	kcu->header.length = len;
	kcu->protocol_type = proto;
	kcu->root_port_count = nr;
	kcu->register_base_address = KCU_BASE(n);
	for (i = 0; i < nr; i++) {
		kcu->rp_info[i].segment = seg;
		kcu->rp_info[i].bus = buses[i];
	}
	env->len += len;
	return kcu;
}

static const u8 hb0[] = { 0x00, 0x01 };
static const u8 hb1[] = { 0x40 };

static void unit_of_the_host_bridge_gives_its_count(struct kunit *test)
{
	struct keyp_env *env = test->priv;

	add_kcu(test, env, 0, ACPI_KEYP_PROTO_TYPE_PCIE, 0, hb0, ARRAY_SIZE(hb0));
	add_kcu(test, env, 1, ACPI_KEYP_PROTO_TYPE_PCIE, 0, hb1, ARRAY_SIZE(hb1));
	/* Stream Capability: count - 1 in bits 8:0, other bits ignored */
	env->caps[0] = 0xfffffe00 | 7;
	env->caps[1] = 0x1ff;

	KUNIT_EXPECT_EQ(test, tdx_host_keyp_nr_streams(table(env), 0, 0x00, 0x3f), 8);
	KUNIT_EXPECT_EQ(test, tdx_host_keyp_nr_streams(table(env), 0, 0x40, 0x7f), 512);
	KUNIT_EXPECT_EQ(test, env->nr_reads, 2);
}

static void uncovered_host_bridge_has_none(struct kunit *test)
{
	struct keyp_env *env = test->priv;

	add_kcu(test, env, 0, ACPI_KEYP_PROTO_TYPE_PCIE, 0, hb0, ARRAY_SIZE(hb0));
	/* Other buses, another segment, and a CXL unit of this host bridge */
	add_kcu(test, env, 1, ACPI_KEYP_PROTO_TYPE_CXL, 0, hb1, ARRAY_SIZE(hb1));

	KUNIT_EXPECT_EQ(test, tdx_host_keyp_nr_streams(table(env), 0, 0x40, 0x7f), 0);
	KUNIT_EXPECT_EQ(test, tdx_host_keyp_nr_streams(table(env), 1, 0x00, 0x3f), 0);
	KUNIT_EXPECT_EQ(test, env->nr_reads, 0);
}

static void empty_table_covers_nothing(struct kunit *test)
{
	struct keyp_env *env = test->priv;

	KUNIT_EXPECT_EQ(test, tdx_host_keyp_nr_streams(table(env), 0, 0, 0xff), 0);
}

static void two_units_for_one_host_bridge_are_refused(struct kunit *test)
{
	struct keyp_env *env = test->priv;

	add_kcu(test, env, 0, ACPI_KEYP_PROTO_TYPE_PCIE, 0, hb0, 1);
	add_kcu(test, env, 1, ACPI_KEYP_PROTO_TYPE_PCIE, 0, &hb0[1], 1);
	KUNIT_EXPECT_EQ(test, tdx_host_keyp_nr_streams(table(env), 0, 0x00, 0x3f), -EINVAL);
}

static void unit_across_host_bridges_is_refused(struct kunit *test)
{
	static const u8 split[] = { 0x01, 0x40 };
	struct keyp_env *env = test->priv;

	add_kcu(test, env, 0, ACPI_KEYP_PROTO_TYPE_PCIE, 0, split, ARRAY_SIZE(split));
	KUNIT_EXPECT_EQ(test, tdx_host_keyp_nr_streams(table(env), 0, 0x00, 0x3f), -EINVAL);
	KUNIT_EXPECT_EQ(test, tdx_host_keyp_nr_streams(table(env), 0, 0x40, 0x7f), -EINVAL);
}

static void malformed_units_are_refused(struct kunit *test)
{
	struct keyp_env *env = test->priv;
	struct acpi_keyp_config_unit *kcu;
	size_t len;

	kcu = add_kcu(test, env, 0, ACPI_KEYP_PROTO_TYPE_PCIE, 0, hb0, ARRAY_SIZE(hb0));
	len = kcu->header.length;

	/* Root port count that disagrees with the length */
	kcu->root_port_count = 3;
	KUNIT_EXPECT_EQ(test, tdx_host_keyp_nr_streams(table(env), 0, 0, 0x3f), -EINVAL);
	kcu->root_port_count = 2;

	/* A length that is not whole root port entries */
	kcu->header.length = len - 1;
	env->len--;
	KUNIT_EXPECT_EQ(test, tdx_host_keyp_nr_streams(table(env), 0, 0, 0x3f), -EINVAL);

	/* A length past the end of the table */
	kcu->header.length = len + 4;
	KUNIT_EXPECT_EQ(test, tdx_host_keyp_nr_streams(table(env), 0, 0, 0x3f), -EINVAL);

	/* A length too short for a subtable header, which would never advance */
	kcu->header.length = 0;
	KUNIT_EXPECT_EQ(test, tdx_host_keyp_nr_streams(table(env), 0, 0, 0x3f), -EINVAL);

	/* No root port at all */
	env->len = sizeof(struct acpi_table_keyp);
	kcu = add_kcu(test, env, 0, ACPI_KEYP_PROTO_TYPE_PCIE, 0, hb0, 0);
	KUNIT_EXPECT_EQ(test, tdx_host_keyp_nr_streams(table(env), 0, 0, 0x3f), -EINVAL);

	/* A table shorter than its own header */
	env->len = sizeof(struct acpi_table_keyp) - 1;
	KUNIT_EXPECT_EQ(test, tdx_host_keyp_nr_streams(table(env), 0, 0, 0x3f), -EINVAL);
	KUNIT_EXPECT_EQ(test, env->nr_reads, 0);
}

static void unreadable_unit_is_an_error(struct kunit *test)
{
	struct keyp_env *env = test->priv;

	add_kcu(test, env, 0, ACPI_KEYP_PROTO_TYPE_PCIE, 0, hb0, ARRAY_SIZE(hb0));
	env->read_ret = -ENOMEM;
	KUNIT_EXPECT_EQ(test, tdx_host_keyp_nr_streams(table(env), 0, 0, 0x3f), -ENOMEM);
}

static struct kunit_case tdx_host_keyp_test_cases[] = {
	KUNIT_CASE(unit_of_the_host_bridge_gives_its_count),
	KUNIT_CASE(uncovered_host_bridge_has_none),
	KUNIT_CASE(empty_table_covers_nothing),
	KUNIT_CASE(two_units_for_one_host_bridge_are_refused),
	KUNIT_CASE(unit_across_host_bridges_is_refused),
	KUNIT_CASE(malformed_units_are_refused),
	KUNIT_CASE(unreadable_unit_is_an_error),
	{}
};

static struct kunit_suite tdx_host_keyp_test_suite = {
	.name = "tdx_host_keyp",
	.init = keyp_test_init,
	.test_cases = tdx_host_keyp_test_cases,
};

kunit_test_suite(tdx_host_keyp_test_suite);

MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");
