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

static char *slurp(const char *path)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);
	FILE *f = fopen(path, "r");
	size_t n;

	if (!buf || !f) {
		free(buf);
		if (f)
			fclose(f);
		return NULL;
	}
	while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (len + 1 == cap) {
			cap *= 2;
			buf = realloc(buf, cap);
			if (!buf)
				break;
		}
	}
	fclose(f);
	if (buf)
		buf[len] = '\0';
	return buf;
}

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

TEST(bind_unbind_cycles_leave_iomem_unchanged)
{
	const char *env = getenv("BARMAP_BDFS");
	int cycles = getenv("BARMAP_CYCLES") ? atoi(getenv("BARMAP_CYCLES")) : 50;
	char *before, *after, *list, *bdf, *save;
	int i, ret;

	if (!env)
		SKIP(return, "no devices given (BARMAP_BDFS)");

	before = slurp("/proc/iomem");
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
	after = slurp("/proc/iomem");
	ASSERT_NE(NULL, after);
	EXPECT_STREQ(before, after);
	TH_LOG("%d cycles over: %s", cycles, env);
	free(before);
	free(after);
}

TEST_HARNESS_MAIN
