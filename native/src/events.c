// SPDX-License-Identifier: Apache-2.0
/*
 * Completion channels and CQ events (ff_abi.h, the completion-event
 * comment near FF_CQ_ARM_*).
 *
 * A channel is the router's (FF_OP_CREATE_COMP_CHANNEL): the reply
 * carries its handle, which CREATE_CQ names, and the reading end of its
 * pipe, which the app sees as channel->fd and may poll or make
 * non-blocking.  Arming a CQ stores ff_cq_shm.armed; when the router
 * publishes a matching entry it takes the arm back, exchanges
 * ff_cq_shm.notified to 1 and, when it was 0, writes one byte to the
 * pipe: one byte per notified CQ.  The flags say which CQs have an event;
 * the bytes make the fd readable while one does.
 *
 * ibv_get_cq_event takes a notified CQ by exchanging its flag 1 -> 0,
 * and with it its byte.  The byte may not be there yet (the router writes
 * it just after the flag), or a thread may be in the read below: then the
 * channel owes it (ffl_pipe_in.owed, notify.c) and takes it later, before
 * waiting.  With no notified CQ it reads a byte (blocking unless the app
 * made the fd non-blocking) and looks again; that byte is one a flag
 * stands for, taken ahead, so a CQ found next owes nothing.  A byte after
 * which no CQ is found and nothing was owed has no flag behind it (a
 * stray) and is forgotten.  So channel->fd is readable exactly while a CQ
 * of the channel is notified, as a kernel channel is while it holds an
 * event.
 *
 * Accounting follows rdma-core: every event ibv_get_cq_event returns must
 * be acknowledged with ibv_ack_cq_events before ibv_destroy_cq returns,
 * and a channel cannot be destroyed while CQs use it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "ffl.h"

FF_EXPORT struct ibv_comp_channel *
ibv_create_comp_channel(struct ibv_context *ctx)
{
	struct ff_handle_resp resp;
	struct ffl_channel *ch;
	int err, fd;

	ch = calloc(1, sizeof(*ch));
	if (!ch) {
		errno = ENOMEM;
		return NULL;
	}
	err = ffl_cmd(ctx, FF_OP_CREATE_COMP_CHANNEL, NULL, 0, -1, &resp,
		      sizeof(resp), &fd);
	if (err)
		goto err_free;
	/* 0 names no channel in CREATE_CQ: the router never gives it */
	if (!resp.handle || ffl_pipe_check(fd, O_RDONLY)) {
		err = EPROTO;
		if (fd >= 0)
			close(fd);
		if (resp.handle)
			ffl_destroy_handle(ctx, FF_OP_DESTROY_COMP_CHANNEL,
					   resp.handle);
		goto err_free;
	}
	ch->handle = resp.handle;
	ch->ch.fd = fd;
	ch->ch.context = ctx;
	pthread_mutex_init(&ch->lock, NULL);
	ffl_list_init(&ch->cqs);
	ffl_pipe_in_init(&ch->in, fd);
	return &ch->ch;

err_free:
	free(ch);
	errno = err;
	return NULL;
}

FF_EXPORT int ibv_destroy_comp_channel(struct ibv_comp_channel *channel)
{
	struct ffl_channel *ch = to_fch(channel);
	int err;

	pthread_mutex_lock(&ch->lock);
	err = !ffl_list_empty(&ch->cqs) || channel->refcnt ? EBUSY : 0;
	pthread_mutex_unlock(&ch->lock);
	if (err)
		return err;
	/* the router says EBUSY too while it has CQs on it */
	err = ffl_destroy_handle(channel->context, FF_OP_DESTROY_COMP_CHANNEL,
				 ch->handle);
	if (err)
		return err;
	close(channel->fd);
	pthread_mutex_destroy(&ch->lock);
	free(ch);
	return 0;
}

/* A CQ created on @ch (CREATE_CQ named its handle). */
void ffl_channel_add(struct ffl_channel *ch, struct ffl_cq *cq)
{
	cq->chan = ch;
	pthread_mutex_lock(&ch->lock);
	ffl_list_add_tail(&ch->cqs, &cq->ch_node);
	ch->ch.refcnt++;
	pthread_mutex_unlock(&ch->lock);
}

/*
 * The router destroyed the CQ: no ibv_get_cq_event may return it from now
 * on.  An event still pending on it is dropped, as the kernel drops a
 * destroyed CQ's events, and so is its byte (the router will not touch
 * the flag again).
 */
