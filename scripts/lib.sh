# SPDX-License-Identifier: GPL-2.0-only
#
# Shared helpers for the scripts in this directory (sourced, not run).

: "${BARMAP_CACHE:=/var/cache/barmap}"

info() {
	echo "$*" >&2
}

die() {
	echo "error: $*" >&2
	exit 1
}

# newest_installed GLOB: the newest kernel release matching GLOB (as in
# /usr/src/linux-headers-GLOB) that has image, modules and headers.
newest_installed() {
	for h in /usr/src/linux-headers-$1; do
		[ -d "$h" ] || continue
		k=${h#/usr/src/linux-headers-}
		[ -f "/boot/vmlinuz-$k" ] && [ -d "/lib/modules/$k/kernel" ] &&
			echo "$k"
	done | sort -V | tail -n 1
}

# Newest installed Debian 6.12 kernel, e.g. 6.12.117+deb12-amd64, and
# bookworm 6.1 kernel, e.g. 6.1.0-56-amd64.  Empty when there is none.
installed_612_kver() {
	newest_installed '6.12.*+deb12-amd64'
}

installed_61_kver() {
	newest_installed '6.1.0-*-amd64'
}

# Where linux-source-6.12 is unpacked, keyed by the package version so a
# new upload is unpacked next to, not over, the old one.
source_tree() {
	v=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null) ||
		die "linux-source-6.12 is not installed (run make deps)"
	echo "$BARMAP_CACHE/linux-source-6.12_$v"
}

# Where scripts/deps.sh unpacks Debian's busybox-static:arm64 (dpkg -x);
# the static binary is DIR/bin/busybox.
arm64_busybox_dir() {
	echo "$BARMAP_CACHE/busybox-arm64"
}

# One line on what a guest boot profile means.
profile_text() {
	case $1 in
	exclusive) echo "BARs as SeaBIOS places them: each sub-page BAR alone in its 4 KiB page" ;;
	shared) echo "pci=resource_alignment=9@ ivshmem, rtl8139, i6300esb: sub-page BARs packed into shared pages" ;;
	esac
}

# The cross compiler prefix of the arm64 rig (Debian's gcc-aarch64-linux-gnu).
ARM64_CROSS=aarch64-linux-gnu-
