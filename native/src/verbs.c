// SPDX-License-Identifier: Apache-2.0
/*
 * Control verbs: each is one request/reply with the router on the
 * context's socket (ffl_cmd).  Rings of CQs and QPs come back as memfds
 * that are mapped here and then only touched by datapath.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ffl.h"

int ffl_destroy_handle(struct ibv_context *ctx, uint16_t op,
			  uint32_t handle)
{
	struct ff_handle_req req = { .handle = handle };

	return ffl_cmd(ctx, op, &req, sizeof(req), -1, NULL, 0, NULL);
}

/* DESTROY_QP / DESTROY_CQ: the reply says how many async events went. */
int ffl_destroy_object(struct ibv_context *ctx, uint16_t op,
			  uint32_t handle, struct ff_destroy_resp *resp)
{
	struct ff_handle_req req = { .handle = handle };

	return ffl_cmd(ctx, op, &req, sizeof(req), -1, resp, sizeof(*resp),
		       NULL);
}

/* ---- protection domains -------------------------------------------- */

FF_EXPORT struct ibv_pd *ibv_alloc_pd(struct ibv_context *ctx)
{
	struct ff_handle_resp resp;
	struct ffl_pd *pd;
	int err;

	pd = calloc(1, sizeof(*pd));
	if (!pd) {
		errno = ENOMEM;
		return NULL;
	}
	err = ffl_cmd(ctx, FF_OP_ALLOC_PD, NULL, 0, -1, &resp, sizeof(resp),
		      NULL);
	if (err) {
		free(pd);
		errno = err;
		return NULL;
	}
	pd->ibpd.context = ctx;
	pd->ibpd.handle = resp.handle;
	return &pd->ibpd;
}

FF_EXPORT int ibv_dealloc_pd(struct ibv_pd *pd)
{
	int err;

	/* the router does not know AHs: their PD is busy here */
	if (__atomic_load_n(&to_fpd(pd)->ahs, __ATOMIC_RELAXED))
		return EBUSY;
	err = ffl_destroy_handle(pd->context, FF_OP_DEALLOC_PD, pd->handle);
	if (err)
		return err;
	free(to_fpd(pd));
	return 0;
}

/* ---- memory regions ------------------------------------------------- */

static struct ibv_mr *reg_mr(struct ibv_pd *pd, void *addr, size_t length,
			     uint64_t iova, unsigned int access)
{
	uintptr_t ps = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t start = (uintptr_t)addr;
	struct ff_reg_mr_resp resp;
	struct ff_reg_mr_req req;
	struct ffl_mr *mr;
	int err, memfd;

	/* optional bits are hints a device may ignore */
	access &= ~(unsigned int)IBV_ACCESS_OPTIONAL_RANGE;
	if (((access & (IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_ATOMIC)) &&
	     !(access & IBV_ACCESS_LOCAL_WRITE)) ||
	    start + length < start) {
		errno = EINVAL;
		return NULL;
	}

	mr = calloc(1, sizeof(*mr));
	if (!mr) {
		errno = ENOMEM;
		return NULL;
	}
	if (length) {
		mr->pg_start = start & ~(ps - 1);
		mr->pg_end = (start + length + ps - 1) & ~(ps - 1);
	}
	err = ffl_mem_reg(mr->pg_start, mr->pg_end, &memfd);
	if (err)
		goto err_free;

	req = (struct ff_reg_mr_req){
		.pd_handle = pd->handle,
		.access = access,
		.addr = start,
		.length = length,
		.iova = iova,
	};
	err = ffl_cmd(pd->context, FF_OP_REG_MR, &req, sizeof(req), memfd,
		      &resp, sizeof(resp), NULL);
	if (err)
		goto err_mem;

	mr->ibmr.context = pd->context;
	mr->ibmr.pd = pd;
	mr->ibmr.addr = addr;
	mr->ibmr.length = length;
	mr->ibmr.handle = resp.handle;
	mr->ibmr.lkey = resp.lkey;
	mr->ibmr.rkey = resp.rkey;
	return &mr->ibmr;

err_mem:
	ffl_mem_dereg(mr->pg_start, mr->pg_end);
err_free:
	free(mr);
	errno = err;
	return NULL;
}

#undef ibv_reg_mr
#undef ibv_reg_mr_iova

