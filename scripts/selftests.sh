#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Build barmap's guest selftests (selftests/vfio), static for the
# busybox guests, with the kselftest harness and upstream's VFIO selftest
# library (libvfio) of the linux-source-7.x that make deps unpacked
# (scripts/ksft-dir.sh), against that tree's uapi headers (uapi_headers
# in lib.sh).  The objects go to $BUILD/selftests-ARCH, the programs are
# copied to BIN.
#
# Usage: selftests.sh BIN [arm64]
#   arm64  cross-built (ARM64_CROSS), with the static libuuid of Debian's
#          uuid-dev:arm64 that make deps unpacked (libvfio parses VF
#          tokens with it)

set -eu
here=$(dirname "$0")
. "$here/lib.sh"

[ $# -ge 1 ] && [ $# -le 2 ] || die "usage: $0 BIN [arm64]"
bin=$1
: "${BUILD:=$PWD/build}"
ksft=$(sh "$here/ksft-dir.sh")
case ${2:-x86_64} in
x86_64) karch=x86_64 sarch=x86 cc=gcc uuid= ;;
arm64)
	karch=arm64 sarch=arm64 cc=${ARM64_CROSS}gcc
	uuid=$(arm64_uuid_dir)/usr/lib/aarch64-linux-gnu
	[ -f "$uuid/libuuid.a" ] || die "no $uuid/libuuid.a; run make deps"
	;;
*) die "usage: $0 BIN [arm64]" ;;
esac

obj=$BUILD/selftests-$karch
mkdir -p "$obj" "$bin"
uapi=$(uapi_headers "$karch")
make -C "$here/../selftests/vfio" CC="$cc" ARCH="$sarch" \
	KSFT_DIR="$ksft" KHDR_INCLUDES="-isystem $uapi" \
	OUTPUT="$obj" UUID_LIBDIR="$uuid"
progs=$(make -s -C "$here/../selftests/vfio" print-progs)
[ -n "$progs" ] || die "selftests: no programs listed"
for p in $progs; do
	cp "$obj/$p" "$bin/"
done
