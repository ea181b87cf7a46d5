#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0-only
#
# /init of the nested guest (L2) of the end-to-end test.  QEMU in the outer
# guest (L1) passes it the NVMe controller and the ivshmem device through
# vfio-pci; this checks both the way a guest driver uses them:
#
#   NVMe     the nvme driver probes, the host's pattern (seed 1) reads back,
#            a pattern of this run's own is written, synced and read back
#            past the page cache, and the controller's MSI-X vectors count
#            interrupts;
#   ivshmem  BAR2 (sysfs resource2, mmapped) holds the host's pattern
#            (seed 2), and a pattern of this run's own is stored into it.
#
# Results go to the console (ttyS0, a file of L1's) as "E2E ok ...",
# "E2E not ok ..." and "E2E # ..." lines, which L1 turns into TAP; "E2E ready"
# once both devices are in use, "E2E done" at the end.  Then poweroff.
#
# The tag (e2e_tag=barmap|stock on the command line) chooses the seeds and
# offsets of this run's writes, so that the host can tell both runs' data
# apart afterwards.  scripts/e2e.sh holds the same table.

/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec >/dev/ttyS0 2>&1

tag=none
read -r cmdline </proc/cmdline
for arg in $cmdline; do
	case $arg in
	e2e_tag=*) tag=${arg#e2e_tag=} ;;
	esac
done

# Host patterns: NVMe image seed 1, ivshmem backing file seed 2.
case $tag in
barmap) dseed=11 doff=4M iseed=21 ioff=8M ;;
stock) dseed=12 doff=6M iseed=22 ioff=12M ;;
*) dseed=13 doff=7M iseed=23 ioff=14M ;;
esac
dsize=256K isize=64K

e2e() {	# e2e STATUS WHAT...: one result line for L1
	st=$1
	shift
	if [ "$st" = 0 ]; then echo "E2E ok $*"; else echo "E2E not ok $*"; fi
}

note() {	# note WHAT...: one comment line for L1
	echo "E2E # $*"
}

finish() {
	uptime_s
	note "checks done at uptime $up"
	echo "E2E done"
	sync
	poweroff -f
}

uptime_s() {	# uptime_s: whole seconds since boot into $up
	read -r up _ </proc/uptime
	up=${up%.*}s
}

uptime_s
read -r _ _ release _ </proc/version
note "L2 kernel $release, tag $tag, init started at uptime $up"

ret=0
for m in nvme-auth nvme-core nvme; do
	insmod /lib/modules/$m.ko || ret=1
done
e2e $ret "load nvme-auth, nvme-core, nvme"

i=0
while [ ! -b /dev/nvme0n1 ] && [ $i -lt 60 ]; do
	sleep 1
	i=$((i + 1))
done
[ -b /dev/nvme0n1 ]
e2e $? "nvme probed, /dev/nvme0n1 present (${i}s)"

# Shell builtins where a loop would fork: every exec is slow in here.
ivshmem=
for d in /sys/bus/pci/devices/*; do
	read -r vendor <"$d/vendor"
	read -r device <"$d/device"
	[ "$vendor" = 0x1af4 ] && [ "$device" = 0x1110 ] && ivshmem=$d
done
[ -n "$ivshmem" ]
e2e $? "ivshmem (1af4:1110) found at ${ivshmem##*/}"
uptime_s
note "ready at uptime $up"
echo "E2E ready"

if [ -b /dev/nvme0n1 ]; then
	read -r sectors </sys/block/nvme0n1/size
	note "nvme0n1: $sectors sectors"
	e2e_ivshmem check /dev/nvme0n1 0 1M 1
	e2e $? "nvme: host pattern (seed 1) at 0+1M reads back"
	e2e_ivshmem fill /dev/nvme0n1 $doff $dsize $dseed && sync
	e2e $? "nvme: write pattern seed $dseed at $doff+$dsize and sync"
	echo 3 >/proc/sys/vm/drop_caches
	e2e_ivshmem check /dev/nvme0n1 $doff $dsize $dseed
	e2e $? "nvme: pattern seed $dseed reads back from the device"

	# The nvme MSI-X vectors and the sum of their per-CPU counts.
	awk '/nvme/ && /PCI-MSI-?X/ {
		n++
		for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++)
			sum += $i
		$1 = $1
		print "E2E # interrupts: " $0
	}
	END {
		st = (n > 0 && sum > 0) ? "ok" : "not ok"
		printf "E2E %s nvme: MSI-X vectors in /proc/interrupts, %d vectors, %d interrupts\n",
		       st, n, sum
	}' /proc/interrupts
fi

if [ -n "$ivshmem" ]; then
	res=$ivshmem/resource2
	echo 1 >"$ivshmem/enable"
	# Third line of "resource": BAR2's start, end and flags.
	{ read -r _; read -r _; read -r bstart bend _; } <"$ivshmem/resource"
	size=$((bend - bstart + 1))
	note "ivshmem BAR2: $size bytes"
	e2e_ivshmem mcheck "$res" 0 64K 2 &&
		e2e_ivshmem mcheck "$res" $((size - 65536)) 64K 2
	e2e $? "ivshmem: host pattern (seed 2) in BAR2 at 0+64K and at the end"
	e2e_ivshmem mfill "$res" $ioff $isize $iseed &&
		e2e_ivshmem mcheck "$res" $ioff $isize $iseed
	e2e $? "ivshmem: store pattern seed $iseed at $ioff+$isize through the mapping"
fi

dmesg | awk '/nvme|vfio|BUG|WARNING|Oops/ && n++ < 20 { print "E2E # dmesg: " $0 }'
finish
