#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0-only
#
# /init of the nested guest (L2) of the end-to-end test.  QEMU in the outer
# guest (L1) passes it an NVMe controller, an ivshmem device and an
# i6300esb watchdog through one VFIO driver; this uses them the way a
# guest does:
#
#   NVMe      the nvme driver probes, the host's pattern (seed 1) reads
#             back, a pattern of this run's own is written, synced and read
#             back past the page cache, and the controller's MSI-X vectors
#             count interrupts;
#   ivshmem   BAR2 (sysfs resource2, mmapped) holds the host's pattern
#             (seed 2), a pattern of this run's own is stored into it, a
#             register of the 256-byte BAR0 (IntrMask) is written and read
#             back, and BAR2 is swept, one read per 4 KiB page, while L1
#             counts the faults of QEMU's mapping (e2e_ivshmem sweep, with
#             ttyS1 as the line L1 paces it by);
#   i6300esb  the watchdog driver probes its 16-byte BAR0, and
#             /dev/watchdog is opened, pinged and closed with the magic
#             character, which stops it again.
#
# Results go to the console (ttyS0, a file of L1's) as "E2E ok ...",
# "E2E not ok ..." and "E2E # ..." lines, which L1 turns into TAP; "E2E
# ready" once every device is enabled (L1 then reads QEMU's flat view),
# "E2E done" at the end.  Then poweroff.
#
# Command line: e2e_tag=TAG (the driver's tag, for the notes),
# e2e_w=DSEED,DOFF,ISEED,IOFF: the seed and offset of this run's NVMe and
# ivshmem writes, from the table e2e.sh writes, so that the host can tell
# every run's data apart afterwards, and e2e_devs=nvme,ivshmem,esb: the
# devices passed through (all three unless said; the booted system's
# libvirt domain, scripts/system-check.sh, passes the i6300esb alone).

/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec >/dev/ttyS0 2>&1

tag=none
w=13,7M,23,14M
devs=nvme,ivshmem,esb
read -r cmdline </proc/cmdline
for arg in $cmdline; do
	case $arg in
	e2e_tag=*) tag=${arg#e2e_tag=} ;;
	e2e_w=*) w=${arg#e2e_w=} ;;
	e2e_devs=*) devs=${arg#e2e_devs=} ;;
	esac
done
IFS=, read -r dseed doff iseed ioff <<EOF
$w
EOF
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

has() {	# has DEV: DEV (nvme, ivshmem, esb) is one of those passed through
	case ,$devs, in
	*,$1,*) return 0 ;;
	esac
	return 1
}

uptime_s
read -r _ _ release _ </proc/version
note "L2 kernel $release, tag $tag, init started at uptime $up"

# The rig's L2 kernel (scripts/l2-kernel.config) has them built in.
[ -d /sys/bus/pci/drivers/nvme ] && [ -d "/sys/bus/pci/drivers/i6300ESB timer" ]
e2e $? "the nvme and i6300esb drivers are registered (built in)"

# wait_for MAX TEST...: until [ TEST ] holds, checked each second, at
# most MAX seconds; its status, and the seconds waited in $i.
wait_for() {
	max=$1
	shift
	i=0
	while ! [ "$@" ] && [ $i -lt "$max" ]; do
		sleep 1
		i=$((i + 1))
	done
	[ "$@" ]
}

if has nvme; then
	wait_for 60 -b /dev/nvme0n1
	e2e $? "nvme probed, /dev/nvme0n1 present (${i}s)"
fi

# Shell builtins where a loop would fork: every exec is slow in here.
ivshmem=
if has ivshmem; then
	for d in /sys/bus/pci/devices/*; do
		read -r vendor <"$d/vendor"
		read -r device <"$d/device"
		[ "$vendor" = 0x1af4 ] && [ "$device" = 0x1110 ] && ivshmem=$d
	done
	[ -n "$ivshmem" ]
	e2e $? "ivshmem (1af4:1110) found at ${ivshmem##*/}"
fi
# No driver enables it: its BARs are in QEMU's flat view only from here.
[ -z "$ivshmem" ] || echo 1 >"$ivshmem/enable"

if has esb; then
	wait_for 30 -c /dev/watchdog
	e2e $? "i6300esb probed, /dev/watchdog present (${i}s)"
fi
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

	# IntrMask (BAR0 offset 0) keeps what is stored in it.
	got=$(e2e_ivshmem reg "$ivshmem/resource0" 0 0x5a5a)
	e2e $? "ivshmem: BAR0 IntrMask reads back 0x5a5a through a mapping of its page (read $got)"
fi

if [ -c /dev/watchdog ]; then
	# Each write pings; "V" before the close stops the timer.
	{ printf 1 && sleep 1 && printf 2 && sleep 1 && printf V; } >/dev/watchdog
	e2e $? "i6300esb: /dev/watchdog opened, pinged twice, stopped by the magic close"
	dmesg | grep -i -E 'i6300esb|watchdog' | tail -n 3 | sed 's/^/E2E # dmesg: /'
fi

if [ -n "$ivshmem" ]; then
	uptime_s
	note "BAR2 sweep: mapped at uptime $up, waiting for L1"
	e2e_ivshmem sweep "$ivshmem/resource2" /dev/ttyS1
	e2e $? "ivshmem: BAR2 swept, one read per 4 KiB page, paced by L1"
fi

dmesg | awk '/nvme|vfio|BUG|WARNING|Oops/ && n++ < 20 { print "E2E # dmesg: " $0 }'
finish
