// SPDX-License-Identifier: GPL-2.0-only
/*
 * The page-granular layout of each BAR, as userspace sees it.
 *
 * At open the layout of every memory BAR is computed once from facts that
 * cannot change while the device is open (BAR placement, page and huge
 * sizes, whether the BAR may be mapped, where MSI-X lives).  REGION_INFO
 * advertises it as a SPARSE_MMAP capability (BARs of a page or more with an
 * area: one of MSI-X alone is answered as vfio-pci answers it) and mmap
 * enforces it; at close it is forgotten.
 */

#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/pgtable.h>
#include <linux/uaccess.h>
#include <linux/vfio.h>

#include "barmap.h"

/*
 * The huge sizes a fault can insert a mapping of.  Zero where the
 * architecture cannot, or where a folded level makes PUD no bigger than
 * PMD.
 */
void barmap_huge_shifts(unsigned int shifts[2])
{
	unsigned int pud_shift = PUD_SHIFT;

	shifts[0] = IS_ENABLED(CONFIG_ARCH_SUPPORTS_PMD_PFNMAP) ? PMD_SHIFT : 0;
	shifts[1] = IS_ENABLED(CONFIG_ARCH_SUPPORTS_PUD_PFNMAP) &&
		    pud_shift > PMD_SHIFT ? pud_shift : 0;
}

/*
 * vfio-pci-core caches where the MSI-X table is at enable time but not
 * the PBA: read that from config space (read-only, so no need for the
 * virtualised copy).
 */
static void barmap_msix_facts(struct vfio_pci_core_device *vdev, int bar,
			      struct barmap_bar_facts *facts)
{
	struct pci_dev *pdev = vdev->pdev;
	u16 flags;
	u32 pba;

	if (!pdev->msix_cap)
		return;

	if (vdev->msix_bar == bar) {
		facts->msix[0].offset = vdev->msix_offset;
		facts->msix[0].size = vdev->msix_size;
	}

	pci_read_config_word(pdev, pdev->msix_cap + PCI_MSIX_FLAGS, &flags);
	pci_read_config_dword(pdev, pdev->msix_cap + PCI_MSIX_PBA, &pba);
	if ((pba & PCI_MSIX_PBA_BIR) == bar) {
		facts->msix[1].offset = pba & PCI_MSIX_PBA_OFFSET;
		/* One pending bit per vector, in whole qwords. */
		facts->msix[1].size =
			DIV_ROUND_UP((flags & PCI_MSIX_FLAGS_QSIZE) + 1, 64) * 8;
	}
}

static bool barmap_bar_has_msix(const struct barmap_bar_facts *facts)
{
	return facts->msix[0].size || facts->msix[1].size;
}

/*
 * Called once the facts are in: why the BAR loses mmap at this open, or
 * NULL if it keeps what vfio-pci-core allowed.  barmap only ever takes
 * mmap away.
 */
static const char *barmap_bar_mmap_refusal(struct barmap_bar *b)
{
	/* vfio-pci-core allows it; but the areas would not be pages. */
	if (b->facts.size >= PAGE_SIZE && !PAGE_ALIGNED(b->facts.phys))
		return "is not page-aligned";
	if (barmap_layout_compute(&b->facts, &b->layout))
		return "has no page layout";
	/*
	 * No area: every page of the BAR holds MSI-X, as in a BAR made of
	 * the table and the PBA alone.  Under msix_mmap those pages may be
	 * mapped all the same, as vfio-pci maps them: the BAR keeps MMAP,
	 * and REGION_INFO answers as vfio-pci does, MSIX_MAPPABLE and no
	 * SPARSE_MMAP (barmap_bar_advertises_areas()).
	 */
	if (!b->layout.nr_areas && !b->facts.msix_mappable)
		return "holds MSI-X in every page and msix_mmap=0";
	if (barmap_layout_holes_cost(&b->facts, &b->layout))
		barmap_layout_whole(&b->facts, &b->layout);
	return NULL;
}

