package org.freeflow.router.internal.vnic;

import static org.freeflow.fastpath.api.Verbs.*;

import java.nio.ByteBuffer;
import org.freeflow.router.api.transport.Connection;
import org.freeflow.router.api.transport.Outcome;
import org.freeflow.router.api.transport.Responder;

/**
 * The requester side of a connected QP (RC, and UC through its
 * {@link ConnectedService}): executes send-queue entries in order on the
 * poller thread that serves the QP.  Per entry: the service's opcodes, local
 * checks (lkey, PD, bounds, access; inline length), the QP's rate limiter,
 * then a post on its {@link Connection} to the responder, numbered from 0 on
 * each connection.  A transport that answers at once (local) finishes the
 * entry there; one that answers later leaves it outstanding and the next
 * entries follow, up to max_rd_atomic READs and atomics at a time (an entry
 * posted with IBV_SEND_FENCE only once those before it completed), until the
 * transport reports (cumulative acknowledgements, a refusal) and the entries
 * complete in order.  RNR and "not ready" are retried within rnr_retry /
 * retry_cnt after min_rnr_timer / timeout (RC: a UC requester learns nothing
 * of the responder), an RNR also as soon as the responder got a receive
 * posted; a refusal that is not final posts the refused entry and all after
 * it again, with their numbers.  An outstanding head entry that no report
 * finishes within the QP's timeout is posted again, with those after it, up
 * to retry_cnt times, then completes with IBV_WC_RETRY_EXC_ERR.  A responder
 * whose receive CQ is full is tried again soon, for no longer than the QP's
 * timeout x (retry_cnt + 1) in all, then IBV_WC_RETRY_EXC_ERR (the
 * responder's CQ overruns meanwhile: {@link CompletionQueue#overrunAfter});
 * every error completes and moves the QP to ERR.  An XRC initiator is an RC
 * requester whose every work request goes to the SRQ it names in its
 * target's XRC domain.  The queue itself: {@link Requester}.
 */
final class RcRequester extends Requester {

    private static final int RETRY_FOREVER = 7;
    /** finishHead's rnrTimer for an outcome answered at once: the connection tells it, if it is an RNR. */
    private static final int RNR_TIMER_OF_CONNECTION = -1;

    private final PostedRequest request = new PostedRequest();
    private Connection connection;
    private ConnectionReports reports;
    /** Posted on {@link #connection} during this visit: it is flushed at the visit's end. */
    private boolean unflushed;
    /** After an RNR: the responder's {@link Responder#receivesPosted()} then. */
    private long receivesAtRnr = Responder.RECEIVES_UNKNOWN;
    private int rnrRetries;
    private int transportRetries;
    /** The head entry found the responder's CQ full. */
    private boolean busySeen;
    /** The start of the first round after that (never 0), or 0. */
    private long busySince;

    /** The sequence number of the head entry on this connection. */
    private long headPsn;
    /** The sequence number the next post gets: entries from the head to it are outstanding. */
    private long sendPsn;
    /** The highest sequence number ever posted on this connection and answered later (-1: none). */
    private long postedPsn = -1;
    /**
     * When the head entry was last posted, or outstanding entries last made progress (one completed, or
     * part of an answer arrived: {@link ConnectionReports#arrivals()}).
     */
    private long headPostedAt;
    /** {@link ConnectionReports#arrivals()} at the last visit. */
    private int arrivalsSeen;
    private int fetchesOutstanding;
    /** Per outstanding entry, at its sequence number modulo the send queue's slots. */
    private final long[] wrIds;
    private final int[] wrOpcodes;
    private final int[] flagsOf;
    private final int[] lengths;
    private final int mask;

    RcRequester(QueuePair qp, SendSide send, QpState state) {
        super(qp, send, state);
        int slots = send.slots();
        this.mask = slots - 1;
        this.wrIds = new long[slots];
        this.wrOpcodes = new int[slots];
        this.flagsOf = new int[slots];
        this.lengths = new int[slots];
    }

    @Override
    void peerChanged() {
        closeConnection();
    }

    @Override
    void connectEarly() {
        openConnection();
    }

    @Override
    void endVisit() {
        if (unflushed && connection != null) {
            connection.flush();
        }
        unflushed = false;
    }

