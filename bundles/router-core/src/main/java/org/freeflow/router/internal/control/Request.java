package org.freeflow.router.internal.control;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.freeflow.fastpath.api.Abi;
import org.freeflow.posix.api.Errno;
import org.freeflow.router.internal.vnic.VerbsException;

/**
 * A received control message with a valid header: op, seq, payload and the
 * descriptors that came with it (closed by the server after the reply).
 * Payload offsets are relative to the end of the header.
 */
public final class Request {

    private final ByteBuffer buffer;
    private final int op;
    private final int seq;
    private final int length;
    private final int[] fds;

    Request(ByteBuffer buffer, int[] fds) {
        this.buffer = buffer;
        this.op = Short.toUnsignedInt(buffer.getShort(Abi.Hdr.OP));
        this.seq = buffer.getInt(Abi.Hdr.SEQ);
        this.length = buffer.getInt(Abi.Hdr.LEN);
        this.fds = fds;
    }

    public int op() {
        return op;
    }

    public int seq() {
        return seq;
    }

    /** Payload bytes. */
    public int length() {
        return length;
    }

    /** EINVAL unless the payload is exactly {@code size} bytes (the struct of the op). */
    public void expect(int size) {
        if (length != size) {
            throw new VerbsException(Errno.EINVAL, "op " + op + " carries " + length + " bytes, expected " + size);
        }
    }

    public int getInt(int offset) {
        return buffer.getInt(Abi.Hdr.SIZE + offset);
    }

    public long getLong(int offset) {
        return buffer.getLong(Abi.Hdr.SIZE + offset);
    }

    /** The buffer and the absolute offset of the payload, for struct readers. */
    public ByteBuffer buffer() {
        return buffer;
    }

    /** The NUL-terminated string in the {@code size}-byte field at {@code offset}; EINVAL without NUL. */
    public String string(int offset, int size) {
        int start = Abi.Hdr.SIZE + offset;
        for (int i = 0; i < size; i++) {
            if (buffer.get(start + i) == 0) {
                byte[] bytes = new byte[i];
                buffer.get(start, bytes);
                return new String(bytes, StandardCharsets.UTF_8);
            }
        }
        throw new VerbsException(Errno.EINVAL, "string field at " + offset + " is not NUL-terminated");
    }

    /**
     * EINVAL unless exactly {@code count} descriptors came with the message
     * (they are closed by the server either way).
     */
    public void expectFds(int count) {
        if (fds.length != count) {
            throw new VerbsException(Errno.EINVAL, "op " + op + " carries " + fds.length + " descriptor(s), expected "
                    + count);
        }
    }

    /** Descriptor {@code i} that came with the message, or -1. */
    public int fd(int i) {
        return i < fds.length ? fds[i] : -1;
    }
}
