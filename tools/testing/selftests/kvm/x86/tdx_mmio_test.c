// SPDX-License-Identifier: GPL-2.0-only
/*
 * A TD writes MMIO through TDG.VP.VMCALL<#VE.RequestMMIO>: each access size
 * reaches the host as KVM_EXIT_MMIO with the address, length and data the
 * guest gave, and tdx_mmio_write() refuses invalid sizes and unaligned
 * addresses in the guest, before any TDG.VP.VMCALL.
 */
#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"
#include "tdx/tdx.h"
#include "tdx/tdx_vm.h"

/* No memslot backs these GPAs: the host emulates them as MMIO. */
#define MMIO_GPA		0xc0000000ULL
#define DONE_GPA		(MMIO_GPA + PAGE_SIZE)
#define DONE_MAGIC		0x646f6e65646f6e65ULL

static const u64 mmio_sizes[] = { 1, 2, 4, 8 };

static const struct {
	u64 offset;
	u64 size;
} bad_mmio[] = {
	{ .offset = 0, .size = 0 },
	{ .offset = 0, .size = 3 },
	{ .offset = 0, .size = 16 },
	{ .offset = 2, .size = 4 },
};

/* MMIO_GPA and DONE_GPA with the TD's shared bit, set before measurement. */
static u64 mmio_shared_gpa;
static u64 done_shared_gpa;

/* Different in every byte, and in the low byte for every size. */
static u64 mmio_data(u64 size)
{
	return 0x8877665544332210ULL | size;
}

#define TD_GUEST_ASSERT_EQ(a, b)					\
do {									\
	u64 __a = (a), __b = (b);					\
	char __msg[TDX_FATAL_ERROR_MSG_LEN];				\
									\
	if (__a != __b) {						\
		guest_snprintf(__msg, sizeof(__msg), "line %d: %#lx != %#lx", \
			       __LINE__, __a, __b);			\
		tdx_report_fatal_error(__msg);				\
	}								\
} while (0)

static void guest_code(void)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(mmio_sizes); i++)
		TD_GUEST_ASSERT_EQ(tdx_mmio_write(mmio_shared_gpa, mmio_sizes[i],
						  mmio_data(mmio_sizes[i])),
				   TDG_VP_VMCALL_SUCCESS);

	/*
	 * KVM itself answers TDG_VP_VMCALL_INVALID_OPERAND for a bad size
	 * and forwards an unaligned address to the host: only a refusal
	 * in the guest gives TDX_VMCALL_REFUSED and no exit.
	 */
	for (i = 0; i < ARRAY_SIZE(bad_mmio); i++)
		TD_GUEST_ASSERT_EQ(tdx_mmio_write(mmio_shared_gpa + bad_mmio[i].offset,
						  bad_mmio[i].size,
						  mmio_data(bad_mmio[i].size)),
				   TDX_VMCALL_REFUSED);

	tdx_mmio_write(done_shared_gpa, 8, DONE_MAGIC);
	tdx_report_fatal_error("resumed after the last MMIO write");
}

static void assert_mmio_write(struct kvm_vcpu *vcpu, u64 gpa, u64 size,
			      u64 data)
{
	u64 mask = GENMASK_ULL(size * 8 - 1, 0);
	struct kvm_run *run = vcpu->run;

	tdx_assert_exit_not_fatal(vcpu);
	TEST_ASSERT_KVM_EXIT_REASON(vcpu, KVM_EXIT_MMIO);
	TEST_ASSERT(run->mmio.phys_addr == gpa && run->mmio.len == size,
		    "MMIO exit at %#llx, %u bytes; expected %#lx, %lu bytes%s",
		    run->mmio.phys_addr, run->mmio.len, gpa, size,
		    run->mmio.phys_addr == MMIO_GPA + 2 ?
		    " (an unaligned write was not refused in the guest)" : "");
	TEST_ASSERT(run->mmio.is_write, "MMIO exit at %#lx is a read", gpa);
	TEST_ASSERT(!memcmp(run->mmio.data, &data, size),
		    "MMIO write of %lu bytes at %#lx: data %#lx, expected %#lx",
		    size, gpa, *(u64 *)run->mmio.data & mask, data & mask);
}

int main(int argc, char *argv[])
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	int i;

	TEST_REQUIRE(kvm_check_cap(KVM_CAP_VM_TYPES) & BIT(KVM_X86_TDX_VM));

	vm = vm_tdx_create_with_one_vcpu(guest_code, &vcpu);

	mmio_shared_gpa = MMIO_GPA | tdx_shared_bit(vm);
	done_shared_gpa = DONE_GPA | tdx_shared_bit(vm);
	sync_global_to_guest(vm, mmio_shared_gpa);
	sync_global_to_guest(vm, done_shared_gpa);

	vm_tdx_finalize(vm);

	for (i = 0; i < ARRAY_SIZE(mmio_sizes); i++) {
		vcpu_run(vcpu);
		assert_mmio_write(vcpu, MMIO_GPA, mmio_sizes[i],
				  mmio_data(mmio_sizes[i]));
		pr_info("%lu-byte MMIO write reached the host\n", mmio_sizes[i]);
	}

	/* The next exit must be the last write: the bad ones never left the TD. */
	vcpu_run(vcpu);
	assert_mmio_write(vcpu, DONE_GPA, 8, DONE_MAGIC);
	for (i = 0; i < ARRAY_SIZE(bad_mmio); i++)
		pr_info("%lu-byte MMIO write at offset %lu refused in the guest\n",
			bad_mmio[i].size, bad_mmio[i].offset);

	kvm_vm_free(vm);

	return 0;
}
