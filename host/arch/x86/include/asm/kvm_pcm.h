/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-VM PCM statistics of a record/replay host, and the functions a
 * record/replay engine uses to update them.
 *
 * A counter is named by its enum kvm_pcm_counter from <linux/kvm_pcm.h>,
 * for example KVM_PCM_replay_success.  A VM's value of a counter the
 * engine moves is what the engine has set or added; of one KVM counts
 * itself (KVM_PCM_KVM_COUNTER() in <linux/kvm_pcm_counters.h>), what its
 * vCPUs have counted, plus what a set added or took away.  kvm_pcm_add()
 * and kvm_pcm_set() take a spinlock with interrupts disabled, kvm_pcm_get()
 * takes none, so they may be called from any context but NMI.  Each call
 * updates one counter: a guest reading meanwhile may see an update of one
 * counter and not yet that of another.  They do nothing useful when
 * CONFIG_KVM_PCM is off, which is why they are only declared when it is on.
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

/* What the VMM chose for a VM with KVM_CAP_X86_PCM. */
enum kvm_pcm_choice {
	KVM_PCM_DEFAULT,	/* nothing: the kvm.pcm_hypercall default */
	KVM_PCM_OFF,
	KVM_PCM_ON,
};

/*
 * Per-VM state, in struct kvm_arch.  What the guest reads lives here and
 * in struct kvm_pcm_vcpu, never in the KVM statistics: those are mirrors
 * (<asm/kvm_pcm_stats.h>), which KVM's debugfs lets root clear, and a
 * clear must not move what the guest reads.
 */
struct kvm_pcm {
	spinlock_t lock;	/* serializes the writers of value[] */
#ifdef CONFIG_KVM_PCM
	enum kvm_pcm_choice choice;
	/* Its memory is encrypted (SEV, SEV-ES): PCM never writes it. */
	bool confidential;
	/*
	 * A counter the engine moves: its value.  One KVM counts: what a set
	 * added to the vCPUs' counts, modulo 2^64.
	 */
	u64 value[KVM_PCM_NR_COUNTERS];
#endif
	struct kvm_pcm_file files[KVM_PCM_NR_COUNTERS];
};

/*
 * Per-vCPU state, in struct kvm_vcpu_arch: the events KVM counted on this
 * vCPU (only those of KVM_PCM_KVM_COUNTER() move).  Only the vCPU's own
 * thread writes them, so they need no lock and no atomics.
 */
struct kvm_pcm_vcpu {
#ifdef CONFIG_KVM_PCM
	u64 counts[KVM_PCM_NR_COUNTERS];
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
