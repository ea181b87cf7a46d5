#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The whole suite (make test): build the module and the selftests, run
# make check, the host-side unit tables, boot the guest in both profiles
# on each x86 kernel and then on the arm64 kernel (scripts/test-arm64.sh),
# then print every TAP line and, last, the "N passed, N failed" summary
# over all of them.

set -eu
here=$(dirname "$0")
. "$here/lib.sh"

results=${BUILD:-$PWD/build}/results.tap
. "$here/build.sh"

# Static analysis first: sparse, coccicheck, checkpatch.
info "check: sparse, coccicheck, checkpatch"
sh "$here/check.sh" >>"$results" 2>&1 || true

# Host-side unit tables of the layout code: no guest needed.
if step "host unit tests" make -C selftests/vfio/barmap/unit \
	KSFT_DIR="$ksft" OUTPUT="$BUILD/unit"; then
	"$BUILD/unit/layout_test" | sed -E 's@^(ok|not ok) ([0-9]+) @\1 \2 unit: @' >>"$results"
fi

# DKMS, as a user installs it: register the source, build and install
# for a kernel, check modinfo finds the DKMS copy, and remove it again.
ver=$(sed -n 's/^VERSION := //p' Makefile)
dkms_for() {
	dkms build "barmap-vfio-pci/$ver" -k "$1" &&
		dkms install "barmap-vfio-pci/$ver" -k "$1" &&
		modinfo -k "$1" -F filename barmap-vfio-pci | grep -q /updates/dkms/
}
make -s dkms-remove >/dev/null 2>&1 || true
if step "dkms: add the source as barmap-vfio-pci/$ver" make -s dkms-install; then
	for k in "$KVER" $(installed_61_kver); do
		step "dkms: build and install for $k" dkms_for "$k" || true
	done
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

# Debian's 6.12 first, then bookworm's 6.1 for compatibility.
if [ $built = 0 ]; then
	guest_suite "$KVER" "$BUILD/initrd.gz"
	old=$(installed_61_kver)
	if [ -z "$old" ]; then
		echo "not ok - build: no 6.1 kernel installed (run make deps)" >>"$results"
	elif build_for "$old"; then
		guest_suite "$old" "$BUILD/$old/initrd.gz"
	fi
fi

# Last, arm64 with 64 KiB pages: its own kernel (built once, cached),
# the module and selftests cross-built, both profiles.
info "arm64: kernel (cached), cross builds, guest"
sh "$here/test-arm64.sh" >>"$results" || true

grep -E '^(ok|not ok) |^# ' "$results" | grep -vE '^# +(RUN|OK) '
sh "$here/summary.sh" <"$results"
