// SPDX-License-Identifier: GPL-2.0-only
/*
 * The PCM counters as KVM statistics, through the binary stats fd of a VM
 * and of its vCPUs (KVM_GET_STATS_FD), where VMMs (QEMU's query-stats)
 * and kvm_stat read them:
 *
 *   VM scope    pcm_<group>_<field>       the engine's part
 *   vCPU scope  pcm_vcpu_<group>_<field>  what KVM counted on the vCPU
 *               pcm_hypercalls            PCM hypercalls made at CPL 0
 *
 * Every descriptor is there, in ABI order; KVM's counts move by exactly
 * what the guest did, together with KVM's own statistics where they mean
 * the same; and the VM statistic plus the sum of the vCPU statistics is
 * exactly what the hypercall returns, for every counter.
 *
 * Needs root and a KVM built with CONFIG_KVM_PCM; skips otherwise.
 */
#include <asm/kvm_para.h>
#include <linux/kvm_para.h>
#include <linux/kvm_pcm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"
#include "kvm_util.h"
#include "processor.h"
#include "pcm_util.h"

#define NR_VCPUS		2
/* KVM_STATS_NAME_SIZE, from <linux/kvm_host.h>: the kernel side. */
#define STAT_NAME_SIZE		48
#define N			1000
/* The master PIC's interrupt mask register: KVM's in-kernel PIC answers. */
#define PIC_MASK_PORT		0x21
/* Not a hypercall KVM knows: -KVM_ENOSYS, counted as log_ins_vmcall. */
#define UNKNOWN_HC_NR		0x1234

enum guest_op { OP_NONE, OP_CPUID, OP_PIO_IN, OP_HC_OTHER, OP_HC_PCM };

/* Set by the host before each run. */
static enum guest_op guest_op;
static u64 guest_count;
static u8 guest_buf[PCM_INFO_SIZE] __aligned(64);
static u64 guest_buf_gpa;

/* guest_count times guest_op, then one GUEST_SYNC (a port I/O IN). */
static void guest_code(void)
{
	u32 eax, ebx, ecx, edx;
	u64 i;
	u8 v;

	for (;;) {
		for (i = 0; i < READ_ONCE(guest_count); i++) {
			switch (READ_ONCE(guest_op)) {
			case OP_CPUID:
				cpuid(0, &eax, &ebx, &ecx, &edx);
				break;
			case OP_PIO_IN:
				asm volatile("inb %w1, %b0" : "=a"(v) : "d"(PIC_MASK_PORT));
				break;
			case OP_HC_OTHER:
				GUEST_ASSERT(pcm_guest_hypercall(UNKNOWN_HC_NR, 0) ==
					     (u64)-KVM_ENOSYS);
				break;
			case OP_HC_PCM:
				GUEST_ASSERT(!pcm_guest_hypercall(PCM_HC_GET_PCM_INFO,
								  READ_ONCE(guest_buf_gpa)));
				break;
			case OP_NONE:
				break;
			}
		}
		GUEST_SYNC(0);
	}
}

/* A binary stats fd with its header and descriptors. */
struct stats {
	int fd;
	struct kvm_stats_header header;
	struct kvm_stats_desc *desc;
};

static void stats_open(struct stats *s, int fd)
{
	s->fd = fd;
	read_stats_header(fd, &s->header);
	s->desc = read_stats_descriptors(fd, &s->header);
}

static void stats_close(struct stats *s)
{
	free(s->desc);
	close(s->fd);
}

static int stats_index(struct stats *s, const char *name)
{
	int i;

	for (i = 0; i < s->header.num_desc; i++)
		if (!strcmp(get_stats_descriptor(s->desc, i, &s->header)->name, name))
			return i;
	return -1;
}

static u64 stats_get(struct stats *s, const char *name)
{
	int i = stats_index(s, name);
	u64 v;

	TEST_ASSERT(i >= 0, "no statistic %s", name);
	read_stat_data(s->fd, &s->header, get_stats_descriptor(s->desc, i, &s->header),
		       &v, 1);
	return v;
}

static void counter_stat_name(char *name, size_t size, bool vcpu,
			      enum kvm_pcm_counter c)
{
	snprintf(name, size, "pcm_%s%s_%s", vcpu ? "vcpu_" : "",
		 pcm_counters[c].group, pcm_counters[c].field);
}

static u64 counter_stat(struct stats *s, bool vcpu, enum kvm_pcm_counter c)
{
	char name[STAT_NAME_SIZE];

	counter_stat_name(name, sizeof(name), vcpu, c);
	return stats_get(s, name);
}

struct test_vm {
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpus[NR_VCPUS];
	struct stats vm_stats, vcpu_stats[NR_VCPUS];
};

