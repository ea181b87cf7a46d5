#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Host test of the Kbuild compat probes (make test): build the module
# against each kernel named on the command line with BARMAP_SHOW_PROBES=1,
# check every probe's answer against what that kernel series is known to
# have and the compat patches each kernel takes, check every probe
# answers both ways over the kernels and every prefix of the patches'
# order applies exactly, and check that a probe that cannot decide (all
# probes broken with -Wpedantic under -Werror) and a patch that does not
# apply each stop the build.  TAP on stdout.
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
zap_special_vma_range non_mappable_bars nointxmask debug_root"

# expected_patches SERIES: the compat patches a kernel of SERIES takes,
# in order: those of the features it lacks (Debian's 7.x headers lack
# only the mm fixes).
expected_patches() {
	case $1 in
	7.*) echo 01-mm_leaf_pud.patch ;;
	6.12) ls compat/patches | sed -n '1,6p' ;;
	6.1) ls compat/patches ;;
	esac
}

# expected SERIES FEATURE: y or n, from the kernels' history.
expected() {
	case $1/$2 in
	7.*/vma_list) echo n ;;
	7.*/*) echo y ;;
	6.12/bind_iommufd | 6.12/debug_root) echo y ;;
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
	got=$(sed -n 's/^barmap-patch //p' "$work/$series.log" | tr '\n' ' ' | sed 's/ $//')
	want=$(expected_patches "$series" | tr '\n' ' ' | sed 's/ $//')
	[ -n "$want" ] && [ "$got" = "$want" ]
	tap $? "compat patches on $series: ${got:-none} (expected $want)"
done

# The patches go in their files' order, each against the tree the ones
# before it left: every prefix of that order must apply exactly, which
# is what a kernel lacking the first K features takes.
k=0
prefix=
for p in compat/patches/*.patch; do
	k=$((k + 1))
	prefix="$prefix $p"
	# shellcheck disable=SC2086 # the patch paths have no spaces
	out=$(sh scripts/compat-tree.sh "$PWD" "$work/prefix" $prefix 2>&1)
	[ "$(echo "$out" | tail -n 1)" = ok ]
	tap $? "compat patches 01 to $(printf %02d $k) apply exactly to the driver's sources"
done

for f in $features; do
	ys=$(awk -v f="$f" '$1 == f && $3 == "y" { print $2 }' "$answers" | tr '\n' ' ')
	ns=$(awk -v f="$f" '$1 == f && $3 == "n" { print $2 }' "$answers" | tr '\n' ' ')
	[ -n "$ys" ] && [ -n "$ns" ]
	tap $? "probe $f answers both ways (y: ${ys:-none}, n: ${ns:-none})"
done

# build_stops KDIR SRC LOG PATTERN [MAKEVAR...]: the module build of SRC
# fails, its log matches PATTERN, and no object of the driver was made.
build_stops() {
	bs_kdir=$1 bs_src=$2 bs_log=$3 bs_pattern=$4
	shift 4
	make -C "$bs_kdir" M="$bs_src" "$@" modules >"$bs_log" 2>&1 && return 1
	grep -q "$bs_pattern" "$bs_log" || return 1
	[ ! -e "$bs_src/compat/tree/drivers/vfio/pci/barmap/main.o" ]
}

# A probe failing for a reason other than its feature must stop the
# build, never choose a path: -Wpedantic under -Werror breaks every
# probe and every control compile alike.
for arg in "$@"; do
	series=${arg%%=*} kdir=${arg#*=}
	make -C "$kdir" M="$work/src-$series" clean >/dev/null 2>&1 || true
	build_stops "$kdir" "$work/src-$series" "$work/$series-broken.log" \
		"compat probe '[a-z_]*' could not decide" BARMAP_PROBE_CFLAGS=-Wpedantic
	tap $? "a probe that cannot decide stops the build on $series, before any object"
done

# A compat patch that does not apply exactly must stop the build too: one
# context line of the second patch changed, for a kernel that takes it.
for arg in "$@"; do
	series=${arg%%=*} kdir=${arg#*=}
	[ "$series" = 6.12 ] || continue
	bad=$work/src-bad-patch
	copy_source "$bad"
	second=$(ls "$bad/compat/patches" | sed -n 2p)
	sed -i '0,/^ \t/s/^ \t/ \t \t/' "$bad/compat/patches/$second"
	build_stops "$kdir" "$bad" "$work/bad-patch.log" \
		"compat patch $second does not apply"
	tap $? "a compat patch that does not apply stops the build on $series, before any object"
done
