// SPDX-License-Identifier: GPL-2.0-only
/*
 * Concurrency: threads touching BAR mappings at random offsets while another
 * thread turns memory decode off and on, resets a device, forks, or binds and
 * unbinds other devices.  Run in the guest against the 1 GiB BAR2 of ivshmem
 * (VFIO_SELFTESTS_BDF or the command line, BARMAP_BAR), mapped once at a
 * 1 GiB-aligned VA (PUD entries) and once 4 KiB past one (PTEs), and against
 * the first page of BAR0 of a resettable device (BARMAP_RESET_BDF, the nvme).
 * BARMAP_OTHER_BDFS lists the devices to bind and unbind meanwhile.
 *
 * Every access either completes or raises SIGBUS (decode off, or a zap
 * racing a fault); nothing else may happen to the process, and with
 * decode on again the mappings and the device file must agree.
 * BARMAP_SEED overrides the fixed seed; BARMAP_ROUNDS the round count.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libvfio.h>

#include "kselftest_harness.h"
#include "vfio_util.h"

#define SZ_4K		0x1000UL
#define SZ_1G		0x40000000UL
#define NR_WORKERS	8
#define DEFAULT_SEED	0x5eed0b4a7ULL
#define DEFAULT_ROUNDS	2000
#define CORE_FAULT_ROUNDS	100
/* One nvme reset (with its 100 ms FLR wait) every this many rounds. */
#define RESET_EVERY	100

enum { MAP_HUGE, MAP_SKEW, MAP_REGS, NR_MAPS };

struct worker {
	pthread_t thread;
	uint64_t rand;
	unsigned long done;	/* accesses that completed */
	unsigned long bus;	/* SIGBUS from the fault path (BUS_ADRERR) */
	unsigned long abort;	/* SIGBUS with another code: see on_sigbus() */
	struct stress *st;
};

struct stress {
	char *map[NR_MAPS];
	size_t len[NR_MAPS];
	bool writable[NR_MAPS];
	atomic_bool stop;
	struct worker workers[NR_WORKERS];
};

/*
 * Which thread may take a SIGBUS, where it goes back to, and the si_code
 * of the last one.  A fault that the driver answers with VM_FAULT_SIGBUS
 * arrives as BUS_ADRERR (x86 and arm64 alike); an access that reached
 * the bus and was aborted there (arm64: a synchronous external abort,
 * BUS_OBJERR) went through a translation and was never a fault: the
 * driver did not see it and cannot have counted it.
 */
static __thread sigjmp_buf bus_jmp;
static __thread volatile sig_atomic_t bus_armed;
static __thread volatile int bus_code;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	if (!bus_armed) {
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	bus_code = si->si_code;
	siglongjmp(bus_jmp, 1);
}

static void install_sigbus(void)
{
	struct sigaction sa = {
		.sa_sigaction = on_sigbus,
		.sa_flags = SA_SIGINFO,
	};

	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
}

enum access_result { ACCESS_DONE, ACCESS_FAULT_SIGBUS, ACCESS_ABORT };

/*
 * One 8-byte access at @p, a write of @val if @write: whether it
 * completed, raised the fault path's SIGBUS or another one.  @val
 * receives what was read.
 */
static enum access_result access_word_code(char *p, bool write,
					   uint64_t *val)
{
	enum access_result ret = ACCESS_DONE;

	bus_armed = 1;
	if (sigsetjmp(bus_jmp, 1))
		ret = bus_code == BUS_ADRERR ? ACCESS_FAULT_SIGBUS :
					       ACCESS_ABORT;
	else if (write)
		*(volatile uint64_t *)p = *val;
	else
		*val = *(volatile uint64_t *)p;
	bus_armed = 0;
	return ret;
}

/* true if the access completed, false if it raised any SIGBUS */
static bool access_word(char *p, bool write, uint64_t *val)
{
	return access_word_code(p, write, val) == ACCESS_DONE;
}

