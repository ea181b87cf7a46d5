# SPDX-License-Identifier: GPL-2.0-only
#
# A sparse that can check Linux 7.x, built from Debian's own source.
# Linux 7.x's headers use __typeof_unqual__ under sparse; bookworm's
# sparse 0.6.4 cannot parse it (the kernel's scripts/checker-valid.sh
# then turns C= off), and sid's binary package needs a newer glibc.  So
# the newest sparse source package of sid is fetched through a private
# apt configuration (deb-src only, under $BARMAP_CACHE/apt-sid-src; the
# mirror is scripts/debian13.sh's) and its sparse binary built into
# $BARMAP_CACHE/sparse-VERSION/ (about 10 s).  Sourced by deps.sh after
# debian13.sh; check.sh finds the binary with sparse7_bin (lib.sh).
#
#   $BARMAP_CACHE/apt-sid-src/      sources.list, lists/, cache/, src/
#   $BARMAP_CACHE/sparse-VERSION/   sparse, complete
#   $BARMAP_CACHE/sparse7           the path of the current sparse-VERSION

sid_src_apt() {	# sid_src_apt apt-get|apt-cache ARGS...
	private_apt "$BARMAP_CACHE/apt-sid-src" "$@"
}

sparse7_build() {
	[ -n "$(sparse7_bin)" ] && return 0
	c=$BARMAP_CACHE/apt-sid-src
	mirror=$(d13_mirror)
	[ -n "$mirror" ] || die "deps: no Debian mirror for sid's sparse source"
	mkdir -p "$c/lists/partial" "$c/cache/archives/partial"
	echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror sid main" \
		>"$c/sources.list"
	info "deps: apt-get update (sid sources; $c)"
	sid_src_apt apt-get -qq update || die "deps: apt-get update of sid sources failed"
	ver=$(sid_src_apt apt-cache showsrc sparse | sed -n 's/^Version: //p' |
		sort -V | tail -n 1)
	[ -n "$ver" ] || die "deps: no sparse source package in sid"
	dir=$BARMAP_CACHE/sparse-$ver
	if [ ! -f "$dir/complete" ]; then
		rm -rf "$c/src" "$dir"
		mkdir -p "$c/src" "$dir"
		chown _apt "$c/src" 2>/dev/null || chmod 777 "$c/src"
		info "deps: building sparse $ver from sid's source into $dir"
		(cd "$c/src" && sid_src_apt apt-get -qq source --download-only \
			"sparse=$ver") || die "deps: apt-get source sparse=$ver failed"
		tar -xf "$c/src"/sparse_*.orig.tar.* -C "$c/src" ||
			die "deps: unpacking sparse's source failed"
		make -C "$c/src"/sparse-* -j"$(nproc)" sparse \
			>"$dir/build.log" 2>&1 ||
			die "deps: building sparse failed; see $dir/build.log"
		cp "$c/src"/sparse-*/sparse "$dir/sparse"
		touch "$dir/complete"
	fi
	echo "$dir" >"$BARMAP_CACHE/sparse7"
}
