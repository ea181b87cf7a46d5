// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host-side unit tests for the layout code, built from the driver's own
 * drivers/vfio/pci/barmap/layout.c, on the cases of its layout_cases.h:
 * the table the driver's KUnit suite (layout_kunit.c) runs in a kernel.
 *
 * On top of the exact comparison the KUnit suite makes too,
 * check_invariants() re-derives the hole pages from the facts one 4 KiB
 * granule at a time and checks the properties a VMM relies on; and here
 * the code runs under ASan and UBSan (make SANITIZE=1).
 */

#include <linux/errno.h>
#include <linux/sizes.h>
#include <linux/types.h>
#include <string.h>

#include "kselftest_harness.h"
#include "layout.h"

/* What QEMU <= 10.x and cloud-hypervisor cap their VA alignment at. */
#define VMM_MAX_ALIGN	SZ_1G

/*
 * The layout lives in the fixture, not on the test's stack: a big local
 * in the harness's wrapper makes gcc's -Wclobbered see its vfork.
 */
FIXTURE(layout) {
	struct barmap_layout got;
};

FIXTURE_SETUP(layout)
{
}

FIXTURE_TEARDOWN(layout)
{
}

FIXTURE_VARIANT(layout) {
	struct barmap_bar_facts facts;
	int ret;
	unsigned int nr_areas;
	struct barmap_range areas[BARMAP_MAX_AREAS];
};

FIXTURE(policy) {
	struct barmap_layout layout;
};

FIXTURE_SETUP(policy)
{
}

FIXTURE_TEARDOWN(policy)
{
}

FIXTURE_VARIANT(policy) {
	struct barmap_bar_facts facts;
	bool whole;
};

FIXTURE(range) {
};

FIXTURE_SETUP(range)
{
}

FIXTURE_TEARDOWN(range)
{
}

FIXTURE_VARIANT(range) {
	struct barmap_layout layout;
	u64 offset;
	u64 len;
	bool covers;
	bool in_one_area;
};

FIXTURE(subpage) {
};

FIXTURE_SETUP(subpage)
{
}

FIXTURE_TEARDOWN(subpage)
{
}

FIXTURE_VARIANT(subpage) {
	bool page_reserved;
	bool core_maps_bars;
	bool allowed;
};

/* Each row of the table, one variant of its fixture. */
#define BARMAP_LAYOUT_CASE(_name, ...) \
	FIXTURE_VARIANT_ADD(layout, _name) __VA_ARGS__;
#define BARMAP_POLICY_CASE(_name, ...) \
	FIXTURE_VARIANT_ADD(policy, _name) __VA_ARGS__;
#define BARMAP_RANGE_CASE(_name, ...) \
	FIXTURE_VARIANT_ADD(range, _name) __VA_ARGS__;
#define BARMAP_SUBPAGE_CASE(_name, ...) \
	FIXTURE_VARIANT_ADD(subpage, _name) __VA_ARGS__;
#include "layout_cases.h"

static void log_areas(struct __test_metadata *_metadata, const char *what,
		      const struct barmap_range *areas, unsigned int nr)
{
	unsigned int i;

	TH_LOG("%s: %u areas", what, nr);
	for (i = 0; i < nr && i < BARMAP_MAX_AREAS; i++)
		TH_LOG("  { 0x%llx, 0x%llx }",
		       (unsigned long long)areas[i].offset,
		       (unsigned long long)areas[i].size);
}

static bool same_areas(const struct barmap_range *want, unsigned int nr_want,
		       const struct barmap_layout *got)
{
	unsigned int i;

	if (got->nr_areas != nr_want)
		return false;
	for (i = 0; i < nr_want; i++)
		if (got->areas[i].offset != want[i].offset ||
		    got->areas[i].size != want[i].size)
			return false;
	return true;
}

/* Does the 4 KiB granule at @g overlap the MSI-X table or PBA? */
static bool granule_is_msix(const struct barmap_bar_facts *f, u64 g)
{
	unsigned int i;

	for (i = 0; i < BARMAP_MSIX_MAX; i++) {
		const struct barmap_range *r = &f->msix[i];

		if (r->size && r->offset < g + SZ_4K &&
		    g < r->offset + r->size)
			return true;
	}
	return false;
}

