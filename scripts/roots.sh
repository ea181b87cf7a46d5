# SPDX-License-Identifier: GPL-2.0-only
#
# Debian 13 (trixie) roots for chroots, made on this Debian 12 host
# without installing anything of trixie on it: debootstrap --variant=
# minbase from the machine's mirror (d13_mirror), the archive keyring,
# then apt-get inside the root, with proc, sys and dev mounted only for
# that (in_root, lib.sh).  Each root's directory is keyed by the
# versions of the packages it gets, found in the private listing of
# scripts/debian13.sh before anything is built, and checked in the root
# after; ':' of an epoch is written %3a, as apt-get download does.
# Sourced by scripts/deps.sh after lib.sh and debian13.sh.
#
#   $BARMAP_CACHE/qemu-root-trixie_QEMUVER/
#       root/            minbase + qemu-system-x86 of trixie (QEMU 10.0.x)
#       version          first line of its qemu-system-x86_64 --version
#       *.log, complete  what debootstrap and apt said; stamp, written last
#   $BARMAP_CACHE/qemu-root-trixie-backports_QEMUVER/
#       the same with trixie-backports' qemu-system-x86 (QEMU 11.x), and
#       its qemu-system-arm (the zoo's arm64 guests); QEMUVER ends in +arm
#   $BARMAP_CACHE/qemu-trixie, qemu-backports   pointers: qemu_root (lib.sh)
#   $BARMAP_CACHE/dkms-root-trixie_.../, dkms-trixie   dkms, gcc-14 and
#                    Debian's 6.12 and 7.x headers (dkms_root_build below)
#   $(d13_dir)/debootstrap/   debootstrap's package cache, shared by the roots
#
# Nothing is redone: once the pointers name complete directories, no
# network I/O at all (BARMAP_DEBIAN7_REFRESH=1 looks for newer uploads).

# root_key VERSION: a package version as a file name component.
root_key() {
	echo "$1" | sed 's/:/%3a/g'
}

# d13_bootstrap DIR: trixie minbase in DIR/root, from scratch.
d13_bootstrap() {
	unmount_under "$1"
	rm -rf --one-file-system "$1"
	mkdir -p "$1" "$(d13_dir)/debootstrap"
	debootstrap --variant=minbase \
		--keyring=/usr/share/keyrings/debian-archive-keyring.gpg \
		--cache-dir="$(d13_dir)/debootstrap" \
		trixie "$1/root" "$(d13_mirror)" >"$1/debootstrap.log" 2>&1 || {
		unmount_under "$1"
		tail -n 20 "$1/debootstrap.log" >&2
		die "deps: debootstrap trixie into $1/root failed"
	}
}

# d13_root_begin DIR SUITES: the root's own sources (the mirror's SUITES,
# main) and their lists; no service may start while packages go in.
# Then d13_root_get DIR [-t SUITE] PKG=VER..., as often as needed, and
# d13_root_end DIR.  What apt says goes to DIR/install.log.
d13_root_begin() {
	ri_root=$1/root
	key=/usr/share/keyrings/debian-archive-keyring.gpg
	for s in $2; do
		echo "deb [signed-by=$key] $(d13_mirror) $s main"
	done >"$ri_root/etc/apt/sources.list"
	printf '#!/bin/sh\nexit 101\n' >"$ri_root/usr/sbin/policy-rc.d"
	chmod 755 "$ri_root/usr/sbin/policy-rc.d"
	# The host's apt may not check Valid-Until (a snapshot mirror): the
	# root's apt reads the same Release files, so it does the same.
	vu=$(apt-config dump Acquire::Check-Valid-Until |
		sed -n 's/^Acquire::Check-Valid-Until "\(.*\)";$/\1/p')
	in_root "$ri_root" apt-get -q -o Acquire::Languages=none \
		${vu:+-o Acquire::Check-Valid-Until="$vu"} update \
		>"$1/install.log" 2>&1 || {
		tail -n 20 "$1/install.log" >&2
		die "deps: apt-get update in $ri_root failed (log: $1/install.log)"
	}
}

# d13_root_get DIR [-t SUITE] PKG=VER...: install, without recommends
# (INITRD=No: a kernel image that headers depend on needs no initramfs).
d13_root_get() {
	ri_dir=$1
	shift
	in_root "$ri_dir/root" env INITRD=No apt-get install -y -q \
		--no-install-recommends "$@" >>"$ri_dir/install.log" 2>&1 || {
		tail -n 20 "$ri_dir/install.log" >&2
		die "deps: apt-get install $* in $ri_dir/root failed (log: $ri_dir/install.log)"
	}
}

# d13_root_end DIR: no package cache, lists nor policy-rc.d left behind;
# the mount points a user of the root cannot create (it is shared
# read-only).
d13_root_end() {
	ri_root=$1/root
	in_root "$ri_root" apt-get clean >>"$1/install.log" 2>&1 ||
		die "deps: apt-get clean in $ri_root failed"
	rm -f "$ri_root/usr/sbin/policy-rc.d"
	find "$ri_root/var/lib/apt/lists" -maxdepth 1 -type f -name '*_*' -delete
	mkdir -p "$ri_root/proc" "$ri_root/sys" "$ri_root/dev" \
		"$ri_root/tmp" "$ri_root/run"
}

