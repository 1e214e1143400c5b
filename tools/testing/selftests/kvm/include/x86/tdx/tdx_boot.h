/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The boot page of a TD: parameters written by the host before the TD is
 * measured, and the code that takes each vCPU from its reset state to the
 * guest code in 64-bit mode.  Shared by tdx_boot.S and the host library.
 *
 * A TD vCPU starts at the reset vector, 0xfffffff0, in 32-bit protected
 * mode with paging off, flat segments, CR0 = PE | NE, CR4 = MCE | VMXE,
 * EFER = SCE | LME | NXE (so paging alone enters IA-32e mode), and ESI
 * holding its vCPU index, the order in which TDH.VP.INIT initialized it.
 * The boot page is the last page below 4 GiB, which holds the reset vector.
 */
#ifndef SELFTEST_KVM_TDX_TDX_BOOT_H
#define SELFTEST_KVM_TDX_TDX_BOOT_H

#define TD_BOOT_PAGE_GPA		0xfffff000
#define TD_BOOT_RESET_VECTOR_OFFSET	0xff0

/* Selectors of the boot GDT. */
#define TD_BOOT_CS			0x08
#define TD_BOOT_DS			0x10

#define TD_BOOT_MAX_VCPUS		32

/* Offsets in struct td_boot_params, for tdx_boot.S. */
#define TD_BOOT_CR0_SET			0x00
#define TD_BOOT_CR3			0x04
#define TD_BOOT_CR4_SET			0x08
#define TD_BOOT_NR_VCPUS		0x0c
#define TD_BOOT_ENTRY			0x10
#define TD_BOOT_GDTR			0x1e
#define TD_BOOT_IDTR			0x2e
#define TD_BOOT_GDT			0x38
#define TD_BOOT_VCPUS			0x50
#define TD_BOOT_VCPU_SHIFT		4
#define TD_BOOT_VCPU_CODE		0x00
#define TD_BOOT_VCPU_RSP		0x08
#define TD_BOOT_PARAMS_SIZE		0x400

#ifndef __ASSEMBLER__

#include <linux/types.h>

struct td_boot_vcpu {
	u64 code;	/* the guest code of this vCPU */
	u64 rsp;	/* its stack, as if tdx_guest_start() were called */
};

struct td_boot_params {
	u32 cr0_set;		/* CR0 bits to set: paging */
	u32 cr3;		/* below 4 GiB: loaded in 32-bit mode */
	u32 cr4_set;		/* CR4 bits to set before paging */
	u32 nr_vcpus;		/* vCPUs initialized so far */
	u64 entry;		/* tdx_guest_start() */
	u16 pad0[3];
	u16 gdtr_limit;		/* LGDT operand, base aligned */
	u32 gdtr_base;
	u32 pad1;
	u16 pad2[3];
	u16 idtr_limit;		/* LIDT operand: an empty IDT */
	u32 idtr_base;
	u32 pad3;
	u64 gdt[3];
	struct td_boot_vcpu vcpus[TD_BOOT_MAX_VCPUS];
};

extern const char td_boot_page[];

#endif /* __ASSEMBLER__ */

#endif /* SELFTEST_KVM_TDX_TDX_BOOT_H */
