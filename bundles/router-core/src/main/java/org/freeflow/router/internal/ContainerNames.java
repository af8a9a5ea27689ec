package org.freeflow.router.internal;

import java.util.regex.Pattern;

/** Container names: DNS-label-like, {@code [a-z0-9][a-z0-9-]{0,62}}. */
final class ContainerNames {

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    private ContainerNames() {
    }

    static String check(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("container name must match [a-z0-9][a-z0-9-]{0,62}: " + name);
        }
        return name;
    }

    /** The tenant, "default" when none was given. */
    static String tenant(String tenant) {
        return tenant == null || tenant.isEmpty() ? "default" : tenant;
    }
}
