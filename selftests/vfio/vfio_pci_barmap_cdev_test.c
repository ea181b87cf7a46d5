// SPDX-License-Identifier: GPL-2.0-only
/*
 * The device through its cdev and iommufd instead of a group and a
 * container, run in the guest per device (VFIO_SELFTESTS_BDF): open
 * /dev/vfio/devices/vfioN, VFIO_DEVICE_BIND_IOMMUFD, an IOAS and
 * VFIO_DEVICE_ATTACH_IOMMUFD_PT, then what barmap does to BARs, which
 * must not depend on the path the device was opened by: region info as
 * through the group, every advertised area mappable, huge entries on a
 * BAR of a PMD or more (barmap's debugfs counters), and a BAR's dma-buf
 * mapped into the IOAS (IOMMU_IOAS_MAP_FILE).  The rig runs it against
 * stock vfio-pci too (BARMAP_DRIVER=vfio-pci: no counters there).  On a
 * kernel without IOMMUFD or VFIO_DEVICE_CDEV (Debian's builds) every
 * test reports SKIP.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/iommufd.h>

#include <libvfio.h>

#include "kselftest_harness.h"
#include "vfio_util.h"

#define SZ_2M	(2UL << 20)
#define SZ_1G	(512 * SZ_2M)

FIXTURE(cdev) {
	struct vfio_region_info *group_info[VFIO_PCI_ROM_REGION_INDEX];
	struct iommu *iommu;	/* libvfio's: /dev/iommu and an IOAS */
	int iommufd;
	int fd;
	uint32_t devid;
	u32 ioas;
	long page;
};

/* Region info of every BAR through the group path, before the cdev opens. */
static void record_group_info(FIXTURE_DATA(cdev) *self)
{
	struct vfio_dev dev;
	unsigned int bar;

	/* A kernel may have the cdev without the group interface. */
	if (access("/dev/vfio/vfio", F_OK) || vfio_dev_open(&dev, device_bdf))
		return;
	for (bar = 0; bar < VFIO_PCI_ROM_REGION_INDEX; bar++)
		self->group_info[bar] = vfio_region_info(dev.fd, bar);
	vfio_dev_close(&dev);
}

FIXTURE_SETUP(cdev)
{
	const char *path;
	int ret;

	self->fd = -1;
	self->page = sysconf(_SC_PAGESIZE);
	if (access("/dev/iommu", F_OK))
		SKIP(return, "no /dev/iommu: kernel without IOMMUFD");
	if (!vfio_cdev_exists(device_bdf))
		SKIP(return, "no /dev/vfio/devices/vfioN: kernel without VFIO_DEVICE_CDEV");
	record_group_info(self);
	path = vfio_pci_get_cdev_path(device_bdf);
	self->fd = open(path, O_RDWR);
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", path, strerror(errno));
	free((void *)path);
	self->iommu = iommu_init(MODE_IOMMUFD);
	self->iommufd = self->iommu->iommufd;
	self->ioas = self->iommu->ioas_id;
	ret = vfio_cdev_bind_devid(self->fd, self->iommufd, &self->devid);
	ASSERT_EQ(0, ret) TH_LOG("VFIO_DEVICE_BIND_IOMMUFD: %s", strerror(-ret));
	ret = vfio_cdev_attach(self->fd, self->ioas);
	ASSERT_EQ(0, ret) TH_LOG("VFIO_DEVICE_ATTACH_IOMMUFD_PT: %s", strerror(-ret));
}

FIXTURE_TEARDOWN(cdev)
{
	unsigned int bar;

	for (bar = 0; bar < VFIO_PCI_ROM_REGION_INDEX; bar++)
		free(self->group_info[bar]);
	if (self->fd >= 0)
		close(self->fd);
	if (self->iommu)
		iommu_cleanup(self->iommu);
}

