package org.freeflow.router.internal.vnic;

/** A verbs request refused with an errno, which becomes the reply's status. */
public final class VerbsException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int errno;

    /**
     * @param errno  positive errno for the reply
     * @param reason what was wrong, for the DEBUG log
     */
    public VerbsException(int errno, String reason) {
        super(reason, null, false, false);
        this.errno = errno;
    }

    /** The reply status. */
    public int errno() {
        return errno;
    }
}
