// SPDX-License-Identifier: Apache-2.0
/*
 * ff_events: completion channels and CQ events through a real router, in
 * one process (two RC QPs connected to each other on the same LID, each
 * with its own CQ, both CQs on one completion channel).  Linked against
 * the system libibverbs, run with the FFL via LD_LIBRARY_PATH and
 * FREEFLOW_SOCKET.
 *
 *  (a) a CQ armed for the next completion wakes a thread blocked in
 *      ibv_get_cq_event, with the right CQ and cq_context
 *  (b) an unarmed CQ raises no event
 *  (c) solicited-only arming ignores an unsolicited receive and fires for
 *      a solicited one; an error completion fires it too
 *  (d) the arm / get_cq_event / ack / poll loop of ibv_rc_pingpong -e
 *  (e) the channel refuses to go while CQs use it; ibv_destroy_cq waits
 *      for the ack of every event it returned
 *  (f) ABI v8: channel->fd is the reading end of the router's pipe
 *      (blocking, not writable), readable exactly while an event is
 *      pending: not after ibv_get_cq_event took the only one
 *
 * One line per check, "PASS name" or "FAIL name: why", then
 * "N passed, N failed"; exit 0 only if everything passed.  A check that
 * hangs fails after 10 s.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <infiniband/verbs.h>

#include "test_util.h"
#include "verbs_test_util.h"

#define BUF		4096
#define TIMEOUT_MS	5000
#define HANG_S		10
#define LOOP_ROUNDS	200

static const char *volatile current = "setup";

static void on_alarm(int sig)
{
	(void)sig;
	printf("FAIL %s: no progress in %d s\n", current, HANG_S);
	t_failed++;
	t_summary();
	fflush(stdout);
	_exit(1);
}

/* the next blocking step belongs to @name and may take HANG_S at most */
static void step(const char *name)
{
	current = name;
	alarm(HANG_S);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

struct res {
	struct ibv_context *ctx;
	struct ibv_pd *pd;
	uint16_t lid;
	char *buf_a, *buf_b;
	struct ibv_mr *mr_a, *mr_b;
	struct ibv_comp_channel *ch;
	struct ibv_cq *cq_a, *cq_b;
	struct ibv_qp *a, *b;
	unsigned int ev_a, ev_b;	/* events got, not yet acked */
};

static char ctx_a[] = "cq a", ctx_b[] = "cq b";

static void set_nonblocking(int fd, bool on)
{
	int fl = fcntl(fd, F_GETFL);

	fcntl(fd, F_SETFL, on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK);
}

static int post_recv(struct res *r, uint64_t wr_id)
{
	struct ibv_sge sge = { .addr = (uintptr_t)r->buf_b, .length = BUF,
			       .lkey = r->mr_b->lkey };
	struct ibv_recv_wr wr = { .wr_id = wr_id, .sg_list = &sge,
				  .num_sge = 1 }, *bad;

	return ibv_post_recv(r->b, &wr, &bad);
}

static int post_send(struct res *r, uint64_t wr_id, unsigned int flags,
		     uint32_t lkey)
{
	struct ibv_sge sge = { .addr = (uintptr_t)r->buf_a, .length = 64,
			       .lkey = lkey };
	struct ibv_send_wr wr = {
		.wr_id = wr_id, .sg_list = &sge, .num_sge = 1,
		.opcode = IBV_WR_SEND,
		.send_flags = IBV_SEND_SIGNALED | flags,
	}, *bad = NULL;

	return ibv_post_send(r->a, &wr, &bad);
}

/* posts a SEND from another thread after a delay */
struct late_send {
	struct res *r;
	uint64_t wr_id;
	unsigned int flags;
	int err;
};

static void *late_sender(void *arg)
{
	struct late_send *ls = arg;

	sleep_ms(200);
	ls->err = post_send(ls->r, ls->wr_id, ls->flags, ls->r->mr_a->lkey);
	return NULL;
}

/* ibv_get_cq_event from a channel fd made non-blocking: -1/EAGAIN if none */
static int try_event(struct res *r, struct ibv_cq **cq, void **ctx)
{
	int ret;

	set_nonblocking(r->ch->fd, true);
	errno = 0;
	ret = ibv_get_cq_event(r->ch, cq, ctx);
	set_nonblocking(r->ch->fd, false);
	return ret;
}

static int setup(struct res *r)
{
	struct pollfd pfd;
	struct stat st;
	int err;

	r->ctx = open_first_device(&r->lid);
	if (!r->ctx)
		return 1;
	r->pd = ibv_alloc_pd(r->ctx);
	r->buf_a = aligned_alloc(4096, BUF);
	r->buf_b = aligned_alloc(4096, BUF);
	if (!CHECK(r->pd && r->buf_a && r->buf_b, "alloc_pd", "%s",
		   strerror(errno)))
		return 1;
	memset(r->buf_a, 0x3c, BUF);
	r->mr_a = ibv_reg_mr(r->pd, r->buf_a, BUF, IBV_ACCESS_LOCAL_WRITE);
	r->mr_b = ibv_reg_mr(r->pd, r->buf_b, BUF, IBV_ACCESS_LOCAL_WRITE);
	if (!CHECK(r->mr_a && r->mr_b, "reg_mr", "%s", strerror(errno)))
		return 1;

	r->ch = ibv_create_comp_channel(r->ctx);
	if (!CHECK(r->ch && r->ch->fd >= 0, "create_comp_channel", "%s",
		   strerror(errno)))
		return 1;
	pfd = (struct pollfd){ .fd = r->ch->fd, .events = POLLIN };
	CHECK(poll(&pfd, 1, 0) == 0, "channel_fd_pollable_idle",
	      "a new channel's fd is readable or bad");
	CHECK(fstat(r->ch->fd, &st) == 0 && S_ISFIFO(st.st_mode) &&
		      (fcntl(r->ch->fd, F_GETFL) & O_ACCMODE) == O_RDONLY &&
		      !(fcntl(r->ch->fd, F_GETFL) & O_NONBLOCK),
	      "channel_fd_is_blocking_pipe_read_end", "mode %o flags %#x",
	      (unsigned int)st.st_mode, fcntl(r->ch->fd, F_GETFL));
	errno = 0;
	CHECK(write(r->ch->fd, "x", 1) == -1 && errno == EBADF,
	      "channel_fd_not_writable", "write: %s", strerror(errno));
	r->cq_a = ibv_create_cq(r->ctx, 32, ctx_a, r->ch, 0);
	r->cq_b = ibv_create_cq(r->ctx, 32, ctx_b, r->ch, 0);
	if (!CHECK(r->cq_a && r->cq_b && r->cq_a->channel == r->ch,
		   "create_cq_with_channel", "%s", strerror(errno)))
		return 1;
	r->a = make_rc_qp(r->pd, r->cq_a);
	r->b = make_rc_qp(r->pd, r->cq_b);
	if (!CHECK(r->a && r->b, "create_qp", "%s", strerror(errno)))
		return 1;
	err = to_rts(r->a, r->b->qp_num, r->lid);
	if (!err)
		err = to_rts(r->b, r->a->qp_num, r->lid);
	return !CHECK(!err, "connect_qps", "ibv_modify_qp: %s",
		      strerror(err));
}

/* (a) and (b) */
static void check_next(struct res *r)
{
	struct late_send ls = { .r = r, .wr_id = 101 };
	struct ibv_cq *cq = NULL;
	struct ibv_wc wc;
	void *cq_ctx = NULL;
	pthread_t t;
	long t0, dt;
	int ret, n;

	CHECK(ibv_req_notify_cq(r->cq_a, 0) == 0, "req_notify_cq_next",
	      "failed");
	post_recv(r, 201);
	pthread_create(&t, NULL, late_sender, &ls);
	step("next_wakes_blocked_get_cq_event");
	t0 = now_ms();
	ret = ibv_get_cq_event(r->ch, &cq, &cq_ctx);
	dt = now_ms() - t0;
	alarm(0);
	pthread_join(t, NULL);
	if (ret == 0 && cq == r->cq_a)
		r->ev_a++;
	CHECK(ret == 0 && cq == r->cq_a && cq_ctx == ctx_a && dt >= 150 &&
		      !ls.err,
	      "next_wakes_blocked_get_cq_event",
	      "ret %d (%s), cq %s, context %s, after %ld ms, post %d", ret,
	      ret ? strerror(errno) : "-",
	      cq == r->cq_a ? "a" : cq == r->cq_b ? "b" : "?",
	      cq_ctx == ctx_a ? "a" : "?", dt, ls.err);
	CHECK(!readable(r->ch->fd, 0), "channel_fd_quiet_after_event",
	      "still readable with no event pending");
	n = poll_one(r->cq_a, &wc, TIMEOUT_MS);
	CHECK(n == 1 && wc.wr_id == 101 && wc.status == IBV_WC_SUCCESS,
	      "next_event_completion_polled", "%s",
	      n == 1 ? ibv_wc_status_str(wc.status) : "no completion");

	/* cq_b got the receive but was never armed */
	n = poll_one(r->cq_b, &wc, TIMEOUT_MS);
	CHECK(n == 1 && wc.wr_id == 201 && wc.opcode == IBV_WC_RECV,
	      "unarmed_cq_gets_completion", "%s",
	      n == 1 ? ibv_wc_status_str(wc.status) : "no completion");
	sleep_ms(100);
	ret = try_event(r, &cq, &cq_ctx);
	CHECK(ret == -1 && errno == EAGAIN, "unarmed_cq_no_event",
	      "ret %d errno %d", ret, errno);
}

/* (c) */
static void check_solicited(struct res *r)
{
	struct late_send ls = { .r = r, .wr_id = 111,
				.flags = IBV_SEND_SOLICITED };
	struct ibv_cq *cq = NULL;
	struct ibv_wc wc;
	void *cq_ctx = NULL;
	pthread_t t;
	int ret, n;

	CHECK(ibv_req_notify_cq(r->cq_b, 1) == 0, "req_notify_cq_solicited",
	      "failed");
	post_recv(r, 211);
	post_recv(r, 212);
	post_send(r, 110, 0, r->mr_a->lkey);
	n = poll_one(r->cq_b, &wc, TIMEOUT_MS);
	CHECK(n == 1 && wc.wr_id == 211, "unsolicited_receive_completes",
	      "%s", n == 1 ? ibv_wc_status_str(wc.status) : "no completion");
	n = poll_one(r->cq_a, &wc, TIMEOUT_MS);
	sleep_ms(200);
	ret = try_event(r, &cq, &cq_ctx);
	CHECK(ret == -1 && errno == EAGAIN && n == 1,
	      "solicited_arm_ignores_unsolicited", "ret %d errno %d, cq %s",
	      ret, errno, ret ? "-" : cq == r->cq_b ? "b" : "a");
	if (ret == 0)
		(*(cq == r->cq_a ? &r->ev_a : &r->ev_b))++;

	pthread_create(&t, NULL, late_sender, &ls);
	step("solicited_arm_fires_for_solicited");
	ret = ibv_get_cq_event(r->ch, &cq, &cq_ctx);
	alarm(0);
	pthread_join(t, NULL);
	if (ret == 0)
		(*(cq == r->cq_a ? &r->ev_a : &r->ev_b))++;
	CHECK(ret == 0 && cq == r->cq_b && cq_ctx == ctx_b,
	      "solicited_arm_fires_for_solicited", "ret %d, cq %s", ret,
	      cq == r->cq_b ? "b" : "a");
	n = poll_one(r->cq_b, &wc, TIMEOUT_MS);
	CHECK(n == 1 && wc.wr_id == 212 && wc.status == IBV_WC_SUCCESS,
	      "solicited_receive_polled", "%s",
	      n == 1 ? ibv_wc_status_str(wc.status) : "no completion");
	poll_one(r->cq_a, &wc, TIMEOUT_MS);
}

/* (d): the loop of ibv_rc_pingpong -e, on the send CQ */
static void check_loop(struct res *r)
{
	struct ibv_cq *cq;
	struct ibv_wc wc[4];
	void *cq_ctx;
	int i, n, got = 0, events = 0, err = 0;

	step("event_loop");
	for (i = 0; i < LOOP_ROUNDS && !err; i++) {
		err = post_recv(r, 300 + i);
		if (!err)
			err = ibv_req_notify_cq(r->cq_a, 0);
		if (!err)
			err = post_send(r, 400 + i, 0, r->mr_a->lkey);
		if (err)
			break;
		while (got <= i) {
			if (ibv_get_cq_event(r->ch, &cq, &cq_ctx)) {
				err = errno;
				break;
			}
			events++;
			ibv_ack_cq_events(cq, 1);
			if (cq != r->cq_a) {
				err = EINVAL;
				break;
			}
			ibv_req_notify_cq(r->cq_a, 0);
			while ((n = ibv_poll_cq(r->cq_a, 4, wc)) > 0)
				got += n;
		}
		while (poll_one(r->cq_b, wc, 0) > 0)
			;
	}
	alarm(0);
	/* the last re-arm may fire later: take it, if any */
	sleep_ms(50);
	while (try_event(r, &cq, &cq_ctx) == 0)
		ibv_ack_cq_events(cq, 1);
	while (poll_one(r->cq_b, wc, 100) > 0)
		;
	CHECK(!err && got == LOOP_ROUNDS && events >= 1,
	      "event_loop_arm_wait_ack_poll",
	      "%d of %d completions, %d events, error %s", got, LOOP_ROUNDS,
	      events, err ? strerror(err) : "none");
}

/* (c) continued: an error completion fires a solicited-only arm */
static void check_error_event(struct res *r)
{
	struct ibv_cq *cq = NULL;
	struct ibv_wc wc;
	void *cq_ctx = NULL;
	int ret, n;

	ibv_req_notify_cq(r->cq_a, 1);
	post_recv(r, 501);
	post_send(r, 502, 0, r->mr_a->lkey ^ 0x00ffff00);
	step("error_fires_solicited_arm");
	ret = ibv_get_cq_event(r->ch, &cq, &cq_ctx);
	alarm(0);
	if (ret == 0)
		(*(cq == r->cq_a ? &r->ev_a : &r->ev_b))++;
	n = poll_one(r->cq_a, &wc, TIMEOUT_MS);
	CHECK(ret == 0 && cq == r->cq_a && n == 1 &&
		      wc.status == IBV_WC_LOC_PROT_ERR,
	      "error_fires_solicited_arm", "ret %d, cq %s, %s", ret,
	      cq == r->cq_a ? "a" : "b",
	      n == 1 ? ibv_wc_status_str(wc.status) : "no completion");
}

struct destroyer {
	struct ibv_cq *cq;
	volatile int done;
	int err;
};

static void *destroy_thread(void *arg)
{
	struct destroyer *d = arg;

	d->err = ibv_destroy_cq(d->cq);
	d->done = 1;
	return NULL;
}

/* (e) */
static void check_teardown(struct res *r)
{
	struct destroyer d = { .cq = r->cq_a };
	pthread_t t;
	int err;

	err = ibv_destroy_comp_channel(r->ch);
	CHECK(err == EBUSY, "destroy_channel_in_use_ebusy", "returned %d",
	      err);
	ibv_destroy_qp(r->a);
	ibv_destroy_qp(r->b);
	ibv_ack_cq_events(r->cq_b, r->ev_b);
	CHECK(ibv_destroy_cq(r->cq_b) == 0, "destroy_acked_cq", "failed");

	step("destroy_cq_waits_for_ack");
	pthread_create(&t, NULL, destroy_thread, &d);
	sleep_ms(200);
	CHECK(r->ev_a == 0 || !d.done, "destroy_cq_waits_for_ack",
	      "returned with %u events unacked", r->ev_a);
	ibv_ack_cq_events(r->cq_a, r->ev_a);
	pthread_join(t, NULL);
	alarm(0);
	CHECK(d.done && !d.err, "destroy_cq_after_ack", "error %d", d.err);
	err = ibv_destroy_comp_channel(r->ch);
	CHECK(!err, "destroy_channel_unused", "returned %d", err);
}

int main(void)
{
	struct res r = { 0 };
	int rc;

	signal(SIGALRM, on_alarm);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (setup(&r))
		return t_summary();
	check_next(&r);
	check_solicited(&r);
	check_loop(&r);
	check_error_event(&r);
	check_teardown(&r);

	ibv_dereg_mr(r.mr_a);
	ibv_dereg_mr(r.mr_b);
	ibv_dealloc_pd(r.pd);
	ibv_close_device(r.ctx);
	rc = t_summary();
	free(r.buf_a);
	free(r.buf_b);
	return rc;
}
