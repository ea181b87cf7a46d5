// SPDX-License-Identifier: GPL-2.0-only
/*
 * REGION_INFO and mmap of BARs under barmap-vfio-pci, run in the guest per
 * device (VFIO_SELFTESTS_BDF) of the matrix:
 *   BARMAP_SUBPAGE=reserved|refused  outcome of the exclusive-page rule
 *   BARMAP_MSIX_MMAP=1|0             the module's msix_mmap parameter
 * The expected areas of each known device are written out below; the
 * rig also runs these tests against stock vfio-pci and prints where it
 * differs.  A sub-page BAR has no SPARSE_MMAP capability, as under
 * vfio-pci: QEMU grows it to a page only when the region is one mmap
 * area of the region's size, which is what it assumes without the
 * capability.  barmap still lets the whole page at offset 0 be mapped.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <libvfio.h>

#include "kselftest_harness.h"
#include "vfio_util.h"

#define SZ_4K	0x1000ULL
#define SZ_16K	0x4000ULL
#define SZ_64K	0x10000ULL
#define SZ_1M	0x100000ULL
#define SZ_1G	0x40000000ULL
#define MAX_AREAS 16

/* One BAR as barmap-vfio-pci should report it. */
struct bar_expect {
	int bar;		/* -1 ends the list */
	/* mappable only if its page is reserved; no SPARSE_MMAP */
	bool subpage;
	bool mmap;		/* MMAP flag, for BARs that are not sub-page */
	bool msix;		/* holds MSI-X: MSIX_MAPPABLE if msix_mmap */
	bool msix_hole;		/* a page of nothing but MSI-X: not an area */
	/* every page holds MSI-X: nothing left with msix_mmap=0, no MMAP */
	bool msix_every_page;
	bool nvme_cap;		/* starts with the NVMe registers */
	unsigned int nr_areas;
	struct vfio_region_sparse_mmap_area areas[MAX_AREAS];
	uint64_t phys_align;	/* placement the areas assume */
};

struct device_expect {
	uint16_t vendor, device;
	const char *name;
	struct bar_expect bars[4];
};

/* x86 (4 KiB pages), the devices of scripts/run-guest.sh. */
static const struct device_expect matrix_4k[] = {
	{ 0x1b36, 0x0010, "nvme", {
		/*
		 * 16 KiB: MSI-X table at 0x2000, PBA at 0x3000, both holes
		 * with msix_mmap=0; with msix_mmap, one mapping of 16 KiB.
		 */
		{ .bar = 0, .mmap = true, .msix = true, .msix_hole = true,
		  .nvme_cap = true, .nr_areas = 1, .areas = { { 0, 0x2000 } },
		  .phys_align = 0x4000 },
		{ .bar = -1 } } },
	{ 0x1af4, 0x1110, "ivshmem", {
		{ .bar = 0, .subpage = true },
		/* 1 GiB, placed 1 GiB-aligned: one area, one PUD. */
		{ .bar = 2, .mmap = true, .nr_areas = 1,
		  .areas = { { 0, SZ_1G } }, .phys_align = SZ_1G },
		{ .bar = -1 } } },
	{ 0x10ec, 0x8139, "rtl8139", {
		{ .bar = 0 },	/* I/O: never mmap */
		{ .bar = 1, .subpage = true },
		{ .bar = -1 } } },
	{ 0x8086, 0x25ab, "i6300esb", {
		{ .bar = 0, .subpage = true },
		{ .bar = -1 } } },
	{ 0x1af4, 0x1044, "virtio", {
		/*
		 * virtio-rng-pci, modern only: BAR1 is 4 KiB of MSI-X alone
		 * (table at 0, PBA at 0x800), no area but mappable under
		 * msix_mmap, and then answered as vfio-pci answers (MMAP,
		 * MSIX_MAPPABLE, no SPARSE_MMAP: QEMU maps the whole BAR);
		 * BAR4 the 16 KiB of virtio structures, one area.
		 */
		{ .bar = 1, .mmap = true, .msix = true, .msix_hole = true,
		  .msix_every_page = true, .nr_areas = 0,
		  .phys_align = SZ_4K },
		{ .bar = 4, .mmap = true, .nr_areas = 1,
		  .areas = { { 0, SZ_16K } }, .phys_align = SZ_16K },
		{ .bar = -1 } } },
};

