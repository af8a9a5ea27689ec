package org.freeflow.transport.tcp.internal;

import static org.freeflow.fastpath.api.Verbs.*;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.freeflow.fastpath.api.PollTarget;
import org.freeflow.router.api.transport.Destination;
import org.freeflow.router.api.transport.LocalResponders;
import org.freeflow.router.api.transport.Outcome;
import org.freeflow.router.api.transport.Payload;
import org.freeflow.router.api.transport.Responder;

/**
 * The responding side of one router-to-router connection: the requests and
 * datagrams its I/O thread takes in are executed here, on a poller (the
 * memory responders touch changes only between two poller rounds), against
 * this router's responders; the answers go back on the connection.  Each
 * requester connection has a {@link ResponderSession}: its PSNs execute once each,
 * in order.  A duplicate (the requester posted it again after a timeout, or
 * its router resent it after a reconnect) is answered from what was
 * done: acknowledged again, a READ read again (unless its answer went on
 * this same TCP connection: TCP delivers that one, and reading a window of
 * large READs again for every timeout would bury the answers the requester
 * waits for), an atomic answered with the value it read the first time; a PSN beyond the next one expected is
 * dropped (what follows a NAK, until the refused one comes again).
 * Sessions belong to the transport, not to one TCP connection: a requester
 * whose router reconnected finds its session on the new connection.
 * Acknowledgements are cumulative and sent once per round for a session
 * that executed several requests; the answers of a round leave together, in
 * one write, at its end (a large one at once).  An RC SEND or RDMA WRITE of
 * {@link Requests#PLACE_MIN} bytes or more that is the next PSN of its session
 * (everything before it executed) and comes with nothing owed to this
 * router's requesters is read by the I/O thread straight into its receive or
 * target ({@link RequestPlacements}); while it is read, its session's requests
 * from other connections wait; once its data is in, it reaches this queue as a
 * marker, which completes (a SEND's receive) and acknowledges it in order.  A READ or atomic waits
 * while more than {@link #FETCH_BACKLOG} bytes of answers are not written
 * yet: a requester's outstanding READs are read as the connection carries
 * their data, so its router's heap holds a few MiB of it, not its whole
 * window, and the first answer is not held up by those behind it.  A
 * request that came in right behind answers to this router's requesters
 * waits until they settled them, up to {@link #SETTLE_NANOS} (the order
 * across directions an application sees).  A datagram whose receiver has
 * no receive posted (or no CQ room) waits up to {@link #HOLD_NANOS} for
 * one, in arrival order, as in a switch's queue; then it is lost.  The connection stops reading while more than
 * {@link #MAX_QUEUED_BYTES} wait here: a slow responder slows its senders
 * down through TCP, and no router buffers without bound.
 */
final class InboundExecutor implements PollTarget {

    static final long MAX_QUEUED_BYTES = 32L << 20;
    private static final int BUDGET = 64;
    /**
     * A READ or atomic is executed only while fewer answer bytes than this wait to be written: what a
     * requester fetches is read when the connection can carry it, not all at once into the heap.
     */
    static final long FETCH_BACKLOG = 4L << 20;
    /** Answers queued during a round are written as soon as this many wait (a large FETCHED leaves at once). */
    private static final long FLUSH_AT = 256L << 10;

    /**
     * How long a request waits at most for the requesters of this router to settle the answers that came
     * just before it (their completions written): the order across directions an application sees.
     */
    static final long SETTLE_NANOS = 1_000_000L;

    /** A datagram's hold: how long a datagram waits for its receiver's next receive. */
    static final long HOLD_NANOS = 5_000_000L;
    /** How many datagrams wait at most; one more is dropped. */
    static final int HELD_MAX = 4096;

    /**
     * A request (datagram, CLOSE) that came in, or the marker of a SEND or WRITE placed ({@code placed}: its
     * data is in); {@code settleFirst}: the requesters of this router that answers coming in just before it went to
     * (null: none), whose completions come before its execution.
     */
    private record Inbound(int type, ByteBuffer body, AnswersSettled.Owed settleFirst, RequestPlacement placed) {

        /** What it counts against {@link #MAX_QUEUED_BYTES}. */
        int bytes() {
            return body == null ? 0 : body.remaining();
        }
    }

    /** {@link Inbound#type} of a SEND or WRITE placed by the I/O thread (not a frame type). */
    private static final int PLACED = -1;

