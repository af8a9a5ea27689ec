// SPDX-License-Identifier: Apache-2.0
/*
 * Unit tests of the extended verbs: the ibv_wr_* post-send API (post_ex.c)
 * against ibv_post_send on the same rings, the ibv_cq_ex polling calls
 * (datapath.c), and what create_cq_ex / create_qp_ex refuse before they
 * ask the router (verbs.c).  No router, no socket.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "ring_test_util.h"
#include "test_util.h"

static struct ibv_qp_ex *qpx_of(struct ffl_qp *qp)
{
	ffl_qpx_init(qp);
	return ibv_qp_to_qp_ex(&qp->ibqpx.qp_base);
}

/* The bytes of slot @idx the router reads: header and payload. */
static size_t wqe_bytes(const struct ff_send_wqe *w)
{
	return sizeof(*w) + (w->inline_len ? w->inline_len :
			     w->num_sge * sizeof(struct ff_sge));
}

static bool same_wqe(struct ffl_qp *a, struct ffl_qp *b, uint32_t idx)
{
	const struct ff_send_wqe *wa = sq_entry(a, idx), *wb = sq_entry(b, idx);

	return wqe_bytes(wa) == wqe_bytes(wb) &&
	       !memcmp(wa, wb, wqe_bytes(wa));
}

/* One WR of each opcode through both APIs: identical slots. */
static void test_wr_matches_post_send(void)
{
	char a[24], b[16];
	struct ibv_sge sg[2] = {
		{ .addr = (uintptr_t)a, .length = sizeof(a), .lkey = 0x11 },
		{ .addr = (uintptr_t)b, .length = sizeof(b), .lkey = 0x22 },
	};
	struct ibv_send_wr wr[7], *bad = NULL;
	struct ffl_qp pq, xq;
	struct ibv_qp_ex *x;
	int err, err2, i, same = 0;

	memset(a, 'a', sizeof(a));
	memset(b, 'b', sizeof(b));
	memset(wr, 0, sizeof(wr));
	for (i = 0; i < 7; i++) {
		wr[i].wr_id = 100 + i;
		wr[i].sg_list = sg;
		wr[i].num_sge = 2;
		wr[i].send_flags = IBV_SEND_SIGNALED;
		wr[i].next = i < 6 ? &wr[i + 1] : NULL;
	}
	wr[0].opcode = IBV_WR_SEND;
	wr[1].opcode = IBV_WR_SEND_WITH_IMM;
	wr[1].imm_data = htobe32(0x1234);
	wr[1].send_flags |= IBV_SEND_INLINE | IBV_SEND_SOLICITED;
	wr[2].opcode = IBV_WR_RDMA_WRITE;
	wr[2].wr.rdma.remote_addr = 0x1000;
	wr[2].wr.rdma.rkey = 0x77;
	wr[3].opcode = IBV_WR_RDMA_WRITE_WITH_IMM;
	wr[3].imm_data = htobe32(5);
	wr[3].wr.rdma.remote_addr = 0x2000;
	wr[3].wr.rdma.rkey = 0x78;
	wr[4].opcode = IBV_WR_RDMA_READ;
	wr[4].send_flags |= IBV_SEND_INLINE;	/* ignored for a READ */
	wr[4].wr.rdma.remote_addr = 0x3000;
	wr[4].wr.rdma.rkey = 0x79;
	wr[5].opcode = IBV_WR_ATOMIC_CMP_AND_SWP;
	wr[5].num_sge = 1;
	wr[5].wr.atomic.remote_addr = 0x4000;
	wr[5].wr.atomic.rkey = 0x7a;
	wr[5].wr.atomic.compare_add = 3;
	wr[5].wr.atomic.swap = 4;
	wr[6].opcode = IBV_WR_ATOMIC_FETCH_AND_ADD;
	wr[6].num_sge = 1;
	wr[6].wr.atomic.remote_addr = 0x5000;
	wr[6].wr.atomic.rkey = 0x7b;
	wr[6].wr.atomic.compare_add = 9;

	make_qp(&pq, IBV_QPT_RC, 0, SQ_SLOTS);
	make_qp(&xq, IBV_QPT_RC, 0, SQ_SLOTS);
	err = ffl_post_send(&pq.ibqpx.qp_base, wr, &bad);

	x = qpx_of(&xq);
	ibv_wr_start(x);
	for (i = 0; i < 7; i++) {
		x->wr_id = wr[i].wr_id;
		x->wr_flags = wr[i].send_flags;
		switch (i) {
		case 0:
			ibv_wr_send(x);
			break;
		case 1:
			ibv_wr_send_imm(x, wr[1].imm_data);
			break;
		case 2:
			ibv_wr_rdma_write(x, 0x77, 0x1000);
			break;
		case 3:
			ibv_wr_rdma_write_imm(x, 0x78, 0x2000, htobe32(5));
			break;
		case 4:
			ibv_wr_rdma_read(x, 0x79, 0x3000);
			break;
		case 5:
			ibv_wr_atomic_cmp_swp(x, 0x7a, 0x4000, 3, 4);
			break;
		case 6:
			ibv_wr_atomic_fetch_add(x, 0x7b, 0x5000, 9);
			break;
		}
		if (i == 5 || i == 6)
			ibv_wr_set_sge(x, sg[0].lkey, sg[0].addr,
				       sg[0].length);
		else
			ibv_wr_set_sge_list(x, 2, sg);
	}
	CHECK(xq.shm->sq.prod == 0, "wr_nothing_visible_before_complete",
	      "prod %u", xq.shm->sq.prod);
	err2 = ibv_wr_complete(x);
	for (i = 0; i < 7; i++)
		same += same_wqe(&pq, &xq, (uint32_t)i);
	CHECK(!err && !err2 && pq.shm->sq.prod == 7 && xq.shm->sq.prod == 7,
	      "wr_batch_publishes_all", "err %d/%d prod %u/%u", err, err2,
	      pq.shm->sq.prod, xq.shm->sq.prod);
	CHECK(same == 7, "wr_wqes_equal_post_send",
	      "%d of 7 slots identical", same);
	CHECK(sq_entry(&xq, 1)->inline_len == 40 &&
		      !sq_entry(&xq, 4)->inline_len,
	      "wr_inline_flag_gathers_like_post_send", "inline %u/%u",
	      sq_entry(&xq, 1)->inline_len, sq_entry(&xq, 4)->inline_len);
}

