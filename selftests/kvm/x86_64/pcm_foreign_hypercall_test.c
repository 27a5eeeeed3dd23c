// SPDX-License-Identifier: GPL-2.0-only
/*
 * PCM_HC_GET_PCM_INFO (104) made with the other vendor's hypercall
 * instruction: VMCALL on AMD, VMMCALL on Intel.
 *
 * PCM guest modules of the ioctl era hard-code VMCALL.  On AMD it raises
 * #UD, and upstream KVM then rewrites it into the native instruction in
 * guest memory (KVM_X86_QUIRK_FIX_HYPERCALL_INSN), or injects the #UD when
 * that quirk is disabled.  The patched KVM's emulator serves a PCM
 * hypercall made this way as the instruction stands: rax gets the result,
 * the instruction completes like any emulated one (RIP past the 3 bytes,
 * a single-step trap after it), no guest byte is written and no exception
 * is delivered.  With the quirk disabled, and for any other hypercall
 * number, the upstream behaviour stays; all of it is checked here.
 *
 * The instruction sits in a stub page of its own, which the guest calls:
 *
 *	+0	the other vendor's hypercall instruction
 *	+3	int3, where execution must go on
 *	+4	ret
 *
 * the rest of the page being int3 as well.  One handler takes every
 * exception: it notes what it saw and where, and resumes at the ret, so
 * no case can triple-fault and the host sees exactly what the guest got.
 *
 * Needs root and a KVM built with CONFIG_KVM_PCM; skips otherwise.
 */
#include <asm/kvm_para.h>
#include <linux/kvm_para.h>
#include <linux/kvm_pcm.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "test_util.h"
#include "kvm_util.h"
#include "processor.h"
#include "pcm_util.h"

/* The stub page, as described above. */
#define STUB_INSN		0
#define STUB_NEXT		(STUB_INSN + PCM_HYPERCALL_INSN_SIZE)
#define STUB_RET		(STUB_NEXT + 1)
/* A byte the read-only case tries to write, to show that it cannot. */
#define STUB_PROBE		(STUB_RET + 1)
#define OPCODE_INT3		0xcc
#define OPCODE_RET		0xc3

/* Not a hypercall KVM knows: upstream answers -KVM_ENOSYS. */
#define UNKNOWN_HC_NR		0x1234

/* RFLAGS.TF, the single-step flag. */
#define GUEST_RFLAGS_TF		BIT(8)

/* The handler takes every exception vector. */
#define NR_EXCEPTION_VECTORS	32

/* The CPU vendor's own hypercall instruction and the other one. */
static const u8 *native_insn, *foreign_insn;

/* Set by the host before the guest runs. */
static u64 guest_stub;
static u64 guest_nr;
static u64 guest_a0;
static bool guest_probe_ro;

/* What the guest saw, read back by the host. */
struct guest_seen {
	u64 probe_vector;	/* what writing to the stub page raised */
	u64 bp_count;		/* int3s executed */
	u64 bp_addr;		/* address of the first one */
	u64 fault_count;	/* every other exception */
	u64 fault_vector;	/* the first one */
	u64 fault_rip;
};

static struct guest_seen guest_seen;

/* Set by the host: call the stub with RFLAGS.TF set. */
static bool guest_single_step;
/* The single-step traps the guest took, and where the last one was. */
static u64 guest_db_count, guest_db_rip;

