#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Count TAP result lines on stdin and print "N passed, N failed" (with
# ", N skipped" when any).  Exits 1 if anything failed or nothing ran.
awk '
/^ok .*# [Ss][Kk][Ii][Pp]/ { skip++; next }
/^ok /                     { pass++; next }
/^not ok /                 { fail++; next }
END {
	line = sprintf("%d passed, %d failed", pass, fail)
	if (skip)
		line = line sprintf(", %d skipped", skip)
	print line
	exit (fail || pass + skip == 0) ? 1 : 0
}'
