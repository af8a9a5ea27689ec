package org.freeflow.router.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.freeflow.ffo.api.QueuePairRecord;
import org.freeflow.router.internal.testing.FakeOrchestrator;
import org.freeflow.router.internal.vnic.OrchestratorLink;
import org.junit.jupiter.api.Test;

class QpTableRefreshTest {

    private final Instant created = Instant.parse("2026-12-03T12:00:00Z");

    private QueuePairRecord qp(int qpn, long sent) {
        return new QueuePairRecord(qpn, "c1", "h1", "RC", "RTS", 2, 9, created, sent, 0, sent * 64);
    }

    @Test
    void aRoundWritesWhatChangedAndEveryFewRoundsEverything() {
        FakeOrchestrator orchestrator = new FakeOrchestrator();
        OrchestratorLink link = new OrchestratorLink();
        link.connect(orchestrator);
        List<QueuePairRecord> rows = new ArrayList<>(List.of(qp(2, 0), qp(3, 0)));
        try (QpTableRefresh refresh = new QpTableRefresh(() -> List.copyOf(rows), link, 0)) {
            refresh.refresh();
            assertEquals(2, orchestrator.queuePairWrites.get(), "the first round writes every row");
            refresh.refresh();
            assertEquals(2, orchestrator.queuePairWrites.get(), "nothing changed: nothing written");
            rows.set(1, qp(3, 10));
            refresh.refresh();
            assertEquals(3, orchestrator.queuePairWrites.get(), "the QP that sent");
            assertEquals(10, orchestrator.queuePairs.get(3).sendWrs());
            for (int i = 3; i < QpTableRefresh.FULL_ROUND_EVERY; i++) {
                refresh.refresh();
            }
            assertEquals(3, orchestrator.queuePairWrites.get());
            refresh.refresh();
            assertEquals(5, orchestrator.queuePairWrites.get(), "a full round: every row again");

            link.disconnect(orchestrator);
            rows.set(0, qp(2, 5));
            refresh.refresh();
            assertEquals(5, orchestrator.queuePairWrites.get(), "no orchestrator: no round");
        }
    }
}
