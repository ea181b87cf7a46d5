// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the page-granular mmap layout of a BAR (layout.c).
 *
 * The cases are layout_cases.h's, the table the host-side unit tests
 * under tools/testing/selftests run as well: each is a BAR (size,
 * address, page and huge sizes, MSI-X table and PBA) with the layout,
 * policy or answer derived by hand beside it.
 */

#include <kunit/test.h>
#include <linux/align.h>
#include <linux/errno.h>
#include <linux/module.h>
#include <linux/sizes.h>
#include <linux/string.h>

#include "layout.h"

/*
 * A row of each kind of layout_cases.h (KIND_CASE(name, { ... }): the
 * braces initialize .row), named.
 */
struct barmap_layout_case {
	const char *name;
	struct {
		struct barmap_bar_facts facts;
		int ret;
		unsigned int nr_areas;
		struct barmap_range areas[BARMAP_MAX_AREAS];
	} row;
};

struct barmap_policy_case {
	const char *name;
	struct {
		struct barmap_bar_facts facts;
		bool whole;
	} row;
};

struct barmap_range_case {
	const char *name;
	struct {
		struct barmap_layout layout;
		u64 offset;
		u64 len;
		bool covers;
		bool in_one_area;
	} row;
};

struct barmap_subpage_case {
	const char *name;
	struct {
		bool page_reserved;
		bool core_maps_bars;
		bool allowed;
	} row;
};

/*
 * One array per kind of row: the table is included once for each, with
 * only that kind's macro defined (the table leaves the others out).
 */
#define BARMAP_CASE_ROW(_name, ...)	{ .name = #_name, .row = __VA_ARGS__ },

#define BARMAP_LAYOUT_CASE	BARMAP_CASE_ROW
static const struct barmap_layout_case barmap_layout_cases[] = {
#include "layout_cases.h"
};

#define BARMAP_POLICY_CASE	BARMAP_CASE_ROW
static const struct barmap_policy_case barmap_policy_cases[] = {
#include "layout_cases.h"
};

#define BARMAP_RANGE_CASE	BARMAP_CASE_ROW
static const struct barmap_range_case barmap_range_cases[] = {
#include "layout_cases.h"
};

#define BARMAP_SUBPAGE_CASE	BARMAP_CASE_ROW
static const struct barmap_subpage_case barmap_subpage_cases[] = {
#include "layout_cases.h"
};

KUNIT_ARRAY_PARAM_DESC(barmap_layout, barmap_layout_cases, name);
KUNIT_ARRAY_PARAM_DESC(barmap_policy, barmap_policy_cases, name);
KUNIT_ARRAY_PARAM_DESC(barmap_range, barmap_range_cases, name);
KUNIT_ARRAY_PARAM_DESC(barmap_subpage, barmap_subpage_cases, name);

static void barmap_layout_test_areas(struct kunit *test)
{
	const struct barmap_layout_case *c = test->param_value;
	struct barmap_layout *got;
	unsigned int i;

	got = kunit_kmalloc(test, sizeof(*got), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, got);
	/* Garbage in, so that a missing reset of nr_areas or whole shows. */
	memset(got, 0xa5, sizeof(*got));

	KUNIT_ASSERT_EQ(test, c->row.ret,
			barmap_layout_compute(&c->row.facts, got));
	KUNIT_EXPECT_FALSE(test, got->whole);
	if (c->row.ret) {
		KUNIT_EXPECT_EQ(test, 0U, got->nr_areas);
		return;
	}

	KUNIT_ASSERT_EQ(test, c->row.nr_areas, got->nr_areas);
	for (i = 0; i < c->row.nr_areas; i++) {
		KUNIT_EXPECT_EQ_MSG(test, c->row.areas[i].offset,
				    got->areas[i].offset, "area %u", i);
		KUNIT_EXPECT_EQ_MSG(test, c->row.areas[i].size,
				    got->areas[i].size, "area %u", i);
	}
}

static void barmap_layout_test_holes_cost(struct kunit *test)
{
	const struct barmap_policy_case *c = test->param_value;
	const struct barmap_bar_facts *facts = &c->row.facts;
	u64 page = 1ULL << facts->page_shift;
	struct barmap_layout *layout;

	layout = kunit_kzalloc(test, sizeof(*layout), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, layout);

	KUNIT_ASSERT_EQ(test, 0, barmap_layout_compute(facts, layout));
	KUNIT_EXPECT_EQ(test, c->row.whole,
			barmap_layout_holes_cost(facts, layout));
	if (!c->row.whole)
		return;

	barmap_layout_whole(facts, layout);
	KUNIT_EXPECT_TRUE(test, layout->whole);
	KUNIT_ASSERT_EQ(test, 1U, layout->nr_areas);
	KUNIT_EXPECT_EQ(test, 0ULL, layout->areas[0].offset);
	KUNIT_EXPECT_EQ(test, ALIGN(facts->size, page), layout->areas[0].size);
}

static void barmap_layout_test_covers(struct kunit *test)
{
	const struct barmap_range_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, c->row.covers,
			barmap_layout_covers(&c->row.layout, c->row.offset,
					     c->row.len));
	KUNIT_EXPECT_EQ(test, c->row.in_one_area,
			barmap_layout_in_one_area(&c->row.layout,
						  c->row.offset, c->row.len));
}

static void barmap_layout_test_subpage_mmap(struct kunit *test)
{
	const struct barmap_subpage_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, c->row.allowed,
			barmap_subpage_mmap_allowed(c->row.page_reserved,
						    c->row.core_maps_bars));
}

static struct kunit_case barmap_layout_test_cases[] = {
	KUNIT_CASE_PARAM(barmap_layout_test_areas, barmap_layout_gen_params),
	KUNIT_CASE_PARAM(barmap_layout_test_holes_cost,
			 barmap_policy_gen_params),
	KUNIT_CASE_PARAM(barmap_layout_test_covers, barmap_range_gen_params),
	KUNIT_CASE_PARAM(barmap_layout_test_subpage_mmap,
			 barmap_subpage_gen_params),
	{}
};

static struct kunit_suite barmap_layout_test_suite = {
	.name = "barmap_layout",
	.test_cases = barmap_layout_test_cases,
};

kunit_test_suite(barmap_layout_test_suite);

MODULE_DESCRIPTION("KUnit tests for the BAR layout of barmap-vfio-pci");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");
