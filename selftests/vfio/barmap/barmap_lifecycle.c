// SPDX-License-Identifier: GPL-2.0-only
/*
 * Bind/unbind cycles of barmap-vfio-pci over the devices in $BARMAP_BDFS,
 * with an open and close of each device in every cycle: the driver must
 * come and go cleanly and leave /proc/iomem exactly as it found it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "vfio_util.h"

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
	const char *env = getenv("BARMAP_BDFS");
	int cycles = getenv("BARMAP_CYCLES") ? atoi(getenv("BARMAP_CYCLES")) : 50;
	char *before, *after, *list, *bdf, *save;
	int i, ret;

	if (!env)
		SKIP(return, "no devices given (BARMAP_BDFS)");

	before = read_file("/proc/iomem");
	ASSERT_NE(NULL, before);
	for (i = 0; i < cycles; i++) {
		list = strdup(env);
		ASSERT_NE(NULL, list);
		for (bdf = strtok_r(list, " ", &save); bdf;
		     bdf = strtok_r(NULL, " ", &save)) {
			ret = one_cycle(bdf);
			ASSERT_EQ(0, ret) TH_LOG("cycle %d, %s: %s", i, bdf,
						 strerror(-ret));
		}
		free(list);
	}
	after = read_file("/proc/iomem");
	ASSERT_NE(NULL, after);
	EXPECT_STREQ(before, after);
	TH_LOG("%d cycles over: %s", cycles, env);
	free(before);
	free(after);
}

TEST_HARNESS_MAIN
