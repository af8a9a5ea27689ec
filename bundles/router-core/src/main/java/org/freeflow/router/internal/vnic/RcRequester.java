package org.freeflow.router.internal.vnic;

import static org.freeflow.fastpath.api.Verbs.*;

import java.nio.ByteBuffer;
import org.freeflow.fastpath.api.Abi.SendWqe;
import org.freeflow.router.api.transport.Outcome;
import org.freeflow.router.api.transport.Responder;

/**
 * The requester side of a connected QP (RC, and UC through its
 * {@link ConnectedService}): executes send-queue entries in order on the
 * poller thread that serves the QP.  Per entry: the service's opcodes, local
 * checks (lkey, PD, bounds, access; inline length), the QP's rate limiter,
 * then one call on the responder through the transport; RNR and "not ready"
 * are retried within rnr_retry / retry_cnt after min_rnr_timer / timeout
 * (RC: a UC requester learns nothing of the responder), an RNR also as soon
 * as the responder got a receive posted; a responder whose
 * receive CQ is full is tried again soon, for no longer than the QP's
 * timeout x (retry_cnt + 1) in all, then IBV_WC_RETRY_EXC_ERR (the
 * responder's CQ overruns meanwhile: {@link CompletionQueue#overrunAfter});
 * every error completes and moves the QP to ERR.  An XRC initiator is an RC requester
 * whose every work request goes to the SRQ it names in its target's XRC
 * domain.  The queue itself: {@link Requester}.
 */
final class RcRequester extends Requester {

    private static final int RETRY_FOREVER = 7;

    private Responder peer;
    /** The responder of the last attempt: the peer, or the XRC SRQ it named. */
    private Responder target;
    /** After an RNR: the responder's {@link Responder#receivesPosted()} then. */
    private long receivesAtRnr = Responder.RECEIVES_UNKNOWN;
    private int rnrRetries;
    private int transportRetries;
    /** The head entry found the responder's CQ full. */
    private boolean busySeen;
    /** The start of the first round after that (never 0), or 0. */
    private long busySince;

    RcRequester(QueuePair qp) {
        super(qp);
    }

    @Override
    void peerChanged() {
        peer = null;
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
    boolean transmit(int slot, long wrId, int opcode, int wcOpcode, int flags, long length, long now) {
        if (peer == null) {
            peer = qp.resolvePeer();
        }
        // nothing leaves a container whose port is down: the peer is out of reach
        Responder responder = qp.vnic.portActive() ? peer : null;
        Outcome delivered = responder == null ? Outcome.NOT_READY : perform(responder, opcode, slot);
        Outcome outcome = qp.service.seenByRequester(delivered);
        gather.clear();
        switch (outcome) {
            case OK:
                if (delivered == Outcome.OK) {
                    qp.counters.sent(length);
                } else {
                    qp.counters.sendDropped();
                }
                return finish(wrId, wcOpcode, WC_SUCCESS, (int) length, flags);
            case RNR:
                return receiverNotReady(wrId, wcOpcode, flags, responder, now);
            case NOT_READY:
                peer = null;
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

    private Outcome perform(Responder peer, int opcode, int slot) {
        ByteBuffer shm = qp.shm;
        Responder responder = peer;
        if (qp.service == ConnectedService.XRC_INI) {
            responder = peer.xrcSrq(shm.getInt(slot + SendWqe.REMOTE_SRQN));
            if (responder == null) {
                return Outcome.REMOTE_INVALID_REQUEST;
            }
        }
        target = responder;
        int imm = shm.getInt(slot + SendWqe.IMM_DATA);
        long remoteAddr = shm.getLong(slot + SendWqe.REMOTE_ADDR);
        int rkey = shm.getInt(slot + SendWqe.RKEY);
        long compareAdd = shm.getLong(slot + SendWqe.COMPARE_ADD);
        boolean solicited = (shm.getInt(slot + SendWqe.SEND_FLAGS) & SEND_SOLICITED) != 0;
        return switch (opcode) {
            case WR_SEND -> responder.send(gather, qp.self, false, 0, solicited);
            case WR_SEND_WITH_IMM -> responder.send(gather, qp.self, true, imm, solicited);
            case WR_RDMA_WRITE -> responder.write(gather, remoteAddr, rkey, qp.self, false, 0, false);
            case WR_RDMA_WRITE_WITH_IMM -> responder.write(gather, remoteAddr, rkey, qp.self, true, imm, solicited);
            case WR_ATOMIC_CMP_AND_SWP -> responder.compareAndSwap(gather, remoteAddr, rkey, compareAdd,
                    shm.getLong(slot + SendWqe.SWAP), qp.self);
            case WR_ATOMIC_FETCH_AND_ADD -> responder.fetchAndAdd(gather, remoteAddr, rkey, compareAdd, qp.self);
            default -> responder.read(gather, remoteAddr, rkey, qp.self);
        };
    }

    private boolean receiverNotReady(long wrId, int wcOpcode, int flags, Responder responder, long now) {
        int limit = qp.attrs().rnrRetry;
        if (limit != RETRY_FOREVER && rnrRetries >= limit) {
            return finish(wrId, wcOpcode, WC_RNR_RETRY_EXC_ERR, 0, flags);
        }
        rnrRetries++;
        qp.counters.rnrNak();
        receivesAtRnr = target.receivesPosted();
        return sleepUntil(now + IbTimers.rnrDelayNanos(responder.minRnrTimer()));
    }

    /** After an RNR: as soon as the responder's receive queue got a receive. */
    @Override
    boolean retryNow() {
        return receivesAtRnr != Responder.RECEIVES_UNKNOWN && target.receivesPosted() != receivesAtRnr;
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
