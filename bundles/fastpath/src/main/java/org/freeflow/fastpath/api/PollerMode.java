package org.freeflow.fastpath.api;

import java.util.Locale;

/** How the pollers wait for work ({@code enum ff_channel_mode}); the configuration's {@code mode}. */
public enum PollerMode {

    /** Spin, yielding the CPU every few empty rounds; no doorbell is ever needed. */
    FASTPATH(Abi.MODE_FASTPATH),
    /** Sleep on the doorbell after every round that found no work. */
    LOWCPU(Abi.MODE_LOWCPU),
    /** Spin while there is work; sleep on the doorbell after an idle spell. */
    ADAPTIVE(Abi.MODE_ADAPTIVE);

    private final int abiValue;

    PollerMode(int abiValue) {
        this.abiValue = abiValue;
    }

    /** The FF_MODE_* value (router page {@code mode}). */
    public int abiValue() {
        return abiValue;
    }

    /** Its name in the configuration: {@code fastpath}, {@code lowcpu}, {@code adaptive}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The mode named {@code text} (any case, surrounding blanks ignored).
     *
     * @throws IllegalArgumentException for anything else
     */
    public static PollerMode parse(String text) {
        String name = text == null ? "" : text.trim().toUpperCase(Locale.ROOT);
        for (PollerMode mode : values()) {
            if (mode.name().equals(name)) {
                return mode;
            }
        }
        throw new IllegalArgumentException("unknown poller mode '" + text + "' (fastpath, lowcpu or adaptive)");
    }
}
