// SPDX-License-Identifier: GPL-2.0
/*
 * pcm_guest - PCM statistics of a record/replay KVM host in sysfs.
 *
 * Every counter of struct kvm_pcm_info is a read-only file
 * /sys/kernel/pcm/<group>/<field>.  A read issues one PCM hypercall and
 * prints the one counter the file stands for: PCM_HC_GET_PCM_INFO_SIZED
 * (105) where the host has it, else PCM_HC_GET_PCM_INFO (104), which every
 * PCM host has.
 * /sys/kernel/pcm/snapshot prints every counter from one hypercall, so
 * the values belong to one moment (like /proc/vmstat or /sys/block/X/stat).
 * /sys/kernel/pcm/hypercall names the hypercall reads use now.
 *
 * The files and the groups are expanded from the one counter list,
 * <linux/kvm_pcm_counters.h>; no counter name is written here.
 *
 * See Documentation/virt/kvm/x86/pcm-hypercall.rst and
 * Documentation/ABI/testing/sysfs-kernel-pcm.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/build_bug.h>
#include <linux/cc_platform.h>
#include <linux/errno.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/kobject.h>
#include <linux/kvm_para.h>
#include <linux/module.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include <linux/stddef.h>
#include <linux/sysfs.h>
#include <linux/types.h>
#include <linux/kvm_pcm.h>

#include <asm/page.h>

/* Ordinal of each counter group: PCM_GROUP_sample, ... */
enum pcm_group {
#define KVM_PCM_GROUP(_group)		PCM_GROUP_##_group,
#define KVM_PCM_COUNTER(_group, _field)	KVM_PCM_SKIP(_group, _field)
#include <linux/kvm_pcm_counters.h>
	PCM_NR_GROUPS
};

/* One sysfs file: counter @counter, in directory @group. */
struct pcm_attr {
	struct kobj_attribute kattr;
	enum kvm_pcm_counter counter;
	enum pcm_group group;
};

/*
 * Whether the host serves PCM_HC_GET_PCM_INFO_SIZED, and how many counters
 * both sides know: probed at load; a host that stops answering 105 (the
 * VM migrated to an older host) turns the first off for good.
 */
static bool pcm_use_sized;
static unsigned int pcm_nr_counters __ro_after_init = KVM_PCM_NR_COUNTERS;

/*
 * Whether the last answer was "switched off": the host's switch is a
 * normal state, so it is logged when first seen and when it goes away,
 * not on every read (a scraper reads every few seconds).
 */
static atomic_t pcm_host_off = ATOMIC_INIT(0);

static void pcm_note_host_on(void)
{
	if (atomic_cmpxchg(&pcm_host_off, 1, 0) == 1)
		pr_info("host serves PCM hypercalls again\n");
}

/*
 * Map the failed result of a PCM hypercall to an errno that a script can
 * tell apart from the others (see the errno table in the ABI document).
 */
static int pcm_hc_errno(unsigned int nr, long ret)
{
	switch (ret) {
	case -KVM_ENOSYS:
	case -KVM_EOPNOTSUPP:
		if (atomic_cmpxchg(&pcm_host_off, 0, 1) == 0)
			pr_notice("host does not serve PCM hypercalls now (switched off: kvm.pcm_hypercall=0, or no PCM support)\n");
		return -EOPNOTSUPP;
	case -KVM_EPERM:
	case -KVM_EFAULT:
		/*
		 * This module calls at CPL 0 with a buffer in guest RAM: these
		 * can only be a host bug, not a bad pointer or a permission.
		 */
		pr_err_ratelimited("host answered hypercall %u with %ld to a valid call at CPL 0: host bug\n",
				   nr, ret);
		return -EIO;
	default:
		pr_warn_ratelimited("hypercall %u returned unexpected value %ld\n",
				    nr, ret);
		return -EIO;
	}
}

/* A layout size only a PCM host answers 105 with: 104's or longer. */
static bool pcm_valid_size(long ret)
{
	return ret >= PCM_HC_GET_PCM_INFO_LEN && !(ret % sizeof(u64));
}

/*
 * Fill @info with one hypercall.  Returns how many counters the host
 * wrote, or a negative errno.
 */
