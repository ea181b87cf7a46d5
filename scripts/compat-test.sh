#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Host test of the Kbuild compat probes (make test): build the module
# against each kernel named on the command line with BARMAP_SHOW_PROBES=1,
# check every probe's answer against what that kernel series is known to
# have, check every probe answers both ways over the kernels, and check a
# probe that cannot decide (all probes broken with -Wpedantic under
# -Werror) stops the build.  TAP on stdout.
#
# Usage: compat-test.sh SERIES=KDIR...   e.g. 7.3=DIR 6.12=DIR 6.1=DIR
#   SERIES picks the expected answers below.
#
# No errexit: every check is a TAP line, failed or not, and a command
# that fails must print its "not ok", not end the script before it.

set -u
here=$(dirname "$0")
. "$here/lib.sh"

: "${BUILD:=$PWD/build}"
work=$BUILD/compat-test
features="get_region_info_caps match_token_uuid pasid_attach_ioas
bind_iommufd vma_list vfio_pci_vmf_insert_pfn is_aligned_for_order
zap_special_vma_range non_mappable_bars nointxmask"

# expected SERIES FEATURE: y or n, from the kernels' history.
expected() {
	case $1/$2 in
	7.*/vma_list) echo n ;;
	7.*/*) echo y ;;
	6.12/bind_iommufd) echo y ;;
	6.1/vma_list) echo y ;;
	*) echo n ;;
	esac
}

n=0
tap() {	# tap STATUS TEXT
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n compat: $2"; else echo "not ok $n compat: $2"; fi
}

rm -rf "$work"
mkdir -p "$work"
answers=$work/answers
: >"$answers"
for arg in "$@"; do
	series=${arg%%=*} kdir=${arg#*=}
	copy_source "$work/src-$series"
	make -C "$kdir" M="$work/src-$series" BARMAP_SHOW_PROBES=1 modules \
		>"$work/$series.log" 2>&1
	tap $? "module builds against $series with the probes' answers"
	for f in $features; do
		got=$(sed -n "s/^barmap-probe $f=//p" "$work/$series.log" | head -n 1)
		want=$(expected "$series" "$f")
		echo "$f $series $got" >>"$answers"
		[ "$got" = "$want" ]
		tap $? "probe $f answers ${got:-nothing} on $series (expected $want)"
	done
done

for f in $features; do
	ys=$(awk -v f="$f" '$1 == f && $3 == "y" { print $2 }' "$answers" | tr '\n' ' ')
	ns=$(awk -v f="$f" '$1 == f && $3 == "n" { print $2 }' "$answers" | tr '\n' ' ')
	[ -n "$ys" ] && [ -n "$ns" ]
	tap $? "probe $f answers both ways (y: ${ys:-none}, n: ${ns:-none})"
done

# A probe failing for a reason other than its feature must stop the
# build, never choose a path: -Wpedantic under -Werror breaks every
# probe and every control compile alike.
for arg in "$@"; do
	series=${arg%%=*} kdir=${arg#*=}
	make -C "$kdir" M="$work/src-$series" clean >/dev/null 2>&1 || true
	if make -C "$kdir" M="$work/src-$series" \
		BARMAP_PROBE_CFLAGS=-Wpedantic modules >"$work/$series-broken.log" 2>&1; then
		st=1
	else
		grep -q "compat probe '[a-z_]*' could not decide" "$work/$series-broken.log"
		st=$?
	fi
	[ -e "$work/src-$series/drivers/vfio/pci/barmap/main.o" ] && st=1
	tap $st "a probe that cannot decide stops the build on $series, before any object"
done
