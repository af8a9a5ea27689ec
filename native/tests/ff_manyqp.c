// SPDX-License-Identifier: Apache-2.0
/*
 * ff_manyqp: a checksummed transfer over many RC QPs at once, which counts
 * what arrived corrupted, twice, out of order or not at all.
 *
 *	ff_manyqp --server [--port P]				the receiver
 *	ff_manyqp [--port P] [--qps N] [--messages M] [--size S]
 *		  [--corrupt-every K] HOST			the sender
 *
 * The sender tells the receiver N, M and S over TCP, and the two exchange
 * (LID, QPN) per QP and the receiver's region (rkey, address), as
 * ibv_rc_pingpong does for one.  On every QP the sender posts M messages
 * of S bytes, at most WINDOW in flight per QP, all QPs interleaved: even
 * sequence numbers are SENDs into the receiver's posted receives, odd ones
 * RDMA WRITE WITH IMM into a slot of the receiver's region of its own
 * (immediate = sequence number).  Each message starts with a header
 * (magic, QP index, sequence number, a 64-bit FNV-1a checksum of the rest)
 * followed by bytes that the sequence number and QP index determine.
 *
 * The receiver checks each arrival: length, header, checksum and every
 * payload byte (corrupted), a sequence number seen before on that QP
 * (duplicated), one that is not the next expected (reordered); what never
 * came by the sender's "done" plus a grace period is lost.  It prints
 *
 *	manyqp: qps=N messages=M size=S received=R corrupted=C lost=L
 *		duplicated=D reordered=O
 *
 * on one line and exits 0 only if R = N x M and C, L, D and O are 0.  The
 * sender exits 0 only if every work request completed successfully.
 * --corrupt-every K tests the checker: the sender changes the last byte of
 * every Kth message of each QP after its checksum, and the receiver must
 * count M / K x N corrupted (and as many lost).  Both
 * have deadlines and never hang.  Linked against the system libibverbs,
 * run with the FFL via LD_LIBRARY_PATH and FREEFLOW_SOCKET.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <infiniband/verbs.h>

#include "test_util.h"
#include "verbs_test_util.h"
#include "tcp_test_util.h"

#define DEFAULT_PORT	18519
#define MAGIC		0x4d515046u	/* "FPQM" */
#define MAX_QPS		64
#define WINDOW		32	/* messages in flight per QP */
#define RECVS		64	/* receives posted per QP */
#define DEADLINE_MS	120000
#define GRACE_MS	3000	/* after "done": what has not come is lost */
#define QUIET_MS	300	/* then: anything more came twice */
#define CONNECT_MS	10000

struct header {
	uint32_t magic;
	uint32_t qp;
	uint32_t seq;
	uint32_t pad;
	uint64_t sum;	/* FNV-1a of the bytes after the header */
};

/* What both ends know of the transfer and of one another. */
struct transfer {
	int qps, messages;
	size_t size;
	struct ibv_context *ctx;
	struct ibv_pd *pd;
	struct ibv_cq *cq;
	struct ibv_qp *qp[MAX_QPS];
	uint16_t lid, remote_lid[MAX_QPS];
	uint32_t remote_qpn[MAX_QPS];
	char *buf;		/* sender: WINDOW slots per QP; receiver: RECVS */
	struct ibv_mr *mr;
	char *region;		/* receiver: one slot per odd message */
	struct ibv_mr *region_mr;
	uint32_t remote_rkey;
	uint64_t remote_addr;
};

static int tcp_port = DEFAULT_PORT;
/* the checker's own test: every Nth message of each QP leaves with one byte changed */
static int corrupt_every;

static void on_alarm(int sig)
{
	(void)sig;
	printf("manyqp: FAIL: no end after %d s\n", DEADLINE_MS / 1000 * 2 + 60);
	fflush(stdout);
	_exit(1);
}

static int die(const char *what)
{
	printf("manyqp: FAIL: %s: %s\n", what, strerror(errno));
	return 1;
}

static uint64_t fnv1a(const unsigned char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	while (n--) {
		h ^= *p++;
		h *= 0x100000001b3ull;
	}
	return h;
}

/* The payload byte at @i of message @seq on QP @qp: a cheap mix of the three. */
static unsigned char payload_byte(uint32_t qp, uint32_t seq, size_t i)
{
	uint32_t x = (uint32_t)i * 2654435761u ^ seq * 40503u ^ qp * 9176u;

	return (unsigned char)(x ^ x >> 13 ^ x >> 24);
}

