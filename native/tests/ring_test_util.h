/* SPDX-License-Identifier: Apache-2.0 */
/*
 * QPs and CQs of the unit tests (test_ring, test_extended): ring memory
 * laid out as the router would lay it out, in this process, with the test
 * playing the router's side.  The router page says the poller spins
 * unless a test sets router_page.sleeping.
 */
#ifndef FREEFLOW_RING_TEST_UTIL_H
#define FREEFLOW_RING_TEST_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "ffl.h"

/* the geometry; a test may define its own before the include */
#ifndef SQ_SLOTS
#define SQ_SLOTS	8
#endif
#ifndef SQ_SGES
#define SQ_SGES		4
#endif
#ifndef RQ_SLOTS
#define RQ_SLOTS	4
#endif
#ifndef CQ_SLOTS
#define CQ_SLOTS	4
#endif
#define SQ_SLOT \
	(sizeof(struct ff_send_wqe) + SQ_SGES * sizeof(struct ff_sge))
#define RQ_SLOT \
	(sizeof(struct ff_recv_wqe) + 2 * sizeof(struct ff_sge))

static struct ff_router_shm router_page;
__attribute__((unused))
static struct ffl_bell bell = { .sleeping = &router_page.sleeping,
				.fd = -1 };

static void *shm_alloc(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(2);
	}
	return p;
}

/* A QP as ibv_create_qp would leave it, on router-style memory. */
__attribute__((unused))
static void make_qp(struct ffl_qp *qp, enum ibv_qp_type type, uint32_t start,
		    uint32_t sq_slots)
{
	size_t sq_off = FF_SHM_HDR_SIZE, rq_off, size;
	struct ff_qp_shm *h;

	rq_off = sq_off + sq_slots * SQ_SLOT;
	size = rq_off + RQ_SLOTS * RQ_SLOT;
	h = shm_alloc(size);
	h->sq.prod = h->sq.cons = start;
	h->rq.prod = h->rq.cons = start;
	h->sq_slots = sq_slots;
	h->sq_slot_size = SQ_SLOT;
	h->rq_slots = RQ_SLOTS;
	h->rq_slot_size = RQ_SLOT;
	h->sq_offset = sq_off;
	h->rq_offset = rq_off;

	memset(qp, 0, sizeof(*qp));
	qp->bell = bell;
	qp->shm = h;
	qp->shm_size = size;
	qp->cap = (struct ff_qp_cap){ .max_send_wr = sq_slots,
				      .max_recv_wr = RQ_SLOTS,
				      .max_send_sge = SQ_SGES,
				      .max_recv_sge = 2,
				      .max_inline_data = 48 };
	qp->ibqpx.qp_base.qp_type = type;
	pthread_spin_init(&qp->sq_lock, 0);
	pthread_spin_init(&qp->rq_lock, 0);
	if (ffl_ring_attach(&qp->sq, h, size, &h->sq, sq_off, sq_slots,
			    SQ_SLOT, sizeof(struct ff_send_wqe), true) ||
	    ffl_ring_attach(&qp->rq, h, size, &h->rq, rq_off, RQ_SLOTS,
			    RQ_SLOT, sizeof(struct ff_recv_wqe), true)) {
		fprintf(stderr, "attach failed\n");
		exit(2);
	}
}

__attribute__((unused))
static struct ff_send_wqe *sq_entry(struct ffl_qp *qp, uint32_t idx)
{
	return (void *)((char *)qp->shm + qp->shm->sq_offset +
			(idx & (qp->shm->sq_slots - 1)) * SQ_SLOT);
}

__attribute__((unused))
static struct ff_recv_wqe *rq_entry(struct ffl_qp *qp, uint32_t idx)
{
	return (void *)((char *)qp->shm + qp->shm->rq_offset +
			(idx & (RQ_SLOTS - 1)) * RQ_SLOT);
}

/* A CQ as ibv_create_cq would leave it, indices at @start. */
__attribute__((unused))
static void make_cq(struct ffl_cq *cq, uint32_t start)
{
	size_t size = FF_SHM_HDR_SIZE + CQ_SLOTS * FF_CQE_SIZE;
	struct ff_cq_shm *h = shm_alloc(size);

	h->ring.prod = h->ring.cons = start;
	h->slots = CQ_SLOTS;
	h->entry_size = FF_CQE_SIZE;
	memset(cq, 0, sizeof(*cq));
	cq->bell = bell;
	pthread_spin_init(&cq->lock, 0);
	cq->shm = h;
	cq->shm_size = size;
	if (ffl_ring_attach(&cq->ring, h, size, &h->ring, FF_SHM_HDR_SIZE,
			    CQ_SLOTS, FF_CQE_SIZE, FF_CQE_SIZE, false))
		exit(2);
}

/* The router publishes a receive completion. */
__attribute__((unused))
static void cq_push(struct ff_cq_shm *h, uint64_t wr_id, uint32_t status,
		    uint32_t len)
{
	uint32_t p = h->ring.prod;
	struct ff_cqe *e = (void *)((char *)h + FF_SHM_HDR_SIZE +
				    (p & (h->slots - 1)) * FF_CQE_SIZE);

	memset(e, 0, sizeof(*e));
	e->wr_id = wr_id;
	e->status = status;
	e->opcode = IBV_WC_RECV;
	e->byte_len = len;
	e->qp_num = 0x123;
	e->slid = 7;
	memset(e->reserved1, 0xee, sizeof(e->reserved1));
	__atomic_store_n(&h->ring.prod, p + 1, __ATOMIC_RELEASE);
}

#endif