    /** A datagram whose receiver had no receive (or CQ room): offered again once it posted one. */
    private static final class Held {
        final ByteBuffer body;
        final long since;
        long receivesAt = Responder.RECEIVES_UNKNOWN;

        Held(ByteBuffer body, long since) {
            this.body = body;
            this.since = since;
        }
    }

    private final LocalResponders responders;
    private final Consumer<ByteBuffer> reply;
    private final Consumer<OutFrame> replyWithData;
    private final Runnable flushReplies;
    private final LongSupplier unsent;
    /** Bytes of the replies queued during this round and not flushed yet. */
    private long unflushed;
    /** A READ waits for the answers before it to be written: the poller comes back soon. */
    private boolean fetchHeldBack;
    /** A request waits for requesters to write the completions answers that came before it owe. */
    private boolean settleHeldBack;
    /** A request waits while a SEND or WRITE of its session is placed from another connection. */
    private boolean claimHeldBack;
    private volatile boolean closed;
    private static final long NOT_SETTLING = Long.MIN_VALUE;
    /** Since when the head request waits for requesters to settle. */
    private long settlingSince = NOT_SETTLING;
    private final Runnable readerResume;
    private final Queue<Inbound> queue = new ConcurrentLinkedQueue<>();
    private final AtomicLong queuedBytes = new AtomicLong();
    /** REQUEST frames queued and not executed yet. */
    private final AtomicInteger queuedRequests = new AtomicInteger();
    private final Map<Long, ResponderSession> sessions;
    private final List<ResponderSession> ackDue = new ArrayList<>();
    private final InboundRequest request = new InboundRequest();
    private final InboundDatagram datagram = new InboundDatagram();
    /** Datagrams that wait for their receivers, in arrival order: later ones wait behind them. */
    private final java.util.ArrayDeque<Held> held = new java.util.ArrayDeque<>();

    /**
     * @param sessions     the transport's sessions, by requester connection: they outlive a TCP connection
     * @param reply        queues an answer frame on the connection
     * @param replyWithData queues a copy of an answer frame whose data is read from registered memory
     * @param flushReplies writes the answers queued (once per round that queued one: they leave together)
     * @param unsent       bytes queued on the connection and not written yet
     * @param readerResume called (on a poller) when the queue fell below the limit again: reading may resume
     */
    InboundExecutor(LocalResponders responders, Map<Long, ResponderSession> sessions, Consumer<ByteBuffer> reply,
            Consumer<OutFrame> replyWithData, Runnable flushReplies, LongSupplier unsent, Runnable readerResume) {
        this.responders = responders;
        this.sessions = sessions;
        this.reply = reply;
        this.replyWithData = replyWithData;
        this.flushReplies = flushReplies;
        this.unsent = unsent;
        this.readerResume = readerResume;
    }

    /**
     * On the connection's I/O thread: queues a checked frame, to be executed once the requesters in
     * {@code settleFirst} (null: none) have settled what they were told before it came; false when reading
     * should pause after it.
     */
    boolean accept(int type, ByteBuffer body, AnswersSettled.Owed settleFirst) {
        if (type == Wire.REQUEST) {
            queuedRequests.incrementAndGet();
        }
        queue.add(new Inbound(type, body, settleFirst, null));
        return queuedBytes.addAndGet(body.remaining()) <= MAX_QUEUED_BYTES;
    }

    /** On the I/O thread: all of {@code p}'s data is in its target; it is acknowledged in order. */
    void placed(RequestPlacement p) {
        p.arrived();
        queue.add(new Inbound(PLACED, null, null, p));
        if (closed) {
            discard(); // closed meanwhile: nothing executes it any more
        }
    }

    /**
     * The connection closed (once the poller no longer polls this): placements queued are given up, their
     * sessions free for the requests sent again on another connection.
     */
    void close() {
        closed = true;
        discard();
    }

    private void discard() {
        for (Inbound next = queue.poll(); next != null; next = queue.poll()) {
            if (next.placed != null) {
                next.placed.abandon();
            }
        }
    }

    /**
     * True when no request waits here (placement markers may): one placed now is not queued behind a request
     * that could wait for it (its session claimed), and every request this connection brought before it ran.
     */
    boolean noRequestQueued() {
        return queuedRequests.get() == 0;
    }

    /** Bytes waiting to be executed. */
    long queuedBytes() {
        return queuedBytes.get();
    }

