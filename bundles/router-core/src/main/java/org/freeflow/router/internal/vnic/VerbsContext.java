package org.freeflow.router.internal.vnic;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.freeflow.fastpath.api.Abi;
import org.freeflow.fastpath.api.Abi.QueryQpResp;
import org.freeflow.fastpath.api.CompletionRingProducer;
import org.freeflow.fastpath.api.Doorbell;
import org.freeflow.fastpath.api.RingIndex;
import org.freeflow.fastpath.api.SrqRingLayout;
import org.freeflow.fastpath.api.Verbs;
import org.freeflow.posix.api.Errno;
import org.freeflow.posix.api.FileDescriptors;
import org.freeflow.posix.api.MappedRegion;
import org.freeflow.posix.api.PosixException;
import org.freeflow.ffo.api.MemoryRegionRecord;
import org.freeflow.ffo.api.QueuePairRecord;
import org.freeflow.router.api.QueuePairView;
import org.freeflow.router.internal.RouterDefaults;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One verbs context: what one FFL connection created on its container's
 * virtual NIC, by handle.  Confined to the control thread; every change the
 * data path must see goes through the poller.  {@link #close()} destroys
 * everything (QPs, SRQs, CQs, MRs, PDs, XRC domains) and unmaps its memory.
 */
public final class VerbsContext {

    private static final Logger LOG = LoggerFactory.getLogger(VerbsContext.class);

    private final VirtualNic vnic;
    private final VnicEnvironment env;
    private final HandleTable<ProtectionDomain> pds = new HandleTable<>("PD", RouterDefaults.MAX_PD);
    private final HandleTable<MemoryRegion> mrs = new HandleTable<>("MR", RouterDefaults.MAX_MR);
    private final HandleTable<CompletionChannel> channels =
            new HandleTable<>("completion channel", RouterDefaults.MAX_COMP_CHANNEL);
    private final HandleTable<CompletionQueue> cqs = new HandleTable<>("CQ", RouterDefaults.MAX_CQ);
    private final HandleTable<QueuePair> qps = new HandleTable<>("QP", RouterDefaults.MAX_QP);
    private final HandleTable<SharedReceiveQueue> srqs = new HandleTable<>("SRQ", RouterDefaults.MAX_SRQ);
    private final HandleTable<XrcDomain.Opened> xrcds = new HandleTable<>("XRCD", RouterDefaults.MAX_XRCD);
    private final AsyncEventQueue events;
    private Doorbell doorbell;
    private String process = "unknown process";
    private boolean closed;

    public VerbsContext(VirtualNic vnic, VnicEnvironment env) {
        this(vnic, env, new AsyncEventQueue());
    }

    VerbsContext(VirtualNic vnic, VnicEnvironment env, AsyncEventQueue events) {
        this.vnic = vnic;
        this.env = env;
        this.events = events;
        vnic.opened(this);
    }

    public VirtualNic vnic() {
        return vnic;
    }

    /** Records who opened the device, for the logs. */
    public void open(int pid, String comm) {
        process = comm + "[" + pid + "]";
        LOG.debug("{} of {} opened the device", process, vnic.name());
    }

    public int allocPd() {
        int handle = pds.reserve();
        pds.put(handle, new ProtectionDomain(handle));
        return handle;
    }

    public void deallocPd(int handle) {
        if (pds.get(handle).inUse()) {
            throw new VerbsException(Errno.EBUSY, "PD " + handle + " still has MRs or QPs");
        }
        pds.remove(handle);
    }

    /** Registers [addr, addr + length) of the FFL's memfd; the caller keeps and closes {@code memfd}. */
    public Grants.Mr regMr(int pdHandle, int access, long addr, long length, long iova, int memfd) {
        ProtectionDomain pd = pds.get(pdHandle);
        int granted = MemoryRegistrar.checkAccess(access);
        MappedRegion mapping = MemoryRegistrar.map(memfd, addr, length, iova);
        int handle = mrs.reserve();
        MemoryRegion mr;
        try {
            mr = env.poller().call(() -> vnic.mrTable.add(
                    key -> new MemoryRegion(key, handle, pd, granted, addr, length, iova, mapping)));
        } catch (RuntimeException e) {
            if (mapping != null) {
                mapping.close();
            }
            throw e;
        }
        mrs.put(handle, mr);
        pd.retain();
        LOG.debug("{}: MR {} registered", vnic.name(), mr);
        return new Grants.Mr(handle, mr.key);
    }

    /**
     * Publishes MR {@code handle} into the cluster's memory maps; ibv_reg_mr
     * answers once the stage completed (and deregisters it when it failed).
     */
    public CompletionStage<Void> publishMr(int handle) {
        return env.orchestrator().publishMemoryRegion(ClusterRecords.region(vnic, mrs.get(handle)));
    }

    /**
     * Deregisters the MR: its key stops resolving here at once, and no byte
     * is written into it from now on (by a poller or a transport); the returned
     * stage completes once the cluster's memory maps no longer hold it
     * (ibv_dereg_mr answers then).
     */
    public CompletionStage<Void> deregMr(int handle) {
        MemoryRegion mr = mrs.get(handle);
        env.poller().call(() -> {
            vnic.mrTable.remove(mr);
            return null;
        });
        mr.closeToWriters(); // a transport placing a WRITE into it ends its socket read first
        mrs.remove(handle);
        mr.pd.release();
        mr.unmap();
        return env.orchestrator().removeMemoryRegion(vnic.name(), mr.key);
    }

    /** The router page's memfd, for the OPEN reply (kept open by the poller service). */
    public int routerPageFd() {
        return env.poller().routerPageFd();
    }

    /**
     * The writing end of this context's doorbell, for the OPEN reply: made at
     * the first call, closed with the context (the pollers keep reading the
     * other end only while it is open).
     */
    public int doorbellFd() {
        if (doorbell == null) {
            try {
                doorbell = env.poller().openDoorbell();
            } catch (IllegalStateException e) {
                throw new VerbsException(Errno.ENOMEM, "no doorbell: " + e.getMessage());
            }
        }
        return doorbell.ringerFd();
    }

    /** The reading end of the async event pipe, for the OPEN reply (made at the first call, closed with the context). */
    public int asyncEventFd() {
        try {
            return events.open();
        } catch (PosixException e) {
            throw new VerbsException(e.errno() == Errno.EMFILE ? Errno.EMFILE : Errno.ENOMEM,
                    "no async event pipe: " + e.getMessage());
        }
    }

    /** ibv_create_comp_channel: returns its handle; {@link #completionChannelFd} is the reply's fd. */
    public int createCompletionChannel() {
        int handle = channels.reserve();
        channels.put(handle, CompletionChannel.create(handle));
        return handle;
    }

    /** The reading end of a completion channel's pipe (kept open until the channel is destroyed). */
    public int completionChannelFd(int handle) {
        return channels.get(handle).fd();
    }

    /** ibv_destroy_comp_channel: EBUSY while CQs use it. */
    public void destroyCompletionChannel(int handle) {
        CompletionChannel channel = channels.get(handle);
        if (channel.inUse()) {
            throw new VerbsException(Errno.EBUSY, channel + " still has CQs");
        }
        channels.remove(handle);
        channel.close();
    }

    /** The oldest unread asynchronous event; EAGAIN when there is none. */
    public AsyncEventQueue.Event takeAsyncEvent() {
        AsyncEventQueue.Event e = events.take();
        if (e == null) {
            throw new VerbsException(Errno.EAGAIN, "no async event pending");
        }
        return e;
    }

    /** The port changed state: IBV_EVENT_PORT_ACTIVE or IBV_EVENT_PORT_ERR for port 1. */
    void portChanged(boolean active) {
        events.raisePort(active ? Verbs.EVENT_PORT_ACTIVE : Verbs.EVENT_PORT_ERR, RouterDefaults.PORT_NUM);
    }

    /** A CQ without a completion channel. */
    public Grants.Cq createCq(int entries) {
        return createCq(entries, 0, false);
    }

    /**
     * A CQ; with {@code channelHandle} other than 0 (a completion channel of
     * this context) completion events are raised on that channel; with
     * {@code timestamps} every entry carries the router's monotonic clock
     * (ns) at the moment it was produced.
     */
    public Grants.Cq createCq(int entries, int channelHandle, boolean timestamps) {
        if (entries < 1 || entries > RouterDefaults.MAX_CQE) {
            throw new VerbsException(Errno.EINVAL, "cqe " + Integer.toUnsignedString(entries));
        }
        CompletionChannel channel = channelHandle == 0 ? null : channels.get(channelHandle);
        int slots = RingIndex.ceilPowerOfTwo(entries);
        long size = CompletionRingProducer.shmSize(slots);
        int handle = cqs.reserve();
        RingMemory memory = RingMemory.create("freeflow-cq", size);
        cqs.put(handle, new CompletionQueue(handle, memory.mapping(), slots, channel, timestamps, events));
        retain(channel);
        return new Grants.Cq(handle, slots, size, memory.fd());
    }

    /** Returns how many unread asynchronous events of the CQ were dropped. */
    public int destroyCq(int handle) {
        CompletionQueue cq = cqs.get(handle);
        if (cq.inUse()) {
            throw new VerbsException(Errno.EBUSY, "CQ " + handle + " still has QPs");
        }
        cqs.remove(handle);
        env.poller().call(() -> null);
        cq.close();
        release(cq.channel());
        return events.drop(Abi.ASYNC_CQ, handle);
    }

    /**
     * ibv_create_qp.  An XRC initiator has a PD and a send CQ only; an XRC
     * target an XRC domain only.
     */
    public Grants.Qp createQp(QpRequest request) {
        QueuePairFactory.check(request);
        boolean target = request.qpType() == Verbs.QPT_XRC_RECV;
        boolean xrc = target || request.qpType() == Verbs.QPT_XRC_SEND;
        ProtectionDomain pd = target ? null : pds.get(request.pdHandle());
        CompletionQueue sendCq = target ? null : cqs.get(request.sendCq());
        CompletionQueue recvCq = xrc ? null : cqs.get(request.recvCq());
        SharedReceiveQueue srq = request.srq() == 0 ? null : srqs.get(request.srq());
        XrcDomain.Opened xrcd = target ? xrcds.get(request.xrcd()) : null;
        if (srq != null && (xrc || srq.xrcd != null)) {
            throw new VerbsException(Errno.EINVAL, xrc ? "an XRC QP takes no SRQ" : srq + " is for XRC targets only");
        }
        int handle = qps.reserve();
        int[] fd = {-1};
        QueuePair qp = QueuePairFactory.create(handle, new QpResources(vnic, pd, sendCq, recvCq, srq, xrcd), env,
                request, fd);
        qp.reportEventsTo(events);
        env.poller().call(() -> {
            attach(sendCq, qp);
            if (recvCq != sendCq) {
                attach(recvCq, qp);
            }
            return null;
        });
        env.directory().add(qp);
        qps.put(handle, qp);
        retain(pd);
        retain(sendCq);
        retain(recvCq);
        retain(srq);
        if (xrcd != null) {
            xrcd.retain();
            xrcd.domain.addTarget(qp);
        }
        vnic.queuePairAdded();
        ClusterRecords.publish(env.orchestrator(), qp);
        LOG.debug("{}: {} created", vnic.name(), qp);
        return new Grants.Qp(handle, qp.qpn, qp.caps, qp.layout.shmSize(), fd[0]);
    }

    public void modifyQp(int handle, int mask, QpAttributes update) {
        QueuePair qp = qps.get(handle);
        env.poller().call(() -> {
            QpTransitions.modify(qp, mask, update, env.poller());
            return null;
        });
        ClusterRecords.publish(env.orchestrator(), qp);
    }

    /** Writes {@code struct ff_query_qp_resp} at {@code base} of {@code out}. */
    public void queryQp(int handle, ByteBuffer out, int base) {
        QueuePair qp = qps.get(handle);
        env.poller().call(() -> {
            qp.attrs().write(out, base + QueryQpResp.ATTR, qp.state(), qp.state(), qp.caps);
            out.put(base + QueryQpResp.ATTR_SQ_DRAINING, (byte) (qp.draining() ? 1 : 0));
            return null;
        });
        out.putInt(base + QueryQpResp.QP_TYPE, qp.type);
        out.putInt(base + QueryQpResp.SQ_SIG_ALL, qp.send().signalsAll() ? 1 : 0);
    }

    /**
     * Returns how many unread asynchronous events of the QP were dropped:
     * after the call nothing can raise one for it any more.
     */
    public int destroyQp(int handle) {
        QueuePair qp = qps.get(handle);
        QpResources on = qp.resources();
        env.poller().call(() -> {
            env.poller().unregister(qp);
            qp.markDestroyed();
            env.directory().remove(qp);
            detach(on.sendCq(), qp);
            detach(on.recvCq(), qp);
            return null;
        });
        qps.remove(handle);
        ClusterRecords.remove(env.orchestrator(), qp);
        qp.unmap();
        release(on.pd());
        release(on.sendCq());
        release(on.recvCq());
        release(on.srq());
        if (on.xrcd() != null) {
            on.xrcd().release();
            on.xrcd().domain.removeTarget(qp);
        }
        vnic.queuePairRemoved();
        LOG.debug("{}: {} destroyed: {}", vnic.name(), qp, qp.view());
        return events.drop(Abi.ASYNC_QP, handle);
    }

    /** A basic shared receive queue: {@link #createSrq(int, int, int, int, int, int)}. */
    public Grants.Srq createSrq(int pdHandle, int maxWr, int maxSge) {
        return createSrq(pdHandle, Verbs.SRQT_BASIC, maxWr, maxSge, 0, 0);
    }

    /**
     * A shared receive queue of up to {@code maxWr} receives of {@code maxSge}
     * SGEs, its limit disarmed (srq_limit is irrelevant to ibv_create_srq);
     * the caller sends, then closes, the ring fd.  {@code type}
     * IBV_SRQT_XRC: an SRQ of the XRC domain {@code xrcdHandle} whose
     * receives complete on the CQ {@code cqHandle}; the domain's targets
     * deliver into it by its number.
     */
    public Grants.Srq createSrq(int pdHandle, int type, int maxWr, int maxSge, int xrcdHandle, int cqHandle) {
        if (type != Verbs.SRQT_BASIC && type != Verbs.SRQT_XRC) {
            throw new VerbsException(Errno.EOPNOTSUPP, "SRQ type " + type + " (tag matching) is not supported");
        }
        boolean xrc = type == Verbs.SRQT_XRC;
        ProtectionDomain pd = pds.get(pdHandle);
        XrcDomain.Opened xrcd = xrc ? xrcds.get(xrcdHandle) : null;
        CompletionQueue cq = xrc ? cqs.get(cqHandle) : null;
        if (maxWr < 1 || maxWr > RouterDefaults.MAX_SRQ_WR || maxSge < 0 || maxSge > RouterDefaults.MAX_SGE) {
            throw new VerbsException(Errno.EINVAL, "SRQ of " + Integer.toUnsignedString(maxWr) + " WRs, "
                    + Integer.toUnsignedString(maxSge) + " SGEs beyond the device");
        }
        int sges = Math.max(1, maxSge);
        SrqRingLayout layout = SrqRingLayout.forCapacity(maxWr, sges);
        int handle = srqs.reserve();
        RingMemory memory = RingMemory.create("freeflow-srq", layout.shmSize());
        SharedReceiveQueue srq = new SharedReceiveQueue(handle, vnic.allocateSrqNumber(), pd, xrcd, cq, sges, layout,
                memory.mapping(), events);
        if (xrc) {
            env.poller().call(() -> {
                xrcd.domain.add(srq);
                return null;
            });
            xrcd.retain();
            cq.retain();
        }
        srqs.put(handle, srq);
        pd.retain();
        LOG.debug("{}: {} created", vnic.name(), srq);
        return new Grants.Srq(handle, srq.srqn, srq.maxWr(), sges, layout.shmSize(), memory.fd());
    }

    /** ibv_modify_srq: IBV_SRQ_LIMIT arms or disarms; IBV_SRQ_MAX_WR (resize) is not offered. */
    public void modifySrq(int handle, int mask, int limit) {
        SharedReceiveQueue srq = srqs.get(handle);
        if ((mask & ~(Verbs.SRQ_MAX_WR | Verbs.SRQ_LIMIT)) != 0) {
            throw new VerbsException(Errno.EINVAL, "SRQ attribute mask 0x" + Integer.toHexString(mask));
        }
        if ((mask & Verbs.SRQ_MAX_WR) != 0) {
            throw new VerbsException(Errno.EOPNOTSUPP, "SRQs cannot be resized");
        }
        if ((mask & Verbs.SRQ_LIMIT) != 0) {
            srq.arm(limit);
        }
    }

    /** {max_wr, max_sge, srq_limit} of the SRQ (the limit 0 while disarmed). */
    public int[] querySrq(int handle) {
        SharedReceiveQueue srq = srqs.get(handle);
        return new int[] {srq.maxWr(), srq.maxSge, srq.limit()};
    }

    /** EBUSY while QPs use it; returns how many unread asynchronous events of the SRQ were dropped. */
    public int destroySrq(int handle) {
        SharedReceiveQueue srq = srqs.get(handle);
        if (srq.inUse()) {
            throw new VerbsException(Errno.EBUSY, srq + " still has QPs");
        }
        srqs.remove(handle);
        env.poller().call(() -> {
            srq.markDestroyed();
            if (srq.xrcd != null) {
                srq.xrcd.domain.remove(srq);
            }
            return null;
        });
        srq.unmap();
        srq.pd.release();
        release(srq.cq);
        if (srq.xrcd != null) {
            srq.xrcd.release();
        }
        vnic.releaseSrqNumber(srq.srqn);
        LOG.debug("{}: {} destroyed", vnic.name(), srq);
        return events.drop(Abi.ASYNC_SRQ, handle);
    }

    /**
     * ibv_open_xrcd: the container's XRC domain of the file {@code fileFd}
     * is open on (a descriptor the caller keeps and closes), or with
     * {@code fileFd} −1 a new private one; {@code flags} FF_XRCD_*.
     */
    public int openXrcd(int flags, int fileFd) {
        if ((flags & ~(Abi.XRCD_CREATE | Abi.XRCD_EXCL)) != 0) {
            throw new VerbsException(Errno.EINVAL, "XRCD flags 0x" + Integer.toHexString(flags));
        }
        XrcDomain.FileKey file = fileFd < 0 ? null : XrcDomain.FileKey.of(fileFd);
        int handle = xrcds.reserve();
        XrcDomain domain = vnic.openXrcDomain(file, (flags & Abi.XRCD_CREATE) != 0, (flags & Abi.XRCD_EXCL) != 0);
        xrcds.put(handle, new XrcDomain.Opened(handle, domain));
        LOG.debug("{}: {} opened", vnic.name(), domain);
        return handle;
    }

    /** ibv_close_xrcd: EBUSY while this context's XRC SRQs or targets use it. */
    public void closeXrcd(int handle) {
        XrcDomain.Opened opened = xrcds.get(handle);
        if (opened.inUse()) {
            throw new VerbsException(Errno.EBUSY, opened.domain + " still has SRQs or QPs of this context");
        }
        xrcds.remove(handle);
        vnic.closeXrcDomain(opened.domain);
    }

    private static void attach(CompletionQueue cq, QueuePair qp) {
        if (cq != null) {
            cq.attach(qp);
        }
    }

    private static void detach(CompletionQueue cq, QueuePair qp) {
        if (cq != null) {
            cq.detach(qp);
        }
    }

    private static void retain(InUse object) {
        if (object != null) {
            object.retain();
        }
    }

    private static void release(InUse object) {
        if (object != null) {
            object.release();
        }
    }

    /** Destroys everything this context made: QPs, SRQs, CQs, MRs, PDs, XRC domains. Idempotent. */
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (QueuePair qp : qps.newestFirst()) {
            quietly(() -> destroyQp(qp.handle));
        }
        for (SharedReceiveQueue srq : srqs.newestFirst()) {
            quietly(() -> destroySrq(srq.handle));
        }
        for (CompletionQueue cq : cqs.newestFirst()) {
            quietly(() -> destroyCq(cq.handle));
        }
        for (MemoryRegion mr : mrs.newestFirst()) {
            quietly(() -> deregMr(mr.handle));
        }
        for (ProtectionDomain pd : pds.newestFirst()) {
            quietly(() -> deallocPd(pd.handle));
        }
        for (XrcDomain.Opened xrcd : xrcds.newestFirst()) {
            quietly(() -> closeXrcd(xrcd.handle));
        }
        for (CompletionChannel channel : channels.newestFirst()) {
            quietly(() -> destroyCompletionChannel(channel.handle));
        }
        if (doorbell != null) {
            quietly(doorbell::close);
        }
        events.close();
        vnic.closed(this);
        LOG.debug("{} of {} closed its context", process, vnic.name());
    }

    private void quietly(Runnable destroy) {
        try {
            destroy.run();
        } catch (RuntimeException e) {
            LOG.error("cleanup of a context of {} failed", vnic.name(), e);
        }
    }

    int protectionDomains() {
        return pds.size();
    }

    int memoryRegions() {
        return mrs.size();
    }

    int completionQueues() {
        return cqs.size();
    }

    int queuePairs() {
        return qps.size();
    }

    void addQueuePairViews(List<QueuePairView> views) {
        for (QueuePair qp : qps.newestFirst()) {
            views.add(qp.view());
        }
    }

    void addQueuePairRecords(List<QueuePairRecord> records) {
        for (QueuePair qp : qps.newestFirst()) {
            records.add(ClusterRecords.queuePair(qp));
        }
    }

    void addMemoryRegionRecords(List<MemoryRegionRecord> records) {
        for (MemoryRegion mr : mrs.newestFirst()) {
            records.add(ClusterRecords.region(vnic, mr));
        }
    }

    /** Closes a ring fd once the reply carrying it is sent. */
    public static void closeRingFd(int fd) {
        FileDescriptors.closeQuietly(fd);
    }

    @Override
    public String toString() {
        return process + " of " + vnic.name();
    }
}
