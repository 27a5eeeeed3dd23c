// SPDX-License-Identifier: GPL-2.0-only
/*
 * PCM hypercalls 104 and 105 made by a nested (L2) guest on Intel: the
 * VMX side of pcm_nested_test.
 *
 * PCM serves L1 only: L2's buffer address is an L2 physical address and
 * the counters are L1's, so a PCM hypercall of L2 must never write L1
 * memory behind L1's back.  Whatever L1 intercepts, L2 must see what a
 * stock KVM 6.1 shows it, and nothing may be written or counted:
 *
 * - VMCALL in VMX non-root operation always exits, and KVM always hands
 *   that exit to L1 (nested_vmx_l1_wants_exit()): L1 gets
 *   EXIT_REASON_VMCALL at the instruction.
 * - VMMCALL raises #UD.  If L1 intercepts #UD, L1 gets it.  Else KVM
 *   takes it (vmcs02 intercepts #UD for KVM), but its emulator does not
 *   emulate VMMCALL for L2 (vmx_check_intercept() finds it unhandleable),
 *   so, unlike on SVM, nothing is rewritten: KVM injects the #UD into L2.
 *   L2 has no IDT here, so delivering it page-faults on the IDT, and L1
 *   gets that #PF (the selftest library's VMCS lets every #PF exit).
 *
 * PCM's own #UD path, the foreign VMMCALL of 104, is what must not serve
 * L2 (it would write L1 memory).
 *
 * L1 fills NR_POISON_PAGES pages of its memory with PCM_POISON, and L2,
 * which runs without EPT on L1's page tables (L2 physical == L1 physical),
 * jumps to a writable stub page with rax = 104 or 105, rbx = the middle
 * page and rcx = 288:
 *
 *	+0	VMCALL or VMMCALL
 *	+3	hlt, where L2 would go on if KVM answered it
 *
 * the rest of the page being hlt as well.  L1 intercepts HLT, so L2 never
 * goes further than that; L1 notes the exit reason, the exception vector
 * and L2's RIP (the selftest library's vmlaunch does not keep L2's GPRs:
 * an answered call shows as RIP past the instruction).  The host then
 * checks those, the stub's bytes, every poison page, and the VM's PCM
 * state: pcm_hypercalls and all 36 counters.  Counting is switched off
 * (kvm.pcm_count_events) so that only a PCM write could move a counter.
 * L1 calling 104 and 105 itself shows that a write is seen.
 *
 * Needs root, VMX and a KVM built with CONFIG_KVM_PCM; skips otherwise.
 */
#include <asm/kvm_para.h>
#include <linux/kvm_para.h>
#include <linux/kvm_pcm.h>
#include <string.h>

#include "test_util.h"
#include "kvm_util.h"
#include "processor.h"
#include "vmx.h"
#include "pcm_util.h"

#define OPCODE_HLT		0xf4

/* The buffer is the middle one, so a write past either end shows too. */
#define NR_POISON_PAGES		3
#define BUF_PAGE		1

#define L2_STACK_SIZE		64

/* The master PIC's interrupt mask register: KVM's in-kernel PIC answers. */
#define PIC_MASK_PORT		0x21
/* Port reads L2 makes in the accounting cases. */
#define NR_L2_EVENTS		100

/* The vector of an exception exit: bits 7:0 of the interruption info. */
#define EXIT_INTR_VECTOR(info)	((info) & 0xff)

/* Set by the host before L1 runs; L2 reads them through L1's mappings. */
static u64 poison_gva;
static u64 stub_gva;
static u64 hc_nr;
static u64 hc_buf_gpa;
static bool l1_calls_itself;
static u32 l1_exceptions;
static u32 l1_exec_controls;	/* added to the primary controls */
static u64 l2_events;		/* port reads, then a CPUID, instead of the call */

/* What L1 saw, read back by the host. */
static struct {
	u64 rax;		/* of L1's own call */
	u64 exit_reason;
	u64 vector;		/* of an exception exit */
	u64 rip;
} l1_seen;

/*
 * L2: the registers of the call, then the stub; it never comes back.  Or,
 * with l2_events, that many port reads, then a CPUID (which always exits
 * to L1 on VMX).
 */
static void l2_guest_code(void)
{
	u32 eax, ebx, ecx, edx;
	u64 i;
	u8 v;

	if (READ_ONCE(l2_events)) {
		for (i = 0; i < READ_ONCE(l2_events); i++)
			asm volatile("inb %w1, %b0" : "=a"(v) : "d"(PIC_MASK_PORT));
		cpuid(0, &eax, &ebx, &ecx, &edx);
	}
	asm volatile("jmp *%[stub]"
		     : : "a"(hc_nr), "b"(hc_buf_gpa),
		       "c"((u64)PCM_HC_GET_PCM_INFO_LEN), [stub] "r"(stub_gva)
		     : "memory");
}

