// SPDX-License-Identifier: GPL-2.0-only
/* Compiles where vfio_device_ops has the iommufd callbacks (Linux 6.2+). */
#include <linux/vfio.h>

static const struct vfio_device_ops probe = {
	.bind_iommufd = vfio_iommufd_physical_bind,
};

const void *barmap_probe = &probe;
