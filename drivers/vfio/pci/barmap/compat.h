/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The differences between the kernels barmap-vfio-pci builds for.
 *
 * The driver is written for the current kernel.  Built out of tree, the
 * top-level Kbuild compiles a probe per feature against the target
 * headers and defines BARMAP_OUT_OF_TREE and BARMAP_HAS_<FEATURE> as 1
 * or 0 for every one of them; a probe that cannot decide stops the build
 * there.  In a kernel tree nothing is defined, every feature is present
 * and the definitions below are the current kernel's own.
 *
 * For an older kernel this file backports, under its mainline name, what
 * the driver calls; where a mainline member or field is missing, the
 * driver uses one of the few BARMAP_* macros below.
 */
#ifndef BARMAP_COMPAT_H
#define BARMAP_COMPAT_H

#include <linux/mm.h>
#include <linux/pci.h>
#include <linux/vfio_pci_core.h>

#ifdef BARMAP_OUT_OF_TREE
#if !defined(BARMAP_HAS_GET_REGION_INFO_CAPS) ||			\
	!defined(BARMAP_HAS_MATCH_TOKEN_UUID) ||			\
	!defined(BARMAP_HAS_PASID_ATTACH_IOAS) ||			\
	!defined(BARMAP_HAS_BIND_IOMMUFD) ||				\
	!defined(BARMAP_HAS_VMA_LIST) ||				\
	!defined(BARMAP_HAS_VFIO_PCI_VMF_INSERT_PFN) ||			\
	!defined(BARMAP_HAS_IS_ALIGNED_FOR_ORDER) ||			\
	!defined(BARMAP_HAS_ZAP_SPECIAL_VMA_RANGE) ||			\
	!defined(BARMAP_HAS_NON_MAPPABLE_BARS) ||			\
	!defined(BARMAP_HAS_NOINTXMASK) ||				\
	!defined(BARMAP_HAS_MM_LEAF_PUD)
#error "barmap-vfio-pci: a compat probe answer is missing; build through the top-level Kbuild"
#endif
#else
#define BARMAP_HAS_GET_REGION_INFO_CAPS		1
#define BARMAP_HAS_MATCH_TOKEN_UUID		1
#define BARMAP_HAS_PASID_ATTACH_IOAS		1
#define BARMAP_HAS_BIND_IOMMUFD			1
#define BARMAP_HAS_VMA_LIST			0
#define BARMAP_HAS_VFIO_PCI_VMF_INSERT_PFN	1
#define BARMAP_HAS_IS_ALIGNED_FOR_ORDER		1
#define BARMAP_HAS_ZAP_SPECIAL_VMA_RANGE	1
#define BARMAP_HAS_NON_MAPPABLE_BARS		1
#define BARMAP_HAS_NOINTXMASK			1
#define BARMAP_HAS_MM_LEAF_PUD			1
#endif

/* --- vfio_device_ops members that older kernels lack --------------------- */

#if BARMAP_HAS_MATCH_TOKEN_UUID
#define BARMAP_OPS_MATCH_TOKEN_UUID					\
	.match_token_uuid = vfio_pci_core_match_token_uuid,
#else
#define BARMAP_OPS_MATCH_TOKEN_UUID
#endif

#if BARMAP_HAS_BIND_IOMMUFD
#define BARMAP_OPS_IOMMUFD						\
	.bind_iommufd	= vfio_iommufd_physical_bind,			\
	.unbind_iommufd	= vfio_iommufd_physical_unbind,			\
	.attach_ioas	= vfio_iommufd_physical_attach_ioas,		\
	.detach_ioas	= vfio_iommufd_physical_detach_ioas,
#else
#define BARMAP_OPS_IOMMUFD
#endif

#if BARMAP_HAS_PASID_ATTACH_IOAS
#define BARMAP_OPS_PASID						\
	.pasid_attach_ioas = vfio_iommufd_physical_pasid_attach_ioas,	\
	.pasid_detach_ioas = vfio_iommufd_physical_pasid_detach_ioas,
#else
#define BARMAP_OPS_PASID
#endif

/*
 * Since Linux 6.19 vfio_main answers VFIO_DEVICE_GET_REGION_INFO (the
 * argsz protocol, the capability chain) and asks the driver only for the
 * contents, through .get_region_info_caps; the ioctl never reaches .ioctl.
 * Before, each driver did it all in .ioctl: barmap_compat_ioctl() below
 * is vfio_main's part, backported.
 */