static void barmap_bar_layout_compute_locked(struct barmap_device *bdev,
					     int bar, bool msix_mmap)
{
	struct vfio_pci_core_device *vdev = &bdev->core_device;
	struct barmap_bar *b = &bdev->bars[bar];
	struct pci_dev *pdev = vdev->pdev;
	const char *why;

	lockdep_assert_held(&bdev->layout_lock);

	memset(&b->facts, 0, sizeof(b->facts));
	b->layout.nr_areas = 0;
	if (!(pci_resource_flags(pdev, bar) & IORESOURCE_MEM) ||
	    !pci_resource_len(pdev, bar))
		return;

	b->facts.size = pci_resource_len(pdev, bar);
	b->facts.phys = pci_resource_start(pdev, bar);
	b->facts.page_shift = PAGE_SHIFT;
	barmap_huge_shifts(b->facts.huge_shifts);
	b->facts.mmap_ok = vdev->bar_mmap_supported[bar];
	b->facts.msix_mappable = msix_mmap;
	barmap_msix_facts(vdev, bar, &b->facts);

	if (!b->facts.mmap_ok)
		return;
	why = barmap_bar_mmap_refusal(b);
	if (!why)
		return;
	vdev->bar_mmap_supported[bar] = false;
	b->layout.nr_areas = 0;
	/* The same at every open while bound: say it once. */
	if (!b->mmap_refusal_told)
		pci_info(pdev, "BAR%d %pR %s: mmap disabled\n", bar,
			 &pdev->resource[bar], why);
	b->mmap_refusal_told = true;
}

/**
 * barmap_layouts_compute - compute every BAR's layout at open
 * @bdev: the device, enabled by vfio-pci-core and with barmap's mmap
 *	policy for sub-page BARs applied
 * @msix_mmap: whether MSI-X pages may be mapped during this open
 */
void barmap_layouts_compute(struct barmap_device *bdev, bool msix_mmap)
{
	int bar;

	mutex_lock(&bdev->layout_lock);
	for (bar = 0; bar < PCI_STD_NUM_BARS; bar++)
		barmap_bar_layout_compute_locked(bdev, bar, msix_mmap);
	bdev->msix_mmap = msix_mmap;
	bdev->open = true;
	mutex_unlock(&bdev->layout_lock);
}

/* At close: the next open recomputes everything. */
void barmap_layouts_forget(struct barmap_device *bdev)
{
	int bar;

	mutex_lock(&bdev->layout_lock);
	bdev->open = false;
	for (bar = 0; bar < PCI_STD_NUM_BARS; bar++)
		bdev->bars[bar].layout.nr_areas = 0;
	mutex_unlock(&bdev->layout_lock);
}

static int barmap_add_sparse_cap(struct vfio_info_cap *caps,
				 const struct barmap_layout *layout)
{
	struct vfio_region_info_cap_sparse_mmap *sparse;
	struct vfio_info_cap_header *header;
	unsigned int i;

	header = vfio_info_cap_add(caps, struct_size(sparse, areas,
						     layout->nr_areas),
				   VFIO_REGION_INFO_CAP_SPARSE_MMAP, 1);
	if (IS_ERR(header))
		return PTR_ERR(header);

	sparse = container_of(header, struct vfio_region_info_cap_sparse_mmap,
			      header);
	sparse->nr_areas = layout->nr_areas;
	for (i = 0; i < layout->nr_areas; i++) {
		sparse->areas[i].offset = layout->areas[i].offset;
		sparse->areas[i].size = layout->areas[i].size;
	}
	return 0;
}

static int barmap_add_msix_mappable_cap(struct vfio_info_cap *caps)
{
	struct vfio_info_cap_header header = {
		.id = VFIO_REGION_INFO_CAP_MSIX_MAPPABLE,
		.version = 1,
	};

	return vfio_info_add_capability(caps, &header, sizeof(header));
}

