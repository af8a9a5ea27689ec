package org.freeflow.router.internal.control;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import org.freeflow.router.internal.vnic.VerbsException;

/**
 * The reply to one request, answered later ({@link Reply#defer()}): any
 * thread completes it once; the control thread then writes and sends it and
 * reads the connection's next request.  If the peer left meanwhile, the
 * answer is dropped.
 */
public final class DeferredReply {

    private final Consumer<Consumer<Reply>> deliver;
    private final int op;
    private final int seq;
    private final AtomicBoolean completed = new AtomicBoolean();

    /** @param deliver hands the answer to the control thread, which writes it with the fill and sends it */
    DeferredReply(Consumer<Consumer<Reply>> deliver, int op, int seq) {
        this.deliver = deliver;
        this.op = op;
        this.seq = seq;
    }

    /**
     * Answers: {@code fill} runs on the control thread with the reply to
     * write (it may throw {@link VerbsException} to refuse the request).
     *
     * @throws IllegalStateException when this reply was completed already
     */
    public void complete(Consumer<Reply> fill) {
        if (!completed.compareAndSet(false, true)) {
            throw new IllegalStateException("the reply to op " + op + " seq " + seq + " was completed already");
        }
        deliver.accept(fill);
    }

    /** Refuses the request with {@code errno}, and {@code reason} where the session explains failures. */
    public void fail(int errno, String reason) {
        complete(reply -> {
            throw new VerbsException(errno, reason);
        });
    }
}
