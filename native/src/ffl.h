/* SPDX-License-Identifier: Apache-2.0 */
/*
 * FFL internals: the objects behind the verbs handles and the functions the
 * source files share.  Everything here is hidden (-fvisibility=hidden); the
 * exported surface is the verbs API itself, pinned by libibverbs.map.
 */
#ifndef FREEFLOW_FFL_H
#define FREEFLOW_FFL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/single_threaded.h>

#include <infiniband/verbs.h>

#include <freeflow/ff_abi.h>

#include "ff_msg.h"
#include "ring.h"

#define FF_EXPORT __attribute__((visibility("default")))

#ifndef container_of
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))
#endif

#define FFL_PORT	1	/* the one port of the virtual device */

struct ffl_device {
	struct ibv_device ibdev;
	struct ff_device_info info;	/* as of the last discovery */
	char socket[108];		/* the router's container socket */
};

/*
 * Where new work is announced while the router's poller sleeps: the
 * router page's .sleeping (mapped read-only) and the doorbell (the writing
 * end of a pipe, made non-blocking at open), both from the context's OPEN
 * reply.  Copied into every QP and CQ so the data path does not chase the
 * context.
 */
struct ffl_bell {
	const uint32_t *sleeping;
	int fd;
	bool fence;	/* false: the router's membarrier is our fence */
};

/*
 * The reading end of a router-made notification pipe (async events,
 * completion channels; notify.c): one byte per notification.  owed counts
 * the bytes the FFL has to take off without a reader for them (a dropped
 * event's, a notified CQ's taken by its flag); negative while a reader has
 * taken a byte whose notification is yet to be accounted.  readers counts
 * the threads in a blocking read() of fd, while which nothing else reads.
 * Both under the owner's lock.
 */
struct ffl_pipe_in {
	int fd;
	int owed;
	unsigned int readers;
};

/* intrusive list node */
struct ffl_list {
	struct ffl_list *prev, *next;
};

static inline void ffl_list_init(struct ffl_list *head)
{
	head->prev = head->next = head;
}

static inline bool ffl_list_empty(const struct ffl_list *head)
{
	return head->next == head;
}

static inline void ffl_list_del(struct ffl_list *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->prev = n->next = n;
}

static inline void ffl_list_add_tail(struct ffl_list *head,
				     struct ffl_list *n)
{
	n->prev = head->prev;
	n->next = head;
	head->prev->next = n;
	head->prev = n;
}

struct ffl_context {
	struct verbs_context vctx;	/* ibv_context is its last member */
	struct ff_device_info info;	/* cached at open */
	pthread_mutex_t cmd_lock;	/* one request in flight per socket */
	uint32_t seq;
	struct ff_router_shm *router;	/* FF_ROUTER_SHM_SIZE, read-only */
	struct ffl_bell bell;		/* &router->sleeping, doorbell fd */
	/* async events: the pipe (fd == async_fd) and its accounting */
	pthread_mutex_t async_lock;	/* guards async */
	struct ffl_pipe_in async;
	/* async events name objects by handle: the live QPs and CQs */
	pthread_mutex_t obj_lock;	/* guards qps, cqs and srqs */
	struct ffl_list qps;		/* ffl_qp.ctx_node */
	struct ffl_list cqs;		/* ffl_cq.ctx_node */
	struct ffl_list srqs;		/* ffl_srq.ctx_node */
};

/*
 * A completion channel: the router's (FF_OP_CREATE_COMP_CHANNEL), named by
 * handle in CREATE_CQ; the reading end of its pipe is what the app sees
 * as ->fd.  The CQs on it are where ibv_get_cq_event looks for a pending
 * notification.
 */
struct ffl_channel {
	struct ibv_comp_channel ch;
	uint32_t handle;
	pthread_mutex_t lock;		/* guards cqs, ch.refcnt and in */
	struct ffl_list cqs;		/* ffl_cq.ch_node, oldest event first */
	struct ffl_pipe_in in;		/* in.fd == ch.fd */
};

struct ffl_pd {
	struct ibv_pd ibpd;
	unsigned int ahs;		/* live address handles (atomic) */
};

/*
 * An address handle lives in the FFL only: its address vector, in the
 * layout of the UD fields of ff_send_wqe, is copied into every WQE that
 * names it (ffl_ud_address).
 */
struct ffl_ah {
	struct ibv_ah ibah;
	uint8_t dgid[16];
	uint32_t flow_label;
	uint16_t dlid;
	uint8_t sl;
	uint8_t is_global;
	uint8_t traffic_class;
	uint8_t hop_limit;
};

