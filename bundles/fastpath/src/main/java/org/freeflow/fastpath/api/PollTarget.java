package org.freeflow.fastpath.api;

/**
 * Something a poller visits every round, e.g. one queue pair.  Runs on one
 * poller thread at a time (a target may move to another poller between two
 * rounds); must not block, allocate per call or log per call.
 */
@FunctionalInterface
public interface PollTarget {

    /** {@link #deadline} of a target that waits for nothing but new work. */
    long NO_DEADLINE = Long.MAX_VALUE;

    /**
     * Does what can be done now without waiting.
     *
     * @param nowNanos {@link System#nanoTime()} at the start of this round
     * @return true when it made progress (the poller then does not back off)
     */
    boolean poll(long nowNanos);

    /**
     * Asked after a round in which this target made no progress, before its
     * poller sleeps: the {@link System#nanoTime()} by which it must be polled
     * again although no doorbell rang (a retry timer, a rate limiter, a full
     * completion queue the application may drain without telling anyone), or
     * {@link #NO_DEADLINE}.  A time in the past means "do not sleep".
     *
     * @param nowNanos {@link System#nanoTime()} now
     */
    default long deadline(long nowNanos) {
        return NO_DEADLINE;
    }
}
