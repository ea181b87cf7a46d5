// SPDX-License-Identifier: GPL-2.0-only
/*
 * Lifetime under hostile use, run in the guest:
 *  - unbind requested while a device file (VFIO_SELFTESTS_BDF) and a mapping of
 *    it are open: vfio's remove waits for the last user, so the unbind
 *    completes once both are gone (or their holder is killed), the
 *    mapping stays usable or raises SIGBUS meanwhile, and afterwards no
 *    reservation of the device is left in /proc/iomem;
 *  - rmmod with an open device file is refused; with only idle devices
 *    bound (BARMAP_RMMOD=1) it unbinds them and releases every
 *    reservation exactly once;
 *  - a probe that fails after the page reservation (a PCI bridge,
 *    BARMAP_BRIDGE_BDF: vfio-pci-core refuses non-normal headers) leaves
 *    /proc/iomem byte-identical and no debugfs directory behind.
 * Every test leaves the devices bound as it found them.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libvfio.h>

#include "kselftest_harness.h"
#include "vfio_util.h"

#define MODULE_NAME	"barmap_vfio_pci"
/* vfio re-asks the user to release the device every 10 s: stay below. */
#define UNBIND_WAIT_MS	8000

static bool is_barmap(void)
{
	return !strcmp(test_driver(), BARMAP_DRIVER);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* Whether @pid is still running; fills @status once it has exited. */
static bool running(pid_t pid, int *status)
{
	return waitpid(pid, status, WNOHANG) == 0;
}

/* Wait up to @ms for @pid; true if it exited (status in *@status). */
static bool wait_exit(pid_t pid, int *status, long ms)
{
	for (; ms > 0; ms -= 50) {
		if (!running(pid, status))
			return true;
		sleep_ms(50);
	}
	return !running(pid, status);
}

/*
 * A child that, once told through the returned pipe, writes @bdf to the
 * unbind file of @drv and exits with 0 or the errno of the write.  It
 * first lets go of its copies of @dev and of the mapping @map: holding
 * them, it would wait for itself.
 */
static pid_t fork_unbinder(const char *bdf, const char *drv,
			   struct vfio_dev *dev, char *map, size_t len,
			   int *go)
{
	char path[128], c;
	int fds[2];
	pid_t pid;

	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid) {
		close(fds[0]);
		*go = fds[1];
		return pid;
	}
	close(fds[1]);
	if (map)
		munmap(map, len);
	vfio_dev_close(dev);
	if (read(fds[0], &c, 1) != 1)
		_exit(EPIPE);
	snprintf(path, sizeof(path), "/sys/bus/pci/drivers/%s/unbind", drv);
	_exit(-sysfs_write(path, bdf));
}

static sigjmp_buf bus_jmp;

static void on_sigbus(int sig)
{
	siglongjmp(bus_jmp, 1);
}

/* Read a word: 1 if it completed, 0 if it raised SIGBUS. */
static int read_word(const char *p)
{
	struct sigaction sa = { .sa_handler = on_sigbus }, old;
	int done = 1;

	sigaction(SIGBUS, &sa, &old);
	if (sigsetjmp(bus_jmp, 1))
		done = 0;
	else
		(void)*(volatile const uint32_t *)p;
	sigaction(SIGBUS, &old, NULL);
	return done;
}

/* @text without its lines containing @who; malloc()ed. */
static char *strip_lines(const char *text, const char *who)
{
	char *out = malloc(strlen(text) + 1), *o = out;
	const char *p = text;
	size_t n;

	for (; out && *p; p += n) {
		n = strcspn(p, "\n");
		n += p[n] == '\n';
		if (memmem(p, n, who, strlen(who)))
			continue;
		memcpy(o, p, n);
		o += n;
	}
	if (out)
		*o = '\0';
	return out;
}

/* barmap's directory of the device, in either place it can be. */
static bool debugfs_has(const char *bdf)
{
	bool in_core, in_own;

	barmap_debugfs_where(bdf, &in_core, &in_own);
	return in_core || in_own;
}

FIXTURE(unbind) {
	const char *bdf;
	char drv[64];
	char who[64];		/* "barmap BDF ": its reservations' prefix */
	char *bound_iomem;	/* /proc/iomem while bound, before the test */
	struct vfio_dev dev;
	char *map;
	size_t map_len;
};

