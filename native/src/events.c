// SPDX-License-Identifier: Apache-2.0
/*
 * Completion channels and CQ events (ff_abi.h, "Completion events").
 *
 * A channel is an eventfd: the app polls or reads channel->fd, the router
 * holds a copy of it for every CQ created on the channel.  Arming a CQ
 * stores ff_cq_shm.armed; when the router publishes a matching entry it
 * takes the arm back, sets ff_cq_shm.notified and writes 1 to the eventfd.
 * The notified flags are the truth, the eventfd only the wake-up: several
 * notifications may share one eventfd count.  So ibv_get_cq_event looks
 * for a notified CQ first and reads the eventfd only when it finds none;
 * the router sets the flag before it writes, so no notification is
 * missed.
 *
 * Accounting follows rdma-core: every event ibv_get_cq_event returns must
 * be acknowledged with ibv_ack_cq_events before ibv_destroy_cq returns,
 * and a channel cannot be destroyed while CQs use it.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/uio.h>
#include <unistd.h>

#include "ffl.h"

FF_EXPORT struct ibv_comp_channel *
ibv_create_comp_channel(struct ibv_context *ctx)
{
	struct ffl_channel *ch;
	int err;

	ch = calloc(1, sizeof(*ch));
	if (!ch) {
		errno = ENOMEM;
		return NULL;
	}
	ch->ch.fd = eventfd(0, EFD_CLOEXEC);
	if (ch->ch.fd < 0) {
		err = errno;
		free(ch);
		errno = err;
		return NULL;
	}
	ch->ch.context = ctx;
	pthread_mutex_init(&ch->lock, NULL);
	ffl_list_init(&ch->cqs);
	return &ch->ch;
}

FF_EXPORT int ibv_destroy_comp_channel(struct ibv_comp_channel *channel)
{
	struct ffl_channel *ch = to_fch(channel);

	pthread_mutex_lock(&ch->lock);
	if (!ffl_list_empty(&ch->cqs) || channel->refcnt) {
		pthread_mutex_unlock(&ch->lock);
		return EBUSY;
	}
	pthread_mutex_unlock(&ch->lock);
	close(channel->fd);
	pthread_mutex_destroy(&ch->lock);
	free(ch);
	return 0;
}

/* A CQ created on @ch (the router has the channel's eventfd). */
void ffl_channel_add(struct ffl_channel *ch, struct ffl_cq *cq)
{
	cq->chan = ch;
	pthread_mutex_lock(&ch->lock);
	ffl_list_add_tail(&ch->cqs, &cq->ch_node);
	ch->ch.refcnt++;
	pthread_mutex_unlock(&ch->lock);
}

/*
 * The CQ is going away: no ibv_get_cq_event may return it from now on.
 * An event still pending on it is dropped, as the kernel drops a
 * destroyed CQ's events.
 */
void ffl_channel_del(struct ffl_cq *cq)
{
	struct ffl_channel *ch = cq->chan;

	if (!ch)
		return;
	pthread_mutex_lock(&ch->lock);
	ffl_list_del(&cq->ch_node);
	ch->ch.refcnt--;
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
 * One read of an eventfd that never blocks, whatever its flags: empties a
 * counter, takes one count of an EFD_SEMAPHORE one.
 */
void ffl_eventfd_take_nowait(int fd)
{
	uint64_t count;
	struct iovec iov = { .iov_base = &count, .iov_len = sizeof(count) };
	int saved = errno;

	/* RWF_NOWAIT: EAGAIN instead of blocking, even on a blocking fd
	 * (Linux >= 5.12; older kernels refuse it and keep the count) */
	while (preadv2(fd, &iov, 1, -1, RWF_NOWAIT) < 0 && errno == EINTR)
		;
	errno = saved;
}

static bool any_notified(struct ffl_channel *ch)
{
	struct ffl_list *n;
	struct ffl_cq *cq;

	for (n = ch->cqs.next; n != &ch->cqs; n = n->next) {
		cq = container_of(n, struct ffl_cq, ch_node);
		if (__atomic_load_n(&cq->shm->notified, __ATOMIC_RELAXED))
			return true;
	}
	return false;
}

/*
 * Takes the first notified CQ of @ch (notified 1 -> 0), counts the event
 * and moves the CQ to the back so that a busy CQ cannot starve the
 * others.  NULL if none is notified.
 *
 * Then it keeps channel->fd honest for apps that poll it: the count is
 * drained and, if another CQ is still notified, set again.  (The router
 * sets notified before it writes, so a notification that arrives during
 * this leaves a count behind either way.)  One narrow window remains: a
 * flag taken between the router's store and its write leaves a count
 * without a flag; a blocking ibv_get_cq_event then reads it and waits for
 * the next notification.
 */
static struct ffl_cq *channel_take(struct ffl_channel *ch)
{
	struct ffl_list *n;
	struct ffl_cq *cq;

	pthread_mutex_lock(&ch->lock);
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

		ffl_eventfd_take_nowait(ch->ch.fd);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (any_notified(ch))
			ffl_bell_write(ch->ch.fd);
		pthread_mutex_unlock(&ch->lock);
		return cq;
	}
	pthread_mutex_unlock(&ch->lock);
	return NULL;
}

FF_EXPORT int ibv_get_cq_event(struct ibv_comp_channel *channel,
			       struct ibv_cq **cq, void **cq_context)
{
	struct ffl_channel *ch = to_fch(channel);
	struct ffl_cq *fcq;
	uint64_t count;

	for (;;) {
		fcq = channel_take(ch);
		if (fcq) {
			*cq = &fcq->ibcq;
			*cq_context = fcq->ibcq.cq_context;
			return 0;
		}
		/*
		 * Blocks until the router writes, unless the app made the fd
		 * non-blocking (-1, EAGAIN).  Like rdma-core, a signal ends
		 * the wait with -1, EINTR.
		 */
		if (read(channel->fd, &count, sizeof(count)) !=
		    (ssize_t)sizeof(count))
			return -1;
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
