package org.freeflow.router.internal.vnic;

import static org.freeflow.fastpath.api.Verbs.*;
import static org.freeflow.router.internal.testing.FuzzValues.flags;
import static org.freeflow.router.internal.testing.FuzzValues.near;
import static org.freeflow.router.internal.testing.FuzzValues.nearLong;
import static org.freeflow.router.internal.testing.FuzzValues.oneOf;
import static org.freeflow.router.internal.testing.FuzzValues.pick;
import static org.freeflow.router.internal.testing.FuzzValues.pickLong;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.freeflow.fastpath.api.Abi;
import org.freeflow.fastpath.api.Abi.CqShm;
import org.freeflow.fastpath.api.Abi.Cqe;
import org.freeflow.fastpath.api.Abi.QpShm;
import org.freeflow.fastpath.api.Abi.RecvWqe;
import org.freeflow.fastpath.api.Abi.SendWqe;
import org.freeflow.fastpath.api.Abi.SrqShm;
import org.freeflow.fastpath.api.RingIndex;
import org.freeflow.fastpath.api.WorkQueueConsumer;
import org.freeflow.posix.api.FileDescriptors;
import org.freeflow.posix.api.MappedRegion;
import org.freeflow.posix.api.MemFd;
import org.freeflow.posix.api.PosixException;
import org.freeflow.router.internal.loopback.AttrBuilder;
import org.freeflow.router.internal.testing.Descriptors;
import org.freeflow.router.internal.loopback.AppMemory;
import org.freeflow.router.internal.testing.AppPipe;
import org.freeflow.router.internal.loopback.FflCompletionQueue;
import org.freeflow.router.internal.vnic.VnicFixture.Endpoint;

/**
 * Fuzz target (issue 9): the ring consumers.  Two containers' contexts on a
 * thread-less poller ({@link VnicFixture}), a pair of connected QPs of one
 * service (RC, UC, UD, RC receiving from an SRQ, or XRC initiator to target
 * and XRC SRQ) with capacities and CQ sizes from the input, memory regions
 * of several access rights and PDs at odd offsets.  The input then acts as
 * a hostile FFL: it writes work requests (mostly well-formed: opcodes,
 * flags, SGE counts, lengths, lkeys, rkeys and inline sizes around the
 * bounds that matter; sometimes raw bytes) into the send queues, receive
 * queues and SRQ through its own mappings of the ring memfds, moves the
 * producer indices (by one, by many, to garbage), scribbles over the ring
 * headers and the CQ's consumer index and arm word, drains completions,
 * and in between modifies QPs, takes ports down, (de)registers memory and
 * moves the clock; the real requesters, responders, flushers and CQ
 * producers handle it round by round.
 * <p>
 * What must hold: no poll target throws (a real poller would drop the QP);
 * the rounds come to rest at a fixed time (no livelock); the router writes
 * application memory only inside regions registered with LOCAL_WRITE, and
 * a ring only at its consumer index and the QP state; completions carry
 * valid statuses and opcodes of the QPs; no CQ reservation is left behind;
 * afterwards, reset and connected again, the pair carries a message
 * correctly; closing everything leaves no descriptor open.
 */
class RingFuzzTest {

    private static final int RC = 0;
    private static final int UC = 1;
    private static final int UD = 2;
    private static final int SRQ = 3;
    private static final int XRC = 4;
    /** Application memory the regions live in, and the canary checks cover. */
    private static final int WINDOW = 0x10000;
    private static final int WINDOW_SIZE = 8 * 4096;
    /** Where the final message goes, outside the window. */
    private static final int PROBE = 0x40000;
    private static final int QKEY = 0x11111111;
    private static final int MAX_ACTIONS = 64;
    private static final int MAX_ROUNDS = 10_000;
    private static final int ALL = VnicFixture.ALL_ACCESS;
    private static final int[] OPCODES = {WR_SEND, WR_SEND_WITH_IMM, WR_RDMA_WRITE, WR_RDMA_WRITE_WITH_IMM,
        WR_RDMA_READ, WR_ATOMIC_CMP_AND_SWP, WR_ATOMIC_FETCH_AND_ADD, WR_LOCAL_INV, WR_BIND_MW, WR_SEND_WITH_INV};
    private static final Set<Integer> WC_OPCODES = Set.of(WC_SEND, WC_RDMA_WRITE, WC_RDMA_READ, WC_COMP_SWAP,
        WC_FETCH_ADD, WC_RECV, WC_RECV_RDMA_WITH_IMM);
    private static final byte[] PATTERN = new byte[WINDOW_SIZE];
    /** The two processes' memory, kept from input to input (a memfd and its mapping each). */
    private static final AppMemory[] MEMORY = new AppMemory[2];
    /** What the router writes in a QP memfd: the consumer indices and the state mirror. */
    private static final int[] QP_ROUTER_WORDS = {QpShm.SQ_CONS, QpShm.RQ_CONS, QpShm.STATE};
    /** -Dfuzz.trace=true: what each input does, on stderr (for a finding's triage). */
    static final boolean TRACE = Boolean.getBoolean("fuzz.trace");

    static {
        for (int i = 0; i < PATTERN.length; i++) {
            PATTERN[i] = (byte) (i * 31 + 7);
        }
    }

    /**
     * The FFL's mapping of a ring memfd, and a copy of every byte the FFL
     * wrote or the router initialised: the router may change only the
     * words in {@link #routerWords}.
     */
    private static final class FflRing implements AutoCloseable {
        final MappedRegion mapping;
        final ByteBuffer shm;
        final byte[] shadow;
        final int[] routerWords;
        /**
         * The producer index of an SRQ ring, or -1: a value more than the ring
         * holds ahead of what the router consumed, or one behind the last (the
         * router may have consumed up to the old one, past the new one), may
         * stay in the router's cache: the SRQ then fails later, and stays
         * failed, as designed.
         */
        int watchedProd = -1;
        int lastProd;
        java.util.function.IntSupplier consumed;
        int slots;
        /** Such a value was written. */
        boolean tainted;

        /** Maps the ring memfd {@code fd} (and closes it). */
        FflRing(int fd, int... routerWords) throws PosixException {
            this(map(fd), routerWords);
        }

        private FflRing(MappedRegion mapping, int... routerWords) {
            this.mapping = mapping;
            this.shm = mapping.chunk(0);
            shadow = new byte[shm.capacity()];
            shm.get(0, shadow);
            this.routerWords = routerWords;
        }

        private static MappedRegion map(int fd) throws PosixException {
            try {
                return MappedRegion.map(fd, 0, MemFd.size(fd), true);
            } finally {
                FileDescriptors.closeQuietly(fd);
            }
        }

        void putInt(int at, int value) {
            watch(at, value);
            shm.putInt(at, value);
            ByteBuffer.wrap(shadow).order(shm.order()).putInt(at, value);
        }

        void putLong(int at, long value) {
            shm.putLong(at, value);
            ByteBuffer.wrap(shadow).order(shm.order()).putLong(at, value);
        }

