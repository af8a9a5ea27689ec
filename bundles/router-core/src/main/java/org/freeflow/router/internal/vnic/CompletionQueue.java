package org.freeflow.router.internal.vnic;

import static org.freeflow.fastpath.api.Verbs.EVENT_CQ_ERR;
import static org.freeflow.fastpath.api.Verbs.QPS_ERR;

import java.util.Arrays;
import org.freeflow.fastpath.api.Abi;
import org.freeflow.fastpath.api.CompletionRingProducer;
import org.freeflow.posix.api.MappedRegion;

/**
 * A completion queue: a router-made ring memfd the FFL polls, and the
 * completion channel it was created on, if any.  Pollers post into it
 * concurrently through its {@link CompletionRingProducer}.
 *
 * <p>A full CQ is back-pressure, but not without end: a completion that
 * finds it full for longer than the completing QP's transport timeout x
 * (retry_cnt + 1) overruns it ({@link #overrunAfter}), as a CQ overrun on an
 * HCA: IBV_EVENT_CQ_ERR to its owner, every QP on it to ERR, and no entry
 * ever again (a flush into it discards).  An application that never polls
 * its CQ, or writes nonsense into its consumer index, stalls nobody else.
 */
final class CompletionQueue extends InUse {

    /** How long a CQ may stay full for a QP without transport timeout (UD, timeout 0) before it overruns. */
    static final long DEFAULT_BUDGET_NANOS = 1_000_000_000L;

    final int handle;
    final CompletionRingProducer ring;
    private final MappedRegion mapping;
    private final CompletionChannel channel;
    private final AsyncEventQueue events;
    /** The QPs that complete into it (send or receive side); changed inside PollerService.call. */
    private volatile QueuePair[] queuePairs = new QueuePair[0];

    CompletionQueue(int handle, MappedRegion mapping, int slots, CompletionChannel channel, boolean timestamps,
            AsyncEventQueue events) {
        this.handle = handle;
        this.mapping = mapping;
        this.channel = channel;
        this.events = events;
        CompletionRingProducer.initialize(mapping.chunk(0), slots);
        this.ring = new CompletionRingProducer(mapping.chunk(0), slots, channel == null ? null : channel.pipe(),
                timestamps);
    }

    /** The channel it notifies, or null. */
    CompletionChannel channel() {
        return channel;
    }

    /** {@code qp} completes into this CQ from now on (inside a call). */
    void attach(QueuePair qp) {
        QueuePair[] now = queuePairs;
        QueuePair[] more = Arrays.copyOf(now, now.length + 1);
        more[now.length] = qp;
        queuePairs = more;
    }

    /** {@code qp} is gone (inside a call). */
    void detach(QueuePair qp) {
        queuePairs = Arrays.stream(queuePairs).filter(q -> q != qp).toArray(QueuePair[]::new);
    }

    /**
     * Where a completion found no room: true when the CQ has overrun, now
     * (it has refused entries for {@code budgetNanos} or longer, by the
     * monotonic clock the ring uses; a budget of 0, a QP without transport
     * timeout, gets {@link #DEFAULT_BUDGET_NANOS}) or before.  The first
     * caller to see the overrun raises IBV_EVENT_CQ_ERR and moves the CQ's
     * QPs to ERR.
     */
    boolean overrunAfter(long budgetNanos) {
        if (ring.failed()) {
            return true;
        }
        long since = ring.fullSince();
        long budget = budgetNanos > 0 ? budgetNanos : DEFAULT_BUDGET_NANOS;
        if (since == 0 || System.nanoTime() - since < budget) {
            return false;
        }
        if (ring.fail()) {
            if (events != null) {
                events.raise(new AsyncEventQueue.Event(EVENT_CQ_ERR, Abi.ASYNC_CQ, handle));
            }
            for (QueuePair qp : queuePairs) {
                qp.enterErrorFromPeer();
            }
        }
        return true;
    }

    /**
     * {@link #overrunAfter} for a completion of {@code qp}, which goes to ERR
     * too when the CQ overran: a QP on this CQ that was reset and connected
     * again after the overrun, or made on it since, fails at its first
     * completion instead of trying to complete forever.
     */
    boolean overrunFor(QueuePair qp) {
        if (!overrunAfter(qp.transportBudgetNanos())) {
            return false;
        }
        if (qp.state() != QPS_ERR) {
            qp.enterErrorFromPeer();
        }
        return true;
    }

    /**
     * An entry for a flush completion of {@code qp}; false while the CQ is
     * full (checking whether it overran, by the QP's transport budget).
     */
    boolean reserveFlush(QueuePair qp) {
        if (ring.reserve()) {
            return true;
        }
        overrunAfter(qp.transportBudgetNanos());
        return false;
    }

    /** True once it overran: it takes no entry any more. */
    boolean overrun() {
        return ring.failed();
    }

    /** Unmaps; only once no QP and no poller round references it (the channel is its context's). */
    void close() {
        mapping.close();
    }
}
