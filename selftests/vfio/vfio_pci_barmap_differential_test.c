// SPDX-License-Identifier: GPL-2.0-only
/*
 * Per-device tests of barmap-vfio-pci, run in the guest once per device
 * of the matrix (VFIO_SELFTESTS_BDF or the command line).  BARMAP_REF_DIR
 * holds what stock vfio-pci reported for the same device in the same
 * boot; BARMAP_SUBPAGE=reserved|refused says whether its sub-page BARs
 * are alone in their page, which decides the BARs every driver must let
 * userspace map (rig_mappable_bars).  BARMAP_REF_DIR/BDF.answers holds
 * stock vfio-pci's answers to the questions of answers.h
 * (vfio_pci_barmap_regions --answers); BARMAP_ALLOW_LIST the differences
 * allowed (stock-answers), BARMAP_LABEL the device's label there
 * (KERNEL/PROFILE/DEVICE).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <libvfio.h>

#include "kselftest_harness.h"
#include "answers.h"
#include "vfio_util.h"

FIXTURE(device) {
	struct vfio_dev dev;
};

FIXTURE_SETUP(device)
{
	int ret = vfio_dev_open(&self->dev, device_bdf);

	ASSERT_EQ(0, ret) TH_LOG("open %s: %s", device_bdf, strerror(-ret));
}

FIXTURE_TEARDOWN(device)
{
	vfio_dev_close(&self->dev);
}

TEST_F(device, bound_to_expected_driver)
{
	char drv[64];

	ASSERT_EQ(0, sysfs_driver(self->dev.bdf, drv, sizeof(drv)));
	ASSERT_STREQ(test_driver(), drv);
}

TEST_F(device, device_info_is_pci)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };

	ASSERT_EQ(0, ioctl(self->dev.fd, VFIO_DEVICE_GET_INFO, &info));
	EXPECT_TRUE(info.flags & VFIO_DEVICE_FLAGS_PCI);
	EXPECT_GE(info.num_regions, VFIO_PCI_CONFIG_REGION_INDEX + 1);
	EXPECT_GE(info.num_irqs, VFIO_PCI_MSIX_IRQ_INDEX + 1);
}

TEST_F(device, config_space_matches_sysfs)
{
	struct vfio_region_info *cfg;
	unsigned long vendor, device;
	uint16_t ids[2];
	char path[128];

	cfg = vfio_region_info(self->dev.fd, VFIO_PCI_CONFIG_REGION_INDEX);
	ASSERT_NE(NULL, cfg);
	ASSERT_EQ(sizeof(ids), pread(self->dev.fd, ids, sizeof(ids),
				     cfg->offset));
	free(cfg);

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vendor",
		 self->dev.bdf);
	ASSERT_EQ(0, sysfs_read_ulong(path, &vendor));
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/device",
		 self->dev.bdf);
	ASSERT_EQ(0, sysfs_read_ulong(path, &device));
	EXPECT_EQ(vendor, ids[0]);
	EXPECT_EQ(device, ids[1]);
}

/* The reference line for @index from the stock vfio-pci run, or NULL. */
static char *stock_line(const char *bdf, unsigned int index, char *buf,
			size_t len)
{
	const char *dir = getenv("BARMAP_REF_DIR");
	char path[256], want[32];
	FILE *f;

	if (!dir)
		return NULL;
	snprintf(path, sizeof(path), "%s/%s", dir, bdf);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	snprintf(want, sizeof(want), "region %u ", index);
	while (fgets(buf, len, f)) {
		if (!strncmp(buf, want, strlen(want))) {
			buf[strcspn(buf, "\n")] = '\0';
			fclose(f);
			return buf;
		}
	}
	fclose(f);
	return NULL;
}

/*
 * barmap-vfio-pci adds a SPARSE_MMAP capability to every mappable BAR of
 * a page or more that has an area; stock vfio-pci has none.  Drop it from
 * @line so the rest compares.  An empty list stays: a BAR of MSI-X alone
 * must have no capability at all, as under vfio-pci (QEMU maps nothing of
 * a region whose list is empty).
 */
static void drop_sparse_mmap(char *line)
{
	char *cap = strstr(line, " cap 1.1["), *end;

	if (!cap || cap[strlen(" cap 1.1[")] == ']')
		return;
	end = strchr(cap, ']');
	memmove(cap, end + 1, strlen(end + 1) + 1);
	if (!strstr(line, " cap "))
		strcat(line, " caps none");
}

