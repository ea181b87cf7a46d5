/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the barmap-vfio-pci selftests need beyond upstream's VFIO selftest
 * library (libvfio, tools/testing/selftests/vfio/lib, linked in): region
 * info with its capability chain, dma-buf export, binding through sysfs,
 * /proc/iomem, the kernel log, barmap's debugfs.  Where libvfio has a
 * near helper, the one here says why it is not used.
 */
#ifndef BARMAP_VFIO_UTIL_H
#define BARMAP_VFIO_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/vfio.h>

#define BARMAP_DRIVER	"barmap-vfio-pci"

struct iommu;
struct vfio_pci_device;

/*
 * A device opened through its group, in libvfio's vfio_type1v2_iommu
 * mode (vfio_dev.c): the container (libvfio's iommu, which holds its
 * file), the group and the device file.  @device is libvfio's, allocated but not set up: no BAR
 * mapped, no config space region, no interrupt; libvfio's helpers that
 * need those are not for it.
 */
struct vfio_dev {
	struct iommu *iommu;
	struct vfio_pci_device *device;
	int group;
	int fd;
	char bdf[32];
};

/*
 * libvfio's group path (iommu_init(), vfio_pci_group_setup(),
 * vfio_container_set_iommu(), __vfio_pci_group_get_device_fd()), with
 * the VF token @vf_token unless NULL, but not the rest of
 * vfio_pci_device_init(): that maps every BAR at a size-aligned address
 * with mmap_reserve(), which fails for a BAR smaller than a page under
 * either driver, and the tests map what they test themselves.  Where the
 * container or the group cannot be set up, libvfio's assertion ends the
 * test's process at once (no FIXTURE_TEARDOWN);
 * VFIO_GROUP_GET_DEVICE_FD's error is returned (-errno), some tests
 * expect one.
 */
int vfio_dev_open_token(struct vfio_dev *dev, const char *bdf,
			const char *vf_token);
static inline int vfio_dev_open(struct vfio_dev *dev, const char *bdf)
{
	return vfio_dev_open_token(dev, bdf, NULL);
}

/* Closes what vfio_dev_open_token() opened; harmless when called twice. */
void vfio_dev_close(struct vfio_dev *dev);

/*
 * A dma-buf of [@off, @off + @len) of BAR @bar of the device @fd (the
 * feature's GET): its fd, or -errno.  libvfio has no dma-buf export.
 */
int get_dmabuf(int fd, unsigned int bar, uint64_t off, uint64_t len);
/* The same with @nr ranges (at most 32), in one dma-buf. */
int get_dmabuf_ranges(int fd, unsigned int bar,
		      const struct vfio_region_dma_range *ranges,
		      unsigned int nr);

/*
 * Whether @bdf has a VFIO device cdev (/dev/vfio/devices/vfioN, not only
 * its sysfs entry): the kernel has VFIO_DEVICE_CDEV and the device a VFIO
 * driver.  libvfio's
 * vfio_pci_get_cdev_path() ends the test where there is none; the tests
 * SKIP instead.
 */
bool vfio_cdev_exists(const char *bdf);
/*
 * VFIO_DEVICE_BIND_IOMMUFD of the cdev @fd to @iommufd without a token:
 * 0 or -errno, the device's id in @devid, which libvfio's
 * __vfio_device_bind_iommufd() does not return.
 */
int vfio_cdev_bind_devid(int fd, int iommufd, uint32_t *devid);
/*
 * VFIO_DEVICE_ATTACH_IOMMUFD_PT of a bound cdev to @pt_id: 0 or -errno
 * (libvfio's is static to vfio_pci_device.c).
 */
int vfio_cdev_attach(int fd, uint32_t pt_id);

/*
 * VFIO_DEVICE_GET_REGION_INFO with the argsz protocol followed: a first
 * call with the bare struct, a second with the size the kernel asked for.
 * Returns a malloc()ed buffer (caller frees) or NULL with errno set.
 */
struct vfio_region_info *vfio_region_info(int fd, unsigned int index);

/* The capability with @id in @info's chain, or NULL. */
const struct vfio_info_cap_header *
vfio_region_cap(const struct vfio_region_info *info, uint16_t id);

/*
 * The areas of a region userspace may map: its SPARSE_MMAP list (at most
 * @max of them), or without one the whole region.  Returns how many.
 */