static int pcm_hypercall(struct kvm_pcm_info *info)
{
	long ret;

	if (READ_ONCE(pcm_use_sized)) {
		ret = kvm_hypercall2(PCM_HC_GET_PCM_INFO_SIZED, __pa(info),
				     pcm_nr_counters * sizeof(u64));
		if (pcm_valid_size(ret)) {
			pcm_note_host_on();
			return min_t(unsigned long, ret / sizeof(u64),
				     pcm_nr_counters);
		}
		if (ret != -KVM_ENOSYS)
			return pcm_hc_errno(PCM_HC_GET_PCM_INFO_SIZED, ret);
		pr_notice_once("host no longer serves hypercall %d, using %d\n",
			       PCM_HC_GET_PCM_INFO_SIZED, PCM_HC_GET_PCM_INFO);
		WRITE_ONCE(pcm_use_sized, false);
	}
	ret = kvm_hypercall1(PCM_HC_GET_PCM_INFO, __pa(info));
	if (!ret) {
		pcm_note_host_on();
		return PCM_HC_GET_PCM_INFO_LEN / sizeof(u64);
	}
	return pcm_hc_errno(PCM_HC_GET_PCM_INFO, ret);
}

static bool root_only;
module_param(root_only, bool, 0444);
MODULE_PARM_DESC(root_only, "Files readable by root only (0400 instead of 0444)");

/* The root_only parameter decides every file's mode, once, at load. */
static umode_t pcm_attr_mode(struct kobject *kobj, struct attribute *attr,
			     int n)
{
	return root_only ? 0400 : attr->mode;
}

/*
 * Issue the hypercall once and return all counters in a new buffer, or an
 * ERR_PTR(); *@nr is how many the host wrote.  The caller kfree()s the
 * buffer.
 */
static struct kvm_pcm_info *pcm_get_info(unsigned int *nr)
{
	struct kvm_pcm_info *info;
	int ret;

	/* 104 writes 288 bytes: the first 36 counters, never more. */
	BUILD_BUG_ON(PCM_HC_GET_PCM_INFO_LEN != 288);
	BUILD_BUG_ON(sizeof(*info) < PCM_HC_GET_PCM_INFO_LEN);

	/*
	 * The host writes the buffer by guest physical address, so it must
	 * not live on the stack (with VMAP_STACK, __pa() of a stack address is
	 * wrong).  kmalloc() memory is in the linear map, hence physically
	 * contiguous; a 288-byte object also comes from the naturally aligned
	 * kmalloc-512 cache, so it never straddles a page.  One buffer per
	 * read: no lock, concurrent readers are safe.  Zeroed, so a host that
	 * wrote less than it claims cannot leak stale slab data to userspace.
	 */
	BUILD_BUG_ON(sizeof(*info) > PAGE_SIZE);
	info = kzalloc(sizeof(*info), GFP_KERNEL);
	if (!info)
		return ERR_PTR(-ENOMEM);

	ret = pcm_hypercall(info);
	if (ret < 0) {
		kfree(info);
		return ERR_PTR(ret);
	}
	*nr = ret;
	return info;
}

static ssize_t pcm_show(struct kobject *kobj, struct kobj_attribute *kattr,
			char *buf)
{
	const struct pcm_attr *pa = container_of(kattr, struct pcm_attr, kattr);
	struct kvm_pcm_info *info;
	unsigned int nr;
	u64 value;

	info = pcm_get_info(&nr);
	if (IS_ERR(info))
		return PTR_ERR(info);
	value = info->counters[pa->counter];
	kfree(info);
	/* A host this VM migrated to after load may have fewer counters. */
	if (pa->counter >= nr)
		return -ENODATA;
	return sysfs_emit(buf, "%llu\n", value);
}

