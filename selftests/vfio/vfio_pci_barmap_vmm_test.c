// SPDX-License-Identifier: GPL-2.0-only
/*
 * VMM placement rules against barmap-vfio-pci's areas, per device
 * (VFIO_SELFTESTS_BDF or the command line): every mappable BAR is mapped area
 * by area the way QEMU up to 10.x, QEMU's 2026 region-wide rule and
 * cloud-hypervisor place them, every page is touched, and the faults must be
 * the fewest the BAR's physical placement allows.  Lines starting "figures:"
 * are what the rig prints for both drivers.  BARMAP_SUBPAGE=reserved|refused
 * says whether the device's sub-page BARs are alone in their page: every BAR
 * the kernel's resources say a VMM can map must be mapped (rig_mappable_bars).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <libvfio.h>

#include "kselftest_harness.h"
#include "vfio_util.h"
#include "vmm.h"

FIXTURE(vmm) {
	struct vfio_dev dev;
};

FIXTURE_VARIANT(vmm) {
	enum vmm_rule rule;
};

FIXTURE_VARIANT_ADD(vmm, qemu_10x) {
	.rule = VMM_QEMU_AREA,
};

FIXTURE_VARIANT_ADD(vmm, qemu_2026) {
	.rule = VMM_QEMU_REGION,
};

FIXTURE_VARIANT_ADD(vmm, cloud_hypervisor) {
	.rule = VMM_CLOUD_HV,
};

FIXTURE_SETUP(vmm)
{
	int ret = vfio_dev_open(&self->dev, device_bdf);

	ASSERT_EQ(0, ret) TH_LOG("open %s: %s", device_bdf, strerror(-ret));
}

FIXTURE_TEARDOWN(vmm)
{
	vfio_dev_close(&self->dev);
}

TEST_F_TIMEOUT(vmm, fewest_faults_the_placement_allows, 300)
{
	uint64_t pmd = barmap_huge_size("pmd"), pud = barmap_huge_size("pud");
	struct vmm_result res;
	struct vmm_bar bar;
	unsigned int index, mapped = 0;
	int ret;

	if (!barmap_owns_faults())
		SKIP(return, CORE_OWNS_FAULTS);

	for (index = 0; index < 6; index++) {
		ret = vmm_bar_load(&bar, self->dev.fd, index, self->dev.bdf);
		if (ret == -ENODEV)
			continue;
		ASSERT_EQ(0, ret);
		ASSERT_EQ(0, vmm_map_and_touch(&bar, variant->rule, pmd, pud,
					       &res));
		TH_LOG("figures: %s BAR%u %s%u area(s): %ld faults (fewest %ld), VmPTE +%ld kB",
		       vmm_rule_name(variant->rule), index,
		       bar.sparse ? "sparse " : "whole-BAR ", bar.nr_areas,
		       res.faults, res.ideal, res.pte_kb);
		EXPECT_EQ(res.ideal, res.faults);
		mapped++;
	}
	TH_LOG("%u BARs mapped", mapped);
	/* A driver that drops MMAP maps nothing here: counted from sysfs. */
	EXPECT_EQ(rig_mappable_bars(self->dev.bdf), (int)mapped)
		TH_LOG("the BARs the rig guarantees mappable (BARMAP_SUBPAGE)");
}

int main(int argc, char *argv[])
{
	device_bdf = vfio_selftests_get_bdf(&argc, argv);
	return test_harness_run(argc, argv);
}
