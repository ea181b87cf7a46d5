#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0-only
#
# /init of the test guest.  Loads the vfio modules and barmap-vfio-pci,
# records what stock vfio-pci reports for each device of the matrix, binds
# the matrix to barmap-vfio-pci, runs the selftests and prints TAP on
# ttyS1 (ttyS0 is the kernel console).  Ends with a marker line and
# powers off.  The x86 rig (scripts/run-guest.sh) needs no parameter;
# another rig (scripts/run-guest-arm64.sh) says on the kernel command line:
#   barmap_tty=TTY          where TAP goes instead of ttyS1
#   barmap_label=LABEL      TAP label prefix instead of the kernel's major.minor
#   barmap_matrix=BDF=NAME,...   the devices, instead of the x86 matrix
#   barmap_subpage_devs=BDF=NAME,...  those with sub-page BARs
#   barmap_refused=BDF,...  the devices whose sub-page BARs share a page
#                           (default: all in the shared profile, else
#                           none; "none": no device in either)
#   barmap_others=BDF,...   devices outside the matrix, without a driver,
#                           that the storm may rebind (default: the
#                           matrix minus the nvme and ivshmem)

/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t debugfs debugfs /sys/kernel/debug
mount -t tmpfs tmpfs /tmp

profile=exclusive
mode=test
tty=ttyS1
# Matrix: BDF and a short name; addresses are pinned by scripts/run-guest.sh.
MATRIX="0000:00:03.0=nvme 0000:00:04.0=ivshmem 0000:00:05.0=rtl8139 0000:00:06.0=i6300esb 0000:00:0a.0=virtio"
SUBPAGE_DEVS="0000:00:04.0=ivshmem 0000:00:05.0=rtl8139 0000:00:06.0=i6300esb"
# The rig's own kernels (scripts/rig-kernel.sh) are e.g. "7.3-debug".
label=$(uname -r | cut -d. -f1,2)
case $(uname -r) in
*-barmap-*) label=$label-$(uname -r | sed 's/.*-barmap-//') ;;
esac
refused=
others=
bite=
for arg in $(cat /proc/cmdline); do
	case $arg in
	barmap_profile=*) profile=${arg#barmap_profile=} ;;
	barmap_mode=*) mode=${arg#barmap_mode=} ;;
	barmap_tty=*) tty=${arg#barmap_tty=} ;;
	barmap_label=*) label=${arg#barmap_label=} ;;
	barmap_matrix=*) MATRIX=$(echo "${arg#*=}" | tr , ' ') ;;
	barmap_subpage_devs=*) SUBPAGE_DEVS=$(echo "${arg#*=}" | tr , ' ') ;;
	barmap_refused=*) refused=,${arg#*=}, ;;
	barmap_others=*) others=$(echo "${arg#*=}" | tr , " ") ;;
	barmap_expect_faults=*) export BARMAP_EXPECT_FAULTS="${arg#*=}" ;;
	barmap_expect_pmd=*) export BARMAP_EXPECT_PMD="${arg#*=}" ;;
	barmap_expect_pud=*) export BARMAP_EXPECT_PUD="${arg#*=}" ;;
	barmap_expect_pud_split=*) export BARMAP_EXPECT_PUD_SPLIT="${arg#*=}" ;;
	barmap_bite=*) bite="$bite,${arg#*=}" ;;
	esac
done
# Debian's arm64 kernels build virtio-mmio, which carries hvc0 on QEMU's
# virt machine, as a module.  /dev/hvc0 may exist before the console
# behind it does (the hvc driver's nodes come with the driver, which a
# zoo guest's virtio-serial PCI device may load first): opening it then
# fails with ENODEV, so wait until it is there (a redirection would
# create a plain file in its place) and opens, and keep it open on fd 3
# until stdout has it (a last close would tell QEMU the port is gone).
# "command" keeps a failed redirection of exec from ending the shell.
case $tty in
hvc*)
	modprobe virtio_mmio 2>/dev/null
	i=0
	while ! { [ -c "/dev/$tty" ] && command exec 3>"/dev/$tty"; } 2>/dev/null &&
		[ $i -lt 30 ]; do
		sleep 1
		i=$((i + 1))
	done ;;
esac
exec >"/dev/$tty" 2>&1 3>&-

BDFS=
for d in $MATRIX; do BDFS="$BDFS ${d%%=*}"; done
BDFS=${BDFS# }

n=0
tap() {	# tap STATUS NAME...: one TAP line of the rig's own
	st=$1
	shift
	n=$((n + 1))
	if [ "$st" = 0 ]; then echo "ok $n rig/$profile: $*"; else echo "not ok $n rig/$profile: $*"; fi
}

finish() {
	echo "# barmap-guest-done"
	sync
	poweroff -f
}

echo "# barmap guest: kernel $(uname -r), profile $profile"
# TAP labels carry the kernel's major.minor (or the rig's label, e.g.
# arm64-64k): the suite runs on several.
profile="$label/$profile"

# The rig broken on purpose, for scripts/bite.sh only, which shows that
# the suite then fails: barmap_bite=WORD,... on the command line.
#   stock-is-barmap   the stock comparisons (compare, the recorded region
#                     info) run against barmap-vfio-pci
#   rm:PROGRAM        a selftest program missing from the guest
#   modopt:NAME=VAL   an option for barmap-vfio-pci's first load
stock=vfio-pci
bite_modopts=
for w in $(echo "$bite" | tr , ' '); do
	echo "# rig broken on purpose (scripts/bite.sh): $w"
	case $w in
	stock-is-barmap) stock=barmap-vfio-pci ;;
	rm:*) rm -f "/bin/${w#rm:}" ;;
	modopt:*) bite_modopts="$bite_modopts ${w#modopt:}" ;;
	*) tap 1 "barmap_bite: unknown word '$w'" ;;
	esac
done

# What the kernel's configuration gives (scripts/initramfs.sh copied it):
# dma-buf export of BARs (VFIO_DEVICE_FEATURE_DMA_BUF).
if grep -q '^CONFIG_VFIO_PCI_DMABUF=y' /lib/kernel-config; then
	export BARMAP_EXPECT_DMABUF=1
else
	export BARMAP_EXPECT_DMABUF=0
