package org.freeflow.mgmt.internal.shell;

import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.freeflow.ffo.api.ContainerReservations;
import org.freeflow.ffo.api.ContainerReservations.Reservation;

/**
 * {@code freeflow:reserve <container> [--minutes N]}: holds a detached
 * container's addresses for N more minutes, or until released.
 */
@Service
@Command(scope = "freeflow", name = "reserve", description = "Holds the addresses of a detached container for it:"
        + " for the given minutes from now, or until freeflow:release")
public class ReserveCommand implements Action {

    @Reference(optional = true)
    ContainerReservations reservations;

    @Argument(index = 0, name = "container", required = true, description = "the detached container")
    String container;

    @Option(name = "--minutes", description = "how long from now; without it, until released")
    Long minutes;

    Clock clock = Clock.systemUTC();

    @Override
    public Object execute() {
        if (minutes != null && minutes <= 0) {
            throw new IllegalArgumentException("--minutes must be positive, not " + minutes);
        }
        Instant until = minutes == null ? null : clock.instant().plus(Duration.ofMinutes(minutes));
        print(Orchestrator.ready(reservations).reserve(container, until), System.out);
        return null;
    }

    static void print(Reservation r, PrintStream out) {
        out.println(r.container().name() + ": " + r.container().virtualIp() + ", LID " + r.container().lid() + ", GID "
                + r.container().gid() + " reserved " + (r.until() == null ? "until released" : "until " + r.until()));
    }
}
