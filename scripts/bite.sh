#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# make bite: each of make test's fail-closed checks shown to bite.  A
# bite breaks a copy of this tree on purpose (a throwaway change to the
# driver, a selftest or a rig script, or a flag of the rig), runs the
# part of make test that must notice, and passes only if that part
# printed the failure expected of it; the line it printed is quoted.
# Before those checks, the part of make test each bite names passed
# under its breakage:
#
#   compat-probe-wrong   a compat probe answers wrong (bind_iommufd
#                        tests the wrong structure: "n" on 6.12):
#                        compat-test.sh says so, where it used to end
#                        under errexit before its "not ok"
#   compat-exits-early   compat-test.sh exits after its first line: the
#                        lane reports the exit, where fewer lines went
#                        uncounted
#   unit-dies            the unit program dies in its eighth test: its
#                        plan is short, and the manifest misses the run
#   guest-rig            one 7.3 guest (exclusive profile) with three
#                        breakages: barmap's debugfs "huge" file renamed
#                        (the fault tests used to skip on it), the stock
#                        comparisons run against barmap (its listed
#                        differences must then fail to happen), and
#                        vfio_pci_barmap_vmm_test missing from the
#                        guest (its verdict, and the manifest's count of
#                        its runs)
#   no-mmap              one 7.3 guest with a driver that drops MMAP on
#                        every BAR: the mmap, fault and dma-buf tests
#                        that logged how many BARs they covered
#   init-fails-once      one 7.3 guest whose barmap-vfio-pci panics in
#                        its init on the first boot only: not retried
#   rom-7x-rule          one 6.12 guest (rom profile) whose barmap-vfio-pci
#                        answers a platform ROM as 7.x's core does (the
#                        rule the compat header backports): the region
#                        info comparison with stock vfio-pci
#   e2e-retries          make e2e under the host's QEMU only, whose first
#                        nested boot under barmap-vfio-pci dies before
#                        L2's init (QEMU cannot load L2's kernel): the
#                        retry passes it, and the lane fails on barmap
#                        needing more retries than stock vfio-pci
#
# Usage: bite.sh [NAME...]  (default: all).  TAP on stdout ("ok N
# bite/NAME: ..."), then the summary line; logs and trees in
# $BUILD/bite/NAME.  Needs make deps (the guests boot Debian's 7.x).
# The guest bites take a few minutes each: make bite is not part of
# make test.

set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

: "${BUILD:=$PWD/build}"
mkdir -p "$BUILD/bite"
work=$(cd "$BUILD/bite" && pwd)
top=$(cd "$here/.." && pwd)
all="compat-probe-wrong compat-exits-early unit-dies guest-rig no-mmap init-fails-once"
all="$all rom-7x-rule e2e-retries"
n=0
results=$work/results.tap
: >"$results"

say() {	# say STATUS TEXT: one TAP line
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n bite/$2"
	else
		echo "not ok $n bite/$2"
	fi | tee -a "$results"
}

# tree NAME: a copy of this tree's files (tracked ones, as they are now)
# in $work/NAME/src, which becomes the current directory.
tree() {
	rm -rf "${work:?}/$1"
	mkdir -p "$work/$1/src"
	(cd "$top" && git ls-files -z | cpio -0 -pdm --quiet "$work/$1/src") ||
		return 1
	cd "$work/$1/src" || return 1
}

# breaks FILE PERL-EXPR: change FILE in the copy; fails if the change
# did not take (the bite would prove nothing).
breaks() {
	[ -f "$1" ] && cp "$1" "$1.orig" && perl -0pi -e "$2" "$1" || return 1
	cmp -s "$1" "$1.orig"
	if [ $? != 1 ]; then
		echo "# the throwaway change to $1 did not apply"
		return 1
	fi
	rm -f "$1.orig"
}

