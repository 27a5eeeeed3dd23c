// SPDX-License-Identifier: GPL-2.0-only
/*
 * PCM statistics of a record/replay host: per-VM counters, of which KVM
 * counts some itself per vCPU, the hypercalls that copy them to a guest
 * (PCM_HC_GET_PCM_INFO and PCM_HC_GET_PCM_INFO_SIZED), their KVM
 * statistics (pcm_stats.h) and a per-VM debugfs view that can set them.
 * Documentation/virt/kvm/x86/pcm-hypercall.rst describes the ABI.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/kvm_host.h>
#include <linux/module.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include "hyperv.h"
#include "pcm.h"
#include "trace.h"
#include "x86.h"
#include "xen.h"

/* Guests of the ioctl era read exactly 288 bytes; that never changes. */
static_assert(PCM_HC_GET_PCM_INFO_LEN == 288);
/* <linux/kvm_pcm.h> keeps the numbers for guests built without them. */
static_assert(PCM_HC_GET_PCM_INFO == KVM_HC_PCM_GET_INFO);
static_assert(PCM_HC_GET_PCM_INFO_SIZED == KVM_HC_PCM_GET_INFO_SIZED);
static_assert(sizeof(struct kvm_pcm_info) >= PCM_HC_GET_PCM_INFO_LEN);

static bool __read_mostly pcm_hypercall = true;
module_param(pcm_hypercall, bool, 0644);
MODULE_PARM_DESC(pcm_hypercall,
		 "Serve the PCM hypercalls 104 and 105 (default: on)");

static bool __read_mostly pcm_sized_hypercall = true;
module_param(pcm_sized_hypercall, bool, 0644);
MODULE_PARM_DESC(pcm_sized_hypercall,
		 "Serve PCM_HC_GET_PCM_INFO_SIZED (105); off, guests see a host that only has 104 (default: on)");

/*
 * A static key rather than a bool: the per-event cost with counting off
 * is a patched-out jump, which is what "make bench" compares against.
 */
DEFINE_STATIC_KEY_TRUE(kvm_pcm_count_events);

static int kvm_pcm_count_events_set(const char *val,
				    const struct kernel_param *kp)
{
	bool on;
	int ret;

	ret = kstrtobool(val, &on);
	if (ret)
		return ret;
	if (on)
		static_branch_enable(&kvm_pcm_count_events);
	else
		static_branch_disable(&kvm_pcm_count_events);
	return 0;
}

static int kvm_pcm_count_events_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%c\n",
			  static_key_enabled(&kvm_pcm_count_events) ? 'Y' : 'N');
}

static const struct kernel_param_ops kvm_pcm_count_events_ops = {
	.set = kvm_pcm_count_events_set,
	.get = kvm_pcm_count_events_get,
};
module_param_cb(pcm_count_events, &kvm_pcm_count_events_ops, NULL, 0644);
MODULE_PARM_DESC(pcm_count_events,
		 "Count the events KVM sees itself, such as port I/O exits (default: on)");

/* Group and field name of every counter, indexed by enum kvm_pcm_counter. */
static const struct {
	const char *group;
	const char *field;
} kvm_pcm_names[KVM_PCM_NR_COUNTERS] = {
#define KVM_PCM_COUNTER(group, field)	{ #group, #field },
#include <linux/kvm_pcm_counters.h>
};

void kvm_pcm_init_vm(struct kvm *kvm)
{
	spin_lock_init(&kvm->arch.pcm.lock);
}

/*
 * Readers take no lock: each counter is one aligned u64, read once, so a
 * reader sees every counter at a value it had at some point during the
 * read, never a torn one.  The counters are not one snapshot: an engine
 * update, or a vCPU's count, that runs meanwhile may be in some and not in
 * others.  Writers of pcm->value[] serialize on pcm->lock, so that an add
 * and a set never lose each other's update.
 */

/*
 * Where each counter's statistic is: in struct kvm_vm_stat for a counter
 * the engine moves, in struct kvm_vcpu_stat for one KVM counts; 0 where
 * it has none (offset 0 is one of KVM's generic statistics).
 */
