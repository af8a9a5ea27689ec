// SPDX-License-Identifier: Apache-2.0
/*
 * The ibv_wr_* post-send API (struct ibv_qp_ex) of a QP made by
 * ibv_create_qp_ex with send_ops_flags.
 *
 * ibv_wr_start takes the SQ as ibv_post_send does; each opcode call
 * (ibv_wr_send, ibv_wr_rdma_write, ...) begins a WQE in the next SQ slot
 * from qp_ex->wr_id and ->wr_flags, the setters that follow fill its
 * payload, and the next opcode call or ibv_wr_complete counts it.  The
 * WQEs are built by the same pieces as ibv_post_send's (datapath.c), so a
 * WR gives the same ff_send_wqe either way, checked the same way.
 * ibv_wr_complete publishes prod and rings the doorbell once, or, after
 * an error, drops the whole batch and returns the first error;
 * ibv_wr_abort drops the batch.
 */
#include <errno.h>

#include "ffl.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
	uint64_t flag;
	enum ibv_wr_opcode op;
} send_ops[] = {
	{ IBV_QP_EX_WITH_RDMA_WRITE, IBV_WR_RDMA_WRITE },
	{ IBV_QP_EX_WITH_RDMA_WRITE_WITH_IMM, IBV_WR_RDMA_WRITE_WITH_IMM },
	{ IBV_QP_EX_WITH_SEND, IBV_WR_SEND },
	{ IBV_QP_EX_WITH_SEND_WITH_IMM, IBV_WR_SEND_WITH_IMM },
	{ IBV_QP_EX_WITH_RDMA_READ, IBV_WR_RDMA_READ },
	{ IBV_QP_EX_WITH_ATOMIC_CMP_AND_SWP, IBV_WR_ATOMIC_CMP_AND_SWP },
	{ IBV_QP_EX_WITH_ATOMIC_FETCH_AND_ADD, IBV_WR_ATOMIC_FETCH_AND_ADD },
};

/*
 * 0 when every op of @flags is offered and allowed on a @type QP, else
 * EOPNOTSUPP (local invalidate, bind MW, send with invalidate, TSO,
 * atomic write are not offered).
 */
int ffl_qpx_check(enum ibv_qp_type type, uint64_t flags)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(send_ops); i++) {
		if (!(flags & send_ops[i].flag))
			continue;
		if (!ffl_opcode_ok(type, send_ops[i].op))
			return EOPNOTSUPP;
		flags &= ~send_ops[i].flag;
	}
	return flags ? EOPNOTSUPP : 0;
}

/* The batch keeps its first error; the WR in progress is abandoned. */
static void wr_fail(struct ffl_wr_batch *b, int err)
{
	if (!b->err)
		b->err = err;
	b->wqe = NULL;
}

/* Counts the WR built so far, if any, into the batch. */
static void wr_finish(struct ffl_qp *qp)
{
	struct ffl_wr_batch *b = &qp->wr;

	if (!b->wqe)
		return;
	if (b->need_ud) {
		/* ibv_post_send's rule: a UD WR needs an address handle */
		wr_fail(b, EINVAL);
		return;
	}
	ffl_ring_push(&qp->sq);
	b->wqe = NULL;
}

/* The WR a setter applies to; none (or a failed one): NULL. */
static struct ff_send_wqe *wr_cur(struct ffl_qp *qp)
{
	if (!qp->wr.wqe && !qp->wr.err)
		qp->wr.err = EINVAL;	/* a setter before any opcode */
	return qp->wr.wqe;
}

/* Begins the next WR of the batch with qp_ex->wr_id and ->wr_flags. */
static struct ff_send_wqe *wr_begin(struct ibv_qp_ex *qpx,
				    enum ibv_wr_opcode op)
{
	struct ffl_qp *qp = to_fqpx(qpx);
	struct ff_send_wqe *wqe;
	int err;

