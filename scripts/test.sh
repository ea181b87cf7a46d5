#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The whole suite (make test): build the module and the selftests, run
# make check, the host-side unit tables, boot the guest in its profiles
# (exclusive, shared, and rom where the kernel boots through UEFI)
# on each x86 kernel (Debian 13's newest 7.x, unpacked by make deps, first
# as the primary target; Debian's 6.12, bookworm's 6.1, the debug kernel
# built from linux-source-7.x), boot the arm64 kernels
# (scripts/test-arm64.sh), then, alone on the machine, the nested end to
# end test on the 7.x kernel under three QEMU versions (scripts/e2e.sh);
# print every TAP line and, last, the "N passed, N failed" summary over
# all of them, held to scripts/expected-results.

set -eu
here=$(dirname "$0")
. "$here/lib.sh"

results=${BUILD:-$PWD/build}/results.tap
suite_t0=$(date +%s)
# The run's start (make test's, before make deps), for the timeline.
# shellcheck disable=SC2034 # lib.sh's lane_times reads it
run_t0=${BARMAP_T0:-$suite_t0}
. "$here/build.sh"
# How busy the cores are, sampled until this script ends (the summary's
# "cores busy" line).
: >"$BUILD/cpu.samples"
(cpu_sampler "$BUILD/cpu.samples" $$ &)
lane_times build "$suite_t0" "$(date +%s)" >>"$results"
# make test's start, before make deps (the Makefile passes it): the
# difference is what deps took.
[ -n "${BARMAP_T0:-}" ] &&
	lane_times deps "$BARMAP_T0" "$suite_t0" >>"$results"

# BARMAP_SUITES picks the parts: "static" is make check, the host unit
# tables, the compat probes and DKMS on this host; the others boot
# guests (make test-debug: "debug"; make e2e runs scripts/e2e.sh alone).  "7.x" is Debian's newest
# 7.x kernel, also accepted as its series (e.g. "7.3").  "dkms" is DKMS in
# the Debian 13 root and its modules' boots (dkms_trixie below).
all_suites="static 7.x 6.12 e2e 6.1 zoo debug arm64 dkms peer"
: "${BARMAP_SUITES:=$all_suites}"
has_suite() {
	case " $BARMAP_SUITES " in *" $1 "*) return 0 ;; esac
	return 1
}
d7_series=$(debian7_series)
has_7x() {
	has_suite 7.x || { [ -n "$d7_series" ] && has_suite "$d7_series"; }
}

# The rig's own kernels build in the background from the start, one
# after the other (each with every core) in the order the lanes need
# them, the x86 debug kernel (the debug and peer lanes) first, at the
# priority of everything else: on a fresh machine it is the critical
# path, and at nice 19 it got the cores only after every other lane;
# then the nested guest's (L2) kernel, small, which the Debian 13
# system's libvirt domain needs in the middle of the run and make e2e
# at its end; then arm64's, also at that priority: at nice 10 it was
# done in minute 67 of a fresh run, 11 minutes after its lane was due,
# and the last lane waited for that one with a core idle.  debug_suite,
# the peer lane, lib.sh's l2_build and test-arm64.sh wait for them on
# the cache's lock.  With the kernels cached this does nothing.
prebuild_kernels() {
	if has_suite debug || has_suite peer; then
		sh "$here/rig-kernel.sh" debug >"$BUILD/prebuild-debug.log" 2>&1
	fi
	if has_suite e2e || has_suite dkms; then
		sh "$here/rig-kernel.sh" l2 >"$BUILD/prebuild-l2.log" 2>&1
	fi
	has_suite arm64 && sh "$here/arm64-kernel.sh" \
		>"$BUILD/prebuild-arm64.log" 2>&1
	return 0
}
prebuild_kernels &