static void run_op(struct test_vm *t, int v, enum guest_op op, u64 count)
{
	struct ucall uc;

	guest_op = op;
	guest_count = count;
	sync_global_to_guest(t->vm, guest_op);
	sync_global_to_guest(t->vm, guest_count);
	vcpu_run(t->vcpus[v]);
	pcm_expect_ucall(t->vcpus[v], &uc, UCALL_SYNC);
}

/* Every PCM descriptor of @s, in ABI order from @first, each a counter. */
static bool check_descriptors(struct stats *s, bool vcpu)
{
	char name[STAT_NAME_SIZE];
	struct kvm_stats_desc *d;
	int first, i;
	bool ok = true;

	counter_stat_name(name, sizeof(name), vcpu, 0);
	first = stats_index(s, name);
	if (first < 0) {
		ksft_print_msg("%s: no %s\n", vcpu ? "vCPU" : "VM", name);
		return false;
	}
	for (i = 0; i < KVM_PCM_NR_COUNTERS; i++) {
		counter_stat_name(name, sizeof(name), vcpu, i);
		if (first + i >= s->header.num_desc) {
			ksft_print_msg("missing %s\n", name);
			return false;
		}
		d = get_stats_descriptor(s->desc, first + i, &s->header);
		if (strcmp(d->name, name)) {
			ksft_print_msg("descriptor %d: expected %s, got %s\n",
				       first + i, name, d->name);
			ok = false;
		}
		if ((d->flags & KVM_STATS_TYPE_MASK) != KVM_STATS_TYPE_CUMULATIVE ||
		    (d->flags & KVM_STATS_UNIT_MASK) != KVM_STATS_UNIT_NONE ||
		    d->size != 1) {
			ksft_print_msg("%s: flags %#x size %u, expected a cumulative counter\n",
				       d->name, d->flags, d->size);
			ok = false;
		}
	}
	if (vcpu && stats_index(s, "pcm_hypercalls") < 0) {
		ksft_print_msg("vCPU: no pcm_hypercalls\n");
		ok = false;
	}
	return ok;
}

static bool test_descriptors(struct test_vm *t)
{
	return check_descriptors(&t->vm_stats, false) &&
	       check_descriptors(&t->vcpu_stats[0], true);
}

/*
 * N CPUIDs, then N INs from the in-kernel PIC, on vCPU 1: exactly that in
 * its statistics (and the GUEST_SYNC's IN), nothing in vCPU 0's or the
 * VM's, and KVM's own io_exits moves with the port I/O counters.
 */
static bool test_counts_exact(struct test_vm *t)
{
	static const struct {
		enum guest_op op;
		enum kvm_pcm_counter counter;
		u64 expected;
	} ops[] = {
		{ OP_CPUID, KVM_PCM_event_log_ins_cpuid_rd, N },
		/* and the GUEST_SYNC */
		{ OP_PIO_IN, KVM_PCM_event_log_ins_exec_pio_in, N + 1 },
	};
	struct stats *s1 = &t->vcpu_stats[1], *s0 = &t->vcpu_stats[0];
	enum kvm_pcm_counter out = KVM_PCM_event_log_ins_exec_pio_out;
	enum kvm_pcm_counter in = KVM_PCM_event_log_ins_exec_pio_in;
	u64 c, vm_c, other, io, pio;
	bool ok = true;
	int i;

	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		c = counter_stat(s1, true, ops[i].counter);
		vm_c = counter_stat(&t->vm_stats, false, ops[i].counter);
		other = counter_stat(s0, true, ops[i].counter);
		io = stats_get(s1, "io_exits");
		pio = counter_stat(s1, true, in) + counter_stat(s1, true, out);

		run_op(t, 1, ops[i].op, N);

		ok &= expect_u64(pcm_counters[ops[i].counter].field, ops[i].expected,
				 counter_stat(s1, true, ops[i].counter) - c);
		ok &= expect_u64("the VM statistic", 0,
				 counter_stat(&t->vm_stats, false, ops[i].counter) - vm_c);
		ok &= expect_u64("the other vCPU's", 0,
				 counter_stat(s0, true, ops[i].counter) - other);
		/* KVM's io_exits counts every port I/O exit, as PCM does here. */
		ok &= expect_u64("io_exits against pio_in + pio_out",
				 counter_stat(s1, true, in) + counter_stat(s1, true, out) - pio,
				 stats_get(s1, "io_exits") - io);
	}
	return ok;
}

/*
 * KVM's hypercalls statistic counts every hypercall; PCM counts the
 * others in log_ins_vmcall and its own in pcm_hypercalls.
 */
