#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# make check: sparse (C=2, endianness checks), coccicheck (MODE=report,
# the scripts of the installed linux-source) and checkpatch --strict over
# every C source and header of the project, against Debian's 6.12; that
# every difference from stock vfio-pci the selftests admit names a
# documented rule; then, in the linux-source-7.N of Debian's newest 7.x
# kernel (make deps), the driver built in-tree as drivers/vfio/pci/barmap
# (W=1), sparse on it there, and that tree's checkpatch --strict.  Prints
# one TAP line per tool and the findings; exits non-zero on any finding
# not excepted in scripts/check-exceptions.

set -eu
here=$(dirname "$0")
. "$here/lib.sh"

: "${KVER:=$(installed_612_kver)}"
[ -n "$KVER" ] || die "no Debian 6.12 kernel installed; run make deps"
kdir=/usr/src/linux-headers-$KVER
src=$(source_tree)
top=$(cd "$here/.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
status=0

report() {	# report NAME FINDINGS-FILE
	if [ -s "$2" ]; then
		echo "not ok - check: $1"
		sed 's/^/# /' "$2"
		status=1
	else
		echo "ok - check: $1"
	fi
}

# sparse: rebuild every object with the checker on.
make -s -C "$kdir" M="$top" clean >/dev/null 2>&1 || true
make -C "$kdir" M="$top" C=2 CF=-D__CHECK_ENDIAN__ modules >"$out/sparse.log" 2>&1 ||
	echo "build failed" >>"$out/sparse.log"
grep -E 'warning:|error:|build failed' "$out/sparse.log" >"$out/sparse" || true
report "sparse C=2 CF=-D__CHECK_ENDIAN__, no warnings" "$out/sparse"

# coccicheck: every semantic patch of the installed source, report mode.
make -C "$src" M="$top/drivers/vfio/pci/barmap" coccicheck MODE=report \
	>"$out/cocci.log" 2>&1 || echo "coccicheck failed" >>"$out/cocci.log"
grep -E '^/.*:[0-9]+:[0-9]+-[0-9]+: |coccicheck failed|OCaml' "$out/cocci.log" \
	>"$out/cocci" || true
report "coccicheck MODE=report, no findings" "$out/cocci"

# checkpatch --strict, with the excepted types of each file ignored.
checkpatch() {	# checkpatch SOURCE-TREE OUT: every source and header
	: >"$2"
	for f in $(cd "$top" && git ls-files '*.c' '*.h'); do
		(cd "$top" && perl "$1/scripts/checkpatch.pl" --strict --no-tree -q \
			--show-types --ignore "$(checkpatch_excepted "$f")" -f "$f") \
			>>"$2" 2>&1 || true
	done
	rm -f "$top"/.checkpatch-camelcase.*
}
checkpatch "$src" "$out/checkpatch"
report "checkpatch --strict --no-tree, every source and header" "$out/checkpatch"

# The compat patches add driver code too.  They are not mails: no
# sign-off, and paths outside MAINTAINERS by design.
: >"$out/checkpatch-compat"
for p in "$top"/compat/patches/*.patch; do
	(cd "$out" && perl "$src/scripts/checkpatch.pl" --strict --no-tree -q \
		--show-types --ignore FILE_PATH_CHANGES,MISSING_SIGN_OFF "$p") \
		>>"$out/checkpatch-compat" 2>&1 || true
done
report "checkpatch --strict --no-tree, every compat patch" "$out/checkpatch-compat"

# Every difference from stock vfio-pci the selftests admit names a
# documented rule.  stock-answers goes to mainline with the selftests:
# its rules are items of the driver-api page's "Where barmap-vfio-pci
# differs from vfio-pci".  stock-differences stays here: its rules may
# also be items of the README's "What older kernels lack" (the compat
# layer's, out of tree only), or barmap's own debugfs or module, which
# vfio-pci does not have.  A section renamed or emptied leaves its rules
# unmatched, and fails.

# bold_items FILE HEADING-RE MARK: the bold titles, without a closing
# full stop, of the bullets beginning with MARK ("* " or "- ") in FILE's
# section whose heading matches HEADING-RE, up to the next heading
# underlined with "=" (rst) or beginning with "##" (Markdown).  The line
# after the heading (the rst underline) is skipped unless it is a bullet.
bold_items() {
	awk -v heading="$2" -v mark="$3**" '
		$0 ~ heading { on = 1; getline; if (index($0, mark) != 1) next }
		on && (/^=+$/ || /^##/) { exit }
		on && index($0, mark) == 1 {
			t = substr($0, length(mark) + 1)
			sub(/\*\*.*/, "", t)
			sub(/\.$/, "", t)
			print t
		}' "$1"
}
rules_of_the_page() {
	bold_items "$top/Documentation/driver-api/barmap-vfio-pci.rst" \
		'^Where barmap-vfio-pci differs from vfio-pci$' '* '
}
rules_of_the_readme() {
	bold_items "$top/README.md" '^### What older kernels lack' '- '
}
rules_of_the_page >"$out/rules-stock-answers.known"
{
	cat "$out/rules-stock-answers.known"
	rules_of_the_readme
	printf '%s\n' debugfs "the module under test"
} >"$out/rules-stock-differences.known"
: >"$out/rules"
for f in stock-differences stock-answers; do
	awk -F '\t' '!/^#/ && NF { print $5 }' "$top/selftests/vfio/barmap/$f" |
		sort -u >"$out/rules-$f"
	[ -s "$out/rules-$f" ] || echo "$f: no rule read" >>"$out/rules"
	grep -Fvx -f "$out/rules-$f.known" "$out/rules-$f" |
		sed "s/.*/$f: \"&\" names no item of its Documentation/" >>"$out/rules" || true
