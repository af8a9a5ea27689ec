package org.freeflow.router.internal.testing;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.opentest4j.AssertionFailedError;

/**
 * This process's open descriptors ({@code /proc/self/fd}), for the fuzz
 * targets' leak checks: cheap when nothing changed (one directory listing);
 * otherwise only descriptors of the kinds the router makes count (memfds,
 * eventfds, sockets), since the JVM opens files on other threads now and
 * then (its cgroup limits, jars).
 */
public final class Descriptors {

    private Descriptors() {
    }

    /** The numbers of the open descriptors. */
    public static Set<String> open() {
        String[] names = new File("/proc/self/fd").list();
        return names == null ? Set.of() : new TreeSet<>(Set.of(names));
    }

    /**
     * Fails, naming them, when descriptors of the router's kinds are open
     * that were not in {@code before}, or one of {@code kept} (numbers in
     * {@code before} the caller owns) was closed.
     */
    public static void assertNoLeak(Set<String> before, String what, int... kept) {
        Set<String> now = open();
        if (now.equals(before)) {
            return;
        }
        TreeMap<String, String> opened = new TreeMap<>();
        for (String n : now) {
            if (!before.contains(n)) {
                String target = target(n);
                if (target.startsWith("/memfd:") || target.startsWith("anon_inode:") || target.startsWith("socket:")) {
                    opened.put(n, target);
                }
            }
        }
        Set<Integer> closed = new TreeSet<>();
        for (int fd : kept) {
            if (!now.contains(Integer.toString(fd))) {
                closed.add(fd);
            }
        }
        if (!opened.isEmpty() || !closed.isEmpty()) {
            throw new AssertionFailedError(what + " left descriptors open " + opened + " and closed " + closed);
        }
    }

    private static String target(String fd) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/fd", fd)).toString();
        } catch (IOException e) {
            return "(closed again)";
        }
    }
}