FIXTURE_SETUP(unbind)
{
	struct vfio_region_info *info;
	unsigned int i;
	int ret;

	self->bdf = device_bdf;
	self->dev.fd = -1;
	self->dev.group = -1;
	ASSERT_EQ(0, sysfs_driver(self->bdf, self->drv, sizeof(self->drv)));
	ASSERT_STREQ(test_driver(), self->drv);
	snprintf(self->who, sizeof(self->who), "barmap %s ", self->bdf);
	self->bound_iomem = read_file("/proc/iomem");
	ASSERT_NE(NULL, self->bound_iomem);

	ret = vfio_dev_open(&self->dev, self->bdf);
	ASSERT_EQ(0, ret) TH_LOG("open %s: %s", self->bdf, strerror(-ret));
	/* The largest mappable BAR, so there is something to fault on. */
	for (i = VFIO_PCI_BAR0_REGION_INDEX; i <= VFIO_PCI_BAR5_REGION_INDEX; i++) {
		info = vfio_region_info(self->dev.fd, i);
		ASSERT_NE(NULL, info);
		if ((info->flags & VFIO_REGION_INFO_FLAG_MMAP) &&
		    info->size > self->map_len) {
			if (self->map)
				munmap(self->map, self->map_len);
			self->map_len = (info->size + 4095) & ~4095ULL;
			self->map = mmap(NULL, self->map_len, PROT_READ,
					 MAP_SHARED, self->dev.fd, info->offset);
			ASSERT_NE(MAP_FAILED, self->map);
		}
		free(info);
	}
	ASSERT_NE(NULL, self->map) TH_LOG("%s has no mappable BAR", self->bdf);
}

FIXTURE_TEARDOWN(unbind)
{
	char now[64];

	if (self->map)
		munmap(self->map, self->map_len);
	vfio_dev_close(&self->dev);
	/* Bound again as found, for the tests that follow. */
	if (!sysfs_driver(self->bdf, now, sizeof(now)) &&
	    strcmp(now, self->drv))
		pci_bind(self->bdf, self->drv);
	free(self->bound_iomem);
}

/*
 * What unbind must leave: the device without a driver, none of its
 * reservations in /proc/iomem and everything else there unchanged (so
 * each was released exactly once), and no debugfs directory.
 */
static void check_released(struct __test_metadata *_metadata,
			   FIXTURE_DATA(unbind) *self)
{
	char now[64], *want, *got;

	ASSERT_EQ(0, sysfs_driver(self->bdf, now, sizeof(now)));
	EXPECT_STREQ("", now);
	want = strip_lines(self->bound_iomem, self->who);
	got = read_file("/proc/iomem");
	ASSERT_NE(NULL, want);
	ASSERT_NE(NULL, got);
	EXPECT_STREQ(want, got);
	EXPECT_FALSE(debugfs_has(self->bdf));
	free(want);
	free(got);
}

TEST_F_TIMEOUT(unbind, waits_for_fd_then_mapping_then_releases, 60)
{
	int go, status, done = 0, bus = 0, i;
	pid_t pid;

	pid = fork_unbinder(self->bdf, self->drv, &self->dev, self->map,
			    self->map_len, &go);
	ASSERT_GE(pid, 0);
	ASSERT_EQ(1, write(go, "u", 1));
	close(go);

	/* Blocked in remove while the device file is open... */
	for (i = 0; i < 20; i++) {
		sleep_ms(50);
		done += read_word(self->map + (i * 4096) % self->map_len);
		bus += !read_word(self->map);
	}
	ASSERT_TRUE(running(pid, &status)) TH_LOG("unbind did not wait");
	/* debugfs goes when unbind starts, as vfio's own directory does. */
	for (i = 0; i < 100 && debugfs_has(self->bdf); i++)
		sleep_ms(50);
	EXPECT_FALSE(debugfs_has(self->bdf))
		TH_LOG("debugfs still there while unbind waits");

	/* ... and while only the mapping holds it... */
	vfio_dev_close(&self->dev);
	for (i = 0; i < 20; i++) {
		sleep_ms(50);
		done += read_word(self->map + (i * 4096) % self->map_len);
	}
	ASSERT_TRUE(running(pid, &status))
		TH_LOG("unbind did not wait for the mapping");
	TH_LOG("while unbind waited: %d reads completed, %d SIGBUS", done,
	       40 - done + bus);

	/* ... and done once that goes too. */
	ASSERT_EQ(0, munmap(self->map, self->map_len));
	self->map = NULL;
	ASSERT_TRUE(wait_exit(pid, &status, UNBIND_WAIT_MS))
		TH_LOG("unbind still blocked with nothing open");
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("unbind: %s",
						 strerror(WEXITSTATUS(status)));
	check_released(_metadata, self);
}

