/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The PCM counters as KVM statistics: included inside kvm_vm_stats_desc[]
 * (with KVM_PCM_STATS_VM defined) and kvm_vcpu_stats_desc[] in x86.c, as
 * vmx/vmcs_shadow_fields.h is inside its tables.  One cumulative counter
 * per field of <linux/kvm_pcm_counters.h>, in ABI order:
 *
 *   VM scope    pcm_<group>_<field>       the engine's part
 *   vCPU scope  pcm_vcpu_<group>_<field>  what KVM counted on the vCPU
 *               pcm_hypercalls            PCM hypercalls made at CPL 0
 *
 * A VM's value of a counter, what a guest reads, is the VM statistic plus
 * the sum of the vCPU statistics, as for KVM's own counters.  No include
 * guard: it is included twice.
 */
#ifdef CONFIG_KVM_PCM

#define KVM_PCM_STATS_DESC(stat_struct, member, stat_name)		\
	{								\
		{							\
			STATS_DESC_COMMON(KVM_STATS_TYPE_CUMULATIVE,	\
					  KVM_STATS_UNIT_NONE,		\
					  KVM_STATS_BASE_POW10, 0, 1, 0), \
			.offset = offsetof(struct stat_struct, member)	\
		},							\
		.name = stat_name,					\
	}

#ifdef KVM_PCM_STATS_VM
#define KVM_PCM_COUNTER(group, field)					\
	KVM_PCM_STATS_DESC(kvm_vm_stat,					\
			   pcm.counters[KVM_PCM_##group##_##field],	\
			   "pcm_" #group "_" #field),
#else
#define KVM_PCM_COUNTER(group, field)					\
	KVM_PCM_STATS_DESC(kvm_vcpu_stat,				\
			   pcm.counters[KVM_PCM_##group##_##field],	\
			   "pcm_vcpu_" #group "_" #field),
	KVM_PCM_STATS_DESC(kvm_vcpu_stat, pcm.hypercalls, "pcm_hypercalls"),
#endif
#include <linux/kvm_pcm_counters.h>

#undef KVM_PCM_STATS_DESC
#endif /* CONFIG_KVM_PCM */
#undef KVM_PCM_STATS_VM
