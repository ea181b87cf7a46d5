/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace stand-in for the kernel's <kunit/visibility.h>: layout.c
 * exports its functions to the KUnit suite only in a kernel with KUnit,
 * and here nothing is exported at all.
 */
#ifndef BARMAP_UNIT_KUNIT_VISIBILITY_H
#define BARMAP_UNIT_KUNIT_VISIBILITY_H

#define EXPORT_SYMBOL_IF_KUNIT(...)

#endif /* BARMAP_UNIT_KUNIT_VISIBILITY_H */
