package org.freeflow.router.api;

/**
 * A queue pair of a container's virtual NIC.
 *
 * @param container   owning container
 * @param qpn         queue-pair number
 * @param type        "RC", "UC" or "UD"
 * @param state       IB state name: RESET, INIT, RTR, RTS, SQD, SQE, ERR
 * @param destLid     connected peer's LID (0 when not connected)
 * @param destQpn     connected peer's QPN (0 when not connected)
 * @param sendWrs     send work requests executed
 * @param recvWrs     receive work requests consumed
 * @param bytesSent   payload bytes this QP's send queue delivered
 * @param sendDropped messages this QP sent that nobody received (UC and UD only: no receive, a
 *                    receiver's full CQ, no such destination, a port down); not in sendWrs or
 *                    bytesSent (since 1.2)
 * @param recvDropped messages that reached this QP and that it discarded (UC and UD: no receive,
 *                    its CQ full, too long, a wrong Q_Key) (since 1.2)
 * @param rnrNaks     receiver-not-ready answers this QP's requester got and waited out
 *                    (RC: its peer had no receive posted) (since 2.1)
 * @param ackTimeouts times this QP's requester got no answer within its timeout and posted its
 *                    outstanding work requests again, an HCA's local ACK timeouts (RC; since 2.2)
 */
public record QueuePairView(String container, int qpn, String type, String state, int destLid,
        int destQpn, long sendWrs, long recvWrs, long bytesSent, long sendDropped, long recvDropped, long rnrNaks,
        long ackTimeouts) {

    /** A queue pair without ACK timeout figures (the 2.1 constructor). */
    public QueuePairView(String container, int qpn, String type, String state, int destLid, int destQpn, long sendWrs,
            long recvWrs, long bytesSent, long sendDropped, long recvDropped, long rnrNaks) {
        this(container, qpn, type, state, destLid, destQpn, sendWrs, recvWrs, bytesSent, sendDropped, recvDropped,
                rnrNaks, 0);
    }

    /** A queue pair without RNR figures (the 1.2 constructor). */
    public QueuePairView(String container, int qpn, String type, String state, int destLid, int destQpn, long sendWrs,
            long recvWrs, long bytesSent, long sendDropped, long recvDropped) {
        this(container, qpn, type, state, destLid, destQpn, sendWrs, recvWrs, bytesSent, sendDropped, recvDropped, 0, 0);
    }

    /** A queue pair that dropped nothing (the 1.0 constructor). */
    public QueuePairView(String container, int qpn, String type, String state, int destLid, int destQpn, long sendWrs,
            long recvWrs, long bytesSent) {
        this(container, qpn, type, state, destLid, destQpn, sendWrs, recvWrs, bytesSent, 0, 0, 0, 0);
    }
}