# d13_root_check DIR PKG VERSION: the root has PKG at VERSION.
d13_root_check() {
	# shellcheck disable=SC2016 # a dpkg-query format
	rc_=$(chroot "$1/root" dpkg-query -W -f='${Version}' "$2" 2>/dev/null) || rc_=
	[ "$rc_" = "$3" ] ||
		die "deps: $1/root has $2 '$rc_', expected '$3'"
}

# set_pointer NAME DIR: $BARMAP_CACHE/NAME names DIR (read by cached).
set_pointer() {
	echo "$2" >"$BARMAP_CACHE/$1.tmp"
	mv "$BARMAP_CACHE/$1.tmp" "$BARMAP_CACHE/$1"
}

# d13_root_done DIR POINTER: stamp it, then point to it.
d13_root_done() {
	date -u '+%F %T' >"$1/complete.tmp"
	mv "$1/complete.tmp" "$1/complete"
	set_pointer "$2" "$1"
}

# qemu_root_build trixie|backports: the root with that suite's newest
# qemu-system-x86.
qemu_root_build() {
	case $1 in
	trixie) suite=trixie suites=trixie target= arm= ;;
	# The zoo's arm64 guests run its qemu-system-aarch64 too.
	backports) suite=trixie-backports suites="trixie trixie-backports"
		target="-t trixie-backports" arm=+arm ;;
	esac
	# A root made before its packages changed (no +arm) is made again.
	case $(qemu_root "$1") in
	"") ;;
	*"$arm"/root) [ -n "${BARMAP_DEBIAN7_REFRESH:-}" ] || return 0 ;;
	esac
	d13_setup
	d13_update
	ver=$(d13_suite_version qemu-system-x86 "$suite")
	[ -n "$ver" ] || die "deps: no qemu-system-x86 in $suite"
	dir=$BARMAP_CACHE/qemu-root-${suite}_$(root_key "$ver")$arm
	if [ ! -f "$dir/complete" ]; then
		info "deps: a $suite root with qemu-system-x86 $ver in $dir"
		t0=$(date +%s)
		d13_bootstrap "$dir"
		t1=$(date +%s)
		d13_root_begin "$dir" "$suites"
		# shellcheck disable=SC2086 # target is words
		d13_root_get "$dir" $target "qemu-system-x86=$ver" \
			${arm:+"qemu-system-arm=$ver"}
		d13_root_end "$dir"
		t2=$(date +%s)
		d13_root_check "$dir" qemu-system-x86 "$ver"
		[ -z "$arm" ] || d13_root_check "$dir" qemu-system-arm "$ver"
		line=$(chroot "$dir/root" qemu-system-x86_64 --version | head -n 1)
		case $line in
		"QEMU emulator version "*) echo "$line" >"$dir/version" ;;
		*) die "deps: qemu-system-x86_64 --version in $dir/root says '$line'" ;;
		esac
		d13_root_done "$dir" "qemu-$1"
		info "deps: $line in $dir: debootstrap $((t1 - t0)) s, install $((t2 - t1)) s"
	fi
	set_pointer "qemu-$1" "$dir"
}

# Both QEMU roots, for the nested end-to-end test (scripts/e2e.sh).
qemu_roots() {
	qemu_root_build trixie
	qemu_root_build backports
}

