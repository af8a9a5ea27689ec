// SPDX-License-Identifier: Apache-2.0
/*
 * ff_srq: shared receive queues through a real router.  Two contexts of one
 * process: A's two RC QPs send to B's two RC QPs, which share one SRQ.
 * Linked against the system libibverbs, run with the FFL via
 * LD_LIBRARY_PATH and FREEFLOW_SOCKET.
 *
 *  (a) the device offers SRQs; ibv_post_recv on a QP with an SRQ -> EINVAL
 *  (b) SENDs to both QPs land in the SRQ's receives, in order, with data
 *  (c) srq_limit armed at 3 with 4 posted: the second SEND raises
 *      SRQ_LIMIT_REACHED on the app's ibv_srq, once; the limit reads 0
 *  (d) ibv_destroy_srq while QPs use it -> EBUSY; resize -> EOPNOTSUPP
 *  (e) a QP of the SRQ moved to ERR -> LAST_WQE_REACHED, and the SRQ's
 *      receives are not flushed
 *
 * One line per check, "PASS name" or "FAIL name: why", then
 * "N passed, N failed"; exit 0 only if everything passed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <infiniband/verbs.h>

#include "test_util.h"
#include "verbs_test_util.h"

#define BUF	4096
#define MSG	64
#define TIMEOUT_MS 5000
#define QUIET_MS 200	/* a wait that must not end; never a pass condition */

static uint16_t lid;

static struct ibv_qp *make_srq_qp(struct side *s, struct ibv_srq *srq)
{
	struct ibv_qp_init_attr init = {
		.send_cq = s->cq,
		.recv_cq = s->cq,
		.srq = srq,
		.cap = { .max_send_wr = 16, .max_send_sge = 1 },
		.qp_type = IBV_QPT_RC,
	};

	return ibv_create_qp(s->pd, &init);
}

/* A SEND of MSG bytes of @c from A on @qp; the status of its receive on B. */
static int send_one(struct side *a, struct ibv_qp *qp, struct side *b,
		    char c, struct ibv_wc *rwc)
{
	struct ibv_sge sg = { .addr = (uintptr_t)a->buf, .length = MSG,
			      .lkey = a->mr->lkey };
	struct ibv_send_wr wr = { .wr_id = 1, .sg_list = &sg, .num_sge = 1,
				  .opcode = IBV_WR_SEND,
				  .send_flags = IBV_SEND_SIGNALED }, *bad;
	struct ibv_wc wc;

	memset(a->buf, c, MSG);
	if (ibv_post_send(qp, &wr, &bad))
		return -1;
	if (poll_one(a->cq, &wc, TIMEOUT_MS) != 1 ||
	    wc.status != IBV_WC_SUCCESS)
		return -2;
	if (poll_one(b->cq, rwc, TIMEOUT_MS) != 1)
		return -3;
	return rwc->status;
}

static void check_no_event(struct ibv_context *ctx, const char *name)
{
	CHECK(!readable(ctx->async_fd, QUIET_MS), name, "an event is pending");
}