fi

# On a kernel with kmemleak, forget what boot left behind: a report at the
# end then belongs to the tests (scanned after the last rmmod).
kmemleak=/sys/kernel/debug/kmemleak
[ -e $kmemleak ] && echo clear >$kmemleak

# modprobe resolves barmap-vfio-pci's dependencies from the modules.dep
# that depmod wrote for the installed tree (scripts/initramfs.sh).
# The marker goes out before barmap-vfio-pci is loaded: run-guest.sh
# retries only a guest that died before it (the rig's, never the
# module's).
loaded=0
for m in vfio_iommu_type1 vfio-pci; do
	modprobe $m || loaded=1
done
echo "# barmap-rig-ready"
# shellcheck disable=SC2086 # bite_modopts is words
modprobe barmap-vfio-pci $bite_modopts || loaded=1
tap $loaded "modprobe vfio_iommu_type1, vfio-pci and barmap-vfio-pci"
[ $loaded = 0 ] || finish

# bind BDF DRIVER, unbind BDF
. /lib/guest-lib.sh

# The x86 rig's PCIe-to-PCI bridge hot-plugs through its SHPC (run-guest.sh):
# its driver, shpchp, stays off it until vfio_pci_barmap_hotadd_test below, so
# that the bridge is as the other tests expect it, without a driver (the
# probe-failure test reserves around its SHPC BAR).
hp_bridge=
for dev in /sys/bus/pci/devices/*; do
	[ "$(basename "$(readlink "$dev/driver")")" = shpchp ] || continue
	hp_bridge=${dev##*/}
	unbind "$hp_bridge"
	tap $? "unbind shpchp from the bridge $hp_bridge until the hot-add test"
done

# What stock vfio-pci reports, for the comparisons in the selftests.
# In the zoo (scripts/zoo.sh) a device that stock vfio-pci refuses to
# bind (a bridge: vfio-pci takes only normal headers) must be refused
# by barmap-vfio-pci too, and leaves the matrix.
mkdir -p /tmp/stock
refused_by_stock=
for d in $MATRIX; do
	bdf=${d%%=*}
	if ! bind "$bdf" $stock; then
		case $profile in
		*/zoo-*)
			refused_by_stock="$refused_by_stock $d"
			unbind "$bdf"
			continue ;;
		esac
	fi
	vfio_pci_barmap_regions "$bdf" >"/tmp/stock/$bdf" &&
		vfio_pci_barmap_regions --answers "$bdf" >"/tmp/stock/$bdf.answers"
	tap $? "stock vfio-pci region info and answers recorded for ${d#*=}"
	sed "s/^/# stock ${d#*=}: /" "/tmp/stock/$bdf"
	unbind "$bdf"
done
for d in $refused_by_stock; do
	! bind "${d%%=*}" barmap-vfio-pci
	tap $? "${d#*=}: barmap-vfio-pci refuses it as stock vfio-pci does (class $(cat "/sys/bus/pci/devices/${d%%=*}/class"))"
	unbind "${d%%=*}"
	MATRIX=$(echo " $MATRIX " | sed "s| $d | |; s|^ ||; s| \$||")
done

for d in $MATRIX; do
	bind "${d%%=*}" barmap-vfio-pci
	tap $? "bind ${d#*=} (${d%%=*}) to barmap-vfio-pci"
done

if [ "$mode" = demo ]; then
	echo "# BDF           BAR        size  flags capabilities (flags: R read, W write, M mmap)"
	for d in $MATRIX; do
		vfio_pci_barmap_regions --table "${d%%=*}" | sed "s/^/# /"
	done
	for d in $MATRIX; do
		echo "# debugfs ${d%%=*}:"
		sed 's/^/#   /' "$(barmap_debugfs "${d%%=*}" reservations)"
	done
	finish
fi

# run LABEL PROGRAM [ENV=VAL...]: a selftest, its TAP lines labelled as
# they come, then one line of the rig's on whether the program ran its
# whole plan (ksft_verdict): a program that fails to start, dies or
# stops early is a failure even when every line it printed was "ok".
# Its output stays in /tmp/out/LABEL/PROGRAM for compare.  $run_args,
# if set, goes to the program (-t TEST...: some of its tests; then the
# BDFs of the devices, as libvfio's vfio_selftests_get_bdfs() takes
# them, where VFIO_SELFTESTS_BDF cannot say them all).
run_args=
run() {
	label=$1 prog=$2
	shift 2
	read -r up _ </proc/uptime
	echo "# uptime ${up}s: $label $prog"
	o=/tmp/out/$label/$prog
	mkdir -p "${o%/*}"
	# shellcheck disable=SC2086 # run_args is words
	{ env "$@" "$prog" $run_args 2>&1; echo $? >"$o.status"; } | tee "$o" |
		sed -E "s@^(ok|not ok) ([0-9]+) @\\1 \\2 $label: @"
	v=$(ksft_verdict "$prog" "$(cat "$o.status")" "$o")
	tap $? "$label: $prog ran its whole plan ($v)"
}

# compare NAME PROGRAM [ENV=VAL...]: the same selftest against stock
# vfio-pci (bound by the caller), after run "$profile/NAME" PROGRAM ran
# it against barmap-vfio-pci: both drivers' results, test by test, must
# differ exactly where /lib/stock-differences says (stock_differences),
# one TAP line.  $compare_args, if set, goes to the program (e.g. -t
# TEST: one test of it).  The kernel log of each stock run sits between
# two markers: stock vfio-pci's PUD entries meet mremap() as they are
# ("bad pud" on 6.12 and 7.3), and the dmesg scan at the end leaves
# those lines to the comparison.
compare_args=
compare() {
	name=$1 prog=$2
	shift 2
	ours=/tmp/out/$profile/$name/$prog
	o=/tmp/out/stock/$profile/$name/$prog
	mkdir -p "${o%/*}"
	echo "barmap-rig: stock vfio-pci run begins" >/dev/kmsg
	# shellcheck disable=SC2086 # compare_args is words
	env BARMAP_DRIVER=$stock "$@" "$prog" $compare_args >"$o" 2>&1
	sst=$?
	echo "barmap-rig: stock vfio-pci run ends" >/dev/kmsg
	sed -n -E "s@^#.*figures: (.*)@# stock vfio-pci, $name: \\1@p" "$o"
	# The stock run must have run its plan too, or a test it never
	# reached would not count as a difference.
	pv=$(ksft_verdict "$prog" "$sst" "$o")
	pst=$?
	v=$(stock_differences "$profile/$name" "$prog" "$ours" "$o" /lib/stock-differences)
	st=$?
	echo "$v" | sed '$d'
	tap $((st | pst)) "stock vfio-pci, $name: $prog differs from barmap-vfio-pci only as listed ($(echo "$v" | tail -n 1); stock $pv)"
}

