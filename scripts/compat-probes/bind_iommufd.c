// SPDX-License-Identifier: GPL-2.0-only
/*
 * Linux 6.2: vfio_device_ops has the iommufd callbacks.
 */
#include <linux/vfio_pci_core.h>

#ifndef BARMAP_PROBE_CONTROL
static const struct vfio_device_ops probe = {
	.bind_iommufd = vfio_iommufd_physical_bind,
};

const void *barmap_probe = &probe;
#else
const void *barmap_probe;
#endif
