package org.freeflow.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** How {@link Lab#inspect} reads {@code ./freeflow lab inspect --json}'s output. */
class LabFactsTest {
    @Test
    void jsonValuesAsText() {
        Map<String, String> facts = Lab.facts("freeflow: a note on standard error\n"
                + "{\"name\": \"h1\", \"index\": 1, \"pid\": null, \"alive\": true, \"address\": \"10.97.0.2\"}\n");
        assertEquals(List.of("name", "index", "pid", "alive", "address"), List.copyOf(facts.keySet()));
        assertEquals("h1", facts.get("name"));
        assertEquals("1", facts.get("index"));
        assertEquals("", facts.get("pid"));
        assertEquals("true", facts.get("alive"));
        assertEquals("10.97.0.2", facts.get("address"));
    }

    @Test
    void noJsonIsAFailure() {
        assertThrows(AssertionError.class, () -> Lab.facts("name=h1\nalive=yes\n"));
        assertThrows(AssertionError.class, () -> Lab.facts("{\"name\": \n"));
    }
}
