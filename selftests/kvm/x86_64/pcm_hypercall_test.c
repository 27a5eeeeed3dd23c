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
 * <debugfs>/kvm/<pid>-<vm fd>/pcm/<group>/<field>, and pcm_hypercalls
 * counts the PCM hypercalls the VM made at CPL 0, whatever their result.
 *
 * Needs root and a KVM built with CONFIG_KVM_PCM; skips otherwise.
 */
#include <asm/kvm_para.h>
#include <linux/kvm_para.h>
#include <linux/kvm_pcm.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "test_util.h"
#include "kvm_util.h"
#include "processor.h"
#include "pcm_util.h"

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

/*
 * Two pages whose second page's host memory the cases below make
 * read-only or unmap behind KVM's back (the memslot stays as it is).
 */
#define HOSTMAP_SLOT		6
#define HOSTMAP_GPA		0x10500000ULL
#define HOSTMAP_PAGES		2

/* Not in any memslot, but mapped in the guest page tables: MMIO. */
#define MMIO_GPA		0x10400000ULL

/* Not in any memslot and not mapped anywhere. */
#define HOLE_GPA		0x40000000ULL

#define ROUND_TRIP_GPA		(SCRATCH_GPA + PAGE_SIZE + 0x40)

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
	{ HOSTMAP_GPA, HOSTMAP_PAGES, HOSTMAP_SLOT, 0 },
	{ RO_GPA, RO_PAGES, RO_SLOT, KVM_MEM_READONLY },
	{ PAIR_LO_GPA, PAIR_LO_PAGES, PAIR_LO_SLOT, 0 },
	{ PAIR_HI_GPA, PAIR_HI_PAGES, PAIR_HI_SLOT, 0 },
};

struct pcm_test {
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpu;
};

/* Set by the host before each run of the guest. */
static u64 guest_gpa;
static bool guest_stop;

/*
 * The vendor's own instruction (pcm_guest_hypercall()): KVM would otherwise
 * patch vmcall into vmmcall on AMD (or the other way round), and the CPL 3
 * stub must not depend on KVM being able to rewrite code.
 */
static u64 guest_pcm_hypercall(u64 gpa)
{
	return pcm_guest_hypercall(PCM_HC_GET_PCM_INFO, gpa);
}

/* One hypercall per run, with the gpa the host has just set. */
static void guest_code(void)
{
	while (!READ_ONCE(guest_stop))
		GUEST_SYNC(guest_pcm_hypercall(READ_ONCE(guest_gpa)));
	GUEST_DONE();
}

