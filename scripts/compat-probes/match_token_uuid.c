// SPDX-License-Identifier: GPL-2.0-only
/*
 * Linux 6.17: vfio_pci_core_match() calls .match_token_uuid unchecked.
 */
#include <linux/vfio_pci_core.h>

#ifndef BARMAP_PROBE_CONTROL
static const struct vfio_device_ops probe = {
	.match_token_uuid = vfio_pci_core_match_token_uuid,
};

const void *barmap_probe = &probe;
#else
const void *barmap_probe;
#endif
