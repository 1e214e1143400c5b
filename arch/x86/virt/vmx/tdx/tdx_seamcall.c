// SPDX-License-Identifier: GPL-2.0
/*
 * Versioned SEAMCALLs for the TDX module Extensions and TDX Connect.
 *
 * RAX selects the leaf in bits 15:0 and its version in bits 23:16.  The
 * version travels with the arguments of a call and is combined with the
 * leaf number here and nowhere else, rather than in one macro per
 * version of each leaf.
 *
 * Copyright (C) 2026 The TDX Connect series authors
 */
#define pr_fmt(fmt)	"tdx: " fmt

#include <linux/bitfield.h>
#include <linux/printk.h>
#include <linux/ratelimit.h>

#include <kunit/static_stub.h>
#include <kunit/visibility.h>

#include <asm/shared/tdx_errno.h>
#include <asm/tdx.h>

#include "seamcall_internal.h"
#include "tdx.h"

static const char * const tdx_leaf_names[] = {
	[TDH_SYS_RD]		= "TDH.SYS.RD",
	[TDH_PHYMEM_PAGE_WBINVD] = "TDH.PHYMEM.PAGE.WBINVD",
	[TDH_SYS_CONFIG]	= "TDH.SYS.CONFIG",
	[TDH_EXT_INIT]		= "TDH.EXT.INIT",
	[TDH_EXT_MEM_ADD]	= "TDH.EXT.MEM.ADD",
	[TDH_IOMMU_SETUP]	= "TDH.IOMMU.SETUP",
	[TDH_IOMMU_CLEAR]	= "TDH.IOMMU.CLEAR",
	[TDH_SPDM_CREATE]	= "TDH.SPDM.CREATE",
	[TDH_SPDM_DELETE]	= "TDH.SPDM.DELETE",
	[TDH_IDE_STREAM_CREATE]	= "TDH.IDE.STREAM.CREATE",
	[TDH_IDE_STREAM_BLOCK]	= "TDH.IDE.STREAM.BLOCK",
	[TDH_IDE_STREAM_DELETE]	= "TDH.IDE.STREAM.DELETE",
	[TDH_IDE_STREAM_KM]	= "TDH.IDE.STREAM.KM",
	[TDH_DEVIF_CREATE]	= "TDH.DEVIF.CREATE",
	[TDH_DEVIF_REMOVE]	= "TDH.DEVIF.REMOVE",
	[TDH_DEVIF_REQUEST]	= "TDH.DEVIF.REQUEST",
	[TDH_DEVIF_RESPONSE]	= "TDH.DEVIF.RESPONSE",
	[TDH_SPDM_CONNECT]	= "TDH.SPDM.CONNECT",
	[TDH_SPDM_DISCONNECT]	= "TDH.SPDM.DISCONNECT",
	[TDH_SPDM_MNG]		= "TDH.SPDM.MNG",
	[TDH_DMAR_ADD]		= "TDH.DMAR.ADD",
	[TDH_DMAR_BLOCK]	= "TDH.DMAR.BLOCK",
	[TDH_DMAR_READ]		= "TDH.DMAR.READ",
	[TDH_DMAR_REMOVE]	= "TDH.DMAR.REMOVE",
	[TDH_MMIOMT_ADD]	= "TDH.MMIOMT.ADD",
	[TDH_MMIOMT_SET]	= "TDH.MMIOMT.SET",
	[TDH_MMIOMT_RD]		= "TDH.MMIOMT.RD",
	[TDH_MMIOMT_REMOVE]	= "TDH.MMIOMT.REMOVE",
	[TDH_MMIO_MAP]		= "TDH.MMIO.MAP",
	[TDH_MMIO_BLOCK]	= "TDH.MMIO.BLOCK",
	[TDH_MMIO_UNMAP]	= "TDH.MMIO.UNMAP",
	[TDH_IQ_INV_REQUEST]	= "TDH.IQ.INV.REQUEST",
	[TDH_IQ_INV_PROCESS]	= "TDH.IQ.INV.PROCESS",
	[TDH_DEVIFMT_ADD]	= "TDH.DEVIFMT.ADD",
	[TDH_DEVIFMT_REMOVE]	= "TDH.DEVIFMT.REMOVE",
	[TDH_DEVIFMT_RD]	= "TDH.DEVIFMT.RD",
};

/**
 * tdx_leaf_name() - Name of a SEAMCALL leaf, for messages
 * @fn: RAX of the SEAMCALL; the version bits are ignored
 *
 * Context: Any context.
 * Return: the leaf name as the TDX module specification spells it, or
 * "unknown leaf" for a leaf that tdx_seamcall_ver() is not used for.
 */
const char *tdx_leaf_name(u64 fn)
{
	u64 leaf = FIELD_GET(TDX_SEAMCALL_LEAF, fn);

	if (leaf < ARRAY_SIZE(tdx_leaf_names) && tdx_leaf_names[leaf])
		return tdx_leaf_names[leaf];
	return "unknown leaf";
}

