/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The cases of the BAR layout's tests: one table for the two suites that
 * run them, the KUnit suite in layout_kunit.c (in a kernel) and the
 * host-side unit tests in selftests/vfio/barmap/unit/layout_test.c (under
 * ASan and UBSan, where each case's holes are also re-derived from its
 * facts one 4 KiB granule at a time).
 *
 * An X-macro table: no include guard, no declaration, only rows, each
 * KIND_CASE(name, { designated initializers }).  The includer has
 * <linux/errno.h>, <linux/sizes.h> and layout.h, defines some of
 *
 *   BARMAP_LAYOUT_CASE   barmap_layout_compute(): .facts, then .ret (an
 *                        error) or .nr_areas and .areas (the layout)
 *   BARMAP_POLICY_CASE   barmap_layout_holes_cost(): .facts, .whole
 *   BARMAP_RANGE_CASE    barmap_layout_covers() and
 *                        barmap_layout_in_one_area(): .layout, .offset,
 *                        .len, .covers, .in_one_area
 *   BARMAP_SUBPAGE_CASE  barmap_subpage_mmap_allowed(): .page_reserved,
 *                        .core_maps_bars, .allowed
 *
 * as an element of its table (the braces initialize one), and includes
 * this file once per table it builds.  A kind left undefined is left out,
 * and every kind is undefined again at the end of the table.
 *
 * Every layout case is one BAR with the areas derived by hand; the
 * derivation is in the comment above each group.
 *
 * Page sizes and the huge sizes the core's huge fault can insert:
 *   4 KiB pages:  PMD 2 MiB (shift 21), PUD 1 GiB (shift 30)
 *   16 KiB pages: PMD 32 MiB (shift 25), PUD 64 GiB (shift 36)
 *   64 KiB pages: PMD 512 MiB (shift 29), no PUD
 */

#ifndef BARMAP_LAYOUT_CASE
#define BARMAP_LAYOUT_CASE(...)
#endif
#ifndef BARMAP_POLICY_CASE
#define BARMAP_POLICY_CASE(...)
#endif
#ifndef BARMAP_RANGE_CASE
#define BARMAP_RANGE_CASE(...)
#endif
#ifndef BARMAP_SUBPAGE_CASE
#define BARMAP_SUBPAGE_CASE(...)
#endif

/* Grace GB200 device memory: not a power of two (188 GiB + 15 MiB). */
#define GRACE_SIZE	0x2F00F00000ULL

/* With msix_mmap=1 (the default): MSI-X pages may be mapped. */
#define PAGE_4K		.page_shift = 12, .huge_shifts = { 21, 30 }, \
			.msix_mappable = true
#define PAGE_16K	.page_shift = 14, .huge_shifts = { 25, 36 }, \
			.msix_mappable = true
#define PAGE_64K	.page_shift = 16, .huge_shifts = { 29, 0 }, \
			.msix_mappable = true
/* With msix_mmap=0: every page holding any MSI-X byte is left out. */
#define PAGE_4K_NO_MSIX		.page_shift = 12, .huge_shifts = { 21, 30 }
#define PAGE_16K_NO_MSIX	.page_shift = 14, .huge_shifts = { 25, 36 }
#define PAGE_64K_NO_MSIX	.page_shift = 16, .huge_shifts = { 29, 0 }

/* NVMe BAR0: 16 KiB, MSI-X table at 0x2000 (65 vectors), PBA at 0x3000. */
#define NVME_BAR0 \
	.size = SZ_16K, .phys = 0xfe000000, .mmap_ok = true, \
	.msix = { { 0x2000, 0x410 }, { 0x3000, 0x10 } }

/*
 * NVMe BAR0.  The MSI-X granules are 0x2000-0x3000 (table) and
 * 0x3000-0x4000 (PBA), i.e. the upper half of the BAR.  4 KiB: those two
 * pages are holes.  16 KiB and 64 KiB: the one page also covers the
 * registers at 0-0x2000, so the whole page stays mappable.
 */
BARMAP_LAYOUT_CASE(nvme_bar0_4k, {
	.facts = { NVME_BAR0, PAGE_4K },
	.nr_areas = 1,
	.areas = { { 0, 0x2000 } },
})

BARMAP_LAYOUT_CASE(nvme_bar0_16k, {
	.facts = { NVME_BAR0, PAGE_16K },
	.nr_areas = 1,
	.areas = { { 0, 0x4000 } },
})

BARMAP_LAYOUT_CASE(nvme_bar0_64k, {
	.facts = { NVME_BAR0, PAGE_64K },
	.nr_areas = 1,
	.areas = { { 0, 0x10000 } },
})

/*
 * Sub-page BARs: one page at offset 0 if the caller says the page may be
 * mapped, nothing otherwise.
 */
BARMAP_LAYOUT_CASE(bar_256b_4k, {
	.facts = { .size = 0x100, .phys = 0xfebf0000, .mmap_ok = true, PAGE_4K },
	.nr_areas = 1,
	.areas = { { 0, 0x1000 } },
})

BARMAP_LAYOUT_CASE(bar_256b_16k, {
	.facts = { .size = 0x100, .phys = 0xfebf0000, .mmap_ok = true, PAGE_16K },
	.nr_areas = 1,
	.areas = { { 0, 0x4000 } },
})

BARMAP_LAYOUT_CASE(bar_256b_64k, {
	.facts = { .size = 0x100, .phys = 0xfebf0000, .mmap_ok = true, PAGE_64K },
	.nr_areas = 1,
	.areas = { { 0, 0x10000 } },
})

BARMAP_LAYOUT_CASE(bar_256b_no_mmap_4k, {
	.facts = { .size = 0x100, .phys = 0xfebf0000, PAGE_4K },
	.nr_areas = 0,
})

BARMAP_LAYOUT_CASE(bar_256b_no_mmap_16k, {
	.facts = { .size = 0x100, .phys = 0xfebf0000, PAGE_16K },
	.nr_areas = 0,
})

BARMAP_LAYOUT_CASE(bar_256b_no_mmap_64k, {
	.facts = { .size = 0x100, .phys = 0xfebf0000, PAGE_64K },
	.nr_areas = 0,
})

BARMAP_LAYOUT_CASE(bar_16b_4k, {
	.facts = { .size = 0x10, .phys = 0xfebe0000, .mmap_ok = true, PAGE_4K },
	.nr_areas = 1,
	.areas = { { 0, 0x1000 } },
})

BARMAP_LAYOUT_CASE(bar_16b_16k, {
	.facts = { .size = 0x10, .phys = 0xfebe0000, .mmap_ok = true, PAGE_16K },
	.nr_areas = 1,
	.areas = { { 0, 0x4000 } },
})

