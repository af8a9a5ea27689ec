// SPDX-License-Identifier: Apache-2.0
/*
 * Asynchronous events (ff_abi.h, "Asynchronous events").
 *
 * ctx->async_fd is the reading end of the router's async pipe: one byte
 * in it per event the router holds for this context, so the app may poll
 * it.  ibv_get_async_event reads one byte (blocking unless the app made
 * the fd non-blocking), fetches the oldest event and turns its handle into
 * the object the app knows.  Accounting follows rdma-core: destroying a
 * QP, CQ or SRQ waits until every event returned for it has been acked.
 *
 * Bytes and events are counted, not matched: the router wrote one byte
 * per event it queued; an event leaves its queue either by
 * FF_OP_GET_ASYNC_EVENT or dropped by a destroy, whose reply says how many
 * (the FFL then owes the pipe that many bytes, notify.c).  A read byte
 * whose GET finds the queue empty is the byte of an event a destroy in
 * another thread dropped: it pays one of those (owed may go below zero
 * until that destroy's reply is in).  So the fd stays readable exactly
 * while an event is queued.
 */
#include <errno.h>
#include <unistd.h>

#include "ffl.h"

void ffl_async_init(struct ffl_context *fctx, int fd)
{
	fctx->vctx.context.async_fd = fd;
	pthread_mutex_init(&fctx->async_lock, NULL);
	ffl_pipe_in_init(&fctx->async, fd);
	pthread_mutex_init(&fctx->obj_lock, NULL);
	ffl_list_init(&fctx->qps);
	ffl_list_init(&fctx->cqs);
	ffl_list_init(&fctx->srqs);
}

/*
 * A new QP, CQ or SRQ (@node is its ctx_node, @list the context's list of
 * its kind): events may name it from now on.
 */
void ffl_async_add(struct ffl_context *fctx, struct ffl_list *list,
		   struct ffl_list *node)
{
	pthread_mutex_lock(&fctx->obj_lock);
	ffl_list_add_tail(list, node);
	pthread_mutex_unlock(&fctx->obj_lock);
}

/*
 * The router destroyed the object and dropped @dropped unread events of
 * it: no event will name it again, and their bytes come off the fd
 * (without blocking; what is not there yet is taken later).
 */
void ffl_async_del(struct ffl_context *fctx, struct ffl_list *node,
		   unsigned int dropped)
{
	pthread_mutex_lock(&fctx->obj_lock);
	ffl_list_del(node);
	pthread_mutex_unlock(&fctx->obj_lock);
	if (!dropped)
		return;
	/* a reply is at most a context's objects: no overflow */
	pthread_mutex_lock(&fctx->async_lock);
	ffl_pipe_owe(&fctx->async, (int)dropped);
	pthread_mutex_unlock(&fctx->async_lock);
}

void ffl_qp_wait_acks(struct ffl_qp *qp)
{
	struct ibv_qp *ibqp = &qp->ibqpx.qp_base;

	pthread_mutex_lock(&ibqp->mutex);
	while (ibqp->events_completed != qp->async_events)
		pthread_cond_wait(&ibqp->cond, &ibqp->mutex);
	pthread_mutex_unlock(&ibqp->mutex);
}

static struct ffl_qp *find_qp(struct ffl_context *fctx, uint32_t handle)
{
	struct ffl_list *n;
	struct ffl_qp *qp;

	for (n = fctx->qps.next; n != &fctx->qps; n = n->next) {
		qp = container_of(n, struct ffl_qp, ctx_node);
		if (qp->ibqpx.qp_base.handle == handle)
			return qp;
	}
	return NULL;
}

void ffl_srq_wait_acks(struct ffl_srq *srq)
{
	struct ibv_srq *ibsrq = &srq->ibsrq;

	pthread_mutex_lock(&ibsrq->mutex);
	while (ibsrq->events_completed != srq->async_events)
		pthread_cond_wait(&ibsrq->cond, &ibsrq->mutex);
	pthread_mutex_unlock(&ibsrq->mutex);
}

static struct ffl_srq *find_srq(struct ffl_context *fctx, uint32_t handle)
{
	struct ffl_list *n;
	struct ffl_srq *srq;

	for (n = fctx->srqs.next; n != &fctx->srqs; n = n->next) {
		srq = container_of(n, struct ffl_srq, ctx_node);
		if (srq->ibsrq.handle == handle)
			return srq;
	}
	return NULL;
}

static struct ffl_cq *find_cq(struct ffl_context *fctx, uint32_t handle)
{
	struct ffl_list *n;
	struct ffl_cq *cq;

	for (n = fctx->cqs.next; n != &fctx->cqs; n = n->next) {
		cq = container_of(n, struct ffl_cq, ctx_node);
		if (cq->ibcq.handle == handle)
			return cq;
	}
	return NULL;
}

/*
 * The element an event of @type names (as ibv_ack_async_event reads it),
 * 0 for a type this library does not hand out.
 */
