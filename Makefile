# SPDX-License-Identifier: GPL-2.0-only
#
# barmap-vfio-pci: out-of-tree build, set-up and test entry points.
#
#   make            build barmap-vfio-pci.ko against KDIR: by default
#                   Debian's newest 7.x kernel as make deps prepares it
#                   (in /var/cache/barmap), else the installed Debian 6.12
#                   headers; KDIR=... (and KVER=...) for another kernel
#   make deps       install build and test dependencies (root, idempotent);
#                   download and prepare Debian 13's 7.x kernel (not installed)
#   make check      sparse, coccicheck and checkpatch --strict: no findings;
#                   the in-tree build in linux-source-7.x (W=1); make series
#                   applied with git am, each patch checked and built
#   make series     the patch series for mainline against linux-source-7.x,
#                   with a cover letter, into SERIES_OUT (build/series)
#   make test       everything: unit tables, guest suite, summary line
#   make demo       boot the guest and print what each BAR looks like
#   make install    into /lib/modules/KVER/updates/, then depmod
#   make dkms-install  register the source with DKMS
#   make deb       the Debian package barmap-vfio-pci-dkms (debian/), built
#                   in make deps' Debian 13 root; prints the .deb's path
#   make bench      fault counts, page-table memory and times, stock vs barmap
#   make e2e        nested guest under QEMU 7.2, 10.0 and 11.1, both drivers
#   make bite       break a copy of the tree on purpose, once per check of
#                   make test, and show that the check fails
#   make test-debug the guest suite on the KFENCE/lockdep/kmemleak kernel

# Kbuild reads Kbuild, not this file, when it descends here.
ifneq ($(KERNELRELEASE),)
include $(src)/Kbuild
else

SHELL := /bin/sh
# KDIR and KVER: both given, or one (KVER=6.1.0-56-amd64 means its
# headers, KDIR=... the release it was prepared for), or neither: Debian's
# 7.x build tree from make deps if there is one, else Debian 6.12's
# headers.  The scripts pick their kernels themselves: only what the
# command line or the environment says reaches them.
ifeq ($(origin KDIR)$(origin KVER),undefinedundefined)
D7_KDIR := $(shell . ./scripts/lib.sh && debian7_build)
ifneq ($(D7_KDIR),)
KDIR := $(D7_KDIR)
KVER := $(shell . ./scripts/lib.sh && debian7_rel)
else
KVER := $(shell . ./scripts/lib.sh && installed_612_kver)
KDIR := $(if $(KVER),/usr/src/linux-headers-$(KVER))
endif
else ifeq ($(origin KDIR),undefined)
KDIR := /usr/src/linux-headers-$(KVER)
else ifeq ($(origin KVER),undefined)
KVER := $(shell cat $(KDIR)/include/config/kernel.release 2>/dev/null)
endif
BUILD ?= $(CURDIR)/build

# One version, the Debian package's (debian/changelog).
VERSION := $(shell . ./scripts/lib.sh && module_version 2>/dev/null)
# The files a build needs: what install, DKMS and copies of the tree take.
KBUILD_FILES := Kbuild drivers compat/include compat/patches \
	scripts/compat-probes scripts/compat-tree.sh

export BUILD

.PHONY: all modules clean deps check test test-debug demo bench e2e bite unit selftests deb series

all: modules

modules:
	@test -n "$(KDIR)" || { echo "error: no Debian 7.x kernel nor 6.12 headers; run 'make deps' or set KDIR" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

clean:
	@if [ -n "$(KDIR)" ]; then $(MAKE) -C $(KDIR) M=$(CURDIR) clean; fi
	. ./scripts/lib.sh && unmount_under $(BUILD)
	rm -rf --one-file-system $(BUILD) compat/tree compat/tree.new
	$(MAKE) -C selftests/vfio clean
	$(MAKE) -C selftests/vfio/barmap/unit clean

deps:
	sh scripts/deps.sh

# Into /lib/modules/KVER/updates/ (under INSTALL_MOD_PATH if set), then
# depmod: the modules this build made, as modules.order lists them
# (barmap-vfio-pci, and its KUnit suite where the kernel has KUnit).
# Each .ko is copied as built: busybox modprobe in the test guest cannot
# read the .ko.xz that modules_install would write.
install: modules
	@test -s modules.order || { echo "error: no modules.order" >&2; exit 1; }
	for o in $$(cat modules.order); do \
		ko=$${o%.o}; ko=$${ko%.ko}.ko; \
		install -D -m 0644 $$ko \
			$(INSTALL_MOD_PATH)/lib/modules/$(KVER)/updates/$${ko##*/} || \
			exit 1; \
	done
	depmod -a $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH)) $(KVER)

# Register the source with DKMS, which then builds for every kernel.
DKMS_SRC := /usr/src/barmap-vfio-pci-$(VERSION)
dkms-install:
	rm -rf $(DKMS_SRC)
	mkdir -p $(DKMS_SRC)
	cp -r --parents $(KBUILD_FILES) $(DKMS_SRC)/
	sed 's/#MODULE_VERSION#/$(VERSION)/' dkms.conf >$(DKMS_SRC)/dkms.conf
	dkms add barmap-vfio-pci/$(VERSION)

# The patch series for mainline, against linux-source-7.x (scripts/series.sh).
SERIES_OUT ?= $(BUILD)/series
series: deps
	sh scripts/series.sh $(SERIES_OUT)

# The Debian package, built in the cached Debian 13 root (scripts/deb.sh).
deb:
	sh scripts/deb.sh $(BUILD)/deb

dkms-remove:
	-dkms remove barmap-vfio-pci/$(VERSION) --all
	rm -rf $(DKMS_SRC)

check: deps
	sh scripts/check.sh

selftests:
	sh scripts/selftests.sh $(BUILD)/guest-bin

unit:
	BUILD=$(BUILD) sh scripts/unit.sh

# The run's start, before make deps, for the summary's timeline; make
# deps starts the rig's kernel builds as soon as their sources are there.
test: export BARMAP_T0 := $(shell date +%s)
test: export BARMAP_PREBUILD := 1
test: deps
	sh scripts/test.sh

test-debug: deps
	BARMAP_SUITES=debug sh scripts/test.sh

demo: deps
	sh scripts/demo.sh

bench: deps
	sh scripts/bench.sh

e2e: deps
	sh scripts/e2e.sh

# Each fail-closed check of make test shown to bite (scripts/bite.sh).
bite: deps
	sh scripts/bite.sh

endif
