/* SPDX-License-Identifier: GPL-2.0-only */
/* Userspace stand-in for the kernel's <linux/overflow.h>. */
#ifndef BARMAP_UNIT_LINUX_OVERFLOW_H
#define BARMAP_UNIT_LINUX_OVERFLOW_H

#define check_add_overflow(a, b, d)	__builtin_add_overflow(a, b, d)

#endif /* BARMAP_UNIT_LINUX_OVERFLOW_H */