static void *worker_fn(void *arg)
{
	struct worker *w = arg;
	struct stress *st = w->st;
	unsigned int m;
	uint64_t r, val;
	size_t off;

	while (!atomic_load_explicit(&st->stop, memory_order_relaxed)) {
		r = test_rand(&w->rand);
		m = r % NR_MAPS;
		if (!st->map[m])
			continue;
		off = (test_rand(&w->rand) % st->len[m]) & ~7UL;
		val = r;
		switch (access_word_code(st->map[m] + off,
					 st->writable[m] && (r & 0x100), &val)) {
		case ACCESS_DONE:
			w->done++;
			break;
		case ACCESS_FAULT_SIGBUS:
			w->bus++;
			break;
		case ACCESS_ABORT:
			w->abort++;
			break;
		}
	}
	return NULL;
}

/*
 * The controlling thread runs SCHED_FIFO while the workers run: with
 * eight busy workers on two vCPUs it would otherwise get through its
 * rounds in minutes, not seconds.  RT throttling leaves the workers
 * their share even while it never sleeps.
 */
static void controller_priority(bool high)
{
	struct sched_param sp = { .sched_priority = high ? 1 : 0 };

	pthread_setschedparam(pthread_self(), high ? SCHED_FIFO : SCHED_OTHER,
			      &sp);
}

static int start_workers(struct stress *st, uint64_t seed)
{
	int i;

	atomic_store(&st->stop, false);
	for (i = 0; i < NR_WORKERS; i++) {
		st->workers[i].st = st;
		st->workers[i].rand = seed + i + 1;
		st->workers[i].done = 0;
		st->workers[i].bus = 0;
		st->workers[i].abort = 0;
		if (pthread_create(&st->workers[i].thread, NULL, worker_fn,
				   &st->workers[i]))
			return -1;
	}
	/* After pthread_create(): the workers must not inherit it. */
	controller_priority(true);
	return 0;
}

/*
 * Join the workers; @done and @bus as in struct worker, @bus counting
 * every SIGBUS and @abort those that were not the fault path's.
 */
static void stop_workers(struct stress *st, unsigned long *done,
			 unsigned long *bus, unsigned long *abort)
{
	int i;

	controller_priority(false);
	atomic_store(&st->stop, true);
	*done = 0;
	*bus = 0;
	*abort = 0;
	for (i = 0; i < NR_WORKERS; i++) {
		pthread_join(st->workers[i].thread, NULL);
		*done += st->workers[i].done;
		*bus += st->workers[i].bus + st->workers[i].abort;
		*abort += st->workers[i].abort;
	}
}

static long sigbus_counter(const char *bdf)
{
	char path[128];

	barmap_debugfs_file(bdf, "faults", path, sizeof(path));
	return file_keyed_number(path, "sigbus", 0);
}

static bool barmap_counts(void)
{
	return !strcmp(test_driver(), BARMAP_DRIVER) && barmap_owns_faults();
}

FIXTURE(storm) {
	struct vfio_dev shm;
	struct vfio_dev nvme;	/* fd -1 without BARMAP_RESET_BDF */
	struct vfio_region_info *shm_info;
	void *reserve;		/* PROT_NONE room the BAR is placed in */
	size_t reserve_len;
	struct stress st;
	uint64_t seed;
	unsigned int rounds;
};

static char *map_bar(int fd, uint64_t offset, size_t len, void *at)
{
	void *map;

	map = mmap(at, len, PROT_READ | PROT_WRITE,
		   MAP_SHARED | (at ? MAP_FIXED : 0), fd, offset);
	return map == MAP_FAILED ? NULL : map;
}

