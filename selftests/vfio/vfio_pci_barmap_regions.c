// SPDX-License-Identifier: GPL-2.0-only
/*
 * Print the regions of a VFIO device as the selftests see them, one line
 * per index (a failing one with its errno).  Used to record what stock
 * vfio-pci reports, and with --table (the BARs only) by `make demo`.
 * With --answers, every answer of answers.h, after a "driver" line naming
 * the driver that gave them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "answers.h"
#include "vfio_util.h"

static void flag_names(uint32_t flags, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s", flags & VFIO_REGION_INFO_FLAG_READ ? "R" : "-",
		 flags & VFIO_REGION_INFO_FLAG_WRITE ? "W" : "-",
		 flags & VFIO_REGION_INFO_FLAG_MMAP ? "M" : "-");
}

static void cap_names(const struct vfio_region_info *info, char *buf,
		      size_t len)
{
	const struct vfio_region_info_cap_sparse_mmap *sparse;
	int n = 0;
	uint32_t i;

	buf[0] = '\0';
	sparse = (const void *)vfio_region_cap(info,
					       VFIO_REGION_INFO_CAP_SPARSE_MMAP);
	if (sparse) {
		n += snprintf(buf + n, len - n, "SPARSE_MMAP{");
		for (i = 0; i < sparse->nr_areas; i++)
			n += snprintf(buf + n, len - n, "%s0x%llx+0x%llx",
				      i ? "," : "", sparse->areas[i].offset,
				      sparse->areas[i].size);
		n += snprintf(buf + n, len - n, "} ");
	}
	if (vfio_region_cap(info, VFIO_REGION_INFO_CAP_MSIX_MAPPABLE))
		n += snprintf(buf + n, len - n, "MSIX_MAPPABLE");
	if (!n)
		snprintf(buf, len, "-");
}

static void print_row(const char *bdf, const struct vfio_region_info *info)
{
	char flags[8], caps[400];

	flag_names(info->flags, flags, sizeof(flags));
	cap_names(info, caps, sizeof(caps));
	printf("%-13s BAR%u %12llu  %-5s %s\n", bdf, info->index, info->size,
	       flags, caps);
}

/* vfio_pci_barmap_regions --answers BDF */
static int print_answers(const char *bdf)
{
	struct answers a = { 0 };
	struct vfio_dev dev;
	char drv[64];
	int ret;

	if (sysfs_driver(bdf, drv, sizeof(drv))) {
		fprintf(stderr, "%s: no driver\n", bdf);
		return 1;
	}
	ret = vfio_dev_open(&dev, bdf);
	if (ret) {
		fprintf(stderr, "%s: open: %s\n", bdf, strerror(-ret));
		return 1;
	}
	ret = answers_collect(dev.fd, bdf, NULL, &a);
	vfio_dev_close(&dev);
	if (ret) {
		fprintf(stderr, "%s: %s\n", bdf, strerror(-ret));
		answers_free(&a);
		return 1;
	}
	printf("driver\t%s\n", drv);
	answers_print(&a, stdout);
	answers_free(&a);
	return 0;
}

int main(int argc, char **argv)
{
	struct vfio_region_info *info;
	struct vfio_dev dev;
	bool table = false;
	char line[512];
	unsigned int i;
	int ret;

	if (argc == 3 && !strcmp(argv[1], "--answers"))
		return print_answers(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "--table")) {
		table = true;
		argv++;
		argc--;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: %s [--table|--answers] BDF\n", argv[0]);
		return 2;
	}
	ret = vfio_dev_open(&dev, argv[1]);
	if (ret) {
		fprintf(stderr, "%s: open: %s\n", argv[1], strerror(-ret));
		return 1;
	}
	if (!table) {
		struct vfio_device_info dinfo = { .argsz = sizeof(dinfo) };

		if (ioctl(dev.fd, VFIO_DEVICE_GET_INFO, &dinfo)) {
			perror("VFIO_DEVICE_GET_INFO");
			vfio_dev_close(&dev);
			return 1;
		}
		printf("device flags 0x%x regions %u irqs %u\n",
		       dinfo.flags, dinfo.num_regions, dinfo.num_irqs);
		for (i = 0; i < dinfo.num_regions; i++) {
			vfio_region_line(dev.fd, i, line, sizeof(line));
			printf("%s\n", line);
		}
		vfio_dev_close(&dev);
		return 0;
	}
	for (i = VFIO_PCI_BAR0_REGION_INDEX; i <= VFIO_PCI_BAR5_REGION_INDEX; i++) {
		info = vfio_region_info(dev.fd, i);
		if (!info) {
			perror("VFIO_DEVICE_GET_REGION_INFO");
			vfio_dev_close(&dev);
			return 1;
		}
		if (info->size)
			print_row(argv[1], info);
		free(info);
	}
	vfio_dev_close(&dev);
	return 0;
}
