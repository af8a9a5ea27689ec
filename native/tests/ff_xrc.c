// SPDX-License-Identifier: Apache-2.0
/*
 * ff_xrc: XRC through a real router.  Three contexts of one process on the
 * same LID: A makes the XRC initiators (XRC_SEND QPs); B and C both open
 * the XRC domain of one temporary file, so they share it: B makes SRQ 1 and
 * the XRC targets (XRC_RECV QPs), C makes SRQ 2, which B's targets reach
 * too.  Linked against the system libibverbs, run with the FFL via
 * LD_LIBRARY_PATH and FREEFLOW_SOCKET.
 *
 *  (a) the device offers XRC; ibv_open_xrcd: fd -1 with O_CREAT is a private
 *      domain, without it EINVAL; a file without a domain: no O_CREAT ->
 *      EINVAL, O_CREAT makes one, a second context opens the same one,
 *      O_CREAT | O_EXCL then -> EINVAL
 *  (b) XRC SRQs by ibv_create_srq_ex; ibv_get_srq_num nonzero and distinct
 *  (c) SENDs by SRQ number land in either SRQ (the one made by the other
 *      context too), complete on that SRQ's CQ with the target's qp_num;
 *      SEND_WITH_IMM; ibv_post_recv on the initiator and ibv_post_send on
 *      the target -> EINVAL
 *  (d) the XRC SRQ's limit raises SRQ_LIMIT_REACHED on its context
 *  (e) RDMA WRITE into an MR of the SRQ's PD works; into an MR of another
 *      PD -> IBV_WC_REM_ACCESS_ERR; an unknown SRQ number ->
 *      IBV_WC_REM_INV_REQ_ERR and the initiator in ERR
 *  (f) the ibv_wr_* API with ibv_wr_set_xrc_srqn delivers
 *  (g) ibv_close_xrcd while an SRQ or a target uses it -> EBUSY, then 0;
 *      with the last close the file's domain is gone
 *
 * One line per check, "PASS name" or "FAIL name: why", then
 * "N passed, N failed"; exit 0 only if everything passed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <infiniband/verbs.h>

#include "test_util.h"
#include "verbs_test_util.h"

#define BUF	4096
#define MSG	64
#define WRITE_OFF 2048	/* where RDMA WRITEs land in B's buffer */
#define ACCESS	(IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE)
#define TIMEOUT_MS 5000
#define QUIET_MS 200	/* a wait that must not end; never a pass condition */

static uint16_t lid;

/* An initiator of A connected to a target of B. */
struct xpair {
	struct ibv_qp *ini;
	struct ibv_qp *tgt;
};

/* One work request of an initiator. */
struct xwr {
	enum ibv_wr_opcode op;
	uint32_t srqn;
	char fill;		/* MSG bytes of it from A's buffer */
	uint64_t remote_addr;
	uint32_t rkey;
	uint32_t imm;
};

static bool filled(const char *p, char c, size_t n)
{
	while (n--)
		if (*p++ != c)
			return false;
	return true;
}

static struct ibv_xrcd *open_xrcd(struct ibv_context *ctx, int fd,
				  int oflags)
{
	struct ibv_xrcd_init_attr a = {
		.comp_mask = IBV_XRCD_INIT_ATTR_FD | IBV_XRCD_INIT_ATTR_OFLAGS,
		.fd = fd,
		.oflags = oflags,
	};

	return ibv_open_xrcd(ctx, &a);
}

/* True if the open was refused with EINVAL (a domain it made is closed). */
static bool open_refused(struct ibv_context *ctx, int fd, int oflags)
{
	struct ibv_xrcd *x = open_xrcd(ctx, fd, oflags);

	if (x) {
		ibv_close_xrcd(x);
		return false;
	}
	return errno == EINVAL;
}

static struct ibv_srq *make_xrc_srq(struct side *s, struct ibv_xrcd *x)
{
	struct ibv_srq_init_attr_ex a = {
		.attr = { .max_wr = 8, .max_sge = 1 },
		.comp_mask = IBV_SRQ_INIT_ATTR_TYPE | IBV_SRQ_INIT_ATTR_PD |
			     IBV_SRQ_INIT_ATTR_XRCD | IBV_SRQ_INIT_ATTR_CQ,
		.srq_type = IBV_SRQT_XRC,
		.pd = s->pd,
		.xrcd = x,
		.cq = s->cq,
	};

	return ibv_create_srq_ex(s->ctx, &a);
}

