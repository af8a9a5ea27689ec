package org.freeflow.router.internal.testing;

import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import org.freeflow.ffo.api.ContainerRecord;
import org.freeflow.ffo.api.HostRecord;
import org.freeflow.ffo.api.MemoryRegionRecord;
import org.freeflow.ffo.api.OrchestratorAdminService;
import org.freeflow.ffo.api.QueuePairRecord;

/** Hands out LIDs 1, 2, ..., GIDs fe80::4646:n, vIPs 10.98.0.n and QPNs from 0x100. */
public final class FakeOrchestrator implements OrchestratorAdminService {

    public final Map<String, ContainerRecord> registered = new LinkedHashMap<>();
    private int nextId = 1;
    private int nextQpn = 0x100;
    public boolean refuse;
    private volatile CountDownLatch held;
    /** One permit per registration that reached the orchestrator (held or not). */
    public final Semaphore registrations = new Semaphore(0);

    /** From now on registrations wait until {@link #releaseRegistrations()}: a slow cluster. */
    public void holdRegistrations() {
        held = new CountDownLatch(1);
    }

    public void releaseRegistrations() {
        held.countDown();
    }

    @Override
    public ContainerRecord registerContainer(String name, String tenant, String host) {
        registrations.release();
        CountDownLatch gate = held;
        if (gate != null) {
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while held");
            }
        }
        return register(name, tenant, host);
    }

    private synchronized ContainerRecord register(String name, String tenant, String host) {
        if (refuse) {
            throw new IllegalStateException("pool exhausted");
        }
        return registered.computeIfAbsent(name, n -> {
            int id = nextId++;
            return new ContainerRecord(n, tenant, host, "10.98.0." + id, 16, id, "fe80::4646:" + id, "RUNNING");
        });
    }

    @Override
    public synchronized void unregisterContainer(String name) {
        registered.remove(name);
    }

    /** What each host's router said it serves at its last registration. */
    public final Map<String, List<ContainerRecord>> hosts = new LinkedHashMap<>();

    @Override
    public synchronized HostRecord registerHost(String name, String routerVersion, Collection<ContainerRecord> served) {
        if (refuse) {
            throw new IllegalStateException("host name taken");
        }
        hosts.put(name, List.copyOf(served));
        Instant now = Instant.now();
        return new HostRecord(name, "127.0.0.1", routerVersion, HostRecord.RUNNING, now, now);
    }

    @Override
    public synchronized int allocateQpn() {
        return nextQpn++;
    }

    /** MEMORY_MAPS as published: "container/rkey" to the record. */
    public final Map<String, MemoryRegionRecord> regions = new java.util.concurrent.ConcurrentHashMap<>();
    /** QPS as published, by QPN. */
    public final Map<Integer, QueuePairRecord> queuePairs = new java.util.concurrent.ConcurrentHashMap<>();
    /** When set, region writes fail with this (a cluster that cannot take them). */
    public volatile RuntimeException regionWritesFail;
    private volatile CompletableFuture<Void> regionWritesHeld = CompletableFuture.completedFuture(null);

    /** Region writes complete only at {@link #releaseRegionWrites()} (a slow cluster). */
    public void holdRegionWrites() {
        regionWritesHeld = new CompletableFuture<>();
    }

    public void releaseRegionWrites() {
        regionWritesHeld.complete(null);
    }

    @Override
    public CompletionStage<Void> publishMemoryRegion(MemoryRegionRecord region) {
        return regionWritesHeld.thenRun(() -> {
            if (regionWritesFail != null) {
                throw regionWritesFail;
            }
            regions.put(region.container() + "/" + region.rkey(), region);
        });
    }

    @Override
    public CompletionStage<Void> removeMemoryRegion(String container, int rkey) {
        return regionWritesHeld.thenRun(() -> regions.remove(container + "/" + rkey));
    }

    /** QPS rows written, counted one by one. */
    public final java.util.concurrent.atomic.AtomicInteger queuePairWrites = new java.util.concurrent.atomic.AtomicInteger();

    @Override
    public CompletionStage<Void> publishQueuePairs(Collection<QueuePairRecord> qps) {
        queuePairWrites.addAndGet(qps.size());
        for (QueuePairRecord q : qps) {
            queuePairs.put(q.qpn(), q);
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> removeQueuePairs(Collection<Integer> qpns) {
        qpns.forEach(queuePairs::remove);
        return CompletableFuture.completedFuture(null);
    }
}
