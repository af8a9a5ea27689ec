package org.freeflow.transport.tcp.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.freeflow.router.api.transport.Datagram;
import org.freeflow.router.api.transport.Destination;
import org.freeflow.router.api.transport.Outcome;
import org.freeflow.router.api.transport.Payload;
import org.freeflow.router.api.transport.Responder;

/**
 * A responder QP over 1 MiB of heap memory (rkey {@link #RKEY}): SENDs take
 * the receives {@link #post}ed (RNR without one) and are kept in order;
 * WRITE, READ and the atomics work on the memory (a READ of 1 KiB or more is
 * answered from a view of it, a WRITE may be placed into it by the
 * transport, a SEND into a receive's buffer); datagrams are kept too.
 */
final class MemoryResponder implements Responder {

    static final int RKEY = 0x77;
    final ByteBuffer memory = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
    final List<byte[]> received = new ArrayList<>();
    final List<Integer> datagramQkeys = new ArrayList<>();
    private final int lid;
    private final int qpn;
    private int receives;
    private long receivesPosted;
    /** Receives taken so far: which one a placed SEND went into. */
    private long receivesTaken;
    /** SENDs placed into a receive by the transport ({@link #sendInPlace}) and completed. */
    int placedSends;
    /** SENDs placed and not released yet: the next goes into the receive after theirs. */
    private int sendsInPlace;
    int writes;
    /** READs answered from a view of the memory ({@link #readInPlace}). */
    int inPlaceReads;
    /** WRITEs placed into the memory by the transport ({@link #writeInPlace}) and completed. */
    int placedWrites;
    private int postedWhenADatagramFindsNone;
    /** False once the memory is "deregistered" under the writes being placed: their gates refuse. */
    volatile boolean gateOpen = true;

    MemoryResponder(int lid, int qpn) {
        this.lid = lid;
        this.qpn = qpn;
    }

    /** Receives posted one by one, each when a datagram found none (it is refused, the receive comes after). */
    synchronized void postWhenADatagramFindsNone(int n) {
        postedWhenADatagramFindsNone += n;
    }

    synchronized void post(int n) {
        receives += n;
        receivesPosted += n;
    }

    @Override
    public synchronized long receivesPosted() {
        return receivesPosted;
    }

    synchronized List<byte[]> received() {
        return List.copyOf(received);
    }

    @Override
    public int qpn() {
        return qpn;
    }

    @Override
    public int lid() {
        return lid;
    }

    @Override
    public int minRnrTimer() {
        return 1;
    }

    @Override
    public boolean acceptsFrom(Destination requester) {
        return true;
    }

    private static byte[] bytes(Payload p) {
        ByteBuffer all = ByteBuffer.allocate((int) p.length());
        for (int i = 0; i < p.segments(); i++) {
            all.put(p.segment(i).duplicate());
        }
        return all.array();
    }

    @Override
    public synchronized Outcome send(Payload payload, Destination requester, boolean withImm, int immData) {
        if (receives == 0) {
            return Outcome.RNR;
        }
        receives--;
        receivesTaken++;
        received.add(bytes(payload));
        return Outcome.OK;
    }

    synchronized int placedSends() {
        return placedSends;
    }

    private synchronized int sendsInPlace() {
        return sendsInPlace;
    }

    /** Waits until {@code n} SENDs are being placed or placed and not released yet; false after 10 s. */
    boolean awaitSendsInPlace(int n) throws InterruptedException {
        long end = System.nanoTime() + 10_000_000_000L;
        while (sendsInPlace() < n && System.nanoTime() < end) {
            Thread.sleep(1);
        }
        return sendsInPlace() >= n;
    }

    /** The head receive goes without a message (its QP flushed it): a SEND placed into it finds it gone. */
    synchronized void takeReceive() {
        receives--;
        receivesTaken++;
    }

    /**
     * A SEND the transport places itself into a buffer of the first receive no other placed SEND took, which
     * it consumes once complete (BUSY when that receive is not the head then); null without one.
     */
    @Override
    public synchronized InPlaceWrite sendInPlace(long length, Destination requester, boolean withImm, int immData,
            boolean solicited) {
        if (receives <= sendsInPlace) {
            return null;
        }
        long receive = receivesTaken + sendsInPlace;
        sendsInPlace++;
        ByteBuffer buffer = ByteBuffer.allocate((int) length);
        return new PlacedSend(buffer, receive);
    }

    /** A SEND placed into a receive's buffer: received once complete. */
    private final class PlacedSend extends HeapSink implements InPlaceWrite {

        private final ByteBuffer buffer;
        private final long receive;
        private boolean released;