/* An XRC_SEND QP of @a; with @wr_api made for ibv_wr_send. */
static struct ibv_qp *make_initiator(struct side *a, bool wr_api)
{
	struct ibv_qp_init_attr_ex init = {
		.send_cq = a->cq,
		.cap = { .max_send_wr = 16, .max_send_sge = 1 },
		.qp_type = IBV_QPT_XRC_SEND,
		.comp_mask = IBV_QP_INIT_ATTR_PD,
		.pd = a->pd,
	};

	if (wr_api) {
		init.comp_mask |= IBV_QP_INIT_ATTR_SEND_OPS_FLAGS;
		init.send_ops_flags = IBV_QP_EX_WITH_SEND;
	}
	return ibv_create_qp_ex(a->ctx, &init);
}

static struct ibv_qp *make_target(struct side *b, struct ibv_xrcd *x)
{
	struct ibv_qp_init_attr_ex init = {
		.qp_type = IBV_QPT_XRC_RECV,
		.comp_mask = IBV_QP_INIT_ATTR_XRCD,
		.xrcd = x,
	};

	return ibv_create_qp_ex(b->ctx, &init);
}

/* Makes and connects a pair as ibv_xsrq_pingpong does: target to RTR. */
static bool make_pair(struct side *a, struct side *b, struct ibv_xrcd *x,
		      bool wr_api, struct xpair *p, const char *name)
{
	int err = 0;

	p->ini = make_initiator(a, wr_api);
	p->tgt = make_target(b, x);
	if (p->ini && p->tgt) {
		/* an initiator has no responder attributes (as Linux) */
		err = to_rtr_as(p->ini, p->tgt->qp_num, lid, false);
		if (!err)
			err = rtr_to_rts(p->ini);
		if (!err)
			err = to_rtr(p->tgt, p->ini->qp_num, lid);
	}
	return CHECK(p->ini && p->tgt && !err, name, "%s: %s",
		     err ? "connect" : "create", strerror(err ? err : errno));
}

static void destroy_pair(struct xpair *p)
{
	if (p->ini)
		ibv_destroy_qp(p->ini);
	if (p->tgt)
		ibv_destroy_qp(p->tgt);
	p->ini = p->tgt = NULL;
}

/* Posts @w on @ini; the status of its completion, -1 if refused, -2 none. */
static int xrc_post(struct side *a, struct ibv_qp *ini, const struct xwr *w)
{
	struct ibv_sge sg = { .addr = (uintptr_t)a->buf, .length = MSG,
			      .lkey = a->mr->lkey };
	struct ibv_send_wr wr = { .wr_id = 1, .sg_list = &sg, .num_sge = 1,
				  .opcode = w->op,
				  .send_flags = IBV_SEND_SIGNALED }, *bad;
	struct ibv_wc wc;

	memset(a->buf, w->fill, MSG);
	wr.qp_type.xrc.remote_srqn = w->srqn;
	wr.wr.rdma.remote_addr = w->remote_addr;
	wr.wr.rdma.rkey = w->rkey;
	wr.imm_data = htonl(w->imm);
	if (ibv_post_send(ini, &wr, &bad))
		return -1;
	if (poll_one(a->cq, &wc, TIMEOUT_MS) != 1)
		return -2;
	return wc.status;
}

/*
 * The next completion of side @s's CQ is receive @slot, MSG bytes of @fill
 * by target @tgt, which are in that slot of @s's buffer.
 */
static bool received(struct side *s, struct ibv_qp *tgt, int slot, char fill,
		     struct ibv_wc *wc, const char *name)
{
	memset(wc, 0, sizeof(*wc));
	if (poll_one(s->cq, wc, TIMEOUT_MS) != 1)
		return CHECK(0, name, "no receive completion");
	return CHECK(wc->status == IBV_WC_SUCCESS &&
		     wc->opcode == IBV_WC_RECV && wc->qp_num == tgt->qp_num &&
		     wc->wr_id == (uint64_t)slot && wc->byte_len == MSG &&
		     filled(s->buf + (size_t)slot * MSG, fill, MSG), name,
		     "status %d opcode %d qp %u (target %u) wr_id %llu len %u",
		     wc->status, wc->opcode, wc->qp_num, tgt->qp_num,
		     (unsigned long long)wc->wr_id, wc->byte_len);
}

/* Nothing pending on @ctx; a FAIL names the event (which is acked). */
static void check_no_event(struct ibv_context *ctx, const char *name)
{
	bool pending = readable(ctx->async_fd, QUIET_MS);
	const char *what = "that cannot be read";
	struct ibv_async_event ev;

	if (pending && !ibv_get_async_event(ctx, &ev)) {
		what = ibv_event_type_str(ev.event_type);
		ibv_ack_async_event(&ev);
	}
	CHECK(!pending, name, "event %s", what);
}

