#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Build (once) the rig's debug kernel: the linux-source-7.N of Debian's
# newest 7.x kernel as unpacked by scripts/deps.sh (debian7_source),
# `make ARCH=x86_64 allnoconfig` with scripts/debug-kernel.config as
# KCONFIG_ALLCONFIG (KASAN, lockdep, DEBUG_VM, PAGE_TABLE_CHECK, kmemleak;
# VFIO with dma-buf, 9p and NVMe as modules, as in Debian), bzImage and
# modules, and the modules installed uncompressed.
# Prints, as the last line of stdout, the cache directory of a complete
# build ($BARMAP_CACHE/debug-kernel-HASH-PKGVER, with the bzImage as
# DIR/vmlinuz); everything else goes to stderr and DIR/build.log.  The
# cache, its key, the stamp and the lock are scripts/kernel-cache.sh's.
#
# Usage: debug-kernel.sh
#
# From scratch: linux-source-7.3 (1287 objects) built in 450 s on a
# 2-core machine that also ran make check and two short guests (6.12:
# 1222 objects, about 11 minutes idle); every make runs at nice 19, so
# beside busy guests it takes longer (46 minutes measured on 6.12).  A
# seeded build after a one-option change took 76 s (6.12).
# BARMAP_DEBUG_KERNEL_SEED=0 builds a new fragment from scratch.

set -eu
here=$(dirname "$0")
. "$here/lib.sh"
. "$here/kernel-cache.sh"

kc_what="debug kernel"
kc_series=7.x
kc_prefix=debug-kernel
kc_frag=$(cd "$here" && pwd)/debug-kernel.config
kc_arch=x86_64
kc_cross=
kc_target=bzImage
kc_image=arch/x86/boot/bzImage
kc_out=vmlinuz
kc_seed=${BARMAP_DEBUG_KERNEL_SEED:-1}
kc_cost="about 8 minutes on 2 cores"
kernel_cache_build
