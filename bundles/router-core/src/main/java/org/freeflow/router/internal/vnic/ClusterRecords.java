package org.freeflow.router.internal.vnic;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;

import org.freeflow.ffo.api.MemoryRegionRecord;
import org.freeflow.ffo.api.OrchestratorAdminService;
import org.freeflow.ffo.api.QueuePairRecord;
import org.freeflow.router.api.QueuePairView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What this router's QPs and memory regions look like in the orchestrator's
 * QPS and MEMORY_MAPS tables, and their publication.  Memory regions are
 * exact (reg_mr and dereg_mr answer once the table has the change); a QP's row
 * follows its create, modify and destroy without anyone waiting for it.
 */
final class ClusterRecords {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterRecords.class);

    private ClusterRecords() {
    }

    static MemoryRegionRecord region(VirtualNic vnic, MemoryRegion mr) {
        return new MemoryRegionRecord(vnic.name(), mr.key, mr.key, vnic.record().host(), mr.pd.handle, mr.iova,
                mr.length, mr.access, mr.registeredAt);
    }

    /** A QP's row as of now: its state, peer and counters. */
    static QueuePairRecord queuePair(QueuePair qp) {
        return queuePair(qp.view(), qp.vnic.record().host(), qp.created);
    }

    static QueuePairRecord queuePair(QueuePairView v, String host, Instant created) {
        return new QueuePairRecord(v.qpn(), v.container(), host, v.type(), v.state(), v.destLid(), v.destQpn(),
                created, v.sendWrs(), v.recvWrs(), v.bytesSent());
    }

    /** Publishes the QP's row; a failure is logged (the next refresh writes it again). */
    static void publish(OrchestratorAdminService orchestrator, QueuePair qp) {
        quietly(orchestrator.publishQueuePairs(List.of(queuePair(qp))), qp + " not published");
    }

    /** Removes the QP's row; a failure is logged (the container's unregistration removes it). */
    static void remove(OrchestratorAdminService orchestrator, QueuePair qp) {
        quietly(orchestrator.removeQueuePairs(List.of(qp.qpn)), qp + " not removed from QPS");
    }

    /** Logs a write's failure, which a later write heals. */
    static void quietly(CompletionStage<Void> write, String what) {
        write.whenComplete((ok, failure) -> {
            if (failure != null) {
                LOG.debug("{}: {}", what, failure.getMessage());
            }
        });
    }
}
