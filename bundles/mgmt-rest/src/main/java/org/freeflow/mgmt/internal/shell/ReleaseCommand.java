package org.freeflow.mgmt.internal.shell;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.freeflow.ffo.api.ContainerReservations;

/** {@code freeflow:release <container>}: frees a detached container's addresses now. */
@Service
@Command(scope = "freeflow", name = "release", description = "Frees the addresses the cluster holds for a detached"
        + " container")
public class ReleaseCommand implements Action {

    @Reference(optional = true)
    ContainerReservations reservations;

    @Argument(index = 0, name = "container", required = true, description = "the detached container")
    String container;

    @Override
    public Object execute() {
        if (!Orchestrator.ready(reservations).release(container)) {
            throw new IllegalArgumentException("container " + container + " has no reservation (unknown, or"
                    + " attached)");
        }
        System.out.println(container + ": reservation released, its addresses are free");
        return null;
    }
}