static const u16 kvm_pcm_vm_stat_offset[KVM_PCM_NR_COUNTERS] = {
#define KVM_PCM_COUNTER(group, field)					\
	[KVM_PCM_##group##_##field] =					\
		offsetof(struct kvm_vm_stat, pcm_##group##_##field),
#define KVM_PCM_KVM_COUNTER(group, field)	KVM_PCM_SKIP(group, field)
#include <linux/kvm_pcm_counters.h>
};

static_assert(sizeof(struct kvm_vm_stat) <= U16_MAX);
static_assert(sizeof(struct kvm_vcpu_stat) <= U16_MAX);

const u16 kvm_pcm_vcpu_stat_offset[KVM_PCM_NR_COUNTERS] = {
#define KVM_PCM_COUNTER(group, field)	KVM_PCM_SKIP(group, field)
#define KVM_PCM_KVM_COUNTER(group, field)				\
	[KVM_PCM_##group##_##field] =					\
		offsetof(struct kvm_vcpu_stat, pcm_##group##_##field),
#include <linux/kvm_pcm_counters.h>
};

/* What the vCPUs of @kvm have counted of @counter, wrapping at 2^64. */
static u64 kvm_pcm_vcpu_sum(struct kvm *kvm, enum kvm_pcm_counter counter)
{
	struct kvm_vcpu *vcpu;
	unsigned long i;
	u64 sum = 0;

	kvm_for_each_vcpu(i, vcpu, kvm)
		sum += READ_ONCE(vcpu->arch.pcm.counts[counter]);
	return sum;
}

/* Every counter of @kvm into @info: pcm->value[] plus each vCPU's count. */
static void kvm_pcm_read_all(struct kvm *kvm, struct kvm_pcm_info *info)
{
	struct kvm_vcpu *vcpu;
	unsigned long v;
	unsigned int i;

	for (i = 0; i < KVM_PCM_NR_COUNTERS; i++)
		info->counters[i] = READ_ONCE(kvm->arch.pcm.value[i]);
	kvm_for_each_vcpu(v, vcpu, kvm)
		for (i = 0; i < KVM_PCM_NR_COUNTERS; i++)
			info->counters[i] += READ_ONCE(vcpu->arch.pcm.counts[i]);
}

/* Store @value into pcm->value[@counter] and its statistic, if any. */
static void kvm_pcm_store(struct kvm *kvm, enum kvm_pcm_counter counter,
			  u64 value)
{
	u16 offset = kvm_pcm_vm_stat_offset[counter];

	lockdep_assert_held(&kvm->arch.pcm.lock);
	WRITE_ONCE(kvm->arch.pcm.value[counter], value);
	if (offset)
		WRITE_ONCE(*(u64 *)((void *)&kvm->stat + offset), value);
}

void kvm_pcm_add(struct kvm *kvm, enum kvm_pcm_counter counter, u64 delta)
{
	struct kvm_pcm *pcm = &kvm->arch.pcm;
	unsigned long flags;

	if (WARN_ON_ONCE((unsigned int)counter >= KVM_PCM_NR_COUNTERS))
		return;

	spin_lock_irqsave(&pcm->lock, flags);
	kvm_pcm_store(kvm, counter, pcm->value[counter] + delta);
	spin_unlock_irqrestore(&pcm->lock, flags);
}

/*
 * For a counter KVM counts, pcm->value[] takes the difference between
 * @value and what the vCPUs have counted, so that the guest reads @value
 * and what they count from now on; KVM's statistics keep their counts.
 */
void kvm_pcm_set(struct kvm *kvm, enum kvm_pcm_counter counter, u64 value)
{
	struct kvm_pcm *pcm = &kvm->arch.pcm;
	unsigned long flags;

	if (WARN_ON_ONCE((unsigned int)counter >= KVM_PCM_NR_COUNTERS))
		return;

	spin_lock_irqsave(&pcm->lock, flags);
	kvm_pcm_store(kvm, counter, value - kvm_pcm_vcpu_sum(kvm, counter));
	spin_unlock_irqrestore(&pcm->lock, flags);
}

u64 kvm_pcm_get(struct kvm *kvm, enum kvm_pcm_counter counter)
{
	if (WARN_ON_ONCE((unsigned int)counter >= KVM_PCM_NR_COUNTERS))
		return 0;

	return READ_ONCE(kvm->arch.pcm.value[counter]) +
	       kvm_pcm_vcpu_sum(kvm, counter);
}

/* The guest pages a buffer of up to sizeof(struct kvm_pcm_info) spans. */
#define KVM_PCM_MAX_PAGES	(DIV_ROUND_UP(sizeof(struct kvm_pcm_info), PAGE_SIZE) + 1)

/* One guest page of the buffer, pinned writable. */
struct kvm_pcm_page {
	struct kvm_memory_slot *slot;
	gfn_t gfn;
	struct page *page;
};

static void kvm_pcm_unpin(struct kvm *kvm, struct kvm_pcm_page *pages,
			  unsigned int nr, bool written)
{
	unsigned int i;

	for (i = 0; i < nr; i++) {
		if (written) {
			mark_page_dirty_in_slot(kvm, pages[i].slot, pages[i].gfn);
			kvm_release_page_dirty(pages[i].page);
		} else {
			kvm_release_page_clean(pages[i].page);
		}
	}
}

/*
 * A gfn the guest made private (SEV-SNP, software-protected VMs): its
 * contents live in guest_memfd, and a write through the shared mapping
 * would not reach the guest.  Feature-tested: kernels without private
 * memory have no such gfn.
 */
static bool kvm_pcm_gfn_is_private(struct kvm *kvm, gfn_t gfn)
{
#ifdef CONFIG_KVM_PRIVATE_MEM
	return kvm_mem_is_private(kvm, gfn);
#else
	return false;
#endif
}

/*
 * Pin every page of [gpa, gpa + len) for writing, or none: each must be
 * guest RAM the guest may write (a user memslot, not read-only) whose
 * host memory the VMM has mapped writable right now.  Private slots (APIC
 * access page, TSS, identity map) and holes are MMIO as far as the guest
 * is concerned, and a private gfn is not the shared page the host can
 * write.  Once every page is pinned, nothing the VMM does to its
 * mapping (munmap, mprotect, a memslot change: the vCPU holds kvm->srcu)
 * can make the copy fail half-way; whether the pages are still the ones
 * the guest sees is kvm_pcm_copy_to_guest()'s business.  Returns the
 * number of pages, or 0.
 */
static unsigned int kvm_pcm_pin(struct kvm_vcpu *vcpu, gpa_t gpa,
				unsigned int len, struct kvm_pcm_page *pages)
{
	gfn_t gfn, first_gfn = gpa_to_gfn(gpa);
	unsigned int nr = 0;

	if (gpa + len < gpa)
		return 0;

	for (gfn = first_gfn; gfn <= gpa_to_gfn(gpa + len - 1); gfn++, nr++) {
		struct kvm_memory_slot *slot = kvm_vcpu_gfn_to_memslot(vcpu, gfn);
		struct page *page;
		kvm_pfn_t pfn;

		if (WARN_ON_ONCE(nr >= KVM_PCM_MAX_PAGES) ||
		    !slot || slot->id >= KVM_USER_MEM_SLOTS ||
		    kvm_pcm_gfn_is_private(vcpu->kvm, gfn))
			goto fail;
		/* A write fault: read-only slots and mappings fail here. */
		pfn = gfn_to_pfn_memslot(slot, gfn);
		if (is_error_noslot_pfn(pfn))
			goto fail;
		/* RAM only: not device memory the VMM has mapped (VM_PFNMAP). */
		page = kvm_pfn_to_refcounted_page(pfn);
		if (!page) {
			kvm_release_pfn_clean(pfn);
			goto fail;
		}
		pages[nr] = (struct kvm_pcm_page){ slot, gfn, page };
	}
	return nr;

fail:
	kvm_pcm_unpin(vcpu->kvm, pages, nr, false);
	return 0;
}

/*
 * Copy the first @len bytes of the VM's counters to the guest buffer at
 * @gpa, all of them or, with -KVM_EFAULT, not a byte; @len 0 only counts
 * the call.  Guest mistakes are reported to the guest only, never logged:
 * a guest must not be able to fill the host's log.
 */
static unsigned long kvm_pcm_copy_to_guest(struct kvm_vcpu *vcpu, gpa_t gpa,
					   unsigned int len)
{
	struct kvm_pcm_page pages[KVM_PCM_MAX_PAGES];
	unsigned int i, nr, offset, done;
	struct kvm *kvm = vcpu->kvm;
	struct kvm_pcm_info info;
	unsigned long mmu_seq;
	bool stale;

	/* Only this vCPU's thread writes its count: no lock, no atomic. */
	vcpu->stat.pcm_hypercalls++;
	if (!len)
		return 0;

	kvm_pcm_read_all(kvm, &info);

	/*
	 * A pinned page is not necessarily the page the guest sees when the
	 * copy happens: if the VMM forks meanwhile and the page is copied on
	 * write, or the VMM discards it, the guest gets another page and the
	 * bytes written into this one are lost.  As KVM's page fault handler
	 * and gfn_to_pfn caches do, copy under mmu_lock only if no MMU
	 * notifier invalidation ran since before the pages were looked up,
	 * else look them up again.
	 */
	do {
		mmu_seq = kvm->mmu_invalidate_seq;
		/* Read the sequence before looking the pages up. */
		smp_rmb();

		nr = kvm_pcm_pin(vcpu, gpa, len, pages);
		if (!nr)
			return -KVM_EFAULT;

		read_lock(&kvm->mmu_lock);
		stale = mmu_invalidate_retry(kvm, mmu_seq);
		offset = offset_in_page(gpa);
		for (i = 0, done = 0; !stale && i < nr; i++, offset = 0) {
			unsigned int chunk = min_t(unsigned int, len - done,
						   PAGE_SIZE - offset);
			void *va = kmap_local_page(pages[i].page);

			memcpy(va + offset, (u8 *)&info + done, chunk);
			kunmap_local(va);
			done += chunk;
		}
		read_unlock(&kvm->mmu_lock);

		kvm_pcm_unpin(kvm, pages, nr, !stale);
		if (stale)
			cond_resched();
	} while (stale);
	return 0;
}

/* How PCM answers a vCPU's PCM hypercalls (kvm_pcm_service()). */
enum kvm_pcm_service {
	/* As a KVM without PCM: -KVM_ENOSYS, the foreign instruction's #UD. */
	KVM_PCM_UNKNOWN,
	/* kvm.pcm_hypercall=0: 104 -KVM_ENOSYS, 105 -KVM_EOPNOTSUPP. */
	KVM_PCM_SWITCHED_OFF,
	KVM_PCM_SERVED,
};

/*
 * The one place that decides, at each call, in this order:
 *
 * - A nested guest is never served.  Its buffer address is L2's, the
 *   counters are L1's, and L1 never saw the exit.
 * - Nor is a confidential VM (kvm_pcm_vm_is_confidential()).
 * - The VMM's choice for the VM (KVM_CAP_X86_PCM), if it made one.
 * - A VMM that enforces the PV CPUID (KVM_CAP_ENFORCE_PV_FEATURE_CPUID)
 *   gets no PV feature it did not ask for, and PCM has no CPUID bit: it
 *   must enable PCM with KVM_CAP_X86_PCM.
 * - Otherwise kvm.pcm_hypercall, the default for VMMs that do not know
 *   the capability (an unmodified QEMU, the guests of the ioctl era).
 */
static enum kvm_pcm_service kvm_pcm_service(struct kvm_vcpu *vcpu)
{
	struct kvm_pcm *pcm = &vcpu->kvm->arch.pcm;

	if (is_guest_mode(vcpu) || READ_ONCE(pcm->confidential))
		return KVM_PCM_UNKNOWN;

	switch (READ_ONCE(pcm->choice)) {
	case KVM_PCM_ON:
		return KVM_PCM_SERVED;
	case KVM_PCM_OFF:
		return KVM_PCM_UNKNOWN;
	case KVM_PCM_DEFAULT:
		break;
	}
	if (vcpu->arch.pv_cpuid.enforce)
		return KVM_PCM_UNKNOWN;
	return READ_ONCE(pcm_hypercall) ? KVM_PCM_SERVED : KVM_PCM_SWITCHED_OFF;
}

int kvm_pcm_check_extension(struct kvm *kvm)
{
	return !kvm || !READ_ONCE(kvm->arch.pcm.confidential);
}

/* KVM_ENABLE_CAP(KVM_CAP_X86_PCM) on a VM; KVM has checked cap->flags. */
int kvm_pcm_enable_cap(struct kvm *kvm, struct kvm_enable_cap *cap)
{
	if (cap->args[0] > 1 || cap->args[1] || cap->args[2] || cap->args[3])
		return -EINVAL;
	if (cap->args[0] && READ_ONCE(kvm->arch.pcm.confidential))
		return -EOPNOTSUPP;

	WRITE_ONCE(kvm->arch.pcm.choice, cap->args[0] ? KVM_PCM_ON : KVM_PCM_OFF);
	return 0;
}

/* PCM_HC_GET_PCM_INFO, answered as kvm_pcm_service() decided. */
static unsigned long __kvm_pcm_hypercall(struct kvm_vcpu *vcpu, gpa_t gpa,
					 enum kvm_pcm_service service)
{
	switch (service) {
	case KVM_PCM_UNKNOWN:
		return -KVM_ENOSYS;
	case KVM_PCM_SWITCHED_OFF:
		kvm_pcm_copy_to_guest(vcpu, gpa, 0);
		return -KVM_ENOSYS;
	case KVM_PCM_SERVED:
		break;
	}

	return kvm_pcm_copy_to_guest(vcpu, gpa, PCM_HC_GET_PCM_INFO_LEN);
}

/*
 * PCM_HC_GET_PCM_INFO: copy the first 288 bytes of the VM's counters to the
 * guest buffer at @gpa.  The caller has checked that the guest runs at
 * CPL 0.
 */
unsigned long kvm_pcm_hypercall(struct kvm_vcpu *vcpu, gpa_t gpa)
{
	return __kvm_pcm_hypercall(vcpu, gpa, kvm_pcm_service(vcpu));
}

/*
 * PCM_HC_GET_PCM_INFO_SIZED: copy min(@size, the host's size) bytes to the
 * guest buffer at @gpa and return the host's size.  @size 0 only asks.
 * The caller has checked that the guest runs at CPL 0.  With the sized
 * hypercall switched off the host answers like one that never had it.
 */
unsigned long kvm_pcm_hypercall_sized(struct kvm_vcpu *vcpu, gpa_t gpa,
				      unsigned long size)
{
	enum kvm_pcm_service service = kvm_pcm_service(vcpu);
	unsigned long ret;

	if (service == KVM_PCM_UNKNOWN || !READ_ONCE(pcm_sized_hypercall))
		return -KVM_ENOSYS;
	if (service == KVM_PCM_SWITCHED_OFF) {
		kvm_pcm_copy_to_guest(vcpu, gpa, 0);
		return -KVM_EOPNOTSUPP;
	}
	if (size % sizeof(u64)) {
		kvm_pcm_copy_to_guest(vcpu, gpa, 0);
		return -KVM_EINVAL;
	}

	ret = kvm_pcm_copy_to_guest(vcpu, gpa,
				    min_t(unsigned long, size,
					  sizeof(struct kvm_pcm_info)));
	return ret ? ret : sizeof(struct kvm_pcm_info);
}

/*
 * A PCM hypercall made with the other vendor's instruction (VMCALL on AMD,
 * VMMCALL on Intel) raises #UD, and KVM's emulator decodes it: upstream
 * then rewrites the instruction in guest memory (emulator_fix_hypercall())
 * and lets the guest retry, and a guest whose text is read-only gets a
 * page fault instead and oopses.  PCM guest modules of the ioctl era
 * hard-code VMCALL, so the emulator asks here first, and a PCM hypercall
 * is served as it stands: the emulator then completes the instruction as
 * any other (RIP past it, wrapped outside 64-bit mode, RF cleared, the
 * single-step trap, the PMU's instructions-retired event), and no guest
 * byte is written.
 *
 * Not served, so upstream's path runs: any other number; a VMM that
 * disabled KVM_X86_QUIRK_FIX_HYPERCALL_INSN (it asked for the #UD); Xen
 * and Hyper-V guests (their own hypercall ABI); a nested guest (L0 sees an
 * L2 #UD that L1 does not intercept, and serving it would write L1 memory
 * behind L1's back), and any VM PCM does not serve at all
 * (kvm_pcm_service()).  The emulator has checked privilege and the nested
 * intercepts before it gets here: VMCALL at CPL > 0 has its #GP already.
 *
 * Returns true, with the result for rax in @result, if it was served.
 */
bool kvm_pcm_serve_hypercall(struct kvm_vcpu *vcpu, unsigned long *result)
{
	enum kvm_pcm_service service = kvm_pcm_service(vcpu);
	bool op_64_bit = is_64_bit_hypercall(vcpu);
	unsigned long nr, a0, ret;

	if (service == KVM_PCM_UNKNOWN ||
	    !kvm_check_has_quirk(vcpu->kvm, KVM_X86_QUIRK_FIX_HYPERCALL_INSN))
		return false;
	if (kvm_xen_hypercall_enabled(vcpu->kvm) || kvm_hv_hypercall_enabled(vcpu))
		return false;

	nr = kvm_rax_read(vcpu);
	a0 = kvm_rbx_read(vcpu);
	if (!op_64_bit) {
		nr &= 0xFFFFFFFF;
		a0 &= 0xFFFFFFFF;
	}
	if (nr != PCM_HC_GET_PCM_INFO)
		return false;

	trace_kvm_hypercall(nr, a0, kvm_rcx_read(vcpu), kvm_rdx_read(vcpu),
			    kvm_rsi_read(vcpu));

	/* As kvm_emulate_hypercall() does for the native instruction. */
	if (static_call(kvm_x86_get_cpl)(vcpu) != 0)
		ret = -KVM_EPERM;
	else
		ret = __kvm_pcm_hypercall(vcpu, a0, service);
	if (!op_64_bit)
		ret = (u32)ret;
	++vcpu->stat.hypercalls;
	*result = ret;
	return true;
}

static int kvm_pcm_counter_get(void *data, u64 *value)
{
	struct kvm_pcm_file *file = data;

	*value = kvm_pcm_get(file->kvm, file->counter);
	return 0;
}

/* Longer input is refused: no u64 needs more, even with leading zeros. */
#define KVM_PCM_MAX_INPUT	64

/*
 * The whole input is the number (decimal, 0x hex or 0 octal, one newline
 * allowed), or nothing is set: simple_attr_write() parses the first 23
 * characters of a longer one, kstrtoull_from_user() the first 64.
 */
static ssize_t kvm_pcm_counter_write(struct file *file, const char __user *buf,
				     size_t len, loff_t *ppos)
{
	struct kvm_pcm_file *pcm_file = file_inode(file)->i_private;
	u64 value;
	int ret;

	if (len > KVM_PCM_MAX_INPUT)
		return -EINVAL;
	ret = kstrtoull_from_user(buf, len, 0, &value);
	if (ret)
		return ret;
	kvm_pcm_set(pcm_file->kvm, pcm_file->counter, value);
	return len;
}

/* Pin the VM while the file is open, as KVM's own stat files do. */
static int kvm_pcm_counter_open(struct inode *inode, struct file *file)
{
	struct kvm_pcm_file *pcm_file = inode->i_private;
	int ret;

	if (!kvm_get_kvm_safe(pcm_file->kvm))
		return -ENOENT;

	ret = simple_attr_open(inode, file, kvm_pcm_counter_get, NULL,
			       "%llu\n");
	if (ret)
		kvm_put_kvm(pcm_file->kvm);
	return ret;
}

static int kvm_pcm_counter_release(struct inode *inode, struct file *file)
{
	struct kvm_pcm_file *pcm_file = inode->i_private;

	simple_attr_release(inode, file);
	kvm_put_kvm(pcm_file->kvm);
	return 0;
}

static const struct file_operations kvm_pcm_counter_fops = {
	.owner		= THIS_MODULE,
	.open		= kvm_pcm_counter_open,
	.release	= kvm_pcm_counter_release,
	.read		= simple_attr_read,
	.write		= kvm_pcm_counter_write,
};

/*
 * <vm debugfs dir>/pcm/<group>/<field>: root reads each counter's value
 * (what the guest reads) and sets it, so tests can drive every field.
 * KVM's statistics files beside it (pcm_<group>_<field>, pcm_hypercalls)
 * and their sums over all VMs in <debugfs>/kvm come from the stats
 * descriptors (<asm/kvm_pcm_stats.h>); a statistics file can at most be
 * cleared, and clears the statistic only, which is why these exist.
 */
void kvm_pcm_create_vm_debugfs(struct kvm *kvm)
{
	struct dentry *pcm_dir, *group_dir = NULL;
	const char *group = NULL;
	unsigned int i;

	pcm_dir = debugfs_create_dir("pcm", kvm->debugfs_dentry);
	for (i = 0; i < KVM_PCM_NR_COUNTERS; i++) {
		struct kvm_pcm_file *file = &kvm->arch.pcm.files[i];

		if (!group || strcmp(group, kvm_pcm_names[i].group)) {
			group = kvm_pcm_names[i].group;
			group_dir = debugfs_create_dir(group, pcm_dir);
		}
		file->kvm = kvm;
		file->counter = i;
		debugfs_create_file(kvm_pcm_names[i].field, 0600, group_dir,
				    file, &kvm_pcm_counter_fops);
	}
}