TEST_F(device, bar_region_info_matches_stock_besides_sparse_mmap)
{
	struct vfio_region_info *info;
	char got[512], want[512];
	unsigned int i;

	if (!getenv("BARMAP_REF_DIR"))
		SKIP(return, "no stock vfio-pci reference (BARMAP_REF_DIR)");

	for (i = VFIO_PCI_BAR0_REGION_INDEX; i <= VFIO_PCI_BAR5_REGION_INDEX; i++) {
		info = vfio_region_info(self->dev.fd, i);
		ASSERT_NE(NULL, info);
		vfio_region_describe(info, got, sizeof(got));
		free(info);
		drop_sparse_mmap(got);
		ASSERT_NE(NULL, stock_line(self->dev.bdf, i, want, sizeof(want)))
			TH_LOG("no reference for BAR%u", i);
		EXPECT_STREQ(want, got);
	}
}

/*
 * Every index past the BARs (ROM, config space, VGA, device regions) is
 * vfio-pci-core's to answer, on each kernel as that kernel's core answers
 * it: the same as under stock vfio-pci, a failing index included.
 */
TEST_F(device, other_region_info_matches_stock)
{
	struct vfio_device_info dinfo = { .argsz = sizeof(dinfo) };
	char got[512], want[512];
	unsigned int i;

	if (!getenv("BARMAP_REF_DIR"))
		SKIP(return, "no stock vfio-pci reference (BARMAP_REF_DIR)");

	ASSERT_EQ(0, ioctl(self->dev.fd, VFIO_DEVICE_GET_INFO, &dinfo));
	ASSERT_LE(VFIO_PCI_NUM_REGIONS, dinfo.num_regions);
	for (i = VFIO_PCI_ROM_REGION_INDEX; i < dinfo.num_regions; i++) {
		vfio_region_line(self->dev.fd, i, got, sizeof(got));
		ASSERT_NE(NULL, stock_line(self->dev.bdf, i, want, sizeof(want)))
			TH_LOG("no reference for region %u", i);
		EXPECT_STREQ(want, got);
	}
}

/* Read 4 bytes at @off of a BAR through the device fd. */
static uint32_t fd_read32(int fd, const struct vfio_region_info *info,
			  uint64_t off)
{
	uint32_t val = 0xdeadbeef;

	if (pread(fd, &val, sizeof(val), info->offset + off) != sizeof(val))
		return 0xdeadbeef;
	return val;
}

TEST_F(device, mmap_reads_match_fd_reads)
{
	long page = sysconf(_SC_PAGESIZE);
	struct vfio_region_info *info;
	volatile uint32_t *map;
	uint64_t off, first, msix_start[2], msix_end[2];
	unsigned int i, mapped = 0;

	for (i = VFIO_PCI_BAR0_REGION_INDEX; i <= VFIO_PCI_BAR5_REGION_INDEX; i++) {
		info = vfio_region_info(self->dev.fd, i);
		ASSERT_NE(NULL, info);
		if (!(info->flags & VFIO_REGION_INFO_FLAG_MMAP) || !info->size) {
			free(info);
			continue;
		}
		map = mmap(NULL, page, PROT_READ, MAP_SHARED, self->dev.fd,
			   info->offset);
		ASSERT_NE(MAP_FAILED, map) TH_LOG("BAR%u: %s", i, strerror(errno));
		/*
		 * The first two dwords (NVMe CAP on nvme BAR0), or past the
		 * MSI-X table where it starts the BAR.
		 */
		/*
		 * vfio-pci-core's read() skips the MSI-X table (all ones
		 * there); a mapping reads the device's own.
		 */
		bar_msix_ranges(self->dev.bdf, i, msix_start, msix_end);
		first = msix_start[0] == 0 ? msix_end[0] : 0;
		for (off = first; off < first + 8 && off + 4 <= info->size &&
		     off + 4 <= (uint64_t)page; off += 4)
			EXPECT_EQ(fd_read32(self->dev.fd, info, off),
				  map[off / 4]) TH_LOG("BAR%u+0x%llx", i,
						       (unsigned long long)off);
		munmap((void *)map, page);
		free(info);
		mapped++;
	}
	TH_LOG("%u BARs compared", mapped);
	/* A driver that drops MMAP compares nothing: counted from sysfs. */
	EXPECT_EQ(rig_mappable_bars(self->dev.bdf), (int)mapped)
		TH_LOG("the BARs the rig guarantees mappable (BARMAP_SUBPAGE)");
}

/*
 * The answers of one family (answers.h), barmap-vfio-pci's asked now of a
 * freshly opened device, stock vfio-pci's read from BARMAP_REF_DIR: every
 * question of either, both answers side by side.  An answer that differs
 * passes only if the allow-list admits it, and names its rule.
 */
static void answers_match_stock(struct __test_metadata *_metadata,
				struct vfio_dev *dev, const char *family)
{
	const char *dir = getenv("BARMAP_REF_DIR");
	const char *list = getenv("BARMAP_ALLOW_LIST");
	const char *label = getenv("BARMAP_LABEL");
	const char *stock_drv = getenv("BARMAP_STOCK_DRIVER");
	bool consumers = !strcmp(family, "consumers");
	struct answers ours = { 0 }, stock = { 0 };
	unsigned int i, alike = 0, allowed = 0, bad = 0, better = 0, side;
	size_t flen = strlen(family);
	char why[160], wkey[ANSWER_KEY_LEN + 160];
	char path[256];
	int err;

