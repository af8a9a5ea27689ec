package org.freeflow.mgmt.internal.shell;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.freeflow.mgmt.api.MetricsSource;

/** {@code freeflow:stats [prefix]}: the figures of every registered {@link MetricsSource}, by name. */
@Service
@Command(scope = "freeflow", name = "stats", description = "Shows the metrics of the router's components")
public class StatsCommand implements Action {

    @Reference
    List<MetricsSource> sources;

    @Argument(index = 0, name = "prefix", description = "Only metrics whose name starts with this", required = false)
    String prefix;

    @Override
    public Object execute() {
        print(System.out);
        return null;
    }

    void print(PrintStream out) {
        Map<String, Number> all = new TreeMap<>();
        if (sources != null) {
            for (MetricsSource source : sources) {
                Map<String, Number> metrics = source.metrics();
                if (metrics != null) {
                    metrics.forEach((name, value) -> all.merge(name, value, StatsCommand::sum));
                }
            }
        }
        ShellTable table = new ShellTable();
        table.column("Metric");
        table.column("Value").alignRight();
        table.emptyTableText(prefix == null ? "No metrics" : "No metrics starting with " + prefix);
        all.forEach((name, value) -> {
            if (prefix == null || name.startsWith(prefix)) {
                table.addRow().addContent(name, value);
            }
        });
        table.print(out);
    }

    /** Two sources reporting the same counter (e.g. two pollers) add up. */
    private static Number sum(Number a, Number b) {
        if (a instanceof Double || a instanceof Float || b instanceof Double || b instanceof Float) {
            return a.doubleValue() + b.doubleValue();
        }
        return a.longValue() + b.longValue();
    }
}
