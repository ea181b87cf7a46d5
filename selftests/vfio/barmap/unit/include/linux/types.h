/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace stand-in for the kernel's <linux/types.h>: the uapi header
 * provides the __uN types, the kernel-internal names are added here.
 */
#ifndef BARMAP_UNIT_LINUX_TYPES_H
#define BARMAP_UNIT_LINUX_TYPES_H

#include_next <linux/types.h>
#include <stdbool.h>

typedef __u64 u64;
typedef __u32 u32;
typedef __u16 u16;
typedef __u8 u8;

#endif /* BARMAP_UNIT_LINUX_TYPES_H */
