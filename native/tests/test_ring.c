// SPDX-License-Identifier: Apache-2.0
/*
 * Unit tests of the ring code and the data path (src/ring.h,
 * src/datapath.c) on QP and CQ memory laid out as the router would, with
 * this test playing the router's side.  No router, no socket.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "ring_test_util.h"
#include "test_util.h"

static int yields;

/* the data path's sched_yield() lands here */
int sched_yield(void)
{
	yields++;
	return 0;
}

static void test_attach(void)
{
	struct ff_qp_shm *h = shm_alloc(16384);
	struct ffl_ring r;

	CHECK(ffl_ring_attach(&r, h, 16384, &h->sq, 4096, 3, 128, 80, true) ==
		      EPROTO,
	      "attach_rejects_non_pow2", "accepted 3 slots");
	CHECK(ffl_ring_attach(&r, h, 16384, &h->sq, 4096, 4, 64, 80, true) ==
		      EPROTO,
	      "attach_rejects_small_slot", "accepted 64-byte slots");
	CHECK(ffl_ring_attach(&r, h, 16384, &h->sq, 4096, 128, 128, 80,
			      true) == EPROTO,
	      "attach_rejects_overflow", "accepted a ring past the end");
	CHECK(ffl_ring_attach(&r, h, 16384, &h->sq, 128, 4, 128, 80, true) ==
		      EPROTO,
	      "attach_rejects_header_overlap", "accepted offset 128");
	CHECK(!ffl_ring_attach(&r, h, 16384, &h->sq, 4096, 0, 0, 80, true) &&
		      !ffl_ring_present(&r),
	      "attach_zero_slots_absent", "no ring expected");
	CHECK(!ffl_ring_attach(&r, h, 16384, &h->sq, 4096, 64, 192, 80,
			       true) &&
		      ffl_ring_slots(&r) == 64,
	      "attach_exact_fit", "a ring ending at the end must fit");
	munmap(h, 16384);
}

static void test_send_basic(void)
{
	char a[16], b[32];
	struct ibv_sge sg[2] = {
		{ .addr = (uintptr_t)a, .length = sizeof(a), .lkey = 0x101 },
		{ .addr = (uintptr_t)b, .length = sizeof(b), .lkey = 0x201 },
	};
	struct ibv_send_wr wr = {
		.wr_id = 42, .sg_list = sg, .num_sge = 2,
		.opcode = IBV_WR_SEND_WITH_IMM,
		.send_flags = IBV_SEND_SIGNALED, .imm_data = htobe32(7),
	}, *bad = NULL;
	struct ffl_qp qp;
	struct ff_send_wqe *w;
	struct ff_sge *s;
	int err;

	make_qp(&qp, IBV_QPT_RC, 0, SQ_SLOTS);
	err = ffl_post_send(&qp.ibqpx.qp_base, &wr, &bad);
	w = sq_entry(&qp, 0);
	s = (struct ff_sge *)(w + 1);
	CHECK(!err && qp.shm->sq.prod == 1, "send_publishes_prod",
	      "err %d prod %u", err, qp.shm->sq.prod);
	CHECK(w->wr_id == 42 && w->opcode == IBV_WR_SEND_WITH_IMM &&
		      w->send_flags == IBV_SEND_SIGNALED &&
		      w->imm_data == htobe32(7) && w->num_sge == 2 &&
		      !w->inline_len,
	      "send_wqe_header", "wr_id %lu opcode %u flags %u num_sge %u",
	      (unsigned long)w->wr_id, w->opcode, w->send_flags, w->num_sge);
	CHECK(s[0].addr == (uintptr_t)a && s[0].length == 16 &&
		      s[0].lkey == 0x101 && s[1].addr == (uintptr_t)b &&
		      s[1].length == 32 && s[1].lkey == 0x201,
	      "send_wqe_sges", "sge mismatch");
}

