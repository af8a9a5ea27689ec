/* SPDX-License-Identifier: Apache-2.0 */
/*
 * FreeFlow ABI: the single source of truth for everything the FFL (this
 * library, in the application's process) and the FFR (the router, a Java
 * process) share.
 *
 *  - control messages on the router's Unix SOCK_SEQPACKET sockets;
 *  - the layout of the shared-memory work-queue and completion rings.
 *
 * Every integer is little-endian (x86_64 and aarch64 hosts only) and every
 * struct is naturally aligned with explicit padding, so the Java side can
 * read it at fixed offsets.  The Java mirror is
 * org.freeflow.fastpath.api.Abi; AbiLayoutTest compares it against the
 * offsets printed by native/tests/abi_dump.c, which is built from this
 * header.  Change both or neither, and bump FF_ABI_VERSION.
 */
#ifndef FREEFLOW_FF_ABI_H
#define FREEFLOW_FF_ABI_H

#include <stdint.h>

#define FF_ABI_MAGIC	0x31464646u	/* "FFF1" read as little-endian bytes */
#define FF_ABI_VERSION	8u

/* Largest control message, header included.  A SEQPACKET read of more is an
 * error (the router disconnects the peer). */
#define FF_MSG_MAX	1024u

/* Environment understood by the FFL: the container's socket path (no
 * default: without it the FFL lists no device). */
#define FF_ENV_SOCKET	"FREEFLOW_SOCKET"

/* ------------------------------------------------------------------ */
/* Control plane                                                       */
/* ------------------------------------------------------------------ */

/*
 * Every message (request or reply) is one SEQPACKET datagram:
 * struct ff_hdr followed by hdr.len bytes of payload.  A reply echoes op
 * and seq; status is 0 or a positive errno.  On error the payload is empty,
 * or, on the admin socket, the reason as UTF-8 text, NUL-terminated, at most
 * FF_MSG_REASON_MAX bytes with its NUL (a container's socket never says
 * why).  File descriptors travel as SCM_RIGHTS on the same datagram.
 */
#define FF_MSG_REASON_MAX	256u

struct ff_hdr {
	uint32_t magic;		/*  0: FF_ABI_MAGIC */
	uint16_t version;	/*  4: FF_ABI_VERSION */
	uint16_t op;		/*  6: enum ff_op */
	uint32_t seq;		/*  8: chosen by the requester, echoed */
	int32_t status;		/* 12: replies: 0 or positive errno */
	uint32_t len;		/* 16: payload bytes after this header */
	uint32_t reserved;	/* 20: zero */
};				/* 24 */

enum ff_op {
	/* container socket: one socket per container, made by the router */
	FF_OP_OPEN = 1,		/* ff_open_req -> ff_device_info
				 *   + fd(router page) + fd(doorbell)
				 *   + fd(async events): see "File
				 *   descriptors" below */
	FF_OP_ALLOC_PD = 2,	/* -> ff_handle_resp */
	FF_OP_DEALLOC_PD = 3,	/* ff_handle_req -> - */
	FF_OP_REG_MR = 4,	/* ff_reg_mr_req + fd(process memfd) -> ff_reg_mr_resp */
	FF_OP_DEREG_MR = 5,	/* ff_handle_req -> - */
	FF_OP_CREATE_CQ = 6,	/* ff_create_cq_req -> ff_create_cq_resp
				 *   + fd(ring) */
	FF_OP_DESTROY_CQ = 7,	/* ff_handle_req -> ff_destroy_resp */
	FF_OP_CREATE_QP = 8,	/* ff_create_qp_req -> ff_create_qp_resp + fd(rings) */
	FF_OP_MODIFY_QP = 9,	/* ff_modify_qp_req -> - */
	FF_OP_QUERY_QP = 10,	/* ff_query_qp_req -> ff_query_qp_resp */
	FF_OP_DESTROY_QP = 11,	/* ff_handle_req -> ff_destroy_resp */
	FF_OP_GET_ASYNC_EVENT = 12, /* - -> ff_async_event; EAGAIN: none */
	FF_OP_CREATE_SRQ = 13,	/* ff_create_srq_req -> ff_create_srq_resp
				 *   + fd(ring) */
	FF_OP_MODIFY_SRQ = 14,	/* ff_modify_srq_req -> - */
	FF_OP_QUERY_SRQ = 15,	/* ff_handle_req -> ff_srq_attr */
	FF_OP_DESTROY_SRQ = 16,	/* ff_handle_req -> ff_destroy_resp;
				 *   EBUSY while QPs use it */
	FF_OP_OPEN_XRCD = 17,	/* ff_open_xrcd_req [+ fd(file)] -> ff_handle_resp */
	FF_OP_CLOSE_XRCD = 18,	/* ff_handle_req -> -; EBUSY while this
				 *   context's SRQs or QPs use it */
	FF_OP_QUERY_PORT = 19,	/* ff_handle_req (handle: port_num)
				 *   -> ff_port_attr; EINVAL: no such port */
	FF_OP_CREATE_COMP_CHANNEL = 20, /* - -> ff_handle_resp + fd(channel) */
	FF_OP_DESTROY_COMP_CHANNEL = 21, /* ff_handle_req -> -; EBUSY while
				 *   CQs use it */

