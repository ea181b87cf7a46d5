#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# make e2e: end to end with an unmodified VMM.  One outer guest (L1,
# scripts/e2e-init.sh) gets two NVMe controllers and two ivshmem devices,
# binds one of each to barmap-vfio-pci and the other two to stock
# vfio-pci, and runs the distribution's QEMU (from the host root, shared
# read-only over 9p) once per driver, both at the same time, each passing
# its two devices through to a nested guest (L2, scripts/e2e-l2-init.sh)
# that drives them with its own nvme driver and an mmap of ivshmem BAR2.
# The host fills each NVMe image and ivshmem backing file with known
# patterns before the boot and checks L2's writes in them afterwards.
#
# Prints TAP lines ("ok - e2e/...", "not ok - e2e/...") and "# " comments
# only; exits non-zero if anything failed.  Files go to $BUILD/e2e.
#
# Environment: E2E_TIMEOUT (whole outer guest, default 900 s), E2E_WAIT
# (each L2 boot inside it, default 300 s), E2E_PREBUILT=1 (use the module
# and selftests already built in the tree and $BUILD).

set -eu
here=$(dirname "$0")
. "$here/lib.sh"

: "${BUILD:=$PWD/build}"
mkdir -p "$BUILD/e2e"
BUILD=$(cd "$BUILD" && pwd)
out=$BUILD/e2e
: "${E2E_TIMEOUT:=900}"
: "${E2E_WAIT:=300}"

tapfile=$out/e2e.tap
: >"$tapfile"
emit() {	# emit LINE...: a TAP or comment line to stdout and the record
	for l in "$@"; do
		echo "$l"
		echo "$l" >>"$tapfile"
	done
}

tap() {	# tap STATUS WHAT...
	st=$1
	shift
	if [ "$st" = 0 ]; then emit "ok - e2e/host: $*"; else emit "not ok - e2e/host: $*"; fi
}

check() {	# check WHAT CMD...: a host-side check is one TAP line
	what=$1
	shift
	if "$@" >"$out/check.log" 2>&1; then
		tap 0 "$what"
	else
		tap 1 "$what"
		sed 's/^/# /' "$out/check.log" | while read -r l; do emit "$l"; done
	fi
}

finish() {
	if grep -q '^not ok ' "$tapfile" || ! grep -q '^ok ' "$tapfile"; then
		exit 1
	fi
	exit 0
}

t0=$(date +%s)

# The module, the selftests (vfio_regions) and the test rig, as make test
# builds them; build.sh's own TAP lines are only shown when a step fails.
# E2E_PREBUILT=1 (for make test, which has just built them) reuses them.
if [ "${E2E_PREBUILT:-0}" = 1 ]; then
	: "${KVER:=$(installed_612_kver)}"
	[ -f drivers/vfio/pci/barmap/barmap-vfio-pci.ko ] &&
		[ -x "$BUILD/guest-bin/vfio_regions" ] ||
		die "e2e: E2E_PREBUILT=1 but no module or vfio_regions under $BUILD"
else
	results=$out/build.tap
	. "$here/build.sh" >&2
	if [ "$built" != 0 ]; then
		grep -E '^(not ok|#) ' "$results" | while read -r l; do emit "$l"; done
		tap 1 "build the module and the selftests"
		finish
	fi
fi

# The nested guest's helper: static, -Werror.
if ! gcc -static -O2 -Wall -Werror -o "$out/e2e_ivshmem" \
	selftests/vfio/barmap/e2e_ivshmem.c >"$out/helper.log" 2>&1; then
	sed 's/^/# /' "$out/helper.log" | while read -r l; do emit "$l"; done
	tap 1 "build e2e_ivshmem (gcc -static -O2 -Wall -Werror)"
	finish
fi

l1initrd=$out/l1-initrd.gz
l2initrd=$out/l2-initrd.cpio
if ! { sh "$here/e2e-initramfs.sh" l2 "$KVER" "$out/e2e_ivshmem" "$l2initrd" &&
	sh "$here/e2e-initramfs.sh" l1 "$KVER" \
		drivers/vfio/pci/barmap/barmap-vfio-pci.ko \
		"$BUILD/guest-bin/vfio_regions" "$l1initrd"; } >"$out/initramfs.log" 2>&1; then
	sed 's/^/# /' "$out/initramfs.log" | while read -r l; do emit "$l"; done
	tap 1 "build the L1 and L2 initramfs"
	finish
fi

# Known contents: the NVMe images are pattern seed 1, the ivshmem backing
# files pattern seed 2.  What each L2 run writes (scripts/e2e-l2-init.sh
# holds the same table): tag, NVMe seed and offset, ivshmem seed, offset.
WRITES="barmap-vfio-pci=barmap=11=4M=21=8M vfio-pci=stock=12=6M=22=12M"
DSIZE=256K ISIZE=64K
# Each driver gets its own NVMe controller and ivshmem device, backed by
# its own files: both L2 guests run at the same time.
helper=$out/e2e_ivshmem
for tag in barmap stock; do
	"$helper" gen 1 0 8M >"$out/nvme-$tag.img"
	"$helper" gen 2 0 16M >"$out/ivshmem-$tag.bin"
