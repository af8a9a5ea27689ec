/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers of the C test programs that run against a router (ff_errors,
 * ff_events): a clock, polling one completion with a deadline, making a
 * small RC QP and moving it to RTS towards (lid, dest_qpn).
 */
#ifndef FREEFLOW_VERBS_TEST_UTIL_H
#define FREEFLOW_VERBS_TEST_UTIL_H

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <infiniband/verbs.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

__attribute__((unused))
static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* True if @fd becomes readable within @timeout_ms. */
__attribute__((unused))
static bool readable(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, timeout_ms) == 1 && (p.revents & POLLIN);
}

/* Poll one completion; 1 if found, 0 on timeout, -1 on error. */
__attribute__((unused))
static int poll_one(struct ibv_cq *cq, struct ibv_wc *wc, long timeout_ms)
{
	long end = now_ms() + timeout_ms;
	int n;

	do {
		n = ibv_poll_cq(cq, 1, wc);
		if (n)
			return n < 0 ? -1 : 1;
	} while (now_ms() < end);
	return 0;
}

/*
 * Opens the first device and reads port 1's LID into *lid (needs
 * test_util.h); NULL after reporting a FAIL.
 */
__attribute__((unused))
static struct ibv_context *open_first_device(uint16_t *lid)
{
	struct ibv_port_attr port;
	struct ibv_device **list;
	struct ibv_context *ctx;
	int n;

	list = ibv_get_device_list(&n);
	if (!list || n < 1) {
		CHECK(0, "open_device", "no device (%s)", strerror(errno));
		return NULL;
	}
	ctx = ibv_open_device(list[0]);
	ibv_free_device_list(list);
	if (!CHECK(ctx, "open_device", "%s", strerror(errno)))
		return NULL;
	if (!CHECK(!ibv_query_port(ctx, 1, &port) && port.lid,
		   "port_has_lid", "no LID")) {
		ibv_close_device(ctx);
		return NULL;
	}
	*lid = port.lid;
	return ctx;
}

/*
 * RESET -> INIT -> RTR towards (lid, dest_qpn); @responder: with the
 * responder's attributes, which every QP type but an XRC initiator takes.
 */
__attribute__((unused))
static int to_rtr_as(struct ibv_qp *qp, uint32_t dest_qpn, uint16_t lid,
		     bool responder)
{
	struct ibv_qp_attr a = {
		.qp_state = IBV_QPS_INIT,
		.pkey_index = 0,
		.port_num = 1,
		.qp_access_flags = IBV_ACCESS_LOCAL_WRITE |
				   IBV_ACCESS_REMOTE_WRITE |
				   IBV_ACCESS_REMOTE_READ,
	};
	int mask = IBV_QP_STATE | IBV_QP_AV | IBV_QP_PATH_MTU |
		   IBV_QP_DEST_QPN | IBV_QP_RQ_PSN;
	int err;

	err = ibv_modify_qp(qp, &a, IBV_QP_STATE | IBV_QP_PKEY_INDEX |
				    IBV_QP_PORT | IBV_QP_ACCESS_FLAGS);
	if (err)
		return err;
	memset(&a, 0, sizeof(a));
	a.qp_state = IBV_QPS_RTR;
	a.path_mtu = IBV_MTU_1024;
	a.dest_qp_num = dest_qpn;
	a.rq_psn = 0;
	a.max_dest_rd_atomic = 1;
	a.min_rnr_timer = 12;
	a.ah_attr.dlid = lid;
	a.ah_attr.port_num = 1;
	if (responder)
		mask |= IBV_QP_MAX_DEST_RD_ATOMIC | IBV_QP_MIN_RNR_TIMER;
	return ibv_modify_qp(qp, &a, mask);
}

__attribute__((unused))
static int to_rtr(struct ibv_qp *qp, uint32_t dest_qpn, uint16_t lid)
{
	return to_rtr_as(qp, dest_qpn, lid, true);
}

__attribute__((unused))
static int rtr_to_rts(struct ibv_qp *qp)
{
	struct ibv_qp_attr a = {
		.qp_state = IBV_QPS_RTS,
		.timeout = 14,
		.retry_cnt = 7,
		.rnr_retry = 7,
		.sq_psn = 0,
		.max_rd_atomic = 1,
	};

	return ibv_modify_qp(qp, &a, IBV_QP_STATE | IBV_QP_TIMEOUT |
				     IBV_QP_RETRY_CNT | IBV_QP_RNR_RETRY |
				     IBV_QP_SQ_PSN | IBV_QP_MAX_QP_RD_ATOMIC);
}

__attribute__((unused))
static int to_rts(struct ibv_qp *qp, uint32_t dest_qpn, uint16_t lid)
{
	int err = to_rtr(qp, dest_qpn, lid);

	return err ? err : rtr_to_rts(qp);
}

__attribute__((unused))
static struct ibv_qp *make_rc_qp(struct ibv_pd *pd, struct ibv_cq *cq)
{
	struct ibv_qp_init_attr init = {
		.send_cq = cq,
		.recv_cq = cq,
		.cap = { .max_send_wr = 16, .max_recv_wr = 16,
			 .max_send_sge = 1, .max_recv_sge = 1 },
		.qp_type = IBV_QPT_RC,
	};

	return ibv_create_qp(pd, &init);
}

/*
 * One context of a test program: a PD, a CQ of 32 entries and @size bytes
 * registered with @access (tests that play two processes in one open two).
 */
struct side {
	struct ibv_context *ctx;
	struct ibv_pd *pd;
	struct ibv_cq *cq;
	struct ibv_mr *mr;
	char *buf;
};

__attribute__((unused))
static int open_side(struct side *s, uint16_t *lid, size_t size, int access)
{
	s->ctx = open_first_device(lid);
	if (!s->ctx)
		return -1;
	s->pd = ibv_alloc_pd(s->ctx);
	s->cq = ibv_create_cq(s->ctx, 32, NULL, NULL, 0);
	s->buf = calloc(1, size);
	if (!s->pd || !s->cq || !s->buf)
		return !CHECK(0, "setup", "%s", strerror(errno)) ? -1 : 0;
	s->mr = ibv_reg_mr(s->pd, s->buf, size, access);
	return CHECK(s->mr, "setup", "ibv_reg_mr: %s", strerror(errno)) ? 0
									 : -1;
}

/* Receive @i of @srq: the @len bytes of slot @i of @s's buffer, wr_id @i. */
__attribute__((unused))
static int post_srq_slot(struct side *s, struct ibv_srq *srq, int i,
			 uint32_t len)
{
	struct ibv_sge sg = { .addr = (uintptr_t)s->buf + (size_t)i * len,
			      .length = len, .lkey = s->mr->lkey };
	struct ibv_recv_wr wr = { .wr_id = (uint64_t)i, .sg_list = &sg,
				  .num_sge = 1 }, *bad;

	return ibv_post_srq_recv(srq, &wr, &bad);
}

/* Releases what open_side() made; false if a verb failed. */
__attribute__((unused))
static bool close_side(struct side *s)
{
	bool ok = !ibv_dereg_mr(s->mr) && !ibv_destroy_cq(s->cq) &&
		  !ibv_dealloc_pd(s->pd);

	free(s->buf);
	return !ibv_close_device(s->ctx) && ok;
}

#endif
