// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VMMs' rules for mapping a BAR; see consumers.h.  Each restates the
 * upstream code it names (QEMU 7.2, 10.0.13 and 11.1.3 as Debian ships
 * them; cloud-hypervisor's main branch of 2026; crosvm's main branch;
 * Firecracker's VFIO support of 2026; DPDK's main branch).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "consumers.h"
#include "vfio_util.h"

const char *consumer_name(enum consumer c)
{
	static const char *const names[CONSUMER_NR] = {
		[CONSUMER_QEMU_7_2] = "qemu-7.2",
		[CONSUMER_QEMU_10_0] = "qemu-10.0",
		[CONSUMER_QEMU_11_1] = "qemu-11.1",
		[CONSUMER_CLOUD_HV] = "cloud-hv",
		[CONSUMER_CROSVM] = "crosvm",
		[CONSUMER_FIRECRACKER] = "firecracker",
		[CONSUMER_DPDK] = "dpdk",
	};

	return c < CONSUMER_NR ? names[c] : "?";
}

static uint64_t align_down(uint64_t x, uint64_t a)
{
	return x & ~(a - 1);
}

static uint64_t align_up(uint64_t x, uint64_t a)
{
	return (x + a - 1) & ~(a - 1);
}

/* The order of SPARSE_MMAP and MSIX_MAPPABLE in the chain. */
static void read_caps(const struct vfio_region_info *info,
		      struct consumer_bar *bar)
{
	const struct vfio_info_cap_header *hdr;
	uint32_t off = info->flags & VFIO_REGION_INFO_FLAG_CAPS ?
		       info->cap_offset : 0;
	unsigned int guard = 0;

	for (; off && off + sizeof(*hdr) <= info->argsz && guard++ < 64;
	     off = hdr->next) {
		hdr = (const void *)((const char *)info + off);
		if (hdr->id == VFIO_REGION_INFO_CAP_SPARSE_MMAP) {
			bar->sparse_first = !bar->msix_mappable;
			bar->sparse = true;
		} else if (hdr->id == VFIO_REGION_INFO_CAP_MSIX_MAPPABLE) {
			bar->msix_mappable = true;
		}
	}
}

int consumer_bar_load(struct consumer_bar *bar, int fd, unsigned int index,
		      const char *bdf)
{
	struct vfio_region_sparse_mmap_area areas[VMM_MAX_AREAS];
	struct vfio_region_info *info;
	struct bar_resource res;
	unsigned int i;

	memset(bar, 0, sizeof(*bar));
	if (index > VFIO_PCI_BAR5_REGION_INDEX || bar_resource(bdf, index, &res) ||
	    !(res.flags & BAR_IORESOURCE_MEM))
		return -ENODEV;
	info = vfio_region_info(fd, index);
	if (!info)
		return -errno;
	bar->flags = info->flags;
	bar->size = info->size;
	bar->phys = res.start;
	bar->page = sysconf(_SC_PAGESIZE);
	bar->pmd = barmap_huge_size("pmd");
	bar->pud = barmap_huge_size("pud");
	bar->mem64 = res.flags & BAR_IORESOURCE_MEM_64;
	read_caps(info, bar);
	if (bar->sparse) {
		const struct vfio_region_info_cap_sparse_mmap *sparse =
			(const void *)vfio_region_cap(info,
					VFIO_REGION_INFO_CAP_SPARSE_MMAP);

		if (sparse->nr_areas > VMM_MAX_AREAS) {
			free(info);
			return -E2BIG;
		}
		bar->nr_sparse = vfio_mmap_areas(info, areas, VMM_MAX_AREAS);
		for (i = 0; i < bar->nr_sparse; i++) {
			bar->sparse_areas[i].offset = areas[i].offset;
			bar->sparse_areas[i].size = areas[i].size;
		}
	}
	free(info);
	bar_msix_ranges(bdf, index, bar->msix_start, bar->msix_end);
	bar->msix_here = bar->msix_end[0] > bar->msix_start[0] ||
			 bar->msix_end[1] > bar->msix_start[1];
	return 0;
}

