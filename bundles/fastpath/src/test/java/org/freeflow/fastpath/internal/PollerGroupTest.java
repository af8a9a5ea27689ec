package org.freeflow.fastpath.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.freeflow.fastpath.api.Abi;
import org.freeflow.fastpath.api.PollTarget;
import org.freeflow.fastpath.api.PollerMode;
import org.freeflow.posix.api.CpuAffinity;
import org.freeflow.posix.api.Errno;
import org.freeflow.posix.api.MappedRegion;
import org.freeflow.posix.api.Membarrier;
import org.freeflow.posix.api.MemFd;
import org.freeflow.posix.api.PosixException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Calls, registration, the router page, settings and pinning of the pollers. */
class PollerGroupTest {

    private PollerGroup group;

    private PollerGroup start(PollerSettings settings) throws PosixException {
        group = new PollerGroup("test-poller", settings);
        return group;
    }

    @AfterEach
    void stop() {
        if (group != null) {
            group.close();
        }
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting until " + what);
            Thread.sleep(1);
        }
    }

    @Test
    void callRunsWhileNoPollerIsInARoundAndNestsInline() throws Exception {
        start(PollerSettings.defaults().withPollers(2));
        assertFalse(group.inPollerThread());
        assertTrue(group.call(group::inPollerThread));
        int nested = group.call(() -> group.call(() -> 41) + 1);
        assertEquals(42, nested);
        TestRing ring = new TestRing();
        group.register(ring);
        int polledInside = group.call(() -> {
            int before = ring.consumed();
            ring.publish();
            Thread.sleep(20);
            return ring.consumed() - before;
        });
        assertEquals(0, polledInside, "no poller ran a round during the call");
        await(ring::drained, "the ring is drained after the call");
    }

    @Test
    void exceptionsComeBackToTheCaller() throws Exception {
        start(PollerSettings.defaults());
        IllegalArgumentException runtime = new IllegalArgumentException("bad");
        assertSame(runtime, assertThrows(IllegalArgumentException.class, () -> group.call(() -> {
            throw runtime;
        })));
        CompletionException wrapped = assertThrows(CompletionException.class, () -> group.call(() -> {
            throw new IOException("checked");
        }));
        assertTrue(wrapped.getCause() instanceof IOException);
        assertEquals(1, group.call(() -> 1), "still usable");
    }

    @Test
    void targetsArePolledUntilUnregistered() throws Exception {
        start(PollerSettings.defaults().withMode(PollerMode.FASTPATH));
        AtomicInteger polls = new AtomicInteger();
        PollTarget target = now -> {
            polls.incrementAndGet();
            return false;
        };
        group.register(target);
        group.register(target);
        assertEquals(0, group.pollerOf(target));
        assertEquals(1, group.metrics().get("freeflow_fastpath_targets{poller=\"0\"}"));
        await(() -> polls.get() >= 1000, "polled 1000 times");
        group.unregister(target);
        int after = polls.get();
        Thread.sleep(20);
        assertEquals(after, polls.get(), "no poll after unregister returned");
        assertEquals(-1, group.pollerOf(target));
    }

    @Test
    void aTargetMayUnregisterItselfAndAFailingTargetIsDropped() throws Exception {
        start(PollerSettings.defaults().withPollers(2).withMode(PollerMode.FASTPATH));
        AtomicInteger selfPolls = new AtomicInteger();
        PollTarget[] self = new PollTarget[1];
        self[0] = now -> {
            selfPolls.incrementAndGet();
            group.unregister(self[0]);
            return true;
        };
        PollTarget failing = now -> {
            throw new IllegalStateException("boom");
        };
        group.register(self[0]);
        group.register(failing);
        await(() -> group.pollerOf(failing) < 0 && group.pollerOf(self[0]) < 0, "both are gone");
        Thread.sleep(20);
        assertEquals(1, selfPolls.get());
        assertEquals(0, group.call(() -> group.metrics().get("freeflow_fastpath_targets{poller=\"0\"}").intValue()
                + group.metrics().get("freeflow_fastpath_targets{poller=\"1\"}").intValue()));
    }

    @Test
    void closedPollersRefuseCalls() throws Exception {
        start(PollerSettings.defaults());
        Thread poller = group.thread(0);
        group.close();
        assertThrows(IllegalStateException.class, () -> group.call(() -> 1));
        assertFalse(poller.isAlive());
        group = null;
    }

    @Test
    void theRouterPageIsSealedAgainstWritersAndShowsTheMode() throws Exception {
        start(PollerSettings.defaults().withMode(PollerMode.LOWCPU));
        int fd = group.routerPageFd();
        assertEquals(Abi.ROUTER_SHM_SIZE, MemFd.size(fd));
        int seals = MemFd.seals(fd);
        int wanted = MemFd.F_SEAL_SHRINK | MemFd.F_SEAL_GROW | MemFd.F_SEAL_FUTURE_WRITE;
        assertEquals(wanted, seals & wanted);
        assertEquals(Errno.EPERM, assertThrows(PosixException.class,
                () -> MappedRegion.map(fd, 0, Abi.ROUTER_SHM_SIZE, true)).errno());
        try (FflBell bell = new FflBell(group)) {
            assertEquals(Abi.MODE_LOWCPU, bell.mode());
            assertEquals(Membarrier.globalExpeditedSupported() ? Abi.BARRIER_MEMBARRIER : Abi.BARRIER_FENCE,
                    bell.barrier());
            await(() -> bell.sleeping() == 1, "the idle poller sleeps");
            group.configure(group.settings().withMode(PollerMode.FASTPATH));
            assertEquals(Abi.MODE_FASTPATH, bell.mode());
            group.configure(group.settings().withMode(PollerMode.ADAPTIVE));
            assertEquals(Abi.MODE_ADAPTIVE, bell.mode());
        }
    }

    @Test
    void pollersArePinnedAndUnpinnedLive() throws Exception {
        start(PollerSettings.defaults().withPollers(2));
        int[] all = CpuAffinity.get(CpuAffinity.currentThreadId());
        int last = all[all.length - 1];
        group.configure(group.settings().withCpus(last));
        assertArrayEquals(new int[] {last}, CpuAffinity.get(group.tid(0)));
        assertArrayEquals(new int[] {last}, CpuAffinity.get(group.tid(1)));
        group.configure(group.settings().withCpus(all));
        assertArrayEquals(new int[] {all[0]}, CpuAffinity.get(group.tid(0)));
        group.configure(group.settings().withCpus());
        assertArrayEquals(all, CpuAffinity.get(group.tid(0)));
    }

    @Test
    void settingsAreCheckedAndCpuListsParsed() {
        assertArrayEquals(new int[] {0, 2, 3, 5}, PollerSettings.parseCpus(" 5, 0,2-3 ,3"));
        assertArrayEquals(new int[0], PollerSettings.parseCpus(""));
        assertThrows(IllegalArgumentException.class, () -> PollerSettings.parseCpus("3-1"));
        assertThrows(IllegalArgumentException.class, () -> PollerSettings.parseCpus("x"));
        assertThrows(IllegalArgumentException.class, () -> PollerSettings.defaults().withPollers(33));
        assertThrows(IllegalArgumentException.class, () -> PollerSettings.defaults().withPollers(0));
        assertEquals(PollerMode.LOWCPU, PollerMode.parse(" LowCPU "));
        assertThrows(IllegalArgumentException.class, () -> PollerMode.parse("turbo"));
        assertEquals(PollerSettings.defaults(), PollerSettings.defaults().withCpus());
    }

    @Test
    void metricsNameEveryPoller() throws Exception {
        start(PollerSettings.defaults().withPollers(3).withMode(PollerMode.LOWCPU));
        Map<String, Number> m = group.metrics();
        assertEquals(3, m.get("freeflow_fastpath_pollers"));
        for (int i = 0; i < 3; i++) {
            String label = "{poller=\"" + i + "\"}";
            for (String name : new String[] {"mode", "targets", "asleep", "rounds_total", "work_total",
                "sleeps_total", "doorbell_wakeups_total", "timer_wakeups_total", "task_wakeups_total",
                "membarriers_total", "contended_sleeps_total"}) {
                assertTrue(m.containsKey("freeflow_fastpath_" + name + label), name + label + " in " + m.keySet());
            }
            assertEquals(Abi.MODE_LOWCPU, m.get("freeflow_fastpath_mode" + label));
        }
    }
}
