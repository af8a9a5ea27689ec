package org.freeflow.router.internal.vnic;

import static org.freeflow.fastpath.api.Verbs.QPT_RC;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.freeflow.fastpath.api.PollerService;
import org.freeflow.posix.api.PosixException;
import org.freeflow.router.api.transport.Transport;
import org.freeflow.router.internal.loopback.AppMemory;
import org.freeflow.router.internal.testing.FakeOrchestrator;
import org.freeflow.router.internal.testing.FakeQos;
import org.freeflow.router.internal.loopback.FflCompletionQueue;
import org.freeflow.router.internal.loopback.FflQueuePair;
import org.freeflow.router.internal.loopback.QpBringUp;
import org.freeflow.router.internal.testing.FflSharedReceiveQueue;
import org.freeflow.router.internal.testing.InlinePoller;

/** Virtual NICs, contexts and QPs on a thread-less poller, driven by the test. */
final class VnicFixture implements AutoCloseable {

    static final int ALL_ACCESS = QpBringUp.ALL_ACCESS;
    static final int INIT_MASK = QpBringUp.INIT_MASK;
    static final int RTR_MASK = QpBringUp.RTR_MASK;
    static final int RTS_MASK = QpBringUp.RTS_MASK;
    static final int UC_RTR_MASK = QpBringUp.UC_RTR_MASK;
    static final int UC_RTS_MASK = QpBringUp.UC_RTS_MASK;
    static final int UD_INIT_MASK = QpBringUp.UD_INIT_MASK;

    final InlinePoller poller;
    final FakeOrchestrator orchestrator = new FakeOrchestrator();
    final FakeQos qos = new FakeQos();
    final QpDirectory directory = new QpDirectory();
    final TransportRegistry transports;
    final VnicEnvironment env;
    private final Map<String, VirtualNic> nics = new HashMap<>();
    private final List<Endpoint> endpoints = new ArrayList<>();
    long now = 1_000_000_000L;

    /** On a thread-less poller the test drives. */
    VnicFixture() {
        this(LocalTransport::new);
    }

    /** On a thread-less poller, with {@code transport} (made on the fixture's QP directory) as the first one. */
    VnicFixture(Function<QpDirectory, Transport> transport) {
        this.transports = new TransportRegistry(transport.apply(directory));
        this.poller = new InlinePoller();
        this.env = new VnicEnvironment(poller, qos, orchestrator, transports, directory);
    }

    /** On real pollers ({@link #settle} and {@link #advance} do not apply). */
    VnicFixture(PollerService pollers) {
        this.transports = new TransportRegistry(new LocalTransport(directory));
        this.poller = null;
        this.env = new VnicEnvironment(pollers, qos, orchestrator, transports, directory);
    }

    /** A process in {@code container} with a PD, two CQs of {@code cqe} entries and one RC QP. */
    Endpoint endpoint(String container) throws PosixException {
        return endpoint(container, 64, new QpCaps(16, 16, 4, 4, 64), false);
    }

    Endpoint endpoint(String container, int cqe, QpCaps caps, boolean sqSigAll) throws PosixException {
        return endpoint(container, cqe, caps, sqSigAll, false);
    }

    /**
     * With {@code channel}, the context makes a completion channel
     * ({@link Endpoint#channel}) and both CQs raise completion events on it.
     */
    Endpoint endpoint(String container, int cqe, QpCaps caps, boolean sqSigAll, boolean channel)
            throws PosixException {
        return endpoint(container, cqe, caps, sqSigAll, channel, QPT_RC);
    }

    /** A process in {@code container} whose QP is of {@code qpType}. */
    Endpoint endpoint(String container, int qpType) throws PosixException {
        return endpoint(container, 64, new QpCaps(16, 16, 4, 4, 64), false, false, qpType);
    }

