package org.freeflow.fastpath.internal;

import java.nio.ByteBuffer;
import org.freeflow.fastpath.api.Abi;
import org.freeflow.fastpath.api.Abi.RouterShm;
import org.freeflow.fastpath.api.PollerMode;
import org.freeflow.fastpath.api.RingIndex;
import org.freeflow.posix.api.FileDescriptors;
import org.freeflow.posix.api.MappedRegion;
import org.freeflow.posix.api.Membarrier;
import org.freeflow.posix.api.MemFd;
import org.freeflow.posix.api.PosixException;

/**
 * The router page ({@code struct ff_router_shm}) every OPEN reply carries.
 * It is a memfd the router maps writable and then seals (shrink, grow,
 * future write, seal): containers can map it read-only only.  {@code
 * sleeping} holds one bit per sleeping poller; the FFL rings its context's
 * doorbell while it is nonzero.  {@code barrier} says
 * {@link Abi#BARRIER_MEMBARRIER} when this kernel has global expedited
 * membarrier: a poller then issues one after marking itself asleep, and the
 * FFL leaves out its own fence (ff_abi.h, "Doorbells").
 */
final class RouterPage implements AutoCloseable {

    private static final int SEALS = MemFd.F_SEAL_SHRINK | MemFd.F_SEAL_GROW | MemFd.F_SEAL_FUTURE_WRITE
            | MemFd.F_SEAL_SEAL;

    private final int memfd;
    private final MappedRegion mapping;
    private final ByteBuffer page;
    private final boolean membarrier;

    private RouterPage(int memfd, MappedRegion mapping, boolean membarrier) {
        this.memfd = memfd;
        this.mapping = mapping;
        this.page = mapping.chunk(0);
        this.membarrier = membarrier;
        RingIndex.storeRelease(page, RouterShm.BARRIER, membarrier ? Abi.BARRIER_MEMBARRIER : Abi.BARRIER_FENCE);
    }

    /** Makes, maps and seals the page. */
    static RouterPage create(PollerMode mode) throws PosixException {
        return create(mode, Membarrier.globalExpeditedSupported());
    }

    /** As {@link #create(PollerMode)}, saying whether pollers issue membarrier. */
    static RouterPage create(PollerMode mode, boolean membarrier) throws PosixException {
        int fd = MemFd.create("freeflow-router");
        MappedRegion mapping = null;
        try {
            MemFd.truncate(fd, Abi.ROUTER_SHM_SIZE);
            mapping = MappedRegion.map(fd, 0, Abi.ROUTER_SHM_SIZE, true);
            MemFd.addSeals(fd, SEALS);
            RouterPage created = new RouterPage(fd, mapping, membarrier);
            created.mode(mode);
            return created;
        } catch (PosixException | RuntimeException e) {
            if (mapping != null) {
                mapping.close();
            }
            FileDescriptors.closeQuietly(fd);
            throw e;
        }
    }

    /** The page's memfd (kept open here; send duplicates). */
    int pageFd() {
        return memfd;
    }

    /** Sets {@code bit} in {@code sleeping}: a sequentially consistent read-modify-write. */
    void markAsleep(int bit) {
        RingIndex.getAndBitwiseOr(page, RouterShm.SLEEPING, bit);
    }

    /** True when the page promised a membarrier: the FFL does not fence before it reads {@code sleeping}. */
    boolean pairsWithMembarrier() {
        return membarrier;
    }

    /**
     * The sleeper's half of the doorbell pair, after {@link #markAsleep}: a
     * membarrier when the page promised one (the read-modify-write already
     * was this thread's full fence).
     */
    void fenceWithPosters() throws PosixException {
        if (membarrier) {
            Membarrier.globalExpedited();
        }
    }

    /** Clears {@code bit} in {@code sleeping}. */
    void markAwake(int bit) {
        RingIndex.getAndBitwiseAnd(page, RouterShm.SLEEPING, ~bit);
    }

    /** True while the poller with {@code bit} sleeps. */
    boolean asleep(int bit) {
        return (RingIndex.loadVolatile(page, RouterShm.SLEEPING) & bit) != 0;
    }

    /** The whole {@code sleeping} word. */
    int sleeping() {
        return RingIndex.loadVolatile(page, RouterShm.SLEEPING);
    }

    /** Publishes the mode (diagnostics for the FFL). */
    void mode(PollerMode mode) {
        RingIndex.storeRelease(page, RouterShm.MODE, mode.abiValue());
    }

    /** Unmaps and closes the page; only after every poller stopped. */
    @Override
    public void close() {
        mapping.close();
        FileDescriptors.closeQuietly(memfd);
    }
}
