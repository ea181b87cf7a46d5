// SPDX-License-Identifier: GPL-2.0-only
/*
 * Page-granular mmap layout of one PCI BAR.
 *
 * The areas returned here become the SPARSE_MMAP capability of the BAR
 * region, or, for a BAR holding MSI-X while its pages may be mapped, give
 * way to one area over the whole BAR (barmap_layout_holes_cost()).  Two
 * things shape them:
 *
 *  - MSI-X: the PCIe spec gives the MSI-X table and the PBA their own
 *    4 KiB ranges, so only a host page made of nothing but those ranges
 *    is left out.  A bigger page that also holds other registers stays
 *    mappable; the driver advertises MSIX_MAPPABLE for it.  Without
 *    MSIX_MAPPABLE (msix_mmap=0) every page holding either is left out.
 *
 *  - Huge faults: VMMs choose the VA of each area and align it only to a
 *    power of two derived from the area's size, never from its offset.
 *    Cutting every run of pages at the huge-page boundaries of the
 *    physical address makes each piece start on the boundary its size
 *    advertises, so VA and PA end up co-aligned and PMD/PUD faults work.
 */

#include <linux/align.h>
#include <linux/errno.h>
#include <linux/export.h>
#include <linux/minmax.h>
#include <linux/overflow.h>
#include <linux/types.h>
#include <kunit/visibility.h>

#include "layout.h"

#define BARMAP_PAGE_SHIFT_MIN	12
#define BARMAP_PAGE_SHIFT_MAX	30

/* A half-open range [start, end) of BAR offsets. */
struct barmap_span {
	u64 start;
	u64 end;
};

static bool page_shift_valid(unsigned int page_shift)
{
	return page_shift >= BARMAP_PAGE_SHIFT_MIN &&
	       page_shift <= BARMAP_PAGE_SHIFT_MAX;
}

static bool huge_shift_valid(unsigned int shift, unsigned int below)
{
	return shift > below && shift < 64;
}

/*
 * 0 in either slot means that huge size is not available.  The sizes that
 * are given must be bigger than a page (a "huge" page no bigger than a
 * page would cut every run into single pages), increase, and fit a u64
 * shift.
 */
static bool huge_shifts_valid(const struct barmap_bar_facts *facts)
{
	unsigned int small = facts->huge_shifts[0];
	unsigned int large = facts->huge_shifts[1];

	if (small && !huge_shift_valid(small, facts->page_shift))
		return false;
	if (large && !huge_shift_valid(large, small ? small : facts->page_shift))
		return false;
	return true;
}

static bool facts_valid(const struct barmap_bar_facts *facts)
{
	u64 page, end;

	if (!facts->size || !page_shift_valid(facts->page_shift) ||
	    !huge_shifts_valid(facts))
		return false;

	page = 1ULL << facts->page_shift;

	/*
	 * Everything below works on [0, ALIGN(size, page)) and on physical
	 * addresses up to phys + ALIGN(size, page): neither may wrap.
	 */
	if (check_add_overflow(facts->size, page - 1, &end) ||
	    check_add_overflow(facts->phys, ALIGN(facts->size, page), &end))
		return false;

	/*
	 * A sub-page BAR may sit anywhere inside its page; whether that page
	 * may be mapped at all is the caller's call (mmap_ok).  Anything
	 * bigger must start on a page or the areas would not be pages.
	 */
	return facts->size < page || IS_ALIGNED(facts->phys, page);
}

/*
 * The part of an MSI-X structure that lies inside the BAR.  Some devices
 * declare one that runs past the BAR's end (Chelsio T5 VFs put their PBA
 * beyond their 8 KiB BAR): nothing of the BAR is there to protect, and
 * vfio-pci-core keeps mmap for such a BAR, so the rest is ignored.
 * Returns false if nothing is left.
 */
static bool msix_span_in_bar(const struct barmap_range *range, u64 bar_size,
			     struct barmap_span *span)
{
	u64 end;

	if (!range->size || range->offset >= bar_size)
		return false;
	if (check_add_overflow(range->offset, range->size, &end))
		end = bar_size;
	span->start = range->offset;
	span->end = min(end, bar_size);
	return true;
}

