// SPDX-License-Identifier: Apache-2.0
/*
 * Unit tests of async.c without a router: a thread on the other end of a
 * SEQPACKET socketpair answers FF_OP_GET_ASYNC_EVENT from a script, and a
 * pipe plays the router's async pipe (ABI v8): the FFL has the reading
 * end as async_fd, the test writes one byte per event it queues.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ffl.h"
#include "test_util.h"

static struct ffl_context fctx;
static struct ffl_qp qp1, qp2;
static struct ffl_cq cq1;
static int router_sock;
static int async_w;	/* the router's writing end of the async pipe */

/* what the fake router answers, in order */
static struct ff_async_event script[64];
static int script_len;

static void *fake_router(void *arg)
{
	struct {
		struct ff_hdr hdr;
		struct ff_async_event ev;
	} msg;
	int i = 0;

	(void)arg;
	while (recv(router_sock, &msg, sizeof(msg), 0) >= (ssize_t)sizeof(msg.hdr)) {
		msg.hdr.status = i < script_len ? 0 : EAGAIN;
		msg.hdr.len = i < script_len ? sizeof(msg.ev) : 0;
		if (i < script_len)
			msg.ev = script[i++];
		send(router_sock, &msg, sizeof(msg.hdr) + msg.hdr.len, 0);
	}
	return NULL;
}

static bool readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) == 1;
}

static void write_byte(void)
{
	if (write(async_w, "", 1) != 1)
		CHECK(0, "raise", "write: %s", strerror(errno));
}

/* The router queues an event, then writes its byte. */
static void raise_event(uint32_t type, uint32_t element, uint32_t handle)
{
	script[script_len++] = (struct ff_async_event){ type, element, handle,
							0 };
	write_byte();
}

static void set_nonblock(int fd, bool on)
{
	int fl = fcntl(fd, F_GETFL);

	fcntl(fd, F_SETFL, on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK);
}

static void init_qp(struct ffl_qp *qp, uint32_t handle)
{
	struct ibv_qp *ibqp = &qp->ibqpx.qp_base;

	ibqp->handle = handle;
	ibqp->context = &fctx.vctx.context;
	pthread_mutex_init(&ibqp->mutex, NULL);
	pthread_cond_init(&ibqp->cond, NULL);
	ffl_async_add(&fctx, &fctx.qps, &qp->ctx_node);
}

static void *waiter(void *arg)
{
	ffl_qp_wait_acks(arg);
	return NULL;
}

static void test_delivery(void)
{
	struct ibv_context *ctx = &fctx.vctx.context;
	struct ibv_async_event ev;
	int r;

	CHECK(!readable(ctx->async_fd), "quiet_fd_not_readable", "readable");
	set_nonblock(ctx->async_fd, true);
	r = ibv_get_async_event(ctx, &ev);
	CHECK(r == -1 && errno == EAGAIN &&
		      (fcntl(ctx->async_fd, F_GETFL) & O_NONBLOCK),
	      "nonblocking_get_eagain", "%d %s", r, strerror(errno));
	set_nonblock(ctx->async_fd, false);

	raise_event(IBV_EVENT_COMM_EST, FF_ASYNC_QP, 2);
	raise_event(IBV_EVENT_CQ_ERR, FF_ASYNC_CQ, 5);
	raise_event(IBV_EVENT_PORT_ACTIVE, FF_ASYNC_PORT, 1);
	CHECK(readable(ctx->async_fd), "pending_fd_readable", "not readable");
	r = ibv_get_async_event(ctx, &ev);
	CHECK(r == 0 && ev.event_type == IBV_EVENT_COMM_EST &&
	      ev.element.qp == &qp2.ibqpx.qp_base, "qp_event_names_the_qp",
	      "r %d type %d", r, (int)ev.event_type);
	ibv_ack_async_event(&ev);
	CHECK(qp2.ibqpx.qp_base.events_completed == 1 && qp2.async_events == 1,
	      "ack_counts_on_the_qp", "%u/%u",
	      qp2.ibqpx.qp_base.events_completed, qp2.async_events);
	r = ibv_get_async_event(ctx, &ev);
	CHECK(r == 0 && ev.event_type == IBV_EVENT_CQ_ERR &&
	      ev.element.cq == &cq1.ibcq && cq1.async_events == 1,
	      "cq_event_names_the_cq", "r %d", r);
	ibv_ack_async_event(&ev);
	CHECK(cq1.ibcq.async_events_completed == 1, "ack_counts_on_the_cq",
	      "%u", cq1.ibcq.async_events_completed);
	r = ibv_get_async_event(ctx, &ev);
	CHECK(r == 0 && ev.element.port_num == 1, "port_event_names_the_port",
	      "r %d port %d", r, ev.element.port_num);
	ibv_ack_async_event(&ev);
	CHECK(!readable(ctx->async_fd), "all_taken_fd_not_readable",
	      "readable");
}

