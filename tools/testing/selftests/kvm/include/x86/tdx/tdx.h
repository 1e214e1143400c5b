/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest side of TDX guests (TDs): TDG.VP.VMCALL as the Guest-Hypervisor
 * Communication Interface (GHCI) defines it.  A TD runs without a #VE
 * handler here, so the guest asks the VMM for MMIO explicitly instead of
 * taking a #VE on the access.
 */
#ifndef SELFTEST_KVM_TDX_TDX_H
#define SELFTEST_KVM_TDX_TDX_H

#include <stdbool.h>

#include <linux/bits.h>
#include <linux/compiler.h>
#include <linux/types.h>

/* TDCALL leaf (RAX) of TDG.VP.VMCALL, the call into the VMM. */
#define TDG_VP_VMCALL			0

/* TDG.VP.VMCALL leaves (R11) defined by the GHCI. */
#define TDG_VP_VMCALL_VE_REQUEST_MMIO	48	/* EXIT_REASON_EPT_VIOLATION */
#define TDG_VP_VMCALL_REPORT_FATAL_ERROR 0x10003

/* #VE.RequestMMIO direction (R13). */
#define TDG_VP_VMCALL_MMIO_READ		0
#define TDG_VP_VMCALL_MMIO_WRITE	1

/* TDG.VP.VMCALL status codes (R10) defined by the GHCI. */
#define TDG_VP_VMCALL_SUCCESS		0x0000000000000000ULL
#define TDG_VP_VMCALL_RETRY		0x0000000000000001ULL
#define TDG_VP_VMCALL_INVALID_OPERAND	0x8000000000000000ULL

/*
 * Returned by the wrappers below, in place of a GHCI status, for arguments
 * they refuse without making the call.  GHCI status codes count up from 0
 * and from BIT(63); all ones is none of them, so a refusal is never
 * mistaken for an answer from the VMM.
 */
#define TDX_VMCALL_REFUSED		(~0ULL)

/*
 * TDG.VP.VMCALL passes to the VMM only the GPRs that RCX selects, bit n
 * for GPR n in the order RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8-R15.
 */
#define TDX_GPR_RDX			2
#define TDX_GPR_RBX			3
#define TDX_GPR_RSI			6
#define TDX_GPR_RDI			7
#define TDX_GPR_R8			8
#define TDX_GPR_R9			9
#define TDX_GPR_R10			10
#define TDX_GPR_R11			11
#define TDX_GPR_R12			12
#define TDX_GPR_R13			13
#define TDX_GPR_R14			14
#define TDX_GPR_R15			15

/* R10-R15: the registers of the GHCI's standard TDG.VP.VMCALL leaves. */
#define TDX_VMCALL_EXPOSE_R10_R15	GENMASK_ULL(TDX_GPR_R15, TDX_GPR_R10)

/*
 * ReportFatalError takes a message of up to 64 bytes in R14, R15, RBX,
 * RDI, RSI, R8, R9 and RDX, in that order.
 */
#define TDX_FATAL_ERROR_MSG_LEN		64

/* Inputs and outputs of a standard TDG.VP.VMCALL leaf. */
struct tdx_vmcall_args {
	u64 rcx;	/* GPRs exposed to the VMM */
	u64 r10;
	u64 r11;
	u64 r12;
	u64 r13;
	u64 r14;
	u64 r15;
};

bool tdx_mmio_write_args(struct tdx_vmcall_args *args, u64 address, u64 size,
			 u64 data);
u64 __tdx_vmcall(struct tdx_vmcall_args *args);
u64 tdx_mmio_write(u64 address, u64 size, u64 data);
void __noreturn tdx_report_fatal_error(const char *msg);
void __noreturn tdx_guest_start(void (*guest_code)(void));

#endif /* SELFTEST_KVM_TDX_TDX_H */
