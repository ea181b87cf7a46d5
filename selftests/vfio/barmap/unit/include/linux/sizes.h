/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace stand-in for the kernel's <linux/sizes.h>: the sizes the
 * layout cases use, 64-bit here as the tests' arithmetic is.
 */
#ifndef BARMAP_UNIT_LINUX_SIZES_H
#define BARMAP_UNIT_LINUX_SIZES_H

#define SZ_4K		0x00001000ULL
#define SZ_16K		0x00004000ULL
#define SZ_64K		0x00010000ULL
#define SZ_256M		0x10000000ULL
#define SZ_1G		0x40000000ULL

#endif /* BARMAP_UNIT_LINUX_SIZES_H */
