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
 *
 * OFF and SIZE take a K or M suffix and must be multiples of 4096.  Exit
 * status 0 on success; check prints the first mismatch on failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
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

	fd = open(file, O_RDWR | O_SYNC);
	if (fd < 0) {
		perror(file);
		return 1;
	}
	map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);
	if (map == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
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

static int usage(const char *prog)
{
	fprintf(stderr,
		"Usage: %s gen SEED OFF SIZE\n"
		"       %s check|fill|mcheck|mfill FILE OFF SIZE SEED\n",
		prog, prog);
	return 2;
}

int main(int argc, char **argv)
{
	uint64_t seed, off, size;
	const char *cmd;

	if (argc < 2)
		return usage(argv[0]);
	cmd = argv[1];
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
