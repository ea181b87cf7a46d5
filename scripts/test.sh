#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The whole suite (make test): build the module and the selftests, run
# make check, the host-side unit tables, boot the guest in both profiles
# on each x86 kernel (Debian 13's newest 7.x, unpacked by make deps, first
# as the primary target; Debian's 6.12, bookworm's 6.1, the debug kernel
# built from linux-source-7.x), run the nested end to end test on the 7.x
# kernel under three QEMU versions (scripts/e2e.sh), boot the arm64 kernel
# (scripts/test-arm64.sh), then print every TAP line and, last, the
# "N passed, N failed" summary over all of them.

set -eu
here=$(dirname "$0")
. "$here/lib.sh"

results=${BUILD:-$PWD/build}/results.tap
. "$here/build.sh"

# BARMAP_SUITES picks the parts that boot guests (make test-debug:
# "debug"; make e2e runs scripts/e2e.sh alone).  "7.x" is Debian's newest
# 7.x kernel, also accepted as its series (e.g. "7.3").
: "${BARMAP_SUITES:=7.x 6.12 e2e 6.1 debug arm64}"
has_suite() {
	case " $BARMAP_SUITES " in *" $1 "*) return 0 ;; esac
	return 1
}
d7_series=$(debian7_series)
has_7x() {
	has_suite 7.x || { [ -n "$d7_series" ] && has_suite "$d7_series"; }
}

# The debug and arm64 kernels build in the background (at nice 19) while
# the distribution kernels' guests run; debug_suite and test-arm64.sh
# then wait for them on the cache's lock.  With the kernels cached this
# does nothing.
has_suite debug && sh "$here/debug-kernel.sh" >"$BUILD/prebuild-debug.log" 2>&1 &
has_suite arm64 && sh "$here/arm64-kernel.sh" >"$BUILD/prebuild-arm64.log" 2>&1 &

# Static analysis first: sparse, coccicheck, checkpatch.
info "check: sparse, coccicheck, checkpatch"
sh "$here/check.sh" >>"$results" 2>&1 || true

# Host-side unit tables of the layout code: no guest needed.
if step "host unit tests" make -C selftests/vfio/barmap/unit \
	KSFT_DIR="$ksft" OUTPUT="$BUILD/unit"; then
	"$BUILD/unit/layout_test" | sed -E 's@^(ok|not ok) ([0-9]+) @\1 \2 unit: @' >>"$results"
fi

# The compat probes answer both ways, and fail closed: against Debian's
# 7.x (its prepared tree), 6.12 and 6.1 (their headers).
d7_build=$(debian7_build)
sh "$here/compat-test.sh" ${d7_build:+"$(debian7_series)=$d7_build"} \
	"6.12=$kdir" "6.1=/usr/src/linux-headers-$(installed_61_kver)" \
	>>"$results" 2>&1 || true

# DKMS, as a user installs it: register the source, build and install
# for a kernel, check modinfo finds the DKMS copy, and remove it again.
# Debian's 7.x is not installed here (its headers package needs trixie's
# glibc): DKMS builds for it against the prepared linux-source tree, as
# it would against the headers on a trixie host, and the module must
# carry the kernel's own vermagic.
ver=$(sed -n 's/^VERSION := //p' Makefile)
dkms_for() {
	dkms build "barmap-vfio-pci/$ver" -k "$1" &&
		dkms install "barmap-vfio-pci/$ver" -k "$1" &&
		modinfo -k "$1" -F filename barmap-vfio-pci | grep -q /updates/dkms/
}
dkms_build_7x() {	# dkms_build_7x REL KDIR
	dkms build "barmap-vfio-pci/$ver" -k "$1" --kernelsourcedir "$2" &&
		ko=$(find "/var/lib/dkms/barmap-vfio-pci/$ver/$1" -name 'barmap-vfio-pci.ko*' | head -n 1) &&
		[ -n "$ko" ] &&
		[ "$(modinfo -F vermagic "$ko")" = "$(debian7_get vermagic)" ]
}
make -s dkms-remove >/dev/null 2>&1 || true
if step "dkms: add the source as barmap-vfio-pci/$ver" make -s dkms-install; then
	for k in "$KVER" $(installed_61_kver); do
		step "dkms: build and install for $k" dkms_for "$k" || true
	done
	if [ -n "$d7_build" ]; then
		rel7=$(debian7_rel)
		step "dkms: build for $rel7 (--kernelsourcedir, Debian's vermagic)" \
			dkms_build_7x "$rel7" "$d7_build" || true
	fi
	step "dkms: remove from every kernel" make -s dkms-remove || true
