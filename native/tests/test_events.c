// SPDX-License-Identifier: Apache-2.0
/*
 * Unit tests of the doorbell decision (datapath.c) and of the
 * completion-event protocol (events.c, notify.c) on a router page, QP and
 * CQ memory laid out in this process, with the test playing the router's
 * side as ff_abi.h (v8) describes it: the doorbell is a pipe whose writing
 * end the FFL rings, completion channels are made by a fake router on the
 * other end of the context's socket (FF_OP_CREATE_COMP_CHANNEL: a handle
 * and the reading end of a pipe), and the router writes one byte into the
 * channel's pipe per CQ whose notified flag it moves from 0 to 1.  No
 * router process.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SQ_SLOTS	8
#define SQ_SGES		2
#define RQ_SLOTS	8
#define CQ_SLOTS	8

#include "fake_router.h"
#include "ring_test_util.h"
#include "test_util.h"

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

static bool readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) == 1;
}

static int open_fds(void)
{
	int fd, n = 0;

	for (fd = 0; fd < 1024; fd++)
		if (fcntl(fd, F_GETFD) >= 0)
			n++;
	return n;
}

/* what the doorbell pipe rang since the last call (its reading end) */
static int rings(int fd)
{
	return fr_drain(fd);
}

/* A doorbell pipe as OPEN hands it over: [0] the router's, [1] ours. */
static void bell_pipe(int fds[2])
{
	if (fr_pipe(fds, true) ||
	    fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK)) {
		perror("pipe");
		exit(2);
	}
}

/* A QP whose doorbell is @bell_fd, with the fence. */
static void bell_qp(struct ffl_qp *qp, int bell_fd)
{
	make_qp(qp, IBV_QPT_RC, 0, SQ_SLOTS);
	qp->bell = (struct ffl_bell){ &router_page.sleeping, bell_fd, true };
}

/* ---- the fake router: completion channels and CQs ------------------- */

/* A context whose ops are the FFL's, on a socket to the fake router. */
static struct ffl_context fctx;
static struct ibv_context *const fake_ctx = &fctx.vctx.context;
static int router_sock;

enum create_mode {
	CREATE_OK,		/* handle + the reading end of a pipe */
	CREATE_EVENTFD,		/* ABI v7: an eventfd */
	CREATE_WRITE_END,	/* the wrong end */
	CREATE_HANDLE_0,	/* a handle CREATE_CQ cannot name */
	CREATE_NO_FD,
	CREATE_ENOMEM,		/* the router refuses */
};

#define MAX_CHANNELS 256
static struct {
	int rfd, wfd;		/* the router keeps both ends */
} channels[MAX_CHANNELS];
static volatile enum create_mode create_mode;
static volatile int destroy_status;	/* answer to DESTROY_COMP_CHANNEL */
static volatile int destroys;		/* DESTROY_COMP_CHANNELs seen */
static volatile uint32_t last_destroyed;
static uint32_t next_handle = 1;
static uint32_t next_cq_handle = 1000;
/* the last CREATE_CQ: its channel field and fds that rode along */
static volatile uint32_t cq_req_channel;
static volatile int cq_req_nfds;

static void answer_create_channel(const struct fr_request *rq)
{
	struct ff_handle_resp resp = { .handle = next_handle };
	int p[2], efd, fd = -1;

	if (create_mode == CREATE_ENOMEM) {
		fr_reply(router_sock, rq, ENOMEM, NULL, 0, NULL, 0);
		return;
	}
	if (fr_pipe(p, false) || next_handle >= MAX_CHANNELS) {
		fr_reply(router_sock, rq, EMFILE, NULL, 0, NULL, 0);
		return;
	}
	channels[next_handle].rfd = p[0];
	channels[next_handle].wfd = p[1];
	next_handle++;
	switch (create_mode) {
	case CREATE_EVENTFD:
		efd = eventfd(0, EFD_CLOEXEC);
		fr_reply(router_sock, rq, 0, &resp, sizeof(resp), &efd, 1);
		close(efd);
		return;
	case CREATE_WRITE_END:
		fd = p[1];
		break;
	case CREATE_HANDLE_0:
		resp.handle = 0;
		fd = p[0];
		break;
	case CREATE_NO_FD:
		break;
	default:
		fd = p[0];
	}
	fr_reply(router_sock, rq, 0, &resp, sizeof(resp), &fd,
		 fd >= 0 ? 1 : 0);
}

static void answer_create_cq(const struct fr_request *rq)
{
	const struct ff_create_cq_req *req = (const void *)rq->payload;
	size_t size = FF_SHM_HDR_SIZE + CQ_SLOTS * FF_CQE_SIZE;
	struct ff_create_cq_resp resp = { .handle = next_cq_handle++,
					  .cqe = CQ_SLOTS,
					  .shm_size = size };
	struct ff_cq_shm *h;
	int fd;

	cq_req_channel = req->channel;
	cq_req_nfds = rq->nfds;
	fd = memfd_create("cq", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, (off_t)size)) {
		fr_reply(router_sock, rq, ENOMEM, NULL, 0, NULL, 0);
		return;
	}
	h = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	h->slots = CQ_SLOTS;
	h->entry_size = FF_CQE_SIZE;
	munmap(h, size);
	fr_reply(router_sock, rq, 0, &resp, sizeof(resp), &fd, 1);
	close(fd);
}