void ffl_channel_del(struct ffl_cq *cq)
{
	struct ffl_channel *ch = cq->chan;

	if (!ch)
		return;
	pthread_mutex_lock(&ch->lock);
	ffl_list_del(&cq->ch_node);
	ch->ch.refcnt--;
	if (__atomic_exchange_n(&cq->shm->notified, 0, __ATOMIC_ACQ_REL))
		ffl_pipe_owe(&ch->in, 1);
	pthread_mutex_unlock(&ch->lock);
}

/*
 * ibv_destroy_cq: every event returned for @cq, completion or
 * asynchronous, must have been acked.
 */
void ffl_cq_wait_acks(struct ffl_cq *cq)
{
	struct ibv_cq *ibcq = &cq->ibcq;

	pthread_mutex_lock(&ibcq->mutex);
	while (ibcq->comp_events_completed != cq->events ||
	       ibcq->async_events_completed != cq->async_events)
		pthread_cond_wait(&ibcq->cond, &ibcq->mutex);
	pthread_mutex_unlock(&ibcq->mutex);
}

/*
 * Takes the first notified CQ of @ch (notified 1 -> 0) with its byte,
 * counts the event and moves the CQ to the back so that a busy CQ cannot
 * starve the others.  NULL if none is notified.  Under ch->lock.
 */
static struct ffl_cq *channel_take(struct ffl_channel *ch)
{
	struct ffl_list *n;
	struct ffl_cq *cq;

	for (n = ch->cqs.next; n != &ch->cqs; n = n->next) {
		cq = container_of(n, struct ffl_cq, ch_node);
		/* a plain look first: no write to an idle CQ's line */
		if (!__atomic_load_n(&cq->shm->notified, __ATOMIC_RELAXED))
			continue;
		if (!__atomic_exchange_n(&cq->shm->notified, 0,
					 __ATOMIC_ACQ_REL))
			continue;
		ffl_list_del(n);
		ffl_list_add_tail(&ch->cqs, n);
		pthread_mutex_lock(&cq->ibcq.mutex);
		cq->events++;
		pthread_mutex_unlock(&cq->ibcq.mutex);
		ffl_pipe_owe(&ch->in, 1);
		return cq;
	}
	return NULL;
}

FF_EXPORT int ibv_get_cq_event(struct ibv_comp_channel *channel,
			       struct ibv_cq **cq, void **cq_context)
{
	struct ffl_channel *ch = to_fch(channel);
	struct ffl_cq *fcq;

	pthread_mutex_lock(&ch->lock);
	for (;;) {
		ffl_pipe_settle(&ch->in);
		fcq = channel_take(ch);
		if (fcq) {
			pthread_mutex_unlock(&ch->lock);
			*cq = &fcq->ibcq;
			*cq_context = fcq->ibcq.cq_context;
			return 0;
		}
		/* a byte read below that paid no debt and found no CQ: a
		 * stray (owed is below 0 only from there to here, under the
		 * lock) */
		if (ch->in.owed < 0)
			ch->in.owed = 0;
		/*
		 * Blocks until the router writes, unless the app made the fd
		 * non-blocking (-1, EAGAIN).  Like rdma-core, a signal ends
		 * the wait with -1, EINTR.
		 */
		if (ffl_pipe_wait(&ch->in, &ch->lock)) {
			pthread_mutex_unlock(&ch->lock);
			return -1;
		}
		/* a debt paid, or the byte of a CQ to find next: taken ahead */
		ch->in.owed--;
	}
}

FF_EXPORT void ibv_ack_cq_events(struct ibv_cq *cq, unsigned int nevents)
{
	pthread_mutex_lock(&cq->mutex);
	cq->comp_events_completed += nevents;
	pthread_cond_broadcast(&cq->cond);
	pthread_mutex_unlock(&cq->mutex);
}

/*
 * ops.req_notify_cq.  Stores the arm, then a full fence so that the poll
 * the app makes next sees every entry the router published before it
 * could see the arm (the router: publish, fence, read armed).  An arm for
 * the next completion is not weakened by a later solicited-only one.  A
 * CQ without a channel has nowhere to deliver events: nothing to arm.
 */
int ffl_req_notify_cq(struct ibv_cq *ibcq, int solicited_only)
{
	struct ffl_cq *cq = to_fcq(ibcq);
	uint32_t want = solicited_only ? FF_CQ_ARM_SOLICITED : FF_CQ_ARM_NEXT;
	uint32_t cur, next;

	if (!cq->chan)
		return 0;
	cur = __atomic_load_n(&cq->shm->armed, __ATOMIC_RELAXED);
	do {
		next = cur == FF_CQ_ARM_NEXT ? FF_CQ_ARM_NEXT : want;
	} while (!__atomic_compare_exchange_n(&cq->shm->armed, &cur, next,
					      false, __ATOMIC_SEQ_CST,
					      __ATOMIC_RELAXED));
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return 0;
}
