#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# make bench: boot the guest (Debian's 7.x kernel) once, map the matrix's
# BARs the ways VMMs do under stock vfio-pci and under barmap-vfio-pci in
# the same boot, and print a table of minor faults, page-table growth and
# touch time.  The table also goes to $BUILD/bench.md.  Counts are exact;
# times are TCG's.

set -eu
here=$(dirname "$0")
. "$here/lib.sh"

results=${BUILD:-$PWD/build}/bench.tap
. "$here/build.sh"
if [ $built != 0 ]; then
	cat "$results"
	die "bench: build failed"
fi

# On Debian's 7.x, the primary target, as make deps unpacked it.
if ! build_for_debian7; then
	cat "$results"
	die "bench: no build for Debian's 7.x kernel"
fi
export BARMAP_KERNEL KVER
BARMAP_KERNEL=$(debian7_vmlinuz)
KVER=$rel7

BARMAP_MODE=bench sh "$here/run-guest.sh" exclusive "$BUILD/$rel7/initrd.gz" \
	"$BUILD/bench" >"$BUILD/bench.raw" || true
grep -q '^# bench|' "$BUILD/bench.raw" || {
	cat "$BUILD/bench.raw"
	die "bench: the guest printed no figures"
}

{
	echo "barmap-vfio-pci bench, $(date -u +%Y-%m-%d), kernel $KVER, QEMU TCG guest"
	echo
	sed -n 's/^# bench|//p' "$BUILD/bench.raw" | awk -F'|' '
	{
		key = $2
		if (!(key in seen)) { seen[key] = 1; order[n++] = key }
		f[key, $1] = $3; best[key, $1] = $4
		pte[key, $1] = $5; ms[key, $1] = $6
	}
	END {
		s = "vfio-pci"; b = "barmap-vfio-pci"
		print "| case | faults stock | faults barmap | fewest possible | VmPTE kB stock | VmPTE kB barmap | touch ms stock | touch ms barmap |"
		print "|---|---:|---:|---:|---:|---:|---:|---:|"
		for (i = 0; i < n; i++) {
			k = order[i]
			printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", k,
			       f[k, s], f[k, b], best[k, b], pte[k, s], pte[k, b],
			       ms[k, s], ms[k, b]
		}
	}'
} | tee "$BUILD/bench.md"