static void test_send_remote_fields(void)
{
	uint64_t local;
	struct ibv_sge sg = { .addr = (uintptr_t)&local, .length = 8,
			      .lkey = 1 };
	struct ibv_send_wr atomic = {
		.wr_id = 2, .sg_list = &sg, .num_sge = 1,
		.opcode = IBV_WR_ATOMIC_CMP_AND_SWP,
		.wr.atomic = { .remote_addr = 0x2000, .compare_add = 5,
			       .swap = 9, .rkey = 0x77 },
	};
	struct ibv_send_wr read = {
		.wr_id = 1, .sg_list = &sg, .num_sge = 1, .next = &atomic,
		.opcode = IBV_WR_RDMA_READ, .send_flags = IBV_SEND_INLINE,
		.wr.rdma = { .remote_addr = 0x1000, .rkey = 0x55 },
	}, *bad = NULL;
	struct ffl_qp qp;
	struct ff_send_wqe *w0, *w1;
	int err;

	make_qp(&qp, IBV_QPT_RC, 0, SQ_SLOTS);
	err = ffl_post_send(&qp.ibqpx.qp_base, &read, &bad);
	w0 = sq_entry(&qp, 0);
	w1 = sq_entry(&qp, 1);
	CHECK(!err && qp.shm->sq.prod == 2, "chain_posts_all", "err %d", err);
	CHECK(w0->remote_addr == 0x1000 && w0->rkey == 0x55 &&
		      w0->num_sge == 1 && !w0->inline_len &&
		      !(w0->send_flags & IBV_SEND_INLINE),
	      "read_not_inlined", "flags %u inline %u", w0->send_flags,
	      w0->inline_len);
	CHECK(w1->remote_addr == 0x2000 && w1->rkey == 0x77 &&
		      w1->compare_add == 5 && w1->swap == 9,
	      "atomic_fields", "remote %lx rkey %x cmp %lu swap %lu",
	      (unsigned long)w1->remote_addr, w1->rkey,
	      (unsigned long)w1->compare_add, (unsigned long)w1->swap);
}

static void test_inline(void)
{
	char a[20], b[20], big[64];
	struct ibv_sge sg[2] = {
		{ .addr = (uintptr_t)a, .length = sizeof(a) },
		{ .addr = (uintptr_t)b, .length = sizeof(b) },
	};
	struct ibv_sge bigsg = { .addr = (uintptr_t)big, .length = 49 };
	struct ibv_send_wr wr = {
		.wr_id = 3, .sg_list = sg, .num_sge = 2,
		.opcode = IBV_WR_RDMA_WRITE, .send_flags = IBV_SEND_INLINE,
		.wr.rdma = { .remote_addr = 0x3000, .rkey = 9 },
	}, *bad = NULL;
	struct ffl_qp qp;
	struct ff_send_wqe *w;
	int err;

	memset(a, 'a', sizeof(a));
	memset(b, 'b', sizeof(b));
	make_qp(&qp, IBV_QPT_RC, 0, SQ_SLOTS);
	err = ffl_post_send(&qp.ibqpx.qp_base, &wr, &bad);
	w = sq_entry(&qp, 0);
	CHECK(!err && w->inline_len == 40 && !w->num_sge &&
		      (w->send_flags & IBV_SEND_INLINE) &&
		      !memcmp(w + 1, a, 20) &&
		      !memcmp((char *)(w + 1) + 20, b, 20),
	      "inline_gathered", "err %d inline_len %u num_sge %u", err,
	      w->inline_len, w->num_sge);

	/* 49 bytes > max_inline_data 48: EINVAL, nothing published */
	memset(big, 'x', sizeof(big));
	wr.sg_list = &bigsg;
	wr.num_sge = 1;
	bad = NULL;
	err = ffl_post_send(&qp.ibqpx.qp_base, &wr, &bad);
	CHECK(err == EINVAL && bad == &wr && qp.shm->sq.prod == 1,
	      "inline_over_max_einval", "err %d bad %p prod %u", err,
	      (void *)bad, qp.shm->sq.prod);
}

static void test_send_errors(void)
{
	struct ibv_sge sg[5] = { { 0 } };
	struct ibv_send_wr w3 = { .wr_id = 3, .sg_list = sg, .num_sge = 1,
				  .opcode = IBV_WR_SEND };
	struct ibv_send_wr w2 = { .wr_id = 2, .sg_list = sg, .num_sge = 5,
				  .opcode = IBV_WR_SEND, .next = &w3 };
	struct ibv_send_wr w1 = { .wr_id = 1, .sg_list = sg, .num_sge = 1,
				  .opcode = IBV_WR_SEND, .next = &w2 };
	struct ibv_send_wr bad_op = { .opcode = (enum ibv_wr_opcode)99 };
	struct ibv_send_wr uc_read = { .opcode = IBV_WR_RDMA_READ };
	struct ibv_send_wr *bad = NULL;
	struct ffl_qp qp, uc;
	int err;

	make_qp(&qp, IBV_QPT_RC, 0, SQ_SLOTS);
	err = ffl_post_send(&qp.ibqpx.qp_base, &w1, &bad);
	CHECK(err == EINVAL && bad == &w2 && qp.shm->sq.prod == 1 &&
		      sq_entry(&qp, 0)->wr_id == 1,
	      "too_many_sge_stops_chain", "err %d bad %p prod %u", err,
	      (void *)bad, qp.shm->sq.prod);
	bad = NULL;
	err = ffl_post_send(&qp.ibqpx.qp_base, &bad_op, &bad);
	CHECK(err == EINVAL && bad == &bad_op, "unknown_opcode_einval",
	      "err %d", err);
	make_qp(&uc, IBV_QPT_UC, 0, SQ_SLOTS);
	bad = NULL;
	err = ffl_post_send(&uc.ibqpx.qp_base, &uc_read, &bad);
	CHECK(err == EINVAL && bad == &uc_read, "uc_read_einval", "err %d",
	      err);
}

