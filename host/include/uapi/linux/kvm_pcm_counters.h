/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The PCM counters in ABI order: the only place their names and their
 * order are written.  The layout of struct kvm_pcm_info, the guest's sysfs
 * files, the host's debugfs files, the documentation check and the tests
 * are all expanded from this list, so they cannot drift apart.
 *
 * Like <asm/kvm-x86-ops.h>: define KVM_PCM_COUNTER(group, field) and,
 * where needed, KVM_PCM_GROUP(group), which precedes each group's
 * counters; then include this file.  The counters that KVM counts itself
 * on the host are KVM_PCM_KVM_COUNTER(group, field), which is
 * KVM_PCM_COUNTER unless the includer defines it too; the record/replay
 * engine moves all the others.  All three are undefined at its end, and
 * it has no include guard on purpose.  KVM_PCM_SKIP(...) is what an entry
 * the includer does not want expands to: nothing.
 */
#ifndef KVM_PCM_SKIP
#define KVM_PCM_SKIP(...)
#endif
#ifndef KVM_PCM_GROUP
#define KVM_PCM_GROUP(group)	KVM_PCM_SKIP(group)
#endif
#ifndef KVM_PCM_KVM_COUNTER
#define KVM_PCM_KVM_COUNTER(group, field)	KVM_PCM_COUNTER(group, field)
#endif

#ifdef KVM_PCM_COUNTER
KVM_PCM_GROUP(sample)
KVM_PCM_COUNTER(sample, smi_fired)
KVM_PCM_COUNTER(sample, buf_overflow)
KVM_PCM_COUNTER(sample, error_occurred)
KVM_PCM_COUNTER(sample, itr_overflow)
KVM_PCM_COUNTER(sample, start_sample_hw_failure)
KVM_PCM_COUNTER(sample, stop_sample_hw_failure)
KVM_PCM_COUNTER(sample, send_payload_failure)

KVM_PCM_GROUP(replay)
KVM_PCM_COUNTER(replay, success)
KVM_PCM_COUNTER(replay, failed)
KVM_PCM_COUNTER(replay, dropped)

KVM_PCM_GROUP(event)
KVM_PCM_COUNTER(event, evt_dma_memory_write)
KVM_PCM_COUNTER(event, evt_dma_memory_read)
KVM_PCM_KVM_COUNTER(event, evt_external_interrupt)
KVM_PCM_KVM_COUNTER(event, evt_switch_exec_cpu)
KVM_PCM_COUNTER(event, evt_rflags_change)
KVM_PCM_COUNTER(event, evt_itr_dma)
KVM_PCM_COUNTER(event, evt_itr_p2p)
KVM_PCM_COUNTER(event, evt_mmio_compl)
KVM_PCM_COUNTER(event, evt_itr_dq)
KVM_PCM_COUNTER(event, log_exception_pagefault)
KVM_PCM_COUNTER(event, log_ins_exec_rdtsc)
KVM_PCM_COUNTER(event, log_ins_exec_rdtscp)
KVM_PCM_KVM_COUNTER(event, log_ins_exec_rdpmc)
KVM_PCM_COUNTER(event, log_ins_exec_rdseed)
KVM_PCM_KVM_COUNTER(event, log_ins_exec_pio_in)
KVM_PCM_KVM_COUNTER(event, log_ins_exec_pio_out)
KVM_PCM_KVM_COUNTER(event, log_ins_exec_mmio_in)
KVM_PCM_KVM_COUNTER(event, log_ins_exec_mmio_out)
KVM_PCM_KVM_COUNTER(event, log_ins_vmcall)
KVM_PCM_KVM_COUNTER(event, log_ins_cpuid_rd)
KVM_PCM_KVM_COUNTER(event, log_ins_msr_read)
KVM_PCM_KVM_COUNTER(event, log_ins_msr_write)
KVM_PCM_COUNTER(event, log_infield_debug)
KVM_PCM_COUNTER(event, replay_abort)
KVM_PCM_COUNTER(event, replay_end)
KVM_PCM_COUNTER(event, log_oss_memmap_change)
#endif

#undef KVM_PCM_GROUP
#undef KVM_PCM_KVM_COUNTER
#undef KVM_PCM_COUNTER
