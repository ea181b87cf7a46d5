#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# make bench: boot the guest (Debian's 7.x kernel) once, map the matrix's
# BARs the ways VMMs do under stock vfio-pci and under barmap-vfio-pci in
# the same boot, and print a table of minor faults, page-table growth and
# touch time.  Then run make e2e (scripts/e2e.sh) and print, per QEMU
# version, the bytes of each BAR the nested guest reaches directly and the
# entries each driver inserted for ivshmem's 1 GiB BAR2.  The tables also
# go to $BUILD/bench.md.  Counts are exact; times are TCG's.

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

# Per QEMU, from make e2e: the flat view's direct bytes per BAR, and the
# entries inserted for BAR2 over QEMU's run (QEMU DMA-maps the BAR when
# the guest enables it, which faults all of it in) with QEMU's minor
# faults while the nested guest reads every 4 KiB of it.
E2E_PREBUILT=1 sh "$here/e2e.sh" >"$BUILD/bench-e2e.tap" || true
e2e_out=$BUILD/e2e/l1.out
grep -q '^# e2e-direct ' "$e2e_out" 2>/dev/null || {
	grep -E '^(not ok|#) ' "$BUILD/bench-e2e.tap" | tail -n 20
	die "bench: make e2e printed no figures"
}
{
	echo
	echo "make e2e, $(date -u +%Y-%m-%d): outer guest $KVER, QEMU TCG in TCG"
	echo
	sed -n 's/^# e2e-qemu \([^ ]*\) QEMU emulator version /| \1 | /p' "$e2e_out" |
		sed 's/$/ |/' | { echo "| QEMU | version |"; echo "|---|---|"; cat; }
	echo
	echo "| QEMU | BAR | size | direct bytes stock | direct bytes barmap |"
	echo "|---|---|---:|---:|---:|"
	sed -n 's/^# e2e-direct //p' "$e2e_out" |
		awk '{ sub("stock=", "", $5); sub("barmap=", "", $6)
		       printf "| %s | %s %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6 }'
	echo
	echo "| QEMU | driver | BAR2 VA aligned to | PTE | PMD | PUD | QEMU minor faults in the sweep |"
	echo "|---|---|---:|---:|---:|---:|---:|"
	sed -n 's/^# e2e-sweep //p' "$e2e_out" | awk '
	{
		for (i = 3; i <= NF; i++) {
			split($i, kv, "=")
			v[kv[1]] = kv[2]
		}
		a = "-"
		if (v["va"] != "none") {
			va = ("0x" v["va"]) + 0
			for (s = 1073741824; s >= 4096; s /= 2)
				if (va % s == 0) {
					a = s >= 1048576 ? s / 1048576 " MiB" : s / 1024 " KiB"
					if (s == 1073741824)
						a = "1 GiB"
					break
				}
		}
		printf "| %s | %s | %s | %s | %s | %s | %s |\n", $1,
		       $2 == "barmap" ? "barmap-vfio-pci" : "vfio-pci (all devices)",
		       a, v["run_pte"], v["run_pmd"], v["run_pud"], v["sweep_minflt"]
	}'
} | tee -a "$BUILD/bench.md"
