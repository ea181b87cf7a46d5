/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Small helpers shared by the barmap-vfio-pci selftests: open a device
 * through the VFIO group/container API, fetch region info with its
 * capability chain, and poke sysfs.
 */
#ifndef BARMAP_VFIO_UTIL_H
#define BARMAP_VFIO_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/vfio.h>

#define BARMAP_DRIVER	"barmap-vfio-pci"

struct vfio_dev {
	int container;
	int group;
	int fd;
	char bdf[32];
};

/* Open container, group and device; returns 0 or -errno. */
int vfio_dev_open(struct vfio_dev *dev, const char *bdf);
/*
 * The same, with @name for VFIO_GROUP_GET_DEVICE_FD: the BDF and options
 * after it, e.g. "0000:00:08.1 vf_token=UUID".
 */
int vfio_dev_open_named(struct vfio_dev *dev, const char *bdf,
			const char *name);
void vfio_dev_close(struct vfio_dev *dev);

/* BAR dma-bufs (VFIO_DEVICE_FEATURE_DMA_BUF, Linux 6.19+) */
#ifndef VFIO_DEVICE_FEATURE_DMA_BUF	/* uapi of Linux 6.19 */
#define VFIO_DEVICE_FEATURE_DMA_BUF 11

struct vfio_region_dma_range {
	__u64 offset;
	__u64 length;
};

struct vfio_device_feature_dma_buf {
	__u32 region_index;
	__u32 open_flags;
	__u32 flags;
	__u32 nr_ranges;
	struct vfio_region_dma_range dma_ranges[];
};
#endif

/*
 * A dma-buf of [@off, @off + @len) of BAR @bar of the device @fd (the
 * feature's GET): its fd, or -errno.
 */
int get_dmabuf(int fd, unsigned int bar, uint64_t off, uint64_t len);
/* The same with @nr ranges (at most 32), in one dma-buf. */
int get_dmabuf_ranges(int fd, unsigned int bar,
		      const struct vfio_region_dma_range *ranges,
		      unsigned int nr);

/*
 * The VFIO device cdev and iommufd (Linux 6.6+ with IOMMUFD and
 * VFIO_DEVICE_CDEV); the uapi is restated where the build host's
 * headers predate it.
 */
#ifndef VFIO_DEVICE_BIND_IOMMUFD
struct vfio_device_bind_iommufd {
	__u32 argsz;
	__u32 flags;
	__s32 iommufd;
	__u32 out_devid;
	__aligned_u64 token_uuid_ptr;
};

#define VFIO_DEVICE_BIND_IOMMUFD	_IO(VFIO_TYPE, VFIO_BASE + 18)

struct vfio_device_attach_iommufd_pt {
	__u32 argsz;
	__u32 flags;
	__u32 pt_id;
	__u32 pasid;
};

#define VFIO_DEVICE_ATTACH_IOMMUFD_PT	_IO(VFIO_TYPE, VFIO_BASE + 19)
#endif
#ifndef VFIO_DEVICE_BIND_FLAG_TOKEN
#define VFIO_DEVICE_BIND_FLAG_TOKEN	0x1
#endif

#define IOMMUFD_IOCTL(nr)	_IO(';', (nr))
struct barmap_ioas_alloc {		/* struct iommu_ioas_alloc */
	__u32 size;
	__u32 flags;
	__u32 out_ioas_id;
};

#define BARMAP_IOMMU_IOAS_ALLOC		IOMMUFD_IOCTL(0x81)
struct barmap_ioas_map_file {		/* struct iommu_ioas_map_file */
	__u32 size;
	__u32 flags;
	__u32 ioas_id;
	__s32 fd;
	__aligned_u64 start;
	__aligned_u64 length;
	__aligned_u64 iova;
};

#define BARMAP_IOMMU_IOAS_MAP_FILE	IOMMUFD_IOCTL(0x8f)
struct barmap_ioas_unmap {		/* struct iommu_ioas_unmap */
	__u32 size;
	__u32 ioas_id;
	__aligned_u64 iova;
	__aligned_u64 length;
};

#define BARMAP_IOMMU_IOAS_UNMAP		IOMMUFD_IOCTL(0x86)
#define BARMAP_IOAS_MAP_WRITEABLE	0x2
#define BARMAP_IOAS_MAP_READABLE	0x4

/*
 * /dev/vfio/devices/vfioN of @bdf into @buf: 0, or -ENOENT where the
 * kernel has no device cdev (VFIO_DEVICE_CDEV off) or the device no
 * VFIO driver.
 */
int vfio_cdev_path(const char *bdf, char *buf, size_t len);
/*
 * VFIO_DEVICE_BIND_IOMMUFD of the cdev @fd to @iommufd, with the VF
 * token @token (16 bytes) if not NULL: 0, or -errno.  The device's id
 * goes to @devid if not NULL.
 */
int vfio_cdev_bind(int fd, int iommufd, const unsigned char *token,
		   uint32_t *devid);
/* VFIO_DEVICE_ATTACH_IOMMUFD_PT of a bound cdev to @pt_id: 0 or -errno. */
int vfio_cdev_attach(int fd, uint32_t pt_id);
/* IOMMU_IOAS_ALLOC: the new IOAS's id, or -errno. */
int iommufd_ioas_alloc(int iommufd);

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

/* The BDF the test runs against: $BARMAP_BDF. */
const char *test_bdf(void);
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
