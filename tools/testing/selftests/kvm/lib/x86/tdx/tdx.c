// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest side of TDs: TDG.VP.VMCALL as the GHCI defines it.  Everything but
 * tdx_mmio_write_args() runs only in a TD.
 */
#include "tdx/tdx.h"

/* TDCALL, spelled out for assemblers that do not know it. */
#define TDCALL	".byte 0x66, 0x0f, 0x01, 0xcc"

/*
 * Marshal TDG.VP.VMCALL<#VE.RequestMMIO> writing @size bytes of @data to
 * the shared GPA @address.  Refuse, returning false, sizes other than 1, 2,
 * 4 and 8 and addresses not aligned to @size: the GHCI defines no others,
 * and an unaligned access could straddle two pages.
 */
bool tdx_mmio_write_args(struct tdx_vmcall_args *args, u64 address, u64 size,
			 u64 data)
{
	if (size != 1 && size != 2 && size != 4 && size != 8)
		return false;

	if (address & (size - 1))
		return false;

	*args = (struct tdx_vmcall_args) {
		.rcx = TDX_VMCALL_EXPOSE_R10_R15,
		/* 0: R11 holds a TDG.VP.VMCALL leaf defined in the GHCI. */
		.r10 = 0,
		.r11 = TDG_VP_VMCALL_VE_REQUEST_MMIO,
		.r12 = size,
		.r13 = TDG_VP_VMCALL_MMIO_WRITE,
		.r14 = address,
		.r15 = data,
	};

	return true;
}

/*
 * Issue TDG.VP.VMCALL with R10-R15 from @args, exposing the GPRs that
 * args->rcx selects, and store R10-R15 as the VMM left them.  Return the
 * TDCALL status (RAX), which is not the VMM's status in R10: it is
 * nonzero only if the TDX module refused the call itself, for example for
 * an invalid RCX.
 */
u64 __tdx_vmcall(struct tdx_vmcall_args *args)
{
	register u64 r10 asm("r10") = args->r10;
	register u64 r11 asm("r11") = args->r11;
	register u64 r12 asm("r12") = args->r12;
	register u64 r13 asm("r13") = args->r13;
	register u64 r14 asm("r14") = args->r14;
	register u64 r15 asm("r15") = args->r15;
	u64 rcx = args->rcx;
	u64 rax = TDG_VP_VMCALL;

	asm volatile(TDCALL
		     : "+a" (rax), "+c" (rcx), "+r" (r10), "+r" (r11),
		       "+r" (r12), "+r" (r13), "+r" (r14), "+r" (r15)
		     :
		     : "memory");

	args->r10 = r10;
	args->r11 = r11;
	args->r12 = r12;
	args->r13 = r13;
	args->r14 = r14;
	args->r15 = r15;

	return rax;
}

/*
 * Write @size bytes of @data to the shared GPA @address through
 * TDG.VP.VMCALL<#VE.RequestMMIO>.  Return the VMM's status from R10, the
 * TDCALL status if the TDX module refused the call, or TDX_VMCALL_REFUSED,
 * without any TDG.VP.VMCALL, for a size or alignment the GHCI does not
 * allow.
 */
u64 tdx_mmio_write(u64 address, u64 size, u64 data)
{
	struct tdx_vmcall_args args;
	u64 ret;

	if (!tdx_mmio_write_args(&args, address, size, data))
		return TDX_VMCALL_REFUSED;

	ret = __tdx_vmcall(&args);

	return ret ? ret : args.r10;
}

/*
 * Stop the TD with TDG.VP.VMCALL<ReportFatalError>, passing up to 64 bytes
 * of @msg in the registers the GHCI assigns; KVM exits to userspace with
 * KVM_SYSTEM_EVENT_TDX_FATAL.  The VMM is not expected to resume the TD,
 * but repeat the call if it does.
 */
void tdx_report_fatal_error(const char *msg)
{
	union {
		struct { u64 r14, r15, rbx, rdi, rsi, r8, r9, rdx; };
		char bytes[TDX_FATAL_ERROR_MSG_LEN];
	} m = {};
	int i;

	for (i = 0; i < TDX_FATAL_ERROR_MSG_LEN && msg[i]; i++)
		m.bytes[i] = msg[i];

	for (;;) {
		register u64 r8 asm("r8") = m.r8;
		register u64 r9 asm("r9") = m.r9;
		/* 0: R11 holds a TDG.VP.VMCALL leaf defined in the GHCI. */
		register u64 r10 asm("r10") = 0;
		register u64 r11 asm("r11") = TDG_VP_VMCALL_REPORT_FATAL_ERROR;
		/* Error code 0: a panic, with no information page in R13. */
		register u64 r12 asm("r12") = 0;
		register u64 r13 asm("r13") = 0;
		register u64 r14 asm("r14") = m.r14;
		register u64 r15 asm("r15") = m.r15;
		u64 rcx = TDX_VMCALL_EXPOSE_R10_R15 |
			  BIT_ULL(TDX_GPR_RDX) | BIT_ULL(TDX_GPR_RBX) |
			  BIT_ULL(TDX_GPR_RSI) | BIT_ULL(TDX_GPR_RDI) |
			  BIT_ULL(TDX_GPR_R8) | BIT_ULL(TDX_GPR_R9);
		u64 rax = TDG_VP_VMCALL;
		u64 rbx = m.rbx, rdi = m.rdi, rsi = m.rsi, rdx = m.rdx;

		asm volatile(TDCALL
			     : "+a" (rax), "+c" (rcx), "+b" (rbx), "+D" (rdi),
			       "+S" (rsi), "+d" (rdx), "+r" (r8), "+r" (r9),
			       "+r" (r10), "+r" (r11), "+r" (r12), "+r" (r13),
			       "+r" (r14), "+r" (r15)
			     :
			     : "memory");
	}
}

/*
 * Entered from the boot page in 64-bit mode with the vCPU's stack.  Guest
 * code that returns has nowhere to go: say so and stop the TD.
 */
void tdx_guest_start(void (*guest_code)(void))
{
	guest_code();
	tdx_report_fatal_error("TD guest code returned");
}
