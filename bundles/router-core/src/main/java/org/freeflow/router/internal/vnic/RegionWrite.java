package org.freeflow.router.internal.vnic;

import java.util.concurrent.atomic.AtomicBoolean;
import org.freeflow.router.api.transport.Outcome;
import org.freeflow.router.api.transport.Payload;
import org.freeflow.router.api.transport.Responder;

/**
 * A SEND or RDMA WRITE a transport places into registered memory itself ({@link RcResponder#sendInPlace},
 * {@link RcResponder#writeInPlace}): its target ({@link RegionSink}: held, gated), a receive's buffers or a
 * WRITE's range, and, in order, its completion by the responder.
 */
final class RegionWrite implements Responder.InPlaceWrite {

    /** What the responder does where it would have executed the message. */
    @FunctionalInterface
    interface Completion {
        Outcome complete(boolean whole);
    }

    private final RegionSink target;
    private final Completion completion;
    private final Runnable ended;
    private final AtomicBoolean released = new AtomicBoolean();

    RegionWrite(RegionSink target, Completion completion) {
        this(target, completion, () -> { });
    }

    /** @param ended run at the first {@link #release}: the transport is done with it */
    RegionWrite(RegionSink target, Completion completion, Runnable ended) {
        this.target = target;
        this.completion = completion;
        this.ended = ended;
    }

    @Override
    public Payload target() {
        return target;
    }

    @Override
    public boolean beginWrite() {
        return target.beginWrite();
    }

    @Override
    public void endWrite() {
        target.endWrite();
    }

    @Override
    public Outcome complete(boolean whole) {
        return completion.complete(whole);
    }

    @Override
    public void release() {
        if (released.compareAndSet(false, true)) {
            target.release();
            ended.run();
        }
    }
}
