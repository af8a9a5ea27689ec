// SPDX-License-Identifier: Apache-2.0
/*
 * Unit tests of async.c without a router: a thread on the other end of a
 * SEQPACKET socketpair answers FF_OP_GET_ASYNC_EVENT from a script, and a
 * semaphore eventfd plays the router's async_fd.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ffl.h"
#include "test_util.h"

static struct ffl_context fctx;
static struct ffl_qp qp1, qp2;
static struct ffl_cq cq1;
static int router_sock;

/* what the fake router answers, in order */
static struct ff_async_event script[8];
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

static void raise_event(uint32_t type, uint32_t element, uint32_t handle)
{
	uint64_t one = 1;

	script[script_len++] = (struct ff_async_event){ type, element, handle,
							0 };
	if (write(fctx.vctx.context.async_fd, &one, sizeof(one)) != sizeof(one))
		CHECK(0, "raise", "write: %s", strerror(errno));
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
	fcntl(ctx->async_fd, F_SETFL, O_NONBLOCK);
	r = ibv_get_async_event(ctx, &ev);
	CHECK(r == -1 && errno == EAGAIN, "nonblocking_get_eagain", "%d %s",
	      r, strerror(errno));
	fcntl(ctx->async_fd, F_SETFL, 0);

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
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return 1;
	ctx->cmd_fd = sv[0];
	router_sock = sv[1];
	pthread_mutex_init(&fctx.cmd_lock, NULL);
	ffl_async_init(&fctx, eventfd(0, EFD_SEMAPHORE | EFD_CLOEXEC));
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

	shutdown(sv[0], SHUT_RDWR);
	pthread_join(t, NULL);
	return t_summary();
}
