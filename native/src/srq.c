// SPDX-License-Identifier: Apache-2.0
/*
 * Shared receive queues (ff_abi.h, "Shared receive queues").  The router
 * makes the ring; this library posts receives into it (ffl_post_srq_recv in
 * datapath.c) and the router's responders of every QP made with the SRQ
 * take them.  Basic SRQs only: XRC and tag-matching SRQs are EOPNOTSUPP.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ffl.h"

/* Attach the ring the SRQ's shm header describes (@max_wr receives). */
static int attach_srq_ring(struct ffl_srq *srq, uint32_t max_wr)
{
	struct ff_srq_shm *h = srq->shm;

	if (h->slots < max_wr)
		return EPROTO;
	if (!h->slots)
		return EPROTO;
	return ffl_ring_attach(&srq->rq, h, srq->shm_size, &h->rq, h->offset,
			       h->slots, h->slot_size,
			       sizeof(struct ff_recv_wqe) +
				       srq->max_sge * sizeof(struct ff_sge),
			       true);
}

static struct ffl_srq *create_srq(struct ibv_pd *pd, void *srq_context,
				  struct ibv_srq_attr *attr)
{
	struct ibv_context *ctx = pd->context;
	const struct ff_device_info *info = &to_fctx(ctx)->info;
	struct ff_create_srq_resp resp;
	struct ff_create_srq_req req;
	struct ffl_srq *srq;
	void *shm;
	int err, fd;

	if (!attr->max_wr || attr->max_wr > info->max_srq_wr ||
	    attr->max_sge > info->max_srq_sge) {
		errno = EINVAL;
		return NULL;
	}
	srq = calloc(1, sizeof(*srq));
	if (!srq) {
		errno = ENOMEM;
		return NULL;
	}
	req = (struct ff_create_srq_req){
		.pd_handle = pd->handle,
		.attr = { .max_wr = attr->max_wr, .max_sge = attr->max_sge },
	};
	err = ffl_cmd(ctx, FF_OP_CREATE_SRQ, &req, sizeof(req), -1, &resp,
		      sizeof(resp), &fd);
	if (err)
		goto err_free;
	err = ffl_map_reply_shm(&fd, resp.shm_size, &shm);
	if (err)
		goto err_destroy;
	srq->shm = shm;
	srq->shm_size = resp.shm_size;
	srq->max_sge = resp.attr.max_sge;
	srq->bell = to_fctx(ctx)->bell;
	err = attach_srq_ring(srq, resp.attr.max_wr);
	if (err)
		goto err_unmap;

	pthread_spin_init(&srq->lock, PTHREAD_PROCESS_PRIVATE);
	pthread_mutex_init(&srq->ibsrq.mutex, NULL);
	pthread_cond_init(&srq->ibsrq.cond, NULL);
	srq->ibsrq.context = ctx;
	srq->ibsrq.srq_context = srq_context;
	srq->ibsrq.pd = pd;
	srq->ibsrq.handle = resp.handle;
	attr->max_wr = resp.attr.max_wr;
	attr->max_sge = resp.attr.max_sge;
	ffl_async_add(to_fctx(ctx), &to_fctx(ctx)->srqs, &srq->ctx_node);
	return srq;

err_unmap:
	munmap(srq->shm, srq->shm_size);
err_destroy:
	if (fd >= 0)
		close(fd);
	ffl_destroy_handle(ctx, FF_OP_DESTROY_SRQ, resp.handle);
err_free:
	free(srq);
	errno = err;
	return NULL;
}

FF_EXPORT struct ibv_srq *ibv_create_srq(struct ibv_pd *pd,
					 struct ibv_srq_init_attr *attr)
{
	struct ffl_srq *srq = create_srq(pd, attr->srq_context, &attr->attr);

	return srq ? &srq->ibsrq : NULL;
}

/*
 * verbs_context.create_srq_ex (the inline ibv_create_srq_ex): a basic SRQ
 * on a PD of this context.  XRC, tag matching and a CQ are EOPNOTSUPP.
 */
struct ibv_srq *ffl_create_srq_ex(struct ibv_context *ctx,
				  struct ibv_srq_init_attr_ex *attr)
{
	const uint32_t known = IBV_SRQ_INIT_ATTR_TYPE | IBV_SRQ_INIT_ATTR_PD;
	struct ffl_srq *srq;
	int err = 0;

	if (attr->comp_mask & ~known)
		err = EOPNOTSUPP;
	else if ((attr->comp_mask & IBV_SRQ_INIT_ATTR_TYPE) &&
		 attr->srq_type != IBV_SRQT_BASIC)
		err = EOPNOTSUPP;
	else if (!(attr->comp_mask & IBV_SRQ_INIT_ATTR_PD) || !attr->pd ||
		 attr->pd->context != ctx)
		err = EINVAL;
	if (err) {
		errno = err;
		return NULL;
	}
	srq = create_srq(attr->pd, attr->srq_context, &attr->attr);
	return srq ? &srq->ibsrq : NULL;
}

FF_EXPORT int ibv_modify_srq(struct ibv_srq *srq, struct ibv_srq_attr *attr,
			     int attr_mask)
{
	struct ff_modify_srq_req req = {
		.handle = srq->handle,
		.attr_mask = (uint32_t)attr_mask,
		.attr = { .max_wr = attr->max_wr, .srq_limit = attr->srq_limit },
	};

	return ffl_cmd(srq->context, FF_OP_MODIFY_SRQ, &req, sizeof(req), -1,
		       NULL, 0, NULL);
}

FF_EXPORT int ibv_query_srq(struct ibv_srq *srq, struct ibv_srq_attr *attr)
{
	struct ff_handle_req req = { .handle = srq->handle };
	struct ff_srq_attr resp;
	int err;

	err = ffl_cmd(srq->context, FF_OP_QUERY_SRQ, &req, sizeof(req), -1,
		      &resp, sizeof(resp), NULL);
	if (err)
		return err;
	attr->max_wr = resp.max_wr;
	attr->max_sge = resp.max_sge;
	attr->srq_limit = resp.srq_limit;
	return 0;
}

/* EBUSY (from the router) while a QP uses the SRQ. */
FF_EXPORT int ibv_destroy_srq(struct ibv_srq *ibsrq)
{
	struct ffl_srq *srq = to_fsrq(ibsrq);
	struct ff_destroy_resp resp;
	int err;

	err = ffl_destroy_object(ibsrq->context, FF_OP_DESTROY_SRQ,
				 ibsrq->handle, &resp);
	if (err)
		return err;
	/* as rdma-core: async events already returned must be acked first */
	ffl_async_del(to_fctx(ibsrq->context), &srq->ctx_node,
		      resp.events_dropped);
	ffl_srq_wait_acks(srq);
	munmap(srq->shm, srq->shm_size);
	pthread_spin_destroy(&srq->lock);
	pthread_mutex_destroy(&ibsrq->mutex);
	pthread_cond_destroy(&ibsrq->cond);
	free(srq);
	return 0;
}
