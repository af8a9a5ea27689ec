package org.freeflow.posix.api;

import java.io.IOException;

/** A failed system call, with its errno. */
public class PosixException extends IOException {

    private static final long serialVersionUID = 1L;

    private final int errno;

    /**
     * @param call  the system call that failed, e.g. {@code "bind(/run/x.sock)"}
     * @param errno the errno it set
     */
    public PosixException(String call, int errno) {
        super(call + " failed: " + Errno.name(errno) + " (" + errno + ")");
        this.errno = errno;
    }

    /** The errno of the failed call. */
    public int errno() {
        return errno;
    }
}
