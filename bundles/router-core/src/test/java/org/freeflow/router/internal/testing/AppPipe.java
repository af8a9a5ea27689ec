package org.freeflow.router.internal.testing;

import java.nio.file.Path;
import org.freeflow.posix.api.FileDescriptors;
import org.freeflow.posix.api.PosixException;

/**
 * What a hostile application can do to the reading end of a notification
 * pipe the router gave it (a completion channel, the async event fd): fill
 * the pipe through a writing end it opens on it ({@code /proc/self/fd/N}),
 * so that every byte the router writes finds it full; or empty it.
 */
public final class AppPipe {

    private AppPipe() {
    }

    /** Fills the pipe of reading end {@code fd} (this process's descriptor) without blocking. */
    public static void fill(int fd) {
        int writer;
        try {
            writer = FileDescriptors.openWriteOnlyNonBlocking(Path.of("/proc/self/fd", Integer.toString(fd)));
        } catch (PosixException e) {
            throw new IllegalStateException("cannot open a writing end on pipe " + fd, e);
        }
        try {
            byte[] chunk = new byte[65536];
            while (FileDescriptors.tryWrite(writer, chunk) > 0) {
                // until the pipe is full (a non-blocking write takes what fits)
            }
        } finally {
            FileDescriptors.closeQuietly(writer);
        }
    }

    /** Empties the pipe of reading end {@code fd}, leaving its blocking mode as it was; returns the bytes read. */
    public static long drain(int fd) {
        try {
            boolean nonBlocking = FileDescriptors.isNonBlocking(fd);
            FileDescriptors.setNonBlocking(fd, true);
            try {
                byte[] buffer = new byte[4096];
                long total = 0;
                for (int n; (n = FileDescriptors.read(fd, buffer)) > 0; ) {
                    total += n;
                }
                return total;
            } finally {
                FileDescriptors.setNonBlocking(fd, nonBlocking);
            }
        } catch (PosixException e) {
            throw new IllegalStateException("cannot drain pipe " + fd, e);
        }
    }
}
