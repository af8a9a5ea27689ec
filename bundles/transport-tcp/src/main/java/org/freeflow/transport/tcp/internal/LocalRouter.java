package org.freeflow.transport.tcp.internal;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.freeflow.fastpath.api.PollerService;
import org.freeflow.router.api.transport.LocalResponders;

/**
 * This router's end of the transport, as every connection to another
 * router sees it: its id (random per start: which of two connections dialed
 * at once survives), its host name, its responders and pollers, the
 * responder sessions of the other routers' requester connections (they
 * outlive a TCP connection), the links by peer and the connections open.
 */
final class LocalRouter {

    private final long id;
    private final Supplier<String> host;
    private final LocalResponders responders;
    private final PollerService poller;
    private final BiFunction<String, Integer, PeerLink> links;
    private final Map<Long, ResponderSession> sessions = new ConcurrentHashMap<>();
    private final Set<LinkChannel> open = ConcurrentHashMap.newKeySet();

    /**
     * @param links the link to a host's router by its name and the link's index (made if there is none)
     */
    LocalRouter(long id, Supplier<String> host, LocalResponders responders, PollerService poller,
            BiFunction<String, Integer, PeerLink> links) {
        this.id = id;
        this.host = host;
        this.responders = responders;
        this.poller = poller;
        this.links = links;
    }

    long id() {
        return id;
    }

    String host() {
        return host.get();
    }

    LocalResponders responders() {
        return responders;
    }

    PollerService poller() {
        return poller;
    }

    Map<Long, ResponderSession> sessions() {
        return sessions;
    }

    PeerLink linkFor(String peerHost, int index) {
        return links.apply(peerHost, index);
    }

    void opened(LinkChannel c) {
        open.add(c);
    }

    void closed(LinkChannel c) {
        open.remove(c);
    }

    /** How many connections to other routers are open (tests). */
    int openCount() {
        return open.size();
    }

    /** Closes every connection still open. */
    void closeAll() {
        for (LinkChannel c : open) {
            c.close();
        }
    }
}