FF_EXPORT struct ibv_mr *ibv_reg_mr(struct ibv_pd *pd, void *addr,
				    size_t length, int access)
{
	return reg_mr(pd, addr, length, (uintptr_t)addr, (unsigned int)access);
}

FF_EXPORT struct ibv_mr *ibv_reg_mr_iova(struct ibv_pd *pd, void *addr,
					 size_t length, uint64_t iova,
					 int access)
{
	return reg_mr(pd, addr, length, iova, (unsigned int)access);
}

FF_EXPORT struct ibv_mr *ibv_reg_mr_iova2(struct ibv_pd *pd, void *addr,
					  size_t length, uint64_t iova,
					  unsigned int access)
{
	return reg_mr(pd, addr, length, iova, access);
}

FF_EXPORT int ibv_dereg_mr(struct ibv_mr *ibmr)
{
	struct ffl_mr *mr = to_fmr(ibmr);
	int err;

	err = ffl_destroy_handle(ibmr->context, FF_OP_DEREG_MR, ibmr->handle);
	if (err)
		return err;
	/* the router no longer maps it: give the pages back */
	ffl_mem_dereg(mr->pg_start, mr->pg_end);
	free(mr);
	return 0;
}

FF_EXPORT int ibv_rereg_mr(struct ibv_mr *mr, int flags, struct ibv_pd *pd,
			   void *addr, size_t length, int access)
{
	(void)mr, (void)flags, (void)pd, (void)addr, (void)length;
	(void)access;
	errno = EOPNOTSUPP;
	return IBV_REREG_MR_ERR_INPUT;
}

/* ---- completion queues (channels and events: events.c) -------------- */

/* Maps the ring memfd that a create reply carried, then closes the fd. */
int ffl_map_reply_shm(int *fd, uint64_t size, void **shm)
{
	void *p;

	if (*fd < 0 || size < FF_SHM_HDR_SIZE)
		return EPROTO;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, *fd, 0);
	if (p == MAP_FAILED)
		return errno;
	close(*fd);
	*fd = -1;
	*shm = p;
	return 0;
}

static struct ffl_cq *create_cq(struct ibv_context *ctx, int cqe,
				void *cq_context,
				struct ibv_comp_channel *channel,
				int comp_vector, uint32_t flags)
{
	struct ffl_context *fctx = to_fctx(ctx);
	const struct ff_device_info *info = &fctx->info;
	struct ff_create_cq_resp resp;
	struct ff_create_cq_req req;
	struct ffl_cq *cq;
	void *shm;
	int err, fd;

	if (cqe < 1 || (uint32_t)cqe > info->max_cqe || comp_vector < 0 ||
	    comp_vector >= ctx->num_comp_vectors ||
	    (channel && channel->context != ctx)) {
		errno = EINVAL;
		return NULL;
	}
	cq = calloc(1, sizeof(*cq));
	if (!cq) {
		errno = ENOMEM;
		return NULL;
	}

	req = (struct ff_create_cq_req){
		.cqe = (uint32_t)cqe,
		.comp_vector = (uint32_t)comp_vector,
		/* the router notifies through its end of the channel's pipe */
		.channel = channel ? to_fch(channel)->handle : 0,
		.flags = flags,
	};
	err = ffl_cmd(ctx, FF_OP_CREATE_CQ, &req, sizeof(req), -1, &resp,
		      sizeof(resp), &fd);
	if (err)
		goto err_free;
	err = ffl_map_reply_shm(&fd, resp.shm_size, &shm);
	if (err)
		goto err_destroy;
	cq->shm = shm;
	cq->shm_size = resp.shm_size;

	err = EPROTO;
	if (cq->shm->entry_size != FF_CQE_SIZE ||
	    cq->shm->slots < resp.cqe ||
	    ffl_ring_attach(&cq->ring, shm, cq->shm_size, &cq->shm->ring,
			    FF_SHM_HDR_SIZE, cq->shm->slots, FF_CQE_SIZE,
			    FF_CQE_SIZE, false) ||
	    !ffl_ring_present(&cq->ring))
		goto err_unmap;

	pthread_spin_init(&cq->lock, PTHREAD_PROCESS_PRIVATE);
	pthread_mutex_init(&cq->ibcq.mutex, NULL);
	pthread_cond_init(&cq->ibcq.cond, NULL);
	cq->ibcq.context = ctx;
	cq->ibcq.channel = channel;
	cq->ibcq.cq_context = cq_context;
	cq->ibcq.handle = resp.handle;
	cq->ibcq.cqe = (int)resp.cqe;
	cq->bell = fctx->bell;
	if (channel)
		ffl_channel_add(to_fch(channel), cq);
	ffl_async_add(fctx, &fctx->cqs, &cq->ctx_node);
	return cq;

err_unmap:
	munmap(cq->shm, cq->shm_size);
err_destroy:
	if (fd >= 0)
		close(fd);
	ffl_destroy_handle(ctx, FF_OP_DESTROY_CQ, resp.handle);
err_free:
	free(cq);
	errno = err;
	return NULL;
}

