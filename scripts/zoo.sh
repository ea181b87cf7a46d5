#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The zoo: every PCI device model the trixie-backports QEMU (the root
# make deps caches) lists, each asked the same questions under stock
# vfio-pci and barmap-vfio-pci in a guest of the zoo profile
# (scripts/guest-init.sh, vfio_pci_barmap_differential_test's answers_* tests).
#
# Usage: zoo.sh plan OUTDIR [x86_64|aarch64]
#   Lists QEMU's PCI devices (-device help), starts each alone with the
#   arguments zoo_args gives it (stopped before the first instruction),
#   and packs those that start into guests of up to $zoo_slots devices
#   on the root bus of the machine (q35, or virt for aarch64), each
#   guest started the same way before it is
#   planned (a device that stops a packed guest from starting goes into
#   a later one).  Writes OUTDIR/zoo.devices, one line per listed model
#   ("MODEL<TAB>boot N slot S" or "MODEL<TAB>skip: QEMU's error"), and
#   OUTDIR/zoo.plan, one line per guest ("MATRIX<TAB>QEMU ARGUMENTS",
#   the matrix as guest-init.sh's barmap_matrix= takes it).  The plan
#   is cached under $BARMAP_CACHE/zoo, keyed by the QEMU root, the
#   architecture and this script.
#
# Besides the models with their defaults, shapes added on purpose (the
# SHAPES below): ivshmem BARs of 2 and 4 GiB, an nvme with its MSI-X in
# a BAR of its own, a virtio-gpu with a host-visible memory BAR.

set -eu
here=$(dirname "$0")
. "$here/lib.sh"

if [ $# -lt 2 ] || [ $# -gt 3 ] || [ "$1" != plan ]; then
	die "usage: $0 plan OUTDIR [x86_64|aarch64]"
fi
out=$2 arch=${3:-x86_64}
root=$(qemu_root backports)
[ -n "$root" ] || die "no trixie-backports QEMU root in $BARMAP_CACHE (run make deps)"

# Every zoo guest's machine, as scripts/run-guest.sh boots it, with
# memory hot-plug room for virtio-mem and virtio-pmem, and the slots of
# its root bus the zoo fills: q35's 02.0 to 1e.0 (1f is the LPC
# bridge's), virt's 01.0 to 1f.0.
case $arch in
x86_64)
	ZOO_QEMU=qemu-system-x86_64 zoo_first_slot=2 zoo_slots=29
	ZOO_MACHINE="-M q35 -m 2G,slots=2,maxmem=8G -nodefaults -display none -device intel-iommu" ;;
aarch64)
	ZOO_QEMU=qemu-system-aarch64 zoo_first_slot=1 zoo_slots=31
	ZOO_MACHINE="-M virt,gic-version=3,iommu=smmuv3 -cpu max -m 2G,slots=2,maxmem=8G -nodefaults -display none" ;;
*) die "zoo.sh: x86_64 or aarch64, not $arch" ;;
esac
SHAPES="ivshmem-plain-2g ivshmem-plain-4g nvme-msix-exclusive-bar virtio-gpu-pci-hostmem"

# zoo_args NAME ID: the QEMU arguments of one zoo device, ID naming its
# backends; a model needing no backend takes its defaults.
zoo_args() {
	case $1 in
	nvme) echo "-device nvme,serial=$2" ;;
	nvme-msix-exclusive-bar) echo "-device nvme,serial=$2,msix-exclusive-bar=on" ;;
	virtio-blk-pci | virtio-blk-pci-non-transitional | virtio-blk-pci-transitional)
		echo "-blockdev null-co,node-name=$2 -device $1,drive=$2" ;;
	ivshmem-plain) echo "-object memory-backend-ram,id=$2,size=1M,share=on -device ivshmem-plain,memdev=$2" ;;
	ivshmem-plain-2g) echo "-object memory-backend-ram,id=$2,size=2G,share=on -device ivshmem-plain,memdev=$2" ;;
	ivshmem-plain-4g) echo "-object memory-backend-ram,id=$2,size=4G,share=on -device ivshmem-plain,memdev=$2" ;;
	virtio-gpu-pci-hostmem) echo "-device virtio-gpu-pci,hostmem=256M" ;;
	virtio-9p-pci | virtio-9p-pci-non-transitional | virtio-9p-pci-transitional)
		echo "-fsdev local,id=$2,path=/tmp,security_model=none -device $1,fsdev=$2,mount_tag=$2" ;;
	AC97 | ES1370 | virtio-sound-pci)
		echo "-audiodev none,id=$2 -device $1,audiodev=$2" ;;
	virtio-mem-pci) echo "-object memory-backend-ram,id=$2,size=1G -device virtio-mem-pci,memdev=$2" ;;
	virtio-pmem-pci) echo "-object memory-backend-ram,id=$2,size=128M -device virtio-pmem-pci,memdev=$2" ;;
	# Ports and bridges each need a chassis (and slot) of their own.
	pxb-pcie) echo "-device pxb-pcie,bus_nr=128" ;;
	pci-bridge) echo "-device pci-bridge,chassis_nr=${2#z}" ;;
	pcie-root-port | ioh3420 | xio3130-downstream | cxl-rp | cxl-downstream)
		echo "-device $1,chassis=${2#z},slot=${2#z}" ;;
	*) echo "-device $1" ;;
	esac
}

