package org.freeflow.router.internal.vnic;

import static org.freeflow.fastpath.api.Verbs.*;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.freeflow.fastpath.api.PollerService;
import org.freeflow.posix.api.PosixException;
import org.freeflow.router.internal.testing.AppMemory;
import org.freeflow.router.internal.testing.AttrBuilder;
import org.freeflow.router.internal.testing.FakeOrchestrator;
import org.freeflow.router.internal.testing.FakeQos;
import org.freeflow.router.internal.testing.FflCompletionQueue;
import org.freeflow.router.internal.testing.FflQueuePair;
import org.freeflow.router.internal.testing.FflSharedReceiveQueue;
import org.freeflow.router.internal.testing.InlinePoller;

/** Virtual NICs, contexts and QPs on a thread-less poller, driven by the test. */
final class VnicFixture implements AutoCloseable {

    static final int ALL_ACCESS = ACCESS_LOCAL_WRITE | ACCESS_REMOTE_WRITE | ACCESS_REMOTE_READ
            | ACCESS_REMOTE_ATOMIC;
    static final int INIT_MASK = QP_STATE | QP_PKEY_INDEX | QP_PORT | QP_ACCESS_FLAGS;
    static final int RTR_MASK = QP_STATE | QP_AV | QP_PATH_MTU | QP_DEST_QPN | QP_RQ_PSN | QP_MAX_DEST_RD_ATOMIC
            | QP_MIN_RNR_TIMER;
    static final int RTS_MASK = QP_STATE | QP_TIMEOUT | QP_RETRY_CNT | QP_RNR_RETRY | QP_SQ_PSN
            | QP_MAX_QP_RD_ATOMIC;
    /** What ibv_uc_pingpong and perftest -c UC pass: no RNR, retry or rd_atomic attributes. */
    static final int UC_RTR_MASK = QP_STATE | QP_AV | QP_PATH_MTU | QP_DEST_QPN | QP_RQ_PSN;
    static final int UC_RTS_MASK = QP_STATE | QP_SQ_PSN;
    static final int UD_INIT_MASK = QP_STATE | QP_PKEY_INDEX | QP_PORT | QP_QKEY;

    final InlinePoller poller;
    final FakeOrchestrator orchestrator = new FakeOrchestrator();
    final FakeQos qos = new FakeQos();
    final QpDirectory directory = new QpDirectory();
    final TransportRegistry transports = new TransportRegistry(new LocalTransport(directory));
    final VnicEnvironment env;
    private final Map<String, VirtualNic> nics = new HashMap<>();
    private final List<Endpoint> endpoints = new ArrayList<>();
    long now = 1_000_000_000L;

    /** On a thread-less poller the test drives. */
    VnicFixture() {
        this.poller = new InlinePoller();
        this.env = new VnicEnvironment(poller, qos, orchestrator, transports, directory);
    }

    /** On real pollers ({@link #settle} and {@link #advance} do not apply). */
    VnicFixture(PollerService pollers) {
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
        Grants.Cq scq = e.ctx.createCq(cqe, e.channel, false);
        Grants.Cq rcq = e.ctx.createCq(cqe, e.channel, false);
        e.sendCq = new FflCompletionQueue(scq.handle(), scq.fd());
        e.recvCq = new FflCompletionQueue(rcq.handle(), rcq.fd());
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
        Grants.Qp qp = e.ctx.createQp(new QpRequest(e.pd, sendCq.handle, recvCq.handle, srq, qpType, sqSigAll,
                caps));
        FflQueuePair ffl = new FflQueuePair(qp.qpn(), qp.fd());
        e.qps.add(directory.get(qp.qpn()));
        e.ffls.add(ffl);
        return ffl;
    }

    void toInit(Endpoint e, int access) {
        e.ctx.modifyQp(e.qpHandle, INIT_MASK,
                new AttrBuilder().state(QPS_INIT).port(1).access(access).build(INIT_MASK));
    }

    void toRtr(Endpoint e, Endpoint peer, int minRnrTimer) {
        e.ctx.modifyQp(e.qpHandle, RTR_MASK, new AttrBuilder().state(QPS_RTR).pathMtu(MTU_4096)
                .dest(peer.nic.lid(), peer.qp.qpn).minRnrTimer(minRnrTimer).rdAtomic(0, 16).build(RTR_MASK));
    }

    void toRts(Endpoint e, int timeout, int retryCnt, int rnrRetry) {
        e.ctx.modifyQp(e.qpHandle, RTS_MASK, new AttrBuilder().state(QPS_RTS).timeout(timeout)
                .retry(retryCnt, rnrRetry).rdAtomic(16, 0).build(RTS_MASK));
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
        for (Endpoint e : new Endpoint[] {a, b}) {
            QueuePair q = e == a ? qa : qb;
            e.ctx.modifyQp(q.handle, INIT_MASK,
                    new AttrBuilder().state(QPS_INIT).port(1).access(ALL_ACCESS).build(INIT_MASK));
        }
        a.ctx.modifyQp(qa.handle, RTR_MASK, new AttrBuilder().state(QPS_RTR).pathMtu(MTU_4096)
                .dest(b.nic.lid(), qb.qpn).minRnrTimer(minRnrTimer).rdAtomic(0, 16).build(RTR_MASK));
        b.ctx.modifyQp(qb.handle, RTR_MASK, new AttrBuilder().state(QPS_RTR).pathMtu(MTU_4096)
                .dest(a.nic.lid(), qa.qpn).minRnrTimer(minRnrTimer).rdAtomic(0, 16).build(RTR_MASK));
        for (Endpoint e : new Endpoint[] {a, b}) {
            QueuePair q = e == a ? qa : qb;
            e.ctx.modifyQp(q.handle, RTS_MASK, new AttrBuilder().state(QPS_RTS).timeout(14).retry(7, rnrRetry)
                    .rdAtomic(16, 0).build(RTS_MASK));
        }
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
        e.ctx.modifyQp(e.qpHandle, UC_RTR_MASK, new AttrBuilder().state(QPS_RTR).pathMtu(MTU_4096)
                .dest(peer.nic.lid(), peer.qp.qpn).build(UC_RTR_MASK));
    }

    void toUcRts(Endpoint e) {
        e.ctx.modifyQp(e.qpHandle, UC_RTS_MASK, new AttrBuilder().state(QPS_RTS).build(UC_RTS_MASK));
    }

    /** A UD QP to RTS as ibv_ud_pingpong takes it: INIT with its qkey, RTR, RTS with an SQ PSN. */
    void toUdRts(Endpoint e, int qkey) {
        e.ctx.modifyQp(e.qpHandle, UD_INIT_MASK,
                new AttrBuilder().state(QPS_INIT).port(1).qkey(qkey).build(UD_INIT_MASK));
        e.ctx.modifyQp(e.qpHandle, QP_STATE, new AttrBuilder().state(QPS_RTR).build(QP_STATE));
        e.ctx.modifyQp(e.qpHandle, UC_RTS_MASK, new AttrBuilder().state(QPS_RTS).build(UC_RTS_MASK));
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
