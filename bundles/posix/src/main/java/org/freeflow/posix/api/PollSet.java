package org.freeflow.posix.api;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import org.freeflow.posix.internal.DirectLibC;
import org.freeflow.posix.internal.LibC;
import org.freeflow.posix.internal.Syscalls;

/**
 * A reusable array of {@code struct pollfd} for {@code poll(2)}.  Fill it with
 * {@link #add}, call {@link #poll}, read {@link #revents}; {@link #clear} to
 * start over.  Not thread-safe.
 */
public final class PollSet {

    public static final short POLLIN = 0x1;
    public static final short POLLPRI = 0x2;
    public static final short POLLOUT = 0x4;
    public static final short POLLERR = 0x8;
    public static final short POLLHUP = 0x10;
    public static final short POLLNVAL = 0x20;

    private static final int POLLFD_SIZE = 8;

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final Memory timeout = new Memory(16);
    private Memory fds;
    private int size;

    /** An empty set with room for {@code capacity} descriptors (it grows). */
    public PollSet(int capacity) {
        fds = new Memory((long) Math.max(1, capacity) * POLLFD_SIZE);
    }

    /** Empties the set. */
    public void clear() {
        size = 0;
    }

    /** Adds {@code fd} waiting for {@code events}; returns its index. */
    public int add(int fd, short events) {
        if ((long) (size + 1) * POLLFD_SIZE > fds.size()) {
            Memory bigger = new Memory(fds.size() * 2);
            bigger.write(0, fds.getByteArray(0, size * POLLFD_SIZE), 0, size * POLLFD_SIZE);
            fds = bigger;
        }
        long off = (long) size * POLLFD_SIZE;
        fds.setInt(off, fd);
        fds.setShort(off + 4, events);
        fds.setShort(off + 6, (short) 0);
        return size++;
    }

    /** Number of descriptors in the set. */
    public int size() {
        return size;
    }

    /** The descriptor at {@code index}. */
    public int fd(int index) {
        return fds.getInt((long) index * POLLFD_SIZE);
    }

    /** The events returned for {@code index} by the last {@link #poll}. */
    public short revents(int index) {
        return fds.getShort((long) index * POLLFD_SIZE + 6);
    }

    /**
     * Waits up to {@code timeoutMillis} (-1 = forever) for an event; returns the
     * number of descriptors with events, 0 on timeout or signal.
     */
    public int poll(int timeoutMillis) throws PosixException {
        int n = LibC.INSTANCE.poll(fds, size, timeoutMillis);
        if (n < 0) {
            int errno = Syscalls.lastErrno();
            if (errno == Errno.EINTR) {
                return 0;
            }
            throw new PosixException("poll", errno);
        }
        return n;
    }

    /**
     * ppoll(2): waits up to {@code timeoutNanos} (negative = forever) for an
     * event; returns the number of descriptors with events, 0 on timeout or
     * signal.  Nanosecond resolution, and no allocation (the data path's
     * sleeping pollers use it).
     */
    public int pollNanos(long timeoutNanos) throws PosixException {
        Pointer tmo = null;
        if (timeoutNanos >= 0) {
            timeout.setLong(0, timeoutNanos / NANOS_PER_SECOND);
            timeout.setLong(8, timeoutNanos % NANOS_PER_SECOND);
            tmo = timeout;
        }
        int n = DirectLibC.ppoll(fds, size, tmo, null);
        if (n < 0) {
            int errno = Syscalls.lastErrno();
            if (errno == Errno.EINTR) {
                return 0;
            }
            throw new PosixException("ppoll", errno);
        }
        return n;
    }
}
