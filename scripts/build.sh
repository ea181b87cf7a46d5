# SPDX-License-Identifier: GPL-2.0-only
#
# Build steps shared by test.sh and demo.sh (sourced): the module with W=1,
# the static guest selftests and the initramfs.  Each step appends one TAP
# line to $results; $built is 0 when all of them succeeded, $selftests_built
# when the guest selftests did (other kernels' suites need only those).

: "${KVER:=$(installed_612_kver)}"
: "${BUILD:=$PWD/build}"
export KVER
[ -n "$KVER" ] || die "no Debian 6.12 kernel installed; run make deps"
kdir=/usr/src/linux-headers-$KVER

results=${results:-$BUILD/build.tap}
mkdir -p "$BUILD"
: >"$results"

built=0
selftests_built=0

# build_for KVER [KDIR]: the module for another kernel, in a copy of the
# tree (objects for two kernels must not mix), and an initramfs with that
# kernel's modules at $BUILD/KVER/initrd.gz.  KDIR defaults to the
# installed headers; a kernel that is not installed (the debug kernel)
# passes its build tree, and BARMAP_KERNEL_ROOT for initramfs.sh.
build_for() {
	dir=$BUILD/$1
	bkdir=${2:-/usr/src/linux-headers-$1}
	copy_source "$dir/src"
	step "barmap-vfio-pci.ko against $1 (W=1, no warnings)" \
		build_module "$bkdir" "$dir/src" &&
	install_into "$dir/src" "$1" "$bkdir" &&
	step "initramfs for $1" sh "$here/initramfs.sh" "$1" "$BUILD/root-$1" \
		"$BUILD/guest-bin" "$dir/initrd.gz"
}

# build_for_debian7: build_for Debian's newest 7.x kernel as make deps
# unpacked it (never installed): the module against its prepared O=
# tree, an initramfs with its vfio modules at $BUILD/$rel7/initrd.gz.
# Sets rel7; with no such kernel in the cache, says so in $results and
# fails.
build_for_debian7() {
	rel7=$(debian7_rel)
	if [ -z "$rel7" ]; then
		echo "not ok - build: no Debian 7.x kernel in $BARMAP_CACHE (run make deps)" >>"$results"
		return 1
	fi
	BARMAP_KERNEL_ROOT=$(debian7_root) build_for "$rel7" "$(debian7_build)"
}

# install_into TREE KVER [KDIR]: make install into a staging root for the
# guest.
install_into() {
	rm -rf "$BUILD/root-$2"
	step "make install into /lib/modules/$2/updates (staging root)" \
		make -C "$1" install KVER="$2" \
		KDIR="${3:-/usr/src/linux-headers-$2}" \
		INSTALL_MOD_PATH="$BUILD/root-$2"
}

step "barmap-vfio-pci.ko against $KVER (W=1, no warnings)" \
	build_module "$kdir" "$PWD" || built=1
# guest-bin anew: every program in it goes into every initramfs
rm -rf "$BUILD/guest-bin"
step "guest selftests (with libvfio of linux-source-7.x)" \
	sh "$here/selftests.sh" "$BUILD/guest-bin" ||
	{ built=1; selftests_built=1; }
# Upstream's own VFIO selftests of linux-source-7.x, beside ours in every
# initramfs: the peer suite (scripts/guest-peer.sh) runs them.
step "upstream VFIO selftests of linux-source-7.x (static)" \
	sh "$here/upstream-selftests.sh" "$BUILD/upstream-vfio" "$BUILD/guest-bin" ||
	{ built=1; selftests_built=1; }

if [ $built = 0 ]; then
	install_into "$PWD" "$KVER" &&
	step "initramfs for $KVER" sh "$here/initramfs.sh" "$KVER" \
		"$BUILD/root-$KVER" "$BUILD/guest-bin" "$BUILD/initrd.gz" ||
		built=1
fi
