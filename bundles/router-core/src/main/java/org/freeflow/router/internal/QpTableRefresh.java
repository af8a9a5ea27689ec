package org.freeflow.router.internal;

import java.util.List;
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
 * interval, on a thread of its own ({@code freeflow-qp-refresh}); it skips a
 * round while there is no orchestrator, and a round whose write is still
 * running.
 */
final class QpTableRefresh implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(QpTableRefresh.class);

    private final Supplier<List<QueuePairRecord>> rows;
    private final OrchestratorLink orchestrator;
    private final ScheduledExecutorService timer;
    private volatile boolean writing;

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

    private void refresh() {
        if (writing || !orchestrator.connected()) {
            return;
        }
        try {
            List<QueuePairRecord> now = rows.get();
            if (now.isEmpty()) {
                return;
            }
            writing = true;
            orchestrator.publishQueuePairs(now).whenComplete((ok, failure) -> {
                writing = false;
                if (failure != null) {
                    LOG.debug("QPS refresh failed (the next one retries): {}", failure.getMessage());
                }
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