/* The VMM fails to set the device up: nothing of the BAR is mapped. */
static void reject(struct consumer_view *v)
{
	memset(v, 0, sizeof(*v));
}

/* Order two ranges [s[i], e[i]) by start. */
static void sort_two(uint64_t s[2], uint64_t e[2])
{
	uint64_t t;

	if (s[1] >= s[0])
		return;
	t = s[0];
	s[0] = s[1];
	s[1] = t;
	t = e[0];
	e[0] = e[1];
	e[1] = t;
}

static void map_add(struct consumer_view *v, uint64_t offset, uint64_t size)
{
	if (size && v->maps < VMM_MAX_AREAS * 2) {
		v->map[v->maps].offset = offset;
		v->map[v->maps++].size = size;
	}
}

/*
 * The VA alignment a VMM gives the mapping of @area, and the offset of
 * the area from the aligned base: co-alignment for a huge size H is
 * guaranteed when H <= the alignment and (offset from base - BAR offset
 * - phys) % H == 0.
 */
struct va_rule {
	uint64_t align;
	uint64_t base_off;
};

static struct va_rule va_rule(enum consumer c, const struct consumer_bar *bar,
			      const struct vmm_area *area)
{
	struct va_rule r = { .align = bar->page, .base_off = 0 };

	switch (c) {
	case CONSUMER_QEMU_10_0:
		/* hw/vfio/region.c vfio_region_mmap(): per area, offset ignored */
		r.align = vmm_va_align(VMM_QEMU_AREA, bar->size, area->size);
		break;
	case CONSUMER_QEMU_11_1:
		/* one reservation for the region, areas MAP_FIXED at offsets */
		r.align = vmm_va_align(VMM_QEMU_REGION, bar->size, area->size);
		r.base_off = area->offset;
		break;
	case CONSUMER_CLOUD_HV:
		/* pci/src/mmap.rs MmapRegion: next_power_of_two(len) */
		r.align = vmm_va_align(VMM_CLOUD_HV, bar->size, area->size);
		break;
	default:
		/* QEMU 7.2, crosvm, Firecracker, DPDK: no alignment asked */
		break;
	}
	if (r.align < bar->page)
		r.align = bar->page;
	return r;
}

static bool block_allowed(const struct consumer_bar *bar, struct va_rule r,
			  const struct vmm_area *area, uint64_t x, uint64_t huge)
{
	uint64_t va_minus_pa = r.base_off - (bar->phys + area->offset);

	return huge && huge <= r.align && !(x % huge) &&
	       !(va_minus_pa % huge) && x >= bar->phys + area->offset &&
	       x + huge <= bar->phys + area->offset + area->size;
}

/* Whether the page at BAR offset @off lies in a memory slot of @v. */
static bool in_slots(const struct vmm_area *slots, unsigned int nr,
		     uint64_t off)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		if (off >= slots[i].offset &&
		    off - slots[i].offset < slots[i].size)
			return true;
	return false;
}

/*
 * The fewest entries that map every page of @slots inside the mapping
 * @area: a PUD or PMD block where it lies in the mapping and VA and PA
 * agree modulo its size, else a page.  A block may cover a trapped page
 * between two slots, as the kernel's fault handler would.
 */
static uint64_t fewest_entries(enum consumer c, const struct consumer_bar *bar,
			       const struct vmm_area *area,
			       const struct vmm_area *slots, unsigned int nr)
{
	struct va_rule r = va_rule(c, bar, area);
	uint64_t x = bar->phys + area->offset, end = x + area->size;
	uint64_t n = 0, step, huge;

	while (x < end) {
		step = bar->page;
		huge = 0;
		if (block_allowed(bar, r, area, x, bar->pud))
			huge = bar->pud;
		else if (block_allowed(bar, r, area, x, bar->pmd))
			huge = bar->pmd;
		if (huge) {
			uint64_t off;

			for (off = x - bar->phys; off < x - bar->phys + huge;
			     off += bar->page)
				if (in_slots(slots, nr, off))
					break;
			if (off < x - bar->phys + huge)
				n++;
			step = huge;
		} else if (in_slots(slots, nr, x - bar->phys)) {
			n++;
		}
		x += step;
	}
	return n;
}

