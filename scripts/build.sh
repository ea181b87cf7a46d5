# SPDX-License-Identifier: GPL-2.0-only
#
# Build steps shared by test.sh and demo.sh (sourced): the module with W=1,
# the static guest selftests and the initramfs.  Each step appends one TAP
# line to $results; $built is 0 when all of them succeeded.

: "${KVER:=$(installed_612_kver)}"
: "${BUILD:=$PWD/build}"
export KVER
[ -n "$KVER" ] || die "no Debian 6.12 kernel installed; run make deps"
kdir=/usr/src/linux-headers-$KVER
ksft=$(sh "$here/ksft-dir.sh")

results=${results:-$BUILD/build.tap}
mkdir -p "$BUILD"
: >"$results"

step() {	# step NAME CMD...: a build step is one TAP line
	name=$1
	shift
	if "$@" >"$BUILD/step.log" 2>&1; then
		echo "ok - build: $name" >>"$results"
	else
		echo "not ok - build: $name" >>"$results"
		sed 's/^/# /' "$BUILD/step.log" | tail -n 30 >>"$results"
		return 1
	fi
}

built=0
build_module() {	# W=1 build from clean; any warning fails it
	make -C "$kdir" M="$PWD" clean >/dev/null 2>&1
	make -C "$kdir" M="$PWD" W=1 modules >"$BUILD/module.log" 2>&1 &&
		! grep -E 'warning:' "$BUILD/module.log"
}

step "barmap-vfio-pci.ko against $KVER (W=1, no warnings)" build_module ||
	built=1
step "guest selftests" \
	make -C selftests/vfio/barmap KSFT_DIR="$ksft" OUTPUT="$BUILD/guest-bin" || built=1

if [ $built = 0 ]; then
	step "initramfs" sh "$here/initramfs.sh" "$KVER" \
		drivers/vfio/pci/barmap/barmap-vfio-pci.ko "$BUILD/guest-bin" \
		"$BUILD/initrd.gz" || built=1
fi
