#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Build (once) one of the rig's own x86_64 kernels: the linux-source-7.N
# of Debian's newest 7.x kernel as unpacked by scripts/deps.sh
# (debian7_source), with the mm fixes of upstream/mm applied (the leaf
# PUD entries of a VMA split or moved by mremap(): the README's "Moving
# and splitting a PUD mapping without the mm fixes"), `make ARCH=x86_64
# allnoconfig` with KIND's fragment as KCONFIG_ALLCONFIG.  KIND is
#   debug    scripts/rig-kernel.config (what Debian's kernels have for
#            the rig, VFIO with dma-buf, and what Debian leaves off,
#            IOMMUFD and the VFIO device cdev), then
#            scripts/debug-kernel.config (KFENCE, lockdep, DEBUG_VM,
#            PAGE_TABLE_CHECK, kmemleak): bzImage and modules, installed
#            uncompressed; the guest suite under every sanitizer, and the
#            peer suite's IOMMUFD kernel (release 7.N.M-barmap-debug),
#            DIR/vmlinuz
#   l2       scripts/l2-kernel.config alone: the nested guest's kernel
#            (make e2e, the booted Debian 13 system's libvirt domain),
#            the drivers it uses built in, no modules; the ELF vmlinux,
#            which QEMU boots through its PVH entry, as DIR/vmlinux
#            (release 7.N.M-barmap-l2)
# Prints, as the last line of stdout, the cache directory of a complete
# build ($BARMAP_CACHE/KIND-kernel-HASH-PKGVER); everything else goes to
# stderr and DIR/build.log.  The cache, its key, the stamp and the lock
# are scripts/kernel-cache.sh's.
#
# Usage: rig-kernel.sh debug|l2
#
# One debug kernel, not one per purpose: on a fresh machine its build is
# on the critical path of make test.  After a change of the fragment
# alone, a build seeded from the previous one (same patched source)
# recompiles what the changed options touch and relinks: minutes.
# BARMAP_RIG_KERNEL_SEED=0 builds a new fragment from scratch.

set -eu
here=$(dirname "$0")
. "$here/lib.sh"
. "$here/kernel-cache.sh"

[ $# -eq 1 ] || die "usage: $0 debug|l2"
conf=$(cd "$here" && pwd)
case $1 in
debug)
	kc_cost="about 10 minutes on 2 cores"
	kc_frag="$conf/rig-kernel.config $conf/debug-kernel.config"
	kc_target=bzImage
	kc_image=arch/x86/boot/bzImage
	kc_out=vmlinuz
	;;
l2)
	kc_cost="about 12 minutes on 2 cores"
	kc_frag="$conf/l2-kernel.config"
	kc_target=vmlinux
	kc_image=vmlinux
	kc_out=vmlinux
	kc_modules=0
	;;
*) die "usage: $0 debug|l2" ;;
esac
kc_what="$1 kernel"
kc_series=7.x
kc_prefix=$1-kernel
kc_patches=$(echo "$(cd "$here/.." && pwd)"/upstream/mm/*.patch)
kc_arch=x86_64
kc_cross=
kc_seed=${BARMAP_RIG_KERNEL_SEED:-1}
kernel_cache_build