struct ffl_mr {
	struct ibv_mr ibmr;
	uintptr_t pg_start;		/* backed page range, [start, end) */
	uintptr_t pg_end;
};

struct ffl_cq {
	union {
		struct ibv_cq ibcq;
		struct ibv_cq_ex ibcqx;	/* ibv_create_cq_ex: same prefix */
	};
	pthread_spinlock_t lock;	/* serialises pollers; held from
					 * ibv_start_poll to ibv_end_poll */
	struct ffl_ring ring;
	struct ff_cq_shm *shm;
	size_t shm_size;
	struct ffl_bell bell;
	struct ffl_channel *chan;	/* NULL without a channel */
	struct ffl_list ch_node;	/* on chan->cqs, under chan->lock */
	unsigned int events;		/* delivered by ibv_get_cq_event,
					 * under ibcq.mutex */
	unsigned int async_events;	/* by ibv_get_async_event, ditto */
	struct ffl_list ctx_node;	/* on the context's cqs */
	/* ibv_start_poll .. ibv_end_poll, under lock */
	const struct ff_cqe *cur;	/* the entry the read_* calls see */
	uint32_t polled;		/* entries handed out, cur included */
	uint32_t ready;			/* entries ready as last seen */
	bool locked;			/* ffl_lock_span() took lock */
};

/*
 * The ibv_wr_* batch being built (ibv_wr_start .. ibv_wr_complete), under
 * sq_lock: WQEs are written straight into the SQ slots from start on and
 * published only by ibv_wr_complete.
 */
struct ffl_wr_batch {
	struct ff_send_wqe *wqe;	/* the WR being built, not pushed yet */
	uint32_t start;			/* sq.head at ibv_wr_start */
	int err;			/* first error of the batch */
	bool need_ud;			/* UD WR still without wr_set_ud_addr */
	bool locked;			/* ffl_lock_span() took sq_lock */
};

struct ffl_qp {
	struct ibv_qp_ex ibqpx;		/* ibv_qp is its first member */
	pthread_spinlock_t sq_lock;	/* serialises posters per queue */
	pthread_spinlock_t rq_lock;
	struct ffl_ring sq;
	struct ffl_ring rq;
	struct ff_qp_cap cap;		/* granted */
	struct ff_qp_shm *shm;
	size_t shm_size;
	struct ffl_bell bell;
	bool has_qpx;			/* made with send_ops_flags */
	struct ffl_wr_batch wr;
	struct ffl_list ctx_node;	/* on the context's qps */
	unsigned int async_events;	/* by ibv_get_async_event, under
					 * ibqp.mutex */
};

/*
 * A shared receive queue: a router-made ring of receive WQEs (ff_srq_shm)
 * that the router's responders of every QP made with it consume.
 */
struct ffl_srq {
	struct ibv_srq ibsrq;
	pthread_spinlock_t lock;	/* serialises posters */
	struct ffl_ring rq;
	uint32_t max_sge;		/* granted */
	uint32_t srq_num;		/* ibv_get_srq_num */
	struct ff_srq_shm *shm;
	size_t shm_size;
	struct ffl_bell bell;
	struct ffl_list ctx_node;	/* on the context's srqs */
	unsigned int async_events;	/* by ibv_get_async_event, under
					 * ibsrq.mutex */
};

static inline struct ffl_srq *to_fsrq(struct ibv_srq *srq)
{
	return container_of(srq, struct ffl_srq, ibsrq);
}

/* An XRC domain as this context opened it (ff_abi.h, "XRC domains"). */
struct ffl_xrcd {
	struct ibv_xrcd ibxrcd;
	uint32_t handle;
};

static inline struct ffl_xrcd *to_fxrcd(struct ibv_xrcd *xrcd)
{
	return container_of(xrcd, struct ffl_xrcd, ibxrcd);
}

static inline struct ffl_device *to_fdev(struct ibv_device *d)
{
	return container_of(d, struct ffl_device, ibdev);
}

static inline struct ffl_context *to_fctx(struct ibv_context *c)
{
	return container_of(c, struct ffl_context, vctx.context);
}

static inline struct ffl_pd *to_fpd(struct ibv_pd *pd)
{
	return container_of(pd, struct ffl_pd, ibpd);
}

static inline struct ffl_ah *to_fah(struct ibv_ah *ah)
{
	return container_of(ah, struct ffl_ah, ibah);
}