/* wr_set_inline_data(_list) copies at once, as an INLINE post_send. */
static void test_wr_inline_data(void)
{
	char a[20], b[12];
	struct ibv_sge sg[2] = {
		{ .addr = (uintptr_t)a, .length = sizeof(a) },
		{ .addr = (uintptr_t)b, .length = sizeof(b) },
	};
	struct ibv_data_buf bufs[2] = { { a, sizeof(a) }, { b, sizeof(b) } };
	struct ibv_send_wr wr = {
		.wr_id = 7, .sg_list = sg, .num_sge = 2,
		.opcode = IBV_WR_RDMA_WRITE, .send_flags = IBV_SEND_INLINE,
		.wr.rdma = { .remote_addr = 0x10, .rkey = 3 },
	}, *bad;
	char big[49];
	struct ffl_qp pq, xq;
	struct ibv_qp_ex *x;
	int err;

	memset(a, 'x', sizeof(a));
	memset(b, 'y', sizeof(b));
	make_qp(&pq, IBV_QPT_RC, 0, SQ_SLOTS);
	make_qp(&xq, IBV_QPT_RC, 0, SQ_SLOTS);
	ffl_post_send(&pq.ibqpx.qp_base, &wr, &bad);
	x = qpx_of(&xq);
	ibv_wr_start(x);
	x->wr_id = 7;
	x->wr_flags = 0;
	ibv_wr_rdma_write(x, 3, 0x10);
	ibv_wr_set_inline_data_list(x, 2, bufs);
	memset(a, 'z', sizeof(a));	/* reused before complete: copied */
	err = ibv_wr_complete(x);
	memset(a, 'x', sizeof(a));
	CHECK(!err && same_wqe(&pq, &xq, 0) &&
		      sq_entry(&xq, 0)->inline_len == 32,
	      "wr_inline_list_equals_post_send", "err %d inline_len %u", err,
	      sq_entry(&xq, 0)->inline_len);
	CHECK(((char *)(sq_entry(&xq, 0) + 1))[0] == 'x',
	      "wr_inline_copied_at_call", "data not copied when set");

	/* one byte over max_inline_data: the batch fails, nothing posted */
	memset(big, 'q', sizeof(big));
	ibv_wr_start(x);
	ibv_wr_send(x);
	ibv_wr_set_inline_data(x, big, sizeof(big));
	err = ibv_wr_complete(x);
	CHECK(err == EINVAL && xq.shm->sq.prod == 1 && xq.sq.head == 1,
	      "wr_inline_over_max_einval", "err %d prod %u head %u", err,
	      xq.shm->sq.prod, xq.sq.head);
}

