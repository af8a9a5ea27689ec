package org.freeflow.ffo.api;

import java.time.Instant;

/**
 * A queue pair (one row of QPS).  State, peer and counters are as its router
 * last published them: at once on create, modify and destroy, counters at
 * the router's refresh interval.
 *
 * @param qpn              its number, unique in the cluster
 * @param container        the owning container
 * @param host             the router that serves it
 * @param type             RC, UC, UD, XRC_SEND or XRC_RECV
 * @param state            RESET, INIT, RTR, RTS, SQD, SQE or ERR
 * @param peerLid          the connected peer's LID (0: none)
 * @param peerQpn          the connected peer's QPN (0: none)
 * @param created          when ibv_create_qp made it
 * @param sendWrs          send work requests executed
 * @param recvWrs          receive work requests consumed
 * @param bytesSent        payload bytes its send queue delivered
 * @since 1.2
 */
public record QueuePairRecord(int qpn, String container, String host, String type, String state, int peerLid,
        int peerQpn, Instant created, long sendWrs, long recvWrs, long bytesSent) {
}
