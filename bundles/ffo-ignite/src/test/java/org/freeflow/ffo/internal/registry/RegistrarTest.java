package org.freeflow.ffo.internal.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import org.freeflow.ffo.api.ContainerRecord;
import org.freeflow.ffo.api.ContainerReservations;
import org.freeflow.ffo.internal.alloc.Ipv4Network;
import org.junit.jupiter.api.Test;

class RegistrarTest {

    private final InMemoryContainerStore store = new InMemoryContainerStore();
    private final ReentrantLock jvmLock = new ReentrantLock();
    private final ClusterLock lock = new ClusterLock() {
        @Override
        public <T> T withLock(Supplier<T> action) {
            jvmLock.lock();
            try {
                return action.get();
            } finally {
                jvmLock.unlock();
            }
        }
    };
    private final AtomicLong ids = new AtomicLong();
    private final Registrar registrar = new Registrar(store, lock, ids::incrementAndGet,
            Ipv4Network.parse("10.98.0.0/16"), Clock.systemUTC(), Duration.ZERO);
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-04T10:00:00Z"));
    private final Clock clock = new Clock() {
        @Override
        public Instant instant() {
            return now.get();
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    };
    /** Detached containers keep their addresses for ten minutes of {@link #clock}. */
    private final Registrar reserving = new Registrar(store, lock, ids::incrementAndGet,
            Ipv4Network.parse("10.98.0.0/16"), clock, Duration.ofMinutes(10));

    @Test
    void firstContainerGetsTheFirstOfEverything() {
        ContainerRecord c1 = registrar.register("c1", null, "host1");
        assertEquals(new ContainerRecord("c1", "default", "host1", "10.98.0.1", 16, 1, "fe80::4646:0:1",
                "RUNNING"), c1);
        ContainerRecord c2 = registrar.register("c2", "acme", "host2");
        assertEquals("10.98.0.2", c2.virtualIp());
        assertEquals(2, c2.lid());
        assertEquals("fe80::4646:0:2", c2.gid());
    }

    @Test
    void reRegisteringOnTheSameHostReturnsTheRecord() {
        ContainerRecord first = registrar.register("c1", "t", "host1");
        assertSame(first, registrar.register("c1", "other-tenant", "host1"));
        assertEquals(1, store.all().size());
    }

    @Test
    void itsRouterReclaimsALostContainerWithItsAddresses() {
        ContainerRecord first = registrar.register("c1", "t", "host1");
        store.setState("c1", ContainerRecord.LOST);
        ContainerRecord again = registrar.register("c1", "t", "host1");
        assertEquals(first, again);
        assertEquals(ContainerRecord.RUNNING, store.byName("c1").orElseThrow().state());
    }

    @Test
    void aNameTakenOnAnotherHostIsRefused() {
        registrar.register("c1", null, "host1");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> registrar.register("c1", null, "host2"));
        assertTrue(e.getMessage().contains("host1"), e.getMessage());
    }

    @Test
    void freedAddressesAreReusedLowestFirstButGidsAreNot() {
        registrar.register("a", null, "h");
        registrar.register("b", null, "h");
        registrar.register("c", null, "h");
        registrar.unregister("b");
        registrar.unregister("unknown");
        registrar.unregister(null);
        ContainerRecord d = registrar.register("d", null, "h");
        assertEquals("10.98.0.2", d.virtualIp());
        assertEquals(2, d.lid());
        assertEquals("fe80::4646:0:4", d.gid());
    }

    @Test
    void aGidStillInUseIsSkipped() {
        store.insert(new ContainerRecord("old", "default", "h", "10.98.0.9", 16, 9, "fe80::4646:0:1", "RUNNING"));
        assertEquals("fe80::4646:0:2", registrar.register("new", null, "h").gid());
    }

    @Test
    void badNamesAreRejectedBeforeAnyAllocation() {
        assertThrows(IllegalArgumentException.class, () -> registrar.register("Bad_Name", null, "h"));
        assertThrows(IllegalArgumentException.class, () -> registrar.register("ok", "Bad Tenant", "h"));
        assertThrows(IllegalArgumentException.class, () -> registrar.register("ok", null, ""));
        assertEquals(0, ids.get());
    }

    @Test
    void exhaustedPoolFails() {
        Registrar tiny = new Registrar(store, lock, ids::incrementAndGet, Ipv4Network.parse("10.0.0.0/30"),
                Clock.systemUTC(), Duration.ZERO);
        tiny.register("a", null, "h");
        tiny.register("b", null, "h");
        assertThrows(IllegalStateException.class, () -> tiny.register("c", null, "h"));
    }

