// SPDX-License-Identifier: Apache-2.0
/*
 * The data path: what ibv_post_send, ibv_post_recv and ibv_poll_cq reach
 * through ibv_context_ops.  No message: work requests are written into the
 * QP's shared rings and published with a release store of prod;
 * completions are copied out of the CQ ring up to prod (acquire) and
 * released with a store of cons.  The only system call is the doorbell,
 * and only while the router's poller sleeps (ffl_bell_ring).
 */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ffl.h"

_Static_assert(sizeof(struct ff_sge) == sizeof(struct ibv_sge) &&
	       offsetof(struct ff_sge, addr) ==
		       offsetof(struct ibv_sge, addr) &&
	       offsetof(struct ff_sge, length) ==
		       offsetof(struct ibv_sge, length) &&
	       offsetof(struct ff_sge, lkey) == offsetof(struct ibv_sge, lkey),
	       "ff_sge must mirror ibv_sge");
_Static_assert(sizeof(struct ibv_wc) == 48 &&
	       offsetof(struct ff_cqe, wr_id) ==
		       offsetof(struct ibv_wc, wr_id) &&
	       offsetof(struct ff_cqe, status) ==
		       offsetof(struct ibv_wc, status) &&
	       offsetof(struct ff_cqe, opcode) ==
		       offsetof(struct ibv_wc, opcode) &&
	       offsetof(struct ff_cqe, vendor_err) ==
		       offsetof(struct ibv_wc, vendor_err) &&
	       offsetof(struct ff_cqe, byte_len) ==
		       offsetof(struct ibv_wc, byte_len) &&
	       offsetof(struct ff_cqe, imm_data) ==
		       offsetof(struct ibv_wc, imm_data) &&
	       offsetof(struct ff_cqe, qp_num) ==
		       offsetof(struct ibv_wc, qp_num) &&
	       offsetof(struct ff_cqe, src_qp) ==
		       offsetof(struct ibv_wc, src_qp) &&
	       offsetof(struct ff_cqe, wc_flags) ==
		       offsetof(struct ibv_wc, wc_flags) &&
	       offsetof(struct ff_cqe, pkey_index) ==
		       offsetof(struct ibv_wc, pkey_index) &&
	       offsetof(struct ff_cqe, slid) == offsetof(struct ibv_wc, slid) &&
	       offsetof(struct ff_cqe, sl) == offsetof(struct ibv_wc, sl) &&
	       offsetof(struct ff_cqe, dlid_path_bits) ==
		       offsetof(struct ibv_wc, dlid_path_bits),
	       "the first 48 bytes of ff_cqe must be struct ibv_wc");

#define FFL_POLL_YIELD_DEFAULT 8

/* empty polls between two sched_yield(); 0 = never yield */
static unsigned int poll_yield = FFL_POLL_YIELD_DEFAULT;
static __thread unsigned int empty_polls
	__attribute__((tls_model("initial-exec")));

static void read_env(void)
{
	const char *v = getenv("FREEFLOW_POLL_YIELD");
	char *end;
	unsigned long n;

	if (!v || !*v)
		return;
	n = strtoul(v, &end, 10);
	if (!*end && n <= UINT_MAX)
		poll_yield = (unsigned int)n;
}

void ffl_datapath_init(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, read_env);
}

/*
 * The slow half of a doorbell: the router's poller sleeps.  The eventfd is
 * shared with the router, so its flags are left alone; a write of 1 only
 * blocks when the counter is about to overflow, which a sleeping router
 * cannot let happen.  EAGAIN (the router made it non-blocking and the
 * counter is full) means the router has plenty to wake up to; any other
 * failure (the router went away) shows up on the next control call.
 */
void ffl_bell_write(int fd)
{
	uint64_t one = 1;
	ssize_t n;

	do {
		n = write(fd, &one, sizeof(one));
	} while (n < 0 && errno == EINTR);
}

static bool opcode_ok(enum ibv_qp_type type, enum ibv_wr_opcode op)
{
	switch (op) {
	case IBV_WR_SEND:
	case IBV_WR_SEND_WITH_IMM:
		return true;
	case IBV_WR_RDMA_WRITE:
	case IBV_WR_RDMA_WRITE_WITH_IMM:
		return type == IBV_QPT_RC || type == IBV_QPT_UC;
	case IBV_WR_RDMA_READ:
	case IBV_WR_ATOMIC_CMP_AND_SWP:
	case IBV_WR_ATOMIC_FETCH_AND_ADD:
		return type == IBV_QPT_RC;
	default:
		return false;
	}
}

