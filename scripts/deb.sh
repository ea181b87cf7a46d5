#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The Debian package of debian/ (barmap-vfio-pci-dkms), made and checked
# in the Debian 13 root of make deps that has dkms, Debian's 6.12 and 7.x
# headers and the packaging tools (dkms_root_build, scripts/roots.sh).
# The root is cached and shared: everything here runs on an overlay of
# it (DIR/root, writes in DIR/upper), so the cached root never changes.
#
#   sh scripts/deb.sh DIR     make deb: build the package, print the .deb
#
# Sourced by scripts/test.sh (the dkms-trixie lane), which also runs
# lintian, the package's autopkgtest and the removal checks below.
#
#   DIR/root     the overlay, mounted between deb_overlay_up and _down
#   DIR/out/     what dpkg-buildpackage made: .deb, .dsc, .tar.xz,
#                .buildinfo, .changes
#   DIR/*.log    what each tool said

deb_pkg=barmap-vfio-pci-dkms

# deb_overlay_up ROOT DIR: ROOT, writable as DIR/root.
deb_overlay_up() {
	deb_overlay_down "$2"
	rm -rf "${2:?}/upper" "$2/work"
	mkdir -p "$2/upper" "$2/work" "$2/root" &&
		mount -t overlay overlay \
			-o "lowerdir=$1,upperdir=$2/upper,workdir=$2/work" "$2/root"
}

# deb_overlay_down DIR: the overlay and whatever is mounted in it.
deb_overlay_down() {
	unmount_under "$1/root"
}

# deb_source DIR: the tree's files as git has them (tracked, and new
# ones not ignored) in DIR/root/build/barmap-vfio-pci-VERSION/.
deb_source() {
	src=$1/root/build/barmap-vfio-pci-$(module_version)
	rm -rf "$1/root/build"
	mkdir -p "$src"
	git ls-files --cached --others --exclude-standard >"$1/files" ||
		{ echo "not a git checkout: the package is made from git's list of files"; return 1; }
	while read -r f; do
		[ -e "$f" ] || continue		# deleted, not yet committed
		mkdir -p "$src/$(dirname "$f")"
		cp -p "$f" "$src/$f"
	done <"$1/files"
}

# deb_build DIR: dpkg-buildpackage (source and binary, unsigned) in the
# overlay; its products in DIR/out/.
deb_build() {
	deb_source "$1" || return 1
	in_root "$1/root" sh -c "cd /build/barmap-vfio-pci-$(module_version) &&
		dpkg-buildpackage -us -uc" >"$1/build.log" 2>&1
	st=$?
	tail -n 5 "$1/build.log"
	[ $st = 0 ] || return 1
	rm -rf "$1/out"
	mkdir -p "$1/out"
	for f in "$1"/root/build/barmap-vfio-pci*_*; do
		[ -f "$f" ] && cp "$f" "$1/out/"
	done
	ls "$1/out/${deb_pkg}_$(module_version)_all.deb"
}

# deb_lintian DIR: lintian on the .changes (the source package and the
# .deb), info tags shown; fails on any error or warning.
deb_lintian() {
	in_root "$1/root" runuser -u nobody -- sh -c "cd /build && lintian --display-info \
		--fail-on error,warning barmap-vfio-pci_$(module_version)_*.changes" \
		>"$1/lintian.log" 2>&1
	st=$?
	cat "$1/lintian.log"
	[ $st = 0 ]
}

# deb_autopkgtest DIR REL...: the package's own test, Testsuite:
# autopkgtest-pkg-dkms (autodep8 makes it dkms's dkms-autopkgtest), on
# the overlay itself (the null runner): the package installs, and DKMS
# builds and installs the module for every kernel that has headers; it
# must say PASS for each REL.  The root's apt sources are left out:
# autopkgtest finds the package in its own repository of the .deb, and
# the rest is installed.  The test declares breaks-testbed (it installs,
# builds and leaves modules), which the null runner cannot undo; the
# overlay is the undo, thrown away after the lane, so the restriction is
# ignored here.
deb_autopkgtest() {
	dir=$1
	shift
	: >"$dir/root/etc/apt/sources.list"
	in_root "$dir/root" sh -c "cd /build && autopkgtest \
		--ignore-restrictions=breaks-testbed \
		barmap-vfio-pci_$(module_version).dsc \
		${deb_pkg}_$(module_version)_all.deb -- null" \
		>"$dir/autopkgtest.log" 2>&1
	st=$?
	grep -E '^(I: (PASS|FAIL|SKIP) |dkms-autopkgtest +|E: )' "$dir/autopkgtest.log"
	# autodep8 marks the test superficial, and autopkgtest exits 8
	# ("all non-superficial tests were skipped") when it passes.
	case $st in 0 | 8) ;; *) return 1 ;; esac
	grep -q '^dkms-autopkgtest  *PASS' "$dir/autopkgtest.log" || return 1
	for rel in "$@"; do
		grep -qx "I: PASS barmap-vfio-pci/$(module_version) $rel" \
			"$dir/autopkgtest.log" || return 1
	done
}

# deb_left DIR: what of the module is in the overlay: sources, DKMS
# tree, built modules, the modprobe.d file; one per line.
deb_left() {
	r=$1/root
	find "$r/usr/src" "$r/var/lib/dkms" "$r/usr/lib/modules" "$r/etc/modprobe.d" \
		"$r/usr/sbin" -name 'barmap*' 2>/dev/null | sed "s|^$r||"
}

if [ "${0##*/}" = deb.sh ]; then
	set -eu
	here=$(dirname "$0")
	. "$here/lib.sh"
	[ $# = 1 ] || die "usage: sh scripts/deb.sh DIR"
	[ "$(id -u)" = 0 ] || die "make deb: needs root (a chroot on an overlay)"
	dir=$(mkdir -p "$1" && cd "$1" && pwd)
	# The root as make deps makes it: made (or made again, where it
	# lacks what the package is built with) only if it must be.
	. "$here/debian13.sh"
	. "$here/roots.sh"
	command -v debootstrap >/dev/null ||
		die "make deb: no debootstrap to make the Debian 13 root (run make deps)"
	dkms_root_build
	root=$(dkms_root)
	[ -n "$root" ] || die "make deb: no Debian 13 root in $BARMAP_CACHE"
	trap 'deb_overlay_down "$dir"' EXIT
	deb_overlay_up "$root" "$dir" || die "make deb: cannot mount an overlay of $root"
	deb_build "$dir" >/dev/null ||
		die "make deb: dpkg-buildpackage failed (log: $dir/build.log)"
	echo "$dir/out/${deb_pkg}_$(module_version)_all.deb"
fi