done
report "every rule of selftests/vfio/barmap/stock-differences and stock-answers is a documented item" "$out/rules"

# --- Debian's 7.x: the driver in a kernel tree, as README tells a user
# to put it there.  The unpacked linux-source-7.N is a shared cache, so
# the driver goes into a hard-linked copy of it (cached beside the
# kernel, made once in seconds); the two files the wiring edits, and the
# driver's directory, are fresh copies on every run, never links.  Its
# O= tree has Debian's config plus BARMAP_VFIO_PCI=m, and KUnit with the
# driver's suite (BARMAP_LAYOUT_KUNIT_TEST=m, so that layout_kunit.c
# gets W=1 and sparse too), and is modules_prepare'd once; later runs
# only rebuild what changed.
d7=$(debian7_dir)
if [ -z "$d7" ]; then
	echo "not ok - check: Debian's 7.x kernel is not in $BARMAP_CACHE (run make deps)"
	exit 1
fi
rel=$(debian7_rel)
series=$(debian7_series)
src7=$(debian7_source)
tree=$d7/intree/src
obj=$d7/intree/build
pcidir=drivers/vfio/pci

intree_prepare() {
	if [ ! -f "$d7/intree/.linked" ]; then
		rm -rf "$d7/intree"
		mkdir -p "$d7/intree"
		cp -al "$src7" "$tree" || return 1
		touch "$d7/intree/.linked"
	fi
	rm -rf "${tree:?}/$pcidir/barmap"
	mkdir -p "$tree/$pcidir/barmap"
	(cd "$top" && git ls-files --cached --others --exclude-standard \
		"$pcidir/barmap") | while read -r f; do
		cp "$top/$f" "$tree/$pcidir/barmap/"
	done
	for f in Kconfig Makefile; do
		rm -f "$tree/$pcidir/$f"
		cp "$src7/$pcidir/$f" "$tree/$pcidir/$f"
	done
	echo 'source "drivers/vfio/pci/barmap/Kconfig"' >>"$tree/$pcidir/Kconfig"
	# shellcheck disable=SC2016 # a make variable, written as it is
	echo 'obj-$(CONFIG_BARMAP_VFIO_PCI) += barmap/' >>"$tree/$pcidir/Makefile"
	mkdir -p "$obj"
	[ -f "$obj/.config" ] || cp "$d7/root/usr/lib/modules/$rel/config" "$obj/.config"
	intree_configure "$tree" "$obj" "$rel" &&
		grep -qx 'CONFIG_BARMAP_VFIO_PCI=m' "$obj/.config" &&
		grep -qx 'CONFIG_BARMAP_LAYOUT_KUNIT_TEST=m' "$obj/.config" &&
		make -C "$tree" O="$obj" -j"$(nproc)" modules_prepare \
			KERNELRELEASE="$rel" &&
		cp "$d7/root/usr/src/linux-headers-$rel/Module.symvers" "$obj/"
}

