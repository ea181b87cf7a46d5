#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# summary.sh [MANIFEST] < RESULTS
#
# Count TAP result lines on stdin and print "N passed, N failed" (with
# ", N skipped" when any), last.  Before it, the timeline: each lane's
# wall time from its "# lane-time NAME SECONDS" line (lanes in the
# background overlap the others), the whole run's ("total"), and every
# retry ("# retry: " lines: guests that died before the module under
# test was loaded, upstream programs run again after a test timed
# out), and, just before the last line, every failed line again (the
# first 40), so that the end of a long log names them.
#
# With MANIFEST (scripts/expected-results), the run is held to it: each
# result line belongs to a lane, the first part of its label (7.3 in
# "ok 5 7.3/shared/nvme: ...", "rig/" dropped; "build" in "ok - build:
# ..."), and each lane must have exactly the results, program runs
# (passed "PROGRAM ran its whole plan" lines) and skips (by their reason) that
# the manifest lists.  Every difference is a "not ok - manifest: ..."
# line of its own, counted with the rest.
#
# With --write instead of MANIFEST: print the manifest lines this run
# would satisfy (to review, with each skip's condition, and commit).
#
# Exits 1 if anything failed or nothing ran.
mode=check
case ${1:-} in
--write) mode=write manifest=/dev/null ;;
"") mode=none manifest=/dev/null ;;
*) manifest=$1 ;;
esac
missing=
if [ "$mode" = check ] && [ ! -f "$manifest" ]; then
	missing=$manifest
	manifest=/dev/null
fi
awk -v mode="$mode" -v missing="$missing" '
function lane_of(line,   l) {
	sub(/^(not )?ok ([0-9]+|-) /, "", line)
	l = line
	sub(/: .*$/, "", l)
	sub(/^rig\//, "", l)
	sub(/\/.*$/, "", l)
	return l
}
function skip_reason(line) {
	sub(/^.*# [Ss][Kk][Ii][Pp] */, "", line)
	return line
}
FILENAME != "-" {
	if ($0 ~ /^#/ || NF == 0)
		next
	if ($1 == "lane")
		want_n[$2] = $3
	else if ($1 == "run")
		want_run[$2 " " $3] = $4
	else if ($1 == "skip") {
		r = $0
		sub(/^skip[ \t]+[^ \t]+[ \t]+[0-9]+[ \t]+/, "", r)
		want_skip[$2 "\t" r] = $3
	}
	next
}
/^ok / || /^not ok / {
	ln = lane_of($0)
	have_n[ln]++
	if ($0 ~ /^ok .*: [^ ]+ ran its whole plan \(/) {
		p = $0
		sub(/ ran its whole plan \(.*$/, "", p)
		sub(/^.*: /, "", p)
		have_run[ln " " p]++
	}
}
/^ok .*# [Ss][Kk][Ii][Pp]/ {
	skip++
	have_skip[ln "\t" skip_reason($0)]++
	next
}
/^ok /                     { pass++; next }
/^not ok /                 { fail++; failed = failed $0 "\n"; next }
/^# cpu-use / { cpu = $0 }
/^# retry: / { retries = retries "#   " substr($0, 10) "\n"; nretry++ }
/^# lane-span [^ ]+ [0-9]+ [0-9]+$/ { span[$3] = sprintf(", minutes %d to %d of the run", $4 / 60, ($5 + 59) / 60) }
/^# lane-time [^ ]+ [0-9]+$/ {
	if ($3 == "total")
		total = $4
	else
		lanes = lanes sprintf("#   %-14s %5d s (%d min)%s\n", $3, $4, ($4 + 30) / 60, span[$3])
}
function bad(msg) {
	print "not ok - manifest: " msg
	failed = failed "not ok - manifest: " msg "\n"
	fail++
}
END {
	if (mode == "write") {
		for (l in have_n)
			printf "lane\t%s\t%d\n", l, have_n[l]
		for (k in have_run) {
			split(k, a, " ")
			printf "run\t%s\t%s\t%d\n", a[1], a[2], have_run[k]
		}
		for (k in have_skip) {
			split(k, a, "\t")
			printf "skip\t%s\t%d\t%s\n", a[1], have_skip[k], a[2]
		}
		exit 0
	}
	if (missing != "")
		bad("no manifest " missing ": nothing is known of what this run must contain")
	if (mode == "check") {
		for (l in want_n)
			if (have_n[l] != want_n[l])
				bad(sprintf("lane %s: %d results, the manifest expects %d", l, have_n[l], want_n[l]))
		for (l in have_n)
			if (!(l in want_n))
				bad(sprintf("lane %s: %d results, a lane the manifest does not have", l, have_n[l]))
		for (k in want_run)
			if (have_run[k] != want_run[k])
				bad(sprintf("run %s: %d complete runs, the manifest expects %d", k, have_run[k], want_run[k]))
		for (k in have_run)
			if (!(k in want_run))
				bad(sprintf("run %s: %d complete runs, a program the manifest does not list", k, have_run[k]))
		for (k in want_skip)
			if (have_skip[k] != want_skip[k]) {
				split(k, a, "\t")
				bad(sprintf("lane %s: %d skips, the manifest allows %d: %s", a[1], have_skip[k], want_skip[k], a[2]))
			}
		for (k in have_skip)
			if (!(k in want_skip)) {
				split(k, a, "\t")
				bad(sprintf("lane %s: %d skips the manifest does not allow: %s", a[1], have_skip[k], a[2]))
			}
	}
	if (lanes != "")
		printf "# timeline (wall time per lane; lanes in the background overlap):\n%s", lanes
	if (nretry)
		printf "# %d retries (a guest that died before the module was loaded, a program whose test the harness timed out):\n%s", nretry, retries
	if (total != "")
		printf "# whole run: %d s (%d min)\n", total, (total + 30) / 60
	if (cpu != "") {
		sub(/^# cpu-use /, "", cpu)
		printf "# cores busy (percent, each 5 minutes from the build on): %s\n", cpu
	}
	if (fail) {
		printf "# the %d failures again, so that the end of the log names them:\n", fail
		n = split(failed, fl, "\n")
		for (i = 1; i < n && i <= 40; i++)
			printf "#   %s\n", fl[i]
		if (n - 1 > 40)
			printf "#   ... and %d more\n", n - 41
	}
	line = sprintf("%d passed, %d failed", pass, fail)
	if (skip)
		line = line sprintf(", %d skipped", skip)
	print line
	exit (fail || pass + skip == 0) ? 1 : 0
}' "$manifest" -
