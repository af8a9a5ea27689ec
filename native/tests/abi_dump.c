// SPDX-License-Identifier: Apache-2.0
/*
 * Prints the layout of every structure of ff_abi.h and its constants, for
 * the Java side's AbiLayoutTest.  Format, one item per line:
 *
 *	<struct> <field> <offset> <size>	(nested fields as a.b.c)
 *	<struct> sizeof <size>
 *	const <NAME> <decimal value>		(strings: "...")
 *
 * The constants are those of ff_abi.h and the <infiniband/verbs.h> values
 * that travel inside its structures (the router's Verbs mirror).
 *
 * It also checks that the printed fields of each struct tile it exactly
 * (no gap, no overlap, nothing past the end): the header pads explicitly,
 * so a gap means a field is missing here.  Exit status 1 if not.
 */
#include <stddef.h>
#include <stdio.h>

#include <infiniband/verbs.h>

#include <freeflow/ff_abi.h>

static int errors;
static size_t next_off;
static const char *cur;

#define FIELD(s, f)                                                            \
	field(#s, #f, offsetof(struct s, f), sizeof(((struct s *)0)->f))

static void field(const char *s, const char *f, size_t off, size_t size)
{
	printf("%s %s %zu %zu\n", s, f, off, size);
	if (off != next_off) {
		fprintf(stderr, "abi_dump: %s.%s at %zu, expected %zu\n", s,
			f, off, next_off);
		errors++;
	}
	next_off = off + size;
}

/* A member of a union: it overlays bytes that fields already tiled. */
#define ALIAS(s, f)                                                            \
	alias(#s, #f, offsetof(struct s, f), sizeof(((struct s *)0)->f))

static void alias(const char *s, const char *f, size_t off, size_t size)
{
	printf("%s %s %zu %zu\n", s, f, off, size);
	if (off + size > next_off) {
		fprintf(stderr, "abi_dump: %s.%s overlays untiled bytes\n", s,
			f);
		errors++;
	}
}

static void begin(const char *s)
{
	cur = s;
	next_off = 0;
}

static void end(size_t size)
{
	printf("%s sizeof %zu\n", cur, size);
	if (next_off != size) {
		fprintf(stderr, "abi_dump: %s fields end at %zu, sizeof %zu\n",
			cur, next_off, size);
		errors++;
	}
}

#define BEGIN(s) begin(#s)
#define END(s) end(sizeof(struct s))
#define CONST(n) printf("const %s %llu\n", #n, (unsigned long long)(n))
#define CONST_STR(n) printf("const %s \"%s\"\n", #n, n)

/* a struct ff_qp_cap inside @s at @m */
#define QP_CAP(s, m)                                                           \
	do {                                                                   \
		FIELD(s, m.max_send_wr);                                       \
		FIELD(s, m.max_recv_wr);                                       \
		FIELD(s, m.max_send_sge);                                      \
		FIELD(s, m.max_recv_sge);                                      \
		FIELD(s, m.max_inline_data);                                   \
		FIELD(s, m.reserved);                                          \
	} while (0)

/* a struct ff_srq_attr inside @s at @m */
#define SRQ_ATTR(s, m)                                                         \
	do {                                                                   \
		FIELD(s, m.max_wr);                                            \
		FIELD(s, m.max_sge);                                           \
		FIELD(s, m.srq_limit);                                         \
		FIELD(s, m.reserved);                                          \
	} while (0)

#define AH_ATTR(s, m)                                                          \
	do {                                                                   \
		FIELD(s, m.dgid);                                              \
		FIELD(s, m.flow_label);                                        \
		FIELD(s, m.sgid_index);                                        \
		FIELD(s, m.hop_limit);                                         \
		FIELD(s, m.traffic_class);                                     \
		FIELD(s, m.is_global);                                         \
		FIELD(s, m.dlid);                                              \
		FIELD(s, m.sl);                                                \
		FIELD(s, m.src_path_bits);                                     \
		FIELD(s, m.static_rate);                                       \
		FIELD(s, m.port_num);                                          \
		FIELD(s, m.reserved);                                          \
	} while (0)

#define QP_ATTR(s, m)                                                          \
	do {                                                                   \
		FIELD(s, m.qp_state);                                          \
		FIELD(s, m.cur_qp_state);                                      \
		FIELD(s, m.path_mtu);                                          \
		FIELD(s, m.qp_access_flags);                                   \
		FIELD(s, m.qkey);                                              \
		FIELD(s, m.rq_psn);                                            \
		FIELD(s, m.sq_psn);                                            \
		FIELD(s, m.dest_qp_num);                                       \
		QP_CAP(s, m.cap);                                              \
		AH_ATTR(s, m.ah_attr);                                         \
		FIELD(s, m.pkey_index);                                        \
		FIELD(s, m.port_num);                                          \
		FIELD(s, m.max_rd_atomic);                                     \
		FIELD(s, m.max_dest_rd_atomic);                                \
		FIELD(s, m.min_rnr_timer);                                     \
		FIELD(s, m.timeout);                                           \
		FIELD(s, m.retry_cnt);                                         \
		FIELD(s, m.rnr_retry);                                         \
		FIELD(s, m.sq_draining);                                       \
		FIELD(s, m.en_sqd_async_notify);                               \
		FIELD(s, m.reserved);                                          \
		FIELD(s, m.reserved2);                                         \
	} while (0)

#define RING_CTRL(s, m)                                                        \
	do {                                                                   \
		FIELD(s, m.prod);                                              \
		FIELD(s, m.pad0);                                              \
		FIELD(s, m.cons);                                              \
		FIELD(s, m.pad1);                                              \
	} while (0)

static void control_plane(void)
{
	BEGIN(ff_hdr);
	FIELD(ff_hdr, magic);
	FIELD(ff_hdr, version);
	FIELD(ff_hdr, op);
	FIELD(ff_hdr, seq);
	FIELD(ff_hdr, status);
	FIELD(ff_hdr, len);
	FIELD(ff_hdr, reserved);
	END(ff_hdr);

	BEGIN(ff_open_req);
	FIELD(ff_open_req, pid);
	FIELD(ff_open_req, reserved);
	FIELD(ff_open_req, comm);
	END(ff_open_req);

	BEGIN(ff_device_info);
	FIELD(ff_device_info, name);
	FIELD(ff_device_info, fw_ver);
	FIELD(ff_device_info, node_guid);
	FIELD(ff_device_info, sys_image_guid);
	FIELD(ff_device_info, max_mr_size);
	FIELD(ff_device_info, page_size_cap);
	FIELD(ff_device_info, vendor_id);
	FIELD(ff_device_info, vendor_part_id);
	FIELD(ff_device_info, hw_ver);
	FIELD(ff_device_info, max_qp);
	FIELD(ff_device_info, max_qp_wr);
	FIELD(ff_device_info, max_sge);
	FIELD(ff_device_info, max_cq);
	FIELD(ff_device_info, max_cqe);
	FIELD(ff_device_info, max_mr);
	FIELD(ff_device_info, max_pd);
	FIELD(ff_device_info, max_qp_rd_atom);
	FIELD(ff_device_info, max_qp_init_rd_atom);
	FIELD(ff_device_info, max_srq);
	FIELD(ff_device_info, max_srq_wr);
	FIELD(ff_device_info, max_srq_sge);
	FIELD(ff_device_info, max_ah);
	FIELD(ff_device_info, max_inline_data);
	FIELD(ff_device_info, atomic_cap);
	FIELD(ff_device_info, port_cap_flags);
	FIELD(ff_device_info, max_msg_sz);
	FIELD(ff_device_info, lid);
	FIELD(ff_device_info, sm_lid);
	FIELD(ff_device_info, port_state);
	FIELD(ff_device_info, max_mtu);
	FIELD(ff_device_info, active_mtu);
	FIELD(ff_device_info, link_layer);
	FIELD(ff_device_info, active_width);
	FIELD(ff_device_info, active_speed);
	FIELD(ff_device_info, phys_state);
	FIELD(ff_device_info, reserved0);
	FIELD(ff_device_info, gid_tbl_len);
	FIELD(ff_device_info, pkey_tbl_len);
	FIELD(ff_device_info, gid);
	FIELD(ff_device_info, vip);
	FIELD(ff_device_info, reserved1);
	FIELD(ff_device_info, container);
	FIELD(ff_device_info, hca_core_clock);
	FIELD(ff_device_info, completion_timestamp_mask);
	END(ff_device_info);

	BEGIN(ff_handle_req);
	FIELD(ff_handle_req, handle);
	FIELD(ff_handle_req, reserved);
	END(ff_handle_req);

	BEGIN(ff_handle_resp);
	FIELD(ff_handle_resp, handle);
	FIELD(ff_handle_resp, reserved);
	END(ff_handle_resp);

	BEGIN(ff_reg_mr_req);
	FIELD(ff_reg_mr_req, pd_handle);
	FIELD(ff_reg_mr_req, access);
	FIELD(ff_reg_mr_req, addr);
	FIELD(ff_reg_mr_req, length);
	FIELD(ff_reg_mr_req, iova);
	END(ff_reg_mr_req);

	BEGIN(ff_reg_mr_resp);
	FIELD(ff_reg_mr_resp, handle);
	FIELD(ff_reg_mr_resp, lkey);
	FIELD(ff_reg_mr_resp, rkey);
	FIELD(ff_reg_mr_resp, reserved);
	END(ff_reg_mr_resp);

	BEGIN(ff_create_cq_req);
	FIELD(ff_create_cq_req, cqe);
	FIELD(ff_create_cq_req, comp_vector);
	FIELD(ff_create_cq_req, channel);
	FIELD(ff_create_cq_req, flags);
	END(ff_create_cq_req);

	BEGIN(ff_create_cq_resp);
	FIELD(ff_create_cq_resp, handle);
	FIELD(ff_create_cq_resp, cqe);
	FIELD(ff_create_cq_resp, shm_size);
	END(ff_create_cq_resp);

	BEGIN(ff_qp_cap);
	FIELD(ff_qp_cap, max_send_wr);
	FIELD(ff_qp_cap, max_recv_wr);
	FIELD(ff_qp_cap, max_send_sge);
	FIELD(ff_qp_cap, max_recv_sge);
	FIELD(ff_qp_cap, max_inline_data);
	FIELD(ff_qp_cap, reserved);
	END(ff_qp_cap);

	BEGIN(ff_create_qp_req);
	FIELD(ff_create_qp_req, pd_handle);
	FIELD(ff_create_qp_req, send_cq);
	FIELD(ff_create_qp_req, recv_cq);
	FIELD(ff_create_qp_req, srq);
	FIELD(ff_create_qp_req, qp_type);
	FIELD(ff_create_qp_req, sq_sig_all);
	QP_CAP(ff_create_qp_req, cap);
	FIELD(ff_create_qp_req, xrcd);
	FIELD(ff_create_qp_req, reserved);
	END(ff_create_qp_req);

	BEGIN(ff_open_xrcd_req);
	FIELD(ff_open_xrcd_req, flags);
	FIELD(ff_open_xrcd_req, file);
	END(ff_open_xrcd_req);

	BEGIN(ff_create_qp_resp);
	FIELD(ff_create_qp_resp, handle);
	FIELD(ff_create_qp_resp, qp_num);
	QP_CAP(ff_create_qp_resp, cap);
	FIELD(ff_create_qp_resp, shm_size);
	END(ff_create_qp_resp);

	BEGIN(ff_ah_attr);
	FIELD(ff_ah_attr, dgid);
	FIELD(ff_ah_attr, flow_label);
	FIELD(ff_ah_attr, sgid_index);
	FIELD(ff_ah_attr, hop_limit);
	FIELD(ff_ah_attr, traffic_class);
	FIELD(ff_ah_attr, is_global);
	FIELD(ff_ah_attr, dlid);
	FIELD(ff_ah_attr, sl);
	FIELD(ff_ah_attr, src_path_bits);
	FIELD(ff_ah_attr, static_rate);
	FIELD(ff_ah_attr, port_num);
	FIELD(ff_ah_attr, reserved);
	END(ff_ah_attr);

	BEGIN(ff_qp_attr);
	FIELD(ff_qp_attr, qp_state);
	FIELD(ff_qp_attr, cur_qp_state);
	FIELD(ff_qp_attr, path_mtu);
	FIELD(ff_qp_attr, qp_access_flags);
	FIELD(ff_qp_attr, qkey);
	FIELD(ff_qp_attr, rq_psn);
	FIELD(ff_qp_attr, sq_psn);
	FIELD(ff_qp_attr, dest_qp_num);
	QP_CAP(ff_qp_attr, cap);
	AH_ATTR(ff_qp_attr, ah_attr);
	FIELD(ff_qp_attr, pkey_index);
	FIELD(ff_qp_attr, port_num);
	FIELD(ff_qp_attr, max_rd_atomic);
	FIELD(ff_qp_attr, max_dest_rd_atomic);
	FIELD(ff_qp_attr, min_rnr_timer);
	FIELD(ff_qp_attr, timeout);
	FIELD(ff_qp_attr, retry_cnt);
	FIELD(ff_qp_attr, rnr_retry);
	FIELD(ff_qp_attr, sq_draining);
	FIELD(ff_qp_attr, en_sqd_async_notify);
	FIELD(ff_qp_attr, reserved);
	FIELD(ff_qp_attr, reserved2);
	END(ff_qp_attr);

	BEGIN(ff_modify_qp_req);
	FIELD(ff_modify_qp_req, handle);
	FIELD(ff_modify_qp_req, attr_mask);
	QP_ATTR(ff_modify_qp_req, attr);
	END(ff_modify_qp_req);

	BEGIN(ff_query_qp_req);
	FIELD(ff_query_qp_req, handle);
	FIELD(ff_query_qp_req, attr_mask);
	END(ff_query_qp_req);

	BEGIN(ff_query_qp_resp);
	QP_ATTR(ff_query_qp_resp, attr);
	FIELD(ff_query_qp_resp, qp_type);
	FIELD(ff_query_qp_resp, sq_sig_all);
	END(ff_query_qp_resp);

	BEGIN(ff_async_event);
	FIELD(ff_async_event, event_type);
	FIELD(ff_async_event, element);
	FIELD(ff_async_event, handle);
	FIELD(ff_async_event, reserved);
	END(ff_async_event);

	BEGIN(ff_srq_attr);
	FIELD(ff_srq_attr, max_wr);
	FIELD(ff_srq_attr, max_sge);
	FIELD(ff_srq_attr, srq_limit);
	FIELD(ff_srq_attr, reserved);
	END(ff_srq_attr);

	BEGIN(ff_create_srq_req);
	FIELD(ff_create_srq_req, pd_handle);
	FIELD(ff_create_srq_req, srq_type);
	SRQ_ATTR(ff_create_srq_req, attr);
	FIELD(ff_create_srq_req, xrcd);
	FIELD(ff_create_srq_req, cq);
	END(ff_create_srq_req);

	BEGIN(ff_create_srq_resp);
	FIELD(ff_create_srq_resp, handle);
	FIELD(ff_create_srq_resp, srq_num);
	SRQ_ATTR(ff_create_srq_resp, attr);
	FIELD(ff_create_srq_resp, shm_size);
	END(ff_create_srq_resp);

	BEGIN(ff_modify_srq_req);
	FIELD(ff_modify_srq_req, handle);
	FIELD(ff_modify_srq_req, attr_mask);
	SRQ_ATTR(ff_modify_srq_req, attr);
	END(ff_modify_srq_req);

	BEGIN(ff_port_attr);
	FIELD(ff_port_attr, port_state);
	FIELD(ff_port_attr, phys_state);
	FIELD(ff_port_attr, reserved0);
	FIELD(ff_port_attr, reserved1);
	END(ff_port_attr);

	BEGIN(ff_destroy_resp);
	FIELD(ff_destroy_resp, events_dropped);
	FIELD(ff_destroy_resp, reserved);
	END(ff_destroy_resp);

	BEGIN(ff_container_req);
	FIELD(ff_container_req, name);
	FIELD(ff_container_req, tenant);
	END(ff_container_req);

	BEGIN(ff_container_identity);
	FIELD(ff_container_identity, flags);
	FIELD(ff_container_identity, uid);
	FIELD(ff_container_identity, gid);
	FIELD(ff_container_identity, reserved);
	FIELD(ff_container_identity, cgroup);
	END(ff_container_identity);

	BEGIN(ff_attach_req);
	FIELD(ff_attach_req, container.name);
	FIELD(ff_attach_req, container.tenant);
	FIELD(ff_attach_req, identity.flags);
	FIELD(ff_attach_req, identity.uid);
	FIELD(ff_attach_req, identity.gid);
	FIELD(ff_attach_req, identity.reserved);
	FIELD(ff_attach_req, identity.cgroup);
	END(ff_attach_req);

	BEGIN(ff_cluster_info);
	FIELD(ff_cluster_info, topology_version);
	FIELD(ff_cluster_info, servers);
	FIELD(ff_cluster_info, hosts_running);
	FIELD(ff_cluster_info, hosts_lost);
	FIELD(ff_cluster_info, host_registered);
	END(ff_cluster_info);
	BEGIN(ff_port_req);
	FIELD(ff_port_req, name);
	FIELD(ff_port_req, port_state);
	FIELD(ff_port_req, reserved);
	END(ff_port_req);

	BEGIN(ff_container_info);
	FIELD(ff_container_info, name);
	FIELD(ff_container_info, tenant);
	FIELD(ff_container_info, socket_path);
	FIELD(ff_container_info, lid);
	FIELD(ff_container_info, prefix_len);
	FIELD(ff_container_info, reserved0);
	FIELD(ff_container_info, vip);
	FIELD(ff_container_info, reserved1);
	FIELD(ff_container_info, gid);
	END(ff_container_info);
}

static void data_plane(void)
{
	BEGIN(ff_ring_ctrl);
	FIELD(ff_ring_ctrl, prod);
	FIELD(ff_ring_ctrl, pad0);
	FIELD(ff_ring_ctrl, cons);
	FIELD(ff_ring_ctrl, pad1);
	END(ff_ring_ctrl);

	BEGIN(ff_router_shm);
	FIELD(ff_router_shm, sleeping);
	FIELD(ff_router_shm, mode);
	FIELD(ff_router_shm, barrier);
	FIELD(ff_router_shm, reserved);
	END(ff_router_shm);

	BEGIN(ff_qp_shm);
	RING_CTRL(ff_qp_shm, sq);
	RING_CTRL(ff_qp_shm, rq);
	FIELD(ff_qp_shm, sq_slots);
	FIELD(ff_qp_shm, sq_slot_size);
	FIELD(ff_qp_shm, rq_slots);
	FIELD(ff_qp_shm, rq_slot_size);
	FIELD(ff_qp_shm, sq_offset);
	FIELD(ff_qp_shm, rq_offset);
	FIELD(ff_qp_shm, qp_num);
	FIELD(ff_qp_shm, state);
	FIELD(ff_qp_shm, doorbell);
	FIELD(ff_qp_shm, reserved);
	END(ff_qp_shm);

	BEGIN(ff_srq_shm);
	RING_CTRL(ff_srq_shm, rq);
	FIELD(ff_srq_shm, slots);
	FIELD(ff_srq_shm, slot_size);
	FIELD(ff_srq_shm, offset);
	END(ff_srq_shm);

	BEGIN(ff_sge);
	FIELD(ff_sge, addr);
	FIELD(ff_sge, length);
	FIELD(ff_sge, lkey);
	END(ff_sge);

	BEGIN(ff_send_wqe);
	FIELD(ff_send_wqe, wr_id);
	FIELD(ff_send_wqe, opcode);
	FIELD(ff_send_wqe, send_flags);
	FIELD(ff_send_wqe, imm_data);
	FIELD(ff_send_wqe, num_sge);
	FIELD(ff_send_wqe, remote_addr);
	FIELD(ff_send_wqe, rkey);
	FIELD(ff_send_wqe, inline_len);
	FIELD(ff_send_wqe, compare_add);
	FIELD(ff_send_wqe, swap);
	ALIAS(ff_send_wqe, dgid);
	FIELD(ff_send_wqe, remote_qpn);
	ALIAS(ff_send_wqe, remote_srqn);
	FIELD(ff_send_wqe, remote_qkey);
	FIELD(ff_send_wqe, flow_label);
	FIELD(ff_send_wqe, dlid);
	FIELD(ff_send_wqe, sl);
	FIELD(ff_send_wqe, is_global);
	FIELD(ff_send_wqe, traffic_class);
	FIELD(ff_send_wqe, hop_limit);
	FIELD(ff_send_wqe, reserved);
	END(ff_send_wqe);

	BEGIN(ff_recv_wqe);
	FIELD(ff_recv_wqe, wr_id);
	FIELD(ff_recv_wqe, num_sge);
	FIELD(ff_recv_wqe, reserved);
	END(ff_recv_wqe);

	BEGIN(ff_cq_shm);
	RING_CTRL(ff_cq_shm, ring);
	FIELD(ff_cq_shm, slots);
	FIELD(ff_cq_shm, entry_size);
	FIELD(ff_cq_shm, armed);
	FIELD(ff_cq_shm, notified);
	END(ff_cq_shm);

	BEGIN(ff_cqe);
	FIELD(ff_cqe, wr_id);
	FIELD(ff_cqe, status);
	FIELD(ff_cqe, opcode);
	FIELD(ff_cqe, vendor_err);
	FIELD(ff_cqe, byte_len);
	FIELD(ff_cqe, imm_data);
	FIELD(ff_cqe, qp_num);
	FIELD(ff_cqe, src_qp);
	FIELD(ff_cqe, wc_flags);
	FIELD(ff_cqe, pkey_index);
	FIELD(ff_cqe, slid);
	FIELD(ff_cqe, sl);
	FIELD(ff_cqe, dlid_path_bits);
	FIELD(ff_cqe, reserved0);
	FIELD(ff_cqe, timestamp);
	FIELD(ff_cqe, reserved1);
	END(ff_cqe);
}

static void constants(void)
{
	CONST(FF_ABI_MAGIC);
	CONST(FF_ABI_VERSION);
	CONST(FF_MSG_MAX);
	CONST(FF_MSG_REASON_MAX);
	CONST(FF_SHM_HDR_SIZE);
	CONST(FF_CQE_SIZE);
	CONST(FF_MEMFD_SIZE);
	CONST(FF_ROUTER_SHM_SIZE);
	CONST(FF_MODE_FASTPATH);
	CONST(FF_MODE_LOWCPU);
	CONST(FF_MODE_ADAPTIVE);
	CONST(FF_CQ_F_TIMESTAMP);
	CONST(FF_BARRIER_FENCE);
	CONST(FF_BARRIER_MEMBARRIER);
	CONST(FF_CQ_ARM_NONE);
	CONST(FF_CQ_ARM_NEXT);
	CONST(FF_CQ_ARM_SOLICITED);
	CONST(FF_OP_OPEN);
	CONST(FF_OP_ALLOC_PD);
	CONST(FF_OP_DEALLOC_PD);
	CONST(FF_OP_REG_MR);
	CONST(FF_OP_DEREG_MR);
	CONST(FF_OP_CREATE_CQ);
	CONST(FF_OP_DESTROY_CQ);
	CONST(FF_OP_CREATE_QP);
	CONST(FF_OP_MODIFY_QP);
	CONST(FF_OP_QUERY_QP);
	CONST(FF_OP_DESTROY_QP);
	CONST(FF_OP_GET_ASYNC_EVENT);
	CONST(FF_OP_CREATE_SRQ);
	CONST(FF_OP_MODIFY_SRQ);
	CONST(FF_OP_QUERY_SRQ);
	CONST(FF_OP_DESTROY_SRQ);
	CONST(FF_OP_OPEN_XRCD);
	CONST(FF_OP_CLOSE_XRCD);
	CONST(FF_XRCD_CREATE);
	CONST(FF_XRCD_EXCL);
	CONST(FF_OP_QUERY_PORT);
	CONST(FF_OP_CREATE_COMP_CHANNEL);
	CONST(FF_OP_DESTROY_COMP_CHANNEL);
	CONST(FF_ASYNC_QP);
	CONST(FF_ASYNC_CQ);
	CONST(FF_ASYNC_SRQ);
	CONST(FF_ASYNC_PORT);
	CONST(FF_ASYNC_DEVICE);
	CONST(FF_OP_ADMIN_PING);
	CONST(FF_OP_ADMIN_ADD_CONTAINER);
	CONST(FF_OP_ADMIN_REMOVE_CONTAINER);
	CONST(FF_OP_ADMIN_SET_PORT);
	CONST(FF_OP_ADMIN_CLUSTER);
	CONST(FF_IDENTITY_NETNS);
	CONST(FF_IDENTITY_CGROUP);
	CONST(FF_IDENTITY_UID);
	CONST(FF_IDENTITY_GID);
	CONST_STR(FF_ENV_SOCKET);
}

/* verbs.h values carried in ff_abi.h structures */
static void verbs_constants(void)
{
	CONST(IBV_EVENT_CQ_ERR);
	CONST(IBV_EVENT_QP_FATAL);
	CONST(IBV_EVENT_QP_REQ_ERR);
	CONST(IBV_EVENT_QP_ACCESS_ERR);
	CONST(IBV_EVENT_COMM_EST);
	CONST(IBV_EVENT_SQ_DRAINED);
	CONST(IBV_EVENT_PORT_ACTIVE);
	CONST(IBV_EVENT_PORT_ERR);
	CONST(IBV_EVENT_QP_LAST_WQE_REACHED);
	CONST(IBV_EVENT_SRQ_ERR);
	CONST(IBV_EVENT_SRQ_LIMIT_REACHED);
	CONST(IBV_SRQ_MAX_WR);
	CONST(IBV_SRQ_LIMIT);
	CONST(IBV_QPS_RESET);
	CONST(IBV_QPS_INIT);
	CONST(IBV_QPS_RTR);
	CONST(IBV_QPS_RTS);
	CONST(IBV_QPS_SQD);
	CONST(IBV_QPS_SQE);
	CONST(IBV_QPS_ERR);
	CONST(IBV_QPS_UNKNOWN);
	CONST(IBV_QPT_RC);
	CONST(IBV_QPT_UC);
	CONST(IBV_QPT_UD);
	CONST(IBV_QPT_XRC_SEND);
	CONST(IBV_QPT_XRC_RECV);
	CONST(IBV_SRQT_BASIC);
	CONST(IBV_SRQT_XRC);
	CONST(IBV_QP_STATE);
	CONST(IBV_QP_CUR_STATE);
	CONST(IBV_QP_EN_SQD_ASYNC_NOTIFY);
	CONST(IBV_QP_ACCESS_FLAGS);
	CONST(IBV_QP_PKEY_INDEX);
	CONST(IBV_QP_PORT);
	CONST(IBV_QP_QKEY);
	CONST(IBV_QP_AV);
	CONST(IBV_QP_PATH_MTU);
	CONST(IBV_QP_TIMEOUT);
	CONST(IBV_QP_RETRY_CNT);
	CONST(IBV_QP_RNR_RETRY);
	CONST(IBV_QP_RQ_PSN);
	CONST(IBV_QP_MAX_QP_RD_ATOMIC);
	CONST(IBV_QP_ALT_PATH);
	CONST(IBV_QP_MIN_RNR_TIMER);
	CONST(IBV_QP_SQ_PSN);
	CONST(IBV_QP_MAX_DEST_RD_ATOMIC);
	CONST(IBV_QP_PATH_MIG_STATE);
	CONST(IBV_QP_CAP);
	CONST(IBV_QP_DEST_QPN);
	CONST(IBV_QP_RATE_LIMIT);
	CONST(IBV_ACCESS_LOCAL_WRITE);
	CONST(IBV_ACCESS_REMOTE_WRITE);
	CONST(IBV_ACCESS_REMOTE_READ);
	CONST(IBV_ACCESS_REMOTE_ATOMIC);
	CONST(IBV_ACCESS_MW_BIND);
	CONST(IBV_ACCESS_ZERO_BASED);
	CONST(IBV_ACCESS_ON_DEMAND);
	CONST(IBV_ACCESS_HUGETLB);
	CONST(IBV_ACCESS_RELAXED_ORDERING);
	CONST(IBV_ACCESS_OPTIONAL_RANGE);
	CONST(IBV_WR_RDMA_WRITE);
	CONST(IBV_WR_RDMA_WRITE_WITH_IMM);
	CONST(IBV_WR_SEND);
	CONST(IBV_WR_SEND_WITH_IMM);
	CONST(IBV_WR_RDMA_READ);
	CONST(IBV_WR_ATOMIC_CMP_AND_SWP);
	CONST(IBV_WR_ATOMIC_FETCH_AND_ADD);
	CONST(IBV_WR_LOCAL_INV);
	CONST(IBV_WR_BIND_MW);
	CONST(IBV_WR_SEND_WITH_INV);
	CONST(IBV_SEND_FENCE);
	CONST(IBV_SEND_SIGNALED);
	CONST(IBV_SEND_SOLICITED);
	CONST(IBV_SEND_INLINE);
	CONST(IBV_WC_SUCCESS);
	CONST(IBV_WC_LOC_LEN_ERR);
	CONST(IBV_WC_LOC_QP_OP_ERR);
	CONST(IBV_WC_LOC_EEC_OP_ERR);
	CONST(IBV_WC_LOC_PROT_ERR);
	CONST(IBV_WC_WR_FLUSH_ERR);
	CONST(IBV_WC_MW_BIND_ERR);
	CONST(IBV_WC_BAD_RESP_ERR);
	CONST(IBV_WC_LOC_ACCESS_ERR);
	CONST(IBV_WC_REM_INV_REQ_ERR);
	CONST(IBV_WC_REM_ACCESS_ERR);
	CONST(IBV_WC_REM_OP_ERR);
	CONST(IBV_WC_RETRY_EXC_ERR);
	CONST(IBV_WC_RNR_RETRY_EXC_ERR);
	CONST(IBV_WC_FATAL_ERR);
	CONST(IBV_WC_GENERAL_ERR);
	CONST(IBV_WC_SEND);
	CONST(IBV_WC_RDMA_WRITE);
	CONST(IBV_WC_RDMA_READ);
	CONST(IBV_WC_COMP_SWAP);
	CONST(IBV_WC_FETCH_ADD);
	CONST(IBV_WC_RECV);
	CONST(IBV_WC_RECV_RDMA_WITH_IMM);
	CONST(IBV_WC_GRH);
	CONST(IBV_WC_WITH_IMM);
	CONST(IBV_MTU_256);
	CONST(IBV_MTU_512);
	CONST(IBV_MTU_1024);
	CONST(IBV_MTU_2048);
	CONST(IBV_MTU_4096);
	CONST(IBV_PORT_DOWN);
	CONST(IBV_PORT_ACTIVE);
	CONST(IBV_LINK_LAYER_INFINIBAND);
	CONST(IBV_LINK_LAYER_ETHERNET);
	CONST(IBV_ATOMIC_NONE);
	CONST(IBV_ATOMIC_HCA);
}

int main(void)
{
	control_plane();
	data_plane();
	constants();
	verbs_constants();
	return errors ? 1 : 0;
}
