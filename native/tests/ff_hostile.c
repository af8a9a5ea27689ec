// SPDX-License-Identifier: Apache-2.0
/*
 * ff_hostile [--seconds N]: a hostile container.  It opens the device,
 * makes a PD, a CQ, a completion channel and a CQ on it, then jams the
 * two fds the router writes into (ctx->async_fd, channel->fd): clears
 * O_NONBLOCK on them, shrinks their pipes as far as the kernel lets it,
 * asks for SIGIO on them, keeps extra copies, tries to write into them
 * (EBADF: they are reading ends) and never reads them.  Then, for N
 * seconds (default 5), it makes the router signal both as often as it
 * can:
 *
 *  - an RC QP pair connected to itself (same context, the port's LID):
 *    arm the channel's CQ (next or solicited-only), send, poll the send
 *    and the receive completion off it, arm again, thousands of times;
 *  - every few rounds a fresh QP pair whose responder is left in RTR: its
 *    first message raises IBV_EVENT_COMM_EST, which nobody reads; up to
 *    MAX_PAIRS pairs stay alive with their event unread, the oldest one
 *    is destroyed (dropping its event) to make room.
 *
 * It never calls ibv_get_cq_event or ibv_get_async_event, and so never
 * blocks on those fds; every poll has a deadline.  A router that a
 * container can stall would stop completing its work (FAIL ... timeout).
 * At the end both fds must be readable (the router did signal) and their
 * flags as this program left them.  Prints one line per check ("PASS" /
 * "FAIL"), then "hostile: N completions armed, M async events provoked"
 * and "N passed, N failed"; exit 0 only if everything passed.  Linked
 * against the system libibverbs, run with the FFL via LD_LIBRARY_PATH and
 * FREEFLOW_SOCKET.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <infiniband/verbs.h>

#include "test_util.h"
#include "verbs_test_util.h"

#define BUF		4096
#define MSG		64
#define TIMEOUT_MS	5000
#define MAX_PAIRS	128	/* COMM_EST pairs alive at once */
#define PAIR_EVERY	16	/* rounds between two fresh pairs */

static int seconds = 5;

static void on_alarm(int sig)
{
	(void)sig;
	printf("FAIL hostile: still running %d s after its deadline\n", 60);
	fflush(stdout);
	_exit(1);
}

struct pair {
	struct ibv_qp *req, *resp;
};

static struct ibv_context *ctx;
static struct ibv_pd *pd;
static struct ibv_mr *mr;
static char *buf;
static uint16_t lid;

static int post_recv(struct ibv_qp *qp, uint64_t wr_id)
{
	struct ibv_sge sg = { .addr = (uintptr_t)buf + BUF / 2, .length = MSG,
			      .lkey = mr->lkey };
	struct ibv_recv_wr wr = { .wr_id = wr_id, .sg_list = &sg,
				  .num_sge = 1 }, *bad;

	return ibv_post_recv(qp, &wr, &bad);
}

static int post_send(struct ibv_qp *qp, uint64_t wr_id, unsigned int flags)
{
	struct ibv_sge sg = { .addr = (uintptr_t)buf, .length = MSG,
			      .lkey = mr->lkey };
	struct ibv_send_wr wr = {
		.wr_id = wr_id, .sg_list = &sg, .num_sge = 1,
		.opcode = IBV_WR_SEND,
		.send_flags = IBV_SEND_SIGNALED | flags,
	}, *bad;

	return ibv_post_send(qp, &wr, &bad);
}

/* @n completions off @cq within TIMEOUT_MS, all successful: 0, else -1. */
static int poll_n(struct ibv_cq *cq, int n, const char *what)
{
	struct ibv_wc wc[4];
	long end = now_ms() + TIMEOUT_MS;
	int got = 0, k, i;

	while (got < n) {
		k = ibv_poll_cq(cq, 4, wc);
		if (k < 0) {
			CHECK(0, what, "ibv_poll_cq failed");
			return -1;
		}
		for (i = 0; i < k; i++)
			if (wc[i].status != IBV_WC_SUCCESS) {
				CHECK(0, what, "completion %s",
				      ibv_wc_status_str(wc[i].status));
				return -1;
			}
		got += k;
		if (!k && now_ms() > end) {
			CHECK(0, what, "timeout: %d of %d completions in %d ms",
			      got, n, TIMEOUT_MS);
			return -1;
		}
	}
	return 0;
}

