/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Page-granular mmap layout of one PCI BAR.
 *
 * This is pure arithmetic on facts about a BAR: no device, no locks, no
 * allocation.  The same source is compiled into the module and into the
 * host-side unit tests under selftests/vfio/barmap/unit/.
 */
#ifndef BARMAP_LAYOUT_H
#define BARMAP_LAYOUT_H

#include <linux/types.h>

/*
 * Upper bound on areas per BAR: two MSI-X holes leave at most three
 * mappable runs, and each run is split into at most five pieces (head
 * below the first PMD boundary, PMD-aligned part below the first PUD
 * boundary, PUD-aligned middle, PMD-aligned part above the last PUD
 * boundary, tail above the last PMD boundary).
 */
#define BARMAP_MAX_AREAS	15

/* MSI-X table and PBA: by the PCIe spec each sits in its own 4 KiB ranges. */
#define BARMAP_MSIX_MAX		2
#define BARMAP_MSIX_GRANULE	4096ULL

/**
 * struct barmap_range - a byte range inside a BAR
 * @offset: start, relative to the BAR
 * @size: length in bytes; 0 means the entry is unused
 */
struct barmap_range {
	u64 offset;
	u64 size;
};

/**
 * struct barmap_bar_facts - what the layout is computed from
 * @size: BAR length in bytes (pci_resource_len())
 * @phys: BAR physical start address
 * @page_shift: host page shift (PAGE_SHIFT)
 * @huge_shifts: shifts of the huge mappings a fault can insert, smallest
 *	first (e.g. PMD_SHIFT, PUD_SHIFT); 0 in a slot means that size is
 *	not available
 * @mmap_ok: false if the BAR may not be mmapped at all (sub-page BAR
 *	whose page is not exclusive, I/O BAR, ...)
 * @msix_mappable: pages that hold the MSI-X table or PBA may be mapped
 *	(the msix_mmap parameter): only pages made of nothing but MSI-X
 *	are left out of the areas.  When false, every page that holds any
 *	byte of either is left out.
 * @msix: the MSI-X table and PBA when they live in this BAR; entries
 *	with size 0 are ignored, and what lies past the BAR's end is
 *	ignored (some devices declare a PBA past their BAR)
 */
struct barmap_bar_facts {
	u64 size;
	u64 phys;
	unsigned int page_shift;
	unsigned int huge_shifts[2];
	bool mmap_ok;
	bool msix_mappable;
	struct barmap_range msix[BARMAP_MSIX_MAX];
};

/**
 * struct barmap_layout - the areas userspace may mmap, sorted and disjoint
 * @nr_areas: number of valid entries in @areas
 * @areas: offsets and sizes, each a multiple of the page size, none
 *	extending past the BAR size rounded up to a page
 * @whole: the one area is the whole BAR of a BAR holding MSI-X, in place
 *	of holes or a list that would cost a VMM
 *	(barmap_layout_holes_cost()); REGION_INFO then has no SPARSE_MMAP
 *	capability, as under vfio-pci
 */
struct barmap_layout {
	unsigned int nr_areas;
	struct barmap_range areas[BARMAP_MAX_AREAS];
	bool whole;
};

/**
 * barmap_subpage_mmap_allowed() - may a sub-page BAR be mmapped
 * @page_reserved: barmap holds the rest of the BAR's page
 * @core_maps_bars: vfio-pci-core maps this device's BARs at all (its own
 *	sub-page reservation, which fails against barmap's, aside)
 *
 * barmap may take mmap away from what vfio-pci-core allows, never grant
 * more: both must hold.
 *
 * Return: true if both allow it.
 */
static inline bool barmap_subpage_mmap_allowed(bool page_reserved,
					       bool core_maps_bars)
{
	return page_reserved && core_maps_bars;
}

int barmap_layout_compute(const struct barmap_bar_facts *facts,
			  struct barmap_layout *layout);
bool barmap_layout_holes_cost(const struct barmap_bar_facts *facts,
			      const struct barmap_layout *layout);
void barmap_layout_whole(const struct barmap_bar_facts *facts,
			 struct barmap_layout *layout);
bool barmap_layout_covers(const struct barmap_layout *layout, u64 offset,
			  u64 len);
bool barmap_layout_in_one_area(const struct barmap_layout *layout, u64 offset,
			       u64 len);

#endif /* BARMAP_LAYOUT_H */
