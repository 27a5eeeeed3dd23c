/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The PCM statistics, one named u64 each, expanded from the counter list
 * of <linux/kvm_pcm_counters.h>: included inside struct kvm_vm_stat and
 * struct kvm_vcpu_stat (members) and inside kvm_vm_stats_desc[] and
 * kvm_vcpu_stats_desc[] (descriptors), in the same order, so descriptor
 * order is data order.  The includer defines KVM_PCM_VM_STAT(name),
 * KVM_PCM_VCPU_STAT(name) or both; each is undefined at the end, and the
 * file has no include guard on purpose.
 *
 *   VM scope    pcm_<group>_<field>  a counter the engine moves: its value,
 *                                    which a set may lower (an instant
 *                                    statistic, read-only)
 *   vCPU scope  pcm_<group>_<field>  a counter KVM counts: its count on
 *                                    the vCPU (cumulative)
 *               pcm_hypercalls       PCM hypercalls made at CPL 0
 *
 * Each counter is in one scope only.  The statistics mirror what the
 * guest reads (struct kvm_pcm, struct kvm_pcm_vcpu) and never feed it:
 * clearing one through KVM's debugfs clears the statistic, not the
 * counter.  A set of a KVM-counted counter changes what the guest reads,
 * not what KVM counted.
 */
#ifdef CONFIG_KVM_PCM
#ifndef KVM_PCM_VM_STAT
#define KVM_PCM_VM_STAT(name)	KVM_PCM_SKIP(name)
#endif
#ifndef KVM_PCM_VCPU_STAT
#define KVM_PCM_VCPU_STAT(name)	KVM_PCM_SKIP(name)
#endif

#define KVM_PCM_COUNTER(group, field)	KVM_PCM_VM_STAT(pcm_##group##_##field)
#define KVM_PCM_KVM_COUNTER(group, field) \
	KVM_PCM_VCPU_STAT(pcm_##group##_##field)
#include <linux/kvm_pcm_counters.h>
KVM_PCM_VCPU_STAT(pcm_hypercalls)
#endif /* CONFIG_KVM_PCM */

#undef KVM_PCM_VM_STAT
#undef KVM_PCM_VCPU_STAT
