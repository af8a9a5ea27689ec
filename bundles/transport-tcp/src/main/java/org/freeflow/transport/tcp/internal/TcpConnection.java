package org.freeflow.transport.tcp.internal;

import static org.freeflow.fastpath.api.Verbs.WR_RDMA_READ;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Set;
import org.freeflow.router.api.transport.Acknowledgements;
import org.freeflow.router.api.transport.Connection;
import org.freeflow.router.api.transport.Destination;
import org.freeflow.router.api.transport.InPlaceSink;
import org.freeflow.router.api.transport.Outcome;
import org.freeflow.router.api.transport.WorkRequest;

/**
 * A requester QP's connection to a responder on another router.  Every post
 * becomes a REQUEST frame that is
 * kept until the responder's router answers it, so that a reconnected link
 * sends it again (the responder side executes each PSN once); posting a PSN
 * again replaces it and what followed.  Until the destination's router is
 * known ({@link #attach}) the frames wait here, up to {@code maxWaitingBytes}
 * (then BUSY: frames held back here count against the requester's ACK
 * timeout, and all of them leave at once when the router is known); once
 * it is, the link's limit holds requesters back ({@link PeerLink#full}),
 * but never a post again (it replaces what it repeats).  A destination no
 * router serves refuses what was posted (NOT_READY: the requester retries within
 * its budget, then IBV_WC_RETRY_EXC_ERR).  Answers arrive on the link's
 * I/O thread and go straight to the requester's {@link Acknowledgements}.
 * A post queues its frame on the link; the requester's {@link #flush} at the
 * end of its visit writes every frame it posted then, together.  A frame of
 * {@link Requests#ZERO_COPY_MIN} data bytes or more does not copy them: it
 * holds the registered memory and the socket reads them from there
 * ({@link OutFrame}), as an HCA reads a send's data when it transmits.  A
 * READ of as much keeps its local memory ({@link WorkRequest#sinkInPlace}),
 * and its answer is read from the socket straight into it
 * ({@link FetchPlacement}).
 * <p>
 * A PSN posted again while its frame is still unanswered and on its way
 * (the requester's ACK timer ran out: it posts everything from its head
 * on again) is not sent a second time: TCP delivers the first, and a copy
 * behind it would only double what waits in the routers' queues, and the
 * wait, so that the next timer runs out too (in a bidirectional stream this
 * grew until the QPs ended in IBV_WC_RETRY_EXC_ERR).  What the responder
 * discarded is sent again: after a NAK, the refused PSN posted again and
 * what follows it (the responder drops those until it gets the refused
 * one).  A reconnect sends everything unanswered again ({@link #resendTo}).
 */
final class TcpConnection implements Connection {

    /** A frame kept until answered, and a READ's local memory for its answer to be placed into (or null). */
    private static final class Retained {
        final long psn;
        final OutFrame frame;
        InPlaceSink sink;

        Retained(long psn, OutFrame frame, InPlaceSink sink) {
            this.psn = psn;
            this.frame = frame;
            this.sink = sink;
        }
    }

    final long id;
    private final Destination requester;
    private final Destination responder;
    private final Acknowledgements acks;
    private final ArrayDeque<Retained> retained = new ArrayDeque<>();
    private final long maxWaitingBytes;
    /** What {@link #retained} holds, in bytes (written under the lock, read by posts before it). */
    private volatile long retainedBytes;
    /** The PSN of {@link #retained}'s last frame, -1 when empty (written under the lock). */
    private volatile long newestPsn = -1;
    private volatile PeerLink link;
    private volatile boolean unreachable;
    private volatile boolean closed;
    private volatile int minRnrTimer;
    /**
     * A NAK refused {@link #refusedPsn}, which is not posted again yet: the responder discards it and
     * every frame after it until then.
     */
    private boolean refusalPending;
    private long refusedPsn = -1;
    /** The transport's open connections: this one until it is closed. */
    private final Set<TcpConnection> open;
    /** The READ answer being read into its READ's memory, or null (under the lock). */
    private FetchPlacement placing;
    /** An answer to that READ that came meanwhile on another TCP connection, taken if the placement fails. */
    private ByteBuffer answerWhilePlacing;

