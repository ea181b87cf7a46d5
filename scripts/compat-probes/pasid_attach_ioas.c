// SPDX-License-Identifier: GPL-2.0-only
/*
 * Linux 6.15: iommufd PASID attach and detach callbacks.
 */
#include <linux/vfio_pci_core.h>

#ifndef BARMAP_PROBE_CONTROL
static const struct vfio_device_ops probe = {
	.pasid_attach_ioas = vfio_iommufd_physical_pasid_attach_ioas,
};

const void *barmap_probe = &probe;
#else
const void *barmap_probe;
#endif