	if (!dir)
		SKIP(return, "no stock vfio-pci reference (BARMAP_REF_DIR)");
	ASSERT_NE(NULL, list) TH_LOG("BARMAP_ALLOW_LIST not set");
	snprintf(path, sizeof(path), "%s/%s.answers", dir, dev->bdf);
	ASSERT_EQ(0, answers_load(path, &stock)) TH_LOG("%s", path);
	/* The reference was asked of the stock driver, or proves nothing. */
	ASSERT_NE(NULL, answers_get(&stock, "driver"));
	ASSERT_STREQ(stock_drv ? stock_drv : "vfio-pci",
		     answers_get(&stock, "driver"));
	ASSERT_EQ(0, answers_collect(dev->fd, dev->bdf, family, &ours));

	for (side = 0; side < 2; side++) {
		const struct answers *from = side ? &ours : &stock;

		for (i = 0; i < from->nr; i++) {
			const char *key = from->a[i].key, *b, *s, *rule;

			if (strncmp(key, family, flen) || key[flen] != ' ')
				continue;
			b = answers_get(&ours, key);
			s = answers_get(&stock, key);
			/* Keys of both sides are counted on the first. */
			if (side && s)
				continue;
			b = b ? b : ANSWER_ABSENT;
			s = s ? s : ANSWER_ABSENT;
			if (!strcmp(b, s)) {
				alike++;
				/* What each VMM ends up with is the table. */
				if (consumers)
					TH_LOG("%s: '%s' under both", key, b);
				continue;
			}
			/* A VMM may end up with other answers, not worse. */
			if (consumers &&
			    !consumer_answer_worse(b, s, why, sizeof(why))) {
				better++;
				TH_LOG("%s: barmap '%s', stock '%s': not worse",
				       key, b, s);
				continue;
			}
			/* For a VMM worse off, the list names why. */
			if (consumers)
				snprintf(wkey, sizeof(wkey), "%s: %s", key,
					 consumer_answer_worse(b, s, why,
							       sizeof(why)));
			rule = answer_allowed(list, label ? label : "",
					      consumers ? wkey : key, b, s,
					      &err);
			ASSERT_EQ(0, err) TH_LOG("allow-list %s", list);
			if (rule) {
				allowed++;
				TH_LOG("%s: barmap '%s', stock '%s': allowed (%s)",
				       key, b, s, rule);
			} else {
				bad++;
				TH_LOG("%s: barmap '%s', stock '%s': %s, NOT on the allow-list",
				       key, b, s, consumers ?
				       consumer_answer_worse(b, s, why,
							     sizeof(why)) :
				       "differs");
			}
		}
	}
	TH_LOG("%s: %u answers alike, %u not worse, %u allowed differences, %u others",
	       family, alike, better, allowed, bad);
	answers_free(&ours);
	answers_free(&stock);
	EXPECT_EQ(0, bad);
}

TEST_F(device, answers_device_info_match_stock)
{
	answers_match_stock(_metadata, &self->dev, "device");
}

TEST_F(device, answers_config_space_match_stock)
{
	answers_match_stock(_metadata, &self->dev, "config");
}

TEST_F(device, answers_region_info_match_stock)
{
	answers_match_stock(_metadata, &self->dev, "region");
}

TEST_F(device, answers_mmap_match_stock)
{
	answers_match_stock(_metadata, &self->dev, "mmap");
}

TEST_F(device, answers_mapped_reads_match_stock)
{
	answers_match_stock(_metadata, &self->dev, "reads");
}

TEST_F(device, answers_accesses_past_the_end_match_stock)
{
	answers_match_stock(_metadata, &self->dev, "bounds");
}

TEST_F(device, answers_dmabuf_match_stock)
{
	answers_match_stock(_metadata, &self->dev, "dmabuf");
}

TEST_F(device, answers_decode_off_zaps_match_stock)
{
	answers_match_stock(_metadata, &self->dev, "decode");
}

TEST_F(device, answers_reset_match_stock)
{
	answers_match_stock(_metadata, &self->dev, "reset");
}

/*
 * What each VMM ends up with (consumers.h): under barmap never worse than
 * under stock vfio-pci, unless the allow-list names the rule.
 */
TEST_F(device, consumers_never_worse_than_stock)
{
	answers_match_stock(_metadata, &self->dev, "consumers");
}

int main(int argc, char *argv[])
{
	device_bdf = vfio_selftests_get_bdf(&argc, argv);
	return test_harness_run(argc, argv);
}
