// SPDX-License-Identifier: GPL-2.0-only
/*
 * The questions of answers.h, and the allow-list of the differences
 * between stock vfio-pci's answers and barmap-vfio-pci's.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/pci_regs.h>

#include "answers.h"
#include "consumers.h"
#include "vfio_util.h"

const char *const answer_families[] = {
	"device", "config", "region", "mmap", "reads", "bounds", "dmabuf",
	"decode", "reset", "consumers", NULL,
};

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

/* Words compared between the device fd and a mapping, per BAR. */
#define READS_WORDS	16

static int add(struct answers *a, const char *val, const char *fmt, ...)
{
	struct answer *grown;
	va_list ap;

	if (a->nr == a->max) {
		grown = realloc(a->a, (a->max + 64) * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		a->a = grown;
		a->max += 64;
	}
	va_start(ap, fmt);
	vsnprintf(a->a[a->nr].key, ANSWER_KEY_LEN, fmt, ap);
	va_end(ap);
	snprintf(a->a[a->nr].val, ANSWER_VAL_LEN, "%s", val);
	a->nr++;
	return 0;
}

/* "ok" for @ret >= 0, else "errno N" with errno. */
static const char *result(int ret, char *buf, size_t len)
{
	if (ret >= 0)
		return "ok";
	snprintf(buf, len, "errno %d", errno);
	return buf;
}

static uint64_t page_round(uint64_t x)
{
	uint64_t page = sysconf(_SC_PAGESIZE);

	return (x + page - 1) & ~(page - 1);
}

static int device_answers(int fd, struct answers *out)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	char val[128];

	if (ioctl(fd, VFIO_DEVICE_GET_INFO, &info))
		snprintf(val, sizeof(val), "errno %d", errno);
	else
		snprintf(val, sizeof(val), "flags 0x%x regions %u irqs %u",
			 info.flags, info.num_regions, info.num_irqs);
	return add(out, val, "device info");
}

static unsigned int num_regions(int fd)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };

	if (ioctl(fd, VFIO_DEVICE_GET_INFO, &info))
		return 0;
	return info.num_regions;
}

/*
 * Config space as the core virtualizes it: the whole region read, the
 * header (the status register left out: its interrupt bit follows the
 * device; and the interrupt line, a scratch register that the PCI core
 * writes when a driver probes, pci_assign_irq(), and that the core reads
 * back from the device at open: on arm64 with 6.12, where no firmware
 * writes it, two opens of one device read 0 and its IRQ), the
 * capability IDs in list order, a write of
 * the command register and of the read-only vendor ID with their own
 * values.
 */
static int config_answers(int fd, struct answers *out)
{
	struct vfio_region_info *cfg;
	unsigned char hdr[PCI_STD_HEADER_SIZEOF], *all;
	char val[ANSWER_VAL_LEN], buf[32];
	unsigned int pos, guard = 0, n = 0;
	uint16_t cmd = 0, vendor = 0;
	ssize_t got;
	int ret;

	cfg = vfio_region_info(fd, VFIO_PCI_CONFIG_REGION_INDEX);
	if (!cfg) {
		snprintf(val, sizeof(val), "errno %d", errno);
		return add(out, val, "config info");
	}
	all = calloc(1, cfg->size ? cfg->size : 1);
	if (!all) {
		free(cfg);
		return -ENOMEM;
	}
	got = pread(fd, all, cfg->size, cfg->offset);
	snprintf(val, sizeof(val), "%zd of %llu", got, cfg->size);
	ret = add(out, val, "config read whole");
	if (ret || got < (ssize_t)sizeof(hdr))
		goto out;

	/* Dword by dword, so that a difference names its register. */
	memcpy(hdr, all, sizeof(hdr));
	memset(hdr + PCI_STATUS, 0, 2);
	hdr[PCI_INTERRUPT_LINE] = 0;
	for (pos = 0; pos < sizeof(hdr); pos += 4) {
		uint32_t dw;

		memcpy(&dw, hdr + pos, sizeof(dw));
		snprintf(val, sizeof(val), "0x%08x", dw);
		ret = add(out, val, "config header 0x%02x", pos);
		if (ret)
			goto out;
	}

	val[0] = '\0';
	if (all[PCI_STATUS] & PCI_STATUS_CAP_LIST)
		for (pos = all[PCI_CAPABILITY_LIST] & ~3;
		     pos && pos + 1 < (unsigned int)got && guard++ < 48;
		     pos = all[pos + PCI_CAP_LIST_NEXT] & ~3)
			n += snprintf(val + n, sizeof(val) - n, "%s0x%02x",
				      n ? " " : "", all[pos]);
	ret = add(out, n ? val : "none", "config caps");
	if (ret)
		goto out;

	memcpy(&cmd, all + PCI_COMMAND, sizeof(cmd));
	memcpy(&vendor, all + PCI_VENDOR_ID, sizeof(vendor));
	ret = add(out, result(pwrite(fd, &cmd, 2, cfg->offset + PCI_COMMAND),
			      buf, sizeof(buf)), "config write command");
	if (ret)
		goto out;
	ret = add(out, result(pwrite(fd, &vendor, 2,
				     cfg->offset + PCI_VENDOR_ID),
			      buf, sizeof(buf)), "config write vendor");
	if (ret)
		goto out;
	vendor = 0;
	got = pread(fd, &vendor, 2, cfg->offset + PCI_VENDOR_ID);
	snprintf(val, sizeof(val), "%zd 0x%04x", got, vendor);
	ret = add(out, val, "config vendor after write");
out:
	free(all);
	free(cfg);
	return ret;
}