/**
 * tdx_seamcall_enter() - Make one SEAMCALL with every register in and out
 * @fn: RAX: leaf and version
 * @args: all argument registers in, all result registers out
 *
 * The single entry of the versioned SEAMCALLs into the TDX module, and the
 * point where KUnit redirects them to a fake module.  The entropy retry of
 * seamcall_saved_ret() is not the place for it: it is always inlined and
 * runs with preemption disabled.
 *
 * Context: Process context; preemption is disabled around each SEAMCALL.
 * Return: the status in RAX.
 */
u64 tdx_seamcall_enter(u64 fn, struct tdx_module_args *args)
{
	KUNIT_STATIC_STUB_REDIRECT(tdx_seamcall_enter, fn, args);

	return seamcall_saved_ret(fn, args);
}

/**
 * tdx_seamcall_report() - Report a status the kernel does not handle
 * @fn: RAX of the SEAMCALL: leaf and version
 * @status: the status it returned
 * @in: the registers it was called with
 * @out: the registers it returned
 *
 * A status outside the ones the callers handle means the kernel and the
 * TDX module disagree about the ABI.  seamcall_err_ret() prints RAX, the
 * status and the output registers RCX to R11, as for any failed SEAMCALL;
 * the leaf name, the other output registers, which the TDX Connect leaves
 * use, and the input registers, which tell which side is wrong, follow.
 * Rate-limited because a broken module may return the same status on
 * every call.
 *
 * Context: Any context.
 */
VISIBLE_IF_KUNIT void tdx_seamcall_report(u64 fn, u64 status,
					  const struct tdx_module_args *in,
					  const struct tdx_module_args *out)
{
	static DEFINE_RATELIMIT_STATE(rs, DEFAULT_RATELIMIT_INTERVAL,
				      DEFAULT_RATELIMIT_BURST);
	struct tdx_module_args regs;

	KUNIT_STATIC_STUB_REDIRECT(tdx_seamcall_report, fn, status, in, out);

	if (!__ratelimit(&rs))
		return;

	/* seamcall_err_ret() does not take const registers. */
	regs = *out;
	seamcall_err_ret(fn, status, &regs);
	pr_err("%s version %llu, out: R12 0x%016llx R13 0x%016llx R14 0x%016llx R15 0x%016llx RBX 0x%016llx RDI 0x%016llx RSI 0x%016llx\n",
	       tdx_leaf_name(fn), FIELD_GET(TDX_SEAMCALL_VERSION, fn),
	       out->r12, out->r13, out->r14, out->r15, out->rbx, out->rdi, out->rsi);
	pr_err("in:  RCX 0x%016llx RDX 0x%016llx R8  0x%016llx R9  0x%016llx R10 0x%016llx R11 0x%016llx R12 0x%016llx\n",
	       in->rcx, in->rdx, in->r8, in->r9, in->r10, in->r11, in->r12);
	pr_err("in:  R13 0x%016llx R14 0x%016llx R15 0x%016llx RBX 0x%016llx RDI 0x%016llx RSI 0x%016llx\n",
	       in->r13, in->r14, in->r15, in->rbx, in->rdi, in->rsi);
}
EXPORT_SYMBOL_IF_KUNIT(tdx_seamcall_report);

/* Bits 47:40 of a status: its class; 0x0f is the TDX Connect class */
#define TDX_STATUS_CLASS		GENMASK_ULL(47, 40)
#define TDX_STATUS_CLASS_CONNECT	0x0f

/*
 * The statuses that callers of tdx_seamcall_ver() act on; bits 31:0 only
 * carry details such as the operand ID.  The SPDM statuses ask the host
 * to exchange a message with the device or to refresh the session keys,
 * then call again.  The rest of the TDX Connect class are the module's
 * refusals of an operation in the state its objects are in (a DMAR entry
 * not blocked, a TDI not stopped, a metadata page not empty): the caller
 * that made the operation names them.
 */
static bool tdx_status_known(u64 status)
{
	switch (status & TDX_SEAMCALL_STATUS_MASK) {
	case TDX_SUCCESS:
	case TDX_INTERRUPTED_RESUMABLE:
	case TDX_OPERAND_BUSY:
	case TDX_OPERAND_INVALID:
		return true;
	default:
		return FIELD_GET(TDX_STATUS_CLASS, status) == TDX_STATUS_CLASS_CONNECT;
	}
}

/**
 * tdx_seamcall_ver() - Make a SEAMCALL to a given version of a leaf
 * @leaf: leaf number, TDH_*
 * @version: leaf version, as the arguments in @args are laid out for
 * @args: argument registers in, result registers out
 *
 * A status that no caller handles is reported once, with the leaf name and
 * all registers, and returned like any other failure; the caller decides
 * what the module may still own.  TDX_INTERRUPTED_RESUMABLE is returned
 * too: only the wrapper of a leaf knows how that leaf resumes.
 *
 * Context: Process context; preemption is disabled around each SEAMCALL.
 * Return: the status in RAX.
 */
u64 tdx_seamcall_ver(u16 leaf, u8 version, struct tdx_module_args *args)
{
	u64 fn = FIELD_PREP(TDX_SEAMCALL_LEAF, leaf) |
		 FIELD_PREP(TDX_SEAMCALL_VERSION, version);
	struct tdx_module_args in = *args;
	u64 status;

	status = tdx_seamcall_enter(fn, args);
	if (!tdx_status_known(status))
		tdx_seamcall_report(fn, status, &in, args);

	return status;
}