/* A failed WR drops the whole batch; the next batch starts clean. */
static void test_wr_errors(void)
{
	struct ibv_sge sg[5] = { { 0 } };
	struct ffl_qp q, uc;
	struct ibv_qp_ex *x;
	int err;

	make_qp(&q, IBV_QPT_RC, 0, SQ_SLOTS);
	x = qpx_of(&q);
	ibv_wr_start(x);
	x->wr_id = 1;
	ibv_wr_send(x);
	ibv_wr_set_sge_list(x, 1, sg);
	x->wr_id = 2;
	ibv_wr_send(x);
	ibv_wr_set_sge_list(x, 5, sg);	/* max_send_sge is 4 */
	x->wr_id = 3;
	ibv_wr_send(x);
	err = ibv_wr_complete(x);
	CHECK(err == EINVAL && q.shm->sq.prod == 0 && q.sq.head == 0,
	      "wr_error_posts_nothing", "err %d prod %u head %u", err,
	      q.shm->sq.prod, q.sq.head);

	ibv_wr_start(x);
	ibv_wr_set_sge(x, 1, 2, 3);	/* no opcode yet */
	err = ibv_wr_complete(x);
	CHECK(err == EINVAL && q.shm->sq.prod == 0,
	      "wr_setter_without_opcode_einval", "err %d", err);

	ibv_wr_start(x);
	x->wr_id = 9;
	ibv_wr_send(x);
	err = ibv_wr_complete(x);
	CHECK(!err && q.shm->sq.prod == 1 && sq_entry(&q, 0)->wr_id == 9,
	      "wr_next_batch_after_error", "err %d prod %u", err,
	      q.shm->sq.prod);

	make_qp(&uc, IBV_QPT_UC, 0, SQ_SLOTS);
	x = qpx_of(&uc);
	ibv_wr_start(x);
	ibv_wr_rdma_read(x, 1, 2);
	err = ibv_wr_complete(x);
	CHECK(err == EINVAL && uc.shm->sq.prod == 0, "wr_uc_read_einval",
	      "err %d", err);
}

static void test_wr_abort_and_full(void)
{
	struct ffl_qp q;
	struct ibv_qp_ex *x;
	int err, i;

	make_qp(&q, IBV_QPT_RC, 0xfffffffeu, SQ_SLOTS);
	x = qpx_of(&q);
	ibv_wr_start(x);
	ibv_wr_send(x);
	ibv_wr_send(x);
	ibv_wr_abort(x);
	CHECK(q.shm->sq.prod == 0xfffffffeu && q.sq.head == 0xfffffffeu,
	      "wr_abort_drops_batch", "prod %#x head %#x", q.shm->sq.prod,
	      q.sq.head);

	ibv_wr_start(x);
	for (i = 0; i <= SQ_SLOTS; i++) {
		x->wr_id = (uint64_t)i;
		ibv_wr_send(x);
	}
	err = ibv_wr_complete(x);
	CHECK(err == ENOMEM && q.shm->sq.prod == 0xfffffffeu,
	      "wr_full_ring_enomem_posts_nothing", "err %d prod %#x", err,
	      q.shm->sq.prod);

	ibv_wr_start(x);
	for (i = 0; i < SQ_SLOTS; i++) {
		x->wr_id = (uint64_t)i;
		ibv_wr_send(x);
	}
	err = ibv_wr_complete(x);
	CHECK(!err && q.shm->sq.prod == 0xfffffffeu + SQ_SLOTS &&
		      sq_entry(&q, 0xfffffffeu + SQ_SLOTS - 1)->wr_id ==
			      SQ_SLOTS - 1,
	      "wr_fills_ring_across_wrap", "err %d prod %#x", err,
	      q.shm->sq.prod);
}

