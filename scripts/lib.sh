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

# module_version: the version of the module and of its Debian package, the
# first line of debian/changelog (run from the top of the tree).
module_version() {
	sed -n '1s/^barmap-vfio-pci (\([^)]*\)) .*/\1/p' debian/changelog
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

# source_tree [SERIES]: where linux-source-SERIES is unpacked, keyed by
# the package version so a new upload is unpacked next to, not over, the
# old one.  SERIES 6.12 (the default) is bookworm's installed package;
# 7.x is the source of Debian's newest 7.x kernel (see debian7_dir).
source_tree() {
	case ${1:-6.12} in
	7.x)
		s_=$(debian7_source)
		[ -n "$s_" ] || die "no linux-source-7.x unpacked (run make deps)"
		echo "$s_"
		;;
	6.12)
		v=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null) ||
			die "linux-source-6.12 is not installed (run make deps)"
		echo "$BARMAP_CACHE/linux-source-6.12_$v"
		;;
	*) die "source_tree: unknown series $1" ;;
	esac
}

# cached NAME: the directory that $BARMAP_CACHE/NAME names, if its
# "complete" stamp is there; nothing otherwise.
cached() {
	c_=$(cat "$BARMAP_CACHE/$1" 2>/dev/null) || return 0
	[ -f "$c_/complete" ] && echo "$c_"
	return 0
}

# cached_path NAME PATH: PATH under the directory NAME names, if it is
# complete; nothing otherwise.  cached_get NAME FILE: that file's
# contents.
cached_path() {
	cp_=$(cached "$1")
	[ -n "$cp_" ] && echo "$cp_/$2"
	return 0
}

cached_get() {
	cg_=$(cached_path "$1" "$2")
	[ -n "$cg_" ] && cat "$cg_"
	return 0
}

# Debian's newest 7.x amd64 kernel (trixie-backports), unpacked and
# prepared by scripts/deps.sh (scripts/debian13.sh): debian7_dir prints
# its cache directory, or nothing before make deps; the others print
# nothing then either.  No network: $BARMAP_CACHE/debian7 names it.
debian7_dir() {
	cached debian7
}

# debian7_get FILE: release (7.3.4+deb13-amd64), series (7.3) or source
# (the unpacked linux-source-7.N tree).
debian7_get() {
	cached_get debian7 "$1"
}

debian7_rel() {
	debian7_get release
}

debian7_series() {
	debian7_get series
}

debian7_source() {
	debian7_get source
}

# debian7_path PATH: PATH under the kernel's cache directory.
debian7_path() {
	cached_path debian7 "$1"
}

# The O= tree out-of-tree modules build against (KDIR).
debian7_build() {
	debian7_path build
}

# Where the kernel's files are: BARMAP_KERNEL_ROOT of initramfs.sh
# (lib/modules/REL under it), and the image.
debian7_root() {
	debian7_path root/usr
}

# Debian's newest 7.x arm64 kernel with 16 KiB pages, as d13_kernel
# arm64-16k prepared it: debian16k_get FILE (release, vermagic, ...), as
# debian7_get above; nothing before make deps.
debian16k_get() {
	cached_get debian7-arm64-16k "$1"
}

debian7_vmlinuz() {
	d7_=$(debian7_dir)
	[ -n "$d7_" ] && debian7_path "root/usr/lib/modules/$(cat "$d7_/release")/vmlinuz"
	return 0
}

# qemu_root trixie|backports: a Debian 13 root (debootstrap minbase)
# with qemu-system-x86 from trixie (QEMU 10.0.x) or from
# trixie-backports (11.x), as make deps builds it (scripts/roots.sh):
# the directory to chroot into, or nothing when it is not cached.  No
# network.  It can be used read-only: /proc, /sys, /dev, /tmp and /run
# are there to mount proc, sysfs, devtmpfs and tmpfs on.
qemu_root() {
	case $1 in
	trixie | backports) cached_path "qemu-$1" root ;;
	*) die "qemu_root: trixie or backports, not '$1'" ;;
	esac
}

