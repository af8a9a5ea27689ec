package org.freeflow.router.internal.testing;

import java.util.HashMap;
import java.util.Map;
import org.freeflow.qos.api.QosService;
import org.freeflow.qos.api.RateLimiter;

/** A QP quota and, per QPN, an optional limiter. */
public final class FakeQos implements QosService {

    public int maxQps = 1000;
    public final Map<Integer, RateLimiter> limiters = new HashMap<>();
    public RateLimiter nextLimiter;

    @Override
    public boolean admitQueuePair(String container, int existingQps) {
        return existingQps < maxQps;
    }

    @Override
    public RateLimiter limiterFor(String container, String tenant, int qpn) {
        RateLimiter limiter = nextLimiter != null ? nextLimiter : RateLimiter.UNLIMITED;
        nextLimiter = null;
        limiters.put(qpn, limiter);
        return limiter;
    }
}