/* UD: wr_set_ud_addr fills what post_send takes from wr.ud. */
static void test_wr_ud(void)
{
	struct ffl_ah fah = { .dlid = 0x55, .sl = 3 };
	struct ibv_ah *ah = &fah.ibah;
	struct ibv_send_wr wr = {
		.wr_id = 4, .opcode = IBV_WR_SEND,
		.wr.ud = { .ah = ah, .remote_qpn = 0x321,
			   .remote_qkey = 0x11111111 },
	}, *bad;
	struct ffl_qp pq, xq;
	struct ibv_qp_ex *x;
	int err;

	make_qp(&pq, IBV_QPT_UD, 0, SQ_SLOTS);
	make_qp(&xq, IBV_QPT_UD, 0, SQ_SLOTS);
	ffl_post_send(&pq.ibqpx.qp_base, &wr, &bad);
	x = qpx_of(&xq);
	ibv_wr_start(x);
	x->wr_id = 4;
	x->wr_flags = 0;
	ibv_wr_send(x);
	ibv_wr_set_ud_addr(x, ah, 0x321, 0x11111111);
	err = ibv_wr_complete(x);
	CHECK(!err && same_wqe(&pq, &xq, 0) && sq_entry(&xq, 0)->dlid == 0x55 &&
		      sq_entry(&xq, 0)->sl == 3 &&
		      sq_entry(&xq, 0)->remote_qpn == 0x321,
	      "wr_ud_addr_equals_post_send", "err %d dlid %u", err,
	      sq_entry(&xq, 0)->dlid);

	ibv_wr_start(x);
	ibv_wr_send(x);		/* no address */
	err = ibv_wr_complete(x);
	CHECK(err == EINVAL && xq.shm->sq.prod == 1, "wr_ud_without_ah_einval",
	      "err %d prod %u", err, xq.shm->sq.prod);
}

/* One doorbell per ibv_wr_complete while the router sleeps. */
static void test_wr_doorbell(void)
{
	struct ffl_qp q;
	struct ibv_qp_ex *x;
	char buf[16];
	ssize_t count;
	int p[2];

	/* the doorbell pipe: the FFL rings its writing end */
	if (pipe2(p, O_CLOEXEC | O_NONBLOCK))
		exit(2);
	make_qp(&q, IBV_QPT_RC, 0, SQ_SLOTS);
	q.bell.fd = p[1];
	x = qpx_of(&q);
	router_page.sleeping = 1;
	ibv_wr_start(x);
	ibv_wr_send(x);
	ibv_wr_send(x);
	ibv_wr_send(x);
	ibv_wr_complete(x);
	ibv_wr_start(x);
	ibv_wr_send(x);
	ibv_wr_abort(x);
	router_page.sleeping = 0;
	count = read(p[0], buf, sizeof(buf));
	CHECK(count == 1, "wr_complete_rings_once", "doorbell bytes %zd",
	      count);
	close(p[0]);
	close(p[1]);
}