/* The UD fields of @wqe: @ah's address vector, remote QPN and Q_Key. */
static inline void ffl_ud_address(struct ff_send_wqe *wqe,
				  struct ibv_ah *ah, uint32_t remote_qpn,
				  uint32_t remote_qkey)
{
	const struct ffl_ah *a = to_fah(ah);

	if (a->is_global)
		memcpy(wqe->dgid, a->dgid, sizeof(wqe->dgid));
	wqe->flow_label = a->flow_label;
	wqe->dlid = a->dlid;
	wqe->sl = a->sl;
	wqe->is_global = a->is_global;
	wqe->traffic_class = a->traffic_class;
	wqe->hop_limit = a->hop_limit;
	wqe->remote_qpn = remote_qpn;
	wqe->remote_qkey = remote_qkey;
}

static inline struct ffl_mr *to_fmr(struct ibv_mr *mr)
{
	return container_of(mr, struct ffl_mr, ibmr);
}

static inline struct ffl_cq *to_fcq(struct ibv_cq *cq)
{
	return container_of(cq, struct ffl_cq, ibcq);
}

static inline struct ffl_cq *to_fcqx(struct ibv_cq_ex *cq)
{
	return container_of(cq, struct ffl_cq, ibcqx);
}

static inline struct ffl_channel *to_fch(struct ibv_comp_channel *ch)
{
	return container_of(ch, struct ffl_channel, ch);
}

static inline struct ffl_qp *to_fqp(struct ibv_qp *qp)
{
	return container_of(qp, struct ffl_qp, ibqpx.qp_base);
}

static inline struct ffl_qp *to_fqpx(struct ibv_qp_ex *qp)
{
	return container_of(qp, struct ffl_qp, ibqpx);
}

/*
 * The rings' locks serialize threads that post to (or poll) one queue.  A
 * process with one thread needs none, and a lock's atomic instruction is a
 * full barrier that waits for the last post's stores to reach the router's
 * core: glibc's __libc_single_threaded (true until the first
 * pthread_create, never again after) lets such a process skip it.  Taking
 * and releasing see the same value: no thread starts inside a section.
 */
static inline void ffl_lock(pthread_spinlock_t *lock)
{
	if (!__libc_single_threaded)
		pthread_spin_lock(lock);
}

static inline void ffl_unlock(pthread_spinlock_t *lock)
{
	if (!__libc_single_threaded)
		pthread_spin_unlock(lock);
}

/*
 * The same for a section that spans calls of the app (ibv_wr_start ..
 * ibv_wr_complete, ibv_start_poll .. ibv_end_poll), which may start a
 * thread in between: the release goes by what the taking did.
 */
static inline bool ffl_lock_span(pthread_spinlock_t *lock)
{
	if (__libc_single_threaded)
		return false;
	pthread_spin_lock(lock);
	return true;
}

static inline void ffl_unlock_span(pthread_spinlock_t *lock, bool taken)
{
	if (taken)
		pthread_spin_unlock(lock);
}

/* device.c: one request/reply on the context's socket. */
int ffl_cmd(struct ibv_context *ctx, uint16_t op, const void *req,
	    uint32_t req_len, int fd_in, void *resp, uint32_t resp_len,
	    int *fd_out);

/* verbs.c: create_cq_ex, create_qp_ex; objects the router makes */
int ffl_destroy_handle(struct ibv_context *ctx, uint16_t op, uint32_t handle);
int ffl_destroy_object(struct ibv_context *ctx, uint16_t op, uint32_t handle,
		       struct ff_destroy_resp *resp);
int ffl_map_reply_shm(int *fd, uint64_t size, void **shm);

/* srq.c: shared receive queues, XRC domains */
struct ibv_srq *ffl_create_srq_ex(struct ibv_context *ctx,
				  struct ibv_srq_init_attr_ex *attr);
int ffl_get_srq_num(struct ibv_srq *srq, uint32_t *srq_num);
struct ibv_xrcd *ffl_open_xrcd(struct ibv_context *ctx,
			       struct ibv_xrcd_init_attr *attr);
int ffl_close_xrcd(struct ibv_xrcd *xrcd);
int ffl_post_srq_recv(struct ibv_srq *srq, struct ibv_recv_wr *wr,
		      struct ibv_recv_wr **bad_wr);
void ffl_verbs_ctx_init(struct verbs_context *vctx);

/* datapath.c */
extern const struct ibv_context_ops ffl_ctx_ops;
void ffl_datapath_init(void);
int ffl_post_send(struct ibv_qp *ibqp, struct ibv_send_wr *wr,
		  struct ibv_send_wr **bad_wr);
