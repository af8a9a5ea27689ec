package org.freeflow.transport.tcp.internal;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.freeflow.router.api.transport.Acknowledgements;
import org.freeflow.router.api.transport.Outcome;

/** The requester side of a test: what the connection reported, waited for with a deadline. */
final class Recorder implements Acknowledgements {

    record Refusal(long psn, Outcome outcome) {
    }

    private long acknowledged = -1;
    private final List<Refusal> refusals = new ArrayList<>();
    private final Map<Long, byte[]> fetched = new HashMap<>();
    /** READs answered in place: whether whole. */
    private final Map<Long, Boolean> placed = new HashMap<>();

    @Override
    public synchronized void acknowledged(long psn) {
        acknowledged = Math.max(acknowledged, psn);
        notifyAll();
    }

    @Override
    public synchronized void fetched(long psn, ByteBuffer data) {
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        fetched.put(psn, bytes);
        acknowledged(psn);
    }

    @Override
    public synchronized void fetchedInPlace(long psn, boolean whole) {
        placed.put(psn, whole);
        acknowledged(psn);
    }

    /** Whether READ {@code psn} was answered in place, whole (null: not in place). */
    synchronized Boolean placed(long psn) {
        return placed.get(psn);
    }

    @Override
    public synchronized void refused(long psn, Outcome outcome, int minRnrTimer) {
        refusals.add(new Refusal(psn, outcome));
        acknowledged = Math.max(acknowledged, psn - 1);
        notifyAll();
    }

    synchronized long acknowledged() {
        return acknowledged;
    }

    synchronized List<Refusal> refusals() {
        return List.copyOf(refusals);
    }

    synchronized byte[] fetched(long psn) {
        return fetched.get(psn);
    }

    /** Waits until everything up to {@code psn} is acknowledged; false after 10 s. */
    synchronized boolean awaitAcknowledged(long psn) throws InterruptedException {
        long end = System.nanoTime() + 10_000_000_000L;
        while (acknowledged < psn && System.nanoTime() < end) {
            wait(50);
        }
        return acknowledged >= psn;
    }

    /** Waits for {@code n} refusals; false after 10 s. */
    synchronized boolean awaitRefusals(int n) throws InterruptedException {
        long end = System.nanoTime() + 10_000_000_000L;
        while (refusals.size() < n && System.nanoTime() < end) {
            wait(50);
        }
        return refusals.size() >= n;
    }
}
