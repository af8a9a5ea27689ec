package org.freeflow.router.internal.loopback;

import java.nio.ByteBuffer;
import org.freeflow.fastpath.api.Abi;
import org.freeflow.fastpath.api.Abi.QpShm;
import org.freeflow.fastpath.api.Abi.RecvWqe;
import org.freeflow.fastpath.api.Abi.SendWqe;
import org.freeflow.fastpath.api.RingIndex;
import org.freeflow.fastpath.api.Verbs;
import org.freeflow.posix.api.FileDescriptors;
import org.freeflow.posix.api.MappedRegion;
import org.freeflow.posix.api.MemFd;
import org.freeflow.posix.api.PosixException;
import org.freeflow.router.internal.vnic.Grants;
import org.freeflow.router.internal.vnic.QpRequest;
import org.freeflow.router.internal.vnic.VerbsContext;

/**
 * The FFL's view of a QP memfd: posts work requests as ibv_post_send /
 * ibv_post_recv do (a full queue throws IllegalStateException, where the FFL
 * returns ENOMEM).
 */
public final class FflQueuePair implements AutoCloseable {

    /** The router's handle of the QP; 0 when mapped from a bare QPN and ring. */
    public final int handle;
    public final int qpn;
    private final MappedRegion mapping;
    private final ByteBuffer shm;
    private volatile FflBell bell;

    /** Maps the ring memfd (and closes the descriptor). */
    public FflQueuePair(int qpn, int fd) throws PosixException {
        this(0, qpn, fd);
    }

    private FflQueuePair(int handle, int qpn, int fd) throws PosixException {
        this.handle = handle;
        this.qpn = qpn;
        this.mapping = FflQueuePair.mapRing(fd);
        this.shm = mapping.chunk(0);
    }

    /** ibv_create_qp in {@code ctx}: the new QP, its ring mapped. */
    public static FflQueuePair create(VerbsContext ctx, QpRequest request) throws PosixException {
        Grants.Qp qp = ctx.createQp(request);
        return new FflQueuePair(qp.handle(), qp.qpn(), qp.fd());
    }

    /** Maps a whole ring memfd the router sent, and closes the descriptor. */
    public static MappedRegion mapRing(int fd) throws PosixException {
        try {
            return MappedRegion.map(fd, 0, MemFd.size(fd), true);
        } finally {
            FileDescriptors.closeQuietly(fd);
        }
    }

    /** From now on every post rings {@code doorbell} when a poller sleeps (null: never rings). */
    public void ringing(FflBell doorbell) {
        this.bell = doorbell;
    }

    /** ff_qp_shm.state, the router's mirror. */
    public int state() {
        return RingIndex.loadAcquire(shm, QpShm.STATE);
    }

    public void postSend(long wrId, int opcode, int flags, long remoteAddr, int rkey, int imm, Sge... sges) {
        writeSend(wrId, opcode, flags, remoteAddr, rkey, imm, sges);
        publish(QpShm.SQ_PROD);
    }

    /** An XRC initiator's work request to the SRQ numbered {@code srqn} of its target's domain. */
    public void postXrc(long wrId, int opcode, int flags, long remoteAddr, int rkey, int srqn, Sge... sges) {
        int slot = writeSend(wrId, opcode, flags, remoteAddr, rkey, 0, sges);
        shm.putInt(slot + SendWqe.REMOTE_SRQN, srqn);
        publish(QpShm.SQ_PROD);
    }

    /** Writes the next send slot (not yet published) and returns its offset. */
    private int writeSend(long wrId, int opcode, int flags, long remoteAddr, int rkey, int imm, Sge... sges) {
        int slot = sendSlot();
        shm.putLong(slot + SendWqe.WR_ID, wrId);
        shm.putInt(slot + SendWqe.OPCODE, opcode);
        shm.putInt(slot + SendWqe.SEND_FLAGS, flags);
        shm.putInt(slot + SendWqe.IMM_DATA, imm);
        shm.putInt(slot + SendWqe.NUM_SGE, sges.length);
        shm.putLong(slot + SendWqe.REMOTE_ADDR, remoteAddr);
        shm.putInt(slot + SendWqe.RKEY, rkey);
        shm.putInt(slot + SendWqe.INLINE_LEN, 0);
        for (int i = 0; i < sges.length; i++) {
            int at = slot + SendWqe.SIZE + i * Abi.Sge.SIZE;
            shm.putLong(at + Abi.Sge.ADDR, sges[i].addr());
            shm.putInt(at + Abi.Sge.LENGTH, sges[i].length());
            shm.putInt(at + Abi.Sge.LKEY, sges[i].lkey());
        }
        return slot;
    }

    /** A UD send to {@code remoteQpn} at {@code to} with {@code qkey} (high bit: the QP's own). */
    public void postDatagram(long wrId, int opcode, int flags, int imm, UdAddress to, int remoteQpn, int qkey,
            Sge... sges) {
        int slot = sendSlot();
        shm.put(slot + SendWqe.DGID, to.dgid() == null ? new byte[16] : to.dgid());
        shm.putInt(slot + SendWqe.REMOTE_QPN, remoteQpn);
        shm.putInt(slot + SendWqe.REMOTE_QKEY, qkey);
        shm.putInt(slot + SendWqe.FLOW_LABEL, to.flowLabel());
        shm.putShort(slot + SendWqe.DLID, (short) to.dlid());
        shm.put(slot + SendWqe.SL, (byte) to.sl());
        shm.put(slot + SendWqe.IS_GLOBAL, (byte) (to.dgid() == null ? 0 : 1));
        shm.put(slot + SendWqe.TRAFFIC_CLASS, (byte) to.trafficClass());
        shm.put(slot + SendWqe.HOP_LIMIT, (byte) to.hopLimit());
        postSend(wrId, opcode, flags, 0, 0, imm, sges);
    }

