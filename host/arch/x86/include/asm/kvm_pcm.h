/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-VM PCM statistics of a record/replay host, and the functions a
 * record/replay engine uses to update them.
 *
 * A counter is named by its enum kvm_pcm_counter from <linux/kvm_pcm.h>,
 * for example KVM_PCM_replay_success.  A VM's value of a counter is what
 * the engine has set or added (struct kvm_pcm_vm_stat) plus what KVM
 * itself has counted on each vCPU (struct kvm_pcm_vcpu_stat).  kvm_pcm_add() and
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
	spinlock_t lock;	/* serializes the engine's writes to the stats */
	struct kvm_pcm_file files[KVM_PCM_NR_COUNTERS];
};

/*
 * The counters themselves are KVM statistics (arch/x86/kvm/pcm_stats.h
 * describes them), so the binary stats fd, KVM's debugfs files, kvm_stat
 * and the VMM see them.  A VM's value of a counter is its VM statistic
 * plus the sum of its vCPUs' statistics, as for KVM's own counters.
 *
 * In struct kvm_vm_stat: the engine's part of each counter (what it has
 * added or set).  Readers take no lock.
 */
struct kvm_pcm_vm_stat {
#ifdef CONFIG_KVM_PCM
	u64 counters[KVM_PCM_NR_COUNTERS];
#endif
};

/*
 * In struct kvm_vcpu_stat: the events KVM counts itself, and the PCM
 * hypercalls made at CPL 0, whatever their result.  Only the vCPU's own
 * thread writes them, so they need no lock and no atomics.
 */
struct kvm_pcm_vcpu_stat {
#ifdef CONFIG_KVM_PCM
	u64 counters[KVM_PCM_NR_COUNTERS];
	u64 hypercalls;
#endif
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
