// SPDX-License-Identifier: GPL-2.0-only
/*
 * The PCM events KVM counts itself, counted exactly.
 *
 * For each KVM-counted event the guest performs it N times, and all 36
 * counters of the VM must move by exactly what the guest did plus what the
 * harness causes: one IN to UCALL_PIO_PORT per GUEST_SYNC, and one vCPU
 * switch whenever a vCPU is loaded on another physical CPU than the one it
 * was last loaded on.  Every other counter must stay where it was.  Then:
 * counting switched off, a debugfs write over counted events, several
 * vCPUs at once, and two VMs at once, each of which sees only its own
 * counters, with the host's global view their sum.
 *
 * All vCPU threads are pinned, so the switches are known in advance.
 *
 * Needs root and a KVM built with CONFIG_KVM_PCM; skips otherwise.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/kvm_para.h>

#include "apic.h"
#include "kvm_util.h"
#include "pcm_util.h"
#include "processor.h"
#include "test_util.h"

/* How often the guest performs each event. */
#define N			1000

/* A port no device claims: every access exits to this test. */
#define TEST_PORT		0x80
/* Elements per REP INS/OUTS: fewer than 1024, so one intercept each. */
#define STRING_COUNT		4

/* Mapped in the guest page tables but in no memslot: MMIO. */
#define MMIO_GPA		0x10000000ULL

/* An MSR KVM always intercepts; written back with the value read. */
#define TEST_MSR		MSR_IA32_MISC_ENABLE

#define IPI_VECTOR		0x40
#define RDPMC_INSN_SIZE		2

#define NR_VCPUS		4

#define EV(field)		KVM_PCM_event_##field

enum guest_op {
	OP_SYNC,		/* nothing but the GUEST_SYNC */
	OP_PIO_IN,
	OP_PIO_OUT,
	OP_PIO_INS,
	OP_PIO_OUTS,
	OP_MMIO_READ,
	OP_MMIO_WRITE,
	OP_CPUID,
	OP_RDMSR,
	OP_WRMSR,
	OP_VMCALL,
	OP_PCM_HYPERCALL,
	OP_RDPMC,
	OP_SELF_IPI,
	OP_CPUID_THEN_READ,	/* CPUIDs, then the counters into the buffer */
};

/* Set by the host before a run; shared by every vCPU of a VM. */
static enum guest_op guest_op;
static u64 guest_n;
static u64 guest_buf_gpa;

/* Counted by the guest: how often its IPI handler ran, and wrote an EOI. */
static u64 guest_ipis_handled;

/* Without a vPMU, RDPMC faults; KVM has intercepted it all the same. */
static void guest_gp_handler(struct ex_regs *regs)
{
	regs->rip += RDPMC_INSN_SIZE;
}

/*
 * One EOI write per run of the handler, which is not always one per IPI:
 * QEMU's TCG (the test bed's emulated SVM) delivers an interrupt that KVM
 * injects with VMRUN a second time if its vCPU thread is kicked before the
 * guest's next VM exit.  KVM injected, and counts, one interrupt; the guest
 * wrote two EOIs, and KVM counts both WRMSRs.
 */
static void guest_ipi_handler(struct ex_regs *regs)
{
	guest_ipis_handled++;
	x2apic_write_reg(APIC_EOI, 0);
}

