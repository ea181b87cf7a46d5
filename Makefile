# SPDX-License-Identifier: GPL-2.0-only
#
# barmap-vfio-pci: out-of-tree build, set-up and test entry points.
#
#   make            build barmap-vfio-pci.ko against KDIR
#   make deps       install build and test dependencies (root, idempotent)
#   make check      sparse, coccicheck and checkpatch --strict: no findings
#   make test       everything: unit tables, guest suite, summary line
#   make demo       boot the guest and print what each BAR looks like
#   make bench      fault counts, page-table memory and times, stock vs barmap
#   make e2e        nested guest under the distribution's QEMU, both drivers

# Kbuild reads Kbuild, not this file, when it descends here.
ifneq ($(KERNELRELEASE),)
include $(src)/Kbuild
else

SHELL := /bin/sh
KVER ?= $(shell . ./scripts/lib.sh && installed_612_kver)
KDIR ?= $(if $(KVER),/usr/src/linux-headers-$(KVER))
BUILD ?= $(CURDIR)/build

export KVER KDIR BUILD

.PHONY: all modules clean deps check test demo bench e2e unit selftests

all: modules

modules:
	@test -n "$(KDIR)" || { echo "error: no 6.12 kernel headers; run 'make deps' or set KDIR" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

clean:
	@if [ -n "$(KDIR)" ]; then $(MAKE) -C $(KDIR) M=$(CURDIR) clean; fi
	rm -rf $(BUILD)
	$(MAKE) -C selftests/vfio/barmap clean
	$(MAKE) -C selftests/vfio/barmap/unit clean

deps:
	sh scripts/deps.sh

check: deps
	sh scripts/check.sh

selftests:
	$(MAKE) -C selftests/vfio/barmap KSFT_DIR=$$(sh scripts/ksft-dir.sh)

unit:
	$(MAKE) -C selftests/vfio/barmap/unit KSFT_DIR=$$(sh scripts/ksft-dir.sh) run

test: deps
	sh scripts/test.sh

demo: deps
	sh scripts/demo.sh

bench: deps
	sh scripts/bench.sh

e2e: deps
	sh scripts/e2e.sh

endif
