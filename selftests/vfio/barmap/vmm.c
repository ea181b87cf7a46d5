// SPDX-License-Identifier: GPL-2.0-only
/*
 * VMM placement rules for BAR mappings; see vmm.h.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "vfio_util.h"
#include "vmm.h"

#define SZ_1G	0x40000000ULL

const char *vmm_rule_name(enum vmm_rule rule)
{
	switch (rule) {
	case VMM_QEMU_AREA:
		return "qemu-10.x";
	case VMM_QEMU_REGION:
		return "qemu-2026";
	case VMM_CLOUD_HV:
		return "cloud-hv";
	default:
		return "?";
	}
}

static uint64_t pow2ceil(uint64_t x)
{
	uint64_t p = 1;

	while (p < x)
		p <<= 1;
	return p;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

uint64_t vmm_va_align(enum vmm_rule rule, uint64_t region_size,
		      uint64_t area_size)
{
	switch (rule) {
	case VMM_QEMU_AREA:
		return min_u64(1ULL << __builtin_ctzll(area_size), SZ_1G);
	case VMM_QEMU_REGION:
		return min_u64(pow2ceil(region_size), SZ_1G);
	case VMM_CLOUD_HV:
	default:
		return min_u64(pow2ceil(area_size), SZ_1G);
	}
}

static uint64_t rule_align(enum vmm_rule rule, const struct vmm_bar *bar,
			   const struct vmm_area *area)
{
	return vmm_va_align(rule, bar->size, area ? area->size : 0);
}

int vmm_bar_load(struct vmm_bar *bar, int fd, unsigned int index,
		 const char *bdf)
{
	const struct vfio_region_info_cap_sparse_mmap *sparse;
	long page = sysconf(_SC_PAGESIZE);
	struct vfio_region_info *info;
	struct bar_resource res;
	unsigned int i;

	memset(bar, 0, sizeof(*bar));
	info = vfio_region_info(fd, index);
	if (!info)
		return -errno;
	if (!(info->flags & VFIO_REGION_INFO_FLAG_MMAP) || !info->size) {
		free(info);
		return -ENODEV;
	}
	if (bar_resource(bdf, index, &res)) {
		free(info);
		return -ENOENT;
	}
	bar->fd = fd;
	bar->index = index;
	bar->region_offset = info->offset;
	bar->size = info->size;
	bar->phys = res.start;
	sparse = (const void *)vfio_region_cap(info,
					       VFIO_REGION_INFO_CAP_SPARSE_MMAP);
	if (sparse && sparse->nr_areas <= VMM_MAX_AREAS) {
		bar->sparse = true;
		bar->nr_areas = sparse->nr_areas;
		for (i = 0; i < sparse->nr_areas; i++) {
			bar->areas[i].offset = sparse->areas[i].offset;
			bar->areas[i].size = sparse->areas[i].size;
		}
	} else {
		bar->nr_areas = 1;
		bar->areas[0].size = (info->size + page - 1) & ~(page - 1);
	}
	free(info);
	return 0;
}

/* Fewest entries covering [phys, phys + size) with naturally aligned blocks. */
static long ideal_faults(uint64_t phys, uint64_t size, uint64_t page,
			 uint64_t pmd, uint64_t pud)
{
	uint64_t x = phys, end = phys + size, step;
	long n = 0;

	while (x < end) {
		step = page;
		if (pud && !(x % pud) && end - x >= pud)
			step = pud;
		else if (pmd && !(x % pmd) && end - x >= pmd)
			step = pmd;
		x += step;
		n++;
	}
	return n;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* PROT_NONE reservations that hold the mappings of one placement. */
struct rooms {
	unsigned int nr;
	void *addr[VMM_MAX_AREAS + 1];
	size_t len[VMM_MAX_AREAS + 1];
};

/* Reserve room for @len bytes and return a VA in it with va % align == skew. */
static char *reserve_aligned(struct rooms *rooms, uint64_t len,
			     uint64_t align, uint64_t skew)
{
	size_t room_len = len + 2 * align;
	void *room;
	uintptr_t va;

	room = mmap(NULL, room_len, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (room == MAP_FAILED)
		return NULL;
	rooms->addr[rooms->nr] = room;
	rooms->len[rooms->nr++] = room_len;
	va = ((uintptr_t)room + align - 1) & ~(uintptr_t)(align - 1);
	return (char *)va + skew;
}

/* The rooms hold every mapping: unmapping them unmaps all. */
static void release_rooms(struct rooms *rooms)
{
	while (rooms->nr--)
		munmap(rooms->addr[rooms->nr], rooms->len[rooms->nr]);
}

/* Map area i of @bar at @vas[i], touch every page, fill @res. */
static int map_and_touch_at(const struct vmm_bar *bar, char *const vas[],
			    uint64_t pmd, uint64_t pud, struct vmm_result *res)
{
	long page = sysconf(_SC_PAGESIZE);
	long pte_before = proc_vm_pte_kb(), flt_before;
	unsigned int i;
	uint64_t off;
	double t0;

	memset(res, 0, sizeof(*res));
	for (i = 0; i < bar->nr_areas; i++) {
		const struct vmm_area *a = &bar->areas[i];

		if (mmap(vas[i], a->size, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_FIXED, bar->fd,
			 bar->region_offset + a->offset) == MAP_FAILED)
			return -errno;
		res->ideal += ideal_faults(bar->phys + a->offset, a->size,
					   page, pmd, pud);
	}

	/* Warm up what the measurement itself touches (vDSO data, ...). */
	now_ms();
	proc_minflt();
	flt_before = proc_minflt();
	t0 = now_ms();
	for (i = 0; i < bar->nr_areas; i++)
		for (off = 0; off < bar->areas[i].size; off += page)
			(void)*(volatile const char *)(vas[i] + off);
	res->touch_ms = now_ms() - t0;
	res->faults = proc_minflt() - flt_before;
	res->pte_kb = proc_vm_pte_kb() - pte_before;
	return 0;
}

int vmm_map_region_at(const struct vmm_bar *bar, uint64_t align,
		      uint64_t skew, uint64_t pmd, uint64_t pud,
		      struct vmm_result *res)
{
	struct rooms rooms = { 0 };
	char *vas[VMM_MAX_AREAS], *base;
	unsigned int i;
	int ret;

	base = reserve_aligned(&rooms, bar->size, align, skew);
	if (!base)
		return -errno;
	for (i = 0; i < bar->nr_areas; i++)
		vas[i] = base + bar->areas[i].offset;
	ret = map_and_touch_at(bar, vas, pmd, pud, res);
	release_rooms(&rooms);
	return ret;
}

int vmm_map_and_touch(const struct vmm_bar *bar, enum vmm_rule rule,
		      uint64_t pmd, uint64_t pud, struct vmm_result *res)
{
	struct rooms rooms = { 0 };
	char *vas[VMM_MAX_AREAS] = { NULL };
	unsigned int i;
	int ret;

	if (rule == VMM_QEMU_REGION)
		return vmm_map_region_at(bar, rule_align(rule, bar, NULL), 0,
					 pmd, pud, res);

	for (i = 0; i < bar->nr_areas; i++) {
		vas[i] = reserve_aligned(&rooms, bar->areas[i].size,
					 rule_align(rule, bar, &bar->areas[i]),
					 0);
		if (!vas[i]) {
			release_rooms(&rooms);
			return -errno;
		}
	}
	ret = map_and_touch_at(bar, vas, pmd, pud, res);
	release_rooms(&rooms);
	return ret;
}
