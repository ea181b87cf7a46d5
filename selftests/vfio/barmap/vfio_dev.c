// SPDX-License-Identifier: GPL-2.0-only
/*
 * A device opened through its group with upstream's libvfio; apart from
 * vfio_util.c so that the host-side unit tests, which link vfio_util.c,
 * need neither libvfio nor libuuid.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <libvfio.h>

#include "vfio_util.h"

int vfio_dev_open_token(struct vfio_dev *dev, const char *bdf,
			const char *vf_token)
{
	unsigned int i;
	int ret;

	memset(dev, 0, sizeof(*dev));
	snprintf(dev->bdf, sizeof(dev->bdf), "%s", bdf);
	dev->iommu = iommu_init(MODE_VFIO_TYPE1V2_IOMMU);
	dev->device = vfio_pci_device_alloc(dev->bdf, dev->iommu);
	/* As vfio_pci_device_setup() would: no eventfd is open. */
	for (i = 0; i < ARRAY_SIZE(dev->device->msi_eventfds); i++)
		dev->device->msi_eventfds[i] = -1;
	vfio_pci_group_setup(dev->device, bdf);
	dev->group = dev->device->group_fd;
	vfio_container_set_iommu(dev->device);
	__vfio_pci_group_get_device_fd(dev->device, bdf, vf_token);
	dev->fd = dev->device->fd;
	if (dev->fd < 0) {
		ret = -errno;
		vfio_dev_close(dev);
		return ret;
	}
	return 0;
}

void vfio_dev_close(struct vfio_dev *dev)
{
	if (dev->fd >= 0 && dev->device)
		close(dev->fd);
	if (dev->group > 0)
		close(dev->group);
	if (dev->device)
		vfio_pci_device_free(dev->device);
	if (dev->iommu)
		iommu_cleanup(dev->iommu);
	dev->device = NULL;
	dev->iommu = NULL;
	dev->fd = -1;
	dev->group = -1;
}
