// SPDX-License-Identifier: GPL-2.0-only
/*
 * PCM hypercalls 104 and 105 made by a nested (L2) guest on AMD.
 *
 * PCM serves L1 only.  L2's buffer address is an L2 physical address and
 * the counters are L1's, so a PCM hypercall of L2 must never write L1
 * memory behind L1's back: whatever L1 intercepts, L2 sees what a stock
 * KVM of the same kernel shows it, and nothing is written or counted.
 * Stock KVM never hands an L2 hypercall to kvm_emulate_hypercall():
 *
 * - An L2 #UD always goes to KVM first (vmcb01 intercepts #UD), whatever
 *   L1 intercepts: KVM's emulator rewrites VMCALL into VMMCALL and lets
 *   L2 retry, or, with KVM_X86_QUIRK_FIX_HYPERCALL_INSN off, injects the
 *   #UD, which L1 then gets if it intercepts #UD.
 * - A VMMCALL L1 intercepts goes to L1.  One it does not: on 6.1 it raises
 *   #UD, which the emulator "fixes" into the same VMMCALL for L2 to retry,
 *   for ever (with the quirk off, L2 gets the #UD); on 6.12 (nSVM's
 *   "always intercept VMMCALL" and "#UD for an unhandled VMMCALL") KVM
 *   raises #UD in L2.  Which one this kernel does is not assumed: L2 must
 *   fare with 104 and 105 exactly as with a number no KVM serves.
 *
 * PCM's own #UD path, the foreign VMCALL of 104, is what must not serve
 * L2 (it would write L1 memory).
 *
 * L1 fills NR_POISON_PAGES pages of its memory with PCM_POISON, and L2,
 * which runs without nested paging (L2 physical == L1 physical), jumps to
 * a writable stub page with rax = 104 or 105, rbx = the middle page and
 * rcx = 288:
 *
 *	+0	VMCALL or VMMCALL
 *	+3	hlt, where L2 would go on if KVM answered it
 *
 * the rest of the page being hlt as well.  L1 intercepts HLT, so L2 never
 * goes further than that; L1 notes the exit code and L2's rax and RIP.
 * The host then checks those, the stub's bytes, every poison page, and
 * the VM's PCM state: pcm_hypercalls and all 36 counters.  Counting is
 * switched off (kvm.pcm_count_events) so that only a PCM write could move
 * a counter.  L1 calling 104 and 105 itself shows that a write is seen.
 *
 * Needs root, SVM and a KVM built with CONFIG_KVM_PCM; skips otherwise.
 */
#include <asm/kvm_para.h>
#include <linux/kvm_para.h>
#include <linux/kvm_pcm.h>
#include <string.h>

#include "test_util.h"
#include "kvm_util.h"
#include "processor.h"
#include "svm_util.h"
#include "pcm_util.h"

#define OPCODE_HLT		0xf4

/* The buffer is the middle one, so a write past either end shows too. */
#define NR_POISON_PAGES		3
#define BUF_PAGE		1

#define L2_STACK_SIZE		64

/* How long L2 must stay on an unanswered instruction. */
#define SPIN_S			2

/* A hypercall number no KVM serves: what L2 gets for it is stock KVM's. */
#define NR_UNKNOWN		999

/* The master PIC's interrupt mask register: KVM's in-kernel PIC answers. */
#define PIC_MASK_PORT		0x21
/* CPUIDs and port reads L2 makes in the accounting cases. */
#define NR_L2_EVENTS		100

/* Set by the host before L1 runs; L2 reads them through L1's mappings. */
static u64 poison_gva;
static u64 stub_gva;
static u64 hc_nr;
static u64 hc_buf_gpa;
static bool l1_calls_itself;
static u64 l1_intercepts;	/* besides VMRUN and HLT */
static u32 l1_exceptions;
static u64 l2_events;		/* CPUIDs and port reads before the stub */

/* What L1 saw, read back by the host. */
static struct {
	u64 exit_code;
	u64 rax;
	u64 rip;
} l1_seen;

/* A #UD that L2 itself took (L1 did not intercept it), read back too. */
static struct {
	u64 seen;
	u64 rax;
	u64 rip;
} l2_ud;

/*
 * L2 shares L1's IDT (generic_svm_setup()): note the #UD, then HLT, which
 * L1 intercepts.
 */
static void l2_ud_handler(struct ex_regs *regs)
{
	l2_ud.seen = 1;
	l2_ud.rax = regs->rax;
	l2_ud.rip = regs->rip;
	asm volatile("hlt");
}

/*
 * L2: l2_events CPUIDs and port reads, then the registers of the call,
 * then the stub; it never comes back.
 */
