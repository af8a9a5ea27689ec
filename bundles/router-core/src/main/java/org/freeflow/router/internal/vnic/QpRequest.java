package org.freeflow.router.internal.vnic;

/**
 * ibv_create_qp as the FFL asks it ({@code struct ff_create_qp_req}).
 *
 * @param pdHandle  protection domain
 * @param sendCq    send completion queue handle
 * @param recvCq    receive completion queue handle
 * @param srq       shared receive queue handle, 0 for none
 * @param qpType    enum ibv_qp_type
 * @param sqSigAll  every send completes
 * @param caps      capacities asked for
 * @param xrcd      XRC target: its XRC domain's handle; otherwise 0
 */
public record QpRequest(int pdHandle, int sendCq, int recvCq, int srq, int qpType, boolean sqSigAll, QpCaps caps,
        int xrcd) {

    /** A QP without an XRC domain. */
    public QpRequest(int pdHandle, int sendCq, int recvCq, int srq, int qpType, boolean sqSigAll, QpCaps caps) {
        this(pdHandle, sendCq, recvCq, srq, qpType, sqSigAll, caps, 0);
    }
}
