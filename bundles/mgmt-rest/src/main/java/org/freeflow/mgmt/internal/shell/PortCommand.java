package org.freeflow.mgmt.internal.shell;

import java.io.PrintStream;
import java.util.NoSuchElementException;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.freeflow.router.api.ContainerView;
import org.freeflow.router.api.VirtualNicAdminService;
import org.freeflow.router.api.VirtualNicService;

/**
 * {@code freeflow:port <container> [down|up]}: shows a container's virtual port, or takes it down
 * (its verbs contexts get IBV_EVENT_PORT_ERR, its queue pairs no traffic) or up again.
 */
@Service
@Command(scope = "freeflow", name = "port",
        description = "Shows a container's virtual port, or takes it down or up (maintenance, migration)")
public class PortCommand implements Action {

    @Reference
    VirtualNicService nics;

    @Reference
    VirtualNicAdminService admin;

    @Argument(index = 0, name = "container", description = "The container", required = true)
    @Completion(ContainerNameCompleter.class)
    String container;

    @Argument(index = 1, name = "state", description = "down or up; without it the port's state is shown",
            required = false)
    @Completion(value = StringsCompleter.class, values = {"down", "up"})
    String state;

    @Override
    public Object execute() {
        print(System.out);
        return null;
    }

    void print(PrintStream out) {
        ContainerView view;
        if (state == null) {
            view = nics.containers().stream().filter(c -> c.name().equals(container)).findFirst()
                    .orElseThrow(this::notAttached);
        } else if (state.equals("down") || state.equals("up")) {
            try {
                view = admin.setPortActive(container, state.equals("up"));
            } catch (NoSuchElementException e) {
                throw notAttached();
            }
        } else {
            throw new IllegalArgumentException("state must be down or up, not " + state);
        }
        out.println(view.name() + ": port 1 " + view.port() + " (" + view.connections() + " verbs contexts open)");
    }

    private IllegalArgumentException notAttached() {
        return new IllegalArgumentException("container " + container + " is not attached to " + nics.hostName());
    }
}
