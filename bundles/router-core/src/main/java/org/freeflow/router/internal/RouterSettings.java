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
 * @param transportSelfTestMillis how long the data-path self-test runs through each transport's loopback once
 *        the transport comes; 0: none
 */
public record RouterSettings(String hostName, Path socketDir, String deviceName, long dataPathSelfTestMillis,
        long qpRefreshMillis, long transportSelfTestMillis) {

    /** The QPS refresh interval when none is configured. */
    public static final long DEFAULT_QP_REFRESH_MILLIS = 5000;

    /** Without a data-path self-test. */
    public RouterSettings(String hostName, Path socketDir, String deviceName) {
        this(hostName, socketDir, deviceName, 0, DEFAULT_QP_REFRESH_MILLIS);
    }

    /** Without a self-test through the transports. */
    public RouterSettings(String hostName, Path socketDir, String deviceName, long dataPathSelfTestMillis,
            long qpRefreshMillis) {
        this(hostName, socketDir, deviceName, dataPathSelfTestMillis, qpRefreshMillis, 0);
    }

    static RouterSettings of(VirtualNicManager.Config config) {
        return new RouterSettings(config.hostName(), Path.of(config.socketDir()), config.deviceName(),
                Math.max(0, config.dataPathSelfTestMillis()), Math.max(0, config.qpRefreshMillis()),
                Math.max(0, config.transportSelfTestMillis()));
    }

    Path adminSocket() {
        return socketDir.resolve("admin.sock");
    }

    Path containerDir() {
        return socketDir.resolve("containers");
    }
}
