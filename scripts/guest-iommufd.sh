# SPDX-License-Identifier: GPL-2.0-only
#
# QEMU 11 with the iommufd backend, sourced by scripts/guest-init.sh in
# mode "peer" after guest-peer.sh (the peer guest runs the rig's debug
# kernel, which has IOMMUFD and the VFIO device cdev; Debian's kernels
# have neither).  trixie-backports' QEMU, unmodified, from the root
# scripts/qemu-bundle.sh appended to the initramfs at /qemu, is started
# with "-object iommufd" and four devices passed through to a guest of
# its own (L2), once bound to barmap-vfio-pci and once to vfio-pci:
#
#   nvme     BAR0 of 16 KiB, MSI-X table and PBA in its last two pages;
#   igb      BAR3 of 16 KiB, MSI-X table in its first page, PBA in its third;
#   virtio   BAR1 of MSI-X alone, BAR4 of 16 KiB;
#   ivshmem  BAR2 of 1 GiB (and a sub-page BAR0, its page shared here).
#
# L2 runs no kernel: SeaBIOS assigns the BARs and enables decoding, and
# QEMU then maps each BAR's mmap areas into the guest and, since 11.0,
# each BAR's dma-buf (one range per area) into the IOAS for P2P; a
# dma-buf the kernel refuses to import costs the BAR its P2P, and QEMU
# only warns.  Read, for both drivers: QEMU's warnings, its dma-buf
# exports and IOAS maps (its trace events vfio_region_dmabuf,
# iommufd_backend_map_dma and iommufd_backend_map_file_dma) and its flat
# view.  barmap must keep every byte of P2P and of direct access that
# stock has (under msix_mmap=1 a BAR holding MSI-X is answered as under
# vfio-pci: Documentation, "What each VMM ends up with"), and add no
# failure or warning.
#
# Uses from guest-init.sh and guest-lib.sh: tap, bind, unbind,
# monitor_cmd, flatview, msix_pages, compare_flatviews, $profile.

iommufd_qemu_root=/qemu
# NAME=BDF=VENDOR:DEVICE, at the addresses scripts/run-guest.sh gives
# the peer guest's devices.
iommufd_devs="nvme=0000:00:03.0=1b36:0010 igb=0000:00:09.0=8086:10c9 virtio=0000:00:0a.0=1af4:1044 ivshmem=0000:00:04.0=1af4:1110"
iommufd_wait=300
iommufd_label="peer/iommufd"

