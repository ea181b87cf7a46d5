# SPDX-License-Identifier: GPL-2.0-only
#
# A real Debian 13 system with the package installed, booted: the
# overlay of scripts/deb.sh (the trixie root of make deps, with systemd,
# udev, driverctl and both kernels' images and headers), in which the
# package's autopkgtest has installed barmap-vfio-pci-dkms with apt and
# DKMS has built the module for both kernels, is booted as the guest's
# root over 9p with systemd as init (scripts/system-init.sh, then the
# root's own /lib/systemd/systemd), four times, on the root's own
# kernels: 7.x twice, then 6.12 twice.  What the user would have done is
# done once before the first boot, the rest at boot by the system
# itself:
#   - /etc/modprobe.d/local-vfio.conf: ids= for the i6300esb (8086:25ab)
#     and a softdep before its own driver, i6300esb;
#   - in the first boot, driverctl set-override of the nvme and the
#     rtl8139 (scripts/system-check.sh);
#   - in the second, libvirt: virsh nodedev-detach --driver, and a domain
#     (trixie's QEMU, TCG) whose nested guest, make e2e's, drives the
#     i6300esb through <driver model='barmap-vfio-pci'/>, then the same
#     domain without model, on vfio-pci (system_l2 puts the nested
#     guest in the root; the rig's qemu.conf runs QEMU as root);
#   - before the last, apt-get remove of the package, in the chroot (in
#     the guest, DKMS's depmod of both kernels over 9p takes minutes).
# Each boot's checks are scripts/system-check.sh's, run by a unit once
# basic.target is reached; its TAP lines are labelled REL-system-trixie.
# Sourced by scripts/test.sh (the dkms-trixie lane) after scripts/deb.sh.

# system_prepare DIR: the overlay DIR/root made ready to boot: the
# check, its unit, the rig's modprobe.d lines.
system_prepare() {
	r=$1/root
	install -D -m 0755 "$here/system-check.sh" "$r/usr/local/sbin/barmap-rig-check" &&
		mkdir -p "$r/etc/systemd/system/multi-user.target.wants" &&
		cat >"$r/etc/systemd/system/barmap-rig-check.service" <<-EOF &&
		[Unit]
		Description=barmap-vfio-pci rig: the bindings at boot, then reboot or power off
		After=basic.target

		[Service]
		Type=oneshot
		ExecStart=/usr/local/sbin/barmap-rig-check

		[Install]
		WantedBy=multi-user.target
		EOF
		ln -sf /etc/systemd/system/barmap-rig-check.service \
			"$r/etc/systemd/system/multi-user.target.wants/" &&
		cat >"$r/etc/modprobe.d/local-vfio.conf" <<-EOF &&
		# The rig's: bind QEMU's i6300esb to barmap-vfio-pci at boot.
		options barmap-vfio-pci ids=8086:25ab
		softdep i6300esb pre: barmap-vfio-pci
		EOF
		cat >>"$r/etc/libvirt/qemu.conf" <<-EOF &&

		# The rig's: QEMU as root, unconfined, nothing relabelled (the
		# root is a 9p share; what is under test is the VFIO driver
		# libvirt picks, not its security drivers).
		user = "+0"
		group = "+0"
		dynamic_ownership = 0
		security_driver = "none"
		EOF
		cat >>"$r/etc/fstab" <<-EOF &&
		# The rig's: 9p cannot hold a unix socket (bind() fails with
		# ENXIO), and libvirt puts QEMU's QMP sockets, the probe's and
		# each domain's, under /var/lib/libvirt/qemu; libvirtd makes
		# its directories again at start.
		tmpfs /var/lib/libvirt tmpfs mode=0755 0 0
		EOF
		echo barmap-rig >"$r/etc/hostname" &&
		: >"$r/etc/machine-id"
}

# system_initrd DIR REL OUT: busybox, the 9p modules of REL (with what
# they need, in load order, decompressed: busybox insmod reads no .ko.xz)
# and scripts/system-init.sh as /init.
system_initrd() {
	stage=$1/initrd-$2
	rm -rf "$stage"
	mkdir -p "$stage/bin" "$stage/modules.d"
	cp /bin/busybox "$stage/bin/busybox"
	cp "$here/system-init.sh" "$stage/init"
	chmod 755 "$stage/init"
	modprobe -d "$1/root" -S "$2" -a --show-depends 9pnet_virtio 9p >"$stage/deps" ||
		return 1
	: >"$stage/modules"
	# "insmod PATH" lines; "builtin NAME" ones need nothing.
	sed -n 's/^insmod \([^ ]*\).*/\1/p' "$stage/deps" | awk '!seen[$0]++' |
		while read -r ko; do
			name=${ko##*/}
			name=${name%.xz}
			# (kmod prints the path with -d's directory in front)
			[ -f "$ko" ] || ko=$1/root$ko
			case $ko in
			*.xz) xz -dc "$ko" >"$stage/modules.d/$name" ;;
			*) cp "$ko" "$stage/modules.d/$name" ;;
			esac || exit 1
			echo "/modules.d/$name" >>"$stage/modules"
		done || return 1
	grep -q '/9p.ko$' "$stage/modules" || {
		echo "no 9p module of $2 in $1/root"
		return 1
	}
	cat "$stage/modules"
	(cd "$stage" && find . | cpio -o -H newc --quiet) | gzip -1 >"$3"
}

# system_boot DIR REL N SETUP REMOVED [LIBVIRT]: the Nth boot, on the
# root's kernel REL (with LIBVIRT=1, libvirt's checks after the
# bindings: nested guests under TCG in TCG take many minutes more);
# TAP to $results.  udev.event_timeout: udevd kills a worker whose event
# takes longer (180 s by default, and coldplug's modprobes over 9p took
# longer beside other guests); the check waits for udev up to 20
# minutes (system-check.sh), within the guest's bound.
system_boot() {
	sys_label=$(echo "$2" | cut -d. -f1,2)-system-trixie
	KVER=$2 BARMAP_KERNEL=$1/root/boot/vmlinuz-$2 \
		BARMAP_SYSTEM_ROOT=$1/root BARMAP_GUEST_TIMEOUT=$((1800 + ${6:-0} * 1500)) \
		BARMAP_APPEND="udev.event_timeout=1200 barmap_label=$sys_label barmap_boot=$3 barmap_setup=$4 barmap_removed=$5 barmap_libvirt=${6:-0}" \
		sh "$here/run-guest.sh" system "$1/initrd-$2.gz" \
		"$BUILD/system-$3" >>"$results" || true
}

# system_l2 DIR: the nested guest of make e2e (lib.sh's l2_build: the
# rig's L2 kernel and scripts/e2e-l2-init.sh), which the booted system's
# libvirt domain runs (scripts/system-check.sh), in the overlay's
# /var/lib/barmap-rig.
system_l2() {
	mkdir -p "$1/root/var/lib/barmap-rig" &&
		l2_build "$1/root/var/lib/barmap-rig"
}
