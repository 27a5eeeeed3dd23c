// SPDX-License-Identifier: GPL-2.0
/*
 * pcm_cpuid_loop N: execute CPUID N times.  Each one exits to KVM, which
 * counts it in event/log_ins_cpuid_rd; the guest suites compare runs with
 * N and with 0 to cancel what the C library's start-up executes.
 */
#include <cpuid.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 0) : 0;
	unsigned int eax, ebx, ecx, edx;

	while (n--)
		__cpuid(0, eax, ebx, ecx, edx);
	return 0;
}
