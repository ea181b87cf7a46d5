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

#if BARMAP_ZAPS_PUDS
/*
 * Zap every PUD-sized block of @vma: the only places barmap inserts a PUD
 * entry.  PMD and PTE entries elsewhere stay, the kernel moves and splits
 * those.
 */
static void barmap_zap_puds(struct vm_area_struct *vma)
{
	unsigned long addr = ALIGN(vma->vm_start, PUD_SIZE);

	/* No fault under the per-VMA lock may refill it meanwhile. */
	vma_start_write(vma);
	/* addr < vm_start: ALIGN() or the last step wrapped */
	while (addr >= vma->vm_start && addr < vma->vm_end &&
	       vma->vm_end - addr >= PUD_SIZE) {
		zap_special_vma_range(vma, addr, PUD_SIZE);
		addr += PUD_SIZE;
	}
}

/*
 * The VMA is about to be split at @addr: munmap() or mprotect() of part
 * of it, or mremap() moving part of it.  No leaf PUD entry may be left
 * for either on a kernel without the mm fixes (BARMAP_ZAPS_PUDS).  Its
 * core splits a PMD entry that straddles the boundary
 * (vma_adjust_trans_huge()) but not a PUD entry, which would later be
 * zapped through a VMA that no longer covers it (DEBUG_VM kernels catch
 * that in __split_huge_pud_locked()).  And its move_page_tables() does
 * not move a leaf PUD: get_old_pud() takes it for a bad entry, logs "bad
 * pud" and clears it without a TLB flush, which would leave a CPU
 * translating the old address to the BAR.  This hook cannot tell a move
 * from the others, so every PUD block of the VMA goes; the next access
 * refaults each at the largest size that fits where it then is.
 */
static int barmap_may_split(struct vm_area_struct *vma, unsigned long addr)
{
	mmap_assert_write_locked(vma->vm_mm);
	barmap_zap_puds(vma);
	return 0;
}

/*
 * The mapping mremap() is about to move whole (the move of part of one
 * splits it first: ->may_split): same file and range of the BAR, in
 * the same mm, elsewhere.
 */
static bool barmap_vma_is_mremap_source(struct vm_area_struct *other,
					struct vm_area_struct *copy)
{
	return other != copy && other->vm_ops == copy->vm_ops &&
	       other->vm_file == copy->vm_file &&
	       other->vm_pgoff == copy->vm_pgoff &&
	       other->vm_end - other->vm_start >=
	       copy->vm_end - copy->vm_start &&
	       (other->vm_end <= copy->vm_start ||
		other->vm_start >= copy->vm_end);
}

/*
 * ->open of a copy of a barmap VMA: fork (into another mm), a split (the
 * copy overlaps its original, still in the tree) or mremap() moving a
 * whole mapping (a copy at a new, empty address, made before any page
 * table moves).  For a move, zap the PUD blocks of the source first (see
 * barmap_may_split()): the moved mapping refaults there.
 */
static void barmap_vm_open(struct vm_area_struct *vma)
{
	VMA_ITERATOR(vmi, vma->vm_mm, 0);
	struct vm_area_struct *other;

	if (vma->vm_mm != current->mm)
		return;

	mmap_assert_write_locked(vma->vm_mm);
	if (find_vma_intersection(vma->vm_mm, vma->vm_start, vma->vm_end))
		return;

	for_each_vma(vmi, other) {
		if (barmap_vma_is_mremap_source(other, vma))
			barmap_zap_puds(other);
	}
}
#endif

static const struct vm_operations_struct barmap_vm_ops = {
	.fault = barmap_fault,
#ifdef CONFIG_ARCH_SUPPORTS_HUGE_PFNMAP
	.huge_fault = barmap_huge_fault,
#endif
#if BARMAP_ZAPS_PUDS
	.may_split = barmap_may_split,
	.open = barmap_vm_open,
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
