// SPDX-License-Identifier: GPL-2.0-only
/*
 * Linux 7.2 renamed zap_vma_ptes() to zap_special_vma_range().
 */
#include <linux/vfio_pci_core.h>

#ifndef BARMAP_PROBE_CONTROL
void *barmap_probe = zap_special_vma_range;
#else
void *barmap_probe;
#endif
