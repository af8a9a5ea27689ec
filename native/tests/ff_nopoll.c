// SPDX-License-Identifier: Apache-2.0
/*
 * ff_nopoll: a receiver that never polls its CQ, and its sender.  The two
 * exchange their LID and QP number over TCP, as ibv_rc_pingpong does:
 *
 *	ff_nopoll --server [--ud] [--port P]	the receiver
 *	ff_nopoll [--ud] [--port P] HOST	the sender
 *
 * RC: the receiver has a CQ of 4 entries and posts 64 receives, never
 * polls, and waits (60 s at most) on ibv_get_async_event: a CQ nobody
 * drains overruns (ff_abi.h, "Asynchronous events": full for longer than
 * its QP's timeout x (retry_cnt + 1)), which is IBV_EVENT_CQ_ERR for that
 * CQ; it prints "nopoll: IBV_EVENT_CQ_ERR" and exits 0 (1 on timeout).
 * The sender posts 64-byte SENDs (more than the receiver's CQ holds) on a
 * QP with timeout 14 (67 ms) and retry_cnt 3 and polls its own CQ: some
 * complete, then one fails (retry exceeded, RNR retry exceeded or a
 * remote error as the receiver's QP went to ERR); it prints "nopoll:
 * sender error <status> after <ms> ms" and exits 0, or 1 if no error came
 * within 60 s.
 *
 * UD (--ud): the receiver (CQ of 4, 16 receives) never polls; the sender
 * sends 10000 datagrams, signalled, at most 64 in flight, and must see
 * every send complete successfully without stalling (no completion for
 * 10 s is a failure): it prints "nopoll: ud sender completed N sends in
 * <ms> ms" and exits 0.  The receiver prints what async events it saw and
 * exits 0 when the sender is done.
 *
 * The sender tells the receiver it is done over the TCP connection; both
 * have deadlines and never hang.  Linked against the system libibverbs,
 * run with the FFL via LD_LIBRARY_PATH and FREEFLOW_SOCKET.
 */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <infiniband/verbs.h>

#include "test_util.h"
#include "verbs_test_util.h"
#include "tcp_test_util.h"

#define DEFAULT_PORT	18517
#define QKEY		0x11111111u
#define MSG		64
#define GRH		40
#define RC_CQE		4
#define RC_RECVS	64
#define UD_RECVS	16
#define WINDOW		64
#define DEADLINE_MS	60000
#define STALL_MS	10000
#define CONNECT_MS	10000

static bool ud;
static int tcp_port = DEFAULT_PORT;
static int n_sends = 10000;	/* UD; RC keeps sending until an error */

static void on_alarm(int sig)
{
	(void)sig;
	printf("nopoll: FAIL: no end after %d s\n", DEADLINE_MS / 1000 + 60);
	fflush(stdout);
	_exit(1);
}

struct end {
	struct ibv_context *ctx;
	struct ibv_pd *pd;
	struct ibv_mr *mr;
	struct ibv_cq *cq;
	struct ibv_qp *qp;
	struct ibv_ah *ah;
	char *buf;
	uint16_t lid;
	uint32_t remote_qpn;
	uint16_t remote_lid;
	int recvs;		/* the QP's max_recv_wr, as asked */
};

static int die(const char *what)
{
	printf("nopoll: FAIL: %s: %s\n", what, strerror(errno));
	return 1;
}

/*
 * ---- TCP: one line each way, "LLLL:QQQQQQ" (lid, qpn; hex): the sender
 * first, the receiver once its QP is ready ------------------------------
 */

static int tcp_server(void)
{
	return tcp_accept_one(tcp_port, DEADLINE_MS, "nopoll");
}

static int tcp_client(const char *host)
{
	return tcp_dial(host, tcp_port, CONNECT_MS);
}

static int send_mine(int fd, const struct end *e)
{
	char mine[32];
	int n;

	n = snprintf(mine, sizeof(mine), "%04x:%06x\n", e->lid,
		     e->qp->qp_num);
	return write(fd, mine, (size_t)n) == n ? 0 : -1;
}

static int read_theirs(int fd, struct end *e)
{
	unsigned int lid, qpn;
	char theirs[32];

	if (read_line(fd, theirs, sizeof(theirs), DEADLINE_MS) < 0 ||
	    sscanf(theirs, "%x:%x", &lid, &qpn) != 2) {
		errno = EPROTO;
		return -1;
	}
	e->remote_lid = (uint16_t)lid;
	e->remote_qpn = qpn;
	printf("nopoll: local %04x:%06x remote %04x:%06x\n", e->lid,
	       e->qp->qp_num, lid, qpn);
	return 0;
}