BARMAP_LAYOUT_CASE(bar_16b_64k, {
	.facts = { .size = 0x10, .phys = 0xfebe0000, .mmap_ok = true, PAGE_64K },
	.nr_areas = 1,
	.areas = { { 0, 0x10000 } },
})

BARMAP_LAYOUT_CASE(bar_16b_no_mmap_4k, {
	.facts = { .size = 0x10, .phys = 0xfebe0000, PAGE_4K },
	.nr_areas = 0,
})

BARMAP_LAYOUT_CASE(bar_16b_no_mmap_16k, {
	.facts = { .size = 0x10, .phys = 0xfebe0000, PAGE_16K },
	.nr_areas = 0,
})

BARMAP_LAYOUT_CASE(bar_16b_no_mmap_64k, {
	.facts = { .size = 0x10, .phys = 0xfebe0000, PAGE_64K },
	.nr_areas = 0,
})

/* A sub-page BAR need not start on a page: valid, not mappable. */
BARMAP_LAYOUT_CASE(bar_16b_unaligned_phys_no_mmap_4k, {
	.facts = { .size = 0x10, .phys = 0xfebe2010, PAGE_4K },
	.nr_areas = 0,
})

/*
 * A 4 KiB BAR holding nothing but MSI-X (table 0-0x100, PBA 0x800-0x808):
 * its only granule is MSI-X, so even the 16 KiB page over it is a hole.
 * With a second, non-MSI-X granule the page is mappable again.
 */
BARMAP_LAYOUT_CASE(subpage_bar_all_msix_16k, {
	.facts = { .size = 0x1000, .phys = 0xfe040000, .mmap_ok = true,
		   PAGE_16K, .msix = { { 0, 0x100 }, { 0x800, 0x8 } } },
	.nr_areas = 0,
})

BARMAP_LAYOUT_CASE(subpage_bar_msix_and_regs_16k, {
	.facts = { .size = 0x2000, .phys = 0xfe040000, .mmap_ok = true,
		   PAGE_16K, .msix = { { 0, 0x100 } } },
	.nr_areas = 1,
	.areas = { { 0, 0x4000 } },
})

/*
 * 256 MiB BAR at 0x40_1000_0000 (256 MiB-aligned, not 512 MiB-aligned),
 * no MSI-X: one naturally aligned block, one area at every page size.
 */
#define BAR_256M .size = SZ_256M, .phys = 0x4010000000, .mmap_ok = true

BARMAP_LAYOUT_CASE(bar_256m_4k, {
	.facts = { BAR_256M, PAGE_4K },
	.nr_areas = 1,
	.areas = { { 0, SZ_256M } },
})

BARMAP_LAYOUT_CASE(bar_256m_16k, {
	.facts = { BAR_256M, PAGE_16K },
	.nr_areas = 1,
	.areas = { { 0, SZ_256M } },
})

BARMAP_LAYOUT_CASE(bar_256m_64k, {
	.facts = { BAR_256M, PAGE_64K },
	.nr_areas = 1,
	.areas = { { 0, SZ_256M } },
})

BARMAP_LAYOUT_CASE(bar_256m_no_mmap_4k, {
	.facts = { .size = SZ_256M, .phys = 0x4010000000, PAGE_4K,
		   .msix = { { 0, 0x8000 }, { 0x8000, 0x100 } } },
	.nr_areas = 0,
})

/*
 * Same BAR, 2048-vector table (32 KiB) plus PBA at the start:
 * granules 0-0x9000 are MSI-X.
 *   4K:  hole 0-0x9000; run 0x9000-256M cut at the first 2 MiB boundary.
 *   16K: hole 0-0x8000 (page 0x8000 also has 0x9000-0xc000);
 *        run 0x8000-256M cut at the first 32 MiB boundary.
 *   64K: page 0 also holds non-MSI-X granules: no hole; 256 MiB is less
 *        than the 512 MiB PMD, so one area.
 */
#define MSIX_AT_START .msix = { { 0, 0x8000 }, { 0x8000, 0x100 } }

BARMAP_LAYOUT_CASE(bar_256m_msix_start_4k, {
	.facts = { BAR_256M, MSIX_AT_START, PAGE_4K },
	.nr_areas = 2,
	.areas = { { 0x9000, 0x1F7000 }, { 0x200000, 0xFE00000 } },
})

BARMAP_LAYOUT_CASE(bar_256m_msix_start_16k, {
	.facts = { BAR_256M, MSIX_AT_START, PAGE_16K },
	.nr_areas = 2,
	.areas = { { 0x8000, 0x1FF8000 }, { 0x2000000, 0xE000000 } },
})

BARMAP_LAYOUT_CASE(bar_256m_msix_start_64k, {
	.facts = { BAR_256M, MSIX_AT_START, PAGE_64K },
	.nr_areas = 1,
	.areas = { { 0, SZ_256M } },
})

/*
 * MSI-X in the middle: granules 0x800_0000-0x800_9000.
 *   4K:  run below is one 128 MiB block; run above is cut at 0x820_0000.
 *   16K: hole 0x800_0000-0x800_8000; run above cut at 0xa00_0000.
 *   64K: no hole, one area.
 */
#define MSIX_IN_MIDDLE .msix = { { 0x8000000, 0x8000 }, { 0x8008000, 0x100 } }

BARMAP_LAYOUT_CASE(bar_256m_msix_middle_4k, {
	.facts = { BAR_256M, MSIX_IN_MIDDLE, PAGE_4K },
	.nr_areas = 3,
	.areas = { { 0, 0x8000000 }, { 0x8009000, 0x1F7000 },
		   { 0x8200000, 0x7E00000 } },
})

BARMAP_LAYOUT_CASE(bar_256m_msix_middle_16k, {
	.facts = { BAR_256M, MSIX_IN_MIDDLE, PAGE_16K },
	.nr_areas = 3,
	.areas = { { 0, 0x8000000 }, { 0x8008000, 0x1FF8000 },
		   { 0xA000000, 0x6000000 } },
})

BARMAP_LAYOUT_CASE(bar_256m_msix_middle_64k, {
	.facts = { BAR_256M, MSIX_IN_MIDDLE, PAGE_64K },
	.nr_areas = 1,
	.areas = { { 0, SZ_256M } },
})

