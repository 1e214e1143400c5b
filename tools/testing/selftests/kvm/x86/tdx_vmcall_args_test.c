// SPDX-License-Identifier: GPL-2.0-only
/*
 * The register marshalling of tdx_mmio_write(), checked on the host
 * against the GHCI's TDG.VP.VMCALL<#VE.RequestMMIO>: R10 = 0 (a GHCI
 * leaf), R11 = 48, R12 = size, R13 = 1 (write), R14 = address, R15 = data,
 * and RCX exposing exactly R10-R15.  Invalid arguments are refused before
 * any TDCALL: the host has no TDCALL, so tdx_mmio_write() would die of
 * SIGILL here if it reached one.
 */
#include <string.h>

#include "kvm_util.h"
#include "test_util.h"
#include "tdx/tdx.h"

#define ADDRESS		0x0000800000001000ULL	/* shared bit 47 set */
#define DATA		0x0123456789abcdefULL

static const u64 sizes[] = { 1, 2, 4, 8 };

static const struct {
	u64 address;
	u64 size;
} bad[] = {
	{ ADDRESS, 0 },
	{ ADDRESS, 3 },
	{ ADDRESS, 5 },
	{ ADDRESS, 16 },
	{ ADDRESS + 1, 2 },
	{ ADDRESS + 2, 4 },
	{ ADDRESS + 4, 8 },
	{ ADDRESS + 1, 8 },
};

static void test_marshalling(u64 size)
{
	struct tdx_vmcall_args args;
	bool ok;

	memset(&args, 0xaa, sizeof(args));
	ok = tdx_mmio_write_args(&args, ADDRESS, size, DATA) &&
	     args.rcx == 0xfc00 &&		/* R10-R15 */
	     args.r10 == 0 &&
	     args.r11 == 48 &&
	     args.r12 == size &&
	     args.r13 == 1 &&
	     args.r14 == ADDRESS &&
	     args.r15 == DATA;
	if (!ok)
		ksft_print_msg("rcx %#lx r10 %#lx r11 %#lx r12 %#lx r13 %#lx r14 %#lx r15 %#lx\n",
			       args.rcx, args.r10, args.r11, args.r12,
			       args.r13, args.r14, args.r15);
	ksft_test_result(ok, "%lu-byte write marshalled as the GHCI defines\n",
			 size);
}

static void test_refusal(u64 address, u64 size)
{
	struct tdx_vmcall_args args, poison;
	bool ok;

	memset(&args, 0xaa, sizeof(args));
	poison = args;
	ok = !tdx_mmio_write_args(&args, address, size, DATA) &&
	     !memcmp(&args, &poison, sizeof(args)) &&
	     tdx_mmio_write(address, size, DATA) == TDX_VMCALL_REFUSED;
	ksft_test_result(ok, "%lu-byte write at %#lx refused before any TDCALL\n",
			 size, address);
}

int main(int argc, char *argv[])
{
	int i;

	ksft_print_header();
	ksft_set_plan(ARRAY_SIZE(sizes) + ARRAY_SIZE(bad));

	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		test_marshalling(sizes[i]);

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		test_refusal(bad[i].address, bad[i].size);

	ksft_finished();
}