/* The fd tricks; what they did goes to stdout. */
static void jam(int fd, const char *name)
{
	char check[64];
	int fl, sz, copy;

	fl = fcntl(fd, F_GETFL);
	snprintf(check, sizeof(check), "%s_cleared_o_nonblock", name);
	CHECK(fl >= 0 && !fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) &&
		      !(fcntl(fd, F_GETFL) & O_NONBLOCK),
	      check, "fcntl: %s", strerror(errno));
	errno = 0;
	snprintf(check, sizeof(check), "%s_write_ebadf", name);
	CHECK(write(fd, "x", 1) == -1 && errno == EBADF, check,
	      "write: %s", errno ? strerror(errno) : "it wrote");
	/* the smallest pipe the kernel gives: a page */
	sz = fcntl(fd, F_SETPIPE_SZ, 4096);
	printf("# %s: F_SETPIPE_SZ 4096 -> %d%s%s\n", name, sz,
	       sz < 0 ? ", " : "", sz < 0 ? strerror(errno) : "");
	/* SIGIO on every router write, to us (ignored) */
	if (fcntl(fd, F_SETOWN, getpid()) ||
	    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_ASYNC))
		printf("# %s: O_ASYNC: %s\n", name, strerror(errno));
	/* a second reader nobody reads from either */
	copy = dup(fd);
	printf("# %s: extra copy fd %d\n", name, copy);
}

/* A fresh pair on @cq: requester in RTS, responder left in RTR. */
static int new_pair(struct pair *p, struct ibv_cq *cq)
{
	p->req = make_rc_qp(pd, cq);
	p->resp = make_rc_qp(pd, cq);
	if (!p->req || !p->resp || to_rts(p->req, p->resp->qp_num, lid) ||
	    to_rtr(p->resp, p->req->qp_num, lid))
		return -1;
	return 0;
}

static void drop_pair(struct pair *p)
{
	if (p->req)
		ibv_destroy_qp(p->req);
	if (p->resp)
		ibv_destroy_qp(p->resp);
	p->req = p->resp = NULL;
}

