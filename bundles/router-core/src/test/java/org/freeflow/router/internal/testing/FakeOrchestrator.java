package org.freeflow.router.internal.testing;

import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.freeflow.ffo.api.ContainerRecord;
import org.freeflow.ffo.api.HostRecord;
import org.freeflow.ffo.api.OrchestratorAdminService;

/** Hands out LIDs 1, 2, ..., GIDs fe80::4646:n, vIPs 10.98.0.n and QPNs from 0x100. */
public final class FakeOrchestrator implements OrchestratorAdminService {

    public final Map<String, ContainerRecord> registered = new LinkedHashMap<>();
    private int nextId = 1;
    private int nextQpn = 0x100;
    public boolean refuse;

    @Override
    public synchronized ContainerRecord registerContainer(String name, String tenant, String host) {
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

    public final Map<String, List<String>> hosts = new LinkedHashMap<>();

    @Override
    public synchronized HostRecord registerHost(String name, String routerVersion, Collection<String> attached) {
        if (refuse) {
            throw new IllegalStateException("host name taken");
        }
        hosts.put(name, List.copyOf(attached));
        Instant now = Instant.now();
        return new HostRecord(name, "127.0.0.1", routerVersion, HostRecord.RUNNING, now, now);
    }

    @Override
    public synchronized int allocateQpn() {
        return nextQpn++;
    }
}
