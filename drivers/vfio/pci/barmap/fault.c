// SPDX-License-Identifier: GPL-2.0-only
/*
 * mmap of BARs and the faults on those mappings.
 *
 * vfio-pci-core sets a BAR mapping up (flags, caching, the BAR's regions
 * requested); barmap-vfio-pci then installs its own vm_operations so a
 * fault can insert the largest mapping that the advertised layout allows:
 * a PUD or PMD entry where the order-aligned range lies inside the VMA and
 * inside one area and the pfn is order-aligned, a PTE otherwise.
 *
 * vm_pgoff is left as userspace passed it, the region offset of the BAR:
 * vfio-pci-core zaps every BAR mapping of the device file on reset,
 * memory-decode disable and runtime suspend with unmap_mapping_range(),
 * and that reaches barmap's VMAs the same way.
 */

#include <linux/mm.h>
#include <linux/pci.h>

#include "barmap.h"

#define BARMAP_PGOFF_INDEX_SHIFT	(VFIO_PCI_OFFSET_SHIFT - PAGE_SHIFT)

static unsigned int barmap_vma_bar(const struct vm_area_struct *vma)
{
	return vma->vm_pgoff >> BARMAP_PGOFF_INDEX_SHIFT;
}

/* Offset of the VMA's start inside its BAR. */
static u64 barmap_vma_bar_offset(const struct vm_area_struct *vma)
{
	return ((u64)vma->vm_pgoff << PAGE_SHIFT) & VFIO_PCI_OFFSET_MASK;
}

/*
 * barmap's policy on top of vfio-pci-core's mmap checks: the range must
 * be one userspace may map (barmap_bar_mappable()).  Other regions are
 * vfio-pci-core's alone.
 */
static int barmap_mmap_check(struct barmap_device *bdev,
			     struct vm_area_struct *vma)
{
	unsigned int bar = barmap_vma_bar(vma);

	if (bar > VFIO_PCI_BAR5_REGION_INDEX)
		return 0;
	if (!barmap_bar_mappable(bdev, bar, barmap_vma_bar_offset(vma),
				 vma->vm_end - vma->vm_start))
		return -EINVAL;
	return 0;
}

static void barmap_count(struct barmap_device *bdev, enum barmap_fault_stat s)
{
	atomic_long_inc(&bdev->faults[s]);
}

/* What a fault of @order returned, in the debugfs counters. */
static void barmap_count_fault(struct barmap_device *bdev, unsigned int order,
			       vm_fault_t ret)
{
	if (ret & VM_FAULT_SIGBUS)
		barmap_count(bdev, BARMAP_FAULT_SIGBUS);
	else if (ret & VM_FAULT_FALLBACK)
		barmap_count(bdev, BARMAP_FAULT_FALLBACK);
	else if (!order)
		barmap_count(bdev, BARMAP_FAULT_PTE);
	else if (order == PMD_ORDER)
		barmap_count(bdev, BARMAP_FAULT_PMD);
	else
		barmap_count(bdev, BARMAP_FAULT_PUD);
}

/* The pfn that @addr of @vma maps. */
static unsigned long barmap_vma_pfn(struct vm_area_struct *vma,
				    unsigned long addr)
{
	struct barmap_device *bdev = vma->vm_private_data;
	struct pci_dev *pdev = barmap_pdev(bdev);

	return (pci_resource_start(pdev, barmap_vma_bar(vma)) +
		barmap_vma_bar_offset(vma) + (addr - vma->vm_start)) >>
	       PAGE_SHIFT;
}

/*
 * vfio-pci-core's rule (inside the VMA, pfn order-aligned) and barmap's
 * own: inside one advertised area, so a huge entry never reaches over an
 * MSI-X hole.
 */
static bool barmap_order_fits(struct barmap_device *bdev,
			      struct vm_area_struct *vma, unsigned long addr,
			      unsigned long pfn, unsigned int order)
{
	u64 offset = barmap_vma_bar_offset(vma) + (addr - vma->vm_start);

	if (!is_aligned_for_order(vma, addr, pfn, order))
		return false;
	return !order ||
	       barmap_layout_in_one_area(&bdev->bars[barmap_vma_bar(vma)].layout,
					 offset, PAGE_SIZE << order);
}

static vm_fault_t barmap_huge_fault(struct vm_fault *vmf, unsigned int order)
{
	struct vm_area_struct *vma = vmf->vma;
	struct barmap_device *bdev = vma->vm_private_data;
	struct vfio_pci_core_device *vdev = &bdev->core_device;
	unsigned long addr = ALIGN_DOWN(vmf->address, PAGE_SIZE << order);
	unsigned long pfn = barmap_vma_pfn(vma, addr);
	vm_fault_t ret = VM_FAULT_FALLBACK;

	if (barmap_order_fits(bdev, vma, addr, pfn, order)) {
		scoped_guard(rwsem_read, &vdev->memory_lock)
			ret = vfio_pci_vmf_insert_pfn(vdev, vmf, pfn, order);
	}

	barmap_count_fault(bdev, order, ret);
	return ret;
}

static vm_fault_t barmap_fault(struct vm_fault *vmf)
{
	return barmap_huge_fault(vmf, 0);
}

static const struct vm_operations_struct barmap_vm_ops = {
	.fault = barmap_fault,
#ifdef CONFIG_ARCH_SUPPORTS_HUGE_PFNMAP
	.huge_fault = barmap_huge_fault,
#endif
};

/**
 * barmap_mmap - mmap of a device region
 * @bdev: the device
 * @vma: the new mapping
 *
 * Non-BAR regions are vfio-pci-core's alone.  For BARs, barmap's policy
 * first, then vfio-pci-core's checks and set-up, then barmap's faults.
 *
 * Return: 0 or a negative errno.
 */
int barmap_mmap(struct barmap_device *bdev, struct vm_area_struct *vma)
{
	int ret;

	ret = barmap_mmap_check(bdev, vma);
	if (ret)
		return ret;

	ret = vfio_pci_core_mmap(&bdev->core_device.vdev, vma);
	if (ret || barmap_vma_bar(vma) > VFIO_PCI_BAR5_REGION_INDEX)
		return ret;

	vma->vm_private_data = bdev;
	vma->vm_ops = &barmap_vm_ops;
	return 0;
}