# Upstream's VFIO selftests on both drivers (scripts/guest-peer.sh).
if [ "$mode" = peer ]; then
	. /lib/guest-peer.sh
	. /lib/guest-iommufd.sh
	bad=$(dmesg | grep -E 'BUG|WARNING|Oops|general protection|refcount_t|KASAN|INFO: ')
	[ -z "$bad" ]
	tap $? "peer: dmesg free of BUG/WARNING/Oops/refcount_t/KASAN/lockdep reports"
	[ -z "$bad" ] || echo "$bad" | head -n 40 | sed 's/^/# dmesg: /'
	finish
fi

# Outcome of the exclusive-page rule for the sub-page BARs, by profile,
# and by device where the rig says so (barmap_refused=).
case $profile in
*/shared) subpage=refused ;;
*) subpage=reserved ;;
esac
subpage_of() {	# subpage_of BDF
	case $refused in
	"") echo $subpage ;;
	*",$1,"*) echo refused ;;
	*) echo reserved ;;
	esac
}
for d in $MATRIX; do
	case ${d#*=} in
	nvme) NVME=${d%%=*} ;;
	ivshmem) IVSHMEM=${d%%=*} ;;
	esac
	SPARE=${d%%=*}	# the last device: barmap-bind's tests use it
done

if [ "$mode" = bench ]; then
	# Both drivers in the same boot, stock first.
	for drv in vfio-pci barmap-vfio-pci; do
		for d in $MATRIX; do bind "${d%%=*}" $drv; done
		for d in $MATRIX; do
			BARMAP_DRIVER=$drv vfio_pci_barmap_bench "${d#*=}" "${d%%=*}" |
				sed 's/^/# /'
		done
	done
	finish
fi

# run_test NAME BDF: vfio_pci_barmap_differential_test on one device, against
# what stock vfio-pci answered (/tmp/stock), differences held to
# /lib/stock-answers.
run_test() {
	run "$profile/$1" vfio_pci_barmap_differential_test VFIO_SELFTESTS_BDF="$2" BARMAP_REF_DIR=/tmp/stock \
		BARMAP_SUBPAGE="$(subpage_of "$2")" BARMAP_LABEL="$profile/$1" \
		BARMAP_ALLOW_LIST=/lib/stock-answers BARMAP_STOCK_DRIVER=vfio-pci
}

# dmesg_clean: one TAP line, the kernel log free of crash and refcount
# reports, what it found printed.
dmesg_clean() {
	bad=$(dmesg | grep -E 'BUG|WARNING|Oops|general protection|refcount_t')
	[ -z "$bad" ]
	tap $? "dmesg free of BUG/WARNING/Oops/refcount_t reports"
	[ -z "$bad" ] || echo "$bad" | head -n 40 | sed 's/^/# dmesg: /'
}

# The DKMS lane of scripts/test.sh: the module that DKMS built on Debian
# 13 is the only barmap-vfio-pci in this initramfs; its checksum goes to
# the host, which compares it with what DKMS installed.  The matrix is
# bound to it (above); the region test on each device, a clean kernel
# log, and off.
if [ "$mode" = dkms ]; then
	ko=/lib/modules/$(uname -r)/updates/barmap-vfio-pci.ko
	echo "# barmap-vfio-pci module: $(md5sum <"$ko" | cut -d' ' -f1)"
	for d in $MATRIX; do
		run "$profile/${d#*=}" vfio_pci_barmap_region_test VFIO_SELFTESTS_BDF=${d%%=*} \
			BARMAP_SUBPAGE=$(subpage_of ${d%%=*})
	done
	dmesg_clean
	finish
fi

# The zoo profile (scripts/zoo.sh): every PCI device model QEMU lists, a guest's
# share of them.  vfio_pci_barmap_differential_test on each, its answers against
# stock vfio-pci's, a clean kernel log, and off.
case $profile in
*/zoo-*)
	echo "# zoo: $(echo "$MATRIX" | wc -w) devices bound to barmap-vfio-pci:"
	for d in $MATRIX; do
		echo "# zoo: ${d%%=*} ${d#*=} $(cat "/sys/bus/pci/devices/${d%%=*}/vendor"):$(cat "/sys/bus/pci/devices/${d%%=*}/device") class $(cat "/sys/bus/pci/devices/${d%%=*}/class")"
	done
	# The answers, and the two tests they do not cover (the driver
	# bound, config space against sysfs): the others ask again what
	# the answers ask.
	for t in bound_to_expected_driver config_space_matches_sysfs \
		answers_device_info_match_stock answers_config_space_match_stock \
		answers_region_info_match_stock answers_mmap_match_stock \
		answers_mapped_reads_match_stock answers_accesses_past_the_end_match_stock \
		answers_dmabuf_match_stock answers_decode_off_zaps_match_stock \
		answers_reset_match_stock consumers_never_worse_than_stock; do
		run_args="$run_args -t $t"
	done
	for d in $MATRIX; do
		run_test "${d#*=}" "${d%%=*}"
	done
	run_args=
	dmesg_clean
	finish ;;
esac

