// SPDX-License-Identifier: Apache-2.0
/*
 * ff_control_rate: how fast the control verbs answer, for the benchmark's control-plane
 * section (run in several containers at once, on one or several hosts).
 *
 *   ff_control_rate [-n COUNT] [-s SECONDS]
 *
 * Opens the first verbs device, allocates a PD and a CQ, and times COUNT rounds
 * (default 200) of each of: ibv_reg_mr + ibv_dereg_mr of one 4 KiB page, and
 * ibv_create_qp (RC, 16 WRs each way) + ibv_destroy_qp, with CLOCK_MONOTONIC. With -s it
 * first sleeps until the next multiple of SECONDS of CLOCK_REALTIME, so that instances
 * started in several containers run at the same time. Prints one line per verb pair:
 *
 *   control verb=reg_mr count=200 per_s=... p50_us=... p99_us=... (and dereg_mr, create_qp,
 *   destroy_qp: each call's latency on its own)
 *
 * Exit status 0 when every call succeeded.
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

#define MAX_COUNT 100000

enum verb { REG_MR, DEREG_MR, CREATE_QP, DESTROY_QP, VERBS };

static const char *const verb_names[VERBS] = { "reg_mr", "dereg_mr", "create_qp", "destroy_qp" };

static double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* the q-quantile of the n sorted values (nearest rank) */
static double quantile(const double *sorted, int n, double q)
{
	int i = (int)(q * n + 0.999999) - 1;

	return sorted[i < 0 ? 0 : (i >= n ? n - 1 : i)];
}

static void report(enum verb v, double *us, int n, double total_us)
{
	qsort(us, (size_t)n, sizeof(*us), by_value);
	printf("control verb=%s count=%d per_s=%.0f p50_us=%.1f p99_us=%.1f\n", verb_names[v], n,
	       n / (total_us / 1e6), quantile(us, n, 0.50), quantile(us, n, 0.99));
}

static void wait_for_slot(int seconds)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	long wait_ms = (seconds - t.tv_sec % seconds) * 1000L - t.tv_nsec / 1000000L;
	usleep((useconds_t)wait_ms * 1000U);
}

int main(int argc, char **argv)
{
	static double us[VERBS][MAX_COUNT];
	double total[VERBS] = { 0 };
	struct ibv_qp_init_attr init = { .qp_type = IBV_QPT_RC,
					 .cap = { .max_send_wr = 16, .max_recv_wr = 16,
						  .max_send_sge = 1, .max_recv_sge = 1 } };
	struct ibv_device **devs;
	struct ibv_context *ctx;
	struct ibv_pd *pd;
	struct ibv_cq *cq;
	int opt, count = 200, slot = 0, i;
	void *page;

	while ((opt = getopt(argc, argv, "n:s:")) != -1) {
		switch (opt) {
		case 'n':
			count = atoi(optarg);
			break;
		case 's':
			slot = atoi(optarg);
			break;
		default:
			goto usage;
		}
	}
	if (optind != argc || count < 1 || count > MAX_COUNT || slot < 0)
		goto usage;

	devs = ibv_get_device_list(NULL);
	if (!devs || !devs[0]) {
		fprintf(stderr, "ff_control_rate: no verbs device\n");
		return 1;
	}
	ctx = ibv_open_device(devs[0]);
	pd = ctx ? ibv_alloc_pd(ctx) : NULL;
	cq = pd ? ibv_create_cq(ctx, 64, NULL, NULL, 0) : NULL;
	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!cq || page == MAP_FAILED) {
		fprintf(stderr, "ff_control_rate: cannot open %s, allocate a PD and a CQ: %s\n",
			ibv_get_device_name(devs[0]), strerror(errno));
		return 1;
	}
	init.send_cq = cq;
	init.recv_cq = cq;
	memset(page, 1, 4096);
	if (slot)
		wait_for_slot(slot);
	for (i = 0; i < count; i++) {
		double t0 = now_us();
		struct ibv_mr *mr = ibv_reg_mr(pd, page, 4096, IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_READ);
		double t1 = now_us();

		if (!mr) {
			fprintf(stderr, "ff_control_rate: ibv_reg_mr: %s\n", strerror(errno));
			return 1;
		}
		if (ibv_dereg_mr(mr)) {
			fprintf(stderr, "ff_control_rate: ibv_dereg_mr: %s\n", strerror(errno));
			return 1;
		}
		us[REG_MR][i] = t1 - t0;
		us[DEREG_MR][i] = now_us() - t1;
	}
	for (i = 0; i < count; i++) {
		double t0 = now_us();
		struct ibv_qp *qp = ibv_create_qp(pd, &init);
		double t1 = now_us();

		if (!qp) {
			fprintf(stderr, "ff_control_rate: ibv_create_qp: %s\n", strerror(errno));
			return 1;
		}
		if (ibv_destroy_qp(qp)) {
			fprintf(stderr, "ff_control_rate: ibv_destroy_qp: %s\n", strerror(errno));
			return 1;
		}
		us[CREATE_QP][i] = t1 - t0;
		us[DESTROY_QP][i] = now_us() - t1;
	}
	for (int v = 0; v < VERBS; v++) {
		for (i = 0; i < count; i++)
			total[v] += us[v][i];
		report((enum verb)v, us[v], count, total[v]);
	}
	ibv_destroy_cq(cq);
	ibv_dealloc_pd(pd);
	ibv_close_device(ctx);
	ibv_free_device_list(devs);
	return 0;
usage:
	fprintf(stderr, "usage: ff_control_rate [-n COUNT] [-s SECONDS]\n");
	return 2;
}
