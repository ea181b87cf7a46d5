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
#include <linux/pfn_t.h>

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

/**
 * barmap_mmap_check - barmap's policy on top of vfio-pci-core's mmap checks
 * @bdev: the device; open, so its layouts are valid
 * @vma: the mapping being created
 *
 * With msix_mmap set, every page of the page-rounded BAR may be mapped,
 * MSI-X included, as MSIX_MAPPABLE promises.  Without it, a mapping must
 * lie inside the advertised areas (one, or several adjacent ones), so the
 * MSI-X table and PBA pages stay out of userspace's reach.
 *
 * Return: 0 if vfio-pci-core's checks should decide, -EINVAL otherwise.
 */
static int barmap_mmap_check(struct barmap_device *bdev,
			     struct vm_area_struct *vma)
{
	unsigned int bar = barmap_vma_bar(vma);

	if (bar > VFIO_PCI_BAR5_REGION_INDEX || bdev->msix_mmap)
		return 0;
	if (!barmap_layout_covers(&bdev->bars[bar].layout,
				  barmap_vma_bar_offset(vma),
				  vma->vm_end - vma->vm_start))
		return -EINVAL;
	return 0;
}

/* Below D3hot: what vfio-pci-core's "current_state < PCI_D3hot" means. */
static bool barmap_powered(const struct pci_dev *pdev)
{
	pci_power_t state = pdev->current_state;

	return state != PCI_D3hot && state != PCI_D3cold &&
	       state != PCI_UNKNOWN;
}

/*
 * Whether the device decodes memory now.  vfio-pci-core has the same test
 * but does not export it: memory accesses need PCI_COMMAND_MEMORY in the
 * virtualised command register (VFs have none: their PF's SR-IOV MSE bit
 * governs) and a powered device.
 */
static bool barmap_memory_enabled_locked(struct vfio_pci_core_device *vdev)
{
	struct pci_dev *pdev = vdev->pdev;
	u16 cmd = le16_to_cpu(*(__le16 *)&vdev->vconfig[PCI_COMMAND]);

	lockdep_assert_held(&vdev->memory_lock);

	return barmap_powered(pdev) &&
	       (pdev->no_command_memory || (cmd & PCI_COMMAND_MEMORY));
}

static void barmap_count(struct barmap_device *bdev, enum barmap_fault_stat s)
{
	atomic_long_inc(&bdev->faults[s]);
}

static vm_fault_t barmap_insert_pfn_locked(struct barmap_device *bdev,
					   struct vm_fault *vmf,
					   unsigned long pfn, unsigned int order)
{
	lockdep_assert_held_read(&bdev->core_device.memory_lock);

	switch (order) {
	case 0:
		barmap_count(bdev, BARMAP_FAULT_PTE);
		return vmf_insert_pfn(vmf->vma, vmf->address, pfn);
#ifdef CONFIG_ARCH_SUPPORTS_PMD_PFNMAP
	case PMD_ORDER:
		barmap_count(bdev, BARMAP_FAULT_PMD);
		return vmf_insert_pfn_pmd(vmf, __pfn_to_pfn_t(pfn, PFN_DEV),
					  false);
#endif
#ifdef CONFIG_ARCH_SUPPORTS_PUD_PFNMAP
	case PUD_ORDER:
		barmap_count(bdev, BARMAP_FAULT_PUD);
		return vmf_insert_pfn_pud(vmf, __pfn_to_pfn_t(pfn, PFN_DEV),
					  false);
#endif
	}
	return VM_FAULT_FALLBACK;
}

/*
 * A huge entry must stay inside the VMA, inside one advertised area (never
 * over an MSI-X hole) and map an order-aligned pfn.
 */
static bool barmap_huge_fits(struct barmap_device *bdev,
			     struct vm_area_struct *vma, unsigned long addr,
			     unsigned long pfn, unsigned int order)
{
	unsigned long size = PAGE_SIZE << order;
	u64 offset = barmap_vma_bar_offset(vma) + (addr - vma->vm_start);

	return addr >= vma->vm_start && size <= vma->vm_end - addr &&
	       IS_ALIGNED(pfn, 1UL << order) &&
	       barmap_layout_in_one_area(&bdev->bars[barmap_vma_bar(vma)].layout,
					 offset, size);
}

static vm_fault_t barmap_huge_fault(struct vm_fault *vmf, unsigned int order)
{
	struct vm_area_struct *vma = vmf->vma;
	struct barmap_device *bdev = vma->vm_private_data;
	struct vfio_pci_core_device *vdev = &bdev->core_device;
	unsigned long addr = ALIGN_DOWN(vmf->address, PAGE_SIZE << order);
	unsigned long pfn;
	vm_fault_t ret;

	pfn = (pci_resource_start(vdev->pdev, barmap_vma_bar(vma)) +
	       barmap_vma_bar_offset(vma) + (addr - vma->vm_start)) >> PAGE_SHIFT;

	if (order && !barmap_huge_fits(bdev, vma, addr, pfn, order)) {
		barmap_count(bdev, BARMAP_FAULT_FALLBACK);
		return VM_FAULT_FALLBACK;
	}

	down_read(&vdev->memory_lock);
	if (vdev->pm_runtime_engaged || !barmap_memory_enabled_locked(vdev)) {
		barmap_count(bdev, BARMAP_FAULT_SIGBUS);
		ret = VM_FAULT_SIGBUS;
	} else {
		ret = barmap_insert_pfn_locked(bdev, vmf, pfn, order);
	}
	up_read(&vdev->memory_lock);

	return ret;
}

static vm_fault_t barmap_fault(struct vm_fault *vmf)
{
	return barmap_huge_fault(vmf, 0);
}

#ifdef CONFIG_ARCH_SUPPORTS_PUD_PFNMAP
/*
 * The VMA is about to be split at @addr (munmap, mprotect or mremap of
 * part of it).  The core splits a PMD entry that straddles the new
 * boundary (vma_adjust_trans_huge()) but not a PUD entry: that one would
 * later be zapped through a VMA that no longer covers it, which DEBUG_VM
 * kernels catch in __split_huge_pud_locked().  So zap the PUD range
 * around @addr first; the next access refaults each half at the largest
 * size that fits it.
 */
static int barmap_may_split(struct vm_area_struct *vma, unsigned long addr)
{
	unsigned long start = ALIGN_DOWN(addr, PUD_SIZE);

	mmap_assert_write_locked(vma->vm_mm);

	/* barmap never inserts a PUD entry that the VMA does not cover. */
	if (start == addr || start < vma->vm_start ||
	    vma->vm_end - start < PUD_SIZE)
		return 0;

	/* No fault under the per-VMA lock may refill it before the split. */
	vma_start_write(vma);
	zap_vma_ptes(vma, start, PUD_SIZE);
	return 0;
}
#endif

static const struct vm_operations_struct barmap_vm_ops = {
	.fault = barmap_fault,
#ifdef CONFIG_ARCH_SUPPORTS_HUGE_PFNMAP
	.huge_fault = barmap_huge_fault,
#endif
#ifdef CONFIG_ARCH_SUPPORTS_PUD_PFNMAP
	.may_split = barmap_may_split,
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
	if (ret || barmap_vma_bar(vma) > VFIO_PCI_BAR5_REGION_INDEX ||
	    !BARMAP_OWNS_FAULTS)
		return ret;

	vma->vm_private_data = bdev;
	vma->vm_ops = &barmap_vm_ops;
	return 0;
}
