#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Build the two initramfs images of the end-to-end test (scripts/e2e.sh).
#
#   l1: the outer guest, which runs each QEMU (the host's, the Debian 13
#       roots') over 9p against its devices: busybox, scripts/e2e-init.sh,
#       the vfio and 9p modules of KVER (decompressed: busybox insmod cannot
#       read .ko.xz), barmap-vfio-pci.ko and vfio_pci_barmap_regions (the
#       selftests' tool that prints a device's regions).
#   l2: the nested guest, booted by that QEMU with the devices passed
#       through: busybox, scripts/e2e-l2-init.sh and the e2e_ivshmem
#       helper (its kernel, the rig's L2 kernel, has the drivers built in).
#
# BARMAP_KERNEL_ROOT: where lib/modules/KVER is (default /), as in
# scripts/initramfs.sh: Debian's 7.x unpacked in the cache.
#
# Usage: e2e-initramfs.sh l1 KVER MODULE_KO VFIO_REGIONS OUT[.gz]
#        e2e-initramfs.sh l2 E2E_IVSHMEM OUT[.gz]

set -eu
here=$(dirname "$0")
. "$here/lib.sh"

usage="usage: $0 l1 KVER MODULE_KO VFIO_REGIONS OUT | l2 E2E_IVSHMEM OUT"
[ $# -ge 1 ] || die "$usage"
kind=$1
shift
case $kind in
l1)
	[ $# -eq 4 ] || die "$usage"
	kver=$1 module=$2 tool=$3 out=$4
	init=$here/e2e-init.sh
	mods="virt/lib/irqbypass drivers/vfio/vfio drivers/vfio/vfio_iommu_type1
	      drivers/vfio/pci/vfio-pci-core drivers/vfio/pci/vfio-pci
	      fs/netfs/netfs net/9p/9pnet net/9p/9pnet_virtio fs/9p/9p"
	;;
l2)
	[ $# -eq 2 ] || die "$usage"
	kver='' module='' tool=$1 out=$2
	init=$here/e2e-l2-init.sh
	mods=
	;;
*)
	die "$usage"
	;;
esac
moddir=${BARMAP_KERNEL_ROOT:-}/lib/modules/$kver/kernel

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

mkdir -p "$stage/bin" "$stage/lib/modules" "$stage/proc" "$stage/sys" \
	"$stage/dev" "$stage/tmp" "$stage/host"
cp /bin/busybox "$stage/bin/busybox"
cp "$init" "$stage/init"
chmod 755 "$stage/init"
cp "$here/guest-lib.sh" "$stage/lib/"

for m in $mods; do
	src=$moddir/$m.ko.xz
	[ -f "$src" ] || die "missing $src"
	xz -dc "$src" >"$stage/lib/modules/$(basename "$m").ko"
done
[ -z "$module" ] || cp "$module" "$stage/lib/modules/"
cp "$tool" "$stage/bin/"

# OUT.gz is compressed; anything else is a plain cpio archive, which the
# nested guest unpacks several seconds faster than it inflates a gzip one.
case $out in
*.gz) (cd "$stage" && find . | cpio -o -H newc --quiet) | gzip -1 >"$out" ;;
*) (cd "$stage" && find . | cpio -o -H newc --quiet) >"$out" ;;
esac
