/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * barmap-vfio-pci: a vfio-pci variant driver that makes BARs map well
 * into any VMM.
 */
#ifndef BARMAP_H
#define BARMAP_H

#include <linux/vfio_pci_core.h>

/**
 * struct barmap_device - one device bound to barmap-vfio-pci
 * @core_device: vfio-pci-core state; first, so the core's container_of works
 */
struct barmap_device {
	struct vfio_pci_core_device core_device;
};

static inline struct barmap_device *
barmap_from_core(struct vfio_pci_core_device *core_device)
{
	return container_of(core_device, struct barmap_device, core_device);
}

static inline struct barmap_device *barmap_from_vfio(struct vfio_device *vdev)
{
	return barmap_from_core(container_of(vdev, struct vfio_pci_core_device,
					     vdev));
}

#endif /* BARMAP_H */
