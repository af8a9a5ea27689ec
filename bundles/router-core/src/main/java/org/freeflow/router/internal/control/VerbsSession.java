package org.freeflow.router.internal.control;

import java.util.concurrent.CompletionStage;
import org.freeflow.fastpath.api.Abi;
import org.freeflow.fastpath.api.Abi.AsyncEvent;
import org.freeflow.fastpath.api.Abi.CreateCqReq;
import org.freeflow.fastpath.api.Abi.CreateCqResp;
import org.freeflow.fastpath.api.Abi.CreateQpReq;
import org.freeflow.fastpath.api.Abi.CreateQpResp;
import org.freeflow.fastpath.api.Abi.CreateSrqReq;
import org.freeflow.fastpath.api.Abi.CreateSrqResp;
import org.freeflow.fastpath.api.Abi.ModifySrqReq;
import org.freeflow.fastpath.api.Abi.SrqAttr;
import org.freeflow.fastpath.api.Abi.DestroyResp;
import org.freeflow.fastpath.api.Abi.HandleReq;
import org.freeflow.fastpath.api.Abi.HandleResp;
import org.freeflow.fastpath.api.Abi.ModifyQpReq;
import org.freeflow.fastpath.api.Abi.OpenReq;
import org.freeflow.fastpath.api.Abi.OpenXrcdReq;
import org.freeflow.fastpath.api.Abi.PortAttr;
import org.freeflow.fastpath.api.Abi.QueryQpReq;
import org.freeflow.fastpath.api.Abi.QueryQpResp;
import org.freeflow.fastpath.api.Abi.RegMrReq;
import org.freeflow.fastpath.api.Abi.RegMrResp;
import org.freeflow.posix.api.Errno;
import org.freeflow.router.internal.RouterDefaults;
import org.freeflow.router.internal.vnic.AsyncEventQueue;
import org.freeflow.router.internal.vnic.Grants;
import org.freeflow.router.internal.vnic.OrchestratorLink;
import org.freeflow.router.internal.vnic.QpAttributes;
import org.freeflow.router.internal.vnic.QpCaps;
import org.freeflow.router.internal.vnic.QpRequest;
import org.freeflow.router.internal.vnic.VerbsContext;
import org.freeflow.router.internal.vnic.VerbsException;
import org.freeflow.router.internal.vnic.VirtualNic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A container socket connection: the FFL's verbs requests, decoded for its {@link VerbsContext}. */
public final class VerbsSession implements Session {

    private static final Logger LOG = LoggerFactory.getLogger(VerbsSession.class);

    private final VerbsContext context;
    private final String deviceName;

    public VerbsSession(VerbsContext context, String deviceName) {
        this.context = context;
        this.deviceName = deviceName;
    }

    @Override
    public void handle(Request request, Reply reply) {
        request.expectFds(descriptorsOf(request));
        switch (request.op()) {
            case Abi.OP_OPEN -> open(request, reply);
            case Abi.OP_ALLOC_PD -> {
                request.expect(0);
                handleReply(reply, context.allocPd());
            }
            case Abi.OP_DEALLOC_PD -> context.deallocPd(handle(request));
            case Abi.OP_REG_MR -> regMr(request, reply);
            case Abi.OP_DEREG_MR -> deregMr(request, reply);
            case Abi.OP_CREATE_CQ -> createCq(request, reply);
            case Abi.OP_DESTROY_CQ -> destroyReply(reply, context.destroyCq(handle(request)));
            case Abi.OP_CREATE_QP -> createQp(request, reply);
            case Abi.OP_MODIFY_QP -> modifyQp(request);
            case Abi.OP_QUERY_QP -> queryQp(request, reply);
            case Abi.OP_DESTROY_QP -> destroyReply(reply, context.destroyQp(handle(request)));
            case Abi.OP_GET_ASYNC_EVENT -> asyncEvent(request, reply);
            case Abi.OP_CREATE_SRQ -> createSrq(request, reply);
            case Abi.OP_MODIFY_SRQ -> modifySrq(request);
            case Abi.OP_QUERY_SRQ -> querySrq(request, reply);
            case Abi.OP_DESTROY_SRQ -> destroyReply(reply, context.destroySrq(handle(request)));
            case Abi.OP_OPEN_XRCD -> openXrcd(request, reply);
            case Abi.OP_CLOSE_XRCD -> context.closeXrcd(handle(request));
            case Abi.OP_QUERY_PORT -> queryPort(request, reply);
            case Abi.OP_CREATE_COMP_CHANNEL -> createCompletionChannel(request, reply);
            case Abi.OP_DESTROY_COMP_CHANNEL -> context.destroyCompletionChannel(handle(request));
            default -> throw new VerbsException(Errno.EOPNOTSUPP, "unknown op " + request.op());
        }
    }