FF_EXPORT struct ibv_cq *ibv_create_cq(struct ibv_context *ctx, int cqe,
				       void *cq_context,
				       struct ibv_comp_channel *channel,
				       int comp_vector)
{
	struct ffl_cq *cq = create_cq(ctx, cqe, cq_context, channel,
				      comp_vector, 0);

	return cq ? &cq->ibcq : NULL;
}

/*
 * verbs_context.create_cq_ex (the inline ibv_create_cq_ex).  The ring is
 * the same as ibv_create_cq's; what differs is how it is polled.  With
 * IBV_WC_EX_WITH_COMPLETION_TIMESTAMP the router stamps each entry with its
 * CLOCK_MONOTONIC in ns (hca_core_clock 1 GHz); the wall-clock timestamp,
 * CVLAN, flow tag and TM are not offered; SINGLE_THREADED is only a hint.
 */
static struct ibv_cq_ex *ffl_create_cq_ex(struct ibv_context *ctx,
					  struct ibv_cq_init_attr_ex *attr)
{
	struct ffl_cq *cq;

	if ((attr->wc_flags & ~(uint64_t)(IBV_WC_STANDARD_FLAGS |
					  IBV_WC_EX_WITH_COMPLETION_TIMESTAMP)) ||
	    (attr->comp_mask & ~(uint32_t)IBV_CQ_INIT_ATTR_MASK_FLAGS) ||
	    ((attr->comp_mask & IBV_CQ_INIT_ATTR_MASK_FLAGS) &&
	     (attr->flags & ~(uint32_t)IBV_CREATE_CQ_ATTR_SINGLE_THREADED))) {
		errno = EOPNOTSUPP;
		return NULL;
	}
	if (attr->cqe > INT32_MAX) {
		errno = EINVAL;
		return NULL;
	}
	cq = create_cq(ctx, (int)attr->cqe, attr->cq_context, attr->channel,
		       (int)attr->comp_vector,
		       attr->wc_flags & IBV_WC_EX_WITH_COMPLETION_TIMESTAMP ?
			       FF_CQ_F_TIMESTAMP : 0);
	if (!cq)
		return NULL;
	ffl_cqx_init(cq, attr->wc_flags);
	return &cq->ibcqx;
}

FF_EXPORT int ibv_destroy_cq(struct ibv_cq *ibcq)
{
	struct ffl_cq *cq = to_fcq(ibcq);
	struct ff_destroy_resp resp;
	int err;

	err = ffl_destroy_object(ibcq->context, FF_OP_DESTROY_CQ, ibcq->handle,
			     &resp);
	if (err)
		return err;
	/* as rdma-core: events already returned must be acked first */
	ffl_async_del(to_fctx(ibcq->context), &cq->ctx_node,
		      resp.events_dropped);
	ffl_channel_del(cq);
	ffl_cq_wait_acks(cq);
	munmap(cq->shm, cq->shm_size);
	pthread_spin_destroy(&cq->lock);
	pthread_mutex_destroy(&ibcq->mutex);
	pthread_cond_destroy(&ibcq->cond);
	free(cq);
	return 0;
}

FF_EXPORT int ibv_resize_cq(struct ibv_cq *cq, int cqe)
{
	(void)cq, (void)cqe;
	return EOPNOTSUPP;
}

/* ---- queue pairs ---------------------------------------------------- */

static void to_ff_cap(struct ff_qp_cap *o, const struct ibv_qp_cap *i)
{
	*o = (struct ff_qp_cap){
		.max_send_wr = i->max_send_wr,
		.max_recv_wr = i->max_recv_wr,
		.max_send_sge = i->max_send_sge,
		.max_recv_sge = i->max_recv_sge,
		.max_inline_data = i->max_inline_data,
	};
}

