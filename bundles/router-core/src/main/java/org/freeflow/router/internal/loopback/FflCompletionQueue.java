package org.freeflow.router.internal.loopback;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.freeflow.fastpath.api.Abi;
import org.freeflow.fastpath.api.Abi.CqShm;
import org.freeflow.fastpath.api.Abi.Cqe;
import org.freeflow.fastpath.api.RingIndex;
import org.freeflow.posix.api.MappedRegion;
import org.freeflow.posix.api.PosixException;
import org.freeflow.router.internal.vnic.Grants;
import org.freeflow.router.internal.vnic.VerbsContext;

/** The FFL's view of a CQ memfd: ibv_poll_cq. */
public final class FflCompletionQueue implements AutoCloseable {

    private int lastSl;

    public final int handle;
    private final MappedRegion mapping;
    private final ByteBuffer shm;

    /** Maps the ring memfd (and closes the descriptor). */
    public FflCompletionQueue(int handle, int fd) throws PosixException {
        this.handle = handle;
        this.mapping = FflQueuePair.mapRing(fd);
        this.shm = mapping.chunk(0);
    }

    /** ibv_create_cq in {@code ctx} of {@code entries}, raising events on {@code channel} (0: none). */
    public static FflCompletionQueue create(VerbsContext ctx, int entries, int channel) throws PosixException {
        Grants.Cq cq = ctx.createCq(entries, channel, false);
        return new FflCompletionQueue(cq.handle(), cq.fd());
    }

    /** The sl of the completion {@link #poll()} returned last. */
    public int lastSl() {
        return lastSl;
    }

    /** The oldest completion, or null. */
    public Completion poll() {
        int cons = RingIndex.loadAcquire(shm, CqShm.RING_CONS);
        if (RingIndex.loadAcquire(shm, CqShm.RING_PROD) == cons) {
            return null;
        }
        int slots = shm.getInt(CqShm.SLOTS);
        int e = Abi.SHM_HDR_SIZE + (cons & (slots - 1)) * Abi.CQE_SIZE;
        Completion c = new Completion(shm.getLong(e + Cqe.WR_ID), shm.getInt(e + Cqe.STATUS),
                shm.getInt(e + Cqe.OPCODE), shm.getInt(e + Cqe.BYTE_LEN), shm.getInt(e + Cqe.IMM_DATA),
                shm.getInt(e + Cqe.QP_NUM), shm.getInt(e + Cqe.SRC_QP), shm.getInt(e + Cqe.WC_FLAGS),
                Short.toUnsignedInt(shm.getShort(e + Cqe.SLID)));
        lastSl = shm.get(e + Cqe.SL);
        RingIndex.storeRelease(shm, CqShm.RING_CONS, cons + 1);
        return c;
    }

    /** Every completion waiting. */
    public List<Completion> drain() {
        List<Completion> all = new ArrayList<>();
        Completion c;
        while ((c = poll()) != null) {
            all.add(c);
        }
        return all;
    }

    /** ibv_req_notify_cq: stores armed (FF_CQ_ARM_*) with a full fence. */
    public void arm(int how) {
        RingIndex.storeVolatile(shm, CqShm.ARMED, how);
    }

    /** ff_cq_shm.armed. */
    public int armed() {
        return RingIndex.loadVolatile(shm, CqShm.ARMED);
    }

    /** ibv_get_cq_event's look at this CQ: exchanges notified 1 -> 0. */
    public boolean takeNotification() {
        return RingIndex.compareAndSet(shm, CqShm.NOTIFIED, 1, 0);
    }

    public int slots() {
        return shm.getInt(CqShm.SLOTS);
    }

    /** The mapping itself, for a test that plays a misbehaving FFL. */
    public ByteBuffer shm() {
        return shm;
    }

    @Override
    public void close() {
        mapping.close();
    }
}
