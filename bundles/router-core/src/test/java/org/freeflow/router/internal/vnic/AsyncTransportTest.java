package org.freeflow.router.internal.vnic;

import static org.freeflow.fastpath.api.Verbs.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.freeflow.router.api.transport.Acknowledgements;
import org.freeflow.router.api.transport.InPlaceSink;
import org.freeflow.router.api.transport.Outcome;
import org.freeflow.router.api.transport.Payload;
import org.freeflow.router.api.transport.Responder;
import org.freeflow.router.internal.loopback.AppMemory;
import org.freeflow.router.internal.loopback.AttrBuilder;
import org.freeflow.router.internal.loopback.Completion;
import org.freeflow.router.internal.loopback.QpBringUp;
import org.freeflow.router.internal.loopback.Sge;
import org.freeflow.router.internal.vnic.DeferredTransport.DeferredConnection;
import org.freeflow.router.internal.vnic.VnicFixture.Endpoint;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The requester on a transport that answers later ({@link DeferredTransport}):
 * work requests outstanding up to the window, completions in posting order,
 * refusals and timeouts posting the rest again, each message executed once.
 * A in alpha sends from 0x10000 (16 messages of 256 bytes, each its own
 * pattern); B in beta receives at 0x20000.
 */
class AsyncTransportTest {

    private static final long MS = 1_000_000L;
    private static final int MSG = 256;

    private DeferredTransport transport;
    private VnicFixture fx;
    private Endpoint a;
    private Endpoint b;
    private int srcKey;
    private int recvKey;

    @BeforeEach
    void endpoints() throws Exception {
        fx = new VnicFixture(directory -> transport = new DeferredTransport(directory));
        a = fx.endpoint("alpha");
        b = fx.endpoint("beta");
        srcKey = a.register(0x10000, 16 * MSG, ACCESS_LOCAL_WRITE);
        recvKey = b.register(0x20000, 16 * MSG, VnicFixture.ALL_ACCESS);
        for (int i = 0; i < 16; i++) {
            a.memory.fill(0x10000 + i * MSG, MSG, i + 1);
        }
    }

    @AfterEach
    void close() {
        fx.close();
    }

    /** A and B connected, A's QP with timeout 14 (67 ms), retry_cnt 3 and max_rd_atomic {@code rdAtomic}. */
    private void connect(int rdAtomic) {
        QpBringUp.toInit(a.ctx, a.qpHandle, VnicFixture.ALL_ACCESS);
        QpBringUp.toInit(b.ctx, b.qpHandle, VnicFixture.ALL_ACCESS);
        QpBringUp.toRtr(a.ctx, a.qpHandle, b.nic.lid(), b.qp.qpn, 1);
        QpBringUp.toRtr(b.ctx, b.qpHandle, a.nic.lid(), a.qp.qpn, 1);
        a.ctx.modifyQp(a.qpHandle, QpBringUp.RTS_MASK, new AttrBuilder().state(QPS_RTS).timeout(14).retry(3, 7)
                .rdAtomic(rdAtomic, 0).build(QpBringUp.RTS_MASK));
        QpBringUp.toRts(b.ctx, b.qpHandle, 14, 7, 7);
    }

    private void send(int i) {
        a.qp.postSend(i, WR_SEND, SEND_SIGNALED, 0, 0, 0, new Sge(0x10000 + i * MSG, MSG, srcKey));
    }

    private void receive(int i) {
        b.qp.postRecv(100 + i, new Sge(0x20000 + i * MSG, MSG, recvKey));
    }

    private DeferredConnection connection() {
        return transport.lastOf(a.qp.qpn);
    }

    /** A's send completions now, in order. */
    private List<Completion> sendCompletions() {
        List<Completion> all = new ArrayList<>();
        for (Completion c = a.sendCq.poll(); c != null; c = a.sendCq.poll()) {
            all.add(c);
        }
        return all;
    }

    @Test
    void aQpConnectsToItsPeerAtRtrBeforeItsFirstWorkRequest() {
        connect(16);
        assertEquals(List.of(), connection().posted, "connected, nothing posted yet");
        receive(0);
        send(0);
        fx.settle();
        assertEquals(List.of(0L), connection().posted, "the first work request takes the connection made at RTR");
        assertEquals(1, transport.connections.stream().filter(c -> c.requester().qpn() == a.qp.qpn).count());
    }