static void test_destroy_waits_and_drops(void)
{
	struct ibv_context *ctx = &fctx.vctx.context;
	struct ibv_async_event ev;
	pthread_t t;
	int r;

	raise_event(IBV_EVENT_QP_ACCESS_ERR, FF_ASYNC_QP, 1);
	r = ibv_get_async_event(ctx, &ev);
	CHECK(r == 0 && ev.element.qp == &qp1.ibqpx.qp_base, "got_qp1_event",
	      "r %d", r);
	/* the router dropped two unread events of qp1 at its destroy */
	raise_event(IBV_EVENT_COMM_EST, FF_ASYNC_QP, 1);
	raise_event(IBV_EVENT_QP_FATAL, FF_ASYNC_QP, 1);
	script_len -= 2;
	ffl_async_del(&fctx, &qp1.ctx_node, 2);
	CHECK(!readable(ctx->async_fd), "dropped_counts_taken_off_fd",
	      "readable");
	pthread_create(&t, NULL, waiter, &qp1);
	usleep(100000);
	CHECK(pthread_tryjoin_np(t, NULL) == EBUSY, "destroy_waits_for_ack",
	      "returned before the ack");
	ibv_ack_async_event(&ev);
	pthread_join(t, NULL);
	CHECK(1, "destroy_returns_after_ack", "-");
}

static void *getter(void *arg)
{
	static struct ibv_async_event ev;

	(void)arg;
	if (ibv_get_async_event(&fctx.vctx.context, &ev))
		return NULL;
	return &ev;
}

/*
 * A destroy dropped an event whose byte a get in another thread has
 * already read (that get's FF_OP_GET_ASYNC_EVENT finds the queue empty):
 * the byte counts against the drop, which then takes none, and the next
 * event still wakes the getter.  Whichever comes first.
 */
static void test_dropped_byte_read_by_getter(void)
{
	struct ibv_context *ctx = &fctx.vctx.context;
	struct ibv_async_event *got;
	pthread_t t;

	for (int order = 0; order < 2; order++) {
		pthread_create(&t, NULL, getter, NULL);
		usleep(50000);
		if (order)	/* the destroy's reply first */
			ffl_async_del(&fctx, &qp1.ctx_node, 1);
		write_byte();	/* an event of qp1, dropped meanwhile */
		usleep(50000);
		if (!order)
			ffl_async_del(&fctx, &qp1.ctx_node, 1);
		usleep(50000);
		CHECK(pthread_tryjoin_np(t, NULL) == EBUSY,
		      order ? "drop_then_byte_getter_waits" :
			      "byte_then_drop_getter_waits",
		      "the getter returned");
		raise_event(IBV_EVENT_COMM_EST, FF_ASYNC_QP, 2);
		pthread_join(t, (void **)&got);
		CHECK(got && got->element.qp == &qp2.ibqpx.qp_base &&
			      !readable(ctx->async_fd) && fctx.async.owed == 0,
		      order ? "drop_then_byte_next_event_wakes" :
			      "byte_then_drop_next_event_wakes",
		      "got %p, readable %d, owed %d", (void *)got,
		      readable(ctx->async_fd), fctx.async.owed);
		if (got)
			ibv_ack_async_event(got);
		ffl_async_add(&fctx, &fctx.qps, &qp1.ctx_node);
	}
}