# expect NAME LOG WHAT PATTERN...: one result per PATTERN (grep -E): the
# suite's line that matched it, or a failure saying the suite stayed
# silent.  A PATTERN starting with "!" must match nothing.
expect() {
	ex_name=$1 ex_log=$2 ex_what=$3
	shift 3
	for ex_p in "$@"; do
		case $ex_p in
		!*)
			ex_line=$(grep -E -m 1 -e "${ex_p#!}" "$ex_log")
			if [ -z "$ex_line" ]; then
				say 0 "$ex_name: $ex_what: nothing matches '${ex_p#!}'"
			else
				say 1 "$ex_name: $ex_what: '${ex_p#!}' must not happen: $ex_line"
			fi
			;;
		*)
			ex_line=$(grep -E -m 1 -e "$ex_p" "$ex_log")
			if [ -n "$ex_line" ]; then
				say 0 "$ex_name: $ex_what: caught: $ex_line"
			else
				say 1 "$ex_name: $ex_what: no line matches '$ex_p' (see $ex_log)"
			fi
			;;
		esac
	done
}

kdir612=/usr/src/linux-headers-$(installed_612_kver)

bite_compat_probe_wrong() {
	breaks scripts/compat-probes/bind_iommufd.c \
		's/static const struct vfio_device_ops probe = \{/static const struct { int unused; } probe = {/' ||
		return 1
	BUILD=$PWD/build sh scripts/compat-test.sh "6.12=$kdir612" >"$log" 2>&1
	expect compat-probe-wrong "$log" "a probe answering wrong" \
		'^not ok [0-9]+ compat: probe bind_iommufd answers n on 6\.12 \(expected y\)'
}

bite_compat_exits_early() {
	breaks scripts/compat-test.sh \
		's/(\ttap \$\? "module builds against \$series with the probes. answers"\n)/$1\texit 3\n/' ||
		return 1
	: >"$tap"
	BUILD=$PWD/build lane compat "$tap" sh scripts/compat-test.sh "6.12=$kdir612"
	cp "$tap" "$log"
	expect compat-exits-early "$log" "a lane that exits early" \
		'^not ok - lane compat: exited with status 3 without a "not ok"'
}

bite_unit_dies() {
	breaks selftests/vfio/barmap/unit/layout_test.c \
		's/(TEST\(subpage_mmap_needs_reservation_and_core\)\n\{\n)/#include <signal.h>\n#include <unistd.h>\n$1\tkill(getppid(), SIGKILL);\n/' ||
		return 1
	BUILD=$PWD/build sh scripts/unit.sh >"$tap" 2>&1
	sh scripts/summary.sh scripts/expected-results <"$tap" >"$log" 2>&1
	cat "$tap" >>"$log"
	expect unit-dies "$log" "a program that dies mid-plan" \
		'^not ok - unit: layout_test ran its whole plan \(bad: [0-9]+ results for a plan of [0-9]+' \
		'^not ok - manifest: run unit layout_test: 0 complete runs, the manifest expects 1'
}

# guest_7x [ENV=VAL...]: make test's 7.x lane on the copy, the
# exclusive profile only, into $log, then the manifest's verdict on it.
guest_7x() {
	env BUILD="$PWD/build" BARMAP_SUITES=7.x BARMAP_PROFILES=exclusive "$@" \
		sh scripts/test.sh >"$log" 2>&1
	sh scripts/summary.sh scripts/expected-results <build/results.tap \
		>>"$log" 2>&1
}

bite_guest_rig() {
	breaks drivers/vfio/pci/barmap/debugfs.c \
		's/debugfs_create_file\("huge",/debugfs_create_file("huge-renamed",/' ||
		return 1
	guest_7x BARMAP_APPEND=barmap_bite=stock-is-barmap,rm:vfio_pci_barmap_vmm_test
	expect guest-rig "$log" "debugfs huge file renamed" \
		'^not ok [0-9]+ [^ ]+/ivshmem: global\.huge_file_reports_the_sizes_of_this_page_size' \
		'huge_file_reports_the_sizes_of_this_page_size:no debugfs huge file'
	expect guest-rig "$log" "stock comparisons run against barmap" \
		'^not ok [0-9]+ rig/[^ ]+: stock vfio-pci, [a-z0-9]+: [a-z_]+ differs from barmap-vfio-pci only as listed \(bad: .*listed difference did not happen'
	expect guest-rig "$log" "a selftest program missing" \
		'^not ok [0-9]+ rig/[^ ]+: [^ ]+/nvme: vfio_pci_barmap_vmm_test ran its whole plan \(' \
		'^not ok - manifest: run 7\.[0-9]+ vfio_pci_barmap_vmm_test: 0 complete runs'
}

