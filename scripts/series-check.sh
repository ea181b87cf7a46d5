#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# make check's part for make series (scripts/series.sh): the series made
# afresh, then applied with `git am` to its base one patch at a time, and
# after each patch
#   - checkpatch --strict of the patch (FILE_PATH_CHANGES is let pass
#     only for a patch whose new files all lie under a path the driver's
#     MAINTAINERS entry already lists);
#   - scripts/kernel-doc -none -Wall on the .c and .h files it changes;
#   - its files in the in-tree build of make check, and there a W=1 build
#     with sparse (C=2) of what it changes: the mm objects (each compared
#     with its build before the series, so that only what a patch brings
#     counts) and drivers/vfio/pci/barmap/, which must build at every
#     patch that has it (the series is bisectable);
#   - for a patch that changes tools/testing/selftests/vfio, that
#     directory's build (upstream's Makefile, -Werror), against the
#     uapi headers of linux-source-7.N, which must give every program of
#     barmap's that the Makefile lists.
# checkpatch lets pass the types that scripts/check-exceptions excepts
# for the repository's copies of the files a patch changes.
# Prints the findings, one per line, nothing when there are none.
#
# Usage: series-check.sh WORK TREE OBJ RELEASE [SPARSE]
#   WORK     an empty directory for the series and its logs
#   TREE     the in-tree source tree of make check (a hard-linked copy of
#            linux-source-7.N: a file is replaced, never written through)
#   OBJ      its O= directory, modules_prepare'd with Debian's config
#   RELEASE  its KERNELRELEASE
#   SPARSE   the sparse to run, if the kernel accepts one
# The caller holds the tree's lock, and prepares the tree again after
# this (scripts/check.sh): here the driver is taken out of it first.

set -u
here=$(dirname "$0")
. "$here/lib.sh"

[ $# -ge 4 ] || die "usage: $0 WORK TREE OBJ RELEASE [SPARSE]"
work=$1 tree=$2 obj=$3 rel=$4 sparse=${5:-}
src7=$(debian7_source)
pcidir=drivers/vfio/pci
# git am commits: as the series' author (scripts/series.sh)
GIT_COMMITTER_NAME=$(git -C "$here/.." log -1 --format='%an')
GIT_COMMITTER_EMAIL=$(git -C "$here/.." log -1 --format='%ae')
export GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL
entry="VFIO BARMAP PCI DRIVER"
ksft=tools/testing/selftests/vfio

# excepted FILE...: the types scripts/check-exceptions excepts for the
# repository's copies of FILEs (selftests/vfio/ for the selftests),
# comma-separated
excepted() {
	for f in "$@"; do
		case $f in $ksft/*) f=selftests/vfio/${f#"$ksft"/} ;; esac
		checkpatch_excepted "$f"
		echo
	done | tr , '\n' | sed '/^$/d' | sort -u | paste -sd, -
}

if ! sh "$here/series.sh" "$work/patches" "$work/made" >"$work/list" 2>"$work/series.log"; then
	echo "make series failed:"
	tail -n 5 "$work/series.log"
	exit 0
fi

# A fresh clone of the base, to apply to.
git clone -q "$work/made" "$work/am" 2>"$work/clone.log" &&
	git -C "$work/am" checkout -q -B check series-base || {
	echo "series: no base to apply to: $(cat "$work/clone.log")"
	exit 0
}

# install_from_am FILE: FILE of the applied series into the tree,
# replacing the tree's (a hard link into the shared source: never
# written through)
install_from_am() {
	rm -f "$tree/$1"
	mkdir -p "$(dirname "$tree/$1")"
	cp "$work/am/$1" "$tree/$1"
}

# pristine FILE: the tree's FILE as linux-source-7.N has it
pristine() {
	rm -f "$tree/$1"
	cp -l "$src7/$1" "$tree/$1"
}

# build LOG TARGET...: W=1, and sparse if there is one, in the in-tree
# build; the warnings and errors, without their positions (a patch moves
# the lines of what was there before it), sorted
build() {
	log=$1
	shift
	for t in "$@"; do
		case $t in */) rm -rf "${obj:?}/$t" ;; *) rm -f "$obj/$t" ;; esac
	done
	make -k -C "$tree" O="$obj" KERNELRELEASE="$rel" W=1 \
		${sparse:+C=2 CHECK="$sparse" CF=-D__CHECK_ENDIAN__} "$@" \
		>"$log" 2>&1 || echo "build failed" >>"$log"
	grep -E 'warning:|error:|build failed' "$log" |
		sed -E 's/:[0-9]+:[0-9]+:/:/; s/:[0-9]+:/:/' | sort
}

# configure: the driver and its KUnit suite as modules, as a kernel
# built with the series would have them (the in-tree build's own)
configure() {
	intree_configure "$tree" "$obj" "$rel" >"$work/olddefconfig.log" 2>&1
}

# The tree without the driver and its selftests, the mm objects built as
# they are.
rm -rf "${tree:?}/$pcidir/barmap" "$tree/$ksft/barmap" "$tree/$ksft"/vfio_pci_barmap_*
for f in $pcidir/Kconfig $pcidir/Makefile mm/huge_memory.c mm/mremap.c \
	$ksft/Makefile $ksft/.gitignore; do
	pristine "$f"
done
mm_objs="mm/huge_memory.o mm/mremap.o"
# shellcheck disable=SC2086 # the objects are words
build "$work/mm-before.log" $mm_objs >"$work/mm-before"
if grep -q 'error:\|build failed' "$work/mm-before"; then
	echo "series: the mm objects do not build before the series:"
	head -n 5 "$work/mm-before"
	exit 0
