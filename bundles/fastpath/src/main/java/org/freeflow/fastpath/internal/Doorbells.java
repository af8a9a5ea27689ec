package org.freeflow.fastpath.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.freeflow.fastpath.api.Doorbell;
import org.freeflow.posix.api.EpollSet;
import org.freeflow.posix.api.Pipe;
import org.freeflow.posix.api.PosixException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every context's doorbell, watched by one epoll set that sleeping pollers
 * wait on.  A doorbell is a pipe: the FFL holds its writing end, the pollers
 * read the other one without blocking ({@link Pipe#drain()}), so no context
 * can stall a poller or silence another context's doorbell.  Doorbells are
 * drained on poller threads under their round lock and closed inside
 * {@link PollerGroup#call}, so a descriptor is never read after it closed.
 */
final class Doorbells implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Doorbells.class);
    /** Doorbells one wake-up drains at most; the rest stay readable and wake the next sleep. */
    private static final int BATCH = 64;

    private final EpollSet watched;
    private final Map<Long, Pipe> pipes = new ConcurrentHashMap<>();

    Doorbells() throws PosixException {
        watched = new EpollSet(BATCH);
    }

    /** The descriptor a sleeping poller waits on: readable while a doorbell rang. */
    int fd() {
        return watched.fd();
    }

    /** A new doorbell, watched from now on. */
    Doorbell open(PollerGroup group) {
        Pipe pipe;
        try {
            pipe = Pipe.forReading();
        } catch (PosixException e) {
            throw new IllegalStateException("cannot make a doorbell: " + e.getMessage(), e);
        }
        long key = pipe.readFd();
        try {
            watched.add(pipe.readFd(), key);
        } catch (PosixException e) {
            pipe.close();
            throw new IllegalStateException("cannot watch a doorbell: " + e.getMessage(), e);
        }
        pipes.put(key, pipe);
        return new Doorbell() {
            @Override
            public int ringerFd() {
                return pipe.writeFd();
            }

            @Override
            public void close() {
                group.closeDoorbell(() -> forget(key));
            }
        };
    }

    /** Stops watching and closes the doorbell of {@code key}; idempotent. */
    private void forget(long key) {
        Pipe pipe = pipes.remove(key);
        if (pipe != null) {
            unwatch(pipe);
        }
    }

    /**
     * Empties the doorbells that rang (on a poller, under its round lock);
     * returns how many had rung.
     */
    synchronized int drain() throws PosixException {
        int n = watched.ready();
        int rung = 0;
        for (int i = 0; i < n; i++) {
            Pipe pipe = pipes.get(watched.data(i));
            if (pipe != null && pipe.drain() > 0) {
                rung++;
            }
        }
        return rung;
    }

    /** Doorbells open. */
    int size() {
        return pipes.size();
    }

    private void unwatch(Pipe pipe) {
        try {
            watched.remove(pipe.readFd());
        } catch (PosixException e) {
            LOG.warn("a doorbell was no longer watched", e);
        }
        pipe.close();
    }

    /** Closes every doorbell and the epoll set; only after every poller stopped. */
    @Override
    public void close() {
        for (Long key : pipes.keySet()) {
            forget(key);
        }
        watched.close();
    }
}
