package org.freeflow.mgmt.internal.shell;

/** The commands' view of the orchestrator's services, which exist only while its node is in the cluster. */
final class Orchestrator {

    private Orchestrator() {
    }

    /** {@code service}, or the error a command prints when the orchestrator is not ready. */
    static <T> T ready(T service) {
        if (service == null) {
            throw new IllegalStateException("the orchestrator is not ready: this router's Ignite node is not in"
                    + " the cluster yet");
        }
        return service;
    }
}