FIXTURE_SETUP(storm)
{
	const char *bar = getenv("BARMAP_BAR");
	const char *nvme = getenv("BARMAP_RESET_BDF");
	const char *rounds = getenv("BARMAP_ROUNDS");
	long page = sysconf(_SC_PAGESIZE);
	struct vfio_region_info *info;
	unsigned long base;
	size_t len;
	int ret;

	memset(&self->st, 0, sizeof(self->st));
	self->nvme.fd = -1;
	self->seed = test_seed(DEFAULT_SEED);
	self->rounds = rounds ? atoi(rounds) : DEFAULT_ROUNDS;
	/*
	 * Where vfio-pci-core handles the faults (before Linux 6.12), each
	 * refault after a zap maps the whole 1 GiB VMA with PTEs: 2,000
	 * rounds would take the better part of an hour under TCG.
	 */
	if (!rounds && !barmap_owns_faults())
		self->rounds = CORE_FAULT_ROUNDS;
	install_sigbus();

	ret = vfio_dev_open(&self->shm, device_bdf);
	ASSERT_EQ(0, ret) TH_LOG("open %s: %s", device_bdf, strerror(-ret));
	self->shm_info = vfio_region_info(self->shm.fd,
					  bar ? atoi(bar) : 2);
	ASSERT_NE(NULL, self->shm_info);
	ASSERT_TRUE(self->shm_info->flags & VFIO_REGION_INFO_FLAG_MMAP);
	len = self->shm_info->size;
	ASSERT_EQ(0, len % SZ_1G) TH_LOG("BAR of 0x%zx bytes", len);

	/* A 1 GiB-aligned VA and one page past the next 1 GiB boundary. */
	self->reserve_len = 2 * len + 2 * SZ_1G;
	self->reserve = mmap(NULL, self->reserve_len, PROT_NONE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	ASSERT_NE(MAP_FAILED, self->reserve);
	base = ((unsigned long)self->reserve + SZ_1G - 1) & ~(SZ_1G - 1);
	self->st.map[MAP_HUGE] = map_bar(self->shm.fd, self->shm_info->offset,
					 len, (void *)base);
	self->st.map[MAP_SKEW] = map_bar(self->shm.fd, self->shm_info->offset,
					 len, (void *)(base + len + page));
	ASSERT_NE(NULL, self->st.map[MAP_HUGE]);
	ASSERT_NE(NULL, self->st.map[MAP_SKEW]);
	self->st.len[MAP_HUGE] = len;
	self->st.len[MAP_SKEW] = len;
	self->st.writable[MAP_HUGE] = true;
	self->st.writable[MAP_SKEW] = true;

	if (!nvme)
		return;
	ret = vfio_dev_open(&self->nvme, nvme);
	ASSERT_EQ(0, ret) TH_LOG("open %s: %s", nvme, strerror(-ret));
	info = vfio_region_info(self->nvme.fd, VFIO_PCI_BAR0_REGION_INDEX);
	ASSERT_NE(NULL, info);
	/*
	 * Registers only, read-only: the doorbells and MSI-X live higher.
	 * A BAR0 whose page is shared has no mmap (arm64's shared profile):
	 * then the nvme is only reset.
	 */
	if (info->flags & VFIO_REGION_INFO_FLAG_MMAP) {
		self->st.map[MAP_REGS] = map_bar(self->nvme.fd, info->offset,
						 SZ_4K, NULL);
		ASSERT_NE(NULL, self->st.map[MAP_REGS]);
		self->st.len[MAP_REGS] = SZ_4K;
	}
	free(info);
}

FIXTURE_TEARDOWN(storm)
{
	if (self->st.map[MAP_REGS])
		munmap(self->st.map[MAP_REGS], SZ_4K);
	if (self->reserve && self->reserve != MAP_FAILED)
		munmap(self->reserve, self->reserve_len);
	free(self->shm_info);
	vfio_dev_close(&self->nvme);
	vfio_dev_close(&self->shm);
}

/*
 * With the workers stopped and decode on: both mappings of the BAR read
 * what pread() of the device file reads, at @n random offsets, and a
 * value written through one mapping is seen by the other and by the file.
 */
static void check_coherent(struct __test_metadata *_metadata,
			   FIXTURE_DATA(storm) *self, uint64_t *rand,
			   unsigned int n)
{
	char *huge = self->st.map[MAP_HUGE], *skew = self->st.map[MAP_SKEW];
	uint64_t a, b, c, off;
	unsigned int i;

	for (i = 0; i < n; i++) {
		off = (test_rand(rand) % self->st.len[MAP_HUGE]) & ~7UL;
		a = test_rand(rand);
		ASSERT_TRUE(access_word(huge + off, true, &a))
			TH_LOG("SIGBUS with decode on at 0x%llx",
			       (unsigned long long)off);
		ASSERT_TRUE(access_word(skew + off, false, &b));
		ASSERT_EQ(sizeof(c), pread(self->shm.fd, &c, sizeof(c),
					   self->shm_info->offset + off));
		ASSERT_EQ(a, b) TH_LOG("offset 0x%llx",
				       (unsigned long long)off);
		ASSERT_EQ(a, c) TH_LOG("offset 0x%llx",
				       (unsigned long long)off);
	}
}

/*
 * Decode off, then on again, on ivshmem every round; on every
 * RESET_EVERY-th round also decode off/on and VFIO_DEVICE_RESET on the
 * nvme.  In between, the controlling thread checks that an access with
 * decode off never completes.
 */
TEST_F_TIMEOUT(storm, decode_toggles_and_resets_under_random_access, 300)
{
	unsigned long done, bus, abort, leaks = 0, resets = 0, busy = 0;
	long counted = barmap_counts() ? sigbus_counter(self->shm.bdf) +
			(self->nvme.fd >= 0 ?
			 sigbus_counter(self->nvme.bdf) : 0) : 0;
	uint64_t rand = self->seed, val, off;
	time_t start = time(NULL);
	unsigned int i;

	TH_LOG("seed 0x%llx (BARMAP_SEED), %u rounds, %d threads",
	       (unsigned long long)self->seed, self->rounds, NR_WORKERS);
	ASSERT_EQ(0, start_workers(&self->st, self->seed));
	for (i = 0; i < self->rounds; i++) {
		ASSERT_EQ(0, vfio_set_memory_decode(self->shm.fd, false));
		off = (test_rand(&rand) % self->st.len[MAP_HUGE]) & ~7UL;
		/* Completed, or aborted by the bus: a translation was left. */
		if (access_word_code(self->st.map[i & 1] + off, false, &val) !=
		    ACCESS_FAULT_SIGBUS)
			leaks++;
		ASSERT_EQ(0, vfio_set_memory_decode(self->shm.fd, true));
		if (self->nvme.fd < 0 || i % RESET_EVERY)
			continue;
		ASSERT_EQ(0, vfio_set_memory_decode(self->nvme.fd, false));
		ASSERT_EQ(0, vfio_set_memory_decode(self->nvme.fd, true));
		if (!ioctl(self->nvme.fd, VFIO_DEVICE_RESET))
			resets++;
		else if (errno == EAGAIN)	/* pci_try_reset_function() */
			busy++;
		else
			ASSERT_EQ(0, errno) TH_LOG("VFIO_DEVICE_RESET: %s",
						   strerror(errno));
	}
	stop_workers(&self->st, &done, &bus, &abort);
	TH_LOG("%lds: %lu done, %lu SIGBUS (%lu bus aborts); nvme resets: %lu done, %lu busy",
	       (long)(time(NULL) - start), done, bus, abort, resets, busy);
	EXPECT_EQ(0, leaks) TH_LOG("accesses with decode off completed or reached the bus");
	EXPECT_NE(0, done);
	if (self->nvme.fd >= 0)
		EXPECT_NE(0, resets);
	if (barmap_counts()) {
		counted = sigbus_counter(self->shm.bdf) - counted +
			  (self->nvme.fd >= 0 ? sigbus_counter(self->nvme.bdf) : 0);
		/*
		 * Each fault-path SIGBUS seen is one fault barmap answered
		 * with SIGBUS; a worker's access aborted by the bus raced a
		 * decode-off through a translation and never faulted.
		 */
		EXPECT_LE(bus - abort + self->rounds - leaks, counted);
	}
	check_coherent(_metadata, self, &rand, 256);
}

/*
 * The same random access while a forked child reads and writes through
 * its copy of the mappings and exits, tearing its copy down.
 */
TEST_F_TIMEOUT(storm, fork_and_exit_under_random_access, 120)
{
	unsigned long done, bus, abort;
	uint64_t rand = self->seed, val, got;
	unsigned int i, forks = self->rounds / 100 + 1;
	int status;
	pid_t pid;

	ASSERT_EQ(0, start_workers(&self->st, self->seed));
	for (i = 0; i < forks; i++) {
		uint64_t off = (test_rand(&rand) % self->st.len[MAP_HUGE]) & ~7UL;

		val = test_rand(&rand);
		pid = fork();
		ASSERT_GE(pid, 0);
		if (!pid) {
			/* Decode is on throughout: no SIGBUS allowed here. */
			_exit(!access_word(self->st.map[MAP_HUGE] + off, true,
					   &val) ||
			      !access_word(self->st.map[MAP_SKEW] + off, false,
					   &got) || got != val);
		}
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		ASSERT_TRUE(WIFEXITED(status))
			TH_LOG("child died of signal %d", WTERMSIG(status));
		ASSERT_EQ(0, WEXITSTATUS(status));
	}
	stop_workers(&self->st, &done, &bus, &abort);
	TH_LOG("seed 0x%llx: %u forks; accesses: %lu done, %lu SIGBUS (%lu bus aborts)",
	       (unsigned long long)self->seed, forks, done, bus, abort);
	EXPECT_EQ(0, bus) TH_LOG("SIGBUS with decode on");
	EXPECT_NE(0, done);
	check_coherent(_metadata, self, &rand, 64);
}

/*
 * The same random access while other devices (BARMAP_OTHER_BDFS) are
 * unbound and bound again, alternately to stock vfio-pci and to the
 * driver under test, ending on the driver each was bound to before.
 */
TEST_F_TIMEOUT(storm, bind_unbind_of_other_devices_under_random_access, 300)
{
	const char *env = getenv("BARMAP_OTHER_BDFS");
	char drv[8][64], *list, *bdfs[9], *save;
	unsigned long done, bus, abort;
	uint64_t rand = self->seed;
	unsigned int i, n = 0, cycles = self->rounds / 200 + 1;
	int ret;

	if (!env || !*env)
		SKIP(return, "the rig has no other device to rebind (BARMAP_OTHER_BDFS)");
	list = strdup(env);
	ASSERT_NE(NULL, list);
	for (bdfs[n] = strtok_r(list, " ", &save); bdfs[n] && n < 8;
	     bdfs[++n] = strtok_r(NULL, " ", &save))
		ASSERT_EQ(0, sysfs_driver(bdfs[n], drv[n], sizeof(drv[n])));

	ASSERT_EQ(0, start_workers(&self->st, self->seed));
	for (i = 0; i < 2 * cycles * n; i++) {
		const char *to = i / n % 2 ? drv[i % n] : "vfio-pci";

		ret = pci_bind(bdfs[i % n], to);
		ASSERT_EQ(0, ret) TH_LOG("bind %s to %s: %s", bdfs[i % n], to,
					 strerror(-ret));
	}
	stop_workers(&self->st, &done, &bus, &abort);
	TH_LOG("seed 0x%llx: %u bind cycles of %s; accesses: %lu done, %lu SIGBUS (%lu bus aborts)",
	       (unsigned long long)self->seed, cycles, env, done, bus, abort);
	EXPECT_EQ(0, bus) TH_LOG("SIGBUS with decode on");
	EXPECT_NE(0, done);
	for (i = 0; i < n; i++) {
		char now[64];

		ASSERT_EQ(0, sysfs_driver(bdfs[i], now, sizeof(now)));
		EXPECT_STREQ(drv[i], now);
	}
	free(list);
	check_coherent(_metadata, self, &rand, 64);
}

int main(int argc, char *argv[])
{
	device_bdf = vfio_selftests_get_bdf(&argc, argv);
	return test_harness_run(argc, argv);
}
