package org.freeflow.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Brings the tests' lab up once for the whole run ({@code ./freeflow lab up}, lab name from
 * {@code freeflow.e2e.lab}, default {@code fft}) and down when the run ends; injects
 * {@link Lab} into test methods and constructors. If the lab cannot come up, every test that
 * uses it fails with the launcher's message (which carries the router's log).
 */
public final class LabExtension implements BeforeAllCallback, ParameterResolver {
    private static final Namespace NAMESPACE = Namespace.create(LabExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        labOf(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Lab.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return labOf(context);
    }

    private static Lab labOf(ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(LabResource.class, k -> new LabResource(), LabResource.class)
                .lab();
    }

    /** Finds the repository: {@code freeflow.repo}, else the first parent with ./freeflow. */
    static Path repository() {
        String prop = System.getProperty("freeflow.repo");
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop).toAbsolutePath().normalize();
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isExecutable(p.resolve("freeflow")) && Files.exists(p.resolve("pom.xml"))) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find the repository (set -Dfreeflow.repo)");
    }

    static Path logDirectory(Path repo) {
        return directory("freeflow.e2e.logs", repo.resolve("e2e/target/e2e-logs"));
    }

    /** The directory system property {@code property} names, else {@code fallback}; created. */
    static Path directory(String property, Path fallback) {
        String prop = System.getProperty(property);
        Path dir = prop != null && !prop.isBlank() ? Path.of(prop) : fallback;
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A lab of {@code hosts} hosts of a test class's own, brought up afresh (taken down first
     * if a previous run left it): named by system property {@code nameProperty} (default
     * {@code defaultName}), its logs in {@code logsProperty} (default {@code logDir} under
     * the e2e logs).
     */
    static Lab ownLab(String nameProperty, String defaultName, String logsProperty, String logDir, int hosts)
            throws InterruptedException {
        assertTrue(isRoot(), "the end-to-end tests need root (network namespaces)");
        Path repo = repository();
        Lab lab = new Lab(repo, System.getProperty(nameProperty, defaultName),
                directory(logsProperty, logDirectory(repo).resolve(logDir)));
        lab.admin(Duration.ofMinutes(2), "down");
        lab.admin(Duration.ofMinutes(6), "up", "--hosts", Integer.toString(hosts), "--timeout", "300")
                .assertSuccess();
        return lab;
    }

    /** Takes down a lab {@link #ownLab} brought up (none: nothing), printing what the launcher said. */
    static void takeDown(Lab lab) throws InterruptedException {
        if (lab != null) {
            System.out.println(lab.admin(Duration.ofMinutes(2), "down").describe());
        }
    }

    static boolean isRoot() {
        try {
            Process p = new ProcessBuilder("id", "-u").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            return p.waitFor() == 0 && out.equals("0");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The lab's lifetime: made on first use, removed when JUnit closes the root store. */
    static final class LabResource implements ExtensionContext.Store.CloseableResource {
        private final Lab lab;
        private final String failure;

        LabResource() {
            Path repo = repository();
            String name = System.getProperty("freeflow.e2e.lab", "fft");
            lab = new Lab(repo, name, logDirectory(repo));
            failure = bringUp();
        }

        private String bringUp() {
            if (!isRoot()) {
                return "the end-to-end tests need root (network namespaces): run them as root";
            }
            try {
                // a lab left by a run that was killed
                lab.admin(Duration.ofMinutes(2), "down");
                List<String> args = new ArrayList<>(List.of("up", "--hosts", "1"));
                String subnet = System.getProperty("freeflow.e2e.subnet", "");
                if (!subnet.isBlank()) {
                    args.addAll(List.of("--subnet", subnet));
                }
                long upTimeout = Long.getLong("freeflow.e2e.upTimeout", 240);
                args.addAll(List.of("--timeout", Long.toString(upTimeout)));
                ProcessResult up = lab.admin(Duration.ofSeconds(upTimeout + 60), args.toArray(String[]::new));
                System.out.println(up.describe());
                if (up.timedOut() || up.exitCode() != 0) {
                    return "./freeflow lab up failed: " + up.describe();
                }
                return null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "interrupted while bringing the lab up";
            }
        }

        Lab lab() {
            if (failure != null) {
                throw new IllegalStateException(failure);
            }
            return lab;
        }

        @Override
        public void close() throws InterruptedException {
            if (failure == null) {
                keepRouterLogs();
            }
            ProcessResult down = lab.admin(Duration.ofMinutes(2), "down");
            System.out.println(down.describe());
        }

        /** Copies the routers' logs next to the programs' logs before `lab down` removes them. */
        private void keepRouterLogs() {
            try {
                Map<String, String> h1 = lab.inspect(Lab.DEFAULT_HOST);
                for (String key : List.of("log", "karaf_log")) {
                    String file = h1.get(key);
                    if (file != null && Files.isRegularFile(Path.of(file))) {
                        Files.copy(Path.of(file), lab.logs().resolve("router-h1-" + Path.of(file).getFileName()),
                                StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            } catch (IOException | RuntimeException | AssertionError e) {
                System.out.println("could not keep the router logs: " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
