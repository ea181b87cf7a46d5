/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * barmap-vfio-pci: a vfio-pci variant driver that makes BARs map well
 * into any VMM.
 */
#ifndef BARMAP_H
#define BARMAP_H

#include <linux/ioport.h>
#include <linux/mutex.h>
#include <linux/vfio_pci_core.h>

#include "layout.h"

/*
 * What the exclusive-page rule decided for a BAR at probe.  Only memory
 * BARs smaller than a page are subject to it.
 */
enum barmap_page_state {
	BARMAP_PAGE_NOT_SUBPAGE,	/* I/O, absent, or a page or more */
	BARMAP_PAGE_RESERVED,		/* page remainder held: mmap allowed */
	BARMAP_PAGE_UNASSIGNED,		/* no parent resource: no mmap */
	BARMAP_PAGE_UNALIGNED,		/* start not page-aligned: no mmap */
	BARMAP_PAGE_SHARED,		/* remainder busy: no mmap */
	BARMAP_PAGE_DETACHED,		/* remainder released by the PCI core */
};

/**
 * struct barmap_bar - barmap's per-BAR state, set at probe, read after
 * @page_state: outcome of the exclusive-page rule
 * @page_rest: the reserved remainder of the BAR's page, inserted in the
 *	BAR's parent resource while @page_state is BARMAP_PAGE_RESERVED
 * @page_rest_name: "barmap BDF BARn", what /proc/iomem shows for @page_rest
 * @facts: what @layout was computed from, kept for debugfs
 * @layout: the areas advertised in REGION_INFO and enforced by mmap; set
 *	at open, emptied at close, constant in between
 * @mmap_refusal_told: why the BAR lost mmap has been logged (once a bind)
 */
struct barmap_bar {
	enum barmap_page_state page_state;
	struct resource page_rest;
	char page_rest_name[32];
	struct barmap_bar_facts facts;
	struct barmap_layout layout;
	bool mmap_refusal_told;
};

/* Fault counters, per device. */
enum barmap_fault_stat {
	BARMAP_FAULT_PTE,	/* order-0 entries inserted */
	BARMAP_FAULT_PMD,	/* PMD entries inserted */
	BARMAP_FAULT_PUD,	/* PUD entries inserted */
	BARMAP_FAULT_FALLBACK,	/* huge orders refused: next smaller tried */
	BARMAP_FAULT_SIGBUS,	/* decode off or runtime-suspended */
	BARMAP_FAULT_NR,
};

/**
 * struct barmap_device - one device bound to barmap-vfio-pci
 * @core_device: vfio-pci-core state; first, so the core's container_of works
 * @bars: per-BAR state, indexed like pdev->resource[]
 * @debugfs: this device's directory in debugfs (see debugfs.c)
 * @layout_lock: serialises open and close, which rewrite bars[].facts and
 *	bars[].layout, against debugfs readers; users of an open device
 *	file need no lock, the layout cannot change under them
 * @open: the device is open and bars[].layout is valid (under @layout_lock)
 * @msix_mmap: msix_mmap module parameter as it was at open
 * @faults: fault counters, by enum barmap_fault_stat, since bind
 */
struct barmap_device {
	struct vfio_pci_core_device core_device;
	struct barmap_bar bars[PCI_STD_NUM_BARS];
	struct dentry *debugfs;
	/* protects bars[].facts, bars[].layout, open and msix_mmap */
	struct mutex layout_lock;
	bool open;
	bool msix_mmap;
	atomic_long_t faults[BARMAP_FAULT_NR];
};

static inline struct barmap_device *
barmap_from_core(struct vfio_pci_core_device *core_device)
{
	return container_of(core_device, struct barmap_device, core_device);
}

static inline struct barmap_device *barmap_from_vfio(struct vfio_device *vdev)
{
	return barmap_from_core(container_of(vdev, struct vfio_pci_core_device,
					     vdev));
}

static inline struct pci_dev *barmap_pdev(struct barmap_device *bdev)
{
	return bdev->core_device.pdev;
}

/* reserve.c */
void barmap_reserve_subpage_bars(struct barmap_device *bdev);
void barmap_release_subpage_bars(struct barmap_device *bdev);
void barmap_apply_subpage_mmap_policy(struct barmap_device *bdev);
const char *barmap_page_state_name(enum barmap_page_state state);

/* region.c */
void barmap_huge_shifts(unsigned int shifts[2]);
void barmap_layouts_compute(struct barmap_device *bdev, bool msix_mmap);
void barmap_layouts_forget(struct barmap_device *bdev);
bool barmap_bar_advertises_areas(const struct barmap_bar *b);
bool barmap_bar_mappable(struct barmap_device *bdev, unsigned int bar,
			 u64 offset, u64 len);
int barmap_get_region_info_caps(struct vfio_device *core_vdev,
				struct vfio_region_info *info,
				struct vfio_info_cap *caps);

/* fault.c */
int barmap_mmap(struct barmap_device *bdev, struct vm_area_struct *vma);

/* dmabuf.c: where vfio-pci-core exports BARs as dma-bufs (Linux 6.19+) */
#if IS_ENABLED(CONFIG_VFIO_PCI_DMABUF)
void barmap_dmabuf_init(struct barmap_device *bdev);
#else
static inline void barmap_dmabuf_init(struct barmap_device *bdev)
{
}
#endif

/* debugfs.c */
void barmap_debugfs_init(void);
void barmap_debugfs_exit(void);
void barmap_debugfs_add_device(struct barmap_device *bdev);
void barmap_debugfs_remove_device(struct barmap_device *bdev);

#endif /* BARMAP_H */
