package org.freeflow.ffo.api;

import java.util.List;

/**
 * The orchestrator's cluster as this router's node sees it.
 *
 * @param topologyVersion Ignite's topology version (grows with every join and leave)
 * @param servers         the server nodes, oldest first
 * @since 1.1
 */
public record ClusterView(long topologyVersion, List<Node> servers) {

    public ClusterView {
        servers = List.copyOf(servers);
    }

    /**
     * One server node.
     *
     * @param id        the node's id (Ignite's, new at every start)
     * @param host      the host whose router runs it, once that router registered (else empty)
     * @param addresses the addresses it advertises
     * @param local     true for this router's own node
     */
    public record Node(String id, String host, List<String> addresses, boolean local) {

        public Node {
            addresses = List.copyOf(addresses);
        }
    }
}