# The rom profile (scripts/run-guest.sh): an rtl8139 whose ROM BAR is
# assigned, and an ne2k whose ROM BAR the PCI core gave up and whose
# option ROM OVMF handed over as a platform ROM.  The region info tests
# on both, against what stock vfio-pci answered, a clean kernel log,
# and off.
if [ "${profile##*/}" = rom ]; then
	# The premises, or the ne2k's comparison proves nothing: its ROM
	# BAR given up, its ROM handed over by the EFI stub (a SETUP_PCI
	# entry, type 3, for 10ec:8029), and stock vfio-pci answering by
	# the kernel's rule (6.x: no ROM; 7.x: the platform ROM, readable).
	for d in $MATRIX; do
		[ "${d#*=}" = ne2k ] || continue
		rom=$(sed -n 7p "/sys/bus/pci/devices/${d%%=*}/resource")
		[ "$rom" = "0x0000000000000000 0x0000000000000000 0x0000000000000000" ]
		tap $? "rom: the PCI core gave up the ne2k's ROM BAR (resource: $rom)"
		handed=no
		for e in /sys/kernel/boot_params/setup_data/*; do
			[ "$(cat "$e/type" 2>/dev/null)" = 0x3 ] &&
				[ "$(head -c 4 "$e/data" | od -An -tx1 | tr -d ' \n')" = ec102980 ] &&
				handed=yes
		done
		[ $handed = yes ]
		tap $? "rom: the EFI stub handed over the ne2k's option ROM (SETUP_PCI)"
		stock6=$(grep '^region 6 ' "/tmp/stock/${d%%=*}")
		case $(uname -r) in
		6.*) want="region 6 size 0x0 offset 0x60000000000 flags 0x0 caps none" ;;
		*) want="region 6 size 0x* offset 0x60000000000 flags 0x1 caps none reads 0xaa55" ;;
		esac
		# shellcheck disable=SC2254 # want is a pattern
		case $stock6 in $want) st=0 ;; *) st=1 ;; esac
		tap $st "rom: stock vfio-pci answers the ne2k's ROM by this kernel's rule ($stock6)"
	done
	for d in $MATRIX; do
		run_test "${d#*=}" "${d%%=*}"
	done
	dmesg_clean
	finish
fi

# The driver's KUnit suite, on a kernel with KUnit (the rig's debug
# kernel), once per kernel: make install put its module beside the
# driver, where the kernel has KUnit, and loading it runs the suite.
# Its results come from debugfs, a TAP line per case (kunit_results),
# then whether it ran whole.
if grep -q '^CONFIG_KUNIT=y' /lib/kernel-config && [ "${profile##*/}" = exclusive ]; then
	modprobe barmap-layout-kunit
	tap $? "kunit: modprobe barmap-layout-kunit"
	kunit_results "$profile/kunit" </sys/kernel/debug/kunit/barmap_layout/results \
		>/tmp/kunit.tap
	st=$?
	sed '$d' /tmp/kunit.tap
	tap $st "$profile/kunit: barmap_layout ran its whole plan ($(tail -n 1 /tmp/kunit.tap))"
	rmmod barmap-layout-kunit
	tap $? "kunit: rmmod barmap-layout-kunit"
fi

for d in $MATRIX; do
	bdf=${d%%=*} name=${d#*=}
	echo "# device $name $bdf"
	vfio_pci_barmap_regions "$bdf" | sed "s/^/# barmap $name: /"
	run_test "$name" "$bdf"
	run "$profile/$name" vfio_pci_barmap_region_test VFIO_SELFTESTS_BDF=$bdf BARMAP_SUBPAGE=$(subpage_of $bdf)
	run "$profile/$name" vfio_pci_barmap_vmm_test VFIO_SELFTESTS_BDF=$bdf BARMAP_SUBPAGE=$(subpage_of $bdf)
	run "$profile/$name" vfio_pci_barmap_cdev_test VFIO_SELFTESTS_BDF=$bdf
done
run "$profile/nvme" vfio_pci_barmap_argsz_test VFIO_SELFTESTS_BDF=$NVME
# Outside the matrix, x86 only: an ivshmem with a 2 GiB BAR2, where a mapping
# holds PUD entries past its start (vfio_pci_barmap_fault_test's "large").
# outside_matrix VENDOR:DEVICE: the (last) device of that ID that is not in the
# matrix, or nothing.
outside_matrix() {
	found=
	for dev in /sys/bus/pci/devices/*; do
		case " $BDFS " in *" ${dev##*/} "*) continue ;; esac
		[ "$(cat "$dev/vendor"):$(cat "$dev/device")" = "$1" ] &&
			found=${dev##*/}
	done
	echo "$found"
}
LARGE=$(outside_matrix 0x1af4:0x1110)
if [ -n "$LARGE" ]; then
	bind "$LARGE" barmap-vfio-pci
	tap $? "bind the 2 GiB ivshmem $LARGE to barmap-vfio-pci"
fi
# shellcheck disable=SC2086 # the optional assignment is one word or none
run "$profile/ivshmem" vfio_pci_barmap_fault_test VFIO_SELFTESTS_BDF=$IVSHMEM BARMAP_BAR=2 \
	BARMAP_RESET_BDF=$NVME ${LARGE:+BARMAP_LARGE_BDF=$LARGE}
sed 's/^/# faults ivshmem: /' "$(barmap_debugfs "$IVSHMEM" faults)"
for d in $MATRIX; do
	run "$profile/${d#*=}" vfio_pci_barmap_dmabuf_test VFIO_SELFTESTS_BDF=${d%%=*}
done

echo "# sub-page BARs: expecting $subpage"
grep -E 'barmap|sub-page' /proc/iomem | sed 's/^/# iomem: /'
for d in $SUBPAGE_DEVS; do
	run "$profile/${d#*=}" vfio_pci_barmap_subpage_test VFIO_SELFTESTS_BDF=${d%%=*} BARMAP_SUBPAGE=$(subpage_of ${d%%=*})
done
dmesg | grep 'mmap disabled' | sed 's/^\[[ 0-9.]*\] //' | sort -u | sed 's/^/# dmesg: /'

for d in $MATRIX; do
	bdf=${d%%=*} name=${d#*=}
	bind "$bdf" $stock
	compare "$name" vfio_pci_barmap_region_test VFIO_SELFTESTS_BDF=$bdf BARMAP_SUBPAGE=$(subpage_of $bdf)
	compare "$name" vfio_pci_barmap_vmm_test VFIO_SELFTESTS_BDF=$bdf BARMAP_SUBPAGE=$(subpage_of $bdf)
	compare "$name" vfio_pci_barmap_cdev_test VFIO_SELFTESTS_BDF=$bdf
	[ "$bdf" = $NVME ] && compare "$name" vfio_pci_barmap_argsz_test VFIO_SELFTESTS_BDF=$bdf
	compare "$name" vfio_pci_barmap_dmabuf_test VFIO_SELFTESTS_BDF=$bdf
	if [ "$bdf" = "$IVSHMEM" ]; then
		[ -z "$LARGE" ] || bind "$LARGE" $stock
		compare_args="-t mremap_of_a_huge_mapping_moves_without_bad_entries"
		# Not the shrink: under vfio-pci the unmap of the cut part
		# splits a PUD entry that reaches past the VMA, which the debug
		# kernel stops with "kernel BUG at mm/huge_memory.c" (DEBUG_VM).
		for t in mremap_of_a_pud_from_inside_a_mapping_leaves_nothing_behind \
			mremap_of_a_range_across_a_pud_boundary_leaves_nothing_behind; do
			compare_args="$compare_args -t $t"
		done
		# shellcheck disable=SC2086
		compare "$name" vfio_pci_barmap_fault_test VFIO_SELFTESTS_BDF=$bdf BARMAP_BAR=2 \
			${LARGE:+BARMAP_LARGE_BDF=$LARGE}
		compare_args=
		[ -z "$LARGE" ] || unbind "$LARGE"
	fi
	case " $SUBPAGE_DEVS " in
	*" $d "*) compare "$name" vfio_pci_barmap_subpage_test VFIO_SELFTESTS_BDF=$bdf BARMAP_SUBPAGE=$(subpage_of $bdf) ;;
	esac
	bind "$bdf" barmap-vfio-pci
	tap $? "rebind $name to barmap-vfio-pci after the stock comparison"
done

# barmap-bind remembers and restores the previous driver...
bind $SPARE vfio-pci &&
	barmap-bind $SPARE >/dev/null &&
	[ "$(basename "$(readlink /sys/bus/pci/devices/$SPARE/driver)")" = barmap-vfio-pci ] &&
	barmap-bind --unbind $SPARE >/dev/null &&
	[ "$(basename "$(readlink /sys/bus/pci/devices/$SPARE/driver)")" = vfio-pci ]
tap $? "barmap-bind binds a vfio-pci device and --unbind gives it back to vfio-pci"
bind $SPARE barmap-vfio-pci

# ... and refuses a device whose IOMMU group holds a device bound to
# another driver: the rtl8139 behind the PCIe-to-PCI bridge (on arm64:
# the other function of its multifunction device) shares its group with
# a PCI serial card bound to the built-in serial driver.
behind=$(outside_matrix 0x10ec:0x8139)
msg=$(barmap-bind "$behind" 2>&1)
st=$?
echo "# $msg"
[ $st != 0 ] && [ ! -e "/sys/bus/pci/devices/$behind/driver" ] &&
	case $msg in *refusing*serial*) true ;; *) false ;; esac
