// SPDX-License-Identifier: GPL-2.0-only
/*
 * Helpers shared by the barmap-vfio-pci selftests.
 */
#include <dirent.h>
#include <errno.h>
#include <stddef.h>
#include <inttypes.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/pci_regs.h>

#include "vfio_util.h"

int get_dmabuf_ranges(int fd, unsigned int bar,
		      const struct vfio_region_dma_range *ranges,
		      unsigned int nr)
{
	struct {
		struct vfio_device_feature feature;
		struct vfio_device_feature_dma_buf get;
		struct vfio_region_dma_range range[32];
	} req = {
		.feature.flags = VFIO_DEVICE_FEATURE_GET |
				 VFIO_DEVICE_FEATURE_DMA_BUF,
		.get.region_index = bar,
		.get.open_flags = O_RDWR | O_CLOEXEC,
		.get.nr_ranges = nr,
	};
	int ret;

	if (!nr || nr > 32)
		return -EINVAL;
	memcpy(req.range, ranges, nr * sizeof(*ranges));
	req.feature.argsz = offsetof(typeof(req), range) + nr * sizeof(*ranges);
	ret = ioctl(fd, VFIO_DEVICE_FEATURE, &req);
	return ret < 0 ? -errno : ret;
}

int get_dmabuf(int fd, unsigned int bar, uint64_t off, uint64_t len)
{
	struct vfio_region_dma_range range = { .offset = off, .length = len };

	return get_dmabuf_ranges(fd, bar, &range, 1);
}

bool vfio_cdev_exists(const char *bdf)
{
	char dir[96];
	struct dirent *de;
	bool found = false;
	DIR *d;

	snprintf(dir, sizeof(dir), "/sys/bus/pci/devices/%s/vfio-dev", bdf);
	d = opendir(dir);
	if (!d)
		return false;
	while ((de = readdir(d))) {
		char node[320];

		if (strncmp(de->d_name, "vfio", 4))
			continue;
		/* sysfs has vfioN without VFIO_DEVICE_CDEV too: the node tells. */
		snprintf(node, sizeof(node), "/dev/vfio/devices/%s", de->d_name);
		found = !access(node, F_OK);
		break;
	}
	closedir(d);
	return found;
}

int vfio_cdev_bind_devid(int fd, int iommufd, uint32_t *devid)
{
	struct vfio_device_bind_iommufd bind = {
		.argsz = sizeof(bind),
		.iommufd = iommufd,
	};

	if (ioctl(fd, VFIO_DEVICE_BIND_IOMMUFD, &bind))
		return -errno;
	*devid = bind.out_devid;
	return 0;
}

int vfio_cdev_attach(int fd, uint32_t pt_id)
{
	struct vfio_device_attach_iommufd_pt attach = {
		.argsz = sizeof(attach),
		.pt_id = pt_id,
	};

	return ioctl(fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach) ? -errno : 0;
}

struct vfio_region_info *vfio_region_info(int fd, unsigned int index)
{
	struct vfio_region_info *info;
	uint32_t argsz = sizeof(*info);

	for (;;) {
		info = calloc(1, argsz);
		if (!info)
			return NULL;
		info->argsz = argsz;
		info->index = index;
		if (ioctl(fd, VFIO_DEVICE_GET_REGION_INFO, info)) {
			free(info);
			return NULL;
		}
		if (info->argsz <= argsz)
			return info;
		argsz = info->argsz;
		free(info);
	}
}

const struct vfio_info_cap_header *
vfio_region_cap(const struct vfio_region_info *info, uint16_t id)
{
	const struct vfio_info_cap_header *hdr;
	uint32_t off;

	if (!(info->flags & VFIO_REGION_INFO_FLAG_CAPS))
		return NULL;
	/* A chain is bounded by argsz and must move forward. */
	for (off = info->cap_offset; off && off + sizeof(*hdr) <= info->argsz;
	     off = hdr->next) {
		hdr = (const void *)((const char *)info + off);
		if (hdr->id == id)
			return hdr;
		if (hdr->next <= off)
			break;
	}
	return NULL;
}

