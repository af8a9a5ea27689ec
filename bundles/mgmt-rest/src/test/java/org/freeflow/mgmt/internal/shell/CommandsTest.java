package org.freeflow.mgmt.internal.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import org.apache.karaf.shell.api.action.Action;
import org.freeflow.ffo.api.QueryResult;
import org.freeflow.router.api.ContainerView;
import org.freeflow.router.api.QueuePairView;
import org.junit.jupiter.api.Test;

/** Each command built by hand with a fake service, run through {@code execute()}. */
class CommandsTest {

    private final FakeVirtualNicService nics = new FakeVirtualNicService();

    @Test
    void containersListsEveryColumn() throws Exception {
        nics.containers.add(new ContainerView("c1", "acme", "10.98.0.1", 1, "fe80::4646:0:1", "freeflow0",
                "/run/freeflow/containers/c1.sock", 2, 1, 3, 2, 4));
        nics.containers.add(new ContainerView("c2", "default", "10.98.0.2", 2, "fe80::4646:0:2", "freeflow0",
                "/run/freeflow/containers/c2.sock", 0, 0, 0, 0, 0, ContainerView.PORT_DOWN, "netns net:[4026532300]", 3));
        ContainersCommand command = new ContainersCommand();
        command.nics = nics;
        List<String> lines = run(command);
        assertEquals(4, lines.size(), String.join("\n", lines));
        assertTrue(columns(lines.get(0)).equals(List.of("Name", "Tenant", "Virtual IP", "LID", "GID", "Device",
                "Conns", "PDs", "MRs", "CQs", "QPs", "Port", "Refused")), lines.get(0));
        assertEquals(List.of("c1", "acme", "10.98.0.1", "1", "fe80::4646:0:1", "freeflow0", "2", "1", "3", "2", "4",
                "ACTIVE", "0"), columns(lines.get(2)));
        assertEquals(List.of("c2", "default", "10.98.0.2", "2", "fe80::4646:0:2", "freeflow0", "0", "0", "0", "0",
                "0", "DOWN", "3"), columns(lines.get(3)), "connections its socket refused");
    }

    @Test
    void containersSaysWhenThereAreNone() throws Exception {
        ContainersCommand command = new ContainersCommand();
        command.nics = nics;
        List<String> lines = run(command);
        assertTrue(lines.get(0).startsWith("Name"), lines.get(0));
        assertTrue(String.join("\n", lines).contains("No containers attached to host1"));
    }

    @Test
    void qpsShowsStateDestinationAndCounters() throws Exception {
        nics.qps.add(new QueuePairView("c1", 0x12, "RC", "RTS", 2, 0x13, 100, 7, 409600, 0, 0, 4, 3));
        nics.qps.add(new QueuePairView("c2", 0x13, "UD", "RTS", 0, 0, 3, 0, 300, 2, 5));
        QpsCommand command = new QpsCommand();
        command.nics = nics;
        List<String> lines = run(command);
        assertEquals(List.of("Container", "QPN", "Type", "State", "Dest LID", "Dest QPN", "Send WRs", "Recv WRs",
                "Bytes sent", "Send dropped", "Recv dropped", "RNR NAKs", "ACK timeouts"), columns(lines.get(0)));
        assertEquals(List.of("c1", "0x000012", "RC", "RTS", "2", "0x000013", "100", "7", "409600", "0", "0", "4", "3"),
                columns(lines.get(2)));
        assertEquals(List.of("c2", "0x000013", "UD", "RTS", "-", "-", "3", "0", "300", "2", "5", "0", "0"),
                columns(lines.get(3)), "datagrams dropped are not sent");
    }

