/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * PCM statistics of a record/replay host, read by a guest with hypercall
 * PCM_HC_GET_PCM_INFO.  See Documentation/virt/kvm/x86/pcm-hypercall.rst.
 */
#ifndef _UAPI_LINUX_KVM_PCM_H
#define _UAPI_LINUX_KVM_PCM_H

#include <linux/types.h>

/*
 * The hypercall numbers are KVM_HC_PCM_GET_INFO and
 * KVM_HC_PCM_GET_INFO_SIZED in <linux/kvm_para.h>; these are their names
 * of the ioctl era, for guests built against kernels without them.
 *
 * rax = PCM_HC_GET_PCM_INFO, rbx = guest physical address of the buffer.
 * The host writes PCM_HC_GET_PCM_INFO_LEN bytes: the first 36 counters,
 * forever, whatever the list grows to.
 */
#define PCM_HC_GET_PCM_INFO	104
#define PCM_HC_GET_PCM_INFO_LEN	288

/*
 * rax = PCM_HC_GET_PCM_INFO_SIZED, rbx = guest physical address of the
 * buffer, rcx = its size in bytes (a multiple of 8, 0 to only ask).  The
 * host writes min(rcx, its own size) bytes of its layout and returns its
 * own size, so host and guest of different versions agree on the common
 * prefix.  Hosts without it return -KVM_ENOSYS: use PCM_HC_GET_PCM_INFO.
 */
#define PCM_HC_GET_PCM_INFO_SIZED	105

/*
 * KVM_CHECK_EXTENSION: 1 if the VM (or, on /dev/kvm, a VM) can have PCM.
 * KVM_ENABLE_CAP on a VM, at any time: args[0] = 1 serves PCM to that VM,
 * 0 answers its PCM hypercalls as a KVM without PCM does; until then the
 * VM follows kvm.pcm_hypercall.  Upstream numbers its capabilities one
 * after another from 0 (6.12's last is 239): this one, "PCM" in ASCII,
 * is far out of their way, and a KVM without PCM answers 0 and -EINVAL.
 */
#define KVM_CAP_X86_PCM		0x50434d

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
 * Every counter as a little-endian __u64, in ABI order, without padding:
 * 288 bytes today.  PCM_HC_GET_PCM_INFO writes its first 288 bytes, the
 * layout guests of the ioctl era read, so that prefix never changes.  New
 * counters are only ever appended to the list, and only
 * PCM_HC_GET_PCM_INFO_SIZED serves them.
 */
struct kvm_pcm_info {
	__u64 counters[KVM_PCM_NR_COUNTERS];
};

#endif /* _UAPI_LINUX_KVM_PCM_H */
