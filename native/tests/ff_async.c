// SPDX-License-Identifier: Apache-2.0
/*
 * ff_async: asynchronous events through a real router.  Two contexts of
 * one process (each its own async_fd): A's QPs are requesters, B's the
 * responders, on the same LID.  Linked against the system libibverbs, run
 * with the FFL via LD_LIBRARY_PATH and FREEFLOW_SOCKET.
 *
 *  (a) nothing pending: async_fd not readable, non-blocking get -> EAGAIN;
 *      async_fd is the reading end of the router's pipe (ABI v8),
 *      blocking, not writable
 *  (b) first WRITE to a QP in RTR     -> COMM_EST on it, once
 *  (c) WRITE with a wrong rkey        -> requester: REM_ACCESS_ERR
 *      completion, no event; responder: QP_ACCESS_ERR, which wakes a
 *      blocked ibv_get_async_event
 *  (d) ibv_destroy_qp waits until that event is acked
 *  (e) the app's own modify to ERR    -> no event on either side
 *  (f) an unread event of a destroyed QP is dropped: destroy does not
 *      wait for it and async_fd is no longer readable
 *  (g) RTS -> SQD with en_sqd_async_notify: the WRITE posted before it
 *      completes, then SQ_DRAINED; sq_draining reads 0; RTS again works
 *  (h) with --port only: prints "READY port_down" and waits (60 s) while
 *      the caller takes the container's port down (./freeflow lab port):
 *      PORT_ERR on both contexts, ibv_query_port DOWN, a WRITE fails with
 *      RETRY_EXC_ERR; prints "READY port_up" and waits for the port to come
 *      back: PORT_ACTIVE on both, ACTIVE again, a WRITE completes
 *
 * One line per check, "PASS name" or "FAIL name: why", then
 * "N passed, N failed"; exit 0 only if everything passed.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <infiniband/verbs.h>

#include "test_util.h"
#include "verbs_test_util.h"

#define BUF	4096
#define ACCESS	(IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE)
#define TIMEOUT_MS 5000
#define QUIET_MS 200	/* a wait that must not end; never a pass condition */
#define PORT_WAIT_MS 60000	/* for the operator (the IT) to flip the port */

static uint16_t lid;

static void set_nonblock(int fd, bool on)
{
	int fl = fcntl(fd, F_GETFL);

	fcntl(fd, F_SETFL, on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK);
}

/* Nothing pending on @ctx: not readable, a non-blocking get -> EAGAIN. */
static void check_quiet(struct ibv_context *ctx, const char *name,
			int wait_ms)
{
	struct ibv_async_event ev;
	int r;

	CHECK(!readable(ctx->async_fd, wait_ms), name, "async_fd readable");
	set_nonblock(ctx->async_fd, true);
	r = ibv_get_async_event(ctx, &ev);
	CHECK(r == -1 && errno == EAGAIN, name,
	      "non-blocking get: %d (%s), event %d", r, strerror(errno),
	      r == 0 ? (int)ev.event_type : -1);
	if (r == 0)
		ibv_ack_async_event(&ev);
	set_nonblock(ctx->async_fd, false);
}

/* (a): async_fd as ABI v8 makes it */
static void check_pipe_end(int fd)
{
	struct stat st;
	int fl = fcntl(fd, F_GETFL);

	CHECK(fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode) &&
	      (fl & O_ACCMODE) == O_RDONLY && !(fl & O_NONBLOCK),
	      "async_fd_is_blocking_pipe_read_end", "mode %o flags %#x",
	      (unsigned int)st.st_mode, fl);
	errno = 0;
	CHECK(write(fd, "x", 1) == -1 && errno == EBADF,
	      "async_fd_not_writable", "write: %s", strerror(errno));
}

/* A WRITE of 64 bytes from A to B's buffer with @rkey; its status. */
static int write_to(struct side *a, struct ibv_qp *qp, struct side *b,
		    uint32_t rkey)
{
	struct ibv_sge sg = { .addr = (uintptr_t)a->buf, .length = 64,
			      .lkey = a->mr->lkey };
	struct ibv_send_wr wr = {
		.wr_id = 7, .sg_list = &sg, .num_sge = 1,
		.opcode = IBV_WR_RDMA_WRITE, .send_flags = IBV_SEND_SIGNALED,
		.wr.rdma = { .remote_addr = (uintptr_t)b->buf, .rkey = rkey },
	}, *bad;
	struct ibv_wc wc;

	if (ibv_post_send(qp, &wr, &bad))
		return -1;
	if (poll_one(a->cq, &wc, TIMEOUT_MS) != 1)
		return -2;
	return wc.status;
}

