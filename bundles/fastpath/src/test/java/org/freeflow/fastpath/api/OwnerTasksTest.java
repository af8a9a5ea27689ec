package org.freeflow.fastpath.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class OwnerTasksTest {

    @Test
    void callFromAnotherThreadRunsOnTheOwner() throws Exception {
        OwnerTasks tasks = new OwnerTasks("owner");
        AtomicBoolean stop = new AtomicBoolean();
        Thread owner = new Thread(() -> {
            while (!stop.get()) {
                try {
                    tasks.awaitAndRun(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        tasks.owner(owner);
        owner.start();
        try {
            AtomicBoolean woken = new AtomicBoolean();
            Thread ranOn = tasks.call(Thread::currentThread, () -> woken.set(true));
            assertSame(owner, ranOn);
            assertTrue(woken.get(), "wake runs after queueing");
            IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class,
                    () -> tasks.call(() -> { throw new IllegalArgumentException("bad"); }, () -> { }));
            assertEquals("bad", thrown.getMessage());
        } finally {
            stop.set(true);
            owner.join();
        }
    }

    @Test
    void callOnTheOwnerRunsInline() {
        OwnerTasks tasks = new OwnerTasks("owner");
        tasks.owner(Thread.currentThread());
        assertSame(Thread.currentThread(), tasks.call(Thread::currentThread, () -> {
            throw new AssertionError("no wake when inline");
        }));
    }

    @Test
    void withoutOwnerCallsFailAndQueuedOnesAreCancelled() throws Exception {
        OwnerTasks tasks = new OwnerTasks("the poller");
        IllegalStateException none = assertThrows(IllegalStateException.class, () -> tasks.call(() -> 1, () -> { }));
        assertTrue(none.getMessage().contains("the poller is not running"));

        tasks.owner(new Thread(() -> { }));
        CountDownLatch queued = new CountDownLatch(1);
        CompletableFuture<Throwable> caller = CompletableFuture.supplyAsync(() -> {
            try {
                tasks.call(() -> 1, queued::countDown);
                return null;
            } catch (IllegalStateException e) {
                return e;
            }
        });
        assertTrue(queued.await(5, TimeUnit.SECONDS));
        tasks.cancelPending();
        Throwable failure = caller.get(5, TimeUnit.SECONDS);
        assertTrue(failure instanceof IllegalStateException && failure.getMessage().contains("stopped"),
                String.valueOf(failure));
        assertTrue(!tasks.runPending(), "nothing left to run");
    }
}
