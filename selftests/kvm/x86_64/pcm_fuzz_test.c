// SPDX-License-Identifier: GPL-2.0-only
/*
 * A hostile guest against the PCM statistics hypercalls, 104
 * (PCM_HC_GET_PCM_INFO) and 105 (PCM_HC_GET_PCM_INFO_SIZED).
 *
 * The guest makes CPL0_BATCHES * CALLS_PER_BATCH hypercalls at CPL 0 and
 * CPL3_BATCHES * CALLS_PER_BATCH at CPL 3, a batch at a time without an
 * exit to userspace: numbers around 104 (104, 105, 88..120, and those with
 * bits above bit 31 set), random arguments, and buffer addresses at any
 * alignment around the edges of the memory map below: RAM, two memslots
 * back to back, a read-only memslot, MMIO, holes, KVM's private memslots,
 * beyond MAXPHYADDR and just below 2^64.
 *
 * For every call the guest works out the result and the bytes the host
 * must write (Documentation/virt/kvm/x86/pcm-hypercall.rst) and checks rax,
 * that rbx, rcx, rdx and rsi are kept, that the written bytes hold the
 * counters and that the bytes around them are still poison; then it
 * poisons the written bytes again.  Between batches the host checks every
 * byte of test memory, every counter and pcm_hypercalls exactly, switches
 * kvm.pcm_hypercall, kvm.pcm_sized_hypercall and kvm.pcm_count_events at
 * random, sets the counters to new random values and moves the vCPU
 * between CPL 0 and CPL 3 (KVM_SET_SREGS while it waits in a ucall).
 *
 * At the end a plain 104 and a plain 105 must still work, and the host
 * kernel log must have no WARN, BUG or oops since the test started.
 *
 * Everything is drawn from one seed, printed first; -s SEED makes the same
 * calls again.
 *
 * Needs root and a KVM built with CONFIG_KVM_PCM; skips otherwise.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/kvm_para.h>
#include <linux/kvm_pcm.h>

#include "test_util.h"
#include "kvm_util.h"
#include "processor.h"
#include "sparsebit.h"
#include "pcm_util.h"

#define CALLS_PER_BATCH		1000
#define CPL0_BATCHES		100
#define CPL3_BATCHES		50

/*
 * Guest physical memory map.  All test memory is poisoned, and mapped in
 * the guest page tables (LOW at LOW_GVA, the rest at gva == gpa) so that
 * the guest can check it, at CPL 3 too.
 *
 *	0x0		LOW	gfns 0 and 1 of memslot 0, never used by the library
 *	0x2000		the rest of memslot 0: never part of a buffer drawn
 *	0x10000000	A	memslot 1, 4 pages
 *	0x10004000	B	memslot 2, 2 pages, right after A
 *	0x10006000	MMIO	no memslot, mapped in the guest page tables
 *	0x10007000	RO	memslot 3, 2 pages, read-only
 *	0x10009000	C	memslot 4, 2 pages, right after RO
 *	0x1000b000	hole	no memslot, not mapped
 */
#define LOW_GPA			0x0ULL
#define LOW_GVA			0x10100000ULL
#define LOW_SIZE		(2 * PAGE_SIZE)
#define A_SLOT			1
#define A_GPA			0x10000000ULL
#define A_SIZE			(4 * PAGE_SIZE)
#define B_SLOT			2
#define B_GPA			(A_GPA + A_SIZE)
#define B_SIZE			(2 * PAGE_SIZE)
#define MMIO_GPA		(B_GPA + B_SIZE)
#define RO_SLOT			3
#define RO_GPA			(MMIO_GPA + PAGE_SIZE)
#define RO_SIZE			(2 * PAGE_SIZE)
#define C_SLOT			4
#define C_GPA			(RO_GPA + RO_SIZE)
#define C_SIZE			(2 * PAGE_SIZE)
#define HOLE_GPA		(C_GPA + C_SIZE)

/* Where the last, plain hypercalls write. */
#define FINAL_GPA		(A_GPA + 0x100)
#define FINAL_SIZED_GPA		(C_GPA + 0x200)

/* Non-PCM hypercall numbers drawn: none of them is a KVM hypercall. */
#define NR_OTHER_FIRST		88
#define NR_OTHER_LAST		120

/* Bytes checked on each side of what a call may write. */
#define GUARD			64

/*
 * The most a call may write: 288 for 104, sizeof(struct kvm_pcm_info) for
 * 105, which only ever grows.
 */
#define MAX_WRITE		PCM_INFO_SIZE
static_assert(PCM_INFO_SIZE >= PCM_HC_GET_PCM_INFO_LEN, "kvm_pcm_info shrank");

struct region {
	const char *name;
	u64 gpa;
	u64 gva;
	u64 size;
	u32 slot;		/* 0: part of the library's memslot 0 */
	bool readonly;
};

static const struct region regions[] = {
	{ "LOW", LOW_GPA, LOW_GVA, LOW_SIZE, 0, false },
	{ "A", A_GPA, A_GPA, A_SIZE, A_SLOT, false },
	{ "B", B_GPA, B_GPA, B_SIZE, B_SLOT, false },
	{ "RO", RO_GPA, RO_GPA, RO_SIZE, RO_SLOT, true },
	{ "C", C_GPA, C_GPA, C_SIZE, C_SLOT, false },
};

