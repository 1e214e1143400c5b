/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The number of IDE streams of each host bridge, from ACPI KEYP.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */
#ifndef _TDX_HOST_KEYP_H
#define _TDX_HOST_KEYP_H

#include <linux/types.h>

struct acpi_table_header;

#if IS_ENABLED(CONFIG_ACPI)
void tdx_host_keyp_init(void);
#else
static inline void tdx_host_keyp_init(void)
{
}
#endif

#if IS_ENABLED(CONFIG_KUNIT) && IS_ENABLED(CONFIG_ACPI)
int tdx_host_keyp_read_cap(u64 base, u32 *cap);
int tdx_host_keyp_nr_streams(const struct acpi_table_header *keyp,
			     u16 segment, u8 bus_start, u8 bus_end);
void tdx_host_keyp_apply(const struct acpi_table_header *keyp);
#endif

#endif /* _TDX_HOST_KEYP_H */