/*
 * MSI-X at the end, PBA listed first: PBA granule 0xfff_0000-0xfff_1000,
 * table 0xfff_8000 up to the BAR end.
 *   4K:  two holes; the run below is cut at its last 2 MiB boundary
 *        0xfe0_0000; 0xfff_1000-0xfff_8000 is a run of its own.
 *   16K: the PBA page also covers 0xfff_1000-0xfff_4000: no hole there;
 *        hole 0xfff_8000-256M; run below cut at 0xe00_0000.
 *   64K: no hole, one area.
 */
#define MSIX_AT_END .msix = { { 0xFFF8000, 0x8000 }, { 0xFFF0000, 0x100 } }

BARMAP_LAYOUT_CASE(bar_256m_msix_end_4k, {
	.facts = { BAR_256M, MSIX_AT_END, PAGE_4K },
	.nr_areas = 3,
	.areas = { { 0, 0xFE00000 }, { 0xFE00000, 0x1F0000 },
		   { 0xFFF1000, 0x7000 } },
})

BARMAP_LAYOUT_CASE(bar_256m_msix_end_16k, {
	.facts = { BAR_256M, MSIX_AT_END, PAGE_16K },
	.nr_areas = 2,
	.areas = { { 0, 0xE000000 }, { 0xE000000, 0x1FF8000 } },
})

BARMAP_LAYOUT_CASE(bar_256m_msix_end_64k, {
	.facts = { BAR_256M, MSIX_AT_END, PAGE_64K },
	.nr_areas = 1,
	.areas = { { 0, SZ_256M } },
})

/*
 * Table (32 vectors) and PBA in the same 4 KiB granule of a 64 KiB BAR:
 * one hole page at 4 KiB, none at 16 or 64 KiB.
 */
#define MSIX_ONE_PAGE \
	.size = SZ_64K, .phys = 0xfe010000, .mmap_ok = true, \
	.msix = { { 0, 0x200 }, { 0x800, 0x8 } }

BARMAP_LAYOUT_CASE(msix_one_page_4k, {
	.facts = { MSIX_ONE_PAGE, PAGE_4K },
	.nr_areas = 1,
	.areas = { { 0x1000, 0xF000 } },
})

BARMAP_LAYOUT_CASE(msix_one_page_16k, {
	.facts = { MSIX_ONE_PAGE, PAGE_16K },
	.nr_areas = 1,
	.areas = { { 0, SZ_64K } },
})

BARMAP_LAYOUT_CASE(msix_one_page_64k, {
	.facts = { MSIX_ONE_PAGE, PAGE_64K },
	.nr_areas = 1,
	.areas = { { 0, SZ_64K } },
})

/*
 * Table (768 vectors, 0x4000-0x7000) and PBA (0x7000-0x7060) in adjacent
 * granules of a 64 KiB BAR.  At 16 KiB the page 0x4000-0x8000 is a hole
 * only because table and PBA together cover it.
 */
#define MSIX_ADJACENT \
	.size = SZ_64K, .phys = 0xfe050000, .mmap_ok = true, \
	.msix = { { 0x4000, 0x3000 }, { 0x7000, 0x60 } }

BARMAP_LAYOUT_CASE(msix_adjacent_granules_4k, {
	.facts = { MSIX_ADJACENT, PAGE_4K },
	.nr_areas = 2,
	.areas = { { 0, 0x4000 }, { 0x8000, 0x8000 } },
})

BARMAP_LAYOUT_CASE(msix_adjacent_granules_16k, {
	.facts = { MSIX_ADJACENT, PAGE_16K },
	.nr_areas = 2,
	.areas = { { 0, 0x4000 }, { 0x8000, 0x8000 } },
})

BARMAP_LAYOUT_CASE(msix_adjacent_granules_64k, {
	.facts = { MSIX_ADJACENT, PAGE_64K },
	.nr_areas = 1,
	.areas = { { 0, SZ_64K } },
})

/*
 * Overlapping table and PBA (a broken device, but the facts allow it):
 * the hole is still their union, 0-0x3000.
 */
BARMAP_LAYOUT_CASE(msix_overlapping_4k, {
	.facts = { .size = 0x8000, .phys = 0xfe060000, .mmap_ok = true,
		   PAGE_4K, .msix = { { 0, 0x3000 }, { 0x1000, 0x8 } } },
	.nr_areas = 1,
	.areas = { { 0x3000, 0x5000 } },
})

/*
 * Table and PBA in different BARs, each BAR computed with only its own
 * structure.  The 32 KiB table BAR is all table: nothing to map at any
 * page size (at 64 KiB it is a sub-page BAR whose only granules are the
 * table).  The 64 KiB PBA BAR has the PBA at 0x8000: one hole page at
 * 4 KiB, none at 16 or 64 KiB.
 */
#define TABLE_BAR \
	.size = 0x8000, .phys = 0xfe020000, .mmap_ok = true, \
	.msix = { { 0, 0x8000 } }
#define PBA_BAR \
	.size = SZ_64K, .phys = 0xfe030000, .mmap_ok = true, \
	.msix = { { 0, 0 }, { 0x8000, 0x100 } }

BARMAP_LAYOUT_CASE(table_bar_4k, {
	.facts = { TABLE_BAR, PAGE_4K },
	.nr_areas = 0,
})

BARMAP_LAYOUT_CASE(table_bar_16k, {
	.facts = { TABLE_BAR, PAGE_16K },
	.nr_areas = 0,
})

BARMAP_LAYOUT_CASE(table_bar_64k, {
	.facts = { TABLE_BAR, PAGE_64K },
	.nr_areas = 0,
})

BARMAP_LAYOUT_CASE(pba_bar_4k, {
	.facts = { PBA_BAR, PAGE_4K },
	.nr_areas = 2,
	.areas = { { 0, 0x8000 }, { 0x9000, 0x7000 } },
})

BARMAP_LAYOUT_CASE(pba_bar_16k, {
	.facts = { PBA_BAR, PAGE_16K },
	.nr_areas = 1,
	.areas = { { 0, SZ_64K } },
})

BARMAP_LAYOUT_CASE(pba_bar_64k, {
	.facts = { PBA_BAR, PAGE_64K },
	.nr_areas = 1,
	.areas = { { 0, SZ_64K } },
})

