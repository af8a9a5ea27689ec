package org.freeflow.router.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.freeflow.fastpath.api.Abi;
import org.freeflow.fastpath.api.PollerMode;
import org.freeflow.fastpath.internal.PollerGroup;
import org.freeflow.fastpath.internal.PollerSettings;
import org.freeflow.router.api.ContainerView;
import org.freeflow.router.internal.testing.AttachRequest;
import org.freeflow.router.internal.testing.FakeOrchestrator;
import org.freeflow.router.internal.testing.FakeQos;
import org.freeflow.router.internal.testing.LoopbackOffer;
import org.freeflow.router.internal.testing.WireClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A router that runs its data-path self-test at start serves as one that
 * does not, and its self-test leaves nothing behind: no container, no QP,
 * no registration.
 */
class SelfTestAtStartTest {

    @TempDir
    Path dir;

    @Test
    void theRouterStartsAndServesAfterItsSelfTest() throws Exception {
        startsAndServes(new FakeQos());
    }

    /** A self-test that fails (here: no QP admitted) is logged; the router starts all the same. */
    @Test
    void theRouterStartsAfterAFailedSelfTest() throws Exception {
        FakeQos noQps = new FakeQos();
        noQps.maxQps = 0;
        startsAndServes(noQps);
    }

    /** A transport that comes while the router serves is self-tested through its loopback, off DS's thread. */
    @Test
    void aTransportThatComesIsSelfTestedThroughItsLoopback() throws Exception {
        try (PollerGroup pollers = new PollerGroup("start-poller",
                PollerSettings.defaults().withMode(PollerMode.ADAPTIVE).withPollers(1))) {
            VirtualNicManager router = new VirtualNicManager(new FakeOrchestrator(), new FakeQos(), pollers,
                    new RouterSettings("host1", dir, "freeflow0", 0, RouterSettings.DEFAULT_QP_REFRESH_MILLIS, 300));
            LoopbackOffer transport = new LoopbackOffer(true);
            try {
                router.addTransport(transport);
                long end = System.nanoTime() + 30_000_000_000L;
                while (!transport.closed() && System.nanoTime() < end) {
                    Thread.sleep(10);
                }
                assertTrue(transport.closed(), "the self-test through the transport never ended");
                assertTrue(transport.connections() > 0, "no work request took its loopback");
                assertEquals(List.of(), router.queuePairs(), "the self-test's QPs are no container's");
            } finally {
                router.deactivate();
            }
        }
    }

    private void startsAndServes(FakeQos qos) throws Exception {
        FakeOrchestrator orchestrator = new FakeOrchestrator();
        try (PollerGroup pollers = new PollerGroup("start-poller",
                PollerSettings.defaults().withMode(PollerMode.ADAPTIVE).withPollers(1))) {
            VirtualNicManager router = new VirtualNicManager(orchestrator, qos, pollers,
                    new RouterSettings("host1", dir, "freeflow0", 300, RouterSettings.DEFAULT_QP_REFRESH_MILLIS));
            try {
                assertEquals(List.of(), router.containers(), "the self-test's NICs are no containers");
                assertEquals(List.of(), router.queuePairs());
                assertEquals(Set.of(), orchestrator.registered.keySet());
                try (WireClient admin = new WireClient(dir.resolve("admin.sock"))) {
                    assertEquals(0, admin.call(Abi.OP_ADMIN_PING, null).status());
                    assertEquals(0, AttachRequest.ofThisProcess(admin, "web", "").status());
                }
                assertEquals(List.of("web"), router.containers().stream().map(ContainerView::name).toList());
                assertTrue(orchestrator.registered.containsKey("web"));
            } finally {
                router.deactivate();
            }
        }
    }
}
