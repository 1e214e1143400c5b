// SPDX-License-Identifier: GPL-2.0
/*
 * The number of IDE streams of each host bridge, from ACPI KEYP.
 *
 * The Key Programming Interface table (KEYP) lists the platform's Key
 * Configuration Units: each programs the IDE keys of a set of root ports,
 * and its Stream Capability register says how many streams it holds.  A
 * host bridge has as many IDE streams as the unit of its root ports, and
 * none if no unit covers them.  Without KEYP the PCI core's default
 * stays.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */
#define pr_fmt(fmt)	KBUILD_MODNAME ": " fmt

#include <linux/acpi.h>
#include <linux/bitfield.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/pci-ide.h>

#include <kunit/static_stub.h>
#include <kunit/visibility.h>

#include "tdx_host_keyp.h"

/* Stream Capability register of a Key Configuration Unit, first dword */
#define TDX_KEYP_KCU_CAP_NR_STREAMS	GENMASK(8, 0)

/**
 * tdx_host_keyp_read_cap() - Read the Stream Capability of a KCU
 * @base: the unit's register base address, from KEYP
 * @cap: set to the register's value
 *
 * Context: Process context, may sleep.
 * Return: 0, or -ENOMEM if the registers cannot be mapped.
 */
VISIBLE_IF_KUNIT int tdx_host_keyp_read_cap(u64 base, u32 *cap)
{
	void __iomem *regs;

	KUNIT_STATIC_STUB_REDIRECT(tdx_host_keyp_read_cap, base, cap);

	regs = ioremap(base, sizeof(*cap));
	if (!regs)
		return -ENOMEM;
	*cap = ioread32(regs);
	iounmap(regs);
	return 0;
}

static bool tdx_host_keyp_rp_in(const struct acpi_keyp_rp_info *rp, u16 segment,
				u8 bus_start, u8 bus_end)
{
	return rp->segment == segment && rp->bus >= bus_start && rp->bus <= bus_end;
}

/**
 * tdx_host_keyp_nr_streams() - IDE streams of a host bridge in a KEYP table
 * @keyp: the table
 * @segment: PCI segment of the host bridge
 * @bus_start: first bus number below it
 * @bus_end: last bus number below it
 *
 * The unit whose root ports are below the host bridge gives the count.
 * A unit with root ports both below it and elsewhere, two units for one
 * host bridge, or a subtable that does not fit its table make the table
 * unusable.
 *
 * Context: Process context, may sleep.
 * Return: the number of streams, 0 if no unit covers the host bridge, or
 * -EINVAL if the table is malformed.
 */
VISIBLE_IF_KUNIT int tdx_host_keyp_nr_streams(const struct acpi_table_header *keyp,
					      u16 segment, u8 bus_start, u8 bus_end)
{
	const void *pos = (const void *)keyp + sizeof(struct acpi_table_keyp);
	const void *end = (const void *)keyp + keyp->length;
	int nr_streams = 0;

	if (keyp->length < sizeof(struct acpi_table_keyp))
		return -EINVAL;

	while (pos < end) {
		const struct acpi_keyp_common_header *hdr = pos;
		const struct acpi_keyp_config_unit *kcu = pos;
		unsigned int i, nr_rps;
		bool in;
		u32 cap;
		int ret;

		if (end - pos < sizeof(*hdr) || hdr->length < sizeof(*hdr) ||
		    hdr->length > end - pos)
			return -EINVAL;
		pos += hdr->length;
		if (hdr->type != ACPI_KEYP_TYPE_CONFIG_UNIT)
			continue;

		if (hdr->length < sizeof(*kcu) ||
		    (hdr->length - sizeof(*kcu)) % sizeof(kcu->rp_info[0]))
			return -EINVAL;
		nr_rps = (hdr->length - sizeof(*kcu)) / sizeof(kcu->rp_info[0]);
		if (!nr_rps || nr_rps != kcu->root_port_count)
			return -EINVAL;
		if (kcu->protocol_type != ACPI_KEYP_PROTO_TYPE_PCIE)
			continue;

		in = tdx_host_keyp_rp_in(&kcu->rp_info[0], segment, bus_start, bus_end);
		for (i = 1; i < nr_rps; i++)
			if (in != tdx_host_keyp_rp_in(&kcu->rp_info[i], segment,
						      bus_start, bus_end))
				return -EINVAL;
		if (!in)
			continue;
		if (nr_streams)
			return -EINVAL;

		ret = tdx_host_keyp_read_cap(kcu->register_base_address, &cap);
		if (ret)
			return ret;
		nr_streams = FIELD_GET(TDX_KEYP_KCU_CAP_NR_STREAMS, cap) + 1;
	}

	return nr_streams;
}

/**
 * tdx_host_keyp_apply() - Size every host bridge's IDE stream pool
 * @keyp: the KEYP table
 *
 * For each PCI root bus, pci_ide_set_nr_streams() with the count of
 * tdx_host_keyp_nr_streams(); a malformed table gives every host bridge
 * none, as no stream could be keyed with certainty.
 *
 * Context: Process context, may sleep; before any IDE stream is allocated.
 */
VISIBLE_IF_KUNIT void tdx_host_keyp_apply(const struct acpi_table_header *keyp)
{
	struct pci_bus *bus = NULL;
	int nr;

	while ((bus = pci_find_next_bus(bus))) {
		if (!pci_is_root_bus(bus))
			continue;
		nr = tdx_host_keyp_nr_streams(keyp, pci_domain_nr(bus),
					      bus->busn_res.start, bus->busn_res.end);
		if (nr < 0) {
			pr_warn("ACPI KEYP unusable (%d): no IDE streams below %04x:%02x\n",
				nr, pci_domain_nr(bus), bus->number);
			nr = 0;
		}
		pci_ide_set_nr_streams(pci_find_host_bridge(bus), nr);
	}
}

/**
 * tdx_host_keyp_init() - Take the IDE stream counts from ACPI KEYP
 *
 * Host bridges that appear later keep the PCI core's default.
 *
 * Context: Process context, may sleep; before tdx-host registers as TSM.
 */
void tdx_host_keyp_init(void)
{
	struct acpi_table_header *keyp;

	if (acpi_disabled ||
	    ACPI_FAILURE(acpi_get_table(ACPI_SIG_KEYP, 0, &keyp)))
		return;

	tdx_host_keyp_apply(keyp);
	acpi_put_table(keyp);
}

MODULE_IMPORT_NS("PCI_IDE");
