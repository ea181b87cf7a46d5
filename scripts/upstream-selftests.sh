#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Build upstream's own VFIO selftests (tools/testing/selftests/vfio of
# the linux-source-7.x that make deps unpacked), statically linked for
# the busybox guest, without writing into the source tree: the uapi
# headers with `make headers` into OUT/headers (O=), the objects into
# OUT/obj (the selftests' OUTPUT=), and the test programs copied to DEST.
# They are the peer suite of scripts/guest-peer.sh: the same programs
# run on one device under barmap-vfio-pci and under vfio-pci.
#
# Usage: upstream-selftests.sh OUT DEST
# For another architecture: BARMAP_UPSTREAM_ARCH (the kernel's ARCH,
# e.g. arm64) and CROSS_COMPILE.

set -eu
. "$(dirname "$0")/lib.sh"

[ $# -eq 2 ] || die "usage: $0 OUT DEST"
out=$1 dest=$2
src=$(debian7_source)
[ -n "$src" ] && [ -d "$src/tools/testing/selftests/vfio" ] ||
	die "no linux-source-7.x with tools/testing/selftests/vfio; run make deps"
karch=${BARMAP_UPSTREAM_ARCH:-x86_64}
case $karch in
x86_64) sarch=x86_64 ;;
arm64) sarch=aarch64 ;;
*) die "upstream-selftests.sh: no selftests arch for $karch" ;;
esac

mkdir -p "$out/headers" "$out/obj" "$dest"
make -s -C "$src" O="$out/headers" ARCH="$karch" headers
# libuuid and pthread are linked in: the guest has no shared libraries.
make -s -C "$src/tools/testing/selftests/vfio" ARCH="$sarch" \
	CC="${CROSS_COMPILE:-}gcc" OUTPUT="$out/obj" \
	KHDR_INCLUDES="-isystem $out/headers/usr/include" \
	LDFLAGS="-static -pthread"
progs=$(sed -n 's/^TEST_GEN_PROGS += //p' "$src/tools/testing/selftests/vfio/Makefile")
[ -n "$progs" ] || die "no TEST_GEN_PROGS in $src/tools/testing/selftests/vfio/Makefile"
for p in $progs; do
	cp "$out/obj/$p" "$dest/"
done
echo "$progs" | tr '\n' ' ' >"$dest/upstream-vfio-selftests"
echo "upstream VFIO selftests of $(basename "$src"): $(echo $progs)"
