// SPDX-License-Identifier: GPL-2.0-only
/*
 * The argsz protocol of VFIO_DEVICE_GET_REGION_INFO, as
 * include/uapi/linux/vfio.h documents it, on the first BAR of the device
 * (VFIO_SELFTESTS_BDF or the command line) that carries capabilities (run
 * against the nvme: MSIX_MAPPABLE on its BAR0 under either driver; on arm64 its
 * CMB BAR2 has SPARSE_MMAP under barmap-vfio-pci, which the read-once test
 * needs).
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include <libvfio.h>

#include "kselftest_harness.h"
#include "vfio_util.h"

#define MINSZ	(offsetof(struct vfio_region_info, offset) + sizeof(__u64))
#define POISON	0xa5

FIXTURE(argsz) {
	struct vfio_dev dev;
	unsigned int index;	/* a BAR with capabilities */
	uint32_t full;		/* argsz that holds its whole chain */
};

FIXTURE_SETUP(argsz)
{
	struct vfio_region_info *info;
	unsigned int i;
	int ret = vfio_dev_open(&self->dev, device_bdf);

	ASSERT_EQ(0, ret) TH_LOG("open %s: %s", device_bdf, strerror(-ret));
	for (i = VFIO_PCI_BAR0_REGION_INDEX; i <= VFIO_PCI_BAR5_REGION_INDEX; i++) {
		info = vfio_region_info(self->dev.fd, i);
		ASSERT_NE(NULL, info);
		if (info->flags & VFIO_REGION_INFO_FLAG_CAPS) {
			self->index = i;
			self->full = info->argsz;
			free(info);
			return;
		}
		free(info);
	}
	ASSERT_TRUE(false) TH_LOG("%s has no BAR with capabilities", device_bdf);
}

FIXTURE_TEARDOWN(argsz)
{
	vfio_dev_close(&self->dev);
}

/* Ask with @argsz into a poisoned buffer of @buflen bytes. */
static int ask(int fd, unsigned int index, uint32_t argsz, void *buf,
	       size_t buflen)
{
	struct vfio_region_info *info = buf;

	memset(buf, POISON, buflen);
	info->argsz = argsz;
	info->index = index;
	return ioctl(fd, VFIO_DEVICE_GET_REGION_INFO, info) ? errno : 0;
}

static bool poisoned(const void *buf, size_t from, size_t to)
{
	const unsigned char *p = buf;

	for (; from < to; from++)
		if (p[from] != POISON)
			return false;
	return true;
}

TEST_F(argsz, below_minimum_is_einval)
{
	char buf[256];

	EXPECT_EQ(EINVAL, ask(self->dev.fd, self->index, MINSZ - 1, buf,
			      sizeof(buf)));
	EXPECT_EQ(EINVAL, ask(self->dev.fd, self->index, 0, buf, sizeof(buf)));
}

TEST_F(argsz, too_small_for_caps_raises_argsz_without_chain)
{
	struct vfio_region_info *info;
	char buf[512];

	ASSERT_GT(self->full, sizeof(*info));
	ASSERT_LE(self->full, sizeof(buf));
	info = (void *)buf;
	ASSERT_EQ(0, ask(self->dev.fd, self->index, sizeof(*info), buf,
			 sizeof(buf)));
	EXPECT_TRUE(info->flags & VFIO_REGION_INFO_FLAG_CAPS);
	EXPECT_EQ(self->full, info->argsz);
	EXPECT_EQ(0, info->cap_offset);
	EXPECT_TRUE(poisoned(buf, sizeof(*info), sizeof(buf)))
		TH_LOG("the kernel wrote past argsz");

	/* One byte short of the chain is still too small. */
	ASSERT_EQ(0, ask(self->dev.fd, self->index, self->full - 1, buf,
			 sizeof(buf)));
	EXPECT_EQ(self->full, info->argsz);
	EXPECT_EQ(0, info->cap_offset);
	EXPECT_TRUE(poisoned(buf, sizeof(*info), sizeof(buf)));
}

TEST_F(argsz, exact_size_returns_whole_chain)
{
	const struct vfio_info_cap_header *hdr;
	struct vfio_region_info *info;
	unsigned int caps = 0;
	char buf[512];
	uint32_t off;

	info = (void *)buf;
	ASSERT_EQ(0, ask(self->dev.fd, self->index, self->full, buf,
			 sizeof(buf)));
	EXPECT_EQ(self->full, info->argsz);
	ASSERT_EQ(sizeof(*info), info->cap_offset);
	for (off = info->cap_offset; off; off = hdr->next) {
		ASSERT_LE(off + sizeof(*hdr), self->full);
		hdr = (const void *)(buf + off);
		ASSERT_TRUE(hdr->next == 0 || hdr->next > off);
		caps++;
	}
	EXPECT_GE(caps, 1);
	EXPECT_TRUE(poisoned(buf, self->full, sizeof(buf)));
}

TEST_F(argsz, bad_index_is_einval)
{
	struct vfio_device_info dinfo = { .argsz = sizeof(dinfo) };
	char buf[256];

	ASSERT_EQ(0, ioctl(self->dev.fd, VFIO_DEVICE_GET_INFO, &dinfo));
	EXPECT_EQ(EINVAL, ask(self->dev.fd, dinfo.num_regions, sizeof(buf),
			      buf, sizeof(buf)));
	EXPECT_EQ(EINVAL, ask(self->dev.fd, 0xffffffff, sizeof(buf), buf,
			      sizeof(buf)));
}