static void l1_guest_code(struct vmx_pages *vmx)
{
	unsigned long l2_stack[L2_STACK_SIZE];

	memset((void *)poison_gva, PCM_POISON, NR_POISON_PAGES * PAGE_SIZE);

	if (l1_calls_itself) {
		asm volatile("vmcall"
			     : "=a"(l1_seen.rax)
			     : "a"(hc_nr), "b"(hc_buf_gpa),
			       "c"((u64)PCM_HC_GET_PCM_INFO_LEN)
			     : "memory");
		GUEST_DONE();
	}

	GUEST_ASSERT(prepare_for_vmx_operation(vmx));
	GUEST_ASSERT(load_vmcs(vmx));
	prepare_vmcs(vmx, l2_guest_code, &l2_stack[L2_STACK_SIZE]);
	vmwrite(CPU_BASED_VM_EXEC_CONTROL,
		vmreadz(CPU_BASED_VM_EXEC_CONTROL) | CPU_BASED_HLT_EXITING |
		l1_exec_controls);
	vmwrite(EXCEPTION_BITMAP, l1_exceptions);

	GUEST_ASSERT(!vmlaunch());

	l1_seen.exit_reason = vmreadz(VM_EXIT_REASON);
	l1_seen.vector = EXIT_INTR_VECTOR(vmreadz(VM_EXIT_INTR_INFO));
	l1_seen.rip = vmreadz(GUEST_RIP);
	GUEST_DONE();
}

/* A VM with L1 ready to run, its poison pages and its stub page. */
struct nested_vm {
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpu;
	u8 *stub;
};

static void create_nested_vm(struct nested_vm *t, bool quirk_off,
			     const u8 *insn)
{
	vm_vaddr_t vmx_gva;

	t->vm = vm_create_with_one_vcpu(&t->vcpu, l1_guest_code);
	if (quirk_off)
		vm_enable_cap(t->vm, KVM_CAP_DISABLE_QUIRKS2,
			      KVM_X86_QUIRK_FIX_HYPERCALL_INSN);
	vcpu_alloc_vmx(t->vm, &vmx_gva);
	vcpu_args_set(t->vcpu, 1, vmx_gva);

	/* Physically contiguous, like every vm_vaddr_alloc(). */
	poison_gva = vm_vaddr_alloc_pages(t->vm, NR_POISON_PAGES);
	hc_buf_gpa = addr_gva2gpa(t->vm, poison_gva + BUF_PAGE * PAGE_SIZE);

	/* Writable, so that KVM can rewrite a foreign instruction. */
	stub_gva = vm_vaddr_alloc_page(t->vm);
	t->stub = addr_gva2hva(t->vm, stub_gva);
	memset(t->stub, OPCODE_HLT, PAGE_SIZE);
	memcpy(t->stub, insn, PCM_HYPERCALL_INSN_SIZE);

	sync_global_to_guest(t->vm, poison_gva);
	sync_global_to_guest(t->vm, stub_gva);
	sync_global_to_guest(t->vm, hc_buf_gpa);
	sync_global_to_guest(t->vm, hc_nr);
	sync_global_to_guest(t->vm, l1_calls_itself);
	sync_global_to_guest(t->vm, l1_exceptions);
	sync_global_to_guest(t->vm, l1_exec_controls);
	sync_global_to_guest(t->vm, l2_events);

	pcm_set_all_counters(t->vm);
}

/* KVM_RUN to L1's GUEST_DONE(); l1_seen read back. */
static bool run_l1(struct nested_vm *t)
{
	struct kvm_run *run = t->vcpu->run;
	struct ucall uc;

	if (__pcm_run_vcpu(t->vcpu, PCM_RUN_TIMEOUT_S)) {
		ksft_print_msg("no exit within %d s: L2 spinning on the instruction?\n",
			       PCM_RUN_TIMEOUT_S);
		return false;
	}

	switch (get_ucall(t->vcpu, &uc)) {
	case UCALL_DONE:
		sync_global_from_guest(t->vm, l1_seen);
		return true;
	case UCALL_ABORT:
		REPORT_GUEST_ASSERT(uc);
		break;
	default:
		ksft_print_msg("exit: expected UCALL_DONE, got %u (%s)\n",
			       run->exit_reason, exit_reason_str(run->exit_reason));
	}
	return false;
}

/* Whether every poison page is still poison, from @skip bytes into the buffer on. */
static bool check_poison_pages(struct nested_vm *t, size_t skip)
{
	return pcm_check_poison_pages(t->vm, poison_gva, NR_POISON_PAGES,
				      BUF_PAGE, skip);
}