/*
 * [@start, @end) minus the MSI-X table, which QEMU's MSI-X emulation lays
 * over the BAR (msix_init()); the PBA's overlay is off but while a masked
 * vector is pending (vfio_msix_setup() disables it, hw/vfio/pci.c), so
 * the PBA stays direct.  Pieces in whole host pages, as
 * accel/kvm/kvm-all.c kvm_align_section() gives them memory slots.
 */
static unsigned int qemu_pieces(const struct consumer_bar *bar, uint64_t start,
				uint64_t end, struct vmm_area *out)
{
	uint64_t ts = bar->msix_start[0], te = bar->msix_end[0];
	uint64_t cut[2] = { start, end }, cut_end[2] = { end, end };
	unsigned int i, n = 0;

	if (te > ts && te > start && ts < end) {
		cut_end[0] = ts > start ? ts : start;
		cut[1] = te < end ? te : end;
	}
	for (i = 0; i < 2; i++) {
		uint64_t s = align_up(cut[i], bar->page);
		uint64_t e = align_down(cut_end[i], bar->page);

		if (e > s) {
			out[n].offset = s;
			out[n++].size = e - s;
		}
	}
	return n;
}

/* Whether [@a, @a + @as) and [@b, @b + @bs) overlap. */
static bool overlap(uint64_t a, uint64_t as, uint64_t b, uint64_t bs)
{
	return a < b + bs && b < a + as;
}

/* Whether mmap() of @a at its offset in @bar succeeds: vfio-pci-core's rule. */
static bool mmap_ok(const struct consumer_bar *bar, const struct vmm_area *a)
{
	return a->size && !(a->offset & (bar->page - 1)) &&
	       a->offset + align_up(a->size, bar->page) <=
	       align_up(bar->size, bar->page);
}

/* Sort @m by offset and merge the areas that overlap into one. */
static void merge_overlaps(struct vmm_area *m, unsigned int *nr)
{
	unsigned int i, j, n = 0;
	struct vmm_area t;

	for (i = 1; i < *nr; i++)
		for (j = i; j && m[j].offset < m[j - 1].offset; j--) {
			t = m[j];
			m[j] = m[j - 1];
			m[j - 1] = t;
		}
	for (i = 0; i < *nr; i++) {
		if (n && overlap(m[n - 1].offset, m[n - 1].size, m[i].offset,
				 m[i].size)) {
			uint64_t e = m[i].offset + m[i].size;

			if (e > m[n - 1].offset + m[n - 1].size)
				m[n - 1].size = e - m[n - 1].offset;
			continue;
		}
		m[n++] = m[i];
	}
	*nr = n;
}

static bool any_overlap(const struct vmm_area *m, unsigned int nr)
{
	unsigned int i, j;

	for (i = 1; i < nr; i++)
		for (j = 0; j < i; j++)
			if (overlap(m[i].offset, m[i].size, m[j].offset,
				    m[j].size))
				return true;
	return false;
}

/* Slots, direct bytes and entries of QEMU's mapping @a, and of the BAR. */
static void qemu_account(enum consumer c, const struct consumer_bar *bar,
			 const struct vmm_area *a, struct consumer_view *v)
{
	struct vmm_area pieces[2];
	unsigned int j, n;

	n = qemu_pieces(bar, a->offset, a->offset + a->size, pieces);
	for (j = 0; j < n; j++)
		v->direct += pieces[j].size;
	v->slots += n;
	v->entries += fewest_entries(c, bar, a, pieces, n);
}

/*
 * QEMU: hw/vfio/region.c vfio_setup_region_sparse_mmaps() takes the
 * SPARSE_MMAP areas (skipping empty ones), else one area of the region;
 * hw/vfio/pci.c vfio_pci_fixup_msix_region() carves the table's pages
 * out of a lone whole-region area only without MSIX_MAPPABLE; 11.x fails
 * device setup on overlapping areas, earlier releases let the later
 * RAM-device region win.  vfio_region_mmap() unmaps every area if one
 * mmap() fails, and the BAR is trapped.  Each area is one RAM-device
 * region under the MSI-X table's overlay (qemu_pieces()), except that
 * vfio_sub_page_bar_update_mapping() grows a lone region-sized sub-page
 * area to a page.
 */
