// SPDX-License-Identifier: GPL-2.0-only
/*
 * Faults on BAR mappings, run in the guest against the 1 GiB BAR2 of
 * ivshmem (BARMAP_BDF, BARMAP_BAR): which entries a fault inserts for a
 * given VA alignment, that the data is the device's, and that vfio-pci-core's
 * zaps on decode-off and reset reach barmap's mappings.
 *
 * Fault counts come from getrusage() around the touch loop only and from
 * barmap's debugfs counters; they are exact and repeatable, times are not.
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

#include "kselftest_harness.h"
#include "vfio_util.h"

#define SZ_4K	0x1000UL
#define SZ_2M	0x200000UL
#define SZ_1G	0x40000000UL

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
	int ret = vfio_dev_open(&self->dev, test_bdf());

	ASSERT_EQ(0, ret) TH_LOG("open %s: %s", test_bdf(), strerror(-ret));
	self->bar = bar ? atoi(bar) : 2;
	self->info = vfio_region_info(self->dev.fd, self->bar);
	ASSERT_NE(NULL, self->info);
	ASSERT_TRUE(self->info->flags & VFIO_REGION_INFO_FLAG_MMAP);
	ASSERT_EQ(0, bar_resource(self->dev.bdf, self->bar, &self->res));
	self->len = self->info->size;
	ASSERT_EQ(SZ_1G, self->len) TH_LOG("the counts below are for 1 GiB");
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

/* Touch every 4 KiB of [map, map + len); returns the minor faults taken. */
static long touch(const char *map, size_t len)
{
	long before = proc_minflt();
	size_t off;

	for (off = 0; off < len; off += SZ_4K)
		(void)*(volatile const char *)(map + off);
	return proc_minflt() - before;
}

/* One counter from barmap's debugfs "faults" file, -1 if unreadable. */
static long counter(const char *bdf, const char *name)
{
	char path[128];

	snprintf(path, sizeof(path),
		 "/sys/kernel/debug/barmap-vfio-pci/%s/faults", bdf);
	return file_keyed_number(path, name, -1);
}

static void fault_case(struct __test_metadata *_metadata,
		       FIXTURE_DATA(fault) *self, unsigned long skew,
		       const char *which, long want_max, long want_min)
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
	EXPECT_GE(after - before, want_min ? want_min : 1);
}

TEST_F_TIMEOUT(fault, va_1g_aligned_takes_one_pud, 120)
{
	if (barmap_huge_size("pud") != SZ_1G)
		SKIP(return, "this kernel has no PUD pfnmap (1 GiB)");
	fault_case(_metadata, self, 0, "pud", 2, 0);
}

TEST_F_TIMEOUT(fault, va_2m_aligned_takes_512_pmds, 120)
{
	if (barmap_huge_size("pmd") != SZ_2M)
		SKIP(return, "this kernel has no PMD pfnmap (2 MiB)");
	fault_case(_metadata, self, SZ_2M, "pmd", 512, 512);
}

TEST_F_TIMEOUT(fault, va_off_by_8k_takes_262144_ptes, 600)
{
	if (!barmap_owns_faults())
		SKIP(return, CORE_OWNS_FAULTS);
	fault_case(_metadata, self, 2 * SZ_4K, "pte", SZ_1G / SZ_4K,
		   SZ_1G / SZ_4K);
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

static sigjmp_buf sigbus_jmp;

static void on_sigbus(int sig)
{
	siglongjmp(sigbus_jmp, 1);
}

/* Read one byte; true if it raised SIGBUS. */
static bool read_sigbus(const char *p)
{
	struct sigaction sa = { .sa_handler = on_sigbus }, old;
	bool bus = false;

	sigaction(SIGBUS, &sa, &old);
	if (sigsetjmp(sigbus_jmp, 1))
		bus = true;
	else
		(void)*(volatile const char *)p;
	sigaction(SIGBUS, &old, NULL);
	return bus;
}

static int set_memory_decode(int fd, bool on)
{
	struct vfio_region_info *cfg;
	uint16_t cmd;
	int ret = -1;

	cfg = vfio_region_info(fd, VFIO_PCI_CONFIG_REGION_INDEX);
	if (!cfg)
		return -1;
	if (pread(fd, &cmd, 2, cfg->offset + 4) != 2)
		goto out;
	cmd = on ? cmd | 0x2 : cmd & ~0x2;	/* PCI_COMMAND_MEMORY */
	if (pwrite(fd, &cmd, 2, cfg->offset + 4) == 2)
		ret = 0;
out:
	free(cfg);
	return ret;
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
	ASSERT_FALSE(read_sigbus(map + SZ_2M));	/* mapped now */
	sigbus = counter(self->dev.bdf, "sigbus");

	ASSERT_EQ(0, set_memory_decode(self->dev.fd, false));
	EXPECT_TRUE(read_sigbus(map + SZ_2M)) TH_LOG("mapping not zapped");
	if (barmap_owns_faults())
		EXPECT_LT(sigbus, counter(self->dev.bdf, "sigbus"));

	ASSERT_EQ(0, set_memory_decode(self->dev.fd, true));
	faults = refaults(self->dev.bdf);
	EXPECT_FALSE(read_sigbus(map + SZ_2M));
	EXPECT_EQ(1, refaults(self->dev.bdf) - faults);
}

TEST_F(fault, munmap_of_half_a_huge_mapping_keeps_the_other_half)
{
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
	EXPECT_LE(touch(map + half, half), 256);
}

/*
 * VFIO_DEVICE_RESET zaps BAR mappings too.  ivshmem has no reset method,
 * so this runs on BARMAP_RESET_BDF (the nvme, which has FLR), BAR0.
 */
FIXTURE(reset) {
	struct vfio_dev dev;
};

FIXTURE_SETUP(reset)
{
	const char *bdf = getenv("BARMAP_RESET_BDF");
	struct vfio_device_info info = { .argsz = sizeof(info) };

	if (!bdf)
		SKIP(return, "no resettable device given (BARMAP_RESET_BDF)");
	ASSERT_EQ(0, vfio_dev_open(&self->dev, bdf));
	ASSERT_EQ(0, ioctl(self->dev.fd, VFIO_DEVICE_GET_INFO, &info));
	ASSERT_TRUE(info.flags & VFIO_DEVICE_FLAGS_RESET);
}

FIXTURE_TEARDOWN(reset)
{
	vfio_dev_close(&self->dev);
}

TEST_F(reset, device_reset_zaps_and_next_access_refaults)
{
	struct vfio_region_info *info;
	uint32_t before, after;
	long faults;
	char *map;

	info = vfio_region_info(self->dev.fd, VFIO_PCI_BAR0_REGION_INDEX);
	ASSERT_NE(NULL, info);
	map = mmap(NULL, SZ_4K, PROT_READ, MAP_SHARED, self->dev.fd,
		   info->offset);
	ASSERT_NE(MAP_FAILED, map);
	before = *(volatile uint32_t *)map;

	ASSERT_EQ(0, ioctl(self->dev.fd, VFIO_DEVICE_RESET));
	faults = refaults(self->dev.bdf);
	after = *(volatile uint32_t *)map;
	EXPECT_EQ(1, refaults(self->dev.bdf) - faults)
		TH_LOG("no refault after reset: the mapping was not zapped");
	EXPECT_EQ(before, after);	/* NVMe CAP survives a reset */
	munmap(map, SZ_4K);
	free(info);
}

TEST_HARNESS_MAIN
