// SPDX-License-Identifier: GPL-2.0-only
/*
 * A reservation the PCI core takes away: a device with a sub-page BAR
 * (VFIO_SELFTESTS_BDF, BAR BARMAP_BAR) sits behind a hot-plug bridge, bound to
 * barmap-vfio-pci, which reserved the rest of the BAR's page at bind.
 * Devices are then hot-added onto that bridge until one does not fit its
 * memory window: the PCI core's second try
 * (pci_assign_unassigned_bridge_resources()) releases the window and
 * every resource in it, barmap's reservation included, and assigns them
 * again elsewhere; only the devices' own BARs come back.
 *
 * The hot-adds are the host's: each device in BARMAP_HOTADD (QEMU
 * -device arguments, separated by spaces) is asked for with one line
 * "barmap-hotadd: ARGS" on BARMAP_HOTADD_TTY, which the rig's QEMU
 * monitor turns into device_add (scripts/run-guest.sh), and the test
 * waits for it to appear on the bus.  The bridge (BARMAP_HOTPLUG_BRIDGE)
 * has its hot-plug driver, shpchp, only meanwhile: the bridge is in the
 * device's IOMMU group, which VFIO opens only while no other driver
 * holds a device of it.  The tests run in order, each on
 * what the one before left: mappable while reserved; the release; an
 * open after it, where mmap of the BAR is refused; unbind, and a rebind
 * that reserves the new page.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libvfio.h>

#include "kselftest_harness.h"
#include "vfio_util.h"

/* Each hot-add: the slot's power-on delays and the bus scan, under TCG. */
#define HOTADD_WAIT_SECS	120

FIXTURE(hotadd) {
	const char *bdf;
	const char *hotadd;
	unsigned int bar;
	char rest[64];
	struct bar_resource res;
};

FIXTURE_SETUP(hotadd)
{
	long page = sysconf(_SC_PAGESIZE);

	self->bdf = device_bdf;
	self->hotadd = getenv("BARMAP_HOTADD");
	self->bar = getenv("BARMAP_BAR") ? atoi(getenv("BARMAP_BAR")) : 1;
	snprintf(self->rest, sizeof(self->rest), "barmap %s BAR%u", self->bdf,
		 self->bar);
	ASSERT_EQ(0, bar_resource(self->bdf, self->bar, &self->res));
	ASSERT_TRUE(bar_is_subpage_mem(&self->res, page))
		TH_LOG("%s BAR%u is not a sub-page memory BAR", self->bdf,
		       self->bar);
}

FIXTURE_TEARDOWN(hotadd)
{
}

/* The line of debugfs "reservations" for the BAR, or "" */
static void reservation_line(const char *bdf, unsigned int bar, char *buf,
			     size_t len)
{
	char path[128], want[16], *text, *line;

	buf[0] = '\0';
	barmap_debugfs_file(bdf, "reservations", path, sizeof(path));
	text = read_file(path);
	if (!text)
		return;
	snprintf(want, sizeof(want), "BAR%u ", bar);
	line = strstr(text, want);
	if (line)
		snprintf(buf, len, "%.*s", (int)strcspn(line, "\n"), line);
	free(text);
}

/* mmap of the BAR's first page: 0 or -errno. */
static int map_bar(int fd, const struct vfio_region_info *info)
{
	long page = sysconf(_SC_PAGESIZE);
	void *p;

	p = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, info->offset);
	if (p == MAP_FAILED)
		return -errno;
	munmap(p, page);
	return 0;
}

static bool device_present(const char *bdf)
{
	char path[128];
	struct stat st;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", bdf);
	return !stat(path, &st);
}

/*
 * Ask the host for one device (QEMU -device ARGS, with bus= and addr=)
 * and wait for it behind the bridge of @bdf: same domain and bus, the
 * slot and function of addr=.
 */
static int request_hotadd(const char *bdf, const char *args)
{
	const char *tty = getenv("BARMAP_HOTADD_TTY");
	const char *addr = strstr(args, "addr=");
	unsigned int slot, fn = 0;
	char want[32];
	int fd, i;

	if (!tty || !addr || sscanf(addr, "addr=%x.%x", &slot, &fn) < 1)
		return -EINVAL;
	snprintf(want, sizeof(want), "%.8s%02x.%x", bdf, slot, fn);
	fd = open(tty, O_WRONLY | O_NOCTTY);
	if (fd < 0)
		return -errno;
	dprintf(fd, "\nbarmap-hotadd: %s\n", args);
	close(fd);
	for (i = 0; i < HOTADD_WAIT_SECS; i++) {
		if (device_present(want))
			return 0;
		sleep(1);
	}
	return -ETIMEDOUT;
}

TEST_F(hotadd, reserved_page_leaves_the_bar_mappable)
{
	struct vfio_region_info *info;
	struct vfio_dev dev;
	uint64_t start, end;
	char line[160];

	ASSERT_EQ(1, iomem_find(self->rest, &start, &end))
		TH_LOG("no '%s' in /proc/iomem", self->rest);
	EXPECT_EQ(self->res.end + 1, start);
	reservation_line(self->bdf, self->bar, line, sizeof(line));
	EXPECT_NE(NULL, strstr(line, " reserved [mem ")) TH_LOG("'%s'", line);

	ASSERT_EQ(0, vfio_dev_open(&dev, self->bdf));
	info = vfio_region_info(dev.fd, self->bar);
	ASSERT_NE(NULL, info);
	EXPECT_TRUE(info->flags & VFIO_REGION_INFO_FLAG_MMAP)
		TH_LOG("BAR%u flags 0x%x", self->bar, info->flags);
	EXPECT_EQ(0, map_bar(dev.fd, info));
	free(info);
	vfio_dev_close(&dev);
}

