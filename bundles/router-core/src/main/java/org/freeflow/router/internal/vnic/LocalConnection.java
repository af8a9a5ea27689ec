package org.freeflow.router.internal.vnic;

import static org.freeflow.fastpath.api.Verbs.*;

import org.freeflow.router.api.transport.Connection;
import org.freeflow.router.api.transport.Destination;
import org.freeflow.router.api.transport.Outcome;
import org.freeflow.router.api.transport.Payload;
import org.freeflow.router.api.transport.Responder;
import org.freeflow.router.api.transport.WorkRequest;

/**
 * A connection between two QPs of this router: every work request runs at
 * once on the requester's poller thread against the responder (one copy
 * between two shared mappings), so every post answers its outcome and
 * nothing is ever outstanding.  An XRC initiator's work request runs against
 * the responder of the SRQ it names.
 */
final class LocalConnection implements Connection {

    private final Responder peer;
    private final Destination requester;
    /** The responder of the last work request: the peer, or the XRC SRQ it named. */
    private Responder target;

    LocalConnection(Responder peer, Destination requester) {
        this.peer = peer;
        this.requester = requester;
        this.target = peer;
    }

    @Override
    public Outcome post(WorkRequest wr) {
        Responder responder = peer;
        if (wr.xrcSrq() != WorkRequest.NO_XRC_SRQ) {
            responder = peer.xrcSrq(wr.xrcSrq());
            if (responder == null) {
                return Outcome.REMOTE_INVALID_REQUEST;
            }
        }
        target = responder;
        Payload payload = wr.payload();
        return switch (wr.opcode()) {
            case WR_SEND -> responder.send(payload, requester, false, 0, wr.solicited());
            case WR_SEND_WITH_IMM -> responder.send(payload, requester, true, wr.immediate(), wr.solicited());
            case WR_RDMA_WRITE -> responder.write(payload, wr.remoteAddress(), wr.rkey(), requester, false, 0, false);
            case WR_RDMA_WRITE_WITH_IMM -> responder.write(payload, wr.remoteAddress(), wr.rkey(), requester, true,
                    wr.immediate(), wr.solicited());
            case WR_ATOMIC_CMP_AND_SWP -> responder.compareAndSwap(payload, wr.remoteAddress(), wr.rkey(),
                    wr.compareAdd(), wr.swap(), requester);
            case WR_ATOMIC_FETCH_AND_ADD -> responder.fetchAndAdd(payload, wr.remoteAddress(), wr.rkey(),
                    wr.compareAdd(), requester);
            case WR_RDMA_READ -> responder.read(payload, wr.remoteAddress(), wr.rkey(), requester);
            default -> Outcome.REMOTE_INVALID_REQUEST;
        };
    }

    @Override
    public int minRnrTimer() {
        return target.minRnrTimer();
    }

    @Override
    public long receivesPosted() {
        return target.receivesPosted();
    }

    @Override
    public void close() {
        // nothing outstanding, nothing held
    }
}