    /** A connection to the peer with fresh reports, unless one is open. */
    private void openConnection() {
        if (connection == null) {
            reports = new ConnectionReports(qp);
            arrivalsSeen = 0;
            connection = qp.connectPeer(reports);
        }
    }

    /** The completion opcode of a work-request opcode, or -1 when not supported. */
    static int completionOpcode(int wrOpcode) {
        return switch (wrOpcode) {
            case WR_SEND, WR_SEND_WITH_IMM -> WC_SEND;
            case WR_RDMA_WRITE, WR_RDMA_WRITE_WITH_IMM -> WC_RDMA_WRITE;
            case WR_RDMA_READ -> WC_RDMA_READ;
            case WR_ATOMIC_CMP_AND_SWP -> WC_COMP_SWAP;
            case WR_ATOMIC_FETCH_AND_ADD -> WC_FETCH_ADD;
            default -> -1;
        };
    }


    @Override
    int outstanding() {
        return (int) (sendPsn - headPsn);
    }

    @Override
    boolean transmit(int slot, long wrId, int opcode, int wcOpcode, int flags, long length, long now) {
        int ahead = outstanding();
        if (ahead > 0 && (!qp.vnic.portActive()
                || GatherList.fetches(opcode) && fetchesOutstanding >= Math.max(1, qp.attrs().maxRdAtomic)
                || (flags & SEND_FENCE) != 0 && fetchesOutstanding > 0)) {
            gather.clear();
            // max_rd_atomic READs and atomics at a time; a fenced work request (and what follows it) waits
            // until the READs and atomics before it completed; nothing more while the port is down
            return false;
        }
        openConnection(); // none since RTR if no transport reached the peer then, or it was closed
        // nothing leaves a container whose port is down: the peer is out of reach
        Outcome delivered;
        if (connection == null || !qp.vnic.portActive()) {
            delivered = Outcome.NOT_READY;
        } else {
            boolean xrc = qp.service == ConnectedService.XRC_INI;
            delivered = connection.post(request.load(shm, slot, sendPsn, opcode, gather, xrc));
            unflushed = true;
        }
        gather.clear();
        if (ahead > 0 && delivered == Outcome.BUSY) {
            return false; // the connection takes no more now; what is outstanding goes on
        }
        if (delivered == Outcome.PENDING || ahead > 0) {
            if (delivered != Outcome.PENDING) {
                reports.report(sendPsn, delivered, connection.minRnrTimer());
            }
            started(wrId, flags, length, opcode, now);
            return true;
        }
        return finishHead(delivered, wrId, wcOpcode, flags, length, RNR_TIMER_OF_CONNECTION, now);
    }

    /** The entry posted as {@link #sendPsn} is outstanding now. */
    private void started(long wrId, int flags, long length, int opcode, long now) {
        int i = (int) sendPsn & mask;
        wrIds[i] = wrId;
        wrOpcodes[i] = opcode;
        flagsOf[i] = flags;
        lengths[i] = (int) length;
        if (sendPsn == headPsn) {
            headPostedAt = now;
        }
        if (GatherList.fetches(opcode)) {
            fetchesOutstanding++;
        }
        postedPsn = Math.max(postedPsn, sendPsn);
        sendPsn++;
    }

    /** What the head entry's {@code delivered} outcome means for it; true when it finished. */
    private boolean finishHead(Outcome delivered, long wrId, int wcOpcode, int flags, long length, int rnrTimer,
            long now) {
        Outcome outcome = qp.service.seenByRequester(delivered);
        switch (outcome) {
            case OK:
                if (delivered == Outcome.OK) {
                    qp.counters().sent(length);
                } else {
                    qp.counters().sendDropped();
                }
                advanceHead();
                return finish(wrId, wcOpcode, WC_SUCCESS, (int) length, flags);
            case RNR:
                return receiverNotReady(wrId, wcOpcode, flags, rnrTimer, now);
            case NOT_READY:
                closeConnection();
                return notReady(wrId, wcOpcode, flags, now);
            case BUSY:
                return busy(wrId, wcOpcode, flags, now);
            case REMOTE_ACCESS_ERROR:
                return finish(wrId, wcOpcode, WC_REM_ACCESS_ERR, 0, flags);
            case REMOTE_INVALID_REQUEST:
                return finish(wrId, wcOpcode, WC_REM_INV_REQ_ERR, 0, flags);
            default:
                return finish(wrId, wcOpcode, WC_REM_OP_ERR, 0, flags);
        }
    }

