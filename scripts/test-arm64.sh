#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The arm64 part of the suite, run by test.sh after the x86 kernels and
# usable alone, on two kernels:
#   arm64-64k  our own kernel with 64 KiB pages (scripts/arm64-kernel.sh,
#              cached), the module cross-built against its tree;
#   arm64-16k  Debian's newest 7.x arm64-16k kernel, as make deps unpacked
#              it (never installed), the module cross-built against
#              linux-source-7.N with Debian's config and Module.symvers,
#              its vermagic checked against Debian's own vfio.ko.
# For each: barmap-vfio-pci with W=1, an initramfs with that kernel's
# vfio modules, the selftests (cross-built statically once) and Debian's
# arm64 busybox, and both boot profiles of run-guest.sh's arm64 guest.
# Prints TAP: one line per build step, then what the guests wrote;
# labels carry "arm64-64k" or "arm64-16k".  Outputs go to
# $BUILD/arm64 and $BUILD/arm64-16k.
#
# Usage: test-arm64.sh [16k] [64k]   (from the top of the tree; both by
# default).  test.sh runs 16k in the foreground, then 64k in the
# background with BUILD=$BUILD/arm64-64k, beside the debug kernel's
# guests: only 64k waits for a kernel build (the one make deps started).

set -eu
here=$(dirname "$0")
. "$here/lib.sh"

: "${BUILD:=$PWD/build}"
cross=$ARM64_CROSS
busybox=$(arm64_busybox_dir)/bin/busybox
kmake_vars="ARCH=arm64 CROSS_COMPILE=$cross"
bin=$BUILD/arm64/bin

# arm64_kernel: build or find the cached 64 KiB kernel; its directory in
# $out/kernel-dir.
arm64_kernel() {
	karm=$(sh "$here/arm64-kernel.sh") || return 1
	echo "$karm" >"$out/kernel-dir"
}

# arm64_build REL KDIR KROOT: module, staging root and initramfs into
# $out, TAP into $out/build.tap.  KROOT holds lib/modules/REL.
arm64_build() {
	results=$out/build.tap
	# shellcheck disable=SC2086 # kmake_vars are two words
	copy_source "$out/src" &&
		step "barmap-vfio-pci.ko against $1, cross-built (W=1, no warnings)" \
			build_module "$2" "$out/src" $kmake_vars &&
		rm -rf "$out/root" &&
		step "make install into /lib/modules/$1/updates (staging root)" \
			make -C "$out/src" install KVER="$1" KDIR="$2" \
			$kmake_vars INSTALL_MOD_PATH="$out/root" &&
		step "initramfs for $1 (Debian's arm64 busybox)" \
			env BARMAP_BUSYBOX="$busybox" BARMAP_KERNEL_ROOT="$3" \
			BARMAP_EXTRA_MODULES=drivers/virtio/virtio_mmio \
			sh "$here/initramfs.sh" "$1" "$out/root" "$bin" \
			"$out/initrd.gz"
}

# arm64_boot PAGES REL IMAGE: both profiles, then the zoo's guests (those
# of BARMAP_PROFILES, if set, "zoo" naming the zoo).
arm64_boot() {
	for profile in ${BARMAP_PROFILES:-exclusive shared zoo}; do
		case $profile in
		exclusive | shared) ;;
		zoo)
			[ $zoo_planned = 0 ] &&
				BARMAP_ARCH=arm64 BARMAP_ARM64_PAGES=$1 BARMAP_KERNEL=$3 \
				zoo_guests "arm64-$1/zoo" "$BUILD/arm64-zoo" "$2" \
				"$out/initrd.gz" "$out/guest"
			continue ;;
		*) continue ;;
		esac
		info "guest: arm64 $2 ($1 pages), $profile profile"
		BARMAP_ARCH=arm64 BARMAP_ARM64_PAGES=$1 BARMAP_KERNEL=$3 KVER=$2 \
			sh "$here/run-guest.sh" "$profile" "$out/initrd.gz" \
			"$out/guest" || true
	done
}

# The selftests, cross-built static once: a second run (test.sh runs the
# two parts apart) finds them built.
mkdir -p "$BUILD/arm64"
results=$BUILD/arm64/selftests.tap
: >"$results"
tests=1
step "guest selftests, cross-built static for arm64 (${*:-16k 64k})" \
	sh "$here/selftests.sh" "$bin" arm64 && tests=0
cat "$results"

# The zoo (scripts/zoo.sh) on arm64: the PCI device models
# trixie-backports' qemu-system-aarch64 lists, planned once for the
# virt machine (cached), in guests of that QEMU on each kernel.
results=$BUILD/arm64/zoo-plan.tap
: >"$results"
late_deps_wait >>"$results" || true
zoo_planned=1
if [ ! -x "$(qemu_root backports)/usr/bin/qemu-system-aarch64" ]; then
	echo "not ok - build: arm64 zoo: no trixie-backports QEMU root with qemu-system-aarch64 in $BARMAP_CACHE (run make deps)" >>"$results"
else
	step "arm64 zoo: the plan of trixie-backports' qemu-system-aarch64 (scripts/zoo.sh, cached)" \
		sh "$here/zoo.sh" plan "$BUILD/arm64-zoo" aarch64 && zoo_planned=0
fi
cat "$results"

# 64 KiB pages: our kernel.
arm64_64k() {
	out=$BUILD/arm64
	results=$out/build.tap
	: >"$results"
	ok64=1
	if [ $tests = 0 ] &&
		step "arm64 kernel, 64 KiB pages (scripts/arm64-kernel.config)" arm64_kernel; then
		karm=$(cat "$out/kernel-dir")
		rel64=$(cat "$karm/kernelrelease")
		arm64_build "$rel64" "$karm/build" "$karm" && ok64=0
	fi
	cat "$out/build.tap"
	[ $ok64 = 0 ] || return 1
	arm64_boot 64k "$rel64" "$karm/Image"
}

# 16 KiB pages: Debian's own kernel.
arm64_16k() {
	out=$BUILD/arm64-16k
	mkdir -p "$out"
	results=$out/build.tap
	: >"$results"
	ok16=1
	d16=$(cached debian7-arm64-16k)
	if [ -z "$d16" ]; then
		echo "not ok - build: arm64-16k: no Debian arm64-16k kernel in $BARMAP_CACHE (run make deps)" >>"$results"
	elif [ $tests = 0 ]; then
		rel16=$(debian16k_get release)
		# make deps checked that vermagic against Debian's own vfio.ko
		arm64_build "$rel16" "$d16/build" "$d16/root/usr" &&
			step "vermagic of barmap-vfio-pci.ko is that of Debian's $rel16" \
				test "$(modinfo -F vermagic "$out/src/compat/tree/drivers/vfio/pci/barmap/barmap-vfio-pci.ko")" \
				= "$(debian16k_get vermagic)" && ok16=0
	fi
	cat "$out/build.tap"
	[ $ok16 = 0 ] || return 1
	arm64_boot 16k "$rel16" "$d16/root/usr/lib/modules/$rel16/vmlinuz"
}

st=0
for p in ${*:-16k 64k}; do
	case $p in
	16k) arm64_16k || st=1 ;;
	64k) arm64_64k || st=1 ;;
	*) die "usage: $0 [16k] [64k]" ;;
	esac
done
exit $st