/*
 * The rule, spelled out.  msix_mmap=1: every granule of the page inside
 * the BAR is MSI-X.  msix_mmap=0: any granule of it is.
 */
static bool page_is_hole(const struct barmap_bar_facts *f, u64 p)
{
	u64 page = 1ULL << f->page_shift;
	u64 g;

	for (g = p; g < p + page && g < f->size; g += SZ_4K)
		if (granule_is_msix(f, g) != f->msix_mappable)
			return !f->msix_mappable;
	return f->msix_mappable;
}

static bool in_areas(const struct barmap_layout *l, u64 p)
{
	unsigned int i;

	for (i = 0; i < l->nr_areas; i++)
		if (p >= l->areas[i].offset &&
		    p - l->areas[i].offset < l->areas[i].size)
			return true;
	return false;
}

/*
 * The areas must be exactly the non-hole pages.  A page that touches no
 * MSI-X structure always holds a non-MSI-X granule of the BAR, so only the
 * gaps between areas (which must be all holes) and the pages touching MSI-X
 * (which must be holes exactly when they are outside the areas) need a
 * look.  Both sets are small for correct output.
 */
static void check_union(struct __test_metadata *_metadata,
			const struct barmap_bar_facts *f,
			const struct barmap_layout *l, u64 page, u64 limit)
{
	u64 cursor = 0, p;
	unsigned int i;

	for (i = 0; i <= l->nr_areas; i++) {
		u64 gap_end = i < l->nr_areas ? l->areas[i].offset : limit;

		for (p = cursor; p < gap_end; p += page) {
			if (!page_is_hole(f, p))
				TH_LOG("page 0x%llx is mappable but in no area",
				       (unsigned long long)p);
			ASSERT_TRUE(page_is_hole(f, p));
		}
		if (i < l->nr_areas)
			cursor = l->areas[i].offset + l->areas[i].size;
	}

	for (i = 0; i < BARMAP_MSIX_MAX; i++) {
		const struct barmap_range *r = &f->msix[i];

		if (!r->size)
			continue;
		for (p = r->offset & ~(page - 1);
		     p < r->offset + r->size && p < limit; p += page) {
			if (page_is_hole(f, p) == in_areas(l, p))
				TH_LOG("page 0x%llx: hole %d, in an area %d",
				       (unsigned long long)p,
				       page_is_hole(f, p), in_areas(l, p));
			ASSERT_NE(page_is_hole(f, p), in_areas(l, p));
		}
	}
}

/* 1 << ctz64(size), capped: the VA alignment QEMU <= 10.x gives an area. */
static u64 qemu_va_align(u64 size)
{
	u64 align = size & -size;

	return align < VMM_MAX_ALIGN ? align : VMM_MAX_ALIGN;
}

/* next_power_of_two(size), capped: cloud-hypervisor's VA alignment. */
static u64 cloud_hypervisor_va_align(u64 size)
{
	u64 align = 1;

	while (align < size && align < VMM_MAX_ALIGN)
		align <<= 1;
	return align;
}

/*
 * Whenever an area contains a whole physically aligned huge block, a VMM
 * that aligns the area's VA only by the area's size must still get VA and
 * physical address co-aligned at that huge size (up to the 1 GiB the VMMs
 * cap their alignment at).
 */