done

# boot: the outer guest once; its ttyS1 (TAP) into $out/l1.raw, written
# as it comes so that a guest that hangs before its modules are loaded
# can be told from a slow one.
boot() {
	timeout -k 10 "$E2E_TIMEOUT" \
	qemu-system-x86_64 -accel tcg,thread=multi -cpu max -M q35 \
		-m 4G -smp 2 -nodefaults -display none -no-reboot \
		-device intel-iommu \
		-kernel "/boot/vmlinuz-$KVER" -initrd "$l1initrd" \
		-append "console=ttyS0 intel_iommu=on quiet panic=-1 e2e_kver=$KVER e2e_l2initrd=$l2initrd e2e_wait=$E2E_WAIT" \
		-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on \
		-drive "file=$out/nvme-barmap.img,if=none,id=d0,format=raw" \
		-device nvme,serial=e2e0,drive=d0,addr=03.0 \
		-object "memory-backend-file,id=m1,size=16M,mem-path=$out/ivshmem-barmap.bin,share=on" \
		-device ivshmem-plain,memdev=m1,addr=04.0 \
		-drive "file=$out/nvme-stock.img,if=none,id=d1,format=raw" \
		-device nvme,serial=e2e1,drive=d1,addr=05.0 \
		-object "memory-backend-file,id=m2,size=16M,mem-path=$out/ivshmem-stock.bin,share=on" \
		-device ivshmem-plain,memdev=m2,addr=06.0 \
		-serial "file:$out/l1.console" -serial stdio \
		</dev/null >"$out/l1.raw" 2>"$out/l1.qemu.err" &
	qpid=$!
	waited=0
	while kill -0 $qpid 2>/dev/null &&
	      ! grep -q '^# e2e-modules-loaded' "$out/l1.raw"; do
		if [ $waited -ge 120 ]; then
			kill $qpid
			break
		fi
		sleep 1
		waited=$((waited + 1))
	done
	wait $qpid || true
	tr -d '\r' <"$out/l1.raw" >"$raw"
}

raw=$out/l1.out
for attempt in 1 2; do
	start=$(date +%s)
	boot
	secs=$(($(date +%s) - start))
	grep -q '^# e2e-modules-loaded' "$raw" && break
	if [ "$attempt" = 1 ]; then
		emit "# e2e: outer guest died or hung before its modules were loaded (rig, not module); retrying once"
		sed 's/^/#   console: /' "$out/l1.console" | tail -n 20 |
			while read -r l; do emit "$l"; done
	fi
done

grep -E '^(ok|not ok) |^# ' "$raw" | grep -v '^# e2e-' |
	while read -r l; do emit "$l"; done
emit "# e2e: outer guest ran ${secs}s"
if grep -q '^# e2e-l1-done' "$raw"; then
	tap 0 "outer guest finished (timeout ${E2E_TIMEOUT}s)"
else
	tap 1 "outer guest finished (timeout ${E2E_TIMEOUT}s)"
	sed 's/^/#   console: /' "$out/l1.console" | tail -n 40 |
		while read -r l; do emit "$l"; done
	sed 's/^/#   qemu: /' "$out/l1.qemu.err" | tail -n 10 |
		while read -r l; do emit "$l"; done
fi

# What the L2 runs left in the image and in the ivshmem backing file.
for w in $WRITES; do
	# shellcheck disable=SC2046
	set -- $(echo "$w" | tr '=' ' ')
	drv=$1 tag=$2 dseed=$3 doff=$4 iseed=$5 ioff=$6
	img=$out/nvme-$tag.img shm=$out/ivshmem-$tag.bin
	check "nvme-$tag.img holds the pattern L2 wrote under $drv (seed $dseed at $doff+$DSIZE)" \
		"$helper" check "$img" "$doff" $DSIZE "$dseed"
	check "ivshmem-$tag.bin holds the pattern L2 stored under $drv (seed $iseed at $ioff+$ISIZE)" \
		"$helper" check "$shm" "$ioff" $ISIZE "$iseed"
	check "nvme-$tag.img: the host pattern outside L2's writes is intact (0+4M)" \
		"$helper" check "$img" 0 4M 1
	check "ivshmem-$tag.bin: the host pattern outside L2's writes is intact (0+8M)" \
		"$helper" check "$shm" 0 8M 2
done

# Summary: L2 run times and what QEMU mapped, per driver.
emit "# e2e summary:"
sed -n 's/^# e2e-duration \([^ ]*\) \([0-9]*\) \([0-9]*\) \([0-9]*\)$/# e2e summary: \1: L2 run \2s (boot attempt \3, \4s in all)/p' "$raw" |
	while read -r l; do emit "$l"; done
sed -n 's/^# e2e-map /# e2e summary: /p' "$raw" |
	while read -r l; do emit "$l"; done
emit "# e2e summary: make e2e took $(($(date +%s) - t0))s"
finish
