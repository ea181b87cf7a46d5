# SPDX-License-Identifier: GPL-2.0-only
#
# The peer suite, sourced by scripts/guest-init.sh in mode "peer": Linux's
# own VFIO selftests (tools/testing/selftests/vfio of linux-source-7.x,
# built by scripts/upstream-selftests.sh) run on every rig device
# (vfio_dma_mapping_test on the first: see peer_run), once with the
# devices bound to barmap-vfio-pci and once bound to vfio-pci.
# Each program's TAP is reduced to one result per test and IOMMU mode
# (P pass, F fail, S skip; a program that stops before its first test
# counts as one result of its own), the two drivers' results are printed
# side by side and must be identical.  A failure both drivers share is
# listed with the source line that asserted, and the reason when it is a
# known limit of the library or of the kernel (peer_cause); one with no
# known reason fails the suite, as does any difference.
#
# vfio_pci_sriov_uapi_test insists that the VF it creates is bound to a driver
# named "vfio-pci" (vf_setup()); a VF of a PF bound to barmap-vfio-pci is bound
# to barmap-vfio-pci, so that program is reported, not compared, and
# vfio_pci_barmap_vftoken_test checks the same uAPI (the VF token of
# VFIO_GROUP_GET_DEVICE_FD, VFIO_DEVICE_BIND_IOMMUFD and
# VFIO_DEVICE_FEATURE_PCI_VF_TOKEN) on both drivers.
#
# Uses from guest-init.sh: tap, run, compare, bind, unbind, $profile,
# $MATRIX.

peer_dir=/tmp/peer
peer_progs=$(cat /bin/upstream-vfio-selftests)
# One program may not hang the guest.  The slowest, the igb's
# vfio_pci_driver_test (35 runs of DMA through the debug kernel), took
# 760 s under vfio-pci and overran 900 s under barmap-vfio-pci on
# 2026-12-02, beside two other guests on two cores; a test may take
# 300 s (upstream-selftests.sh).
peer_timeout=1800

# Devices beyond the matrix: the SR-IOV PFs (the nvme at 08.0, the igb)
# and the igb, the one device the library has a DMA driver for.
peer_igb= peer_pfs=
for dev in /sys/bus/pci/devices/*; do
	[ "$(cat "$dev/vendor"):$(cat "$dev/device")" = 0x8086:0x10c9 ] &&
		peer_igb=${dev##*/}
	[ "$(cat "$dev/sriov_totalvfs" 2>/dev/null || echo 0)" -gt 0 ] &&
		peer_pfs="$peer_pfs ${dev##*/}"
done
peer_devs=
for d in $MATRIX; do peer_devs="$peer_devs $d"; done
[ -n "$peer_igb" ] && peer_devs="$peer_devs $peer_igb=igb"

# Both drivers let sysfs create VFs of a PF they drive only with
# enable_sriov=1; the 2 MiB and 1 GiB hugetlb variants of
# vfio_dma_mapping_test need pages of those sizes (the 1 GiB one is
# reserved at boot, hugepages=1 on the command line: at run time the
# guest's memory is already too fragmented for it).
rmmod barmap_vfio_pci vfio_pci
modprobe vfio-pci enable_sriov=1 && modprobe barmap-vfio-pci enable_sriov=1
tap $? "peer: reload vfio-pci and barmap-vfio-pci with enable_sriov=1"
echo 8 >/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages 2>/dev/null
# vfio_pci_driver_test maps 1 GiB of anonymous shared memory (shmem) and
# DMA-maps it for every one of its 35 runs on the igb: 262144 page
# faults and pins each time on the debug kernel under TCG.  Backed by
# 2 MiB pages (the only program here that maps shmem; the driver under
# test is not in that path) a run took 12.5 s instead of 33 s on
# average (type1, 2026-12-02), which takes about 20 minutes of one core
# off the lane.
echo always >/sys/kernel/mm/transparent_hugepage/shmem_enabled
echo "# peer: shmem THP: $(cat /sys/kernel/mm/transparent_hugepage/shmem_enabled)"
echo "# peer: hugetlb pages: 2 MiB $(cat /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages 2>/dev/null || echo 0), 1 GiB $(cat /sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages 2>/dev/null || echo 0)"
echo "# peer: programs: $peer_progs"
echo "# peer: devices:$peer_devs; SR-IOV PFs:$peer_pfs"