        void put(int at, byte[] bytes, int n) {
            shm.put(at, bytes, 0, n);
            System.arraycopy(bytes, 0, shadow, at, n);
        }

        void publish(int prodOffset, int prod) {
            watch(prodOffset, prod);
            RingIndex.storeRelease(shm, prodOffset, prod);
            ByteBuffer.wrap(shadow).order(shm.order()).putInt(prodOffset, prod);
        }

        private void watch(int at, int value) {
            if (at == watchedProd) {
                if (value - lastProd < 0 || Integer.compareUnsigned(value - consumed.getAsInt(), slots) > 0) {
                    tainted = true;
                }
                lastProd = value;
            }
        }

        int load(int offset) {
            return RingIndex.loadAcquire(shm, offset);
        }

        /** The router wrote nothing but its words since the FFL last looked. */
        void check(String what) {
            byte[] now = new byte[shadow.length];
            shm.get(0, now);
            for (int w : routerWords) {
                System.arraycopy(shadow, w, now, w, 4);
            }
            if (!Arrays.equals(shadow, now)) {
                int at = Arrays.mismatch(shadow, now);
                fail("the router wrote " + what + " at offset " + at);
            }
        }

        @Override
        public void close() {
            mapping.close();
        }
    }

    /** A work queue as the FFL posts into it: its ring, control block and slots (as the router laid them). */
    private record Queue(FflRing ring, int ctrl, int offset, int slots, int slotSize) {
        int prod() {
            return ring.load(ctrl + Abi.RingCtrl.PROD);
        }

        int slot(int index) {
            return offset + (index & (slots - 1)) * slotSize;
        }
    }

    /** A region the input may name: its keys, bounds and rights. */
    private record Region(Endpoint owner, int pd, int key, long addr, long length, int access, int handle) {
    }

    /** One input's world. */
    private static final class Pair {
        final VnicFixture fx = new VnicFixture();
        Endpoint a;
        Endpoint b;
        int service;
        QueuePair qa;
        QueuePair qb;
        FflRing ringA;
        FflRing ringB;
        Queue sqA;
        Queue rqA;
        Queue sqB;
        Queue recvB;
        FflRing srqRing;
        FflRing lastRing;
        /** Whether the processes' CQs are on a completion channel (one per process, the router's pipe). */
        boolean channels;
        /** Each process's channel: the reading end the application holds, or -1. */
        final int[] channelFds = {-1, -1};
        SharedReceiveQueue srq;
        int xrcFile = -1;
        final List<Region> regions = new ArrayList<>();
        final List<long[]> writable = new ArrayList<>();
        /** A's send and receive CQ, then B's, as the router has them (null: no QP uses it). */
        final List<CompletionQueue> cqs = new ArrayList<>();
        final List<ByteBuffer> cqShms = new ArrayList<>();
        /** The input set that CQ's cons to anything: its entries are no longer known good until it catches up. */
        final boolean[] lied = new boolean[4];
        final Set<Integer> qpns = new java.util.HashSet<>();
        boolean destroyed;
        int rnrRetry;
        int minRnrTimer;
        int timeout;
        int retryCnt;
    }

    @FuzzTest(maxDuration = "20s")
    void hostileFfl(FuzzedDataProvider data) throws Exception {
        for (int side = 0; side < 2; side++) {
            if (MEMORY[side] == null) {
                MEMORY[side] = new AppMemory();
            }
        }
        Set<String> fdsBefore = Descriptors.open();
        Pair p = new Pair();
        if (TRACE) {
            System.err.println("[ring] input of " + data.remainingBytes() + " bytes");
        }
        try {
            setUp(data, p);
            for (int i = 0; i < MAX_ACTIONS && data.remainingBytes() > 0; i++) {
                act(data, p);
                p.fx.poller.round(p.fx.now);
            }
            settle(p);
            checkMemory(p);
            checkRings(p);
            drainAll(p);
            for (CompletionQueue cq : p.cqs) {
                if (cq != null && !cq.overrun()) {
                    // (an overrun CQ takes no entry ever again, as on an HCA)
                    assertEquals(cq.ring.slots(), reservable(cq), "every entry of a drained CQ can be reserved");
                }
            }
            if (!p.destroyed && !srqFailed(p) && (p.srqRing == null || !p.srqRing.tainted) && !cqOverran(p)) {
                probe(p);
            }
        } finally {
            close(p);
        }
        Descriptors.assertNoLeak(fdsBefore, "the QPs, CQs and regions", MEMORY[0].fd, MEMORY[1].fd);
    }

    /** True when a CQ of the pair overran (its QPs are in ERR and it takes nothing more: no probe through it). */
    private static boolean cqOverran(Pair p) {
        for (CompletionQueue cq : p.cqs) {
            if (cq != null && cq.overrun()) {
                return true;
            }
        }
        return false;
    }

    // ---- set-up

    private static void setUp(FuzzedDataProvider data, Pair p) throws Exception {
        p.service = data.consumeInt(0, 4);
        QpCaps caps = new QpCaps(data.consumeInt(1, 16), data.consumeInt(1, 16), data.consumeInt(0, 4),
                data.consumeInt(0, 4), oneOf(data, 0, 16, 64, 200, 256));
        int cqe = data.consumeInt(1, 16);
        boolean sigAll = data.consumeBoolean();
        p.rnrRetry = data.consumeInt(0, 7);
        p.minRnrTimer = data.consumeInt(0, 31);
        p.timeout = data.consumeInt(0, 31);
        p.retryCnt = data.consumeInt(0, 7);
        if (data.consumeBoolean()) {
            // a completion channel per process, blocking as ibv_create_comp_channel makes it
            p.channels = true;
        }
        VnicFixture fx = p.fx;
        int type = switch (p.service) {
            case UC -> QPT_UC;
            case UD -> QPT_UD;
            default -> QPT_RC;
        };
        p.a = endpoint(p, "alpha", 0, cqe);
        p.b = endpoint(p, "beta", 1, cqe);
        switch (p.service) {
            case SRQ -> setUpSrq(data, p, caps, sigAll);
            case XRC -> setUpXrc(data, p, caps, sigAll);
            default -> {
                p.qa = queuePair(p, p.a, new QpRequest(p.a.pd, p.a.sendCq.handle, p.a.recvCq.handle, 0, type, sigAll,
                        caps));
                p.ringA = p.lastRing;
                p.qb = queuePair(p, p.b, new QpRequest(p.b.pd, p.b.sendCq.handle, p.b.recvCq.handle, 0, type, sigAll,
                        caps));
                p.ringB = p.lastRing;
            }
        }
        p.cqs.addAll(Arrays.asList(p.qa.resources().sendCq(), p.qa.resources().recvCq(), p.qb.resources().sendCq(),
                p.qb.resources().recvCq() != null ? p.qb.resources().recvCq() : p.srq.cq));
        for (Endpoint e : List.of(p.a, p.b)) {
            p.cqShms.add(e.sendCq.shm());
            p.cqShms.add(e.recvCq.shm());
        }
        p.sqA = sq(p.ringA, p.qa);
        p.rqA = p.qa.receive().ownQueue() ? rq(p.ringA, p.qa) : null;
        p.sqB = p.qb.service == ConnectedService.XRC_TGT ? null : sq(p.ringB, p.qb);
        p.recvB = p.srqRing != null ? new Queue(p.srqRing, SrqShm.RQ, (int) p.srq.layout.offset(),
                p.srq.layout.slots(), p.srq.layout.slotSize()) : rq(p.ringB, p.qb);
        p.qpns.add(p.qa.qpn);
        p.qpns.add(p.qb.qpn);
        if (p.srqRing != null) {
            SharedReceiveQueue srq = p.srq;
            p.srqRing.watchedProd = SrqShm.RQ_PROD;
            p.srqRing.consumed = () -> srq.rq.consumed();
            p.srqRing.slots = srq.layout.slots();
            p.srqRing.lastProd = p.srqRing.load(SrqShm.RQ_PROD);
        }
        for (Endpoint e : List.of(p.a, p.b)) {
            int otherPd = e.ctx.allocPd();
            region(p, e, e.pd, WINDOW + 16, 6000, ALL);
            region(p, e, e.pd, WINDOW + 0x1800 + 3, 1000, ACCESS_REMOTE_READ);
            region(p, e, e.pd, WINDOW + 0x2000 + 8, 512, ACCESS_LOCAL_WRITE);
            region(p, e, otherPd, WINDOW + 0x4000, 256, ALL);
        }
        connect(p);
    }