/**
 * barmap_bar_advertises_areas - whether REGION_INFO lists the BAR's areas
 * @b: a BAR whose layout has been computed
 *
 * Not for a sub-page BAR: its one area, the whole page barmap reserved,
 * is bigger than the region, and QEMU grows a sub-page BAR to a page (so
 * that KVM can give it a memslot) only when the region has exactly one
 * mmap area of the region's size, which is what it assumes when there
 * is no SPARSE_MMAP capability.  Nor for a BAR without an area, every
 * page of it MSI-X (a BAR of the table and the PBA alone), which keeps
 * MMAP only under msix_mmap: a capability listing no area would have
 * QEMU map none of it, where vfio-pci's answer has it map the whole BAR
 * and trap the table only.  Without the capability every VMM sees what
 * vfio-pci shows it; mmap of the whole page still works.  Nor, under
 * msix_mmap, for a BAR holding MSI-X (barmap_layout_holes_cost()): its
 * one area is the whole BAR, which is what a VMM assumes without the
 * capability.
 *
 * Return: true if REGION_INFO of the BAR carries SPARSE_MMAP.
 */
bool barmap_bar_advertises_areas(const struct barmap_bar *b)
{
	return b->facts.size >= PAGE_SIZE && b->layout.nr_areas &&
	       !b->layout.whole;
}

/*
 * SPARSE_MMAP first: cloud-hypervisor takes the first one in the chain.
 * MSIX_MAPPABLE where MSI-X lives, when this open lets its pages be
 * mapped: without it cloud-hypervisor will not map such a BAR at all.
 */
static int barmap_add_region_caps(struct barmap_device *bdev, int bar,
				  struct vfio_info_cap *caps)
{
	const struct barmap_bar *b = &bdev->bars[bar];
	int ret = 0;

	if (barmap_bar_advertises_areas(b))
		ret = barmap_add_sparse_cap(caps, &b->layout);
	if (ret)
		return ret;
	if (bdev->msix_mmap && barmap_bar_has_msix(&b->facts))
		ret = barmap_add_msix_mappable_cap(caps);
	return ret;
}

/**
 * barmap_bar_mappable - whether userspace may map a range of a BAR
 * @bdev: the device; open, so its layouts are valid
 * @bar: the BAR
 * @offset: start of the range, relative to the BAR
 * @len: length of the range
 *
 * What mmap and dma-buf export both enforce.  With msix_mmap every page
 * of a mappable BAR may be mapped, MSI-X included, as MSIX_MAPPABLE
 * promises; without it the range must lie inside the advertised areas.
 *
 * Return: true if userspace may map the range.
 */
bool barmap_bar_mappable(struct barmap_device *bdev, unsigned int bar,
			 u64 offset, u64 len)
{
	if (bar > VFIO_PCI_BAR5_REGION_INDEX ||
	    !bdev->core_device.bar_mmap_supported[bar])
		return false;
	return bdev->msix_mmap ||
	       barmap_layout_covers(&bdev->bars[bar].layout, offset, len);
}

/**
 * barmap_get_region_info_caps - VFIO_DEVICE_GET_REGION_INFO contents
 * @core_vdev: the device; open, so its layouts are valid
 * @info: the index asked for, in; offset, size and flags, out
 * @caps: the capability chain to fill
 *
 * For BARs: size, offset and flags as vfio-pci-core gives them, with
 * barmap's mmap decision, and the layout as a SPARSE_MMAP capability for
 * every mappable BAR of a page or more that has an area, but one holding
 * MSI-X under msix_mmap (barmap_bar_advertises_areas()).  Every other index
 * is vfio-pci-core's.  The caller, vfio_main, runs the argsz protocol.
 *
 * Return: 0 or a negative errno.
 */
int barmap_get_region_info_caps(struct vfio_device *core_vdev,
				struct vfio_region_info *info,
				struct vfio_info_cap *caps)
{
	struct barmap_device *bdev = barmap_from_vfio(core_vdev);
	struct vfio_pci_core_device *vdev = &bdev->core_device;

	if (info->index > VFIO_PCI_BAR5_REGION_INDEX)
		return vfio_pci_ioctl_get_region_info(core_vdev, info, caps);

	info->offset = VFIO_PCI_INDEX_TO_OFFSET(info->index);
	info->size = pci_resource_len(vdev->pdev, info->index);
	info->flags = 0;
	if (!info->size)
		return 0;

	info->flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
	if (!vdev->bar_mmap_supported[info->index])
		return 0;

	info->flags |= VFIO_REGION_INFO_FLAG_MMAP;
	return barmap_add_region_caps(bdev, info->index, caps);
}
