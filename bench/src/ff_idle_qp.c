// SPDX-License-Identifier: Apache-2.0
/*
 * ff_idle_qp: two containers with a connected RC queue pair and no traffic, for the
 * benchmark's "idle router" figure.
 *
 *   ff_idle_qp [-p PORT] [-t SECONDS]            (server: waits for the client)
 *   ff_idle_qp [-p PORT] [-t SECONDS] SERVER     (client)
 *
 * Both sides make a PD, an MR, a CQ and an RC QP, trade LID/QPN/PSN over TCP (as
 * perftest does), move the QP to RTS and prove the path with one SEND. Each then prints
 * "connected" and sleeps SECONDS (default 10) without touching the verbs, so the router
 * sees QPs in RTS and no work; TERM or INT ends the sleep early. Exit status 0 when the
 * SEND went through.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <infiniband/verbs.h>

#define MSG_SIZE 64

struct peer {
	uint32_t lid;
	uint32_t qpn;
	uint32_t psn;
};

/* a handler, not SIG_DFL: TERM and INT only interrupt the idle sleep */
static void on_signal(int sig)
{
	(void)sig;
}

static int die(const char *what)
{
	fprintf(stderr, "ff_idle_qp: %s: %s\n", what, strerror(errno));
	return 1;
}

/* the TCP side channel: the server accepts one client, the client retries for 10 s */
static int side_channel(const char *server, const char *port)
{
	struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM };
	struct addrinfo *ai;
	int fd, one = 1, tries;

	if (!server)
		hints.ai_flags = AI_PASSIVE;
	if (getaddrinfo(server, port, &hints, &ai) != 0) {
		fprintf(stderr, "ff_idle_qp: cannot resolve %s\n", server ? server : "*");
		return -1;
	}
	if (!server) {
		int lfd = socket(AF_INET, SOCK_STREAM, 0);

		if (lfd < 0 ||
		    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
		    bind(lfd, ai->ai_addr, ai->ai_addrlen) || listen(lfd, 1)) {
			freeaddrinfo(ai);
			return -1;
		}
		freeaddrinfo(ai);
		fd = accept(lfd, NULL, NULL);
		close(lfd);
		return fd;
	}
	for (tries = 0; tries < 100; tries++) {
		fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd < 0)
			break;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
			freeaddrinfo(ai);
			return fd;
		}
		close(fd);
		usleep(100000);
	}
	freeaddrinfo(ai);
	return -1;
}

static int trade(int fd, const void *out, void *in, size_t len)
{
	if (write(fd, out, len) != (ssize_t)len)
		return -1;
	return recv(fd, in, len, MSG_WAITALL) == (ssize_t)len ? 0 : -1;
}

static int to_rts(struct ibv_qp *qp, const struct peer *me, const struct peer *them)
{
	struct ibv_qp_attr a = {
		.qp_state = IBV_QPS_INIT,
		.pkey_index = 0,
		.port_num = 1,
		.qp_access_flags = IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE,
	};

	if (ibv_modify_qp(qp, &a, IBV_QP_STATE | IBV_QP_PKEY_INDEX |
			  IBV_QP_PORT | IBV_QP_ACCESS_FLAGS))
		return -1;
	memset(&a, 0, sizeof(a));
	a.qp_state = IBV_QPS_RTR;
	a.path_mtu = IBV_MTU_1024;
	a.dest_qp_num = them->qpn;
	a.rq_psn = them->psn;
	a.max_dest_rd_atomic = 1;
	a.min_rnr_timer = 12;
	a.ah_attr.dlid = them->lid;
	a.ah_attr.port_num = 1;
	if (ibv_modify_qp(qp, &a, IBV_QP_STATE | IBV_QP_AV | IBV_QP_PATH_MTU |
			  IBV_QP_DEST_QPN | IBV_QP_RQ_PSN |
			  IBV_QP_MAX_DEST_RD_ATOMIC | IBV_QP_MIN_RNR_TIMER))
		return -1;
	memset(&a, 0, sizeof(a));
	a.qp_state = IBV_QPS_RTS;
	a.timeout = 14;
	a.retry_cnt = 7;
	a.rnr_retry = 7;
	a.sq_psn = me->psn;
	a.max_rd_atomic = 1;
	return ibv_modify_qp(qp, &a, IBV_QP_STATE | IBV_QP_TIMEOUT |
			     IBV_QP_RETRY_CNT | IBV_QP_RNR_RETRY |
			     IBV_QP_SQ_PSN | IBV_QP_MAX_QP_RD_ATOMIC);
}

/* waits up to 10 s for one completion; 0 if it is a success */
static int one_completion(struct ibv_cq *cq)
{
	struct ibv_wc wc;
	struct timespec pause = { 0, 100000 };
	int i, n;

	for (i = 0; i < 100000; i++) {
		n = ibv_poll_cq(cq, 1, &wc);
		if (n < 0)
			return -1;
		if (n == 1) {
			if (wc.status != IBV_WC_SUCCESS)
				fprintf(stderr, "ff_idle_qp: completion %s\n",
					ibv_wc_status_str(wc.status));
			return wc.status == IBV_WC_SUCCESS ? 0 : -1;
		}
		nanosleep(&pause, NULL);
	}
	fprintf(stderr, "ff_idle_qp: no completion within 10 s\n");
	return -1;
}