/*
 * Grace GB200 device memory, 0x2f_00f0_0000 bytes, no MSI-X, at
 *   0x40_4000_0000 (1 GiB-aligned, not 2 GiB),
 *   0x40_4020_0000 (2 MiB-aligned only),
 *   0x40_4000_0000 + page (page-aligned only),
 *   0x40_0000_0000 (64 GiB-aligned, for the 16 KiB PUD).
 * 4K, 1 GiB-aligned: 188 GiB of PUDs, then 14 MiB of PMDs, then 1 MiB.
 * 4K, 2 MiB-aligned: first PUD boundary at 0x3fe0_0000, last at
 *   0x2e_ffe0_0000; the head is 2 MiB-aligned already (one piece), the
 *   tail is 16 MiB of PMDs plus 1 MiB.
 * 4K, 4 KiB-aligned (phys 0x40_4000_1000): PMD boundaries at offsets
 *   k * 2 MiB - 4 KiB, PUD boundaries at k * 1 GiB - 4 KiB.
 * 16K, 1 GiB-aligned: first 64 GiB boundary 0x50_0000_0000 (offset
 *   0xf_c000_0000), last 0x60_0000_0000 (offset 0x1f_c000_0000); the
 *   tail is cut at its last 32 MiB boundary, offset 0x2f_0000_0000.
 * 64K: no PUD, only 512 MiB cuts.
 */
BARMAP_LAYOUT_CASE(grace_1g_aligned_4k, {
	.facts = { .size = GRACE_SIZE, .phys = 0x4040000000, .mmap_ok = true,
		   PAGE_4K },
	.nr_areas = 3,
	.areas = { { 0, 0x2F00000000 }, { 0x2F00000000, 0xE00000 },
		   { 0x2F00E00000, 0x100000 } },
})

BARMAP_LAYOUT_CASE(grace_2m_aligned_4k, {
	.facts = { .size = GRACE_SIZE, .phys = 0x4040200000, .mmap_ok = true,
		   PAGE_4K },
	.nr_areas = 4,
	.areas = { { 0, 0x3FE00000 }, { 0x3FE00000, 0x2EC0000000 },
		   { 0x2EFFE00000, 0x1000000 }, { 0x2F00E00000, 0x100000 } },
})

BARMAP_LAYOUT_CASE(grace_4k_aligned_4k, {
	.facts = { .size = GRACE_SIZE, .phys = 0x4040001000, .mmap_ok = true,
		   PAGE_4K },
	.nr_areas = 5,
	.areas = { { 0, 0x1FF000 }, { 0x1FF000, 0x3FE00000 },
		   { 0x3FFFF000, 0x2EC0000000 }, { 0x2EFFFFF000, 0xE00000 },
		   { 0x2F00DFF000, 0x101000 } },
})

BARMAP_LAYOUT_CASE(grace_64g_aligned_16k, {
	.facts = { .size = GRACE_SIZE, .phys = 0x4000000000, .mmap_ok = true,
		   PAGE_16K },
	.nr_areas = 3,
	.areas = { { 0, 0x2000000000 }, { 0x2000000000, 0xF00000000 },
		   { 0x2F00000000, 0xF00000 } },
})

BARMAP_LAYOUT_CASE(grace_1g_aligned_16k, {
	.facts = { .size = GRACE_SIZE, .phys = 0x4040000000, .mmap_ok = true,
		   PAGE_16K },
	.nr_areas = 4,
	.areas = { { 0, 0xFC0000000 }, { 0xFC0000000, 0x1000000000 },
		   { 0x1FC0000000, 0xF40000000 }, { 0x2F00000000, 0xF00000 } },
})

BARMAP_LAYOUT_CASE(grace_2m_aligned_16k, {
	.facts = { .size = GRACE_SIZE, .phys = 0x4040200000, .mmap_ok = true,
		   PAGE_16K },
	.nr_areas = 5,
	.areas = { { 0, 0x1E00000 }, { 0x1E00000, 0xFBE000000 },
		   { 0xFBFE00000, 0x1000000000 }, { 0x1FBFE00000, 0xF40000000 },
		   { 0x2EFFE00000, 0x1100000 } },
})

BARMAP_LAYOUT_CASE(grace_16k_aligned_16k, {
	.facts = { .size = GRACE_SIZE, .phys = 0x4040004000, .mmap_ok = true,
		   PAGE_16K },
	.nr_areas = 5,
	.areas = { { 0, 0x1FFC000 }, { 0x1FFC000, 0xFBE000000 },
		   { 0xFBFFFC000, 0x1000000000 }, { 0x1FBFFFC000, 0xF40000000 },
		   { 0x2EFFFFC000, 0xF04000 } },
})

BARMAP_LAYOUT_CASE(grace_1g_aligned_64k, {
	.facts = { .size = GRACE_SIZE, .phys = 0x4040000000, .mmap_ok = true,
		   PAGE_64K },
	.nr_areas = 2,
	.areas = { { 0, 0x2F00000000 }, { 0x2F00000000, 0xF00000 } },
})

BARMAP_LAYOUT_CASE(grace_2m_aligned_64k, {
	.facts = { .size = GRACE_SIZE, .phys = 0x4040200000, .mmap_ok = true,
		   PAGE_64K },
	.nr_areas = 3,
	.areas = { { 0, 0x1FE00000 }, { 0x1FE00000, 0x2EE0000000 },
		   { 0x2EFFE00000, 0x1100000 } },
})

BARMAP_LAYOUT_CASE(grace_64k_aligned_64k, {
	.facts = { .size = GRACE_SIZE, .phys = 0x4040010000, .mmap_ok = true,
		   PAGE_64K },
	.nr_areas = 3,
	.areas = { { 0, 0x1FFF0000 }, { 0x1FFF0000, 0x2EE0000000 },
		   { 0x2EFFFF0000, 0xF10000 } },
})

/*
 * ivshmem-like 1 GiB BAR2 at 0x80_0000_0000 (1 GiB-aligned),
 * 0x80_0020_0000 (2 MiB-aligned only) and 0x80_0000_0000 + page.
 * 1 GiB-aligned: one area at every page size.  4K, 2 MiB-aligned: no
 * whole PUD, and the PMD cuts fall on the run's own ends: still one area.
 * Otherwise head, middle of PMDs, tail.
 */
BARMAP_LAYOUT_CASE(ivshmem_1g_aligned_4k, {
	.facts = { .size = SZ_1G, .phys = 0x8000000000, .mmap_ok = true,
		   PAGE_4K },
	.nr_areas = 1,
	.areas = { { 0, SZ_1G } },
})

BARMAP_LAYOUT_CASE(ivshmem_2m_aligned_4k, {
	.facts = { .size = SZ_1G, .phys = 0x8000200000, .mmap_ok = true,
		   PAGE_4K },
	.nr_areas = 1,
	.areas = { { 0, SZ_1G } },
})

BARMAP_LAYOUT_CASE(ivshmem_4k_aligned_4k, {
	.facts = { .size = SZ_1G, .phys = 0x8000001000, .mmap_ok = true,
		   PAGE_4K },
	.nr_areas = 3,
	.areas = { { 0, 0x1FF000 }, { 0x1FF000, 0x3FE00000 },
		   { 0x3FFFF000, 0x1000 } },
})