static bool opcode_inlines(enum ibv_wr_opcode op)
{
	return op == IBV_WR_SEND || op == IBV_WR_SEND_WITH_IMM ||
	       op == IBV_WR_RDMA_WRITE || op == IBV_WR_RDMA_WRITE_WITH_IMM;
}

/* Gather the SGEs of @wr into @dst; returns the byte count or -1. */
static long gather_inline(const struct ibv_send_wr *wr, uint8_t *dst,
			  size_t room)
{
	size_t total = 0;
	int i;

	for (i = 0; i < wr->num_sge; i++) {
		size_t len = wr->sg_list[i].length;

		if (len > room - total)
			return -1;
		memcpy(dst + total, (void *)(uintptr_t)wr->sg_list[i].addr,
		       len);
		total += len;
	}
	return (long)total;
}

/* Write one send WQE into the next SQ slot; 0 or a positive errno. */
static int sq_write(struct ffl_qp *qp, const struct ibv_send_wr *wr)
{
	enum ibv_qp_type type = qp->ibqpx.qp_base.qp_type;
	struct ff_send_wqe *wqe;
	size_t room;
	long len;

	if (!opcode_ok(type, wr->opcode) || wr->num_sge < 0 ||
	    (uint32_t)wr->num_sge > qp->cap.max_send_sge)
		return EINVAL;
	wqe = ffl_ring_next(&qp->sq);
	if (!wqe)
		return ENOMEM;
	room = qp->sq.slot_size - sizeof(*wqe);

	memset(wqe, 0, sizeof(*wqe));
	wqe->wr_id = wr->wr_id;
	wqe->opcode = wr->opcode;
	wqe->send_flags = wr->send_flags;
	wqe->imm_data = wr->imm_data;
	switch (wr->opcode) {
	case IBV_WR_RDMA_WRITE:
	case IBV_WR_RDMA_WRITE_WITH_IMM:
	case IBV_WR_RDMA_READ:
		wqe->remote_addr = wr->wr.rdma.remote_addr;
		wqe->rkey = wr->wr.rdma.rkey;
		break;
	case IBV_WR_ATOMIC_CMP_AND_SWP:
	case IBV_WR_ATOMIC_FETCH_AND_ADD:
		wqe->remote_addr = wr->wr.atomic.remote_addr;
		wqe->rkey = wr->wr.atomic.rkey;
		wqe->compare_add = wr->wr.atomic.compare_add;
		wqe->swap = wr->wr.atomic.swap;
		break;
	default:
		break;
	}
	if (type == IBV_QPT_UD) {
		if (!wr->wr.ud.ah)
			return EINVAL;
		wqe->ah = wr->wr.ud.ah->handle;
		wqe->remote_qpn = wr->wr.ud.remote_qpn;
		wqe->remote_qkey = wr->wr.ud.remote_qkey;
	}

	if ((wr->send_flags & IBV_SEND_INLINE) && opcode_inlines(wr->opcode)) {
		if (room > qp->cap.max_inline_data)
			room = qp->cap.max_inline_data;
		len = gather_inline(wr, (uint8_t *)(wqe + 1), room);
		if (len < 0)
			return EINVAL;
		wqe->inline_len = (uint32_t)len;
	} else {
		if ((size_t)wr->num_sge * sizeof(struct ff_sge) > room)
			return EINVAL;
		wqe->send_flags &= ~(uint32_t)IBV_SEND_INLINE;
		wqe->num_sge = (uint32_t)wr->num_sge;
		if (wr->num_sge)
			memcpy(wqe + 1, wr->sg_list,
			       (size_t)wr->num_sge * sizeof(struct ff_sge));
	}
	ffl_ring_push(&qp->sq);
	return 0;
}

int ffl_post_send(struct ibv_qp *ibqp, struct ibv_send_wr *wr,
		  struct ibv_send_wr **bad_wr)
{
	struct ffl_qp *qp = to_fqp(ibqp);
	bool published;
	uint32_t start;
	int err = 0;