/* Buffers are drawn around these, at most a page away. */
static const u64 gpa_bases[] = {
	LOW_GPA,		/* and below it: wraps around 2^64 */
	LOW_GPA + PAGE_SIZE,
	A_GPA, A_GPA + PAGE_SIZE, A_GPA + 3 * PAGE_SIZE,
	B_GPA,			/* memslot A ends, memslot B begins */
	B_GPA + PAGE_SIZE,
	MMIO_GPA,		/* memslot B ends, MMIO begins */
	RO_GPA,			/* MMIO ends, read-only memslot begins */
	RO_GPA + PAGE_SIZE,
	C_GPA,			/* read-only memslot ends, memslot C begins */
	C_GPA + PAGE_SIZE,
	HOLE_GPA,		/* memslot C ends, nothing begins */
	0xc0000000ULL,
	0xfee00000ULL,		/* APIC access page (VMX private memslot) */
	0xfeffc000ULL,		/* identity map (VMX private memslot) */
	0xfeffd000ULL,		/* real mode TSS (VMX private memslot) */
	1ULL << 32,
	1ULL << 40,
	1ULL << 52,		/* above every MAXPHYADDR */
	1ULL << 63,
	-PAGE_SIZE,		/* the last page below 2^64 */
};

/* What the guest expects, to count what was drawn. */
enum fuzz_ret {
	RET_OK,			/* 104 wrote 288 bytes */
	RET_SIZE_WROTE,		/* 105 wrote, returned its size */
	RET_SIZE_ASKED,		/* 105 with size 0 */
	RET_EPERM,
	RET_ENOSYS,
	RET_EOPNOTSUPP,
	RET_EINVAL,
	RET_EFAULT,
	NR_RETS
};

static const char * const ret_names[NR_RETS] = {
	"104 written", "105 written", "105 size only", "EPERM", "ENOSYS",
	"EOPNOTSUPP", "EINVAL", "EFAULT",
};

enum fuzz_fail {
	FAIL_NONE,
	FAIL_CPL,		/* the vCPU is not at the CPL the host set */
	FAIL_RAX,
	FAIL_REG,		/* rbx, rcx, rdx or rsi changed */
	FAIL_WRITTEN,		/* a byte of the buffer is not the counters */
	FAIL_OUTSIDE,		/* a byte around the buffer changed */
};

static const char * const fail_names[] = {
	[FAIL_CPL] = "wrong CPL",
	[FAIL_RAX] = "wrong rax",
	[FAIL_REG] = "an argument register changed",
	[FAIL_WRITTEN] = "wrong byte in the buffer",
	[FAIL_OUTSIDE] = "byte outside the buffer changed",
};

/* What the host asks of the next batch. */
struct fuzz_batch {
	u64 seed;
	u64 ncalls;
	u64 cpl;
	u64 values[KVM_PCM_NR_COUNTERS];	/* the counters as just set */
	bool pcm_on;				/* kvm.pcm_hypercall */
	bool sized_on;				/* kvm.pcm_sized_hypercall */
	bool count_on;				/* kvm.pcm_count_events */
	bool final;		/* instead of fuzzing: one 104, one 105 */
	bool done;
};

/* What the guest did in a batch, and its first failure. */
struct fuzz_result {
	u64 calls;
	u64 pcm_calls;		/* expected move of pcm_hypercalls */
	u64 other_calls;	/* non-PCM numbers: log_ins_vmcall counts them */
	u64 by_ret[NR_RETS];
	u64 partial_writes;	/* 105 with a size below the host's */
	u64 page_straddles;	/* written across a page boundary */
	u64 slot_straddles;	/* written across the end of memslot A */

	u32 fail;
	u64 call, nr, args[4];
	u64 expected, got;
	u64 where;		/* the gpa of the byte, or the register */
	u64 final_rax[2];
};

/* Set by the host. */
static bool guest_use_vmmcall;
static struct fuzz_batch guest_batch;

/* Read by the host. */
static struct fuzz_result guest_result;

/* splitmix64: random numbers of the guest and of the host. */
static u64 rnd(u64 *state)
{
	u64 z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* The vendor's own instruction: KVM never rewrites guest code. */
static u64 guest_hypercall(u64 nr, const u64 *args, u64 *regs)
{
	u64 rax = nr, rbx = args[0], rcx = args[1], rdx = args[2], rsi = args[3];

	if (guest_use_vmmcall)
		asm volatile("vmmcall"
			     : "+a"(rax), "+b"(rbx), "+c"(rcx), "+d"(rdx), "+S"(rsi)
			     : : "memory");
	else
		asm volatile("vmcall"
			     : "+a"(rax), "+b"(rbx), "+c"(rcx), "+d"(rdx), "+S"(rsi)
			     : : "memory");
	regs[0] = rbx;
	regs[1] = rcx;
	regs[2] = rdx;
	regs[3] = rsi;
	return rax;
}

static u64 guest_cpl(void)
{
	u16 cs;

	asm volatile("mov %%cs, %0" : "=r"(cs));
	return cs & 3;
}

static const struct region *find_region(u64 gpa)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(regions); i++)
		if (gpa >= regions[i].gpa && gpa - regions[i].gpa < regions[i].size)
			return &regions[i];
	return NULL;
}

