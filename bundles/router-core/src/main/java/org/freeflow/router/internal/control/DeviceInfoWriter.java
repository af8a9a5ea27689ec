package org.freeflow.router.internal.control;

import static org.freeflow.fastpath.api.Abi.DeviceInfo.*;

import org.freeflow.fastpath.api.Abi;
import org.freeflow.fastpath.api.Verbs;
import org.freeflow.router.internal.RouterDefaults;
import org.freeflow.router.internal.vnic.VirtualNic;

/** The OPEN reply: what ibv_query_device, ibv_query_port and ibv_query_gid report. */
final class DeviceInfoWriter {

    private DeviceInfoWriter() {
    }

    static void write(Reply reply, VirtualNic vnic, String deviceName) {
        long guid = Long.reverseBytes(RouterDefaults.nodeGuid(vnic.lid()));
        reply.putString(NAME, 64, deviceName);
        reply.putString(FW_VER, 64, RouterDefaults.FW_VERSION);
        reply.putLong(NODE_GUID, guid);
        reply.putLong(SYS_IMAGE_GUID, guid);
        reply.putLong(MAX_MR_SIZE, Abi.MEMFD_SIZE);
        reply.putLong(PAGE_SIZE_CAP, RouterDefaults.PAGE_SIZE_CAP);
        reply.putInt(VENDOR_ID, RouterDefaults.VENDOR_ID);
        reply.putInt(VENDOR_PART_ID, RouterDefaults.VENDOR_PART_ID);
        reply.putInt(HW_VER, 0);
        reply.putInt(MAX_QP, RouterDefaults.MAX_QP);
        reply.putInt(MAX_QP_WR, RouterDefaults.MAX_QP_WR);
        reply.putInt(MAX_SGE, RouterDefaults.MAX_SGE);
        reply.putInt(MAX_CQ, RouterDefaults.MAX_CQ);
        reply.putInt(MAX_CQE, RouterDefaults.MAX_CQE);
        reply.putInt(MAX_MR, RouterDefaults.MAX_MR);
        reply.putInt(MAX_PD, RouterDefaults.MAX_PD);
        reply.putInt(MAX_QP_RD_ATOM, RouterDefaults.MAX_QP_RD_ATOM);
        reply.putInt(MAX_QP_INIT_RD_ATOM, RouterDefaults.MAX_QP_RD_ATOM);
        reply.putInt(MAX_SRQ, RouterDefaults.MAX_SRQ);
        reply.putInt(MAX_SRQ_WR, RouterDefaults.MAX_SRQ_WR);
        reply.putInt(MAX_SRQ_SGE, RouterDefaults.MAX_SRQ_SGE);
        reply.putInt(MAX_AH, RouterDefaults.MAX_AH);
        reply.putInt(MAX_INLINE_DATA, RouterDefaults.MAX_INLINE_DATA);
        reply.putInt(ATOMIC_CAP, RouterDefaults.ATOMIC_CAP);
        reply.putInt(PORT_CAP_FLAGS, 0);
        reply.putInt(MAX_MSG_SZ, (int) RouterDefaults.MAX_MSG_SIZE);
        reply.putShort(LID, vnic.lid());
        reply.putShort(SM_LID, 0);
        reply.putByte(PORT_STATE, vnic.portState());
        reply.putByte(MAX_MTU, Verbs.MTU_4096);
        reply.putByte(ACTIVE_MTU, Verbs.MTU_4096);
        reply.putByte(LINK_LAYER, Verbs.LINK_LAYER_INFINIBAND);
        reply.putByte(ACTIVE_WIDTH, RouterDefaults.ACTIVE_WIDTH_4X);
        reply.putByte(ACTIVE_SPEED, RouterDefaults.ACTIVE_SPEED_EDR);
        reply.putByte(PHYS_STATE, vnic.physState());
        reply.putShort(GID_TBL_LEN, 1);
        reply.putShort(PKEY_TBL_LEN, 1);
        reply.putBytes(GID, vnic.gid());
        reply.putBytes(VIP, vnic.virtualIp());
        reply.putString(CONTAINER, 64, vnic.name());
        // completion timestamps (FF_CQ_F_TIMESTAMP) are the router's CLOCK_MONOTONIC in ns: a 1 GHz clock
        reply.putLong(HCA_CORE_CLOCK, RouterDefaults.COMPLETION_CLOCK_KHZ);
        reply.putLong(COMPLETION_TIMESTAMP_MASK, -1L);
        reply.length(SIZE);
    }
}
