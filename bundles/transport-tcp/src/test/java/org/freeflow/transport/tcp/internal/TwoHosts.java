package org.freeflow.transport.tcp.internal;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.freeflow.fastpath.internal.PollerGroup;
import org.freeflow.fastpath.internal.PollerSettings;
import org.freeflow.fastpath.api.PollerMode;
import org.freeflow.ffo.api.ClusterView;
import org.freeflow.ffo.api.ContainerRecord;
import org.freeflow.ffo.api.HostRecord;
import org.freeflow.ffo.api.MemoryRegionRecord;
import org.freeflow.ffo.api.OrchestratorService;
import org.freeflow.ffo.api.QueryResult;
import org.freeflow.ffo.api.QueuePairRecord;
import org.freeflow.router.api.transport.Destination;
import org.freeflow.router.api.transport.LocalResponders;
import org.freeflow.router.api.transport.Responder;

/**
 * Two routers' TCP transports in one JVM: "ha" on 127.0.0.2 (the
 * requesters' side) and "hb" on 127.0.0.1, on the same port, each with
 * pollers of its own; hb serves the responders {@link #serve}d, container
 * "c2" at LID 2, ha those {@link #serveOnA}, container "c1" at LID 1.  The
 * orchestrator both see places c1 on ha and c2 on hb.
 */
final class TwoHosts implements AutoCloseable {

    static final int LID = 2;
    static final int LID_A = 1;

    final PollerGroup pollersA;
    final PollerGroup pollersB;
    final TcpTransport a;
    final TcpTransport b;
    private final Map<Integer, Responder> served = new ConcurrentHashMap<>();
    private final Map<Integer, Responder> servedOnA = new ConcurrentHashMap<>();

    TwoHosts(long maxUnansweredBytes) throws Exception {
        PollerSettings settings = PollerSettings.defaults().withMode(PollerMode.ADAPTIVE).withPollers(1);
        pollersA = new PollerGroup("test-a", settings);
        pollersB = new PollerGroup("test-b", settings);
        LocalResponders responders = d -> d.lid() == LID ? Optional.ofNullable(served.get(d.qpn()))
                : Optional.empty();
        b = new TcpTransport(responders, pollersB, 0, "127.0.0.1", 1, maxUnansweredBytes);
        LocalResponders onA = d -> d.lid() == LID_A ? Optional.ofNullable(servedOnA.get(d.qpn()))
                : Optional.empty();
        a = new TcpTransport(onA, pollersA, b.port(), "127.0.0.2", 1, maxUnansweredBytes);
        a.bindOrchestrator(new Tables("ha", "127.0.0.1"));
        b.bindOrchestrator(new Tables("hb", "127.0.0.1"));
    }

    TwoHosts() throws Exception {
        this(64L << 20);
    }

    /** hb's responder {@code r} at QPN {@code r.qpn()}. */
    <R extends Responder> R serve(R r) {
        served.put(r.qpn(), r);
        return r;
    }

    /** ha's responder {@code r} at QPN {@code r.qpn()} (LID 1). */
    <R extends Responder> R serveOnA(R r) {
        servedOnA.put(r.qpn(), r);
        return r;
    }

    static Destination at(int qpn) {
        return new Destination(LID, null, qpn);
    }

    static final Destination REQUESTER = new Destination(1, null, 10);

    @Override
    public void close() {
        a.close();
        b.close();
        pollersA.close();
        pollersB.close();
    }

    /** CONTAINERS: c2 (LID 2) on hb; HOSTS: hb at {@code hbAddress}. */
    static final class Tables implements OrchestratorService {
        private final String local;
        private final String hbAddress;

        Tables(String local, String hbAddress) {
            this.local = local;
            this.hbAddress = hbAddress;
        }

        private static ContainerRecord c2() {
            return new ContainerRecord("c2", "t", "hb", "10.0.0.2", 24, LID, "", ContainerRecord.RUNNING);
        }

        private static ContainerRecord c1() {
            return new ContainerRecord("c1", "t", "ha", "10.0.0.1", 24, LID_A, "", ContainerRecord.RUNNING);
        }

        @Override
        public List<ContainerRecord> containers() {
            return List.of(c1(), c2());
        }

        @Override
        public Optional<ContainerRecord> container(String name) {
            return containers().stream().filter(c -> c.name().equals(name)).findFirst();
        }

        @Override
        public Optional<ContainerRecord> containerByLid(int lid) {
            return containers().stream().filter(c -> c.lid() == lid).findFirst();
        }

        @Override
        public boolean isReady() {
            return true;
        }

        @Override
        public List<HostRecord> hosts() {
            Instant now = Instant.now();
            return List.of(new HostRecord("ha", "127.0.0.2", "test", HostRecord.RUNNING, now, now),
                    new HostRecord("hb", hbAddress, "test", HostRecord.RUNNING, now, now));
        }

        @Override
        public ClusterView cluster() {
            return new ClusterView(1, List.of(new ClusterView.Node("n", local, List.of(), true)));
        }

        @Override
        public Optional<MemoryRegionRecord> memoryRegion(String container, int rkey) {
            return Optional.empty();
        }

        @Override
        public List<QueuePairRecord> queuePairs() {
            return List.of();
        }

        @Override
        public QueryResult query(String sql) {
            throw new UnsupportedOperationException(sql);
        }
    }
}