static void guest_do_one(enum guest_op op, u32 apic_id, u64 msr_value)
{
	u32 eax = 0, ebx, ecx = 0, edx;
	u8 string[STRING_COUNT];
	u64 rdi, rsi, rcx;

	switch (op) {
	case OP_SYNC:
		break;
	case OP_PIO_IN:
		asm volatile("inb %w1, %b0" : "=a"(eax) : "d"(TEST_PORT));
		break;
	case OP_PIO_OUT:
		asm volatile("outb %b0, %w1" : : "a"(0), "d"(TEST_PORT));
		break;
	case OP_PIO_INS:
		rdi = (u64)string;
		rcx = STRING_COUNT;
		asm volatile("rep insb"
			     : "+D"(rdi), "+c"(rcx) : "d"(TEST_PORT) : "memory");
		break;
	case OP_PIO_OUTS:
		memset(string, 0, sizeof(string));
		rsi = (u64)string;
		rcx = STRING_COUNT;
		asm volatile("rep outsb"
			     : "+S"(rsi), "+c"(rcx) : "d"(TEST_PORT) : "memory");
		break;
	case OP_MMIO_READ:
		(void)READ_ONCE(*(u64 *)MMIO_GPA);
		break;
	case OP_MMIO_WRITE:
		WRITE_ONCE(*(u64 *)MMIO_GPA, 0);
		break;
	case OP_CPUID:
	case OP_CPUID_THEN_READ:
		asm volatile("cpuid"
			     : "+a"(eax), "=b"(ebx), "+c"(ecx), "=d"(edx));
		break;
	case OP_RDMSR:
		(void)rdmsr(TEST_MSR);
		break;
	case OP_WRMSR:
		wrmsr(TEST_MSR, msr_value);
		break;
	case OP_VMCALL:
		__GUEST_ASSERT(!pcm_guest_hypercall(KVM_HC_VAPIC_POLL_IRQ, 0),
			       "hypercall %lu", (u64)KVM_HC_VAPIC_POLL_IRQ);
		break;
	case OP_PCM_HYPERCALL:
		__GUEST_ASSERT(!pcm_guest_hypercall(PCM_HC_GET_PCM_INFO,
						    guest_buf_gpa),
			       "hypercall %lu", (u64)PCM_HC_GET_PCM_INFO);
		break;
	case OP_RDPMC:
		asm volatile("rdpmc" : "=a"(eax), "=d"(edx) : "c"(0));
		break;
	case OP_SELF_IPI:
		/* Fixed, physical, no shorthand: KVM's WRMSR fast path. */
		x2apic_write_reg(APIC_ICR, ((u64)apic_id << 32) |
				 APIC_INT_ASSERT | APIC_DM_FIXED | IPI_VECTOR);
		asm volatile("sti; nop; cli");
		break;
	}
}

static void guest_code(void)
{
	u64 msr_value = rdmsr(TEST_MSR);
	u32 apic_id;
	u64 i;

	x2apic_enable();
	apic_id = x2apic_read_reg(APIC_ID);

	for (;;) {
		enum guest_op op;

		GUEST_SYNC(0);
		op = READ_ONCE(guest_op);
		for (i = 0; i < READ_ONCE(guest_n); i++)
			guest_do_one(op, apic_id, msr_value);
		if (op == OP_CPUID_THEN_READ)
			__GUEST_ASSERT(!pcm_guest_hypercall(PCM_HC_GET_PCM_INFO,
							    guest_buf_gpa),
				       "hypercall %lu", (u64)PCM_HC_GET_PCM_INFO);
	}
}

/* What @n of @op add to each counter, beyond the harness's own events. */
static void add_op_deltas(enum guest_op op, u64 n, u64 *counters)
{
	switch (op) {
	case OP_SYNC:
	case OP_PCM_HYPERCALL:	/* reading the counters does not move them */
		break;
	case OP_PIO_IN:
	case OP_PIO_INS:	/* once per instruction, not per element */
		counters[EV(log_ins_exec_pio_in)] += n;
		break;
	case OP_PIO_OUT:
	case OP_PIO_OUTS:
		counters[EV(log_ins_exec_pio_out)] += n;
		break;
	case OP_MMIO_READ:
		counters[EV(log_ins_exec_mmio_in)] += n;
		break;
	case OP_MMIO_WRITE:
		counters[EV(log_ins_exec_mmio_out)] += n;
		break;
	case OP_CPUID:
	case OP_CPUID_THEN_READ:
		counters[EV(log_ins_cpuid_rd)] += n;
		break;
	case OP_RDMSR:
		counters[EV(log_ins_msr_read)] += n;
		break;
	case OP_WRMSR:
		counters[EV(log_ins_msr_write)] += n;
		break;
	case OP_VMCALL:
		counters[EV(log_ins_vmcall)] += n;
		break;
	case OP_RDPMC:
		counters[EV(log_ins_exec_rdpmc)] += n;
		break;
	case OP_SELF_IPI:	/* the ICR writes; test_op() adds the EOIs */
		counters[EV(evt_external_interrupt)] += n;
		counters[EV(log_ins_msr_write)] += n;
		break;
	}
}

