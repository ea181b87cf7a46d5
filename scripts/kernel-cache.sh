# SPDX-License-Identifier: GPL-2.0-only
#
# Build (once) a kernel for the guest rig from a linux-source tree as
# unpacked by scripts/deps.sh: `make ARCH=... allnoconfig` with a config
# fragment as KCONFIG_ALLCONFIG, the boot image and modules, and the
# modules installed uncompressed (or the image alone: kc_modules=0).
# Sourced by rig-kernel.sh (x86_64)
# and arm64-kernel.sh, which set the variables below and call
# kernel_cache_build; it prints, as the last line of stdout, the cache
# directory of a complete build; everything else goes to stderr and
# DIR/build.log.
#
#   kc_what     what the messages call it, e.g. "debug kernel"
#   kc_series   the source: 6.12 (bookworm's linux-source-6.12) or 7.x
#               (the linux-source-7.N of Debian's newest 7.x kernel),
#               see source_tree in lib.sh
#   kc_prefix   cache directory prefix, e.g. debug-kernel
#   kc_frag     the config fragment: one or more files (absolute paths,
#               separated by spaces), applied in that order, as one
#   kc_arch     ARCH=, e.g. x86_64 or arm64
#   kc_cross    CROSS_COMPILE=, empty for a native build
#   kc_target   the image's make target, e.g. bzImage or Image
#   kc_image    the built image, relative to the O= tree
#   kc_out      the image's name in DIR, e.g. vmlinuz or Image
#   kc_patches  patches (absolute paths, separated by spaces, maybe none)
#               applied in that order to a copy of the source, see below
#   kc_seed     0 builds a new key from scratch (see "seed" below)
#   kc_modules  0 for a kernel without modules (no lib/modules, no vfio
#               modules to check), else unset or 1
#   kc_cost     the from-scratch cost, for the one line shown on a build
#
# DIR is $BARMAP_CACHE/PREFIX-HASH-PKGVER: HASH is the first 12 hex
# digits of the sha256 of the fragment and the patches (their files
# concatenated), PKGVER the version of the linux-source package, so a
# changed fragment or patch or a new source upload builds in a new
# directory and an unchanged one is never rebuilt.  With patches the
# source is DIR/src, a copy of the unpacked tree made of hard links
# (patch(1) writes each file it changes anew, so the shared tree stays
# as unpacked), patched once; where the seed's patched source (below) is
# the same, file for file, DIR/src is a symbolic link to it instead, so
# that kbuild, which records the absolute source path of every object,
# keeps the seed's objects.  Removing the directory that holds the source
# makes every build linked to it incomplete: the next run rebuilds it
# from scratch.  DIR holds:
#   $kc_out                    the boot image, for qemu -kernel
#   kernelrelease              `make kernelrelease`, e.g. 6.12.117-barmap-debug
#   lib/modules/RELEASE/       modules (.ko, uncompressed) and modules.dep;
#                              lib/modules/RELEASE/build links to DIR/build
#                              (not with kc_modules=0)
#   build/                     the O= tree: KDIR for out-of-tree modules
#                              (make -C DIR/build M=... modules, with the
#                              same ARCH= and CROSS_COMPILE=)
#   config                     the final .config
#   fragment                   the fragment it was configured from
#   build.log                  every command's output
#   complete                   the stamp, written last (via a rename) when
#                              everything above is in place
# A directory without the stamp is an interrupted build: the next run
# resumes it (make is incremental) and only then writes the stamp.  A new
# key starts from a copy of the newest complete build of the same prefix
# and source package (see "seed" below), so editing the fragment costs
# minutes.  A lock (DIR/lock, flock) serialises concurrent runs.  Every
# make runs at nice BARMAP_KERNEL_NICE (default 0: on a fresh machine
# make test waits for these builds, they must not yield to everything
# else); BARMAP_JOBS overrides the parallelism (default: nproc).

# The vfio modules every rig kernel must have, relative to kernel/.
kc_vfio_modules="virt/lib/irqbypass drivers/vfio/vfio
drivers/vfio/vfio_iommu_type1 drivers/vfio/pci/vfio-pci-core
drivers/vfio/pci/vfio-pci"

# kc_log_run WHAT CMD...: log the command and its output; die with the
# log's tail when it fails.
kc_log_run() {
	what=$1
	shift
	echo "== $what: $*" >>"$kc_log"
	if ! "$@" >>"$kc_log" 2>&1; then
		tail -n 25 "$kc_log" | sed 's/^/  | /' >&2
		die "$kc_what: $what failed; whole log in $kc_log"
	fi
}