/*
 * Whether all of [@gpa, @gpa + @len) is writable RAM.  Regions back to back
 * count as one; the rest of memslot 0 never comes up (see draw_gpa()).
 */
static bool is_writable_ram(u64 gpa, u64 len)
{
	const struct region *r;
	u64 end = gpa + len;

	if (end < gpa)
		return false;
	while (gpa < end) {
		r = find_region(gpa);
		if (!r || r->readonly)
			return false;
		gpa = r->gpa + r->size;
	}
	return true;
}

static u64 draw_offset(u64 *rng)
{
	u64 r = rnd(rng);

	switch (r % 4) {
	case 0:		/* within a buffer's length either side, any alignment */
	case 1:
		return (r >> 8) % (2 * MAX_WRITE + 1) - MAX_WRITE;
	case 2:		/* the same, 8-byte aligned */
		return ((r >> 8) % (2 * MAX_WRITE / 8 + 1)) * 8 - MAX_WRITE;
	default:	/* anywhere in the page */
		return (r >> 8) % PAGE_SIZE;
	}
}

/*
 * A buffer address.  Never one whose buffer may overlap memslot 0 beyond
 * LOW: that is the guest's own code, stack and page tables.
 */
static u64 draw_gpa(u64 *rng)
{
	u64 r, gpa;

	for (;;) {
		r = rnd(rng);
		switch (r % 16) {
		case 0:
			gpa = rnd(rng);
			break;
		case 1:
			gpa = A_GPA + (r >> 8) % (HOLE_GPA + PAGE_SIZE - A_GPA);
			break;
		default:
			gpa = gpa_bases[(r >> 8) % ARRAY_SIZE(gpa_bases)] + draw_offset(rng);
			break;
		}
		if (gpa >= A_GPA || gpa + MAX_WRITE <= LOW_GPA + LOW_SIZE)
			return gpa;
	}
}

static u64 draw_size(u64 *rng)
{
	u64 r = rnd(rng);

	switch (r % 10) {
	case 0:
		return 0;
	case 1:
		return PCM_INFO_SIZE;
	case 2:
	case 3:
	case 4:		/* 8 up to the host's size */
		return ((r >> 8) % (PCM_INFO_SIZE / 8) + 1) * 8;
	case 5:		/* more than the host's size */
		return PCM_INFO_SIZE + ((r >> 8) % 512 + 1) * 8;
	case 6:
		return rnd(rng) & ~7ULL;
	case 7:
	case 8:		/* small, mostly not a multiple of 8 */
		return (r >> 8) % (PCM_INFO_SIZE + 16);
	default:
		return rnd(rng);
	}
}

static u64 draw_nr(u64 *rng)
{
	u64 r = rnd(rng), nr;

	switch (r % 20) {
	case 0 ... 6:
		return PCM_HC_GET_PCM_INFO;
	case 7 ... 13:
		return PCM_HC_GET_PCM_INFO_SIZED;
	case 14 ... 17:
		return NR_OTHER_FIRST + (r >> 8) % (NR_OTHER_LAST - NR_OTHER_FIRST + 1);
	default:	/* in 64-bit mode the upper half of rax counts */
		nr = (r >> 8) % 2 ? PCM_HC_GET_PCM_INFO : PCM_HC_GET_PCM_INFO_SIZED;
		return nr | (rnd(rng) & ~0xffffffffULL) | (1ULL << 32);
	}
}

/*
 * The result of hypercall @nr with @args at the batch's CPL and switches;
 * @wlen gets how many bytes it writes at args[0] and @counted whether
 * pcm_hypercalls counts it.
 */
static u64 expect(u64 nr, const u64 *args, u64 *wlen, bool *counted,
		  enum fuzz_ret *kind)
{
	const struct fuzz_batch *b = &guest_batch;
	u64 len;

	*wlen = 0;
	*counted = false;
	*kind = RET_ENOSYS;
	if (b->cpl) {
		*kind = RET_EPERM;
		return -KVM_EPERM;
	}
	if (nr == PCM_HC_GET_PCM_INFO) {
		*counted = true;
		if (!b->pcm_on)
			return -KVM_ENOSYS;
		if (!is_writable_ram(args[0], PCM_HC_GET_PCM_INFO_LEN)) {
			*kind = RET_EFAULT;
			return -KVM_EFAULT;
		}
		*kind = RET_OK;
		*wlen = PCM_HC_GET_PCM_INFO_LEN;
		return 0;
	}
	if (nr != PCM_HC_GET_PCM_INFO_SIZED || !b->sized_on)
		return -KVM_ENOSYS;

	*counted = true;
	if (!b->pcm_on) {
		*kind = RET_EOPNOTSUPP;
		return -KVM_EOPNOTSUPP;
	}
	if (args[1] % 8) {
		*kind = RET_EINVAL;
		return -KVM_EINVAL;
	}
	if (!args[1]) {
		*kind = RET_SIZE_ASKED;
		return PCM_INFO_SIZE;
	}
	len = args[1] < PCM_INFO_SIZE ? args[1] : PCM_INFO_SIZE;
	if (!is_writable_ram(args[0], len)) {
		*kind = RET_EFAULT;
		return -KVM_EFAULT;
	}
	*kind = RET_SIZE_WROTE;
	*wlen = len;
	return PCM_INFO_SIZE;
}