#if BARMAP_HAS_GET_REGION_INFO_CAPS
#define BARMAP_OPS_REGION_INFO						\
	.ioctl		= vfio_pci_core_ioctl,				\
	.get_region_info_caps = barmap_get_region_info_caps,
#else
#define BARMAP_OPS_REGION_INFO						\
	.ioctl		= barmap_compat_ioctl,
#endif

/* --- fields ------------------------------------------------------------- */

/*
 * Whether vfio-pci-core maps no BAR of @pdev at all: the PCI core's
 * non_mappable_bars, or before it CONFIG_VFIO_PCI_MMAP=n.
 */
#if BARMAP_HAS_NON_MAPPABLE_BARS
#define barmap_pci_bars_unmappable(pdev)	((pdev)->non_mappable_bars)
#else
#define barmap_pci_bars_unmappable(pdev)				\
	((void)(pdev), !IS_ENABLED(CONFIG_VFIO_PCI_MMAP))
#endif

/*
 * Before Linux 6.12 vfio-pci-core tracked the BAR mappings it created in
 * its own list and zapped only those on reset and decode-off; a mapping
 * with barmap's vm_operations would escape the zap, and the core also
 * rewrote vm_pgoff to a pfn.  There barmap leaves the faults to
 * vfio-pci-core (which maps a whole VMA at its first fault and has no
 * huge mappings) and only applies its mmap policy.
 */
#define BARMAP_OWNS_FAULTS	(!BARMAP_HAS_VMA_LIST)

/*
 * A kernel whose mm neither splits a leaf PUD entry at a VMA split nor
 * moves one in mremap() (the fixes of upstream/mm: without them the
 * split leaves the entry straddling two VMAs, and the move clears it as
 * a "bad pud" without a TLB flush).  There barmap zaps its PUD entries
 * before either, and they refault where the mapping then is.
 */
#define BARMAP_ZAPS_PUDS						\
	(IS_ENABLED(CONFIG_ARCH_SUPPORTS_PUD_PFNMAP) && !BARMAP_HAS_MM_LEAF_PUD)

/*
 * nointxmask, disable_idle_d3 and disable_vga: per device since Linux
 * 7.x, set by the driver before vfio_pci_core_init_dev(), as vfio-pci
 * does.  Before, the core kept one nointxmask and one disable_vga for all
 * its devices, set by vfio-pci when it loads (vfio_pci_core_set_params());
 * setting them from here would change them under devices vfio-pci
 * already drives.  There vfio-pci's apply, and a device is not bound
 * while barmap's own is set: refused, not ignored.  disable_idle_d3 was
 * per device already, but the core's init set it from vfio-pci's
 * parameter: barmap's is put back after it.
 */
#if BARMAP_HAS_NOINTXMASK
static inline int barmap_latch_core_params(struct vfio_pci_core_device *vdev,
					   bool nointxmask,
					   bool disable_idle_d3,
					   bool disable_vga)
{
	vdev->nointxmask = nointxmask;
	vdev->disable_idle_d3 = disable_idle_d3;
#ifdef CONFIG_VFIO_PCI_VGA
	vdev->disable_vga = disable_vga;
#endif
	return 0;
}
#else
static inline int barmap_latch_core_params(struct vfio_pci_core_device *vdev,
					   bool nointxmask,
					   bool disable_idle_d3,
					   bool disable_vga)
{
	if (nointxmask || disable_vga) {
		dev_err(vdev->vdev.dev,
			"nointxmask and disable_vga are vfio-pci's on this kernel (one value for all vfio-pci-core devices): set them there\n");
		return -EINVAL;
	}
	vdev->disable_idle_d3 = disable_idle_d3;
	return 0;
}

static inline int barmap_compat_core_init_dev(struct vfio_device *core_vdev)
{
	struct vfio_pci_core_device *vdev =
		container_of(core_vdev, struct vfio_pci_core_device, vdev);
	bool disable_idle_d3 = vdev->disable_idle_d3;
	int ret;

	ret = vfio_pci_core_init_dev(core_vdev);
	vdev->disable_idle_d3 = disable_idle_d3;
	return ret;
}

#define vfio_pci_core_init_dev barmap_compat_core_init_dev
#endif

/* --- helpers, backported under their mainline names --------------------- */

