// SPDX-License-Identifier: GPL-2.0-only
/*
 * Linux 6.19: vfio_main answers REGION_INFO through .get_region_info_caps,
 * and vfio-pci-core exports its handler for the indexes a variant leaves
 * to it.
 */
#include <linux/vfio_pci_core.h>

#ifndef BARMAP_PROBE_CONTROL
static const struct vfio_device_ops probe = {
	.get_region_info_caps = vfio_pci_ioctl_get_region_info,
};

const void *barmap_probe = &probe;
#else
const void *barmap_probe;
#endif
