package org.freeflow.router.internal.vnic;

import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

import org.freeflow.ffo.api.ContainerRecord;
import org.freeflow.ffo.api.HostRecord;
import org.freeflow.ffo.api.MemoryRegionRecord;
import org.freeflow.ffo.api.OrchestratorAdminService;
import org.freeflow.ffo.api.QueuePairRecord;

/**
 * The router's way to the orchestrator, which comes and goes: the
 * orchestrator registers its services only while its Ignite node is in the
 * cluster.  Without one, every call fails at once with {@link Unavailable},
 * which a container hears as EAGAIN with the reason, never waits for.
 */
public final class OrchestratorLink implements OrchestratorAdminService {

    /** Why there is none, until one connects. */
    public static final String NOT_READY = "the orchestrator is not ready: this router's Ignite node is not in the"
            + " cluster yet (it registers its services once it is; try again)";

    /** No orchestrator right now. */
    public static final class Unavailable extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        public Unavailable(String reason) {
            super(reason);
        }
    }

    private volatile OrchestratorAdminService current;
    private volatile String whyNone = NOT_READY;

    /** The orchestrator to use from now on. */
    public void connect(OrchestratorAdminService orchestrator) {
        current = orchestrator;
    }

    /** {@code orchestrator} is gone; the link has none until the next {@link #connect}. */
    public void disconnect(OrchestratorAdminService orchestrator) {
        if (current == orchestrator) {
            current = null;
            whyNone = NOT_READY;
        }
    }

    /** There is an orchestrator, but this router cannot use it ({@code reason}, e.g. its host name is taken). */
    public void refuse(String reason) {
        current = null;
        whyNone = reason;
    }

    /** True while an orchestrator is connected. */
    public boolean connected() {
        return current != null;
    }

    private OrchestratorAdminService current() {
        OrchestratorAdminService o = current;
        if (o == null) {
            throw new Unavailable(whyNone);
        }
        return o;
    }

    @Override
    public ContainerRecord registerContainer(String name, String tenant, String host) {
        return current().registerContainer(name, tenant, host);
    }

    @Override
    public void unregisterContainer(String name) {
        current().unregisterContainer(name);
    }

    @Override
    public HostRecord registerHost(String name, String routerVersion, Collection<ContainerRecord> served) {
        return current().registerHost(name, routerVersion, served);
    }

    @Override
    public int allocateQpn() {
        return current().allocateQpn();
    }

    @Override
    public CompletionStage<Void> publishMemoryRegion(MemoryRegionRecord region) {
        return write(o -> o.publishMemoryRegion(region));
    }

    @Override
    public CompletionStage<Void> removeMemoryRegion(String container, int rkey) {
        return write(o -> o.removeMemoryRegion(container, rkey));
    }

    @Override
    public CompletionStage<Void> publishQueuePairs(Collection<QueuePairRecord> queuePairs) {
        return write(o -> o.publishQueuePairs(queuePairs));
    }

    @Override
    public CompletionStage<Void> removeQueuePairs(Collection<Integer> qpns) {
        return write(o -> o.removeQueuePairs(qpns));
    }

    /** A write's stage; without an orchestrator, failed with {@link Unavailable} (never thrown). */
    private CompletionStage<Void> write(Function<OrchestratorAdminService, CompletionStage<Void>> write) {
        OrchestratorAdminService o = current;
        if (o == null) {
            return CompletableFuture.failedFuture(new Unavailable(whyNone));
        }
        return write.apply(o);
    }
}