# zoo_unsafe NAME: why a model that starts may not be in a guest of this
# architecture, or nothing.  On arm64 a read that QEMU answers with a
# bus error is a synchronous external abort, and the guest panics.
zoo_unsafe() {
	case $arch/$1 in
	aarch64/tpci200)
		echo "not booted on arm64: a read of its BARs through the VFIO device file is a synchronous external abort there, and the guest panics in vfio_pci_core_ioread32() under stock vfio-pci" ;;
	esac
}

# zoo_group NAME: models of one group cannot share a guest, though QEMU
# starts them together: two IDE controllers in legacy mode claim the
# same I/O ports, and the second is left without its BARs.
zoo_group() {
	case $1 in
	piix3-ide | piix4-ide) echo legacy-ide ;;
	esac
}

# in_qemu_root CMD...: CMD in the QEMU root, in a mount namespace of its
# own (proc and dev mounted there only).
in_qemu_root() {
	unshare --mount --propagation private sh -c '
		r=$1
		shift
		mount -t proc proc "$r/proc" &&
			mount --bind /dev "$r/dev" &&
			exec chroot "$r" "$@"' sh "$root" "$@"
}

# starts ARGS...: whether QEMU starts with ARGS (stopped before the first
# instruction, then told to quit); if not, its first error line on stdout
# (a warning only where there is nothing else).
starts() {
	# shellcheck disable=SC2086 # ZOO_MACHINE is words
	s_err=$(echo quit | in_qemu_root timeout 60 $ZOO_QEMU -accel tcg \
		$ZOO_MACHINE -S -monitor stdio "$@" 2>&1 >/dev/null) && return 0
	s_st=$?
	echo "$s_err" | grep -v -m 1 -e '^$' -e 'warning:' ||
		echo "$s_err" | grep -m 1 . || echo "exit status $s_st"
	return 1
}

mkdir -p "$BARMAP_CACHE/zoo"
qroot_key=$(basename "$(dirname "$root")")
key=$qroot_key-$arch-$(cksum <"$0" | cut -d' ' -f1)
cache=$BARMAP_CACHE/zoo/$key
mkdir -p "$out"
if [ -f "$cache/zoo.plan" ] && [ -f "$cache/zoo.devices" ]; then
	cp "$cache/zoo.plan" "$cache/zoo.devices" "$out/"
	exit 0
fi
# Which models start alone depends on QEMU and zoo_args only: cached
# apart, keyed by them.
probe_key=$qroot_key-$arch-$({ echo "$ZOO_MACHINE"; sed -n '/^zoo_args() {/,/^}/p' "$0"; } | cksum | cut -d' ' -f1)
probe_cache=$BARMAP_CACHE/zoo/probe-$probe_key

# PCI models as QEMU lists them: name "e1000", bus PCI, desc "...".
models=$(in_qemu_root $ZOO_QEMU -device help |
	sed -n 's/^name "\([^"]*\)", bus PCI\(,.*\)\{0,1\}$/\1/p')
[ -n "$models" ] || die "QEMU in $root lists no PCI device"

