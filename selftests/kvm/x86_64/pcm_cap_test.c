// SPDX-License-Identifier: GPL-2.0-only
/*
 * Who is served PCM: KVM_CAP_X86_PCM per VM, the kvm.pcm_hypercall
 * default and KVM_CAP_ENFORCE_PV_FEATURE_CPUID.
 *
 * For every combination of the default (on, off), the VMM's choice (none,
 * off, on) and the PV CPUID enforcement (off, on), a fresh VM makes three
 * calls: 104 and 105 with the vendor's own instruction, then 104 with the
 * other vendor's.  The host decides one of three answers (kvm_pcm_service()
 * in arch/x86/kvm/pcm.c), each checked byte for byte:
 *
 * - served: 0, 288 and 0, the buffers hold the counters;
 * - switched off (the default off, no choice, no enforcement): -KVM_ENOSYS,
 *   -KVM_EOPNOTSUPP and -KVM_ENOSYS, the calls counted, nothing written;
 * - not PCM (the choice off, or no choice with enforcement): what a KVM
 *   without PCM answers: -KVM_ENOSYS to all three, nothing written or
 *   counted, and the other vendor's instruction rewritten into the native
 *   one before it runs (KVM_X86_QUIRK_FIX_HYPERCALL_INSN).
 *
 * Needs root and a KVM built with CONFIG_KVM_PCM; skips otherwise.
 */
#include <asm/kvm_para.h>
#include <fcntl.h>
#include <linux/kvm_para.h>
#include <linux/kvm_pcm.h>
#include <string.h>
#include <sys/ioctl.h>

#include "test_util.h"
#include "kvm_util.h"
#include "processor.h"
#include "pcm_util.h"

/* The three calls of a case, each with a buffer page of its own. */
enum call {
	CALL_104,
	CALL_105,
	CALL_FOREIGN_104,
	NR_CALLS,
};

static const char * const call_names[NR_CALLS] = {
	"104", "105", "104 with the other vendor's instruction",
};

/* Set by the host before the guest runs. */
static u64 guest_buf[NR_CALLS];
/* The guest's results. */
static u64 guest_rax[NR_CALLS];

static void guest_code(void)
{
	for (;;) {
		guest_rax[CALL_104] = pcm_guest_hypercall(PCM_HC_GET_PCM_INFO,
							  guest_buf[CALL_104]);
		guest_rax[CALL_105] = pcm_guest_hypercall2(PCM_HC_GET_PCM_INFO_SIZED,
							   guest_buf[CALL_105],
							   PCM_INFO_SIZE);
		guest_rax[CALL_FOREIGN_104] =
			pcm_guest_foreign_hypercall(PCM_HC_GET_PCM_INFO,
						    guest_buf[CALL_FOREIGN_104]);
		GUEST_SYNC(0);
	}
}

enum answer {
	SERVED,
	SWITCHED_OFF,
	NOT_PCM,
};

static const char * const answer_names[] = {
	[SERVED] = "served",
	[SWITCHED_OFF] = "switched off",
	[NOT_PCM] = "as a KVM without PCM",
};

enum choice {
	CHOICE_NONE = -1,
	CHOICE_OFF = 0,
	CHOICE_ON = 1,
};

/* What the host must answer: the documented rule, written out. */
static enum answer expected_answer(bool default_on, enum choice choice,
				   bool enforce)
{
	if (choice == CHOICE_ON)
		return SERVED;
	if (choice == CHOICE_OFF || enforce)
		return NOT_PCM;
	return default_on ? SERVED : SWITCHED_OFF;
}

struct cap_vm {
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpu;
	u8 *buf[NR_CALLS];
};

static void create_cap_vm(struct cap_vm *t)
{
	u64 gva;
	int i;

	t->vm = vm_create_with_one_vcpu(&t->vcpu, guest_code);
	for (i = 0; i < NR_CALLS; i++) {
		gva = vm_vaddr_alloc_page(t->vm);
		guest_buf[i] = addr_gva2gpa(t->vm, gva);
		t->buf[i] = addr_gva2hva(t->vm, gva);
	}
	sync_global_to_guest(t->vm, guest_buf);
	pcm_use_native_hypercall(t->vm);
	pcm_set_all_counters(t->vm);
}

/* The 3 bytes of the other vendor's instruction in the guest's text. */
static const u8 *foreign_insn(struct cap_vm *t)
{
	return addr_gva2hva(t->vm, pcm_guest_use_vmmcall ?
				   (vm_vaddr_t)pcm_foreign_vmcall :
				   (vm_vaddr_t)pcm_foreign_vmmcall);
}

