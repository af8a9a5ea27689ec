package org.freeflow.transport.tcp.internal;

import java.nio.ByteBuffer;
import org.freeflow.router.api.transport.Payload;

/** A {@link Payload} of one heap buffer: where a READ's or an atomic's result lands before it travels. */
final class BufferPayload implements Payload {

    private final ByteBuffer buffer;

    private BufferPayload(ByteBuffer buffer) {
        this.buffer = buffer;
    }

    /** The whole of {@code buffer} (0..capacity). */
    static BufferPayload of(ByteBuffer buffer) {
        return new BufferPayload(buffer.duplicate().clear());
    }

    @Override
    public long length() {
        return buffer.capacity();
    }

    @Override
    public int segments() {
        return 1;
    }

    @Override
    public ByteBuffer segment(int i) {
        return buffer;
    }
}
