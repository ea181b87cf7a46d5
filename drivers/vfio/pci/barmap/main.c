// SPDX-License-Identifier: GPL-2.0-only
/*
 * barmap-vfio-pci: a vfio-pci variant driver that makes device BARs map
 * well into any VMM, behind the standard VFIO uAPI.
 *
 * A device is bound through driver_override or the ids= parameter;
 * everything not about BAR mappings is vfio-pci-core's.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/pci.h>
#include <linux/vfio_pci_core.h>

#include "barmap.h"

static bool msix_mmap = true;
module_param(msix_mmap, bool, 0444);
MODULE_PARM_DESC(msix_mmap,
		 "Let userspace mmap BAR pages holding the MSI-X table or PBA and advertise MSIX_MAPPABLE (default: Y); N keeps those pages out of every mapping");

static char ids[1024] __initdata;
module_param_string(ids, ids, sizeof(ids), 0);
MODULE_PARM_DESC(ids,
		 "Initial PCI IDs to add to the driver, as vfio-pci's parameter of the same name: \"vendor:device[:subvendor[:subdevice[:class[:class_mask]]]]\", comma separated");

static bool enable_sriov;
module_param(enable_sriov, bool, 0644);
MODULE_PARM_DESC(enable_sriov,
		 "Let sysfs sriov_numvfs create VFs of a PF bound to this driver, as vfio-pci's parameter of the same name (default: N)");

/* vfio-pci's device parameters, with its names, defaults and meaning. */
static bool nointxmask;
module_param(nointxmask, bool, 0644);
MODULE_PARM_DESC(nointxmask,
		 "Disable support for PCI 2.3 style INTx masking, as vfio-pci's parameter of the same name (default: N)");

static bool disable_idle_d3;
module_param(disable_idle_d3, bool, 0644);
MODULE_PARM_DESC(disable_idle_d3,
		 "Disable using the PCI D3 low power state for idle, unused devices, as vfio-pci's parameter of the same name (default: N)");

#ifdef CONFIG_VFIO_PCI_VGA
static bool disable_vga;
module_param(disable_vga, bool, 0444);
MODULE_PARM_DESC(disable_vga,
		 "Disable VGA resource access, as vfio-pci's parameter of the same name (default: N)");
#endif

static int barmap_init_dev(struct vfio_device *core_vdev)
{
	struct barmap_device *bdev = barmap_from_vfio(core_vdev);
	struct vfio_pci_core_device *vdev = &bdev->core_device;

	/*
	 * Latched per device, before the core's init as vfio-pci does: a
	 * later change reaches only devices bound after it.
	 */
	vdev->nointxmask = nointxmask;
	vdev->disable_idle_d3 = disable_idle_d3;
#ifdef CONFIG_VFIO_PCI_VGA
	vdev->disable_vga = disable_vga;
#endif

	mutex_init(&bdev->layout_lock);
	return vfio_pci_core_init_dev(core_vdev);
}

static void barmap_release_dev(struct vfio_device *core_vdev)
{
	struct barmap_device *bdev = barmap_from_vfio(core_vdev);

	mutex_destroy(&bdev->layout_lock);
	vfio_pci_core_release_dev(core_vdev);
}

static int barmap_open_device(struct vfio_device *core_vdev)
{
	struct barmap_device *bdev = barmap_from_vfio(core_vdev);
	int ret;

	ret = vfio_pci_core_enable(&bdev->core_device);
	if (ret)
		return ret;

	vfio_pci_core_finish_enable(&bdev->core_device);
	barmap_apply_subpage_mmap_policy(bdev);
	barmap_layouts_compute(bdev, msix_mmap);
	return 0;
}

static void barmap_close_device(struct vfio_device *core_vdev)
{
	barmap_layouts_forget(barmap_from_vfio(core_vdev));
	vfio_pci_core_close_device(core_vdev);
}

static int barmap_vfio_mmap(struct vfio_device *core_vdev,
			    struct vm_area_struct *vma)
{
	return barmap_mmap(barmap_from_vfio(core_vdev), vma);
}

static const struct vfio_device_ops barmap_vfio_pci_ops = {
	.name		= "barmap-vfio-pci",
	.init		= barmap_init_dev,
	.release	= barmap_release_dev,
	.open_device	= barmap_open_device,
	.close_device	= barmap_close_device,
	.ioctl		= vfio_pci_core_ioctl,
	.get_region_info_caps = barmap_get_region_info_caps,
	.device_feature	= vfio_pci_core_ioctl_feature,
	.read		= vfio_pci_core_read,
	.write		= vfio_pci_core_write,
	.mmap		= barmap_vfio_mmap,
	.request	= vfio_pci_core_request,
	.match		= vfio_pci_core_match,
	.match_token_uuid = vfio_pci_core_match_token_uuid,
	.bind_iommufd	= vfio_iommufd_physical_bind,
	.unbind_iommufd	= vfio_iommufd_physical_unbind,
	.attach_ioas	= vfio_iommufd_physical_attach_ioas,
	.detach_ioas	= vfio_iommufd_physical_detach_ioas,
	.pasid_attach_ioas	= vfio_iommufd_physical_pasid_attach_ioas,
	.pasid_detach_ioas	= vfio_iommufd_physical_pasid_detach_ioas,
};

