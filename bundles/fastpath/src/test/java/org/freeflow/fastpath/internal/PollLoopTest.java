package org.freeflow.fastpath.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.freeflow.fastpath.api.PollTarget;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PollLoopTest {

    private PollLoop loop;

    @BeforeEach
    void start() {
        loop = new PollLoop(16, 1);
        loop.start("test-poller");
    }

    @AfterEach
    void stop() throws InterruptedException {
        loop.stop();
    }

    @Test
    void callRunsOnThePollerThreadAndInlineFromIt() {
        Thread poller = loop.call(Thread::currentThread);
        assertFalse(Thread.currentThread() == poller);
        assertTrue(loop.call(loop::inPollerThread));
        int nested = loop.call(() -> loop.call(() -> 41) + 1);
        assertEquals(42, nested);
    }

    @Test
    void exceptionsComeBackToTheCaller() {
        IllegalArgumentException runtime = new IllegalArgumentException("bad");
        assertSame(runtime, assertThrows(IllegalArgumentException.class, () -> loop.call(() -> {
            throw runtime;
        })));
        CompletionException wrapped = assertThrows(CompletionException.class, () -> loop.call(() -> {
            throw new IOException("checked");
        }));
        assertTrue(wrapped.getCause() instanceof IOException);
    }

    @Test
    void targetsArePolledUntilUnregistered() throws Exception {
        AtomicInteger polls = new AtomicInteger();
        PollTarget target = now -> {
            polls.incrementAndGet();
            return false;
        };
        loop.register(target);
        loop.register(target);
        assertEquals(1, loop.call(loop::targetCount));
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (polls.get() < 1000 && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertTrue(polls.get() >= 1000, "polled " + polls.get() + " times");
        loop.unregister(target);
        int after = polls.get();
        Thread.sleep(20);
        assertEquals(after, polls.get(), "no poll after unregister returned");
    }

    @Test
    void aTargetMayUnregisterItselfAndAFailingTargetIsDropped() throws Exception {
        AtomicInteger selfPolls = new AtomicInteger();
        PollTarget[] self = new PollTarget[1];
        self[0] = now -> {
            selfPolls.incrementAndGet();
            loop.unregister(self[0]);
            return true;
        };
        PollTarget failing = now -> {
            throw new IllegalStateException("boom");
        };
        loop.register(self[0]);
        loop.register(failing);
        Thread.sleep(50);
        assertEquals(1, selfPolls.get());
        assertEquals(0, loop.call(loop::targetCount));
    }

    @Test
    void stoppedLoopRefusesCalls() throws Exception {
        loop.stop();
        assertThrows(IllegalStateException.class, () -> loop.call(() -> 1));
        loop.start("test-poller");
        assertEquals(1, loop.call(() -> 1));
    }
}
