// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tests for the PCM statistics hypercall, PCM_HC_GET_PCM_INFO (104).
 *
 * rax = 104, rbx = guest physical address of a 288-byte buffer; KVM writes
 * the VM's 36 counters (struct kvm_pcm_info) there and returns 0, or
 * -KVM_EPERM at CPL 3, -KVM_ENOSYS when kvm.pcm_hypercall is off and
 * -KVM_EFAULT when the buffer is not entirely writable guest RAM, in which
 * case not a single guest byte may change.
 *
 * The counters are driven through the per-VM debugfs files
 * <debugfs>/kvm/<pid>-<vm fd>/pcm/<group>/<field>, and pcm/hypercalls
 * counts the PCM hypercalls the VM made at CPL 0, whatever their result.
 *
 * Needs root and a KVM built with CONFIG_KVM_PCM; skips otherwise.
 */
#include <asm/kvm_para.h>
#include <linux/kvm_para.h>
#include <linux/kvm_pcm.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
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

/*
 * Guest physical memory of the test, far above memslot 0 (the library's,
 * about 2 MiB at GPA 0) and far below the private memslots KVM may create
 * near 4 GiB (APIC access page, TSS, identity map).
 */
#define SCRATCH_SLOT		1
#define SCRATCH_GPA		0x10000000ULL
#define SCRATCH_PAGES		4

/* Two pages followed by a page that is not guest RAM. */
#define END_SLOT		2
#define END_GPA			0x10100000ULL
#define END_PAGES		2

#define RO_SLOT			3
#define RO_GPA			0x10200000ULL
#define RO_PAGES		1

/* Two memslots with contiguous guest physical addresses. */
#define PAIR_LO_SLOT		4
#define PAIR_LO_GPA		0x10300000ULL
#define PAIR_LO_PAGES		2
#define PAIR_HI_SLOT		5
#define PAIR_HI_GPA		(PAIR_LO_GPA + PAIR_LO_PAGES * PAGE_SIZE)
#define PAIR_HI_PAGES		2

/* Not in any memslot, but mapped in the guest page tables: MMIO. */
#define MMIO_GPA		0x10400000ULL

/* Not in any memslot and not mapped anywhere. */
#define HOLE_GPA		0x40000000ULL

#define ROUND_TRIP_GPA		(SCRATCH_GPA + PAGE_SIZE + 0x40)

/* What every byte of test memory holds before a case runs. */
#define POISON			0xa5

/* Port the CPL 3 stub writes to when its hypercall has returned. */
#define CPL3_DONE_PORT		0x80

/* Flat 64-bit user segments, RPL 3 (like Linux's __USER_CS/__USER_DS). */
#define USER_CS			0x33
#define USER_DS			0x2b
#define RFLAGS_IOPL3		(3UL << 12)

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

/*
 * Guest memory the test owns: poisoned before every case and checked after
 * every CPL 0 hypercall, so a stray write anywhere in it is caught.
 */
struct test_region {
	u64 gpa;
	u64 npages;
	u32 slot;		/* 0: in the library's memslot 0, not added here */
	u32 flags;
};

static const struct test_region test_regions[] = {
	/*
	 * The library never allocates gfns 0 and 1 of memslot 0.  A buffer
	 * address that wraps past 2^64 would land here.
	 */
	{ 0, 1, 0, 0 },
	{ SCRATCH_GPA, SCRATCH_PAGES, SCRATCH_SLOT, 0 },
	{ END_GPA, END_PAGES, END_SLOT, 0 },
	{ RO_GPA, RO_PAGES, RO_SLOT, KVM_MEM_READONLY },
	{ PAIR_LO_GPA, PAIR_LO_PAGES, PAIR_LO_SLOT, 0 },
	{ PAIR_HI_GPA, PAIR_HI_PAGES, PAIR_HI_SLOT, 0 },
};