static bool guest_fail(enum fuzz_fail fail, u64 expected, u64 got, u64 where)
{
	guest_result.fail = fail;
	guest_result.expected = expected;
	guest_result.got = got;
	guest_result.where = where;
	return false;
}

/*
 * Check the bytes of test memory in [@first, @last] (no wrap): those in
 * [@gpa, @gpa + @wlen) must be @image, the others poison.
 */
static bool check_range(u64 first, u64 last, u64 gpa, u64 wlen, const u8 *image)
{
	const struct region *r;
	u64 lo, hi, a, off;
	u8 want, got;
	int i;

	for (i = 0; i < ARRAY_SIZE(regions); i++) {
		r = &regions[i];
		lo = first > r->gpa ? first : r->gpa;
		hi = last < r->gpa + r->size - 1 ? last : r->gpa + r->size - 1;
		for (a = lo; a <= hi && lo <= hi; a++) {
			off = a - gpa;
			want = off < wlen ? image[off] : PCM_POISON;
			got = READ_ONCE(*(u8 *)(r->gva + (a - r->gpa)));
			if (got != want)
				return guest_fail(off < wlen ? FAIL_WRITTEN : FAIL_OUTSIDE,
						  want, got, a);
		}
	}
	return true;
}

/* Check around the buffer at @gpa, then poison what was written again. */
static bool check_and_repoison(u64 gpa, u64 wlen, const u8 *image)
{
	u64 first = gpa - GUARD, last = gpa + MAX_WRITE + GUARD - 1;
	const struct region *r;
	u64 a;

	if (first <= last) {
		if (!check_range(first, last, gpa, wlen, image))
			return false;
	} else if (!check_range(first, ~0ULL, gpa, wlen, image) ||
		   !check_range(0, last, gpa, wlen, image)) {
		return false;
	}

	/* Only ever in writable regions, so no wrap and no MMIO exit. */
	for (a = gpa; a < gpa + wlen; a++) {
		r = find_region(a);
		WRITE_ONCE(*(u8 *)(r->gva + (a - r->gpa)), PCM_POISON);
	}
	return true;
}

static void count_write(u64 gpa, u64 wlen)
{
	struct fuzz_result *res = &guest_result;
	u64 last = gpa + wlen - 1;

	if (wlen < PCM_HC_GET_PCM_INFO_LEN)
		res->partial_writes++;
	if ((gpa ^ last) / PAGE_SIZE)
		res->page_straddles++;
	if (gpa < B_GPA && last >= B_GPA)
		res->slot_straddles++;
}

/*
 * One hypercall, drawn from @rng, and its checks.  @image holds the
 * counters the host must write; log_ins_vmcall moves with every non-PCM
 * call while KVM counts events.
 */
static bool guest_one_call(u64 *rng, u64 *image)
{
	struct fuzz_result *res = &guest_result;
	u64 nr, args[4], regs[4], ret, want, wlen;
	enum fuzz_ret kind;
	bool counted;
	int i;

	nr = draw_nr(rng);
	args[0] = draw_gpa(rng);
	args[1] = (nr == PCM_HC_GET_PCM_INFO_SIZED || rnd(rng) % 2) ?
		  draw_size(rng) : rnd(rng);
	args[2] = rnd(rng);
	args[3] = rnd(rng);

	res->nr = nr;
	memcpy(res->args, args, sizeof(args));

	want = expect(nr, args, &wlen, &counted, &kind);
	ret = guest_hypercall(nr, args, regs);

	res->calls++;
	res->by_ret[kind]++;
	res->pcm_calls += counted;
	if (nr != PCM_HC_GET_PCM_INFO && nr != PCM_HC_GET_PCM_INFO_SIZED) {
		res->other_calls++;
		if (guest_batch.count_on)
			image[KVM_PCM_event_log_ins_vmcall]++;
	}
	if (wlen)
		count_write(args[0], wlen);

	if (ret != want)
		return guest_fail(FAIL_RAX, want, ret, 0);
	for (i = 0; i < ARRAY_SIZE(regs); i++)
		if (regs[i] != args[i])
			return guest_fail(FAIL_REG, args[i], regs[i], i);
	return check_and_repoison(args[0], wlen, (const u8 *)image);
}

static void guest_fuzz(void)
{
	u64 image[KVM_PCM_NR_COUNTERS], rng = guest_batch.seed;

	memset(&guest_result, 0, sizeof(guest_result));
	memcpy(image, guest_batch.values, sizeof(image));

	if (guest_cpl() != guest_batch.cpl) {
		guest_fail(FAIL_CPL, guest_batch.cpl, guest_cpl(), 0);
		return;
	}
	for (guest_result.call = 0; guest_result.call < guest_batch.ncalls;
	     guest_result.call++)
		if (!guest_one_call(&rng, image))
			return;
}