/*
 * arm64 with 16 KiB pages (Debian's arm64-16k), the devices of the arm64
 * guest of scripts/run-guest.sh.
 */
static const struct device_expect matrix_16k[] = {
	{ 0x1b36, 0x0010, "nvme", {
		/*
		 * 16 KiB is exactly one page here, holding the registers as
		 * well as the MSI-X table and PBA: neither sub-page nor
		 * splittable.  One area of the whole BAR, mappable only with
		 * msix_mmap (MSIX_MAPPABLE); without it nothing is left.
		 */
		{ .bar = 0, .mmap = true, .msix = true, .nvme_cap = true,
		  .msix_every_page = true, .nr_areas = 1,
		  .areas = { { 0, SZ_16K } }, .phys_align = SZ_16K },
		/* The 1 MiB controller memory buffer (cmb_size_mb=1). */
		{ .bar = 2, .mmap = true, .nr_areas = 1,
		  .areas = { { 0, SZ_1M } }, .phys_align = SZ_1M },
		{ .bar = -1 } } },
	{ 0x1af4, 0x1110, "ivshmem", {
		{ .bar = 0, .subpage = true },
		/* 1 GiB, 1 GiB-aligned: one area of 32 PMDs of 32 MiB. */
		{ .bar = 2, .mmap = true, .nr_areas = 1,
		  .areas = { { 0, SZ_1G } }, .phys_align = SZ_1G },
		{ .bar = -1 } } },
};

/* arm64 with 64 KiB pages, the devices of scripts/run-guest-arm64.sh. */
static const struct device_expect matrix_64k[] = {
	{ 0x1b36, 0x0010, "nvme", {
		/*
		 * 16 KiB is a sub-page BAR here.  Its one page holds the
		 * registers as well as the MSI-X table and PBA: no hole.
		 */
		{ .bar = 0, .subpage = true, .msix = true, .nvme_cap = true,
		  .msix_every_page = true },
		/* The 1 MiB controller memory buffer (cmb_size_mb=1). */
		{ .bar = 2, .mmap = true, .nr_areas = 1,
		  .areas = { { 0, SZ_1M } }, .phys_align = SZ_1M },
		{ .bar = -1 } } },
	{ 0x1af4, 0x1110, "ivshmem", {
		{ .bar = 0, .subpage = true },
		/* 1 GiB, 1 GiB-aligned: one area of two 512 MiB PMDs. */
		{ .bar = 2, .mmap = true, .nr_areas = 1,
		  .areas = { { 0, SZ_1G } }, .phys_align = SZ_1G },
		{ .bar = -1 } } },
};

static bool env_is(const char *name, const char *val, bool dflt)
{
	const char *e = getenv(name);

	return e ? !strcmp(e, val) : dflt;
}

/* The table of this page size's rig, with its length in @nr. */
static const struct device_expect *matrix_of(long page, unsigned int *nr)
{
	switch (page) {
	case SZ_4K:
		*nr = ARRAY_SIZE(matrix_4k);
		return matrix_4k;
	case SZ_16K:
		*nr = ARRAY_SIZE(matrix_16k);
		return matrix_16k;
	case SZ_64K:
		*nr = ARRAY_SIZE(matrix_64k);
		return matrix_64k;
	}
	*nr = 0;
	return NULL;
}

static const struct device_expect *lookup(const char *bdf, long page)
{
	unsigned long vendor = 0, device = 0;
	const struct device_expect *matrix;
	unsigned int i, nr;
	char path[128];

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vendor", bdf);
	sysfs_read_ulong(path, &vendor);
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/device", bdf);
	sysfs_read_ulong(path, &device);
	matrix = matrix_of(page, &nr);
	for (i = 0; i < nr; i++)
		if (matrix[i].vendor == vendor && matrix[i].device == device)
			return &matrix[i];
	return NULL;
}