    private static void setUpSrq(FuzzedDataProvider data, Pair p, QpCaps caps, boolean sigAll) throws Exception {
        Endpoint b = p.b;
        Grants.Srq g = b.ctx.createSrq(b.pd, data.consumeInt(1, 16), data.consumeInt(0, 4));
        p.srqRing = new FflRing(g.fd(), SrqShm.RQ_CONS);
        p.qa = queuePair(p, p.a, new QpRequest(p.a.pd, p.a.sendCq.handle, p.a.recvCq.handle, 0, QPT_RC, sigAll,
                caps));
        p.ringA = p.lastRing;
        p.qb = queuePair(p, b, new QpRequest(b.pd, b.sendCq.handle, b.recvCq.handle, g.handle(), QPT_RC, sigAll,
                caps));
        p.ringB = p.lastRing;
        p.srq = p.qb.resources().srq();
    }

    private static void setUpXrc(FuzzedDataProvider data, Pair p, QpCaps caps, boolean sigAll) throws Exception {
        Endpoint a = p.a;
        Endpoint b = p.b;
        p.xrcFile = MemFd.create("ring-fuzz-xrcd");
        int xrcd = b.ctx.openXrcd(Abi.XRCD_CREATE, p.xrcFile);
        Grants.Srq g = b.ctx.createSrq(b.pd, SRQT_XRC, data.consumeInt(1, 16), data.consumeInt(0, 4), xrcd,
                b.recvCq.handle);
        p.srqRing = new FflRing(g.fd(), SrqShm.RQ_CONS);
        p.qa = queuePair(p, a, new QpRequest(a.pd, a.sendCq.handle, 0, 0, QPT_XRC_SEND, sigAll, caps));
        p.ringA = p.lastRing;
        p.qb = queuePair(p, b, new QpRequest(0, 0, 0, 0, QPT_XRC_RECV, false, new QpCaps(0, 0, 0, 0, 0), xrcd));
        p.ringB = p.lastRing;
        p.srq = p.qb.resources().xrcd().domain.srq(g.srqn());
    }

    /**
     * A process of container {@code name}: its context, a PD and two CQs of
     * {@code cqe} entries, on application memory kept from input to input
     * (its window filled afresh).
     */
    private static Endpoint endpoint(Pair p, String name, int side, int cqe) throws PosixException {
        AppMemory memory = MEMORY[side];
        memory.bytes().put(WINDOW, PATTERN);
        memory.bytes().put(PROBE, new byte[256]);
        VirtualNic nic = new VirtualNic(p.fx.orchestrator.registerContainer(name, "default", "host1"),
                Path.of("/tmp/" + name + ".sock"));
        Endpoint e = new Endpoint(nic, new VerbsContext(nic, p.fx.env), memory);
        e.pd = e.ctx.allocPd();
        int channel = 0;
        if (p.channels) {
            channel = e.ctx.createCompletionChannel();
            p.channelFds[side] = e.ctx.completionChannelFd(channel);
        }
        Grants.Cq send = e.ctx.createCq(cqe, channel, false);
        e.sendCq = new FflCompletionQueue(send.handle(), send.fd());
        Grants.Cq recv = e.ctx.createCq(cqe, channel, false);
        e.recvCq = new FflCompletionQueue(recv.handle(), recv.fd());
        return e;
    }

    /** A QP of {@code e} as asked, its ring mapped as the FFL maps it ({@link Pair#lastRing}). */
    private static QueuePair queuePair(Pair p, Endpoint e, QpRequest request) throws PosixException {
        Grants.Qp g = e.ctx.createQp(request);
        p.lastRing = new FflRing(g.fd(), QP_ROUTER_WORDS);
        return p.fx.directory.get(g.qpn());
    }

    private static Queue sq(FflRing ring, QueuePair qp) {
        return new Queue(ring, QpShm.SQ, (int) qp.layout.sqOffset(), qp.layout.sqSlots(), qp.layout.sqSlotSize());
    }

    private static Queue rq(FflRing ring, QueuePair qp) {
        return new Queue(ring, QpShm.RQ, (int) qp.layout.rqOffset(), qp.layout.rqSlots(), qp.layout.rqSlotSize());
    }

    private static void region(Pair p, Endpoint e, int pd, long addr, long length, int access) {
        Grants.Mr mr = e.ctx.regMr(pd, access, addr, length, addr, e.memory.fd);
        p.regions.add(new Region(e, pd, mr.key(), addr, length, access, mr.handle()));
        if ((access & ACCESS_LOCAL_WRITE) != 0 && pd == e.pd) {
            p.writable.add(new long[] {e == p.a ? 0 : 1, addr, addr + length});
        }
    }