static void guest_exception_handler(struct ex_regs *regs)
{
	/* A kvm_asm_safe() probe: fix it up as the library itself would. */
	if (regs->r9 == KVM_EXCEPTION_MAGIC && regs->rip == regs->r10) {
		regs->rip = regs->r11;
		regs->r9 = regs->vector;
		return;
	}

	/* Only the stub may raise anything; elsewhere it is a test bug. */
	__GUEST_ASSERT(regs->rip - guest_stub < PAGE_SIZE, "vector %lu, rip %#lx",
		       regs->vector, regs->rip);

	if (regs->vector == DB_VECTOR && guest_single_step) {
		/*
		 * Single-stepping: a trap after the call into the stub, then
		 * after the instruction; that one ends the walk.
		 */
		guest_db_count++;
		guest_db_rip = regs->rip;
		if (regs->rip == guest_stub + STUB_INSN)
			return;
		regs->rflags &= ~GUEST_RFLAGS_TF;
	} else if (regs->vector == BP_VECTOR) {
		/* int3 is a trap: RIP is already past it. */
		if (!guest_seen.bp_count++)
			guest_seen.bp_addr = regs->rip - 1;
	} else if (!guest_seen.fault_count++) {
		guest_seen.fault_vector = regs->vector;
		guest_seen.fault_rip = regs->rip;
	}
	regs->rip = guest_stub + STUB_RET;
}

static void guest_code(void)
{
	u64 ret;

	if (guest_probe_ro)
		guest_seen.probe_vector =
			kvm_asm_safe("movb $0xcc, (%[p])",
				     [p] "r"(guest_stub + STUB_PROBE));

	/*
	 * Step over the red zone first: neither the return address nor an
	 * exception frame may land on locals the compiler keeps there.
	 */
	if (guest_single_step)
		/* TF from popf: the first trap comes after the call. */
		asm volatile("sub $128, %%rsp\n\t"
			     "pushf\n\t"
			     "orq %[tf], (%%rsp)\n\t"
			     "popf\n\t"
			     "call *%[stub]\n\t"
			     "add $128, %%rsp"
			     : "=a"(ret)
			     : "a"(guest_nr), "b"(guest_a0), [stub] "r"(guest_stub),
			       [tf] "i"(GUEST_RFLAGS_TF)
			     : "memory", "cc");
	else
		asm volatile("sub $128, %%rsp\n\t"
			     "call *%[stub]\n\t"
			     "add $128, %%rsp"
			     : "=a"(ret)
			     : "a"(guest_nr), "b"(guest_a0), [stub] "r"(guest_stub)
			     : "memory", "cc");

	GUEST_SYNC(ret);
	GUEST_DONE();
}

/* A VM whose guest calls the stub once; fresh for every case. */
struct stub_vm {
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpu;
	u64 stub_gva;
	u8 *stub;
	u64 buf_gpa;
	u8 *buf;
};

/* Allocate the stub page and fill it as described at the top. */
static void setup_stub(struct stub_vm *t)
{
	t->stub_gva = vm_vaddr_alloc_page(t->vm);
	t->stub = addr_gva2hva(t->vm, t->stub_gva);
	memset(t->stub, OPCODE_INT3, PAGE_SIZE);
	memcpy(t->stub + STUB_INSN, foreign_insn, PCM_HYPERCALL_INSN_SIZE);
	t->stub[STUB_RET] = OPCODE_RET;
}

/* And a page for the buffer, all poison. */
static void setup_buffer(struct stub_vm *t)
{
	u64 gva = vm_vaddr_alloc_page(t->vm);

	t->buf_gpa = addr_gva2gpa(t->vm, gva);
	t->buf = addr_gva2hva(t->vm, gva);
	memset(t->buf, PCM_POISON, PAGE_SIZE);
}

static void create_stub_vm(struct stub_vm *t, bool quirk_off)
{
	int v;

	t->vm = vm_create_with_one_vcpu(&t->vcpu, guest_code);
	if (quirk_off)
		vm_enable_cap(t->vm, KVM_CAP_DISABLE_QUIRKS2,
			      KVM_X86_QUIRK_FIX_HYPERCALL_INSN);

	pcm_init_descriptor_tables(t->vm);
	for (v = 0; v < NR_EXCEPTION_VECTORS; v++)
		vm_install_exception_handler(t->vm, v, guest_exception_handler);

	setup_stub(t);
	setup_buffer(t);

	pcm_set_all_counters(t->vm);
}

