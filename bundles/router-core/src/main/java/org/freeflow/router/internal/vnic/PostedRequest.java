package org.freeflow.router.internal.vnic;

import static org.freeflow.fastpath.api.Verbs.SEND_SOLICITED;
import static org.freeflow.fastpath.api.Verbs.WR_RDMA_READ;

import java.nio.ByteBuffer;
import org.freeflow.fastpath.api.Abi.SendWqe;
import org.freeflow.router.api.transport.InPlaceSink;
import org.freeflow.router.api.transport.Payload;
import org.freeflow.router.api.transport.WorkRequest;

/**
 * The {@link WorkRequest} a connected requester posts: the fields of its
 * send-queue entry, read once from the ring when it is loaded, and the
 * checked payload.  One per requester, reloaded for every post.
 */
final class PostedRequest implements WorkRequest {

    private long psn;
    private int opcode;
    private GatherList payload;
    private long remoteAddress;
    private int rkey;
    private int immediate;
    private long compareAdd;
    private long swap;
    private boolean solicited;
    private int xrcSrq;

    /**
     * Reads the entry at {@code slot} of {@code shm} as work request
     * {@code psn}; {@code xrc}: an XRC initiator's, which names an SRQ.
     */
    PostedRequest load(ByteBuffer shm, int slot, long psn, int opcode, GatherList payload, boolean xrc) {
        this.psn = psn;
        this.opcode = opcode;
        this.payload = payload;
        remoteAddress = shm.getLong(slot + SendWqe.REMOTE_ADDR);
        rkey = shm.getInt(slot + SendWqe.RKEY);
        immediate = shm.getInt(slot + SendWqe.IMM_DATA);
        compareAdd = shm.getLong(slot + SendWqe.COMPARE_ADD);
        swap = shm.getLong(slot + SendWqe.SWAP);
        solicited = (shm.getInt(slot + SendWqe.SEND_FLAGS) & SEND_SOLICITED) != 0;
        xrcSrq = xrc ? shm.getInt(slot + SendWqe.REMOTE_SRQN) : NO_XRC_SRQ;
        return this;
    }

    @Override
    public long psn() {
        return psn;
    }

    @Override
    public int opcode() {
        return opcode;
    }

    @Override
    public Payload payload() {
        return payload;
    }

    @Override
    public long remoteAddress() {
        return remoteAddress;
    }

    @Override
    public int rkey() {
        return rkey;
    }

    @Override
    public int immediate() {
        return immediate;
    }

    @Override
    public long compareAdd() {
        return compareAdd;
    }

    @Override
    public long swap() {
        return swap;
    }

    @Override
    public boolean solicited() {
        return solicited;
    }

    @Override
    public int xrcSrq() {
        return xrcSrq;
    }

    /** A READ's local memory, held, for a transport that writes its answer into it itself. */
    @Override
    public InPlaceSink sinkInPlace() {
        return opcode == WR_RDMA_READ ? payload.sinkInPlace() : null;
    }
}