    /** Both QPs to RTS (RTR for an XRC target), connected to each other, with the input's timers. */
    private static void connect(Pair p) {
        Endpoint a = p.a;
        Endpoint b = p.b;
        QueuePair qa = p.qa;
        QueuePair qb = p.qb;
        switch (p.service) {
            case UD -> {
                for (QueuePair q : List.of(qa, qb)) {
                    Endpoint e = q == qa ? a : b;
                    e.ctx.modifyQp(q.handle, VnicFixture.UD_INIT_MASK,
                            new AttrBuilder().state(QPS_INIT).port(1).qkey(QKEY).build(VnicFixture.UD_INIT_MASK));
                    e.ctx.modifyQp(q.handle, QP_STATE, new AttrBuilder().state(QPS_RTR).build(QP_STATE));
                    e.ctx.modifyQp(q.handle, VnicFixture.UC_RTS_MASK,
                            new AttrBuilder().state(QPS_RTS).build(VnicFixture.UC_RTS_MASK));
                }
            }
            case UC -> {
                for (QueuePair q : List.of(qa, qb)) {
                    Endpoint e = q == qa ? a : b;
                    QueuePair peer = q == qa ? qb : qa;
                    Endpoint pe = q == qa ? b : a;
                    e.ctx.modifyQp(q.handle, VnicFixture.INIT_MASK, new AttrBuilder().state(QPS_INIT).port(1)
                            .access(ALL).build(VnicFixture.INIT_MASK));
                    e.ctx.modifyQp(q.handle, VnicFixture.UC_RTR_MASK, new AttrBuilder().state(QPS_RTR)
                            .pathMtu(MTU_4096).dest(pe.nic.lid(), peer.qpn).build(VnicFixture.UC_RTR_MASK));
                }
                for (QueuePair q : List.of(qa, qb)) {
                    Endpoint e = q == qa ? a : b;
                    e.ctx.modifyQp(q.handle, VnicFixture.UC_RTS_MASK,
                            new AttrBuilder().state(QPS_RTS).build(VnicFixture.UC_RTS_MASK));
                }
            }
            case XRC -> {
                int init = VnicFixture.INIT_MASK;
                int rtr = VnicFixture.RTR_MASK;
                b.ctx.modifyQp(qb.handle, init, new AttrBuilder().state(QPS_INIT).port(1).access(ALL).build(init));
                b.ctx.modifyQp(qb.handle, rtr, new AttrBuilder().state(QPS_RTR).pathMtu(MTU_4096)
                        .dest(a.nic.lid(), qa.qpn).minRnrTimer(p.minRnrTimer).build(rtr));
                a.ctx.modifyQp(qa.handle, init, new AttrBuilder().state(QPS_INIT).port(1).access(0).build(init));
                int uRtr = VnicFixture.UC_RTR_MASK;
                a.ctx.modifyQp(qa.handle, uRtr, new AttrBuilder().state(QPS_RTR).pathMtu(MTU_4096)
                        .dest(b.nic.lid(), qb.qpn).build(uRtr));
                a.ctx.modifyQp(qa.handle, VnicFixture.RTS_MASK, new AttrBuilder().state(QPS_RTS).timeout(p.timeout)
                        .retry(p.retryCnt, p.rnrRetry).rdAtomic(16, 0).build(VnicFixture.RTS_MASK));
            }
            default -> {
                int init = VnicFixture.INIT_MASK;
                int rtr = VnicFixture.RTR_MASK;
                int rts = VnicFixture.RTS_MASK;
                for (QueuePair q : List.of(qa, qb)) {
                    Endpoint e = q == qa ? a : b;
                    e.ctx.modifyQp(q.handle, init, new AttrBuilder().state(QPS_INIT).port(1).access(ALL).build(init));
                }
                for (QueuePair q : List.of(qa, qb)) {
                    Endpoint e = q == qa ? a : b;
                    QueuePair peer = q == qa ? qb : qa;
                    Endpoint pe = q == qa ? b : a;
                    e.ctx.modifyQp(q.handle, rtr, new AttrBuilder().state(QPS_RTR).pathMtu(MTU_4096)
                            .dest(pe.nic.lid(), peer.qpn).minRnrTimer(p.minRnrTimer).rdAtomic(0, 16).build(rtr));
                }
                for (QueuePair q : List.of(qa, qb)) {
                    Endpoint e = q == qa ? a : b;
                    e.ctx.modifyQp(q.handle, rts, new AttrBuilder().state(QPS_RTS).timeout(p.timeout)
                            .retry(p.retryCnt, p.rnrRetry).rdAtomic(16, 0).build(rts));
                }
            }
        }
    }

    // ---- the hostile FFL

    private static void act(FuzzedDataProvider data, Pair p) throws PosixException {
        int action = data.consumeInt(0, 31);
        if (TRACE) {
            trace(p, "action " + action);
        }
        if (action < 10) {
            postSend(data, p, pickSendQueue(data, p));
        } else if (action < 15) {
            postRecv(data, p, pickRecvQueue(data, p));
        } else if (action < 17) {
            rawSlot(data, p);
        } else if (action < 19) {
            moveProducer(data, p);
        } else if (action == 19) {
            scribbleHeader(data, p);
        } else if (action < 22) {
            completionQueue(data, p);
        } else if (action < 24) {
            modify(data, p);
        } else if (action == 24) {
            (data.consumeBoolean() ? p.a : p.b).nic.setPortActive(data.consumeBoolean());
        } else if (action == 25) {
            memory(data, p);
        } else if (action < 29) {
            p.fx.now += pickTime(data);
            settle(p);
        } else if (action == 29) {
            srqLimit(data, p);
        } else if (action == 30 && data.consumeInt(0, 3) == 0) {
            destroy(data, p);
        } else {
            settle(p);
        }
    }

    private static Queue pickSendQueue(FuzzedDataProvider data, Pair p) {
        return p.sqB == null || data.consumeInt(0, 3) != 0 ? p.sqA : p.sqB;
    }

    private static Queue pickRecvQueue(FuzzedDataProvider data, Pair p) {
        return p.rqA == null || data.consumeInt(0, 3) != 0 ? p.recvB : p.rqA;
    }

    private static long pickTime(FuzzedDataProvider data) {
        long[] steps = {0, 1_000, 1_000_000, 100_000_000, 1_000_000_000L, 10_000_000_000L};
        return data.consumeInt(0, 7) == 7 ? data.consumeLong(0, 120_000_000_000L)
                : steps[data.consumeInt(0, steps.length - 1)];
    }

