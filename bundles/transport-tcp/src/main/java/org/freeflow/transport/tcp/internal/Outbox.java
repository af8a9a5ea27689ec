package org.freeflow.transport.tcp.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.util.Arrays;
import java.util.List;
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
 * ownership up: no frame is left behind.  Answers ({@link #addAnswer}) go
 * ahead of the frames queued before them that are not being written yet:
 * the acknowledgements a router owes do not wait behind megabytes of its
 * own requests on a connection both directions share (they did, and in a
 * bidirectional stream each side's ACKs came later than the other's ACK
 * timeout).  The writer takes at most {@link #MAX_WRITE} bytes of other
 * frames at a time, so an answer waits for about that much at most.  A frame
 * may come in parts ({@link OutFrame}: its header, then views of registered
 * memory); they are taken into a batch together, so no answer comes between
 * them, and the frame's copy is released once written whole, or discarded.
 */
final class Outbox {

    /** Buffers one gathering write takes at most: a whole frame of the most parts fits. */
    static final int BATCH = 128;
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

    /** A frame's parts as queued, and the frame to release once they are written (null: none). */
    private record Queued(ByteBuffer[] parts, OutFrame frame, long bytes) {

        static Queued of(ByteBuffer whole) {
            return new Queued(new ByteBuffer[] {whole}, null, whole.remaining());
        }

        /** A copy of {@code frame}'s parts, holding a reference to it until released. */
        static Queued copyOf(OutFrame frame) {
            return new Queued(frame.copyForWriting(), frame, frame.bytes());
        }
    }

    private final Queue<Queued> queue = new ConcurrentLinkedQueue<>();
    private final Queue<Queued> answers = new ConcurrentLinkedQueue<>();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final ReentrantLock owner = new ReentrantLock();
    /** The owner's parts taken from the queue and not written whole yet: batch[from..to). */
    private final ByteBuffer[] batch = new ByteBuffer[BATCH];
    /** The frame whose last part is at the same index of {@link #batch}, to release once it is written. */
    private final OutFrame[] endsOf = new OutFrame[BATCH];
    private int from;
    private int to;
    private volatile boolean blocked;
    private volatile boolean discarded;

    /** Queues {@code frame} (position..limit) after those queued before. */
    void add(ByteBuffer frame) {
        enqueue(queue, Queued.of(frame));
    }

    /** Queues a copy of {@code frame} after those queued before (released once written, or discarded). */
    void add(OutFrame frame) {
        if (!discarded) {
            enqueue(queue, Queued.copyOf(frame));
        }
    }

    /**
     * Queues the answer {@code frame} (position..limit) after the answers queued before it, ahead of the
     * other frames not taken for writing yet.
     */
    void addAnswer(ByteBuffer frame) {
        enqueue(answers, Queued.of(frame));
    }

    /** Queues a copy of the answer {@code frame} as {@link #addAnswer(ByteBuffer)}, released as {@link #add(OutFrame)}. */
    void addAnswer(OutFrame frame) {
        if (!discarded) {
            enqueue(answers, Queued.copyOf(frame));
        }
    }

    private void enqueue(Queue<Queued> into, Queued q) {
        queuedBytes.addAndGet(q.bytes);
        into.add(q);
        if (discarded) {
            discard(); // queued while the connection closed: never written
        }
    }

    /** Bytes queued and not written yet. */
    long queuedBytes() {
        return queuedBytes.get();
    }

    /** True when the socket took no more at the last write: only the I/O thread writes until it does again. */
    boolean blocked() {
        return blocked;
    }

    /** Forgets what is queued, and what is queued later (the connection is closed). */
    void discard() {
        discarded = true;
        owner.lock();
        try {
            for (int i = from; i < to; i++) {
                batch[i] = null;
                if (endsOf[i] != null) {
                    endsOf[i].release();
                    endsOf[i] = null;
                }
            }
            from = 0;
            to = 0;
            for (Queue<Queued> q : List.of(answers, queue)) {
                for (Queued next; (next = q.poll()) != null; ) {
                    if (next.frame != null) {
                        next.frame.release();
                    }
                }
            }
        } finally {
            owner.unlock();
        }
    }

    /**
     * Writes what is queued to {@code channel} (non-blocking) if this thread gets the write ownership:
     * at once if free, else {@link Drained#TAKEN}; {@code wait}: waits for it (the I/O thread only: the
     * owner never waits for anything but its writes).
     */
    Drained drain(GatheringByteChannel channel, boolean wait) throws IOException {
        return drain(channel, wait, Long.MAX_VALUE);
    }

    /**
     * {@link #drain(GatheringByteChannel, boolean)}, writing about {@code budget} bytes at most: when more is
     * queued then, it returns {@link Drained#BLOCKED} as if the socket were full (the I/O thread, which
     * also reads, writes the rest on its next turn, and other threads leave it to it meanwhile).
     */
    Drained drain(GatheringByteChannel channel, boolean wait, long budget) throws IOException {
        do {
            if (wait) {
                owner.lock();
            } else if (!owner.tryLock()) {
                return Drained.TAKEN;
            }
            boolean full;
            try {
                if (discarded) {
                    return Drained.EMPTY;
                }
                full = !writeQueued(channel, budget);
                blocked = full;
            } finally {
                owner.unlock();
            }
            if (full) {
                return Drained.BLOCKED;
            }
        } while (!queue.isEmpty() || !answers.isEmpty()); // queued while this thread owned the writes: left to it
        return Drained.EMPTY;
    }

    /**
     * With the ownership: writes until nothing is left (true), or the socket takes less than offered, or
     * {@code budget} bytes are written (false).
     */
    private boolean writeQueued(GatheringByteChannel channel, long budget) throws IOException {
        for (long total = 0; ; ) {
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
                batch[from] = null;
                if (endsOf[from] != null) {
                    endsOf[from].release(); // its last part is written
                    endsOf[from] = null;
                }
                from++;
            }
            total += written;
            if (written < offered || total >= budget) {
                return false;
            }
        }
    }

    /**
     * Moves the parts not written yet to the batch's start and tops it up with whole frames: the answers
     * queued first, then other frames up to {@link #MAX_WRITE} bytes in the batch.
     */
    private void refill() {
        if (from > 0) {
            System.arraycopy(batch, from, batch, 0, to - from);
            System.arraycopy(endsOf, from, endsOf, 0, to - from);
            Arrays.fill(batch, to - from, to, null);
            Arrays.fill(endsOf, to - from, to, null);
            to -= from;
            from = 0;
        }
        long batched = 0;
        for (int i = 0; i < to; i++) {
            batched += batch[i].remaining();
        }
        for (Queued next; (next = answers.peek()) != null && fits(next); ) {
            batched += take(answers);
        }
        for (Queued next; batched < MAX_WRITE && (next = queue.peek()) != null && fits(next); ) {
            batched += take(queue);
        }
    }

    private boolean fits(Queued q) {
        return to + q.parts.length <= BATCH;
    }

    /** Moves the head of {@code source} (only the write owner takes from the queues) into the batch. */
    private long take(Queue<Queued> source) {
        Queued q = source.poll();
        for (ByteBuffer part : q.parts) {
            batch[to++] = part;
        }
        endsOf[to - 1] = q.frame;
        return q.bytes;
    }
}
