// SPDX-License-Identifier: GPL-2.0-only
/*
 * Compiles where vfio-pci-core keeps its own list of BAR mappings
 * (before Linux 6.12) and zaps only those, instead of unmapping the
 * device file's address space.
 */
#include <linux/vfio_pci_core.h>

int barmap_probe = sizeof(((struct vfio_pci_core_device *)0)->vma_list);