    /** An atomic (CMP_AND_SWP or FETCH_AND_ADD) whose original value lands in {@code sges}. */
    public void postAtomic(long wrId, int opcode, int flags, long remoteAddr, int rkey, long compareAdd, long swap,
            Sge... sges) {
        int slot = sendSlot();
        shm.putLong(slot + SendWqe.COMPARE_ADD, compareAdd);
        shm.putLong(slot + SendWqe.SWAP, swap);
        postSend(wrId, opcode, flags, remoteAddr, rkey, 0, sges);
    }

    public void postInline(long wrId, int opcode, int flags, long remoteAddr, int rkey, byte[] data) {
        int slot = sendSlot();
        shm.putLong(slot + SendWqe.WR_ID, wrId);
        shm.putInt(slot + SendWqe.OPCODE, opcode);
        shm.putInt(slot + SendWqe.SEND_FLAGS, flags | Verbs.SEND_INLINE);
        shm.putInt(slot + SendWqe.NUM_SGE, 0);
        shm.putLong(slot + SendWqe.REMOTE_ADDR, remoteAddr);
        shm.putInt(slot + SendWqe.RKEY, rkey);
        shm.putInt(slot + SendWqe.INLINE_LEN, data.length);
        shm.put(slot + SendWqe.SIZE, data);
        publish(QpShm.SQ_PROD);
    }

    public void postRecv(long wrId, Sge... sges) {
        writeRecv(shm, QpShm.RQ, shm.getInt(QpShm.RQ_SLOTS), shm.getLong(QpShm.RQ_OFFSET),
                shm.getInt(QpShm.RQ_SLOT_SIZE), wrId, sges);
        publish(QpShm.RQ_PROD);
    }

    /** Writes a receive WQE into the next slot of the receive ring at {@code ctrl}, without publishing it. */
    public static void writeRecv(ByteBuffer shm, int ctrl, int slots, long offset, int slotSize, long wrId, Sge... sges) {
        int prod = RingIndex.loadAcquire(shm, ctrl + Abi.RingCtrl.PROD);
        if (prod - RingIndex.loadAcquire(shm, ctrl + Abi.RingCtrl.CONS) >= slots) {
            throw new IllegalStateException("receive queue full");
        }
        int slot = (int) offset + (prod & (slots - 1)) * slotSize;
        shm.putLong(slot + RecvWqe.WR_ID, wrId);
        shm.putInt(slot + RecvWqe.NUM_SGE, sges.length);
        for (int i = 0; i < sges.length; i++) {
            int at = slot + RecvWqe.SIZE + i * Abi.Sge.SIZE;
            shm.putLong(at + Abi.Sge.ADDR, sges[i].addr());
            shm.putInt(at + Abi.Sge.LENGTH, sges[i].length());
            shm.putInt(at + Abi.Sge.LKEY, sges[i].lkey());
        }
    }

    /** Slots of the send ring. */
    public int sendSlots() {
        return shm.getInt(QpShm.SQ_SLOTS);
    }

    /** Send entries posted and not yet consumed by the router. */
    public int sendQueued() {
        return RingIndex.loadAcquire(shm, QpShm.SQ_PROD) - RingIndex.loadAcquire(shm, QpShm.SQ_CONS);
    }

    /** Receive entries posted and not yet consumed by the router. */
    public int recvQueued() {
        return RingIndex.loadAcquire(shm, QpShm.RQ_PROD) - RingIndex.loadAcquire(shm, QpShm.RQ_CONS);
    }

    public ByteBuffer shm() {
        return shm;
    }

    private int sendSlot() {
        int prod = RingIndex.loadAcquire(shm, QpShm.SQ_PROD);
        int slots = shm.getInt(QpShm.SQ_SLOTS);
        if (prod - RingIndex.loadAcquire(shm, QpShm.SQ_CONS) >= slots) {
            throw new IllegalStateException("send queue full");
        }
        return (int) shm.getLong(QpShm.SQ_OFFSET) + (prod & (slots - 1)) * shm.getInt(QpShm.SQ_SLOT_SIZE);
    }

    private void publish(int prodOffset) {
        RingIndex.storeRelease(shm, prodOffset, RingIndex.loadAcquire(shm, prodOffset) + 1);
        FflBell b = bell;
        if (b != null) {
            b.ring();
        }
    }

    /** Posts a send without ringing, whatever {@link #ringing} said. */
    public void postSendSilently(long wrId, int opcode, int flags, long remoteAddr, int rkey, int imm, Sge... sges) {
        FflBell b = bell;
        bell = null;
        try {
            postSend(wrId, opcode, flags, remoteAddr, rkey, imm, sges);
        } finally {
            bell = b;
        }
    }

    /** Posts a receive without ringing, whatever {@link #ringing} said (an FFL that forgot). */
    public void postRecvSilently(long wrId, Sge... sges) {
        FflBell b = bell;
        bell = null;
        try {
            postRecv(wrId, sges);
        } finally {
            bell = b;
        }
    }

    @Override
    public void close() {
        mapping.close();
    }
}
