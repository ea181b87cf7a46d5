#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0-only
#
# /init of the initramfs that boots the Debian 13 root as a system
# (scripts/system.sh): QEMU shares the root's directory over 9p (mount
# tag "root"); load what mounts it (the modules listed in /modules, in
# order), mount it and hand over to the root's systemd.  Anything that
# fails stops the guest with a message on the console.

/bin/busybox mkdir -p /proc /sys /dev /newroot
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

stop() {
	echo "barmap system init: $*" >/dev/console
	poweroff -f
}

while read -r ko; do
	insmod "$ko" || stop "insmod $ko failed"
done </modules
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 root /newroot ||
	stop "cannot mount the 9p root"
[ -x /newroot/lib/systemd/systemd ] || stop "no systemd in the root"
# The rig's marker (scripts/run-guest.sh): from here on, a failure is the
# system's, the module's among them, not the rig's, and is not retried.
echo "# barmap-rig-ready" >/dev/ttyS1
umount /proc /sys /dev
exec switch_root /newroot /lib/systemd/systemd
