/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers for the PCM statistics selftests: the counter table, the per-VM
 * and global debugfs files, the kvm module parameters and a vCPU at CPL 3.
 *
 * Per VM:  <debugfs>/kvm/<pid>-<vm fd>/pcm/<group>/<field> (settable),
 *          and KVM's statistics files pcm_<group>_<field>, pcm_hypercalls
 * Global:  <debugfs>/kvm/pcm_<group>_<field>, the sum over all live VMs
 * Switches: /sys/module/kvm/parameters/<name>, 'Y' or 'N'
 *
 * Every helper that reads or writes a file asserts that it worked, except
 * the __ ones, which return the errno instead.
 */
#ifndef SELFTEST_KVM_PCM_UTIL_H
#define SELFTEST_KVM_PCM_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/kvm_pcm.h>

#include "kvm_util.h"
#include "processor.h"
#include "ucall_common.h"

/*
 * The tests use the selftest library of Linux 6.12; the shims below give
 * its API on 6.1's.  Only 6.1's ucall_common.h defines GUEST_ASSERT_1, so
 * that tells the two apart, also for functions and variables.
 */
#ifdef GUEST_ASSERT_1
/* 6.12's guest asserts format in the guest; on 6.1, @fmt and <= 3 integers go to the host. */
#undef __GUEST_ASSERT
#define __GUEST_ASSERT(_cond, _fmt, _args...)				\
do {									\
	if (!(_cond)) {							\
		u64 __v[4] = { 0, ##_args };				\
									\
		ucall(UCALL_ABORT, UCALL_MAX_ARGS, #_cond, __FILE__,	\
		      __LINE__, _fmt, __v[1], __v[2], __v[3]);		\
	}								\
} while (0)

/* 6.12's GUEST_ASSERT(), on the __GUEST_ASSERT() above. */
#undef GUEST_ASSERT
#define GUEST_ASSERT(_cond)	__GUEST_ASSERT(_cond, #_cond)

/* 6.1's would lose its values with the __GUEST_ASSERT() above. */
#undef GUEST_ASSERT_EQ

/* 6.12's host half, REPORT_GUEST_ASSERT(): the guest's message, formatted. */
void pcm_report_guest_assert(const struct ucall *uc);
#undef REPORT_GUEST_ASSERT
#define REPORT_GUEST_ASSERT(_uc)	pcm_report_guest_assert(&(_uc))

/* 6.12 has the globals host_cpu_is_amd/intel, 6.1 is_amd_cpu()/is_intel_cpu(). */
#define host_cpu_is_amd		is_amd_cpu()
#define host_cpu_is_intel	is_intel_cpu()

/* 6.12's returns a pointer to the PTE; 6.1's takes a vCPU and returns its value. */
u64 *pcm_vm_get_page_table_entry(struct kvm_vm *vm, u64 vaddr);
#define vm_get_page_table_entry(vm, vaddr)	pcm_vm_get_page_table_entry(vm, vaddr)

/* 6.12 gives every VM and vCPU an IDT and a GDT, 6.1 only when asked to. */
void pcm_init_descriptor_tables(struct kvm_vm *vm);
#else
/* Nothing to do on 6.12, see above. */
static inline void pcm_init_descriptor_tables(struct kvm_vm *vm)
{
}
#endif /* GUEST_ASSERT_1 */

#define PCM_DEBUGFS		"/sys/kernel/debug"
#define PCM_KVM_DEBUGFS		PCM_DEBUGFS "/kvm"
#define PCM_PARAM_DIR		"/sys/module/kvm/parameters"

/* The module parameters the tests switch. */
#define PCM_PARAM_HYPERCALL		"pcm_hypercall"
#define PCM_PARAM_SIZED_HYPERCALL	"pcm_sized_hypercall"
#define PCM_PARAM_COUNT_EVENTS		"pcm_count_events"

#define PCM_INFO_SIZE		sizeof(struct kvm_pcm_info)

/* What test memory holds before a case runs, so a stray write shows. */
#define PCM_POISON		0xa5

/* A guest that never exits fails pcm_run_vcpu() after this. */
#define PCM_RUN_TIMEOUT_S	60

/* Port the CPL 3 stub (pcm_cpl3_done) writes to when it is done. */
#define PCM_CPL3_DONE_PORT	0x80
#define PCM_CPL3_DONE_SIZE	4

/* One counter, from <linux/kvm_pcm_counters.h>: its files and its place. */
struct pcm_counter {
	const char *group;
	const char *field;
	size_t offset;		/* in struct kvm_pcm_info, in bytes */
	bool kvm_counted;	/* KVM counts it (KVM_PCM_KVM_COUNTER) */
};

extern const struct pcm_counter pcm_counters[KVM_PCM_NR_COUNTERS];

/* out %al, $PCM_CPL3_DONE_PORT; jmp . */
extern const u8 pcm_cpl3_done[PCM_CPL3_DONE_SIZE];

/* The hypercall instructions: Intel's VMCALL and AMD's VMMCALL. */
#define PCM_HYPERCALL_INSN_SIZE	3
extern const u8 pcm_vmcall[PCM_HYPERCALL_INSN_SIZE];
extern const u8 pcm_vmmcall[PCM_HYPERCALL_INSN_SIZE];

u64 pcm_value(unsigned int i);
bool expect_u64(const char *what, u64 expected, u64 got);
bool expect_bytes(const char *what, const u8 *expected, const u8 *got,
		  size_t len);

void pcm_require_host(void);
struct userspace_mem_region *pcm_memslot_find(struct kvm_vm *vm, u64 start, u64 end);
void pcm_vm_dir(struct kvm_vm *vm, char *dir, size_t size);

u64 pcm_get_counter(struct kvm_vm *vm, enum kvm_pcm_counter c);
int __pcm_set_counter_str(struct kvm_vm *vm, enum kvm_pcm_counter c,
			  const char *s);
void pcm_set_counter(struct kvm_vm *vm, enum kvm_pcm_counter c, u64 v);
void pcm_set_all_counters(struct kvm_vm *vm);
bool pcm_check_all_counters(struct kvm_vm *vm);
bool pcm_check_values(const void *buf);
bool pcm_check_poison(const u8 *buf, size_t len);
bool pcm_check_poison_pages(struct kvm_vm *vm, u64 gva, int nr_pages,
			    int buf_page, size_t skip);
u64 pcm_get_hypercalls(struct kvm_vm *vm);
u64 pcm_get_stat(struct kvm_vm *vm, enum kvm_pcm_counter c);

bool pcm_have_param(const char *name);
bool pcm_get_param(const char *name);
int __pcm_set_param(const char *name, bool on);
bool pcm_try_set_param(const char *name, bool on);
void pcm_set_param(const char *name, bool on);

extern bool pcm_guest_use_vmmcall;
void pcm_use_native_hypercall(struct kvm_vm *vm);
u64 pcm_guest_hypercall(u64 nr, u64 a0);
u64 pcm_guest_hypercall2(u64 nr, u64 a0, u64 a1);
u64 pcm_guest_foreign_hypercall(u64 nr, u64 a0);
/* The instruction pcm_guest_foreign_hypercall() makes, in guest text. */
extern const u8 pcm_foreign_vmcall[PCM_HYPERCALL_INSN_SIZE];
extern const u8 pcm_foreign_vmmcall[PCM_HYPERCALL_INSN_SIZE];
void pcm_expect_ucall(struct kvm_vcpu *vcpu, struct ucall *uc, u64 cmd);

void pcm_pin_self(int cpu);
u64 pcm_now_ns(void);
double pcm_time_round(struct kvm_vcpu *vcpu, u64 n);
double pcm_median(double *v, int n);
int __pcm_run_vcpu(struct kvm_vcpu *vcpu, unsigned int seconds);
bool pcm_run_vcpu(struct kvm_vcpu *vcpu);

void pcm_make_user_accessible(struct kvm_vm *vm, u64 gva);
void pcm_vcpu_set_cpl3(struct kvm_vcpu *vcpu, u64 rip, u64 rax, u64 rbx);
bool pcm_check_cpl3_done(struct kvm_vcpu *vcpu);

#endif /* SELFTEST_KVM_PCM_UTIL_H */