	/* admin socket (root only): what an orchestrator or `freeflow lab` says */
	FF_OP_ADMIN_PING = 100,		/* - -> - */
	FF_OP_ADMIN_ADD_CONTAINER = 101,	/* ff_attach_req [+ fd(netns)]
						 *   -> ff_container_info */
	FF_OP_ADMIN_REMOVE_CONTAINER = 102,	/* ff_container_req -> - */
	FF_OP_ADMIN_SET_PORT = 103,	/* ff_port_req -> -; ENOENT: not attached */
	FF_OP_ADMIN_CLUSTER = 104,	/* - -> ff_cluster_info; EAGAIN: the
					 *   orchestrator is not ready */
};

/*
 * File descriptors.  Every fd that crosses a container socket is owned by
 * one side, and whatever the other side does with its copy (reads, writes,
 * fcntl(O_NONBLOCK) either way, close, never reading) cannot block the
 * router: a container loses its own wake-ups, nobody else's.
 *
 *  - router page: a memfd sealed against writable mappings, growing and
 *    shrinking (map it read-only).
 *  - doorbell (OPEN, one per context): the writing end of a pipe whose
 *    reading end only the router holds, non-blocking on its side.  The FFL
 *    writes one byte to ring it.
 *  - async events (OPEN) and completion channels (CREATE_COMP_CHANNEL):
 *    the reading end of a pipe whose writing end only the router holds,
 *    non-blocking on its side; the router writes one byte per
 *    notification (below) and never blocks: a full pipe loses that byte.
 *  - rings (CREATE_CQ, CREATE_QP, CREATE_SRQ): memfds sealed against
 *    shrinking and growing.
 *  - what the FFL sends: REG_MR's process memfd (a tmpfs memfd sealed
 *    F_SEAL_SHRINK, else EINVAL) and OPEN_XRCD's file (any fd; the router
 *    reads its inode).  An fd riding along a request that takes none, or
 *    more fds than it takes, is closed and the request refused (EINVAL).
 */

struct ff_open_req {
	uint32_t pid;		/*  0 */
	uint32_t reserved;	/*  4 */
	char comm[16];		/*  8: program name, for the router's tables */
};				/* 24 */

/* Everything ibv_query_device / ibv_query_port / ibv_query_gid report.  The
 * FFL caches it for the life of the context, except the port's state, which
 * an operator may change (FF_OP_ADMIN_SET_PORT): ibv_query_port asks the
 * router for it (FF_OP_QUERY_PORT). */
