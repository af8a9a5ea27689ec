package org.freeflow.router.internal.vnic;

import static org.freeflow.fastpath.api.Verbs.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.ByteOrder;
import org.freeflow.router.internal.loopback.Completion;
import org.freeflow.router.internal.loopback.Sge;
import org.freeflow.router.internal.vnic.VnicFixture.Endpoint;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * CMP_AND_SWP and FETCH_AND_ADD: the original value lands in the requester's
 * 8-byte sink, the word changes as the IB spec says, and every refusal ends
 * in the error completion a real HCA gives, with the word and the sink
 * untouched.
 */
class AtomicsTest {

    private static final long SINK = 0x10000;
    private static final long WORD = 0x30008;
    private static final long UNTOUCHED_SINK = 0x5555_5555_5555_5555L;

    private VnicFixture fx;
    private Endpoint a;
    private Endpoint b;
    private int sinkKey;
    private int wordKey;

    @BeforeEach
    void connect() throws Exception {
        fx = new VnicFixture();
        a = fx.endpoint("alpha");
        b = fx.endpoint("beta");
        fx.connect(a, b);
        sinkKey = a.register(SINK, 4096, ACCESS_LOCAL_WRITE);
        wordKey = b.register(0x30000, 256, VnicFixture.ALL_ACCESS);
        putWord(a, SINK, UNTOUCHED_SINK);
    }

    @AfterEach
    void close() {
        fx.close();
    }

    static long word(Endpoint e, long addr) {
        return e.memory.bytes().order(ByteOrder.LITTLE_ENDIAN).getLong((int) addr);
    }

    static void putWord(Endpoint e, long addr, long value) {
        e.memory.bytes().order(ByteOrder.LITTLE_ENDIAN).putLong((int) addr, value);
    }

    private Completion atomic(int opcode, long remoteAddr, int rkey, long compareAdd, long swap, Sge sink) {
        a.qp.postAtomic(7, opcode, SEND_SIGNALED, remoteAddr, rkey, compareAdd, swap, sink);
        fx.settle();
        return a.sendCq.poll();
    }

    private Completion fetchAdd(long add) {
        return atomic(WR_ATOMIC_FETCH_AND_ADD, WORD, wordKey, add, 0, new Sge(SINK, 8, sinkKey));
    }

    private void assertRefused(int status, Completion c, int responderState) {
        assertEquals(status, c.status());
        assertEquals(7, c.wrId());
        assertEquals(QPS_ERR, a.state());
        assertEquals(responderState, b.state());
        assertEquals(1000, word(b, WORD), "the word is untouched");
        assertEquals(UNTOUCHED_SINK, word(a, SINK), "the sink is untouched");
    }

    @Test
    void fetchAndAddReturnsTheOriginalValueAndAdds() {
        putWord(b, WORD, 1000);
        assertEquals(new Completion(7, WC_SUCCESS, WC_FETCH_ADD, 8, 0, a.qp.qpn, 0, 0, 0), fetchAdd(24));
        assertEquals(1000, word(a, SINK));
        assertEquals(1024, word(b, WORD));
        assertNull(b.recvCq.poll(), "an atomic consumes no receive");
    }

    @Test
    void fetchAndAddWrapsModulo2To64() {
        putWord(b, WORD, -1L);
        assertEquals(WC_SUCCESS, fetchAdd(2).status());
        assertEquals(-1L, word(a, SINK));
        assertEquals(1, word(b, WORD));
    }

    @Test
    void compareAndSwapSwapsWhenTheWordEqualsCompare() {
        putWord(b, WORD, 0x1122_3344_5566_7788L);
        Completion c = atomic(WR_ATOMIC_CMP_AND_SWP, WORD, wordKey, 0x1122_3344_5566_7788L, 42,
                new Sge(SINK, 8, sinkKey));
        assertEquals(new Completion(7, WC_SUCCESS, WC_COMP_SWAP, 8, 0, a.qp.qpn, 0, 0, 0), c);
        assertEquals(0x1122_3344_5566_7788L, word(a, SINK));
        assertEquals(42, word(b, WORD));
    }

    @Test
    void compareAndSwapLeavesAWordThatDiffersAndStillSucceeds() {
        putWord(b, WORD, 5);
        Completion c = atomic(WR_ATOMIC_CMP_AND_SWP, WORD, wordKey, 6, 42, new Sge(SINK, 8, sinkKey));
        assertEquals(WC_SUCCESS, c.status(), "a failed comparison is a successful atomic");
        assertEquals(5, word(a, SINK), "the original value tells the requester it lost");
        assertEquals(5, word(b, WORD));
        assertEquals(QPS_RTS, a.state());
    }

