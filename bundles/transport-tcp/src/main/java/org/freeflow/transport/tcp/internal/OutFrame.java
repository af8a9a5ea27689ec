package org.freeflow.transport.tcp.internal;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import org.freeflow.router.api.transport.Payload;

/**
 * A frame a router keeps until it is answered, in parts written together:
 * the header with the fixed fields, then, for a frame that does not copy its
 * data, views of the registered memory the data lies in, kept mapped by a
 * {@link Payload.Hold}.  The hold is released once nothing refers to the
 * frame any more: neither its owner (until the answer, or the connection's
 * close) nor a copy queued for a socket (until it was written whole, or
 * discarded), so that no socket write reads memory unmapped meanwhile, not
 * even one queued again after a reconnect for which the answer came first.
 */
final class OutFrame {

    private final ByteBuffer[] parts;
    private final long bytes;
    private final Payload.Hold hold;
    /** The owner's reference and one per copy queued for writing. */
    private final AtomicInteger references = new AtomicInteger(1);

    /** @param parts flipped, never changed here (copies are written); @param hold null: nothing to release */
    OutFrame(ByteBuffer[] parts, Payload.Hold hold) {
        this.parts = parts;
        this.hold = hold;
        long n = 0;
        for (ByteBuffer p : parts) {
            n += p.remaining();
        }
        this.bytes = n;
    }

    /** A frame of one buffer of its own (flipped). */
    static OutFrame of(ByteBuffer whole) {
        return new OutFrame(new ByteBuffer[] {whole}, null);
    }

    /**
     * A frame of {@code head} (flipped: the header and the fixed fields) and then the data of
     * {@code data}, read from its memory whenever the frame is written; {@code hold} keeps that memory
     * mapped until the frame is released.
     */
    static OutFrame withData(ByteBuffer head, Payload data, Payload.Hold hold) {
        ByteBuffer[] parts = new ByteBuffer[1 + data.segments()];
        parts[0] = head;
        for (int i = 0; i < data.segments(); i++) {
            parts[1 + i] = data.segment(i).duplicate();
        }
        return new OutFrame(parts, hold);
    }

    /** Its length on the wire. */
    long bytes() {
        return bytes;
    }

    /**
     * Views of its parts to be written once, by the caller of the owner's thread while the owner's reference
     * lasts; {@link #release} when they are written whole or discarded.
     */
    ByteBuffer[] copyForWriting() {
        references.incrementAndGet();
        ByteBuffer[] copy = new ByteBuffer[parts.length];
        for (int i = 0; i < parts.length; i++) {
            copy[i] = parts[i].duplicate();
        }
        return copy;
    }

    /** Ends one reference: the owner's, or a written or discarded copy's; the last releases the hold. */
    void release() {
        if (references.decrementAndGet() == 0 && hold != null) {
            hold.release();
        }
    }
}
