package org.freeflow.ffo.internal.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import org.freeflow.ffo.api.ContainerRecord;
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
            Ipv4Network.parse("10.98.0.0/16"));

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
        Registrar tiny = new Registrar(store, lock, ids::incrementAndGet, Ipv4Network.parse("10.0.0.0/30"));
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
}