int main(int argc, char **argv)
{
	static struct pair pairs[MAX_PAIRS];
	struct ibv_comp_channel *ch;
	struct ibv_cq *cq_plain, *cq_ev;
	struct pair self = { 0 };
	unsigned long completions = 0, arms = 0, provoked = 0, round = 0;
	int i, err = 0, alive = 0, oldest = 0, fl_async, fl_ch, max_alive;
	struct ibv_device_attr da = { 0 };
	long start, end;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--seconds") && i + 1 < argc &&
		    atoi(argv[i + 1]) > 0) {
			seconds = atoi(argv[++i]);
		} else {
			fprintf(stderr, "usage: %s [--seconds N]\n", argv[0]);
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGALRM, on_alarm);
	signal(SIGIO, SIG_IGN);
	alarm((unsigned int)seconds + 60);

	ctx = open_first_device(&lid);
	if (!ctx)
		return t_summary();
	pd = ibv_alloc_pd(ctx);
	buf = calloc(1, BUF);
	mr = pd && buf ? ibv_reg_mr(pd, buf, BUF, IBV_ACCESS_LOCAL_WRITE) :
			 NULL;
	cq_plain = ibv_create_cq(ctx, 64, NULL, NULL, 0);
	ch = ibv_create_comp_channel(ctx);
	cq_ev = ch ? ibv_create_cq(ctx, 64, NULL, ch, 0) : NULL;
	if (!CHECK(pd && mr && cq_plain && ch && cq_ev, "setup", "%s",
		   strerror(errno)))
		return t_summary();

	/* room for the self pair and a spare pair besides */
	max_alive = MAX_PAIRS;
	if (!ibv_query_device(ctx, &da) && da.max_qp / 2 - 2 < max_alive)
		max_alive = da.max_qp / 2 - 2;
	if (!CHECK(max_alive > 0, "device_has_qps", "max_qp %d", da.max_qp))
		return t_summary();

	jam(ctx->async_fd, "async_fd");
	jam(ch->fd, "channel_fd");
	fl_async = fcntl(ctx->async_fd, F_GETFL);
	fl_ch = fcntl(ch->fd, F_GETFL);

	if (!CHECK(!new_pair(&self, cq_ev) && !rtr_to_rts(self.resp),
		   "self_connected_pair", "%s", strerror(errno)))
		return t_summary();

	start = now_ms();
	end = start + seconds * 1000L;
	while (!err && now_ms() < end) {
		/* the channel's CQ: armed, one send and its receive */
		round++;
		err = post_recv(self.resp, round);
		if (!err)
			err = ibv_req_notify_cq(cq_ev, (int)(round & 1));
		arms += !err;
		if (!err)
			err = post_send(self.req, round,
					round % 3 ? IBV_SEND_SOLICITED : 0);
		if (err) {
			CHECK(0, "post_on_armed_cq", "%s", strerror(err));
			break;
		}
		if (poll_n(cq_ev, 2, "armed_cq_completes")) {
			err = 1;
			break;
		}
		completions += 2;
		if (round % PAIR_EVERY)
			continue;

		/* an unread COMM_EST, on a pair that stays */
		if (alive == max_alive) {
			drop_pair(&pairs[oldest]);
			alive--;
			oldest = (oldest + 1) % MAX_PAIRS;
		}
		i = (oldest + alive) % MAX_PAIRS;
		if (new_pair(&pairs[i], cq_plain) ||
		    post_recv(pairs[i].resp, 0) ||
		    post_send(pairs[i].req, 0, 0)) {
			CHECK(0, "comm_est_pair", "%s", strerror(errno));
			drop_pair(&pairs[i]);
			err = 1;
			break;
		}
		alive++;
		if (poll_n(cq_plain, 2, "comm_est_pair_completes")) {
			err = 1;
			break;
		}
		provoked++;
	}
	CHECK(!err, "hostile_loop_finished", "stopped after %lu rounds",
	      round);
	printf("hostile: %lu completions armed, %lu async events provoked\n",
	       completions, provoked);
	printf("# %lu arms, %lu rounds, %d pairs alive, %ld ms\n", arms,
	       round, alive, now_ms() - start);

	CHECK(readable(ch->fd, TIMEOUT_MS), "router_signalled_channel",
	      "channel->fd not readable after %lu arms", arms);
	CHECK(!provoked || readable(ctx->async_fd, TIMEOUT_MS),
	      "router_signalled_async", "async_fd not readable after %lu "
	      "COMM_EST", provoked);
	CHECK(fcntl(ctx->async_fd, F_GETFL) == fl_async &&
		      fcntl(ch->fd, F_GETFL) == fl_ch,
	      "flags_left_as_the_app_set_them", "async %#x (%#x), channel "
	      "%#x (%#x)", fcntl(ctx->async_fd, F_GETFL), fl_async,
	      fcntl(ch->fd, F_GETFL), fl_ch);

	/* and the context still works */
	err = post_recv(self.resp, 0) || post_send(self.req, 0, 0) ||
	      poll_n(cq_ev, 2, "still_works");
	CHECK(!err, "context_still_works", "-");

	for (i = 0; i < MAX_PAIRS; i++)
		drop_pair(&pairs[i]);
	drop_pair(&self);
	CHECK(!ibv_destroy_cq(cq_ev) && !ibv_destroy_comp_channel(ch) &&
		      !ibv_destroy_cq(cq_plain) && !ibv_dereg_mr(mr) &&
		      !ibv_dealloc_pd(pd) && !ibv_close_device(ctx),
	      "teardown", "%s", strerror(errno));
	free(buf);
	return t_summary();
}