BARMAP_LAYOUT_CASE(ivshmem_1g_aligned_16k, {
	.facts = { .size = SZ_1G, .phys = 0x8000000000, .mmap_ok = true,
		   PAGE_16K },
	.nr_areas = 1,
	.areas = { { 0, SZ_1G } },
})

BARMAP_LAYOUT_CASE(ivshmem_2m_aligned_16k, {
	.facts = { .size = SZ_1G, .phys = 0x8000200000, .mmap_ok = true,
		   PAGE_16K },
	.nr_areas = 3,
	.areas = { { 0, 0x1E00000 }, { 0x1E00000, 0x3E000000 },
		   { 0x3FE00000, 0x200000 } },
})

BARMAP_LAYOUT_CASE(ivshmem_16k_aligned_16k, {
	.facts = { .size = SZ_1G, .phys = 0x8000004000, .mmap_ok = true,
		   PAGE_16K },
	.nr_areas = 3,
	.areas = { { 0, 0x1FFC000 }, { 0x1FFC000, 0x3E000000 },
		   { 0x3FFFC000, 0x4000 } },
})

BARMAP_LAYOUT_CASE(ivshmem_1g_aligned_64k, {
	.facts = { .size = SZ_1G, .phys = 0x8000000000, .mmap_ok = true,
		   PAGE_64K },
	.nr_areas = 1,
	.areas = { { 0, SZ_1G } },
})

BARMAP_LAYOUT_CASE(ivshmem_2m_aligned_64k, {
	.facts = { .size = SZ_1G, .phys = 0x8000200000, .mmap_ok = true,
		   PAGE_64K },
	.nr_areas = 3,
	.areas = { { 0, 0x1FE00000 }, { 0x1FE00000, 0x20000000 },
		   { 0x3FE00000, 0x200000 } },
})

BARMAP_LAYOUT_CASE(ivshmem_64k_aligned_64k, {
	.facts = { .size = SZ_1G, .phys = 0x8000010000, .mmap_ok = true,
		   PAGE_64K },
	.nr_areas = 3,
	.areas = { { 0, 0x1FFF0000 }, { 0x1FFF0000, 0x20000000 },
		   { 0x3FFF0000, 0x10000 } },
})

/*
 * Missing huge sizes.  No huge size at all: never cut.  PUD only (the PMD
 * slot 0): a 3 GiB BAR at 0x80_0000_1000 keeps its 2 GiB of whole PUDs
 * (offsets 0x3fff_f000-0xbfff_f000) apart, the rest is not cut further.
 */
BARMAP_LAYOUT_CASE(no_huge_4k, {
	.facts = { .size = 0xC0000000, .phys = 0x8000001000, .mmap_ok = true,
		   .page_shift = 12 },
	.nr_areas = 1,
	.areas = { { 0, 0xC0000000 } },
})

BARMAP_LAYOUT_CASE(pud_only_4k, {
	.facts = { .size = 0xC0000000, .phys = 0x8000001000, .mmap_ok = true,
		   .page_shift = 12, .huge_shifts = { 0, 30 } },
	.nr_areas = 3,
	.areas = { { 0, 0x3FFFF000 }, { 0x3FFFF000, 0x80000000 },
		   { 0xBFFFF000, 0x1000 } },
})

/*
 * The worst case, BARMAP_MAX_AREAS areas: 4 KiB pages, a non-power-of-two
 * BAR of 8 GiB + 3 MiB at 0x200_0000_1000, table page at 0xc030_0000 and
 * PBA page at 0x1_8030_0000.  PMD boundaries are at offsets
 * k * 2 MiB - 4 KiB and PUD boundaries at k * 1 GiB - 4 KiB, so each of
 * the three runs gets head, PMDs, PUDs, PMDs, tail.
 */
BARMAP_LAYOUT_CASE(max_areas_4k, {
	.facts = { .size = 0x200300000, .phys = 0x20000001000, .mmap_ok = true,
		   PAGE_4K,
		   .msix = { { 0xC0300000, 0x1000 }, { 0x180300000, 0x8 } } },
	.nr_areas = 15,
	.areas = {
		{ 0, 0x1FF000 },
		{ 0x1FF000, 0x3FE00000 },
		{ 0x3FFFF000, 0x80000000 },
		{ 0xBFFFF000, 0x200000 },
		{ 0xC01FF000, 0x101000 },
		{ 0xC0301000, 0xFE000 },
		{ 0xC03FF000, 0x3FC00000 },
		{ 0xFFFFF000, 0x80000000 },
		{ 0x17FFFF000, 0x200000 },
		{ 0x1801FF000, 0x101000 },
		{ 0x180301000, 0xFE000 },
		{ 0x1803FF000, 0x3FC00000 },
		{ 0x1BFFFF000, 0x40000000 },
		{ 0x1FFFFF000, 0x200000 },
		{ 0x2001FF000, 0x101000 },
	},
})

/*
 * Valid edge cases: an unused MSI-X entry with a nonsense offset; a BAR
 * ending just below the top of the physical address space, with a huge
 * size whose rounding up would wrap.
 */
BARMAP_LAYOUT_CASE(msix_unused_entry_ignored_4k, {
	.facts = { .size = SZ_16K, .phys = 0xfe000000, .mmap_ok = true,
		   PAGE_4K, .msix = { { ~0ULL, 0 }, { 0x12345, 0 } } },
	.nr_areas = 1,
	.areas = { { 0, SZ_16K } },
})

BARMAP_LAYOUT_CASE(phys_at_top_4k, {
	.facts = { .size = SZ_256M, .phys = 0xFFFFFFFFE0000000,
		   .mmap_ok = true, .page_shift = 12,
		   .huge_shifts = { 21, 63 } },
	.nr_areas = 1,
	.areas = { { 0, SZ_256M } },
})

/* Invalid facts: -EINVAL and no areas. */
BARMAP_LAYOUT_CASE(invalid_size_zero, {
	.facts = { .size = 0, .phys = 0xfe000000, .mmap_ok = true, PAGE_4K },
	.ret = -EINVAL,
})

BARMAP_LAYOUT_CASE(invalid_page_shift_11, {
	.facts = { .size = SZ_16K, .phys = 0xfe000000, .mmap_ok = true,
		   .page_shift = 11 },
	.ret = -EINVAL,
})

BARMAP_LAYOUT_CASE(invalid_page_shift_11_no_mmap, {
	.facts = { .size = SZ_16K, .phys = 0xfe000000, .page_shift = 11 },
	.ret = -EINVAL,
})

