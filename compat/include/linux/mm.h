/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Out-of-tree builds only: <linux/mm.h> with what an older kernel lacks,
 * backported under its mainline name (see vfio_pci_core.h here).
 */
#ifndef BARMAP_COMPAT_LINUX_MM_H
#define BARMAP_COMPAT_LINUX_MM_H

#include_next <linux/mm.h>

#ifndef BARMAP_HAS_ZAP_SPECIAL_VMA_RANGE
#error "barmap-vfio-pci: a compat probe answer is missing; build through the top-level Kbuild"
#endif

#if !BARMAP_HAS_ZAP_SPECIAL_VMA_RANGE
static inline void zap_special_vma_range(struct vm_area_struct *vma,
					 unsigned long address,
					 unsigned long size)
{
	zap_vma_ptes(vma, address, size);
}
#endif

#endif /* BARMAP_COMPAT_LINUX_MM_H */
