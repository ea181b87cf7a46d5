/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace stand-in for the kernel's <linux/export.h>: nothing is
 * exported here (see kunit/visibility.h beside it).
 */
#ifndef BARMAP_UNIT_LINUX_EXPORT_H
#define BARMAP_UNIT_LINUX_EXPORT_H
#endif /* BARMAP_UNIT_LINUX_EXPORT_H */