static int describe_caps(const struct vfio_region_info *info, char *buf,
			 size_t len)
{
	const struct vfio_info_cap_header *hdr;
	const struct vfio_region_info_cap_sparse_mmap *sparse;
	uint32_t off, i;
	int n = 0;

	if (!(info->flags & VFIO_REGION_INFO_FLAG_CAPS))
		return snprintf(buf, len, " caps none");
	for (off = info->cap_offset; off && off + sizeof(*hdr) <= info->argsz;
	     off = hdr->next) {
		hdr = (const void *)((const char *)info + off);
		n += snprintf(buf + n, len - n, " cap %u.%u", hdr->id,
			      hdr->version);
		if (hdr->id == VFIO_REGION_INFO_CAP_SPARSE_MMAP) {
			sparse = (const void *)hdr;
			n += snprintf(buf + n, len - n, "[");
			for (i = 0; i < sparse->nr_areas; i++)
				n += snprintf(buf + n, len - n, "%s%llx+%llx",
					      i ? " " : "",
					      sparse->areas[i].offset,
					      sparse->areas[i].size);
			n += snprintf(buf + n, len - n, "]");
		}
		if (hdr->next <= off)
			break;
	}
	return n;
}

unsigned int vfio_mmap_areas(const struct vfio_region_info *info,
			     struct vfio_region_sparse_mmap_area *areas,
			     unsigned int max)
{
	const struct vfio_region_info_cap_sparse_mmap *sparse;
	unsigned int i;

	sparse = (const void *)vfio_region_cap(info,
					       VFIO_REGION_INFO_CAP_SPARSE_MMAP);
	if (!sparse) {
		areas[0].offset = 0;
		areas[0].size = info->size;
		return 1;
	}
	for (i = 0; i < sparse->nr_areas && i < max; i++)
		areas[i] = sparse->areas[i];
	return i;
}

void vfio_region_describe(const struct vfio_region_info *info, char *buf,
			  size_t len)
{
	int n;

	n = snprintf(buf, len, "region %u size 0x%llx offset 0x%llx flags 0x%x",
		     info->index, info->size, info->offset,
		     info->flags & ~VFIO_REGION_INFO_FLAG_CAPS);
	describe_caps(info, buf + n, len - n);
}

/*
 * A ROM advertised as readable is read too: its first word (0xaa55 for a
 * valid image), the errno or how short the read was, so that the line
 * shows a ROM reported readable that cannot be read.
 */
static void describe_rom_read(int fd, const struct vfio_region_info *info,
			      char *buf, size_t len)
{
	size_t used = strlen(buf);
	uint16_t sig;
	ssize_t n;

	n = pread(fd, &sig, sizeof(sig), info->offset);
	if (n == sizeof(sig))
		snprintf(buf + used, len - used, " reads 0x%04x", sig);
	else if (n < 0)
		snprintf(buf + used, len - used, " reads errno %d", errno);
	else
		snprintf(buf + used, len - used, " reads short %zd", n);
}

void vfio_region_line(int fd, unsigned int index, char *buf, size_t len)
{
	struct vfio_region_info *info = vfio_region_info(fd, index);

	if (!info) {
		snprintf(buf, len, "region %u errno %d", index, errno);
		return;
	}
	vfio_region_describe(info, buf, len);
	if (index == VFIO_PCI_ROM_REGION_INDEX &&
	    (info->flags & VFIO_REGION_INFO_FLAG_READ))
		describe_rom_read(fd, info, buf, len);
	free(info);
}

const char *device_bdf;

const char *test_driver(void)
{
	const char *drv = getenv("BARMAP_DRIVER");

	return drv ? drv : BARMAP_DRIVER;
}

int sysfs_driver(const char *bdf, char *buf, size_t len)
{
	char path[PATH_MAX], link[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0) {
		buf[0] = '\0';
		return errno == ENOENT ? 0 : -errno;
	}
	link[n] = '\0';
	snprintf(buf, len, "%s", basename(link));
	return 0;
}

int sysfs_write(const char *path, const char *val)
{
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	if (n < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	close(fd);
	return 0;
}

int sysfs_read_ulong(const char *path, unsigned long *val)
{
	char buf[64];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	*val = strtoul(buf, NULL, 0);
	return 0;
}

int pci_unbind(const char *bdf)
{
	char path[PATH_MAX], drv[64];
	int ret;

	ret = sysfs_driver(bdf, drv, sizeof(drv));
	if (ret || !drv[0])
		return ret;
	snprintf(path, sizeof(path), "/sys/bus/pci/drivers/%s/unbind", drv);
	return sysfs_write(path, bdf);
}

static int set_driver_override(const char *bdf, const char *driver)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver_override",
		 bdf);
	return sysfs_write(path, driver);
}

int pci_unbind_clear(const char *bdf)
{
	int ret = pci_unbind(bdf);

	return ret ? ret : set_driver_override(bdf, "\n");
}