    @Override
    public boolean poll(long nowNanos) {
        boolean progress = offerHeld(nowNanos);
        fetchHeldBack = false;
        settleHeldBack = false;
        claimHeldBack = false;
        for (int i = 0; i < BUDGET; i++) {
            Inbound next = queue.peek();
            if (next == null) {
                break;
            }
            if (next.settleFirst != null && unsettled(next.settleFirst, nowNanos)) {
                settleHeldBack = true; // and every request behind it
                break;
            }
            settlingSince = NOT_SETTLING;
            if (next.type == Wire.REQUEST && Requests.fetches(request.of(next.body).opcode())
                    && unsent.getAsLong() > FETCH_BACKLOG) {
                fetchHeldBack = true; // and every request behind it: they are executed in order
                break;
            }
            if (next.type == Wire.REQUEST && !execute(request.of(next.body))) {
                claimHeldBack = true; // and every request behind it
                break;
            }
            queue.poll();
            if (next.type == Wire.REQUEST) {
                queuedRequests.decrementAndGet();
            }
            long before = queuedBytes.getAndAdd(-next.bytes());
            switch (next.type) {
                case Wire.REQUEST -> { } // executed
                case PLACED -> finish(next.placed);
                case Wire.DATAGRAM -> arrived(next.body, nowNanos);
                default -> sessions.remove(next.body.getLong(next.body.position())); // CLOSE
            }
            if (before > MAX_QUEUED_BYTES && before - next.bytes() <= MAX_QUEUED_BYTES) {
                readerResume.run();
            }
            progress = true;
        }
        flushAcks();
        if (unflushed > 0) {
            flush();
        }
        return progress;
    }

    /**
     * True while one of the requesters {@code owed} names has not settled what it was answered, for up to
     * {@link #SETTLE_NANOS} from the first look (a requester that is not polled, its CQ full, holds no
     * one's requests for longer).
     */
    private boolean unsettled(AnswersSettled.Owed owed, long now) {
        if (settlingSince == NOT_SETTLING) {
            settlingSince = now;
        } else if (now - settlingSince >= SETTLE_NANOS) {
            return false;
        }
        return owed.unsettled();
    }

    /** False, and nothing done, while a SEND or WRITE of its session is placed from another connection. */
    private boolean execute(InboundRequest r) {
        long connection = r.connection();
        ResponderSession s = sessions.computeIfAbsent(connection, ResponderSession::new);
        s.lock(); // the same requester may still have requests queued from a connection now closed
        try {
            if (s.claimed()) {
                return false;
            }
            execute(s, r);
            return true;
        } finally {
            s.unlock();
        }
    }

    /**
     * A SEND or WRITE placed by the I/O thread, in order: acknowledged, or refused as its QP now says (then the
     * session expects it again, as after any refusal).
     */
    private void finish(RequestPlacement p) {
        ResponderSession s = p.session;
        s.lock();
        try {
            Outcome outcome = p.finish();
            if (outcome == Outcome.OK) {
                dueAck(s, p.psn);
            } else if (outcome != null) {
                s.expected = Math.min(s.expected, p.psn);
                refuse(s, s.connection, p.psn, outcome, p.responder.minRnrTimer());
            }
        } finally {
            s.unlock();
        }
    }

