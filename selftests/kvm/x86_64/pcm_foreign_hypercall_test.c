// SPDX-License-Identifier: GPL-2.0-only
/*
 * PCM_HC_GET_PCM_INFO (104) made with the other vendor's hypercall
 * instruction: VMCALL on AMD, VMMCALL on Intel.
 *
 * PCM guest modules of the ioctl era hard-code VMCALL.  On AMD it raises
 * #UD, and upstream KVM then rewrites it into the native instruction in
 * guest memory (KVM_X86_QUIRK_FIX_HYPERCALL_INSN), or injects the #UD when
 * that quirk is disabled.  The patched KVM serves a PCM hypercall made
 * this way in place: rax gets the result, RIP moves past the 3 bytes, no
 * guest byte is written and no exception is delivered.  Any other
 * hypercall number keeps the upstream behaviour; both are checked here.
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
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test_util.h"
#include "kvm_util.h"
#include "processor.h"

#define KVM_DEBUGFS		"/sys/kernel/debug/kvm"
#define PCM_PARAM		"/sys/module/kvm/parameters/pcm_hypercall"

#define PCM_INFO_SIZE		sizeof(struct kvm_pcm_info)

/* VMCALL and VMMCALL are both 3-byte instructions. */
#define HYPERCALL_INSN_SIZE	3

/* The stub page, as described above. */
#define STUB_INSN		0
#define STUB_NEXT		(STUB_INSN + HYPERCALL_INSN_SIZE)
#define STUB_RET		(STUB_NEXT + 1)
/* A byte the read-only case tries to write, to show that it cannot. */
#define STUB_PROBE		(STUB_RET + 1)
#define OPCODE_INT3		0xcc
#define OPCODE_RET		0xc3

/* Not a hypercall KVM knows: upstream answers -KVM_ENOSYS. */
#define UNKNOWN_HC_NR		0x1234

/* What every byte of the buffer page holds before a case runs. */
#define POISON			0xa5

/* The handler takes every exception vector. */
#define NR_EXCEPTION_VECTORS	32

/* A guest that never exits (RIP not moved: a loop) fails after this. */
#define RUN_TIMEOUT_S		60

/* Port the CPL 3 stub writes to when its hypercall has returned. */
#define CPL3_DONE_PORT		0x80

/* Flat 64-bit user segments, RPL 3 (like Linux's __USER_CS/__USER_DS). */
#define USER_CS			0x33
#define USER_DS			0x2b
#define RFLAGS_IOPL3		(3UL << 12)

static const u8 vmcall[HYPERCALL_INSN_SIZE] = { 0x0f, 0x01, 0xc1 };
static const u8 vmmcall[HYPERCALL_INSN_SIZE] = { 0x0f, 0x01, 0xd9 };

/* The CPU vendor's own hypercall instruction and the other one. */
static const u8 *native_insn, *foreign_insn;

/* The 36 counters, expanded from the one list, <linux/kvm_pcm_counters.h>. */
struct pcm_counter {
	const char *group;
	const char *field;
	size_t offset;
};