struct ff_device_info {
	char name[64];			/*   0: ibv device name */
	char fw_ver[64];		/*  64 */
	uint64_t node_guid;		/* 128: network byte order, as in ibv */
	uint64_t sys_image_guid;	/* 136: network byte order */
	uint64_t max_mr_size;		/* 144 */
	uint64_t page_size_cap;		/* 152 */
	uint32_t vendor_id;		/* 160 */
	uint32_t vendor_part_id;	/* 164 */
	uint32_t hw_ver;		/* 168 */
	uint32_t max_qp;		/* 172 */
	uint32_t max_qp_wr;		/* 176 */
	uint32_t max_sge;		/* 180 */
	uint32_t max_cq;		/* 184 */
	uint32_t max_cqe;		/* 188 */
	uint32_t max_mr;		/* 192 */
	uint32_t max_pd;		/* 196 */
	uint32_t max_qp_rd_atom;	/* 200 */
	uint32_t max_qp_init_rd_atom;	/* 204 */
	uint32_t max_srq;		/* 208 */
	uint32_t max_srq_wr;		/* 212 */
	uint32_t max_srq_sge;		/* 216 */
	uint32_t max_ah;		/* 220 */
	uint32_t max_inline_data;	/* 224 */
	uint32_t atomic_cap;		/* 228: enum ibv_atomic_cap */
	uint32_t port_cap_flags;	/* 232 */
	uint32_t max_msg_sz;		/* 236 */
	uint16_t lid;			/* 240: this container's LID */
	uint16_t sm_lid;		/* 242 */
	uint8_t port_state;		/* 244: enum ibv_port_state */
	uint8_t max_mtu;		/* 245: enum ibv_mtu */
	uint8_t active_mtu;		/* 246: enum ibv_mtu */
	uint8_t link_layer;		/* 247: IBV_LINK_LAYER_* */
	uint8_t active_width;		/* 248 */
	uint8_t active_speed;		/* 249 */
	uint8_t phys_state;		/* 250 */
	uint8_t reserved0;		/* 251 */
	uint16_t gid_tbl_len;		/* 252 */
	uint16_t pkey_tbl_len;		/* 254 */
	uint8_t gid[16];		/* 256: GID index 0 */
	uint32_t vip;			/* 272: virtual IPv4, network order */
	uint32_t reserved1;		/* 276 */
	char container[64];		/* 280: container name */
	uint64_t hca_core_clock;	/* 344: kHz of the completion clock */
	uint64_t completion_timestamp_mask; /* 352: its valid bits */
};					/* 360 */

struct ff_handle_req {
	uint32_t handle;	/* 0 */
	uint32_t reserved;	/* 4 */
};				/* 8 */

struct ff_handle_resp {
	uint32_t handle;	/* 0 */
	uint32_t reserved;	/* 4 */
};				/* 8 */

/*
 * Memory registration.  The FFL backs every registered page with one
 * process-wide memfd at file offset == virtual address (the file is sparse,
 * FF_MEMFD_SIZE long, sealed F_SEAL_SHRINK), so pages shared by several
 * registrations share one backing.  The memfd rides along as SCM_RIGHTS on
 * every REG_MR; the router maps [page_start, page_end) of it.
 */
#define FF_MEMFD_SIZE	(1ull << 47)

struct ff_reg_mr_req {
	uint32_t pd_handle;	/*  0 */
	uint32_t access;	/*  4: IBV_ACCESS_* as passed by the app */
	uint64_t addr;		/*  8: start of the buffer in the app */
	uint64_t length;	/* 16 */
	uint64_t iova;		/* 24: address remote peers use */
};				/* 32 */

struct ff_reg_mr_resp {
	uint32_t handle;	/*  0 */
	uint32_t lkey;		/*  4 */
	uint32_t rkey;		/*  8 */
	uint32_t reserved;	/* 12 */
};				/* 16 */

struct ff_create_cq_req {
	uint32_t cqe;		/*  0: entries asked for */
	uint32_t comp_vector;	/*  4 */
	uint32_t channel;	/*  8: a completion channel's handle
				 *     (CREATE_COMP_CHANNEL), 0: none */
	uint32_t flags;		/* 12: FF_CQ_F_* */
};				/* 16 */

/*
 * FF_CQ_F_TIMESTAMP: the router writes ff_cqe.timestamp, its CLOCK_MONOTONIC
 * in ns when it produced the entry (ff_device_info.hca_core_clock is then
 * 1000000 kHz); other CQs leave it 0.
 */
#define FF_CQ_F_TIMESTAMP	1u

struct ff_create_cq_resp {
	uint32_t handle;	/*  0 */
	uint32_t cqe;		/*  4: entries granted (ring slots) */
	uint64_t shm_size;	/*  8: bytes of the ring memfd to map */
};				/* 16 */

struct ff_qp_cap {
	uint32_t max_send_wr;		/*  0 */
	uint32_t max_recv_wr;		/*  4 */
	uint32_t max_send_sge;		/*  8 */
	uint32_t max_recv_sge;		/* 12 */
	uint32_t max_inline_data;	/* 16 */
	uint32_t reserved;		/* 20 */
};					/* 24 */

/*
 * XRC (ibv_create_qp_ex): an IBV_QPT_XRC_SEND QP (initiator) has a PD, a
 * send CQ and a send queue only (recv_cq 0, no receives); an
 * IBV_QPT_XRC_RECV QP (target) has an XRC domain and nothing else
 * (pd_handle, send_cq, recv_cq 0; no queues: posting to it is EINVAL).
 */