#if !BARMAP_HAS_ZAP_SPECIAL_VMA_RANGE
static inline void zap_special_vma_range(struct vm_area_struct *vma,
					 unsigned long address,
					 unsigned long size)
{
	zap_vma_ptes(vma, address, size);
}
#endif

#if !BARMAP_HAS_IS_ALIGNED_FOR_ORDER
static inline bool is_aligned_for_order(struct vm_area_struct *vma,
					unsigned long addr,
					unsigned long pfn,
					unsigned int order)
{
	return !(order && (addr < vma->vm_start ||
			   addr + (PAGE_SIZE << order) > vma->vm_end ||
			   !IS_ALIGNED(pfn, 1 << order)));
}
#endif

#ifndef PMD_ORDER	/* Linux 6.1 */
#define PMD_ORDER	(PMD_SHIFT - PAGE_SHIFT)
#endif

#if !BARMAP_HAS_VFIO_PCI_VMF_INSERT_PFN
/*
 * Kernels without vfio_pci_vmf_insert_pfn() pass a pfn_t to the huge
 * insertions.  One that has neither (pfn_t went in 6.17) stops here.
 */
#include <linux/pfn_t.h>
#define barmap_compat_pfn(pfn)	__pfn_to_pfn_t(pfn, PFN_DEV)

/*
 * vfio-pci-core's test, not exported before vfio_pci_vmf_insert_pfn():
 * memory decode on in the virtualised command register (VFs have none:
 * their PF's SR-IOV MSE bit governs) and the device below D3hot.
 */
static inline bool barmap_compat_memory_enabled(struct vfio_pci_core_device *vdev)
{
	struct pci_dev *pdev = vdev->pdev;
	pci_power_t state = pdev->current_state;
	u16 cmd = le16_to_cpu(*(__le16 *)&vdev->vconfig[PCI_COMMAND]);

	return state != PCI_D3hot && state != PCI_D3cold &&
	       state != PCI_UNKNOWN &&
	       (pdev->no_command_memory || (cmd & PCI_COMMAND_MEMORY));
}

static inline vm_fault_t vfio_pci_vmf_insert_pfn(struct vfio_pci_core_device *vdev,
						 struct vm_fault *vmf,
						 unsigned long pfn,
						 unsigned int order)
{
	lockdep_assert_held_read(&vdev->memory_lock);

	if (vdev->pm_runtime_engaged || !barmap_compat_memory_enabled(vdev))
		return VM_FAULT_SIGBUS;

	if (!order)
		return vmf_insert_pfn(vmf->vma, vmf->address, pfn);
#ifdef CONFIG_ARCH_SUPPORTS_PMD_PFNMAP
	if (order == PMD_ORDER)
		return vmf_insert_pfn_pmd(vmf, barmap_compat_pfn(pfn), false);
#endif
#ifdef CONFIG_ARCH_SUPPORTS_PUD_PFNMAP
	if (order == PUD_ORDER)
		return vmf_insert_pfn_pud(vmf, barmap_compat_pfn(pfn), false);
#endif
	return VM_FAULT_FALLBACK;
}
#endif

#if !BARMAP_HAS_GET_REGION_INFO_CAPS
#include <linux/nospec.h>

int barmap_get_region_info_caps(struct vfio_device *core_vdev,
				struct vfio_region_info *info,
				struct vfio_info_cap *caps);

/*
 * The ROM as vfio-pci-core answered it before 6.19 (6.12's and 6.1's
 * rule, not 6.19's): the ROM BAR's size, or 128 KiB for a shadow ROM, and
 * READ only if pci_map_rom() finds it, with memory decode on (it may
 * assign an unassigned ROM BAR); no ROM at all otherwise.
 */
static inline void barmap_compat_rom_info(struct vfio_pci_core_device *vdev,
					  struct vfio_region_info *info)
{
	struct pci_dev *pdev = vdev->pdev;
	void __iomem *io;
	size_t size;
	u16 cmd;

	info->size = pci_resource_len(pdev, PCI_ROM_RESOURCE);
	if (!info->size) {
		if (!(pdev->resource[PCI_ROM_RESOURCE].flags &
		      IORESOURCE_ROM_SHADOW))
			return;
		info->size = 0x20000;
	}

