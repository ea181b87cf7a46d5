// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host-side unit tests for the VMM rules of ../consumers.c: what each VMM
 * ends up with for a BAR answered the way stock vfio-pci answers it and
 * the way barmap-vfio-pci does, worked out by hand from each VMM's code.
 * 4 KiB pages, PMD 2 MiB, PUD 1 GiB.
 */
#include <string.h>

#include "kselftest_harness.h"
#include "consumers.h"
#include "vfio_util.h"

#define MMAP_CAPS	(VFIO_REGION_INFO_FLAG_READ | \
			 VFIO_REGION_INFO_FLAG_WRITE | \
			 VFIO_REGION_INFO_FLAG_MMAP | VFIO_REGION_INFO_FLAG_CAPS)
#define PAGES		.page = 0x1000, .pmd = 0x200000, .pud = 0x40000000

/* NVMe BAR0: 16 KiB, table [0x2000, 0x2410), PBA [0x3000, 0x3010). */
#define NVME_BAR0	.flags = MMAP_CAPS, .size = 0x4000, \
			.phys = 0xfebf0000, PAGES, .msix_mappable = true, \
			.msix_here = true, .msix_start = { 0x2000, 0x3000 }, \
			.msix_end = { 0x2410, 0x3010 }

static const struct consumer_bar nvme_stock = { NVME_BAR0 };
static const struct consumer_bar nvme_barmap = {
	NVME_BAR0, .sparse = true, .sparse_first = true, .nr_sparse = 1,
	.sparse_areas = { { 0, 0x2000 } },
};

/* A GPU-like 16 MiB register BAR, table at 0xb90000 (16 vectors). */
#define GPU_BAR0	.flags = MMAP_CAPS, .size = 0x1000000, \
			.phys = 0xfd000000, PAGES, .msix_mappable = true, \
			.msix_here = true, .msix_start = { 0xb90000, 0 }, \
			.msix_end = { 0xb90100, 0 }

static const struct consumer_bar gpu_stock = { GPU_BAR0 };

static void view(enum consumer c, const struct consumer_bar *bar,
		 struct consumer_view *v)
{
	consumer_view(c, bar, v);
}

/*
 * QEMU maps the whole BAR; the table's overlay leaves [0, 0x2000) and the
 * PBA's page [0x3000, 0x4000) (its overlay is off) to KVM.
 */
TEST(qemu_nvme_stock_two_slots_around_the_table)
{
	struct consumer_view v;
	enum consumer c;

	for (c = CONSUMER_QEMU_7_2; c <= CONSUMER_QEMU_11_1; c++) {
		view(c, &nvme_stock, &v);
		EXPECT_TRUE(v.accepted);
		EXPECT_EQ(1U, v.maps);
		EXPECT_EQ(0x4000ULL, v.map[0].size);
		EXPECT_EQ(2U, v.slots);
		EXPECT_EQ(0x3000ULL, v.direct);
		EXPECT_EQ(3ULL, v.entries);
	}
}

/* barmap's area leaves the PBA's page out: it traps. */
TEST(qemu_nvme_barmap_one_slot)
{
	struct consumer_view v;

	view(CONSUMER_QEMU_11_1, &nvme_barmap, &v);
	EXPECT_EQ(1U, v.maps);
	EXPECT_EQ(0x2000ULL, v.map[0].size);
	EXPECT_EQ(1U, v.slots);
	EXPECT_EQ(0x2000ULL, v.direct);
	EXPECT_EQ(2ULL, v.entries);
}

/* cloud-hypervisor carves the table's and the PBA's pages itself. */
TEST(cloud_hv_nvme_stock_and_barmap_alike)
{
	struct consumer_view s, b;

	view(CONSUMER_CLOUD_HV, &nvme_stock, &s);
	view(CONSUMER_CLOUD_HV, &nvme_barmap, &b);
	ASSERT_EQ(1U, s.maps);
	EXPECT_EQ(0ULL, s.map[0].offset);
	EXPECT_EQ(0x2000ULL, s.map[0].size);
	ASSERT_EQ(1U, b.maps);
	EXPECT_EQ(s.map[0].size, b.map[0].size);
	EXPECT_EQ(s.direct, b.direct);
}

