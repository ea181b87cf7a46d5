#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Build (once) the rig's debug kernel: linux-source-6.12 as unpacked by
# scripts/deps.sh, `make ARCH=x86_64 allnoconfig` with
# scripts/debug-kernel.config as KCONFIG_ALLCONFIG (KASAN, lockdep,
# DEBUG_VM, PAGE_TABLE_CHECK, kmemleak; VFIO, 9p and NVMe as modules, as
# in Debian), bzImage and modules, and the modules installed uncompressed.
# Prints, as the last line of stdout, the cache directory of a complete
# build; everything else goes to stderr and DIR/build.log.
#
# Usage: debug-kernel.sh
#
# DIR is $BARMAP_CACHE/debug-kernel-HASH-PKGVER: HASH is the first 12 hex
# digits of the fragment's sha256, PKGVER the version of the
# linux-source-6.12 package, so a changed fragment or a new source upload
# builds in a new directory and an unchanged one is never rebuilt.  DIR
# holds:
#   vmlinuz                    the bzImage, for qemu -kernel
#   kernelrelease              `make kernelrelease`, e.g. 6.12.117-barmap-debug
#   lib/modules/RELEASE/       modules (.ko, uncompressed) and modules.dep;
#                              lib/modules/RELEASE/build links to DIR/build
#   build/                     the O= tree: KDIR for out-of-tree modules
#                              (make -C DIR/build M=... modules)
#   config                     the final .config
#   build.log                  every command's output
#   complete                   the stamp, written last (via a rename) when
#                              everything above is in place
# A directory without the stamp is an interrupted build: the next run
# resumes it (make is incremental) and only then writes the stamp.  A new
# key starts from a copy of the newest complete build of the same source
# package (see "seed" below), so editing the fragment costs minutes.  A lock
# (DIR/lock, flock) serialises concurrent runs.
#
# From scratch: about 21 CPU-minutes (1222 objects), so about 11 minutes
# on an idle 2-core machine; every make runs at nice 19, so beside busy
# guests it takes longer (46 minutes measured).  A seeded build after a
# one-option change took 76 s.  BARMAP_JOBS overrides the parallelism
# (default: nproc).

set -eu
here=$(dirname "$0")
. "$here/lib.sh"

frag=$(cd "$here" && pwd)/debug-kernel.config
[ -f "$frag" ] || die "missing $frag"
for t in make gcc flex bison bc depmod flock sha256sum; do
	command -v "$t" >/dev/null 2>&1 ||
		die "debug kernel: '$t' not found (run make deps)"
done

src=$(source_tree)
[ -f "$src/.unpacked" ] ||
	die "debug kernel: $src is not unpacked (run make deps)"
