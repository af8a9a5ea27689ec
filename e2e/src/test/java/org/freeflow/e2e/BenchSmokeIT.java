package org.freeflow.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The benchmark suite end to end: {@code ./freeflow bench --quick --no-build} in a lab of its
 * own ({@code ffbt}, or {@code freeflow.e2e.benchLab}) must end with status 0 and leave a
 * complete, well-formed report: every section and every row of the quick plan (first contact's
 * too: every tool in both modes with its runs and steady state, the reg_mr costs), numbers that
 * parse, positive FreeFlow figures, a ratio for every FreeFlow figure, a verdict for every
 * target, the CSV, and non-empty PNG figures. A perftest run that perftest aborted for its own
 * clock calibration is the bench's to run again (bench/README.md); the test checks that such
 * retries, if any, are reported consistently in the output, results.md and results.csv. No
 * assertion on how fast anything is: this machine's figures are the bench's business, not the
 * test's, and so is whether a target is met.
 */
@Timeout(480)
class BenchSmokeIT {
    private static final String LAB = System.getProperty("freeflow.e2e.benchLab", "ffbt");
    private static final List<String> BW_SIZES = List.of("2 KiB", "64 KiB", "1 MiB");
    private static final List<String> LAT_SIZES = List.of("2 B", "64 B", "4 KiB");
    private static final List<String> MODES = List.of("fastpath", "lowcpu", "adaptive");
    private static final List<String> FIRST_TOOLS = List.of("ib_send_bw", "ib_write_bw", "ib_read_bw", "ib_send_lat");
    private static final List<String> FIRST_PHASES = List.of("default", "fastpath");
    private static final int FIRST_RUNS = 3;
    private static final List<String> REGMR_SIZES = List.of("1 MiB", "64 MiB");
    private static final List<String> REGMR_METRICS = List.of("reg_us_per_mib", "dereg_us_per_mib",
            "touch_after_reg_us_per_mib", "touch_resident_us_per_mib");
    private static final List<String> FIGURES =
            List.of("fig9-throughput.png", "fig10-latency.png", "fig12-cpu.png", "modes-latency.png");
    private static final Pattern NUMBER = Pattern.compile("^-?\\d+(\\.\\d+)?");

    private static Path out;
    private static ProcessResult run;
    private static String markdown;
    private static Map<String, List<List<String>>> tables;
    private static List<Map<String, String>> csv;

    @BeforeAll
    static void runQuickBench() throws IOException, InterruptedException {
        assertTrue(LabExtension.isRoot(), "the bench needs root (network namespaces)");
        Path repo = LabExtension.repository();
        Path logs = LabExtension.logDirectory(repo);
        out = logs.resolve("bench-quick");
        deleteTree(out);
        List<String> cmd = List.of(repo.resolve("freeflow").toString(), "bench", "--quick", "--no-build",
                "--lab", LAB, "--out", out.toString());
        try (LabProcess p = LabProcess.start("bench", cmd, logs.resolve("bench-quick.log"))) {
            run = p.awaitExit(Duration.ofSeconds(420));
        }
        System.out.println(run.output());
        Path md = out.resolve("results.md");
        markdown = Files.isRegularFile(md) ? Files.readString(md, StandardCharsets.UTF_8) : "";
        tables = tables(markdown);
        Path results = out.resolve("results.csv");
        csv = Files.isRegularFile(results) ? csv(Files.readString(results, StandardCharsets.UTF_8)) : List.of();
    }

    @Test
    void endsWellAndTakesItsLabDown() throws InterruptedException {
        run.assertSuccess();
        assertTrue(run.output().contains("0 failed step(s)"), run::describe);
        Path repo = LabExtension.repository();
        try (LabProcess status = LabProcess.start("bench-lab-status",
                List.of(repo.resolve("freeflow").toString(), "lab", "--lab", LAB, "status"),
                LabExtension.logDirectory(repo).resolve("bench-lab-status.log"))) {
            ProcessResult r = status.awaitExit(Duration.ofSeconds(30));
            assertTrue(r.output().contains("lab '" + LAB + "': not up"), r::describe);
        }
    }

