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
#include <signal.h>
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
 * The slow half of a doorbell: the router's poller sleeps.  One byte into
 * the doorbell pipe, whose writing end is ours and non-blocking (made so
 * at open), so ringing never blocks: EAGAIN means the pipe is full, and a
 * full pipe is a wake-up the router has not taken yet, which is all a ring
 * is.  A pipe whose reader is gone (the router closed the doorbell or
 * died) answers EPIPE and raises SIGPIPE, whose default action would kill
 * the app: the signal is blocked around the write and, if this write
 * raised it, taken back; an app that blocks SIGPIPE itself keeps what it
 * gets.  Any failure shows up on the next control call.
 */
void ffl_bell_write(int fd)
{
	static const char one = 1;
	static const struct timespec zero;
	sigset_t sigpipe, old;
	int saved = errno;
	ssize_t n;

	sigemptyset(&sigpipe);
	sigaddset(&sigpipe, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &sigpipe, &old);
	do {
		n = write(fd, &one, 1);
	} while (n < 0 && errno == EINTR);
	/* EPIPE sends SIGPIPE to this thread: pending now, unless it was
	 * blocked (and maybe pending) before, which is the app's business */
	if (n < 0 && errno == EPIPE && !sigismember(&old, SIGPIPE))
		while (sigtimedwait(&sigpipe, NULL, &zero) < 0 &&
		       errno == EINTR)
			;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	errno = saved;
}

bool ffl_opcode_ok(enum ibv_qp_type type, enum ibv_wr_opcode op)
{
	bool reliable = type == IBV_QPT_RC || type == IBV_QPT_XRC_SEND;

	switch (op) {
	case IBV_WR_SEND:
	case IBV_WR_SEND_WITH_IMM:
		return true;
	case IBV_WR_RDMA_WRITE:
	case IBV_WR_RDMA_WRITE_WITH_IMM:
		return reliable || type == IBV_QPT_UC;
	case IBV_WR_RDMA_READ:
	case IBV_WR_ATOMIC_CMP_AND_SWP:
	case IBV_WR_ATOMIC_FETCH_AND_ADD:
		return reliable;
	default:
		return false;
	}
}

static bool opcode_inlines(enum ibv_wr_opcode op)
{
	return op == IBV_WR_SEND || op == IBV_WR_SEND_WITH_IMM ||
	       op == IBV_WR_RDMA_WRITE || op == IBV_WR_RDMA_WRITE_WITH_IMM;
}

/* Bytes of a send slot after the header: SGEs or inline data. */
static size_t sq_room(const struct ffl_qp *qp)
{
	return qp->sq.slot_size - sizeof(struct ff_send_wqe);
}

int ffl_sq_begin(struct ffl_qp *qp, uint64_t wr_id, enum ibv_wr_opcode op,
		 unsigned int send_flags, struct ff_send_wqe **out)
{
	struct ff_send_wqe *wqe;

	if (!ffl_opcode_ok(qp->ibqpx.qp_base.qp_type, op))
		return EINVAL;
	wqe = ffl_ring_next(&qp->sq);
	if (!wqe)
		return ENOMEM;
	memset(wqe, 0, sizeof(*wqe));
	wqe->wr_id = wr_id;
	wqe->opcode = op;
	/* IBV_SEND_INLINE says how the payload travels: ffl_sq_inline */
	wqe->send_flags = send_flags & ~(uint32_t)IBV_SEND_INLINE;
	*out = wqe;
	return 0;
}

static int sq_sges(struct ffl_qp *qp, struct ff_send_wqe *wqe,
		   const struct ibv_sge *sg, size_t num_sge)
{
	if (num_sge * sizeof(struct ff_sge) > sq_room(qp))
		return EINVAL;
	wqe->num_sge = (uint32_t)num_sge;
	if (num_sge)
		memcpy(wqe + 1, sg, num_sge * sizeof(struct ff_sge));
	return 0;
}

