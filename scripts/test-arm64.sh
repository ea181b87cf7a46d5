#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The arm64 part of the suite (64 KiB pages), run by test.sh after the x86
# kernels and usable alone: the arm64 kernel (scripts/arm64-kernel.sh,
# cached), barmap-vfio-pci cross-built against it with W=1, the
# selftests cross-built statically, an initramfs with Debian's arm64
# busybox, and both boot profiles of run-guest.sh's arm64 guest.  Prints
# TAP: one line per build step, then what the guests wrote; labels carry
# "arm64-64k".  Outputs go to $BUILD/arm64.
#
# Usage: test-arm64.sh        (from the top of the tree)

set -eu
here=$(dirname "$0")
. "$here/lib.sh"

: "${BUILD:=$PWD/build}"
out=$BUILD/arm64
results=$out/build.tap
mkdir -p "$out"
: >"$results"
cross=$ARM64_CROSS
ksft=$(sh "$here/ksft-dir.sh")
busybox=$(arm64_busybox_dir)/bin/busybox

# arm64_kernel: build or find the cached kernel; its directory in $karm.
arm64_kernel() {
	karm=$(sh "$here/arm64-kernel.sh") || return 1
	echo "$karm" >"$out/kernel-dir"
}

kmake_vars="ARCH=arm64 CROSS_COMPILE=$cross"
ok=0
# shellcheck disable=SC2086 # kmake_vars are two words
step "arm64 kernel, 64 KiB pages (scripts/arm64-kernel.config)" arm64_kernel &&
	karm=$(cat "$out/kernel-dir") && rel=$(cat "$karm/kernelrelease") &&
	copy_source "$out/src" &&
	step "barmap-vfio-pci.ko against $rel, cross-built (W=1, no warnings)" \
		build_module "$karm/build" "$out/src" $kmake_vars &&
	rm -rf "$out/root" &&
	step "make install into /lib/modules/$rel/updates (staging root)" \
		make -C "$out/src" install KVER="$rel" KDIR="$karm/build" \
		$kmake_vars INSTALL_MOD_PATH="$out/root" &&
	step "guest selftests, cross-built static for arm64" \
		make -C selftests/vfio/barmap CC="${cross}gcc" KSFT_DIR="$ksft" \
		OUTPUT="$out/bin" &&
	step "initramfs for $rel (Debian's arm64 busybox)" \
		env BARMAP_BUSYBOX="$busybox" BARMAP_KERNEL_ROOT="$karm" \
		sh "$here/initramfs.sh" "$rel" "$out/root" "$out/bin" \
		"$out/initrd.gz" || ok=1
cat "$results"
[ $ok = 0 ] || exit 1

for profile in exclusive shared; do
	info "guest: arm64 $rel, $profile profile"
	BARMAP_ARCH=arm64 BARMAP_KERNEL=$karm/Image KVER=$rel \
		sh "$here/run-guest.sh" "$profile" "$out/initrd.gz" "$out/guest" ||
		true
done
