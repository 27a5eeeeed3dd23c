// SPDX-License-Identifier: GPL-2.0-only
/*
 * Helpers for the PCM statistics selftests, see pcm_util.h.
 */
#define _GNU_SOURCE	/* sched_setaffinity() */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>
#include <linux/magic.h>

#include "test_util.h"
#include "kvm_util.h"
#include "processor.h"
#include "pcm_util.h"

/* Flat 64-bit user segments, RPL 3 (like Linux's __USER_CS/__USER_DS). */
#define USER_CS			0x33
#define USER_DS			0x2b
#define RFLAGS_IOPL3		(3UL << 12)

/* How many module parameters pcm_set_param() can put back at exit. */
#define MAX_SAVED_PARAMS	8

/* The counters, expanded from the one list, <linux/kvm_pcm_counters.h>. */
#define PCM_COUNTER(_group, _field, _kvm_counted)			\
	[KVM_PCM_##_group##_##_field] = {				\
		#_group, #_field,					\
		offsetof(struct kvm_pcm_info,				\
			 counters[KVM_PCM_##_group##_##_field]),	\
		_kvm_counted						\
	},
const struct pcm_counter pcm_counters[KVM_PCM_NR_COUNTERS] = {
#define KVM_PCM_COUNTER(_group, _field)	PCM_COUNTER(_group, _field, false)
#define KVM_PCM_KVM_COUNTER(_group, _field) PCM_COUNTER(_group, _field, true)
#include <linux/kvm_pcm_counters.h>
};

static_assert(sizeof(struct kvm_pcm_info) == 288,
	      "struct kvm_pcm_info is not 288 bytes");

const u8 pcm_cpl3_done[PCM_CPL3_DONE_SIZE] = {
	0xe6, PCM_CPL3_DONE_PORT,	/* out %al, $PCM_CPL3_DONE_PORT */
	0xeb, 0xfe,			/* jmp . */
};

const u8 pcm_vmcall[PCM_HYPERCALL_INSN_SIZE] = { 0x0f, 0x01, 0xc1 };
const u8 pcm_vmmcall[PCM_HYPERCALL_INSN_SIZE] = { 0x0f, 0x01, 0xd9 };

/* A module parameter as found before this process first changed it. */
struct saved_param {
	char path[128];
	char orig[2];		/* "Y" or "N" */
};

static struct saved_param saved_params[MAX_SAVED_PARAMS];
static int nr_saved_params;	/* read by a signal handler: *_ONCE */

/* Distinct in every byte that matters: a swapped, shifted or truncated field differs. */
u64 pcm_value(unsigned int i)
{
	return ((u64)(i + 1) << 56) | ((u64)(i + 1) * 0x10001);
}

/* Say what differs, in hex and decimal, and return whether nothing does. */
bool expect_u64(const char *what, u64 expected, u64 got)
{
	if (expected == got)
		return true;

	ksft_print_msg("%s: expected %#lx (%ld), got %#lx (%ld)\n",
		       what, expected, (s64)expected, got, (s64)got);
	return false;
}

/* The same, for @len bytes, printed in hex. */
bool expect_bytes(const char *what, const u8 *expected, const u8 *got,
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

/* snprintf() a path, asserting that it fits. */
static void __printf(3, 4) format_path(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	TEST_ASSERT(n >= 0 && n < size, "path too long: %s...", buf);
}

/* Read a file holding one decimal u64 and a newline, as debugfs writes it. */
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

/* Write @s with one write(2); return 0 or the errno.  Async-signal-safe. */
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

/* KVM names a VM's debugfs directory after the creating pid and the VM fd. */
void pcm_vm_dir(struct kvm_vm *vm, char *dir, size_t size)
{
	format_path(dir, size, "%s/%d-%d/pcm", PCM_KVM_DEBUGFS, getpid(), vm->fd);
}

/* Skip the test unless root, debugfs and a KVM with CONFIG_KVM_PCM are here. */
void pcm_require_host(void)
{
	char dir[PATH_MAX];
	struct statfs sfs;
	struct kvm_vm *vm;
	struct stat st;
	bool have_pcm;

	if (geteuid())
		ksft_exit_skip("needs root for debugfs and module parameters\n");

	if (statfs(PCM_DEBUGFS, &sfs) || sfs.f_type != DEBUGFS_MAGIC)
		ksft_exit_skip("debugfs is not mounted at %s\n", PCM_DEBUGFS);

	vm = vm_create_barebones();
	pcm_vm_dir(vm, dir, sizeof(dir));
	have_pcm = !stat(dir, &st) && S_ISDIR(st.st_mode);
	kvm_vm_free(vm);
	if (!have_pcm)
		ksft_exit_skip("no PCM support: no %s/<vm>/pcm (CONFIG_KVM_PCM? debugfs?)\n",
			       PCM_KVM_DEBUGFS);
}

/*
 * The memslot with guest memory in [@start, @end], or NULL: like the
 * library's userspace_mem_region_find(), which only 6.1 exports (as
 * kvm_userspace_memory_region_find()).
 */
struct userspace_mem_region *pcm_memslot_find(struct kvm_vm *vm, u64 start,
					      u64 end)
{
	struct userspace_mem_region *region;
	int bkt;

	hash_for_each(vm->regions.slot_hash, bkt, region, slot_node)
		if (start <= region->region.guest_phys_addr +
			     region->region.memory_size - 1 &&
		    end >= region->region.guest_phys_addr)
			return region;
	return NULL;
}

/* The debugfs file of counter @c of @vm. */
static void counter_path(struct kvm_vm *vm, enum kvm_pcm_counter c,
			 char *path, size_t size)
{
	char dir[PATH_MAX];

	TEST_ASSERT(c < KVM_PCM_NR_COUNTERS, "no PCM counter %d", c);
	pcm_vm_dir(vm, dir, sizeof(dir));
	format_path(path, size, "%s/%s/%s", dir, pcm_counters[c].group,
		    pcm_counters[c].field);
}

/* Counter @c of @vm, as its debugfs file shows it. */
u64 pcm_get_counter(struct kvm_vm *vm, enum kvm_pcm_counter c)
{
	char path[PATH_MAX];

	counter_path(vm, c, path, sizeof(path));
	return read_u64_file(path);
}

/* Write @s to the debugfs file of counter @c; return 0 or the errno. */
int __pcm_set_counter_str(struct kvm_vm *vm, enum kvm_pcm_counter c,
			  const char *s)
{
	char path[PATH_MAX];

	counter_path(vm, c, path, sizeof(path));
	return write_file(path, s);
}

/* Set counter @c of @vm to @v. */
void pcm_set_counter(struct kvm_vm *vm, enum kvm_pcm_counter c, u64 v)
{
	char val[32];
	int err;

	snprintf(val, sizeof(val), "%lu", v);
	err = __pcm_set_counter_str(vm, c, val);
	TEST_ASSERT(!err, "setting %s.%s to %s failed: %s",
		    pcm_counters[c].group, pcm_counters[c].field, val,
		    strerror(err));
}

/* Set every counter of @vm to its pcm_value(), so that each one is told apart. */
void pcm_set_all_counters(struct kvm_vm *vm)
{
	int i;

	for (i = 0; i < KVM_PCM_NR_COUNTERS; i++)
		pcm_set_counter(vm, i, pcm_value(i));
}

/* Whether @got is counter @i's pcm_value(); if not, say so after @prefix. */
static bool check_value(const char *prefix, unsigned int i, u64 got)
{
	if (got == pcm_value(i))
		return true;

	ksft_print_msg("%s%s.%s: expected %#lx, got %#lx\n", prefix,
		       pcm_counters[i].group, pcm_counters[i].field,
		       pcm_value(i), got);
	return false;
}

/* Whether every counter of @vm still holds its pcm_value(); say which do not. */
bool pcm_check_all_counters(struct kvm_vm *vm)
{
	bool ok = true;
	int i;

	for (i = 0; i < KVM_PCM_NR_COUNTERS; i++)
		ok &= check_value("debugfs ", i, pcm_get_counter(vm, i));
	return ok;
}

/* Whether @buf, a struct kvm_pcm_info, holds every pcm_value(); field by field. */
bool pcm_check_values(const void *buf)
{
	bool ok = true;
	u64 got;
	int i;

	for (i = 0; i < KVM_PCM_NR_COUNTERS; i++) {
		memcpy(&got, (const u8 *)buf + pcm_counters[i].offset,
		       sizeof(got));
		ok &= check_value("", i, got);
	}
	return ok;
}

/* Whether all @len bytes of @buf are still PCM_POISON; say where not. */
bool pcm_check_poison(const u8 *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (buf[i] == PCM_POISON)
			continue;
		ksft_print_msg("buffer byte %zu: expected %#x, got %#x\n",
			       i, PCM_POISON, buf[i]);
		return false;
	}
	return true;
}

/*
 * Whether the @nr_pages guest pages from @gva on are all still PCM_POISON,
 * but the first @skip bytes of page @buf_page (where a served call wrote);
 * say which page is not.
 */
bool pcm_check_poison_pages(struct kvm_vm *vm, u64 gva, int nr_pages,
			    int buf_page, size_t skip)
{
	bool ok = true;
	int i;

	for (i = 0; i < nr_pages; i++) {
		u8 *page = addr_gva2hva(vm, gva + i * PAGE_SIZE);
		size_t from = i == buf_page ? skip : 0;

		if (!pcm_check_poison(page + from, PAGE_SIZE - from)) {
			ksft_print_msg("poison page %d (buffer: page %d), from byte %zu\n",
				       i, buf_page, from);
			ok = false;
		}
	}
	return ok;
}

/*
 * How many PCM hypercalls @vm made at CPL 0, whatever their result: KVM's
 * debugfs file of the vCPU statistic, which sums the VM's vCPUs.
 */
u64 pcm_get_hypercalls(struct kvm_vm *vm)
{
	char path[PATH_MAX];

	format_path(path, sizeof(path), "%s/%d-%d/pcm_hypercalls", PCM_KVM_DEBUGFS,
		    getpid(), vm->fd);
	return read_u64_file(path);
}

/*
 * KVM's statistic of counter @c (<asm/kvm_pcm_stats.h>), from its debugfs
 * file pcm_<group>_<field>: of @vm (its VM statistic, or the sum of its
 * vCPUs' for a counter KVM counts), or with @vm NULL summed over all live
 * VMs (<debugfs>/kvm).
 */
u64 pcm_get_stat(struct kvm_vm *vm, enum kvm_pcm_counter c)
{
	char path[PATH_MAX];

	TEST_ASSERT(c < KVM_PCM_NR_COUNTERS, "no PCM counter %d", c);
	if (vm)
		format_path(path, sizeof(path), "%s/%d-%d/pcm_%s_%s", PCM_KVM_DEBUGFS,
			    getpid(), vm->fd, pcm_counters[c].group, pcm_counters[c].field);
	else
		format_path(path, sizeof(path), "%s/pcm_%s_%s", PCM_KVM_DEBUGFS,
			    pcm_counters[c].group, pcm_counters[c].field);
	return read_u64_file(path);
}

/* /sys/module/kvm/parameters/@name, in @path. */
static void param_path(const char *name, char *path, size_t size)
{
	format_path(path, size, "%s/%s", PCM_PARAM_DIR, name);
}

/* Whether this kvm has the module parameter @name: not every version has each one. */
bool pcm_have_param(const char *name)
{
	char path[PATH_MAX];

	param_path(name, path, sizeof(path));
	return !access(path, F_OK);
}

/* Whether the bool kvm module parameter @name is on ('Y'). */
bool pcm_get_param(const char *name)
{
	char path[PATH_MAX], buf[8] = {};
	ssize_t n;
	int fd;

	param_path(name, path, sizeof(path));
	fd = open(path, O_RDONLY);
	TEST_ASSERT(fd >= 0, "open(%s) failed: %s", path, strerror(errno));
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	TEST_ASSERT(n > 0 && (buf[0] == 'Y' || buf[0] == 'N'),
		    "%s: expected Y or N, got \"%s\"", path, buf);
	return buf[0] == 'Y';
}

/* Put every parameter changed back as found; also runs from a signal handler, so no stdio. */
static void restore_params(void)
{
	int i;

	for (i = READ_ONCE(nr_saved_params) - 1; i >= 0; i--)
		write_file(saved_params[i].path, saved_params[i].orig);
}

/* SIGINT, SIGTERM: put the parameters back, then die of the signal as usual. */
static void restore_params_on_signal(int sig)
{
	restore_params();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Note @name's value before its first change, to be put back at exit. */
static void save_param(const char *name)
{
	struct saved_param *p;
	char path[PATH_MAX];
	int i;

	param_path(name, path, sizeof(path));
	for (i = 0; i < nr_saved_params; i++)
		if (!strcmp(saved_params[i].path, path))
			return;

	TEST_ASSERT(nr_saved_params < MAX_SAVED_PARAMS,
		    "more than %d module parameters changed", MAX_SAVED_PARAMS);
	p = &saved_params[nr_saved_params];
	format_path(p->path, sizeof(p->path), "%s", path);
	p->orig[0] = pcm_get_param(name) ? 'Y' : 'N';

	if (!nr_saved_params) {
		atexit(restore_params);
		signal(SIGINT, restore_params_on_signal);
		signal(SIGTERM, restore_params_on_signal);
	}
	/* Only once the entry is complete, for restore_params(). */
	WRITE_ONCE(nr_saved_params, nr_saved_params + 1);
}

/* Switch kvm.@name; return 0 or the errno.  Put back as found at exit. */
int __pcm_set_param(const char *name, bool on)
{
	char path[PATH_MAX];

	save_param(name);
	param_path(name, path, sizeof(path));
	return write_file(path, on ? "Y" : "N");
}

/* Switch kvm.@name; if that fails, say so and return false, for a test case to fail. */
bool pcm_try_set_param(const char *name, bool on)
{
	char path[PATH_MAX];
	int err;

	err = __pcm_set_param(name, on);
	if (!err)
		return true;

	param_path(name, path, sizeof(path));
	ksft_print_msg("writing %c to %s: expected success, got %s\n",
		       on ? 'Y' : 'N', path, strerror(err));
	return false;
}

/* Switch kvm.@name, asserting that it worked.  Put back as found at exit. */
void pcm_set_param(const char *name, bool on)
{
	char path[PATH_MAX];
	int err;

	err = __pcm_set_param(name, on);
	param_path(name, path, sizeof(path));
	TEST_ASSERT(!err, "writing %c to %s failed: %s", on ? 'Y' : 'N', path,
		    strerror(err));
}

/* Does nothing: SIGALRM is only there to interrupt KVM_RUN. */
static void on_alarm(int sig)
{
}

/*
 * Keep the calling thread on @cpu: a vCPU loaded on another CPU than last
 * time counts in event/evt_switch_exec_cpu, so tests pin their threads.
 */
/* In the guest: VMMCALL on AMD, VMCALL on Intel (pcm_use_native_hypercall()). */
bool pcm_guest_use_vmmcall;

/*
 * Let @vm's guest use the vendor's own hypercall instruction, so that KVM
 * never rewrites guest code (the other one is pcm_foreign_hypercall_test's).
 */
void pcm_use_native_hypercall(struct kvm_vm *vm)
{
	pcm_guest_use_vmmcall = this_cpu_has(X86_FEATURE_SVM);
	sync_global_to_guest(vm, pcm_guest_use_vmmcall);
}

/* In the guest: hypercall @nr with rbx = @a0, rcx = @a1; rax is returned. */
u64 pcm_guest_hypercall2(u64 nr, u64 a0, u64 a1)
{
	u64 ret;

	if (pcm_guest_use_vmmcall)
		asm volatile("vmmcall"
			     : "=a"(ret) : "a"(nr), "b"(a0), "c"(a1) : "memory");
	else
		asm volatile("vmcall"
			     : "=a"(ret) : "a"(nr), "b"(a0), "c"(a1) : "memory");
	return ret;
}

u64 pcm_guest_hypercall(u64 nr, u64 a0)
{
	return pcm_guest_hypercall2(nr, a0, 0);
}

/*
 * In the guest: hypercall @nr with rbx = @a0, made with the instruction
 * pcm_use_native_hypercall() did not choose.  Each instruction has a
 * label, so that the host can look at its bytes: KVM may rewrite them.
 */
noinline u64 pcm_guest_foreign_hypercall(u64 nr, u64 a0)
{
	u64 ret;

	if (pcm_guest_use_vmmcall)
		asm volatile(".globl pcm_foreign_vmcall\n"
			     "pcm_foreign_vmcall: vmcall"
			     : "=a"(ret) : "a"(nr), "b"(a0) : "memory");
	else
		asm volatile(".globl pcm_foreign_vmmcall\n"
			     "pcm_foreign_vmmcall: vmmcall"
			     : "=a"(ret) : "a"(nr), "b"(a0) : "memory");
	return ret;
}

/*
 * After vcpu_run(): the guest's exit must be ucall @cmd, in @uc; a failed
 * guest assertion is reported as such.
 */
void pcm_expect_ucall(struct kvm_vcpu *vcpu, struct ucall *uc, u64 cmd)
{
	u64 got = get_ucall(vcpu, uc);

	if (got == cmd)
		return;
	if (got == UCALL_ABORT)
		REPORT_GUEST_ASSERT(*uc);
	TEST_FAIL("expected ucall %lu, got %lu (exit %u, %s)", cmd, got,
		  vcpu->run->exit_reason, exit_reason_str(vcpu->run->exit_reason));
}

/* CLOCK_MONOTONIC in ns, for the benchmarks. */
u64 pcm_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * For the benchmarks: run @vcpu up to its next GUEST_SYNC, which ends a
 * round of @n operations; the time per operation, in ns.
 */
double pcm_time_round(struct kvm_vcpu *vcpu, u64 n)
{
	struct ucall uc;
	u64 start;

	start = pcm_now_ns();
	vcpu_run(vcpu);
	pcm_expect_ucall(vcpu, &uc, UCALL_SYNC);
	return (double)(pcm_now_ns() - start) / n;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The median of @n values; sorts @v. */
double pcm_median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

void pcm_pin_self(int cpu)
{
	cpu_set_t set;

	TEST_ASSERT(cpu >= 0, "no CPU to pin to: %s", strerror(errno));
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	TEST_ASSERT(!sched_setaffinity(0, sizeof(set), &set),
		    "sched_setaffinity(%d): %s", cpu, strerror(errno));
}

/*
 * KVM_RUN once, for at most @seconds; 0 when the guest exited, -EINTR when
 * the time ran out (a guest that never leaves an instruction, say).
 */
int __pcm_run_vcpu(struct kvm_vcpu *vcpu, unsigned int seconds)
{
	static bool alarm_handled;
	int rc;

	if (!alarm_handled) {
		struct sigaction sa = { .sa_handler = on_alarm };

		/* No SA_RESTART: the alarm must end KVM_RUN with EINTR. */
		TEST_ASSERT(!sigaction(SIGALRM, &sa, NULL), "sigaction: %s",
			    strerror(errno));
		alarm_handled = true;
	}

	alarm(seconds);
	rc = __vcpu_run(vcpu);
	alarm(0);
	if (rc && errno == EINTR)
		return -EINTR;
	TEST_ASSERT(!rc, KVM_IOCTL_ERROR(KVM_RUN, rc));
	return 0;
}

/*
 * KVM_RUN once; false (and said why) if the guest did not exit within
 * PCM_RUN_TIMEOUT_S, e.g. because RIP never moved past the instruction.
 */
bool pcm_run_vcpu(struct kvm_vcpu *vcpu)
{
	if (__pcm_run_vcpu(vcpu, PCM_RUN_TIMEOUT_S)) {
		ksft_print_msg("the guest did not exit within %d s: looping on the instruction?\n",
			       PCM_RUN_TIMEOUT_S);
		return false;
	}
	return true;
}

/* Set the U bit at every level of the guest page tables that map @gva. */
void pcm_make_user_accessible(struct kvm_vm *vm, u64 gva)
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
 * Start @vcpu at CPL 3 at @rip with @rax and @rbx, and IOPL 3 so that CPL 3
 * may use pcm_cpl3_done's port.  No descriptor is ever loaded, so the GDT
 * needs no user entries: the segment registers are set with KVM_SET_SREGS.
 * The CPL is SS.DPL on VMX and SVM alike.  @rip must be user accessible.
 */
void pcm_vcpu_set_cpl3(struct kvm_vcpu *vcpu, u64 rip, u64 rax, u64 rbx)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	vcpu_sregs_get(vcpu, &sregs);
	sregs.cs.selector = USER_CS;		/* 64-bit code, as set up */
	sregs.cs.dpl = 3;
	sregs.ss = sregs.ds;			/* flat writable data */
	sregs.ss.selector = USER_DS;
	sregs.ss.dpl = 3;
	vcpu_sregs_set(vcpu, &sregs);

	vcpu_regs_get(vcpu, &regs);
	regs.rax = rax;
	regs.rbx = rbx;
	regs.rip = rip;
	regs.rflags = X86_EFLAGS_FIXED | RFLAGS_IOPL3;
	vcpu_regs_set(vcpu, &regs);
}

/* Whether @vcpu exited at the out of pcm_cpl3_done; say how it did if not. */
bool pcm_check_cpl3_done(struct kvm_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;

	if (run->exit_reason == KVM_EXIT_IO && run->io.port == PCM_CPL3_DONE_PORT &&
	    run->io.direction == KVM_EXIT_IO_OUT)
		return true;

	ksft_print_msg("exit: expected KVM_EXIT_IO out to port %#x, got %u (%s) port %#x\n",
		       PCM_CPL3_DONE_PORT, run->exit_reason,
		       exit_reason_str(run->exit_reason),
		       run->exit_reason == KVM_EXIT_IO ? run->io.port : 0);
	return false;
}

#ifdef GUEST_ASSERT_1
/*
 * The host's half of __GUEST_ASSERT() on 6.1, see pcm_util.h: @fmt lies at
 * the same address in the host, and the values follow it.  The 6.1
 * library's own GUEST_ASSERT()s pass no @fmt: test_assert() takes NULL.
 */
void pcm_report_guest_assert(const struct ucall *uc)
{
	const u64 *v = &uc->args[GUEST_ASSERT_BUILTIN_NARGS];

	test_assert(false, (const char *)uc->args[GUEST_ERROR_STRING],
		    (const char *)uc->args[GUEST_FILE], uc->args[GUEST_LINE],
		    (const char *)v[0], v[1], v[2], v[3]);
}

/* 6.12's vm_get_page_table_entry(), on 6.1: the 4K PTE that maps @vaddr. */
u64 *pcm_vm_get_page_table_entry(struct kvm_vm *vm, u64 vaddr)
{
	u64 table = vm->pgd, *pte;
	int level;

	for (level = PG_LEVEL_512G; ; level--) {
		pte = addr_gpa2hva(vm, table);
		pte += (vaddr >> PG_LEVEL_SHIFT(level)) & 0x1ff;
		TEST_ASSERT(*pte & PTE_PRESENT_MASK,
			    "gva %#lx not mapped at level %d", vaddr, level);
		if (level == PG_LEVEL_4K)
			return pte;
		TEST_ASSERT(!(*pte & PTE_LARGE_MASK),
			    "gva %#lx mapped by a huge page at level %d", vaddr, level);
		table = PTE_GET_PFN(*pte) << vm->page_shift;
	}
}

/* What 6.12's library does for every VM and vCPU, on 6.1: an IDT and a GDT. */
void pcm_init_descriptor_tables(struct kvm_vm *vm)
{
	struct kvm_vcpu *vcpu;

	vm_init_descriptor_tables(vm);
	list_for_each_entry(vcpu, &vm->vcpus, list)
		vcpu_init_descriptor_tables(vcpu);
}
#endif /* GUEST_ASSERT_1 */