struct test_vm {
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpus[NR_VCPUS];
	unsigned int nr_vcpus;
	u64 *buf;		/* host view of the guest's counter buffer */
};

/* The CPUs this test may run on: vCPU threads are pinned to them. */
static int cpus[2];
static int nr_cpus;

static void find_cpus(void)
{
	cpu_set_t set;
	int cpu;

	TEST_ASSERT(!sched_getaffinity(0, sizeof(set), &set),
		    "sched_getaffinity: %s", strerror(errno));
	for (cpu = 0; cpu < CPU_SETSIZE && nr_cpus < 2; cpu++)
		if (CPU_ISSET(cpu, &set))
			cpus[nr_cpus++] = cpu;
}

/* Run until the guest's next GUEST_SYNC, serving its port I/O and MMIO. */
static void run_to_sync(struct kvm_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	struct ucall uc;

	for (;;) {
		vcpu_run(vcpu);
		if (run->exit_reason == KVM_EXIT_IO && run->io.port == TEST_PORT)
			continue;
		if (run->exit_reason == KVM_EXIT_MMIO)
			continue;
		switch (get_ucall(vcpu, &uc)) {
		case UCALL_SYNC:
			return;
		case UCALL_ABORT:
			REPORT_GUEST_ASSERT(uc);
			break;
		default:
			TEST_FAIL("unexpected exit %u (%s)", run->exit_reason,
				  exit_reason_str(run->exit_reason));
		}
	}
}

static void set_op(struct test_vm *t, enum guest_op op, u64 n)
{
	guest_op = op;
	guest_n = n;
	sync_global_to_guest(t->vm, guest_op);
	sync_global_to_guest(t->vm, guest_n);
}

/* A VM whose vCPUs are all loaded last on cpus[0], waiting in GUEST_SYNC. */
static void create_test_vm(struct test_vm *t, unsigned int nr_vcpus)
{
	vm_vaddr_t buf_gva;
	unsigned int i;

	memset(t, 0, sizeof(*t));
	pcm_pin_self(cpus[0]);
	t->nr_vcpus = nr_vcpus;
	t->vm = vm_create_with_vcpus(nr_vcpus, guest_code, t->vcpus);
	pcm_init_descriptor_tables(t->vm);
	vm_install_exception_handler(t->vm, GP_VECTOR, guest_gp_handler);
	vm_install_exception_handler(t->vm, IPI_VECTOR, guest_ipi_handler);
	virt_map(t->vm, MMIO_GPA, MMIO_GPA, 1);

	buf_gva = vm_vaddr_alloc_page(t->vm);
	t->buf = addr_gva2hva(t->vm, buf_gva);
	guest_buf_gpa = addr_gva2gpa(t->vm, buf_gva);
	sync_global_to_guest(t->vm, guest_buf_gpa);
	pcm_use_native_hypercall(t->vm);

	for (i = 0; i < nr_vcpus; i++)
		run_to_sync(t->vcpus[i]);
}

static void get_all(struct kvm_vm *vm, u64 *counters)
{
	unsigned int i;

	for (i = 0; i < KVM_PCM_NR_COUNTERS; i++)
		counters[i] = pcm_get_counter(vm, i);
}

/* Every counter of @vm against @expected; prints each one that differs. */
static bool check_all(struct kvm_vm *vm, const u64 *expected)
{
	u64 got[KVM_PCM_NR_COUNTERS];
	char what[128];
	unsigned int i;
	bool ok = true;

	get_all(vm, got);
	for (i = 0; i < KVM_PCM_NR_COUNTERS; i++) {
		snprintf(what, sizeof(what), "%s/%s", pcm_counters[i].group,
			 pcm_counters[i].field);
		ok &= expect_u64(what, expected[i], got[i]);
	}
	return ok;
}