    /**
     * How many descriptors the request must carry: REG_MR its process memfd,
     * OPEN_XRCD the file when its {@code file} field says so, nothing else
     * any (ff_abi.h, "File descriptors").
     */
    private static int descriptorsOf(Request request) {
        return switch (request.op()) {
            case Abi.OP_REG_MR -> 1;
            case Abi.OP_OPEN_XRCD -> request.length() == OpenXrcdReq.SIZE && request.getInt(OpenXrcdReq.FILE) == 1
                    ? 1 : 0;
            default -> 0;
        };
    }

    @Override
    public void close() {
        context.close();
    }

    private void open(Request request, Reply reply) {
        request.expect(OpenReq.SIZE);
        context.open(request.getInt(OpenReq.PID), request.string(OpenReq.COMM, 16));
        DeviceInfoWriter.write(reply, context.vnic(), deviceName);
        reply.share(context.routerPageFd());
        reply.share(context.doorbellFd());
        reply.share(context.asyncEventFd());
    }

    private void createCompletionChannel(Request request, Reply reply) {
        request.expect(0);
        int handle = context.createCompletionChannel();
        handleReply(reply, handle);
        reply.share(context.completionChannelFd(handle));
    }

    private static int handle(Request request) {
        request.expect(HandleReq.SIZE);
        return request.getInt(HandleReq.HANDLE);
    }

    private static void handleReply(Reply reply, int handle) {
        reply.putInt(HandleResp.HANDLE, handle);
        reply.length(HandleResp.SIZE);
    }

    private static void destroyReply(Reply reply, int eventsDropped) {
        reply.putInt(DestroyResp.EVENTS_DROPPED, eventsDropped);
        reply.length(DestroyResp.SIZE);
    }

    private void asyncEvent(Request request, Reply reply) {
        request.expect(0);
        AsyncEventQueue.Event e = context.takeAsyncEvent();
        reply.putInt(AsyncEvent.EVENT_TYPE, e.type());
        reply.putInt(AsyncEvent.ELEMENT, e.element());
        reply.putInt(AsyncEvent.HANDLE, e.handle());
        reply.length(AsyncEvent.SIZE);
    }

    /** The port's live state (the rest of ibv_query_port is the OPEN reply's). */
    private void queryPort(Request request, Reply reply) {
        int port = handle(request);
        if (port != RouterDefaults.PORT_NUM) {
            throw new VerbsException(Errno.EINVAL, "no port " + Integer.toUnsignedString(port));
        }
        VirtualNic vnic = context.vnic();
        reply.putByte(PortAttr.PORT_STATE, vnic.portState());
        reply.putByte(PortAttr.PHYS_STATE, vnic.physState());
        reply.length(PortAttr.SIZE);
    }

    /**
     * ibv_reg_mr: registered here, then answered once the cluster's memory
     * maps hold it (a deferred reply); if they cannot, it is deregistered and
     * refused (EAGAIN without an orchestrator, ENOMEM otherwise).
     */
    private void regMr(Request request, Reply reply) {
        request.expect(RegMrReq.SIZE);
        Grants.Mr mr = context.regMr(request.getInt(RegMrReq.PD_HANDLE), request.getInt(RegMrReq.ACCESS),
                request.getLong(RegMrReq.ADDR), request.getLong(RegMrReq.LENGTH), request.getLong(RegMrReq.IOVA),
                request.fd(0));
        CompletionStage<Void> published;
        try {
            published = context.publishMr(mr.handle());
        } catch (RuntimeException e) {
            context.deregMr(mr.handle());
            throw e;
        }
        DeferredReply answer = reply.defer();
        published.whenComplete((ok, failure) -> answer.complete(r -> {
            if (failure != null) {
                context.deregMr(mr.handle());
                Throwable cause = Failures.cause(failure);
                throw new VerbsException(cause instanceof OrchestratorLink.Unavailable ? Errno.EAGAIN : Errno.ENOMEM,
                        "the memory maps did not take the region: " + cause.getMessage());
            }
            r.putInt(RegMrResp.HANDLE, mr.handle());
            r.putInt(RegMrResp.LKEY, mr.key());
            r.putInt(RegMrResp.RKEY, mr.key());
            r.length(RegMrResp.SIZE);
        }));
    }

    /**
     * ibv_dereg_mr: the key stops resolving here at once; answered once the
     * cluster's memory maps dropped it too (or could not: a stale row names a
     * key no router resolves any more, and the container's unregistration
     * removes it).
     */
    private void deregMr(Request request, Reply reply) {
        CompletionStage<Void> removed = context.deregMr(handle(request));
        DeferredReply answer = reply.defer();
        removed.whenComplete((ok, failure) -> {
            if (failure != null) {
                LOG.warn("{}: a deregistered region stays in MEMORY_MAPS until its container leaves: {}", context,
                        failure.getMessage());
            }
            answer.complete(r -> r.length(0));
        });
    }

