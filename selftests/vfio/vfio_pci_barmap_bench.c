// SPDX-License-Identifier: GPL-2.0-only
/*
 * The figures behind `make bench`: for one device (its BDF last on the
 * command line, or $VFIO_SELFTESTS_BDF) bound to the driver named by
 * BARMAP_DRIVER, map BARs the ways VMMs do, touch every page, and print
 * one line per case:
 *   bench|DRIVER|CASE|FAULTS|FEWEST|VMPTE_KB|TOUCH_MS
 * The host side (scripts/bench.sh) puts both drivers side by side.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libvfio.h>

#include "vfio_util.h"
#include "vmm.h"

#define SZ_4K	0x1000ULL
#define SZ_2M	0x200000ULL
#define SZ_1G	0x40000000ULL

static const struct {
	const char *name;
	uint64_t skew;
} skews[] = {
	{ "VA 1 GiB-aligned", 0 },
	{ "VA 2 MiB-aligned", SZ_2M },
	{ "VA 1 GiB + 8 KiB", 2 * SZ_4K },
};

static void row(const char *what, const struct vmm_bar *bar,
		const char *name, const struct vmm_result *res)
{
	printf("bench|%s|%s BAR%u, %s|%ld|%ld|%ld|%.1f\n", test_driver(),
	       what, bar->index, name, res->faults, res->ideal, res->pte_kb,
	       res->touch_ms);
}

/* Usage: vfio_pci_barmap_bench [LABEL] [BDF] */
int main(int argc, char *argv[])
{
	uint64_t pmd = barmap_huge_size("pmd"), pud = barmap_huge_size("pud");
	struct vmm_result res;
	struct vmm_bar bar;
	struct vfio_dev dev;
	unsigned int index, i;
	const char *what;
	int ret;

	device_bdf = vfio_selftests_get_bdf(&argc, argv);
	what = argc > 1 ? argv[1] : "device";
	ret = vfio_dev_open(&dev, device_bdf);
	if (ret) {
		fprintf(stderr, "open %s: %s\n", device_bdf, strerror(-ret));
		return 1;
	}
	for (index = 0; index < 6; index++) {
		if (vmm_bar_load(&bar, dev.fd, index, dev.bdf))
			continue;
		/*
		 * Placement by VA alignment, for BARs big enough to matter.
		 * An untimed first pass takes the host's first-touch cost of
		 * the backing memory out of whichever row would come first.
		 */
		if (bar.size >= SZ_1G)
			vmm_map_region_at(&bar, SZ_1G, 0, pmd, pud, &res);
		for (i = 0; bar.size >= SZ_1G && i < 3; i++) {
			if (!vmm_map_region_at(&bar, SZ_1G, skews[i].skew, pmd,
					       pud, &res))
				row(what, &bar, skews[i].name, &res);
		}
		for (i = 0; i < VMM_NR_RULES; i++) {
			if (!vmm_map_and_touch(&bar, i, pmd, pud, &res))
				row(what, &bar, vmm_rule_name(i), &res);
		}
	}
	vfio_dev_close(&dev);
	return 0;
}