bite_no_mmap() {
	breaks drivers/vfio/pci/barmap/region.c \
		's/(\tb->facts\.mmap_ok = vdev->bar_mmap_supported\[bar\];)/\tvdev->bar_mmap_supported[bar] = false;\n$1/' ||
		return 1
	guest_7x
	expect no-mmap "$log" "a driver that maps no BAR" \
		'^not ok [0-9]+ [^ ]+/ivshmem: device\.mmap_reads_match_fd_reads' \
		'^not ok [0-9]+ [^ ]+/ivshmem: vmm\.[a-z0-9_]+\.fewest_faults_the_placement_allows' \
		'^not ok [0-9]+ [^ ]+/ivshmem: dmabuf\.every_advertised_area_exports'
}

bite_init_fails_once() {
	breaks drivers/vfio/pci/barmap/main.c \
		's/(static int __init barmap_init\(void\)\n\{\n\tint ret;\n)/static bool bite_panic;\nmodule_param(bite_panic, bool, 0);\n\n$1\n\tif (bite_panic)\n\t\tpanic("barmap-vfio-pci: failing on purpose (scripts\/bite.sh)");\n/' ||
		return 1
	guest_7x BARMAP_APPEND_FIRST=barmap_bite=modopt:bite_panic=1
	expect init-fails-once "$log" "a module init that fails on the first boot" \
		'console: .*Kernel panic - not syncing: barmap-vfio-pci: failing on purpose' \
		'^not ok - [^ ]+ exclusive: guest did not finish' \
		'!^# retry: '
}

bite_rom_7x_rule() {
	breaks compat/include/linux/vfio_pci_core.h \
		's/(\tcase VFIO_PCI_ROM_REGION_INDEX:\n)(\t\tbarmap_compat_rom_info\(vdev, info\);\n)/$1\t\tif (!pci_resource_start(vdev->pdev, PCI_ROM_RESOURCE) \&\& vdev->pdev->rom \&\& vdev->pdev->romlen) {\n\t\t\tinfo->flags = VFIO_REGION_INFO_FLAG_READ;\n\t\t\tinfo->size = roundup_pow_of_two(vdev->pdev->romlen);\n\t\t\treturn 0;\n\t\t}\n$2/' ||
		return 1
	env BUILD="$PWD/build" BARMAP_SUITES=6.12 BARMAP_PROFILES=rom \
		sh scripts/test.sh >"$log" 2>&1
	expect rom-7x-rule "$log" "a platform ROM answered by 7.x's rule on 6.12" \
		'^not ok [0-9]+ [^ ]+/rom/ne2k: device\.other_region_info_matches_stock'
}

bite_e2e_retries() {
	breaks scripts/e2e-init.sh \
		's/(\tchroot "\/host\$\{2%\/\}" qemu-system-x86_64 )/\tbite_k=\n\t[ \$tag = barmap ] && [ "\$attempt" = 1 ] && bite_k=-missing\n$1/; s/(-kernel \/tmp\/l2-vmlinux)( )/$1\$bite_k$2/' ||
		return 1
	BUILD=$PWD/build E2E_QEMUS=host sh scripts/e2e.sh >"$log" 2>&1
	expect e2e-retries "$log" "a nested boot under barmap that dies once" \
		'^# retry: e2e/host/barmap-vfio-pci: L2 died' \
		'^not ok - e2e/host: nested boots retried no more often under barmap-vfio-pci than under vfio-pci \(retries: 1 and 0\)'
}

[ $# -gt 0 ] || set -- $all
for b in "$@"; do
	case " $all " in
	*" $b "*) ;;
	*) say 1 "$b: no such bite (the bites: $all)"; continue ;;
	esac
	echo "# bite $b: $(date -u +%T)"
	log=$work/$b/log tap=$work/$b/tap
	if ! tree "$b"; then
		say 1 "$b: copy of the tree"
		continue
	fi
	"bite_$(echo "$b" | tr - _)" || say 1 "$b: the breakage could not be set up"
	cd "$top" || exit 1
done
sh "$here/summary.sh" <"$results"
