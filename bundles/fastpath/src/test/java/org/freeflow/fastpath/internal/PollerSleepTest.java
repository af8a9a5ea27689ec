package org.freeflow.fastpath.internal;

import static org.freeflow.fastpath.internal.PollerGroupTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.freeflow.fastpath.api.Abi;
import org.freeflow.fastpath.api.PollTarget;
import org.freeflow.fastpath.api.PollerMode;
import org.freeflow.posix.api.Membarrier;
import org.freeflow.posix.api.PosixException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** lowcpu and adaptive pollers sleep when idle and wake for the doorbell, a task and a deadline. */
class PollerSleepTest {

    private PollerGroup group;
    private FflBell bell;

    /** Pollers on a machine whose CPUs are never contended, whatever runs beside the test. */
    private void start(PollerSettings settings) throws PosixException {
        start(settings, false);
    }

    private void start(PollerSettings settings, boolean contended) throws PosixException {
        group = new PollerGroup("test-poller", settings, () -> new CpuContention(() -> contended ? 3 : 1, 2));
        bell = new FflBell(group);
    }

    @AfterEach
    void stop() {
        if (bell != null) {
            bell.close();
        }
        if (group != null) {
            group.close();
        }
        bell = null;
        group = null;
    }

    /** Waits until poller {@code i} sleeps and has not woken for 20 ms (no wake-up still under way). */
    private void awaitDeepSleep(int i) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            assertTrue(System.nanoTime() < deadline, "poller " + i + " never stays asleep");
            await(() -> group.asleep(i), "poller " + i + " sleeps");
            long sleeps = group.stats(i).sleeps();
            Thread.sleep(20);
            if (group.asleep(i) && group.stats(i).sleeps() == sleeps) {
                return;
            }
        }
    }

    private static PollerSettings mode(PollerMode mode) {
        return PollerSettings.defaults().withMode(mode);
    }

    /** Publishes one item as the FFL would, then waits until a poller consumed it. */
    private void publishAndAwait(TestRing ring) throws InterruptedException {
        ring.publish();
        bell.ring();
        long spinUntil = System.nanoTime() + 20_000_000L;
        while (!ring.drained() && System.nanoTime() < spinUntil) {
            Thread.yield();
        }
        await(ring::drained, "item " + ring.published() + " is consumed");
    }

    @Test
    void everyModeConsumesWork() throws Exception {
        for (PollerMode m : PollerMode.values()) {
            start(mode(m));
            TestRing ring = new TestRing();
            group.register(ring);
            for (int i = 0; i < 200; i++) {
                publishAndAwait(ring);
            }
            bell.close();
            group.close();
            bell = null;
            group = null;
        }
    }

    @Test
    void lowcpuSleepsWhenIdleAndTheDoorbellWakesIt() throws Exception {
        start(mode(PollerMode.LOWCPU));
        TestRing ring = new TestRing();
        group.register(ring);
        awaitDeepSleep(0);
        assertEquals(1, bell.sleeping(), "bit 0 of ff_router_shm.sleeping");
        long sleeps = group.stats(0).sleeps();
        long rounds = group.stats(0).rounds();
        Thread.sleep(50);
        assertEquals(rounds, group.stats(0).rounds(), "no round while asleep");
        publishAndAwait(ring);
        assertTrue(bell.rings() >= 1, "the FFL rang");
        await(() -> group.stats(0).doorbellWakeups() >= 1, "a doorbell wake-up is counted");
        await(() -> group.asleep(0) && group.stats(0).sleeps() > sleeps, "asleep again");
    }

    /**
     * On a membarrier page, a poller that every message wakes by the doorbell
     * pays no membarrier for it (one took up to 1.7 ms on a virtual machine
     * with the other CPU busy: ib_send_lat in lowcpu mode fell to one round
     * trip per 1.5 ms); only a sleep that nothing ended within its nap is
     * preceded by one (the first long sleep here).  On a fence page there is
     * none at all.
     */
    @Test
    void aPollerWokenForEveryMessageIssuesAMembarrierOnlyBeforeALongSleep() throws Exception {
        start(mode(PollerMode.LOWCPU));
        boolean membarrierPage = bell.barrier() == Abi.BARRIER_MEMBARRIER;
        assertEquals(Membarrier.globalExpeditedSupported(), membarrierPage);
        TestRing ring = new TestRing();
        group.register(ring);
        awaitDeepSleep(0);
        long idle = group.stats(0).membarriers();
        assertEquals(membarrierPage, idle >= 1, idle + " membarriers before the first long sleep");
        int messages = 300;
        long rings = bell.rings();
        for (int i = 0; i < messages; i++) {
            long until = System.nanoTime() + 10_000_000_000L;
            while (!group.asleep(0) && System.nanoTime() < until) {
                Thread.onSpinWait(); // as a peer answering at once: the message comes during the nap
            }
            publishAndAwait(ring);
        }
        long during = group.stats(0).membarriers() - idle;
        assertTrue(during < messages / 3, during + " membarriers for " + messages + " doorbell wake-ups");
        assertTrue(bell.rings() - rings >= messages / 2, (bell.rings() - rings) + " messages found it asleep");
    }

    @Test
    void fastpathNeverAsksForTheDoorbellWhileItHasTargets() throws Exception {
        start(mode(PollerMode.FASTPATH));
        TestRing ring = new TestRing();
        group.register(ring);
        Thread.sleep(50);
        long sleeps = group.stats(0).sleeps();
        for (int i = 0; i < 100; i++) {
            publishAndAwait(ring);
        }
        Thread.sleep(20);
        assertEquals(0, bell.sleeping());
        assertEquals(sleeps, group.stats(0).sleeps());
        assertEquals(0, bell.rings());
    }

    @Test
    void adaptiveSpinsWhileBusyThenSleeps() throws Exception {
        start(new PollerSettings(PollerMode.ADAPTIVE, 1, new int[0], 16, 20_000, 0));
        TestRing ring = new TestRing();
        group.register(ring);
        await(() -> group.asleep(0), "asleep after the spin window");
        long sleeps = group.stats(0).sleeps();
        long deadline = System.nanoTime() + 200_000_000L;
        while (System.nanoTime() < deadline) {
            publishAndAwait(ring);
            Thread.onSpinWait();
        }
        assertTrue(group.stats(0).sleeps() - sleeps <= 3,
                "a busy adaptive poller keeps spinning: " + (group.stats(0).sleeps() - sleeps) + " sleeps");
        await(() -> group.asleep(0), "asleep again once idle");
    }

    /** The first work requests of a new connection find the poller spinning, on contended CPUs too. */
    @Test
    void expectedWorkKeepsAnAdaptivePollerAwakeForTheReadySpinThenItSleeps() throws Exception {
        for (boolean contended : new boolean[] {false, true}) {
            start(new PollerSettings(PollerMode.ADAPTIVE, 1, new int[0], 16, 1_000, 2_000), contended);
            TestRing ring = new TestRing();
            group.register(ring);
            await(() -> group.asleep(0), "asleep after the 1 ms spin window");
            long sleeps = group.stats(0).sleeps();
            group.expectWork();
            await(() -> !group.asleep(0), "woken by the announcement");
            Thread.sleep(100);
            assertEquals(sleeps, group.stats(0).sleeps(), "no sleep within the 2 s ready spin, idle as it is");
            assertFalse(group.asleep(0));
            assertEquals(0, bell.rings(), "the first work request finds it awake: no doorbell");
            publishAndAwait(ring);
            assertEquals(0, bell.rings());
            await(() -> group.asleep(0), "asleep once the ready spin ran out");
            stop();
        }
    }

    @Test
    void onContendedCpusAnAdaptivePollerSleepsRightAfterItsWork() throws Exception {
        // a 20 s spin window: only the contention can put it to sleep
        PollerSettings settings = new PollerSettings(PollerMode.ADAPTIVE, 1, new int[0], 16, 20_000_000, 0);
        for (boolean contended : new boolean[] {false, true}) {
            start(settings, contended);
            TestRing ring = new TestRing();
            group.register(ring);
            if (!contended) {
                publishAndAwait(ring);
            }
            long sleeps = group.stats(0).sleeps();
            for (int i = 0; i < 20; i++) {
                publishAndAwait(ring);
                if (contended) {
                    await(() -> group.asleep(0), "asleep after message " + ring.published());
                }
            }
            Thread.sleep(50);
            if (contended) {
                assertTrue(group.stats(0).contendedSleeps() >= 20, group.stats(0).contendedSleeps() + " sleeps");
                assertTrue(group.asleep(0));
            } else {
                assertEquals(sleeps, group.stats(0).sleeps(), "spins while a CPU is free");
                assertEquals(0, group.stats(0).contendedSleeps());
                assertFalse(group.asleep(0));
            }
            stop();
        }
    }

    /**
     * A post that raced the poller's announcement and rang no doorbell is found by the look after a nap
     * slice (100 us), not when the whole nap (here 20 ms, for membarriers of 2.5 ms) ends.
     */
    @Test
    void aPostThatRangNoDoorbellWaitsOneNapSliceNotTheNap() throws Exception {
        start(mode(PollerMode.LOWCPU));
        Assumptions.assumeTrue(bell.barrier() == Abi.BARRIER_MEMBARRIER, "only a membarrier page naps");
        TestRing ring = new TestRing();
        group.register(ring);
        for (int i = 0; i < 5; i++) {
            awaitDeepSleep(0);
            group.assumeMembarriersTake(0, 2_500_000L);
            publishAndAwait(ring); // woken by its doorbell; then it naps 20 ms, asleep
            await(() -> group.asleep(0), "napping after message " + ring.published());
            Thread.sleep(1);
            long posted = System.nanoTime();
            ring.publish(); // no doorbell: as a post whose look at the sleeping bits came before they were set
            await(ring::drained, "item " + ring.published() + " is consumed");
            long waited = System.nanoTime() - posted;
            assertTrue(waited < 10_000_000L, "waited " + waited / 1000 + " us: the whole nap");
        }
    }

    @Test
    void expectedWorkChangesNothingInLowCpuMode() throws Exception {
        start(mode(PollerMode.LOWCPU));
        TestRing ring = new TestRing();
        group.register(ring);
        awaitDeepSleep(0);
        long sleeps = group.stats(0).sleeps();
        long wakeups = group.stats(0).taskWakeups();
        group.expectWork();
        Thread.sleep(50);
        assertTrue(group.asleep(0), "still asleep");
        assertEquals(sleeps, group.stats(0).sleeps());
        assertEquals(wakeups, group.stats(0).taskWakeups(), "not even woken");
    }

    @Test
    void adaptiveCountsOnlyTimeSpentWatchingTheRings() throws Exception {
        // every round takes 3 ms, as if the poller lost its CPU between two rounds:
        // 40 such rounds are 120 ms of wall time but at most 40 x 5 us watched,
        // far below the 1 ms window, so the poller must not sleep
        start(new PollerSettings(PollerMode.ADAPTIVE, 1, new int[0], 16, 1_000, 0));
        AtomicLong rounds = new AtomicLong();
        PollTarget offCpu = now -> {
            rounds.incrementAndGet();
            LockSupport.parkNanos(3_000_000L);
            return false;
        };
        group.register(offCpu);
        await(() -> rounds.get() >= 1, "a first slow round");
        long sleeps = group.stats(0).sleeps(); // a poller without targets sleeps before the registration
        await(() -> rounds.get() >= 41, "40 more slow rounds");
        assertEquals(sleeps, group.stats(0).sleeps(), "slept although the rings were watched for under 1 ms");
        assertFalse(group.asleep(0));
    }

    @Test
    void aTaskWakesASleepingPoller() throws Exception {
        start(mode(PollerMode.LOWCPU));
        awaitDeepSleep(0);
        long wakeups = group.stats(0).taskWakeups();
        AtomicReference<Thread> polledBy = new AtomicReference<>();
        PollTarget fresh = now -> polledBy.compareAndSet(null, Thread.currentThread());
        group.register(fresh);
        await(() -> polledBy.get() != null, "the new target is polled");
        assertEquals(group.thread(0), polledBy.get());
        assertTrue(group.stats(0).taskWakeups() > wakeups);
    }

    @Test
    void aDeadlineWakesASleepingPollerWithoutADoorbell() throws Exception {
        start(mode(PollerMode.LOWCPU));
        long delay = 30_000_000L;
        AtomicLong due = new AtomicLong(Long.MAX_VALUE);
        AtomicLong polledAt = new AtomicLong();
        PollTarget timer = new PollTarget() {
            @Override
            public boolean poll(long now) {
                if (due.get() == Long.MAX_VALUE) {
                    due.set(now + delay);
                } else if (now - due.get() >= 0) {
                    polledAt.compareAndSet(0, now);
                }
                return false;
            }

            @Override
            public long deadline(long now) {
                return polledAt.get() != 0 ? NO_DEADLINE : due.get();
            }
        };
        group.register(timer);
        await(() -> polledAt.get() != 0, "the target is polled at its deadline");
        assertTrue(polledAt.get() - due.get() >= 0);
        assertTrue(group.stats(0).timerWakeups() >= 1);
        assertEquals(0, bell.rings());
        await(() -> group.asleep(0), "asleep for good after the deadline");
    }

    @Test
    void noLostWakeUpOneSleeper() throws Exception {
        hammer(1, 50_000);
    }

    @Test
    void noLostWakeUpTwoSleepersSharingTheDoorbell() throws Exception {
        hammer(2, 30_000);
    }

    /**
     * Publish-then-check against sleep-then-recheck: the producer publishes,
     * fences and rings only if a poller sleeps, at random moments of the
     * poller's way to sleep; a lost wake-up leaves an item unconsumed forever.
     */
    private void hammer(int pollers, int items) throws Exception {
        start(mode(PollerMode.LOWCPU).withPollers(pollers));
        List<TestRing> rings = new ArrayList<>();
        for (int i = 0; i < pollers; i++) {
            TestRing ring = new TestRing();
            group.register(ring);
            rings.add(ring);
        }
        TestRing busy = rings.get(pollers - 1);
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long lostAt = -1;
        for (int i = 0; i < items && lostAt < 0; i++) {
            busy.publish();
            bell.ring();
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!busy.drained()) {
                if (System.nanoTime() - deadline > 0) {
                    lostAt = i;
                    break;
                }
                Thread.yield();
            }
            int pause = random.nextInt(4);
            if (pause == 1) {
                Thread.onSpinWait();
            } else if (pause == 2) {
                long until = System.nanoTime() + random.nextInt(30_000);
                while (System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
            } else if (pause == 3) {
                Thread.yield();
            }
        }
        assertEquals(-1, lostAt, "item " + lostAt + " waited 5 s: lost wake-up");
        long sleeps = 0;
        for (int i = 0; i < pollers; i++) {
            sleeps += group.stats(i).sleeps();
        }
        assertTrue(bell.rings() > items / 20, "the doorbell was rung " + bell.rings() + " times in " + items);
        assertTrue(sleeps > items / 20, sleeps + " sleeps in " + items + " items");
        for (TestRing ring : rings) {
            assertEquals(0, ring.overlaps.get());
        }
    }

    @Test
    void sleepingAndWakingAllocateNothing() throws Exception {
        start(mode(PollerMode.LOWCPU));
        TestRing ring = new TestRing();
        group.register(ring);
        for (int i = 0; i < 3000; i++) {
            publishAndAwait(ring);
        }
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = group.thread(0).getId();
        long before = threads.getThreadAllocatedBytes(id);
        long sleeps = group.stats(0).sleeps();
        for (int i = 0; i < 3000; i++) {
            publishAndAwait(ring);
        }
        long allocated = threads.getThreadAllocatedBytes(id) - before;
        assertTrue(group.stats(0).sleeps() - sleeps > 300, "the poller slept between items");
        assertTrue(allocated < 64 * 1024, "the poller allocated " + allocated + " bytes in 3000 wake-ups");
    }

    @Test
    void idleLowcpuAndAdaptivePollersUseAlmostNoCpu() throws Exception {
        for (PollerMode m : new PollerMode[] {PollerMode.LOWCPU, PollerMode.ADAPTIVE}) {
            start(mode(m).withPollers(2));
            for (int i = 0; i < 8; i++) {
                group.register(new TestRing());
            }
            await(() -> group.asleep(0) && group.asleep(1), "both pollers sleep");
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long[] before = {threads.getThreadCpuTime(group.thread(0).getId()),
                threads.getThreadCpuTime(group.thread(1).getId())};
            long start = System.nanoTime();
            Thread.sleep(1500);
            long wall = System.nanoTime() - start;
            for (int i = 0; i < 2; i++) {
                long used = threads.getThreadCpuTime(group.thread(i).getId()) - before[i];
                assertTrue(used < wall / 50, m + " poller " + i + " used " + used / 1000 + " µs of CPU in "
                        + wall / 1000 + " µs idle");
            }
            bell.close();
            group.close();
            bell = null;
            group = null;
        }
    }

    @Test
    void modesAndPollerCountsChangeLiveWithNothingLost() throws Exception {
        start(mode(PollerMode.ADAPTIVE));
        List<TestRing> rings = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            TestRing ring = new TestRing();
            group.register(ring);
            rings.add(ring);
        }
        AtomicBoolean producing = new AtomicBoolean(true);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread producer = new Thread(() -> {
            try (FflBell own = new FflBell(group)) {
                int n = 0;
                while (producing.get()) {
                    TestRing ring = rings.get(n++ % rings.size());
                    if (ring.published() - ring.consumed() < 64) {
                        ring.publish();
                        own.ring();
                    }
                    if (n % 8 == 0) {
                        Thread.yield();
                    }
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        producer.start();
        PollerSettings base = group.settings();
        Object[][] steps = {{PollerMode.LOWCPU, 2}, {PollerMode.FASTPATH, 3}, {PollerMode.ADAPTIVE, 1},
            {PollerMode.LOWCPU, 1}, {PollerMode.FASTPATH, 1}, {PollerMode.ADAPTIVE, 2}, {PollerMode.LOWCPU, 3},
            {PollerMode.ADAPTIVE, 1}};
        for (Object[] step : steps) {
            group.configure(base.withMode((PollerMode) step[0]).withPollers((Integer) step[1]));
            int before = total(rings, true);
            await(() -> total(rings, true) > before + 100, "work goes on in " + step[0] + " x" + step[1]);
            Thread.sleep(50);
        }
        producing.set(false);
        producer.join();
        assertNull(failure.get());
        for (TestRing ring : rings) {
            await(ring::drained, "every published item is consumed");
            assertEquals(0, ring.overlaps.get(), "a ring was polled by two pollers at once");
            assertTrue(group.pollerOf(ring) == 0);
        }
        assertFalse(total(rings, false) == 0);
    }

    private static int total(List<TestRing> rings, boolean consumed) {
        int n = 0;
        for (TestRing r : rings) {
            n += consumed ? r.consumed() : r.published();
        }
        return n;
    }
}
