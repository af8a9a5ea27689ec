// SPDX-License-Identifier: Apache-2.0
/*
 * ff_extended: the extended verbs through a real router, in one process
 * (two RC QPs connected to each other on the same LID, both on one
 * ibv_cq_ex made on a completion channel).  Linked against the system
 * libibverbs, run with the FFL via LD_LIBRARY_PATH and FREEFLOW_SOCKET.
 *
 *  (a) ibv_create_cq_ex / ibv_create_qp_ex / ibv_qp_to_qp_ex succeed for
 *      what is offered and refuse timestamps with EOPNOTSUPP
 *  (b) ibv_query_qp returns the attributes the QP was given
 *  (c) SEND_WITH_IMM by ibv_wr_*: a channel event for the ibv_cq_ex, then
 *      start/next/end_poll and the read_* calls, the data checked
 *  (d) RDMA WRITE then READ by ibv_wr_* in one batch, the data checked
 *  (e) ibv_resize_cq is EOPNOTSUPP
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

#define BUF		4096
#define LEN		256
#define TIMEOUT_MS	10000

struct res {
	struct ibv_context *ctx;
	struct ibv_pd *pd;
	uint16_t lid;
	uint8_t *buf_a, *buf_b;
	struct ibv_mr *mr_a, *mr_b;
	struct ibv_comp_channel *ch;
	struct ibv_cq_ex *cqx;
	struct ibv_qp *a, *b;
	struct ibv_qp_ex *ax;
};

static int setup(struct res *r)
{
	const int access = IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE |
			   IBV_ACCESS_REMOTE_READ;
	struct ibv_cq_init_attr_ex ca = {
		.cqe = 32, .channel = NULL,
		.wc_flags = IBV_WC_EX_WITH_COMPLETION_TIMESTAMP_WALLCLOCK,
	};
	struct ibv_device_attr_ex dx;
	struct ibv_qp_init_attr_ex qa = {
		.cap = { .max_send_wr = 16, .max_recv_wr = 16,
			 .max_send_sge = 1, .max_recv_sge = 1 },
		.qp_type = IBV_QPT_RC,
		.comp_mask = IBV_QP_INIT_ATTR_PD,
	};
	int n;

	r->ctx = open_first_device(&r->lid);
	if (!r->ctx)
		return 1;
	r->pd = ibv_alloc_pd(r->ctx);
	r->buf_a = aligned_alloc(4096, BUF);
	r->buf_b = aligned_alloc(4096, BUF);
	r->mr_a = ibv_reg_mr(r->pd, r->buf_a, BUF, access);
	r->mr_b = ibv_reg_mr(r->pd, r->buf_b, BUF, access);
	r->ch = ibv_create_comp_channel(r->ctx);
	if (!CHECK(r->mr_a && r->mr_b && r->ch, "resources", "%s",
		   strerror(errno)))
		return 1;

	errno = 0;
	CHECK(!ibv_create_cq_ex(r->ctx, &ca) && errno == EOPNOTSUPP,
	      "cq_ex_wallclock_eopnotsupp", "errno %d", errno);
	/* completion timestamps: the router's CLOCK_MONOTONIC in ns */
	CHECK(!ibv_query_device_ex(r->ctx, NULL, &dx) &&
		      dx.completion_timestamp_mask == UINT64_MAX &&
		      dx.hca_core_clock == 1000000,
	      "device_completion_clock", "mask %#llx clock %llu kHz",
	      (unsigned long long)dx.completion_timestamp_mask,
	      (unsigned long long)dx.hca_core_clock);
	ca.wc_flags = IBV_WC_STANDARD_FLAGS |
		      IBV_WC_EX_WITH_COMPLETION_TIMESTAMP;
	ca.channel = r->ch;
	r->cqx = ibv_create_cq_ex(r->ctx, &ca);
	if (!CHECK(r->cqx && ibv_cq_ex_to_cq(r->cqx)->channel == r->ch,
		   "create_cq_ex_on_channel", "%s", strerror(errno)))
		return 1;

	qa.send_cq = qa.recv_cq = ibv_cq_ex_to_cq(r->cqx);
	qa.pd = r->pd;
	r->b = ibv_create_qp_ex(r->ctx, &qa);	/* PD only: ibv_create_qp */
	qa.comp_mask |= IBV_QP_INIT_ATTR_SEND_OPS_FLAGS;
	qa.send_ops_flags = IBV_QP_EX_WITH_LOCAL_INV;
	errno = 0;
	CHECK(!ibv_create_qp_ex(r->ctx, &qa) && errno == EOPNOTSUPP,
	      "qp_ex_local_inv_eopnotsupp", "errno %d", errno);
	qa.send_ops_flags = IBV_QP_EX_WITH_SEND_WITH_IMM |
			    IBV_QP_EX_WITH_RDMA_WRITE |
			    IBV_QP_EX_WITH_RDMA_READ;
	r->a = ibv_create_qp_ex(r->ctx, &qa);
	r->ax = r->a ? ibv_qp_to_qp_ex(r->a) : NULL;
	if (!CHECK(r->a && r->b && r->ax && !ibv_qp_to_qp_ex(r->b),
		   "create_qp_ex_send_ops", "%s", strerror(errno)))
		return 1;
	n = to_rts(r->a, r->b->qp_num, r->lid);
	if (!n)
		n = to_rts(r->b, r->a->qp_num, r->lid);
	return !CHECK(!n, "connect_qps", "%s", strerror(n));
}

