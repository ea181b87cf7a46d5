/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The few differences between the kernels barmap-vfio-pci builds for.
 *
 * The driver is written for the current kernel.  Built out of tree,
 * the top-level Kbuild compiles small probes against the target headers
 * and defines BARMAP_COMPAT_* for what an older kernel lacks; in a kernel
 * tree none is defined and this file changes nothing.
 */
#ifndef BARMAP_COMPAT_H
#define BARMAP_COMPAT_H

/* vfio_device_ops has the iommufd callbacks since Linux 6.2. */
#ifdef BARMAP_COMPAT_NO_IOMMUFD_OPS
#define BARMAP_IOMMUFD_OPS
#else
#define BARMAP_IOMMUFD_OPS						\
	.bind_iommufd	= vfio_iommufd_physical_bind,			\
	.unbind_iommufd	= vfio_iommufd_physical_unbind,			\
	.attach_ioas	= vfio_iommufd_physical_attach_ioas,		\
	.detach_ioas	= vfio_iommufd_physical_detach_ioas,
#endif

/*
 * Before Linux 6.12, vfio-pci-core tracked the BAR mappings it created in
 * its own list and zapped only those on reset and decode-off; a mapping
 * with barmap's vm_operations would escape the zap.  There, barmap leaves
 * the faults to vfio-pci-core (which maps a whole VMA at its first fault
 * and has no huge mappings) and only applies its mmap policy.
 */
#ifdef BARMAP_COMPAT_CORE_VMA_LIST
#define BARMAP_OWNS_FAULTS	false
#else
#define BARMAP_OWNS_FAULTS	true
#endif

#endif /* BARMAP_COMPAT_H */
