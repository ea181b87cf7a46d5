#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The host-side unit tables of the layout code (make test's "unit"
# lane): build selftests/vfio/barmap/unit into $BUILD/unit and run it;
# its TAP lines labelled "unit:", then one line on whether it ran its
# whole plan (ksft_verdict: plan, totals and exit status against the
# results it printed), as in the guests.  Exits 1 if the build failed.

set -u
here=$(dirname "$0")
. "$here/lib.sh"
. "$here/guest-lib.sh"	# ksft_verdict

: "${BUILD:=$PWD/build}"
out=$BUILD/unit
ksft=$(sh "$here/ksft-dir.sh")
mkdir -p "$out"
if ! uapi=$(uapi_headers x86_64 2>"$out/build.log") ||
	! make -C selftests/vfio/barmap/unit KSFT_DIR="$ksft" OUTPUT="$out" \
	KHDR_INCLUDES="-isystem $uapi" >>"$out/build.log" 2>&1; then
	echo "not ok - build: host unit tests"
	sed 's/^/# /' "$out/build.log" | tail -n 30
	exit 1
fi
echo "ok - build: host unit tests"
for prog in layout_test consumers_test; do
	"$out/$prog" >"$out/$prog.out" 2>&1
	st=$?
	sed -E "s@^(ok|not ok) ([0-9]+) @\\1 \\2 unit: @" "$out/$prog.out"
	v=$(ksft_verdict $prog "$st" "$out/$prog.out")
	case $v in
	ok*) echo "ok - unit: $prog ran its whole plan ($v)" ;;
	*) echo "not ok - unit: $prog ran its whole plan ($v)" ;;
	esac
done