static void fill(char *slot, size_t size, uint32_t qp, uint32_t seq)
{
	struct header h = { .magic = MAGIC, .qp = qp, .seq = seq };
	unsigned char *p = (unsigned char *)slot + sizeof(h);
	size_t i, n = size - sizeof(h);

	for (i = 0; i < n; i++)
		p[i] = payload_byte(qp, seq, i);
	h.sum = fnv1a(p, n);
	memcpy(slot, &h, sizeof(h));
}

/* True when @slot holds message @seq of QP @qp, whole; *seq_out: what its header says. */
static bool intact(const char *slot, size_t size, uint32_t qp, uint32_t *seq_out)
{
	const unsigned char *p = (const unsigned char *)slot + sizeof(struct header);
	size_t i, n = size - sizeof(struct header);
	struct header h;

	memcpy(&h, slot, sizeof(h));
	*seq_out = h.seq;
	if (h.magic != MAGIC || h.qp != qp || fnv1a(p, n) != h.sum)
		return false;
	for (i = 0; i < n; i++)
		if (p[i] != payload_byte(qp, h.seq, i))
			return false;
	return true;
}

/* ---- TCP: the exchange ------------------------------------------------- */

static int tcp_server(void)
{
	return tcp_accept_one(tcp_port, DEADLINE_MS, "manyqp");
}

static int tcp_client(const char *host)
{
	return tcp_dial(host, tcp_port, CONNECT_MS);
}

static int write_line(int fd, const char *line)
{
	size_t n = strlen(line);

	return write(fd, line, n) == (ssize_t)n ? 0 : -1;
}

/* Our (LID, QPN) of each QP, one line each. */
static int send_qps(int fd, const struct transfer *t)
{
	char line[64];
	int i;

	for (i = 0; i < t->qps; i++) {
		snprintf(line, sizeof(line), "%04x:%06x\n", t->lid, t->qp[i]->qp_num);
		if (write_line(fd, line))
			return -1;
	}
	return 0;
}

static int read_qps(int fd, struct transfer *t)
{
	unsigned int lid, qpn;
	char line[64];
	int i;

	for (i = 0; i < t->qps; i++) {
		if (read_line(fd, line, sizeof(line), DEADLINE_MS) < 0 ||
		    sscanf(line, "%x:%x", &lid, &qpn) != 2) {
			errno = EPROTO;
			return -1;
		}
		t->remote_lid[i] = (uint16_t)lid;
		t->remote_qpn[i] = qpn;
	}
	return 0;
}

/* ---- verbs ------------------------------------------------------------- */

/* Context, PD, one CQ of @cqe, @t->qps RC QPs and @t->buf (@bufsize) registered. */
static int open_transfer(struct transfer *t, int cqe, int send_wr, int recv_wr, size_t bufsize)
{
	struct ibv_qp_init_attr init = {
		.cap = { .max_send_wr = (uint32_t)send_wr, .max_recv_wr = (uint32_t)recv_wr,
			 .max_send_sge = 1, .max_recv_sge = 1 },
		.qp_type = IBV_QPT_RC,
	};
	struct ibv_qp_attr a = { .qp_state = IBV_QPS_INIT, .port_num = 1,
				 .qp_access_flags = IBV_ACCESS_LOCAL_WRITE |
						    IBV_ACCESS_REMOTE_WRITE };
	int i;

	t->ctx = open_first_device(&t->lid);
	if (!t->ctx)
		return -1;
	t->pd = ibv_alloc_pd(t->ctx);
	t->buf = calloc(1, bufsize);
	t->mr = t->pd && t->buf ? ibv_reg_mr(t->pd, t->buf, bufsize, IBV_ACCESS_LOCAL_WRITE) : NULL;
	t->cq = ibv_create_cq(t->ctx, cqe, NULL, NULL, 0);
	if (!t->mr || !t->cq)
		return -1;
	init.send_cq = init.recv_cq = t->cq;
	for (i = 0; i < t->qps; i++) {
		t->qp[i] = ibv_create_qp(t->pd, &init);
		if (!t->qp[i] || ibv_modify_qp(t->qp[i], &a, IBV_QP_STATE | IBV_QP_PKEY_INDEX |
					       IBV_QP_PORT | IBV_QP_ACCESS_FLAGS))
			return -1;
	}
	return 0;
}

/*
 * INIT -> RTR -> RTS towards the peer's QP @i: timeout 14 (67 ms), 7 retries,
 * RNR retried forever (a receiver that reposts late slows the sender down).
 */
