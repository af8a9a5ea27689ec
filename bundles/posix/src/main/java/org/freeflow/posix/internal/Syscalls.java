package org.freeflow.posix.internal;

import com.sun.jna.Native;
import org.freeflow.posix.api.Errno;
import org.freeflow.posix.api.PosixException;

/** Turns C return conventions into exceptions. */
public final class Syscalls {

    private Syscalls() {
    }

    /** Returns {@code result}, or throws with the thread's errno when it is negative. */
    public static int check(int result, String call) throws PosixException {
        if (result < 0) {
            throw new PosixException(call, Native.getLastError());
        }
        return result;
    }

    /** Long variant of {@link #check(int, String)} for {@code ssize_t} results. */
    public static long check(long result, String call) throws PosixException {
        if (result < 0) {
            throw new PosixException(call, Native.getLastError());
        }
        return result;
    }

    /** The errno of the last failed call on this thread. */
    public static int lastErrno() {
        return Native.getLastError();
    }

    /** True for errnos that mean "try again": EAGAIN and EINTR. */
    public static boolean transientErrno(int errno) {
        return errno == Errno.EAGAIN || errno == Errno.EINTR;
    }
}