unsigned int vfio_mmap_areas(const struct vfio_region_info *info,
			     struct vfio_region_sparse_mmap_area *areas,
			     unsigned int max);

/* One line describing a region: size, offset, flags and capabilities. */
void vfio_region_describe(const struct vfio_region_info *info, char *buf,
			  size_t len);
/*
 * REGION_INFO of @index as vfio_region_describe() puts it, or "region
 * INDEX errno E" when the ioctl fails; for a readable ROM, what its
 * first two bytes read (" reads 0xaa55", or " reads errno E").
 */
void vfio_region_line(int fd, unsigned int index, char *buf, size_t len);

/*
 * The device the test runs against: main() takes it from the end of its
 * command line or from $VFIO_SELFTESTS_BDF, with libvfio's
 * vfio_selftests_get_bdf(), as upstream's VFIO selftests do.
 */
extern const char *device_bdf;
/* The driver the device is expected to be bound to: $BARMAP_DRIVER. */
const char *test_driver(void);

/* Basename of /sys/bus/pci/devices/@bdf/driver into @buf, "" if unbound. */
int sysfs_driver(const char *bdf, char *buf, size_t len);
/* Write @val to the sysfs file @path; returns 0 or -errno. */
int sysfs_write(const char *path, const char *val);
/* Read a sysfs file holding one hex or decimal number. */
int sysfs_read_ulong(const char *path, unsigned long *val);
/* Unbind @bdf from its driver (if any) and bind it to @driver. */
int pci_bind(const char *bdf, const char *driver);
int pci_unbind(const char *bdf);
/* pci_unbind(), and no driver_override left behind. */
int pci_unbind_clear(const char *bdf);

/* A BAR's resource as sysfs reports it; flags as in linux/ioport.h. */
struct bar_resource {
	uint64_t start;
	uint64_t end;
	uint64_t flags;
};

#define BAR_IORESOURCE_MEM	0x200
#define BAR_IORESOURCE_MEM_64	0x100000

int bar_resource(const char *bdf, unsigned int bar, struct bar_resource *res);
bool bar_is_subpage_mem(const struct bar_resource *res, long page);

/*
 * What the rig guarantees of @bdf's memory BARs, counted from the kernel's
 * resources (sysfs), never from the driver: rig_page_bars() is the number
 * of a page or more, which either driver lets a VMM map (msix_mmap=1);
 * rig_mappable_bars() adds the sub-page ones when the rig says each is
 * alone in its page (BARMAP_SUBPAGE=reserved), and is -1 if the device
 * has one and the rig said nothing of it.
 */
unsigned int rig_page_bars(const char *bdf);
int rig_mappable_bars(const char *bdf);

/*
 * Find the /proc/iomem entry named exactly @name; fills @start and @end.
 * Returns the number of such entries (0 if none).
 */
int iomem_find(const char *name, uint64_t *start, uint64_t *end);
/* Number of /proc/iomem entries named @name that overlap [start, end]. */
int iomem_count_overlapping(const char *name, uint64_t start, uint64_t end);
/*
 * Number of /proc/iomem entries overlapping [start, end] that are BARs of
 * PCI devices other than @bdf (entries named by a PCI address); their
 * names go to @names (@len bytes), separated by spaces, "" if none.
 */
int iomem_pci_neighbours(const char *bdf, uint64_t start, uint64_t end,
			 char *names, size_t len);

/* Whether the kernel log holds a line containing all of @a, @b and @c. */
bool klog_has(const char *a, const char *b, const char *c);
/* How many such lines it holds. */
int klog_count(const char *a, const char *b, const char *c);

/*
 * The huge mapping size barmap-vfio-pci can insert on this kernel, "pmd"
 * or "pud"; 0 where there is none.  What the rig expects of the kernel
 * it booted (BARMAP_EXPECT_PMD, BARMAP_EXPECT_PUD: its series, its
 * architecture and page size), never the driver's own answer, where the
 * rig says; barmap_debugfs_huge_size() is what debugfs reports.
 */
uint64_t barmap_huge_size(const char *level);
uint64_t barmap_debugfs_huge_size(const char *level);