    /** The head entry finished: the next one is the head. */
    private void advanceHead() {
        headPsn++;
        if (sendPsn < headPsn) {
            sendPsn = headPsn;
        }
    }

    @Override
    boolean completeOutstanding(long now) {
        if (postedPsn < headPsn) {
            return false; // nothing answers later
        }
        boolean progress = false;
        long acknowledged = reports.acknowledgedThrough();
        while (reports != null && headPsn <= acknowledged && headPsn <= postedPsn && !pending()) {
            if (!completeAcknowledgedHead(now)) {
                break;
            }
            progress = true;
        }
        if (reports == null) {
            return true; // an entry failed: the QP is in ERR, its connection closed
        }
        reports.completedThrough(headPsn - 1);
        long refusal = reports.refusal();
        if (refusal >= 0 && !pending()) {
            long psn = ConnectionReports.psnOf(refusal);
            if (psn < headPsn || psn > postedPsn) {
                reports.clear(refusal); // stale: what it refused finished since, or was never posted
            } else if (psn == headPsn) {
                reports.clear(refusal);
                refusedHead(ConnectionReports.outcomeOf(refusal), ConnectionReports.rnrTimerOf(refusal), now);
                return true;
            }
        }
        if (outstanding() > 0 && !pending()) {
            long timeout = IbTimers.ackTimeoutNanos(qp.attrs().timeout);
            int arrived = reports.arrivals();
            if (arrived != arrivalsSeen) {
                arrivalsSeen = arrived; // part of an answer came meanwhile: the responder is at work
                headPostedAt = now;
            }
            if (timeout != 0 && now - headPostedAt >= timeout) {
                timedOut(now);
                return true;
            }
        }
        return progress;
    }

    /**
     * The head entry was acknowledged: its completion, once a READ's or
     * atomic's data is placed; false while that has not arrived.
     */
    private boolean completeAcknowledgedHead(long now) {
        int i = (int) headPsn & mask;
        int status = WC_SUCCESS;
        if (GatherList.fetches(wrOpcodes[i])) {
            ByteBuffer data = reports.takeFetched(headPsn);
            if (data == null) {
                return false;
            }
            status = place(data, i);
            if (headPsn < sendPsn) {
                fetchesOutstanding--;
            }
        }
        if (status == WC_SUCCESS) {
            qp.counters().sent(lengths[i]);
        }
        headPostedAt = now;
        advanceHead();
        finish(wrIds[i], completionOpcode(wrOpcodes[i]), status, status == WC_SUCCESS ? lengths[i] : 0, flagsOf[i]);
        return true;
    }

    /**
     * Copies what a READ or atomic fetched into the head entry's local
     * memory, its SGEs checked again (the application may have deregistered
     * it since the post); IBV_WC_SUCCESS or the local error.  A READ the
     * transport answered in place is in the memory already.
     */
    private int place(ByteBuffer data, int i) {
        if (data == ConnectionReports.PLACED) {
            return WC_SUCCESS; // the transport wrote it into the memory, which stayed registered meanwhile
        }
        if (data == ConnectionReports.PLACED_IN_PART) {
            return WC_LOC_PROT_ERR; // deregistered while it came in
        }
        int status = gather.load(send.head(), wrOpcodes[i], flagsOf[i]);
        if (status == WC_SUCCESS && data.remaining() != gather.length()) {
            status = WC_LOC_LEN_ERR;
        }
        if (status == WC_SUCCESS) {
            MemoryCopier.copy(data, gather);
        }
        gather.clear();
        return status;
    }

    /**
     * The transport refused the head entry: unless it fails, it and every
     * outstanding entry after it are posted again (RC); an unreliable
     * service's message is done (dropped), and those after it went on.
     */
    private void refusedHead(Outcome outcome, int rnrTimer, long now) {
        int i = (int) headPsn & mask;
        if (qp.service.reliable()) {
            rewind();
        } else if (GatherList.fetches(wrOpcodes[i]) && headPsn < sendPsn) {
            fetchesOutstanding--;
        }
        finishHead(outcome, wrIds[i], completionOpcode(wrOpcodes[i]), flagsOf[i], lengths[i], rnrTimer, now);
    }

