// SPDX-License-Identifier: GPL-2.0-only
/*
 * Helper of the end-to-end test (scripts/e2e.sh): deterministic patterns
 * for the NVMe image and the ivshmem BAR, written and checked from the
 * host, from the nested guest's block device and through an mmap of the
 * guest's ivshmem BAR2 (sysfs resource2).
 *
 * The pattern of SEED is a byte stream in which the 8 bytes at offset
 * 8 * i are splitmix64(SEED, i), little endian: any window of it can be
 * produced or checked on its own, so the host and the guest agree on
 * what lies at any offset without sharing any state.
 *
 * Usage:
 *   e2e_ivshmem gen SEED OFF SIZE            window [OFF, OFF + SIZE) to stdout
 *   e2e_ivshmem check FILE OFF SIZE SEED     compare FILE's window (pread)
 *   e2e_ivshmem fill FILE OFF SIZE SEED      write FILE's window, fsync
 *   e2e_ivshmem mcheck FILE OFF SIZE SEED    as check, through a shared mmap
 *   e2e_ivshmem mfill FILE OFF SIZE SEED     as fill, through a shared mmap
 *   e2e_ivshmem reg FILE OFF VALUE           store a 32-bit register through
 *                                            a mapping of FILE's first page
 *                                            and read it back
 *   e2e_ivshmem sweep FILE CTL               read one word of every 4 KiB
 *                                            page of FILE, through a mapping
 *                                            of all of it, between two
 *                                            lines read from CTL
 *
 * OFF and SIZE take a K or M suffix and must be multiples of 4096.  Exit
 * status 0 on success; check prints the first mismatch on failure.
 *
 * sweep is the nested guest's side of a fault count: the VMM's faults on
 * its mapping of the BAR are counted outside, from the moment sweep says
 * "E2E sweep-start" until it says "E2E sweep-done".  So that nothing but
 * the sweep happens in between, the mapping is made and the loop warmed
 * up (its code translated, on a buffer of its own) before, and each
 * message waits for a line on CTL (a serial port the counter writes to).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#define CHUNK	(64 * 1024)

static uint64_t pattern_word(uint64_t seed, uint64_t i)
{
	uint64_t z = seed * 0x9e3779b97f4a7c15ULL + (i + 1) * 0xbf58476d1ce4e5b9ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Bytes [off, off + len) of the stream; off and len multiples of 8. */
static void pattern_fill(uint64_t seed, uint64_t off, unsigned char *buf,
			 size_t len)
{
	uint64_t w;
	size_t i;
	int b;

	for (i = 0; i < len; i += 8) {
		w = pattern_word(seed, (off + i) / 8);
		for (b = 0; b < 8; b++)
			buf[i + b] = w >> (8 * b);
	}
}

static int parse_size(const char *s, uint64_t *val)
{
	char *end;

	errno = 0;
	*val = strtoull(s, &end, 0);
	if (errno || end == s)
		return -1;
	if (*end == 'K' || *end == 'k') {
		*val <<= 10;
		end++;
	} else if (*end == 'M' || *end == 'm') {
		*val <<= 20;
		end++;
	}
	return *end ? -1 : 0;
}

static int report_mismatch(const char *file, uint64_t off, uint64_t got,
			   uint64_t want)
{
	printf("%s: mismatch at offset 0x%llx: 0x%016llx, expected 0x%016llx\n",
	       file, (unsigned long long)off, (unsigned long long)got,
	       (unsigned long long)want);
	return 1;
}

static int do_gen(uint64_t seed, uint64_t off, uint64_t size)
{
	static unsigned char buf[CHUNK];
	uint64_t done, n;

	for (done = 0; done < size; done += n) {
		n = size - done < CHUNK ? size - done : CHUNK;
		pattern_fill(seed, off + done, buf, n);
		if (fwrite(buf, 1, n, stdout) != n) {
			perror("write");
			return 1;
		}
	}
	return fflush(stdout) ? 1 : 0;
}

static int do_rw(const char *file, uint64_t off, uint64_t size, uint64_t seed,
		 int write)
{
	static unsigned char want[CHUNK], got[CHUNK];
	uint64_t done, n, i, g, w;
	int fd;

	fd = open(file, write ? O_WRONLY : O_RDONLY);
	if (fd < 0) {
		perror(file);
		return 1;
	}
	for (done = 0; done < size; done += n) {
		n = size - done < CHUNK ? size - done : CHUNK;
		pattern_fill(seed, off + done, want, n);
		if (write) {
			if (pwrite(fd, want, n, off + done) != (ssize_t)n) {
				perror("pwrite");
				return 1;
			}
			continue;
		}
		if (pread(fd, got, n, off + done) != (ssize_t)n) {
			perror("pread");
			return 1;
		}
		if (!memcmp(got, want, n))
			continue;
		for (i = 0; i < n && got[i] == want[i]; i++)
			;
		i &= ~7ULL;
		memcpy(&g, got + i, 8);
		memcpy(&w, want + i, 8);
		return report_mismatch(file, off + done + i, g, w);
	}
	if (write && fsync(fd)) {
		perror("fsync");
		return 1;
	}
	close(fd);
	return 0;
}

/*
 * Open FILE uncached and map LEN bytes of it at OFF, shared and writable,
 * as a driver maps a BAR.  NULL, said on stderr, on failure.
 */
static void *map_shared(const char *file, uint64_t len, uint64_t off, int *fd)
{
	void *map;

	*fd = open(file, O_RDWR | O_SYNC);
	if (*fd < 0) {
		perror(file);
		return NULL;
	}
	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, *fd, off);
	if (map == MAP_FAILED) {
		perror("mmap");
		close(*fd);
		return NULL;
	}
	return map;
}