static void from_ff_cap(struct ibv_qp_cap *o, const struct ff_qp_cap *i)
{
	o->max_send_wr = i->max_send_wr;
	o->max_recv_wr = i->max_recv_wr;
	o->max_send_sge = i->max_send_sge;
	o->max_recv_sge = i->max_recv_sge;
	o->max_inline_data = i->max_inline_data;
}

/*
 * The objects a QP of @a->qp_type needs: RC, UC, UD a send and a receive
 * CQ (and maybe an SRQ); an XRC initiator a send CQ only; an XRC target
 * none (its XRC domain is checked by the caller).
 */
static int check_qp_init(struct ibv_context *ctx,
			 const struct ibv_qp_init_attr *a)
{
	const struct ff_device_info *info = &to_fctx(ctx)->info;
	const struct ibv_qp_cap *c = &a->cap;

	switch (a->qp_type) {
	case IBV_QPT_RC:
	case IBV_QPT_UC:
	case IBV_QPT_UD:
		if (a->srq && a->srq->context != ctx)
			return EINVAL;
		if (!a->send_cq || !a->recv_cq || a->send_cq->context != ctx ||
		    a->recv_cq->context != ctx)
			return EINVAL;
		break;
	case IBV_QPT_XRC_SEND:
		if (a->srq || !a->send_cq || a->send_cq->context != ctx)
			return EINVAL;
		break;
	case IBV_QPT_XRC_RECV:
		return 0;	/* no queues: its capacities are not looked at */
	default:
		return EOPNOTSUPP;
	}
	if (c->max_send_wr > info->max_qp_wr ||
	    c->max_recv_wr > info->max_qp_wr ||
	    c->max_send_sge > info->max_sge ||
	    c->max_recv_sge > info->max_sge ||
	    c->max_inline_data > info->max_inline_data)
		return EINVAL;
	return 0;
}

/* Attach the rings described by the QP's shm header. */
static int attach_qp_rings(struct ffl_qp *qp)
{
	struct ff_qp_shm *h = qp->shm;
	size_t min_send = sizeof(struct ff_send_wqe);
	size_t min_recv = sizeof(struct ff_recv_wqe);
	int err;

	if (h->sq_slots < qp->cap.max_send_wr ||
	    h->rq_slots < qp->cap.max_recv_wr)
		return EPROTO;
	/* a queue the QP was granted none of stays absent: posting is EINVAL */
	err = ffl_ring_attach(&qp->sq, h, qp->shm_size, &h->sq, h->sq_offset,
			      qp->cap.max_send_wr ? h->sq_slots : 0,
			      h->sq_slot_size, min_send, true);
	if (!err)
		err = ffl_ring_attach(&qp->rq, h, qp->shm_size, &h->rq,
				      h->rq_offset,
				      qp->cap.max_recv_wr ? h->rq_slots : 0,
				      h->rq_slot_size, min_recv, true);
	return err;
}

/* @pd: NULL for an XRC target, which has @xrcd instead. */
static struct ffl_qp *create_qp(struct ibv_context *ctx, struct ibv_pd *pd,
				struct ibv_xrcd *xrcd,
				struct ibv_qp_init_attr *attr)
{
	bool xrc = attr->qp_type == IBV_QPT_XRC_SEND ||
		   attr->qp_type == IBV_QPT_XRC_RECV;
	struct ibv_cq *send_cq =
		attr->qp_type == IBV_QPT_XRC_RECV ? NULL : attr->send_cq;
	struct ibv_cq *recv_cq = xrc ? NULL : attr->recv_cq;
	struct ff_create_qp_resp resp;
	struct ff_create_qp_req req;
	struct ffl_qp *qp;
	struct ibv_qp *ibqp;
	void *shm;
	int err, fd;

	err = check_qp_init(ctx, attr);
	if (err) {
		errno = err;
		return NULL;
	}
	qp = calloc(1, sizeof(*qp));
	if (!qp) {
		errno = ENOMEM;
		return NULL;
	}

