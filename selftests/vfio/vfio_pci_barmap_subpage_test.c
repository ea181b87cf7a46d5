// SPDX-License-Identifier: GPL-2.0-only
/*
 * The exclusive-page rule for sub-page BARs, run in the guest per device
 * (VFIO_SELFTESTS_BDF) with the outcome the boot profile implies:
 *   BARMAP_SUBPAGE=reserved  every sub-page BAR is alone in its page
 *   BARMAP_SUBPAGE=refused   every sub-page BAR shares its page
 * Each test rebinds or reopens the device itself, so "before any open"
 * and "after unbind" mean exactly that.  With BARMAP_DRIVER=vfio-pci the
 * rig runs the same tests against stock vfio-pci to show where it differs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <libvfio.h>

#include "kselftest_harness.h"
#include "vfio_util.h"

static bool expect_reserved(void)
{
	const char *e = getenv("BARMAP_SUBPAGE");

	return !e || strcmp(e, "refused");
}

static void rest_name(const char *bdf, unsigned int bar, char *buf,
		      size_t len)
{
	snprintf(buf, len, "barmap %s BAR%u", bdf, bar);
}

/* Sub-page memory BARs of the device under test, as a bitmask. */
static unsigned int subpage_bars(const char *bdf)
{
	long page = sysconf(_SC_PAGESIZE);
	struct bar_resource res;
	unsigned int bar, mask = 0;

	for (bar = 0; bar < 6; bar++)
		if (!bar_resource(bdf, bar, &res) &&
		    bar_is_subpage_mem(&res, page))
			mask |= 1u << bar;
	return mask;
}

/*
 * Check barmap's /proc/iomem entry of every sub-page BAR: exactly
 * [BAR end + 1, page end] when reservations are expected, absent otherwise.
 */
static void check_iomem(struct __test_metadata *_metadata, const char *bdf,
			bool want)
{
	long page = sysconf(_SC_PAGESIZE);
	unsigned int bar, mask = subpage_bars(bdf);
	struct bar_resource res;
	uint64_t start, end;
	char name[64];

	for (bar = 0; bar < 6; bar++) {
		if (!(mask & (1u << bar)))
			continue;
		ASSERT_EQ(0, bar_resource(bdf, bar, &res));
		rest_name(bdf, bar, name, sizeof(name));
		if (!want) {
			EXPECT_EQ(0, iomem_find(name, &start, &end))
				TH_LOG("unexpected '%s'", name);
			continue;
		}
		ASSERT_EQ(1, iomem_find(name, &start, &end))
			TH_LOG("no single '%s' in /proc/iomem", name);
		EXPECT_EQ(res.end + 1, start);
		EXPECT_EQ((res.start | (page - 1)), end);
	}
}

FIXTURE(subpage) {
	const char *bdf;
	unsigned int bars;
	bool reserved;
};

FIXTURE_SETUP(subpage)
{
	self->bdf = device_bdf;
	self->bars = subpage_bars(self->bdf);
	self->reserved = expect_reserved();
	ASSERT_NE(0, self->bars) TH_LOG("%s has no sub-page memory BAR",
					self->bdf);
}

FIXTURE_TEARDOWN(subpage)
{
	char drv[64];

	/* Leave the device bound as the rig expects it. */
	if (!sysfs_driver(self->bdf, drv, sizeof(drv)) &&
	    strcmp(drv, test_driver()))
		pci_bind(self->bdf, test_driver());
}

TEST_F(subpage, reserved_at_bind_before_open)
{
	ASSERT_EQ(0, pci_bind(self->bdf, test_driver()));
	check_iomem(_metadata, self->bdf, self->reserved);
}

TEST_F(subpage, mmap_flag_follows_reservation)
{
	struct vfio_region_info *info;
	struct vfio_dev dev;
	unsigned int bar;

	ASSERT_EQ(0, vfio_dev_open(&dev, self->bdf));
	for (bar = 0; bar < 6; bar++) {
		if (!(self->bars & (1u << bar)))
			continue;
		info = vfio_region_info(dev.fd, bar);
		ASSERT_NE(NULL, info);
		EXPECT_EQ(self->reserved,
			  !!(info->flags & VFIO_REGION_INFO_FLAG_MMAP))
			TH_LOG("BAR%u flags 0x%x", bar, info->flags);
		free(info);
	}
	vfio_dev_close(&dev);
}

TEST_F(subpage, mmap_of_the_page_follows_reservation)
{
	long page = sysconf(_SC_PAGESIZE);
	struct vfio_region_info *info;
	struct vfio_dev dev;
	unsigned int bar;
	uint32_t via_fd;
	void *map;

	ASSERT_EQ(0, vfio_dev_open(&dev, self->bdf));
	for (bar = 0; bar < 6; bar++) {
		if (!(self->bars & (1u << bar)))
			continue;
		info = vfio_region_info(dev.fd, bar);
		ASSERT_NE(NULL, info);
		map = mmap(NULL, page, PROT_READ, MAP_SHARED, dev.fd,
			   info->offset);
		if (!self->reserved) {
			EXPECT_EQ(MAP_FAILED, map);
			EXPECT_EQ(EINVAL, errno);
			if (map != MAP_FAILED)
				munmap(map, page);
			free(info);
			continue;
		}
		ASSERT_NE(MAP_FAILED, map) TH_LOG("BAR%u: %s", bar,
						  strerror(errno));
		ASSERT_EQ(sizeof(via_fd), pread(dev.fd, &via_fd, sizeof(via_fd),
						info->offset));
		EXPECT_EQ(via_fd, *(volatile uint32_t *)map);
		munmap(map, page);
		free(info);
	}
	vfio_dev_close(&dev);
}

