package org.freeflow.ffo.internal.alloc;

import java.util.regex.Pattern;

/** Container and tenant names: DNS labels (RFC 1123), lower case, 1..63 characters. */
public final class Names {

    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

    /** The tenant used when none is given. */
    public static final String DEFAULT_TENANT = "default";

    private Names() {
    }

    /** Returns the name when it is a DNS label. */
    public static String container(String name) {
        return check(name, "container name");
    }

    /** Returns the tenant, {@link #DEFAULT_TENANT} for null or blank. */
    public static String tenant(String tenant) {
        if (tenant == null || tenant.isBlank()) {
            return DEFAULT_TENANT;
        }
        return check(tenant, "tenant");
    }

    /** Returns the host name when it is non-blank and printable without spaces. */
    public static String host(String host) {
        if (host == null || host.isBlank() || !host.matches("[A-Za-z0-9._-]{1,253}")) {
            throw new IllegalArgumentException("bad host name '" + host + "'");
        }
        return host;
    }

    private static String check(String value, String what) {
        if (value == null || !LABEL.matcher(value).matches()) {
            throw new IllegalArgumentException("bad " + what + " '" + value
                    + "': use 1..63 of a-z, 0-9 and '-', not starting or ending with '-'");
        }
        return value;
    }
}
