package org.freeflow.qos.internal;

import java.util.Map;

import org.freeflow.qos.api.QosAlgorithm;
import org.freeflow.qos.api.RateLimiter;
import org.osgi.service.component.annotations.Component;

/**
 * The paper's per-flow token bucket.  Parameters: {@code rateMbps} (10^6 bit/s;
 * absent, empty or 0 = unlimited) and {@code burstBytes} (default: 10 ms at the
 * rate, at least 64 KiB).
 */
@Component(property = QosAlgorithm.PROPERTY + "=" + TokenBucketAlgorithm.NAME)
public final class TokenBucketAlgorithm implements QosAlgorithm {

    public static final String NAME = "token-bucket";
    public static final String RATE_MBPS = "rateMbps";
    public static final String BURST_BYTES = "burstBytes";

    static final long MIN_BURST = 64 * 1024;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public RateLimiter newLimiter(Map<String, String> parameters) {
        double mbps = number(parameters, RATE_MBPS);
        if (mbps <= 0) {
            return RateLimiter.UNLIMITED;
        }
        long bytesPerSecond = Math.max(1L, Math.round(mbps * 1_000_000 / 8));
        long burst = (long) number(parameters, BURST_BYTES);
        if (burst <= 0) {
            burst = Math.max(MIN_BURST, bytesPerSecond / 100);
        }
        return new TokenBucket(bytesPerSecond, burst);
    }

    private static double number(Map<String, String> parameters, String key) {
        String value = parameters.get(key);
        if (value == null || value.isBlank()) {
            return 0;
        }
        try {
            return Double.parseDouble(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("token-bucket parameter " + key + "='" + value + "' is not a number",
                    e);
        }
    }
}