/*
 * Collect the MSI-X structures inside the BAR widened to whole @granule
 * units, sorted and with touching or overlapping ranges merged: a page
 * can be covered by the table and the PBA together, so coverage has to
 * be judged on the union.  Returns the number of spans written.
 */
static unsigned int msix_granule_spans(const struct barmap_bar_facts *facts,
				       u64 granule, struct barmap_span *spans)
{
	unsigned int i, nr = 0;

	for (i = 0; i < BARMAP_MSIX_MAX; i++) {
		struct barmap_span span;

		if (!msix_span_in_bar(&facts->msix[i], facts->size, &span))
			continue;
		spans[nr].start = ALIGN_DOWN(span.start, granule);
		spans[nr].end = ALIGN(span.end, granule);
		nr++;
	}

	if (nr == 2 && spans[1].start < spans[0].start) {
		struct barmap_span tmp = spans[0];

		spans[0] = spans[1];
		spans[1] = tmp;
	}

	if (nr == 2 && spans[1].start <= spans[0].end) {
		spans[0].end = max(spans[0].end, spans[1].end);
		nr = 1;
	}

	return nr;
}

/*
 * Turn the MSI-X spans into runs of hole pages, sorted.
 *
 * With @facts->msix_mappable, a page is a hole when all of it that lies
 * inside the BAR is covered by one span of 4 KiB granules: a page shared
 * with other registers stays mappable (MSIX_MAPPABLE says so).  Granules
 * of the last page beyond the BAR end do not count, so a span that
 * reaches the end of the BAR's last granule swallows that page whole.
 *
 * Without it, every page that holds any byte of a span is a hole, on
 * every page size: the spans are widened to whole pages instead.
 *
 * Returns the number of non-empty holes written.
 */
static unsigned int msix_hole_pages(const struct barmap_bar_facts *facts,
				    u64 page, u64 limit,
				    struct barmap_span *holes)
{
	u64 granule = facts->msix_mappable ? BARMAP_MSIX_GRANULE : page;
	u64 bar_granules_end = ALIGN(facts->size, granule);
	struct barmap_span spans[BARMAP_MSIX_MAX];
	unsigned int i, nr_spans, nr = 0;

	nr_spans = msix_granule_spans(facts, granule, spans);

	for (i = 0; i < nr_spans; i++) {
		u64 start = ALIGN(spans[i].start, page);
		u64 end;

		if (spans[i].end >= bar_granules_end)
			end = limit;
		else
			end = ALIGN_DOWN(spans[i].end, page);

		if (start < end) {
			holes[nr].start = start;
			holes[nr].end = end;
			nr++;
		}
	}

	return nr;
}

static void add_area(struct barmap_layout *layout, u64 start, u64 end)
{
	struct barmap_range *area;

	if (start >= end)
		return;

	/*
	 * Cannot trigger: at most three runs of at most five pieces each
	 * fill BARMAP_MAX_AREAS exactly.  Never write past the array anyway.
	 */
	if (layout->nr_areas >= BARMAP_MAX_AREAS)
		return;

	area = &layout->areas[layout->nr_areas++];
	area->offset = start;
	area->size = end - start;
}

/*
 * Find the first and last @huge boundaries of the physical address inside
 * the run [@start, @end) of BAR offsets.  Returns true, with the boundaries
 * as BAR offsets, only if at least one whole @huge block fits between them.
 * A @huge of 0 (size not available) finds nothing.
 *
 * Works down from the end so that nothing is rounded up past the run:
 * phys + end is known not to wrap, ALIGN(phys + start, huge) might.
 */
static bool huge_blocks_in_run(u64 phys, u64 start, u64 end, u64 huge,
			       u64 *first, u64 *last)
{
	u64 run_start = phys + start;
	u64 last_boundary;

	if (!huge)
		return false;

	last_boundary = ALIGN_DOWN(phys + end, huge);
	if (last_boundary < run_start || last_boundary - run_start < huge)
		return false;

	*first = ALIGN(run_start, huge) - phys;
	*last = last_boundary - phys;
	return true;
}

/*
 * Cut [@start, @end) at its first and last @huge boundaries: a head below
 * the first boundary, a middle made of whole @huge blocks, a tail above
 * the last boundary.  A run without a whole block stays in one piece.
 */