	down_write(&vdev->memory_lock);
	pci_read_config_word(pdev, PCI_COMMAND, &cmd);
	if (!(cmd & PCI_COMMAND_MEMORY))
		pci_write_config_word(pdev, PCI_COMMAND,
				      cmd | PCI_COMMAND_MEMORY);
	io = pci_map_rom(pdev, &size);
	if (io) {
		info->flags = VFIO_REGION_INFO_FLAG_READ;
		pci_unmap_rom(pdev, io);
	} else {
		info->size = 0;
	}
	pci_write_config_word(pdev, PCI_COMMAND, cmd);
	up_write(&vdev->memory_lock);
}

/*
 * vfio-pci-core's answer for the indexes a variant leaves to it, exported
 * since Linux 6.19.  Before, it was static and read the user's struct
 * itself; answering here, by the running kernel's rules, lets
 * REGION_INFO read that struct once.
 */
static inline int vfio_pci_ioctl_get_region_info(struct vfio_device *core_vdev,
						 struct vfio_region_info *info,
						 struct vfio_info_cap *caps)
{
	struct vfio_pci_core_device *vdev =
		container_of(core_vdev, struct vfio_pci_core_device, vdev);
	struct vfio_region_info_cap_type cap_type = {
		.header.id = VFIO_REGION_INFO_CAP_TYPE,
		.header.version = 1,
	};
	struct vfio_pci_region *region;
	int ret;

	info->offset = VFIO_PCI_INDEX_TO_OFFSET(info->index);
	info->flags = 0;
	info->size = 0;
	switch (info->index) {
	case VFIO_PCI_CONFIG_REGION_INDEX:
		info->size = vdev->pdev->cfg_size;
		info->flags = VFIO_REGION_INFO_FLAG_READ |
			      VFIO_REGION_INFO_FLAG_WRITE;
		return 0;
	case VFIO_PCI_ROM_REGION_INDEX:
		barmap_compat_rom_info(vdev, info);
		return 0;
	case VFIO_PCI_VGA_REGION_INDEX:
		if (!vdev->has_vga)
			return -EINVAL;
		info->size = 0xc0000;
		info->flags = VFIO_REGION_INFO_FLAG_READ |
			      VFIO_REGION_INFO_FLAG_WRITE;
		return 0;
	}

	/* The BARs are the caller's; what is left are device regions. */
	if (info->index < VFIO_PCI_NUM_REGIONS ||
	    info->index >= VFIO_PCI_NUM_REGIONS + vdev->num_regions)
		return -EINVAL;
	info->index = array_index_nospec(info->index,
					 VFIO_PCI_NUM_REGIONS + vdev->num_regions);
	region = &vdev->region[info->index - VFIO_PCI_NUM_REGIONS];
	info->size = region->size;
	info->flags = region->flags;
	cap_type.type = region->type;
	cap_type.subtype = region->subtype;
	ret = vfio_info_add_capability(caps, &cap_type.header,
				       sizeof(cap_type));
	if (ret || !region->ops->add_capability)
		return ret;
	return region->ops->add_capability(vdev, region, caps);
}

/* vfio_main's VFIO_DEVICE_GET_REGION_INFO, as in Linux 6.19. */
static inline long barmap_compat_get_region_info(struct vfio_device *core_vdev,
						 struct vfio_region_info __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_region_info, offset);
	struct vfio_region_info info = {};
	struct vfio_info_cap caps = {};
	int ret;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;

	ret = barmap_get_region_info_caps(core_vdev, &info, &caps);
	if (ret)
		goto out_free;

	if (caps.size) {
		info.flags |= VFIO_REGION_INFO_FLAG_CAPS;
		if (info.argsz < sizeof(info) + caps.size) {
			info.argsz = sizeof(info) + caps.size;
			info.cap_offset = 0;
		} else {
			vfio_info_cap_shift(&caps, sizeof(info));
			if (copy_to_user(arg + 1, caps.buf, caps.size)) {
				ret = -EFAULT;
				goto out_free;
			}
			info.cap_offset = sizeof(info);
		}
	}

	if (copy_to_user(arg, &info, minsz))
		ret = -EFAULT;
out_free:
	kfree(caps.buf);
	return ret;
}

static inline long barmap_compat_ioctl(struct vfio_device *core_vdev,
				       unsigned int cmd, unsigned long arg)
{
	if (cmd == VFIO_DEVICE_GET_REGION_INFO)
		return barmap_compat_get_region_info(core_vdev,
						     (void __user *)arg);
	return vfio_pci_core_ioctl(core_vdev, cmd, arg);
}
#endif

#endif /* BARMAP_COMPAT_H */