struct getter {
	struct ibv_context *ctx;
	struct ibv_async_event ev;
	int ret, err;
	volatile bool done;
};

static void *get_thread(void *arg)
{
	struct getter *g = arg;

	g->ret = ibv_get_async_event(g->ctx, &g->ev);
	g->err = errno;
	g->done = true;
	return NULL;
}

struct destroyer {
	struct ibv_qp *qp;
	int ret;
	volatile bool done;
};

static void *destroy_thread(void *arg)
{
	struct destroyer *d = arg;

	d->ret = ibv_destroy_qp(d->qp);
	d->done = true;
	return NULL;
}

/* (b) .. (d) */
static void check_comm_est_and_access_error(struct side *a, struct side *b)
{
	struct ibv_qp *qa = make_rc_qp(a->pd, a->cq);
	struct ibv_qp *qb = make_rc_qp(b->pd, b->cq);
	struct ibv_async_event ev;
	struct destroyer d = { 0 };
	struct getter g = { .ctx = b->ctx };
	pthread_t t;
	int st;

	if (!CHECK(qa && qb, "pair", "ibv_create_qp: %s", strerror(errno)))
		return;
	if (!CHECK(!to_rts(qa, qb->qp_num, lid) && !to_rtr(qb, qa->qp_num, lid),
		   "pair", "modify: %s", strerror(errno)))
		return;

	st = write_to(a, qa, b, b->mr->rkey);
	CHECK(st == IBV_WC_SUCCESS, "write_to_rtr_completes", "status %d",
	      st);
	CHECK(readable(b->ctx->async_fd, TIMEOUT_MS), "comm_est_pollable",
	      "async_fd of the responder not readable");
	memset(&ev, 0, sizeof(ev));
	CHECK(ibv_get_async_event(b->ctx, &ev) == 0 &&
	      ev.event_type == IBV_EVENT_COMM_EST && ev.element.qp == qb,
	      "comm_est_on_responder_qp", "type %d qp %p (want %d, %p)",
	      (int)ev.event_type, (void *)ev.element.qp, IBV_EVENT_COMM_EST,
	      (void *)qb);
	ibv_ack_async_event(&ev);
	st = write_to(a, qa, b, b->mr->rkey);
	CHECK(st == IBV_WC_SUCCESS, "second_write_completes", "status %d", st);
	check_quiet(b->ctx, "comm_est_only_once", 0);
	check_quiet(a->ctx, "no_comm_est_on_requester", 0);
	CHECK(!rtr_to_rts(qb), "responder_to_rts", "%s", strerror(errno));

	/* a blocking get waits for the access error */
	pthread_create(&t, NULL, get_thread, &g);
	usleep(QUIET_MS * 1000);
	CHECK(!g.done, "get_blocks_while_none_pending", "returned %d (%s)",
	      g.ret, strerror(g.err));
	st = write_to(a, qa, b, b->mr->rkey + 1);
	CHECK(st == IBV_WC_REM_ACCESS_ERR, "wrong_rkey_rem_access_err",
	      "status %d", st);
	pthread_join(t, NULL);
	CHECK(g.ret == 0 && g.ev.event_type == IBV_EVENT_QP_ACCESS_ERR &&
	      g.ev.element.qp == qb, "qp_access_err_on_responder",
	      "ret %d type %d qp %p (want %d, %p)", g.ret,
	      (int)g.ev.event_type, (void *)g.ev.element.qp,
	      IBV_EVENT_QP_ACCESS_ERR, (void *)qb);
	check_quiet(b->ctx, "responder_one_event", 0);
	check_quiet(a->ctx, "requester_learns_by_completion_only", 0);

	/* destroy waits for the ack of the event it returned */
	d.qp = qb;
	pthread_create(&t, NULL, destroy_thread, &d);
	usleep(QUIET_MS * 1000);
	CHECK(!d.done, "destroy_waits_for_ack", "destroy returned %d", d.ret);
	if (g.ret == 0)
		ibv_ack_async_event(&g.ev);
	pthread_join(t, NULL);
	CHECK(d.ret == 0, "destroy_after_ack", "%s", strerror(d.ret));
	ibv_destroy_qp(qa);
}

