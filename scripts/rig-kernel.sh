#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Build (once) one of the rig's own x86_64 kernels: the linux-source-7.N
# of Debian's newest 7.x kernel as unpacked by scripts/deps.sh
# (debian7_source), with the mm fixes of upstream/mm applied (the leaf
# PUD entries of a VMA split or moved by mremap(): the driver-api page's
# "VMA split and move"), `make ARCH=x86_64 allnoconfig` with
# scripts/rig-kernel.config and scripts/KIND-kernel.config as
# KCONFIG_ALLCONFIG, bzImage and modules, and the modules installed
# uncompressed.  It has what Debian's kernels have for the rig (VFIO
# with dma-buf) and what Debian leaves off (IOMMUFD, the VFIO device
# cdev).  KIND is
#   debug    KFENCE, lockdep, DEBUG_VM, PAGE_TABLE_CHECK, kmemleak: the
#            guest suite under every sanitizer, and the peer suite's
#            IOMMUFD kernel (release 7.N.M-barmap-debug)
# Prints, as the last line of stdout, the cache directory of a complete
# build ($BARMAP_CACHE/KIND-kernel-HASH-PKGVER, with the bzImage as
# DIR/vmlinuz); everything else goes to stderr and DIR/build.log.  The
# cache, its key, the stamp and the lock are scripts/kernel-cache.sh's.
#
# Usage: rig-kernel.sh debug
#
# One kernel, not one per purpose: on a fresh machine its build is on
# the critical path of make test.  A seeded build after a one-option
# change takes a minute or two.
# BARMAP_RIG_KERNEL_SEED=0 builds a new fragment from scratch.

set -eu
here=$(dirname "$0")
. "$here/lib.sh"
. "$here/kernel-cache.sh"

[ $# -eq 1 ] || die "usage: $0 debug"
case $1 in
debug) kc_cost="about 10 minutes on 2 cores" ;;
*) die "usage: $0 debug" ;;
esac
conf=$(cd "$here" && pwd)
kc_what="$1 kernel"
kc_series=7.x
kc_prefix=$1-kernel
kc_frag="$conf/rig-kernel.config $conf/$1-kernel.config"
kc_patches=$(echo "$(cd "$here/.." && pwd)"/upstream/mm/*.patch)
kc_arch=x86_64
kc_cross=
kc_target=bzImage
kc_image=arch/x86/boot/bzImage
kc_out=vmlinuz
kc_seed=${BARMAP_RIG_KERNEL_SEED:-1}
kernel_cache_build