/*
 * crosvm maps a region with either capability as listed, MSI-X and all:
 * stock's whole BAR; barmap's area, then the whole BAR again, which KVM
 * refuses.
 */
TEST(crosvm_nvme_barmap_overlap_refused)
{
	struct consumer_view s, b;

	view(CONSUMER_CROSVM, &nvme_stock, &s);
	view(CONSUMER_CROSVM, &nvme_barmap, &b);
	EXPECT_EQ(1U, s.slots);
	EXPECT_EQ(0U, s.refused);
	EXPECT_EQ(0x4000ULL, s.direct);
	EXPECT_EQ(1U, b.slots);
	EXPECT_EQ(1U, b.refused);
	EXPECT_EQ(0x2000ULL, b.direct);
}

/* Without a capability crosvm carves the MSI-X pages itself. */
TEST(crosvm_carves_msix_without_caps)
{
	struct consumer_bar bar = { NVME_BAR0 };
	struct consumer_view v;

	bar.flags &= ~VFIO_REGION_INFO_FLAG_CAPS;
	bar.msix_mappable = false;
	view(CONSUMER_CROSVM, &bar, &v);
	EXPECT_EQ(1U, v.slots);
	EXPECT_EQ(0x2000ULL, v.direct);
}

/*
 * Firecracker emulates the table's and the PBA's pages: around them,
 * under MSIX_MAPPABLE, stock's BAR is one area [0, 0x2000); barmap's
 * SPARSE_MMAP area is the same, page-aligned and clear of both pages.
 */
TEST(firecracker_nvme_stock_and_barmap_alike)
{
	struct consumer_view s, b;

	view(CONSUMER_FIRECRACKER, &nvme_stock, &s);
	view(CONSUMER_FIRECRACKER, &nvme_barmap, &b);
	ASSERT_TRUE(s.accepted);
	ASSERT_EQ(1U, s.maps);
	EXPECT_EQ(0ULL, s.map[0].offset);
	EXPECT_EQ(0x2000ULL, s.map[0].size);
	EXPECT_EQ(1U, s.slots);
	EXPECT_EQ(0x2000ULL, s.direct);
	ASSERT_TRUE(b.accepted);
	ASSERT_EQ(1U, b.maps);
	EXPECT_EQ(s.map[0].size, b.map[0].size);
	EXPECT_EQ(s.direct, b.direct);
}

/*
 * A SPARSE_MMAP area over an emulated page, one not in whole pages, one
 * overlapping another or past the region fails the device; a BAR with
 * MSI-X and neither capability is left to emulation, the device still
 * set up; a 32-bit BAR of 512 MiB finds no guest space.
 */
TEST(firecracker_rejects_areas_over_msix_or_unaligned)
{
	struct consumer_bar bar = nvme_barmap;
	struct consumer_view v;

	bar.sparse_areas[0].size = 0x3000;
	view(CONSUMER_FIRECRACKER, &bar, &v);
	EXPECT_FALSE(v.accepted);
	bar.sparse_areas[0].size = 0x1800;
	view(CONSUMER_FIRECRACKER, &bar, &v);
	EXPECT_FALSE(v.accepted);
	/* two slots over the same page: KVM refuses the second */
	bar.sparse_areas[0].size = 0x1000;
	bar.sparse_areas[1] = bar.sparse_areas[0];
	bar.nr_sparse = 2;
	view(CONSUMER_FIRECRACKER, &bar, &v);
	EXPECT_FALSE(v.accepted);
	/* an area whose end wraps past 2^64 */
	bar.nr_sparse = 1;
	bar.sparse_areas[0].offset = 0xfffffffffffff000ULL;
	bar.sparse_areas[0].size = 0x2000;
	view(CONSUMER_FIRECRACKER, &bar, &v);
	EXPECT_FALSE(v.accepted);

	bar = nvme_stock;
	bar.flags &= ~VFIO_REGION_INFO_FLAG_CAPS;
	bar.msix_mappable = false;
	view(CONSUMER_FIRECRACKER, &bar, &v);
	EXPECT_TRUE(v.accepted);
	EXPECT_EQ(0U, v.maps);
	EXPECT_EQ(0ULL, v.direct);

	bar = gpu_stock;
	bar.size = 0x20000000;
	view(CONSUMER_FIRECRACKER, &bar, &v);
	EXPECT_FALSE(v.accepted);
	bar.mem64 = true;
	view(CONSUMER_FIRECRACKER, &bar, &v);
	EXPECT_TRUE(v.accepted);
}