    Endpoint endpoint(String container, int cqe, QpCaps caps, boolean sqSigAll, boolean channel,
            int qpType) throws PosixException {
        VirtualNic nic = nics.computeIfAbsent(container, n -> new VirtualNic(
                orchestrator.registerContainer(n, "default", "host1"), Path.of("/tmp/" + n + ".sock")));
        Endpoint e = new Endpoint(nic, new VerbsContext(nic, env), new AppMemory());
        endpoints.add(e);
        e.pd = e.ctx.allocPd();
        if (channel) {
            e.channel = e.ctx.createCompletionChannel();
        }
        e.sendCq = FflCompletionQueue.create(e.ctx, cqe, e.channel);
        e.recvCq = FflCompletionQueue.create(e.ctx, cqe, e.channel);
        e.qp = addQp(e, e.sendCq, e.recvCq, caps, sqSigAll, qpType);
        e.qpHandle = e.qps.get(0).handle;
        e.routerQp = e.qps.get(0);
        return e;
    }

    /** One more QP of {@code e}'s context on the given CQs (of that context). */
    FflQueuePair addQp(Endpoint e, FflCompletionQueue sendCq, FflCompletionQueue recvCq, QpCaps caps,
            boolean sqSigAll) throws PosixException {
        return addQp(e, sendCq, recvCq, caps, sqSigAll, QPT_RC);
    }

    private FflQueuePair addQp(Endpoint e, FflCompletionQueue sendCq, FflCompletionQueue recvCq, QpCaps caps,
            boolean sqSigAll, int qpType) throws PosixException {
        return addQp(e, sendCq, recvCq, 0, caps, sqSigAll, qpType);
    }

    /** One more QP of {@code e}'s context of {@code qpType} taking its receives from SRQ {@code srq}. */
    FflQueuePair addSrqQp(Endpoint e, int srq, int qpType) throws PosixException {
        return addQp(e, e.sendCq, e.recvCq, srq, new QpCaps(16, 0, 1, 0, 0), false, qpType);
    }

    /** A shared receive queue of {@code e}'s PD. */
    FflSharedReceiveQueue addSrq(Endpoint e, int maxWr, int maxSge) throws PosixException {
        Grants.Srq srq = e.ctx.createSrq(e.pd, maxWr, maxSge);
        FflSharedReceiveQueue ffl = new FflSharedReceiveQueue(srq.handle(), srq.fd());
        e.srqs.add(ffl);
        return ffl;
    }

    private FflQueuePair addQp(Endpoint e, FflCompletionQueue sendCq, FflCompletionQueue recvCq, int srq,
            QpCaps caps, boolean sqSigAll, int qpType) throws PosixException {
        FflQueuePair ffl = FflQueuePair.create(e.ctx, new QpRequest(e.pd, sendCq.handle, recvCq.handle, srq,
                qpType, sqSigAll, caps));
        e.qps.add(directory.get(ffl.qpn));
        e.ffls.add(ffl);
        return ffl;
    }

    void toInit(Endpoint e, int access) {
        QpBringUp.toInit(e.ctx, e.qpHandle, access);
    }

    void toRtr(Endpoint e, Endpoint peer, int minRnrTimer) {
        QpBringUp.toRtr(e.ctx, e.qpHandle, peer.nic.lid(), peer.qp.qpn, minRnrTimer);
    }

    void toRts(Endpoint e, int timeout, int retryCnt, int rnrRetry) {
        QpBringUp.toRts(e.ctx, e.qpHandle, timeout, retryCnt, rnrRetry);
    }

    /** Both to RTS, connected to each other, perftest-like attributes (rnr_retry 7). */
    void connect(Endpoint a, Endpoint b) {
        connect(a, b, 7, 12);
    }

    void connect(Endpoint a, Endpoint b, int rnrRetry, int minRnrTimer) {
        toInit(a, ALL_ACCESS);
        toInit(b, ALL_ACCESS);
        toRtr(a, b, minRnrTimer);
        toRtr(b, a, minRnrTimer);
        toRts(a, 14, 7, rnrRetry);
        toRts(b, 14, 7, rnrRetry);
    }