    @Test
    void theSinkMayBeUnalignedAndTheRemoteIovaIsHonoured() {
        int iovaKey = b.ctx.regMr(b.pd, VnicFixture.ALL_ACCESS, 0x40000, 64, 0x7000_0000_0000L, b.memory.fd).key();
        putWord(b, 0x40010, 9);
        Completion c = atomic(WR_ATOMIC_FETCH_AND_ADD, 0x7000_0000_0010L, iovaKey, 1, 0,
                new Sge(SINK + 3, 8, sinkKey));
        assertEquals(WC_SUCCESS, c.status());
        assertEquals(9, word(a, SINK + 3));
        assertEquals(10, word(b, 0x40010));
    }

    @Test
    void aRegionWithoutRemoteAtomicIsARemoteAccessError() {
        int noAtomic = b.register(0x30000, 256, ACCESS_LOCAL_WRITE | ACCESS_REMOTE_WRITE | ACCESS_REMOTE_READ);
        putWord(b, WORD, 1000);
        assertRefused(WC_REM_ACCESS_ERR,
                atomic(WR_ATOMIC_FETCH_AND_ADD, WORD, noAtomic, 1, 0, new Sge(SINK, 8, sinkKey)), QPS_ERR);
    }

    @Test
    void aQueuePairWithoutRemoteAtomicIsARemoteAccessError() throws Exception {
        Endpoint c = fx.endpoint("gamma");
        Endpoint d = fx.endpoint("delta");
        fx.toInit(c, VnicFixture.ALL_ACCESS);
        fx.toInit(d, ACCESS_LOCAL_WRITE | ACCESS_REMOTE_WRITE | ACCESS_REMOTE_READ);
        fx.toRtr(c, d, 12);
        fx.toRtr(d, c, 12);
        fx.toRts(c, 14, 7, 7);
        fx.toRts(d, 14, 7, 7);
        int sink = c.register(SINK, 4096, ACCESS_LOCAL_WRITE);
        int target = d.register(0x30000, 256, VnicFixture.ALL_ACCESS);
        putWord(d, WORD, 1000);
        c.qp.postAtomic(1, WR_ATOMIC_FETCH_AND_ADD, SEND_SIGNALED, WORD, target, 1, 0, new Sge(SINK, 8, sink));
        fx.settle();
        assertEquals(WC_REM_ACCESS_ERR, c.sendCq.poll().status());
        assertEquals(QPS_ERR, d.state());
        assertEquals(1000, word(d, WORD));
    }

    @Test
    void aBadRkeyIsARemoteAccessError() {
        putWord(b, WORD, 1000);
        assertRefused(WC_REM_ACCESS_ERR,
                atomic(WR_ATOMIC_CMP_AND_SWP, WORD, wordKey + 1, 1000, 1, new Sge(SINK, 8, sinkKey)), QPS_ERR);
    }

    @Test
    void aWordReachingPastTheRegionIsARemoteAccessError() {
        putWord(b, WORD, 1000);
        assertRefused(WC_REM_ACCESS_ERR,
                atomic(WR_ATOMIC_FETCH_AND_ADD, 0x30000 + 252, wordKey, 1, 0, new Sge(SINK, 8, sinkKey)),
                QPS_ERR);
    }

    @Test
    void aMisalignedWordIsARemoteInvalidRequest() {
        putWord(b, WORD, 1000);
        assertRefused(WC_REM_INV_REQ_ERR,
                atomic(WR_ATOMIC_FETCH_AND_ADD, WORD + 4, wordKey, 1, 0, new Sge(SINK, 8, sinkKey)), QPS_ERR);
    }

    @Test
    void aSinkWithoutLocalWriteIsALocalProtectionError() {
        int readOnly = a.register(0x20000, 4096, 0);
        putWord(b, WORD, 1000);
        putWord(a, 0x20000, UNTOUCHED_SINK);
        Completion c = atomic(WR_ATOMIC_FETCH_AND_ADD, WORD, wordKey, 1, 0, new Sge(0x20000, 8, readOnly));
        assertEquals(WC_LOC_PROT_ERR, c.status());
        assertEquals(WC_FETCH_ADD, c.opcode());
        assertEquals(QPS_RTS, b.state(), "a local error does not reach the responder");
        assertEquals(1000, word(b, WORD));
        assertEquals(UNTOUCHED_SINK, word(a, 0x20000));
    }

    @Test
    void aSinkThatIsNotEightBytesIsALocalLengthError() {
        putWord(b, WORD, 1000);
        assertRefused(WC_LOC_LEN_ERR,
                atomic(WR_ATOMIC_FETCH_AND_ADD, WORD, wordKey, 1, 0, new Sge(SINK, 4, sinkKey)), QPS_RTS);
    }

    @Test
    void anAtomicWithoutASinkIsALocalLengthError() {
        putWord(b, WORD, 1000);
        a.qp.postAtomic(7, WR_ATOMIC_CMP_AND_SWP, SEND_SIGNALED, WORD, wordKey, 1000, 1);
        fx.settle();
        assertRefused(WC_LOC_LEN_ERR, a.sendCq.poll(), QPS_RTS);
    }
}
