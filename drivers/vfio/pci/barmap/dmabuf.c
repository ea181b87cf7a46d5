// SPDX-License-Identifier: GPL-2.0-only
/*
 * BARs exported as dma-bufs (VFIO_DEVICE_FEATURE_DMA_BUF).
 *
 * vfio-pci-core checks that each range is page-aligned and inside the
 * BAR, but not whether userspace may map it.  barmap holds a dma-buf to
 * the pages its mmap allows: a peer device reaching an MSI-X page that
 * mmap refuses would defeat msix_mmap=0, and a BAR without MMAP (a
 * sub-page BAR whose page is shared) must not be reachable either.
 */

#include <linux/vfio_pci_core.h>

#include "barmap.h"

/*
 * The core's checks first, so that a range it refuses fails as it does
 * under vfio-pci (EOVERFLOW for one that wraps, EINVAL beyond the BAR);
 * then barmap's, on ranges the core found inside the BAR.
 */
static int barmap_get_dmabuf_phys(struct vfio_pci_core_device *vdev,
				  struct p2pdma_provider **provider,
				  unsigned int region_index,
				  struct phys_vec *phys_vec,
				  struct vfio_region_dma_range *dma_ranges,
				  size_t nr_ranges)
{
	struct barmap_device *bdev = barmap_from_core(vdev);
	size_t i;
	int ret;

	ret = vfio_pci_core_get_dmabuf_phys(vdev, provider, region_index,
					    phys_vec, dma_ranges, nr_ranges);
	if (ret)
		return ret;

	for (i = 0; i < nr_ranges; i++)
		if (!barmap_bar_mappable(bdev, region_index,
					 dma_ranges[i].offset,
					 dma_ranges[i].length))
			return -EINVAL;

	return 0;
}

static const struct vfio_pci_device_ops barmap_pci_dev_ops = {
	.get_dmabuf_phys = barmap_get_dmabuf_phys,
};

/* At probe: the device exports dma-bufs where the kernel can. */
void barmap_dmabuf_init(struct barmap_device *bdev)
{
	bdev->core_device.pci_ops = &barmap_pci_dev_ops;
}