/*
 * The GPU-like BAR: one gap, the table's page [0xb90000, 0xb91000), and
 * an area on each side of it; Firecracker asks no VA alignment, so no
 * PMD can be counted on: 4095 PTEs.
 */
TEST(firecracker_gpu_two_areas_around_the_table)
{
	struct consumer_view v;

	view(CONSUMER_FIRECRACKER, &gpu_stock, &v);
	ASSERT_TRUE(v.accepted);
	ASSERT_EQ(2U, v.maps);
	EXPECT_EQ(0ULL, v.map[0].offset);
	EXPECT_EQ(0xb90000ULL, v.map[0].size);
	EXPECT_EQ(0xb91000ULL, v.map[1].offset);
	EXPECT_EQ(0x46f000ULL, v.map[1].size);
	EXPECT_EQ(2U, v.slots);
	EXPECT_EQ(0xfff000ULL, v.direct);
	EXPECT_EQ(0xfffULL, v.entries);
}

/*
 * A BAR smaller than a page: KVM refuses its memory slot.  With MSI-X in
 * it under MSIX_MAPPABLE (an igb's 16 KiB MSI-X BAR on 64 KiB pages),
 * the emulated page reaches past the region and the last area's size
 * underflows.
 */
TEST(firecracker_subpage_bar_fails)
{
	struct consumer_bar bar = {
		.flags = MMAP_CAPS & ~VFIO_REGION_INFO_FLAG_CAPS,
		.size = 0x100, .phys = 0xfebf1000, PAGES,
	};
	struct consumer_bar msix = {
		.flags = MMAP_CAPS, .size = 0x4000, .phys = 0x8000000000,
		.page = 0x10000, .pmd = 0x20000000, .msix_mappable = true,
		.msix_here = true, .msix_start = { 0, 0x2000 },
		.msix_end = { 0x50, 0x2008 },
	};
	struct consumer_view v;

	view(CONSUMER_FIRECRACKER, &bar, &v);
	EXPECT_FALSE(v.accepted);
	view(CONSUMER_FIRECRACKER, &msix, &v);
	EXPECT_FALSE(v.accepted);
}

/*
 * cloud-hypervisor moves the MSI-X of a 64-bit BAR whose table is not
 * page-aligned past the BAR, and then carves nothing.
 */
TEST(cloud_hv_relocated_msix_maps_whole_bar)
{
	struct consumer_bar bar = { NVME_BAR0 };
	struct consumer_view v;

	bar.mem64 = true;
	bar.msix_start[0] = 0x2800;
	bar.msix_end[0] = 0x2c10;
	view(CONSUMER_CLOUD_HV, &bar, &v);
	ASSERT_EQ(1U, v.maps);
	EXPECT_EQ(0x4000ULL, v.direct);
}

/* QEMU unmaps every area when one mmap() fails: the BAR traps. */
TEST(qemu_one_failed_mmap_traps_the_bar)
{
	struct consumer_bar bar = {
		NVME_BAR0, .sparse = true, .sparse_first = true, .nr_sparse = 2,
		.sparse_areas = { { 0, 0x1000 }, { 0x1800, 0x800 } },
	};
	struct consumer_view v;

	view(CONSUMER_QEMU_10_0, &bar, &v);
	EXPECT_TRUE(v.accepted);
	EXPECT_EQ(0U, v.maps);
	EXPECT_EQ(0ULL, v.direct);
	view(CONSUMER_CLOUD_HV, &bar, &v);
	EXPECT_FALSE(v.accepted);
}

/* Without MSIX_MAPPABLE cloud-hypervisor does not map a BAR of MSI-X. */
TEST(cloud_hv_skips_msix_bar_without_mappable)
{
	struct consumer_bar bar = { NVME_BAR0 };
	struct consumer_view v;

	bar.msix_mappable = false;
	view(CONSUMER_CLOUD_HV, &bar, &v);
	EXPECT_TRUE(v.accepted);
	EXPECT_EQ(0U, v.maps);
}