	if (!ffl_ring_present(&qp->sq)) {
		*bad_wr = wr;
		return EINVAL;
	}
	ffl_lock(&qp->sq_lock);
	start = qp->sq.head;
	for (; wr; wr = wr->next) {
		err = sq_write(qp, wr);
		if (err) {
			*bad_wr = wr;
			break;
		}
	}
	published = qp->sq.head != start;
	ffl_ring_publish(&qp->sq);
	ffl_unlock(&qp->sq_lock);
	if (published)
		ffl_bell_ring(&qp->bell);
	return err;
}

static int rq_write(struct ffl_qp *qp, const struct ibv_recv_wr *wr)
{
	struct ff_recv_wqe *wqe;

	if (wr->num_sge < 0 || (uint32_t)wr->num_sge > qp->cap.max_recv_sge ||
	    sizeof(*wqe) + (size_t)wr->num_sge * sizeof(struct ff_sge) >
		    qp->rq.slot_size)
		return EINVAL;
	wqe = ffl_ring_next(&qp->rq);
	if (!wqe)
		return ENOMEM;
	wqe->wr_id = wr->wr_id;
	wqe->num_sge = (uint32_t)wr->num_sge;
	wqe->reserved = 0;
	if (wr->num_sge)
		memcpy(wqe + 1, wr->sg_list,
		       (size_t)wr->num_sge * sizeof(struct ff_sge));
	ffl_ring_push(&qp->rq);
	return 0;
}

int ffl_post_recv(struct ibv_qp *ibqp, struct ibv_recv_wr *wr,
		  struct ibv_recv_wr **bad_wr)
{
	struct ffl_qp *qp = to_fqp(ibqp);
	bool published;
	uint32_t start;
	int err = 0;

	if (ibqp->srq || !ffl_ring_present(&qp->rq)) {
		*bad_wr = wr;
		return EINVAL;
	}
	ffl_lock(&qp->rq_lock);
	start = qp->rq.head;
	for (; wr; wr = wr->next) {
		err = rq_write(qp, wr);
		if (err) {
			*bad_wr = wr;
			break;
		}
	}
	published = qp->rq.head != start;
	ffl_ring_publish(&qp->rq);
	ffl_unlock(&qp->rq_lock);
	if (published)
		ffl_bell_ring(&qp->bell);
	return err;
}

int ffl_poll_cq(struct ibv_cq *ibcq, int ne, struct ibv_wc *wc)
{
	struct ffl_cq *cq = to_fcq(ibcq);
	uint32_t i, n, ready;

	if (ne <= 0)
		return 0;
	ffl_lock(&cq->lock);
	n = ready = ffl_ring_ready(&cq->ring);
	if (n > (uint32_t)ne)
		n = (uint32_t)ne;
	for (i = 0; i < n; i++)
		memcpy(&wc[i], ffl_ring_peek(&cq->ring, i), sizeof(*wc));
	if (n)
		ffl_ring_pop(&cq->ring, n);
	ffl_unlock(&cq->lock);

	if (n) {
		empty_polls = 0;
		/*
		 * A router that ran out of CQ room has nothing to do and may
		 * sleep: tell it about the room we just made.  Checked only
		 * for a CQ at least half full, so the common case stays
		 * fence-free.
		 */
		if (ready >= (cq->ring.mask >> 1) + 1)
			ffl_bell_ring(&cq->bell);
	} else if (poll_yield && ++empty_polls >= poll_yield) {
		/* let the router (and the peer) run on a small machine */
		empty_polls = 0;
		sched_yield();
	}
	return (int)n;
}

static int ffl_post_srq_recv(struct ibv_srq *srq, struct ibv_recv_wr *wr,
			     struct ibv_recv_wr **bad_wr)
{
	(void)srq;
	*bad_wr = wr;
	return EOPNOTSUPP;
}

const struct ibv_context_ops ffl_ctx_ops = {
	.poll_cq = ffl_poll_cq,
	.req_notify_cq = ffl_req_notify_cq,
	.post_srq_recv = ffl_post_srq_recv,
	.post_send = ffl_post_send,
	.post_recv = ffl_post_recv,
};