# peer_parse: a program's output in, "KEY MODE RESULT WHERE" lines out.
# KEY is fixture.variant.test without the IOMMU mode, MODE the mode or
# "-", WHERE the first assertion's source line (path from tools/) or "-".
peer_parse() {
	awk -v prog="$1" -v st="$2" '
	function where(line) {
		sub(/: .*$/, "", line)
		if (line ~ /\/tools\//)
			sub(/^.*\/tools\//, "tools/", line)
		else
			line = "tools/testing/selftests/vfio/" line
		return line
	}
	function split_mode(name,   n, i, p, parts, modes) {
		mode = "-"; key = name
		n = split(name, parts, ".")
		if (n < 3)
			return
		split("vfio_type1v2_iommu vfio_type1_iommu iommufd_compat_type1v2 iommufd_compat_type1 iommufd", modes, " ")
		for (i = 1; i <= 5; i++) {
			p = modes[i]
			if (parts[2] == p || index(parts[2], p "_") == 1) {
				mode = p
				parts[2] = substr(parts[2], length(p) + 2)
				break
			}
		}
		key = parts[1] "." (parts[2] == "" ? "" : parts[2] ".") parts[3]
	}
	# VFIO_ASSERT_*() and VFIO_FAIL() of the library, then ASSERT_*() of the
	# harness ("# FILE.c:LINE:TEST:Expected ...").
	/^#  RUN / { at = "-"; eno = "-"; next }
	/Test terminated by timeout/ { if (at == "" || at == "-") at = "timeout"; next }
	/^  \[errno: [0-9]+/ { if (eno == "" || eno == "-") eno = $2 + 0; next }
	/\.c:[0-9]+: (Assertion Failure|FAIL)/ || /^# [^ ]*\.c:[0-9]+:[^ ]*:Expected / {
		if ($0 ~ /^# /) {
			line = substr($0, 3)
			sub(/:[^:]*:Expected .*$/, "", line)
			line = "tools/testing/selftests/vfio/" line
		} else {
			line = where($0)
		}
		if (at == "" || at == "-")
			at = line
		if (first == "")
			first = line
		next
	}
	/^(not )?ok [0-9]+ / {
		r = ($1 == "not") ? "F" : ($0 ~ /# SKIP/ ? "S" : "P")
		name = ($1 == "not") ? $4 : $3
		split_mode(name)
		# EBUSY opening the group or binding the cdev: the device was
		# still held (released late by the test before), it never ran.
		if (r == "F" && eno == 16 && at ~ /lib\/vfio_pci_device\.c/)
			r = "B"
		print key, mode, r, (r == "F" || r == "B" ? at : "-")
		results++
		at = "-"; eno = "-"
		next
	}
	END {
		if (!results)
			print prog "(main)", "-", (st == 4 ? "S" : (st == 0 ? "P" : "F")), (first == "" ? "-" : first)
	}'
}

# peer_cause WHERE: why a failure both drivers share is not the driver's.
peer_cause() {
	case $1 in
	*/lib/libvfio.c:100)
		echo "mmap_reserve() maps a BAR smaller than a page at its own size and munmap()s the unaligned rest: EINVAL, with either driver" ;;
	*/lib/iommu.c:*)
		[ -e /dev/iommu ] && return 1
		echo "no /dev/iommu (kernel without IOMMUFD): the iommufd and iommufd_compat modes open it, and so does every test in the library's default mode (iommufd: vfio_pci_device_test, vfio_pci_driver_test)" ;;
	*/lib/vfio_pci_device.c:* | */vfio_iommufd_setup_test.c:*)
		[ -e /dev/iommu ] && [ -d /dev/vfio/devices ] && return 1
		echo "no /dev/vfio/devices/vfioN (kernel without VFIO_DEVICE_CDEV) or no /dev/iommu (without IOMMUFD)" ;;
	*/vfio_dma_mapping_test.c:297 | */vfio_dma_mapping_test.c:300)
		case $(uname -r) in 6.*) ;; *) return 1 ;; esac
		echo "vfio_iommu_type1 of 6.x answers a map or unmap whose IOVA range wraps with another error than EOVERFLOW, which the test expects (7.3's type1 returns it)" ;;
	*) return 1 ;;
	esac
}