static void *fake_router(void *arg)
{
	struct ff_destroy_resp dropped = { 0 };
	struct fr_request rq;
	uint32_t handle;
	int i;

	(void)arg;
	while (fr_recv(router_sock, &rq)) {
		handle = ((struct ff_handle_req *)rq.payload)->handle;
		switch (rq.hdr.op) {
		case FF_OP_CREATE_COMP_CHANNEL:
			answer_create_channel(&rq);
			break;
		case FF_OP_DESTROY_COMP_CHANNEL:
			destroys++;
			last_destroyed = handle;
			if (!destroy_status && handle < MAX_CHANNELS &&
			    channels[handle].wfd > 0) {
				close(channels[handle].rfd);
				close(channels[handle].wfd);
				channels[handle].rfd = channels[handle].wfd = 0;
			}
			fr_reply(router_sock, &rq, destroy_status, NULL, 0, NULL,
				 0);
			break;
		case FF_OP_CREATE_CQ:
			answer_create_cq(&rq);
			break;
		case FF_OP_DESTROY_CQ:
			fr_reply(router_sock, &rq, 0, &dropped,
				 sizeof(dropped), NULL, 0);
			break;
		default:
			fr_reply(router_sock, &rq, EINVAL, NULL, 0, NULL, 0);
		}
		for (i = 0; i < rq.nfds; i++)
			close(rq.fds[i]);
	}
	return NULL;
}

/* The writing end of @ch's pipe, as the router holds it. */
static int channel_wfd(struct ibv_comp_channel *ch)
{
	return channels[to_fch(ch)->handle].wfd;
}

static void bell_cq(struct ffl_cq *cq, int bell_fd, void *cq_context)
{
	make_cq(cq, 0);
	cq->bell = (struct ffl_bell){ &router_page.sleeping, bell_fd, true };
	cq->ibcq.context = fake_ctx;
	cq->ibcq.cq_context = cq_context;
	cq->ibcq.cqe = CQ_SLOTS;
	pthread_mutex_init(&cq->ibcq.mutex, NULL);
	pthread_cond_init(&cq->ibcq.cond, NULL);
}

/* The router notifies @cq: notified 0 -> 1 writes its channel's byte. */
static void router_notify(struct ffl_cq *cq)
{
	if (!__atomic_exchange_n(&cq->shm->notified, 1, __ATOMIC_SEQ_CST))
		fr_write_byte(channels[cq->chan->handle].wfd);
}

/* The router's side: one entry, then notify if armed (ff_abi.h). */
static void router_complete(struct ffl_cq *cq, uint64_t wr_id, bool solicited,
			    uint32_t status)
{
	struct ff_cq_shm *h = cq->shm;
	uint32_t armed;

	cq_push(h, wr_id, status, 0);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	armed = __atomic_load_n(&h->armed, __ATOMIC_RELAXED);
	if (armed == FF_CQ_ARM_NONE ||
	    (armed == FF_CQ_ARM_SOLICITED && !solicited &&
	     status == IBV_WC_SUCCESS))
		return;
	if (!__atomic_compare_exchange_n(&h->armed, &armed, FF_CQ_ARM_NONE,
					 false, __ATOMIC_SEQ_CST,
					 __ATOMIC_RELAXED))
		return;
	router_notify(cq);
}

/* ---- doorbells ------------------------------------------------------ */

static void test_doorbell_decision(void)
{
	/* the same decision with our fence and with the router's membarrier */
	for (int fence = 0; fence < 2; fence++) {
		struct ffl_bell b = { &router_page.sleeping, -1, fence };

		router_page.sleeping = 0;
		CHECK(!ffl_bell_needed(&b), "bell_not_needed_while_spinning",
		      "sleeping 0 must not ring");
		router_page.sleeping = 1;
		CHECK(ffl_bell_needed(&b), "bell_needed_while_sleeping",
		      "sleeping 1 must ring");
		router_page.sleeping = 7;
		CHECK(ffl_bell_needed(&b), "bell_needed_any_nonzero",
		      "sleeping 7 must ring");
		router_page.sleeping = 0;
	}
}

static void test_doorbell_post(void)
{
	int bp[2], fd;
	char buf[64];
	struct ibv_sge sg = { .addr = (uintptr_t)buf, .length = 8,
			      .lkey = 1 };
	struct ibv_send_wr s3[3] = {
		{ .wr_id = 1, .sg_list = &sg, .num_sge = 1,
		  .opcode = IBV_WR_SEND, .next = &s3[1] },
		{ .wr_id = 2, .sg_list = &sg, .num_sge = 1,
		  .opcode = IBV_WR_SEND, .next = &s3[2] },
		{ .wr_id = 3, .sg_list = &sg, .num_sge = 1,
		  .opcode = IBV_WR_SEND },
	}, bad_op = { .wr_id = 9, .opcode = IBV_WR_BIND_MW }, *bad;
	struct ibv_recv_wr r = { .wr_id = 4, .sg_list = &sg, .num_sge = 1 },
			   *rbad;
	struct ffl_qp qp;
	int n, i;

	bell_pipe(bp);
	fd = bp[0];
	bell_qp(&qp, bp[1]);
	router_page.sleeping = 0;
	for (i = 0; i < 2; i++) {
		ffl_post_send(&qp.ibqpx.qp_base, s3, &bad);
		ffl_post_recv(&qp.ibqpx.qp_base, &r, &rbad);
		qp.shm->sq.cons = qp.shm->sq.prod;
		qp.shm->rq.cons = qp.shm->rq.prod;
	}
	CHECK(rings(fd) == 0 && qp.shm->sq.prod == 6 && qp.shm->rq.prod == 2,
	      "spinning_router_no_doorbell",
	      "rang while sleeping == 0 (prod %u/%u)", qp.shm->sq.prod,
	      qp.shm->rq.prod);

	router_page.sleeping = 1;
	ffl_post_send(&qp.ibqpx.qp_base, s3, &bad);
	CHECK(rings(fd) == 1 && qp.shm->sq.prod == 9,
	      "sleeping_router_one_ring_per_post_send",
	      "want 1 ring for a chain of 3");
	ffl_post_recv(&qp.ibqpx.qp_base, &r, &rbad);
	CHECK(rings(fd) == 1 && qp.shm->rq.prod == 3,
	      "sleeping_router_post_recv_rings", "want 1 ring");

	/* nothing published: nothing to announce */
	CHECK(ffl_post_send(&qp.ibqpx.qp_base, &bad_op, &bad) == EINVAL &&
		      bad == &bad_op && rings(fd) == 0,
	      "failed_post_no_ring", "a rejected first WR rang");
	/* a full ring: ENOMEM on the first WR, nothing published */
	router_page.sleeping = 0;
	for (i = 0; i < SQ_SLOTS; i++)
		ffl_post_send(&qp.ibqpx.qp_base, &s3[2], &bad);
	router_page.sleeping = 1;
	i = ffl_post_send(&qp.ibqpx.qp_base, &s3[2], &bad);
	n = rings(fd);
	CHECK(i == ENOMEM && n == 0, "full_ring_no_ring",
	      "post %d, %d rings", i, n);
	qp.shm->sq.cons = qp.shm->sq.prod;
	/* partly accepted chain: what was published is announced */
	s3[1].opcode = IBV_WR_BIND_MW;
	i = ffl_post_send(&qp.ibqpx.qp_base, s3, &bad);
	n = rings(fd);
	CHECK(i == EINVAL && bad == &s3[1] && n == 1, "partial_post_rings",
	      "post %d, bad %p, %d rings", i, (void *)bad, n);
	s3[1].opcode = IBV_WR_SEND;
	router_page.sleeping = 0;
	close(bp[0]);
	close(bp[1]);
}

