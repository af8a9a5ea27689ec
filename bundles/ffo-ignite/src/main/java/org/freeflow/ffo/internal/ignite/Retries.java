package org.freeflow.ffo.internal.ignite;

import java.util.function.IntToLongFunction;
import java.util.function.Predicate;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Running an Ignite call again when it failed for a passing reason (nodes
 * joining or leaving while it ran, another node making the same table).
 */
final class Retries {

    private static final Logger LOG = LoggerFactory.getLogger(Retries.class);

    private Retries() {
    }

    /**
     * {@code action}'s result; a failure that {@code passing} accepts is tried
     * again after {@code pauseMillis(attempt)}, up to {@code attempts} tries in
     * all; any other failure, or the last one, is thrown.
     */
    static <T> T retry(String what, int attempts, IntToLongFunction pauseMillis,
            Predicate<RuntimeException> passing, Supplier<T> action) {
        for (int attempt = 1; ; attempt++) {
            try {
                return action.get();
            } catch (RuntimeException e) {
                if (attempt == attempts || !passing.test(e)) {
                    throw e;
                }
                LOG.debug("{}: {} (attempt {} of {}); once more", what, e.getMessage(), attempt, attempts);
                try {
                    Thread.sleep(pauseMillis.applyAsLong(attempt));
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }
}
