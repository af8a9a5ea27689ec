package org.freeflow.qos.internal;

import org.freeflow.qos.api.RateLimiter;

/**
 * A token bucket over bytes: {@code rate} bytes per second refill a bucket of
 * {@code burst} bytes.  A request of at most {@code burst} bytes goes when that
 * many tokens are there; a larger one goes when the bucket is full and leaves it
 * in debt, so any message size makes progress and the long-run rate holds.
 * Time comes from the caller (nanoseconds); no allocation, no locking (one
 * poller thread per limiter, see {@link RateLimiter}).
 */
public final class TokenBucket implements RateLimiter {

    private static final double NANOS_PER_SECOND = 1e9;

    private final double bytesPerNano;
    private final double burst;
    private double tokens;
    private long last;
    private boolean started;

    /**
     * @param bytesPerSecond refill rate, &gt; 0
     * @param burstBytes     bucket size, &gt; 0; the bucket starts full
     */
    public TokenBucket(long bytesPerSecond, long burstBytes) {
        if (bytesPerSecond <= 0 || burstBytes <= 0) {
            throw new IllegalArgumentException("rate and burst must be positive: " + bytesPerSecond + " B/s, "
                    + burstBytes + " B");
        }
        this.bytesPerNano = bytesPerSecond / NANOS_PER_SECOND;
        this.burst = burstBytes;
        this.tokens = burstBytes;
    }

    @Override
    public long tryAcquire(long bytes, long nowNanos) {
        refill(nowNanos);
        double need = Math.min(bytes, burst);
        if (tokens >= need) {
            tokens -= bytes;
            return 0L;
        }
        long wait = (long) Math.ceil((need - tokens) / bytesPerNano);
        return Math.max(1L, wait);
    }

    private void refill(long now) {
        if (!started) {
            started = true;
            last = now;
            return;
        }
        long elapsed = now - last;
        if (elapsed > 0) {
            tokens = Math.min(burst, tokens + elapsed * bytesPerNano);
            last = now;
        }
    }

    /** Tokens in the bucket at the last call (negative while in debt). */
    public double tokens() {
        return tokens;
    }
}
