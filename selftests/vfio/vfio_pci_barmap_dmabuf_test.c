// SPDX-License-Identifier: GPL-2.0-only
/*
 * BARs exported as dma-bufs (VFIO_DEVICE_FEATURE_DMA_BUF, Linux 6.19+),
 * run in the guest per device of the matrix (VFIO_SELFTESTS_BDF or the
 * command line), and by the rig against stock vfio-pci on the same device:
 *   BARMAP_MSIX_MMAP=1|0   the module's msix_mmap parameter
 * barmap exports what vfio-pci does for the pages it lets userspace map,
 * and refuses (EINVAL) ranges touching pages it does not: MSI-X pages
 * with msix_mmap=0, BARs without MMAP.  On kernels without the feature
 * every test reports SKIP.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <libvfio.h>

#include "kselftest_harness.h"
#include "vfio_util.h"

/* 0 if a dma-buf of the range can be had (and is closed again), or -errno. */
static int try_dmabuf(int fd, unsigned int bar, uint64_t off, uint64_t len)
{
	int buf = get_dmabuf(fd, bar, off, len);

	if (buf < 0)
		return buf;
	close(buf);
	return 0;
}

FIXTURE(dmabuf) {
	struct vfio_dev dev;
	bool msix_mmap;
	long page;
};

FIXTURE_SETUP(dmabuf)
{
	struct vfio_device_feature probe = {
		.argsz = sizeof(probe),
		.flags = VFIO_DEVICE_FEATURE_PROBE | VFIO_DEVICE_FEATURE_GET |
			 VFIO_DEVICE_FEATURE_DMA_BUF,
	};
	const char *msix = getenv("BARMAP_MSIX_MMAP");
	int ret = vfio_dev_open(&self->dev, device_bdf);

	ASSERT_EQ(0, ret) TH_LOG("open %s: %s", device_bdf, strerror(-ret));
	self->page = sysconf(_SC_PAGESIZE);
	self->msix_mmap = !msix || strcmp(msix, "0");
	/*
	 * Whether the kernel has dma-buf export is the kernel's to say (the
	 * rig reads its configuration: BARMAP_EXPECT_DMABUF); where it has
	 * it, the driver must offer it as vfio-pci does.
	 */
	if (!dmabuf_expected())
		SKIP(return, "kernel without CONFIG_VFIO_PCI_DMABUF");
	ASSERT_EQ(0, ioctl(self->dev.fd, VFIO_DEVICE_FEATURE, &probe))
		TH_LOG("probing DMA_BUF: %s", strerror(errno));
}

FIXTURE_TEARDOWN(dmabuf)
{
	vfio_dev_close(&self->dev);
}

static bool in_areas(const struct vfio_region_sparse_mmap_area *areas,
		     unsigned int nr, uint64_t off)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		if (off >= areas[i].offset && off - areas[i].offset < areas[i].size)
			return true;
	return false;
}

/*
 * The region info of @bar if it is a BAR a dma-buf can cover (MMAP, at
 * least a page), else NULL.
 */
static struct vfio_region_info *page_bar_info(int fd, unsigned int bar,
					      long page)
{
	struct vfio_region_info *info = vfio_region_info(fd, bar);

	if (info && info->flags & VFIO_REGION_INFO_FLAG_MMAP &&
	    info->size >= (uint64_t)page)
		return info;
	free(info);
	return NULL;
}

TEST_F(dmabuf, every_advertised_area_exports)
{
	struct vfio_region_sparse_mmap_area areas[16];
	struct vfio_region_info *info;
	unsigned int bar, i, nr, checked = 0;
	unsigned int exported_bars = 0;

	for (bar = 0; bar <= VFIO_PCI_BAR5_REGION_INDEX; bar++) {
		info = page_bar_info(self->dev.fd, bar, self->page);
		if (!info)
			continue;
		nr = vfio_mmap_areas(info, areas, 16);
		exported_bars += nr > 0;
		for (i = 0; i < nr; i++, checked++)
			EXPECT_EQ(0, try_dmabuf(self->dev.fd, bar,
						areas[i].offset, areas[i].size))
				TH_LOG("BAR%u area 0x%llx+0x%llx", bar,
				       (unsigned long long)areas[i].offset,
				       (unsigned long long)areas[i].size);
		free(info);
	}
	TH_LOG("%u areas exported", checked);
	/*
	 * Every BAR of a page or more exports under msix_mmap=1, as it maps
	 * (counted from sysfs); without it a BAR of MSI-X alone has no MMAP.
	 */
	if (self->msix_mmap)
		EXPECT_EQ(rig_page_bars(self->dev.bdf), exported_bars);
}

