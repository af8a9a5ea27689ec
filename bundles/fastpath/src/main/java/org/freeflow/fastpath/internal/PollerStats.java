package org.freeflow.fastpath.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The counters of one poller.  Only its thread writes them (opaque stores:
 * plain moves, no fence); others read them, slightly stale.
 */
final class PollerStats {

    private static final VarHandle ROUNDS;
    private static final VarHandle WORK;
    private static final VarHandle SLEEPS;
    private static final VarHandle DOORBELL_WAKEUPS;
    private static final VarHandle TIMER_WAKEUPS;
    private static final VarHandle TASK_WAKEUPS;
    private static final VarHandle MEMBARRIERS;
    private static final VarHandle CONTENDED_SLEEPS;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            ROUNDS = lookup.findVarHandle(PollerStats.class, "rounds", long.class);
            WORK = lookup.findVarHandle(PollerStats.class, "work", long.class);
            SLEEPS = lookup.findVarHandle(PollerStats.class, "sleeps", long.class);
            DOORBELL_WAKEUPS = lookup.findVarHandle(PollerStats.class, "doorbellWakeups", long.class);
            TIMER_WAKEUPS = lookup.findVarHandle(PollerStats.class, "timerWakeups", long.class);
            TASK_WAKEUPS = lookup.findVarHandle(PollerStats.class, "taskWakeups", long.class);
            MEMBARRIERS = lookup.findVarHandle(PollerStats.class, "membarriers", long.class);
            CONTENDED_SLEEPS = lookup.findVarHandle(PollerStats.class, "contendedSleeps", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private long rounds;
    private long work;
    private long sleeps;
    private long doorbellWakeups;
    private long timerWakeups;
    private long taskWakeups;
    private long membarriers;
    private long contendedSleeps;

    void round(int progressVisits) {
        ROUNDS.setOpaque(this, rounds + 1);
        if (progressVisits != 0) {
            WORK.setOpaque(this, work + progressVisits);
        }
    }

    void sleep() {
        SLEEPS.setOpaque(this, sleeps + 1);
    }

    void doorbellWakeup() {
        DOORBELL_WAKEUPS.setOpaque(this, doorbellWakeups + 1);
    }

    void timerWakeup() {
        TIMER_WAKEUPS.setOpaque(this, timerWakeups + 1);
    }

    void taskWakeup() {
        TASK_WAKEUPS.setOpaque(this, taskWakeups + 1);
    }

    void membarrier() {
        MEMBARRIERS.setOpaque(this, membarriers + 1);
    }

    void contendedSleep() {
        CONTENDED_SLEEPS.setOpaque(this, contendedSleeps + 1);
    }

    /** Rounds over the poller's targets. */
    long rounds() {
        return (long) ROUNDS.getOpaque(this);
    }

    /** Target visits that made progress. */
    long work() {
        return (long) WORK.getOpaque(this);
    }

    /** Times the poller went to sleep (set its sleeping bit). */
    long sleeps() {
        return (long) SLEEPS.getOpaque(this);
    }

    /** Sleeps ended by the doorbell (the FFL's, or another poller's passed on). */
    long doorbellWakeups() {
        return (long) DOORBELL_WAKEUPS.getOpaque(this);
    }

    /** Sleeps ended by a target's deadline. */
    long timerWakeups() {
        return (long) TIMER_WAKEUPS.getOpaque(this);
    }

    /** Sleeps ended by the router itself: a task, a configuration change, another poller. */
    long taskWakeups() {
        return (long) TASK_WAKEUPS.getOpaque(this);
    }

    /** membarrier calls before a sleep (a membarrier page's naps that nothing ended). */
    long membarriers() {
        return (long) MEMBARRIERS.getOpaque(this);
    }

    /** Adaptive sleeps taken before the spin window ran out because the machine's CPUs were contended. */
    long contendedSleeps() {
        return (long) CONTENDED_SLEEPS.getOpaque(this);
    }
}