static void test_full_and_wrap(void)
{
	struct ibv_send_wr wr[SQ_SLOTS + 1], *bad = NULL;
	struct ffl_qp qp;
	uint32_t start = 0xfffffffdu, i;
	int err, ok = 1;

	memset(wr, 0, sizeof(wr));
	for (i = 0; i <= SQ_SLOTS; i++) {
		wr[i].wr_id = 100 + i;
		wr[i].opcode = IBV_WR_SEND;
		wr[i].next = i < SQ_SLOTS ? &wr[i + 1] : NULL;
	}
	make_qp(&qp, IBV_QPT_RC, start, SQ_SLOTS);
	err = ffl_post_send(&qp.ibqpx.qp_base, &wr[0], &bad);
	CHECK(err == ENOMEM && bad == &wr[SQ_SLOTS] &&
		      qp.shm->sq.prod == start + SQ_SLOTS,
	      "full_ring_enomem", "err %d bad %p prod %#x", err, (void *)bad,
	      qp.shm->sq.prod);
	for (i = 0; i < SQ_SLOTS; i++)
		ok &= sq_entry(&qp, start + i)->wr_id == 100 + i;
	CHECK(ok, "wrapped_indices_in_order", "slot contents out of order");

	/* the router consumes one: one more fits */
	__atomic_store_n(&qp.shm->sq.cons, start + 1, __ATOMIC_RELEASE);
	bad = NULL;
	wr[SQ_SLOTS].next = NULL;
	err = ffl_post_send(&qp.ibqpx.qp_base, &wr[SQ_SLOTS], &bad);
	CHECK(!err && qp.shm->sq.prod == start + SQ_SLOTS + 1 &&
		      sq_entry(&qp, start + SQ_SLOTS)->wr_id ==
			      100 + SQ_SLOTS,
	      "space_after_consume", "err %d prod %#x", err, qp.shm->sq.prod);
}

static void test_recv(void)
{
	char buf[64];
	struct ibv_sge sg[3] = {
		{ .addr = (uintptr_t)buf, .length = 32, .lkey = 5 },
		{ .addr = (uintptr_t)buf + 32, .length = 32, .lkey = 6 },
	};
	struct ibv_recv_wr wr = { .wr_id = 9, .sg_list = sg, .num_sge = 2 };
	struct ibv_recv_wr too = { .wr_id = 10, .sg_list = sg, .num_sge = 3 };
	struct ibv_recv_wr *bad = NULL;
	struct ffl_qp qp;
	struct ff_recv_wqe *r;
	struct ff_sge *s;
	int err, i;

	make_qp(&qp, IBV_QPT_RC, 0, SQ_SLOTS);
	err = ffl_post_recv(&qp.ibqpx.qp_base, &wr, &bad);
	r = rq_entry(&qp, 0);
	s = (struct ff_sge *)(r + 1);
	CHECK(!err && qp.shm->rq.prod == 1 && r->wr_id == 9 &&
		      r->num_sge == 2 && s[1].addr == (uintptr_t)buf + 32 &&
		      s[1].lkey == 6,
	      "recv_wqe", "err %d prod %u", err, qp.shm->rq.prod);
	err = ffl_post_recv(&qp.ibqpx.qp_base, &too, &bad);
	CHECK(err == EINVAL && bad == &too, "recv_too_many_sge", "err %d",
	      err);
	for (i = 1; i < RQ_SLOTS; i++)
		ffl_post_recv(&qp.ibqpx.qp_base, &wr, &bad);
	bad = NULL;
	err = ffl_post_recv(&qp.ibqpx.qp_base, &wr, &bad);
	CHECK(err == ENOMEM && bad == &wr && qp.shm->rq.prod == RQ_SLOTS,
	      "recv_full_enomem", "err %d prod %u", err, qp.shm->rq.prod);
}

