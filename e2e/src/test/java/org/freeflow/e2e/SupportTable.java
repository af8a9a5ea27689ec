package org.freeflow.e2e;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.freeflow.e2e.ConformanceMatrix.Row;

/**
 * The table of docs/verbs-support.md, rendered from the conformance matrix: the row count,
 * then one line per program with the options it runs with ({@code defaults} for none). A
 * program given operands (qperf's tests) has one line per set of options it runs them with,
 * naming them; operands run with the same options share a line. The doc keeps the table
 * between {@value #BEGIN} and {@value #END}.
 */
final class SupportTable {
    static final String BEGIN = "<!-- matrix:begin -->";
    static final String END = "<!-- matrix:end -->";
    static final String DEFAULTS = "defaults";

    private SupportTable() {
    }

    /** The lines between the markers. */
    static List<String> render(List<Row> rows) {
        List<String> lines = new ArrayList<>();
        lines.add(rows.size() + " rows:");
        lines.add("");
        lines.add("| program | options |");
        lines.add("|---|---|");
        byProgram(rows).forEach((program, its) -> lines(program, its).forEach(l -> lines.add(l.render())));
        return lines;
    }

    private static Map<String, List<Row>> byProgram(List<Row> rows) {
        Map<String, List<Row>> programs = new LinkedHashMap<>();
        for (Row row : rows) {
            programs.computeIfAbsent(row.program(), p -> new ArrayList<>()).add(row);
        }
        return programs;
    }

    /** A line of the table: a program run with each of these options, and these operands. */
    private record Line(String program, List<String> options, Set<String> operands) {
        String render() {
            String name = code(program);
            if (!operands.isEmpty()) {
                name += " with " + operands.stream().map(SupportTable::code).collect(Collectors.joining(", "));
            }
            String cell = options.stream().map(o -> o.isEmpty() ? DEFAULTS : code(o)).collect(Collectors.joining(", "));
            return "| " + name + " | " + cell + " |";
        }
    }

    /**
     * One program's lines: each set of operands with the options it runs with, then the sets
     * that run with the same options merged. Rows without operands are not merged.
     */
    private static List<Line> lines(String program, List<Row> rows) {
        Map<List<String>, List<String>> optionsByOperands = new LinkedHashMap<>();
        for (Row row : rows) {
            optionsByOperands.computeIfAbsent(row.operands(), o -> new ArrayList<>()).add(String.join(" ", row.options()));
        }
        List<Line> lines = new ArrayList<>();
        Map<List<String>, Set<String>> operandsByOptions = new LinkedHashMap<>();
        optionsByOperands.forEach((operands, options) -> {
            if (operands.isEmpty()) {
                lines.add(new Line(program, options, Set.of()));
            } else {
                operandsByOptions.computeIfAbsent(options, o -> new LinkedHashSet<>()).addAll(operands);
            }
        });
        operandsByOptions.forEach((options, operands) -> lines.add(new Line(program, options, operands)));
        return lines;
    }

    private static String code(String text) {
        return "`" + text + "`";
    }

    /** The lines of {@code doc} between the markers. */
    static List<String> section(String doc) {
        List<String> lines = doc.lines().toList();
        return lines.subList(begin(lines) + 1, end(lines));
    }

    /** {@code doc} with {@code section} between the markers instead of what was there. */
    static String replaceSection(String doc, List<String> section) {
        List<String> lines = doc.lines().toList();
        List<String> out = new ArrayList<>(lines.subList(0, begin(lines) + 1));
        out.addAll(section);
        out.addAll(lines.subList(end(lines), lines.size()));
        return String.join("\n", out) + "\n";
    }

    private static int begin(List<String> lines) {
        int i = lines.indexOf(BEGIN);
        if (i < 0) {
            throw new IllegalArgumentException("no line " + BEGIN);
        }
        return i;
    }

    private static int end(List<String> lines) {
        int i = lines.indexOf(END);
        if (i <= begin(lines)) {
            throw new IllegalArgumentException("no line " + END + " after " + BEGIN);
        }
        return i;
    }
}
