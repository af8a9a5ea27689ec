package org.freeflow.router.internal.loopback;

import static org.freeflow.fastpath.api.Verbs.*;

import java.util.Arrays;

/**
 * Traffic between two connected RC processes as perftest makes it, from the
 * FFL's side: bandwidth streams (up to {@link #TX_DEPTH} work requests
 * outstanding, one in {@link #CQ_MOD} signaled, the receiver keeping
 * {@link #RX_DEPTH} receives posted) and ping-pongs of small inline messages.
 * Every workload ends with its last message checked at its destination.
 * Runs on one thread; throws {@link SelfTestFailure} when a completion is in
 * error, data is not intact, or nothing moves until {@code giveUpAt}.
 */
final class RcTraffic {

    /** perftest's default tx_depth, rx_depth, cq_mod and inline size. */
    static final int TX_DEPTH = 128;
    static final int RX_DEPTH = 512;
    static final int CQ_MOD = 100;
    static final int MAX_INLINE = 236;
    /** The largest message; each process sends from [SRC, +MAX_MESSAGE) and receives into [DST, +MAX_MESSAGE). */
    static final int MAX_MESSAGE = 64 << 10;
    static final long SRC = 0;
    static final long DST = 1 << 20;
    static final long MEMORY = 2L << 20;

    private final Side a;
    private final Side b;
    private final long giveUpAt;
    private long messages;
    private long bytes;

    RcTraffic(LoopbackProcess requester, LoopbackProcess responder, long giveUpAt) {
        this.a = new Side(requester);
        this.b = new Side(responder);
        this.giveUpAt = giveUpAt;
        a.topUpReceives();
        b.topUpReceives();
    }

    long messages() {
        return messages;
    }

    long bytes() {
        return bytes;
    }

    /**
     * ib_send_bw, ib_write_bw, ib_read_bw: {@code count} messages of
     * {@code size} bytes of {@code opcode} (IBV_WR_SEND, RDMA_WRITE or
     * RDMA_READ) from the requester, {@code inline} (SEND and WRITE of up to
     * {@link #MAX_INLINE} bytes) or from its memory; the last one's data
     * checked.
     */
    void stream(int opcode, int size, boolean inline, int count, int seed) {
        byte[] expected = pattern(size, seed);
        Side from = opcode == WR_RDMA_READ ? b : a;
        Side to = opcode == WR_RDMA_READ ? a : b;
        from.p.memory.bytes().put((int) SRC, expected);
        a.resetSends();
        int received = to.received;
        int posted = 0;
        int completed = 0;
        while (completed < count || opcode == WR_SEND && to.received - received < count) {
            boolean moved = false;
            while (posted < count && posted - completed < TX_DEPTH && a.p.qp.sendQueued() < a.sendSlots) {
                boolean signaled = posted == count - 1 || (posted + 1) % CQ_MOD == 0;
                int flags = signaled ? SEND_SIGNALED : 0;
                long remote = opcode == WR_SEND ? 0 : b.at(opcode);
                int rkey = opcode == WR_SEND ? 0 : b.p.key;
                if (inline) {
                    a.p.qp.postInline(posted, opcode, flags, remote, rkey, expected);
                } else {
                    a.p.qp.postSend(posted, opcode, flags, remote, rkey, 0,
                            new Sge(opcode == WR_RDMA_READ ? DST : SRC, size, a.p.key));
                }
                posted++;
                moved = true;
            }
            moved |= a.pollSends();
            completed = a.sendsDone;
            moved |= b.pollReceives(size);
            idle(moved, "a stream of " + size + " B, opcode " + opcode + ": " + completed + " of " + count);
        }
        messages += count;
        bytes += (long) count * size;
        check(to.p.memory.read(DST, size), expected, "the last of " + count + " messages of " + size
                + " B, opcode " + opcode);
    }

    /**
     * ib_send_lat and ib_write_lat: {@code count} round trips of 2-byte
     * inline SENDs or RDMA WRITEs (the receiver of a WRITE sees it by polling
     * its memory), one in {@link #CQ_MOD} signaled; every message checked.
     */
    void pingPong(int opcode, int count, int seed) {
        a.resetSends();
        b.resetSends();
        for (int i = 0; i < count; i++) {
            boolean signaled = i == count - 1 || (i + 1) % CQ_MOD == 0;
            byte[] ping = {(byte) seed, (byte) i};
            trip(a, b, opcode, ping, i, signaled);
            trip(b, a, opcode, new byte[] {(byte) ~seed, (byte) i}, i, signaled);
        }
        while (a.sendsDone < count || b.sendsDone < count) {
            idle(a.pollSends() | b.pollSends(), "the last completions of a ping-pong");
        }
        messages += 2L * count;
        bytes += 4L * count;
    }

