// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host side of TDs, from the KVM uAPI (Documentation/virt/kvm/x86/intel-tdx.rst):
 * KVM_TDX_CAPABILITIES and KVM_TDX_INIT_VM, then KVM_TDX_INIT_VCPU per
 * vCPU, KVM_TDX_INIT_MEM_REGION for every private page the guest starts
 * with, and KVM_TDX_FINALIZE_VM.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>

#include "kvm_util.h"
#include "processor.h"
#include "tdx/tdx_boot.h"
#include "tdx/tdx_vm.h"

/* Guest memory besides the boot page: code, data, page tables, stacks. */
#define TDX_VM_NR_PAGES			2048
#define TDX_BOOT_MEMSLOT		1

/* KVM never reports more CPUID leaves than this. */
#define TDX_MAX_CPUID_ENTRIES		256

/* Flat 64-bit code and data descriptors for the boot GDT. */
#define TD_BOOT_GDT_CODE64		0x00af9b000000ffffULL
#define TD_BOOT_GDT_DATA		0x00cf93000000ffffULL

kvm_static_assert(offsetof(struct td_boot_params, cr0_set) == TD_BOOT_CR0_SET);
kvm_static_assert(offsetof(struct td_boot_params, cr3) == TD_BOOT_CR3);
kvm_static_assert(offsetof(struct td_boot_params, cr4_set) == TD_BOOT_CR4_SET);
kvm_static_assert(offsetof(struct td_boot_params, nr_vcpus) == TD_BOOT_NR_VCPUS);
kvm_static_assert(offsetof(struct td_boot_params, entry) == TD_BOOT_ENTRY);
kvm_static_assert(offsetof(struct td_boot_params, gdtr_limit) == TD_BOOT_GDTR);
kvm_static_assert(offsetof(struct td_boot_params, idtr_limit) == TD_BOOT_IDTR);
kvm_static_assert(offsetof(struct td_boot_params, gdt) == TD_BOOT_GDT);
kvm_static_assert(offsetof(struct td_boot_params, vcpus) == TD_BOOT_VCPUS);
kvm_static_assert(sizeof(struct td_boot_vcpu) == 1 << TD_BOOT_VCPU_SHIFT);
kvm_static_assert(offsetof(struct td_boot_vcpu, code) == TD_BOOT_VCPU_CODE);
kvm_static_assert(offsetof(struct td_boot_vcpu, rsp) == TD_BOOT_VCPU_RSP);
kvm_static_assert(sizeof(struct td_boot_params) <= TD_BOOT_PARAMS_SIZE);

/*
 * KVM_MEMORY_ENCRYPT_OP is declared with an "unsigned long" argument but
 * takes a struct kvm_tdx_cmd, so it cannot go through vm_ioctl().
 */
static int __tdx_ioctl(int fd, u32 id, u32 flags, void *data, u64 *hw_error)
{
	struct kvm_tdx_cmd cmd = {
		.id = id,
		.flags = flags,
		.data = (u64)data,
	};
	int r;

	r = ioctl(fd, KVM_MEMORY_ENCRYPT_OP, &cmd);
	*hw_error = cmd.hw_error;

	return r;
}

