#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# make demo: boot the guest (Debian's 7.x kernel) in both profiles, bind
# the device matrix to barmap-vfio-pci and print, per device and BAR, what
# VFIO reports: size, flags and capabilities with their contents.

set -eu
here=$(dirname "$0")
. "$here/lib.sh"

results=${BUILD:-$PWD/build}/demo.tap
. "$here/build.sh"
if [ $built != 0 ]; then
	cat "$results"
	die "demo: build failed"
fi

# On Debian's 7.x, the primary target, as make deps unpacked it.
if ! build_for_debian7; then
	cat "$results"
	die "demo: no build for Debian's 7.x kernel"
fi
export BARMAP_KERNEL KVER
BARMAP_KERNEL=$(debian7_vmlinuz)
KVER=$rel7

for profile in exclusive shared; do
	echo "== $profile profile: $(profile_text $profile)"
	BARMAP_MODE=demo sh "$here/run-guest.sh" "$profile" "$BUILD/$rel7/initrd.gz" \
		"$BUILD/demo" | sed -n 's/^# \(0000:\|BDF\|debugfs\|  \)/\1/p'
done