static bool test_hypercalls_together(struct test_vm *t)
{
	enum kvm_pcm_counter vmcall = KVM_PCM_event_log_ins_vmcall;
	struct stats *s = &t->vcpu_stats[0];
	u64 hc, other, pcm;
	bool ok = true;

	hc = stats_get(s, "hypercalls");
	other = counter_stat(s, true, vmcall);
	pcm = stats_get(s, "pcm_hypercalls");
	run_op(t, 0, OP_HC_OTHER, N);
	ok &= expect_u64("hypercalls (other numbers)", N, stats_get(s, "hypercalls") - hc);
	ok &= expect_u64("log_ins_vmcall", N, counter_stat(s, true, vmcall) - other);
	ok &= expect_u64("pcm_hypercalls (other numbers)", 0,
			 stats_get(s, "pcm_hypercalls") - pcm);

	hc = stats_get(s, "hypercalls");
	other = counter_stat(s, true, vmcall);
	pcm = stats_get(s, "pcm_hypercalls");
	run_op(t, 0, OP_HC_PCM, N);
	ok &= expect_u64("hypercalls (PCM)", N, stats_get(s, "hypercalls") - hc);
	ok &= expect_u64("log_ins_vmcall (PCM)", 0, counter_stat(s, true, vmcall) - other);
	ok &= expect_u64("pcm_hypercalls", N, stats_get(s, "pcm_hypercalls") - pcm);
	ok &= expect_u64("pcm_hypercalls against the debugfs file",
			 stats_get(s, "pcm_hypercalls") + stats_get(&t->vcpu_stats[1],
								    "pcm_hypercalls"),
			 pcm_get_hypercalls(t->vm));
	return ok;
}

/* The VM statistic plus both vCPUs', for counter @c. */
static u64 stats_total(struct test_vm *t, enum kvm_pcm_counter c)
{
	u64 sum = counter_stat(&t->vm_stats, false, c);
	int v;

	for (v = 0; v < NR_VCPUS; v++)
		sum += counter_stat(&t->vcpu_stats[v], true, c);
	return sum;
}

/*
 * Root sets every counter through debugfs, KVM-counted ones too: the
 * engine's part takes what the vCPUs have not counted, so VM plus vCPUs
 * is the value set, and the hypercall returns exactly that.
 */
static bool test_total_is_what_the_guest_reads(struct test_vm *t)
{
	bool ok = true;
	u64 got;
	int i;

	pcm_set_param(PCM_PARAM_COUNT_EVENTS, false);
	pcm_set_all_counters(t->vm);
	ok &= expect_u64("pcm_replay_success (VM, engine only)",
			 pcm_value(KVM_PCM_replay_success),
			 counter_stat(&t->vm_stats, false, KVM_PCM_replay_success));

	memset(addr_gva2hva(t->vm, (vm_vaddr_t)guest_buf), PCM_POISON, PCM_INFO_SIZE);
	run_op(t, 1, OP_HC_PCM, 1);
	for (i = 0; i < KVM_PCM_NR_COUNTERS; i++) {
		memcpy(&got, (u8 *)addr_gva2hva(t->vm, (vm_vaddr_t)guest_buf) +
		       pcm_counters[i].offset, sizeof(got));
		ok &= expect_u64(pcm_counters[i].field, got, stats_total(t, i));
	}
	ok &= pcm_check_values(addr_gva2hva(t->vm, (vm_vaddr_t)guest_buf));
	pcm_set_param(PCM_PARAM_COUNT_EVENTS, true);
	return ok;
}

static const struct {
	const char *name;
	bool (*run)(struct test_vm *t);
} test_cases[] = {
	{ "descriptors", test_descriptors },
	{ "counts_exact", test_counts_exact },
	{ "hypercalls_together", test_hypercalls_together },
	{ "total_is_what_the_guest_reads", test_total_is_what_the_guest_reads },
};

int main(void)
{
	struct test_vm t = {};
	int i;

	ksft_print_header();
	pcm_require_host();

	t.vm = vm_create_with_vcpus(NR_VCPUS, guest_code, t.vcpus);
	pcm_use_native_hypercall(t.vm);
	guest_buf_gpa = addr_gva2gpa(t.vm, (vm_vaddr_t)guest_buf);
	sync_global_to_guest(t.vm, guest_buf_gpa);
	stats_open(&t.vm_stats, vm_get_stats_fd(t.vm));
	for (i = 0; i < NR_VCPUS; i++)
		stats_open(&t.vcpu_stats[i], vcpu_get_stats_fd(t.vcpus[i]));

	pcm_set_param(PCM_PARAM_HYPERCALL, true);
	pcm_set_param(PCM_PARAM_COUNT_EVENTS, true);
	ksft_set_plan(ARRAY_SIZE(test_cases));
	for (i = 0; i < ARRAY_SIZE(test_cases); i++)
		ksft_test_result(test_cases[i].run(&t), "%s\n", test_cases[i].name);

	for (i = 0; i < NR_VCPUS; i++)
		stats_close(&t.vcpu_stats[i]);
	stats_close(&t.vm_stats);
	kvm_vm_free(t.vm);
	ksft_finished();
}
