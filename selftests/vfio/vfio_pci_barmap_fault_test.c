// SPDX-License-Identifier: GPL-2.0-only
/*
 * Faults on BAR mappings, run in the guest against the 1 GiB BAR2 of
 * ivshmem (VFIO_SELFTESTS_BDF, BARMAP_BAR): which entries a fault inserts for a
 * given VA alignment, that the data is the device's, and that vfio-pci-core's
 * zaps on decode-off and reset reach barmap's mappings.
 *
 * Fault counts come from getrusage() around the touch loop only and from
 * barmap's debugfs counters; they are exact and repeatable, times are not.
 * The expected counts follow from the page size and the huge sizes
 * barmap's debugfs "huge" file reports: on x86 (4 KiB pages) a 1 GiB PUD,
 * 512 PMDs of 2 MiB or 262144 PTEs; on arm64 with 64 KiB pages (three
 * levels: no PUD) two 512 MiB PMDs or 16384 PTEs.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <libvfio.h>

#include "kselftest_harness.h"
#include "vfio_util.h"

#define SZ_4K	0x1000UL
#define SZ_2M	0x200000UL
#define SZ_1G	0x40000000UL

static unsigned long page_size(void)
{
	return sysconf(_SC_PAGESIZE);
}

FIXTURE(fault) {
	struct vfio_dev dev;
	struct vfio_region_info *info;
	struct bar_resource res;
	unsigned int bar;
	void *reserve;		/* PROT_NONE room the BAR is placed in */
	size_t reserve_len;
	char *map;
	size_t len;
};