/*
 * REGION_INFO of @index in three answers: size, offset and flags; the
 * capability chain without SPARSE_MMAP (IDs and versions in order); and
 * SPARSE_MMAP on its own, with its place in the chain and its areas.
 */
static int region_answers(int fd, unsigned int index, struct answers *out)
{
	const struct vfio_info_cap_header *hdr;
	const struct vfio_region_info_cap_sparse_mmap *sparse;
	char caps[ANSWER_VAL_LEN] = "", sp[ANSWER_VAL_LEN] = "none";
	struct vfio_region_info *info = vfio_region_info(fd, index);
	unsigned int nth = 0, i;
	int n = 0, m, ret;
	uint32_t off;

	if (!info) {
		snprintf(caps, sizeof(caps), "errno %d", errno);
		return add(out, caps, "region %u info", index);
	}
	snprintf(caps, sizeof(caps), "size 0x%llx offset 0x%llx flags 0x%x",
		 info->size, info->offset,
		 info->flags & ~VFIO_REGION_INFO_FLAG_CAPS);
	ret = add(out, caps, "region %u info", index);
	caps[0] = '\0';
	for (off = (info->flags & VFIO_REGION_INFO_FLAG_CAPS) ?
		   info->cap_offset : 0;
	     !ret && off && off + sizeof(*hdr) <= info->argsz; off = hdr->next) {
		hdr = (const void *)((const char *)info + off);
		nth++;
		if (hdr->id == VFIO_REGION_INFO_CAP_SPARSE_MMAP) {
			sparse = (const void *)hdr;
			m = snprintf(sp, sizeof(sp), "%s [", nth == 1 ? "first" :
				     "not first");
			for (i = 0; i < sparse->nr_areas && m < (int)sizeof(sp);
			     i++)
				m += snprintf(sp + m, sizeof(sp) - m,
					      "%s0x%llx+0x%llx", i ? " " : "",
					      sparse->areas[i].offset,
					      sparse->areas[i].size);
			if (m < (int)sizeof(sp))
				snprintf(sp + m, sizeof(sp) - m, "]");
		} else if (n < (int)sizeof(caps)) {
			n += snprintf(caps + n, sizeof(caps) - n, "%s%u.%u",
				      n ? " " : "", hdr->id, hdr->version);
		}
		if (hdr->next <= off)
			break;
	}
	free(info);
	if (!ret)
		ret = add(out, n ? caps : "none", "region %u caps", index);
	if (!ret)
		ret = add(out, sp, "region %u sparse", index);
	return ret;
}

/* The advertised areas of a region (none without SPARSE_MMAP). */
static unsigned int sparse_areas(const struct vfio_region_info *info,
				 struct vfio_region_sparse_mmap_area *areas,
				 unsigned int max)
{
	if (!vfio_region_cap(info, VFIO_REGION_INFO_CAP_SPARSE_MMAP))
		return 0;
	return vfio_mmap_areas(info, areas, max);
}

static const char *mmap_result(int fd, uint64_t off, uint64_t len, char *buf,
			       size_t blen)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);

	if (p == MAP_FAILED) {
		snprintf(buf, blen, "errno %d", errno);
		return buf;
	}
	munmap(p, len);
	return "ok";
}

/*
 * mmap() of the whole region (page-rounded: the page of a sub-page BAR)
 * and of each advertised area.
 */