# qemu_root_version trixie|backports: the first line of its
# qemu-system-x86_64 --version ("QEMU emulator version 10.0.13 (Debian
# ...)"), or nothing.
qemu_root_version() {
	[ -n "$(qemu_root "$1")" ] && cached_get "qemu-$1" version
	return 0
}

# Debian 13's own 6.12 amd64 kernel (trixie's newest, e.g.
# 6.12.117+deb13-amd64), unpacked by make deps (d13_kernel_612 in
# scripts/debian13.sh), never installed: trixie612_dir prints its cache
# directory, or nothing; the others nothing then either.  No network.
trixie612_dir() {
	cached debian13-612
}

trixie612_rel() {
	cached_get debian13-612 release
}

# BARMAP_KERNEL_ROOT of initramfs.sh (lib/modules/REL under it).
trixie612_root() {
	cached_path debian13-612 root/usr
}

trixie612_vmlinuz() {
	t6r_=$(trixie612_rel)
	[ -n "$t6r_" ] && cached_path debian13-612 "root/boot/vmlinuz-$t6r_"
	return 0
}

# dkms_root: the Debian 13 root with dkms, gcc-14 and Debian's 6.12 and
# 7.x headers (dkms_root_build in scripts/roots.sh), or nothing.
# dkms_root_get rel612|rel7|gcc: what it has.
dkms_root() {
	cached_path dkms-trixie root
}

dkms_root_get() {
	cached_get dkms-trixie "$1"
}

# unmount_under DIR: unmount whatever is mounted at or below DIR, the
# deepest first.  A chroot's proc, sys or dev left mounted in the cache
# would break every later use of it, and an rm -rf there would reach
# into the host's /dev.
unmount_under() {
	uu_=$(cd "$1" 2>/dev/null && pwd -P) || return 0
	awk -v d="$uu_" '$2 == d || index($2, d "/") == 1 { print $2 }' /proc/mounts |
		sort -r | while read -r m_; do
			umount "$m_" 2>/dev/null || umount -l "$m_"
		done
}

# in_root ROOT CMD...: CMD chrooted into ROOT, with a clean environment,
# proc, sysfs and the host's /dev and /dev/pts mounted in ROOT only for
# as long as it runs: unmounted when it ends, fails or is interrupted.
in_root() (
	ir_=$1
	shift
	# Its own mounts only: ROOT itself may be a mount (scripts/deb.sh).
	trap 'for m_ in dev/pts dev sys proc; do unmount_under "$ir_/$m_"; done' EXIT
	trap 'exit 129' HUP
	trap 'exit 130' INT
	trap 'exit 143' TERM
	mkdir -p "$ir_/proc" "$ir_/sys" "$ir_/dev/pts"
	mount -t proc proc "$ir_/proc" &&
		mount -t sysfs sysfs "$ir_/sys" &&
		mount --bind /dev "$ir_/dev" &&
		mount --bind /dev/pts "$ir_/dev/pts" || exit 1
	chroot "$ir_" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
)

# Where scripts/deps.sh unpacks Debian's busybox-static:arm64 (dpkg -x);
# the static binary is DIR/bin/busybox.
arm64_busybox_dir() {
	echo "$BARMAP_CACHE/busybox-arm64"
}

# checkpatch_excepted FILE: the checkpatch types scripts/check-exceptions
# excepts for FILE (a path in the repository), comma-separated
checkpatch_excepted() {
	awk -v f="$1" '$1 == "checkpatch" && index(f, $2) == 1 { printf "%s%s", sep, $3; sep = "," }' \
		"$here/check-exceptions"
}