fi

n=0
for p in $(grep -v '/0000-' "$work/list"); do
	n=$((n + 1))
	name=${p##*/}
	if ! git -C "$work/am" am -q "$p" >"$work/am-$n.log" 2>&1; then
		echo "$name: git am failed: $(head -n 3 "$work/am-$n.log")"
		break
	fi
	changed=$(git -C "$work/am" diff --name-only HEAD~1 HEAD)

	# checkpatch, outside any git work tree (inside one it would check
	# a tracked .patch file's own lines)
	ign=
	added=$(git -C "$work/am" diff --name-only --diff-filter=A HEAD~1 HEAD)
	paths=$(git -C "$work/am" show HEAD~1:MAINTAINERS |
		awk -v e="$entry" '$0 == e { on = 1; next } on && /^$/ { exit }
			on && /^F:\t/ { print substr($0, 4) }')
	if [ -n "$added" ] && [ -n "$paths" ]; then
		covered=1
		for f in $added; do
			c=0
			for d in $paths; do
				# shellcheck disable=SC2254 # an F: line is a pattern
				case $f in $d*) c=1 ;; esac
			done
			[ $c = 1 ] || covered=0
		done
		[ $covered = 1 ] && ign=FILE_PATH_CHANGES
	fi
	# shellcheck disable=SC2086 # the files are words
	exc=$(excepted $changed)
	ign=$ign${ign:+${exc:+,}}$exc
	# --root: --strict reads the tree's CamelCase list even for an
	# ignored CAMELCASE, and outside a git tree it has no root otherwise
	(cd "$work" && perl "$src7/scripts/checkpatch.pl" --strict --no-tree -q \
		--root="$src7" --show-types ${ign:+--ignore=$ign} "$p") \
		>"$work/checkpatch-$n" 2>&1
	if [ -s "$work/checkpatch-$n" ]; then
		echo "$name: checkpatch --strict:"
		grep -E '^(ERROR|WARNING|CHECK):' "$work/checkpatch-$n" | head -n 10
	fi

	# kernel-doc on the changed sources
	for f in $changed; do
		case $f in *.c | *.h) ;; *) continue ;; esac
		kd=$("$src7/scripts/kernel-doc" -none -Wall "$work/am/$f" 2>&1)
		[ -z "$kd" ] || echo "$name: kernel-doc -none -Wall $f: $(echo "$kd" | head -n 3)"
	done

	# the changed files into the tree, and what they build
	for f in $changed; do
		install_from_am "$f"
	done
	mm=
	driver=0
	selftests=0
	for f in $changed; do
		case $f in
		mm/*.c) mm="$mm ${f%.c}.o" ;;
		$pcidir/*) driver=1 ;;
		$ksft/*) selftests=1 ;;
		esac
	done
	if [ -n "$mm" ]; then
		# shellcheck disable=SC2086 # the objects are words
		build "$work/mm-$n.log" $mm_objs >"$work/mm-$n"
		new=$(comm -13 "$work/mm-before" "$work/mm-$n")
		[ -z "$new" ] || echo "$name: new in the W=1/sparse build of$mm: $(echo "$new" | head -n 5)"
	fi
	if [ $driver = 1 ]; then
		if ! configure; then
			echo "$name: olddefconfig with the driver failed: $(tail -n 3 "$work/olddefconfig.log")"
			break
		fi
		grep -qx 'CONFIG_BARMAP_VFIO_PCI=m' "$obj/.config" ||
			echo "$name: CONFIG_BARMAP_VFIO_PCI=m did not survive olddefconfig"
		found=$(build "$work/driver-$n.log" "$pcidir/barmap/")
		[ -z "$found" ] || echo "$name: the W=1/sparse build of $pcidir/barmap/: $(echo "$found" | head -n 5)"
		grep -q 'CC \[M\] .*barmap/main\.o' "$work/driver-$n.log" ||
			echo "$name: $pcidir/barmap/main.o was not built"
	fi
	if [ $selftests = 1 ]; then
		if ! uapi=$(uapi_headers x86_64 2>"$work/uapi.log"); then
			echo "$name: no uapi headers for the selftests: $(tail -n 3 "$work/uapi.log")"
		elif ! mkdir -p "$work/selftests-$n" ||
			! make -C "$tree/$ksft" OUTPUT="$work/selftests-$n" \
			KHDR_INCLUDES="-isystem $uapi" >"$work/selftests-$n.log" 2>&1; then
			echo "$name: $ksft does not build: $(grep -m 5 -E '(error|warning):|\*\*\*' "$work/selftests-$n.log")"
		else
			for t in $(sed -n 's/^TEST_GEN_PROGS\(_EXTENDED\)\{0,1\} += \(vfio_pci_barmap_.*\)/\2/p' \
				"$tree/$ksft/Makefile"); do
				[ -x "$work/selftests-$n/$t" ] || echo "$name: $ksft built no $t"
			done
			grep -q '^TEST_GEN_PROGS += vfio_pci_barmap_' "$tree/$ksft/Makefile" ||
				echo "$name: $ksft/Makefile lists no test of barmap"
		fi
	fi
done
total=$(grep -vc '/0000-' "$work/list")
[ $n = "$total" ] || echo "series: $n of $total patches checked"

# The mm sources and the selftests as they were (the caller prepares the
# driver again).
for f in mm/huge_memory.c mm/mremap.c $ksft/Makefile $ksft/.gitignore; do
	pristine "$f"
done
rm -rf "${tree:?}/$ksft/barmap" "$tree/$ksft"/vfio_pci_barmap_*
exit 0
