package org.freeflow.router.internal.loopback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.freeflow.fastpath.api.PollerMode;
import org.freeflow.fastpath.internal.PollerGroup;
import org.freeflow.fastpath.internal.PollerSettings;
import org.freeflow.posix.api.PosixException;
import org.freeflow.router.internal.testing.Descriptors;
import org.freeflow.router.internal.testing.FakeQos;
import org.freeflow.router.internal.testing.LoopbackOffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The router's data-path self-test, on real poller threads. */
class DataPathSelfTestTest {

    private PollerGroup pollers;

    @BeforeEach
    void start() throws PosixException {
        pollers = new PollerGroup("self-test-poller", PollerSettings.defaults().withMode(PollerMode.ADAPTIVE)
                .withPollers(2));
    }

    @AfterEach
    void stop() {
        pollers.close();
    }

    @ParameterizedTest
    @EnumSource(PollerMode.class)
    void movesDataIntactAndFreesEverything(PollerMode mode) throws PosixException {
        pollers.close();
        pollers = new PollerGroup("self-test-poller", PollerSettings.defaults().withMode(mode).withPollers(2));
        Set<String> before = Descriptors.open();
        LoopbackFabric fabric = new LoopbackFabric(pollers, new FakeQos());
        SelfTestResult result = new DataPathSelfTest(pollers, new FakeQos(), "host1").run(300, fabric);
        assertTrue(result.ok(), result.failure());
        assertNull(result.failure());
        assertTrue(result.messages() >= 1000, result.figures());
        assertTrue(result.bytes() > 0, result.figures());
        assertEquals(0, fabric.directory().size(), "QPs left");
        Descriptors.assertNoLeak(before, "the self-test");
    }

    @Test
    void endsAfterItsBudget() {
        long budget = 500;
        SelfTestResult result = new DataPathSelfTest(pollers, new FakeQos(), "host1").run(budget);
        assertTrue(result.ok(), result.failure());
        assertTrue(result.elapsedNanos() < 10 * budget * 1_000_000L, result.figures());
    }

    @Test
    void whatStopsItIsReportedAndItStillFreesEverything() {
        FakeQos noQps = new FakeQos();
        noQps.maxQps = 0;
        Set<String> before = Descriptors.open();
        LoopbackFabric fabric = new LoopbackFabric(pollers, noQps);
        SelfTestResult result = new DataPathSelfTest(pollers, noQps, "host1").run(300, fabric);
        assertFalse(result.ok());
        assertTrue(result.failure().contains("QP quota"), result.failure());
        assertEquals(0, result.messages());
        assertEquals(0, fabric.directory().size(), "QPs left");
        Descriptors.assertNoLeak(before, "the failed self-test");
    }

    @Test
    void runsThroughATransportsLoopbackAndClosesIt() {
        LoopbackOffer transport = new LoopbackOffer(true);
        SelfTestResult result = new DataPathSelfTest(pollers, new FakeQos(), "host1").runThrough(transport, 300);
        assertTrue(result.ok(), result.failure());
        assertTrue(result.messages() >= 1000, result.figures());
        assertTrue(transport.connections() > 0, "no work request took the loopback");
        assertTrue(transport.closed(), "the loopback left open");
    }

    @Test
    void aTransportWithoutALoopbackIsSkipped() {
        assertSame(SelfTestResult.SKIPPED,
                new DataPathSelfTest(pollers, new FakeQos(), "host1").runThrough(new LoopbackOffer(false), 300));
    }

    @Test
    void aBudgetOfZeroDoesNothing() {
        Set<String> before = Descriptors.open();
        assertSame(SelfTestResult.SKIPPED, new DataPathSelfTest(pollers, new FakeQos(), "host1").run(0));
        assertEquals(before, Descriptors.open());
    }
}