	wr_finish(qp);
	if (qp->wr.err)
		return NULL;
	if (!ffl_ring_present(&qp->sq))
		err = EINVAL;
	else
		err = ffl_sq_begin(qp, qpx->wr_id, op, qpx->wr_flags, &wqe);
	if (err) {
		wr_fail(&qp->wr, err);
		return NULL;
	}
	qp->wr.wqe = wqe;
	qp->wr.need_ud = qpx->qp_base.qp_type == IBV_QPT_UD;
	return wqe;
}

static struct ff_send_wqe *wr_begin_remote(struct ibv_qp_ex *qpx,
					   enum ibv_wr_opcode op,
					   uint32_t rkey, uint64_t addr)
{
	struct ff_send_wqe *wqe = wr_begin(qpx, op);

	if (wqe) {
		wqe->remote_addr = addr;
		wqe->rkey = rkey;
	}
	return wqe;
}

static void wr_start(struct ibv_qp_ex *qpx)
{
	struct ffl_qp *qp = to_fqpx(qpx);
	bool locked = ffl_lock_span(&qp->sq_lock);

	qp->wr = (struct ffl_wr_batch){
		.start = qp->sq.head,
		.locked = locked,
	};
}

static int wr_complete(struct ibv_qp_ex *qpx)
{
	struct ffl_qp *qp = to_fqpx(qpx);
	struct ffl_wr_batch *b = &qp->wr;
	bool published;
	int err;

	wr_finish(qp);
	err = b->err;
	if (err)
		qp->sq.head = b->start;	/* nothing of a failed batch */
	published = qp->sq.head != b->start;
	if (published)
		ffl_ring_publish(&qp->sq);
	ffl_unlock_span(&qp->sq_lock, b->locked);
	if (published)
		ffl_bell_ring(&qp->bell);
	return err;
}

static void wr_abort(struct ibv_qp_ex *qpx)
{
	struct ffl_qp *qp = to_fqpx(qpx);

	qp->sq.head = qp->wr.start;
	qp->wr.wqe = NULL;
	ffl_unlock_span(&qp->sq_lock, qp->wr.locked);
}

static void wr_send(struct ibv_qp_ex *qpx)
{
	wr_begin(qpx, IBV_WR_SEND);
}

static void wr_send_imm(struct ibv_qp_ex *qpx, __be32 imm_data)
{
	struct ff_send_wqe *wqe = wr_begin(qpx, IBV_WR_SEND_WITH_IMM);

	if (wqe)
		wqe->imm_data = imm_data;
}

static void wr_rdma_write(struct ibv_qp_ex *qpx, uint32_t rkey,
			  uint64_t remote_addr)
{
	wr_begin_remote(qpx, IBV_WR_RDMA_WRITE, rkey, remote_addr);
}

static void wr_rdma_write_imm(struct ibv_qp_ex *qpx, uint32_t rkey,
			      uint64_t remote_addr, __be32 imm_data)
{
	struct ff_send_wqe *wqe = wr_begin_remote(
		qpx, IBV_WR_RDMA_WRITE_WITH_IMM, rkey, remote_addr);

	if (wqe)
		wqe->imm_data = imm_data;
}

static void wr_rdma_read(struct ibv_qp_ex *qpx, uint32_t rkey,
			 uint64_t remote_addr)
{
	wr_begin_remote(qpx, IBV_WR_RDMA_READ, rkey, remote_addr);
}

static void wr_atomic_cmp_swp(struct ibv_qp_ex *qpx, uint32_t rkey,
			      uint64_t remote_addr, uint64_t compare,
			      uint64_t swap)
{
	struct ff_send_wqe *wqe = wr_begin_remote(
		qpx, IBV_WR_ATOMIC_CMP_AND_SWP, rkey, remote_addr);

	if (wqe) {
		wqe->compare_add = compare;
		wqe->swap = swap;
	}
}

static void wr_atomic_fetch_add(struct ibv_qp_ex *qpx, uint32_t rkey,
				uint64_t remote_addr, uint64_t add)
{
	struct ff_send_wqe *wqe = wr_begin_remote(
		qpx, IBV_WR_ATOMIC_FETCH_AND_ADD, rkey, remote_addr);

	if (wqe)
		wqe->compare_add = add;
}

/*
 * SGEs, copied now; gathered inline when wr_flags asks for
 * IBV_SEND_INLINE, as ibv_post_send does.
 */
