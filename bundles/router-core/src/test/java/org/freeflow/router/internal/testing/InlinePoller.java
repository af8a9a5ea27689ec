package org.freeflow.router.internal.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import org.freeflow.fastpath.api.PollTarget;
import org.freeflow.fastpath.api.PollerService;

/** A poller without a thread: tasks run inline, the test drives the rounds. */
public final class InlinePoller implements PollerService {

    private final List<PollTarget> targets = new ArrayList<>();

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
    public boolean inPollerThread() {
        return true;
    }

    public synchronized int targets() {
        return targets.size();
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
}