int ffl_post_recv(struct ibv_qp *ibqp, struct ibv_recv_wr *wr,
		  struct ibv_recv_wr **bad_wr);
int ffl_poll_cq(struct ibv_cq *ibcq, int ne, struct ibv_wc *wc);

/* ibv_cq_ex polling (ibv_start_poll ...) and the read_* of @wc_flags */
void ffl_cqx_init(struct ffl_cq *cq, uint64_t wc_flags);

/*
 * Send WQEs, piece by piece, for ibv_post_send and the ibv_wr_* API
 * alike: begin claims the next SQ slot (not pushed) and fills the header,
 * payload puts the SGEs (gathered inline with @inl and an opcode that
 * carries data) and inline appends bytes; ffl_ring_push() makes it count.
 * Each returns 0 or a positive errno (EINVAL, ENOMEM when full).
 */
bool ffl_opcode_ok(enum ibv_qp_type type, enum ibv_wr_opcode op);
int ffl_sq_begin(struct ffl_qp *qp, uint64_t wr_id, enum ibv_wr_opcode op,
		 unsigned int send_flags, struct ff_send_wqe **wqe);
int ffl_sq_payload(struct ffl_qp *qp, struct ff_send_wqe *wqe,
		   const struct ibv_sge *sg, size_t num_sge, bool inl);
int ffl_sq_inline(struct ffl_qp *qp, struct ff_send_wqe *wqe,
		  const void *addr, size_t length);

/* post_ex.c: the ibv_wr_* API of a QP made with send_ops_flags */
int ffl_qpx_check(enum ibv_qp_type type, uint64_t send_ops_flags);
void ffl_qpx_init(struct ffl_qp *qp);

/*
 * Doorbell (ff_abi.h): after publishing prod, a full fence (or only a
 * compiler barrier when the router issues membarrier), then ring if the
 * router sleeps.  No system call while it spins.
 */
static inline bool ffl_bell_needed(const struct ffl_bell *b)
{
	if (b->fence)
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
	else
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
	return __atomic_load_n(b->sleeping, __ATOMIC_RELAXED) != 0;
}

void ffl_bell_write(int fd);

static inline void ffl_bell_ring(const struct ffl_bell *b)
{
	if (ffl_bell_needed(b))
		ffl_bell_write(b->fd);
}

/*
 * notify.c: the router's notification pipes.  ffl_pipe_check: 0 if @fd is
 * a pipe (FIFO) opened @accmode (O_RDONLY, O_WRONLY), else EPROTO.  The
 * others run under the lock that guards @p: settle takes owed bytes that
 * are there, without blocking; owe adds @bytes to the debt and settles;
 * wait reads one byte as the app's flags say (dropping @lock meanwhile):
 * 0, or -1 and errno (EAGAIN, EINTR, ECONNRESET at end of file).
 */
int ffl_pipe_check(int fd, int accmode);
void ffl_pipe_in_init(struct ffl_pipe_in *p, int fd);
void ffl_pipe_settle(struct ffl_pipe_in *p);
void ffl_pipe_owe(struct ffl_pipe_in *p, int bytes);
int ffl_pipe_wait(struct ffl_pipe_in *p, pthread_mutex_t *lock);

/* events.c: completion channels and CQ events */
int ffl_req_notify_cq(struct ibv_cq *ibcq, int solicited_only);
void ffl_channel_add(struct ffl_channel *ch, struct ffl_cq *cq);
void ffl_channel_del(struct ffl_cq *cq);
void ffl_cq_wait_acks(struct ffl_cq *cq);

/* async.c: asynchronous events (ff_abi.h, "Asynchronous events") */
void ffl_async_init(struct ffl_context *fctx, int fd);
void ffl_async_add(struct ffl_context *fctx, struct ffl_list *list,
		   struct ffl_list *node);
void ffl_async_del(struct ffl_context *fctx, struct ffl_list *node,
		   unsigned int dropped);
void ffl_qp_wait_acks(struct ffl_qp *qp);
void ffl_srq_wait_acks(struct ffl_srq *srq);

/* mem.c: zero-copy backing of registered pages. */
int ffl_mem_reg(uintptr_t start, uintptr_t end, int *memfd);
int ffl_mem_dereg(uintptr_t start, uintptr_t end);
bool ffl_mem_fork_initialized(void);

#endif /* FREEFLOW_FFL_H */
