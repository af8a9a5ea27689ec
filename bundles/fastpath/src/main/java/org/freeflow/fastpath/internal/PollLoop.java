package org.freeflow.fastpath.internal;

import java.util.Arrays;
import java.util.concurrent.Callable;
import org.freeflow.fastpath.api.OwnerTasks;
import org.freeflow.fastpath.api.PollTarget;
import org.freeflow.fastpath.api.PollerService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The poller thread's loop.  Targets live in an array only this thread
 * writes (through tasks); a round visits each once.  Between rounds it runs
 * queued tasks.  With targets it spins politely (onSpinWait, and a yield every
 * {@code yieldEvery} empty rounds); without, it waits up to
 * {@code idleSleepMillis} for a task.
 */
final class PollLoop implements PollerService, Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(PollLoop.class);
    private static final PollTarget[] NONE = new PollTarget[0];

    private static final Runnable NO_WAKE = () -> { };

    private final OwnerTasks tasks = new OwnerTasks("the poller");
    private volatile int yieldEvery;
    private volatile long idleSleepMillis;
    private volatile boolean running;
    private volatile Thread thread;
    private PollTarget[] targets = NONE;

    PollLoop(int yieldEvery, long idleSleepMillis) {
        configure(yieldEvery, idleSleepMillis);
    }

    /** Applies new tuning; takes effect on the next round. */
    void configure(int yieldEvery, long idleSleepMillis) {
        this.yieldEvery = Math.max(1, yieldEvery);
        this.idleSleepMillis = Math.max(0, idleSleepMillis);
    }

    /** Starts the thread. */
    synchronized void start(String name) {
        running = true;
        Thread t = new Thread(this, name);
        t.setDaemon(true);
        thread = t;
        tasks.owner(t);
        t.start();
    }

    /** Stops the thread and waits for it; pending tasks fail. */
    synchronized void stop() throws InterruptedException {
        Thread t = thread;
        running = false;
        if (t != null) {
            t.join();
        }
        thread = null;
        tasks.owner(null);
        tasks.cancelPending();
    }

    @Override
    public void run() {
        int emptyRounds = 0;
        while (running) {
            PollTarget[] round = targets;
            if (round.length == 0) {
                waitForTask();
                continue;
            }
            tasks.runPending();
            round = targets;
            boolean progress = false;
            long now = System.nanoTime();
            for (PollTarget target : round) {
                progress |= visit(target, now);
                if (round != targets) {
                    break;
                }
            }
            if (progress) {
                emptyRounds = 0;
            } else if (++emptyRounds % yieldEvery == 0) {
                Thread.yield();
            } else {
                Thread.onSpinWait();
            }
        }
        tasks.runPending();
    }

    private boolean visit(PollTarget target, long now) {
        try {
            return target.poll(now);
        } catch (RuntimeException | Error e) {
            LOG.error("poll target {} failed and was removed", target, e);
            remove(target);
            return false;
        }
    }

    private void waitForTask() {
        try {
            tasks.awaitAndRun(idleSleepMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    @Override
    public <T> T call(Callable<T> task) {
        return tasks.call(task, NO_WAKE);
    }

    @Override
    public void register(PollTarget target) {
        call(() -> {
            if (Arrays.asList(targets).contains(target)) {
                return null;
            }
            PollTarget[] more = Arrays.copyOf(targets, targets.length + 1);
            more[targets.length] = target;
            targets = more;
            return null;
        });
    }

    @Override
    public void unregister(PollTarget target) {
        call(() -> {
            remove(target);
            return null;
        });
    }

    private void remove(PollTarget target) {
        PollTarget[] now = targets;
        for (int i = 0; i < now.length; i++) {
            if (now[i] == target) {
                PollTarget[] fewer = new PollTarget[now.length - 1];
                System.arraycopy(now, 0, fewer, 0, i);
                System.arraycopy(now, i + 1, fewer, i, now.length - i - 1);
                targets = fewer.length == 0 ? NONE : fewer;
                return;
            }
        }
    }

    @Override
    public boolean inPollerThread() {
        return tasks.onOwner();
    }

    /** Targets registered now (for tests and diagnostics). */
    int targetCount() {
        return targets.length;
    }
}