    @Test
    void qpsFiltersByContainer() throws Exception {
        nics.qps.add(new QueuePairView("c1", 0x12, "RC", "RTS", 2, 0x13, 1, 1, 1));
        nics.qps.add(new QueuePairView("c2", 0x13, "UD", "RTS", 0, 0, 1, 1, 1));
        QpsCommand command = new QpsCommand();
        command.nics = nics;
        command.container = "c2";
        List<String> lines = run(command);
        assertEquals(3, lines.size());
        assertEquals("c2", columns(lines.get(2)).get(0));
        command.container = "nope";
        assertTrue(String.join("\n", run(command)).contains("No queue pairs in container nope"));
    }

    @Test
    void portShowsTakesDownAndBringsUp() throws Exception {
        nics.containers.add(new ContainerView("c1", "default", "10.98.0.1", 1, "fe80::4646:0:1", "freeflow0",
                "/run/freeflow/containers/c1.sock", 2, 1, 1, 1, 1));
        PortCommand command = port("c1", null);
        assertEquals(List.of("c1: port 1 ACTIVE (2 verbs contexts open)"), run(command));
        assertEquals(List.of("c1: port 1 DOWN (2 verbs contexts open)"), run(port("c1", "down")));
        assertEquals(ContainerView.PORT_DOWN, nics.containers.get(0).port());
        assertEquals(List.of("c1: port 1 DOWN (2 verbs contexts open)"), run(command));
        assertEquals(List.of("c1: port 1 ACTIVE (2 verbs contexts open)"), run(port("c1", "up")));
        assertEquals(ContainerView.PORT_ACTIVE, nics.containers.get(0).port());
    }