FIXTURE(region) {
	struct vfio_dev dev;
	const struct device_expect *exp;
	bool reserved;
	bool msix_mmap;
	long page;
};

FIXTURE_SETUP(region)
{
	int ret = vfio_dev_open(&self->dev, device_bdf);

	ASSERT_EQ(0, ret) TH_LOG("open %s: %s", device_bdf, strerror(-ret));
	self->page = sysconf(_SC_PAGESIZE);
	self->exp = lookup(device_bdf, self->page);
	ASSERT_NE(NULL, self->exp)
		TH_LOG("%s is not in the matrix for %ld-byte pages",
		       device_bdf, self->page);
	self->reserved = !env_is("BARMAP_SUBPAGE", "refused", false);
	self->msix_mmap = env_is("BARMAP_MSIX_MMAP", "1", true);
}

FIXTURE_TEARDOWN(region)
{
	vfio_dev_close(&self->dev);
}

static bool bar_mappable(const struct bar_expect *b, bool reserved,
			 bool msix_mmap)
{
	if (b->msix_every_page && !msix_mmap)
		return false;
	return b->subpage ? reserved : b->mmap;
}

/*
 * Under msix_mmap a BAR holding MSI-X with at least one area (holes or
 * not: the 16 KiB nvme BAR0 on 16 KiB pages has none) is answered as
 * vfio-pci answers it: one mapping of the whole BAR, no SPARSE_MMAP
 * (barmap_layout_holes_cost(); Documentation, "What each VMM ends up
 * with").  Its areas are advertised with msix_mmap=0 only.
 */
static bool bar_answered_whole(const struct bar_expect *b, bool msix_mmap)
{
	return msix_mmap && b->msix && b->nr_areas && !b->subpage;
}

static const struct vfio_region_info_cap_sparse_mmap *
sparse_of(const struct vfio_region_info *info)
{
	return (const void *)vfio_region_cap(info,
					     VFIO_REGION_INFO_CAP_SPARSE_MMAP);
}

/* What a VMM maps of a BAR with MMAP. */
struct mmap_areas {
	unsigned int nr;
	struct vfio_region_sparse_mmap_area area[MAX_AREAS];
};

/*
 * The SPARSE_MMAP list, or without one the whole region rounded up to a
 * page: how vfio-pci and QEMU read MMAP without the capability.
 */
static void mmap_areas_of(const struct vfio_region_info *info, long page,
			  struct mmap_areas *out)
{
	const struct vfio_region_info_cap_sparse_mmap *sparse = sparse_of(info);
	unsigned int i;

	if (!sparse) {
		out->nr = 1;
		out->area[0].offset = 0;
		out->area[0].size = (info->size + page - 1) & ~(page - 1);
		return;
	}
	out->nr = sparse->nr_areas < MAX_AREAS ? sparse->nr_areas : MAX_AREAS;
	for (i = 0; i < out->nr; i++)
		out->area[i] = sparse->areas[i];
}

/* Map [off, off + len) of a BAR; returns 0 or the errno of mmap. */
static int try_map(int fd, const struct vfio_region_info *info, uint64_t off,
		   uint64_t len)
{
	void *map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			 info->offset + off);

	if (map == MAP_FAILED)
		return errno;
	munmap(map, len);
	return 0;
}