pkgver=${src##*/linux-source-6.12_}
hash=$(sha256sum <"$frag" | cut -c1-12)
dir=$BARMAP_CACHE/debug-kernel-$hash-$pkgver
obj=$dir/build
log=$dir/build.log
stamp=$dir/complete

# is_complete: the stamp and what it vouches for are all there.
is_complete() {
	[ -f "$stamp" ] && [ -f "$dir/vmlinuz" ] && [ -s "$dir/kernelrelease" ] &&
		[ -f "$dir/lib/modules/$(cat "$dir/kernelrelease")/modules.dep" ]
}

if is_complete; then
	echo "$dir"
	exit 0
fi

mkdir -p "$dir"
exec 9>"$dir/lock"
if ! flock -n 9; then
	info "debug kernel: another build holds $dir/lock; waiting"
	flock 9
fi
if is_complete; then	# built by whoever held the lock
	echo "$dir"
	exit 0
fi
rm -f "$stamp"

info "debug kernel: building in $dir (about 21 CPU-minutes from scratch; log: $log)"
start=$(date +%s)
{
	echo "== $(date -u '+%F %T') debug kernel build"
	echo "== source $src, fragment $frag (sha256 $hash)"
} >>"$log"

# run WHAT CMD...: log the command and its output; die with the log's
# tail when it fails.
run() {
	what=$1
	shift
	echo "== $what: $*" >>"$log"
	if ! "$@" >>"$log" 2>&1; then
		tail -n 25 "$log" | sed 's/^/  | /' >&2
		die "debug kernel: $what failed; whole log in $log"
	fi
}

kmake() {
	nice -n 19 make -C "$src" O="$obj" ARCH=x86_64 "$@"
}

# check_fragment: every CONFIG_ line of the fragment, set or "is not
# set", is in the final .config as written (kconfig silently drops what
# a dependency does not allow).
check_fragment() {
	bad=
	for sym in $(sed -n -e 's/^\(CONFIG_[A-Za-z0-9_]*\)=.*/\1/p' \
		-e 's/^# \(CONFIG_[A-Za-z0-9_]*\) is not set$/\1/p' "$frag"); do
		want=$(grep -E "^$sym=|^# $sym is not set\$" "$frag")
		have=$(grep -E "^$sym=|^# $sym is not set\$" "$obj/.config" || true)
		# an option that is off may also be absent (not visible)
		if [ "$want" != "$have" ] &&
			! { [ "$want" = "# $sym is not set" ] && [ -z "$have" ]; }; then
			bad="$bad $sym(want '${want}', got '${have:-absent}')"
		fi
	done
	[ -z "$bad" ] && return 0
	echo "fragment options not in .config:$bad"
	return 1
}

jobs=${BARMAP_JOBS:-$(nproc)}
# A new fragment starts from a copy of the newest complete build of the
# same source: kbuild then recompiles only what the changed options touch
# (minutes instead of a quarter of an hour).  BARMAP_DEBUG_KERNEL_SEED=0
# builds from scratch.
seed=
if [ ! -e "$obj/Makefile" ] && [ "${BARMAP_DEBUG_KERNEL_SEED:-1}" != 0 ]; then
	# shellcheck disable=SC2012 # the names are ours: hex and a version
	newest=$(ls -t "$BARMAP_CACHE"/debug-kernel-????????????-"$pkgver"/complete \
		2>/dev/null | head -n 1)
	newest=${newest%/complete}
	if [ -n "$newest" ] && [ "$newest" != "$dir" ]; then
		seed=$newest
		rm -rf "${obj:?}"
		run "seed from $seed" cp -a "$seed/build" "$obj"
	fi
fi
mkdir -p "$obj"
run "configure (allnoconfig + fragment)" \
	kmake KCONFIG_ALLCONFIG="$frag" allnoconfig
run "check the fragment against .config" check_fragment
if [ -n "$seed" ]; then
	# The copied objtool is rebuilt (tools/ records absolute paths) and
	# every object depends on its mtime: rebuild it now, then give it and
	# its intermediates the seed's mtime.  Same source and compiler: the
	# same objtool.
	run "prepare (objtool)" kmake -j"$jobs" prepare
	find "$obj/tools/objtool" -exec \
		touch -h -r "$seed/build/tools/objtool/objtool" {} +
fi
run "build bzImage and modules (-j$jobs)" kmake -j"$jobs" bzImage modules
rel=$(cat "$obj/include/config/kernel.release")
[ -n "$rel" ] || die "debug kernel: empty kernel release"
rm -rf "${dir:?}/lib"
run "modules_install" kmake INSTALL_MOD_PATH="$dir" modules_install
for m in virt/lib/irqbypass drivers/vfio/vfio drivers/vfio/vfio_iommu_type1 \
	 drivers/vfio/pci/vfio-pci-core drivers/vfio/pci/vfio-pci; do
	[ -f "$dir/lib/modules/$rel/kernel/$m.ko" ] ||
		die "debug kernel: $m.ko not installed (see $log)"
done
[ -f "$dir/lib/modules/$rel/modules.dep" ] ||
	die "debug kernel: no modules.dep (see $log)"
cp "$obj/arch/x86/boot/bzImage" "$dir/vmlinuz"
cp "$obj/.config" "$dir/config"
echo "$rel" >"$dir/kernelrelease"
secs=$(($(date +%s) - start))
{
	echo "release=$rel"
	echo "fragment_sha256=$(sha256sum <"$frag" | cut -d' ' -f1)"
	echo "source=$src"
	echo "last_run_seconds=$secs"
	echo "finished=$(date -u '+%F %T')"
} >"$stamp.tmp"
mv "$stamp.tmp" "$stamp"
echo "== done in ${secs}s" >>"$log"
info "debug kernel: $rel built in ${secs}s"
echo "$dir"
