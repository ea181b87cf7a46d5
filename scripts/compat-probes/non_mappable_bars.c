// SPDX-License-Identifier: GPL-2.0-only
/*
 * The PCI core marks devices whose BARs must not be mapped (s390 ISM);
 * vfio-pci-core then maps none.  Older kernels had CONFIG_VFIO_PCI_MMAP.
 */
#include <linux/vfio_pci_core.h>

#ifndef BARMAP_PROBE_CONTROL
int barmap_probe(struct pci_dev *pdev);

int barmap_probe(struct pci_dev *pdev)
{
	return pdev->non_mappable_bars;
}
#else
int barmap_probe;
#endif