    private void execute(ResponderSession s, InboundRequest r) {
        long connection = s.connection;
        long psn = r.psn();
        if (psn > s.expected) {
            return; // behind a refusal: the requester posts it again
        }
        int opcode = r.opcode();
        if (psn < s.expected) {
            duplicate(s, connection, psn, r);
            return;
        }
        Optional<Responder> found = responders.responder(r.responder());
        Responder responder = found.orElse(null);
        if (responder != null && r.xrcSrq() != -1) {
            responder = responder.xrcSrq(r.xrcSrq());
            if (responder == null) {
                refuse(s, connection, psn, Outcome.REMOTE_INVALID_REQUEST, 0);
                return;
            }
        }
        if (responder == null) {
            refuse(s, connection, psn, Outcome.NOT_READY, 0);
            return;
        }
        Destination requester = r.requester();
        Outcome outcome;
        ByteBuffer fetched = null;
        Responder.InPlace inPlace = null;
        switch (opcode) {
            case WR_SEND, WR_SEND_WITH_IMM -> outcome = responder.send(r, requester, opcode == WR_SEND_WITH_IMM,
                    r.immediate(), r.solicited());
            case WR_RDMA_WRITE, WR_RDMA_WRITE_WITH_IMM -> outcome = responder.write(r, r.remoteAddress(), r.rkey(),
                    requester, opcode == WR_RDMA_WRITE_WITH_IMM, r.immediate(), r.solicited());
            case WR_RDMA_READ, WR_ATOMIC_CMP_AND_SWP, WR_ATOMIC_FETCH_AND_ADD -> {
                if (r.requestedLength() > Wire.MAX_MESSAGE) {
                    outcome = Outcome.REMOTE_INVALID_REQUEST; // refused before a byte of heap is taken for it
                } else if ((inPlace = inPlace(responder, r, requester)) != null) {
                    outcome = inPlace.outcome();
                } else {
                    fetched = ByteBuffer.allocate((int) r.requestedLength());
                    outcome = fetch(responder, r, requester, fetched);
                }
            }
            default -> outcome = Outcome.REMOTE_INVALID_REQUEST;
        }
        if (outcome != Outcome.OK) {
            refuse(s, connection, psn, outcome, responder.minRnrTimer());
            return;
        }
        s.expected++;
        if (inPlace != null) {
            sendFetched(s, connection, psn, inPlace.data());
            return;
        }
        if (fetched == null) {
            dueAck(s, psn);
            return;
        }
        if (opcode != WR_RDMA_READ) {
            s.keepAtomic(psn, fetched.order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(0));
        }
        sendFetched(s, connection, psn, fetched);
    }

    /**
     * A READ of at least {@link Requests#ZERO_COPY_MIN} bytes from a responder that lets its memory be
     * read when the answer is written: what it found; null for every other request, to be copied.
     */
    private static Responder.InPlace inPlace(Responder responder, InboundRequest r, Destination requester) {
        if (r.opcode() != WR_RDMA_READ || r.requestedLength() < Requests.ZERO_COPY_MIN) {
            return null;
        }
        return responder.readInPlace(r.remoteAddress(), r.rkey(), r.requestedLength(), requester);
    }

    private static Outcome fetch(Responder responder, InboundRequest r, Destination requester, ByteBuffer sink) {
        Payload into = BufferPayload.of(sink);
        return switch (r.opcode()) {
            case WR_RDMA_READ -> responder.read(into, r.remoteAddress(), r.rkey(), requester);
            case WR_ATOMIC_CMP_AND_SWP -> responder.compareAndSwap(into, r.remoteAddress(), r.rkey(), r.compareAdd(),
                    r.swap(), requester);
            default -> responder.fetchAndAdd(into, r.remoteAddress(), r.rkey(), r.compareAdd(), requester);
        };
    }

    private void duplicate(ResponderSession s, long connection, long psn, InboundRequest r) {
        int opcode = r.opcode();
        if (opcode == WR_RDMA_READ) {
            Responder responder = responders.responder(r.responder()).orElse(null);
            if (r.requestedLength() > Wire.MAX_MESSAGE) {
                return; // refused the first time: never executed, so never a duplicate
            }
            if (s.answeredOn(this, psn)) {
                return; // its answer is on its way on this connection, ahead of anything answered now
            }
            Responder.InPlace again = responder == null ? null : inPlace(responder, r, r.requester());
            if (again != null) {
                if (again.outcome() == Outcome.OK) {
                    sendFetched(s, connection, psn, again.data()); // read again, as an HCA does
                }
                return;
            }
            ByteBuffer data = ByteBuffer.allocate((int) r.requestedLength());
            if (responder != null && fetch(responder, r, r.requester(), data) == Outcome.OK) {
                sendFetched(s, connection, psn, data); // a READ is read again, as an HCA does
            }
            return;
        }
        if (Requests.fetches(opcode)) {
            Long value = s.atomicValue(psn);
            if (value != null) {
                ByteBuffer data = ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(0, value);
                sendFetched(s, connection, psn, data);
            }
            return;
        }
        dueAck(s, s.expected - 1);
    }

    private void dueAck(ResponderSession s, long psn) {
        if (s.ackDue < 0) {
            ackDue.add(s);
        }
        s.ackDue = Math.max(s.ackDue, psn);
    }

    /** Sends the acknowledgement {@code s} owes before an answer that must follow it. */
    private void flushAck(ResponderSession s) {
        if (sendAck(s)) {
            ackDue.remove(s);
        }
    }

    private void flushAcks() {
        for (ResponderSession s : ackDue) {
            s.lock();
            try {
                sendAck(s);
            } finally {
                s.unlock();
            }
        }
        ackDue.clear();
    }

