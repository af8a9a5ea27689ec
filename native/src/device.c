// SPDX-License-Identifier: Apache-2.0
/*
 * Device discovery, contexts and the query verbs.
 *
 * The router is the device: ibv_get_device_list asks it over the socket
 * named by FREEFLOW_SOCKET (no default: without it there is no device)
 * what the container's virtual NIC looks like; every context opens its
 * own connection (cmd_fd) and caches that answer, which all the query
 * verbs report from.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/membarrier.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ffl.h"

static pthread_mutex_t dev_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ffl_device *dev_cached;	/* lives as long as the process */

static void close_fds(int *fds, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
		fds[i] = -1;
	}
}

/* The container's socket, or NULL when FREEFLOW_SOCKET names none. */
static const char *socket_path(void)
{
	const char *p = getenv(FF_ENV_SOCKET);

	return p && *p ? p : NULL;
}

/*
 * FF_OP_OPEN on @sock; returns 0 or a positive errno.  The reply carries
 * the router page, the doorbell and the async pipe, in that order: they
 * land in @fds (closed again on failure); a reply without them is EPROTO.
 */
static int router_open(int sock, uint32_t seq, struct ff_device_info *info,
		       int fds[3])
{
	struct ff_open_req req = { .pid = (uint32_t)getpid() };
	int err;

	strncpy(req.comm, program_invocation_short_name,
		sizeof(req.comm) - 1);
	err = ff_msg_call_fds(sock, FF_OP_OPEN, seq, &req, sizeof(req), -1,
			      info, sizeof(*info), fds, 3);
	if (err)
		return err;
	info->name[sizeof(info->name) - 1] = 0;
	info->fw_ver[sizeof(info->fw_ver) - 1] = 0;
	info->container[sizeof(info->container) - 1] = 0;
	if (!info->name[0] || fds[0] < 0 || fds[1] < 0 || fds[2] < 0) {
		close_fds(fds, 3);
		return EPROTO;
	}
	return 0;
}

/*
 * The doorbell and the async fd of an OPEN reply (ff_abi.h, "File
 * descriptors"): the writing end of a pipe, made non-blocking here (a ring
 * must never block the app; the router reads its end without blocking
 * either), and the reading end of a pipe, left as it came (blocking: the
 * app decides).  Anything else is EPROTO.
 */
static int check_open_fds(int doorbell, int async_fd)
{
	int fl;

	if (ffl_pipe_check(doorbell, O_WRONLY) ||
	    ffl_pipe_check(async_fd, O_RDONLY))
		return EPROTO;
	fl = fcntl(doorbell, F_GETFL);
	if (fl < 0 || (!(fl & O_NONBLOCK) &&
		       fcntl(doorbell, F_SETFL, fl | O_NONBLOCK) < 0))
		return errno;
	return 0;
}