/* The calls a guest driver makes, the host checks the result. */
static void guest_final(void)
{
	u64 args[4] = { FINAL_GPA }, regs[4];

	guest_result.final_rax[0] = guest_hypercall(PCM_HC_GET_PCM_INFO, args, regs);
	args[0] = FINAL_SIZED_GPA;
	args[1] = PCM_INFO_SIZE;
	guest_result.final_rax[1] = guest_hypercall(PCM_HC_GET_PCM_INFO_SIZED,
						    args, regs);
}

/*
 * The library starts the guest with rsp a multiple of 16, where the ABI
 * wants rsp + 8 one; the compiler moves 16-byte stack slots with movdqa,
 * which raises #GP on a misaligned stack.  So realign it here.
 */
static void __attribute__((force_align_arg_pointer)) guest_code(void)
{
	while (!READ_ONCE(guest_batch.done)) {
		if (guest_batch.final)
			guest_final();
		else
			guest_fuzz();
		GUEST_SYNC(0);
	}
	GUEST_DONE();
}

struct fuzz {
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpu;
	struct kvm_sregs kernel_sregs;	/* CPL 0, as the library set it up */
	u64 seed, rng;
	u64 cpl;
	bool pcm_on, sized_on, count_on;	/* the switches as set now */

	/* Per CPL: what the guest did, how many batches passed. */
	struct fuzz_result total[2];
	int batches_done[2];
	bool guest_failed[2];
	bool memory_ok, counters_ok;
};

static void require_param(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", PCM_PARAM_DIR, name);
	if (access(path, F_OK))
		ksft_exit_skip("no %s: a host without it\n", path);
}

static void set_switch(const char *name, bool *now, bool on)
{
	if (*now == on)
		return;
	pcm_set_param(name, on);
	*now = on;
}

/* The library makes only what it maps with vm_vaddr_alloc() known. */
static void make_all_user_accessible(struct kvm_vm *vm)
{
	sparsebit_idx_t pg;
	u64 a;
	int i;

	pg = sparsebit_first_set(vm->vpages_mapped);
	do {
		pcm_make_user_accessible(vm, pg << vm->page_shift);
		pg = sparsebit_next_set(vm->vpages_mapped, pg);
	} while (pg);

	for (i = 0; i < ARRAY_SIZE(regions); i++)
		for (a = 0; a < regions[i].size; a += PAGE_SIZE)
			pcm_make_user_accessible(vm, regions[i].gva + a);
}

static void assert_no_memslot(struct kvm_vm *vm, u64 first, u64 last)
{
	TEST_ASSERT(!pcm_memslot_find(vm, first, last),
		    "test bug: a memslot in [%#lx, %#lx]", first, last);
}

static void setup_vm(struct fuzz *f)
{
	const struct region *r;
	u64 slot0_end;
	int i;

	f->vm = vm_create_with_one_vcpu(&f->vcpu, guest_code);
	pcm_init_descriptor_tables(f->vm);

	slot0_end = memslot2region(f->vm, 0)->region.guest_phys_addr +
		    memslot2region(f->vm, 0)->region.memory_size;
	TEST_ASSERT(slot0_end <= A_GPA, "memslot 0 ends at %#lx, above %#llx",
		    slot0_end, A_GPA);

	for (i = 0; i < ARRAY_SIZE(regions); i++) {
		r = &regions[i];
		if (r->slot)
			vm_userspace_mem_region_add(f->vm, VM_MEM_SRC_ANONYMOUS,
						    r->gpa, r->slot,
						    r->size / PAGE_SIZE,
						    r->readonly ? KVM_MEM_READONLY : 0);
		virt_map(f->vm, r->gva, r->gpa, r->size / PAGE_SIZE);
		memset(addr_gpa2hva(f->vm, r->gpa), PCM_POISON, r->size);
	}
	virt_pg_map(f->vm, MMIO_GPA, MMIO_GPA);

	/* The holes must be holes, whatever the library does. */
	assert_no_memslot(f->vm, slot0_end, A_GPA - 1);
	assert_no_memslot(f->vm, MMIO_GPA, RO_GPA - 1);
	assert_no_memslot(f->vm, HOLE_GPA, ~0ULL);

	make_all_user_accessible(f->vm);
	vcpu_sregs_get(f->vcpu, &f->kernel_sregs);

	/* KVM on SVM hosts (kvm_amd) takes vmmcall, on VMX hosts vmcall. */
	guest_use_vmmcall = this_cpu_has(X86_FEATURE_SVM);
	sync_global_to_guest(f->vm, guest_use_vmmcall);
}

/* Between runs, the vCPU waits in a ucall; only the CPL changes. */
static void set_cpl(struct fuzz *f, u64 cpl)
{
	struct kvm_regs regs;

	if (cpl == f->cpl)
		return;
	if (cpl) {
		vcpu_regs_get(f->vcpu, &regs);
		pcm_vcpu_set_cpl3(f->vcpu, regs.rip, regs.rax, regs.rbx);
	} else {
		vcpu_sregs_set(f->vcpu, &f->kernel_sregs);
	}
	f->cpl = cpl;
}

