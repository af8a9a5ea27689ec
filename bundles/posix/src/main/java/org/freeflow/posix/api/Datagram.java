package org.freeflow.posix.api;

/**
 * What one {@link SeqpacketSocket#receive} returned.
 *
 * @param length        the datagram's real length; more than was stored when {@code truncated}
 * @param truncated     the datagram did not fit the buffer (MSG_TRUNC): the rest is lost
 * @param fdsTruncated  more descriptors came than were asked for (MSG_CTRUNC): the rest were closed
 * @param fds           descriptors received with the datagram (SCM_RIGHTS), owned by the caller
 */
public record Datagram(int length, boolean truncated, boolean fdsTruncated, int[] fds) {

    /** True when the peer closed the connection (a zero-length read on SOCK_SEQPACKET). */
    public boolean endOfStream() {
        return length == 0 && !truncated && fds.length == 0;
    }
}