/* Maps the router page of an OPEN reply read-only. */
static int map_router_page(int fd, struct ff_router_shm **page)
{
	struct stat st;
	void *p;

	if (fstat(fd, &st) < 0)
		return errno;
	/* smaller would SIGBUS on access; the router seals it at this size */
	if (!S_ISREG(st.st_mode) || st.st_size < (off_t)FF_ROUTER_SHM_SIZE)
		return EPROTO;
	p = mmap(NULL, FF_ROUTER_SHM_SIZE, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return errno;
	*page = p;
	return 0;
}

/*
 * True when the router's membarrier stands in for our doorbell fence
 * (ff_abi.h, "Doorbells"): the router says it issues one, and this process
 * is registered for it.  Registering again is harmless.
 */
static bool membarrier_pairs(const struct ff_router_shm *page)
{
	if (__atomic_load_n(&page->barrier, __ATOMIC_ACQUIRE) !=
	    FF_BARRIER_MEMBARRIER)
		return false;
	return syscall(__NR_membarrier,
		       MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED, 0, 0) == 0;
}

static void fill_ibdev(struct ffl_device *dev)
{
	struct ibv_device *d = &dev->ibdev;

	d->node_type = IBV_NODE_CA;
	d->transport_type = IBV_TRANSPORT_IB;
	snprintf(d->name, sizeof(d->name), "%s", dev->info.name);
	snprintf(d->dev_name, sizeof(d->dev_name), "uverbs0");
	snprintf(d->dev_path, sizeof(d->dev_path),
		 "/sys/class/infiniband_verbs/uverbs0");
	snprintf(d->ibdev_path, sizeof(d->ibdev_path),
		 "/sys/class/infiniband/%s", dev->info.name);
}

FF_EXPORT struct ibv_device **ibv_get_device_list(int *num_devices)
{
	struct ff_device_info info;
	struct ibv_device **list;
	const char *path = socket_path();
	int sock, err, fds[3];

	if (num_devices)
		*num_devices = 0;
	list = calloc(2, sizeof(*list));
	if (!list) {
		errno = ENOMEM;
		return NULL;
	}
	if (!path) {
		errno = ENOENT;	/* no socket named: no device */
		return list;
	}

	sock = ff_msg_connect(path);
	if (sock < 0) {
		errno = -sock;
		return list;
	}
	err = router_open(sock, 1, &info, fds);
	close(sock);
	close_fds(fds, 3);	/* a probe: the contexts get their own */
	if (err) {
		errno = err;
		return list;
	}

	pthread_mutex_lock(&dev_lock);
	if (!dev_cached)
		dev_cached = calloc(1, sizeof(*dev_cached));
	if (dev_cached) {
		dev_cached->info = info;
		snprintf(dev_cached->socket, sizeof(dev_cached->socket), "%s",
			 path);
		fill_ibdev(dev_cached);
		list[0] = &dev_cached->ibdev;
	}
	pthread_mutex_unlock(&dev_lock);

	if (!list[0]) {
		errno = ENOMEM;
		return list;
	}
	if (num_devices)
		*num_devices = 1;
	return list;
}

FF_EXPORT void ibv_free_device_list(struct ibv_device **list)
{
	free(list);	/* devices stay valid: open contexts use them */
}

FF_EXPORT const char *ibv_get_device_name(struct ibv_device *device)
{
	return device->name;
}

FF_EXPORT __be64 ibv_get_device_guid(struct ibv_device *device)
{
	return (__be64)to_fdev(device)->info.node_guid;
}

FF_EXPORT int ibv_get_device_index(struct ibv_device *device)
{
	(void)device;
	return 0;
}

static int ffl_query_port(struct ibv_context *ctx, uint8_t port,
			  struct ibv_port_attr *attr, size_t attr_len);
static int ffl_query_device_ex(struct ibv_context *ctx,
			       const struct ibv_query_device_ex_input *input,
			       struct ibv_device_attr_ex *attr,
			       size_t attr_len);

FF_EXPORT struct ibv_context *ibv_open_device(struct ibv_device *device)
{
	struct ffl_device *dev = to_fdev(device);
	struct ffl_context *fctx;
	struct ibv_context *ctx;
	int sock, err, fds[3];

	fctx = calloc(1, sizeof(*fctx));
	if (!fctx) {
		errno = ENOMEM;
		return NULL;
	}
	ctx = &fctx->vctx.context;
	ctx->cmd_fd = -1;
	ctx->async_fd = -1;
	fctx->bell.fd = -1;

	sock = ff_msg_connect(dev->socket);
	if (sock < 0) {
		err = -sock;
		goto err_free;
	}
	ctx->cmd_fd = sock;
	fctx->seq = 1;
	err = router_open(sock, fctx->seq++, &fctx->info, fds);
	if (err)
		goto err_close;
	fctx->bell.fd = fds[1];
	ctx->async_fd = fds[2];
	err = check_open_fds(fctx->bell.fd, ctx->async_fd);
	if (!err)
		err = map_router_page(fds[0], &fctx->router);
	close(fds[0]);
	if (err)
		goto err_close;
	fctx->bell.sleeping = &fctx->router->sleeping;
	fctx->bell.fence = !membarrier_pairs(fctx->router);
	ffl_async_init(fctx, ctx->async_fd);

	pthread_mutex_init(&fctx->cmd_lock, NULL);
	pthread_mutex_init(&ctx->mutex, NULL);
	ctx->device = device;
	ctx->ops = ffl_ctx_ops;
	ctx->num_comp_vectors = 1;
	ctx->abi_compat = __VERBS_ABI_IS_EXTENDED;
	fctx->vctx.sz = sizeof(struct verbs_context);
	fctx->vctx.query_port = ffl_query_port;
	fctx->vctx.query_device_ex = ffl_query_device_ex;
	ffl_verbs_ctx_init(&fctx->vctx);
	ffl_datapath_init();
	return ctx;

err_close:
	if (fctx->bell.fd >= 0)
		close(fctx->bell.fd);
	if (ctx->async_fd >= 0)
		close(ctx->async_fd);
	close(sock);
err_free:
	free(fctx);
	errno = err;
	return NULL;
}

FF_EXPORT int ibv_close_device(struct ibv_context *ctx)
{
	struct ffl_context *fctx = to_fctx(ctx);

	/* the router destroys what this connection created */
	close(ctx->cmd_fd);
	close(ctx->async_fd);
	munmap(fctx->router, FF_ROUTER_SHM_SIZE);
	close(fctx->bell.fd);
	pthread_mutex_destroy(&fctx->cmd_lock);
	pthread_mutex_destroy(&fctx->obj_lock);
	pthread_mutex_destroy(&fctx->async_lock);
	pthread_mutex_destroy(&ctx->mutex);
	free(fctx);
	return 0;
}

int ffl_cmd(struct ibv_context *ctx, uint16_t op, const void *req,
	    uint32_t req_len, int fd_in, void *resp, uint32_t resp_len,
	    int *fd_out)
{
	struct ffl_context *fctx = to_fctx(ctx);
	int err;

	pthread_mutex_lock(&fctx->cmd_lock);
	err = ff_msg_call(ctx->cmd_fd, op, fctx->seq++, req, req_len, fd_in,
			  resp, resp_len, fd_out);
	pthread_mutex_unlock(&fctx->cmd_lock);
	return err;
}

/* ---- queries, answered from the cached device info ------------------ */

static void fill_device_attr(const struct ff_device_info *in,
			     struct ibv_device_attr *a)
{
	memset(a, 0, sizeof(*a));
	snprintf(a->fw_ver, sizeof(a->fw_ver), "%s", in->fw_ver);
	a->node_guid = in->node_guid;
	a->sys_image_guid = in->sys_image_guid;
	a->max_mr_size = in->max_mr_size;
	a->page_size_cap = in->page_size_cap;
	a->vendor_id = in->vendor_id;
	a->vendor_part_id = in->vendor_part_id;
	a->hw_ver = in->hw_ver;
	a->max_qp = (int)in->max_qp;
	a->max_qp_wr = (int)in->max_qp_wr;
	a->device_cap_flags = IBV_DEVICE_RC_RNR_NAK_GEN |
			      IBV_DEVICE_SYS_IMAGE_GUID | IBV_DEVICE_XRC;
	a->max_sge = (int)in->max_sge;
	a->max_sge_rd = (int)in->max_sge;
	a->max_cq = (int)in->max_cq;
	a->max_cqe = (int)in->max_cqe;
	a->max_mr = (int)in->max_mr;
	a->max_pd = (int)in->max_pd;
	a->max_qp_rd_atom = (int)in->max_qp_rd_atom;
	a->max_res_rd_atom = (int)in->max_qp_rd_atom;
	a->max_qp_init_rd_atom = (int)in->max_qp_init_rd_atom;
	a->atomic_cap = (enum ibv_atomic_cap)in->atomic_cap;
	a->max_ah = (int)in->max_ah;
	a->max_srq = (int)in->max_srq;
	a->max_srq_wr = (int)in->max_srq_wr;
	a->max_srq_sge = (int)in->max_srq_sge;
	a->max_pkeys = in->pkey_tbl_len;
	a->local_ca_ack_delay = 15;
	a->phys_port_cnt = 1;
}

FF_EXPORT int ibv_query_device(struct ibv_context *ctx,
			       struct ibv_device_attr *attr)
{
	fill_device_attr(&to_fctx(ctx)->info, attr);
	return 0;
}

static int ffl_query_device_ex(struct ibv_context *ctx,
			       const struct ibv_query_device_ex_input *input,
			       struct ibv_device_attr_ex *attr,
			       size_t attr_len)
{
	struct ibv_device_attr_ex ex;

	if ((input && input->comp_mask) || attr_len < sizeof(ex.orig_attr))
		return EINVAL;
	memset(&ex, 0, sizeof(ex));
	fill_device_attr(&to_fctx(ctx)->info, &ex.orig_attr);
	/* as the kernel reports it: the low 32 bits are device_cap_flags */
	ex.device_cap_flags_ex = (uint32_t)ex.orig_attr.device_cap_flags;
	ex.phys_port_cnt_ex = 1;
	ex.completion_timestamp_mask =
		to_fctx(ctx)->info.completion_timestamp_mask;
	ex.hca_core_clock = to_fctx(ctx)->info.hca_core_clock;
	memset(attr, 0, attr_len);
	memcpy(attr, &ex, attr_len < sizeof(ex) ? attr_len : sizeof(ex));
	return 0;
}

static void fill_port_attr(const struct ff_device_info *in,
			   struct ibv_port_attr *a)
{
	memset(a, 0, sizeof(*a));
	a->state = (enum ibv_port_state)in->port_state;
	a->max_mtu = (enum ibv_mtu)in->max_mtu;
	a->active_mtu = (enum ibv_mtu)in->active_mtu;
	a->gid_tbl_len = in->gid_tbl_len;
	a->port_cap_flags = in->port_cap_flags;
	a->max_msg_sz = in->max_msg_sz;
	a->pkey_tbl_len = in->pkey_tbl_len;
	a->lid = in->lid;
	a->sm_lid = in->sm_lid;
	a->max_vl_num = 1;
	a->active_width = in->active_width;
	a->active_speed = in->active_speed;
	a->phys_state = in->phys_state;
	a->link_layer = in->link_layer;
}

/* The port's state may change under the context: the router says what it is. */
static int ffl_query_port(struct ibv_context *ctx, uint8_t port,
			  struct ibv_port_attr *attr, size_t attr_len)
{
	struct ff_handle_req req = { .handle = port };
	struct ff_port_attr live;
	struct ibv_port_attr pa;
	int err;

	if (port != FFL_PORT)
		return EINVAL;
	err = ffl_cmd(ctx, FF_OP_QUERY_PORT, &req, sizeof(req), -1, &live,
		      sizeof(live), NULL);
	if (err)
		return err;
	fill_port_attr(&to_fctx(ctx)->info, &pa);
	pa.state = (enum ibv_port_state)live.port_state;
	pa.phys_state = live.phys_state;
	memset(attr, 0, attr_len);
	memcpy(attr, &pa, attr_len < sizeof(pa) ? attr_len : sizeof(pa));
	return 0;
}

#undef ibv_query_port
/* The exported symbol fills the old, 48-byte layout only. */
FF_EXPORT int ibv_query_port(struct ibv_context *ctx, uint8_t port,
			     struct _compat_ibv_port_attr *attr)
{
	return ffl_query_port(ctx, port, (struct ibv_port_attr *)attr,
			      offsetof(struct ibv_port_attr,
				       port_cap_flags2));
}

FF_EXPORT int ibv_query_gid(struct ibv_context *ctx, uint8_t port, int index,
			    union ibv_gid *gid)
{
	const struct ff_device_info *info = &to_fctx(ctx)->info;

	if (port != FFL_PORT || index < 0 || index >= info->gid_tbl_len) {
		errno = EINVAL;
		return -1;
	}
	memset(gid, 0, sizeof(*gid));
	if (index == 0)
		memcpy(gid->raw, info->gid, sizeof(gid->raw));
	return 0;
}

FF_EXPORT int _ibv_query_gid_ex(struct ibv_context *ctx, uint32_t port,
				uint32_t index, struct ibv_gid_entry *entry,
				uint32_t flags, size_t entry_size)
{
	const struct ff_device_info *info = &to_fctx(ctx)->info;

	if (port != FFL_PORT || flags || entry_size < sizeof(*entry) ||
	    index >= info->gid_tbl_len)
		return EINVAL;
	if (index != 0)
		return ENODATA;
	memset(entry, 0, entry_size);
	memcpy(entry->gid.raw, info->gid, sizeof(entry->gid.raw));
	entry->gid_index = 0;
	entry->port_num = FFL_PORT;
	entry->gid_type = IBV_GID_TYPE_IB;
	return 0;
}

FF_EXPORT ssize_t _ibv_query_gid_table(struct ibv_context *ctx,
				       struct ibv_gid_entry *entries,
				       size_t max_entries, uint32_t flags,
				       size_t entry_size)
{
	if (flags || entry_size < sizeof(*entries))
		return -EINVAL;
	if (!max_entries || !to_fctx(ctx)->info.gid_tbl_len)
		return 0;
	return _ibv_query_gid_ex(ctx, FFL_PORT, 0, entries, 0,
				 entry_size) ? 0 : 1;
}

/* rdma-core's enum ibv_gid_type_sysfs (driver.h, not installed) */
enum { FFL_GID_TYPE_SYSFS_IB_ROCE_V1 = 0 };

FF_EXPORT int ibv_query_gid_type(struct ibv_context *ctx, uint8_t port,
				 unsigned int index, int *type)
{
	if (port != FFL_PORT || index >= to_fctx(ctx)->info.gid_tbl_len) {
		errno = EINVAL;
		return -1;
	}
	*type = FFL_GID_TYPE_SYSFS_IB_ROCE_V1;
	return 0;
}

FF_EXPORT int ibv_query_pkey(struct ibv_context *ctx, uint8_t port,
			     int index, __be16 *pkey)
{
	if (port != FFL_PORT || index < 0 ||
	    index >= to_fctx(ctx)->info.pkey_tbl_len) {
		errno = EINVAL;
		return -1;
	}
	*pkey = index == 0 ? htobe16(0xffff) : 0;
	return 0;
}

FF_EXPORT int ibv_get_pkey_index(struct ibv_context *ctx, uint8_t port,
				 __be16 pkey)
{
	if (port != FFL_PORT || pkey != htobe16(0xffff)) {
		errno = ENOENT;
		return -1;
	}
	return 0;
}