/* Run the guest to its next ucall: UCALL_SYNC, UCALL_DONE, or UCALL_NONE (said why). */
static u64 run_guest(struct fuzz *f, struct fuzz_batch *b)
{
	struct ucall uc;

	guest_batch = *b;
	sync_global_to_guest(f->vm, guest_batch);
	if (!pcm_run_vcpu(f->vcpu))
		return UCALL_NONE;

	switch (get_ucall(f->vcpu, &uc)) {
	case UCALL_SYNC:
		sync_global_from_guest(f->vm, guest_result);
		return UCALL_SYNC;
	case UCALL_DONE:
		return UCALL_DONE;
	case UCALL_ABORT:
		REPORT_GUEST_ASSERT(uc);
		break;
	case UCALL_UNHANDLED:
		assert_on_unhandled_exception(f->vcpu);
		break;
	}
	ksft_print_msg("expected a ucall, got exit %u (%s)\n",
		       f->vcpu->run->exit_reason,
		       exit_reason_str(f->vcpu->run->exit_reason));
	return UCALL_NONE;
}

/* Every byte of test memory is poison, but [@gpa[i], @gpa[i] + @len[i]). */
static bool check_memory(struct fuzz *f, const u64 *gpa, const u64 *len, int n)
{
	const struct region *r;
	int i, j, bad = 0;
	bool skip;
	u64 a;
	u8 *p;

	for (i = 0; i < ARRAY_SIZE(regions); i++) {
		r = &regions[i];
		p = addr_gpa2hva(f->vm, r->gpa);
		for (a = r->gpa; a < r->gpa + r->size; a++, p++) {
			if (*p == PCM_POISON)
				continue;
			for (skip = false, j = 0; j < n; j++)
				skip |= a >= gpa[j] && a - gpa[j] < len[j];
			if (skip)
				continue;
			if (bad++ < 8)
				ksft_print_msg("byte at gpa %#lx (%s): expected %#x, got %#x\n",
					       a, r->name, PCM_POISON, *p);
		}
	}
	if (bad)
		ksft_print_msg("%d bytes of guest memory changed\n", bad);
	return !bad;
}

/*
 * After a batch, every counter holds what was set, but for what KVM counted
 * itself: one IN per GUEST_SYNC and the non-PCM hypercalls.  The vCPU
 * thread is pinned, so evt_switch_exec_cpu stays.
 */
static bool check_counters(struct fuzz *f, const struct fuzz_batch *b,
			   const struct fuzz_result *res)
{
	char what[128];
	bool ok = true;
	u64 want;
	int i;

	for (i = 0; i < KVM_PCM_NR_COUNTERS; i++) {
		want = b->values[i];
		if (b->count_on && i == KVM_PCM_event_log_ins_vmcall)
			want += res->other_calls;
		if (b->count_on && i == KVM_PCM_event_log_ins_exec_pio_in)
			want += 1;
		snprintf(what, sizeof(what), "debugfs %s.%s", pcm_counters[i].group,
			 pcm_counters[i].field);
		ok &= expect_u64(what, want, pcm_get_counter(f->vm, i));
	}
	return ok;
}

static void print_guest_failure(struct fuzz *f, const struct fuzz_batch *b,
				const struct fuzz_result *res, int index)
{
	ksft_print_msg("batch %d (from 1), call %lu (from 0): %s\n", index + 1,
		       res->call, fail_names[res->fail]);
	ksft_print_msg("CPL %lu, pcm_hypercall=%c pcm_sized_hypercall=%c pcm_count_events=%c\n",
		       b->cpl, b->pcm_on ? 'Y' : 'N', b->sized_on ? 'Y' : 'N',
		       b->count_on ? 'Y' : 'N');
	if (res->fail == FAIL_CPL) {
		ksft_print_msg("expected CPL %lu, got %lu\n", res->expected, res->got);
		return;
	}
	ksft_print_msg("rax %#lx rbx %#lx rcx %#lx rdx %#lx rsi %#lx\n",
		       res->nr, res->args[0], res->args[1], res->args[2], res->args[3]);
	switch (res->fail) {
	case FAIL_RAX:
		expect_u64("rax", res->expected, res->got);
		break;
	case FAIL_REG:
		ksft_print_msg("argument %lu: expected %#lx, got %#lx\n",
			       res->where, res->expected, res->got);
		break;
	default:
		ksft_print_msg("byte at gpa %#lx (buffer offset %ld): expected %#lx, got %#lx\n",
			       res->where, (s64)(res->where - res->args[0]),
			       res->expected, res->got);
	}
}

static void add_totals(struct fuzz_result *t, const struct fuzz_result *res)
{
	int i;

	t->calls += res->calls;
	t->pcm_calls += res->pcm_calls;
	t->other_calls += res->other_calls;
	for (i = 0; i < NR_RETS; i++)
		t->by_ret[i] += res->by_ret[i];
	t->partial_writes += res->partial_writes;
	t->page_straddles += res->page_straddles;
	t->slot_straddles += res->slot_straddles;
}