static void test_qpx_check(void)
{
	CHECK(!ffl_qpx_check(IBV_QPT_RC, IBV_QP_EX_WITH_SEND |
					 IBV_QP_EX_WITH_RDMA_READ |
					 IBV_QP_EX_WITH_ATOMIC_FETCH_AND_ADD) &&
		      !ffl_qpx_check(IBV_QPT_UD, IBV_QP_EX_WITH_SEND_WITH_IMM),
	      "send_ops_offered", "a supported set was refused");
	CHECK(ffl_qpx_check(IBV_QPT_UC, IBV_QP_EX_WITH_RDMA_READ) ==
			      EOPNOTSUPP &&
		      ffl_qpx_check(IBV_QPT_UD, IBV_QP_EX_WITH_RDMA_WRITE) ==
			      EOPNOTSUPP,
	      "send_ops_wrong_type_eopnotsupp", "accepted");
	CHECK(ffl_qpx_check(IBV_QPT_RC, IBV_QP_EX_WITH_LOCAL_INV) ==
			      EOPNOTSUPP &&
		      ffl_qpx_check(IBV_QPT_RC, IBV_QP_EX_WITH_BIND_MW) ==
			      EOPNOTSUPP &&
		      ffl_qpx_check(IBV_QPT_RC, IBV_QP_EX_WITH_ATOMIC_WRITE) ==
			      EOPNOTSUPP,
	      "send_ops_not_offered_eopnotsupp", "accepted");
}

/* What the extended creates refuse before any request to the router. */
static void test_create_ex_refusals(void)
{
	struct verbs_context vctx;
	struct ibv_context *ctx = &vctx.context;
	struct ibv_pd pd = { .context = ctx };
	struct ibv_cq_init_attr_ex ca = {
		.cqe = 4,
	};
	struct ibv_qp_init_attr_ex qa = {
		.qp_type = IBV_QPT_RC,
		.comp_mask = IBV_QP_INIT_ATTR_PD |
			     IBV_QP_INIT_ATTR_SEND_OPS_FLAGS,
		.pd = &pd,
		.send_ops_flags = IBV_QP_EX_WITH_LOCAL_INV,
	};
	struct ibv_qp_ex *x;
	struct ffl_qp q;
	int e1, e2, e3;

	memset(&vctx, 0, sizeof(vctx));
	ffl_verbs_ctx_init(&vctx);
	ca.wc_flags = IBV_WC_EX_WITH_COMPLETION_TIMESTAMP_WALLCLOCK;
	errno = 0;
	e1 = vctx.create_cq_ex(ctx, &ca) ? 0 : errno;
	ca.wc_flags = IBV_WC_STANDARD_FLAGS;
	ca.comp_mask = IBV_CQ_INIT_ATTR_MASK_FLAGS;
	ca.flags = IBV_CREATE_CQ_ATTR_IGNORE_OVERRUN;
	errno = 0;
	e2 = vctx.create_cq_ex(ctx, &ca) ? 0 : errno;
	ca.comp_mask = IBV_CQ_INIT_ATTR_MASK_PD;
	errno = 0;
	e3 = vctx.create_cq_ex(ctx, &ca) ? 0 : errno;
	CHECK(e1 == EOPNOTSUPP && e2 == EOPNOTSUPP && e3 == EOPNOTSUPP,
	      "cq_ex_unsupported_eopnotsupp", "wallclock %d overrun %d pd %d",
	      e1, e2, e3);

	errno = 0;
	e1 = vctx.create_qp_ex(ctx, &qa) ? 0 : errno;
	qa.comp_mask = IBV_QP_INIT_ATTR_PD | IBV_QP_INIT_ATTR_MAX_TSO_HEADER;
	errno = 0;
	e2 = vctx.create_qp_ex(ctx, &qa) ? 0 : errno;
	qa.comp_mask = IBV_QP_INIT_ATTR_SEND_OPS_FLAGS;
	qa.send_ops_flags = IBV_QP_EX_WITH_SEND;
	errno = 0;
	e3 = vctx.create_qp_ex(ctx, &qa) ? 0 : errno;
	CHECK(e1 == EOPNOTSUPP && e2 == EOPNOTSUPP && e3 == EINVAL,
	      "qp_ex_refusals", "local_inv %d tso %d no pd %d", e1, e2, e3);

	make_qp(&q, IBV_QPT_RC, 0, SQ_SLOTS);
	errno = 0;
	x = ibv_qp_to_qp_ex(&q.ibqpx.qp_base);
	CHECK(!x && errno == EOPNOTSUPP, "qp_to_qp_ex_needs_send_ops",
	      "%p errno %d", (void *)x, errno);
}