struct ff_create_qp_req {
	uint32_t pd_handle;	/*  0: 0 for XRC_RECV */
	uint32_t send_cq;	/*  4: CQ handle */
	uint32_t recv_cq;	/*  8: CQ handle, 0 for XRC QPs */
	uint32_t srq;		/* 12: SRQ handle, 0 = none */
	uint32_t qp_type;	/* 16: enum ibv_qp_type */
	uint32_t sq_sig_all;	/* 20 */
	struct ff_qp_cap cap;	/* 24 */
	uint32_t xrcd;		/* 48: XRC_RECV: XRCD handle; else 0 */
	uint32_t reserved;	/* 52 */
};				/* 56 */

struct ff_create_qp_resp {
	uint32_t handle;	/*  0 */
	uint32_t qp_num;	/*  4: 24-bit, unique */
	struct ff_qp_cap cap;	/*  8: granted */
	uint64_t shm_size;	/* 32: bytes of the ring memfd to map */
};				/* 40 */

/*
 * Shared receive queues.  An SRQ is a router-made memfd (ff_srq_shm): a
 * header page, then a receive queue whose slots have the layout of a QP's
 * (ff_recv_wqe + ff_sge[]).  The FFL produces; the router's responders of
 * every QP created with the SRQ consume, under the SRQ's own lock.  A QP
 * with an SRQ gets no receive queue of its own (cap.max_recv_wr 0).
 *
 * srq_limit (ignored by CREATE_SRQ, as by ibv_create_srq): armed by
 * FF_OP_MODIFY_SRQ with IBV_SRQ_LIMIT and a nonzero
 * limit; when the router takes a receive and fewer than srq_limit stay
 * posted, it raises IBV_EVENT_SRQ_LIMIT_REACHED (FF_ASYNC_SRQ) once and
 * disarms (srq_limit reads 0 again).  IBV_SRQ_MAX_WR (resize) is
 * EOPNOTSUPP.
 */
struct ff_srq_attr {
	uint32_t max_wr;	/*  0 */
	uint32_t max_sge;	/*  4 */
	uint32_t srq_limit;	/*  8 */
	uint32_t reserved;	/* 12 */
};				/* 16 */

struct ff_create_srq_req {
	uint32_t pd_handle;	/*  0 */
	uint32_t srq_type;	/*  4: IBV_SRQT_BASIC or IBV_SRQT_XRC */
	struct ff_srq_attr attr; /*  8 */
	uint32_t xrcd;		/* 24: XRC: XRCD handle; else 0 */
	uint32_t cq;		/* 28: XRC: the CQ its receives complete on */
};				/* 32 */

struct ff_create_srq_resp {
	uint32_t handle;	/*  0 */
	uint32_t srq_num;	/*  4: 24-bit, unique in the container */
	struct ff_srq_attr attr; /*  8: granted */
	uint64_t shm_size;	/* 24: bytes of the ring memfd to map */
};				/* 32 */

/*
 * XRC domains (ibv_open_xrcd).  One per container and file: every process
 * of a container that opens the XRC domain of the same file (the inode of
 * the fd that rides along, which the router stats itself) shares it, and
 * with it the XRC SRQs made in it; with file 0 (the app's fd was -1) the
 * domain is new and private to the caller.  flags carry the app's oflags:
 * FF_XRCD_CREATE (O_CREAT) makes a domain for a file that has none;
 * FF_XRCD_CREATE | FF_XRCD_EXCL (O_EXCL) fails (EINVAL, as Linux) when the
 * file has one; without FF_XRCD_CREATE a file without one is EINVAL.
 *
 * An XRC initiator's work request names an SRQ of the target's domain
 * (ff_send_wqe.remote_srqn): the message lands in that SRQ's receives,
 * completes on its CQ (wc.qp_num: the target QP), and remote memory access
 * is checked against its PD.  An SRQ number the domain does not have is
 * IBV_WC_REM_INV_REQ_ERR.
 */
#define FF_XRCD_CREATE	1u
#define FF_XRCD_EXCL	2u

struct ff_open_xrcd_req {
	uint32_t flags;		/*  0: FF_XRCD_* */
	uint32_t file;		/*  4: 1: the file's fd rides along; 0: none */
};				/*  8 */

struct ff_modify_srq_req {
	uint32_t handle;	/*  0 */
	uint32_t attr_mask;	/*  4: IBV_SRQ_* */
	struct ff_srq_attr attr; /*  8 */
};				/* 24 */

