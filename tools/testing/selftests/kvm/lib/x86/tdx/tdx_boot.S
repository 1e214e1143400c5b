/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Template of the TD boot page (see tdx/tdx_boot.h).  The host copies it
 * to TD_BOOT_PAGE_GPA, fills in struct td_boot_params at its start, and
 * identity-maps the page, so that the code keeps running at the same
 * address once paging is on.  Nothing here runs on the host.
 */
#include "tdx/tdx_boot.h"

#define TD_BOOT_ADDR(sym)	(TD_BOOT_PAGE_GPA + ((sym) - td_boot_page))

	.section .rodata
	.balign 4096
	.globl td_boot_page
td_boot_page:
.Ltd_boot_page:
	.skip TD_BOOT_PARAMS_SIZE

	/*
	 * 32-bit protected mode, paging off: addresses are physical, and
	 * the boot page is at a fixed GPA below 4 GiB.
	 */
	.code32
td_boot_32:
	lgdtl	(TD_BOOT_PAGE_GPA + TD_BOOT_GDTR)
	/*
	 * An empty IDT: an exception, #VE included, escalates to a triple
	 * fault, which KVM reports as KVM_EXIT_SHUTDOWN.
	 */
	lidtl	(TD_BOOT_PAGE_GPA + TD_BOOT_IDTR)

	/*
	 * Read-modify-write: a write that changes a CR4 bit the TDX module
	 * owns (MCE, VMXE) faults, so those go back as they read.
	 */
	movl	%cr4, %eax
	orl	(TD_BOOT_PAGE_GPA + TD_BOOT_CR4_SET), %eax
	movl	%eax, %cr4

	movl	(TD_BOOT_PAGE_GPA + TD_BOOT_CR3), %eax
	movl	%eax, %cr3

	/* EFER.LME is set from reset: paging enters IA-32e mode. */
	movl	%cr0, %eax
	orl	(TD_BOOT_PAGE_GPA + TD_BOOT_CR0_SET), %eax
	movl	%eax, %cr0

	ljmpl	$TD_BOOT_CS, $TD_BOOT_ADDR(td_boot_64)

	.code64
td_boot_64:
	movl	$TD_BOOT_DS, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %fs
	movl	%eax, %gs
	movl	%eax, %ss

	/*
	 * RIP-relative from here on: a 32-bit absolute address above 2 GiB
	 * would be sign-extended in 64-bit mode.
	 */
	leaq	.Ltd_boot_page(%rip), %rbx

	/* ESI: the vCPU index TDH.VP.INIT gave this vCPU. */
	movl	%esi, %eax
	cmpl	TD_BOOT_NR_VCPUS(%rbx), %eax
	jae	td_boot_unknown_vcpu
	shlq	$TD_BOOT_VCPU_SHIFT, %rax
	leaq	TD_BOOT_VCPUS(%rbx, %rax), %rax
	movq	TD_BOOT_VCPU_RSP(%rax), %rsp
	movq	TD_BOOT_VCPU_CODE(%rax), %rdi
	xorl	%ebp, %ebp
	jmpq	*TD_BOOT_ENTRY(%rbx)

td_boot_unknown_vcpu:
	/* No parameters for this vCPU: shut the TD down (see the IDT). */
	ud2

	.code32
	.org	td_boot_page + TD_BOOT_RESET_VECTOR_OFFSET
td_boot_reset_vector:
	jmp	td_boot_32

	.org	td_boot_page + 4096

	.section .note.GNU-stack, "", %progbits