/* The MMAP BAR of @min bytes or more, largest first; -1 if none. */
static int largest_mmap_bar(int fd, uint64_t min)
{
	struct vfio_region_info *info;
	uint64_t best_size = 0;
	unsigned int bar;
	int best = -1;

	for (bar = 0; bar < VFIO_PCI_ROM_REGION_INDEX; bar++) {
		info = vfio_region_info(fd, bar);
		if (info && (info->flags & VFIO_REGION_INFO_FLAG_MMAP) &&
		    info->size >= min && info->size > best_size) {
			best = bar;
			best_size = info->size;
		}
		free(info);
	}
	return best;
}

TEST_F(cdev, bind_gives_a_device_id_and_attach_an_ioas)
{
	EXPECT_NE(0, self->devid);
	EXPECT_NE(0, self->ioas);
}

/* Flags, size, offset and the whole capability chain, byte for byte. */
TEST_F(cdev, region_info_is_the_same_as_through_the_group)
{
	struct vfio_region_info *info, *group;
	unsigned int bar;

	for (bar = 0; bar < VFIO_PCI_ROM_REGION_INDEX; bar++) {
		info = vfio_region_info(self->fd, bar);
		group = self->group_info[bar];
		ASSERT_NE(NULL, info);
		ASSERT_NE(NULL, group) TH_LOG("BAR%u: no region info through the group", bar);
		EXPECT_EQ(group->argsz, info->argsz);
		EXPECT_EQ(group->flags, info->flags);
		EXPECT_EQ(group->size, info->size);
		EXPECT_EQ(group->offset, info->offset);
		EXPECT_EQ(0, memcmp(group, info, info->argsz))
			TH_LOG("BAR%u: capability chains differ", bar);
		free(info);
	}
}

/* Every advertised area maps through the cdev and reads with decode on. */
TEST_F(cdev, every_advertised_area_maps_and_reads)
{
	struct vfio_region_sparse_mmap_area areas[16];
	struct vfio_region_info *info;
	unsigned int bar, i, nr;
	volatile uint32_t *p;
	unsigned int mapped = 0;

	ASSERT_EQ(0, vfio_set_memory_decode(self->fd, true));
	for (bar = 0; bar < VFIO_PCI_ROM_REGION_INDEX; bar++) {
		info = vfio_region_info(self->fd, bar);
		ASSERT_NE(NULL, info);
		nr = 0;
		if (info->flags & VFIO_REGION_INFO_FLAG_MMAP)
			nr = vfio_mmap_areas(info, areas, 16);
		for (i = 0; i < nr; i++) {
			size_t len = areas[i].size < (uint64_t)self->page ?
				     self->page : areas[i].size;

			p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
				 self->fd, info->offset + areas[i].offset);
			ASSERT_NE(MAP_FAILED, p)
				TH_LOG("BAR%u area %u (+0x%llx, 0x%llx): %s", bar, i,
				       (unsigned long long)areas[i].offset,
				       (unsigned long long)areas[i].size,
				       strerror(errno));
			EXPECT_FALSE(read32_raises_sigbus((const void *)p));
			munmap((void *)p, len);
			mapped++;
		}
		free(info);
	}
	TH_LOG("%u areas mapped and read through %s's cdev", mapped, device_bdf);
}

/*
 * A BAR of 2 MiB or more mapped at a VA as aligned as the BAR (up to
 * 1 GiB): barmap inserts the largest entries the kernel has, as through
 * the group (vfio_pci_barmap_fault_test).
 */