# iommufd_devices_ok: each device present with the expected IDs.
iommufd_devices_ok() {
	for d in $iommufd_devs; do
		rest=${d#*=}
		bdf=${rest%%=*} id=${rest#*=}
		dev=/sys/bus/pci/devices/$bdf
		[ "$(cat "$dev/vendor" 2>/dev/null):$(cat "$dev/device" 2>/dev/null)" = \
		  "0x${id%:*}:0x${id#*:}" ] || { echo "$bdf is not $id"; return 1; }
	done
}

# iommufd_run DRIVER TAG: bind the devices to DRIVER, run QEMU until
# SeaBIOS has assigned every BAR (or $iommufd_wait s), read its monitor
# and stop it.  Leaves /tmp/iommufd-{mon-TAG.log,trace-TAG,err-TAG} and,
# for barmap, its MSI-X pages in /tmp/iommufd-msix.
iommufd_run() {
	args=
	for d in $iommufd_devs; do
		name=${d%%=*} rest=${d#*=}
		bdf=${rest%%=*}
		bind "$bdf" "$1" || { tap 1 "$iommufd_label: bind $bdf to $1"; return 1; }
		# rombar=0: no option ROM for SeaBIOS to run (the igb's).
		args="$args -device vfio-pci,host=$bdf,id=$name,iommufd=iommufd0,rombar=0"
	done
	rm -f /tmp/iommufd-mon-$2.in /tmp/iommufd-mon-$2.out
	mkfifo /tmp/iommufd-mon-$2.in /tmp/iommufd-mon-$2.out
	: >/tmp/iommufd-mon-$2.log
	cat /tmp/iommufd-mon-$2.out >>/tmp/iommufd-mon-$2.log &
	catpid=$!
	# shellcheck disable=SC2086 # args is words
	chroot $iommufd_qemu_root /usr/bin/qemu-system-x86_64 \
		-accel tcg -M q35 -m 64M -nodefaults -display none -no-reboot \
		-object iommufd,id=iommufd0 $args \
		-monitor pipe:/tmp/iommufd-mon-$2 \
		-trace vfio_region_dmabuf -trace iommufd_backend_map_dma \
		-trace iommufd_backend_map_file_dma \
		-trace iommufd_backend_unmap_dma -D /tmp/iommufd-trace-$2 \
		</dev/null >/tmp/iommufd-err-$2 2>&1 &
	iommufd_pid=$!
	read -r up _ </proc/uptime
	start=${up%.*} secs=0 assigned=1
	while alive $iommufd_pid && [ $secs -lt $iommufd_wait ]; do
		sleep 5
		read -r up _ </proc/uptime
		secs=$((${up%.*} - start))
		from=$(grep -c '' /tmp/iommufd-mon-$2.log)
		monitor_cmd /tmp/iommufd-mon-$2 "$iommufd_pid" 'info pci' || continue
		# Every BAR of every device placed: QEMU prints an unplaced
		# one at 0xffffffffffffffff.
		tail -n +$((from + 1)) /tmp/iommufd-mon-$2.log |
			grep -q 'BAR[0-9]: .* at 0x' &&
			! tail -n +$((from + 1)) /tmp/iommufd-mon-$2.log |
			grep -q 'at 0xffffffffffffffff' && { assigned=0; break; }
	done
	# Decoding is enabled right after the BARs are placed.  The view
	# is what the monitor says from here on.
	sleep 5
	from=$(grep -c '' /tmp/iommufd-mon-$2.log)
	monitor_cmd /tmp/iommufd-mon-$2 "$iommufd_pid" 'info pci' &&
		monitor_cmd /tmp/iommufd-mon-$2 "$iommufd_pid" 'info mtree -f'
	fv=$?
	tail -n +$((from + 1)) /tmp/iommufd-mon-$2.log >/tmp/iommufd-view-$2
	[ "$2" = barmap ] && for d in $iommufd_devs; do
		rest=${d#*=}
		msix_pages "${rest%%=*}" "${d%%=*}"
	done >/tmp/iommufd-msix
	monitor_cmd /tmp/iommufd-mon-$2 "$iommufd_pid" quit
	i=0
	while alive $iommufd_pid && [ $i -lt 30 ]; do
		sleep 1
		i=$((i + 1))
	done
	kill $iommufd_pid 2>/dev/null
	wait $iommufd_pid
	kill $catpid 2>/dev/null
	[ $assigned = 0 ] && [ $fv = 0 ]
	tap $? "$iommufd_label: QEMU $iommufd_version with -object iommufd started under $1, SeaBIOS placed every BAR (${secs}s), flat view read"
	sed "s@^@# $iommufd_label: $2: qemu: @" /tmp/iommufd-err-$2 | head -n 20
	for d in $iommufd_devs; do
		rest=${d#*=}
		unbind "${rest%%=*}"
	done
}

# iommufd_dmabufs TAG: QEMU's dma-buf exports, "NAME region N fd F
# OFFSET+SIZE" per range, devices by name (as info pci calls them).
iommufd_dmabufs() {
	sed_args=
	for d in $iommufd_devs; do
		rest=${d#*=}
		sed_args="$sed_args -e s/${rest%%=*}/${d%%=*}/g"
	done
	# shellcheck disable=SC2086 # sed_args is words
	sed -n 's/.*vfio_region_dmabuf Device \([^,]*\), dmabuf fd \(-\{0,1\}[0-9]*\) region \([0-9]*\) .*offset: \(0x[0-9a-f]*\), size: \(0x[0-9a-f]*\).*/\1 region \3 fd \2 \4+\5/p' \
		/tmp/iommufd-trace-$1 | sed $sed_args
}

# iommufd_ranges TAG: "NAME region N RANGES" for each exported BAR (QEMU
# traces a dma-buf once it is made, a line per range).
iommufd_ranges() {
	iommufd_dmabufs "$1" | awk '{ n[$1 " region " $3]++ }
		END { for (k in n) print k, n[k] }' | sort
}

iommufd_suite() {
	if [ ! -x $iommufd_qemu_root/usr/bin/qemu-system-x86_64 ]; then
		echo "ok - rig/$profile: $iommufd_label: QEMU with the iommufd backend # SKIP no QEMU at $iommufd_qemu_root in the initramfs (scripts/qemu-bundle.sh)"
		return
	fi
	if [ ! -c /dev/iommu ]; then
		echo "ok - rig/$profile: $iommufd_label: QEMU with the iommufd backend # SKIP no /dev/iommu: kernel without IOMMUFD"
		return
	fi
	iommufd_devices_ok
	st=$?
	tap $st "$iommufd_label: the devices at the rig's addresses ($iommufd_devs)"
	[ $st = 0 ] || return
	mount --bind /dev $iommufd_qemu_root/dev &&
		mount --bind /sys $iommufd_qemu_root/sys &&
		mount -t proc proc $iommufd_qemu_root/proc &&
		mount --bind /tmp $iommufd_qemu_root/tmp
	st=$?
	tap $st "$iommufd_label: /dev, /sys, /proc and /tmp in QEMU's root"
	[ $st = 0 ] || return
	iommufd_version=$(chroot $iommufd_qemu_root /usr/bin/qemu-system-x86_64 --version |
		sed -n '1s/^QEMU emulator version //p')
	echo "# $iommufd_label: $iommufd_version"
	iommufd_run barmap-vfio-pci barmap
	iommufd_run vfio-pci stock
	for tag in barmap stock; do
		flatview </tmp/iommufd-view-$tag >/tmp/iommufd-fv-$tag
		flatview /tmp/iommufd-trace-$tag </tmp/iommufd-view-$tag >/tmp/iommufd-ioas-$tag
		iommufd_dmabufs $tag | sed "s@^@# $iommufd_label: $tag: dma-buf @"
		grep -c 'iommufd_backend_map_file_dma' /tmp/iommufd-trace-$tag |
			sed "s@^@# $iommufd_label: $tag: IOAS maps of dma-bufs: @"
	done
	# Sub-page BARs: mappable where alone in their page.
	case $profile in
	*/shared) subpage=refused ;;
	*) subpage=reserved ;;
	esac
	compare_flatviews "rig/$profile: $iommufd_label" "flat view" \
		/tmp/iommufd-fv-barmap /tmp/iommufd-fv-stock /tmp/iommufd-msix $subpage
	compare_flatviews "rig/$profile: $iommufd_label" IOAS \
		/tmp/iommufd-ioas-barmap /tmp/iommufd-ioas-stock /tmp/iommufd-msix $subpage
	# P2P through iommufd needs a dma-buf of one range: a BAR importable
	# under stock must be under barmap.
	iommufd_ranges barmap >/tmp/iommufd-ranges-barmap
	iommufd_ranges stock >/tmp/iommufd-ranges-stock
	lost=$(awk 'NR == FNR { b[$1 " " $3] = $4; next }
		$4 == 1 && b[$1 " " $3] != 1 { print $1 " region " $3 " (" (b[$1 " " $3] + 0) " ranges)" }' \
		/tmp/iommufd-ranges-barmap /tmp/iommufd-ranges-stock)
	[ -z "$lost" ] && [ -s /tmp/iommufd-ranges-stock ]
	tap $? "$iommufd_label: every BAR whose dma-buf has one range under stock has one under barmap ($(wc -l </tmp/iommufd-ranges-stock) BARs exported under stock, $(wc -l </tmp/iommufd-ranges-barmap) under barmap${lost:+; not: $lost})"
	for tag in barmap stock; do
		grep -i -E 'dma-?buf|P2P' /tmp/iommufd-err-$tag | sed 's/0000:00:[0-9a-f.]*//g' |
			sort -u >/tmp/iommufd-warn-$tag
	done
	extra=$(grep -v -x -F -f /tmp/iommufd-warn-stock /tmp/iommufd-warn-barmap)
	[ -z "$extra" ] && [ -f /tmp/iommufd-err-barmap ] && [ -f /tmp/iommufd-err-stock ]
	tap $? "$iommufd_label: no dma-buf or P2P warning of QEMU under barmap that vfio-pci has not ($(grep -c . /tmp/iommufd-warn-barmap) and $(grep -c . /tmp/iommufd-warn-stock))"
	[ -z "$extra" ] || echo "$extra" | sed "s@^@# $iommufd_label: barmap only: @"
}

iommufd_suite