static int mmap_answers(int fd, unsigned int index, struct answers *out)
{
	struct vfio_region_sparse_mmap_area areas[VFIO_PCI_NUM_REGIONS * 8];
	struct vfio_region_info *info = vfio_region_info(fd, index);
	unsigned int i, nr;
	char buf[32];
	int ret;

	if (!info || !info->size) {
		free(info);
		return 0;
	}
	ret = add(out, mmap_result(fd, info->offset, page_round(info->size),
				   buf, sizeof(buf)), "mmap region %u whole",
		  index);
	nr = sparse_areas(info, areas, ARRAY_SIZE(areas));
	for (i = 0; !ret && i < nr; i++)
		ret = add(out, mmap_result(fd, info->offset + areas[i].offset,
					   areas[i].size, buf, sizeof(buf)),
			  "mmap region %u area 0x%llx+0x%llx", index,
			  areas[i].offset, areas[i].size);
	free(info);
	return ret;
}

static bool in_msix(uint64_t off, const uint64_t s[2], const uint64_t e[2])
{
	return (off + 4 > s[0] && off < e[0]) || (off + 4 > s[1] && off < e[1]);
}

/*
 * The first READS_WORDS words of a BAR outside MSI-X, in its first page,
 * read through the device fd and through a mapping of the whole BAR: the
 * mapping must reach the registers the fd reaches.  A word the fd reads
 * differently before and after the mapping's read changes by itself (a
 * clock, such as HD Audio's wall clock, or a status bit such as VGA's
 * retrace) is left out, and the next word taken.  An I/O BAR: reads of
 * 1, 2 and 4 bytes at offset 0 through the fd (values not compared: an
 * I/O register may change when read).
 */
static int reads_answers(int fd, const char *bdf, unsigned int index,
			 struct answers *out)
{
	struct vfio_region_info *info = vfio_region_info(fd, index);
	uint64_t page = sysconf(_SC_PAGESIZE), off, len, s[2], e[2];
	char val[ANSWER_VAL_LEN] = "", buf[32];
	struct bar_resource res;
	unsigned int words = 0;
	uint32_t viafd, viamap, again;
	int ret = 0;
	void *map;

	if (!info || !info->size) {
		free(info);
		return 0;
	}
	if (!bar_resource(bdf, index, &res) && !(res.flags & BAR_IORESOURCE_MEM)) {
		static const unsigned int sizes[] = { 1, 2, 4 };
		unsigned int i, n = 0;

		for (i = 0; i < 3; i++) {
			viafd = 0;
			n += snprintf(val + n, sizeof(val) - n, "%s%u:%s",
				      i ? " " : "", sizes[i],
				      sizes[i] <= info->size &&
				      pread(fd, &viafd, sizes[i], info->offset) ==
				      (ssize_t)sizes[i] ? "ok" : "fails");
		}
		ret = add(out, val, "reads region %u io", index);
		goto out;
	}
	if (!(info->flags & VFIO_REGION_INFO_FLAG_MMAP))
		goto out;
	len = page_round(info->size);
	map = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, info->offset);
	if (map == MAP_FAILED) {
		ret = add(out, result(-1, buf, sizeof(buf)),
			  "reads region %u", index);
		goto out;
	}
	bar_msix_ranges(bdf, index, s, e);
	for (off = 0; off + 4 <= info->size && off + 4 <= page &&
	     words < READS_WORDS; off += 4) {
		if (in_msix(off, s, e))
			continue;
		viafd = 0xdeadbeef;
		if (pread(fd, &viafd, 4, info->offset + off) != 4) {
			snprintf(val, sizeof(val), "0x%llx: fd errno %d",
				 (unsigned long long)off, errno);
			break;
		}
		if (!read32_guarded((char *)map + off, &viamap)) {
			snprintf(val, sizeof(val), "0x%llx: mapping SIGBUS",
				 (unsigned long long)off);
			break;
		}
		again = ~viafd;
		if (pread(fd, &again, 4, info->offset + off) == 4 &&
		    again != viafd)
			continue;
		/* A bit that flipped between the two reads: once more. */
		if (viafd != viamap &&
		    pread(fd, &viafd, 4, info->offset + off) == 4 &&
		    read32_guarded((char *)map + off, &viamap) &&
		    viafd == viamap)
			continue;
		if (viafd != viamap) {
			snprintf(val, sizeof(val), "0x%llx: fd 0x%x mapping 0x%x",
				 (unsigned long long)off, viafd, viamap);
			break;
		}
		words++;
	}
	munmap(map, len);
	if (!val[0])
		snprintf(val, sizeof(val), "%u words alike", words);
	ret = add(out, val, "reads region %u", index);
