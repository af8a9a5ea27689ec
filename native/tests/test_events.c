// SPDX-License-Identifier: Apache-2.0
/*
 * Unit tests of the doorbell decision (datapath.c) and of the
 * completion-event protocol (events.c) on a router page, QP and CQ memory
 * laid out in this process, with the test playing the router's side as
 * ff_abi.h describes it.  No router, no socket.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define SQ_SLOTS	8
#define SQ_SGES		2
#define RQ_SLOTS	8
#define CQ_SLOTS	8

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

/* what the doorbell eventfd counted since the last call (non-blocking) */
static uint64_t rings(int fd)
{
	uint64_t v = 0;

	if (read(fd, &v, sizeof(v)) != sizeof(v))
		return 0;
	return v;
}

/* A QP whose doorbell is @bell_fd, with the fence. */
static void bell_qp(struct ffl_qp *qp, int bell_fd)
{
	make_qp(qp, IBV_QPT_RC, 0, SQ_SLOTS);
	qp->bell = (struct ffl_bell){ &router_page.sleeping, bell_fd, true };
}

/* A context whose ops are the FFL's, for the verbs.h inlines. */
static struct ibv_context fake_ctx;

static void bell_cq(struct ffl_cq *cq, int bell_fd, void *cq_context)
{
	make_cq(cq, 0);
	cq->bell = (struct ffl_bell){ &router_page.sleeping, bell_fd, true };
	cq->ibcq.context = &fake_ctx;
	cq->ibcq.cq_context = cq_context;
	cq->ibcq.cqe = CQ_SLOTS;
	pthread_mutex_init(&cq->ibcq.mutex, NULL);
	pthread_cond_init(&cq->ibcq.cond, NULL);
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
	__atomic_store_n(&h->notified, 1, __ATOMIC_SEQ_CST);
	ffl_bell_write(cq->chan->ch.fd);
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
	int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
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
	uint64_t n;
	int i;

	bell_qp(&qp, fd);
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
	      "post %d, %d rings", i, (int)n);
	qp.shm->sq.cons = qp.shm->sq.prod;
	/* partly accepted chain: what was published is announced */
	s3[1].opcode = IBV_WR_BIND_MW;
	i = ffl_post_send(&qp.ibqpx.qp_base, s3, &bad);
	n = rings(fd);
	CHECK(i == EINVAL && bad == &s3[1] && n == 1, "partial_post_rings",
	      "post %d, bad %p, %d rings", i, (void *)bad, (int)n);
	s3[1].opcode = IBV_WR_SEND;
	router_page.sleeping = 0;
	close(fd);
}

static void test_doorbell_poll(void)
{
	int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	struct ibv_wc wc[CQ_SLOTS];
	struct ffl_cq cq;
	int i;

	bell_cq(&cq, fd, NULL);
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
	close(fd);
}

/*
 * The whole doorbell handshake with real threads: a "router" that sleeps
 * on the doorbell whenever it finds no work (sleeping = 1; fence; look
 * again; block) and a poster that posts one WR at a time and waits for
 * it to be consumed.  A lost doorbell shows as a poll timeout.
 */
#define HS_ROUNDS 10000
static struct ffl_qp hs_qp;
static int hs_bell;
static volatile int hs_stop;
static int hs_timeouts, hs_sleeps;

static void *hs_router(void *arg)
{
	struct ff_qp_shm *h = hs_qp.shm;
	struct pollfd pfd = { .fd = hs_bell, .events = POLLIN };
	uint32_t cons = 0, prod;
	uint64_t v;
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
			if (read(hs_bell, &v, sizeof(v)) < 0)
				v = 0;
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
	int i, err = 0;

	hs_bell = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	bell_qp(&hs_qp, hs_bell);
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
	ffl_bell_write(hs_bell);
	pthread_join(t, NULL);
	CHECK(!err && hs_timeouts == 0 && slow == 0,
	      "doorbell_handshake_no_lost_wakeup",
	      "err %d, %d sleeps, %d timeouts, %ld slow rounds", err,
	      hs_sleeps, hs_timeouts, slow);
	printf("# handshake: %d rounds, %d router sleeps, %ld ms\n", HS_ROUNDS,
	       hs_sleeps, now_ms() - start);
	router_page.sleeping = 0;
	close(hs_bell);
}

/* ---- completion events ----------------------------------------------- */

static void test_arm(void)
{
	struct ibv_comp_channel *ch = ibv_create_comp_channel(&fake_ctx);
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
	struct ibv_comp_channel *ch = ibv_create_comp_channel(&fake_ctx);
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
	struct ibv_comp_channel *ch = ibv_create_comp_channel(&fake_ctx);
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

	/* a stale count with no flag behind it must not end the wait */
	ffl_bell_write(ch->fd);
	pthread_create(&t, NULL, late_notifier, NULL);
	t0 = now_ms();
	r = ibv_get_cq_event(ch, &got, &got_ctx);
	dt = now_ms() - t0;
	pthread_join(t, NULL);
	CHECK(r == 0 && got == &bl_b.ibcq && got_ctx == (void *)0xb &&
		      dt >= 100,
	      "blocking_get_cq_event_wakes", "r %d after %ld ms, got %s", r,
	      dt, got == &bl_a.ibcq ? "a" : "b");

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
	struct ibv_comp_channel *ch = ibv_create_comp_channel(&fake_ctx);
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

int main(void)
{
	fake_ctx.ops = ffl_ctx_ops;
	ffl_datapath_init();

	test_doorbell_decision();
	test_doorbell_post();
	test_doorbell_poll();
	test_doorbell_handshake();
	test_arm();
	test_events_basic();
	test_events_blocking();
	test_events_stress(0);
	test_events_stress(1);
	return t_summary();
}