/*
 * The next event of @ctx is @type about @element (a QP or SRQ); acked.
 * The event is read before CHECK so that its message shows what came.
 */
static void expect_event(struct ibv_context *ctx, enum ibv_event_type type,
			 void *element, const char *name)
{
	struct ibv_async_event ev;

	if (!readable(ctx->async_fd, TIMEOUT_MS)) {
		CHECK(0, name, "no event");
		return;
	}
	if (ibv_get_async_event(ctx, &ev)) {
		CHECK(0, name, "get: %s", strerror(errno));
		return;
	}
	CHECK(ev.event_type == type && (ev.element.qp == element ||
					ev.element.srq == element),
	      name, "%s on %p (want %s on %p)",
	      ibv_event_type_str(ev.event_type), (void *)ev.element.qp,
	      ibv_event_type_str(type), element);
	ibv_ack_async_event(&ev);
}

/* (a): @path has no domain yet; *xb and *xc its domain in B and in C. */
static bool check_open(struct side *b, struct side *c, const char *path,
		       struct ibv_xrcd **xb, struct ibv_xrcd **xc)
{
	struct ibv_xrcd *priv = open_xrcd(b->ctx, -1, O_CREAT);
	int fd = open(path, O_RDONLY);

	CHECK(priv && !ibv_close_xrcd(priv), "open_xrcd_private",
	      "%s", strerror(errno));
	CHECK(open_refused(b->ctx, -1, 0), "open_xrcd_private_no_creat_einval",
	      "not EINVAL");
	if (!CHECK(fd >= 0, "open_file", "%s: %s", path, strerror(errno)))
		return false;
	CHECK(open_refused(b->ctx, fd, 0), "open_xrcd_file_no_creat_einval",
	      "not EINVAL");
	*xb = open_xrcd(b->ctx, fd, O_CREAT);
	CHECK(*xb, "open_xrcd_file_creat", "%s", strerror(errno));
	close(fd);
	/* the domain belongs to the file, not to this descriptor */
	fd = open(path, O_RDONLY);
	*xc = open_xrcd(c->ctx, fd, 0);
	CHECK(*xc, "open_xrcd_same_file_other_context", "%s", strerror(errno));
	CHECK(open_refused(c->ctx, fd, O_CREAT | O_EXCL),
	      "open_xrcd_excl_existing_einval", "not EINVAL");
	close(fd);
	return *xb && *xc;
}

/* (b) */
static bool check_srqs(struct side *b, struct side *c, struct ibv_xrcd *xb,
		       struct ibv_xrcd *xc, struct ibv_srq *srq[2],
		       uint32_t srqn[2])
{
	srq[0] = make_xrc_srq(b, xb);
	srq[1] = make_xrc_srq(c, xc);
	if (!CHECK(srq[0] && srq[1], "create_xrc_srq", "%s", strerror(errno)))
		return false;
	srqn[0] = srqn[1] = 0;
	CHECK(!ibv_get_srq_num(srq[0], &srqn[0]) &&
	      !ibv_get_srq_num(srq[1], &srqn[1]) && srqn[0] && srqn[1] &&
	      srqn[0] != srqn[1], "srq_num_nonzero_distinct", "%u and %u",
	      srqn[0], srqn[1]);
	return true;
}

