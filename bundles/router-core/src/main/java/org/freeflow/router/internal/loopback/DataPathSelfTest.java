package org.freeflow.router.internal.loopback;

import static org.freeflow.fastpath.api.Verbs.*;

import java.util.List;
import java.util.Optional;
import org.freeflow.fastpath.api.PollerService;
import org.freeflow.posix.api.PosixException;
import org.freeflow.qos.api.QosService;
import org.freeflow.router.api.transport.Transport;
import org.freeflow.router.internal.vnic.QpCaps;
import org.freeflow.router.internal.vnic.VirtualNic;

/**
 * The router's power-on self-test of its data path: a client and a server
 * process on two virtual NICs of a {@link LoopbackFabric} (no container, no
 * socket, nothing registered) move data through the router's own
 * requesters, responders, rings and pollers as perftest's tools do (SEND,
 * RDMA WRITE and READ streams of 64 KiB and smaller messages, 2-byte
 * messages streamed and in round trips), each workload a run of its own,
 * round after round until the time budget is spent; then it frees
 * everything.  It warms the data path (the JIT compiles it, with the
 * branches a perftest run takes, before the first container comes) and
 * checks it: every completion must succeed and every workload's last message
 * arrive intact.
 */
public final class DataPathSelfTest {

    /** How long past its budget a workload may wait for a completion before the test calls it stalled. */
    private static final long STALL_GRACE_NANOS = 5_000_000_000L;
    /** perftest's default iterations. */
    private static final int COUNT = 1000;
    private static final int ROUND_TRIPS = 100;
    private static final String TENANT = "freeflow-self-test";

    /**
     * One workload of a round: the perftest tool whose router code paths it
     * takes, and how: a stream of {@code count} messages ({@code inline}
     * ones from the work request), or {@code count} round trips.
     */
    private record Workload(String tool, int opcode, int size, boolean inline, boolean roundTrips, int count) {
    }

    /**
     * A round: perftest's bandwidth tools with their defaults; its latency
     * tools' messages (2 bytes, inline), streamed, since a round trip costs
     * two thread hand-offs (a scheduler slice each on a busy machine: the
     * router starts while the orchestrator does) and the router's code per
     * message is the same; a few round trips of each for the paths of a
     * poller that waits for the next message; SENDs of other sizes.
     */
    private static final List<Workload> ROUND = List.of(
            new Workload("ib_send_bw", WR_SEND, RcTraffic.MAX_MESSAGE, false, false, COUNT),
            new Workload("ib_write_bw", WR_RDMA_WRITE, RcTraffic.MAX_MESSAGE, false, false, COUNT),
            new Workload("ib_read_bw", WR_RDMA_READ, RcTraffic.MAX_MESSAGE, false, false, COUNT),
            new Workload("ib_send_lat", WR_SEND, 2, true, false, COUNT),
            new Workload("ib_write_lat", WR_RDMA_WRITE, 2, true, false, COUNT),
            new Workload("ib_read_lat", WR_RDMA_READ, 2, false, false, COUNT),
            new Workload("ib_send_lat", WR_SEND, 2, true, true, ROUND_TRIPS),
            new Workload("ib_write_lat", WR_RDMA_WRITE, 2, true, true, ROUND_TRIPS),
            new Workload("ib_read_lat", WR_RDMA_READ, 2, false, true, ROUND_TRIPS),
            new Workload("ib_send_bw -s 4096", WR_SEND, 4096, false, false, COUNT),
            new Workload("ib_send_bw -s 64", WR_SEND, 64, false, false, COUNT));

    private final PollerService poller;
    private final QosService qos;
    private final String hostName;

    /** A self-test on {@code poller}, its QPs admitted and limited by {@code qos} as a container's are. */
    public DataPathSelfTest(PollerService poller, QosService qos, String hostName) {
        this.poller = poller;
        this.qos = qos;
        this.hostName = hostName;
    }

    /**
     * Runs workloads until {@code budgetMillis} have passed (at least one;
     * a workload that began runs to its end), then frees everything.
     * 0 or less: does nothing.
     */
    public SelfTestResult run(long budgetMillis) {
        return budgetMillis <= 0 ? SelfTestResult.SKIPPED : run(budgetMillis, new LoopbackFabric(poller, qos));
    }

