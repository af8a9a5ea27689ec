package org.freeflow.router.internal;

import java.nio.file.Path;

/**
 * The router's configuration (PID {@code org.freeflow.router}).
 *
 * @param hostName   this host's name in the cluster
 * @param socketDir  directory of admin.sock and containers/
 * @param deviceName verbs device name every container sees
 * @param dataPathSelfTestMillis how long the data-path self-test runs before the router serves; 0: none
 */
public record RouterSettings(String hostName, Path socketDir, String deviceName, long dataPathSelfTestMillis) {

    /** Without a data-path self-test. */
    public RouterSettings(String hostName, Path socketDir, String deviceName) {
        this(hostName, socketDir, deviceName, 0);
    }

    static RouterSettings of(VirtualNicManager.Config config) {
        return new RouterSettings(config.hostName(), Path.of(config.socketDir()), config.deviceName(),
                Math.max(0, config.dataPathSelfTestMillis()));
    }

    Path adminSocket() {
        return socketDir.resolve("admin.sock");
    }

    Path containerDir() {
        return socketDir.resolve("containers");
    }
}
