// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfio_pci_core.h has is_aligned_for_order(), the core's huge-fault
 * fit test.
 */
#include <linux/vfio_pci_core.h>

#ifndef BARMAP_PROBE_CONTROL
int barmap_probe(struct vm_area_struct *vma);

int barmap_probe(struct vm_area_struct *vma)
{
	return is_aligned_for_order(vma, 0, 0, 0);
}
#else
int barmap_probe;
#endif
