// SPDX-License-Identifier: Apache-2.0
/*
 * IBVERBS_PRIVATE_34: the provider ABI of rdma-core.  FreeFlow has no
 * kernel providers, but the system libmlx5 and libefa, which perftest links
 * (BIND_NOW), import these names and call verbs_register_driver_34() from
 * their constructors.  So every name exists, registration is a no-op, and
 * nothing else here is ever reached: each stub fails safely if it is.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

#include "ffl.h"

FF_EXPORT bool verbs_allow_disassociate_destroy;

FF_EXPORT void verbs_register_driver_34(const void *ops)
{
	(void)ops;	/* no kernel device will ever match */
}

#define FFL_STUB_INT(name)                                                     \
	FF_EXPORT int name(void);                                              \
	int name(void)                                                         \
	{                                                                      \
		return EOPNOTSUPP;                                             \
	}

#define FFL_STUB_PTR(name)                                                     \
	FF_EXPORT void *name(void);                                            \
	void *name(void)                                                       \
	{                                                                      \
		errno = EOPNOTSUPP;                                            \
		return NULL;                                                   \
	}

#define FFL_STUB_VOID(name)                                                    \
	FF_EXPORT void name(void);                                             \
	void name(void)                                                        \
	{                                                                      \
	}

FFL_STUB_INT(__ioctl_final_num_attrs)
FFL_STUB_VOID(__verbs_log)
FFL_STUB_PTR(_verbs_init_and_alloc_context)
FFL_STUB_INT(execute_ioctl)
FFL_STUB_INT(ibv_cmd_advise_mr)
FFL_STUB_INT(ibv_cmd_alloc_dm)
FFL_STUB_INT(ibv_cmd_alloc_mw)
FFL_STUB_INT(ibv_cmd_alloc_pd)
FFL_STUB_INT(ibv_cmd_attach_mcast)
FFL_STUB_INT(ibv_cmd_close_xrcd)
FFL_STUB_INT(ibv_cmd_create_ah)
FFL_STUB_INT(ibv_cmd_create_counters)
FFL_STUB_INT(ibv_cmd_create_cq)
FFL_STUB_INT(ibv_cmd_create_cq_ex)
FFL_STUB_INT(ibv_cmd_create_flow)
FFL_STUB_INT(ibv_cmd_create_flow_action_esp)
FFL_STUB_INT(ibv_cmd_create_qp)
FFL_STUB_INT(ibv_cmd_create_qp_ex)
FFL_STUB_INT(ibv_cmd_create_qp_ex2)
FFL_STUB_INT(ibv_cmd_create_rwq_ind_table)
FFL_STUB_INT(ibv_cmd_create_srq)
FFL_STUB_INT(ibv_cmd_create_srq_ex)
FFL_STUB_INT(ibv_cmd_create_wq)
FFL_STUB_INT(ibv_cmd_dealloc_mw)
FFL_STUB_INT(ibv_cmd_dealloc_pd)
FFL_STUB_INT(ibv_cmd_dereg_mr)
FFL_STUB_INT(ibv_cmd_destroy_ah)
FFL_STUB_INT(ibv_cmd_destroy_counters)
FFL_STUB_INT(ibv_cmd_destroy_cq)
FFL_STUB_INT(ibv_cmd_destroy_flow)
FFL_STUB_INT(ibv_cmd_destroy_flow_action)
FFL_STUB_INT(ibv_cmd_destroy_qp)
FFL_STUB_INT(ibv_cmd_destroy_rwq_ind_table)
FFL_STUB_INT(ibv_cmd_destroy_srq)
FFL_STUB_INT(ibv_cmd_destroy_wq)
FFL_STUB_INT(ibv_cmd_detach_mcast)
FFL_STUB_INT(ibv_cmd_free_dm)
FFL_STUB_INT(ibv_cmd_get_context)
FFL_STUB_INT(ibv_cmd_modify_cq)
FFL_STUB_INT(ibv_cmd_modify_flow_action_esp)
FFL_STUB_INT(ibv_cmd_modify_qp)
FFL_STUB_INT(ibv_cmd_modify_qp_ex)
FFL_STUB_INT(ibv_cmd_modify_srq)
FFL_STUB_INT(ibv_cmd_modify_wq)
FFL_STUB_INT(ibv_cmd_open_qp)
FFL_STUB_INT(ibv_cmd_open_xrcd)
FFL_STUB_INT(ibv_cmd_poll_cq)
FFL_STUB_INT(ibv_cmd_post_recv)
FFL_STUB_INT(ibv_cmd_post_send)
FFL_STUB_INT(ibv_cmd_post_srq_recv)
FFL_STUB_INT(ibv_cmd_query_context)
FFL_STUB_INT(ibv_cmd_query_device_any)
FFL_STUB_INT(ibv_cmd_query_mr)
FFL_STUB_INT(ibv_cmd_query_port)
FFL_STUB_INT(ibv_cmd_query_qp)
FFL_STUB_INT(ibv_cmd_query_srq)
FFL_STUB_INT(ibv_cmd_read_counters)
FFL_STUB_INT(ibv_cmd_reg_dm_mr)
FFL_STUB_INT(ibv_cmd_reg_dmabuf_mr)
FFL_STUB_INT(ibv_cmd_reg_mr)
FFL_STUB_INT(ibv_cmd_req_notify_cq)
FFL_STUB_INT(ibv_cmd_rereg_mr)
FFL_STUB_INT(ibv_cmd_resize_cq)
FFL_STUB_VOID(verbs_init_cq)
FFL_STUB_PTR(verbs_open_device)
FFL_STUB_VOID(verbs_set_ops)
FFL_STUB_VOID(verbs_uninit_context)

/*
 * rdma-core: int ibv_read_ibdev_sysfs_file(char *buf, size_t size,
 *	struct verbs_sysfs_dev *dev, const char *fmt, ...)
 */
FF_EXPORT int ibv_read_ibdev_sysfs_file(char *buf, size_t size,
					const void *dev, const char *fmt, ...);
int ibv_read_ibdev_sysfs_file(char *buf, size_t size, const void *dev,
			      const char *fmt, ...)
{
	(void)buf, (void)size, (void)dev, (void)fmt;
	errno = ENOENT;
	return -1;
}