static void test_poll(void)
{
	struct ibv_wc wc[4];
	struct ffl_cq cq;
	struct ff_cq_shm *h;
	int n, i;

	make_cq(&cq, 0xfffffffeu);
	h = cq.shm;

	cq_push(h, 1, IBV_WC_SUCCESS, 100);
	cq_push(h, 2, IBV_WC_LOC_PROT_ERR, 0);
	cq_push(h, 3, IBV_WC_SUCCESS, 300);
	memset(wc, 0, sizeof(wc));
	n = ffl_poll_cq(&cq.ibcq, 2, wc);
	CHECK(n == 2 && wc[0].wr_id == 1 && wc[0].byte_len == 100 &&
		      wc[0].qp_num == 0x123 && wc[0].slid == 7 &&
		      wc[1].wr_id == 2 && wc[1].status == IBV_WC_LOC_PROT_ERR,
	      "poll_two", "n %d wr_id %lu/%lu", n, (unsigned long)wc[0].wr_id,
	      (unsigned long)wc[1].wr_id);
	CHECK(h->ring.cons == 0xfffffffeu + 2, "poll_publishes_cons",
	      "cons %#x", h->ring.cons);
	n = ffl_poll_cq(&cq.ibcq, 4, wc);
	CHECK(n == 1 && wc[0].wr_id == 3 && h->ring.cons == 1,
	      "poll_rest_wraps", "n %d cons %#x", n, h->ring.cons);

	/* a producer index more than a ring ahead (torn store): nothing */
	h->ring.prod = h->ring.cons + CQ_SLOTS + 1;
	n = ffl_poll_cq(&cq.ibcq, 4, wc);
	CHECK(n == 0 && h->ring.cons == 1, "poll_ignores_impossible_prod",
	      "n %d cons %#x", n, h->ring.cons);
	h->ring.prod = h->ring.cons - 1;	/* behind us: also impossible */
	n = ffl_poll_cq(&cq.ibcq, 4, wc);
	CHECK(n == 0 && h->ring.cons == 1, "poll_ignores_prod_behind",
	      "n %d cons %#x", n, h->ring.cons);
	h->ring.prod = h->ring.cons;

	setenv("FREEFLOW_POLL_YIELD", "4", 1);
	ffl_datapath_init();
	yields = 0;
	for (i = 0; i < 8; i++)
		n = ffl_poll_cq(&cq.ibcq, 4, wc);
	CHECK(n == 0 && yields == 2, "empty_polls_yield_every_n",
	      "n %d yields %d (want 2 for 8 empty polls, N=4)", n, yields);
	cq_push(h, 4, IBV_WC_SUCCESS, 1);
	ffl_poll_cq(&cq.ibcq, 4, wc);
	CHECK(ffl_poll_cq(&cq.ibcq, 0, wc) == 0, "poll_zero_entries",
	      "non-zero");
}

/* ---- two posting threads and a consuming "router" ------------------- */

#define PER_THREAD 20000

static struct ffl_qp mt_qp;
static volatile int mt_bad;

static void *mt_poster(void *arg)
{
	uint64_t tid = (uintptr_t)arg;
	struct ibv_send_wr wr = { .opcode = IBV_WR_SEND }, *bad;
	uint32_t i;

	for (i = 0; i < PER_THREAD; i++) {
		int err;

		wr.wr_id = tid << 32 | i;
		while ((err = ffl_post_send(&mt_qp.ibqpx.qp_base, &wr,
					    &bad)) == ENOMEM)
			;
		if (err)
			mt_bad = 1;
	}
	return NULL;
}

static void test_threads(void)
{
	uint32_t next[2] = { 0, 0 }, cons = 0, got = 0;
	struct ff_qp_shm *h;
	pthread_t t[2];

	make_qp(&mt_qp, IBV_QPT_RC, 0, SQ_SLOTS);
	h = mt_qp.shm;
	pthread_create(&t[0], NULL, mt_poster, (void *)0);
	pthread_create(&t[1], NULL, mt_poster, (void *)1);
	while (got < 2 * PER_THREAD && !mt_bad) {
		uint32_t prod = __atomic_load_n(&h->sq.prod, __ATOMIC_ACQUIRE);

		for (; cons != prod; cons++, got++) {
			uint64_t id = sq_entry(&mt_qp, cons)->wr_id;
			uint32_t tid = (uint32_t)(id >> 32);

			if (tid > 1 || (uint32_t)id != next[tid]) {
				mt_bad = 2;
				break;
			}
			next[tid]++;
		}
		__atomic_store_n(&h->sq.cons, cons, __ATOMIC_RELEASE);
	}
	pthread_join(t[0], NULL);
	pthread_join(t[1], NULL);
	CHECK(!mt_bad && next[0] == PER_THREAD && next[1] == PER_THREAD,
	      "two_posters_one_consumer",
	      "bad %d, got %u and %u in order of %d each", mt_bad, next[0],
	      next[1], PER_THREAD);
}

int main(void)
{
	test_attach();
	test_send_basic();
	test_send_remote_fields();
	test_inline();
	test_send_errors();
	test_full_and_wrap();
	test_recv();
	test_poll();
	test_threads();
	return t_summary();
}