static void check_srq(struct side *a, struct side *b)
{
	struct ibv_srq_init_attr sia = { .attr = { .max_wr = 8, .max_sge = 1 } };
	struct ibv_qp *qa[2], *qb[2];
	struct ibv_srq_attr sa = { 0 };
	struct ibv_recv_wr rwr = { 0 }, *bad;
	struct ibv_async_event ev;
	struct ibv_device_attr da = { 0 };
	struct ibv_srq *srq;
	struct ibv_wc wc;
	bool got;
	int i, st;

	CHECK(!ibv_query_device(b->ctx, &da) && da.max_srq > 0 &&
	      da.max_srq_wr >= 8 && da.max_srq_sge >= 1, "device_offers_srq",
	      "max_srq %d max_srq_wr %d", da.max_srq, da.max_srq_wr);
	srq = ibv_create_srq(b->pd, &sia);
	if (!CHECK(srq && sia.attr.max_wr >= 8, "create_srq", "%s",
		   strerror(errno)))
		return;
	for (i = 0; i < 2; i++) {
		qa[i] = make_rc_qp(a->pd, a->cq);
		qb[i] = make_srq_qp(b, srq);
		if (!CHECK(qa[i] && qb[i], "create_qps", "%s", strerror(errno)))
			return;
	}
	for (i = 0; i < 2; i++)
		if (!CHECK(!to_rts(qa[i], qb[i]->qp_num, lid) &&
			   !to_rts(qb[i], qa[i]->qp_num, lid), "connect",
			   "%s", strerror(errno)))
			return;
	CHECK(ibv_post_recv(qb[0], &rwr, &bad) == EINVAL,
	      "post_recv_on_srq_qp_einval", "accepted");

	for (i = 0; i < 4; i++)
		post_srq_slot(b, srq, i, MSG);
	sa.srq_limit = 3;
	CHECK(!ibv_modify_srq(srq, &sa, IBV_SRQ_LIMIT), "arm_limit", "%s",
	      strerror(errno));
	CHECK(!ibv_query_srq(srq, &sa) && sa.srq_limit == 3 &&
	      sa.max_wr >= 8, "query_armed_limit", "limit %u max_wr %u",
	      sa.srq_limit, sa.max_wr);

	st = send_one(a, qa[0], b, 'x', &wc);
	CHECK(st == IBV_WC_SUCCESS && wc.qp_num == qb[0]->qp_num &&
	      wc.wr_id == 0 && wc.byte_len == MSG && b->buf[0] == 'x',
	      "send_lands_in_srq_receive", "status %d qp %u wr_id %llu",
	      st, wc.qp_num, (unsigned long long)wc.wr_id);
	check_no_event(b->ctx, "three_left_no_limit_event");
	st = send_one(a, qa[1], b, 'y', &wc);
	CHECK(st == IBV_WC_SUCCESS && wc.qp_num == qb[1]->qp_num &&
	      wc.wr_id == 1 && b->buf[MSG] == 'y',
	      "second_qp_takes_next_srq_receive", "status %d qp %u wr_id %llu",
	      st, wc.qp_num, (unsigned long long)wc.wr_id);
	memset(&ev, 0, sizeof(ev));
	/* the event first: CHECK's message arguments may be read before cond */
	got = readable(b->ctx->async_fd, TIMEOUT_MS) &&
	      ibv_get_async_event(b->ctx, &ev) == 0;
	CHECK(got && ev.event_type == IBV_EVENT_SRQ_LIMIT_REACHED &&
	      ev.element.srq == srq, "srq_limit_reached_on_the_srq",
	      "type %d srq %p (want %p)", (int)ev.event_type,
	      (void *)ev.element.srq, (void *)srq);
	if (ev.event_type == IBV_EVENT_SRQ_LIMIT_REACHED)
		ibv_ack_async_event(&ev);
	CHECK(!ibv_query_srq(srq, &sa) && sa.srq_limit == 0,
	      "limit_disarmed", "limit %u", sa.srq_limit);
	st = send_one(a, qa[0], b, 'z', &wc);
	CHECK(st == IBV_WC_SUCCESS && wc.wr_id == 2, "third_send", "%d", st);
	check_no_event(b->ctx, "limit_event_only_once");

	CHECK(ibv_destroy_srq(srq) == EBUSY, "destroy_srq_in_use_ebusy",
	      "not EBUSY");
	sa.max_wr = 16;
	CHECK(ibv_modify_srq(srq, &sa, IBV_SRQ_MAX_WR) == EOPNOTSUPP,
	      "resize_eopnotsupp", "not EOPNOTSUPP");

	{
		struct ibv_qp_attr qattr = { .qp_state = IBV_QPS_ERR };

		CHECK(!ibv_modify_qp(qb[0], &qattr, IBV_QP_STATE), "qp_to_err",
		      "%s", strerror(errno));
	}
	memset(&ev, 0, sizeof(ev));
	/* the event first: CHECK's message arguments may be read before cond */
	got = readable(b->ctx->async_fd, TIMEOUT_MS) &&
	      ibv_get_async_event(b->ctx, &ev) == 0;
	CHECK(got && ev.event_type == IBV_EVENT_QP_LAST_WQE_REACHED &&
	      ev.element.qp == qb[0], "last_wqe_reached_on_err",
	      "type %d qp %p (want %p)", (int)ev.event_type,
	      (void *)ev.element.qp, (void *)qb[0]);
	if (ev.event_type == IBV_EVENT_QP_LAST_WQE_REACHED)
		ibv_ack_async_event(&ev);
	CHECK(poll_one(b->cq, &wc, QUIET_MS) == 0, "srq_receives_not_flushed",
	      "a completion, status %d", wc.status);
	st = send_one(a, qa[1], b, 'w', &wc);
	CHECK(st == IBV_WC_SUCCESS && wc.wr_id == 3 &&
	      wc.qp_num == qb[1]->qp_num, "other_qp_still_receives",
	      "status %d wr_id %llu", st, (unsigned long long)wc.wr_id);

	for (i = 0; i < 2; i++) {
		ibv_destroy_qp(qa[i]);
		ibv_destroy_qp(qb[i]);
	}
	CHECK(!ibv_destroy_srq(srq), "destroy_srq", "%s", strerror(errno));
}

int main(void)
{
	struct side a = { 0 }, b = { 0 };

	if (open_side(&a, &lid, BUF, IBV_ACCESS_LOCAL_WRITE) ||
	    open_side(&b, &lid, BUF, IBV_ACCESS_LOCAL_WRITE))
		return t_summary();
	check_srq(&a, &b);
	CHECK(close_side(&a) && close_side(&b), "close", "%s",
	      strerror(errno));
	return t_summary();
}
