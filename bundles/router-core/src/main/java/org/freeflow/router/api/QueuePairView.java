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
 * @param bytesSent   payload bytes moved by this QP's send queue
 */
public record QueuePairView(String container, int qpn, String type, String state, int destLid,
        int destQpn, long sendWrs, long recvWrs, long bytesSent) {
}
