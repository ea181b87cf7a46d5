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

alive() {	# alive PID: running and not yet a zombie
	[ -e "/proc/$1/status" ] || return 1
	while read -r key val _; do
		[ "$key" = State: ] || continue
		[ "$val" != Z ]
		return
	done <"/proc/$1/status"
	return 1
}

# monitor_cmd PIPE PID COMMAND: one command to the monitor of QEMU PID
# (-monitor pipe:PIPE, its output collected in PIPE.log), waiting (at
# most 60 s) for the prompt that follows its output.
monitor_cmd() {
	prompts=$(grep -c '(qemu) ' "$1.log")
	alive "$2" || return 1
	timeout 5 sh -c "echo '$3' >$1.in" || return 1
	i=0
	while [ $i -lt 60 ] && alive "$2"; do
		[ "$(grep -c '(qemu) ' "$1.log")" -gt "$prompts" ] && return 0
		sleep 1
		i=$((i + 1))
	done
	return 1
}

# barmap_debugfs BDF FILE: the path of barmap's debugfs FILE of the
# device: in the core's directory of the device where the kernel has
# VFIO's debugfs (vfio/BDF/barmap/), else barmap-vfio-pci/BDF/.
barmap_debugfs() {
	if [ -d /sys/kernel/debug/vfio ]; then
		echo "/sys/kernel/debug/vfio/$1/barmap/$2"
	else
		echo "/sys/kernel/debug/barmap-vfio-pci/$1/$2"
	fi
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

# kunit_results LABEL: a KUnit suite's results as debugfs shows them
# (/sys/kernel/debug/kunit/SUITE/results, KTAP, on stdin) as TAP lines
# labelled LABEL: one per parameter of a parameterised case ("CASE/PARAM")
# and one per case without parameters, with the failures' diagnostics as
# comments; then, last, one line on whether the suite ran whole, as
# ksft_verdict's: the suite's own "ok" line, a case result for each of
# its "1..N" cases, and each parameterised case's "pass:P fail:F skip:S
# total:T" agreeing with the lines counted.  Prints "ok: N results" or
# "bad: ..." and returns 0 or 1.  No input (no such suite, or no KUnit)
# is "bad".
kunit_results() {
	awk -v label="$1" '
	function status(s) { return s ~ /^ok / ? "ok" : "not ok" }
	function rest(s) { sub(/^(ok|not ok) [0-9]+ /, "", s); return s }
	{
		ind = match($0, /[^ ]/) - 1
		s = substr($0, ind + 1)
	}
	ind == 8 && s ~ /^# Subtest: / { c = substr(s, 12); np[c] = 0; next }
	ind == 8 && s ~ /^(ok|not ok) [0-9]+ / {
		st = status(s)
		np[c]++
		if (st != "ok")
			nf[c]++
		else if (s ~ /# SKIP/)
			ns[c]++
		else
			npass[c]++
		if (st != "ok")
			fails++
		printf "%s %d %s: %s/%s\n", st, ++res, label, c, rest(s)
		next
	}
	ind == 4 && s ~ /^1\.\.[0-9]+$/ { plan = substr(s, 4) + 0; next }
	ind == 4 && s ~ /^# [^ ]+: pass:[0-9]+ fail:[0-9]+ skip:[0-9]+ total:[0-9]+$/ {
		n = substr(s, 3, index(s, ":") - 3)
		split(substr(s, index(s, ":") + 2), kv, /[ :]/)
		stats[n] = kv[2] " " kv[4] " " kv[6] " " kv[8]
		next
	}
	ind == 4 && s ~ /^(ok|not ok) [0-9]+ / {
		n = rest(s)
		sub(/ #.*/, "", n)
		cases++
		if (!(n in np)) {
			if (status(s) != "ok")
				fails++
			printf "%s %d %s: %s\n", status(s), ++res, label, rest(s)
		}
		next
	}
	ind == 0 && s ~ /^(ok|not ok) 1 / { suite = status(s); next }
	# all else but the KTAP headers: diagnostics, as comments
	s == "" || s ~ /^KTAP version / || s ~ /^# Subtest: / || s ~ /^1\.\./ { next }
	{ print (s ~ /^# / ? s : "# " s) }
	END {
		why = ""
		if (suite == "")
			why = "no result for the suite"
		else if (plan == "" || cases != plan)
			why = sprintf("%d case results for a plan of %s", cases, plan == "" ? "none" : plan)
		for (n in np) {
			want = (npass[n] + 0) " " (nf[n] + 0) " " (ns[n] + 0) " " np[n]
			# KUnit leaves the line out for a single parameter
			if (why == "" && stats[n] != want &&
			    !(stats[n] == "" && np[n] == 1))
				why = sprintf("%s: pass/fail/skip/total \"%s\", counted \"%s\"", n, stats[n], want)
		}
		if (why == "" && res == 0)
			why = "no results"
		if (why == "" && (suite == "ok") != (fails == 0))
			why = sprintf("the suite is \"%s\" with %d failed results", suite, fails)
		if (why == "") {
			printf "ok: %d results\n", res
			exit 0
		}
		printf "bad: %s\n", why
		exit 1
	}'
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
# (e.g. "*/shared/* vfio_pci_barmap_subpage_test subpage.mmap_* P-S
# Documentation: ...", results P, F, S).  Every test that stock ran counts; a difference
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

# flatview [TRACE] < MONITOR_LOG: from "info pci" and "info mtree -f",
# every BAR of the passed devices ("bar ID N SIZE") and the pieces of the
# flat view of the "memory" address space inside it ("piece ID N FIRST
# LAST TYPE", offsets in the BAR, decimal; a sub-page BAR is looked at up
# to the end of its 4 KiB page, where QEMU's expansion of it reaches).
# With TRACE, QEMU's log of its iommufd_backend_map_dma,
# iommufd_backend_map_file_dma and iommufd_backend_unmap_dma events, the
# pieces are what QEMU has mapped into the IOAS instead (its guest has no
# vIOMMU, so an IOVA is a guest physical address): TYPE "ramd" where the
# map succeeded, "fail" where it did not; a range unmapped later is
# gone.
flatview() {
	tr -d '\r' | awk -v trace="${1:-}" '
	/^  Bus / { nb = 0; next }
	/^      BAR[0-9]: .*memory at 0x/ {
		match($0, /at 0x[0-9a-f]+ \[0x[0-9a-f]+\]/)
		split(substr($0, RSTART + 3, RLENGTH - 3), w, /[][ ]+/)
		nb++
		bn[nb] = substr($1, 4, 1); bs[nb] = w[1] + 0; be[nb] = w[2] + 0
		next
	}
	/^      id "/ {
		id = $2
		gsub(/"/, "", id)
		for (i = 1; i <= nb && id != ""; i++) {
			n++
			bid[n] = id; bnum[n] = bn[i]; bst[n] = bs[i]; ben[n] = be[i]
		}
		nb = 0
		next
	}
	/^FlatView #/ { fv = 0; next }
	/^ AS "memory",/ { fv = 1; next }
	/^$/ { fv = 0; next }
	fv && /^  [0-9a-f]+-[0-9a-f]+ \(prio/ {
		split($1, r, "-")
		t = $0
		sub(/^[^,]*, /, "", t)
		sub(/\).*/, "", t)
		np++
		ps[np] = ("0x" r[1]) + 0; pe[np] = ("0x" r[2]) + 0; pt[np] = t
	}
	END {
		if (trace != "") {
			np = 0
			while ((getline l <trace) > 0) {
				if (l !~ /iommufd_backend_(un)?map(_file)?_dma /)
					continue
				if (!match(l, /iova=0x[0-9a-f]+ size=0x[0-9a-f]+/))
					continue
				split(substr(l, RSTART, RLENGTH), w, /[= ]/)
				if (l ~ /iommufd_backend_unmap_dma /) {
					for (i = 1; i <= np; i++)
						if (pt[i] == "ramd" && ps[i] == w[2] + 0 &&
						    pe[i] == ps[i] + w[4] - 1)
							pt[i] = "gone"
					continue
				}
				np++
				ps[np] = w[2] + 0; pe[np] = ps[np] + w[4] - 1
				pt[np] = l ~ / \(0\)$/ ? "ramd" : "fail"
			}
		}
		for (b = 1; b <= n; b++) {
			lim = ben[b]
			if (bst[b] + 4095 > lim)
				lim = bst[b] + 4095
			printf "bar %s %s %.0f\n", bid[b], bnum[b], ben[b] - bst[b] + 1
			for (p = 1; p <= np; p++) {
				if (pe[p] < bst[b] || ps[p] > lim || pt[p] == "gone")
					continue
				s = ps[p] < bst[b] ? bst[b] : ps[p]
				e = pe[p] > lim ? lim : pe[p]
				printf "piece %s %s %.0f %.0f %s\n", bid[b], bnum[b],
				       s - bst[b], e - bst[b], pt[p]
			}
		}
	}'
}

# msix_pages BDF: "msix NAME BAR FIRST LAST" (decimal, whole 4 KiB pages)
# for the MSI-X table and PBA, from barmap's debugfs layout while open.
msix_pages() {
	awk -v name="$2" '
	/^BAR[0-9] / {
		for (i = 2; i < NF; i++)
			if ($i == "msix-table" || $i == "msix-pba") {
				split($(i + 1), r, "+")
				s = r[1] + 0; e = s + r[2] - 1
				s -= s % 4096; e += 4095 - e % 4096
				printf "msix %s %s %.0f %.0f\n", name, substr($1, 4), s, e
			}
	}' "$(barmap_debugfs "$1" layout)"
}

# compare_flatviews LABEL WHAT BARMAP STOCK MSIX SUBPAGE [SUMMARY]: the
# pieces of each BAR (flatview's output, in the files BARMAP and STOCK)
# side by side, then the assertions: barmap's direct bytes cover stock's
# (under msix_mmap=1 a BAR holding MSI-X is answered as under vfio-pci,
# so not even its MSI-X pages may be missing); a BAR with MSI-X in every
# page (MSIX, msix_pages' lines) has as many under both; a sub-page BAR is one
# page-sized RAM-device range under barmap where SUBPAGE is "reserved",
# and as direct as under stock where it is "refused".  LABEL prefixes
# every line ("e2e/backports"), WHAT names what the pieces are ("flat
# view", "IOAS"); SUMMARY, if given, starts one line per BAR with both
# drivers' direct bytes ("e2e-direct backports").
compare_flatviews() {
	{
		sed 's/^/barmap /' "$3"
		sed 's/^/stock /' "$4"
		cat "$5"
	} | awk -v label="$1" -v what="$2" -v subpage="$6" -v summary="${7:-}" '
	function hex(n,    s, d) {
		if (n == 0)
			return "0"
		s = ""
		while (n > 0) {
			d = n % 16
			s = substr("0123456789abcdef", d + 1, 1) s
			n = (n - d) / 16
		}
		return s
	}
	$1 == "msix" { k = $2 " " $3; nm[k]++; ms[k, nm[k]] = $4; me[k, nm[k]] = $5; next }
	$2 == "bar" { k = $3 " " $4; size[k] = $5; if (!(k in seen)) { seen[k] = 1; order[++nk] = k }; next }
	$2 == "piece" {
		k = $3 " " $4; d = $1
		np[d, k]++
		s[d, k, np[d, k]] = $5; e[d, k, np[d, k]] = $6; t[d, k, np[d, k]] = $7
	}
	function ranges(d, k,    i, out, ty) {
		out = ""
		for (i = 1; i <= np[d, k]; i++) {
			ty = t[d, k, i] == "ramd" ? "direct" : "trap(" t[d, k, i] ")"
			out = out sprintf(" %s:%s-%s", ty, hex(s[d, k, i]), hex(e[d, k, i]))
		}
		return out == "" ? " (none)" : out
	}
	function direct(d, k,    i, n) {
		n = 0
		for (i = 1; i <= np[d, k]; i++)
			if (t[d, k, i] == "ramd")
				n += e[d, k, i] - s[d, k, i] + 1
		return n
	}
	function fails(d, k,    i, n) {
		n = 0
		for (i = 1; i <= np[d, k]; i++)
			if (t[d, k, i] == "fail")
				n++
		return n
	}
	# Is [a, b] inside one run of barmap direct pieces of k?
	function covered(k, a, b,    i, rs, re) {
		rs = -1
		for (i = 1; i <= np["barmap", k]; i++) {
			if (t["barmap", k, i] != "ramd")
				continue
			if (rs >= 0 && s["barmap", k, i] == re + 1) {
				re = e["barmap", k, i]
			} else {
				if (rs >= 0 && rs <= a && b <= re)
					return 1
				rs = s["barmap", k, i]; re = e["barmap", k, i]
			}
		}
		return rs >= 0 && rs <= a && b <= re
	}
	# every 4 KiB page of k holds MSI-X (a BAR of MSI-X alone)?
	function msix_every_page(k,    p, i, hit) {
		if (!nm[k])
			return 0
		for (p = 0; p < size[k]; p += 4096) {
			hit = 0
			for (i = 1; i <= nm[k]; i++)
				if (ms[k, i] <= p && p <= me[k, i])
					hit = 1
			if (!hit)
				return 0
		}
		return 1
	}
	END {
		for (j = 1; j <= nk; j++) {
			k = order[j]
			split(k, kk, " ")
			printf "# %s: %s %s BAR%s (%s bytes): stock %.0f direct%s\n",
			       label, what, kk[1], kk[2], size[k], direct("stock", k), ranges("stock", k)
			printf "# %s: %s %s BAR%s (%s bytes): barmap %.0f direct%s\n",
			       label, what, kk[1], kk[2], size[k], direct("barmap", k), ranges("barmap", k)
			if (summary != "")
				printf "# %s %s BAR%s %s stock=%.0f barmap=%.0f\n",
				       summary, kk[1], kk[2], size[k], direct("stock", k), direct("barmap", k)
			ok = np["barmap", k] > 0 || (what == "IOAS" && np["stock", k] == 0)
			for (i = 1; i <= np["stock", k]; i++)
				if (t["stock", k, i] == "ramd" &&
				    !covered(k, s["stock", k, i], e["stock", k, i]))
					ok = 0
			printf "%s - %s: %s: %s BAR%s: barmap direct covers stock direct\n",
			       ok ? "ok" : "not ok", label, what, kk[1], kk[2]
			if (what == "IOAS") {
				ok = fails("barmap", k) <= fails("stock", k)
				printf "%s - %s: %s: %s BAR%s: no more failed maps under barmap than under stock (%d, %d)\n",
				       ok ? "ok" : "not ok", label, what, kk[1], kk[2],
				       fails("barmap", k), fails("stock", k)
			}
			# No hole to gain there: answered as vfio-pci answers.
			if (size[k] >= 4096 && msix_every_page(k)) {
				ok = direct("barmap", k) == direct("stock", k)
				printf "%s - %s: %s: %s BAR%s, MSI-X in every page: as many direct bytes under barmap as under stock (%.0f, %.0f)\n",
				       ok ? "ok" : "not ok", label, what, kk[1], kk[2],
				       direct("barmap", k), direct("stock", k)
			}
			if (size[k] < 4096 && subpage == "reserved") {
				ok = np["barmap", k] == 1 && t["barmap", k, 1] == "ramd" &&
				     s["barmap", k, 1] == 0 && e["barmap", k, 1] == 4095
				printf "%s - %s: %s: %s BAR%s (%s bytes) is one 4 KiB RAM-device range under barmap\n",
				       ok ? "ok" : "not ok", label, what, kk[1], kk[2], size[k]
			}
			if (size[k] < 4096 && subpage != "reserved") {
				ok = direct("barmap", k) == direct("stock", k)
				printf "%s - %s: %s: %s BAR%s (%s bytes, its page shared): as many direct bytes under barmap as under stock (%.0f, %.0f)\n",
				       ok ? "ok" : "not ok", label, what, kk[1], kk[2], size[k],
				       direct("barmap", k), direct("stock", k)
			}
		}
		if (!nk)
			printf "not ok - %s: %s: no BARs of the passed devices found\n", label, what
	}'
}
