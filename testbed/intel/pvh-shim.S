/* SPDX-License-Identifier: GPL-2.0 */
/* Multiboot (v1, a.out kludge) -> PVH shim for an uncompressed x86-64
 * Linux vmlinux.  Loaded at SHIM_BASE (one page below the kernel's
 * physical load address); the kernel's PT_LOAD segments follow, flat.
 * Entered by the multiboot loader in 32-bit flat protected mode, paging
 * off, IF=0, eax=0x2BADB002, ebx=multiboot info.  Builds a struct
 * hvm_start_info (version 1: memory map) from the multiboot info and
 * jumps to the kernel's XEN_ELFNOTE_PHYS32_ENTRY with ebx pointing to it.
 * LOAD_END, BSS_END, PVH_ENTRY are given with --defsym. */
	.code32
	.text
	.globl _start
_start:
mbh:
	.long 0x1BADB002
	.long 0x00010003			/* page-align modules, mem info, a.out kludge */
	.long -(0x1BADB002 + 0x00010003)
	.long SHIM_BASE				/* header_addr */
	.long SHIM_BASE				/* load_addr */
	.long LOAD_END				/* load_end_addr */
	.long BSS_END				/* bss_end_addr */
	.long SHIM_BASE + (entry - mbh)		/* entry_addr */

	.set SI, SHIM_BASE + (start_info - mbh)
	.set ML, SHIM_BASE + (modlist - mbh)
	.set MM, SHIM_BASE + (memmap - mbh)
entry:
	cld
	cmpl $0x2BADB002, %eax
	jne bad
	/* Flat segments for ourselves (the loader's GDT may be anywhere). */
	movl %ebx, %ebp				/* mbi */
	/* cmdline */
	testl $4, (%ebp)
	jz 1f
	movl 16(%ebp), %eax
	movl %eax, SI+24
1:
	/* modules -> hvm_modlist_entry {u64 paddr, size, cmdline, reserved} */
	testl $8, (%ebp)
	jz 3f
	movl 20(%ebp), %ecx			/* mods_count */
	cmpl $4, %ecx
	jbe 2f
	movl $4, %ecx
2:	movl %ecx, SI+12
	movl 24(%ebp), %esi			/* mods_addr: {start, end, string, rsvd} */
	movl $ML, %edi
	testl %ecx, %ecx
	jz 3f
4:	movl (%esi), %eax
	movl %eax, (%edi)			/* paddr */
	movl 4(%esi), %edx
	subl %eax, %edx
	movl %edx, 8(%edi)			/* size */
	movl 8(%esi), %eax
	movl %eax, 16(%edi)			/* cmdline */
	addl $16, %esi
	addl $32, %edi
	decl %ecx
	jnz 4b
3:
	/* memory map (mbi flag 6): {u32 size; u64 base; u64 len; u32 type} */
	testl $0x40, (%ebp)
	jz bad
	movl 48(%ebp), %esi			/* mmap_addr */
	movl 44(%ebp), %ebx
	addl %esi, %ebx				/* end */
	movl $MM, %edi
	xorl %ecx, %ecx
5:	cmpl %ebx, %esi
	jae 6f
	cmpl $64, %ecx
	jae 6f
	movl 4(%esi), %eax
	movl %eax, (%edi)
	movl 8(%esi), %eax
	movl %eax, 4(%edi)
	movl 12(%esi), %eax
	movl %eax, 8(%edi)
	movl 16(%esi), %eax
	movl %eax, 12(%edi)
	movl 20(%esi), %eax
	movl %eax, 16(%edi)
	movl (%esi), %eax
	leal 4(%esi,%eax), %esi
	addl $24, %edi
	incl %ecx
	jmp 5b
6:	movl %ecx, SI+48
	movl $SI, %ebx
	movl $PVH_ENTRY, %eax
	jmp *%eax
bad:
	/* say so on COM1 and stop */
	movw $0x3f8, %dx
	movl $SHIM_BASE + (badmsg - mbh), %esi
7:	lodsb
	testb %al, %al
	jz 8f
	outb %al, %dx
	jmp 7b
8:	cli
	hlt
	jmp 8b
badmsg:	.asciz "pvh shim: no multiboot magic or memory map\r\n"

	.balign 8
start_info:
	.long 0x336ec578			/* magic */
	.long 1					/* version */
	.long 0					/* flags */
	.long 0					/* nr_modules   +12 */
	.quad ML				/* modlist_paddr +16 */
	.quad 0					/* cmdline_paddr +24 */
	.quad 0					/* rsdp_paddr    +32 */
	.quad MM				/* memmap_paddr  +40 */
	.long 0					/* memmap_entries +48 */
	.long 0
	.balign 8
modlist:
	.fill 4*32, 1, 0
memmap:
	.fill 64*24, 1, 0
	.org 0x1000
