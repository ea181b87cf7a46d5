// SPDX-License-Identifier: GPL-2.0-only
/*
 * Bind/unbind cycles of barmap-vfio-pci over the devices given at the end
 * of the command line (or the one in $VFIO_SELFTESTS_BDF),
 * with an open and close of each device in every cycle: the driver must
 * come and go cleanly and leave /proc/iomem exactly as it found it.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libvfio.h>

#include "kselftest_harness.h"
#include "vfio_util.h"

/* The devices to cycle, from vfio_selftests_get_bdfs() */
static char **lifecycle_bdfs;
static int nr_lifecycle_bdfs;

static int one_cycle(const char *bdf)
{
	struct vfio_dev dev;
	char drv[64];
	int ret;

	ret = pci_unbind(bdf);
	if (ret)
		return ret;
	if (sysfs_driver(bdf, drv, sizeof(drv)) || drv[0])
		return -EBUSY;
	ret = pci_bind(bdf, BARMAP_DRIVER);
	if (ret)
		return ret;
	ret = vfio_dev_open(&dev, bdf);
	if (ret)
		return ret;
	vfio_dev_close(&dev);
	return 0;
}

FIXTURE(cycles) {
};

FIXTURE_SETUP(cycles)
{
}

FIXTURE_TEARDOWN(cycles)
{
}

/* 200 cycles of four devices take about a minute under TCG. */
TEST_F_TIMEOUT(cycles, bind_unbind_leave_iomem_unchanged, 600)
{
	int cycles = getenv("BARMAP_CYCLES") ? atoi(getenv("BARMAP_CYCLES")) : 50;
	char *before, *after;
	int i, d, ret;

	before = read_file("/proc/iomem");
	ASSERT_NE(NULL, before);
	for (i = 0; i < cycles; i++) {
		for (d = 0; d < nr_lifecycle_bdfs; d++) {
			ret = one_cycle(lifecycle_bdfs[d]);
			ASSERT_EQ(0, ret) TH_LOG("cycle %d, %s: %s", i,
						 lifecycle_bdfs[d], strerror(-ret));
		}
	}
	after = read_file("/proc/iomem");
	ASSERT_NE(NULL, after);
	EXPECT_STREQ(before, after);
	TH_LOG("%d cycles over %d devices", cycles, nr_lifecycle_bdfs);
	free(before);
	free(after);
}

/*
 * Whether barmap's debugfs directory of @bdf is where the kernel says
 * (the core's vfio/BDF/barmap/ where it has VFIO's debugfs, else
 * barmap-vfio-pci/BDF/), with @bound, and nowhere without.  Returns NULL
 * or what is wrong.
 */
static const char *debugfs_dir_wrong(const char *bdf, bool bound)
{
	static const char * const files[] = { "reservations", "layout", "faults" };
	char path[PATH_MAX];
	bool in_core, in_own;
	struct stat st;
	unsigned int i;

	barmap_debugfs_where(bdf, &in_core, &in_own);
	if (!bound)
		return in_core || in_own ? "left behind after unbind" : NULL;
	if (vfio_has_debugfs() ? !in_core || in_own : !in_own || in_core)
		return vfio_has_debugfs() ?
			"not (only) in the core's directory of the device" :
			"not (only) in barmap-vfio-pci/";
	for (i = 0; i < ARRAY_SIZE(files); i++) {
		barmap_debugfs_file(bdf, files[i], path, sizeof(path));
		if (stat(path, &st))
			return "a file is missing";
	}
	return NULL;
}

/*
 * The device's debugfs directory comes with the binding and goes with it,
 * in the core's directory of the device where there is one.
 */
TEST_F(cycles, debugfs_dir_follows_binding_and_the_core)
{
	const char *bdf, *wrong;
	int d;

	TH_LOG("VFIO's debugfs (%s): %s", VFIO_DEBUGFS_ROOT,
	       vfio_has_debugfs() ? "yes" : "no");
	for (d = 0; d < nr_lifecycle_bdfs; d++) {
		bdf = lifecycle_bdfs[d];
		wrong = debugfs_dir_wrong(bdf, true);
		EXPECT_EQ(NULL, wrong) TH_LOG("%s bound: %s", bdf, wrong);
		ASSERT_EQ(0, pci_unbind(bdf));
		wrong = debugfs_dir_wrong(bdf, false);
		EXPECT_EQ(NULL, wrong) TH_LOG("%s: %s", bdf, wrong);
		ASSERT_EQ(0, pci_bind(bdf, BARMAP_DRIVER));
		wrong = debugfs_dir_wrong(bdf, true);
		EXPECT_EQ(NULL, wrong) TH_LOG("%s bound again: %s", bdf, wrong);
	}
}

int main(int argc, char *argv[])
{
	lifecycle_bdfs = vfio_selftests_get_bdfs(&argc, argv, &nr_lifecycle_bdfs);
	return test_harness_run(argc, argv);
}
