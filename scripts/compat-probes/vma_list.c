// SPDX-License-Identifier: GPL-2.0-only
/*
 * Before Linux 6.12 vfio-pci-core kept its own list of BAR mappings and
 * zapped only those on reset and decode-off (answers y there).
 */
#include <linux/vfio_pci_core.h>

#ifndef BARMAP_PROBE_CONTROL
int barmap_probe = sizeof(((struct vfio_pci_core_device *)0)->vma_list);
#else
int barmap_probe;
#endif
