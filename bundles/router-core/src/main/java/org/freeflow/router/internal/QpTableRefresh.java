package org.freeflow.router.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.freeflow.ffo.api.QueuePairRecord;
import org.freeflow.router.internal.vnic.OrchestratorLink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the state and counters of this router's QPs into QPS at a fixed
 * interval, on a thread of its own ({@code freeflow-qp-refresh}): the rows
 * that changed since the last round (an idle QP costs no write; the rows share
 * the orchestrator's write thread with ibv_reg_mr's), and every row every
 * {@link #FULL_ROUND_EVERY} rounds.  It skips a round while
 * there is no orchestrator, and a round whose write is still running.
 */
final class QpTableRefresh implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(QpTableRefresh.class);

    private final Supplier<List<QueuePairRecord>> rows;
    private final OrchestratorLink orchestrator;
    private final ScheduledExecutorService timer;
    private volatile boolean writing;
    /** What the last successful round wrote, by QPN (the refresh thread's). */
    private volatile Map<Integer, QueuePairRecord> written = new HashMap<>();
    /** Every this many rounds all rows are written, changed or not (a write that was lost heals). */
    static final int FULL_ROUND_EVERY = 12;
    private int round;

    /** @param intervalMillis 0: never (the QPs' own changes are still written) */
    QpTableRefresh(Supplier<List<QueuePairRecord>> rows, OrchestratorLink orchestrator, long intervalMillis) {
        this.rows = rows;
        this.orchestrator = orchestrator;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "freeflow-qp-refresh");
            t.setDaemon(true);
            return t;
        });
        if (intervalMillis > 0) {
            timer.scheduleWithFixedDelay(this::refresh, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
        }
    }

    void refresh() {
        if (writing || !orchestrator.connected()) {
            return;
        }
        try {
            boolean full = round++ % FULL_ROUND_EVERY == 0;
            Map<Integer, QueuePairRecord> now = new HashMap<>();
            List<QueuePairRecord> changed = new ArrayList<>();
            for (QueuePairRecord r : rows.get()) {
                now.put(r.qpn(), r);
                if (full || !r.equals(written.get(r.qpn()))) {
                    changed.add(r);
                }
            }
            if (changed.isEmpty()) {
                written = now;
                return;
            }
            writing = true;
            orchestrator.publishQueuePairs(changed).whenComplete((ok, failure) -> {
                if (failure == null) {
                    written = now;
                } else {
                    LOG.debug("QPS refresh failed (the next one retries): {}", failure.getMessage());
                }
                writing = false;
            });
        } catch (RuntimeException e) {
            writing = false;
            LOG.debug("QPS refresh skipped: {}", e.getMessage());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
