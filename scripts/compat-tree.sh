# SPDX-License-Identifier: GPL-2.0-only
#
# The out-of-tree build's copy of the driver (run by the top-level Kbuild):
#
#   compat-tree.sh SRC OUT [PATCH...]
#
# OUT/drivers/vfio/pci/barmap becomes SRC/drivers/vfio/pci/barmap with
# each PATCH applied in the order given, exactly (no fuzz, no offset
# guessing on reversed hunks).  Files whose content did not change keep
# their time stamps, so an unchanged tree rebuilds nothing.  Prints
# "ok" last on success; otherwise what went wrong, and exits 1: the
# Kbuild then stops, as it does for a probe that cannot decide.

set -u
src=$1 out=$2
shift 2
drv=drivers/vfio/pci/barmap
tmp=$out.new

fail() {
	echo "barmap-vfio-pci: $*"
	rm -rf "$tmp"
	exit 1
}

command -v patch >/dev/null 2>&1 || fail "patch(1) is needed to build for this kernel"
rm -rf "$tmp"
mkdir -p "$tmp/$drv" "$out/$drv" || fail "cannot create $out"
for f in "$src/$drv"/*.c "$src/$drv"/*.h "$src/$drv"/Makefile "$src/$drv"/Kconfig; do
	[ -f "$f" ] || continue
	cp "$f" "$tmp/$drv/" || fail "cannot copy $f"
done
for p in "$@"; do
	msg=$(patch -d "$tmp" -p1 -F0 --batch --forward --no-backup-if-mismatch \
		--reject-file=- <"$p" 2>&1) ||
		fail "compat patch ${p##*/} does not apply to this tree: $(echo "$msg" | tr '\n' ' ')"
done
for f in "$tmp/$drv"/*; do
	cmp -s "$f" "$out/$drv/${f##*/}" || cp "$f" "$out/$drv/" || fail "cannot write $out"
done
for f in "$out/$drv"/*.c "$out/$drv"/*.h "$out/$drv"/Makefile "$out/$drv"/Kconfig; do
	[ -f "$f" ] && [ ! -e "$tmp/$drv/${f##*/}" ] && rm -f "$f"
done
rm -rf "$tmp"
echo ok
