package org.freeflow.fastpath.internal;

import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.ReentrantLock;
import org.freeflow.fastpath.api.PollTarget;
import org.freeflow.fastpath.api.PollerMode;
import org.freeflow.posix.api.CpuAffinity;
import org.freeflow.posix.api.EventFd;
import org.freeflow.posix.api.PollSet;
import org.freeflow.posix.api.PosixException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One poller thread.  It holds its round lock while it polls and lets go of
 * it only between two rounds when a {@link PollerGroup} call waits for it,
 * and while it sleeps; its targets change only under that lock.  A round
 * visits each target once.  With no work it spins (onSpinWait, a yield every
 * {@code yieldEvery} empty rounds) or sleeps, as the mode says.  The
 * adaptive spin window counts the time the thread spent watching its rings,
 * not time it was off its CPU (see {@link #MAX_IDLE_STEP_NANOS}), and ends
 * after {@link #CONTENDED_SPIN_NANOS} while the machine's CPUs are contended
 * (not during the ready spin a new connection asked for):
 * <pre>
 *   sleeping |= bit (a full fence); one more round over every ring it polls;
 *   membarrier page: nap (ppoll in 100 us slices, a round after each); nap over, nothing came ->
 *                    membarrier; one more round;
 *   nothing -> ppoll(the doorbells' epoll set, own wake-up, nearest target deadline);
 *   sleeping &amp;= ~bit
 * </pre>
 */
final class PollLoop implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(PollLoop.class);
    private static final PollTarget[] NONE = new PollTarget[0];
    private static final int DOORBELL = 0;
    private static final int WAKE = 1;
    /**
     * Most idle time one empty round adds to the adaptive spin window.  A
     * longer gap since the previous round means the thread was preempted or
     * yielded its CPU: it did not watch the rings meanwhile, so the gap is no
     * evidence that the applications went quiet.  Counting it would put the
     * poller to sleep during a ping-pong on a busy machine, after which every
     * message pays a doorbell system call.
     */
    static final long MAX_IDLE_STEP_NANOS = 5_000L;
    /**
     * Adaptive mode on a machine with more runnable threads than CPUs
     * ({@link CpuContention}): the idle time after which a poller sleeps
     * instead of spinning out its window.  It still catches a burst's next
     * post without a doorbell.
     */
    static final long CONTENDED_SPIN_NANOS = 10_000L;

    final int index;
    final int bit;
    final ReentrantLock roundLock = new ReentrantLock(true);
    final PollerStats stats = new PollerStats();
    private final PollerGroup group;
    private final RouterPage page;
    private final EventFd wake;
    private final PollSet sleepSet = new PollSet(2);
    private final CountDownLatch started = new CountDownLatch(1);
    private final MembarrierNap nap = new MembarrierNap();
    private final CpuContention contention;
    private PollTarget[] targets = NONE;
    private volatile boolean running = true;
    private volatile int tid;
    private volatile Thread thread;

    PollLoop(PollerGroup group, RouterPage page, int index) throws PosixException {
        this.group = group;
        this.page = page;
        this.index = index;
        this.bit = 1 << index;
        this.contention = group.newContentionProbe();
        this.wake = EventFd.create(EventFd.EFD_NONBLOCK);
        sleepSet.add(group.doorbellsFd(), PollSet.POLLIN);
        sleepSet.add(wake.fd(), PollSet.POLLIN);
    }

    /** Starts the thread and waits until it knows its kernel thread id. */
    void start(String name) throws InterruptedException {
        Thread t = new Thread(this, name);
        t.setDaemon(true);
        thread = t;
        t.start();
        started.await();
    }

    /** Asks the thread to end (it may be asleep); {@link #join()} waits for it. */
    void stop() {
        running = false;
        wake.trySignal();
    }

    /** Waits for the thread to end, then closes the wake-up eventfd. */
    void join() throws InterruptedException {
        Thread t = thread;
        if (t != null) {
            t.join();
        }
        wake.close();
    }

    /** Wakes the thread if it sleeps (after the caller's full fence). */
    void wakeIfAsleep() {
        if (page.asleep(bit)) {
            wake.trySignal();
        }
    }

    boolean asleep() {
        return page.asleep(bit);
    }

    Thread thread() {
        return thread;
    }

    int tid() {
        return tid;
    }

    @Override
    public void run() {
        tid = CpuAffinity.currentThreadId();
        started.countDown();
        roundLock.lock();
        try {
            long lastRound = System.nanoTime();
            long idle = 0;
            int emptyRounds = 0;
            while (running) {
                if (roundLock.hasQueuedThreads()) {
                    roundLock.unlock();
                    roundLock.lock();
                    continue;
                }
                long now = System.nanoTime();
                long gap = now - lastRound;
                lastRound = now;
                if (round(now)) {
                    idle = 0;
                    emptyRounds = 0;
                    continue;
                }
                idle += Math.min(gap, MAX_IDLE_STEP_NANOS);
                if (shouldSleep(idle, now)) {
                    if (sleep()) {
                        idle = 0;
                        emptyRounds = 0;
                    }
                    lastRound = System.nanoTime();
                } else if (++emptyRounds % group.yieldEvery() == 0) {
                    Thread.yield();
                } else {
                    Thread.onSpinWait();
                }
            }
        } finally {
            roundLock.unlock();
        }
    }

    private boolean shouldSleep(long idleNanos, long now) {
        if (targets.length == 0) {
            return true;
        }
        PollerMode mode = group.mode();
        if (mode != PollerMode.ADAPTIVE) {
            return mode == PollerMode.LOWCPU;
        }
        if (group.readySpinning(now)) {
            return false;
        }
        if (idleNanos >= CONTENDED_SPIN_NANOS && idleNanos < group.adaptiveSpinNanos() && contention.contended(now)) {
            stats.contendedSleep();
            return true;
        }
        return idleNanos >= group.adaptiveSpinNanos();
    }

    /** One visit of every target; true when one made progress. */
    private boolean round(long now) {
        PollTarget[] round = targets;
        int progressed = 0;
        for (PollTarget target : round) {
            if (visit(target, now)) {
                progressed++;
            }
            if (round != targets) {
                break;
            }
        }
        stats.round(progressed);
        return progressed != 0;
    }

    private boolean visit(PollTarget target, long now) {
        try {
            return target.poll(now);
        } catch (RuntimeException | Error e) {
            LOG.error("poll target {} failed and was removed", target, e);
            group.dropFailed(target, this);
            return false;
        }
    }

    /**
     * Sleeps until the doorbell, a wake-up or the nearest deadline, unless the
     * last look after announcing it finds work (then returns true).  With a
     * membarrier page the FFL posts without a fence, so a post that raced the
     * announcement may have seen no sleeper and not rung: the poller first
     * naps ({@link MembarrierNap}), in slices with a look at its rings after
     * each (so such a post waits one slice, not the nap), and only a nap that nothing ended is
     * followed by the membarrier and one more look before the sleep that
     * nothing but a doorbell, a wake-up or a deadline ends.  A doorbell
     * ping-pong (every message wakes the poller) issues no membarrier at all,
     * which on a virtual machine whose other CPUs are busy costs up to
     * milliseconds.
     */
    private boolean sleep() {
        page.markAsleep(bit);
        stats.sleep();
        try {
            if (round(System.nanoTime())) {
                return true;
            }
            if (page.pairsWithMembarrier()) {
                long napNanos = nap.nanos();
                long napEnd = System.nanoTime() + napNanos;
                for (long left = napNanos; left > 0; left = napEnd - System.nanoTime()) {
                    if (!napEndedQuietly(Math.min(left, MembarrierNap.SLICE_NANOS))) {
                        return false;
                    }
                    if (round(System.nanoTime())) {
                        return true; // a post that raced the announcement: found without its doorbell
                    }
                }
                long start = System.nanoTime();
                page.fenceWithPosters();
                long end = System.nanoTime();
                nap.membarrierTook(end - start);
                stats.membarrier();
                if (round(end)) {
                    return true;
                }
            }
            napEndedQuietly(-1);
            return false;
        } catch (PosixException e) {
            LOG.error("poller {} cannot sleep on its doorbell", index, e);
            return false;
        } finally {
            page.markAwake(bit);
        }
    }

    /**
     * Blocks on the doorbell and the wake-up for at most {@code limitNanos}
     * (-1: no limit) and no later than the nearest deadline; true when the
     * limit ran out with nothing else to wake for.
     */
    private boolean napEndedQuietly(long limitNanos) throws PosixException {
        if (!running) {
            return false;
        }
        long now = System.nanoTime();
        long timeout = limitNanos;
        boolean limited = limitNanos >= 0; // the limit, not a deadline, ends the wait
        long deadline = nearestDeadline(now);
        if (deadline != PollTarget.NO_DEADLINE) {
            long untilDeadline = deadline - now;
            if (untilDeadline <= 0) {
                return false;
            }
            if (!limited || untilDeadline <= limitNanos) {
                timeout = untilDeadline;
                limited = false;
            }
        }
        int ready;
        roundLock.unlock();
        try {
            ready = sleepSet.pollNanos(timeout);
        } finally {
            roundLock.lock();
        }
        if (ready == 0 && limited) {
            return true;
        }
        wokenBy(ready);
        return false;
    }

    private void wokenBy(int ready) throws PosixException {
        if (ready == 0) {
            stats.timerWakeup();
            return;
        }
        if (sleepSet.revents(DOORBELL) != 0) {
            stats.doorbellWakeup();
            if (group.drainDoorbells() > 0) {
                group.passOnDoorbell(this);
            }
        }
        if (sleepSet.revents(WAKE) != 0) {
            wake.drain();
            stats.taskWakeup();
        }
    }

    private long nearestDeadline(long now) {
        long nearest = PollTarget.NO_DEADLINE;
        for (PollTarget target : targets) {
            long d;
            try {
                d = target.deadline(now);
            } catch (RuntimeException e) {
                LOG.error("deadline of poll target {} failed", target, e);
                d = now;
            }
            if (d != PollTarget.NO_DEADLINE && (nearest == PollTarget.NO_DEADLINE || d - nearest < 0)) {
                nearest = d;
            }
        }
        return nearest;
    }

    /** Tests: as if this poller's membarriers took {@code nanos} (its naps follow); under its round lock. */
    void assumeMembarriersTake(long nanos) {
        for (int i = 0; i < 64; i++) {
            nap.membarrierTook(nanos);
        }
    }

    // ---- targets: only under roundLock (this thread, or a PollerGroup call that holds it) ----

    PollTarget[] targets() {
        return targets;
    }

    int targetCount() {
        return targets.length;
    }

    void add(PollTarget target) {
        PollTarget[] more = Arrays.copyOf(targets, targets.length + 1);
        more[targets.length] = target;
        targets = more;
    }

    boolean remove(PollTarget target) {
        PollTarget[] now = targets;
        for (int i = 0; i < now.length; i++) {
            if (now[i] == target) {
                PollTarget[] fewer = new PollTarget[now.length - 1];
                System.arraycopy(now, 0, fewer, 0, i);
                System.arraycopy(now, i + 1, fewer, i, now.length - i - 1);
                targets = fewer.length == 0 ? NONE : fewer;
                return true;
            }
        }
        return false;
    }

    void clear() {
        targets = NONE;
    }

    @Override
    public String toString() {
        return "poller " + index;
    }
}
