package org.freeflow.router.api.transport;

import java.nio.ByteBuffer;

/**
 * A gather (for sends and writes) or scatter (for reads) list over registered
 * memory already checked by the requester's router.  Segments are views of
 * shared memory, valid during the call that hands the payload over:
 * transports copy out of or into them then, or {@link #hold} the memory
 * under them.
 */
public interface Payload {

    /**
     * Keeps the memory under the segments mapped until the hold is released,
     * so that a transport may read its own duplicates of the segments (the
     * segments themselves are reused) after the post: as an HCA reads a
     * send's data when it transmits it, and again when it retransmits.  What
     * the memory holds then is the application's business (it owns it again
     * at the completion); a region deregistered meanwhile stays mapped until
     * the release.  Null when this payload cannot be held (inline data, which
     * lives in the send queue): the transport copies it during the post.
     * @since 2.3
     */
    default Hold hold() {
        return null;
    }

    /**
     * What {@link #hold} returns: {@link #release} once, from any thread, when the transport no longer
     * reads the views it took.
     * @since 2.3
     */
    interface Hold {
        void release();
    }

    /** Total bytes. */
    long length();

    /** Number of segments. */
    int segments();

    /** Segment {@code i}: a buffer whose position..limit are the bytes. */
    ByteBuffer segment(int i);
}