/* Let the guest make its three calls and check them against @answer. */
static bool check_calls(struct cap_vm *t, enum answer answer)
{
	static const u64 enosys = (u64)-KVM_ENOSYS;
	const u64 expected_rax[][NR_CALLS] = {
		[SERVED] = { 0, PCM_INFO_SIZE, 0 },
		[SWITCHED_OFF] = { enosys, (u64)-KVM_EOPNOTSUPP, enosys },
		[NOT_PCM] = { enosys, enosys, enosys },
	};
	const u8 *native = pcm_guest_use_vmmcall ? pcm_vmmcall : pcm_vmcall;
	const u8 *foreign = pcm_guest_use_vmmcall ? pcm_vmcall : pcm_vmmcall;
	u64 calls_before = pcm_get_hypercalls(t->vm);
	struct ucall uc;
	bool ok = true;
	char what[96];
	int i;

	for (i = 0; i < NR_CALLS; i++)
		memset(t->buf[i], PCM_POISON, PAGE_SIZE);
	ok &= expect_bytes("the other vendor's instruction before the calls",
			   foreign, foreign_insn(t), PCM_HYPERCALL_INSN_SIZE);

	vcpu_run(t->vcpu);
	pcm_expect_ucall(t->vcpu, &uc, UCALL_SYNC);
	sync_global_from_guest(t->vm, guest_rax);

	for (i = 0; i < NR_CALLS; i++) {
		snprintf(what, sizeof(what), "%s: rax", call_names[i]);
		ok &= expect_u64(what, expected_rax[answer][i], guest_rax[i]);
		if (answer == SERVED) {
			ok &= pcm_check_values(t->buf[i]);
			ok &= pcm_check_poison(t->buf[i] + PCM_INFO_SIZE,
					       PAGE_SIZE - PCM_INFO_SIZE);
		} else {
			ok &= pcm_check_poison(t->buf[i], PAGE_SIZE);
		}
	}
	ok &= expect_u64("pcm_hypercalls delta", answer == NOT_PCM ? 0 : NR_CALLS,
			 pcm_get_hypercalls(t->vm) - calls_before);
	/* Served or switched off in place; else upstream's rewrite. */
	ok &= expect_bytes("... and after them", answer == NOT_PCM ? native : foreign,
			   foreign_insn(t), PCM_HYPERCALL_INSN_SIZE);
	ok &= pcm_check_all_counters(t->vm);
	return ok;
}

static int __enable_pcm(struct kvm_vm *vm, u32 flags, u64 arg0, u64 arg1)
{
	struct kvm_enable_cap cap = {
		.cap = KVM_CAP_X86_PCM,
		.flags = flags,
		.args = { arg0, arg1 },
	};

	return __vm_ioctl(vm, KVM_ENABLE_CAP, &cap) ? errno : 0;
}

/* One VM for each default x choice x enforcement, 12 in all. */
static bool test_matrix(void)
{
	static const enum choice choices[] = { CHOICE_NONE, CHOICE_OFF, CHOICE_ON };
	static const char * const choice_names[] = { "none", "off", "on" };
	int i, c, nr = 2 * ARRAY_SIZE(choices) * 2;
	bool default_on, enforce, vm_ok, ok = true;
	enum answer answer;

	for (i = 0; i < nr; i++) {
		struct cap_vm t = {};

		default_on = i < nr / 2;
		c = i / 2 % ARRAY_SIZE(choices);
		enforce = i % 2;

		pcm_set_param(PCM_PARAM_HYPERCALL, default_on);
		create_cap_vm(&t);
		if (choices[c] != CHOICE_NONE)
			TEST_ASSERT(!__enable_pcm(t.vm, 0, choices[c], 0),
				    "KVM_ENABLE_CAP(KVM_CAP_X86_PCM, %d)", choices[c]);
		if (enforce)
			vcpu_enable_cap(t.vcpu, KVM_CAP_ENFORCE_PV_FEATURE_CPUID, 1);

		answer = expected_answer(default_on, choices[c], enforce);
		vm_ok = check_calls(&t, answer);
		ksft_print_msg("%s default %s, choice %s, PV CPUID %s: %s\n",
			       vm_ok ? "ok" : "FAILED", default_on ? "on" : "off",
			       choice_names[c], enforce ? "enforced" : "not enforced",
			       answer_names[answer]);
		ok &= vm_ok;
		kvm_vm_free(t.vm);
	}
	pcm_set_param(PCM_PARAM_HYPERCALL, true);
	return ok;
}

static bool test_check_extension(void)
{
	struct kvm_vm *vm = vm_create_barebones();
	bool ok = true;

	ok &= expect_u64("KVM_CHECK_EXTENSION on /dev/kvm", 1,
			 kvm_check_cap(KVM_CAP_X86_PCM));
	ok &= expect_u64("KVM_CHECK_EXTENSION on a VM", 1,
			 vm_check_cap(vm, KVM_CAP_X86_PCM));
	kvm_vm_free(vm);
	return ok;
}

