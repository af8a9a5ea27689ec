// SPDX-License-Identifier: Apache-2.0
/*
 * Shared receive queues (ff_abi.h, "Shared receive queues") and XRC
 * domains ("XRC domains").  The router makes the ring; this library posts
 * receives into it (ffl_post_srq_recv in datapath.c) and the router's
 * responders of every QP made with the SRQ take them, or, for an XRC SRQ,
 * the XRC target QPs of its domain.  Tag-matching SRQs are EOPNOTSUPP.
 */
#include <errno.h>
#include <fcntl.h>
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

/* @req carries the type, PD, and for XRC the domain and CQ. */
static struct ffl_srq *create_srq(struct ibv_pd *pd, void *srq_context,
				  struct ibv_srq_attr *attr,
				  struct ff_create_srq_req *req)
{
	struct ibv_context *ctx = pd->context;
	const struct ff_device_info *info = &to_fctx(ctx)->info;
	struct ff_create_srq_resp resp;
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
	req->pd_handle = pd->handle;
	req->attr = (struct ff_srq_attr){ .max_wr = attr->max_wr,
					  .max_sge = attr->max_sge };
	err = ffl_cmd(ctx, FF_OP_CREATE_SRQ, req, sizeof(*req), -1, &resp,
		      sizeof(resp), &fd);
	if (err)
		goto err_free;
	err = ffl_map_reply_shm(&fd, resp.shm_size, &shm);
	if (err)
		goto err_destroy;
	srq->shm = shm;
	srq->shm_size = resp.shm_size;
	srq->max_sge = resp.attr.max_sge;
	srq->srq_num = resp.srq_num;
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
	struct ff_create_srq_req req = { .srq_type = IBV_SRQT_BASIC };
	struct ffl_srq *srq =
		create_srq(pd, attr->srq_context, &attr->attr, &req);

	return srq ? &srq->ibsrq : NULL;
}

/* EINVAL unless @mask has @bit and @obj belongs to @ctx. */
#define OWN_MEMBER(mask, bit, obj, ctx)                                        \
	(((mask) & (bit)) && (obj) && (obj)->context == (ctx))

/*
 * verbs_context.create_srq_ex (the inline ibv_create_srq_ex): a basic SRQ
 * on a PD of this context, or an XRC SRQ (IBV_SRQT_XRC with its XRC
 * domain, CQ and PD).  Tag matching is EOPNOTSUPP.
 */
struct ibv_srq *ffl_create_srq_ex(struct ibv_context *ctx,
				  struct ibv_srq_init_attr_ex *attr)
{
	const uint32_t known = IBV_SRQ_INIT_ATTR_TYPE | IBV_SRQ_INIT_ATTR_PD |
			       IBV_SRQ_INIT_ATTR_XRCD | IBV_SRQ_INIT_ATTR_CQ;
	uint32_t mask = attr->comp_mask;
	struct ff_create_srq_req req = { .srq_type = IBV_SRQT_BASIC };
	struct ffl_srq *srq;
	int err = 0;

	if (mask & IBV_SRQ_INIT_ATTR_TYPE)
		req.srq_type = attr->srq_type;
	if ((mask & ~known) ||
	    (req.srq_type != IBV_SRQT_BASIC && req.srq_type != IBV_SRQT_XRC))
		err = EOPNOTSUPP;
	else if (!OWN_MEMBER(mask, IBV_SRQ_INIT_ATTR_PD, attr->pd, ctx))
		err = EINVAL;
	else if (req.srq_type == IBV_SRQT_XRC &&
		 (!OWN_MEMBER(mask, IBV_SRQ_INIT_ATTR_XRCD, attr->xrcd, ctx) ||
		  !OWN_MEMBER(mask, IBV_SRQ_INIT_ATTR_CQ, attr->cq, ctx)))
		err = EINVAL;
	if (err) {
		errno = err;
		return NULL;
	}
	if (req.srq_type == IBV_SRQT_XRC) {
		req.xrcd = to_fxrcd(attr->xrcd)->handle;
		req.cq = attr->cq->handle;
	}
	srq = create_srq(attr->pd, attr->srq_context, &attr->attr, &req);
	return srq ? &srq->ibsrq : NULL;
}

/* verbs_context.get_srq_num (the inline ibv_get_srq_num). */
int ffl_get_srq_num(struct ibv_srq *srq, uint32_t *srq_num)
{
	*srq_num = to_fsrq(srq)->srq_num;
	return 0;
}

/*
 * verbs_context.open_xrcd (the inline ibv_open_xrcd): IBV_XRCD_INIT_ATTR_OFLAGS
 * is required; with IBV_XRCD_INIT_ATTR_FD and fd >= 0 the domain is the
 * container's one of that file (the fd goes to the router, which stats it).
 */
struct ibv_xrcd *ffl_open_xrcd(struct ibv_context *ctx,
			       struct ibv_xrcd_init_attr *attr)
{
	const uint32_t known = IBV_XRCD_INIT_ATTR_FD | IBV_XRCD_INIT_ATTR_OFLAGS;
	struct ff_open_xrcd_req req = { 0 };
	struct ff_handle_resp resp;
	struct ffl_xrcd *xrcd;
	int fd = -1, err;

	if ((attr->comp_mask & ~known) ||
	    !(attr->comp_mask & IBV_XRCD_INIT_ATTR_OFLAGS)) {
		errno = EINVAL;
		return NULL;
	}
	if (attr->comp_mask & IBV_XRCD_INIT_ATTR_FD)
		fd = attr->fd;
	if (attr->oflags & O_CREAT)
		req.flags |= FF_XRCD_CREATE;
	if (attr->oflags & O_EXCL)
		req.flags |= FF_XRCD_EXCL;
	req.file = fd >= 0;
	xrcd = calloc(1, sizeof(*xrcd));
	if (!xrcd) {
		errno = ENOMEM;
		return NULL;
	}
	err = ffl_cmd(ctx, FF_OP_OPEN_XRCD, &req, sizeof(req), fd, &resp,
		      sizeof(resp), NULL);
	if (err) {
		free(xrcd);
		errno = err;
		return NULL;
	}
	xrcd->ibxrcd.context = ctx;
	xrcd->handle = resp.handle;
	return &xrcd->ibxrcd;
}

/* verbs_context.close_xrcd: EBUSY while this context's SRQs or QPs use it. */
int ffl_close_xrcd(struct ibv_xrcd *ibxrcd)
{
	struct ffl_xrcd *xrcd = to_fxrcd(ibxrcd);
	int err;

	err = ffl_destroy_handle(ibxrcd->context, FF_OP_CLOSE_XRCD,
				 xrcd->handle);
	if (err)
		return err;
	free(xrcd);
	return 0;
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
