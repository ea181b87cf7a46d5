#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Boot the test guest once under QEMU TCG and print what its init wrote
# on ttyS1 (TAP).  The kernel console goes to OUTDIR/PROFILE.console.
#
# Usage: run-guest.sh PROFILE INITRD OUTDIR
#   PROFILE  exclusive: BARs where SeaBIOS puts them (sub-page BARs alone
#            in their page); shared: rtl8139, i6300esb and ivshmem BARs
#            packed at 512-byte alignment into shared pages.
#
# A guest that does not finish within BARMAP_GUEST_TIMEOUT seconds, or that
# ends without its completion marker, yields a "not ok" line; a guest that
# dies before barmap-vfio-pci is loaded is the rig's fault and is retried
# once.

set -eu
. "$(dirname "$0")/lib.sh"

[ $# -eq 3 ] || die "usage: $0 PROFILE INITRD OUTDIR"
profile=$1 initrd=$2 out=$3
: "${KVER:?KVER not set}"
: "${BARMAP_GUEST_TIMEOUT:=600}"
: "${BARMAP_MODE:=test}"

case $profile in
exclusive) extra= ;;
shared) extra="pci=resource_alignment=9@0000:00:04.0;9@0000:00:05.0;9@0000:00:06.0" ;;
*) die "unknown profile $profile" ;;
esac

mkdir -p "$out"
disk=$out/nvme.img
[ -f "$disk" ] || dd if=/dev/zero of="$disk" bs=1M count=8 status=none

boot() {
	timeout -k 10 "$BARMAP_GUEST_TIMEOUT" \
	qemu-system-x86_64 -accel tcg,thread=single -cpu max -M q35 \
		-m 4G -smp 2 -nodefaults -display none -no-reboot \
		-kernel "/boot/vmlinuz-$KVER" -initrd "$initrd" \
		-append "console=ttyS0 intel_iommu=on quiet panic=-1 barmap_profile=$profile barmap_mode=$BARMAP_MODE $extra" \
		-device intel-iommu \
		-drive "file=$disk,if=none,id=d0,format=raw" \
		-device nvme,serial=barmap0,drive=d0,addr=03.0 \
		-object memory-backend-ram,id=m1,size=1G,share=on \
		-device ivshmem-plain,memdev=m1,addr=04.0 \
		-device rtl8139,addr=05.0 \
		-device i6300esb,addr=06.0 \
		-device pcie-pci-bridge,id=br0,addr=07.0 \
		-device pci-serial,bus=br0,addr=01.0 \
		-device rtl8139,bus=br0,addr=02.0 \
		-serial "file:$out/$profile.console" -serial stdio \
		</dev/null 2>"$out/$profile.qemu.err" |
		tr -d '\r' >"$out/$profile.tap"
}

for attempt in 1 2; do
	start=$(date +%s)
	boot || true
	secs=$(($(date +%s) - start))
	if grep -q '^# barmap-modules-loaded' "$out/$profile.tap"; then
		break
	fi
	if [ "$attempt" = 1 ]; then
		echo "# $KVER $profile: guest died before barmap-vfio-pci was loaded (rig, not module); retrying once"
		sed 's/^/#   console: /' "$out/$profile.console" | tail -n 20
	fi
done

cat "$out/$profile.tap"
echo "# $KVER $profile: guest ran ${secs}s"
if ! grep -q '^# barmap-guest-done' "$out/$profile.tap"; then
	echo "not ok - $KVER $profile: guest did not finish (timeout ${BARMAP_GUEST_TIMEOUT}s, crash or boot failure); console tail:"
	sed 's/^/#   console: /' "$out/$profile.console" | tail -n 40
	exit 1
fi