static int connect_qp(struct transfer *t, int i)
{
	struct ibv_qp_attr a = {
		.qp_state = IBV_QPS_RTR, .path_mtu = IBV_MTU_4096,
		.dest_qp_num = t->remote_qpn[i], .max_dest_rd_atomic = 1,
		.min_rnr_timer = 1,
		.ah_attr = { .dlid = t->remote_lid[i], .port_num = 1 },
	};

	if (ibv_modify_qp(t->qp[i], &a, IBV_QP_STATE | IBV_QP_AV | IBV_QP_PATH_MTU |
			  IBV_QP_DEST_QPN | IBV_QP_RQ_PSN | IBV_QP_MAX_DEST_RD_ATOMIC |
			  IBV_QP_MIN_RNR_TIMER))
		return -1;
	memset(&a, 0, sizeof(a));
	a.qp_state = IBV_QPS_RTS;
	a.timeout = 14;
	a.retry_cnt = 7;
	a.rnr_retry = 7;
	a.max_rd_atomic = 1;
	return ibv_modify_qp(t->qp[i], &a, IBV_QP_STATE | IBV_QP_TIMEOUT | IBV_QP_RETRY_CNT |
			     IBV_QP_RNR_RETRY | IBV_QP_SQ_PSN | IBV_QP_MAX_QP_RD_ATOMIC);
}

static int qp_index(const struct transfer *t, uint32_t qp_num)
{
	int i;

	for (i = 0; i < t->qps; i++)
		if (t->qp[i]->qp_num == qp_num)
			return i;
	return -1;
}

/* ---- the receiver ------------------------------------------------------ */

struct tally {
	long received, corrupted, duplicated, reordered;
	uint32_t next[MAX_QPS];
	unsigned char *seen;	/* [qp * messages + seq] */
};

static int post_recv(struct transfer *t, int qp, int slot)
{
	struct ibv_sge sg = { .addr = (uintptr_t)t->buf + ((size_t)qp * RECVS + (size_t)slot) * t->size,
			      .length = (uint32_t)t->size, .lkey = t->mr->lkey };
	struct ibv_recv_wr wr = { .wr_id = (uint64_t)qp << 32 | (uint32_t)slot,
				  .sg_list = &sg, .num_sge = 1 }, *bad;

	return ibv_post_recv(t->qp[qp], &wr, &bad);
}

/* Counts one message that arrived on QP @qp in @slot (@len bytes), saying seq @imm if a WRITE. */
static void arrived(struct transfer *t, struct tally *y, int qp, const char *slot, uint32_t len,
		    bool write, uint32_t imm)
{
	uint32_t seq = UINT32_MAX;

	y->received++;
	if (len != t->size || !intact(slot, t->size, (uint32_t)qp, &seq) ||
	    seq >= (uint32_t)t->messages || (write && (seq != imm || (seq & 1) == 0)) ||
	    (!write && (seq & 1))) {
		y->corrupted++;
		if (seq < (uint32_t)t->messages && seq >= y->next[qp])
			y->next[qp] = seq + 1; /* its successor is no reordering */
		return;
	}
	if (y->seen[(size_t)qp * t->messages + seq]++) {
		y->duplicated++;
		return;
	}
	if (seq != y->next[qp])
		y->reordered++;
	y->next[qp] = seq + 1;
}

/*
 * Takes completions until @until, or (@until_all) until every message came;
 * -1 on an error completion.
 */
static int receive(struct transfer *t, struct tally *y, long until, bool until_all)
{
	long want = (long)t->qps * t->messages;
	struct ibv_wc wc[32];
	int n, i, qp, slot;
	const char *where;

	while (now_ms() < until && (!until_all || y->received < want)) {
		n = ibv_poll_cq(t->cq, 32, wc);
		if (n < 0)
			return die("ibv_poll_cq");
		for (i = 0; i < n; i++) {
			if (wc[i].status != IBV_WC_SUCCESS) {
				printf("manyqp: receive error %s on QP %06x\n",
				       ibv_wc_status_str(wc[i].status), wc[i].qp_num);
				return -1;
			}
			qp = (int)(wc[i].wr_id >> 32);
			slot = (int)(uint32_t)wc[i].wr_id;
			if (qp < 0 || qp >= t->qps || qp_index(t, wc[i].qp_num) != qp) {
				y->received++;
				y->corrupted++;
				continue;
			}
			if (wc[i].opcode == IBV_WC_RECV_RDMA_WITH_IMM) {
				uint32_t imm = ntohl(wc[i].imm_data);

				where = imm < (uint32_t)t->messages ?
					t->region + ((size_t)qp * t->messages + imm) * t->size : NULL;
				if (where)
					arrived(t, y, qp, where, (uint32_t)t->size, true, imm);
				else {
					y->received++;
					y->corrupted++;
				}
			} else {
				arrived(t, y, qp, t->buf + ((size_t)qp * RECVS + (size_t)slot) * t->size,
					wc[i].byte_len, false, 0);
			}
			if (post_recv(t, qp, slot))
				return die("ibv_post_recv");
		}
	}
	return 0;
}

