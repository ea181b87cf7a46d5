#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# make check: sparse (C=2, endianness checks), coccicheck (MODE=report,
# the scripts of the installed linux-source) and checkpatch --strict over
# every C source and header of the project.  Prints one TAP line per tool
# and the findings; exits non-zero on any finding not excepted in
# scripts/check-exceptions.

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
ignores() {	# ignores FILE: comma-separated types excepted for FILE
	awk -v f="$1" '$1 == "checkpatch" && index(f, $2) == 1 { printf "%s%s", sep, $3; sep = "," }' \
		"$here/check-exceptions"
}
: >"$out/checkpatch"
for f in $(cd "$top" && git ls-files '*.c' '*.h'); do
	(cd "$top" && perl "$src/scripts/checkpatch.pl" --strict --no-tree -q \
		--show-types --ignore "$(ignores "$f")" -f "$f") \
		>>"$out/checkpatch" 2>&1 || true
done
rm -f "$top"/.checkpatch-camelcase.*
report "checkpatch --strict --no-tree, every source and header" "$out/checkpatch"

exit $status