/* One batch at @cpl with random switches and counters; false to stop. */
static bool fuzz_batch(struct fuzz *f, int index, u64 cpl)
{
	struct fuzz_result *res = &guest_result;
	struct fuzz_batch b = {
		.ncalls = CALLS_PER_BATCH,
		.cpl = cpl,
	};
	u64 calls;
	int i;

	b.seed = rnd(&f->rng);
	b.pcm_on = rnd(&f->rng) % 4 != 0;
	b.sized_on = rnd(&f->rng) % 4 != 0;
	b.count_on = rnd(&f->rng) % 2;
	set_switch(PCM_PARAM_HYPERCALL, &f->pcm_on, b.pcm_on);
	set_switch(PCM_PARAM_SIZED_HYPERCALL, &f->sized_on, b.sized_on);
	set_switch(PCM_PARAM_COUNT_EVENTS, &f->count_on, b.count_on);
	for (i = 0; i < KVM_PCM_NR_COUNTERS; i++) {
		b.values[i] = rnd(&f->rng);
		pcm_set_counter(f->vm, i, b.values[i]);
	}
	set_cpl(f, cpl);

	calls = pcm_get_hypercalls(f->vm);
	if (run_guest(f, &b) != UCALL_SYNC) {
		f->guest_failed[!!cpl] = true;
		return false;
	}
	calls = pcm_get_hypercalls(f->vm) - calls;

	add_totals(&f->total[!!cpl], res);
	if (res->fail) {
		print_guest_failure(f, &b, res, index);
		f->guest_failed[!!cpl] = true;
		return false;
	}
	f->batches_done[!!cpl]++;

	if (!expect_u64("pcm_hypercalls delta", res->pcm_calls, calls) ||
	    !check_counters(f, &b, res)) {
		ksft_print_msg("after batch %d (from 1, CPL %lu)\n", index + 1, cpl);
		f->counters_ok = false;
		return false;
	}
	if (!check_memory(f, NULL, NULL, 0)) {
		ksft_print_msg("after batch %d (from 1, CPL %lu)\n", index + 1, cpl);
		f->memory_ok = false;
		return false;
	}
	return true;
}

/* CPL 0 and CPL 3 batches in random order; stops at the first failure. */
static void fuzz(struct fuzz *f)
{
	int left[2] = { CPL0_BATCHES, CPL3_BATCHES }, index = 0;
	struct timespec start, end;
	u64 cpl;

	clock_gettime(CLOCK_MONOTONIC, &start);
	while (left[0] + left[1]) {
		cpl = rnd(&f->rng) % (left[0] + left[1]) < left[1] ? 3 : 0;
		left[!!cpl]--;
		if (!fuzz_batch(f, index++, cpl))
			break;
	}
	clock_gettime(CLOCK_MONOTONIC, &end);
	ksft_print_msg("%d batches of %d calls in %.1f s\n", index, CALLS_PER_BATCH,
		       end.tv_sec - start.tv_sec + (end.tv_nsec - start.tv_nsec) / 1e9);
}

static void print_totals(const struct fuzz_result *t, int cpl)
{
	int i;

	ksft_print_msg("CPL %d: %lu calls, %lu of them non-PCM numbers, %lu in pcm_hypercalls\n",
		       cpl, t->calls, t->other_calls, t->pcm_calls);
	for (i = 0; i < NR_RETS; i++)
		if (t->by_ret[i])
			ksft_print_msg("CPL %d:   %-14s %lu\n", cpl, ret_names[i], t->by_ret[i]);
	if (!cpl)
		ksft_print_msg("CPL 0: %lu partial writes, %lu across pages, %lu across memslots\n",
			       t->partial_writes, t->page_straddles, t->slot_straddles);
}

static void report_fuzz(struct fuzz *f, int cpl, int batches)
{
	int i = !!cpl;

	if (f->batches_done[i] == batches)
		ksft_test_result_pass("fuzz_cpl%d: %d hypercalls\n", cpl,
				      batches * CALLS_PER_BATCH);
	else if (f->guest_failed[i])
		ksft_test_result_fail("fuzz_cpl%d: failed in its batch %d of %d (seed %#lx)\n",
				      cpl, f->batches_done[i] + 1, batches, f->seed);
	else
		ksft_test_result_skip("fuzz_cpl%d: stopped after %d of %d batches\n",
				      cpl, f->batches_done[i], batches);
}

/* After the fuzz, with everything on: a 104 and a 105 as a driver makes them. */
static bool final_calls(struct fuzz *f)
{
	static const u64 gpa[2] = { FINAL_GPA, FINAL_SIZED_GPA };
	static const u64 len[2] = { PCM_HC_GET_PCM_INFO_LEN, PCM_INFO_SIZE };
	struct fuzz_batch b = { .final = true };
	bool ok = true;
	u64 calls;
	int i;

	for (i = 0; i < ARRAY_SIZE(regions); i++)
		memset(addr_gpa2hva(f->vm, regions[i].gpa), PCM_POISON, regions[i].size);
	set_switch(PCM_PARAM_HYPERCALL, &f->pcm_on, true);
	set_switch(PCM_PARAM_SIZED_HYPERCALL, &f->sized_on, true);
	set_switch(PCM_PARAM_COUNT_EVENTS, &f->count_on, false);
	pcm_set_all_counters(f->vm);
	set_cpl(f, 0);

	calls = pcm_get_hypercalls(f->vm);
	if (run_guest(f, &b) != UCALL_SYNC)
		return false;
	ok &= expect_u64("104: rax", 0, guest_result.final_rax[0]);
	ok &= expect_u64("105: rax", PCM_INFO_SIZE, guest_result.final_rax[1]);
	ok &= expect_u64("pcm_hypercalls delta", 2, pcm_get_hypercalls(f->vm) - calls);
	for (i = 0; i < 2; i++)
		ok &= pcm_check_values(addr_gpa2hva(f->vm, gpa[i]));
	ok &= check_memory(f, gpa, len, 2);
	ok &= pcm_check_all_counters(f->vm);
	return ok;
}

