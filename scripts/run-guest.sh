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
#            rom: the ROM guest below (x86 only).
#            system: the Debian 13 root of scripts/system.sh, booted as
#            a system (x86 only; see boot_system).
#
# With BARMAP_ARCH=arm64, the arm64 guest instead: qemu-system-aarch64
# -M virt with GICv3 (an ITS, which type1 needs) and SMMUv3, the kernel
# BARMAP_KERNEL (scripts/arm64-kernel.sh's Image, 64 KiB pages, or
# Debian's arm64-16k vmlinuz, see BARMAP_ARM64_PAGES below), TAP on
# a virtio console (hvc0: virt has one PL011, the kernel console).  No
# firmware: Linux assigns the BARs itself and packs them, 64-bit BARs in
# the high window by decreasing alignment.  Devices: an nvme (16 KiB
# BAR0, a sub-page BAR here, and a 1 MiB CMB in BAR2), ivshmem (256-byte
# BAR0, 1 GiB BAR2), a second nvme as the first one's neighbour, and a
# pci-serial and an rtl8139 that share an IOMMU group: on x86 they sit
# behind a PCIe-to-PCI bridge, but 6.12's arm-smmu-v3 cannot attach two
# devices with one aliased StreamID ("stream 32 already in tree"), so
# here they are two functions of one device without ACS.  The rtl8139's
# 256-byte BAR1 gets a 64 KiB page of its own (resource_alignment=16@,
# which resizes it) so that it does not share ivshmem BAR0's page.  The
# storm rebinds the neighbour nvme and the rtl8139 (barmap_others).  No
# bridge: its 256-byte SHPC BAR0 (64-bit) would land in the nvme BAR0's
# page, and resource_alignment= would give it a whole page, so the
# probe-failure test, which needs a sub-page bridge BAR alone in its
# page, reports SKIP here.
#   PROFILE  exclusive: resource_alignment=16@ the neighbour too, so the
#            nvme BAR0 that follows it is alone in its page; shared: the
#            kernel's own placement of the nvmes, BAR0 and its
#            neighbour's packed into one 64 KiB page.  ivshmem BAR0 is
#            alone in its page in both.
#
# On x86, outside the matrix, an SR-IOV PF at 08.0: QEMU 7.2's nvme
# emulates SR-IOV (one VF, which appears at 08.1) only in an NVMe
# subsystem and with flexible queue and interrupt resources, the least
# its checks accept: sriov_vq_flexible >= 2 per VF, max_ioqpairs >=
# sriov_vq_flexible + 2, sriov_vi_flexible >= 1 per VF, msix_qsize >=
# sriov_vi_flexible + 1.  On the root bus (a Root Complex Integrated
# Endpoint), no root port needed; it has no disk and keeps SeaBIOS's
# placement in both profiles.
#
# The x86 matrix's virtio-rng-pci (0a.0, modern only) has a BAR made of
# MSI-X alone, as every virtio-pci device and many NICs have: its 4 KiB
# BAR1 holds the table and the PBA and nothing else.
#
# The PCIe-to-PCI bridge (07.0) hot-plugs through its SHPC, not ACPI
# (acpi-pci-hotplug-with-bridge-support=off): the guest's shpchp then configures
# a hot-added device with pci_assign_unassigned_bridge_resources(), whose second
# try releases the bridge's window and everything in it when the device does not
# fit (vfio_pci_barmap_hotadd_test, through the monitor below).  The guest keeps
# shpchp off the bridge until that test.
#
# And a second ivshmem (0b.0, outside the matrix) with a 2 GiB BAR2, where a
# mapping holds a PUD entry past its start: vfio_pci_barmap_fault_test moves
# part of it.
#
# The rom profile boots another x86 guest, through UEFI (OVMF), with two devices
# that carry iPXE option ROMs: an rtl8139, whose ROM BAR Linux assigns, and an
# ne2k_pci (an I/O BAR and its ROM, nothing else), whose ROM BAR Linux cannot
# place: resource_alignment=31@ without "noresize" grows each of its memory
# resources, the ROM its only one, to 2 GiB, and a 32-bit ROM BAR of 2 GiB fits
# nowhere, so the PCI core gives it up (flags cleared).  OVMF read that ROM and
# the kernel's EFI stub handed it over (SETUP_PCI): the device has a platform
# ROM (pdev->rom) and no ROM BAR, where each kernel's vfio-pci-core answers ROM
# region info by its own rule (6.12 and 6.1: no ROM; 7.x: the platform ROM).
# Only vfio_pci_barmap_differential_test runs there (the VFIO basics and the
# region info of every index against stock vfio-pci).
#
# BARMAP_KERNEL: the x86 kernel image when it is not /boot/vmlinuz-KVER
# (Debian's 7.x as make deps unpacks it, the debug kernel
# of scripts/rig-kernel.sh).  BARMAP_APPEND: more of its command line
# (barmap_label=, for one: test.sh's DKMS lane).  BARMAP_APPEND_FIRST: more,
# on the first boot only (scripts/bite.sh).  An oops panics the
# guest (oops=panic): a crashed test ends the boot at once, not at the
# timeout.
#
# BARMAP_MODE=peer (scripts/guest-peer.sh: upstream's VFIO selftests on
# both drivers) adds an igb at 09.0, the device upstream's selftest
# library has a DMA driver for.  QEMU emulates igb since 8.0: that guest
# runs under a Debian 13 QEMU, BARMAP_QEMU_ROOT (scripts/roots.sh),
# chrooted in a private mount namespace with OUTDIR on the root's /tmp
# (the kernel and initrd are copied there).
#
# A guest that does not finish within BARMAP_GUEST_TIMEOUT seconds (1200
# by default: generous, so that only a hang reaches it), or that
# ends without its completion marker, yields a "not ok" line; a guest that
# dies before barmap-vfio-pci is loaded is the rig's fault and is retried
# once.

