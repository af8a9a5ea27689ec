package org.freeflow.fastpath.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Checks {@link Abi} and {@link Verbs} against {@code abi_dump}, which the
 * native module compiles from ff_abi.h.  Its output is one line per field
 * ({@code <struct> <field> <offset> <size>}, nested fields with dots), one per
 * struct size ({@code <struct> sizeof <n>}) and one per constant
 * ({@code const <NAME> <value>}).  A missing binary is a failure: the native
 * module comes first in the reactor.
 */
class AbiLayoutTest {

    private static final String DUMP_PROPERTY = "freeflow.abiDump";

    @Test
    void everyLineOfAbiDumpMatchesTheJavaMirror() throws Exception {
        List<String> lines = runAbiDump();
        List<String> mismatches = new ArrayList<>();
        Set<String> structsSeen = new TreeSet<>();
        Set<String> constantsSeen = new TreeSet<>();
        for (String line : lines) {
            String[] p = line.trim().split("\\s+");
            if (p.length == 0 || p[0].isEmpty()) {
                continue;
            }
            String problem = p[0].equals("const") ? checkConstant(p, constantsSeen) : checkStruct(p, structsSeen);
            if (problem != null) {
                mismatches.add(line + "  ->  " + problem);
            }
        }
        assertTrue(mismatches.isEmpty(), "Abi differs from ff_abi.h:\n" + String.join("\n", mismatches));
        for (Class<?> nested : Abi.class.getDeclaredClasses()) {
            if (!nested.isAnnotation()) {
                assertTrue(structsSeen.contains(nested.getSimpleName()),
                        "abi_dump printed no sizeof for the struct of Abi." + nested.getSimpleName());
            }
        }
        for (Field f : Abi.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && !f.isSynthetic()) {
                assertTrue(constantsSeen.contains(f.getName()), "abi_dump printed no FF_" + f.getName()
                        + ": a constant of the Java mirror that ff_abi.h lacks");
            }
        }
    }

    private static String checkStruct(String[] p, Set<String> structsSeen) {
        if (p.length < 3 || !p[0].startsWith("ff_")) {
            return "not a struct line";
        }
        Class<?> type = structClass(p[0]);
        if (type == null) {
            return "no class Abi." + className(p[0]);
        }
        if (p[1].equals("sizeof")) {
            structsSeen.add(type.getSimpleName());
            return compare(intField(type, "SIZE"), Long.parseLong(p[2]), "SIZE");
        }
        if (p.length < 4) {
            return "field line without size";
        }
        String name = p[1].replace('.', '_').toUpperCase();
        Field field = field(type, name);
        if (field == null) {
            return "no constant Abi." + type.getSimpleName() + "." + name;
        }
        Abi.Width width = field.getAnnotation(Abi.Width.class);
        if (width == null) {
            return "Abi." + type.getSimpleName() + "." + name + " has no @Width";
        }
        String offset = compare(intField(type, name), Long.parseLong(p[2]), "offset");
        return offset != null ? offset : compare(width.value(), Long.parseLong(p[3]), "width");
    }

    private static String checkConstant(String[] p, Set<String> constantsSeen) throws IllegalAccessException {
        if (p.length < 3) {
            return "constant without value";
        }
        Class<?> owner;
        String name;
        if (p[1].startsWith("FF_")) {
            owner = Abi.class;
            name = p[1].substring(3);
        } else if (p[1].startsWith("IBV_")) {
            owner = Verbs.class;
            name = p[1].substring(4);
        } else {
            return "unknown constant prefix";
        }
        Field field = field(owner, name);
        if (field == null) {
            return "no constant " + owner.getSimpleName() + "." + name;
        }
        if (owner == Abi.class) {
            constantsSeen.add(name);
        }
        Object value = field.get(null);
        if (value instanceof String s) {
            String expected = p[2].replaceAll("^\"|\"$", "");
            return s.equals(expected) ? null : "Java has \"" + s + "\"";
        }
        boolean negative = p[2].startsWith("-");
        long expected = negative ? Long.parseLong(p[2]) : Long.parseUnsignedLong(p[2]);
        long actual = !negative && value instanceof Integer i ? Integer.toUnsignedLong(i) : ((Number) value).longValue();
        return compare(actual, expected, "value");
    }

    private static String compare(long actual, long expected, String what) {
        return actual == expected ? null : what + ": Java has " + actual;
    }

    private static Class<?> structClass(String struct) {
        String simple = className(struct);
        for (Class<?> c : Abi.class.getDeclaredClasses()) {
            if (c.getSimpleName().equals(simple)) {
                return c;
            }
        }
        return null;
    }

    private static String className(String struct) {
        StringBuilder b = new StringBuilder();
        for (String word : struct.substring(3).split("_")) {
            b.append(Character.toUpperCase(word.charAt(0))).append(word.substring(1));
        }
        return b.toString();
    }

    private static Field field(Class<?> owner, String name) {
        try {
            Field f = owner.getDeclaredField(name);
            return Modifier.isStatic(f.getModifiers()) ? f : null;
        } catch (NoSuchFieldException e) {
            return null;
        }
    }

    private static long intField(Class<?> owner, String name) {
        try {
            return owner.getDeclaredField(name).getInt(null);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    private static List<String> runAbiDump() throws IOException, InterruptedException {
        String configured = System.getProperty(DUMP_PROPERTY);
        if (configured == null || configured.isBlank()) {
            fail("system property " + DUMP_PROPERTY + " is not set (the pom sets it)");
        }
        Path dump = Path.of(configured);
        if (!Files.isExecutable(dump)) {
            fail(dump + " is missing: build the native module first (mvn -pl native install)");
        }
        Process process = new ProcessBuilder(dump.toString()).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "abi_dump did not finish");
        assertEquals(0, process.exitValue(), "abi_dump failed:\n" + out);
        List<String> lines = out.lines().toList();
        assertTrue(lines.size() > 100, "abi_dump printed only " + lines.size() + " lines");
        return lines;
    }
}