/* All counters, indexed by enum kvm_pcm_counter. */
static struct pcm_attr pcm_attrs[KVM_PCM_NR_COUNTERS] = {
#define KVM_PCM_COUNTER(_group, _field)					\
	[KVM_PCM_##_group##_##_field] = {				\
		.kattr = {						\
			.attr = { .name = #_field, .mode = 0444 },	\
			.show = pcm_show,				\
		},							\
		.counter = KVM_PCM_##_group##_##_field,			\
		.group = PCM_GROUP_##_group,				\
	},
#include <linux/kvm_pcm_counters.h>
};

/* Counters the host does not have get no file; root_only sets the mode. */
static umode_t pcm_counter_mode(struct kobject *kobj, struct attribute *attr,
				int n)
{
	struct pcm_attr *pa = container_of(attr, struct pcm_attr, kattr.attr);

	if (pa->counter >= pcm_nr_counters)
		return 0;
	return pcm_attr_mode(kobj, attr, n);
}

/*
 * Every counter's attribute in one array, built at compile time from the
 * counter list: each group's run starts after a NULL slot at the group's
 * marker and ends at the next marker's NULL (or the final one), so each
 * group's NULL-terminated array is a slice of it.
 */
enum pcm_slot {
#define KVM_PCM_GROUP(_group)		PCM_SLOT_GROUP_##_group,
#define KVM_PCM_COUNTER(_group, _field)	PCM_SLOT_##_group##_##_field,
#include <linux/kvm_pcm_counters.h>
	PCM_NR_SLOTS
};

static struct attribute *pcm_attr_slots[PCM_NR_SLOTS + 1] __ro_after_init = {
#define KVM_PCM_COUNTER(_group, _field)					\
	[PCM_SLOT_##_group##_##_field] =				\
		&pcm_attrs[KVM_PCM_##_group##_##_field].kattr.attr,
#include <linux/kvm_pcm_counters.h>
};

/* The directory /sys/kernel/pcm/<group>/ of each group. */
static const struct attribute_group pcm_group_list[PCM_NR_GROUPS] = {
#define KVM_PCM_GROUP(_group)						\
	[PCM_GROUP_##_group] = {					\
		.name = #_group,					\
		.attrs = &pcm_attr_slots[PCM_SLOT_GROUP_##_group + 1],	\
		.is_visible = pcm_counter_mode,				\
	},
#define KVM_PCM_COUNTER(_group, _field)	KVM_PCM_SKIP(_group, _field)
#include <linux/kvm_pcm_counters.h>
};

/* The longest snapshot: every counter's line at its longest, 2^64 - 1. */
static const char pcm_snapshot_longest[] =
#define KVM_PCM_COUNTER(_group, _field)	#_group "/" #_field " 18446744073709551615\n"
#include <linux/kvm_pcm_counters.h>
	;
static_assert(sizeof(pcm_snapshot_longest) - 1 <= PAGE_SIZE,
	      "snapshot no longer fits the one page sysfs gives a show()");

/* snapshot: every counter as "group/field value", from one hypercall. */
static ssize_t snapshot_show(struct kobject *kobj, struct kobj_attribute *kattr,
			     char *buf)
{
	struct kvm_pcm_info *info;
	unsigned int i, nr;
	ssize_t len = 0;

	info = pcm_get_info(&nr);
	if (IS_ERR(info))
		return PTR_ERR(info);
	for (i = 0; i < nr; i++)
		len += sysfs_emit_at(buf, len, "%s/%s %llu\n",
				     pcm_group_list[pcm_attrs[i].group].name,
				     pcm_attrs[i].kattr.attr.name,
				     info->counters[pcm_attrs[i].counter]);
	kfree(info);
	return len;
}

static struct kobj_attribute snapshot_attr = __ATTR_RO(snapshot);

/*
 * hypercall: the number of the PCM hypercall that reads use now, for
 * monitoring (pcmstat's pcm_info).  No hypercall: it only says which.
 */
static ssize_t hypercall_show(struct kobject *kobj,
			      struct kobj_attribute *kattr, char *buf)
{
	return sysfs_emit(buf, "%d\n", READ_ONCE(pcm_use_sized) ?
			  PCM_HC_GET_PCM_INFO_SIZED : PCM_HC_GET_PCM_INFO);
}

static struct kobj_attribute hypercall_attr = __ATTR_RO(hypercall);

static struct attribute *pcm_top_attrs[] = {
	&snapshot_attr.attr,
	&hypercall_attr.attr,
	NULL,
};

static const struct attribute_group pcm_top_group = {
	.attrs = pcm_top_attrs,
	.is_visible = pcm_attr_mode,
};

static const struct attribute_group *pcm_groups[PCM_NR_GROUPS + 2] = {
	&pcm_top_group,
#define KVM_PCM_GROUP(_group)	(&pcm_group_list[PCM_GROUP_##_group]),
#define KVM_PCM_COUNTER(_group, _field)	KVM_PCM_SKIP(_group, _field)
#include <linux/kvm_pcm_counters.h>
};

static struct kobject *pcm_kobj;

/*
 * Whether the host answers 104.  A stock KVM, and a PCM host switched
 * off, answer -KVM_ENOSYS; the two cannot be told apart from here.
 */
static bool __init pcm_probe_104(void)
{
	struct kvm_pcm_info *info = kzalloc(sizeof(*info), GFP_KERNEL);
	bool served;

	if (!info)
		return false;
	served = !kvm_hypercall1(PCM_HC_GET_PCM_INFO, __pa(info));
	if (!served)
		atomic_set(&pcm_host_off, 1);
	kfree(info);
	return served;
}

/*
 * Ask the host for the size of its layout (105 with size 0), and say in
 * one line what the host answered:
 *   a size          105, with that many counters (at most the module's);
 *   -KVM_EOPNOTSUPP a host with 105 whose PCM hypercalls are switched off:
 *                   its size is unknown until it is on, so every counter
 *                   of the module gets a file (one the host turns out
 *                   to lack reads ENODATA);
 *   -KVM_ENOSYS     no 105: 104 only, or (104 refused too) no PCM at all
 *                   or switched off, which a guest cannot tell apart.
 * A module that loaded where neither call was served reads with 104 until
 * it is reloaded: 104 carries every counter it knows.
 */
static void __init pcm_probe_host(void)
{
	long ret = kvm_hypercall2(PCM_HC_GET_PCM_INFO_SIZED, 0, 0);

	if (ret == -KVM_EOPNOTSUPP) {
		pcm_use_sized = true;
		atomic_set(&pcm_host_off, 1);
		pr_notice("host has hypercall %d, switched off (kvm.pcm_hypercall=0): reads fail with EOPNOTSUPP until it is switched on\n",
			  PCM_HC_GET_PCM_INFO_SIZED);
		return;
	}
	/* Anything else, such as a Hyper-V status, is not a PCM answer. */
	if (!pcm_valid_size(ret)) {
		pcm_nr_counters = PCM_HC_GET_PCM_INFO_LEN / sizeof(u64);
		if (pcm_probe_104())
			pr_info("host has hypercall %d only: %u counters\n",
				PCM_HC_GET_PCM_INFO, pcm_nr_counters);
		else
			pr_notice("host does not serve PCM hypercalls (no PCM support, or kvm.pcm_hypercall=0): reads fail with EOPNOTSUPP until it does\n");
		return;
	}
	pcm_nr_counters = min_t(unsigned long, ret / sizeof(u64),
				KVM_PCM_NR_COUNTERS);
	pcm_use_sized = true;
	pr_info("host has hypercall %d: %u counters\n",
		PCM_HC_GET_PCM_INFO_SIZED, pcm_nr_counters);
}

static int __init pcm_guest_init(void)
{
	int ret;

	if (!kvm_para_available()) {
		pr_err("not running under KVM, refusing to load\n");
		return -ENODEV;
	}
	/*
	 * The host writes the buffer in clear text, which a confidential
	 * guest (SEV, SEV-ES, TDX) would read as garbage: refuse.
	 */
	if (cc_platform_has(CC_ATTR_GUEST_MEM_ENCRYPT)) {
		pr_err("guest memory is encrypted: the host cannot write the counters, refusing to load\n");
		return -ENODEV;
	}

	pcm_probe_host();

	pcm_kobj = kobject_create_and_add("pcm", kernel_kobj);
	if (!pcm_kobj)
		return -ENOMEM;

	ret = sysfs_create_groups(pcm_kobj, pcm_groups);
	if (ret) {
		kobject_put(pcm_kobj);
		return ret;
	}

	return 0;
}
module_init(pcm_guest_init);

static void __exit pcm_guest_exit(void)
{
	/*
	 * The files go before the last reference does: a delayed kobject
	 * release must never leave files that point into unloaded code.
	 */
	sysfs_remove_groups(pcm_kobj, pcm_groups);
	kobject_del(pcm_kobj);
	kobject_put(pcm_kobj);
}
module_exit(pcm_guest_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("PCM statistics from a record/replay KVM host in sysfs");
MODULE_AUTHOR("PCM project");
