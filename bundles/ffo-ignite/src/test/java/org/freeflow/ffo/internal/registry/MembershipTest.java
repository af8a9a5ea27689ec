package org.freeflow.ffo.internal.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

import org.freeflow.ffo.api.ContainerRecord;
import org.freeflow.ffo.api.HostRecord;
import org.junit.jupiter.api.Test;

class MembershipTest {

    private final InMemoryHostStore hosts = new InMemoryHostStore();
    private final InMemoryContainerStore containers = new InMemoryContainerStore();
    private final ClusterLock lock = new ClusterLock() {
        @Override
        public synchronized <T> T withLock(Supplier<T> action) {
            return action.get();
        }
    };
    private final Instant t0 = Instant.parse("2026-12-03T10:00:00Z");
    private final Membership membership = new Membership(hosts, containers, lock, Clock.fixed(t0, ZoneOffset.UTC));

    private void container(String name, String host) {
        containers.insert(new ContainerRecord(name, "default", host, "10.98.0." + (containers.all().size() + 1), 16,
                containers.all().size() + 1, "fe80::4646:" + name.length(), ContainerRecord.RUNNING));
    }

    private String state(String container) {
        return containers.byName(container).orElseThrow().state();
    }

    @Test
    void aRegisteredHostIsRunningWithItsAddressVersionAndTimes() {
        HostRecord h1 = membership.register("h1", "10.97.0.2", "0.1.0", "node-1", List.of(), Set.of("node-1"));
        assertEquals(new HostRecord("h1", "10.97.0.2", "0.1.0", HostRecord.RUNNING, t0, t0), h1);
        assertEquals(List.of(h1), membership.all());
        assertEquals("h1", membership.hostsByNode().get("node-1"));
    }

    @Test
    void aHostWhoseNodeLeftIsLostWithItsContainersAndTheOthersAreNot() {
        membership.register("h1", "a1", "v", "node-1", List.of(), Set.of("node-1", "node-2"));
        membership.register("h2", "a2", "v", "node-2", List.of(), Set.of("node-1", "node-2"));
        container("c1", "h1");
        container("c2", "h2");
        assertEquals(List.of("h2"), membership.reconcile(Set.of("node-1")));
        assertEquals(HostRecord.LOST, hosts.byName("h2").orElseThrow().record().state());
        assertEquals(HostRecord.RUNNING, hosts.byName("h1").orElseThrow().record().state());
        assertEquals(ContainerRecord.LOST, state("c2"));
        assertEquals(ContainerRecord.RUNNING, state("c1"));
        assertEquals(List.of(), membership.reconcile(Set.of("node-1")), "a lost host is marked once");
    }

    @Test
    void aReconciliationThatFailsMidwayIsDoneWhollyByTheNext() {
        membership.register("h2", "a2", "v", "node-2", List.of(), Set.of("node-2"));
        container("c2", "h2");
        containers.failNextStateChange = true;
        assertThrows(IllegalStateException.class, () -> membership.reconcile(Set.of("node-1")));
        assertEquals(List.of("h2"), membership.reconcile(Set.of("node-1")), "the host was left for the next one");
        assertEquals(ContainerRecord.LOST, state("c2"));
        assertEquals(HostRecord.LOST, hosts.byName("h2").orElseThrow().record().state());
    }

    @Test
    void aRouterThatComesBackReclaimsWhatItServesAndDropsTheRest() {
        membership.register("h2", "a2", "v", "node-2", List.of(), Set.of("node-2"));
        container("kept", "h2");
        container("gone", "h2");
        container("other", "h3");
        membership.reconcile(Set.of());
        assertEquals(ContainerRecord.LOST, state("kept"));

        membership.register("h2", "a2", "v", "node-2b", List.of(containers.byName("kept").orElseThrow()),
                Set.of("node-2b"));
        assertEquals(HostRecord.RUNNING, hosts.byName("h2").orElseThrow().record().state());
        assertEquals("node-2b", hosts.byName("h2").orElseThrow().nodeId());
        assertEquals(ContainerRecord.RUNNING, state("kept"));
        assertTrue(containers.byName("gone").isEmpty(), "a container its router no longer serves is removed");
        assertTrue(containers.byName("other").isPresent(), "another host's containers are not touched");
    }

    @Test
    void aClusterThatForgotWhatARouterServesGetsItBackUnlessAnAddressIsTakenMeanwhile() {
        ContainerRecord a = new ContainerRecord("a", "acme", "h1", "10.98.0.1", 16, 1, "fe80::4646:0:1", "RUNNING");
        ContainerRecord b = new ContainerRecord("b", "default", "h1", "10.98.0.2", 16, 2, "fe80::4646:0:2", "RUNNING");
        ContainerRecord c = new ContainerRecord("c", "default", "h1", "10.98.0.3", 16, 3, "fe80::4646:0:3", "LOST");
        // the whole cluster restarted: its tables are empty but for a container attached since, which took b's LID
        containers.insert(new ContainerRecord("new", "default", "h2", "10.98.0.9", 16, 2, "fe80::4646:0:9",
                "RUNNING"));
        membership.register("h1", "a1", "v", "node-1", List.of(a, b, c), Set.of("node-1"));
        assertEquals(a, containers.byName("a").orElseThrow(), "written back with its addresses");
        assertEquals(c.withState(ContainerRecord.RUNNING), containers.byName("c").orElseThrow(), "RUNNING: served");
        assertTrue(containers.byName("b").isEmpty(), "b's LID is another container's now: not written back");
        assertEquals("h2", containers.byName("new").orElseThrow().host());
    }

    @Test
    void aReservedContainerIsNoRoutersAndNeitherLostNorDropped() {
        membership.register("h2", "a2", "v", "node-2", List.of(), Set.of("node-2"));
        container("detached", "h2");
        containers.reserve("detached", t0.plusSeconds(600));
        membership.reconcile(Set.of());
        assertEquals(ContainerRecord.RESERVED, state("detached"), "its host's loss does not make it LOST");
        membership.register("h2", "a2", "v", "node-2b", List.of(), Set.of("node-2b"));
        assertEquals(ContainerRecord.RESERVED, state("detached"), "its last router's return does not drop it");
        assertEquals(java.util.Optional.of(t0.plusSeconds(600)), containers.reservedUntil("detached"));
    }

    @Test
    void aNameHeldByAnotherRunningNodeIsRefusedAndOneOfANodeThatLeftIsTakenOver() {
        membership.register("h1", "a1", "v", "node-1", List.of(), Set.of("node-1"));
        IllegalStateException clash = assertThrows(IllegalStateException.class,
                () -> membership.register("h1", "a9", "v", "node-9", List.of(), Set.of("node-1", "node-9")));
        assertTrue(clash.getMessage().contains("held by the running router at a1"), clash.getMessage());
        HostRecord taken = membership.register("h1", "a9", "v", "node-9", List.of(), Set.of("node-9"));
        assertEquals("a9", taken.address());
        assertEquals("node-9", hosts.byName("h1").orElseThrow().nodeId());
        assertThrows(IllegalArgumentException.class,
                () -> membership.register("bad name", "a", "v", "n", List.of(), Set.of()));
    }

    @Test
    void aHeartbeatCountsOnlyForTheNodeThatHoldsTheName() {
        membership.register("h1", "a1", "v", "node-1", List.of(), Set.of("node-1"));
        assertTrue(membership.heartbeat("h1", "node-1"));
        assertFalse(membership.heartbeat("h1", "node-2"));
        assertFalse(membership.heartbeat("h9", "node-1"));
    }
}
