package org.freeflow.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Duration;
import java.util.List;

/** How a program ended: exit status, whether it had to be stopped, and all it printed. */
public record ProcessResult(String label, List<String> command, int exitCode, boolean timedOut,
        String output, Duration elapsed) {

    /** The result in a form fit for an assertion message. */
    public String describe() {
        return String.format("%s: `%s` %s after %.1f s%n----- output of %s -----%n%s%n----- end of %s -----",
                label, String.join(" ", command),
                timedOut ? "TIMED OUT (stopped)" : "exited " + exitCode,
                elapsed.toMillis() / 1000.0, label, output.stripTrailing(), label);
    }

    /** Asserts that the program ended by itself with this exit status. */
    public ProcessResult assertExit(int expected) {
        assertFalse(timedOut, () -> "did not end in time: " + describe());
        assertEquals(expected, exitCode, () -> "exit status: " + describe());
        return this;
    }

    public ProcessResult assertSuccess() {
        return assertExit(0);
    }
}