/* Appends @length bytes of inline payload, up to max_inline_data. */
int ffl_sq_inline(struct ffl_qp *qp, struct ff_send_wqe *wqe,
		  const void *addr, size_t length)
{
	size_t room = sq_room(qp);

	if (room > qp->cap.max_inline_data)
		room = qp->cap.max_inline_data;
	if (!opcode_inlines(wqe->opcode) || wqe->num_sge ||
	    length > room - wqe->inline_len)
		return EINVAL;
	if (length)
		memcpy((uint8_t *)(wqe + 1) + wqe->inline_len, addr, length);
	wqe->inline_len += (uint32_t)length;
	wqe->send_flags |= IBV_SEND_INLINE;
	return 0;
}

/* Replaces the payload of @wqe; see ffl.h. */
int ffl_sq_payload(struct ffl_qp *qp, struct ff_send_wqe *wqe,
		   const struct ibv_sge *sg, size_t num_sge, bool inl)
{
	size_t i;
	int err = 0;

	if (num_sge > qp->cap.max_send_sge)
		return EINVAL;
	wqe->num_sge = 0;
	wqe->inline_len = 0;
	wqe->send_flags &= ~(uint32_t)IBV_SEND_INLINE;
	if (!inl || !opcode_inlines(wqe->opcode))
		return sq_sges(qp, wqe, sg, num_sge);
	wqe->send_flags |= IBV_SEND_INLINE;
	for (i = 0; !err && i < num_sge; i++)
		err = ffl_sq_inline(qp, wqe,
				    (const void *)(uintptr_t)sg[i].addr,
				    sg[i].length);
	return err;
}

