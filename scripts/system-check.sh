#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The booted Debian 13 system's own check (scripts/system.sh installs it
# as /usr/local/sbin/barmap-rig-check, run by barmap-rig-check.service
# once basic.target is reached: after udev and driverctl have done their
# work at boot, before any VMM could start).  TAP on ttyS1, as the rig's
# other guests.  The kernel command line says which boot this is:
#   barmap_label=LABEL  TAP label (7.3-system-trixie, ...)
#   barmap_boot=N       the Nth boot of the system (1 to 4)
#   barmap_setup=1      set the driverctl overrides in this boot
#   barmap_removed=1    the package was removed (apt-get remove, by the
#                       rig, in the chroot) since the last boot
#   barmap_libvirt=1    then libvirt: nodedev-detach, and a domain passed
#                       the i6300esb with and without <driver model=...>
# Each boot reads from sysfs what udev, driverctl and modprobe.d did with
# nothing run by hand: with the package, the i6300esb bound by ids=
# (softdep before its own driver) and, from the second boot on, the
# nvme and the rtl8139 bound by the overrides driverctl saved; after the
# removal, no module and no override, the nvme and the rtl8139 on their
# own drivers.  The ivshmem, named nowhere, is left alone.  Then it
# reboots: QEMU (-no-reboot) exits, and the rig boots the next kernel.