fi

# guest_suite KVER INITRD: both boot profiles on one kernel.
guest_suite() {
	for profile in exclusive shared; do
		info "guest: $1, $profile profile"
		KVER=$1 sh "$here/run-guest.sh" "$profile" "$2" \
			"$BUILD/guest-$1" >>"$results" || true
	done
}

# debian7_suite: Debian's own 7.x kernel and modules, as make deps
# unpacked them (never installed): the module against the prepared O=
# tree, an initramfs with that kernel's vfio modules, both profiles.
debian7_suite() {
	build_for_debian7 || return 0
	BARMAP_KERNEL=$(debian7_vmlinuz) guest_suite "$rel7" "$BUILD/$rel7/initrd.gz"
}

# debug_suite: the guest suite again on the debug kernel (KASAN, lockdep,
# DEBUG_VM, PAGE_TABLE_CHECK, kmemleak), built once into the cache.
debug_suite() {
	step "debug kernel (scripts/debug-kernel.sh, cached)" \
		sh "$here/debug-kernel.sh" || return 0
	dk=$(tail -n 1 "$BUILD/step.log")
	rel=$(cat "$dk/kernelrelease")
	BARMAP_KERNEL_ROOT=$dk build_for "$rel" "$dk/build" || return 0
	BARMAP_KERNEL=$dk/vmlinuz guest_suite "$rel" "$BUILD/$rel/initrd.gz"
}

# Debian's 7.x first, the nested end to end test on it, then Debian's
# 6.12, bookworm's 6.1 for compatibility, then the debug kernel (7.x's
# source).  The 7.x kernels need only the selftests: their module builds
# apart from the 6.12 one.
if [ $selftests_built = 0 ] && has_7x; then
	debian7_suite
fi
if [ $selftests_built = 0 ] && has_suite e2e; then
	info "e2e: nested QEMU 7.2, 10.0 and 11.1, barmap-vfio-pci and vfio-pci"
	d7_ko=$BUILD/$(debian7_rel)/src/drivers/vfio/pci/barmap/barmap-vfio-pci.ko
	if [ -f "$d7_ko" ] || build_for_debian7; then
		E2E_PREBUILT=1 sh "$here/e2e.sh" >>"$results" || true
	fi
fi
if [ $built = 0 ]; then
	has_suite 6.12 && guest_suite "$KVER" "$BUILD/initrd.gz"
	old=$(installed_61_kver)
	if ! has_suite 6.1; then
		:
	elif [ -z "$old" ]; then
		echo "not ok - build: no 6.1 kernel installed (run make deps)" >>"$results"
	elif build_for "$old"; then
		guest_suite "$old" "$BUILD/$old/initrd.gz"
	fi
fi
if [ $selftests_built = 0 ] && has_suite debug; then
	debug_suite
fi

# Last, arm64 with 64 KiB pages: its own kernel (built once, cached),
# the module and selftests cross-built, both profiles.
if has_suite arm64; then
	info "arm64: kernel (cached), cross builds, guest"
	sh "$here/test-arm64.sh" >>"$results" || true
fi

wait
grep -E '^(ok|not ok) |^# ' "$results" | grep -vE '^# +(RUN|OK) '
sh "$here/summary.sh" <"$results"
