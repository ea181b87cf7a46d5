# SPDX-License-Identifier: GPL-2.0-only
#
# Debian 13 (trixie) kernels for a Debian 12 host, never installed:
# a private apt configuration under $BARMAP_CACHE/apt-debian13 (its own
# sources.list, lists and package cache; /etc/apt is only read, for the
# mirror) downloads Debian's newest 7.x amd64 kernel from
# trixie-backports and the matching linux-source-7.N, unpacks them with
# dpkg -x into the cache and prepares an O= tree that out-of-tree modules
# build against.  Sourced by scripts/deps.sh after lib.sh; the cache is
# found again, offline, by debian7_dir and friends in lib.sh.
#
#   $BARMAP_CACHE/apt-debian13/       sources.list, lists/, cache/, debs/
#   $BARMAP_CACHE/debian-kernel-REL_PKGVER/
#       root/                 linux-binary, -modules, -base and -headers
#                             of REL, dpkg -x'd: root/usr/lib/modules/REL/
#                             {vmlinuz,config,modules.*,kernel/...}
#       build/                O= tree of linux-source-7.N with Debian's
#                             config, modules_prepare'd for REL, and
#                             Debian's Module.symvers: the KDIR of
#                             out-of-tree builds
#       release, series, source   REL, 7.N, the unpacked source tree
#       vermagic              what a module built against build/ carries
#       complete              stamp, written last
#   $BARMAP_CACHE/linux-source-7.N_PKGVER/   the unpacked source (.unpacked)
#   $BARMAP_CACHE/debian7     the path of the current debian-kernel-* dir
#
# Nothing is redone: each step has a stamp, and once debian7 names a
# complete directory, d13_kernel does no network I/O at all (set
# BARMAP_DEBIAN7_REFRESH=1 to look for a newer upload).

d13_dir() {
	echo "$BARMAP_CACHE/apt-debian13"
}

# The mirror: the first URIs: of the first stanza of the host's
# debian.sources that is not the security archive.
d13_mirror() {
	awk 'BEGIN { RS = "" }
	/(URIs|Suites):[^\n]*security/ { next }
	{
		n = split($0, l, "\n")
		for (i = 1; i <= n; i++)
			if (l[i] ~ /^URIs:/) {
				split(l[i], w, /[ \t]+/)
				print w[2]
				exit
			}
	}' /etc/apt/sources.list.d/debian.sources
}

d13_setup() {
	c=$(d13_dir)
	mirror=$(d13_mirror)
	[ -n "$mirror" ] ||
		die "deps: no mirror in /etc/apt/sources.list.d/debian.sources"
	mkdir -p "$c/lists/partial" "$c/cache/archives/partial" "$c/debs"
	key=/usr/share/keyrings/debian-archive-keyring.gpg
	{
		echo "deb [signed-by=$key] $mirror trixie main"
		echo "deb [signed-by=$key] $mirror trixie-backports main"
	} >"$c/sources.list.tmp"
	if cmp -s "$c/sources.list.tmp" "$c/sources.list"; then
		rm "$c/sources.list.tmp"
	else
		mv "$c/sources.list.tmp" "$c/sources.list"
	fi
}

# private_apt DIR apt-get|apt-cache ARGS...: with the private apt
# configuration in DIR (sources.list, lists/, cache/), nothing of
# /etc/apt's sources.
private_apt() {
	pa_dir=$1
	pa_tool=$2
	shift 2
	"$pa_tool" -o Dir::Etc::SourceList="$pa_dir/sources.list" \
		-o Dir::Etc::SourceParts=/dev/null \
		-o Dir::State::Lists="$pa_dir/lists" \
		-o Dir::Cache="$pa_dir/cache" "$@"
}

# d13_apt apt-get|apt-cache ARGS...: with the trixie configuration.
d13_apt() {
	private_apt "$(d13_dir)" "$@"
}

# Once per run of deps.sh: the kernel and the roots share the listing.
d13_update() {
	[ -n "${d13_updated:-}" ] && return 0
	info "deps: apt-get update (trixie, trixie-backports; $(d13_dir))"
	d13_apt apt-get -qq update || die "deps: apt-get update of trixie failed"
	d13_updated=1
}

