package org.freeflow.router.internal.control;

/** The server side of one connection: answers its requests, frees its objects when it closes. */
public interface Session {

    /**
     * Answers one well-formed request (good header) by filling {@code reply};
     * throws {@link org.freeflow.router.internal.vnic.VerbsException} to refuse it.
     */
    void handle(Request request, Reply reply);

    /** True when the connection ends once this reply is sent (a refused peer). */
    default boolean endsAfterReply() {
        return false;
    }

    /**
     * True when a refused request's reply carries the reason as text (the
     * admin socket, whose peer is the operator's tooling); a container's
     * session answers with the errno alone and tells it nothing of the router.
     */
    default boolean explainsFailures() {
        return false;
    }

    /** The connection closed: free everything it created. */
    void close();
}