#define tdx_ioctl(fd, id, flags, data)					\
do {									\
	u64 __hw_error;							\
	int __r = __tdx_ioctl(fd, id, flags, data, &__hw_error);	\
									\
	TEST_ASSERT(!__r, "%s failed: %s, hw_error: %#lx",		\
		    #id, strerror(errno), __hw_error);			\
} while (0)

static struct td_boot_params *td_boot_params(struct kvm_vm *vm)
{
	return addr_gpa2hva(vm, TD_BOOT_PAGE_GPA);
}

static struct kvm_tdx_capabilities *tdx_get_capabilities(struct kvm_vm *vm)
{
	struct kvm_tdx_capabilities *caps;

	caps = calloc(1, sizeof(*caps) +
		      TDX_MAX_CPUID_ENTRIES * sizeof(struct kvm_cpuid_entry2));
	TEST_ASSERT(caps, "-ENOMEM when allocating TDX capabilities");
	caps->cpuid.nent = TDX_MAX_CPUID_ENTRIES;

	tdx_ioctl(vm->fd, KVM_TDX_CAPABILITIES, 0, caps);

	return caps;
}

/*
 * The TD's CPUID: each leaf the TDX module lets the VMM configure, with
 * the bits KVM supports among those it may configure.  KVM rejects a leaf
 * the TDX module does not list.  CPUID 0x80000008.EAX[23:16] is KVM's way
 * to choose the GPAW.
 */
static void tdx_init_vm(struct kvm_vm *vm)
{
	const struct kvm_cpuid2 *supported = kvm_get_supported_cpuid();
	struct kvm_tdx_capabilities *caps = tdx_get_capabilities(vm);
	struct kvm_tdx_init_vm *init_vm;
	u32 i, j, nent = 0;

	init_vm = calloc(1, sizeof(*init_vm) +
			 caps->cpuid.nent * sizeof(struct kvm_cpuid_entry2));
	TEST_ASSERT(init_vm, "-ENOMEM when allocating KVM_TDX_INIT_VM data");

	for (i = 0; i < caps->cpuid.nent; i++) {
		const struct kvm_cpuid_entry2 *cfg = &caps->cpuid.entries[i];
		struct kvm_cpuid_entry2 *e = &init_vm->cpuid.entries[nent];

		for (j = 0; j < supported->nent; j++) {
			if (supported->entries[j].function == cfg->function &&
			    supported->entries[j].index == cfg->index)
				break;
		}
		if (j == supported->nent)
			continue;

		*e = supported->entries[j];
		e->eax &= cfg->eax;
		e->ebx &= cfg->ebx;
		e->ecx &= cfg->ecx;
		e->edx &= cfg->edx;
		if (e->function == 0x80000008)
			e->eax = (e->eax & ~GENMASK(23, 16)) | TDX_GPAW << 16;
		nent++;
	}
	init_vm->cpuid.nent = nent;

	/*
	 * No TD attributes (no debug): the TD's memory and state stay
	 * private.  XFAM: the XSAVE features KVM offers this process, as
	 * its CPUID does; the TDX module adds the ones it requires.
	 */
	init_vm->attributes = 0;
	init_vm->xfam = caps->supported_xfam & kvm_cpu_supported_xcr0();

	tdx_ioctl(vm->fd, KVM_TDX_INIT_VM, 0, init_vm);

	free(init_vm);
	free(caps);
}

/*
 * The boot page: a copy of td_boot_page, identity-mapped so that the boot
 * code keeps running once it turns paging on, with the parameters every
 * vCPU shares.  The per-vCPU ones come with vm_tdx_vcpu_add(), CR0, CR3
 * and CR4 with vm_tdx_finalize().
 */
static void td_boot_page_init(struct kvm_vm *vm)
{
	struct td_boot_params *params;
	gpa_t gpa;

	vm_userspace_mem_region_add(vm, VM_MEM_SRC_ANONYMOUS, TD_BOOT_PAGE_GPA,
				    TDX_BOOT_MEMSLOT, 1, KVM_MEM_GUEST_MEMFD);
	gpa = vm_phy_pages_alloc(vm, 1, TD_BOOT_PAGE_GPA, TDX_BOOT_MEMSLOT);
	TEST_ASSERT_EQ(gpa, TD_BOOT_PAGE_GPA);
	virt_map(vm, TD_BOOT_PAGE_GPA, TD_BOOT_PAGE_GPA, 1);

	params = td_boot_params(vm);
	memcpy(params, td_boot_page, PAGE_SIZE);

	params->entry = (u64)tdx_guest_start;
	params->gdt[TD_BOOT_CS >> 3] = TD_BOOT_GDT_CODE64;
	params->gdt[TD_BOOT_DS >> 3] = TD_BOOT_GDT_DATA;
	params->gdtr_limit = sizeof(params->gdt) - 1;
	params->gdtr_base = TD_BOOT_PAGE_GPA + offsetof(struct td_boot_params, gdt);
	params->idtr_limit = 0;
	params->idtr_base = 0;
}

/*
 * Create a TD with its initial memory: the test's ELF image, its page
 * tables and the boot page, all private (backed by guest_memfd) and not
 * yet added to the TD.
 */
struct kvm_vm *vm_tdx_create(void)
{
	struct vm_shape shape = {
		.mode = VM_MODE_DEFAULT,
		.type = KVM_X86_TDX_VM,
	};
	struct kvm_vm *vm;

	vm = ____vm_create(shape);

	tdx_init_vm(vm);

	/*
	 * The shared bit must be known before any memory or page table
	 * exists: the library marks pages private and page tables map
	 * shared pages with it.
	 */
	vm->arch.s_bit = BIT_ULL(TDX_GPAW - 1);
	vm->gpa_tag_mask = vm->arch.s_bit;
	vm->max_gfn = min(vm->max_gfn, (vm->arch.s_bit >> vm->page_shift) - 1);

	/* TDX vCPUs need an in-kernel local APIC, and no in-kernel I/O APIC. */
	vm_enable_cap(vm, KVM_CAP_SPLIT_IRQCHIP, 24);
	vm->has_irqchip = true;

	vm_userspace_mem_region_add(vm, VM_MEM_SRC_ANONYMOUS, 0, 0,
				    TDX_VM_NR_PAGES, KVM_MEM_GUEST_MEMFD);
	kvm_vm_elf_load(vm, program_invocation_name);
	td_boot_page_init(vm);

	return vm;
}

/*
 * KVM_TDX_INIT_VCPU runs TDH.VP.INIT, which numbers vCPUs in the order it
 * initializes them; the boot code finds its parameters by that number.
 * Then give KVM the CPUID the TDX module virtualizes, as the uAPI asks.
 */
struct kvm_vcpu *vm_tdx_vcpu_add(struct kvm_vm *vm, u32 vcpu_id,
				 void *guest_code)
{
	struct td_boot_params *params = td_boot_params(vm);
	struct td_boot_vcpu *boot = &params->vcpus[params->nr_vcpus];
	struct kvm_cpuid2 *cpuid;
	struct kvm_vcpu *vcpu;

	TEST_ASSERT(is_tdx_vm(vm), "Not a TD");
	TEST_ASSERT(params->nr_vcpus < TD_BOOT_MAX_VCPUS,
		    "The boot page holds %u vCPUs", TD_BOOT_MAX_VCPUS);

	vcpu = __vm_vcpu_add(vm, vcpu_id);
	tdx_ioctl(vcpu->fd, KVM_TDX_INIT_VCPU, 0, NULL);

	boot->code = (u64)guest_code;
	boot->rsp = vm_alloc_stack(vm, DEFAULT_STACK_PGS);
	params->nr_vcpus++;

	cpuid = allocate_kvm_cpuid2(TDX_MAX_CPUID_ENTRIES);
	tdx_ioctl(vcpu->fd, KVM_TDX_GET_CPUID, 0, cpuid);
	vcpu_init_cpuid(vcpu, cpuid);
	free(cpuid);

	return vcpu;
}

/*
 * Add every private page the library allocated in @region to the TD,
 * copying in its contents and extending the TD's measurement (MRTD) with
 * them.  The source is the memslot's shared mapping, where the library
 * built the image.
 */
static void tdx_add_private_memory(struct kvm_vm *vm, struct kvm_vcpu *vcpu,
				   struct userspace_mem_region *region)
{
	const struct sparsebit *pages = region->protected_phy_pages;
	sparsebit_idx_t i, j;

	if (!sparsebit_any_set(pages))
		return;

	sparsebit_for_each_set_range(pages, i, j) {
		struct kvm_tdx_init_mem_region mem = {
			.source_addr = (u64)addr_gpa2hva(vm, i * vm->page_size),
			.gpa = i * vm->page_size,
			.nr_pages = j - i + 1,
		};
		u64 hw_error;
		int r;

		vm_mem_set_private(vm, mem.gpa, mem.nr_pages * vm->page_size);

		/* On a signal, KVM stops with @mem updated past the pages done. */
		do {
			r = __tdx_ioctl(vcpu->fd, KVM_TDX_INIT_MEM_REGION,
					KVM_TDX_MEASURE_MEMORY_REGION, &mem,
					&hw_error);
		} while (r && errno == EINTR);
		TEST_ASSERT(!r, "KVM_TDX_INIT_MEM_REGION at %#llx: %s, hw_error: %#lx",
			    mem.gpa, strerror(errno), hw_error);
	}
}

/*
 * Add and measure the TD's initial memory and finalize the measurement;
 * the TD can run afterwards, and its memory is no longer the host's to
 * read or write.
 */
void vm_tdx_finalize(struct kvm_vm *vm)
{
	struct td_boot_params *params = td_boot_params(vm);
	struct userspace_mem_region *region;
	struct kvm_vcpu *vcpu;
	int ctr;

	TEST_ASSERT(params->nr_vcpus, "KVM_TDX_INIT_MEM_REGION needs a vCPU");
	TEST_ASSERT(vm->mmu.pgd < BIT_ULL(32),
		    "CR3 %#lx: the boot code loads it in 32-bit mode", vm->mmu.pgd);

	params->cr0_set = X86_CR0_PG;
	params->cr3 = vm->mmu.pgd;
	params->cr4_set = X86_CR4_PAE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT;
	if (vm->mmu.pgtable_levels == 5)
		params->cr4_set |= X86_CR4_LA57;

	vcpu = list_first_entry(&vm->vcpus, struct kvm_vcpu, list);
	hash_for_each(vm->regions.slot_hash, ctr, region, slot_node)
		tdx_add_private_memory(vm, vcpu, region);

	tdx_ioctl(vm->fd, KVM_TDX_FINALIZE_VM, 0, NULL);

	vm->arch.is_pt_protected = true;
}

struct kvm_vm *vm_tdx_create_with_one_vcpu(void *guest_code,
					   struct kvm_vcpu **vcpu)
{
	struct kvm_vm *vm = vm_tdx_create();

	*vcpu = vm_tdx_vcpu_add(vm, 0, guest_code);

	return vm;
}

/*
 * If the vCPU exited with TDG.VP.VMCALL<ReportFatalError>, copy its
 * message to @msg and return true.  KVM reports the GPRs in data[] in
 * the order of struct kvm_regs: RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI,
 * R8-R15, which is also the GHCI's register numbering.
 */
bool tdx_fatal_error_msg(struct kvm_vcpu *vcpu,
			 char msg[TDX_FATAL_ERROR_MSG_LEN + 1])
{
	static const int gprs[] = {
		TDX_GPR_R14, TDX_GPR_R15, TDX_GPR_RBX, TDX_GPR_RDI,
		TDX_GPR_RSI, TDX_GPR_R8, TDX_GPR_R9, TDX_GPR_RDX,
	};
	struct kvm_run *run = vcpu->run;
	int i;

	if (run->exit_reason != KVM_EXIT_SYSTEM_EVENT ||
	    run->system_event.type != KVM_SYSTEM_EVENT_TDX_FATAL)
		return false;

	TEST_ASSERT(run->system_event.ndata > TDX_GPR_R15,
		    "KVM_SYSTEM_EVENT_TDX_FATAL with %u registers",
		    run->system_event.ndata);
	for (i = 0; i < ARRAY_SIZE(gprs); i++)
		memcpy(&msg[i * 8], &run->system_event.data[gprs[i]], 8);
	msg[TDX_FATAL_ERROR_MSG_LEN] = '\0';

	return true;
}

/* Fail the test if the TD stopped: a fatal error it reported, or a shutdown. */
void tdx_assert_exit_not_fatal(struct kvm_vcpu *vcpu)
{
	char msg[TDX_FATAL_ERROR_MSG_LEN + 1];

	if (tdx_fatal_error_msg(vcpu, msg))
		TEST_FAIL("TD reported a fatal error (code %#llx): %s",
			  vcpu->run->system_event.data[TDX_GPR_R12], msg);

	TEST_ASSERT(vcpu->run->exit_reason != KVM_EXIT_SHUTDOWN,
		    "TD shut down: the guest took an exception or a #VE, which the boot IDT makes a triple fault");
}
