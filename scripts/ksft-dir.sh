#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Print the kselftest directory of the unpacked linux-source-7.x (see
# deps.sh): its harness, and upstream's VFIO selftest library (libvfio).
set -eu
. "$(dirname "$0")/lib.sh"
d="$(source_tree 7.x)/tools/testing/selftests"
[ -f "$d/kselftest_harness.h" ] || die "no kselftest_harness.h under $d; run make deps"
[ -f "$d/vfio/lib/libvfio.mk" ] || die "no vfio/lib/libvfio.mk under $d"
echo "$d"