    @Test
    void workRequestsAreOutstandingTogetherAndCompleteInPostingOrder() {
        connect(16);
        for (int i = 0; i < 8; i++) {
            receive(i);
            send(i);
        }
        fx.settle();
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L), connection().posted, "all 8 in flight at once");
        assertEquals(8, a.routerQp.send().outstanding());
        assertNull(a.sendCq.poll(), "nothing completes before the transport answers");
        connection().deliver(3);
        fx.settle();
        assertEquals(List.of(0L, 1L, 2L), sendCompletions().stream().map(Completion::wrId).toList());
        connection().deliver(5);
        fx.settle();
        assertEquals(List.of(3L, 4L, 5L, 6L, 7L), sendCompletions().stream().map(Completion::wrId).toList());
        for (int i = 0; i < 8; i++) {
            Completion r = b.recvCq.poll();
            assertEquals(100 + i, r.wrId(), "received in order");
            assertEquals(MSG, r.byteLen());
            assertArrayEquals(AppMemory.pattern(MSG, i + 1), b.memory.read(0x20000 + i * MSG, MSG));
        }
        assertEquals(0, a.routerQp.send().outstanding());
    }

    @Test
    void theRequesterIsSettledThroughAPsnOnceItsCompletionsThroughItAreWritten() {
        connect(16);
        for (int i = 0; i < 4; i++) {
            receive(i);
            send(i);
        }
        fx.settle();
        List<Long> psns = connection().posted;
        Acknowledgements acks = connection().acks();
        assertTrue(acks.settled(psns.get(0) - 1), "nothing was owed before the first");
        assertFalse(acks.settled(psns.get(0)), "nothing reported yet");
        connection().deliver(2);
        assertFalse(acks.settled(psns.get(1)), "acknowledged, the completions not written yet");
        fx.settle();
        assertTrue(acks.settled(psns.get(1)));
        assertFalse(acks.settled(psns.get(2)), "not acknowledged yet: the requester owes nothing for it");
        assertEquals(List.of(0L, 1L), sendCompletions().stream().map(Completion::wrId).toList());
        send(4); // no receive for it: RNR, which acknowledges the two before it
        fx.settle();
        connection().deliver(3);
        assertFalse(acks.settled(psns.get(3)), "two acknowledged and an RNR, none of it taken yet");
        fx.settle();
        assertTrue(acks.settled(psns.get(3)), "completed through the one before the RNR");
        assertEquals(List.of(2L, 3L), sendCompletions().stream().map(Completion::wrId).toList());
    }

    @Test
    void anRnrPostsTheRefusedMessageAndThoseAfterItAgainAndEachArrivesOnce() {
        connect(16);
        for (int i = 0; i < 2; i++) {
            receive(i);
        }
        for (int i = 0; i < 4; i++) {
            send(i);
        }
        fx.settle();
        connection().deliver(4); // 0 and 1 land, 2 meets no receive (RNR), 3 is dropped behind it
        fx.settle();
        assertEquals(List.of(0L, 1L), sendCompletions().stream().map(Completion::wrId).toList());
        assertEquals(1, a.routerQp.view().rnrNaks());
        receive(2);
        receive(3);
        fx.advance(MS); // min_rnr_timer 1: 0.01 ms, and the receive was posted meanwhile
        assertEquals(List.of(0L, 1L, 2L, 3L, 2L, 3L), connection().posted, "2 and 3 posted again, same numbers");
        connection().deliver(2);
        fx.settle();
        assertEquals(List.of(2L, 3L), sendCompletions().stream().map(Completion::wrId).toList());
        for (int i = 0; i < 4; i++) {
            assertEquals(100 + i, b.recvCq.poll().wrId());
        }
        assertNull(b.recvCq.poll(), "each message consumed one receive: nothing twice");
        assertEquals(4, connection().executed);
    }

    @Test
    void aLostMessageIsPostedAgainAfterTheTimeoutAndAnAckLostIsNoDuplicate() {
        connect(16);
        for (int i = 0; i < 3; i++) {
            receive(i);
            send(i);
        }
        fx.settle();
        connection().ackLost = true;
        connection().deliver(1); // 0 executes, its acknowledgement is lost
        connection().ackLost = false;
        connection().lose(2); // 1 and 2 never arrive
        fx.advance(60 * MS);
        assertEquals(List.of(0L, 1L, 2L), connection().posted, "nothing posted again before the timeout");
        fx.advance(10 * MS);
        assertEquals(List.of(0L, 1L, 2L, 0L, 1L, 2L), connection().posted, "after 67 ms: all three again");
        assertEquals(1, a.routerQp.view().ackTimeouts());
        connection().deliver(3);
        fx.settle();
        List<Completion> done = sendCompletions();
        assertEquals(List.of(0L, 1L, 2L), done.stream().map(Completion::wrId).toList());
        assertEquals(List.of(WC_SUCCESS), done.stream().map(Completion::status).distinct().toList());
        for (int i = 0; i < 3; i++) {
            assertEquals(100 + i, b.recvCq.poll().wrId());
        }
        assertNull(b.recvCq.poll(), "message 0 was executed once, though posted twice");
        assertEquals(3, connection().executed);
    }

    @Test
    void noAnswerWithinTheRetryBudgetIsRetryExceededThenFlushesTheRestInOrder() {
        connect(16);
        for (int i = 0; i < 3; i++) {
            send(i);
        }
        fx.settle();
        for (int t = 0; t < 4 * 68; t++) { // timeout x (retry_cnt 3 + 1)
            connection().lose(3);
            fx.advance(MS);
        }
        List<Completion> done = sendCompletions();
        assertEquals(List.of(0L, 1L, 2L), done.stream().map(Completion::wrId).toList());
        assertEquals(List.of(WC_RETRY_EXC_ERR, WC_WR_FLUSH_ERR, WC_WR_FLUSH_ERR),
                done.stream().map(Completion::status).toList());
        assertEquals(QPS_ERR, a.state());
        assertEquals(12, connection().posted.size(), "three rounds of retries after the first");
        assertEquals(3, a.routerQp.view().ackTimeouts(), "retry_cnt 3: three timeouts posted again, the fourth failed");
        assertTrue(connection().closed, "the requester let the connection go");
    }

    @Test
    void aRemoteAccessErrorInTheMiddleCompletesInOrderAndFlushesWhatFollows() {
        connect(16);
        a.qp.postSend(0, WR_RDMA_WRITE, SEND_SIGNALED, 0x20000, recvKey, 0, new Sge(0x10000, MSG, srcKey));
        a.qp.postSend(1, WR_RDMA_WRITE, SEND_SIGNALED, 0x20000, recvKey + 1, 0, new Sge(0x10000, MSG, srcKey));
        a.qp.postSend(2, WR_RDMA_WRITE, SEND_SIGNALED, 0x20100, recvKey, 0, new Sge(0x10100, MSG, srcKey));
        fx.settle();
        assertEquals(3, connection().posted.size());
        connection().deliver(3);
        fx.settle();
        List<Completion> done = sendCompletions();
        assertEquals(List.of(WC_SUCCESS, WC_REM_ACCESS_ERR, WC_WR_FLUSH_ERR),
                done.stream().map(Completion::status).toList());
        assertEquals(List.of(0L, 1L, 2L), done.stream().map(Completion::wrId).toList());
        assertArrayEquals(AppMemory.pattern(MSG, 1), b.memory.read(0x20000, MSG), "the first write landed");
        assertEquals(QPS_ERR, a.state());
    }

    @Test
    void readsAndAtomicsOutstandingStayWithinMaxRdAtomic() {
        connect(2);
        for (int i = 0; i < 4; i++) {
            b.memory.fill(0x20000 + i * MSG, MSG, 50 + i);
            a.qp.postSend(i, WR_RDMA_READ, SEND_SIGNALED, 0x20000 + i * MSG, recvKey, 0,
                    new Sge(0x10000 + i * MSG, MSG, srcKey));
        }
        a.qp.postSend(4, WR_SEND, SEND_SIGNALED, 0, 0, 0, new Sge(0x10000 + 8 * MSG, MSG, srcKey));
        fx.settle();
        assertEquals(List.of(0L, 1L), connection().posted, "max_rd_atomic 2: two READs at a time");
        connection().deliver(1);
        fx.settle();
        assertEquals(List.of(0L, 1L, 2L), connection().posted);
        connection().deliver(10); // 1 and 2
        fx.settle();
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L), connection().posted, "the SEND goes behind the last READ");
        connection().deliver(10); // 3, and the SEND meets no receive
        fx.settle();
        receive(0);
        fx.advance(MS);
        connection().deliver(10);
        fx.settle();
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 4L), connection().posted);
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L), sendCompletions().stream().map(Completion::wrId).toList());
        for (int i = 0; i < 4; i++) {
            assertArrayEquals(AppMemory.pattern(MSG, 50 + i), a.memory.read(0x10000 + i * MSG, MSG));
        }
    }

    @Test
    void aFencedWorkRequestWaitsUntilTheReadsBeforeItCompleted() {
        connect(4);
        b.memory.fill(0x20000, MSG, 50);
        a.qp.postSend(0, WR_RDMA_READ, SEND_SIGNALED, 0x20000, recvKey, 0, new Sge(0x10000, MSG, srcKey));
        a.qp.postSend(1, WR_RDMA_WRITE, SEND_SIGNALED, 0x20000 + MSG, recvKey, 0,
                new Sge(0x10000 + MSG, MSG, srcKey));
        // overwrites what the READ reads: only the fence makes the READ see the old data
        a.qp.postSend(2, WR_RDMA_WRITE, SEND_SIGNALED | SEND_FENCE, 0x20000, recvKey, 0,
                new Sge(0x10000 + 2 * MSG, MSG, srcKey));
        a.qp.postSend(3, WR_RDMA_WRITE, SEND_SIGNALED, 0x20000 + 3 * MSG, recvKey, 0,
                new Sge(0x10000 + 3 * MSG, MSG, srcKey));
        fx.settle();
        assertEquals(List.of(0L, 1L), connection().posted, "an unfenced WRITE passes the READ, the fenced one waits");
        connection().deliver(1); // the READ's answer, read now
        fx.settle();
        assertEquals(List.of(0L), sendCompletions().stream().map(Completion::wrId).toList());
        assertEquals(List.of(0L, 1L, 2L, 3L), connection().posted, "the fence lifted with the READ's completion");
        connection().deliver(10);
        fx.settle();
        assertEquals(List.of(1L, 2L, 3L), sendCompletions().stream().map(Completion::wrId).toList());
        assertArrayEquals(AppMemory.pattern(MSG, 50), a.memory.read(0x10000, MSG), "the READ saw the old data");
        assertArrayEquals(AppMemory.pattern(MSG, 3), b.memory.read(0x20000, MSG), "then the fenced WRITE landed");
    }

    @Test
    void anAtomicPostedAgainAfterItsAckWasLostIsExecutedOnceAndReturnsTheOriginalValue() {
        connect(16);
        ByteBuffer word = b.memory.bytes().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        word.putLong(0x20000, 40);
        a.qp.postAtomic(9, WR_ATOMIC_FETCH_AND_ADD, SEND_SIGNALED, 0x20000, recvKey, 2, 0,
                new Sge(0x10000, 8, srcKey));
        fx.settle();
        connection().ackLost = true;
        connection().deliver(1);
        connection().ackLost = false;
        fx.advance(70 * MS);
        assertEquals(List.of(0L, 0L), connection().posted);
        connection().deliver(1);
        fx.settle();
        Completion c = a.sendCq.poll();
        assertEquals(WC_SUCCESS, c.status());
        assertEquals(42, word.getLong(0x20000), "added once");
        assertEquals(40, a.memory.bytes().duplicate().order(ByteOrder.LITTLE_ENDIAN).getLong(0x10000),
                "the value before the one add");
    }

    @Test
    void aFullConnectionHoldsTheRestBackUntilItTakesMore() {
        transport.capacity = 2;
        connect(16);
        for (int i = 0; i < 5; i++) {
            receive(i);
            send(i);
        }
        fx.settle();
        assertEquals(List.of(0L, 1L), connection().posted);
        connection().deliver(2);
        fx.settle();
        assertEquals(List.of(0L, 1L, 2L, 3L), connection().posted);
        connection().deliver(2);
        fx.settle();
        connection().deliver(2);
        fx.settle();
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L), sendCompletions().stream().map(Completion::wrId).toList());
    }

    @Test
    void aQpMovedToErrGivesItsOutstandingWorkUpAndFlushesItInOrder() {
        connect(16);
        for (int i = 0; i < 3; i++) {
            receive(i);
            send(i);
        }
        fx.settle();
        assertEquals(3, a.routerQp.send().outstanding());
        a.ctx.modifyQp(a.qpHandle, QP_STATE, new AttrBuilder().state(QPS_ERR).build(QP_STATE));
        fx.settle();
        assertTrue(connection().closed, "the requester let the connection go");
        List<Completion> done = sendCompletions();
        assertEquals(List.of(0L, 1L, 2L), done.stream().map(Completion::wrId).toList());
        assertEquals(List.of(WC_WR_FLUSH_ERR), done.stream().map(Completion::status).distinct().toList());
    }

    @Test
    void readDataForMemoryDeregisteredMeanwhileCompletesWithAProtectionError() {
        connect(16);
        Grants.Mr sink = a.ctx.regMr(a.pd, ACCESS_LOCAL_WRITE, 0x40000, MSG, 0x40000, a.memory.fd);
        a.qp.postSend(0, WR_RDMA_READ, SEND_SIGNALED, 0x20000, recvKey, 0, new Sge(0x40000, MSG, sink.key()));
        fx.settle();
        a.ctx.deregMr(sink.handle()); // its mapping goes: the data that comes later has nowhere to land
        fx.settle();
        connection().deliver(1);
        fx.settle();
        Completion c = a.sendCq.poll();
        assertEquals(WC_LOC_PROT_ERR, c.status());
        assertEquals(QPS_ERR, a.state());
    }

    /**
     * A transport that holds a send's data reads it from the registered memory when it transmits: the
     * application deregistering the region meanwhile does not unmap it under the transport, which still
     * reads the data whole; the last release unmaps it.
     */
    @Test
    void memoryATransportHoldsStaysMappedAfterItsDeregistrationUntilReleased() {
        transport.holdData = true;
        connect(16);
        Grants.Mr src = a.ctx.regMr(a.pd, 0, 0x40000, MSG, 0x40000, a.memory.fd);
        MemoryRegion region = a.nic.mrTable.lookup(src.key());
        a.memory.fill(0x40000, MSG, 77);
        receive(0);
        a.qp.postSend(0, WR_SEND, SEND_SIGNALED, 0, 0, 0, new Sge(0x40000, MSG, src.key()));
        fx.settle();
        assertEquals(List.of(0L), connection().posted);
        a.ctx.deregMr(src.handle()); // with its send outstanding, as an application may
        assertTrue(region.mapped(), "the transport holds it");
        connection().deliver(1);
        fx.settle();
        assertEquals(WC_SUCCESS, a.sendCq.poll().status());
        assertEquals(WC_SUCCESS, b.recvCq.poll().status());
        assertArrayEquals(AppMemory.pattern(MSG, 77), b.memory.read(0x20000, MSG), "read from the held memory");
        assertFalse(region.mapped(), "unmapped at the release");
        assertFalse(region.hold(), "a region unmapped is never held again");
    }

    /**
     * A READ answered in place: the responder's memory as held views, read when the answer is written
     * (the application's later writes show), mapped across its deregistration until the release; a
     * bad key is refused as read() refuses it.
     */
    @Test
    void aReadAnsweredInPlaceIsReadFromTheHeldMemoryUntilItsRelease() {
        connect(16);
        Grants.Mr src = b.ctx.regMr(b.pd, VnicFixture.ALL_ACCESS, 0x40000, 3 * MSG, 0x40000, b.memory.fd);
        MemoryRegion region = b.nic.mrTable.lookup(src.key());
        b.memory.fill(0x40000, 3 * MSG, 31);
        DeferredConnection c = connection();
        Responder.InPlace found = c.responder.readInPlace(0x40000 + MSG, src.key(), MSG, c.requester);
        assertEquals(Outcome.OK, found.outcome());
        assertEquals(MSG, found.data().length());
        Payload.Hold hold = found.data().hold();
        assertNotNull(hold);
        a.memory.fill(0x10000, MSG, 0);
        b.memory.fill(0x40000 + MSG, MSG, 32); // after the READ's execution, before its answer left
        b.ctx.deregMr(src.handle());
        assertTrue(region.mapped(), "held by the answer");
        ByteBuffer sent = ByteBuffer.allocate(MSG);
        for (int i = 0; i < found.data().segments(); i++) {
            sent.put(found.data().segment(i).duplicate());
        }
        assertArrayEquals(AppMemory.pattern(MSG, 32), sent.array(), "read when written, the range asked");
        hold.release();
        assertFalse(region.mapped(), "unmapped at the release");

        Grants.Mr other = b.ctx.regMr(b.pd, VnicFixture.ALL_ACCESS, 0x40000, MSG, 0x40000, b.memory.fd);
        assertNull(c.responder.readInPlace(0x40000, other.key(), 0, c.requester), "nothing to view: copied");
        assertEquals(Outcome.REMOTE_ACCESS_ERROR,
                c.responder.readInPlace(0x40000, other.key(), 2 * MSG, c.requester).outcome(), "out of bounds");
        assertEquals(QPS_ERR, b.state(), "the responder QP's access error");
    }

    @Test
    void aWritePlacedInPlaceLandsInTheRegionAndItsDeregistrationWaitsForTheWriteUnderWayThenStopsThem()
            throws Exception {
        connect(16);
        Grants.Mr dst = b.ctx.regMr(b.pd, VnicFixture.ALL_ACCESS, 0x40000, 2 * MSG, 0x40000, b.memory.fd);
        MemoryRegion region = b.nic.mrTable.lookup(dst.key());
        DeferredConnection c = connection();
        assertNull(c.responder.writeInPlace(0x40000, dst.key() + 1, MSG, c.requester), "a bad rkey: not placed");
        assertNull(c.responder.writeInPlace(0x40000 + MSG, dst.key(), 2 * MSG, c.requester), "out of bounds");
        assertEquals(QPS_RTS, b.state(), "no side effect: the poller's WRITE refuses them in order");

        Responder.InPlaceWrite w = c.responder.writeInPlace(0x40000 + MSG, dst.key(), MSG, c.requester);
        assertNotNull(w);
        assertTrue(w.beginWrite());
        put(w.target(), AppMemory.pattern(MSG, 41));
        w.endWrite();
        assertEquals(Outcome.OK, w.complete(true));
        w.release();
        assertArrayEquals(AppMemory.pattern(MSG, 41), b.memory.read(0x40000 + MSG, MSG));

        Responder.InPlaceWrite racing = c.responder.writeInPlace(0x40000, dst.key(), MSG, c.requester);
        deregisterDuringWrite(racing, () -> b.ctx.deregMr(dst.handle()),
                "ibv_dereg_mr waits for the write under way");
        assertTrue(region.mapped(), "held by the placement");
        assertEquals(Outcome.REMOTE_ACCESS_ERROR, racing.complete(false));
        assertEquals(QPS_ERR, b.state(), "the responder QP's access error, in order");
        racing.release();
        racing.release();
        assertFalse(region.mapped(), "unmapped at the release, once");
    }

    /**
     * A SEND placed into its receive: the receive's SGEs (here across two regions) as the target, checked
     * with no side effect; the receive stays posted until the completion consumes it, in order.
     */
    @Test
    void aSendPlacedInPlaceLandsInItsReceiveAcrossItsSgesAndCompletesItInOrder() {
        connect(16);
        DeferredConnection c = connection();
        assertNull(c.responder.sendInPlace(MSG, c.requester, false, 0, false), "no receive posted: not placed");
        Grants.Mr second = b.ctx.regMr(b.pd, VnicFixture.ALL_ACCESS, 0x40000, MSG, 0x40000, b.memory.fd);
        b.qp.postRecv(7, new Sge(0x20000, MSG / 2, recvKey), new Sge(0x40000, MSG, second.key()));
        assertNull(c.responder.sendInPlace(2 * MSG, c.requester, false, 0, false), "too large for it: copied");
        assertEquals(QPS_RTS, b.state(), "no side effect: the poller's SEND refuses it in order");
        assertNull(b.recvCq.poll(), "and completes the receive then");

        Responder.InPlaceWrite w = c.responder.sendInPlace(MSG, c.requester, true, 0x1234, false);
        assertNotNull(w);
        assertEquals(MSG, w.target().length());
        assertTrue(w.beginWrite());
        put(w.target(), AppMemory.pattern(MSG, 61));
        w.endWrite();
        assertNull(b.recvCq.poll(), "nothing completes before the message does");
        assertEquals(Outcome.OK, w.complete(true));
        w.release();
        Completion done = b.recvCq.poll();
        assertEquals(7L, done.wrId());
        assertEquals(WC_SUCCESS, done.status());
        assertEquals(WC_RECV, done.opcode());
        assertEquals(MSG, done.byteLen());
        assertEquals(0x1234, done.imm());
        assertEquals(WC_WITH_IMM, done.wcFlags() & WC_WITH_IMM);
        byte[] sent = AppMemory.pattern(MSG, 61);
        assertArrayEquals(Arrays.copyOf(sent, MSG / 2), b.memory.read(0x20000, MSG / 2), "first SGE");
        assertArrayEquals(Arrays.copyOfRange(sent, MSG / 2, MSG), b.memory.read(0x40000, MSG / 2),
                "then the second");
        assertNull(c.responder.sendInPlace(MSG, c.requester, false, 0, false), "its receive was consumed");
    }

    /**
     * SENDs placed one after another go into the receives in order, each into the one after the last placed;
     * one given up frees its receive for the next.  A placed SEND whose receive was taken meanwhile answers
     * BUSY (the message comes again) and takes no other receive; one whose buffer was deregistered under it
     * completes its receive with IBV_WC_LOC_PROT_ERR, and the QP goes to ERR, as the copying SEND would have
     * found it.
     */
    @Test
    void placedSendsTakeTheReceivesInOrderAndOneWhoseReceiveWentIsBusyAndOneWhoseBufferWentFailsIt()
            throws Exception {
        connect(16);
        DeferredConnection c = connection();
        for (int i = 0; i < 4; i++) {
            receive(i);
        }
        Responder.InPlaceWrite first = c.responder.sendInPlace(MSG, c.requester, false, 0, false);
        Responder.InPlaceWrite second = c.responder.sendInPlace(MSG, c.requester, false, 0, false);
        placeAll(second, AppMemory.pattern(MSG, 72));
        placeAll(first, AppMemory.pattern(MSG, 71));
        assertEquals(Outcome.OK, first.complete(true));
        first.release();
        assertEquals(Outcome.OK, second.complete(true));
        second.release();
        assertEquals(100L, b.recvCq.poll().wrId());
        assertEquals(101L, b.recvCq.poll().wrId());
        assertArrayEquals(AppMemory.pattern(MSG, 71), b.memory.read(0x20000, MSG), "the first into receive 100");
        assertArrayEquals(AppMemory.pattern(MSG, 72), b.memory.read(0x20000 + MSG, MSG), "the second into 101");

        Responder.InPlaceWrite givenUp = c.responder.sendInPlace(MSG, c.requester, false, 0, false);
        givenUp.release(); // its connection ended: the message comes again
        Responder.InPlaceWrite gone = c.responder.sendInPlace(MSG, c.requester, false, 0, false);
        placeAll(gone, AppMemory.pattern(MSG, 73));
        assertArrayEquals(AppMemory.pattern(MSG, 73), b.memory.read(0x20000 + 2 * MSG, MSG), "into 102 again");
        assertEquals(Outcome.OK, c.responder.send(heap(AppMemory.pattern(MSG, 74)), c.requester, false, 0));
        assertEquals(Outcome.BUSY, gone.complete(true), "its receive went to another message");
        gone.release();
        assertEquals(102L, b.recvCq.poll().wrId());
        assertArrayEquals(AppMemory.pattern(MSG, 74), b.memory.read(0x20000 + 2 * MSG, MSG));
        assertNull(b.recvCq.poll(), "receive 103 stays posted");

        Grants.Mr own = b.ctx.regMr(b.pd, VnicFixture.ALL_ACCESS, 0x40000, MSG, 0x40000, b.memory.fd);
        assertEquals(Outcome.OK, c.responder.send(heap(AppMemory.pattern(MSG, 75)), c.requester, false, 0));
        b.qp.postRecv(104, new Sge(0x40000, MSG, own.key()));
        Responder.InPlaceWrite racing = c.responder.sendInPlace(MSG, c.requester, false, 0, false);
        assertNotNull(racing, "into receive 104");
        MemoryRegion region = b.nic.mrTable.lookup(own.key());
        deregisterDuringWrite(racing, () -> b.ctx.deregMr(own.handle()),
                "ibv_dereg_mr waits for the write into the receive under way");
        assertEquals(Outcome.REMOTE_OPERATION_ERROR, racing.complete(false));
        assertTrue(region.mapped(), "held by the placement");
        racing.release();
        assertFalse(region.mapped(), "unmapped at the release");
        assertEquals(103L, b.recvCq.poll().wrId());
        Completion failed = b.recvCq.poll();
        assertEquals(104L, failed.wrId());
        assertEquals(WC_LOC_PROT_ERR, failed.status());
        assertEquals(QPS_ERR, b.state());
    }

    /**
     * Deregisters with a write into {@code sink} under way: {@code dereg} waits for that write to end, then
     * returns, and no write begins after it.
     */
    private static void deregisterDuringWrite(InPlaceSink sink, Runnable dereg, String waits) throws Exception {
        assertTrue(sink.beginWrite()); // a socket read into the memory under way
        Thread t = new Thread(dereg);
        t.start();
        t.join(200);
        assertTrue(t.isAlive(), waits);
        sink.endWrite();
        t.join(10_000);
        assertFalse(t.isAlive(), "and returns once it ended");
        assertFalse(sink.beginWrite(), "no write begins once deregistered");
    }

    private static void placeAll(Responder.InPlaceWrite w, byte[] data) {
        assertTrue(w.beginWrite());
        put(w.target(), data);
        w.endWrite();
    }

    private static Payload heap(byte[] data) {
        ByteBuffer view = ByteBuffer.wrap(data);
        return new Payload() {
            @Override
            public long length() {
                return data.length;
            }

            @Override
            public int segments() {
                return 1;
            }

            @Override
            public ByteBuffer segment(int i) {
                return view.duplicate();
            }

            @Override
            public Hold hold() {
                return null;
            }
        };
    }

    @Test
    void aReadAnsweredInPlaceCompletesWithTheDataTheTransportWroteOrWithAProtectionErrorAfterDeregistration()
            throws Exception {
        connect(16);
        Grants.Mr sink = a.ctx.regMr(a.pd, ACCESS_LOCAL_WRITE, 0x30000, MSG, 0x30000, a.memory.fd);
        connection().takeSinks = true;
        a.qp.postSend(0, WR_RDMA_READ, SEND_SIGNALED, 0x20000, recvKey, 0, new Sge(0x10000, MSG, srcKey));
        a.qp.postSend(1, WR_RDMA_READ, SEND_SIGNALED, 0x20000, recvKey, 0, new Sge(0x30000, MSG, sink.key()));
        fx.settle();
        InPlaceSink first = connection().sinks.get(0);
        InPlaceSink second = connection().sinks.get(1);
        assertEquals(MSG, first.target().length());
        assertTrue(first.beginWrite());
        put(first.target(), AppMemory.pattern(MSG, 51));
        first.endWrite();
        first.release();
        connection().acks().fetchedInPlace(0, true);
        fx.settle();
        Completion done = a.sendCq.poll();
        assertEquals(WC_SUCCESS, done.status());
        assertArrayEquals(AppMemory.pattern(MSG, 51), a.memory.read(0x10000, MSG), "in place, no copy");

        deregisterDuringWrite(second, () -> a.ctx.deregMr(sink.handle()),
                "ibv_dereg_mr waits for the write into the READ's memory under way");
        second.release();
        connection().acks().fetchedInPlace(1, false);
        fx.settle();
        Completion failed = a.sendCq.poll();
        assertEquals(1L, failed.wrId());
        assertEquals(WC_LOC_PROT_ERR, failed.status());
    }

    private static void put(Payload target, byte[] data) {
        ByteBuffer from = ByteBuffer.wrap(data);
        for (int i = 0; i < target.segments(); i++) {
            ByteBuffer to = target.segment(i).duplicate();
            int n = to.remaining();
            to.put(from.slice(from.position(), n));
            from.position(from.position() + n);
        }
    }

    @Test
    void aReadWhoseAnswerKeepsArrivingIsNotTimedOutButOneWhoseAnswerStopsIs() {
        connect(16);
        b.memory.fill(0x20000, MSG, 9);
        a.qp.postSend(0, WR_RDMA_READ, SEND_SIGNALED, 0x20000, recvKey, 0, new Sge(0x10000, MSG, srcKey));
        fx.settle();
        for (int t = 0; t < 4; t++) { // 240 ms in all, over three times the 67 ms timeout
            fx.advance(60 * MS);
            connection().arriving(0);
            fx.settle(); // the report woke the requester's poller
        }
        assertEquals(List.of(0L), connection().posted, "never posted again: its answer was coming in");
        assertEquals(0, a.routerQp.view().ackTimeouts());
        fx.advance(70 * MS); // then nothing for longer than the timeout
        assertEquals(List.of(0L, 0L), connection().posted, "posted again once its answer stopped coming");
        assertEquals(1, a.routerQp.view().ackTimeouts());
        connection().deliver(2);
        fx.settle();
        Completion c = a.sendCq.poll();
        assertEquals(WC_SUCCESS, c.status());
        assertEquals(0L, c.wrId());
    }
}
