// SPDX-License-Identifier: GPL-2.0-only
/*
 * Benchmark, not a test: what one PCM hypercall (104) costs with 1, 64
 * and 256 vCPUs created in the VM.  A read sums the counts of every vCPU
 * the VM has, running or not, so its cost grows with them; only vCPU 0
 * runs here.  Beside it, in the same VM and alternating round by round,
 * a hypercall number KVM does not serve: the same exit and the same
 * lookup, answered -KVM_ENOSYS with nothing read or written, so the ratio
 * of the two is what PCM adds to an exit, on any CPU or emulator.  For
 * each vCPU count it prints one line, "vcpus N ns/call M noop-ns/call B
 * ratio R" (medians of the rounds), for scripts/bench to put beside the
 * same numbers from another KVM.
 *
 *   pcm_read_bench [-r ROUNDS] [-n CALLS_PER_ROUND] [VCPUS ...]
 *
 * Needs root and a KVM built with CONFIG_KVM_PCM.
 */
#include <linux/kvm_para.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "kvm_util.h"
#include "pcm_util.h"
#include "processor.h"
#include "test_util.h"

/* Far from any number KVM serves (KVM_HC_* are below 16). */
#define NOOP_HC_NR	0x7fff

static u64 guest_calls;
static u64 guest_nr;
static u8 guest_buf[PCM_INFO_SIZE] __aligned(64);
static u64 guest_buf_gpa;

static void guest_code(void)
{
	u64 gpa = READ_ONCE(guest_buf_gpa), i, nr, expected;

	for (;;) {
		nr = READ_ONCE(guest_nr);
		expected = nr == PCM_HC_GET_PCM_INFO ? 0 : (u64)-KVM_ENOSYS;
		for (i = 0; i < READ_ONCE(guest_calls); i++)
			GUEST_ASSERT(pcm_guest_hypercall(nr, gpa) == expected);
		GUEST_SYNC(0);
	}
}

/* A timed round of @nr on @vcpu. */
static double time_round(struct kvm_vcpu *vcpu, u64 nr, u64 calls)
{
	guest_nr = nr;
	sync_global_to_guest(vcpu->vm, guest_nr);
	return pcm_time_round(vcpu, calls);
}

static void bench(unsigned int nr_vcpus, int rounds, u64 calls)
{
	struct kvm_vcpu **vcpus;
	double *ns, *noop_ns, med, noop_med;
	struct kvm_vm *vm;
	int i;

	vcpus = calloc(nr_vcpus, sizeof(*vcpus));
	ns = calloc(rounds, sizeof(*ns));
	noop_ns = calloc(rounds, sizeof(*noop_ns));
	TEST_ASSERT(vcpus && ns && noop_ns, "calloc");

	vm = vm_create_with_vcpus(nr_vcpus, guest_code, vcpus);
	guest_buf_gpa = addr_gva2gpa(vm, (vm_vaddr_t)guest_buf);
	pcm_use_native_hypercall(vm);
	guest_calls = calls;
	sync_global_to_guest(vm, guest_buf_gpa);
	sync_global_to_guest(vm, guest_calls);

	/* A first, untimed round of each warms up the guest and KVM. */
	time_round(vcpus[0], PCM_HC_GET_PCM_INFO, calls);
	time_round(vcpus[0], NOOP_HC_NR, calls);
	for (i = 0; i < rounds; i++) {
		ns[i] = time_round(vcpus[0], PCM_HC_GET_PCM_INFO, calls);
		noop_ns[i] = time_round(vcpus[0], NOOP_HC_NR, calls);
	}
	med = pcm_median(ns, rounds);
	noop_med = pcm_median(noop_ns, rounds);
	printf("vcpus %u ns/call %.0f noop-ns/call %.0f ratio %.2f\n", nr_vcpus,
	       med, noop_med, med / noop_med);
	fflush(stdout);

	kvm_vm_free(vm);
	free(noop_ns);
	free(ns);
	free(vcpus);
}

int main(int argc, char *argv[])
{
	static const unsigned int default_vcpus[] = { 1, 64, 256 };
	int rounds = 7, opt, i;
	u64 calls = 200;

	while ((opt = getopt(argc, argv, "r:n:")) != -1) {
		switch (opt) {
		case 'r':
			rounds = atoi(optarg);
			break;
		case 'n':
			calls = strtoull(optarg, NULL, 0);
			break;
		default:
			fprintf(stderr, "usage: %s [-r ROUNDS] [-n CALLS] [VCPUS ...]\n",
				argv[0]);
			exit(KSFT_FAIL);
		}
	}
	TEST_ASSERT(rounds > 0 && calls > 0, "ROUNDS and CALLS must be > 0");
	pcm_require_host();
	/* Counting off: the numbers are the read path's alone. */
	pcm_set_param(PCM_PARAM_COUNT_EVENTS, false);

	if (optind == argc) {
		for (i = 0; i < ARRAY_SIZE(default_vcpus); i++)
			bench(default_vcpus[i], rounds, calls);
	}
	for (i = optind; i < argc; i++)
		bench(atoi(argv[i]), rounds, calls);

	pcm_set_param(PCM_PARAM_COUNT_EVENTS, true);
	return 0;
}
