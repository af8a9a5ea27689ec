package org.freeflow.mgmt.internal.shell;

import java.io.PrintStream;
import java.util.List;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.freeflow.ffo.api.OrchestratorService;
import org.freeflow.ffo.api.QueryResult;

/**
 * {@code freeflow:sql "<statement>"}: one SQL statement over the cluster's
 * tables (HOSTS, CONTAINERS, ...), its result as a table.
 */
@Service
@Command(scope = "freeflow", name = "sql", description = "Runs an SQL statement over the orchestrator's tables"
        + " (HOSTS, CONTAINERS, ...) and prints what it returns")
public class SqlCommand implements Action {

    @Reference(optional = true)
    OrchestratorService orchestrator;

    @Argument(index = 0, name = "statement", required = true, multiValued = true,
            description = "the statement; quote it, or give it as several words")
    List<String> statement;

    @Override
    public Object execute() {
        print(Orchestrator.ready(orchestrator).query(String.join(" ", statement)), System.out);
        return null;
    }

    static void print(QueryResult result, PrintStream out) {
        ShellTable table = new ShellTable();
        for (String column : result.columns()) {
            table.column(column);
        }
        table.emptyTableText("(no rows)");
        for (List<Object> row : result.rows()) {
            table.addRow().addContent(row.stream().map(v -> v == null ? "NULL" : (Object) v).toList());
        }
        table.print(out);
        out.println(result.rows().size() + (result.rows().size() == 1 ? " row" : " rows"));
    }
}