int pci_bind(const char *bdf, const char *driver)
{
	char drv[64];
	int ret;

	ret = pci_unbind(bdf);
	if (ret)
		return ret;
	ret = set_driver_override(bdf, driver);
	if (ret)
		return ret;
	ret = sysfs_write("/sys/bus/pci/drivers_probe", bdf);
	if (ret)
		return ret;
	ret = sysfs_driver(bdf, drv, sizeof(drv));
	if (ret)
		return ret;
	return strcmp(drv, driver) ? -ENODEV : 0;
}

int bar_resource(const char *bdf, unsigned int bar, struct bar_resource *res)
{
	char path[PATH_MAX];
	unsigned int i;
	FILE *f;
	int ret = -ENOENT;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource", bdf);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	for (i = 0; i <= bar; i++) {
		if (fscanf(f, "%" SCNx64 " %" SCNx64 " %" SCNx64, &res->start,
			   &res->end, &res->flags) != 3)
			break;
		if (i == bar)
			ret = 0;
	}
	fclose(f);
	return ret;
}

bool bar_is_subpage_mem(const struct bar_resource *res, long page)
{
	return (res->flags & BAR_IORESOURCE_MEM) && res->end > res->start &&
	       res->end - res->start + 1 < (uint64_t)page;
}

/* Memory BARs of @bdf of at least a page (@big) or smaller (!@big). */
static unsigned int count_mem_bars(const char *bdf, bool big)
{
	long page = sysconf(_SC_PAGESIZE);
	struct bar_resource res;
	unsigned int bar, n = 0;

	for (bar = 0; bar < 6; bar++) {
		if (bar_resource(bdf, bar, &res) ||
		    !(res.flags & BAR_IORESOURCE_MEM) || res.end <= res.start)
			continue;
		n += bar_is_subpage_mem(&res, page) != big;
	}
	return n;
}

unsigned int rig_page_bars(const char *bdf)
{
	return count_mem_bars(bdf, true);
}

int rig_mappable_bars(const char *bdf)
{
	const char *subpage = getenv("BARMAP_SUBPAGE");
	unsigned int small = count_mem_bars(bdf, false);

	if (small && !subpage)
		return -1;
	if (small && !strcmp(subpage, "reserved"))
		return rig_page_bars(bdf) + small;
	return rig_page_bars(bdf);
}

/* Parse "  start-end : name" of /proc/iomem; false on other lines. */
static bool iomem_line(char *line, uint64_t *start, uint64_t *end,
		       char **name)
{
	char *sep = strstr(line, " : ");

	if (!sep || sscanf(line, " %" SCNx64 "-%" SCNx64, start, end) != 2)
		return false;
	*name = sep + 3;
	(*name)[strcspn(*name, "\n")] = '\0';
	return true;
}

/*
 * Count the /proc/iomem entries named @name that overlap [lo, hi]; the
 * last one's range goes to @start and @end.
 */
static int iomem_scan(const char *name, uint64_t lo, uint64_t hi,
		      uint64_t *start, uint64_t *end)
{
	char line[256], *n;
	uint64_t s, e;
	int found = 0;
	FILE *f = fopen("/proc/iomem", "r");

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (!iomem_line(line, &s, &e, &n) || strcmp(n, name) ||
		    s > hi || e < lo)
			continue;
		*start = s;
		*end = e;
		found++;
	}
	fclose(f);
	return found;
}

int iomem_find(const char *name, uint64_t *start, uint64_t *end)
{
	return iomem_scan(name, 0, UINT64_MAX, start, end);
}

int iomem_count_overlapping(const char *name, uint64_t start, uint64_t end)
{
	uint64_t s, e;

	return iomem_scan(name, start, end, &s, &e);
}

/* Whether @name is a PCI address, "DDDD:BB:DD.F". */
static bool is_pci_name(const char *name)
{
	unsigned int dom, bus, dev, fn;
	int n = -1;

	return sscanf(name, "%4x:%2x:%2x.%1x%n", &dom, &bus, &dev, &fn,
		      &n) == 4 && n == 12 && !name[n];
}

int iomem_pci_neighbours(const char *bdf, uint64_t start, uint64_t end,
			 char *names, size_t len)
{
	char line[256], *n;
	uint64_t s, e;
	int found = 0;
	size_t used = 0;
	FILE *f = fopen("/proc/iomem", "r");

	names[0] = '\0';
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (!iomem_line(line, &s, &e, &n) || s > end || e < start ||
		    !is_pci_name(n) || !strcmp(n, bdf))
			continue;
		if (used < len)
			used += snprintf(names + used, len - used, "%s%s",
					 found ? " " : "", n);
		found++;
	}
	fclose(f);
	return found;
}