BARMAP_LAYOUT_CASE(invalid_page_shift_31, {
	.facts = { .size = 0x80000000, .phys = 0x80000000, .mmap_ok = true,
		   .page_shift = 31 },
	.ret = -EINVAL,
})

BARMAP_LAYOUT_CASE(invalid_huge_equals_page, {
	.facts = { .size = SZ_16K, .phys = 0xfe000000, .mmap_ok = true,
		   .page_shift = 12, .huge_shifts = { 12, 30 } },
	.ret = -EINVAL,
})

BARMAP_LAYOUT_CASE(invalid_huge_below_page, {
	.facts = { .size = SZ_64K, .phys = 0xfe000000, .mmap_ok = true,
		   .page_shift = 16, .huge_shifts = { 14, 0 } },
	.ret = -EINVAL,
})

BARMAP_LAYOUT_CASE(invalid_pud_only_below_page, {
	.facts = { .size = SZ_64K, .phys = 0xfe000000, .mmap_ok = true,
		   .page_shift = 16, .huge_shifts = { 0, 16 } },
	.ret = -EINVAL,
})

BARMAP_LAYOUT_CASE(invalid_huge_equal, {
	.facts = { .size = SZ_16K, .phys = 0xfe000000, .mmap_ok = true,
		   .page_shift = 12, .huge_shifts = { 21, 21 } },
	.ret = -EINVAL,
})

BARMAP_LAYOUT_CASE(invalid_huge_decreasing, {
	.facts = { .size = SZ_16K, .phys = 0xfe000000, .mmap_ok = true,
		   .page_shift = 12, .huge_shifts = { 30, 21 } },
	.ret = -EINVAL,
})

BARMAP_LAYOUT_CASE(invalid_huge_shift_64, {
	.facts = { .size = SZ_16K, .phys = 0xfe000000, .mmap_ok = true,
		   .page_shift = 12, .huge_shifts = { 21, 64 } },
	.ret = -EINVAL,
})

BARMAP_LAYOUT_CASE(invalid_phys_unaligned_4k, {
	.facts = { .size = SZ_16K, .phys = 0xfe000800, .mmap_ok = true,
		   PAGE_4K },
	.ret = -EINVAL,
})

BARMAP_LAYOUT_CASE(invalid_phys_unaligned_page_sized_64k, {
	.facts = { .size = SZ_64K, .phys = 0xfe008000, .mmap_ok = true,
		   PAGE_64K },
	.ret = -EINVAL,
})

BARMAP_LAYOUT_CASE(invalid_grace_4k_aligned_16k, {
	.facts = { .size = GRACE_SIZE, .phys = 0x4040001000, .mmap_ok = true,
		   PAGE_16K },
	.ret = -EINVAL,
})

/*
 * MSI-X declared partly or wholly past the BAR's end (Chelsio T5 VFs put
 * their PBA beyond their 8 KiB BAR; QEMU carries a quirk for it): the
 * part outside is ignored, the BAR keeps its areas, as vfio-pci-core
 * keeps MMAP.  0x3F00+0x200 leaves [0x3F00, 0x4000): the last page.
 */
BARMAP_LAYOUT_CASE(msix_past_end_clipped, {
	.facts = { .size = SZ_16K, .phys = 0xfe000000, .mmap_ok = true,
		   PAGE_4K, .msix = { { 0x2000, 0x410 }, { 0x3F00, 0x200 } } },
	.nr_areas = 1,
	.areas = { { 0, 0x2000 } },
})

/* A PBA that starts at the BAR's end is ignored: only the table's page. */
BARMAP_LAYOUT_CASE(msix_starts_at_end_ignored, {
	.facts = { .size = SZ_16K, .phys = 0xfe000000, .mmap_ok = true,
		   PAGE_4K, .msix = { { 0x2000, 0x410 }, { 0x4000, 0x10 } } },
	.nr_areas = 2,
	.areas = { { 0, 0x2000 }, { 0x3000, 0x1000 } },
})

/* Chelsio-T5-VF-like: 8 KiB BAR, table at 0, PBA declared at 0x8000. */
BARMAP_LAYOUT_CASE(msix_pba_beyond_8k_bar, {
	.facts = { .size = 0x2000, .phys = 0xfe100000, .mmap_ok = true,
		   PAGE_4K, .msix = { { 0, 0x80 }, { 0x8000, 0x8 } } },
	.nr_areas = 1,
	.areas = { { 0x1000, 0x1000 } },
})

BARMAP_LAYOUT_CASE(msix_wrapping_ignored, {
	.facts = { .size = SZ_16K, .phys = 0xfe000000, .mmap_ok = true,
		   PAGE_4K, .msix = { { ~0ULL - 0xF, 0x100 } } },
	.nr_areas = 1,
	.areas = { { 0, 0x4000 } },
})

/*
 * msix_mmap=0: every page that holds any byte of the table or PBA is a
 * hole, whatever else it holds.  The NVMe BAR0 on 16 and 64 KiB pages is
 * one page with the table in it: nothing is left.  On 4 KiB pages the
 * result is the same as with msix_mmap=1.
 */
BARMAP_LAYOUT_CASE(no_msix_nvme_bar0_4k, {
	.facts = { NVME_BAR0, PAGE_4K_NO_MSIX },
	.nr_areas = 1,
	.areas = { { 0, 0x2000 } },
})

BARMAP_LAYOUT_CASE(no_msix_nvme_bar0_16k, {
	.facts = { NVME_BAR0, PAGE_16K_NO_MSIX },
	.nr_areas = 0,
})

BARMAP_LAYOUT_CASE(no_msix_nvme_bar0_64k, {
	.facts = { NVME_BAR0, PAGE_64K_NO_MSIX },
	.nr_areas = 0,
})

/* 1 MiB BAR, 64 KiB pages, a small table at 0x2000: page 0 goes. */
BARMAP_LAYOUT_CASE(no_msix_shared_first_page_64k, {
	.facts = { .size = 0x100000, .phys = 0x8000000000, .mmap_ok = true,
		   PAGE_64K_NO_MSIX, .msix = { { 0x2000, 0x100 } } },
	.nr_areas = 1,
	.areas = { { 0x10000, 0xF0000 } },
})

BARMAP_LAYOUT_CASE(msix_shared_first_page_64k, {
	.facts = { .size = 0x100000, .phys = 0x8000000000, .mmap_ok = true,
		   PAGE_64K, .msix = { { 0x2000, 0x100 } } },
	.nr_areas = 1,
	.areas = { { 0, 0x100000 } },
})

