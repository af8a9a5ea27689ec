package org.freeflow.posix.api;

import com.sun.jna.Memory;
import java.io.Closeable;
import org.freeflow.posix.internal.DirectLibC;
import org.freeflow.posix.internal.LibC;
import org.freeflow.posix.internal.Syscalls;

/**
 * A pipe(2) between this process and another one, which gets one of its
 * ends.  Both ends stay open here until {@link #close()}, so the other
 * process closing its copy never turns a write into EPIPE (nor SIGPIPE) or a
 * read into end-of-file here.  The end this process uses is made
 * non-blocking on its own open file description, which the other process's
 * copy of the other end does not share: nothing that process does to its
 * descriptor (O_NONBLOCK either way, reading, writing, never reading) makes
 * {@link #writeByte()} or {@link #drain()} block.  Both are one system call
 * (drain: a few) and allocate nothing.
 */
public final class Pipe implements Closeable {

    private static final int DRAIN_BUFFER = 4096;
    /** Most bytes one {@link #drain()} reads: a peer that writes without end cannot hold it. */
    private static final int DRAIN_MAX = 64 * DRAIN_BUFFER;

    private final int readFd;
    private final int writeFd;
    private final Memory buffer;
    private boolean closed;

    private Pipe(int readFd, int writeFd, boolean reads) {
        this.readFd = readFd;
        this.writeFd = writeFd;
        this.buffer = new Memory(reads ? DRAIN_BUFFER : 1);
        buffer.setByte(0, (byte) 1);
    }

    /** A pipe whose writing end this process uses ({@link #writeByte()}) and whose reading end it hands over. */
    public static Pipe forWriting() throws PosixException {
        return open(false);
    }

    /** A pipe whose reading end this process uses ({@link #drain()}) and whose writing end it hands over. */
    public static Pipe forReading() throws PosixException {
        return open(true);
    }

    private static Pipe open(boolean reads) throws PosixException {
        int[] fds = new int[2];
        Syscalls.check(LibC.INSTANCE.pipe2(fds, LibC.O_CLOEXEC), "pipe2");
        try {
            int own = reads ? fds[0] : fds[1];
            int flags = Syscalls.check(LibC.INSTANCE.fcntl(own, LibC.F_GETFL, 0), "fcntl(F_GETFL)");
            Syscalls.check(LibC.INSTANCE.fcntl(own, LibC.F_SETFL, flags | LibC.O_NONBLOCK), "fcntl(F_SETFL)");
        } catch (PosixException e) {
            LibC.INSTANCE.close(fds[0]);
            LibC.INSTANCE.close(fds[1]);
            throw e;
        }
        return new Pipe(fds[0], fds[1], reads);
    }

    /**
     * Asks for room for {@code bytes} (F_SETPIPE_SZ); false when the kernel
     * refused (above /proc/sys/fs/pipe-max-size without CAP_SYS_RESOURCE).
     */
    public boolean capacity(int bytes) {
        return LibC.INSTANCE.fcntl(writeFd, LibC.F_SETPIPE_SZ, bytes) >= bytes;
    }

    /** The reading end. */
    public int readFd() {
        return readFd;
    }

    /** The writing end. */
    public int writeFd() {
        return writeFd;
    }

    /** Writes one byte; false (nothing thrown, nothing logged) when the pipe is full or the write failed. */
    public boolean writeByte() {
        return DirectLibC.write(writeFd, buffer, 1) == 1;
    }

    /**
     * Reads what is in the pipe, up to a bound, without blocking; returns the
     * bytes read (0 when it was empty).
     */
    public long drain() {
        long total = 0;
        while (total < DRAIN_MAX) {
            long n = DirectLibC.read(readFd, buffer, DRAIN_BUFFER);
            if (n <= 0) {
                if (n < 0 && Syscalls.lastErrno() == Errno.EINTR) {
                    continue;
                }
                break;
            }
            total += n;
        }
        return total;
    }

    /** Closes both ends (idempotent). */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            LibC.INSTANCE.close(readFd);
            LibC.INSTANCE.close(writeFd);
        }
    }
}