/*
 * Guest text as a Linux guest with STRICT_KERNEL_RWX has it: the PTE has
 * no W bit and CR0.WP is set (6.1's vcpu_setup() leaves it clear), so a
 * write by KVM on the guest's behalf page-faults.
 */
static void make_stub_readonly(struct stub_vm *t)
{
	struct kvm_sregs sregs;

	*vm_get_page_table_entry(t->vm, t->stub_gva) &= ~PTE_WRITABLE_MASK;

	vcpu_sregs_get(t->vcpu, &sregs);
	sregs.cr0 |= X86_CR0_WP;
	vcpu_sregs_set(t->vcpu, &sregs);

	guest_probe_ro = true;
	sync_global_to_guest(t->vm, guest_probe_ro);
}

/*
 * Let the guest call the stub with rax = @nr, rbx = @a0.  Return false if
 * it did not come back with a ucall; else its rax in @rax, how far
 * pcm_hypercalls moved in @calls and what its handler saw in guest_seen.
 */
static bool call_stub(struct stub_vm *t, u64 nr, u64 a0, u64 *rax, u64 *calls)
{
	u64 before = pcm_get_hypercalls(t->vm);
	struct kvm_run *run = t->vcpu->run;
	struct ucall uc;

	guest_stub = t->stub_gva;
	guest_nr = nr;
	guest_a0 = a0;
	sync_global_to_guest(t->vm, guest_stub);
	sync_global_to_guest(t->vm, guest_nr);
	sync_global_to_guest(t->vm, guest_a0);

	if (!pcm_run_vcpu(t->vcpu))
		return false;

	switch (get_ucall(t->vcpu, &uc)) {
	case UCALL_SYNC:
		break;
	case UCALL_ABORT:
		REPORT_GUEST_ASSERT(uc);
		break;
	default:
		ksft_print_msg("exit: expected a ucall, got %u (%s)\n",
			       run->exit_reason, exit_reason_str(run->exit_reason));
		return false;
	}

	sync_global_from_guest(t->vm, guest_seen);
	*calls = pcm_get_hypercalls(t->vm) - before;
	*rax = uc.args[1];
	return true;
}

/* What a case expects after the guest called the stub. */
struct stub_expect {
	u64 rax;
	u64 calls;		/* pcm_hypercalls delta */
	const u8 *insn;		/* the 3 bytes at the stub afterwards */
	bool values;		/* buffer: the 36 values, else all poison */
	bool ud;		/* #UD at the instruction, else no exception */
};

static bool check_stub(struct stub_vm *t, u64 rax, u64 calls,
		       const struct stub_expect *e)
{
	const struct guest_seen *s = &guest_seen;
	bool ok = true;

	ok &= expect_u64("rax", e->rax, rax);
	ok &= expect_u64("pcm_hypercalls delta", e->calls, calls);
	ok &= expect_bytes("instruction bytes", e->insn, t->stub + STUB_INSN,
			   PCM_HYPERCALL_INSN_SIZE);
	ok &= e->values ? pcm_check_values(t->buf) :
			   pcm_check_poison(t->buf, PAGE_SIZE);

	if (e->ud) {
		ok &= expect_u64("exceptions", 1, s->fault_count);
		ok &= expect_u64("exception vector", UD_VECTOR, s->fault_vector);
		ok &= expect_u64("exception rip", t->stub_gva + STUB_INSN,
				 s->fault_rip);
		ok &= expect_u64("int3s executed", 0, s->bp_count);
		return ok;
	}

	if (s->fault_count) {
		ksft_print_msg("%lu exceptions, the first: vector %lu at rip %#lx (stub %#lx)\n",
			       s->fault_count, s->fault_vector, s->fault_rip,
			       t->stub_gva);
		ok = false;
	}
	/* Execution went on exactly 3 bytes after the instruction. */
	ok &= expect_u64("int3s executed", 1, s->bp_count);
	ok &= expect_u64("execution went on at", t->stub_gva + STUB_NEXT,
			 s->bp_addr);
	return ok;
}

