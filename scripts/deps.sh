#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Install everything the build and the guest rig need, from Debian's
# archive only, and unpack linux-source once into the cache directory;
# download Debian 13's newest 7.x kernel and its source with a private
# apt configuration, unpack and prepare them in the cache, without
# installing them (scripts/debian13.sh); debootstrap Debian 13 roots with
# today's QEMU into the cache (scripts/roots.sh).  Idempotent: a second run
# installs, downloads and unpacks nothing, and does no network I/O.
#
# Usage: scripts/deps.sh          (as root)
# Prints, as its last line, nothing; the chosen versions are found again
# by lib.sh (installed_612_kver, debian7_dir) so that no ABI number is
# written down anywhere.

set -eu

here=$(dirname "$0")
. "$here/lib.sh"
. "$here/debian13.sh"
. "$here/roots.sh"
. "$here/sparse.sh"

tools="make gcc flex bison bc libelf-dev libssl-dev dwarves kmod cpio dkms debootstrap
xz-utils zstd patch busybox-static qemu-system-x86 ovmf sparse coccinelle ocaml-nox ocaml-findlib perl
gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-system-arm uuid-dev"

missing_packages() {
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
			grep -q '^install ok installed$' || echo "$p"
	done
}

# Newest 6.12 image in the archive, e.g. linux-image-6.12.117+deb12-amd64-unsigned.
newest_612_image() {
	apt-cache search --names-only '^linux-image-6\.12\.' |
		awk '{ print $1 }' |
		grep -E '^linux-image-6\.12\.[0-9]+\+deb12-amd64-unsigned$' |
		sort -V | tail -n 1
}

[ "$(id -u)" = 0 ] || die "deps: must run as root (apt-get install)"

updated=
apt_update_once() {
	[ -n "$updated" ] && return 0
	info "deps: apt-get update"
	apt-get update -qq
	updated=1
}

