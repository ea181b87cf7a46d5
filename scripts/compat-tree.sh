# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=sh
#
# The out-of-tree build's copy of the driver (run by the top-level Kbuild):
#
#   compat-tree.sh SRC OUT [PATCH...]
#
# OUT/drivers/vfio/pci/barmap becomes SRC/drivers/vfio/pci/barmap with
# each PATCH applied in the order given, exactly: no fuzz, and no hunk
# found at another line than the patch says.  Files whose content did
# not change keep their time stamps, so an unchanged tree rebuilds
# nothing; a source file copied before and no longer there goes, and
# nothing else (the build's own files, such as modpost's .mod.c, stay).
# Prints "ok" last on success; otherwise what went wrong, and exits 1:
# the Kbuild then stops, as it does for a probe that cannot decide.

set -u
src=$1 out=$2
shift 2
drv=drivers/vfio/pci/barmap
tmp=$out.new
list=.compat-tree-files

fail() {
	echo "barmap-vfio-pci: $*"
	rm -rf "$tmp"
	exit 1
}

[ $# -eq 0 ] || command -v patch >/dev/null 2>&1 ||
	fail "patch(1) is needed to build for this kernel"
rm -rf "$tmp"
mkdir -p "$tmp/$drv" "$out/$drv" || fail "cannot create $out"
for f in "$src/$drv"/*.c "$src/$drv"/*.h "$src/$drv"/Makefile "$src/$drv"/Kconfig; do
	[ -f "$f" ] || continue
	cp "$f" "$tmp/$drv/" || fail "cannot copy $f"
done
for p in "$@"; do
	msg=$(patch -d "$tmp" -p1 -F0 --batch --forward --no-backup-if-mismatch \
		--reject-file=- <"$p" 2>&1) ||
		fail "compat patch ${p##*/} does not apply to this tree: $(printf '%s\n' "$msg" | tr '\n' ' ')"
	case $msg in
	*offset* | *fuzz*)
		fail "compat patch ${p##*/} applies only at other lines than it says: $(printf '%s\n' "$msg" | tr '\n' ' ')" ;;
	esac
done
(cd "$tmp/$drv" && ls) >"$tmp/$list" || fail "cannot list $tmp"
while read -r f; do
	cmp -s "$tmp/$drv/$f" "$out/$drv/$f" || cp "$tmp/$drv/$f" "$out/$drv/" ||
		fail "cannot write $out"
done <"$tmp/$list"
if [ -f "$out/$list" ]; then
	while read -r f; do
		grep -qxF "$f" "$tmp/$list" || rm -f "$out/$drv/$f"
	done <"$out/$list"
fi
cp "$tmp/$list" "$out/$list" || fail "cannot write $out"
rm -rf "$tmp"
echo ok