    TcpConnection(long id, Destination requester, Destination responder, Acknowledgements acks,
            long maxWaitingBytes, Set<TcpConnection> open) {
        this.id = id;
        this.open = open;
        open.add(this);
        this.maxWaitingBytes = maxWaitingBytes;
        this.requester = requester;
        this.responder = responder;
        this.acks = acks;
    }

    Destination responder() {
        return responder;
    }

    /** Where this connection's answers are reported: its requester. */
    Acknowledgements reports() {
        return acks;
    }

    @Override
    public Outcome post(WorkRequest wr) {
        if (unreachable) {
            return Outcome.NOT_READY;
        }
        if (wr.payload().length() > Wire.MAX_MESSAGE) {
            return Outcome.REMOTE_INVALID_REQUEST;
        }
        if (onItsWay(wr.psn())) {
            return Outcome.PENDING; // posted again after a timeout: the frame sent before arrives
        }
        PeerLink known = link;
        if (known != null && wr.psn() > newestPsn && known.full(retainedBytes)) {
            return Outcome.BUSY; // before the data is copied; never a post again, which replaces what it repeats
        }
        OutFrame frame = Requests.frame(id, wr, requester, responder);
        InPlaceSink sink = wr.opcode() == WR_RDMA_READ && wr.payload().length() >= Requests.PLACE_MIN
                ? wr.sinkInPlace() : null;
        synchronized (this) {
            if (unreachable || closed) {
                release(frame, sink);
                return Outcome.NOT_READY; // closed: its requester is done with it
            }
            PeerLink l = link; // read under the lock: attach may have run meanwhile
            while (!retained.isEmpty() && retained.peekLast().psn >= wr.psn()) {
                release(retained.pollLast()); // posted again: it and what followed start over
            }
            if (l == null && !retained.isEmpty() && retainedBytes + frame.bytes() > maxWaitingBytes) {
                release(frame, sink);
                return Outcome.BUSY; // its router is not known yet: the requester tries again soon
            }
            sending(wr.psn());
            retained.add(new Retained(wr.psn(), frame, sink));
            retainedBytes += frame.bytes();
            newestPsn = wr.psn();
            if (l != null) {
                l.retainedBytes(frame.bytes());
                l.transmit(frame); // under the lock: never between the frames a reconnect sends again
            }
        }
        return Outcome.PENDING;
    }

    /**
     * True when the frame of {@code psn} is unanswered and not discarded by the responder (behind a
     * refusal): it is on its way (or waits for the link), and nothing is sent again.
     */
    private synchronized boolean onItsWay(long psn) {
        if (retained.isEmpty() || psn < retained.peekFirst().psn || psn > newestPsn) {
            return false;
        }
        return !(refusalPending && psn >= refusedPsn);
    }

    /**
     * Under the lock: the frame of {@code psn} is sent now.  Posted again from the refused one (or from
     * before it) on, the frames after it are made anew by their posts (a post again replaces what
     * followed it), and the responder takes them.
     */
    private void sending(long psn) {
        if (refusalPending && psn <= refusedPsn) {
            refusalPending = false;
        }
    }

    /** The frames posted since the last flush leave, in one write as far as the socket takes them. */
    @Override
    public void flush() {
        PeerLink l = link;
        if (l != null) {
            l.flush();
        }
    }

    /** The destination's router is known: frames waiting go out, and every later post with its flush. */
    void attach(PeerLink peer) {
        synchronized (this) {
            if (closed) {
                return;
            }
            for (Retained r : retained) {
                peer.retainedBytes(r.frame.bytes());
            }
            link = peer;
        }
        peer.add(this);
    }

    /** No router serves the destination: what was posted is refused; later posts are, at once. */
    void unreachable() {
        Retained first;
        synchronized (this) {
            unreachable = true;
            first = retained.peekFirst();
            for (Retained r : retained) {
                release(r.frame, r.sink);
            }
            retained.clear();
            retainedBytes = 0;
            newestPsn = -1;
        }
        if (first != null && !closed) {
            acks.refused(first.psn, Outcome.NOT_READY, 0);
        }
    }

    /**
     * On a (re)connected link: sends every frame still unanswered again, in order (the oldest first: a
     * refused one, then those the responder discarded behind it).
     */
    synchronized void resendTo(FrameChannel channel) {
        for (Retained r : retained) {
            channel.queue(r.frame);
        }
        refusalPending = false; // the oldest unanswered goes first: the refused one, if any
        channel.flush();
    }

