// SPDX-License-Identifier: GPL-2.0-only
/*
 * The exclusive-page rule for sub-page BARs.
 *
 * A memory BAR smaller than a host page can only be mmapped as the whole
 * page, so userspace then also reaches whatever else lives in that page.
 * That is safe only if nothing else can ever be placed there.  vfio-pci-core
 * reserves the remainder of the page while the device file is open; a
 * device hot-added or re-assigned between bind and open may still land in
 * it.  barmap-vfio-pci holds the reservation from probe to remove instead,
 * and allows mmap of a sub-page BAR exactly while it holds it.
 */

#include <linux/pci.h>

#include "barmap.h"

static bool barmap_is_subpage_mem_bar(const struct resource *res)
{
	return (res->flags & IORESOURCE_MEM) && resource_size(res) &&
	       resource_size(res) < PAGE_SIZE;
}

/*
 * request_resource() does not say what it collided with and the variant
 * that does is not exported.  Conflicts in a PCI window are nearly always
 * another device's BAR, so look there to name the culprit; resources that
 * contain @res (its bridge windows) are ancestors, not neighbours.
 */
static void barmap_report_conflict(struct pci_dev *pdev, int bar,
				   struct resource *rest)
{
	struct resource *res = &pdev->resource[bar];
	struct pci_dev *other = NULL;
	int i;

	for_each_pci_dev(other) {
		for (i = 0; i < PCI_NUM_RESOURCES; i++) {
			struct resource *r = &other->resource[i];

			if (!r->parent || r == res || !resource_overlaps(r, rest) ||
			    resource_contains(r, res))
				continue;
			pci_info(pdev, "BAR%d %pR shares its page with %s %s%d %pR: mmap disabled\n",
				 bar, res, pci_name(other),
				 i < PCI_STD_NUM_BARS ? "BAR" : "resource ", i, r);
			pci_dev_put(other);
			return;
		}
	}
	pci_info(pdev, "BAR%d %pR shares its page with another resource in %pR: mmap disabled\n",
		 bar, res, res->parent);
}

/*
 * Decide the exclusive-page rule for one sub-page BAR and, where it holds,
 * insert the page remainder into the BAR's parent resource.
 */
static void barmap_reserve_page_rest(struct barmap_device *bdev, int bar)
{
	struct pci_dev *pdev = barmap_pdev(bdev);
	struct resource *res = &pdev->resource[bar];
	struct barmap_bar *b = &bdev->bars[bar];
	struct resource *rest = &b->page_rest;

	if (!res->parent) {
		b->page_state = BARMAP_PAGE_UNASSIGNED;
		pci_info(pdev, "BAR%d %pR is not assigned: mmap disabled\n",
			 bar, res);
		return;
	}
	/*
	 * An unaligned sub-page BAR shares its page with whatever lies
	 * below it, and a VMM could not place it at the same offset in a
	 * guest page anyway.
	 */
	if (!PAGE_ALIGNED(res->start)) {
		b->page_state = BARMAP_PAGE_UNALIGNED;
		pci_info(pdev, "BAR%d %pR is not page-aligned, its page is not exclusive: mmap disabled\n",
			 bar, res);
		return;
	}

	snprintf(b->page_rest_name, sizeof(b->page_rest_name),
		 "barmap %s BAR%d", pci_name(pdev), bar);
	memset(rest, 0, sizeof(*rest));
	rest->start = res->end + 1;
	rest->end = res->start + PAGE_SIZE - 1;
	rest->name = b->page_rest_name;
	rest->flags = IORESOURCE_MEM;
	if (request_resource(res->parent, rest)) {
		b->page_state = BARMAP_PAGE_SHARED;
		barmap_report_conflict(pdev, bar, rest);
		return;
	}
	b->page_state = BARMAP_PAGE_RESERVED;
}

/**
 * barmap_reserve_subpage_bars - apply the exclusive-page rule at probe
 * @bdev: the device being probed, not yet registered with vfio
 *
 * Called before the device can be opened, so the reservation is in place
 * before userspace can ask for a mapping.  Nothing here fails the probe:
 * a BAR whose page cannot be reserved just loses mmap, with a message.
 */
