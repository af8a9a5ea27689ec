package org.freeflow.router.internal.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import org.freeflow.fastpath.api.Abi;
import org.freeflow.fastpath.api.Doorbell;
import org.freeflow.fastpath.api.PollTarget;
import org.freeflow.fastpath.api.PollerService;
import org.freeflow.posix.api.Pipe;
import org.freeflow.posix.api.FileDescriptors;
import org.freeflow.posix.api.MemFd;
import org.freeflow.posix.api.PosixException;

/** A poller without a thread: tasks run inline, the test drives the rounds. */
public final class InlinePoller implements PollerService, AutoCloseable {

    private final List<PollTarget> targets = new ArrayList<>();
    private final List<PollTarget> woken = new ArrayList<>();
    private int pageFd = -1;
    private final List<Pipe> doorbells = new ArrayList<>();

    @Override
    public synchronized <T> T call(Callable<T> task) {
        try {
            return task.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new CompletionException(e);
        }
    }

    @Override
    public synchronized void register(PollTarget target) {
        if (!targets.contains(target)) {
            targets.add(target);
        }
    }

    @Override
    public synchronized void unregister(PollTarget target) {
        targets.remove(target);
    }

    @Override
    public synchronized void wake(PollTarget target) {
        woken.add(target);
    }

    @Override
    public boolean inPollerThread() {
        return true;
    }

    /** A sealed memfd of FF_ROUTER_SHM_SIZE, made on first use. */
    @Override
    public synchronized int routerPageFd() {
        if (pageFd < 0) {
            try {
                pageFd = MemFd.create("test-router-page");
                MemFd.truncate(pageFd, Abi.ROUTER_SHM_SIZE);
                MemFd.addSeals(pageFd, MemFd.F_SEAL_SHRINK | MemFd.F_SEAL_GROW | MemFd.F_SEAL_FUTURE_WRITE);
            } catch (PosixException e) {
                throw new IllegalStateException(e);
            }
        }
        return pageFd;
    }

    /** A pipe whose reading end {@link #drainDoorbell()} empties. */
    @Override
    public synchronized Doorbell openDoorbell() {
        Pipe pipe;
        try {
            pipe = Pipe.forReading();
        } catch (PosixException e) {
            throw new IllegalStateException(e);
        }
        doorbells.add(pipe);
        return new Doorbell() {
            @Override
            public int ringerFd() {
                return pipe.writeFd();
            }

            @Override
            public void close() {
                synchronized (InlinePoller.this) {
                    doorbells.remove(pipe);
                }
                pipe.close();
            }
        };
    }

    /** Bytes rung on the open doorbells since the last look. */
    public synchronized long drainDoorbell() {
        long rung = 0;
        for (Pipe pipe : doorbells) {
            rung += pipe.drain();
        }
        return rung;
    }

    @Override
    public Map<String, Number> metrics() {
        return Map.of();
    }

    public synchronized int targets() {
        return targets.size();
    }

    /** Targets {@link #wake} was called for, in order (a copy). */
    public synchronized List<PollTarget> woken() {
        return new ArrayList<>(woken);
    }

    /** One round at {@code now}; true when a target made progress. */
    public synchronized boolean round(long now) {
        boolean progress = false;
        for (PollTarget t : new ArrayList<>(targets)) {
            progress |= t.poll(now);
        }
        return progress;
    }

    /** Rounds at {@code now} until nothing moves (at most 1000). */
    public synchronized void settle(long now) {
        for (int i = 0; i < 1000 && round(now); i++) {
            // keep going
        }
    }

    /** The nearest deadline of the targets after a round at {@code now}, or NO_DEADLINE. */
    public synchronized long nearestDeadline(long now) {
        long nearest = PollTarget.NO_DEADLINE;
        for (PollTarget t : targets) {
            long d = t.deadline(now);
            if (d != PollTarget.NO_DEADLINE && (nearest == PollTarget.NO_DEADLINE || d - nearest < 0)) {
                nearest = d;
            }
        }
        return nearest;
    }

    @Override
    public synchronized void close() {
        FileDescriptors.closeQuietly(pageFd);
        pageFd = -1;
        for (Pipe pipe : doorbells) {
            pipe.close();
        }
        doorbells.clear();
    }
}