/* (e) */
static void check_app_error_is_silent(struct side *a, struct side *b)
{
	struct ibv_qp *qa = make_rc_qp(a->pd, a->cq);
	struct ibv_qp *qb = make_rc_qp(b->pd, b->cq);
	struct ibv_qp_attr attr = { .qp_state = IBV_QPS_ERR };
	int st;

	if (!CHECK(qa && qb && !to_rts(qa, qb->qp_num, lid) &&
		   !to_rts(qb, qa->qp_num, lid), "pair2", "%s",
		   strerror(errno)))
		return;
	st = write_to(a, qa, b, b->mr->rkey);
	CHECK(st == IBV_WC_SUCCESS, "write_to_rts_completes", "status %d", st);
	CHECK(!ibv_modify_qp(qa, &attr, IBV_QP_STATE) &&
	      !ibv_modify_qp(qb, &attr, IBV_QP_STATE), "app_modify_to_err",
	      "%s", strerror(errno));
	check_quiet(a->ctx, "app_err_no_event_requester", QUIET_MS);
	check_quiet(b->ctx, "app_err_no_event_responder_no_comm_est_in_rts",
		    0);
	CHECK(!ibv_destroy_qp(qa) && !ibv_destroy_qp(qb), "destroy_pair2",
	      "%s", strerror(errno));
}

/* (f) */
static void check_unread_event_dropped(struct side *a, struct side *b)
{
	struct ibv_qp *qa = make_rc_qp(a->pd, a->cq);
	struct ibv_qp *qb = make_rc_qp(b->pd, b->cq);
	int st;

	if (!CHECK(qa && qb && !to_rts(qa, qb->qp_num, lid) &&
		   !to_rts(qb, qa->qp_num, lid), "pair3", "%s",
		   strerror(errno)))
		return;
	st = write_to(a, qa, b, b->mr->rkey ^ 0x100);
	CHECK(st == IBV_WC_REM_ACCESS_ERR, "pair3_access_err", "status %d",
	      st);
	CHECK(readable(b->ctx->async_fd, TIMEOUT_MS), "unread_event_pending",
	      "async_fd not readable");
	CHECK(ibv_destroy_qp(qb) == 0, "destroy_with_unread_event", "%s",
	      strerror(errno));
	check_quiet(b->ctx, "unread_event_dropped_with_its_qp", 0);
	ibv_destroy_qp(qa);
}

/* The next event of @ctx within @ms: 0 and *ev (to ack), or -1. */
static int next_event(struct ibv_context *ctx, int ms,
		      struct ibv_async_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	if (!readable(ctx->async_fd, ms))
		return -1;
	return ibv_get_async_event(ctx, ev);
}

/* (g) */
static void check_sq_drained(struct side *a, struct side *b)
{
	struct ibv_qp *qa = make_rc_qp(a->pd, a->cq);
	struct ibv_qp *qb = make_rc_qp(b->pd, b->cq);
	struct ibv_qp_attr attr = { .qp_state = IBV_QPS_SQD,
				    .en_sqd_async_notify = 1 };
	struct ibv_qp_init_attr init;
	struct ibv_sge sg = { .addr = (uintptr_t)a->buf, .length = 64,
			      .lkey = a->mr->lkey };
	struct ibv_send_wr wr = {
		.wr_id = 8, .sg_list = &sg, .num_sge = 1,
		.opcode = IBV_WR_RDMA_WRITE, .send_flags = IBV_SEND_SIGNALED,
		.wr.rdma = { .remote_addr = (uintptr_t)b->buf,
			     .rkey = b->mr->rkey },
	}, *bad;
	struct ibv_async_event ev;
	struct ibv_wc wc;
	int st, r;

	if (!CHECK(qa && qb && !to_rts(qa, qb->qp_num, lid) &&
		   !to_rts(qb, qa->qp_num, lid), "pair4", "%s",
		   strerror(errno)))
		return;
	CHECK(!ibv_post_send(qa, &wr, &bad) &&
	      !ibv_modify_qp(qa, &attr, IBV_QP_STATE |
					IBV_QP_EN_SQD_ASYNC_NOTIFY),
	      "post_then_sqd", "%s", strerror(errno));
	CHECK(poll_one(a->cq, &wc, TIMEOUT_MS) == 1 && wc.wr_id == 8 &&
	      wc.status == IBV_WC_SUCCESS, "sqd_completes_what_was_posted",
	      "status %d", (int)wc.status);
	r = next_event(a->ctx, TIMEOUT_MS, &ev);
	CHECK(r == 0 && ev.event_type == IBV_EVENT_SQ_DRAINED &&
	      ev.element.qp == qa,
	      "sq_drained_on_the_qp", "type %d qp %p (want %d, %p)",
	      (int)ev.event_type, (void *)ev.element.qp,
	      IBV_EVENT_SQ_DRAINED, (void *)qa);
	if (r == 0)
		ibv_ack_async_event(&ev);
	memset(&attr, 0xff, sizeof(attr));
	CHECK(!ibv_query_qp(qa, &attr, IBV_QP_STATE, &init) &&
	      attr.qp_state == IBV_QPS_SQD && attr.sq_draining == 0,
	      "query_sqd_drained", "state %d sq_draining %d",
	      (int)attr.qp_state, attr.sq_draining);
	check_quiet(a->ctx, "sq_drained_once", 0);
	attr.qp_state = IBV_QPS_RTS;
	CHECK(!ibv_modify_qp(qa, &attr, IBV_QP_STATE), "sqd_to_rts", "%s",
	      strerror(errno));
	st = write_to(a, qa, b, b->mr->rkey);
	CHECK(st == IBV_WC_SUCCESS, "write_after_sqd", "status %d", st);
	CHECK(!ibv_destroy_qp(qa) && !ibv_destroy_qp(qb), "destroy_pair4",
	      "%s", strerror(errno));
}