/* A table and PBA straddling a 16 KiB page boundary: both pages go. */
BARMAP_LAYOUT_CASE(no_msix_straddling_16k, {
	.facts = { .size = 0x10000, .phys = 0xfe010000, .mmap_ok = true,
		   PAGE_16K_NO_MSIX, .msix = { { 0x3F00, 0x200 } } },
	.nr_areas = 1,
	.areas = { { 0x8000, 0x8000 } },
})

/* msix_mmap=0 with a PBA past the BAR: clipped, as with msix_mmap=1. */
BARMAP_LAYOUT_CASE(no_msix_pba_beyond_8k_bar, {
	.facts = { .size = 0x2000, .phys = 0xfe100000, .mmap_ok = true,
		   PAGE_4K_NO_MSIX, .msix = { { 0, 0x80 }, { 0x8000, 0x8 } } },
	.nr_areas = 1,
	.areas = { { 0x1000, 0x1000 } },
})

BARMAP_LAYOUT_CASE(invalid_size_wraps_page_align, {
	.facts = { .size = ~0ULL, .phys = 0, .mmap_ok = true, PAGE_4K },
	.ret = -EINVAL,
})

BARMAP_LAYOUT_CASE(invalid_phys_end_wraps, {
	.facts = { .size = SZ_256M, .phys = 0xFFFFFFFFF0000000,
		   .mmap_ok = true, PAGE_4K },
	.ret = -EINVAL,
})

/*
 * barmap_layout_holes_cost(): with msix_mmap=1 a BAR holding MSI-X is
 * answered as vfio-pci answers it, one mapping with no SPARSE_MMAP
 * (barmap_layout_whole()): every hole, and the list itself, costs some
 * VMM something vfio-pci's answer gives it (QEMU's direct PBA page,
 * crosvm's mapping of the MSI-X pages and its memory slots, one dma-buf
 * range for iommufd, a huge entry), and gives none anything.  Holes stay
 * under msix_mmap=0, and a BAR without MSI-X keeps its areas.
 */
/* One area [0, 0x2000) below any huge size: QEMU's PBA page, crosvm. */
BARMAP_POLICY_CASE(nvme_bar0_4k, {
	.facts = { NVME_BAR0, PAGE_4K },
	.whole = true,
})

/* The user asked for the holes: msix_mmap=0 keeps them. */
BARMAP_POLICY_CASE(nvme_bar0_no_msix_4k, {
	.facts = { NVME_BAR0, PAGE_4K_NO_MSIX },
	.whole = false,
})

/*
 * igb's and e1000e's MSI-X BAR3: 16 KiB, table at 0, PBA at 0x2000.  The
 * holes leave [0x1000, 0x2000) and [0x3000, 0x4000): two areas.
 */
#define IGB_BAR3 \
	.size = SZ_16K, .phys = 0xfebf0000, .mmap_ok = true, \
	.msix = { { 0, 0x50 }, { 0x2000, 0x8 } }

BARMAP_POLICY_CASE(igb_bar3_4k, {
	.facts = { IGB_BAR3, PAGE_4K },
	.whole = true,
})

/* The user asked for the holes: msix_mmap=0 keeps them, two areas. */
BARMAP_POLICY_CASE(igb_bar3_no_msix_4k, {
	.facts = { IGB_BAR3, PAGE_4K_NO_MSIX },
	.whole = false,
})

/* On 16 KiB pages the one page also holds registers: no hole, one area. */
BARMAP_POLICY_CASE(igb_bar3_16k, {
	.facts = { IGB_BAR3, PAGE_16K },
	.whole = true,
})

/* 2 MiB BAR, MSI-X in its last page: one area, but the PMD is broken. */
BARMAP_POLICY_CASE(bar_2m_msix_end_4k, {
	.facts = { .size = 0x200000, .phys = 0xfc000000, .mmap_ok = true,
		   PAGE_4K, .msix = { { 0x1FF000, 0x100 }, { 0x1FF800, 8 } } },
	.whole = true,
})

/* The same BAR where no PMD can be inserted: QEMU, crosvm still pay. */
BARMAP_POLICY_CASE(bar_2m_msix_end_no_huge_4k, {
	.facts = { .size = 0x200000, .phys = 0xfc000000, .mmap_ok = true,
		   .page_shift = 12, .msix_mappable = true,
		   .msix = { { 0x1FF000, 0x100 }, { 0x1FF800, 8 } } },
	.whole = true,
})

/* 1 MiB BAR, MSI-X in its last page: smaller than a PMD, still whole. */
BARMAP_POLICY_CASE(bar_1m_msix_end_4k, {
	.facts = { .size = 0x100000, .phys = 0xfc000000, .mmap_ok = true,
		   PAGE_4K, .msix = { { 0xFF000, 0x100 }, { 0xFF800, 8 } } },
	.whole = true,
})

/* 64 KiB pages: the last page of 1 MiB holds more than MSI-X, no hole. */
BARMAP_POLICY_CASE(bar_1m_msix_end_64k, {
	.facts = { .size = 0x100000, .phys = 0x8000000000, .mmap_ok = true,
		   PAGE_64K, .msix = { { 0xF0000, 0x8000 }, { 0xF8000, 8 } } },
	.whole = true,
})

/* 256 MiB with MSI-X at its start, middle or end. */
BARMAP_POLICY_CASE(bar_256m_msix_start_4k, {
	.facts = { BAR_256M, MSIX_AT_START, PAGE_4K },
	.whole = true,
})

BARMAP_POLICY_CASE(bar_256m_msix_middle_16k, {
	.facts = { BAR_256M, MSIX_IN_MIDDLE, PAGE_16K },
	.whole = true,
})

/* Its last 64 KiB page holds more than MSI-X: no hole, one area. */
BARMAP_POLICY_CASE(bar_256m_msix_end_64k, {
	.facts = { BAR_256M, MSIX_AT_END, PAGE_64K },
	.whole = true,
})

/* Table and PBA in the first 4 KiB of 64 KiB: one area after the hole. */
BARMAP_POLICY_CASE(msix_one_page_4k, {
	.facts = { MSIX_ONE_PAGE, PAGE_4K },
	.whole = true,
})

/* A BAR of MSI-X alone has no area: answered as vfio-pci already. */
BARMAP_POLICY_CASE(msix_alone_4k, {
	.facts = { .size = SZ_4K, .phys = 0xfe001000, .mmap_ok = true,
		   PAGE_4K, .msix = { { 0, 0x40 }, { 0x800, 8 } } },
	.whole = false,
})