/* Write one send WQE into the next SQ slot; 0 or a positive errno. */
static int sq_write(struct ffl_qp *qp, const struct ibv_send_wr *wr)
{
	struct ff_send_wqe *wqe;
	int err;

	if (wr->num_sge < 0 || (uint32_t)wr->num_sge > qp->cap.max_send_sge)
		return EINVAL;
	/* UD: an address handle of the QP's PD */
	if (qp->ibqpx.qp_base.qp_type == IBV_QPT_UD &&
	    (!wr->wr.ud.ah || wr->wr.ud.ah->pd != qp->ibqpx.qp_base.pd))
		return EINVAL;
	err = ffl_sq_begin(qp, wr->wr_id, wr->opcode, wr->send_flags, &wqe);
	if (err)
		return err;
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
	if (qp->ibqpx.qp_base.qp_type == IBV_QPT_UD) {
		ffl_ud_address(wqe, wr->wr.ud.ah, wr->wr.ud.remote_qpn,
			       wr->wr.ud.remote_qkey);
	} else if (qp->ibqpx.qp_base.qp_type == IBV_QPT_XRC_SEND) {
		wqe->remote_srqn = wr->qp_type.xrc.remote_srqn;
	}

	err = ffl_sq_payload(qp, wqe, wr->sg_list, (size_t)wr->num_sge,
			     wr->send_flags & IBV_SEND_INLINE);
	if (!err)
		ffl_ring_push(&qp->sq);
	return err;
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

/* One receive WQE into @rq (ring geometry checked at attach). */
static int rq_write(struct ffl_ring *rq, uint32_t max_sge,
		    const struct ibv_recv_wr *wr)
{
	struct ff_recv_wqe *wqe;

	if (wr->num_sge < 0 || (uint32_t)wr->num_sge > max_sge ||
	    sizeof(*wqe) + (size_t)wr->num_sge * sizeof(struct ff_sge) >
		    rq->slot_size)
		return EINVAL;
	wqe = ffl_ring_next(rq);
	if (!wqe)
		return ENOMEM;
	wqe->wr_id = wr->wr_id;
	wqe->num_sge = (uint32_t)wr->num_sge;
	wqe->reserved = 0;
	if (wr->num_sge)
		memcpy(wqe + 1, wr->sg_list,
		       (size_t)wr->num_sge * sizeof(struct ff_sge));
	ffl_ring_push(rq);
	return 0;
}

/*
 * Posts the list @wr to @rq under @lock; returns 0 or the error of *bad_wr.
 * Rings the doorbell when something was published.
 */
static int post_receives(struct ffl_ring *rq, pthread_spinlock_t *lock,
			 uint32_t max_sge, const struct ffl_bell *bell,
			 struct ibv_recv_wr *wr, struct ibv_recv_wr **bad_wr)
{
	bool published;
	uint32_t start;
	int err = 0;

	ffl_lock(lock);
	start = rq->head;
	for (; wr; wr = wr->next) {
		err = rq_write(rq, max_sge, wr);
		if (err) {
			*bad_wr = wr;
			break;
		}
	}
	published = rq->head != start;
	ffl_ring_publish(rq);
	ffl_unlock(lock);
	if (published)
		ffl_bell_ring(bell);
	return err;
}

int ffl_post_recv(struct ibv_qp *ibqp, struct ibv_recv_wr *wr,
		  struct ibv_recv_wr **bad_wr)
{
	struct ffl_qp *qp = to_fqp(ibqp);

	/* as rdma-core's providers: a QP with an SRQ has no receive queue */
	if (ibqp->srq || !ffl_ring_present(&qp->rq)) {
		*bad_wr = wr;
		return EINVAL;
	}
	return post_receives(&qp->rq, &qp->rq_lock, qp->cap.max_recv_sge,
			     &qp->bell, wr, bad_wr);
}

int ffl_post_srq_recv(struct ibv_srq *ibsrq, struct ibv_recv_wr *wr,
		      struct ibv_recv_wr **bad_wr)
{
	struct ffl_srq *srq = to_fsrq(ibsrq);

	return post_receives(&srq->rq, &srq->lock, srq->max_sge, &srq->bell,
			     wr, bad_wr);
}

/*
 * After a poll that took @n of the @ready entries it found: a router that
 * ran out of CQ room has nothing to do and may sleep, so tell it about
 * the room just made (only for a CQ at least half full, so the common
 * case stays fence-free).  Nothing found: let the router (and the peer)
 * run on a small machine every few empty polls.
 */
static void cq_polled(struct ffl_cq *cq, uint32_t n, uint32_t ready)
{
	if (n) {
		empty_polls = 0;
		if (ready >= (cq->ring.mask >> 1) + 1)
			ffl_bell_ring(&cq->bell);
	} else if (poll_yield && ++empty_polls >= poll_yield) {
		empty_polls = 0;
		sched_yield();
	}
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
	cq_polled(cq, n, ready);
	return (int)n;
}

/* ---- ibv_cq_ex: ibv_start_poll, ibv_next_poll, ibv_end_poll ---------- */

/* Hands out the next ready entry: wr_id and status, then read_*. */
static void cqx_take(struct ffl_cq *cq)
{
	const struct ff_cqe *e = ffl_ring_peek(&cq->ring, cq->polled++);

	cq->cur = e;
	cq->ibcqx.wr_id = e->wr_id;
	cq->ibcqx.status = (enum ibv_wc_status)e->status;
}

/*
 * Takes the CQ's lock until ibv_end_poll, as a provider does; ENOENT
 * (empty) leaves it unlocked and ibv_end_poll must not follow.
 */
static int cqx_start_poll(struct ibv_cq_ex *ibcqx,
			  struct ibv_poll_cq_attr *attr)
{
	struct ffl_cq *cq = to_fcqx(ibcqx);

	if (attr && attr->comp_mask)
		return EINVAL;
	cq->locked = ffl_lock_span(&cq->lock);
	cq->ready = ffl_ring_ready(&cq->ring);
	if (!cq->ready) {
		ffl_unlock_span(&cq->lock, cq->locked);
		cq_polled(cq, 0, 0);
		return ENOENT;
	}
	cq->polled = 0;
	cqx_take(cq);
	return 0;
}

static int cqx_next_poll(struct ibv_cq_ex *ibcqx)
{
	struct ffl_cq *cq = to_fcqx(ibcqx);
	uint32_t ready;

	if (cq->polled >= cq->ready) {
		/* what the router published since */
		ready = ffl_ring_ready(&cq->ring);
		if (ready <= cq->polled)
			return ENOENT;
		cq->ready = ready;
	}
	cqx_take(cq);
	return 0;
}

/* Releases every entry handed out since ibv_start_poll. */
static void cqx_end_poll(struct ibv_cq_ex *ibcqx)
{
	struct ffl_cq *cq = to_fcqx(ibcqx);
	uint32_t n = cq->polled;

	ffl_ring_pop(&cq->ring, n);
	cq->cur = NULL;
	cq->polled = 0;
	ffl_unlock_span(&cq->lock, cq->locked);
	cq_polled(cq, n, cq->ready);
}

static enum ibv_wc_opcode cqx_read_opcode(struct ibv_cq_ex *cq)
{
	return (enum ibv_wc_opcode)to_fcqx(cq)->cur->opcode;
}

static uint32_t cqx_read_vendor_err(struct ibv_cq_ex *cq)
{
	return to_fcqx(cq)->cur->vendor_err;
}

static uint32_t cqx_read_byte_len(struct ibv_cq_ex *cq)
{
	return to_fcqx(cq)->cur->byte_len;
}

static __be32 cqx_read_imm_data(struct ibv_cq_ex *cq)
{
	/* stored as the sender wrote it: network order already */
	return (__be32)to_fcqx(cq)->cur->imm_data;
}

static uint32_t cqx_read_qp_num(struct ibv_cq_ex *cq)
{
	return to_fcqx(cq)->cur->qp_num;
}

static uint32_t cqx_read_src_qp(struct ibv_cq_ex *cq)
{
	return to_fcqx(cq)->cur->src_qp;
}

static unsigned int cqx_read_wc_flags(struct ibv_cq_ex *cq)
{
	return to_fcqx(cq)->cur->wc_flags;
}

static uint32_t cqx_read_slid(struct ibv_cq_ex *cq)
{
	return to_fcqx(cq)->cur->slid;
}

static uint8_t cqx_read_sl(struct ibv_cq_ex *cq)
{
	return to_fcqx(cq)->cur->sl;
}

static uint8_t cqx_read_dlid_path_bits(struct ibv_cq_ex *cq)
{
	return to_fcqx(cq)->cur->dlid_path_bits;
}

/* the router's CLOCK_MONOTONIC (ns) when it produced the entry */
static uint64_t cqx_read_completion_ts(struct ibv_cq_ex *cq)
{
	return to_fcqx(cq)->cur->timestamp;
}

/*
 * The poll calls and the readers a CQ made with @wc_flags offers (the
 * caller accepted only IBV_WC_STANDARD_FLAGS and the completion timestamp);
 * the others stay NULL, as with a provider.
 */
void ffl_cqx_init(struct ffl_cq *cq, uint64_t wc_flags)
{
	struct ibv_cq_ex *x = &cq->ibcqx;

	x->comp_mask = 0;
	x->start_poll = cqx_start_poll;
	x->next_poll = cqx_next_poll;
	x->end_poll = cqx_end_poll;
	x->read_opcode = cqx_read_opcode;
	x->read_vendor_err = cqx_read_vendor_err;
	x->read_wc_flags = cqx_read_wc_flags;
	if (wc_flags & IBV_WC_EX_WITH_BYTE_LEN)
		x->read_byte_len = cqx_read_byte_len;
	if (wc_flags & IBV_WC_EX_WITH_IMM)
		x->read_imm_data = cqx_read_imm_data;
	if (wc_flags & IBV_WC_EX_WITH_QP_NUM)
		x->read_qp_num = cqx_read_qp_num;
	if (wc_flags & IBV_WC_EX_WITH_SRC_QP)
		x->read_src_qp = cqx_read_src_qp;
	if (wc_flags & IBV_WC_EX_WITH_SLID)
		x->read_slid = cqx_read_slid;
	if (wc_flags & IBV_WC_EX_WITH_SL)
		x->read_sl = cqx_read_sl;
	if (wc_flags & IBV_WC_EX_WITH_DLID_PATH_BITS)
		x->read_dlid_path_bits = cqx_read_dlid_path_bits;
	if (wc_flags & IBV_WC_EX_WITH_COMPLETION_TIMESTAMP)
		x->read_completion_ts = cqx_read_completion_ts;
}

const struct ibv_context_ops ffl_ctx_ops = {
	.poll_cq = ffl_poll_cq,
	.req_notify_cq = ffl_req_notify_cq,
	.post_srq_recv = ffl_post_srq_recv,
	.post_send = ffl_post_send,
	.post_recv = ffl_post_recv,
};