    /** QP {@code i} of {@code a} and QP {@code j} of {@code b} to RTS, connected to each other. */
    void connect(Endpoint a, int i, Endpoint b, int j, int rnrRetry, int minRnrTimer) {
        QueuePair qa = a.qps.get(i);
        QueuePair qb = b.qps.get(j);
        QpBringUp.toInit(a.ctx, qa.handle, ALL_ACCESS);
        QpBringUp.toInit(b.ctx, qb.handle, ALL_ACCESS);
        QpBringUp.toRtr(a.ctx, qa.handle, b.nic.lid(), qb.qpn, minRnrTimer);
        QpBringUp.toRtr(b.ctx, qb.handle, a.nic.lid(), qa.qpn, minRnrTimer);
        QpBringUp.toRts(a.ctx, qa.handle, 14, 7, rnrRetry);
        QpBringUp.toRts(b.ctx, qb.handle, 14, 7, rnrRetry);
    }

    /** Two UC QPs to RTS, connected to each other, with the UC masks. */
    void connectUc(Endpoint a, Endpoint b) {
        connectUc(a, b, ALL_ACCESS);
    }

    /** As {@link #connectUc(Endpoint, Endpoint)}, {@code b}'s QP granting only {@code bAccess}. */
    void connectUc(Endpoint a, Endpoint b, int bAccess) {
        toInit(a, ALL_ACCESS);
        toInit(b, bAccess);
        toUcRtr(a, b);
        toUcRtr(b, a);
        toUcRts(a);
        toUcRts(b);
    }

    void toUcRtr(Endpoint e, Endpoint peer) {
        QpBringUp.toUcRtr(e.ctx, e.qpHandle, peer.nic.lid(), peer.qp.qpn);
    }

    void toUcRts(Endpoint e) {
        QpBringUp.toUcRts(e.ctx, e.qpHandle);
    }

    /** A UD QP to RTS as ibv_ud_pingpong takes it: INIT with its qkey, RTR, RTS with an SQ PSN. */
    void toUdRts(Endpoint e, int qkey) {
        QpBringUp.toUdRts(e.ctx, e.qpHandle, qkey);
    }

    /** Polls until nothing moves at the current time. */
    void settle() {
        poller.settle(now);
    }

    /** Moves the clock and polls. */
    void advance(long nanos) {
        now += nanos;
        settle();
    }

    @Override
    public void close() {
        for (Endpoint e : endpoints) {
            e.ctx.close();
            for (FflQueuePair q : e.ffls) {
                q.close();
            }
            for (FflSharedReceiveQueue q : e.srqs) {
                q.close();
            }
            e.sendCq.close();
            e.recvCq.close();
            e.memory.close();
        }
        if (poller != null) {
            poller.close();
        }
    }

    /** One process: its context, memory, PD, CQs and QP. */
    static final class Endpoint {
        final VirtualNic nic;
        final VerbsContext ctx;
        final AppMemory memory;
        int pd;
        /** The completion channel's handle, 0 without one. */
        int channel;
        int qpHandle;
        FflCompletionQueue sendCq;
        FflCompletionQueue recvCq;
        FflQueuePair qp;
        QueuePair routerQp;
        final List<QueuePair> qps = new ArrayList<>();
        final List<FflQueuePair> ffls = new ArrayList<>();
        final List<FflSharedReceiveQueue> srqs = new ArrayList<>();

        Endpoint(VirtualNic nic, VerbsContext ctx, AppMemory memory) {
            this.nic = nic;
            this.ctx = ctx;
            this.memory = memory;
        }

        /** Registers [addr, addr + length) in this endpoint's PD; returns the key. */
        int register(long addr, long length, int access) {
            return register(pd, addr, length, access);
        }

        int register(int pdHandle, long addr, long length, int access) {
            return ctx.regMr(pdHandle, access, addr, length, addr, memory.fd).key();
        }

        int state() {
            return routerQp.state();
        }
    }
}
