package org.freeflow.fastpath.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether this machine has more runnable threads than CPUs.  Then an idle
 * poller that spins keeps a runnable thread off a CPU, and that thread is
 * often the application whose next message the poller waits for: a
 * ping-pong whose two programs spin on their memory (ib_write_lat) and two
 * spinning pollers on two CPUs ran one message per spin window (1 ms) while
 * {@code Thread.yield()} gave nothing away.  An adaptive poller therefore
 * sleeps as soon as it is idle on a contended machine.
 *
 * <p>The count is the kernel's instantaneous number of runnable threads (the
 * fourth field of {@code /proc/loadavg}, the reader included), read at most
 * once per {@link #REFRESH_NANOS}.  One instance belongs to one poller thread.
 */
final class CpuContention {

    /** How long one reading of the runnable count is used. */
    static final long REFRESH_NANOS = 100_000;
    /** The count's source: the kernel's. */
    static final Path LOADAVG = Path.of("/proc/loadavg");

    private static final Logger LOG = LoggerFactory.getLogger(CpuContention.class);

    private final IntSupplier runnableThreads;
    private final int cpus;
    private boolean read;
    private long readAt;
    private boolean contended;

    /**
     * @param runnableThreads the number of runnable threads now, or a negative
     *                        number when it cannot tell (then: not contended)
     * @param cpus            the CPUs this process may run on
     */
    CpuContention(IntSupplier runnableThreads, int cpus) {
        this.runnableThreads = runnableThreads;
        this.cpus = cpus;
    }

    /** Counts the kernel's runnable threads against the CPUs this process may use. */
    static CpuContention ofThisMachine() {
        return new CpuContention(new LoadAvg(LOADAVG), Runtime.getRuntime().availableProcessors());
    }

    /** More runnable threads than CPUs, as of a reading at most {@link #REFRESH_NANOS} before {@code now}. */
    boolean contended(long now) {
        if (!read || now - readAt >= REFRESH_NANOS) {
            int runnable = runnableThreads.getAsInt();
            contended = runnable > cpus;
            readAt = now;
            read = true;
        }
        return contended;
    }

    /** Reads the runnable count from a loadavg file ("0.52 0.58 0.59 3/812 12345"); -1 when it cannot. */
    static final class LoadAvg implements IntSupplier {

        private final Path path;
        private final ByteBuffer buffer = ByteBuffer.allocateDirect(128);
        private FileChannel channel;
        private boolean failed;

        LoadAvg(Path path) {
            this.path = path;
        }

        @Override
        public int getAsInt() {
            if (failed) {
                return -1;
            }
            try {
                if (channel == null) {
                    channel = FileChannel.open(path, StandardOpenOption.READ);
                }
                buffer.clear();
                channel.read(buffer, 0);
                buffer.flip();
                int runnable = runnableField(buffer);
                if (runnable < 0) {
                    giveUp("no runnable count in " + path, null);
                }
                return runnable;
            } catch (IOException e) {
                giveUp("cannot read " + path, e);
                return -1;
            }
        }

        private void giveUp(String why, IOException e) {
            failed = true;
            LOG.warn("{}: adaptive pollers spin their full window whatever the CPUs' load", why, e);
        }

        /** The number before the '/' of the fourth space-separated field; -1 if there is none. */
        static int runnableField(ByteBuffer text) {
            int spaces = 0;
            int value = -1;
            while (text.hasRemaining()) {
                byte b = text.get();
                if (spaces < 3) {
                    if (b == ' ') {
                        spaces++;
                    }
                } else if (b >= '0' && b <= '9') {
                    value = (value < 0 ? 0 : value * 10) + (b - '0');
                } else {
                    return b == '/' ? value : -1;
                }
            }
            return -1;
        }
    }
}
