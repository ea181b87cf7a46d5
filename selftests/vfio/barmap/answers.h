/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What a VFIO PCI device answers through the uAPI, as "KEY<TAB>VALUE"
 * lines, so that the same questions can be asked of stock vfio-pci and of
 * barmap-vfio-pci about the same device and the answers compared line by
 * line (vfio_pci_barmap_differential_test's answers_* tests, the zoo).  A key starts with its
 * family (device, config, region, mmap, reads, bounds, dmabuf, decode,
 * reset, consumers); the questions of one family do not depend on those of another,
 * so one family can be asked alone of a freshly opened device.
 */
#ifndef BARMAP_ANSWERS_H
#define BARMAP_ANSWERS_H

#include <stdio.h>

#define ANSWER_KEY_LEN	80
#define ANSWER_VAL_LEN	512

struct answer {
	char key[ANSWER_KEY_LEN];
	char val[ANSWER_VAL_LEN];
};

struct answers {
	unsigned int nr;
	unsigned int max;
	struct answer *a;
};

/* The families, in the order answers_collect() asks them. */
extern const char *const answer_families[];

/*
 * Ask the device open as @fd (PCI address @bdf) every question of
 * @family, or of every family when @family is NULL, appending to @out.
 * Returns 0 or -errno (an allocation failure; a question the device
 * refuses is an answer).
 */
int answers_collect(int fd, const char *bdf, const char *family,
		    struct answers *out);

/* "KEY\tVALUE\n" lines; answers_load() reads them back. */
void answers_print(const struct answers *a, FILE *f);
int answers_load(const char *path, struct answers *out);
void answers_free(struct answers *a);

/* The value of @key, or NULL. */
const char *answers_get(const struct answers *a, const char *key);

/*
 * The rule of the first line of the allow-list @path that admits barmap
 * answering @ours where stock vfio-pci answered @stock to @key on the
 * device labelled @label ("(absent)" for a key only one asked), or NULL.
 * Lines: LABEL-GLOB KEY-GLOB BARMAP-GLOB STOCK-GLOB RULE, tab-separated,
 * '#' comments.  *@err is set when the list cannot be read.
 */
const char *answer_allowed(const char *path, const char *label,
			   const char *key, const char *ours,
			   const char *stock, int *err);

#define ANSWER_ABSENT	"(absent)"

/*
 * For the consumers family, where barmap's answer may differ from stock's
 * as long as no VMM is worse off: what makes @ours worse than @stock for
 * that VMM, every reason that holds ("device rejected", or a list of
 * "fewer direct bytes", "more memory slots", "more slots refused", "more
 * page-table entries", "P2P lost"; slots and entries only where @ours
 * reaches no more bytes directly), written to @why, or NULL.
 */
const char *consumer_answer_worse(const char *ours, const char *stock,
				  char *why, size_t len);

#endif
