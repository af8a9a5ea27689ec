package org.freeflow.fastpath.internal;

import java.util.Arrays;
import java.util.TreeSet;
import org.freeflow.fastpath.api.PollerMode;

/**
 * The pollers' configuration (PID {@code org.freeflow.fastpath}), checked.
 *
 * @param mode               how pollers wait for work
 * @param pollers            number of poller threads, 1..{@link #MAX_POLLERS}
 * @param cpus               CPUs to pin to, poller i on {@code cpus[i % length]}; empty: not pinned
 * @param yieldEvery         empty rounds between two Thread.yield() while spinning, ≥ 1
 * @param adaptiveSpinMicros adaptive mode: idle time before a poller sleeps, ≥ 0
 * @param readySpinMillis    adaptive mode: how long no poller sleeps after work was announced
 *                           ({@link org.freeflow.fastpath.api.PollerService#expectWork()}), ≥ 0
 */
public record PollerSettings(PollerMode mode, int pollers, int[] cpus, int yieldEvery, long adaptiveSpinMicros,
        long readySpinMillis) {

    /** One bit per poller in ff_router_shm.sleeping. */
    public static final int MAX_POLLERS = 32;

    /** Adaptive spin before sleeping, see docs/design.md. */
    public static final long DEFAULT_ADAPTIVE_SPIN_MICROS = 1000;

    /**
     * Adaptive spin after a QP became ready: longer than an application's
     * exchange of QP numbers with its peer between the modify and its first
     * post (perftest's takes a few milliseconds), see docs/design.md.
     */
    public static final long DEFAULT_READY_SPIN_MILLIS = 100;

    public PollerSettings {
        if (mode == null) {
            throw new IllegalArgumentException("no mode");
        }
        if (pollers < 1 || pollers > MAX_POLLERS) {
            throw new IllegalArgumentException("pollers must be 1.." + MAX_POLLERS + ": " + pollers);
        }
        if (yieldEvery < 1) {
            throw new IllegalArgumentException("yieldEvery must be at least 1: " + yieldEvery);
        }
        if (adaptiveSpinMicros < 0) {
            throw new IllegalArgumentException("adaptiveSpinMicros must not be negative: " + adaptiveSpinMicros);
        }
        if (readySpinMillis < 0) {
            throw new IllegalArgumentException("readySpinMillis must not be negative: " + readySpinMillis);
        }
        cpus = cpus.clone();
    }

    /** The defaults: adaptive, one poller, not pinned. */
    public static PollerSettings defaults() {
        return new PollerSettings(PollerMode.ADAPTIVE, 1, new int[0], 16, DEFAULT_ADAPTIVE_SPIN_MICROS,
                DEFAULT_READY_SPIN_MILLIS);
    }

    @Override
    public int[] cpus() {
        return cpus.clone();
    }

    /** The same with another mode. */
    public PollerSettings withMode(PollerMode newMode) {
        return new PollerSettings(newMode, pollers, cpus, yieldEvery, adaptiveSpinMicros, readySpinMillis);
    }

    /** The same with another poller count. */
    public PollerSettings withPollers(int count) {
        return new PollerSettings(mode, count, cpus, yieldEvery, adaptiveSpinMicros, readySpinMillis);
    }

    /** The same with other CPUs. */
    public PollerSettings withCpus(int... list) {
        return new PollerSettings(mode, pollers, list, yieldEvery, adaptiveSpinMicros, readySpinMillis);
    }

    /**
     * Parses a CPU list as in taskset: {@code "0,2-3"}; blank: none.
     *
     * @throws IllegalArgumentException when it is not one
     */
    public static int[] parseCpus(String text) {
        TreeSet<Integer> cpus = new TreeSet<>();
        if (text == null || text.isBlank()) {
            return new int[0];
        }
        for (String part : text.split(",")) {
            String p = part.trim();
            try {
                int dash = p.indexOf('-');
                int from = Integer.parseInt(dash < 0 ? p : p.substring(0, dash).trim());
                int to = dash < 0 ? from : Integer.parseInt(p.substring(dash + 1).trim());
                if (from < 0 || to < from || to >= 1024) {
                    throw new IllegalArgumentException("bad CPU range '" + p + "' in '" + text + "'");
                }
                for (int cpu = from; cpu <= to; cpu++) {
                    cpus.add(cpu);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad CPU list '" + text + "' (e.g. 0,2-3)", e);
            }
        }
        return cpus.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PollerSettings s && mode == s.mode && pollers == s.pollers && Arrays.equals(cpus, s.cpus)
                && yieldEvery == s.yieldEvery && adaptiveSpinMicros == s.adaptiveSpinMicros
                && readySpinMillis == s.readySpinMillis;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(new Object[] {mode, pollers, Arrays.hashCode(cpus), yieldEvery, adaptiveSpinMicros,
            readySpinMillis});
    }

    @Override
    public String toString() {
        return "mode=" + mode.configName() + ", pollers=" + pollers + ", cpuAffinity="
                + (cpus.length == 0 ? "none" : Arrays.toString(cpus)) + ", yieldEvery=" + yieldEvery
                + ", adaptiveSpinMicros=" + adaptiveSpinMicros + ", readySpinMillis=" + readySpinMillis;
    }
}
