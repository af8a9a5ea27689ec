package org.freeflow.router.internal;

import org.freeflow.fastpath.api.Verbs;

/**
 * What the virtual device reports and enforces (ibv_query_device and
 * ibv_query_port of every container's {@code freeflow0}).
 */
public final class RouterDefaults {

    /** Frequency of the clock of completion timestamps: System.nanoTime(), 1 GHz. */
    public static final long COMPLETION_CLOCK_KHZ = 1_000_000L;
    /** PCI vendor: Red Hat / virtio, so perftest takes the plain post_send path. */
    public static final int VENDOR_ID = 0x1af4;
    public static final int VENDOR_PART_ID = 0xff01;
    public static final String FW_VERSION = "freeflow-0.1.0";

    public static final int MAX_QP = 1 << 18;
    public static final int MAX_QP_WR = 16384;
    public static final int MAX_SGE = 32;
    /** Shared receive queues per context, the receives one holds, SGEs per receive. */
    public static final int MAX_SRQ = 1 << 16;
    public static final int MAX_SRQ_WR = 16384;
    public static final int MAX_SRQ_SGE = MAX_SGE;
    public static final int MAX_CQ = 1 << 16;
    /** Completion channels per context. */
    public static final int MAX_COMP_CHANNEL = 1 << 10;
    public static final int MAX_CQE = 4194303;
    public static final int MAX_MR = 1 << 20;
    public static final int MAX_PD = 1 << 16;
    /** XRC domains a context may have open. */
    public static final int MAX_XRCD = 1 << 16;
    public static final int MAX_QP_RD_ATOM = 16;
    /**
     * IBV_ATOMIC_HCA: atomics are atomic against other atomics through this
     * device (the router's locked instructions on the shared pages).
     */
    public static final int ATOMIC_CAP = Verbs.ATOMIC_HCA;
    public static final int MAX_INLINE_DATA = 256;
    /** Address handles per container (they live in the FFL; the router only reports the limit). */
    public static final int MAX_AH = 1 << 16;
    /** The port's active MTU in bytes: the largest UD message. */
    public static final int PORT_MTU_BYTES = 4096;
    /** Largest message: 2 GiB. */
    public static final long MAX_MSG_SIZE = 1L << 31;
    /** Page sizes the device accepts (4 KiB and up). */
    public static final long PAGE_SIZE_CAP = 0xfffffffffffff000L;

    /** The one port of the device. */
    public static final int PORT_NUM = 1;
    /** Port: 4X EDR, link up. */
    public static final int ACTIVE_WIDTH_4X = 2;
    public static final int ACTIVE_SPEED_EDR = 32;
    public static final int PHYS_STATE_LINK_UP = 5;
    /** The physical state of a port an operator took down. */
    public static final int PHYS_STATE_DISABLED = 3;
    /** OUI-style prefix of node GUIDs; the low 16 bits are the LID. */
    public static final long NODE_GUID_PREFIX = 0x021af4fffe000000L;

    private RouterDefaults() {
    }

    /** The node GUID of the port with this LID (host byte order). */
    public static long nodeGuid(int lid) {
        return NODE_GUID_PREFIX | (lid & 0xffff);
    }
}
