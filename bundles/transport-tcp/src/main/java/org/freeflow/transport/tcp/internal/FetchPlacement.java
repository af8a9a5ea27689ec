package org.freeflow.transport.tcp.internal;

import org.freeflow.router.api.transport.InPlaceSink;

/**
 * A READ's answer (FETCHED) that the connection's I/O thread reads from the
 * socket straight into the READ's local memory ({@link InPlaceSink}, which
 * its requester connection kept from the post): claimed for it on the
 * requester connection ({@link TcpConnection#placeFetched}), so that no
 * other answer to the same READ is placed or taken meanwhile.  Every read
 * restarts the requester's ACK timer, as each packet of a long READ answer
 * does on an HCA.  It ends once: all of it in ({@link TcpConnection#placed}:
 * the READ is answered), or given up with its TCP connection
 * ({@link TcpConnection#abandoned}: another answer takes its place).
 */
final class FetchPlacement extends SinkPlacement {

    final TcpConnection connection;
    final long psn;

    FetchPlacement(TcpConnection connection, long psn, InPlaceSink sink) {
        super(sink);
        this.connection = connection;
        this.psn = psn;
    }

    @Override
    public int headBytes() {
        return Wire.FETCHED_FIXED;
    }

    @Override
    void arriving() {
        connection.arriving(psn);
    }

    @Override
    public void abandon() {
        connection.abandoned(this);
    }
}