/* One port event of type @type on @ctx within @ms. */
static bool port_event(struct ibv_context *ctx, enum ibv_event_type type,
		       int ms, const char *name)
{
	struct ibv_async_event ev;
	int r = next_event(ctx, ms, &ev);
	bool ok;

	ok = CHECK(r == 0 && ev.event_type == type &&
		   ev.element.port_num == 1, name,
		   "get %d, type %d port %d (want %d, port 1)", r,
		   (int)ev.event_type, ev.element.port_num, (int)type);
	if (r == 0)
		ibv_ack_async_event(&ev);
	return ok;
}

/* A fresh connected pair of A and B; a WRITE between them; its status. */
static int write_on_new_pair(struct side *a, struct side *b)
{
	struct ibv_qp *qa = make_rc_qp(a->pd, a->cq);
	struct ibv_qp *qb = make_rc_qp(b->pd, b->cq);
	int st = -3;

	if (qa && qb && !to_rts(qa, qb->qp_num, lid) &&
	    !to_rts(qb, qa->qp_num, lid))
		st = write_to(a, qa, b, b->mr->rkey);
	if (qa)
		ibv_destroy_qp(qa);
	if (qb)
		ibv_destroy_qp(qb);
	return st;
}

/*
 * Half of (h): "READY port_<dir>", then, once the caller has flipped the
 * port, @event on both contexts, the port in @state and a WRITE ending with
 * @status.  False if the event did not come.
 */
static bool port_flipped(struct side *a, struct side *b, const char *dir,
			 enum ibv_event_type event, enum ibv_port_state state,
			 int status)
{
	char name[2][64];
	struct ibv_port_attr pa = { .state = IBV_PORT_NOP };
	int st;

	printf("READY port_%s\n", dir);
	fflush(stdout);
	snprintf(name[0], sizeof(name[0]), "port_%s_event_on_every_context",
		 dir);
	snprintf(name[1], sizeof(name[1]), "port_%s_event_on_the_other_one",
		 dir);
	if (!port_event(a->ctx, event, PORT_WAIT_MS, name[0]) ||
	    !port_event(b->ctx, event, TIMEOUT_MS, name[1]))
		return false;
	snprintf(name[0], sizeof(name[0]), "query_port_%s", dir);
	CHECK(!ibv_query_port(a->ctx, 1, &pa) && pa.state == state, name[0],
	      "state %d (want %d)", (int)pa.state, (int)state);
	snprintf(name[0], sizeof(name[0]), "write_while_port_%s", dir);
	st = write_on_new_pair(a, b);
	CHECK(st == status, name[0], "status %d (want %d)", st, status);
	return true;
}

/* (h) */
static void check_port_down_and_up(struct side *a, struct side *b)
{
	if (port_flipped(a, b, "down", IBV_EVENT_PORT_ERR, IBV_PORT_DOWN,
			 IBV_WC_RETRY_EXC_ERR))
		port_flipped(a, b, "up", IBV_EVENT_PORT_ACTIVE, IBV_PORT_ACTIVE,
			     IBV_WC_SUCCESS);
}

int main(int argc, char **argv)
{
	struct side a = { 0 }, b = { 0 };
	bool port = argc > 1 && !strcmp(argv[1], "--port");

	if (open_side(&a, &lid, BUF, ACCESS) ||
	    open_side(&b, &lid, BUF, ACCESS))
		return t_summary();
	check_pipe_end(a.ctx->async_fd);
	check_quiet(a.ctx, "quiet_at_open_a", 0);
	check_quiet(b.ctx, "quiet_at_open_b", 0);
	check_comm_est_and_access_error(&a, &b);
	check_app_error_is_silent(&a, &b);
	check_unread_event_dropped(&a, &b);
	check_sq_drained(&a, &b);
	if (port)
		check_port_down_and_up(&a, &b);
	CHECK(close_side(&a) && close_side(&b), "close", "%s",
	      strerror(errno));
	return t_summary();
}