out:
	free(info);
	return ret;
}

/* Reads and writes of 4 bytes just past the end of a region. */
static int bounds_answers(int fd, unsigned int index, struct answers *out)
{
	struct vfio_region_info *info = vfio_region_info(fd, index);
	char val[96], rb[32], wb[32];
	const char *r, *w;
	uint32_t word = 0;
	int ret;

	if (!info || !info->size) {
		free(info);
		return 0;
	}
	/* Each errno read right after its own call. */
	r = result(pread(fd, &word, 4, info->offset + info->size), rb,
		   sizeof(rb));
	w = result(pwrite(fd, &word, 4, info->offset + info->size), wb,
		   sizeof(wb));
	snprintf(val, sizeof(val), "read %s write %s", r, w);
	ret = add(out, val, "bounds region %u past end", index);
	free(info);
	return ret;
}

static const char *dmabuf_result(int fd, unsigned int index, uint64_t off,
				 uint64_t len, char *buf, size_t blen)
{
	int ret = get_dmabuf(fd, index, off, len);

	if (ret >= 0) {
		close(ret);
		return "ok";
	}
	snprintf(buf, blen, "errno %d", -ret);
	return buf;
}

/* A BAR dma-buf of the whole (page-rounded) BAR and of each area. */
static int dmabuf_answers(int fd, unsigned int index, struct answers *out)
{
	struct vfio_region_sparse_mmap_area areas[VFIO_PCI_NUM_REGIONS * 8];
	struct vfio_region_info *info = vfio_region_info(fd, index);
	unsigned int i, nr;
	char buf[32];
	int ret;

	if (!info || !info->size) {
		free(info);
		return 0;
	}
	ret = add(out, dmabuf_result(fd, index, 0, page_round(info->size), buf,
				     sizeof(buf)), "dmabuf region %u whole",
		  index);
	nr = sparse_areas(info, areas, ARRAY_SIZE(areas));
	for (i = 0; !ret && i < nr; i++)
		ret = add(out, dmabuf_result(fd, index, areas[i].offset,
					     areas[i].size, buf, sizeof(buf)),
			  "dmabuf region %u area 0x%llx+0x%llx", index,
			  areas[i].offset, areas[i].size);
	free(info);
	return ret;
}

/*
 * A mapping of a memory BAR read with memory decode on, off and on again:
 * turning decode off must zap it (SIGBUS), turning it on must let it
 * fault back.  The word read is the first outside MSI-X.
 */
static int decode_answers(int fd, const char *bdf, unsigned int index,
			  struct answers *out)
{
	struct vfio_region_info *info = vfio_region_info(fd, index);
	uint64_t off, len, s[2], e[2];
	bool before, during, after;
	struct bar_resource res;
	char val[64];
	uint32_t v;
	void *map;
	int ret = 0;

	if (!info || !info->size || !(info->flags & VFIO_REGION_INFO_FLAG_MMAP) ||
	    bar_resource(bdf, index, &res) || !(res.flags & BAR_IORESOURCE_MEM))
		goto out;
	bar_msix_ranges(bdf, index, s, e);
	for (off = 0; off + 4 <= info->size && in_msix(off, s, e); off += 4)
		;
	if (off + 4 > info->size)
		goto out;
	len = page_round(info->size);
	map = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, info->offset);
	if (map == MAP_FAILED) {
		ret = add(out, result(-1, val, sizeof(val)),
			  "decode region %u", index);
		goto out;
	}
	before = read32_guarded((char *)map + off, &v);
	vfio_set_memory_decode(fd, false);
	during = read32_guarded((char *)map + off, &v);
	vfio_set_memory_decode(fd, true);
	after = read32_guarded((char *)map + off, &v);
	munmap(map, len);
	snprintf(val, sizeof(val), "on %s, off %s, on %s",
		 before ? "reads" : "SIGBUS", during ? "reads" : "SIGBUS",
		 after ? "reads" : "SIGBUS");
	ret = add(out, val, "decode region %u", index);
out:
	free(info);
	return ret;
}