# d13_newest_rel FLAVOUR: newest Debian 7.x kernel release of that
# flavour (amd64, arm64-16k), e.g. 7.3.4+deb13-amd64.
d13_newest_rel() {
	d13_apt apt-cache pkgnames linux-binary-7. |
		sed -n "s/^linux-binary-\\(7\\.[0-9.]*+deb13-$1\\)\$/\\1/p" |
		sort -V | tail -n 1
}

# d13_pkgver PKG: the candidate's version, e.g. 7.3.4-1~bpo13+1.
d13_pkgver() {
	d13_apt apt-cache show --no-all-versions "$1" 2>/dev/null |
		sed -n 's/^Version: //p' | head -n 1
}

# newest_version: the newest of the versions on stdin, one per line, in
# dpkg's order.
newest_version() {
	nv_=
	while read -r v_; do
		if [ -z "$nv_" ] || dpkg --compare-versions "$v_" gt "$nv_"; then
			nv_=$v_
		fi
	done
	echo "$nv_"
}

# d13_suite_version PKG SUITE: the newest version of PKG in SUITE (trixie,
# trixie-backports) by the private listing, e.g. 1:10.0.13+ds-0+deb13u1.
d13_suite_version() {
	d13_apt apt-cache madison "$1" 2>/dev/null |
		awk -F'|' -v s="$2" '{
			split($3, w, " ")
			if (index(w[2], s "/") == 1) { gsub(/ /, "", $2); print $2 }
		}' | newest_version
}

# d13_newest_pkg PREFIX ERE SUITE: of the packages named PREFIX... that
# match ERE as a whole, the newest (sort -V) that SUITE has.
d13_newest_pkg() {
	d13_apt apt-cache pkgnames "$1" | grep -E "^$2\$" | sort -V |
		while read -r np_; do
			if [ -n "$(d13_suite_version "$np_" "$3")" ]; then
				echo "$np_"
			fi
		done | tail -n 1
}

# d13_deb PKG VERSION [ARCH]: download it (of the architecture ARCH, a
# foreign one for arm64) into debs/ unless it is there; print the file.
d13_deb() {
	debs=$(d13_dir)/debs
	# apt-get download writes PKG_VERSION_ARCH.deb (":" as "%3a")
	vfile=$(echo "$2" | sed 's/:/%3a/')
	for f in "$debs/$1_${vfile}"_${3:-*}.deb; do
		[ -f "$f" ] && { echo "$f"; return 0; }
	done
	info "deps: downloading $1 $2${3:+ ($3)}"
	# apt-get download fetches as user _apt into the current directory
	chown _apt "$debs" 2>/dev/null || chmod 777 "$debs"
	(cd "$debs" && d13_apt apt-get -qq download "$1${3:+:$3}=$2") >&2 ||
		die "deps: apt-get download $1=$2 failed"
	for f in "$debs/$1_${vfile}"_${3:-*}.deb; do
		[ -f "$f" ] && { echo "$f"; return 0; }
	done
	die "deps: apt-get download $1=$2 wrote no .deb"
}

# d13_vermagic KDIR [MAKEVARS...]: a trivial module's vermagic, which
# must match that of Debian's own vfio.ko, i.e. a module built against
# KDIR loads into REL.
d13_vermagic() {
	t=$(mktemp -d)
	printf '%s\n' '#include <linux/module.h>' \
		'MODULE_DESCRIPTION("barmap rig: vermagic probe");' \
		'MODULE_LICENSE("GPL");' >"$t/probe.c"
	echo 'obj-m := probe.o' >"$t/Kbuild"
	kd_=$1
	shift
	if ! make -C "$kd_" M="$t" "$@" modules >"$t/log" 2>&1; then
		tail -n 20 "$t/log" >&2
		rm -rf "$t"
		return 1
	fi
	modinfo -F vermagic "$t/probe.ko"
	rm -rf "$t"
}

