package org.freeflow.qos.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.freeflow.qos.api.RateLimiter;
import org.junit.jupiter.api.Test;

/** The token bucket against a fake clock (the caller passes time in). */
class TokenBucketTest {

    private static final long MS = 1_000_000L;
    private static final long SECOND = 1_000_000_000L;

    @Test
    void aFullBucketLetsTheBurstThroughThenThrottles() {
        TokenBucket bucket = new TokenBucket(1_000_000, 10_000); // 1 MB/s, 10 kB
        long t = 5 * SECOND;
        for (int i = 0; i < 10; i++) {
            assertEquals(0, bucket.tryAcquire(1_000, t), "within the burst, #" + i);
        }
        long wait = bucket.tryAcquire(1_000, t);
        assertEquals(1 * MS, wait, "1000 B at 1 MB/s take 1 ms to earn");
        assertEquals(500_000, bucket.tryAcquire(1_000, t + 500_000));
        assertEquals(0, bucket.tryAcquire(1_000, t + MS));
    }

    @Test
    void refillNeverExceedsTheBurst() {
        TokenBucket bucket = new TokenBucket(1_000_000, 10_000);
        assertEquals(0, bucket.tryAcquire(10_000, 0));
        // an hour idle: still only one burst available
        long later = 3600 * SECOND;
        assertEquals(0, bucket.tryAcquire(10_000, later));
        assertTrue(bucket.tryAcquire(1, later) > 0);
    }

    @Test
    void longRunRateMatchesTheConfiguredRate() {
        long rate = 125_000_000; // 1 Gbit/s
        TokenBucket bucket = new TokenBucket(rate, 64 * 1024);
        long now = 0;
        long sent = 0;
        long message = 4096;
        while (now < SECOND) {
            long wait = bucket.tryAcquire(message, now);
            if (wait == 0) {
                sent += message;
            } else {
                now += wait;
            }
        }
        double ratio = (double) sent / rate;
        assertTrue(ratio > 0.99 && ratio < 1.01, "sent " + sent + " B in 1 s, ratio " + ratio);
    }

    @Test
    void oversizedMessagesGoFromAFullBucketAndLeaveDebt() {
        TokenBucket bucket = new TokenBucket(1_000_000, 10_000);
        assertEquals(0, bucket.tryAcquire(1_000_000, 0), "1 MB from a full 10 kB bucket");
        assertEquals(-990_000.0, bucket.tokens(), 0.5);
        // next message waits until the debt is paid and the bucket full again: 1 s
        assertEquals(1_000 * MS, bucket.tryAcquire(1_000_000, 0));
        assertEquals(0, bucket.tryAcquire(1_000_000, 1_000 * MS));
    }

    @Test
    void waitsAreNeverZeroWhenRefused() {
        TokenBucket bucket = new TokenBucket(1_000_000_000_000L, 1_000); // 1 TB/s: sub-ns refill
        assertEquals(0, bucket.tryAcquire(1_000, 0));
        assertEquals(1, bucket.tryAcquire(1_000, 0));
    }

    @Test
    void theClockMayStartAnywhere() {
        TokenBucket bucket = new TokenBucket(1_000_000, 1_000);
        long t = Long.MIN_VALUE + 7;
        assertEquals(0, bucket.tryAcquire(1_000, t));
        assertEquals(MS, bucket.tryAcquire(1_000, t));
        assertEquals(0, bucket.tryAcquire(1_000, t + MS));
    }

    @Test
    void rejectsNonsense() {
        assertThrows(IllegalArgumentException.class, () -> new TokenBucket(0, 1));
        assertThrows(IllegalArgumentException.class, () -> new TokenBucket(1, 0));
    }

    @Test
    void algorithmTranslatesMegabitsAndDefaultsTheBurst() {
        TokenBucketAlgorithm algorithm = new TokenBucketAlgorithm();
        assertEquals(RateLimiter.UNLIMITED, algorithm.newLimiter(Map.of()));
        assertEquals(RateLimiter.UNLIMITED, algorithm.newLimiter(Map.of("rateMbps", "0")));
        RateLimiter limiter = algorithm.newLimiter(Map.of("rateMbps", "8")); // 1 MB/s, burst 64 KiB
        assertEquals(0, limiter.tryAcquire(64 * 1024, 0));
        assertEquals(65_536 * 1_000L, limiter.tryAcquire(1_000_000, 0), "waits for a full bucket");
        RateLimiter small = algorithm.newLimiter(Map.of("rateMbps", "8", "burstBytes", "1000"));
        assertEquals(0, small.tryAcquire(1_000, 0));
        assertEquals(MS, small.tryAcquire(1_000, 0));
        assertThrows(IllegalArgumentException.class, () -> algorithm.newLimiter(Map.of("rateMbps", "fast")));
    }
}