tap $? "barmap-bind refuses $behind: its IOMMU group holds a device of the serial driver"

# msix_mmap=0, in the same boot: reload the module with the parameter.
reload() {	# reload [PARAM]: unbind everything, reload, bind the matrix
	for bdf in $BDFS; do unbind "$bdf"; done
	rmmod barmap_vfio_pci &&
		modprobe barmap-vfio-pci "$@" || return 1
	for bdf in $BDFS; do bind "$bdf" barmap-vfio-pci || return 1; done
}
# SR-IOV: a PF bound to barmap-vfio-pci creates VFs through sysfs only
# with enable_sriov=1, and refuses with ENOENT without it, as vfio-pci.
# vfio-pci-core gives the new VF its PF's driver as driver_override, so
# the VF binds to barmap-vfio-pci.  The PF is outside the matrix (the
# x86 rig's nvme at 08.0, see run-guest.sh); a rig without one skips.
sriov_pf=
for dev in /sys/bus/pci/devices/*; do
	case " $BDFS " in *" ${dev##*/} "*) continue ;; esac
	[ "$(cat "$dev/sriov_totalvfs" 2>/dev/null || echo 0)" -gt 0 ] &&
		sriov_pf=${dev##*/}
done
vf_check() {	# vf_check PF DRIVER: one VF appears bound to DRIVER, goes again
	numvfs=/sys/bus/pci/devices/$1/sriov_numvfs
	echo 1 >"$numvfs" || return 1
	vf=$(basename "$(readlink "/sys/bus/pci/devices/$1/virtfn0")")
	echo "# $1: sriov_numvfs=$(cat "$numvfs"), VF $vf, driver $(basename "$(readlink "/sys/bus/pci/devices/$vf/driver")")"
	[ -n "$vf" ] && [ -e "/sys/bus/pci/devices/$vf" ] &&
		[ "$(basename "$(readlink "/sys/bus/pci/devices/$vf/driver")")" = "$2" ] &&
		echo 0 >"$numvfs" &&
		[ "$(cat "$numvfs")" = 0 ] && [ ! -e "/sys/bus/pci/devices/$vf" ]
}
vf_refused() {	# vf_refused PF: sriov_numvfs 1 fails with ENOENT, no VF
	msg=$( (echo 1 >"/sys/bus/pci/devices/$1/sriov_numvfs") 2>&1) && return 1
	echo "# $1: $msg"
	case $msg in *"No such file or directory"*) ;; *) return 1 ;; esac
	[ "$(cat "/sys/bus/pci/devices/$1/sriov_numvfs")" = 0 ] &&
		[ ! -e "/sys/bus/pci/devices/$1/virtfn0" ]
}
if [ -n "$sriov_pf" ]; then
	reload enable_sriov=1
	tap $? "reload barmap-vfio-pci with enable_sriov=1"
	bind "$sriov_pf" barmap-vfio-pci && vf_check "$sriov_pf" barmap-vfio-pci
	tap $? "enable_sriov=1: PF $sriov_pf bound to barmap-vfio-pci creates a VF, bound to barmap-vfio-pci, and removes it"
	unbind "$sriov_pf"
	reload enable_sriov=0
	tap $? "reload barmap-vfio-pci with enable_sriov=0"
	bind "$sriov_pf" barmap-vfio-pci && vf_refused "$sriov_pf"
	tap $? "enable_sriov=0: sriov_numvfs of PF $sriov_pf bound to barmap-vfio-pci fails with ENOENT"
	unbind "$sriov_pf"
	# The same with stock vfio-pci and its parameter: no difference is
	# listed, so stock must do the same.
	for p in 1 0; do
		case $p in
		1) check="vf_check $sriov_pf vfio-pci"
		   what="enable_sriov=1: creates a VF, bound to vfio-pci, and removes it" ;;
		0) check="vf_refused $sriov_pf"
		   what="enable_sriov=0: sriov_numvfs fails with ENOENT" ;;
		esac
		rmmod vfio_pci && modprobe vfio-pci enable_sriov=$p &&
			bind "$sriov_pf" vfio-pci && $check
		tap $? "stock vfio-pci, sriov: $what, as barmap-vfio-pci does"
		unbind "$sriov_pf"
	done
