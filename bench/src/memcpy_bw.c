// SPDX-License-Identifier: Apache-2.0
/*
 * memcpy_bw: the one-copy limit of the bench's targets (bench/README.md) -- how fast
 * one core copies a buffer of SIZE bytes into another with memcpy, after a short warm-up.
 *
 *   memcpy_bw SIZE SECONDS [TRIALS]
 *
 * SECONDS are split into TRIALS (default 10) timed trials; a limit is the best a core
 * does, so the best trial is the figure (on a shared machine a trial can lose its core).
 * Prints one line: "size=<bytes> trials=<n> seconds=<s> gbps=<best> mean_gbps=<mean>".
 * Throughput counts the bytes copied (each byte read once and written once), as for a
 * network transfer, in 10^9 bits per second.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* copies SIZE bytes from src to dst for at least SECONDS; returns Gbps */
static double trial(char *dst, const char *src, size_t size, double seconds)
{
	/* check the clock every ~64 MiB copied, at least every copy */
	uint64_t batch = size >= (64u << 20) ? 1 : (64u << 20) / size;
	uint64_t copies = 0, i;
	double start = now(), elapsed;

	do {
		for (i = 0; i < batch; i++) {
			memcpy(dst, src, size);
			/* the copy must happen: dst is read after the loop */
			__asm__ volatile("" : : "r"(dst) : "memory");
		}
		copies += batch;
		elapsed = now() - start;
	} while (elapsed < seconds);
	return (double)copies * size * 8 / elapsed / 1e9;
}

int main(int argc, char **argv)
{
	size_t size;
	double seconds, gbps, best = 0, sum = 0;
	char *src, *dst;
	int i, trials = 10;

	if (argc != 3 && argc != 4) {
		fprintf(stderr, "usage: %s SIZE SECONDS [TRIALS]\n", argv[0]);
		return 2;
	}
	size = strtoull(argv[1], NULL, 0);
	seconds = strtod(argv[2], NULL);
	if (argc == 4)
		trials = atoi(argv[3]);
	if (size == 0 || seconds <= 0 || trials <= 0) {
		fprintf(stderr, "%s: SIZE, SECONDS and TRIALS must be positive\n", argv[0]);
		return 2;
	}
	src = aligned_alloc(4096, (size + 4095) & ~(size_t)4095);
	dst = aligned_alloc(4096, (size + 4095) & ~(size_t)4095);
	if (!src || !dst) {
		perror("aligned_alloc");
		return 1;
	}
	memset(src, 0x5a, size);
	memset(dst, 0, size);
	/* warm-up: the pages are mapped and, for small sizes, the buffers are in cache */
	for (i = 0; i < 3; i++)
		memcpy(dst, src, size);

	for (i = 0; i < trials; i++) {
		gbps = trial(dst, src, size, seconds / trials);
		sum += gbps;
		if (gbps > best)
			best = gbps;
	}
	if (dst[size - 1] != 0x5a)
		return 1;
	printf("size=%zu trials=%d seconds=%.3f gbps=%.3f mean_gbps=%.3f\n", size, trials,
	       seconds, best, sum / trials);
	free(src);
	free(dst);
	return 0;
}
