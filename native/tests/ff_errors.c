// SPDX-License-Identifier: Apache-2.0
/*
 * ff_errors: error completions and checked data movement through a real
 * router, in one process (two RC QPs connected to each other on the same
 * LID).  Linked against the system libibverbs, run with the FFL via
 * LD_LIBRARY_PATH and FREEFLOW_SOCKET.
 *
 *  (a) SEND with a wrong lkey      -> one IBV_WC_LOC_PROT_ERR
 *  (b) WRITE past the remote MR    -> IBV_WC_REM_ACCESS_ERR, no byte moved
 *  (c) good WRITE and SEND         -> data arrives intact
 *
 * One line per check, "PASS name" or "FAIL name: why", then
 * "N passed, N failed"; exit 0 only if everything passed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <infiniband/verbs.h>

#include "test_util.h"
#include "verbs_test_util.h"

#define BUF	4096
#define TIMEOUT_MS 5000

struct res {
	struct ibv_context *ctx;
	struct ibv_pd *pd;
	uint16_t lid;
	char *buf_a, *buf_b;	/* buf_b: 2 * BUF, its MR the first BUF */
	struct ibv_mr *mr_a, *mr_b;
};

struct pair {
	struct ibv_cq *cq_a, *cq_b;
	struct ibv_qp *a, *b;
};

/* A connected pair, or a FAIL line naming @check and NULL members. */
static int make_pair(struct res *r, struct pair *p, const char *check)
{
	int err;

	memset(p, 0, sizeof(*p));
	p->cq_a = ibv_create_cq(r->ctx, 32, NULL, NULL, 0);
	p->cq_b = ibv_create_cq(r->ctx, 32, NULL, NULL, 0);
	if (!p->cq_a || !p->cq_b)
		return !CHECK(0, check, "ibv_create_cq: %s", strerror(errno));
	p->a = make_rc_qp(r->pd, p->cq_a);
	p->b = make_rc_qp(r->pd, p->cq_b);
	if (!p->a || !p->b)
		return !CHECK(0, check, "ibv_create_qp: %s", strerror(errno));
	err = to_rts(p->a, p->b->qp_num, r->lid);
	if (!err)
		err = to_rts(p->b, p->a->qp_num, r->lid);
	if (err)
		return !CHECK(0, check, "ibv_modify_qp: %s", strerror(err));
	return 0;
}

static void free_pair(struct pair *p)
{
	if (p->a)
		ibv_destroy_qp(p->a);
	if (p->b)
		ibv_destroy_qp(p->b);
	if (p->cq_a)
		ibv_destroy_cq(p->cq_a);
	if (p->cq_b)
		ibv_destroy_cq(p->cq_b);
}

static int post_recv(struct ibv_qp *qp, struct ibv_mr *mr, void *addr,
		     uint32_t len, uint64_t wr_id)
{
	struct ibv_sge sge = { .addr = (uintptr_t)addr, .length = len,
			       .lkey = mr->lkey };
	struct ibv_recv_wr wr = { .wr_id = wr_id, .sg_list = &sge,
				  .num_sge = 1 }, *bad;

	return ibv_post_recv(qp, &wr, &bad);
}

static int post_send(struct ibv_qp *qp, enum ibv_wr_opcode op, void *addr,
		     uint32_t len, uint32_t lkey, uint64_t raddr,
		     uint32_t rkey, uint64_t wr_id)
{
	struct ibv_sge sge = { .addr = (uintptr_t)addr, .length = len,
			       .lkey = lkey };
	struct ibv_send_wr wr = {
		.wr_id = wr_id, .sg_list = &sge, .num_sge = 1, .opcode = op,
		.send_flags = IBV_SEND_SIGNALED,
		.imm_data = htobe32(0x1234abcd),
		.wr.rdma = { .remote_addr = raddr, .rkey = rkey },
	}, *bad = NULL;
	int err = ibv_post_send(qp, &wr, &bad);

	return err ? err : (bad ? EIO : 0);
}

static void check_wrong_lkey(struct res *r)
{
	struct ibv_wc wc;
	struct pair p;
	int err, n;

	if (make_pair(r, &p, "wrong_lkey_loc_prot_err"))
		goto out;
	post_recv(p.b, r->mr_b, r->buf_b, BUF, 1);
	err = post_send(p.a, IBV_WR_SEND, r->buf_a, 64,
			r->mr_a->lkey ^ 0x00ffff00, 0, 0, 11);
	if (!CHECK(!err, "wrong_lkey_post_accepted", "ibv_post_send: %s",
		   strerror(err)))
		goto out;
	n = poll_one(p.cq_a, &wc, TIMEOUT_MS);
	CHECK(n == 1 && wc.wr_id == 11 && wc.status == IBV_WC_LOC_PROT_ERR &&
		      wc.qp_num == p.a->qp_num,
	      "wrong_lkey_loc_prot_err", "%s",
	      n == 1 ? ibv_wc_status_str(wc.status) : "no completion in 5 s");
	n = poll_one(p.cq_a, &wc, 200);
	CHECK(n == 0, "wrong_lkey_single_cqe", "extra completion: %s",
	      ibv_wc_status_str(wc.status));
out:
	free_pair(&p);
}

