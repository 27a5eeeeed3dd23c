// SPDX-License-Identifier: GPL-2.0-only
/*
 * Benchmark, not a test: what KVM's PCM event counting costs a port I/O
 * exit.  The guest reads the in-kernel PIC's mask register in a loop, so
 * every iteration is one exit handled in the kernel; the host times
 * rounds of it with kvm.pcm_count_events on and off, alternating so both
 * see the same machine, and prints the medians and their ratio.
 *
 *   pcm_pio_bench [-r ROUNDS] [-n EXITS_PER_ROUND]
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

/* The master PIC's interrupt mask register: KVM's in-kernel PIC answers. */
#define PIC_MASK_PORT		0x21

static u64 guest_exits;

static void guest_code(void)
{
	u64 i;
	u8 v;

	for (;;) {
		for (i = 0; i < READ_ONCE(guest_exits); i++)
			asm volatile("inb %w1, %b0" : "=a"(v) : "d"(PIC_MASK_PORT));
		GUEST_SYNC(0);
	}
}

int main(int argc, char *argv[])
{
	int rounds = 21, opt, i;
	enum kvm_pcm_counter c = KVM_PCM_event_log_ins_exec_pio_in;
	double *on, *off, med_on, med_off;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	u64 exits = 20000, before, counted;

	while ((opt = getopt(argc, argv, "r:n:")) != -1) {
		switch (opt) {
		case 'r':
			rounds = atoi(optarg);
			break;
		case 'n':
			exits = strtoull(optarg, NULL, 0);
			break;
		default:
			fprintf(stderr, "usage: %s [-r ROUNDS] [-n EXITS]\n", argv[0]);
			exit(KSFT_FAIL);
		}
	}
	TEST_ASSERT(rounds > 0 && exits > 0, "ROUNDS and EXITS must be > 0");

	pcm_require_host();
	on = calloc(rounds, sizeof(*on));
	off = calloc(rounds, sizeof(*off));
	TEST_ASSERT(on && off, "calloc");

	vm = vm_create_with_one_vcpu(&vcpu, guest_code);
	/* A first, untimed round warms up the guest and KVM's PIO path. */
	guest_exits = exits;
	sync_global_to_guest(vm, guest_exits);
	pcm_time_round(vcpu, exits);

	before = pcm_get_counter(vm, c);
	counted = 0;
	for (i = 0; i < rounds; i++) {
		pcm_set_param(PCM_PARAM_COUNT_EVENTS, true);
		on[i] = pcm_time_round(vcpu, exits);
		counted += exits + 1;	/* the loop and its GUEST_SYNC */
		pcm_set_param(PCM_PARAM_COUNT_EVENTS, false);
		off[i] = pcm_time_round(vcpu, exits);
	}
	pcm_set_param(PCM_PARAM_COUNT_EVENTS, true);
	TEST_ASSERT(pcm_get_counter(vm, c) - before == counted,
		    "log_ins_exec_pio_in moved by %lu, expected %lu",
		    pcm_get_counter(vm, c) - before, counted);

	med_on = pcm_median(on, rounds);
	med_off = pcm_median(off, rounds);
	printf("port I/O exit loop, %d rounds of %lu exits each, alternating\n",
	       rounds, exits);
	printf("  %-28s %10s\n", "kvm.pcm_count_events", "ns/exit");
	printf("  %-28s %10.1f\n", "Y (counting)", med_on);
	printf("  %-28s %10.1f\n", "N (not counting)", med_off);
	printf("  %-28s %10.4f  (%+.2f%%)\n", "ratio on/off", med_on / med_off,
	       (med_on / med_off - 1) * 100);

	kvm_vm_free(vm);
	free(on);
	free(off);
	return 0;
}