# d13_kernel [arm64-16k]: download, unpack and prepare Debian's newest
# 7.x amd64 kernel, named by $BARMAP_CACHE/debian7, or with arm64-16k
# its arm64 kernel with 16 KiB pages (the arm64 packages, a foreign
# architecture here), named by $BARMAP_CACHE/debian7-arm64-16k and
# prepared for cross builds (ARCH=arm64 CROSS_COMPILE=$ARM64_CROSS).
d13_kernel() {
	flavour=${1:-amd64}
	case $flavour in
	amd64) ptr=debian7 arch=amd64 mkvars= ;;
	arm64-16k) ptr=debian7-arm64-16k arch=arm64
		mkvars="ARCH=arm64 CROSS_COMPILE=$ARM64_CROSS" ;;
	*) die "d13_kernel: unknown flavour $flavour" ;;
	esac
	cur=$(cached "$ptr")
	if [ -n "$cur" ] && [ -z "${BARMAP_DEBIAN7_REFRESH:-}" ]; then
		return 0
	fi
	d13_setup
	d13_update
	rel=$(d13_newest_rel "$flavour")
	[ -n "$rel" ] || die "deps: no linux-binary-7.*+deb13-$flavour in trixie-backports"
	upstream=${rel%%+*}		# 7.3.4
	series=${upstream%.*}		# 7.3
	pkgver=$(d13_pkgver "linux-binary-$rel:$arch")
	srcver=$(d13_pkgver "linux-source-$series")
	if [ -z "$pkgver" ] || [ -z "$srcver" ]; then
		die "deps: no version for linux-binary-$rel or linux-source-$series"
	fi
	dir=$BARMAP_CACHE/debian-kernel-${rel}_$pkgver
	src=$BARMAP_CACHE/linux-source-${series}_$srcver
	if [ -f "$dir/complete" ]; then
		echo "$dir" >"$BARMAP_CACHE/$ptr"
		return 0
	fi
	info "deps: Debian's $rel ($pkgver), linux-source-$series ($srcver)"

	if [ ! -f "$dir/.unpacked" ]; then
		rm -rf "$dir"
		mkdir -p "$dir/root"
		for p in binary modules base headers; do
			deb=$(d13_deb "linux-$p-$rel" "$pkgver" "$arch") || exit 1
			info "deps: unpacking ${deb##*/}"
			dpkg -x "$deb" "$dir/root" || die "deps: dpkg -x $deb failed"
		done
		mod=$dir/root/usr/lib/modules/$rel
		for f in vmlinuz config modules.builtin modules.order \
			kernel/drivers/vfio/pci/vfio-pci-core.ko.xz; do
			[ -f "$mod/$f" ] || die "deps: no $mod/$f"
		done
		[ -f "$dir/root/usr/src/linux-headers-$rel/Module.symvers" ] ||
			die "deps: no Module.symvers in linux-headers-$rel"
		touch "$dir/.unpacked"
	fi

	if [ ! -f "$src/.unpacked" ]; then
		deb=$(d13_deb "linux-source-$series" "$srcver") || exit 1
		info "deps: unpacking linux-source-$series into $src"
		rm -rf "$src"
		mkdir -p "$src"
		dpkg --fsys-tarfile "$deb" |
			tar -xO "./usr/src/linux-source-$series.tar.xz" |
			tar -xJ -C "$src" --strip-components=1 ||
			die "deps: unpacking linux-source-$series failed"
		[ -f "$src/Makefile" ] || die "deps: no Makefile in $src"
		touch "$src/.unpacked"
	fi

	# An O= tree of the source with Debian's configuration: Debian's
	# headers package needs a newer glibc for its kbuild tools than
	# bookworm's (and holds arm64 binaries for arm64).  olddefconfig
	# drops what this gcc cannot do (Rust, asm goto output, the 32-bit
	# compat vDSO on arm64, ...) without touching the ABI.
	b=$dir/build
	if [ ! -f "$dir/.prepared" ]; then
		info "deps: modules_prepare for $rel in $b"
		rm -rf "$b"
		mkdir -p "$b"
		cp "$dir/root/usr/lib/modules/$rel/config" "$b/.config"
		log=$dir/prepare.log
		# shellcheck disable=SC2086 # mkvars are words
		{ make -C "$src" O="$b" $mkvars olddefconfig &&
			make -C "$src" O="$b" $mkvars -j"$(nproc)" modules_prepare \
				KERNELRELEASE="$rel"; } >"$log" 2>&1 || {
			tail -n 20 "$log" >&2
			die "deps: modules_prepare for $rel failed (log: $log)"
		}
		cp "$dir/root/usr/src/linux-headers-$rel/Module.symvers" "$b/"
		touch "$dir/.prepared"
	fi

	want=$(modinfo -F vermagic \
		"$dir/root/usr/lib/modules/$rel/kernel/drivers/vfio/vfio.ko.xz")
	# shellcheck disable=SC2086
	have=$(d13_vermagic "$b" $mkvars) || die "deps: a probe module does not build against $b"
	[ "$have" = "$want" ] ||
		die "deps: vermagic '$have' against $b, Debian's modules have '$want'"
	echo "$have" >"$dir/vermagic"
	echo "$rel" >"$dir/release"
	echo "$series" >"$dir/series"
	echo "$src" >"$dir/source"
	date -u '+%F %T' >"$dir/complete.tmp"
	mv "$dir/complete.tmp" "$dir/complete"
	echo "$dir" >"$BARMAP_CACHE/$ptr"
	info "deps: $rel ready in $dir (vermagic $have)"
}

