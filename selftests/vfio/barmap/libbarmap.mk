# SPDX-License-Identifier: GPL-2.0-only
#
# What barmap-vfio-pci's selftests share, beside libvfio: the questions
# that libvfio does not ask (vfio_util.c, vfio_dev.c), stock vfio-pci's
# answers to compare with (answers.c) and the VMMs' rules (vmm.c,
# consumers.c).  Included after lib/libvfio.mk by a Makefile that lists
# the programs in TEST_GEN_PROGS (the tests, which its own rule links
# with LIBVFIO_O and LDLIBS) and TEST_GEN_PROGS_EXTENDED (tools that
# scripts running the tests use, linked here).

LIBBARMAP_SRCDIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))

LIBBARMAP_C := answers.c
LIBBARMAP_C += consumers.c
LIBBARMAP_C += vfio_dev.c
LIBBARMAP_C += vfio_util.c
LIBBARMAP_C += vmm.c

LIBBARMAP_OUTPUT := $(OUTPUT)/libbarmap

LIBBARMAP_O := $(patsubst %.c, $(LIBBARMAP_OUTPUT)/%.o, $(LIBBARMAP_C))

CFLAGS += -I$(LIBBARMAP_SRCDIR)

$(LIBBARMAP_OUTPUT):
	mkdir -p $@

$(LIBBARMAP_O): $(LIBBARMAP_OUTPUT)/%.o : $(LIBBARMAP_SRCDIR)/%.c | $(LIBBARMAP_OUTPUT)
	$(CC) $(CFLAGS) $(CPPFLAGS) $(TARGET_ARCH) -c $< -o $@

LIBBARMAP_TESTS := $(filter $(OUTPUT)/vfio_pci_barmap_%, $(TEST_GEN_PROGS))
LIBBARMAP_TOOLS := $(filter $(OUTPUT)/vfio_pci_barmap_%, $(TEST_GEN_PROGS_EXTENDED))

# The tests: the Makefile's rule links them with LIBVFIO_O and LDLIBS.
$(LIBBARMAP_TESTS): $(LIBBARMAP_O)
$(LIBBARMAP_TESTS): LDLIBS := $(LIBBARMAP_O) $(LDLIBS)

$(LIBBARMAP_TOOLS): $(OUTPUT)/%: %.c $(LIBBARMAP_O) $(LIBVFIO_O)
	$(CC) $(CFLAGS) $(CPPFLAGS) $(TARGET_ARCH) $(LDFLAGS) $< $(LIBBARMAP_O) $(LIBVFIO_O) $(LDLIBS) -o $@

-include $(patsubst %.o, %.d, $(LIBBARMAP_O)) $(LIBBARMAP_TOOLS:=.d)

EXTRA_CLEAN += $(LIBBARMAP_OUTPUT) $(LIBBARMAP_TOOLS:=.d)