/* (c) and (d) on pair @p: SRQ 1 of B gets slots 0..3, SRQ 2 of C 0..1. */
static void check_delivery(struct side *a, struct side *b, struct side *c,
			   struct xpair *p, struct ibv_srq *srq[2],
			   const uint32_t srqn[2])
{
	struct ibv_recv_wr rwr = { 0 }, *rbad;
	struct ibv_send_wr swr = { 0 }, *sbad;
	struct ibv_srq_attr sa = { .srq_limit = 3 };
	struct xwr w = { .op = IBV_WR_SEND };
	struct ibv_wc wc;
	int i, st;

	CHECK(ibv_post_recv(p->ini, &rwr, &rbad) == EINVAL,
	      "post_recv_on_initiator_einval", "accepted");
	CHECK(ibv_post_send(p->tgt, &swr, &sbad) == EINVAL,
	      "post_send_on_target_einval", "accepted");
	for (i = 0; i < 4; i++)
		post_srq_slot(b, srq[0], i, MSG);
	for (i = 0; i < 2; i++)
		post_srq_slot(c, srq[1], i, MSG);
	CHECK(!ibv_modify_srq(srq[0], &sa, IBV_SRQ_LIMIT), "arm_xrc_srq_limit",
	      "%s", strerror(errno));

	w.srqn = srqn[0];
	w.fill = 'x';
	st = xrc_post(a, p->ini, &w);
	if (CHECK(st == IBV_WC_SUCCESS, "send_to_srq1", "status %d", st))
		received(b, p->tgt, 0, 'x', &wc, "send_lands_in_srq1");
	/* the target is in RTR: its first message establishes it */
	expect_event(b->ctx, IBV_EVENT_COMM_EST, p->tgt, "comm_est_on_target");
	check_no_event(b->ctx, "three_left_no_limit_event");
	w.srqn = srqn[1];
	w.fill = 'y';
	st = xrc_post(a, p->ini, &w);
	if (CHECK(st == IBV_WC_SUCCESS, "send_to_srq2", "status %d", st))
		received(c, p->tgt, 0, 'y', &wc,
			 "send_lands_in_srq2_of_other_context");
	CHECK(poll_one(b->cq, &wc, QUIET_MS) == 0, "srq1_cq_untouched",
	      "a completion on B's CQ");

	w = (struct xwr){ .op = IBV_WR_SEND_WITH_IMM, .srqn = srqn[0],
			  .fill = 'i', .imm = 0x12345678 };
	st = xrc_post(a, p->ini, &w);
	if (CHECK(st == IBV_WC_SUCCESS, "send_with_imm", "status %d", st) &&
	    received(b, p->tgt, 1, 'i', &wc, "send_with_imm_lands"))
		CHECK((wc.wc_flags & IBV_WC_WITH_IMM) &&
		      ntohl(wc.imm_data) == 0x12345678, "imm_data",
		      "flags %#x imm %#x", wc.wc_flags, ntohl(wc.imm_data));
	expect_event(b->ctx, IBV_EVENT_SRQ_LIMIT_REACHED, srq[0],
		     "xrc_srq_limit_reached");
	check_no_event(c->ctx, "no_event_on_other_context");
}

/* (e) RDMA WRITE on pair @p, which the refused one leaves in ERR. */
static void check_write(struct side *a, struct side *b, struct xpair *p,
			const uint32_t srqn[2])
{
	struct xwr w = { .op = IBV_WR_RDMA_WRITE, .srqn = srqn[0],
			 .fill = 'w',
			 .remote_addr = (uintptr_t)b->buf + WRITE_OFF,
			 .rkey = b->mr->rkey };
	struct ibv_wc wc;
	int st, n;

	st = xrc_post(a, p->ini, &w);
	CHECK(st == IBV_WC_SUCCESS && filled(b->buf + WRITE_OFF, 'w', MSG),
	      "rdma_write_into_srq_pd", "status %d", st);
	n = poll_one(b->cq, &wc, QUIET_MS);
	CHECK(n == 0, "rdma_write_no_receive", "a completion, status %d",
	      n == 1 ? (int)wc.status : -1);
	/* SRQ 2 is C's, B's MR is not of its PD */
	w.srqn = srqn[1];
	w.fill = 'v';
	st = xrc_post(a, p->ini, &w);
	CHECK(st == IBV_WC_REM_ACCESS_ERR &&
	      filled(b->buf + WRITE_OFF, 'w', MSG),
	      "rdma_write_other_pd_rem_access_err", "status %d", st);
}

/* (e) an SRQ number the target's domain does not have. */
static void check_unknown_srqn(struct side *a, struct side *b,
			       struct ibv_xrcd *xb, const uint32_t srqn[2])
{
	struct xwr w = { .op = IBV_WR_SEND, .fill = 'u' };
	struct ibv_qp_init_attr init;
	struct ibv_qp_attr qa = { 0 };
	struct xpair p;
	int st;

	w.srqn = (srqn[0] > srqn[1] ? srqn[0] : srqn[1]) + 1000;
	if (make_pair(a, b, xb, false, &p, "unknown_srqn_pair")) {
		st = xrc_post(a, p.ini, &w);
		CHECK(st == IBV_WC_REM_INV_REQ_ERR,
		      "unknown_srqn_rem_inv_req_err", "status %d", st);
		CHECK(!ibv_query_qp(p.ini, &qa, IBV_QP_STATE, &init) &&
		      qa.qp_state == IBV_QPS_ERR,
		      "unknown_srqn_initiator_err", "state %d", qa.qp_state);
	}
	destroy_pair(&p);
}