exec >/dev/ttyS1 2>&1
label=system boot=0 setup=0 removed=0 libvirt=0
for arg in $(cat /proc/cmdline); do
	case $arg in
	barmap_label=*) label=${arg#*=} ;;
	barmap_boot=*) boot=${arg#*=} ;;
	barmap_setup=*) setup=${arg#*=} ;;
	barmap_removed=*) removed=${arg#*=} ;;
	barmap_libvirt=*) libvirt=${arg#*=} ;;
	esac
done
NVME=0000:00:03.0 IVSHMEM=0000:00:04.0 RTL=0000:00:05.0 ESB=0000:00:06.0
DRIVER=barmap-vfio-pci
pkg=barmap-vfio-pci-dkms
n=0

tap() {	# tap STATUS NAME...
	n=$((n + 1))
	if [ "$1" = 0 ]; then st=ok; else st="not ok"; fi
	shift
	echo "$st $n rig/$label/boot$boot: $*"
}

driver_of() {	# driver_of BDF: its driver's name, or "none"
	if [ -e "/sys/bus/pci/devices/$1/driver" ]; then
		basename "$(readlink "/sys/bus/pci/devices/$1/driver")"
	else
		echo none
	fi
}

bound() {	# bound BDF DRIVER [HOW]: one TAP line
	got=$(driver_of "$1")
	[ "$got" = "$2" ]
	tap $? "$1 is bound to $2${3:+ ($3)}: $got"
}

# Coldplug done (udev has run its rules for every device, which is when
# driverctl's rule asks for driverctl@pci-BDF.service), and no such unit
# still queued: then nothing of the boot may change a binding any more.
# Beside other guests on a loaded host this one runs many times slower
# than real time: udevd may not even answer settle's ping in time
# ("Failed to wait for daemon to reply"; on 2026-12-05 the check then
# ran after 142 s with coldplug's module loads still queued, and udev
# killed them later), so settle is asked again until it answers that
# the queue is empty, for up to 20 minutes.  The kernel command line
# (system.sh) gives each udev event as long before its worker is killed.
t0=$(date +%s)
settled=no
while [ $(($(date +%s) - t0)) -lt 1200 ]; do
	if udevadm settle --timeout=120; then
		settled=yes
		break
	fi
	sleep 5
done
while systemctl list-jobs --no-legend --plain 2>/dev/null | grep -q driverctl@ &&
	[ $(($(date +%s) - t0)) -lt 1200 ]; do
	sleep 1
done
echo "# udev settled: $settled; no driverctl job queued; after $(($(date +%s) - t0)) s"
echo "# barmap system: kernel $(uname -r), boot $boot, systemd $(systemctl --version | sed -n 1p), up $(cut -d" " -f1 /proc/uptime) s"
echo "# units before this one: $(systemctl list-units --state=failed --no-legend --plain | wc -l) failed"
systemctl list-units --state=failed --no-legend --plain | sed 's/^/#   failed: /'
echo "# /etc/driverctl.d: $(ls /etc/driverctl.d 2>/dev/null | tr '\n' ' ')"
echo "# modules: $(lsmod | awk 'NR > 1 { print $1 }' | grep -E 'vfio|barmap|i6300esb|nvme|8139' | tr '\n' ' ')"
for d in $NVME $IVSHMEM $RTL $ESB; do
	echo "# $d $(cat /sys/bus/pci/devices/$d/vendor):$(cat /sys/bus/pci/devices/$d/device) driver $(driver_of $d) override $(cat /sys/bus/pci/devices/$d/driver_override)"
done

# libvirt (boot 2, barmap_libvirt=1): libvirtd (trixie ships no split
# daemons), socket-activated as libvirt-daemon-system installs it, is
# asked what a user of libvirt asks.  The rig's /etc/libvirt/qemu.conf
# (scripts/system.sh) runs QEMU as root, unconfined: under test is the
# driver libvirt picks, not its security drivers.
#   - virsh nodedev-detach --driver barmap-vfio-pci, then
#     nodedev-reattach, of the ivshmem, which no driver holds;
#   - a domain (type qemu: TCG, as everything here) passed the i6300esb,
#     managed, with <driver model='barmap-vfio-pci'/>: while it runs the
#     device is on barmap, and the nested guest of make e2e (kernel and
#     initramfs in $rig, put there by scripts/system.sh) probes its
#     watchdog driver on it and pings it; its poweroff ends the domain,
#     and libvirt hands the device back;
#   - the same domain without model: libvirt picks the vfio_pci alias
#     of modules.alias with the fewest wildcards, the first on a tie:
#     vfio-pci (barmap's ties and comes later, so it is chosen only
#     when asked for), moves the device there (driver_override, unbind,
#     drivers_probe), and virsh destroy hands it back (override cleared,
#     unbind, drivers_probe: ids= puts it on barmap again).
# A device libvirt found on the driver it wanted stays there after the
# domain (libvirt did not bind it, so it does not unbind it).
rig=/var/lib/barmap-rig
virsh_q() {	# virsh_q ARGS...: virsh on qemu:///system, its output as notes
	timeout 600 virsh -c qemu:///system "$@" >/tmp/virsh.log 2>&1
	st=$?
	sed "s/^/#   virsh $1: /" /tmp/virsh.log
	return $st
}

domain_xml() {	# domain_xml NAME TAG [DRIVER_ELEMENT]: the nested guest's domain
	cat <<-XML
	<domain type='qemu'>
	  <name>$1</name>
	  <memory unit='MiB'>256</memory>
	  <vcpu>1</vcpu>
	  <os>
	    <type arch='x86_64' machine='q35'>hvm</type>
	    <kernel>$rig/l2-vmlinux</kernel>
	    <initrd>$rig/l2-initrd</initrd>
	    <cmdline>console=ttyS0 quiet panic=-1 no_timer_check tsc=reliable mitigations=off cryptomgr.notests e2e_tag=$2 e2e_devs=esb</cmdline>
	  </os>
	  <cpu mode='custom' match='exact' check='none'><model fallback='forbid'>qemu64</model></cpu>
	  <on_reboot>destroy</on_reboot>
	  <devices>
	    <emulator>/usr/bin/qemu-system-x86_64</emulator>
	    <controller type='usb' model='none'/>
	    <serial type='file'><source path='$rig/$1.console'/></serial>
	    <hostdev mode='subsystem' type='pci' managed='yes'>
	      $3
	      <source><address domain='0x0000' bus='0x00' slot='0x06' function='0x0'/></source>
	    </hostdev>
	    <memballoon model='none'/>
	  </devices>
	</domain>
	XML
}

domstate() {	# domstate NAME
	virsh -c qemu:///system domstate "$1" 2>/dev/null | sed -n 1p
}

libvirt_checks() {
	echo "# libvirt: $(libvirtd --version 2>&1); $(qemu-system-x86_64 --version | sed -n 1p)"
	node=pci_0000_00_04_0
	virsh_q nodedev-detach $node --driver $DRIVER
	st=$?
	[ $st = 0 ] && [ "$(driver_of $IVSHMEM)" = $DRIVER ]
	tap $? "virsh nodedev-detach $node --driver $DRIVER: the ivshmem is on $(driver_of $IVSHMEM)"
	virsh_q nodedev-reattach $node
	st=$?
	[ $st = 0 ] && [ "$(driver_of $IVSHMEM)" = none ]
	tap $? "virsh nodedev-reattach $node: the ivshmem is on no driver again: $(driver_of $IVSHMEM)"

	# With the model: the nested guest drives the watchdog through barmap.
	name=barmap-l2
	domain_xml $name $DRIVER "<driver model='$DRIVER'/>" >$rig/$name.xml
	t0=$(date +%s)
	virsh_q define $rig/$name.xml && virsh_q start $name
	started=$?
	tap $started "virsh start $name (<driver model='$DRIVER'/>, managed)"
	during=$(driver_of $ESB)
	[ $started = 0 ] && [ "$(domstate $name)" = running ] && [ "$during" = $DRIVER ]
	tap $? "$ESB is on $DRIVER while $name runs: $during"
	while [ "$(domstate $name)" = running ] && [ $(($(date +%s) - t0)) -lt 1200 ]; do
		sleep 5
	done
	echo "# $name ended in $(($(date +%s) - t0)) s: $(domstate $name)"
	tr -d '\r' <$rig/$name.console 2>/dev/null | sed -n 's/^E2E # /#   L2: /p'
	grep -q "^E2E ok i6300esb: /dev/watchdog opened, pinged twice" $rig/$name.console 2>/dev/null
	tap $? "the nested guest probed its i6300esb driver on the device and pinged /dev/watchdog"
	[ "$(domstate $name)" = running ] && virsh_q destroy $name
	after=$(driver_of $ESB)
	[ $started = 0 ] && [ "$after" = $DRIVER ]
	tap $? "$name is over: $ESB is still where ids= put it at boot: $after"
	virsh_q undefine $name

	# Without the model: libvirt chooses vfio-pci.
	name=vfio-l2
	domain_xml $name vfio-pci "" >$rig/$name.xml
	virsh_q define $rig/$name.xml && virsh_q start $name
	started=$?
	tap $started "virsh start $name (no driver model, managed)"
	during=$(driver_of $ESB)
	[ $started = 0 ] && [ "$during" = vfio-pci ]
	tap $? "without a model libvirt moved $ESB to vfio-pci: $during"
	virsh_q destroy $name
	destroyed=$?
	after=$(driver_of $ESB)
	[ $started = 0 ] && [ $destroyed = 0 ] && [ "$after" = $DRIVER ]
	tap $? "virsh destroy $name: $ESB is back where ids= put it at boot: $after"
	virsh_q undefine $name
}

bound $IVSHMEM none "named by no override nor ID"
if [ "$removed" = 1 ]; then
	modinfo $DRIVER >/dev/null 2>&1
	[ $? != 0 ]
	tap $? "$DRIVER is not installed any more: $(modinfo -F filename $DRIVER 2>&1)"
	overrides=$(grep -lx $DRIVER /etc/driverctl.d/* 2>/dev/null)
	[ -z "$overrides" ]
	tap $? "no driverctl override of $DRIVER is left${overrides:+: $overrides}"
	bound $NVME nvme "no override: its own driver again"
	got=$(driver_of $RTL)
	case $got in 8139cp | 8139too) true ;; *) false ;; esac
	tap $? "$RTL is on its own driver again (8139cp or 8139too): $got"
	echo "# $ESB: $(driver_of $ESB), with ids= and the softdep still in /etc/modprobe.d/local-vfio.conf (the user's own file)"
else
	case $(modinfo -F filename $DRIVER 2>/dev/null) in
	"/lib/modules/$(uname -r)/updates/dkms/"* | "/usr/lib/modules/$(uname -r)/updates/dkms/"*) true ;;
	*) false ;;
	esac
	tap $? "the module DKMS built when apt installed $pkg is the one modprobe finds: $(modinfo -F filename $DRIVER 2>&1)"
	bound $ESB $DRIVER "options barmap-vfio-pci ids=8086:25ab, softdep i6300esb pre: barmap-vfio-pci"
	if [ "$setup" = 1 ]; then
		bound $NVME nvme "no override yet: its own driver"
		for d in $NVME $RTL; do
			timeout 120 driverctl -v set-override "$d" $DRIVER >/tmp/driverctl.log 2>&1
			st=$?
			sed "s/^/#   driverctl: /" /tmp/driverctl.log
			[ $st = 0 ] && [ "$(cat "/etc/driverctl.d/pci-$d" 2>/dev/null)" = $DRIVER ] &&
				[ "$(driver_of "$d")" = $DRIVER ]
			tap $? "driverctl set-override $d $DRIVER: bound now, saved in /etc/driverctl.d"
		done
	else
		bound $NVME $DRIVER "driverctl's override, applied at boot"
		bound $RTL $DRIVER "driverctl's override, applied at boot"
		[ "$libvirt" = 1 ] && libvirt_checks
	fi
fi
echo "# barmap-guest-done"
systemctl reboot