static void wr_set_sge_list(struct ibv_qp_ex *qpx, size_t num_sge,
			    const struct ibv_sge *sg_list)
{
	struct ffl_qp *qp = to_fqpx(qpx);
	struct ff_send_wqe *wqe = wr_cur(qp);
	int err;

	if (!wqe)
		return;
	err = ffl_sq_payload(qp, wqe, sg_list, num_sge,
			     qpx->wr_flags & IBV_SEND_INLINE);
	if (err)
		wr_fail(&qp->wr, err);
}

static void wr_set_sge(struct ibv_qp_ex *qpx, uint32_t lkey, uint64_t addr,
		       uint32_t length)
{
	struct ibv_sge sge = { .addr = addr, .length = length, .lkey = lkey };

	wr_set_sge_list(qpx, 1, &sge);
}

/* Inline data is copied now: the app may reuse its buffers at once. */
static void wr_set_inline_data_list(struct ibv_qp_ex *qpx, size_t num_buf,
				    const struct ibv_data_buf *buf_list)
{
	struct ffl_qp *qp = to_fqpx(qpx);
	struct ff_send_wqe *wqe = wr_cur(qp);
	int err = 0;
	size_t i;

	if (!wqe)
		return;
	for (i = 0; !err && i < num_buf; i++)
		err = ffl_sq_inline(qp, wqe, buf_list[i].addr,
				    buf_list[i].length);
	if (err)
		wr_fail(&qp->wr, err);
}

static void wr_set_inline_data(struct ibv_qp_ex *qpx, void *addr,
			       size_t length)
{
	struct ibv_data_buf buf = { .addr = addr, .length = length };

	wr_set_inline_data_list(qpx, 1, &buf);
}

static void wr_set_ud_addr(struct ibv_qp_ex *qpx, struct ibv_ah *ah,
			   uint32_t remote_qpn, uint32_t remote_qkey)
{
	struct ffl_qp *qp = to_fqpx(qpx);
	struct ff_send_wqe *wqe = wr_cur(qp);

	if (!wqe)
		return;
	if (!ah) {
		wr_fail(&qp->wr, EINVAL);
		return;
	}
	ffl_ud_address(wqe, ah, remote_qpn, remote_qkey);
	qp->wr.need_ud = false;
}

/* XRC_SEND: the SRQ of the target's XRC domain the WR goes to. */
static void wr_set_xrc_srqn(struct ibv_qp_ex *qpx, uint32_t remote_srqn)
{
	struct ff_send_wqe *wqe = wr_cur(to_fqpx(qpx));

	if (wqe)
		wqe->remote_srqn = remote_srqn;
}

/*
 * Installs the API.  Every offered op gets its function; one the QP type
 * does not allow fails the batch with EINVAL, as in ibv_post_send.
 */
void ffl_qpx_init(struct ffl_qp *qp)
{
	struct ibv_qp_ex *x = &qp->ibqpx;

	x->comp_mask = 0;
	x->wr_start = wr_start;
	x->wr_complete = wr_complete;
	x->wr_abort = wr_abort;
	x->wr_send = wr_send;
	x->wr_send_imm = wr_send_imm;
	x->wr_rdma_write = wr_rdma_write;
	x->wr_rdma_write_imm = wr_rdma_write_imm;
	x->wr_rdma_read = wr_rdma_read;
	x->wr_atomic_cmp_swp = wr_atomic_cmp_swp;
	x->wr_atomic_fetch_add = wr_atomic_fetch_add;
	x->wr_set_sge = wr_set_sge;
	x->wr_set_sge_list = wr_set_sge_list;
	x->wr_set_inline_data = wr_set_inline_data;
	x->wr_set_inline_data_list = wr_set_inline_data_list;
	if (qp->ibqpx.qp_base.qp_type == IBV_QPT_UD)
		x->wr_set_ud_addr = wr_set_ud_addr;
	if (qp->ibqpx.qp_base.qp_type == IBV_QPT_XRC_SEND)
		x->wr_set_xrc_srqn = wr_set_xrc_srqn;
	qp->has_qpx = true;
}
