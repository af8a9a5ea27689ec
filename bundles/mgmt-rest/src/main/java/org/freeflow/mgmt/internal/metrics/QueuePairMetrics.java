package org.freeflow.mgmt.internal.metrics;

import java.util.Map;
import java.util.TreeMap;

import org.freeflow.mgmt.api.MetricsSource;
import org.freeflow.router.api.ContainerView;
import org.freeflow.router.api.QueuePairView;
import org.freeflow.router.api.VirtualNicService;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The router's traffic over its live queue pairs, as gauges (a destroyed
 * QP's figures leave the sums): work requests, bytes sent, and what was
 * dropped (UD datagrams and UC messages nobody took, which are not sent
 * bytes), RNR NAKs waited out and ACK timeouts (work requests posted
 * again); and the connections the attached containers' sockets refused.
 */
@Component(service = MetricsSource.class)
public final class QueuePairMetrics implements MetricsSource {

    private final VirtualNicService nics;

    @Activate
    public QueuePairMetrics(@Reference VirtualNicService nics) {
        this.nics = nics;
    }

    @Override
    public Map<String, Number> metrics() {
        long sendWrs = 0;
        long recvWrs = 0;
        long bytes = 0;
        long sendDropped = 0;
        long recvDropped = 0;
        long rnrNaks = 0;
        long ackTimeouts = 0;
        for (QueuePairView qp : nics.queuePairs()) {
            sendWrs += qp.sendWrs();
            recvWrs += qp.recvWrs();
            bytes += qp.bytesSent();
            sendDropped += qp.sendDropped();
            recvDropped += qp.recvDropped();
            rnrNaks += qp.rnrNaks();
            ackTimeouts += qp.ackTimeouts();
        }
        long refused = 0;
        for (ContainerView c : nics.containers()) {
            refused += c.refused();
        }
        Map<String, Number> m = new TreeMap<>();
        m.put("freeflow_qps_send_wrs", sendWrs);
        m.put("freeflow_qps_recv_wrs", recvWrs);
        m.put("freeflow_qps_sent_bytes", bytes);
        m.put("freeflow_qps_send_dropped", sendDropped);
        m.put("freeflow_qps_recv_dropped", recvDropped);
        m.put("freeflow_qps_rnr_naks", rnrNaks);
        m.put("freeflow_qps_ack_timeouts", ackTimeouts);
        m.put("freeflow_containers_connections_refused", refused);
        return m;
    }
}