/* Each bad KVM_ENABLE_CAP fails with EINVAL and leaves the VM's choice. */
static bool test_bad_args(void)
{
	static const struct {
		const char *what;
		u32 flags;
		u64 arg0, arg1;
	} bad[] = {
		{ "args[0] = 2", 0, 2, 0 },
		{ "args[0] = 2^64 - 1", 0, ~0ULL, 0 },
		{ "args[1] = 1", 0, 1, 1 },
		{ "flags = 1", 1, 1, 0 },
	};
	struct cap_vm t = {};
	bool ok = true;
	char what[96];
	int i;

	create_cap_vm(&t);
	TEST_ASSERT(!__enable_pcm(t.vm, 0, CHOICE_OFF, 0), "KVM_ENABLE_CAP");
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(what, sizeof(what), "KVM_ENABLE_CAP with %s: errno",
			 bad[i].what);
		ok &= expect_u64(what, EINVAL,
				 __enable_pcm(t.vm, bad[i].flags, bad[i].arg0,
					      bad[i].arg1));
	}
	/* Still off, though the default is on. */
	ok &= check_calls(&t, NOT_PCM);
	kvm_vm_free(t.vm);
	return ok;
}

/* The choice holds from the next call on, with the vCPU already running. */
static bool test_choice_at_run_time(void)
{
	static const enum choice steps[] = { CHOICE_OFF, CHOICE_ON };
	bool ok = true;
	int i;

	for (i = 0; i < ARRAY_SIZE(steps); i++) {
		struct cap_vm t = {};

		create_cap_vm(&t);
		/* A first run, the calls as the default has them. */
		ok &= check_calls(&t, SERVED);
		TEST_ASSERT(!__enable_pcm(t.vm, 0, steps[i], 0), "KVM_ENABLE_CAP");
		ok &= check_calls(&t, steps[i] == CHOICE_ON ? SERVED : NOT_PCM);
		kvm_vm_free(t.vm);
	}
	return ok;
}

/*
 * An SEV VM is refused.  No guest of one can run without the platform's
 * launch flow, so this checks the decision's inputs where KVM_SEV_INIT
 * works: KVM_CHECK_EXTENSION says 0 on that VM, and enabling PCM fails.
 */
static bool test_sev_vm_refused(void)
{
	struct kvm_sev_cmd cmd = { .id = KVM_SEV_INIT };
	struct kvm_vm *vm;
	bool ok = true;
	int sev_fd, err;

	sev_fd = open("/dev/sev", O_RDWR);
	if (sev_fd < 0) {
		ksft_test_result_skip("sev_vm_refused: no SEV here (/dev/sev: %s)\n",
				      strerror(errno));
		return true;
	}
	vm = vm_create_barebones();
	cmd.sev_fd = sev_fd;
	/* Its argument is declared unsigned long: not for __vm_ioctl(). */
	err = ioctl(vm->fd, KVM_MEMORY_ENCRYPT_OP, &cmd) ? errno : 0;
	if (err) {
		ksft_test_result_skip("sev_vm_refused: KVM_SEV_INIT: %s (firmware error %u)\n",
				      strerror(err), cmd.error);
		kvm_vm_free(vm);
		close(sev_fd);
		return true;
	}
	ok &= expect_u64("KVM_CHECK_EXTENSION on an SEV VM", 0,
			 vm_check_cap(vm, KVM_CAP_X86_PCM));
	ok &= expect_u64("enabling PCM on an SEV VM: errno", EOPNOTSUPP,
			 __enable_pcm(vm, 0, CHOICE_ON, 0));
	ok &= expect_u64("disabling it: errno", 0, __enable_pcm(vm, 0, CHOICE_OFF, 0));
	kvm_vm_free(vm);
	close(sev_fd);
	ksft_test_result(ok, "sev_vm_refused\n");
	return true;
}

static const struct {
	const char *name;
	bool (*run)(void);
	bool reports_itself;	/* prints its own result (it may skip) */
} test_cases[] = {
	{ "check_extension", test_check_extension },
	{ "matrix", test_matrix },
	{ "bad_args", test_bad_args },
	{ "choice_at_run_time", test_choice_at_run_time },
	{ "sev_vm_refused", test_sev_vm_refused, true },
};

int main(void)
{
	int i;

	ksft_print_header();
	pcm_require_host();
	TEST_REQUIRE(kvm_has_cap(KVM_CAP_ENFORCE_PV_FEATURE_CPUID));

	/* The matrix sets it; every other case runs with it on. */
	pcm_set_param(PCM_PARAM_HYPERCALL, true);
	pcm_set_param(PCM_PARAM_SIZED_HYPERCALL, true);
	/* KVM's own counting (GUEST_DONE's port I/O) is pcm_events_test's. */
	pcm_set_param(PCM_PARAM_COUNT_EVENTS, false);

	ksft_set_plan(ARRAY_SIZE(test_cases));
	for (i = 0; i < ARRAY_SIZE(test_cases); i++) {
		bool ok = test_cases[i].run();

		if (!test_cases[i].reports_itself)
			ksft_test_result(ok, "%s\n", test_cases[i].name);
	}
	ksft_finished();
}