	req = (struct ff_create_qp_req){
		.pd_handle = pd ? pd->handle : 0,
		.send_cq = send_cq ? send_cq->handle : 0,
		.recv_cq = recv_cq ? recv_cq->handle : 0,
		.srq = attr->srq ? attr->srq->handle : 0,
		.qp_type = attr->qp_type,
		.sq_sig_all = attr->sq_sig_all ? 1 : 0,
		.xrcd = xrcd ? to_fxrcd(xrcd)->handle : 0,
	};
	if (attr->qp_type != IBV_QPT_XRC_RECV)
		to_ff_cap(&req.cap, &attr->cap);
	err = ffl_cmd(ctx, FF_OP_CREATE_QP, &req, sizeof(req), -1, &resp,
		      sizeof(resp), &fd);
	if (err)
		goto err_free;
	err = ffl_map_reply_shm(&fd, resp.shm_size, &shm);
	if (err)
		goto err_destroy;
	qp->shm = shm;
	qp->shm_size = resp.shm_size;
	qp->cap = resp.cap;
	qp->bell = to_fctx(ctx)->bell;
	err = attach_qp_rings(qp);
	if (err)
		goto err_unmap;

	pthread_spin_init(&qp->sq_lock, PTHREAD_PROCESS_PRIVATE);
	pthread_spin_init(&qp->rq_lock, PTHREAD_PROCESS_PRIVATE);
	ibqp = &qp->ibqpx.qp_base;
	pthread_mutex_init(&ibqp->mutex, NULL);
	pthread_cond_init(&ibqp->cond, NULL);
	ibqp->context = ctx;
	ibqp->qp_context = attr->qp_context;
	ibqp->pd = pd;
	ibqp->send_cq = send_cq;
	ibqp->recv_cq = recv_cq;
	ibqp->srq = attr->srq;
	ibqp->handle = resp.handle;
	ibqp->qp_num = resp.qp_num;
	ibqp->state = IBV_QPS_RESET;
	ibqp->qp_type = attr->qp_type;
	from_ff_cap(&attr->cap, &resp.cap);
	ffl_async_add(to_fctx(ctx), &to_fctx(ctx)->qps, &qp->ctx_node);
	return qp;

err_unmap:
	munmap(qp->shm, qp->shm_size);
err_destroy:
	if (fd >= 0)
		close(fd);
	ffl_destroy_handle(ctx, FF_OP_DESTROY_QP, resp.handle);
err_free:
	free(qp);
	errno = err;
	return NULL;
}

FF_EXPORT struct ibv_qp *ibv_create_qp(struct ibv_pd *pd,
				       struct ibv_qp_init_attr *attr)
{
	struct ffl_qp *qp;

	if (attr->qp_type == IBV_QPT_XRC_RECV) {
		errno = EINVAL;	/* needs an XRC domain: ibv_create_qp_ex */
		return NULL;
	}
	qp = create_qp(pd->context, pd, NULL, attr);

	return qp ? &qp->ibqpx.qp_base : NULL;
}

_Static_assert(offsetof(struct ibv_qp_init_attr_ex, sq_sig_all) ==
		       offsetof(struct ibv_qp_init_attr, sq_sig_all),
	       "ibv_qp_init_attr_ex must start with ibv_qp_init_attr");

/*
 * verbs_context.create_qp_ex (the inline ibv_create_qp_ex; a mask of only
 * IBV_QP_INIT_ATTR_PD never gets here).  Offered: a PD (an XRC target: an
 * XRC domain instead), no create flags, and send_ops_flags for the
 * ibv_wr_* API (post_ex.c).
 */
static struct ibv_qp *ffl_create_qp_ex(struct ibv_context *ctx,
				       struct ibv_qp_init_attr_ex *attr)
{
	const uint32_t known = IBV_QP_INIT_ATTR_PD | IBV_QP_INIT_ATTR_XRCD |
			       IBV_QP_INIT_ATTR_CREATE_FLAGS |
			       IBV_QP_INIT_ATTR_SEND_OPS_FLAGS;
	uint32_t mask = attr->comp_mask;
	bool ops = mask & IBV_QP_INIT_ATTR_SEND_OPS_FLAGS;
	bool target = attr->qp_type == IBV_QPT_XRC_RECV;
	struct ffl_qp *qp;
	int err = 0;

