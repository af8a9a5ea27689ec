package org.freeflow.router.internal.vnic;

import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BooleanSupplier;
import org.freeflow.fastpath.api.Abi;
import org.freeflow.posix.api.EventFd;
import org.freeflow.posix.api.PosixException;

/**
 * The asynchronous events of one verbs context (ff_abi.h, "Asynchronous
 * events"): the router decides, the FFL delivers through ibv_get_async_event.
 * {@link #raise} runs on any thread, pollers included: a lock-free queue and
 * one eventfd write, nothing that blocks.  The eventfd (EFD_SEMAPHORE, the
 * app's {@code ctx->async_fd}) counts the queued events, so it is readable
 * exactly while one is pending.
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
    private volatile EventFd fd;

    /** Counting on the eventfd {@link #open} makes. */
    AsyncEventQueue() {
        this.counter = null;
    }

    /** Counting with {@code counter} instead of an eventfd (tests). */
    AsyncEventQueue(BooleanSupplier counter) {
        this.counter = counter;
    }

    /**
     * The eventfd for the OPEN reply, made at the first call: blocking (the
     * app decides with O_NONBLOCK) and EFD_SEMAPHORE.  Events raised before
     * (by a client that made objects without OPEN) are not counted.
     */
    int open() throws PosixException {
        if (fd == null) {
            fd = EventFd.create(EventFd.EFD_SEMAPHORE);
        }
        return fd.fd();
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
     * per type: the count on the eventfd does not change.)
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
     * it on the eventfd.  The queue comes first: a reader the count wakes
     * finds the event.  A write cannot fail but on an overflowing counter,
     * which 2^64 - 2 events never reach.
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
        EventFd f = fd;
        if (f != null) {
            f.trySignal();
        }
    }

    /**
     * The oldest unread event, or null (its count was taken by the FFL's
     * read).  Exclusive with {@link #raisePort}, whose move must not let a
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
     * can raise one for it any more; returns how many, which the FFL takes
     * off the eventfd's count.
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
        EventFd f = fd;
        fd = null;
        if (f != null) {
            f.close();
        }
    }
}
