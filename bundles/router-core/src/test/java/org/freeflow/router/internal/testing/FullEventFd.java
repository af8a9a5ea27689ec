package org.freeflow.router.internal.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.freeflow.posix.api.EventFd;
import org.freeflow.posix.api.FileDescriptors;
import org.freeflow.posix.api.PosixException;

/**
 * What a hostile application can do to an eventfd it shares with the
 * router (a completion channel, the async event fd): add to its counter
 * until it is full (0xfffffffffffffffe), after which a write of 1 blocks
 * while the descriptor is a blocking one, as both are.
 */
public final class FullEventFd {

    /** The largest value an eventfd counter holds. */
    public static final long MAX = 0xfffffffffffffffeL;

    private FullEventFd() {
    }

    /** The counter of eventfd {@code fd}, as {@code /proc/self/fdinfo} shows it. */
    public static long count(int fd) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo", Integer.toString(fd)))) {
                if (line.startsWith("eventfd-count:")) {
                    return Long.parseUnsignedLong(line.substring("eventfd-count:".length()).trim(), 16);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("no fdinfo of " + fd, e);
        }
        throw new IllegalStateException("descriptor " + fd + " is no eventfd");
    }

    /** Fills the counter of eventfd {@code fd} (this process's descriptor) without blocking. */
    public static void fill(int fd) {
        long room = MAX - count(fd);
        if (room == 0) {
            return;
        }
        try (EventFd e = EventFd.adopt(FileDescriptors.duplicate(fd))) {
            e.signal(room);
        } catch (PosixException e) {
            throw new IllegalStateException("cannot fill eventfd " + fd, e);
        }
    }
}