/* Address vector, as struct ibv_ah_attr with its GRH flattened. */
struct ff_ah_attr {
	uint8_t dgid[16];	/*  0 */
	uint32_t flow_label;	/* 16 */
	uint8_t sgid_index;	/* 20 */
	uint8_t hop_limit;	/* 21 */
	uint8_t traffic_class;	/* 22 */
	uint8_t is_global;	/* 23 */
	uint16_t dlid;		/* 24 */
	uint8_t sl;		/* 26 */
	uint8_t src_path_bits;	/* 27 */
	uint8_t static_rate;	/* 28 */
	uint8_t port_num;	/* 29 */
	uint16_t reserved;	/* 30 */
};				/* 32 */

/* struct ibv_qp_attr, the fields FreeFlow keeps, at fixed offsets. */
struct ff_qp_attr {
	uint32_t qp_state;		/*  0: enum ibv_qp_state */
	uint32_t cur_qp_state;		/*  4 */
	uint32_t path_mtu;		/*  8: enum ibv_mtu */
	uint32_t qp_access_flags;	/* 12 */
	uint32_t qkey;			/* 16 */
	uint32_t rq_psn;		/* 20 */
	uint32_t sq_psn;		/* 24 */
	uint32_t dest_qp_num;		/* 28 */
	struct ff_qp_cap cap;		/* 32 */
	struct ff_ah_attr ah_attr;	/* 56 */
	uint16_t pkey_index;		/* 88 */
	uint8_t port_num;		/* 90 */
	uint8_t max_rd_atomic;		/* 91 */
	uint8_t max_dest_rd_atomic;	/* 92 */
	uint8_t min_rnr_timer;		/* 93 */
	uint8_t timeout;		/* 94 */
	uint8_t retry_cnt;		/* 95 */
	uint8_t rnr_retry;		/* 96 */
	uint8_t sq_draining;		/* 97: query: SQD, WRs still running */
	uint8_t en_sqd_async_notify;	/* 98: modify to SQD: raise SQ_DRAINED */
	uint8_t reserved;		/* 99 */
	uint32_t reserved2;		/* 100 */
};					/* 104 */

struct ff_modify_qp_req {
	uint32_t handle;		/*   0 */
	uint32_t attr_mask;		/*   4: IBV_QP_* */
	struct ff_qp_attr attr;		/*   8 */
};					/* 112 */

struct ff_query_qp_req {
	uint32_t handle;		/* 0 */
	uint32_t attr_mask;		/* 4 */
};					/* 8 */

struct ff_query_qp_resp {
	struct ff_qp_attr attr;		/*   0 */
	uint32_t qp_type;		/* 104 */
	uint32_t sq_sig_all;		/* 108 */
};					/* 112 */

/*
 * Asynchronous events (ibv_get_async_event).  The OPEN reply's third fd is
 * the reading end of the context's async pipe (blocking: the app decides
 * with O_NONBLOCK); the FFL hands it to the app as ctx->async_fd.  One
 * byte in it per event the router holds for the context:
 *
 *   router: queue the event; write one byte
 *   FFL:    read one byte (blocks, or EAGAIN if the app made the fd
 *           non-blocking); FF_OP_GET_ASYNC_EVENT fetches the oldest
 *
 * so the fd is readable exactly while an event is pending.  The router
 * holds at most one event per (object, type): a second one while the first
 * is unread is the same news and is not queued (nor counted).  That bounds
 * the queue by the objects' count and nothing is ever dropped for room
 * (the pipe holds more bytes than a context can have objects).  Destroying
 * an object drops its unread events; the destroy reply says how many
 * (ff_destroy_resp), and the FFL takes that many bytes off the fd without
 * blocking.  Produced for CQs: IBV_EVENT_CQ_ERR when the CQ overran (a
 * completion found it full for longer than the completing QP's transport
 * timeout x (retry_cnt + 1)); the CQ then takes no more entries and every
 * QP on it moves to ERR.
 */
enum ff_async_element {
	FF_ASYNC_QP = 1,	/* handle: a QP handle (ibv_async_event.element.qp) */
	FF_ASYNC_CQ = 2,	/* handle: a CQ handle */
	FF_ASYNC_SRQ = 3,	/* handle: an SRQ handle */
	FF_ASYNC_PORT = 4,	/* handle: port_num */
	FF_ASYNC_DEVICE = 5,	/* handle: 0 */
};

struct ff_async_event {
	uint32_t event_type;	/*  0: enum ibv_event_type */
	uint32_t element;	/*  4: enum ff_async_element */
	uint32_t handle;	/*  8 */
	uint32_t reserved;	/* 12 */
};				/* 16 */

