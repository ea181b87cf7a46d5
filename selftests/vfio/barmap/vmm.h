/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * How VMMs place BAR mappings, for the selftests and the benchmark:
 * each rule chooses the VA alignment of the areas of a BAR region the way
 * one VMM does, then every page of every area is touched and the faults
 * counted.
 */
#ifndef BARMAP_VMM_H
#define BARMAP_VMM_H

#include <stdint.h>

enum vmm_rule {
	/* QEMU <= 10.x: each area at min(1 << ctz64(area size), 1 GiB) */
	VMM_QEMU_AREA,
	/* QEMU 2026: region at min(pow2ceil(size), 1 GiB), areas at offsets */
	VMM_QEMU_REGION,
	/* cloud-hypervisor: min(next_power_of_two(area size), 1 GiB) */
	VMM_CLOUD_HV,
	VMM_NR_RULES,
};

#define VMM_MAX_AREAS	16

struct vmm_area {
	uint64_t offset;
	uint64_t size;
};

/* A BAR as a VMM sees it: the areas it will map. */
struct vmm_bar {
	int fd;
	unsigned int index;
	uint64_t region_offset;	/* of the BAR in the device fd */
	uint64_t size;
	uint64_t phys;
	bool sparse;		/* areas came from SPARSE_MMAP */
	unsigned int nr_areas;
	struct vmm_area areas[VMM_MAX_AREAS];
};

struct vmm_result {
	long faults;		/* minor faults of the touch loop */
	long pte_kb;		/* VmPTE growth, mapping to last touch */
	double touch_ms;
	long ideal;		/* fewest faults the physical placement allows */
};

const char *vmm_rule_name(enum vmm_rule rule);

/*
 * The VA alignment @rule gives an area of @area_size in a region of
 * @region_size (for VMM_QEMU_REGION: the region's, areas at their
 * offsets from it).  Also the rules of consumers.c.
 */
uint64_t vmm_va_align(enum vmm_rule rule, uint64_t region_size,
		      uint64_t area_size);

/*
 * Read BAR @index of the open device @fd (PCI address @bdf).  Without a
 * SPARSE_MMAP capability a VMM maps the whole page-rounded BAR (all three
 * skip MSI-X carving when MSIX_MAPPABLE is present, as it is for every
 * mappable BAR holding MSI-X on Linux 6.12).  Returns 0, -ENODEV if the
 * BAR cannot be mapped, or another -errno.
 */
int vmm_bar_load(struct vmm_bar *bar, int fd, unsigned int index,
		 const char *bdf);

/*
 * Map every area of @bar at the VA @rule gives it, touch every page, unmap.
 * @pmd and @pud are the huge sizes the kernel can insert (0: none).
 */
int vmm_map_and_touch(const struct vmm_bar *bar, enum vmm_rule rule,
		      uint64_t pmd, uint64_t pud, struct vmm_result *res);

/*
 * Map the areas of @bar at their offsets from a base VA with
 * base % @align == @skew, touch every page, unmap.
 */
int vmm_map_region_at(const struct vmm_bar *bar, uint64_t align,
		      uint64_t skew, uint64_t pmd, uint64_t pud,
		      struct vmm_result *res);

#endif
