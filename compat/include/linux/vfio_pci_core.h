/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Out-of-tree builds only: the top-level Kbuild puts compat/include
 * first on the include path, so the driver's #include of this header
 * lands here, and the kernel's own follows through #include_next.  What
 * an older kernel lacks is then backported under its mainline name, by
 * the answers of the Kbuild probes (BARMAP_HAS_<FEATURE>, 1 or 0 for
 * every feature).  What a header cannot change (a vfio_device_ops
 * member, a struct field, a vm_operations hook) is patched into the
 * build's copy of the driver instead: compat/patches/.
 */
#ifndef BARMAP_COMPAT_LINUX_VFIO_PCI_CORE_H
#define BARMAP_COMPAT_LINUX_VFIO_PCI_CORE_H

#include_next <linux/vfio_pci_core.h>

#include <linux/mm.h>
#include <linux/nospec.h>
#include <linux/pci.h>
#include <linux/pgtable.h>
#include <linux/uaccess.h>

#if !defined(BARMAP_HAS_GET_REGION_INFO_CAPS) ||			\
	!defined(BARMAP_HAS_VFIO_PCI_VMF_INSERT_PFN) ||			\
	!defined(BARMAP_HAS_IS_ALIGNED_FOR_ORDER)
#error "barmap-vfio-pci: a compat probe answer is missing; build through the top-level Kbuild"
#endif

#ifndef PMD_ORDER	/* Linux 6.1 */
#define PMD_ORDER	(PMD_SHIFT - PAGE_SHIFT)
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

/*
 * vfio_main's VFIO_DEVICE_GET_REGION_INFO, as in Linux 6.19: the argsz
 * protocol and the capability chain around @get_caps, which answers as
 * a .get_region_info_caps callback would.  A driver's .ioctl calls it
 * for that ioctl (compat/patches/).
 */
static inline long
barmap_compat_get_region_info(struct vfio_device *core_vdev,
			      struct vfio_region_info __user *arg,
			      int (*get_caps)(struct vfio_device *core_vdev,
					      struct vfio_region_info *info,
					      struct vfio_info_cap *caps))
{
	unsigned long minsz = offsetofend(struct vfio_region_info, offset);
	struct vfio_region_info info = {};
	struct vfio_info_cap caps = {};
	int ret;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;

	ret = get_caps(core_vdev, &info, &caps);
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
#endif

#endif /* BARMAP_COMPAT_LINUX_VFIO_PCI_CORE_H */