static int reset_answers(int fd, struct answers *out)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	char val[64], buf[32];

	if (ioctl(fd, VFIO_DEVICE_GET_INFO, &info))
		return add(out, result(-1, buf, sizeof(buf)), "reset device");
	snprintf(val, sizeof(val), "flag %s, ioctl %s",
		 info.flags & VFIO_DEVICE_FLAGS_RESET ? "set" : "clear",
		 result(ioctl(fd, VFIO_DEVICE_RESET), buf, sizeof(buf)));
	return add(out, val, "reset device");
}

/*
 * QEMU 11 exports one dma-buf of the BAR with a range per area it maps
 * (hw/vfio/region.c vfio_region_create_dma_buf()); iommufd maps it into
 * the IOAS for P2P only if it has one range (vfio_pci_dma_buf_iommufd_map()
 * in Linux 7.3).  The export is asked of the kernel for real.
 */
static const char *qemu11_p2p(int fd, unsigned int index,
			      const struct consumer_view *v, char *buf,
			      size_t len)
{
	struct vfio_region_dma_range ranges[VMM_MAX_AREAS * 2];
	unsigned int i;
	int ret;

	if (!v->maps)
		return "-";
	/* The areas as they are (hw/vfio/region.c), not rounded to pages. */
	for (i = 0; i < v->maps; i++) {
		ranges[i].offset = v->map[i].offset;
		ranges[i].length = v->map[i].size;
	}
	ret = get_dmabuf_ranges(fd, index, ranges, v->maps);
	if (ret < 0) {
		snprintf(buf, len, "no(errno-%d)", -ret);
		return buf;
	}
	close(ret);
	if (v->maps == 1)
		return "yes";
	snprintf(buf, len, "no(%u-ranges)", v->maps);
	return buf;
}

/* What each VMM of consumers.h ends up with for a memory BAR. */
static int consumers_answers(int fd, const char *bdf, unsigned int index,
			     struct answers *out)
{
	struct consumer_bar bar;
	struct consumer_view v;
	char val[160], p2p[32];
	enum consumer c;
	int ret;

	ret = consumer_bar_load(&bar, fd, index, bdf);
	if (ret == -ENODEV)
		return 0;
	if (ret) {
		snprintf(val, sizeof(val), "errno %d", -ret);
		return add(out, val, "consumers region %u", index);
	}
	for (c = 0; !ret && c < CONSUMER_NR; c++) {
		consumer_view(c, &bar, &v);
		if (!v.accepted)
			snprintf(val, sizeof(val), "rejected");
		else
			snprintf(val, sizeof(val),
				 "accepted maps=%u slots=%u refused=%u direct=0x%llx entries=%llu p2p=%s",
				 v.maps, v.slots, v.refused,
				 (unsigned long long)v.direct,
				 (unsigned long long)v.entries,
				 c == CONSUMER_QEMU_11_1 ?
				 qemu11_p2p(fd, index, &v, p2p, sizeof(p2p)) :
				 "-");
		ret = add(out, val, "consumers region %u %s", index,
			  consumer_name(c));
	}
	return ret;
}

/* A field "NAME=VALUE" of a consumers answer, or NULL. */
static const char *field(const char *answer, const char *name, char *buf,
			 size_t len)
{
	size_t n = strlen(name);
	const char *p = answer;

	while ((p = strstr(p, name))) {
		if ((p == answer || p[-1] == ' ') && p[n] == '=') {
			snprintf(buf, len, "%.*s", (int)strcspn(p + n + 1, " "),
				 p + n + 1);
			return buf;
		}
		p += n;
	}
	return NULL;
}

static unsigned long long num_field(const char *answer, const char *name)
{
	char buf[32];

	return strtoull(field(answer, name, buf, sizeof(buf)) ?: "0", NULL, 0);
}

/* Append @reason to the list in @why when @worse. */
static void worse_if(bool worse, const char *reason, char *why, size_t len)
{
	size_t n = strlen(why);

	if (worse)
		snprintf(why + n, len - n, "%s%s", n ? ", " : "", reason);
}

