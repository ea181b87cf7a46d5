#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0-only
#
# /init of the outer guest (L1) of the end-to-end test (scripts/e2e.sh).
# Mounts the host's root read-only over 9p and, for barmap-vfio-pci and
# stock vfio-pci at the same time, binds an NVMe controller and an ivshmem
# device to the driver and runs the distribution's QEMU from the host root
# in a chroot, unmodified, with both devices passed through to a nested
# guest (L2, scripts/e2e-l2-init.sh).  While it runs, QEMU's mappings of the
# VFIO device files are compared with the areas the driver advertises.
# TAP on ttyS1 (ttyS0 is the kernel console); powers off at the end.
#
# Command line: e2e_kver=KVER e2e_l2initrd=PATH (as seen from the host
# root) e2e_wait=SECONDS (bound on each L2 run).

/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
exec >/dev/ttyS1 2>&1

kver=
l2initrd=
wait_max=300
read -r cmdline </proc/cmdline
for arg in $cmdline; do
	case $arg in
	e2e_kver=*) kver=${arg#e2e_kver=} ;;
	e2e_l2initrd=*) l2initrd=${arg#e2e_l2initrd=} ;;
	e2e_wait=*) wait_max=${arg#e2e_wait=} ;;
	esac
done

# Each driver has its own NVMe controller and ivshmem device (device
# name, BDF and the BARs QEMU is expected to map), so that both L2 guests
# run at the same time, one per vCPU of this guest.
DEVS_barmap="nvme=0000:00:03.0=0 ivshmem=0000:00:04.0=0,2"
DEVS_stock="nvme=0000:00:05.0=0 ivshmem=0000:00:06.0=0,2"

tap() {	# tap STATUS LABEL WHAT...
	st=$1 label=$2
	shift 2
	if [ "$st" = 0 ]; then echo "ok - e2e/$label: $*"; else echo "not ok - e2e/$label: $*"; fi
}

finish() {
	echo "# e2e-l1-done"
	sync
	poweroff -f
}

echo "# e2e L1: kernel $(uname -r), L2 kernel $kver, L2 initrd $l2initrd"

loaded=0
for m in irqbypass vfio vfio_iommu_type1 vfio-pci-core vfio-pci \
	 barmap-vfio-pci netfs 9pnet 9pnet_virtio 9p; do
	insmod /lib/modules/$m.ko || loaded=1
done
tap $loaded l1 "load vfio, 9p modules and barmap-vfio-pci"
echo "# e2e-modules-loaded"
[ $loaded = 0 ] || finish

# QEMU runs chrooted in the host's root and needs a writable /tmp there
# (L2's console logs): a tmpfs, which hides the host's /tmp, where the
# L2 initrd may be (a checkout under /tmp).  So the initrd is copied
# into that tmpfs first, by way of this guest's own memory.
mkdir -p /host
mount -t 9p -o trans=virtio,version=9p2000.L,ro hostroot /host &&
	[ -f "/host$l2initrd" ] && cp "/host$l2initrd" /l2-initrd &&
	mount -t proc proc /host/proc &&
	mount -t sysfs sysfs /host/sys &&
	mount -t devtmpfs devtmpfs /host/dev &&
	mount -t tmpfs tmpfs /host/tmp &&
	mv /l2-initrd /host/tmp/l2-initrd &&
	[ -x /host/usr/bin/qemu-system-x86_64 ] &&
	[ -f "/host/boot/vmlinuz-$kver" ]
tap $? l1 "host root on /host (9p, read-only) with QEMU, L2 kernel and initrd"
l2initrd=/tmp/l2-initrd

# bind BDF DRIVER, unbind BDF
. /lib/guest-lib.sh

# The loops that wait for L2 fork little: every process started here takes
# emulated CPU time from L2.
alive() {	# alive PID: running and not yet a zombie
	[ -e "/proc/$1/status" ] || return 1
	while read -r key val _; do
		[ "$key" = State: ] || continue
		[ "$val" != Z ]
		return
	done <"/proc/$1/status"
	return 1
}

elapsed() {	# elapsed: seconds since $start into $secs
	read -r up _ </proc/uptime
	secs=$((${up%.*} - start))
}

snapshot_maps() {	# snapshot_maps PID FILE: its vfio-device mappings
	grep vfio-device "/proc/$1/maps" >"$2"
}

log_has() {	# log_has PREFIX: a line of the L2 log starts with PREFIX
	while read -r line; do
		case $line in
		"$1"*) return 0 ;;
		esac
	done <"/host$log"
	return 1
}

# areas FILE REGION: the advertised mmap areas of a region from the
# vfio_regions output in FILE, as "OFFSET SIZE" lines (hex, no 0x): the
# SPARSE_MMAP list, or the whole region when it has MMAP but no list.
areas() {
	line=$(grep "^region $2 " "$1")
	list=$(echo "$line" | sed -n 's/.* cap 1\.1\[\([^]]*\)\].*/\1/p')
	if [ -n "$list" ]; then
		for a in $list; do echo "${a%+*} ${a#*+}"; done
		return
	fi
	set -- $line
	# region N size S offset O flags F ...
	[ $(($8 & 4)) != 0 ] && printf '0 %x\n' $(($4))
}