TEST_F(region, flags_and_areas_as_expected)
{
	const struct vfio_region_info_cap_sparse_mmap *sparse;
	const struct bar_expect *b;
	struct vfio_region_info *info;
	struct bar_resource res;
	unsigned int i;

	for (b = self->exp->bars; b->bar >= 0; b++) {
		bool mappable = bar_mappable(b, self->reserved, self->msix_mmap);

		info = vfio_region_info(self->dev.fd, b->bar);
		ASSERT_NE(NULL, info);
		EXPECT_EQ(mappable, !!(info->flags & VFIO_REGION_INFO_FLAG_MMAP))
			TH_LOG("BAR%d flags 0x%x", b->bar, info->flags);
		sparse = sparse_of(info);
		if (!mappable) {
			EXPECT_EQ(NULL, sparse) TH_LOG("BAR%d has areas", b->bar);
			EXPECT_FALSE(info->flags & VFIO_REGION_INFO_FLAG_CAPS)
				TH_LOG("BAR%d has capabilities", b->bar);
			if (info->size)
				EXPECT_EQ(EINVAL, try_map(self->dev.fd, info, 0,
							  self->page))
					TH_LOG("BAR%d maps", b->bar);
			free(info);
			continue;
		}
		if (b->phys_align) {
			ASSERT_EQ(0, bar_resource(self->dev.bdf, b->bar, &res));
			ASSERT_EQ(0, res.start % b->phys_align)
				TH_LOG("BAR%d at 0x%llx: not where the table assumes",
				       b->bar, (unsigned long long)res.start);
		}
		if (b->subpage || !b->nr_areas ||
		    bar_answered_whole(b, self->msix_mmap)) {
			/* sub-page, MSI-X in every page or holes: as vfio-pci */
			EXPECT_EQ(NULL, sparse)
				TH_LOG("BAR%d: SPARSE_MMAP, %s", b->bar,
				       b->subpage ? "sub-page" :
				       b->nr_areas ? "holds MSI-X" : "no area");
		} else {
			ASSERT_NE(NULL, sparse)
				TH_LOG("BAR%d: no SPARSE_MMAP", b->bar);
			ASSERT_EQ(b->nr_areas, sparse->nr_areas);
			for (i = 0; i < b->nr_areas; i++) {
				EXPECT_EQ(b->areas[i].offset,
					  sparse->areas[i].offset);
				EXPECT_EQ(b->areas[i].size,
					  sparse->areas[i].size);
			}
		}
		EXPECT_EQ(b->msix && self->msix_mmap,
			  !!vfio_region_cap(info, VFIO_REGION_INFO_CAP_MSIX_MAPPABLE))
			TH_LOG("BAR%d MSIX_MAPPABLE", b->bar);
		free(info);
	}
}

TEST_F(region, sparse_mmap_is_first_in_chain)
{
	const struct vfio_info_cap_header *first;
	struct vfio_region_info *info;
	const struct bar_expect *b;

	for (b = self->exp->bars; b->bar >= 0; b++) {
		if (b->subpage || !b->nr_areas ||
		    bar_answered_whole(b, self->msix_mmap) ||
		    !bar_mappable(b, self->reserved, self->msix_mmap))
			continue;
		info = vfio_region_info(self->dev.fd, b->bar);
		ASSERT_NE(NULL, info);
		ASSERT_TRUE(info->flags & VFIO_REGION_INFO_FLAG_CAPS);
		ASSERT_GE(info->cap_offset, sizeof(*info));
		first = (const void *)((const char *)info + info->cap_offset);
		EXPECT_EQ(VFIO_REGION_INFO_CAP_SPARSE_MMAP, first->id);
		free(info);
	}
}

/*
 * QEMU grows a sub-page BAR to a page, so that KVM can map it, only when
 * the region has one mmap area of the region's size: no SPARSE_MMAP, or
 * a list of exactly that.  It then maps the whole page at offset 0.
 */
TEST_F(region, subpage_bar_keeps_qemu_page_expansion)
{
	const struct vfio_region_info_cap_sparse_mmap *sparse;
	struct vfio_region_info *info;
	const struct bar_expect *b;
	unsigned int checked = 0;

	for (b = self->exp->bars; b->bar >= 0; b++) {
		if (!b->subpage || !bar_mappable(b, self->reserved, self->msix_mmap))
			continue;
		info = vfio_region_info(self->dev.fd, b->bar);
		ASSERT_NE(NULL, info);
		ASSERT_LT(info->size, (uint64_t)self->page);
		ASSERT_TRUE(info->flags & VFIO_REGION_INFO_FLAG_MMAP);
		sparse = sparse_of(info);
		if (sparse) {
			ASSERT_EQ(1, sparse->nr_areas)
				TH_LOG("BAR%d: QEMU would not grow it", b->bar);
			EXPECT_EQ(0, sparse->areas[0].offset);
			EXPECT_EQ(info->size, sparse->areas[0].size);
		}
		EXPECT_EQ(0, try_map(self->dev.fd, info, 0, info->size))
			TH_LOG("BAR%d: its %llu bytes", b->bar,
			       (unsigned long long)info->size);
		EXPECT_EQ(0, try_map(self->dev.fd, info, 0, self->page))
			TH_LOG("BAR%d: the whole page", b->bar);
		free(info);
		checked++;
	}
	TH_LOG("%u sub-page BARs checked", checked);
}

