/* SPDX-License-Identifier: GPL-2.0-only */
/* What x86.c and debugfs.c call into arch/x86/kvm/pcm.c. */
#ifndef __ARCH_X86_KVM_PCM_H__
#define __ARCH_X86_KVM_PCM_H__

#include <linux/kvm_host.h>
#include <linux/kvm_para.h>
#include <linux/kvm_pcm.h>

#ifdef CONFIG_KVM_PCM
void kvm_pcm_init_vm(struct kvm *kvm);
unsigned long kvm_pcm_hypercall(struct kvm_vcpu *vcpu, gpa_t gpa);
bool kvm_pcm_handle_foreign_hypercall(struct kvm_vcpu *vcpu);
void kvm_pcm_create_vm_debugfs(struct kvm *kvm);
#else
static inline void kvm_pcm_init_vm(struct kvm *kvm)
{
}

static inline unsigned long kvm_pcm_hypercall(struct kvm_vcpu *vcpu, gpa_t gpa)
{
	return -KVM_ENOSYS;
}

static inline bool kvm_pcm_handle_foreign_hypercall(struct kvm_vcpu *vcpu)
{
	return false;
}

static inline void kvm_pcm_create_vm_debugfs(struct kvm *kvm)
{
}
#endif

#endif /* __ARCH_X86_KVM_PCM_H__ */