static int server(void)
{
	struct transfer t = { 0 };
	struct tally y = { 0 };
	size_t region;
	long lost = 0;
	char line[128];
	int tcp, i, j;
	bool sender_ok;

	tcp = tcp_server();
	if (tcp < 0)
		return die("tcp");
	if (read_line(tcp, line, sizeof(line), DEADLINE_MS) < 0 ||
	    sscanf(line, "%d %d %zu", &t.qps, &t.messages, &t.size) != 3 ||
	    t.qps < 1 || t.qps > MAX_QPS || t.messages < 1 || t.size <= sizeof(struct header)) {
		errno = EPROTO;
		return die("parameters");
	}
	region = (size_t)t.qps * (size_t)t.messages * t.size;
	if (open_transfer(&t, t.qps * RECVS, 1, RECVS, (size_t)t.qps * RECVS * t.size))
		return die("setup");
	t.region = calloc(1, region);
	t.region_mr = t.region ? ibv_reg_mr(t.pd, t.region, region,
					    IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE) : NULL;
	y.seen = calloc((size_t)t.qps, (size_t)t.messages);
	if (!t.region_mr || !y.seen)
		return die("region");
	for (i = 0; i < t.qps; i++)
		for (j = 0; j < RECVS; j++)
			if (post_recv(&t, i, j))
				return die("ibv_post_recv");
	if (read_qps(tcp, &t))
		return die("exchange");
	for (i = 0; i < t.qps; i++)
		if (connect_qp(&t, i))
			return die("connect");
	snprintf(line, sizeof(line), "%08x:%016llx\n", t.region_mr->rkey,
		 (unsigned long long)(uintptr_t)t.region);
	if (send_qps(tcp, &t) || write_line(tcp, line))
		return die("exchange");
	printf("manyqp: receiving %d x %d messages of %zu bytes\n", t.qps, t.messages, t.size);

	if (receive(&t, &y, now_ms() + DEADLINE_MS, true) < 0)
		return 1;
	/* the sender's word; then what is missing has GRACE_MS to come, and
	 * anything that comes once more after all did counts as a duplicate */
	sender_ok = read_line(tcp, line, sizeof(line), DEADLINE_MS) >= 0 && !strcmp(line, "done");
	if (receive(&t, &y, now_ms() + GRACE_MS, true) < 0 ||
	    receive(&t, &y, now_ms() + QUIET_MS, false) < 0)
		return 1;
	for (i = 0; i < t.qps; i++)
		for (j = 0; j < t.messages; j++)
			lost += !y.seen[(size_t)i * t.messages + j];
	printf("manyqp: qps=%d messages=%d size=%zu received=%ld corrupted=%ld lost=%ld "
	       "duplicated=%ld reordered=%ld\n", t.qps, t.messages, t.size, y.received, y.corrupted,
	       lost, y.duplicated, y.reordered);
	if (!sender_ok)
		printf("manyqp: the sender did not finish: %s\n", line);
	close(tcp);
	return !(sender_ok && y.received == (long)t.qps * t.messages && !y.corrupted && !lost &&
		 !y.duplicated && !y.reordered);
}

/* ---- the sender -------------------------------------------------------- */

static int post_message(struct transfer *t, int qp, uint32_t seq)
{
	char *slot = t->buf + ((size_t)qp * WINDOW + seq % WINDOW) * t->size;
	struct ibv_sge sg = { .addr = (uintptr_t)slot, .length = (uint32_t)t->size,
			      .lkey = t->mr->lkey };
	struct ibv_send_wr wr = { .wr_id = (uint64_t)qp << 32 | seq, .sg_list = &sg, .num_sge = 1,
				  .send_flags = IBV_SEND_SIGNALED }, *bad;

	fill(slot, t->size, (uint32_t)qp, seq);
	if (corrupt_every && seq % (uint32_t)corrupt_every == (uint32_t)corrupt_every - 1)
		slot[t->size - 1] ^= 0x5a;
	if (seq & 1) {
		wr.opcode = IBV_WR_RDMA_WRITE_WITH_IMM;
		wr.imm_data = htonl(seq);
		wr.wr.rdma.rkey = t->remote_rkey;
		wr.wr.rdma.remote_addr = t->remote_addr + ((uint64_t)qp * t->messages + seq) * t->size;
	} else {
		wr.opcode = IBV_WR_SEND;
	}
	return ibv_post_send(t->qp[qp], &wr, &bad);
}