static void split_at_huge(struct barmap_layout *layout, u64 phys,
			  u64 start, u64 end, u64 huge)
{
	u64 first, last;

	if (!huge_blocks_in_run(phys, start, end, huge, &first, &last)) {
		add_area(layout, start, end);
		return;
	}

	add_area(layout, start, first);
	add_area(layout, first, last);
	add_area(layout, last, end);
}

/*
 * Split one run of mappable pages: whole blocks of the larger huge size
 * become one area, what is left on either side is split at the smaller
 * huge size.  A size of 0 makes no cut.  At most five pieces.
 */
static void split_run(struct barmap_layout *layout, u64 phys,
		      u64 start, u64 end, u64 huge_small, u64 huge_large)
{
	u64 first, last;

	if (!huge_blocks_in_run(phys, start, end, huge_large, &first, &last)) {
		split_at_huge(layout, phys, start, end, huge_small);
		return;
	}

	split_at_huge(layout, phys, start, first, huge_small);
	add_area(layout, first, last);
	split_at_huge(layout, phys, last, end, huge_small);
}

static u64 huge_size(unsigned int shift)
{
	return shift ? 1ULL << shift : 0;
}

/**
 * barmap_layout_compute() - compute the mmap areas of one BAR
 * @facts: size, physical address, page and huge-page sizes, MSI-X placement
 * @layout: filled with the areas, sorted by offset and disjoint
 *
 * Areas are whole pages inside [0, ALIGN(size, page)), excluding pages
 * that hold nothing of the BAR but MSI-X granules, and cut at the
 * physical huge-page boundaries of @facts->huge_shifts.  A BAR that may
 * not be mmapped gets no areas.  Pure arithmetic: callable in any context.
 *
 * Return: 0 on success (possibly with no areas), -EINVAL if @facts are
 * inconsistent, in which case @layout has no areas.
 */
int barmap_layout_compute(const struct barmap_bar_facts *facts,
			  struct barmap_layout *layout)
{
	struct barmap_span holes[BARMAP_MSIX_MAX];
	u64 page, limit, cursor, huge_small, huge_large;
	unsigned int i, nr_holes;

	layout->nr_areas = 0;
	layout->whole = false;

	if (!facts_valid(facts))
		return -EINVAL;
	if (!facts->mmap_ok)
		return 0;

	page = 1ULL << facts->page_shift;
	limit = ALIGN(facts->size, page);
	huge_small = huge_size(facts->huge_shifts[0]);
	huge_large = huge_size(facts->huge_shifts[1]);

	nr_holes = msix_hole_pages(facts, page, limit, holes);

