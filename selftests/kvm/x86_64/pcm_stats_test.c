// SPDX-License-Identifier: GPL-2.0-only
/*
 * The PCM counters as KVM statistics, through the binary stats fd of a VM
 * and of its vCPUs (KVM_GET_STATS_FD), where VMMs (QEMU's query-stats)
 * and kvm_stat read them (<asm/kvm_pcm_stats.h>):
 *
 *   VM scope    pcm_<group>_<field>  a counter the engine moves (instant)
 *   vCPU scope  pcm_<group>_<field>  a counter KVM counts (cumulative)
 *               pcm_hypercalls       PCM hypercalls made at CPL 0
 *
 * Every counter is described once, in ABI order, and descriptor order is
 * data order; KVM's counts move by exactly what the guest did, together
 * with KVM's own statistics where they mean the same; an engine counter's
 * statistic is exactly what the hypercall returns; and neither a set nor
 * a clear of a statistic (KVM's debugfs) makes what the guest reads go
 * backwards or wrap.
 *
 * Needs root and a KVM built with CONFIG_KVM_PCM; skips otherwise.
 */
#include <asm/kvm_para.h>
#include <linux/kvm_para.h>
#include <linux/kvm_pcm.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <unistd.h>
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

static void counter_stat_name(char *name, size_t size, enum kvm_pcm_counter c)
{
	snprintf(name, size, "pcm_%s_%s", pcm_counters[c].group, pcm_counters[c].field);
}