/*
 * The virtual port.  An operator takes a container's port down and up
 * (FF_OP_ADMIN_SET_PORT; the router's shell: freeflow:port).  Down: every
 * context of the container gets IBV_EVENT_PORT_ERR (FF_ASYNC_PORT, handle
 * 1), its port reads IBV_PORT_DOWN, and no message leaves or reaches its
 * QPs (requesters see an unreachable peer: RC retries, then
 * IBV_WC_RETRY_EXC_ERR; UC and UD messages are lost).  Up: IBV_EVENT_PORT_ACTIVE
 * and traffic again.  At most one unread event per type is queued; a newer
 * one moves it to the end of the queue, so the last port event a context
 * reads is the port's state.
 */
struct ff_port_attr {
	uint8_t port_state;	/* 0: enum ibv_port_state */
	uint8_t phys_state;	/* 1: 5 LinkUp, 3 Disabled */
	uint16_t reserved0;	/* 2 */
	uint32_t reserved1;	/* 4 */
};				/* 8 */

struct ff_destroy_resp {
	uint32_t events_dropped;	/* 0: unread async events discarded */
	uint32_t reserved;		/* 4 */
};					/* 8 */

/* admin socket */
struct ff_container_req {
	char name[64];		/*   0: DNS-label-like: [a-z0-9][a-z0-9-]{0,62} */
	char tenant[64];	/*  64: "" = "default" */
};				/* 128 */

/*
 * Who a container is.  Its socket admits a connection only from a process
 * that matches every part given (SO_PEERCRED of the connection, then
 * /proc/<pid> of the peer): its network namespace (the inode of the nsfs
 * fd that rides along with FF_IDENTITY_NETNS), its cgroup (v2 path,
 * equal or below), its uid and gid.  At least a network namespace or a
 * cgroup must be given (EINVAL otherwise).  With FF_IDENTITY_UID the
 * socket is owned by that uid and has mode 0600 (0660 with a gid too), so
 * other users cannot even connect; without it, mode 0666.
 */
#define FF_IDENTITY_NETNS	1u
#define FF_IDENTITY_CGROUP	2u
#define FF_IDENTITY_UID		4u
#define FF_IDENTITY_GID		8u

struct ff_container_identity {
	uint32_t flags;		/*   0: FF_IDENTITY_* */
	uint32_t uid;		/*   4 */
	uint32_t gid;		/*   8 */
	uint32_t reserved;	/*  12 */
	char cgroup[256];	/*  16: "/..." as in /proc/<pid>/cgroup */
};				/* 272 */

struct ff_attach_req {
	struct ff_container_req container;	/*   0 */
	struct ff_container_identity identity;	/* 128 */
};						/* 400 */

struct ff_port_req {
	char name[64];		/*  0: container */
	uint32_t port_state;	/* 64: IBV_PORT_DOWN or IBV_PORT_ACTIVE */
	uint32_t reserved;	/* 68 */
};				/* 72 */

/* FF_OP_ADMIN_CLUSTER: the orchestrator's cluster as this router sees it */
struct ff_cluster_info {
	uint64_t topology_version;	/*  0: grows with every join and leave */
	uint32_t servers;		/*  8: server nodes in the cluster */
	uint32_t hosts_running;		/* 12: HOSTS rows in state RUNNING */
	uint32_t hosts_lost;		/* 16: HOSTS rows in state LOST */
	uint32_t host_registered;	/* 20: 1 once this router's host row is */
};					/* 24 */

struct ff_container_info {
	char name[64];		/*   0 */
	char tenant[64];	/*  64 */
	char socket_path[108];	/* 128: the container's socket (sun_path) */
	uint16_t lid;		/* 236 */
	uint8_t prefix_len;	/* 238: of the virtual network */
	uint8_t reserved0;	/* 239 */
	uint32_t vip;		/* 240: virtual IPv4, network order */
	uint32_t reserved1;	/* 244 */
	uint8_t gid[16];	/* 248 */
};				/* 264 */

/* ------------------------------------------------------------------ */
/* Data plane: shared-memory rings                                     */
/* ------------------------------------------------------------------ */

/*
 * A ring's indices are free-running 32-bit counters; slot = index & (slots-1)
 * and slots is a power of two.  The producer writes the entry, then stores
 * prod with release semantics; the consumer loads prod with acquire
 * semantics, reads the entry, then stores cons with release semantics.
 * prod and cons live on separate cache lines.
 */
