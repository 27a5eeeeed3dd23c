/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-VM PCM statistics of a record/replay host, and the functions a
 * record/replay engine uses to update them.
 *
 * A counter is named by its enum kvm_pcm_counter from <linux/kvm_pcm.h>,
 * for example KVM_PCM_replay_success.  A VM's value of a counter is what
 * the engine has set or added (struct kvm_pcm) plus what KVM itself has
 * counted on each vCPU (struct kvm_pcm_vcpu).  kvm_pcm_add() and
 * kvm_pcm_set() take a spinlock with interrupts disabled, kvm_pcm_get()
 * takes none, so they may be called from any context but NMI.  Each call
 * updates one counter: a guest reading meanwhile may see an update of one
 * counter and not yet that of another.  They do nothing useful when CONFIG_KVM_PCM is off,
 * which is why they are only declared when it is on.
 */
#ifndef _ASM_X86_KVM_PCM_H
#define _ASM_X86_KVM_PCM_H

#include <linux/kvm_pcm.h>
#include <linux/spinlock_types.h>
#include <linux/types.h>

struct kvm;

/* What a per-VM debugfs counter file needs to find its counter. */
struct kvm_pcm_file {
	struct kvm *kvm;
	enum kvm_pcm_counter counter;
};

/* Per-VM state, in struct kvm_arch. */
struct kvm_pcm {
	spinlock_t lock;	/* serializes the engine's writes to info */
	/*
	 * The engine's part of each counter; the vCPUs' parts are added.
	 * Readers take no lock.
	 */
	struct kvm_pcm_info info;
	struct kvm_pcm_file files[KVM_PCM_NR_COUNTERS];
};

/*
 * Events KVM counts itself, in struct kvm_vcpu_arch.  Only the vCPU's own
 * thread writes them, so they need no lock and no atomics; readers sum
 * them over the vCPUs, the way KVM's vCPU statistics work.
 */
struct kvm_pcm_vcpu {
	u64 counters[KVM_PCM_NR_COUNTERS];
	/* PCM hypercalls made at CPL 0, whatever their result. */
	u64 hypercalls;
};

#ifdef CONFIG_KVM_PCM
/**
 * kvm_pcm_add - add @delta to a counter of @kvm
 * @kvm: the VM
 * @counter: which counter, e.g. KVM_PCM_replay_success
 * @delta: what to add; the counter wraps at 2^64
 */
void kvm_pcm_add(struct kvm *kvm, enum kvm_pcm_counter counter, u64 delta);

/**
 * kvm_pcm_set - set a counter of @kvm to @value
 * @kvm: the VM
 * @counter: which counter, e.g. KVM_PCM_replay_success
 * @value: the new value
 *
 * For a counter KVM counts itself, events that running vCPUs count while
 * this runs are added to @value.
 */
void kvm_pcm_set(struct kvm *kvm, enum kvm_pcm_counter counter, u64 value);

/**
 * kvm_pcm_get - read a counter of @kvm
 * @kvm: the VM
 * @counter: which counter, e.g. KVM_PCM_replay_success
 *
 * Return: the counter's value; 0 for a counter out of range.
 */
u64 kvm_pcm_get(struct kvm *kvm, enum kvm_pcm_counter counter);
#endif

#endif /* _ASM_X86_KVM_PCM_H */
