package org.freeflow.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import javax.inject.Inject;

import org.apache.karaf.features.FeaturesService;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.freeflow.ffo.api.ContainerRecord;
import org.freeflow.ffo.api.OrchestratorService;
import org.freeflow.router.api.ContainerIdentity;
import org.freeflow.router.api.ContainerView;
import org.freeflow.router.api.VirtualNicAdminService;
import org.freeflow.router.api.VirtualNicService;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.util.tracker.ServiceTracker;

/** The assembled router boots, resolves and answers. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class DistributionIT {

    private static final long TIMEOUT_MILLIS = 60_000;
    private static final List<String> FEATURES = List.of("freeflow-jna", "freeflow-ffo", "freeflow-router",
            "freeflow-mgmt", "freeflow");
    private static final List<String> BUNDLES = List.of("org.freeflow.freeflow-posix",
            "org.freeflow.freeflow-fastpath", "org.freeflow.freeflow-qos", "org.freeflow.freeflow-ffo-api",
            "org.freeflow.freeflow-ffo-ignite", "org.freeflow.freeflow-router-core", "org.freeflow.freeflow-mgmt-rest");

    @Inject
    private BundleContext context;

    @Inject
    private FeaturesService features;

    @Inject
    private SessionFactory sessions;

    @Inject
    private OrchestratorService orchestrator;

    @Configuration
    public Option[] configuration() {
        return FreeFlowDistribution.options();
    }

    @Test
    public void freeflowFeaturesAreInstalled() throws Exception {
        for (String name : FEATURES) {
            assertTrue(name + " installed", features.isInstalled(features.getFeature(name)));
        }
    }

    @Test
    public void everyFreeflowBundleIsActive() throws Exception {
        Map<String, Integer> states = waitFor(() -> {
            Map<String, Integer> found = freeflowBundles();
            return found.keySet().containsAll(BUNDLES) && found.values().stream().allMatch(s -> s == Bundle.ACTIVE)
                    ? found : null;
        });
        assertNotNull("all of " + BUNDLES + " ACTIVE; states now " + freeflowBundles(), states);
    }

    @Test
    public void orchestratorBecomesReady() throws Exception {
        assertNotNull("Ignite node up", waitFor(() -> orchestrator.isReady() ? Boolean.TRUE : null));
        assertTrue(orchestrator.containers().stream().allMatch(c -> !c.name().isEmpty()));
    }

    @Test
    public void routerAnswers() throws Exception {
        VirtualNicService nics = service(VirtualNicService.class);
        assertEquals(FreeFlowDistribution.HOST, nics.hostName());
        assertNotNull(nics.containers());
        assertNotNull(nics.queuePairs());
    }

    /** The processes of this JVM's network namespace. */
    private static ContainerIdentity thisNetworkNamespace() throws java.io.IOException {
        return ContainerIdentity.ofNetworkNamespace(java.nio.file.Paths.get("/proc/self/ns/net"));
    }

    @Test
    public void containersCommandListsAnAttachedContainer() throws Exception {
        service(VirtualNicService.class);
        VirtualNicAdminService admin = service(VirtualNicAdminService.class);
        ContainerView attached = attachOnceJoined(admin, "itest-c1");
        try {
            String output = waitFor(() -> execute("freeflow:containers"));
            assertNotNull("freeflow:containers ran", output);
            assertTrue(output, output.contains("Name") && output.contains("Virtual IP") && output.contains("QPs"));
            assertTrue(output, output.contains("itest-c1") && output.contains("acme")
                    && output.contains(attached.virtualIp()));
            assertTrue("registered in the orchestrator", orchestrator.container("itest-c1").isPresent());
        } finally {
            assertTrue(admin.detach("itest-c1"));
        }
        assertEquals("detached: its addresses reserved", ContainerRecord.RESERVED,
                orchestrator.container("itest-c1").orElseThrow().state());
    }

    @Test
    public void sqlCommandQueriesTheTablesAndReservationsHoldADetachedContainersAddresses() throws Exception {
        VirtualNicAdminService admin = service(VirtualNicAdminService.class);
        assertNotNull("Ignite node up", waitFor(() -> orchestrator.isReady() ? Boolean.TRUE : null));
        String tables = waitFor(() -> execute("freeflow:sql \"SELECT TABLE_NAME FROM SYS.TABLES"
                + " WHERE SCHEMA_NAME = 'PUBLIC' ORDER BY TABLE_NAME\""));
        assertNotNull("freeflow:sql ran", tables);
        for (String table : List.of("CONTAINERS", "HOSTS", "MEMORY_MAPS", "QPS")) {
            assertTrue(tables, tables.contains(table));
        }
        assertTrue(tables, tables.contains("4 rows"));
        ContainerView attached = attachOnceJoined(admin, "itest-c3");
        try {
            String row = execute("freeflow:sql \"SELECT c.NAME, c.VIRTUAL_IP, h.NAME FROM CONTAINERS c"
                    + " JOIN HOSTS h ON h.NAME = c.HOST WHERE c.NAME = 'itest-c3'\"");
            assertTrue(row, row.contains("itest-c3") && row.contains(attached.virtualIp()) && row.contains("itest")
                    && row.contains("1 row"));
            String bad = execute("freeflow:sql SELECT * FROM NO_SUCH_TABLE");
            assertEquals("a refused statement fails the command", null, bad);
        } finally {
            assertTrue(admin.detach("itest-c3"));
        }
        String reserved = execute("freeflow:reservations");
        assertTrue(reserved, reserved.contains("itest-c3") && reserved.contains(attached.virtualIp()));
        String held = execute("freeflow:reserve itest-c3");
        assertTrue(held, held.contains("itest-c3: " + attached.virtualIp()) && held.contains("until released"));
        ContainerView again = admin.attach("itest-c3", "acme", thisNetworkNamespace());
        try {
            assertEquals("attached again, it has its address back", attached.virtualIp(), again.virtualIp());
            assertEquals(attached.lid(), again.lid());
        } finally {
            assertTrue(admin.detach("itest-c3"));
        }
        String released = execute("freeflow:release itest-c3");
        assertTrue(released, released.contains("reservation released"));
        assertTrue("released: the row is gone", orchestrator.container("itest-c3").isEmpty());
    }

    @Test
    public void portCommandTakesAContainersPortDownAndUp() throws Exception {
        VirtualNicAdminService admin = service(VirtualNicAdminService.class);
        attachOnceJoined(admin, "itest-c2");
        try {
            String down = waitFor(() -> execute("freeflow:port itest-c2 down"));
            assertNotNull("freeflow:port ran", down);
            assertTrue(down, down.contains("itest-c2: port 1 DOWN"));
            String containers = execute("freeflow:containers");
            assertTrue(containers, containers.contains("DOWN"));
            String up = execute("freeflow:port itest-c2 up");
            assertTrue(up, up.contains("itest-c2: port 1 ACTIVE"));
        } finally {
            assertTrue(admin.detach("itest-c2"));
        }
    }

    @Test
    public void statsCommandShowsThePollers() throws Exception {
        String output = waitFor(() -> {
            String out = execute("freeflow:stats freeflow_fastpath");
            return out != null && out.contains("freeflow_fastpath_rounds_total") ? out : null;
        });
        assertNotNull("freeflow:stats lists the poller metrics; last output: " + execute("freeflow:stats"), output);
        assertTrue(output, output.contains("freeflow_fastpath_pollers"));
    }

    private <T> T service(Class<T> type) throws InterruptedException {
        ServiceTracker<T, T> tracker = new ServiceTracker<>(context, type, null);
        tracker.open();
        try {
            T service = tracker.waitForService(TIMEOUT_MILLIS);
            assertNotNull(type.getSimpleName() + " registered", service);
            return service;
        } finally {
            tracker.close();
        }
    }

    /**
     * Attaches {@code name} to this JVM's namespace as soon as the router has joined the orchestrator.  The
     * Ignite node runs before the router has registered its host and connected; until then an attach is refused
     * with "not ready ... try again", as a container hears it, and the test tries again as a container would.
     */
    private ContainerView attachOnceJoined(VirtualNicAdminService admin, String name) throws Exception {
        String[] refusal = {null};
        ContainerView attached = waitFor(() -> {
            try {
                return admin.attach(name, "acme", thisNetworkNamespace());
            } catch (IllegalStateException e) {
                if (e.getMessage() == null || !e.getMessage().startsWith("the orchestrator is not ready")) {
                    throw e;
                }
                refusal[0] = e.getMessage();
                return null;
            }
        });
        assertNotNull(name + " attached once the router joined the cluster; last refusal: " + refusal[0], attached);
        return attached;
    }

    /** Runs a shell command; null while the command is not (yet) registered. */
    private String execute(String command) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
        Session session = sessions.create(System.in, out, out);
        try {
            session.execute(command);
            out.flush();
            return buffer.toString(StandardCharsets.UTF_8);
        } catch (Exception e) {
            return null;
        } finally {
            session.close();
        }
    }

    private Map<String, Integer> freeflowBundles() {
        Map<String, Integer> found = new TreeMap<>();
        for (Bundle b : context.getBundles()) {
            if (b.getSymbolicName() != null && b.getSymbolicName().startsWith("org.freeflow.")) {
                found.put(b.getSymbolicName(), b.getState());
            }
        }
        return found;
    }

    private interface Probe<T> {
        T get() throws Exception;
    }

    /** Polls until the probe returns non-null, or null after the timeout. */
    private static <T> T waitFor(Probe<T> probe) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MILLIS);
        while (System.nanoTime() < deadline) {
            T value = probe.get();
            if (value != null) {
                return value;
            }
            Thread.sleep(200);
        }
        return null;
    }
}