        PlacedSend(ByteBuffer buffer, long receive) {
            super(buffer, () -> gateOpen);
            this.buffer = buffer;
            this.receive = receive;
        }

        @Override
        public Outcome complete(boolean whole) {
            synchronized (MemoryResponder.this) {
                if (receives == 0 || receivesTaken != receive) {
                    return Outcome.BUSY;
                }
                if (!whole) {
                    return Outcome.REMOTE_OPERATION_ERROR;
                }
                receives--;
                receivesTaken++;
                received.add(buffer.array().clone());
                placedSends++;
                return Outcome.OK;
            }
        }

        @Override
        public void release() {
            super.release();
            synchronized (MemoryResponder.this) {
                if (!released) {
                    released = true;
                    sendsInPlace--;
                }
            }
        }
    }

    private boolean inRange(long addr, long length, int rkey) {
        return rkey == RKEY && addr >= 0 && addr + length <= memory.capacity();
    }

    @Override
    public synchronized Outcome write(Payload payload, long remoteAddr, int rkey, Destination requester,
            boolean withImm, int immData) {
        if (!inRange(remoteAddr, payload.length(), rkey)) {
            return Outcome.REMOTE_ACCESS_ERROR;
        }
        memory.put((int) remoteAddr, bytes(payload));
        writes++;
        return Outcome.OK;
    }

    @Override
    public synchronized Outcome read(Payload sink, long remoteAddr, int rkey, Destination requester) {
        if (!inRange(remoteAddr, sink.length(), rkey)) {
            return Outcome.REMOTE_ACCESS_ERROR;
        }
        int at = (int) remoteAddr;
        for (int i = 0; i < sink.segments(); i++) {
            ByteBuffer seg = sink.segment(i);
            int n = seg.remaining();
            seg.put(seg.position(), memory, at, n);
            at += n;
        }
        return Outcome.OK;
    }

    /**
     * A READ's data as a view of the memory, read when its answer is written; the hold is counted
     * ({@link Request#held()}), so a test sees every one released once.
     */
    @Override
    public synchronized InPlace readInPlace(long remoteAddr, int rkey, long length, Destination requester) {
        if (!inRange(remoteAddr, length, rkey)) {
            return InPlace.refused(Outcome.REMOTE_ACCESS_ERROR);
        }
        inPlaceReads++;
        ByteBuffer view = memory.duplicate().limit((int) (remoteAddr + length)).position((int) remoteAddr);
        return new InPlace(Outcome.OK, new Payload() {
            @Override
            public Hold hold() {
                return Request.counted(() -> { });
            }

            @Override
            public long length() {
                return length;
            }

            @Override
            public int segments() {
                return 1;
            }

            @Override
            public ByteBuffer segment(int i) {
                return view;
            }
        });
    }

    /**
     * A WRITE the transport places itself into a view of the memory; the hold is counted ({@link Request#held()}),
     * the gate is {@link #gateOpen}.
     */
    @Override
    public synchronized InPlaceWrite writeInPlace(long remoteAddr, int rkey, long length, Destination requester) {
        if (!inRange(remoteAddr, length, rkey)) {
            return null;
        }
        return new Placed(memory.slice((int) remoteAddr, (int) length));
    }

    /** A WRITE placed into {@link #memory}: counted once complete. */
    private final class Placed extends HeapSink implements InPlaceWrite {

        Placed(ByteBuffer view) {
            super(view, () -> gateOpen);
        }

        @Override
        public Outcome complete(boolean whole) {
            synchronized (MemoryResponder.this) {
                if (!whole) {
                    return Outcome.REMOTE_ACCESS_ERROR;
                }
                placedWrites++;
                return Outcome.OK;
            }
        }
    }

    @Override
    public synchronized Outcome fetchAndAdd(Payload sink, long remoteAddr, int rkey, long add,
            Destination requester) {
        if (!inRange(remoteAddr, 8, rkey)) {
            return Outcome.REMOTE_ACCESS_ERROR;
        }
        long original = memory.getLong((int) remoteAddr);
        memory.putLong((int) remoteAddr, original + add);
        sink.segment(0).order(ByteOrder.LITTLE_ENDIAN).putLong(sink.segment(0).position(), original);
        return Outcome.OK;
    }

    @Override
    public synchronized Outcome sendDatagram(Payload payload, Datagram datagram, boolean withImm, int immData,
            boolean solicited) {
        if (receives == 0) {
            if (postedWhenADatagramFindsNone > 0) { // as an application would, after the datagram came
                postedWhenADatagramFindsNone--;
                post(1);
            }
            return Outcome.RNR;
        }
        receives--;
        received.add(bytes(payload));
        datagramQkeys.add(datagram.qkey());
        return Outcome.OK;
    }
}
