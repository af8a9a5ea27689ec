package org.freeflow.router.internal.vnic;

import org.freeflow.fastpath.api.PollerService;
import org.freeflow.ffo.api.OrchestratorAdminService;
import org.freeflow.qos.api.QosService;

/**
 * What every virtual NIC of this router shares.
 *
 * @param poller       runs the data path and every change to what it reads
 * @param qos          QP admission and rate limiters
 * @param orchestrator QPN allocation
 * @param transports   how requesters reach responders
 * @param directory    every QP of this router by QPN
 */
public record VnicEnvironment(PollerService poller, QosService qos, OrchestratorAdminService orchestrator,
        TransportRegistry transports, QpDirectory directory) {
}
