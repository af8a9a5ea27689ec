package org.freeflow.ffo.internal.alloc;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * This router's queue-pair numbers: ranges leased from the cluster-wide
 * sequence, the next one fetched in the background once half of the current
 * one is used, so that ibv_create_qp takes its number locally and waits for
 * the cluster only when QPs are made faster than a lease comes (or at the
 * very first).  Once the 24-bit space has wrapped, the numbers of a lease that
 * the cluster still has in use are skipped.  Thread-safe.
 */
public final class QpnLeases {

    /** The cluster-wide sequence of QPN values. */
    @FunctionalInterface
    public interface Sequence {
        /** Reserves {@code count} consecutive values and returns the first. */
        long take(int count);
    }

    /** The QPNs the cluster has in use. */
    @FunctionalInterface
    public interface InUse {
        /** Those of {@code low..high} (inclusive, {@code low <= high}) that a QP holds. */
        Set<Integer> between(int low, int high);
    }

    private final Sequence sequence;
    private final InUse inUse;
    private final int leaseSize;
    private final Executor background;
    private final ArrayDeque<Integer> current = new ArrayDeque<>();
    private CompletableFuture<List<Integer>> next;

    /**
     * @param leaseSize  numbers per lease (at least 2)
     * @param background where the next lease is fetched; the first one is asked for at once
     */
    public QpnLeases(Sequence sequence, InUse inUse, int leaseSize, Executor background) {
        if (leaseSize < 2) {
            throw new IllegalArgumentException("a lease holds at least 2 numbers: " + leaseSize);
        }
        this.sequence = sequence;
        this.inUse = inUse;
        this.leaseSize = leaseSize;
        this.background = background;
        synchronized (this) {
            fetchNext();
        }
    }

    /**
     * A QPN no other QP of the cluster holds.
     *
     * @throws IllegalStateException when no lease could be had (the cluster's reason)
     */
    public synchronized int allocate() {
        while (current.isEmpty()) {
            takeNext();
        }
        int qpn = current.poll();
        if (current.size() < leaseSize / 2 && (next == null || next.isCompletedExceptionally())) {
            fetchNext();
        }
        return qpn;
    }

    /** Numbers left in the current lease (for tests and the shell). */
    public synchronized int left() {
        return current.size();
    }

    private void fetchNext() {
        next = CompletableFuture.supplyAsync(this::lease, background);
    }

    private void takeNext() {
        if (next == null || next.isCompletedExceptionally()) {
            fetchNext(); // the last try failed: one more, waited for
        }
        CompletableFuture<List<Integer>> pending = next;
        next = null;
        try {
            current.addAll(pending.join());
        } catch (CompletionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new IllegalStateException("no QPN lease from the cluster: " + cause.getMessage(), cause);
        }
    }

    /** One lease: the numbers of {@code leaseSize} sequence values, those still in use left out. */
    private List<Integer> lease() {
        long first = sequence.take(leaseSize);
        long last = first + leaseSize - 1;
        List<Integer> numbers = new ArrayList<>(leaseSize);
        for (long v = first; v <= last; v++) {
            numbers.add(Qpns.fromSequence(v));
        }
        if (last <= Qpns.MAX) {
            return numbers; // the first round of the 24-bit space: nothing was handed out before
        }
        numbers.removeAll(inUseAmong(numbers));
        return numbers;
    }

    /** The in-use ones of {@code numbers}, consecutive but for one wrap from MAX to MIN. */
    private Set<Integer> inUseAmong(List<Integer> numbers) {
        int low = numbers.get(0);
        int high = numbers.get(numbers.size() - 1);
        if (low <= high) {
            return inUse.between(low, high);
        }
        Set<Integer> used = new java.util.HashSet<>(inUse.between(low, Qpns.MAX));
        used.addAll(inUse.between(Qpns.MIN, high));
        return used;
    }
}