    /** ib_read_lat: {@code count} 2-byte RDMA READs, one outstanding; the last one's data checked. */
    void readOneByOne(int count, int seed) {
        a.resetSends();
        for (int i = 0; i < count; i++) {
            byte[] word = {(byte) seed, (byte) i};
            b.p.memory.bytes().put((int) SRC, word);
            a.p.qp.postSend(i, WR_RDMA_READ, SEND_SIGNALED, SRC, b.p.key, 0, new Sge(DST, word.length, a.p.key));
            while (a.sendsDone <= i) {
                idle(a.pollSends(), "RDMA READ " + i + " of " + count);
            }
            if (i == count - 1) {
                check(a.p.memory.read(DST, word.length), word, "the last of " + count + " 2-byte RDMA READs");
            }
        }
        messages += count;
        bytes += 2L * count;
    }

    /** One message of a ping-pong from {@code from} to {@code to}, waited for at {@code to}. */
    private void trip(Side from, Side to, int opcode, byte[] data, int i, boolean signaled) {
        while (from.p.qp.sendQueued() >= from.sendSlots) {
            idle(from.pollSends(), "room in a send queue");
        }
        int received = to.received;
        from.p.qp.postInline(i, opcode, signaled ? SEND_SIGNALED : 0, opcode == WR_SEND ? 0 : DST,
                opcode == WR_SEND ? 0 : to.p.key, data);
        if (opcode == WR_SEND) {
            while (to.received == received) {
                idle(to.pollReceives(data.length) | from.pollSends(), "a 2-byte SEND, round trip " + i);
            }
        } else {
            while (!Arrays.equals(to.p.memory.read(DST, data.length), data)) {
                idle(from.pollSends(), "a 2-byte RDMA WRITE, round trip " + i);
            }
        }
        check(to.p.memory.read(DST, data.length), data, "a 2-byte message of a ping-pong");
    }

    /** Gives way when nothing moved; fails past {@code giveUpAt}. */
    private void idle(boolean moved, String waitingFor) {
        if (moved) {
            return;
        }
        if (System.nanoTime() - giveUpAt > 0) {
            throw new SelfTestFailure("nothing moved waiting for " + waitingFor);
        }
        Thread.onSpinWait();
    }

    static byte[] pattern(int length, int seed) {
        byte[] out = new byte[length];
        for (int i = 0; i < length; i++) {
            out[i] = (byte) (seed + i * 7 + (i >> 8));
        }
        return out;
    }

    private static void check(byte[] arrived, byte[] expected, String what) {
        int at = Arrays.mismatch(arrived, expected);
        if (at >= 0) {
            throw new SelfTestFailure("the data of " + what + " did not arrive intact: byte " + at + " is "
                    + arrived[at] + ", not " + expected[at]);
        }
    }

    private static void checkStatus(Completion c, String queue) {
        if (c.status() != WC_SUCCESS) {
            throw new SelfTestFailure("a " + queue + " completion of work request " + c.wrId() + " has status "
                    + c.status() + " (opcode " + c.opcode() + ")");
        }
    }

    /** One process of the pair, and what it has posted and seen. */
    private static final class Side {
        final LoopbackProcess p;
        final int sendSlots;
        int receivesPosted;
        int received;
        private long nextRecvId;
        /** wr_id + 1 of the newest send completion of the workload (its ids count up from 0). */
        int sendsDone;

        Side(LoopbackProcess p) {
            this.p = p;
            this.sendSlots = p.qp.sendSlots();
        }

        /** The remote address a requester's {@code opcode} targets here. */
        long at(int opcode) {
            return opcode == WR_RDMA_READ ? SRC : DST;
        }

        void topUpReceives() {
            while (receivesPosted < RX_DEPTH) {
                p.qp.postRecv(nextRecvId++, new Sge(DST, MAX_MESSAGE, p.key));
                receivesPosted++;
            }
        }

        /** Takes receive completions of {@code length} bytes and posts receives again; true when one came. */
        boolean pollReceives(int length) {
            boolean any = false;
            Completion c;
            while ((c = p.recvCq.poll()) != null) {
                checkStatus(c, "receive");
                if (c.opcode() != WC_RECV || c.byteLen() != length) {
                    throw new SelfTestFailure("a receive completion of opcode " + c.opcode() + " and " + c.byteLen()
                            + " B, not a RECV of " + length + " B");
                }
                receivesPosted--;
                received++;
                any = true;
            }
            if (any) {
                topUpReceives();
            }
            return any;
        }

        /** Takes send completions into {@link #sendsDone}; true when one came. */
        boolean pollSends() {
            boolean any = false;
            Completion c;
            while ((c = p.sendCq.poll()) != null) {
                checkStatus(c, "send");
                sendsDone = (int) c.wrId() + 1;
                any = true;
            }
            return any;
        }

        /** A new workload begins (the previous one waited for its last completion). */
        void resetSends() {
            sendsDone = 0;
        }
    }
}
