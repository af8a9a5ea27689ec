package org.freeflow.qos.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.freeflow.qos.api.QosAlgorithm;
import org.freeflow.qos.api.QosService;
import org.freeflow.qos.api.RateLimiter;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The router's QoS policy: the per-container QP quota and a default rate per
 * QP, enforced by the configured {@link QosAlgorithm} picked from the service
 * whiteboard (property {@code qos.algorithm}).  Changes apply live to new QPs;
 * existing QPs keep their limiter.
 */
@Component(configurationPid = QosManager.PID, service = QosService.class)
@Designate(ocd = QosManager.Config.class)
public final class QosManager implements QosService {

    static final String PID = "org.freeflow.qos";

    private static final Logger LOG = LoggerFactory.getLogger(QosManager.class);
    private static final QosAlgorithm BUILT_IN = new TokenBucketAlgorithm();

    @ObjectClassDefinition(name = "FreeFlow QoS", description = "QP quota and per-QP rate limits")
    public @interface Config {
        @AttributeDefinition(description = "Queue pairs one container may hold (paper section 6)")
        int maxQpsPerContainer() default 4096;

        @AttributeDefinition(description = "Rate limit per QP in Mbit/s; 0 = unlimited")
        long defaultRateMbps() default 0;

        @AttributeDefinition(description = "Bucket size per QP in bytes; 0 = 10 ms at the rate, at least 64 KiB")
        long defaultBurstBytes() default 0;

        @AttributeDefinition(description = "Algorithm (qos.algorithm service property) that enforces the rate")
        String algorithm() default TokenBucketAlgorithm.NAME;
    }

    private final Map<String, QosAlgorithm> algorithms = new ConcurrentHashMap<>();
    private volatile Config config;

    @Activate
    void activate(Config newConfig) {
        config = newConfig;
        LOG.info("QoS activated: {} QPs per container, default rate {} Mbit/s ({})",
                newConfig.maxQpsPerContainer(), newConfig.defaultRateMbps(), newConfig.algorithm());
    }

    @Modified
    void modified(Config newConfig) {
        config = newConfig;
        LOG.info("QoS reconfigured: {} QPs per container, default rate {} Mbit/s ({})",
                newConfig.maxQpsPerContainer(), newConfig.defaultRateMbps(), newConfig.algorithm());
    }

    @Deactivate
    void deactivate() {
        LOG.info("QoS deactivated");
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addAlgorithm(QosAlgorithm algorithm, Map<String, Object> properties) {
        String name = nameOf(algorithm, properties);
        algorithms.put(name, algorithm);
        LOG.info("QoS algorithm {} available", name);
    }

    void removeAlgorithm(QosAlgorithm algorithm, Map<String, Object> properties) {
        String name = nameOf(algorithm, properties);
        if (algorithms.remove(name, algorithm)) {
            LOG.info("QoS algorithm {} gone", name);
        }
    }

    private static String nameOf(QosAlgorithm algorithm, Map<String, Object> properties) {
        Object name = properties.get(QosAlgorithm.PROPERTY);
        return name != null ? name.toString() : algorithm.name();
    }

    @Override
    public boolean admitQueuePair(String container, int existingQps) {
        int max = config.maxQpsPerContainer();
        boolean admitted = existingQps < max;
        if (!admitted) {
            LOG.debug("QP quota: container {} holds {} of {} QPs", container, existingQps, max);
        }
        return admitted;
    }

    @Override
    public RateLimiter limiterFor(String container, String tenant, int qpn) {
        Config current = config;
        if (current.defaultRateMbps() <= 0) {
            return RateLimiter.UNLIMITED;
        }
        QosAlgorithm algorithm = algorithms.get(current.algorithm());
        if (algorithm == null) {
            LOG.warn("QoS algorithm {} is not available; QP {} of {} uses {}", current.algorithm(), qpn,
                    container, BUILT_IN.name());
            algorithm = BUILT_IN;
        }
        return algorithm.newLimiter(Map.of(TokenBucketAlgorithm.RATE_MBPS, Long.toString(current.defaultRateMbps()),
                TokenBucketAlgorithm.BURST_BYTES, Long.toString(current.defaultBurstBytes()),
                "container", String.valueOf(container), "tenant", tenant == null ? "default" : tenant,
                "qpn", Integer.toString(qpn)));
    }
}
