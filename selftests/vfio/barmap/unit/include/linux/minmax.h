/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace stand-in for the kernel's <linux/minmax.h>.  Stricter than the
 * kernel's: both arguments must have the same type (the pointer comparison
 * warns otherwise, and the unit test build uses -Werror).
 */
#ifndef BARMAP_UNIT_LINUX_MINMAX_H
#define BARMAP_UNIT_LINUX_MINMAX_H

#define __barmap_cmp(x, y, op) ({		\
	__typeof__(x) __x = (x);		\
	__typeof__(y) __y = (y);		\
	(void)(&__x == &__y);			\
	__x op __y ? __x : __y; })

#define min(x, y)	__barmap_cmp(x, y, <)
#define max(x, y)	__barmap_cmp(x, y, >)

#endif /* BARMAP_UNIT_LINUX_MINMAX_H */