TEST_F_TIMEOUT(unbind, completes_when_the_holder_is_killed, 60)
{
	int go, ready[2], status, holder_status;
	pid_t holder, unbinder;
	char c;

	/* The holder inherits fd and mapping; the parent lets go of both. */
	ASSERT_EQ(0, pipe(ready));
	holder = fork();
	ASSERT_GE(holder, 0);
	if (!holder) {
		close(ready[0]);
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		for (;;)
			(void)*(volatile const uint32_t *)self->map;
	}
	close(ready[1]);
	ASSERT_EQ(1, read(ready[0], &c, 1));
	close(ready[0]);
	munmap(self->map, self->map_len);
	self->map = NULL;
	vfio_dev_close(&self->dev);

	unbinder = fork_unbinder(self->bdf, self->drv, &self->dev, self->map,
				 self->map_len, &go);
	ASSERT_GE(unbinder, 0);
	ASSERT_EQ(1, write(go, "u", 1));
	close(go);
	sleep_ms(500);
	EXPECT_TRUE(running(unbinder, &status)) TH_LOG("unbind did not wait");
	EXPECT_TRUE(running(holder, &holder_status))
		TH_LOG("the holder died while unbind waited");

	ASSERT_EQ(0, kill(holder, SIGKILL));
	ASSERT_EQ(holder, waitpid(holder, &holder_status, 0));
	/* Killed, or SIGBUS if its mapping was zapped meanwhile. */
	EXPECT_TRUE(WIFSIGNALED(holder_status) &&
		    (WTERMSIG(holder_status) == SIGKILL ||
		     WTERMSIG(holder_status) == SIGBUS))
		TH_LOG("holder status 0x%x", holder_status);
	ASSERT_TRUE(wait_exit(unbinder, &status, UNBIND_WAIT_MS))
		TH_LOG("unbind still blocked after the holder died");
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	check_released(_metadata, self);
}

static long delete_module(const char *name, int flags)
{
	return syscall(SYS_delete_module, name, flags);
}

static bool module_loaded(void)
{
	struct stat st;

	return !stat("/sys/module/" MODULE_NAME, &st);
}

TEST_F(unbind, rmmod_is_refused_while_a_device_file_is_open)
{
	if (!is_barmap())
		SKIP(return, "only about barmap-vfio-pci's module");
	/* vfio holds a module reference for every open device. */
	EXPECT_EQ(-1, delete_module(MODULE_NAME, O_NONBLOCK));
	EXPECT_EQ(EWOULDBLOCK, errno);
	EXPECT_TRUE(module_loaded());
	EXPECT_EQ(1, read_word(self->map));
	vfio_dev_close(&self->dev);
	EXPECT_EQ(-1, delete_module(MODULE_NAME, O_NONBLOCK))
		TH_LOG("the mapping still holds the device file");
	EXPECT_EQ(EWOULDBLOCK, errno);
	EXPECT_TRUE(module_loaded());
}

/* Devices bound to barmap-vfio-pci now, space-separated. */
static char *bound_devices(void)
{
	DIR *d = opendir("/sys/bus/pci/drivers/" BARMAP_DRIVER);
	char *list = calloc(1, 1024);
	struct dirent *e;

	while (d && list && (e = readdir(d)))
		if (!strncmp(e->d_name, "0000:", 5) &&
		    strlen(list) + strlen(e->d_name) + 2 < 1024)
			sprintf(list + strlen(list), "%s ", e->d_name);
	if (d)
		closedir(d);
	return list;
}

/* Bind every device of the space-separated @devs; returns the failures. */
static int bind_all(const char *devs)
{
	char *list = strdup(devs), *bdf, *save;
	int failed = 0;

	for (bdf = strtok_r(list, " ", &save); bdf;
	     bdf = strtok_r(NULL, " ", &save))
		failed += pci_bind(bdf, BARMAP_DRIVER) != 0;
	free(list);
	return failed;
}

/*
 * With no device file open, rmmod unbinds every device (remove runs for
 * each) and their reservations go, each exactly once; modprobe and
 * binding them again restores /proc/iomem byte for byte.
 */