static void check_write_beyond(struct res *r)
{
	char *guard = r->buf_b;
	struct ibv_wc wc;
	struct pair p;
	int err, n, i, touched = -1;

	if (make_pair(r, &p, "write_beyond_rem_access_err"))
		goto out;
	memset(r->buf_a, 0xa5, BUF);
	memset(r->buf_b, 0x5a, 2 * BUF);
	/* starts inside the MR, ends 48 bytes past it */
	err = post_send(p.a, IBV_WR_RDMA_WRITE, r->buf_a, 64, r->mr_a->lkey,
			(uintptr_t)r->mr_b->addr + r->mr_b->length - 16,
			r->mr_b->rkey, 21);
	if (!CHECK(!err, "write_beyond_post_accepted", "ibv_post_send: %s",
		   strerror(err)))
		goto out;
	n = poll_one(p.cq_a, &wc, TIMEOUT_MS);
	CHECK(n == 1 && wc.wr_id == 21 && wc.status == IBV_WC_REM_ACCESS_ERR,
	      "write_beyond_rem_access_err", "%s",
	      n == 1 ? ibv_wc_status_str(wc.status) : "no completion in 5 s");
	for (i = 0; i < 2 * BUF; i++)
		if ((unsigned char)guard[i] != 0x5a) {
			touched = i;
			break;
		}
	CHECK(touched < 0, "write_beyond_no_byte_moved",
	      "remote byte %d changed", touched);
out:
	free_pair(&p);
}

static void check_good_transfers(struct res *r)
{
	struct ibv_wc wc;
	struct pair p;
	int err, n, i, bad = -1;

	if (make_pair(r, &p, "good_write"))
		goto out;
	for (i = 0; i < BUF; i++)
		r->buf_a[i] = (char)(i * 31 + 7);
	memset(r->buf_b, 0, 2 * BUF);

	err = post_send(p.a, IBV_WR_RDMA_WRITE, r->buf_a, BUF, r->mr_a->lkey,
			(uintptr_t)r->mr_b->addr, r->mr_b->rkey, 31);
	n = err ? 0 : poll_one(p.cq_a, &wc, TIMEOUT_MS);
	CHECK(n == 1 && wc.status == IBV_WC_SUCCESS &&
		      wc.opcode == IBV_WC_RDMA_WRITE && wc.wr_id == 31,
	      "good_write_completes", "%s",
	      err ? strerror(err) :
	      n == 1 ? ibv_wc_status_str(wc.status) : "no completion in 5 s");
	for (i = 0; i < BUF; i++)
		if (r->buf_b[i] != r->buf_a[i]) {
			bad = i;
			break;
		}
	CHECK(bad < 0 && r->buf_b[BUF] == 0, "good_write_data",
	      "byte %d differs or write overran", bad);

	memset(r->buf_b, 0, 2 * BUF);
	err = post_recv(p.b, r->mr_b, r->buf_b + 100, 2000, 41);
	if (!err)
		err = post_send(p.a, IBV_WR_SEND_WITH_IMM, r->buf_a + 8, 1000,
				r->mr_a->lkey, 0, 0, 42);
	n = err ? 0 : poll_one(p.cq_a, &wc, TIMEOUT_MS);
	CHECK(n == 1 && wc.status == IBV_WC_SUCCESS &&
		      wc.opcode == IBV_WC_SEND && wc.wr_id == 42,
	      "good_send_completes", "%s",
	      err ? strerror(err) :
	      n == 1 ? ibv_wc_status_str(wc.status) : "no completion in 5 s");
	n = err ? 0 : poll_one(p.cq_b, &wc, TIMEOUT_MS);
	CHECK(n == 1 && wc.status == IBV_WC_SUCCESS &&
		      wc.opcode == IBV_WC_RECV && wc.wr_id == 41 &&
		      wc.byte_len == 1000 && (wc.wc_flags & IBV_WC_WITH_IMM) &&
		      wc.imm_data == htobe32(0x1234abcd) &&
		      wc.src_qp == p.a->qp_num,
	      "good_send_recv_cqe", "%s status, opcode %d, byte_len %u",
	      n == 1 ? ibv_wc_status_str(wc.status) : "no",
	      n == 1 ? (int)wc.opcode : -1, n == 1 ? wc.byte_len : 0);
	CHECK(!memcmp(r->buf_b + 100, r->buf_a + 8, 1000) &&
		      r->buf_b[99] == 0 && r->buf_b[1100] == 0,
	      "good_send_data", "received bytes differ or overran");
out:
	free_pair(&p);
}

int main(void)
{
	struct res r = { 0 };
	int rc;

	alarm(120);	/* never hang a test run */
	r.ctx = open_first_device(&r.lid);
	if (!r.ctx)
		return t_summary();
	r.pd = ibv_alloc_pd(r.ctx);
	r.buf_a = aligned_alloc(4096, BUF);
	r.buf_b = aligned_alloc(4096, 2 * BUF);
	if (!CHECK(r.pd && r.buf_a && r.buf_b, "alloc_pd", "%s",
		   strerror(errno)))
		return t_summary();
	r.mr_a = ibv_reg_mr(r.pd, r.buf_a, BUF, IBV_ACCESS_LOCAL_WRITE);
	r.mr_b = ibv_reg_mr(r.pd, r.buf_b, BUF,
			    IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE);
	if (!CHECK(r.mr_a && r.mr_b, "reg_mr", "%s", strerror(errno)))
		return t_summary();

	check_wrong_lkey(&r);
	check_write_beyond(&r);
	check_good_transfers(&r);

	ibv_dereg_mr(r.mr_a);
	ibv_dereg_mr(r.mr_b);
	ibv_dealloc_pd(r.pd);
	ibv_close_device(r.ctx);
	rc = t_summary();
	free(r.buf_a);
	free(r.buf_b);
	return rc;
}