/* (b): what to_rts() set, back from the router */
static void check_query_qp(struct res *r)
{
	struct ibv_qp_init_attr init;
	struct ibv_qp_attr a;
	int err;

	memset(&a, 0xff, sizeof(a));
	err = ibv_query_qp(r->a, &a, IBV_QP_STATE | IBV_QP_CUR_STATE |
			   IBV_QP_PKEY_INDEX | IBV_QP_PORT |
			   IBV_QP_ACCESS_FLAGS | IBV_QP_AV | IBV_QP_PATH_MTU |
			   IBV_QP_DEST_QPN | IBV_QP_RQ_PSN |
			   IBV_QP_MAX_DEST_RD_ATOMIC | IBV_QP_MIN_RNR_TIMER |
			   IBV_QP_TIMEOUT | IBV_QP_RETRY_CNT |
			   IBV_QP_RNR_RETRY | IBV_QP_SQ_PSN |
			   IBV_QP_MAX_QP_RD_ATOMIC | IBV_QP_CAP, &init);
	CHECK(!err && a.qp_state == IBV_QPS_RTS && r->a->state == IBV_QPS_RTS &&
		      a.path_mtu == IBV_MTU_1024 &&
		      a.dest_qp_num == r->b->qp_num && a.rq_psn == 0 &&
		      a.sq_psn == 0 && a.max_dest_rd_atomic == 1 &&
		      a.max_rd_atomic == 1 && a.min_rnr_timer == 12 &&
		      a.timeout == 14 && a.retry_cnt == 7 &&
		      a.rnr_retry == 7 && a.port_num == 1 &&
		      a.pkey_index == 0 && a.ah_attr.dlid == r->lid &&
		      a.ah_attr.port_num == 1 && !a.ah_attr.is_global &&
		      a.qp_access_flags == (IBV_ACCESS_LOCAL_WRITE |
					    IBV_ACCESS_REMOTE_WRITE |
					    IBV_ACCESS_REMOTE_READ) &&
		      a.cap.max_send_wr >= 16 && a.cap.max_recv_wr >= 16,
	      "query_qp_attributes",
	      "err %d state %d mtu %d dest %u timeout %u retry %u rnr %u dlid %u access %#x",
	      err, a.qp_state, a.path_mtu, a.dest_qp_num, a.timeout,
	      a.retry_cnt, a.rnr_retry, a.ah_attr.dlid, a.qp_access_flags);
	CHECK(!err && init.qp_type == IBV_QPT_RC &&
		      init.send_cq == ibv_cq_ex_to_cq(r->cqx) &&
		      init.cap.max_send_wr == a.cap.max_send_wr &&
		      init.cap.max_send_sge >= 1,
	      "query_qp_init_attr", "type %d", init.qp_type);
}