TEST_F(region, every_area_maps_alone_and_with_its_neighbours)
{
	struct vfio_region_info *info;
	const struct bar_expect *b;
	struct mmap_areas areas;
	uint64_t start, end;
	unsigned int i;

	for (b = self->exp->bars; b->bar >= 0; b++) {
		if (!bar_mappable(b, self->reserved, self->msix_mmap))
			continue;
		info = vfio_region_info(self->dev.fd, b->bar);
		ASSERT_NE(NULL, info);
		mmap_areas_of(info, self->page, &areas);
		for (i = 0; i < areas.nr; i++)
			EXPECT_EQ(0, try_map(self->dev.fd, info,
					     areas.area[i].offset,
					     areas.area[i].size))
				TH_LOG("BAR%d area %u", b->bar, i);
		/* Adjacent areas form one run: map it whole. */
		i = 0;
		while (i < areas.nr) {
			start = areas.area[i].offset;
			end = start + areas.area[i].size;
			while (++i < areas.nr && areas.area[i].offset == end)
				end += areas.area[i].size;
			EXPECT_EQ(0, try_map(self->dev.fd, info, start,
					     end - start));
		}
		free(info);
	}
}

/*
 * Pages of a mappable BAR outside every area are MSI-X pages: mappable
 * with msix_mmap (MSIX_MAPPABLE promises it), EINVAL without.
 */
TEST_F(region, msix_pages_follow_msix_mmap)
{
	struct vfio_region_info *info;
	struct mmap_areas areas;
	const struct bar_expect *b;
	unsigned int i, checked = 0;
	bool inside, holes_expected = false;
	uint64_t off, limit;

	for (b = self->exp->bars; b->bar >= 0; b++) {
		if (!bar_mappable(b, self->reserved, self->msix_mmap))
			continue;
		/* a BAR without areas, or answered whole, lists no hole */
		holes_expected |= b->msix_hole && b->nr_areas &&
				  !bar_answered_whole(b, self->msix_mmap);
		info = vfio_region_info(self->dev.fd, b->bar);
		ASSERT_NE(NULL, info);
		mmap_areas_of(info, self->page, &areas);
		limit = (info->size + self->page - 1) & ~(self->page - 1);
		for (off = 0; off < limit; off += self->page) {
			for (inside = false, i = 0; i < areas.nr; i++)
				inside |= off >= areas.area[i].offset &&
					  off - areas.area[i].offset <
					  areas.area[i].size;
			if (inside)
				continue;
			EXPECT_EQ(self->msix_mmap ? 0 : EINVAL,
				  try_map(self->dev.fd, info, off, self->page))
				TH_LOG("BAR%d page 0x%llx", b->bar,
				       (unsigned long long)off);
			/* And a mapping that straddles it, from offset 0. */
			EXPECT_EQ(self->msix_mmap ? 0 : EINVAL,
				  try_map(self->dev.fd, info, 0, limit));
			checked++;
		}
		free(info);
	}
	TH_LOG("%u MSI-X pages checked (msix_mmap=%d)", checked,
	       self->msix_mmap);
	if (holes_expected)
		EXPECT_NE(0, checked);
}

TEST_F(region, mapping_past_the_page_rounded_bar_fails)
{
	struct vfio_region_info *info;
	const struct bar_expect *b;
	uint64_t limit;

	for (b = self->exp->bars; b->bar >= 0; b++) {
		if (!bar_mappable(b, self->reserved, self->msix_mmap))
			continue;
		info = vfio_region_info(self->dev.fd, b->bar);
		ASSERT_NE(NULL, info);
		limit = (info->size + self->page - 1) & ~(self->page - 1);
		EXPECT_EQ(EINVAL, try_map(self->dev.fd, info, 0,
					  limit + self->page));
		EXPECT_EQ(EINVAL, try_map(self->dev.fd, info, limit,
					  self->page));
		free(info);
	}
}

