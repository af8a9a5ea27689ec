package org.freeflow.fastpath.internal;

import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import org.freeflow.fastpath.api.Abi;
import org.freeflow.fastpath.api.Abi.RouterShm;
import org.freeflow.fastpath.api.Doorbell;
import org.freeflow.fastpath.api.PollerService;
import org.freeflow.fastpath.api.RingIndex;
import org.freeflow.posix.api.FileDescriptors;
import org.freeflow.posix.api.MappedRegion;
import org.freeflow.posix.api.PosixException;

/** The FFL's end of a doorbell: the router page mapped read-only and the writing end of a context's doorbell. */
final class FflBell implements AutoCloseable {

    private final MappedRegion mapping;
    private final ByteBuffer page;
    private final Doorbell doorbell;
    private long rings;

    FflBell(PollerService poller) throws PosixException {
        mapping = MappedRegion.map(poller.routerPageFd(), 0, Abi.ROUTER_SHM_SIZE, false);
        page = mapping.chunk(0);
        doorbell = poller.openDoorbell();
    }

    /** After publishing prod: full fence, and ring when a poller sleeps. */
    void ring() {
        VarHandle.fullFence();
        if (RingIndex.loadVolatile(page, RouterShm.SLEEPING) != 0) {
            FileDescriptors.tryWriteByte(doorbell.ringerFd());
            rings++;
        }
    }

    int sleeping() {
        return RingIndex.loadVolatile(page, RouterShm.SLEEPING);
    }

    int barrier() {
        return RingIndex.loadAcquire(page, RouterShm.BARRIER);
    }

    int mode() {
        return RingIndex.loadAcquire(page, RouterShm.MODE);
    }

    /** Times {@link #ring()} wrote the doorbell (the ringing thread's count). */
    long rings() {
        return rings;
    }

    @Override
    public void close() {
        doorbell.close();
        mapping.close();
    }
}
