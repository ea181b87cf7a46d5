// SPDX-License-Identifier: GPL-2.0-only
/*
 * Bad input to a device file (VFIO_SELFTESTS_BDF or the command line): bounded
 * random loops over the device ioctls and over mmap, with a fixed seed that
 * each test prints (BARMAP_SEED overrides it, BARMAP_ITERS scales the loops).
 *
 * Each call's outcome is predicted from what include/uapi/linux/vfio.h
 * and vfio-pci-core (Linux 6.12) document: the argument is read before
 * anything is checked (EFAULT if it cannot be), then argsz and index are
 * checked (EINVAL), then the reply is written (EFAULT if it cannot be);
 * unknown commands are ENOTTY.  A mapping must be MAP_SHARED, page
 * aligned and inside what REGION_INFO advertises: the SPARSE_MMAP areas,
 * or the whole page-rounded BAR when there are none or when
 * MSIX_MAPPABLE says the MSI-X pages may be mapped too; anything else is
 * EINVAL.  The rig runs the same tests against stock vfio-pci.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <libvfio.h>

#include "kselftest_harness.h"
#include "vfio_util.h"

#define DEFAULT_SEED	0xf022b4a7ULL
#define MAX_REGIONS	16
#define MAX_AREAS	16
#define SZ_1G		0x40000000UL
/* The minsz of each ioctl: up to and including the named member. */
#define RI_MINSZ	(offsetof(struct vfio_region_info, offset) + 8)
#define DI_MINSZ	(offsetof(struct vfio_device_info, num_irqs) + 4)
#define II_MINSZ	(offsetof(struct vfio_irq_info, count) + 4)

#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE	0x03
#endif
#ifndef MAP_SYNC
#define MAP_SYNC		0x80000
#endif

/* Where an ioctl argument points. */
enum ptr_kind {
	PTR_NULL,	/* 0 */
	PTR_LOW,	/* below mmap_min_addr: never mapped */
	PTR_KERNEL,	/* a kernel address */
	PTR_NONCANON,	/* not canonical on x86-64 */
	PTR_PROT_NONE,	/* a PROT_NONE page */
	PTR_READONLY,	/* a PROT_READ page: readable, not writable */
	PTR_EDGE,	/* @room writable bytes, then a PROT_NONE page */
	PTR_KINDS,
};

/* What a clean call says about one region index. */
struct region {
	bool valid;
	uint32_t full;		/* argsz holding the whole reply */
	struct vfio_region_info info;
	uint64_t span;		/* page-rounded size, when mappable */
	unsigned int nr_areas;	/* 0: the whole span */
	struct vfio_region_sparse_mmap_area areas[MAX_AREAS];
	bool msix_mappable;
};

FIXTURE(fuzz) {
	struct vfio_dev dev;
	struct vfio_device_info dinfo;
	uint32_t dinfo_full;
	size_t dinfo_size;	/* bytes of it the kernel writes */
	struct region regions[MAX_REGIONS];
	unsigned int mappable[MAX_REGIONS], nr_mappable;
	bool irq_valid[VFIO_PCI_NUM_IRQS];
	uint64_t seed, rand;
	unsigned long iters;
	long page;
	char *edge;		/* two writable pages, then PROT_NONE */
	char *ro;		/* one page, PROT_READ between fills */
	char *none;		/* one PROT_NONE page */
	char *spare;		/* PROT_NONE room to move mappings into */
	size_t spare_len;
};

