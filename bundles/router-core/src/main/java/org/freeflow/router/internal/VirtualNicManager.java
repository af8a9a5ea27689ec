package org.freeflow.router.internal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.freeflow.fastpath.api.PollerService;
import org.freeflow.ffo.api.ClusterView;
import org.freeflow.ffo.api.HostRecord;
import org.freeflow.ffo.api.OrchestratorAdminService;
import org.freeflow.ffo.api.OrchestratorService;
import org.freeflow.ffo.api.QueuePairRecord;
import org.freeflow.qos.api.QosService;
import org.freeflow.router.api.ContainerIdentity;
import org.freeflow.router.api.ContainerView;
import org.freeflow.router.api.QueuePairView;
import org.freeflow.router.api.VirtualNicAdminService;
import org.freeflow.router.api.VirtualNicService;
import org.freeflow.router.api.transport.LocalResponders;
import org.freeflow.router.api.transport.Transport;
import org.freeflow.router.internal.control.AdminSession;
import org.freeflow.router.internal.control.ContainerRegistry;
import org.freeflow.router.internal.control.ControlServer;
import org.freeflow.router.internal.control.Listener;
import org.freeflow.router.internal.loopback.DataPathSelfTest;
import org.freeflow.router.internal.loopback.SelfTestResult;
import org.freeflow.router.internal.vnic.LocalTransport;
import org.freeflow.router.internal.vnic.OrchestratorLink;
import org.freeflow.router.internal.vnic.QpDirectory;
import org.freeflow.router.internal.vnic.TransportRegistry;
import org.freeflow.router.internal.vnic.VirtualNic;
import org.freeflow.router.internal.vnic.VnicEnvironment;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The router: one virtual NIC per attached container, served on its own Unix
 * socket, plus the admin socket.  The container table lives on the control
 * thread; API calls from other threads go through it.
 */
@Component(service = {VirtualNicService.class, VirtualNicAdminService.class}, configurationPid = "org.freeflow.router")
@Designate(ocd = VirtualNicManager.Config.class)
public final class VirtualNicManager implements VirtualNicService, VirtualNicAdminService, ContainerRegistry {

    private static final Logger LOG = LoggerFactory.getLogger(VirtualNicManager.class);

    /** Router configuration. */
    @ObjectClassDefinition(name = "FreeFlow router", description = "The virtual RDMA NICs this host serves")
    public @interface Config {

        @AttributeDefinition(name = "Host name", description = "This host's name in the cluster")
        String hostName() default "host1";

        @AttributeDefinition(name = "Socket directory", description = "Holds admin.sock and containers/<name>.sock")
        String socketDir() default "/run/freeflow";

        @AttributeDefinition(name = "Device name", description = "The verbs device every container sees")
        String deviceName() default "freeflow0";

        @AttributeDefinition(name = "Data-path self-test (ms)", description = "How long the router moves data "
                + "between two loopback NICs of its own at start, before it serves containers: it checks the data "
                + "path and warms it (the JIT compiles it before the first container's traffic); 0: no self-test")
        long dataPathSelfTestMillis() default 5000;

        @AttributeDefinition(name = "Transport self-test (ms)", description = "How long the router moves data "
                + "through a loopback of each transport that comes (tcp: a connection of its own over the loopback "
                + "interface), on a thread of its own while it serves: it checks the path between routers and warms "
                + "it before the first work request between hosts; 0: none")
        long transportSelfTestMillis() default 3000;

        @AttributeDefinition(name = "QPS refresh (ms)", description = "How often the router writes its QPs' state "
                + "and counters into the orchestrator's QPS table (creates, modifies and destroys are written at "
                + "once); 0: only then")
        long qpRefreshMillis() default RouterSettings.DEFAULT_QP_REFRESH_MILLIS;
    }

    /** Written into the HOSTS table: the bundle's version, or "dev" outside OSGi. */
    private static final String ROUTER_VERSION = routerVersion();

