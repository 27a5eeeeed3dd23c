// SPDX-License-Identifier: GPL-2.0
/*
 * pcm_guest - PCM statistics of a record/replay KVM host in sysfs.
 *
 * Every counter of struct kvm_pcm_info is a read-only file
 * /sys/kernel/pcm/<group>/<field>.  A read issues hypercall
 * PCM_HC_GET_PCM_INFO once and prints the one counter the file stands for.
 * /sys/kernel/pcm/snapshot prints every counter from one hypercall, so
 * the values belong to one moment (like /proc/vmstat or /sys/block/X/stat).
 *
 * The files and the groups are expanded from the one counter list,
 * <linux/kvm_pcm_counters.h>; no counter name is written here.
 *
 * See Documentation/virt/kvm/x86/pcm-hypercall.rst and
 * Documentation/ABI/testing/sysfs-kernel-pcm.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/build_bug.h>
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
#define KVM_PCM_COUNTER(_group, _field)
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
 * Map the result of PCM_HC_GET_PCM_INFO to an errno that a script can tell
 * apart from the others (see the errno table in the ABI document).
 */
static int pcm_hc_errno(long ret)
{
	switch (ret) {
	case 0:
		return 0;
	case -KVM_ENOSYS:
		pr_notice_ratelimited("host has PCM hypercalls switched off or unsupported (kvm.pcm_hypercall)\n");
		return -EOPNOTSUPP;
	case -KVM_EPERM:
		return -EPERM;
	case -KVM_EFAULT:
		return -EFAULT;
	default:
		pr_warn_ratelimited("hypercall %d returned unexpected value %ld\n",
				    PCM_HC_GET_PCM_INFO, ret);
		return -EIO;
	}
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
 * ERR_PTR(); the caller kfree()s the buffer.
 */
static struct kvm_pcm_info *pcm_get_info(void)
{
	struct kvm_pcm_info *info;
	int err;

	/* The ABI: 36 little-endian u64, 288 bytes, no padding. */
	BUILD_BUG_ON(sizeof(*info) != 288);

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

	err = pcm_hc_errno(kvm_hypercall1(PCM_HC_GET_PCM_INFO, __pa(info)));
	if (err) {
		kfree(info);
		return ERR_PTR(err);
	}
	return info;
}

static ssize_t pcm_show(struct kobject *kobj, struct kobj_attribute *kattr,
			char *buf)
{
	const struct pcm_attr *pa = container_of(kattr, struct pcm_attr, kattr);
	struct kvm_pcm_info *info = pcm_get_info();
	u64 value;

	if (IS_ERR(info))
		return PTR_ERR(info);
	value = info->counters[pa->counter];
	kfree(info);
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

/*
 * The NULL-terminated attribute array of each group, filled from pcm_attrs
 * by pcm_guest_init(): the counter list has no per-group sublists.
 */
static struct attribute *pcm_group_attrs[PCM_NR_GROUPS][KVM_PCM_NR_COUNTERS + 1];

/* The directory /sys/kernel/pcm/<group>/ of each group. */
static const struct attribute_group pcm_group_list[PCM_NR_GROUPS] = {
#define KVM_PCM_GROUP(_group)						\
	[PCM_GROUP_##_group] = {					\
		.name = #_group,					\
		.attrs = pcm_group_attrs[PCM_GROUP_##_group],		\
		.is_visible = pcm_attr_mode,				\
	},
#define KVM_PCM_COUNTER(_group, _field)
#include <linux/kvm_pcm_counters.h>
};

/* snapshot: every counter as "group/field value", from one hypercall. */
static ssize_t snapshot_show(struct kobject *kobj, struct kobj_attribute *kattr,
			     char *buf)
{
	struct kvm_pcm_info *info = pcm_get_info();
	ssize_t len = 0;
	unsigned int i;

	if (IS_ERR(info))
		return PTR_ERR(info);
	for (i = 0; i < ARRAY_SIZE(pcm_attrs); i++)
		len += sysfs_emit_at(buf, len, "%s/%s %llu\n",
				     pcm_group_list[pcm_attrs[i].group].name,
				     pcm_attrs[i].kattr.attr.name,
				     info->counters[pcm_attrs[i].counter]);
	kfree(info);
	return len;
}

static struct kobj_attribute snapshot_attr = __ATTR_RO(snapshot);

static struct attribute *pcm_top_attrs[] = {
	&snapshot_attr.attr,
	NULL,
};

static const struct attribute_group pcm_top_group = {
	.attrs = pcm_top_attrs,
	.is_visible = pcm_attr_mode,
};

static const struct attribute_group *pcm_groups[PCM_NR_GROUPS + 2] = {
	&pcm_top_group,
#define KVM_PCM_GROUP(_group)	(&pcm_group_list[PCM_GROUP_##_group]),
#define KVM_PCM_COUNTER(_group, _field)
#include <linux/kvm_pcm_counters.h>
};

static struct kobject *pcm_kobj;

static int __init pcm_guest_init(void)
{
	unsigned int nr[PCM_NR_GROUPS] = { 0 };
	unsigned int i;
	int ret;

	if (!kvm_para_available()) {
		pr_err("not running under KVM, refusing to load\n");
		return -ENODEV;
	}

	for (i = 0; i < ARRAY_SIZE(pcm_attrs); i++) {
		enum pcm_group group = pcm_attrs[i].group;

		pcm_group_attrs[group][nr[group]++] = &pcm_attrs[i].kattr.attr;
	}

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
	/* Removes /sys/kernel/pcm and everything below it. */
	kobject_put(pcm_kobj);
}
module_exit(pcm_guest_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("PCM statistics from a record/replay KVM host in sysfs");
MODULE_AUTHOR("PCM project");
