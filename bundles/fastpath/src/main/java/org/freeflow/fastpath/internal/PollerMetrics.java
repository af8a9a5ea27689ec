package org.freeflow.fastpath.internal;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.LinkedHashMap;
import java.util.Map;
import org.freeflow.fastpath.api.PollerMode;

/** The pollers' figures as the management plane shows them (Prometheus-style names, a poller label). */
final class PollerMetrics {

    private static final String PREFIX = "freeflow_fastpath_";

    private PollerMetrics() {
    }

    static Map<String, Number> of(PollLoop[] loops, PollerMode mode) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Map<String, Number> m = new LinkedHashMap<>();
        m.put(PREFIX + "pollers", loops.length);
        for (PollLoop l : loops) {
            String label = "{poller=\"" + l.index + "\"}";
            PollerStats s = l.stats;
            m.put(PREFIX + "mode" + label, mode.abiValue());
            m.put(PREFIX + "targets" + label, l.targetCount());
            m.put(PREFIX + "asleep" + label, l.asleep() ? 1 : 0);
            m.put(PREFIX + "rounds_total" + label, s.rounds());
            m.put(PREFIX + "work_total" + label, s.work());
            m.put(PREFIX + "sleeps_total" + label, s.sleeps());
            m.put(PREFIX + "doorbell_wakeups_total" + label, s.doorbellWakeups());
            m.put(PREFIX + "timer_wakeups_total" + label, s.timerWakeups());
            m.put(PREFIX + "task_wakeups_total" + label, s.taskWakeups());
            m.put(PREFIX + "membarriers_total" + label, s.membarriers());
            m.put(PREFIX + "contended_sleeps_total" + label, s.contendedSleeps());
            Thread t = l.thread();
            long cpu = t == null ? -1 : threads.getThreadCpuTime(t.getId());
            if (cpu >= 0) {
                m.put(PREFIX + "cpu_seconds_total" + label, cpu / 1e9);
            }
        }
        return m;
    }
}
