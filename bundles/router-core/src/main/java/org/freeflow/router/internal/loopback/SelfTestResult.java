package org.freeflow.router.internal.loopback;

/**
 * What a data-path self-test did.
 *
 * @param messages     work requests completed (requests and replies of ping-pongs each count)
 * @param bytes        payload bytes they moved
 * @param elapsedNanos from its start to the end of its cleanup
 * @param failure      what went wrong, null when every completion succeeded and the data of every
 *                     workload's last message arrived intact
 */
public record SelfTestResult(long messages, long bytes, long elapsedNanos, String failure) {

    /** The result of a self-test that did not run. */
    public static final SelfTestResult SKIPPED = new SelfTestResult(0, 0, 0, null);

    /** Nothing went wrong. */
    public boolean ok() {
        return failure == null;
    }

    /** Its figures in one line: messages, MB, ms, MB/s. */
    public String figures() {
        double millis = elapsedNanos / 1e6;
        return String.format("%d messages, %.1f MB in %.0f ms (%.0f MB/s)", messages, bytes / 1e6, millis,
                millis > 0 ? bytes / 1e3 / millis : 0.0);
    }
}