/*
 * Through a shared mapping of FILE at OFF, with one 64-bit access per
 * word: what a driver does with a BAR.
 */
static int do_mmap(const char *file, uint64_t off, uint64_t size,
		   uint64_t seed, int write)
{
	volatile uint64_t *p;
	uint64_t i, w;
	void *map;
	int fd;

	map = map_shared(file, size, off, &fd);
	if (!map)
		return 1;
	p = map;
	for (i = 0; i < size / 8; i++) {
		w = pattern_word(seed, off / 8 + i);
		if (write)
			p[i] = w;
		else if (p[i] != w)
			return report_mismatch(file, off + 8 * i, p[i], w);
	}
	munmap(map, size);
	close(fd);
	return 0;
}

/* Map the first page of FILE, store VALUE at OFF, read it back. */
static int do_reg(const char *file, uint64_t off, uint32_t value)
{
	volatile uint32_t *reg;
	uint32_t got;
	void *map;
	int fd;

	map = map_shared(file, 4096, 0, &fd);
	if (!map)
		return 1;
	reg = (volatile uint32_t *)((char *)map + off);
	*reg = value;
	got = *reg;
	munmap(map, 4096);
	close(fd);
	printf("0x%x\n", got);
	return got != value;
}

/* Read one word of every page of [p, p + size); returns their sum. */
static uint64_t touch_pages(const volatile uint64_t *p, uint64_t size)
{
	uint64_t off, sum = 0;

	for (off = 0; off < size; off += 4096)
		sum += p[off / 8];
	return sum;
}

/* Seconds since boot, for the log. */
static double seconds_since_boot(void)
{
	double up = 0;
	FILE *f = fopen("/proc/uptime", "r");

	if (f) {
		if (fscanf(f, "%lf", &up) != 1)
			up = 0;
		fclose(f);
	}
	return up;
}

/* Wait for a line on CTL, without echoing it back. */
static int wait_line(FILE *ctl)
{
	char line[64];

	return fgets(line, sizeof(line), ctl) ? 0 : -1;
}

#define WARMUP_SIZE	(16 << 20)

static int do_sweep(const char *file, const char *ctl_path)
{
	struct termios tio;
	uint64_t size, sum;
	struct stat st;
	void *map, *warm;
	FILE *ctl;
	int fd;

	fd = open(file, O_RDWR | O_SYNC);
	if (fd < 0 || fstat(fd, &st)) {
		perror(file);
		return 1;
	}
	size = st.st_size;
	ctl = fopen(ctl_path, "r");
	if (!ctl) {
		perror(ctl_path);
		return 1;
	}
	if (!tcgetattr(fileno(ctl), &tio)) {
		tio.c_lflag &= ~ECHO;
		tcsetattr(fileno(ctl), TCSANOW, &tio);
	}
	map = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	warm = mmap(NULL, WARMUP_SIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (map == MAP_FAILED || warm == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	touch_pages(warm, WARMUP_SIZE);

	printf("E2E sweep-start %llu bytes at uptime %.1fs\n",
	       (unsigned long long)size, seconds_since_boot());
	fflush(stdout);
	if (wait_line(ctl))
		return 1;
	printf("E2E # sweep: go at uptime %.1fs\n", seconds_since_boot());
	sum = touch_pages(map, size);
	printf("E2E sweep-done %llu pages, sum 0x%llx, at uptime %.1fs\n",
	       (unsigned long long)(size / 4096), (unsigned long long)sum,
	       seconds_since_boot());
	fflush(stdout);
	if (wait_line(ctl))
		return 1;
	munmap(warm, WARMUP_SIZE);
	munmap(map, size);
	fclose(ctl);
	close(fd);
	return 0;
}

static int usage(const char *prog)
{
	fprintf(stderr,
		"Usage: %s gen SEED OFF SIZE\n"
		"       %s check|fill|mcheck|mfill FILE OFF SIZE SEED\n"
		"       %s reg FILE OFF VALUE\n"
		"       %s sweep FILE CTL\n",
		prog, prog, prog, prog);
	return 2;
}

int main(int argc, char **argv)
{
	uint64_t seed, off, size;
	const char *cmd;

	if (argc < 2)
		return usage(argv[0]);
	cmd = argv[1];
	if (!strcmp(cmd, "sweep"))
		return argc == 4 ? do_sweep(argv[2], argv[3]) : usage(argv[0]);
	if (!strcmp(cmd, "reg")) {
		if (argc != 5 || parse_size(argv[3], &off) ||
		    parse_size(argv[4], &seed) || off > 4092 || off % 4)
			return usage(argv[0]);
		return do_reg(argv[2], off, (uint32_t)seed);
	}
	if (!strcmp(cmd, "gen")) {
		if (argc != 5 || parse_size(argv[2], &seed) ||
		    parse_size(argv[3], &off) || parse_size(argv[4], &size))
			return usage(argv[0]);
	} else {
		if (argc != 6 || parse_size(argv[3], &off) ||
		    parse_size(argv[4], &size) || parse_size(argv[5], &seed))
			return usage(argv[0]);
	}
	if (off % 4096 || size % 4096) {
		fprintf(stderr, "%s: OFF and SIZE must be multiples of 4096\n",
			argv[0]);
		return 2;
	}
	if (!strcmp(cmd, "gen"))
		return do_gen(seed, off, size);
	if (!strcmp(cmd, "check"))
		return do_rw(argv[2], off, size, seed, 0);
	if (!strcmp(cmd, "fill"))
		return do_rw(argv[2], off, size, seed, 1);
	if (!strcmp(cmd, "mcheck"))
		return do_mmap(argv[2], off, size, seed, 0);
	if (!strcmp(cmd, "mfill"))
		return do_mmap(argv[2], off, size, seed, 1);
	return usage(argv[0]);
}