/* A dropped event's byte that is not there yet is taken when it comes. */
static void test_dropped_byte_late(void)
{
	struct ibv_context *ctx = &fctx.vctx.context;
	struct ibv_async_event ev;
	int r;

	ffl_async_del(&fctx, &qp1.ctx_node, 1);
	CHECK(fctx.async.owed == 1, "missing_byte_owed", "owed %d",
	      fctx.async.owed);
	write_byte();
	set_nonblock(ctx->async_fd, true);
	r = ibv_get_async_event(ctx, &ev);
	CHECK(r == -1 && errno == EAGAIN && !readable(ctx->async_fd) &&
		      fctx.async.owed == 0,
	      "owed_byte_taken_before_waiting", "r %d errno %d owed %d", r,
	      errno, fctx.async.owed);
	set_nonblock(ctx->async_fd, false);
	ffl_async_add(&fctx, &fctx.qps, &qp1.ctx_node);
}

/* An event whose type does not go with its element is not handed out. */
static void test_mismatched_type_skipped(void)
{
	struct ibv_context *ctx = &fctx.vctx.context;
	struct ibv_async_event ev;
	int r;

	raise_event(IBV_EVENT_CQ_ERR, FF_ASYNC_QP, 2);
	raise_event(IBV_EVENT_COMM_EST, FF_ASYNC_CQ, 5);
	raise_event(IBV_EVENT_CQ_ERR, FF_ASYNC_CQ, 5);
	r = ibv_get_async_event(ctx, &ev);
	CHECK(r == 0 && ev.event_type == IBV_EVENT_CQ_ERR &&
		      ev.element.cq == &cq1.ibcq && !readable(ctx->async_fd),
	      "type_and_element_must_agree", "r %d type %d", r,
	      (int)ev.event_type);
	if (r == 0)
		ibv_ack_async_event(&ev);
}

static void test_unknown_handle_skipped(void)
{
	struct ibv_context *ctx = &fctx.vctx.context;
	struct ibv_async_event ev;
	int r;

	raise_event(IBV_EVENT_QP_FATAL, FF_ASYNC_QP, 99);
	raise_event(IBV_EVENT_QP_REQ_ERR, FF_ASYNC_QP, 2);
	r = ibv_get_async_event(ctx, &ev);
	CHECK(r == 0 && ev.event_type == IBV_EVENT_QP_REQ_ERR &&
	      ev.element.qp == &qp2.ibqpx.qp_base, "unknown_object_skipped",
	      "r %d type %d", r, (int)ev.event_type);
	ibv_ack_async_event(&ev);
}

int main(void)
{
	struct ibv_context *ctx = &fctx.vctx.context;
	pthread_t t;
	int sv[2], p[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return 1;
	ctx->cmd_fd = sv[0];
	router_sock = sv[1];
	pthread_mutex_init(&fctx.cmd_lock, NULL);
	if (pipe2(p, O_CLOEXEC))
		return 1;
	async_w = p[1];
	fcntl(async_w, F_SETFL, O_NONBLOCK);	/* as the router's */
	ffl_async_init(&fctx, p[0]);
	init_qp(&qp1, 1);
	init_qp(&qp2, 2);
	cq1.ibcq.handle = 5;
	pthread_mutex_init(&cq1.ibcq.mutex, NULL);
	pthread_cond_init(&cq1.ibcq.cond, NULL);
	ffl_async_add(&fctx, &fctx.cqs, &cq1.ctx_node);
	pthread_create(&t, NULL, fake_router, NULL);

	test_delivery();
	test_destroy_waits_and_drops();
	test_unknown_handle_skipped();
	test_dropped_byte_read_by_getter();
	test_dropped_byte_late();
	test_mismatched_type_skipped();

	shutdown(sv[0], SHUT_RDWR);
	pthread_join(t, NULL);
	return t_summary();
}