/* ---- ibv_cq_ex polling --------------------------------------------- */

static void test_cqx_poll(void)
{
	struct ibv_poll_cq_attr attr = { 0 };
	struct ibv_cq_ex *x;
	struct ff_cqe *e;
	struct ffl_cq cq;
	struct ibv_wc wc;
	int r0, r1, r2, r3;

	make_cq(&cq, 0xfffffffeu);
	ffl_cqx_init(&cq, IBV_WC_STANDARD_FLAGS);
	x = &cq.ibcqx;
	CHECK(ibv_start_poll(x, &attr) == ENOENT, "cqx_empty_enoent",
	      "not ENOENT");

	cq_push(cq.shm, 1, IBV_WC_SUCCESS, 100);
	e = (void *)((char *)cq.shm + FF_SHM_HDR_SIZE +
		     (0xfffffffeu & (CQ_SLOTS - 1)) * FF_CQE_SIZE);
	e->imm_data = htobe32(0xabcd);
	e->wc_flags = IBV_WC_WITH_IMM;
	e->src_qp = 0x77;
	e->sl = 3;
	e->dlid_path_bits = 1;
	e->vendor_err = 0x12;
	cq_push(cq.shm, 2, IBV_WC_REM_ACCESS_ERR, 0);

	r0 = ibv_start_poll(x, &attr);
	CHECK(!r0 && x->wr_id == 1 && x->status == IBV_WC_SUCCESS &&
		      ibv_wc_read_opcode(x) == IBV_WC_RECV &&
		      ibv_wc_read_byte_len(x) == 100 &&
		      ibv_wc_read_imm_data(x) == htobe32(0xabcd) &&
		      ibv_wc_read_qp_num(x) == 0x123 &&
		      ibv_wc_read_src_qp(x) == 0x77 &&
		      ibv_wc_read_wc_flags(x) == IBV_WC_WITH_IMM &&
		      ibv_wc_read_slid(x) == 7 && ibv_wc_read_sl(x) == 3 &&
		      ibv_wc_read_dlid_path_bits(x) == 1 &&
		      ibv_wc_read_vendor_err(x) == 0x12,
	      "cqx_start_reads_first", "r %d wr_id %lu", r0,
	      (unsigned long)x->wr_id);
	r1 = ibv_next_poll(x);
	CHECK(!r1 && x->wr_id == 2 && x->status == IBV_WC_REM_ACCESS_ERR,
	      "cqx_next_reads_second", "r %d wr_id %lu", r1,
	      (unsigned long)x->wr_id);
	CHECK(cq.shm->ring.cons == 0xfffffffeu, "cqx_cons_held_until_end",
	      "cons %#x", cq.shm->ring.cons);
	cq_push(cq.shm, 3, IBV_WC_SUCCESS, 3);	/* published meanwhile */
	r2 = ibv_next_poll(x);
	r3 = r2 ? -1 : ibv_next_poll(x);
	CHECK(!r2 && x->wr_id == 3 && r3 == ENOENT, "cqx_next_sees_new_entry",
	      "r %d/%d wr_id %lu", r2, r3, (unsigned long)x->wr_id);
	ibv_end_poll(x);
	CHECK(cq.shm->ring.cons == 1, "cqx_end_releases_all", "cons %#x",
	      cq.shm->ring.cons);

	/* the same ring serves ibv_poll_cq */
	cq_push(cq.shm, 4, IBV_WC_SUCCESS, 4);
	CHECK(ffl_poll_cq(ibv_cq_ex_to_cq(x), 1, &wc) == 1 && wc.wr_id == 4 &&
		      ibv_start_poll(x, &attr) == ENOENT,
	      "cqx_mixes_with_poll_cq", "wr_id %lu", (unsigned long)wc.wr_id);
}