/* Polls @want completions through start/next/end_poll; a copy of each. */
struct got {
	uint64_t wr_id;
	enum ibv_wc_status status;
	enum ibv_wc_opcode opcode;
	uint32_t byte_len, qp_num;
	unsigned int flags;
	__be32 imm;
	uint64_t ts;
};

/* the clock of the router's completion timestamps */
static uint64_t mono_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static int poll_ex(struct ibv_cq_ex *cq, struct got *g, int want)
{
	struct ibv_poll_cq_attr attr = { 0 };
	long end = now_ms() + TIMEOUT_MS;
	int n = 0, ret;

	while (n < want && now_ms() < end) {
		ret = ibv_start_poll(cq, &attr);
		if (ret == ENOENT)
			continue;
		if (ret)
			return -1;
		do {
			g[n] = (struct got){
				.wr_id = cq->wr_id,
				.status = cq->status,
				.opcode = ibv_wc_read_opcode(cq),
				.byte_len = ibv_wc_read_byte_len(cq),
				.qp_num = ibv_wc_read_qp_num(cq),
				.flags = ibv_wc_read_wc_flags(cq),
				.ts = ibv_wc_read_completion_ts(cq),
			};
			if (g[n].flags & IBV_WC_WITH_IMM)
				g[n].imm = ibv_wc_read_imm_data(cq);
			n++;
		} while (n < want && !(ret = ibv_next_poll(cq)));
		ibv_end_poll(cq);
	}
	return n;
}

/* (c) */
static void check_send_imm(struct res *r)
{
	struct ibv_sge rs = { .addr = (uintptr_t)r->buf_b, .length = BUF,
			      .lkey = r->mr_b->lkey };
	struct ibv_recv_wr rwr = { .wr_id = 7, .sg_list = &rs, .num_sge = 1 },
			   *bad;
	struct ibv_cq *ev_cq = NULL;
	struct got g[2], *snd, *rcv;
	uint64_t before, after;
	void *ev_ctx;
	int i, n, err;

	for (i = 0; i < LEN; i++)
		r->buf_a[i] = (uint8_t)(i * 7 + 1);
	memset(r->buf_b, 0, BUF);
	err = ibv_post_recv(r->b, &rwr, &bad);
	if (!err)
		err = ibv_req_notify_cq(ibv_cq_ex_to_cq(r->cqx), 0);
	before = mono_ns();
	ibv_wr_start(r->ax);
	r->ax->wr_id = 5;
	r->ax->wr_flags = IBV_SEND_SIGNALED;
	ibv_wr_send_imm(r->ax, htobe32(0xfeed));
	ibv_wr_set_sge(r->ax, r->mr_a->lkey, (uintptr_t)r->buf_a, LEN);
	if (!err)
		err = ibv_wr_complete(r->ax);
	CHECK(!err, "wr_send_imm_posted", "%s", strerror(err));
	alarm(30);	/* a lost event would block forever */
	err = ibv_get_cq_event(r->ch, &ev_cq, &ev_ctx);
	alarm(0);
	CHECK(!err && ev_cq == ibv_cq_ex_to_cq(r->cqx), "cq_ex_event",
	      "err %d cq %p", err, (void *)ev_cq);
	if (!err)
		ibv_ack_cq_events(ev_cq, 1);
	n = poll_ex(r->cqx, g, 2);
	after = mono_ns();
	snd = n == 2 && g[0].wr_id == 5 ? &g[0] : &g[1];
	rcv = snd == &g[0] ? &g[1] : &g[0];
	CHECK(n == 2 && snd->wr_id == 5 && snd->status == IBV_WC_SUCCESS &&
		      snd->opcode == IBV_WC_SEND &&
		      snd->qp_num == r->a->qp_num,
	      "cq_ex_send_completion", "n %d wr_id %lu status %d", n,
	      (unsigned long)snd->wr_id, snd->status);
	CHECK(n == 2 && rcv->wr_id == 7 && rcv->status == IBV_WC_SUCCESS &&
		      rcv->opcode == IBV_WC_RECV && rcv->byte_len == LEN &&
		      rcv->qp_num == r->b->qp_num &&
		      (rcv->flags & IBV_WC_WITH_IMM) &&
		      rcv->imm == htobe32(0xfeed),
	      "cq_ex_recv_completion", "n %d len %u imm %#x flags %#x", n,
	      rcv->byte_len, be32toh(rcv->imm), rcv->flags);
	CHECK(!memcmp(r->buf_a, r->buf_b, LEN), "send_imm_data", "mismatch");
	CHECK(n == 2 && snd->ts >= before && snd->ts <= after &&
		      rcv->ts >= before && rcv->ts <= after,
	      "cq_ex_completion_timestamps", "%llu %llu not in [%llu, %llu]",
	      (unsigned long long)snd->ts, (unsigned long long)rcv->ts,
	      (unsigned long long)before, (unsigned long long)after);
}