    private final RouterSettings settings;
    private final OrchestratorLink orchestrator = new OrchestratorLink();
    private volatile OrchestratorService view;
    private final TransportRegistry transports;
    private final LocalTransport local;
    /** {@link #local}'s registration as the LocalResponders service (DS only). */
    private ServiceRegistration<LocalResponders> responders;
    private final VnicEnvironment environment;
    private final ControlServer server;
    private final Attachments attachments;
    private final QpTableRefresh qpRefresh;
    private final Listener adminListener;
    private final DataPathSelfTest selfTest;
    /** Runs the self-tests through the transports, one at a time, off the threads that bring them. */
    private final ExecutorService transportSelfTests = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "freeflow-transport-self-test");
        t.setDaemon(true);
        return t;
    });

    /**
     * DS activation.  The orchestrator is not a condition of the router: it
     * comes once its Ignite node is in the cluster ({@link #bindOrchestrator}),
     * and until then an attach is refused with EAGAIN and the reason.
     */
    @Activate
    public VirtualNicManager(@Reference(name = "qos") QosService qos, @Reference(name = "poller") PollerService poller,
            Config config, BundleContext context) throws IOException {
        this(null, qos, poller, RouterSettings.of(config));
        // registered by hand, not as this component's service: the transports that use it are this
        // component's references too, and DS would meet the cycle while activating it
        responders = context.registerService(LocalResponders.class, local, null);
    }

    /** Starts the control thread and the admin socket; {@code orchestrator} may be null (none yet). */
    public VirtualNicManager(OrchestratorAdminService orchestrator, QosService qos, PollerService poller,
            RouterSettings settings) throws IOException {
        this.settings = settings;
        if (orchestrator != null) {
            this.orchestrator.connect(orchestrator);
        }
        QpDirectory directory = new QpDirectory();
        this.local = new LocalTransport(directory);
        this.transports = new TransportRegistry(local);
        this.environment = new VnicEnvironment(poller, qos, this.orchestrator, transports, directory);
        createPrivateDirectory(settings.adminSocket().getParent());
        createPrivateDirectory(settings.containerDir());
        removeStaleSockets(settings.containerDir());
        this.selfTest = new DataPathSelfTest(poller, qos, settings.hostName());
        selfTest();
        this.server = new ControlServer();
        this.attachments = new Attachments(server, this.orchestrator, environment, settings);
        server.start("freeflow-control");
        this.qpRefresh = new QpTableRefresh(this::queuePairRecords, this.orchestrator, settings.qpRefreshMillis());
        try {
            adminListener = server.listenAdmin(settings.adminSocket(), () -> new AdminSession(this));
        } catch (IOException e) {
            stopServer();
            throw e;
        }
        LOG.info("Router of {} started: admin socket {}, device {}", settings.hostName(), settings.adminSocket(),
                settings.deviceName());
    }

    /**
     * Runs the data-path self-test for its budget (before the admin socket
     * opens, so that whoever waits for the router to answer waits for it too)
     * and logs its figures; a failure is logged, and the router starts anyway.
     */
    private void selfTest() {
        if (settings.dataPathSelfTestMillis() <= 0) {
            return;
        }
        SelfTestResult result = selfTest.run(settings.dataPathSelfTestMillis());
        if (result.ok()) {
            LOG.info("Data-path self-test passed: {}", result.figures());
        } else {
            LOG.error("Data-path self-test FAILED: {} ({})", result.failure(), result.figures());
        }
    }

    private static String routerVersion() {
        Bundle bundle = FrameworkUtil.getBundle(VirtualNicManager.class);
        return bundle == null ? "dev" : bundle.getVersion().toString();
    }

    /** Closes every socket and frees every virtual NIC; registrations stay with the orchestrator. */
    @Deactivate
    public void deactivate() {
        if (responders != null) {
            responders.unregister();
        }
        server.call(() -> {
            attachments.closeAll();
            server.close(adminListener);
            return null;
        });
        qpRefresh.close();
        endTransportSelfTests();
        stopServer();
        attachments.shutdown();
        LOG.info("Router of {} stopped", settings.hostName());
    }

    @Reference(name = "orchestrator", cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "unbindOrchestrator")
    void bindOrchestrator(OrchestratorAdminService service) {
        try {
            // in line with the registrations: whatever this router attached before runs first and is counted
            attachments.onRegistryAndWait(() -> service.registerHost(settings.hostName(), ROUTER_VERSION,
                    server.call(attachments::records)));
        } catch (RuntimeException e) {
            String why = "this router cannot join the orchestrator as host " + settings.hostName() + ": "
                    + e.getMessage();
            orchestrator.refuse(why);
            LOG.error("{}; attaches are refused until that is fixed", why);
            return;
        }
        orchestrator.connect(service);
        // the regions and QPs of the containers it serves, which a cluster restarted whole no longer holds
        server.call(() -> {
            attachments.all().forEach(a -> a.vnic().republish(orchestrator));
            return null;
        });
        LOG.info("Orchestrator available: host {} registered, containers can attach", settings.hostName());
    }

    void unbindOrchestrator(OrchestratorAdminService service) {
        orchestrator.disconnect(service);
        if (!orchestrator.connected()) {
            LOG.warn("Orchestrator gone: attaches are refused (EAGAIN) until it is back");
        }
    }

    @Reference(name = "orchestratorView", cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY, unbind = "unbindView")
    void bindView(OrchestratorService service) {
        view = service;
    }

    void unbindView(OrchestratorService service) {
        if (view == service) {
            view = null;
        }
    }

    @Override
    public ClusterStatus clusterStatus() {
        OrchestratorService v = view;
        if (v == null) {
            throw new OrchestratorLink.Unavailable(OrchestratorLink.NOT_READY);
        }
        ClusterView cluster = v.cluster();
        int running = 0;
        int lost = 0;
        boolean registered = false;
        for (HostRecord h : v.hosts()) {
            if (HostRecord.RUNNING.equals(h.state())) {
                running++;
                registered |= h.name().equals(settings.hostName());
            } else {
                lost++;
            }
        }
        return new ClusterStatus(cluster.topologyVersion(), cluster.servers().size(), running, lost,
                registered && orchestrator.connected());
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addTransport(Transport transport) {
        transports.add(transport);
        LOG.info("Transport {} available", transport.name());
        if (settings.transportSelfTestMillis() > 0) {
            transportSelfTests.execute(() -> selfTestThrough(transport));
        }
    }

    /** The data-path self-test through {@code transport}'s loopback, if it has one: its figures logged. */
    private void selfTestThrough(Transport transport) {
        SelfTestResult result = selfTest.runThrough(transport, settings.transportSelfTestMillis());
        if (result == SelfTestResult.SKIPPED) {
            return;
        }
        if (result.ok()) {
            LOG.info("Data-path self-test through {} passed: {}", transport.name(), result.figures());
        } else {
            LOG.error("Data-path self-test through {} FAILED: {} ({})", transport.name(), result.failure(),
                    result.figures());
        }
    }

    void removeTransport(Transport transport) {
        transports.remove(transport);
        LOG.info("Transport {} gone", transport.name());
    }

    @Override
    public String hostName() {
        return settings.hostName();
    }

    @Override
    public List<ContainerView> containers() {
        return server.call(() -> {
            List<ContainerView> views = new ArrayList<>();
            for (Attachments.Attached a : attachments.all()) {
                views.add(a.view(settings.deviceName()));
            }
            return views;
        });
    }

    @Override
    public List<QueuePairView> queuePairs() {
        return server.call(() -> {
            List<QueuePairView> views = new ArrayList<>();
            for (Attachments.Attached a : attachments.all()) {
                List<QueuePairView> ofContainer = a.vnic().queuePairViews();
                ofContainer.sort(Comparator.comparingInt(QueuePairView::qpn));
                views.addAll(ofContainer);
            }
            return views;
        });
    }

    /** Attaches the container and waits for it (not on the control thread, which completes it). */
    /** The QPS rows of every QP this router serves (through the control thread). */
    private List<QueuePairRecord> queuePairRecords() {
        return server.call(() -> {
            List<QueuePairRecord> records = new ArrayList<>();
            for (Attachments.Attached a : attachments.all()) {
                records.addAll(a.vnic().queuePairRecords());
            }
            return records;
        });
    }

    @Override
    public ContainerView attach(String name, String tenant, ContainerIdentity identity) {
        if (server.onControlThread()) {
            throw new IllegalStateException("attach waits for the control thread; call it from another");
        }
        Futures.join(attachContainer(name, tenant, identity));
        return server.call(() -> attachments.get(name).view(settings.deviceName()));
    }

    @Override
    public CompletionStage<VirtualNic> attachContainer(String name, String tenant, ContainerIdentity identity) {
        return server.call(() -> attachments.attach(name, tenant, identity));
    }

    @Override
    public CompletionStage<Boolean> detachContainer(String name) {
        return server.call(() -> attachments.detach(name));
    }

    /** Detaches the container and waits until the orchestrator unregistered it (not on the control thread). */
    @Override
    public boolean detach(String name) {
        if (server.onControlThread()) {
            throw new IllegalStateException("detach waits for the control thread; call it from another");
        }
        return Futures.join(detachContainer(name));
    }

    @Override
    public ContainerView setPortActive(String name, boolean active) {
        return server.call(() -> {
            if (!setPort(name, active)) {
                throw new NoSuchElementException("container " + name + " is not attached");
            }
            return attachments.get(name).view(settings.deviceName());
        });
    }

    @Override
    public boolean setPort(String name, boolean active) {
        return server.call(() -> {
            Attachments.Attached attached = attachments.get(name);
            if (attached == null) {
                return false;
            }
            if (attached.vnic().setPortActive(active)) {
                LOG.info("Port of container {} {}", name, active ? "up" : "down");
            }
            return true;
        });
    }

    /** Lets a self-test through a transport end (it stops at its budget) before the router's data path goes. */
    private void endTransportSelfTests() {
        transportSelfTests.shutdown();
        try {
            long wait = settings.transportSelfTestMillis() + 10_000;
            if (!transportSelfTests.awaitTermination(wait, TimeUnit.MILLISECONDS)) {
                LOG.warn("A self-test through a transport has not ended; stopping without it");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void stopServer() {
        try {
            server.stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void removeStaleSockets(Path dir) throws IOException {
        try (DirectoryStream<Path> stale = Files.newDirectoryStream(dir, "*.sock")) {
            for (Path p : stale) {
                Files.deleteIfExists(p);
            }
        }
    }

    /**
     * Makes {@code dir} (and its parents) with mode 0711 for what this router
     * creates: others can reach a socket whose name they know, not list them.
     */
    private static void createPrivateDirectory(Path dir) throws IOException {
        if (dir == null) {
            return;
        }
        Files.createDirectories(dir);
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        } catch (UnsupportedOperationException | IOException e) {
            LOG.warn("cannot restrict the permissions of {}: {}", dir, e.getMessage());
        }
    }
}