/* @n of @op on one vCPU: every counter moves by exactly what it should. */
static bool test_op(enum guest_op op, u64 n)
{
	u64 expected[KVM_PCM_NR_COUNTERS];
	struct test_vm t;
	bool ok;

	create_test_vm(&t, 1);
	get_all(t.vm, expected);
	set_op(&t, op, n);
	guest_ipis_handled = 0;
	sync_global_to_guest(t.vm, guest_ipis_handled);
	run_to_sync(t.vcpus[0]);

	add_op_deltas(op, n, expected);
	expected[EV(log_ins_exec_pio_in)]++;		/* the GUEST_SYNC */

	/* Each run of the IPI handler wrote one EOI: see guest_ipi_handler(). */
	sync_global_from_guest(t.vm, guest_ipis_handled);
	expected[EV(log_ins_msr_write)] += guest_ipis_handled;
	if (op == OP_SELF_IPI && guest_ipis_handled != n)
		ksft_print_msg("IPI handler runs: %lu for %lu IPIs (see guest_ipi_handler())\n",
			       guest_ipis_handled, n);
	ok = check_all(t.vm, expected);
	kvm_vm_free(t.vm);
	return ok;
}

/* The vCPU thread moves to the other CPU before each of N runs. */
static bool test_switch_exec_cpu(void)
{
	u64 expected[KVM_PCM_NR_COUNTERS];
	struct test_vm t;
	unsigned int i;
	bool ok;

	create_test_vm(&t, 1);
	get_all(t.vm, expected);
	set_op(&t, OP_SYNC, 0);
	for (i = 0; i < N; i++) {
		pcm_pin_self(cpus[(i + 1) % 2]);
		run_to_sync(t.vcpus[0]);
	}
	pcm_pin_self(cpus[0]);

	expected[EV(evt_switch_exec_cpu)] += N;
	expected[EV(log_ins_exec_pio_in)] += N;
	ok = check_all(t.vm, expected);
	kvm_vm_free(t.vm);
	return ok;
}

/* kvm.pcm_count_events=0: nothing moves, not even the GUEST_SYNC. */
static bool test_counting_off(void)
{
	u64 expected[KVM_PCM_NR_COUNTERS];
	struct test_vm t;
	bool ok;

	create_test_vm(&t, 1);
	get_all(t.vm, expected);
	pcm_set_param(PCM_PARAM_COUNT_EVENTS, false);
	set_op(&t, OP_CPUID, N);
	run_to_sync(t.vcpus[0]);
	pcm_set_param(PCM_PARAM_COUNT_EVENTS, true);

	ok = check_all(t.vm, expected);
	kvm_vm_free(t.vm);
	return ok;
}

/* A debugfs write sets the VM's value; the vCPUs count on from there. */
static bool test_set_over_counted(void)
{
	const enum kvm_pcm_counter c = EV(log_ins_cpuid_rd);
	const u64 value = pcm_value(c);
	struct test_vm t;
	bool ok;

	create_test_vm(&t, 1);
	set_op(&t, OP_CPUID, N);
	run_to_sync(t.vcpus[0]);
	pcm_set_counter(t.vm, c, value);
	ok = expect_u64("after the write", value, pcm_get_counter(t.vm, c));
	run_to_sync(t.vcpus[0]);
	ok &= expect_u64("after N more CPUIDs", value + N,
			 pcm_get_counter(t.vm, c));
	kvm_vm_free(t.vm);
	return ok;
}

struct vcpu_thread {
	pthread_t thread;
	struct kvm_vcpu *vcpu;
	int cpu;
};

static void *vcpu_thread_fn(void *arg)
{
	struct vcpu_thread *vt = arg;

	pcm_pin_self(vt->cpu);
	run_to_sync(vt->vcpu);
	return NULL;
}

/*
 * Run every vCPU of @t in its own thread, vCPU i on cpus[i % nr_cpus], to
 * the next GUEST_SYNC.  Returns how many vCPU switches that causes: one
 * for each vCPU that was last loaded on another CPU.
 */
