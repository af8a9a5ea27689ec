package org.freeflow.router.internal.vnic;

import org.freeflow.fastpath.api.QpRingLayout;
import org.freeflow.posix.api.Errno;
import org.freeflow.qos.api.RateLimiter;
import org.freeflow.router.internal.RouterDefaults;

/** ibv_create_qp: checks, QoS admission, QPN, ring memfd. */
final class QueuePairFactory {

    private static final int QPT_RAW_PACKET = 8;

    private QueuePairFactory() {
    }

    /** Checks what the request asks for that does not depend on other objects. */
    static void check(QpRequest request) {
        int type = request.qpType();
        if (type == QPT_RAW_PACKET) {
            throw new VerbsException(Errno.EOPNOTSUPP, "raw packet QPs are not supported");
        }
        if (ConnectedService.of(type) == null) {
            throw new VerbsException(Errno.EINVAL, "QP type " + type);
        }
        QpCaps caps = request.caps();
        if (outside(caps.maxSendWr(), RouterDefaults.MAX_QP_WR) || outside(caps.maxRecvWr(), RouterDefaults.MAX_QP_WR)
                || outside(caps.maxSendSge(), RouterDefaults.MAX_SGE)
                || outside(caps.maxRecvSge(), RouterDefaults.MAX_SGE)
                || outside(caps.maxInlineData(), RouterDefaults.MAX_INLINE_DATA)) {
            throw new VerbsException(Errno.EINVAL, "capacities beyond the device: " + caps);
        }
    }

    /**
     * Creates the QP (in RESET) and its ring memfd; the caller sends, then
     * closes, the fd.  An XRC initiator gets no receive queue, an XRC target
     * no queue at all (its rings exist, one unused slot each).
     */
    static QueuePair create(int handle, QpResources on, VnicEnvironment env, QpRequest request, int[] ringFd) {
        VirtualNic vnic = on.vnic();
        SharedReceiveQueue srq = on.srq();
        if (!env.qos().admitQueuePair(vnic.name(), vnic.queuePairs())) {
            throw new VerbsException(Errno.EDQUOT, "QP quota of " + vnic.name() + " reached");
        }
        int qpn;
        try {
            qpn = env.orchestrator().allocateQpn();
        } catch (OrchestratorLink.Unavailable e) {
            throw new VerbsException(Errno.EAGAIN, "no QPN: " + e.getMessage());
        } catch (RuntimeException e) {
            throw new VerbsException(Errno.ENOMEM, "no QPN: " + e.getMessage());
        }
        RateLimiter limiter = env.qos().limiterFor(vnic.name(), vnic.tenant(), qpn);
        ConnectedService service = ConnectedService.of(request.qpType());
        QpCaps asked = request.caps();
        QpRingLayout layout;
        QpCaps granted;
        if (service == ConnectedService.XRC_TGT) {
            layout = QpRingLayout.forCapacity(0, 0, 0, 0, 0);
            granted = new QpCaps(0, 0, 0, 0, 0);
        } else {
            boolean receives = srq == null && service != ConnectedService.XRC_INI;
            int sendSge = Math.max(1, asked.maxSendSge());
            int recvSge = receives ? Math.max(1, asked.maxRecvSge()) : 0;
            layout = QpRingLayout.forCapacity(asked.maxSendWr(), receives ? asked.maxRecvWr() : 0, sendSge, recvSge,
                    asked.maxInlineData());
            granted = new QpCaps(layout.sqSlots(), receives ? layout.rqSlots() : 0, sendSge, recvSge,
                    asked.maxInlineData());
        }
        RingMemory memory = RingMemory.create("freeflow-qp-" + qpn, layout.shmSize());
        ringFd[0] = memory.fd();
        return new QueuePair(handle, qpn, service, on, granted, request.sqSigAll(), layout, memory.mapping(),
                limiter == null ? RateLimiter.UNLIMITED : limiter, env.transports(), env.poller());
    }

    private static boolean outside(int value, int max) {
        return value < 0 || value > max;
    }
}
