package org.freeflow.mgmt.internal.shell;

import java.io.PrintStream;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.freeflow.router.api.ContainerView;
import org.freeflow.router.api.VirtualNicService;

/** {@code freeflow:containers}: the containers attached to this router and what their virtual NICs hold. */
@Service
@Command(scope = "freeflow", name = "containers", description = "Lists the containers attached to this router")
public class ContainersCommand implements Action {

    @Reference
    VirtualNicService nics;

    @Override
    public Object execute() {
        print(System.out);
        return null;
    }

    void print(PrintStream out) {
        ShellTable table = new ShellTable();
        table.column("Name");
        table.column("Tenant");
        table.column("Virtual IP");
        table.column("LID").alignRight();
        table.column("GID");
        table.column("Device");
        table.column("Conns").alignRight();
        table.column("PDs").alignRight();
        table.column("MRs").alignRight();
        table.column("CQs").alignRight();
        table.column("QPs").alignRight();
        table.column("Port");
        table.column("Refused").alignRight();
        table.emptyTableText("No containers attached to " + nics.hostName());
        for (ContainerView c : nics.containers()) {
            table.addRow().addContent(c.name(), c.tenant(), c.virtualIp(), c.lid(), c.gid(), c.device(),
                    c.connections(), c.pds(), c.mrs(), c.cqs(), c.qps(), c.port(),
                    c.refused());
        }
        table.print(out);
    }
}
