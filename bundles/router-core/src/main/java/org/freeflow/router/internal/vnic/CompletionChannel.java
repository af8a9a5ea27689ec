package org.freeflow.router.internal.vnic;

import org.freeflow.posix.api.Errno;
import org.freeflow.posix.api.Pipe;
import org.freeflow.posix.api.PosixException;

/**
 * A completion channel (ibv_create_comp_channel): a pipe whose reading end
 * the application gets as {@code channel->fd} and whose writing end only the
 * router holds, non-blocking.  The CQs created on it write one byte per
 * notification ({@link org.freeflow.fastpath.api.CompletionRingProducer}),
 * on poller threads; whatever the application does with its end, those
 * writes never block.  It cannot be destroyed while CQs use it.
 */
final class CompletionChannel extends InUse {

    final int handle;
    private final Pipe pipe;

    private CompletionChannel(int handle, Pipe pipe) {
        this.handle = handle;
        this.pipe = pipe;
    }

    static CompletionChannel create(int handle) {
        try {
            return new CompletionChannel(handle, Pipe.forWriting());
        } catch (PosixException e) {
            throw new VerbsException(e.errno() == Errno.EMFILE ? Errno.EMFILE : Errno.ENOMEM,
                    "cannot make a completion channel: " + e.getMessage());
        }
    }

    /** The reading end, for the reply (kept open here until {@link #close()}). */
    int fd() {
        return pipe.readFd();
    }

    /** What the CQs of the channel write to. */
    Pipe pipe() {
        return pipe;
    }

    /** Only once no CQ and no poller round uses it. */
    void close() {
        pipe.close();
    }

    @Override
    public String toString() {
        return "completion channel " + handle;
    }
}
