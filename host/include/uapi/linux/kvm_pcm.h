/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * PCM statistics of a record/replay host, read by a guest with hypercall
 * PCM_HC_GET_PCM_INFO.  See Documentation/virt/kvm/x86/pcm-hypercall.rst.
 */
#ifndef _UAPI_LINUX_KVM_PCM_H
#define _UAPI_LINUX_KVM_PCM_H

#include <linux/types.h>

/* rax = PCM_HC_GET_PCM_INFO, rbx = guest physical address of the buffer. */
#define PCM_HC_GET_PCM_INFO	104

/*
 * Index of each counter, in ABI order, named KVM_PCM_<group>_<field>, for
 * example KVM_PCM_replay_success.  The names come from
 * <linux/kvm_pcm_counters.h>.
 */
enum kvm_pcm_counter {
#define KVM_PCM_COUNTER(group, field)	KVM_PCM_##group##_##field,
#include <linux/kvm_pcm_counters.h>
	KVM_PCM_NR_COUNTERS
};

/*
 * What PCM_HC_GET_PCM_INFO writes: every counter as a little-endian __u64,
 * in ABI order, 288 bytes without padding.  Guests of the ioctl era read
 * exactly this layout, so it never changes.
 */
struct kvm_pcm_info {
	__u64 counters[KVM_PCM_NR_COUNTERS];
};

#endif /* _UAPI_LINUX_KVM_PCM_H */