int klog_count(const char *a, const char *b, const char *c)
{
	int len = klogctl(10, NULL, 0);	/* SYSLOG_ACTION_SIZE_BUFFER */
	char *buf, *line, *save;
	int found = 0;

	if (len <= 0)
		return 0;
	buf = malloc(len + 1);
	if (!buf)
		return 0;
	len = klogctl(3, buf, len);	/* SYSLOG_ACTION_READ_ALL */
	if (len < 0)
		len = 0;
	buf[len] = '\0';
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		found += strstr(line, a) && strstr(line, b) && strstr(line, c);
	free(buf);
	return found;
}

bool klog_has(const char *a, const char *b, const char *c)
{
	return klog_count(a, b, c) > 0;
}

char *read_file(const char *path)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap), *bigger;
	FILE *f = fopen(path, "r");
	size_t n;

	if (!buf || !f)
		goto fail;
	while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (len + 1 < cap)
			continue;
		cap *= 2;
		bigger = realloc(buf, cap);
		if (!bigger)
			goto fail;
		buf = bigger;
	}
	fclose(f);
	buf[len] = '\0';
	return buf;
fail:
	free(buf);
	if (f)
		fclose(f);
	return NULL;
}

/* Whether @p, inside @text, starts the whole word @key followed by blanks. */
static bool whole_key_at(const char *text, const char *p, size_t len)
{
	bool starts = p == text || p[-1] == '\n' || p[-1] == ' ';

	return starts && (p[len] == ' ' || p[len] == '\t');
}

long long file_keyed_number(const char *path, const char *key,
			    long long dflt)
{
	char *text = read_file(path), *p = NULL;
	size_t len = strlen(key);
	long long val = dflt;

	if (text)
		p = strstr(text, key);
	while (p && !whole_key_at(text, p, len))
		p = strstr(p + 1, key);
	if (p)
		val = strtoll(p + len, NULL, 0);
	free(text);
	return val;
}

uint64_t barmap_debugfs_huge_size(const char *level)
{
	return file_keyed_number(BARMAP_DEBUGFS_ROOT "/huge",
				 level, 0);
}

bool barmap_debugfs_owns_faults(void)
{
	char *text = read_file(BARMAP_DEBUGFS_ROOT "/huge");
	/* Only a build that leaves faults to the core says so. */
	bool owns = text && !strstr(text, "faults vfio-pci-core\n");

	free(text);
	return owns;
}

bool barmap_debugfs_zaps_puds(void)
{
	char *text = read_file(BARMAP_DEBUGFS_ROOT "/huge");
	bool zaps = text && strstr(text, "pud split and move barmap\n");

	free(text);
	return zaps;
}

bool barmap_rig_expects(void)
{
	return getenv("BARMAP_EXPECT_FAULTS");
}

bool dmabuf_expected(void)
{
	const char *want = getenv("BARMAP_EXPECT_DMABUF");

	return !want || strcmp(want, "0");
}

uint64_t barmap_huge_size(const char *level)
{
	const char *want = getenv(strcmp(level, "pud") ? "BARMAP_EXPECT_PMD" :
							 "BARMAP_EXPECT_PUD");

	if (!barmap_rig_expects())
		return barmap_debugfs_huge_size(level);
	return want ? strtoull(want, NULL, 0) : 0;
}

bool barmap_owns_faults(void)
{
	const char *want = getenv("BARMAP_EXPECT_FAULTS");

	if (!want)
		return barmap_debugfs_owns_faults();
	return !strcmp(want, "barmap");
}

bool barmap_zaps_puds(void)
{
	const char *want = getenv("BARMAP_EXPECT_PUD_SPLIT");

	if (!want)
		return barmap_debugfs_zaps_puds();
	return !strcmp(want, "barmap");
}

long proc_minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

long proc_vm_pte_kb(void)
{
	return file_keyed_number("/proc/self/status", "VmPTE:", 0);
}

