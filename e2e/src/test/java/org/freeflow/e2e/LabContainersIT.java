package org.freeflow.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Lab containers on a real router: attach, address, socket, names, exit status, detach. */
@ExtendWith(LabExtension.class)
@Timeout(120)
class LabContainersIT {
    private static final Duration RUN = Duration.ofSeconds(30);

    @Test
    void containerGetsItsAddressAndSocketFromTheRouter(Lab lab) throws InterruptedException {
        ProcessResult r = lab.container("lab-addr").run(RUN, "sh", "-c",
                "ip -4 -o addr show dev eth0; echo \"socket=$FREEFLOW_SOCKET\"; "
                        + "test -S \"$FREEFLOW_SOCKET\" && echo socket-is-a-socket; echo \"lib=$LD_LIBRARY_PATH\"")
                .assertSuccess();
        // the router's IPAM pool (org.freeflow.ffo virtualNetwork, default 10.98.0.0/16)
        Matcher inet = Pattern.compile("inet (10\\.98\\.\\d+\\.\\d+)/16").matcher(r.output());
        assertTrue(inet.find(), () -> "no virtual IP from 10.98.0.0/16 on eth0: " + r.describe());
        Map<String, String> h1 = lab.inspect(Lab.DEFAULT_HOST);
        String socket = h1.get("socket_dir") + "/containers/lab-addr.sock";
        assertTrue(r.output().contains("socket=" + socket), () -> "FREEFLOW_SOCKET is not " + socket + ": " + r.describe());
        assertTrue(r.output().contains("socket-is-a-socket"), () -> "no socket at " + socket + ": " + r.describe());
        assertTrue(r.output().contains("lib=" + lab.repo().resolve("native/target/lib")), r::describe);
        assertFalse(Files.exists(Path.of(socket)), () -> socket + " is still there after the container ended (detach)");
    }

    @Test
    void containersFindEachOtherByName(Lab lab) throws InterruptedException {
        try (LabProcess peer = lab.container("lab-peer").start("sh", "-c", "echo up; exec sleep 60")) {
            assertTrue(peer.awaitOutput(Pattern.compile("up"), RUN), peer::output);
            String vip = lab.inspect("lab-peer").get("vip");
            ProcessResult r = lab.container("lab-look").run(RUN, "sh", "-c",
                    "getent hosts lab-peer && ping -c 1 -W 5 lab-peer").assertSuccess();
            assertTrue(r.output().startsWith(vip + " "), () -> "lab-peer is not " + vip + ": " + r.describe());
            assertTrue(r.output().contains("1 received"), r::describe);
        }
    }

    @Test
    void exitStatusAndOutputPassThrough(Lab lab) throws InterruptedException {
        ProcessResult r = lab.container("lab-exit").run(RUN, "sh", "-c", "echo to-stdout; echo to-stderr >&2; exit 3");
        r.assertExit(3);
        assertTrue(r.output().contains("to-stdout") && r.output().contains("to-stderr"), r::describe);
    }

    @Test
    void aNameInUseIsRefused(Lab lab) throws InterruptedException {
        try (LabProcess first = lab.container("lab-twice").start("sh", "-c", "echo up; exec sleep 60")) {
            assertTrue(first.awaitOutput(Pattern.compile("up"), RUN), first::output);
            ProcessResult second = lab.container("lab-twice").run(RUN, "true");
            assertEquals(125, second.exitCode(), second::describe);
            assertTrue(first.isAlive(), "the first container was disturbed");
        }
    }
}