    /**
     * {@link #run(long)} through {@code transport}'s loopback ({@link LoopbackFabric#through}): the path of work
     * requests between routers, warmed and checked before the first container takes it; SKIPPED when the
     * transport has none.
     */
    public SelfTestResult runThrough(Transport transport, long budgetMillis) {
        if (budgetMillis <= 0) {
            return SelfTestResult.SKIPPED;
        }
        Optional<LoopbackFabric> fabric;
        try {
            fabric = LoopbackFabric.through(transport, poller, qos);
        } catch (RuntimeException e) {
            return new SelfTestResult(0, 0, 0, "cannot run: " + e);
        }
        if (fabric.isEmpty()) {
            return SelfTestResult.SKIPPED;
        }
        try (LoopbackFabric f = fabric.get()) {
            return run(budgetMillis, f);
        }
    }

    /**
     * {@link #run(long)} on {@code fabric}.  Every workload runs as a
     * perftest run does, on a pair of processes of its own (contexts, MRs,
     * CQs, QPs made for it and destroyed after it; the server's QP left in
     * RTR by the bandwidth tools), so that what the router does at the start
     * and end of a run is part of what the JIT sees, as are new MR mappings and
     * a poller without QPs.
     */
    SelfTestResult run(long budgetMillis, LoopbackFabric fabric) {
        long start = System.nanoTime();
        long deadline = start + budgetMillis * 1_000_000L;
        long giveUpAt = deadline + Math.max(STALL_GRACE_NANOS, budgetMillis * 1_000_000L);
        VirtualNic client = fabric.nic("self-test-client", TENANT, hostName);
        VirtualNic server = fabric.nic("self-test-server", TENANT, hostName);
        long messages = 0;
        long bytes = 0;
        String failure = null;
        int seed = 0;
        try {
            do {
                for (Workload w : ROUND) {
                    try (LoopbackProcess a = process(fabric, client);
                            LoopbackProcess b = process(fabric, server)) {
                        connect(a, b, w.tool().endsWith("_lat"), fabric.ackTimeout());
                        RcTraffic traffic = new RcTraffic(a, b, giveUpAt);
                        run(traffic, w, ++seed);
                        messages += traffic.messages();
                        bytes += traffic.bytes();
                    }
                    if (System.nanoTime() - deadline >= 0) {
                        break;
                    }
                }
            } while (System.nanoTime() - deadline < 0);
        } catch (SelfTestFailure e) {
            failure = e.getMessage();
        } catch (PosixException | RuntimeException e) {
            failure = "cannot run: " + e;
        }
        return new SelfTestResult(messages, bytes, System.nanoTime() - start, failure);
    }

    private static void run(RcTraffic traffic, Workload w, int seed) {
        try {
            if (!w.roundTrips()) {
                traffic.stream(w.opcode(), w.size(), w.inline(), w.count(), seed);
            } else if (w.opcode() == WR_RDMA_READ) {
                traffic.readOneByOne(w.count(), seed);
            } else {
                traffic.pingPong(w.opcode(), w.count(), seed);
            }
        } catch (SelfTestFailure e) {
            throw new SelfTestFailure(w.tool() + (w.roundTrips() ? " round trips: " : " stream: ") + e.getMessage());
        }
    }

    private static LoopbackProcess process(LoopbackFabric fabric, VirtualNic nic) throws PosixException {
        QpCaps caps = new QpCaps(RcTraffic.TX_DEPTH, RcTraffic.RX_DEPTH, 1, 1, RcTraffic.MAX_INLINE);
        return new LoopbackProcess(nic, fabric.environment(), RcTraffic.MEMORY, RcTraffic.TX_DEPTH,
                RcTraffic.RX_DEPTH, QPT_RC, caps);
    }

    /**
     * Connects the QPs with perftest's attributes (but the fabric's ACK timeout): the client's to RTS, the
     * server's to RTR, and on to RTS only when {@code serverSends} (perftest's latency tools; its bandwidth
     * servers only receive and respond).
     */
    private static void connect(LoopbackProcess a, LoopbackProcess b, boolean serverSends, int timeout) {
        QpBringUp.toInit(a.ctx, a.qpHandle(), QpBringUp.ALL_ACCESS);
        QpBringUp.toInit(b.ctx, b.qpHandle(), QpBringUp.ALL_ACCESS);
        QpBringUp.toRtr(a.ctx, a.qpHandle(), b.nic.lid(), b.qp.qpn, 12);
        QpBringUp.toRtr(b.ctx, b.qpHandle(), a.nic.lid(), a.qp.qpn, 12);
        QpBringUp.toRts(a.ctx, a.qpHandle(), timeout, 7, 7);
        if (serverSends) {
            QpBringUp.toRts(b.ctx, b.qpHandle(), timeout, 7, 7);
        }
    }
}