mkdir -p "$d7/intree"
exec 8>"$d7/intree.lock"
flock 8
if ! intree_prepare >"$out/intree-prepare.log" 2>&1; then
	tail -n 20 "$out/intree-prepare.log" >"$out/intree"
	echo "preparing $tree failed" >>"$out/intree"
fi

# W=1 from clean: the directory's objects (-k: every file's findings),
# then sparse over the same.  7.x's headers use __typeof_unqual__ under
# sparse, which bookworm's sparse (0.6.4) cannot parse: this runs the
# sparse that make deps built from sid's source (scripts/sparse.sh),
# after the kernel's own scripts/checker-valid.sh accepts it.
intree_make() {	# intree_make LOG MAKEVAR...: build drivers/vfio/pci/barmap/
	log=$1
	shift
	rm -rf "${obj:?}/$pcidir/barmap"
	make -k -C "$tree" O="$obj" KERNELRELEASE="$rel" "$@" "$pcidir/barmap/" \
		>"$log" 2>&1 || echo "build failed" >>"$log"
}
sparse7=$(sparse7_bin)
sparse_ok=0
[ -n "$sparse7" ] &&
	sparse_ok=$(sh "$src7/scripts/checker-valid.sh" "$sparse7" --arch=x86_64 \
		-mlittle-endian -m64 2>/dev/null || true)
if [ ! -s "$out/intree" ]; then
	intree_make "$out/intree.log" W=1
	grep -E 'warning:|error:|build failed' "$out/intree.log" >"$out/intree" || true
	if [ "$sparse_ok" = 1 ]; then
		intree_make "$out/sparse7.log" C=2 CHECK="$sparse7" \
			CF=-D__CHECK_ENDIAN__
		grep -E 'warning:|error:|build failed' "$out/sparse7.log" \
			>"$out/sparse7" || true
		# C=2 with a checker the kernel turned off checks nothing
		grep -q ' CHECK .*barmap/main.c' "$out/sparse7.log" ||
			echo "sparse checked nothing" >>"$out/sparse7"
	fi
else
	cp "$out/intree" "$out/sparse7"
fi
# make series (scripts/series.sh), applied with git am patch by patch in
# the same tree (scripts/series-check.sh), which is then prepared again.
if [ ! -s "$out/intree" ]; then
	mkdir -p "$out/series"
	sh "$here/series-check.sh" "$out/series" "$tree" "$obj" "$rel" \
		"$([ "$sparse_ok" = 1 ] && echo "$sparse7")" >"$out/series-findings" 2>&1
	if ! intree_prepare >"$out/intree-prepare.log" 2>&1; then
		echo "preparing $tree again after the series failed" >>"$out/series-findings"
		tail -n 5 "$out/intree-prepare.log" >>"$out/series-findings"
	fi
else
	echo "not checked: the in-tree build failed" >"$out/series-findings"
fi
flock -u 8
report "$series: in-tree drivers/vfio/pci/barmap/ in linux-source-$series (W=1, no warnings)" "$out/intree"
[ "$sparse_ok" = 1 ] || [ -s "$out/sparse7" ] ||
	echo "${sparse7:-no sparse for 7.x (run make deps)}: rejected by linux-source-$series's scripts/checker-valid.sh" \
		>"$out/sparse7"
report "$series: sparse ${sparse7:+($sparse7) }C=2 CF=-D__CHECK_ENDIAN__ in-tree, no warnings" "$out/sparse7"

report "$series: make series applies with git am to linux-source-$series; each patch checkpatch --strict, kernel-doc -none -Wall and W=1/sparse clean" "$out/series-findings"

checkpatch "$src7" "$out/checkpatch7"
report "$series: checkpatch --strict --no-tree of linux-source-$series, every source and header" "$out/checkpatch7"

# The mm fixes for mainline, as the patches they are (run outside the
# repository: inside a git work tree checkpatch takes a tracked .patch
# file for a changed file and checks the diff's own lines).
: >"$out/patches"
for p in "$top"/upstream/mm/*.patch; do
	(cd "$out" && perl "$src7/scripts/checkpatch.pl" --strict --no-tree -q "$p") \
		>>"$out/patches" 2>&1 || echo "checkpatch failed on ${p##*/}" >>"$out/patches"
done
report "$series: checkpatch --strict of the patches for mainline (upstream/mm)" "$out/patches"

exit $status
