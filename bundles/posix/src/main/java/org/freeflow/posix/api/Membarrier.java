package org.freeflow.posix.api;

import com.sun.jna.Platform;
import org.freeflow.posix.internal.DirectLibC;
import org.freeflow.posix.internal.Syscalls;

/**
 * membarrier(2), global expedited: a full memory barrier on every CPU that
 * runs a thread of a process registered for it.  With it, a rare path (a
 * poller about to sleep) pays for the ordering that a hot path (every post
 * in the FFL) would otherwise pay with a fence of its own.
 */
public final class Membarrier {

    static final int CMD_QUERY = 0;
    static final int CMD_GLOBAL_EXPEDITED = 1 << 1;

    private static final long NR_MEMBARRIER = syscallNumber();

    private Membarrier() {
    }

    private static long syscallNumber() {
        if (Platform.isLinux() && Platform.is64Bit() && Platform.isIntel()) {
            return 324;
        }
        if (Platform.isLinux() && Platform.isARM() && Platform.is64Bit()) {
            return 283;
        }
        return -1;
    }

    /** True when this kernel offers MEMBARRIER_CMD_GLOBAL_EXPEDITED. */
    public static boolean globalExpeditedSupported() {
        if (NR_MEMBARRIER < 0) {
            return false;
        }
        long commands = DirectLibC.syscall(NR_MEMBARRIER, CMD_QUERY, 0, 0);
        return commands >= 0 && (commands & CMD_GLOBAL_EXPEDITED) != 0;
    }

    /** Runs a full barrier on every CPU that runs a thread of a registered process. */
    public static void globalExpedited() throws PosixException {
        if (NR_MEMBARRIER < 0) {
            throw new PosixException("membarrier", Errno.ENOSYS);
        }
        Syscalls.check(DirectLibC.syscall(NR_MEMBARRIER, CMD_GLOBAL_EXPEDITED, 0, 0), "membarrier");
    }
}
