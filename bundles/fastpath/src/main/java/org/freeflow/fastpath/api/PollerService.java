package org.freeflow.fastpath.api;

import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The pollers: one or more threads that visit the registered
 * {@link PollTarget}s in rounds, each target on one poller at a time.  How
 * they wait for work is the configured {@link PollerMode}; a sleeping poller
 * is woken by a context's {@link Doorbell} (the FFL rings it after publishing
 * work while the router page says a poller sleeps), by the nearest target
 * deadline, or by the router itself.
 * <p>
 * Concurrency rule: everything the data path reads (QP state, peer, MR table,
 * CQ list, which poller serves what) is changed inside {@link #call}, which
 * runs while every poller is between two rounds, so the data path reads it
 * without locks.  What two pollers can touch at once in their rounds (a CQ
 * several QPs complete into, a responder's receive queue) takes a small lock
 * of its own.
 */
public interface PollerService {

    /**
     * Runs {@code task} while no poller is in a round, and returns its result.
     * It runs on the calling thread (inline when the caller is already inside
     * a call); afterwards sleeping pollers are woken so they see what changed.
     * A runtime exception or error of the task is rethrown as is; a checked
     * one wrapped in {@link java.util.concurrent.CompletionException}.
     *
     * @throws IllegalStateException when the pollers are not running
     */
    <T> T call(Callable<T> task);

    /** Adds {@code target} to the rounds of one poller; returns once it is in. */
    void register(PollTarget target);

    /** Removes {@code target}; once this returns no poller calls it again. */
    void unregister(PollTarget target);

    /**
     * Makes the poller of {@code target} poll it soon: wakes that poller if it
     * sleeps.  For a change made outside {@link #call} by another poller's
     * round (e.g. a responder QP moved to ERR by its peer's requester).
     */
    void wake(PollTarget target);

    /**
     * Work is about to arrive: a queue pair became ready to receive or send,
     * and its application will post to it once it has told its peer.  In
     * adaptive mode no poller sleeps for the configured ready spin from now
     * on (a sleeping one wakes), so that the first work requests find the
     * pollers spinning, as in fastpath mode, rather than asleep since the
     * set-up; after it an idle poller sleeps as before.  Other modes:
     * nothing.  Callable from any thread; never blocks.
     *
     * @since 3.2
     */
    default void expectWork() {
    }

    /** True on a poller thread and inside {@link #call}. */
    boolean inPollerThread();

    /**
     * The router page's memfd ({@code struct ff_router_shm}, sealed: others
     * can map it read-only only), sent with every OPEN reply; the service
     * keeps it open.
     */
    int routerPageFd();

    /**
     * A new doorbell, for one verbs context's OPEN reply; the pollers watch
     * it until it is closed, which must happen inside {@link #call} (no
     * poller is then reading it).
     *
     * @since 3.0
     */
    Doorbell openDoorbell();

    /**
     * The pollers' figures, Prometheus-style names with a {@code poller} label
     * ({@code freeflow_fastpath_rounds_total{poller="0"}}): rounds, work,
     * sleeps, wake-ups by cause, mode, targets, CPU time.
     */
    Map<String, Number> metrics();
}