d7_build=$(debian7_build)
ver=$(module_version)
# The static lanes (make check, the host unit tables, the compat probes,
# DKMS on this host): static_stream below runs them beside the guests.
static_lanes() {
	# Static analysis: sparse, coccicheck, checkpatch.
	info "check: sparse, coccicheck, checkpatch"
	with_stderr() {	# with_stderr CMD...: CMD's stderr into its stdout
		"$@" 2>&1
	}
	lane check "$results" with_stderr sh "$here/check.sh"

	# Host-side unit tables of the layout code: no guest needed.
	lane unit "$results" sh "$here/unit.sh"

	# The compat probes answer both ways, and fail closed: against Debian's
	# 7.x (its prepared tree), 6.12 and 6.1 (their headers).
	lane compat "$results" with_stderr sh "$here/compat-test.sh" \
		${d7_build:+"$(debian7_series)=$d7_build"} \
		"6.12=$kdir" "6.1=/usr/src/linux-headers-$(installed_61_kver)"

	# DKMS, as a user installs it: register the source, build and install
	# for a kernel, check modinfo finds the DKMS copy, and remove it again.
	# Debian's 7.x is not installed here (its headers package needs trixie's
	# glibc): DKMS builds for it against the prepared linux-source tree, as
	# it would against the headers on a trixie host, and the module must
	# carry the kernel's own vermagic.
	dkms_for() {
		dkms build "barmap-vfio-pci/$ver" -k "$1" &&
			dkms install "barmap-vfio-pci/$ver" -k "$1" &&
			modinfo -k "$1" -F filename barmap-vfio-pci | grep -q /updates/dkms/
	}
	dkms_build_7x() {	# dkms_build_7x REL KDIR
		dkms build "barmap-vfio-pci/$ver" -k "$1" --kernelsourcedir "$2" &&
			ko=$(find "/var/lib/dkms/barmap-vfio-pci/$ver/$1" -name 'barmap-vfio-pci.ko*' | head -n 1) &&
			[ -n "$ko" ] &&
			[ "$(modinfo -F vermagic "$ko")" = "$(debian7_get vermagic)" ]
	}
	# /usr/src and /var/lib/dkms are the machine's: a make test of another
	# worktree or cache must not add, build or remove in them meanwhile.
	dkms_host() {
		exec 6>/run/lock/barmap-vfio-pci-dkms.lock
		if ! flock -n 6; then
			info "dkms: another make test holds /run/lock/barmap-vfio-pci-dkms.lock; waiting"
			flock 6
		fi
		make -s dkms-remove >/dev/null 2>&1 || true
		if step "dkms: add the source as barmap-vfio-pci/$ver" make -s dkms-install; then
			for k in "$KVER" $(installed_61_kver); do
				step "dkms: build and install for $k" dkms_for "$k" || true
			done
			if [ -n "$d7_build" ]; then
				rel7=$(debian7_rel)
				step "dkms: build for $rel7 (--kernelsourcedir, Debian's vermagic)" \
					dkms_build_7x "$rel7" "$d7_build" || true
			fi
			step "dkms: remove from every kernel" make -s dkms-remove || true
		fi
		flock -u 6
		exec 6>&-
	}
	lane dkms "$results" dkms_host
}