# peer_excerpt WHERE LOG...: the first test of the logs that failed at
# WHERE (a source line, or "timeout"), as TAP comments.
peer_excerpt() {
	w=${1#tools/}
	[ "$w" = timeout ] && w="Test terminated by timeout"
	shift
	awk -v w="$w" '
	/^#  RUN / { n = 0 }
	{ if (n < 40) buf[n++] = $0 }
	index($0, w) { hit = 1 }
	hit && /^(not )?ok [0-9]+ / { exit }
	# a program that stops before its first test: its start
	END { if (hit) for (i = 0; i < n; i++) print buf[i] }
	' "$@" | sed 's/^/#   | /'
}

# peer_run DRIVER: every program on every device bound to DRIVER, the
# parsed results in $peer_dir/DRIVER/NAME@PROG.
peer_run() {
	mkdir -p "$peer_dir/$1" "$peer_dir/log/$1"
	for d in $peer_devs; do
		bind "${d%%=*}" "$1" || tap 1 "peer: bind ${d#*=} to $1"
	done
	for pf in $peer_pfs; do
		bind "$pf" "$1" || tap 1 "peer: bind PF $pf to $1"
	done
	for prog in $peer_progs; do
		case $prog in
		vfio_pci_sriov_uapi_test) targets=$peer_pfs ;;
		# What it checks is the IOMMU's mappings of anonymous
		# and hugetlb memory (vfio_iommu_type1, iommufd): the
		# device only joins the container or IOAS, and its
		# setup, the driver's part, is what every other program
		# here does on every device.  One device: on six it took
		# six minutes of the lane (2026-12-05), the same results.
		vfio_dma_mapping_test)
			targets=${peer_devs# }
			targets=${targets%% *} ;;
		*) targets=$peer_devs ;;
		esac
		for d in $targets; do
			bdf=${d%%=*} name=${d#*=}
			[ "$name" = "$d" ] && name=pf-$bdf
			read -r up _ </proc/uptime
			echo "# uptime ${up}s: peer $1 $name $prog"
			out=$peer_dir/$1/$name@$prog log=$peer_dir/log/$1/$name@$prog
			timeout $peer_timeout "/bin/$prog" "$bdf" >"$log" 2>&1
			st=$?
			# A test the harness stopped at its timeout (300 s, ten
			# times the test's own, or 30 s in the programs that
			# include the harness by its relative path, as
			# upstream-selftests.sh says; one of their tests,
			# vfio_dma_mapping_mmio_test's map_bar_misaligned, faults
			# in and pins up to 1 GiB page by page) ran out of time
			# on a loaded TCG host or hung: the program runs once
			# more, after the killed test has let go of the device
			# (it goes on pinning in the kernel after SIGKILL, and
			# holds the device meanwhile), and only its second run
			# counts.  Listed as a retry in the summary.
			if grep -q "Test terminated by timeout" "$log"; then
				echo "# retry: peer/$name: $prog under $1: $(grep -c "Test terminated by timeout" "$log") test(s) stopped at the harness's timeout; the program runs once more"
				mv "$log" "$log.timeout"
				peer_wait_released "$bdf" ||
					echo "# retry: peer/$name: the device still open after ${peer_release_wait}s"
				timeout $peer_timeout "/bin/$prog" "$bdf" >"$log" 2>&1
				st=$?
			fi
			peer_parse "$prog" $st <"$log" >"$out"
		done
	done
	for d in $peer_devs $peer_pfs; do unbind "${d%%=*}"; done
}

