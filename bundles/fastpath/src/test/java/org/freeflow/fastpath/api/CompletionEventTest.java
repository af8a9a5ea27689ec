package org.freeflow.fastpath.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.freeflow.posix.api.FileDescriptors;
import org.freeflow.posix.api.Pipe;
import org.freeflow.posix.api.PosixException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The completion-event protocol of ff_abi.h, router side: armed, notified, a byte per notified CQ on the channel's pipe. */
class CompletionEventTest {

    private static final int SLOTS = 16;

    private ByteBuffer cq;
    private Pipe channel;
    private final byte[] bytes = new byte[64];
    private CompletionRingProducer producer;

    @BeforeEach
    void cq() throws PosixException {
        cq = ByteBuffer.allocateDirect((int) CompletionRingProducer.shmSize(SLOTS)).order(ByteOrder.LITTLE_ENDIAN);
        CompletionRingProducer.initialize(cq, SLOTS);
        channel = Pipe.forWriting();
        FileDescriptors.setNonBlocking(channel.readFd(), true);
        producer = new CompletionRingProducer(cq, SLOTS, channel, false);
    }

    @AfterEach
    void close() {
        channel.close();
    }

    /** What ibv_req_notify_cq does: store armed, full fence. */
    private void arm(int how) {
        RingIndex.storeVolatile(cq, Abi.CqShm.ARMED, how);
    }

    /** What ibv_get_cq_event does: exchange notified 1 -> 0 and take its byte. */
    private int takeEvents() throws PosixException {
        int taken = RingIndex.compareAndSet(cq, Abi.CqShm.NOTIFIED, 1, 0) ? 1 : 0;
        assertEquals(taken, pipeBytes(), "notified and the bytes in the pipe agree");
        return taken;
    }

    /** Up to {@code max} bytes waiting in the channel's pipe, taken. */
    private int pipeBytesUpTo(int max) throws PosixException {
        byte[] into = new byte[max];
        int n = FileDescriptors.read(channel.readFd(), into);
        return Math.max(n, 0);
    }

    /** Bytes waiting in the channel's pipe, taken. */
    private int pipeBytes() throws PosixException {
        int n = FileDescriptors.read(channel.readFd(), bytes);
        return Math.max(n, 0);
    }

    private void complete(int status, int opcode, boolean solicited) {
        assertTrue(producer.tryPost(1, status, opcode, 0, 0, 7, 0, 0, 0, solicited));
        RingIndex.storeRelease(cq, Abi.CqShm.RING_CONS, producer.produced());
    }

    @Test
    void unarmedNeverFires() throws Exception {
        for (int i = 0; i < 40; i++) {
            complete(i % 2 == 0 ? Verbs.WC_SUCCESS : Verbs.WC_WR_FLUSH_ERR, Verbs.WC_RECV, true);
        }
        assertEquals(0, takeEvents());
        assertEquals(Abi.CQ_ARM_NONE, cq.getInt(Abi.CqShm.ARMED));
    }

    @Test
    void nextFiresOncePerArm() throws Exception {
        arm(Abi.CQ_ARM_NEXT);
        complete(Verbs.WC_SUCCESS, Verbs.WC_SEND, false);
        assertEquals(Abi.CQ_ARM_NONE, cq.getInt(Abi.CqShm.ARMED), "the router disarms");
        complete(Verbs.WC_SUCCESS, Verbs.WC_SEND, false);
        complete(Verbs.WC_SUCCESS, Verbs.WC_RECV, true);
        assertEquals(1, takeEvents());
        assertEquals(0, takeEvents());
        for (int round = 0; round < 5; round++) {
            arm(Abi.CQ_ARM_NEXT);
            complete(Verbs.WC_SUCCESS, Verbs.WC_RDMA_WRITE, false);
            complete(Verbs.WC_SUCCESS, Verbs.WC_RDMA_WRITE, false);
            assertEquals(1, takeEvents(), "one event per arm");
        }
        assertEquals(6, producer.events());
    }

