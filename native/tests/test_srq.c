// SPDX-License-Identifier: Apache-2.0
/*
 * Unit tests of the FFL's side of shared receive queues without a router:
 * ibv_post_srq_recv on router-style ring memory (the test plays the
 * router), ibv_post_recv refused on a QP with an SRQ, and
 * IBV_EVENT_SRQ_LIMIT_REACHED handed to the app as its ibv_srq.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ring_test_util.h"
#include "test_util.h"

#define SRQ_SLOTS	4

static struct ffl_context fctx;
static int router_sock;
static int async_w;	/* the router's end of the async pipe */

static void make_srq(struct ffl_srq *srq)
{
	size_t slot = sizeof(struct ff_recv_wqe) + 2 * sizeof(struct ff_sge);
	struct ff_srq_shm *h;

	memset(srq, 0, sizeof(*srq));
	srq->shm_size = FF_SHM_HDR_SIZE + SRQ_SLOTS * slot;
	h = shm_alloc(srq->shm_size);
	h->slots = SRQ_SLOTS;
	h->slot_size = (uint32_t)slot;
	h->offset = FF_SHM_HDR_SIZE;
	srq->shm = h;
	srq->max_sge = 2;
	srq->bell = bell;
	pthread_spin_init(&srq->lock, PTHREAD_PROCESS_PRIVATE);
	if (ffl_ring_attach(&srq->rq, h, srq->shm_size, &h->rq, h->offset,
			    h->slots, h->slot_size, slot, true))
		exit(2);
	srq->ibsrq.context = &fctx.vctx.context;
	pthread_mutex_init(&srq->ibsrq.mutex, NULL);
	pthread_cond_init(&srq->ibsrq.cond, NULL);
}

static void test_post(void)
{
	struct ibv_sge sge[3] = { { 0x1000, 64, 7 }, { 0x2000, 32, 7 },
				  { 0x3000, 16, 7 } };
	struct ibv_recv_wr wr[5], *bad = NULL;
	const struct ff_recv_wqe *wqe;
	struct ffl_srq srq;
	int i, r;

	make_srq(&srq);
	for (i = 0; i < 5; i++)
		wr[i] = (struct ibv_recv_wr){ .wr_id = 100 + i,
					      .next = i < 4 ? &wr[i + 1] : NULL,
					      .sg_list = sge,
					      .num_sge = 2 };
	r = ibv_post_srq_recv(&srq.ibsrq, &wr[3], &bad);
	wqe = (const void *)((uint8_t *)srq.shm + srq.shm->offset);
	CHECK(r == 0 && srq.shm->rq.prod == 2 && wqe->wr_id == 103 &&
	      wqe->num_sge == 2 &&
	      ((const struct ff_sge *)(wqe + 1))[1].addr == 0x2000,
	      "post_writes_wqes_and_publishes", "r %d prod %u", r,
	      srq.shm->rq.prod);
	wr[1].num_sge = 3;
	r = ibv_post_srq_recv(&srq.ibsrq, &wr[0], &bad);
	CHECK(r == EINVAL && bad == &wr[1] && srq.shm->rq.prod == 3,
	      "too_many_sges_einval_at_bad_wr", "r %d prod %u", r,
	      srq.shm->rq.prod);
	wr[1].num_sge = 2;
	r = ibv_post_srq_recv(&srq.ibsrq, &wr[1], &bad);
	CHECK(r == ENOMEM && bad == &wr[2] && srq.shm->rq.prod == 4,
	      "full_srq_enomem", "r %d prod %u", r, srq.shm->rq.prod);
	srq.shm->rq.cons = 4;	/* the router took them all */
	r = ibv_post_srq_recv(&srq.ibsrq, &wr[4], &bad);
	CHECK(r == 0 && srq.shm->rq.prod == 5, "room_again_after_consume",
	      "r %d", r);
}

static void test_post_recv_on_srq_qp(void)
{
	struct ibv_recv_wr wr = { .wr_id = 1 }, *bad = NULL;
	struct ffl_srq srq;
	struct ffl_qp qp;

	make_srq(&srq);
	make_qp(&qp, IBV_QPT_RC, 0, SQ_SLOTS);
	qp.ibqpx.qp_base.srq = &srq.ibsrq;
	qp.ibqpx.qp_base.context = &fctx.vctx.context;
	CHECK(ibv_post_recv(&qp.ibqpx.qp_base, &wr, &bad) == EINVAL &&
	      bad == &wr, "post_recv_on_srq_qp_einval", "accepted");
}

static void *fake_router(void *arg)
{
	struct {
		struct ff_hdr hdr;
		struct ff_async_event ev;
	} msg;

	(void)arg;
	while (recv(router_sock, &msg, sizeof(msg), 0) > 0) {
		msg.hdr.status = 0;
		msg.hdr.len = sizeof(msg.ev);
		msg.ev = (struct ff_async_event){ IBV_EVENT_SRQ_LIMIT_REACHED,
						  FF_ASYNC_SRQ, 9, 0 };
		send(router_sock, &msg, sizeof(msg), 0);
	}
	return NULL;
}

static void test_limit_event(void)
{
	struct ibv_context *ctx = &fctx.vctx.context;
	struct ibv_async_event ev;
	struct ffl_srq srq;
	int r;

	make_srq(&srq);
	srq.ibsrq.handle = 9;
	ffl_async_add(&fctx, &fctx.srqs, &srq.ctx_node);
	if (write(async_w, "", 1) != 1)	/* one byte per event */
		exit(2);
	r = ibv_get_async_event(ctx, &ev);
	CHECK(r == 0 && ev.event_type == IBV_EVENT_SRQ_LIMIT_REACHED &&
	      ev.element.srq == &srq.ibsrq && srq.async_events == 1,
	      "limit_event_names_the_srq", "r %d type %d", r,
	      (int)ev.event_type);
	ibv_ack_async_event(&ev);
	CHECK(srq.ibsrq.events_completed == 1, "ack_counts_on_the_srq", "%u",
	      srq.ibsrq.events_completed);
	ffl_async_del(&fctx, &srq.ctx_node, 0);
	ffl_srq_wait_acks(&srq);
	CHECK(1, "destroy_returns_when_acked", "-");
}

int main(void)
{
	struct ibv_context *ctx = &fctx.vctx.context;
	pthread_t t;
	int sv[2], p[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return 1;
	ctx->cmd_fd = sv[0];
	ctx->ops = ffl_ctx_ops;
	router_sock = sv[1];
	pthread_mutex_init(&fctx.cmd_lock, NULL);
	if (pipe2(p, O_CLOEXEC))
		return 1;
	async_w = p[1];
	ffl_async_init(&fctx, p[0]);
	pthread_create(&t, NULL, fake_router, NULL);

	test_post();
	test_post_recv_on_srq_qp();
	test_limit_event();

	shutdown(sv[0], SHUT_RDWR);
	pthread_join(t, NULL);
	return t_summary();
}