/* ---- verbs ------------------------------------------------------------ */

/*
 * A context, PD, buffer, CQ of @cqe and QP.  @recv_wr 0: the receiver's
 * count, @min_recvs or, if the router granted a bigger CQ than asked for,
 * enough to overrun that one too (within the device's max_qp_wr).
 */
static int open_end(struct end *e, int cqe, int send_wr, int recv_wr,
		    int min_recvs)
{
	struct ibv_qp_init_attr init = {
		.cap = { .max_send_wr = (uint32_t)send_wr,
			 .max_send_sge = 1, .max_recv_sge = 1 },
		.qp_type = ud ? IBV_QPT_UD : IBV_QPT_RC,
	};
	size_t size = 2 * (MSG + GRH);
	struct ibv_device_attr da;

	e->ctx = open_first_device(&e->lid);
	if (!e->ctx)
		return -1;
	e->pd = ibv_alloc_pd(e->ctx);
	e->buf = calloc(1, size);
	e->mr = e->pd && e->buf ? ibv_reg_mr(e->pd, e->buf, size,
					     IBV_ACCESS_LOCAL_WRITE) : NULL;
	e->cq = ibv_create_cq(e->ctx, cqe, NULL, NULL, 0);
	if (!e->mr || !e->cq || ibv_query_device(e->ctx, &da))
		return -1;
	if (!recv_wr) {
		recv_wr = 4 * e->cq->cqe > min_recvs ? 4 * e->cq->cqe :
						       min_recvs;
		if (recv_wr > da.max_qp_wr)
			recv_wr = da.max_qp_wr;
	}
	init.cap.max_recv_wr = (uint32_t)recv_wr;
	e->recvs = recv_wr;
	init.send_cq = init.recv_cq = e->cq;
	e->qp = ibv_create_qp(e->pd, &init);
	return e->qp ? 0 : -1;
}

static int to_init(struct end *e)
{
	struct ibv_qp_attr a = { .qp_state = IBV_QPS_INIT, .port_num = 1,
				 .qkey = QKEY,
				 .qp_access_flags = IBV_ACCESS_LOCAL_WRITE };

	return ibv_modify_qp(e->qp, &a, IBV_QP_STATE | IBV_QP_PKEY_INDEX |
					IBV_QP_PORT |
					(ud ? IBV_QP_QKEY :
					      IBV_QP_ACCESS_FLAGS));
}

/*
 * INIT -> RTR -> RTS.  RC: towards the peer, timeout 14 (4.096 us x 2^14,
 * 67 ms) and 3 retries on both ends: the receiver's CQ overruns after
 * about 270 ms of being full, the sender gives up after about as long.
 */
static int connect_end(struct end *e)
{
	struct ibv_qp_attr a = { .qp_state = IBV_QPS_RTR };
	int err;

	if (ud) {
		err = ibv_modify_qp(e->qp, &a, IBV_QP_STATE);
		a.qp_state = IBV_QPS_RTS;
		a.sq_psn = 0;
		return err ? err : ibv_modify_qp(e->qp, &a, IBV_QP_STATE |
						 IBV_QP_SQ_PSN);
	}
	a.path_mtu = IBV_MTU_1024;
	a.dest_qp_num = e->remote_qpn;
	a.rq_psn = 0;
	a.max_dest_rd_atomic = 1;
	a.min_rnr_timer = 12;
	a.ah_attr.dlid = e->remote_lid;
	a.ah_attr.port_num = 1;
	err = ibv_modify_qp(e->qp, &a, IBV_QP_STATE | IBV_QP_AV |
				       IBV_QP_PATH_MTU | IBV_QP_DEST_QPN |
				       IBV_QP_RQ_PSN |
				       IBV_QP_MAX_DEST_RD_ATOMIC |
				       IBV_QP_MIN_RNR_TIMER);
	if (err)
		return err;
	memset(&a, 0, sizeof(a));
	a.qp_state = IBV_QPS_RTS;
	a.timeout = 14;
	a.retry_cnt = 3;
	a.rnr_retry = 3;	/* 7 would be forever */
	a.sq_psn = 0;
	a.max_rd_atomic = 1;
	return ibv_modify_qp(e->qp, &a, IBV_QP_STATE | IBV_QP_TIMEOUT |
					IBV_QP_RETRY_CNT | IBV_QP_RNR_RETRY |
					IBV_QP_SQ_PSN |
					IBV_QP_MAX_QP_RD_ATOMIC);
}

