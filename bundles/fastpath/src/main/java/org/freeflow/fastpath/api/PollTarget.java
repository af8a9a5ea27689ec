package org.freeflow.fastpath.api;

/**
 * Something the poller visits every round, e.g. one queue pair.  Runs on the
 * poller thread only; must not block, allocate per call or log per call.
 */
@FunctionalInterface
public interface PollTarget {

    /**
     * Does what can be done now without waiting.
     *
     * @param nowNanos {@link System#nanoTime()} at the start of this round
     * @return true when it made progress (the poller then does not back off)
     */
    boolean poll(long nowNanos);
}
