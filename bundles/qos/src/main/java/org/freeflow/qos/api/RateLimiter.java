package org.freeflow.qos.api;

/**
 * Data-path admission for one flow.  Called from a router poller thread only
 * (never concurrently for one limiter), so implementations need no locking
 * for their own state; it must not allocate or block.
 */
public interface RateLimiter {

    /** A limiter that admits everything. */
    RateLimiter UNLIMITED = (bytes, nowNanos) -> 0L;

    /**
     * Asks to send {@code bytes} now.  Returns 0 when they may go (and the
     * tokens are taken), otherwise the nanoseconds to wait before asking again.
     */
    long tryAcquire(long bytes, long nowNanos);
}