/*
 * The debugfs directory of barmap's files for the device @bdf: barmap/ in
 * the core's directory of the device where the kernel has VFIO's debugfs
 * (/sys/kernel/debug/vfio/, CONFIG_VFIO_DEBUGFS), else barmap-vfio-pci/BDF
 * (Documentation/driver-api/barmap-vfio-pci.rst, "debugfs").
 */
#define VFIO_DEBUGFS_ROOT	"/sys/kernel/debug/vfio"
#define BARMAP_DEBUGFS_ROOT	"/sys/kernel/debug/barmap-vfio-pci"
bool vfio_has_debugfs(void);
void barmap_debugfs_dir(const char *bdf, char *buf, size_t len);
/*
 * Where barmap's directory of @bdf is now, in each place it can be:
 * @in_core (vfio/BDF/barmap) and @in_own (barmap-vfio-pci/BDF).
 */
void barmap_debugfs_where(const char *bdf, bool *in_core, bool *in_own);
/* @file of that directory, e.g. "faults". */
void barmap_debugfs_file(const char *bdf, const char *file, char *buf,
			 size_t len);

/*
 * Whether barmap-vfio-pci handles faults on BAR mappings on this kernel
 * (where vfio-pci-core still tracks its own mappings, before Linux 6.12,
 * barmap leaves faults to it): BARMAP_EXPECT_FAULTS ("barmap" or
 * "vfio-pci-core") where the rig says, as above.
 * barmap_debugfs_owns_faults() is debugfs's answer.
 */
bool barmap_owns_faults(void);
bool barmap_debugfs_owns_faults(void);

/*
 * Whether barmap-vfio-pci zaps its PUD entries before a VMA split or an
 * mremap() (a kernel whose mm does neither with a leaf PUD), rather than
 * leave them to the kernel (one with the fixes of upstream/mm):
 * BARMAP_EXPECT_PUD_SPLIT ("barmap" or "mm") where the rig says, as
 * above.  barmap_debugfs_zaps_puds() is debugfs's answer.
 */
bool barmap_zaps_puds(void);
bool barmap_debugfs_zaps_puds(void);

/* true when the rig said what to expect of this kernel (BARMAP_EXPECT_*) */
bool barmap_rig_expects(void);

/*
 * Whether the kernel exports BARs as dma-bufs (VFIO_DEVICE_FEATURE_DMA_BUF):
 * BARMAP_EXPECT_DMABUF, which the rig reads from the kernel's
 * configuration.  Without it, true: a driver that fails to offer it then
 * fails, never skips.
 */
bool dmabuf_expected(void);
#define CORE_OWNS_FAULTS \
	"vfio-pci-core of this kernel handles the faults: it maps a whole " \
	"VMA at its first fault, with no huge entries"

/*
 * The number after "@key " in the file at @path (e.g. "pud 1" in
 * barmap's debugfs files, "VmPTE:" in /proc/self/status); @dflt if the
 * file or the key is missing.
 */
long long file_keyed_number(const char *path, const char *key,
			    long long dflt);

/* This process's minor faults so far, and its page-table size in kB. */
long proc_minflt(void);
long proc_vm_pte_kb(void);

/* Read a whole file into a malloc()ed, NUL-terminated buffer. */
char *read_file(const char *path);

/*
 * Set or clear PCI_COMMAND_MEMORY through the device's VFIO config region
 * (what a VMM does when its guest toggles memory decode); 0 or -1.
 */
int vfio_set_memory_decode(int fd, bool on);

/*
 * Read the 32-bit word at @p; true if the read raised SIGBUS instead (a
 * zapped mapping with memory decode off, say).  Not for threads: one
 * jump buffer serves the whole process.
 */
bool read32_raises_sigbus(const void *p);

/* Read the 32-bit word at @p into *@val; false if that raised SIGBUS. */
bool read32_guarded(const void *p, uint32_t *val);

/*
 * Where the MSI-X table ([start[0], end[0])) and PBA ([start[1],
 * end[1])) of @bdf lie in BAR @bar, from its configuration space in
 * sysfs; an empty range for each that is elsewhere or absent.
 */
void bar_msix_ranges(const char *bdf, unsigned int bar, uint64_t start[2],
		     uint64_t end[2]);

/* Seed for randomised tests: $BARMAP_SEED if set, @dflt otherwise. */
uint64_t test_seed(uint64_t dflt);
/* xorshift64*: a small, fast generator each thread can own. */
uint64_t test_rand(uint64_t *state);

#endif
