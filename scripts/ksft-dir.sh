#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Print the kselftest directory of the unpacked linux-source (see deps.sh).
set -eu
. "$(dirname "$0")/lib.sh"
d="$(source_tree)/tools/testing/selftests"
[ -f "$d/kselftest_harness.h" ] || die "no kselftest_harness.h under $d; run make deps"
echo "$d"
