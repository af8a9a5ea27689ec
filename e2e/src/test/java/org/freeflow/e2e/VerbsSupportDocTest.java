package org.freeflow.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * docs/verbs-support.md shows, between its matrix markers, the table {@link SupportTable}
 * renders from conformance.txt. With {@code -Dfreeflow.docs.update=true} it writes the
 * table there instead of failing.
 */
class VerbsSupportDocTest {
    static final String DOC = "docs/verbs-support.md";
    static final String UPDATE = "freeflow.docs.update";

    @Test
    void theDocListsTheMatrix() throws IOException {
        Path doc = LabExtension.repository().resolve(DOC);
        String text = Files.readString(doc);
        List<String> table = SupportTable.render(ConformanceMatrix.load());
        if (Boolean.getBoolean(UPDATE)) {
            Files.writeString(doc, SupportTable.replaceSection(text, table));
            return;
        }
        assertEquals(String.join("\n", table), String.join("\n", SupportTable.section(text)),
                DOC + " does not list " + ConformanceMatrix.RESOURCE + "; rewrite its table with"
                        + " mvn -pl e2e test -Dtest=VerbsSupportDocTest -D" + UPDATE + "=true");
    }
}
