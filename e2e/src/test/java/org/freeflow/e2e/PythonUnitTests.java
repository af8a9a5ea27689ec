package org.freeflow.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** A directory of the repository's Python unit tests (lab/tests, bench/tests), run as the build runs them. */
final class PythonUnitTests {

    private PythonUnitTests() {
    }

    /** Runs {@code python3 -B -m unittest discover -s DIR} and asserts it passed; logs to LABEL.log. */
    static void assertPass(String label, String directory) throws InterruptedException {
        Path repo = LabExtension.repository();
        try (LabProcess p = LabProcess.start(label,
                List.of("/usr/bin/python3", "-B", "-m", "unittest", "discover", "-s",
                        repo.resolve(directory).toString()),
                LabExtension.logDirectory(repo).resolve(label + ".log"))) {
            ProcessResult r = p.awaitExit(Duration.ofSeconds(60));
            System.out.println(r.output());
            r.assertSuccess();
            assertTrue(r.output().contains("\nOK"), r::describe);
        }
    }
}