FIXTURE_SETUP(fault)
{
	const char *bar = getenv("BARMAP_BAR");
	int ret = vfio_dev_open(&self->dev, device_bdf);

	ASSERT_EQ(0, ret) TH_LOG("open %s: %s", device_bdf, strerror(-ret));
	self->bar = bar ? atoi(bar) : 2;
	self->info = vfio_region_info(self->dev.fd, self->bar);
	ASSERT_NE(NULL, self->info);
	ASSERT_TRUE(self->info->flags & VFIO_REGION_INFO_FLAG_MMAP);
	ASSERT_EQ(0, bar_resource(self->dev.bdf, self->bar, &self->res));
	self->len = self->info->size;
	ASSERT_EQ(SZ_1G, self->len) TH_LOG("the placements below are for 1 GiB");
	ASSERT_EQ(0, self->res.start % SZ_1G)
		TH_LOG("BAR%u at 0x%llx is not 1 GiB-aligned", self->bar,
		       (unsigned long long)self->res.start);
	/* Room for any placement within 1 GiB of a 1 GiB boundary. */
	self->reserve_len = self->len + 2 * SZ_1G;
	self->reserve = mmap(NULL, self->reserve_len, PROT_NONE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	ASSERT_NE(MAP_FAILED, self->reserve);
}

FIXTURE_TEARDOWN(fault)
{
	if (self->reserve && self->reserve != MAP_FAILED)
		munmap(self->reserve, self->reserve_len);
	free(self->info);
	vfio_dev_close(&self->dev);
}

/* Map the whole BAR at a VA @skew bytes past a 1 GiB boundary. */
static char *map_at(FIXTURE_DATA(fault) *self, unsigned long skew)
{
	unsigned long va = ((unsigned long)self->reserve + SZ_1G - 1) &
			   ~(SZ_1G - 1);
	void *map;

	map = mmap((void *)(va + skew), self->len, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_FIXED, self->dev.fd, self->info->offset);
	if (map == MAP_FAILED)
		return NULL;
	self->map = map;
	return map;
}

/* Touch every page of [map, map + len); returns the minor faults taken. */
static long touch(const char *map, size_t len)
{
	unsigned long page = page_size();
	long before = proc_minflt();
	size_t off;

	for (off = 0; off < len; off += page)
		(void)*(volatile const char *)(map + off);
	return proc_minflt() - before;
}

/* One counter from barmap's debugfs "faults" file, -1 if unreadable. */
static long counter(const char *bdf, const char *name)
{
	char path[128];

	barmap_debugfs_file(bdf, "faults", path, sizeof(path));
	return file_keyed_number(path, name, -1);
}

/*
 * Map at @skew past a 1 GiB boundary and touch every page: between
 * @want_min and @want_max minor faults, and exactly @entries more "@which"
 * entries in barmap's counters.
 */
static void fault_case(struct __test_metadata *_metadata,
		       FIXTURE_DATA(fault) *self, unsigned long skew,
		       const char *which, long want_max, long want_min,
		       long entries)
{
	long before, after, faults;
	char *map;

	map = map_at(self, skew);
	ASSERT_NE(NULL, map) TH_LOG("mmap: %s", strerror(errno));
	before = counter(self->dev.bdf, which);
	ASSERT_GE(before, 0);
	faults = touch(map, self->len);
	after = counter(self->dev.bdf, which);
	TH_LOG("VA %p (1 GiB + 0x%lx): %ld minor faults, %s +%ld, VmPTE %ld kB",
	       map, skew, faults, which, after - before, proc_vm_pte_kb());
	EXPECT_LE(faults, want_max);
	EXPECT_GE(faults, want_min);
	EXPECT_EQ(entries, after - before);
}

/*
 * The debugfs "huge" file reports what the rig expects of the kernel it
 * booted (BARMAP_EXPECT_*: from its series, architecture and page
 * size): who handles faults, who splits and moves PUD entries (barmap,
 * by zapping them, only where there are some and the kernel's mm does
 * not), and the sizes a fault can insert, a PMD
 * mapping a page-table page's worth of pages (page * page / 8: 2 MiB on
 * 4 KiB pages, 32 MiB on 16 KiB, 512 MiB on 64 KiB), a PUD as much
 * again where the architecture has PUD pfnmap (x86-64); both 0 where
 * vfio-pci-core handles the faults.  A missing file fails.
 */
TEST(huge_file_reports_the_sizes_of_this_page_size)
{
	unsigned long page = page_size(), pmd = 0, pud = 0;
	char *text;

	if (!barmap_rig_expects())
		SKIP(return, "the rig said nothing of this kernel (BARMAP_EXPECT_FAULTS)");
	text = read_file(BARMAP_DEBUGFS_ROOT "/huge");
	ASSERT_NE(NULL, text) TH_LOG("no debugfs huge file");
	TH_LOG("page 0x%lx, debugfs: %s", page, text);
	free(text);
	if (barmap_owns_faults()) {
		pmd = page * (page / 8);
#ifdef __x86_64__
		pud = pmd * (page / 8);
#endif
	}
	EXPECT_EQ(barmap_owns_faults(), barmap_debugfs_owns_faults());
	EXPECT_EQ(barmap_zaps_puds(), barmap_debugfs_zaps_puds());
	if (!pud)
		EXPECT_FALSE(barmap_zaps_puds());
	EXPECT_EQ(pmd, barmap_huge_size("pmd"));
	EXPECT_EQ(pud, barmap_huge_size("pud"));
	EXPECT_EQ(pmd, barmap_debugfs_huge_size("pmd"));
	EXPECT_EQ(pud, barmap_debugfs_huge_size("pud"));
}

/*
 * VA 1 GiB-aligned, so co-aligned with the BAR for every huge size: one
 * entry of the largest size per block (x86: one 1 GiB PUD, the fault
 * itself counted once or, with the mmap, twice; arm64 64 KiB: two 512 MiB
 * PMDs).
 */
TEST_F_TIMEOUT(fault, va_1g_aligned_takes_one_entry_per_largest_block, 120)
{
	unsigned long pud = barmap_huge_size("pud"), pmd = barmap_huge_size("pmd");
	unsigned long huge = pud ? pud : pmd;
	long blocks;

	if (!huge)
		SKIP(return, "this kernel has no huge pfnmap (PMD or PUD)");
	blocks = self->len / huge;
	fault_case(_metadata, self, 0, pud ? "pud" : "pmd", blocks + 1,
		   blocks - 1, blocks);
}

/*
 * VA one PMD past a 1 GiB boundary: co-aligned for PMDs only (x86: 512
 * PMDs of 2 MiB; arm64 64 KiB, with no PUD: two 512 MiB PMDs).
 */
TEST_F_TIMEOUT(fault, va_pmd_aligned_takes_one_pmd_per_pmd_block, 120)
{
	unsigned long pmd = barmap_huge_size("pmd");

	if (!pmd)
		SKIP(return, "this kernel has no PMD pfnmap");
	fault_case(_metadata, self, pmd, "pmd", self->len / pmd,
		   self->len / pmd, self->len / pmd);
}

/* VA two pages past a PMD boundary: one PTE per page, every page faults. */
TEST_F_TIMEOUT(fault, va_off_by_two_pages_takes_one_pte_per_page, 600)
{
	unsigned long page = page_size();

	if (!barmap_owns_faults())
		SKIP(return, CORE_OWNS_FAULTS);
	fault_case(_metadata, self, 2 * page, "pte", self->len / page,
		   self->len / page, self->len / page);
}

TEST_F(fault, data_round_trips_between_mapping_and_fd)
{
	static const unsigned long offs[] = { 0, SZ_4K, SZ_2M + 8,
					      SZ_1G / 2, SZ_1G - 8 };
	uint64_t val, got;
	unsigned int i;
	char *map;

	map = map_at(self, 0);
	ASSERT_NE(NULL, map);
	for (i = 0; i < ARRAY_SIZE(offs); i++) {
		val = 0x0123456789abcdefULL ^ offs[i];
		*(volatile uint64_t *)(map + offs[i]) = val;
		ASSERT_EQ(sizeof(got), pread(self->dev.fd, &got, sizeof(got),
					     self->info->offset + offs[i]));
		EXPECT_EQ(val, got);

		val = ~val;
		ASSERT_EQ(sizeof(val), pwrite(self->dev.fd, &val, sizeof(val),
					      self->info->offset + offs[i]));
		EXPECT_EQ(val, *(volatile uint64_t *)(map + offs[i]));
	}
}

/*
 * Faults that inserted an entry so far: barmap's counters where it handles
 * faults (exact), this process's minor faults where vfio-pci-core does.
 */
static long refaults(const char *bdf)
{
	if (!barmap_owns_faults())
		return proc_minflt();
	return counter(bdf, "pte") + counter(bdf, "pmd") + counter(bdf, "pud");
}

TEST_F(fault, decode_off_zaps_and_sigbus_then_decode_on_refaults)
{
	long sigbus, faults;
	char *map;

	map = map_at(self, 0);
	ASSERT_NE(NULL, map);
	ASSERT_FALSE(read32_raises_sigbus(map + SZ_2M));	/* mapped now */
	sigbus = counter(self->dev.bdf, "sigbus");

	ASSERT_EQ(0, vfio_set_memory_decode(self->dev.fd, false));
	EXPECT_TRUE(read32_raises_sigbus(map + SZ_2M)) TH_LOG("mapping not zapped");
	if (barmap_owns_faults())
		EXPECT_LT(sigbus, counter(self->dev.bdf, "sigbus"));

	ASSERT_EQ(0, vfio_set_memory_decode(self->dev.fd, true));
	faults = refaults(self->dev.bdf);
	EXPECT_FALSE(read32_raises_sigbus(map + SZ_2M));
	EXPECT_EQ(1, refaults(self->dev.bdf) - faults);
}

/*
 * Unmapping one half zaps at most what covered it: the other half refaults
 * at most once per PMD (x86: its 512 MiB come back as 256 PMDs once the
 * PUD is gone; arm64 64 KiB: its PMD stays), or once where vfio-pci-core
 * maps a whole VMA at its first fault.
 */
TEST_F(fault, munmap_of_half_a_huge_mapping_keeps_the_other_half)
{
	unsigned long pmd = barmap_huge_size("pmd");
	size_t half = self->len / 2;
	uint64_t val = 0xfeedfacecafebeefULL, got;
	char *map;

	map = map_at(self, 0);
	ASSERT_NE(NULL, map);
	touch(map, self->len);
	ASSERT_EQ(0, munmap(map, half));
	*(volatile uint64_t *)(map + half + SZ_2M) = val;
	ASSERT_EQ(sizeof(got), pread(self->dev.fd, &got, sizeof(got),
				     self->info->offset + half + SZ_2M));
	EXPECT_EQ(val, got);
	EXPECT_LE(touch(map + half, half), pmd ? half / pmd : 1);
}

/*
 * mremap() of a whole huge-mapped VMA (read once, then MREMAP_MAYMOVE |
 * MREMAP_FIXED to another 1 GiB boundary).  move_page_tables() takes a
 * leaf PUD for a bad entry: "bad pud" in the kernel log and the entry
 * dropped without a TLB flush.  There barmap zaps a mapping about to
 * move, so nothing is left at PUD level to move: the log stays clean,
 * the moved mapping refaults once, at the largest size its new VA
 * allows, and reads the device's data.  A kernel with the fixes of
 * upstream/mm moves the PUD entry itself, and so do the kernels without
 * PUD pfnmap (arm64) with PMD entries: no refault.  Against stock
 * vfio-pci the rig prints what happens there.
 */
TEST_F_TIMEOUT(fault, mremap_of_a_huge_mapping_moves_without_bad_entries, 120)
{
	uint64_t val = 0x5eed0123456789abULL;
	char *map, *target, *moved;
	long faults;

	/*
	 * Where vfio-pci-core keeps the faults (6.1) there is no huge entry
	 * to move, and its vm_ops->open zaps the moved VMA, which warns in
	 * untrack_pfn() once the source was faulted in (stock vfio-pci
	 * alike; vfio_pci_barmap_fuzz_test faults after moving there).
	 */
	if (!barmap_owns_faults())
		SKIP(return, CORE_OWNS_FAULTS);
	ASSERT_FALSE(klog_has("bad p", "", ""))
		TH_LOG("the kernel log already has a bad page-table entry");
	map = map_at(self, 0);
	ASSERT_NE(NULL, map);
	*(volatile uint64_t *)(map + SZ_2M) = val;

	/* The next 1 GiB boundary past the mapping, inside the reserve. */
	target = map + self->len;
	moved = mremap(map, self->len, self->len,
		       MREMAP_MAYMOVE | MREMAP_FIXED, target);
	ASSERT_NE(MAP_FAILED, moved) TH_LOG("mremap: %s", strerror(errno));
	self->map = moved;
	EXPECT_FALSE(klog_has("bad p", "", ""))
		TH_LOG("the move left a bad page-table entry in the log");

	faults = refaults(self->dev.bdf);
	EXPECT_EQ(val, *(volatile uint64_t *)(moved + SZ_2M));
	/*
	 * Where barmap zapped the source, one refault.  Where the kernel
	 * moved the entries as they were, none.
	 */
	if (!strcmp(test_driver(), "barmap-vfio-pci"))
		EXPECT_EQ(barmap_zaps_puds() ? 1 : 0,
			  refaults(self->dev.bdf) - faults);
	EXPECT_EQ(0, munmap(moved, self->len));
}

/*
 * VFIO_DEVICE_RESET zaps BAR mappings too.  ivshmem has no reset method,
 * so this runs on BARMAP_RESET_BDF (the nvme, which has FLR), on its first
 * mappable BAR: BAR0 (its registers), or where BAR0's page is shared, the
 * controller memory buffer of the arm64 rig's nvme.
 */
FIXTURE(reset) {
	struct vfio_dev dev;
	struct vfio_region_info *info;
};

FIXTURE_SETUP(reset)
{
	const char *bdf = getenv("BARMAP_RESET_BDF");
	struct vfio_device_info info = { .argsz = sizeof(info) };
	unsigned int i;

	if (!bdf)
		SKIP(return, "no resettable device given (BARMAP_RESET_BDF)");
	ASSERT_EQ(0, vfio_dev_open(&self->dev, bdf));
	ASSERT_EQ(0, ioctl(self->dev.fd, VFIO_DEVICE_GET_INFO, &info));
	ASSERT_TRUE(info.flags & VFIO_DEVICE_FLAGS_RESET);
	for (i = VFIO_PCI_BAR0_REGION_INDEX; i <= VFIO_PCI_BAR5_REGION_INDEX; i++) {
		self->info = vfio_region_info(self->dev.fd, i);
		ASSERT_NE(NULL, self->info);
		if (self->info->flags & VFIO_REGION_INFO_FLAG_MMAP)
			return;
		free(self->info);
		self->info = NULL;
	}
	ASSERT_TRUE(false) TH_LOG("%s has no mappable BAR", bdf);
}

FIXTURE_TEARDOWN(reset)
{
	free(self->info);
	vfio_dev_close(&self->dev);
}

TEST_F(reset, device_reset_zaps_and_next_access_refaults)
{
	unsigned long page = page_size();
	uint32_t before, after;
	long faults;
	char *map;

	map = mmap(NULL, page, PROT_READ, MAP_SHARED, self->dev.fd,
		   self->info->offset);
	ASSERT_NE(MAP_FAILED, map) TH_LOG("BAR%u: %s", self->info->index,
					  strerror(errno));
	before = *(volatile uint32_t *)map;

	ASSERT_EQ(0, ioctl(self->dev.fd, VFIO_DEVICE_RESET));
	faults = refaults(self->dev.bdf);
	after = *(volatile uint32_t *)map;
	EXPECT_EQ(1, refaults(self->dev.bdf) - faults)
		TH_LOG("no refault after reset: the mapping was not zapped");
	/* NVMe CAP survives a reset, and so does the CMB's content */
	EXPECT_EQ(before, after);
	munmap(map, page);
}

/*
 * A BAR of 2 GiB or more (BARMAP_LARGE_BDF, BAR2: the x86 rig's second
 * ivshmem), where a mapping holds PUD entries past its start: moving part
 * of it is what the kernel's move_page_tables() gets wrong with a leaf
 * PUD.  Rigs without one (arm64) skip.
 */
FIXTURE(large) {
	struct vfio_dev dev;
	struct vfio_region_info *info;
	void *reserve;
	size_t reserve_len;
};

FIXTURE_SETUP(large)
{
	const char *bdf = getenv("BARMAP_LARGE_BDF");
	struct bar_resource res;

	if (!bdf)
		SKIP(return, "no BAR of 2 GiB in this rig (BARMAP_LARGE_BDF)");
	ASSERT_EQ(0, vfio_dev_open(&self->dev, bdf));
	self->info = vfio_region_info(self->dev.fd, 2);
	ASSERT_NE(NULL, self->info);
	ASSERT_TRUE(self->info->flags & VFIO_REGION_INFO_FLAG_MMAP);
	ASSERT_LE(2 * SZ_1G, self->info->size);
	ASSERT_EQ(0, bar_resource(self->dev.bdf, 2, &res));
	ASSERT_EQ(0, res.start % SZ_1G);
	/*
	 * 2 GiB to map, 1.5 GiB to move part of it to, 1 GiB to align
	 * (rounded up).
	 */
	self->reserve_len = 5 * SZ_1G;
	self->reserve = mmap(NULL, self->reserve_len, PROT_NONE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	ASSERT_NE(MAP_FAILED, self->reserve);
}

FIXTURE_TEARDOWN(large)
{
	if (self->reserve && self->reserve != MAP_FAILED)
		munmap(self->reserve, self->reserve_len);
	free(self->info);
	vfio_dev_close(&self->dev);
}

static sigjmp_buf segv_jmp;

static void segv_handler(int sig)
{
	siglongjmp(segv_jmp, 1);
}

/* Whether reading @p faults with SIGSEGV (nothing mapped there). */
static bool read_faults(const volatile uint64_t *p)
{
	struct sigaction sa = { .sa_handler = segv_handler }, old;
	bool faulted = false;

	sigaction(SIGSEGV, &sa, &old);
	if (!sigsetjmp(segv_jmp, 1))
		(void)*p;
	else
		faulted = true;
	sigaction(SIGSEGV, &old, NULL);
	return faulted;
}

/*
 * The first 2 GiB of the BAR at a 1 GiB-aligned address in the reserve,
 * both GiB faulted in (a PUD entry each where the kernel has PUD pfnmap),
 * @val written at 1 GiB + 2 MiB.  NULL where the mmap fails.  @bad, if
 * not NULL, gets the kernel log's bad page-table entries so far: counted,
 * not required absent, since stock vfio-pci's runs of the tests before
 * leave some.
 */
static char *map_two_pud_blocks(struct __test_metadata *_metadata,
				FIXTURE_DATA(large) *self, uint64_t val,
				int *bad)
{
	unsigned long va;
	char *map;

	if (bad)
		*bad = klog_count("bad p", "", "");
	va = ((unsigned long)self->reserve + SZ_1G - 1) & ~(SZ_1G - 1);
	map = mmap((void *)va, 2 * SZ_1G, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_FIXED, self->dev.fd, self->info->offset);
	if (map == MAP_FAILED) {
		TH_LOG("mmap: %s", strerror(errno));
		return NULL;
	}
	(void)*(volatile uint64_t *)map;
	*(volatile uint64_t *)(map + SZ_1G + SZ_2M) = val;
	return map;
}

/*
 * mremap() of the second GiB of a 2 GiB mapping whose both GiB hold a
 * PUD entry, to another 1 GiB boundary: no bad entry in the log, the
 * device's data at the new address, nothing left at the old one (a stale
 * translation there would read the BAR), and the first GiB still
 * mapped.
 */
TEST_F_TIMEOUT(large, mremap_of_a_pud_from_inside_a_mapping_leaves_nothing_behind, 120)
{
	uint64_t val = 0x5eed0123456789abULL, got;
	char *map, *moved;

	if (!barmap_owns_faults())
		SKIP(return, CORE_OWNS_FAULTS);
	ASSERT_FALSE(klog_has("bad p", "", ""))
		TH_LOG("the kernel log already has a bad page-table entry");
	map = map_two_pud_blocks(_metadata, self, val, NULL);
	ASSERT_NE(NULL, map);

	moved = mremap(map + SZ_1G, SZ_1G, SZ_1G,
		       MREMAP_MAYMOVE | MREMAP_FIXED, map + 2 * SZ_1G);
	ASSERT_NE(MAP_FAILED, moved) TH_LOG("mremap: %s", strerror(errno));
	EXPECT_FALSE(klog_has("bad p", "", ""))
		TH_LOG("the move left a bad page-table entry in the log");
	EXPECT_EQ(val, *(volatile uint64_t *)(moved + SZ_2M));
	EXPECT_TRUE(read_faults((volatile uint64_t *)(map + SZ_1G + SZ_2M)))
		TH_LOG("the old address still reads the BAR");
	ASSERT_EQ(sizeof(got), pread(self->dev.fd, &got, sizeof(got),
				     self->info->offset + SZ_1G + SZ_2M));
	EXPECT_EQ(val, got);
	(void)*(volatile uint64_t *)map;
	EXPECT_EQ(0, munmap(moved, SZ_1G));
	EXPECT_EQ(0, munmap(map, SZ_1G));
}

/*
 * mremap() of 1 GiB that starts and ends in the middle of the two PUD
 * blocks ([512 MiB, 1.5 GiB) of the mapping) to the same offset past the
 * mapping's end: both splits fall inside a PUD entry.  The moved range
 * reads the BAR at its offsets, the old range faults, and the parts
 * left on either side still read the BAR.
 */
TEST_F_TIMEOUT(large, mremap_of_a_range_across_a_pud_boundary_leaves_nothing_behind, 120)
{
	uint64_t val = 0x5eed02468ace1357ULL, got;
	const size_t half = SZ_1G / 2;
	char *map, *moved;
	int bad;

	if (!barmap_owns_faults())
		SKIP(return, CORE_OWNS_FAULTS);
	map = map_two_pud_blocks(_metadata, self, val, &bad);
	ASSERT_NE(NULL, map);

	moved = mremap(map + half, SZ_1G, SZ_1G,
		       MREMAP_MAYMOVE | MREMAP_FIXED, map + 2 * SZ_1G + half);
	ASSERT_NE(MAP_FAILED, moved) TH_LOG("mremap: %s", strerror(errno));
	EXPECT_EQ(bad, klog_count("bad p", "", ""))
		TH_LOG("the move left a bad page-table entry in the log");
	/* BAR offset 1 GiB + 2 MiB is now at moved + 512 MiB + 2 MiB. */
	EXPECT_EQ(val, *(volatile uint64_t *)(moved + half + SZ_2M));
	EXPECT_TRUE(read_faults((volatile uint64_t *)(map + SZ_1G + SZ_2M)))
		TH_LOG("the old address still reads the BAR");
	EXPECT_TRUE(read_faults((volatile uint64_t *)(map + half)))
		TH_LOG("the start of the moved range still reads the BAR");
	ASSERT_EQ(sizeof(got), pread(self->dev.fd, &got, sizeof(got),
				     self->info->offset + SZ_2M));
	EXPECT_EQ(got, *(volatile uint64_t *)(map + SZ_2M));
	ASSERT_EQ(sizeof(got), pread(self->dev.fd, &got, sizeof(got),
				     self->info->offset + SZ_1G + half + SZ_2M));
	EXPECT_EQ(got, *(volatile uint64_t *)(map + SZ_1G + half + SZ_2M));
	EXPECT_EQ(0, munmap(moved, SZ_1G));
	EXPECT_EQ(0, munmap(map, half));
	EXPECT_EQ(0, munmap(map + SZ_1G + half, half));
}

/*
 * A shrinking mremap() that ends in the middle of the second PUD block
 * (2 GiB to 1.5 GiB, in place): the kept part reads the BAR, the cut
 * part faults.
 */
TEST_F_TIMEOUT(large, shrinking_mremap_into_a_pud_leaves_nothing_behind, 120)
{
	uint64_t val = 0x5eed13579bdf0246ULL;
	const size_t kept = SZ_1G + SZ_1G / 2;
	char *map, *shrunk;
	int bad;

	if (!barmap_owns_faults())
		SKIP(return, CORE_OWNS_FAULTS);
	map = map_two_pud_blocks(_metadata, self, val, &bad);
	ASSERT_NE(NULL, map);

	shrunk = mremap(map, 2 * SZ_1G, kept, 0);
	ASSERT_EQ(map, shrunk) TH_LOG("mremap: %s", strerror(errno));
	EXPECT_EQ(bad, klog_count("bad p", "", ""))
		TH_LOG("the shrink left a bad page-table entry in the log");
	EXPECT_EQ(val, *(volatile uint64_t *)(map + SZ_1G + SZ_2M));
	EXPECT_TRUE(read_faults((volatile uint64_t *)(map + kept + SZ_2M)))
		TH_LOG("the cut part still reads the BAR");
	EXPECT_EQ(0, munmap(map, kept));
}

int main(int argc, char *argv[])
{
	device_bdf = vfio_selftests_get_bdf(&argc, argv);
	return test_harness_run(argc, argv);
}