TEST_F(argsz, unmapped_user_pointer_is_efault)
{
	EXPECT_EQ(-1, ioctl(self->dev.fd, VFIO_DEVICE_GET_REGION_INFO,
			    (void *)16));
	EXPECT_EQ(EFAULT, errno);
}

TEST_F(argsz, config_region_still_answered)
{
	struct vfio_region_info *info;

	info = vfio_region_info(self->dev.fd, VFIO_PCI_CONFIG_REGION_INDEX);
	ASSERT_NE(NULL, info);
	EXPECT_EQ(VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE,
		  info->flags);
	EXPECT_GE(info->size, 256);
	free(info);
}

struct index_flipper {
	struct vfio_region_info *info;
	unsigned int a, b;
	volatile bool stop;
	volatile unsigned long flips;
};

/*
 * Hold each index for a while: a scheduler (or QEMU's TCG, which
 * switches vCPUs between translated blocks) that interrupts this thread
 * only at the loop's end would otherwise always find the second one.
 */
static void *flip_index(void *arg)
{
	struct index_flipper *f = arg;
	volatile __u32 *index = &f->info->index;
	unsigned int spin;

	while (!f->stop) {
		*index = f->a;
		for (spin = 0; spin < 1000 && !f->stop; spin++)
			;
		*index = f->b;
		for (spin = 0; spin < 1000 && !f->stop; spin++)
			;
		f->flips++;
	}
	return NULL;
}

/*
 * The first BAR whose capability chain starts with SPARSE_MMAP (barmap's
 * own answer, which vfio-pci-core does not give), its index and the
 * argsz of its whole chain; -1 if there is none.
 */
static int sparse_bar(int fd, uint32_t *full)
{
	const struct vfio_info_cap_header *first;
	struct vfio_region_info *info;
	int i;

	for (i = VFIO_PCI_BAR0_REGION_INDEX; i <= VFIO_PCI_BAR5_REGION_INDEX; i++) {
		info = vfio_region_info(fd, i);
		if (!info)
			return -1;
		first = (const void *)((const char *)info + info->cap_offset);
		if ((info->flags & VFIO_REGION_INFO_FLAG_CAPS) &&
		    info->cap_offset >= sizeof(*info) &&
		    first->id == VFIO_REGION_INFO_CAP_SPARSE_MMAP) {
			*full = info->argsz;
			free(info);
			return i;
		}
		free(info);
	}
	return -1;
}

/*
 * The user's struct is read once.  Another thread flips the index
 * between the config region and a BAR with SPARSE_MMAP while this one
 * asks again and again: every answer is the config region's or the
 * BAR's as a plain REGION_INFO gives it (SPARSE_MMAP first), never the
 * BAR under vfio-pci-core's rules, which a second read after routing
 * on the first would give.  A device with no such BAR (the nvme on x86,
 * its one BAR holding MSI-X and so answered as vfio-pci answers it) has
 * no answer of barmap's own to tell apart from the core's.
 */
TEST_F_TIMEOUT(argsz, index_changed_during_the_ioctl_is_read_once, 300)
{
	struct index_flipper f = { .a = VFIO_PCI_CONFIG_REGION_INDEX };
	const struct vfio_info_cap_header *first;
	unsigned long config = 0, bar = 0, mixed = 0, i;
	struct vfio_region_info *info;
	pthread_t thread;
	uint32_t full;
	__u16 first_id;
	__u64 bar_size;
	int index;

	index = sparse_bar(self->dev.fd, &full);
	if (index < 0)
		SKIP(return, "no BAR with SPARSE_MMAP: each BAR answered as by the core");
	f.b = index;
	info = vfio_region_info(self->dev.fd, index);
	ASSERT_NE(NULL, info);
	bar_size = info->size;
	first = (const void *)((const char *)info + info->cap_offset);
	first_id = first->id;
	free(info);

	f.info = calloc(1, full);
	ASSERT_NE(NULL, f.info);
	f.info->index = index;
	ASSERT_EQ(0, pthread_create(&thread, NULL, flip_index, &f));
	while (!f.flips)
		sched_yield();
	/*
	 * 20000 calls, and more until both answers have been seen: the
	 * two threads may share a CPU for a while.
	 */
	for (i = 0; i < 20000 || ((!config || !bar) && i < 1000000); i++) {
		f.info->argsz = full;
		f.info->flags = 0;
		f.info->cap_offset = 0;
		f.info->size = 0;
		if (ioctl(self->dev.fd, VFIO_DEVICE_GET_REGION_INFO, f.info))
			continue;
		if (f.info->size != bar_size) {
			config++;
			continue;
		}
		first = (const void *)((const char *)f.info + f.info->cap_offset);
		if ((f.info->flags & VFIO_REGION_INFO_FLAG_CAPS) &&
		    f.info->cap_offset >= sizeof(*f.info) &&
		    first->id == first_id)
			bar++;
		else
			mixed++;
	}
	f.stop = true;
	pthread_join(thread, NULL);
	free(f.info);

	TH_LOG("%lu config answers, %lu BAR answers (first capability %u), %lu other BAR answers",
	       config, bar, first_id, mixed);
	EXPECT_EQ(0, mixed);
	/* Both indexes were seen: the flipping raced the ioctl. */
	EXPECT_NE(0, config);
	EXPECT_NE(0, bar);
}

int main(int argc, char *argv[])
{
	device_bdf = vfio_selftests_get_bdf(&argc, argv);
	return test_harness_run(argc, argv);
}
