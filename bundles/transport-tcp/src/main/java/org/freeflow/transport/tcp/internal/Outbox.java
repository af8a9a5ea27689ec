package org.freeflow.transport.tcp.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.util.Arrays;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The frames queued for one non-blocking socket and the write ownership:
 * whichever thread holds it writes what is queued, in queueing order, in
 * gathering writes of up to {@link #BATCH} frames, until the queue is empty
 * or the socket takes no more ({@link #blocked}: then the connection's I/O
 * thread goes on once the socket is writable).  A frame is written whole,
 * once, never interleaved with another, even when its writes are spread
 * over several threads.  A thread that finds the ownership taken leaves
 * its frame to the owner, who looks at the queue again after giving the
 * ownership up: no frame is left behind.
 */
final class Outbox {

    static final int BATCH = 64;
    /** At most this much is offered to one write (the JDK copies heap buffers into direct ones first). */
    static final int MAX_WRITE = 1 << 20;

    /** What {@link #drain} did. */
    enum Drained {
        /** Everything queued was written. */
        EMPTY,
        /** The socket takes no more: the rest waits until it is writable. */
        BLOCKED,
        /** Another thread writes: it writes what was queued too. */
        TAKEN
    }

    private final Queue<ByteBuffer> queue = new ConcurrentLinkedQueue<>();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final ReentrantLock owner = new ReentrantLock();
    /** The owner's frames taken from the queue and not written whole yet: batch[from..to). */
    private final ByteBuffer[] batch = new ByteBuffer[BATCH];
    private int from;
    private int to;
    private volatile boolean blocked;

    /** Queues {@code frame} (position..limit) after those queued before. */
    void add(ByteBuffer frame) {
        queuedBytes.addAndGet(frame.remaining());
        queue.add(frame);
    }

    /** Bytes queued and not written yet. */
    long queuedBytes() {
        return queuedBytes.get();
    }

    /** True when the socket took no more at the last write: only the I/O thread writes until it does again. */
    boolean blocked() {
        return blocked;
    }

    /** Forgets what is queued (the connection is closed). */
    void discard() {
        queue.clear();
    }

    /**
     * Writes what is queued to {@code channel} (non-blocking) if this thread gets the write ownership:
     * at once if free, else {@link Drained#TAKEN}; {@code wait}: waits for it (the I/O thread only: the
     * owner never waits for anything but its writes).
     */
    Drained drain(GatheringByteChannel channel, boolean wait) throws IOException {
        do {
            if (wait) {
                owner.lock();
            } else if (!owner.tryLock()) {
                return Drained.TAKEN;
            }
            boolean full;
            try {
                full = !writeQueued(channel);
                blocked = full;
            } finally {
                owner.unlock();
            }
            if (full) {
                return Drained.BLOCKED;
            }
        } while (!queue.isEmpty()); // queued while this thread still owned the writes: its sender left it here
        return Drained.EMPTY;
    }

    /** With the ownership: writes until nothing is left (true) or the socket takes less than offered (false). */
    private boolean writeQueued(GatheringByteChannel channel) throws IOException {
        while (true) {
            refill();
            if (from == to) {
                return true;
            }
            int end = from;
            long offered = 0;
            int clamped = -1;
            int limit = 0;
            while (end < to && offered < MAX_WRITE) {
                ByteBuffer b = batch[end];
                if (b.remaining() > MAX_WRITE - offered) {
                    clamped = end;
                    limit = b.limit();
                    b.limit(b.position() + (int) (MAX_WRITE - offered));
                }
                offered += b.remaining();
                end++;
            }
            long written;
            try {
                written = channel.write(batch, from, end - from);
            } finally {
                if (clamped >= 0) {
                    batch[clamped].limit(limit);
                }
            }
            queuedBytes.addAndGet(-written);
            while (from < to && !batch[from].hasRemaining()) {
                batch[from++] = null;
            }
            if (written < offered) {
                return false;
            }
        }
    }

    /** Moves the frames not written yet to the batch's start and tops it up from the queue. */
    private void refill() {
        if (from > 0) {
            System.arraycopy(batch, from, batch, 0, to - from);
            Arrays.fill(batch, to - from, to, null);
            to -= from;
            from = 0;
        }
        while (to < BATCH) {
            ByteBuffer next = queue.poll();
            if (next == null) {
                return;
            }
            batch[to++] = next;
        }
    }
}