const char *consumer_answer_worse(const char *ours, const char *stock,
				  char *why, size_t len)
{
	char b[32], s[32];
	bool more;

	why[0] = '\0';
	if (strncmp(stock, "accepted", 8))
		return NULL;
	if (strncmp(ours, "accepted", 8)) {
		snprintf(why, len, "device rejected");
		return why;
	}
	/* Slots and entries cost more only for no more direct bytes. */
	more = num_field(ours, "direct") > num_field(stock, "direct");
	worse_if(num_field(ours, "direct") < num_field(stock, "direct"),
		 "fewer direct bytes", why, len);
	worse_if(!more && num_field(ours, "slots") > num_field(stock, "slots"),
		 "more memory slots", why, len);
	worse_if(num_field(ours, "refused") > num_field(stock, "refused"),
		 "more slots refused", why, len);
	worse_if(!more &&
		 num_field(ours, "entries") > num_field(stock, "entries"),
		 "more page-table entries", why, len);
	worse_if(!strcmp(field(stock, "p2p", s, sizeof(s)) ?: "", "yes") &&
		 strcmp(field(ours, "p2p", b, sizeof(b)) ?: "", "yes"),
		 "P2P lost", why, len);
	return why[0] ? why : NULL;
}

/* Ask @family (one of answer_families) about every region it concerns. */
static int ask(int fd, const char *bdf, const char *family,
	       struct answers *out)
{
	unsigned int i, nr = num_regions(fd);
	int ret = 0;

	if (!strcmp(family, "device"))
		return device_answers(fd, out);
	if (!strcmp(family, "config"))
		return config_answers(fd, out);
	if (!strcmp(family, "reset"))
		return reset_answers(fd, out);
	for (i = 0; !ret && i < nr; i++) {
		bool bar = i <= VFIO_PCI_BAR5_REGION_INDEX;

		if (!strcmp(family, "region"))
			ret = region_answers(fd, i, out);
		else if (!strcmp(family, "mmap"))
			ret = mmap_answers(fd, i, out);
		else if (!strcmp(family, "bounds"))
			ret = bounds_answers(fd, i, out);
		else if (bar && !strcmp(family, "reads"))
			ret = reads_answers(fd, bdf, i, out);
		else if (bar && !strcmp(family, "dmabuf"))
			ret = dmabuf_answers(fd, i, out);
		else if (bar && !strcmp(family, "decode"))
			ret = decode_answers(fd, bdf, i, out);
		else if (bar && !strcmp(family, "consumers"))
			ret = consumers_answers(fd, bdf, i, out);
	}
	return ret;
}

int answers_collect(int fd, const char *bdf, const char *family,
		    struct answers *out)
{
	unsigned int i;
	int ret = 0;

	if (family)
		return ask(fd, bdf, family, out);
	for (i = 0; !ret && answer_families[i]; i++)
		ret = ask(fd, bdf, answer_families[i], out);
	return ret;
}

void answers_print(const struct answers *a, FILE *f)
{
	unsigned int i;

	for (i = 0; i < a->nr; i++)
		fprintf(f, "%s\t%s\n", a->a[i].key, a->a[i].val);
}

int answers_load(const char *path, struct answers *out)
{
	char line[ANSWER_KEY_LEN + ANSWER_VAL_LEN + 2], *tab;
	FILE *f = fopen(path, "r");
	int ret = 0;

	if (!f)
		return -errno;
	while (!ret && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		tab = strchr(line, '\t');
		if (!tab)
			continue;
		*tab = '\0';
		ret = add(out, tab + 1, "%s", line);
	}
	fclose(f);
	return ret;
}

void answers_free(struct answers *a)
{
	free(a->a);
	memset(a, 0, sizeof(*a));
}

const char *answers_get(const struct answers *a, const char *key)
{
	unsigned int i;

	for (i = 0; i < a->nr; i++)
		if (!strcmp(a->a[i].key, key))
			return a->a[i].val;
	return NULL;
}

const char *answer_allowed(const char *path, const char *label,
			   const char *key, const char *ours,
			   const char *stock, int *err)
{
	static char rule[256];
	char line[1024], *f[5], *save;
	unsigned int n;
	FILE *list = fopen(path, "r");

	*err = 0;
	if (!list) {
		*err = -errno;
		return NULL;
	}
	while (fgets(line, sizeof(line), list)) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || !line[0])
			continue;
		n = 0;
		for (f[n] = strtok_r(line, "\t", &save); f[n] && n < 4;
		     f[++n] = strtok_r(NULL, "\t", &save))
			;
		if (n < 4 || !f[4]) {
			*err = -EINVAL;
			break;
		}
		if (!fnmatch(f[0], label, 0) && !fnmatch(f[1], key, 0) &&
		    !fnmatch(f[2], ours, 0) && !fnmatch(f[3], stock, 0)) {
			snprintf(rule, sizeof(rule), "%s", f[4]);
			fclose(list);
			return rule;
		}
	}
	fclose(list);
	return NULL;
}
