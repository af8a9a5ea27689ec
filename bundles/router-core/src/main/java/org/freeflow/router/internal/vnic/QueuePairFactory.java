package org.freeflow.router.internal.vnic;

import org.freeflow.fastpath.api.QpRingLayout;
import org.freeflow.posix.api.Errno;
import org.freeflow.qos.api.RateLimiter;
import org.freeflow.router.internal.RouterDefaults;

/** ibv_create_qp: checks, QoS admission, QPN, ring memfd. */
final class QueuePairFactory {

    private static final int QPT_RAW_PACKET = 8;
    private static final int QPT_XRC_RECV = 10;

    private QueuePairFactory() {
    }

    /** Checks what the request asks for that does not depend on other objects. */
    static void check(QpRequest request) {
        int type = request.qpType();
        if (type >= QPT_RAW_PACKET && type <= QPT_XRC_RECV) {
            throw new VerbsException(Errno.EOPNOTSUPP, "QP type " + type + " is not supported yet");
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

    /** Creates the QP (in RESET) and its ring memfd; the caller sends, then closes, the fd. */
    static QueuePair create(int handle, VirtualNic vnic, VnicEnvironment env, ProtectionDomain pd,
            CompletionQueue sendCq, CompletionQueue recvCq, SharedReceiveQueue srq, QpRequest request,
            int[] ringFd) {
        if (!env.qos().admitQueuePair(vnic.name(), vnic.queuePairs())) {
            throw new VerbsException(Errno.EDQUOT, "QP quota of " + vnic.name() + " reached");
        }
        int qpn;
        try {
            qpn = env.orchestrator().allocateQpn();
        } catch (RuntimeException e) {
            throw new VerbsException(Errno.ENOMEM, "no QPN: " + e.getMessage());
        }
        RateLimiter limiter = env.qos().limiterFor(vnic.name(), vnic.tenant(), qpn);
        QpCaps asked = request.caps();
        int sendSge = Math.max(1, asked.maxSendSge());
        int recvSge = srq == null ? Math.max(1, asked.maxRecvSge()) : 0;
        QpRingLayout layout = QpRingLayout.forCapacity(asked.maxSendWr(), srq == null ? asked.maxRecvWr() : 0,
                sendSge, recvSge, asked.maxInlineData());
        QpCaps granted = new QpCaps(layout.sqSlots(), srq == null ? layout.rqSlots() : 0, sendSge, recvSge,
                asked.maxInlineData());
        RingMemory memory = RingMemory.create("freeflow-qp-" + qpn, layout.shmSize());
        ringFd[0] = memory.fd();
        return new QueuePair(handle, qpn, ConnectedService.of(request.qpType()), vnic, pd, sendCq, recvCq, srq,
                granted, request.sqSigAll(), layout, memory.mapping(), limiter == null ? RateLimiter.UNLIMITED : limiter,
                env.transports(), env.poller());
    }

    private static boolean outside(int value, int max) {
        return value < 0 || value > max;
    }
}