    @Test
    void reportHasTheMachineAndEverySection() {
        assertFalse(markdown.isEmpty(), () -> "no results.md: " + run.describe());
        assertTrue(markdown.startsWith("# FreeFlow benchmark, "), markdown);
        assertTrue(Pattern.compile("\\*\\*Machine\\*\\*: \\d+ CPUs, [^;]+; Linux \\S+; \\d+ GiB of memory; "
                + "load average [0-9. ]+ at the start; other processes than the bench's took \\d+ % of the CPUs")
                .matcher(markdown).find(), markdown);
        for (String fact : List.of("**Software**: commit", "`./freeflow bench --quick`")) {
            assertTrue(markdown.contains(fact), "missing '" + fact + "' in\n" + markdown);
        }
        for (String section : List.of("## Targets", "## First contact", "### First contact",
                "### Memory registration", "### Control verbs", "## Throughput", "### Throughput", "## Latency",
                "## Baselines", "## CPU at full throughput", "## Idle router per mode",
                "## 2 B ib_send_lat per mode", "### Throughput between hosts", "### Latency between hosts",
                "### CPU per router between hosts")) {
            assertTrue(tables.containsKey(section), "no table under '" + section + "'");
        }
        for (String section : List.of("## Figures", "## How it was measured")) {
            assertTrue(markdown.contains("\n" + section + "\n"), "missing section '" + section + "'");
        }
        assertFalse(markdown.contains("## Failed steps"), markdown);
        assertFalse(markdown.contains("n/a"), () -> "a figure is missing:\n" + markdown);
    }

    @Test
    void everyTargetHasARatioAndAVerdict() {
        List<List<String>> rows = table("## Targets");
        assertEquals(11 + 10 + 10, rows.size(), () -> "targets: " + rows); // first contact's, between hosts'
        for (List<String> row : rows) {
            ratio(row.get(3));
            if (row.get(1).endsWith("Gbps") || row.get(1).endsWith("µs") || row.get(1).endsWith("MB/s")) {
                positive(row.get(1));
            } else {
                assertTrue(number(row.get(1)) >= 0, row::toString); // % of a core
            }
            verdict(row.get(5));
        }
    }

    /**
     * First contact: every tool in the router's default mode (the mode it names) and in fastpath,
     * each with its default-flag runs, its steady-state figure, a ratio and a verdict; the default
     * mode against fastpath; the reg_mr costs at every size; and the same in results.csv.
     */
    @Test
    void firstContactIsComplete() {
        List<List<String>> rows = table("## First contact");
        assertEquals(FIRST_TOOLS.size() * FIRST_PHASES.size(), rows.size(), rows::toString);
        for (int i = 0; i < rows.size(); i++) {
            List<String> row = rows.get(i);
            assertEquals(3 + FIRST_RUNS + 3, row.size(), row::toString);
            assertEquals(FIRST_TOOLS.get(i / FIRST_PHASES.size()), row.get(0), row::toString);
            assertTrue(i % 2 == 0 ? row.get(1).matches("default mode \\((fastpath|lowcpu|adaptive)\\)")
                    : row.get(1).equals("fastpath"), row::toString);
            assertTrue(row.get(2).matches("\\d+ × \\d+ (B|KiB)"), row::toString);
            String unit = row.get(0).endsWith("_lat") ? " µs" : " MB/s";
            for (String cell : row.subList(3, 3 + FIRST_RUNS + 1)) {
                assertTrue(cell.contains(unit), row::toString);
                positive(cell);
            }
            ratio(row.get(3 + FIRST_RUNS + 1));
            verdict(row.get(3 + FIRST_RUNS + 2));
        }
        List<List<String>> modes = table("### First contact");
        assertEquals(2, modes.size(), modes::toString);
        for (List<String> row : modes) {
            positive(row.get(1));
            positive(row.get(2));
            ratio(row.get(3));
            verdict(row.get(5));
        }
        List<List<String>> regmr = table("### Memory registration");
        assertEquals(REGMR_SIZES, column(regmr, 0));
        regmr.forEach(row -> row.subList(1, 5).forEach(BenchSmokeIT::positive));
        List<List<String>> control = table("### Control verbs");
        assertEquals(List.of("reg_mr", "dereg_mr", "create_qp", "destroy_qp", "attach", "detach",
                "ffctl ping (reference)"), column(control, 0));
        control.forEach(row -> {
            assertEquals(4, row.size(), () -> "the quick run has one router: " + row);
            row.subList(1, 4).forEach(BenchSmokeIT::positive);
        });

        for (String tool : FIRST_TOOLS) {
            String metric = tool.endsWith("_lat") ? "t_typical_us" : "bw_mbps";
            for (String phase : FIRST_PHASES) {
                for (int run = 1; run <= FIRST_RUNS; run++) {
                    positive(csvValue("first", tool, phase, metric + "_run" + run));
                }
                positive(csvValue("first", tool, phase, metric + "_steady"));
            }
        }
        for (String phase : FIRST_PHASES) {
            positive(csvValue("first", "ib_write_bw", phase, "bw_mbps"));
        }
        assertTrue(csv.stream().anyMatch(r -> r.get("section").equals("first")
                && r.get("metric").equals("mode_at_start") && !r.get("mode").isEmpty()),
                "no mode_at_start row naming the router's mode in results.csv");
        long regmrRows = csv.stream().filter(r -> r.get("section").equals("regmr")
                && REGMR_METRICS.contains(r.get("metric"))).count();
        assertEquals(REGMR_SIZES.size() * REGMR_METRICS.size(), regmrRows, "regmr rows in results.csv");
    }

