package org.freeflow.router.internal;

import java.nio.file.Path;

/**
 * The router's configuration (PID {@code org.freeflow.router}).
 *
 * @param hostName   this host's name in the cluster
 * @param socketDir  directory of admin.sock and containers/
 * @param deviceName verbs device name every container sees
 */
public record RouterSettings(String hostName, Path socketDir, String deviceName) {

    static RouterSettings of(VirtualNicManager.Config config) {
        return new RouterSettings(config.hostName(), Path.of(config.socketDir()), config.deviceName());
    }

    Path adminSocket() {
        return socketDir.resolve("admin.sock");
    }

    Path containerDir() {
        return socketDir.resolve("containers");
    }
}
