package org.freeflow.ffo.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Hashtable;

import org.freeflow.ffo.api.ContainerReservations;
import org.freeflow.ffo.api.OrchestratorAdminService;
import org.freeflow.ffo.api.OrchestratorService;
import org.freeflow.ffo.internal.alloc.Ipv4Network;
import org.freeflow.ffo.internal.ignite.NodeSettings;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The orchestrator of this router: starts the embedded Ignite node on a thread
 * of its own, so that Karaf's start is not held up, and registers
 * {@link OrchestratorService}, {@link OrchestratorAdminService} and
 * {@link ContainerReservations} once the node
 * is in the cluster with its tables; they go away when the node stops (a
 * failure included) or the component deactivates.  A configuration change
 * restarts the node.
 */
@Component(immediate = true, configurationPid = OrchestratorManager.PID, service = {})
@Designate(ocd = OrchestratorManager.Config.class)
public final class OrchestratorManager {

    /** Starts tried before the orchestrator is given up (each can take seconds: a node joins first). */
    static final int START_ATTEMPTS = 5;
    private static final long RETRY_PAUSE_MILLIS = 2000;

    static final String PID = "org.freeflow.ffo";
    static final long DEFAULT_RESERVATION_SECONDS = 600;

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

        @AttributeDefinition(description = "The router's management address: discovery and communication bind to"
                + " it and the node advertises it; empty binds every interface")
        String localAddress() default "";

        @AttributeDefinition(description = "Address of the thin-client / JDBC connector (it takes SQL writes without"
                + " credentials: loopback by default; empty binds the management address)")
        String clientConnectorAddress() default NodeSettings.LOOPBACK;

        @AttributeDefinition(description = "IPAM pool for container virtual IPs (CIDR)")
        String virtualNetwork() default "10.98.0.0/16";

        @AttributeDefinition(description = "Ignite work directory; empty means ${karaf.data}/ignite")
        String workDirectory() default "";

        @AttributeDefinition(description = "Maximum size of the in-memory data region, MiB")
        int dataRegionMaxMiB() default 256;

        @AttributeDefinition(description = "How long a silent router's node stays in the cluster before it is"
                + " dropped and its host and containers become LOST, ms (Ignite's failure detection timeout)")
        long failureDetectionMillis() default NodeSettings.DEFAULT_FAILURE_DETECTION_MILLIS;

        @AttributeDefinition(description = "How often a router writes LAST_SEEN of its HOSTS row, and the oldest"
                + " router checks the HOSTS table against the cluster, ms")
        long heartbeatMillis() default 5000;

        @AttributeDefinition(description = "How long a detached container's virtual IP, LID and GID stay reserved"
                + " for it, so that started again under its name on any host it keeps them, s (0: freed at detach)")
        long reservationSeconds() default DEFAULT_RESERVATION_SECONDS;
    }

    /** Where the services go when the node is up; an OSGi registration, or a test's. */
    interface Publisher {
        /** Makes {@code services} available; returns how to withdraw them. */
        Runnable publish(ClusterOrchestrator services);
    }

    private final Object lock = new Object();
    private ClusterOrchestrator running;
    private Runnable withdraw;
    private boolean stopped;

    @Activate
    void activate(BundleContext context, Config config) {
        Ipv4Network network = Ipv4Network.parse(config.virtualNetwork());
        NodeSettings settings = new NodeSettings("freeflow-ffo", NodeSettings.addresses(config.discoveryAddresses()),
                config.discoveryPort(), config.communicationPort(), config.clientConnectorPort(),
                config.localAddress().trim(), workDirectory(config.workDirectory()), config.dataRegionMaxMiB(),
                config.failureDetectionMillis(), config.clientConnectorAddress().trim());
        LOG.info("Orchestrator activated: starting Ignite node (discovery {}, virtual network {})",
                settings.discoveryAddresses(), network);
        RegistrySettings registry = new RegistrySettings(network, Math.max(100, config.heartbeatMillis()),
                Duration.ofSeconds(Math.max(0, config.reservationSeconds())));
        start(settings, registry, services -> {
            Hashtable<String, Object> properties = new Hashtable<>();
            properties.put("freeflow.ffo.node", settings.instanceName());
            ServiceRegistration<?> registration = context.registerService(
                    new String[] {OrchestratorService.class.getName(), OrchestratorAdminService.class.getName(),
                        ContainerReservations.class.getName()},
                    services, properties);
            return () -> {
                try {
                    registration.unregister();
                } catch (IllegalStateException alreadyGone) {
                    // the bundle is stopping and the framework withdrew it
                }
            };
        });
    }

    /** Starts the node on a thread of its own and publishes the services when it is up; for tests too. */
    void start(NodeSettings settings, RegistrySettings registry, Publisher publisher) {
        Thread thread = new Thread(() -> {
            ClusterOrchestrator up = startWithRetries(settings, registry);
            if (up == null) {
                return;
            }
            synchronized (lock) {
                if (stopped) {
                    up.close(); // deactivated while starting
                    return;
                }
                running = up;
            }
            // outside the lock: registering calls the services' users (their bind methods)
            Runnable w = publisher.publish(up);
            boolean current;
            synchronized (lock) {
                current = running == up;
                if (current) {
                    withdraw = w;
                }
            }
            if (!current) {
                w.run(); // stopped or deactivated while it was being registered
                return;
            }
            up.onNodeStop(() -> withdraw(up, "its Ignite node stopped"));
            LOG.info("Orchestrator ready: services registered");
        }, "ffo-ignite-start");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Starts the node, again after a failure (several routers joining at once
     * can fail a start in Ignite, e.g. a continuous query set up while the
     * topology moves); null when every attempt failed or it was deactivated.
     */
    private ClusterOrchestrator startWithRetries(NodeSettings settings, RegistrySettings registry) {
        for (int attempt = 1; ; attempt++) {
            try {
                return ClusterOrchestrator.start(settings, registry);
            } catch (RuntimeException | Error e) {
                synchronized (lock) {
                    if (stopped) {
                        return null;
                    }
                }
                if (attempt == START_ATTEMPTS) {
                    LOG.error("Ignite node failed to start {} times; the orchestrator is unavailable", attempt, e);
                    return null;
                }
                LOG.warn("Ignite node failed to start (attempt {} of {}), again in {} ms: {}", attempt,
                        START_ATTEMPTS, RETRY_PAUSE_MILLIS, e.toString());
                try {
                    Thread.sleep(RETRY_PAUSE_MILLIS);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return null;
                }
            }
        }
    }

    private void withdraw(ClusterOrchestrator node, String why) {
        Runnable w;
        synchronized (lock) {
            if (running != node) {
                return;
            }
            running = null;
            w = withdraw;
            withdraw = null;
        }
        if (w != null) {
            w.run();
        }
        LOG.warn("Orchestrator services withdrawn: {}", why);
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
        ClusterOrchestrator up;
        Runnable w;
        synchronized (lock) {
            stopped = true;
            up = running;
            w = withdraw;
            running = null;
            withdraw = null;
        }
        if (w != null) {
            w.run();
        }
        if (up != null) {
            up.close();
        }
        LOG.info("Orchestrator deactivated");
    }
}