    @Test
    void portRefusesUnknownContainersAndStates() {
        nics.containers.add(new ContainerView("c1", "default", "10.98.0.1", 1, "fe80::4646:0:1", "freeflow0",
                "/run/freeflow/containers/c1.sock", 0, 0, 0, 0, 0));
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> port("c9", "down").execute());
        assertEquals("container c9 is not attached to host1", unknown.getMessage());
        assertThrows(IllegalArgumentException.class, () -> port("c9", null).execute());
        IllegalArgumentException state = assertThrows(IllegalArgumentException.class,
                () -> port("c1", "sideways").execute());
        assertEquals("state must be down or up, not sideways", state.getMessage());
        assertEquals(ContainerView.PORT_ACTIVE, nics.containers.get(0).port());
    }

    private PortCommand port(String container, String state) {
        PortCommand command = new PortCommand();
        command.nics = nics;
        command.admin = new FakeVirtualNicAdminService(nics);
        command.container = container;
        command.state = state;
        return command;
    }

    @Test
    void statsMergesSourcesSortedAndFiltered() throws Exception {
        StatsCommand command = new StatsCommand();
        command.sources = List.of(() -> Map.of("freeflow_router_qps", 3, "freeflow_fastpath_polls_total", 10L),
                () -> Map.of("freeflow_fastpath_polls_total", 5L, "freeflow_qos_limited_ratio", 0.25));
        List<String> lines = run(command);
        assertEquals(List.of("Metric", "Value"), columns(lines.get(0)));
        assertEquals(List.of("freeflow_fastpath_polls_total", "15"), columns(lines.get(2)));
        assertEquals(List.of("freeflow_qos_limited_ratio", "0.25"), columns(lines.get(3)));
        assertEquals(List.of("freeflow_router_qps", "3"), columns(lines.get(4)));
        command.prefix = "freeflow_router";
        lines = run(command);
        assertEquals(3, lines.size());
        assertFalse(String.join("\n", lines).contains("fastpath"));
    }

    @Test
    void statsWithoutSources() throws Exception {
        StatsCommand command = new StatsCommand();
        command.sources = List.of();
        assertTrue(String.join("\n", run(command)).contains("No metrics"));
    }

    @Test
    void reservationsListTheHeldAddressesAndUntilWhen() throws Exception {
        ReservationsCommand command = new ReservationsCommand();
        assertThrows(IllegalStateException.class, command::execute, "no orchestrator yet");
        FakeReservations reservations = new FakeReservations();
        command.reservations = reservations;
        assertTrue(String.join("\n", run(command)).contains("No reservations"));
        reservations.detached("m1", Instant.parse("2026-12-04T10:10:00Z"));
        reservations.detached("m2", null);
        List<String> lines = run(command);
        assertEquals(List.of("Name", "Tenant", "Last host", "Virtual IP", "LID", "GID", "Until"),
                columns(lines.get(0)));
        assertEquals(List.of("m1", "acme", "h1", "10.98.0.7", "7", "fe80::4646:0:7", "2026-12-04T10:10:00Z"),
                columns(lines.get(2)));
        assertEquals("released", columns(lines.get(3)).get(6));
    }

    @Test
    void reserveHoldsForMinutesFromNowOrUntilReleased() throws Exception {
        FakeReservations reservations = new FakeReservations();
        reservations.detached("m1", Instant.parse("2026-12-04T10:10:00Z"));
        ReserveCommand command = new ReserveCommand();
        command.reservations = reservations;
        command.clock = Clock.fixed(Instant.parse("2026-12-04T10:00:00Z"), ZoneOffset.UTC);
        command.container = "m1";
        command.minutes = 90L;
        assertEquals(List.of("m1: 10.98.0.7, LID 7, GID fe80::4646:0:7 reserved until 2026-12-04T11:30:00Z"),
                run(command));
        command.minutes = null;
        assertEquals(List.of("m1: 10.98.0.7, LID 7, GID fe80::4646:0:7 reserved until released"), run(command));
        command.minutes = 0L;
        assertThrows(IllegalArgumentException.class, command::execute);
        assertEquals(List.of("reserve m1 2026-12-04T11:30:00Z", "reserve m1 null"), reservations.asked);
    }

    @Test
    void releaseFreesOrSaysThereWasNothingToFree() throws Exception {
        FakeReservations reservations = new FakeReservations();
        reservations.detached("m1", null);
        ReleaseCommand command = new ReleaseCommand();
        command.reservations = reservations;
        command.container = "m1";
        assertEquals(List.of("m1: reservation released, its addresses are free"), run(command));
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, command::execute);
        assertTrue(none.getMessage().contains("m1 has no reservation"), none.getMessage());
    }

    @Test
    void sqlPrintsTheColumnsRowsAndCountAndRefusesWithoutAnOrchestrator() throws Exception {
        SqlCommand command = new SqlCommand();
        command.statement = List.of("SELECT", "NAME, STATE FROM HOSTS");
        assertThrows(IllegalStateException.class, command::execute);
        List<String> asked = new java.util.ArrayList<>();
        command.orchestrator = new FakeOrchestratorView(sql -> {
            asked.add(sql);
            return new QueryResult(List.of("NAME", "STATE", "LEFT"),
                    List.of(List.of("h1", "RUNNING", 1L), java.util.Arrays.asList("h2", "LOST", null)));
        });
        List<String> lines = run(command);
        assertEquals(List.of("SELECT NAME, STATE FROM HOSTS"), asked, "the words joined into one statement");
        assertEquals(List.of("NAME", "STATE", "LEFT"), columns(lines.get(0)));
        assertEquals(List.of("h1", "RUNNING", "1"), columns(lines.get(2)));
        assertEquals(List.of("h2", "LOST", "NULL"), columns(lines.get(3)));
        assertEquals("2 rows", lines.get(4));
    }

    /** Runs the command with System.out captured; returns the non-empty lines. */
    private static List<String> run(Action command) throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try (PrintStream capture = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
            System.setOut(capture);
            assertNull(command.execute());
        } finally {
            System.setOut(original);
        }
        return buffer.toString(StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
    }

    /** Cells of a table line: split on the column separator, trimmed. */
    private static List<String> columns(String line) {
        return java.util.Arrays.stream(line.split("[│|]")).map(String::trim).toList();
    }
}