# uapi_headers KARCH: the uapi headers of the linux-source-7.x that make
# deps unpacked, `make headers` for the kernel's ARCH KARCH into
# $BUILD/uapi-KARCH (O=: the source is not written); prints the include
# directory (for -isystem).  The selftests are built against them, ours
# and upstream's, and the host unit tests that share their code.
uapi_headers() {
	uh_src=$(debian7_source)
	[ -n "$uh_src" ] || die "no linux-source-7.x unpacked (run make deps)"
	uh_out=${BUILD:-$PWD/build}/uapi-$1
	mkdir -p "$uh_out"
	make -s -C "$uh_src" O="$uh_out" ARCH="$1" headers >&2 || return 1
	echo "$uh_out/usr/include"
}

# Where scripts/deps.sh unpacks Debian's uuid-dev:arm64: the static
# libuuid that the arm64 selftests link (libvfio parses VF tokens with it)
# is DIR/usr/lib/aarch64-linux-gnu/libuuid.a.
arm64_uuid_dir() {
	echo "$BARMAP_CACHE/uuid-dev-arm64"
}

# step NAME CMD...: a build step is one TAP line in $results; the
# command's output goes to $BUILD/step.log, and its tail into $results if
# it fails.
step() {
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

# build_module KDIR DIR [MAKEVAR=VALUE...]: W=1 from clean; any warning
# fails, and so does an error, with the build's last lines as the reason.
# MAKEVARs, e.g. ARCH= and CROSS_COMPILE=, go to both makes.
build_module() {
	kdir_=$1 dir_=$2
	shift 2
	make -C "$kdir_" M="$dir_" "$@" clean >/dev/null 2>&1
	if ! make -C "$kdir_" M="$dir_" "$@" W=1 modules >"$BUILD/module.log" 2>&1; then
		grep -E 'error:|warning:' "$BUILD/module.log" | head -n 10
		tail -n 5 "$BUILD/module.log"
		return 1
	fi
	! grep -E 'warning:' "$BUILD/module.log"
}

# copy_source DIR: what a module build needs, from the current directory
# (the top of the tree) into DIR, so objects for two kernels never mix:
# the sources only, never an object, since make check may be building in
# the tree meanwhile (scripts/test.sh runs it beside the guests).
copy_source() {
	rm -rf "$1"
	mkdir -p "$1/scripts/compat-probes"
	cp Makefile Kbuild "$1/"
	find drivers compat/include -type f \( -name '*.[ch]' -o -name Kbuild -o \
		-name Kconfig -o -name Makefile \) | cpio -pdm --quiet "$1"
	find compat/patches -type f -name '*.patch' | cpio -pdm --quiet "$1"
	cp scripts/compat-probes/*.c "$1/scripts/compat-probes/"
	cp scripts/lib.sh scripts/compat-tree.sh "$1/scripts/"
}

# intree_configure TREE OBJ RELEASE: the configuration of make check's
# in-tree build of the driver (scripts/check.sh, scripts/series-check.sh):
# OBJ's .config with the driver and its KUnit suite as modules, and
# KUnit, then olddefconfig.
intree_configure() {
	"$1/scripts/config" --file "$2/.config" -m BARMAP_VFIO_PCI \
		-e KUNIT -m BARMAP_LAYOUT_KUNIT_TEST &&
		make -C "$1" O="$2" KERNELRELEASE="$3" olddefconfig
}

# The sparse that scripts/sparse.sh built for checking 7.x (deps), or
# nothing before make deps.
sparse7_bin() {
	s7_=$(cached sparse7)
	[ -n "$s7_" ] && [ -x "$s7_/sparse" ] && echo "$s7_/sparse"
	return 0
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

# rig_expect KVER ARCH PAGE-BYTES: kernel command-line words that tell
# the guest's selftests what the booted kernel gives barmap-vfio-pci,
# decided by the rig from the kernel's series, architecture and page
# size, never from the driver: who handles BAR faults (barmap from 6.12
# on; on 6.1 vfio-pci-core keeps its own), and the sizes a fault can
# insert there (a PMD maps page * page / 8 bytes, a PUD as much again
# on x86-64 only, the one architecture here with PUD pfnmap), and who
# splits and moves PUD entries.
rig_expect() {
	case $(echo "$1" | cut -d. -f1,2) in
	6.1)
		echo "barmap_expect_faults=vfio-pci-core barmap_expect_pmd=0 barmap_expect_pud=0 barmap_expect_pud_split=mm"
		return
		;;
	esac
	re_pmd=$(($3 * ($3 / 8)))
	re_pud=0
	[ "$2" = x86_64 ] && re_pud=$((re_pmd * ($3 / 8)))
	# Who splits and moves PUD entries: the mm of the rig's own x86
	# kernels, which carry upstream/mm (scripts/rig-kernel.sh), else
	# barmap, where there are any.
	re_split=barmap
	case $1 in *-barmap-*) re_split=mm ;; esac
	[ "$re_pud" != 0 ] || re_split=mm
	printf 'barmap_expect_faults=barmap barmap_expect_pmd=0x%x barmap_expect_pud=0x%x barmap_expect_pud_split=%s\n' \
		"$re_pmd" "$re_pud" "$re_split"
}

# late_deps_lock: the lock deps.sh's background part (the Debian 13
# roots, under make test) holds while it runs; LOCK.status has its exit
# status once done ("running" until then), LOCK.log what it printed.
late_deps_lock() {
	echo "$BARMAP_CACHE/late-deps.lock"
}

# late_deps_wait: wait for that part, if one runs; fails, with its log's
# tail on stdout as "# " lines, if it failed.
late_deps_wait() {
	ld_=$(late_deps_lock)
	[ -f "$ld_" ] || return 0
	flock -s "$ld_" true
	[ -f "$ld_.status" ] || return 0
	ld_st_=$(cat "$ld_.status")
	[ "$ld_st_" = 0 ] && return 0
	echo "# deps' background part (the Debian 13 roots) ended with '$ld_st_':"
	tail -n 20 "$ld_.log" 2>/dev/null | sed 's/^/#   /'
	return 1
}

# lane_times NAME T0 T1: a lane's "# lane-span" (seconds from the run's
# start, $run_t0, else T0) and "# lane-time" (its wall time) lines, for
# the summary.
lane_times() {
	echo "# lane-span $1 $(($2 - ${run_t0:-$2})) $(($3 - ${run_t0:-$2}))"
	echo "# lane-time $1 $(($3 - $2))"
}

# l2_build DIR: make e2e's nested guest (L2) in DIR: e2e_ivshmem
# (static, -Werror); the rig's L2 kernel (scripts/rig-kernel.sh l2,
# cached: the drivers L2 uses built in) as l2-vmlinux, an ELF that L2
# boots through its PVH entry (no decompressor: sooner under TCG in TCG
# than a bzImage); and l2-initrd (scripts/e2e-initramfs.sh l2).
# Used by make e2e and by the booted Debian 13 system's libvirt domain.
l2_build() {
	l2k_=$(sh "$here/rig-kernel.sh" l2 | tail -n 1) &&
		[ -f "$l2k_/vmlinux" ] &&
		gcc -static -O2 -Wall -Werror -o "$1/e2e_ivshmem" \
			"$here/e2e_ivshmem.c" &&
		cp "$l2k_/vmlinux" "$1/l2-vmlinux" &&
		readelf -n "$1/l2-vmlinux" | grep -q 'Xen.*0x00000012' &&
		sh "$here/e2e-initramfs.sh" l2 "$1/e2e_ivshmem" "$1/l2-initrd"
}

# cpu_sample FILE: "SECONDS BUSY TOTAL" (the machine's busy and total
# jiffies, /proc/stat's first line) to FILE.
cpu_sample() {
	awk -v t="$(date +%s)" '$1 == "cpu" {
		busy = $2 + $3 + $4 + $7 + $8 + $9
		print t, busy, busy + $5 + $6
		exit
	}' /proc/stat >>"$1"
}

# cpu_sampler FILE PID: cpu_sample every 30 s while PID lives.  Started
# detached ("(cpu_sampler ... &)"), so that a caller's bare wait does
# not wait for it.
cpu_sampler() {
	while kill -0 "$2" 2>/dev/null; do
		cpu_sample "$1"
		sleep 30
	done
}

# cpu_use FILE T0: from cpu_sampler's FILE, one "# cpu-use" line: how
# busy the machine's cores were in each 5-minute window from T0 (percent
# of all of them), and the core-minutes they stood idle, for the
# summary.  On a saturated machine only less work is faster; an idle
# core is a scheduling gap.
cpu_use() {
	awk -v t0="$2" -v cores="$(nproc)" '
		NR > 1 && $3 > total {
			w = int(($1 - t0) / 300)
			b[w] += $2 - busy
			a[w] += $3 - total
			idle += ($3 - total) - ($2 - busy)
			if (w > last)
				last = w
		}
		{ busy = $2; total = $3 }
		END {
			line = "# cpu-use"
			for (w = 0; w <= last; w++)
				line = line sprintf(" %d", a[w] ? 100 * b[w] / a[w] : 0)
			# jiffies are USER_HZ (100) per second of a core
			printf "%s; %d idle core-minutes, %d cores\n", line, idle / 6000, cores
		}' "$1"
}

# lane NAME FILE CMD...: one part of the suite.  CMD writes TAP to FILE
# (its stdout is appended there too); its wall time becomes a
# "# lane-time NAME SECONDS" line, and a CMD that fails without a
# "not ok" line of its own in FILE gets one, so that no part can end
# early, or fail, unreported.
lane() {
	ln_name=$1 ln_file=$2
	shift 2
	ln_t0=$(date +%s)
	ln_before=$(grep -c '^not ok ' "$ln_file" 2>/dev/null) || ln_before=0
	if "$@" >>"$ln_file"; then ln_st=0; else ln_st=$?; fi
	ln_after=$(grep -c '^not ok ' "$ln_file" 2>/dev/null) || ln_after=0
	if [ "$ln_st" != 0 ] && [ "$ln_after" = "$ln_before" ]; then
		echo "not ok - lane $ln_name: exited with status $ln_st without a \"not ok\" for what it did not finish (see the lines above)" >>"$ln_file"
	fi
	lane_times "$ln_name" "$ln_t0" "$(date +%s)" >>"$ln_file"
	return 0
}

# zoo_guests LABEL PLANDIR KVER INITRD OUTDIR: the zoo (scripts/zoo.sh)
# on one kernel, by the plan in PLANDIR: every PCI device model
# trixie-backports' QEMU lists, each either in one of the zoo guests,
# under that QEMU, or a SKIP line with the reason.  TAP on stdout;
# run-guest.sh takes the kernel and the architecture from the
# environment (BARMAP_KERNEL, BARMAP_ARCH, BARMAP_ARM64_PAGES).
zoo_guests() {
	zg_boots=$(wc -l <"$2/zoo.plan")
	echo "# $1: $(qemu_root_version backports)"
	echo "ok - $1: $(wc -l <"$2/zoo.devices") PCI device models and shapes, $(grep -c '	boot ' "$2/zoo.devices") in $zg_boots guests, the others skipped with QEMU's reason"
	sed -n "s/^\\([^	]*\\)	\\(boot .*\\)/# $(echo "$1" | sed 's@/@\\/@g'): \\1 \\2/p" "$2/zoo.devices"
	sed -n "s|^\\([^	]*\\)	skip: \\(.*\\)|ok - $1: \\1 # SKIP \\2|p" \
		"$2/zoo.devices"
	zg_i=1
	while [ $zg_i -le "$zg_boots" ]; do
		info "guest: $3, zoo guest $zg_i of $zg_boots"
		KVER=$3 BARMAP_QEMU_ROOT=$(qemu_root backports) \
			BARMAP_ZOO_PLAN=$2/zoo.plan \
			sh "$(dirname "$0")/run-guest.sh" "zoo-$zg_i" "$4" "$5" || true
		zg_i=$((zg_i + 1))
	done
}
