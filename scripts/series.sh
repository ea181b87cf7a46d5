#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# make series: the work of this repository as the patch series mainline
# would read, in `git format-patch` form, against linux-source-7.N of
# Debian's newest 7.x kernel (make deps unpacked it):
#
#   1-2  the mm fixes for leaf PUD entries (upstream/mm/, as they are)
#   3    the driver: drivers/vfio/pci/barmap/ without its KUnit suite,
#        its Kconfig and Makefile lines in drivers/vfio/pci/, MAINTAINERS
#   4    the KUnit suite of the layout (layout_kunit.c, layout_cases.h,
#        its Kconfig option and Makefile line, the EXPORT_SYMBOL_IF_KUNIT
#        of layout.c)
#   5    Documentation/driver-api/barmap-vfio-pci.rst and its index entry
#   6    the selftests: selftests/vfio/ of the repository into
#        tools/testing/selftests/vfio/ (but the out-of-tree Makefile, the
#        host-side unit tests of barmap/unit/ and the rig's list of
#        expected differences, barmap/stock-differences), the programs
#        its Makefile lists added to upstream's, with barmap/libbarmap.mk
#   0    a cover letter (upstream/series/cover-letter.txt)
#
# with the messages of upstream/series/.  The base is a git repository of
# the files of linux-source-7.N that the series changes, committed as
# they are unpacked: `git format-patch` writes the same patches against it
# as against the whole tree (paths, and the blob ids of the index lines),
# and `git am` applies them to either.  Each patch adds the files of the
# repository exactly: after the last one, the tree's copy of every file
# the series carries must equal the repository's, or this fails.
#
# Usage: series.sh OUT [BASE]
#   OUT   where the patches go (make series: SERIES_OUT, default
#         $BUILD/series); emptied first
#   BASE  where the base repository goes (default: a temporary one);
#         scripts/check.sh keeps it to apply the series with git am
# Prints the patch files, in order, on stdout.

set -eu
here=$(dirname "$0")
. "$here/lib.sh"