static void qemu_view(enum consumer c, const struct consumer_bar *bar,
		      struct consumer_view *v)
{
	unsigned int i;

	v->accepted = true;
	if (!(bar->flags & VFIO_REGION_INFO_FLAG_MMAP))
		return;
	if (bar->sparse) {
		for (i = 0; i < bar->nr_sparse; i++)
			map_add(v, bar->sparse_areas[i].offset,
				bar->sparse_areas[i].size);
	} else {
		map_add(v, 0, bar->size);
	}
	if (!bar->msix_mappable && bar->msix_end[0] > bar->msix_start[0] &&
	    v->maps == 1 && !v->map[0].offset && v->map[0].size == bar->size) {
		uint64_t s = align_down(bar->msix_start[0], bar->page);
		uint64_t e = align_up(bar->msix_end[0], bar->page);

		v->maps = 0;
		if (s)
			map_add(v, 0, s);
		if (e < bar->size)
			map_add(v, e, bar->size - e);
	}
	if (any_overlap(v->map, v->maps)) {
		if (c == CONSUMER_QEMU_11_1) {
			reject(v);
			return;
		}
		merge_overlaps(v->map, &v->maps);
	}
	for (i = 0; i < v->maps; i++)
		if (!mmap_ok(bar, &v->map[i])) {
			v->maps = 0;
			return;
		}

	if (bar->size < bar->page && v->maps == 1 &&
	    v->map[0].size == bar->size) {
		struct vmm_area page = { 0, bar->page };

		qemu_account(c, bar, &page, v);
		return;
	}
	for (i = 0; i < v->maps; i++)
		qemu_account(c, bar, &v->map[i], v);
}

/*
 * cloud-hypervisor: pci/src/vfio.rs map_mmio_regions() does not map a
 * BAR that holds MSI-X without MSIX_MAPPABLE; generate_sparse_areas()
 * takes the first of SPARSE_MMAP and MSIX_MAPPABLE in the chain (the
 * latter: the region must be a 4 KiB multiple, and it carves the table's
 * and the PBA's pages itself, unless fixup_msix_region() moved them past
 * a 64-bit BAR whose table is not page-aligned), else one area of the
 * region.  A sub-page area at offset 0 is grown to a page, at another
 * offset it fails setup; each area is one mmap and one memory slot, and
 * a failed mmap or an overlapping slot (KVM: EEXIST) fails setup.
 */
static unsigned int cloud_hv_carve(const struct consumer_bar *bar,
				   struct vmm_area *areas)
{
	uint64_t cur = 0, hs[2], he[2];
	unsigned int k, nh = 0, n = 0;
	bool relocated = bar->mem64 && bar->msix_end[0] > bar->msix_start[0] &&
			 (bar->msix_start[0] & (bar->page - 1));

	for (k = 0; k < 2 && !relocated; k++) {
		uint64_t off, size;

		if (bar->msix_end[k] <= bar->msix_start[k])
			continue;
		off = align_down(bar->msix_start[k], bar->page);
		size = align_up(bar->msix_end[k] - bar->msix_start[k],
				bar->page);
		if (off >= bar->size)
			continue;
		hs[nh] = off;
		he[nh++] = off + size;
	}
	if (nh == 2)
		sort_two(hs, he);
	if (nh == 2 && hs[0] == hs[1]) {	/* a BTreeMap by offset */
		he[0] = he[1];
		nh = 1;
	}
	for (k = 0; k < nh; k++) {
		if (hs[k] > cur) {
			areas[n].offset = cur;
			areas[n++].size = hs[k] - cur;
		}
		cur = align_down(he[k], bar->page);
	}
	if (bar->size > cur) {
		areas[n].offset = cur;
		areas[n++].size = bar->size - cur;
	}
	return n;
}

static void cloud_hv_view(const struct consumer_bar *bar,
			  struct consumer_view *v)
{
	struct vmm_area areas[VMM_MAX_AREAS];
	unsigned int i, n = 0;

