package org.freeflow.router.internal;

import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/** Waiting for a result on a thread that may wait (never the control thread). */
final class Futures {

    private Futures() {
    }

    /** The stage's result; its failure rethrown as it was raised when it is unchecked. */
    static <T> T join(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }
}