static void l2_guest_code(void)
{
	u32 eax, ebx, ecx, edx;
	u64 i;
	u8 v;

	for (i = 0; i < READ_ONCE(l2_events); i++) {
		cpuid(0, &eax, &ebx, &ecx, &edx);
		asm volatile("inb %w1, %b0" : "=a"(v) : "d"(PIC_MASK_PORT));
	}
	asm volatile("jmp *%[stub]"
		     : : "a"(hc_nr), "b"(hc_buf_gpa),
		       "c"((u64)PCM_HC_GET_PCM_INFO_LEN), [stub] "r"(stub_gva)
		     : "memory");
}

static void l1_guest_code(struct svm_test_data *svm)
{
	unsigned long l2_stack[L2_STACK_SIZE];
	struct vmcb *vmcb = svm->vmcb;

	memset((void *)poison_gva, PCM_POISON, NR_POISON_PAGES * PAGE_SIZE);

	if (l1_calls_itself) {
		asm volatile("vmmcall"
			     : "=a"(l1_seen.rax)
			     : "a"(hc_nr), "b"(hc_buf_gpa),
			       "c"((u64)PCM_HC_GET_PCM_INFO_LEN)
			     : "memory");
		GUEST_DONE();
	}

	generic_svm_setup(svm, l2_guest_code, &l2_stack[L2_STACK_SIZE]);
	/* generic_svm_setup() intercepts VMMCALL: only where the case says. */
	vmcb->control.intercept = BIT_ULL(INTERCEPT_VMRUN) |
				  BIT_ULL(INTERCEPT_HLT) | l1_intercepts;
	vmcb->control.intercept_exceptions = l1_exceptions;

	run_guest(vmcb, svm->vmcb_gpa);

	l1_seen.exit_code = vmcb->control.exit_code;
	l1_seen.rax = vmcb->save.rax;
	l1_seen.rip = vmcb->save.rip;
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
	vm_vaddr_t svm_gva;

	t->vm = vm_create_with_one_vcpu(&t->vcpu, l1_guest_code);
	pcm_init_descriptor_tables(t->vm);
	vm_install_exception_handler(t->vm, UD_VECTOR, l2_ud_handler);
	if (quirk_off)
		vm_enable_cap(t->vm, KVM_CAP_DISABLE_QUIRKS2,
			      KVM_X86_QUIRK_FIX_HYPERCALL_INSN);
	vcpu_alloc_svm(t->vm, &svm_gva);
	vcpu_args_set(t->vcpu, 1, svm_gva);

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
	sync_global_to_guest(t->vm, l1_intercepts);
	sync_global_to_guest(t->vm, l1_exceptions);
	sync_global_to_guest(t->vm, l2_events);

	pcm_set_all_counters(t->vm);
}

enum l1_end {
	L1_DONE,		/* at its GUEST_DONE(), l1_seen read back */
	L1_STILL_RUNNING,	/* KVM_RUN did not return within the time */
	L1_FAILED,		/* any other exit, said why */
};

/* KVM_RUN for up to @seconds, to L1's GUEST_DONE(). */
static enum l1_end run_l1(struct nested_vm *t, unsigned int seconds)
{
	struct kvm_run *run = t->vcpu->run;
	struct ucall uc;

	if (__pcm_run_vcpu(t->vcpu, seconds))
		return L1_STILL_RUNNING;

	switch (get_ucall(t->vcpu, &uc)) {
	case UCALL_DONE:
		sync_global_from_guest(t->vm, l1_seen);
		return L1_DONE;
	case UCALL_ABORT:
		REPORT_GUEST_ASSERT(uc);
		break;
	default:
		ksft_print_msg("exit: expected UCALL_DONE, got %u (%s)\n",
			       run->exit_reason, exit_reason_str(run->exit_reason));
	}
	return L1_FAILED;
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
	create_nested_vm(&t, false, pcm_vmmcall);
	calls = pcm_get_hypercalls(t.vm);

	ok = run_l1(&t, PCM_RUN_TIMEOUT_S) == L1_DONE;
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
	u64 intercepts;		/* L1's, besides VMRUN and HLT */
	u32 exceptions;		/* L1's exception intercepts */
	bool quirk_off;		/* KVM_X86_QUIRK_FIX_HYPERCALL_INSN */
	u32 exit_code;		/* L1's exit, at the instruction */
	bool as_unknown;	/* L1 sees nothing: L2 fares as with NR_UNKNOWN */
	const u8 *stub;		/* the stub's bytes afterwards */
};

#define ICPT_VMMCALL	BIT_ULL(INTERCEPT_VMMCALL)
#define ICPT_UD		BIT(UD_VECTOR)

