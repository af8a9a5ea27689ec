package org.freeflow.posix.internal;

import com.sun.jna.Memory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Native {@code struct sockaddr_un}. */
public final class SocketAddresses {

    /** sizeof(struct sockaddr_un). */
    public static final int SIZE = 110;
    /** sizeof(sun_path), NUL included. */
    public static final int PATH_MAX = 108;

    private SocketAddresses() {
    }

    /**
     * A sockaddr_un naming {@code path}.
     *
     * @throws IllegalArgumentException when the path does not fit sun_path
     */
    public static Memory unix(Path path) {
        byte[] bytes = path.toString().getBytes(StandardCharsets.UTF_8);
        if (bytes.length >= PATH_MAX) {
            throw new IllegalArgumentException("socket path longer than " + (PATH_MAX - 1) + " bytes: " + path);
        }
        Memory addr = new Memory(SIZE);
        addr.clear();
        addr.setShort(0, (short) LibC.AF_UNIX);
        addr.write(2, bytes, 0, bytes.length);
        return addr;
    }
}
