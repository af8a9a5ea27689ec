package org.freeflow.mgmt.internal.shell;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import org.freeflow.ffo.api.ClusterView;
import org.freeflow.ffo.api.ContainerRecord;
import org.freeflow.ffo.api.HostRecord;
import org.freeflow.ffo.api.MemoryRegionRecord;
import org.freeflow.ffo.api.OrchestratorService;
import org.freeflow.ffo.api.QueryResult;
import org.freeflow.ffo.api.QueuePairRecord;

/** An orchestrator that answers SQL with a function and holds nothing else. */
final class FakeOrchestratorView implements OrchestratorService {

    private final Function<String, QueryResult> sql;

    FakeOrchestratorView(Function<String, QueryResult> sql) {
        this.sql = sql;
    }

    @Override
    public List<ContainerRecord> containers() {
        return List.of();
    }

    @Override
    public Optional<ContainerRecord> container(String name) {
        return Optional.empty();
    }

    @Override
    public Optional<ContainerRecord> containerByLid(int lid) {
        return Optional.empty();
    }

    @Override
    public boolean isReady() {
        return true;
    }

    @Override
    public List<HostRecord> hosts() {
        return List.of();
    }

    @Override
    public ClusterView cluster() {
        return new ClusterView(1, List.of());
    }

    @Override
    public Optional<MemoryRegionRecord> memoryRegion(String container, int rkey) {
        return Optional.empty();
    }

    @Override
    public List<QueuePairRecord> queuePairs() {
        return List.of();
    }

    @Override
    public QueryResult query(String statement) {
        return sql.apply(statement);
    }
}