    @Test
    void throughputHasEverySizeAndRatio() {
        List<List<String>> rows = table("## Throughput");
        assertEquals(BW_SIZES, column(rows, 0));
        for (List<String> row : rows) {
            row.subList(1, 4).forEach(BenchSmokeIT::positive); // ib_send_bw, ib_write_bw, ib_read_bw
            number(row.get(4));
        }
        List<List<String>> ratios = table("### Throughput");
        assertEquals(9, ratios.size(), ratios::toString);
        for (List<String> row : ratios) {
            assertTrue(row.get(0).matches("ib_(send|write|read)_bw"), row::toString);
            assertTrue(BW_SIZES.contains(row.get(1)), row::toString);
            positive(row.get(2));
            row.subList(3, row.size()).forEach(BenchSmokeIT::ratio);
        }
    }

    @Test
    void latencyHasEverySizeWithOrderedPercentilesAndRatios() {
        List<List<String>> rows = table("## Latency");
        assertEquals(9, rows.size(), rows::toString);
        for (List<String> row : rows) {
            assertTrue(row.get(0).matches("ib_(send|write|read)_lat"), row::toString);
            assertTrue(LAT_SIZES.contains(row.get(1)), row::toString);
            percentiles(row.subList(2, 5));
            number(row.get(5));
            ratio(row.get(6));
            number(row.get(7));
            ratio(row.get(8));
        }
    }

    @Test
    void baselinesAreAllThere() {
        List<String> names = column(table("## Baselines"), 0);
        for (String prefix : List.of("memcpy, one core, 1 MiB", "memcpy, one core, 256 MiB", "iperf3",
                "sockperf", "UCX posix tag_lat", "UCX posix tag_bw")) {
            assertTrue(names.stream().anyMatch(n -> n.startsWith(prefix)), () -> prefix + " not in " + names);
        }
        table("## Baselines").forEach(row -> number(row.get(1)));
    }

    @Test
    void cpuIdleAndLatencyPerMode() {
        List<List<String>> cpu = table("## CPU at full throughput");
        assertEquals(MODES, column(cpu, 0));
        for (List<String> row : cpu) {
            positive(row.get(2)); // Gbps
            for (int i : new int[] {3, 5, 6}) {
                number(row.get(i));
            }
            for (String part : row.get(4).split(" / ")) {
                number(part);
            }
        }
        List<List<String>> idle = table("## Idle router per mode");
        assertEquals(MODES, column(idle, 0));
        idle.forEach(row -> row.subList(2, row.size()).forEach(BenchSmokeIT::number));
        List<List<String>> lat = table("## 2 B ib_send_lat per mode");
        assertEquals(MODES, column(lat, 0));
        for (List<String> row : lat) {
            percentiles(row.subList(2, 5));
            ratio(row.get(5));
        }
    }

