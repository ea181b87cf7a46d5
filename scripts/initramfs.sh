#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Build the guest's busybox initramfs: busybox, the guest init, the vfio
# modules of kernel KVER (decompressed where the distribution compresses
# them: busybox insmod cannot read .ko.xz),
# barmap-vfio-pci.ko and the statically linked selftests.
#
# Usage: initramfs.sh KVER MODROOT SELFTEST_DIR OUT.cpio.gz
#   MODROOT is where `make install INSTALL_MOD_PATH=MODROOT` put
#   barmap-vfio-pci: the initramfs gets a module tree with modules.dep, so
#   the guest loads everything with modprobe, as a user would.
# For another architecture's guest (scripts/test-arm64.sh), or a kernel
# that is not installed (the debug kernel; Debian's 7.x, unpacked by make
# deps, whose modules are under ROOT/usr/lib/modules):
#   BARMAP_BUSYBOX      its static busybox (default: the host's /bin/busybox)
#   BARMAP_KERNEL_ROOT  where lib/modules/KVER of its kernel is (default: /)
#   BARMAP_EXTRA_MODULES  more of its modules, where they are modules

set -eu
. "$(dirname "$0")/lib.sh"

[ $# -eq 4 ] || die "usage: $0 KVER MODROOT SELFTEST_DIR OUT"
kver=$1 modroot=$2 tests=$3 out=$4
busybox=${BARMAP_BUSYBOX:-/bin/busybox}
kroot=${BARMAP_KERNEL_ROOT:-}
moddir=$kroot/lib/modules/$kver/kernel

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

tree=$stage/lib/modules/$kver
mkdir -p "$stage/bin" "$tree" "$stage/proc" "$stage/sys" \
	"$stage/dev" "$stage/tmp" "$stage/mnt"
cp "$busybox" "$stage/bin/busybox"
# The kernel's own configuration, as /lib/kernel-config: what the guest
# expects of the kernel (dma-buf export, for one) is decided by it, never
# by the driver under test.  Debian's packages have it beside the
# modules (7.x) or in /boot (6.12, 6.1), the rig's own kernels
# (kernel-cache.sh) in their directory.
for c in "$kroot/lib/modules/$kver/config" "$kroot/config" \
	"${kroot%/usr}/boot/config-$kver" "/boot/config-$kver"; do
	[ -f "$c" ] && break
done
[ -f "$c" ] || die "no configuration of $kver (in $kroot/lib/modules/$kver, $kroot or /boot)"
mkdir -p "$stage/lib"
cp "$c" "$stage/lib/kernel-config"
cp "$(dirname "$0")/guest-init.sh" "$stage/init"
chmod 755 "$stage/init"
mkdir -p "$stage/lib"
cp "$(dirname "$0")/guest-lib.sh" "$(dirname "$0")/guest-peer.sh" \
	"$(dirname "$0")/guest-iommufd.sh" \
	"$(dirname "$0")/../selftests/vfio/barmap/stock-differences" \
	"$(dirname "$0")/../selftests/vfio/barmap/stock-answers" "$stage/lib/"

# vfio_virqfd is a module of its own before Linux 6.2 only; Debian's
# arm64 kernels build irqbypass in.  BARMAP_EXTRA_MODULES (paths under
# kernel/, without .ko) are taken where they are modules: the arm64
# guest's TAP console needs virtio_mmio, which Debian's arm64 kernels
# build as one.
for m in virt/lib/irqbypass drivers/vfio/vfio drivers/vfio/vfio_virqfd \
	 drivers/vfio/vfio_iommu_type1 drivers/vfio/pci/vfio-pci-core \
	 drivers/vfio/pci/vfio-pci ${BARMAP_EXTRA_MODULES:-}; do
	dst=$tree/kernel/$m.ko
	mkdir -p "$(dirname "$dst")"
	if grep -qx "kernel/$m.ko" "$kroot/lib/modules/$kver/modules.builtin"; then
		continue
	elif [ -f "$moddir/$m.ko.xz" ]; then
		xz -dc "$moddir/$m.ko.xz" >"$dst"
	elif [ -f "$moddir/$m.ko" ]; then
		cp "$moddir/$m.ko" "$dst"
	else
		case " drivers/vfio/vfio_virqfd ${BARMAP_EXTRA_MODULES:-} " in
		*" $m "*) ;;
		*) die "missing $moddir/$m.ko(.xz)" ;;
		esac
	fi
done
# Every dependency of those must be among them: a kernel that splits
# vfio differently fails here, by name, not in the guest.
for ko in $(find "$tree/kernel" -name '*.ko'); do
	for dep in $(modinfo -F depends "$ko" | tr , ' '); do
		[ -n "$(find "$tree/kernel" -name "$dep.ko")" ] ||
			[ -n "$(find "$tree/kernel" -name "$(echo "$dep" | tr _ -).ko")" ] ||
			die "${ko##*/} of $kver needs $dep, which is not in the initramfs"
	done
done
cp -r "$modroot/lib/modules/$kver/updates" "$tree/"
cp "$kroot/lib/modules/$kver/modules.builtin" \
	"$kroot/lib/modules/$kver/modules.order" "$tree/"
if [ -f "$kroot/lib/modules/$kver/modules.builtin.modinfo" ]; then
	cp "$kroot/lib/modules/$kver/modules.builtin.modinfo" "$tree/"
fi
depmod -b "$stage" "$kver"
cp "$tests"/* "$stage/bin/"
cp "$(dirname "$0")/barmap-bind" "$stage/bin/"

(cd "$stage" && find . | cpio -o -H newc --quiet) | gzip -1 >"$out"