    /** ACK: everything up to {@code psn} executed. */
    void acknowledged(long psn) {
        releaseThrough(psn);
        acks.acknowledged(psn);
    }

    /** NAK: {@code psn} refused, everything before it executed. */
    void refused(long psn, Outcome outcome, int rnrTimer) {
        synchronized (this) {
            releaseThrough(psn - 1);
            refusalPending = true; // the responder discards what follows until it gets this one again
            refusedPsn = psn;
        }
        minRnrTimer = rnrTimer;
        acks.refused(psn, outcome, rnrTimer);
    }

    /** Part of the FETCHED answer to {@code psn} arrived: its requester's ACK timer starts again. */
    void arriving(long psn) {
        acks.arriving(psn);
    }

    /**
     * FETCHED: READ or atomic {@code psn}'s data; everything before it executed.  While that READ's answer
     * is being placed from another TCP connection, kept until the placement ended.
     */
    void fetched(long psn, ByteBuffer data) {
        synchronized (this) {
            if (placing != null && placing.psn == psn) {
                answerWhilePlacing = data;
                return;
            }
        }
        releaseThrough(psn);
        acks.fetched(psn, data);
    }

    /**
     * On an I/O thread, a FETCHED of {@code dataLength} bytes for {@code psn} is coming: its placement into
     * the READ's memory, which this connection kept from the post, or null for the answer to be read whole
     * (no such READ unanswered here, no memory kept for it, another answer being placed).
     */
    synchronized FetchPlacement placeFetched(long psn, long dataLength) {
        if (closed || placing != null) {
            return null;
        }
        for (Retained r : retained) {
            if (r.psn == psn) {
                if (r.sink == null || r.sink.target().length() != dataLength) {
                    return null;
                }
                placing = new FetchPlacement(this, psn, r.sink);
                r.sink = null; // the placement's now: it releases it
                return placing;
            }
        }
        return null;
    }

    /** All of {@code p}'s data is in the READ's memory: answered, as {@link #fetched} answers. */
    void placed(FetchPlacement p) {
        synchronized (this) {
            if (placing != p) {
                return;
            }
            placing = null;
            answerWhilePlacing = null;
        }
        p.releaseSink();
        releaseThrough(p.psn);
        acks.fetchedInPlace(p.psn, p.whole());
    }

    /** {@code p}'s TCP connection ended mid-body: an answer that came meanwhile is taken now. */
    void abandoned(FetchPlacement p) {
        ByteBuffer meanwhile;
        synchronized (this) {
            if (placing != p) {
                return;
            }
            placing = null;
            meanwhile = answerWhilePlacing;
            answerWhilePlacing = null;
        }
        p.releaseSink();
        if (meanwhile != null) {
            fetched(p.psn, meanwhile);
        }
    }

    private synchronized void releaseThrough(long psn) {
        while (!retained.isEmpty() && retained.peekFirst().psn <= psn) {
            release(retained.pollFirst());
        }
    }

    private void release(Retained r) {
        retainedBytes -= r.frame.bytes();
        newestPsn = retained.isEmpty() ? -1 : retained.peekLast().psn;
        release(r.frame, r.sink); // its data's memory once no socket's queue holds a copy either
        PeerLink l = link;
        if (l != null) {
            l.retainedBytes(-r.frame.bytes());
        }
    }

    @Override
    public int minRnrTimer() {
        return minRnrTimer;
    }

    @Override
    public void close() {
        PeerLink l;
        boolean unanswered;
        synchronized (this) {
            unanswered = forget();
            l = link;
        }
        if (l != null) {
            l.remove(this, unanswered);
        }
    }

    /**
     * Closes it here and releases what is retained (also when the transport stops: nothing more is sent or
     * reported); true when something was.
     */
    synchronized boolean forget() {
        closed = true;
        open.remove(this);
        boolean unanswered = !retained.isEmpty();
        while (!retained.isEmpty()) {
            release(retained.pollFirst());
        }
        return unanswered;
    }

    @Override
    public String toString() {
        return "connection " + Long.toHexString(id) + " QP " + requester.qpn() + " -> LID " + responder.lid()
                + " QP " + responder.qpn();
    }

    private static void release(OutFrame frame, InPlaceSink sink) {
        frame.release();
        if (sink != null) {
            sink.release();
        }
    }
}