    @Test
    void csvHasANumberInEveryFigure() throws IOException {
        List<String> lines = Files.readAllLines(out.resolve("results.csv"), StandardCharsets.UTF_8);
        assertEquals("section,test,op,size,mode,metric,value,unit,note", lines.get(0));
        int figures = 0;
        for (Map<String, String> row : csv) {
            if (row.get("section").equals("meta")) {
                continue; // meta values are text
            }
            figures++;
            double v = number(row.get("value"));
            if (row.get("metric").equals("bw_gbps") && !row.get("section").equals("baseline")
                    || row.get("metric").matches("p(10|50|99)_us.*")) {
                assertTrue(v > 0, () -> "not a positive figure: " + row);
            }
        }
        assertTrue(figures > 100, "only " + figures + " figures in results.csv");
        assertEquals("0", meta("failures"));
    }

    /**
     * Retries (a perftest run aborted by perftest's own clock calibration, run again): as many
     * in results.csv, results.md and the bench's output, each for that reason; none, and none
     * reported, is as good.
     */
    @Test
    void retriesIfAnyAreReportedAlike() {
        String count = meta("retried_steps");
        assertTrue(count.matches("\\d+"), () -> "retried_steps: '" + count + "'");
        int retried = Integer.parseInt(count);
        List<String> notes = new ArrayList<>();
        for (Map<String, String> row : csv) {
            if (row.get("section").equals("meta") && row.get("metric").equals("retry")) {
                notes.add(row.get("note"));
            }
        }
        assertEquals(retried, notes.size(), () -> "retry rows: " + notes);
        for (String note : notes) {
            assertTrue(note.contains(" run again ") && note.contains("after perftest's clock calibration failed (r^2 "),
                    note);
        }
        String summary = retried + (retried == 1 ? " step" : " steps")
                + " retried after perftest's clock calibration failed";
        if (retried == 0) {
            assertFalse(markdown.contains("## Retried steps"), markdown);
            assertFalse(markdown.contains("**Retries**"), markdown);
            assertFalse(run.output().contains("clock calibration failed"), run::describe);
            return;
        }
        System.out.println("BenchSmokeIT: " + summary + ": " + notes);
        assertTrue(markdown.contains("- **Retries**: " + summary), markdown);
        String heading = "\n## Retried steps\n";
        int section = markdown.indexOf(heading);
        assertTrue(section >= 0, markdown);
        String rest = markdown.substring(section + heading.length());
        int next = rest.indexOf("\n## ");
        long items = (next < 0 ? rest : rest.substring(0, next)).lines().filter(l -> l.startsWith("- ")).count();
        assertEquals(retried, items, markdown);
        assertTrue(run.output().contains(" failed step(s), " + summary + "; "), run::describe);
        assertTrue(run.output().contains("; running it again (retry 1 of 3)"), run::describe);
    }

    @Test
    void figuresAreNonEmptyPngsLinkedFromTheReport() throws IOException {
        for (String name : FIGURES) {
            Path png = out.resolve(name);
            assertTrue(Files.isRegularFile(png), () -> name + " missing");
            byte[] head = Files.readAllBytes(png);
            assertTrue(head.length > 5000, () -> name + " is only " + head.length + " bytes");
            assertEquals("PNG", new String(head, 1, 3, StandardCharsets.US_ASCII), name + " is not a PNG");
            assertTrue(markdown.contains("](" + name + ")"), () -> name + " not linked from results.md");
        }
    }

    @Test
    void benchUnitTestsPass() throws InterruptedException {
        PythonUnitTests.assertPass("bench-unittest", "bench/tests");
    }

    // ------------------------------------------------------------------ the report's tables

    private static List<List<String>> table(String heading) {
        List<List<String>> rows = tables.get(heading);
        if (rows == null) {
            fail("no table under '" + heading + "' in results.md:\n" + markdown);
        }
        assertFalse(rows.isEmpty(), "empty table under " + heading);
        return rows;
    }