    /** A send WR into the queue's next slot, mostly published. */
    private static void postSend(FuzzedDataProvider data, Pair p, Queue q) {
        FflRing r = q.ring;
        int prod = q.prod();
        int slot = q.slot(prod);
        boolean local = q == p.sqA;
        Endpoint self = local ? p.a : p.b;
        Endpoint peer = local ? p.b : p.a;
        r.putLong(slot + SendWqe.WR_ID, data.consumeInt(0, 255));
        int opcode = pick(data, OPCODES);
        r.putInt(slot + SendWqe.OPCODE, opcode);
        int flags = flags(data, SEND_FENCE | SEND_SIGNALED | SEND_SOLICITED | SEND_INLINE);
        r.putInt(slot + SendWqe.SEND_FLAGS, flags);
        r.putInt(slot + SendWqe.IMM_DATA, pick(data, 0, 0x0a0b0c0d));
        int maxSge = (q.slotSize - SendWqe.SIZE) / Abi.Sge.SIZE;
        // half the time a request that is right, so that the data path runs to its end
        boolean right = data.consumeBoolean();
        boolean atomic = opcode == WR_ATOMIC_CMP_AND_SWP || opcode == WR_ATOMIC_FETCH_AND_ADD;
        int numSge = right ? (atomic ? 1 : data.consumeInt(0, Math.min(maxSge, 3)))
                : data.consumeInt(0, 7) == 0 ? data.consumeInt() : data.consumeInt(0, maxSge + 1);
        r.putInt(slot + SendWqe.NUM_SGE, numSge);
        if (TRACE) {
            trace(p, "send slot " + slot + " opcode " + opcode + " flags " + flags + " num_sge " + numSge
                    + (right ? " (right)" : ""));
        }
        Region remote = right ? rightRegion(data, p, peer) : region(data, p, peer);
        long remoteAddr;
        if (remote == null) {
            remoteAddr = data.consumeLong();
        } else if (right) {
            remoteAddr = remote.addr + data.consumeLong(0, Math.max(0, remote.length - 8));
            remoteAddr = atomic ? Math.min((remoteAddr + 7) & ~7L, (remote.addr + remote.length - 8) & ~7L) : remoteAddr;
        } else {
            remoteAddr = nearLong(data, remote.addr + data.consumeLong(0, remote.length));
        }
        r.putLong(slot + SendWqe.REMOTE_ADDR, remoteAddr);
        r.putInt(slot + SendWqe.RKEY, remote != null && right ? remote.key : key(data, p, remote));
        int inlineCap = q.slotSize - SendWqe.SIZE;
        int inline = data.consumeInt(0, 7) == 0 ? data.consumeInt() : data.consumeInt(0, inlineCap + 1);
        r.putInt(slot + SendWqe.INLINE_LEN, inline);
        if ((flags & SEND_INLINE) != 0 && inline > 0) {
            byte[] bytes = data.consumeBytes(Math.min(inline, inlineCap));
            r.put(slot + SendWqe.SIZE, bytes, bytes.length);
        } else {
            for (int i = 0; i < Math.min(Math.max(numSge, 0), maxSge); i++) {
                int at = slot + SendWqe.SIZE + i * Abi.Sge.SIZE;
                if (right) {
                    rightSge(data, p, r, at, self, atomic ? 8 : 0);
                } else {
                    sge(data, p, r, at, self);
                }
            }
        }
        if (p.service == UD) {
            datagram(data, p, r, slot);
        } else {
            r.putLong(slot + SendWqe.COMPARE_ADD, pickLong(data, 0, 1, -1L));
            r.putLong(slot + SendWqe.SWAP, pickLong(data, 0, 0x1122334455667788L));
            int srqn = p.srq == null ? 0 : p.srq.srqn;
            r.putInt(slot + SendWqe.REMOTE_SRQN, p.service == XRC ? pick(data, srqn, srqn, 0, srqn + 1) : 0);
        }
        if (data.consumeInt(0, 7) != 0) {
            r.publish(q.ctrl + Abi.RingCtrl.PROD, prod + 1);
        }
    }

    /** The UD fields of a send WR: a destination near the peer's address. */
    private static void datagram(FuzzedDataProvider data, Pair p, FflRing r, int slot) {
        r.putInt(slot + SendWqe.REMOTE_QPN, pick(data, p.qb.qpn, p.qa.qpn, p.qb.qpn | 0x1000000, 0, 0xffffff));
        r.putInt(slot + SendWqe.REMOTE_QKEY, pick(data, QKEY, QKEY, 0x80000000, QKEY + 1));
        r.putInt(slot + SendWqe.FLOW_LABEL, pick(data, 0, 0xfffff));
        int dlid = pick(data, p.b.nic.lid(), p.a.nic.lid(), 0, 0xffff);
        byte[] gid = data.consumeBoolean() ? p.b.nic.gid() : data.consumeBytes(16);
        byte[] wide = Arrays.copyOf(gid, 16);
        r.put(slot + SendWqe.DGID, wide, 16);
        byte[] tail = {(byte) dlid, (byte) (dlid >> 8), data.consumeByte(), (byte) pick(data, 0, 1, 2),
            data.consumeByte(), data.consumeByte()};
        r.put(slot + SendWqe.DLID, tail, tail.length);
    }

    /** A receive WR into the queue's next slot, mostly published. */
    private static void postRecv(FuzzedDataProvider data, Pair p, Queue q) {
        FflRing r = q.ring;
        int prod = q.prod();
        int slot = q.slot(prod);
        Endpoint self = q == p.rqA ? p.a : p.b;
        r.putLong(slot + RecvWqe.WR_ID, data.consumeInt(0, 255));
        int maxSge = (q.slotSize - RecvWqe.SIZE) / Abi.Sge.SIZE;
        boolean right = data.consumeBoolean();
        int allowed = q.ring == p.srqRing ? p.srq.maxSge : (q == p.rqA ? p.qa : p.qb).caps.maxRecvSge();
        int numSge = right ? data.consumeInt(1, Math.max(1, Math.min(allowed, 3)))
                : data.consumeInt(0, 7) == 0 ? data.consumeInt() : data.consumeInt(0, maxSge + 1);
        r.putInt(slot + RecvWqe.NUM_SGE, numSge);
        if (TRACE) {
            trace(p, "recv slot " + slot + " num_sge " + numSge + (right ? " (right)" : ""));
        }
        for (int i = 0; i < Math.min(Math.max(numSge, 0), maxSge); i++) {
            int at = slot + RecvWqe.SIZE + i * Abi.Sge.SIZE;
            if (right) {
                rightSge(data, p, r, at, self, 0);
            } else {
                sge(data, p, r, at, self);
            }
        }
        if (data.consumeInt(0, 7) != 0) {
            r.publish(q.ctrl + Abi.RingCtrl.PROD, prod + 1);
        }
    }

    /** A region of {@code owner}'s PD (null if none), for a request meant to pass. */
    private static Region rightRegion(FuzzedDataProvider data, Pair p, Endpoint owner) {
        List<Region> mine = p.regions.stream().filter(r -> r.owner == owner && r.pd == owner.pd && r.length >= 8)
                .toList();
        return mine.isEmpty() ? null : mine.get(data.consumeInt(0, mine.size() - 1));
    }

    /** An SGE inside a region of {@code owner}'s PD with its key: {@code length} bytes, or some when 0. */
    private static void rightSge(FuzzedDataProvider data, Pair p, FflRing r, int at, Endpoint owner, int length) {
        Region mr = rightRegion(data, p, owner);
        if (mr == null) {
            sge(data, p, r, at, owner);
            return;
        }
        int n = length > 0 ? length : data.consumeInt(1, (int) Math.min(mr.length, 2 * 4096 + 16));
        long addr = mr.addr + data.consumeLong(0, mr.length - n);
        r.putLong(at + Abi.Sge.ADDR, addr);
        r.putInt(at + Abi.Sge.LENGTH, n);
        r.putInt(at + Abi.Sge.LKEY, mr.key);
        if (TRACE) {
            trace(p, "  sge 0x" + Long.toHexString(addr) + " +" + n + " of " + mr);
        }
    }