/* Counter @c's statistic in @s. */
static u64 counter_stat(struct stats *s, enum kvm_pcm_counter c)
{
	char name[STAT_NAME_SIZE];

	counter_stat_name(name, sizeof(name), c);
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

/*
 * Each counter has one statistic: in the VM's fd, instant, if the engine
 * moves it; in the vCPU's, cumulative, if KVM counts it; in ABI order in
 * each, and pcm_hypercalls after the vCPU's.
 */
static bool check_descriptors(struct stats *s, bool vcpu)
{
	char name[STAT_NAME_SIZE];
	struct kvm_stats_desc *d;
	int i, index, last = -1;
	bool ok = true;
	u32 type;

	for (i = 0; i < KVM_PCM_NR_COUNTERS; i++) {
		counter_stat_name(name, sizeof(name), i);
		index = stats_index(s, name);
		if (pcm_counters[i].kvm_counted != vcpu) {
			if (index >= 0) {
				ksft_print_msg("%s: %s, which is the %s's\n", vcpu ? "vCPU" : "VM",
					       name, vcpu ? "VM" : "vCPU");
				ok = false;
			}
			continue;
		}
		if (index < 0) {
			ksft_print_msg("%s: no %s\n", vcpu ? "vCPU" : "VM", name);
			ok = false;
			continue;
		}
		if (index < last) {
			ksft_print_msg("%s: %s is not in ABI order\n", vcpu ? "vCPU" : "VM", name);
			ok = false;
		}
		last = index;
		d = get_stats_descriptor(s->desc, index, &s->header);
		type = vcpu ? KVM_STATS_TYPE_CUMULATIVE : KVM_STATS_TYPE_INSTANT;
		if ((d->flags & KVM_STATS_TYPE_MASK) != type ||
		    (d->flags & KVM_STATS_UNIT_MASK) != KVM_STATS_UNIT_NONE ||
		    d->size != 1) {
			ksft_print_msg("%s: flags %#x size %u, expected %s counter\n",
				       d->name, d->flags, d->size,
				       vcpu ? "a cumulative" : "an instant");
			ok = false;
		}
	}
	if (vcpu && stats_index(s, "pcm_hypercalls") < last) {
		ksft_print_msg("vCPU: no pcm_hypercalls after the counters\n");
		ok = false;
	}
	return ok;
}

static bool test_descriptors(struct test_vm *t)
{
	return check_descriptors(&t->vm_stats, false) &
	       check_descriptors(&t->vcpu_stats[0], true);
}

/*
 * api.rst: the data block holds the statistics in descriptor order.  The
 * PCM descriptors of each fd sit at increasing offsets, one u64 apart.
 */
static bool check_order(struct stats *s, const char *scope)
{
	struct kvm_stats_desc *d;
	int i, prev = -1;
	bool ok = true;

	for (i = 0; i < s->header.num_desc; i++) {
		d = get_stats_descriptor(s->desc, i, &s->header);
		if (strncmp(d->name, "pcm_", 4))
			continue;
		if (prev >= 0 && d->offset != prev + sizeof(u64)) {
			ksft_print_msg("%s: %s at offset %u, the PCM descriptor before it at %d\n",
				       scope, d->name, d->offset, prev);
			ok = false;
		}
		prev = d->offset;
	}
	return ok;
}

static bool test_descriptor_order(struct test_vm *t)
{
	return check_order(&t->vm_stats, "VM") & check_order(&t->vcpu_stats[0], "vCPU");
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
	u64 c, other, io, pio;
	bool ok = true;
	int i;

	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		c = counter_stat(s1, ops[i].counter);
		other = counter_stat(s0, ops[i].counter);
		io = stats_get(s1, "io_exits");
		pio = counter_stat(s1, in) + counter_stat(s1, out);

		run_op(t, 1, ops[i].op, N);

		ok &= expect_u64(pcm_counters[ops[i].counter].field, ops[i].expected,
				 counter_stat(s1, ops[i].counter) - c);
		ok &= expect_u64("the other vCPU's", 0,
				 counter_stat(s0, ops[i].counter) - other);
		/* KVM's io_exits counts every port I/O exit, as PCM does here. */
		ok &= expect_u64("io_exits against pio_in + pio_out",
				 counter_stat(s1, in) + counter_stat(s1, out) - pio,
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
	other = counter_stat(s, vmcall);
	pcm = stats_get(s, "pcm_hypercalls");
	run_op(t, 0, OP_HC_OTHER, N);
	ok &= expect_u64("hypercalls (other numbers)", N, stats_get(s, "hypercalls") - hc);
	ok &= expect_u64("log_ins_vmcall", N, counter_stat(s, vmcall) - other);
	ok &= expect_u64("pcm_hypercalls (other numbers)", 0,
			 stats_get(s, "pcm_hypercalls") - pcm);

	hc = stats_get(s, "hypercalls");
	other = counter_stat(s, vmcall);
	pcm = stats_get(s, "pcm_hypercalls");
	run_op(t, 0, OP_HC_PCM, N);
	ok &= expect_u64("hypercalls (PCM)", N, stats_get(s, "hypercalls") - hc);
	ok &= expect_u64("log_ins_vmcall (PCM)", 0, counter_stat(s, vmcall) - other);
	ok &= expect_u64("pcm_hypercalls", N, stats_get(s, "pcm_hypercalls") - pcm);
	ok &= expect_u64("pcm_hypercalls against the debugfs file",
			 stats_get(s, "pcm_hypercalls") + stats_get(&t->vcpu_stats[1],
								    "pcm_hypercalls"),
			 pcm_get_hypercalls(t->vm));
	return ok;
}

/* Both vCPUs' statistic of counter @c. */
static u64 vcpus_stat(struct test_vm *t, enum kvm_pcm_counter c)
{
	return counter_stat(&t->vcpu_stats[0], c) + counter_stat(&t->vcpu_stats[1], c);
}

/* Counter @c as the guest reads it, with hypercall 104 on vCPU 1. */
static u64 guest_reads(struct test_vm *t, enum kvm_pcm_counter c)
{
	u8 *buf = addr_gva2hva(t->vm, (vm_vaddr_t)guest_buf);
	u64 got;

	memset(buf, PCM_POISON, PCM_INFO_SIZE);
	run_op(t, 1, OP_HC_PCM, 1);
	memcpy(&got, buf + pcm_counters[c].offset, sizeof(got));
	return got;
}

/*
 * Root sets every counter through debugfs: the guest reads exactly what
 * was set; an engine counter's VM statistic is that value; a KVM-counted
 * counter's statistics keep what KVM counted.
 */
static bool test_stats_after_a_set(struct test_vm *t)
{
	u64 counted[KVM_PCM_NR_COUNTERS];
	bool ok = true;
	int i;

	pcm_set_param(PCM_PARAM_COUNT_EVENTS, false);
	for (i = 0; i < KVM_PCM_NR_COUNTERS; i++)
		if (pcm_counters[i].kvm_counted)
			counted[i] = vcpus_stat(t, i);
	pcm_set_all_counters(t->vm);

	run_op(t, 1, OP_HC_PCM, 1);
	ok &= pcm_check_values(addr_gva2hva(t->vm, (vm_vaddr_t)guest_buf));
	for (i = 0; i < KVM_PCM_NR_COUNTERS; i++) {
		if (pcm_counters[i].kvm_counted)
			ok &= expect_u64(pcm_counters[i].field, counted[i], vcpus_stat(t, i));
		else
			ok &= expect_u64(pcm_counters[i].field, pcm_value(i),
					 counter_stat(&t->vm_stats, i));
	}
	pcm_set_param(PCM_PARAM_COUNT_EVENTS, true);
	return ok;
}

/*
 * Root clears KVM's statistic of counter @c of @t through debugfs (the
 * VM's file, which clears every vCPU's too): 0 or the errno.
 */
static int clear_stat(struct test_vm *t, enum kvm_pcm_counter c)
{
	char path[PATH_MAX];
	int fd, err = 0;

	snprintf(path, sizeof(path), "/sys/kernel/debug/kvm/%d-%d/pcm_%s_%s", getpid(),
		 t->vm->fd, pcm_counters[c].group, pcm_counters[c].field);
	fd = open(path, O_WRONLY);
	TEST_ASSERT(fd >= 0, "open %s: %s", path, strerror(errno));
	if (write(fd, "0", 1) != 1)
		err = errno;
	close(fd);
	return err;
}

/*
 * A set below what KVM counted, then KVM's debugfs clear of the
 * statistic: what the guest reads neither goes backwards nor wraps (it
 * used to read 2^64 - 5 here), and counts on from the value set; the
 * cleared statistic counts on from 0.  An engine counter's statistic is
 * instant, and KVM refuses to clear it (EACCES), root or not.
 */
static bool test_clear_never_moves_the_guest(struct test_vm *t)
{
	const enum kvm_pcm_counter cpuid = KVM_PCM_event_log_ins_cpuid_rd;
	const enum kvm_pcm_counter success = KVM_PCM_replay_success;
	bool ok = true;

	run_op(t, 1, OP_CPUID, 5);
	pcm_set_counter(t->vm, cpuid, 0);
	ok &= expect_u64("clearing log_ins_cpuid_rd's statistic: errno", 0,
			 clear_stat(t, cpuid));
	ok &= expect_u64("log_ins_cpuid_rd after a set to 0 and a clear", 0,
			 guest_reads(t, cpuid));
	ok &= expect_u64("its statistic after the clear", 0, vcpus_stat(t, cpuid));
	run_op(t, 1, OP_CPUID, 5);
	ok &= expect_u64("log_ins_cpuid_rd after 5 more CPUIDs", 5, guest_reads(t, cpuid));
	ok &= expect_u64("its statistic", 5, vcpus_stat(t, cpuid));

	pcm_set_counter(t->vm, success, 7);
	ok &= expect_u64("clearing replay_success's statistic: errno", EACCES,
			 clear_stat(t, success));
	ok &= expect_u64("replay_success", 7, guest_reads(t, success));
	ok &= expect_u64("its statistic", 7, counter_stat(&t->vm_stats, success));
	return ok;
}

static const struct {
	const char *name;
	bool (*run)(struct test_vm *t);
} test_cases[] = {
	{ "descriptors", test_descriptors },
	{ "descriptor_order", test_descriptor_order },
	{ "counts_exact", test_counts_exact },
	{ "hypercalls_together", test_hypercalls_together },
	{ "stats_after_a_set", test_stats_after_a_set },
	{ "clear_never_moves_the_guest", test_clear_never_moves_the_guest },
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