static bool run_stub_case(bool quirk_off, bool readonly, u64 nr,
			  const struct stub_expect *e)
{
	struct stub_vm t = {};
	u64 rax, calls;
	bool ok = true;

	create_stub_vm(&t, quirk_off);
	if (readonly)
		make_stub_readonly(&t);

	if (!call_stub(&t, nr, t.buf_gpa, &rax, &calls)) {
		ok = false;
		goto out;
	}

	/* The premise: the guest itself cannot write there. */
	if (readonly)
		ok &= expect_u64("writing the stub page: vector", PF_VECTOR,
				 guest_seen.probe_vector);
	ok &= check_stub(&t, rax, calls, e);
out:
	kvm_vm_free(t.vm);
	memset(&guest_seen, 0, sizeof(guest_seen));
	guest_probe_ro = false;
	return ok;
}

static bool test_cpl0_readonly_text(void)
{
	const struct stub_expect e = {
		.rax = 0, .calls = 1, .insn = foreign_insn, .values = true,
	};

	return run_stub_case(false, true, PCM_HC_GET_PCM_INFO, &e);
}

static bool test_cpl0_writable_text(void)
{
	/* Served in place all the same: not rewritten. */
	const struct stub_expect e = {
		.rax = 0, .calls = 1, .insn = foreign_insn, .values = true,
	};

	return run_stub_case(false, false, PCM_HC_GET_PCM_INFO, &e);
}

static bool test_other_nr_quirk_on(void)
{
	/* Upstream: rewritten to the native instruction, which then runs. */
	const struct stub_expect e = {
		.rax = (u64)-KVM_ENOSYS, .calls = 0, .insn = native_insn,
	};

	return run_stub_case(false, false, UNKNOWN_HC_NR, &e);
}

static bool test_other_nr_quirk_off(void)
{
	/* Upstream: #UD for the guest, rax and the bytes as they were. */
	const struct stub_expect e = {
		.rax = UNKNOWN_HC_NR, .calls = 0, .insn = foreign_insn,
		.ud = true,
	};

	return run_stub_case(true, false, UNKNOWN_HC_NR, &e);
}

/*
 * The VMM disabled the quirk: it wants the #UD, for PCM as for any other
 * number.  Not served, not counted, nothing written.
 */
static bool test_pcm_quirk_off(void)
{
	const struct stub_expect e = {
		.rax = PCM_HC_GET_PCM_INFO, .calls = 0, .insn = foreign_insn,
		.ud = true,
	};

	return run_stub_case(true, false, PCM_HC_GET_PCM_INFO, &e);
}

/* Switched off: still served in place, with -KVM_ENOSYS. */
static bool test_switch_off_enosys(void)
{
	const struct stub_expect e = {
		.rax = (u64)-KVM_ENOSYS, .calls = 1, .insn = foreign_insn,
	};
	bool ok;

	if (!pcm_try_set_param(PCM_PARAM_HYPERCALL, false))
		return false;
	ok = run_stub_case(false, false, PCM_HC_GET_PCM_INFO, &e);

	pcm_set_param(PCM_PARAM_HYPERCALL, true);
	return ok;
}

/* A stub VM whose guest calls the stub with RFLAGS.TF set. */
static void create_single_step_vm(struct stub_vm *t)
{
	create_stub_vm(t, false);
	guest_single_step = true;
	sync_global_to_guest(t->vm, guest_single_step);
}

/* Free it, and forget what its guest saw. */
static void free_single_step_vm(struct stub_vm *t)
{
	kvm_vm_free(t->vm);
	memset(&guest_seen, 0, sizeof(guest_seen));
	guest_single_step = false;
	guest_db_count = 0;
	guest_db_rip = 0;
}

/* A 3-byte NOP (nopl (%rax)), for the control walk below. */
static const u8 nop3[PCM_HYPERCALL_INSN_SIZE] = { 0x0f, 0x1f, 0x00 };

