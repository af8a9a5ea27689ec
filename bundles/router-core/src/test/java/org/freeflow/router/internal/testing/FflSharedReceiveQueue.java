package org.freeflow.router.internal.testing;

import java.nio.ByteBuffer;
import org.freeflow.fastpath.api.Abi.SrqShm;
import org.freeflow.fastpath.api.RingIndex;
import org.freeflow.posix.api.MappedRegion;
import org.freeflow.posix.api.PosixException;
import org.freeflow.router.internal.loopback.FflQueuePair;
import org.freeflow.router.internal.loopback.Sge;

/** The FFL's view of an SRQ memfd: posts receives as ibv_post_srq_recv does. */
public final class FflSharedReceiveQueue implements AutoCloseable {

    public final int handle;
    private final MappedRegion mapping;
    private final ByteBuffer shm;

    /** Maps the ring memfd (and closes the descriptor). */
    public FflSharedReceiveQueue(int handle, int fd) throws PosixException {
        this.handle = handle;
        this.mapping = FflQueuePair.mapRing(fd);
        this.shm = mapping.chunk(0);
    }

    /** Posts one receive; several threads must not post at once (the FFL's lock). */
    public synchronized void postRecv(long wrId, Sge... sges) {
        FflQueuePair.writeRecv(shm, SrqShm.RQ, shm.getInt(SrqShm.SLOTS), shm.getLong(SrqShm.OFFSET),
                shm.getInt(SrqShm.SLOT_SIZE), wrId, sges);
        RingIndex.storeRelease(shm, SrqShm.RQ_PROD, RingIndex.loadAcquire(shm, SrqShm.RQ_PROD) + 1);
    }

    /** Claims more receives than the ring holds (a broken or hostile FFL). */
    public void corrupt() {
        RingIndex.storeRelease(shm, SrqShm.RQ_PROD,
                RingIndex.loadAcquire(shm, SrqShm.RQ_CONS) + shm.getInt(SrqShm.SLOTS) + 5);
    }

    /** Receives posted and not yet taken by the router. */
    public int queued() {
        return RingIndex.loadAcquire(shm, SrqShm.RQ_PROD) - RingIndex.loadAcquire(shm, SrqShm.RQ_CONS);
    }

    @Override
    public void close() {
        mapping.close();
    }
}
