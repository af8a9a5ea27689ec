package org.freeflow.ffo.internal.alloc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;

import org.junit.jupiter.api.Test;

class QpnLeasesTest {

    /** The cluster's sequence: counts its calls; the next {@code failures} calls throw. */
    private static final class FakeSequence implements QpnLeases.Sequence {
        long value;
        int calls;
        int failures;

        FakeSequence(long first) {
            value = first;
        }

        @Override
        public long take(int count) {
            calls++;
            if (failures > 0) {
                failures--;
                throw new IllegalStateException("cluster unreachable");
            }
            long first = value;
            value += count;
            return first;
        }
    }

    /** Runs tasks only when told to: the background thread, stepped by the test. */
    private static final class SteppedExecutor implements Executor {
        final ArrayDeque<Runnable> queued = new ArrayDeque<>();

        @Override
        public void execute(Runnable task) {
            queued.add(task);
        }

        void runAll() {
            Runnable r;
            while ((r = queued.poll()) != null) {
                r.run();
            }
        }
    }

    private static final QpnLeases.InUse NONE = (low, high) -> Set.of();

    @Test
    void numbersComeFromTheLeaseAndTheNextLeaseIsFetchedInTheBackgroundAtHalf() {
        FakeSequence sequence = new FakeSequence(Qpns.MIN);
        SteppedExecutor background = new SteppedExecutor();
        QpnLeases leases = new QpnLeases(sequence, NONE, 8, background);
        assertEquals(1, background.queued.size(), "the first lease is asked for at once");
        background.runAll();
        List<Integer> got = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            got.add(leases.allocate());
        }
        assertEquals(List.of(2, 3, 4, 5, 6), got);
        assertEquals(1, sequence.calls, "taken locally");
        assertEquals(1, background.queued.size(), "under half left: the next lease is on its way");
        for (int i = 0; i < 3; i++) {
            leases.allocate();
        }
        assertEquals(1, background.queued.size(), "one fetch at a time");
        background.runAll();
        assertEquals(10, leases.allocate());
        assertEquals(2, sequence.calls);
    }

    @Test
    void manyRoutersLeasingFromOneSequenceNeverShareANumber() {
        FakeSequence sequence = new FakeSequence(Qpns.MIN);
        Executor inline = Runnable::run;
        QpnLeases a = new QpnLeases(sequence, NONE, 16, inline);
        QpnLeases b = new QpnLeases(sequence, NONE, 16, inline);
        Set<Integer> seen = new java.util.HashSet<>();
        for (int i = 0; i < 1000; i++) {
            assertTrue(seen.add(a.allocate()));
            assertTrue(seen.add(b.allocate()));
        }
        assertTrue(sequence.calls <= 2000 / 16 + 4, "one cluster call per lease: " + sequence.calls);
    }

    @Test
    void afterTheWrapNumbersStillInUseAreSkipped() {
        FakeSequence sequence = new FakeSequence(Qpns.MAX - 3); // values MAX-3 .. MAX+4: wraps to 2..5
        List<String> asked = new ArrayList<>();
        QpnLeases.InUse inUse = (low, high) -> {
            asked.add(low + ".." + high);
            return Set.of(Qpns.MAX - 1, 3).stream().filter(q -> q >= low && q <= high)
                    .collect(java.util.stream.Collectors.toSet());
        };
        QpnLeases leases = new QpnLeases(sequence, inUse, 8, Runnable::run);
        List<Integer> got = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            got.add(leases.allocate());
        }
        assertEquals(List.of(Qpns.MAX - 3, Qpns.MAX - 2, Qpns.MAX, 2, 4, 5), got);
        assertEquals(List.of((Qpns.MAX - 3) + ".." + Qpns.MAX, "2..5"), asked.subList(0, 2),
                "one range query per side of the wrap");
    }

    @Test
    void aFailedLeaseFailsTheCallWithTheReasonAndTheNextCallTriesAgain() {
        FakeSequence sequence = new FakeSequence(Qpns.MIN);
        sequence.failures = 2; // the background fetch, then the one the call makes itself
        QpnLeases leases = new QpnLeases(sequence, NONE, 4, Runnable::run);
        IllegalStateException e = assertThrows(IllegalStateException.class, leases::allocate);
        assertTrue(e.getMessage().contains("cluster unreachable"), e.getMessage());
        assertEquals(2, leases.allocate(), "no number was lost");
    }

    @Test
    void aLeaseHoldsAtLeastTwoNumbers() {
        assertThrows(IllegalArgumentException.class,
                () -> new QpnLeases(new FakeSequence(Qpns.MIN), NONE, 1, Runnable::run));
    }
}