else
	echo "ok $((n += 1)) rig/$profile: SR-IOV of a PF bound to barmap-vfio-pci # SKIP no SR-IOV PF in this rig"
fi

# vfio-pci's device parameters, which barmap-vfio-pci offers under the
# same names.  disable_idle_d3: a bound device nobody has open is
# runtime-suspended (D3hot where it has power management), unless the
# parameter was set when it was bound; barmap-vfio-pci latches its own
# at bind on every kernel, vfio-pci its own at bind (7.x) or at load
# (6.x: reloaded here).  Then nointxmask: vfio-pci-core keeps it per
# device since 7.x, and before 7.x one value for all devices, vfio-pci's,
# so barmap-vfio-pci refuses to bind while its own is set.
idle_status() {	# idle_status BDF: runtime PM status, once suspended or after 6 s
	i=0
	while [ $i -lt 6 ]; do
		s=$(cat "/sys/bus/pci/devices/$1/power/runtime_status")
		[ "$s" = suspended ] && break
		sleep 1
		i=$((i + 1))
	done
	echo "$s, $(cat "/sys/bus/pci/devices/$1/power_state" 2>/dev/null)"
}
barmap_param() {	# barmap_param NAME VALUE
	echo "$2" >"/sys/module/barmap_vfio_pci/parameters/$1"
}
# Runtime PM is the kernel's: the rig's own kernels are built without it.
grep -q '^CONFIG_PM=y' /lib/kernel-config && has_pm=1 || has_pm=0
for p in 0 1 0; do
	case $p in 0) want=suspended ;; 1) want=active ;; esac
	if [ $has_pm = 0 ]; then
		for drv in barmap-vfio-pci vfio-pci; do
			echo "ok $((n += 1)) rig/$profile: $drv disable_idle_d3=$p: the idle device is runtime-$want # SKIP kernel without CONFIG_PM (no runtime PM)"
		done
		continue
	fi
	barmap_param disable_idle_d3 $p && bind $SPARE barmap-vfio-pci &&
		got=$(idle_status $SPARE) && echo "# $SPARE idle under barmap-vfio-pci, disable_idle_d3=$p: $got" &&
		[ "${got%%,*}" = $want ]
	tap $? "barmap-vfio-pci disable_idle_d3=$p at bind: the idle device is runtime-$want"
	unbind $SPARE
	rmmod vfio_pci && modprobe vfio-pci disable_idle_d3=$p &&
		bind $SPARE vfio-pci &&
		got=$(idle_status $SPARE) && echo "# $SPARE idle under vfio-pci, disable_idle_d3=$p: $got" &&
		[ "${got%%,*}" = $want ]
	tap $? "stock vfio-pci, disable_idle_d3=$p: the idle device is runtime-$want, as under barmap-vfio-pci"
	unbind $SPARE
done
barmap_param nointxmask 1
case $(uname -r) in
6.*)
	! bind $SPARE barmap-vfio-pci &&
		dmesg | grep -q "nointxmask and disable_vga are vfio-pci's on this kernel"
	tap $? "nointxmask=1 on $(uname -r): barmap-vfio-pci refuses to bind, saying the parameter is vfio-pci's here" ;;
*)
	# vfio-pci-core shows the latched value in debugfs (CONFIG_VFIO_DEBUGFS).
	latched=/sys/kernel/debug/vfio/$SPARE/pci/nointxmask
	bind $SPARE barmap-vfio-pci && barmap_param nointxmask 0 &&
		{ [ ! -e "$latched" ] || [ "$(cat "$latched")" = Y ]; }
	tap $? "nointxmask=1 on $(uname -r): barmap-vfio-pci binds, the device keeps the value it was bound with ($( [ -e "$latched" ] && echo "debugfs: $(cat "$latched")" || echo "no debugfs file"))" ;;
esac
barmap_param nointxmask 0
bind $SPARE barmap-vfio-pci
tap $? "nointxmask=0: $SPARE bound to barmap-vfio-pci again"