kc_make() {
	nice -n "${BARMAP_KERNEL_NICE:-0}" make -C "$kc_src" O="$kc_obj" ARCH="$kc_arch" \
		${kc_cross:+CROSS_COMPILE=$kc_cross} "$@"
}

# kc_check_fragment: every CONFIG_ line of the fragment, set or "is not
# set", is in the final .config as written (kconfig silently drops what
# a dependency does not allow).
kc_check_fragment() {
	bad=
	for sym in $(sed -n -e 's/^\(CONFIG_[A-Za-z0-9_]*\)=.*/\1/p' \
		-e 's/^# \(CONFIG_[A-Za-z0-9_]*\) is not set$/\1/p' "$kc_dir/fragment"); do
		want=$(grep -E "^$sym=|^# $sym is not set\$" "$kc_dir/fragment" | tail -n 1)
		have=$(grep -E "^$sym=|^# $sym is not set\$" "$kc_obj/.config" || true)
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

# kc_is_complete: the stamp and what it vouches for are all there.
kc_is_complete() {
	[ -f "$kc_dir/complete" ] && [ -f "$kc_dir/$kc_out" ] &&
		{ [ -z "${kc_patches:-}" ] || [ -f "$kc_dir/src/.patched" ]; } &&
		[ -s "$kc_dir/kernelrelease" ] &&
		{ [ "${kc_modules:-1}" = 0 ] ||
			[ -f "$kc_dir/lib/modules/$(cat "$kc_dir/kernelrelease")/modules.dep" ]; }
}

# kc_find_seed: the newest complete build of the same prefix and source,
# for a new key (no O= tree yet) unless kc_seed is 0; sets kc_seeded to
# it, or to nothing.
kc_find_seed() {
	kc_seeded=
	[ ! -e "$kc_obj/Makefile" ] && [ "$kc_seed" != 0 ] || return 0
	# shellcheck disable=SC2012 # the names are ours: hex and a version
	newest=$(ls -t "$BARMAP_CACHE/$kc_prefix"-????????????-"$kc_pkgver"/complete \
		2>/dev/null | head -n 1)
	newest=${newest%/complete}
	[ -n "$newest" ] && [ "$newest" != "$kc_dir" ] || return 0
	kc_seeded=$newest
}

# kc_seed_from_newest: a new key starts from a copy of the seed's O= tree:
# kbuild then recompiles only what the changed options touch.
kc_seed_from_newest() {
	[ -n "$kc_seeded" ] || return 0
	rm -rf "${kc_obj:?}"
	kc_log_run "seed from $kc_seeded" cp -a "$kc_seeded/build" "$kc_obj"
}

# kc_seed_source DIR: the seed's patched source, if DIR (a freshly
# patched copy) has the same files: the hard links of both to the
# unpacked tree compare as equal without being read.
kc_seed_source() {
	[ -n "$kc_seeded" ] || return 1
	seed_src=$(readlink -f "$kc_seeded/src") && [ -f "$seed_src/.patched" ] ||
		return 1
	diff -rq --no-dereference -x .patched "$seed_src" "$1" >/dev/null 2>&1 ||
		return 1
	echo "$seed_src"
}

# kc_patch_source: with kc_patches, kc_src becomes DIR/src, the unpacked
# tree hard-linked and patched (once: DIR/src/.patched says it is done),
# or the seed's source where it is the same.
kc_patch_source() {
	[ -n "${kc_patches:-}" ] || return 0
	if [ ! -f "$kc_dir/src/.patched" ]; then
		rm -rf "$kc_dir/src" "$kc_dir/src.tmp"
		kc_log_run "link the source" cp -al "$kc_src" "$kc_dir/src.tmp"
		for p in $kc_patches; do
			kc_log_run "apply ${p##*/}" patch -d "$kc_dir/src.tmp" -p1 \
				--forward --no-backup-if-mismatch -i "$p"
		done
		printf '%s\n' $kc_patches >"$kc_dir/src.tmp/.patched"
		if shared=$(kc_seed_source "$kc_dir/src.tmp"); then
			echo "== the seed's source is the same: $shared" >>"$kc_log"
			rm -rf "$kc_dir/src.tmp"
			ln -s "$shared" "$kc_dir/src"
		else
			mv "$kc_dir/src.tmp" "$kc_dir/src"
		fi
	fi
	kc_src=$(readlink -f "$kc_dir/src")
}

# kc_install_modules: the modules into DIR/lib/modules/$rel, with the
# vfio ones every rig kernel with modules must have.
kc_install_modules() {
	kc_log_run "modules_install" kc_make INSTALL_MOD_PATH="$kc_dir" \
		modules_install
	for m in $kc_vfio_modules; do
		[ -f "$kc_dir/lib/modules/$rel/kernel/$m.ko" ] ||
			die "$kc_what: $m.ko not installed (see $kc_log)"
	done
	[ -f "$kc_dir/lib/modules/$rel/modules.dep" ] ||
		die "$kc_what: no modules.dep (see $kc_log)"
}

kernel_cache_build() {
	for f in $kc_frag ${kc_patches:-}; do
		[ -f "$f" ] || die "missing $f"
	done
	for t in make "${kc_cross}gcc" flex bison bc depmod flock sha256sum \
		${kc_patches:+patch}; do
		command -v "$t" >/dev/null 2>&1 ||
			die "$kc_what: '$t' not found (run make deps)"
	done
	kc_src=$(source_tree "$kc_series") || exit 1
	[ -f "$kc_src/.unpacked" ] ||
		die "$kc_what: $kc_src is not unpacked (run make deps)"
	kc_pkgver=${kc_src##*/}			# linux-source-SERIES_PKGVER
	kc_pkgver=${kc_pkgver#linux-source-*_}
	# shellcheck disable=SC2086 # kc_frag and kc_patches are lists of files
	hash=$(cat $kc_frag ${kc_patches:-} | sha256sum | cut -c1-12)
	kc_dir=$BARMAP_CACHE/$kc_prefix-$hash-$kc_pkgver
	kc_obj=$kc_dir/build
	kc_log=$kc_dir/build.log

	if kc_is_complete; then
		echo "$kc_dir"
		return 0
	fi
	mkdir -p "$kc_dir"
	exec 9>"$kc_dir/lock"
	if ! flock -n 9; then
		info "$kc_what: another build holds $kc_dir/lock; waiting"
		flock 9
	fi
	if kc_is_complete; then	# built by whoever held the lock
		echo "$kc_dir"
		return 0
	fi
	rm -f "$kc_dir/complete"

	info "$kc_what: building in $kc_dir ($kc_cost from scratch; log: $kc_log)"
	start=$(date +%s)
	{
		echo "== $(date -u '+%F %T') $kc_what build"
		echo "== source $kc_src, fragment $kc_frag, patches ${kc_patches:-none} (sha256 $hash)"
	} >>"$kc_log"
	# shellcheck disable=SC2086
	cat $kc_frag >"$kc_dir/fragment"

	kc_find_seed
	kc_patch_source
	jobs=${BARMAP_JOBS:-$(nproc)}
	kc_seed_from_newest
	mkdir -p "$kc_obj"
	kc_log_run "configure (allnoconfig + fragment)" \
		kc_make KCONFIG_ALLCONFIG="$kc_dir/fragment" allnoconfig
	kc_log_run "check the fragment against .config" kc_check_fragment
	if [ -n "$kc_seeded" ] && [ -d "$kc_obj/tools/objtool" ]; then
		# The copied objtool is rebuilt (tools/ records absolute paths)
		# and every object depends on its mtime: rebuild it now, then
		# give it and its intermediates the seed's mtime.  Same source
		# and compiler: the same objtool.
		kc_log_run "prepare (objtool)" kc_make -j"$jobs" prepare
		find "$kc_obj/tools/objtool" -exec \
			touch -h -r "$kc_seeded/build/tools/objtool/objtool" {} +
	fi
	if [ "${kc_modules:-1}" = 0 ]; then
		kc_log_run "build $kc_target (-j$jobs)" \
			kc_make -j"$jobs" "$kc_target"
	else
		kc_log_run "build $kc_target and modules (-j$jobs)" \
			kc_make -j"$jobs" "$kc_target" modules
	fi
	rel=$(cat "$kc_obj/include/config/kernel.release")
	[ -n "$rel" ] || die "$kc_what: empty kernel release"
	rm -rf "${kc_dir:?}/lib"
	[ "${kc_modules:-1}" = 0 ] || kc_install_modules
	cp "$kc_obj/$kc_image" "$kc_dir/$kc_out"
	cp "$kc_obj/.config" "$kc_dir/config"
	echo "$rel" >"$kc_dir/kernelrelease"
	secs=$(($(date +%s) - start))
	{
		echo "release=$rel"
		echo "fragment_sha256=$(sha256sum <"$kc_dir/fragment" | cut -d' ' -f1)"
		echo "source=$kc_src"
		echo "last_run_seconds=$secs"
		echo "finished=$(date -u '+%F %T')"
	} >"$kc_dir/complete.tmp"
	mv "$kc_dir/complete.tmp" "$kc_dir/complete"
	echo "== done in ${secs}s" >>"$kc_log"
	info "$kc_what: $rel built in ${secs}s"
	echo "$kc_dir"
}