# d13_kernel_612: Debian 13's own 6.12 kernel, trixie's newest
# linux-image-6.12.N+deb13-amd64-unsigned (image and modules in one
# package), downloaded and dpkg -x'd, never installed:
#
#   $BARMAP_CACHE/debian-kernel-REL_PKGVER/
#       root/             root/boot/vmlinuz-REL, root/usr/lib/modules/REL/
#       release, vermagic REL, and the vermagic of its own vfio.ko
#       complete          stamp, written last
#   $BARMAP_CACHE/debian13-612   pointer: trixie612_dir (lib.sh)
#
# Once cached, no network I/O (BARMAP_DEBIAN7_REFRESH=1 looks again).
d13_kernel_612() {
	if [ -n "$(trixie612_dir)" ] && [ -z "${BARMAP_DEBIAN7_REFRESH:-}" ]; then
		return 0
	fi
	d13_setup
	d13_update
	pkg=$(d13_newest_pkg linux-image-6.12. \
		'linux-image-6\.12\.[0-9]+\+deb13-amd64-unsigned' trixie)
	[ -n "$pkg" ] || die "deps: no linux-image-6.12.*+deb13-amd64-unsigned in trixie"
	rel=${pkg#linux-image-}
	rel=${rel%-unsigned}
	pkgver=$(d13_suite_version "$pkg" trixie)
	dir=$BARMAP_CACHE/debian-kernel-${rel}_$pkgver
	if [ ! -f "$dir/complete" ]; then
		info "deps: Debian 13's $rel ($pkgver)"
		rm -rf "$dir"
		mkdir -p "$dir/root"
		deb=$(d13_deb "$pkg" "$pkgver") || exit 1
		dpkg -x "$deb" "$dir/root" || die "deps: dpkg -x $deb failed"
		mod=$dir/root/usr/lib/modules/$rel
		for f in "$dir/root/boot/vmlinuz-$rel" "$mod/modules.builtin" \
			"$mod/modules.order" "$mod/kernel/drivers/vfio/vfio.ko.xz" \
			"$mod/kernel/drivers/vfio/pci/vfio-pci-core.ko.xz"; do
			[ -f "$f" ] || die "deps: no $f in $pkg"
		done
		modinfo -F vermagic "$mod/kernel/drivers/vfio/vfio.ko.xz" \
			>"$dir/vermagic"
		echo "$rel" >"$dir/release"
		date -u '+%F %T' >"$dir/complete.tmp"
		mv "$dir/complete.tmp" "$dir/complete"
		info "deps: $rel ready in $dir"
	fi
	echo "$dir" >"$BARMAP_CACHE/debian13-612"
}
