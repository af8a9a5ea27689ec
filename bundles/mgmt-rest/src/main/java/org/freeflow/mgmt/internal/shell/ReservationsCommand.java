package org.freeflow.mgmt.internal.shell;

import java.io.PrintStream;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.freeflow.ffo.api.ContainerRecord;
import org.freeflow.ffo.api.ContainerReservations;
import org.freeflow.ffo.api.ContainerReservations.Reservation;

/**
 * {@code freeflow:reservations}: the detached containers of the cluster whose
 * virtual IP, LID and GID are held for them, and until when.
 */
@Service
@Command(scope = "freeflow", name = "reservations", description = "Lists the detached containers whose addresses"
        + " the cluster holds for them (started again under their name, on any host, they keep them)")
public class ReservationsCommand implements Action {

    @Reference(optional = true)
    ContainerReservations reservations;

    @Override
    public Object execute() {
        print(Orchestrator.ready(reservations), System.out);
        return null;
    }

    static void print(ContainerReservations reservations, PrintStream out) {
        ShellTable table = new ShellTable();
        table.column("Name");
        table.column("Tenant");
        table.column("Last host");
        table.column("Virtual IP");
        table.column("LID").alignRight();
        table.column("GID");
        table.column("Until");
        table.emptyTableText("No reservations");
        for (Reservation r : reservations.reservations()) {
            ContainerRecord c = r.container();
            table.addRow().addContent(c.name(), c.tenant(), c.host(), c.virtualIp(), c.lid(), c.gid(),
                    r.until() == null ? "released" : r.until().toString());
        }
        table.print(out);
    }
}