    @Test
    void concurrentRegistrationsNeverShareAnAddress() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Callable<ContainerRecord>> jobs = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                String name = "c" + i;
                jobs.add(() -> registrar.register(name, null, "h" + (name.hashCode() & 3)));
            }
            Set<String> ips = new HashSet<>();
            Set<Integer> lids = new HashSet<>();
            Set<String> gids = new HashSet<>();
            for (Future<ContainerRecord> f : pool.invokeAll(jobs)) {
                ContainerRecord r = f.get();
                assertTrue(ips.add(r.virtualIp()));
                assertTrue(lids.add(r.lid()));
                assertTrue(gids.add(r.gid()));
            }
            assertEquals(200, lids.size());
            assertTrue(lids.stream().allMatch(l -> l >= 1 && l <= 200));
            assertNotEquals(0, ids.get());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aDetachedContainerStartedOnAnotherHostKeepsItsAddresses() {
        ContainerRecord first = reserving.register("m1", "acme", "h1");
        reserving.register("other", null, "h2");
        reserving.unregister("m1");
        assertEquals(ContainerRecord.RESERVED, store.byName("m1").orElseThrow().state());
        assertEquals(Optional.of(now.get().plus(Duration.ofMinutes(10))), store.reservedUntil("m1"));
        ContainerRecord fresh = reserving.register("c3", null, "h1");
        assertNotEquals(first.virtualIp(), fresh.virtualIp(), "a reserved address is not handed out");
        assertNotEquals(first.lid(), fresh.lid());
        now.set(now.get().plus(Duration.ofMinutes(9)));
        ContainerRecord moved = reserving.register("m1", "acme", "h2");
        assertEquals(new ContainerRecord("m1", "acme", "h2", first.virtualIp(), first.prefixLength(), first.lid(),
                first.gid(), ContainerRecord.RUNNING), moved);
        assertEquals(moved, store.byName("m1").orElseThrow());
        assertEquals(Optional.empty(), store.reservedUntil("m1"));
        assertEquals(List.of(), reserving.reservations());
    }

    @Test
    void aReservationIsTheTenantsOnly() {
        reserving.register("m1", "acme", "h1");
        reserving.unregister("m1");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> reserving.register("m1", null, "h2"));
        assertTrue(e.getMessage().contains("reserved for tenant acme"), e.getMessage());
        assertEquals(ContainerRecord.RESERVED, store.byName("m1").orElseThrow().state());
    }

    @Test
    void anEndedReservationFreesTheAddressesAndTheNameStartsAfresh() {
        ContainerRecord first = reserving.register("m1", null, "h1");
        reserving.unregister("m1");
        now.set(now.get().plus(Duration.ofMinutes(10)).plusSeconds(1));
        assertEquals(List.of(), reserving.reservations(), "an ended reservation is not listed");
        ContainerRecord other = reserving.register("x", null, "h2");
        assertEquals(first.virtualIp(), other.virtualIp(), "the lowest free address again");
        assertEquals(first.lid(), other.lid());
        ContainerRecord again = reserving.register("m1", null, "h2");
        assertNotEquals(first.virtualIp(), again.virtualIp());
        assertNotEquals(first.gid(), again.gid(), "GIDs are never reused");
    }

    @Test
    void theSweepRemovesEndedReservationsOnly() {
        reserving.register("a", null, "h1");
        reserving.register("b", null, "h1");
        reserving.register("c", null, "h1");
        reserving.unregister("a");
        now.set(now.get().plus(Duration.ofMinutes(5)));
        reserving.unregister("b");
        now.set(now.get().plus(Duration.ofMinutes(6)));
        assertEquals(List.of("a"), reserving.sweep());
        assertEquals(List.of("b", "c"), store.all().stream().map(ContainerRecord::name).toList());
        assertEquals(List.of(), reserving.sweep());
    }

    @Test
    void anOperatorHoldsAReservationUntilReleasedOrFreesIt() {
        ContainerRecord first = reserving.register("m1", null, "h1");
        assertThrows(IllegalStateException.class, () -> reserving.reserve("m1", null), "running: nothing to hold");
        assertThrows(IllegalStateException.class, () -> reserving.reserve("nobody", null));
        reserving.unregister("m1");
        assertThrows(IllegalArgumentException.class, () -> reserving.reserve("m1", now.get().minusSeconds(1)));
        ContainerReservations.Reservation held = reserving.reserve("m1", null);
        assertEquals(null, held.until());
        now.set(now.get().plus(Duration.ofDays(30)));
        assertEquals(List.of(), reserving.sweep());
        assertEquals(List.of(new ContainerReservations.Reservation(first.withState(ContainerRecord.RESERVED), null)),
                reserving.reservations());
        assertFalse(reserving.release("unknown"));
        assertTrue(reserving.release("m1"));
        assertEquals(Optional.empty(), store.byName("m1"));
        reserving.register("m2", null, "h1");
        assertFalse(reserving.release("m2"), "an attached container has no reservation to release");
        assertEquals(ContainerRecord.RUNNING, store.byName("m2").orElseThrow().state());
    }

    @Test
    void detachingTwiceOrAnUnknownNameChangesNothing() {
        reserving.register("m1", null, "h1");
        reserving.unregister("m1");
        Optional<Instant> until = store.reservedUntil("m1");
        now.set(now.get().plus(Duration.ofMinutes(5)));
        reserving.unregister("m1");
        reserving.unregister("nobody");
        assertEquals(until, store.reservedUntil("m1"), "a second detach does not extend the reservation");
    }
}