# The Debian package on Debian 13, the path a user there takes, in the
# trixie root of make deps (dkms, gcc-14, Debian's headers of trixie's
# 6.12 and of the newest 7.x, the packaging tools; scripts/roots.sh), on
# an overlay of it (scripts/deb.sh), so that the cached root stays as it
# is: make deb's dpkg-buildpackage; lintian, no error or warning; the
# package's autopkgtest (autopkgtest-pkg-dkms), which installs it and has
# DKMS build and install the module for both kernels; each module must
# carry the vermagic of its kernel's own vfio.ko (the kernels make deps
# unpacked) and gcc-14's mark; apt-get remove leaves no module, source
# or DKMS tree, and purge no modprobe.d file.  Before the removal, the
# overlay boots as a Debian 13 system, four times (scripts/system.sh).
# Then each module boots on its kernel, one guest at a time: load, bind
# the matrix, the region test (guest-init.sh's mode "dkms").  The lane
# runs in the background beside the other suites' guests (the second
# core), with its own $BUILD and TAP file, added to $results at the end.
dkms_tag="dkms (trixie, gcc-14)"
dkms_label=dkms-trixie-gcc-14
deb_tag="deb (trixie)"
sys_tag="system (trixie)"
dkms_trixie() {
	guest_bin=$BUILD/guest-bin
	BUILD=$BUILD/dkms-trixie
	results=$BUILD/results.tap
	late_deps_wait >>"$results" || true
	lower=$(dkms_root)
	if [ -z "$lower" ]; then
		echo "not ok - build: $dkms_tag: no Debian 13 DKMS root in $BARMAP_CACHE (run make deps)" >>"$results"
		return 0
	fi
	. "$here/deb.sh"
	. "$here/system.sh"
	deb=$BUILD/deb
	root=$deb/root
	# The overlay goes with the lane, however it ends.
	trap 'deb_overlay_down "$deb"' EXIT
	staged= system_ready=0
	if step "$deb_tag: an overlay of the cached Debian 13 root" \
		deb_overlay_up "$lower" "$deb" &&
		step "$deb_tag: make deb: dpkg-buildpackage of barmap-vfio-pci $ver" \
			deb_build "$deb"; then
		step "$deb_tag: lintian $(in_root "$root" dpkg-query -W -f '${Version}' lintian): no error or warning" \
			deb_lintian "$deb" || true
		t0=$(date +%s)
		if step "$deb_tag: autopkgtest (autopkgtest-pkg-dkms): $deb_pkg installs, DKMS builds and installs the module for every kernel with headers" \
			deb_autopkgtest "$deb" "$(dkms_root_get rel612)" "$(dkms_root_get rel7)"; then
			sed -n "s/^I: \(PASS\|FAIL\|SKIP\) /# $deb_tag: autopkgtest: \1 /p" \
				"$deb/autopkgtest.log" >>"$results"
			echo "# $deb_tag: autopkgtest in $(($(date +%s) - t0)) s" >>"$results"
			for k in rel612 rel7; do
				rel=$(dkms_root_get $k)
				case $k in
				rel612) kroot=$(trixie612_root) krel=$(trixie612_rel) ;;
				rel7) kroot=$(debian7_root) krel=$(debian7_rel) ;;
				esac
				step "$dkms_tag: $rel module has the vermagic of $rel's vfio.ko, built by gcc-14" \
					dkms_trixie_check "$rel" "$kroot" "$krel" &&
					staged="$staged $rel"
			done
			system_boots
		fi
		step "$deb_tag: apt-get remove $deb_pkg (in the chroot): no module, source, DKMS tree or driverctl override of the driver left; the modprobe.d conffile stays" \
			deb_removed "$deb" remove || true
		[ $system_ready = 0 ] ||
			system_boot "$deb" "$(dkms_root_get rel612)" 4 0 1
		step "$deb_tag: apt-get purge $deb_pkg: nothing of it left" \
			deb_removed "$deb" purge || true
	fi
	deb_overlay_down "$deb"
	for rel in $staged; do
		if [ "$rel" = "$(trixie612_rel)" ]; then
			kroot=$(trixie612_root) vmlinuz=$(trixie612_vmlinuz)
		else
			kroot=$(debian7_root) vmlinuz=$(debian7_vmlinuz)
		fi
		mkdir -p "$BUILD/$rel"
		step "$dkms_tag: initramfs for $rel with the DKMS-built module" \
			env BARMAP_KERNEL_ROOT="$kroot" sh "$here/initramfs.sh" \
			"$rel" "$BUILD/root-$rel" "$guest_bin" "$BUILD/$rel/initrd.gz" ||
			continue
		info "guest: $rel, the module DKMS built on trixie"
		# Labelled by series (6.12-dkms-trixie-gcc-14): the manifest
		# names no ABI number.
		glabel=$(echo "$rel" | cut -d. -f1,2)-$dkms_label
		KVER=$rel BARMAP_KERNEL=$vmlinuz BARMAP_MODE=dkms \
			BARMAP_GUEST_TIMEOUT=600 \
			BARMAP_APPEND="barmap_label=$glabel" \
			sh "$here/run-guest.sh" exclusive "$BUILD/$rel/initrd.gz" \
			"$BUILD/guest-$rel" >>"$results" || true
		want=$(md5sum <"$BUILD/root-$rel/lib/modules/$rel/updates/barmap-vfio-pci.ko" | cut -d' ' -f1)
		got=$(sed -n 's/^# barmap-vfio-pci module: //p' "$BUILD/guest-$rel/exclusive.tap") || got=
		if [ "$got" = "$want" ]; then
			echo "ok - $glabel: the guest ran the module DKMS built on trixie with gcc-14 (md5 $want)" >>"$results"
		else
			echo "not ok - $glabel: the guest's barmap-vfio-pci ('$got') is not the one DKMS built ($want)" >>"$results"
		fi
	done
}

