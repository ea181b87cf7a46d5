#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The host-side unit tables of the layout code and the VMM rules (make
# test's "unit" lane): build selftests/vfio/barmap/unit into $BUILD/unit
# and run it, then again built with ASan and UBSan (SANITIZE=1, any
# report fatal) into $BUILD/unit-san; their TAP lines labelled "unit:"
# and "unit: asan+ubsan:", each program followed by one line on whether
# it ran its whole plan (ksft_verdict: plan, totals and exit status
# against the results it printed), as in the guests.  Exits 1 if a build
# failed.

set -u
here=$(dirname "$0")
. "$here/lib.sh"
. "$here/guest-lib.sh"	# ksft_verdict

: "${BUILD:=$PWD/build}"
ksft=$(sh "$here/ksft-dir.sh")
mkdir -p "$BUILD/unit"
if ! uapi=$(uapi_headers x86_64 2>"$BUILD/unit/uapi.log"); then
	echo "not ok - build: host unit tests (uapi headers)"
	sed 's/^/# /' "$BUILD/unit/uapi.log" | tail -n 30
	exit 1
fi
built=0
# variant OUT [TAG MAKEVAR...]: build into OUT and run, the results
# labelled "unit: TAG:" when there is a TAG
variant() {
	out=$1 label= what=
	[ $# -lt 2 ] || { label=" $2:" what=" ($2)"; }
	shift
	[ $# -eq 0 ] || shift
	mkdir -p "$out"
	if ! make -C selftests/vfio/barmap/unit KSFT_DIR="$ksft" OUTPUT="$out" \
		KHDR_INCLUDES="-isystem $uapi" "$@" >"$out/build.log" 2>&1; then
		echo "not ok - build: host unit tests$what"
		sed 's/^/# /' "$out/build.log" | tail -n 30
		built=1
		return
	fi
	echo "ok - build: host unit tests$what"
	for prog in layout_test consumers_test; do
		"$out/$prog" >"$out/$prog.out" 2>&1
		st=$?
		sed -E "s@^(ok|not ok) ([0-9]+) @\\1 \\2 unit:$label @" "$out/$prog.out"
		v=$(ksft_verdict $prog "$st" "$out/$prog.out")
		case $v in
		ok*) echo "ok - unit:$label $prog ran its whole plan ($v)" ;;
		*) echo "not ok - unit:$label $prog ran its whole plan ($v)" ;;
		esac
	done
}
variant "$BUILD/unit"
# ASan's and UBSan's reports on stderr go into the program's output, and
# -fno-sanitize-recover makes any of them end the program early: a short
# plan, which ksft_verdict fails.
variant "$BUILD/unit-san" "asan+ubsan" SANITIZE=1
exit $built