static uint32_t element_of(uint32_t type)
{
	switch (type) {
	case IBV_EVENT_CQ_ERR:
		return FF_ASYNC_CQ;
	case IBV_EVENT_QP_FATAL:
	case IBV_EVENT_QP_REQ_ERR:
	case IBV_EVENT_QP_ACCESS_ERR:
	case IBV_EVENT_COMM_EST:
	case IBV_EVENT_SQ_DRAINED:
	case IBV_EVENT_PATH_MIG:
	case IBV_EVENT_PATH_MIG_ERR:
	case IBV_EVENT_QP_LAST_WQE_REACHED:
		return FF_ASYNC_QP;
	case IBV_EVENT_SRQ_ERR:
	case IBV_EVENT_SRQ_LIMIT_REACHED:
		return FF_ASYNC_SRQ;
	case IBV_EVENT_PORT_ACTIVE:
	case IBV_EVENT_PORT_ERR:
	case IBV_EVENT_LID_CHANGE:
	case IBV_EVENT_PKEY_CHANGE:
	case IBV_EVENT_SM_CHANGE:
	case IBV_EVENT_CLIENT_REREGISTER:
	case IBV_EVENT_GID_CHANGE:
		return FF_ASYNC_PORT;
	case IBV_EVENT_DEVICE_FATAL:
		return FF_ASYNC_DEVICE;
	default:
		return 0;
	}
}

/*
 * Fills @out from @ev and counts the event on its object, under obj_lock
 * so that a destroy cannot slip in between.  False for an element this
 * library does not know, an object it does not have or a type that does
 * not go with the element (nothing to hand the app).
 */
static bool deliver(struct ffl_context *fctx, const struct ff_async_event *ev,
		    struct ibv_async_event *out)
{
	struct ffl_qp *qp = NULL;
	struct ffl_cq *cq = NULL;
	struct ffl_srq *srq;
	bool ok = true;

	/* ibv_ack_async_event finds the object by the type: they must agree
	 * (IBV_EVENT_CQ_ERR, for one, names its CQ in element.cq) */
	if (element_of(ev->event_type) != ev->element)
		return false;
	out->event_type = (enum ibv_event_type)ev->event_type;
	pthread_mutex_lock(&fctx->obj_lock);
	switch (ev->element) {
	case FF_ASYNC_QP:
		qp = find_qp(fctx, ev->handle);
		if (!qp) {
			ok = false;
			break;
		}
		out->element.qp = &qp->ibqpx.qp_base;
		pthread_mutex_lock(&out->element.qp->mutex);
		qp->async_events++;
		pthread_mutex_unlock(&out->element.qp->mutex);
		break;
	case FF_ASYNC_CQ:
		cq = find_cq(fctx, ev->handle);
		if (!cq) {
			ok = false;
			break;
		}
		out->element.cq = &cq->ibcq;
		pthread_mutex_lock(&cq->ibcq.mutex);
		cq->async_events++;
		pthread_mutex_unlock(&cq->ibcq.mutex);
		break;
	case FF_ASYNC_SRQ:
		srq = find_srq(fctx, ev->handle);
		if (!srq) {
			ok = false;
			break;
		}
		out->element.srq = &srq->ibsrq;
		pthread_mutex_lock(&srq->ibsrq.mutex);
		srq->async_events++;
		pthread_mutex_unlock(&srq->ibsrq.mutex);
		break;
	case FF_ASYNC_PORT:
		out->element.port_num = (int)ev->handle;
		break;
	case FF_ASYNC_DEVICE:
		out->element.port_num = 0;
		break;
	default:
		ok = false;
	}
	pthread_mutex_unlock(&fctx->obj_lock);
	return ok;
}

FF_EXPORT int ibv_get_async_event(struct ibv_context *ctx,
				  struct ibv_async_event *event)
{
	struct ffl_context *fctx = to_fctx(ctx);
	struct ff_async_event ev;
	int err, r;

	for (;;) {
		/*
		 * One byte per event.  Blocks while none is pending unless
		 * the app made the fd non-blocking (-1, EAGAIN); a signal
		 * ends the wait with -1, EINTR, as in rdma-core.
		 */
		pthread_mutex_lock(&fctx->async_lock);
		ffl_pipe_settle(&fctx->async);
		r = ffl_pipe_wait(&fctx->async, &fctx->async_lock);
		pthread_mutex_unlock(&fctx->async_lock);
		if (r)
			return -1;
		err = ffl_cmd(ctx, FF_OP_GET_ASYNC_EVENT, NULL, 0, -1, &ev,
			      sizeof(ev), NULL);
		if (err == EAGAIN) {
			/* the byte of an event a destroy dropped (above) */
			pthread_mutex_lock(&fctx->async_lock);
			fctx->async.owed--;
			pthread_mutex_unlock(&fctx->async_lock);
			continue;
		}
		if (err) {
			errno = err;
			return -1;
		}
		/* what a destroy left owed while this thread read: now, so
		 * that the fd is not readable for an event already gone */
		pthread_mutex_lock(&fctx->async_lock);
		ffl_pipe_settle(&fctx->async);
		pthread_mutex_unlock(&fctx->async_lock);
		if (deliver(fctx, &ev, event))
			return 0;
	}
}

FF_EXPORT void ibv_ack_async_event(struct ibv_async_event *event)
{
	pthread_mutex_t *mutex;
	pthread_cond_t *cond;
	unsigned int *done;

	switch (element_of(event->event_type)) {
	case FF_ASYNC_CQ:
		mutex = &event->element.cq->mutex;
		cond = &event->element.cq->cond;
		done = &event->element.cq->async_events_completed;
		break;
	case FF_ASYNC_QP:
		mutex = &event->element.qp->mutex;
		cond = &event->element.qp->cond;
		done = &event->element.qp->events_completed;
		break;
	case FF_ASYNC_SRQ:
		mutex = &event->element.srq->mutex;
		cond = &event->element.srq->cond;
		done = &event->element.srq->events_completed;
		break;
	default:	/* port and device events: nothing waits for them */
		return;
	}
	pthread_mutex_lock(mutex);
	++*done;
	pthread_cond_broadcast(cond);
	pthread_mutex_unlock(mutex);
}
