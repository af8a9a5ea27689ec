package org.freeflow.ffo.internal.registry;

import org.freeflow.ffo.api.HostRecord;

/**
 * A HOSTS row: the record operators see, and the Ignite node that holds the
 * name (a new id at every start of a router's node).
 */
public record HostRow(HostRecord record, String nodeId) {
}