# ids=: at load, each entry becomes a dynamic ID that binds every device
# of that ID with no driver (and no other driver's override), without
# driver_override, as vfio-pci's ids= does; an entry that does not parse
# is refused with vfio-pci's message and the others apply.  The IDs are
# those of the first and the last device of the matrix, the second with
# its subsystem IDs, and the ivshmem's with subsystem IDs it does not
# have (nothing may bind); a device of the first ID outside the matrix,
# if there is one, is held for another driver by its driver_override
# and must be left alone.  Stock vfio-pci gets the same string and must
# bind the same devices.
bound_to() {	# bound_to DRIVER: the devices bound to DRIVER, on one line
	for dev in "/sys/bus/pci/drivers/$1"/0000:*; do
		[ -e "$dev" ] && echo "${dev##*/}"
	done | sort | tr '\n' ' ' | sed 's/ $//'
}
pci_id() {	# pci_id BDF [sub]: vendor:device[:subvendor:subdevice], as ids= reads it
	dev=/sys/bus/pci/devices/$1
	id="$(cat "$dev/vendor"):$(cat "$dev/device")"
	[ -z "${2:-}" ] || id="$id:$(cat "$dev/subsystem_vendor"):$(cat "$dev/subsystem_device")"
	echo "$id" | sed 's/0x//g'
}
ids_a=$(pci_id "${BDFS%% *}") ids_b=$(pci_id "$SPARE" sub)
ids_c=$(pci_id "$IVSHMEM"):1234:5678
ids="$ids_a,not-an-id,,$ids_b,$ids_c"
held=
for dev in /sys/bus/pci/devices/*; do
	case " $BDFS " in *" ${dev##*/} "*) continue ;; esac
	[ -e "$dev/driver" ] && continue
	[ "$(pci_id "${dev##*/}")" = "$ids_a" ] && held=${dev##*/}
done
ids_expected() {	# ids_expected DRIVER: the devices ids= may give DRIVER
	for dev in /sys/bus/pci/devices/*; do
		[ -e "$dev/driver" ] && continue
		case $(cat "$dev/driver_override") in "(null)" | "$1") ;; *) continue ;; esac
		bdf=${dev##*/}
		case " $(pci_id "$bdf") $(pci_id "$bdf" sub) " in
		*" $ids_a "* | *" $ids_b "* | *" $ids_c "*) echo "$bdf" ;;
		esac
	done | sort | tr '\n' ' ' | sed 's/ $//'
}
ids_refusals() {	# ids_refusals PREFIX: how often the bad entry was refused
	# (at the start of the line where the kernel has no PRINTK_TIME)
	dmesg | grep -c -E "(^| )$1: invalid id string \"not-an-id\""
}
ids_load() {	# ids_load MODULE DRIVER: reload MODULE with ids=$ids, nothing bound
	got=
	for bdf in $BDFS $(bound_to "$2"); do unbind "$bdf"; done
	[ -z "$held" ] || echo another-driver >"/sys/bus/pci/devices/$held/driver_override"
	want=$(ids_expected "$2")
	refusals=$(ids_refusals "$1")
	rmmod "$1" && modprobe "$1" ids="$ids" || return 1
	got=$(bound_to "$2")
	ids_refused=$(($(ids_refusals "$1") - refusals))
	echo "# $2 ids=$ids: bound $got; expected $want; refused $ids_refused times${held:+; $held: override $(cat /sys/bus/pci/devices/$held/driver_override), driver $(basename "$(readlink "/sys/bus/pci/devices/$held/driver" || echo none)")}"
	[ -n "$got" ] && [ "$got" = "$want" ] && [ "$ids_refused" = 1 ] &&
		{ [ -z "$held" ] || [ ! -e "/sys/bus/pci/devices/$held/driver" ]; }
}
ids_load barmap_vfio_pci barmap-vfio-pci
tap $? "barmap-vfio-pci ids=$ids: binds each device of those IDs that had no driver, and no other${held:+ (not $held, held for another driver)}; refuses the bad entry with a message"
barmap_ids_bound=$got
for bdf in $got; do unbind "$bdf"; done
rmmod barmap_vfio_pci && modprobe barmap-vfio-pci && [ -z "$(bound_to barmap-vfio-pci)" ]
tap $? "barmap-vfio-pci reloaded without ids=: it binds nothing at load"
ids_load vfio_pci vfio-pci && [ "$got" = "$barmap_ids_bound" ]
tap $? "stock vfio-pci ids=$ids: binds the devices barmap-vfio-pci bound ($barmap_ids_bound), refuses the same entry"
for bdf in $(bound_to vfio-pci); do unbind "$bdf"; done
[ -z "$held" ] || unbind "$held"
rmmod vfio_pci && modprobe vfio-pci
tap $? "stock vfio-pci reloaded without ids="
reload
tap $? "reload barmap-vfio-pci with default parameters after ids="

reload msix_mmap=0
tap $? "reload barmap-vfio-pci with msix_mmap=0"
for d in $MATRIX; do
	run "$profile/msix_mmap=0/${d#*=}" vfio_pci_barmap_region_test VFIO_SELFTESTS_BDF=${d%%=*} \
		BARMAP_SUBPAGE=$(subpage_of ${d%%=*}) BARMAP_MSIX_MMAP=0
	run "$profile/msix_mmap=0/${d#*=}" vfio_pci_barmap_dmabuf_test VFIO_SELFTESTS_BDF=${d%%=*} \
		BARMAP_MSIX_MMAP=0
done
reload
tap $? "reload barmap-vfio-pci with default parameters"

# 200 cycles over the devices whose pages barmap reserves, in the profile
# where it holds reservations; 50 over the whole matrix in the other.  The
# guest part stays near two minutes.
if [ "$subpage" = refused ]; then
	cycles=50 devs=$BDFS
else
	cycles=200 devs=
	for d in $SUBPAGE_DEVS; do devs="$devs ${d%%=*}"; done
fi
# Under the debug kernel's checks a cycle costs several times as much; a
# fifth of the cycles still takes every path, which is what the debug
# kernel checks.
case $profile in
*-debug/*) cycles=$((cycles / 5)) ;;
esac
run_args=${devs# }
run "$profile/lifecycle" vfio_pci_barmap_lifecycle_test BARMAP_CYCLES=$cycles
run_args=

# Hostile and faulty use: random access racing decode-off, reset, fork
# and bind/unbind of other devices; random ioctl and mmap arguments (also
# with msix_mmap=0, and against stock vfio-pci); unbind and rmmod with
# the device in use; a probe that fails after the page reservation.
hostile_start=$(date +%s)
# The storm rebinds other devices: the matrix's own, or those the rig
# names (barmap_others), bound to barmap-vfio-pci for it and unbound
# after.  The probe-failure test needs a PCI bridge without a driver
# (x86: the PCIe-to-PCI bridge; the arm64 rig has none, see run-guest.sh).
bridge= extra_others=$others
if [ -z "$others" ]; then
	for bdf in $BDFS; do
		[ "$bdf" = "$NVME" ] || [ "$bdf" = "$IVSHMEM" ] ||
			others="$others $bdf"
	done
fi
for bdf in $extra_others; do
	bind "$bdf" barmap-vfio-pci
	tap $? "bind $bdf to barmap-vfio-pci for the storm"
done
for dev in /sys/bus/pci/devices/*; do
	case $(cat "$dev/class") in
	0x0604*) [ -e "$dev/driver" ] || bridge=${dev##*/} ;;
	esac
done
run "$profile/ivshmem" vfio_pci_barmap_stress_test VFIO_SELFTESTS_BDF=$IVSHMEM BARMAP_BAR=2 \
	BARMAP_RESET_BDF=$NVME BARMAP_OTHER_BDFS="${others# }"
