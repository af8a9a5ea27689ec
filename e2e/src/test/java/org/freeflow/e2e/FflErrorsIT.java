package org.freeflow.e2e;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** native/target/tests/ff_errors: the verbs error paths, each reported as a PASS or FAIL line. */
@ExtendWith(LabExtension.class)
@Timeout(180)
class FflErrorsIT {
    @Test
    void errorPathsPass(Lab lab) throws InterruptedException {
        String program = lab.nativeTest("ff_errors").toString();
        assertTrue(Files.isExecutable(lab.nativeTest("ff_errors")), () -> program + " is not built");
        ProcessResult r = lab.container("ff-errors").run(Duration.ofSeconds(60), program).assertSuccess();
        assertTrue(Pattern.compile("(?m)^PASS\\b").matcher(r.output()).find(), () -> "no PASS line: " + r.describe());
        assertFalse(Pattern.compile("(?m)^FAIL\\b").matcher(r.output()).find(), () -> "a FAIL line: " + r.describe());
    }
}
