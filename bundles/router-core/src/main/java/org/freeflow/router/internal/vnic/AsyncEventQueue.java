package org.freeflow.router.internal.vnic;

import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BooleanSupplier;
import org.freeflow.fastpath.api.Abi;
import org.freeflow.posix.api.Pipe;
import org.freeflow.posix.api.PosixException;

/**
 * The asynchronous events of one verbs context (ff_abi.h, "Asynchronous
 * events"): the router decides, the FFL delivers through ibv_get_async_event.
 * {@link #raise} runs on any thread, pollers included: a lock-free queue and
 * one pipe write, nothing that blocks.  The pipe's reading end is the app's
 * {@code ctx->async_fd}; the router alone holds the writing end,
 * non-blocking, and writes one byte per queued event, so the fd is readable
 * exactly while one is pending, and nothing the app does with its end can
 * hold up the thread that raises.
 *
 * <p>At most one event per (type, element, handle) is queued: another while
 * the first is unread adds nothing the application would learn.  The queue is
 * therefore bounded by the context's objects and never drops an event for
 * room, however long the application leaves them unread.
 */
public final class AsyncEventQueue implements AutoCloseable {

    /** One event as ff_async_event carries it. */
    public record Event(int type, int element, int handle) {
    }

    private final ConcurrentLinkedQueue<Event> queue = new ConcurrentLinkedQueue<>();
    private final Set<Event> queued = ConcurrentHashMap.newKeySet();
    private final BooleanSupplier counter;
    /** Bytes the async pipe is asked to hold: more than a context's objects can have events. */
    private static final int PIPE_BYTES = 1 << 20;

    private volatile Pipe pipe;

    /** Counting on the pipe {@link #open} makes. */
    AsyncEventQueue() {
        this.counter = null;
    }

    /** Counting with {@code counter} instead of a pipe (tests). */
    AsyncEventQueue(BooleanSupplier counter) {
        this.counter = counter;
    }

    /**
     * The pipe's reading end for the OPEN reply, made at the first call:
     * blocking (the app decides with O_NONBLOCK).  The pipe is made as large
     * as the kernel allows this process (1 MiB for root), so that a count is
     * lost only when the app itself filled its pipe.  Events raised before
     * (by a client that made objects without OPEN) are not counted.
     */
    int open() throws PosixException {
        if (pipe == null) {
            Pipe made = Pipe.forWriting();
            made.capacity(PIPE_BYTES);
            pipe = made;
        }
        return pipe.readFd();
    }

    /** An affiliated event of QP {@code handle}. */
    void raiseQp(int type, int handle) {
        raise(new Event(type, Abi.ASYNC_QP, handle));
    }

    /**
     * A port event ({@code handle}: the port number).  Port events say what
     * the port's state became, so their order matters: an unread one of the
     * same type moves behind the others rather than being dropped, and the
     * last port event the application reads is the port's state.  (Still one
     * per type: the count of bytes does not change.)
     */
    synchronized void raisePort(int type, int port) {
        Event event = new Event(type, Abi.ASYNC_PORT, port);
        if (queued.add(event)) {
            queue.add(event);
            count();
        } else if (queue.remove(event)) {
            queue.add(event);
        }
    }

    /**
     * Queues {@code event} unless the same one is still unread, then counts
     * it with a byte on the pipe.  The queue comes first: a reader the byte
     * wakes finds the event.  A write fails only on a pipe the app filled
     * itself (through a descriptor it opened on it); that count is lost to
     * it, the event stays queued.
     */
    void raise(Event event) {
        if (queued.add(event)) {
            queue.add(event);
            count();
        }
    }

    private void count() {
        if (counter != null) {
            counter.getAsBoolean();
            return;
        }
        Pipe p = pipe;
        if (p != null) {
            p.writeByte();
        }
    }

    /**
     * The oldest unread event, or null (its byte was read by the FFL).  Exclusive with {@link #raisePort}, whose move must not let a
     * port event slip out between its removal and its return to the queue.
     */
    public synchronized Event take() {
        Event e = queue.poll();
        if (e != null) {
            queued.remove(e);
        }
        return e;
    }

    /**
     * Forgets the unread events of an object being destroyed, once nothing
     * can raise one for it any more; returns how many, whose bytes the FFL
     * takes off the pipe.
     */
    int drop(int element, int handle) {
        int dropped = 0;
        for (Iterator<Event> it = queue.iterator(); it.hasNext();) {
            Event e = it.next();
            if (e.element() == element && e.handle() == handle && queue.remove(e)) {
                queued.remove(e);
                dropped++;
            }
        }
        return dropped;
    }

    /** Events queued and unread. */
    int size() {
        return queue.size();
    }

    /** Only once no QP or CQ of the context can raise an event (all destroyed, or never made). */
    @Override
    public void close() {
        Pipe p = pipe;
        pipe = null;
        if (p != null) {
            p.close();
        }
    }
}