struct ff_ring_ctrl {
	uint32_t prod;		/*   0 */
	uint32_t pad0[15];	/*   4 */
	uint32_t cons;		/*  64 */
	uint32_t pad1[15];	/*  68 */
};				/* 128 */

#define FF_SHM_HDR_SIZE	4096u	/* entries start on the second page */

/*
 * Doorbells.  The OPEN reply carries the router page (a memfd of
 * FF_ROUTER_SHM_SIZE bytes, sealed against writable mappings: map it
 * read-only) and the context's doorbell (the writing end of a pipe).
 * While a poller sleeps, router page .sleeping is nonzero and new work must
 * ring the doorbell:
 *
 *   FFL:    publish prod (release); full fence; if (sleeping) write one byte
 *   router: sleeping = 1; full fence; look at every ring once more;
 *           nothing -> block on the doorbell; woken -> sleeping = 0
 *
 * The two full fences make the pair safe: either the router sees the new
 * prod, or the FFL sees sleeping and rings.  An FFL that rings while the
 * router spins costs one syscall and nothing else.
 *
 * The FFL's fence stalls every post behind the stores to the rings, whose
 * cache lines the router's core holds.  A router page with barrier ==
 * FF_BARRIER_MEMBARRIER moves that cost to the rare side: after setting
 * sleeping the router calls membarrier(MEMBARRIER_CMD_GLOBAL_EXPEDITED),
 * which runs a full barrier on every CPU that runs a thread of a process
 * registered with MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED.  An FFL that
 * registered needs only a compiler barrier between publishing prod and
 * reading sleeping; one that could not register keeps its fence (still
 * safe: the router's side is a full barrier too).  The router may nap
 * (block with a short timeout) between its last look and the membarrier:
 * the membarrier precedes only a block without such a timeout.
 */
#define FF_ROUTER_SHM_SIZE	4096u

enum ff_channel_mode {
	FF_MODE_FASTPATH = 0,	/* pollers spin (and yield) */
	FF_MODE_LOWCPU = 1,	/* pollers sleep whenever they find no work */
	FF_MODE_ADAPTIVE = 2,	/* spin while busy, sleep after an idle spell */
};

enum ff_router_barrier {
	FF_BARRIER_FENCE = 0,		/* the FFL fences before reading sleeping */
	FF_BARRIER_MEMBARRIER = 1,	/* the router issues membarrier (above) */
};

struct ff_router_shm {
	uint32_t sleeping;	/*  0: nonzero while a poller sleeps */
	uint32_t mode;		/*  4: enum ff_channel_mode (diagnostics) */
	uint32_t barrier;	/*  8: enum ff_router_barrier, set before any OPEN */
	uint32_t reserved[13];	/* 12 */
};				/* 64 */

/*
 * QP memfd: header page, then the send queue, then the receive queue.
 *   sq entries at sq_offset, sq_slots * sq_slot_size bytes
 *   rq entries at rq_offset, rq_slots * rq_slot_size bytes
 * The FFL produces on both queues; the router consumes.
 */
struct ff_qp_shm {
	struct ff_ring_ctrl sq;		/*   0 */
	struct ff_ring_ctrl rq;		/* 128 */
	uint32_t sq_slots;		/* 256 */
	uint32_t sq_slot_size;		/* 260 */
	uint32_t rq_slots;		/* 264 */
	uint32_t rq_slot_size;		/* 268 */
	uint64_t sq_offset;		/* 272 */
	uint64_t rq_offset;		/* 280 */
	uint32_t qp_num;		/* 288 */
	uint32_t state;			/* 292: router's mirror of the QP state */
	uint32_t doorbell;		/* 296: reserved for sleeping pollers */
	uint32_t reserved;		/* 300 */
};					/* 304 */

/* SRQ memfd: header page, then slots * slot_size bytes at offset. */
struct ff_srq_shm {
	struct ff_ring_ctrl rq;		/*   0 */
	uint32_t slots;			/* 128 */
	uint32_t slot_size;		/* 132 */
	uint64_t offset;		/* 136 */
};					/* 144 */

struct ff_sge {
	uint64_t addr;		/*  0 */
	uint32_t length;	/*  8 */
	uint32_t lkey;		/* 12 */
};				/* 16 */

/*
 * Send-queue slot: this header, then either num_sge ff_sge or, with
 * IBV_SEND_INLINE, inline_len bytes of data gathered by the FFL.
 *
 * UD: the FFL copies the address handle's address vector into every WQE
 * (as an HCA's datagram segment), so the router keeps no AH table: dlid,
 * sl, and with is_global the GRH fields; dgid shares the bytes of the
 * atomics' operands, which UD has no use for.  XRC_SEND: remote_srqn (the
 * XRCETH of the wire protocol) shares remote_qpn's bytes.
 */