    /** No report finished the head entry within the QP's timeout: post it again, or give up. */
    private void timedOut(long now) {
        int i = (int) headPsn & mask;
        if (transportRetries >= qp.attrs().retryCnt) {
            finish(wrIds[i], completionOpcode(wrOpcodes[i]), WC_RETRY_EXC_ERR, 0, flagsOf[i]);
            return;
        }
        transportRetries++;
        qp.counters().ackTimedOut();
        rewind();
        headPostedAt = now;
    }

    /** Outstanding entries start again from the head, with their numbers. */
    private void rewind() {
        sendPsn = headPsn;
        fetchesOutstanding = 0;
    }

    @Override
    long outstandingDeadline() {
        long timeout = IbTimers.ackTimeoutNanos(qp.attrs().timeout);
        return outstanding() == 0 || timeout == 0 ? Long.MAX_VALUE : headPostedAt + timeout;
    }

    @Override
    void failed() {
        closeConnection();
    }

    @Override
    void abandon() {
        if (connection != null) {
            closeConnection();
        }
    }

    private void closeConnection() {
        if (connection != null) {
            reports.close();
            connection.close();
            connection = null;
            reports = null;
        }
        headPsn = 0;
        sendPsn = 0;
        postedPsn = -1;
        fetchesOutstanding = 0;
    }

    private boolean receiverNotReady(long wrId, int wcOpcode, int flags, int rnrTimer, long now) {
        int limit = qp.attrs().rnrRetry;
        if (limit != RETRY_FOREVER && rnrRetries >= limit) {
            return finish(wrId, wcOpcode, WC_RNR_RETRY_EXC_ERR, 0, flags);
        }
        rnrRetries++;
        qp.counters().rnrNak();
        receivesAtRnr = connection == null ? Responder.RECEIVES_UNKNOWN : connection.receivesPosted();
        int timer = rnrTimer != RNR_TIMER_OF_CONNECTION ? rnrTimer : connection == null ? 0 : connection.minRnrTimer();
        return sleepUntil(now + IbTimers.rnrDelayNanos(timer));
    }

    /** After an RNR: as soon as the responder's receive queue got a receive. */
    @Override
    boolean retryNow() {
        return receivesAtRnr != Responder.RECEIVES_UNKNOWN && connection != null
                && connection.receivesPosted() != receivesAtRnr;
    }

    private boolean notReady(long wrId, int wcOpcode, int flags, long now) {
        long timeout = IbTimers.ackTimeoutNanos(qp.attrs().timeout);
        if (timeout == 0) {
            return sleepUntil(now + IbTimers.INFINITE_TIMEOUT_POLL_NANOS);
        }
        if (transportRetries >= qp.attrs().retryCnt) {
            return finish(wrId, wcOpcode, WC_RETRY_EXC_ERR, 0, flags);
        }
        transportRetries++;
        return sleepUntil(now + timeout);
    }

    /**
     * The responder's receive CQ is full: the entry waits (the QP is polled
     * again soon, no retry timer), but for no longer than the transport
     * budget, as an HCA that gets no acknowledgement.  The budget counts
     * from the round after the first BUSY: that round began after the
     * responder's CQ noted since when it is full, so with equal budgets the
     * CQ overruns (IBV_EVENT_CQ_ERR, the responder's answer NOT_READY)
     * before this requester would give up on a BUSY: a receiver that never
     * polls always learns why its peer stopped.
     */
    private boolean busy(long wrId, int wcOpcode, int flags, long now) {
        if (busySince == 0) {
            if (busySeen) {
                busySince = now | 1;
            }
            busySeen = true;
            return false;
        }
        long budget = qp.transportBudgetNanos();
        if (budget > 0 && now - busySince >= budget) {
            return finish(wrId, wcOpcode, WC_RETRY_EXC_ERR, 0, flags);
        }
        return false;
    }

    @Override
    void resetAttempt() {
        super.resetAttempt();
        rnrRetries = 0;
        transportRetries = 0;
        busySeen = false;
        busySince = 0;
        receivesAtRnr = Responder.RECEIVES_UNKNOWN;
    }
}
