package org.freeflow.posix.api;

import com.sun.jna.Memory;
import java.io.Closeable;
import org.freeflow.posix.internal.DirectLibC;
import org.freeflow.posix.internal.LibC;
import org.freeflow.posix.internal.Syscalls;

/**
 * An eventfd(2) counter: a pollable wake-up between threads or processes.
 * {@link #signal} and {@link #drain} are one system call each,
 * {@link #trySignal} two, and none allocates, so the data path may use them.
 */
public final class EventFd implements Closeable {

    /** eventfd flag: non-blocking reads. */
    public static final int EFD_NONBLOCK = 0x800;
    /** eventfd flag: close on exec. */
    public static final int EFD_CLOEXEC = 0x80000;
    /** eventfd flag: reads decrement by one. */
    public static final int EFD_SEMAPHORE = 0x1;

    private final int fd;
    private final Memory value = new Memory(8);
    /** {@link #trySignal}'s look at whether a write of 1 could block; made on first use. */
    private PollSet writable;
    private boolean closed;

    private EventFd(int fd) {
        this.fd = fd;
    }

    /** A new eventfd with counter 0; {@code flags} are EFD_* bits (CLOEXEC is always set). */
    public static EventFd create(int flags) throws PosixException {
        return new EventFd(Syscalls.check(LibC.INSTANCE.eventfd(0, flags | EFD_CLOEXEC), "eventfd"));
    }

    /**
     * Wraps an eventfd this process received (e.g. as SCM_RIGHTS) and takes
     * ownership of {@code fd}: {@link #close()} closes it.  Nothing checks that
     * it is an eventfd; a write to something else fails or does harm only to
     * that file, which the sender handed over.
     */
    public static EventFd adopt(int fd) {
        if (fd < 0) {
            throw new IllegalArgumentException("no descriptor: " + fd);
        }
        return new EventFd(fd);
    }

    /** Adds {@code n} (> 0) to the counter, waking readers. */
    public synchronized void signal(long n) throws PosixException {
        value.setLong(0, n);
        if (DirectLibC.write(fd, value, 8) < 0) {
            throw new PosixException("write(eventfd)", Syscalls.lastErrno());
        }
    }

    /**
     * Adds 1 to the counter; false (nothing thrown, nothing logged) when the
     * write failed or could block.  A write blocks (on a blocking descriptor)
     * while the counter is full, 2^64 - 2, until someone reads, and a
     * poller or the control thread must never wait.  A full counter is
     * readable anyway, so the wake-up is not lost.  (Another process sharing
     * the eventfd could still fill it between this look and the write: hand
     * no eventfd the router signals to a process it does not trust; the
     * router gives containers pipes instead, see {@link Pipe}.)
     */
    public synchronized boolean trySignal() {
        if (writable == null) {
            writable = new PollSet(1);
            writable.add(fd, PollSet.POLLOUT);
        }
        try {
            if (writable.pollNanos(0) == 0 || (writable.revents(0) & PollSet.POLLOUT) == 0) {
                return false;
            }
        } catch (PosixException e) {
            return false;
        }
        value.setLong(0, 1L);
        return DirectLibC.write(fd, value, 8) == 8;
    }

    /**
     * Reads and resets the counter.  Returns 0 when non-blocking and the
     * counter is 0.
     */
    public synchronized long drain() throws PosixException {
        long n = DirectLibC.read(fd, value, 8);
        if (n < 0) {
            int errno = Syscalls.lastErrno();
            if (errno == Errno.EAGAIN) {
                return 0;
            }
            throw new PosixException("read(eventfd)", errno);
        }
        return value.getLong(0);
    }

    /** The descriptor, for {@link PollSet} or to hand to another process. */
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