/*
 * One mapping of the 16 MiB BAR: QEMU 10 and 11 align it to 16 MiB and
 * get 8 PMDs (one over the table's page); QEMU 7.2 aligns to a page and
 * needs an entry per page the guest reaches: 4096 less the table's.
 */
TEST(qemu_gpu_stock_pmds_over_msix)
{
	struct consumer_view v;

	view(CONSUMER_QEMU_11_1, &gpu_stock, &v);
	EXPECT_EQ(2U, v.slots);
	EXPECT_EQ(0x1000000ULL - 0x1000, v.direct);
	EXPECT_EQ(8ULL, v.entries);
	view(CONSUMER_QEMU_10_0, &gpu_stock, &v);
	EXPECT_EQ(8ULL, v.entries);
	view(CONSUMER_QEMU_7_2, &gpu_stock, &v);
	EXPECT_EQ(4095ULL, v.entries);
}

/* The same BAR with a hole at the table's page: 5 areas, more entries. */
TEST(qemu_gpu_holes_cost_entries)
{
	struct consumer_bar holes = {
		GPU_BAR0, .sparse = true, .sparse_first = true, .nr_sparse = 5,
		.sparse_areas = { { 0, 0x800000 }, { 0x800000, 0x200000 },
				  { 0xa00000, 0x190000 },
				  { 0xb91000, 0x6f000 },
				  { 0xc00000, 0x400000 } },
	};
	struct consumer_view s, b;

	view(CONSUMER_QEMU_11_1, &gpu_stock, &s);
	view(CONSUMER_QEMU_11_1, &holes, &b);
	EXPECT_EQ(5U, b.maps);
	EXPECT_EQ(s.direct, b.direct);
	EXPECT_LT(s.entries, b.entries);
	/* 4 + 1 PMDs, 0x190 + 0x6f pages around the hole, 2 PMDs */
	EXPECT_EQ(4ULL + 1 + 0x190 + 0x6f + 2, b.entries);
}

/* QEMU 11 refuses overlapping areas: the device is not set up. */
TEST(qemu11_rejects_overlapping_areas)
{
	struct consumer_bar bar = {
		NVME_BAR0, .sparse = true, .sparse_first = true, .nr_sparse = 2,
		.sparse_areas = { { 0, 0x2000 }, { 0x1000, 0x1000 } },
	};
	struct consumer_view v;

	view(CONSUMER_QEMU_11_1, &bar, &v);
	EXPECT_FALSE(v.accepted);
	view(CONSUMER_QEMU_10_0, &bar, &v);
	EXPECT_TRUE(v.accepted);
}

/* A sub-page BAR: QEMU grows the lone region-sized area to a page. */
TEST(qemu_subpage_bar_grown_to_a_page)
{
	struct consumer_bar bar = {
		.flags = MMAP_CAPS & ~VFIO_REGION_INFO_FLAG_CAPS, .size = 0x10,
		.phys = 0xfebf1000, PAGES,
	};
	struct consumer_view v;

	view(CONSUMER_QEMU_11_1, &bar, &v);
	EXPECT_EQ(1U, v.slots);
	EXPECT_EQ(0x1000ULL, v.direct);
	view(CONSUMER_CLOUD_HV, &bar, &v);
	EXPECT_TRUE(v.accepted);
	EXPECT_EQ(0x1000ULL, v.direct);
}

/*
 * DPDK maps each area inside one reservation; stock: the whole BAR.  The
 * registers it reaches are the same 8 KiB either way.
 */
TEST(dpdk_maps_areas_or_whole_bar)
{
	struct consumer_view s, b;

	view(CONSUMER_DPDK, &nvme_stock, &s);
	view(CONSUMER_DPDK, &nvme_barmap, &b);
	EXPECT_EQ(1U, s.maps);
	EXPECT_EQ(0x4000ULL, s.map[0].size);
	EXPECT_EQ(0x2000ULL, s.direct);
	EXPECT_EQ(4ULL, s.entries);
	EXPECT_EQ(1U, b.maps);
	EXPECT_EQ(0x2000ULL, b.direct);
	EXPECT_EQ(2ULL, b.entries);
}

TEST_HARNESS_MAIN
