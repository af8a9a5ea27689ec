package org.freeflow.router.internal.vnic;

import static org.freeflow.fastpath.api.Verbs.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.freeflow.fastpath.api.PollerMode;
import org.freeflow.fastpath.internal.PollerGroup;
import org.freeflow.fastpath.internal.PollerSettings;
import org.freeflow.router.internal.loopback.AppMemory;
import org.freeflow.router.internal.loopback.Completion;
import org.freeflow.router.internal.loopback.FflBell;
import org.freeflow.router.internal.loopback.FflCompletionQueue;
import org.freeflow.router.internal.loopback.FflQueuePair;
import org.freeflow.router.internal.loopback.Sge;
import org.freeflow.router.internal.vnic.VnicFixture.Endpoint;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Queue pairs on real pollers in each mode; the FFL side rings the doorbell as the C library does. */
class PollerModesTest {

    private PollerGroup pollers;
    private VnicFixture fx;
    private FflBell bell;

    private void start(PollerSettings settings) throws Exception {
        pollers = new PollerGroup("test-poller", settings);
        fx = new VnicFixture(pollers);
        bell = new FflBell(pollers);
    }

    @AfterEach
    void stop() {
        if (fx != null) {
            fx.close();
        }
        if (bell != null) {
            bell.close();
        }
        if (pollers != null) {
            pollers.close();
        }
    }

