// SPDX-License-Identifier: GPL-2.0-only
/*
 * Benchmark, not a test: what one PCM hypercall (104) costs with 1, 64
 * and 256 vCPUs created in the VM.  A read sums the counts of every vCPU
 * the VM has, running or not, so its cost grows with them; only vCPU 0
 * runs here.  For each vCPU count the host times rounds of hypercalls and
 * prints one line, "vcpus N ns/call M" (the median of the rounds), for
 * scripts/bench to put beside the same numbers from another KVM.
 *
 *   pcm_read_bench [-r ROUNDS] [-n CALLS_PER_ROUND] [VCPUS ...]
 *
 * Needs root and a KVM built with CONFIG_KVM_PCM.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "kvm_util.h"
#include "pcm_util.h"
#include "processor.h"
#include "test_util.h"

static u64 guest_calls;
static u8 guest_buf[PCM_INFO_SIZE] __aligned(64);
static u64 guest_buf_gpa;

static void guest_code(void)
{
	u64 gpa = READ_ONCE(guest_buf_gpa), i;

	for (;;) {
		for (i = 0; i < READ_ONCE(guest_calls); i++)
			GUEST_ASSERT(!pcm_guest_hypercall(PCM_HC_GET_PCM_INFO, gpa));
		GUEST_SYNC(0);
	}
}

static double bench(unsigned int nr_vcpus, int rounds, u64 calls)
{
	struct kvm_vcpu **vcpus;
	double *ns, med;
	struct kvm_vm *vm;
	int i;

	vcpus = calloc(nr_vcpus, sizeof(*vcpus));
	ns = calloc(rounds, sizeof(*ns));
	TEST_ASSERT(vcpus && ns, "calloc");

	vm = vm_create_with_vcpus(nr_vcpus, guest_code, vcpus);
	guest_buf_gpa = addr_gva2gpa(vm, (vm_vaddr_t)guest_buf);
	pcm_use_native_hypercall(vm);
	guest_calls = calls;
	sync_global_to_guest(vm, guest_buf_gpa);
	sync_global_to_guest(vm, guest_calls);

	/* A first, untimed round warms up the guest and KVM. */
	pcm_time_round(vcpus[0], calls);
	for (i = 0; i < rounds; i++)
		ns[i] = pcm_time_round(vcpus[0], calls);
	med = pcm_median(ns, rounds);

	kvm_vm_free(vm);
	free(ns);
	free(vcpus);
	return med;
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
			printf("vcpus %u ns/call %.0f\n", default_vcpus[i],
			       bench(default_vcpus[i], rounds, calls));
	}
	for (i = optind; i < argc; i++)
		printf("vcpus %s ns/call %.0f\n", argv[i],
		       bench(atoi(argv[i]), rounds, calls));

	pcm_set_param(PCM_PARAM_COUNT_EVENTS, true);
	return 0;
}
