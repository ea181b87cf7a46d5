#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# A QEMU to run inside a guest: qemu-system-x86_64 of a Debian 13 root
# (scripts/debian13.sh), with the shared objects its loader resolves in
# that root and SeaBIOS, as a gzip cpio archive of a minimal root under
# /qemu.  Appended to a guest's initramfs (the kernel unpacks
# concatenated archives), it lets the guest chroot into /qemu and run
# that QEMU unmodified, where the guest's kernel has no 9p to reach the
# whole root (the rig's debug kernel: scripts/guest-iommufd.sh).
#
# Only what a q35 guest with -nodefaults and no display needs: QEMU
# loads its optional modules (UI, audio, USB redirection) on demand,
# and the guest asks for none; a missing object makes QEMU fail to
# start, which the guest reports.
#
# Usage: qemu-bundle.sh ROOT OUT.cpio.gz

set -eu
here=$(dirname "$0")
. "$here/lib.sh"

[ $# -eq 2 ] || die "usage: $0 ROOT OUT.cpio.gz"
root=$1 out=$2
qemu=/usr/bin/qemu-system-x86_64
[ -x "$root$qemu" ] || die "no $qemu in $root"

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
top=$stage/qemu
mkdir -p "$top/dev" "$top/sys" "$top/proc" "$top/tmp"

# copy_in PATH: PATH of the root (symbolic links followed, as the
# loader and QEMU follow them) at the same path under /qemu.
copy_in() {
	mkdir -p "$top$(dirname "$1")"
	cp -L "$root$1" "$top$1"
}

copy_in $qemu
# "name => /path (addr)" for each object, "/lib64/ld-... (addr)" for the
# loader; a "not found" stops the build.
libs=$(chroot "$root" ldd $qemu)
if echo "$libs" | grep -q 'not found'; then
	echo "$libs" >&2
	die "$qemu: shared objects missing in $root"
fi
for lib in $(echo "$libs" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
	copy_in "$lib"
done
# SeaBIOS, on the firmware path Debian builds QEMU with
# (/usr/share/qemu:/usr/share/seabios:...).
copy_in /usr/share/seabios/bios-256k.bin
# The option ROM QEMU loads for every x86 machine, used under KVM only,
# but missing it makes QEMU say so.
copy_in /usr/share/qemu/kvmvapic.bin

(cd "$stage" && find . | cpio -o -H newc --quiet) | gzip -1 >"$out"
