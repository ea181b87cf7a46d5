# SPDX-License-Identifier: GPL-2.0-only
#
# Shell functions of the guests' init scripts (scripts/guest-init.sh,
# scripts/e2e-init.sh), sourced from /lib/guest-lib.sh of their
# initramfs.

bind() {	# bind BDF DRIVER: driver_override + drivers_probe
	dev=/sys/bus/pci/devices/$1
	[ -e "$dev/driver" ] && echo "$1" >"$dev/driver/unbind"
	echo "$2" >"$dev/driver_override"
	echo "$1" >/sys/bus/pci/drivers_probe
	[ "$(basename "$(readlink "$dev/driver")")" = "$2" ]
}

unbind() {	# unbind BDF: no driver, and no override left behind
	dev=/sys/bus/pci/devices/$1
	[ -e "$dev/driver" ] && echo "$1" >"$dev/driver/unbind"
	echo >"$dev/driver_override"
	[ ! -e "$dev/driver" ]
}

# ksft_verdict PROGRAM STATUS OUTPUT: one line on whether a
# kselftest_harness program ran what it planned, from its output file and
# exit status: its "1..N" plan, exactly N result lines, a "# Totals:"
# line that adds up to N and agrees with the result lines, and an exit
# status that matches (0 without failures, 1 with; 4 when every test
# skipped).  Prints "ok ..." or "bad: ..." and returns 0 or 1.  A
# program that cannot be executed, crashes, hangs up the harness or
# stops early fails here even if every line it printed was "ok".
ksft_verdict() {
	awk -v st="$2" '
	/^1\.\.[0-9]+$/ && plan == "" { plan = substr($0, 4) + 0 }
	/^ok [0-9]+ / { res++; if ($0 ~ /# [Ss][Kk][Ii][Pp]/) skip++; else pass++ }
	/^not ok [0-9]+ / { res++; fail++ }
	/^# Totals: / {
		tot = 0
		for (i = 3; i <= NF; i++) {
			split($i, kv, ":")
			t[kv[1]] = kv[2] + 0
			tot += kv[2]
		}
		totals = 1
	}
	END {
		why = ""
		want = fail ? 1 : (res && skip == res ? "0 or 4" : 0)
		if (plan == "")
			why = "no 1..N plan"
		else if (res != plan)
			why = sprintf("%d results for a plan of %d", res, plan)
		else if (!totals)
			why = "no # Totals line"
		else if (tot != plan || t["fail"] + t["error"] != fail ||
			 t["skip"] != skip)
			why = sprintf("# Totals (pass %d fail %d skip %d error %d) disagree with the results (pass %d fail %d skip %d)",
				      t["pass"] + t["xfail"], t["fail"], t["skip"], t["error"], pass, fail, skip)
		else if (!(st == want || (want == "0 or 4" && (st == 0 || st == 4))))
			why = sprintf("exit status %d, expected %s", st, want)
		if (why == "") {
			printf "ok: %d results, exit status %d\n", res, st
			exit 0
		}
		printf "bad: %s (exit status %d)\n", why, st
		exit 1
	}' "$3"
}

# ksft_results OUTPUT: "TEST RESULT" per result line of a kselftest
# program's output (RESULT P pass, F fail, S skip).
ksft_results() {
	awk '/^ok [0-9]+ / { print $3, ($0 ~ /# [Ss][Kk][Ii][Pp]/ ? "S" : "P") }
	     /^not ok [0-9]+ / { print $4, "F" }' "$1"
}

# stock_differences LABEL PROGRAM BARMAP-OUTPUT STOCK-OUTPUT LIST: the
# same program's results under the driver under test and under stock
# vfio-pci, test by test, checked against LIST, whose lines are
#   LABEL-GLOB PROGRAM TEST-GLOB BARMAP-STOCK RULE...
# (e.g. "*/shared/* barmap_subpage subpage.mmap_* P-S Documentation:
# ...", results P, F, S).  Every test that stock ran counts; a difference
# that no line lists fails, and so does a listed one that did not happen
# although stock ran the test: it proves stock ran as stock.  Prints one
# "# ..." line per difference and, last, "ok: ..." or "bad: ...".
stock_differences() {
	ksft_results "$3" >/tmp/sd.barmap
	ksft_results "$4" >/tmp/sd.stock
	awk -v label="$1" -v prog="$2" '
	function re(glob) {
		gsub(/[.+^$(){}|\[\]\\]/, "\\\\&", glob)
		gsub(/\*/, ".*", glob)
		gsub(/\?/, ".", glob)
		return "^" glob "$"
	}
	FILENAME == ARGV[1] { if ($0 !~ /^#/ && NF >= 4 && $2 == prog && label ~ re($1)) {
				  n++; lt[n] = re($3); ld[n] = $4; lg[n] = $1 " " $3 " " $4 } ; next }
	FILENAME == ARGV[2] { b[$1] = $2; next }
	{
		ran++
		s = $2; t = $1
		d = (t in b ? b[t] : "-") "-" s
		for (i = 1; i <= n; i++)
			if (t ~ lt[i]) {
				seen[i] = 1
				if (d == ld[i])
					hit[i] = 1
			}
		if (b[t] == s)
			next
		diffs++
		listed = 0
		for (i = 1; i <= n; i++)
			if (t ~ lt[i] && d == ld[i])
				listed = 1
		printf "# %s %s: %s: %s (barmap-stock), %s\n", label, prog, t, d,
		       listed ? "listed" : "NOT LISTED"
		if (!listed)
			bad = bad sprintf(" unlisted %s %s;", t, d)
	}
	END {
		for (i = 1; i <= n; i++)
			if (seen[i] && !hit[i])
				bad = bad sprintf(" listed difference did not happen: %s;", lg[i])
		if (!ran)
			bad = bad " stock ran no test;"
		if (bad != "") {
			printf "bad: %d tests, %d differences:%s\n", ran, diffs, bad
			exit 1
		}
		printf "ok: %d tests, %d differences, each listed\n", ran, diffs
	}' "$5" /tmp/sd.barmap /tmp/sd.stock
}