TEST_F(subpage, reservation_held_while_open_and_after_close)
{
	long page = sysconf(_SC_PAGESIZE);
	struct bar_resource res;
	struct vfio_dev dev;
	unsigned int bar;

	ASSERT_EQ(0, vfio_dev_open(&dev, self->bdf));
	check_iomem(_metadata, self->bdf, self->reserved);
	/* No second reservation of the same page by vfio-pci-core. */
	for (bar = 0; self->reserved && bar < 6; bar++) {
		if (!(self->bars & (1u << bar)))
			continue;
		ASSERT_EQ(0, bar_resource(self->bdf, bar, &res));
		EXPECT_EQ(0, iomem_count_overlapping("vfio sub-page reserved",
						     res.start,
						     res.start | (page - 1)));
	}
	vfio_dev_close(&dev);
	check_iomem(_metadata, self->bdf, self->reserved);
}

TEST_F(subpage, released_at_unbind)
{
	ASSERT_EQ(0, pci_unbind(self->bdf));
	check_iomem(_metadata, self->bdf, false);
	ASSERT_EQ(0, pci_bind(self->bdf, test_driver()));
	check_iomem(_metadata, self->bdf, self->reserved);
}

/*
 * The page of every sub-page BAR, as /proc/iomem shows it, holds no other
 * device's BAR and starts the BAR where reservations are expected, and is
 * shared or does not start the BAR where refusals are: the profile really
 * places the BARs as the expectations of the other tests assume.
 */
TEST_F(subpage, placement_in_iomem_matches_the_profile)
{
	long page = sysconf(_SC_PAGESIZE);
	struct bar_resource res;
	char others[128];
	unsigned int bar;
	bool aligned;
	int n;

	for (bar = 0; bar < 6; bar++) {
		if (!(self->bars & (1u << bar)))
			continue;
		ASSERT_EQ(0, bar_resource(self->bdf, bar, &res));
		n = iomem_pci_neighbours(self->bdf, res.start & ~(page - 1),
					 res.start | (page - 1), others,
					 sizeof(others));
		ASSERT_LE(0, n);
		aligned = !(res.start & (page - 1));
		TH_LOG("BAR%u at 0x%llx, page-aligned %d, %d other BAR(s) in its %ld-byte page%s%s",
		       bar, (unsigned long long)res.start, aligned, n, page,
		       n ? ": " : "", others);
		EXPECT_EQ(self->reserved, aligned && !n);
	}
}

/*
 * A refusal is logged once per BAR: naming a neighbour that shares the
 * page, or saying the BAR does not start its page.
 */
TEST_F(subpage, refusal_is_logged)
{
	long page = sysconf(_SC_PAGESIZE);
	char bdf[40], bar_s[16], why[64], others[128], *other, *save;
	struct bar_resource res;
	unsigned int bar;
	bool named;

	snprintf(bdf, sizeof(bdf), "%s: ", self->bdf);
	for (bar = 0; bar < 6; bar++) {
		if (!(self->bars & (1u << bar)))
			continue;
		snprintf(bar_s, sizeof(bar_s), "BAR%u [mem", bar);
		EXPECT_EQ(!self->reserved,
			  klog_has(bdf, bar_s, "mmap disabled"))
			TH_LOG("dev_info line for BAR%u", bar);
		if (self->reserved)
			continue;
		ASSERT_EQ(0, bar_resource(self->bdf, bar, &res));
		if (res.start & (page - 1)) {
			EXPECT_TRUE(klog_has(bdf, bar_s, "is not page-aligned"))
				TH_LOG("BAR%u: no 'is not page-aligned' line", bar);
			continue;
		}
		ASSERT_LT(0, iomem_pci_neighbours(self->bdf, res.start,
						  res.start | (page - 1),
						  others, sizeof(others)));
		named = false;
		for (other = strtok_r(others, " ", &save); other && !named;
		     other = strtok_r(NULL, " ", &save)) {
			snprintf(why, sizeof(why), "shares its page with %s",
				 other);
			named = klog_has(bdf, bar_s, why);
		}
		EXPECT_TRUE(named) TH_LOG("BAR%u: no line naming a neighbour in its page",
					  bar);
	}
}

TEST_F(subpage, debugfs_shows_page_state)
{
	char path[128], want[16], *text, *line;
	unsigned int bar;

	barmap_debugfs_file(self->bdf, "reservations", path, sizeof(path));
	text = read_file(path);
	ASSERT_NE(NULL, text) TH_LOG("%s: %s", path, strerror(errno));
	for (bar = 0; bar < 6; bar++) {
		if (!(self->bars & (1u << bar)))
			continue;
		snprintf(want, sizeof(want), "BAR%u ", bar);
		line = strstr(text, want);
		ASSERT_NE(NULL, line);
		line[strcspn(line, "\n")] = '\0';
		if (self->reserved) {
			EXPECT_NE(NULL, strstr(line, " reserved [mem "))
				TH_LOG("%s", line);
		} else {
			EXPECT_TRUE(strstr(line, " shared") ||
				    strstr(line, " unaligned")) TH_LOG("%s", line);
		}
		line[strlen(line)] = '\n';
	}
	free(text);
}

int main(int argc, char *argv[])
{
	device_bdf = vfio_selftests_get_bdf(&argc, argv);
	return test_harness_run(argc, argv);
}