static int client(const char *host, int qps, int messages, size_t size)
{
	struct transfer t = { .qps = qps, .messages = messages, .size = size };
	int posted[MAX_QPS] = { 0 }, done[MAX_QPS] = { 0 };
	long total = (long)qps * messages, completed = 0, start;
	unsigned long long addr;
	unsigned int rkey;
	struct ibv_wc wc[32];
	char line[128];
	int tcp, i, n, qp, rc = 1;

	if (open_transfer(&t, qps * WINDOW, WINDOW, 1, (size_t)qps * WINDOW * size))
		return die("setup");
	tcp = tcp_client(host);
	if (tcp < 0)
		return die("tcp");
	snprintf(line, sizeof(line), "%d %d %zu\n", qps, messages, size);
	if (write_line(tcp, line) || send_qps(tcp, &t) || read_qps(tcp, &t) ||
	    read_line(tcp, line, sizeof(line), DEADLINE_MS) < 0 ||
	    sscanf(line, "%x:%llx", &rkey, &addr) != 2)
		return die("exchange");
	t.remote_rkey = rkey;
	t.remote_addr = addr;
	for (i = 0; i < qps; i++)
		if (connect_qp(&t, i))
			return die("connect");

	start = now_ms();
	while (completed < total) {
		for (qp = 0; qp < qps; qp++)
			while (posted[qp] < messages && posted[qp] - done[qp] < WINDOW) {
				if (post_message(&t, qp, (uint32_t)posted[qp]))
					return die("ibv_post_send");
				posted[qp]++;
			}
		n = ibv_poll_cq(t.cq, 32, wc);
		if (n < 0)
			return die("ibv_poll_cq");
		for (i = 0; i < n; i++) {
			qp = (int)(wc[i].wr_id >> 32);
			if (wc[i].status != IBV_WC_SUCCESS) {
				printf("manyqp: sender error %s on QP %d after %ld completions\n",
				       ibv_wc_status_str(wc[i].status), qp, completed);
				goto out;
			}
			if (qp < 0 || qp >= qps || (uint32_t)wc[i].wr_id != (uint32_t)done[qp]) {
				printf("manyqp: completion out of posting order on QP %d\n", qp);
				goto out;
			}
			done[qp]++;
			completed++;
		}
		if (now_ms() - start > DEADLINE_MS) {
			printf("manyqp: %ld of %ld completions in %d s\n", completed, total,
			       DEADLINE_MS / 1000);
			goto out;
		}
	}
	printf("manyqp: sender completed %ld work requests in %ld ms\n", completed,
	       now_ms() - start);
	rc = 0;
out:
	if (write_line(tcp, rc ? "fail\n" : "done\n"))
		printf("manyqp: could not tell the receiver\n");
	/* until the receiver has counted: our QPs stay up meanwhile */
	read_line(tcp, line, sizeof(line), DEADLINE_MS);
	close(tcp);
	return rc;
}

int main(int argc, char **argv)
{
	const char *host = NULL;
	bool is_server = false, bad = false;
	int i, qps = 16, messages = 1000;
	long size = 6000;

	for (i = 1; i < argc && !bad; i++) {
		if (!strcmp(argv[i], "--server"))
			is_server = true;
		else if (!strcmp(argv[i], "--port") && i + 1 < argc)
			tcp_port = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--qps") && i + 1 < argc)
			qps = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--messages") && i + 1 < argc)
			messages = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--size") && i + 1 < argc)
			size = atol(argv[++i]);
		else if (!strcmp(argv[i], "--corrupt-every") && i + 1 < argc)
			corrupt_every = atoi(argv[++i]);
		else if (argv[i][0] != '-' && !host)
			host = argv[i];
		else
			bad = true;
	}
	if (bad || is_server == !!host || tcp_port <= 0 || tcp_port > 65535 || qps < 1 ||
	    qps > MAX_QPS || messages < 1 || size <= (long)sizeof(struct header) || size > 1L << 30 ||
	    corrupt_every < 0) {
		fprintf(stderr, "usage: %s --server [--port P]\n"
				"       %s [--port P] [--qps N] [--messages M] [--size S]"
				" [--corrupt-every K] HOST\n",
			argv[0], argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGALRM, on_alarm);
	signal(SIGPIPE, SIG_IGN);
	alarm(DEADLINE_MS / 1000 * 2 + 60);
	return is_server ? server() : client(host, qps, messages, (size_t)size);
}
