// SPDX-License-Identifier: Apache-2.0
/*
 * ff_regmr_cost: what registering memory costs an application, for the benchmark's
 * "first contact" section.
 *
 *   ff_regmr_cost [-r REPS] SIZE_MIB...
 *
 * Opens the first verbs device and allocates a PD. For each size, REPS times (default 5):
 * maps anonymous memory, touches it with memset as an application fills its buffer (the
 * kernel faults the pages in), memsets it once more (resident memory: the reference),
 * then times ibv_reg_mr (LOCAL_WRITE | REMOTE_WRITE | REMOTE_READ), a memset over the
 * registered buffer (the application's first touch after the registration: a provider
 * that remaps registered pages may fault them in again) and ibv_dereg_mr, each with
 * CLOCK_MONOTONIC, and unmaps it. Prints one line per repetition ("rep ...", in µs) and
 * one per size with the medians in µs per MiB:
 *
 *   regmr size_mib=16 reps=5 reg_us_per_mib=... dereg_us_per_mib=...
 *         touch_after_reg_us_per_mib=... touch_resident_us_per_mib=...
 *
 * Exit status 0 when every registration succeeded.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <infiniband/verbs.h>

#define MIB (1024UL * 1024UL)
#define MAX_REPS 100

enum figure { REG, DEREG, TOUCH_AFTER_REG, TOUCH_RESIDENT, FIGURES };

static const char *const figure_names[FIGURES] = {
	"reg_us_per_mib", "dereg_us_per_mib", "touch_after_reg_us_per_mib",
	"touch_resident_us_per_mib",
};

/* a read of the buffer after each memset, so that none of them is left out */
static volatile unsigned char sink;

static double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static double touch_us(unsigned char *buf, size_t len, int value)
{
	double t0 = now_us();

	memset(buf, value, len);
	sink = buf[len - 1];
	return now_us() - t0;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), by_value);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* one repetition at LEN bytes: the four times in µs, or -1 */
static int one_rep(struct ibv_pd *pd, size_t len, double us[FIGURES])
{
	const int access = IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE |
			   IBV_ACCESS_REMOTE_READ;
	unsigned char *buf;
	struct ibv_mr *mr;
	double t0;

	buf = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED) {
		fprintf(stderr, "ff_regmr_cost: mmap %zu bytes: %s\n", len, strerror(errno));
		return -1;
	}
	touch_us(buf, len, 1);
	us[TOUCH_RESIDENT] = touch_us(buf, len, 2);
	t0 = now_us();
	mr = ibv_reg_mr(pd, buf, len, access);
	us[REG] = now_us() - t0;
	if (!mr) {
		fprintf(stderr, "ff_regmr_cost: ibv_reg_mr %zu bytes: %s\n", len, strerror(errno));
		munmap(buf, len);
		return -1;
	}
	us[TOUCH_AFTER_REG] = touch_us(buf, len, 3);
	t0 = now_us();
	if (ibv_dereg_mr(mr)) {
		fprintf(stderr, "ff_regmr_cost: ibv_dereg_mr: %s\n", strerror(errno));
		munmap(buf, len);
		return -1;
	}
	us[DEREG] = now_us() - t0;
	munmap(buf, len);
	return 0;
}

int main(int argc, char **argv)
{
	static double us[FIGURES][MAX_REPS];
	struct ibv_device **devs;
	struct ibv_context *ctx;
	struct ibv_pd *pd;
	int opt, reps = 5, rc = 0, i, r, f;

	while ((opt = getopt(argc, argv, "r:")) != -1) {
		switch (opt) {
		case 'r':
			reps = atoi(optarg);
			break;
		default:
			goto usage;
		}
	}
	if (optind >= argc || reps < 1 || reps > MAX_REPS)
		goto usage;

	devs = ibv_get_device_list(NULL);
	if (!devs || !devs[0]) {
		fprintf(stderr, "ff_regmr_cost: no verbs device\n");
		return 1;
	}
	ctx = ibv_open_device(devs[0]);
	pd = ctx ? ibv_alloc_pd(ctx) : NULL;
	if (!pd) {
		fprintf(stderr, "ff_regmr_cost: cannot open %s or allocate a PD\n",
			ibv_get_device_name(devs[0]));
		return 1;
	}
	printf("device=%s reps=%d\n", ibv_get_device_name(devs[0]), reps);
	for (i = optind; i < argc && rc == 0; i++) {
		long mib = strtol(argv[i], NULL, 10);
		size_t len = (size_t)mib * MIB;

		if (mib < 1) {
			fprintf(stderr, "ff_regmr_cost: bad size '%s' (MiB)\n", argv[i]);
			rc = 2;
			break;
		}
		for (r = 0; r < reps; r++) {
			double one[FIGURES];

			if (one_rep(pd, len, one)) {
				rc = 1;
				break;
			}
			printf("rep size_mib=%ld rep=%d reg_us=%.1f touch_after_reg_us=%.1f "
			       "dereg_us=%.1f touch_resident_us=%.1f\n", mib, r + 1, one[REG],
			       one[TOUCH_AFTER_REG], one[DEREG], one[TOUCH_RESIDENT]);
			for (f = 0; f < FIGURES; f++)
				us[f][r] = one[f] / (double)mib;
		}
		if (rc)
			break;
		printf("regmr size_mib=%ld reps=%d", mib, reps);
		for (f = 0; f < FIGURES; f++)
			printf(" %s=%.3f", figure_names[f], median(us[f], reps));
		printf("\n");
		fflush(stdout);
	}
	ibv_dealloc_pd(pd);
	ibv_close_device(ctx);
	ibv_free_device_list(devs);
	return rc;

usage:
	fprintf(stderr, "usage: %s [-r REPS] SIZE_MIB...\n", argv[0]);
	return 2;
}