struct ff_send_wqe {
	uint64_t wr_id;		/*  0 */
	uint32_t opcode;	/*  8: enum ibv_wr_opcode */
	uint32_t send_flags;	/* 12: IBV_SEND_* */
	uint32_t imm_data;	/* 16: as the app wrote it (network order) */
	uint32_t num_sge;	/* 20 */
	uint64_t remote_addr;	/* 24 */
	uint32_t rkey;		/* 32 */
	uint32_t inline_len;	/* 36 */
	union {
		struct {
			uint64_t compare_add;	/* 40: atomics */
			uint64_t swap;		/* 48 */
		};
		uint8_t dgid[16];	/* 40: UD, is_global: destination GID */
	};
	union {
		uint32_t remote_qpn;	/* 56: UD */
		uint32_t remote_srqn;	/* 56: XRC_SEND: SRQ of the target */
	};
	uint32_t remote_qkey;	/* 60: UD; high bit set: the QP's own qkey */
	uint32_t flow_label;	/* 64: UD, is_global (20 bits) */
	uint16_t dlid;		/* 68: UD */
	uint8_t sl;		/* 70: UD */
	uint8_t is_global;	/* 71: UD: a GRH goes with the message */
	uint8_t traffic_class;	/* 72: UD, is_global */
	uint8_t hop_limit;	/* 73: UD, is_global */
	uint8_t reserved[6];	/* 74 */
};				/* 80, then the sge array or inline data */

/* Receive-queue slot: this header, then num_sge ff_sge. */
struct ff_recv_wqe {
	uint64_t wr_id;		/*  0 */
	uint32_t num_sge;	/*  8 */
	uint32_t reserved;	/* 12 */
};				/* 16 */

/*
 * CQ memfd: header page, then slots * FF_CQE_SIZE bytes of entries.  The
 * router produces, the FFL consumes.  An entry's first 48 bytes have the
 * layout of struct ibv_wc, so poll_cq is a copy.
 *
 * Completion events (a CQ created with a channel): ibv_req_notify_cq stores
 * armed (FF_CQ_ARM_NEXT or FF_CQ_ARM_SOLICITED) with a full fence.  The
 * router, after publishing an entry, full fence, reads armed; when it
 * matches (NEXT: any entry; SOLICITED: a receive of a solicited message or
 * any error) and the router's exchange of armed to 0 succeeds, it
 * exchanges notified to 1 and, when it was 0, writes one byte to the
 * channel's pipe: one byte per notified CQ.  ibv_get_cq_event takes a CQ
 * of the channel whose notified it exchanges from 1 to 0, with its byte;
 * when there is none it reads a byte (blocking unless the app made the fd
 * non-blocking) and looks again.
 */
#define FF_CQ_ARM_NONE		0u
#define FF_CQ_ARM_NEXT		1u
#define FF_CQ_ARM_SOLICITED	2u

struct ff_cq_shm {
	struct ff_ring_ctrl ring;	/*   0 */
	uint32_t slots;			/* 128 */
	uint32_t entry_size;		/* 132: FF_CQE_SIZE */
	uint32_t armed;			/* 136: FF_CQ_ARM_* (FFL sets, router clears) */
	uint32_t notified;		/* 140: router sets, FFL clears */
};					/* 144 */

#define FF_CQE_SIZE	64u

struct ff_cqe {
	uint64_t wr_id;		/*  0 */
	uint32_t status;	/*  8: enum ibv_wc_status */
	uint32_t opcode;	/* 12: enum ibv_wc_opcode */
	uint32_t vendor_err;	/* 16 */
	uint32_t byte_len;	/* 20 */
	uint32_t imm_data;	/* 24 */
	uint32_t qp_num;	/* 28 */
	uint32_t src_qp;	/* 32 */
	uint32_t wc_flags;	/* 36 */
	uint16_t pkey_index;	/* 40 */
	uint16_t slid;		/* 42 */
	uint8_t sl;		/* 44 */
	uint8_t dlid_path_bits;	/* 45 */
	uint16_t reserved0;	/* 46 */
	uint64_t timestamp;	/* 48: FF_CQ_F_TIMESTAMP CQs only */
	uint8_t reserved1[8];	/* 56 */
};				/* 64 */

#endif /* FREEFLOW_FF_ABI_H */