/* The sanity case: L1 itself is served, so a write would be seen. */
static bool run_l1_case(u64 nr, u64 expected_rax)
{
	struct nested_vm t = {};
	u64 calls;
	bool ok;

	hc_nr = nr;
	l1_calls_itself = true;
	create_nested_vm(&t, false, pcm_vmcall);
	calls = pcm_get_hypercalls(t.vm);

	ok = run_l1(&t);
	if (ok) {
		ok &= expect_u64("L1 rax", expected_rax, l1_seen.rax);
		ok &= pcm_check_values(addr_gpa2hva(t.vm, hc_buf_gpa));
		ok &= check_poison_pages(&t, PCM_HC_GET_PCM_INFO_LEN);
		ok &= expect_u64("pcm_hypercalls delta", 1,
				 pcm_get_hypercalls(t.vm) - calls);
		ok &= pcm_check_all_counters(t.vm);
	}

	kvm_vm_free(t.vm);
	l1_calls_itself = false;
	return ok;
}

static bool test_l1_native_104_served(void)
{
	return run_l1_case(PCM_HC_GET_PCM_INFO, 0);
}

static bool test_l1_native_105_served(void)
{
	return run_l1_case(PCM_HC_GET_PCM_INFO_SIZED, PCM_INFO_SIZE);
}

/*
 * How L1 runs L2 and what it must see when L2 stops; each case runs with
 * 104 and with 105, as "l2_<insn>_<nr>_<config>".
 */
struct l2_case {
	const char *insn_name;
	const char *config;
	const u8 *insn;		/* what L2 executes */
	u32 exceptions;		/* L1's exception bitmap */
	bool quirk_off;		/* KVM_X86_QUIRK_FIX_HYPERCALL_INSN */
	u32 exit_reason;	/* L1's exit, at the instruction */
	u32 vector;		/* of an exception exit */
	const u8 *stub;		/* the stub's bytes afterwards */
};

#define ICPT_UD		BIT(UD_VECTOR)

static const struct l2_case l2_cases[] = {
	/* a) VMCALL always exits to L1, #UD intercepted or not. */
	{ .insn_name = "native", .config = "l1_gets_vmcall",
	  .insn = pcm_vmcall, .exit_reason = EXIT_REASON_VMCALL,
	  .stub = pcm_vmcall },
	{ .insn_name = "native", .config = "l1_intercepts_ud",
	  .insn = pcm_vmcall, .exceptions = ICPT_UD,
	  .exit_reason = EXIT_REASON_VMCALL, .stub = pcm_vmcall },
	/* b) KVM takes the #UD, injects it: L1 gets the #PF of its delivery. */
	{ .insn_name = "foreign", .config = "ud_injected_l1_gets_pf",
	  .insn = pcm_vmmcall, .exit_reason = EXIT_REASON_EXCEPTION_NMI,
	  .vector = PF_VECTOR, .stub = pcm_vmmcall },
	/* c) L1 intercepts #UD: it gets the #UD, with or without the quirk. */
	{ .insn_name = "foreign", .config = "l1_intercepts_ud",
	  .insn = pcm_vmmcall, .exceptions = ICPT_UD,
	  .exit_reason = EXIT_REASON_EXCEPTION_NMI, .vector = UD_VECTOR,
	  .stub = pcm_vmmcall },
	{ .insn_name = "foreign", .config = "quirk_off_l1_intercepts_ud",
	  .insn = pcm_vmmcall, .exceptions = ICPT_UD, .quirk_off = true,
	  .exit_reason = EXIT_REASON_EXCEPTION_NMI, .vector = UD_VECTOR,
	  .stub = pcm_vmmcall },
};

static bool run_l2_case(const struct l2_case *c, u64 nr)
{
	struct nested_vm t = {};
	u64 calls;
	bool ok;

	hc_nr = nr;
	l1_exceptions = c->exceptions;
	create_nested_vm(&t, c->quirk_off, c->insn);
	calls = pcm_get_hypercalls(t.vm);

	ok = run_l1(&t);
	if (ok) {
		ok &= expect_u64("L1's exit reason", c->exit_reason,
				 l1_seen.exit_reason);
		if (l1_seen.exit_reason == EXIT_REASON_EXCEPTION_NMI)
			ok &= expect_u64("exception vector", c->vector,
					 l1_seen.vector);
		/* At the instruction: nobody answered it. */
		ok &= expect_u64("L2 rip", stub_gva, l1_seen.rip);
	}

	/* Whatever L2 saw, L1's memory and the counters must be as they were. */
	ok &= expect_bytes("stub bytes", c->stub, t.stub, PCM_HYPERCALL_INSN_SIZE);
	ok &= check_poison_pages(&t, 0);
	ok &= expect_u64("pcm_hypercalls delta", 0,
			 pcm_get_hypercalls(t.vm) - calls);
	ok &= pcm_check_all_counters(t.vm);

	kvm_vm_free(t.vm);
	return ok;
}

