#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Build (once) the rig's arm64 kernel with 64 KiB pages: linux-source-6.12
# as unpacked by scripts/deps.sh, cross-built with Debian's
# gcc-aarch64-linux-gnu from `make ARCH=arm64 allnoconfig` with
# scripts/arm64-kernel.config as KCONFIG_ALLCONFIG (QEMU virt with GICv3,
# ITS and SMMUv3; VFIO as modules, as in Debian), Image and modules, and
# the modules installed uncompressed.  Prints, as the last line of stdout,
# the cache directory of a complete build
# ($BARMAP_CACHE/arm64-kernel-HASH-PKGVER, with DIR/Image for qemu
# -kernel and DIR/build as the O= tree for
# `make -C DIR/build M=... ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-`);
# everything else goes to stderr and DIR/build.log.  The cache, its key,
# the stamp and the lock are scripts/kernel-cache.sh's.
#
# Usage: arm64-kernel.sh
#
# From scratch: about 10 CPU-minutes, 314 s on an idle 2-core
# machine.  BARMAP_ARM64_KERNEL_SEED=0 builds a new fragment from scratch.

set -eu
here=$(dirname "$0")
. "$here/lib.sh"
. "$here/kernel-cache.sh"

kc_what="arm64 kernel"
kc_series=6.12
kc_prefix=arm64-kernel
kc_frag=$(cd "$here" && pwd)/arm64-kernel.config
kc_arch=arm64
kc_cross=$ARM64_CROSS
kc_target=Image
kc_image=arch/arm64/boot/Image
kc_out=Image
kc_seed=${BARMAP_ARM64_KERNEL_SEED:-1}
kc_cost="about 10 CPU-minutes"
kernel_cache_build
