// SPDX-License-Identifier: GPL-2.0
/*
 * pcm_old_vmcall - test module: reads the PCM counters the way guest
 * modules of the ioctl era do.
 *
 * Those modules issue PCM_HC_GET_PCM_INFO with a hard-coded VMCALL
 * (0f 01 c1), not through kvm_hypercall1(), whose instruction the kernel
 * patches to the CPU's own.  On AMD that VMCALL raises #UD, in module text
 * that STRICT_MODULE_RWX maps read-only: the host has to serve it in place
 * (kvm_pcm_handle_foreign_hypercall()); rewriting it would page-fault.
 *
 * Every read of /sys/kernel/debug/pcm_old_vmcall issues the hypercall once
 * and prints the 36 counters, one decimal u64 per line, in ABI order.  A
 * negative result (-1000, -KVM_ENOSYS, when the host has the hypercall
 * switched off) fails the read with that value as the error number.
 *
 * Test only: selftests/guest/pcm_old_vmcall.bats loads it in the test-bed
 * guest.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/build_bug.h>
#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/fs.h>
#include <linux/init.h>
#include <linux/kvm_para.h>
#include <linux/module.h>
#include <linux/printk.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/types.h>
#include <linux/kvm_pcm.h>

#include <asm/page.h>

/*
 * The hypercall as the old modules made it: VMCALL as bytes, whatever the
 * CPU, from this module's own text.
 */
static long pcm_vmcall(unsigned long gpa)
{
	long ret;

	asm volatile(".byte 0x0f, 0x01, 0xc1"	/* vmcall */
		     : "=a"(ret)
		     : "a"((unsigned long)PCM_HC_GET_PCM_INFO), "b"(gpa)
		     : "memory");
	return ret;
}

static int pcm_old_vmcall_show(struct seq_file *m, void *v)
{
	struct kvm_pcm_info *info;
	unsigned int i;
	long ret;

	/* The ABI: 36 little-endian u64, 288 bytes, no padding. */
	BUILD_BUG_ON(sizeof(*info) != 288);

	/*
	 * Written by guest physical address, so not on the (virtually
	 * mapped) stack: kmalloc() memory is in the linear map, and a
	 * 288-byte object comes from the naturally aligned kmalloc-512
	 * cache, so it never straddles a page.
	 */
	info = kzalloc(sizeof(*info), GFP_KERNEL);
	if (!info)
		return -ENOMEM;

	ret = pcm_vmcall(__pa(info));
	if (!ret) {
		for (i = 0; i < KVM_PCM_NR_COUNTERS; i++)
			seq_printf(m, "%llu\n", info->counters[i]);
	}
	kfree(info);

	if (!ret)
		return 0;
	pr_info_ratelimited("hypercall %d returned %ld\n",
			    PCM_HC_GET_PCM_INFO, ret);
	return IS_ERR_VALUE(ret) ? ret : -EIO;
}
DEFINE_SHOW_ATTRIBUTE(pcm_old_vmcall);

static struct dentry *pcm_old_vmcall_file;

static int __init pcm_old_vmcall_init(void)
{
	if (!kvm_para_available()) {
		pr_err("not running under KVM, refusing to load\n");
		return -ENODEV;
	}

	pcm_old_vmcall_file = debugfs_create_file("pcm_old_vmcall", 0400, NULL,
						  NULL, &pcm_old_vmcall_fops);
	return 0;
}
module_init(pcm_old_vmcall_init);

static void __exit pcm_old_vmcall_exit(void)
{
	debugfs_remove(pcm_old_vmcall_file);
}
module_exit(pcm_old_vmcall_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Test: PCM counters read with a hard-coded VMCALL");
MODULE_AUTHOR("PCM project");
