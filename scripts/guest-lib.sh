# SPDX-License-Identifier: GPL-2.0-only
#
# Shell functions of the guests' init scripts (scripts/guest-init.sh,
# scripts/e2e-init.sh), sourced from /lib/guest-lib.sh of their
# initramfs.

bind() {	# bind BDF DRIVER: driver_override + drivers_probe
	dev=/sys/bus/pci/devices/$1
	[ -e "$dev/driver" ] && echo "$1" >"$dev/driver/unbind"
	echo "$2" >"$dev/driver_override"
	echo "$1" >/sys/bus/pci/drivers_probe
	[ "$(basename "$(readlink "$dev/driver")")" = "$2" ]
}

unbind() {	# unbind BDF: no driver, and no override left behind
	dev=/sys/bus/pci/devices/$1
	[ -e "$dev/driver" ] && echo "$1" >"$dev/driver/unbind"
	echo >"$dev/driver_override"
	[ ! -e "$dev/driver" ]
}
