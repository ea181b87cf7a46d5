#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# make demo: boot the guest in both profiles, bind the device matrix to
# barmap-vfio-pci and print, per device and BAR, what VFIO reports: size,
# flags and capabilities with their contents.

set -eu
here=$(dirname "$0")
. "$here/lib.sh"

results=${BUILD:-$PWD/build}/demo.tap
. "$here/build.sh"
if [ $built != 0 ]; then
	cat "$results"
	die "demo: build failed"
fi

for profile in exclusive shared; do
	echo "== $profile profile: $(profile_text $profile)"
	BARMAP_MODE=demo sh "$here/run-guest.sh" "$profile" "$BUILD/initrd.gz" \
		"$BUILD/demo" | sed -n 's/^# \(0000:\|BDF\|debugfs\|  \)/\1/p'
done