static void fill_regions(struct __test_metadata *_metadata,
			 FIXTURE_DATA(fuzz) *self)
{
	const struct vfio_region_info_cap_sparse_mmap *sparse;
	struct vfio_region_info *info;
	struct region *r;
	unsigned int i;

	for (i = 0; i < MAX_REGIONS; i++) {
		r = &self->regions[i];
		info = vfio_region_info(self->dev.fd, i);
		if (!info) {
			ASSERT_EQ(EINVAL, errno) TH_LOG("region %u", i);
			continue;
		}
		r->valid = true;
		r->full = info->argsz;
		memcpy(&r->info, info, sizeof(r->info));
		if (info->flags & VFIO_REGION_INFO_FLAG_MMAP) {
			r->span = (info->size + self->page - 1) &
				  ~(uint64_t)(self->page - 1);
			self->mappable[self->nr_mappable++] = i;
		}
		r->msix_mappable =
			vfio_region_cap(info, VFIO_REGION_INFO_CAP_MSIX_MAPPABLE);
		sparse = (const void *)vfio_region_cap(info,
					VFIO_REGION_INFO_CAP_SPARSE_MMAP);
		if (sparse) {
			ASSERT_LE(sparse->nr_areas, MAX_AREAS);
			r->nr_areas = sparse->nr_areas;
			memcpy(r->areas, sparse->areas,
			       sparse->nr_areas * sizeof(r->areas[0]));
		}
		free(info);
	}
	/* What the uAPI promises about which indexes exist. */
	for (i = 0; i < MAX_REGIONS; i++) {
		if (i == VFIO_PCI_VGA_REGION_INDEX)
			continue;	/* only on VGA devices */
		EXPECT_EQ(i < self->dinfo.num_regions, self->regions[i].valid)
			TH_LOG("region %u of %u", i, self->dinfo.num_regions);
	}
}

/*
 * How much of struct vfio_device_info the kernel writes: Linux 6.5 added
 * a trailing pad (24 bytes) that 6.1 and bookworm's headers lack (20).
 */
static size_t kernel_dinfo_size(int fd)
{
	static const unsigned char poison[4] = { 0xa5, 0xa5, 0xa5, 0xa5 };
	unsigned char buf[24];
	struct vfio_device_info *info = (void *)buf;

	memset(buf, 0xa5, sizeof(buf));
	info->argsz = sizeof(buf);
	if (ioctl(fd, VFIO_DEVICE_GET_INFO, info))
		return 0;
	return memcmp(buf + 20, poison, sizeof(poison)) ? 24 : 20;
}

