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
 * @param localAddress       address to bind, empty for all
 * @param workDirectory      Ignite work directory
 * @param dataRegionMaxMiB   maximum size of the default (in-memory) data region
 * @param failureDetectionMillis how long a silent node stays in the cluster (Ignite's failure detection timeout)
 */
public record NodeSettings(String instanceName, List<String> discoveryAddresses, int discoveryPort,
        int communicationPort, int clientConnectorPort, String localAddress, String workDirectory,
        int dataRegionMaxMiB, long failureDetectionMillis) {

    /** Ignite's own default. */
    public static final long DEFAULT_FAILURE_DETECTION_MILLIS = 10_000;

    /** Splits a comma- or space-separated address list. */
    public static List<String> addresses(String list) {
        return Arrays.stream(list.split("[,\\s]+")).filter(s -> !s.isEmpty()).toList();
    }
}