sed 's/^/# faults ivshmem after the storm: /' \
	"$(barmap_debugfs "$IVSHMEM" faults)"
for bdf in $extra_others; do
	unbind "$bdf"
	tap $? "unbind $bdf after the storm"
done
for d in $MATRIX; do
	run "$profile/${d#*=}" vfio_pci_barmap_fuzz_test VFIO_SELFTESTS_BDF=${d%%=*}
done
run "$profile/ivshmem" vfio_pci_barmap_unbind_test VFIO_SELFTESTS_BDF=$IVSHMEM \
	BARMAP_BRIDGE_BDF=$bridge BARMAP_RMMOD=1
reload msix_mmap=0
tap $? "reload barmap-vfio-pci with msix_mmap=0 for the fuzz"
run "$profile/msix_mmap=0/nvme" vfio_pci_barmap_fuzz_test VFIO_SELFTESTS_BDF=$NVME
reload
tap $? "reload barmap-vfio-pci with default parameters after the fuzz"
for d in $MATRIX; do
	bdf=${d%%=*} name=${d#*=}
	bind "$bdf" $stock
	compare "$name" vfio_pci_barmap_fuzz_test VFIO_SELFTESTS_BDF=$bdf
	[ "$name" = ivshmem ] && compare "$name" vfio_pci_barmap_unbind_test VFIO_SELFTESTS_BDF=$bdf
	bind "$bdf" barmap-vfio-pci
	tap $? "rebind $name to barmap-vfio-pci after the stock fuzz"
done
echo "# hostile-use tests took $(($(date +%s) - hostile_start))s"

# A reservation the PCI core takes away (vfio_pci_barmap_hotadd_test): the
# rtl8139 behind the bridge, bound to barmap-vfio-pci with the rest of its
# 256-byte BAR1's page reserved, its IOMMU group's other device (the serial
# card) unbound; then two edu devices (a 1 MiB BAR each) hot-added onto the
# bridge, the second one more than its 2 MiB memory window has left, so that the
# PCI core releases the window and everything in it.  The exclusive profile
# only: the bridge's devices sit alike in both.
if [ -n "$hp_bridge" ] && [ "${profile##*/}" = exclusive ]; then
	behind=$(outside_matrix 0x10ec:0x8139)
	serial=$(outside_matrix 0x1b36:0x0002)
	unbind "$serial" && bind "$behind" barmap-vfio-pci
	tap $? "hot-add: $behind bound to barmap-vfio-pci, $serial unbound"
	run "$profile/rtl8139" vfio_pci_barmap_hotadd_test VFIO_SELFTESTS_BDF="$behind" BARMAP_BAR=1 \
		BARMAP_HOTPLUG_BRIDGE="$hp_bridge" BARMAP_HOTADD_TTY=/dev/ttyS0 \
		"BARMAP_HOTADD=edu,bus=br0,addr=03.0 edu,bus=br0,addr=04.0"
	unbind "$behind"
	tap $? "hot-add: unbind $behind after the test"
fi

ret=0
for bdf in $BDFS; do unbind "$bdf" || ret=1; done
tap $ret "unbind the matrix"
rmmod barmap_vfio_pci
tap $? "rmmod barmap_vfio_pci"

# From an installed tree with nothing of vfio-pci-core loaded, barmap-bind
# loads barmap-vfio-pci with modprobe, which brings its dependencies.
rmmod vfio_pci vfio_pci_core
ret=$?
out=$(barmap-bind $SPARE) && lsmod | grep -q '^vfio_pci_core ' &&
	lsmod | grep -q '^barmap_vfio_pci '
tap $((ret | $?)) "barmap-bind loads barmap-vfio-pci and its dependencies with modprobe"
echo "# $out"
case $out in
*"/dev/vfio/$(basename "$(readlink /sys/bus/pci/devices/$SPARE/iommu_group)")") ret=0 ;;
*) ret=1 ;;
esac
tap $ret "barmap-bind prints the group device node"
barmap-bind --unbind $SPARE && [ ! -e /sys/bus/pci/devices/$SPARE/driver ]
tap $? "barmap-bind --unbind leaves a device that had no driver unbound"
rmmod barmap_vfio_pci

# Kmemleak does not report objects younger than 5 s, and one scan can
# miss a leak that a pointer left on a stack still hides: wait, scan twice.
if [ -e $kmemleak ]; then
	sleep 6
	echo scan >$kmemleak
	echo scan >$kmemleak
	leaks=$(cat $kmemleak)
	[ -z "$leaks" ]
	tap $? "kmemleak: no unreferenced object after the tests and rmmod"
	[ -z "$leaks" ] || echo "$leaks" | head -n 60 | sed 's/^/# kmemleak: /'
fi

# KFENCE, KASAN, lockdep, DEBUG_VM, PAGE_TABLE_CHECK and might_sleep
# report as "BUG:", "WARNING:" or "INFO:" lines; a kmemleak scan that finds
# something logs "suspected memory leaks".
# "bad pud/pmd/pte": the kernel took a page-table entry for garbage (a
# leaf PUD that mremap() met: see vfio_pci_barmap_fault_test).  Those of stock
# vfio-pci's runs (between compare's markers) are the comparison's:
# printed, not counted.
reports='BUG|WARNING|Oops|general protection|refcount_t|KASAN|INFO: |suspected memory leak|bad p(te|md|ud)'
stock_window='/stock vfio-pci run begins/,/stock vfio-pci run ends/'
ours() {
	dmesg | sed "${stock_window}{/bad p\(te\|md\|ud\)/d}"
}
dmesg | sed -n "${stock_window}p" | grep -E 'bad p(te|md|ud)' | head -n 3 |
	sed 's/^/# stock vfio-pci: kernel log: /'
bad=$(ours | grep -E "$reports")
[ -z "$bad" ]
tap $? "dmesg free of BUG/WARNING/Oops/refcount_t/KASAN/lockdep/kmemleak/bad page-table entry reports"
# With the call trace that follows each report: the console has only
# what "quiet" lets through.
[ -z "$bad" ] || ours | grep -E -A 30 "$reports" | head -n 120 | sed 's/^/# dmesg: /'

finish