# dkms_root_build: trixie minbase with dkms, gcc-14 (trixie's gcc) and
# make, Debian's headers of the newest trixie 6.12 kernel and of the
# newest trixie-backports 7.x one, as a user of Debian 13 has them (the
# 6.12 headers bring their kernel image along, INITRD=No; the 7.x ones
# come with -t trixie-backports), and what the Debian package of the
# module is built, checked and tested with (scripts/deb.sh): debhelper,
# dh-dkms, lintian, autopkgtest and autodep8; and what boots it as a
# Debian system (scripts/system.sh): systemd, udev, driverctl, libvirt's
# daemon with its QEMU driver, trixie's QEMU and the 7.x kernel's image.
# Keyed by both headers packages, dkms's version and those of debhelper,
# lintian, autopkgtest, systemd, driverctl, libvirt and QEMU.
# scripts/test.sh has DKMS build the module there.
#
#   $BARMAP_CACHE/dkms-root-trixie_REL612_VER_REL7_VER_dkms_VER_deb_DH_LINTIAN_AUTOPKGTEST_sys_SYSTEMD_DRIVERCTL_virt_LIBVIRT_QEMU/
#       root/            the root
#       rel612, rel7     the two kernel releases it has headers for
#       gcc              the first line of its gcc-14 --version
#       *.log, complete
#   $BARMAP_CACHE/dkms-trixie   pointer: dkms_root (lib.sh)
dkms_root_build() {
	# A root made before it had the packaging tools, what boots it
	# (_sys_) and libvirt (_virt_) is made again.
	case $(dkms_root) in
	"") ;;
	*_virt_*/root) [ -n "${BARMAP_DEBIAN7_REFRESH:-}" ] || return 0 ;;
	esac
	d13_setup
	d13_update
	h6=$(d13_newest_pkg linux-headers-6.12. \
		'linux-headers-6\.12\.[0-9]+\+deb13-amd64' trixie)
	h7=$(d13_newest_pkg linux-headers-7. \
		'linux-headers-7\.[0-9.]+\+deb13-amd64' trixie-backports)
	[ -n "$h6" ] || die "deps: no linux-headers-6.12.*+deb13-amd64 in trixie"
	[ -n "$h7" ] || die "deps: no linux-headers-7.*+deb13-amd64 in trixie-backports"
	v6=$(d13_suite_version "$h6" trixie)
	v7=$(d13_suite_version "$h7" trixie-backports)
	vd=$(d13_suite_version dkms trixie)
	[ -n "$vd" ] || die "deps: no dkms in trixie"
	vdh=$(d13_suite_version debhelper trixie)
	vl=$(d13_suite_version lintian trixie)
	va=$(d13_suite_version autopkgtest trixie)
	vs=$(d13_suite_version systemd trixie)
	vdc=$(d13_suite_version driverctl trixie)
	vv=$(d13_suite_version libvirt-daemon-system trixie)
	vq=$(d13_suite_version qemu-system-x86 trixie)
	[ -n "$vdh" ] && [ -n "$vl" ] && [ -n "$va" ] && [ -n "$vs" ] && [ -n "$vdc" ] &&
		[ -n "$vv" ] && [ -n "$vq" ] ||
		die "deps: no debhelper, lintian, autopkgtest, systemd, driverctl, libvirt or QEMU in trixie"
	r6=${h6#linux-headers-} r7=${h7#linux-headers-}
	dir=$BARMAP_CACHE/dkms-root-trixie_${r6}_$(root_key "$v6")_${r7}_$(root_key "$v7")_dkms_$(root_key "$vd")_deb_$(root_key "$vdh")_$(root_key "$vl")_$(root_key "$va")_sys_$(root_key "$vs")_$(root_key "$vdc")_virt_$(root_key "$vv")_$(root_key "$vq")
	if [ ! -f "$dir/complete" ]; then
		info "deps: a trixie root with dkms $vd, gcc-14, $h6 $v6 and $h7 $v7 in $dir"
		t0=$(date +%s)
		d13_bootstrap "$dir"
		t1=$(date +%s)
		d13_root_begin "$dir" "trixie trixie-backports"
		d13_root_get "$dir" "dkms=$vd" gcc-14 make "$h6=$v6"
		# The Debian package: built (build-essential, which
		# dpkg-checkbuilddeps wants), checked and tested (the test
		# autodep8 writes for autopkgtest-pkg-dkms depends on dkms,
		# openssl, dctrl-tools and linux-doc: trixie's, of the 6.12
		# headers' version).
		d13_root_get "$dir" build-essential "debhelper=$vdh" "dh-dkms=$vd" \
			"lintian=$vl" "autopkgtest=$va" autodep8 dctrl-tools openssl \
			"linux-doc=$v6"
		# What boots it as a Debian system (scripts/system.sh): systemd
		# as init, udev, D-Bus (systemctl's way to systemd), driverctl,
		# and both kernels' images (the 6.12 one came with its headers).
		d13_root_get "$dir" "systemd=$vs" systemd-sysv udev dbus "driverctl=$vdc"
		# libvirt as a Debian user installs it (libvirtd: trixie ships no
		# split daemons), with trixie's QEMU for its domains.
		d13_root_get "$dir" "libvirt-daemon-system=$vv" "libvirt-clients=$vv" \
			"qemu-system-x86=$vq"
		d13_root_get "$dir" -t trixie-backports "$h7=$v7" "linux-image-$r7=$v7"
		d13_root_end "$dir"
		t2=$(date +%s)
		d13_root_check "$dir" dkms "$vd"
		d13_root_check "$dir" lintian "$vl"
		d13_root_check "$dir" autopkgtest "$va"
		d13_root_check "$dir" debhelper "$vdh"
		d13_root_check "$dir" systemd "$vs"
		d13_root_check "$dir" driverctl "$vdc"
		d13_root_check "$dir" libvirt-daemon-system "$vv"
		d13_root_check "$dir" qemu-system-x86 "$vq"
		d13_root_check "$dir" "$h6" "$v6"
		d13_root_check "$dir" "$h7" "$v7"
		for r in "$r6" "$r7"; do
			[ -f "$dir/root/usr/lib/modules/$r/build/Makefile" ] ||
				die "deps: no /lib/modules/$r/build in $dir/root"
		done
		chroot "$dir/root" gcc-14 --version | head -n 1 >"$dir/gcc"
		echo "$r6" >"$dir/rel612"
		echo "$r7" >"$dir/rel7"
		d13_root_done "$dir" dkms-trixie
		info "deps: DKMS root in $dir: debootstrap $((t1 - t0)) s, install $((t2 - t1)) s"
	fi
	set_pointer dkms-trixie "$dir"
}
