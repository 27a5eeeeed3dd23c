// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's view of the PCM counters: /sys/kernel/pcm from pcm_guest.ko.
 * Runs in any KVM guest with the module loaded, without host control, so
 * it checks what holds whatever the host's values are: the files of the
 * ABI list and nothing else, their modes, that each read is one decimal
 * u64, that writes are refused, and that snapshot lists every counter in
 * ABI order.  Skips when the module is not loaded or the host has the
 * hypercall switched off.
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <linux/kvm_pcm.h>

#include "../kselftest.h"

#define PCM_SYSFS	"/sys/kernel/pcm"

static const struct {
	const char *group;
	const char *field;
} counters[] = {
#define KVM_PCM_COUNTER(_group, _field)	{ #_group, #_field },
#include <linux/kvm_pcm_counters.h>
};

/* Read a whole sysfs file; returns its length or -errno. */
static ssize_t read_file(const char *path, char *buf, size_t size)
{
	ssize_t len;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	len = read(fd, buf, size - 1);
	if (len < 0)
		len = -errno;
	else
		buf[len] = '\0';
	close(fd);
	return len;
}

/* "digits\n" holding a u64, nothing else. */
static bool is_u64_line(const char *s)
{
	char *end;

	errno = 0;
	if (*s < '0' || *s > '9')
		return false;
	strtoull(s, &end, 10);
	return !errno && end[0] == '\n' && end[1] == '\0';
}

static void test_counter(unsigned int i)
{
	char path[128], buf[64];
	struct stat st;
	int fd, write_errno = 0;
	ssize_t len;

	snprintf(path, sizeof(path), PCM_SYSFS "/%s/%s",
		 counters[i].group, counters[i].field);
	if (stat(path, &st)) {
		ksft_test_result_fail("%s/%s: %s\n", counters[i].group,
				      counters[i].field, strerror(errno));
		return;
	}
	len = read_file(path, buf, sizeof(buf));
	if (len < 0) {
		ksft_test_result_fail("%s/%s: read: %s\n", counters[i].group,
				      counters[i].field, strerror(-len));
		return;
	}
	/* Saved at once: is_u64_line() below clears errno. */
	fd = open(path, O_WRONLY);
	if (fd < 0)
		write_errno = errno;
	else
		close(fd);
	ksft_test_result(((st.st_mode & 07777) == 0444 ||
			  (st.st_mode & 07777) == 0400) &&
			 is_u64_line(buf) && write_errno == EACCES,
			 "%s/%s: mode %o, \"%.*s\", write %s\n",
			 counters[i].group, counters[i].field,
			 st.st_mode & 07777, (int)strcspn(buf, "\n"), buf,
			 fd < 0 ? strerror(write_errno) : "allowed");
}

static void test_snapshot(void)
{
	static char buf[8192];
	char *line = buf, *nl;
	unsigned int i = 0;
	bool ok = true;
	ssize_t len;

	len = read_file(PCM_SYSFS "/snapshot", buf, sizeof(buf));
	if (len < 0) {
		ksft_test_result_fail("snapshot: read: %s\n", strerror(-len));
		return;
	}
	for (; (nl = strchr(line, '\n')); line = nl + 1, i++) {
		char name[128];
		size_t n;

		if (i >= ARRAY_SIZE(counters)) {
			ok = false;
			break;
		}
		n = snprintf(name, sizeof(name), "%s/%s ",
			     counters[i].group, counters[i].field);
		*nl = '\0';
		if (strncmp(line, name, n) || !line[n]) {
			ksft_print_msg("snapshot line %u: \"%s\", expected \"%s<value>\"\n",
				       i + 1, line, name);
			ok = false;
		}
	}
	ksft_test_result(ok && i == ARRAY_SIZE(counters) && !*line,
			 "snapshot: %u lines in ABI order (expected %zu)\n",
			 i, ARRAY_SIZE(counters));
}

int main(void)
{
	char buf[64];
	ssize_t len;
	unsigned int i;

	ksft_print_header();
	if (access(PCM_SYSFS, F_OK))
		ksft_exit_skip("%s missing: pcm_guest is not loaded\n", PCM_SYSFS);
	len = read_file(PCM_SYSFS "/snapshot", buf, sizeof(buf));
	if (len == -EOPNOTSUPP)
		ksft_exit_skip("the host has the PCM hypercall switched off\n");

	ksft_set_plan(ARRAY_SIZE(counters) + 1);
	for (i = 0; i < ARRAY_SIZE(counters); i++)
		test_counter(i);
	test_snapshot();
	ksft_finished();
}
