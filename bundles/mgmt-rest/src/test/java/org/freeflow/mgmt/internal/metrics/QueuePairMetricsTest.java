package org.freeflow.mgmt.internal.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.freeflow.router.api.ContainerView;
import org.freeflow.router.api.QueuePairView;
import org.freeflow.router.api.VirtualNicService;
import org.junit.jupiter.api.Test;

class QueuePairMetricsTest {

    @Test
    void sumsTheLiveQueuePairsAndKeepsDropsApartFromSentBytes() {
        VirtualNicService nics = new VirtualNicService() {
            @Override
            public String hostName() {
                return "host1";
            }

            @Override
            public List<ContainerView> containers() {
                return List.of(new ContainerView("c1", "default", "10.98.0.1", 1, "fe80::1", "freeflow0", "/s", 0, 0,
                        0, 0, 2, ContainerView.PORT_ACTIVE, "netns net:[1]", 3));
            }

            @Override
            public List<QueuePairView> queuePairs() {
                return List.of(new QueuePairView("c1", 1, "UD", "RTS", 0, 0, 4, 1, 400, 6, 0),
                        new QueuePairView("c1", 2, "RC", "RTS", 2, 3, 10, 2, 1000, 0, 1, 9, 5));
            }
        };
        Map<String, Number> m = new QueuePairMetrics(nics).metrics();
        assertEquals(14L, m.get("freeflow_qps_send_wrs"));
        assertEquals(3L, m.get("freeflow_qps_recv_wrs"));
        assertEquals(1400L, m.get("freeflow_qps_sent_bytes"));
        assertEquals(6L, m.get("freeflow_qps_send_dropped"));
        assertEquals(1L, m.get("freeflow_qps_recv_dropped"));
        assertEquals(9L, m.get("freeflow_qps_rnr_naks"));
        assertEquals(5L, m.get("freeflow_qps_ack_timeouts"));
        assertEquals(3L, m.get("freeflow_containers_connections_refused"));
    }
}
