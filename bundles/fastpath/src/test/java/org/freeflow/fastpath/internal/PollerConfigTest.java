package org.freeflow.fastpath.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.annotation.Annotation;
import org.freeflow.fastpath.api.PollerMode;
import org.junit.jupiter.api.Test;

/** What Config Admin values become: good ones apply, bad ones keep what runs. */
class PollerConfigTest {

    private static Poller.Config config(String mode, int pollers, String cpus, int yieldEvery, long spin) {
        return config(mode, pollers, cpus, yieldEvery, spin, PollerSettings.DEFAULT_READY_SPIN_MILLIS);
    }

    private static Poller.Config config(String mode, int pollers, String cpus, int yieldEvery, long spin,
            long ready) {
        return new Poller.Config() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return Poller.Config.class;
            }

            @Override
            public String mode() {
                return mode;
            }

            @Override
            public int pollers() {
                return pollers;
            }

            @Override
            public String cpuAffinity() {
                return cpus;
            }

            @Override
            public int yieldEvery() {
                return yieldEvery;
            }

            @Override
            public long adaptiveSpinMicros() {
                return spin;
            }

            @Override
            public long readySpinMillis() {
                return ready;
            }
        };
    }

    @Test
    void goodValuesApply() {
        PollerSettings s = Poller.settings(config("LowCpu", 3, "1,3-4", 8, 250, 7), PollerSettings.defaults());
        assertEquals(new PollerSettings(PollerMode.LOWCPU, 3, new int[] {1, 3, 4}, 8, 250, 7), s);
    }

    @Test
    void badValuesKeepWhatRuns() {
        PollerSettings running = new PollerSettings(PollerMode.FASTPATH, 2, new int[] {1}, 4, 50, 20);
        assertEquals(running, Poller.settings(config("turbo", 0, "x-y", 0, -5, -1), running));
        assertEquals(running.withPollers(32), Poller.settings(config("fastpath", 32, "1", 4, 50, 20), running));
        assertEquals(running, Poller.settings(config("fastpath", 33, "1", 4, 50, 20), running));
    }

    @Test
    void theComponentAppliesConfigurationLiveAndStops() throws Exception {
        Poller poller = new Poller(config("adaptive", 1, "", 16, 100));
        try {
            TestRing ring = new TestRing();
            poller.register(ring);
            poller.modified(config("lowcpu", 2, "", 16, 100));
            assertEquals(2, poller.metrics().get("freeflow_fastpath_pollers"));
            assertEquals(org.freeflow.fastpath.api.Abi.MODE_LOWCPU, poller.metrics().get("freeflow_fastpath_mode{poller=\"1\"}"));
            ring.publish();
            try (FflBell bell = new FflBell(poller)) {
                bell.ring();
            }
            PollerGroupTest.await(ring::drained, "the moved ring is still served");
        } finally {
            poller.deactivate();
        }
    }

    @Test
    void defaultsAreAdaptiveOnOnePollerUnpinned() {
        assertEquals(new PollerSettings(PollerMode.ADAPTIVE, 1, new int[0], 16, 1000, 100), PollerSettings.defaults());
    }
}
