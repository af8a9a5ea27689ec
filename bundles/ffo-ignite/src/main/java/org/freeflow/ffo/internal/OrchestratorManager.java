package org.freeflow.ffo.internal;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.freeflow.ffo.api.ContainerRecord;
import org.freeflow.ffo.api.OrchestratorAdminService;
import org.freeflow.ffo.api.OrchestratorService;
import org.freeflow.ffo.internal.alloc.Ipv4Network;
import org.freeflow.ffo.internal.alloc.Qpns;
import org.freeflow.ffo.internal.ignite.IgniteNode;
import org.freeflow.ffo.internal.ignite.NodeSettings;
import org.freeflow.ffo.internal.ignite.SqlContainerStore;
import org.freeflow.ffo.internal.registry.ContainerStore;
import org.freeflow.ffo.internal.registry.Registrar;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The orchestrator of this router: starts the embedded Ignite node in the
 * background (the services are registered at once; {@link #isReady()} tells
 * when the node is up) and serves registration and allocation from it.
 * A configuration change restarts the node.
 */
@Component(immediate = true, configurationPid = OrchestratorManager.PID,
        service = {OrchestratorService.class, OrchestratorAdminService.class})
@Designate(ocd = OrchestratorManager.Config.class)
public final class OrchestratorManager implements OrchestratorService, OrchestratorAdminService {

    static final String PID = "org.freeflow.ffo";

    /** How long a call waits for the node to come up before it fails. */
    private static final long START_WAIT_SECONDS = 60;
    private static final Logger LOG = LoggerFactory.getLogger(OrchestratorManager.class);

    @ObjectClassDefinition(name = "FreeFlow orchestrator (FFO)",
            description = "Embedded Apache Ignite node: container registry, IPAM, LID/GID/QPN allocation")
    public @interface Config {
        @AttributeDefinition(description = "Ignite static IP finder: host:port or host:from..to, comma-separated")
        String discoveryAddresses() default "127.0.0.1:47500..47509";

        @AttributeDefinition(description = "First local discovery port (10 are tried)")
        int discoveryPort() default 47500;

        @AttributeDefinition(description = "First local communication port (10 are tried)")
        int communicationPort() default 47100;

        @AttributeDefinition(description = "Ignite thin client and JDBC port")
        int clientConnectorPort() default 10800;

        @AttributeDefinition(description = "Address to bind; empty binds all")
        String localAddress() default "";

        @AttributeDefinition(description = "IPAM pool for container virtual IPs (CIDR)")
        String virtualNetwork() default "10.98.0.0/16";

        @AttributeDefinition(description = "Ignite work directory; empty means ${karaf.data}/ignite")
        String workDirectory() default "";

        @AttributeDefinition(description = "Maximum size of the in-memory data region, MiB")
        int dataRegionMaxMiB() default 256;
    }

    /** Completes with the running node (or null once deactivated), or with the start failure. */
    private volatile CompletableFuture<Running> starting;

    private record Running(IgniteNode node, ContainerStore store, Registrar registrar) {
    }

    @Activate
    void activate(Config config) {
        Ipv4Network network = Ipv4Network.parse(config.virtualNetwork());
        NodeSettings settings = new NodeSettings("freeflow-ffo", NodeSettings.addresses(config.discoveryAddresses()),
                config.discoveryPort(), config.communicationPort(), config.clientConnectorPort(),
                config.localAddress().trim(), workDirectory(config.workDirectory()), config.dataRegionMaxMiB());
        start(settings, network);
        LOG.info("Orchestrator activated: starting Ignite node (discovery {}, virtual network {})",
                settings.discoveryAddresses(), network);
    }

    /** Starts the node on a thread of its own; package-private for tests. */
    void start(NodeSettings settings, Ipv4Network network) {
        CompletableFuture<Running> future = new CompletableFuture<>();
        starting = future;
        Thread thread = new Thread(() -> {
            try {
                IgniteNode node = IgniteNode.start(settings);
                ContainerStore store = new SqlContainerStore(node.containersCache());
                Running up = new Running(node, store,
                        new Registrar(store, node.allocationLock(), node::nextContainerId, network));
                if (!future.complete(up)) {
                    node.close(); // deactivated while starting
                }
            } catch (RuntimeException | Error e) {
                LOG.error("Ignite node failed to start; the orchestrator is unavailable", e);
                future.completeExceptionally(e);
            }
        }, "ffo-ignite-start");
        thread.setDaemon(true);
        thread.start();
    }

    private static String workDirectory(String configured) {
        String value = configured == null ? "" : configured.trim();
        if (value.isEmpty() || value.contains("${")) {
            String data = System.getProperty("karaf.data", System.getProperty("java.io.tmpdir"));
            return Path.of(data, "ignite").toString();
        }
        return value;
    }

    @Deactivate
    void deactivate() {
        CompletableFuture<Running> future = starting;
        if (!future.complete(null) && !future.isCompletedExceptionally()) {
            Running up = future.join();
            if (up != null) {
                up.node().close();
            }
        }
        starting = CompletableFuture.completedFuture(null);
        LOG.info("Orchestrator deactivated");
    }

    private Running awaitRunning() {
        try {
            Running up = starting.get(START_WAIT_SECONDS, TimeUnit.SECONDS);
            if (up == null) {
                throw new IllegalStateException("the orchestrator is stopped");
            }
            return up;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the orchestrator", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("the orchestrator's Ignite node failed to start: " + e.getCause(), e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("the orchestrator's Ignite node is not up after "
                    + START_WAIT_SECONDS + " s", e);
        }
    }

    @Override
    public boolean isReady() {
        CompletableFuture<Running> future = starting;
        return future != null && future.isDone() && !future.isCompletedExceptionally() && future.join() != null;
    }

    @Override
    public List<ContainerRecord> containers() {
        return awaitRunning().store().all();
    }

    @Override
    public Optional<ContainerRecord> container(String name) {
        return name == null ? Optional.empty() : awaitRunning().store().byName(name);
    }

    @Override
    public Optional<ContainerRecord> containerByLid(int lid) {
        return awaitRunning().store().byLid(lid);
    }

    @Override
    public ContainerRecord registerContainer(String name, String tenant, String host) {
        return awaitRunning().registrar().register(name, tenant, host);
    }

    @Override
    public void unregisterContainer(String name) {
        awaitRunning().registrar().unregister(name);
    }

    @Override
    public int allocateQpn() {
        return Qpns.fromSequence(awaitRunning().node().nextQpnValue());
    }
}