set -eu
. "$(dirname "$0")/lib.sh"

[ $# -eq 3 ] || die "usage: $0 PROFILE INITRD OUTDIR"
profile=$1 initrd=$2 out=$3
: "${KVER:?KVER not set}"
: "${BARMAP_GUEST_TIMEOUT:=1200}"
: "${BARMAP_BOOT_TIMEOUT:=300}"
: "${BARMAP_MODE:=test}"
: "${BARMAP_ARCH:=x86_64}"

# BARMAP_ARM64_PAGES: the arm64 kernel's page size, 64k (our own
# build) or 16k (Debian's arm64-16k).  With 16 KiB pages each nvme's
# 16 KiB BAR0 fills a page of its own in both profiles: the nvme has no
# sub-page BAR and nothing is refused ("none").
: "${BARMAP_ARM64_PAGES:=64k}"
case $BARMAP_ARCH/$profile/$BARMAP_ARM64_PAGES in
x86_64/exclusive/*) extra= ;;
x86_64/shared/*) extra="pci=resource_alignment=9@0000:00:04.0;9@0000:00:05.0;9@0000:00:06.0" ;;
x86_64/rom/*) extra="pci=resource_alignment=31@0000:00:06.0 barmap_matrix=0000:00:05.0=rtl8139,0000:00:06.0=ne2k" ;;
x86_64/system/*)
	: "${BARMAP_SYSTEM_ROOT:?BARMAP_SYSTEM_ROOT not set (scripts/system.sh)}"
	extra= ;;
x86_64/zoo-*/* | arm64/zoo-*/*)
	: "${BARMAP_ZOO_PLAN:?BARMAP_ZOO_PLAN not set (scripts/zoo.sh plan)}"
	zoo_line=$(sed -n "${profile#zoo-}p" "$BARMAP_ZOO_PLAN")
	[ -n "$zoo_line" ] || die "no guest ${profile#zoo-} in $BARMAP_ZOO_PLAN"
	extra="barmap_matrix=$(echo "$zoo_line" | cut -f1)" ;;
arm64/exclusive/*) extra="pci=resource_alignment=16@0000:00:03.0;16@0000:00:05.1" ;;
arm64/shared/64k) extra="pci=resource_alignment=16@0000:00:05.1 barmap_refused=0000:00:01.0" ;;
arm64/shared/16k) extra="pci=resource_alignment=16@0000:00:05.1 barmap_refused=none" ;;
*) die "unknown profile $profile for $BARMAP_ARCH" ;;
esac
case $BARMAP_ARM64_PAGES in
64k) arm64_subpage=0000:00:01.0=nvme,0000:00:02.0=ivshmem ;;
16k) arm64_subpage=0000:00:02.0=ivshmem ;;
*) die "BARMAP_ARM64_PAGES: 64k or 16k, not $BARMAP_ARM64_PAGES" ;;
esac
# What the selftests are to expect of this kernel (lib.sh's rig_expect).
case $BARMAP_ARCH in
arm64) expect=$(rig_expect "$KVER" arm64 $((${BARMAP_ARM64_PAGES%k} * 1024))) ;;
*) expect=$(rig_expect "$KVER" x86_64 4096) ;;
esac

mkdir -p "$out"
# The nvme's scratch disk, opened without image locking (file.locking=off):
# a retry after a guest stopped at the boot bound may start before that
# QEMU has let the image go, and would fail on the lock.
disk=$out/nvme.img
[ -f "$disk" ] || dd if=/dev/zero of="$disk" bs=1M count=8 status=none

boot_arm64() {
	: "${BARMAP_KERNEL:?BARMAP_KERNEL not set}"
	kernel=$BARMAP_KERNEL guest_initrd=$initrd
	if [ -n "${BARMAP_QEMU_ROOT:-}" ]; then
		cp "$kernel" "$out/Image" && cp "$initrd" "$out/initrd.gz" || return 1
		kernel=$out/Image guest_initrd=$out/initrd.gz
	fi
	arm64_append="console=ttyAMA0 quiet oops=panic panic=-1 barmap_profile=$profile barmap_mode=$BARMAP_MODE barmap_tty=hvc0 barmap_label=arm64-$BARMAP_ARM64_PAGES"
	case $profile in
	zoo-*)
		# The zoo's devices (scripts/zoo.sh), under the QEMU that
		# listed them; one CPU, as the x86 zoo guests.
		if [ -z "${BARMAP_QEMU_ROOT:-}" ]; then
			echo "# zoo profile: BARMAP_QEMU_ROOT's QEMU, which listed the devices" >&2
			return 1
		fi
		smp=1 mem=2G,slots=2,maxmem=8G
		devices=$(echo "$zoo_line" | cut -f2) ;;
	*)
		smp=2 mem=2G
		arm64_append="$arm64_append barmap_matrix=0000:00:01.0=nvme,0000:00:02.0=ivshmem barmap_subpage_devs=$arm64_subpage barmap_others=0000:00:03.0,0000:00:05.1"
		devices="-drive file=$(qemu_path "$disk"),if=none,id=d0,format=raw,file.locking=off
			-device nvme,serial=barmap0,drive=d0,cmb_size_mb=1,addr=01.0
			-object memory-backend-ram,id=m1,size=1G,share=on
			-device ivshmem-plain,memdev=m1,addr=02.0
			-device nvme,serial=barmap1,addr=03.0
			-device pci-serial,multifunction=on,addr=05.0
			-device rtl8139,addr=05.1" ;;
	esac
	# shellcheck disable=SC2086 # devices is words
	qemu_arm64 -accel tcg -cpu max \
		-M virt,gic-version=3,iommu=smmuv3 \
		-m $mem -smp $smp -nodefaults -display none -no-reboot \
		-kernel "$(qemu_path "$kernel")" -initrd "$(qemu_path "$guest_initrd")" \
		-append "$arm64_append $expect $extra${BARMAP_APPEND:+ $BARMAP_APPEND}$(first_append)" \
		$devices \
		-device virtio-serial-device,id=tapbus \
		-chardev stdio,id=tap -device virtconsole,chardev=tap,bus=tapbus.0 \
		-serial "file:$(qemu_path "$out/$profile.console")" \
		</dev/null 2>"$out/$profile.qemu.err" |
		stdbuf -oL tr -d '\r' >"$out/$profile.tap"
}

# boot_rom: the rom profile's guest (see the top), firmware and variables
# from Debian's ovmf, the variables copied (OVMF writes them); boot()
# sets kernel, guest_initrd and x86_append.
boot_rom() {
	# OVMF's files are the host's: a chrooted QEMU would not find them.
	if [ -n "${BARMAP_QEMU_ROOT:-}" ]; then
		echo "# rom profile: the host's QEMU only, not BARMAP_QEMU_ROOT's" >&2
		return 1
	fi
	ovmf=/usr/share/OVMF
	cp "$ovmf/OVMF_VARS_4M.fd" "$out/$profile.vars.fd" || return 1
	qemu_x86 -accel tcg,thread=single -cpu max -M q35 \
		-m 2G -smp 2 -nodefaults -display none -no-reboot \
		-drive "if=pflash,format=raw,readonly=on,file=$ovmf/OVMF_CODE_4M.fd" \
		-drive "if=pflash,format=raw,file=$(qemu_path "$out/$profile.vars.fd")" \
		-kernel "$(qemu_path "$kernel")" -initrd "$(qemu_path "$guest_initrd")" \
		-append "$x86_append" \
		-device intel-iommu \
		-device rtl8139,addr=05.0 \
		-device ne2k_pci,addr=06.0 \
		-serial "file:$(qemu_path "$out/$profile.console")" -serial stdio \
		</dev/null 2>"$out/$profile.qemu.err" |
		stdbuf -oL tr -d '\r' >"$out/$profile.tap"
}

# boot_zoo: a zoo guest (scripts/zoo.sh): SeaBIOS, the IOMMU, and the
# devices of line N of the plan for profile zoo-N, under the QEMU whose
# -device help listed them (BARMAP_QEMU_ROOT); boot() sets kernel,
# guest_initrd and x86_append.
boot_zoo() {
	if [ -z "${BARMAP_QEMU_ROOT:-}" ]; then
		echo "# zoo profile: BARMAP_QEMU_ROOT's QEMU, which listed the devices" >&2
		return 1
	fi
	# One CPU: the zoo's tests are single-threaded, and a second vCPU
	# under thread=single made a guest take 75 s instead of 59.
	# shellcheck disable=SC2046 # the plan's arguments are words
	qemu_x86 -accel tcg,thread=single -cpu max -M q35 \
		-m 2G,slots=2,maxmem=8G -smp 1 -nodefaults -display none -no-reboot \
		-kernel "$(qemu_path "$kernel")" -initrd "$(qemu_path "$guest_initrd")" \
		-append "$x86_append" \
		-device intel-iommu \
		$(echo "$zoo_line" | cut -f2) \
		-serial "file:$(qemu_path "$out/$profile.console")" -serial stdio \
		</dev/null 2>"$out/$profile.qemu.err" |
		stdbuf -oL tr -d '\r' >"$out/$profile.tap"
}

# boot_system: the Debian 13 root of scripts/system.sh booted as a
# system: its directory BARMAP_SYSTEM_ROOT shared over 9p (mount tag
# "root", mounted by the initramfs, systemd as init), the matrix's nvme,
# ivshmem, rtl8139 and i6300esb at their addresses; boot() sets kernel,
# guest_initrd and x86_append.  -no-reboot: the system's reboot ends
# QEMU, and the rig boots it again (the next boot, maybe another kernel).
# The i6300esb's timer is the nested guest's to start and stop (libvirt's
# domain, scripts/system-check.sh), as in make e2e: if it ever fires,
# this QEMU does nothing (-action watchdog=none).  On 2026-12-05, on a
# loaded host, the nested guest's open, two pings a second apart and
# magic close of /dev/watchdog outlasted the timer, and the reset it
# asked for ended the whole boot.
boot_system() {
	qemu_x86 -accel tcg,thread=single -cpu max -M q35 \
		-m 2G -smp 1 -nodefaults -display none -no-reboot \
		-action watchdog=none \
		-kernel "$(qemu_path "$kernel")" -initrd "$(qemu_path "$guest_initrd")" \
		-append "$x86_append" \
		-device intel-iommu \
		-fsdev "local,id=rootfs,path=$BARMAP_SYSTEM_ROOT,security_model=passthrough,multidevs=remap" \
		-device virtio-9p-pci,fsdev=rootfs,mount_tag=root,addr=02.0 \
		-drive "file=$(qemu_path "$disk"),if=none,id=d0,format=raw,file.locking=off" \
		-device nvme,serial=barmap0,drive=d0,addr=03.0 \
		-object memory-backend-ram,id=m1,size=1G,share=on \
		-device ivshmem-plain,memdev=m1,addr=04.0 \
		-device rtl8139,addr=05.0 \
		-device i6300esb,addr=06.0 \
		-serial "file:$(qemu_path "$out/$profile.console")" -serial stdio \
		</dev/null 2>"$out/$profile.qemu.err" |
		stdbuf -oL tr -d '\r' >"$out/$profile.tap"
}

# first_append: " BARMAP_APPEND_FIRST" on the first boot only, nothing
# on a retry: scripts/bite.sh's module that fails on the first boot and
# not on the second (a retry must never hide it).
first_append() {
	if [ "${attempt:-1}" = 1 ] && [ -n "${BARMAP_APPEND_FIRST:-}" ]; then
		echo " $BARMAP_APPEND_FIRST"
	fi
}
# qemu_x86 ARGS...: the host's qemu-system-x86_64, or BARMAP_QEMU_ROOT's
# chrooted, where paths under OUTDIR are /tmp/... (see qemu_path); at
# most BARMAP_GUEST_TIMEOUT seconds.  qemu_arm64 the same with
# qemu-system-aarch64.
qemu_x86() {
	qemu_system qemu-system-x86_64 "$@"
}
qemu_arm64() {
	qemu_system qemu-system-aarch64 "$@"
}
qemu_system() {
	qs_bin=$1
	shift
	if [ -z "${BARMAP_QEMU_ROOT:-}" ]; then
		timeout -k 10 "$BARMAP_GUEST_TIMEOUT" "$qs_bin" "$@"
		return
	fi
	timeout -k 10 "$BARMAP_GUEST_TIMEOUT" \
	unshare --mount --propagation private sh -c '
		r=$1 o=$2
		shift 2
		mount --bind "$o" "$r/tmp" &&
			mount -t proc proc "$r/proc" &&
			mount --bind /dev "$r/dev" &&
			exec chroot "$r" "$@"' \
		sh "$BARMAP_QEMU_ROOT" "$out" "$qs_bin" "$@"
}
# qemu_path FILE: FILE as qemu_x86's QEMU sees it.
qemu_path() {
	if [ -z "${BARMAP_QEMU_ROOT:-}" ]; then
		echo "$1"
	else
		echo "/tmp/${1#"$out"/}"
	fi
}

# The x86 guest's QEMU monitor, on the pipes $mon.in and $mon.out (its output
# kept in $out/$profile.monitor), takes device_add for the guest: a line
# "barmap-hotadd: ARGS" on the guest's console (ttyS0, written to its file
# unbuffered) asks for "device_add ARGS", once per line, in order
# (vfio_pci_barmap_hotadd_test).  QEMU opens both pipes read-write, so neither
# side blocks on the other; monitor_stop ends the watcher after the boot, and it
# ends by itself when this script is gone.
hotadd_watch() {	# hotadd_watch CONSOLE-FILE MONITOR-IN
	hw_done=0
	# Only whole lines: the tty ends each with \r\n, a line still being
	# written has no \r yet.
	hw_cr=$(printf '\r')
	while kill -0 $$ 2>/dev/null; do
		hw_i=0
		for hw_args in $(sed -n "s/^barmap-hotadd: \([A-Za-z0-9=,._-]*\)$hw_cr\$/\1/p" \
			"$1" 2>/dev/null); do
			hw_i=$((hw_i + 1))
			[ $hw_i -gt $hw_done ] || continue
			echo "device_add $hw_args" >"$2"
			hw_done=$hw_i
		done
		sleep 1
	done
}
monitor_start() {
	mon=$out/$profile.mon
	rm -f "$mon.in" "$mon.out"
	mkfifo "$mon.in" "$mon.out"
	: >"$out/$profile.console"
	cat "$mon.out" >"$out/$profile.monitor" &
	mon_cat=$!
	hotadd_watch "$out/$profile.console" "$mon.in" &
	mon_watch=$!
}
monitor_stop() {
	kill "$mon_watch" "$mon_cat" 2>/dev/null
	wait "$mon_watch" "$mon_cat" 2>/dev/null
	rm -f "$mon.in" "$mon.out"
}

boot() {
	if [ "$BARMAP_ARCH" = arm64 ]; then
		boot_arm64
		return
	fi
	kernel=${BARMAP_KERNEL:-/boot/vmlinuz-$KVER}
	guest_initrd=$initrd
	if [ -n "${BARMAP_QEMU_ROOT:-}" ]; then
		cp "$kernel" "$out/vmlinuz" && cp "$initrd" "$out/initrd.gz" || return 1
		kernel=$out/vmlinuz guest_initrd=$out/initrd.gz
	fi
	# The x86 guests' command line, the rom profile's included.
	x86_append="console=ttyS0 intel_iommu=on quiet oops=panic panic=-1 no_timer_check barmap_profile=$profile barmap_mode=$BARMAP_MODE $expect $extra${BARMAP_APPEND:+ $BARMAP_APPEND}$(first_append)"
	if [ "$profile" = rom ]; then
		boot_rom
		return
	fi
	case $profile in
	zoo-*)
		boot_zoo
		return ;;
	system)
		boot_system
		return ;;
	esac
	peer_devs=
	[ "$BARMAP_MODE" = peer ] && peer_devs="-device igb,addr=09.0"
	monitor_start
	# shellcheck disable=SC2086 # peer_devs is words
	qemu_x86 -accel tcg,thread=single -cpu max -M q35 \
		-m 4G -smp 2 -nodefaults -display none -no-reboot \
		-kernel "$(qemu_path "$kernel")" -initrd "$(qemu_path "$guest_initrd")" \
		-append "$x86_append" \
		-device intel-iommu \
		-drive "file=$(qemu_path "$disk"),if=none,id=d0,format=raw,file.locking=off" \
		-device nvme,serial=barmap0,drive=d0,addr=03.0 \
		-object memory-backend-ram,id=m1,size=1G,share=on \
		-device ivshmem-plain,memdev=m1,addr=04.0 \
		-device rtl8139,addr=05.0 \
		-device i6300esb,addr=06.0 \
		-global ICH9-LPC.acpi-pci-hotplug-with-bridge-support=off \
		-device pcie-pci-bridge,id=br0,addr=07.0 \
		-device pci-serial,bus=br0,addr=01.0 \
		-device rtl8139,bus=br0,addr=02.0 \
		-device nvme-subsys,id=sriov0 \
		-device nvme,serial=barmap-sriov,subsys=sriov0,sriov_max_vfs=1,sriov_vq_flexible=2,sriov_vi_flexible=1,max_ioqpairs=4,msix_qsize=2,addr=08.0 \
		-device virtio-rng-pci,disable-legacy=on,addr=0a.0 \
		-object memory-backend-ram,id=m2,size=2G,share=on \
		-device ivshmem-plain,memdev=m2,addr=0b.0 \
		$peer_devs \
		-monitor "pipe:$(qemu_path "$mon")" \
		-serial "file:$(qemu_path "$out/$profile.console")" -serial stdio \
		</dev/null 2>"$out/$profile.qemu.err" |
		stdbuf -oL tr -d '\r' >"$out/$profile.tap"
	st=$?
	monitor_stop
	return $st
}

# boot_bounded: boot, but a guest that has not printed its rig-ready
# marker (before barmap-vfio-pci is loaded) within BARMAP_BOOT_TIMEOUT
# seconds (300: a boot reaches it in 5 to 60 s under TCG, five times
# that on a loaded machine) is stopped there, like one that died there:
# a boot that hung before printing anything used to cost a whole guest
# timeout.  The TAP file is written line by line (stdbuf) for this.
boot_bounded() {
	boot &
	bb_pid=$!
	bb_t0=$(date +%s)
	while kill -0 $bb_pid 2>/dev/null; do
		grep -q '^# barmap-rig-ready' "$out/$profile.tap" 2>/dev/null && break
		if [ $(($(date +%s) - bb_t0)) -ge "$BARMAP_BOOT_TIMEOUT" ]; then
			echo "# $KVER $profile: no rig-ready marker ${BARMAP_BOOT_TIMEOUT}s after the start; guest stopped" >"$out/$profile.bound"
			pkill -TERM -P $bb_pid 2>/dev/null
			break
		fi
		sleep 2
	done
	wait $bb_pid
}

rm -f "$out/$profile.bound"
for attempt in 1 2; do
	start=$(date +%s)
	boot_bounded || true
	secs=$(($(date +%s) - start))
	if grep -q '^# barmap-rig-ready' "$out/$profile.tap"; then
		break
	fi
	if [ "$attempt" = 1 ]; then
		cat "$out/$profile.bound" 2>/dev/null || true
		echo "# retry: $KVER $profile: guest died before barmap-vfio-pci was loaded (rig, not module); retrying once"
		sed 's/^/#   console: /' "$out/$profile.console" | tail -n 20
	fi
done

cat "$out/$profile.tap"
echo "# $KVER $profile: guest ran ${secs}s"
if ! grep -q '^# barmap-guest-done' "$out/$profile.tap"; then
	echo "not ok - $KVER $profile: guest did not finish (timeout ${BARMAP_GUEST_TIMEOUT}s, crash or boot failure); console tail:"
	# The panic's own line first: its backtrace can push it out of
	# the tail.
	grep -m 1 'Kernel panic - not syncing' "$out/$profile.console" |
		sed 's/^/#   console: /' || true
	sed 's/^/#   console: /' "$out/$profile.console" | tail -n 40
	exit 1
fi
