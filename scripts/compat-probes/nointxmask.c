// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfio-pci-core keeps nointxmask, disable_idle_d3 and disable_vga per
 * device, set by the driver before vfio_pci_core_init_dev() (Linux 7.x).
 * Before, nointxmask and disable_vga were one value for all devices and
 * the core's init set disable_idle_d3 from vfio-pci's parameter.
 */
#include <linux/vfio_pci_core.h>

#ifndef BARMAP_PROBE_CONTROL
void barmap_probe(struct vfio_pci_core_device *vdev);

void barmap_probe(struct vfio_pci_core_device *vdev)
{
	vdev->nointxmask = true;
}
#else
int barmap_probe;
#endif
