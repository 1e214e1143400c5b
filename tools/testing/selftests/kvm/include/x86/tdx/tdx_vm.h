/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host side of TDX guests (TDs): create, initialize, measure and finalize
 * a TD through the KVM_TDX_* commands of KVM_MEMORY_ENCRYPT_OP.
 *
 * The flow:
 *	vm = vm_tdx_create();
 *	vcpu = vm_tdx_vcpu_add(vm, 0, guest_code);
 *	sync_global_to_guest(vm, ...);	(the TD's initial memory)
 *	vm_tdx_finalize(vm);		(adds and measures it: no more writes)
 *	vcpu_run(vcpu);
 *
 * Guest code runs in 64-bit mode without an IDT or ucalls (a TD cannot
 * take the port I/O that ucalls use without a #VE handler); it reports
 * back with tdx_mmio_write() and tdx_report_fatal_error().
 */
#ifndef SELFTEST_KVM_TDX_TDX_VM_H
#define SELFTEST_KVM_TDX_TDX_VM_H

#include <stdbool.h>

#include "kvm_util.h"
#include "tdx/tdx.h"

/* The TD's guest physical address width: 48 is always supported. */
#define TDX_GPAW			48

static inline bool is_tdx_vm(struct kvm_vm *vm)
{
	return vm->type == KVM_X86_TDX_VM;
}

/* Bit of a GPA that selects shared (host-visible) rather than private. */
static inline u64 tdx_shared_bit(struct kvm_vm *vm)
{
	return vm->arch.s_bit;
}

struct kvm_vm *vm_tdx_create(void);
struct kvm_vcpu *vm_tdx_vcpu_add(struct kvm_vm *vm, u32 vcpu_id,
				 void *guest_code);
void vm_tdx_finalize(struct kvm_vm *vm);
struct kvm_vm *vm_tdx_create_with_one_vcpu(void *guest_code,
					   struct kvm_vcpu **vcpu);

bool tdx_fatal_error_msg(struct kvm_vcpu *vcpu,
			 char msg[TDX_FATAL_ERROR_MSG_LEN + 1]);
void tdx_assert_exit_not_fatal(struct kvm_vcpu *vcpu);

#endif /* SELFTEST_KVM_TDX_TDX_VM_H */