static const struct l2_case l2_cases[] = {
	/* a) L1 intercepts both: the native call is L1's, untouched. */
	{ .insn_name = "native", .config = "l1_intercepts_vmmcall_ud",
	  .insn = pcm_vmmcall, .intercepts = ICPT_VMMCALL, .exceptions = ICPT_UD,
	  .exit_code = SVM_EXIT_VMMCALL, .stub = pcm_vmmcall },
	/* KVM takes the #UD before L1 and rewrites VMCALL: L1 sees VMMCALL. */
	{ .insn_name = "foreign", .config = "l1_intercepts_vmmcall_ud",
	  .insn = pcm_vmcall, .intercepts = ICPT_VMMCALL, .exceptions = ICPT_UD,
	  .exit_code = SVM_EXIT_VMMCALL, .stub = pcm_vmmcall },
	/* Without the quirk KVM injects the #UD, and L1 gets that. */
	{ .insn_name = "foreign", .config = "quirk_off_l1_intercepts_vmmcall_ud",
	  .insn = pcm_vmcall, .intercepts = ICPT_VMMCALL, .exceptions = ICPT_UD,
	  .quirk_off = true, .exit_code = SVM_EXIT_EXCP_BASE + UD_VECTOR,
	  .stub = pcm_vmcall },
	/*
	 * b) L1 intercepts neither: stock KVM leaves L2 retrying the VMMCALL
	 * (6.1) or raises #UD in L2 (6.12), as for any number.
	 */
	{ .insn_name = "native", .config = "not_intercepted_as_unknown_nr",
	  .insn = pcm_vmmcall, .as_unknown = true, .stub = pcm_vmmcall },
	{ .insn_name = "foreign", .config = "not_intercepted_as_unknown_nr",
	  .insn = pcm_vmcall, .as_unknown = true, .stub = pcm_vmmcall },
	/* An uncaught VMMCALL raises #UD, which L1 gets without the quirk. */
	{ .insn_name = "native", .config = "quirk_off_l1_intercepts_ud",
	  .insn = pcm_vmmcall, .exceptions = ICPT_UD, .quirk_off = true,
	  .exit_code = SVM_EXIT_EXCP_BASE + UD_VECTOR, .stub = pcm_vmmcall },
	/* c) What svm_vmcall_test checks, with a PCM number. */
	{ .insn_name = "foreign", .config = "l1_intercepts_vmmcall",
	  .insn = pcm_vmcall, .intercepts = ICPT_VMMCALL,
	  .exit_code = SVM_EXIT_VMMCALL, .stub = pcm_vmmcall },
};

/* L1 saw L2 stop at the instruction with c->exit_code, rax as it was. */
static bool check_l1_exit(const struct l2_case *c, u64 nr, enum l1_end end)
{
	bool ok = true;

	if (end == L1_STILL_RUNNING)
		ksft_print_msg("no exit within %d s: L2 spinning on the instruction?\n",
			       PCM_RUN_TIMEOUT_S);
	if (end != L1_DONE)
		return false;

	ok &= expect_u64("L1's exit code", c->exit_code, l1_seen.exit_code);
	ok &= expect_u64("L2 rax", nr, l1_seen.rax);
	ok &= expect_u64("L2 rip", stub_gva, l1_seen.rip);
	return ok;
}

/* How a call L1 does not see ended for L2. */
enum l2_fate {
	L2_SPINS,	/* still at the instruction after SPIN_S seconds */
	L2_GOT_UD,	/* took a #UD at the instruction */
	L2_OTHER,	/* anything else, said why */
};

static const char *const l2_fate_names[] = {
	[L2_SPINS] = "spins on the instruction",
	[L2_GOT_UD] = "gets #UD at the instruction",
	[L2_OTHER] = "something else",
};

/* What became of L2's call of @nr, with rax and rip as they were. */
static enum l2_fate l2_fate(struct nested_vm *t, u64 nr, enum l1_end end)
{
	struct kvm_regs regs;
	bool ok = true;

	if (end == L1_STILL_RUNNING) {
		/* Only L2 ever runs in the stub. */
		vcpu_regs_get(t->vcpu, &regs);
		ok &= expect_u64("L2 rip", stub_gva, regs.rip);
		ok &= expect_u64("L2 rax", nr, regs.rax);
		return ok ? L2_SPINS : L2_OTHER;
	}
	if (end != L1_DONE)
		return L2_OTHER;
	sync_global_from_guest(t->vm, l2_ud);
	if (l1_seen.exit_code != SVM_EXIT_HLT || !l2_ud.seen) {
		ksft_print_msg("L1 got exit %#lx, L2 rax %#lx at %#lx (stub %#lx), no #UD in L2\n",
			       l1_seen.exit_code, l1_seen.rax, l1_seen.rip,
			       stub_gva);
		return L2_OTHER;
	}
	ok &= expect_u64("L2 #UD rip", stub_gva, l2_ud.rip);
	ok &= expect_u64("L2 #UD rax", nr, l2_ud.rax);
	return ok ? L2_GOT_UD : L2_OTHER;
}