    private void createCq(Request request, Reply reply) {
        request.expect(CreateCqReq.SIZE);
        int flags = request.getInt(CreateCqReq.FLAGS);
        if ((flags & ~Abi.CQ_F_TIMESTAMP) != 0) {
            throw new VerbsException(Errno.EINVAL, "unknown CQ flags 0x" + Integer.toHexString(flags));
        }
        Grants.Cq cq = context.createCq(request.getInt(CreateCqReq.CQE), request.getInt(CreateCqReq.CHANNEL),
                (flags & Abi.CQ_F_TIMESTAMP) != 0);
        reply.putInt(CreateCqResp.HANDLE, cq.handle());
        reply.putInt(CreateCqResp.CQE, cq.entries());
        reply.putLong(CreateCqResp.SHM_SIZE, cq.shmSize());
        reply.attach(cq.fd());
        reply.length(CreateCqResp.SIZE);
    }

    private void createQp(Request request, Reply reply) {
        request.expect(CreateQpReq.SIZE);
        QpCaps caps = QpCaps.read(request.buffer(), Abi.Hdr.SIZE + CreateQpReq.CAP);
        QpRequest qp = new QpRequest(request.getInt(CreateQpReq.PD_HANDLE), request.getInt(CreateQpReq.SEND_CQ),
                request.getInt(CreateQpReq.RECV_CQ), request.getInt(CreateQpReq.SRQ),
                request.getInt(CreateQpReq.QP_TYPE), request.getInt(CreateQpReq.SQ_SIG_ALL) != 0, caps,
                request.getInt(CreateQpReq.XRCD));
        Grants.Qp granted = context.createQp(qp);
        reply.putInt(CreateQpResp.HANDLE, granted.handle());
        reply.putInt(CreateQpResp.QP_NUM, granted.qpn());
        granted.caps().write(reply.buffer(), Abi.Hdr.SIZE + CreateQpResp.CAP);
        reply.putLong(CreateQpResp.SHM_SIZE, granted.shmSize());
        reply.attach(granted.fd());
        reply.length(CreateQpResp.SIZE);
    }

    private void modifyQp(Request request) {
        request.expect(ModifyQpReq.SIZE);
        int mask = request.getInt(ModifyQpReq.ATTR_MASK);
        QpAttributes attrs = QpAttributes.read(request.buffer(), Abi.Hdr.SIZE + ModifyQpReq.ATTR, mask);
        context.modifyQp(request.getInt(ModifyQpReq.HANDLE), mask, attrs);
    }

    private void queryQp(Request request, Reply reply) {
        request.expect(QueryQpReq.SIZE);
        context.queryQp(request.getInt(QueryQpReq.HANDLE), reply.buffer(), Abi.Hdr.SIZE);
        reply.length(QueryQpResp.SIZE);
    }

    private void createSrq(Request request, Reply reply) {
        request.expect(CreateSrqReq.SIZE);
        Grants.Srq srq = context.createSrq(request.getInt(CreateSrqReq.PD_HANDLE),
                request.getInt(CreateSrqReq.SRQ_TYPE), request.getInt(CreateSrqReq.ATTR_MAX_WR),
                request.getInt(CreateSrqReq.ATTR_MAX_SGE), request.getInt(CreateSrqReq.XRCD),
                request.getInt(CreateSrqReq.CQ));
        reply.putInt(CreateSrqResp.HANDLE, srq.handle());
        reply.putInt(CreateSrqResp.SRQ_NUM, srq.srqn());
        reply.putInt(CreateSrqResp.ATTR_MAX_WR, srq.maxWr());
        reply.putInt(CreateSrqResp.ATTR_MAX_SGE, srq.maxSge());
        reply.putInt(CreateSrqResp.ATTR_SRQ_LIMIT, 0);
        reply.putLong(CreateSrqResp.SHM_SIZE, srq.shmSize());
        reply.attach(srq.fd());
        reply.length(CreateSrqResp.SIZE);
    }

    private void openXrcd(Request request, Reply reply) {
        request.expect(OpenXrcdReq.SIZE);
        int file = request.getInt(OpenXrcdReq.FILE);
        if (file != 0 && file != 1) {
            throw new VerbsException(Errno.EINVAL, "file " + file + " (0: none, 1: its descriptor rides along)");
        }
        handleReply(reply, context.openXrcd(request.getInt(OpenXrcdReq.FLAGS), file == 1 ? request.fd(0) : -1));
    }

    private void modifySrq(Request request) {
        request.expect(ModifySrqReq.SIZE);
        context.modifySrq(request.getInt(ModifySrqReq.HANDLE), request.getInt(ModifySrqReq.ATTR_MASK),
                request.getInt(ModifySrqReq.ATTR_SRQ_LIMIT));
    }

    private void querySrq(Request request, Reply reply) {
        int[] attr = context.querySrq(handle(request));
        reply.putInt(SrqAttr.MAX_WR, attr[0]);
        reply.putInt(SrqAttr.MAX_SGE, attr[1]);
        reply.putInt(SrqAttr.SRQ_LIMIT, attr[2]);
        reply.length(SrqAttr.SIZE);
    }
}