static int post_recvs(struct end *e, int n)
{
	struct ibv_sge sg = { .length = MSG + GRH, .lkey = e->mr->lkey };
	struct ibv_recv_wr wr = { .sg_list = &sg, .num_sge = 1 }, *bad;
	int i, err;

	/* one buffer for all: nobody looks at what lands in it */
	sg.addr = (uintptr_t)e->buf + MSG + GRH;
	for (i = 0; i < n; i++) {
		wr.wr_id = (uint64_t)i;
		err = ibv_post_recv(e->qp, &wr, &bad);
		if (err)
			return err;
	}
	return 0;
}

static int post_send(struct end *e, uint64_t wr_id)
{
	struct ibv_sge sg = { .addr = (uintptr_t)e->buf, .length = MSG,
			      .lkey = e->mr->lkey };
	struct ibv_send_wr wr = {
		.wr_id = wr_id, .sg_list = &sg, .num_sge = 1,
		.opcode = IBV_WR_SEND, .send_flags = IBV_SEND_SIGNALED,
	}, *bad;

	if (ud) {
		wr.wr.ud.ah = e->ah;
		wr.wr.ud.remote_qpn = e->remote_qpn;
		wr.wr.ud.remote_qkey = QKEY;
	}
	return ibv_post_send(e->qp, &wr, &bad);
}

static const char *qp_state_str(struct ibv_qp *qp)
{
	static const char *const names[] = { "RESET", "INIT", "RTR", "RTS",
					     "SQD", "SQE", "ERR" };
	struct ibv_qp_init_attr init;
	struct ibv_qp_attr a;

	if (ibv_query_qp(qp, &a, IBV_QP_STATE, &init))
		return "?";
	return (unsigned int)a.qp_state < 7 ? names[a.qp_state] : "?";
}

/* ---- the receiver ------------------------------------------------------ */

/*
 * Waits for the sender's "done" (RC: or for IBV_EVENT_CQ_ERR on our CQ),
 * reading async events meanwhile; never polls the CQ.  1 if CQ_ERR came.
 */
static int watch(struct end *e, int tcp, long deadline, bool until_cq_err)
{
	struct pollfd pfd[2] = {
		{ .fd = e->ctx->async_fd, .events = POLLIN },
		{ .fd = tcp, .events = POLLIN },
	};
	struct ibv_async_event ev;
	char line[32];
	int cq_err = 0, left;

	while ((left = (int)(deadline - now_ms())) > 0) {
		if (poll(pfd, 2, left) <= 0)
			continue;
		if (pfd[0].revents & POLLIN) {
			if (ibv_get_async_event(e->ctx, &ev)) {
				die("ibv_get_async_event");
				return -1;
			}
			if (ev.event_type == IBV_EVENT_CQ_ERR &&
			    ev.element.cq == e->cq) {
				printf("nopoll: IBV_EVENT_CQ_ERR\n");
				cq_err = 1;
			} else {
				printf("nopoll: event %s\n",
				       ibv_event_type_str(ev.event_type));
			}
			ibv_ack_async_event(&ev);
			if (cq_err && until_cq_err)
				return 1;
		}
		if (pfd[1].revents) {
			if (read_line(tcp, line, sizeof(line), 1000) >= 0)
				printf("nopoll: sender says %s\n", line);
			else
				printf("nopoll: sender gone\n");
			/*
			 * The sender's error and our CQ's overrun race (each
			 * after its own budget): the sender being done is no
			 * reason to stop waiting for CQ_ERR.
			 */
			if (!until_cq_err || cq_err)
				return cq_err;
			pfd[1].fd = -1;
		}
	}
	return cq_err;
}

