package org.freeflow.posix.internal;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/**
 * The few glibc calls the data path makes, bound by JNA direct mapping:
 * unlike an interface-mapped {@link LibC} call, a direct call boxes nothing
 * and allocates nothing.  Failures return -1; {@link Syscalls#lastErrno()}
 * then has the errno.
 */
public final class DirectLibC {

    static {
        Native.register(DirectLibC.class, NativeLibrary.getInstance("c"));
    }

    private DirectLibC() {
    }

    public static native long read(int fd, Pointer buf, long count);

    public static native long write(int fd, Pointer buf, long count);

    /** epoll_wait(2). */
    public static native int epoll_wait(int epfd, Pointer events, int maxevents, int timeout);

    /** syscall(2) with three int arguments (membarrier). */
    public static native long syscall(long number, int a, int b, int c);

    /** ppoll(2); {@code timeout} is a {@code struct timespec} or null (forever), {@code sigmask} null. */
    public static native int ppoll(Pointer fds, long nfds, Pointer timeout, Pointer sigmask);
}