/*
 * MSI-X declared in the BAR but wholly past its end: no hole, but
 * MSIX_MAPPABLE is given for it, so the BAR is answered as vfio-pci.
 */
BARMAP_POLICY_CASE(msix_past_end_4k, {
	.facts = { .size = SZ_16K, .phys = 0xfe000000, .mmap_ok = true,
		   PAGE_4K, .msix = { { 0x8000, 0x100 }, { 0x9000, 0x8 } } },
	.whole = true,
})

/* No MSI-X: cuts of a BAR that is not size-aligned are not holes. */
BARMAP_POLICY_CASE(grace_2m_aligned_4k, {
	.facts = { .size = GRACE_SIZE, .phys = 0x4000200000, .mmap_ok = true,
		   PAGE_4K },
	.whole = false,
})

/*
 * barmap_layout_covers(), what mmap enforces when MSI-X pages must stay
 * out of reach, and barmap_layout_in_one_area(), where a huge fault may
 * insert a mapping.  The layout is bar_256m_msix_middle_4k's: a hole at
 * [0x8000000, 0x8009000) and the run after it cut at the first 2 MiB
 * boundary.  A range is covered when every page of it is in some area
 * (adjacent areas are one run), and in one area only inside a single one.
 */
#define MIDDLE_HOLE \
	{ .nr_areas = 3, \
	  .areas = { { 0, 0x8000000 }, { 0x8009000, 0x1F7000 }, \
		     { 0x8200000, 0x7E00000 } } }

BARMAP_RANGE_CASE(first_area_whole, {
	.layout = MIDDLE_HOLE, .offset = 0, .len = 0x8000000,
	.covers = true, .in_one_area = true,
})

BARMAP_RANGE_CASE(page_in_first_area, {
	.layout = MIDDLE_HOLE, .offset = 0x1000, .len = 0x1000,
	.covers = true, .in_one_area = true,
})

BARMAP_RANGE_CASE(page_after_the_hole, {
	.layout = MIDDLE_HOLE, .offset = 0x8009000, .len = 0x1000,
	.covers = true, .in_one_area = true,
})

BARMAP_RANGE_CASE(pmd_after_the_cut, {
	.layout = MIDDLE_HOLE, .offset = 0x8200000, .len = 0x200000,
	.covers = true, .in_one_area = true,
})

BARMAP_RANGE_CASE(adjacent_areas_to_the_end, {
	.layout = MIDDLE_HOLE, .offset = 0x8009000, .len = SZ_256M - 0x8009000,
	.covers = true, .in_one_area = false,
})

BARMAP_RANGE_CASE(pages_across_the_cut, {
	.layout = MIDDLE_HOLE, .offset = 0x81ff000, .len = 0x2000,
	.covers = true, .in_one_area = false,
})

BARMAP_RANGE_CASE(into_the_hole_from_below, {
	.layout = MIDDLE_HOLE, .offset = 0x7fff000, .len = 0x2000,
	.covers = false, .in_one_area = false,
})

BARMAP_RANGE_CASE(out_of_the_hole, {
	.layout = MIDDLE_HOLE, .offset = 0x8008000, .len = 0x2000,
	.covers = false, .in_one_area = false,
})

BARMAP_RANGE_CASE(pmd_over_the_hole, {
	.layout = MIDDLE_HOLE, .offset = 0x8000000, .len = 0x200000,
	.covers = false, .in_one_area = false,
})

BARMAP_RANGE_CASE(across_the_first_area_end, {
	.layout = MIDDLE_HOLE, .offset = 0x7e00000, .len = 0x400000,
	.covers = false, .in_one_area = false,
})

BARMAP_RANGE_CASE(whole_bar_over_the_hole, {
	.layout = MIDDLE_HOLE, .offset = 0, .len = SZ_256M,
	.covers = false, .in_one_area = false,
})

BARMAP_RANGE_CASE(empty, {
	.layout = MIDDLE_HOLE, .offset = 0, .len = 0,
	.covers = false, .in_one_area = false,
})

BARMAP_RANGE_CASE(last_page_and_past_the_end, {
	.layout = MIDDLE_HOLE, .offset = SZ_256M - 0x1000, .len = 0x2000,
	.covers = false, .in_one_area = false,
})

BARMAP_RANGE_CASE(pmd_past_the_end, {
	.layout = MIDDLE_HOLE, .offset = 0xFE00000, .len = 0x400000,
	.covers = false, .in_one_area = false,
})

BARMAP_RANGE_CASE(at_the_end, {
	.layout = MIDDLE_HOLE, .offset = SZ_256M, .len = 0x1000,
	.covers = false, .in_one_area = false,
})

BARMAP_RANGE_CASE(wrapping, {
	.layout = MIDDLE_HOLE, .offset = 0x1000, .len = ~0ULL,
	.covers = false, .in_one_area = false,
})

/* No layout (a BAR that may not be mapped): nothing is covered. */
BARMAP_RANGE_CASE(empty_layout, {
	.offset = 0, .len = 0x1000, .covers = false, .in_one_area = false,
})

/*
 * Sub-page BARs: barmap's reservation makes mmap possible, but never
 * where vfio-pci-core maps no BAR of the device at all (s390's
 * non_mappable_bars, CONFIG_VFIO_PCI_MMAP=n before it).
 */
BARMAP_SUBPAGE_CASE(reserved_and_core_maps, {
	.page_reserved = true, .core_maps_bars = true, .allowed = true,
})

BARMAP_SUBPAGE_CASE(core_maps_no_bar, {
	.page_reserved = true, .core_maps_bars = false, .allowed = false,
})

BARMAP_SUBPAGE_CASE(not_reserved, {
	.page_reserved = false, .core_maps_bars = true, .allowed = false,
})

BARMAP_SUBPAGE_CASE(neither, {
	.page_reserved = false, .core_maps_bars = false, .allowed = false,
})

#undef GRACE_SIZE
#undef PAGE_4K
#undef PAGE_16K
#undef PAGE_64K
#undef PAGE_4K_NO_MSIX
#undef PAGE_16K_NO_MSIX
#undef PAGE_64K_NO_MSIX
#undef NVME_BAR0
#undef BAR_256M
#undef MSIX_AT_START
#undef MSIX_IN_MIDDLE
#undef MSIX_AT_END
#undef MSIX_ONE_PAGE
#undef MSIX_ADJACENT
#undef TABLE_BAR
#undef PBA_BAR
#undef IGB_BAR3
#undef MIDDLE_HOLE
#undef BARMAP_LAYOUT_CASE
#undef BARMAP_POLICY_CASE
#undef BARMAP_RANGE_CASE
#undef BARMAP_SUBPAGE_CASE
