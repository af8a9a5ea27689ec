package org.freeflow.qos.api;

import java.util.Map;

/**
 * SPI for a rate-limiting algorithm.  Register an implementation as an OSGi
 * service with the property {@code qos.algorithm=<name>}; a policy naming that
 * algorithm then gets its limiters.  Bundles dropped into Karaf's deploy/
 * directory are picked up while the router runs.
 */
public interface QosAlgorithm {

    /** The service property naming the algorithm. */
    String PROPERTY = "qos.algorithm";

    /** The name policies refer to, equal to the {@code qos.algorithm} service property. */
    String name();

    /** A limiter for one flow, configured by the policy's parameters. */
    RateLimiter newLimiter(Map<String, String> parameters);
}