/*
 * A ring is one byte, and never blocks: a full doorbell pipe is a wake-up
 * the router has not taken yet.  A doorbell whose reader is gone (EPIPE)
 * must not kill the app with SIGPIPE, nor leave one pending.
 */
static void test_doorbell_pipe(void)
{
	sigset_t pending;
	long t0, dt;
	int bp[2], i, n, cap;

	bell_pipe(bp);
	ffl_bell_write(bp[1]);
	CHECK(rings(bp[0]) == 1, "ring_writes_one_byte", "not one byte");
	cap = fcntl(bp[1], F_GETPIPE_SZ);
	t0 = now_ms();
	for (i = 0; i < cap + 1000; i++)
		ffl_bell_write(bp[1]);
	dt = now_ms() - t0;
	n = rings(bp[0]);
	CHECK(n == cap && dt < 2000, "ring_on_full_pipe_never_blocks",
	      "%d bytes in a pipe of %d, %ld ms", n, cap, dt);
	close(bp[0]);
	errno = 0;
	ffl_bell_write(bp[1]);
	sigpending(&pending);
	CHECK(errno == 0 && !sigismember(&pending, SIGPIPE),
	      "ring_after_router_closed_no_sigpipe",
	      "errno %d, SIGPIPE pending %d", errno,
	      sigismember(&pending, SIGPIPE));
	close(bp[1]);
}

static void test_doorbell_poll(void)
{
	struct ibv_wc wc[CQ_SLOTS];
	struct ffl_cq cq;
	int i, bp[2], fd;

	bell_pipe(bp);
	fd = bp[0];
	bell_cq(&cq, bp[1], NULL);
	router_page.sleeping = 1;
	CHECK(ffl_poll_cq(&cq.ibcq, CQ_SLOTS, wc) == 0 && rings(fd) == 0,
	      "empty_poll_no_ring", "an empty poll rang");
	router_complete(&cq, 1, false, 0);
	CHECK(ffl_poll_cq(&cq.ibcq, CQ_SLOTS, wc) == 1 && rings(fd) == 0,
	      "light_cq_poll_no_ring", "a poll of a nearly empty CQ rang");
	for (i = 0; i < CQ_SLOTS; i++)
		router_complete(&cq, 10 + i, false, 0);
	CHECK(ffl_poll_cq(&cq.ibcq, 1, wc) == 1 && rings(fd) == 1,
	      "full_cq_poll_rings", "freeing room in a full CQ must wake a "
	      "sleeping router");
	router_page.sleeping = 0;
	CHECK(ffl_poll_cq(&cq.ibcq, 1, wc) == 1 && rings(fd) == 0,
	      "full_cq_poll_spinning_no_ring", "rang while spinning");
	close(bp[0]);
	close(bp[1]);
}

/*
 * The whole doorbell handshake with real threads: a "router" that sleeps
 * on the doorbell whenever it finds no work (sleeping = 1; fence; look
 * again; block) and a poster that posts one WR at a time and waits for
 * it to be consumed.  A lost doorbell shows as a poll timeout.
 */
#define HS_ROUNDS 10000
static struct ffl_qp hs_qp;
static int hs_bell;	/* the router's (reading) end */
static volatile int hs_stop;
static int hs_timeouts, hs_sleeps;

