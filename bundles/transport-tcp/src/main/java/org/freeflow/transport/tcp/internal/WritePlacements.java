package org.freeflow.transport.tcp.internal;

import static org.freeflow.fastpath.api.Verbs.WR_RDMA_WRITE;

import java.nio.ByteBuffer;
import java.util.Map;
import org.freeflow.router.api.transport.LocalResponders;
import org.freeflow.router.api.transport.Responder;

/**
 * Which RDMA WRITEs coming in on one connection are read from the socket
 * straight into their target ({@link WritePlacement}): on its I/O thread,
 * as a REQUEST's fixed fields arrive.  Only a plain RC WRITE of at least
 * {@link Requests#PLACE_MIN} bytes that is the next PSN of its session,
 * which it then claims; the responder's checks are made at once, with no
 * side effect ({@link Responder#writeInPlace}); anything else is read whole
 * and executed on a poller, in order, as any request.
 */
final class WritePlacements {

    private final LocalResponders responders;
    private final Map<Long, ResponderSession> sessions;
    /** The I/O thread's view of the fixed fields. */
    private final InboundRequest arriving = new InboundRequest();

    /** @param sessions the transport's sessions, by requester connection */
    WritePlacements(LocalResponders responders, Map<Long, ResponderSession> sessions) {
        this.responders = responders;
        this.sessions = sessions;
    }

    /**
     * The placement of the REQUEST of {@code bodyLength} bytes whose first bytes {@code start} holds (at 0), or
     * null for the frame to be read whole.  The caller checked that nothing is owed to this router's requesters.
     */
    WritePlacement placement(ByteBuffer start, int bodyLength) {
        if (start.remaining() < Requests.DATA || bodyLength - Requests.DATA < Requests.PLACE_MIN) {
            return null;
        }
        InboundRequest r = arriving.of(start);
        if (r.opcode() != WR_RDMA_WRITE || r.requestedLength() != bodyLength - Requests.DATA || r.xrcSrq() != -1) {
            return null;
        }
        ResponderSession s = sessions.get(r.connection());
        if (s == null) {
            return null; // its first request: executed on a poller, which makes the session
        }
        s.lock(); // held by pollers only for one request of this session, or to acknowledge
        try {
            if (s.expected != r.psn() || s.claimed()) {
                return null;
            }
            Responder responder = responders.responder(r.responder()).orElse(null);
            Responder.InPlaceWrite write = responder == null ? null
                    : responder.writeInPlace(r.remoteAddress(), r.rkey(), r.requestedLength(), r.requester());
            if (write == null) {
                return null;
            }
            WritePlacement p = new WritePlacement(s, r.psn(), responder, write);
            s.claim(p, r.psn());
            return p;
        } finally {
            s.unlock();
        }
    }
}
