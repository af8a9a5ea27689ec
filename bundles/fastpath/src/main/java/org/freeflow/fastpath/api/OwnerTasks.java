package org.freeflow.fastpath.api;

import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Work handed to the one thread that owns some state (the poller, the control
 * thread), so that state needs no locks.  Other threads {@link #call} and wait;
 * the owner runs what is queued between its own rounds.
 */
public final class OwnerTasks {

    private final LinkedBlockingQueue<FutureTask<?>> queue = new LinkedBlockingQueue<>();
    private final String ownerName;
    private volatile Thread owner;

    /** @param ownerName how errors name the owning thread, e.g. "the poller" */
    public OwnerTasks(String ownerName) {
        this.ownerName = ownerName;
    }

    /** From now on {@code thread} runs the tasks; null: nobody does, {@link #call} fails. */
    public void owner(Thread thread) {
        owner = thread;
    }

    /** True on the owning thread. */
    public boolean onOwner() {
        return Thread.currentThread() == owner;
    }

    /**
     * Runs {@code task} on the owner and returns its result: inline when called
     * on the owner, otherwise queued, {@code wake} run, and waited for.
     */
    public <T> T call(Callable<T> task, Runnable wake) {
        if (onOwner()) {
            try {
                return task.call();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        }
        if (owner == null) {
            throw new IllegalStateException(ownerName + " is not running");
        }
        FutureTask<T> future = new FutureTask<>(task);
        queue.add(future);
        wake.run();
        return await(future);
    }

    /** Owner: runs every queued task; true when there was one. */
    public boolean runPending() {
        boolean ran = false;
        FutureTask<?> task;
        while ((task = queue.poll()) != null) {
            task.run();
            ran = true;
        }
        return ran;
    }

    /** Owner: waits up to {@code millis} for a task, then runs all that are queued. */
    public void awaitAndRun(long millis) throws InterruptedException {
        FutureTask<?> task = queue.poll(millis, TimeUnit.MILLISECONDS);
        if (task != null) {
            task.run();
            runPending();
        }
    }

    /** After the owner stopped: cancels what is still queued (its callers get an exception). */
    public void cancelPending() {
        FutureTask<?> task;
        while ((task = queue.poll()) != null) {
            task.cancel(false);
        }
    }

    private <T> T await(FutureTask<T> future) {
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
                } catch (CancellationException e) {
                    throw new IllegalStateException(ownerName + " stopped before running the task", e);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
