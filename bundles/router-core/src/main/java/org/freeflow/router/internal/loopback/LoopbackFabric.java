package org.freeflow.router.internal.loopback;

import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import java.nio.file.Path;
import org.freeflow.fastpath.api.PollerService;
import org.freeflow.ffo.api.ContainerRecord;
import org.freeflow.ffo.api.HostRecord;
import org.freeflow.ffo.api.MemoryRegionRecord;
import org.freeflow.ffo.api.OrchestratorAdminService;
import org.freeflow.ffo.api.QueuePairRecord;
import org.freeflow.qos.api.QosService;
import org.freeflow.router.api.transport.LoopbackTransport;
import org.freeflow.router.api.transport.Transport;
import org.freeflow.router.internal.vnic.LocalTransport;
import org.freeflow.router.internal.vnic.QpDirectory;
import org.freeflow.router.internal.vnic.TransportRegistry;
import org.freeflow.router.internal.vnic.VirtualNic;
import org.freeflow.router.internal.vnic.VnicEnvironment;

/**
 * A fabric of its own for virtual NICs the router makes for itself: the
 * router's poller and QoS, but a QP directory, a transport and numbers
 * (LIDs, QPNs) no container sees.  Nothing is registered with the
 * orchestrator: such a NIC reaches only the NICs of the same fabric, through
 * the local transport, or through the loopback of another one
 * ({@link #through}), whose sockets only this process uses.
 */
public final class LoopbackFabric implements AutoCloseable {

    /** Loopback addresses: never handed to a container, and unreachable from one. */
    private static final String VIRTUAL_IP = "127.0.0.1";
    private static final int FIRST_QPN = 0x100;

    private final QpDirectory directory;
    private final VnicEnvironment environment;
    /** The loopback its NICs' work requests take, or null for the local transport. */
    private final LoopbackTransport loopback;
    private int nextLid = 1;

    /** NICs that reach each other through the local transport. */
    public LoopbackFabric(PollerService poller, QosService qos) {
        this(new QpDirectory(), null, poller, qos);
    }

    private LoopbackFabric(QpDirectory directory, LoopbackTransport loopback, PollerService poller, QosService qos) {
        this.directory = directory;
        this.loopback = loopback;
        Transport first = loopback != null ? loopback : new LocalTransport(directory);
        environment = new VnicEnvironment(poller, qos, new PrivateNumbers(), new TransportRegistry(first), directory);
    }

    /**
     * NICs whose work requests to each other take {@code transport}'s loopback ({@link Transport#loopback}),
     * which executes them on the fabric's responders; empty when the transport has none.
     */
    public static Optional<LoopbackFabric> through(Transport transport, PollerService poller, QosService qos) {
        QpDirectory directory = new QpDirectory();
        return transport.loopback(new LocalTransport(directory))
                .map(l -> new LoopbackFabric(directory, l, poller, qos));
    }

    /**
     * The ACK timeout (IB's exponent: 4.096 µs x 2^t) its QPs are brought up with: perftest's 14 (67 ms) on the
     * local transport; 18 (1.07 s) through a loopback, whose sockets and threads a router that starts on busy
     * CPUs can stall for longer than 8 x 67 ms (the time matters, not the code paths it compiles).
     */
    public int ackTimeout() {
        return loopback == null ? 14 : 18;
    }

    /** Closes the loopback the fabric's work requests took (its NICs are freed before). */
    @Override
    public void close() {
        if (loopback != null) {
            loopback.close();
        }
    }

    /** What the NICs of this fabric share. */
    public VnicEnvironment environment() {
        return environment;
    }

    /** The QPs of this fabric's NICs. */
    public QpDirectory directory() {
        return directory;
    }

    /** A new virtual NIC named {@code name} of tenant {@code tenant}, with the next LID. */
    public synchronized VirtualNic nic(String name, String tenant, String host) {
        int lid = nextLid++;
        ContainerRecord record = new ContainerRecord(name, tenant, host, VIRTUAL_IP, 8, lid,
                "fe80::" + Integer.toHexString(lid), "LOOPBACK");
        return new VirtualNic(record, Path.of("loopback", name));
    }

    /** QPNs of this fabric; it registers no container. */
    private static final class PrivateNumbers implements OrchestratorAdminService {
        private int nextQpn = FIRST_QPN;

        @Override
        public ContainerRecord registerContainer(String name, String tenant, String host) {
            throw new UnsupportedOperationException("a loopback fabric registers no container");
        }

        @Override
        public void unregisterContainer(String name) {
            throw new UnsupportedOperationException("a loopback fabric registers no container");
        }

        @Override
        public HostRecord registerHost(String name, String routerVersion, Collection<ContainerRecord> served) {
            throw new UnsupportedOperationException("a loopback fabric registers no host");
        }

        @Override
        public synchronized int allocateQpn() {
            return nextQpn++;
        }

        // the self-test's QPs and regions are the router's own, in no table of the cluster

        @Override
        public CompletionStage<Void> publishMemoryRegion(MemoryRegionRecord region) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<Void> removeMemoryRegion(String container, int rkey) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<Void> publishQueuePairs(Collection<QueuePairRecord> queuePairs) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<Void> removeQueuePairs(Collection<Integer> qpns) {
            return CompletableFuture.completedFuture(null);
        }
    }
}
