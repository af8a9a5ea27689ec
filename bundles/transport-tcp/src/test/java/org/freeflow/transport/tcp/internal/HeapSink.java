package org.freeflow.transport.tcp.internal;

import java.nio.ByteBuffer;
import java.util.function.BooleanSupplier;
import org.freeflow.router.api.transport.InPlaceSink;
import org.freeflow.router.api.transport.Payload;

/**
 * Test memory a transport writes into itself: a heap buffer (0..capacity), a gate that says whether the
 * memory is still registered, and a hold counted as {@link Request#held()} counts it.
 */
class HeapSink implements InPlaceSink {

    private final ByteBuffer memory;
    private final BooleanSupplier registered;
    private final Payload.Hold hold = Request.counted(() -> { });

    HeapSink(ByteBuffer memory, BooleanSupplier registered) {
        this.memory = memory;
        this.registered = registered;
    }

    @Override
    public Payload target() {
        return BufferPayload.of(memory);
    }

    @Override
    public boolean beginWrite() {
        return registered.getAsBoolean();
    }

    @Override
    public void endWrite() {
    }

    @Override
    public void release() {
        hold.release();
    }
}
