#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# make e2e: end to end with unmodified VMMs.  One outer guest (L1,
# scripts/e2e-init.sh) on Debian's 7.x kernel gets, per driver, an NVMe
# controller, an ivshmem device with a 1 GiB BAR2, an i6300esb and a
# modern virtio-rng-pci (its BAR1 made of MSI-X alone), binds
# one set to barmap-vfio-pci and the other to stock vfio-pci, and runs each
# QEMU in turn (Debian 12's own from the host root, and Debian 13's and
# trixie-backports' from the roots make deps caches, all shared read-only
# over 9p), once per driver at the same time, each passing its devices
# through to a nested guest (L2, scripts/e2e-l2-init.sh) that drives them
# with its own drivers.  L1 reads each QEMU's flat view and counts the
# faults of its BAR2 mapping while L2 sweeps it.  The host fills each
# NVMe image and ivshmem backing file with known patterns before the
# boot and checks every L2 run's writes in them afterwards.
#
# Prints TAP lines ("ok - e2e/...", "not ok - e2e/...") and "# " comments
# only; exits non-zero if anything failed.  Files go to $BUILD/e2e.
#
# Environment: E2E_TIMEOUT (whole outer guest, default 3600 s), E2E_WAIT
# (each L2 boot inside it, default 900 s; both generous, so that only a
# hang reaches them, never a slow host), E2E_PREBUILT=1 (use the module
# built for Debian's 7.x and the selftests already in $BUILD),
# E2E_QEMUS (default "host trixie backports").

set -eu
here=$(dirname "$0")
. "$here/lib.sh"

: "${BUILD:=$PWD/build}"
mkdir -p "$BUILD/e2e"
BUILD=$(cd "$BUILD" && pwd)
out=$BUILD/e2e
: "${E2E_TIMEOUT:=3600}"
: "${E2E_WAIT:=900}"
: "${E2E_QEMUS:=host trixie backports}"

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

# The module for Debian's 7.x, the selftests (vfio_pci_barmap_regions) and the
# test rig, as make test builds them; build.sh's own TAP lines are only shown
# when a step fails.  E2E_PREBUILT=1 (for make test, which has just built them)
# reuses them.
rel7=$(debian7_rel)
[ -n "$rel7" ] || { tap 1 "Debian's 7.x kernel in $BARMAP_CACHE (run make deps)"; finish; }
module=$BUILD/$rel7/src/compat/tree/drivers/vfio/pci/barmap/barmap-vfio-pci.ko
if [ "${E2E_PREBUILT:-0}" = 1 ]; then
	[ -f "$module" ] && [ -x "$BUILD/guest-bin/vfio_pci_barmap_regions" ] ||
		die "e2e: E2E_PREBUILT=1 but no module for $rel7 or no vfio_pci_barmap_regions under $BUILD"
else
	results=$out/build.tap
	. "$here/build.sh" >&2
	[ "$selftests_built" = 0 ] && build_for_debian7 || built=1
	if [ "$built" != 0 ]; then
		grep -E '^(not ok|#) ' "$results" | while read -r l; do emit "$l"; done
		tap 1 "build the module for $rel7 and the selftests"
		finish
	fi
fi

# The QEMUs, as "NAME ROOT" (ROOT as this host sees it): the host's own
# and the Debian 13 roots of make deps (scripts/debian13.sh).
late_deps_wait | while read -r l; do emit "$l"; done
: >"$out/qemus"
for q in $E2E_QEMUS; do
	case $q in
	host) root=/ ;;
	*) root=$(qemu_root "$q") ;;
	esac
	if [ -z "$root" ]; then
		tap 1 "QEMU root '$q' in $BARMAP_CACHE (run make deps)"
		continue
	fi
	echo "$q $root" >>"$out/qemus"
done

# L1 runs Debian's 7.x, with the drivers under test; L2 (lib.sh's
# l2_build, with its helper e2e_ivshmem, which fills and checks the images
# here too) the rig's L2 kernel from the same linux-source, with the
# drivers of the devices built in and little else: TCG in TCG, a
# kernel's boot costs what it executes, and from QEMU's start Debian's
# reached /init in 228 s under QEMU 7.2, this one in 63 s (two nested
# guests side by side; README, "make e2e").  With 256 MiB and no crypto
# self-tests (e2e-init.sh) Debian's had reached it at uptime 127-136 s
# instead of 202-282 s.
l1initrd=$out/l1-initrd.gz
kroot=$(debian7_root)
if ! l2_build "$out" >"$out/l2.log" 2>&1; then
	sed 's/^/# /' "$out/l2.log" | while read -r l; do emit "$l"; done
	tap 1 "build the nested guest (e2e_ivshmem, L2's vmlinux, its initramfs)"
	finish
fi
if ! BARMAP_KERNEL_ROOT=$kroot sh "$here/e2e-initramfs.sh" l1 "$rel7" \
	"$module" "$BUILD/guest-bin/vfio_pci_barmap_regions" "$l1initrd" \
	>"$out/initramfs.log" 2>&1; then
	sed 's/^/# /' "$out/initramfs.log" | while read -r l; do emit "$l"; done
	tap 1 "build the L1 initramfs"
	finish
fi