	v->accepted = true;
	if (!(bar->flags & VFIO_REGION_INFO_FLAG_MMAP) ||
	    (bar->msix_here && !bar->msix_mappable))
		return;
	if (bar->sparse && (bar->sparse_first || !bar->msix_mappable)) {
		n = bar->nr_sparse;
		memcpy(areas, bar->sparse_areas, n * sizeof(areas[0]));
	} else if (bar->msix_mappable) {
		if (bar->size & 0xfff) {
			reject(v);
			return;
		}
		n = cloud_hv_carve(bar, areas);
	} else {
		areas[n].offset = 0;
		areas[n++].size = bar->size;
	}

	for (i = 0; i < n; i++) {
		struct vmm_area a = areas[i];

		if (a.size && a.size < bar->page && !a.offset)
			a.size = bar->page;
		map_add(v, a.offset, a.size);
		if ((a.size & (bar->page - 1)) || !mmap_ok(bar, &a) ||
		    any_overlap(v->map, v->maps)) {
			reject(v);
			return;
		}
		v->slots++;
		v->direct += a.size;
		v->entries += fewest_entries(CONSUMER_CLOUD_HV, bar, &a, &a, 1);
	}
}

/*
 * crosvm: devices/src/vfio.rs get_regions() lists, in chain order, the
 * SPARSE_MMAP areas and, for MSIX_MAPPABLE, the whole region (no
 * capability: the whole region if MMAP); either capability makes the
 * region's MSI-X mappable, and only without one does vfio_pci.rs
 * add_bar_mmap() carve the table's and the PBA's pages out
 * (remove_bar_mmap_msix()).  It registers every piece, rounded up to
 * pages (hypervisor/src/kvm add_memory_region()), as a memory slot and
 * stops at the first that fails: an mmap() the kernel refuses, or a slot
 * that overlaps one already registered (KVM: EEXIST).
 */
static void crosvm_view(const struct consumer_bar *bar,
			struct consumer_view *v)
{
	struct vmm_area lists[VMM_MAX_AREAS + 1], slots[VMM_MAX_AREAS * 2];
	unsigned int i, k, n = 0, ns = 0;
	bool mappable = bar->sparse || bar->msix_mappable;

	v->accepted = true;
	if (!(bar->flags & VFIO_REGION_INFO_FLAG_MMAP))
		return;
	if (bar->flags & VFIO_REGION_INFO_FLAG_CAPS) {
		if (bar->msix_mappable && !bar->sparse_first) {
			lists[n].offset = 0;
			lists[n++].size = bar->size;
		}
		for (i = 0; bar->sparse && i < bar->nr_sparse; i++)
			lists[n++] = bar->sparse_areas[i];
		if (bar->msix_mappable && bar->sparse_first) {
			lists[n].offset = 0;
			lists[n++].size = bar->size;
		}
	} else {
		lists[n].offset = 0;
		lists[n++].size = bar->size;
	}

	for (i = 0; i < n; i++) {
		uint64_t s = lists[i].offset, e = s + lists[i].size;
		uint64_t cs[2], ce[2];
		unsigned int nc = 0;

		for (k = 0; k < 2 && !mappable; k++) {
			uint64_t ms = bar->msix_start[k], me = bar->msix_end[k];

			if (me <= ms || ms < s || ms >= e)
				continue;
			cs[nc] = align_down(ms, bar->page);
			ce[nc++] = align_up(me < e ? me : e, bar->page);
		}
		if (nc == 2)
			sort_two(cs, ce);
		for (k = 0; k <= nc; k++) {
			uint64_t ps = k ? ce[k - 1] : s;
			uint64_t pe = k < nc ? cs[k] : e;

			if (pe > ps && ns < VMM_MAX_AREAS * 2) {
				slots[ns].offset = ps;
				slots[ns++].size = pe - ps;
			}
		}
	}

	for (i = 0; i < ns; i++) {
		struct vmm_area a = slots[i];
		bool refused = !mmap_ok(bar, &a);

		a.size = align_up(a.size, bar->page);
		for (k = 0; k < v->slots && !refused; k++)
			refused = overlap(a.offset, a.size, v->map[k].offset,
					  v->map[k].size);
		if (refused) {
			v->refused++;
			break;
		}
		map_add(v, a.offset, a.size);
		v->slots++;
		v->direct += a.size;
		v->entries += fewest_entries(CONSUMER_CROSVM, bar, &a, &a, 1);
	}
}