static void stop_guest(struct fuzz *f)
{
	struct fuzz_batch b = { .done = true };

	set_cpl(f, 0);
	TEST_ASSERT(run_guest(f, &b) == UCALL_DONE, "the guest did not stop");
}

static const char * const bad_log_words[] = {
	"WARNING:", "BUG", "Oops", "general protection", "Call Trace", "UBSAN:",
};

/* Whether @word stands in @msg on its own: "DEBUG" has no "BUG". */
static bool has_word(const char *msg, const char *word)
{
	size_t n = strlen(word);
	const char *p;

	for (p = strstr(msg, word); p; p = strstr(p + 1, word))
		if ((p == msg || !isalnum((unsigned char)p[-1])) && !isalnum((unsigned char)p[n]))
			return true;
	return false;
}

/* /dev/kmsg, at its end: what is read later is what the kernel logged since. */
static int kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);

	if (fd < 0)
		ksft_print_msg("open(/dev/kmsg): %s\n", strerror(errno));
	else if (lseek(fd, 0, SEEK_END) < 0)
		ksft_print_msg("lseek(/dev/kmsg, SEEK_END): %s\n", strerror(errno));
	return fd;
}

/* Whether nothing the kernel logged since kmsg_open() is a WARN, BUG or oops. */
static bool kmsg_clean(int fd)
{
	char rec[8192], *msg, *nl;
	bool ok = fd >= 0;
	int i, lines = 0;
	ssize_t n;

	while (fd >= 0) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EAGAIN)
			break;
		if (n < 0 && errno == EPIPE) {
			ksft_print_msg("host kernel log: records were lost\n");
			ok = false;
			continue;
		}
		if (n < 0) {
			ksft_print_msg("read(/dev/kmsg): %s\n", strerror(errno));
			ok = false;
			break;
		}
		rec[n] = '\0';
		/* "<prio>,<seq>,<time>,<flags>;<message>\n" then " KEY=value" lines */
		msg = strchr(rec, ';');
		msg = msg ? msg + 1 : rec;
		nl = strchr(msg, '\n');
		if (nl)
			*nl = '\0';
		lines++;
		ksft_print_msg("host kernel log: %s\n", msg);
		for (i = 0; i < ARRAY_SIZE(bad_log_words); i++) {
			if (!has_word(msg, bad_log_words[i]))
				continue;
			ksft_print_msg("^ has \"%s\"\n", bad_log_words[i]);
			ok = false;
			break;
		}
	}
	ksft_print_msg("host kernel log: %d lines since the start\n", lines);
	return ok;
}

static void __noreturn bad_args(const char *prog)
{
	printf("usage: %s [-s SEED]\n", prog);
	exit(KSFT_FAIL);
}

int main(int argc, char *argv[])
{
	struct fuzz f = { .memory_ok = true, .counters_ok = true };
	bool seed_given = false;
	char *end;
	int opt, kmsg_fd;

	while ((opt = getopt(argc, argv, "s:h")) != -1) {
		if (opt != 's')
			bad_args(argv[0]);
		errno = 0;
		f.seed = strtoull(optarg, &end, 0);
		if (errno || end == optarg || *end)
			bad_args(argv[0]);
		seed_given = true;
	}
	if (!seed_given)
		f.seed = (u64)time(NULL) * 1000003 ^ getpid();
	f.rng = f.seed;

	ksft_print_header();
	pcm_require_host();
	require_param(PCM_PARAM_SIZED_HYPERCALL);
	require_param(PCM_PARAM_COUNT_EVENTS);
	ksft_set_plan(6);
	ksft_print_msg("seed %#lx (run again with -s %#lx)\n", f.seed, f.seed);

	kmsg_fd = kmsg_open();
	pcm_pin_self(sched_getcpu());
	setup_vm(&f);

	/* Known switches to start with; the library puts them back at exit. */
	pcm_set_param(PCM_PARAM_HYPERCALL, true);
	pcm_set_param(PCM_PARAM_SIZED_HYPERCALL, true);
	pcm_set_param(PCM_PARAM_COUNT_EVENTS, true);
	f.pcm_on = true;
	f.sized_on = true;
	f.count_on = true;

	fuzz(&f);
	print_totals(&f.total[0], 0);
	print_totals(&f.total[1], 3);
	report_fuzz(&f, 0, CPL0_BATCHES);
	report_fuzz(&f, 3, CPL3_BATCHES);
	ksft_test_result(f.memory_ok,
			 "memory: test memory outside the buffers unchanged after every batch\n");
	ksft_test_result(f.counters_ok,
			 "counters: pcm_hypercalls and every counter exact after every batch\n");

	ksft_test_result(final_calls(&f), "final: 104 and 105 still served correctly\n");
	stop_guest(&f);
	kvm_vm_free(f.vm);

	ksft_test_result(kmsg_clean(kmsg_fd),
			 "kernel_log: no WARN, BUG or oops in the host kernel log\n");
	ksft_finished();
}
