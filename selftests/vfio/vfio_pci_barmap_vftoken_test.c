// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VF token of SR-IOV (vfio.h: VFIO_DEVICE_FEATURE_PCI_VF_TOKEN, the
 * "vf_token=" of VFIO_GROUP_GET_DEVICE_FD, VFIO_DEVICE_BIND_FLAG_TOKEN),
 * run in the guest on a PF whose VF the rig created through sysfs, the
 * two BDFs at the end of the command line (PF first), both bound to
 * BARMAP_DRIVER (default barmap-vfio-pci).
 * A PF opened with a token shares it with its VFs' users: a VF opens
 * only with that token, whether the PF is still open or not, and a new
 * token set through the feature replaces it.  The rig runs the same
 * tests against stock vfio-pci.  The cdev tests report SKIP on kernels
 * without IOMMUFD or VFIO_DEVICE_CDEV, or (EINVAL) without the token
 * flag of VFIO_DEVICE_BIND_IOMMUFD (before Linux 6.17).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <uuid/uuid.h>

#include <libvfio.h>

#include "kselftest_harness.h"
#include "vfio_util.h"

#define TOKEN_A "6a1c2f4e-8d3b-4b7a-9e51-0c2d7f83a9b4"
#define TOKEN_B "f03e9b12-5c47-4e86-a2d9-71b8c4e05f3d"

static const char *pf_bdf, *vf_bdf;

/* Whether the VF opens with @token (closed again at once); 0 or -errno. */
static int vf_opens(const char *token)
{
	struct vfio_dev vf;
	int ret = vfio_dev_open_token(&vf, vf_bdf, token);

	if (!ret)
		vfio_dev_close(&vf);
	return ret;
}

FIXTURE(vftoken) {
	struct vfio_dev pf;
};

FIXTURE_SETUP(vftoken)
{
	char drv[64];

	ASSERT_EQ(0, sysfs_driver(pf_bdf, drv, sizeof(drv)));
	ASSERT_STREQ(test_driver(), drv);
	ASSERT_EQ(0, vfio_dev_open_token(&self->pf, pf_bdf, TOKEN_A));
}

FIXTURE_TEARDOWN(vftoken)
{
	vfio_dev_close(&self->pf);
}

/* The VF inherits its PF's driver (vfio-pci-core's driver_override). */
TEST_F(vftoken, vf_is_bound_to_the_pf_driver)
{
	char drv[64];

	ASSERT_EQ(0, sysfs_driver(vf_bdf, drv, sizeof(drv)));
	ASSERT_STREQ(test_driver(), drv);
}

TEST_F(vftoken, vf_opens_with_the_pf_token)
{
	ASSERT_EQ(0, vf_opens(TOKEN_A));
}

TEST_F(vftoken, vf_without_token_is_refused_with_eacces)
{
	ASSERT_EQ(-EACCES, vf_opens(NULL));
}

TEST_F(vftoken, vf_with_another_token_is_refused_with_eacces)
{
	ASSERT_EQ(-EACCES, vf_opens(TOKEN_B));
}

/* The token belongs to the PF's device, not to its open file. */
TEST_F(vftoken, token_still_guards_the_vf_after_the_pf_is_closed)
{
	vfio_dev_close(&self->pf);
	ASSERT_EQ(-EACCES, vf_opens(TOKEN_B));
	ASSERT_EQ(-EACCES, vf_opens(NULL));
	ASSERT_EQ(0, vf_opens(TOKEN_A));
}

TEST_F(vftoken, feature_set_replaces_the_token)
{
	struct {
		struct vfio_device_feature feature;
		unsigned char uuid[16];
	} set = {
		.feature.argsz = sizeof(set),
		.feature.flags = VFIO_DEVICE_FEATURE_SET |
				 VFIO_DEVICE_FEATURE_PCI_VF_TOKEN,
	};
	struct vfio_device_feature probe = {
		.argsz = sizeof(probe),
		.flags = VFIO_DEVICE_FEATURE_PROBE | VFIO_DEVICE_FEATURE_SET |
			 VFIO_DEVICE_FEATURE_PCI_VF_TOKEN,
	};

	ASSERT_EQ(0, ioctl(self->pf.fd, VFIO_DEVICE_FEATURE, &probe));
	ASSERT_EQ(0, uuid_parse(TOKEN_B, set.uuid));
	ASSERT_EQ(0, ioctl(self->pf.fd, VFIO_DEVICE_FEATURE, &set));
	ASSERT_EQ(-EACCES, vf_opens(TOKEN_A));
	ASSERT_EQ(0, vf_opens(TOKEN_B));
}

/* While a VF is in use, the PF opens only with the token in force. */
TEST_F(vftoken, pf_in_use_by_a_vf_user_needs_the_token)
{
	struct vfio_dev vf, pf2;

	vfio_dev_close(&self->pf);
	ASSERT_EQ(0, vfio_dev_open_token(&vf, vf_bdf, TOKEN_A));
	EXPECT_EQ(-EACCES, vfio_dev_open_token(&pf2, pf_bdf, NULL));
	EXPECT_EQ(-EACCES, vfio_dev_open_token(&pf2, pf_bdf, TOKEN_B));
	EXPECT_EQ(0, vfio_dev_open_token(&pf2, pf_bdf, TOKEN_A));
	vfio_dev_close(&pf2);
	vfio_dev_close(&vf);
}

/* The same through the VF's cdev and VFIO_DEVICE_BIND_IOMMUFD. */
TEST_F(vftoken, cdev_bind_checks_the_token)
{
	const char *path;
	int iommufd, fd, ret;

	if (access("/dev/iommu", F_OK))
		SKIP(return, "no /dev/iommu: kernel without IOMMUFD");
	if (!vfio_cdev_exists(vf_bdf))
		SKIP(return, "no VFIO device cdev: kernel without VFIO_DEVICE_CDEV");
	iommufd = open("/dev/iommu", O_RDWR);
	ASSERT_LE(0, iommufd);

	path = vfio_pci_get_cdev_path(vf_bdf);
	fd = open(path, O_RDWR);
	ASSERT_LE(0, fd) TH_LOG("open %s: %s", path, strerror(errno));
	free((void *)path);
	ret = __vfio_device_bind_iommufd(fd, iommufd, TOKEN_B);
	if (ret == -EINVAL) {
		close(fd);
		close(iommufd);
		SKIP(return, "VFIO_DEVICE_BIND_IOMMUFD has no token flag on this kernel");
	}
	EXPECT_EQ(-EACCES, ret);
	EXPECT_EQ(-EACCES, __vfio_device_bind_iommufd(fd, iommufd, NULL));
	EXPECT_EQ(0, __vfio_device_bind_iommufd(fd, iommufd, TOKEN_A));
	close(fd);
	close(iommufd);
}

int main(int argc, char *argv[])
{
	char **bdfs;
	int nr_bdfs;

	bdfs = vfio_selftests_get_bdfs(&argc, argv, &nr_bdfs);
	if (nr_bdfs != 2) {
		fprintf(stderr, "usage: %s [options] PF-BDF VF-BDF\n", argv[0]);
		return KSFT_FAIL;
	}
	pf_bdf = bdfs[0];
	vf_bdf = bdfs[1];
	return test_harness_run(argc, argv);
}