/* Ends where the PCI core's second try released the bridge's window. */
TEST_F_TIMEOUT(hotadd, hot_add_that_does_not_fit_releases_the_reservation,
	       2 * HOTADD_WAIT_SECS + 60)
{
	const char *bridge = getenv("BARMAP_HOTPLUG_BRIDGE");
	char *list, *args, *save, range[64];
	struct bar_resource moved;
	uint64_t start, end;
	int ret, tries;

	if (!self->hotadd || !bridge || !getenv("BARMAP_HOTADD_TTY"))
		SKIP(return, "no hot-add given (BARMAP_HOTADD, _HOTADD_TTY, _HOTPLUG_BRIDGE)");
	ASSERT_EQ(1, iomem_find(self->rest, &start, &end));
	tries = klog_count("PCI: No. 2 try to assign unassigned res", "", "");
	ASSERT_EQ(0, pci_bind(bridge, "shpchp"));
	list = strdup(self->hotadd);
	ASSERT_NE(NULL, list);
	for (args = strtok_r(list, " ", &save); args;
	     args = strtok_r(NULL, " ", &save)) {
		ret = request_hotadd(self->bdf, args);
		ASSERT_EQ(0, ret) TH_LOG("hot-add of %s: %s", args,
					 strerror(-ret));
	}
	free(list);
	ASSERT_EQ(0, pci_unbind_clear(bridge));

	/* __release_child_resources() names each resource it releases. */
	snprintf(range, sizeof(range), "[mem %#010llx-%#010llx]",
		 (unsigned long long)start, (unsigned long long)end);
	EXPECT_LT(tries, klog_count("PCI: No. 2 try to assign unassigned res",
				    "", ""));
	ASSERT_TRUE(klog_has("release child resource", range, ""))
		TH_LOG("the PCI core did not release %s", range);
	EXPECT_EQ(0, iomem_find(self->rest, &start, &end));
	ASSERT_EQ(0, bar_resource(self->bdf, self->bar, &moved));
	TH_LOG("BAR%u: %#llx before the hot-adds, %#llx after (%s)", self->bar,
	       (unsigned long long)self->res.start,
	       (unsigned long long)moved.start,
	       moved.start == self->res.start ? "not moved" : "moved");
}

TEST_F(hotadd, open_after_the_release_refuses_mmap_of_the_bar)
{
	struct vfio_region_info *info;
	struct vfio_dev dev;
	char bar_s[16], line[160];

	if (!self->hotadd)
		SKIP(return, "no hot-add given (BARMAP_HOTADD)");
	ASSERT_EQ(0, vfio_dev_open(&dev, self->bdf));
	info = vfio_region_info(dev.fd, self->bar);
	ASSERT_NE(NULL, info);
	EXPECT_FALSE(info->flags & VFIO_REGION_INFO_FLAG_MMAP)
		TH_LOG("BAR%u flags 0x%x", self->bar, info->flags);
	EXPECT_EQ(-EINVAL, map_bar(dev.fd, info));
	free(info);
	vfio_dev_close(&dev);

	snprintf(bar_s, sizeof(bar_s), "BAR%u ", self->bar);
	EXPECT_TRUE(klog_has(self->bdf, bar_s,
			     "released the reserved rest of its page"));
	reservation_line(self->bdf, self->bar, line, sizeof(line));
	EXPECT_NE(NULL, strstr(line, " detached")) TH_LOG("'%s'", line);
}

TEST_F(hotadd, rebind_reserves_the_page_where_the_bar_is_now)
{
	struct vfio_region_info *info;
	struct vfio_dev dev;
	uint64_t start, end;

	if (!self->hotadd)
		SKIP(return, "no hot-add given (BARMAP_HOTADD)");
	ASSERT_EQ(0, pci_unbind(self->bdf));
	EXPECT_EQ(0, iomem_find(self->rest, &start, &end));
	ASSERT_EQ(0, pci_bind(self->bdf, BARMAP_DRIVER));
	ASSERT_EQ(1, iomem_find(self->rest, &start, &end))
		TH_LOG("no '%s' in /proc/iomem after the rebind", self->rest);
	EXPECT_EQ(self->res.end + 1, start);

	ASSERT_EQ(0, vfio_dev_open(&dev, self->bdf));
	info = vfio_region_info(dev.fd, self->bar);
	ASSERT_NE(NULL, info);
	EXPECT_TRUE(info->flags & VFIO_REGION_INFO_FLAG_MMAP);
	EXPECT_EQ(0, map_bar(dev.fd, info));
	free(info);
	vfio_dev_close(&dev);
}

int main(int argc, char *argv[])
{
	device_bdf = vfio_selftests_get_bdf(&argc, argv);
	return test_harness_run(argc, argv);
}
