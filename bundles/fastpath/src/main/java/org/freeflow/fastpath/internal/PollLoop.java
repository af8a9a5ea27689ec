package org.freeflow.fastpath.internal;

import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ExecutionException;
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

    private final LinkedBlockingQueue<FutureTask<?>> tasks = new LinkedBlockingQueue<>();
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
        FutureTask<?> left;
        while ((left = tasks.poll()) != null) {
            left.cancel(false);
        }
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
            runTasks();
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
        runTasks();
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
            FutureTask<?> task = tasks.poll(idleSleepMillis, TimeUnit.MILLISECONDS);
            if (task != null) {
                task.run();
                runTasks();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    private void runTasks() {
        FutureTask<?> task;
        while ((task = tasks.poll()) != null) {
            task.run();
        }
    }

    @Override
    public <T> T call(Callable<T> task) {
        if (inPollerThread()) {
            try {
                return task.call();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        }
        if (!running) {
            throw new IllegalStateException("the poller is not running");
        }
        FutureTask<T> future = new FutureTask<>(task);
        tasks.add(future);
        return await(future);
    }

    private static <T> T await(FutureTask<T> future) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return future.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof RuntimeException re) {
                        throw re;
                    }
                    if (cause instanceof Error err) {
                        throw err;
                    }
                    throw new CompletionException(cause);
                } catch (java.util.concurrent.CancellationException e) {
                    throw new IllegalStateException("the poller stopped before running the task", e);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
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
        return Thread.currentThread() == thread;
    }

    /** Targets registered now (for tests and diagnostics). */
    int targetCount() {
        return targets.length;
    }
}
