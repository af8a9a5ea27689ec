package org.freeflow.qos.api;

/** What the router asks before it grants resources or moves bytes. */
public interface QosService {

    /**
     * Whether {@code container}, which holds {@code existingQps} queue pairs,
     * may create one more (the paper's per-container QP quota).
     */
    boolean admitQueuePair(String container, int existingQps);

    /**
     * The rate limiter for a new queue pair, or {@link RateLimiter#UNLIMITED}
     * when no policy applies.  The router keeps it for the QP's life and calls
     * it on the data path.
     */
    RateLimiter limiterFor(String container, String tenant, int qpn);
}
