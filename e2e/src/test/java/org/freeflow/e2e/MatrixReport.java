package org.freeflow.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeTestExecutionCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * When a test class ends, prints one table of its tests: each one's display name (for a
 * matrix, the row's id), PASS, FAIL, ABORTED or DISABLED, its seconds and the first line of
 * the reason; to standard output and to {@code fileName} in the report directory
 * ({@code freeflow.e2e.reports}, else e2e/target). Register it on a static field
 * ({@code @RegisterExtension static}) so that it sees the whole class.
 */
final class MatrixReport implements BeforeTestExecutionCallback, TestWatcher, AfterAllCallback {
    private static final Namespace NAMESPACE = Namespace.create(MatrixReport.class);
    private static final int REASON_WIDTH = 110;

    private final String fileName;

    MatrixReport(String fileName) {
        this.fileName = fileName;
    }

    /** One test's line. */
    record Result(String name, String outcome, double seconds, String reason) {
        boolean passed() {
            return outcome.equals("PASS");
        }
    }

    /** What one class's run has seen: start times by unique id, then results in order. */
    private static final class Run {
        final Map<String, Long> started = new ConcurrentHashMap<>();
        final List<Result> results = Collections.synchronizedList(new ArrayList<>());
    }

    @Override
    public void beforeTestExecution(ExtensionContext context) {
        run(context).started.put(context.getUniqueId(), System.nanoTime());
    }

    @Override
    public void testSuccessful(ExtensionContext context) {
        finished(context, "PASS", null);
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        finished(context, "FAIL", cause);
    }

    @Override
    public void testAborted(ExtensionContext context, Throwable cause) {
        finished(context, "ABORTED", cause);
    }

    @Override
    public void testDisabled(ExtensionContext context, Optional<String> reason) {
        run(context).results.add(new Result(context.getDisplayName(), "DISABLED", 0, reason.orElse("")));
    }

    private static void finished(ExtensionContext context, String outcome, Throwable cause) {
        Run run = run(context);
        Long start = run.started.remove(context.getUniqueId());
        double seconds = start == null ? 0 : (System.nanoTime() - start) / 1e9;
        run.results.add(new Result(context.getDisplayName(), outcome, seconds, cause == null ? "" : reason(cause)));
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        List<String> table = table(context.getDisplayName(), List.copyOf(run(context).results));
        Path file = LabExtension.directory("freeflow.e2e.reports", LabExtension.repository().resolve("e2e/target"))
                .resolve(fileName);
        Files.writeString(file, String.join("\n", table) + "\n");
        System.out.println(String.join("\n", table));
        System.out.println("(also in " + file + ")");
    }

    /** The class's run, kept in the store of the class's context whatever context asks. */
    private static Run run(ExtensionContext context) {
        ExtensionContext c = context;
        while (c.getTestMethod().isPresent() && c.getParent().isPresent()) {
            c = c.getParent().get();
        }
        return c.getStore(NAMESPACE).getOrComputeIfAbsent(Run.class);
    }

    /** The first line of the failure's message that says something, at most REASON_WIDTH long. */
    static String reason(Throwable cause) {
        String message = cause.getMessage();
        String first = message == null ? "" : message.lines().map(String::strip).filter(l -> !l.isEmpty())
                .findFirst().orElse("");
        if (first.isEmpty()) {
            return cause.getClass().getSimpleName();
        }
        return first.length() <= REASON_WIDTH ? first : first.substring(0, REASON_WIDTH - 1) + "…";
    }

    /** The table: a summary line, a header, one line per result in the order they ended. */
    static List<String> table(String title, List<Result> results) {
        long passed = results.stream().filter(Result::passed).count();
        double total = results.stream().mapToDouble(Result::seconds).sum();
        int width = results.stream().mapToInt(r -> r.name().length()).max().orElse(0);
        width = Math.max(width, "row".length());
        String format = "%-" + width + "s  %-8s  %7s  %s";
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "%s: %d rows, %d passed, %d did not (%.0f s)", title, results.size(), passed,
                results.size() - passed, total));
        lines.add(String.format(format, "row", "result", "seconds", "reason").stripTrailing());
        lines.add(String.format(format, "-".repeat(width), "-".repeat(8), "-".repeat(7), "-".repeat(6)));
        for (Result r : results) {
            String seconds = String.format(Locale.ROOT, "%.1f", r.seconds());
            lines.add(String.format(format, r.name(), r.outcome(), seconds, r.reason()).stripTrailing());
        }
        return lines;
    }
}