static int barmap_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct barmap_device *bdev;
	int ret;

	bdev = vfio_alloc_device(barmap_device, core_device.vdev, &pdev->dev,
				 &barmap_vfio_pci_ops);
	if (IS_ERR(bdev))
		return PTR_ERR(bdev);

	dev_set_drvdata(&pdev->dev, &bdev->core_device);
	barmap_dmabuf_init(bdev);

	/* Before registering: no open may see the page unreserved. */
	barmap_reserve_subpage_bars(bdev);

	ret = vfio_pci_core_register_device(&bdev->core_device);
	if (ret)
		goto out_release_subpage_bars;

	barmap_debugfs_add_device(bdev);
	return 0;

out_release_subpage_bars:
	barmap_release_subpage_bars(bdev);
	vfio_put_device(&bdev->core_device.vdev);
	return ret;
}

static void barmap_remove(struct pci_dev *pdev)
{
	struct vfio_pci_core_device *core_device = dev_get_drvdata(&pdev->dev);
	struct barmap_device *bdev = barmap_from_core(core_device);

	barmap_debugfs_remove_device(bdev);
	/* Returns once the last user has closed the device. */
	vfio_pci_core_unregister_device(core_device);
	barmap_release_subpage_bars(bdev);
	vfio_put_device(&core_device->vdev);
}

/* As vfio-pci: VFs of a PF bound here only with enable_sriov set. */
static int barmap_sriov_configure(struct pci_dev *pdev, int nr_virtfn)
{
	if (!enable_sriov)
		return -ENOENT;

	return vfio_pci_core_sriov_configure(dev_get_drvdata(&pdev->dev),
					     nr_virtfn);
}

/*
 * Any device, but only when userspace asks for it: with driver_override,
 * or by ID, with ids= or new_id, whose dynamic IDs the PCI core matches
 * before this table.
 */
static const struct pci_device_id barmap_pci_table[] = {
	{ PCI_DRIVER_OVERRIDE_DEVICE_VFIO(PCI_ANY_ID, PCI_ANY_ID) },
	{}
};
MODULE_DEVICE_TABLE(pci, barmap_pci_table);

static struct pci_driver barmap_pci_driver = {
	.name			= "barmap-vfio-pci",
	.id_table		= barmap_pci_table,
	.probe			= barmap_probe,
	.remove			= barmap_remove,
	.sriov_configure	= barmap_sriov_configure,
	.err_handler		= &vfio_pci_core_err_handlers,
	.driver_managed_dma	= true,
};

/*
 * One entry of ids=, as vfio-pci parses it: a dynamic ID, which binds
 * every matching device that has no driver and no driver_override naming
 * another driver.
 */
static void __init barmap_add_id(const char *id)
{
	unsigned int vendor, device, subvendor = PCI_ANY_ID,
		subdevice = PCI_ANY_ID, class = 0, class_mask = 0;
	int fields, ret;

	fields = sscanf(id, "%x:%x:%x:%x:%x:%x", &vendor, &device,
			&subvendor, &subdevice, &class, &class_mask);
	if (fields < 2) {
		pr_warn("invalid id string \"%s\"\n", id);
		return;
	}

	ret = pci_add_dynid(&barmap_pci_driver, vendor, device, subvendor,
			    subdevice, class, class_mask, 0);
	if (ret)
		pr_warn("failed to add dynamic id [%04x:%04x[%04x:%04x]] class %#08x/%08x (%d)\n",
			vendor, device, subvendor, subdevice, class,
			class_mask, ret);
	else
		pr_info("add [%04x:%04x[%04x:%04x]] class %#08x/%08x\n",
			vendor, device, subvendor, subdevice, class,
			class_mask);
}

static void __init barmap_add_ids(void)
{
	char *p = ids, *id;

	while ((id = strsep(&p, ","))) {
		if (*id)
			barmap_add_id(id);
	}
}

static int __init barmap_init(void)
{
	int ret;

	barmap_debugfs_init();
	ret = pci_register_driver(&barmap_pci_driver);
	if (ret) {
		barmap_debugfs_exit();
		return ret;
	}

	/* After registering, as vfio-pci: adding an ID probes at once. */
	barmap_add_ids();
	return 0;
}
module_init(barmap_init);

static void __exit barmap_exit(void)
{
	pci_unregister_driver(&barmap_pci_driver);
	barmap_debugfs_exit();
}
module_exit(barmap_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("VFIO PCI variant driver with page-granular, huge-page friendly BAR mappings");