# peer_wait_released BDF: wait until no process has the device's VFIO
# group or cdev open, $peer_release_wait seconds at the most; 1 if one
# still has.
peer_release_wait=600
peer_wait_released() {
	pw_grp=/dev/vfio/$(basename "$(readlink "/sys/bus/pci/devices/$1/iommu_group")")
	pw_cdev=/dev/vfio/devices/$(ls "/sys/bus/pci/devices/$1/vfio-dev" 2>/dev/null)
	pw_i=0
	while [ $pw_i -lt $peer_release_wait ]; do
		pw_held=
		for pw_fd in /proc/[0-9]*/fd/*; do
			case $(readlink "$pw_fd" 2>/dev/null) in
			"$pw_grp" | "$pw_cdev") pw_held=1 && break ;;
			esac
		done
		[ -z "$pw_held" ] && return 0
		sleep 1
		pw_i=$((pw_i + 1))
	done
	return 1
}

peer_start=$(date +%s)
peer_run barmap-vfio-pci
peer_run vfio-pci

# The table: one row per device, program's test and IOMMU mode column;
# each cell "barmap/stock".
echo "# peer: upstream VFIO selftests, barmap-vfio-pci/vfio-pci (P pass, F fail, S skip, . not run)"
printf '# %-9s %-58s %-5s %-5s %-5s %-5s %-5s %-5s\n' device test - type1 type1v2 cmp-t1 cmp-t1v2 iommufd
for f in "$peer_dir"/barmap-vfio-pci/*@*; do
	base=${f##*/} name=${f##*/}
	name=${name%%@*} prog=${base#*@}
	s=$peer_dir/vfio-pci/$base
	[ "$prog" = vfio_pci_sriov_uapi_test ] && continue
	awk -v name="$name" '
	FNR == NR { b[$1 " " $2] = $3; keys[$1] = 1; next }
	{ s[$1 " " $2] = $3; keys[$1] = 1 }
	END {
		split("- vfio_type1_iommu vfio_type1v2_iommu iommufd_compat_type1 iommufd_compat_type1v2 iommufd", m, " ")
		for (k in keys) {
			line = sprintf("%-9s %-58s", name, k)
			for (i = 1; i <= 6; i++) {
				c = (k " " m[i])
				cell = ((c in b) ? b[c] : ".") "/" ((c in s) ? s[c] : ".")
				line = line sprintf(" %-5s", cell == "./." ? "" : cell)
			}
			print "# " line
		}
	}' "$f" "$s" | sort
	# Identical, or the suite fails; shared failures listed by cause.  A
	# test that did not run with one driver (B: the harness starts the
	# next test without waiting for a timed-out one to exit, which still
	# holds the device) is not compared, but fails the second line.
	diff=$(awk 'FNR == NR { b[$1 " " $2] = $3; next }
		{ k = $1 " " $2; if ($3 != "B" && b[k] != "B" && (!(k in b) || b[k] != $3)) print k ": barmap " ((k in b) ? b[k] : "none") ", vfio-pci " $3; delete b[k] }
		END { for (k in b) print k ": barmap " b[k] ", vfio-pci none" }' "$f" "$s")
	counts=$(awk '{ c[$3]++ } END { printf "%d pass, %d fail, %d skip", c["P"], c["F"], c["S"] }' "$f")
	passed=$(awk '$3 == "P"' "$f" "$s" | wc -l)
	[ -z "$diff" ] || echo "$diff" | sed "s@^@# peer/$name: $prog: DIFFERS: @"
	unexplained=
	busy=$(awk '$3 == "B"' "$f" "$s" | wc -l)
	if [ "$busy" != 0 ]; then
		echo "# peer/$name: $prog: $busy test run(s) found the device still held by the test before (EBUSY at setup): not run"
		unexplained=EBUSY
	fi
	for where in $(awk '$3 == "F" { print $4 }' "$f" "$s" | sort -u); do
		nr=$(awk -v w="$where" '$3 == "F" && $4 == w' "$f" "$s" | wc -l)
		if why=$(peer_cause "$where"); then
			echo "# peer/$name: $prog: $nr failure(s), both drivers, at $where: $why"
			continue
		fi
		echo "# peer/$name: $prog: $nr failure(s), both drivers, at $where: no known reason; the first, from its log:"
		peer_excerpt "$where" "$peer_dir/log/barmap-vfio-pci/$base" \
			"$peer_dir/log/vfio-pci/$base"
		unexplained="$unexplained $where"
	done
	# Identical results of which neither driver passed one, every
	# failure for a known reason of this kernel or library: the program
	# could not run here, which proves nothing of either driver.
	what="peer/$name: $prog: barmap-vfio-pci and vfio-pci give identical results ($counts each)"
	if [ -z "$diff" ] && [ -z "$unexplained" ] && [ "$passed" = 0 ]; then
		echo "ok $((n += 1)) rig/$profile: $what # SKIP neither driver could run a test of it here (the causes above)"
		continue
	fi
	[ -z "$diff" ]
	tap $? "$what"
	[ -z "$unexplained" ]
	tap $? "peer/$name: $prog: every failure has a known reason outside the driver"
done

# vfio_pci_sriov_uapi_test: what it does with each driver.
for pf in $peer_pfs; do
	for drv in barmap-vfio-pci vfio-pci; do
		f=$peer_dir/$drv/pf-$pf@vfio_pci_sriov_uapi_test
		echo "# peer/pf-$pf: vfio_pci_sriov_uapi_test on $drv: $(awk '{ c[$3]++ } END { printf "%d pass, %d fail, %d skip", c["P"], c["F"], c["S"] }' "$f")$(awk '$3 == "F" && $4 != "-" { print ", stops at " $4; exit }' "$f")"
	done
	grep -q '^vfio_pci_sriov_uapi_test(main) - F tools/testing/selftests/vfio/vfio_pci_sriov_uapi_test.c:' \
		"$peer_dir/barmap-vfio-pci/pf-$pf@vfio_pci_sriov_uapi_test" &&
		grep -q 'Expression: strcmp(vf_driver, "vfio-pci") == 0' \
		"$peer_dir/log/barmap-vfio-pci/pf-$pf@vfio_pci_sriov_uapi_test"
	tap $? "peer/pf-$pf: vfio_pci_sriov_uapi_test on barmap-vfio-pci stops only where it requires the VF's driver to be named vfio-pci"
done
# vfio_pci_barmap_vftoken_test, the same VF-token uAPI, on each PF and one VF of
# it: counted under barmap-vfio-pci, compared under vfio-pci.  Here, not in the
# main rig: QEMU 7.2's NVMe VF cannot leave D3hot under 6.12 and 6.1 ("device
# inaccessible"), so opening it hangs with either driver.
for pf in $peer_pfs; do
	numvfs=/sys/bus/pci/devices/$pf/sriov_numvfs
	for drv in barmap-vfio-pci vfio-pci; do
		if ! bind "$pf" $drv || ! echo 1 >"$numvfs"; then
			tap 1 "peer/pf-$pf: one VF under $drv for vfio_pci_barmap_vftoken_test"
			unbind "$pf"
			continue
		fi
		vf=$(basename "$(readlink "/sys/bus/pci/devices/$pf/virtfn0")")
		# the PF and its VF, last on the command line
		if [ $drv = barmap-vfio-pci ]; then
			run_args="$pf $vf"
			run "$profile/pf-$pf" vfio_pci_barmap_vftoken_test
			run_args=
		else
			compare_args="$pf $vf"
			compare "pf-$pf" vfio_pci_barmap_vftoken_test
			compare_args=
		fi
		echo 0 >"$numvfs"
		unbind "$pf"
	done
done
echo "# peer: took $(($(date +%s) - peer_start))s"
