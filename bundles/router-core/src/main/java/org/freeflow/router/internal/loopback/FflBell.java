package org.freeflow.router.internal.loopback;

import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import org.freeflow.fastpath.api.Abi;
import org.freeflow.fastpath.api.Abi.RouterShm;
import org.freeflow.fastpath.api.RingIndex;
import org.freeflow.fastpath.api.Doorbell;
import org.freeflow.fastpath.api.PollerService;
import org.freeflow.posix.api.FileDescriptors;
import org.freeflow.posix.api.MappedRegion;
import org.freeflow.posix.api.PosixException;

/**
 * The FFL's doorbell: the router page mapped read-only and the writing end
 * of a context's doorbell pipe, as an OPEN reply carries them.  After
 * publishing prod: full fence, ring when a poller sleeps.
 */
public final class FflBell implements AutoCloseable {

    private final MappedRegion mapping;
    private final ByteBuffer page;
    private final Doorbell doorbell;

    /** A new doorbell of {@code poller}, closed with this bell. */
    public FflBell(PollerService poller) throws PosixException {
        mapping = MappedRegion.map(poller.routerPageFd(), 0, Abi.ROUTER_SHM_SIZE, false);
        page = mapping.chunk(0);
        doorbell = poller.openDoorbell();
    }

    /** Rings if a poller sleeps. */
    public void ring() {
        VarHandle.fullFence();
        if (RingIndex.loadVolatile(page, RouterShm.SLEEPING) != 0) {
            FileDescriptors.tryWriteByte(doorbell.ringerFd());
        }
    }

    /** ff_router_shm.sleeping. */
    public int sleeping() {
        return RingIndex.loadVolatile(page, RouterShm.SLEEPING);
    }

    /** ff_router_shm.mode. */
    public int mode() {
        return RingIndex.loadAcquire(page, RouterShm.MODE);
    }

    @Override
    public void close() {
        doorbell.close();
        mapping.close();
    }
}
