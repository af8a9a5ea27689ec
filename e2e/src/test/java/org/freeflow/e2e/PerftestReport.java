package org.freeflow.e2e;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The result table perftest (ib_send_bw, ib_write_lat, ...) prints: the header line that
 * starts with {@code #bytes}, then one row of numbers per message size, then a dashed line.
 * Columns are named from the header, so bandwidth and latency tables (and the shorter
 * duration-mode ones) read the same way.
 */
public record PerftestReport(List<String> columns, List<Map<String, Double>> rows) {

    /** Header label (as printed, without unit) and the column name it gets here. */
    private static final String[][] LABELS = {
        {"#bytes", "bytes"}, {"#iterations", "iterations"},
        {"BW peak[", "bw_peak"}, {"BW average[", "bw_average"}, {"MsgRate[", "msg_rate"},
        {"BW Port1[", "bw_port1"}, {"MsgRate Port1[", "msg_rate_port1"},
        {"BW Port2[", "bw_port2"}, {"MsgRate Port2[", "msg_rate_port2"},
        {"t_min[", "t_min"}, {"t_max[", "t_max"}, {"t_typical[", "t_typical"},
        {"t_avg[", "t_avg"}, {"t_stdev[", "t_stdev"},
        {"99% percentile[", "p99"}, {"99.9% percentile[", "p99_9"}, {"tps average", "tps_average"},
    };

    /** Parses the last result table in {@code output}; empty if there is none. */
    public static Optional<PerftestReport> parse(String output) {
        String[] lines = output.split("\\R");
        int header = -1;
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].trim().startsWith("#bytes")) {
                header = i;
            }
        }
        if (header < 0) {
            return Optional.empty();
        }
        List<String> columns = columns(lines[header]);
        List<Map<String, Double>> rows = new ArrayList<>();
        for (int i = header + 1; i < lines.length; i++) {
            String line = lines[i].trim();
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("---")) {
                break;
            }
            String[] tokens = line.split("\\s+");
            Map<String, Double> row = new LinkedHashMap<>();
            try {
                for (int c = 0; c < tokens.length && c < columns.size(); c++) {
                    row.put(columns.get(c), Double.parseDouble(tokens[c]));
                }
            } catch (NumberFormatException e) {
                break; // not a row of the table (a warning or another message)
            }
            rows.add(row);
        }
        return Optional.of(new PerftestReport(columns, rows));
    }

    private static List<String> columns(String header) {
        List<int[]> found = new ArrayList<>();
        for (int l = 0; l < LABELS.length; l++) {
            int at = header.indexOf(LABELS[l][0]);
            if (at >= 0) {
                found.add(new int[] {at, l});
            }
        }
        found.sort(Comparator.comparingInt(a -> a[0]));
        List<String> names = new ArrayList<>();
        for (int[] f : found) {
            names.add(LABELS[f[1]][1]);
        }
        return names;
    }

    /** The row for this message size. */
    public Optional<Map<String, Double>> row(long bytes) {
        return rows.stream().filter(r -> r.getOrDefault("bytes", -1.0) == bytes).findFirst();
    }
}