static void *hs_router(void *arg)
{
	struct ff_qp_shm *h = hs_qp.shm;
	struct pollfd pfd = { .fd = hs_bell, .events = POLLIN };
	uint32_t cons = 0, prod;
	int spins = 0;

	(void)arg;
	while (!hs_stop) {
		prod = __atomic_load_n(&h->sq.prod, __ATOMIC_ACQUIRE);
		if (prod != cons) {
			cons = prod;
			__atomic_store_n(&h->sq.cons, cons, __ATOMIC_RELEASE);
			spins = 0;
			continue;
		}
		if (++spins < 50)
			continue;
		__atomic_store_n(&router_page.sleeping, 1, __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (__atomic_load_n(&h->sq.prod, __ATOMIC_RELAXED) == cons) {
			hs_sleeps++;
			if (poll(&pfd, 1, 5000) == 0 && !hs_stop)
				hs_timeouts++;
			fr_drain(hs_bell);
		}
		__atomic_store_n(&router_page.sleeping, 0, __ATOMIC_RELAXED);
		spins = 0;
	}
	return NULL;
}

static void test_doorbell_handshake(void)
{
	char buf[8];
	struct ibv_sge sg = { .addr = (uintptr_t)buf, .length = 8,
			      .lkey = 1 };
	struct ibv_send_wr wr = { .sg_list = &sg, .num_sge = 1,
				  .opcode = IBV_WR_SEND }, *bad;
	long start = now_ms(), slow = 0;
	pthread_t t;
	int i, err = 0, bp[2];

	bell_pipe(bp);
	hs_bell = bp[0];
	bell_qp(&hs_qp, bp[1]);
	router_page.sleeping = 0;
	pthread_create(&t, NULL, hs_router, NULL);
	for (i = 0; i < HS_ROUNDS && !err && !slow; i++) {
		long t0 = now_ms();

		wr.wr_id = (uint64_t)i;
		err = ffl_post_send(&hs_qp.ibqpx.qp_base, &wr, &bad);
		while (__atomic_load_n(&hs_qp.shm->sq.cons,
				       __ATOMIC_ACQUIRE) != (uint32_t)i + 1)
			if (i % 64 == 0)
				sched_yield();
		if (now_ms() - t0 > 4000)
			slow++;
		/* now and then let the router fall asleep */
		if (i % 500 == 0)
			sleep_ms(2);
	}
	hs_stop = 1;
	ffl_bell_write(bp[1]);
	pthread_join(t, NULL);
	CHECK(!err && hs_timeouts == 0 && slow == 0,
	      "doorbell_handshake_no_lost_wakeup",
	      "err %d, %d sleeps, %d timeouts, %ld slow rounds", err,
	      hs_sleeps, hs_timeouts, slow);
	printf("# handshake: %d rounds, %d router sleeps, %ld ms\n", HS_ROUNDS,
	       hs_sleeps, now_ms() - start);
	router_page.sleeping = 0;
	close(bp[0]);
	close(bp[1]);
}

/* ---- completion events ----------------------------------------------- */

static void test_arm(void)
{
	struct ibv_comp_channel *ch = ibv_create_comp_channel(fake_ctx);
	struct ffl_cq cq, lone;

	bell_cq(&cq, -1, NULL);
	bell_cq(&lone, -1, NULL);
	ffl_channel_add(to_fch(ch), &cq);

	CHECK(ibv_req_notify_cq(&cq.ibcq, 0) == 0 &&
		      cq.shm->armed == FF_CQ_ARM_NEXT,
	      "arm_next", "armed %u", cq.shm->armed);
	CHECK(ibv_req_notify_cq(&cq.ibcq, 1) == 0 &&
		      cq.shm->armed == FF_CQ_ARM_NEXT,
	      "arm_solicited_keeps_next", "armed %u", cq.shm->armed);
	cq.shm->armed = FF_CQ_ARM_NONE;		/* the router took it */
	CHECK(ibv_req_notify_cq(&cq.ibcq, 1) == 0 &&
		      cq.shm->armed == FF_CQ_ARM_SOLICITED,
	      "arm_solicited", "armed %u", cq.shm->armed);
	CHECK(ibv_req_notify_cq(&cq.ibcq, 0) == 0 &&
		      cq.shm->armed == FF_CQ_ARM_NEXT,
	      "arm_next_upgrades_solicited", "armed %u", cq.shm->armed);
	CHECK(ibv_req_notify_cq(&lone.ibcq, 0) == 0 &&
		      lone.shm->armed == FF_CQ_ARM_NONE,
	      "arm_without_channel_noop", "armed %u", lone.shm->armed);

	CHECK(ibv_destroy_comp_channel(ch) == EBUSY && ch->refcnt == 1,
	      "destroy_channel_busy", "a channel with a CQ went away");
	ffl_channel_del(&cq);
	CHECK(ch->refcnt == 0 && ibv_destroy_comp_channel(ch) == 0,
	      "destroy_channel_after_cq", "refcnt %d", ch->refcnt);
}

static void test_events_basic(void)
{
	struct ibv_comp_channel *ch = ibv_create_comp_channel(fake_ctx);
	struct ibv_cq *got = NULL;
	struct ibv_wc wc[CQ_SLOTS];
	struct ffl_cq a, b;
	void *got_ctx = NULL;
	int r, fl;

	bell_cq(&a, -1, (void *)0xa);
	bell_cq(&b, -1, (void *)0xb);
	ffl_channel_add(to_fch(ch), &a);
	ffl_channel_add(to_fch(ch), &b);
	fl = fcntl(ch->fd, F_GETFL);
	fcntl(ch->fd, F_SETFL, fl | O_NONBLOCK);

	errno = 0;
	r = ibv_get_cq_event(ch, &got, &got_ctx);
	CHECK(r == -1 && errno == EAGAIN, "nonblocking_nothing_eagain",
	      "r %d errno %d", r, errno);

	/* an entry on an unarmed CQ: no event */
	router_complete(&a, 1, false, 0);
	r = ibv_get_cq_event(ch, &got, &got_ctx);
	CHECK(r == -1 && errno == EAGAIN && !a.shm->notified,
	      "unarmed_no_event", "r %d notified %u", r, a.shm->notified);

	ibv_req_notify_cq(&b.ibcq, 0);
	router_complete(&b, 2, false, 0);
	CHECK(b.shm->armed == FF_CQ_ARM_NONE && b.shm->notified == 1,
	      "router_takes_arm", "armed %u notified %u", b.shm->armed,
	      b.shm->notified);
	r = ibv_get_cq_event(ch, &got, &got_ctx);
	CHECK(r == 0 && got == &b.ibcq && got_ctx == (void *)0xb &&
		      b.shm->notified == 0 && b.events == 1,
	      "event_returns_cq_and_context", "r %d got %p ctx %p", r,
	      (void *)got, got_ctx);
	r = ibv_get_cq_event(ch, &got, &got_ctx);
	CHECK(r == -1 && errno == EAGAIN, "event_delivered_once",
	      "r %d errno %d", r, errno);

	/* solicited-only: ignores a plain receive, fires for a solicited one
	 * and for an error */
	ibv_req_notify_cq(&a.ibcq, 1);
	router_complete(&a, 3, false, 0);
	r = ibv_get_cq_event(ch, &got, &got_ctx);
	CHECK(r == -1 && errno == EAGAIN &&
		      a.shm->armed == FF_CQ_ARM_SOLICITED,
	      "solicited_ignores_unsolicited", "r %d armed %u", r,
	      a.shm->armed);
	router_complete(&a, 4, true, 0);
	r = ibv_get_cq_event(ch, &got, &got_ctx);
	CHECK(r == 0 && got == &a.ibcq, "solicited_fires", "r %d", r);
	ibv_req_notify_cq(&a.ibcq, 1);
	router_complete(&a, 5, false, IBV_WC_LOC_PROT_ERR);
	r = ibv_get_cq_event(ch, &got, &got_ctx);
	CHECK(r == 0 && got == &a.ibcq, "solicited_fires_on_error", "r %d",
	      r);

	/* both notified: each returned once, the older first */
	ibv_req_notify_cq(&a.ibcq, 0);
	ibv_req_notify_cq(&b.ibcq, 0);
	router_complete(&b, 6, false, 0);
	router_complete(&a, 7, false, 0);
	{
		struct ibv_cq *g1 = NULL, *g2 = NULL;
		int r1, r2, r3;

		bool rd0, rd1, rd2;

		rd0 = readable(ch->fd);
		r1 = ibv_get_cq_event(ch, &g1, &got_ctx);
		rd1 = readable(ch->fd);
		r2 = ibv_get_cq_event(ch, &g2, &got_ctx);
		rd2 = readable(ch->fd);
		r3 = ibv_get_cq_event(ch, &got, &got_ctx);
		CHECK(r1 == 0 && r2 == 0 && r3 == -1 && g1 != g2 &&
			      (g1 == &a.ibcq || g1 == &b.ibcq) &&
			      (g2 == &a.ibcq || g2 == &b.ibcq),
		      "two_cqs_two_events", "r %d %d %d", r1, r2, r3);
		CHECK(rd0 && rd1 && !rd2, "channel_fd_readable_iff_pending",
		      "readable before/between/after: %d %d %d", rd0, rd1,
		      rd2);
	}
	/* a is now at the back: with both notified again, b comes first */
	ibv_req_notify_cq(&a.ibcq, 0);
	ibv_req_notify_cq(&b.ibcq, 0);
	router_complete(&a, 8, false, 0);
	router_complete(&b, 9, false, 0);
	r = ibv_get_cq_event(ch, &got, &got_ctx);
	CHECK(r == 0 && got == &b.ibcq, "busy_cq_cannot_starve_others",
	      "got %s", got == &a.ibcq ? "a" : "b");
	r = ibv_get_cq_event(ch, &got, &got_ctx);
	CHECK(r == 0 && got == &a.ibcq, "then_the_other", "got %s",
	      got == &a.ibcq ? "a" : "b");

	/* ack accounting */
	CHECK(a.events == 4 && b.events == 3, "events_counted",
	      "a %u b %u", a.events, b.events);
	ibv_ack_cq_events(&a.ibcq, a.events);
	ibv_ack_cq_events(&b.ibcq, b.events);
	ffl_cq_wait_acks(&a);
	ffl_cq_wait_acks(&b);
	CHECK(true, "acked_cqs_do_not_wait", "-");

	while (ffl_poll_cq(&a.ibcq, CQ_SLOTS, wc) > 0)
		;
	while (ffl_poll_cq(&b.ibcq, CQ_SLOTS, wc) > 0)
		;
	ffl_channel_del(&a);
	ffl_channel_del(&b);
	CHECK(ibv_destroy_comp_channel(ch) == 0, "destroy_channel", "busy");
}

/* blocking: a thread notifies later, the caller sleeps in read() */
static struct ffl_cq bl_a, bl_b;

static void *late_notifier(void *arg)
{
	(void)arg;
	sleep_ms(150);
	router_complete(&bl_b, 1, false, 0);
	return NULL;
}

static void *late_acker(void *arg)
{
	(void)arg;
	sleep_ms(150);
	ibv_ack_cq_events(&bl_b.ibcq, 1);
	return NULL;
}

static void test_events_blocking(void)
{
	struct ibv_comp_channel *ch = ibv_create_comp_channel(fake_ctx);
	struct ibv_cq *got = NULL;
	void *got_ctx = NULL;
	pthread_t t;
	long t0, dt;
	int r;

	bell_cq(&bl_a, -1, (void *)0xa);
	bell_cq(&bl_b, -1, (void *)0xb);
	ffl_channel_add(to_fch(ch), &bl_a);
	ffl_channel_add(to_fch(ch), &bl_b);
	ibv_req_notify_cq(&bl_a.ibcq, 0);
	ibv_req_notify_cq(&bl_b.ibcq, 0);

	/* a stray byte with no flag behind it must not end the wait */
	fr_write_byte(channel_wfd(ch));
	pthread_create(&t, NULL, late_notifier, NULL);
	t0 = now_ms();
	r = ibv_get_cq_event(ch, &got, &got_ctx);
	dt = now_ms() - t0;
	pthread_join(t, NULL);
	CHECK(r == 0 && got == &bl_b.ibcq && got_ctx == (void *)0xb &&
		      dt >= 100,
	      "blocking_get_cq_event_wakes", "r %d after %ld ms, got %s", r,
	      dt, got == &bl_a.ibcq ? "a" : "b");
	CHECK(!readable(ch->fd) && to_fch(ch)->in.owed == 0,
	      "stray_byte_forgotten", "readable %d, owed %d",
	      readable(ch->fd), to_fch(ch)->in.owed);

	/* destroy_cq waits for the ack of the event it returned */
	ffl_channel_del(&bl_b);
	pthread_create(&t, NULL, late_acker, NULL);
	t0 = now_ms();
	ffl_cq_wait_acks(&bl_b);
	dt = now_ms() - t0;
	pthread_join(t, NULL);
	CHECK(dt >= 100, "destroy_waits_for_ack", "returned after %ld ms",
	      dt);
	ffl_channel_del(&bl_a);
	ibv_destroy_comp_channel(ch);
}

/*
 * The classic consumer loop (arm, poll, wait) against a router thread
 * completing entries at random moments: every entry must be seen, no
 * wait may hang (a lost event would).
 */
#define EV_TOTAL 20000
static struct ffl_cq ev_cq;
static volatile uint32_t ev_polled;

static void *ev_router(void *arg)
{
	uint32_t i;

	(void)arg;
	for (i = 0; i < EV_TOTAL; i++) {
		/* back-pressure: never past cons + slots */
		while (ev_cq.shm->ring.prod -
			       __atomic_load_n(&ev_cq.shm->ring.cons,
					       __ATOMIC_ACQUIRE) >=
		       CQ_SLOTS)
			sched_yield();
		router_complete(&ev_cq, i, (i & 3) == 0, 0);
		if (i % 97 == 0)
			sleep_ms(1);
	}
	return NULL;
}

static void test_events_stress(int solicited_only)
{
	struct ibv_comp_channel *ch = ibv_create_comp_channel(fake_ctx);
	struct ibv_wc wc[CQ_SLOTS];
	struct pollfd pfd = { .fd = ch->fd, .events = POLLIN };
	struct ibv_cq *got;
	void *got_ctx;
	uint32_t seen = 0, events = 0, bad = 0, hung = 0;
	pthread_t t;
	int n, i;

	bell_cq(&ev_cq, -1, NULL);
	ffl_channel_add(to_fch(ch), &ev_cq);
	if (solicited_only)	/* the last entries may never be announced */
		fcntl(ch->fd, F_SETFL, fcntl(ch->fd, F_GETFL) | O_NONBLOCK);
	pthread_create(&t, NULL, ev_router, NULL);
	while (seen < EV_TOTAL && !hung && !bad) {
		ibv_req_notify_cq(&ev_cq.ibcq, solicited_only);
		/* anything published before the arm is ours to poll */
		do {
			n = ffl_poll_cq(&ev_cq.ibcq, CQ_SLOTS, wc);
			for (i = 0; i < n; i++)
				if (wc[i].wr_id != seen++)
					bad++;
		} while (n > 0);
		if (seen >= EV_TOTAL)
			break;
		if (solicited_only) {
			/* unsolicited entries may stay unannounced: wait a
			 * bounded time, as a real app would between polls */
			if (poll(&pfd, 1, 5) == 0)
				continue;
		} else if (poll(&pfd, 1, 3000) == 0) {
			hung++;
			break;
		}
		if (ibv_get_cq_event(ch, &got, &got_ctx) == 0) {
			events++;
			ibv_ack_cq_events(got, 1);
		}
	}
	pthread_join(t, NULL);
	while ((n = ffl_poll_cq(&ev_cq.ibcq, CQ_SLOTS, wc)) > 0)
		for (i = 0; i < n; i++)
			if (wc[i].wr_id != seen++)
				bad++;
	ffl_channel_del(&ev_cq);
	ffl_cq_wait_acks(&ev_cq);
	CHECK(!bad && !hung && seen == EV_TOTAL && events > 0,
	      solicited_only ? "event_loop_solicited_no_loss" :
			       "event_loop_next_no_lost_wakeup",
	      "seen %u of %d, %u out of order, hung %u, %u events", seen,
	      EV_TOTAL, bad, hung, events);
	ibv_destroy_comp_channel(ch);
}

/* ---- the v8 channel protocol ------------------------------------------ */

static bool is_read_end(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode) &&
	       (fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDONLY;
}

static void test_channel_create(void)
{
	static const struct {
		enum create_mode mode;
		int err;
		bool destroyed;	/* the FFL gave the handle back */
		int router_fds;	/* what the fake router still holds */
		const char *name;
	} bad[] = {
		{ CREATE_EVENTFD, EPROTO, true, 0, "channel_eventfd_eproto" },
		{ CREATE_WRITE_END, EPROTO, true, 0,
		  "channel_write_end_eproto" },
		{ CREATE_HANDLE_0, EPROTO, false, 2,
		  "channel_handle_0_eproto" },
		{ CREATE_NO_FD, EPROTO, true, 0, "channel_without_fd_eproto" },
		{ CREATE_ENOMEM, ENOMEM, false, 0, "channel_router_error" },
	};
	struct ibv_comp_channel *ch;
	int fds, before, i, err, now;
	uint32_t h;

	ch = ibv_create_comp_channel(fake_ctx);
	if (!CHECK(ch, "create_channel", "%s", strerror(errno)))
		return;
	h = to_fch(ch)->handle;
	CHECK(h != 0 && is_read_end(ch->fd) &&
		      !(fcntl(ch->fd, F_GETFL) & O_NONBLOCK) &&
		      ch->context == fake_ctx && ch->refcnt == 0,
	      "channel_fd_is_read_end_of_router_pipe",
	      "handle %u, fd %d", h, ch->fd);
	CHECK(!readable(ch->fd), "new_channel_not_readable", "readable");
	errno = 0;
	CHECK(write(ch->fd, "x", 1) == -1 && errno == EBADF,
	      "channel_fd_not_writable", "errno %d", errno);

	destroy_status = EBUSY;
	i = ibv_destroy_comp_channel(ch);
	CHECK(i == EBUSY && destroys == 1 && last_destroyed == h,
	      "router_ebusy_is_ebusy", "returned %d, %d destroys", i,
	      destroys);
	destroy_status = 0;
	CHECK(ibv_destroy_comp_channel(ch) == 0 && destroys == 2,
	      "destroy_channel_asks_router", "%d destroys", destroys);

	for (i = 0; i < (int)(sizeof(bad) / sizeof(bad[0])); i++) {
		destroys = 0;
		create_mode = bad[i].mode;
		fds = open_fds();
		before = (int)next_handle;
		errno = 0;
		ch = ibv_create_comp_channel(fake_ctx);
		err = errno;
		now = open_fds();
		CHECK(!ch && err == bad[i].err &&
			      destroys == (bad[i].destroyed ? 1 : 0) &&
			      (!bad[i].destroyed ||
			       last_destroyed == (uint32_t)before) &&
			      now == fds + bad[i].router_fds,
		      bad[i].name,
		      "channel %p, errno %d, %d destroys, fds %d -> %d",
		      (void *)ch, err, destroys, fds, now);
	}
	create_mode = CREATE_OK;
}

/* CREATE_CQ names the channel by handle, no fd; a destroyed CQ's byte goes. */
static void test_cq_on_channel(void)
{
	struct ibv_comp_channel *ch = ibv_create_comp_channel(fake_ctx);
	struct ibv_cq *cq, *plain;
	struct ffl_cq *fcq;

	if (!CHECK(ch, "channel_for_cq", "%s", strerror(errno)))
		return;
	cq = ibv_create_cq(fake_ctx, 4, NULL, ch, 0);
	CHECK(cq && cq_req_channel == to_fch(ch)->handle && cq_req_nfds == 0 &&
		      cq->channel == ch && ch->refcnt == 1,
	      "create_cq_names_channel_handle", "cq %p, channel %u (want %u), "
	      "%d fds", (void *)cq, cq_req_channel, to_fch(ch)->handle,
	      cq_req_nfds);
	plain = ibv_create_cq(fake_ctx, 4, NULL, NULL, 0);
	CHECK(plain && cq_req_channel == 0 && cq_req_nfds == 0,
	      "create_cq_without_channel_0", "channel %u", cq_req_channel);
	if (!cq || !plain)
		return;
	CHECK(ibv_destroy_comp_channel(ch) == EBUSY, "channel_with_cq_busy",
	      "went away");

	fcq = to_fcq(cq);
	ibv_req_notify_cq(cq, 0);
	router_complete(fcq, 1, false, 0);
	CHECK(readable(ch->fd), "notified_cq_makes_fd_readable",
	      "not readable");
	CHECK(ibv_destroy_cq(cq) == 0 && !readable(ch->fd) &&
		      to_fch(ch)->in.owed == 0 && ch->refcnt == 0,
	      "destroyed_cq_takes_its_byte", "readable %d owed %d",
	      readable(ch->fd), to_fch(ch)->in.owed);
	CHECK(ibv_destroy_cq(plain) == 0 && ibv_destroy_comp_channel(ch) == 0,
	      "destroy_cq_then_channel", "failed");
}

/*
 * The router sets the flag, then writes: a get between the two takes the
 * CQ and owes the byte, which a later call takes before it waits.
 */
static void test_owed_byte(void)
{
	struct ibv_comp_channel *ch = ibv_create_comp_channel(fake_ctx);
	struct ibv_cq *got;
	struct ffl_cq a;
	void *got_ctx;
	int r;

	bell_cq(&a, -1, (void *)0xa);
	ffl_channel_add(to_fch(ch), &a);
	fcntl(ch->fd, F_SETFL, fcntl(ch->fd, F_GETFL) | O_NONBLOCK);

	__atomic_store_n(&a.shm->notified, 1, __ATOMIC_SEQ_CST);
	r = ibv_get_cq_event(ch, &got, &got_ctx);
	CHECK(r == 0 && got == &a.ibcq && to_fch(ch)->in.owed == 1,
	      "flag_before_byte_owes_it", "r %d owed %d", r,
	      to_fch(ch)->in.owed);
	fr_write_byte(channel_wfd(ch));	/* the router's write, late */
	r = ibv_get_cq_event(ch, &got, &got_ctx);
	CHECK(r == -1 && errno == EAGAIN && !readable(ch->fd) &&
		      to_fch(ch)->in.owed == 0,
	      "owed_byte_taken_before_waiting", "r %d errno %d owed %d", r,
	      errno, to_fch(ch)->in.owed);

	/* readable again only with the next notification */
	router_notify(&a);
	CHECK(readable(ch->fd), "next_notification_readable", "not readable");
	r = ibv_get_cq_event(ch, &got, &got_ctx);
	CHECK(r == 0 && got == &a.ibcq && !readable(ch->fd) &&
		      to_fch(ch)->in.owed == 0,
	      "its_byte_taken_with_it", "r %d owed %d", r,
	      to_fch(ch)->in.owed);
	ibv_ack_cq_events(&a.ibcq, 2);
	ffl_channel_del(&a);
	ibv_destroy_comp_channel(ch);
}

/* The app's flags are the app's: the FFL never changes them. */
static void test_fd_flags(void)
{
	struct ibv_comp_channel *ch = ibv_create_comp_channel(fake_ctx);
	struct ibv_cq *got;
	struct ffl_cq a;
	void *got_ctx;
	int fl, r;

	bell_cq(&a, -1, NULL);
	ffl_channel_add(to_fch(ch), &a);
	fl = fcntl(ch->fd, F_GETFL) | O_NONBLOCK;
	fcntl(ch->fd, F_SETFL, fl);
	router_notify(&a);
	router_notify(&a);	/* still notified: no second byte */
	r = ibv_get_cq_event(ch, &got, &got_ctx);
	CHECK(r == 0 && fcntl(ch->fd, F_GETFL) == fl && !readable(ch->fd),
	      "one_byte_per_notified_cq_and_flags_kept", "r %d flags %#x",
	      r, fcntl(ch->fd, F_GETFL));
	fl &= ~O_NONBLOCK;
	fcntl(ch->fd, F_SETFL, fl);
	router_notify(&a);
	r = ibv_get_cq_event(ch, &got, &got_ctx);
	CHECK(r == 0 && fcntl(ch->fd, F_GETFL) == fl,
	      "blocking_fd_kept_blocking", "r %d flags %#x", r,
	      fcntl(ch->fd, F_GETFL));
	ibv_ack_cq_events(&a.ibcq, 2);
	ffl_channel_del(&a);
	ibv_destroy_comp_channel(ch);
}

/*
 * Several threads blocked in ibv_get_cq_event on one channel of several
 * CQs, each running the arm / wait / ack / poll loop, against a router
 * thread: every entry is polled exactly once, nobody hangs, and at the
 * end the pipe is empty and nothing is owed.
 */
#define MT_CQS		4
#define MT_THREADS	3
#define MT_TOTAL	20000
static struct ffl_cq mt_cq[MT_CQS];
static struct ibv_comp_channel *mt_ch;
static unsigned char mt_seen[MT_TOTAL];
static volatile int mt_polled, mt_done, mt_errors, mt_events;

static void *mt_consumer(void *arg)
{
	struct ibv_wc wc[CQ_SLOTS];
	struct ibv_cq *got;
	void *got_ctx;
	int n, i;

	(void)arg;
	while (!__atomic_load_n(&mt_done, __ATOMIC_ACQUIRE)) {
		if (ibv_get_cq_event(mt_ch, &got, &got_ctx)) {
			__atomic_fetch_add(&mt_errors, 1, __ATOMIC_RELAXED);
			break;
		}
		__atomic_fetch_add(&mt_events, 1, __ATOMIC_RELAXED);
		ibv_ack_cq_events(got, 1);
		if (__atomic_load_n(&mt_done, __ATOMIC_ACQUIRE))
			break;
		ibv_req_notify_cq(got, 0);
		while ((n = ffl_poll_cq(got, CQ_SLOTS, wc)) > 0)
			for (i = 0; i < n; i++) {
				if (wc[i].wr_id >= MT_TOTAL ||
				    __atomic_fetch_add(&mt_seen[wc[i].wr_id],
						       1, __ATOMIC_RELAXED))
					__atomic_fetch_add(&mt_errors, 1,
							   __ATOMIC_RELAXED);
				__atomic_fetch_add(&mt_polled, 1,
						   __ATOMIC_RELEASE);
			}
	}
	return NULL;
}

static void *mt_router(void *arg)
{
	struct ffl_cq *cq;
	uint32_t i;

	(void)arg;
	for (i = 0; i < MT_TOTAL; i++) {
		cq = &mt_cq[(i * 7 + i / 3) % MT_CQS];
		while (cq->shm->ring.prod -
			       __atomic_load_n(&cq->shm->ring.cons,
					       __ATOMIC_ACQUIRE) >=
		       CQ_SLOTS)
			sched_yield();
		router_complete(cq, i, false, 0);
		if (i % 211 == 0)
			sleep_ms(1);
	}
	return NULL;
}

static void test_events_threads(void)
{
	pthread_t c[MT_THREADS], r;
	struct timespec deadline;
	int i, joined = 0, hung = 0;
	long t0 = now_ms();

	mt_ch = ibv_create_comp_channel(fake_ctx);
	for (i = 0; i < MT_CQS; i++) {
		bell_cq(&mt_cq[i], -1, NULL);
		ffl_channel_add(to_fch(mt_ch), &mt_cq[i]);
		ibv_req_notify_cq(&mt_cq[i].ibcq, 0);
	}
	for (i = 0; i < MT_THREADS; i++)
		pthread_create(&c[i], NULL, mt_consumer, NULL);
	pthread_create(&r, NULL, mt_router, NULL);
	pthread_join(r, NULL);
	while (__atomic_load_n(&mt_polled, __ATOMIC_ACQUIRE) < MT_TOTAL &&
	       now_ms() - t0 < 20000)
		sleep_ms(1);
	hung = mt_polled < MT_TOTAL;
	/* wake the waiters with notifications, as the router would */
	__atomic_store_n(&mt_done, 1, __ATOMIC_RELEASE);
	for (i = 0; i < MT_THREADS; i++) {
		clock_gettime(CLOCK_REALTIME, &deadline);
		deadline.tv_sec += 5;
		for (;;) {
			struct timespec soon;
			int k, e;

			for (k = 0; k < MT_CQS; k++)
				router_notify(&mt_cq[k]);
			clock_gettime(CLOCK_REALTIME, &soon);
			soon.tv_nsec += 20000000;
			if (soon.tv_nsec >= 1000000000) {
				soon.tv_sec++;
				soon.tv_nsec -= 1000000000;
			}
			e = pthread_timedjoin_np(c[i], NULL, &soon);
			if (!e) {
				joined++;
				break;
			}
			if (soon.tv_sec > deadline.tv_sec)
				break;
		}
	}
	for (i = 0; i < MT_CQS; i++)
		ffl_channel_del(&mt_cq[i]);
	CHECK(!hung && !mt_errors && mt_polled == MT_TOTAL &&
		      joined == MT_THREADS,
	      "threads_share_a_channel_no_loss_no_hang",
	      "polled %d of %d, %d errors, %d of %d threads back, %d events",
	      mt_polled, MT_TOTAL, mt_errors, joined, MT_THREADS, mt_events);
	CHECK(!readable(mt_ch->fd) && to_fch(mt_ch)->in.owed == 0 &&
		      to_fch(mt_ch)->in.readers == 0,
	      "threads_leave_pipe_empty", "readable %d owed %d readers %u",
	      readable(mt_ch->fd), to_fch(mt_ch)->in.owed,
	      to_fch(mt_ch)->in.readers);
	printf("# %d consumers, %d CQs: %d entries, %d events, %ld ms\n",
	       MT_THREADS, MT_CQS, MT_TOTAL, mt_events, now_ms() - t0);
	for (i = 0; i < MT_CQS; i++)
		ibv_ack_cq_events(&mt_cq[i].ibcq, 0);
	if (joined == MT_THREADS)
		ibv_destroy_comp_channel(mt_ch);
}

int main(void)
{
	int sv[2];
	pthread_t t;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return 1;
	fake_ctx->cmd_fd = sv[0];
	router_sock = sv[1];
	fake_ctx->ops = ffl_ctx_ops;
	fake_ctx->num_comp_vectors = 1;
	fctx.info.max_cqe = 1024;
	fctx.bell = bell;
	fctx.seq = 1;
	pthread_mutex_init(&fctx.cmd_lock, NULL);
	ffl_async_init(&fctx, -1);
	ffl_datapath_init();
	pthread_create(&t, NULL, fake_router, NULL);

	test_doorbell_decision();
	test_doorbell_post();
	test_doorbell_pipe();
	test_doorbell_poll();
	test_doorbell_handshake();
	test_channel_create();
	test_cq_on_channel();
	test_arm();
	test_events_basic();
	test_events_blocking();
	test_owed_byte();
	test_fd_flags();
	test_events_stress(0);
	test_events_stress(1);
	test_events_threads();

	shutdown(sv[0], SHUT_RDWR);
	pthread_join(t, NULL);
	return t_summary();
}
