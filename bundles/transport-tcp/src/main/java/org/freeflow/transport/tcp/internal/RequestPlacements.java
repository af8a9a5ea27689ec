package org.freeflow.transport.tcp.internal;

import static org.freeflow.fastpath.api.Verbs.WR_RDMA_WRITE;
import static org.freeflow.fastpath.api.Verbs.WR_SEND;
import static org.freeflow.fastpath.api.Verbs.WR_SEND_WITH_IMM;

import java.nio.ByteBuffer;
import java.util.Map;
import org.freeflow.router.api.transport.LocalResponders;
import org.freeflow.router.api.transport.Responder;

/**
 * Which SENDs and RDMA WRITEs coming in on one connection are read from the
 * socket straight into the responder's memory ({@link RequestPlacement}):
 * on its I/O thread, as a REQUEST's fixed fields arrive.  Only an RC SEND
 * (with or without an immediate) or plain WRITE of at least
 * {@link Requests#PLACE_MIN} bytes that is the next PSN of its session,
 * which it then claims (SENDs one after another on one connection, each
 * into the receive after the last one's); the responder's checks are made at once, with no
 * side effect ({@link Responder#sendInPlace}, {@link Responder#writeInPlace});
 * anything else is read whole and executed on a poller, in order, as any
 * request.
 */
final class RequestPlacements {

    private final LocalResponders responders;
    private final Map<Long, ResponderSession> sessions;
    /** The I/O thread's view of the fixed fields. */
    private final InboundRequest arriving = new InboundRequest();

    /** @param sessions the transport's sessions, by requester connection */
    RequestPlacements(LocalResponders responders, Map<Long, ResponderSession> sessions) {
        this.responders = responders;
        this.sessions = sessions;
    }

    /**
     * The placement of the REQUEST of {@code bodyLength} bytes whose first bytes {@code start} holds (at 0), or
     * null for the frame to be read whole.  The caller checked that nothing is owed to this router's requesters.
     */
    RequestPlacement placement(ByteBuffer start, int bodyLength) {
        if (bodyLength - Requests.DATA < Requests.PLACE_MIN) { // the decoder shows the fixed fields whole
            return null;
        }
        InboundRequest r = arriving.of(start);
        int opcode = r.opcode();
        boolean send = opcode == WR_SEND || opcode == WR_SEND_WITH_IMM;
        if (!send && opcode != WR_RDMA_WRITE || r.requestedLength() != bodyLength - Requests.DATA
                || r.xrcSrq() != -1) {
            return null;
        }
        ResponderSession s = sessions.get(r.connection());
        if (s == null) {
            return null; // its first request: executed on a poller, which makes the session
        }
        s.lock(); // held by pollers only for one request of this session, or to acknowledge
        try {
            if (!s.mayClaim(this, r.psn(), send)) {
                return null;
            }
            Responder responder = responders.responder(r.responder()).orElse(null);
            Responder.InPlaceWrite write = responder == null ? null
                    : send ? responder.sendInPlace(r.requestedLength(), r.requester(), opcode == WR_SEND_WITH_IMM,
                            r.immediate(), r.solicited())
                    : responder.writeInPlace(r.remoteAddress(), r.rkey(), r.requestedLength(), r.requester());
            if (write == null) {
                return null;
            }
            s.claim(this);
            return new RequestPlacement(s, r.psn(), responder, write, !send);
        } finally {
            s.unlock();
        }
    }
}
