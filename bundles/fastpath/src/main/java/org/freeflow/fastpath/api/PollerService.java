package org.freeflow.fastpath.api;

import java.util.concurrent.Callable;

/**
 * The poller: one thread that visits every registered {@link PollTarget} in
 * rounds and, between rounds, runs tasks other threads hand it.  Everything
 * the data path reads is changed through {@link #call}, so the data path needs
 * no locks.  It spins while targets exist (yielding the CPU every few empty
 * rounds, since the applications spin too) and sleeps when there are none.
 */
public interface PollerService {

    /**
     * Runs {@code task} on the poller thread between two rounds and returns its
     * result, blocking until it ran; called on the poller thread, runs it
     * inline.  A runtime exception or error of the task is rethrown as is; a
     * checked one wrapped in {@link java.util.concurrent.CompletionException}.
     *
     * @throws IllegalStateException when the poller is not running
     */
    <T> T call(Callable<T> task);

    /** Adds {@code target} to the rounds; returns once it is in. */
    void register(PollTarget target);

    /** Removes {@code target}; once this returns the poller never calls it again. */
    void unregister(PollTarget target);

    /** True when the calling thread is the poller thread. */
    boolean inPollerThread();
}
