package org.freeflow.fastpath.api;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The Java mirror of {@code native/include/freeflow/ff_abi.h}: every constant,
 * and for every struct the byte offset of each field (nested fields flattened
 * with {@code _}: {@code ModifyQpReq.ATTR_AH_ATTR_DLID}), its width
 * ({@link Width}) and the struct's {@code SIZE}.  One nested class per struct,
 * named after it without the {@code ff_} prefix.  All integers are
 * little-endian.
 * <p>
 * AbiLayoutTest checks this class line by line against {@code abi_dump}, which
 * is compiled from the header: change both or neither, and bump
 * {@link #ABI_VERSION}.  (A table, hence longer than a class should be.)
 */
public final class Abi {

    /** Width in bytes of the field whose offset the annotated constant is. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.FIELD)
    public @interface Width {
        /** Bytes. */
        int value();
    }

    /** "FFF1" read as little-endian bytes. */
    public static final int ABI_MAGIC = 0x31464646;
    /** Version of this ABI; a peer with another is refused. */
    public static final int ABI_VERSION = 8;
    /** Largest control message, header included. */
    public static final int MSG_MAX = 1024;
    /**
     * Longest reason, its NUL included, that a failed reply of the admin socket
     * carries as its payload (a container's socket never says why).
     *
     * @since 3.3
     */
    public static final int MSG_REASON_MAX = 256;
    /** Environment variable naming the container's socket, read by the FFL (no default). */
    public static final String ENV_SOCKET = "FREEFLOW_SOCKET";
    /** Size of the FFL's sparse process memfd (file offset == virtual address). */
    public static final long MEMFD_SIZE = 1L << 47;
    /** Bytes of the header page of a ring memfd; entries start after it. */
    public static final int SHM_HDR_SIZE = 4096;
    /** Bytes per completion-queue entry. */
    public static final int CQE_SIZE = 64;
    /** Bytes of the router page (the first {@link RouterShm#SIZE} are used). */
    public static final int ROUTER_SHM_SIZE = 4096;

    /** enum ff_channel_mode: how the router's pollers wait for work. */
    public static final int MODE_FASTPATH = 0;
    public static final int MODE_LOWCPU = 1;
    public static final int MODE_ADAPTIVE = 2;

    /** ff_create_cq_req.flags: the router stamps every entry with its monotonic clock (ns). */
    public static final int CQ_F_TIMESTAMP = 1;

    /** enum ff_router_barrier: what pairs with the FFL's doorbell check. */
    public static final int BARRIER_FENCE = 0;
    public static final int BARRIER_MEMBARRIER = 1;

    /** ff_cq_shm.armed: what ibv_req_notify_cq asked for. */
    public static final int CQ_ARM_NONE = 0;
    public static final int CQ_ARM_NEXT = 1;
    public static final int CQ_ARM_SOLICITED = 2;

    /** enum ff_op: container socket. */
    public static final int OP_OPEN = 1;
    public static final int OP_ALLOC_PD = 2;
    public static final int OP_DEALLOC_PD = 3;
    public static final int OP_REG_MR = 4;
    public static final int OP_DEREG_MR = 5;
    public static final int OP_CREATE_CQ = 6;
    public static final int OP_DESTROY_CQ = 7;
    public static final int OP_CREATE_QP = 8;
    public static final int OP_MODIFY_QP = 9;
    public static final int OP_QUERY_QP = 10;
    public static final int OP_DESTROY_QP = 11;
    public static final int OP_GET_ASYNC_EVENT = 12;
    public static final int OP_CREATE_SRQ = 13;
    public static final int OP_MODIFY_SRQ = 14;
    public static final int OP_QUERY_SRQ = 15;
    public static final int OP_DESTROY_SRQ = 16;
    public static final int OP_OPEN_XRCD = 17;
    public static final int OP_CLOSE_XRCD = 18;
    /** ff_open_xrcd_req.flags: O_CREAT. */
    public static final int XRCD_CREATE = 1;
    /** ff_open_xrcd_req.flags: O_EXCL. */
    public static final int XRCD_EXCL = 2;
    public static final int OP_QUERY_PORT = 19;
    public static final int OP_CREATE_COMP_CHANNEL = 20;
    public static final int OP_DESTROY_COMP_CHANNEL = 21;
    /** enum ff_async_element: what ff_async_event.handle names. */
    public static final int ASYNC_QP = 1;
    public static final int ASYNC_CQ = 2;
    public static final int ASYNC_SRQ = 3;
    public static final int ASYNC_PORT = 4;
    public static final int ASYNC_DEVICE = 5;
    /** enum ff_op: admin socket. */
    public static final int OP_ADMIN_PING = 100;
    public static final int OP_ADMIN_ADD_CONTAINER = 101;
    public static final int OP_ADMIN_REMOVE_CONTAINER = 102;
    public static final int OP_ADMIN_SET_PORT = 103;
    /** @since 3.3 */
    public static final int OP_ADMIN_CLUSTER = 104;
    /** ff_container_identity.flags: what the attach says the container is. */
    public static final int IDENTITY_NETNS = 1;
    public static final int IDENTITY_CGROUP = 2;
    public static final int IDENTITY_UID = 4;
    public static final int IDENTITY_GID = 8;

    private Abi() {
    }

    /** {@code struct ff_hdr}. */
    public static final class Hdr {
        @Width(4) public static final int MAGIC = 0;
        @Width(2) public static final int VERSION = 4;
        @Width(2) public static final int OP = 6;
        @Width(4) public static final int SEQ = 8;
        @Width(4) public static final int STATUS = 12;
        @Width(4) public static final int LEN = 16;
        @Width(4) public static final int RESERVED = 20;
        /** sizeof. */
        public static final int SIZE = 24;

        private Hdr() {
        }
    }

    /** {@code struct ff_open_req}. */
    public static final class OpenReq {
        @Width(4) public static final int PID = 0;
        @Width(4) public static final int RESERVED = 4;
        @Width(16) public static final int COMM = 8;
        /** sizeof. */
        public static final int SIZE = 24;

        private OpenReq() {
        }
    }

    /** {@code struct ff_device_info}. */
    public static final class DeviceInfo {
        @Width(64) public static final int NAME = 0;
        @Width(64) public static final int FW_VER = 64;
        @Width(8) public static final int NODE_GUID = 128;
        @Width(8) public static final int SYS_IMAGE_GUID = 136;
        @Width(8) public static final int MAX_MR_SIZE = 144;
        @Width(8) public static final int PAGE_SIZE_CAP = 152;
        @Width(4) public static final int VENDOR_ID = 160;
        @Width(4) public static final int VENDOR_PART_ID = 164;
        @Width(4) public static final int HW_VER = 168;
        @Width(4) public static final int MAX_QP = 172;
        @Width(4) public static final int MAX_QP_WR = 176;
        @Width(4) public static final int MAX_SGE = 180;
        @Width(4) public static final int MAX_CQ = 184;
        @Width(4) public static final int MAX_CQE = 188;
        @Width(4) public static final int MAX_MR = 192;
        @Width(4) public static final int MAX_PD = 196;
        @Width(4) public static final int MAX_QP_RD_ATOM = 200;
        @Width(4) public static final int MAX_QP_INIT_RD_ATOM = 204;
        @Width(4) public static final int MAX_SRQ = 208;
        @Width(4) public static final int MAX_SRQ_WR = 212;
        @Width(4) public static final int MAX_SRQ_SGE = 216;
        @Width(4) public static final int MAX_AH = 220;
        @Width(4) public static final int MAX_INLINE_DATA = 224;
        @Width(4) public static final int ATOMIC_CAP = 228;
        @Width(4) public static final int PORT_CAP_FLAGS = 232;
        @Width(4) public static final int MAX_MSG_SZ = 236;
        @Width(2) public static final int LID = 240;
        @Width(2) public static final int SM_LID = 242;
        @Width(1) public static final int PORT_STATE = 244;
        @Width(1) public static final int MAX_MTU = 245;
        @Width(1) public static final int ACTIVE_MTU = 246;
        @Width(1) public static final int LINK_LAYER = 247;
        @Width(1) public static final int ACTIVE_WIDTH = 248;
        @Width(1) public static final int ACTIVE_SPEED = 249;
        @Width(1) public static final int PHYS_STATE = 250;
        @Width(1) public static final int RESERVED0 = 251;
        @Width(2) public static final int GID_TBL_LEN = 252;
        @Width(2) public static final int PKEY_TBL_LEN = 254;
        @Width(16) public static final int GID = 256;
        @Width(4) public static final int VIP = 272;
        @Width(4) public static final int RESERVED1 = 276;
        @Width(64) public static final int CONTAINER = 280;
        @Width(8) public static final int HCA_CORE_CLOCK = 344;
        @Width(8) public static final int COMPLETION_TIMESTAMP_MASK = 352;
        /** sizeof. */
        public static final int SIZE = 360;

        private DeviceInfo() {
        }
    }

    /** {@code struct ff_handle_req}. */
    public static final class HandleReq {
        @Width(4) public static final int HANDLE = 0;
        @Width(4) public static final int RESERVED = 4;
        /** sizeof. */
        public static final int SIZE = 8;

        private HandleReq() {
        }
    }

    /** {@code struct ff_handle_resp}. */
    public static final class HandleResp {
        @Width(4) public static final int HANDLE = 0;
        @Width(4) public static final int RESERVED = 4;
        /** sizeof. */
        public static final int SIZE = 8;

        private HandleResp() {
        }
    }

    /** {@code struct ff_reg_mr_req}. */
    public static final class RegMrReq {
        @Width(4) public static final int PD_HANDLE = 0;
        @Width(4) public static final int ACCESS = 4;
        @Width(8) public static final int ADDR = 8;
        @Width(8) public static final int LENGTH = 16;
        @Width(8) public static final int IOVA = 24;
        /** sizeof. */
        public static final int SIZE = 32;

        private RegMrReq() {
        }
    }

    /** {@code struct ff_reg_mr_resp}. */
    public static final class RegMrResp {
        @Width(4) public static final int HANDLE = 0;
        @Width(4) public static final int LKEY = 4;
        @Width(4) public static final int RKEY = 8;
        @Width(4) public static final int RESERVED = 12;
        /** sizeof. */
        public static final int SIZE = 16;

        private RegMrResp() {
        }
    }

    /** {@code struct ff_create_cq_req}. */
    public static final class CreateCqReq {
        @Width(4) public static final int CQE = 0;
        @Width(4) public static final int COMP_VECTOR = 4;
        @Width(4) public static final int CHANNEL = 8;
        @Width(4) public static final int FLAGS = 12;
        /** sizeof. */
        public static final int SIZE = 16;

        private CreateCqReq() {
        }
    }

    /** {@code struct ff_create_cq_resp}. */
    public static final class CreateCqResp {
        @Width(4) public static final int HANDLE = 0;
        @Width(4) public static final int CQE = 4;
        @Width(8) public static final int SHM_SIZE = 8;
        /** sizeof. */
        public static final int SIZE = 16;

        private CreateCqResp() {
        }
    }

    /** {@code struct ff_qp_cap}. */
    public static final class QpCap {
        @Width(4) public static final int MAX_SEND_WR = 0;
        @Width(4) public static final int MAX_RECV_WR = 4;
        @Width(4) public static final int MAX_SEND_SGE = 8;
        @Width(4) public static final int MAX_RECV_SGE = 12;
        @Width(4) public static final int MAX_INLINE_DATA = 16;
        @Width(4) public static final int RESERVED = 20;
        /** sizeof. */
        public static final int SIZE = 24;

        private QpCap() {
        }
    }

    /** {@code struct ff_create_qp_req}. */
    public static final class CreateQpReq {
        @Width(4) public static final int PD_HANDLE = 0;
        @Width(4) public static final int SEND_CQ = 4;
        @Width(4) public static final int RECV_CQ = 8;
        @Width(4) public static final int SRQ = 12;
        @Width(4) public static final int QP_TYPE = 16;
        @Width(4) public static final int SQ_SIG_ALL = 20;
        @Width(24) public static final int CAP = 24;
        @Width(4) public static final int CAP_MAX_SEND_WR = 24;
        @Width(4) public static final int CAP_MAX_RECV_WR = 28;
        @Width(4) public static final int CAP_MAX_SEND_SGE = 32;
        @Width(4) public static final int CAP_MAX_RECV_SGE = 36;
        @Width(4) public static final int CAP_MAX_INLINE_DATA = 40;
        @Width(4) public static final int CAP_RESERVED = 44;
        @Width(4) public static final int XRCD = 48;
        @Width(4) public static final int RESERVED = 52;
        /** sizeof. */
        public static final int SIZE = 56;

        private CreateQpReq() {
        }
    }

    /** {@code struct ff_create_qp_resp}. */
    public static final class CreateQpResp {
        @Width(4) public static final int HANDLE = 0;
        @Width(4) public static final int QP_NUM = 4;
        @Width(24) public static final int CAP = 8;
        @Width(4) public static final int CAP_MAX_SEND_WR = 8;
        @Width(4) public static final int CAP_MAX_RECV_WR = 12;
        @Width(4) public static final int CAP_MAX_SEND_SGE = 16;
        @Width(4) public static final int CAP_MAX_RECV_SGE = 20;
        @Width(4) public static final int CAP_MAX_INLINE_DATA = 24;
        @Width(4) public static final int CAP_RESERVED = 28;
        @Width(8) public static final int SHM_SIZE = 32;
        /** sizeof. */
        public static final int SIZE = 40;

        private CreateQpResp() {
        }
    }

    /** {@code struct ff_ah_attr}. */
    public static final class AhAttr {
        @Width(16) public static final int DGID = 0;
        @Width(4) public static final int FLOW_LABEL = 16;
        @Width(1) public static final int SGID_INDEX = 20;
        @Width(1) public static final int HOP_LIMIT = 21;
        @Width(1) public static final int TRAFFIC_CLASS = 22;
        @Width(1) public static final int IS_GLOBAL = 23;
        @Width(2) public static final int DLID = 24;
        @Width(1) public static final int SL = 26;
        @Width(1) public static final int SRC_PATH_BITS = 27;
        @Width(1) public static final int STATIC_RATE = 28;
        @Width(1) public static final int PORT_NUM = 29;
        @Width(2) public static final int RESERVED = 30;
        /** sizeof. */
        public static final int SIZE = 32;

        private AhAttr() {
        }
    }

    /** {@code struct ff_qp_attr}. */
    public static final class QpAttr {
        @Width(4) public static final int QP_STATE = 0;
        @Width(4) public static final int CUR_QP_STATE = 4;
        @Width(4) public static final int PATH_MTU = 8;
        @Width(4) public static final int QP_ACCESS_FLAGS = 12;
        @Width(4) public static final int QKEY = 16;
        @Width(4) public static final int RQ_PSN = 20;
        @Width(4) public static final int SQ_PSN = 24;
        @Width(4) public static final int DEST_QP_NUM = 28;
        @Width(24) public static final int CAP = 32;
        @Width(4) public static final int CAP_MAX_SEND_WR = 32;
        @Width(4) public static final int CAP_MAX_RECV_WR = 36;
        @Width(4) public static final int CAP_MAX_SEND_SGE = 40;
        @Width(4) public static final int CAP_MAX_RECV_SGE = 44;
        @Width(4) public static final int CAP_MAX_INLINE_DATA = 48;
        @Width(4) public static final int CAP_RESERVED = 52;
        @Width(32) public static final int AH_ATTR = 56;
        @Width(16) public static final int AH_ATTR_DGID = 56;
        @Width(4) public static final int AH_ATTR_FLOW_LABEL = 72;
        @Width(1) public static final int AH_ATTR_SGID_INDEX = 76;
        @Width(1) public static final int AH_ATTR_HOP_LIMIT = 77;
        @Width(1) public static final int AH_ATTR_TRAFFIC_CLASS = 78;
        @Width(1) public static final int AH_ATTR_IS_GLOBAL = 79;
        @Width(2) public static final int AH_ATTR_DLID = 80;
        @Width(1) public static final int AH_ATTR_SL = 82;
        @Width(1) public static final int AH_ATTR_SRC_PATH_BITS = 83;
        @Width(1) public static final int AH_ATTR_STATIC_RATE = 84;
        @Width(1) public static final int AH_ATTR_PORT_NUM = 85;
        @Width(2) public static final int AH_ATTR_RESERVED = 86;
        @Width(2) public static final int PKEY_INDEX = 88;
        @Width(1) public static final int PORT_NUM = 90;
        @Width(1) public static final int MAX_RD_ATOMIC = 91;
        @Width(1) public static final int MAX_DEST_RD_ATOMIC = 92;
        @Width(1) public static final int MIN_RNR_TIMER = 93;
        @Width(1) public static final int TIMEOUT = 94;
        @Width(1) public static final int RETRY_CNT = 95;
        @Width(1) public static final int RNR_RETRY = 96;
        @Width(1) public static final int SQ_DRAINING = 97;
        @Width(1) public static final int EN_SQD_ASYNC_NOTIFY = 98;
        @Width(1) public static final int RESERVED = 99;
        @Width(4) public static final int RESERVED2 = 100;
        /** sizeof. */
        public static final int SIZE = 104;

        private QpAttr() {
        }
    }

    /** {@code struct ff_modify_qp_req}. */
    public static final class ModifyQpReq {
        @Width(4) public static final int HANDLE = 0;
        @Width(4) public static final int ATTR_MASK = 4;
        @Width(104) public static final int ATTR = 8;
        @Width(4) public static final int ATTR_QP_STATE = 8;
        @Width(4) public static final int ATTR_CUR_QP_STATE = 12;
        @Width(4) public static final int ATTR_PATH_MTU = 16;
        @Width(4) public static final int ATTR_QP_ACCESS_FLAGS = 20;
        @Width(4) public static final int ATTR_QKEY = 24;
        @Width(4) public static final int ATTR_RQ_PSN = 28;
        @Width(4) public static final int ATTR_SQ_PSN = 32;
        @Width(4) public static final int ATTR_DEST_QP_NUM = 36;
        @Width(24) public static final int ATTR_CAP = 40;
        @Width(4) public static final int ATTR_CAP_MAX_SEND_WR = 40;
        @Width(4) public static final int ATTR_CAP_MAX_RECV_WR = 44;
        @Width(4) public static final int ATTR_CAP_MAX_SEND_SGE = 48;
        @Width(4) public static final int ATTR_CAP_MAX_RECV_SGE = 52;
        @Width(4) public static final int ATTR_CAP_MAX_INLINE_DATA = 56;
        @Width(4) public static final int ATTR_CAP_RESERVED = 60;
        @Width(32) public static final int ATTR_AH_ATTR = 64;
        @Width(16) public static final int ATTR_AH_ATTR_DGID = 64;
        @Width(4) public static final int ATTR_AH_ATTR_FLOW_LABEL = 80;
        @Width(1) public static final int ATTR_AH_ATTR_SGID_INDEX = 84;
        @Width(1) public static final int ATTR_AH_ATTR_HOP_LIMIT = 85;
        @Width(1) public static final int ATTR_AH_ATTR_TRAFFIC_CLASS = 86;
        @Width(1) public static final int ATTR_AH_ATTR_IS_GLOBAL = 87;
        @Width(2) public static final int ATTR_AH_ATTR_DLID = 88;
        @Width(1) public static final int ATTR_AH_ATTR_SL = 90;
        @Width(1) public static final int ATTR_AH_ATTR_SRC_PATH_BITS = 91;
        @Width(1) public static final int ATTR_AH_ATTR_STATIC_RATE = 92;
        @Width(1) public static final int ATTR_AH_ATTR_PORT_NUM = 93;
        @Width(2) public static final int ATTR_AH_ATTR_RESERVED = 94;
        @Width(2) public static final int ATTR_PKEY_INDEX = 96;
        @Width(1) public static final int ATTR_PORT_NUM = 98;
        @Width(1) public static final int ATTR_MAX_RD_ATOMIC = 99;
        @Width(1) public static final int ATTR_MAX_DEST_RD_ATOMIC = 100;
        @Width(1) public static final int ATTR_MIN_RNR_TIMER = 101;
        @Width(1) public static final int ATTR_TIMEOUT = 102;
        @Width(1) public static final int ATTR_RETRY_CNT = 103;
        @Width(1) public static final int ATTR_RNR_RETRY = 104;
        @Width(1) public static final int ATTR_SQ_DRAINING = 105;
        @Width(1) public static final int ATTR_EN_SQD_ASYNC_NOTIFY = 106;
        @Width(1) public static final int ATTR_RESERVED = 107;
        @Width(4) public static final int ATTR_RESERVED2 = 108;
        /** sizeof. */
        public static final int SIZE = 112;

        private ModifyQpReq() {
        }
    }

    /** {@code struct ff_query_qp_req}. */
    public static final class QueryQpReq {
        @Width(4) public static final int HANDLE = 0;
        @Width(4) public static final int ATTR_MASK = 4;
        /** sizeof. */
        public static final int SIZE = 8;

        private QueryQpReq() {
        }
    }

    /** {@code struct ff_query_qp_resp}. */
    public static final class QueryQpResp {
        @Width(104) public static final int ATTR = 0;
        @Width(4) public static final int ATTR_QP_STATE = 0;
        @Width(4) public static final int ATTR_CUR_QP_STATE = 4;
        @Width(4) public static final int ATTR_PATH_MTU = 8;
        @Width(4) public static final int ATTR_QP_ACCESS_FLAGS = 12;
        @Width(4) public static final int ATTR_QKEY = 16;
        @Width(4) public static final int ATTR_RQ_PSN = 20;
        @Width(4) public static final int ATTR_SQ_PSN = 24;
        @Width(4) public static final int ATTR_DEST_QP_NUM = 28;
        @Width(24) public static final int ATTR_CAP = 32;
        @Width(4) public static final int ATTR_CAP_MAX_SEND_WR = 32;
        @Width(4) public static final int ATTR_CAP_MAX_RECV_WR = 36;
        @Width(4) public static final int ATTR_CAP_MAX_SEND_SGE = 40;
        @Width(4) public static final int ATTR_CAP_MAX_RECV_SGE = 44;
        @Width(4) public static final int ATTR_CAP_MAX_INLINE_DATA = 48;
        @Width(4) public static final int ATTR_CAP_RESERVED = 52;
        @Width(32) public static final int ATTR_AH_ATTR = 56;
        @Width(16) public static final int ATTR_AH_ATTR_DGID = 56;
        @Width(4) public static final int ATTR_AH_ATTR_FLOW_LABEL = 72;
        @Width(1) public static final int ATTR_AH_ATTR_SGID_INDEX = 76;
        @Width(1) public static final int ATTR_AH_ATTR_HOP_LIMIT = 77;
        @Width(1) public static final int ATTR_AH_ATTR_TRAFFIC_CLASS = 78;
        @Width(1) public static final int ATTR_AH_ATTR_IS_GLOBAL = 79;
        @Width(2) public static final int ATTR_AH_ATTR_DLID = 80;
        @Width(1) public static final int ATTR_AH_ATTR_SL = 82;
        @Width(1) public static final int ATTR_AH_ATTR_SRC_PATH_BITS = 83;
        @Width(1) public static final int ATTR_AH_ATTR_STATIC_RATE = 84;
        @Width(1) public static final int ATTR_AH_ATTR_PORT_NUM = 85;
        @Width(2) public static final int ATTR_AH_ATTR_RESERVED = 86;
        @Width(2) public static final int ATTR_PKEY_INDEX = 88;
        @Width(1) public static final int ATTR_PORT_NUM = 90;
        @Width(1) public static final int ATTR_MAX_RD_ATOMIC = 91;
        @Width(1) public static final int ATTR_MAX_DEST_RD_ATOMIC = 92;
        @Width(1) public static final int ATTR_MIN_RNR_TIMER = 93;
        @Width(1) public static final int ATTR_TIMEOUT = 94;
        @Width(1) public static final int ATTR_RETRY_CNT = 95;
        @Width(1) public static final int ATTR_RNR_RETRY = 96;
        @Width(1) public static final int ATTR_SQ_DRAINING = 97;
        @Width(1) public static final int ATTR_EN_SQD_ASYNC_NOTIFY = 98;
        @Width(1) public static final int ATTR_RESERVED = 99;
        @Width(4) public static final int ATTR_RESERVED2 = 100;
        @Width(4) public static final int QP_TYPE = 104;
        @Width(4) public static final int SQ_SIG_ALL = 108;
        /** sizeof. */
        public static final int SIZE = 112;

        private QueryQpResp() {
        }
    }

    /** {@code struct ff_async_event}. */
    public static final class AsyncEvent {
        @Width(4) public static final int EVENT_TYPE = 0;
        @Width(4) public static final int ELEMENT = 4;
        @Width(4) public static final int HANDLE = 8;
        @Width(4) public static final int RESERVED = 12;
        /** sizeof. */
        public static final int SIZE = 16;

        private AsyncEvent() {
        }
    }

    /** {@code struct ff_srq_attr}. */
    public static final class SrqAttr {
        @Width(4) public static final int MAX_WR = 0;
        @Width(4) public static final int MAX_SGE = 4;
        @Width(4) public static final int SRQ_LIMIT = 8;
        @Width(4) public static final int RESERVED = 12;
        /** sizeof. */
        public static final int SIZE = 16;

        private SrqAttr() {
        }
    }

    /** {@code struct ff_open_xrcd_req}. */
    public static final class OpenXrcdReq {
        @Width(4) public static final int FLAGS = 0;
        @Width(4) public static final int FILE = 4;
        /** sizeof. */
        public static final int SIZE = 8;

        private OpenXrcdReq() {
        }
    }

    /** {@code struct ff_create_srq_req}. */
    public static final class CreateSrqReq {
        @Width(4) public static final int PD_HANDLE = 0;
        @Width(4) public static final int SRQ_TYPE = 4;
        @Width(16) public static final int ATTR = 8;
        @Width(4) public static final int ATTR_MAX_WR = 8;
        @Width(4) public static final int ATTR_MAX_SGE = 12;
        @Width(4) public static final int ATTR_SRQ_LIMIT = 16;
        @Width(4) public static final int ATTR_RESERVED = 20;
        @Width(4) public static final int XRCD = 24;
        @Width(4) public static final int CQ = 28;
        /** sizeof. */
        public static final int SIZE = 32;

        private CreateSrqReq() {
        }
    }

    /** {@code struct ff_create_srq_resp}. */
    public static final class CreateSrqResp {
        @Width(4) public static final int HANDLE = 0;
        @Width(4) public static final int SRQ_NUM = 4;
        @Width(16) public static final int ATTR = 8;
        @Width(4) public static final int ATTR_MAX_WR = 8;
        @Width(4) public static final int ATTR_MAX_SGE = 12;
        @Width(4) public static final int ATTR_SRQ_LIMIT = 16;
        @Width(4) public static final int ATTR_RESERVED = 20;
        @Width(8) public static final int SHM_SIZE = 24;
        /** sizeof. */
        public static final int SIZE = 32;

        private CreateSrqResp() {
        }
    }

    /** {@code struct ff_modify_srq_req}. */
    public static final class ModifySrqReq {
        @Width(4) public static final int HANDLE = 0;
        @Width(4) public static final int ATTR_MASK = 4;
        @Width(16) public static final int ATTR = 8;
        @Width(4) public static final int ATTR_MAX_WR = 8;
        @Width(4) public static final int ATTR_MAX_SGE = 12;
        @Width(4) public static final int ATTR_SRQ_LIMIT = 16;
        @Width(4) public static final int ATTR_RESERVED = 20;
        /** sizeof. */
        public static final int SIZE = 24;

        private ModifySrqReq() {
        }
    }

    /** {@code struct ff_port_attr}: the live state of a virtual port. */
    public static final class PortAttr {
        @Width(1) public static final int PORT_STATE = 0;
        @Width(1) public static final int PHYS_STATE = 1;
        @Width(2) public static final int RESERVED0 = 2;
        @Width(4) public static final int RESERVED1 = 4;
        /** sizeof. */
        public static final int SIZE = 8;

        private PortAttr() {
        }
    }

    /** {@code struct ff_destroy_resp}. */
    public static final class DestroyResp {
        @Width(4) public static final int EVENTS_DROPPED = 0;
        @Width(4) public static final int RESERVED = 4;
        /** sizeof. */
        public static final int SIZE = 8;

        private DestroyResp() {
        }
    }

    /** {@code struct ff_container_req}. */
    public static final class ContainerReq {
        @Width(64) public static final int NAME = 0;
        @Width(64) public static final int TENANT = 64;
        /** sizeof. */
        public static final int SIZE = 128;

        private ContainerReq() {
        }
    }

    /** {@code struct ff_container_identity}: who may use a container's socket. */
    public static final class ContainerIdentity {
        @Width(4) public static final int FLAGS = 0;
        @Width(4) public static final int UID = 4;
        @Width(4) public static final int GID = 8;
        @Width(4) public static final int RESERVED = 12;
        @Width(256) public static final int CGROUP = 16;
        /** sizeof. */
        public static final int SIZE = 272;

        private ContainerIdentity() {
        }
    }

    /** {@code struct ff_attach_req}: FF_OP_ADMIN_ADD_CONTAINER, the netns fd riding along. */
    public static final class AttachReq {
        @Width(128) public static final int CONTAINER = 0;
        @Width(64) public static final int CONTAINER_NAME = 0;
        @Width(64) public static final int CONTAINER_TENANT = 64;
        @Width(272) public static final int IDENTITY = 128;
        @Width(4) public static final int IDENTITY_FLAGS = 128;
        @Width(4) public static final int IDENTITY_UID = 132;
        @Width(4) public static final int IDENTITY_GID = 136;
        @Width(4) public static final int IDENTITY_RESERVED = 140;
        @Width(256) public static final int IDENTITY_CGROUP = 144;
        /** sizeof. */
        public static final int SIZE = 400;

        private AttachReq() {
        }
    }

    /** {@code struct ff_port_req}: an operator sets a container's port state. */
    public static final class PortReq {
        @Width(64) public static final int NAME = 0;
        @Width(4) public static final int PORT_STATE = 64;
        @Width(4) public static final int RESERVED = 68;
        /** sizeof. */
        public static final int SIZE = 72;

        private PortReq() {
        }
    }

    /**
     * {@code struct ff_cluster_info}: FF_OP_ADMIN_CLUSTER's reply.
     *
     * @since 3.3
     */
    public static final class ClusterInfo {
        @Width(8) public static final int TOPOLOGY_VERSION = 0;
        @Width(4) public static final int SERVERS = 8;
        @Width(4) public static final int HOSTS_RUNNING = 12;
        @Width(4) public static final int HOSTS_LOST = 16;
        @Width(4) public static final int HOST_REGISTERED = 20;
        /** sizeof. */
        public static final int SIZE = 24;

        private ClusterInfo() {
        }
    }

    /** {@code struct ff_container_info}. */
    public static final class ContainerInfo {
        @Width(64) public static final int NAME = 0;
        @Width(64) public static final int TENANT = 64;
        @Width(108) public static final int SOCKET_PATH = 128;
        @Width(2) public static final int LID = 236;
        @Width(1) public static final int PREFIX_LEN = 238;
        @Width(1) public static final int RESERVED0 = 239;
        @Width(4) public static final int VIP = 240;
        @Width(4) public static final int RESERVED1 = 244;
        @Width(16) public static final int GID = 248;
        /** sizeof. */
        public static final int SIZE = 264;

        private ContainerInfo() {
        }
    }

    /** {@code struct ff_ring_ctrl}. */
    public static final class RingCtrl {
        @Width(4) public static final int PROD = 0;
        @Width(60) public static final int PAD0 = 4;
        @Width(4) public static final int CONS = 64;
        @Width(60) public static final int PAD1 = 68;
        /** sizeof. */
        public static final int SIZE = 128;

        private RingCtrl() {
        }
    }

    /** {@code struct ff_router_shm}: the router page, mapped read-only by the FFL. */
    public static final class RouterShm {
        @Width(4) public static final int SLEEPING = 0;
        @Width(4) public static final int MODE = 4;
        @Width(4) public static final int BARRIER = 8;
        @Width(52) public static final int RESERVED = 12;
        /** sizeof. */
        public static final int SIZE = 64;

        private RouterShm() {
        }
    }

    /** {@code struct ff_qp_shm}. */
    public static final class QpShm {
        @Width(128) public static final int SQ = 0;
        @Width(4) public static final int SQ_PROD = 0;
        @Width(60) public static final int SQ_PAD0 = 4;
        @Width(4) public static final int SQ_CONS = 64;
        @Width(60) public static final int SQ_PAD1 = 68;
        @Width(128) public static final int RQ = 128;
        @Width(4) public static final int RQ_PROD = 128;
        @Width(60) public static final int RQ_PAD0 = 132;
        @Width(4) public static final int RQ_CONS = 192;
        @Width(60) public static final int RQ_PAD1 = 196;
        @Width(4) public static final int SQ_SLOTS = 256;
        @Width(4) public static final int SQ_SLOT_SIZE = 260;
        @Width(4) public static final int RQ_SLOTS = 264;
        @Width(4) public static final int RQ_SLOT_SIZE = 268;
        @Width(8) public static final int SQ_OFFSET = 272;
        @Width(8) public static final int RQ_OFFSET = 280;
        @Width(4) public static final int QP_NUM = 288;
        @Width(4) public static final int STATE = 292;
        @Width(4) public static final int DOORBELL = 296;
        @Width(4) public static final int RESERVED = 300;
        /** sizeof. */
        public static final int SIZE = 304;

        private QpShm() {
        }
    }

    /** {@code struct ff_sge}. */
    public static final class Sge {
        @Width(8) public static final int ADDR = 0;
        @Width(4) public static final int LENGTH = 8;
        @Width(4) public static final int LKEY = 12;
        /** sizeof. */
        public static final int SIZE = 16;

        private Sge() {
        }
    }

    /** {@code struct ff_srq_shm}. */
    public static final class SrqShm {
        @Width(128) public static final int RQ = 0;
        @Width(4) public static final int RQ_PROD = 0;
        @Width(60) public static final int RQ_PAD0 = 4;
        @Width(4) public static final int RQ_CONS = 64;
        @Width(60) public static final int RQ_PAD1 = 68;
        @Width(4) public static final int SLOTS = 128;
        @Width(4) public static final int SLOT_SIZE = 132;
        @Width(8) public static final int OFFSET = 136;
        /** sizeof. */
        public static final int SIZE = 144;

        private SrqShm() {
        }
    }

    /** {@code struct ff_send_wqe}. */
    public static final class SendWqe {
        @Width(8) public static final int WR_ID = 0;
        @Width(4) public static final int OPCODE = 8;
        @Width(4) public static final int SEND_FLAGS = 12;
        @Width(4) public static final int IMM_DATA = 16;
        @Width(4) public static final int NUM_SGE = 20;
        @Width(8) public static final int REMOTE_ADDR = 24;
        @Width(4) public static final int RKEY = 32;
        @Width(4) public static final int INLINE_LEN = 36;
        @Width(8) public static final int COMPARE_ADD = 40;
        @Width(8) public static final int SWAP = 48;
        /** UD with a GRH: shares the bytes of COMPARE_ADD and SWAP. */
        @Width(16) public static final int DGID = 40;
        @Width(4) public static final int REMOTE_QPN = 56;
        /** XRC_SEND: shares the bytes of REMOTE_QPN. */
        @Width(4) public static final int REMOTE_SRQN = 56;
        @Width(4) public static final int REMOTE_QKEY = 60;
        @Width(4) public static final int FLOW_LABEL = 64;
        @Width(2) public static final int DLID = 68;
        @Width(1) public static final int SL = 70;
        @Width(1) public static final int IS_GLOBAL = 71;
        @Width(1) public static final int TRAFFIC_CLASS = 72;
        @Width(1) public static final int HOP_LIMIT = 73;
        @Width(6) public static final int RESERVED = 74;
        /** sizeof. */
        public static final int SIZE = 80;

        private SendWqe() {
        }
    }

    /** {@code struct ff_recv_wqe}. */
    public static final class RecvWqe {
        @Width(8) public static final int WR_ID = 0;
        @Width(4) public static final int NUM_SGE = 8;
        @Width(4) public static final int RESERVED = 12;
        /** sizeof. */
        public static final int SIZE = 16;

        private RecvWqe() {
        }
    }

    /** {@code struct ff_cq_shm}. */
    public static final class CqShm {
        @Width(128) public static final int RING = 0;
        @Width(4) public static final int RING_PROD = 0;
        @Width(60) public static final int RING_PAD0 = 4;
        @Width(4) public static final int RING_CONS = 64;
        @Width(60) public static final int RING_PAD1 = 68;
        @Width(4) public static final int SLOTS = 128;
        @Width(4) public static final int ENTRY_SIZE = 132;
        @Width(4) public static final int ARMED = 136;
        @Width(4) public static final int NOTIFIED = 140;
        /** sizeof. */
        public static final int SIZE = 144;

        private CqShm() {
        }
    }

    /** {@code struct ff_cqe}. */
    public static final class Cqe {
        @Width(8) public static final int WR_ID = 0;
        @Width(4) public static final int STATUS = 8;
        @Width(4) public static final int OPCODE = 12;
        @Width(4) public static final int VENDOR_ERR = 16;
        @Width(4) public static final int BYTE_LEN = 20;
        @Width(4) public static final int IMM_DATA = 24;
        @Width(4) public static final int QP_NUM = 28;
        @Width(4) public static final int SRC_QP = 32;
        @Width(4) public static final int WC_FLAGS = 36;
        @Width(2) public static final int PKEY_INDEX = 40;
        @Width(2) public static final int SLID = 42;
        @Width(1) public static final int SL = 44;
        @Width(1) public static final int DLID_PATH_BITS = 45;
        @Width(2) public static final int RESERVED0 = 46;
        @Width(8) public static final int TIMESTAMP = 48;
        @Width(8) public static final int RESERVED1 = 56;
        /** sizeof. */
        public static final int SIZE = 64;

        private Cqe() {
        }
    }
}
