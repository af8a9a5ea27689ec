package org.freeflow.fastpath.api;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A small non-reentrant lock for the data path: one compare-and-set to take
 * it, one release store to give it back (a {@code ReentrantLock} also pays a
 * full fence on every unlock, which stalls behind the stores to the shared
 * rings just made).  Held only for short, non-blocking sections; a waiter
 * spins and yields now and then, so a holder that lost its CPU gets it back
 * on a small machine.
 */
public final class SpinLock {

    private static final int SPINS_BEFORE_YIELD = 64;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(SpinLock.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // through STATE
    private volatile int state;

    /** Takes the lock; never reentrant. */
    public void lock() {
        if (!STATE.compareAndSet(this, 0, 1)) {
            contended();
        }
    }

    /** Takes the lock if it is free, at once; false (and not taken) when another thread holds it. */
    public boolean tryLock() {
        return STATE.compareAndSet(this, 0, 1);
    }

    /** Gives the lock back (only its holder). */
    public void unlock() {
        STATE.setRelease(this, 0);
    }

    private void contended() {
        int spins = 0;
        do {
            if (++spins % SPINS_BEFORE_YIELD == 0) {
                Thread.yield();
            } else {
                Thread.onSpinWait();
            }
        } while ((int) STATE.getAcquire(this) != 0 || !STATE.compareAndSet(this, 0, 1));
    }
}
