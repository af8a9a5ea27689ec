package org.freeflow.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The lab launcher alone: scripts/lab-selftest.sh runs ./freeflow lab against stand-in
 * routers (scripts/testing/) in a lab of two hosts of its own, so a defect of the launcher
 * shows here even when the router or the FFL is broken; and the unit tests of its pure parts
 * (lab/tests: subnets, .cfg editing, the state file, command lines).
 */
@Timeout(200)
class LabLauncherIT {
    @Test
    void launcherSelfTest() throws InterruptedException {
        assertTrue(LabExtension.isRoot(), "the lab needs root (network namespaces)");
        Path repo = LabExtension.repository();
        Path logs = LabExtension.logDirectory(repo);
        try (LabProcess p = LabProcess.start("lab-selftest",
                List.of(repo.resolve("scripts/lab-selftest.sh").toString()), logs.resolve("lab-selftest.log"))) {
            ProcessResult r = p.awaitExit(Duration.ofSeconds(150));
            System.out.println(r.output());
            r.assertSuccess();
            assertTrue(r.output().contains(" 0 failed"), r::describe);
        }
    }

    @Test
    void launcherUnitTestsPass() throws InterruptedException {
        PythonUnitTests.assertPass("lab-unittest", "lab/tests");
    }
}