install_packages() {
	[ $# -eq 0 ] && return 0
	apt_update_once
	info "deps: installing $*"
	# INITRD=No: the rig builds its own initramfs; skip update-initramfs.
	DEBIAN_FRONTEND=noninteractive INITRD=No \
		apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# Newest bookworm 6.1 image, e.g. linux-image-6.1.0-56-amd64-unsigned.
newest_61_image() {
	apt-cache search --names-only '^linux-image-6\.1\.0-' |
		awk '{ print $1 }' |
		grep -E '^linux-image-6\.1\.0-[0-9]+-amd64-unsigned$' |
		sort -V | tail -n 1
}

# The test kernels (6.12, and 6.1 for compatibility): only look at the
# archive when one is not installed yet, so that a second run does no
# network I/O at all.
kernel_packages() {
	for series in 612 61; do
		if [ -n "$(installed_${series}_kver)" ]; then
			continue
		fi
		apt_update_once
		image=$(newest_${series}_image)
		[ -n "$image" ] || die "deps: no $series kernel image in the archive"
		kver=${image#linux-image-}
		kver=${kver%-unsigned}
		echo "$image linux-headers-$kver"
	done
}

# apt-get download of busybox-static:arm64 and uuid-dev:arm64 (below)
# needs arm64 among dpkg's foreign architectures; add it before the one
# apt-get update.
if { [ ! -f "$(arm64_busybox_dir)/.unpacked" ] ||
	[ ! -f "$(arm64_uuid_dir)/.unpacked" ]; } &&
	! dpkg --print-foreign-architectures | grep -qx arm64; then
	info "deps: adding arm64 as a foreign architecture"
	dpkg --add-architecture arm64
fi

# shellcheck disable=SC2046,SC2086
install_packages $(missing_packages $tools linux-source-6.12)
# shellcheck disable=SC2046
install_packages $(kernel_packages)

[ -n "$(installed_612_kver)" ] || die "deps: 6.12 kernel image and headers not installed"
[ -n "$(installed_61_kver)" ] || die "deps: 6.1 kernel image and headers not installed"

src=$(source_tree)
if [ ! -f "$src/.unpacked" ]; then
	tarball=$(ls /usr/src/linux-source-6.12.tar.*)
	info "deps: unpacking $tarball into $src"
	rm -rf "$src"
	mkdir -p "$src"
	tar -xf "$tarball" -C "$src" --strip-components=1
	touch "$src/.unpacked"
fi

# arm64_unpack PKG DIR FILE: Debian's PKG:arm64 unpacked into DIR (dpkg
# -x, never installed: no multiarch packages on this machine), once;
# FILE, under DIR, must be in it.
arm64_unpack() {
	[ ! -f "$2/.unpacked" ] || return 0
	apt_update_once
	tmp=$(mktemp -d)
	# apt-get download fetches as user _apt, into the current directory
	chown _apt "$tmp" 2>/dev/null || chmod 777 "$tmp"
	info "deps: downloading $1:arm64 into $2"
	(cd "$tmp" && apt-get download -qq "$1:arm64") ||
		die "deps: apt-get download $1:arm64 failed"
	rm -rf "$2"
	dpkg -x "$tmp/$1"_*_arm64.deb "$2"
	rm -rf "$tmp"
	[ -e "$2/$3" ] || die "deps: no $3 in $1:arm64"
	touch "$2/.unpacked"
}

# The arm64 guest's busybox, and the static libuuid of its selftests.
arm64_unpack busybox-static "$(arm64_busybox_dir)" bin/busybox
arm64_unpack uuid-dev "$(arm64_uuid_dir)" usr/lib/aarch64-linux-gnu/libuuid.a

# Debian's newest 7.x kernel from trixie-backports and its source:
# downloaded with a private apt configuration, unpacked into the cache
# and prepared for module builds, never installed (scripts/debian13.sh).
d13_kernel

# Under make test (BARMAP_PREBUILD=1, from the Makefile), the rig's own
# kernels start building now, in the background, while the rest of
# this script mostly waits on the network and dpkg: both sources are
# unpacked by here.  make test's lanes wait for them on the cache's
# lock; a later run finds them built.
if [ "${BARMAP_PREBUILD:-0}" = 1 ]; then
	info "deps: building the rig's kernels in the background (log: $BARMAP_CACHE/prebuild.log)"
	(sh "$here/rig-kernel.sh" debug; sh "$here/rig-kernel.sh" l2;
		sh "$here/arm64-kernel.sh") \
		>"$BARMAP_CACHE/prebuild.log" 2>&1 </dev/null &
fi

# Its arm64 flavour with 16 KiB pages, the arm64 packages unpacked the
# same way and an O= tree for cross builds: scripts/test-arm64.sh boots
# it as Debian built it.
d13_kernel arm64-16k

# Debian 13's own 6.12 kernel (trixie), unpacked the same way: DKMS
# builds for it in the root below, and the module boots on it.
d13_kernel_612

# A sparse that parses 7.x's headers, built from sid's source
# (scripts/sparse.sh): make check runs it on the in-tree 7.x build.
sparse7_build

# The Debian 13 roots: two with today's QEMU (trixie's 10.0.x and
# trixie-backports' 11.x) for the nested end-to-end test and the peer
# suite, keyed by the QEMU package's version, and one with dkms, gcc-14
# and Debian's 6.12 and 7.x headers, where make test has DKMS build the
# module as on a trixie machine (scripts/roots.sh).
debian13_roots() {
	qemu_roots
	dkms_root_build
}

# Under make test, the roots are debootstrapped in the background: on a
# fresh machine they took ten minutes, mostly waiting on the network and
# dpkg, and only the later lanes (DKMS on trixie, the peer suite, make
# e2e) use them.  The background job holds late_deps_lock (lib.sh) until
# it is done and leaves its exit status beside it; those lanes wait on
# the lock (late_deps_wait), and test.sh reports the status as a TAP
# line.  make deps alone builds them before it returns.
if [ "${BARMAP_PREBUILD:-0}" = 1 ]; then
	lock=$(late_deps_lock)
	exec 9>"$lock"
	flock 9
	echo running >"$lock.status"
	info "deps: the Debian 13 roots, in the background (log: $lock.log)"
	(
		st=0
		(debian13_roots) || st=$?
		echo "$st" >"$lock.status"
	) >"$lock.log" 2>&1 </dev/null &
	exec 9>&-
else
	debian13_roots
fi