static const struct pcm_counter pcm_counters[] = {
#define KVM_PCM_COUNTER(_group, _field)					\
	{ #_group, #_field, KVM_PCM_##_group##_##_field * sizeof(u64) },
#include <linux/kvm_pcm_counters.h>
};

static_assert(ARRAY_SIZE(pcm_counters) == KVM_PCM_NR_COUNTERS,
	      "counter table does not cover struct kvm_pcm_info");
static_assert(sizeof(struct kvm_pcm_info) == 288,
	      "struct kvm_pcm_info is not 288 bytes");

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

static void guest_exception_handler(struct ex_regs *regs)
{
	/* A kvm_asm_safe() probe: fix it up as the library itself would. */
	if (regs->r9 == KVM_EXCEPTION_MAGIC && regs->rip == regs->r10) {
		regs->rip = regs->r11;
		regs->r9 = regs->vector;
		return;
	}

	/* Only the stub may raise anything; elsewhere it is a test bug. */
	GUEST_ASSERT_2(regs->rip - guest_stub < PAGE_SIZE, regs->vector,
		       regs->rip);

	if (regs->vector == BP_VECTOR) {
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
	asm volatile("sub $128, %%rsp\n\t"
		     "call *%[stub]\n\t"
		     "add $128, %%rsp"
		     : "=a"(ret)
		     : "a"(guest_nr), "b"(guest_a0), [stub] "r"(guest_stub)
		     : "memory", "cc");

	GUEST_SYNC(ret);
	GUEST_DONE();
}

/* Distinct in every byte that matters: a swapped, shifted or truncated field differs. */
static u64 pcm_value(unsigned int i)
{
	return ((u64)(i + 1) << 56) | ((u64)(i + 1) * 0x10001);
}

static bool expect_u64(const char *what, u64 expected, u64 got)
{
	if (expected == got)
		return true;

	ksft_print_msg("%s: expected %#lx (%ld), got %#lx (%ld)\n",
		       what, expected, (s64)expected, got, (s64)got);
	return false;
}

static bool expect_bytes(const char *what, const u8 *expected, const u8 *got,
			 size_t len)
{
	size_t i;

	if (!memcmp(expected, got, len))
		return true;

	ksft_print_msg("%s: expected", what);
	for (i = 0; i < len; i++)
		printf(" %02x", expected[i]);
	printf(", got");
	for (i = 0; i < len; i++)
		printf(" %02x", got[i]);
	printf("\n");
	return false;
}

static void __printf(3, 4) format_path(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	TEST_ASSERT(n >= 0 && n < size, "path too long: %s...", buf);
}

/* KVM names a VM's debugfs directory after the creating pid and the VM fd. */
static void pcm_dir_of(struct kvm_vm *vm, char *dir, size_t size)
{
	format_path(dir, size, "%s/%d-%d/pcm", KVM_DEBUGFS, getpid(), vm->fd);
}

static u64 read_u64_file(const char *path)
{
	char buf[32] = {}, *end;
	u64 val;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	TEST_ASSERT(fd >= 0, "open(%s) failed: %s", path, strerror(errno));
	n = read(fd, buf, sizeof(buf) - 1);
	TEST_ASSERT(n > 0, "read(%s) failed: %s", path, strerror(errno));
	close(fd);

	errno = 0;
	val = strtoull(buf, &end, 10);
	TEST_ASSERT(!errno && end != buf && !strcmp(end, "\n"),
		    "%s: expected \"%%llu\\n\", got \"%s\"", path, buf);
	return val;
}

/* Write @s with one write(2); return 0 or the errno it failed with. */
static int write_file(const char *path, const char *s)
{
	size_t len = strlen(s);
	ssize_t n;
	int fd, err;

	fd = open(path, O_WRONLY);
	if (fd < 0)
		return errno;
	n = write(fd, s, len);
	err = n < 0 ? errno : 0;
	close(fd);
	if (!err && n != len)
		err = EIO;
	return err;
}

static u64 read_hypercalls(const char *dir)
{
	char path[PATH_MAX];

	format_path(path, sizeof(path), "%s/hypercalls", dir);
	return read_u64_file(path);
}

static void set_all_counters(const char *dir)
{
	char path[PATH_MAX], val[32];
	int i, err;

	for (i = 0; i < ARRAY_SIZE(pcm_counters); i++) {
		format_path(path, sizeof(path), "%s/%s/%s", dir,
			    pcm_counters[i].group, pcm_counters[i].field);
		snprintf(val, sizeof(val), "%lu", pcm_value(i));
		err = write_file(path, val);
		TEST_ASSERT(!err, "writing %s to %s failed: %s", val, path,
			    strerror(err));
	}
}

/* Compare the buffer with what was set, field by field, by the table. */
static bool check_values(const u8 *buf)
{
	bool ok = true;
	u64 got;
	int i;

	for (i = 0; i < ARRAY_SIZE(pcm_counters); i++) {
		memcpy(&got, buf + pcm_counters[i].offset, sizeof(got));
		if (got == pcm_value(i))
			continue;
		ksft_print_msg("%s.%s: expected %#lx, got %#lx\n",
			       pcm_counters[i].group, pcm_counters[i].field,
			       pcm_value(i), got);
		ok = false;
	}
	return ok;
}

/* Every byte of the buffer page must still be poison. */
static bool check_poison(const u8 *buf)
{
	int i;

	for (i = 0; i < PAGE_SIZE; i++) {
		if (buf[i] == POISON)
			continue;
		ksft_print_msg("buffer byte %d: expected %#x, got %#x\n",
			       i, POISON, buf[i]);
		return false;
	}
	return true;
}

static void on_alarm(int sig)
{
}

/*
 * KVM_RUN once; false (and said why) if the guest did not exit within
 * RUN_TIMEOUT_S, e.g. because RIP never moved past the instruction.
 */
static bool run_vcpu(struct kvm_vcpu *vcpu)
{
	int rc;

	alarm(RUN_TIMEOUT_S);
	rc = __vcpu_run(vcpu);
	alarm(0);
	if (rc && errno == EINTR) {
		ksft_print_msg("the guest did not exit within %d s: looping on the instruction?\n",
			       RUN_TIMEOUT_S);
		return false;
	}
	TEST_ASSERT(!rc, KVM_IOCTL_ERROR(KVM_RUN, rc));
	return true;
}

/* A VM whose guest calls the stub once; fresh for every case. */
struct stub_vm {
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpu;
	char dir[PATH_MAX];	/* <debugfs>/kvm/<pid>-<vm fd>/pcm */
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
	memcpy(t->stub + STUB_INSN, foreign_insn, HYPERCALL_INSN_SIZE);
	t->stub[STUB_RET] = OPCODE_RET;
}

/* And a page for the buffer, all poison. */
static void setup_buffer(struct stub_vm *t)
{
	u64 gva = vm_vaddr_alloc_page(t->vm);

	t->buf_gpa = addr_gva2gpa(t->vm, gva);
	t->buf = addr_gva2hva(t->vm, gva);
	memset(t->buf, POISON, PAGE_SIZE);
}

static void create_stub_vm(struct stub_vm *t, bool quirk_off)
{
	int v;

	t->vm = vm_create_with_one_vcpu(&t->vcpu, guest_code);
	if (quirk_off)
		vm_enable_cap(t->vm, KVM_CAP_DISABLE_QUIRKS2,
			      KVM_X86_QUIRK_FIX_HYPERCALL_INSN);

	vm_init_descriptor_tables(t->vm);
	vcpu_init_descriptor_tables(t->vcpu);
	for (v = 0; v < NR_EXCEPTION_VECTORS; v++)
		vm_install_exception_handler(t->vm, v, guest_exception_handler);

	setup_stub(t);
	setup_buffer(t);

	pcm_dir_of(t->vm, t->dir, sizeof(t->dir));
	set_all_counters(t->dir);
}

/*
 * Guest text as a Linux guest with STRICT_KERNEL_RWX has it: the PTE has
 * no W bit and CR0.WP is set (6.1's vcpu_setup() leaves it clear), so a
 * write by KVM on the guest's behalf page-faults.
 */
static void make_stub_readonly(struct stub_vm *t)
{
	struct kvm_sregs sregs;
	u64 pte;

	pte = vm_get_page_table_entry(t->vm, t->vcpu, t->stub_gva);
	vm_set_page_table_entry(t->vm, t->vcpu, t->stub_gva,
				pte & ~PTE_WRITABLE_MASK);

	vcpu_sregs_get(t->vcpu, &sregs);
	sregs.cr0 |= X86_CR0_WP;
	vcpu_sregs_set(t->vcpu, &sregs);

	guest_probe_ro = true;
	sync_global_to_guest(t->vm, guest_probe_ro);
}

/*
 * Let the guest call the stub with rax = @nr, rbx = @a0.  Return false if
 * it did not come back with a ucall; else its rax in @rax, how far
 * pcm/hypercalls moved in @calls and what its handler saw in guest_seen.
 */
static bool call_stub(struct stub_vm *t, u64 nr, u64 a0, u64 *rax, u64 *calls)
{
	u64 before = read_hypercalls(t->dir);
	struct kvm_run *run = t->vcpu->run;
	struct ucall uc;

	guest_stub = t->stub_gva;
	guest_nr = nr;
	guest_a0 = a0;
	sync_global_to_guest(t->vm, guest_stub);
	sync_global_to_guest(t->vm, guest_nr);
	sync_global_to_guest(t->vm, guest_a0);

	if (!run_vcpu(t->vcpu))
		return false;

	switch (get_ucall(t->vcpu, &uc)) {
	case UCALL_SYNC:
		break;
	case UCALL_ABORT:
		REPORT_GUEST_ASSERT_2(uc, "vector %lu, rip %#lx");
		break;
	default:
		ksft_print_msg("exit: expected a ucall, got %u (%s)\n",
			       run->exit_reason, exit_reason_str(run->exit_reason));
		return false;
	}

	sync_global_from_guest(t->vm, guest_seen);
	*calls = read_hypercalls(t->dir) - before;
	*rax = uc.args[1];
	return true;
}

/* What a case expects after the guest called the stub. */
struct stub_expect {
	u64 rax;
	u64 calls;		/* pcm/hypercalls delta */
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
	ok &= expect_u64("pcm/hypercalls delta", e->calls, calls);
	ok &= expect_bytes("instruction bytes", e->insn, t->stub + STUB_INSN,
			   HYPERCALL_INSN_SIZE);
	ok &= e->values ? check_values(t->buf) : check_poison(t->buf);

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

static bool test_pcm_quirk_off(void)
{
	const struct stub_expect e = {
		.rax = 0, .calls = 1, .insn = foreign_insn, .values = true,
	};

	return run_stub_case(true, false, PCM_HC_GET_PCM_INFO, &e);
}

/* kvm.pcm_hypercall as found at start ('Y' or 'N'), 0 if unknown. */
static char pcm_param_orig;

static int set_pcm_param(bool on)
{
	return write_file(PCM_PARAM, on ? "Y" : "N");
}

/* Put the parameter back; also runs from a signal handler, so no stdio. */
static void restore_pcm_param(void)
{
	char val[2] = { pcm_param_orig, 0 };

	if (pcm_param_orig)
		write_file(PCM_PARAM, val);
}

static void restore_pcm_param_on_signal(int sig)
{
	restore_pcm_param();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* The cases need the hypercall on; restore whatever was there at exit. */
static void enable_pcm_param(void)
{
	char buf[8] = {};
	int fd, err;

	fd = open(PCM_PARAM, O_RDONLY);
	TEST_ASSERT(fd >= 0, "open(%s) failed: %s", PCM_PARAM, strerror(errno));
	if (read(fd, buf, sizeof(buf) - 1) > 0 && (buf[0] == 'Y' || buf[0] == 'N'))
		pcm_param_orig = buf[0];
	close(fd);
	TEST_ASSERT(pcm_param_orig, "%s: expected Y or N, got \"%s\"",
		    PCM_PARAM, buf);

	atexit(restore_pcm_param);
	signal(SIGINT, restore_pcm_param_on_signal);
	signal(SIGTERM, restore_pcm_param_on_signal);

	err = set_pcm_param(true);
	TEST_ASSERT(!err, "writing Y to %s failed: %s", PCM_PARAM, strerror(err));
}

/* Switched off: still served in place, with -KVM_ENOSYS. */
static bool test_switch_off_enosys(void)
{
	const struct stub_expect e = {
		.rax = (u64)-KVM_ENOSYS, .calls = 1, .insn = foreign_insn,
	};
	bool ok;
	int err;

	err = set_pcm_param(false);
	if (err) {
		ksft_print_msg("writing N to %s: expected success, got %s\n",
			       PCM_PARAM, strerror(err));
		return false;
	}
	ok = run_stub_case(false, false, PCM_HC_GET_PCM_INFO, &e);

	err = set_pcm_param(true);
	TEST_ASSERT(!err, "writing Y to %s failed: %s", PCM_PARAM, strerror(err));
	return ok;
}

/* Set the U bit at every level of the guest page tables that map @gva. */
static void make_user_accessible(struct kvm_vm *vm, u64 gva)
{
	u64 table = vm->pgd, *pte;
	int level;

	for (level = PG_LEVEL_512G; level >= PG_LEVEL_4K; level--) {
		pte = addr_gpa2hva(vm, table);
		pte += (gva >> PG_LEVEL_SHIFT(level)) & 0x1ff;
		TEST_ASSERT(*pte & PTE_PRESENT_MASK,
			    "gva %#lx not mapped at level %d", gva, level);
		TEST_ASSERT(level == PG_LEVEL_4K || !(*pte & PTE_LARGE_MASK),
			    "gva %#lx mapped by a huge page at level %d", gva, level);
		*pte |= PTE_USER_MASK;
		table = PTE_GET_PFN(*pte) << vm->page_shift;
	}
}

/*
 * The vCPU starts at CPL 3 in a user stub that makes the hypercall with
 * the other vendor's instruction and then writes to an I/O port, which
 * exits to userspace (IOPL 3 lets CPL 3 use the port).  Upstream would
 * inject #GP for a VMCALL (KVM's emulator takes it as privileged) and
 * rewrite a VMMCALL, which the stub, writable, would allow; served in
 * place, it gets -KVM_EPERM and its bytes stay.  No descriptor is ever
 * loaded, so the GDT needs no user entries; the CPL is SS.DPL on VMX and
 * SVM alike.  An exception at CPL 3 has no TSS stack to go to and shuts
 * the VM down, which shows as the wrong exit.
 */
static bool test_cpl3_eperm(void)
{
	/* out %al, $CPL3_DONE_PORT; jmp . */
	static const u8 done[] = { 0xe6, CPL3_DONE_PORT, 0xeb, 0xfe };
	u64 calls_before, calls_after;
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct stub_vm t = {};
	struct kvm_run *run;
	bool ok = true;

	t.vm = vm_create_with_one_vcpu(&t.vcpu, guest_code);
	pcm_dir_of(t.vm, t.dir, sizeof(t.dir));
	set_all_counters(t.dir);

	setup_stub(&t);
	memcpy(t.stub + STUB_NEXT, done, sizeof(done));
	make_user_accessible(t.vm, t.stub_gva);
	setup_buffer(&t);

	vcpu_sregs_get(t.vcpu, &sregs);
	sregs.cs.selector = USER_CS;		/* 64-bit code, as set up */
	sregs.cs.dpl = 3;
	sregs.ss = sregs.ds;			/* flat writable data */
	sregs.ss.selector = USER_DS;
	sregs.ss.dpl = 3;
	vcpu_sregs_set(t.vcpu, &sregs);

	vcpu_regs_get(t.vcpu, &regs);
	regs.rax = PCM_HC_GET_PCM_INFO;
	regs.rbx = t.buf_gpa;
	regs.rip = t.stub_gva + STUB_INSN;
	regs.rflags = X86_EFLAGS_FIXED | RFLAGS_IOPL3;
	vcpu_regs_set(t.vcpu, &regs);

	calls_before = read_hypercalls(t.dir);
	if (!run_vcpu(t.vcpu)) {
		ok = false;
		goto out;
	}
	calls_after = read_hypercalls(t.dir);

	run = t.vcpu->run;
	if (run->exit_reason != KVM_EXIT_IO || run->io.port != CPL3_DONE_PORT ||
	    run->io.direction != KVM_EXIT_IO_OUT) {
		ksft_print_msg("exit: expected KVM_EXIT_IO out to port %#x, got %u (%s) port %#x\n",
			       CPL3_DONE_PORT, run->exit_reason,
			       exit_reason_str(run->exit_reason),
			       run->exit_reason == KVM_EXIT_IO ? run->io.port : 0);
		ok = false;
		goto out;
	}

	vcpu_regs_get(t.vcpu, &regs);
	vcpu_sregs_get(t.vcpu, &sregs);
	ok &= expect_u64("CPL (SS.DPL)", 3, sregs.ss.dpl);
	ok &= expect_u64("rax", (u64)-KVM_EPERM, regs.rax);
	/* KVM exits for the out before moving RIP past it. */
	ok &= expect_u64("rip at the out", t.stub_gva + STUB_NEXT, regs.rip);
	/* As for the native instruction: only CPL 0 calls are counted. */
	ok &= expect_u64("pcm/hypercalls delta", 0, calls_after - calls_before);
	ok &= expect_bytes("instruction bytes", foreign_insn,
			   t.stub + STUB_INSN, HYPERCALL_INSN_SIZE);
	ok &= check_poison(t.buf);
out:
	kvm_vm_free(t.vm);
	return ok;
}

static const struct {
	const char *name;
	bool (*run)(void);
	bool needs_quirk_off;
} test_cases[] = {
	{ "cpl0_readonly_text", test_cpl0_readonly_text },
	{ "cpl0_writable_text", test_cpl0_writable_text },
	{ "cpl3_eperm", test_cpl3_eperm },
	{ "other_nr_quirk_on", test_other_nr_quirk_on },
	{ "other_nr_quirk_off", test_other_nr_quirk_off, true },
	{ "pcm_quirk_off", test_pcm_quirk_off, true },
	{ "switch_off_enosys", test_switch_off_enosys },
};

/* True if this KVM has per-VM PCM debugfs directories. */
static bool have_pcm(void)
{
	char dir[PATH_MAX];
	struct kvm_vm *vm;
	struct stat st;
	bool ret;

	vm = vm_create_barebones();
	pcm_dir_of(vm, dir, sizeof(dir));
	ret = !stat(dir, &st) && S_ISDIR(st.st_mode);
	kvm_vm_free(vm);
	return ret;
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	bool quirk_off_ok;
	int i;

	ksft_print_header();

	if (geteuid())
		ksft_exit_skip("needs root for debugfs and module parameters\n");

	if (is_amd_cpu()) {
		native_insn = vmmcall;
		foreign_insn = vmcall;
	} else if (is_intel_cpu()) {
		native_insn = vmcall;
		foreign_insn = vmmcall;
	} else {
		ksft_exit_skip("neither AMD nor Intel: no native hypercall instruction\n");
	}

	if (!have_pcm())
		ksft_exit_skip("no PCM support: no %s/<vm>/pcm (CONFIG_KVM_PCM? debugfs?)\n",
			       KVM_DEBUGFS);

	enable_pcm_param();

	/* No SA_RESTART: the alarm must end KVM_RUN with EINTR. */
	TEST_ASSERT(!sigaction(SIGALRM, &sa, NULL), "sigaction: %s",
		    strerror(errno));

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
		ksft_test_result(test_cases[i].run(), "%s\n", test_cases[i].name);
	}

	ksft_finished();
}