static u64 run_all(struct test_vm **vms, unsigned int nr_vms, int *last_cpu)
{
	struct vcpu_thread threads[NR_VCPUS * 2];
	unsigned int v, i, nr = 0;
	u64 switches = 0;

	for (v = 0; v < nr_vms; v++) {
		for (i = 0; i < vms[v]->nr_vcpus; i++, nr++) {
			threads[nr].vcpu = vms[v]->vcpus[i];
			threads[nr].cpu = cpus[nr % nr_cpus];
			if (threads[nr].cpu != last_cpu[nr])
				switches++;
			last_cpu[nr] = threads[nr].cpu;
			pthread_create(&threads[nr].thread, NULL, vcpu_thread_fn,
				       &threads[nr]);
		}
	}
	for (i = 0; i < nr; i++)
		pthread_join(threads[i].thread, NULL);
	return switches;
}

/* NR_VCPUS vCPUs count CPUIDs, then OUTs, at the same time: none is lost. */
static bool test_vcpus_at_once(void)
{
	u64 expected[KVM_PCM_NR_COUNTERS];
	int last_cpu[NR_VCPUS];
	struct test_vm t, *vms[] = { &t };
	unsigned int i;
	bool ok;

	create_test_vm(&t, NR_VCPUS);
	for (i = 0; i < NR_VCPUS; i++)
		last_cpu[i] = cpus[0];
	get_all(t.vm, expected);

	set_op(&t, OP_CPUID, N);
	expected[EV(evt_switch_exec_cpu)] += run_all(vms, 1, last_cpu);
	set_op(&t, OP_PIO_OUT, N);
	expected[EV(evt_switch_exec_cpu)] += run_all(vms, 1, last_cpu);

	expected[EV(log_ins_cpuid_rd)] += NR_VCPUS * N;
	expected[EV(log_ins_exec_pio_out)] += NR_VCPUS * N;
	expected[EV(log_ins_exec_pio_in)] += 2 * NR_VCPUS;
	ok = check_all(t.vm, expected);
	kvm_vm_free(t.vm);
	return ok;
}

/*
 * Two VMs with different values in every counter count different numbers
 * of CPUIDs at the same time, then read their counters with hypercall 104:
 * each reads exactly its own.  The host's global view is their sum.
 */
static bool test_two_vms(void)
{
	u64 set[2][KVM_PCM_NR_COUNTERS], expected[KVM_PCM_NR_COUNTERS];
	struct test_vm a, b, *vms[] = { &a, &b };
	const u64 n[2] = { N, 2 * N };
	int last_cpu[2];
	char what[160];
	unsigned int v, i;
	u64 switches;
	bool ok = true;

	create_test_vm(&a, 1);
	create_test_vm(&b, 1);
	for (v = 0; v < 2; v++) {
		last_cpu[v] = cpus[0];
		memset(vms[v]->buf, 0, PCM_INFO_SIZE);
		for (i = 0; i < KVM_PCM_NR_COUNTERS; i++) {
			set[v][i] = pcm_value(i) + v * 0x100;
			pcm_set_counter(vms[v]->vm, i, set[v][i]);
		}
		set_op(vms[v], OP_CPUID_THEN_READ, n[v]);
	}
	run_all(vms, 2, last_cpu);

	/* run_all() puts VM v's vCPU on cpus[v % nr_cpus]. */
	for (v = 0; v < 2; v++) {
		memcpy(expected, set[v], sizeof(expected));
		switches = cpus[v % nr_cpus] != cpus[0];
		expected[EV(evt_switch_exec_cpu)] += switches;
		expected[EV(log_ins_cpuid_rd)] += n[v];
		for (i = 0; i < KVM_PCM_NR_COUNTERS; i++) {
			snprintf(what, sizeof(what), "VM %c read %s/%s",
				 'A' + v, pcm_counters[i].group,
				 pcm_counters[i].field);
			ok &= expect_u64(what, expected[i], vms[v]->buf[i]);
		}
	}

	/*
	 * KVM's statistics: a counter the engine moves is what was set; one
	 * KVM counts, what it counted, whatever was set.  The global file is
	 * the VMs' sum.
	 */
	for (i = 0; i < KVM_PCM_NR_COUNTERS; i++) {
		snprintf(what, sizeof(what), "global %s/%s",
			 pcm_counters[i].group, pcm_counters[i].field);
		ok &= expect_u64(what, pcm_get_stat(a.vm, i) + pcm_get_stat(b.vm, i),
				 pcm_get_stat(NULL, i));
		for (v = 0; v < 2 && !pcm_counters[i].kvm_counted; v++) {
			snprintf(what, sizeof(what), "VM %c's statistic %s/%s",
				 'A' + v, pcm_counters[i].group, pcm_counters[i].field);
			ok &= expect_u64(what, set[v][i], pcm_get_stat(vms[v]->vm, i));
		}
	}
	ok &= expect_u64("VM A's statistic event/log_ins_cpuid_rd", n[0],
			 pcm_get_stat(a.vm, EV(log_ins_cpuid_rd)));
	ok &= expect_u64("VM B's statistic event/log_ins_cpuid_rd", n[1],
			 pcm_get_stat(b.vm, EV(log_ins_cpuid_rd)));
	kvm_vm_free(a.vm);
	kvm_vm_free(b.vm);
	return ok;
}