    /** One SGE: around a region of {@code owner} (or another), its key or another. */
    private static void sge(FuzzedDataProvider data, Pair p, FflRing r, int at, Endpoint owner) {
        Region mr = region(data, p, owner);
        long addr;
        int length;
        if (mr == null) {
            addr = data.consumeLong();
            length = data.consumeInt();
        } else {
            long off = data.consumeInt(0, 3) == 0 ? mr.length : data.consumeLong(0, Math.max(0, mr.length - 1));
            addr = nearLong(data, mr.addr + off);
            length = near(data, (int) Math.min(mr.length - off, pick(data, 1, 8, 64, 4096, (int) mr.length)));
        }
        int key = key(data, p, mr);
        r.putLong(at + Abi.Sge.ADDR, addr);
        r.putInt(at + Abi.Sge.LENGTH, length);
        r.putInt(at + Abi.Sge.LKEY, key);
        if (TRACE) {
            trace(p, "  sge 0x" + Long.toHexString(addr) + " +" + Integer.toUnsignedString(length) + " key 0x"
                    + Integer.toHexString(key) + " of " + mr);
        }
    }

    /** A region of {@code owner} mostly, of anyone sometimes, or none. */
    private static Region region(FuzzedDataProvider data, Pair p, Endpoint owner) {
        if (p.regions.isEmpty() || data.consumeInt(0, 15) == 0) {
            return null;
        }
        List<Region> mine = p.regions.stream().filter(r -> r.owner == owner).toList();
        List<Region> from = mine.isEmpty() || data.consumeInt(0, 7) == 0 ? p.regions : mine;
        return from.get(data.consumeInt(0, from.size() - 1));
    }

    /** The region's key mostly, else a stale generation, a neighbour's index, 0 or anything. */
    private static int key(FuzzedDataProvider data, Pair p, Region mr) {
        int key = mr == null ? 0 : mr.key;
        return pick(data, key, key, key, key ^ 1, key + 0x100, 0, -1);
    }

    /** Raw bytes into any slot of any queue (unpublished). */
    private static void rawSlot(FuzzedDataProvider data, Pair p) {
        Queue q = pickQueue(data, p);
        if (q == null) {
            return;
        }
        int slot = q.offset + data.consumeInt(0, q.slots - 1) * q.slotSize;
        byte[] bytes = data.consumeBytes(data.consumeInt(1, q.slotSize));
        q.ring.put(slot, bytes, bytes.length);
    }

    private static Queue pickQueue(FuzzedDataProvider data, Pair p) {
        Queue[] all = {p.sqA, p.rqA, p.sqB, p.recvB};
        return all[data.consumeInt(0, all.length - 1)];
    }

    /** prod forward by a few, past the ring, back, or to anything. */
    private static void moveProducer(FuzzedDataProvider data, Pair p) {
        Queue q = pickQueue(data, p);
        if (q == null) {
            return;
        }
        int prod = q.prod();
        int next = switch (data.consumeInt(0, 3)) {
            case 0 -> prod + data.consumeInt(0, q.slots);
            case 1 -> prod + q.slots + data.consumeInt(1, 3);
            case 2 -> prod - data.consumeInt(1, 3);
            default -> data.consumeInt();
        };
        q.ring.publish(q.ctrl + Abi.RingCtrl.PROD, next);
    }

    /** Any word of a ring's header page: slot counts, offsets, the state, the router's consumer index. */
    private static void scribbleHeader(FuzzedDataProvider data, Pair p) {
        FflRing[] rings = {p.ringA, p.ringB, p.srqRing};
        FflRing r = rings[data.consumeInt(0, rings.length - 1)];
        if (r == null) {
            return;
        }
        r.putInt(4 * data.consumeInt(0, 4096 / 4 - 1), data.consumeInt());
    }

    /** The FFL's end of a CQ: poll some, or lie about cons, or arm it. */
    private static void completionQueue(FuzzedDataProvider data, Pair p) throws PosixException {
        int i = data.consumeInt(0, p.cqs.size() - 1);
        ByteBuffer shm = cqShm(p, i);
        int channel = p.channelFds[i / 2];
        switch (data.consumeInt(0, 5)) {
            case 0 -> {
                RingIndex.storeRelease(shm, CqShm.RING_CONS, data.consumeInt());
                p.lied[i] = true;
            }
            case 1 -> RingIndex.storeVolatile(shm, CqShm.ARMED, pick(data, Abi.CQ_ARM_NEXT, Abi.CQ_ARM_SOLICITED));
            case 4 -> {
                // the application fills its channel's pipe: every byte the router writes finds it full
                if (channel >= 0) {
                    AppPipe.fill(channel);
                }
            }
            case 5 -> {
                if (channel >= 0) {
                    AppPipe.drain(channel);
                }
            }
            default -> drain(p, i, data.consumeInt(0, 16));
        }
    }

    /** QP state changes an application (or the fuzzer) asks for. */
    private static void modify(FuzzedDataProvider data, Pair p) {
        boolean first = p.destroyed || data.consumeBoolean();
        Endpoint e = first ? p.a : p.b;
        QueuePair q = first ? p.qa : p.qb;
        try {
            switch (data.consumeInt(0, 5)) {
                case 0 -> e.ctx.modifyQp(q.handle, QP_STATE, new AttrBuilder().state(QPS_ERR).build(QP_STATE));
                case 1 -> {
                    e.ctx.modifyQp(q.handle, QP_STATE, new AttrBuilder().state(QPS_RESET).build(QP_STATE));
                    if (!p.destroyed && data.consumeBoolean()) {
                        reconnect(p);
                    }
                }
                case 2 -> e.ctx.modifyQp(q.handle, QP_STATE | QP_EN_SQD_ASYNC_NOTIFY, new AttrBuilder()
                        .state(QPS_SQD).notifySqDrained(data.consumeBoolean()).build(QP_STATE
                                | QP_EN_SQD_ASYNC_NOTIFY));
                case 3 -> e.ctx.modifyQp(q.handle, QP_STATE, new AttrBuilder().state(QPS_RTS).build(QP_STATE));
                case 4 -> {
                    AttrBuilder attr = new AttrBuilder();
                    byte[] raw = data.consumeBytes(Abi.QpAttr.SIZE);
                    attr.bytes().put(0, raw, 0, raw.length);
                    int mask = data.consumeInt();
                    e.ctx.modifyQp(q.handle, mask, attr.build(mask));
                }
                default -> {
                    int mask = QP_STATE | QP_AV | QP_DEST_QPN;
                    e.ctx.modifyQp(q.handle, mask, new AttrBuilder().state(q.state())
                            .dest(pick(data, p.a.nic.lid(), p.b.nic.lid(), 0), pick(data, p.qa.qpn, p.qb.qpn))
                            .build(mask));
                }
            }
        } catch (VerbsException refused) {
            // the IB table or the device said no: fine
        }
    }