/*
 * Pages of a mappable BAR outside every area hold MSI-X: exported with
 * msix_mmap, as mmap allows them; EINVAL without, alone or as part of
 * the whole BAR.
 */
TEST_F(dmabuf, msix_pages_follow_msix_mmap)
{
	struct vfio_region_sparse_mmap_area areas[16];
	int want = self->msix_mmap ? 0 : -EINVAL;
	struct vfio_region_info *info;
	unsigned int bar, nr, checked = 0;
	uint64_t off;

	for (bar = 0; bar <= VFIO_PCI_BAR5_REGION_INDEX; bar++) {
		info = page_bar_info(self->dev.fd, bar, self->page);
		if (!info)
			continue;
		nr = vfio_mmap_areas(info, areas, 16);
		for (off = 0; off < info->size; off += self->page) {
			if (in_areas(areas, nr, off))
				continue;
			EXPECT_EQ(want, try_dmabuf(self->dev.fd, bar, off,
						   self->page))
				TH_LOG("BAR%u page 0x%llx", bar,
				       (unsigned long long)off);
			EXPECT_EQ(want, try_dmabuf(self->dev.fd, bar, 0,
						   info->size))
				TH_LOG("BAR%u whole", bar);
			checked++;
		}
		free(info);
	}
	TH_LOG("%u MSI-X pages checked (msix_mmap=%d)", checked,
	       self->msix_mmap);
}

/*
 * A memory BAR without MMAP (its page shared, or nothing left by
 * msix_mmap=0) is not exported, nor is anything of a sub-page BAR
 * (vfio-pci-core wants whole pages inside the BAR).
 */
TEST_F(dmabuf, bars_without_mmap_are_not_exported)
{
	struct vfio_region_info *info;
	unsigned int bar, checked = 0;
	uint64_t len;

	for (bar = VFIO_PCI_BAR0_REGION_INDEX;
	     bar <= VFIO_PCI_BAR5_REGION_INDEX; bar++) {
		info = vfio_region_info(self->dev.fd, bar);
		ASSERT_NE(NULL, info);
		if (!info->size ||
		    (info->flags & VFIO_REGION_INFO_FLAG_MMAP &&
		     info->size >= (uint64_t)self->page)) {
			free(info);
			continue;
		}
		len = info->size < (uint64_t)self->page ? self->page : info->size;
		EXPECT_NE(0, try_dmabuf(self->dev.fd, bar, 0, len))
			TH_LOG("BAR%u (flags 0x%x) exported", bar, info->flags);
		checked++;
		free(info);
	}
	TH_LOG("%u BARs checked", checked);
}

/*
 * A range whose end wraps past the top of the physical address space is
 * the core's to refuse, with EOVERFLOW, before any question of which
 * pages may be mapped: the same answer as vfio-pci's, whatever msix_mmap.
 */
TEST_F(dmabuf, wrapping_range_fails_with_eoverflow)
{
	uint64_t top = ~0ULL & ~((uint64_t)self->page - 1);
	struct vfio_region_info *info;
	unsigned int bar, checked = 0;

	for (bar = 0; bar <= VFIO_PCI_BAR5_REGION_INDEX; bar++) {
		info = page_bar_info(self->dev.fd, bar, self->page);
		if (!info)
			continue;
		EXPECT_EQ(-EOVERFLOW, try_dmabuf(self->dev.fd, bar, top,
						 self->page))
			TH_LOG("BAR%u offset 0x%llx", bar,
			       (unsigned long long)top);
		free(info);
		checked++;
	}
	if (!checked)
		SKIP(return, "no BAR of a page or more with MMAP");
}

int main(int argc, char *argv[])
{
	device_bdf = vfio_selftests_get_bdf(&argc, argv);
	return test_harness_run(argc, argv);
}
