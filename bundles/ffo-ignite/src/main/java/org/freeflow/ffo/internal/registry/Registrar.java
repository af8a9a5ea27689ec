package org.freeflow.ffo.internal.registry;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;

import org.freeflow.ffo.api.ContainerRecord;
import org.freeflow.ffo.internal.alloc.Gids;
import org.freeflow.ffo.internal.alloc.Ipv4Network;
import org.freeflow.ffo.internal.alloc.LowestFree;
import org.freeflow.ffo.internal.alloc.Names;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registration and its allocations (virtual IP, LID, GID), done as one
 * read-modify-write under the cluster lock so two routers never hand out the
 * same address.  Storage, lock and id source are given, which keeps this pure.
 */
public final class Registrar {

    private static final Logger LOG = LoggerFactory.getLogger(Registrar.class);

    private final ContainerStore store;
    private final ClusterLock lock;
    private final LongSupplier containerIds;
    private final Ipv4Network network;

    /**
     * @param containerIds a cluster-wide sequence; its values are mapped to
     *                     32-bit GID ids (see {@link Gids#idFromSequence})
     */
    public Registrar(ContainerStore store, ClusterLock lock, LongSupplier containerIds, Ipv4Network network) {
        this.store = store;
        this.lock = lock;
        this.containerIds = containerIds;
        this.network = network;
    }

    public ContainerRecord register(String name, String tenant, String host) {
        String checkedName = Names.container(name);
        String checkedTenant = Names.tenant(tenant);
        String checkedHost = Names.host(host);
        return lock.withLock(() -> {
            Optional<ContainerRecord> existing = store.byName(checkedName);
            if (existing.isPresent()) {
                ContainerRecord same = sameHost(existing.get(), checkedHost);
                if (!ContainerRecord.RUNNING.equals(same.state())) {
                    store.setState(same.name(), ContainerRecord.RUNNING); // its router re-claims it
                    return same.withState(ContainerRecord.RUNNING);
                }
                return same;
            }
            List<ContainerRecord> all = store.all();
            List<String> ips = new ArrayList<>(all.size());
            List<Integer> lids = new ArrayList<>(all.size());
            Set<String> gids = new HashSet<>();
            for (ContainerRecord r : all) {
                ips.add(r.virtualIp());
                lids.add(r.lid());
                gids.add(r.gid());
            }
            ContainerRecord record = new ContainerRecord(checkedName, checkedTenant, checkedHost,
                    network.lowestFree(ips), network.prefixLength(), LowestFree.lid(lids),
                    freshGid(gids), ContainerRecord.RUNNING);
            store.insert(record);
            LOG.info("Registered container {} (tenant {}) on {}: vIP {}/{}, LID {}, GID {}", record.name(),
                    record.tenant(), record.host(), record.virtualIp(), record.prefixLength(), record.lid(),
                    record.gid());
            return record;
        });
    }

    private static ContainerRecord sameHost(ContainerRecord existing, String host) {
        if (!existing.host().equals(host)) {
            throw new IllegalStateException("container " + existing.name() + " is already registered on host "
                    + existing.host());
        }
        return existing;
    }

    private String freshGid(Set<String> used) {
        for (int attempt = 0; attempt < 1024; attempt++) {
            String gid = Gids.of(Gids.idFromSequence(containerIds.getAsLong()));
            if (!used.contains(gid)) {
                return gid;
            }
        }
        throw new IllegalStateException("no free container id found for a GID");
    }

    public void unregister(String name) {
        if (name == null) {
            return;
        }
        boolean removed = lock.withLock(() -> store.delete(name));
        if (removed) {
            LOG.info("Unregistered container {}", name);
        }
    }
}