    /** Both QPs through RESET and back to RTS (the input changes nothing but the order of events). */
    private static void reconnect(Pair p) {
        for (QueuePair q : List.of(p.qa, p.qb)) {
            Endpoint e = q == p.qa ? p.a : p.b;
            e.ctx.modifyQp(q.handle, QP_STATE, new AttrBuilder().state(QPS_RESET).build(QP_STATE));
        }
        connect(p);
    }

    /** A region of fuzzed bounds and rights, or one deregistered. */
    private static void memory(FuzzedDataProvider data, Pair p) {
        Endpoint e = data.consumeBoolean() ? p.a : p.b;
        if (data.consumeBoolean() && !p.regions.isEmpty()) {
            Region r = p.regions.get(data.consumeInt(0, p.regions.size() - 1));
            try {
                r.owner.ctx.deregMr(r.handle);
            } catch (VerbsException gone) {
                // deregistered already
            }
            return;
        }
        long addr = WINDOW + data.consumeInt(0, WINDOW_SIZE);
        long length = data.consumeInt(0, (int) (WINDOW + WINDOW_SIZE - addr));
        int access = flags(data, ALL);
        try {
            region(p, e, e.pd, addr, length, access);
        } catch (VerbsException refused) {
            // bad access combination: fine
        }
    }

    private static void srqLimit(FuzzedDataProvider data, Pair p) {
        if (p.srq == null) {
            return;
        }
        try {
            p.b.ctx.modifySrq(p.srq.handle, SRQ_LIMIT, data.consumeInt(0, p.srq.maxWr() + 1));
        } catch (VerbsException refused) {
            // beyond max_wr
        }
    }

    /** The peer QP goes away (the initiator's requester keeps its cached responder until it resolves again). */
    private static void destroy(FuzzedDataProvider data, Pair p) {
        if (p.destroyed) {
            return;
        }
        p.b.ctx.destroyQp(p.qb.handle);
        p.destroyed = true;
    }

    // ---- what must hold

    private static void trace(Pair p, String what) {
        StringBuilder b = new StringBuilder("[ring] ").append(what).append(" | t=").append(p.fx.now);
        // the FFL's mappings only: a destroyed QP's own is gone (touching it would crash the JVM)
        for (QueuePair q : new QueuePair[] {p.qa, p.qb}) {
            FflRing r = q == p.qa ? p.ringA : p.ringB;
            if (q != null && r != null) {
                b.append(" | QP ").append(q.qpn).append(' ').append(QpStateMachine.name(q.state())).append(" sq ")
                        .append(q.send().consumed()).append('/').append(r.load(QpShm.SQ_PROD)).append(" rq ")
                        .append(q.receive().consumed()).append('/').append(r.load(QpShm.RQ_PROD));
            }
        }
        if (p.srq != null) {
            b.append(" | SRQ ").append(p.srq.rq.consumed()).append('/').append(p.srqRing.load(SrqShm.RQ_PROD))
                    .append(" cached ").append(cachedProd(p.srq.rq)).append(" shm-cons ")
                    .append(p.srqRing.load(SrqShm.RQ_CONS));
        }
        for (int i = 0; i < p.cqShms.size(); i++) {
            ByteBuffer shm = p.cqShms.get(i);
            b.append(" | CQ").append(i).append(' ').append(RingIndex.loadAcquire(shm, CqShm.RING_CONS)).append('/')
                    .append(RingIndex.loadAcquire(shm, CqShm.RING_PROD));
        }
        System.err.println(b);
    }

    private static int cachedProd(WorkQueueConsumer q) {
        try {
            java.lang.reflect.Field f = WorkQueueConsumer.class.getDeclaredField("prod");
            f.setAccessible(true);
            return f.getInt(q);
        } catch (ReflectiveOperationException e) {
            return -1;
        }
    }

    /** Rounds at the current time until nothing moves; a round budget marks a livelock. */
    private static void settle(Pair p) {
        for (int i = 0; i < MAX_ROUNDS; i++) {
            if (!p.fx.poller.round(p.fx.now)) {
                return;
            }
        }
        fail("the pollers still make progress after " + MAX_ROUNDS + " rounds at one instant");
    }

    /** Application memory outside the regions registered with LOCAL_WRITE is as it was. */
    private static void checkMemory(Pair p) {
        byte[] now = new byte[WINDOW_SIZE];
        for (int side = 0; side < 2; side++) {
            Endpoint e = side == 0 ? p.a : p.b;
            e.memory.bytes().get(WINDOW, now);
            int from = 0;
            int at;
            while ((at = Arrays.mismatch(now, from, WINDOW_SIZE, PATTERN, from, WINDOW_SIZE)) >= 0) {
                if (!writable(p, side, WINDOW + from + at)) {
                    fail("the router wrote byte 0x" + Integer.toHexString(WINDOW + from + at) + " of "
                            + e.nic.name() + ", outside every region it may write");
                }
                from += at + 1;
            }
        }
    }

    private static boolean writable(Pair p, int side, long addr) {
        for (long[] w : p.writable) {
            if (w[0] == side && addr >= w[1] && addr < w[2]) {
                return true;
            }
        }
        return false;
    }

    private static void checkRings(Pair p) {
        p.ringA.check("QP " + p.qa.qpn + "'s ring");
        p.ringB.check("QP " + p.qb.qpn + "'s ring");
        if (p.srqRing != null) {
            p.srqRing.check("the SRQ's ring");
        }
    }

    private static ByteBuffer cqShm(Pair p, int i) {
        return p.cqShms.get(i);
    }

    /** Polls up to {@code max} completions of CQ {@code i} as ibv_poll_cq would, checking each. */
    private static void drain(Pair p, int i, int max) {
        ByteBuffer shm = cqShm(p, i);
        int slots = shm.getInt(CqShm.SLOTS);
        if (p.lied[i]) {
            // skip what is there, as an FFL that lost track would
            RingIndex.storeRelease(shm, CqShm.RING_CONS, RingIndex.loadAcquire(shm, CqShm.RING_PROD));
            p.lied[i] = false;
            return;
        }
        for (int n = 0; n < max; n++) {
            int cons = RingIndex.loadAcquire(shm, CqShm.RING_CONS);
            int prod = RingIndex.loadAcquire(shm, CqShm.RING_PROD);
            if (prod == cons) {
                return;
            }
            assertTrue(Integer.compareUnsigned(prod - cons, slots) <= 0, "the router produced past the FFL's cons");
            int e = Abi.SHM_HDR_SIZE + (cons & (slots - 1)) * Abi.CQE_SIZE;
            int status = shm.getInt(e + Cqe.STATUS);
            int opcode = shm.getInt(e + Cqe.OPCODE);
            int qpn = shm.getInt(e + Cqe.QP_NUM);
            assertTrue(status >= WC_SUCCESS && status <= WC_GENERAL_ERR, "completion status " + status);
            assertTrue(WC_OPCODES.contains(opcode), "completion opcode " + opcode);
            assertTrue(p.qpns.contains(qpn), "completion of QP " + qpn);
            if (TRACE) {
                trace(p, "CQ" + i + " status " + status + " opcode " + opcode + " byte_len "
                        + shm.getInt(e + Cqe.BYTE_LEN) + " wr_id " + shm.getLong(e + Cqe.WR_ID));
            }
            RingIndex.storeRelease(shm, CqShm.RING_CONS, cons + 1);
        }
    }