static int server(void)
{
	struct end e = { 0 };
	long deadline;
	int tcp, r, recvs;

	if (open_end(&e, RC_CQE, 1, 0, ud ? UD_RECVS : RC_RECVS) ||
	    to_init(&e))
		return die("setup");
	recvs = e.recvs;
	if (post_recvs(&e, recvs))
		return die("post_recv");
	printf("nopoll: receiver CQ of %d entries, %d receives, never "
	       "polled\n", e.cq->cqe, recvs);
	tcp = tcp_server();
	if (tcp < 0)
		return die("tcp");
	/* as ibv_rc_pingpong: ready to receive before the sender knows us */
	if (read_theirs(tcp, &e) || connect_end(&e) || send_mine(tcp, &e))
		return die("connect");
	deadline = now_ms() + DEADLINE_MS;
	if (ud) {
		r = watch(&e, tcp, deadline, false);
		printf("nopoll: ud receiver done (%s), QP %s\n",
		       r > 0 ? "its CQ overran" : "CQ never polled",
		       qp_state_str(e.qp));
		return r < 0;
	}
	r = watch(&e, tcp, deadline, true);
	if (r <= 0) {
		printf("nopoll: no IBV_EVENT_CQ_ERR within %d s\n",
		       DEADLINE_MS / 1000);
		return 1;
	}
	printf("nopoll: receiver QP %s\n", qp_state_str(e.qp));
	/* keep the QP until the sender has seen its error */
	watch(&e, tcp, now_ms() + DEADLINE_MS, false);
	return 0;
}

/* ---- the sender -------------------------------------------------------- */

static int client(const char *host)
{
	struct ibv_ah_attr aha = { .port_num = 1 };
	struct ibv_wc wc[16];
	struct end e = { 0 };
	long start, last, now;
	int tcp, posted = 0, done = 0, n, i, rc = 1;

	if (open_end(&e, 256, WINDOW, 1, 0) || to_init(&e))
		return die("setup");
	tcp = tcp_client(host);
	if (tcp < 0)
		return die("tcp");
	if (send_mine(tcp, &e) || read_theirs(tcp, &e) || connect_end(&e))
		return die("connect");
	if (ud) {
		aha.dlid = e.remote_lid;
		e.ah = ibv_create_ah(e.pd, &aha);
		if (!e.ah)
			return die("ibv_create_ah");
	}

	start = last = now_ms();
	for (;;) {
		/* RC sends until an error; UD n_sends */
		while (posted - done < WINDOW && (!ud || posted < n_sends)) {
			if (post_send(&e, (uint64_t)posted)) {
				errno = EIO;
				return die("ibv_post_send");
			}
			posted++;
		}
		n = ibv_poll_cq(e.cq, 16, wc);
		now = now_ms();
		if (n < 0)
			return die("ibv_poll_cq");
		for (i = 0; i < n; i++) {
			if (wc[i].status != IBV_WC_SUCCESS) {
				printf("nopoll: sender error %s after %ld ms "
				       "(%d sends completed)\n",
				       ibv_wc_status_str(wc[i].status),
				       now - start, done);
				rc = ud;	/* UD: must not fail */
				goto out;
			}
			done++;
		}
		if (n)
			last = now;
		if (ud && done == n_sends) {
			printf("nopoll: ud sender completed %d sends in %ld "
			       "ms\n", done, now - start);
			rc = 0;
			goto out;
		}
		if (now - last > STALL_MS) {
			printf("nopoll: sender stalled: %d of %d sends "
			       "completed, none for %d s\n", done, posted,
			       STALL_MS / 1000);
			goto out;
		}
		if (now - start > DEADLINE_MS) {
			printf("nopoll: no error after %d sends in %d s\n",
			       done, DEADLINE_MS / 1000);
			goto out;
		}
	}
out:
	if (write(tcp, rc ? "fail\n" : "done\n", 5) != 5)
		printf("nopoll: could not tell the receiver\n");
	close(tcp);
	return rc;
}

int main(int argc, char **argv)
{
	const char *host = NULL;
	bool is_server = false, bad = false;
	int i;

	for (i = 1; i < argc && !bad; i++) {
		if (!strcmp(argv[i], "--server"))
			is_server = true;
		else if (!strcmp(argv[i], "--ud"))
			ud = true;
		else if (!strcmp(argv[i], "--port") && i + 1 < argc)
			tcp_port = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--sends") && i + 1 < argc)
			n_sends = atoi(argv[++i]);
		else if (argv[i][0] != '-' && !host)
			host = argv[i];
		else
			bad = true;
	}
	if (bad || is_server == !!host || tcp_port <= 0 || tcp_port > 65535 ||
	    n_sends <= 0) {
		fprintf(stderr, "usage: %s --server [--ud] [--port P]\n"
				"       %s [--ud] [--port P] [--sends N] HOST\n",
			argv[0], argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGALRM, on_alarm);
	signal(SIGPIPE, SIG_IGN);
	alarm(DEADLINE_MS / 1000 * 2 + 60);
	return is_server ? server() : client(host);
}