/*
 * The single-step walk of test_single_step() over a 3-byte NOP, which
 * never leaves the guest, so KVM and PCM play no part: the traps the CPU
 * itself gives, 2 on hardware.  An emulated VMX CPU (Bochs) delivers the
 * first trap twice, on stock KVM too; then test_single_step() cannot tell
 * anything from its count, and it is skipped with this proof.  Returns
 * the reason to skip, or NULL.
 */
static const char *single_step_deviates(void)
{
	static char reason[224];
	struct stub_vm t = {};
	u64 rax, calls, traps;

	create_single_step_vm(&t);
	memcpy(t.stub + STUB_INSN, nop3, sizeof(nop3));
	TEST_ASSERT(call_stub(&t, 0, 0, &rax, &calls),
		    "the single-step control walk did not come back");
	sync_global_from_guest(t.vm, guest_db_count);
	traps = guest_db_count;
	free_single_step_vm(&t);

	if (traps == 2)
		return NULL;
	snprintf(reason, sizeof(reason),
		 "this CPU gives %lu single-step traps, not 2, over a NOP that never exits: a CPU or emulator deviation, not KVM's (upstream's debug_regs fails its single-step check on stock KVM there)",
		 traps);
	return reason;
}

/*
 * RFLAGS.TF over the served instruction: one trap after the call into the
 * stub, one after the 3 bytes (where the handler clears TF), as the
 * emulator gives every instruction it completes.  Served all the same.
 */
static bool test_single_step(void)
{
	struct stub_vm t = {};
	u64 rax, calls;
	bool ok = true;

	create_single_step_vm(&t);
	if (!call_stub(&t, PCM_HC_GET_PCM_INFO, t.buf_gpa, &rax, &calls)) {
		ok = false;
		goto out;
	}
	sync_global_from_guest(t.vm, guest_db_count);
	sync_global_from_guest(t.vm, guest_db_rip);

	ok &= expect_u64("rax", 0, rax);
	ok &= expect_u64("pcm_hypercalls delta", 1, calls);
	ok &= pcm_check_values(t.buf);
	ok &= expect_bytes("instruction bytes", foreign_insn, t.stub + STUB_INSN,
			   PCM_HYPERCALL_INSN_SIZE);
	ok &= expect_u64("single-step traps", 2, guest_db_count);
	ok &= expect_u64("last single-step trap at", t.stub_gva + STUB_NEXT,
			 guest_db_rip);
	ok &= expect_u64("int3s executed", 0, guest_seen.bp_count);
	ok &= expect_u64("other exceptions", 0, guest_seen.fault_count);
out:
	free_single_step_vm(&t);
	return ok;
}

/*
 * The vCPU starts at CPL 3 in a user stub that makes the hypercall with
 * the other vendor's instruction and then writes to an I/O port, which
 * exits to userspace (IOPL 3 lets CPL 3 use the port); see
 * pcm_vcpu_set_cpl3().  KVM's emulator takes VMCALL as privileged: on AMD
 * it raises #GP before any hypercall is looked at, as upstream does, and
 * an exception at CPL 3 has no TSS stack to go to, so the VM shuts down.
 * VMMCALL is not privileged: on Intel the hypercall is served with
 * -KVM_EPERM, as for the native instruction.  Either way nothing is
 * written or counted and the stub's bytes stay.
 */