	cursor = 0;
	for (i = 0; i < nr_holes; i++) {
		if (cursor < holes[i].start)
			split_run(layout, facts->phys, cursor, holes[i].start,
				  huge_small, huge_large);
		cursor = holes[i].end;
	}
	if (cursor < limit)
		split_run(layout, facts->phys, cursor, limit,
			  huge_small, huge_large);

	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(barmap_layout_compute);

/**
 * barmap_layout_holes_cost() - whether a BAR holding MSI-X is better
 *	answered as vfio-pci answers it
 * @facts: the facts @layout was computed from
 * @layout: a layout from barmap_layout_compute()
 *
 * With MSI-X pages mappable (MSIX_MAPPABLE), vfio-pci answers a BAR as one
 * mapping, and every VMM lays its own MSI-X emulation over it or carves
 * the MSI-X pages out itself: neither a hole nor a SPARSE_MMAP list gives
 * a VMM anything it would not have from vfio-pci.  Each costs some VMM
 * something:
 *
 *  - QEMU keeps its PBA overlay off until a masked vector is pending, so
 *    its guest reads the PBA's page directly, and with the iommufd
 *    backend maps it into the IOAS; a hole traps the one and drops the
 *    other;
 *  - crosvm registers the areas of a SPARSE_MMAP capability, then the
 *    whole BAR for MSIX_MAPPABLE, which KVM refuses as an overlap: it
 *    maps the areas only, and counts a refused memory slot even where
 *    the one area is the whole BAR;
 *  - holes that leave the BAR in more than one area cost it P2P under
 *    QEMU 11 with iommufd (one dma-buf per BAR, a range per area, and
 *    iommufd imports one range only);
 *  - a hole in a huge block inside the BAR splits the PMD or PUD entry
 *    vfio-pci's mapping takes there.
 *
 * Without @facts->msix_mappable the holes are what the user asked for.
 * A BAR with no area (MSI-X in every page) is answered as vfio-pci
 * answers it already, and a BAR without MSI-X keeps its areas.  MSI-X
 * declared in the BAR counts even where it lies past the BAR's end:
 * REGION_INFO adds MSIX_MAPPABLE for it all the same, and a list beside
 * that capability is what costs crosvm its memory slot.
 *
 * "As vfio-pci answers it" but for MSIX_MAPPABLE, which barmap gives any
 * BAR holding the table or the PBA, and vfio-pci the table's BAR only.
 *
 * Return: true if the BAR is better answered as vfio-pci answers it.
 */
bool barmap_layout_holes_cost(const struct barmap_bar_facts *facts,
			      const struct barmap_layout *layout)
{
	unsigned int i;

	if (!facts->msix_mappable || !layout->nr_areas || !facts_valid(facts))
		return false;

	for (i = 0; i < BARMAP_MSIX_MAX; i++)
		if (facts->msix[i].size)
			return true;
	return false;
}
EXPORT_SYMBOL_IF_KUNIT(barmap_layout_holes_cost);

/**
 * barmap_layout_whole() - make a layout one area over the whole BAR
 * @facts: the BAR; its facts must be valid
 * @layout: overwritten with the one area [0, ALIGN(size, page))
 *
 * What vfio-pci lets userspace map: REGION_INFO then has no SPARSE_MMAP
 * capability (@layout->whole), and a huge fault may take any block of
 * the BAR, MSI-X pages included, as under vfio-pci.
 */
void barmap_layout_whole(const struct barmap_bar_facts *facts,
			 struct barmap_layout *layout)
{
	layout->nr_areas = 1;
	layout->areas[0].offset = 0;
	layout->areas[0].size = ALIGN(facts->size, 1ULL << facts->page_shift);
	layout->whole = true;
}
EXPORT_SYMBOL_IF_KUNIT(barmap_layout_whole);

/**
 * barmap_layout_covers() - whether a range lies inside the advertised areas
 * @layout: a layout from barmap_layout_compute()
 * @offset: start of the range, relative to the BAR
 * @len: length of the range; 0 is never covered
 *
 * The range may span several areas as long as they are adjacent: areas
 * split at huge-page boundaries are one mapping to userspace.
 *
 * Return: true if every byte of the range lies in an area.
 */
bool barmap_layout_covers(const struct barmap_layout *layout, u64 offset,
			  u64 len)
{
	u64 cursor = offset, end;
	unsigned int i;

	if (!len || check_add_overflow(offset, len, &end))
		return false;

	for (i = 0; i < layout->nr_areas && cursor < end; i++) {
		const struct barmap_range *area = &layout->areas[i];

		if (area->offset <= cursor && cursor - area->offset < area->size)
			cursor = area->offset + area->size;
	}
	return cursor >= end;
}
EXPORT_SYMBOL_IF_KUNIT(barmap_layout_covers);

/**
 * barmap_layout_in_one_area() - whether a range lies inside a single area
 * @layout: a layout from barmap_layout_compute()
 * @offset: start of the range, relative to the BAR
 * @len: length of the range; 0 is never inside
 *
 * A huge mapping may only be inserted for a range that one area holds
 * whole: it must never reach an MSI-X hole.
 *
 * Return: true if one area holds the whole range.
 */
bool barmap_layout_in_one_area(const struct barmap_layout *layout, u64 offset,
			       u64 len)
{
	unsigned int i;
	u64 end;

	if (!len || check_add_overflow(offset, len, &end))
		return false;

	for (i = 0; i < layout->nr_areas; i++) {
		const struct barmap_range *area = &layout->areas[i];

		if (area->offset <= offset && end - area->offset <= area->size)
			return true;
	}
	return false;
}
EXPORT_SYMBOL_IF_KUNIT(barmap_layout_in_one_area);
