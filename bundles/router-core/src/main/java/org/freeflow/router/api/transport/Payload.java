package org.freeflow.router.api.transport;

import java.nio.ByteBuffer;

/**
 * A gather (for sends and writes) or scatter (for reads) list over registered
 * memory already checked by the requester's router.  Segments are views of
 * shared memory: transports copy out of or into them and never keep them.
 */
public interface Payload {

    /** Total bytes. */
    long length();

    /** Number of segments. */
    int segments();

    /** Segment {@code i}: a buffer whose position..limit are the bytes. */
    ByteBuffer segment(int i);
}