# Known contents: the NVMe images are pattern seed 1, the ivshmem backing
# files pattern seed 2 in their first 16 MiB and their last 64 KiB.  Each
# L2 run writes a pattern of its own, at its own offset: "QEMU TAG DSEED
# DOFF ISEED IOFF" in $out/writes, which L1 passes on to L2.
DSIZE=256K ISIZE=64K
: >"$out/writes"
i=0
for q in $(cut -d' ' -f1 "$out/qemus"); do
	for tag in barmap stock; do
		echo "$q $tag $((11 + i)) $((2 + i))M $((21 + i)) $((2 + i))M" >>"$out/writes"
		i=$((i + 1))
	done
done
helper=$out/e2e_ivshmem
for tag in barmap stock; do
	"$helper" gen 1 0 8M >"$out/nvme-$tag.img"
	shm=$out/ivshmem-$tag.bin
	"$helper" gen 2 0 16M >"$shm"
	truncate -s 1G "$shm"
	"$helper" gen 2 $((1024 * 1024 - 64))K 64K |
		dd of="$shm" bs=64K seek=16383 conv=notrunc status=none
done

# boot: the outer guest once; its ttyS1 (TAP) into $out/l1.raw, written
# as it comes so that a guest that hangs before its modules are loaded
# can be told from a slow one.  The i6300esbs' timers are L2's to start
# and stop: if one ever fires, this QEMU does nothing.
boot() {
	timeout -k 10 "$E2E_TIMEOUT" \
	qemu-system-x86_64 -accel tcg,thread=multi -cpu max -M q35 \
		-m 4G -smp 2 -nodefaults -display none -no-reboot \
		-device intel-iommu -action watchdog=none \
		-kernel "$(debian7_vmlinuz)" -initrd "$l1initrd" \
		-append "console=ttyS0 intel_iommu=on quiet panic=-1 no_timer_check tsc=reliable mitigations=off e2e_out=$out e2e_wait=$E2E_WAIT" \
		-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on \
		-drive "file=$out/nvme-barmap.img,if=none,id=d0,format=raw" \
		-device nvme,serial=e2e0,drive=d0,addr=03.0 \
		-object "memory-backend-file,id=m1,size=1G,mem-path=$out/ivshmem-barmap.bin,share=on" \
		-device ivshmem-plain,memdev=m1,addr=04.0 \
		-drive "file=$out/nvme-stock.img,if=none,id=d1,format=raw" \
		-device nvme,serial=e2e1,drive=d1,addr=05.0 \
		-object "memory-backend-file,id=m2,size=1G,mem-path=$out/ivshmem-stock.bin,share=on" \
		-device ivshmem-plain,memdev=m2,addr=06.0 \
		-device i6300esb,addr=07.0 -device i6300esb,addr=08.0 \
		-device virtio-rng-pci,disable-legacy=on,addr=09.0 \
		-device virtio-rng-pci,disable-legacy=on,addr=0a.0 \
		-serial "file:$out/l1.console" -serial stdio \
		</dev/null >"$out/l1.raw" 2>"$out/l1.qemu.err" &
	qpid=$!
	waited=0
	while kill -0 $qpid 2>/dev/null &&
	      ! grep -q '^# e2e-rig-ready' "$out/l1.raw" 2>/dev/null; do
		if [ $waited -ge 180 ]; then
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
	grep -q '^# e2e-rig-ready' "$raw" && break
	if [ "$attempt" = 1 ]; then
		emit "# retry: e2e: outer guest died or hung before barmap-vfio-pci was loaded (rig, not module); retrying once"
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

# What the L2 runs left in the images and in the ivshmem backing files.
while read -r q tag dseed doff iseed ioff; do
	img=$out/nvme-$tag.img shm=$out/ivshmem-$tag.bin
	check "nvme-$tag.img holds the pattern L2 wrote under QEMU $q (seed $dseed at $doff+$DSIZE)" \
		"$helper" check "$img" "$doff" $DSIZE "$dseed"
	check "ivshmem-$tag.bin holds the pattern L2 stored under QEMU $q (seed $iseed at $ioff+$ISIZE)" \
		"$helper" check "$shm" "$ioff" $ISIZE "$iseed"
done <"$out/writes"
for tag in barmap stock; do
	check "nvme-$tag.img: the host pattern outside L2's writes is intact (0+2M)" \
		"$helper" check "$out/nvme-$tag.img" 0 2M 1
	check "ivshmem-$tag.bin: the host pattern outside L2's writes is intact (0+2M)" \
		"$helper" check "$out/ivshmem-$tag.bin" 0 2M 2
done

# A nested boot is retried only when L2 died before its init ran, but
# by then QEMU has opened and mapped the devices: a driver that needed
# more retries than stock vfio-pci, beside it under the same QEMUs, is
# suspect, not the rig.
retries=$(awk '$1 == "#" && $2 == "e2e-duration" { r[$4] += $6 - 1 }
	END { printf "%d %d", r["barmap-vfio-pci"], r["vfio-pci"] }' "$raw")
# Under errexit a failing last test of an && list would end the script
# before its "not ok": the status is taken by an || instead.
st=0
[ -n "$retries" ] && [ "${retries% *}" -le "${retries#* }" ] || st=1
tap $st "nested boots retried no more often under barmap-vfio-pci than under vfio-pci (retries: ${retries% *} and ${retries#* })"

# Summary: QEMU versions, L2 run times, what QEMU mapped, direct bytes
# per BAR and the BAR2 sweep's faults, per QEMU and driver.
emit "# e2e summary:"
for f in qemu duration map direct sweep; do
	sed -n "s/^# e2e-$f /# e2e summary: $f: /p" "$raw" |
		while read -r l; do emit "$l"; done
done
emit "# e2e summary: make e2e took $(($(date +%s) - t0))s"
finish