struct pcm_test {
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpu;
	char dir[PATH_MAX];	/* <debugfs>/kvm/<pid>-<vm fd>/pcm */
};

/* Set by the host before each run of the guest. */
static bool guest_use_vmmcall;
static u64 guest_gpa;
static bool guest_stop;

/*
 * Use the vendor's own instruction: KVM would otherwise patch vmcall into
 * vmmcall on AMD (or the other way round), and the CPL 3 stub must not
 * depend on KVM being able to rewrite code.
 */
static u64 guest_pcm_hypercall(u64 gpa)
{
	u64 ret;

	if (guest_use_vmmcall)
		asm volatile("vmmcall"
			     : "=a"(ret)
			     : "a"((u64)PCM_HC_GET_PCM_INFO), "b"(gpa)
			     : "memory");
	else
		asm volatile("vmcall"
			     : "=a"(ret)
			     : "a"((u64)PCM_HC_GET_PCM_INFO), "b"(gpa)
			     : "memory");
	return ret;
}

/* One hypercall per run, with the gpa the host has just set. */
static void guest_code(void)
{
	while (!READ_ONCE(guest_stop))
		GUEST_SYNC(guest_pcm_hypercall(READ_ONCE(guest_gpa)));
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

static void counter_path(struct pcm_test *t, const struct pcm_counter *c,
			 char *path, size_t size)
{
	format_path(path, size, "%s/%s/%s", t->dir, c->group, c->field);
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

static u64 read_counter(struct pcm_test *t, const struct pcm_counter *c)
{
	char path[PATH_MAX];

	counter_path(t, c, path, sizeof(path));
	return read_u64_file(path);
}

static int write_counter(struct pcm_test *t, const struct pcm_counter *c,
			 const char *s)
{
	char path[PATH_MAX];

	counter_path(t, c, path, sizeof(path));
	return write_file(path, s);
}

static u64 read_hypercalls(const char *dir)
{
	char path[PATH_MAX];

	format_path(path, sizeof(path), "%s/hypercalls", dir);
	return read_u64_file(path);
}

static void set_all_counters(struct pcm_test *t)
{
	char val[32];
	int i, err;

	for (i = 0; i < ARRAY_SIZE(pcm_counters); i++) {
		snprintf(val, sizeof(val), "%lu", pcm_value(i));
		err = write_counter(t, &pcm_counters[i], val);
		TEST_ASSERT(!err, "setting %s.%s to %s failed: %s",
			    pcm_counters[i].group, pcm_counters[i].field, val,
			    strerror(err));
	}
}

/* The hypercall must not touch the counters, only copy them. */
static bool check_counters_unchanged(struct pcm_test *t)
{
	u64 got;
	bool ok = true;
	int i;

	for (i = 0; i < ARRAY_SIZE(pcm_counters); i++) {
		got = read_counter(t, &pcm_counters[i]);
		if (got == pcm_value(i))
			continue;
		ksft_print_msg("debugfs %s.%s: expected %#lx, got %#lx\n",
			       pcm_counters[i].group, pcm_counters[i].field,
			       pcm_value(i), got);
		ok = false;
	}
	return ok;
}

static void poison_guest_memory(struct pcm_test *t)
{
	const struct test_region *r;
	int i;

	for (i = 0; i < ARRAY_SIZE(test_regions); i++) {
		r = &test_regions[i];
		memset(addr_gpa2hva(t->vm, r->gpa), POISON, r->npages * PAGE_SIZE);
	}
}

/* Every byte of test memory outside [@gpa, @gpa + @len) must still be poison. */
static bool check_poison(struct pcm_test *t, u64 gpa, u64 len)
{
	const struct test_region *r;
	int i, bad = 0;
	u64 a;
	u8 *p;

	for (i = 0; i < ARRAY_SIZE(test_regions); i++) {
		r = &test_regions[i];
		p = addr_gpa2hva(t->vm, r->gpa);
		for (a = r->gpa; a < r->gpa + r->npages * PAGE_SIZE; a++, p++) {
			if ((a >= gpa && a - gpa < len) || *p == POISON)
				continue;
			if (bad++ < 8)
				ksft_print_msg("guest byte at gpa %#lx: expected %#x, got %#x\n",
					       a, POISON, *p);
		}
	}
	if (bad)
		ksft_print_msg("%d guest bytes changed outside the buffer\n", bad);
	return !bad;
}

/* Copy guest memory page by page: a buffer may cross memslots. */
static void read_guest(struct kvm_vm *vm, u64 gpa, u8 *dst, size_t len)
{
	size_t chunk;

	while (len) {
		chunk = PAGE_SIZE - (gpa & (PAGE_SIZE - 1));
		if (chunk > len)
			chunk = len;
		memcpy(dst, addr_gpa2hva(vm, gpa), chunk);
		gpa += chunk;
		dst += chunk;
		len -= chunk;
	}
}

/* Compare the buffer with what was set, field by field, by the table. */
static bool check_buffer(struct pcm_test *t, u64 gpa)
{
	u8 buf[PCM_INFO_SIZE];
	u64 got;
	bool ok = true;
	int i;

	read_guest(t->vm, gpa, buf, sizeof(buf));
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

/*
 * Let the guest make one hypercall with @gpa at CPL 0.  Return its rax and,
 * in @calls, how far pcm/hypercalls moved.
 */
static u64 guest_hypercall(struct pcm_test *t, u64 gpa, u64 *calls)
{
	u64 before = read_hypercalls(t->dir);
	struct ucall uc;

	guest_gpa = gpa;
	sync_global_to_guest(t->vm, guest_gpa);
	vcpu_run(t->vcpu);

	switch (get_ucall(t->vcpu, &uc)) {
	case UCALL_SYNC:
		break;
	case UCALL_ABORT:
		REPORT_GUEST_ASSERT(uc);
		break;
	default:
		TEST_FAIL("expected a ucall, got exit %u (%s)",
			  t->vcpu->run->exit_reason,
			  exit_reason_str(t->vcpu->run->exit_reason));
	}

	*calls = read_hypercalls(t->dir) - before;
	return uc.args[1];
}

static bool expect_hypercall_ok(struct pcm_test *t, u64 gpa)
{
	u64 rax, calls;
	bool ok = true;

	rax = guest_hypercall(t, gpa, &calls);
	ok &= expect_u64("rax", 0, rax);
	ok &= expect_u64("pcm/hypercalls delta", 1, calls);
	ok &= check_buffer(t, gpa);
	ok &= check_poison(t, gpa, PCM_INFO_SIZE);
	return ok;
}

/* The hypercall fails with @err and changes nothing but pcm/hypercalls. */
static bool expect_hypercall_error(struct pcm_test *t, u64 gpa, u64 err)
{
	u64 rax, calls;
	bool ok = true;

	rax = guest_hypercall(t, gpa, &calls);
	ok &= expect_u64("rax", err, rax);
	ok &= expect_u64("pcm/hypercalls delta", 1, calls);
	ok &= check_poison(t, 0, 0);
	ok &= check_counters_unchanged(t);
	return ok;
}

/* Guard the layout above: [@gpa, @gpa + @len) must be outside every memslot. */
static void assert_no_memslot(struct pcm_test *t, u64 gpa, u64 len)
{
	TEST_ASSERT(!kvm_userspace_memory_region_find(t->vm, gpa, gpa + len - 1),
		    "test bug: a memslot overlaps [%#lx, %#lx)", gpa, gpa + len);
}

static bool test_round_trip(struct pcm_test *t)
{
	return expect_hypercall_ok(t, ROUND_TRIP_GPA);
}

static bool test_debugfs_rejects_bad_input(struct pcm_test *t)
{
	/* Not a number, negative, 2^64: none of them is a u64. */
	static const struct {
		const char *input;
		int err;
	} bad_input[] = {
		{ "abc", EINVAL },
		{ "-1", EINVAL },
		{ "18446744073709551616", ERANGE },
	};
	const struct pcm_counter *c;
	char what[128];
	bool ok = true;
	int i, j, err;

	for (i = 0; i < ARRAY_SIZE(pcm_counters); i++) {
		c = &pcm_counters[i];
		for (j = 0; j < ARRAY_SIZE(bad_input); j++) {
			err = write_counter(t, c, bad_input[j].input);
			if (err != bad_input[j].err) {
				ksft_print_msg("%s.%s: writing \"%s\": expected %s, got %s\n",
					       c->group, c->field, bad_input[j].input,
					       strerror(bad_input[j].err),
					       err ? strerror(err) : "success");
				ok = false;
			}
			snprintf(what, sizeof(what), "%s.%s after writing \"%s\"",
				 c->group, c->field, bad_input[j].input);
			ok &= expect_u64(what, pcm_value(i), read_counter(t, c));
		}

		err = write_counter(t, c, "0x10");
		if (err) {
			ksft_print_msg("%s.%s: writing \"0x10\": expected success, got %s\n",
				       c->group, c->field, strerror(err));
			ok = false;
		}
		snprintf(what, sizeof(what), "%s.%s after writing \"0x10\"",
			 c->group, c->field);
		ok &= expect_u64(what, 16, read_counter(t, c));
	}
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
 * A VM of its own whose only vCPU starts at CPL 3 in a stub that makes the
 * hypercall and then writes to an I/O port, which exits to userspace.
 * IOPL 3 lets CPL 3 use the port.  No descriptor is ever loaded, so the
 * GDT needs no user entries: the segment registers are set with
 * KVM_SET_SREGS.  The CPL is SS.DPL on VMX and SVM alike.
 */
static bool test_cpl3_eperm(struct pcm_test *t)
{
	static const u8 vmcall[] = { 0x0f, 0x01, 0xc1 };
	static const u8 vmmcall[] = { 0x0f, 0x01, 0xd9 };
	/* out %al, $CPL3_DONE_PORT; jmp . */
	static const u8 done[] = { 0xe6, CPL3_DONE_PORT, 0xeb, 0xfe };
	u64 stub_gva, buf_gva, buf_gpa, calls_before, calls_after;
	u8 pattern[PCM_INFO_SIZE], *stub, *buf;
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct kvm_vcpu *vcpu;
	struct kvm_run *run;
	struct kvm_vm *vm;
	char dir[PATH_MAX];
	bool ok = true;
	int i;

	vm = vm_create_with_one_vcpu(&vcpu, guest_code);
	pcm_dir_of(vm, dir, sizeof(dir));

	stub_gva = vm_vaddr_alloc_page(vm);
	stub = addr_gva2hva(vm, stub_gva);
	memcpy(stub, guest_use_vmmcall ? vmmcall : vmcall, sizeof(vmcall));
	memcpy(stub + sizeof(vmcall), done, sizeof(done));
	make_user_accessible(vm, stub_gva);

	/* KVM must not write the buffer: fill it with a recognisable pattern. */
	buf_gva = vm_vaddr_alloc_page(vm);
	buf_gpa = addr_gva2gpa(vm, buf_gva);
	buf = addr_gva2hva(vm, buf_gva);
	for (i = 0; i < sizeof(pattern); i++)
		pattern[i] = 0x5a ^ i;
	memcpy(buf, pattern, sizeof(pattern));

	vcpu_sregs_get(vcpu, &sregs);
	sregs.cs.selector = USER_CS;		/* 64-bit code, as set up */
	sregs.cs.dpl = 3;
	sregs.ss = sregs.ds;			/* flat writable data */
	sregs.ss.selector = USER_DS;
	sregs.ss.dpl = 3;
	vcpu_sregs_set(vcpu, &sregs);

	vcpu_regs_get(vcpu, &regs);
	regs.rax = PCM_HC_GET_PCM_INFO;
	regs.rbx = buf_gpa;
	regs.rip = stub_gva;
	regs.rflags = X86_EFLAGS_FIXED | RFLAGS_IOPL3;
	vcpu_regs_set(vcpu, &regs);

	calls_before = read_hypercalls(dir);
	vcpu_run(vcpu);
	calls_after = read_hypercalls(dir);

	run = vcpu->run;
	if (run->exit_reason != KVM_EXIT_IO || run->io.port != CPL3_DONE_PORT ||
	    run->io.direction != KVM_EXIT_IO_OUT) {
		ksft_print_msg("exit: expected KVM_EXIT_IO out to port %#x, got %u (%s) port %#x\n",
			       CPL3_DONE_PORT, run->exit_reason,
			       exit_reason_str(run->exit_reason),
			       run->exit_reason == KVM_EXIT_IO ? run->io.port : 0);
		kvm_vm_free(vm);
		return false;
	}

	vcpu_regs_get(vcpu, &regs);
	vcpu_sregs_get(vcpu, &sregs);
	ok &= expect_u64("CPL (SS.DPL)", 3, sregs.ss.dpl);
	ok &= expect_u64("rax", (u64)-KVM_EPERM, regs.rax);
	/* -KVM_EPERM is decided before the PCM handler is reached. */
	ok &= expect_u64("pcm/hypercalls delta", 0, calls_after - calls_before);
	for (i = 0; i < sizeof(pattern); i++) {
		if (buf[i] == pattern[i])
			continue;
		ksft_print_msg("buffer byte %d: expected %#x, got %#x\n",
			       i, pattern[i], buf[i]);
		ok = false;
		break;
	}

	kvm_vm_free(vm);
	return ok;
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

/* The other cases need the hypercall on; restore whatever was there at exit. */
static void enable_pcm_param(void)
{
	char buf[8] = {};
	int fd, err;

	fd = open(PCM_PARAM, O_RDONLY);
	if (fd < 0) {
		ksft_print_msg("%s: %s\n", PCM_PARAM, strerror(errno));
		return;
	}
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

static bool test_switch_off_enosys(struct pcm_test *t)
{
	bool ok = true;
	int err;

	if (!pcm_param_orig) {
		ksft_print_msg("%s: expected Y or N, file not readable\n", PCM_PARAM);
		return false;
	}

	err = set_pcm_param(false);
	if (err) {
		ksft_print_msg("writing N to %s: expected success, got %s\n",
			       PCM_PARAM, strerror(err));
		return false;
	}
	ok &= expect_hypercall_error(t, ROUND_TRIP_GPA, (u64)-KVM_ENOSYS);

	err = set_pcm_param(true);
	TEST_ASSERT(!err, "writing Y to %s failed: %s", PCM_PARAM, strerror(err));
	ok &= expect_hypercall_ok(t, ROUND_TRIP_GPA);
	return ok;
}

static bool test_efault_unmapped(struct pcm_test *t)
{
	assert_no_memslot(t, HOLE_GPA, PCM_INFO_SIZE);
	return expect_hypercall_error(t, HOLE_GPA, (u64)-KVM_EFAULT);
}

static bool test_efault_mmio(struct pcm_test *t)
{
	assert_no_memslot(t, MMIO_GPA, PCM_INFO_SIZE);
	return expect_hypercall_error(t, MMIO_GPA, (u64)-KVM_EFAULT);
}

/* 100 bytes of RAM, then 188 bytes of nothing: not even the 100 may be written. */
static bool test_efault_straddle_end(struct pcm_test *t)
{
	u64 end = END_GPA + END_PAGES * PAGE_SIZE;

	assert_no_memslot(t, end, PAGE_SIZE);
	return expect_hypercall_error(t, end - 100, (u64)-KVM_EFAULT);
}

static bool test_efault_readonly_slot(struct pcm_test *t)
{
	return expect_hypercall_error(t, RO_GPA + 0x80, (u64)-KVM_EFAULT);
}

/* 100 bytes in one memslot, 188 in the next one: fine, it is all RAM. */
static bool test_straddle_two_slots_ok(struct pcm_test *t)
{
	return expect_hypercall_ok(t, PAIR_HI_GPA - 100);
}

static bool test_gpa_overflow(struct pcm_test *t)
{
	return expect_hypercall_error(t, ~0ULL - 100, (u64)-KVM_EFAULT);
}

static const struct {
	const char *name;
	bool (*run)(struct pcm_test *t);
} test_cases[] = {
	{ "round_trip", test_round_trip },
	{ "debugfs_rejects_bad_input", test_debugfs_rejects_bad_input },
	{ "cpl3_eperm", test_cpl3_eperm },
	{ "switch_off_enosys", test_switch_off_enosys },
	{ "efault_unmapped", test_efault_unmapped },
	{ "efault_mmio", test_efault_mmio },
	{ "efault_straddle_end", test_efault_straddle_end },
	{ "efault_readonly_slot", test_efault_readonly_slot },
	{ "straddle_two_slots_ok", test_straddle_two_slots_ok },
	{ "gpa_overflow", test_gpa_overflow },
};

static void setup_vm(struct pcm_test *t)
{
	const struct test_region *r;
	int i;

	t->vm = vm_create_with_one_vcpu(&t->vcpu, guest_code);
	vm_init_descriptor_tables(t->vm);
	vcpu_init_descriptor_tables(t->vcpu);

	for (i = 0; i < ARRAY_SIZE(test_regions); i++) {
		r = &test_regions[i];
		if (r->slot)
			vm_userspace_mem_region_add(t->vm, VM_MEM_SRC_ANONYMOUS,
						    r->gpa, r->slot, r->npages,
						    r->flags);
	}

	/* Before the first run, so no stale translation can exist. */
	virt_pg_map(t->vm, MMIO_GPA, MMIO_GPA);

	/* KVM on SVM hosts (kvm_amd) takes vmmcall, on VMX hosts vmcall. */
	guest_use_vmmcall = this_cpu_has(X86_FEATURE_SVM);
	sync_global_to_guest(t->vm, guest_use_vmmcall);

	pcm_dir_of(t->vm, t->dir, sizeof(t->dir));
}

/* Let the guest leave its loop, to show it was still in step with the host. */
static void stop_guest(struct pcm_test *t)
{
	u64 cmd;

	guest_stop = true;
	sync_global_to_guest(t->vm, guest_stop);
	vcpu_run(t->vcpu);
	cmd = get_ucall(t->vcpu, NULL);
	TEST_ASSERT(cmd == UCALL_DONE, "expected UCALL_DONE, got %lu", cmd);
}

int main(void)
{
	struct pcm_test t = {};
	struct stat st;
	int i;

	ksft_print_header();

	if (geteuid())
		ksft_exit_skip("needs root for debugfs and module parameters\n");

	setup_vm(&t);
	if (stat(t.dir, &st) || !S_ISDIR(st.st_mode))
		ksft_exit_skip("no PCM support: %s missing (CONFIG_KVM_PCM? debugfs?)\n",
			       t.dir);

	enable_pcm_param();

	ksft_set_plan(ARRAY_SIZE(test_cases));
	for (i = 0; i < ARRAY_SIZE(test_cases); i++) {
		/* Every case starts from known counters and poisoned memory. */
		set_all_counters(&t);
		poison_guest_memory(&t);
		ksft_test_result(test_cases[i].run(&t), "%s\n", test_cases[i].name);
	}

	stop_guest(&t);
	kvm_vm_free(t.vm);
	ksft_finished();
}