/*
 * L2's call of @nr fares as the same call of NR_UNKNOWN does on this
 * kernel, in the same set-up: stock KVM's answer, whichever it is.
 */
static bool check_l2_as_unknown(const struct l2_case *c, struct nested_vm *t,
				u64 nr, enum l1_end end)
{
	enum l2_fate fate = l2_fate(t, nr, end), stock;
	struct nested_vm ref = {};

	hc_nr = NR_UNKNOWN;
	create_nested_vm(&ref, c->quirk_off, c->insn);
	stock = l2_fate(&ref, NR_UNKNOWN, run_l1(&ref, SPIN_S));
	kvm_vm_free(ref.vm);
	hc_nr = nr;

	ksft_print_msg("L2 %s with %lu, %s with %d\n", l2_fate_names[fate], nr,
		       l2_fate_names[stock], NR_UNKNOWN);
	return stock != L2_OTHER && fate == stock;
}

static bool run_l2_case(const struct l2_case *c, u64 nr)
{
	struct nested_vm t = {};
	enum l1_end end;
	u64 calls;
	bool ok;

	hc_nr = nr;
	l1_intercepts = c->intercepts;
	l1_exceptions = c->exceptions;
	create_nested_vm(&t, c->quirk_off, c->insn);
	calls = pcm_get_hypercalls(t.vm);

	end = run_l1(&t, c->as_unknown ? SPIN_S : PCM_RUN_TIMEOUT_S);
	ok = c->as_unknown ? check_l2_as_unknown(c, &t, nr, end) :
			     check_l1_exit(c, nr, end);

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
 * Nested accounting: an event of L2 that L0 handles itself, because L1
 * does not intercept it, is an event of the VM (L1's): KVM counts it
 * there, once, as it would for L1.  One that L1 intercepts is L1's to
 * handle; L0 only reflects the exit and counts nothing.  L2 makes
 * NR_L2_EVENTS CPUIDs and port reads of the in-kernel PIC, then stops at
 * a HLT that L1 intercepts; with @l1_handles, L1 intercepts CPUID and
 * port I/O too, so L2 stops at its first CPUID.
 */
static bool run_accounting_case(bool l1_handles)
{
	static const u8 hlt3[PCM_HYPERCALL_INSN_SIZE] = {
		OPCODE_HLT, OPCODE_HLT, OPCODE_HLT
	};
	const enum kvm_pcm_counter cpuid = KVM_PCM_event_log_ins_cpuid_rd;
	const enum kvm_pcm_counter pio = KVM_PCM_event_log_ins_exec_pio_in;
	struct nested_vm t = {};
	u64 before_cpuid, before_pio, calls;
	enum l1_end end;
	bool ok;

	hc_nr = 0;
	l2_events = NR_L2_EVENTS;
	l1_intercepts = l1_handles ? BIT_ULL(INTERCEPT_CPUID) | BIT_ULL(INTERCEPT_IOIO_PROT) : 0;
	l1_exceptions = 0;
	create_nested_vm(&t, false, hlt3);
	before_cpuid = pcm_get_counter(t.vm, cpuid);
	before_pio = pcm_get_counter(t.vm, pio);
	calls = pcm_get_hypercalls(t.vm);

	pcm_set_param(PCM_PARAM_COUNT_EVENTS, true);
	end = run_l1(&t, PCM_RUN_TIMEOUT_S);
	pcm_set_param(PCM_PARAM_COUNT_EVENTS, false);

	ok = end == L1_DONE;
	if (ok)
		ok &= expect_u64("L1's exit code", l1_handles ? SVM_EXIT_CPUID : SVM_EXIT_HLT,
				 l1_seen.exit_code);
	ok &= expect_u64("log_ins_cpuid_rd delta", l1_handles ? 0 : NR_L2_EVENTS,
			 pcm_get_counter(t.vm, cpuid) - before_cpuid);
	/* And L1's GUEST_DONE, a port read of its own. */
	ok &= expect_u64("log_ins_exec_pio_in delta", (l1_handles ? 0 : NR_L2_EVENTS) + 1,
			 pcm_get_counter(t.vm, pio) - before_pio);
	ok &= expect_u64("pcm_hypercalls delta", 0, pcm_get_hypercalls(t.vm) - calls);
	ok &= check_poison_pages(&t, 0);

	kvm_vm_free(t.vm);
	l2_events = 0;
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
	TEST_REQUIRE(kvm_cpu_has(X86_FEATURE_SVM));
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