    /** Sends the acknowledgement {@code s} owes, if it owes one; true when it did. */
    private boolean sendAck(ResponderSession s) {
        if (s.ackDue < 0) {
            return false;
        }
        send(Wire.ack(s.connection, s.ackDue));
        s.ackDue = -1;
        return true;
    }

    private void refuse(ResponderSession s, long connection, long psn, Outcome outcome, int rnrTimer) {
        flushAck(s);
        send(Wire.nak(connection, psn, outcome, rnrTimer));
    }

    /** The answer of a READ or atomic whose data was read into {@code data} (all of it, 0..capacity). */
    private void sendFetched(ResponderSession s, long connection, long psn, ByteBuffer data) {
        sendFetched(s, connection, psn, BufferPayload.of(data));
    }

    /**
     * The answer carrying {@code data}: read from the responder's memory when it is written if the
     * payload can hold that memory mapped until then, copied into the frame now otherwise.
     */
    private void sendFetched(ResponderSession s, long connection, long psn, Payload data) {
        flushAck(s);
        s.fetched(this, psn);
        int length = (int) data.length();
        Payload.Hold hold = data.hold();
        ByteBuffer head = Wire.frame(Wire.FETCHED, Wire.FETCHED_FIXED + length, hold == null ? 0 : length);
        head.putLong(connection).putLong(psn).putInt(length);
        if (hold == null) {
            for (int i = 0; i < data.segments(); i++) {
                head.put(data.segment(i).duplicate());
            }
            send(head.flip());
            return;
        }
        OutFrame frame = OutFrame.withData(head.flip(), data, hold);
        unflushed += frame.bytes();
        replyWithData.accept(frame);
        frame.release(); // this executor's reference: the queued copy keeps the memory until it is written
        if (unflushed >= FLUSH_AT) {
            flush();
        }
    }

    private void send(ByteBuffer answer) {
        unflushed += answer.remaining();
        reply.accept(answer);
        if (unflushed >= FLUSH_AT) {
            flush();
        }
    }

    private void flush() {
        unflushed = 0;
        flushReplies.run();
    }

    /**
     * While datagrams wait for their receivers, a READ for the answers before it to be written, or a request
     * for its session's SEND or WRITE being placed, the poller comes back soon.
     */
    @Override
    public long deadline(long nowNanos) {
        if (settleHeldBack) {
            return nowNanos; // the requesters' visits come first in this round or the next
        }
        return held.isEmpty() && !fetchHeldBack && !claimHeldBack ? NO_DEADLINE : nowNanos + 20_000L;
    }

    private void arrived(ByteBuffer body, long now) {
        if (!held.isEmpty()) {
            if (held.size() < HELD_MAX) {
                held.add(new Held(body, now)); // behind those that wait: datagrams keep their order
            }
            return;
        }
        Held h = new Held(body, now);
        if (!offer(h)) {
            held.add(h);
        }
    }

    /**
     * Offers the waiting datagrams again, oldest first; true when one of them went (or was dropped).  Each is
     * offered once more before its hold ends it: a poller that came late still delivers into a receive posted
     * meanwhile.
     */
    private boolean offerHeld(long now) {
        boolean progress = false;
        while (!held.isEmpty()) {
            Held h = held.peek();
            if (!offer(h) && now - h.since <= HOLD_NANOS) {
                break;
            }
            held.poll(); // delivered, or its receiver had no receive for it within the hold: lost, as UD allows
            progress = true;
        }
        return progress;
    }

    /** Delivers {@code h}; false when its receiver had no receive (or CQ room) and it should wait. */
    private boolean offer(Held h) {
        InboundDatagram d = datagram.of(h.body);
        Responder r = responders.responder(d.destination()).orElse(null);
        if (r == null) {
            return true; // no such QP: dropped
        }
        long posted = r.receivesPosted();
        if (h.receivesAt != Responder.RECEIVES_UNKNOWN && posted == h.receivesAt) {
            return false; // nothing new posted since the last try
        }
        Outcome o = r.sendDatagram(d, d, d.withImm(), d.immediate(), d.solicited());
        if (o == Outcome.RNR) {
            h.receivesAt = posted;
            return posted == Responder.RECEIVES_UNKNOWN; // a receiver that cannot tell is not waited for
        }
        return o != Outcome.BUSY; // a full CQ: tried again next round

    }
}
