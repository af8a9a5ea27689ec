package org.freeflow.posix.api;

import com.sun.jna.Memory;
import java.util.Arrays;
import org.freeflow.posix.internal.LibC;
import org.freeflow.posix.internal.Syscalls;

/** Thread ids and CPU pinning (sched_setaffinity(2)) of Linux threads. */
public final class CpuAffinity {

    /** CPUs a mask can name: glibc's CPU_SETSIZE. */
    public static final int MAX_CPUS = 1024;

    private static final int MASK_BYTES = MAX_CPUS / 8;

    private CpuAffinity() {
    }

    /** The kernel thread id (gettid(2)) of the calling thread. */
    public static int currentThreadId() {
        return LibC.INSTANCE.gettid();
    }

    /**
     * Pins thread {@code tid} to {@code cpus} (it may run on any of them).
     * EINVAL when none of them is online.
     */
    public static void set(int tid, int... cpus) throws PosixException {
        if (cpus.length == 0) {
            throw new IllegalArgumentException("no CPU");
        }
        Memory mask = new Memory(MASK_BYTES);
        mask.clear();
        for (int cpu : cpus) {
            if (cpu < 0 || cpu >= MAX_CPUS) {
                throw new IllegalArgumentException("CPU " + cpu + " outside 0.." + (MAX_CPUS - 1));
            }
            long word = (long) (cpu / 64) * 8;
            mask.setLong(word, mask.getLong(word) | (1L << (cpu % 64)));
        }
        Syscalls.check(LibC.INSTANCE.sched_setaffinity(tid, MASK_BYTES, mask),
                "sched_setaffinity(" + tid + ", " + Arrays.toString(cpus) + ")");
    }

    /** The CPUs thread {@code tid} may run on, ascending. */
    public static int[] get(int tid) throws PosixException {
        Memory mask = new Memory(MASK_BYTES);
        mask.clear();
        Syscalls.check(LibC.INSTANCE.sched_getaffinity(tid, MASK_BYTES, mask), "sched_getaffinity(" + tid + ")");
        int[] cpus = new int[MAX_CPUS];
        int n = 0;
        for (int cpu = 0; cpu < MAX_CPUS; cpu++) {
            if ((mask.getLong((long) (cpu / 64) * 8) & (1L << (cpu % 64))) != 0) {
                cpus[n++] = cpu;
            }
        }
        return Arrays.copyOf(cpus, n);
    }
}