# system_boots: the overlay, with the package apt installed, booted as a
# Debian 13 system (scripts/system.sh): 7.x twice (the first sets the
# driverctl overrides, the second ends with libvirt's checks), then
# 6.12 twice: before the last, the package is removed (deb_removed, in
# the chroot), and the last boot checks that nothing of it acts any
# more.  system_ready says whether the boots ran.
system_boots() {
	r6=$(dkms_root_get rel612) r7=$(dkms_root_get rel7)
	system_ready=0
	step "$sys_tag: the overlay made ready to boot (the check and its unit, modprobe.d ids=)" \
		system_prepare "$deb" &&
		step "$sys_tag: initramfs for $r7 (busybox, 9p)" \
			system_initrd "$deb" "$r7" "$deb/initrd-$r7.gz" &&
		step "$sys_tag: initramfs for $r6 (busybox, 9p)" \
			system_initrd "$deb" "$r6" "$deb/initrd-$r6.gz" &&
		step "$sys_tag: the nested guest of libvirt's domain (the rig's L2 kernel, e2e-l2-init.sh) in /var/lib/barmap-rig" \
			system_l2 "$deb" || return 0
	system_ready=1
	info "guest: the Debian 13 system, $r7 (boots 1 and 2), $r6 (3, and 4 after the removal)"
	system_boot "$deb" "$r7" 1 1 0
	system_boot "$deb" "$r7" 2 0 0 1
	system_boot "$deb" "$r6" 3 0 0
}

# dkms_trixie_check REL KROOT KREL: the module DKMS installed for REL,
# decompressed into the guest's staging tree, has the vermagic of
# KROOT's vfio.ko (KREL must be REL: the root and the unpacked kernel
# come from one make deps), and gcc-14 compiled all of it.
dkms_trixie_check() {
	[ "$1" = "$3" ] || {
		echo "the root's headers are for $1, the unpacked kernel is '$3' (make deps with BARMAP_DEBIAN7_REFRESH=1)"
		echo "$BARMAP_CACHE/debian7 names '$(cat "$BARMAP_CACHE/debian7" 2>&1)', whose files are: $(ls "$(cat "$BARMAP_CACHE/debian7" 2>/dev/null)" 2>&1 | tr '\n' ' ')"
		return 1
	}
	ko=$(find "$root/usr/lib/modules/$1/updates/dkms" -name 'barmap-vfio-pci.ko*' | head -n 1)
	dst=$BUILD/root-$1/lib/modules/$1/updates/barmap-vfio-pci.ko
	mkdir -p "${dst%/*}"
	case $ko in
	*.ko) cp "$ko" "$dst" ;;
	*.ko.xz) xz -dc "$ko" >"$dst" ;;
	*) echo "no module, or one compressed some other way: '$ko'"; return 1 ;;
	esac
	have=$(modinfo -F vermagic "$dst")
	want=$(modinfo -F vermagic "$2/lib/modules/$1/kernel/drivers/vfio/vfio.ko.xz")
	gcc=$(readelf -p .comment "$dst" | sed -n 's/.*\(GCC: .*\)/\1/p' | sort -u)
	echo "${ko#"$root"}: vermagic '$have', vfio.ko's '$want'; $gcc"
	[ -n "$have" ] && [ "$have" = "$want" ] &&
		[ "$(echo "$gcc" | sed -n 's/^GCC: (Debian \([0-9]*\)\..*/\1/p' | sort -u)" = 14 ]
}