static void poison_guest_memory(struct pcm_test *t)
{
	const struct test_region *r;
	int i;

	for (i = 0; i < ARRAY_SIZE(test_regions); i++) {
		r = &test_regions[i];
		memset(addr_gpa2hva(t->vm, r->gpa), PCM_POISON, r->npages * PAGE_SIZE);
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
			if ((a >= gpa && a - gpa < len) || *p == PCM_POISON)
				continue;
			if (bad++ < 8)
				ksft_print_msg("guest byte at gpa %#lx: expected %#x, got %#x\n",
					       a, PCM_POISON, *p);
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

	read_guest(t->vm, gpa, buf, sizeof(buf));
	return pcm_check_values(buf);
}

/*
 * Let the guest make one hypercall with @gpa at CPL 0.  Return its rax and,
 * in @calls, how far pcm_hypercalls moved.
 */
static u64 guest_hypercall(struct pcm_test *t, u64 gpa, u64 *calls)
{
	u64 before = pcm_get_hypercalls(t->vm);
	struct ucall uc;

	guest_gpa = gpa;
	sync_global_to_guest(t->vm, guest_gpa);
	vcpu_run(t->vcpu);
	pcm_expect_ucall(t->vcpu, &uc, UCALL_SYNC);

	*calls = pcm_get_hypercalls(t->vm) - before;
	return uc.args[1];
}

static bool expect_hypercall_ok(struct pcm_test *t, u64 gpa)
{
	u64 rax, calls;
	bool ok = true;

	rax = guest_hypercall(t, gpa, &calls);
	ok &= expect_u64("rax", 0, rax);
	ok &= expect_u64("pcm_hypercalls delta", 1, calls);
	ok &= check_buffer(t, gpa);
	ok &= check_poison(t, gpa, PCM_INFO_SIZE);
	return ok;
}

/* The hypercall fails with @err and changes nothing but pcm_hypercalls. */
static bool expect_hypercall_error(struct pcm_test *t, u64 gpa, u64 err)
{
	u64 rax, calls;
	bool ok = true;

	rax = guest_hypercall(t, gpa, &calls);
	ok &= expect_u64("rax", err, rax);
	ok &= expect_u64("pcm_hypercalls delta", 1, calls);
	ok &= check_poison(t, 0, 0);
	/* The hypercall must not touch the counters, only copy them. */
	ok &= pcm_check_all_counters(t->vm);
	return ok;
}

/* Guard the layout above: [@gpa, @gpa + @len) must be outside every memslot. */
static void assert_no_memslot(struct pcm_test *t, u64 gpa, u64 len)
{
	TEST_ASSERT(!pcm_memslot_find(t->vm, gpa, gpa + len - 1),
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
		/* Longer than a u64 in any base: refused whole, not cut. */
		{ "1000000000000000000000000000000000000000000000000000000000000000000", EINVAL },
	};
	/* Parsed whole, whatever their length: 0x hex, 0 octal. */
	static const struct {
		const char *input;
		u64 value;
	} good_input[] = {
		{ "0x10", 16 },
		{ "000000000000000000000000017", 15 },
		{ "0x000000000000000000000000ffffffffffffffff", 18446744073709551615ULL },
	};
	const struct pcm_counter *c;
	char what[128];
	bool ok = true;
	int i, j, err;

	for (i = 0; i < KVM_PCM_NR_COUNTERS; i++) {
		c = &pcm_counters[i];
		for (j = 0; j < ARRAY_SIZE(bad_input); j++) {
			err = __pcm_set_counter_str(t->vm, i, bad_input[j].input);
			if (err != bad_input[j].err) {
				ksft_print_msg("%s.%s: writing \"%s\": expected %s, got %s\n",
					       c->group, c->field, bad_input[j].input,
					       strerror(bad_input[j].err),
					       err ? strerror(err) : "success");
				ok = false;
			}
			snprintf(what, sizeof(what), "%s.%s after writing \"%s\"",
				 c->group, c->field, bad_input[j].input);
			ok &= expect_u64(what, pcm_value(i), pcm_get_counter(t->vm, i));
		}

		for (j = 0; j < ARRAY_SIZE(good_input); j++) {
			err = __pcm_set_counter_str(t->vm, i, good_input[j].input);
			if (err) {
				ksft_print_msg("%s.%s: writing \"%s\": expected success, got %s\n",
					       c->group, c->field, good_input[j].input,
					       strerror(err));
				ok = false;
			}
			snprintf(what, sizeof(what), "%s.%s after writing \"%s\"",
				 c->group, c->field, good_input[j].input);
			ok &= expect_u64(what, good_input[j].value, pcm_get_counter(t->vm, i));
		}
		pcm_set_counter(t->vm, i, pcm_value(i));
	}
	return ok;
}

/*
 * A VM of its own whose only vCPU starts at CPL 3 in a stub that makes the
 * hypercall and then writes to an I/O port, which exits to userspace
 * (pcm_vcpu_set_cpl3(), pcm_cpl3_done).
 */
static bool test_cpl3_eperm(struct pcm_test *t)
{
	u64 stub_gva, buf_gva, buf_gpa, calls_before, calls_after;
	u8 pattern[PCM_INFO_SIZE], *stub, *buf;
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	bool ok = true;
	int i;

	vm = vm_create_with_one_vcpu(&vcpu, guest_code);

	stub_gva = vm_vaddr_alloc_page(vm);
	stub = addr_gva2hva(vm, stub_gva);
	memcpy(stub, pcm_guest_use_vmmcall ? pcm_vmmcall : pcm_vmcall,
	       PCM_HYPERCALL_INSN_SIZE);
	memcpy(stub + PCM_HYPERCALL_INSN_SIZE, pcm_cpl3_done, sizeof(pcm_cpl3_done));
	pcm_make_user_accessible(vm, stub_gva);

	/* KVM must not write the buffer: fill it with a recognisable pattern. */
	buf_gva = vm_vaddr_alloc_page(vm);
	buf_gpa = addr_gva2gpa(vm, buf_gva);
	buf = addr_gva2hva(vm, buf_gva);
	for (i = 0; i < sizeof(pattern); i++)
		pattern[i] = 0x5a ^ i;
	memcpy(buf, pattern, sizeof(pattern));

	pcm_vcpu_set_cpl3(vcpu, stub_gva, PCM_HC_GET_PCM_INFO, buf_gpa);

	calls_before = pcm_get_hypercalls(vm);
	vcpu_run(vcpu);
	calls_after = pcm_get_hypercalls(vm);

	if (!pcm_check_cpl3_done(vcpu)) {
		kvm_vm_free(vm);
		return false;
	}

	vcpu_regs_get(vcpu, &regs);
	vcpu_sregs_get(vcpu, &sregs);
	ok &= expect_u64("CPL (SS.DPL)", 3, sregs.ss.dpl);
	ok &= expect_u64("rax", (u64)-KVM_EPERM, regs.rax);
	/* -KVM_EPERM is decided before the PCM handler is reached. */
	ok &= expect_u64("pcm_hypercalls delta", 0, calls_after - calls_before);
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

static bool test_switch_off_enosys(struct pcm_test *t)
{
	bool ok = true;

	if (!pcm_try_set_param(PCM_PARAM_HYPERCALL, false))
		return false;
	ok &= expect_hypercall_error(t, ROUND_TRIP_GPA, (u64)-KVM_ENOSYS);

	pcm_set_param(PCM_PARAM_HYPERCALL, true);
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

/*
 * 100 bytes at the end of a page the VMM has mapped writable, 188 on one
 * it has made read-only (mprotect) or unmapped (munmap) behind KVM's back:
 * the memslot says writable RAM, the host mapping does not.  Not even the
 * first 100 bytes may be written.
 */
static bool test_efault_host_mapping(struct pcm_test *t, bool unmap)
{
	u64 gpa = HOSTMAP_GPA + PAGE_SIZE - 100;
	u8 *second = addr_gpa2hva(t->vm, HOSTMAP_GPA + PAGE_SIZE);
	u64 rax, calls;
	bool ok = true;

	if (unmap)
		TEST_ASSERT(!munmap(second, PAGE_SIZE), "munmap");
	else
		TEST_ASSERT(!mprotect(second, PAGE_SIZE, PROT_READ), "mprotect");

	rax = guest_hypercall(t, gpa, &calls);

	/* As it was, for the poison check and the cases after this one. */
	if (unmap) {
		TEST_ASSERT(mmap(second, PAGE_SIZE, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == second,
			    "mmap");
		memset(second, PCM_POISON, PAGE_SIZE);
	} else {
		TEST_ASSERT(!mprotect(second, PAGE_SIZE, PROT_READ | PROT_WRITE),
			    "mprotect");
	}

	ok &= expect_u64("rax", (u64)-KVM_EFAULT, rax);
	ok &= expect_u64("pcm_hypercalls delta", 1, calls);
	ok &= check_poison(t, 0, 0);
	ok &= pcm_check_all_counters(t->vm);
	return ok;
}

static bool test_efault_host_readonly(struct pcm_test *t)
{
	return test_efault_host_mapping(t, false);
}

static bool test_efault_host_unmapped(struct pcm_test *t)
{
	return test_efault_host_mapping(t, true);
}

/*
 * A memslot deleted and added again, over and over, while the vCPU keeps
 * asking for the counters into a buffer whose last 188 bytes are in it:
 * every call must write all 288 bytes or none.  The first 100 bytes are
 * in a memslot that stays, where the guest checks them after each call.
 */
#define RACE_LO_SLOT		1
#define RACE_LO_GPA		0x10000000ULL
#define RACE_HI_SLOT		2
#define RACE_HI_GPA		(RACE_LO_GPA + PAGE_SIZE)
#define RACE_LO_LEN		100
#define RACE_BUF_GPA		(RACE_HI_GPA - RACE_LO_LEN)
#define RACE_CYCLES		300

/* What the guest saw: calls that wrote all, none, or a part. */
static struct {
	u64 whole, none, partial, other;
} race_seen;
static u8 race_reference[RACE_LO_LEN];
static bool race_stop;

static void race_guest_code(void)
{
	u8 *lo = (u8 *)RACE_BUF_GPA;
	u64 ret;
	int i;

	/* The reference: one call with both memslots in place. */
	GUEST_ASSERT(guest_pcm_hypercall(RACE_BUF_GPA) == 0);
	memcpy(race_reference, lo, RACE_LO_LEN);
	GUEST_SYNC(0);

	while (!READ_ONCE(race_stop)) {
		memset(lo, PCM_POISON, RACE_LO_LEN);
		ret = guest_pcm_hypercall(RACE_BUF_GPA);
		if (ret == 0) {
			race_seen.whole++;
			if (memcmp(lo, race_reference, RACE_LO_LEN))
				race_seen.partial++;
		} else if (ret == (u64)-KVM_EFAULT) {
			race_seen.none++;
			for (i = 0; i < RACE_LO_LEN; i++)
				if (lo[i] != PCM_POISON) {
					race_seen.partial++;
					break;
				}
		} else {
			race_seen.other++;
		}
	}
	GUEST_DONE();
}

static void *race_vcpu_thread(void *vcpu)
{
	vcpu_run(vcpu);
	return NULL;
}

static bool test_slot_delete_race(struct pcm_test *unused)
{
	struct kvm_vcpu *vcpu;
	u8 buf[PCM_INFO_SIZE];
	struct kvm_vm *vm;
	pthread_t thread;
	struct ucall uc;
	bool ok = true;
	int i;

	vm = vm_create_with_one_vcpu(&vcpu, race_guest_code);
	vm_userspace_mem_region_add(vm, VM_MEM_SRC_ANONYMOUS, RACE_LO_GPA,
				    RACE_LO_SLOT, 1, 0);
	vm_userspace_mem_region_add(vm, VM_MEM_SRC_ANONYMOUS, RACE_HI_GPA,
				    RACE_HI_SLOT, 1, 0);
	virt_map(vm, RACE_LO_GPA, RACE_LO_GPA, 1);
	pcm_use_native_hypercall(vm);
	pcm_set_all_counters(vm);

	/* The guest's reference call. */
	vcpu_run(vcpu);
	pcm_expect_ucall(vcpu, &uc, UCALL_SYNC);
	read_guest(vm, RACE_BUF_GPA, buf, sizeof(buf));
	ok &= pcm_check_values(buf);

	/* The guest loops in KVM alone now: no exit until race_stop. */
	pthread_create(&thread, NULL, race_vcpu_thread, vcpu);
	for (i = 0; i < RACE_CYCLES; i++) {
		vm_mem_region_delete(vm, RACE_HI_SLOT);
		vm_userspace_mem_region_add(vm, VM_MEM_SRC_ANONYMOUS, RACE_HI_GPA,
					    RACE_HI_SLOT, 1, 0);
	}
	WRITE_ONCE(*(bool *)addr_gva2hva(vm, (vm_vaddr_t)&race_stop), true);
	pthread_join(thread, NULL);

	pcm_expect_ucall(vcpu, &uc, UCALL_DONE);
	sync_global_from_guest(vm, race_seen);
	ksft_print_msg("%d memslot cycles: %lu calls wrote all, %lu none, %lu a part\n",
		       RACE_CYCLES, race_seen.whole, race_seen.none, race_seen.partial);
	ok &= expect_u64("calls that wrote a part", 0, race_seen.partial);
	ok &= expect_u64("calls with another result", 0, race_seen.other);
	/* Both outcomes happened, or the race was not run. */
	if (!race_seen.whole || !race_seen.none) {
		ksft_print_msg("no race: the guest saw only one outcome\n");
		ok = false;
	}
	kvm_vm_free(vm);
	return ok;
}

/*
 * A 0 return means the guest sees the bytes, even if the VMM forks in the
 * middle of the call.  The buffer's first 8 bytes are on one page, the
 * rest on a page that is not there yet and is registered with userfaultfd,
 * so KVM's lookup of the second page waits for the test: while it waits,
 * the test forks (the first page, already looked up, is now shared with
 * the child) and writes elsewhere on the first page, which gives the VM a
 * copy of it.  Only then does it supply the second page.  Bytes written
 * into the page looked up before the fork would be lost: the guest would
 * still read the poison it wrote there before the call.
 */
#define COW_SLOT		1
#define COW_GPA			0x10000000ULL
#define COW_PAGES		2
#define COW_FIRST_PAGE_LEN	8
#define COW_BUF_GPA		(COW_GPA + PAGE_SIZE - COW_FIRST_PAGE_LEN)

static void cow_guest_code(void)
{
	u8 *first = (u8 *)COW_BUF_GPA;

	/* The first page only: the second must stay missing until the call. */
	memset(first, PCM_POISON, COW_FIRST_PAGE_LEN);
	GUEST_SYNC(guest_pcm_hypercall(COW_BUF_GPA));
	GUEST_DONE();
}

struct cow_fault_handler {
	int uffd;
	u8 *first_page;
	u8 *second_page;
	bool faulted;		/* KVM waited for the second page */
	bool forked;
};

/* Serve the one fault of the second page: fork, break COW, then fill it. */
static void *cow_fault_handler(void *arg)
{
	struct cow_fault_handler *h = arg;
	struct pollfd pfd = { .fd = h->uffd, .events = POLLIN };
	struct uffdio_copy copy;
	struct uffd_msg msg;
	static u8 fill[PAGE_SIZE] __aligned(PAGE_SIZE);
	pid_t child;
	int status;

	if (poll(&pfd, 1, PCM_RUN_TIMEOUT_S * 1000) != 1 ||
	    read(h->uffd, &msg, sizeof(msg)) != sizeof(msg) ||
	    msg.event != UFFD_EVENT_PAGEFAULT ||
	    (msg.arg.pagefault.address & ~(PAGE_SIZE - 1)) != (u64)h->second_page)
		return NULL;
	h->faulted = true;

	child = fork();
	TEST_ASSERT(child >= 0, "fork");
	if (!child)
		_exit(0);
	TEST_ASSERT(waitpid(child, &status, 0) == child, "waitpid");
	h->forked = true;
	/* Not in the buffer: only to give the VM its own copy of the page. */
	WRITE_ONCE(h->first_page[0], PCM_POISON ^ 1);

	memset(fill, PCM_POISON, sizeof(fill));
	copy = (struct uffdio_copy){
		.dst = (u64)h->second_page,
		.src = (u64)fill,
		.len = PAGE_SIZE,
	};
	TEST_ASSERT(!ioctl(h->uffd, UFFDIO_COPY, &copy), "UFFDIO_COPY");
	return NULL;
}

static bool test_write_survives_fork(struct pcm_test *unused)
{
	struct cow_fault_handler h = {};
	struct uffdio_register reg;
	struct uffdio_api api = { .api = UFFD_API };
	struct kvm_vcpu *vcpu;
	u8 buf[PCM_INFO_SIZE];
	struct kvm_vm *vm;
	pthread_t thread;
	struct ucall uc;
	bool ok = true;

	vm = vm_create_with_one_vcpu(&vcpu, cow_guest_code);
	vm_userspace_mem_region_add(vm, VM_MEM_SRC_ANONYMOUS, COW_GPA,
				    COW_SLOT, COW_PAGES, 0);
	virt_map(vm, COW_GPA, COW_GPA, COW_PAGES);
	pcm_use_native_hypercall(vm);
	pcm_set_all_counters(vm);

	h.first_page = addr_gpa2hva(vm, COW_GPA);
	h.second_page = addr_gpa2hva(vm, COW_GPA + PAGE_SIZE);
	memset(h.first_page, PCM_POISON, PAGE_SIZE);
	TEST_ASSERT(!madvise(h.second_page, PAGE_SIZE, MADV_DONTNEED), "madvise");

	h.uffd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (h.uffd < 0) {
		ksft_print_msg("userfaultfd: %s\n", strerror(errno));
		kvm_vm_free(vm);
		return false;
	}
	TEST_ASSERT(!ioctl(h.uffd, UFFDIO_API, &api), "UFFDIO_API");
	reg = (struct uffdio_register){
		.range = { .start = (u64)h.second_page, .len = PAGE_SIZE },
		.mode = UFFDIO_REGISTER_MODE_MISSING,
	};
	TEST_ASSERT(!ioctl(h.uffd, UFFDIO_REGISTER, &reg), "UFFDIO_REGISTER");

	pthread_create(&thread, NULL, cow_fault_handler, &h);
	vcpu_run(vcpu);
	pthread_join(thread, NULL);
	close(h.uffd);

	pcm_expect_ucall(vcpu, &uc, UCALL_SYNC);
	if (!h.faulted || !h.forked) {
		ksft_print_msg("KVM did not wait for the second page: no fork in the call\n");
		ok = false;
	}
	ok &= expect_u64("rax", 0, uc.args[1]);
	/* What the guest reads now, through the VM's current mapping. */
	read_guest(vm, COW_BUF_GPA, buf, sizeof(buf));
	ok &= pcm_check_values(buf);

	kvm_vm_free(vm);
	return ok;
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
	{ "efault_host_readonly", test_efault_host_readonly },
	{ "efault_host_unmapped", test_efault_host_unmapped },
	{ "slot_delete_race", test_slot_delete_race },
	{ "write_survives_fork", test_write_survives_fork },
	{ "gpa_overflow", test_gpa_overflow },
};

static void setup_vm(struct pcm_test *t)
{
	const struct test_region *r;
	int i;

	t->vm = vm_create_with_one_vcpu(&t->vcpu, guest_code);
	pcm_init_descriptor_tables(t->vm);

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
	pcm_use_native_hypercall(t->vm);
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
	int i;

	ksft_print_header();
	pcm_require_host();

	setup_vm(&t);

	/* The other cases need the hypercall on; put back as found at exit. */
	pcm_set_param(PCM_PARAM_HYPERCALL, true);
	/*
	 * The cases compare every counter with what debugfs set; KVM's own
	 * counting (each GUEST_SYNC is a port I/O exit) is pcm_events_test's.
	 */
	pcm_set_param(PCM_PARAM_COUNT_EVENTS, false);

	ksft_set_plan(ARRAY_SIZE(test_cases));
	for (i = 0; i < ARRAY_SIZE(test_cases); i++) {
		/* Every case starts from known counters and poisoned memory. */
		pcm_set_all_counters(t.vm);
		poison_guest_memory(&t);
		ksft_test_result(test_cases[i].run(&t), "%s\n", test_cases[i].name);
	}

	stop_guest(&t);
	kvm_vm_free(t.vm);
	ksft_finished();
}
