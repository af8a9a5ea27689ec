package org.freeflow.ffo.internal.ignite;

import java.util.Arrays;
import java.util.List;

/**
 * What the embedded node needs to start, independent of Config Admin.
 *
 * @param instanceName       Ignite instance name, unique in the JVM
 * @param discoveryAddresses static IP finder addresses ("host:port" or "host:from..to")
 * @param discoveryPort      first local discovery port (10 ports are tried)
 * @param communicationPort  first local communication port
 * @param clientConnectorPort thin client / JDBC port (exactly this one)
 * @param localAddress       the router's management address: discovery and communication bind to it
 *                           and the node advertises it (empty: every interface)
 * @param workDirectory      Ignite work directory
 * @param dataRegionMaxMiB   maximum size of the default (in-memory) data region
 * @param failureDetectionMillis how long a silent node stays in the cluster (Ignite's failure detection timeout)
 * @param clientConnectorAddress where the thin-client / JDBC connector listens (docs/ffo.md, "Access":
 *                           loopback by default, since it takes SQL writes without credentials)
 */
public record NodeSettings(String instanceName, List<String> discoveryAddresses, int discoveryPort,
        int communicationPort, int clientConnectorPort, String localAddress, String workDirectory,
        int dataRegionMaxMiB, long failureDetectionMillis, String clientConnectorAddress) {

    /** Ignite's own default. */
    public static final long DEFAULT_FAILURE_DETECTION_MILLIS = 10_000;
    /** The JDBC connector's default address: the router's host only. */
    public static final String LOOPBACK = "127.0.0.1";

    /** With the JDBC connector on loopback. */
    public NodeSettings(String instanceName, List<String> discoveryAddresses, int discoveryPort,
            int communicationPort, int clientConnectorPort, String localAddress, String workDirectory,
            int dataRegionMaxMiB, long failureDetectionMillis) {
        this(instanceName, discoveryAddresses, discoveryPort, communicationPort, clientConnectorPort, localAddress,
                workDirectory, dataRegionMaxMiB, failureDetectionMillis, LOOPBACK);
    }

    /** The address the JDBC connector listens on, as an operator would connect to it. */
    public String clientConnectorBind() {
        if (!clientConnectorAddress.isEmpty()) {
            return clientConnectorAddress;
        }
        return localAddress.isEmpty() ? "0.0.0.0" : localAddress;
    }

    /** Splits a comma- or space-separated address list. */
    public static List<String> addresses(String list) {
        return Arrays.stream(list.split("[,\\s]+")).filter(s -> !s.isEmpty()).toList();
    }
}