/*
 * Firecracker: its VFIO device of 2026 (the version that checks SPARSE_MMAP
 * areas against the MSI-X pages), vfio_allocate_memory_ranges_for_bars(),
 * vfio_calculate_bar_areas() and vfio_map_bar_mapping(); any error there
 * fails the device.  A BAR gets guest space at its natural alignment in
 * the x86_64 windows: a 32-bit BAR of more than 256 MiB, or a 64-bit one
 * of more than 256 GiB, fits in none.  The host pages of the MSI-X table
 * and of the PBA are emulated (a table or PBA past the region fails the
 * device).  A BAR holding either, with neither MSIX_MAPPABLE nor
 * SPARSE_MMAP, is left to emulation whole.  Otherwise, with MMAP or
 * SPARSE_MMAP: every SPARSE_MMAP area must be non-empty, host-page
 * aligned in offset and size, inside the region and clear of the
 * emulated pages; without the capability MSIX_MAPPABLE has the region
 * mapped around the emulated pages, and no capability the whole region.
 * Each piece is one mmap() at an address of the kernel's choosing, which
 * fails without MMAP, and one KVM memory slot, which KVM refuses for a
 * size not in whole pages (a sub-page BAR) or one overlapping another
 * (EEXIST).
 */
static void firecracker_view(const struct consumer_bar *bar,
			     struct consumer_view *v)
{
	struct vmm_area areas[VMM_MAX_AREAS + 3];
	uint64_t gs[2] = { 0, 0 }, ge[2] = { 0, 0 }, cur = 0;
	unsigned int i, k, n = 0;

	v->accepted = true;
	if (bar->size > (bar->mem64 ? 256ULL << 30 : 256ULL << 20)) {
		reject(v);
		return;
	}
	for (k = 0; k < 2; k++) {
		if (bar->msix_end[k] <= bar->msix_start[k])
			continue;
		if (bar->msix_end[k] > bar->size) {
			reject(v);
			return;
		}
		gs[k] = align_down(bar->msix_start[k], bar->page);
		ge[k] = align_up(bar->msix_end[k], bar->page);
	}
	if ((bar->msix_here && !bar->msix_mappable && !bar->sparse) ||
	    (!(bar->flags & VFIO_REGION_INFO_FLAG_MMAP) && !bar->sparse))
		return;
	if (bar->sparse) {
		for (i = 0; i < bar->nr_sparse; i++) {
			const struct vmm_area *a = &bar->sparse_areas[i];
			bool bad = !a->size || a->size > bar->size ||
				   a->offset > bar->size - a->size ||
				   ((a->offset | a->size) & (bar->page - 1));

			for (k = 0; k < 2; k++)
				bad |= ge[k] > gs[k] &&
				       overlap(a->offset, a->size, gs[k],
					       ge[k] - gs[k]);
			for (k = 0; k < n; k++)
				bad |= overlap(a->offset, a->size,
					       areas[k].offset, areas[k].size);
			if (bad) {
				reject(v);
				return;
			}
			areas[n++] = *a;
		}
	} else if (bar->msix_mappable) {
		sort_two(gs, ge);
		for (k = 0; k < 2; k++) {
			if (ge[k] > gs[k] && cur < gs[k]) {
				areas[n].offset = cur;
				areas[n++].size = gs[k] - cur;
			}
			if (ge[k] > cur)
				cur = ge[k];
		}
		/*
		 * An emulated page past the region's end (a sub-page BAR)
		 * underflows the size of the last area ("region_size -
		 * offset"): a panic, or an mmap() of a wrapped size that
		 * fails.  The device fails either way.
		 */
		if (cur > bar->size) {
			reject(v);
			return;
		}
		if (bar->size > cur) {
			areas[n].offset = cur;
			areas[n++].size = bar->size - cur;
		}
	} else {
		areas[n].offset = 0;
		areas[n++].size = bar->size;
	}

