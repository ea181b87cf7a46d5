// SPDX-License-Identifier: GPL-2.0-only
/*
 * Read-only debugfs view of barmap's state.  Module-wide:
 *   /sys/kernel/debug/barmap-vfio-pci/huge
 *	the huge mapping sizes a fault can insert on this kernel (0: none).
 * Per device, in DIR: barmap/ in the core's directory of the device,
 * /sys/kernel/debug/vfio/<BDF>/, where the kernel has one
 * (CONFIG_VFIO_DEBUGFS), else /sys/kernel/debug/barmap-vfio-pci/<BDF>/:
 *   DIR/reservations
 *	one line per BAR with the exclusive-page decision and, where held,
 *	the reserved range;
 *   DIR/layout
 *	while the device is open, per memory BAR the facts the layout was
 *	computed from and the areas mmap allows, which REGION_INFO
 *	advertises as SPARSE_MMAP (not for a sub-page BAR, nor for one of
 *	MSI-X alone, which has no area: see region.c);
 *   DIR/faults
 *	fault counters since bind: entries inserted by size, huge orders
 *	that fell back to a smaller one, and SIGBUS returns.
 * DIR lives from the device's registration to the start of its
 * unregistration, as the core's directory does.
 */

#include <linux/debugfs.h>
#include <linux/pci.h>
#include <linux/seq_file.h>
#include <linux/string_helpers.h>

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

/*
 * @mmap: what REGION_INFO says at this open (barmap's decision), not
 * what vfio-pci-core allowed: a BAR of MSI-X alone has no area either
 * way, and keeps MMAP only under msix_mmap.
 */
/* Why REGION_INFO lists no area for a BAR that keeps MMAP. */
static const char *barmap_bar_no_sparse_why(const struct barmap_bar *b)
{
	if (b->facts.size < PAGE_SIZE)
		return " (sub-page: no SPARSE_MMAP)";
	if (b->layout.whole)
		return " (MSI-X, msix_mmap: as vfio-pci, no SPARSE_MMAP)";
	return " (MSI-X in every page: no SPARSE_MMAP)";
}

static void layout_show_bar(struct seq_file *s, int bar,
			    const struct barmap_bar *b, bool mmap)
{
	const struct barmap_bar_facts *f = &b->facts;
	unsigned int i;

	seq_printf(s, "BAR%d size 0x%llx phys 0x%llx mmap %s", bar, f->size,
		   f->phys, str_yes_no(mmap));
	if (f->msix[0].size)
		seq_printf(s, " msix-table 0x%llx+0x%llx", f->msix[0].offset,
			   f->msix[0].size);
	if (f->msix[1].size)
		seq_printf(s, " msix-pba 0x%llx+0x%llx", f->msix[1].offset,
			   f->msix[1].size);
	seq_puts(s, " areas");
	for (i = 0; i < b->layout.nr_areas; i++)
		seq_printf(s, " 0x%llx+0x%llx", b->layout.areas[i].offset,
			   b->layout.areas[i].size);
	if (mmap && !barmap_bar_advertises_areas(b))
		seq_puts(s, barmap_bar_no_sparse_why(b));
	seq_putc(s, '\n');
}

static int layout_show(struct seq_file *s, void *unused)
{
	struct barmap_device *bdev = s->private;
	int bar;

	mutex_lock(&bdev->layout_lock);
	if (!bdev->open)
		seq_puts(s, "device not open\n");
	else
		seq_printf(s, "page 0x%lx msix_mmap %d\n", PAGE_SIZE,
			   bdev->msix_mmap);
	for (bar = 0; bdev->open && bar < PCI_STD_NUM_BARS; bar++)
		if (bdev->bars[bar].facts.size)
			layout_show_bar(s, bar, &bdev->bars[bar],
					bdev->core_device.bar_mmap_supported[bar]);
	mutex_unlock(&bdev->layout_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(layout);

static const char * const barmap_fault_stat_names[BARMAP_FAULT_NR] = {
	[BARMAP_FAULT_PTE] = "pte",
	[BARMAP_FAULT_PMD] = "pmd",
	[BARMAP_FAULT_PUD] = "pud",
	[BARMAP_FAULT_FALLBACK] = "fallback",
	[BARMAP_FAULT_SIGBUS] = "sigbus",
};

static int faults_show(struct seq_file *s, void *unused)
{
	struct barmap_device *bdev = s->private;
	int i;

	for (i = 0; i < BARMAP_FAULT_NR; i++)
		seq_printf(s, "%s %ld\n", barmap_fault_stat_names[i],
			   atomic_long_read(&bdev->faults[i]));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(faults);

/* After registration: the core creates its directory of the device then. */
void barmap_debugfs_add_device(struct barmap_device *bdev)
{
	struct dentry *core_dir = bdev->core_device.vdev.debug_root;

	if (!IS_ERR_OR_NULL(core_dir))
		bdev->debugfs = debugfs_create_dir("barmap", core_dir);
	else
		bdev->debugfs = debugfs_create_dir(pci_name(barmap_pdev(bdev)),
						   barmap_debugfs_root);
	debugfs_create_file("reservations", 0400, bdev->debugfs, bdev,
			    &reservations_fops);
	debugfs_create_file("layout", 0400, bdev->debugfs, bdev,
			    &layout_fops);
	debugfs_create_file("faults", 0400, bdev->debugfs, bdev,
			    &faults_fops);
}

/*
 * Before unregistration, which removes the core's directory with what is
 * left in it.  Waits for readers: after this, @bdev may be freed.
 */
void barmap_debugfs_remove_device(struct barmap_device *bdev)
{
	debugfs_remove_recursive(bdev->debugfs);
	bdev->debugfs = NULL;
}

static int huge_show(struct seq_file *s, void *unused)
{
	unsigned int shifts[2];

	barmap_huge_shifts(shifts);
	seq_printf(s, "pmd 0x%llx pud 0x%llx\n",
		   shifts[0] ? 1ULL << shifts[0] : 0,
		   shifts[1] ? 1ULL << shifts[1] : 0);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(huge);

void barmap_debugfs_init(void)
{
	barmap_debugfs_root = debugfs_create_dir("barmap-vfio-pci", NULL);
	debugfs_create_file("huge", 0444, barmap_debugfs_root, NULL,
			    &huge_fops);
}

void barmap_debugfs_exit(void)
{
	debugfs_remove_recursive(barmap_debugfs_root);
}