    /** How many entries can be reserved (a reservation nobody posted or cancelled takes one); cancels them. */
    private static int reservable(CompletionQueue cq) {
        int n = 0;
        while (n <= cq.ring.slots() && cq.ring.reserve()) {
            n++;
        }
        for (int i = 0; i < n; i++) {
            cq.ring.cancel();
        }
        return n;
    }

    private static void drainAll(Pair p) {
        for (int i = 0; i < p.cqs.size(); i++) {
            drain(p, i, Integer.MAX_VALUE);
            ByteBuffer shm = cqShm(p, i);
            RingIndex.storeRelease(shm, CqShm.RING_CONS, RingIndex.loadAcquire(shm, CqShm.RING_PROD));
        }
    }

    /**
     * True when the SRQ raised IBV_EVENT_SRQ_ERR (the input claimed more
     * receives than it holds): as on an HCA, it stays in error until
     * destroyed, so no message reaches it any more.
     */
    private static boolean srqFailed(Pair p) {
        boolean failed = false;
        while (true) {
            AsyncEventQueue.Event e;
            try {
                e = p.b.ctx.takeAsyncEvent();
            } catch (VerbsException none) {
                return failed;
            }
            failed |= p.srq != null && e.type() == EVENT_SRQ_ERR && e.element() == Abi.ASYNC_SRQ
                    && e.handle() == p.srq.handle;
        }
    }

    /** Reset, connected again, ports up: one SEND goes from A to B, bytes and completions right. */
    private static void probe(Pair p) {
        if (TRACE) {
            trace(p, "probe");
        }
        p.a.nic.setPortActive(true);
        p.b.nic.setPortActive(true);
        reconnect(p);
        if (p.srqRing != null) {
            // what the router consumed (the input may have scribbled over the cons word it publishes)
            p.srqRing.publish(SrqShm.RQ_PROD, p.srq.rq.consumed());
        }
        settle(p);
        drainAll(p);
        int src = p.a.ctx.regMr(p.a.pd, 0, PROBE, 64, PROBE, p.a.memory.fd).key();
        int dst = p.b.ctx.regMr(p.b.pd, ACCESS_LOCAL_WRITE, PROBE, 256, PROBE, p.b.memory.fd).key();
        byte[] message = "the router still carries a message".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        p.a.memory.bytes().put(PROBE, message);
        Queue rq = p.recvB;
        int rslot = rq.slot(rq.prod());
        rq.ring.putLong(rslot + RecvWqe.WR_ID, 0x5eed);
        rq.ring.putInt(rslot + RecvWqe.NUM_SGE, 1);
        rq.ring.putLong(rslot + RecvWqe.SIZE + Abi.Sge.ADDR, PROBE);
        rq.ring.putInt(rslot + RecvWqe.SIZE + Abi.Sge.LENGTH, 256);
        rq.ring.putInt(rslot + RecvWqe.SIZE + Abi.Sge.LKEY, dst);
        rq.ring.publish(rq.ctrl + Abi.RingCtrl.PROD, rq.prod() + 1);
        Queue sq = p.sqA;
        int slot = sq.slot(sq.prod());
        FflRing r = sq.ring;
        byte[] zero = new byte[sq.slotSize];
        r.put(slot, zero, zero.length);
        r.putLong(slot + SendWqe.WR_ID, 0xfeed);
        r.putInt(slot + SendWqe.OPCODE, WR_SEND);
        r.putInt(slot + SendWqe.SEND_FLAGS, SEND_SIGNALED);
        r.putInt(slot + SendWqe.NUM_SGE, 1);
        r.putLong(slot + SendWqe.SIZE + Abi.Sge.ADDR, PROBE);
        r.putInt(slot + SendWqe.SIZE + Abi.Sge.LENGTH, message.length);
        r.putInt(slot + SendWqe.SIZE + Abi.Sge.LKEY, src);
        if (p.service == UD) {
            r.putInt(slot + SendWqe.REMOTE_QPN, p.qb.qpn);
            r.putInt(slot + SendWqe.REMOTE_QKEY, QKEY);
            r.putInt(slot + SendWqe.DLID, p.b.nic.lid());
        } else if (p.service == XRC) {
            r.putInt(slot + SendWqe.REMOTE_SRQN, p.srq.srqn);
        }
        r.publish(sq.ctrl + Abi.RingCtrl.PROD, sq.prod() + 1);
        settle(p);
        if (TRACE) {
            trace(p, "probe sent");
        }
        int grh = p.service == UD ? org.freeflow.router.api.transport.Datagram.GRH_BYTES : 0;
        ByteBuffer send = cqShm(p, 0);
        assertEquals(1, RingIndex.loadAcquire(send, CqShm.RING_PROD) - RingIndex.loadAcquire(send, CqShm.RING_CONS),
                "one send completion");
        int e = Abi.SHM_HDR_SIZE + (RingIndex.loadAcquire(send, CqShm.RING_CONS) & (send.getInt(CqShm.SLOTS) - 1))
                * Abi.CQE_SIZE;
        assertEquals(0xfeed, send.getLong(e + Cqe.WR_ID));
        assertEquals(WC_SUCCESS, send.getInt(e + Cqe.STATUS), "the send's status");
        ByteBuffer recv = cqShm(p, 3);
        int re = Abi.SHM_HDR_SIZE + (RingIndex.loadAcquire(recv, CqShm.RING_CONS) & (recv.getInt(CqShm.SLOTS) - 1))
                * Abi.CQE_SIZE;
        assertEquals(1, RingIndex.loadAcquire(recv, CqShm.RING_PROD) - RingIndex.loadAcquire(recv, CqShm.RING_CONS),
                "one receive completion");
        assertEquals(0x5eed, recv.getLong(re + Cqe.WR_ID));
        assertEquals(WC_SUCCESS, recv.getInt(re + Cqe.STATUS), "the receive's status");
        assertEquals(message.length + grh, recv.getInt(re + Cqe.BYTE_LEN));
        assertArrayEquals(message, p.b.memory.read(PROBE + grh, message.length), "the message landed");
    }

    private static void close(Pair p) {
        for (Endpoint e : new Endpoint[] {p.a, p.b}) {
            if (e != null) {
                e.ctx.close();
                e.sendCq.close();
                e.recvCq.close();
            }
        }
        p.fx.close();
        for (FflRing r : new FflRing[] {p.ringA, p.ringB, p.srqRing, p.lastRing}) {
            if (r != null) {
                r.close();
            }
        }
        FileDescriptors.closeQuietly(p.xrcFile);
    }
}
