// SPDX-License-Identifier: GPL-2.0
/*
 * /init of the KUnit kernel's initramfs: after the built-in KUnit suites
 * have run, ask kmemleak for a scan, print its report on the console
 * between markers, and power off.  Built static by harness/kunit.sh.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/reboot.h>
#include <unistd.h>

#define KMEMLEAK "/sys/kernel/debug/kmemleak"

static void request_scan(void)
{
	int fd = open(KMEMLEAK, O_WRONLY);

	if (fd < 0 || write(fd, "scan", 4) != 4)
		printf("kmemleak-report: cannot scan: %m\n");
	if (fd >= 0)
		close(fd);
}

int main(void)
{
	char buf[4096];
	ssize_t n;
	int fd;

	mkdir("/sys", 0755);
	if (mount("sysfs", "/sys", "sysfs", 0, NULL) ||
	    mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL))
		printf("kmemleak-report: cannot mount debugfs: %m\n");

	/*
	 * kmemleak reports no object younger than five seconds, and a leak
	 * whose pointer was still in a register or on a stack at the first
	 * scan only at a later one.
	 */
	sleep(6);
	request_scan();
	request_scan();

	printf("kmemleak-report: begin\n");
	fflush(stdout);
	fd = open(KMEMLEAK, O_RDONLY);
	if (fd < 0) {
		printf("kmemleak-report: cannot read: %m\n");
	} else {
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			fwrite(buf, 1, n, stdout);
		close(fd);
	}
	printf("kmemleak-report: end\n");
	fflush(stdout);

	sync();
	reboot(RB_AUTOBOOT);
	return 0;
}
