package org.freeflow.router.internal.loopback;

import static org.freeflow.fastpath.api.Verbs.*;

import java.util.List;
import org.freeflow.fastpath.api.PollerService;
import org.freeflow.posix.api.PosixException;
import org.freeflow.qos.api.QosService;
import org.freeflow.router.internal.vnic.QpCaps;

/**
 * The router's power-on self-test of its data path: two processes on two
 * virtual NICs of a {@link LoopbackFabric} (no container, no socket, nothing
 * registered) move data through the router's own requesters, responders,
 * rings and pollers as perftest does (SEND, RDMA WRITE and READ streams of
 * 64 KiB and smaller messages, 2-byte ping-pongs), round after round until
 * the time budget is spent; then it frees everything.  It warms the data
 * path (the JIT compiles it before the first container comes) and checks it:
 * every completion must succeed and every workload's last message arrive
 * intact.
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

    /** {@link #run(long)} on {@code fabric}. */
    SelfTestResult run(long budgetMillis, LoopbackFabric fabric) {
        long start = System.nanoTime();
        long deadline = start + budgetMillis * 1_000_000L;
        RcTraffic traffic = null;
        String failure = null;
        try (LoopbackProcess a = process(fabric, "self-test-a");
                LoopbackProcess b = process(fabric, "self-test-b")) {
            connect(a, b);
            traffic = new RcTraffic(a, b, deadline + Math.max(STALL_GRACE_NANOS, budgetMillis * 1_000_000L));
            int seed = 0;
            do {
                for (Workload w : ROUND) {
                    run(traffic, w, ++seed);
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
        long messages = traffic == null ? 0 : traffic.messages();
        long bytes = traffic == null ? 0 : traffic.bytes();
        return new SelfTestResult(messages, bytes, System.nanoTime() - start, failure == null, failure);
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

    private LoopbackProcess process(LoopbackFabric fabric, String name) throws PosixException {
        QpCaps caps = new QpCaps(RcTraffic.TX_DEPTH, RcTraffic.RX_DEPTH, 1, 1, RcTraffic.MAX_INLINE);
        return new LoopbackProcess(fabric.nic(name, TENANT, hostName), fabric.environment(), RcTraffic.MEMORY,
                RcTraffic.TX_DEPTH, RcTraffic.RX_DEPTH, QPT_RC, caps);
    }

    /** Both QPs to RTS, connected to each other, with perftest's attributes. */
    private static void connect(LoopbackProcess a, LoopbackProcess b) {
        QpBringUp.toInit(a.ctx, a.qpHandle(), QpBringUp.ALL_ACCESS);
        QpBringUp.toInit(b.ctx, b.qpHandle(), QpBringUp.ALL_ACCESS);
        QpBringUp.toRtr(a.ctx, a.qpHandle(), b.nic.lid(), b.qp.qpn, 12);
        QpBringUp.toRtr(b.ctx, b.qpHandle(), a.nic.lid(), a.qp.qpn, 12);
        QpBringUp.toRts(a.ctx, a.qpHandle(), 14, 7, 7);
        QpBringUp.toRts(b.ctx, b.qpHandle(), 14, 7, 7);
    }
}
