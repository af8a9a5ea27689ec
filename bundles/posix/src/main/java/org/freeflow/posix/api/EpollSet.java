package org.freeflow.posix.api;

import com.sun.jna.Memory;
import java.io.Closeable;
import org.freeflow.posix.internal.DirectLibC;
import org.freeflow.posix.internal.LibC;
import org.freeflow.posix.internal.Syscalls;

/**
 * An epoll(7) instance watching descriptors for input, level-triggered.  Its
 * own descriptor is readable while one of them is, so a thread can sleep on
 * it among others (in a {@link PollSet}) and then ask {@link #ready} which.
 * {@link #add} and {@link #remove} may run on any thread; {@link #ready}
 * allocates nothing.
 */
public final class EpollSet implements Closeable {

    private static final boolean X86_64 = "amd64".equals(System.getProperty("os.arch"))
            || "x86_64".equals(System.getProperty("os.arch"));
    /** struct epoll_event is packed on x86_64 (u32 events, u64 data), naturally aligned elsewhere. */
    private static final int EVENT_SIZE = X86_64 ? 12 : 16;
    private static final int DATA_OFFSET = X86_64 ? 4 : 8;

    private final int fd;
    private final Memory ctl = new Memory(16);
    private final Memory events;
    private final int capacity;
    private boolean closed;

    /** A new instance; {@link #ready} reports at most {@code capacity} descriptors per call. */
    public EpollSet(int capacity) throws PosixException {
        this.capacity = capacity;
        this.events = new Memory((long) capacity * EVENT_SIZE);
        this.fd = Syscalls.check(LibC.INSTANCE.epoll_create1(LibC.O_CLOEXEC), "epoll_create1");
    }

    /** Watches {@code watched} for input; {@link #data} reports {@code data} for it. */
    public synchronized void add(int watched, long data) throws PosixException {
        ctl.clear();
        ctl.setInt(0, LibC.EPOLLIN);
        ctl.setLong(DATA_OFFSET, data);
        Syscalls.check(LibC.INSTANCE.epoll_ctl(fd, LibC.EPOLL_CTL_ADD, watched, ctl), "epoll_ctl(ADD, " + watched + ")");
    }

    /** Stops watching {@code watched} (before it is closed). */
    public synchronized void remove(int watched) throws PosixException {
        Syscalls.check(LibC.INSTANCE.epoll_ctl(fd, LibC.EPOLL_CTL_DEL, watched, ctl), "epoll_ctl(DEL, " + watched + ")");
    }

    /**
     * The descriptors ready now, without waiting: returns how many, whose
     * data {@link #data} then gives.  One caller at a time.
     */
    public synchronized int ready() throws PosixException {
        while (true) {
            int n = DirectLibC.epoll_wait(fd, events, capacity, 0);
            if (n >= 0) {
                return n;
            }
            int errno = Syscalls.lastErrno();
            if (errno != Errno.EINTR) {
                throw new PosixException("epoll_wait", errno);
            }
        }
    }

    /** The data of the {@code index}th descriptor of the last {@link #ready}. */
    public synchronized long data(int index) {
        return events.getLong((long) index * EVENT_SIZE + DATA_OFFSET);
    }

    /** The instance's own descriptor, readable while a watched one is. */
    public int fd() {
        return fd;
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            LibC.INSTANCE.close(fd);
        }
    }
}