# decode_maps < MAPS: "REGION OFFSET SIZE" (hex, no 0x) per vfio-device
# mapping; the region index is the file offset >> 40.
decode_maps() {
	while read -r range _perms off _rest; do
		start=${range%-*} end=${range#*-}
		o=$((0x$off))
		printf '%d %x %x\n' $((o >> 40)) $((o & 0xffffffffff)) \
			$((0x$end - 0x$start))
	done
}

# consume FILE LINE: drop the first line equal to LINE from FILE.
consume() {
	awk -v k="$2" '!done && $0 == k { done = 1; next } { print }' "$1" >"$1.new"
	mv "$1.new" "$1"
}

# compare_maps DRIVER TAG STRICT: QEMU's mappings against the advertised
# areas.  STRICT (barmap): every area mapped at exactly its offset and
# size, nothing else mapped.  Otherwise: print what differs, require only
# that each expected BAR is mapped.
compare_maps() {
	drv=$1 tag=$2 strict=$3
	decode_maps </tmp/maps-$tag | sort >/tmp/left-$tag
	ret=0
	for d in $DEVS; do
		name=${d%%=*} rest=${d#*=}
		bdf=${rest%=*} bars=${rest#*=}
		for bar in $(echo "$bars" | tr , ' '); do
			areas /tmp/regions-$tag-$name $bar >/tmp/areas-$tag
			if [ ! -s /tmp/areas-$tag ]; then
				echo "# e2e/$drv: $name BAR$bar: no mmap advertised"
				ret=1
				continue
			fi
			while read -r aoff asize; do
				if grep -q "^$bar $aoff $asize\$" /tmp/left-$tag; then
					echo "# e2e/$drv: $name BAR$bar area 0x$aoff+0x$asize: mapped exactly"
					echo "# e2e-map $drv $name BAR$bar area 0x$aoff+0x$asize mapped 0x$aoff+0x$asize"
					consume /tmp/left-$tag "$bar $aoff $asize"
					continue
				fi
				[ "$strict" = 1 ] && ret=1
				m=$(grep "^$bar " /tmp/left-$tag | head -n 1)
				if [ -n "$m" ]; then
					set -- $m
					echo "# e2e/$drv: $name BAR$bar area 0x$aoff+0x$asize: DIFFERS, QEMU mapped 0x$2+0x$3"
					echo "# e2e-map $drv $name BAR$bar area 0x$aoff+0x$asize mapped 0x$2+0x$3"
					consume /tmp/left-$tag "$m"
				else
					echo "# e2e/$drv: $name BAR$bar area 0x$aoff+0x$asize: NOT MAPPED"
					echo "# e2e-map $drv $name BAR$bar area 0x$aoff+0x$asize mapped none"
					ret=1
				fi
			done </tmp/areas-$tag
		done
	done
	while read -r r o s; do
		echo "# e2e/$drv: unexpected mapping of region $r at 0x$o+0x$s"
		[ "$strict" = 1 ] && ret=1
	done </tmp/left-$tag
	return $ret
}

# boot_l2: one L2 boot under the host's QEMU, the devices passed through.
# Sets ready (0 once L2 reported ready), ready_secs, timedout (1 when QEMU
# had to be killed) and secs; leaves the last snapshot of QEMU's mappings
# of the VFIO device files in /tmp/maps-$tag.
boot_l2() {
	read -r up _ </proc/uptime
	start=${up%.*}
	chroot /host qemu-system-x86_64 -accel tcg -cpu max -M q35 -m 512M \
		-smp 1 -nodefaults -display none -no-reboot \
		-kernel "/boot/vmlinuz-$kver" -initrd "$l2initrd" \
		-append "console=ttyS0 quiet panic=-1 e2e_tag=$tag" \
		-serial "file:$log" \
		$passthrough \
		</dev/null >"/tmp/qemu-$tag.err" 2>&1 &
	pid=$!

	# QEMU maps the BARs when it realizes the devices; keep the first
	# snapshot of its mappings, so that one exists even if L2 is gone
	# by the next look, and take the one that counts once L2 is ready.
	ready=1
	maps=/tmp/maps-$tag
	: >"$maps"
	secs=0
	while alive $pid && [ $secs -lt "$wait_max" ]; do
		[ -s "$maps" ] || snapshot_maps $pid "$maps" 2>/dev/null
		if log_has "E2E ready" 2>/dev/null; then
			snapshot_maps $pid "$maps.ready" 2>/dev/null &&
				[ -s "$maps.ready" ] && cp "$maps.ready" "$maps"
			ready=0
			break
		fi
		sleep 2
		elapsed
	done
	ready_secs=$secs

	while alive $pid && [ $secs -lt "$wait_max" ]; do
		sleep 2
		elapsed
	done
	timedout=0
	if alive $pid; then
		timedout=1
		kill $pid
		sleep 3
		alive $pid && kill -9 $pid
	fi
	wait $pid
	elapsed
}

# run_l2 DRIVER TAG: bind TAG's devices to DRIVER, boot L2 under the
# host's QEMU, record and compare QEMU's BAR mappings, collect L2's
# results.
run_l2() {
	drv=$1 tag=$2
	eval "DEVS=\$DEVS_$tag"
	passthrough=
	ok=0
	for d in $DEVS; do
		name=${d%%=*} rest=${d#*=}
		bdf=${rest%=*}
		bind "$bdf" "$drv"
		st=$?
		passthrough="$passthrough -device vfio-pci,host=$bdf"
		tap $st "$drv" "bind $name ($bdf), driver link is $drv"
		vfio_regions "$bdf" >/tmp/regions-$tag-$name 2>&1
		st=$((st | $?))
		tap $st "$drv" "region info of $name recorded before QEMU opens it"
		[ $st = 0 ] || ok=1
		grep -E '^region [0-5] ' /tmp/regions-$tag-$name | grep -v 'size 0x0 ' |
			sed "s/^/# e2e\/$drv: $name: /"
	done
	[ $ok = 0 ] || return 1

	log=/tmp/l2-$tag.log
	read -r up _ </proc/uptime
	t0=${up%.*}
	for attempt in 1 2 3; do
		boot_l2
		# An L2 that died before its init ran never touched the
		# devices: that is the nested TCG rig, not the driver (about
		# one boot in six oopses early with a garbage EFLAGS under
		# QEMU 7.2 TCG in TCG).  Up to two more tries.
		if [ $ready != 0 ] && [ "$timedout" = 0 ] && [ $attempt != 3 ] &&
		   ! log_has "E2E # L2 kernel"; then
			echo "# e2e/$drv: L2 died ${secs}s after QEMU started, before its init ran (nested TCG rig, not the driver); retrying; its console:"
			tr -d '\r' <"/host$log" | grep -E 'Oops|RIP|EFLAGS|panic' | head -n 6 |
				sed "s@^@# e2e/$drv:   L2 log: @"
			continue
		fi
		break
	done
	tap $ready "$drv" "L2 booted under the host's QEMU and reported ready (${ready_secs}s)"
	tap $timedout "$drv" "L2 powered off within ${wait_max}s"
	read -r up _ </proc/uptime
	total=$((${up%.*} - t0))
	echo "# e2e-duration $drv $secs $attempt $total"
	echo "# e2e/$drv: L2 run took ${secs}s (attempt $attempt, ${total}s with any retry)"

	sed "s/^/# e2e\/$drv: qemu: /" /tmp/qemu-$tag.err | head -n 20
	echo "# e2e/$drv: QEMU's mappings of the VFIO device files:"
	sed "s/^/# e2e\/$drv:   /" /tmp/maps-$tag
	[ -s /tmp/maps-$tag ]
	tap $? "$drv" "QEMU mmapped the VFIO device files"
	if [ "$drv" = vfio-pci ]; then
		compare_maps "$drv" "$tag" 0
		tap $? "$drv" "QEMU mmapped nvme BAR0, ivshmem BAR0 and BAR2 (differences printed, not counted)"
	else
		compare_maps "$drv" "$tag" 1
		tap $? "$drv" "QEMU mmapped every advertised area of nvme BAR0, ivshmem BAR0 and BAR2 at exactly its offset and size, nothing else"
	fi

	tr -d '\r' <"/host$log" >/tmp/l2-$tag.txt
	sed -n 's/^.*E2E ok /ok /p; s/^.*E2E not ok /not ok /p' /tmp/l2-$tag.txt |
		sed -E "s@^(ok|not ok) @\\1 - e2e/$drv: L2: @"
	sed -n 's/^.*E2E # /# /p' /tmp/l2-$tag.txt | sed "s@^# @# e2e/$drv: L2: @"
	grep -q 'E2E done' /tmp/l2-$tag.txt
	tap $? "$drv" "L2 ran all its checks to the end"
	grep -q 'E2E done' /tmp/l2-$tag.txt ||
		tail -n 30 /tmp/l2-$tag.txt | sed "s@^@# e2e/$drv: L2 log: @"
}

# Both drivers at once, each in a subshell of its own (run_l2 keeps its
# state in shell variables); their reports are printed one after the
# other.
(run_l2 barmap-vfio-pci barmap >/tmp/report-barmap 2>&1) &
barmap_pid=$!
(run_l2 vfio-pci stock >/tmp/report-stock 2>&1) &
wait $barmap_pid $!
cat /tmp/report-barmap /tmp/report-stock

bad=$(dmesg | grep -E 'BUG|WARNING|Oops|general protection|refcount_t')
[ -z "$bad" ]
tap $? l1 "dmesg free of BUG/WARNING/Oops/refcount_t"
[ -z "$bad" ] || echo "$bad" | sed 's/^/# dmesg: /'

finish
