package org.freeflow.transport.tcp.internal;

import static org.freeflow.fastpath.api.Verbs.*;

import java.nio.ByteBuffer;
import org.freeflow.router.api.transport.Payload;
import org.freeflow.router.api.transport.WorkRequest;

/** A work request of a test, its payload one heap buffer. */
record Request(long psn, int opcode, ByteBuffer data, long remoteAddress, int rkey, long compareAdd)
        implements WorkRequest, Payload {

    static Request send(long psn, byte[] bytes) {
        return new Request(psn, WR_SEND, ByteBuffer.wrap(bytes), 0, 0, 0);
    }

    static Request write(long psn, byte[] bytes, long addr, int rkey) {
        return new Request(psn, WR_RDMA_WRITE, ByteBuffer.wrap(bytes), addr, rkey, 0);
    }

    static Request read(long psn, int length, long addr, int rkey) {
        return new Request(psn, WR_RDMA_READ, ByteBuffer.allocate(length), addr, rkey, 0);
    }

    static Request fetchAndAdd(long psn, long addr, int rkey, long add) {
        return new Request(psn, WR_ATOMIC_FETCH_AND_ADD, ByteBuffer.allocate(8), addr, rkey, add);
    }

    @Override
    public Payload payload() {
        return this;
    }

    @Override
    public int immediate() {
        return 0;
    }

    @Override
    public long swap() {
        return 0;
    }

    @Override
    public boolean solicited() {
        return false;
    }

    @Override
    public int xrcSrq() {
        return NO_XRC_SRQ;
    }

    @Override
    public long length() {
        return data.capacity();
    }

    @Override
    public int segments() {
        return 1;
    }

    @Override
    public ByteBuffer segment(int i) {
        return data.duplicate().clear();
    }
}
