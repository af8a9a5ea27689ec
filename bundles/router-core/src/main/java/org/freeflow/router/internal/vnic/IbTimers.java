package org.freeflow.router.internal.vnic;

/** The IB encodings of the RNR NAK timer and the local ACK timeout, in nanoseconds. */
final class IbTimers {

    /** min_rnr_timer codes 0..31 in units of 10 µs (code 0 is 655.36 ms). */
    private static final int[] RNR_TENS_OF_MICROS = {
        65536, 1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192,
        256, 384, 512, 768, 1024, 1536, 2048, 3072, 4096, 6144, 8192, 12288, 16384, 24576, 32768, 49152};

    /** How often a requester with timeout 0 (infinite) looks again at an unready responder. */
    static final long INFINITE_TIMEOUT_POLL_NANOS = 10_000_000L;

    private IbTimers() {
    }

    /** The RNR delay for {@code code} (0..31). */
    static long rnrDelayNanos(int code) {
        return RNR_TENS_OF_MICROS[code & 31] * 10_000L;
    }

    /** The local ACK timeout 4.096 µs × 2^timeout, or 0 for timeout 0 (infinite). */
    static long ackTimeoutNanos(int timeout) {
        return timeout == 0 ? 0 : 4096L << Math.min(timeout, 31);
    }
}
