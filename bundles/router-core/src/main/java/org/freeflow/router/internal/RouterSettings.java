package org.freeflow.router.internal;

import java.nio.file.Path;

/**
 * The router's configuration (PID {@code org.freeflow.router}).
 *
 * @param hostName   this host's name in the cluster
 * @param socketDir  directory of admin.sock and containers/
 * @param deviceName verbs device name every container sees
 * @param dataPathSelfTestMillis how long the data-path self-test runs before the router serves; 0: none
 * @param qpRefreshMillis how often the QPs' rows in QPS get their state and counters; 0: only on changes
 */
public record RouterSettings(String hostName, Path socketDir, String deviceName, long dataPathSelfTestMillis,
        long qpRefreshMillis) {

    /** The QPS refresh interval when none is configured. */
    public static final long DEFAULT_QP_REFRESH_MILLIS = 5000;

    /** Without a data-path self-test. */
    public RouterSettings(String hostName, Path socketDir, String deviceName) {
        this(hostName, socketDir, deviceName, 0, DEFAULT_QP_REFRESH_MILLIS);
    }

    static RouterSettings of(VirtualNicManager.Config config) {
        return new RouterSettings(config.hostName(), Path.of(config.socketDir()), config.deviceName(),
                Math.max(0, config.dataPathSelfTestMillis()), Math.max(0, config.qpRefreshMillis()));
    }

    Path adminSocket() {
        return socketDir.resolve("admin.sock");
    }

    Path containerDir() {
        return socketDir.resolve("containers");
    }
}