static bool test_cpl3_refused(void)
{
	u64 calls_before, calls_after;
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct stub_vm t = {};
	bool ok = true;

	t.vm = vm_create_with_one_vcpu(&t.vcpu, guest_code);
	pcm_set_all_counters(t.vm);

	setup_stub(&t);
	memcpy(t.stub + STUB_NEXT, pcm_cpl3_done, sizeof(pcm_cpl3_done));
	pcm_make_user_accessible(t.vm, t.stub_gva);
	setup_buffer(&t);

	pcm_vcpu_set_cpl3(t.vcpu, t.stub_gva + STUB_INSN, PCM_HC_GET_PCM_INFO,
			  t.buf_gpa);

	calls_before = pcm_get_hypercalls(t.vm);
	if (!pcm_run_vcpu(t.vcpu)) {
		ok = false;
		goto out;
	}
	calls_after = pcm_get_hypercalls(t.vm);

	if (foreign_insn == pcm_vmcall) {
		ok &= expect_u64("exit reason (shutdown after #GP at CPL 3)",
				 KVM_EXIT_SHUTDOWN, t.vcpu->run->exit_reason);
	} else if (pcm_check_cpl3_done(t.vcpu)) {
		vcpu_regs_get(t.vcpu, &regs);
		vcpu_sregs_get(t.vcpu, &sregs);
		ok &= expect_u64("CPL (SS.DPL)", 3, sregs.ss.dpl);
		ok &= expect_u64("rax", (u64)-KVM_EPERM, regs.rax);
		/* KVM exits for the out before moving RIP past it. */
		ok &= expect_u64("rip at the out", t.stub_gva + STUB_NEXT, regs.rip);
	} else {
		ok = false;
	}
	/* As for the native instruction: only CPL 0 calls are counted. */
	ok &= expect_u64("pcm_hypercalls delta", 0, calls_after - calls_before);
	ok &= expect_bytes("instruction bytes", foreign_insn,
			   t.stub + STUB_INSN, PCM_HYPERCALL_INSN_SIZE);
	ok &= pcm_check_poison(t.buf, PAGE_SIZE);
out:
	kvm_vm_free(t.vm);
	return ok;
}

static const struct {
	const char *name;
	bool (*run)(void);
	bool needs_quirk_off;
	/* Why the case cannot be judged on this CPU, or NULL. */
	const char *(*skip_reason)(void);
} test_cases[] = {
	{ "cpl0_readonly_text", test_cpl0_readonly_text },
	{ "cpl0_writable_text", test_cpl0_writable_text },
	{ "cpl3_refused", test_cpl3_refused },
	{ "other_nr_quirk_on", test_other_nr_quirk_on },
	{ "other_nr_quirk_off", test_other_nr_quirk_off, true },
	{ "pcm_quirk_off", test_pcm_quirk_off, true },
	{ "switch_off_enosys", test_switch_off_enosys },
	{ "single_step", test_single_step, false, single_step_deviates },
};

int main(void)
{
	const char *reason;
	bool quirk_off_ok;
	int i;

	ksft_print_header();
	pcm_require_host();

	if (host_cpu_is_amd) {
		native_insn = pcm_vmmcall;
		foreign_insn = pcm_vmcall;
	} else if (host_cpu_is_intel) {
		native_insn = pcm_vmcall;
		foreign_insn = pcm_vmmcall;
	} else {
		ksft_exit_skip("neither AMD nor Intel: no native hypercall instruction\n");
	}

	/* The cases need the hypercall on; put back as found at exit. */
	pcm_set_param(PCM_PARAM_HYPERCALL, true);

	quirk_off_ok = kvm_check_cap(KVM_CAP_DISABLE_QUIRKS2) &
		       KVM_X86_QUIRK_FIX_HYPERCALL_INSN;

	ksft_set_plan(ARRAY_SIZE(test_cases));
	for (i = 0; i < ARRAY_SIZE(test_cases); i++) {
		if (test_cases[i].needs_quirk_off && !quirk_off_ok) {
			ksft_test_result_skip("%s: %s cannot be disabled\n",
					      test_cases[i].name,
					      "KVM_X86_QUIRK_FIX_HYPERCALL_INSN");
			continue;
		}
		reason = test_cases[i].skip_reason ? test_cases[i].skip_reason() : NULL;
		if (reason) {
			ksft_test_result_skip("%s: %s\n", test_cases[i].name, reason);
			continue;
		}
		ksft_test_result(test_cases[i].run(), "%s\n", test_cases[i].name);
	}

	ksft_finished();
}