/*
 * Nested accounting, VMX's side of pcm_nested_test's: an L2 event that L0
 * handles itself counts once, in the VM (L1's); one L1 gets counts
 * nothing in L0.  L2 makes NR_L2_EVENTS port reads of the in-kernel PIC,
 * which L1 does not intercept (no I/O exiting, no bitmaps), then a CPUID,
 * which always exits to L1.  With @l1_handles, L1 sets unconditional I/O
 * exiting, so L2 stops at its first port read.
 */
static bool run_accounting_case(bool l1_handles)
{
	const enum kvm_pcm_counter cpuid = KVM_PCM_event_log_ins_cpuid_rd;
	const enum kvm_pcm_counter pio = KVM_PCM_event_log_ins_exec_pio_in;
	struct nested_vm t = {};
	u64 before_cpuid, before_pio;
	bool ok;

	hc_nr = 0;
	l2_events = NR_L2_EVENTS;
	l1_exceptions = 0;
	l1_exec_controls = l1_handles ? CPU_BASED_UNCOND_IO_EXITING : 0;
	create_nested_vm(&t, false, pcm_vmcall);
	before_cpuid = pcm_get_counter(t.vm, cpuid);
	before_pio = pcm_get_counter(t.vm, pio);

	pcm_set_param(PCM_PARAM_COUNT_EVENTS, true);
	ok = run_l1(&t);
	pcm_set_param(PCM_PARAM_COUNT_EVENTS, false);

	if (ok)
		ok &= expect_u64("L1's exit reason",
				 l1_handles ? EXIT_REASON_IO_INSTRUCTION : EXIT_REASON_CPUID,
				 l1_seen.exit_reason);
	ok &= expect_u64("log_ins_cpuid_rd delta (L1's exit)", 0,
			 pcm_get_counter(t.vm, cpuid) - before_cpuid);
	/* And L1's GUEST_DONE, a port read of its own. */
	ok &= expect_u64("log_ins_exec_pio_in delta", (l1_handles ? 0 : NR_L2_EVENTS) + 1,
			 pcm_get_counter(t.vm, pio) - before_pio);
	ok &= check_poison_pages(&t, 0);

	kvm_vm_free(t.vm);
	l2_events = 0;
	l1_exec_controls = 0;
	return ok;
}

int main(void)
{
	static const u64 nrs[] = {
		PCM_HC_GET_PCM_INFO, PCM_HC_GET_PCM_INFO_SIZED
	};
	bool quirk_off_ok;
	int i, j;

	ksft_print_header();
	TEST_REQUIRE(kvm_cpu_has(X86_FEATURE_VMX));
	pcm_require_host();

	/* Both hypercalls on, KVM's own counting off; put back at exit. */
	pcm_set_param(PCM_PARAM_HYPERCALL, true);
	pcm_set_param(PCM_PARAM_SIZED_HYPERCALL, true);
	pcm_set_param(PCM_PARAM_COUNT_EVENTS, false);

	quirk_off_ok = kvm_check_cap(KVM_CAP_DISABLE_QUIRKS2) &
		       KVM_X86_QUIRK_FIX_HYPERCALL_INSN;

	ksft_set_plan(4 + ARRAY_SIZE(l2_cases) * ARRAY_SIZE(nrs));
	ksft_test_result(test_l1_native_104_served(), "l1_native_104_served\n");
	ksft_test_result(test_l1_native_105_served(), "l1_native_105_served\n");
	ksft_test_result(run_accounting_case(false),
			 "l2_events_l0_handles_count_in_l1s_vm\n");
	ksft_test_result(run_accounting_case(true),
			 "l2_events_l1_intercepts_count_nothing\n");
	for (i = 0; i < ARRAY_SIZE(l2_cases); i++) {
		const struct l2_case *c = &l2_cases[i];

		for (j = 0; j < ARRAY_SIZE(nrs); j++) {
			if (c->quirk_off && !quirk_off_ok) {
				ksft_test_result_skip("l2_%s_%lu_%s: %s cannot be disabled\n",
						      c->insn_name, nrs[j], c->config,
						      "KVM_X86_QUIRK_FIX_HYPERCALL_INSN");
				continue;
			}
			ksft_test_result(run_l2_case(c, nrs[j]), "l2_%s_%lu_%s\n",
					 c->insn_name, nrs[j], c->config);
		}
	}

	ksft_finished();
}
