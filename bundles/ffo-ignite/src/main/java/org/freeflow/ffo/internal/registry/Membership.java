package org.freeflow.ffo.internal.registry;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.freeflow.ffo.api.ContainerRecord;
import org.freeflow.ffo.api.HostRecord;
import org.freeflow.ffo.internal.alloc.Names;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which routers are in the cluster, kept in the HOSTS table beside the
 * containers they serve: a router registers its host when its node joins;
 * a host whose node is not in the cluster any more is LOST, and so are its
 * containers, until its router registers again and re-claims the ones it
 * still serves (the others it no longer knows of are removed; the ones a
 * cluster restarted whole forgot are written back).  Reserved
 * (detached) containers are no router's and stay as they are.  Stores,
 * lock and clock are given, which keeps this pure.
 */
public final class Membership {

    private static final Logger LOG = LoggerFactory.getLogger(Membership.class);

    private final HostStore hosts;
    private final ContainerStore containers;
    private final ClusterLock lock;
    private final Clock clock;

    public Membership(HostStore hosts, ContainerStore containers, ClusterLock lock, Clock clock) {
        this.hosts = hosts;
        this.containers = containers;
        this.lock = lock;
        this.clock = clock;
    }

    /**
     * Registers {@code name} for the node {@code nodeId} at {@code address}.
     *
     * @param served    the containers its router serves: re-claimed, or written
     *                  back when the table lacks them
     * @param liveNodes the server nodes in the cluster now: a RUNNING row of a
     *                  node among them belongs to another router, a name clash
     */
    public HostRecord register(String name, String address, String version, String nodeId,
            Collection<ContainerRecord> served, Set<String> liveNodes) {
        String host = Names.host(name);
        Map<String, ContainerRecord> serving = new HashMap<>();
        for (ContainerRecord c : served) {
            serving.put(c.name(), c);
        }
        return lock.withLock(() -> {
            Optional<HostRow> existing = hosts.byName(host);
            if (existing.isPresent() && !existing.get().nodeId().equals(nodeId)
                    && HostRecord.RUNNING.equals(existing.get().record().state())
                    && liveNodes.contains(existing.get().nodeId())) {
                throw new IllegalStateException("host name " + host + " is held by the running router at "
                        + existing.get().record().address() + " (node " + existing.get().nodeId() + ")");
            }
            Instant now = clock.instant();
            HostRecord record = new HostRecord(host, address, version, HostRecord.RUNNING, now, now);
            hosts.put(new HostRow(record, nodeId));
            Map<String, ContainerRecord> missing = new HashMap<>(serving);
            List<String> removed = new ArrayList<>();
            for (ContainerRecord c : containers.onHost(host)) {
                if (ContainerRecord.RESERVED.equals(c.state())) {
                    continue; // detached: its reservation outlives its last router
                }
                if (missing.remove(c.name()) != null) {
                    containers.setState(c.name(), ContainerRecord.RUNNING);
                } else {
                    containers.delete(c.name());
                    removed.add(c.name());
                }
            }
            List<String> restored = restore(host, missing.values());
            LOG.info("Host {} registered (node {}, {}, router {}){}{}", host, nodeId, address, version,
                    removed.isEmpty() ? "" : "; containers it no longer serves removed: " + removed,
                    restored.isEmpty() ? "" : "; containers it serves written back: " + restored);
            return record;
        });
    }

    /**
     * Under the lock: writes back the served containers the table lacks, each
     * unless another row holds its name or one of its addresses; the names
     * written.
     */
    private List<String> restore(String host, Collection<ContainerRecord> lacking) {
        if (lacking.isEmpty()) {
            return List.of();
        }
        List<ContainerRecord> all = new ArrayList<>(containers.all());
        List<String> restored = new ArrayList<>();
        for (ContainerRecord c : lacking.stream().sorted(Comparator.comparing(ContainerRecord::name))
                .toList()) {
            Optional<ContainerRecord> clash = all.stream().filter(r -> r.name().equals(c.name())
                    || r.virtualIp().equals(c.virtualIp()) || r.lid() == c.lid() || r.gid().equals(c.gid()))
                    .findFirst();
            if (clash.isPresent()) {
                LOG.error("Container {} (vIP {}, LID {}, GID {}) served by {} is not in the table and cannot be"
                        + " written back: {} on {} holds its name or an address; detach it and attach it again",
                        c.name(), c.virtualIp(), c.lid(), c.gid(), host, clash.get().name(), clash.get().host());
                continue;
            }
            ContainerRecord back = c.withHost(host).withState(ContainerRecord.RUNNING);
            containers.insert(back);
            all.add(back);
            restored.add(c.name());
        }
        return restored;
    }

    /**
     * Marks LOST every RUNNING host whose node is not in {@code liveNodes},
     * and its containers; returns the hosts it marked.
     */
    public List<String> reconcile(Set<String> liveNodes) {
        return lock.withLock(() -> {
            List<String> lost = new ArrayList<>();
            for (HostRow row : hosts.all()) {
                if (HostRecord.RUNNING.equals(row.record().state()) && !liveNodes.contains(row.nodeId())) {
                    // containers first: a write that fails midway (the topology is changing) leaves the host
                    // RUNNING, and the next reconciliation does it all again
                    int n = 0;
                    for (ContainerRecord c : containers.onHost(row.record().name())) {
                        if (!ContainerRecord.RESERVED.equals(c.state())) {
                            containers.setState(c.name(), ContainerRecord.LOST);
                            n++;
                        }
                    }
                    hosts.setState(row.record().name(), HostRecord.LOST);
                    lost.add(row.record().name());
                    LOG.warn("Host {} lost (its node {} left the cluster): {} container(s) LOST", row.record().name(),
                            row.nodeId(), n);
                }
            }
            return lost;
        });
    }

    /** Records that the router of {@code name} is alive; false when another node holds the name now. */
    public boolean heartbeat(String name, String nodeId) {
        return hosts.heartbeat(name, nodeId, clock.instant());
    }

    /** All hosts, ordered by name. */
    public List<HostRecord> all() {
        return hosts.all().stream().map(HostRow::record).toList();
    }

    /** The host name each node id holds, for the cluster view. */
    public Map<String, String> hostsByNode() {
        Map<String, String> byNode = new HashMap<>();
        for (HostRow row : hosts.all()) {
            byNode.put(row.nodeId(), row.record().name());
        }
        return byNode;
    }
}