    private Endpoint endpoint(String container) throws Exception {
        Endpoint e = fx.endpoint(container);
        e.qp.ringing(bell);
        return e;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting until " + what);
            Thread.sleep(1);
        }
    }

    private static Completion next(FflCompletionQueue cq) throws InterruptedException {
        Completion[] c = new Completion[1];
        await(() -> (c[0] = cq.poll()) != null, "a completion arrives");
        return c[0];
    }

    /** Waits until poller {@code i} sleeps and has not woken for 20 ms (no wake-up still under way). */
    private void awaitDeepSleep(int i) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            assertTrue(System.nanoTime() < deadline, "poller " + i + " never stays asleep");
            await(() -> (bell.sleeping() & (1 << i)) != 0, "poller " + i + " sleeps");
            long sleeps = metric("sleeps_total", i);
            Thread.sleep(20);
            if ((bell.sleeping() & (1 << i)) != 0 && metric("sleeps_total", i) == sleeps) {
                return;
            }
        }
    }

    private long metric(String name, int poller) {
        Map<String, Number> m = pollers.metrics();
        Number n = m.get("freeflow_fastpath_" + name + "{poller=\"" + poller + "\"}");
        return n == null ? -1 : n.longValue();
    }

    @Test
    void everyModeExecutesWorkRequests() throws Exception {
        for (PollerMode mode : PollerMode.values()) {
            for (int count = 1; count <= 2; count++) {
                start(PollerSettings.defaults().withMode(mode).withPollers(count));
                Endpoint a = endpoint("alpha");
                Endpoint b = endpoint("beta");
                fx.connect(a, b);
                int srcKey = a.register(0x10000, 8192, ACCESS_LOCAL_WRITE);
                int dstKey = b.register(0x20000, 8192, VnicFixture.ALL_ACCESS);
                a.memory.fill(0x10000, 3000, 7);
                b.memory.fill(0x21000, 1000, 9);
                for (int round = 0; round < 20; round++) {
                    b.qp.postRecv(round, new Sge(0x20000, 4096, dstKey));
                    a.qp.postSend(100 + round, WR_SEND, SEND_SIGNALED, 0, 0, 0, new Sge(0x10000, 3000, srcKey));
                    assertEquals(new Completion(100 + round, WC_SUCCESS, WC_SEND, 3000, 0, a.qp.qpn, 0, 0, 0),
                            next(a.sendCq), mode + " x" + count);
                    assertEquals(round, next(b.recvCq).wrId());
                    assertArrayEquals(AppMemory.pattern(3000, 7), b.memory.read(0x20000, 3000));
                    a.qp.postSend(200 + round, WR_RDMA_READ, SEND_SIGNALED, 0x21000, dstKey, 0,
                            new Sge(0x11000, 1000, srcKey));
                    assertEquals(WC_SUCCESS, next(a.sendCq).status());
                    assertArrayEquals(AppMemory.pattern(1000, 9), a.memory.read(0x11000, 1000));
                    if (mode != PollerMode.FASTPATH && round % 5 == 0) {
                        await(() -> bell.sleeping() != 0, mode + " pollers sleep between requests");
                    }
                }
                stop();
                fx = null;
                bell = null;
                pollers = null;
            }
        }
    }

    @Test
    void anRnrRetryTimerWakesASleepingPoller() throws Exception {
        start(PollerSettings.defaults().withMode(PollerMode.LOWCPU));
        Endpoint a = endpoint("alpha");
        Endpoint b = endpoint("beta");
        fx.connect(a, b, 7, 18);
        int srcKey = a.register(0x10000, 4096, ACCESS_LOCAL_WRITE);
        int dstKey = b.register(0x20000, 4096, ACCESS_LOCAL_WRITE);
        a.qp.postSend(1, WR_SEND, SEND_SIGNALED, 0, 0, 0, new Sge(0x10000, 100, srcKey));
        await(() -> metric("timer_wakeups_total", 0) >= 2, "RNR retries (every 5.12 ms) wake the poller");
        await(() -> bell.sleeping() != 0, "the poller sleeps between retries");
        assertNull(a.sendCq.poll());
        long doorbells = metric("doorbell_wakeups_total", 0);
        b.qp.postRecvSilently(9, new Sge(0x20000, 4096, dstKey));
        assertEquals(WC_SUCCESS, next(a.sendCq).status(), "the next retry, on a timer, finds the receive");
        assertEquals(9, next(b.recvCq).wrId());
        assertEquals(doorbells, metric("doorbell_wakeups_total", 0), "no doorbell rang");
    }

    /**
     * A's poller, woken only by the RNR timer of another QP (no doorbell: the
     * write is posted silently), moves B to ERR; B's poller sleeps without a
     * deadline, and only the wake-up of the faulted QP's poller gets B's
     * receive flushed.
     */
    @Test
    void aResponderFaultOnAnotherPollerIsFlushedWhileItsPollerSleeps() throws Exception {
        start(PollerSettings.defaults().withMode(PollerMode.LOWCPU).withPollers(2));
        Endpoint a = endpoint("alpha");
        Endpoint b = endpoint("beta");
        fx.connect(a, b);
        Endpoint c = endpoint("gamma");
        Endpoint d = endpoint("delta");
        fx.connect(c, d, 7, 1);
        int aPoller = pollers.pollerOf(a.routerQp);
        int bPoller = pollers.pollerOf(b.routerQp);
        assertNotEquals(aPoller, bPoller, "one QP per poller");
        assertEquals(aPoller, pollers.pollerOf(c.routerQp));
        assertEquals(bPoller, pollers.pollerOf(d.routerQp));
        int srcKey = a.register(0x10000, 4096, ACCESS_LOCAL_WRITE);
        int dstKey = b.register(0x20000, 4096, VnicFixture.ALL_ACCESS);
        b.qp.postRecv(5, new Sge(0x20000, 64, dstKey));
        int cKey = c.register(0x10000, 4096, ACCESS_LOCAL_WRITE);
        c.qp.postSend(1, WR_SEND, SEND_SIGNALED, 0, 0, 0, new Sge(0x10000, 8, cKey));
        await(() -> metric("timer_wakeups_total", aPoller) > 3, "A's poller wakes for C's RNR retries");
        awaitDeepSleep(bPoller);
        long bWakeups = metric("doorbell_wakeups_total", bPoller);
        a.qp.postSendSilently(1, WR_RDMA_WRITE, SEND_SIGNALED, 0x90000, dstKey, 0, new Sge(0x10000, 16, srcKey));
        assertEquals(WC_REM_ACCESS_ERR, next(a.sendCq).status());
        Completion flushed = next(b.recvCq);
        assertEquals(5, flushed.wrId());
        assertEquals(WC_WR_FLUSH_ERR, flushed.status(), "B's poller was woken to flush its receive");
        assertEquals(QPS_ERR, b.state());
        assertEquals(bWakeups, metric("doorbell_wakeups_total", bPoller), "not by a doorbell");
    }

    @Test
    void idleQueuePairsLetLowcpuAndAdaptivePollersSleep() throws Exception {
        for (PollerMode mode : new PollerMode[] {PollerMode.LOWCPU, PollerMode.ADAPTIVE}) {
            PollerSettings settings = PollerSettings.defaults().withMode(mode).withPollers(2);
            start(settings);
            List<Endpoint> all = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Endpoint a = endpoint("a" + i);
                Endpoint b = endpoint("b" + i);
                fx.connect(a, b);
                int key = b.register(0x20000, 4096, ACCESS_LOCAL_WRITE);
                for (int r = 0; r < 4; r++) {
                    b.qp.postRecv(r, new Sge(0x20000, 64, key));
                }
                all.add(a);
                all.add(b);
            }
            // connecting made the pollers spin for work to come (adaptive's ready spin): the window
            // starts once that is over and both sleep (a wake-up still under way shows as asleep)
            Thread.sleep(settings.readySpinMillis() + 20);
            await(() -> bell.sleeping() == 3, "both pollers sleep with " + all.size() + " QPs in RTS");
            awaitDeepSleep(0);
            awaitDeepSleep(1);
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long[] before = new long[2];
            for (int i = 0; i < 2; i++) {
                before[i] = (long) (pollers.metrics().get("freeflow_fastpath_cpu_seconds_total{poller=\"" + i
                        + "\"}").doubleValue() * 1e9);
            }
            long start = System.nanoTime();
            Thread.sleep(1500);
            long wall = System.nanoTime() - start;
            for (int i = 0; i < 2; i++) {
                long used = (long) (pollers.metrics().get("freeflow_fastpath_cpu_seconds_total{poller=\"" + i
                        + "\"}").doubleValue() * 1e9) - before[i];
                assertTrue(used < wall / 50, mode + " poller " + i + " used " + used / 1000 + " µs of CPU in "
                        + wall / 1000 + " µs");
            }
            assertTrue(threads.isThreadCpuTimeSupported());
            stop();
            fx = null;
            bell = null;
            pollers = null;
        }
    }

    /**
     * Two contexts with two QPs each, the QPs of one context sharing its CQs
     * and spread over the pollers; A streams numbered SENDs on both QPs, B
     * checks every one arrives, in order, with its bytes, while modes, poller
     * counts and pinning change under them.
     */
    @Test
    void modesAndPollerCountsChangeLiveWhileDataMoves() throws Exception {
        start(PollerSettings.defaults().withPollers(2));
        Endpoint a = endpoint("alpha");
        Endpoint b = endpoint("beta");
        QpCaps caps = new QpCaps(16, 16, 1, 1, 0);
        FflQueuePair a1 = fx.addQp(a, a.sendCq, a.recvCq, caps, false);
        FflQueuePair b1 = fx.addQp(b, b.sendCq, b.recvCq, caps, false);
        a1.ringing(bell);
        b1.ringing(bell);
        fx.connect(a, 0, b, 0, 7, 1);
        fx.connect(a, 1, b, 1, 7, 1);
        Stream stream = new Stream(a, b, List.of(a.qp, a1), List.of(b.qp, b1));
        Thread sender = new Thread(stream::send, "app-alpha");
        Thread receiver = new Thread(stream::receive, "app-beta");
        receiver.start();
        sender.start();
        try {
            PollerSettings base = pollers.settings();
            int[] cpus = org.freeflow.posix.api.CpuAffinity.get(
                    org.freeflow.posix.api.CpuAffinity.currentThreadId());
            PollerSettings[] steps = {base.withMode(PollerMode.LOWCPU),
                base.withMode(PollerMode.FASTPATH).withPollers(3), base.withMode(PollerMode.ADAPTIVE).withPollers(1),
                base.withMode(PollerMode.LOWCPU).withPollers(1),
                base.withMode(PollerMode.FASTPATH).withPollers(2).withCpus(cpus[0]),
                base.withMode(PollerMode.ADAPTIVE).withPollers(2), base.withMode(PollerMode.LOWCPU).withPollers(3),
                base.withMode(PollerMode.ADAPTIVE).withPollers(1)};
            boolean spread = false;
            for (PollerSettings step : steps) {
                pollers.configure(step);
                spread |= pollers.pollerOf(a.qps.get(0)) != pollers.pollerOf(a.qps.get(1));
                long before = stream.received();
                await(() -> stream.received() > before + 2000 || stream.failure != null,
                        "messages flow with " + step);
                assertNull(stream.failure);
            }
            assertTrue(spread, "the QPs sharing A's CQs ran on different pollers at some point");
        } finally {
            stream.stop();
            sender.join();
            receiver.join();
        }
        assertNull(stream.failure, () -> "stream failed: " + stream.failure);
        assertEquals(stream.sent(), stream.received(), "every message arrived");
        assertTrue(stream.received() > 1000, stream.received() + " messages");
    }

    /** The two applications of {@link #modesAndPollerCountsChangeLiveWhileDataMoves}. */
    private static final class Stream {

        private static final int WINDOW = 8;
        private static final int LENGTH = 64;
        private final Endpoint a;
        private final Endpoint b;
        private final List<FflQueuePair> senders;
        private final List<FflQueuePair> receivers;
        private final int srcKey;
        private final int dstKey;
        private volatile boolean running = true;
        private volatile boolean sendingDone;
        private volatile long sent;
        private volatile long received;
        volatile String failure;

        Stream(Endpoint a, Endpoint b, List<FflQueuePair> senders, List<FflQueuePair> receivers) {
            this.a = a;
            this.b = b;
            this.senders = senders;
            this.receivers = receivers;
            this.srcKey = a.register(0x10000, 64 * 1024, ACCESS_LOCAL_WRITE);
            this.dstKey = b.register(0x20000, 64 * 1024, ACCESS_LOCAL_WRITE);
        }

        long sent() {
            return sent;
        }

        long received() {
            return received;
        }

        void stop() {
            running = false;
        }

        /** Buffer of message slot {@code slot} of QP {@code q} (A's source, B's destination). */
        private static long buffer(long base, int q, int slot) {
            return base + (q * 2L * WINDOW + slot) * LENGTH;
        }

        void send() {
            try {
                long[] next = new long[senders.size()];
                int[] inFlight = new int[senders.size()];
                while (running) {
                    boolean idle = true;
                    for (int q = 0; q < senders.size(); q++) {
                        if (inFlight[q] < WINDOW) {
                            long seq = next[q]++;
                            int slot = (int) (seq % (2 * WINDOW));
                            long at = buffer(0x10000, q, slot);
                            a.memory.bytes().putLong((int) at, seq);
                            a.memory.bytes().putLong((int) at + 8, ~seq);
                            senders.get(q).postSend(q * 1_000_000_000L + seq, WR_SEND, SEND_SIGNALED, 0, 0, 0,
                                    new Sge(at, LENGTH, srcKey));
                            inFlight[q]++;
                            sent++;
                            idle = false;
                        }
                    }
                    Completion c;
                    while ((c = a.sendCq.poll()) != null) {
                        if (c.status() != WC_SUCCESS) {
                            failure = "send completion " + c;
                            return;
                        }
                        inFlight[(int) (c.wrId() / 1_000_000_000L)]--;
                        idle = false;
                    }
                    if (idle) {
                        Thread.yield();
                    }
                }
                long deadline = System.nanoTime() + 10_000_000_000L;
                while ((inFlight[0] > 0 || inFlight[1] > 0) && System.nanoTime() < deadline) {
                    Completion c = a.sendCq.poll();
                    if (c == null) {
                        Thread.yield();
                    } else {
                        inFlight[(int) (c.wrId() / 1_000_000_000L)]--;
                    }
                }
            } catch (Throwable t) {
                failure = "sender: " + t;
            } finally {
                sendingDone = true;
            }
        }

        void receive() {
            try {
                long[] expected = new long[receivers.size()];
                for (int q = 0; q < receivers.size(); q++) {
                    for (int slot = 0; slot < 2 * WINDOW; slot++) {
                        receivers.get(q).postRecv(q * 1000L + slot, new Sge(buffer(0x20000, q, slot), LENGTH, dstKey));
                    }
                }
                long quietSince = System.nanoTime();
                while (!sendingDone || received < sent) {
                    Completion c = b.recvCq.poll();
                    if (c == null) {
                        if (sendingDone && System.nanoTime() - quietSince > 10_000_000_000L) {
                            failure = "receiver: " + (sent - received) + " messages never arrived";
                            return;
                        }
                        Thread.yield();
                        continue;
                    }
                    quietSince = System.nanoTime();
                    int q = (int) (c.wrId() / 1000);
                    int slot = (int) (c.wrId() % 1000);
                    long at = buffer(0x20000, q, slot);
                    long seq = b.memory.bytes().getLong((int) at);
                    if (c.status() != WC_SUCCESS || c.byteLen() != LENGTH || seq != expected[q]
                            || b.memory.bytes().getLong((int) at + 8) != ~seq
                            || c.qpNum() != receivers.get(q).qpn) {
                        failure = "QP " + q + " expected message " + expected[q] + ", got " + seq + " in " + c;
                        return;
                    }
                    expected[q]++;
                    received++;
                    receivers.get(q).postRecv(c.wrId(), new Sge(at, LENGTH, dstKey));
                }
            } catch (Throwable t) {
                failure = "receiver: " + t;
            }
        }
    }
}