[ $# -ge 1 ] && [ $# -le 2 ] || die "usage: $0 OUT [BASE]"
out=$1
top=$(cd "$here/.." && pwd)
src7=$(debian7_source)
[ -n "$src7" ] && [ -d "$src7/mm" ] ||
	die "series: no unpacked linux-source-7.x in $BARMAP_CACHE (run make deps)"
pkgver=${src7##*_}

if [ $# -eq 2 ]; then
	base=$2
	rm -rf "$base"
	mkdir -p "$base"
else
	base=$(mktemp -d)
	trap 'rm -rf "$base"' EXIT
fi

# The authorship of the repository's own commits, and a date that moves
# only with the repository: the same tree always gives the same series.
author=$(cd "$top" && git log -1 --format='%an')
email=$(cd "$top" && git log -1 --format='%ae')
date=$(cd "$top" && git log -1 --format='%cI')
export GIT_AUTHOR_NAME="$author" GIT_AUTHOR_EMAIL="$email"
export GIT_COMMITTER_NAME="$author" GIT_COMMITTER_EMAIL="$email"
export GIT_AUTHOR_DATE="$date" GIT_COMMITTER_DATE="$date"

pcidir=drivers/vfio/pci
bdir=$pcidir/barmap
doc=Documentation/driver-api/barmap-vfio-pci.rst
# The files of linux-source-7.N the series changes.
ksft=tools/testing/selftests/vfio
base_files="MAINTAINERS Documentation/driver-api/index.rst $pcidir/Kconfig \
	$pcidir/Makefile mm/huge_memory.c mm/mremap.c $ksft/Makefile $ksft/.gitignore"
# The driver's files, and those of them that belong to its KUnit suite.
kunit_files="$bdir/layout_kunit.c $bdir/layout_cases.h"
driver_files=$(cd "$top" && git ls-files "$bdir")
[ -n "$driver_files" ] || die "series: no tracked file under $bdir"
# The selftests' files, as the repository has them under selftests/vfio/.
selftest_files=$(cd "$top" && git ls-files selftests/vfio |
	grep -v -e '^selftests/vfio/Makefile$' -e '^selftests/vfio/barmap/unit/' \
		-e '^selftests/vfio/barmap/stock-differences$')
[ -n "$selftest_files" ] || die "series: no tracked file under selftests/vfio"

git_b() {
	git -C "$base" "$@"
}

# commit MESSAGE-FILE: everything changed, as one commit
commit() {
	git_b add -A
	git_b commit -q -F "$top/upstream/series/$1"
}

# maintainers_add_files PATTERN...: F: lines for PATTERNs in the driver's
# MAINTAINERS entry, the entry's F: lines kept in sorted order (its F:
# lines are its last)
maintainers_add_files() {
	awk -v entry="$entry" -v new="$(printf '%s\n' "$@")" '
		$0 == entry { in_entry = 1 }
		in_entry && /^F:\t/ { f[++n] = substr($0, 4); next }
		in_entry && /^$/ {
			k = split(new, add, "\n")
			for (i = 1; i <= k; i++)
				if (add[i] != "")
					f[++n] = add[i]
			for (i = 2; i <= n; i++)
				for (j = i; j > 1 && f[j] < f[j - 1]; j--) {
					t = f[j]; f[j] = f[j - 1]; f[j - 1] = t
				}
			for (i = 1; i <= n; i++)
				print "F:\t" f[i]
			in_entry = 0
			done = 1
		}
		{ print }
		END { if (!done) exit 1 }' "$base/MAINTAINERS" >"$base/MAINTAINERS.new" ||
		die "series: no '$entry' in MAINTAINERS"
	mv "$base/MAINTAINERS.new" "$base/MAINTAINERS"
}

# --- the base
for f in $base_files; do
	mkdir -p "$base/$(dirname "$f")"
	cp "$src7/$f" "$base/$f"
done
git_b init -q
git_b config core.autocrlf false
git_b add -A
git_b commit -q -m "linux-source-$(debian7_series) $pkgver: the files the series changes"
git_b tag series-base

# --- 1-2: the mm fixes, with their own authorship and dates
for p in "$top"/upstream/mm/*.patch; do
	git_b am -q --committer-date-is-author-date "$p" ||
		die "series: git am of upstream/mm/${p##*/} failed on linux-source-$(debian7_series)"
done

# --- 3: the driver, without its KUnit suite
mkdir -p "$base/$bdir"
for f in $driver_files; do
	case " $kunit_files " in *" $f "*) continue ;; esac
	cp "$top/$f" "$base/$f"
done
# strip_kunit FILE START: FILE without the lines from the first one that
# is START to its end (the KUnit block ends the file), which must exist
strip_kunit() {
	grep -qxF "$2" "$base/$1" || die "series: no '$2' in $1"
	awk -v start="$2" '$0 == start { exit } { print }' "$base/$1" >"$base/$1.new"
	# the blank line that separated the block
	sed -e '${/^$/d;}' "$base/$1.new" >"$base/$1"
	rm "$base/$1.new"
}
strip_kunit "$bdir/Kconfig" "config BARMAP_LAYOUT_KUNIT_TEST"
# shellcheck disable=SC2016 # a make line, written as it is
strip_kunit "$bdir/Makefile" 'obj-$(CONFIG_BARMAP_LAYOUT_KUNIT_TEST) += barmap-layout-kunit.o'
grep -q 'EXPORT_SYMBOL_IF_KUNIT' "$base/$bdir/layout.c" ||
	die "series: layout.c exports nothing for KUnit"
sed -i -e '/^EXPORT_SYMBOL_IF_KUNIT(.*);$/d' \
	-e '/^#include <kunit\/visibility.h>$/d' \
	-e '/^#include <linux\/export.h>$/d' "$base/$bdir/layout.c"
printf '\nsource "%s/Kconfig"\n' "$bdir" >>"$base/$pcidir/Kconfig"
# shellcheck disable=SC2016 # a make variable, written as it is
printf '\nobj-$(CONFIG_BARMAP_VFIO_PCI) += barmap/\n' >>"$base/$pcidir/Makefile"
# MAINTAINERS: the entry in its place, before the first VFIO entry that
# sorts after it
entry="VFIO BARMAP PCI DRIVER"
awk -v entry="$entry" -v who="$author <$email>" -v dir="$bdir/" '
	!done && /^VFIO / && $0 > entry {
		print entry
		print "M:\t" who
		print "L:\tkvm@vger.kernel.org"
		print "S:\tMaintained"
		print "F:\t" dir
		print ""
		done = 1
	}
	{ print }
	END { if (!done) exit 1 }' "$base/MAINTAINERS" >"$base/MAINTAINERS.new" ||
	die "series: no place for '$entry' in MAINTAINERS"
mv "$base/MAINTAINERS.new" "$base/MAINTAINERS"
commit 3-driver.txt

# --- 4: the KUnit suite
for f in $kunit_files $bdir/Kconfig $bdir/Makefile $bdir/layout.c; do
	cp "$top/$f" "$base/$f"
done
commit 4-kunit.txt

# --- 5: the documentation, its index entry and its MAINTAINERS line
mkdir -p "$base/$(dirname "$doc")"
cp "$top/$doc" "$base/$doc"
grep -qx '   vfio-pci-device-specific-driver-acceptance' \
	"$base/Documentation/driver-api/index.rst" ||
	die "series: no vfio-pci-device-specific-driver-acceptance in the driver-api index"
sed -i '/^   vfio-pci-device-specific-driver-acceptance$/a\   barmap-vfio-pci' \
	"$base/Documentation/driver-api/index.rst"
maintainers_add_files "$doc"
commit 5-docs.txt

# --- 6: the selftests, their programs in upstream's Makefile, the
# files of barmap/ that are not C past its .gitignore, and their lines
# in MAINTAINERS
for f in $selftest_files; do
	mkdir -p "$base/$ksft/$(dirname "${f#selftests/vfio/}")"
	cp "$top/$f" "$base/$ksft/${f#selftests/vfio/}"
done
# progs VAR: the programs the repository's Makefile puts in VAR
progs() {
	sed -n -E "s/^$1 [:+]= (vfio_pci_barmap_[a-z0-9_]+)$/\\1/p" "$top/selftests/vfio/Makefile"
}
[ -n "$(progs TEST_GEN_PROGS)" ] || die "series: no TEST_GEN_PROGS in selftests/vfio/Makefile"
[ "$( (progs TEST_GEN_PROGS; progs TEST_GEN_PROGS_EXTENDED) | wc -l)" = \
	"$(make -s -C "$top/selftests/vfio" print-progs | wc -w)" ] ||
	die "series: selftests/vfio/Makefile lists programs this script does not read"
awk -v tests="$(progs TEST_GEN_PROGS)" -v tools="$(progs TEST_GEN_PROGS_EXTENDED)" '
	# after the last program of upstream, and after libvfio.mk
	/^TEST_GEN_PROGS \+= / { last = NR }
	{ line[NR] = $0 }
	END {
		for (i = 1; i <= NR; i++) {
			print line[i]
			if (i == last) {
				n = split(tests, t, "\n")
				for (j = 1; j <= n; j++)
					print "TEST_GEN_PROGS += " t[j]
				n = split(tools, t, "\n")
				for (j = 1; j <= n; j++)
					print "TEST_GEN_PROGS_EXTENDED += " t[j]
				done++
			}
			if (line[i] == "include lib/libvfio.mk") {
				print "include barmap/libbarmap.mk"
				done++
			}
		}
		if (done != 2)
			exit 1
	}' "$base/$ksft/Makefile" >"$base/$ksft/Makefile.new" ||
	die "series: no place for barmap's programs in $ksft/Makefile"
mv "$base/$ksft/Makefile.new" "$base/$ksft/Makefile"
grep -qx '!\*.mk' "$base/$ksft/.gitignore" ||
	die "series: $ksft/.gitignore no longer lets .mk files through"
echo '!/barmap/stock-answers' >>"$base/$ksft/.gitignore"
maintainers_add_files "$ksft/barmap/" "$ksft/vfio_pci_barmap_*"
commit 6-selftests.txt

# --- every file the series carries, exactly as in the repository
for f in $driver_files $doc; do
	cmp -s "$top/$f" "$base/$f" || die "series: $f differs from the repository's after the last patch"
done
# as committed: upstream's .gitignore there lets only some names through
for f in $selftest_files; do
	git_b show "HEAD:$ksft/${f#selftests/vfio/}" 2>/dev/null | cmp -s "$top/$f" - ||
		die "series: $f is not in the last patch as in the repository"
done

# --- the patches and the cover letter
rm -rf "$out"
mkdir -p "$out"
git_b format-patch -q --cover-letter -o "$out" series-base..HEAD
cover=$(ls "$out"/0000-*.patch)
subject=$(head -n 1 "$top/upstream/series/cover-letter.txt")
awk -v subject="$subject" -v body="$top/upstream/series/cover-letter.txt" '
	/\*\*\* SUBJECT HERE \*\*\*/ { sub(/\*\*\* SUBJECT HERE \*\*\*/, subject) }
	/^\*\*\* BLURB HERE \*\*\*$/ {
		n = 0
		while ((getline line <body) > 0)
			if (n++ >= 2)
				print line
		next
	}
	{ print }' "$cover" >"$cover.new"
mv "$cover.new" "$cover"
! grep -q '\*\*\* .* HERE \*\*\*' "$cover" || die "series: the cover letter kept a placeholder"
ls "$out"/*.patch