int vfio_set_memory_decode(int fd, bool on)
{
	struct vfio_region_info *cfg;
	uint16_t cmd;
	int ret = -1;

	cfg = vfio_region_info(fd, VFIO_PCI_CONFIG_REGION_INDEX);
	if (!cfg)
		return -1;
	if (pread(fd, &cmd, sizeof(cmd), cfg->offset + 4) != sizeof(cmd))
		goto out;
	cmd = on ? cmd | 0x2 : cmd & ~0x2;	/* PCI_COMMAND_MEMORY */
	if (pwrite(fd, &cmd, sizeof(cmd), cfg->offset + 4) == sizeof(cmd))
		ret = 0;
out:
	free(cfg);
	return ret;
}

uint64_t test_seed(uint64_t dflt)
{
	const char *env = getenv("BARMAP_SEED");

	return env ? strtoull(env, NULL, 0) : dflt;
}

uint64_t test_rand(uint64_t *state)
{
	uint64_t x = *state ? *state : 0x9e3779b97f4a7c15ULL;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

void bar_msix_ranges(const char *bdf, unsigned int bar, uint64_t start[2],
		     uint64_t end[2])
{
	unsigned char cfg[256];
	unsigned int pos, guard = 0;
	uint32_t table, pba;
	uint16_t ctrl;
	char path[128];
	FILE *f;

	memset(start, 0, 2 * sizeof(*start));
	memset(end, 0, 2 * sizeof(*end));
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/config", bdf);
	f = fopen(path, "r");
	if (!f)
		return;
	if (fread(cfg, 1, sizeof(cfg), f) != sizeof(cfg) ||
	    !(cfg[PCI_STATUS] & PCI_STATUS_CAP_LIST)) {
		fclose(f);
		return;
	}
	fclose(f);
	for (pos = cfg[PCI_CAPABILITY_LIST] & ~3; pos && guard++ < 48;
	     pos = cfg[pos + PCI_CAP_LIST_NEXT] & ~3) {
		if (pos > sizeof(cfg) - 12 || cfg[pos] != PCI_CAP_ID_MSIX)
			continue;
		memcpy(&ctrl, &cfg[pos + PCI_MSIX_FLAGS], sizeof(ctrl));
		memcpy(&table, &cfg[pos + PCI_MSIX_TABLE], sizeof(table));
		memcpy(&pba, &cfg[pos + PCI_MSIX_PBA], sizeof(pba));
		if ((table & PCI_MSIX_TABLE_BIR) == bar) {
			start[0] = table & PCI_MSIX_TABLE_OFFSET;
			end[0] = start[0] + ((ctrl & PCI_MSIX_FLAGS_QSIZE) + 1) * 16;
		}
		if ((pba & PCI_MSIX_PBA_BIR) == bar) {
			start[1] = pba & PCI_MSIX_PBA_OFFSET;
			end[1] = start[1] +
				 (((ctrl & PCI_MSIX_FLAGS_QSIZE) + 64) / 64) * 8;
		}
		return;
	}
}

static sigjmp_buf read32_jmp;

static void read32_on_sigbus(int sig)
{
	siglongjmp(read32_jmp, 1);
}

bool read32_guarded(const void *p, uint32_t *val)
{
	struct sigaction sa = { .sa_handler = read32_on_sigbus }, old;
	bool ok = true;

	sigaction(SIGBUS, &sa, &old);
	if (sigsetjmp(read32_jmp, 1))
		ok = false;
	else
		*val = *(volatile const uint32_t *)p;
	sigaction(SIGBUS, &old, NULL);
	return ok;
}

bool read32_raises_sigbus(const void *p)
{
	uint32_t val;

	return !read32_guarded(p, &val);
}

bool vfio_has_debugfs(void)
{
	struct stat st;

	return !stat(VFIO_DEBUGFS_ROOT, &st) && S_ISDIR(st.st_mode);
}

void barmap_debugfs_dir(const char *bdf, char *buf, size_t len)
{
	if (vfio_has_debugfs())
		snprintf(buf, len, VFIO_DEBUGFS_ROOT "/%s/barmap", bdf);
	else
		snprintf(buf, len, BARMAP_DEBUGFS_ROOT "/%s", bdf);
}

void barmap_debugfs_where(const char *bdf, bool *in_core, bool *in_own)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), VFIO_DEBUGFS_ROOT "/%s/barmap", bdf);
	*in_core = !stat(path, &st);
	snprintf(path, sizeof(path), BARMAP_DEBUGFS_ROOT "/%s", bdf);
	*in_own = !stat(path, &st);
}

void barmap_debugfs_file(const char *bdf, const char *file, char *buf,
			 size_t len)
{
	char dir[PATH_MAX];

	barmap_debugfs_dir(bdf, dir, sizeof(dir));
	snprintf(buf, len, "%s/%s", dir, file);
}