/* (f) ibv_wr_send + ibv_wr_set_xrc_srqn into slot 2 of SRQ 1. */
static void check_wr_api(struct side *a, struct side *b, struct ibv_xrcd *xb,
			 const uint32_t srqn[2])
{
	struct ibv_qp_ex *qpx;
	struct xpair p;
	struct ibv_wc wc;
	int err, st = -1;

	if (!make_pair(a, b, xb, true, &p, "wr_api_pair")) {
		destroy_pair(&p);
		return;
	}
	qpx = ibv_qp_to_qp_ex(p.ini);
	memset(a->buf, 'r', MSG);
	ibv_wr_start(qpx);
	qpx->wr_id = 9;
	qpx->wr_flags = IBV_SEND_SIGNALED;
	ibv_wr_send(qpx);
	ibv_wr_set_xrc_srqn(qpx, srqn[0]);
	ibv_wr_set_sge(qpx, a->mr->lkey, (uintptr_t)a->buf, MSG);
	err = ibv_wr_complete(qpx);
	if (!err && poll_one(a->cq, &wc, TIMEOUT_MS) == 1)
		st = wc.wr_id == 9 ? (int)wc.status : -2;
	CHECK(!err && st == IBV_WC_SUCCESS, "wr_api_send",
	      "err %d status %d", err, st);
	received(b, p.tgt, 2, 'r', &wc, "wr_api_lands_in_srq1");
	destroy_pair(&p);
}

/* (g) */
static void check_close(struct side *b, struct side *c, const char *path,
			struct xpair *p, struct ibv_srq *srq[2],
			struct ibv_xrcd *xb, struct ibv_xrcd *xc)
{
	int fd;

	CHECK(ibv_close_xrcd(xb) == EBUSY, "close_xrcd_srq_and_target_ebusy",
	      "not EBUSY");
	CHECK(ibv_close_xrcd(xc) == EBUSY, "close_xrcd_srq_ebusy",
	      "not EBUSY");
	CHECK(!ibv_destroy_srq(srq[0]), "destroy_xrc_srq", "%s",
	      strerror(errno));
	CHECK(ibv_close_xrcd(xb) == EBUSY, "close_xrcd_target_ebusy",
	      "not EBUSY");
	destroy_pair(p);
	CHECK(!ibv_close_xrcd(xb), "close_xrcd", "%s", strerror(errno));
	CHECK(!ibv_destroy_srq(srq[1]) && !ibv_close_xrcd(xc),
	      "close_xrcd_other_context", "%s", strerror(errno));
	fd = open(path, O_RDONLY);
	CHECK(open_refused(b->ctx, fd, 0), "domain_gone_after_last_close",
	      "still opens");
	close(fd);
}

static void check_xrc(struct side *a, struct side *b, struct side *c,
		      const char *path)
{
	struct ibv_device_attr da = { 0 };
	struct ibv_xrcd *xb = NULL, *xc = NULL;
	struct ibv_srq *srq[2];
	struct xpair p = { 0 };
	uint32_t srqn[2];

	CHECK(!ibv_query_device(a->ctx, &da) &&
	      (da.device_cap_flags & IBV_DEVICE_XRC), "device_offers_xrc",
	      "device_cap_flags %#x", da.device_cap_flags);
	if (!check_open(b, c, path, &xb, &xc) ||
	    !check_srqs(b, c, xb, xc, srq, srqn))
		return;
	if (make_pair(a, b, xb, false, &p, "connect_pair")) {
		check_delivery(a, b, c, &p, srq, srqn);
		check_write(a, b, &p, srqn);
	}
	check_unknown_srqn(a, b, xb, srqn);
	check_wr_api(a, b, xb, srqn);
	check_close(b, c, path, &p, srq, xb, xc);
}

int main(void)
{
	struct side a = { 0 }, b = { 0 }, c = { 0 };
	char path[] = "/tmp/ff_xrc.XXXXXX";
	int fd = mkstemp(path);

	if (!CHECK(fd >= 0, "temp_file", "%s", strerror(errno)))
		return t_summary();
	close(fd);
	if (!open_side(&a, &lid, BUF, IBV_ACCESS_LOCAL_WRITE) &&
	    !open_side(&b, &lid, BUF, ACCESS) &&
	    !open_side(&c, &lid, BUF, ACCESS)) {
		check_xrc(&a, &b, &c, path);
		CHECK(close_side(&a) && close_side(&b) && close_side(&c),
		      "close", "%s", strerror(errno));
	}
	unlink(path);
	return t_summary();
}
