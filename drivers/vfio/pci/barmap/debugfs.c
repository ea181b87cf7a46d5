// SPDX-License-Identifier: GPL-2.0-only
/*
 * Read-only debugfs view of barmap's per-device state:
 *   /sys/kernel/debug/barmap-vfio-pci/<BDF>/reservations
 * one line per BAR with the exclusive-page decision and, where held, the
 * reserved range.
 */

#include <linux/debugfs.h>
#include <linux/pci.h>
#include <linux/seq_file.h>

#include "barmap.h"

static struct dentry *barmap_debugfs_root;

static int reservations_show(struct seq_file *s, void *unused)
{
	struct barmap_device *bdev = s->private;
	struct pci_dev *pdev = barmap_pdev(bdev);
	int bar;

	for (bar = 0; bar < PCI_STD_NUM_BARS; bar++) {
		struct barmap_bar *b = &bdev->bars[bar];
		struct resource *res = &pdev->resource[bar];

		if (!pci_resource_len(pdev, bar))
			continue;
		seq_printf(s, "BAR%d %pR %s", bar, res,
			   barmap_page_state_name(b->page_state));
		if (b->page_state == BARMAP_PAGE_RESERVED)
			seq_printf(s, " %pR", &b->page_rest);
		seq_putc(s, '\n');
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(reservations);

void barmap_debugfs_add_device(struct barmap_device *bdev)
{
	bdev->debugfs = debugfs_create_dir(pci_name(barmap_pdev(bdev)),
					   barmap_debugfs_root);
	debugfs_create_file("reservations", 0400, bdev->debugfs, bdev,
			    &reservations_fops);
}

/* Waits for readers: after this, @bdev may be freed. */
void barmap_debugfs_remove_device(struct barmap_device *bdev)
{
	debugfs_remove_recursive(bdev->debugfs);
	bdev->debugfs = NULL;
}

void barmap_debugfs_init(void)
{
	barmap_debugfs_root = debugfs_create_dir("barmap-vfio-pci", NULL);
}

void barmap_debugfs_exit(void)
{
	debugfs_remove_recursive(barmap_debugfs_root);
}