static void test_cqx_readers(void)
{
	struct ffl_cq cq;

	make_cq(&cq, 0);
	ffl_cqx_init(&cq, IBV_WC_EX_WITH_BYTE_LEN);
	CHECK(cq.ibcqx.read_byte_len && cq.ibcqx.read_opcode &&
		      cq.ibcqx.read_wc_flags && !cq.ibcqx.read_imm_data &&
		      !cq.ibcqx.read_completion_ts &&
		      !cq.ibcqx.read_completion_wallclock_ns,
	      "cqx_readers_follow_wc_flags", "unexpected reader set");
}

/* Address handles: checked and kept in the FFL; their PD is busy. */
static void test_ah(void)
{
	struct ffl_context ctx = { .info = { .gid_tbl_len = 1 } };
	struct ffl_pd pd = { .ibpd = { .context = &ctx.vctx.context } };
	struct ibv_ah_attr attr = { .dlid = 7, .sl = 2, .port_num = 1 };
	struct ffl_qp q;
	struct ibv_send_wr wr = { .opcode = IBV_WR_SEND }, *bad;
	struct ibv_ah *ah;
	int err;

	attr.port_num = 2;
	errno = 0;
	CHECK(!ibv_create_ah(&pd.ibpd, &attr) && errno == EINVAL,
	      "ah_port_2_einval", "errno %d", errno);
	attr.port_num = 1;
	attr.dlid = 0;
	errno = 0;
	CHECK(!ibv_create_ah(&pd.ibpd, &attr) && errno == EINVAL,
	      "ah_lid_0_without_grh_einval", "errno %d", errno);
	attr.is_global = 1;
	attr.grh.sgid_index = 1;
	errno = 0;
	CHECK(!ibv_create_ah(&pd.ibpd, &attr) && errno == EINVAL,
	      "ah_sgid_index_beyond_table_einval", "errno %d", errno);
	attr.grh.sgid_index = 0;
	attr.grh.dgid.raw[15] = 9;
	attr.grh.flow_label = 0x123456;
	attr.grh.hop_limit = 64;
	attr.grh.traffic_class = 0x20;
	ah = ibv_create_ah(&pd.ibpd, &attr);
	CHECK(ah && ah->pd == &pd.ibpd && pd.ahs == 1, "ah_global_created",
	      "errno %d", errno);
	if (!ah)
		return;
	CHECK(ibv_dealloc_pd(&pd.ibpd) == EBUSY, "pd_with_ah_busy", "ahs %u", pd.ahs);

	make_qp(&q, IBV_QPT_UD, 0, SQ_SLOTS);
	wr.wr.ud.ah = ah;
	wr.wr.ud.remote_qpn = 0x42;
	wr.wr.ud.remote_qkey = 0x80000000;
	err = ffl_post_send(&q.ibqpx.qp_base, &wr, &bad);
	CHECK(err == EINVAL && bad == &wr, "ud_ah_of_another_pd_einval",
	      "err %d", err);
	q.ibqpx.qp_base.pd = &pd.ibpd;
	err = ffl_post_send(&q.ibqpx.qp_base, &wr, &bad);
	CHECK(!err && sq_entry(&q, 0)->is_global == 1 &&
		      sq_entry(&q, 0)->dgid[15] == 9 &&
		      sq_entry(&q, 0)->flow_label == 0x23456 &&
		      sq_entry(&q, 0)->hop_limit == 64 &&
		      sq_entry(&q, 0)->traffic_class == 0x20 &&
		      sq_entry(&q, 0)->sl == 2 &&
		      sq_entry(&q, 0)->remote_qkey == 0x80000000,
	      "ud_wqe_carries_the_address_vector", "err %d", err);
	CHECK(!ibv_destroy_ah(ah) && pd.ahs == 0, "ah_destroyed", "ahs %u", pd.ahs);
}

int main(void)
{
	test_wr_matches_post_send();
	test_wr_inline_data();
	test_wr_errors();
	test_wr_abort_and_full();
	test_wr_ud();
	test_ah();
	test_wr_doorbell();
	test_qpx_check();
	test_create_ex_refusals();
	test_cqx_poll();
	test_cqx_readers();
	return t_summary();
}
