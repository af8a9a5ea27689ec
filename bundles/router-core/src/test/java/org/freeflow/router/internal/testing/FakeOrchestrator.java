package org.freeflow.router.internal.testing;

import java.util.LinkedHashMap;
import java.util.Map;
import org.freeflow.ffo.api.ContainerRecord;
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

    @Override
    public synchronized int allocateQpn() {
        return nextQpn++;
    }
}