FIXTURE_SETUP(fuzz)
{
	const char *iters = getenv("BARMAP_ITERS");
	struct vfio_irq_info irq;
	unsigned int i;
	int ret;

	self->page = sysconf(_SC_PAGESIZE);
	self->seed = test_seed(DEFAULT_SEED);
	self->rand = self->seed;
	self->iters = iters ? strtoul(iters, NULL, 0) : 1;
	ret = vfio_dev_open(&self->dev, device_bdf);
	ASSERT_EQ(0, ret) TH_LOG("open %s: %s", device_bdf, strerror(-ret));

	self->dinfo.argsz = sizeof(self->dinfo);
	ASSERT_EQ(0, ioctl(self->dev.fd, VFIO_DEVICE_GET_INFO, &self->dinfo));
	self->dinfo_size = kernel_dinfo_size(self->dev.fd);
	ASSERT_NE(0, self->dinfo_size);
	/*
	 * The kernel raises argsz only for a capability chain that did not
	 * fit; otherwise the whole reply is what it writes, which on 6.1 is
	 * less than the uapi struct the test is built with.
	 */
	self->dinfo_full = self->dinfo.argsz > sizeof(self->dinfo) ?
			   self->dinfo.argsz : self->dinfo_size;
	ASSERT_GE(self->dinfo.num_regions, VFIO_PCI_CONFIG_REGION_INDEX + 1);
	fill_regions(_metadata, self);
	for (i = 0; i < VFIO_PCI_NUM_IRQS; i++) {
		memset(&irq, 0, sizeof(irq));
		irq.argsz = sizeof(irq);
		irq.index = i;
		self->irq_valid[i] =
			!ioctl(self->dev.fd, VFIO_DEVICE_GET_IRQ_INFO, &irq);
	}

	self->edge = mmap(NULL, 3 * self->page, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->edge);
	ASSERT_EQ(0, mprotect(self->edge + 2 * self->page, self->page,
			      PROT_NONE));
	self->ro = mmap(NULL, self->page, PROT_READ,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->ro);
	self->none = mmap(NULL, self->page, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->none);
	self->spare_len = 4UL << 30;
	self->spare = mmap(NULL, self->spare_len, PROT_NONE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	ASSERT_NE(MAP_FAILED, self->spare);
}

FIXTURE_TEARDOWN(fuzz)
{
	munmap(self->edge, 3 * self->page);
	munmap(self->ro, self->page);
	munmap(self->none, self->page);
	munmap(self->spare, self->spare_len);
	vfio_dev_close(&self->dev);
}

static uint64_t rnd(FIXTURE_DATA(fuzz) *self)
{
	return test_rand(&self->rand);
}

/* Mostly small, sometimes any 32-bit value. */
static uint32_t rnd_index(FIXTURE_DATA(fuzz) *self, uint32_t limit)
{
	uint64_t r = rnd(self);

	if (r % 8 == 0)
		return r >> 32;
	return (r >> 8) % (limit + 3);
}

/* argsz near the interesting values: 0, minsz, full reply, anything. */
static uint32_t rnd_argsz(FIXTURE_DATA(fuzz) *self, uint32_t minsz,
			  uint32_t full)
{
	uint64_t r = rnd(self);
	uint32_t near[] = { 0, minsz, full, sizeof(struct vfio_region_info) };

	switch (r % 4) {
	case 0:
		return r >> 32;
	case 1:
		return (r >> 8) % (full + 64);
	default:
		return near[(r >> 8) % 4] + (int)((r >> 16) % 5) - 2;
	}
}

/*
 * Build an argument at a pointer of a random kind; @hdr (argsz, then a
 * u32 flags and u32 index as in every VFIO info struct) is what the
 * kernel will read where it can.  Returns the pointer; *@room is how many
 * bytes at it may be read and written (0: none), *@readable whether the
 * kernel can read the header at all.
 */
static void *rnd_arg(FIXTURE_DATA(fuzz) *self, const uint32_t hdr[3],
		     size_t hdr_len, size_t *room, bool *readable)
{
	enum ptr_kind kind = rnd(self) % PTR_KINDS;
	char *p;

	*room = 0;
	*readable = false;
	switch (kind) {
	case PTR_NULL:
		return NULL;
	case PTR_LOW:
		return (void *)(16 + rnd(self) % 4000);
	case PTR_KERNEL:
		return (void *)0xffff888000000000UL;
	case PTR_NONCANON:
		return (void *)0x8000000000000000UL;
	case PTR_PROT_NONE:
		return self->none + rnd(self) % self->page;
	case PTR_READONLY:
		mprotect(self->ro, self->page, PROT_READ | PROT_WRITE);
		memset(self->ro, 0x5a, self->page);
		memcpy(self->ro, hdr, 12);
		mprotect(self->ro, self->page, PROT_READ);
		*readable = true;
		return self->ro;
	case PTR_EDGE:
	case PTR_KINDS:
		break;
	}
	/* 0 to 2 pages of room before the PROT_NONE page. */
	*room = rnd(self) % 4 ? rnd(self) % 512 : rnd(self) % (2 * self->page);
	p = self->edge + 2 * self->page - *room;
	memset(p, 0x5a, *room);
	memcpy(p, hdr, *room < 12 ? *room : 12);
	*readable = *room >= hdr_len;
	return p;
}

/* An ioctl's result as the kernel returned it: 0 or -errno. */
static int xioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

/*
 * An info ioctl's outcome: EFAULT unless the kernel could read @minsz
 * bytes, EINVAL for a bad argsz or index, then EFAULT unless it could
 * write @need bytes.
 */
static int predict(bool readable, size_t room, bool bad, size_t need)
{
	if (!readable)
		return -EFAULT;
	if (bad)
		return -EINVAL;
	return room >= need ? 0 : -EFAULT;
}

TEST_F_TIMEOUT(fuzz, region_info_random_args_give_documented_results, 120)
{
	unsigned long i, n = 8000 * self->iters, ok = 0, counts[3] = {};
	struct vfio_region_info *out;
	const struct region *r;
	uint32_t hdr[3];
	size_t room, need;
	bool readable, bad;
	int want, got;

	TH_LOG("seed 0x%llx (BARMAP_SEED), %lu calls",
	       (unsigned long long)self->seed, n);
	for (i = 0; i < n; i++) {
		hdr[2] = rnd_index(self, self->dinfo.num_regions);
		r = hdr[2] < MAX_REGIONS ? &self->regions[hdr[2]] : NULL;
		hdr[0] = rnd_argsz(self, RI_MINSZ, r && r->valid ? r->full :
				   sizeof(*out));
		hdr[1] = rnd(self);
		out = rnd_arg(self, hdr, RI_MINSZ, &room, &readable);
		bad = hdr[0] < RI_MINSZ || !r || !r->valid;
		/* The chain goes out only when argsz holds all of it. */
		need = !bad && r->full > sizeof(*out) && hdr[0] >= r->full ?
		       r->full : RI_MINSZ;
		want = predict(readable, room, bad, need);
		got = xioctl(self->dev.fd, VFIO_DEVICE_GET_REGION_INFO, out);
		ASSERT_EQ(want, got)
			TH_LOG("call %lu: index %u argsz %u room %zu readable %d: %s",
			       i, hdr[2], hdr[0], room, readable, strerror(-got));
		counts[got == -EINVAL ? 1 : got == -EFAULT ? 2 : 0]++;
		if (got || room < RI_MINSZ)
			continue;
		/* A reply is the same reply whatever argsz asked for. */
		ok++;
		EXPECT_EQ(r->info.size, out->size);
		EXPECT_EQ(r->info.offset, out->offset);
		EXPECT_EQ(r->info.flags, out->flags);
		EXPECT_EQ(hdr[0] >= r->full ? hdr[0] : r->full, out->argsz);
		/* cap_offset means something only with FLAG_CAPS. */
		if (out->flags & VFIO_REGION_INFO_FLAG_CAPS)
			EXPECT_EQ(need > RI_MINSZ ? sizeof(*out) : 0,
				  out->cap_offset);
	}
	TH_LOG("%lu replies, %lu EINVAL, %lu EFAULT", counts[0], counts[1],
	       counts[2]);
	EXPECT_NE(0, ok);
	EXPECT_NE(0, counts[1]);
	EXPECT_NE(0, counts[2]);
}

TEST_F_TIMEOUT(fuzz, device_info_random_args_give_documented_results, 120)
{
	unsigned long i, n = 2000 * self->iters;
	struct vfio_device_info *out;
	size_t room, need;
	uint32_t hdr[3];
	bool readable, bad;
	int want, got;

	TH_LOG("seed 0x%llx (BARMAP_SEED), %lu calls",
	       (unsigned long long)self->seed, n);
	for (i = 0; i < n; i++) {
		hdr[0] = rnd_argsz(self, DI_MINSZ, self->dinfo_full);
		hdr[1] = rnd(self);
		hdr[2] = rnd(self);
		out = rnd_arg(self, hdr, DI_MINSZ, &room, &readable);
		bad = hdr[0] < DI_MINSZ;
		/* The reply is min(argsz, sizeof) bytes, or the chain too. */
		need = hdr[0] < self->dinfo_size ? hdr[0] : self->dinfo_size;
		if (self->dinfo_full > self->dinfo_size &&
		    hdr[0] >= self->dinfo_full)
			need = self->dinfo_full;
		want = predict(readable, room, bad, need);
		got = xioctl(self->dev.fd, VFIO_DEVICE_GET_INFO, out);
		ASSERT_EQ(want, got)
			TH_LOG("call %lu: argsz %u room %zu readable %d: %s",
			       i, hdr[0], room, readable, strerror(-got));
		if (got)
			continue;
		EXPECT_EQ(self->dinfo.flags, out->flags);
		EXPECT_EQ(self->dinfo.num_regions, out->num_regions);
		EXPECT_EQ(self->dinfo.num_irqs, out->num_irqs);
	}
}

TEST_F_TIMEOUT(fuzz, irq_info_random_args_give_documented_results, 120)
{
	unsigned long i, n = 2000 * self->iters;
	struct vfio_irq_info *out;
	size_t room;
	uint32_t hdr[3];
	bool readable, bad;
	int want, got;

	TH_LOG("seed 0x%llx (BARMAP_SEED), %lu calls",
	       (unsigned long long)self->seed, n);
	for (i = 0; i < n; i++) {
		hdr[0] = rnd_argsz(self, II_MINSZ, sizeof(*out));
		hdr[1] = rnd(self);
		hdr[2] = rnd_index(self, VFIO_PCI_NUM_IRQS);
		out = rnd_arg(self, hdr, II_MINSZ, &room, &readable);
		bad = hdr[0] < II_MINSZ || hdr[2] >= VFIO_PCI_NUM_IRQS ||
		      !self->irq_valid[hdr[2]];
		want = predict(readable, room, bad, II_MINSZ);
		got = xioctl(self->dev.fd, VFIO_DEVICE_GET_IRQ_INFO, out);
		ASSERT_EQ(want, got)
			TH_LOG("call %lu: index %u argsz %u room %zu readable %d: %s",
			       i, hdr[2], hdr[0], room, readable, strerror(-got));
	}
	/* INTx, MSI, MSI-X and the request IRQ exist on every PCI device. */
	EXPECT_TRUE(self->irq_valid[VFIO_PCI_INTX_IRQ_INDEX]);
	EXPECT_TRUE(self->irq_valid[VFIO_PCI_MSIX_IRQ_INDEX]);
	EXPECT_TRUE(self->irq_valid[VFIO_PCI_REQ_IRQ_INDEX]);
}

/* VFIO_DEVICE_RESET takes no argument: whatever is passed is ignored. */
TEST_F_TIMEOUT(fuzz, reset_ignores_its_argument, 60)
{
	bool works = self->dinfo.flags & VFIO_DEVICE_FLAGS_RESET;
	uint32_t hdr[3] = { 0 };
	unsigned int i;
	size_t room;
	bool readable;
	int got;

	for (i = 0; i < 8; i++) {
		got = xioctl(self->dev.fd, VFIO_DEVICE_RESET,
			     rnd_arg(self, hdr, 0, &room, &readable));
		/* EAGAIN: pci_try_reset_function() found the device busy */
		if (works) {
			EXPECT_TRUE(got == 0 || got == -EAGAIN)
				TH_LOG("reset: %s", strerror(-got));
		} else {
			EXPECT_EQ(-EINVAL, got);
		}
	}
}

/*
 * The commands a vfio-pci device file knows, by number (VFIO_BASE + 7 to
 * + 20, including the iommufd ones of newer headers), and the ioctl types
 * the VFS answers itself before the driver sees them.
 */
static bool known_cmd(unsigned int cmd)
{
	unsigned int type = _IOC_TYPE(cmd), nr = _IOC_NR(cmd);

	if (type == VFIO_TYPE)
		return _IOC_DIR(cmd) == _IOC_NONE && _IOC_SIZE(cmd) == 0 &&
		       nr >= VFIO_BASE + 7 && nr <= VFIO_BASE + 20;
	return type == 0 || type == 'T' || type == 'X' || type == 'f' ||
	       type == 0x94 || type == 0x15;
}

TEST_F_TIMEOUT(fuzz, unknown_ioctls_are_enotty, 120)
{
	unsigned long i, n = 4000 * self->iters, tried = 0;
	uint32_t hdr[3] = { 0 };
	unsigned int cmd;
	uint64_t r;
	size_t room;
	bool readable;
	int got;

	TH_LOG("seed 0x%llx (BARMAP_SEED), %lu calls",
	       (unsigned long long)self->seed, n);
	for (i = 0; i < n; i++) {
		r = rnd(self);
		switch (r % 3) {
		case 0:	/* a VFIO number, any direction and size */
			cmd = _IOC((r >> 8) % 4, VFIO_TYPE,
				   VFIO_BASE - 20 + (r >> 16) % 64,
				   (r >> 24) % 512);
			break;
		case 1:	/* a plain VFIO number */
			cmd = _IO(VFIO_TYPE, (r >> 8) % 256);
			break;
		default:
			cmd = r >> 32;
		}
		if (known_cmd(cmd))
			continue;
		tried++;
		hdr[0] = rnd(self);
		got = xioctl(self->dev.fd, cmd,
			     rnd_arg(self, hdr, 0, &room, &readable));
		ASSERT_EQ(-ENOTTY, got)
			TH_LOG("cmd 0x%x: %s", cmd, strerror(-got));
	}
	EXPECT_GT(tried, n / 2);
}

/* Whether [off, off + len) of region @r may be mapped, per REGION_INFO. */
static bool advertised(const struct region *r, uint64_t off, uint64_t len)
{
	unsigned int i;

	if (!r->span || off > r->span || len > r->span - off)
		return false;
	if (!r->nr_areas || r->msix_mappable)
		return true;
	/* Inside one area or several adjacent ones, in order. */
	for (i = 0; i < r->nr_areas && len; i++) {
		const struct vfio_region_sparse_mmap_area *a = &r->areas[i];

		if (off < a->offset || off >= a->offset + a->size)
			continue;
		if (len <= a->offset + a->size - off)
			return true;
		len -= a->offset + a->size - off;
		off = a->offset + a->size;
	}
	return false;
}

/* An offset in region @index near something interesting. */
static uint64_t rnd_offset(FIXTURE_DATA(fuzz) *self, const struct region *r)
{
	uint64_t x = rnd(self), page = self->page, in = 0;

	if (r && r->nr_areas) {
		const struct vfio_region_sparse_mmap_area *a =
			&r->areas[(x >> 8) % r->nr_areas];

		in = (x & 0x10) ? a->offset : a->offset + a->size;
	} else if (r && r->valid) {
		in = (x >> 8) % (r->info.size + 2 * page);
	}
	switch (x % 8) {
	case 0:
		return x;			/* anything */
	case 1:
		return in + (x >> 40) % page;	/* unaligned */
	case 2:
		in += page;
		break;
	case 3:
		in = in >= page ? in - page : 0;
		break;
	case 4:
		in = 0;
		break;
	}
	return in & ~(page - 1);
}

static uint64_t rnd_len(FIXTURE_DATA(fuzz) *self, const struct region *r)
{
	uint64_t x = rnd(self), page = self->page;
	uint64_t size = r && r->valid ? r->info.size : page;

	switch (x % 10) {
	case 0:
		return 0;
	case 1:
		return 1ULL << (30 + (x >> 8) % 34);	/* up to 2^63 */
	case 2:
		return (x >> 8) % (2 * page);		/* unaligned */
	case 3:
		return size;
	case 4:
		return ((size + page - 1) & ~(page - 1)) + page;
	default:
		return ((x >> 8) % (size / page + 2) + 1) * page;
	}
}

/* Read the first and last word of a fresh mapping: never SIGBUS. */
static bool reads_fine(const char *map, uint64_t len)
{
	return !read32_raises_sigbus(map) &&
	       !read32_raises_sigbus(map + len - 4);
}

/* barmap's count of @level entries inserted for @bdf; 0 if none kept. */
static long long huge_faults(const char *bdf, const char *level)
{
	char path[128];

	barmap_debugfs_file(bdf, "faults", path, sizeof(path));
	return file_keyed_number(path, level, 0);
}

/* Put the PROT_NONE room back after a MAP_FIXED or a move into it. */
static void restore_spare(FIXTURE_DATA(fuzz) *self)
{
	mmap(self->spare, self->spare_len, PROT_NONE,
	     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
}

/*
 * Hostile things to do with a mapping that succeeded, after faulting it
 * in (with PUD or PMD entries where the placement allows): grow it
 * (refused: VM_DONTEXPAND), move it, punch a hole in it, change its
 * protection, and read what is left.  Returns the number of unexpected
 * results.
 */
static int abuse_mapping(FIXTURE_DATA(fuzz) *self, char *map, uint64_t len,
			 int prot)
{
	uint64_t page = self->page, hole;
	/*
	 * Where vfio-pci-core keeps the faults (6.1), its vm_ops->open zaps
	 * the VMA that mremap() creates before the page tables move, and a
	 * zap of a VM_PAT VMA with nothing mapped yet warns in untrack_pfn(),
	 * with stock vfio-pci alike.  There the mapping is faulted in after
	 * the move instead of before.
	 */
	bool fault_first = barmap_owns_faults();
	int bad = 0;
	void *moved;

	if (fault_first && (prot & PROT_READ) && !reads_fine(map, len))
		bad++;
	if (mremap(map, len, len + page, 0) != MAP_FAILED ||
	    mremap(map, len, len + page, MREMAP_MAYMOVE) != MAP_FAILED)
		bad++;
	/* To the top of the room, clear of its 1 GiB-aligned slot. */
	if (len <= SZ_1G && rnd(self) % 2) {
		moved = mremap(map, len, len, MREMAP_MAYMOVE | MREMAP_FIXED,
			       self->spare + self->spare_len - len -
			       (rnd(self) % 4) * page);
		if (moved == MAP_FAILED)
			bad++;
		else
			map = moved;
	}
	if (!fault_first && (prot & PROT_READ) && !reads_fine(map, len))
		bad++;
	if (len >= 3 * page) {
		hole = ((rnd(self) % (len / page - 2)) + 1) * page;
		if (munmap(map + hole, page))
			bad++;
		if ((prot & PROT_READ) && !reads_fine(map, hole))
			bad++;
		munmap(map, hole);
		map += hole + page;
		len -= hole + page;
	}
	if (mprotect(map, len, PROT_READ))
		bad++;
	else if (!reads_fine(map, len))
		bad++;
	madvise(map, len, MADV_DONTNEED);
	madvise(map, len, MADV_DONTFORK);
	if (munmap(map, len))
		bad++;
	restore_spare(self);
	return bad;
}

static const int map_types[] = { MAP_SHARED, MAP_SHARED, MAP_PRIVATE,
				 MAP_SHARED_VALIDATE };
static const int map_extras[] = { MAP_NORESERVE, MAP_POPULATE, MAP_LOCKED,
				  MAP_HUGETLB, MAP_SYNC, MAP_GROWSDOWN };

static int rnd_map_flags(FIXTURE_DATA(fuzz) *self)
{
	uint64_t x = rnd(self);
	int flags = map_types[x % ARRAY_SIZE(map_types)];
	unsigned int j;

	for (j = 0; j < ARRAY_SIZE(map_extras); j++)
		if ((x >> (8 + 3 * j)) % 8 == 0)
			flags |= map_extras[j];
	return flags;
}

/*
 * Whether mm lets a request through to the driver: a length, a page
 * aligned offset that leaves room for it, and no flag a device file
 * cannot have.  Past 2^56 the offset is not modelled: any of mm's
 * documented refusals will do.
 */
static bool mm_lets_through(uint64_t file_off, uint64_t len, uint64_t alen,
			    int flags, long page)
{
	return len && alen && !(file_off % page) && file_off < (1ULL << 56) &&
	       alen < (1ULL << 40) &&
	       !(flags & (MAP_HUGETLB | MAP_GROWSDOWN)) &&
	       !((flags & MAP_SYNC) && (flags & MAP_TYPE) == MAP_SHARED_VALIDATE);
}

/*
 * A private writable mapping is charged against the commit limit before
 * the driver sees it: ENOMEM may come first, whatever the driver says.
 */
static bool mm_accounts(int flags, int prot)
{
	return (flags & MAP_TYPE) == MAP_PRIVATE && (prot & PROT_WRITE);
}

TEST_F_TIMEOUT(fuzz, mmap_random_args_only_inside_advertised_areas, 300)
{
	unsigned long i, n = 2000 * self->iters, mapped = 0, refused = 0;
	uint64_t off, len, alen, x, file_off;
	const struct region *r;
	int prot, flags, want, got;
	unsigned int index;
	bool vm_ok;
	long long pmds, puds;
	char *map;
	void *at;

	TH_LOG("seed 0x%llx (BARMAP_SEED), %lu calls",
	       (unsigned long long)self->seed, n);
	pmds = huge_faults(self->dev.bdf, "pmd");
	puds = huge_faults(self->dev.bdf, "pud");
	for (i = 0; i < n; i++) {
		x = rnd(self);
		index = x % 8 ? (x >> 8) % 7 : rnd_index(self, 16);
		/* Half the time a BAR that can be mapped at all. */
		if (x & 0x80 && self->nr_mappable)
			index = self->mappable[(x >> 32) % self->nr_mappable];
		r = index < MAX_REGIONS ? &self->regions[index] : NULL;
		off = rnd_offset(self, r);
		len = rnd_len(self, r);
		prot = (x >> 16) % 8;		/* PROT_READ|WRITE|EXEC */
		flags = rnd_map_flags(self);
		/* Offsets past a region's 2^40 bytes name another region. */
		file_off = off >> 40 ? off : ((uint64_t)index << 40) + off;
		index = file_off >> 40;
		off = file_off & ((1ULL << 40) - 1);
		r = index < MAX_REGIONS ? &self->regions[index] : NULL;

		alen = (len + self->page - 1) & ~(uint64_t)(self->page - 1);
		vm_ok = mm_lets_through(file_off, len, alen, flags, self->page);
		want = vm_ok && (flags & MAP_TYPE) != MAP_PRIVATE && r &&
		       index <= VFIO_PCI_BAR5_REGION_INDEX &&
		       advertised(r, off, alen) ? 0 : -EINVAL;

		/* Half of what fits at a 1 GiB-aligned VA: huge entries. */
		at = NULL;
		if (alen <= SZ_1G && x & 0x40) {
			at = (void *)(((uintptr_t)self->spare + SZ_1G - 1) &
				      ~(SZ_1G - 1));
			flags |= MAP_FIXED;
		}
		map = mmap(at, len, prot, flags, self->dev.fd, file_off);
		got = map == MAP_FAILED ? -errno : 0;
		if (got && at)
			restore_spare(self);
		/*
		 * mm refuses PROT_EXEC from a noexec file before the driver
		 * sees it, and since Linux 7.x the anonymous inode behind a
		 * VFIO device file is one (SB_I_NOEXEC, which statvfs does
		 * not show): EPERM for an executable mapping is mm's.
		 */
		if (got == -EPERM && (prot & PROT_EXEC)) {
			refused++;
			continue;
		}
		if (!got) {
			mapped++;
			ASSERT_TRUE(r && advertised(r, off, alen))
				TH_LOG("call %lu: region %u +0x%llx len 0x%llx: outside the areas",
				       i, index, (unsigned long long)off,
				       (unsigned long long)len);
			ASSERT_EQ(want, got);
			ASSERT_EQ(0, abuse_mapping(self, map, alen, prot))
				TH_LOG("call %lu: region %u +0x%llx len 0x%llx",
				       i, index, (unsigned long long)off,
				       (unsigned long long)len);
			continue;
		}
		refused++;
		if (vm_ok && !mm_accounts(flags, prot)) {
			ASSERT_EQ(want, got)
				TH_LOG("call %lu: region %u +%llx len %llx prot %d flags %x: %s",
				       i, index, (unsigned long long)off,
				       (unsigned long long)len, prot, flags,
				       strerror(-got));
			continue;
		}
		/*
		 * mm's own refusals, as mmap(2) documents them: bad flags,
		 * offsets and lengths, and no room or no memory to account
		 * a private writable mapping for.
		 */
		ASSERT_TRUE(got == -EINVAL || got == -ENOMEM ||
			    got == -EOVERFLOW || got == -EOPNOTSUPP)
			TH_LOG("call %lu: offset 0x%llx len 0x%llx prot %d flags 0x%x: %s",
			       i, (unsigned long long)file_off,
			       (unsigned long long)len, prot, flags,
			       strerror(-got));
	}
	TH_LOG("%lu mapped, %lu refused; huge entries inserted: %lld PMD, %lld PUD",
	       mapped, refused, huge_faults(self->dev.bdf, "pmd") - pmds,
	       huge_faults(self->dev.bdf, "pud") - puds);
	if (self->nr_mappable)
		EXPECT_NE(0, mapped);
	EXPECT_NE(0, refused);
}

int main(int argc, char *argv[])
{
	device_bdf = vfio_selftests_get_bdf(&argc, argv);
	return test_harness_run(argc, argv);
}