	if (mask & ~known)
		err = EOPNOTSUPP;
	else if ((mask & IBV_QP_INIT_ATTR_CREATE_FLAGS) && attr->create_flags)
		err = EOPNOTSUPP;
	else if (target && (!(mask & IBV_QP_INIT_ATTR_XRCD) || !attr->xrcd ||
			    attr->xrcd->context != ctx || ops))
		err = EINVAL;
	else if (!target && (!(mask & IBV_QP_INIT_ATTR_PD) || !attr->pd ||
			     attr->pd->context != ctx))
		err = EINVAL;
	else if (ops)
		err = ffl_qpx_check(attr->qp_type, attr->send_ops_flags);
	if (err) {
		errno = err;
		return NULL;
	}
	qp = create_qp(ctx, target ? NULL : attr->pd,
		       target ? attr->xrcd : NULL,
		       (struct ibv_qp_init_attr *)attr);
	if (!qp)
		return NULL;
	if (ops)
		ffl_qpx_init(qp);
	return &qp->ibqpx.qp_base;
}

static void to_ff_ah(struct ff_ah_attr *o, const struct ibv_ah_attr *i)
{
	memcpy(o->dgid, i->grh.dgid.raw, sizeof(o->dgid));
	o->flow_label = i->grh.flow_label;
	o->sgid_index = i->grh.sgid_index;
	o->hop_limit = i->grh.hop_limit;
	o->traffic_class = i->grh.traffic_class;
	o->is_global = i->is_global;
	o->dlid = i->dlid;
	o->sl = i->sl;
	o->src_path_bits = i->src_path_bits;
	o->static_rate = i->static_rate;
	o->port_num = i->port_num;
}

static void from_ff_ah(struct ibv_ah_attr *o, const struct ff_ah_attr *i)
{
	memset(o, 0, sizeof(*o));
	memcpy(o->grh.dgid.raw, i->dgid, sizeof(i->dgid));
	o->grh.flow_label = i->flow_label;
	o->grh.sgid_index = i->sgid_index;
	o->grh.hop_limit = i->hop_limit;
	o->grh.traffic_class = i->traffic_class;
	o->is_global = i->is_global;
	o->dlid = i->dlid;
	o->sl = i->sl;
	o->src_path_bits = i->src_path_bits;
	o->static_rate = i->static_rate;
	o->port_num = i->port_num;
}

static void to_ff_qp_attr(struct ff_qp_attr *o, const struct ibv_qp_attr *i)
{
	memset(o, 0, sizeof(*o));
	o->qp_state = i->qp_state;
	o->cur_qp_state = i->cur_qp_state;
	o->path_mtu = i->path_mtu;
	o->qp_access_flags = (uint32_t)i->qp_access_flags;
	o->qkey = i->qkey;
	o->rq_psn = i->rq_psn;
	o->sq_psn = i->sq_psn;
	o->dest_qp_num = i->dest_qp_num;
	to_ff_cap(&o->cap, &i->cap);
	to_ff_ah(&o->ah_attr, &i->ah_attr);
	o->pkey_index = i->pkey_index;
	o->port_num = i->port_num;
	o->max_rd_atomic = i->max_rd_atomic;
	o->max_dest_rd_atomic = i->max_dest_rd_atomic;
	o->min_rnr_timer = i->min_rnr_timer;
	o->timeout = i->timeout;
	o->retry_cnt = i->retry_cnt;
	o->rnr_retry = i->rnr_retry;
	o->sq_draining = i->sq_draining;
	o->en_sqd_async_notify = i->en_sqd_async_notify;
}

static void from_ff_qp_attr(struct ibv_qp_attr *o, const struct ff_qp_attr *i)
{
	memset(o, 0, sizeof(*o));
	o->qp_state = (enum ibv_qp_state)i->qp_state;
	o->cur_qp_state = (enum ibv_qp_state)i->cur_qp_state;
	o->path_mtu = (enum ibv_mtu)i->path_mtu;
	o->qp_access_flags = (int)i->qp_access_flags;
	o->qkey = i->qkey;
	o->rq_psn = i->rq_psn;
	o->sq_psn = i->sq_psn;
	o->dest_qp_num = i->dest_qp_num;
	from_ff_cap(&o->cap, &i->cap);
	from_ff_ah(&o->ah_attr, &i->ah_attr);
	o->pkey_index = i->pkey_index;
	o->port_num = i->port_num;
	o->max_rd_atomic = i->max_rd_atomic;
	o->max_dest_rd_atomic = i->max_dest_rd_atomic;
	o->min_rnr_timer = i->min_rnr_timer;
	o->timeout = i->timeout;
	o->retry_cnt = i->retry_cnt;
	o->rnr_retry = i->rnr_retry;
	o->sq_draining = i->sq_draining;
}