/*
 * With AVIC or APICv the self-IPI is delivered, and the EOI written, by
 * the hardware: KVM sees neither, so it counts neither.
 */
static bool apic_virtualization_on(void)
{
	static const char * const params[] = {
		"/sys/module/kvm_amd/parameters/avic",
		"/sys/module/kvm_intel/parameters/enable_apicv",
	};
	unsigned int i;
	char c;

	for (i = 0; i < ARRAY_SIZE(params); i++) {
		FILE *f = fopen(params[i], "r");

		if (!f)
			continue;
		c = fgetc(f);
		fclose(f);
		if (c == 'Y' || c == '1')
			return true;
	}
	return false;
}

static const struct {
	const char *name;
	enum guest_op op;
} op_cases[] = {
	{ "port I/O in",		OP_PIO_IN },
	{ "port I/O out",		OP_PIO_OUT },
	{ "rep insb, once per instruction", OP_PIO_INS },
	{ "rep outsb, once per instruction", OP_PIO_OUTS },
	{ "MMIO read",			OP_MMIO_READ },
	{ "MMIO write",			OP_MMIO_WRITE },
	{ "CPUID",			OP_CPUID },
	{ "RDMSR",			OP_RDMSR },
	{ "WRMSR",			OP_WRMSR },
	{ "hypercall",			OP_VMCALL },
	{ "PCM hypercalls do not count", OP_PCM_HYPERCALL },
	{ "RDPMC",			OP_RDPMC },
	{ "self-IPI: injected interrupt, ICR and EOI writes", OP_SELF_IPI },
};

int main(void)
{
	unsigned int i;

	ksft_print_header();
	pcm_require_host();
	find_cpus();
	ksft_set_plan(ARRAY_SIZE(op_cases) + 5);

	for (i = 0; i < ARRAY_SIZE(op_cases); i++) {
		if (op_cases[i].op == OP_SELF_IPI && apic_virtualization_on())
			ksft_test_result_skip("%s: AVIC/APICv delivers it\n",
					      op_cases[i].name);
		else
			ksft_test_result(test_op(op_cases[i].op, N), "%s x %d\n",
					 op_cases[i].name, N);
	}

	if (nr_cpus < 2)
		ksft_test_result_skip("vCPU switches: needs two host CPUs\n");
	else
		ksft_test_result(test_switch_exec_cpu(),
				 "vCPU moved to the other CPU x %d\n", N);
	ksft_test_result(test_counting_off(),
			 "pcm_count_events=0: no counter moves\n");
	ksft_test_result(test_set_over_counted(),
			 "debugfs write over counted events, then %d more\n", N);
	ksft_test_result(test_vcpus_at_once(),
			 "%d vCPUs at once: %d CPUIDs and %d OUTs each, none lost\n",
			 NR_VCPUS, N, N);
	ksft_test_result(test_two_vms(),
			 "two VMs at once: each reads only its own, global is the sum\n");
	ksft_finished();
}
