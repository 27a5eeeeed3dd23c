/* SPDX-License-Identifier: GPL-2.0-only */
/* What x86.c, cpuid.c and debugfs.c call into pcm.c. */
#ifndef __ARCH_X86_KVM_PCM_H__
#define __ARCH_X86_KVM_PCM_H__

#include <linux/jump_label.h>
#include <linux/kvm_host.h>
#include <linux/kvm_para.h>
#include <linux/kvm_pcm.h>

#include "kvm_cache_regs.h"
#include "kvm_emulate.h"

#ifdef CONFIG_KVM_PCM
DECLARE_STATIC_KEY_TRUE(kvm_pcm_count_events);

void kvm_pcm_init_vm(struct kvm *kvm);
unsigned long kvm_pcm_hypercall(struct kvm_vcpu *vcpu, gpa_t gpa);
unsigned long kvm_pcm_hypercall_sized(struct kvm_vcpu *vcpu, gpa_t gpa,
				      unsigned long size);
bool kvm_pcm_serve_hypercall(struct kvm_vcpu *vcpu, unsigned long *result);
void kvm_pcm_create_vm_debugfs(struct kvm *kvm);
int kvm_pcm_check_extension(struct kvm *kvm);
int kvm_pcm_enable_cap(struct kvm *kvm, struct kvm_enable_cap *cap);

/*
 * @kvm's memory is encrypted (SEV, SEV-ES): the host cannot tell a page
 * the guest shares from a private one, and the guest would read the
 * host's plaintext in a private page as garbage.  From now on PCM answers
 * @kvm as a KVM without PCM does.
 */
static inline void kvm_pcm_vm_is_confidential(struct kvm *kvm)
{
	WRITE_ONCE(kvm->arch.pcm.confidential, true);
}

/* Where a counter KVM counts has its statistic in struct kvm_vcpu_stat. */
extern const u16 kvm_pcm_vcpu_stat_offset[KVM_PCM_NR_COUNTERS];

/*
 * Count one event KVM has seen on @vcpu, in the count the guest reads and
 * in its statistic.  Called on the vCPU's own thread (vcpu_load() done or
 * the vCPU mutex held), so plain increments are enough;
 * kvm.pcm_count_events=0 patches them out.
 */
static __always_inline void kvm_pcm_count(struct kvm_vcpu *vcpu,
					  enum kvm_pcm_counter counter)
{
	u16 offset;

	if (!static_branch_likely(&kvm_pcm_count_events))
		return;
	offset = kvm_pcm_vcpu_stat_offset[counter];
	if (WARN_ON_ONCE(!offset))	/* the engine's counter, not KVM's */
		return;
	vcpu->arch.pcm.counts[counter]++;
	(*(u64 *)((void *)&vcpu->stat + offset))++;
}
#else
static inline void kvm_pcm_init_vm(struct kvm *kvm)
{
}

static inline unsigned long kvm_pcm_hypercall(struct kvm_vcpu *vcpu, gpa_t gpa)
{
	return -KVM_ENOSYS;
}

static inline unsigned long kvm_pcm_hypercall_sized(struct kvm_vcpu *vcpu,
						    gpa_t gpa,
						    unsigned long size)
{
	return -KVM_ENOSYS;
}

static inline bool kvm_pcm_serve_hypercall(struct kvm_vcpu *vcpu,
					   unsigned long *result)
{
	return false;
}

static inline void kvm_pcm_create_vm_debugfs(struct kvm *kvm)
{
}

static inline int kvm_pcm_check_extension(struct kvm *kvm)
{
	return 0;
}

static inline int kvm_pcm_enable_cap(struct kvm *kvm,
				     struct kvm_enable_cap *cap)
{
	return -EINVAL;
}

static inline void kvm_pcm_vm_is_confidential(struct kvm *kvm)
{
}

static inline void kvm_pcm_count(struct kvm_vcpu *vcpu,
				 enum kvm_pcm_counter counter)
{
}
#endif

static inline void kvm_pcm_count_pio(struct kvm_vcpu *vcpu, bool in)
{
	kvm_pcm_count(vcpu, in ? KVM_PCM_event_log_ins_exec_pio_in :
				 KVM_PCM_event_log_ins_exec_pio_out);
}

/*
 * INS and OUTS (0x6c-0x6f) count once, when the emulator retires them:
 * KVM re-enters the guest in the middle of a REP string instruction (after
 * each OUTS element that userspace handles, every 1024 elements...), so
 * the exits do not say where an instruction starts, but the moving RIP
 * says where it ends.  Called before the new RIP is written.
 */
static inline void kvm_pcm_count_string_pio(struct kvm_vcpu *vcpu,
					    struct x86_emulate_ctxt *ctxt)
{
	if (ctxt->opcode_len == 1 && (ctxt->b & 0xfc) == 0x6c &&
	    ctxt->eip != kvm_rip_read(vcpu))
		kvm_pcm_count_pio(vcpu, ctxt->b < 0x6e);
}

static inline void kvm_pcm_count_mmio(struct kvm_vcpu *vcpu, bool write)
{
	kvm_pcm_count(vcpu, write ? KVM_PCM_event_log_ins_exec_mmio_out :
				    KVM_PCM_event_log_ins_exec_mmio_in);
}

/* Reading the counters must not move them: PCM hypercalls do not count. */
static inline void kvm_pcm_count_hypercall(struct kvm_vcpu *vcpu,
					   unsigned long nr)
{
	if (nr != PCM_HC_GET_PCM_INFO && nr != PCM_HC_GET_PCM_INFO_SIZED)
		kvm_pcm_count(vcpu, KVM_PCM_event_log_ins_vmcall);
}

#endif /* __ARCH_X86_KVM_PCM_H__ */
