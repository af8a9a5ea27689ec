package org.freeflow.router.internal.vnic;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Every queue pair of this router by QPN, for the local transport. */
public final class QpDirectory {

    private final Map<Integer, QueuePair> byQpn = new ConcurrentHashMap<>();

    void add(QueuePair qp) {
        byQpn.put(qp.qpn, qp);
    }

    void remove(QueuePair qp) {
        byQpn.remove(qp.qpn, qp);
    }

    QueuePair get(int qpn) {
        return byQpn.get(qpn);
    }

    /** How many QPs there are. */
    public int size() {
        return byQpn.size();
    }
}