int main(int argc, char **argv)
{
	const char *port = "18600", *server = NULL;
	double seconds = 10;
	struct ibv_device **devs;
	struct ibv_context *ctx;
	struct ibv_pd *pd;
	struct ibv_mr *mr;
	struct ibv_cq *cq;
	struct ibv_qp *qp;
	struct ibv_port_attr pa;
	struct ibv_qp_init_attr init = {
		.qp_type = IBV_QPT_RC,
		.cap = { .max_send_wr = 4, .max_recv_wr = 4,
			 .max_send_sge = 1, .max_recv_sge = 1 },
	};
	struct peer me, them;
	struct ibv_sge sge;
	struct timespec nap;
	char *buf, ready = 'r', got;
	int opt, fd, rc = 1;

	while ((opt = getopt(argc, argv, "p:t:")) != -1) {
		switch (opt) {
		case 'p':
			port = optarg;
			break;
		case 't':
			seconds = strtod(optarg, NULL);
			break;
		default:
			fprintf(stderr, "usage: %s [-p PORT] [-t SECONDS] [SERVER]\n", argv[0]);
			return 2;
		}
	}
	if (optind < argc)
		server = argv[optind];
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);

	devs = ibv_get_device_list(NULL);
	if (!devs || !devs[0])
		return die("no verbs device");
	ctx = ibv_open_device(devs[0]);
	if (!ctx)
		return die("ibv_open_device");
	if (ibv_query_port(ctx, 1, &pa))
		return die("ibv_query_port");
	pd = ibv_alloc_pd(ctx);
	buf = calloc(1, MSG_SIZE);
	mr = pd && buf ? ibv_reg_mr(pd, buf, MSG_SIZE, IBV_ACCESS_LOCAL_WRITE |
				    IBV_ACCESS_REMOTE_WRITE) : NULL;
	cq = ibv_create_cq(ctx, 8, NULL, NULL, 0);
	if (!mr || !cq)
		return die("PD, MR or CQ");
	init.send_cq = cq;
	init.recv_cq = cq;
	qp = ibv_create_qp(pd, &init);
	if (!qp)
		return die("ibv_create_qp");

	srand48(getpid() ^ time(NULL));
	me.lid = htonl(pa.lid);
	me.qpn = htonl(qp->qp_num);
	me.psn = htonl(lrand48() & 0xffffff);
	fd = side_channel(server, port);
	if (fd < 0)
		return die("side channel");
	if (trade(fd, &me, &them, sizeof(me)))
		return die("trading QP numbers");
	me.lid = ntohl(me.lid);
	me.qpn = ntohl(me.qpn);
	me.psn = ntohl(me.psn);
	them.lid = ntohl(them.lid);
	them.qpn = ntohl(them.qpn);
	them.psn = ntohl(them.psn);
	if (to_rts(qp, &me, &them))
		return die("ibv_modify_qp to RTS");

	sge.addr = (uintptr_t)buf;
	sge.length = MSG_SIZE;
	sge.lkey = mr->lkey;
	if (!server) {
		struct ibv_recv_wr wr = { .wr_id = 1, .sg_list = &sge, .num_sge = 1 };
		struct ibv_recv_wr *bad;

		if (ibv_post_recv(qp, &wr, &bad))
			return die("ibv_post_recv");
	}
	/* the receive is posted before the client sends */
	if (trade(fd, &ready, &got, 1))
		return die("side channel sync");
	if (server) {
		struct ibv_send_wr wr = { .wr_id = 2, .sg_list = &sge, .num_sge = 1,
					  .opcode = IBV_WR_SEND,
					  .send_flags = IBV_SEND_SIGNALED };
		struct ibv_send_wr *bad;

		snprintf(buf, MSG_SIZE, "idle-qp");
		if (ibv_post_send(qp, &wr, &bad))
			return die("ibv_post_send");
	}
	if (one_completion(cq) == 0) {
		rc = 0;
		printf("connected lid=%u qpn=%u peer_lid=%u peer_qpn=%u\n", me.lid,
		       me.qpn, them.lid, them.qpn);
		fflush(stdout);
		nap.tv_sec = (time_t)seconds;
		nap.tv_nsec = (long)((seconds - (double)nap.tv_sec) * 1e9);
		/* an interrupted sleep (TERM, INT) ends the idle time */
		nanosleep(&nap, NULL);
	}
	close(fd);
	ibv_destroy_qp(qp);
	ibv_destroy_cq(cq);
	ibv_dereg_mr(mr);
	ibv_dealloc_pd(pd);
	ibv_close_device(ctx);
	ibv_free_device_list(devs);
	free(buf);
	return rc;
}