	for (i = 0; i < n; i++) {
		map_add(v, areas[i].offset, areas[i].size);
		if (!(bar->flags & VFIO_REGION_INFO_FLAG_MMAP) ||
		    !mmap_ok(bar, &areas[i]) ||
		    (areas[i].size & (bar->page - 1))) {
			reject(v);
			return;
		}
		v->slots++;
		v->direct += areas[i].size;
		v->entries += fewest_entries(CONSUMER_FIRECRACKER, bar,
					     &areas[i], &areas[i], 1);
	}
}

/* Bytes of @a in 4 KiB ranges that hold no byte of the table or PBA. */
static uint64_t msix_free_bytes(const struct consumer_bar *bar,
				const struct vmm_area *a)
{
	uint64_t g, n = 0;
	unsigned int k;

	for (g = a->offset; g < a->offset + a->size; g += 0x1000) {
		bool msix = false;

		for (k = 0; k < 2; k++)
			msix |= bar->msix_end[k] > bar->msix_start[k] &&
				bar->msix_start[k] < g + 0x1000 &&
				g < bar->msix_end[k];
		if (!msix)
			n += 0x1000;
	}
	return n;
}

/*
 * DPDK: drivers/bus/pci/linux/pci_vfio.c pci_vfio_map_resource_primary()
 * maps each SPARSE_MMAP area MAP_FIXED inside one reservation of the BAR
 * (pci_vfio_sparse_mmap_bar(); a failure fails the device); without the
 * capability pci_vfio_mmap_bar() maps the whole BAR, around the table's
 * pages only when the table's BAR has no MSIX_MAPPABLE.  A user-space
 * driver: its mappings count as its slots, and what it reaches is the
 * 4 KiB ranges of them free of MSI-X (the spec gives the table and the
 * PBA ranges of their own; the driver programs MSI-X through VFIO).
 */
static void dpdk_view(const struct consumer_bar *bar, struct consumer_view *v)
{
	unsigned int i;

	v->accepted = true;
	if (!(bar->flags & VFIO_REGION_INFO_FLAG_MMAP))
		return;
	if (bar->sparse && bar->nr_sparse) {
		for (i = 0; i < bar->nr_sparse; i++)
			map_add(v, bar->sparse_areas[i].offset,
				bar->sparse_areas[i].size);
	} else if (bar->msix_end[0] > bar->msix_start[0] &&
		   !bar->msix_mappable) {
		uint64_t s = align_down(bar->msix_start[0], bar->page);
		uint64_t e = align_up(bar->msix_end[0], bar->page);

		if (s < bar->msix_start[0])
			s = bar->msix_start[0];
		map_add(v, 0, s);
		if (e < bar->size)
			map_add(v, e, bar->size - e);
	} else {
		map_add(v, 0, bar->size);
	}
	for (i = 0; i < v->maps; i++)
		if (!mmap_ok(bar, &v->map[i])) {
			reject(v);
			return;
		}
	/* A later MAP_FIXED mapping replaces what it overlaps. */
	merge_overlaps(v->map, &v->maps);
	for (i = 0; i < v->maps; i++) {
		struct vmm_area a = v->map[i];

		a.size = align_up(a.size, bar->page);
		v->slots++;
		v->direct += msix_free_bytes(bar, &a);
		v->entries += fewest_entries(CONSUMER_DPDK, bar, &a, &a, 1);
	}
}

void consumer_view(enum consumer c, const struct consumer_bar *bar,
		   struct consumer_view *view)
{
	memset(view, 0, sizeof(*view));
	switch (c) {
	case CONSUMER_QEMU_7_2:
	case CONSUMER_QEMU_10_0:
	case CONSUMER_QEMU_11_1:
		qemu_view(c, bar, view);
		break;
	case CONSUMER_CLOUD_HV:
		cloud_hv_view(bar, view);
		break;
	case CONSUMER_CROSVM:
		crosvm_view(bar, view);
		break;
	case CONSUMER_FIRECRACKER:
		firecracker_view(bar, view);
		break;
	case CONSUMER_DPDK:
		dpdk_view(bar, view);
		break;
	default:
		break;
	}
}