if [ ! -f "$probe_cache" ]; then
	for m in $models $SHAPES; do
		# shellcheck disable=SC2046 # zoo_args prints words
		if why=$(starts $(zoo_args "$m" z1)); then
			printf '%s\tstarts\n' "$m"
		else
			printf '%s\tskip: %s\n' "$m" "$why"
		fi
	done >"$probe_cache.tmp"
	mv "$probe_cache.tmp" "$probe_cache"
fi
sed -n 's/	skip: /	skip: QEMU does not start it here: /p' "$probe_cache" \
	>"$out/zoo.devices.tmp"
todo=
for m in $(sed -n 's/	starts$//p' "$probe_cache"); do
	why=$(zoo_unsafe "$m")
	if [ -n "$why" ]; then
		printf '%s\tskip: %s\n' "$m" "$why" >>"$out/zoo.devices.tmp"
	else
		todo="$todo $m"
	fi
done
todo=${todo# }
: >"$out/zoo.log"

# Pack them: a guest takes devices in order until it is full; if it does
# not start, the device QEMU names (else the last one) leaves for a later
# guest (it started alone above) and the next in order takes its place.
# guest_args DEVICE...: sets args, matrix and placed (MODEL:SLOT ...)
# for those devices in slots $zoo_first_slot onwards.
# Slots in $skip stay empty (an SR-IOV PF's VFs take them).  Every
# device names the root bus: QEMU would put it on the last bus created
# (a pxb-pcie's) otherwise.
guest_args() {
	slot=$zoo_first_slot args='' matrix='' placed=''
	for m in "$@"; do
		while case " $skip " in *" $slot "*) true ;; *) false ;; esac; do
			slot=$((slot + 1))
		done
		a=$(zoo_args "$m" "z$slot" | sed "s/-device \([^ ]*\)/-device \1,bus=pcie.0,addr=$(printf %02x $slot).0/")
		args="$args $a" matrix="$matrix,0000:00:$(printf %02x $slot).0=$m"
		placed="$placed $m:$slot"
		slot=$((slot + 1))
	done
}
: >"$out/zoo.plan.tmp"
boot=0
while [ -n "$todo" ]; do
	boot=$((boot + 1))
	in='' tried='' skip=''
	while :; do
		# Fill the guest from todo, in order.
		rest='' groups=''
		for m in $in; do groups="$groups $(zoo_group "$m")"; done
		for m in $todo; do
			g=$(zoo_group "$m")
			if [ $(($(echo $in | wc -w) + $(echo $skip | wc -w))) -lt $zoo_slots ] &&
				case " $groups " in *" ${g:-none} "*) false ;; *) true ;; esac; then
				in="$in $m" groups="$groups $g"
			else
				rest="$rest $m"
			fi
		done
		todo=$rest
		# shellcheck disable=SC2086 # in is words
		guest_args $in
		# shellcheck disable=SC2086 # args is words
		why=$(starts $args) && break
		echo "guest $boot: $why" >>"$out/zoo.log"
		[ "$(echo $in | wc -w)" -gt 1 ] ||
			die "zoo guest $boot: its one device does not start: $why"
		bad=$(echo "$why" | sed -n 's/^[^:]*: -device \([^,]*\),.*addr=\([0-9a-f]*\)\.0.*/\2/p')
		if [ -n "$bad" ]; then
			s=$((0x$bad))
		else
			s=$((slot - 1))
		fi
		# A slot another device's function took stays empty.
		case $why in *"not available for"*"in use by"*) skip="$skip $s" ;; esac
		in=
		for p in $placed; do
			if [ "${p#*:}" = $s ]; then
				tried="$tried ${p%:*}"
			else
				in="$in ${p%:*}"
			fi
		done
	done
	printf '%s\t%s\n' "${matrix#,}" "${args# }" >>"$out/zoo.plan.tmp"
	for p in $placed; do
		printf '%s\tboot %s slot %02x\n' "${p%:*}" $boot "${p#*:}" >>"$out/zoo.devices.tmp"
	done
	todo="$tried $todo"
	todo=${todo# }
	[ -n "${todo% }" ] || todo=
done
mv "$out/zoo.plan.tmp" "$out/zoo.plan"
sort "$out/zoo.devices.tmp" >"$out/zoo.devices"
rm -f "$out/zoo.devices.tmp"
mkdir -p "$cache"
cp "$out/zoo.plan" "$out/zoo.devices" "$cache/"