/* (d): WRITE a -> b, READ b -> a + LEN, one batch */
static void check_write_read(struct res *r)
{
	struct got g[2];
	int i, n, err;

	for (i = 0; i < LEN; i++)
		r->buf_a[i] = (uint8_t)(255 - i);
	memset(r->buf_b, 0, BUF);
	memset(r->buf_a + LEN, 0, LEN);
	ibv_wr_start(r->ax);
	r->ax->wr_id = 21;
	r->ax->wr_flags = IBV_SEND_SIGNALED;
	ibv_wr_rdma_write(r->ax, r->mr_b->rkey, (uintptr_t)r->buf_b + LEN);
	ibv_wr_set_sge(r->ax, r->mr_a->lkey, (uintptr_t)r->buf_a, LEN);
	r->ax->wr_id = 22;
	ibv_wr_rdma_read(r->ax, r->mr_b->rkey, (uintptr_t)r->buf_b + LEN);
	ibv_wr_set_sge(r->ax, r->mr_a->lkey, (uintptr_t)r->buf_a + LEN, LEN);
	err = ibv_wr_complete(r->ax);
	n = err ? 0 : poll_ex(r->cqx, g, 2);
	CHECK(n == 2 && g[0].wr_id == 21 && g[1].wr_id == 22 &&
		      g[0].status == IBV_WC_SUCCESS &&
		      g[1].status == IBV_WC_SUCCESS &&
		      g[0].opcode == IBV_WC_RDMA_WRITE &&
		      g[1].opcode == IBV_WC_RDMA_READ,
	      "wr_write_read_completions", "err %d n %d", err, n);
	CHECK(!memcmp(r->buf_a, r->buf_b + LEN, LEN) &&
		      !memcmp(r->buf_a, r->buf_a + LEN, LEN),
	      "wr_write_read_data", "mismatch");
}

int main(void)
{
	struct res r = { 0 };

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (setup(&r))
		return t_summary();
	check_query_qp(&r);
	check_send_imm(&r);
	check_write_read(&r);
	CHECK(ibv_resize_cq(ibv_cq_ex_to_cq(r.cqx), 64) == EOPNOTSUPP,
	      "resize_cq_eopnotsupp", "not EOPNOTSUPP");
	CHECK(!ibv_destroy_qp(r.a) && !ibv_destroy_qp(r.b) &&
		      !ibv_destroy_cq(ibv_cq_ex_to_cq(r.cqx)) &&
		      !ibv_destroy_comp_channel(r.ch),
	      "destroy", "%s", strerror(errno));
	return t_summary();
}
