package org.freeflow.router.internal.control;

import java.util.concurrent.CompletionException;

/** The failures of the stages a deferred reply waits for. */
final class Failures {

    private Failures() {
    }

    /** What failed: the cause a CompletionException wraps, or the failure itself. */
    static Throwable cause(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }
}
