package org.freeflow.router.internal.loopback;

import org.freeflow.posix.api.MemFd;
import org.freeflow.posix.api.PosixException;
import org.freeflow.router.internal.vnic.QpCaps;
import org.freeflow.router.internal.vnic.QpRequest;
import org.freeflow.router.internal.vnic.VerbsContext;
import org.freeflow.router.internal.vnic.VirtualNic;
import org.freeflow.router.internal.vnic.VnicEnvironment;

/**
 * One process on a virtual NIC as the FFL runs it: a verbs context, its
 * memory registered as one region, a PD, a send and a receive CQ, one QP and
 * the doorbell its posts ring.  {@link #close()} frees all of it.
 */
public final class LoopbackProcess implements AutoCloseable {

    public final VirtualNic nic;
    public final VerbsContext ctx;
    public final AppMemory memory;
    public final FflBell bell;
    public final FflCompletionQueue sendCq;
    public final FflCompletionQueue recvCq;
    public final FflQueuePair qp;
    /** lkey == rkey of the whole memory. */
    public final int key;

    /**
     * Opens it on {@code nic}: {@code memorySize} bytes of memory, CQs of
     * {@code sendCqe} and {@code recvCqe} entries, a QP of {@code qpType}
     * with {@code caps}.
     */
    public LoopbackProcess(VirtualNic nic, VnicEnvironment env, long memorySize, int sendCqe, int recvCqe,
            int qpType, QpCaps caps) throws PosixException {
        this.nic = nic;
        this.ctx = new VerbsContext(nic, env);
        AppMemory mem = null;
        FflBell doorbell = null;
        FflCompletionQueue scq = null;
        FflCompletionQueue rcq = null;
        try {
            mem = new AppMemory(memorySize, MemFd.F_SEAL_SHRINK);
            doorbell = new FflBell(env.poller());
            int pd = ctx.allocPd();
            key = ctx.regMr(pd, QpBringUp.ALL_ACCESS, 0, memorySize, 0, mem.fd).key();
            scq = FflCompletionQueue.create(ctx, sendCqe, 0);
            rcq = FflCompletionQueue.create(ctx, recvCqe, 0);
            qp = FflQueuePair.create(ctx, new QpRequest(pd, scq.handle, rcq.handle, 0, qpType, false, caps));
        } catch (PosixException | RuntimeException e) {
            ctx.close();
            closeAll(rcq, scq, doorbell, mem);
            throw e;
        }
        qp.ringing(doorbell);
        this.memory = mem;
        this.bell = doorbell;
        this.sendCq = scq;
        this.recvCq = rcq;
    }

    /** The QP's handle in {@link #ctx}. */
    public int qpHandle() {
        return qp.handle;
    }

    /** Destroys what the context made, then unmaps and closes what this process holds. */
    @Override
    public void close() {
        ctx.close();
        closeAll(qp, recvCq, sendCq, bell, memory);
    }

    private static void closeAll(AutoCloseable... all) {
        for (AutoCloseable c : all) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    // closing a mapping or descriptor: nothing left to do about it
                }
            }
        }
    }
}
