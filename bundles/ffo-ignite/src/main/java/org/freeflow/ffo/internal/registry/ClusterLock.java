package org.freeflow.ffo.internal.registry;

import java.util.function.Supplier;

/** Mutual exclusion across every router of the cluster (allocation is read-modify-write). */
@FunctionalInterface
public interface ClusterLock {

    /** Runs {@code action} while holding the lock. */
    <T> T withLock(Supplier<T> action);
}