static void check_huge_alignment(struct __test_metadata *_metadata,
				 const struct barmap_bar_facts *f,
				 const struct barmap_range *area)
{
	unsigned int i;

	for (i = 0; i < 2; i++) {
		u64 huge, pa, first;

		if (!f->huge_shifts[i] || f->huge_shifts[i] >= 63)
			continue;
		huge = 1ULL << f->huge_shifts[i];
		pa = f->phys + area->offset;
		first = (pa + huge - 1) & ~(huge - 1);
		if (first < pa || first - pa + huge > area->size)
			continue;	/* no whole block in this area */

		EXPECT_EQ(0ULL, pa & (huge - 1)) {
			TH_LOG("area 0x%llx: huge block inside, unaligned start",
			       (unsigned long long)area->offset);
		}
		EXPECT_EQ(0ULL, area->size & (huge - 1)) {
			TH_LOG("area 0x%llx: huge block inside, ragged size",
			       (unsigned long long)area->offset);
		}
		if (huge > VMM_MAX_ALIGN)
			continue;
		EXPECT_EQ(0ULL, qemu_va_align(area->size) & (huge - 1));
		EXPECT_EQ(0ULL, cloud_hypervisor_va_align(area->size) &
				(huge - 1));
	}
}

static void check_invariants(struct __test_metadata *_metadata,
			     const struct barmap_bar_facts *f,
			     const struct barmap_layout *l)
{
	u64 page = 1ULL << f->page_shift;
	u64 limit = (f->size + page - 1) & ~(page - 1);
	unsigned int i;

	ASSERT_LE(l->nr_areas, (unsigned int)BARMAP_MAX_AREAS);
	if (!f->mmap_ok) {
		ASSERT_EQ(0U, l->nr_areas);
		return;
	}

	for (i = 0; i < l->nr_areas; i++) {
		const struct barmap_range *a = &l->areas[i];

		ASSERT_NE(0ULL, a->size);
		ASSERT_EQ(0ULL, a->offset & (page - 1));
		ASSERT_EQ(0ULL, a->size & (page - 1));
		ASSERT_LT(a->offset, limit);
		ASSERT_LE(a->size, limit - a->offset);
		if (i)
			ASSERT_LE(l->areas[i - 1].offset +
				  l->areas[i - 1].size, a->offset);
		check_huge_alignment(_metadata, f, a);
	}

	check_union(_metadata, f, l, page, limit);
}

TEST_F(layout, areas)
{
	struct barmap_layout *got = &self->got;
	int ret;

	/* Garbage in, so that a missing reset of nr_areas or whole shows. */
	memset(got, 0xa5, sizeof(*got));

	ret = barmap_layout_compute(&variant->facts, got);
	ASSERT_EQ(variant->ret, ret);
	ASSERT_FALSE(got->whole);
	if (ret) {
		ASSERT_EQ(0U, got->nr_areas);
		return;
	}

	if (!same_areas(variant->areas, variant->nr_areas, got)) {
		log_areas(_metadata, "expected", variant->areas,
			  variant->nr_areas);
		log_areas(_metadata, "got", got->areas, got->nr_areas);
	}
	EXPECT_TRUE(same_areas(variant->areas, variant->nr_areas, got));

	check_invariants(_metadata, &variant->facts, got);
}

TEST_F(policy, holes_cost)
{
	struct barmap_layout *layout = &self->layout;
	u64 page = 1ULL << variant->facts.page_shift;

	ASSERT_EQ(0, barmap_layout_compute(&variant->facts, layout));
	EXPECT_EQ(variant->whole,
		  barmap_layout_holes_cost(&variant->facts, layout));
	if (!variant->whole)
		return;

	barmap_layout_whole(&variant->facts, layout);
	EXPECT_TRUE(layout->whole);
	ASSERT_EQ(1U, layout->nr_areas);
	EXPECT_EQ(0ULL, layout->areas[0].offset);
	EXPECT_EQ((variant->facts.size + page - 1) & ~(page - 1),
		  layout->areas[0].size);
}

TEST_F(range, covers_and_in_one_area)
{
	EXPECT_EQ(variant->covers,
		  barmap_layout_covers(&variant->layout, variant->offset,
				       variant->len));
	EXPECT_EQ(variant->in_one_area,
		  barmap_layout_in_one_area(&variant->layout, variant->offset,
					    variant->len));
}

TEST_F(subpage, mmap_allowed)
{
	EXPECT_EQ(variant->allowed,
		  barmap_subpage_mmap_allowed(variant->page_reserved,
					      variant->core_maps_bars));
}

TEST_HARNESS_MAIN
