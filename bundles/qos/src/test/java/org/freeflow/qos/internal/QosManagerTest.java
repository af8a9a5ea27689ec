package org.freeflow.qos.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.annotation.Annotation;
import java.util.HashMap;
import java.util.Map;

import org.freeflow.qos.api.QosAlgorithm;
import org.freeflow.qos.api.RateLimiter;
import org.junit.jupiter.api.Test;

class QosManagerTest {

    private final QosManager qos = new QosManager();

    @Test
    void quotaAdmitsUpToTheLimit() {
        qos.activate(config(4096, 0, "token-bucket"));
        assertTrue(qos.admitQueuePair("c1", 0));
        assertTrue(qos.admitQueuePair("c1", 4095));
        assertFalse(qos.admitQueuePair("c1", 4096));
        qos.modified(config(2, 0, "token-bucket"));
        assertTrue(qos.admitQueuePair("c1", 1));
        assertFalse(qos.admitQueuePair("c1", 2));
    }

    @Test
    void noRateMeansUnlimited() {
        qos.activate(config(4096, 0, "token-bucket"));
        assertSame(RateLimiter.UNLIMITED, qos.limiterFor("c1", "t", 2));
    }

    @Test
    void aRateGivesEachQpItsOwnBucket() {
        qos.activate(config(4096, 8, "token-bucket"));
        qos.addAlgorithm(new TokenBucketAlgorithm(), Map.of(QosAlgorithm.PROPERTY, "token-bucket"));
        RateLimiter a = qos.limiterFor("c1", "t", 2);
        RateLimiter b = qos.limiterFor("c1", "t", 3);
        assertNotEquals(RateLimiter.UNLIMITED, a);
        assertEquals(0, a.tryAcquire(64 * 1024, 0));
        assertTrue(a.tryAcquire(64 * 1024, 0) > 0);
        assertEquals(0, b.tryAcquire(64 * 1024, 0), "b has its own bucket");
    }

    @Test
    void picksTheConfiguredAlgorithmFromTheWhiteboard() {
        Map<String, String> seen = new HashMap<>();
        RateLimiter custom = (bytes, now) -> 42;
        QosAlgorithm wfq = new QosAlgorithm() {
            @Override
            public String name() {
                return "wfq";
            }

            @Override
            public RateLimiter newLimiter(Map<String, String> parameters) {
                seen.putAll(parameters);
                return custom;
            }
        };
        qos.activate(config(4096, 100, "wfq"));
        qos.addAlgorithm(wfq, Map.of(QosAlgorithm.PROPERTY, "wfq"));
        assertSame(custom, qos.limiterFor("c7", "acme", 0x1234));
        assertEquals("100", seen.get("rateMbps"));
        assertEquals("c7", seen.get("container"));
        assertEquals("acme", seen.get("tenant"));
        assertEquals(Integer.toString(0x1234), seen.get("qpn"));

        qos.removeAlgorithm(wfq, Map.of(QosAlgorithm.PROPERTY, "wfq"));
        RateLimiter fallback = qos.limiterFor("c7", "acme", 0x1235);
        assertTrue(fallback instanceof TokenBucket, "falls back to the built-in token bucket");
    }

    private static QosManager.Config config(int maxQps, long rateMbps, String algorithm) {
        return new QosManager.Config() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return QosManager.Config.class;
            }

            @Override
            public int maxQpsPerContainer() {
                return maxQps;
            }

            @Override
            public long defaultRateMbps() {
                return rateMbps;
            }

            @Override
            public long defaultBurstBytes() {
                return 0;
            }

            @Override
            public String algorithm() {
                return algorithm;
            }
        };
    }
}