/*
 * A page mapped at offset 0 of the NVMe registers reads the controller's
 * CAP: non-zero, MQES (maximum queue entries, 0's based) at least 1, the
 * NVM command set supported (CSS bit 37), as QEMU's nvme reports it.
 */
TEST_F(region, nvme_cap_reads_sane_through_a_page_mapping)
{
	struct vfio_region_info *info;
	const struct bar_expect *b;
	unsigned int checked = 0;
	uint64_t cap;
	void *map;

	for (b = self->exp->bars; b->bar >= 0; b++) {
		if (!b->nvme_cap || !bar_mappable(b, self->reserved, self->msix_mmap))
			continue;
		info = vfio_region_info(self->dev.fd, b->bar);
		ASSERT_NE(NULL, info);
		map = mmap(NULL, self->page, PROT_READ, MAP_SHARED,
			   self->dev.fd, info->offset);
		ASSERT_NE(MAP_FAILED, map) TH_LOG("BAR%d: %s", b->bar,
						  strerror(errno));
		cap = *(volatile uint32_t *)map |
		      (uint64_t)*((volatile uint32_t *)map + 1) << 32;
		TH_LOG("BAR%d CAP 0x%016llx through a %ld-byte mapping",
		       b->bar, (unsigned long long)cap, self->page);
		EXPECT_NE(0, cap);
		EXPECT_LE(1, cap & 0xffff);
		EXPECT_TRUE(cap & (1ULL << 37));
		munmap(map, self->page);
		free(info);
		checked++;
	}
	TH_LOG("%u NVMe register BARs checked", checked);
}

/*
 * The debugfs layout file lists the same areas, in the same format; for
 * a sub-page BAR the page mmap allows, marked as not advertised.
 */
TEST_F(region, debugfs_layout_matches_region_info)
{
	char path[128], want[512], prefix[16], *text, *line;
	struct mmap_areas areas;
	struct vfio_region_info *info;
	const struct bar_expect *b;
	unsigned int i;
	int n;

	barmap_debugfs_file(self->dev.bdf, "layout", path, sizeof(path));
	text = read_file(path);
	ASSERT_NE(NULL, text) TH_LOG("%s: %s", path, strerror(errno));
	for (b = self->exp->bars; b->bar >= 0; b++) {
		if (!bar_mappable(b, self->reserved, self->msix_mmap))
			continue;
		info = vfio_region_info(self->dev.fd, b->bar);
		ASSERT_NE(NULL, info);
		mmap_areas_of(info, self->page, &areas);
		n = snprintf(want, sizeof(want), " areas");
		for (i = 0; i < areas.nr; i++)
			n += snprintf(want + n, sizeof(want) - n, " 0x%llx+0x%llx",
				      areas.area[i].offset,
				      areas.area[i].size);
		if (b->subpage)
			snprintf(want + n, sizeof(want) - n,
				 " (sub-page: no SPARSE_MMAP)");
		else if (!b->nr_areas)
			snprintf(want, sizeof(want),
				 " areas (MSI-X in every page: no SPARSE_MMAP)");
		else if (bar_answered_whole(b, self->msix_mmap))
			snprintf(want + n, sizeof(want) - n,
				 " (MSI-X, msix_mmap: as vfio-pci, no SPARSE_MMAP)");
		snprintf(prefix, sizeof(prefix), "BAR%d ", b->bar);
		line = strstr(text, prefix);
		ASSERT_NE(NULL, line) TH_LOG("no %s in %s", prefix, path);
		line = strndup(line, strcspn(line, "\n"));
		ASSERT_NE(NULL, line);
		n = strlen(line) - strlen(want);
		EXPECT_TRUE(n > 0 && !strcmp(line + n, want))
			TH_LOG("'%s' does not end in '%s'", line, want);
		free(line);
		free(info);
	}
	free(text);
}

int main(int argc, char *argv[])
{
	device_bdf = vfio_selftests_get_bdf(&argc, argv);
	return test_harness_run(argc, argv);
}