void barmap_reserve_subpage_bars(struct barmap_device *bdev)
{
	struct pci_dev *pdev = barmap_pdev(bdev);
	int bar;

	for (bar = 0; bar < PCI_STD_NUM_BARS; bar++) {
		bdev->bars[bar].page_state = BARMAP_PAGE_NOT_SUBPAGE;
		if (barmap_is_subpage_mem_bar(&pdev->resource[bar]))
			barmap_reserve_page_rest(bdev, bar);
	}
}

/*
 * Whether the page remainder is still in the resource tree.  When a
 * hot-add behind a bridge does not fit, the PCI core releases the
 * bridge's windows and every resource in them
 * (pci_bridge_release_resources() -> release_child_resources()), the
 * remainder included: its parent is then NULL, the range free for the
 * next assignment.  From then on the page is not exclusive, and
 * release_resource() must not be called on it.
 */
static bool barmap_page_rest_detached(struct pci_dev *pdev, int bar,
				      struct barmap_bar *b)
{
	if (b->page_state != BARMAP_PAGE_RESERVED ||
	    READ_ONCE(b->page_rest.parent))
		return false;

	b->page_state = BARMAP_PAGE_DETACHED;
	pci_warn(pdev, "BAR%d %pR: the PCI core released the reserved rest of its page (a bridge window was reassigned): mmap disabled until unbind\n",
		 bar, &pdev->resource[bar]);
	return true;
}

/**
 * barmap_release_subpage_bars - release what barmap_reserve_subpage_bars()
 *	took, once
 * @bdev: the device, already unregistered from vfio (no open file left)
 *
 * A remainder the PCI core has already released is left alone.  That
 * check and release_resource() are not atomic against a bridge window
 * being released at the same moment (resource_lock is the core's); the
 * window is the unbind of this very device during a failing hot-add.
 */
void barmap_release_subpage_bars(struct barmap_device *bdev)
{
	struct pci_dev *pdev = barmap_pdev(bdev);
	int bar;

	for (bar = 0; bar < PCI_STD_NUM_BARS; bar++) {
		struct barmap_bar *b = &bdev->bars[bar];

		if (b->page_state != BARMAP_PAGE_RESERVED)
			continue;
		if (!barmap_page_rest_detached(pdev, bar, b))
			release_resource(&b->page_rest);
		b->page_state = BARMAP_PAGE_NOT_SUBPAGE;
	}
}

/**
 * barmap_apply_subpage_mmap_policy - make mmap of sub-page BARs follow
 *	barmap's reservation
 * @bdev: the device, just enabled by vfio_pci_core_finish_enable()
 *
 * At every open, vfio-pci-core tries its own reservation of the page
 * remainder and clears bar_mmap_supported[] when that fails, which it
 * does against ours.  Where ours holds, the page is exclusive and mmap is
 * allowed, unless the core maps no BAR of this device at all for a
 * reason of its own: barmap takes mmap away, it never grants more than
 * the core would.  Where ours does not hold, mmap stays off even if the
 * core's request happened to succeed (a neighbour released since probe):
 * the guarantee must hold for the whole time the device is bound.  A
 * remainder the PCI core has released since (see
 * barmap_page_rest_detached()) no longer counts.
 */
void barmap_apply_subpage_mmap_policy(struct barmap_device *bdev)
{
	struct vfio_pci_core_device *vdev = &bdev->core_device;
	bool core_maps = !vdev->pdev->non_mappable_bars;
	int bar;

	for (bar = 0; bar < PCI_STD_NUM_BARS; bar++) {
		struct barmap_bar *b = &bdev->bars[bar];
		enum barmap_page_state state;

		barmap_page_rest_detached(vdev->pdev, bar, b);
		state = b->page_state;
		if (state == BARMAP_PAGE_NOT_SUBPAGE)
			continue;
		vdev->bar_mmap_supported[bar] =
			barmap_subpage_mmap_allowed(state == BARMAP_PAGE_RESERVED,
						    core_maps);
	}
}

const char *barmap_page_state_name(enum barmap_page_state state)
{
	switch (state) {
	case BARMAP_PAGE_NOT_SUBPAGE:
		return "not-subpage";
	case BARMAP_PAGE_RESERVED:
		return "reserved";
	case BARMAP_PAGE_UNASSIGNED:
		return "unassigned";
	case BARMAP_PAGE_UNALIGNED:
		return "unaligned";
	case BARMAP_PAGE_SHARED:
		return "shared";
	case BARMAP_PAGE_DETACHED:
		return "detached";
	}
	return "unknown";
}