TEST_F(cdev, huge_entries_on_a_large_bar)
{
	char path[128];
	long pmd0, pud0, pte0, pmd, pud, pte;
	uint64_t size, align, off;
	struct vfio_region_info *info;
	char *va, *map;
	int bar;

	bar = largest_mmap_bar(self->fd, SZ_2M);
	if (bar < 0)
		SKIP(return, "no mappable BAR of 2 MiB or more");
	if (strcmp(test_driver(), BARMAP_DRIVER))
		SKIP(return, "entry counters are barmap-vfio-pci's (debugfs)");
	if (!barmap_owns_faults())
		SKIP(return, CORE_OWNS_FAULTS);
	info = vfio_region_info(self->fd, bar);
	ASSERT_NE(NULL, info);
	size = info->size;
	align = size < SZ_1G ? size : SZ_1G;
	barmap_debugfs_file(device_bdf, "faults", path, sizeof(path));
	pte0 = file_keyed_number(path, "pte", -1);
	pmd0 = file_keyed_number(path, "pmd", -1);
	pud0 = file_keyed_number(path, "pud", -1);
	ASSERT_LE(0, pte0);

	va = mmap(NULL, size + align, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, va);
	map = (char *)(((uintptr_t)va + align - 1) & ~(uintptr_t)(align - 1));
	ASSERT_EQ(0, vfio_set_memory_decode(self->fd, true));
	ASSERT_NE(MAP_FAILED, mmap(map, size, PROT_READ | PROT_WRITE,
				   MAP_SHARED | MAP_FIXED, self->fd, info->offset));
	for (off = 0; off < size; off += SZ_2M)
		(void)*(volatile char *)(map + off);
	pte = file_keyed_number(path, "pte", -1) - pte0;
	pmd = file_keyed_number(path, "pmd", -1) - pmd0;
	pud = file_keyed_number(path, "pud", -1) - pud0;
	TH_LOG("BAR%d, %llu MiB at %p: pte +%ld, pmd +%ld, pud +%ld", bar,
	       (unsigned long long)(size >> 20), map, pte, pmd, pud);
	if (barmap_huge_size("pud") && size >= SZ_1G) {
		EXPECT_EQ((long)(size / SZ_1G), pud);
		EXPECT_EQ(0, pmd);
		EXPECT_EQ(0, pte);
	} else if (barmap_huge_size("pmd")) {
		EXPECT_EQ((long)(size / barmap_huge_size("pmd")), pmd);
		EXPECT_EQ(0, pte);
	} else {
		EXPECT_EQ((long)(size / SZ_2M), pte);
	}
	munmap(va, size + align);
	free(info);
}

/*
 * The largest BAR's dma-buf, as an importer takes it: mapped into the
 * IOAS with IOMMU_IOAS_MAP_FILE (Linux 6.19+, where the kernel has
 * VFIO's dma-buf export), then unmapped.
 */
TEST_F(cdev, dmabuf_of_a_bar_maps_into_the_ioas)
{
	struct vfio_region_sparse_mmap_area areas[16];
	struct iommu_ioas_map_file map = { .size = sizeof(map) };
	struct iommu_ioas_unmap unmap = { .size = sizeof(unmap) };
	struct vfio_region_info *info;
	int bar, buf;

	if (!dmabuf_expected())
		SKIP(return, "kernel without CONFIG_VFIO_PCI_DMABUF");
	bar = largest_mmap_bar(self->fd, self->page);
	if (bar < 0)
		SKIP(return, "no mappable BAR of a page or more");
	info = vfio_region_info(self->fd, bar);
	ASSERT_NE(NULL, info);
	ASSERT_LT(0, vfio_mmap_areas(info, areas, 16));
	buf = get_dmabuf(self->fd, bar, areas[0].offset, areas[0].size);
	free(info);
	ASSERT_LE(0, buf) TH_LOG("dma-buf of BAR%d: %s", bar, strerror(-buf));

	map.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE;
	map.ioas_id = self->ioas;
	map.fd = buf;
	map.start = 0;
	map.length = areas[0].size;
	ASSERT_EQ(0, ioctl(self->iommufd, IOMMU_IOAS_MAP_FILE, &map))
		TH_LOG("IOMMU_IOAS_MAP_FILE of BAR%d's dma-buf: %s", bar,
		       strerror(errno));
	TH_LOG("BAR%d +0x%llx, 0x%llx bytes, at IOVA 0x%llx", bar,
	       (unsigned long long)areas[0].offset,
	       (unsigned long long)areas[0].size, (unsigned long long)map.iova);
	unmap.ioas_id = self->ioas;
	unmap.iova = map.iova;
	unmap.length = map.length;
	EXPECT_EQ(0, ioctl(self->iommufd, IOMMU_IOAS_UNMAP, &unmap));
	EXPECT_EQ(map.length, unmap.length);
	close(buf);
}

int main(int argc, char *argv[])
{
	device_bdf = vfio_selftests_get_bdf(&argc, argv);
	return test_harness_run(argc, argv);
}