# deb_removed DIR remove|purge: apt-get remove (or purge) the package in
# the overlay; then nothing of the module may be left but, after remove,
# the modprobe.d conffile (Debian keeps conffiles until purge).  Before
# remove, the package is installed again if it is not (with DKMS's
# no-autoinstall: nothing to build), and, beside the overrides the
# booted system saved, one naming the driver is saved for a device the
# host does not have: the prerm must delete each file, whatever device
# it names, and touch no device.
deb_removed() {
	fake=/etc/driverctl.d/pci-0000:ff:1f.7
	if [ "$2" = remove ]; then
		in_root "$1/root" sh -c "mkdir -p /etc/dkms /etc/driverctl.d &&
			touch /etc/dkms/no-autoinstall &&
			{ [ \"\$(dpkg-query -W -f '\${db:Status-Status}' $deb_pkg 2>/dev/null)\" = installed ] ||
				apt-get install -y -q ./build/${deb_pkg}_$(module_version)_all.deb; } &&
			rm /etc/dkms/no-autoinstall &&
			echo barmap-vfio-pci >$fake" >"$1/$2.log" 2>&1 || {
			tail -n 5 "$1/$2.log"
			return 1
		}
	fi
	in_root "$1/root" apt-get "$2" -y -q "$deb_pkg" >>"$1/$2.log" 2>&1
	st=$?
	tail -n 3 "$1/$2.log"
	left=$(deb_left "$1")
	overrides=$(grep -lx barmap-vfio-pci "$1"/root/etc/driverctl.d/* 2>/dev/null)
	case $2 in
	remove) want=/etc/modprobe.d/$deb_pkg.conf ;;
	purge) want= ;;
	esac
	echo "left: ${left:-nothing}; driverctl overrides: ${overrides:-none}"
	[ $st = 0 ] && [ "$left" = "$want" ] && [ -z "$overrides" ]
}

# static_stream: the static lanes, then DKMS on Debian 13, one after the
# other, in the background at nice 5 beside the guests, each into its
# own TAP file (added to $results at the end), with its own $BUILD, so
# that no step.log or "not ok" count is shared with the guest lanes.
# On a fresh machine they are a quarter of an hour of compiling that
# the guests used to wait for; the guests, whose tests have time
# limits, keep the larger share of the cores.
static_stream() {
	main_build=$BUILD
	if has_suite static; then
		BUILD=$main_build/static
		results=$BUILD/results.tap
		static_lanes
	fi
	BUILD=$main_build
	if has_suite dkms && [ $selftests_built = 0 ]; then
		lane dkms-trixie "$BUILD/dkms-trixie/results.tap" dkms_trixie \
			>"$BUILD/dkms-trixie.log" 2>&1
	fi
}
# (the lane mounts an overlay, and a chroot's proc, sys and dev, under
# $BUILD/dkms-trixie: an interrupted run may have left them)
unmount_under "$BUILD/dkms-trixie"
rm -rf --one-file-system "$BUILD/static" "$BUILD/dkms-trixie"
if has_suite static || has_suite dkms; then
	mkdir -p "$BUILD/static" "$BUILD/dkms-trixie"
	: >"$BUILD/static/results.tap"
	: >"$BUILD/dkms-trixie/results.tap"
	static_stream &
	# (with nothing to do it may be gone already)
	renice -n 5 -p $! >/dev/null 2>&1 || true
fi

# The peer suite (scripts/guest-peer.sh): upstream's own VFIO selftests
# of linux-source-7.x on barmap-vfio-pci and on vfio-pci, results side by
# side, in a guest with an igb (QEMU >= 8: trixie-backports' QEMU of
# make deps, chrooted), on the rig's debug kernel (scripts/rig-kernel.sh:
# IOMMUFD and the device cdev, so every IOMMU mode,
# vfio_iommufd_setup_test and vfio_pci_driver_test run there; booted
# with lockdep's checking and kmemleak off, so that each test finishes
# within the harness's 30 s), in the shared profile, where the sub-page
# BARs are not mappable and the library drives every device.  Not on
# Debian's kernels: without IOMMUFD most of its programs could run no
# test there under either driver, and the rest run here too; nor in the
# exclusive profile, where both drivers fail alike where the library maps
# a sub-page BAR.  The lane runs
# in the background beside the main suites (the second core), one guest
# at a time, with its own $BUILD and TAP file, added to $results at the
# end.
peer_tag="peer (upstream VFIO selftests)"
peer_lane() {
	main_build=$BUILD
	BUILD=$BUILD/peer
	results=$BUILD/results.tap
	late_deps_wait >>"$results" || true
	qroot=$(qemu_root backports)
	if [ -z "$qroot" ]; then
		echo "not ok - build: $peer_tag: no trixie-backports QEMU root in $BARMAP_CACHE (run make deps)" >>"$results"
		return 0
	fi
	step "$peer_tag: the debug kernel (scripts/rig-kernel.sh debug, cached)" \
		sh "$here/rig-kernel.sh" debug || return 1
	ik=$(tail -n 1 "$BUILD/step.log")
	rel=$(cat "$ik/kernelrelease")
	BARMAP_KERNEL_ROOT=$ik build_for "$rel" "$ik/build" || return 1
	# The guest runs this QEMU too (scripts/guest-iommufd.sh): appended
	# to the initramfs, which the kernel unpacks archive by archive.
	step "$peer_tag: trixie-backports' QEMU for the guest's iommufd run (scripts/qemu-bundle.sh)" \
		sh "$here/qemu-bundle.sh" "$qroot" "$BUILD/qemu-bundle.cpio.gz" &&
		cat "$BUILD/qemu-bundle.cpio.gz" >>"$BUILD/$rel/initrd.gz" || return 1
	peer_boot "$rel" "$BUILD/$rel/initrd.gz" "$ik/vmlinuz" shared \
		"kmemleak=off lockdep.prove_locking=0"
}

# peer_boot KVER INITRD KERNEL PROFILE [KERNEL-ARGS]: one peer guest,
# labelled e.g. 7.3-peer or, on the rig's own kernel, 7.3-debug-peer.
peer_boot() {
	info "$peer_tag: $1, $4 profile"
	label=$(echo "$1" | cut -d. -f1,2)
	case $1 in *-barmap-*) label=$label-${1##*-barmap-} ;; esac
	KVER=$1 BARMAP_KERNEL=$3 BARMAP_MODE=peer BARMAP_QEMU_ROOT=$qroot \
		BARMAP_GUEST_TIMEOUT=3600 BARMAP_APPEND="barmap_label=$label-peer hugepagesz=1G hugepages=1${5:+ $5}" \
		sh "$here/run-guest.sh" "$4" "$2" "$BUILD/guest-$1" >>"$results" || true
}

# guest_suite KVER INITRD: the boot profiles on one kernel, exclusive,
# shared and rom (those of BARMAP_PROFILES, if set: scripts/bite.sh
# boots one).
guest_suite() {
	for profile in ${BARMAP_PROFILES:-exclusive shared rom}; do
		info "guest: $1, $profile profile"
		KVER=$1 sh "$here/run-guest.sh" "$profile" "$2" \
			"$BUILD/guest-$1" >>"$results" || true
	done
}

# debian7_suite: Debian's own 7.x kernel and modules, as make deps
# unpacked them (never installed): the module against the prepared O=
# tree, an initramfs with that kernel's vfio modules, every profile.
debian7_suite() {
	build_for_debian7 || return 1
	if has_suite peer; then
		rm -rf "$BUILD/peer"
		mkdir -p "$BUILD/peer"
		ln -s "$BUILD/guest-bin" "$BUILD/peer/guest-bin"
		: >"$BUILD/peer/results.tap"
		lane peer "$BUILD/peer/results.tap" peer_lane \
			>"$BUILD/peer.log" 2>&1 &
	fi
	BARMAP_KERNEL=$(debian7_vmlinuz) guest_suite "$rel7" "$BUILD/$rel7/initrd.gz"
}

# debug_suite: the guest suite again on the debug kernel (KASAN, lockdep,
# DEBUG_VM, PAGE_TABLE_CHECK, kmemleak), built once into the cache.
debug_suite() {
	step "debug kernel (scripts/rig-kernel.sh debug, cached)" \
		sh "$here/rig-kernel.sh" debug || return 1
	dk=$(tail -n 1 "$BUILD/step.log")
	rel=$(cat "$dk/kernelrelease")
	BARMAP_KERNEL_ROOT=$dk build_for "$rel" "$dk/build" || return 1
	# Sanitizers cost several times the time under TCG: a generous
	# bound, for hangs only.  The rom profile boots through UEFI, and
	# this kernel has no EFI stub: Debian's 7.x ran it.
	debug_profiles=
	for p in ${BARMAP_PROFILES:-exclusive shared rom}; do
		if [ "$p" = rom ]; then
			echo "ok - $(echo "$rel" | cut -d. -f1,2)-debug/rom: the rom profile's guest # SKIP the debug kernel has no EFI stub (UEFI boot); Debian's 7.x ran it"
		else
			debug_profiles="$debug_profiles $p"
		fi
	done
	if [ -n "$debug_profiles" ]; then
		BARMAP_GUEST_TIMEOUT=2400 BARMAP_KERNEL=$dk/vmlinuz \
			BARMAP_PROFILES=$debug_profiles \
			guest_suite "$rel" "$BUILD/$rel/initrd.gz"
	fi
}

# Debian's 7.x first, the nested end to end test on it, then Debian's
# 6.12, bookworm's 6.1 for compatibility, then the debug kernel (7.x's
# source).  The 7.x kernels need only the selftests: their module builds
# apart from the 6.12 one.
e2e_lane() {
	info "e2e: nested QEMU 7.2, 10.0 and 11.1, barmap-vfio-pci and vfio-pci"
	d7_ko=$BUILD/$(debian7_rel)/src/compat/tree/drivers/vfio/pci/barmap/barmap-vfio-pci.ko
	[ -f "$d7_ko" ] || build_for_debian7 || return 1
	E2E_PREBUILT=1 sh "$here/e2e.sh"
}

old61_suite() {
	old=$(installed_61_kver)
	if [ -z "$old" ]; then
		echo "not ok - build: no 6.1 kernel installed (run make deps)"
		return 1
	fi
	build_for "$old" && guest_suite "$old" "$BUILD/$old/initrd.gz"
}

# The guests, one at a time: Debian's 7.x, 6.12 and bookworm's 6.1, then
# arm64 with 16 KiB pages (Debian's arm64-16k kernel, which needs no
# build), then the two that wait for the rig's own kernels (make deps
# started them), side by side: the debug kernel's, and arm64 with 64 KiB
# pages.  The module and selftests are cross-built for arm64.
if [ $selftests_built = 0 ] && has_7x; then
	lane "$d7_series" "$results" debian7_suite
fi
if [ $built = 0 ]; then
	has_suite 6.12 &&
		lane 6.12 "$results" guest_suite "$KVER" "$BUILD/initrd.gz"
	has_suite 6.1 && lane 6.1 "$results" old61_suite
fi
# The zoo (scripts/zoo.sh) on Debian's 7.x and 6.12, under
# trixie-backports' QEMU, which make deps builds in the background: by
# now it is there.
zoo_suite() {
	z7=$(debian7_rel)
	late_deps_wait || true
	zoo_qroot=$(qemu_root backports)
	if [ -z "$zoo_qroot" ]; then
		echo "not ok - zoo: no trixie-backports QEMU root in $BARMAP_CACHE (run make deps)"
		return 0
	fi
	step "zoo: the plan of trixie-backports' QEMU (scripts/zoo.sh, cached)" \
		sh "$here/zoo.sh" plan "$BUILD/zoo" || return 0
	# The two kernels' guests side by side, one core each (TCG with
	# thread=single), each into a TAP file of its own, appended in order.
	zoo_pids=
	: >"$BUILD/zoo/7x.tap"
	: >"$BUILD/zoo/6.12.tap"
	if [ $selftests_built = 0 ] && has_7x && [ -f "$BUILD/$z7/initrd.gz" ]; then
		BARMAP_KERNEL=$(debian7_vmlinuz) zoo_guests \
			"$(echo "$z7" | cut -d. -f1,2)/zoo" "$BUILD/zoo" "$z7" \
			"$BUILD/$z7/initrd.gz" "$BUILD/guest-$z7" >>"$BUILD/zoo/7x.tap" &
		zoo_pids="$zoo_pids $!"
	fi
	if [ $built = 0 ]; then
		zoo_guests "$(echo "$KVER" | cut -d. -f1,2)/zoo" "$BUILD/zoo" \
			"$KVER" "$BUILD/initrd.gz" "$BUILD/guest-$KVER" \
			>>"$BUILD/zoo/6.12.tap" &
		zoo_pids="$zoo_pids $!"
	fi
	# shellcheck disable=SC2086 # the pids are words
	[ -z "$zoo_pids" ] || wait $zoo_pids
	cat "$BUILD/zoo/7x.tap" "$BUILD/zoo/6.12.tap"
	return 0
}
has_suite zoo && lane zoo "$results" zoo_suite
if has_suite arm64; then
	info "arm64: Debian's arm64-16k kernel, cross builds, guests"
	lane arm64-16k "$results" sh "$here/test-arm64.sh" 16k
fi
# arm64 with 64 KiB pages runs beside the debug kernel's guests, in the
# background, with its own $BUILD (its own step.log) and TAP file, added
# to $results at the end: an x86 guest keeps one core busy
# (thread=single), and by then the other background lanes are done (one
# core was idle for the debug lane's eight minutes when they ran one
# after the other).  Its selftests are those the 16k part cross-built.
arm64_64k_lane() {
	ln -sfn "$BUILD/arm64/bin" "$BUILD/arm64-64k/arm64/bin"
	# If the debug kernel is still building, its build stays first.
	BARMAP_KERNEL_NICE=10 BUILD=$BUILD/arm64-64k \
		sh "$here/test-arm64.sh" 64k
}
rm -rf "$BUILD/arm64-64k"
if has_suite arm64; then
	mkdir -p "$BUILD/arm64-64k/arm64"
	: >"$BUILD/arm64-64k/results.tap"
	info "arm64: our 64 KiB-page kernel (cached), cross builds, guests (log: $BUILD/arm64-64k.log)"
	lane arm64-64k "$BUILD/arm64-64k/results.tap" arm64_64k_lane \
		>"$BUILD/arm64-64k.log" 2>&1 &
fi
if [ $selftests_built = 0 ] && has_suite debug; then
	lane debug "$results" debug_suite
fi

wait

# The nested end to end test last, alone: its nested guests run TCG
# inside TCG, and beside other guests and kernel builds on two cores
# they did not boot within 15 minutes.
if [ $selftests_built = 0 ] && has_suite e2e; then
	lane e2e "$results" e2e_lane
fi

for f in static dkms-trixie arm64-64k; do
	if [ -f "$BUILD/$f/results.tap" ]; then
		cat "$BUILD/$f/results.tap" >>"$results"
	fi
done
if has_suite peer; then
	if [ -f "$BUILD/peer/results.tap" ]; then
		cat "$BUILD/peer/results.tap" >>"$results"
	else
		echo "not ok - $peer_tag: the lane did not run (no Debian 7.x build; see $BUILD/peer.log)" >>"$results"
	fi
fi
# The Debian 13 roots, which make deps builds in the background under
# make test: its status (late_deps_wait) and the three roots.
roots_built() {
	late_deps_wait && [ -n "$(qemu_root trixie)" ] &&
		[ -n "$(qemu_root backports)" ] && [ -n "$(dkms_root)" ]
}
if roots_built >>"$results"; then
	echo "ok - build: the Debian 13 roots (make deps, in the background under make test)" >>"$results"
else
	echo "not ok - build: the Debian 13 roots (make deps, in the background under make test)" >>"$results"
fi
echo "# lane-time total $(($(date +%s) - ${BARMAP_T0:-$suite_t0}))" >>"$results"
cpu_sample "$BUILD/cpu.samples"
cpu_use "$BUILD/cpu.samples" "$suite_t0" >>"$results"
grep -E '^(ok|not ok) |^# ' "$results" | grep -vE '^# +(RUN|OK) |^# lane-time '
# The whole suite is held to its manifest of expected results
# (scripts/expected-results); a run of some suites only is not.
if [ "$BARMAP_SUITES" = "$all_suites" ]; then
	sh "$here/summary.sh" "$here/expected-results" <"$results"
else
	echo "# BARMAP_SUITES=$BARMAP_SUITES: not held to scripts/expected-results"
	sh "$here/summary.sh" <"$results"
fi
