package org.freeflow.fastpath.internal;

import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.freeflow.fastpath.api.Doorbell;
import org.freeflow.fastpath.api.PollTarget;
import org.freeflow.fastpath.api.PollerMode;
import org.freeflow.fastpath.api.PollerService;
import org.freeflow.posix.api.CpuAffinity;
import org.freeflow.posix.api.PosixException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pollers of this router: one {@link PollLoop} thread each, targets spread
 * over them, one router page shared by all, and the contexts' doorbells.  {@link #call} runs a
 * task while every poller is between two rounds (it takes every round lock),
 * so what the data path reads changes without the data path taking locks.
 * Mode, tuning, CPU pinning and the number of pollers change live; targets
 * then move between pollers inside such a call, so none is dropped.
 */
public final class PollerGroup implements PollerService, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PollerGroup.class);

    private final String name;
    private final RouterPage page;
    private final Doorbells doorbells;
    private final int[] unpinned;
    private final Supplier<CpuContention> contention;
    private final ReentrantLock exclusive = new ReentrantLock();
    private final List<PollLoop> held = new ArrayList<>();
    private final Map<PollTarget, PollLoop> owners = new ConcurrentHashMap<>();
    private volatile PollLoop[] loops = new PollLoop[0];
    private volatile PollerSettings settings;
    private volatile long adaptiveSpinNanos;
    /** Adaptive mode: no poller sleeps before this {@link System#nanoTime()} ({@link #expectWork()}). */
    private volatile long readySpinUntil = System.nanoTime();
    private volatile boolean running = true;

    /** Makes the router page and the doorbells' epoll set and starts {@code settings.pollers()} threads named {@code name-i}. */
    public PollerGroup(String name, PollerSettings settings) throws PosixException {
        this(name, settings, CpuContention::ofThisMachine);
    }

    /** As above; each poller asks {@code contention} for its own probe of the CPUs' load. */
    PollerGroup(String name, PollerSettings settings, Supplier<CpuContention> contention) throws PosixException {
        this.name = name;
        this.contention = contention;
        this.settings = settings;
        this.adaptiveSpinNanos = settings.adaptiveSpinMicros() * 1000;
        this.page = RouterPage.create(settings.mode());
        try {
            this.doorbells = new Doorbells();
        } catch (PosixException e) {
            page.close();
            throw e;
        }
        this.unpinned = CpuAffinity.get(CpuAffinity.currentThreadId());
        try {
            resize(settings.pollers());
        } catch (PosixException | RuntimeException e) {
            close();
            throw e;
        }
        applyAffinity();
    }

    /** Applies new settings without dropping a target; returns once every poller runs by them. */
    public synchronized void configure(PollerSettings next) throws PosixException {
        PollerSettings previous = settings;
        settings = next;
        adaptiveSpinNanos = next.adaptiveSpinMicros() * 1000;
        page.mode(next.mode());
        boolean resized = next.pollers() != loops.length;
        if (resized) {
            resize(next.pollers());
        }
        if (resized || !Arrays.equals(previous.cpus(), next.cpus())) {
            applyAffinity();
        }
        wakeSleepers();
    }

    /** The settings in force. */
    public PollerSettings settings() {
        return settings;
    }

    PollerMode mode() {
        return settings.mode();
    }

    int yieldEvery() {
        return settings.yieldEvery();
    }

    /** A new poller's own view of whether the machine's CPUs are contended. */
    CpuContention newContentionProbe() {
        return contention.get();
    }

    long adaptiveSpinNanos() {
        return adaptiveSpinNanos;
    }

    /** Inside the window {@link #expectWork()} opened. */
    boolean readySpinning(long now) {
        return readySpinUntil - now > 0;
    }

    @Override
    public void expectWork() {
        PollerSettings s = settings;
        if (s.mode() != PollerMode.ADAPTIVE || s.readySpinMillis() == 0) {
            return;
        }
        long until = System.nanoTime() + s.readySpinMillis() * 1_000_000;
        if (until - readySpinUntil > 0) {
            readySpinUntil = until;
        }
        wakeSleepers();
    }

    // ---------------------------------------------------------------- calls

    @Override
    public <T> T call(Callable<T> task) {
        if (exclusive.isHeldByCurrentThread()) {
            return run(task);
        }
        PollLoop self = loopOfCurrentThread();
        boolean handBack = self != null && self.roundLock.isHeldByCurrentThread();
        if (handBack) {
            self.roundLock.unlock();
        }
        try {
            exclusive.lock();
            try {
                if (!running) {
                    throw new IllegalStateException("the poller is not running");
                }
                lockAll();
                try {
                    return run(task);
                } finally {
                    unlockAll();
                }
            } finally {
                exclusive.unlock();
            }
        } finally {
            wakeSleepers();
            if (handBack) {
                self.roundLock.lock();
            }
        }
    }

    @Override
    public void register(PollTarget target) {
        call(() -> {
            if (!owners.containsKey(target)) {
                PollLoop least = loops[0];
                for (PollLoop l : loops) {
                    if (l.targetCount() < least.targetCount()) {
                        least = l;
                    }
                }
                least.add(target);
                owners.put(target, least);
            }
            return null;
        });
    }

    @Override
    public void unregister(PollTarget target) {
        call(() -> {
            PollLoop owner = owners.remove(target);
            if (owner != null) {
                owner.remove(target);
            }
            return null;
        });
    }

    @Override
    public void wake(PollTarget target) {
        PollLoop owner = owners.get(target);
        if (owner != null) {
            VarHandle.fullFence();
            owner.wakeIfAsleep();
        }
    }

    @Override
    public boolean inPollerThread() {
        return exclusive.isHeldByCurrentThread() || loopOfCurrentThread() != null;
    }

    @Override
    public int routerPageFd() {
        return page.pageFd();
    }

    @Override
    public Doorbell openDoorbell() {
        return doorbells.open(this);
    }

    /**
     * Runs {@code close} inside a call.  When the pollers stop or stopped,
     * nothing is done here: {@link #close()} closes every doorbell once they
     * ended.
     */
    void closeDoorbell(Runnable close) {
        try {
            call(() -> {
                close.run();
                return null;
            });
        } catch (IllegalStateException e) {
            LOG.debug("doorbell left to the pollers' shutdown: {}", e.getMessage());
        }
    }

    /** Empties the doorbells that rang; returns how many had. */
    int drainDoorbells() throws PosixException {
        return doorbells.drain();
    }

    /** The descriptor sleeping pollers wait on for doorbells. */
    int doorbellsFd() {
        return doorbells.fd();
    }

    /** Which poller serves {@code target} (0-based), or -1. */
    public int pollerOf(PollTarget target) {
        PollLoop owner = owners.get(target);
        return owner == null ? -1 : owner.index;
    }

    /** Number of pollers running. */
    public int pollers() {
        return loops.length;
    }

    // ---------------------------------------------------------------- metrics

    @Override
    public Map<String, Number> metrics() {
        return PollerMetrics.of(loops, settings.mode());
    }

    /** The counters of poller {@code i}, for tests. */
    PollerStats stats(int i) {
        return loops[i].stats;
    }

    /** Tests: poller {@code i} naps as if its membarriers took {@code nanos}. */
    void assumeMembarriersTake(int i, long nanos) {
        call(() -> {
            loops[i].assumeMembarriersTake(nanos);
            return null;
        });
    }

    /** The thread of poller {@code i}, for tests. */
    Thread thread(int i) {
        return loops[i].thread();
    }

    /** The kernel thread id of poller {@code i}, for tests. */
    int tid(int i) {
        return loops[i].tid();
    }

    /** True while poller {@code i} sleeps. */
    boolean asleep(int i) {
        return loops[i].asleep();
    }

    // ---------------------------------------------------------------- stop

    /** Stops every poller and closes the router page and every doorbell. */
    @Override
    public void close() {
        PollLoop[] stopping;
        exclusive.lock();
        try {
            running = false;
            stopping = loops;
            loops = new PollLoop[0];
        } finally {
            exclusive.unlock();
        }
        for (PollLoop l : stopping) {
            l.stop();
        }
        boolean interrupted = false;
        for (PollLoop l : stopping) {
            try {
                l.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        owners.clear();
        doorbells.close();
        page.close();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------- for PollLoop

    /** A poller drained the doorbell: the others that sleep may have been rung for and must look too. */
    void passOnDoorbell(PollLoop from) {
        PollLoop[] now = loops;
        if (now.length > 1) {
            VarHandle.fullFence();
            for (PollLoop l : now) {
                if (l != from) {
                    l.wakeIfAsleep();
                }
            }
        }
    }

    /** A target threw: its poller (which holds its round lock) drops it. */
    void dropFailed(PollTarget target, PollLoop loop) {
        loop.remove(target);
        owners.remove(target, loop);
    }

    // ---------------------------------------------------------------- internals

    private static <T> T run(Callable<T> task) {
        try {
            return task.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new CompletionException(e);
        }
    }

    private PollLoop loopOfCurrentThread() {
        Thread me = Thread.currentThread();
        for (PollLoop l : loops) {
            if (l.thread() == me) {
                return l;
            }
        }
        return null;
    }

    /** With {@link #exclusive} held: takes every poller's round lock (each waits for its poller's round to end). */
    private void lockAll() {
        for (PollLoop l : loops) {
            l.roundLock.lock();
            held.add(l);
        }
    }

    private void unlockAll() {
        for (int i = held.size() - 1; i >= 0; i--) {
            held.get(i).roundLock.unlock();
        }
        held.clear();
    }

    private void wakeSleepers() {
        VarHandle.fullFence();
        for (PollLoop l : loops) {
            l.wakeIfAsleep();
        }
    }

    /** Starts or stops pollers so that {@code count} run; every target is dealt out again. */
    private void resize(int count) throws PosixException {
        List<PollLoop> fresh = new ArrayList<>();
        List<PollLoop> retired = new ArrayList<>();
        int before = loops.length;
        exclusive.lock();
        try {
            if (!running) {
                throw new IllegalStateException("the poller is not running");
            }
            lockAll();
            try {
                PollLoop[] old = loops;
                for (int i = old.length; i < count; i++) {
                    PollLoop l = new PollLoop(this, page, i);
                    l.roundLock.lock();
                    held.add(l);
                    fresh.add(l);
                }
                PollLoop[] next = new PollLoop[count];
                for (int i = 0; i < count; i++) {
                    next[i] = i < old.length ? old[i] : fresh.get(i - old.length);
                }
                retired.addAll(Arrays.asList(old).subList(Math.min(count, old.length), old.length));
                deal(old, next);
                for (PollLoop l : retired) {
                    l.stop();
                }
                loops = next;
            } finally {
                unlockAll();
            }
        } finally {
            exclusive.unlock();
        }
        start(fresh);
        for (PollLoop l : retired) {
            try {
                l.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (before != 0) {
            LOG.info("{} poller(s) instead of {}; targets dealt out again", count, before);
        }
    }

    /** Moves every target of {@code from} onto {@code to}, round-robin, in their order. */
    private void deal(PollLoop[] from, PollLoop[] to) {
        List<PollTarget> all = new ArrayList<>();
        for (PollLoop l : from) {
            all.addAll(Arrays.asList(l.targets()));
            l.clear();
        }
        for (int i = 0; i < all.size(); i++) {
            PollLoop l = to[i % to.length];
            l.add(all.get(i));
            owners.put(all.get(i), l);
        }
    }

    private void start(List<PollLoop> fresh) {
        for (PollLoop l : fresh) {
            try {
                l.start(name + "-" + l.index);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting " + l, e);
            }
        }
    }

    private void applyAffinity() {
        int[] cpus = settings.cpus();
        for (PollLoop l : loops) {
            int[] mine = cpus.length == 0 ? unpinned : new int[] {cpus[l.index % cpus.length]};
            try {
                CpuAffinity.set(l.tid(), mine);
            } catch (PosixException | IllegalArgumentException e) {
                LOG.warn("cannot pin {} to CPUs {}: {}", l, Arrays.toString(mine), e.getMessage());
            }
        }
    }
}