    @Test
    void solicitedFiresOnlyForSolicitedReceivesAndErrors() throws Exception {
        arm(Abi.CQ_ARM_SOLICITED);
        complete(Verbs.WC_SUCCESS, Verbs.WC_SEND, false);
        complete(Verbs.WC_SUCCESS, Verbs.WC_RECV, false);
        complete(Verbs.WC_SUCCESS, Verbs.WC_RECV_RDMA_WITH_IMM, false);
        assertEquals(0, takeEvents(), "unsolicited completions leave it armed");
        assertEquals(Abi.CQ_ARM_SOLICITED, cq.getInt(Abi.CqShm.ARMED));
        complete(Verbs.WC_SUCCESS, Verbs.WC_RECV, true);
        assertEquals(1, takeEvents());
        complete(Verbs.WC_SUCCESS, Verbs.WC_RECV, true);
        assertEquals(0, takeEvents(), "disarmed after the event");

        arm(Abi.CQ_ARM_SOLICITED);
        complete(Verbs.WC_SUCCESS, Verbs.WC_SEND, false);
        complete(Verbs.WC_REM_ACCESS_ERR, Verbs.WC_RDMA_WRITE, false);
        assertEquals(1, takeEvents(), "an error completion matches SOLICITED");
        arm(Abi.CQ_ARM_SOLICITED);
        complete(Verbs.WC_WR_FLUSH_ERR, Verbs.WC_RECV, false);
        assertEquals(1, takeEvents(), "flush errors too");
    }

    @Test
    void aCqNotifiedAndNotTakenAddsNoSecondByte() throws Exception {
        arm(Abi.CQ_ARM_NEXT);
        complete(Verbs.WC_SUCCESS, Verbs.WC_SEND, false);
        arm(Abi.CQ_ARM_NEXT);
        complete(Verbs.WC_SUCCESS, Verbs.WC_SEND, false);
        assertEquals(2, producer.events(), "two arms taken");
        assertEquals(1, takeEvents(), "one notified CQ, one byte");
    }

    @Test
    void aFullPipeNeitherBlocksNorStopsCompletions() throws Exception {
        while (channel.writeByte()) {
            // the application never reads its channel
        }
        FileDescriptors.setNonBlocking(channel.readFd(), false);
        for (int i = 0; i < 3; i++) {
            arm(Abi.CQ_ARM_NEXT);
            complete(Verbs.WC_SUCCESS, Verbs.WC_RECV, false);
            RingIndex.compareAndSet(cq, Abi.CqShm.NOTIFIED, 1, 0);
        }
        assertEquals(3, producer.events());
    }

    @Test
    void anUnknownArmValueNeverFires() throws Exception {
        arm(7);
        complete(Verbs.WC_GENERAL_ERR, Verbs.WC_RECV, true);
        assertEquals(0, takeEvents());
        assertEquals(7, cq.getInt(Abi.CqShm.ARMED));
    }

    @Test
    void postingAndNotifyingAllocatesNothing() throws Exception {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 20_000; i++) {
            armPostAndTake(true);
        }
        long allocated = 0;
        for (int batch = 0; batch < 20; batch++) {
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 1000; i++) {
                armPostAndTake(false);
            }
            allocated += threads.getCurrentThreadAllocatedBytes() - before;
            assertEquals(1000, pipeBytesUpTo(1000), "a byte per notification");
        }
        assertTrue(allocated < 64 * 1024, allocated + " bytes allocated by 20000 armed completions");
    }

    /** One notification taken as ibv_get_cq_event takes it, its byte read now or left for the caller. */
    private void armPostAndTake(boolean readByte) throws PosixException {
        arm(Abi.CQ_ARM_NEXT);
        if (!producer.reserve()) {
            throw new AssertionError("full");
        }
        producer.post(3, Verbs.WC_SUCCESS, Verbs.WC_RECV, 8, 0, 7, 8, 0, 1, false);
        RingIndex.storeRelease(cq, Abi.CqShm.RING_CONS, producer.produced());
        if (!RingIndex.compareAndSet(cq, Abi.CqShm.NOTIFIED, 1, 0)) {
            throw new AssertionError("no event");
        }
        if (readByte && pipeBytes() != 1) {
            throw new AssertionError("no byte");
        }
    }
}
