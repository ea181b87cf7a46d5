// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfio_device has the core's debugfs directory of the device, debug_root
 * (filled where the kernel has VFIO_DEBUGFS): not in 6.1; in 6.12 only
 * with DEBUG_FS, in 7.x always.
 */
#include <linux/vfio_pci_core.h>

#ifndef BARMAP_PROBE_CONTROL
int barmap_probe = sizeof(((struct vfio_device *)0)->debug_root);
#else
int barmap_probe;
#endif
