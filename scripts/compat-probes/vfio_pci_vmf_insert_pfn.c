// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfio-pci-core exports its checked PTE/PMD/PUD insertion for variants'
 * fault handlers.
 */
#include <linux/vfio_pci_core.h>

#ifndef BARMAP_PROBE_CONTROL
void *barmap_probe = vfio_pci_vmf_insert_pfn;
#else
void *barmap_probe;
#endif