TEST_F_TIMEOUT(unbind, rmmod_of_idle_devices_unbinds_and_releases, 60)
{
	char *devs, *list, *bdf, *save, *want, *got;

	if (!is_barmap())
		SKIP(return, "only about barmap-vfio-pci's module");
	if (!getenv("BARMAP_RMMOD"))
		SKIP(return, "unloads the module: only with BARMAP_RMMOD=1");
	munmap(self->map, self->map_len);
	self->map = NULL;
	vfio_dev_close(&self->dev);
	devs = bound_devices();
	ASSERT_NE(NULL, devs);
	TH_LOG("bound: %s", devs);

	ASSERT_EQ(0, delete_module(MODULE_NAME, O_NONBLOCK))
		TH_LOG("rmmod: %s", strerror(errno));
	EXPECT_FALSE(module_loaded());
	list = strdup(devs);
	for (bdf = strtok_r(list, " ", &save); bdf;
	     bdf = strtok_r(NULL, " ", &save)) {
		char now[64];

		ASSERT_EQ(0, sysfs_driver(bdf, now, sizeof(now)));
		EXPECT_STREQ("", now) TH_LOG("%s still bound", bdf);
	}
	free(list);
	/* barmap's lines went, all of them, and nothing else changed. */
	want = strip_lines(self->bound_iomem, "barmap ");
	got = read_file("/proc/iomem");
	ASSERT_NE(NULL, want);
	ASSERT_NE(NULL, got);
	EXPECT_STREQ(want, got);
	free(want);
	free(got);

	ASSERT_EQ(0, system("modprobe barmap-vfio-pci"));
	EXPECT_EQ(0, bind_all(devs)) TH_LOG("rebinding %s", devs);
	free(devs);
	/* Bound again: the same reservations, at the same places. */
	got = read_file("/proc/iomem");
	EXPECT_STREQ(self->bound_iomem, got);
	free(got);
}

/*
 * Entries of /proc/iomem in the page of the BAR [@start, @end] after its
 * end, other than the windows that hold the BAR.
 */
static int iomem_neighbours(uint64_t start, uint64_t end, long page)
{
	uint64_t s, e, rest_end = start + page - 1;
	char line[256];
	int n = 0;
	FILE *f = fopen("/proc/iomem", "r");

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " %" SCNx64 "-%" SCNx64, &s, &e) == 2 &&
		    s <= rest_end && e > end && !(s <= start && e >= end))
			n++;
	fclose(f);
	return n;
}

/*
 * A probe that fails after barmap reserved the page remainder of a
 * sub-page BAR: a PCI bridge, which vfio_pci_core_register_device()
 * refuses (-EINVAL: not a normal header).  No fixture device is opened.
 */
TEST(probe_failure_leaves_iomem_and_debugfs_unchanged)
{
	const char *bdf = getenv("BARMAP_BRIDGE_BDF");
	char drv[64], path[128], *before, *after;
	long page = sysconf(_SC_PAGESIZE);
	struct bar_resource res;
	int ret;

	if (!bdf || !*bdf)
		SKIP(return, "the rig has no PCI bridge without a driver (BARMAP_BRIDGE_BDF)");
	if (!is_barmap())
		SKIP(return, "only about barmap-vfio-pci's probe");
	ASSERT_EQ(0, bar_resource(bdf, 0, &res));
	if (!bar_is_subpage_mem(&res, page) || res.start % page)
		SKIP(return, "%s BAR0 0x%llx-0x%llx: not page-aligned sub-page memory",
		     bdf, (unsigned long long)res.start,
		     (unsigned long long)res.end);
	/* The page rest must be free, or probe would not reserve it. */
	ASSERT_EQ(0, iomem_neighbours(res.start, res.end, page))
		TH_LOG("the page of %s BAR0 is shared: nothing to reserve", bdf);
	ASSERT_EQ(0, sysfs_driver(bdf, drv, sizeof(drv)));
	TH_LOG("%s BAR0 0x%llx-0x%llx, driver '%s'", bdf,
	       (unsigned long long)res.start, (unsigned long long)res.end,
	       drv);

	before = read_file("/proc/iomem");
	ASSERT_NE(NULL, before);
	ret = pci_bind(bdf, BARMAP_DRIVER);
	EXPECT_NE(0, ret) TH_LOG("a bridge bound to barmap-vfio-pci");
	after = read_file("/proc/iomem");
	ASSERT_NE(NULL, after);
	EXPECT_STREQ(before, after);
	EXPECT_FALSE(debugfs_has(bdf));
	/* "probe with driver D failed" since 6.3, "D: probe of B failed" before */
	EXPECT_TRUE(klog_has(bdf, BARMAP_DRIVER, "failed with error -22"));

	/* Back to the bridge's own driver, if it had one. */
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver_override",
		 bdf);
	EXPECT_EQ(0, sysfs_write(path, "\n"));
	if (drv[0]) {
		char now[64];

		sysfs_write("/sys/bus/pci/drivers_probe", bdf);
		ASSERT_EQ(0, sysfs_driver(bdf, now, sizeof(now)));
		EXPECT_STREQ(drv, now);
	}
	free(before);
	free(after);
}

int main(int argc, char *argv[])
{
	device_bdf = vfio_selftests_get_bdf(&argc, argv);
	return test_harness_run(argc, argv);
}