FF_EXPORT int ibv_modify_qp(struct ibv_qp *ibqp, struct ibv_qp_attr *attr,
			    int attr_mask)
{
	struct ffl_qp *qp = to_fqp(ibqp);
	struct ff_modify_qp_req req = {
		.handle = ibqp->handle,
		.attr_mask = (uint32_t)attr_mask,
	};
	int err;

	to_ff_qp_attr(&req.attr, attr);
	err = ffl_cmd(ibqp->context, FF_OP_MODIFY_QP, &req, sizeof(req), -1,
		      NULL, 0, NULL);
	if (err)
		return err;
	if (attr_mask & IBV_QP_STATE) {
		ibqp->state = attr->qp_state;
		if (attr->qp_state == IBV_QPS_RESET) {
			/* the router emptied both queues */
			ffl_lock(&qp->sq_lock);
			ffl_ring_resync(&qp->sq, true);
			ffl_unlock(&qp->sq_lock);
			ffl_lock(&qp->rq_lock);
			ffl_ring_resync(&qp->rq, true);
			ffl_unlock(&qp->rq_lock);
		}
	}
	return 0;
}

FF_EXPORT int ibv_query_qp(struct ibv_qp *ibqp, struct ibv_qp_attr *attr,
			   int attr_mask, struct ibv_qp_init_attr *init_attr)
{
	struct ff_query_qp_req req = {
		.handle = ibqp->handle,
		.attr_mask = (uint32_t)attr_mask,
	};
	struct ff_query_qp_resp resp;
	int err;

	err = ffl_cmd(ibqp->context, FF_OP_QUERY_QP, &req, sizeof(req), -1,
		      &resp, sizeof(resp), NULL);
	if (err)
		return err;
	from_ff_qp_attr(attr, &resp.attr);
	/* as rdma-core: the state the router reports is the QP's state */
	ibqp->state = attr->qp_state;
	if (init_attr) {
		memset(init_attr, 0, sizeof(*init_attr));
		init_attr->qp_context = ibqp->qp_context;
		init_attr->send_cq = ibqp->send_cq;
		init_attr->recv_cq = ibqp->recv_cq;
		init_attr->srq = ibqp->srq;
		init_attr->cap = attr->cap;
		init_attr->qp_type = (enum ibv_qp_type)resp.qp_type;
		init_attr->sq_sig_all = (int)resp.sq_sig_all;
	}
	return 0;
}

FF_EXPORT int ibv_destroy_qp(struct ibv_qp *ibqp)
{
	struct ffl_qp *qp = to_fqp(ibqp);
	struct ff_destroy_resp resp;
	int err;

	err = ffl_destroy_object(ibqp->context, FF_OP_DESTROY_QP, ibqp->handle,
			     &resp);
	if (err)
		return err;
	/* as rdma-core: async events already returned must be acked first */
	ffl_async_del(to_fctx(ibqp->context), &qp->ctx_node,
		      resp.events_dropped);
	ffl_qp_wait_acks(qp);
	munmap(qp->shm, qp->shm_size);
	pthread_spin_destroy(&qp->sq_lock);
	pthread_spin_destroy(&qp->rq_lock);
	pthread_mutex_destroy(&ibqp->mutex);
	pthread_cond_destroy(&ibqp->cond);
	free(qp);
	return 0;
}

/* Only a QP made by ibv_create_qp_ex with send_ops_flags has the API. */
FF_EXPORT struct ibv_qp_ex *ibv_qp_to_qp_ex(struct ibv_qp *ibqp)
{
	struct ffl_qp *qp = to_fqp(ibqp);

	if (!qp->has_qpx) {
		errno = EOPNOTSUPP;
		return NULL;
	}
	return &qp->ibqpx;
}

/* The extended verbs_context ops ibv_open_device installs. */
void ffl_verbs_ctx_init(struct verbs_context *vctx)
{
	vctx->create_cq_ex = ffl_create_cq_ex;
	vctx->create_qp_ex = ffl_create_qp_ex;
	vctx->create_srq_ex = ffl_create_srq_ex;
	vctx->get_srq_num = ffl_get_srq_num;
	vctx->open_xrcd = ffl_open_xrcd;
	vctx->close_xrcd = ffl_close_xrcd;
}