    /**
     * The first table under each heading, keyed by the heading up to its first comma, colon or
     * bracket: "## Throughput, Gbps (paper Fig. 9)" is "## Throughput", "### Throughput: ratio
     * to each baseline" is "### Throughput". The header and separator rows are left out.
     */
    static Map<String, List<List<String>>> tables(String md) {
        Map<String, List<List<String>>> result = new LinkedHashMap<>();
        String heading = null;
        List<List<String>> rows = null;
        for (String line : md.split("\n")) {
            if (line.startsWith("#")) {
                heading = line.replaceFirst("[,:(].*$", "").trim();
                rows = null;
            } else if (heading != null && line.startsWith("|")) {
                if (rows == null) {
                    rows = new ArrayList<>();
                    result.putIfAbsent(heading, rows);
                } else if (!line.startsWith("|---")) {
                    List<String> cells = new ArrayList<>();
                    for (String c : line.substring(1, line.length() - 1).split("\\|", -1)) {
                        cells.add(c.trim());
                    }
                    rows.add(cells);
                }
            }
        }
        return result;
    }

    private static List<String> column(List<List<String>> rows, int i) {
        List<String> col = new ArrayList<>();
        rows.forEach(r -> col.add(r.get(i)));
        return col;
    }

    /** The number a cell starts with ("356 (262–425)", "12.3 Gbps", "0.52×"). */
    static double number(String cell) {
        Matcher m = NUMBER.matcher(cell.trim());
        if (!m.find()) {
            fail("not a number: '" + cell + "'");
        }
        return Double.parseDouble(m.group());
    }

    /** A FreeFlow figure: a number above 0 (a broken path measures nothing). */
    static double positive(String cell) {
        double v = number(cell);
        assertTrue(v > 0, () -> "not a positive figure: '" + cell + "'");
        return v;
    }

    /** p10, median, p99: positive and in order. */
    private static void percentiles(List<String> cells) {
        double p10 = positive(cells.get(0));
        double p50 = number(cells.get(1));
        double p99 = number(cells.get(2));
        assertTrue(p10 <= p50 && p50 <= p99, () -> "percentiles out of order: " + cells);
    }

    /** The value of the one results.csv row of SECTION, TEST, MODE and METRIC. */
    private static String csvValue(String section, String test, String mode, String metric) {
        List<String> values = new ArrayList<>();
        for (Map<String, String> row : csv) {
            if (row.get("section").equals(section) && row.get("test").equals(test) && row.get("mode").equals(mode)
                    && row.get("metric").equals(metric)) {
                values.add(row.get("value"));
            }
        }
        assertEquals(1, values.size(),
                () -> "rows " + section + "," + test + "," + mode + "," + metric + ": " + values);
        return values.get(0);
    }

    private static void verdict(String cell) {
        assertTrue(cell.startsWith("**met**") || cell.startsWith("**not met**"), () -> "not a verdict: '" + cell + "'");
    }

    private static String meta(String key) {
        for (Map<String, String> row : csv) {
            if (row.get("section").equals("meta") && row.get("metric").equals(key)) {
                return row.get("value");
            }
        }
        fail("no meta row '" + key + "' in results.csv");
        return null;
    }

    /** results.csv as rows keyed by its header (RFC 4180: a quoted field may hold commas, quotes, newlines). */
    static List<Map<String, String>> csv(String text) {
        List<List<String>> records = new ArrayList<>();
        List<String> record = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    field.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                record.add(field.toString());
                field.setLength(0);
            } else if (c == '\n') {
                record.add(field.toString());
                field.setLength(0);
                records.add(record);
                record = new ArrayList<>();
            } else if (c != '\r') {
                field.append(c);
            }
        }
        if (field.length() > 0 || !record.isEmpty()) {
            record.add(field.toString());
            records.add(record);
        }
        assertFalse(records.isEmpty(), "empty results.csv");
        List<String> header = records.get(0);
        List<Map<String, String>> rows = new ArrayList<>();
        for (List<String> r : records.subList(1, records.size())) {
            assertEquals(header.size(), r.size(), () -> "a row of results.csv with " + r.size() + " fields: " + r);
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < header.size(); i++) {
                row.put(header.get(i), r.get(i));
            }
            rows.add(row);
        }
        return rows;
    }

    static double ratio(String cell) {
        assertTrue(cell.trim().endsWith("×"), () -> "not a ratio: '" + cell + "'");
        return number(cell);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
