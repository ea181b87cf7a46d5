/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What each VMM ends up with for one BAR, worked out from the device's
 * real answers (REGION_INFO, its capability chain, MSI-X in config space,
 * the BAR's placement, dma-buf export) by that VMM's own rules: whether
 * it sets the device up, what it maps, how many KVM memory slots and how
 * many bytes the guest reaches without a trap, the fewest page-table
 * entries the VA it picks allows, and whether QEMU 11's dma-buf of the
 * BAR can be imported by iommufd for P2P.  Every rule lives in
 * consumers.c, with the upstream source it restates; vmm.c measures the
 * VA rules by mapping.
 */
#ifndef BARMAP_CONSUMERS_H
#define BARMAP_CONSUMERS_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm.h"

enum consumer {
	CONSUMER_QEMU_7_2,
	CONSUMER_QEMU_10_0,
	CONSUMER_QEMU_11_1,
	CONSUMER_CLOUD_HV,
	CONSUMER_CROSVM,
	CONSUMER_FIRECRACKER,
	CONSUMER_DPDK,
	CONSUMER_NR,
};

/* One BAR as every VMM learns it from the kernel. */
struct consumer_bar {
	uint32_t flags;			/* REGION_INFO flags */
	uint64_t size;
	uint64_t phys;			/* host physical address */
	uint64_t page, pmd, pud;	/* sizes a fault can insert; 0: none */
	bool sparse;			/* SPARSE_MMAP in the chain */
	bool sparse_first;		/* ... before MSIX_MAPPABLE */
	bool msix_mappable;
	unsigned int nr_sparse;
	struct vmm_area sparse_areas[VMM_MAX_AREAS];
	bool mem64;			/* a 64-bit memory BAR */
	bool msix_here;			/* the table or the PBA is in this BAR */
	uint64_t msix_start[2];		/* table, PBA: [start, end) in the BAR */
	uint64_t msix_end[2];
};

/* What one VMM ends up with. */
struct consumer_view {
	bool accepted;		/* it sets the device up */
	unsigned int maps;	/* mmap()s of the BAR */
	unsigned int slots;	/* KVM memory slots (DPDK: its mappings) */
	unsigned int refused;	/* memory slots KVM refused (overlap) */
	uint64_t direct;	/* bytes in those slots */
	uint64_t entries;	/* fewest page-table entries over them */
	struct vmm_area map[VMM_MAX_AREAS * 2];
};

const char *consumer_name(enum consumer c);

/*
 * Read BAR @index of the device @fd (PCI address @bdf).  Returns 0,
 * -ENODEV for an index that is no memory BAR, -E2BIG for more areas than
 * VMM_MAX_AREAS, or another -errno.
 */
int consumer_bar_load(struct consumer_bar *bar, int fd, unsigned int index,
		      const char *bdf);

/* What @c ends up with for @bar. */
void consumer_view(enum consumer c, const struct consumer_bar *bar,
		   struct consumer_view *view);

#endif
